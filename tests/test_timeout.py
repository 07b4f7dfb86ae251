"""Per-model time budget: a runaway check is stopped and reported, other models still checked."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import ifcopenshell
import pytest

from bimcheck.engine import run_check
from bimcheck.errors import InputError
from bimcheck.model.ifcmodel import Model
from bimcheck.results import Status
from bimcheck.rules.facets import REQUIRED, Check, EntityFacet, Match
from bimcheck.rules.requirement import Requirement, RuleSet
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder

WALLS = EntityFacet(name=ValueSpec(simple="IFCWALL"))


@dataclass(frozen=True)
class Stall:
    """A facet that stalls on walls named "slow" (standing in for a runaway geometry step)."""

    seconds: float = 30.0
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "stall"

    def describe(self) -> str:
        return "stalls"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        if element.Name == "slow":
            time.sleep(self.seconds)
        if element.Name == "crash":
            os._exit(9)  # a crash inside native code looks like this from the outside
        return Check(Match.PASS, "ok")

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.file.by_type("IfcWall")


def model(tmp_path: Path, name: str, wall: str) -> Path:
    builder = ModelBuilder()
    builder.element("IfcWall", wall)
    return builder.save(tmp_path / name)


RULES = RuleSet((Requirement("R-1", "walls", (WALLS,), (Stall(),)),), ())


def test_a_model_past_its_budget_is_stopped_and_its_requirements_are_errors(tmp_path: Path) -> None:
    slow = model(tmp_path, "slow.ifc", "slow")
    quick = model(tmp_path, "quick.ifc", "quick")
    run = run_check([slow, quick], RULES, timeout=1.0)
    stopped, done = run.for_model("slow.ifc"), run.for_model("quick.ifc")
    assert [r.status for r in stopped] == [Status.ERROR]
    assert "time budget of 1 s (--timeout)" in (stopped[0].message or "")
    assert [r.status for r in done] == [Status.PASS]
    # The stopped model is still identified exactly: hash from the file, schema from the header.
    info = next(m for m in run.models if m.name == "slow.ifc")
    assert info.sha256 == hashlib.sha256(slow.read_bytes()).hexdigest()
    assert info.schema == "IFC4"


def test_within_budget_the_results_equal_an_unbudgeted_check(tmp_path: Path) -> None:
    quick = model(tmp_path, "quick.ifc", "quick")
    budgeted, plain = run_check([quick], RULES, timeout=60), run_check([quick], RULES)
    assert budgeted.requirements == plain.requirements
    assert budgeted.models == plain.models


def test_bad_input_in_a_budgeted_check_is_the_same_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ifc"
    broken.write_text("ISO-10303-21;\nHEADER;\n", encoding="utf-8")
    with pytest.raises(InputError) as budgeted:
        run_check([broken], RULES, timeout=30)
    with pytest.raises(InputError) as plain:
        run_check([broken], RULES)
    assert budgeted.value.one_line() == plain.value.one_line()


def test_a_check_that_crashes_the_process_is_reported_not_hung(tmp_path: Path) -> None:
    crash = model(tmp_path, "crash.ifc", "crash")
    with pytest.raises(InputError, match="crashed"):
        run_check([crash], RULES, timeout=30)


def test_the_cli_stops_a_runaway_pattern_warns_exits_1_and_still_writes_the_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bimcheck.cli import app

    # A regular expression with nested quantifiers backtracks exponentially on a long name:
    # (a+)+b against 40 a's would run for days. The budget must end it.
    runaway = model(tmp_path, "runaway.ifc", "a" * 40)
    ids = tmp_path / "names.ids"
    ids.write_text(
        '<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        "<info><title>t</title></info><specifications>"
        '<specification name="names" ifcVersion="IFC4"><applicability><entity><name>'
        "<simpleValue>IFCWALL</simpleValue></name></entity></applicability><requirements><attribute>"
        '<name><simpleValue>Name</simpleValue></name><value><xs:restriction base="xs:string">'
        '<xs:pattern value="(a+)+b"/></xs:restriction></value></attribute></requirements></specification>'
        "</specifications></ids>",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    args = ["check", str(runaway), "-r", str(ids), "--timeout", "2", "-o", f"json:{out}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"bimcheck: warning: {runaway}: not evaluated: the check of this model")
    assert '"status": "error"' in out.read_text(encoding="utf-8")
