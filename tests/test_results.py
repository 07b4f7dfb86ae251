"""Result types: the lossless JSON round trip, the report's shape, and the exit-code policy."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bimcheck.reporters.json_report import render as render_json
from bimcheck.results import (
    FAIL_ON_LEVELS,
    SCHEMA_VERSION,
    Kind,
    RequirementResult,
    RunResult,
    Severity,
    Status,
    counts_against,
    exit_code,
    run_from_dict,
    run_to_dict,
)
from tests.sample_run import sample_run


@pytest.fixture
def run() -> RunResult:
    return sample_run()


def test_json_round_trip_gives_back_an_equal_run(run: RunResult) -> None:
    assert run_from_dict(run_to_dict(run)) == run


def test_json_round_trip_through_text_is_byte_identical(run: RunResult) -> None:
    text = render_json(run)
    again = render_json(run_from_dict(json.loads(text)))
    assert again == text


def test_round_trip_keeps_every_value_type_of_findings(run: RunResult) -> None:
    back = run_from_dict(json.loads(render_json(run)))
    values = [f.value for r in back.requirements for e in r.elements for f in e.findings]
    assert 2.35 in values
    assert any(v is True for v in values)
    assert any(isinstance(v, int) and not isinstance(v, bool) and v == 5 for v in values)
    assert "KL-trä" in values
    assert None in values


def test_top_level_shape_is_what_the_issue_promises(run: RunResult) -> None:
    data = json.loads(render_json(run))
    assert data["schema_version"] == SCHEMA_VERSION
    assert list(data) == [
        "schema_version",
        "tool",
        "created",
        "parameters",
        "models",
        "rule_sources",
        "baseline",
        "summary",
        "requirements",
        "plans",
    ]
    assert isinstance(data["requirements"], list)
    for requirement in data["requirements"]:
        assert {"id", "status", "elements"} <= set(requirement)
        assert requirement["status"] in {s.value for s in Status}
        for element in requirement["elements"]:
            assert {"global_id", "status"} <= set(element)
    ids = [r["id"] for r in data["requirements"]]
    assert ids == [r.id for r in run.requirements]


def test_element_without_global_id_is_kept_with_its_step_id(run: RunResult) -> None:
    data = run_to_dict(run)
    elements = [e for r in data["requirements"] for e in r["elements"] if e["global_id"] is None]
    assert [e["step_id"] for e in elements] == [4711]


def test_summary_and_counts_list_every_status(run: RunResult) -> None:
    data = run_to_dict(run)
    assert data["summary"] == {
        "pass": 2,
        "fail": 2,
        "not_applicable": 1,
        "not_evaluable": 1,
        "error": 1,
        "manual": 0,
        "suppressed": 0,
    }
    first = data["requirements"][0]
    assert first["counts"] == {
        "pass": 1,
        "fail": 1,
        "not_applicable": 0,
        "not_evaluable": 0,
        "error": 0,
        "manual": 0,
        "suppressed": 0,
    }


def test_parameters_are_written_sorted(run: RunResult) -> None:
    assert list(run_to_dict(run)["parameters"]) == ["door_clear_width", "room_height"]


def test_a_newer_minor_schema_version_is_read() -> None:
    data = run_to_dict(sample_run())
    data["schema_version"] = SCHEMA_VERSION.split(".")[0] + ".9"
    assert run_from_dict(data).schema_version.endswith(".9")


@pytest.mark.parametrize("version", ["2.0", "0.1", "", "x"])
def test_another_major_schema_version_is_refused(version: str) -> None:
    data = run_to_dict(sample_run())
    data["schema_version"] = version
    with pytest.raises(ValueError, match="schema_version"):
        run_from_dict(data)


@pytest.mark.parametrize("key", ["tool", "created", "models", "rule_sources", "requirements"])
def test_a_missing_top_level_key_is_refused(key: str) -> None:
    data = run_to_dict(sample_run())
    del data[key]
    with pytest.raises(KeyError):
        run_from_dict(data)


# --- exit-code policy ---------------------------------------------------------------


def _requirement(status: Status, kind: Kind, severity: Severity) -> RequirementResult:
    return RequirementResult(id="R", title="R", status=status, model="m.ifc", kind=kind, severity=severity)


def _run(*requirements: RequirementResult) -> RunResult:
    return replace(sample_run(), requirements=requirements)


# Expected exit code per --fail-on level (any, mandatory, error, warning, info, none).
@pytest.mark.parametrize(
    ("kind", "severity", "expected"),
    [
        (Kind.MANDATORY, Severity.ERROR, (1, 1, 1, 1, 1, 0)),
        (Kind.MANDATORY, Severity.WARNING, (1, 1, 0, 1, 1, 0)),
        (Kind.MANDATORY, Severity.INFO, (1, 1, 0, 0, 1, 0)),
        (Kind.SCORED, Severity.ERROR, (1, 0, 1, 1, 1, 0)),
        (Kind.SCORED, Severity.WARNING, (1, 0, 0, 1, 1, 0)),
        (Kind.SCORED, Severity.INFO, (1, 0, 0, 0, 1, 0)),
    ],
)
def test_fail_on_levels_for_one_failing_requirement(
    kind: Kind, severity: Severity, expected: tuple[int, ...]
) -> None:
    passing = _requirement(Status.PASS, Kind.MANDATORY, Severity.ERROR)
    run = _run(_requirement(Status.FAIL, kind, severity), passing)
    assert tuple(exit_code(run, level) for level in FAIL_ON_LEVELS) == expected


@pytest.mark.parametrize("status", [Status.FAIL, Status.NOT_EVALUABLE, Status.ERROR])
def test_statuses_that_were_not_shown_to_pass_break_the_run(status: Status) -> None:
    run = _run(_requirement(status, Kind.MANDATORY, Severity.ERROR))
    assert exit_code(run, "mandatory") == 1


@pytest.mark.parametrize("status", [Status.PASS, Status.NOT_APPLICABLE])
def test_passing_statuses_never_break_the_run(status: Status) -> None:
    run = _run(_requirement(status, Kind.MANDATORY, Severity.ERROR))
    assert [exit_code(run, level) for level in FAIL_ON_LEVELS] == [0] * len(FAIL_ON_LEVELS)


def test_no_requirement_results_is_exit_code_3_whatever_the_level() -> None:
    assert {exit_code(_run(), level) for level in FAIL_ON_LEVELS} == {3}


def test_the_default_level_is_mandatory() -> None:
    scored = _run(_requirement(Status.FAIL, Kind.SCORED, Severity.ERROR))
    mandatory = _run(_requirement(Status.FAIL, Kind.MANDATORY, Severity.INFO))
    assert (exit_code(scored), exit_code(mandatory)) == (0, 1)


def test_counts_against_ignores_passing_requirements_at_every_level() -> None:
    passing = _requirement(Status.PASS, Kind.MANDATORY, Severity.ERROR)
    assert not any(counts_against(passing, level) for level in FAIL_ON_LEVELS)


def test_the_sample_run_fails_on_mandatory_and_passes_on_none(run: RunResult) -> None:
    assert (exit_code(run, "mandatory"), exit_code(run, "none")) == (1, 0)
