"""bimcheck batch on the local machine: reports per model, the summary, resume, refusals, interruptions."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.rules.loader import load_rules
from bimcheck.rules.requirement import RuleSet
from bimcheck.workflows.batch import (
    STATE_DIR,
    BatchSummary,
    ModelOutcome,
    ModelTask,
    check_model_task,
    file_suffixes,
    plan_batch,
    report_stems,
    run_batch,
)
from tests.builders import ModelBuilder

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINT = Path(sys.executable).with_name("bimcheck")
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")

# Walls need the fire rating the parameter names; windows need U <= 1.2 (scored, so never exit 1).
RULES = """\
bimcheck: 1
title: Batch-test
ifc_versions: [IFC4]
parameters:
  wall_rating:
    type: text
    default: EI 60
requirements:
  - id: B-WALL
    title: Väggar brandklass
    kind: mandatory
    severity: error
    applicability:
      - entity: IfcWall
    requirements:
      - property: {property_set: Pset_WallCommon, name: FireRating, value: "${wall_rating}"}
  - id: B-WINDOW
    title: Fönster U-värde
    kind: scored
    severity: warning
    applicability:
      - entity: IfcWindow
    requirements:
      - property: {property_set: Pset_WindowCommon, name: ThermalTransmittance, value: {max: 1.2}}
"""


def build_model(path: Path, rating: str, u_value: float = 1.0) -> Path:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "Vägg 1")
    builder.pset(wall, "Pset_WallCommon", {"FireRating": rating})
    window = builder.element("IfcWindow", "Fönster 1")
    builder.pset(window, "Pset_WindowCommon", {"ThermalTransmittance": u_value})
    path.parent.mkdir(parents=True, exist_ok=True)
    return builder.save(path)


@pytest.fixture
def bids(tmp_path: Path) -> dict[str, Path]:
    """A folder of bids: two that pass, one that fails, one broken file, and a stem used twice."""
    models = tmp_path / "anbud"
    rules = tmp_path / "krav.yaml"
    rules.write_text(RULES, encoding="utf-8")
    build_model(models / "alfa.ifc", "EI 60")
    build_model(models / "beta.ifc", "EI 30")  # the wall fails
    build_model(models / "extra" / "alfa.ifc", "EI 60", u_value=1.4)  # a scored failure only
    (models / "trasig.ifc").write_text("ISO-10303-21;\nHEADER;\n", encoding="utf-8")  # cut short
    return {"models": models, "rules": rules, "out": tmp_path / "rapporter"}


def cli(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def summary_of(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return data


def entries(out: Path) -> dict[str, dict[str, object]]:
    models = summary_of(out)["models"]
    assert isinstance(models, list)
    return {Path(e["model"]).relative_to(out.parent / "anbud").as_posix(): e for e in models}


def without_timestamps(data: bytes) -> bytes:
    return TIMESTAMP.sub(b"<time>", data)


def plan_for(bids: dict[str, Path], *formats: str, rules: RuleSet | None = None) -> tuple[object, RuleSet]:
    ruleset = rules or load_rules([bids["rules"]])
    plan = plan_batch([bids["models"]], [bids["rules"]], ruleset, bids["out"], list(formats) or ["json"])
    return plan, ruleset


# --- the local pool ----------------------------------------------------------------------


def test_pool_checks_every_model_and_a_broken_one_is_an_error_entry(bids: dict[str, Path]) -> None:
    code, out, err = cli(
        "batch",
        bids["models"],
        "-r",
        bids["rules"],
        "--out",
        bids["out"],
        "-f",
        "json",
        "-f",
        "xml",
        "--jobs",
        2,
    )
    assert code == 2, "a model that could not be checked makes the batch exit 2"
    found = entries(bids["out"])
    assert set(found) == {"alfa.ifc", "beta.ifc", "extra/alfa.ifc", "trasig.ifc"}
    assert (found["alfa.ifc"]["result"], found["alfa.ifc"]["exit_code"]) == ("pass", 0)
    assert (found["beta.ifc"]["result"], found["beta.ifc"]["exit_code"]) == ("fail", 1)
    assert found["beta.ifc"]["counts"] == {"pass": 1, "fail": 1}
    assert found["extra/alfa.ifc"]["exit_code"] == 0, "a failed scored requirement does not fail the bid"
    broken = found["trasig.ifc"]
    trasig = bids["models"] / "trasig.ifc"
    assert (broken["result"], broken["exit_code"], broken["reports"]) == ("error", 2, {})
    assert (
        broken["error"] == f"{trasig}: model file is truncated or not an IFC-SPF file (no END-ISO-10303-21;)"
    )
    # Equal stems from different folders get distinct, deterministic report names.
    assert found["alfa.ifc"]["reports"] == {"json": "alfa.json", "xml": "alfa.xml"}
    assert found["extra/alfa.ifc"]["reports"] == {"json": "extra__alfa.json", "xml": "extra__alfa.xml"}
    written = sorted(p.name for p in bids["out"].iterdir() if p.is_file())
    assert written == sorted(
        [
            "alfa.json",
            "alfa.xml",
            "beta.json",
            "beta.xml",
            "extra__alfa.json",
            "extra__alfa.xml",
            "summary.json",
        ]
    )
    report = json.loads((bids["out"] / "beta.json").read_text(encoding="utf-8"))
    assert report["models"][0]["path"] == str(bids["models"] / "beta.ifc")
    summary = summary_of(bids["out"])
    assert summary["complete"] is True
    assert summary["exit_code"] == 2
    assert summary["totals"] == summary["totals"] | {
        "models": 4,
        "pass": 2,
        "fail": 1,
        "error": 1,
        "not_run": 0,
    }
    # The console table on stdout; one plain line per model on stderr (not a terminal here).
    assert re.search(r"beta\.ifc\s+│ fail\s+│\s+1 │\s+1 │", out)
    assert f"error {trasig}: model file is truncated" in out
    assert len(re.findall(r"^bimcheck: \[\d/4\] ", err, re.M)) == 4


def test_reports_are_those_check_writes_byte_for_byte_but_the_time(
    bids: dict[str, Path], tmp_path: Path
) -> None:
    formats = ["json", "xml", "html", "junit", "console"]
    model = bids["models"] / "beta.ifc"
    code, _, _ = cli(
        "batch", model, "-r", bids["rules"], "--out", bids["out"], *[a for f in formats for a in ("-f", f)]
    )
    assert code == 1
    single = tmp_path / "single"
    outputs = [a for f in formats for a in ("-o", f"{f}:{single / f}")]
    assert cli("check", model, "-r", bids["rules"], *outputs)[0] == 1
    suffixes = file_suffixes(formats)
    assert suffixes["junit"] == ".junit.xml", "JUnit and the compliance XML share .xml: JUnit says so"
    for fmt in formats:
        batch_report = (bids["out"] / f"beta{suffixes[fmt]}").read_bytes()
        check_report = (single / fmt).read_bytes()
        assert without_timestamps(batch_report) == without_timestamps(check_report), fmt


def test_the_pool_loads_the_rules_once_per_worker(bids: dict[str, Path]) -> None:
    plan, rules = plan_for(bids)
    summary = run_batch(plan, rules, jobs=2, check=identify_worker)  # type: ignore[arg-type]
    seen = {(o.counts["pid"], o.counts["rules"]) for o in summary.outcomes.values()}
    pids = {pid for pid, _ in seen}
    assert len(summary.outcomes) == 4
    assert len(seen) == len(pids), "each worker checks all its models with the one rule set it unpickled"
    assert os.getpid() not in pids, "two jobs run in worker processes"


def identify_worker(task: ModelTask, rules: RuleSet) -> ModelOutcome:
    counts = {"pid": os.getpid(), "rules": id(rules)}
    return ModelOutcome(task.path, 0, 0.0, counts, sha256="0", reports=dict.fromkeys(task.formats, b"{}"))


# --- resume ------------------------------------------------------------------------------


def test_resume_skips_unchanged_models_and_rechecks_a_changed_one(bids: dict[str, Path]) -> None:
    args = ("batch", bids["models"], "-r", bids["rules"], "--out", bids["out"], "--jobs", 1)
    assert cli(*args)[0] == 2
    stale = bids["out"] / ".beta.json.k7x2.tmp"  # what a batch killed outright leaves
    stale.write_text("{", encoding="utf-8")
    alfa_report = (bids["out"] / "alfa.json").read_bytes()
    build_model(bids["models"] / "beta.ifc", "EI 60")  # the supplier fixed the wall

    code, _, err = cli(*args, "--resume")
    assert code == 2
    found = entries(bids["out"])
    assert found["alfa.ifc"]["resumed"] is True
    assert found["extra/alfa.ifc"]["resumed"] is True
    assert (found["beta.ifc"]["resumed"], found["beta.ifc"]["exit_code"]) == (False, 0), "re-checked"
    assert found["trasig.ifc"]["result"] == "error", "a model that could not be checked is tried again"
    assert (bids["out"] / "alfa.json").read_bytes() == alfa_report, (
        "a skipped model's report is not rewritten"
    )
    assert json.loads((bids["out"] / "beta.json").read_bytes())["summary"]["fail"] == 0
    assert "alfa.ifc: pass (exit 0, resumed: reports unchanged)" in err
    assert not stale.exists()


@pytest.mark.parametrize("change", ["parameter", "rule file", "format", "deleted report", "edited report"])
def test_resume_rechecks_when_anything_a_report_depends_on_changed(
    bids: dict[str, Path], change: str
) -> None:
    args = ["batch", bids["models"] / "alfa.ifc", "-r", bids["rules"], "--out", bids["out"], "--jobs", 1]
    assert cli(*args)[0] == 0
    if change == "parameter":
        args += ["--param", "wall_rating=EI 90"]
    elif change == "rule file":
        bids["rules"].write_text(RULES.replace("Batch-test", "Batch-test 2"), encoding="utf-8")
    elif change == "format":
        args += ["-f", "json", "-f", "html"]
    elif change == "deleted report":
        (bids["out"] / "alfa.json").unlink()
    else:
        report = bids["out"] / "alfa.json"
        report.write_text(report.read_text(encoding="utf-8").replace('"pass"', '"fail"'), encoding="utf-8")
    cli(*args, "--resume")
    assert entries(bids["out"])["alfa.ifc"]["resumed"] is False
    assert cli(*args, "--resume")[0] in (0, 1)
    assert entries(bids["out"])["alfa.ifc"]["resumed"] is True, "and the next run trusts the new reports"


# --- outputs never overwrite inputs ----------------------------------------------------------


def test_refuses_an_out_directory_where_a_report_would_overwrite_a_rule_file(tmp_path: Path) -> None:
    model = build_model(tmp_path / "alfa.ifc", "EI 60")
    ids = tmp_path / "alfa.xml"  # IDS files may end in .xml, like the compliance report
    ids.write_text((ROOT / "samples" / "demo-house.ids").read_text(encoding="utf-8"), encoding="utf-8")
    before = ids.read_bytes()
    code, out, err = cli("batch", model, "-r", ids, "--out", tmp_path, "-f", "xml")
    assert (code, out) == (2, "")
    assert err == f"bimcheck: error: {ids}: the batch would overwrite its input {ids}: choose another --out\n"
    assert ids.read_bytes() == before
    assert not (tmp_path / "summary.json").exists(), "refused before anything is written"


def test_refuses_an_out_that_is_a_model_or_inside_a_rule_directory(bids: dict[str, Path]) -> None:
    model = bids["models"] / "alfa.ifc"
    code, _, err = cli("batch", model, "-r", bids["rules"], "--out", model)
    assert code == 2
    assert err == f"bimcheck: error: {model}: --out must be a directory, and this is a file\n"
    rule_dir = bids["rules"].parent
    code, _, err = cli("batch", model, "-r", rule_dir, "--out", rule_dir / "ut")
    assert code == 2
    assert "--out is inside the requirement directory" in err


def test_nothing_to_check_is_exit_3_and_bad_arguments_exit_2(bids: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "tom"
    empty.mkdir()
    code, _, err = cli("batch", empty, "-r", bids["rules"], "--out", bids["out"])
    assert code == 3
    assert err == f"bimcheck: error: no models (*.ifc) found in {empty}: nothing to check\n"
    assert cli("batch", bids["models"], "-r", bids["rules"], "--out", bids["out"], "--only", "NONE")[0] == 3
    code, _, err = cli("batch", tmp_path / "saknas", "-r", bids["rules"], "--out", bids["out"])
    assert (code, err) == (
        2,
        f"bimcheck: error: {tmp_path / 'saknas'}: model file or directory does not exist\n",
    )
    code, _, err = cli(
        "batch", bids["models"], "-r", bids["rules"], "--out", bids["out"], "-f", "json:x.json"
    )
    assert (code, err) == (
        2,
        "bimcheck: error: --format 'json:x.json': give a format only; reports go to --out\n",
    )


def test_report_names_are_distinct_and_deterministic(tmp_path: Path) -> None:
    paths = [tmp_path / p for p in ("a/Hus.ifc", "b/hus.ifc", "c/plan.ifc", "summary.ifc", "x/y/plan.ifc")]
    stems = report_stems(paths)
    assert stems[:3] == ["a__Hus", "b__hus", "c__plan"], "case-insensitive file systems would mix Hus and hus"
    assert stems[4] == "x__y__plan"
    assert re.fullmatch(r"summary-[0-9a-f]{8}", stems[3]), "summary.json belongs to the batch"
    assert report_stems(paths) == stems
    assert len({s.casefold() for s in stems}) == len(stems)


# --- interruptions -----------------------------------------------------------------------------


def interrupt_at_beta(task: ModelTask, rules: RuleSet) -> ModelOutcome:
    if task.path.endswith("beta.ifc"):
        raise KeyboardInterrupt
    return check_model_task(task, rules)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_batch_keeps_finished_reports_and_resume_does_the_rest(
    bids: dict[str, Path], jobs: int
) -> None:
    plan, rules = plan_for(bids)
    summary = run_batch(plan, rules, jobs=jobs, check=interrupt_at_beta)  # type: ignore[arg-type]
    assert summary.interrupted
    written = summary_of(bids["out"])
    assert written["complete"] is False
    finished = {Path(e.path).relative_to(bids["models"]).as_posix() for e in summary.outcomes.values()}
    assert "beta.ifc" not in finished
    if jobs == 1:
        assert finished == {"alfa.ifc"}, "models are taken in order; the one before beta is done"
    for task in plan.tasks:  # type: ignore[attr-defined]
        report = bids["out"] / f"{task.stem}.json"
        assert report.exists() == (task.index in summary.outcomes and not task.path.endswith("trasig.ifc"))
    assert not [p for p in bids["out"].rglob("*") if p.name.endswith(".tmp")], "no half-written file"
    assert entries(bids["out"])["beta.ifc"]["result"] == "not_run"

    resumed = run_batch(plan, rules, jobs=jobs, resume=True)  # type: ignore[arg-type]
    assert not resumed.interrupted
    flags = {
        Path(o.path).name if "extra" not in o.path else "extra": o.resumed for o in resumed.outcomes.values()
    }
    assert flags["beta.ifc"] is False
    assert all(flags[Path(p).name] for p in finished if "extra" not in p and "trasig" not in p)
    assert resumed.exit_code == 2
    assert summary_of(bids["out"])["complete"] is True


def crash_at_beta(task: ModelTask, rules: RuleSet) -> ModelOutcome:
    if task.path.endswith("beta.ifc"):
        os._exit(70)  # what a segmentation fault in the IFC library looks like from outside
    return check_model_task(task, rules)


def test_a_worker_that_dies_costs_only_its_own_model(bids: dict[str, Path]) -> None:
    plan, rules = plan_for(bids)
    summary: BatchSummary = run_batch(plan, rules, jobs=2, check=crash_at_beta)  # type: ignore[arg-type]
    found = entries(bids["out"])
    beta = found["beta.ifc"]
    assert (
        beta["error"] == f"{bids['models'] / 'beta.ifc'}: the worker process died while checking this model"
    )
    assert found["alfa.ifc"]["result"] == "pass"
    assert found["extra/alfa.ifc"]["result"] == "pass"
    assert found["trasig.ifc"]["result"] == "error"
    assert summary.exit_code == 2
    assert (bids["out"] / "alfa.json").exists()


def test_a_killed_batch_keeps_its_finished_reports(tmp_path: Path) -> None:
    """Ctrl-C to the whole process group of a real batch with two workers, after the first report."""
    models = tmp_path / "anbud"
    models.mkdir()
    for i in range(6):
        (models / f"hus{i}.ifc").write_bytes((ROOT / "samples" / "demo-house.ifc").read_bytes())
    out = tmp_path / "ut"
    args = [str(ENTRY_POINT), "batch", str(models), "-r", str(ROOT / "samples" / "demo-house.ids")]
    args += ["--out", str(out), "--jobs", "2", "-f", "json", "-f", "xml"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list((out / STATE_DIR).glob("*.json")) and process.poll() is None:
            assert time.monotonic() < deadline, "no model finished in 5 minutes"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / STATE_DIR).glob("*.json")}
    assert records, "the first finished model's record was there before the interruption"
    summary = summary_of(out)
    if process.returncode == 130:  # interrupted, the usual case; a loaded machine may finish first
        assert summary["complete"] is False
        assert b"interrupted after" in err
        assert b"--resume checks the rest" in err
    else:
        assert process.returncode == 1
    for stem, record in records.items():
        for name, digest in record["reports"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, f"{stem}: {name}"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]

    code, _, _ = cli(*args[1:], "--resume")
    assert code == 1
    resumed = [e for e in entries_of(out) if e["resumed"]]
    assert {Path(e["model"]).stem for e in resumed} == set(records)
    assert all((out / f"hus{i}.xml").exists() for i in range(6))


def entries_of(out: Path) -> list[dict[str, object]]:
    models = summary_of(out)["models"]
    assert isinstance(models, list)
    return models


def test_a_terminal_gets_a_progress_bar_instead_of_lines(bids: dict[str, Path]) -> None:
    from tests.test_cli import run_entry_point

    args = ("batch", bids["models"], "-r", bids["rules"], "--out", bids["out"], "--jobs", 1)
    code, out, err = run_entry_point(*args, tty="stderr")
    err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err)
    assert code == 2
    assert re.search(r"checking.*4/4", err), "a rich progress bar with models done of all"
    assert "bimcheck: [" not in err
    assert "error" in err, "a model that could not be checked is said above the bar"
    assert "models in " in out
    assert re.search(r"^beta\.ifc\s+│ fail", out, re.M)


def test_the_whole_requirement_library_survives_the_trip_to_a_worker() -> None:
    """Workers get the rules pickled: every facet, measure and parameter of the library must pickle."""
    import pickle

    from bimcheck.engine import run_check
    from bimcheck.results import run_to_dict

    rules = load_rules([ROOT / "requirements", ROOT / "samples" / "demo-house.ids"])
    shipped = pickle.loads(pickle.dumps(rules))
    assert [r.id for r in shipped.requirements] == [r.id for r in rules.requirements]
    model = ROOT / "samples" / "demo-house.ifc"
    here, there = (run_to_dict(run_check([model], r)) for r in (rules, shipped))
    assert there | {"created": None} == here | {"created": None}
