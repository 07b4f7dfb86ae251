"""Run one case through the real CLI in a worker process, and tell an orderly outcome from a crash.

The worker imports bimcheck once and runs cases in-process with typer's CliRunner (as a user's
shell would run `bimcheck …`, minus the interpreter start-up). The parent gives each case a
time budget: a worker that does not answer in time is killed (HANG), one that dies is a crash
too (a segfault in ifcopenshell, the memory limit). `BIMCHECK_DEBUG=1` makes the CLI re-raise
what it would otherwise report as an internal error, so a crash comes with its traceback.

OK is exit 0, 1 or 3, or exit 2 with exactly one `bimcheck: error:` line naming a file the run
was given, no traceback, and every report either absent or complete. Anything else is a CRASH.
"""

from __future__ import annotations

import faulthandler
import json
import multiprocessing
import os
import re
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bimcheck
from fuzz.corpus import Case

OK, CRASH = "ok", "crash"
MEMORY_LIMIT_MB = int(os.environ.get("FUZZ_MEMORY_MB", "6144"))
_ENV = {"BIMCHECK_DEBUG": "1", "NO_COLOR": "1", "COLUMNS": "120", "BIMCHECK_TODAY": "2025-06-01"}


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: str  # OK or CRASH
    kind: str  # exit0…exit3 when OK; exception, exit-code, stderr, output, hang, died when CRASH
    detail: str  # one line: the error line, or what went wrong
    signature: str = ""  # the same crash found twice has the same signature
    exit_code: int | None = None
    trace: str = ""
    # Exceptions the engine contained (an element or requirement reported as `error`): not a
    # crash, the run went on as designed, but listed so that their causes can be looked at.
    contained: tuple[str, ...] = field(default=())

    @property
    def crashed(self) -> bool:
        return self.verdict == CRASH


def _crash(kind: str, detail: str, signature: str, exit_code: int | None = None, trace: str = "") -> Outcome:
    return Outcome(CRASH, kind, detail, signature, exit_code, trace)


# --- classification (pure) -------------------------------------------------------------------

_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s+File \".*\", line \d+", re.MULTILINE)


# The package's own folder: a clone may itself be called bimcheck/, and its tests/ and fuzz/
# frames must not count as bimcheck's.
_PACKAGE = str(Path(bimcheck.__file__).resolve().parent)


def _ours(filename: str) -> bool:
    """Whether a traceback frame's file is part of the bimcheck package."""
    return str(Path(filename).resolve()).startswith(_PACKAGE + os.sep)


def signature_of(error: BaseException) -> str:
    """Exception type and the innermost bimcheck frame (file:function), else the innermost frame."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if _ours(f.filename)]
    chosen = ours or frames
    where = f"{Path(chosen[-1].filename).name}:{chosen[-1].name}" if chosen else "?"
    return f"{type(error).__name__}@{where}"


def classify(
    case: Case,
    exit_code: int | None,
    stderr: str,
    error: BaseException | None = None,
    trace: str = "",
) -> Outcome:
    """The verdict on one finished run: its exit code, stderr, any exception, and its reports."""
    if error is not None and not isinstance(error, SystemExit):
        detail = f"{type(error).__name__}: {error}"
        return _crash("exception", _one_line(detail), signature_of(error), exit_code, trace)
    if exit_code not in (0, 1, 2, 3):
        return _crash("exit-code", f"exit code {exit_code}", f"exit{exit_code}", exit_code)
    if _TRACEBACK.search(stderr):
        return _crash("stderr", "a traceback on stderr", "traceback", exit_code, stderr)
    errors = [line for line in stderr.splitlines() if line.startswith("bimcheck: error:")]
    line = errors[0] if errors else ""
    if exit_code == 2:
        if len(errors) != 1:
            return _crash(
                "stderr", f"exit 2 with {len(errors)} error lines", "error-lines", exit_code, stderr
            )
        if "internal error" in line:
            return _crash("exception", line, "internal-error:" + line.split(":")[3].strip(), exit_code)
        if not any(name in line for name in case.names):
            return _crash("stderr", f"error line names no input: {line}", "unnamed", exit_code, stderr)
    elif exit_code == 3:
        if len(errors) != 1:
            return _crash(
                "stderr", f"exit 3 with {len(errors)} error lines", "error-lines", exit_code, stderr
            )
    elif errors:
        return _crash("stderr", f"exit {exit_code} with an error line: {line}", "error-line", exit_code)
    problem = output_problem(case, exit_code)
    if problem is not None:
        return _crash("output", problem, "output:" + problem.split(":")[0], exit_code)
    return Outcome(OK, f"exit{exit_code}", _one_line(line), exit_code=exit_code)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def output_problem(case: Case, exit_code: int | None) -> str | None:
    """Why the reports of a run are not as a finished or a refused run leaves them, or None."""
    out_dir = Path(case.out_dir)
    if out_dir.is_dir():
        leftovers = sorted(p.name for p in out_dir.iterdir() if p.name.endswith(".tmp"))
        if leftovers:
            return f"temporary file left behind: {leftovers[0]}"
    for path in map(Path, case.outputs):
        if not path.exists():
            if exit_code in (0, 1) and case.args[0] in ("check", "evaluate", "rules"):
                return f"missing report: {path.name} not written by a run that exited {exit_code}"
            continue
        problem = _incomplete(path)
        if problem:
            return f"incomplete report: {path.name}: {problem}"
    return None


def _incomplete(path: Path) -> str | None:
    data = path.read_bytes()
    name = path.name
    try:
        if name.endswith(".json"):
            json.loads(data)
        elif name.endswith((".xml", ".ids")):
            from lxml import etree

            etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        elif name.endswith(".html"):
            if not data.rstrip().endswith(b"</html>"):
                return "does not end with </html>"
        elif name.endswith(".bcf"):
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
                if bad is not None:
                    return f"corrupt member {bad}"
        else:
            data.decode("utf-8")
    except Exception as exc:
        return f"{type(exc).__name__}: {_one_line(str(exc), 120)}"
    return None


def contained_errors(case: Case) -> tuple[str, ...]:
    """Exception messages the engine turned into `error` results, read from the JSON report."""
    report = next((Path(p) for p in case.outputs if p.endswith("report.json")), None)
    if report is None or not report.exists():
        return ()
    try:
        run = json.loads(report.read_bytes())
    except ValueError:
        return ()
    found: set[str] = set()
    for requirement in run.get("requirements", ()):
        message = requirement.get("message") or ""
        if message.startswith("could not evaluate:"):
            found.add(_one_line(message.removeprefix("could not evaluate:").strip(), 160))
        for element in requirement.get("elements", ()):
            for finding in element.get("findings", ()):
                if finding.get("reason") == "evaluation_error":
                    text = (finding.get("message") or "").removeprefix("could not evaluate:").strip()
                    found.add(_one_line(text, 160))
    return tuple(sorted(found))


# --- running in-process (inside the worker) --------------------------------------------------


def execute(case: Case) -> Outcome:
    """Run the CLI on a case in this process and classify what happened."""
    from typer.testing import CliRunner

    from bimcheck.cli import app

    Path(case.out_dir).mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    result = runner.invoke(app, list(case.args), env=_ENV, catch_exceptions=True)
    error = result.exception
    trace = ""
    if error is not None and not isinstance(error, SystemExit) and result.exc_info is not None:
        trace = "".join(traceback.format_exception(*result.exc_info))
    try:
        stderr = result.stderr
    except ValueError:  # older click without separate stderr
        stderr = result.output
    outcome = classify(case, result.exit_code, stderr, error, trace)
    if not outcome.crashed:
        contained = contained_errors(case)
        if contained:
            outcome = Outcome(outcome.verdict, outcome.kind, outcome.detail, exit_code=outcome.exit_code,
                              contained=contained)  # fmt: skip
    return outcome


def _limit_memory() -> None:
    try:
        import resource

        limit = MEMORY_LIMIT_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def fault_log(pid: int) -> Path:
    """Where a worker's Python stack goes when a native library kills it (faulthandler)."""
    return Path(tempfile.gettempdir()) / f"bimcheck-fuzz-fault-{pid}.txt"


def serve(connection: Any) -> None:
    """The worker's loop: a case in, an outcome out, until the parent closes the pipe."""
    _limit_memory()
    # A segmentation fault leaves no exception: the Python stack at that moment is the clue.
    faulthandler.enable(fault_log(os.getpid()).open("w", encoding="utf-8"))
    import bimcheck.cli  # noqa: F401 - imported once, before the first case is timed

    while True:
        try:
            case = connection.recv()
        except (EOFError, OSError):
            return
        try:
            outcome = execute(case)
        except BaseException as exc:  # the harness itself must answer, whatever happened
            outcome = _crash("exception", f"harness: {type(exc).__name__}: {exc}", signature_of(exc))
        connection.send(outcome)


class Worker:
    """A child process that runs cases; killed and replaced when a case hangs or kills it."""

    def __init__(self, target: Callable[[Any], None] = serve) -> None:
        self._target = target
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: Any = None
        self.cases = 0

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=self._target, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._connection = parent
        self.cases = 0

    def run(self, case: Case, budget: float) -> Outcome:
        """The outcome of `case`, or HANG after `budget` seconds, or DIED if the worker ended."""
        if self._process is None or not self._process.is_alive() or self.cases >= 400:
            self.close()  # recycled now and then: a long campaign must not grow one process
            self._start()
        self.cases += 1
        try:
            self._connection.send(case)
            if self._connection.poll(budget):
                outcome: Outcome = self._connection.recv()
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._process.join(5)
            code = self._process.exitcode
            log = fault_log(self._process.pid)
            stack = log.read_text("utf-8", errors="replace") if log.exists() else ""
            self.close()
            frames = [f for f in re.findall(r'File "([^"]+)", line \d+ in (\w+)', stack) if _ours(f[0])]
            where = f"@{Path(frames[0][0]).name}:{frames[0][1]}" if frames else ""  # innermost first
            return _crash("died", f"worker died (exit code {code})", f"died{code}{where}", code, stack)
        self.close()
        return _crash("hang", f"no answer within the budget of {budget:g} s", "hang")

    def close(self) -> None:
        if self._process is not None:
            fault_log(self._process.pid).unlink(missing_ok=True)
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
            self._process = None


# --- minimisation ----------------------------------------------------------------------------


def ddmin(
    items: Sequence[bytes], still_fails: Callable[[list[bytes]], bool], max_tests: int = 300
) -> list[bytes]:
    """Zeller's delta debugging: a 1-minimal subsequence of `items` that still fails (as far as
    `max_tests` runs allow)."""
    current = list(items)
    n = 2
    tests = 0
    while len(current) >= 2 and tests < max_tests:
        size = len(current) // n
        chunks = [current[i : i + size] for i in range(0, len(current), size)] if size else [current]
        reduced = False
        for k in range(len(chunks)):
            if tests >= max_tests:
                break
            complement = [x for j, c in enumerate(chunks) if j != k for x in c]
            tests += 1
            if complement and still_fails(complement):
                current = complement
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if n >= len(current):
                break
            n = min(n * 2, len(current))
    return current
