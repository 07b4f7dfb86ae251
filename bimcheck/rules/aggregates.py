"""Aggregates and key figures: count, sum, min, max, mean and ratio over a selection, per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import ifcopenshell

from bimcheck.model.measures import AUTO, MEASURES, Measured
from bimcheck.results import Finding, KeyFigure, Status
from bimcheck.rules.facets import Facet, Match, satisfied
from bimcheck.rules.measure_facet import format_number
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

FUNCTIONS = ("count", "sum", "min", "max", "mean", "ratio")
# Group keys: a fixed word, or `property:<Set>.<Name>` / `classification:<System>` /
# `dwelling:<Set>.<Name>` (dwellings as the spaces sharing that property's value).
GROUP_WORDS = ("storey", "zone", "dwelling", "class", "name", "long_name", "predefined_type")
GROUP_PREFIXES = ("property:", "classification:", "dwelling:")
NO_GROUP = "(none)"
UNDETERMINED_GROUP = "(undetermined)"
# Elements named in a key figure's message about values that could not be determined.
_NAMED = 3


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A key figure over the applicable elements, optionally grouped and bounded.

    - count: the number of elements (of those matching `where`), or with `distinct` the
      number of different values of a grouping key among them (e.g. `dwelling`: dwellings);
    - sum, min, max, mean: of `measure` over the elements (matching `where`); the sum of no
      elements is 0, the others of no elements have no value;
    - ratio: the part of the selection matching `where` divided by the whole, as summed
      `measure` values or, without a measure, as element counts; with a `denominator`
      measure, Σ measure (of the part) / Σ denominator (of the whole), e.g. glazed area over
      floor area per dwelling.

    A value that cannot be determined is never skipped: the figure is then not evaluable and
    says how many values were unknown and which.
    """

    function: str
    measure: str | None = None
    source: str = AUTO
    arguments: tuple[tuple[str, str], ...] = ()
    where: tuple[Facet, ...] = ()
    group_by: str | None = None
    value: ValueSpec | None = None
    name: str | None = None
    distinct: str | None = None
    denominator: str | None = None

    @property
    def unit(self) -> str | None:
        if self.function in ("count", "ratio") or self.measure is None:
            return None
        definition = MEASURES.get(self.measure)
        return definition.unit or None if definition else None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.function == "ratio":
            part = self.measure or "count"
            if self.where:
                part += " where " + " and ".join(f.describe() for f in self.where)
            return f"ratio({part} / {self.denominator or self.measure or 'count'})"
        if self.distinct:
            return f"count(distinct {self.distinct})"
        of = f"({self.measure})" if self.measure else "(elements)"
        return f"{self.function}{of}"

    def describe(self) -> str:
        per = f" per {self.group_by}" if self.group_by else ""
        bound = f" {self.value.describe()}" if self.value is not None else " (key figure)"
        return f"{self.label}{per}{bound}"


def check_group_key(key: str) -> str:
    """The key if it is a grouping bimcheck knows; ValueError naming the choices otherwise."""
    if key in GROUP_WORDS:
        return key
    for prefix in GROUP_PREFIXES:
        rest = key.removeprefix(prefix)
        if rest != key and rest.strip() and (prefix == "classification:" or "." in rest.strip(".")):
            return key
    raise ValueError(
        f"grouping {key!r} is not one of {', '.join(GROUP_WORDS)}, property:<Set>.<Name>, "
        "classification:<System> or dwelling:<Set>.<Name>"
    )


def group_keys(model: Model, element: ifcopenshell.entity_instance, group_by: str | None) -> tuple[str, ...]:
    """The groups an element falls in: usually one; a door between two dwellings is in both;
    `(none)` when it has no value for the grouping, `(undetermined)` when that cannot be told."""
    if group_by is None:
        return ("all",)
    check_group_key(group_by)
    values: list[object] = []
    if group_by == "storey":
        values = [model.storey_name(element)]
    elif group_by == "zone":
        zones = model.spatial.related(element, "zone") or []
        # The rooms of one dwelling share their zones: their groups are made once.
        known: dict[tuple[int, ...], tuple[str, ...]] = model.outcome(group_keys, "zone groups", dict)
        ids = tuple([z.id() for z in zones])
        groups = known.get(ids)
        if groups is None:
            groups = known[ids] = _keys([_zone_label(z) for z in zones])
        return groups
    elif group_by == "dwelling" or group_by.startswith("dwelling:"):
        prop = group_by.removeprefix("dwelling:") if group_by != "dwelling" else None
        labels = model.spatial.dwelling_labels(element, prop)
        if labels is None:  # its rooms cannot be told: it may belong to any dwelling
            return (UNDETERMINED_GROUP,)
        values = list(labels)
    elif group_by == "class":
        values = [element.is_a()]
    elif group_by in ("name", "long_name"):
        values = [getattr(element, "Name" if group_by == "name" else "LongName", None)]
    elif group_by == "predefined_type":
        types = model.predefined_types(element)
        values = [types[0] if types else None]
    elif group_by.startswith("property:"):
        pset, _, prop_name = group_by.removeprefix("property:").partition(".")
        found = model.properties.psets(element, lambda n: n == pset).get(pset, {}).get(prop_name)
        values = [found.values[0].value if found is not None and found.values else None]
    else:  # classification:<System>
        system = group_by.removeprefix("classification:")
        values = [r.codes[0] for r in model.classifications.of(element) if r.system == system and r.codes]
    return _keys(values)


def _keys(values: Sequence[object]) -> tuple[str, ...]:
    keys = sorted({str(v) for v in values if v is not None and v != ""})
    return tuple(keys) or (NO_GROUP,)


def group_key(model: Model, element: ifcopenshell.entity_instance, group_by: str | None) -> str:
    """The groups of an element as one label."""
    return ", ".join(group_keys(model, element, group_by))


def _zone_label(zone: ifcopenshell.entity_instance) -> str:
    return str(zone.Name or getattr(zone, "LongName", None) or zone.GlobalId)


def _all_groups(model: Model, group_by: str | None) -> list[str]:
    """Groups that exist in the model whether or not the selection reaches them, so that a
    storey without windows or a dwelling without a bedroom shows up with a count of 0."""
    if group_by == "storey":
        return [
            str(s.Name or s.LongName or s.GlobalId) for s in model.by_class_with_subtypes("IfcBuildingStorey")
        ]
    if group_by == "zone":
        return [
            _zone_label(z) for cls in ("IfcZone", "IfcSpatialZone") for z in model.by_class_with_subtypes(cls)
        ]
    if group_by == "dwelling" or (group_by or "").startswith("dwelling:"):
        prop = None if group_by == "dwelling" else (group_by or "").removeprefix("dwelling:")
        return model.spatial.dwelling_names(prop)
    return []


def evaluate(
    model: Model,
    aggregate: Aggregate,
    elements: Sequence[ifcopenshell.entity_instance],
    undecided: Sequence[ifcopenshell.entity_instance] = (),
) -> tuple[tuple[KeyFigure, ...], Status, str]:
    """Key figures per group, the requirement status they give, and a one-line message.

    `undecided` are elements of which it is unknown whether they belong to the selection:
    the figures of the groups they would fall in cannot be determined.
    """
    groups: dict[str, list[ifcopenshell.entity_instance]] = {
        key: [] for key in _all_groups(model, aggregate.group_by)
    }
    for element in elements:
        for key in group_keys(model, element, aggregate.group_by):
            groups.setdefault(key, []).append(element)
    doubtful: dict[str, list[str]] = {}
    for element in undecided:
        for key in group_keys(model, element, aggregate.group_by):
            groups.setdefault(key, [])
            doubtful.setdefault(key, []).append(f"{_name(element)}: cannot tell whether it is selected")
    if aggregate.group_by is None:
        groups.setdefault("all", [])
    figures = tuple(
        _figure(model, aggregate, key, members, doubtful.get(key, ()))
        for key, members in sorted(groups.items())
    )
    statuses = [f.status for f in figures]
    if Status.FAIL in statuses:
        failing = statuses.count(Status.FAIL)
        return figures, Status.FAIL, f"{failing} of {len(figures)} key figure(s) outside {_bound(aggregate)}"
    if Status.NOT_EVALUABLE in statuses:
        unknown = [f for f in figures if f.status is Status.NOT_EVALUABLE]
        first = unknown[0]
        where = f"{first.group}: " if first.group is not None else ""
        more = f" (and {len(unknown) - 1} more key figure(s))" if len(unknown) > 1 else ""
        return (
            figures,
            Status.NOT_EVALUABLE,
            f"{aggregate.label} cannot be determined: {where}{first.message}{more}",
        )
    if aggregate.value is None:
        return figures, Status.NOT_APPLICABLE, "key figure reported without a threshold"
    judged = statuses.count(Status.PASS)
    if not judged:
        return figures, Status.NOT_APPLICABLE, "no key figure has elements to judge"
    return figures, Status.PASS, f"{judged} key figure(s) within {aggregate.value.describe()}"


def _bound(aggregate: Aggregate) -> str:
    return aggregate.value.describe() if aggregate.value is not None else "its bound"


@dataclass(slots=True)
class _Tally:
    """What a figure was computed from: values, the elements whose value was unknown and why."""

    unknown: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)

    def value(self, element: ifcopenshell.entity_instance, measured: Measured) -> float | None:
        if measured.value is None:
            self.unknown.append(f"{_name(element)}: {measured.reason or 'unknown'}")
            return None
        if measured.source:
            self.sources.add(measured.source.split(":")[0])
        return float(measured.value)


def _name(element: ifcopenshell.entity_instance) -> str:
    name = getattr(element, "Name", None)
    return f"{element.is_a()} {name or getattr(element, 'GlobalId', None) or '#' + str(element.id())}"


def _measure(
    model: Model, aggregate: Aggregate, element: ifcopenshell.entity_instance, name: str
) -> Measured:
    return model.measures.get(element, name, aggregate.source, dict(aggregate.arguments))


def _where(
    model: Model, aggregate: Aggregate, members: list[ifcopenshell.entity_instance], tally: _Tally
) -> list[ifcopenshell.entity_instance] | None:
    """Members matching `where`; None (with the undecided ones in the tally) if any is undecided."""
    part = []
    for element in members:
        checks = [(f, f.check(model, element)) for f in aggregate.where]
        if all(satisfied(f.cardinality, c) for f, c in checks):
            part.append(element)
        elif not any(c.match is not Match.UNKNOWN and not satisfied(f.cardinality, c) for f, c in checks):
            reason = next(c.observed or f.describe() for f, c in checks if c.match is Match.UNKNOWN)
            tally.unknown.append(f"{_name(element)}: cannot tell whether it counts ({reason})")
    return None if tally.unknown else part


def _compute(
    model: Model, aggregate: Aggregate, members: list[ifcopenshell.entity_instance], tally: _Tally
) -> float | None:
    """The figure's value; None when a contributing value is unknown (listed in the tally) or
    the function has no value over what is there."""
    function = aggregate.function
    if function == "ratio":
        part = _where(model, aggregate, members, tally)
        numerator = aggregate.measure
        denominator = aggregate.denominator or aggregate.measure
        if part is None:
            return None
        if numerator is None or denominator is None:
            return len(part) / len(members) if members else None
        in_part = {e.id() for e in part}
        whole = share = 0.0
        for element in members:
            bottom = tally.value(element, _measure(model, aggregate, element, denominator))
            whole += bottom or 0.0
            if element.id() in in_part:
                top = bottom if numerator == denominator else None
                if numerator != denominator:
                    top = tally.value(element, _measure(model, aggregate, element, numerator))
                share += top or 0.0
        if tally.unknown or not members:
            return None
        if whole == 0:
            tally.unknown.append(f"the {denominator} of the whole selection sums to 0")
            return None
        return share / whole
    selected = _where(model, aggregate, members, tally) if aggregate.where else members
    if selected is None:
        return None
    if function == "count":
        if aggregate.distinct is None:
            return float(len(selected))
        labels = {k for e in selected for k in group_keys(model, e, aggregate.distinct) if k != NO_GROUP}
        return float(len(labels))
    assert aggregate.measure is not None, f"{function} needs a measure"
    values = [tally.value(e, _measure(model, aggregate, e, aggregate.measure)) for e in selected]
    known = [v for v in values if v is not None]
    if tally.unknown:
        return None
    if function == "sum":
        return float(sum(known))
    if not known:
        return None
    if function == "min":
        return min(known)
    if function == "max":
        return max(known)
    return sum(known) / len(known)


def _figure(
    model: Model,
    aggregate: Aggregate,
    group: str,
    members: list[ifcopenshell.entity_instance],
    doubtful: Sequence[str] = (),
) -> KeyFigure:
    tally = _Tally()
    value = _compute(model, aggregate, members, tally)
    if doubtful:
        tally.unknown.extend(doubtful)
        value = None
    total = len(members) + len(doubtful)
    group_label = None if aggregate.group_by is None else group
    expected = aggregate.value.describe() if aggregate.value is not None else None
    source = ", ".join(sorted(tally.sources)) or None
    unit = aggregate.unit
    if group == UNDETERMINED_GROUP:
        return KeyFigure(
            aggregate.label,
            None,
            Status.NOT_EVALUABLE,
            unit,
            group,
            total,
            expected,
            source,
            f"the {aggregate.group_by} of {total} element(s) cannot be determined, so the figures of "
            "the groups they belong to may be short",
        )
    if aggregate.group_by is not None and group == NO_GROUP:
        # Elements outside every group (the stairwell when grouping by dwelling) are shown,
        # but a threshold per group does not apply to them.
        outside = f"not in any {aggregate.group_by}: reported, not judged"
        if tally.unknown:
            outside += f"; {len(tally.unknown)} of {total} value(s) could not be determined"
        return KeyFigure(
            aggregate.label,
            value,
            Status.NOT_APPLICABLE,
            unit,
            group,
            total,
            expected,
            source,
            outside,
        )
    if value is None:
        if tally.unknown:
            named = "; ".join(tally.unknown[:_NAMED]) + ("; …" if len(tally.unknown) > _NAMED else "")
            reason = f"{len(tally.unknown)} of {total} value(s) could not be determined ({named})"
            status = Status.NOT_EVALUABLE
        else:
            reason = f"no elements to take the {aggregate.function} of"
            status = Status.NOT_APPLICABLE
        return KeyFigure(aggregate.label, None, status, unit, group_label, total, expected, source, reason)
    if aggregate.value is None:
        status = Status.NOT_APPLICABLE
    else:
        status = Status.PASS if aggregate.value.matches(value) else Status.FAIL
    return KeyFigure(aggregate.label, value, status, unit, group_label, total, expected, source)


def contribution(model: Model, aggregate: Aggregate, element: ifcopenshell.entity_instance) -> Finding:
    """What one element contributes to a key figure: counted, a measured value, or unknown."""
    if aggregate.where:
        checks = [(f, f.check(model, element)) for f in aggregate.where]
        if any(c.match is Match.UNKNOWN for _, c in checks):
            undecided = next(c.observed for _, c in checks if c.match is Match.UNKNOWN)
            return Finding(
                "aggregate",
                Status.NOT_EVALUABLE,
                "where_unknown",
                f"cannot tell whether it counts: {undecided}",
                expected=" and ".join(f.describe() for f in aggregate.where),
                observed=undecided,
            )
        in_part = all(satisfied(f.cardinality, c) for f, c in checks)
        if not in_part and aggregate.function != "ratio":
            return Finding("aggregate", Status.PASS, "not_counted", "not counted: does not match where")
    else:
        in_part = True
    names: list[str] = [aggregate.measure] if aggregate.measure else []
    if aggregate.function == "ratio" and aggregate.denominator:
        names = ([aggregate.measure] if in_part and aggregate.measure else []) + [aggregate.denominator]
    if not names:
        counted = "counted" if in_part else "counted in the whole only"
        return Finding("aggregate", Status.PASS, "counted", counted)
    values: list[tuple[str, Measured]] = []
    for name in dict.fromkeys(names):
        measured = _measure(model, aggregate, element, name)
        if measured.value is None:
            return model.outcome(
                aggregate, ("unknown", name, measured), partial(_not_determinable, name, measured)
            )
        values.append((name, measured))
    # Elements contributing the same values (the rooms of one size) share one finding, made
    # once; the repr of each value is in the key, as 0.0 and -0.0 are equal but read differently.
    state = ("contributes", in_part, tuple((n, m, repr(m.value)) for n, m in values))
    return model.outcome(aggregate, state, lambda: _contributes(values, in_part))


def _not_determinable(name: str, measured: Measured) -> Finding:
    return Finding(
        "measure",
        Status.NOT_EVALUABLE,
        "not_determinable",
        f"{name} unknown: {measured.reason}",
        expected=f"{name} is determinable",
        unit=measured.unit or None,
    )


def _contributes(values: list[tuple[str, Measured]], in_part: bool) -> Finding:
    text = "; ".join(f"{n} = {format_number(m.value or 0.0, m.unit or None)}" for n, m in values)
    first = values[0][1]
    scope = "" if in_part else " (to the whole only)"
    return Finding(
        "measure",
        Status.PASS,
        "contributes",
        f"contributes {text}{scope}",
        observed=text,
        value=first.value,
        unit=first.unit or None,
        source=first.source,
    )
