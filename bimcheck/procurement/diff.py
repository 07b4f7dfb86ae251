"""Compare two runs of the same requirements: new, fixed and unchanged findings; changed statuses, figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bimcheck.procurement.baseline import expired_findings
from bimcheck.results import (
    FINDING_STATUSES,
    BaselineInfo,
    ElementResult,
    KeyFigure,
    Kind,
    RequirementResult,
    RunResult,
    Severity,
    Status,
    Suppression,
    Waiver,
    at_or_above,
)

DIFF_VERSION = "1.0"


class Change(StrEnum):
    NEW = "new"  # in NEW only: the iteration introduced it
    FIXED = "fixed"  # in OLD only: the iteration removed it
    UNCHANGED = "unchanged"  # in both (its status may have changed between fail, not_evaluable, error)


class Subject(StrEnum):
    ELEMENT = "element"
    KEY_FIGURE = "key_figure"
    REQUIREMENT = "requirement"  # the requirement's own failure: no element found, say


@dataclass(frozen=True, slots=True)
class FindingRef:
    """One finding as one run has it, with its status before any baseline."""

    key: str
    subject: Subject
    status: Status
    message: str
    global_id: str | None = None
    ifc_class: str | None = None
    name: str | None = None
    storey: str | None = None
    waived: Suppression | None = None

    @property
    def label(self) -> str:
        """How a person names it: `IfcDoor 3os5… "Dörr badrum" on Plan 2`, a key figure, the requirement."""
        if self.subject is not Subject.ELEMENT:
            return self.key
        text = f"{self.ifc_class} {self.global_id or '(no GlobalId)'}"
        text += f' "{self.name}"' if self.name else ""
        return text + (f" on {self.storey}" if self.storey else "")


@dataclass(frozen=True, slots=True)
class FindingChange:
    change: Change
    key: str
    old: FindingRef | None
    new: FindingRef | None
    counts: bool = False  # whether it makes the diff exit 1
    expired: Waiver | None = None  # the expired waiver that no longer covers it

    @property
    def current(self) -> FindingRef:
        found = self.new or self.old
        assert found is not None  # a change has at least one side
        return found


@dataclass(frozen=True, slots=True)
class RequirementDiff:
    id: str
    title: str
    model: str
    kind: Kind
    severity: Severity
    old_status: Status | None  # None: not in that run
    new_status: Status | None
    findings: tuple[FindingChange, ...]

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status

    def of(self, change: Change) -> tuple[FindingChange, ...]:
        return tuple(f for f in self.findings if f.change is change)


@dataclass(frozen=True, slots=True)
class FigureChange:
    requirement: str
    model: str
    name: str
    group: str | None
    unit: str | None
    old: float | None
    new: float | None
    old_status: Status | None  # None: the figure is not in that run
    new_status: Status | None


@dataclass(frozen=True, slots=True)
class Side:
    """What one side of a diff was: its label (file given), models, requirement files, parameters."""

    label: str
    models: tuple[tuple[str, str], ...]  # name, sha256
    rule_sources: tuple[tuple[str, str], ...]  # path, sha256
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class DiffResult:
    old: Side
    new: Side
    fail_on: str
    requirements: tuple[RequirementDiff, ...]
    key_figures: tuple[FigureChange, ...]
    baseline: BaselineInfo | None = None
    notes: tuple[str, ...] = ()

    def count(self, change: Change) -> int:
        return sum(len(r.of(change)) for r in self.requirements)

    @property
    def waived(self) -> int:
        return sum(1 for r in self.requirements for f in r.findings if f.new is not None and f.new.waived)

    @property
    def counting(self) -> tuple[tuple[RequirementDiff, FindingChange], ...]:
        return tuple((r, f) for r in self.requirements for f in r.findings if f.counts)

    @property
    def exit_code(self) -> int:
        """1 when a new finding (or one whose waiver expired) counts under --fail-on, else 0."""
        return 1 if self.counting else 0


def diff_runs(
    old: RunResult, new: RunResult, fail_on: str = "mandatory", labels: tuple[str, str] = ("", "")
) -> DiffResult:
    """Compare NEW with OLD; deterministic, and independent of when either run was made.

    Requirements are matched by model and id; when each run has one model the models are
    matched whatever their file names (iterations are often renamed). Findings are matched
    within a requirement by the element's GlobalId, by class, name and storey for an element
    without one, by name and group for a key figure.
    """
    single = len(old.models) == 1 and len(new.models) == 1
    old_reqs = _by_key(old.requirements, single)
    new_reqs = _by_key(new.requirements, single)
    expired = {
        (_model_key(r.model, single), r.id, None if e is None else id(e)): w
        for r, e, w in expired_findings(new)
    }
    requirements = []
    figures: list[FigureChange] = []
    for key in _ordered_keys(old_reqs, new_reqs):
        a, b = old_reqs.get(key), new_reqs.get(key)
        ref = b or a
        assert ref is not None
        model = key[0] or ref.model
        changes = _finding_changes(a, b, fail_on, expired, key[0])
        figures.extend(_figure_changes(a, b, model))
        status_a = None if a is None else a.status
        status_b = None if b is None else b.status
        if changes or status_a != status_b:
            requirements.append(
                RequirementDiff(
                    id=ref.id,
                    title=ref.title,
                    model=model,
                    kind=ref.kind,
                    severity=ref.severity,
                    old_status=status_a,
                    new_status=status_b,
                    findings=changes,
                )
            )
    return DiffResult(
        old=_side(old, labels[0]),
        new=_side(new, labels[1]),
        fail_on=fail_on,
        requirements=tuple(requirements),
        key_figures=tuple(figures),
        baseline=new.baseline,
        notes=tuple(_notes(old, new)),
    )


def _model_key(model: str, single: bool) -> str:
    return "" if single else model


ReqKey = tuple[str, str, int]


def _by_key(requirements: Iterable[RequirementResult], single: bool) -> dict[ReqKey, RequirementResult]:
    # IDS identifiers need not be unique: a repeated id is told apart by its occurrence.
    seen: Counter[tuple[str, str]] = Counter()
    out = {}
    for r in requirements:
        base = (_model_key(r.model, single), r.id)
        seen[base] += 1
        out[(*base, seen[base])] = r
    return out


def _ordered_keys(old: dict[ReqKey, RequirementResult], new: dict[ReqKey, RequirementResult]) -> list[ReqKey]:
    """NEW's run order, then what only OLD had, in its order."""
    return [*new, *(k for k in old if k not in new)]


def _original(e: ElementResult) -> Status:
    return e.suppression.status if e.suppression is not None else e.status


def _element_key(e: ElementResult) -> str:
    if e.global_id:
        return e.global_id
    return f"{e.ifc_class}|{e.name or ''}|{e.storey or ''}"


def _findings(r: RequirementResult | None) -> dict[str, tuple[FindingRef, ElementResult | None]]:
    """A requirement's findings by key; elements first, then failing key figures, else its own."""
    if r is None:
        return {}
    out: dict[str, tuple[FindingRef, ElementResult | None]] = {}
    seen: Counter[str] = Counter()
    for e in r.elements:
        status = _original(e)
        if status not in FINDING_STATUSES:
            continue
        key = _element_key(e)
        seen[key] += 1
        if seen[key] > 1:  # duplicate GlobalIds exist in real models
            key = f"{key}#{seen[key]}"
        message = "; ".join(f.message for f in e.findings if f.status is not Status.PASS) or status.value
        ref = FindingRef(
            key=key,
            subject=Subject.ELEMENT,
            status=status,
            message=message,
            global_id=e.global_id,
            ifc_class=e.ifc_class,
            name=e.name,
            storey=e.storey,
            waived=e.suppression,
        )
        out[key] = (ref, e)
    # A key figure or the requirement itself can only be waived with the whole requirement.
    whole = r.suppression if r.status is Status.SUPPRESSED else None
    original = r.suppression.status if r.suppression is not None else r.status
    for k in r.key_figures:
        if k.status in FINDING_STATUSES:
            key = _figure_label(k)
            out[key] = (
                FindingRef(key, Subject.KEY_FIGURE, k.status, k.message or k.status.value, waived=whole),
                None,
            )
    if not out and original in FINDING_STATUSES:
        out["requirement"] = (
            FindingRef(
                "requirement", Subject.REQUIREMENT, original, r.message or original.value, waived=whole
            ),
            None,
        )
    return out


def _figure_label(k: KeyFigure) -> str:
    return f"key figure {k.name}" + (f" [{k.group}]" if k.group else "")


def _finding_changes(
    a: RequirementResult | None,
    b: RequirementResult | None,
    fail_on: str,
    expired: dict[tuple[str, str, int | None], Waiver],
    model_key: str,
) -> tuple[FindingChange, ...]:
    old, new = _findings(a), _findings(b)
    counted = b is not None and at_or_above(b, fail_on)
    out = []
    for key in sorted(new.keys() | old.keys()):
        before = old.get(key)
        after = new.get(key)
        change = Change.UNCHANGED if before and after else (Change.NEW if after else Change.FIXED)
        lapsed = None
        if after is not None and b is not None:
            element = after[1]
            lapsed = expired.get((model_key, b.id, None if element is None else id(element)))
        active = after is not None and after[0].waived is None
        counts = counted and active and (change is Change.NEW or lapsed is not None)
        out.append(
            FindingChange(
                change=change,
                key=key,
                old=None if before is None else before[0],
                new=None if after is None else after[0],
                counts=counts,
                expired=lapsed,
            )
        )
    order = {Change.NEW: 0, Change.FIXED: 1, Change.UNCHANGED: 2}
    return tuple(sorted(out, key=lambda f: (order[f.change], f.key)))


def _figure_changes(
    a: RequirementResult | None, b: RequirementResult | None, model: str
) -> list[FigureChange]:
    def figures(r: RequirementResult | None) -> dict[tuple[str, str | None], KeyFigure]:
        return {} if r is None else {(k.name, k.group): k for k in r.key_figures}

    old, new = figures(a), figures(b)
    ref = b or a
    assert ref is not None
    out = []
    for key in [*new, *(k for k in old if k not in new)]:
        x, y = old.get(key), new.get(key)
        if x is not None and y is not None and _same(x.value, y.value) and x.status is y.status:
            continue
        either = y or x
        unit = None if either is None else either.unit
        out.append(
            FigureChange(
                requirement=ref.id,
                model=model,
                name=key[0],
                group=key[1],
                unit=unit,
                old=None if x is None else x.value,
                new=None if y is None else y.value,
                old_status=None if x is None else x.status,
                new_status=None if y is None else y.status,
            )
        )
    return out


def _same(x: float | None, y: float | None) -> bool:
    # Twelve significant digits, as the compliance XML writes numbers: geometric noise is no change.
    if x is None or y is None:
        return x is y
    return float(f"{x:.12g}") == float(f"{y:.12g}")


def _side(run: RunResult, label: str) -> Side:
    return Side(
        label=label,
        models=tuple((m.name, m.sha256) for m in run.models),
        rule_sources=tuple((s.path, s.sha256) for s in run.rule_sources),
        parameters=tuple(sorted(run.parameters.items())),
    )


def _notes(old: RunResult, new: RunResult) -> Sequence[str]:
    """What makes the comparison less than like for like."""
    notes = []
    if sorted(s.sha256 for s in old.rule_sources) != sorted(s.sha256 for s in new.rule_sources):
        notes.append("the requirement files differ between OLD and NEW: some changes may come from the rules")
    changed = sorted(
        k
        for k in old.parameters.keys() | new.parameters.keys()
        if old.parameters.get(k) != new.parameters.get(k)
    )
    if changed:
        notes.append(f"parameters differ between OLD and NEW: {', '.join(changed)}")
    if [m.sha256 for m in old.models] == [m.sha256 for m in new.models]:
        notes.append("OLD and NEW were made from the same model file(s)")
    if len(old.models) != 1 or len(new.models) != 1:
        names_old, names_new = {m.name for m in old.models}, {m.name for m in new.models}
        for name in sorted(names_old ^ names_new):
            side = "OLD" if name in names_old else "NEW"
            notes.append(
                f"model {name} is only in {side}: its findings are all {'fixed' if side == 'OLD' else 'new'}"
            )
    return notes
