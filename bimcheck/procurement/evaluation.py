"""Tender evaluation: admissibility, comparison figures and ranking per bid, in exact arithmetic."""

# Pure: it reads check results (bimcheck.results) and never the engine, a rule file or a
# model, so reporters may import these types (import-linter: "Reporters read results only").
# Money, points and present values are Fractions: the ranking compares exact values (a tie is
# a tie, never float noise), and reports round only when they print.

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from bimcheck.procurement.lcc import FORMULA as LCC_FORMULA
from bimcheck.procurement.lcc import LccResult, LccSpec, Quantity, life_cycle_cost
from bimcheck.results import (
    KeyFigure,
    Kind,
    ModelInfo,
    RequirementResult,
    RuleSourceInfo,
    RunResult,
    Status,
    ToolInfo,
    run_to_dict,
)

SCHEMA_VERSION = "1.0"

PRICE_MINUS_DEDUCTIONS = "price_minus_deductions"
WEIGHTED_POINTS = "weighted_points"
FIXED_BUDGET = "fixed_budget"
MODELS = (PRICE_MINUS_DEDUCTIONS, WEIGHTED_POINTS, FIXED_BUDGET)

FORMULAS = {
    PRICE_MINUS_DEDUCTIONS: (
        "comparison figure (SEK) = cost − Σ deduction(r) over the scored requirements r the bid fulfils; "
        "cost = bid price (+ life-cycle cost when the tender adds it); deduction(r) as the tender sets it, "
        "else weight(r) × sek_per_weight; the lowest comparison figure wins"
    ),
    WEIGHTED_POINTS: (
        "total (points) = price_weight × max_points × lowest cost / cost + quality_weight × max_points × "
        "Σ weight(r fulfilled) / Σ weight(r) over all scored requirements r; cost = bid price "
        "(+ life-cycle cost when the tender adds it); lowest cost among the bids not excluded; "
        "the highest total wins"
    ),
    FIXED_BUDGET: (
        "bids priced above the budget are excluded; quality points = max_points × Σ weight(r fulfilled) / "
        "Σ weight(r) over all scored requirements r; the highest quality points win; equal points: the "
        "lower bid price wins"
    ),
}
# The unit of each model's comparison figure, and whether a lower figure is better.
FIGURE_UNIT = {PRICE_MINUS_DEDUCTIONS: "SEK", WEIGHTED_POINTS: "points", FIXED_BUDGET: "points"}
LOWER_WINS = {PRICE_MINUS_DEDUCTIONS: True, WEIGHTED_POINTS: False, FIXED_BUDGET: False}

# A failing requirement's reason names this many failing elements by GlobalId.
EXAMPLES = 5


class BidStatus(StrEnum):
    """Where a bid stands after the mandatory requirements (ska-krav) and the budget.

    admitted: every mandatory requirement is met, by the model or by the bidder's declaration;
    unresolved: nothing excludes it, but something the ranking depends on is undecided (a
    manual mandatory requirement without a declaration, a requirement bimcheck could not
    evaluate, a life-cycle cost quantity it could not take off): ranked, provisionally;
    excluded: a mandatory requirement is not met or not shown to be met, or the price is
    above the budget.
    """

    ADMITTED = "admitted"
    UNRESOLVED = "unresolved"
    EXCLUDED = "excluded"


class Verdict(StrEnum):
    """What one requirement's outcome means for one bid.

    met: the model shows it (pass, or not_applicable); declared: a manual requirement the bidder
    declares fulfilled, with evidence to verify; not_met: the model fails it, or the bidder
    declares it not fulfilled; not_shown: the model lacks the data (not_evaluable), or a scored
    manual requirement is not declared; unresolved: bimcheck could not evaluate it (error), or a
    mandatory manual requirement is not declared.
    """

    MET = "met"
    DECLARED = "declared"
    NOT_MET = "not_met"
    NOT_SHOWN = "not_shown"
    UNRESOLVED = "unresolved"


CREDITED = frozenset({Verdict.MET, Verdict.DECLARED})


class Effect(StrEnum):
    """What a reason does to a bid: exclude it, leave it unresolved, or ask for verification."""

    EXCLUDES = "excludes"
    UNRESOLVED = "unresolved"
    VERIFY = "verify"


@dataclass(frozen=True, slots=True)
class Declaration:
    """A bidder's statement on a manual requirement, with the document that proves it."""

    fulfilled: bool
    evidence: str


@dataclass(frozen=True, slots=True)
class Criterion:
    """A requirement as the evaluation uses it.

    `value` is what fulfilling a scored requirement is worth: a deduction in SEK (price minus
    deductions) or a quality weight (points models); `value_source` says where it was set.
    """

    id: str
    title: str
    kind: Kind
    manual: bool = False
    weight: float | None = None
    value: Fraction | None = None
    value_source: str | None = None
    regulation: str | None = None
    verification: str | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """The evaluation model and its settings (price_weight, max_points, budget …)."""

    name: str
    settings: tuple[tuple[str, Fraction], ...] = ()

    def setting(self, name: str) -> Fraction | None:
        return next((v for k, v in self.settings if k == name), None)

    @property
    def formula(self) -> str:
        return FORMULAS[self.name]


@dataclass(frozen=True, slots=True)
class TenderInfo:
    """Which tender: its identity and the file (with hash) the evaluation was made from."""

    id: str
    title: str
    file: str
    sha256: str
    buyer: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One requirement on one bid: its status on the bid's models and what that means."""

    requirement: str
    status: Status
    verdict: Verdict
    applicable: int = 0
    failing: int = 0
    examples: tuple[str, ...] = ()
    message: str | None = None
    declaration: Declaration | None = None
    credit: Fraction | None = None  # scored and fulfilled: the deduction or weight earned
    key_figures: tuple[KeyFigure, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a bid is excluded, unresolved, or has something to verify (LOU 12 kap: the reasons)."""

    effect: Effect
    title: str
    message: str
    requirement: str | None = None  # None for the budget and the life-cycle cost
    status: Status | None = None
    failing: int = 0
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a comparison figure, with its arithmetic written out in this bid's numbers."""

    name: str  # price, life_cycle_cost, deduction, price_points, quality_points
    value: Fraction
    formula: str
    ref: str | None = None  # the requirement a deduction is for


@dataclass(frozen=True, slots=True)
class Figure:
    """A bid's comparison figure: the sum of its terms."""

    value: Fraction
    unit: str
    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class BidInput:
    """What the evaluation needs of one bid: its price, check results, declarations, quantities."""

    id: str
    supplier: str
    price: Fraction
    models: tuple[ModelInfo, ...]
    results: tuple[RequirementResult, ...]
    declarations: Mapping[str, Declaration] = field(default_factory=dict)
    quantities: Mapping[str, Quantity] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BidResult:
    """One bid after evaluation."""

    id: str
    supplier: str
    price: Fraction
    models: tuple[ModelInfo, ...]
    status: BidStatus
    reasons: tuple[Reason, ...]
    outcomes: tuple[Outcome, ...]
    lcc: LccResult | None = None
    cost: Fraction | None = None  # price (+ LCC when added): what price points compare
    figure: Figure | None = None
    rank: int | None = None
    tie: bool = False

    def outcome(self, requirement: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.requirement == requirement), None)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A whole tender evaluation: every report renders from this alone."""

    tender: TenderInfo
    tool: ToolInfo
    created: str
    model: ModelSpec
    criteria: tuple[Criterion, ...]
    bids: tuple[BidResult, ...]
    winner: str | None
    final: bool
    parameters: Mapping[str, str] = field(default_factory=dict)
    rule_sources: tuple[RuleSourceInfo, ...] = ()
    lcc: LccSpec | None = None
    notes: tuple[str, ...] = ()
    schema_version: str = SCHEMA_VERSION
    # Each bid's full check result, for the JSON report; the XML and HTML use the outcomes.
    runs: Mapping[str, RunResult] = field(default_factory=dict)

    @property
    def ranking(self) -> tuple[BidResult, ...]:
        """Ranked bids, best first; equal ranks in tender order."""
        order = {b.id: i for i, b in enumerate(self.bids)}
        ranked = [b for b in self.bids if b.rank is not None]
        return tuple(sorted(ranked, key=lambda b: (b.rank or 0, order[b.id])))

    @property
    def mandatory(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.kind is Kind.MANDATORY)

    @property
    def scored(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.kind is Kind.SCORED)


# --- numbers in formulas ----------------------------------------------------------------------


def amount_text(value: Fraction) -> str:
    """A number as formulas and reports print it: an integer as its digits, else 12 significant
    digits (the compliance XML's canonical form)."""
    if value.denominator == 1:
        return str(value.numerator)
    rounded = float(f"{float(value):.12g}")
    return repr(rounded + 0.0)


# --- one bid's outcomes -------------------------------------------------------------------------

# Which status stands for a bid with several models: grounds for exclusion first (a model
# that fails decides, whatever another could not evaluate), then what leaves it unresolved.
_PRECEDENCE = (
    Status.FAIL,
    Status.NOT_EVALUABLE,
    Status.ERROR,
    Status.MANUAL,
    Status.PASS,
    Status.NOT_APPLICABLE,
)


def _rank_of(status: Status) -> int:
    # A status this module does not know (added later) counts as an error: never as a pass.
    return _PRECEDENCE.index(status) if status in _PRECEDENCE else _PRECEDENCE.index(Status.ERROR)


def combine(results: Sequence[RequirementResult]) -> tuple[Status, list[RequirementResult]]:
    """A requirement's status on a bid of several models, and the results that decided it.

    Only models it applies to count (a structural model holds no rooms, so a room requirement
    does not fail there); if it applies to none of them, all count, so that a required
    requirement nothing satisfies still fails. The worst status of those stands.
    """
    applying = [r for r in results if r.applicable_count > 0] or list(results)
    status = min((r.status for r in applying), key=_rank_of)
    return status, [r for r in applying if r.status is status]


def _element_label(global_id: str | None, step_id: int) -> str:
    return global_id or f"#{step_id}"


def _outcome(
    criterion: Criterion, results: Sequence[RequirementResult], declaration: Declaration | None, multi: bool
) -> Outcome:
    if not results:
        return Outcome(
            criterion.id, Status.ERROR, Verdict.UNRESOLVED, message="no result for this requirement"
        )
    status, deciding = combine(results)
    failing_elements = [
        (r, e) for r in deciding for e in r.elements if e.status is status and status is not Status.PASS
    ]
    examples = tuple(_element_label(e.global_id, e.step_id) for _, e in failing_elements[:EXAMPLES])
    messages = [f"{r.model}: {r.message}" if multi else r.message for r in deciding if r.message]
    if status is Status.MANUAL:
        if declaration is None:
            verdict = Verdict.UNRESOLVED if criterion.kind is Kind.MANDATORY else Verdict.NOT_SHOWN
        else:
            verdict = Verdict.DECLARED if declaration.fulfilled else Verdict.NOT_MET
    elif status in (Status.PASS, Status.NOT_APPLICABLE):
        verdict = Verdict.MET
    elif status is Status.FAIL:
        verdict = Verdict.NOT_MET
    elif status is Status.NOT_EVALUABLE:
        verdict = Verdict.NOT_SHOWN
    else:
        verdict = Verdict.UNRESOLVED
    credit = criterion.value if criterion.kind is Kind.SCORED and verdict in CREDITED else None
    return Outcome(
        requirement=criterion.id,
        status=status,
        verdict=verdict,
        applicable=sum(r.applicable_count for r in results),
        failing=len(failing_elements),
        examples=examples,
        message="; ".join(messages) or None,
        declaration=declaration,
        credit=credit,
        key_figures=tuple(k for r in results for k in r.key_figures),
    )


def _reason(criterion: Criterion, outcome: Outcome) -> Reason | None:
    mandatory = criterion.kind is Kind.MANDATORY
    # The engine's message says how many elements failed, or why a key figure is out of bounds.
    what = outcome.message or (
        f"{outcome.failing} element(s) {outcome.status.value}" if outcome.failing else ""
    )
    if outcome.verdict is Verdict.NOT_MET and mandatory:
        if outcome.declaration is not None:
            message = f"the bidder declares it not fulfilled ({outcome.declaration.evidence})"
        else:
            message = what or "not met"
        return _requirement_reason(Effect.EXCLUDES, criterion, outcome, message)
    if outcome.verdict is Verdict.NOT_SHOWN and mandatory:
        message = f"the model does not show that it is met: {what or 'data missing'}"
        return _requirement_reason(Effect.EXCLUDES, criterion, outcome, message)
    if outcome.verdict is Verdict.UNRESOLVED:
        if outcome.status is Status.MANUAL:
            message = (
                "manual requirement without the bidder's declaration: neither passed nor excluded "
                "until it is declared or verified by hand"
            )
        else:
            message = f"bimcheck could not evaluate it: {outcome.message or outcome.status.value}"
        return _requirement_reason(Effect.UNRESOLVED, criterion, outcome, message)
    if outcome.verdict is Verdict.DECLARED:
        assert outcome.declaration is not None
        message = f"declared fulfilled by the bidder; verify the evidence: {outcome.declaration.evidence}"
        return _requirement_reason(Effect.VERIFY, criterion, outcome, message)
    return None


def _requirement_reason(effect: Effect, criterion: Criterion, outcome: Outcome, message: str) -> Reason:
    return Reason(
        effect=effect,
        title=criterion.title,
        message=message,
        requirement=criterion.id,
        status=outcome.status,
        failing=outcome.failing,
        examples=outcome.examples,
    )


# --- the evaluation -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Bid:
    """A bid during evaluation, before it is ranked."""

    source: BidInput
    outcomes: list[Outcome]
    reasons: list[Reason]
    lcc: LccResult | None
    cost: Fraction | None
    figure: Figure | None = None

    @property
    def status(self) -> BidStatus:
        effects = {r.effect for r in self.reasons}
        if Effect.EXCLUDES in effects:
            return BidStatus.EXCLUDED
        if Effect.UNRESOLVED in effects:
            return BidStatus.UNRESOLVED
        return BidStatus.ADMITTED


def evaluate(
    *,
    tender: TenderInfo,
    tool: ToolInfo,
    created: str,
    model: ModelSpec,
    criteria: Sequence[Criterion],
    bids: Sequence[BidInput],
    lcc: LccSpec | None = None,
    parameters: Mapping[str, str] | None = None,
    rule_sources: Sequence[RuleSourceInfo] = (),
    runs: Mapping[str, RunResult] | None = None,
) -> Evaluation:
    """Decide each bid's admissibility, compute its comparison figure, rank the bids."""
    if model.name not in MODELS:
        raise ValueError(f"unknown evaluation model {model.name!r}")
    work = [_assess(model, criteria, bid, lcc) for bid in bids]
    _figures(model, criteria, work, lcc)
    ranks = _rank(model, work)
    results = tuple(
        BidResult(
            id=b.source.id,
            supplier=b.source.supplier,
            price=b.source.price,
            models=b.source.models,
            status=b.status,
            reasons=tuple(b.reasons),
            outcomes=tuple(b.outcomes),
            lcc=b.lcc,
            cost=b.cost,
            figure=b.figure,
            rank=ranks.get(b.source.id, (None, False))[0],
            tie=ranks.get(b.source.id, (None, False))[1],
        )
        for b in work
    )
    winner, final, notes = _verdict(results)
    return Evaluation(
        tender=tender,
        tool=tool,
        created=created,
        model=model,
        criteria=tuple(criteria),
        bids=results,
        winner=winner,
        final=final,
        parameters=dict(sorted((parameters or {}).items())),
        rule_sources=tuple(rule_sources),
        lcc=lcc,
        notes=tuple(notes),
        runs=dict(runs or {}),
    )


def _assess(model: ModelSpec, criteria: Sequence[Criterion], bid: BidInput, lcc: LccSpec | None) -> _Bid:
    by_requirement: dict[str, list[RequirementResult]] = {}
    for r in bid.results:
        by_requirement.setdefault(r.id, []).append(r)
    multi = len(bid.models) > 1
    outcomes = []
    reasons = []
    for criterion in criteria:
        outcome = _outcome(
            criterion, by_requirement.get(criterion.id, []), bid.declarations.get(criterion.id), multi
        )
        outcomes.append(outcome)
        reason = _reason(criterion, outcome)
        if reason is not None:
            reasons.append(reason)
    budget = model.setting("budget")
    if model.name == FIXED_BUDGET and budget is not None and bid.price > budget:
        reasons.append(
            Reason(
                Effect.EXCLUDES,
                "budget",
                f"the bid price {amount_text(bid.price)} SEK is above the budget {amount_text(budget)} SEK",
            )
        )
    lcc_result = None if lcc is None else life_cycle_cost(lcc, bid.quantities)
    cost: Fraction | None = bid.price
    if lcc is not None and lcc_result is not None and lcc.add_to_price:
        cost = None if lcc_result.total is None else bid.price + lcc_result.total
        for c in lcc_result.components:
            if c.present_value is None:
                reasons.append(
                    Reason(
                        Effect.UNRESOLVED,
                        f"life-cycle cost: {c.spec.title}",
                        f"the quantity cannot be taken from the bid ({c.quantity.message or 'unknown'}), "
                        "so the comparison figure cannot be computed",
                    )
                )
    return _Bid(bid, outcomes, reasons, lcc_result, cost)


def _figures(model: ModelSpec, criteria: Sequence[Criterion], bids: list[_Bid], lcc: LccSpec | None) -> None:
    """Each bid's comparison figure; excluded bids get none and take no part in relative terms."""
    competing = [b for b in bids if b.status is not BidStatus.EXCLUDED and b.cost is not None]
    added = lcc is not None and lcc.add_to_price
    scored = [c for c in criteria if c.kind is Kind.SCORED]
    if model.name == PRICE_MINUS_DEDUCTIONS:
        for b in competing:
            assert b.cost is not None
            items = [Term("price", b.source.price, f"bid price {amount_text(b.source.price)}")]
            if added:
                assert b.lcc is not None
                assert b.lcc.total is not None
                items.append(
                    Term(
                        "life_cycle_cost", b.lcc.total, f"present value of the life-cycle cost {_lcc_sum(b)}"
                    )
                )
            for o in b.outcomes:
                if o.credit is not None:
                    items.append(
                        Term(
                            "deduction",
                            -o.credit,
                            f"− deduction for {o.requirement} ({o.verdict.value}): {amount_text(o.credit)}",
                            o.requirement,
                        )
                    )
            b.figure = Figure(sum((t.value for t in items), Fraction(0)), "SEK", tuple(items))
        return
    max_points = model.setting("max_points") or Fraction(100)
    total_weight = sum((c.value or Fraction(0) for c in scored), Fraction(0))
    lowest = min((b.cost for b in competing if b.cost is not None), default=None)
    for b in competing:
        earned = sum((o.credit for o in b.outcomes if o.credit is not None), Fraction(0))
        quality = max_points * earned / total_weight if total_weight else Fraction(0)
        credited = " + ".join(
            f"{amount_text(o.credit)} ({o.requirement})" for o in b.outcomes if o.credit is not None
        )
        quality_text = f"{amount_text(max_points)} × ({credited or '0'}) / {amount_text(total_weight)}"
        if model.name == FIXED_BUDGET:
            b.figure = Figure(
                quality,
                "points",
                (Term("quality_points", quality, f"{quality_text} = {amount_text(quality)}"),),
            )
            continue
        assert b.cost is not None
        assert lowest is not None
        w_price = model.setting("price_weight") or Fraction(0)
        w_quality = model.setting("quality_weight") or Fraction(0)
        price_points = max_points * lowest / b.cost
        cost_text = (
            f"{amount_text(b.source.price)} + {amount_text(b.cost - b.source.price)}" if added else None
        )
        terms = (
            Term(
                "price_points",
                w_price * price_points,
                f"{amount_text(w_price)} × {amount_text(max_points)} × {amount_text(lowest)} / "
                f"{amount_text(b.cost)}{f' ({cost_text})' if cost_text else ''} = {amount_text(w_price)} × "
                f"{amount_text(price_points)} = {amount_text(w_price * price_points)}",
            ),
            Term(
                "quality_points",
                w_quality * quality,
                f"{amount_text(w_quality)} × {quality_text} = {amount_text(w_quality)} × "
                f"{amount_text(quality)} = {amount_text(w_quality * quality)}",
            ),
        )
        b.figure = Figure(sum((t.value for t in terms), Fraction(0)), "points", terms)


def _lcc_sum(bid: _Bid) -> str:
    assert bid.lcc is not None
    parts = [
        f"{amount_text(c.present_value)} ({c.spec.id})"
        for c in bid.lcc.components
        if c.present_value is not None
    ]
    return " + ".join(parts) or "0"


def _rank(model: ModelSpec, bids: list[_Bid]) -> dict[str, tuple[int, bool]]:
    """Competition ranking (1, 1, 3): equal keys share a rank and are marked as a tie."""
    ranked = [b for b in bids if b.figure is not None]

    def key(b: _Bid) -> tuple[Fraction, ...]:
        assert b.figure is not None
        if model.name == PRICE_MINUS_DEDUCTIONS:
            return (b.figure.value,)
        if model.name == FIXED_BUDGET:
            return (-b.figure.value, b.source.price)
        return (-b.figure.value,)

    ordered = sorted(ranked, key=key)  # stable: equal keys stay in tender order
    out: dict[str, tuple[int, bool]] = {}
    for position, b in enumerate(ordered, 1):
        same = [o for o in ordered if key(o) == key(b)]
        first = ordered.index(same[0]) + 1
        out[b.source.id] = (first if len(same) > 1 else position, len(same) > 1)
    return out


def _verdict(bids: Sequence[BidResult]) -> tuple[str | None, bool, list[str]]:
    """The winner (a unique first rank), whether the result is final, and what remains to do."""
    notes = []
    first = [b for b in bids if b.rank == 1]
    unresolved = [b for b in bids if b.status is BidStatus.UNRESOLVED]
    winner = first[0].id if len(first) == 1 else None
    if not any(b.rank is not None for b in bids):
        notes.append("no bid can be ranked: every bid is excluded or its comparison figure is unknown")
    if len(first) > 1:
        notes.append(
            f"bids {', '.join(b.id for b in first)} share the first rank: the tie-break rule of the "
            "procurement documents decides"
        )
    if unresolved:
        notes.append(
            f"the ranking is provisional: bid(s) {', '.join(b.id for b in unresolved)} are unresolved "
            "(see their reasons); resolve them and evaluate again"
        )
    if winner is not None:
        chosen = first[0]
        to_verify = [r for r in chosen.reasons if r.effect is Effect.VERIFY]
        if to_verify:
            ids = ", ".join(r.requirement or r.title for r in to_verify)
            notes.append(f"before award, verify the evidence of the winner's declarations ({ids})")
    final = winner is not None and not unresolved
    return winner, final, notes


# --- JSON form ----------------------------------------------------------------------------------


def _num(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    return value.numerator if value.denominator == 1 else float(amount_text(value))


def _key_figure(k: KeyFigure) -> dict[str, Any]:
    return {"name": k.name, "group": k.group, "value": k.value, "unit": k.unit, "status": k.status.value}


def _model(m: ModelInfo) -> dict[str, Any]:
    return {"name": m.name, "path": m.path, "size": m.size, "sha256": m.sha256, "schema": m.schema}


def _reasons(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    return [
        {
            "effect": r.effect.value,
            "requirement": r.requirement,
            "title": r.title,
            "status": None if r.status is None else r.status.value,
            "failing": r.failing,
            "examples": list(r.examples),
            "message": r.message,
        }
        for r in reasons
    ]


def _lcc_result(result: LccResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "total": _num(result.total),
        "components": [
            {
                "id": c.spec.id,
                "quantity": _num(c.quantity.value),
                "unit": c.quantity.unit,
                "source": c.quantity.source,
                "count": c.quantity.count,
                "message": c.quantity.message,
                "unit_cost": _num(c.spec.unit_cost),
                "years": list(c.years),
                "factor": _num(c.factor),
                "present_value": _num(c.present_value),
            }
            for c in result.components
        ],
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The JSON form: everything the XML holds, plus each bid's full check result."""
    e = evaluation
    lcc = e.lcc
    return {
        "schema_version": e.schema_version,
        "tool": {
            "name": e.tool.name,
            "version": e.tool.version,
            "ifcopenshell": e.tool.ifcopenshell,
            "python": e.tool.python,
        },
        "created": e.created,
        "tender": {
            "id": e.tender.id,
            "title": e.tender.title,
            "buyer": e.tender.buyer,
            "file": e.tender.file,
            "sha256": e.tender.sha256,
        },
        "parameters": dict(sorted(e.parameters.items())),
        "rule_sources": [
            {"path": s.path, "format": s.format, "sha256": s.sha256, "title": s.title, "version": s.version}
            for s in e.rule_sources
        ],
        "evaluation_model": {
            "name": e.model.name,
            "formula": e.model.formula,
            "settings": {k: _num(v) for k, v in e.model.settings},
        },
        "life_cycle_cost": None
        if lcc is None
        else {
            "formula": LCC_FORMULA,
            "discount_rate": _num(lcc.discount_rate),
            "period": lcc.period,
            "add_to_price": lcc.add_to_price,
            "components": [
                {
                    "id": c.id,
                    "title": c.title,
                    "kind": c.kind,
                    "basis": c.basis,
                    "unit": c.unit,
                    "unit_cost": _num(c.unit_cost),
                    "lifetime": c.lifetime,
                }
                for c in lcc.components
            ],
        },
        "criteria": [
            {
                "id": c.id,
                "title": c.title,
                "kind": c.kind.value,
                "manual": c.manual,
                "weight": c.weight,
                "value": _num(c.value),
                "value_source": c.value_source,
                "regulation": c.regulation,
                "verification": c.verification,
            }
            for c in e.criteria
        ],
        "bids": [
            {
                "id": b.id,
                "supplier": b.supplier,
                "price": _num(b.price),
                "status": b.status.value,
                "rank": b.rank,
                "tie": b.tie,
                "cost": _num(b.cost),
                "models": [_model(m) for m in b.models],
                "reasons": _reasons(b.reasons),
                "outcomes": [
                    {
                        "requirement": o.requirement,
                        "status": o.status.value,
                        "verdict": o.verdict.value,
                        "applicable": o.applicable,
                        "failing": o.failing,
                        "examples": list(o.examples),
                        "message": o.message,
                        "declaration": None
                        if o.declaration is None
                        else {"fulfilled": o.declaration.fulfilled, "evidence": o.declaration.evidence},
                        "credit": _num(o.credit),
                        "key_figures": [_key_figure(k) for k in o.key_figures],
                    }
                    for o in b.outcomes
                ],
                "life_cycle_cost": _lcc_result(b.lcc),
                "comparison_figure": None
                if b.figure is None
                else {
                    "value": _num(b.figure.value),
                    "unit": b.figure.unit,
                    "terms": [
                        {"name": t.name, "ref": t.ref, "value": _num(t.value), "formula": t.formula}
                        for t in b.figure.terms
                    ],
                },
                "run": run_to_dict(e.runs[b.id]) if b.id in e.runs else None,
            }
            for b in e.bids
        ],
        "ranking": [{"rank": b.rank, "bid": b.id, "tie": b.tie} for b in e.ranking],
        "winner": e.winner,
        "final": e.final,
        "notes": list(e.notes),
    }
