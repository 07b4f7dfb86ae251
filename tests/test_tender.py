"""Tender files: a valid one loads; every mistake is refused with the file and the line it is on."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from bimcheck.errors import InputError, RuleError
from bimcheck.procurement.lcc import ANNUAL, REINVESTMENT
from bimcheck.procurement.tender import criteria, lcc_spec, load_tender, model_spec, takeoff_requirements
from bimcheck.rules.loader import load_rules

RULES = """\
bimcheck: 1
title: Krav
ifc_versions: [IFC4]
parameters:
  u_window: {type: number, default: "1.2", unit: W/m2K}
requirements:
  - id: M-1
    title: Fönster
    applicability: [entity: IfcWindow]
    requirements:
      - property: {property_set: Pset_WindowCommon, name: ThermalTransmittance, value: {max: "${u_window}"}}
  - id: M-2
    title: Fuktsäkerhet
    manual: true
  - id: K-1
    title: Area
    applicability: [entity: IfcSpace]
    aggregate: {function: sum, measure: net_floor_area}
  - id: S-1
    title: Bättre fönster
    kind: scored
    weight: 2
    applicability: [entity: IfcWindow]
    requirements:
      - property: {property_set: Pset_WindowCommon, name: ThermalTransmittance, value: {max: 0.9}}
  - id: S-2
    title: Miljöbyggnad
    kind: scored
    weight: 1.5
    manual: true
"""

# Line numbers below refer to this text; keep them in step when editing it.
TENDER = """\
bimcheck-tender: 1
id: T-1
title: Test
requirements: [krav.yaml]
parameters: {u_window: 1.1}
evaluation:
  model: price_minus_deductions
  sek_per_weight: 40000
  deductions: {S-1: 100000}
lcc:
  discount_rate: 0.03
  period: 30
  components:
    - id: win
      title: Fönster
      quantity: {select: {entity: IfcWindow, measure: glazed_area}}
      unit_cost: 5000
      lifetime: 25
    - id: energy
      title: Energi
      quantity: {declared: kwh}
      unit_cost: 1.2
      annual: true
bids:
  - id: A
    supplier: Alfa AB
    price: 1000000
    models: [a.ifc]
    declarations:
      M-2: {fulfilled: true, evidence: Bilaga 1}
    values: {kwh: 5000}
  - id: B
    supplier: Beta AB
    price: 990000
    models: [b.ifc]
    values: {kwh: 6000}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "krav.yaml").write_text(RULES, encoding="utf-8")
    for name in ("a.ifc", "b.ifc"):
        (tmp_path / name).write_text("ISO-10303-21;\n", encoding="utf-8")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "tender.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_tender_file_loads_with_its_paths_values_and_lcc(folder: Path) -> None:
    tender = load_tender(write(folder, TENDER))
    assert tender.rule_paths == (folder / "krav.yaml",)
    assert [b.model_paths for b in tender.bids] == [(folder / "a.ifc",), (folder / "b.ifc",)]
    assert len(tender.sha256) == 64
    rules = load_rules(tender.rule_paths, tender.doc.parameters)
    assert rules.parameters["u_window"] == "1.1"
    found = {c.id: (c.value, c.value_source) for c in criteria(tender, rules) if c.value is not None}
    assert found == {
        "S-1": (100000, "tender: deductions"),
        "S-2": (Fraction(3, 2) * 40000, "weight 1.5 × sek_per_weight 40000"),
    }
    assert model_spec(tender).settings == (("sek_per_weight", Fraction(40000)),)
    lcc = lcc_spec(tender)
    assert lcc is not None
    assert lcc.discount_rate == Fraction(3, 100)
    assert [(c.id, c.kind, c.unit, c.basis) for c in lcc.components] == [
        ("win", REINVESTMENT, "m2", "sum(glazed_area) of IfcWindow"),
        ("energy", ANNUAL, None, "declared by the bidder: kwh"),
    ]
    (takeoff,) = takeoff_requirements(tender)
    assert takeoff.id == "lcc:win"
    assert takeoff.cardinality == "optional"
    assert takeoff.aggregate is not None
    assert takeoff.aggregate.function == "sum"
    assert takeoff.source == f"{folder / 'tender.yaml'}:14"


# (what is wrong, text replaced, replacement, line, message)
LOAD_ERRORS = [
    ("missing format key", "bimcheck-tender: 1\n", "", 1, "not a bimcheck tender file"),
    (
        "unknown format version",
        "bimcheck-tender: 1",
        "bimcheck-tender: 2",
        1,
        "tender format 2 is not supported",
    ),
    ("misspelt key", "  sek_per_weight:", "  sek_per_wieght:", 8, "did you mean 'sek_per_weight'"),
    ("unknown model", "model: price_minus_deductions", "model: lowest_price", 6, "does not match any"),
    ("negative price", "price: 990000", "price: -5", 34, "greater than 0"),
    ("free bid", "price: 990000", "price: 0", 34, "greater than 0"),
    ("price as text", "price: 990000", "price: 990 000 kr", 34, "decimal"),
    ("no bids", TENDER[TENDER.index("bids:") :], "bids: []\n", 24, "at least 1 item"),
    ("missing supplier", "    supplier: Beta AB\n", "", 32, "missing required key 'supplier'"),
    (
        "declaration without evidence",
        "{fulfilled: true, evidence: Bilaga 1}",
        "{fulfilled: true}",
        30,
        "evidence",
    ),
    (
        "lifetime with annual",
        "      annual: true",
        "      annual: true\n      lifetime: 10",
        19,
        "either replaced",
    ),
    ("two quantities", "{declared: kwh}", "{declared: kwh, select: {entity: IfcWall}}", 21, "exactly one"),
    ("unknown measure", "measure: glazed_area", "measure: glass_area", 16, "unknown measure 'glass_area'"),
    ("not an IFC class", "entity: IfcWindow", "entity: Window", 16, "not an IFC class name"),
    (
        "unknown IFC class",
        "entity: IfcWindow",
        "entity: IfcWindowz",
        16,
        "not a class of IFC2X3, IFC4 or IFC4X3",
    ),
    ("discount rate of 100 %", "discount_rate: 0.03", "discount_rate: 1", 11, "less than 1"),
    (
        "missing model file",
        "models: [b.ifc]",
        "models: [c.ifc]",
        35,
        "model file 'c.ifc' of bid B does not exist",
    ),
    ("same model twice", "models: [b.ifc]", "models: [a.ifc]", 35, "already given for bid A"),
    ("duplicate bid id", "  - id: B", "  - id: A", 32, "bid id 'A' is already used"),
    (
        "missing requirement file",
        "[krav.yaml]",
        "[krav2.yaml]",
        4,
        "requirement file 'krav2.yaml' does not exist",
    ),
    ("undeclared LCC value", "    values: {kwh: 6000}\n", "", 32, "bid B does not declare the value 'kwh'"),
    (
        "weights not adding up",
        "  model: price_minus_deductions\n  sek_per_weight: 40000\n  deductions: {S-1: 100000}",
        "  model: weighted_points\n  price_weight: 0.7\n  quality_weight: 0.4",
        6,
        "price_weight + quality_weight must be 1",
    ),
    (
        "LCC added to a fixed budget",
        "  model: price_minus_deductions\n  sek_per_weight: 40000\n  deductions: {S-1: 100000}",
        "  model: fixed_budget\n  budget: 1000000\n",
        None,
        "fixed_budget compares bid prices with the budget",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [case[1:] for case in LOAD_ERRORS],
    ids=[case[0] for case in LOAD_ERRORS],
)
def test_a_malformed_tender_file_is_refused_with_file_and_line(
    folder: Path, old: str, new: str, line: int | None, message: str
) -> None:
    assert old in TENDER
    path = write(folder, TENDER.replace(old, new, 1))
    with pytest.raises(RuleError) as raised:
        load_tender(path)
    text = raised.value.one_line()
    assert text.startswith(f"{path}: line "), text
    if line is not None:
        assert text.startswith(f"{path}: line {line}: "), text
    assert message in text


# Problems only the requirement files reveal: checked once they are loaded, still by tender line.
REFERENCE_ERRORS = [
    ("deduction for an unknown requirement", "{S-1: 100000}", "{S-9: 100000}", 9, "no requirement 'S-9'"),
    ("deduction for a mandatory one", "{S-1: 100000}", "{M-1: 100000}", 9, "M-1 is a mandatory requirement"),
    (
        "declaration for a checked one",
        "      M-2: {fulfilled",
        "      M-1: {fulfilled",
        30,
        "M-1 is checked on the model",
    ),
    (
        "declaration for an unknown one",
        "      M-2: {fulfilled",
        "      X-1: {fulfilled",
        30,
        "no requirement 'X-1'",
    ),
    ("scored requirement without a value", "  sek_per_weight: 40000\n", "", 6, "S-2 has no deduction"),
    (
        "key figure of a requirement without one",
        "{select: {entity: IfcWindow, measure: glazed_area}}",
        "{key_figure: {requirement: M-1}}",
        16,
        "requirement M-1 computes no key figure",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [case[1:] for case in REFERENCE_ERRORS],
    ids=[case[0] for case in REFERENCE_ERRORS],
)
def test_references_to_requirements_are_checked_against_the_requirement_files(
    folder: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in TENDER
    path = write(folder, TENDER.replace(old, new, 1))
    tender = load_tender(path)
    with pytest.raises(RuleError) as raised:
        criteria(tender, load_rules(tender.rule_paths, tender.doc.parameters))
    text = raised.value.one_line()
    assert text.startswith(f"{path}: line {line}: "), text
    assert message in text


def test_a_scored_requirement_without_a_weight_is_refused_by_the_points_models(folder: Path) -> None:
    rules = RULES.replace("    weight: 1.5\n", "")
    (folder / "krav.yaml").write_text(rules, encoding="utf-8")
    text = TENDER.replace(
        "  model: price_minus_deductions\n  sek_per_weight: 40000\n  deductions: {S-1: 100000}",
        "  model: weighted_points\n  price_weight: 0.6\n  quality_weight: 0.4",
    )
    tender = load_tender(write(folder, text))
    with pytest.raises(
        RuleError, match="S-2 has no weight: give it one in the requirement file or under weights"
    ):
        criteria(tender, load_rules(tender.rule_paths, tender.doc.parameters))
    # ... and accepted once the tender gives it one.
    tender = load_tender(
        write(folder, text.replace("quality_weight: 0.4", "quality_weight: 0.4\n  weights: {S-2: 5}"))
    )
    found = {c.id: c.value for c in criteria(tender, load_rules(tender.rule_paths, tender.doc.parameters))}
    assert found["S-2"] == 5
    assert found["S-1"] == 2


def test_every_problem_is_listed_with_its_line(folder: Path) -> None:
    text = TENDER.replace("price: 990000", "price: -1").replace("models: [a.ifc]", "models: [x.ifc]")
    path = write(folder, text)
    with pytest.raises(RuleError) as raised:
        load_tender(path)
    # Pydantic's problems come first (the file must be valid before paths are checked).
    assert raised.value.details == (f"{path}:34: bids[1].price: input should be greater than 0",)


def test_a_missing_tender_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="tender file does not exist"):
        load_tender(tmp_path / "nothing.yaml")


def test_an_empty_tender_file_says_how_one_starts(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(RuleError, match="line 1: empty file: a tender file starts with `bimcheck-tender: 1`"):
        load_tender(path)
