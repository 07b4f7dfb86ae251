"""Evaluation arithmetic on hand-made check results: verdicts, exclusion, LCC, ranking, reports."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import pairwise

import pytest
from lxml import etree

from bimcheck.procurement.evaluation import (
    FIXED_BUDGET,
    PRICE_MINUS_DEDUCTIONS,
    WEIGHTED_POINTS,
    BidInput,
    BidStatus,
    Criterion,
    Declaration,
    Effect,
    Evaluation,
    ModelSpec,
    TenderInfo,
    Verdict,
    amount_text,
    combine,
    evaluate,
    evaluation_to_dict,
)
from bimcheck.procurement.lcc import (
    ANNUAL,
    REINVESTMENT,
    ComponentSpec,
    LccSpec,
    Quantity,
    factor,
    life_cycle_cost,
    years,
)
from bimcheck.reporters import evaluation_html
from bimcheck.reporters.evaluation_outputs import console, parse_outputs
from bimcheck.reporters.evaluation_xml import render_bytes, schema
from bimcheck.results import ElementResult, Kind, ModelInfo, RequirementResult, Status, ToolInfo

M, S = Kind.MANDATORY, Kind.SCORED


def result(
    rid: str,
    status: Status,
    *,
    model: str = "m.ifc",
    applicable: int = 1,
    failing: Sequence[str] = (),
    message: str | None = None,
) -> RequirementResult:
    elements = tuple(ElementResult(g, "IfcWindow", status) for g in failing)
    return RequirementResult(
        id=rid,
        title=rid,
        status=status,
        model=model,
        applicable_count=applicable,
        elements=elements,
        message=message,
    )


def model_info(name: str = "m.ifc") -> ModelInfo:
    return ModelInfo(path=name, name=name, size=1, sha256="0" * 64, schema="IFC4")


def bid(
    bid_id: str,
    price: int,
    statuses: Mapping[str, Status],
    declarations: Mapping[str, Declaration] | None = None,
    quantities: Mapping[str, Quantity] | None = None,
) -> BidInput:
    return BidInput(
        id=bid_id,
        supplier=f"Supplier {bid_id}",
        price=Fraction(price),
        models=(model_info(),),
        results=tuple(result(rid, s) for rid, s in statuses.items()),
        declarations=declarations or {},
        quantities=quantities or {},
    )


def run(
    model: ModelSpec, criteria: Sequence[Criterion], bids: Sequence[BidInput], lcc: LccSpec | None = None
) -> Evaluation:
    return evaluate(
        tender=TenderInfo("T", "Tender", "tender.yaml", "a" * 64),
        tool=ToolInfo("bimcheck", "0", "0", "3"),
        created="2026-01-01T00:00:00Z",
        model=model,
        criteria=criteria,
        bids=bids,
        lcc=lcc,
    )


def by_id(evaluation: Evaluation, bid_id: str):  # type: ignore[no-untyped-def]
    return next(b for b in evaluation.bids if b.id == bid_id)


CRITERIA = (
    Criterion("M1", "Mandatory one", M),
    Criterion("S1", "Scored one", S, weight=3, value=Fraction(300_000)),
    Criterion("S2", "Scored two", S, weight=1, value=Fraction(100_000)),
)
DEDUCTIONS = ModelSpec(PRICE_MINUS_DEDUCTIONS)
P, F = Status.PASS, Status.FAIL


# --- a requirement on a bid -------------------------------------------------------------------------


def test_a_bid_of_several_models_is_judged_on_the_models_a_requirement_applies_to() -> None:
    rooms = result("R", Status.PASS, model="arch.ifc", applicable=4)
    no_rooms = result("R", Status.FAIL, model="struct.ifc", applicable=0, message="no applicable element")
    assert combine([rooms, no_rooms])[0] is Status.PASS
    # A failure where it applies decides, whatever the other model says.
    failing = result("R", Status.FAIL, model="struct.ifc", applicable=2)
    assert combine([rooms, failing]) == (Status.FAIL, [failing])
    # Applying nowhere, a required requirement still fails.
    assert combine([no_rooms, result("R", Status.FAIL, model="x.ifc", applicable=0)])[0] is Status.FAIL
    # Grounds for exclusion outrank what bimcheck could not evaluate.
    error = result("R", Status.ERROR, model="x.ifc", applicable=1)
    assert combine([error, result("R", Status.NOT_EVALUABLE, applicable=1)])[0] is Status.NOT_EVALUABLE


DECLARED = Declaration(True, "Bilaga 3")
DECLARED_NOT = Declaration(False, "Bilaga 3")


@pytest.mark.parametrize(
    ("kind", "status", "declaration", "verdict", "effect"),
    [
        (M, Status.PASS, None, Verdict.MET, None),
        (M, Status.NOT_APPLICABLE, None, Verdict.MET, None),
        (M, Status.FAIL, None, Verdict.NOT_MET, Effect.EXCLUDES),
        (M, Status.NOT_EVALUABLE, None, Verdict.NOT_SHOWN, Effect.EXCLUDES),
        (M, Status.ERROR, None, Verdict.UNRESOLVED, Effect.UNRESOLVED),
        (M, Status.MANUAL, None, Verdict.UNRESOLVED, Effect.UNRESOLVED),
        (M, Status.MANUAL, DECLARED, Verdict.DECLARED, Effect.VERIFY),
        (M, Status.MANUAL, DECLARED_NOT, Verdict.NOT_MET, Effect.EXCLUDES),
        (S, Status.PASS, None, Verdict.MET, None),
        (S, Status.FAIL, None, Verdict.NOT_MET, None),
        (S, Status.NOT_EVALUABLE, None, Verdict.NOT_SHOWN, None),
        (S, Status.ERROR, None, Verdict.UNRESOLVED, Effect.UNRESOLVED),
        (S, Status.MANUAL, None, Verdict.NOT_SHOWN, None),
        (S, Status.MANUAL, DECLARED, Verdict.DECLARED, Effect.VERIFY),
        (S, Status.MANUAL, DECLARED_NOT, Verdict.NOT_MET, None),
    ],
)
def test_what_each_status_means_for_a_bid(
    kind: Kind, status: Status, declaration: Declaration | None, verdict: Verdict, effect: Effect | None
) -> None:
    criterion = Criterion(
        "R", "R", kind, manual=status is Status.MANUAL, value=Fraction(1) if kind is S else None
    )
    declarations = {} if declaration is None else {"R": declaration}
    evaluation = run(DEDUCTIONS, [criterion], [bid("A", 100, {"R": status}, declarations)])
    a = by_id(evaluation, "A")
    outcome = a.outcome("R")
    assert outcome.verdict is verdict
    assert [r.effect for r in a.reasons] == ([] if effect is None else [effect])
    # Only a scored requirement shown or declared fulfilled earns its value.
    assert (outcome.credit is not None) == (kind is S and verdict in (Verdict.MET, Verdict.DECLARED))


def test_an_exclusion_reason_names_the_failing_elements() -> None:
    failing = result("M1", F, applicable=9, failing=[f"G{i}" for i in range(7)], message="7 of 9 fail")
    a = BidInput("A", "Alfa", Fraction(10), (model_info(),), (failing,))
    (reason,) = by_id(run(DEDUCTIONS, CRITERIA[:1], [a]), "A").reasons
    assert reason.effect is Effect.EXCLUDES
    assert (reason.requirement, reason.title, reason.failing) == ("M1", "Mandatory one", 7)
    assert reason.examples == ("G0", "G1", "G2", "G3", "G4")  # the first five
    assert reason.message == "7 of 9 fail"


# --- life-cycle cost ------------------------------------------------------------------------------------


def component(kind: str = REINVESTMENT, lifetime: int | None = 30, cost: int = 1000) -> ComponentSpec:
    return ComponentSpec("c", "C", kind, Fraction(cost), "basis", lifetime)


def test_reinvestments_fall_in_the_years_before_the_end_of_the_period() -> None:
    spec = LccSpec(Fraction(4, 100), 50, ())
    assert years(spec, component(lifetime=30)) == (30,)
    assert years(spec, component(lifetime=10)) == (10, 20, 30, 40)  # not 50: it would serve beyond
    assert years(spec, component(lifetime=50)) == ()
    assert years(spec, component(lifetime=60)) == ()
    assert years(spec, component(ANNUAL, None)) == tuple(range(1, 51))


def test_present_value_factors_by_hand() -> None:
    # r = 0.04, L = 30, T = 50: F = 1.04^-30 = 0.308318668
    assert factor(LccSpec(Fraction(4, 100), 50, ()), component(lifetime=30)) == Fraction(100, 104) ** 30
    assert float(Fraction(100, 104) ** 30) == pytest.approx(0.308318668, abs=1e-9)
    # r = 0.10, yearly over 3 years: 1/1.1 + 1/1.21 + 1/1.331 = 0.909091 + 0.826446 + 0.751315 = 2.486852
    annual = factor(LccSpec(Fraction(1, 10), 3, ()), component(ANNUAL, None))
    assert annual == Fraction(10, 11) + Fraction(100, 121) + Fraction(1000, 1331)
    assert float(annual) == pytest.approx(2.486852, abs=1e-6)
    # r = 0: every replacement at full price: L = 10, T = 35 → years 10, 20, 30 → F = 3
    assert factor(LccSpec(Fraction(0), 35, ()), component(lifetime=10)) == 3


def test_life_cycle_cost_sums_quantity_times_unit_cost_times_factor() -> None:
    # windows: 12.5 m² × 4 000 SEK × 1.05^-25 (0.2953028) = 14 765.14
    # energy: 2 000 kWh × 1.2 SEK × Σ_{t=1..40} 1.05^-t (17.1590864) = 41 181.81
    spec = LccSpec(
        Fraction(5, 100),
        40,
        (
            ComponentSpec("win", "Windows", REINVESTMENT, Fraction(4000), "sum(glazed_area)", 25, "m2"),
            ComponentSpec("energy", "Energy", ANNUAL, Fraction(6, 5), "declared", None, "kWh"),
        ),
    )
    cost = life_cycle_cost(spec, {"win": Quantity(Fraction(25, 2)), "energy": Quantity(Fraction(2000))})
    assert cost.total is not None
    assert float(cost.total) == pytest.approx(14_765.14 + 41_181.81, abs=0.01)
    assert [float(c.present_value or 0) for c in cost.components] == pytest.approx(
        [14_765.14, 41_181.81], abs=0.01
    )
    unknown = life_cycle_cost(spec, {"win": Quantity(None, message="no GlazingAreaFraction")})
    assert unknown.total is None


# --- each model --------------------------------------------------------------------------------------


def test_equal_comparison_figures_share_a_rank_and_name_no_winner() -> None:
    # A: 1 000 000 − 300 000 = 700 000; B: 800 000 − 100 000 = 700 000
    bids = [
        bid("A", 1_000_000, {"M1": P, "S1": P, "S2": F}),
        bid("B", 800_000, {"M1": P, "S1": F, "S2": P}),
    ]
    evaluation = run(DEDUCTIONS, CRITERIA, bids)
    assert [(b.rank, b.id, b.tie) for b in evaluation.ranking] == [(1, "A", True), (1, "B", True)]
    assert evaluation.winner is None
    assert not evaluation.final
    assert "share the first rank" in evaluation.notes[0]


def test_fixed_budget_breaks_equal_points_by_the_lower_price() -> None:
    spec = ModelSpec(FIXED_BUDGET, (("budget", Fraction(1_000_000)), ("max_points", Fraction(10))))
    bids = [
        bid("A", 950_000, {"M1": P, "S1": P, "S2": F}),
        bid("B", 900_000, {"M1": P, "S1": P, "S2": F}),
        bid("C", 1_000_001, {"M1": P, "S1": P, "S2": P}),  # best quality, one krona over budget
        bid("D", 900_000, {"M1": P, "S1": P, "S2": F}),
    ]
    evaluation = run(spec, CRITERIA, bids)
    # A, B, D: 10 × 3 / 4 = 7.5 points; B and D cheaper than A, and equal to each other.
    assert [(b.rank, b.id, b.tie) for b in evaluation.ranking] == [
        (1, "B", True),
        (1, "D", True),
        (3, "A", False),
    ]
    c = by_id(evaluation, "C")
    assert c.status is BidStatus.EXCLUDED
    assert c.reasons[0].message == "the bid price 1000001 SEK is above the budget 1000000 SEK"
    assert by_id(evaluation, "A").figure.value == Fraction(15, 2)


def test_price_points_start_from_the_lowest_price_of_the_bids_not_excluded() -> None:
    spec = ModelSpec(
        WEIGHTED_POINTS,
        (
            ("price_weight", Fraction(7, 10)),
            ("quality_weight", Fraction(3, 10)),
            ("max_points", Fraction(100)),
        ),
    )
    bids = [
        bid("A", 1_000_000, {"M1": P, "S1": P, "S2": P}),
        bid("B", 1_250_000, {"M1": P, "S1": F, "S2": P}),
        bid("X", 500_000, {"M1": F, "S1": P, "S2": P}),  # cheapest, excluded: does not set the scale
    ]
    evaluation = run(spec, CRITERIA, bids)
    # A: 0.7 × 100 × 1 000 000 / 1 000 000 + 0.3 × 100 × 4/4 = 70 + 30 = 100
    # B: 0.7 × 100 × 1 000 000 / 1 250 000 + 0.3 × 100 × 1/4 = 56 + 7.5 = 63.5
    # (the criteria's values serve as weights here: 300 000 and 100 000, so S2 alone is 1/4)
    assert by_id(evaluation, "A").figure.value == 100
    assert by_id(evaluation, "B").figure.value == Fraction(127, 2)
    assert evaluation.winner == "A"
    terms = {t.name: t.formula for t in by_id(evaluation, "B").figure.terms}
    assert terms["price_points"] == "0.7 × 100 × 1000000 / 1250000 = 0.7 × 80 = 56"
    assert terms["quality_points"] == "0.3 × 100 × (100000 (S2)) / 400000 = 0.3 × 25 = 7.5"


@pytest.mark.parametrize("cheapest", [1, 1000, 900_000])
def test_price_points_keep_falling_with_the_price_and_have_no_floor(cheapest: int) -> None:
    # HFD 2022 ref. 41: a lower price must always be worth something. Whatever the lowest
    # price, every cut earns points and the lowest always gets the maximum.
    spec = ModelSpec(WEIGHTED_POINTS, (("price_weight", Fraction(1)), ("quality_weight", Fraction(0))))
    prices = [cheapest, 1_000_000, 1_000_001, 2_000_000]
    bids = [bid(f"B{i}", p, {"M1": P, "S1": P, "S2": P}) for i, p in enumerate(prices)]
    figures = [by_id(run(spec, CRITERIA, bids), f"B{i}").figure.value for i in range(len(prices))]
    assert figures[0] == 100
    assert all(a > b for a, b in pairwise(figures))


def test_an_unresolved_bid_is_ranked_provisionally() -> None:
    bids = [
        bid("A", 900_000, {"M1": Status.ERROR, "S1": P, "S2": P}),
        bid("B", 1_000_000, {"M1": P, "S1": P}),
    ]
    evaluation = run(DEDUCTIONS, CRITERIA, bids)
    a = by_id(evaluation, "A")
    assert a.status is BidStatus.UNRESOLVED
    assert a.rank == 1
    assert evaluation.winner == "A"
    assert not evaluation.final
    assert "bimcheck could not evaluate it" in a.reasons[0].message


def test_an_unknown_lcc_quantity_leaves_the_bid_unranked_when_lcc_is_added() -> None:
    lcc = LccSpec(Fraction(0), 10, (component(lifetime=5),), add_to_price=True)
    known = {"c": Quantity(Fraction(2))}
    bids = [
        bid("A", 1_000, {"M1": P}, quantities={"c": Quantity(None, message="no area")}),
        bid("B", 2_000, {"M1": P}, quantities=known),
    ]
    evaluation = run(DEDUCTIONS, CRITERIA[:1], bids, lcc)
    a = by_id(evaluation, "A")
    assert a.status is BidStatus.UNRESOLVED
    assert a.figure is None
    assert a.rank is None
    assert "no area" in a.reasons[0].message
    # B: 2 000 + 2 × 1 000 × 1 (one replacement, year 5, at r = 0) = 4 000
    assert by_id(evaluation, "B").figure.value == 4_000
    # Reported only: the figure is the price, and A is ranked.
    informative = run(
        DEDUCTIONS, CRITERIA[:1], bids, LccSpec(Fraction(0), 10, lcc.components, add_to_price=False)
    )
    assert [(b.id, b.figure.value) for b in informative.ranking] == [("A", 1_000), ("B", 2_000)]


# --- reports ----------------------------------------------------------------------------------------


@pytest.fixture
def full() -> Evaluation:
    """An evaluation with every feature: LCC, declarations, exclusion, an unresolved bid, a tie."""
    lcc = LccSpec(
        Fraction(3, 100),
        30,
        (
            ComponentSpec(
                "win", "Fönster", REINVESTMENT, Fraction(5000), "sum(glazed_area) of IfcWindow", 25, "m2"
            ),
            ComponentSpec("el", 'El <& "energi">', ANNUAL, Fraction(6, 5), "declared by the bidder: kwh"),
        ),
    )
    q = {"win": Quantity(Fraction(12), "m2", "property", 4), "el": Quantity(Fraction(3000), "kWh")}
    criteria = (*CRITERIA, Criterion("M2", "Manual", M, manual=True, verification="Intyg"))
    bids = [
        bid("A", 1_000_000, {"M1": P, "S1": P, "S2": F, "M2": Status.MANUAL}, {"M2": DECLARED}, q),
        bid("B", 900_000, {"M1": F, "S1": P, "S2": P, "M2": Status.MANUAL}, {}, q),
        bid("C", 1_050_000, {"M1": P, "S1": F, "S2": P, "M2": Status.MANUAL}, {}, q),
    ]
    return run(DEDUCTIONS, criteria, bids, lcc)


def test_the_evaluation_xml_is_valid_and_canonical(full: Evaluation) -> None:
    data = render_bytes(full)
    assert data == render_bytes(full)
    root = etree.fromstring(data)
    schema().assertValid(root)
    text = data.decode("utf-8")
    assert 'price="1000000"' in text  # integers as digits, never 1000000.0
    assert 'discountRate="0.03"' in text
    assert 'El &lt;&amp; "energi"&gt;' in text


def test_the_json_form_is_plain_data(full: Evaluation) -> None:
    data = evaluation_to_dict(full)
    assert json.loads(json.dumps(data)) == data
    assert data["bids"][1]["status"] == "excluded"
    assert data["bids"][0]["comparison_figure"]["terms"][0] == {
        "name": "price",
        "ref": None,
        "value": 1_000_000,
        "formula": "bid price 1000000",
    }


def test_every_html_string_exists_in_both_languages() -> None:
    sv, en = evaluation_html.STRINGS["sv"], evaluation_html.STRINGS["en"]
    assert set(sv) == set(en)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_html_matrix_has_a_row_per_requirement_mandatory_first(full: Evaluation, lang: str) -> None:
    page = evaluation_html.render(full, lang)
    assert page == evaluation_html.render(full, lang)
    body = page[page.index('<section id="matrix">') : page.index('<section id="reasons">')]
    assert [body.index(f"<strong>{rid}</strong>") for rid in ("M1", "M2", "S1", "S2")] == sorted(
        body.index(f"<strong>{rid}</strong>") for rid in ("M1", "M2", "S1", "S2")
    )
    assert body.count('class="cell"') == 4 * 3
    assert "El &lt;&amp; &#34;energi&#34;&gt;" in page or "El &lt;&amp; &quot;energi&quot;&gt;" in page
    assert "<script" not in page
    assert "src=" not in page
    strings = evaluation_html.STRINGS[lang]
    assert strings["b_excluded"] in page


def test_an_unknown_report_language_is_refused(full: Evaluation) -> None:
    with pytest.raises(ValueError, match="choose from sv, en"):
        evaluation_html.render(full, "de")


def test_the_console_summary_lists_ranking_exclusions_and_what_to_do(full: Evaluation) -> None:
    text = console(full)
    assert "Excluded:\n  B  Supplier B\n    M1 Mandatory one: not met" in text
    assert "C: [unresolved] M2 Manual" in text
    assert "A: [verify] M2 Manual: declared fulfilled by the bidder; verify the evidence: Bilaga 3" in text
    assert "Winner (provisional): A  Supplier A" in text


def test_output_specs_are_checked_before_anything_runs() -> None:
    assert parse_outputs(["xml:e.xml", "console"]) == [("xml", "e.xml"), ("console", None)]
    with pytest.raises(ValueError, match="unknown output format 'bcf'"):
        parse_outputs(["bcf:x.bcf"])
    with pytest.raises(ValueError, match="only one output can go to stdout"):
        parse_outputs(["json", "console"])


def test_amounts_print_as_integers_or_twelve_significant_digits() -> None:
    assert amount_text(Fraction(10_400_000)) == "10400000"
    assert amount_text(Fraction(-300_000)) == "-300000"
    assert amount_text(Fraction(1, 3)) == "0.333333333333"
    assert amount_text(Fraction(200, 3)) == "66.6666666667"
