"""The bundled sample: reproducible, small, and its committed reports are what the demo writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = SAMPLES / "expected"
REGENERATE = "if the change is intended, run `make samples` and commit samples/"

# Each deliberate defect (samples/README.md): the requirements that must catch it.
DEFECTS = {
    ("0voT7VAVCZYtzaCWIiktpd", "1102-04"): {"SE-IDS-01", "SE-SPACE-03"},
    ("0z4NRLE9$Y6a2lG9zK3prs", "1202-04"): {"SE-IDS-02", "SE-SPACE-04"},
    ("330Jy5hKN$AMZTl5hlhZ7w", "LSV01 Lägenhetsskiljande vägg 1101"): {"SE-IDS-03", "SE-WALL-03"},
    ("03LS90krpR0WsXicdO9aUn", "Fönster vardagsrum"): {"SE-IDS-04", "SE-WIN-02"},
    ("0gFkZ_Ifr28LXwM2ez2Yqt", "Lägenhetsdörr"): {"SE-IDS-05"},
    ("1jGFFjlKgPWMBTluZp5w7$", "IV01 Innervägg 1202"): {"SE-IDS-06", "SE-CLASS-01"},
}


def demo_rules() -> list[str]:
    """The requirement files `make demo` uses, read from the Makefile so the two cannot drift."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^DEMO_RULES\s*:=\s*(.+)$", makefile, re.MULTILINE)
    assert match, "DEMO_RULES not found in the Makefile"
    return match.group(1).split()


def test_the_generator_reproduces_the_committed_model_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "demo-house.ifc"
    subprocess.run(
        [sys.executable, str(SAMPLES / "make_samples.py"), str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == (SAMPLES / "demo-house.ifc").read_bytes(), REGENERATE


def test_the_sample_model_stays_small() -> None:
    assert (SAMPLES / "demo-house.ifc").stat().st_size < 200 * 1024


def test_the_sample_ids_passes_the_audit() -> None:
    result = CliRunner().invoke(app, ["ids", "audit", str(SAMPLES / "demo-house.ids")])
    assert (result.exit_code, result.stdout) == (0, f"{SAMPLES / 'demo-house.ids'}: ok\n")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, int]:
    """The demo check, run from the repository root as `make demo` runs it."""
    out = tmp_path_factory.mktemp("demo")
    rules = [arg for path in demo_rules() for arg in ("-r", path)]
    args = [
        "check",
        "samples/demo-house.ifc",
        *rules,
        "-o",
        f"console:{out}/c.txt",
        "-o",
        f"json:{out}/r.json",
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # the report records paths as given, relative to the repository root
        result = CliRunner().invoke(app, args)
    assert result.stderr == ""
    return (
        (out / "c.txt").read_text(encoding="utf-8"),
        (out / "r.json").read_text(encoding="utf-8"),
        result.exit_code,
    )


def without_run_identity(report: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(report)
    del data["created"]
    del data["tool"]  # versions differ between machines; the check must not
    return data


def test_the_demo_finds_failures_but_no_bad_input(demo: tuple[str, str, int]) -> None:
    assert demo[2] == 1


def test_the_committed_json_report_is_what_the_demo_writes(demo: tuple[str, str, int]) -> None:
    committed = (EXPECTED / "demo-house.json").read_text(encoding="utf-8")
    assert without_run_identity(demo[1]) == without_run_identity(committed), REGENERATE


def test_the_committed_console_report_is_what_the_demo_writes(demo: tuple[str, str, int]) -> None:
    committed = (EXPECTED / "demo-house.console.txt").read_text(encoding="utf-8")
    # The first line names the tool versions and the run time.
    assert demo[0].split("\n", 1)[1] == committed.split("\n", 1)[1], REGENERATE


def test_every_deliberate_defect_is_caught_and_nothing_else_fails() -> None:
    data = json.loads((EXPECTED / "demo-house.json").read_text(encoding="utf-8"))
    caught: dict[tuple[str, str], set[str]] = {}
    for requirement in data["requirements"]:
        for element in requirement["elements"]:
            if element["status"] != "pass":
                caught.setdefault((element["global_id"], element["name"]), set()).add(requirement["id"])
    assert caught == DEFECTS


def test_both_requirement_sets_have_passing_and_failing_requirements() -> None:
    data = json.loads((EXPECTED / "demo-house.json").read_text(encoding="utf-8"))
    by_format: dict[str, set[str]] = {}
    formats = {source["path"]: source["format"] for source in data["rule_sources"]}
    assert sorted(formats.values()) == ["ids", "yaml"]
    for requirement in data["requirements"]:
        path = requirement["source"].rsplit(":", 1)[0]
        by_format.setdefault(formats[path], set()).add(requirement["status"])
    assert by_format == {"ids": {"pass", "fail"}, "yaml": {"pass", "fail"}}
