"""The related facet: select or require through relations (host wall, space, windows, zone…)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import ifcopenshell

from bimcheck.rules.facets import REQUIRED, Check, Facet, Match, satisfied
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model
    from bimcheck.model.spatial import Relation

ANY, ALL, NONE = "any", "all", "none"
QUANTIFIERS = (ANY, ALL, NONE)
# Related elements named in the observed text; more are counted, not named.
_NAMED = 5


@dataclass(frozen=True, slots=True)
class RelatedFacet:
    """Elements related to this one (e.g. `host`, `windows`) must match facets of their own.

    `quantifier` says whether any, all or none of the related elements must match; `count`,
    when given, instead bounds how many match. `all` over no related elements is ABSENT, not
    a vacuous pass (an optional facet tolerates it). A relation that cannot be determined, or
    a related element whose own facets cannot be decided where that changes the outcome, is
    UNKNOWN, never a pass. The observed text says which method found the related elements.
    """

    via: str
    where: tuple[Facet, ...] = ()
    quantifier: str = ANY
    count: ValueSpec | None = None
    arguments: tuple[tuple[str, str], ...] = ()
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "related"

    def describe(self) -> str:
        condition = " and ".join(f.describe() for f in self.where) or "any element"
        args = "".join(f", {k}={v}" for k, v in self.arguments)
        via = f"{self.via} ({args.removeprefix(', ')})" if args else self.via
        if self.count is not None:
            return f"number of {via} with {condition}: {self.count.describe()}"
        return f"{self.quantifier} {via} with {condition}"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        relation = model.spatial.relate(element, self.via, dict(self.arguments))
        # What the facet finds follows from what the relation found, not from the element
        # itself: elements related to the very same ones (the rooms of one dwelling, the doors
        # in one wall) share one Check, judged once.
        found = relation.elements
        key = (relation.method, relation.reason, None if found is None else tuple([e.id() for e in found]))
        judged = _memo(model, self, _JUDGED)
        check = judged.get(key)
        if check is None:
            check = judged[key] = self._judge(model, relation)
        return check

    def _judge(self, model: Model, relation: Relation) -> Check:
        if relation.elements is None:
            return Check(
                Match.UNKNOWN,
                "relation_unknown",
                f"{self.via} cannot be determined by {relation.method}: {relation.reason}",
            )
        related = relation.elements
        matching: list[ifcopenshell.entity_instance] = []
        unknown = 0
        # A `where` facet's outcome on a related element is kept: a room is reached from each
        # of its walls and doors, a wall from each door in it.
        where = [(f, _memo(model, f, _WHERE)) for f in self.where]
        for other in related:
            key = other.id()
            checks = []
            for f, known in where:
                check = known.get(key)
                if check is None:
                    check = known[key] = f.check(model, other)
                checks.append((f, check))
            if all(satisfied(f.cardinality, c) for f, c in checks):
                matching.append(other)
            elif not any(c.match is not Match.UNKNOWN and not satisfied(f.cardinality, c) for f, c in checks):
                unknown += 1  # nothing contradicts it, but something could not be decided
        total, n = len(related), len(matching)
        observed = f"{total} {self.via} by {relation.method}"
        if self.where:
            observed += f", {n} matching"
            shown = matching
        else:
            shown = related
        if shown:
            names = ", ".join(_name(model, e) for e in shown[:_NAMED])
            observed += f" ({names}{', …' if len(shown) > _NAMED else ''})"
        if unknown:
            observed += f", {unknown} undetermined"
        if self.count is not None:
            outcomes = {self.count.matches(k) for k in range(n, n + unknown + 1)}
            if len(outcomes) > 1:
                return Check(Match.UNKNOWN, "relation_unknown", observed, n)
            return Check(Match.PASS if outcomes.pop() else Match.FAIL, "count", observed, n)
        if self.quantifier == ANY:
            if n:
                return Check(Match.PASS, "ok", observed, n)
        elif self.quantifier == ALL:
            if total - n - unknown:
                return Check(Match.FAIL, "not_all_match", observed, n)
            if not unknown and total:
                return Check(Match.PASS, "ok", observed, n)
        elif n:  # none
            return Check(Match.FAIL, "some_match", observed, n)
        elif not unknown:
            return Check(Match.PASS, "ok", observed, n)
        if unknown:
            return Check(Match.UNKNOWN, "relation_unknown", observed, n)
        if not total:
            return Check(Match.ABSENT, "no_related", observed, 0)
        return Check(Match.FAIL, "none_match", observed, n)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        # When the facet needs at least one matching related element, only elements that can
        # have one are candidates, which relationship indexes give cheaply.
        nonempty = self.quantifier in (ANY, ALL) if self.count is None else not self.count.matches(0)
        return model.spatial.candidates(self.via, nonempty=nonempty)


# What a facet's memo on a model holds: a related facet's Checks by what its relation found,
# or a `where` facet's Checks by the step id of the related element.
_JUDGED, _WHERE = "related: judged", "related: where"


def _memo(model: Model, facet: object, kind: str) -> dict[object, Check]:
    """A facet's memo of one kind, kept with the model (as long as the model's other outcomes)."""
    return model.outcome(facet, kind, dict)


def _name(model: Model, element: ifcopenshell.entity_instance) -> str:
    # The name and GlobalId as read once per element for the reports (model.identity).
    global_id, _, key, name, _ = model.identity(element)
    return name if name else str(global_id or f"#{key}")
