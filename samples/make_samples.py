"""Generate samples/demo-house.ifc: a small timber multi-dwelling building with deliberate defects."""

# Run with the project venv: `.venv/bin/python samples/make_samples.py`. The output is
# byte-identical on every run (fixed GlobalIds, header timestamp and application), so the
# committed expected reports stay valid and a diff of the IFC shows real changes only.

from __future__ import annotations

import hashlib
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid
import shapely
from shapely import affinity
from shapely.geometry import Polygon, box

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "demo-house.ifc"

TIMESTAMP = "2025-03-14T09:00:00"
EPOCH = 1741942800  # TIMESTAMP as seconds, for IfcOwnerHistory.CreationDate

# Millimetres throughout, as suppliers model.
STOREY_HEIGHT = 3000.0  # floor to floor
SLAB = 300.0  # floor build-up
WALL_HEIGHT = STOREY_HEIGHT - SLAB
CEILING = 2500.0  # finished floor to finished ceiling in the apartments
EXT, SEP, INT = 400.0, 300.0, 95.0  # wall thicknesses: external, apartment-separating, internal
WIDTH, DEPTH = 20000.0, 10000.0  # footprint: apartment A (west), stairwell, apartment B (east)
STAIR_X0, STAIR_X1 = 8000.0, 12000.0
SILL, WINDOW_HEIGHT, DOOR_HEIGHT = 800.0, 1400.0, 2100.0
MID = 5000.0  # south face of the internal wall between the day rooms (south) and the night rooms
LIFT: Rect = (STAIR_X0, 7400.0, 9200.0, DEPTH - EXT)  # lift shaft in the stairwell's north-west corner

# Deliberate defects: realistic modelling mistakes the demo report must show (samples/README.md).
WEAK_WALL = "1101"  # separating wall towards the stairwell overridden to EI 30
WARM_WINDOW = ("1202", 1)  # second living-room window: an older model, U = 1.4 W/m²K
NO_AREA_SPACE = "1102-04"  # bedroom exported without NetFloorArea
LOW_CEILING_SPACE = "1202-04"  # bedroom with a lowered ceiling for ducts: 2.35 m
PLAIN_DOOR = "1201"  # entrance door placed with the internal door type: no fire rating
UNCLASSIFIED_WALL = ("1202", 0)  # internal wall without a CoClass reference
NARROW_DOOR = "1102"  # bathroom door of the 8M type: 0.67 m clear width
SMALL_BEDROOM = "1201"  # second bedroom squeezed to 6.8 m² by moving the wall between the bedrooms
WINDOW_POOR = "1001"  # kitchen with one window instead of two: 7 % glazing
UNRATED_WALL = "1002"  # separating wall placed with a generic 300 mm type: no fire rating

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in plan, from the south-west corner

EXTERNAL_WALLS: tuple[tuple[str, Rect], ...] = (
    ("S", (0, 0, WIDTH, EXT)),
    ("N", (0, DEPTH - EXT, WIDTH, DEPTH)),
    ("V", (0, EXT, EXT, DEPTH - EXT)),
    ("O", (WIDTH - EXT, EXT, WIDTH, DEPTH - EXT)),
)
SEPARATING_WALL_A: Rect = (STAIR_X0 - SEP, EXT, STAIR_X0, DEPTH - EXT)


@dataclass(frozen=True)
class Layout:
    """One apartment in the coordinates of apartment A (west); B is its mirror image."""

    rooms: tuple[tuple[str, str, Rect], ...]  # suffix, room function (LongName), floor
    walls: tuple[Rect, ...]  # internal walls
    doors: tuple[tuple[str, str, Rect, str], ...]  # key, name, plan, door type
    windows: tuple[tuple[str, Rect], ...]  # room, plan (in an external wall)
    furniture: tuple[tuple[str, str, str, str, Rect, float], ...]  # room, class, type, name, plan, height


def layout(number: str) -> Layout:
    """A 3 rok (three rooms and kitchen) of 65 m²; the apartment's defects change its plan."""
    b = 3800.0 if number == SMALL_BEDROOM else 3400.0  # west face of the wall between the bedrooms
    e = STAIR_X0 - SEP  # the apartment's inner face towards the stairwell
    n = DEPTH - EXT
    rooms = (
        ("01", "Hall", (5495.0, MID + INT, e, 7400.0)),
        ("02", "Kök", (4495.0, EXT, e, MID)),
        ("03", "Vardagsrum", (EXT, EXT, 4400.0, MID)),
        ("04", "Sovrum", (EXT, MID + INT, b, n)),
        ("05", "Badrum", (5495.0, 7495.0, e, n)),
        ("06", "Sovrum 2", (b + INT, MID + INT, 5400.0, n)),
    )
    walls = (
        (4400.0, EXT, 4495.0, MID),  # living room | kitchen
        (EXT, MID, e, MID + INT),  # day rooms | night rooms and hall
        (b, MID + INT, b + INT, n),  # bedroom | bedroom 2
        (5400.0, MID + INT, 5495.0, n),  # bedroom 2 | hall, bathroom
        (5495.0, 7400.0, e, 7495.0),  # hall | bathroom
    )
    bathroom_door = ("narrow door", 800.0) if number == NARROW_DOOR else ("internal door", 1000.0)
    doors = (
        ("entry", "Lägenhetsdörr", (e, 6200.0, STAIR_X0, 7200.0), "apartment door"),
        ("kitchen", "Dörr kök", (6300.0, MID, 7300.0, MID + INT), "internal door"),
        ("living", "Dörr vardagsrum", (4400.0, 3600.0, 4495.0, 4600.0), "internal door"),
        ("bedroom", "Dörr sovrum", (1700.0, MID, 2700.0, MID + INT), "internal door"),
        ("bedroom2", "Dörr sovrum 2", (5400.0, 5300.0, 5495.0, 6300.0), "internal door"),
        ("bathroom", "Dörr badrum", (6500.0, 7400.0, 6500.0 + bathroom_door[1], 7495.0), bathroom_door[0]),
    )
    centre = round((b + INT + 5400.0) / 2)
    windows = (
        ("vardagsrum", (1000.0, 0.0, 2200.0, EXT)),
        ("vardagsrum", (2800.0, 0.0, 4000.0, EXT)),
        ("kök", (4800.0, 0.0, 6000.0, EXT)),
        *(() if number == WINDOW_POOR else (("kök", (6300.0, 0.0, 7500.0, EXT)),)),
        ("sovrum", (1100.0, n, 2700.0, DEPTH)),
        ("sovrum 2", (centre - 500.0, n, centre + 500.0, DEPTH)),
    )
    furniture = (
        ("04", "IfcFurniture", "bed double", "Säng 160x200", (1100.0, 7600.0, 2700.0, n), 500.0),
        ("04", "IfcFurniture", "wardrobe", "Garderob 60x120", (EXT, 5600.0, 1000.0, 6800.0), 2100.0),
        ("06", "IfcFurniture", "bed single", "Säng 90x200", (b + INT, 7600.0, b + INT + 900.0, n), 500.0),
        ("05", "IfcSanitaryTerminal", "wc", "WC-stol", (e - 650.0, 8800.0, e, 9200.0), 400.0),
        ("05", "IfcSanitaryTerminal", "basin", "Tvättställ", (6000.0, 9150.0, 6600.0, n), 850.0),
    )
    return Layout(rooms, walls, doors, windows, furniture)


# CoClass references. The codes are illustrative: what the requirement sets check is that
# an element carries a CoClass reference, not which code it is.
COCLASS = {
    "ground": ("AAC", "Platta på mark"),
    "footing": ("AAB", "Grundbalk"),
    "floor": ("AAD", "Bjälklag"),
    "roof": ("AAE", "Takbjälklag"),
    "external": ("GBB", "Ytterväggskonstruktion"),
    "separating": ("GBC", "Lägenhetsskiljande väggkonstruktion"),
    "internal": ("GBD", "Innerväggskonstruktion"),
    "door": ("QQA", "Dörr"),
    "window": ("QQC", "Fönster"),
    "stair": ("QBA", "Trappa"),
    "railing": ("QBC", "Räcke"),
    "lift": ("QBB", "Hiss"),
    "furniture": ("RKA", "Möbel"),
    "sanitary": ("PDA", "Sanitetsarmatur"),
    "Trapphus": ("ABB", "Trapphus"),
    "Hall": ("ACA", "Hall"),
    "Vardagsrum": ("ACB", "Vardagsrum"),
    "Kök": ("ACC", "Kök"),
    "Sovrum": ("ACD", "Sovrum"),
    "Sovrum 2": ("ACD", "Sovrum"),
    "Badrum": ("ACE", "Badrum"),
}
# Area types of SS 21054 (system "SS 21054"): rooms in a dwelling count to the living area
# (BOA); the stairwell outside the dwellings is secondary area (BIA) [R].
AREA_TYPE = {"Trapphus": ("BIA", "Biarea")}
LIVING_AREA = ("BOA", "Boarea")

# Type objects: (class, name, predefined type, material, common properties, other attributes).
# Occurrences inherit materials and properties from their type, as authoring tools export them.
TYPES: dict[str, tuple[str, str, str, str, dict[str, Any], dict[str, Any]]] = {
    "external": (
        "IfcWallType",
        "YV01 Yttervägg KL-trä",
        "SOLIDWALL",
        "YV01",
        {"IsExternal": True, "LoadBearing": True, "FireRating": "REI 60", "ThermalTransmittance": 0.15},
        {},
    ),
    "separating": (
        "IfcWallType",
        "LSV01 Lägenhetsskiljande vägg KL-trä",
        "SOLIDWALL",
        "LSV01",
        {
            "IsExternal": False,
            "LoadBearing": True,
            "Compartmentation": True,
            "FireRating": "REI 60",
            "AcousticRating": "Ljudklass B (SS 25267)",
        },
        {},
    ),
    "generic": (
        "IfcWallType",
        "V300 Vägg 300",
        "SOLIDWALL",
        "LSV01",
        {"IsExternal": False, "LoadBearing": True},
        {},
    ),
    "internal": (
        "IfcWallType",
        "IV01 Innervägg träregel",
        "PARTITIONING",
        "IV01",
        {"IsExternal": False, "LoadBearing": False},
        {},
    ),
    "ground": (
        "IfcSlabType",
        "BP01 Platta på mark",
        "BASESLAB",
        "BP01",
        {"IsExternal": True, "LoadBearing": True, "ThermalTransmittance": 0.12},
        {},
    ),
    "floor": (
        "IfcSlabType",
        "BJ01 Bjälklag KL-trä",
        "FLOOR",
        "BJ01",
        {"IsExternal": False, "LoadBearing": True, "Compartmentation": True, "FireRating": "REI 60"},
        {},
    ),
    "roof": (
        "IfcSlabType",
        "TB01 Takbjälklag KL-trä",
        "ROOF",
        "TB01",
        {"IsExternal": True, "LoadBearing": True, "ThermalTransmittance": 0.10},
        {},
    ),
    "footing": (
        "IfcFootingType",
        "GB01 Grundbalk betong",
        "STRIP_FOOTING",
        "Betong C30/37",
        {"LoadBearing": True},
        {},
    ),
    "apartment door": (
        "IfcDoorType",
        "D1 Lägenhetsdörr EI2 30 10x21",
        "DOOR",
        "Trä",
        {
            "IsExternal": False,
            "FireRating": "EI2 30",
            "AcousticRating": "R'w 35 dB",
            "HandicapAccessible": True,
            "SelfClosing": True,
            "SmokeStop": True,
        },
        {"OperationType": "SINGLE_SWING_RIGHT"},
    ),
    "internal door": (
        "IfcDoorType",
        "D2 Innerdörr 10x21",
        "DOOR",
        "Trä",
        {"IsExternal": False, "HandicapAccessible": True},
        {"OperationType": "SINGLE_SWING_LEFT"},
    ),
    "narrow door": (
        "IfcDoorType",
        "D4 Innerdörr 8x21",
        "DOOR",
        "Trä",
        {"IsExternal": False, "HandicapAccessible": False},
        {"OperationType": "SINGLE_SWING_LEFT"},
    ),
    "entrance door": (
        "IfcDoorType",
        "D3 Entrédörr glasad 12x21",
        "DOOR",
        "Trä",
        {
            "IsExternal": True,
            "FireRating": "EI2 30",
            "HandicapAccessible": True,
            "ThermalTransmittance": 1.0,
            "FireExit": True,
        },
        {"OperationType": "SINGLE_SWING_RIGHT"},
    ),
    "window": (
        "IfcWindowType",
        "F1 Fönster trä/alu U 0,9",
        "WINDOW",
        "Fönster trä/alu",
        {"IsExternal": True, "ThermalTransmittance": 0.9, "FireExit": False, "GlazingAreaFraction": 0.75},
        {"PartitioningType": "SINGLE_PANEL"},
    ),
    "escape window": (
        "IfcWindowType",
        "F2 Utrymningsfönster trä/alu U 0,9",
        "WINDOW",
        "Fönster trä/alu",
        {"IsExternal": True, "ThermalTransmittance": 0.9, "FireExit": True, "GlazingAreaFraction": 0.75},
        {"PartitioningType": "SINGLE_PANEL"},
    ),
    "bed double": ("IfcFurnitureType", "Säng 160x200", "BED", "Trä", {}, {"AssemblyPlace": "FACTORY"}),
    "bed single": ("IfcFurnitureType", "Säng 90x200", "BED", "Trä", {}, {"AssemblyPlace": "FACTORY"}),
    "wardrobe": (
        "IfcFurnitureType",
        "Garderob 60x120",
        "USERDEFINED",
        "Trä",
        {},
        {"AssemblyPlace": "FACTORY", "ElementType": "Garderob"},
    ),
    "wc": ("IfcSanitaryTerminalType", "WC-stol vägghängd", "TOILETPAN", "Porslin", {}, {}),
    "basin": ("IfcSanitaryTerminalType", "Tvättställ 60", "WASHHANDBASIN", "Porslin", {}, {}),
}
COMMON_PSET = {"IfcWallType": "Pset_WallCommon", "IfcSlabType": "Pset_SlabCommon"}
COMMON_PSET |= {"IfcDoorType": "Pset_DoorCommon", "IfcWindowType": "Pset_WindowCommon"}
COMMON_PSET |= {"IfcFootingType": "Pset_FootingCommon"}

# Door linings and leaves (mm), shared by the door types: the clear width at 90° is the
# overall width less both lining jambs and the leaf standing in the opening (a 10M door
# gives 1000 − 2 × 45 − 40 = 870 mm; a 9M door 770 mm, as manufacturers state).
DOOR_LEAVES = {
    "apartment door": {"LiningDepth": SEP, "LiningThickness": 50.0, "PanelDepth": 55.0},
    "internal door": {"LiningDepth": INT, "LiningThickness": 45.0, "PanelDepth": 40.0},
    "narrow door": {"LiningDepth": INT, "LiningThickness": 45.0, "PanelDepth": 40.0},
    "entrance door": {"LiningDepth": EXT, "LiningThickness": 60.0, "PanelDepth": 70.0},
}

# name: (category, [(material, layer thickness)] for a layer set, [] for a plain material).
MATERIALS: dict[str, tuple[str, list[tuple[str, float]]]] = {
    "KL-trä": ("wood", []),  # cross-laminated timber
    "Gips": ("gypsum", []),
    "Mineralull": ("insulation", []),
    "Träpanel": ("wood", []),
    "Träregel 45x70": ("wood", []),
    "Betong C30/37": ("concrete", []),
    "Glas": ("glass", []),
    "Trä": ("wood", []),
    "Aluminium": ("aluminium", []),
    "Porslin": ("ceramic", []),
    "YV01": ("", [("Gips", 15), ("KL-trä", 100), ("Mineralull", 240), ("Träpanel", 45)]),
    "LSV01": ("", [("Gips", 15), ("KL-trä", 100), ("Mineralull", 70), ("KL-trä", 100), ("Gips", 15)]),
    "IV01": ("", [("Gips", 13), ("Träregel 45x70", 70), ("Gips", 12)]),
    "BJ01": ("", [("Gips", 15), ("KL-trä", 200), ("Mineralull", 85)]),
    "BP01": ("", [("Betong C30/37", 100), ("Mineralull", 200)]),
    "TB01": ("", [("KL-trä", 200), ("Mineralull", 400)]),
}
WINDOW_CONSTITUENTS = ("Glas", "Trä", "Aluminium")


def stable_guid(label: str) -> str:
    """A GlobalId derived from a label: the same element gets the same id on every run."""
    digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:32]
    return str(ifcopenshell.guid.compress(uuid.UUID(hex=digest).hex))


def mirror(rect: Rect, side: str) -> Rect:
    x0, y0, x1, y1 = rect
    return rect if side == "A" else (WIDTH - x1, y0, WIDTH - x0, y1)


def run(usecase: str, file: ifcopenshell.file, **settings: Any) -> Any:
    return ifcopenshell.api.run(usecase, file, **settings)


class DemoHouse:
    """Builds the model with shared geometry resources, so the file stays small.

    The demo is three storeys of one section (a stairwell between two apartments); the
    benchmarks build larger blocks of the same sections side by side, `storeys` high.
    """

    def __init__(self, storeys: int = 3, sections: int = 1, name: str = OUTPUT.name) -> None:
        self.storeys, self.sections = storeys, sections
        self.f = self._new_file(name)
        self.labels: set[int] = set()
        self.classified: dict[tuple[str, tuple[str, str]], list[Any]] = {}
        # Geometry resources shared between elements of the same size keep the file small.
        self._solids: dict[tuple[float, float, float], Any] = {}
        self.z = self.f.createIfcDirection((0.0, 0.0, 1.0))
        self.north = self.f.createIfcDirection((0.0, 1.0, 0.0))
        world = self.f.createIfcAxis2Placement3D(self.f.createIfcCartesianPoint((0.0, 0.0, 0.0)), None, None)
        context = self.f.createIfcGeometricRepresentationContext(None, "Model", 3, 1.0e-5, world, None)
        self.body = self.f.createIfcGeometricRepresentationSubContext(
            "Body", "Model", None, None, None, None, context, None, "MODEL_VIEW", None
        )
        units = [
            self.f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE"),
            self.f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE"),
            self.f.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE"),
            self.f.createIfcSIUnit(None, "PLANEANGLEUNIT", None, "RADIAN"),
        ]
        self.project = self.root(
            "IfcProject",
            "project",
            Name="Kv. Granen 1",
            LongName="Flerbostadshus i trä",
            RepresentationContexts=(context,),
            UnitsInContext=self.f.createIfcUnitAssignment(units),
        )
        self.materials = self._materials()
        self.types = {key: self._type(key, *spec) for key, spec in TYPES.items()}
        for key, leaf in DOOR_LEAVES.items():
            self._door_leaf(key, leaf)

    @staticmethod
    def _new_file(name: str) -> ifcopenshell.file:
        f = ifcopenshell.file(schema="IFC4")
        header = f.header.file_name
        header.name = name
        header.time_stamp = TIMESTAMP
        header.author = ("Arkitektkontoret AB",)
        header.organization = ("Arkitektkontoret AB",)
        header.preprocessor_version = f"IfcOpenShell {ifcopenshell.version}"
        header.originating_system = "bimcheck samples/make_samples.py"
        header.authorization = "none"
        f.header.file_description.description = ("ViewDefinition [ReferenceView_V1.2]",)
        return f

    # --- resources -------------------------------------------------------------------

    def root(self, ifc_class: str, label: str, **attributes: Any) -> Any:
        """An IfcRoot entity whose GlobalId comes from `label`."""
        entity = self.f.create_entity(ifc_class, GlobalId=stable_guid(f"demo-house/{label}"), **attributes)
        self.labels.add(entity.id())
        return entity

    def placement(
        self, relative_to: Any, x: float = 0.0, y: float = 0.0, z: float = 0.0, *, turned: bool = False
    ) -> Any:
        """A placement at (x, y, z); `turned` points its X axis north (doors in north-south walls)."""
        point = self.f.createIfcCartesianPoint((float(x), float(y), float(z)))
        axes = (self.z, self.north) if turned else (None, None)
        return self.f.createIfcLocalPlacement(relative_to, self.f.createIfcAxis2Placement3D(point, *axes))

    def body_of(self, outline: Polygon, height: float) -> Any:
        """A body representation: the plan outline, relative to its first corner, extruded upwards."""
        x0, y0, x1, y1 = outline.bounds
        if outline.equals(box(x0, y0, x1, y1)):
            key = (x1 - x0, y1 - y0, height)
            solid = self._solids.get(key)
            if solid is None:
                centre = self.f.createIfcCartesianPoint(((x1 - x0) / 2, (y1 - y0) / 2))
                position = self.f.createIfcAxis2Placement2D(centre, None)
                profile = self.f.createIfcRectangleProfileDef("AREA", None, position, x1 - x0, y1 - y0)
                solid = self._solids[key] = self.f.createIfcExtrudedAreaSolid(profile, None, self.z, height)
        else:
            ring = shapely.geometry.polygon.orient(outline).exterior.coords
            points = [self.f.createIfcCartesianPoint((x - x0, y - y0)) for x, y in ring]
            profile = self.f.createIfcArbitraryClosedProfileDef(
                "AREA", None, self.f.createIfcPolyline(points)
            )
            solid = self.f.createIfcExtrudedAreaSolid(profile, None, self.z, height)
        shape = self.f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", (solid,))
        return self.f.createIfcProductDefinitionShape(None, None, (shape,))

    def contain(self, structure: Any, products: list[Any]) -> None:
        """Containment written directly: the API would re-localise every placement it touches."""
        self.root(
            "IfcRelContainedInSpatialStructure",
            f"contains/{structure.GlobalId}",
            RelatedElements=products,
            RelatingStructure=structure,
        )

    def aggregate(self, whole: Any, parts: list[Any]) -> None:
        self.root(
            "IfcRelAggregates", f"aggregates/{whole.GlobalId}", RelatingObject=whole, RelatedObjects=parts
        )

    def pset(self, target: Any, name: str, values: dict[str, Any]) -> Any:
        pset = run("pset.add_pset", self.f, product=target, name=name)
        run("pset.edit_pset", self.f, pset=pset, properties=values)
        return pset

    def qto(self, target: Any, values: dict[str, float]) -> None:
        qto = run("pset.add_qto", self.f, product=target, name="Qto_SpaceBaseQuantities")
        run("pset.edit_qto", self.f, qto=qto, properties=values)

    def classify(self, element: Any, system: str, reference: tuple[str, str]) -> None:
        self.classified.setdefault((system, reference), []).append(element)

    def _materials(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (category, layers) in MATERIALS.items():
            if not layers:
                out[name] = run("material.add_material", self.f, name=name, category=category)
                continue
            layer_set = run("material.add_material_set", self.f, name=name, set_type="IfcMaterialLayerSet")
            for material_name, thickness in layers:
                layer = run("material.add_layer", self.f, layer_set=layer_set, material=out[material_name])
                run("material.edit_layer", self.f, layer=layer, attributes={"LayerThickness": thickness})
            out[name] = layer_set
        window = run("material.add_material_set", self.f, name="Fönster trä/alu")
        for name in WINDOW_CONSTITUENTS:
            run("material.add_constituent", self.f, constituent_set=window, material=out[name])
        out["Fönster trä/alu"] = window
        return out

    def _type(
        self,
        key: str,
        ifc_class: str,
        name: str,
        predefined: str,
        material: str,
        properties: dict[str, Any],
        attributes: dict[str, Any],
    ) -> Any:
        t = self.root(ifc_class, f"type/{key}", Name=name, PredefinedType=predefined, **attributes)
        definition = self.materials[material]
        run("material.assign_material", self.f, products=[t], type=definition.is_a(), material=definition)
        if properties:
            self.pset(t, COMMON_PSET[ifc_class], properties)
        return t

    def _door_leaf(self, key: str, leaf: dict[str, float]) -> None:
        """Lining and panel properties on the door type, as IFC4 defines them for clear widths."""
        door_type = self.types[key]
        lining = self.root(
            "IfcDoorLiningProperties",
            f"type/{key}/lining",
            Name="Karm",
            LiningDepth=leaf["LiningDepth"],
            LiningThickness=leaf["LiningThickness"],
        )
        panel = self.root(
            "IfcDoorPanelProperties",
            f"type/{key}/panel",
            Name="Dörrblad",
            PanelDepth=leaf["PanelDepth"],
            PanelOperation="SWINGING",
            PanelWidth=1.0,
            PanelPosition="MIDDLE",
        )
        door_type.HasPropertySets = (*(door_type.HasPropertySets or ()), lining, panel)

    # --- the building ----------------------------------------------------------------

    def build(self) -> ifcopenshell.file:
        site = self.root("IfcSite", "site", Name="Granen 1", ObjectPlacement=self.placement(None))
        building = self.root(
            "IfcBuilding",
            "building",
            Name="Hus A",
            LongName="Flerbostadshus Granen",
            ObjectPlacement=self.placement(site.ObjectPlacement),
        )
        self.pset(
            building, "Pset_BuildingCommon", {"NumberOfStoreys": self.storeys, "YearOfConstruction": "2026"}
        )
        self.aggregate(self.project, [site])
        self.aggregate(site, [building])
        dwellings: list[Any] = []
        stairwells: list[Any] = []
        floors: list[list[Storey]] = []  # per level, one per section
        storeys = []
        for level in range(self.storeys):
            storey = self.root(
                "IfcBuildingStorey",
                f"storey/{level + 1}",
                Name=f"Plan {level + 1}",
                Elevation=level * STOREY_HEIGHT,
                ObjectPlacement=self.placement(building.ObjectPlacement, z=level * STOREY_HEIGHT),
            )
            storeys.append(storey)
            floors.append([Storey(self, storey, level, section) for section in range(self.sections)])
            contents = []
            for floor in floors[-1]:
                floor.build()
                dwellings.extend(floor.dwelling_spaces)
                stairwells.extend(floor.stairwell_spaces)
                contents.extend(floor.contents)
            spaces = [e for e in contents if e.is_a("IfcSpace")]
            elements = [e for e in contents if not e.is_a("IfcSpace")]
            # Spaces decompose the storey; elements are contained in it.
            self.aggregate(storey, spaces)
            self.contain(storey, elements)
        self.aggregate(building, storeys)
        for section in range(self.sections):
            column = [level[section] for level in floors]
            for below, above in zip(column, [*column[1:], None], strict=True):
                below.bound_spaces(above)
        # One shared Pset_SpaceCommon per kind of space, as authoring tools export them.
        for spaces, public in ((dwellings, False), (stairwells, True)):
            values = {"IsExternal": False, "PubliclyAccessible": public, "HandicapAccessible": True}
            shared = self.pset(spaces[0], "Pset_SpaceCommon", values)
            run("pset.assign_pset", self.f, products=spaces[1:], pset=shared)
        systems: dict[str, Any] = {}
        for (system, (code, name)), elements in sorted(self.classified.items()):
            if system not in systems:
                systems[system] = run("classification.add_classification", self.f, classification=system)
            run(
                "classification.add_reference",
                self.f,
                products=elements,
                classification=systems[system],
                identification=code,
                name=name,
            )
        self._finish()
        return self.f

    def _finish(self) -> None:
        # Created last: while an owner history exists, the API stamps a new one, with the
        # current time, on every entity it creates.
        person = self.f.createIfcPerson(None, "Exempelsson", "Anna")
        organisation = self.f.createIfcOrganization(None, "bimcheck", None)
        user = self.f.createIfcPersonAndOrganization(person, organisation)
        app = self.f.createIfcApplication(
            organisation, "1.0", "bimcheck sample generator", "bimcheck-samples"
        )
        history = self.f.createIfcOwnerHistory(user, app, None, "NOCHANGE", None, None, None, EPOCH)
        for entity in self.f.by_type("IfcRoot"):
            if entity.id() not in self.labels:  # psets and relationships the API created
                entity.GlobalId = stable_guid(f"demo-house/#{entity.id()}")
            entity.OwnerHistory = history


class Storey:
    """One storey of one section: the stairwell in the middle and apartments A (west) and B (east).

    Sections stand side by side, WIDTH apart; section 0 is the demo's, so its labels carry
    no section and the demo's GlobalIds stay as they are.
    """

    def __init__(self, house: DemoHouse, storey: Any, level: int, section: int = 0) -> None:
        self.house = house
        self.storey = storey
        self.level = level
        self.section = section
        self.dx = section * WIDTH
        self.tag = f"/{section + 1}" if section else ""  # in labels of elements every section has
        self.contents: list[Any] = []
        self.dwelling_spaces: list[Any] = []
        self.stairwell_spaces: list[Any] = []
        self.floor: Any = None  # the slab the storey stands on
        self.roof: Any = None
        self.outlines: dict[int, Polygon] = {}  # plan of every space, wall, door and window
        self.bounding: list[Any] = []  # walls, doors and windows that bound spaces

    def product(
        self,
        ifc_class: str,
        label: str,
        outline: Rect | Polygon,
        height: float,
        *,
        z: float = 0.0,
        type_key: str | None = None,
        code: str | None = None,
        inside: Any = None,
        **attributes: Any,
    ) -> Any:
        """An element extruded from its plan outline (storey coordinates, mm) at height z.

        It is placed relative to, and contained in, the storey, or `inside` another product
        (furniture in its room, a railing in its stair), whose containment is the caller's.
        """
        h = self.house
        shape = self.shifted(outline if isinstance(outline, Polygon) else box(*outline))
        x0, y0, x1, y1 = shape.bounds
        ox, oy = self.origin(inside) if inside is not None else (0.0, 0.0)
        relative_to = self.storey.ObjectPlacement if inside is None else inside.ObjectPlacement
        # A door or window has its width along its placement's X axis (IFC's convention, which
        # measures of clear width and free zones rely on): in a north-south wall X points
        # north, so the local plan starts at the south-east corner and runs north and west.
        turned = ifc_class in ("IfcDoor", "IfcWindow") and y1 - y0 > x1 - x0
        local = box(0.0, 0.0, y1 - y0, x1 - x0) if turned else shape
        corner = (x1, y0) if turned else (x0, y0)
        element = h.root(
            ifc_class,
            label,
            ObjectPlacement=h.placement(relative_to, corner[0] - ox, corner[1] - oy, z, turned=turned),
            Representation=h.body_of(local, height),
            **attributes,
        )
        self.outlines[element.id()] = shape
        if inside is None:
            self.contents.append(element)
        if type_key is not None:
            element_type = h.types[type_key]
            run(
                "type.assign_type",
                h.f,
                related_objects=[element],
                relating_type=element_type,
                should_map_representations=False,
            )
            element.PredefinedType = element_type.PredefinedType
            if element_type.PredefinedType == "USERDEFINED":
                element.ObjectType = element_type.ElementType
        if code is not None:
            h.classify(element, "CoClass", COCLASS[code])
        return element

    def filling(self, ifc_class: str, label: str, rect: Rect, height: float, **attributes: Any) -> Any:
        """A door or window in an opening of the wall it lies in (IfcRelVoidsElement, IfcRelFillsElement)."""
        h = self.house
        host = self.host(rect)
        z = attributes.get("z", 0.0)
        # The opening cuts through the whole wall: it spans the wall's thickness.
        wx0, wy0, wx1, wy1 = self.outlines[host.id()].bounds
        x0, y0, x1, y1 = self.shifted(box(*rect)).bounds
        cut = (x0, wy0, x1, wy1) if wx1 - wx0 > wy1 - wy0 else (wx0, y0, wx1, y1)
        ox, oy = self.origin(host)
        opening = h.root(
            "IfcOpeningElement",
            f"{label}/opening",
            Name="Öppning",
            PredefinedType="OPENING",
            ObjectPlacement=h.placement(host.ObjectPlacement, cut[0] - ox, cut[1] - oy, z),
            Representation=h.body_of(box(*cut), height),
        )
        h.root(
            "IfcRelVoidsElement",
            f"{label}/voids",
            RelatingBuildingElement=host,
            RelatedOpeningElement=opening,
        )
        element = self.product(ifc_class, label, rect, height, **attributes)
        h.root(
            "IfcRelFillsElement",
            f"{label}/fills",
            RelatingOpeningElement=opening,
            RelatedBuildingElement=element,
        )
        self.bounding.append(element)
        return element

    def shifted(self, shape: Polygon) -> Polygon:
        """A plan outline of the section moved to where the section stands in the block."""
        return affinity.translate(shape, xoff=self.dx) if self.dx else shape

    def origin(self, element: Any) -> tuple[float, float]:
        x0, y0 = self.outlines[element.id()].bounds[:2]
        return x0, y0

    def wall(self, label: str, rect: Rect, type_key: str, code: str | None, name: str) -> Any:
        element = self.product("IfcWall", label, rect, WALL_HEIGHT, type_key=type_key, code=code, Name=name)
        self.bounding.append(element)
        return element

    def host(self, rect: Rect) -> Any:
        """The wall a door or window rectangle lies in."""
        shape = self.shifted(box(*rect))
        for element in self.bounding:
            if element.is_a("IfcWall") and self.outlines[element.id()].buffer(0.5).contains(shape):
                return element
        raise ValueError(f"no wall hosts {rect}")

    def space(
        self,
        label: str,
        outline: Rect | Polygon,
        ceiling: float,
        long_name: str,
        code: str,
        **attributes: Any,
    ) -> Any:
        shape = outline if isinstance(outline, Polygon) else box(*outline)
        space = self.product(
            "IfcSpace",
            label,
            shape,
            ceiling,
            code=code,
            LongName=long_name,
            PredefinedType="INTERNAL",
            **attributes,
        )
        self.house.classify(space, "SS 21054", AREA_TYPE.get(long_name, LIVING_AREA))
        return space

    def build(self) -> None:
        n = self.level + 1
        slab = "ground" if self.level == 0 else "floor"
        whole = (0.0, 0.0, WIDTH, DEPTH)
        name = TYPES[slab][1]
        self.floor = self.product(
            "IfcSlab", f"slab/{n}{self.tag}", whole, SLAB, z=-SLAB, type_key=slab, code=slab, Name=name
        )
        if self.level == self.house.storeys - 1:
            name = TYPES["roof"][1]
            self.roof = self.product(
                "IfcSlab",
                f"slab/roof{self.tag}",
                whole,
                SLAB,
                z=WALL_HEIGHT,
                type_key="roof",
                code="roof",
                Name=name,
            )
        for side, rect in EXTERNAL_WALLS:
            self.wall(
                f"wall/{n}{self.tag}/ext/{side}", rect, "external", "external", f"YV01 Yttervägg {side}"
            )
            if self.level == 0:
                x0, y0, x1, y1 = rect
                self.product(
                    "IfcFooting",
                    f"footing/{side}{self.tag}",
                    (x0 - 100, y0 - 100, x1 + 100, y1 + 100)
                    if side in "SN"
                    else (x0 - 100, y0, x1 + 100, y1),
                    400.0,
                    z=-SLAB - 400.0,
                    type_key="footing",
                    code="footing",
                    Name=f"GB01 Grundbalk {side}",
                )
        self.stairwell()
        for side in ("A", "B"):
            # Numbered the Swedish way: floor (10 on the entrance floor), then the door on it.
            self.apartment(side, f"{10 + self.level}{2 * self.section + (1 if side == 'A' else 2):02d}")

    def stairwell(self) -> None:
        n = self.level + 1
        hall = box(STAIR_X0, EXT, STAIR_X1, DEPTH - EXT).difference(box(*LIFT))
        name = f"TR{self.section + 1 if self.section else ''}-{n}"
        space = self.space(f"space/{n}{self.tag}/TR", hall, WALL_HEIGHT, "Trapphus", "Trapphus", Name=name)
        area = round(hall.area / 1e6, 2)
        self.house.qto(
            space, {"NetFloorArea": area, "Height": WALL_HEIGHT, "FinishCeilingHeight": WALL_HEIGHT}
        )
        self.stairwell_spaces.append(space)
        stair = self.product(
            "IfcStair",
            f"stair/{n}{self.tag}",
            (STAIR_X0, 2000.0, 10000.0, 6000.0),
            STOREY_HEIGHT,
            code="stair",
            Name="Trappa",
            PredefinedType="HALF_TURN_STAIR",
        )
        steps = {"NumberOfRiser": 18, "NumberOfTreads": 16, "RiserHeight": 166.7, "TreadLength": 270.0}
        self.house.pset(stair, "Pset_StairCommon", steps)
        # The guard rail along the stair well is part of the stair.
        railing = self.product(
            "IfcRailing",
            f"railing/{n}{self.tag}",
            (9950.0, 2000.0, 10000.0, 6000.0),
            900.0,
            code="railing",
            inside=stair,
            Name="Trappräcke",
            PredefinedType="GUARDRAIL",
        )
        self.house.pset(railing, "Pset_RailingCommon", {"Height": 900.0, "IsExternal": False})
        self.house.aggregate(stair, [railing])
        if self.level == 0:
            self.product(
                "IfcTransportElement",
                f"lift{self.tag}",
                LIFT,
                self.house.storeys * STOREY_HEIGHT,
                code="lift",
                Name="Hiss",
                PredefinedType="ELEVATOR",
            )
            rect = (10400.0, 0.0, 11600.0, EXT)
            self.filling(
                "IfcDoor",
                f"door/entrance{self.tag}",
                rect,
                DOOR_HEIGHT,
                type_key="entrance door",
                code="door",
                Name="Entrédörr",
                OverallWidth=1200.0,
                OverallHeight=DOOR_HEIGHT,
            )
        else:
            rect = (10400.0, DEPTH - EXT, 11400.0, DEPTH)
            self.filling(
                "IfcWindow",
                f"window/{n}{self.tag}/TR",
                rect,
                1200.0,
                z=1000.0,
                type_key="window",
                code="window",
                Name="Fönster trapphus",
                OverallWidth=1000.0,
                OverallHeight=1200.0,
            )

    def apartment(self, side: str, number: str) -> None:
        n = self.level + 1
        plan = layout(number)
        separating_type = "generic" if number == UNRATED_WALL else "separating"
        separating = self.wall(
            f"wall/{n}/sep/{number}",
            mirror(SEPARATING_WALL_A, side),
            separating_type,
            "separating",
            f"{TYPES[separating_type][1].split()[0]} Lägenhetsskiljande vägg {number}",
        )
        if number == WEAK_WALL:
            self.house.pset(separating, "Pset_WallCommon", {"FireRating": "EI 30"})
        for i, rect in enumerate(plan.walls):
            self.wall(
                f"wall/{n}/int/{number}/{i}",
                mirror(rect, side),
                "internal",
                None if (number, i) == UNCLASSIFIED_WALL else "internal",
                f"IV01 Innervägg {number}",
            )
        members = {}
        for suffix, long_name, rect in plan.rooms:
            name = f"{number}-{suffix}"
            ceiling = 2350.0 if name == LOW_CEILING_SPACE else CEILING
            space = self.space(
                f"space/{number}/{suffix}", mirror(rect, side), ceiling, long_name, long_name, Name=name
            )
            x0, y0, x1, y1 = rect
            quantities = {"NetFloorArea": round((x1 - x0) * (y1 - y0) / 1e6, 2)}
            if name == NO_AREA_SPACE:
                del quantities["NetFloorArea"]
            self.house.qto(space, {**quantities, "Height": WALL_HEIGHT, "FinishCeilingHeight": ceiling})
            members[suffix] = space
        self.dwelling_spaces.extend(members.values())
        zone = self.house.root(
            "IfcZone", f"zone/{number}", Name=number, LongName=f"Lägenhet {number}", ObjectType="Lägenhet"
        )
        run("group.assign_group", self.house.f, group=zone, products=list(members.values()))
        for key, name, rect, door_type in plan.doors:
            if key == "entry" and number == PLAIN_DOOR:
                door_type = "internal door"
            placed = mirror(rect, side)
            # A door's plan spans the wall's thickness one way and the door's width the other.
            width = max(rect[2] - rect[0], rect[3] - rect[1])
            self.filling(
                "IfcDoor",
                f"door/{number}/{key}",
                placed,
                DOOR_HEIGHT,
                type_key=door_type,
                code="door",
                Name=name,
                OverallWidth=width,
                OverallHeight=DOOR_HEIGHT,
            )
        for i, (room, rect) in enumerate(plan.windows):
            placed = mirror(rect, side)
            window = self.filling(
                "IfcWindow",
                f"window/{number}/{i}",
                placed,
                WINDOW_HEIGHT,
                z=SILL,
                type_key="escape window" if room.startswith("sovrum") else "window",
                code="window",
                Name=f"Fönster {room}",
                OverallWidth=rect[2] - rect[0],
                OverallHeight=WINDOW_HEIGHT,
            )
            if (number, i) == WARM_WINDOW:
                self.house.pset(window, "Pset_WindowCommon", {"ThermalTransmittance": 1.4})
        contents: dict[str, list[Any]] = {}
        for j, (suffix, ifc_class, type_key, name, rect, height) in enumerate(plan.furniture):
            # Furniture and fittings are placed in and contained by their room, as authoring tools do.
            space = members[suffix]
            item = self.product(
                ifc_class,
                f"furniture/{number}/{j}",
                mirror(rect, side),
                height,
                type_key=type_key,
                code="sanitary" if ifc_class == "IfcSanitaryTerminal" else "furniture",
                inside=space,
                Name=name,
            )
            contents.setdefault(suffix, []).append(item)
        for suffix, items in contents.items():
            self.house.contain(members[suffix], items)

    def bound_spaces(self, above: Storey | None) -> None:
        """Space boundaries (IfcRelSpaceBoundary) wherever a wall, door or window touches a room.

        Authoring tools export them (second level boundaries without geometry here); bimcheck
        finds the windows and doors of a room through them.
        """
        h = self.house
        ceiling = self.roof if above is None else above.floor
        spaces = [e for e in self.contents if e.is_a("IfcSpace")]
        for space in spaces:
            outline = self.outlines[space.id()].buffer(1.0, join_style="mitre")
            touching = [e for e in self.bounding if outline.intersection(self.outlines[e.id()]).area > 50.0]
            for element in [self.floor, *touching, ceiling]:
                # Towards the outside or the ground: the envelope's windows, walls, doors and slabs.
                external = element.is_a("IfcWindow") or element.Name.startswith(("YV01", "BP01", "TB01"))
                external = external or element.Name == "Entrédörr"
                h.root(
                    "IfcRelSpaceBoundary",
                    f"boundary/{space.GlobalId}/{element.GlobalId}",
                    RelatingSpace=space,
                    RelatedBuildingElement=element,
                    PhysicalOrVirtualBoundary="PHYSICAL",
                    InternalOrExternalBoundary="EXTERNAL" if external else "INTERNAL",
                )


def main(argv: list[str]) -> int:
    """`make_samples.py [OUTPUT]`: write the model to OUTPUT (default samples/demo-house.ifc)."""
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    DemoHouse().build().write(str(output))
    print(f"wrote {output} ({output.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
