"""The mutation fuzzer (fuzz/): it sees a crash when there is one, and a bounded run finds none.

A fuzzer that reports "0 crashes" proves something only if it would have reported a crash: so
bugs are planted in bimcheck (in the worker process, or in this one for the in-process runner)
and the fuzzer must call them crashes, save them, minimise them and replay them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from fuzz.corpus import DEMO_IDS, DEMO_IFC, Case
from fuzz.harness import CRASH, OK, Worker, classify, ddmin, execute, fault_log, serve
from fuzz.run import campaign, replay

PLANTED = "planted by the fuzzer's tests"


# --- workers with planted bugs (module level: the spawned worker imports them by name) -------


def serve_with_crashing_reader(connection: Any) -> None:
    """The fuzzer's worker, with a bug planted in bimcheck: reading a requirement file the fuzzer
    wrote (it000123-….yaml) that contains `id:` raises a KeyError, as an unguarded lookup would."""
    from bimcheck.rules import yaml_format

    original = yaml_format.read_document

    def planted(path: Path, what: str, start: str) -> Any:
        if path.name.startswith(("it", "min-it")) and b"id:" in path.read_bytes():
            raise KeyError(PLANTED)
        return original(path, what, start)

    yaml_format.read_document = planted
    serve(connection)


def serve_hanging(connection: Any) -> None:
    connection.recv()
    time.sleep(3600)


def serve_dying(connection: Any) -> None:
    connection.recv()
    os._exit(7)  # as a segfault in a C extension ends the process: no exception, no answer


def serve_segfaulting(connection: Any) -> None:
    import ctypes
    import faulthandler

    faulthandler.enable(fault_log(os.getpid()).open("w", encoding="utf-8"))  # as serve does
    connection.recv()
    ctypes.string_at(0)  # reads address 0: SIGSEGV, as a crash in IfcOpenShell's kernel


def _demo_case(tmp_path: Path) -> Case:
    report = tmp_path / "out" / "report.json"
    args = ("check", str(DEMO_IFC), "-r", str(DEMO_IDS), "-o", f"json:{report}")
    names = (DEMO_IFC.name, DEMO_IDS.name)
    return Case(args, str(DEMO_IFC), (str(report),), names, str(report.parent))


# --- the verdict on one run ------------------------------------------------------------------


def test_an_exception_out_of_the_cli_is_a_crash_with_its_traceback(tmp_path, monkeypatch):
    from bimcheck import engine

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError(PLANTED)

    monkeypatch.setattr(engine, "run_check", broken)  # the CLI imports it when a check starts
    outcome = execute(_demo_case(tmp_path))
    assert outcome.verdict == CRASH
    assert outcome.signature.startswith("ZeroDivisionError@cli.py:")
    assert PLANTED in outcome.trace


def test_an_exception_the_engine_contains_is_not_a_crash_but_is_listed(tmp_path, monkeypatch):
    # The engine reports an element it could not evaluate as `error` and goes on (issue 7: an
    # error on the element, not a traceback); the fuzzer lists such causes so they get looked at.
    from bimcheck import engine

    def broken(*args: object) -> None:
        raise TypeError(PLANTED)

    monkeypatch.setattr(engine, "_finding", broken)  # called per element, inside its guard
    outcome = execute(_demo_case(tmp_path))
    assert outcome.verdict == OK, outcome.detail
    assert any(PLANTED in text for text in outcome.contained), outcome.contained


def test_the_unplanted_demo_check_is_ok_and_contains_nothing(tmp_path):
    # The control for the two tests above: the same run without a planted bug.
    outcome = execute(_demo_case(tmp_path))
    assert (outcome.verdict, outcome.exit_code, outcome.contained) == (OK, 1, ())


@pytest.mark.parametrize(
    ("exit_code", "stderr", "verdict"),
    [
        (2, "bimcheck: error: demo-house.ids: malformed XML: line 3\n", OK),
        (2, "", CRASH),  # refused without saying why
        (2, "bimcheck: error: a.ids: bad\nbimcheck: error: a.ids: worse\n", CRASH),
        (2, "bimcheck: error: some-other-file.txt: bad\n", CRASH),  # names no input
        (2, "bimcheck: error: internal error: KeyError: 'x' (set BIMCHECK_DEBUG=1 …)\n", CRASH),
        (1, 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n', CRASH),
        (1, "bimcheck: error: demo-house.ids: bad\n", CRASH),  # an error line but a result
        (4, "", CRASH),
        (None, "", CRASH),
    ],
)
def test_classify(tmp_path, exit_code, stderr, verdict):
    case = Case(("ids", "audit", "demo-house.ids"), "demo-house.ids", (), ("demo-house.ids",), str(tmp_path))
    assert classify(case, exit_code, stderr).verdict == verdict


def test_a_half_written_report_is_a_crash(tmp_path):
    case = _demo_case(tmp_path)
    Path(case.out_dir).mkdir(parents=True)
    Path(case.outputs[0]).write_text('{"requirements": [', "utf-8")
    outcome = classify(case, 1, "")
    assert (outcome.verdict, outcome.kind) == (CRASH, "output")


def test_a_hanging_worker_is_a_hang_and_a_dying_one_a_crash(tmp_path):
    case = _demo_case(tmp_path)
    for target, kind in ((serve_hanging, "hang"), (serve_dying, "died")):
        worker = Worker(target)
        try:
            outcome = worker.run(case, budget=3)
        finally:
            worker.close()
        assert (outcome.verdict, outcome.kind) == (CRASH, kind), outcome.detail


def test_a_segfaulting_worker_leaves_its_python_stack_in_the_crash(tmp_path):
    worker = Worker(serve_segfaulting)
    try:
        outcome = worker.run(_demo_case(tmp_path), budget=30)
    finally:
        worker.close()
    assert (outcome.kind, outcome.exit_code) == ("died", -11), outcome.detail
    assert "serve_segfaulting" in outcome.trace


def test_ddmin_finds_the_two_lines_that_fail_together():
    lines = [f"line {i}\n".encode() for i in range(40)]
    fails = lambda kept: b"line 7\n" in kept and b"line 31\n" in kept  # noqa: E731
    assert ddmin(lines, fails) == [b"line 7\n", b"line 31\n"]


# --- the campaign ----------------------------------------------------------------------------


def test_a_campaign_finds_saves_minimises_and_replays_a_planted_crash(tmp_path):
    # Fuzz seed 3, iterations 10-19: four of them mutate a requirement file (seen by drawing the
    # seeds as build_iteration does), the others a model, an IDS file or the tender.
    summary = campaign(10, 3, start=10, jobs=1, budget=60, out=tmp_path, target=serve_with_crashing_reader)
    # Every requirement-file mutant that still holds `id:` reaches the planted bug; the other
    # iterations (models, IDS files, the tender) must stay orderly.
    assert list(summary.crashes) == ["KeyError@yaml_format.py:_read"], summary.report()
    crash = summary.crashes["KeyError@yaml_format.py:_read"]
    assert sum(summary.outcomes[k] for k in summary.outcomes if k.startswith("CRASH")) == crash.count
    assert crash.saved is not None
    meta = json.loads((crash.saved / "crash.json").read_text("utf-8"))
    assert PLANTED in meta["traceback"]
    original = (crash.saved / "input.yaml").read_bytes()
    smallest = (crash.saved / "minimised.yaml").read_bytes()
    # The planted condition is `id:` in the file: ddmin keeps that and (nearly) nothing else.
    assert b"id:" in smallest
    assert len(smallest) <= 8 < len(original), smallest
    again = replay(meta["iteration"], meta["fuzz_seed"], 60, target=serve_with_crashing_reader)
    assert again.signature == crash.signature


def test_a_bounded_campaign_finds_no_crash(tmp_path):
    """The CI run of the fuzzer: 150 fixed iterations (`make fuzz` runs thousands)."""
    summary = campaign(150, 1, jobs=2, budget=120, out=tmp_path)
    assert summary.iterations == 150
    assert not summary.crashes, summary.report()
    # The mutants reach both the refusal of broken input and complete checks.
    assert summary.outcomes["exit2"] > 0
    assert summary.outcomes["exit0"] + summary.outcomes["exit1"] > 0
