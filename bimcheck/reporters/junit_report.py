"""JUnit XML report for CI: a test suite per model, a test case per requirement."""

from __future__ import annotations

import re

from lxml import etree

from bimcheck.results import (
    ElementResult,
    RequirementResult,
    RunResult,
    Status,
    Suppression,
    WaiverState,
    counts_against,
)

# How a requirement becomes a test case. The rule that keeps CI honest: the report has a
# <failure> or <error> exactly when `bimcheck check` exits 1 under the same --fail-on, so a CI
# server that reads the JUnit file and one that reads the exit code agree.
#   pass                                   -> passed test case
#   fail, counting under --fail-on         -> <failure>, listing the failing elements
#   not_evaluable / error, counting        -> <error>: the model lacks the data, or the check broke
#   any of these, not counting             -> <skipped> saying it failed and why it does not count
#   manual                                 -> <skipped>: must be verified by hand, never a pass
#   not_applicable                         -> <skipped>: nothing in the model to check
#   suppressed                             -> <skipped> with the waiver's reason: accepted, still shown
_ERRORS = (Status.NOT_EVALUABLE, Status.ERROR)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(run: RunResult, fail_on: str = "mandatory") -> str:
    """The JUnit XML of a run; failures follow `fail_on` exactly as the exit code does."""
    root = etree.Element("testsuites", name="bimcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for model in run.models:
        results = run.for_model(model.name)
        suite = etree.SubElement(root, "testsuite", name=_clean(model.name))
        counts = {"tests": len(results), "failures": 0, "errors": 0, "skipped": 0}
        properties = etree.SubElement(suite, "properties")
        for name, value in (
            ("model.path", model.path),
            ("model.sha256", model.sha256),
            ("model.schema", model.schema),
            ("model.application", model.authoring_application or model.originating_system or ""),
            ("bimcheck.version", run.tool.version),
            ("ifcopenshell.version", run.tool.ifcopenshell),
            ("fail_on", fail_on),
            *((f"rules.{s.path}", s.sha256) for s in run.rule_sources),
            *((f"param.{k}", v) for k, v in sorted(run.parameters.items())),
            *_baseline_properties(run),
        ):
            etree.SubElement(properties, "property", name=_clean(name), value=_clean(value))
        for result in results:
            outcome = _testcase(suite, result, fail_on)
            if outcome:
                counts[outcome] += 1
        for key, count in counts.items():
            suite.set(key, str(count))
        suite.set("timestamp", run.created)
        for key in totals:
            totals[key] += counts[key]
    for key, total in totals.items():
        root.set(key, str(total))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        root, encoding="unicode", pretty_print=True
    )


def _testcase(suite: etree._Element, r: RequirementResult, fail_on: str) -> str | None:
    """Add one requirement's test case; return which count it adds to (None for a pass)."""
    case = etree.SubElement(suite, "testcase", classname=_clean(r.model), name=_clean(f"{r.id}: {r.title}"))
    detail = _detail(r)
    if r.status is Status.PASS:
        return None
    if r.status is Status.MANUAL:
        how = f": {r.verification}" if r.verification else ""
        _child(
            case,
            "skipped",
            "manual",
            f"manual: cannot be decided from the model; verify by hand{how}",
            detail,
        )
        return "skipped"
    if r.status is Status.NOT_APPLICABLE:
        _child(case, "skipped", "not_applicable", r.message or "no applicable element in the model", detail)
        return "skipped"
    if r.status is Status.SUPPRESSED:
        _child(case, "skipped", "suppressed", _waived(r.suppression), detail)
        return "skipped"
    message = f"{r.status.value} ({r.kind.value}, {r.severity.value}): {r.message or r.status.value}"
    if not counts_against(r, fail_on):
        note = f"{message} — does not fail the run under --fail-on {fail_on}"
        _child(case, "skipped", f"{r.status.value}-not-counted", note, detail)
        return "skipped"
    if r.status in _ERRORS:
        _child(case, "error", r.status.value, message, detail)
        return "errors"
    _child(case, "failure", r.status.value, message, detail)
    return "failures"


def _child(case: etree._Element, tag: str, kind: str, message: str, text: str) -> None:
    node = etree.SubElement(case, tag, type=kind, message=_clean(message))
    if text:
        node.text = _clean(text)


def _detail(r: RequirementResult) -> str:
    """The body of a failure: requirement, regulation, every element that did not pass."""
    lines = [f"{r.id} ({r.kind.value}, severity {r.severity.value}): {r.title}"]
    if r.regulation is not None:
        edition = f", {r.regulation.edition}" if r.regulation.edition else ""
        lines.append(f"regulation: {r.regulation.reference}{edition}")
    lines.extend(f"note: {n}" for n in r.notes)
    for e in r.elements:
        if e.status in (Status.PASS, Status.NOT_APPLICABLE):
            continue
        lines.append(_element_line(e))
        for f in e.findings:
            if f.status is Status.PASS:
                continue
            if f.expected is not None:
                observed = f.observed if f.observed is not None else "nothing"
                source = f" [{f.source}]" if f.source else ""
                lines.append(f"    {f.facet}: expected {f.expected}, observed {observed}{source}")
            else:
                lines.append(f"    {f.facet}: {f.message}")
    for k in r.key_figures:
        if k.status in (Status.PASS, Status.NOT_APPLICABLE):
            continue
        group = f" [{k.group}]" if k.group else ""
        value = "nothing" if k.value is None else f"{k.value:g}{' ' + k.unit if k.unit else ''}"
        expected = f", expected {k.expected}" if k.expected else ""
        lines.append(f"  {k.status.value} key figure {k.name}{group}: {value}{expected}")
    return "\n".join(lines)


def _element_line(e: ElementResult) -> str:
    ident = e.global_id or f"#{e.step_id}"
    name = f' "{e.name}"' if e.name else ""
    storey = f" ({e.storey})" if e.storey else ""
    waived = f" — {_waived(e.suppression)}" if e.suppression is not None else ""
    return f"  {e.status.value} {e.ifc_class} {ident}{name}{storey}{waived}"


def _waived(s: Suppression | None) -> str:
    if s is None:  # a suppressed status always carries its suppression; say so if one does not
        return "suppressed"
    until = f", expires {s.expires}" if s.expires else ""
    where = f", {s.source}" if s.source else ""
    return (
        f"suppressed (was {s.status.value}): {s.reason} (approved by {s.approved_by}, {s.date}{until}{where})"
    )


def _baseline_properties(run: RunResult) -> list[tuple[str, str]]:
    b = run.baseline
    if b is None:
        return []
    return [
        ("baseline.path", b.path),
        ("baseline.sha256", b.sha256),
        ("baseline.as_of", b.as_of),
        *((f"baseline.{state.value}", str(len(b.in_state(state)))) for state in WaiverState),
    ]


def _clean(value: str) -> str:
    # Characters XML 1.0 cannot hold (control codes in a model's names) become U+FFFD.
    return _NOT_XML.sub("\ufffd", value)
