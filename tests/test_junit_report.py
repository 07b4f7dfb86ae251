"""JUnit report: valid against the Jenkins JUnit XSD; failures exactly when the exit code says so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from bimcheck.reporters import FORMATS, RenderOptions
from bimcheck.reporters.junit_report import render
from bimcheck.results import FAIL_ON_LEVELS, ElementResult, RunResult, Status, exit_code
from tests.sample_run import sample_run

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "junit" / "junit-10.xsd")))


def parse(text: str) -> etree._Element:
    root = etree.fromstring(text.encode("utf-8"))
    assert SCHEMA.validate(root.getroottree()), SCHEMA.error_log
    return root


def case(root: etree._Element, requirement_id: str) -> etree._Element:
    (found,) = [c for c in root.iter("testcase") if c.get("name", "").startswith(f"{requirement_id}: ")]
    return found


def outcome(testcase: etree._Element) -> str:
    children = [c.tag for c in testcase]
    return children[0] if children else "pass"


@pytest.mark.parametrize("fail_on", FAIL_ON_LEVELS)
def test_every_report_validates_against_the_junit_xsd(fail_on: str) -> None:
    root = parse(render(sample_run(), fail_on))
    assert root.tag == "testsuites"


def test_one_suite_per_model_and_one_case_per_requirement() -> None:
    root = parse(render(sample_run()))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["hus-a.ifc", "hus-b.ifc"]
    assert [s.get("tests") for s in suites] == ["4", "3"]
    names = [(c.get("classname"), c.get("name")) for c in suites[0].iter("testcase")]
    assert names[1] == ("hus-a.ifc", "SE-SKA-01: Rumshöjd i bostadsrum minst 2,40 m")
    properties = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert properties["model.sha256"] == "a" * 64
    assert properties["fail_on"] == "mandatory"
    assert properties["rules.requirements/se-housing.yaml"] == "c" * 64


def test_a_failing_mandatory_requirement_is_a_failure_listing_its_elements() -> None:
    root = parse(render(sample_run(), "mandatory"))
    failure = case(root, "SE-SKA-01").find("failure")
    assert failure is not None
    assert failure.get("message") == "fail (mandatory, error): 2 of 3 applicable element(s) fail"
    text = failure.text or ""
    assert '  fail IfcSpace 3vB2YO$MX4xv5uCqZZG05x "1202-04 [bold]Sovrum[/bold]" (Plan 2)' in text
    assert "    measure: expected >= 2.4, observed 2.35 m [geometry]" in text
    assert "  fail IfcSpace #4711" in text
    assert "regulation: BBR 3:311, BFS 2011:6 t.o.m. BFS 2020:4" in text
    # The passing element is not listed.
    assert "3vB2YO$MX4xv5uCqZZG05y" not in text


def test_not_evaluable_and_error_are_errors_never_passes() -> None:
    root = parse(render(sample_run(), "any"))
    not_evaluable = case(root, "SE-SKA-02").find("error")
    assert not_evaluable is not None
    assert not_evaluable.get("type") == "not_evaluable"
    assert "clear width cannot be derived: no lining properties" in (not_evaluable.text or "")
    broken = case(root, "SE-BOR-09").find("error")
    assert broken is not None
    assert broken.get("type") == "error"
    assert "ValueError: bad label" in (broken.get("message") or "")


def test_manual_requirements_are_skipped_with_how_to_verify() -> None:
    manual = replace(
        sample_run().requirements[1], status=Status.MANUAL, elements=(), verification="Granskas på plats"
    )
    run = replace(sample_run(), requirements=(manual,))
    for fail_on in FAIL_ON_LEVELS:
        skipped = case(parse(render(run, fail_on)), "SE-SKA-01").find("skipped")
        assert skipped is not None
        assert skipped.get("type") == "manual"
        assert skipped.get("message") == (
            "manual: cannot be decided from the model; verify by hand: Granskas på plats"
        )


def test_not_applicable_is_skipped_and_pass_has_no_child() -> None:
    root = parse(render(sample_run()))
    assert outcome(case(root, "SE-SKA-03")) == "skipped"
    assert outcome(case(root, "SE-IDS-07")) == "pass"


def test_a_scored_failure_under_fail_on_mandatory_is_skipped_saying_why() -> None:
    root = parse(render(sample_run(), "mandatory"))
    skipped = case(root, "SE-BOR-07").find("skipped")
    assert skipped is not None
    assert skipped.get("type") == "fail-not-counted"
    assert skipped.get("message") == (
        "fail (scored, warning): 1 of 2 applicable element(s) fail"
        " — does not fail the run under --fail-on mandatory"
    )
    assert "2O2Fr$t4X7Zf8NOew3FLOI" in (skipped.text or "")
    assert outcome(case(parse(render(sample_run(), "any")), "SE-BOR-07")) == "failure"


def _variants() -> list[RunResult]:
    base = sample_run()
    passing = tuple(r for r in base.requirements if not r.failed)
    scored_only = tuple(r for r in base.requirements if r.id.startswith("SE-BOR") or not r.failed)
    return [base, replace(base, requirements=passing), replace(base, requirements=scored_only)]


@pytest.mark.parametrize("fail_on", FAIL_ON_LEVELS)
@pytest.mark.parametrize("index", range(3))
def test_failures_and_errors_appear_exactly_when_the_exit_code_is_1(fail_on: str, index: int) -> None:
    run = _variants()[index]
    root = parse(render(run, fail_on))
    broken = int(root.get("failures", "0")) + int(root.get("errors", "0"))
    assert (broken > 0) == (exit_code(run, fail_on) == 1)
    # Suite counts add up to the totals, and to the children actually written.
    assert sum(int(s.get("failures", "0")) for s in root.findall("testsuite")) == int(
        root.get("failures", "0")
    )
    assert len(root.findall(".//failure")) + len(root.findall(".//error")) == broken
    assert len(root.findall(".//skipped")) == sum(
        int(s.get("skipped", "0")) for s in root.findall("testsuite")
    )


def test_the_registered_format_honours_fail_on() -> None:
    run = sample_run()
    strict = FORMATS["junit"].render(run, RenderOptions(fail_on="any"))
    lenient = FORMATS["junit"].render(run, RenderOptions(fail_on="none"))
    assert isinstance(strict, str)
    assert isinstance(lenient, str)
    assert parse(strict).get("failures") == "2"
    assert parse(lenient).get("failures") == "0"
    assert parse(lenient).get("errors") == "0"


def test_characters_xml_cannot_hold_are_replaced() -> None:
    run = sample_run()
    element = ElementResult(
        global_id=None, ifc_class="IfcWall", status=Status.FAIL, step_id=7, name="W\x01\x1f"
    )
    first = replace(run.requirements[1], title="Höjd\x0b", elements=(element,))
    root = parse(render(replace(run, requirements=(first,))))
    assert case(root, "SE-SKA-01").get("name") == "SE-SKA-01: Höjd\ufffd"
    assert 'fail IfcWall #7 "W\ufffd\ufffd"' in (case(root, "SE-SKA-01").findtext("failure") or "")


def test_rendering_is_deterministic() -> None:
    assert render(sample_run(), "any") == render(sample_run(), "any")
