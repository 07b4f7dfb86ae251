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
    ("0z4NRLE9$Y6a2lG9zK3prs", "1202-04"): {"SE-IDS-02", "SE-SPACE-04", "SE-ROOM-01"},
    ("330Jy5hKN$AMZTl5hlhZ7w", "LSV01 Lägenhetsskiljande vägg 1101"): {
        "SE-IDS-03",
        "SE-WALL-03",
        "SE-FIRE-02",
    },
    ("03LS90krpR0WsXicdO9aUn", "Fönster vardagsrum"): {"SE-IDS-04", "SE-WIN-02"},
    ("0gFkZ_Ifr28LXwM2ez2Yqt", "Lägenhetsdörr"): {"SE-IDS-05", "SE-FIRE-03"},
    ("1jGFFjlKgPWMBTluZp5w7$", "IV01 Innervägg 1202"): {"SE-IDS-06", "SE-CLASS-01"},
    ("3os5zdh8V_bOOcYDCnSp8H", "Dörr badrum"): {"SE-ACC-01"},
    ("0QV7SoNWiqkU2NSm9TbLfn", "1201-06"): {"SE-ROOM-02"},
    ("1Y3hr8eeUsK_buWzoj1ZPd", "1001-02"): {"SE-DAY-01"},
    ("1dFlhDG6O$zhEhj7EFKtpo", "V300 Lägenhetsskiljande vägg 1002"): {"SE-FIRE-02"},
}
# The values the functional requirements measure on the new defects (samples/README.md).
MEASURED = {
    ("SE-ACC-01", "3os5zdh8V_bOOcYDCnSp8H"): 0.67,  # 0.8 − 2 × 0.045 lining − 0.04 leaf
    ("SE-ROOM-02", "0QV7SoNWiqkU2NSm9TbLfn"): 6.78,  # 1.505 × 4.505 m, NetFloorArea rounded to 0.01
    ("SE-DAY-01", "1Y3hr8eeUsK_buWzoj1ZPd"): 0.0855,  # 0.75 × 1.2 × 1.4 / (3.205 × 4.6)
    ("SE-ROOM-01", "0z4NRLE9$Y6a2lG9zK3prs"): 2.35,  # FinishCeilingHeight 2 350 mm
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
    """Manual requirements list elements to verify by hand: that is neither a pass nor a defect."""
    data = json.loads((EXPECTED / "demo-house.json").read_text(encoding="utf-8"))
    caught: dict[tuple[str, str], set[str]] = {}
    for requirement in data["requirements"]:
        for element in requirement["elements"]:
            if element["status"] not in ("pass", "manual"):
                caught.setdefault((element["global_id"], element["name"]), set()).add(requirement["id"])
    assert caught == DEFECTS


def test_the_new_defects_are_found_with_the_measured_values() -> None:
    data = json.loads((EXPECTED / "demo-house.json").read_text(encoding="utf-8"))
    found = {
        (r["id"], e["global_id"]): f["value"]
        for r in data["requirements"]
        for e in r["elements"]
        for f in e["findings"]
        if f["facet"] == "measure" and e["status"] == "fail"
    }
    assert {k: found.get(k) for k in MEASURED} == pytest.approx(MEASURED, abs=0.0005)


def test_the_demo_reports_key_figures_and_manual_requirements() -> None:
    data = json.loads((EXPECTED / "demo-house.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in data["requirements"]}
    figures = {(r["id"], k["group"]): k["value"] for r in data["requirements"] for k in r["key_figures"]}
    # 6 dwellings; three 20 × 10 m floor slabs; BIA = 3 stairwells of 4 × 9.2 m less a 1.2 × 2.2 m lift.
    assert figures[("SE-AREA-04", None)] == 6
    assert [figures[("SE-AREA-03", f"Plan {n}")] for n in (1, 2, 3)] == pytest.approx([200.0] * 3)
    assert figures[("SE-AREA-02", "BIA")] == pytest.approx(3 * (4.0 * 9.2 - 1.2 * 2.2))
    assert 0.5 < figures[("SE-TIMBER-01", None)] < 1.0
    manual = sorted(r["id"] for r in data["requirements"] if r["status"] == "manual")
    assert manual == [f"SE-MAN-0{n}" for n in range(1, 8)]
    assert by_id["SE-MAN-07"]["counts"]["manual"] == 37  # every door, for the thresholds


def test_both_requirement_sets_have_passing_and_failing_requirements() -> None:
    data = json.loads((EXPECTED / "demo-house.json").read_text(encoding="utf-8"))
    by_format: dict[str, set[str]] = {}
    formats = {source["path"]: source["format"] for source in data["rule_sources"]}
    assert sorted(formats.values()) == ["ids", "yaml", "yaml"]
    for requirement in data["requirements"]:
        path = requirement["source"].rsplit(":", 1)[0]
        by_format.setdefault(formats[path], set()).add(requirement["status"])
    assert by_format["ids"] == {"pass", "fail"}
    assert by_format["yaml"] == {"pass", "fail", "not_applicable", "manual"}  # key figures, manual
