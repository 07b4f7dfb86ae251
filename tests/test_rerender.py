"""Re-rendering: every format rebuilt from a saved JSON report equals the one rendered from the run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.reporters import FORMATS, RenderOptions
from bimcheck.reporters.json_report import render as render_json
from bimcheck.results import FloorPlan, PlanItem, RunResult, run_from_dict
from tests.sample_run import sample_run

ROOT = Path(__file__).resolve().parent.parent
DEMO_MODEL = ROOT / "samples" / "demo-house.ifc"
DEMO_RULES = (ROOT / "requirements" / "se-housing-information.yaml", ROOT / "samples" / "demo-house.ids")
# The formats the issue asks to re-render; those not yet registered are reported, not passed.
EXPECTED = ("console", "json", "xml", "html", "bcf", "junit")
# Options that change each format's form: every variant must survive the JSON round trip.
VARIANTS = {
    "default": RenderOptions(),
    "sv": RenderOptions(lang="sv"),
    "bcf3-grouped": RenderOptions(bcf_version="3.0", bcf_group=True),
    "fail-on-any": RenderOptions(fail_on="any"),
}


def planned_run() -> RunResult:
    """The sample run with floor plans: a hole, an unknown elevation, an item without GlobalId."""
    room = (
        ((0.0, 0.0), (4.25, 0.0), (4.25, 3.125), (0.0, 3.125), (0.0, 0.0)),
        ((1.0, 1.0), (1.5, 1.0), (1.5, 1.5), (1.0, 1.0)),
    )
    return replace(
        sample_run(),
        plans=(
            FloorPlan(
                model="hus-a.ifc",
                storey="Plan 2",
                elevation=2.95,
                items=(
                    PlanItem("IfcSpace", (room,), "3vB2YO$MX4xv5uCqZZG05x", "1202-04"),
                    PlanItem("IfcWall", ((((0.1, 0.2), (0.3, 0.2), (0.3, 0.7), (0.1, 0.2)),),)),
                ),
            ),
            FloorPlan(model="hus-b.ifc", storey="Plan 3", elevation=None, items=()),
        ),
    )


def from_json(run: RunResult) -> RunResult:
    return run_from_dict(json.loads(render_json(run)))


def test_the_json_round_trip_keeps_the_plans() -> None:
    run = planned_run()
    assert from_json(run) == run


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_from_json_equals_the_format_from_the_run(name: str, variant: str) -> None:
    run = planned_run()
    options = VARIANTS[variant]
    direct = FORMATS[name].render(run, options)
    again = FORMATS[name].render(from_json(run), options)
    assert again == direct
    assert len(direct) > 0


def test_every_expected_format_is_registered() -> None:
    missing = [name for name in EXPECTED if name not in FORMATS]
    if missing:  # another part of the issue may not have landed yet: say which, do not pass quietly
        pytest.skip(f"formats not registered yet: {', '.join(missing)}")
    assert set(EXPECTED) <= set(FORMATS)


def test_bimcheck_report_rebuilds_every_format_byte_for_byte(tmp_path: Path) -> None:
    """End to end: `check` writes every format and the JSON; `report` rebuilds each from the JSON."""
    names = sorted(n for n in FORMATS if n != "json")
    first = tmp_path / "first"
    outputs = [f"json:{first}/run.json", *(f"{n}:{first}/run.{n}" for n in names)]
    args = ["check", str(DEMO_MODEL), *(a for r in DEMO_RULES for a in ("-r", str(r)))]
    result = CliRunner().invoke(app, [*args, *(a for o in outputs for a in ("-o", o))])
    assert result.exit_code == 1, result.output  # the demo has deliberate defects
    saved = json.loads((first / "run.json").read_text(encoding="utf-8"))
    assert saved["plans"], "a check that writes BCF/HTML keeps the floor plans in its JSON"
    second = tmp_path / "second"
    rerun = CliRunner().invoke(
        app,
        ["report", str(first / "run.json"), *(a for n in names for a in ("-o", f"{n}:{second}/run.{n}"))],
    )
    assert rerun.exit_code == 0, rerun.output
    for name in names:
        assert (second / f"run.{name}").read_bytes() == (first / f"run.{name}").read_bytes(), name
