"""Three generated bids evaluated end to end by each evaluation model, against figures worked out by hand."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import ifcopenshell.api
import pytest
from lxml import etree
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.procurement.evaluation import BidStatus, Effect, Evaluation, Verdict
from bimcheck.reporters.evaluation_xml import NAMESPACE, render_bytes, schema
from bimcheck.workflows.evaluate import evaluate_tender
from bimcheck.workflows.verify import verify
from tests.builders import ModelBuilder
from tests.test_html_browser import browser, open_report  # noqa: F401  (fixtures)

E = f"{{{NAMESPACE}}}"

REQUIREMENTS = """\
bimcheck: 1
title: Anbudskrav, Kv. Testet
ifc_versions: [IFC4]
requirements:
  - id: M-WIN
    title: Fönster U-värde högst 1.2 W/m²K
    kind: mandatory
    applicability: [entity: IfcWindow]
    requirements:
      - property: {property_set: Pset_WindowCommon, name: ThermalTransmittance, value: {max: 1.2}}
  - id: M-MOIST
    title: Fuktsäkerhetsbeskrivning enligt ByggaF
    kind: mandatory
    manual: true
    verification: Fuktsäkerhetsbeskrivning bifogad anbudet
  - id: K-AREA
    title: Nettoarea (nyckeltal)
    kind: mandatory
    applicability: [entity: IfcSpace]
    aggregate: {function: sum, measure: net_floor_area, name: NTA}
  - id: S-WIN
    title: Fönster U-värde högst 0.9 W/m²K
    kind: scored
    weight: 3
    applicability: [entity: IfcWindow]
    requirements:
      - property: {property_set: Pset_WindowCommon, name: ThermalTransmittance, value: {max: 0.9}}
  - id: S-WALL
    title: Yttervägg U-värde högst 0.15 W/m²K
    kind: scored
    weight: 2
    applicability: [entity: IfcWall]
    requirements:
      - property: {property_set: Pset_WallCommon, name: ThermalTransmittance, value: {max: 0.15}}
  - id: S-CLASS
    title: Rum klassificerade enligt CoClass
    kind: scored
    weight: 1
    applicability: [entity: IfcSpace]
    requirements:
      - classification: {system: CoClass}
"""

BIDS = """\
bids:
  - id: A
    supplier: Alfa Bygg AB
    price: 10400000
    models: [a.ifc]
    declarations:
      M-MOIST: {fulfilled: true, evidence: "Bilaga A4 Fuktsäkerhetsbeskrivning rev 2"}
    values: {energy_kwh: 12000}
  - id: B
    supplier: Beta Hus AB
    price: 10000000
    models: [b.ifc]
    declarations:
      M-MOIST: {fulfilled: true, evidence: "Bilaga B7 Fuktsäkerhet"}
    values: {energy_kwh: 9000}
  - id: C
    supplier: Gamma Entreprenad AB
    price: 9200000
    models: [c.ifc]
    declarations:
      M-MOIST: {fulfilled: true, evidence: "Bilaga C1"}
    values: {energy_kwh: 10000}
"""

DEDUCTIONS = """\
evaluation:
  model: price_minus_deductions
  sek_per_weight: 100000
  deductions: {S-WIN: 300000, S-WALL: 250000}
lcc:
  discount_rate: 0.05
  period: 40
  add_to_price: true
  components:
    - id: windows
      title: Fönsterbyte
      quantity: {select: {entity: IfcWindow, measure: glazed_area}}
      unit_cost: 6000
      lifetime: 25
    - id: floors
      title: Golvbyte
      quantity: {key_figure: {requirement: K-AREA, figure: NTA}}
      unit_cost: 800
      lifetime: 15
    - id: energy
      title: Energi
      quantity: {declared: energy_kwh}
      unit: kWh/år
      unit_cost: 1.5
      annual: true
"""

WEIGHTED = """\
evaluation:
  model: weighted_points
  price_weight: 0.5
  quality_weight: 0.5
  max_points: 100
"""

BUDGET = """\
evaluation:
  model: fixed_budget
  budget: 10500000
"""


def tender_text(evaluation: str, bids: str = BIDS) -> str:
    head = "bimcheck-tender: 1\nid: KT-2026-07\ntitle: Kv. Testet, nybyggnad\nrequirements: [krav.yaml]\n"
    return head + evaluation + bids


@dataclass
class Bid:
    path: Path
    window_ids: list[str]


def build_bid(path: Path, windows: list[float], wall_u: float, classified: bool) -> Bid:
    """The shared base: one storey, windows of 1.5 m² (80 % glazed), one external wall, two rooms
    of 30 and 45 m²; bids differ in U-values, number of windows and classification."""
    b = ModelBuilder()
    ids = []
    for i, u in enumerate(windows):
        window = b.element("IfcWindow", f"Fönster {i + 1}")
        b.pset(window, "Pset_WindowCommon", {"ThermalTransmittance": u, "GlazingAreaFraction": 0.8})
        b.qto(window, "Qto_WindowBaseQuantities", {"Area": 1.5})
        ids.append(window.GlobalId)
    wall = b.element("IfcWall", "Yttervägg")
    b.pset(wall, "Pset_WallCommon", {"ThermalTransmittance": wall_u, "IsExternal": True})
    for name, area in (("Vardagsrum", 30.0), ("Kök", 45.0)):
        space = b.create("IfcSpace", name)
        ifcopenshell.api.run(
            "aggregate.assign_object", b.file, relating_object=b.storeys["Plan 1"], products=[space]
        )
        b.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": area})
        if classified:
            b.classify(space, "CoClass", "A1")
    b.save(path)
    return Bid(path, ids)


@dataclass
class Case:
    root: Path
    bids: dict[str, Bid]

    def tender(self, evaluation: str, name: str, bids: str = BIDS) -> Path:
        path = self.root / name
        path.write_text(tender_text(evaluation, bids), encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("tender")
    (root / "krav.yaml").write_text(REQUIREMENTS, encoding="utf-8")
    bids = {
        # A: windows U 0.8 (S-WIN), wall U 0.17 (not S-WALL), rooms classified (S-CLASS); 4 windows.
        "A": build_bid(root / "a.ifc", [0.8] * 4, 0.17, True),
        # B: windows U 1.0 (not S-WIN), wall U 0.14 (S-WALL), classified (S-CLASS); 5 windows.
        "B": build_bid(root / "b.ifc", [1.0] * 5, 0.14, True),
        # C: the cheapest, but one window of U 1.3 fails the mandatory M-WIN.
        "C": build_bid(root / "c.ifc", [0.8, 0.8, 1.3, 0.8], 0.14, False),
    }
    return Case(root, bids)


@pytest.fixture(scope="module")
def deductions(case: Case) -> Evaluation:
    return evaluate_tender(case.tender(DEDUCTIONS, "deductions.yaml"))


@pytest.fixture(scope="module")
def weighted(case: Case) -> Evaluation:
    return evaluate_tender(case.tender(WEIGHTED, "weighted.yaml"))


@pytest.fixture(scope="module")
def budget(case: Case) -> Evaluation:
    return evaluate_tender(case.tender(BUDGET, "budget.yaml"))


def bid(evaluation: Evaluation, bid_id: str):  # type: ignore[no-untyped-def]
    return next(b for b in evaluation.bids if b.id == bid_id)


def figure(evaluation: Evaluation, bid_id: str) -> Fraction:
    found = bid(evaluation, bid_id).figure
    assert found is not None
    return found.value


# --- exclusion ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["deductions", "weighted", "budget"])
def test_the_bid_with_a_failing_window_is_excluded_by_every_model_with_the_window_named(
    name: str, case: Case, request: pytest.FixtureRequest
) -> None:
    evaluation: Evaluation = request.getfixturevalue(name)
    c = bid(evaluation, "C")
    assert c.status is BidStatus.EXCLUDED
    assert c.rank is None
    assert c.figure is None
    (reason,) = [r for r in c.reasons if r.effect is Effect.EXCLUDES]
    assert reason.requirement == "M-WIN"
    assert reason.title == "Fönster U-värde högst 1.2 W/m²K"
    assert reason.failing == 1
    assert reason.examples == (case.bids["C"].window_ids[2],)  # the third window, U 1.3
    assert "1 of 4 applicable element(s) fail" in reason.message
    # A and B are admitted: every mandatory requirement met, the manual one by declaration.
    for admitted in ("A", "B"):
        b = bid(evaluation, admitted)
        assert b.status is BidStatus.ADMITTED
        assert b.outcome("M-MOIST").verdict is Verdict.DECLARED  # type: ignore[union-attr]
        assert [r.effect for r in b.reasons] == [Effect.VERIFY]


def test_outcomes_per_requirement_follow_the_models(deductions: Evaluation) -> None:
    verdicts = {b.id: {o.requirement: o.verdict.value for o in b.outcomes} for b in deductions.bids}
    assert verdicts["A"] == {
        "M-WIN": "met",
        "M-MOIST": "declared",
        "K-AREA": "met",
        "S-WIN": "met",
        "S-WALL": "not_met",
        "S-CLASS": "met",
    }
    assert verdicts["B"] == {
        "M-WIN": "met",
        "M-MOIST": "declared",
        "K-AREA": "met",
        "S-WIN": "not_met",
        "S-WALL": "met",
        "S-CLASS": "met",
    }
    assert verdicts["C"]["M-WIN"] == "not_met"
    assert verdicts["C"]["S-CLASS"] == "not_met"


# --- life-cycle cost, by hand ----------------------------------------------------------------------

# r = 0.05, T = 40 years.
# windows, lifetime 25: replaced in year 25 only (50 ≥ 40): F = 1.05^-25 = 0.2953028
# floors, lifetime 15: replaced in years 15 and 30 (45 ≥ 40): F = 1.05^-15 + 1.05^-30
#                       = 0.4810171 + 0.2313774 = 0.7123945
# energy, yearly:       F = Σ_{t=1..40} 1.05^-t = (1 − 1.05^-40) / 0.05 = 17.1590864
F_WINDOWS = Fraction(100, 105) ** 25
F_FLOORS = Fraction(100, 105) ** 15 + Fraction(100, 105) ** 30
F_ENERGY = (1 - Fraction(100, 105) ** 40) / Fraction(5, 100)

# A: glazed area 4 × 1.5 m² × 0.8 = 4.8 m²; rooms 30 + 45 = 75 m²; 12 000 kWh/year declared.
#    4.8 × 6 000 × 0.2953028 =   8 504.72
#    75 × 800 × 0.7123945    =  42 743.67
#    12 000 × 1.5 × 17.15909 = 308 863.56
#    LCC                     = 360 111.95
LCC_A = Fraction(48, 10) * 6000 * F_WINDOWS + 75 * 800 * F_FLOORS + 12000 * Fraction(3, 2) * F_ENERGY
# B: glazed area 5 × 1.2 = 6.0 m²; 75 m²; 9 000 kWh/year.
#    6 × 6 000 × 0.2953028 =  10 630.90;  42 743.67;  9 000 × 1.5 × 17.15909 = 231 647.67
#    LCC                   = 285 022.24
LCC_B = 6 * 6000 * F_WINDOWS + 75 * 800 * F_FLOORS + 9000 * Fraction(3, 2) * F_ENERGY


def test_life_cycle_cost_is_quantity_times_unit_cost_times_the_present_value_factor(
    deductions: Evaluation,
) -> None:
    assert float(F_WINDOWS) == pytest.approx(0.2953028, abs=1e-7)
    assert float(F_FLOORS) == pytest.approx(0.7123945, abs=1e-7)
    assert float(F_ENERGY) == pytest.approx(17.1590864, abs=1e-7)
    assert float(LCC_A) == pytest.approx(360_111.95, abs=0.01)
    assert float(LCC_B) == pytest.approx(285_022.24, abs=0.01)
    a, b = bid(deductions, "A").lcc, bid(deductions, "B").lcc
    assert a is not None
    assert b is not None
    assert a.total == LCC_A  # exactly: the quantities are the model's 4.8, 75 and 12 000
    assert b.total == LCC_B
    by_id = {c.spec.id: c for c in a.components}
    assert by_id["windows"].quantity.value == Fraction(48, 10)
    assert by_id["windows"].quantity.count == 4
    assert by_id["windows"].years == (25,)
    assert by_id["floors"].quantity.value == 75
    assert by_id["floors"].years == (15, 30)
    assert by_id["energy"].quantity.source == "declared by the bidder"
    assert by_id["energy"].years == tuple(range(1, 41))


# --- the three evaluation models, by hand ------------------------------------------------------------


def test_price_minus_deductions(deductions: Evaluation) -> None:
    # jämförelsetal = price + LCC − Σ deductions of the fulfilled scored requirements
    # deductions: S-WIN 300 000 and S-WALL 250 000 (tender), S-CLASS 1 × 100 000 (weight × sek_per_weight)
    # A: 10 400 000 + 360 111.95 − 300 000 (S-WIN) − 100 000 (S-CLASS) = 10 360 111.95
    # B: 10 000 000 + 285 022.24 − 250 000 (S-WALL) − 100 000 (S-CLASS) =  9 935 022.24
    # lowest wins: B first, A second.
    expected_a = 10_400_000 + LCC_A - 300_000 - 100_000
    expected_b = 10_000_000 + LCC_B - 250_000 - 100_000
    assert float(expected_a) == pytest.approx(10_360_111.95, abs=0.01)
    assert float(expected_b) == pytest.approx(9_935_022.24, abs=0.01)
    assert figure(deductions, "A") == expected_a
    assert figure(deductions, "B") == expected_b
    assert [(b.rank, b.id) for b in deductions.ranking] == [(1, "B"), (2, "A")]
    assert deductions.winner == "B"
    assert deductions.final
    terms = [(t.name, t.ref, t.value) for t in bid(deductions, "A").figure.terms]  # type: ignore[union-attr]
    assert terms == [
        ("price", None, 10_400_000),
        ("life_cycle_cost", None, LCC_A),
        ("deduction", "S-WIN", -300_000),
        ("deduction", "S-CLASS", -100_000),
    ]
    values = {c.id: (c.value, c.value_source) for c in deductions.scored}
    assert values == {
        "S-WIN": (300_000, "tender: deductions"),
        "S-WALL": (250_000, "tender: deductions"),
        "S-CLASS": (100_000, "weight 1 × sek_per_weight 100000"),
    }


def test_weighted_points(weighted: Evaluation) -> None:
    # total = 0.5 × 100 × lowest price / price + 0.5 × 100 × Σ weights fulfilled / Σ weights (3+2+1 = 6)
    # lowest price among the bids not excluded: B's 10 000 000 (C's 9 200 000 does not count)
    # A: price points 100 × 10 000 000 / 10 400 000 = 96.153846; quality 100 × (3 + 1) / 6 = 66.666667
    #    total = 0.5 × 96.153846 + 0.5 × 66.666667 = 48.076923 + 33.333333 = 81.410256
    # B: price points 100; quality 100 × (2 + 1) / 6 = 50; total = 50 + 25 = 75
    # highest wins: A first, B second.
    half = Fraction(1, 2)
    expected_a = half * 100 * Fraction(10_000_000, 10_400_000) + half * 100 * Fraction(4, 6)
    expected_b = Fraction(1, 2) * 100 + Fraction(1, 2) * 100 * Fraction(3, 6)
    assert float(expected_a) == pytest.approx(81.410256, abs=1e-6)
    assert expected_b == 75
    assert figure(weighted, "A") == expected_a
    assert figure(weighted, "B") == expected_b
    assert [(b.rank, b.id) for b in weighted.ranking] == [(1, "A"), (2, "B")]
    assert weighted.winner == "A"
    a_terms = {t.name: t.value for t in bid(weighted, "A").figure.terms}  # type: ignore[union-attr]
    assert float(a_terms["price_points"]) == pytest.approx(48.076923, abs=1e-6)
    assert float(a_terms["quality_points"]) == pytest.approx(33.333333, abs=1e-6)


def test_fixed_budget(budget: Evaluation) -> None:
    # budget 10 500 000: A (10 400 000) and B (10 000 000) are within it.
    # quality points = 100 × Σ weights fulfilled / 6: A 100 × 4 / 6 = 66.666667, B 100 × 3 / 6 = 50
    # highest wins: A.
    assert figure(budget, "A") == Fraction(200, 3)
    assert figure(budget, "B") == 50
    assert [(b.rank, b.id) for b in budget.ranking] == [(1, "A"), (2, "B")]
    assert budget.winner == "A"
    assert budget.final


def test_a_budget_below_a_bid_excludes_it_with_the_amounts(case: Case) -> None:
    evaluation = evaluate_tender(case.tender(BUDGET.replace("10500000", "10200000"), "tight-budget.yaml"))
    a = bid(evaluation, "A")
    assert a.status is BidStatus.EXCLUDED
    assert [r.message for r in a.reasons if r.effect is Effect.EXCLUDES] == [
        "the bid price 10400000 SEK is above the budget 10200000 SEK"
    ]
    assert evaluation.winner == "B"


def test_a_manual_mandatory_requirement_without_a_declaration_leaves_the_bid_unresolved(case: Case) -> None:
    undeclared = BIDS.replace('      M-MOIST: {fulfilled: true, evidence: "Bilaga B7 Fuktsäkerhet"}\n', "")
    undeclared = undeclared.replace(
        "    declarations:\n    values: {energy_kwh: 9000}",
        "    values: {energy_kwh: 9000}",
    )
    evaluation = evaluate_tender(case.tender(WEIGHTED, "undeclared.yaml", undeclared))
    b = bid(evaluation, "B")
    assert b.status is BidStatus.UNRESOLVED
    assert b.outcome("M-MOIST").verdict is Verdict.UNRESOLVED  # type: ignore[union-attr]
    assert b.rank == 2  # still ranked, provisionally: it is not excluded
    assert evaluation.winner == "A"
    assert not evaluation.final
    assert any("provisional" in n for n in evaluation.notes)


# --- reports: determinism, schema, verification ------------------------------------------------------


def _without_created(data: bytes) -> bytes:
    return re.sub(rb'created="[^"]*"', b'created=""', data, count=1)


def test_the_evaluation_xml_is_deterministic_and_valid(case: Case, deductions: Evaluation) -> None:
    again = evaluate_tender(case.root / "deductions.yaml")
    first, second = render_bytes(deductions), render_bytes(again)
    assert _without_created(first) == _without_created(second)
    root = etree.fromstring(first)
    schema().assertValid(root)
    # Every bid's model with its hash, each requirement's outcome per bid, the terms, the ranking.
    models = root.findall(f"{E}Bids/{E}Bid/{E}Models/{E}Model")
    assert [m.get("path") for m in models] == ["a.ifc", "b.ifc", "c.ifc"]
    assert all(re.fullmatch("[0-9a-f]{64}", m.get("sha256", "")) for m in models)
    assert len(root.findall(f"{E}Bids/{E}Bid/{E}Outcomes/{E}Outcome")) == 3 * 6
    term = root.find(f"{E}Bids/{E}Bid[@id='A']/{E}ComparisonFigure/{E}Term[@ref='S-WIN']")
    assert term is not None
    assert term.get("value") == "-300000"
    ranks = [(r.get("position"), r.get("bid")) for r in root.iterfind(f"{E}Ranking/{E}Rank")]
    assert ranks == [("1", "B"), ("2", "A")]
    reason = root.find(f"{E}Bids/{E}Bid[@id='C']/{E}Reasons/{E}Reason[@effect='excludes']")
    assert reason is not None
    assert reason.get("requirement") == "M-WIN"
    assert [x.text for x in reason.iterfind(f"{E}Example")] == [case.bids["C"].window_ids[2]]


def _write(path: Path, evaluation: Evaluation) -> Path:
    path.write_bytes(render_bytes(evaluation))
    return path


def test_verify_confirms_an_untampered_evaluation(case: Case, weighted: Evaluation) -> None:
    report = _write(case.root / "weighted.xml", weighted)
    outcome = verify(report, [], [], tender=case.root / "weighted.yaml")
    assert outcome.verified, list(outcome.lines())


def _tampered(
    case: Case, evaluation: Evaluation, change: Callable[[etree._Element], None], name: str
) -> Path:
    root = etree.fromstring(render_bytes(evaluation))
    change(root)
    etree.indent(root, space="  ")
    path = case.root / name
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n")
    return path


def test_verify_names_a_tampered_comparison_figure(case: Case, weighted: Evaluation) -> None:
    def lower_b(root: etree._Element) -> None:
        node = root.find(f"{E}Bids/{E}Bid[@id='B']/{E}ComparisonFigure")
        assert node is not None
        node.set("value", "99.0")

    report = _tampered(case, weighted, lower_b, "tampered.xml")
    outcome = verify(report, [], [], tender=case.root / "weighted.yaml")
    assert not outcome.verified
    lines = "\n".join(outcome.lines())
    assert "bid B › comparison figure: says 99.0, but its terms add up to 75" in lines
    assert "different result: bid B (Beta Hus AB) › comparison figure: value is '99.0' in the report" in lines


def test_verify_names_a_changed_model_and_a_changed_tender(case: Case, budget: Evaluation) -> None:
    report = _write(case.root / "budget.xml", budget)
    tender = case.root / "budget-changed.yaml"
    tender.write_text((case.root / "budget.yaml").read_text(encoding="utf-8").replace("10000000", "9900000"))
    outcome = verify(report, [], [], tender=tender)
    kinds = {d.kind for d in outcome.differences}
    assert "tender" in kinds
    lines = "\n".join(outcome.lines())
    assert "bid B (Beta Hus AB): price is '10000000' in the report, the inputs give '9900000'" in lines


# --- the command line --------------------------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_evaluate_writes_every_format_and_exits_0_with_a_final_winner(case: Case, tmp_path: Path) -> None:
    tender = case.tender(DEDUCTIONS, "deductions-cli.yaml")
    code, out, err = run(
        "evaluate",
        tender,
        "-o",
        f"xml:{tmp_path / 'e.xml'}",
        "-o",
        f"html:{tmp_path / 'e.html'}",
        "-o",
        f"json:{tmp_path / 'e.json'}",
        "-o",
        "console",
        "--lang",
        "sv",
    )
    assert code == 0, err
    assert "Winner (final): B  Beta Hus AB" in out
    assert "M-WIN Fönster U-värde högst 1.2 W/m²K" in out
    schema().assertValid(etree.parse(str(tmp_path / "e.xml")))
    html = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert "Jämförelsematris" in html
    assert "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained
    assert '"winner": "B"' in (tmp_path / "e.json").read_text(encoding="utf-8")
    code, out, _ = run("verify", tmp_path / "e.xml", "--tender", tender)
    assert code == 0, out
    assert out.startswith(f"{tmp_path / 'e.xml'}: verified")


def test_cli_evaluate_exits_1_when_no_winner_can_be_named(case: Case) -> None:
    # Every bid above the budget: nothing can be ranked.
    tender = case.tender(BUDGET.replace("10500000", "9000000"), "no-winner.yaml")
    code, out, _ = run("evaluate", tender)
    assert code == 1
    assert "No winner can be named." in out


def test_cli_evaluate_exits_2_on_a_bad_tender_file_naming_file_and_line(case: Case) -> None:
    tender = case.tender(WEIGHTED.replace("price_weight: 0.5", "price_weigth: 0.5"), "typo.yaml")
    code, _, err = run("evaluate", tender)
    assert code == 2
    assert err.startswith(f"bimcheck: error: {tender}: line 7: evaluation.price_weigth: unknown key")
    assert "did you mean 'price_weight'" in err


def test_cli_verify_wants_the_tender_file_for_an_evaluation(case: Case, weighted: Evaluation) -> None:
    report = _write(case.root / "weighted-cli.xml", weighted)
    code, _, err = run("verify", report)
    assert code == 2
    assert "give the tender file it was made from (--tender)" in err
    code, _, err = run("verify", report, "--tender", case.root / "weighted.yaml", "-m", case.root / "a.ifc")
    assert code == 2
    assert "instead of --model and -r" in err


# --- the sample tender (samples/tender/) -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "tender"
REGENERATE = (
    "if the change is intended, run `.venv/bin/python samples/tender/make_tender.py` "
    "and commit samples/tender/"
)


def _load_generator():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_tender", SAMPLE / "make_tender.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_the_sample_generator_reproduces_the_committed_bids_byte_for_byte(tmp_path: Path) -> None:
    generator = _load_generator()
    for spec in generator.BIDS:
        out = tmp_path / spec.file
        generator.build(spec).write(str(out))
        assert out.read_bytes() == (SAMPLE / "bids" / spec.file).read_bytes(), REGENERATE


@pytest.fixture(scope="module")
def sample() -> Evaluation:
    """The sample evaluation with the committed run's time and tool, run from the repository root
    as the walk-through does (the report records the tender file as given)."""
    from dataclasses import replace

    from bimcheck.results import ToolInfo

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        evaluation = evaluate_tender("samples/tender/tender.yaml")
    committed = etree.parse(str(SAMPLE / "expected" / "evaluation.xml")).getroot()
    tool = committed.find(f"{E}Tool")
    assert tool is not None
    info = ToolInfo(*(tool.get(k, "") for k in ("name", "version", "ifcopenshell", "python")))
    created = committed.get("created", "")
    runs = {k: replace(r, created=created, tool=info) for k, r in evaluation.runs.items()}
    return replace(evaluation, created=created, tool=info, runs=runs)


def test_the_committed_sample_outputs_are_what_the_walk_through_writes(sample: Evaluation) -> None:
    import json

    from bimcheck.procurement.evaluation import evaluation_to_dict
    from bimcheck.reporters.evaluation_html import render as render_html
    from bimcheck.reporters.evaluation_outputs import console

    expected = SAMPLE / "expected"
    assert render_bytes(sample) == (expected / "evaluation.xml").read_bytes(), REGENERATE
    assert console(sample) == (expected / "evaluation.txt").read_text(encoding="utf-8"), REGENERATE
    assert render_html(sample, "sv") == (expected / "evaluation.html").read_text(encoding="utf-8"), REGENERATE
    committed = json.loads((expected / "evaluation.json").read_text(encoding="utf-8"))
    assert evaluation_to_dict(sample) == committed, REGENERATE


def test_the_sample_tells_the_story_of_its_readme(sample: Evaluation) -> None:
    # samples/tender/README.md: C excluded on a window and a ceiling, B wins on price and LCC.
    c = bid(sample, "C")
    assert c.status is BidStatus.EXCLUDED
    assert [(r.requirement, r.examples) for r in c.reasons if r.effect is Effect.EXCLUDES] == [
        ("LO-SKA-01", ("0L8nJ8S0FTIoBUDXKolfx8",)),
        ("LO-SKA-02", ("0iy58kw37BTGeNpRJKnz0V",)),
    ]
    assert [(b.rank, b.id) for b in sample.ranking] == [(1, "B"), (2, "A")]
    assert float(figure(sample, "B")) == pytest.approx(49_169_765.87, abs=0.005)
    assert float(figure(sample, "A")) == pytest.approx(50_185_402.32, abs=0.005)
    # B's LCC by hand (r = 0.035, T = 50): q × c × F per component
    v = Fraction(1000, 1035)
    lcc_b = (
        Fraction(648, 10) * 9000 * v**40  # windows: 48 × 1.8 m² × 0.75 glass, replaced in year 40
        + 12 * 18000 * v**30  # flat doors, year 30
        + 942 * 650 * (v**20 + v**40)  # floor finish on the BOA, years 20 and 40
        + 47000 * Fraction(13, 10) * sum(v**t for t in range(1, 51))  # energy, every year
    )
    assert bid(sample, "B").lcc.total == lcc_b  # type: ignore[union-attr]
    assert float(lcc_b) == pytest.approx(2_119_765.87, abs=0.005)
    assert sample.final
    assert sample.winner == "B"


def test_the_committed_sample_record_verifies() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        code, out, _ = run(
            "verify", "samples/tender/expected/evaluation.xml", "--tender", "samples/tender/tender.yaml"
        )
    assert code == 0, out


def test_the_sample_comparison_opens_in_a_browser_without_errors_or_requests(
    request: pytest.FixtureRequest,
) -> None:
    opened = request.getfixturevalue("open_report")(SAMPLE / "expected" / "evaluation.html")
    page = opened.page
    opened.assert_clean()
    assert page.locator("#ranking svg rect").count() == 2 * 2  # a light and a dark bar per ranked bid
    assert page.locator("table.matrix tbody tr").count() == 8
    cell = page.locator("table.matrix tbody tr").nth(0).locator("td.cell").nth(2)  # LO-SKA-01 on C
    assert cell.inner_text().startswith("ej uppfyllt")
    assert "0L8nJ8S0FTIoBUDXKolfx8" in (cell.get_attribute("title") or "")
    assert page.locator("#result .big").inner_text() == "B · Trähusbolaget i Mälardalen AB"


def test_a_signed_evaluation_verifies_and_an_edit_breaks_the_signature(case: Case, tmp_path: Path) -> None:
    from tests.test_signing import make_signer

    signer = make_signer(tmp_path, "Exempelstadens Bostäder AB")
    tender = case.tender(WEIGHTED, "signed.yaml")
    report = tmp_path / "signed.xml"
    sign = ["--sign-key", signer.key, "--sign-cert", signer.cert]
    code, _, err = run("evaluate", tender, "-o", f"xml:{report}", *sign)
    assert code == 0, err
    schema().assertValid(etree.parse(str(report)))
    code, out, _ = run("verify", report, "--tender", tender, "--require-signature", "--trust", signer.cert)
    assert code == 0, out
    assert "signature: valid, by a trusted certificate" in out
    edited = tmp_path / "edited.xml"
    edited.write_text(report.read_text(encoding="utf-8").replace('price="10400000"', 'price="10300000"'))
    code, out, _ = run("verify", edited, "--tender", tender)
    assert code == 1
    assert "signature: report: INVALID" in out


def test_a_parameter_no_requirement_file_declares_is_named_at_its_tender_line(case: Case) -> None:
    tender = case.tender(
        WEIGHTED.replace("evaluation:", "parameters: {u_max: 1.1}\nevaluation:"), "param.yaml"
    )
    code, _, err = run("evaluate", tender)
    assert code == 2
    assert err.startswith(f"bimcheck: error: {tender}: line 5: unknown parameter(s) u_max")
