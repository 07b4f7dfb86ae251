"""What the HTML template shows, computed from a RunResult: ordering, rows, labels and formatted values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bimcheck.reporters.html.plans import PlanView, marks_by_element, plan_view
from bimcheck.results import (
    NOT_FAILING,
    ElementResult,
    Finding,
    KeyFigure,
    Kind,
    ModelInfo,
    RequirementResult,
    RunResult,
    Status,
    Suppression,
    Waiver,
)

# Requirement order: mandatory failures exclude a bid, so they come first; then scored failures
# (they cost points), manual checks (someone must act), waived ones (someone decided to accept
# them), and last what was met or did not apply.
_GROUP_MANDATORY_FAILED, _GROUP_SCORED_FAILED, _GROUP_MANUAL, _GROUP_SUPPRESSED, _GROUP_PASS, _GROUP_NA = (
    range(6)
)
# Element order inside a table: problems first, in the order a reader acts on them.
_ELEMENT_RANK = {
    Status.ERROR: 0,
    Status.FAIL: 1,
    Status.NOT_EVALUABLE: 2,
    Status.MANUAL: 3,
    Status.SUPPRESSED: 4,
    Status.PASS: 5,
    Status.NOT_APPLICABLE: 6,
}
# Requirements with more element rows than this start collapsed, even when failing: the
# rows are all there (no cap), but laying out tens of thousands at load makes the page sluggish.
OPEN_ROW_LIMIT = 200


def group(r: RequirementResult) -> int:
    """Where a requirement result goes in the report's order (lower first)."""
    if r.failed:
        return _GROUP_MANDATORY_FAILED if r.kind is Kind.MANDATORY else _GROUP_SCORED_FAILED
    if r.status is Status.MANUAL:
        return _GROUP_MANUAL
    if r.status is Status.SUPPRESSED:
        return _GROUP_SUPPRESSED
    return _GROUP_PASS if r.status is Status.PASS else _GROUP_NA


def ordered(requirements: tuple[RequirementResult, ...]) -> list[RequirementResult]:
    """Mandatory failures first, then scored failures, manual, met, not applicable; stable."""
    return sorted(requirements, key=group)


@dataclass(frozen=True, slots=True)
class FindingRow:
    status: str
    check: str
    expected: str
    observed: str
    unit: str
    source: str
    message: str


@dataclass(frozen=True, slots=True)
class ElementRow:
    status: str
    global_id: str | None
    ident: str
    ifc_class: str
    name: str
    storey: str
    search: str
    on_plan: bool
    findings: tuple[FindingRow, ...]
    waiver: str  # why the finding is waived, who approved it, until when; empty when it is not


@dataclass(frozen=True, slots=True)
class FigureRow:
    requirement: str
    anchor: str
    name: str
    group: str
    value: str
    unit: str
    expected: str
    count: str
    status: str
    source: str
    message: str


@dataclass(frozen=True, slots=True)
class RequirementView:
    anchor: str
    result: RequirementResult
    counts: Mapping[str, int]
    other: int
    regulation_url: str | None
    weight: str
    open: bool
    rows: tuple[ElementRow, ...]
    figures: tuple[FigureRow, ...]
    waiver: str


@dataclass(frozen=True, slots=True)
class ModelView:
    anchor: str
    info: ModelInfo
    size: str
    requirements: tuple[RequirementView, ...]
    figures: tuple[FigureRow, ...]
    plans: tuple[PlanView, ...]
    mandatory_failed: int
    mandatory_total: int
    scored_failed: int
    scored_total: int
    manual: int
    passed: int
    suppressed: int


@dataclass(frozen=True, slots=True)
class ReportView:
    run: RunResult
    lang: str
    models: tuple[ModelView, ...]
    summary: tuple[RequirementView, ...]
    parameters: tuple[tuple[str, str], ...]
    has_plans: bool
    multi_model: bool
    waivers: tuple[WaiverRow, ...]


@dataclass(frozen=True, slots=True)
class WaiverRow:
    state: str
    requirement: str
    selects: str
    reason: str
    approved: str
    expires: str
    matched: str
    source: str


def build(run: RunResult, lang: str, t: Mapping[str, str]) -> ReportView:
    """The whole report's view; anchors are positional so that hostile ids never reach an id attribute."""
    fmt = Formatter(lang, t)
    views: dict[int, RequirementView] = {}
    model_views = []
    plan_index = 0
    for m_index, model in enumerate(run.models):
        results = run.for_model(model.name)
        plans = [p for p in run.plans if p.model == model.name]
        marks = marks_by_element(
            (r.id, e.status, e.global_id, _element_message(e)) for r in results for e in r.elements
        )
        plan_views = []
        for plan in plans:
            plan_views.append(plan_view(plan_index, plan, marks))
            plan_index += 1
        on_plan = {s.global_id for p in plan_views for s in p.shapes if s.global_id}
        req_views = []
        for result in ordered(results):
            view = _requirement_view(f"r{len(views) + 1}", result, on_plan, fmt)
            views[id(result)] = view
            req_views.append(view)
        model_views.append(
            ModelView(
                anchor=f"m{m_index + 1}",
                info=model,
                size=fmt.integer(model.size),
                requirements=tuple(req_views),
                figures=tuple(f for v in req_views for f in v.figures),
                plans=tuple(plan_views),
                mandatory_failed=sum(1 for r in results if r.kind is Kind.MANDATORY and r.failed),
                mandatory_total=sum(1 for r in results if r.kind is Kind.MANDATORY),
                scored_failed=sum(1 for r in results if r.kind is Kind.SCORED and r.failed),
                scored_total=sum(1 for r in results if r.kind is Kind.SCORED),
                manual=sum(1 for r in results if r.status is Status.MANUAL),
                passed=sum(
                    1
                    for r in results
                    if r.status in NOT_FAILING and r.status not in (Status.MANUAL, Status.SUPPRESSED)
                ),
                suppressed=sum(1 for r in results if r.status is Status.SUPPRESSED),
            )
        )
    model_order = {m.name: i for i, m in enumerate(run.models)}
    summary = sorted(
        (views[id(r)] for r in run.requirements if id(r) in views),
        key=lambda v: (group(v.result), model_order.get(v.result.model, 0)),
    )
    return ReportView(
        run=run,
        lang=lang,
        models=tuple(model_views),
        summary=tuple(summary),
        parameters=tuple(sorted(run.parameters.items())),
        has_plans=bool(run.plans),
        multi_model=len(run.models) > 1,
        waivers=tuple(_waiver_row(w, fmt) for w in run.baseline.waivers) if run.baseline else (),
    )


def waiver_text(s: Suppression, fmt: Formatter) -> str:
    """`Waived (was fail): reason — approved by …, date; valid through …; baseline.yaml:3`."""
    t = fmt.t
    parts = [f"{t['approved_by']} {s.approved_by}, {s.date}"]
    if s.expires:
        parts.append(f"{t['expires']} {s.expires}")
    if s.source:
        parts.append(s.source)
    return f"{t['waived']} ({t['was']} {t['st_' + s.status.value]}): {s.reason} — {'; '.join(parts)}"


def _waiver_row(w: Waiver, fmt: Formatter) -> WaiverRow:
    selector = w.global_id or " ".join(
        part for part in (w.ifc_class, f'"{w.name}"' if w.name else None, w.storey) if part
    )
    if w.model:
        selector = f"{selector} ({w.model})" if selector else w.model
    return WaiverRow(
        state=w.state.value,
        requirement=w.requirement,
        selects=selector or fmt.t["whole_requirement"],
        reason=w.reason,
        approved=f"{w.approved_by}, {w.date}",
        expires=w.expires or "",
        matched=fmt.integer(w.matched),
        source=w.source or "",
    )


def _requirement_view(
    anchor: str, result: RequirementResult, on_plan: set[str], fmt: Formatter
) -> RequirementView:
    counts = result.counts
    elements = sorted(result.elements, key=lambda e: _ELEMENT_RANK[e.status])
    rows = tuple(_element_row(e, on_plan, fmt) for e in elements)
    url = result.regulation.url if result.regulation is not None else None
    # Only web links: a rule file could carry `javascript:` and the report would run it on a click.
    regulation_url = url if url and urlsplit(url).scheme.lower() in ("http", "https") else None
    return RequirementView(
        anchor=anchor,
        result=result,
        counts=counts,
        other=sum(n for s, n in counts.items() if s not in ("pass", "fail")),
        regulation_url=regulation_url,
        weight="" if result.weight is None else fmt.number(result.weight),
        open=result.status not in (Status.PASS, Status.NOT_APPLICABLE) and len(rows) <= OPEN_ROW_LIMIT,
        rows=rows,
        figures=tuple(_figure_row(anchor, result.id, k, fmt) for k in result.key_figures),
        waiver="" if result.suppression is None else waiver_text(result.suppression, fmt),
    )


def _element_message(e: ElementResult) -> str:
    bad = [f.message for f in e.findings if f.status is not Status.PASS]
    return "; ".join(bad) if bad else e.status.value


def _element_row(e: ElementResult, on_plan: set[str], fmt: Formatter) -> ElementRow:
    ident = e.global_id or f"#{e.step_id}"
    status_label = fmt.t["st_" + e.status.value]
    search = " ".join(
        part for part in (ident, e.ifc_class, e.name, e.storey, e.status.value, status_label) if part
    ).lower()
    return ElementRow(
        status=e.status.value,
        global_id=e.global_id,
        ident=ident,
        ifc_class=e.ifc_class,
        name=e.name or "",
        storey=e.storey or "",
        search=search,
        on_plan=e.global_id is not None and e.global_id in on_plan,
        findings=tuple(_finding_row(f, fmt) for f in e.findings),
        waiver="" if e.suppression is None else waiver_text(e.suppression, fmt),
    )


def _finding_row(f: Finding, fmt: Formatter) -> FindingRow:
    return FindingRow(
        status=f.status.value,
        check=f.facet,
        expected=f.expected or "",
        observed=f.observed or ("" if f.value is None else str(f.value)),
        unit=f.unit or "",
        source=fmt.t.get(f.source, f.source) if f.source else "",
        message=f.message,
    )


def _figure_row(anchor: str, requirement: str, k: KeyFigure, fmt: Formatter) -> FigureRow:
    return FigureRow(
        requirement=requirement,
        anchor=anchor,
        name=k.name,
        group=k.group or "",
        value=fmt.t["unknown"] if k.value is None else fmt.number(k.value),
        unit=k.unit or "",
        expected=k.expected or "",
        count=fmt.integer(k.count),
        status=k.status.value,
        source=fmt.t.get(k.source, k.source) if k.source else "",
        message=k.message or "",
    )


class Formatter:
    """Numbers the way each language writes them: 1 234,5 in Swedish, 1,234.5 in English."""

    def __init__(self, lang: str, t: Mapping[str, str]) -> None:
        self.lang = lang
        self.t = t

    def integer(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", "\u00a0") if self.lang == "sv" else text

    def number(self, value: float) -> str:
        # Three decimals (millimetres, per mille) unless that would round a small value to zero.
        small = value != 0 and abs(value) < 0.01
        text = f"{value:.3g}" if small else f"{value:,.3f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if self.lang == "sv":
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text
