"""Evaluation XML: the namespaced, versioned, deterministic record of a tender evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from functools import cache
from pathlib import Path

from lxml import etree

from bimcheck.procurement.evaluation import (
    SCHEMA_VERSION,
    BidResult,
    Evaluation,
    Outcome,
    Reason,
    amount_text,
)
from bimcheck.procurement.lcc import FORMULA as LCC_FORMULA
from bimcheck.procurement.lcc import REINVESTMENT, LccResult, factor, years
from bimcheck.reporters.xml_report import add_element, add_leaf, finish, load_schema, number

NAMESPACE = "urn:bimcheck:evaluation:1"
XSD_PATH = Path(__file__).resolve().parent / "schemas" / "bimcheck-evaluation-1.xsd"

_N = f"{{{NAMESPACE}}}"

Value = str | int | float | Fraction | bool | None


def _text(value: str | int | float | Fraction | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return amount_text(value)
    if isinstance(value, str):
        return value
    return number(value)


def _sub(parent: etree._Element, tag: str, attrib: Iterable[tuple[str, Value]] = ()) -> etree._Element:
    """A child with attributes in the given (schema) order; None is left out."""
    values = {name: _text(value) for name, value in attrib if value is not None}
    return add_element(parent, _N + tag, values)


def _leaf(parent: etree._Element, tag: str, value: str | None) -> None:
    add_leaf(parent, _N + tag, value)


def build(evaluation: Evaluation) -> etree._Element:
    """The evaluation as an lxml tree, in canonical order."""
    e = evaluation
    root = etree.Element(
        _N + "EvaluationReport",
        {"schemaVersion": SCHEMA_VERSION, "created": e.created},
        nsmap={None: NAMESPACE},  # type: ignore[dict-item]  # the default namespace; stubs want str keys
    )
    _sub(
        root,
        "Tool",
        [
            ("name", e.tool.name),
            ("version", e.tool.version),
            ("ifcopenshell", e.tool.ifcopenshell),
            ("python", e.tool.python),
        ],
    )
    tender = _sub(
        root,
        "Tender",
        [
            ("id", e.tender.id),
            ("file", e.tender.file),
            ("sha256", e.tender.sha256),
            ("buyer", e.tender.buyer),
        ],
    )
    _leaf(tender, "Title", e.tender.title)
    parameters = _sub(root, "Parameters")
    for name, value in sorted(e.parameters.items()):
        _sub(parameters, "Parameter", [("name", name), ("value", value)])
    sources = _sub(root, "RuleSources")
    for s in e.rule_sources:
        _sub(
            sources,
            "RuleSource",
            [
                ("path", s.path),
                ("format", s.format),
                ("sha256", s.sha256),
                ("title", s.title),
                ("version", s.version),
                ("requirementCount", s.requirement_count),
            ],
        )
    model = _sub(root, "EvaluationModel", [("name", e.model.name)])
    _leaf(model, "Formula", e.model.formula)
    for setting, amount in e.model.settings:
        _sub(model, "Setting", [("name", setting), ("value", amount)])
    if e.lcc is not None:
        lcc = _sub(
            root,
            "LifeCycleCost",
            [
                ("discountRate", e.lcc.discount_rate),
                ("period", e.lcc.period),
                ("addToPrice", e.lcc.add_to_price),
            ],
        )
        _leaf(lcc, "Formula", LCC_FORMULA)
        for spec in e.lcc.components:
            component = _sub(
                lcc,
                "Component",
                [
                    ("id", spec.id),
                    ("kind", spec.kind),
                    ("unitCost", spec.unit_cost),
                    ("lifetime", spec.lifetime),
                    ("unit", spec.unit),
                    ("factor", factor(e.lcc, spec)),
                    # The years a reinvestment falls in; a yearly cost falls in every year 1..period.
                    (
                        "years",
                        (" ".join(map(str, years(e.lcc, spec))) or None)
                        if spec.kind == REINVESTMENT
                        else None,
                    ),
                ],
            )
            _leaf(component, "Title", spec.title)
            _leaf(component, "Basis", spec.basis)
    criteria = _sub(root, "Criteria")
    for c in e.criteria:
        criterion = _sub(
            criteria,
            "Criterion",
            [
                ("id", c.id),
                ("kind", c.kind.value),
                ("manual", c.manual),
                ("weight", c.weight),
                ("value", c.value),
                ("valueSource", c.value_source),
            ],
        )
        _leaf(criterion, "Title", c.title)
        _leaf(criterion, "Regulation", c.regulation)
        _leaf(criterion, "Verification", c.verification)
    bids = _sub(root, "Bids")
    for b in e.bids:
        _bid(bids, b)
    ranking = _sub(root, "Ranking", [("final", e.final), ("winner", e.winner)])
    for b in e.ranking:
        assert b.figure is not None
        assert b.rank is not None
        _sub(
            ranking, "Rank", [("position", b.rank), ("bid", b.id), ("value", b.figure.value), ("tie", b.tie)]
        )
    for note in e.notes:
        _leaf(ranking, "Note", note)
    return root


def _bid(parent: etree._Element, b: BidResult) -> None:
    el = _sub(
        parent,
        "Bid",
        [
            ("id", b.id),
            ("supplier", b.supplier),
            ("price", b.price),
            ("status", b.status.value),
            ("cost", b.cost),
            ("rank", b.rank),
            ("tie", b.tie),
        ],
    )
    models = _sub(el, "Models")
    for m in b.models:
        model = _sub(
            models, "Model", [("name", m.name), ("path", m.path), ("size", m.size), ("sha256", m.sha256)]
        )
        _sub(
            model,
            "IfcHeader",
            [
                ("schema", m.schema),
                ("originatingSystem", m.originating_system),
                ("timestamp", m.timestamp),
                ("authoringApplication", m.authoring_application),
            ],
        )
    outcomes = _sub(el, "Outcomes")
    for o in b.outcomes:
        _outcome(outcomes, o)
    if b.reasons:
        reasons = _sub(el, "Reasons")
        for r in b.reasons:
            _reason(reasons, r)
    if b.lcc is not None:
        _lcc(el, b.lcc)
    if b.figure is not None:
        figure = _sub(el, "ComparisonFigure", [("value", b.figure.value), ("unit", b.figure.unit)])
        for t in b.figure.terms:
            term = _sub(figure, "Term", [("name", t.name), ("ref", t.ref), ("value", t.value)])
            _leaf(term, "Formula", t.formula)


def _outcome(parent: etree._Element, o: Outcome) -> None:
    el = _sub(
        parent,
        "Outcome",
        [
            ("requirement", o.requirement),
            ("status", o.status.value),
            ("verdict", o.verdict.value),
            ("applicable", o.applicable),
            ("failing", o.failing),
            ("credit", o.credit),
        ],
    )
    if o.declaration is not None:
        _sub(
            el,
            "Declaration",
            [("fulfilled", o.declaration.fulfilled), ("evidence", o.declaration.evidence)],
        )
    for example in o.examples:
        _leaf(el, "Example", example)
    _leaf(el, "Message", o.message)
    for k in o.key_figures:
        _sub(
            el,
            "KeyFigure",
            [
                ("name", k.name),
                ("group", k.group),
                ("value", k.value),
                ("unit", k.unit),
                ("status", k.status.value),
                ("count", k.count),
            ],
        )


def _reason(parent: etree._Element, r: Reason) -> None:
    el = _sub(
        parent,
        "Reason",
        [
            ("effect", r.effect.value),
            ("requirement", r.requirement),
            ("status", None if r.status is None else r.status.value),
            ("failing", r.failing),
        ],
    )
    _leaf(el, "Title", r.title)
    _leaf(el, "Message", r.message)
    for example in r.examples:
        _leaf(el, "Example", example)


def _lcc(parent: etree._Element, result: LccResult) -> None:
    el = _sub(parent, "LifeCycleCost", [("total", result.total)])
    for c in result.components:
        component = _sub(
            el,
            "Component",
            [
                ("id", c.spec.id),
                ("quantity", c.quantity.value),
                ("unit", c.quantity.unit),
                ("count", c.quantity.count),
                ("unitCost", c.spec.unit_cost),
                ("factor", c.factor),
                ("presentValue", c.present_value),
                ("source", c.quantity.source),
            ],
        )
        _leaf(component, "Message", c.quantity.message)


def render_bytes(evaluation: Evaluation, sign_key: str | None = None, sign_cert: str | None = None) -> bytes:
    """The evaluation's bytes, signed (enveloped XML-DSig) when a key and certificate are given."""
    return finish(build(evaluation), sign_key, sign_cert)


def render(evaluation: Evaluation, sign_key: str | None = None, sign_cert: str | None = None) -> str:
    return render_bytes(evaluation, sign_key, sign_cert).decode("utf-8")


@cache
def schema() -> etree.XMLSchema:
    return load_schema(XSD_PATH)
