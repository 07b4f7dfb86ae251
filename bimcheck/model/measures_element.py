"""Measures of single elements: areas, lengths, heights and volumes, from quantities or geometry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import ifcopenshell

from bimcheck.model.measures import GEOMETRY, PROPERTY, Measured, measure

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model


def quantity(model: Model, element: ifcopenshell.entity_instance, names: tuple[str, ...]) -> Measured | None:
    """The first present quantity among `Set.Name` candidates, in SI units, with its source."""
    psets = model.properties.psets(element)
    for candidate in names:
        pset_name, _, prop_name = candidate.partition(".")
        prop = psets.get(pset_name, {}).get(prop_name)
        if prop is None or not prop.values:
            continue
        value = prop.values[0]
        if isinstance(value.value, int | float) and not isinstance(value.value, bool):
            return Measured(float(value.value), value.unit, f"property: {pset_name}.{prop_name}")
    return None


@measure(
    "net_floor_area",
    unit="m2",
    applies_to=("IfcSpace",),
    description="net floor area of a space (SS 21054 BOA/BIA building block)",
)
def net_floor_area(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    if source != GEOMETRY:
        found = quantity(
            model,
            space,
            ("Qto_SpaceBaseQuantities.NetFloorArea", "BaseQuantities.NetFloorArea"),
        )
        if found is not None or source == PROPERTY:
            return found or Measured.unknown("no NetFloorArea quantity", "m2")
    return Measured.unknown("floor area from geometry is not implemented yet", "m2")
