"""Reporters: every format renders the shared sample run; outputs are written atomically."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from bimcheck.errors import InputError, OutputError
from bimcheck.reporters import FORMATS, RenderOptions, parse_outputs, write_outputs
from bimcheck.reporters.atomic import write_atomic
from bimcheck.reporters.console import render as render_console
from bimcheck.reporters.json_report import render as render_json
from bimcheck.reporters.read import read_json_report
from bimcheck.results import RunResult, run_to_dict
from tests.sample_run import sample_run

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def run() -> RunResult:
    return sample_run()


# BCF is a zip of topics for what failed only; tests/test_bcf_report.py reads it back.
TEXT_FORMATS = sorted(name for name in FORMATS if name != "bcf")


@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_every_format_renders_every_requirement_and_model(run: RunResult, name: str) -> None:
    text = FORMATS[name].render(run, RenderOptions())
    for requirement in run.requirements:
        assert requirement.id in text
    for model in run.models:
        assert model.name in text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_deterministic(run: RunResult, name: str) -> None:
    assert FORMATS[name].render(run, RenderOptions()) == FORMATS[name].render(sample_run(), RenderOptions())


@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_no_format_writes_escape_codes_without_colour(run: RunResult, name: str) -> None:
    assert "\x1b[" not in FORMATS[name].render(run, RenderOptions())


# --- console ---------------------------------------------------------------------------


def test_console_lists_failing_mandatory_requirements_first(run: RunResult) -> None:
    text = render_console(run)
    # SE-BOR-07 (scored) precedes SE-SKA-01 (mandatory) in run order.
    table_mandatory = text.index("FAIL    SE-SKA-01")
    table_scored = text.index("FAIL    SE-BOR-07")
    assert table_mandatory < table_scored
    details_mandatory = text.index("FAIL SE-SKA-01")
    details_scored = text.index("FAIL SE-BOR-07")
    assert details_mandatory < details_scored
    assert text.index("PASS    SE-IDS-07") > table_scored


def test_console_shows_failing_elements_with_id_storey_and_reason(run: RunResult) -> None:
    text = render_console(run, width=200)
    assert (
        '✗ IfcSpace 3vB2YO$MX4xv5uCqZZG05x "1202-04 [bold]Sovrum[/bold]" (Plan 2): '
        "does not meet clear height >= 2.4 m (observed: 2.35 m)"
    ) in text
    # No GlobalId: the STEP id stands in for it.
    assert "✗ IfcSpace #4711: does not meet Qto_SpaceBaseQuantities.NetFloorArea" in text
    # Passing elements are left to the JSON report.
    assert "3vB2YO$MX4xv5uCqZZG05y" not in text


def test_console_shows_regulation_notes_and_messages(run: RunResult) -> None:
    text = render_console(run, width=200)
    assert "(BBR 3:311, BFS 2011:6 t.o.m. BFS 2020:4)" in text
    assert "note: model schema IFC4 is not among" in text
    assert "could not evaluate: ValueError: bad label" in text
    assert "? IfcDoor 0gFkZ_Ifr28LXwM2ez2Yqt" in text


def test_console_header_names_run_rules_parameters_and_models(run: RunResult) -> None:
    text = render_console(run, width=200)
    lines = text.splitlines()
    assert lines[0] == "bimcheck 0.1.0 · ifcopenshell 0.9.0.post1 · Python 3.11.7 · 2025-03-14T10:00:00Z"
    assert "Rules  requirements/se-housing.yaml (yaml, 5 requirements) — Krav på bostäder" in lines
    assert "Params door_clear_width=0.80, room_height=2.40" in lines
    assert any(line.startswith("Model  hus-b.ifc  IFC2X3 · unknown application") for line in lines)
    assert lines[-1] == (
        "Summary 7 requirement result(s): 2 pass, 2 fail, 1 not_applicable, 1 not_evaluable, 1 error"
    )


def test_console_keeps_each_model_to_its_own_table(run: RunResult) -> None:
    text = render_console(run, width=200)
    house_b = text.index("Model  hus-b.ifc")
    assert text.index("SE-SKA-02") > house_b
    assert text.index("SE-SKA-01") < house_b


def test_console_caps_the_element_list_and_points_to_json(run: RunResult) -> None:
    text = render_console(run, width=200, max_elements=1)
    assert "… and 1 more; every element is in the JSON report" in text


def test_console_colour_only_when_asked(run: RunResult) -> None:
    coloured = render_console(run, color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == render_console(run, color=False)


# --- JSON --------------------------------------------------------------------------------


def test_json_is_the_dict_form_with_unescaped_swedish_text(run: RunResult) -> None:
    text = render_json(run)
    assert json.loads(text) == json.loads(json.dumps(run_to_dict(run)))
    assert "Bärande väggar i KL-trä" in text
    assert text.endswith("}\n")


def test_json_is_identical_between_two_checks_except_created() -> None:
    from bimcheck.engine import run_check
    from bimcheck.rules.loader import load_rules

    model = ROOT / "samples" / "demo-house.ifc"
    rules = ROOT / "samples" / "demo-house.ids"
    first = run_to_dict(run_check([model], load_rules([rules])))
    second = run_to_dict(run_check([model], load_rules([rules])))
    assert first["requirements"], "the sample check produced no requirement results"
    first.pop("created")
    second.pop("created")
    assert json.dumps(first) == json.dumps(second)


# --- write_outputs ---------------------------------------------------------------------


def test_outputs_go_to_files_and_stdout(run: RunResult, tmp_path: Path) -> None:
    printed: list[str] = []
    write_outputs(run, ["console", f"json:{tmp_path}/r/report.json"], printed.append)
    assert printed == [render_console(run)]
    assert (tmp_path / "r" / "report.json").read_text(encoding="utf-8") == render_json(run)


def test_dash_means_stdout(run: RunResult) -> None:
    printed: list[str] = []
    write_outputs(run, ["json:-"], printed.append)
    assert printed == [render_json(run)]


def test_colour_reaches_stdout_but_never_a_file(run: RunResult, tmp_path: Path) -> None:
    printed: list[str] = []
    write_outputs(run, ["console", f"console:{tmp_path}/c.txt"], printed.append, RenderOptions(color=True))
    assert ANSI.search(printed[0])
    assert not ANSI.search((tmp_path / "c.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["json:{d}/a.json", "pdf:{d}/b.pdf"], "unknown output format 'pdf'"),
        (["json:{d}/a.json", "json", "console"], "only one output can go to stdout"),
        (["json:{d}/a.json", "console:-", "json"], "only one output can go to stdout"),
    ],
)
def test_a_bad_output_list_is_refused_before_anything_is_written(
    run: RunResult, tmp_path: Path, specs: list[str], message: str
) -> None:
    printed: list[str] = []
    specs = [s.format(d=tmp_path) for s in specs]
    with pytest.raises(ValueError, match=message):
        parse_outputs(specs)
    with pytest.raises(ValueError, match=message):
        write_outputs(run, specs, printed.append)
    assert printed == []
    assert list(tmp_path.iterdir()) == []


def test_format_names_are_case_insensitive() -> None:
    [(fmt, path)] = parse_outputs(["JSON:x.json"])
    assert (fmt.name, path) == ("json", "x.json")


# --- atomic writes ------------------------------------------------------------------------


def test_write_atomic_replaces_a_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_failed_write_leaves_the_old_report_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("the report of the last good run", encoding="utf-8")

    def no_space(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OutputError, match="No space left on device") as caught:
        write_atomic(target, "half")
    assert str(target) in str(caught.value)
    assert target.read_text(encoding="utf-8") == "the report of the last good run"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_an_output_under_a_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "reports").write_text("not a directory", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file, not a directory") as caught:
        write_atomic(tmp_path / "reports" / "sub" / "r.json", "{}")
    assert caught.value.path == str(tmp_path / "reports" / "sub" / "r.json")


def test_an_output_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_atomic(tmp_path, "{}")


def test_missing_output_directories_are_created(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a" / "b" / "r.txt", "x")
    assert (tmp_path / "a" / "b" / "r.txt").read_text(encoding="utf-8") == "x"


# --- reading a saved report ------------------------------------------------------------


def test_read_json_report_gives_back_the_run(run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(render_json(run), encoding="utf-8")
    assert read_json_report(path) == run


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "not valid JSON"),
        (b"<html>no</html>", "not valid JSON"),
        (b"[1, 2]", "top level is not an object"),
        (b'{"schema_version": "9.0"}', "unsupported report schema_version '9.0'"),
        (b'{"schema_version": "1.0", "tool": {}}', "not a bimcheck JSON report"),
        (b"\xff\xfe\x00bad", "cannot read report"),
    ],
)
def test_read_json_report_errors_name_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_json_report(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_read_json_report_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="report file does not exist"):
        read_json_report(tmp_path / "nope.json")


def test_writing_to_a_device_writes_into_it_and_never_replaces_it(tmp_path: Path) -> None:
    import os
    import stat

    from bimcheck.reporters.atomic import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    import threading

    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "report\n")
    reader.join(timeout=10)
    assert received == [b"report\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a file renamed over it
    write_atomic("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
