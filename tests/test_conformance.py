"""buildingSMART IDS 1.0 conformance: every official test case through the real CLI.

The cases are read in place from ../shared/ids-testcases (CC BY-ND 4.0: never copied into
this repository). The expected outcome of each case is its MANIFEST.csv row, which mirrors
the case's file name prefix: `pass-*` must exit 0, `fail-*` exit 1 and `invalid-*` exit 2.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.cli import app
from tests.conftest import IDS_TESTCASES, require_shared

EXIT_CODES = {"pass": 0, "fail": 1, "invalid": 2}


def _cases() -> list[object]:
    manifest = IDS_TESTCASES / "MANIFEST.csv"
    if not manifest.exists():
        # One placeholder, so that the test runs and skips (or fails in CI) with a message.
        return [pytest.param(None, id="ids-testcases-missing")]
    with manifest.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return [pytest.param(row, id=row["ids_path"]) for row in rows]


def test_the_manifest_lists_every_case_of_the_suite() -> None:
    """314 cases, each with an expected outcome that agrees with its file name prefix."""
    require_shared(IDS_TESTCASES / "MANIFEST.csv")
    rows = [c.values[0] for c in _cases()]
    assert len(rows) == 314  # the IDS 1.0 suite as published (see ../shared/ids-testcases/SOURCE.txt)
    for row in rows:
        assert Path(row["ids_path"]).name.startswith(row["expected"] + "-"), row["ids_path"]
        assert (IDS_TESTCASES / row["ids_path"]).is_file()
        assert (IDS_TESTCASES / row["ifc_path"]).is_file()


@pytest.mark.parametrize("case", _cases())
def test_official_case(case: dict[str, str] | None, tmp_path: Path) -> None:
    require_shared(IDS_TESTCASES / "MANIFEST.csv")
    assert case is not None
    ids = IDS_TESTCASES / case["ids_path"]
    ifc = IDS_TESTCASES / case["ifc_path"]
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["check", str(ifc), "-r", str(ids), "-o", f"json:{report}"])
    expected = case["expected"]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == EXIT_CODES[expected], (
        f"{case['ids_path']}: expected {expected}, exit {result.exit_code}\n{result.stderr}"
    )
    if expected == "fail":
        assert report.is_file()
        statuses = [r["status"] for r in json.loads(report.read_text(encoding="utf-8"))["requirements"]]
        assert "fail" in statuses
    elif expected == "invalid":
        assert str(ids) in result.stderr
        assert not report.exists()  # an invalid IDS stops the run before any report is written
    else:
        assert report.is_file()
