"""Measures of single elements: areas, lengths, heights and volumes, from quantities or geometry."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import ifcopenshell
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bimcheck.model.geometry import Shape, intersection
from bimcheck.model.measures import GEOMETRY, PROPERTY, Measured, measure

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

LENGTH, AREA, VOLUME = "m", "m2", "m3"

# The floor is cut this far (m) above the lowest point of a space body: at floor level, but
# clear of the floor face itself so the cut never runs along it.
FLOOR_CUT = 0.01

# Names a clear (free passage) width is declared under, in any property set, compared without
# case, spaces, hyphens or underscores. IFC has no standard one (bSI IFC4.x issue #88 proposes
# ClearWidth); these are the English and Swedish names seen in practice.
CLEAR_WIDTH_NAMES = (
    "ClearWidth",
    "ClearOpeningWidth",
    "ClearPassageWidth",
    "FriBredd",
    "FriPassage",
    "FriPassagebredd",
    "FrittPassagemått",
    "FriPassagemått",
)

# Panel operations whose leaf stands in the opening when open at 90°; a sliding leaf does not.
# Unknown or unusual operations count as swinging: the smaller clear width is the safe side.
_NOT_IN_OPENING = ("SLIDING",)
_FIXED = ("FIXEDPANEL",)


@lru_cache(maxsize=4096)  # once per property name, not once per element and name
def _normalised(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name).casefold()


_CLEAR_WIDTH_KEYS = {_normalised(n) for n in CLEAR_WIDTH_NAMES}


# --- declared values -----------------------------------------------------------------------


def quantity(
    model: Model,
    element: ifcopenshell.entity_instance,
    names: Iterable[str],
    unit: str | None = None,
) -> Measured | None:
    """The first present numeric value among `Set.Name` candidates, in SI units, with its source
    (unknown, with the reason, if that value is a negative length, area or volume).

    With `unit`, only values in that SI unit count: a length typed as a plain number
    (IfcReal) could be in millimetres and is not taken as metres.
    """
    names = tuple(names)
    sets = {n.partition(".")[0] for n in names}
    props = {n.partition(".")[2] for n in names}
    psets = model.properties.psets(element, sets.__contains__, props.__contains__)
    for candidate in names:
        pset_name, _, prop_name = candidate.partition(".")
        prop = psets.get(pset_name, {}).get(prop_name)
        if prop is None or not prop.values:
            continue
        value = prop.values[0]
        if not isinstance(value.value, int | float) or isinstance(value.value, bool):
            continue
        if unit is not None and value.unit != unit:
            continue
        if not math.isfinite(float(value.value)):
            continue
        if value.unit in (LENGTH, AREA, VOLUME) and value.value < 0:
            # A length, area or volume below zero is no measurement (IFC's quantities require
            # >= 0): summed into a total it would silently cancel other elements' areas.
            return Measured.unknown(
                f"{pset_name}.{prop_name} is negative ({float(value.value):g} {value.unit})", value.unit
            )
        return Measured(float(value.value), value.unit, f"property: {pset_name}.{prop_name}")
    return None


def qto_sets(element: ifcopenshell.entity_instance) -> tuple[str, ...]:
    """Quantity set names an element's base quantities are exported under, most specific first.

    IFC4 names them Qto_<Class>BaseQuantities; IFC2X3 exporters (Revit, ArchiCAD) write
    `BaseQuantities`.
    """
    name = element.is_a()[3:]
    for suffix in ("StandardCase", "ElementedCase"):
        name = name.removesuffix(suffix)
    special = {
        "BuildingElementProxy": "Qto_BuildingElementProxyQuantities",
        "CurtainWall": "Qto_CurtainWallQuantities",
        "FurnishingElement": "Qto_FurnitureBaseQuantities",
    }
    return (special.get(name, f"Qto_{name}BaseQuantities"), "BaseQuantities")


def _set_quantity(
    model: Model, element: ifcopenshell.entity_instance, names: tuple[str, ...], unit: str
) -> Measured | None:
    """A base quantity by name: first in the element's own quantity sets, then in any Qto_ set."""
    sets = qto_sets(element)
    found = quantity(model, element, [f"{s}.{n}" for n in names for s in sets], unit)
    if found is not None:
        return found
    others = [s for s in model.properties.psets(element) if s.startswith("Qto_") and s not in sets]
    return quantity(model, element, [f"{s}.{n}" for n in names for s in sorted(others)], unit)


def _attribute(model: Model, element: ifcopenshell.entity_instance, name: str) -> object:
    """An attribute read by its position (None if the class has no such attribute): by name it
    costs several times as much, and this is read once per door or window."""
    info = model.schema.attributes(element.is_a()).get(name)
    return None if info is None else element.get_argument(info.index)


def length_attribute(model: Model, element: ifcopenshell.entity_instance, name: str) -> Measured | None:
    """A length attribute (e.g. IfcDoor.OverallWidth) in metres, if set and positive."""
    value = getattr(element, name, None)
    if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
        return None
    return Measured(float(value) * model.units.length_scale, LENGTH, f"property: {element.is_a()}.{name}")


def optional_number(args: Mapping[str, str], name: str) -> float | None:
    """A numeric measure argument, if given; a malformed one is an error in the requirement file."""
    raw = args.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"argument {name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"argument {name} must be a non-negative number, not {raw!r}")
    return value


def number_argument(args: Mapping[str, str], name: str, default: float) -> float:
    """A numeric measure argument, or its default."""
    value = optional_number(args, name)
    return default if value is None else value


# --- geometry helpers ----------------------------------------------------------------------


def body(model: Model, element: ifcopenshell.entity_instance) -> Shape | str:
    """The element's shape, or the reason there is no usable one."""
    shape = model.geometry.shape(element)
    if not shape.ok:
        return f"no usable geometry: {shape.error or 'empty body'}"
    return shape


@dataclass(frozen=True, slots=True)
class Floor:
    """A space's floor: its plan at floor level, the floor height and how the plan was found."""

    plan: BaseGeometry
    z: float
    method: str


def space_floor(model: Model, space: ifcopenshell.entity_instance) -> Floor | str:
    """The floor of a space from its body, or the reason it has none."""

    def compute() -> Floor | str:
        shape = body(model, space)
        if isinstance(shape, str):
            return shape
        plan = shape.section(shape.zmin + FLOOR_CUT)
        if not plan.is_empty and plan.area > 0:
            return Floor(plan, shape.zmin, "floor-level section of the space body")
        # An open surface model cannot be cut into areas; its plan projection is the next best.
        plan = shape.footprint
        if plan.is_empty or plan.area <= 0:
            return "the space body has no floor area"
        return Floor(plan, shape.zmin, "plan projection of the space body (not a closed solid)")

    return model.geometry.derived(("floor", space.id()), compute)


def storey_height(model: Model, storey: ifcopenshell.entity_instance) -> tuple[float, str] | None:
    """A storey's height in world metres: its placement (as geometry is placed), else Elevation."""
    placement = model.geometry.placement(storey)
    if placement is not None:
        return float(placement[2, 3]), "storey placement"
    elevation = getattr(storey, "Elevation", None)
    if isinstance(elevation, int | float):
        return float(elevation) * model.units.length_scale, "IfcBuildingStorey.Elevation"
    return None


def width_axis(model: Model, element: ifcopenshell.entity_instance) -> np.ndarray | None:
    """The horizontal direction of a door's or window's width: its placement's X axis."""
    placement = model.geometry.placement(element)
    if placement is None:
        return None
    axis = np.array(placement[:3, 0], dtype=float)
    axis[2] = 0.0
    norm = float(np.linalg.norm(axis))
    return axis / norm if norm > 1e-9 else None


def _overlap(plan: BaseGeometry, other: BaseGeometry) -> float:
    if plan.is_empty or other.is_empty:
        return 0.0
    return float(intersection(plan, other).area)


# --- spaces --------------------------------------------------------------------------------


@measure(
    "net_floor_area",
    unit=AREA,
    applies_to=("IfcSpace",),
    description="net floor area of a space (SS 21054 BOA/BIA building block)",
)
def net_floor_area(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        # Revit's own room Area (Dimensions.Area, PSet_Revit_Dimensions.Area) is not taken:
        # in the Duplex sample it is 9 % larger than the room's body (a GSA area rule).
        found = quantity(
            model, space, ("Qto_SpaceBaseQuantities.NetFloorArea", "BaseQuantities.NetFloorArea"), AREA
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no NetFloorArea quantity", AREA)
    floor = space_floor(model, space)
    if isinstance(floor, str):
        return Measured.unknown(floor, AREA)
    # Nothing is subtracted: the space body is already bounded by the enclosing walls, and
    # what stands on the floor (columns inside, furniture) does not reduce a net floor area.
    return Measured(float(floor.plan.area), AREA, f"geometry: area of the {floor.method}")


@measure(
    "gross_floor_area",
    unit=AREA,
    applies_to=("IfcSpace",),
    description="gross floor area of a space, including what stands inside it (columns, inner walls)",
)
def gross_floor_area(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = quantity(
            model, space, ("Qto_SpaceBaseQuantities.GrossFloorArea", "BaseQuantities.GrossFloorArea"), AREA
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no GrossFloorArea quantity", AREA)
    floor = space_floor(model, space)
    if isinstance(floor, str):
        return Measured.unknown(floor, AREA)
    outer = sum(shapely.Polygon(p.exterior).area for p in getattr(floor.plan, "geoms", [floor.plan]))
    return Measured(
        float(outer), AREA, f"geometry: area inside the outer boundary of the {floor.method} (holes included)"
    )


@measure(
    "perimeter",
    unit=LENGTH,
    applies_to=("IfcSpace",),
    description="perimeter of a space's floor",
)
def perimeter(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = quantity(
            model,
            space,
            (
                "Qto_SpaceBaseQuantities.NetPerimeter",
                "Qto_SpaceBaseQuantities.GrossPerimeter",
                "BaseQuantities.NetPerimeter",
                "BaseQuantities.GrossPerimeter",
            ),
            LENGTH,
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no NetPerimeter or GrossPerimeter quantity", LENGTH)
    floor = space_floor(model, space)
    if isinstance(floor, str):
        return Measured.unknown(floor, LENGTH)
    return Measured(float(floor.plan.length), LENGTH, f"geometry: boundary length of the {floor.method}")


@measure(
    "height",
    unit=LENGTH,
    applies_to=("IfcSpace",),
    description="height of a space (base quantity Height; from geometry the height of its body)",
)
def height(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = quantity(
            model,
            space,
            ("Qto_SpaceBaseQuantities.Height", "BaseQuantities.Height", "BaseQuantities.NominalHeight"),
            LENGTH,
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no Height quantity", LENGTH)
    shape = body(model, space)
    if isinstance(shape, str):
        return Measured.unknown(shape, LENGTH)
    return Measured(shape.zmax - shape.zmin, LENGTH, "geometry: height of the space body (top − bottom)")


@measure(
    "clear_height",
    unit=LENGTH,
    applies_to=("IfcSpace",),
    description="clear height of a space, finished floor to finished ceiling",
)
def clear_height(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        # IFC4 names it FinishCeilingHeight (from the top of the flooring); IFC2X3 ClearHeight.
        found = quantity(
            model,
            space,
            (
                "Qto_SpaceBaseQuantities.FinishCeilingHeight",
                "BaseQuantities.FinishCeilingHeight",
                "BaseQuantities.ClearHeight",
            ),
            LENGTH,
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no FinishCeilingHeight or ClearHeight quantity", LENGTH)
    floor = space_floor(model, space)
    shape = body(model, space)
    if isinstance(floor, str) or isinstance(shape, str):
        return Measured.unknown(floor if isinstance(floor, str) else str(shape), LENGTH)
    floor_z, floor_how = _finished_floor(model, space, floor, shape)
    ceiling = _lowest_ceiling(model, floor, shape, floor_z)
    if ceiling is not None:
        return Measured(
            ceiling - floor_z,
            LENGTH,
            f"geometry: lowest ceiling covering over the space − {floor_how}",
        )
    return Measured(
        shape.zmax - floor_z,
        LENGTH,
        f"geometry: top of the space body − {floor_how} (no ceiling covering over the space)",
    )


# Coverings must overlap a space's floor by this share of its area to count as over it:
# a neighbour's ceiling reaching into the wall must not set this room's height.
_COVERING_OVERLAP = 0.05
# A flooring covering belongs to this space's floor if its top is at most this far above it.
_FLOORING_REACH = 0.3


def _coverings(model: Model, kind: str) -> list[ifcopenshell.entity_instance]:
    return [c for c in model.by_class_with_subtypes("IfcCovering") if kind in model.predefined_types(c)]


def _finished_floor(
    model: Model, space: ifcopenshell.entity_instance, floor: Floor, shape: Shape
) -> tuple[float, str]:
    """Height of the finished floor: the body's bottom plus FinishFloorHeight, or the top of
    the flooring laid on it, or the body's bottom."""
    declared = quantity(
        model,
        space,
        ("Qto_SpaceBaseQuantities.FinishFloorHeight", "BaseQuantities.FinishFloorHeight"),
        LENGTH,
    )
    if declared is not None and declared.value is not None:
        named = (declared.source or "").removeprefix("property: ")
        return floor.z + declared.value, f"(bottom of the space body + {named})"
    tops = []
    for covering in _coverings(model, "FLOORING"):
        covered = model.geometry.shape(covering)
        if not covered.ok or not (floor.z - 0.01 <= covered.zmax <= floor.z + _FLOORING_REACH):
            continue
        if _overlap(floor.plan, covered.footprint) >= _COVERING_OVERLAP * floor.plan.area:
            tops.append(covered.zmax)
    if tops:
        return max(max(tops), floor.z), "top of the flooring covering"
    return floor.z, "bottom of the space body"


def _lowest_ceiling(model: Model, floor: Floor, shape: Shape, floor_z: float) -> float | None:
    """Bottom of the lowest ceiling covering over the floor, within the space's height."""
    bottoms = []
    for covering in _coverings(model, "CEILING"):
        covered = model.geometry.shape(covering)
        if not covered.ok or not (floor_z < covered.zmin <= shape.zmax + 0.05):
            continue
        if _overlap(floor.plan, covered.footprint) >= _COVERING_OVERLAP * floor.plan.area:
            bottoms.append(covered.zmin)
    return min(bottoms) if bottoms else None


# --- doors and windows ---------------------------------------------------------------------


def _overall(
    model: Model,
    element: ifcopenshell.entity_instance,
    source: str,
    attribute: str,
    quantity_name: str,
) -> Measured:
    if source != GEOMETRY:
        found = length_attribute(model, element, attribute) or _set_quantity(
            model, element, (quantity_name,), LENGTH
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown(
                f"no {attribute} attribute and no {quantity_name} quantity", LENGTH
            )
    shape = body(model, element)
    if isinstance(shape, str):
        return Measured.unknown(shape, LENGTH)
    if attribute == "OverallHeight":
        return Measured(shape.zmax - shape.zmin, LENGTH, "geometry: height of the body")
    axis = width_axis(model, element)
    if axis is None:
        return Measured.unknown("no placement to tell the width direction from", LENGTH)
    along = shape.vertices @ axis
    return Measured(
        float(along.max() - along.min()),
        LENGTH,
        "geometry: extent of the body along its width axis (placement X; includes frame and trim)",
    )


@measure(
    "overall_width",
    unit=LENGTH,
    applies_to=("IfcDoor", "IfcWindow"),
    description="overall width of a door or window (OverallWidth, else quantity Width, else geometry)",
)
def overall_width(
    model: Model, element: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    return _overall(model, element, source, "OverallWidth", "Width")


@measure(
    "overall_height",
    unit=LENGTH,
    applies_to=("IfcDoor", "IfcWindow"),
    description="overall height of a door or window (OverallHeight, else quantity Height, else geometry)",
)
def overall_height(
    model: Model, element: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    return _overall(model, element, source, "OverallHeight", "Height")


def predefined_sets(
    model: Model, element: ifcopenshell.entity_instance, cls: str
) -> list[ifcopenshell.entity_instance]:
    """An element's predefined property sets of a class (e.g. IfcDoorLiningProperties),
    its own (IFC4) before its type's, whatever the exporter named them."""
    found: dict[int, ifcopenshell.entity_instance] = {}
    for rel in getattr(element, "IsDefinedBy", None) or ():
        if rel.is_a("IfcRelDefinesByProperties"):
            definition = rel.RelatingPropertyDefinition
            for d in definition if isinstance(definition, tuple) else (definition,):
                if d is not None and d.is_a(cls):
                    found.setdefault(d.id(), d)
    type_object = model.type_of(element)
    for d in getattr(type_object, "HasPropertySets", None) or ():
        if d.is_a(cls):
            found.setdefault(d.id(), d)
    return list(found.values())


def _declared_clear_width(model: Model, door: ifcopenshell.entity_instance) -> Measured | None:
    """The smallest clear width declared under a known name in any property set (in metres)."""
    found: list[Measured] = []
    for pset_name, props in sorted(model.properties.psets(door).items()):
        for name in sorted(props):
            if _normalised(name) in _CLEAR_WIDTH_KEYS:
                value = quantity(model, door, [f"{pset_name}.{name}"], LENGTH)
                if value is not None:
                    found.append(value)
    return min(found, key=lambda m: m.value or 0.0) if found else None


def _lining_clear_width(model: Model, door: ifcopenshell.entity_instance) -> Measured | None:
    """Clear width from the door's lining and panel properties, at 90° opening.

    Between the linings: overall width − 2 × LiningThickness. With panel properties, the
    widest leaf that opens (PanelWidth is its share of the width between the linings;
    leaves without one share what is left equally) minus its thickness (PanelDepth) when
    the open leaf stands in the opening: one leaf of a double door opened alone.
    """
    linings = [
        d for d in predefined_sets(model, door, "IfcDoorLiningProperties") if d.LiningThickness is not None
    ]
    overall = length_attribute(model, door, "OverallWidth") or _set_quantity(model, door, ("Width",), LENGTH)
    if not linings or overall is None or overall.value is None:
        return None
    scale = model.units.length_scale
    lining = float(linings[0].LiningThickness) * scale
    between = overall.value - 2 * lining
    width_source = (overall.source or "").removeprefix("property: ")
    how = f"{width_source} − 2 × IfcDoorLiningProperties.LiningThickness"
    panels = [
        p for p in predefined_sets(model, door, "IfcDoorPanelProperties") if p.PanelOperation not in _FIXED
    ]
    if not panels:
        return Measured(between, LENGTH, f"property: {how} (no panel properties: leaf not deducted)")
    declared = [float(p.PanelWidth) for p in panels if p.PanelWidth is not None]
    undeclared = len(panels) - len(declared)
    rest = max(0.0, 1.0 - sum(declared)) / undeclared if undeclared else 0.0
    best: tuple[float, str] | None = None
    for panel in panels:
        share = float(panel.PanelWidth) if panel.PanelWidth is not None else rest
        leaf = 0.0
        leaf_how = ""
        if panel.PanelOperation not in _NOT_IN_OPENING:
            if panel.PanelDepth is not None:
                leaf = float(panel.PanelDepth) * scale
                leaf_how = " − IfcDoorPanelProperties.PanelDepth"
            else:
                leaf_how = " (leaf thickness not declared: not deducted)"
        width = between * share - leaf
        share_how = "" if len(panels) == 1 and share == 1.0 else f" × PanelWidth {share:.3g}"
        if best is None or width > best[0]:
            best = (width, f"property: ({how}){share_how}{leaf_how}")
    assert best is not None
    return Measured(max(best[0], 0.0), LENGTH, best[1])


@measure(
    "clear_width",
    unit=LENGTH,
    applies_to=("IfcDoor",),
    description=(
        "clear passage width of a door at 90° opening: a declared clear width, else lining and panel"
        " properties, else the overall width less a deduction the requirement states"
    ),
    sources=(PROPERTY,),
    arguments=("deduction",),
)
def clear_width(
    model: Model, door: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    deduction = optional_number(args, "deduction")
    # The width follows from the door's own property sets, its type (whose lining and panel
    # sets it inherits), its class (naming its quantity set), its OverallWidth and the
    # deduction: the doors of one type share these, so it is worked out once per type and
    # width, not once per door (a twentieth of the work on a block of 1 460 doors).
    own_sets = model.properties.state(door)
    type_object = model.type_of(door)
    state = (
        own_sets,
        0 if type_object is None else type_object.id(),
        door.is_a(),
        _attribute(model, door, "OverallWidth"),
        deduction,
    )
    return model.outcome(clear_width, state, lambda: _clear_width(model, door, deduction))


def _clear_width(model: Model, door: ifcopenshell.entity_instance, deduction: float | None) -> Measured:
    found = _declared_clear_width(model, door) or _lining_clear_width(model, door)
    if found is not None:
        return found
    overall = length_attribute(model, door, "OverallWidth") or _set_quantity(model, door, ("Width",), LENGTH)
    if overall is not None and overall.value is not None and deduction is not None:
        return Measured(
            max(overall.value - deduction, 0.0),
            LENGTH,
            f"{overall.source} − {deduction:g} m (deduction stated by the requirement for frame and leaf)",
        )
    # The door's geometry gives its overall size, an upper bound: frame, stop and the open
    # leaf all narrow the passage, and reporting the bound could pass a door that is too narrow.
    bound = (
        f" (overall width {overall.value:.3f} m is only an upper bound)" if overall and overall.value else ""
    )
    return Measured.unknown(
        "no clear width declared (a ClearWidth/FriBredd property or IfcDoorLiningProperties)" + bound,
        LENGTH,
    )


@measure(
    "glazed_area",
    unit=AREA,
    applies_to=("IfcWindow",),
    description="glazed area of a window (GlazingAreaFraction × area, else the glass panes' geometry)",
)
def glazed_area(
    model: Model, window: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        # What is declared follows from the window's property sets (its own and its type's),
        # its class (naming its quantity set) and its overall size: the windows of one type
        # share these, so it is worked out once per type and size.
        state = (
            model.properties.state(window),
            window.is_a(),
            _attribute(model, window, "OverallWidth"),
            _attribute(model, window, "OverallHeight"),
        )
        found = model.outcome(_declared_glazed_area, state, lambda: _declared_glazed_area(model, window))
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no GlazingAreaFraction with a window area", AREA)
    shape = body(model, window)
    if isinstance(shape, str):
        return Measured.unknown(shape, AREA)
    glass = shape.glass_area()
    if glass is None:
        return Measured.unknown("no glass in the window's geometry (no transparent surface style)", AREA)
    return Measured(glass, AREA, "geometry: glass faces (transparent surface style) seen face-on")


def _declared_glazed_area(model: Model, window: ifcopenshell.entity_instance) -> Measured | None:
    psets = model.properties.psets(window)
    # Pset_WindowCommon first; exporters (Revit) also write the standard name in their own sets.
    sets = ["Pset_WindowCommon", *sorted(s for s in psets if s != "Pset_WindowCommon")]
    fraction = None
    for pset_name in sets:
        found = quantity(model, window, [f"{pset_name}.GlazingAreaFraction"])
        if found is not None and found.value is not None and 0.0 <= found.value <= 1.0:
            fraction = found
            break
    if fraction is None or fraction.value is None:
        return None
    area = _set_quantity(model, window, ("Area",), AREA)
    area_how = (area.source or "").removeprefix("property: ") if area else ""
    if area is None or area.value is None:
        width = length_attribute(model, window, "OverallWidth")
        height_ = length_attribute(model, window, "OverallHeight")
        if width is None or height_ is None or width.value is None or height_.value is None:
            return None
        area = Measured(width.value * height_.value, AREA)
        area_how = "IfcWindow.OverallWidth × OverallHeight"
    assert area.value is not None
    fraction_how = (fraction.source or "").removeprefix("property: ")
    return Measured(fraction.value * area.value, AREA, f"property: {fraction_how} × {area_how}")


@measure(
    "sill_height",
    unit=LENGTH,
    applies_to=("IfcWindow",),
    description="height of a window's bottom above its storey's elevation",
    sources=(GEOMETRY,),
)
def sill_height(
    model: Model, window: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    shape = body(model, window)
    if isinstance(shape, str):
        return Measured.unknown(shape, LENGTH)
    storey = model.relations.storey(window)
    if storey is None:
        return Measured.unknown("the window is on no storey", LENGTH)
    level = storey_height(model, storey)
    if level is None:
        return Measured.unknown("its storey has neither a placement nor an elevation", LENGTH)
    return Measured(
        shape.zmin - level[0], LENGTH, f"geometry: bottom of the window − storey elevation ({level[1]})"
    )


# --- any element ---------------------------------------------------------------------------


@measure(
    "volume",
    unit=VOLUME,
    applies_to=("IfcElement", "IfcSpace"),
    description="volume of an element (NetVolume, else GrossVolume, else its closed body)",
)
def volume(
    model: Model, element: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = _set_quantity(model, element, ("NetVolume", "GrossVolume", "Volume"), VOLUME)
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no NetVolume or GrossVolume quantity", VOLUME)
    shape = body(model, element)
    if isinstance(shape, str):
        return Measured.unknown(shape, VOLUME)
    if not shape.is_closed:
        return Measured.unknown("the body is not a closed shell, so it encloses no defined volume", VOLUME)
    return Measured(shape.volume, VOLUME, "geometry: volume enclosed by the closed body")


@measure(
    "footprint_area",
    unit=AREA,
    applies_to=("IfcElement",),
    description="area of an element's plan projection (GrossFootprintArea, else geometry)",
)
def footprint_area(
    model: Model, element: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = _set_quantity(model, element, ("GrossFootprintArea", "NetFootprintArea"), AREA)
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no GrossFootprintArea or NetFootprintArea quantity", AREA)
    shape = body(model, element)
    if isinstance(shape, str):
        return Measured.unknown(shape, AREA)
    return Measured(float(shape.footprint.area), AREA, "geometry: area of the plan projection of the body")


@measure(
    "wall_thickness",
    unit=LENGTH,
    applies_to=("IfcWall",),
    description="thickness of a wall (base quantity Width, else its material layers, else geometry)",
)
def wall_thickness(
    model: Model, wall: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = _set_quantity(model, wall, ("Width",), LENGTH) or _layer_thickness(model, wall)
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no Width quantity and no material layer set", LENGTH)
    shape = body(model, wall)
    if isinstance(shape, str):
        return Measured.unknown(shape, LENGTH)
    return _thickness_of_plan(shape.footprint)


def _layer_thickness(model: Model, element: ifcopenshell.entity_instance) -> Measured | None:
    """Total thickness of the material layer set of an element or its type."""
    for owner in (element, model.type_of(element)):
        for rel in getattr(owner, "HasAssociations", None) or ():
            if not rel.is_a("IfcRelAssociatesMaterial"):
                continue
            material = rel.RelatingMaterial
            if material.is_a("IfcMaterialLayerSetUsage"):
                material = material.ForLayerSet
            if material is not None and material.is_a("IfcMaterialLayerSet") and material.MaterialLayers:
                total = sum(float(layer.LayerThickness or 0.0) for layer in material.MaterialLayers)
                if total > 0:
                    return Measured(
                        total * model.units.length_scale,
                        LENGTH,
                        "property: IfcMaterialLayerSet (sum of LayerThickness)",
                    )
    return None


def _thickness_of_plan(plan: BaseGeometry) -> Measured:
    if plan.is_empty:
        return Measured.unknown("the wall's body has no plan", LENGTH)
    rectangle = shapely.minimum_rotated_rectangle(plan)
    if rectangle.area > 0 and plan.area >= 0.97 * rectangle.area:
        corners = np.array(rectangle.exterior.coords)[:3]
        sides = np.linalg.norm(np.diff(corners, axis=0), axis=1)
        return Measured(
            float(sides.min()), LENGTH, "geometry: short side of the straight wall's plan (minimum rectangle)"
        )
    # A bent or joined wall: the largest circle in its plan is its thickness where straight,
    # and somewhat more at corners.
    radius = shapely.maximum_inscribed_circle(plan, 0.0005).length
    return Measured(
        2 * float(radius), LENGTH, "geometry: largest inscribed circle of the wall's plan (not straight)"
    )


@measure(
    "storey_elevation",
    unit=LENGTH,
    applies_to=("IfcBuildingStorey",),
    description="elevation of a building storey (its Elevation attribute, else its placement)",
)
def storey_elevation(
    model: Model, storey: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        elevation = getattr(storey, "Elevation", None)
        if isinstance(elevation, int | float) and not isinstance(elevation, bool):
            return Measured(
                float(elevation) * model.units.length_scale, LENGTH, "property: IfcBuildingStorey.Elevation"
            )
        if source == PROPERTY:
            return Measured.unknown("no Elevation attribute", LENGTH)
    placement = model.geometry.placement(storey)
    if placement is None:
        return Measured.unknown("the storey has no placement", LENGTH)
    return Measured(float(placement[2, 3]), LENGTH, "geometry: height of the storey's placement")
