"""Floor plans per storey from element footprints, as plain data a report can draw without the model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import ifcopenshell
import shapely
from shapely.geometry.base import BaseGeometry

from bimcheck.results import FloorPlan, PlanItem, Ring, UndrawnItem

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

# What a reader needs to find their way on a plan: rooms, walls, openings, fixed fittings.
# Slabs and coverings are left out: they would paint over everything else.
PLAN_CLASSES = (
    "IfcSpace",
    "IfcWall",
    "IfcColumn",
    "IfcCurtainWall",
    "IfcDoor",
    "IfcWindow",
    "IfcStair",
    "IfcStairFlight",
    "IfcRamp",
    "IfcRailing",
    "IfcFurnishingElement",
    "IfcSanitaryTerminal",
    "IfcFlowTerminal",
    "IfcTransportElement",
    "IfcBuildingElementProxy",
)
# Outlines are simplified to this tolerance (m) and rounded to millimetres: enough to see
# where a finding is, small enough for a report of a large model.
_SIMPLIFY = 0.005
_DIGITS = 3


def floor_plans(model: Model, also: Iterable[ifcopenshell.entity_instance] = ()) -> tuple[FloorPlan, ...]:
    """One plan per storey with the plan classes on it, plus `also` (e.g. elements with findings)."""
    elements: dict[int, ifcopenshell.entity_instance] = {}
    for cls in PLAN_CLASSES:
        for element in model.by_class_with_subtypes(cls):
            elements[element.id()] = element
    for element in also:
        elements.setdefault(element.id(), element)
    model.geometry.prefetch(list(elements.values()))
    by_storey: dict[int, list[PlanItem]] = {}
    undrawn: dict[int, list[UndrawnItem]] = {}
    storeys: dict[int, ifcopenshell.entity_instance] = {}
    for key in sorted(elements):
        element = elements[key]
        storey = model.relations.storey(element)
        if storey is None:
            continue
        shape = model.geometry.shape(element)
        if not shape.ok:
            if element.Representation is None and getattr(element, "IsDecomposedBy", None):
                continue  # an assembly (a stair of flights) is drawn by its parts
            storeys[storey.id()] = storey
            undrawn.setdefault(storey.id(), []).append(
                UndrawnItem(
                    ifc_class=element.is_a(),
                    reason=shape.error or "no usable geometry",
                    global_id=getattr(element, "GlobalId", None),
                    name=getattr(element, "Name", None),
                )
            )
            continue
        polygons = _rings(shape.footprint)
        if not polygons:
            continue
        storeys[storey.id()] = storey
        by_storey.setdefault(storey.id(), []).append(
            PlanItem(
                ifc_class=element.is_a(),
                polygons=polygons,
                global_id=getattr(element, "GlobalId", None),
                name=getattr(element, "Name", None),
            )
        )
    plans = []
    for storey_id, storey in storeys.items():
        items = by_storey.get(storey_id, [])
        elevation = getattr(storey, "Elevation", None)
        plans.append(
            FloorPlan(
                model=model.info.name,
                storey=model.storey_name(storey) or storey.GlobalId,
                elevation=None
                if elevation is None
                else round(float(elevation) * model.units.length_scale, 3),
                items=tuple(items),
                undrawn=tuple(undrawn.get(storey_id, ())),
            )
        )
    plans.sort(key=lambda p: (p.elevation if p.elevation is not None else float("inf"), p.storey))
    return tuple(plans)


def _rings(geometry: BaseGeometry) -> tuple[tuple[Ring, ...], ...]:
    simplified = shapely.simplify(geometry, _SIMPLIFY, preserve_topology=True)
    out = []
    for polygon in getattr(simplified, "geoms", [simplified]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        rings = (polygon.exterior, *polygon.interiors)
        out.append(tuple(_ring(r.coords) for r in rings))
    return tuple(out)


def _ring(coords: Iterable[tuple[float, ...]]) -> Ring:
    return tuple((round(c[0], _DIGITS), round(c[1], _DIGITS)) for c in coords)
