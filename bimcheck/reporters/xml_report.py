"""Compliance XML: the namespaced, versioned, deterministic report a procurement file keeps."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from lxml import etree

from bimcheck.results import (
    NOT_FAILING,
    BaselineInfo,
    ElementResult,
    Finding,
    KeyFigure,
    Kind,
    RequirementResult,
    RunResult,
    Status,
    Suppression,
)

NAMESPACE = "urn:bimcheck:compliance:1"
# 1.1: status "suppressed", Suppression of elements and requirements, the Baseline of waivers
SCHEMA_VERSION = "1.1"
XSD_PATH = Path(__file__).resolve().parent / "schemas" / "bimcheck-compliance-1.xsd"

_N = f"{{{NAMESPACE}}}"
# Attribute names of the per-status counts, in the enum's (fixed) order.
STATUS_ATTRIBUTES = {
    Status.PASS: "pass",
    Status.FAIL: "fail",
    Status.NOT_APPLICABLE: "notApplicable",
    Status.NOT_EVALUABLE: "notEvaluable",
    Status.ERROR: "error",
    Status.MANUAL: "manual",
    Status.SUPPRESSED: "suppressed",
}
# Counts added after 1.0 are written only when non-zero, so that a report made without a
# baseline keeps the 1.0 content and reports filed before still verify.
_OPTIONAL_COUNTS = frozenset({Status.SUPPRESSED})
# Characters XML 1.0 cannot carry at all (C0 controls other than tab/newline/return, lone
# surrogates, U+FFFE/U+FFFF). IFC strings occasionally hold them; lxml would refuse the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def number(value: float | int) -> str:
    """Canonical text of a number: digits for an integer; a real rounded to 12 significant
    digits in its shortest round-trip form, so geometric last-bit noise never changes a report."""
    if isinstance(value, bool):  # a bool is an int to Python, never a number in a report
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    rounded = float(f"{value:.12g}")
    return repr(rounded + 0.0)  # + 0.0 turns -0.0 into 0.0


def text(value: str) -> str:
    """Text XML can hold: characters it cannot are replaced by U+FFFD, always the same way."""
    return _NOT_XML.sub("\ufffd", value)


def _attrs(pairs: Iterable[tuple[str, str | int | float | None]]) -> dict[str, str]:
    """Attributes in the given (schema) order; None is left out, numbers get canonical text."""
    return {
        name: value if isinstance(value, str) else number(value) for name, value in pairs if value is not None
    }


def add_element(parent: etree._Element, qname: str, values: dict[str, str]) -> etree._Element:
    """A child with these attributes, characters XML cannot hold replaced (as `text` does)."""
    try:
        return etree.SubElement(parent, qname, values)
    except ValueError:  # a character XML cannot hold; rare, so only then pay for the scan
        return etree.SubElement(parent, qname, {k: text(v) for k, v in values.items()})


def add_leaf(parent: etree._Element, qname: str, value: str | None) -> None:
    """A child holding `value` as its text (none when None), made XML-safe as `add_element`."""
    if value is not None:
        node = etree.SubElement(parent, qname)
        try:
            node.text = value
        except ValueError:
            node.text = text(value)


def _sub(
    parent: etree._Element, tag: str, attrib: Iterable[tuple[str, str | int | float | None]] = ()
) -> etree._Element:
    return add_element(parent, _N + tag, _attrs(attrib))


def _leaf(parent: etree._Element, tag: str, value: str | None) -> None:
    add_leaf(parent, _N + tag, value)


def _counts(statuses: Iterable[Status]) -> list[tuple[str, str | int | float | None]]:
    tally = dict.fromkeys(Status, 0)
    for status in statuses:
        tally[status] += 1
    return [
        (STATUS_ATTRIBUTES[s], None if s in _OPTIONAL_COUNTS and not tally[s] else tally[s]) for s in Status
    ]


def _tally(requirements: Iterable[RequirementResult]) -> list[tuple[str, str | int | float | None]]:
    results = list(requirements)

    def failed(kind: Kind) -> int:
        return sum(1 for r in results if r.kind is kind and r.status not in NOT_FAILING)

    return [
        ("requirements", len(results)),
        ("mandatoryFailed", failed(Kind.MANDATORY)),
        ("scoredFailed", failed(Kind.SCORED)),
        *_counts(r.status for r in results),
    ]


def build(run: RunResult) -> etree._Element:
    """The report as an lxml tree, in canonical order."""
    root = etree.Element(
        _N + "ComplianceReport",
        _attrs([("schemaVersion", SCHEMA_VERSION), ("created", run.created)]),
        nsmap={None: NAMESPACE},  # type: ignore[dict-item]  # the default namespace; stubs want str keys
    )
    tool = run.tool
    _sub(
        root,
        "Tool",
        [
            ("name", tool.name),
            ("version", tool.version),
            ("ifcopenshell", tool.ifcopenshell),
            ("python", tool.python),
        ],
    )
    parameters = _sub(root, "Parameters")
    for name, value in sorted(run.parameters.items()):
        _sub(parameters, "Parameter", [("name", name), ("value", value)])
    models = _sub(root, "Models")
    for m in run.models:
        model = _sub(
            models, "Model", [("name", m.name), ("path", m.path), ("size", m.size), ("sha256", m.sha256)]
        )
        _sub(
            model,
            "IfcHeader",
            [
                ("schema", m.schema),
                ("originatingSystem", m.originating_system),
                ("preprocessor", m.preprocessor),
                ("timestamp", m.timestamp),
                ("authoringApplication", m.authoring_application),
            ],
        )
    sources = _sub(root, "RuleSources")
    for s in run.rule_sources:
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
    if run.baseline is not None:
        _baseline(root, run.baseline)
    summary = _sub(root, "Summary", _tally(run.requirements))
    for m in run.models:
        _sub(summary, "ModelSummary", [("model", m.name), *_tally(run.for_model(m.name))])
    results = _sub(root, "Results")
    for requirement in run.requirements:
        _requirement(results, requirement)
    return root


def _requirement(parent: etree._Element, r: RequirementResult) -> None:
    el = _sub(
        parent,
        "Requirement",
        [
            ("id", r.id),
            ("model", r.model),
            ("status", r.status.value),
            ("kind", r.kind.value),
            ("severity", r.severity.value),
            ("cardinality", r.cardinality),
            ("applicableCount", r.applicable_count),
            ("weight", r.weight),
            ("source", r.source),
        ],
    )
    _leaf(el, "Title", r.title)
    _leaf(el, "Description", r.description)
    _leaf(el, "Instructions", r.instructions)
    if r.regulation is not None:
        reg = r.regulation
        _sub(el, "Regulation", [("reference", reg.reference), ("edition", reg.edition), ("url", reg.url)])
    _leaf(el, "Verification", r.verification)
    for tag, facets in (("Applicability", r.applicability), ("RequiredFacets", r.requirements)):
        if facets:
            group = _sub(el, tag)
            for facet in facets:
                _leaf(group, "Facet", facet)
    _leaf(el, "Message", r.message)
    for note in r.notes:
        _leaf(el, "Note", note)
    _suppression(el, r.suppression)
    _sub(el, "Counts", _counts(e.status for e in r.elements))
    if r.key_figures:
        figures = _sub(el, "KeyFigures")
        for k in r.key_figures:
            _key_figure(figures, k)
    if r.elements:
        elements = _sub(el, "Elements")
        for e in r.elements:
            _element(elements, e)


def _key_figure(parent: etree._Element, k: KeyFigure) -> None:
    el = _sub(
        parent,
        "KeyFigure",
        [
            ("name", k.name),
            ("group", k.group),
            ("value", k.value),
            ("unit", k.unit),
            ("status", k.status.value),
            ("count", k.count),
            ("source", k.source),
        ],
    )
    _leaf(el, "Expected", k.expected)
    _leaf(el, "Message", k.message)


def _element(parent: etree._Element, e: ElementResult) -> None:
    el = _sub(
        parent,
        "Element",
        [
            ("globalId", e.global_id),
            ("stepId", e.step_id),
            ("class", e.ifc_class),
            ("name", e.name),
            ("storey", e.storey),
            ("status", e.status.value),
        ],
    )
    _suppression(el, e.suppression)
    for f in e.findings:
        _finding(el, f)


def _suppression(parent: etree._Element, s: Suppression | None) -> None:
    if s is None:
        return
    el = _sub(
        parent,
        "Suppression",
        [
            ("status", s.status.value),
            ("approvedBy", s.approved_by),
            ("date", s.date),
            ("expires", s.expires),
            ("source", s.source),
        ],
    )
    _leaf(el, "Reason", s.reason)


def _baseline(parent: etree._Element, b: BaselineInfo) -> None:
    el = _sub(parent, "Baseline", [("path", b.path), ("sha256", b.sha256), ("asOf", b.as_of)])
    for w in b.waivers:
        waiver = _sub(
            el,
            "Waiver",
            [
                ("requirement", w.requirement),
                ("model", w.model),
                ("globalId", w.global_id),
                ("class", w.ifc_class),
                ("name", w.name),
                ("storey", w.storey),
                ("approvedBy", w.approved_by),
                ("date", w.date),
                ("expires", w.expires),
                ("source", w.source),
                ("state", w.state.value),
                ("matched", w.matched),
            ],
        )
        _leaf(waiver, "Reason", w.reason)


def _finding(parent: etree._Element, f: Finding) -> None:
    el = _sub(
        parent,
        "Finding",
        [
            ("facet", f.facet),
            ("status", f.status.value),
            ("reason", f.reason),
            ("unit", f.unit),
            ("source", f.source),
        ],
    )
    _leaf(el, "Expected", f.expected)
    _leaf(el, "Observed", f.observed)
    if f.value is not None:
        value = etree.SubElement(el, _N + "Value", {"type": _value_type(f.value)})
        raw = f.value if isinstance(f.value, str) else number(f.value)
        try:
            value.text = raw
        except ValueError:
            value.text = text(raw)
    _leaf(el, "Message", f.message)


def _value_type(value: float | int | str | bool) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    return "string"


def serialize(root: etree._Element) -> bytes:
    """Canonical bytes: UTF-8 with declaration, two-space indentation, final newline."""
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def finish(root: etree._Element, sign_key: str | None = None, sign_cert: str | None = None) -> bytes:
    """Canonical bytes of a built report, signed (enveloped XML-DSig) when a key and certificate are given."""
    data = serialize(root)
    if sign_key is not None and sign_cert is not None:
        from bimcheck.reporters.signing import sign

        data = sign(data, sign_key, sign_cert)
    return data


def load_schema(path: Path) -> etree.XMLSchema:
    """A shipped XSD, loaded without network access (bimcheck's XSDs import nothing)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def render_bytes(run: RunResult, sign_key: str | None = None, sign_cert: str | None = None) -> bytes:
    """The report's bytes, signed (enveloped XML-DSig) when a key and certificate are given."""
    return finish(build(run), sign_key, sign_cert)


def render(run: RunResult, sign_key: str | None = None, sign_cert: str | None = None) -> str:
    """The report as text; its declaration says UTF-8, which is how outputs are written."""
    return render_bytes(run, sign_key, sign_cert).decode("utf-8")


@cache
def schema() -> etree.XMLSchema:
    return load_schema(XSD_PATH)
