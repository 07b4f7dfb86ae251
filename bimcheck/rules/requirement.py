"""The internal requirement model that IDS files and bimcheck YAML both compile to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bimcheck.results import Kind, Regulation, RuleSourceInfo, Severity
from bimcheck.rules.aggregates import Aggregate
from bimcheck.rules.facets import REQUIRED, Facet


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement: which elements it applies to, what they must satisfy, and its metadata.

    `cardinality` is the IDS specification cardinality: required (at least one element must
    apply), optional (none need apply) or prohibited (none may apply).
    """

    id: str
    title: str
    applicability: tuple[Facet, ...]
    requirements: tuple[Facet, ...] = ()
    cardinality: str = REQUIRED
    ifc_versions: tuple[str, ...] = ()
    description: str | None = None
    instructions: str | None = None
    kind: Kind = Kind.MANDATORY
    severity: Severity = Severity.ERROR
    weight: float | None = None
    regulation: Regulation | None = None
    verification: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    # bimcheck extensions (YAML only): a key figure computed over the applicable elements,
    # and requirements that cannot be decided from a model and are listed for manual review.
    aggregate: Aggregate | None = None
    manual: bool = False
    # YAML only: why it is asked (also in `description`, labelled, for every report), and the
    # parameters its text uses, so that a requirement appendix can state the values in force.
    motive: str | None = None
    parameters: tuple[str, ...] = ()

    def applicability_text(self) -> tuple[str, ...]:
        return tuple(f.describe() for f in self.applicability)

    def requirement_text(self) -> tuple[str, ...]:
        return tuple(
            f.describe() if f.cardinality == REQUIRED else f"{f.cardinality}: {f.describe()}"
            for f in self.requirements
        )


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Requirements loaded from one or more files, with the parameters they were compiled with."""

    requirements: tuple[Requirement, ...]
    sources: tuple[RuleSourceInfo, ...]
    parameters: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def merge(sets: Sequence[RuleSet]) -> RuleSet:
        params: dict[str, str] = {}
        for s in sets:
            params.update(s.parameters)
        return RuleSet(
            requirements=tuple(r for s in sets for r in s.requirements),
            sources=tuple(src for s in sets for src in s.sources),
            parameters=params,
        )

    def select(self, ids: Iterable[str] = (), exclude: Iterable[str] = ()) -> RuleSet:
        """Only the requirements whose id or tag is listed (all if none), minus the excluded."""
        wanted = set(ids)
        unwanted = set(exclude)

        def keep(r: Requirement) -> bool:
            keys = {r.id, *r.tags}
            if wanted and not keys & wanted:
                return False
            return not keys & unwanted

        return replace(self, requirements=tuple(r for r in self.requirements if keep(r)))
