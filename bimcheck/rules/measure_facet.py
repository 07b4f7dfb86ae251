"""The measure facet: a value derived from quantities or geometry, compared in SI units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import ifcopenshell

from bimcheck.model.measures import AUTO, MEASURES, Measured
from bimcheck.rules.facets import REQUIRED, Check, Match
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model


def format_number(value: float, unit: str | None) -> str:
    """A measured value as people read it: at most four decimals, no float noise."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


@dataclass(frozen=True, slots=True)
class MeasureFacet:
    """A measure (e.g. net_floor_area, clear_width) that must be determinable and within a range.

    A measure that cannot be determined is never a pass: it gives Match.UNKNOWN with the
    reason, which the engine reports as not_evaluable.
    """

    measure: str
    value: ValueSpec | None = None
    source: str = AUTO
    arguments: tuple[tuple[str, str], ...] = ()
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "measure"

    @property
    def unit(self) -> str | None:
        definition = MEASURES.get(self.measure)
        return definition.unit if definition else None

    def describe(self) -> str:
        args = "".join(f", {k}={v}" for k, v in self.arguments)
        how = f" from {self.source}" if self.source != AUTO else ""
        target = f"{self.measure}{args}{how}"
        if self.value is None:
            return f"{target} is determinable"
        unit = f" {self.unit}" if self.unit else ""
        return f"{target} {_as_condition(self.value)}{unit}"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        measured = model.measures.get(element, self.measure, self.source, dict(self.arguments))
        # Elements measuring the same (the doors of one type) share one Check, judged once;
        # the engine knows an outcome it has seen by its Check's identity. The value's class
        # and repr are in the key as 1.0 and True, 0.0 and -0.0 are equal but read differently.
        value = measured.value
        state = ("measured", measured, value.__class__, repr(value))
        return model.outcome(self, state, lambda: self._judge(measured))

    def _judge(self, measured: Measured) -> Check:
        if measured.value is None:
            reason = measured.reason or "cannot be determined"
            return Check(
                Match.UNKNOWN, "not_determinable", f"{self.measure} unknown: {reason}", None, measured.unit
            )
        observed = f"{self.measure} = {format_number(measured.value, measured.unit)}"
        if measured.source:
            observed += f" ({measured.source})"
        match = Match.PASS if self.value is None or self.value.matches(measured.value) else Match.FAIL
        reason = "ok" if match is Match.PASS else "out_of_range"
        return Check(match, reason, observed, measured.value, measured.unit, measured.source)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        definition = MEASURES[self.measure]
        out: list[ifcopenshell.entity_instance] = []
        for cls in definition.applies_to:
            out.extend(model.by_class_with_subtypes(cls))
        return out


def _as_condition(value: ValueSpec) -> str:
    """`= 7`, `>= 7`, `one of [..]` — a value spec phrased as a condition on a number."""
    text = value.describe()
    return f"= {text}" if value.simple is not None else text
