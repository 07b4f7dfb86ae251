"""Plain-text listings and explanations of requirements, for `bimcheck rules`."""

from __future__ import annotations

from bimcheck.rules.requirement import Requirement, RuleSet


def list_text(rules: RuleSet) -> str:
    lines = [f"{len(rules.requirements)} requirement(s) from {len(rules.sources)} file(s)"]
    width = max((len(r.id) for r in rules.requirements), default=2)
    for r in rules.requirements:
        how = "manual" if r.manual else ("key figure" if r.aggregate and not r.requirements else "automatic")
        lines.append(f"{r.id:<{width}}  {r.kind.value:<9}  {how:<10}  {r.title}")
    return "\n".join(lines)


def explain_text(rules: RuleSet, requirement_id: str) -> str | None:
    found = [r for r in rules.requirements if r.id == requirement_id]
    if not found:
        return None
    return "\n\n".join(_explain(r) for r in found)


def _explain(r: Requirement) -> str:
    lines = [f"{r.id}: {r.title}"]
    if r.description:
        lines.append(r.description)
    lines.append(f"kind: {r.kind.value} · severity: {r.severity.value} · cardinality: {r.cardinality}")
    if r.manual:
        lines.append("verified: manually (cannot be decided from an IFC model; reported as manual)")
    if r.weight is not None:
        lines.append(f"weight: {r.weight}")
    if r.regulation is not None:
        edition = f" ({r.regulation.edition})" if r.regulation.edition else ""
        lines.append(f"regulation: {r.regulation.reference}{edition}")
    if r.verification:
        lines.append(f"verification: {r.verification}")
    if r.ifc_versions:
        lines.append("IFC versions: " + " ".join(r.ifc_versions))
    lines.append("applies to:")
    lines.extend(f"  - {t}" for t in r.applicability_text())
    if r.requirements:
        lines.append("requires:")
        lines.extend(f"  - {t}" for t in r.requirement_text())
    if r.aggregate is not None:
        lines.append(f"key figure: {r.aggregate.describe()}")
    if r.instructions:
        lines.append(f"instructions: {r.instructions}")
    if r.source:
        lines.append(f"defined at: {r.source}")
    return "\n".join(lines)
