"""The benchmark suite's smoke run: every measurement path gives a number and the table is written.

Times are never asserted: CI machines are shared and the smoke models are tiny. The full run is
`make bench` (benchmarks/README.md).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SHARED, SHARED_MODELS, require_shared


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)]
    done = subprocess.run(
        [*command, "--shared", str(SHARED)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads((out / "latest-smoke.json").read_text(encoding="utf-8"))
    report["_out"] = out
    report["_stdout"] = done.stdout
    return report


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_the_table_is_written_as_markdown_and_json_and_printed(smoke: dict[str, Any]) -> None:
    out: Path = smoke["_out"]
    markdown = (out / "latest-smoke.md").read_text(encoding="utf-8")
    assert markdown.startswith("# bimcheck benchmarks (smoke)")
    for title in ("## Targets", "## IDS", "## The Swedish requirement library", "## Geometry", "## Scaling"):
        assert title in markdown
    assert "## Report rendering" in markdown
    assert "## Hot spots" in markdown
    assert smoke["_stdout"].strip() == markdown.strip()
    assert not smoke["errors"]
    assert smoke["machine"]["cores"]
    assert smoke["machine"]["ifcopenshell"]
    assert smoke["machine"]["ifctester"]


def test_ifctester_and_bimcheck_each_check_the_generated_models_and_write_json(smoke: dict[str, Any]) -> None:
    rows = smoke["results"]["ids"]["rows"]
    assert {r["kind"] for r in rows} >= {"block", "walls"}
    for row in rows:
        for tool in ("ifctester", "bimcheck"):
            values = row[tool]
            for key in ("import_s", "ids_s", "open_s", "check_s", "report_s", "total_s", "peak_mb"):
                assert _number(values[key]), (row["model"], tool, key)
            assert len(values["specs"]) == 6
        assert _number(row["ratio"])
        assert _number(row["ifcopenshell_open_s"])
        assert len(row["agreement"]) == 6
    reports = sorted(smoke["_out"].glob("scratch/*/*tester-*.json")) + sorted(
        smoke["_out"].glob("scratch/*/bimcheck-*.json")
    )
    assert len(reports) == 2 * len(rows)
    for report in reports:
        json.loads(report.read_text(encoding="utf-8"))


def test_the_small_shared_models_are_compared_too(smoke: dict[str, Any]) -> None:
    require_shared(SHARED_MODELS)
    shared = [r for r in smoke["results"]["ids"]["rows"] if r["kind"] == "shared"]
    assert shared
    assert all(_number(r["ratio"]) for r in shared)


def test_every_requirement_set_of_the_library_is_timed_per_requirement(smoke: dict[str, Any]) -> None:
    rows = smoke["results"]["library"]["rows"]
    assert {r["rules"] for r in rows} == {p.name for p in (ROOT / "requirements").glob("*.yaml")}
    for row in rows:
        assert row["requirements"] == len(row["detail"]) > 0
        for key in ("open_s", "check_s", "geometric_s", "non_geometric_s", "peak_mb"):
            assert _number(row[key]), (row["rules"], key)
        assert all(_number(q["seconds"]) for q in row["detail"])
    # The functional requirements measure geometry; the information requirements never do.
    by_name = {r["rules"]: r for r in rows}
    assert by_name["se-housing-function.yaml"]["geometric"] > 0
    assert by_name["se-housing-information.yaml"]["geometric"] == 0


def test_geometry_is_compared_with_a_plain_iterator_pass(smoke: dict[str, Any]) -> None:
    rows = smoke["results"]["geometry"]["rows"]
    assert rows[0]["what"].startswith("the library's")
    assert len(rows) == 4
    for row in rows:
        assert row["elements"] > 0
        for key in ("bimcheck_s", "iterator_s", "ratio", "bimcheck_peak_mb", "iterator_peak_mb"):
            assert _number(row[key]), (row["what"], key)


def test_scaling_has_a_row_per_size_and_a_line_fitted_to_each_series(smoke: dict[str, Any]) -> None:
    scaling = smoke["results"]["scaling"]
    assert [r["factor"] for r in scaling["rows"]] == [1.0, 2.0]
    for row in scaling["rows"]:
        for key in ("entities", "open_s", "ids_total_s", "ids_peak_mb", "library_s", "library_peak_mb"):
            assert _number(row[key]), (row["model"], key)
    for fit in scaling["fits"].values():
        assert _number(fit["slope"])
        assert _number(fit["r2"])


def test_every_report_format_is_rendered_from_a_saved_run(smoke: dict[str, Any]) -> None:
    reports = smoke["results"]["reports"]
    assert reports["failures"] > 0
    formats = {r["format"] for r in reports["rows"]}
    assert {"html", "xml", "bcf", "json", "json-stdlib"} <= formats
    for row in reports["rows"]:
        assert _number(row["seconds"]), row
        assert row["mb"] > 0, row


def test_the_profile_names_the_functions_that_take_the_time(smoke: dict[str, Any]) -> None:
    for profile in smoke["results"]["profile"]["profiles"].values():
        assert _number(profile["total_s"])
        assert profile["cumulative"][0]["function"].endswith("(run_check)")


def test_every_target_of_the_issue_is_measured(smoke: dict[str, Any]) -> None:
    targets = smoke["targets"]
    named = " ".join(t["target"] for t in targets)
    for words in (
        "ifctester",
        "small models",
        "ifcopenshell.open",
        "iterator",
        "linearly",
        "HTML",
        "XML",
        "BCF",
    ):
        assert words in named
    # Measured, not necessarily met: the smoke models are far too small for the targets' sizes.
    # Without the shared models (outside CI) there is no small model to compare on.
    has_shared = any(r["kind"] == "shared" for r in smoke["results"]["ids"]["rows"])
    for target in targets:
        if has_shared or "small models" not in target["target"]:
            assert _number(target["measured"]), target


def test_a_line_is_fitted_by_least_squares() -> None:
    from benchmarks.run import linear_fit

    fit = linear_fit([1.0, 2.0, 3.0], [3.0, 5.0, 7.0])
    assert fit == pytest.approx({"intercept": 1.0, "slope": 2.0, "r2": 1.0})
    assert linear_fit([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0])["r2"] == pytest.approx(0.64)
    assert linear_fit([1.0], [2.0])["r2"] is None


def test_the_best_of_repeats_keeps_the_smallest_number_and_the_first_of_anything_else() -> None:
    from benchmarks.run import _best

    best = _best([{"t": 2.0, "specs": [[1, 0]]}, {"error": "x"}, {"t": 1.5, "specs": [[1, 0]]}])
    assert best == {"t": 1.5, "specs": [[1, 0]], "repeats": 2}


def test_a_block_of_several_sections_has_unique_globalids_and_two_dwellings_per_section_and_storey() -> None:
    from samples.make_samples import DemoHouse

    model = DemoHouse(storeys=2, sections=3, name="block.ifc").build()
    ids = [e.GlobalId for e in model.by_type("IfcRoot")]
    assert len(ids) == len(set(ids))
    zones = sorted(z.Name for z in model.by_type("IfcZone"))
    assert zones == [
        "1001",
        "1002",
        "1003",
        "1004",
        "1005",
        "1006",
        "1101",
        "1102",
        "1103",
        "1104",
        "1105",
        "1106",
    ]
    assert len(model.by_type("IfcBuildingStorey")) == 2
    assert len(model.by_type("IfcTransportElement")) == 3  # a lift per stairwell
