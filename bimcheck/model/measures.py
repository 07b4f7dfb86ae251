"""Measures: values derived from properties or geometry, in SI units, with where they came from.

Every measure is registered here by name with the classes it applies to, the sources it can
use and the arguments it takes; requirement files can only name registered measures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ifcopenshell

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

AUTO = "auto"
PROPERTY = "property"
GEOMETRY = "geometry"
SOURCES = (AUTO, PROPERTY, GEOMETRY)


@dataclass(frozen=True, slots=True)
class Measured:
    """A measured value in SI units and its source, or None with the reason it is unknown.

    `source` reads `property: Qto_SpaceBaseQuantities.NetFloorArea` or `geometry: <method>`.
    """

    value: float | None
    unit: str | None = None
    source: str | None = None
    reason: str | None = None

    @staticmethod
    def unknown(reason: str, unit: str | None = None) -> Measured:
        return Measured(None, unit, None, reason)


Compute = Callable[["Model", ifcopenshell.entity_instance, str, Mapping[str, str]], Measured]


@dataclass(frozen=True, slots=True)
class MeasureDef:
    """A registered measure: name, unit, the IFC classes it applies to and how it is computed."""

    name: str
    unit: str
    applies_to: tuple[str, ...]
    description: str
    sources: tuple[str, ...]
    compute: Compute
    arguments: tuple[str, ...] = ()


MEASURES: dict[str, MeasureDef] = {}


def measure(
    name: str,
    *,
    unit: str,
    applies_to: tuple[str, ...],
    description: str,
    sources: tuple[str, ...] = (PROPERTY, GEOMETRY),
    arguments: tuple[str, ...] = (),
) -> Callable[[Compute], Compute]:
    """Register a measure; refuses a name registered twice."""

    def register(compute: Compute) -> Compute:
        if name in MEASURES:
            raise ValueError(f"measure {name!r} is registered twice")
        MEASURES[name] = MeasureDef(name, unit, applies_to, description, sources, compute, arguments)
        return compute

    return register


class MeasureCache:
    """Measured values per element, computed once per model."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self._cache: dict[tuple[int, str, str, tuple[tuple[str, str], ...]], Measured] = {}
        self._classes: dict[tuple[str, str], bool] = {}

    def get(
        self,
        element: ifcopenshell.entity_instance,
        name: str,
        source: str = AUTO,
        arguments: Mapping[str, str] | None = None,
    ) -> Measured:
        """The measure of an element; unknown (with the reason) when it cannot be determined."""
        definition = MEASURES.get(name)
        if definition is None:
            raise KeyError(f"unknown measure {name!r}")
        args = tuple(sorted(arguments.items())) if arguments else ()
        key = (element.id(), name, source, args)
        cached = self._cache.get(key)
        if cached is None:
            if not self._applies(element, definition):
                cached = Measured.unknown(
                    f"{name} is defined for {', '.join(definition.applies_to)}, not {element.is_a()}",
                    definition.unit,
                )
            elif source != AUTO and source not in definition.sources:
                cached = Measured.unknown(f"{name} cannot be taken from {source}", definition.unit)
            else:
                cached = definition.compute(self._model, element, source, dict(args))
            self._cache[key] = cached
        return cached

    def _applies(self, element: ifcopenshell.entity_instance, definition: MeasureDef) -> bool:
        """Whether the measure applies to the element's class, decided once per class (is_a
        with a class name costs twice what is_a() does)."""
        key = (element.is_a(), definition.name)
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = any(element.is_a(cls) for cls in definition.applies_to)
        return found


# The modules that register measures, by topic; imported last because they use `measure`.
from bimcheck.model import measures_element, measures_spatial, predicates  # noqa: E402, F401
