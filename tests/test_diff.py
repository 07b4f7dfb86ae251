"""`bimcheck diff`: new, fixed and unchanged findings between two iterations, changed figures, exit codes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.procurement.diff import Change, DiffResult, Subject, diff_runs
from bimcheck.procurement.diff_report import diff_to_dict, render_json, render_markdown, render_text
from bimcheck.results import (
    ElementResult,
    Finding,
    KeyFigure,
    Kind,
    ModelInfo,
    RequirementResult,
    RunResult,
    Severity,
    Status,
    ToolInfo,
)
from bimcheck.workflows.diff import diff
from tests.iterations import (
    DOOR_FIXED,
    DOOR_NEW,
    DOOR_WAIVED,
    TODAY,
    WALL_EXPIRED,
    WINDOW_WARM,
    Project,
    write_project,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return write_project(tmp_path_factory.mktemp("iterations"))


@pytest.fixture(scope="module")
def reports(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Both iterations checked with `bimcheck check -o json`, as CI keeps them."""
    folder = tmp_path_factory.mktemp("reports")
    out = []
    for model, name in ((project.v1, "v1.json"), (project.v2, "v2.json")):
        path = folder / name
        result = CliRunner().invoke(
            app, ["check", str(model), "-r", str(project.rules), "-o", f"json:{path}"]
        )
        assert result.exit_code == 1, result.output
        out.append(path)
    return out[0], out[1]


@pytest.fixture(scope="module")
def result(project: Project) -> DiffResult:
    return diff(project.v1, project.v2, [project.rules], baseline=project.baseline, today=TODAY)


def changes(d: DiffResult, rid: str) -> dict[str, list[str]]:
    r = next(r for r in d.requirements if r.id == rid)
    return {c.value: [f.key for f in r.of(c)] for c in Change}


# --- the cases ---------------------------------------------------------------------------------


def test_findings_are_new_fixed_and_unchanged_by_requirement_and_global_id(result: DiffResult) -> None:
    assert changes(result, "IT-DOOR-01") == {
        "new": [DOOR_NEW],
        "fixed": [DOOR_FIXED],
        "unchanged": [DOOR_WAIVED],
    }
    assert changes(result, "IT-WALL-01") == {"new": [], "fixed": [], "unchanged": [WALL_EXPIRED]}
    assert changes(result, "IT-WIN-01") == {"new": [], "fixed": [], "unchanged": [WINDOW_WARM]}
    assert (result.count(Change.NEW), result.count(Change.FIXED), result.count(Change.UNCHANGED)) == (1, 1, 3)


def test_a_waived_finding_is_listed_with_its_reason_and_does_not_count(result: DiffResult) -> None:
    doors = next(r for r in result.requirements if r.id == "IT-DOOR-01")
    (waived,) = doors.of(Change.UNCHANGED)
    assert waived.new is not None
    assert waived.new.waived is not None
    assert waived.new.waived.reason.startswith("Fire door ordered")
    assert not waived.counts
    assert result.waived == 1


def test_only_the_new_finding_and_the_expired_waiver_count(result: DiffResult) -> None:
    counting = [(r.id, f.key, f.change.value) for r, f in result.counting]
    assert counting == [("IT-DOOR-01", DOOR_NEW, "new"), ("IT-WALL-01", WALL_EXPIRED, "unchanged")]
    wall = next(f for r, f in result.counting if r.id == "IT-WALL-01")
    assert wall.expired is not None
    assert wall.expired.expires == "2025-05-31"
    assert result.exit_code == 1


def test_exit_codes_follow_only_new_and_unwaived_problems(project: Project) -> None:
    def code(old: Path, new: Path, **kwargs: object) -> int:
        return diff(old, new, [project.rules], **kwargs).exit_code  # type: ignore[arg-type]

    assert code(project.v1, project.v1) == 0  # nothing new, whatever fails
    assert code(project.v1, project.v2) == 1
    assert code(project.v1, project.v2, fail_on="none") == 0
    # Before the wall's waiver expired, only the new door counts.
    assert code(project.v1, project.v2, baseline=project.baseline, today=TODAY.replace(day=1, month=5)) == 1


def test_going_back_makes_the_fixed_finding_new(project: Project) -> None:
    back = diff(project.v2, project.v1, [project.rules])
    assert changes(back, "IT-DOOR-01") == {
        "new": [DOOR_FIXED],
        "fixed": [DOOR_NEW],
        "unchanged": [DOOR_WAIVED],
    }
    assert back.exit_code == 1


def test_key_figures_that_changed_are_listed_old_to_new_with_their_group(result: DiffResult) -> None:
    (figure,) = result.key_figures
    assert (figure.requirement, figure.name, figure.group) == (
        "IT-AREA-01",
        "Room area per storey (m²)",
        "Plan 1",
    )
    assert (figure.old, figure.new, figure.unit) == (35.0, 32.0, "m2")


def test_the_diff_of_two_json_reports_equals_the_diff_of_the_two_models(
    project: Project, reports: tuple[Path, Path], result: DiffResult
) -> None:
    from_reports = diff(*reports, baseline=project.baseline, today=TODAY)
    a, b = diff_to_dict(result), diff_to_dict(from_reports)
    for side in ("old", "new"):
        a[side].pop("label")
        b[side].pop("label")
    assert a == b


def test_a_report_against_a_model_checks_the_model_with_the_reports_parameters(
    project: Project, reports: tuple[Path, Path], result: DiffResult
) -> None:
    mixed = diff(reports[0], project.v2, [project.rules], baseline=project.baseline, today=TODAY)
    assert [(r.id, r.findings) for r in mixed.requirements] == [
        (r.id, r.findings) for r in result.requirements
    ]


def test_the_diff_is_deterministic_and_has_no_timestamp(project: Project, result: DiffResult) -> None:
    again = diff(project.v1, project.v2, [project.rules], baseline=project.baseline, today=TODAY)
    assert render_json(again) == render_json(result)
    assert render_text(again) == render_text(result)
    assert render_markdown(again) == render_markdown(result)
    assert "created" not in render_json(result)


# --- keys -------------------------------------------------------------------------------------------------


def _fail(gid: str | None, name: str, storey: str = "Plan 1", cls: str = "IfcDoor") -> ElementResult:
    finding = Finding("property", Status.FAIL, "missing", f"{name} lacks it")
    return ElementResult(gid, cls, Status.FAIL, name=name, storey=storey, findings=(finding,))


def _run(model: str, *requirements: RequirementResult) -> RunResult:
    info = ModelInfo(path=model, name=model, size=1, sha256=model.ljust(64, "0")[:64], schema="IFC4")
    return RunResult(ToolInfo(), "2025-01-01T00:00:00Z", (info,), (), requirements)


def _req(*elements: ElementResult, status: Status = Status.FAIL, **kwargs: object) -> RequirementResult:
    return RequirementResult("R1", "Doors", status, kwargs.pop("model", "a.ifc"), elements=elements, **kwargs)  # type: ignore[arg-type]


def test_elements_without_a_global_id_are_keyed_by_class_name_and_storey() -> None:
    old = _run("a.ifc", _req(_fail(None, "D1"), _fail(None, "D2"), _fail(None, "D2", "Plan 2")))
    new = _run(
        "b.ifc", _req(_fail(None, "D2"), _fail(None, "D2", "Plan 2"), _fail(None, "D3"), model="b.ifc")
    )
    d = diff_runs(old, new)
    assert changes(d, "R1") == {
        "new": ["IfcDoor|D3|Plan 1"],
        "fixed": ["IfcDoor|D1|Plan 1"],
        "unchanged": ["IfcDoor|D2|Plan 1", "IfcDoor|D2|Plan 2"],
    }
    assert "(no GlobalId)" in render_text(d)


def test_a_repeated_global_id_is_told_apart_by_its_occurrence() -> None:
    old = _run("a.ifc", _req(_fail("X", "D1")))
    new = _run("a.ifc", _req(_fail("X", "D1"), _fail("X", "D1 copy")))
    assert changes(diff_runs(old, new), "R1") == {"new": ["X#2"], "fixed": [], "unchanged": ["X"]}


def test_a_requirement_that_fails_without_elements_is_a_finding_of_its_own() -> None:
    old = _run("a.ifc", _req(status=Status.PASS))
    new = _run("a.ifc", _req(status=Status.FAIL, message="no applicable element found"))
    d = diff_runs(old, new)
    (r,) = d.requirements
    assert (r.old_status, r.new_status, r.status_changed) == (Status.PASS, Status.FAIL, True)
    (f,) = r.of(Change.NEW)
    assert (f.key, f.current.subject, f.counts) == ("requirement", Subject.REQUIREMENT, True)


def test_a_failing_key_figure_is_a_finding_and_its_value_change_is_listed() -> None:
    def lifts(value: float, status: Status) -> RequirementResult:
        figure = KeyFigure("Lifts", value, status, expected=">= 1")
        return _req(status=status, key_figures=(figure,), kind=Kind.SCORED, severity=Severity.WARNING)

    d = diff_runs(_run("a.ifc", lifts(1, Status.PASS)), _run("a.ifc", lifts(0, Status.FAIL)))
    assert changes(d, "R1")["new"] == ["key figure Lifts"]
    (k,) = d.key_figures
    assert (k.old, k.new, k.old_status, k.new_status) == (1, 0, Status.PASS, Status.FAIL)
    assert d.exit_code == 0  # scored: below --fail-on mandatory
    assert (
        diff_runs(_run("a.ifc", lifts(1, Status.PASS)), _run("a.ifc", lifts(0, Status.FAIL)), "any").exit_code
        == 1
    )


def test_geometric_noise_is_not_a_changed_key_figure() -> None:
    def area(value: float) -> RequirementResult:
        return _req(status=Status.PASS, key_figures=(KeyFigure("Area", value, Status.NOT_APPLICABLE),))

    assert diff_runs(_run("a.ifc", area(65.05)), _run("a.ifc", area(65.05 + 1e-13))).key_figures == ()


def test_several_models_are_paired_by_name_and_a_missing_one_is_noted() -> None:
    a = _req(_fail("X", "D1"), model="a.ifc")
    b = _req(_fail("Y", "D2"), model="b.ifc")
    old = replace(_run("a.ifc", a, b), models=(*_run("a.ifc").models, *_run("b.ifc").models))
    new = replace(
        _run("a.ifc", a, replace(b, model="c.ifc")), models=(*_run("a.ifc").models, *_run("c.ifc").models)
    )
    d = diff_runs(old, new)
    assert [(r.model, [f.change.value for f in r.findings]) for r in d.requirements] == [
        ("a.ifc", ["unchanged"]),
        ("c.ifc", ["new"]),
        ("b.ifc", ["fixed"]),
    ]
    assert "model b.ifc is only in OLD: its findings are all fixed" in d.notes


def test_changed_rules_or_parameters_are_noted() -> None:
    old = _run("a.ifc", _req(_fail("X", "D1")))
    new = replace(old, parameters={"door_width_min": "0.9"})
    assert diff_runs(old, new).notes == (
        "parameters differ between OLD and NEW: door_width_min",
        "OLD and NEW were made from the same model file(s)",
    )


# --- reports and the command line ----------------------------------------------------------------------


def test_console_and_markdown_mark_what_counts(result: DiffResult) -> None:
    text = render_text(result)
    assert f' !+ new       IfcDoor {DOOR_NEW} "D4 förråd" on Plan 1: fail:' in text
    assert f'  - fixed     IfcDoor {DOOR_FIXED} "D1 entré" on Plan 1' in text
    assert "— waived: Fire door ordered" in text
    assert "— waiver expired 2025-05-31" in text
    assert "IT-AREA-01 Room area per storey (m²) [Plan 1]: 35 m2 → 32 m2" in text
    assert (
        "exit code 1: 1 new finding(s) and 1 finding(s) whose waiver expired at or above --fail-on mandatory"
        in text
    )
    markdown = render_markdown(result)
    assert "| ❗ | new | IT-DOOR-01 Doors have a fire rating |" in markdown
    assert "— waiver expired 2025-05-31" in markdown
    assert "- expired IT-WALL-01" in markdown


def test_markdown_cells_cannot_break_the_table() -> None:
    old = _run("a.ifc", _req())
    new = _run("a.ifc", _req(_fail("X", "a | b\nc *d*")))
    row = next(line for line in render_markdown(diff_runs(old, new)).splitlines() if "X" in line)
    assert row.count(" | ") == 4
    assert "a \\| b c \\*d\\*" in row


def test_the_json_diff_lists_everything(result: DiffResult) -> None:
    data = json.loads(render_json(result))
    assert data["summary"] == {
        "new": 1,
        "fixed": 1,
        "unchanged": 3,
        "waived": 1,
        "counting": 2,
        "status_changed": 0,
        "key_figures_changed": 1,
    }
    assert data["exit_code"] == 1
    doors = next(r for r in data["requirements"] if r["id"] == "IT-DOOR-01")
    assert [f["change"] for f in doors["findings"]] == ["new", "fixed", "unchanged"]
    assert doors["findings"][2]["new"]["waived"]["approved_by"].startswith("Anna Andersson")
    assert data["baseline"]["expired"] == [f"{Path(data['baseline']['path'])}:9"]


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_the_command_writes_each_format_and_exits_on_new_findings(
    project: Project, reports: tuple[Path, Path], tmp_path: Path
) -> None:
    md, js = tmp_path / "diff.md", tmp_path / "diff.json"
    base = ("--baseline", str(project.baseline), "--today", "2025-06-01")
    code, out, _ = invoke(
        "diff", *map(str, reports), *base, "-o", "console", "-o", f"markdown:{md}", "-o", f"json:{js}"
    )
    assert code == 1
    assert out.startswith(f"OLD {reports[0]}: house.ifc")
    assert md.read_text(encoding="utf-8").startswith("## bimcheck diff")
    assert json.loads(js.read_text(encoding="utf-8"))["exit_code"] == 1
    assert invoke("diff", str(reports[0]), str(reports[0]))[0] == 0


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ("-o", "html"),
            "bimcheck: error: --output: unknown diff format 'html'; choose from console, json, markdown",
        ),
        (("-o", "json", "-o", "console"), "bimcheck: error: --output: only one output can go to stdout"),
        (("--fail-on", "most"), "bimcheck: error: --fail-on 'most': choose from"),
        (("--today", "2025-13-01"), "bimcheck: error: --today '2025-13-01' is not a calendar date"),
    ],
)
def test_bad_diff_arguments_are_one_line_and_exit_2(
    reports: tuple[Path, Path], args: tuple[str, ...], problem: str
) -> None:
    code, _, err = invoke("diff", *map(str, reports), *args)
    assert code == 2
    assert err.startswith(problem)


def test_models_without_rules_and_missing_files_are_bad_input(project: Project, tmp_path: Path) -> None:
    code, _, err = invoke("diff", str(project.v1), str(project.v2))
    assert (code, err.strip()) == (
        2,
        f"bimcheck: error: {project.v1}: is a model: give the requirement files with -r to check it",
    )
    code, _, err = invoke("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert (code, err.strip()) == (2, f"bimcheck: error: {tmp_path / 'a.json'}: report file does not exist")


def test_an_output_over_an_input_is_refused(reports: tuple[Path, Path]) -> None:
    before = reports[1].read_bytes()
    code, _, err = invoke("diff", *map(str, reports), "-o", f"markdown:{reports[1]}")
    assert code == 2
    assert "would overwrite an input" in err
    assert reports[1].read_bytes() == before
