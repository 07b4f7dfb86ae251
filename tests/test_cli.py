"""The command line, through its exit codes, its outputs and what it prints on stderr."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck import __version__
from bimcheck.cli import app
from bimcheck.reporters import FORMATS
from bimcheck.results import SCHEMA_VERSION
from tests.builders import ModelBuilder

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINT = Path(sys.executable).with_name("bimcheck")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Walls need EI 60 (the model's wall has it); windows need U <= 1.2 (the model's has 1.4).
IDS = """<?xml version="1.0" encoding="UTF-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <info><title>CLI test</title></info>
  <specifications>
    <specification name="Väggar EI 60" ifcVersion="IFC4" identifier="T-WALL">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
      </applicability>
      <requirements>
        <property dataType="IFCLABEL">
          <propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>FireRating</simpleValue></baseName>
          <value><simpleValue>EI 60</simpleValue></value>
        </property>
      </requirements>
    </specification>
    <specification name="Fönster U högst 1,2" ifcVersion="IFC4" identifier="T-WINDOW">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWINDOW</simpleValue></name></entity>
      </applicability>
      <requirements>
        <property dataType="IFCTHERMALTRANSMITTANCEMEASURE">
          <propertySet><simpleValue>Pset_WindowCommon</simpleValue></propertySet>
          <baseName><simpleValue>ThermalTransmittance</simpleValue></baseName>
          <value><xs:restriction base="xs:double"><xs:maxInclusive value="1.2"/></xs:restriction></value>
        </property>
      </requirements>
    </specification>
    <specification name="Ramper (valfri)" ifcVersion="IFC4" identifier="T-RAMP">
      <applicability minOccurs="0" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCRAMP</simpleValue></name></entity>
      </applicability>
      <requirements>
        <attribute><name><simpleValue>Name</simpleValue></name></attribute>
      </requirements>
    </specification>
  </specifications>
</ids>
"""

# The same two checks as a mandatory error and a scored warning; the wall threshold is a parameter.
YAML = """\
bimcheck: 1
title: CLI-test
ifc_versions: [IFC4]
parameters:
  wall_rating:
    type: text
    default: EI 60
requirements:
  - id: Y-WALL
    title: Väggar brandklass
    kind: mandatory
    severity: error
    tags: [brand]
    applicability:
      - entity: IfcWall
    requirements:
      - property: {property_set: Pset_WallCommon, name: FireRating, value: "${wall_rating}"}
  - id: Y-WINDOW
    title: Fönster U-värde
    kind: scored
    severity: warning
    tags: [energi]
    applicability:
      - entity: IfcWindow
    requirements:
      - property: {property_set: Pset_WindowCommon, name: ThermalTransmittance, value: {max: 1.2}}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("cli")
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "Vägg 1")
    builder.pset(wall, "Pset_WallCommon", {"FireRating": "EI 60"})
    window = builder.element("IfcWindow", "Fönster 1")
    builder.pset(window, "Pset_WindowCommon", {"ThermalTransmittance": 1.4})
    (base / "rules.ids").write_text(IDS, encoding="utf-8")
    (base / "rules.yaml").write_text(YAML, encoding="utf-8")
    return {"model": builder.save(base / "house.ifc"), "ids": base / "rules.ids", "yaml": base / "rules.yaml"}


def cli(*args: object) -> tuple[int, str, str]:
    """Run the CLI in-process: exit code, stdout, stderr (kept apart)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def check(files: dict[str, Path], *args: object, rules: str = "ids") -> tuple[int, str, str]:
    return cli("check", files["model"], "-r", files[rules], *args)


def json_ids(text: str) -> list[str]:
    return [r["id"] for r in json.loads(text)["requirements"]]


# --- exit codes -----------------------------------------------------------------------


def test_exit_0_when_every_selected_requirement_passes(files: dict[str, Path]) -> None:
    code, out, err = check(files, "--only", "T-WALL", "--only", "T-RAMP")
    assert code == 0
    assert re.search(r"PASS\s+T-WALL", out)
    assert re.search(r"PASS\s+T-RAMP", out), "an optional specification with no applicable element passes"
    assert err == ""


def test_exit_1_when_a_requirement_fails(files: dict[str, Path]) -> None:
    code, out, err = check(files)
    assert code == 1
    assert re.search(r"FAIL\s+T-WINDOW", out)
    assert "(observed: Pset_WindowCommon.ThermalTransmittance = 1.4" in out
    assert err == ""


def test_exit_2_on_bad_input_with_one_line_naming_the_file(files: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "saknas.ifc"
    code, out, err = cli("check", missing, "-r", files["ids"])
    assert code == 2
    assert out == ""
    assert err == f"bimcheck: error: {missing}: model file does not exist\n"


@pytest.mark.parametrize(
    "selection",
    [("--only", "NO-SUCH-ID"), ("--skip", "T-WALL", "--skip", "T-WINDOW", "--skip", "T-RAMP")],
)
def test_exit_3_when_no_requirement_is_selected(
    files: dict[str, Path], tmp_path: Path, selection: tuple[str, ...]
) -> None:
    report = tmp_path / "report.json"
    code, out, err = check(files, *selection, "-o", f"json:{report}")
    assert code == 3
    assert out == ""
    assert err == "bimcheck: error: no requirements selected: nothing to check\n"
    assert not report.exists()


def test_a_tool_failure_is_one_line_and_exit_2(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bimcheck.engine

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index out of sync")

    monkeypatch.delenv("BIMCHECK_DEBUG", raising=False)
    monkeypatch.setattr(bimcheck.engine, "run_check", broken)
    code, out, err = check(files)
    assert (code, out) == (2, "")
    assert err == (
        "bimcheck: error: internal error: RuntimeError: index out of sync "
        "(set BIMCHECK_DEBUG=1 for a traceback)\n"
    )


# --- --fail-on ------------------------------------------------------------------------------

LEVELS = ("any", "mandatory", "error", "warning", "info", "none")


@pytest.mark.parametrize(("level", "expected"), list(zip(LEVELS, (1, 1, 1, 1, 1, 0), strict=True)))
def test_fail_on_with_ids_requirements_which_are_mandatory_errors(
    files: dict[str, Path], level: str, expected: int
) -> None:
    code, _, _ = check(files, "--fail-on", level, "-o", "json")
    assert code == expected


# Y-WINDOW (scored, warning) fails, Y-WALL (mandatory, error) passes.
@pytest.mark.parametrize(("level", "expected"), list(zip(LEVELS, (1, 0, 0, 1, 1, 0), strict=True)))
def test_fail_on_with_a_failing_scored_warning(files: dict[str, Path], level: str, expected: int) -> None:
    code, out, _ = check(files, "--fail-on", level, "-o", "json", rules="yaml")
    statuses = {r["id"]: (r["status"], r["kind"], r["severity"]) for r in json.loads(out)["requirements"]}
    assert statuses == {"Y-WALL": ("pass", "mandatory", "error"), "Y-WINDOW": ("fail", "scored", "warning")}
    assert code == expected


# With the wall threshold raised, the mandatory error fails too: only `none` passes the run.
@pytest.mark.parametrize(("level", "expected"), list(zip(LEVELS, (1, 1, 1, 1, 1, 0), strict=True)))
def test_fail_on_with_a_failing_mandatory_error(files: dict[str, Path], level: str, expected: int) -> None:
    code, _, _ = check(files, "--fail-on", level, "--param", "wall_rating=EI 90", "-o", "json", rules="yaml")
    assert code == expected


def test_the_default_fail_on_level_is_mandatory(files: dict[str, Path]) -> None:
    assert check(files, "-o", "json", rules="yaml")[0] == 0
    assert check(files, "-o", "json", "--param", "wall_rating=EI 90", rules="yaml")[0] == 1


def test_an_unknown_fail_on_level_is_exit_2(files: dict[str, Path]) -> None:
    code, out, err = check(files, "--fail-on", "sometimes")
    assert (code, out) == (2, "")
    assert (
        err
        == "bimcheck: error: --fail-on 'sometimes': choose from any, mandatory, error, warning, info, none\n"
    )


def test_parameters_reach_the_report(files: dict[str, Path]) -> None:
    _, out, _ = check(files, "--param", "wall_rating=EI 90", "-o", "json", rules="yaml")
    assert json.loads(out)["parameters"] == {"wall_rating": "EI 90"}


# --- outputs ------------------------------------------------------------------------------


def test_json_to_stdout_is_pure_json(files: dict[str, Path]) -> None:
    code, out, err = check(files, "-o", "json")
    assert code == 1
    data = json.loads(out)  # nothing else on stdout: no progress, no banner
    assert data["schema_version"] == SCHEMA_VERSION
    assert json_ids(out) == ["T-WALL", "T-WINDOW", "T-RAMP"]
    assert err == ""


def test_several_outputs_at_once(files: dict[str, Path], tmp_path: Path) -> None:
    code, out, _ = check(
        files,
        "-o",
        "console",
        "-o",
        f"json:{tmp_path}/out/report.json",
        "-o",
        f"console:{tmp_path}/out/report.txt",
    )
    assert code == 1
    console_file = (tmp_path / "out" / "report.txt").read_text(encoding="utf-8")
    assert console_file == out
    assert json_ids((tmp_path / "out" / "report.json").read_text(encoding="utf-8")) == [
        "T-WALL",
        "T-WINDOW",
        "T-RAMP",
    ]


def test_no_output_option_means_console_on_stdout(files: dict[str, Path]) -> None:
    _, out, _ = check(files)
    assert out.startswith(f"bimcheck {__version__} · ")
    assert out.rstrip().endswith("3 requirement result(s): 2 pass, 1 fail")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("pdf:{d}/r.pdf", f"--output: unknown output format 'pdf'; choose from {', '.join(FORMATS)}"),
        ("console", "--output: only one output can go to stdout, got 'json', 'console'"),
    ],
)
def test_a_bad_output_is_refused_before_anything_is_written(
    files: dict[str, Path], tmp_path: Path, spec: str, message: str
) -> None:
    code, out, err = check(
        files, "-o", f"json:{tmp_path}/sub/a.json", "-o", "json", "-o", spec.format(d=tmp_path)
    )
    assert code == 2
    assert out == ""
    assert err == f"bimcheck: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


# --- selection ------------------------------------------------------------------------------


def test_only_and_skip_select_by_id(files: dict[str, Path]) -> None:
    assert json_ids(check(files, "--only", "T-WINDOW", "-o", "json")[1]) == ["T-WINDOW"]
    assert json_ids(check(files, "--skip", "T-WINDOW", "-o", "json")[1]) == ["T-WALL", "T-RAMP"]


def test_only_selects_by_tag(files: dict[str, Path]) -> None:
    code, out, _ = check(files, "--only", "brand", "-o", "json", rules="yaml")
    assert (code, json_ids(out)) == (0, ["Y-WALL"])


# --- other commands ---------------------------------------------------------------------------


def test_rules_list(files: dict[str, Path]) -> None:
    code, out, err = cli("rules", "list", "-r", files["ids"], "-r", files["yaml"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "5 requirement(s) from 2 file(s)"
    assert [line.split()[:2] for line in lines[1:]] == [
        ["T-WALL", "mandatory"],
        ["T-WINDOW", "mandatory"],
        ["T-RAMP", "mandatory"],
        ["Y-WALL", "mandatory"],
        ["Y-WINDOW", "scored"],
    ]


def test_rules_explain(files: dict[str, Path]) -> None:
    code, out, _ = cli("rules", "explain", "Y-WINDOW", "-r", files["yaml"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Y-WINDOW: Fönster U-värde"
    assert "kind: scored · severity: warning · cardinality: required" in lines
    assert "applies to:" in lines
    assert any("ThermalTransmittance" in line for line in lines[lines.index("requires:") :])


def test_rules_explain_an_unknown_id_is_exit_2(files: dict[str, Path]) -> None:
    code, out, err = cli("rules", "explain", "NOPE", "-r", files["ids"])
    assert (code, out) == (2, "")
    assert err == "bimcheck: error: no requirement with id 'NOPE' in the given files\n"


def test_report_re_renders_the_same_console_report(files: dict[str, Path], tmp_path: Path) -> None:
    run_json = tmp_path / "run.json"
    code, first, _ = check(files, "-o", "console", "-o", f"json:{run_json}")
    assert code == 1
    code, again, err = cli("report", run_json, "-o", "console")
    assert (code, err) == (0, "")
    assert again == first
    code, _, _ = cli(
        "report", run_json, "-o", f"console:{tmp_path}/again.txt", "-o", f"json:{tmp_path}/again.json"
    )
    assert code == 0
    assert (tmp_path / "again.txt").read_text(encoding="utf-8") == first
    assert (tmp_path / "again.json").read_bytes() == run_json.read_bytes()


def test_report_of_something_that_is_not_a_report_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    code, out, err = cli("report", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"bimcheck: error: {path}: not a bimcheck JSON report")
    assert err.count("\n") == 1


def test_ids_audit(files: dict[str, Path], tmp_path: Path) -> None:
    assert cli("ids", "audit", files["ids"]) == (0, f"{files['ids']}: ok\n", "")
    broken = tmp_path / "broken.ids"
    broken.write_text(IDS.replace("IFCWINDOW", "IFCWINDOWS"), encoding="utf-8")
    code, out, _ = cli("ids", "audit", broken)
    assert code == 1
    assert re.search(rf"^{re.escape(str(broken))}:\d+: error: .*IFCWINDOWS", out, re.MULTILINE)


def test_version() -> None:
    assert cli("--version") == (0, f"bimcheck {__version__}\n", "")


# --- the real entry point, with real streams ------------------------------------------------


def run_entry_point(
    *args: object, tty: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the installed `bimcheck` script; `tty` puts "stdout" or "stderr" on a terminal."""
    assert ENTRY_POINT.exists(), f"the bimcheck entry point is not installed at {ENTRY_POINT}"
    command = [str(ENTRY_POINT), *map(str, args)]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "BIMCHECK_DEBUG")} | (env or {})
    if tty is None:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    streams = {"stdout": slave if tty == "stdout" else subprocess.PIPE}
    streams["stderr"] = slave if tty == "stderr" else subprocess.PIPE
    with subprocess.Popen(command, env=env, **streams) as process:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        piped = (process.stderr if tty == "stdout" else process.stdout).read()  # type: ignore[union-attr]
        process.wait(timeout=300)
    os.close(master)
    on_tty = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    if tty == "stdout":
        return process.returncode, on_tty, piped.decode("utf-8")
    return process.returncode, piped.decode("utf-8"), on_tty


def test_entry_point_bad_input_has_no_traceback(tmp_path: Path, files: dict[str, Path]) -> None:
    junk = tmp_path / "junk.ifc"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, out, err = run_entry_point("check", junk, "-r", files["ids"])
    assert code == 2
    assert out == ""
    assert err.startswith(f"bimcheck: error: {junk}: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_entry_point_check_writes_a_report_and_exits_1(files: dict[str, Path]) -> None:
    code, out, err = run_entry_point("check", files["model"], "-r", files["ids"], "-o", "json")
    assert code == 1
    assert json_ids(out) == ["T-WALL", "T-WINDOW", "T-RAMP"]
    assert err == "", "no progress when stderr is not a terminal"


def test_progress_goes_to_a_terminal_stderr_and_never_to_stdout(files: dict[str, Path]) -> None:
    code, out, err = run_entry_point("check", files["model"], "-r", files["ids"], "-o", "json", tty="stderr")
    assert code == 1
    assert json_ids(out) == ["T-WALL", "T-WINDOW", "T-RAMP"]
    assert "house.ifc: 3/3 requirements" in err


def test_console_is_coloured_on_a_terminal_unless_no_color(files: dict[str, Path]) -> None:
    code, out, _ = run_entry_point("check", files["model"], "-r", files["ids"], tty="stdout")
    assert code == 1
    assert ANSI.search(out)
    assert "T-WINDOW" in ANSI.sub("", out)
    code, plain, _ = run_entry_point(
        "check", files["model"], "-r", files["ids"], tty="stdout", env={"NO_COLOR": "1"}
    )
    assert code == 1
    assert not ANSI.search(plain)
    assert "T-WINDOW" in plain
