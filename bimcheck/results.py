"""Immutable result types of a bimcheck run, and their lossless JSON form.

This module must not import ifcopenshell (nor anything else in bimcheck): everything a
report needs is copied into these values during evaluation, so every report can be
re-rendered from a saved JSON file years after the model is gone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# 1.1: key_figures, status "manual"; 1.2: floor plans; 1.3: element position, IfcProject GUID;
# 1.4: status "suppressed", suppressions and the baseline that made them; 1.5: a floor plan's
# undrawn elements (on the storey, but without usable geometry)
SCHEMA_VERSION = "1.5"


class Status(StrEnum):
    """Outcome of one element or one requirement."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_EVALUABLE = "not_evaluable"
    ERROR = "error"
    MANUAL = "manual"
    SUPPRESSED = "suppressed"


class Kind(StrEnum):
    """Procurement weight of a requirement: ska-krav (mandatory) or bör-krav (scored)."""

    MANDATORY = "mandatory"
    SCORED = "scored"


class Severity(StrEnum):
    """How serious a failure is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# Statuses that do not break a requirement; everything else (fail, not_evaluable, error)
# means the requirement was not shown to be met.
PASSING = frozenset({Status.PASS, Status.NOT_APPLICABLE})
# `manual` is neither: the requirement cannot be decided from a model and must be verified
# by hand. It never counts as passed, and it does not break a run on its own. `suppressed`
# is neither either: a finding someone waived (with a reason) is not a pass, but it no longer
# breaks the run.
NOT_FAILING = PASSING | {Status.MANUAL, Status.SUPPRESSED}
# Element statuses that are findings: the element was not shown to meet the requirement.
FINDING_STATUSES = frozenset({Status.FAIL, Status.NOT_EVALUABLE, Status.ERROR})


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: the waiver that matched it, and the status it had.

    On a requirement it summarises the waivers of its findings, and `status` is the
    requirement's status before the baseline was applied.
    """

    status: Status
    reason: str
    approved_by: str
    date: str
    expires: str | None = None
    source: str | None = None  # baseline file and line of the waiver


@dataclass(frozen=True, slots=True)
class Finding:
    """One facet or measure checked on one element: what was expected and what was found."""

    facet: str
    status: Status
    reason: str
    message: str
    expected: str | None = None
    observed: str | None = None
    value: float | int | str | bool | None = None
    unit: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ElementResult:
    """Outcome for one applicable element of one requirement."""

    global_id: str | None
    ifc_class: str
    status: Status
    step_id: int = 0
    name: str | None = None
    storey: str | None = None
    findings: tuple[Finding, ...] = ()
    # Origin of the element's placement in world coordinates (metres), recorded for elements
    # with findings so that a viewer (BCF) can be aimed at them without the model.
    position: tuple[float, float, float] | None = None
    suppression: Suppression | None = None


@dataclass(frozen=True, slots=True)
class Regulation:
    """Where a requirement comes from: clause and the edition it was written against."""

    reference: str
    edition: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A number computed over a selection (count, sum, mean, ratio…), optionally per group.

    Reported whether or not it has a threshold: evaluation groups compare key figures
    between bids. `status` is pass/fail against the threshold, not_applicable without one,
    not_evaluable when some contributing value could not be determined.
    """

    name: str
    value: float | None
    status: Status
    unit: str | None = None
    group: str | None = None
    count: int = 0
    expected: str | None = None
    source: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """Outcome of one requirement on one model."""

    id: str
    title: str
    status: Status
    model: str
    kind: Kind = Kind.MANDATORY
    severity: Severity = Severity.ERROR
    cardinality: str = "required"
    description: str | None = None
    instructions: str | None = None
    regulation: Regulation | None = None
    verification: str | None = None
    weight: float | None = None
    source: str | None = None
    applicability: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    message: str | None = None
    notes: tuple[str, ...] = ()
    applicable_count: int = 0
    elements: tuple[ElementResult, ...] = ()
    key_figures: tuple[KeyFigure, ...] = ()
    suppression: Suppression | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Number of applicable elements per element status, all statuses listed."""
        tally = Counter(e.status for e in self.elements)
        return {s.value: tally.get(s, 0) for s in Status}

    @property
    def failed(self) -> bool:
        """Checked and not shown to be met: fail, not_evaluable or error (not manual)."""
        return self.status not in NOT_FAILING


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Identity of one checked model: file, hash and IFC header."""

    path: str
    name: str
    size: int
    sha256: str
    schema: str
    originating_system: str | None = None
    preprocessor: str | None = None
    timestamp: str | None = None
    authoring_application: str | None = None
    project_guid: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSourceInfo:
    """Identity of one requirement file: path, format and hash."""

    path: str
    sha256: str
    format: str
    title: str | None = None
    version: str | None = None
    requirement_count: int = 0


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """Versions of everything that produced a result."""

    name: str = "bimcheck"
    version: str = ""
    ifcopenshell: str = ""
    python: str = ""


class WaiverState(StrEnum):
    """What a baseline entry did in a run."""

    APPLIED = "applied"  # in force, and it matched at least one finding
    EXPIRED = "expired"  # past its expiry date: it suppresses nothing, its findings count
    UNUSED = "unused"  # in force, but it matched no finding


@dataclass(frozen=True, slots=True)
class Waiver:
    """One baseline entry as a run used it: what it selects, why, who approved it, until when.

    It selects findings of `requirement` (in `model` when given): one element by `global_id`,
    or the elements of `ifc_class` (narrowed by `name` and `storey`), or, with no selector,
    everything the requirement found, its key figures and its own failure included.
    """

    requirement: str
    reason: str
    approved_by: str
    date: str
    state: WaiverState
    expires: str | None = None
    global_id: str | None = None
    ifc_class: str | None = None
    name: str | None = None
    storey: str | None = None
    model: str | None = None
    source: str | None = None
    matched: int = 0  # findings it suppressed (applied) or would have suppressed (expired)


@dataclass(frozen=True, slots=True)
class BaselineInfo:
    """The baseline file a run applied, the day its expiry dates were compared with, its waivers."""

    path: str
    sha256: str
    as_of: str
    waivers: tuple[Waiver, ...] = ()

    def in_state(self, state: WaiverState) -> tuple[Waiver, ...]:
        return tuple(w for w in self.waivers if w.state is state)


Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One element drawn on a floor plan: its plan outline as polygons (world XY, metres).

    Each polygon is an exterior ring followed by its holes, rounded to millimetres so that
    reports stay deterministic and small.
    """

    ifc_class: str
    polygons: tuple[tuple[Ring, ...], ...]
    global_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class UndrawnItem:
    """An element of a storey left off its plan because its geometry is unusable, and why."""

    ifc_class: str
    reason: str
    global_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class FloorPlan:
    """The plan of one storey of one model, for drawing findings where they are."""

    model: str
    storey: str
    elevation: float | None
    items: tuple[PlanItem, ...]
    # Said on the plan, so that a missing wall is not read as a wall that is not there.
    undrawn: tuple[UndrawnItem, ...] = ()


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything one `bimcheck check` produced; every report renders from this alone."""

    tool: ToolInfo
    created: str
    models: tuple[ModelInfo, ...]
    rule_sources: tuple[RuleSourceInfo, ...]
    requirements: tuple[RequirementResult, ...]
    parameters: Mapping[str, str] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    plans: tuple[FloorPlan, ...] = ()
    baseline: BaselineInfo | None = None

    def for_model(self, model: str) -> tuple[RequirementResult, ...]:
        return tuple(r for r in self.requirements if r.model == model)

    @property
    def summary(self) -> dict[str, int]:
        """Number of requirement results per status, all statuses listed."""
        tally = Counter(r.status for r in self.requirements)
        return {s.value: tally.get(s, 0) for s in Status}


# --- JSON form -----------------------------------------------------------------------
# Written by hand rather than with dataclasses.asdict so that enums become plain strings,
# empty optional fields are kept (lossless, stable keys) and reading back is symmetrical.


def _finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "facet": f.facet,
        "status": f.status.value,
        "reason": f.reason,
        "message": f.message,
        "expected": f.expected,
        "observed": f.observed,
        "value": f.value,
        "unit": f.unit,
        "source": f.source,
    }


def _finding_dict(f: Finding, made: dict[int, dict[str, Any]] | None) -> dict[str, Any]:
    if made is None:
        return _finding_to_dict(f)
    found = made.get(id(f))
    if found is None:
        found = made[id(f)] = _finding_to_dict(f)
    return found


def _element_to_dict(e: ElementResult, findings: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """`findings`, if given, keeps each finding's dict by identity: elements with the same
    outcome share their Finding objects (the engine makes one per distinct outcome), and
    the writer then writes one dict as often as it is referenced."""
    return {
        "global_id": e.global_id,
        "ifc_class": e.ifc_class,
        "step_id": e.step_id,
        "name": e.name,
        "storey": e.storey,
        "status": e.status.value,
        "position": None if e.position is None else list(e.position),
        "suppression": _suppression_to_dict(e.suppression),
        "findings": [_finding_dict(f, findings) for f in e.findings],
    }


def _suppression_to_dict(s: Suppression | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "status": s.status.value,
        "reason": s.reason,
        "approved_by": s.approved_by,
        "date": s.date,
        "expires": s.expires,
        "source": s.source,
    }


def _suppression_from_dict(d: Mapping[str, Any] | None) -> Suppression | None:
    if d is None:
        return None
    return Suppression(
        status=Status(d["status"]),
        reason=d["reason"],
        approved_by=d["approved_by"],
        date=d["date"],
        expires=d.get("expires"),
        source=d.get("source"),
    )


def _baseline_to_dict(b: BaselineInfo | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "path": b.path,
        "sha256": b.sha256,
        "as_of": b.as_of,
        "waivers": [
            {
                "requirement": w.requirement,
                "model": w.model,
                "global_id": w.global_id,
                "ifc_class": w.ifc_class,
                "name": w.name,
                "storey": w.storey,
                "reason": w.reason,
                "approved_by": w.approved_by,
                "date": w.date,
                "expires": w.expires,
                "source": w.source,
                "state": w.state.value,
                "matched": w.matched,
            }
            for w in b.waivers
        ],
    }


def _baseline_from_dict(d: Mapping[str, Any] | None) -> BaselineInfo | None:
    if d is None:
        return None
    return BaselineInfo(
        path=d["path"],
        sha256=d["sha256"],
        as_of=d["as_of"],
        waivers=tuple(
            Waiver(
                requirement=w["requirement"],
                model=w.get("model"),
                global_id=w.get("global_id"),
                ifc_class=w.get("ifc_class"),
                name=w.get("name"),
                storey=w.get("storey"),
                reason=w["reason"],
                approved_by=w["approved_by"],
                date=w["date"],
                expires=w.get("expires"),
                source=w.get("source"),
                state=WaiverState(w["state"]),
                matched=int(w.get("matched", 0)),
            )
            for w in d.get("waivers", ())
        ),
    )


def _requirement_to_dict(r: RequirementResult) -> dict[str, Any]:
    findings: dict[int, dict[str, Any]] = {}  # alive as long as r, so ids stay unique
    return {
        "id": r.id,
        "title": r.title,
        "model": r.model,
        "status": r.status.value,
        "kind": r.kind.value,
        "severity": r.severity.value,
        "cardinality": r.cardinality,
        "description": r.description,
        "instructions": r.instructions,
        "regulation": None
        if r.regulation is None
        else {
            "reference": r.regulation.reference,
            "edition": r.regulation.edition,
            "url": r.regulation.url,
        },
        "verification": r.verification,
        "weight": r.weight,
        "source": r.source,
        "applicability": list(r.applicability),
        "requirements": list(r.requirements),
        "message": r.message,
        "notes": list(r.notes),
        "applicable_count": r.applicable_count,
        "counts": r.counts,
        "suppression": _suppression_to_dict(r.suppression),
        "key_figures": [_key_figure_to_dict(k) for k in r.key_figures],
        "elements": [_element_to_dict(e, findings) for e in r.elements],
    }


def _key_figure_to_dict(k: KeyFigure) -> dict[str, Any]:
    return {
        "name": k.name,
        "group": k.group,
        "value": k.value,
        "unit": k.unit,
        "status": k.status.value,
        "count": k.count,
        "expected": k.expected,
        "source": k.source,
        "message": k.message,
    }


def _key_figure_from_dict(d: Mapping[str, Any]) -> KeyFigure:
    value = d.get("value")
    return KeyFigure(
        name=d["name"],
        group=d.get("group"),
        value=None if value is None else float(value),
        unit=d.get("unit"),
        status=Status(d["status"]),
        count=int(d.get("count", 0)),
        expected=d.get("expected"),
        source=d.get("source"),
        message=d.get("message"),
    )


def run_to_dict(run: RunResult) -> dict[str, Any]:
    """The JSON-ready form of a run; `run_from_dict` reads it back unchanged."""
    return {
        "schema_version": run.schema_version,
        "tool": {
            "name": run.tool.name,
            "version": run.tool.version,
            "ifcopenshell": run.tool.ifcopenshell,
            "python": run.tool.python,
        },
        "created": run.created,
        "parameters": dict(sorted(run.parameters.items())),
        "models": [
            {
                "path": m.path,
                "name": m.name,
                "size": m.size,
                "sha256": m.sha256,
                "schema": m.schema,
                "originating_system": m.originating_system,
                "preprocessor": m.preprocessor,
                "timestamp": m.timestamp,
                "authoring_application": m.authoring_application,
                "project_guid": m.project_guid,
            }
            for m in run.models
        ],
        "rule_sources": [
            {
                "path": s.path,
                "sha256": s.sha256,
                "format": s.format,
                "title": s.title,
                "version": s.version,
                "requirement_count": s.requirement_count,
            }
            for s in run.rule_sources
        ],
        "baseline": _baseline_to_dict(run.baseline),
        "summary": run.summary,
        "requirements": [_requirement_to_dict(r) for r in run.requirements],
        "plans": [
            {
                "model": p.model,
                "storey": p.storey,
                "elevation": p.elevation,
                "items": [
                    {
                        "ifc_class": i.ifc_class,
                        "global_id": i.global_id,
                        "name": i.name,
                        # Nested tuples as they are: JSON writers write them as arrays, and copying
                        # every outline into lists was half the JSON report's time with plans.
                        "polygons": i.polygons,
                    }
                    for i in p.items
                ],
                "undrawn": [
                    {"ifc_class": u.ifc_class, "global_id": u.global_id, "name": u.name, "reason": u.reason}
                    for u in p.undrawn
                ],
            }
            for p in run.plans
        ],
    }


def _finding_from_dict(d: Mapping[str, Any]) -> Finding:
    return Finding(
        facet=d["facet"],
        status=Status(d["status"]),
        reason=d["reason"],
        message=d["message"],
        expected=d.get("expected"),
        observed=d.get("observed"),
        value=d.get("value"),
        unit=d.get("unit"),
        source=d.get("source"),
    )


def _element_from_dict(d: Mapping[str, Any]) -> ElementResult:
    return ElementResult(
        global_id=d.get("global_id"),
        ifc_class=d["ifc_class"],
        step_id=int(d.get("step_id", 0)),
        name=d.get("name"),
        storey=d.get("storey"),
        status=Status(d["status"]),
        findings=tuple(_finding_from_dict(f) for f in d.get("findings", ())),
        position=_position(d.get("position")),
        suppression=_suppression_from_dict(d.get("suppression")),
    )


def _position(value: Any) -> tuple[float, float, float] | None:
    if value is None:
        return None
    x, y, z = (float(v) for v in value)
    return (x, y, z)


def _tuple_of_str(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _requirement_from_dict(d: Mapping[str, Any]) -> RequirementResult:
    reg = d.get("regulation")
    return RequirementResult(
        id=d["id"],
        title=d["title"],
        model=d["model"],
        status=Status(d["status"]),
        kind=Kind(d.get("kind", "mandatory")),
        severity=Severity(d.get("severity", "error")),
        cardinality=d.get("cardinality", "required"),
        description=d.get("description"),
        instructions=d.get("instructions"),
        regulation=None
        if reg is None
        else Regulation(reference=reg["reference"], edition=reg.get("edition"), url=reg.get("url")),
        verification=d.get("verification"),
        weight=d.get("weight"),
        source=d.get("source"),
        applicability=_tuple_of_str(d.get("applicability", ())),
        requirements=_tuple_of_str(d.get("requirements", ())),
        message=d.get("message"),
        notes=_tuple_of_str(d.get("notes", ())),
        applicable_count=int(d.get("applicable_count", 0)),
        elements=tuple(_element_from_dict(e) for e in d.get("elements", ())),
        key_figures=tuple(_key_figure_from_dict(k) for k in d.get("key_figures", ())),
        suppression=_suppression_from_dict(d.get("suppression")),
    )


def run_from_dict(d: Mapping[str, Any]) -> RunResult:
    """Read a run back from its JSON form; raises KeyError/ValueError on a malformed one."""
    version = str(d.get("schema_version", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ValueError(f"unsupported report schema_version {version!r} (expected {SCHEMA_VERSION})")
    tool = d["tool"]
    return RunResult(
        schema_version=version,
        tool=ToolInfo(
            name=tool.get("name", "bimcheck"),
            version=tool.get("version", ""),
            ifcopenshell=tool.get("ifcopenshell", ""),
            python=tool.get("python", ""),
        ),
        created=d["created"],
        parameters={str(k): str(v) for k, v in d.get("parameters", {}).items()},
        models=tuple(
            ModelInfo(
                path=m["path"],
                name=m["name"],
                size=int(m["size"]),
                sha256=m["sha256"],
                schema=m["schema"],
                originating_system=m.get("originating_system"),
                preprocessor=m.get("preprocessor"),
                timestamp=m.get("timestamp"),
                authoring_application=m.get("authoring_application"),
                project_guid=m.get("project_guid"),
            )
            for m in d["models"]
        ),
        rule_sources=tuple(
            RuleSourceInfo(
                path=s["path"],
                sha256=s["sha256"],
                format=s["format"],
                title=s.get("title"),
                version=s.get("version"),
                requirement_count=int(s.get("requirement_count", 0)),
            )
            for s in d["rule_sources"]
        ),
        requirements=tuple(_requirement_from_dict(r) for r in d["requirements"]),
        plans=tuple(_plan_from_dict(p) for p in d.get("plans", ())),
        baseline=_baseline_from_dict(d.get("baseline")),
    )


def _plan_from_dict(d: Mapping[str, Any]) -> FloorPlan:
    elevation = d.get("elevation")
    return FloorPlan(
        model=d["model"],
        storey=d["storey"],
        elevation=None if elevation is None else float(elevation),
        items=tuple(
            PlanItem(
                ifc_class=i["ifc_class"],
                global_id=i.get("global_id"),
                name=i.get("name"),
                polygons=tuple(
                    tuple(tuple((float(x), float(y)) for x, y in ring) for ring in poly)
                    for poly in i["polygons"]
                ),
            )
            for i in d.get("items", ())
        ),
        undrawn=tuple(
            UndrawnItem(
                ifc_class=u["ifc_class"], reason=u["reason"], global_id=u.get("global_id"), name=u.get("name")
            )
            for u in d.get("undrawn", ())
        ),
    )


# --- exit policy ---------------------------------------------------------------------

FAIL_ON_LEVELS = ("any", "mandatory", "error", "warning", "info", "none")


def counts_against(result: RequirementResult, fail_on: str) -> bool:
    """Whether a requirement that did not pass breaks the run under a --fail-on level.

    `any`: every requirement; `mandatory`: only ska-krav; `error`/`warning`/`info`: requirements
    of at least that severity; `none`: nothing.
    """
    return result.failed and at_or_above(result, fail_on)


def at_or_above(result: RequirementResult, fail_on: str) -> bool:
    """Whether a requirement is of a kind and severity that `fail_on` counts, whatever its status."""
    if fail_on == "none":
        return False
    if fail_on == "any":
        return True
    if fail_on == "mandatory":
        return result.kind is Kind.MANDATORY
    return result.severity.rank >= Severity(fail_on).rank


def exit_code(run: RunResult, fail_on: str = "mandatory") -> int:
    """0 when nothing at or above `fail_on` failed, 1 otherwise, 3 when nothing was checked."""
    if not run.requirements:
        return 3
    return 1 if any(counts_against(r, fail_on) for r in run.requirements) else 0
