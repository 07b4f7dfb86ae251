"""Measures that combine an element with related ones, e.g. the glazed area of a room."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import ifcopenshell

from bimcheck.model.measures import GEOMETRY, MEASURES, PROPERTY, Measured, measure

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model
    from bimcheck.model.spatial import Relation

# How the windows (doors) of a room are found: `method` auto | relationships | geometry and
# the adjacency `tolerance` in metres (see bimcheck.model.spatial).
RELATION_ARGUMENTS = ("method", "tolerance")
# Windows named in the reason a room's glazed area is unknown; more are counted.
_NAMED = 3


def _windows(
    model: Model, space: ifcopenshell.entity_instance, cls: str, args: Mapping[str, str]
) -> Relation:
    wanted = {k: v for k, v in args.items() if k in RELATION_ARGUMENTS}
    return model.spatial.relate(space, "windows" if cls == "IfcWindow" else "doors", wanted)


def _name(element: ifcopenshell.entity_instance) -> str:
    return str(getattr(element, "Name", None) or getattr(element, "GlobalId", None) or f"#{element.id()}")


def _relation_kind(relation: Relation) -> str:
    """`geometry` when any of it was measured, `relation` when the model's relationships said it."""
    return GEOMETRY if "geometr" in relation.method else "relation"


@measure(
    "room_glazed_area",
    unit="m2",
    applies_to=("IfcSpace",),
    description="glazed area of all windows of a room (BBR 6:322 daylight, rule of thumb)",
    arguments=RELATION_ARGUMENTS,
)
def room_glazed_area(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    """Σ glazed_area of the room's windows; a room without windows has 0 m²."""
    windows = _windows(model, space, "IfcWindow", args)
    if windows.elements is None:
        return Measured.unknown(
            f"its windows cannot be determined by {windows.method}: {windows.reason}", "m2"
        )
    if "glazed_area" not in MEASURES:
        return Measured.unknown("the window measure glazed_area is not available", "m2")
    total = 0.0
    unknown: list[str] = []
    kinds = {GEOMETRY} if _relation_kind(windows) == GEOMETRY else set()
    for window in windows.elements:
        glazed = model.measures.get(window, "glazed_area", source)
        if glazed.value is None:
            unknown.append(f"{_name(window)}: {glazed.reason or 'unknown'}")
            continue
        total += glazed.value
        if glazed.source:
            kinds.add(glazed.source.split(":")[0])
    if unknown:
        named = "; ".join(unknown[:_NAMED]) + ("; …" if len(unknown) > _NAMED else "")
        return Measured.unknown(
            f"glazed area unknown for {len(unknown)} of {len(windows.elements)} window(s) ({named})", "m2"
        )
    kind = GEOMETRY if GEOMETRY in kinds else PROPERTY
    n = len(windows.elements)
    return Measured(total, "m2", f"{kind}: glazed_area of {n} window(s) by {windows.method}")


@measure(
    "glazing_ratio",
    unit="",
    applies_to=("IfcSpace",),
    description="room glazed area / net floor area (BBR 6:322 rule of thumb: at least 0.10)",
    arguments=RELATION_ARGUMENTS,
)
def glazing_ratio(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    glazed = model.measures.get(space, "room_glazed_area", source, args)
    floor = model.measures.get(space, "net_floor_area", source)
    missing = [
        f"{name} unknown: {m.reason or 'unknown'}"
        for name, m in (("room_glazed_area", glazed), ("net_floor_area", floor))
        if m.value is None
    ]
    if missing:
        return Measured.unknown("; ".join(missing), "")
    assert glazed.value is not None
    assert floor.value is not None
    if floor.value <= 0:
        return Measured.unknown(f"net floor area is {floor.value:g} m2", "")
    kinds = {(m.source or PROPERTY).split(":")[0] for m in (glazed, floor)}
    kind = GEOMETRY if GEOMETRY in kinds else PROPERTY
    return Measured(
        glazed.value / floor.value,
        "",
        f"{kind}: room_glazed_area ({glazed.source}) / net_floor_area ({floor.source})",
    )


def _count(model: Model, space: ifcopenshell.entity_instance, cls: str, args: Mapping[str, str]) -> Measured:
    related = _windows(model, space, cls, args)
    if related.elements is None:
        return Measured.unknown(f"cannot be determined by {related.method}: {related.reason}", "")
    return Measured(float(len(related.elements)), "", f"{_relation_kind(related)}: {related.method}")


@measure(
    "window_count",
    unit="",
    applies_to=("IfcSpace",),
    description="number of windows of a room (space boundaries, else geometric adjacency)",
    arguments=RELATION_ARGUMENTS,
)
def window_count(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    return _count(model, space, "IfcWindow", args)


@measure(
    "door_count",
    unit="",
    applies_to=("IfcSpace",),
    description="number of doors of a room (space boundaries, else geometric adjacency)",
    arguments=RELATION_ARGUMENTS,
)
def door_count(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    return _count(model, space, "IfcDoor", args)


@measure(
    "dwelling_count",
    unit="",
    applies_to=("IfcProduct",),
    description="number of dwellings an element belongs to or borders (a wall between two: 2)",
    arguments=("property",),
)
def dwelling_count(
    model: Model, element: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    prop = args.get("property") or None
    if not model.spatial.dwellings_recorded(prop):
        missing = (
            f"no space carries {prop}" if prop else "the model groups no spaces in IfcZone/IfcSpatialZone"
        )
        return Measured.unknown(f"the model records no dwellings: {missing}", "")
    labels = model.spatial.dwelling_labels(element, prop)
    if labels is None:
        return Measured.unknown("the element's spaces cannot be determined", "")
    by = f"property {prop}" if prop else "IfcZone/IfcSpatialZone"
    return Measured(float(len(labels)), "", f"relation: dwellings by {by}")
