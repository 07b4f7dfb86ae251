"""The related facet: select or require through relations (host wall, space, windows, zone…)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import ifcopenshell

from bimcheck.rules.facets import REQUIRED, Check, Facet, Match
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

ANY, ALL, NONE = "any", "all", "none"
QUANTIFIERS = (ANY, ALL, NONE)


@dataclass(frozen=True, slots=True)
class RelatedFacet:
    """Elements related to this one (e.g. `host`, `windows`) must match facets of their own.

    `quantifier` says whether any, all or none of the related elements must match; `count`,
    when given, instead bounds how many match. A relation that cannot be determined (for
    instance when it needs geometry that failed) is UNKNOWN, never a pass.
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
        if self.count is not None:
            return f"number of {self.via} with {condition}: {self.count.describe()}"
        return f"{self.quantifier} {self.via} with {condition}"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        related = model.spatial.related(element, self.via, dict(self.arguments))
        if related is None:
            return Check(Match.UNKNOWN, "relation_unknown", f"{self.via} cannot be determined")
        matching = unknown = 0
        for other in related:
            checks = [f.check(model, other).match for f in self.where]
            if all(m is Match.PASS for m in checks):
                matching += 1
            elif any(m is Match.UNKNOWN for m in checks) and not any(
                m in (Match.FAIL, Match.ABSENT) for m in checks
            ):
                unknown += 1
        total = len(related)
        observed = f"{total} {self.via}, {matching} matching" + (
            f", {unknown} undetermined" if unknown else ""
        )
        if self.count is not None:
            outcomes = {self.count.matches(n) for n in range(matching, matching + unknown + 1)}
            if len(outcomes) > 1:
                return Check(Match.UNKNOWN, "relation_unknown", observed, matching)
            return Check(Match.PASS if outcomes.pop() else Match.FAIL, "count", observed, matching)
        if self.quantifier == ANY:
            if matching:
                return Check(Match.PASS, "ok", observed, matching)
        elif self.quantifier == ALL:
            if total - matching - unknown:
                return Check(Match.FAIL, "not_all_match", observed, matching)
            if not unknown and total:
                return Check(Match.PASS, "ok", observed, matching)
        elif matching:  # none
            return Check(Match.FAIL, "some_match", observed, matching)
        elif not unknown:
            return Check(Match.PASS, "ok", observed, matching)
        if unknown:
            return Check(Match.UNKNOWN, "relation_unknown", observed, matching)
        if not total:
            return Check(Match.ABSENT, "no_related", observed, 0)
        return Check(Match.FAIL, "none_match", observed, matching)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.spatial.candidates(self.via)
