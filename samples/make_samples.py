"""Generate samples/demo-house.ifc: a small timber multi-dwelling building with deliberate defects."""

# Run with the project venv: `.venv/bin/python samples/make_samples.py`. The output is
# byte-identical on every run (fixed GlobalIds, header timestamp and application), so the
# committed expected reports stay valid and a diff of the IFC shows real changes only.

from __future__ import annotations

import hashlib
import sys
import uuid
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid

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
STAIR_X0, STAIR_X1 = 8500.0, 11500.0
SILL = 800.0

# Deliberate defects: realistic modelling mistakes the demo report must show (samples/README.md).
WEAK_WALL = "1101"  # separating wall towards the stairwell overridden to EI 30
WARM_WINDOW = ("1202", 1)  # second living-room window: an older model, U = 1.4 W/m²K
NO_AREA_SPACE = "1102-04"  # bedroom exported without NetFloorArea
LOW_CEILING_SPACE = "1202-04"  # bedroom with a lowered ceiling for ducts: 2.35 m
PLAIN_DOOR = "1201"  # entrance door placed with the internal door type: no fire rating
UNCLASSIFIED_WALL = ("1202", 0)  # internal wall without a CoClass reference

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in plan, from the south-west corner

# Apartment A; apartment B is its mirror image on the east side.
ROOMS_A: tuple[tuple[str, str, Rect], ...] = (
    ("01", "Hall", (5500, 3500, 8200, 7000)),
    ("02", "Kök", (5500, EXT, 8200, 3500)),
    ("03", "Vardagsrum", (EXT, EXT, 5500, 5500)),
    ("04", "Sovrum", (EXT, 5595, 5500, DEPTH - EXT)),
    ("05", "Badrum", (5595, 7095, 8200, DEPTH - EXT)),
)
SEPARATING_WALL_A: Rect = (STAIR_X0 - SEP, EXT, STAIR_X0, DEPTH - EXT)
INTERNAL_WALLS_A: tuple[Rect, ...] = (
    (5500, EXT, 5500 + INT, DEPTH - EXT),  # living room, bedroom | kitchen, hall, bathroom
    (EXT, 5500, 5500, 5500 + INT),  # living room | bedroom
    (5500 + INT, 7000, STAIR_X0 - SEP, 7000 + INT),  # hall | bathroom
)
DOORS_A: tuple[tuple[str, str, Rect], ...] = (
    ("entry", "Lägenhetsdörr", (STAIR_X0 - SEP, 4500, STAIR_X0, 5500)),
    ("bedroom", "Dörr sovrum", (5500, 5900, 5500 + INT, 6800)),
    ("bathroom", "Dörr badrum", (6500, 7000, 7400, 7000 + INT)),
)
WINDOWS_A: tuple[tuple[str, Rect], ...] = (
    ("vardagsrum", (1000, 0, 2200, EXT)),
    ("vardagsrum", (3300, 0, 4500, EXT)),
    ("kök", (6300, 0, 7500, EXT)),
    ("sovrum", (2000, DEPTH - EXT, 3200, DEPTH)),
)
EXTERNAL_WALLS: tuple[tuple[str, Rect], ...] = (
    ("S", (0, 0, WIDTH, EXT)),
    ("N", (0, DEPTH - EXT, WIDTH, DEPTH)),
    ("V", (0, EXT, EXT, DEPTH - EXT)),
    ("O", (WIDTH - EXT, EXT, WIDTH, DEPTH - EXT)),
)

# CoClass references. The codes are illustrative: what the requirement sets check is that
# an element carries a CoClass reference, not which code it is.
COCLASS = {
    "ground": ("AAC", "Platta på mark"),
    "floor": ("AAD", "Bjälklag"),
    "roof": ("AAE", "Takbjälklag"),
    "external": ("GBB", "Ytterväggskonstruktion"),
    "separating": ("GBC", "Lägenhetsskiljande väggkonstruktion"),
    "internal": ("GBD", "Innerväggskonstruktion"),
    "door": ("QQA", "Dörr"),
    "window": ("QQC", "Fönster"),
    "stair": ("QBA", "Trappa"),
    "lift": ("QBB", "Hiss"),
    "Trapphus": ("ABB", "Trapphus"),
    "Hall": ("ACA", "Hall"),
    "Vardagsrum": ("ACB", "Vardagsrum"),
    "Kök": ("ACC", "Kök"),
    "Sovrum": ("ACD", "Sovrum"),
    "Badrum": ("ACE", "Badrum"),
}

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
        "D2 Innerdörr 9x21",
        "DOOR",
        "Trä",
        {"IsExternal": False, "HandicapAccessible": True},
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
}
COMMON_PSET = {"IfcWallType": "Pset_WallCommon", "IfcSlabType": "Pset_SlabCommon"}
COMMON_PSET |= {"IfcDoorType": "Pset_DoorCommon", "IfcWindowType": "Pset_WindowCommon"}

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
    """Builds the model with shared geometry resources, so the file stays small."""

    def __init__(self) -> None:
        self.f = self._new_file()
        self.labels: set[int] = set()
        self.classified: dict[tuple[str, str], list[Any]] = {}
        self.z = self.f.createIfcDirection((0.0, 0.0, 1.0))
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

    @staticmethod
    def _new_file() -> ifcopenshell.file:
        f = ifcopenshell.file(schema="IFC4")
        header = f.header.file_name
        header.name = OUTPUT.name
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

    def placement(self, relative_to: Any, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> Any:
        point = self.f.createIfcCartesianPoint((float(x), float(y), float(z)))
        return self.f.createIfcLocalPlacement(
            relative_to, self.f.createIfcAxis2Placement3D(point, None, None)
        )

    def box(self, rect: Rect, height: float) -> Any:
        """A body representation: the plan rectangle extruded upwards from the placement."""
        x0, y0, x1, y1 = rect
        centre = self.f.createIfcCartesianPoint(((x1 - x0) / 2, (y1 - y0) / 2))
        position = self.f.createIfcAxis2Placement2D(centre, None)
        profile = self.f.createIfcRectangleProfileDef("AREA", None, position, x1 - x0, y1 - y0)
        solid = self.f.createIfcExtrudedAreaSolid(profile, None, self.z, height)
        shape = self.f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", (solid,))
        return self.f.createIfcProductDefinitionShape(None, None, (shape,))

    def pset(self, target: Any, name: str, values: dict[str, Any]) -> Any:
        pset = run("pset.add_pset", self.f, product=target, name=name)
        run("pset.edit_pset", self.f, pset=pset, properties=values)
        return pset

    def qto(self, target: Any, values: dict[str, float]) -> None:
        qto = run("pset.add_qto", self.f, product=target, name="Qto_SpaceBaseQuantities")
        run("pset.edit_qto", self.f, qto=qto, properties=values)

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
        self.pset(t, COMMON_PSET[ifc_class], properties)
        return t

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
        self.pset(building, "Pset_BuildingCommon", {"NumberOfStoreys": 3, "YearOfConstruction": "2026"})
        run("aggregate.assign_object", self.f, relating_object=self.project, products=[site])
        run("aggregate.assign_object", self.f, relating_object=site, products=[building])
        dwellings: list[Any] = []
        stairwells: list[Any] = []
        for level in range(3):
            storey = self.root(
                "IfcBuildingStorey",
                f"storey/{level + 1}",
                Name=f"Plan {level + 1}",
                Elevation=level * STOREY_HEIGHT,
                ObjectPlacement=self.placement(building.ObjectPlacement, z=level * STOREY_HEIGHT),
            )
            run("aggregate.assign_object", self.f, relating_object=building, products=[storey])
            floor = Storey(self, storey, level)
            floor.build()
            dwellings.extend(floor.dwelling_spaces)
            stairwells.extend(floor.stairwell_spaces)
            spaces = [e for e in floor.contents if e.is_a("IfcSpace")]
            elements = [e for e in floor.contents if not e.is_a("IfcSpace")]
            # Spaces decompose the storey; elements are contained in it.
            run("aggregate.assign_object", self.f, relating_object=storey, products=spaces)
            run("spatial.assign_container", self.f, relating_structure=storey, products=elements)
        # One shared Pset_SpaceCommon per kind of space, as authoring tools export them.
        for spaces, public in ((dwellings, False), (stairwells, True)):
            values = {"IsExternal": False, "PubliclyAccessible": public, "HandicapAccessible": True}
            shared = self.pset(spaces[0], "Pset_SpaceCommon", values)
            run("pset.assign_pset", self.f, products=spaces[1:], pset=shared)
        coclass = run("classification.add_classification", self.f, classification="CoClass")
        for (code, name), elements in sorted(self.classified.items()):
            run(
                "classification.add_reference",
                self.f,
                products=elements,
                classification=coclass,
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
    """One storey: the stairwell in the middle and apartments A (west) and B (east)."""

    def __init__(self, house: DemoHouse, storey: Any, level: int) -> None:
        self.house = house
        self.storey = storey
        self.level = level
        self.contents: list[Any] = []
        self.dwelling_spaces: list[Any] = []
        self.stairwell_spaces: list[Any] = []

    def product(
        self,
        ifc_class: str,
        label: str,
        rect: Rect,
        height: float,
        *,
        z: float = 0.0,
        type_key: str | None = None,
        code: str | None = None,
        **attributes: Any,
    ) -> Any:
        h = self.house
        element = h.root(
            ifc_class,
            label,
            ObjectPlacement=h.placement(self.storey.ObjectPlacement, rect[0], rect[1], z),
            Representation=h.box(rect, height),
            **attributes,
        )
        self.contents.append(element)
        if type_key is not None:
            run(
                "type.assign_type",
                h.f,
                related_objects=[element],
                relating_type=h.types[type_key],
                should_map_representations=False,
            )
            element.PredefinedType = h.types[type_key].PredefinedType
        if code is not None:
            h.classified.setdefault(COCLASS[code], []).append(element)
        return element

    def build(self) -> None:
        n = self.level + 1
        slab = "ground" if self.level == 0 else "floor"
        whole = (0.0, 0.0, WIDTH, DEPTH)
        name = TYPES[slab][1]
        self.product("IfcSlab", f"slab/{n}", whole, SLAB, z=-SLAB, type_key=slab, code=slab, Name=name)
        if self.level == 2:
            name = TYPES["roof"][1]
            self.product(
                "IfcSlab", "slab/roof", whole, SLAB, z=WALL_HEIGHT, type_key="roof", code="roof", Name=name
            )
        for side, rect in EXTERNAL_WALLS:
            label, name = f"wall/{n}/ext/{side}", f"YV01 Yttervägg {side}"
            self.product("IfcWall", label, rect, WALL_HEIGHT, type_key="external", code="external", Name=name)
        self.stairwell()
        for side in ("A", "B"):
            self.apartment(side, f"{10 + self.level}{1 if side == 'A' else 2:02d}")

    def stairwell(self) -> None:
        n = self.level + 1
        space = self.product(
            "IfcSpace",
            f"space/{n}/TR",
            (STAIR_X0, EXT, STAIR_X1, DEPTH - EXT),
            WALL_HEIGHT,
            code="Trapphus",
            Name=f"TR-{n}",
            LongName="Trapphus",
            PredefinedType="INTERNAL",
        )
        self.house.qto(
            space, {"NetFloorArea": 27.6, "Height": WALL_HEIGHT, "FinishCeilingHeight": WALL_HEIGHT}
        )
        self.stairwell_spaces.append(space)
        stair = self.product(
            "IfcStair",
            f"stair/{n}",
            (STAIR_X0 + 300, 2000, STAIR_X1 - 300, 5000),
            STOREY_HEIGHT,
            code="stair",
            Name="Trappa",
            PredefinedType="HALF_TURN_STAIR",
        )
        steps = {"NumberOfRiser": 18, "NumberOfTreads": 16, "RiserHeight": 166.7, "TreadLength": 270.0}
        self.house.pset(stair, "Pset_StairCommon", steps)
        if self.level == 0:
            lift = (STAIR_X0 + 300, 6800, STAIR_X0 + 1400, 9400)
            self.product(
                "IfcTransportElement",
                "lift",
                lift,
                3 * STOREY_HEIGHT,
                code="lift",
                Name="Hiss",
                PredefinedType="ELEVATOR",
            )
            self.product(
                "IfcDoor",
                "door/entrance",
                (STAIR_X0 + 900, 0, STAIR_X0 + 2100, EXT),
                2100.0,
                type_key="entrance door",
                code="door",
                Name="Entrédörr",
                OverallWidth=1200.0,
                OverallHeight=2100.0,
            )
        else:
            self.product(
                "IfcWindow",
                f"window/{n}/TR",
                (STAIR_X0 + 1700, DEPTH - EXT, STAIR_X0 + 2700, DEPTH),
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
        separating = self.product(
            "IfcWall",
            f"wall/{n}/sep/{number}",
            mirror(SEPARATING_WALL_A, side),
            WALL_HEIGHT,
            type_key="separating",
            code="separating",
            Name=f"LSV01 Lägenhetsskiljande vägg {number}",
        )
        if number == WEAK_WALL:
            self.house.pset(separating, "Pset_WallCommon", {"FireRating": "EI 30"})
        for i, rect in enumerate(INTERNAL_WALLS_A):
            self.product(
                "IfcWall",
                f"wall/{n}/int/{number}/{i}",
                mirror(rect, side),
                WALL_HEIGHT,
                type_key="internal",
                code=None if (number, i) == UNCLASSIFIED_WALL else "internal",
                Name=f"IV01 Innervägg {number}",
            )
        members = []
        for suffix, long_name, rect in ROOMS_A:
            space = self.product(
                "IfcSpace",
                f"space/{number}/{suffix}",
                mirror(rect, side),
                CEILING,
                code=long_name,
                Name=f"{number}-{suffix}",
                LongName=long_name,
                PredefinedType="INTERNAL",
            )
            x0, y0, x1, y1 = rect
            quantities = {"NetFloorArea": round((x1 - x0) * (y1 - y0) / 1e6, 1)}
            if space.Name == NO_AREA_SPACE:
                del quantities["NetFloorArea"]
            ceiling = 2350.0 if space.Name == LOW_CEILING_SPACE else CEILING
            self.house.qto(space, {**quantities, "Height": WALL_HEIGHT, "FinishCeilingHeight": ceiling})
            members.append(space)
        self.dwelling_spaces.extend(members)
        zone = self.house.root(
            "IfcZone", f"zone/{number}", Name=number, LongName=f"Lägenhet {number}", ObjectType="Lägenhet"
        )
        run("group.assign_group", self.house.f, group=zone, products=members)
        for key, name, rect in DOORS_A:
            entry = key == "entry"
            door_type = "apartment door" if entry and number != PLAIN_DOOR else "internal door"
            self.product(
                "IfcDoor",
                f"door/{number}/{key}",
                mirror(rect, side),
                2100.0,
                type_key=door_type,
                code="door",
                Name=name,
                OverallWidth=1000.0 if entry else 900.0,
                OverallHeight=2100.0,
            )
        for i, (room, rect) in enumerate(WINDOWS_A):
            window = self.product(
                "IfcWindow",
                f"window/{number}/{i}",
                mirror(rect, side),
                1400.0,
                z=SILL,
                type_key="escape window" if room == "sovrum" else "window",
                code="window",
                Name=f"Fönster {room}",
                OverallWidth=1200.0,
                OverallHeight=1400.0,
            )
            if (number, i) == WARM_WINDOW:
                self.house.pset(window, "Pset_WindowCommon", {"ThermalTransmittance": 1.4})


def main(argv: list[str]) -> int:
    """`make_samples.py [OUTPUT]`: write the model to OUTPUT (default samples/demo-house.ifc)."""
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    DemoHouse().build().write(str(output))
    print(f"wrote {output} ({output.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
