"""Aggregates and key figures: count, sum, min, max, mean and ratio over a selection, per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ifcopenshell

from bimcheck.model.measures import AUTO, MEASURES
from bimcheck.results import KeyFigure, Status
from bimcheck.rules.facets import Facet, Match
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

FUNCTIONS = ("count", "sum", "min", "max", "mean", "ratio")
# Group keys: a fixed word, or `property:<Set>.<Name>` / `classification:<System>`.
GROUP_WORDS = ("storey", "zone", "class", "name", "long_name", "predefined_type")
NO_GROUP = "(none)"


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A key figure over the applicable elements, optionally grouped and bounded.

    `ratio` divides the part of the selection that matches `where` by the whole selection:
    summed `measure` values when a measure is named, element counts otherwise.
    """

    function: str
    measure: str | None = None
    source: str = AUTO
    arguments: tuple[tuple[str, str], ...] = ()
    where: tuple[Facet, ...] = ()
    group_by: str | None = None
    value: ValueSpec | None = None
    name: str | None = None

    @property
    def unit(self) -> str | None:
        if self.function in ("count", "ratio") or self.measure is None:
            return None
        definition = MEASURES.get(self.measure)
        return definition.unit if definition else None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        of = f"({self.measure})" if self.measure else "(elements)"
        if self.function == "ratio":
            condition = " and ".join(f.describe() for f in self.where) or "all"
            of = f"({self.measure or 'count'} where {condition})"
        return f"{self.function}{of}"

    def describe(self) -> str:
        per = f" per {self.group_by}" if self.group_by else ""
        bound = f" {self.value.describe()}" if self.value is not None else " (key figure)"
        return f"{self.label}{per}{bound}"


def group_key(model: Model, element: ifcopenshell.entity_instance, group_by: str | None) -> str:
    """The group an element falls in; `(none)` when it has no value for the grouping."""
    if group_by is None:
        return "all"
    value: object = None
    if group_by == "storey":
        value = model.storey_name(element)
    elif group_by == "zone":
        zones = model.spatial.related(element, "zone", {})
        value = ", ".join(sorted(str(z.Name or z.GlobalId) for z in zones)) if zones else None
    elif group_by == "class":
        value = element.is_a()
    elif group_by in ("name", "long_name"):
        value = getattr(element, "Name" if group_by == "name" else "LongName", None)
    elif group_by == "predefined_type":
        types = model.predefined_types(element)
        value = types[0] if types else None
    elif group_by.startswith("property:"):
        pset, _, prop = group_by.removeprefix("property:").partition(".")
        found = model.properties.psets(element, lambda n: n == pset).get(pset, {}).get(prop)
        value = found.values[0].value if found is not None and found.values else None
    elif group_by.startswith("classification:"):
        system = group_by.removeprefix("classification:")
        codes = [r.codes[0] for r in model.classifications.of(element) if r.system == system and r.codes]
        value = codes[0] if codes else None
    else:
        raise ValueError(f"unknown grouping {group_by!r}")
    return NO_GROUP if value is None or value == "" else str(value)


def evaluate(
    model: Model, aggregate: Aggregate, elements: Sequence[ifcopenshell.entity_instance]
) -> tuple[tuple[KeyFigure, ...], Status, str]:
    """Key figures per group, the requirement status they give, and a one-line message."""
    groups: dict[str, list[ifcopenshell.entity_instance]] = {}
    for element in elements:
        groups.setdefault(group_key(model, element, aggregate.group_by), []).append(element)
    if aggregate.group_by is None and not groups:
        groups["all"] = []
    figures = tuple(_figure(model, aggregate, key, members) for key, members in sorted(groups.items()))
    statuses = {f.status for f in figures}
    if Status.FAIL in statuses:
        failing = sum(1 for f in figures if f.status is Status.FAIL)
        return (
            figures,
            Status.FAIL,
            f"{failing} of {len(figures)} key figure(s) outside {_bound(aggregate)}",
        )
    if Status.NOT_EVALUABLE in statuses:
        return figures, Status.NOT_EVALUABLE, "some values could not be determined"
    if aggregate.value is None:
        return figures, Status.NOT_APPLICABLE, "key figure reported without a threshold"
    return figures, Status.PASS, f"all {len(figures)} key figure(s) within {aggregate.value.describe()}"


def _bound(aggregate: Aggregate) -> str:
    return aggregate.value.describe() if aggregate.value is not None else "its bound"


def _figure(
    model: Model, aggregate: Aggregate, group: str, members: list[ifcopenshell.entity_instance]
) -> KeyFigure:
    unit = aggregate.unit
    group_label = None if aggregate.group_by is None else group
    args = dict(aggregate.arguments)

    def measured(element: ifcopenshell.entity_instance) -> float | None:
        assert aggregate.measure is not None
        value = model.measures.get(element, aggregate.measure, aggregate.source, args).value
        return None if value is None else float(value)

    unknown = 0
    sources: set[str] = set()
    if aggregate.function == "count":
        value: float | None = float(len(members))
    elif aggregate.function == "ratio":
        part = [e for e in members if all(f.check(model, e).match is Match.PASS for f in aggregate.where)]
        if aggregate.measure is None:
            value = len(part) / len(members) if members else None
        else:
            totals = [measured(e) for e in members]
            unknown = sum(1 for v in totals if v is None)
            whole = sum(v for v in totals if v is not None)
            share = sum(v for v in (measured(e) for e in part) if v is not None)
            value = share / whole if whole and not unknown else None
    else:
        values = [measured(e) for e in members]
        unknown = sum(1 for v in values if v is None)
        known = [v for v in values if v is not None]
        if unknown or not known:
            value = None
        elif aggregate.function == "sum":
            value = sum(known)
        elif aggregate.function == "min":
            value = min(known)
        elif aggregate.function == "max":
            value = max(known)
        else:
            value = sum(known) / len(known)
    if aggregate.measure is not None:
        for element in members[:50]:  # enough to say where values came from
            source = model.measures.get(element, aggregate.measure, aggregate.source, args).source
            if source:
                sources.add(source.split(":")[0])
    source = ", ".join(sorted(sources)) or None
    expected = aggregate.value.describe() if aggregate.value is not None else None
    if value is None:
        reason = f"{unknown} of {len(members)} value(s) could not be determined" if unknown else "no values"
        status = Status.NOT_EVALUABLE if unknown or aggregate.value is not None else Status.NOT_APPLICABLE
        return KeyFigure(
            aggregate.label, None, status, unit, group_label, len(members), expected, source, reason
        )
    if aggregate.value is None:
        status = Status.NOT_APPLICABLE
    else:
        status = Status.PASS if aggregate.value.matches(float(value)) else Status.FAIL
    return KeyFigure(aggregate.label, float(value), status, unit, group_label, len(members), expected, source)
