"""Batch: check many models against one rule set in parallel, a report per model and a summary."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pickle
import signal
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bimcheck import __version__
from bimcheck.errors import BimcheckError, InputError, OutputError
from bimcheck.reporters import FORMATS, RenderOptions
from bimcheck.rules.requirement import RuleSet

SUMMARY_NAME = "summary.json"
STATE_DIR = ".bimcheck-batch"  # one small record per finished model: what --resume trusts
MODEL_SUFFIXES = (".ifc",)
SUMMARY_VERSION = "1"

# Results a model can have in the summary; "not_run" is what an interrupted batch never reached.
RESULT_BY_EXIT = {0: "pass", 1: "fail", 2: "error", 3: "empty"}


@dataclass(frozen=True, slots=True)
class ModelTask:
    """What a worker needs to check one model; small and picklable (the rules travel separately)."""

    index: int
    path: str  # as the user gave it: reports record this, exactly as `bimcheck check` would
    location: str  # absolute path the worker opens (a Dask worker has another working directory)
    stem: str
    formats: tuple[str, ...]
    options: RenderOptions
    fail_on: str
    plans: bool
    version: str = __version__
    timeout: float | None = None  # per model (--timeout): a runaway model must not stall the batch


@dataclass(frozen=True, slots=True)
class ModelOutcome:
    """What checking one model gave: its rendered reports, or the one-line reason it could not be checked."""

    path: str
    exit_code: int  # what `bimcheck check` would have exited with; 2 when it could not be checked
    seconds: float
    counts: Mapping[str, int] = field(default_factory=dict)
    sha256: str | None = None
    error: str | None = None
    reports: Mapping[str, bytes] = field(default_factory=dict)  # format name → file content
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The models to check, where each report goes, and the settings every report depends on."""

    tasks: tuple[ModelTask, ...]
    out: Path
    formats: tuple[str, ...]
    file_names: Mapping[str, str]  # format name → file name suffix, e.g. junit → .junit.xml
    fail_on: str
    options: RenderOptions
    settings: str  # digest of everything besides the model that a report depends on

    def report_names(self, task: ModelTask) -> dict[str, str]:
        return {f: task.stem + self.file_names[f] for f in self.formats}


@dataclass(slots=True)
class BatchSummary:
    """The outcome of a batch: an entry per model in the plan's order, and what the batch exits with."""

    plan: BatchPlan
    rules: RuleSet
    outcomes: dict[int, ModelOutcome]
    wall_seconds: float = 0.0
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        """2 when a model could not be checked, 1 when one failed, 3 when none was evaluated, else 0."""
        codes = {o.exit_code for o in self.outcomes.values()}
        if 2 in codes:
            return 2
        if 1 in codes:
            return 1
        if not codes or codes == {3}:
            return 3
        return 0

    def entries(self) -> list[dict[str, Any]]:
        return [self._entry(task) for task in self.plan.tasks]

    def _entry(self, task: ModelTask) -> dict[str, Any]:
        outcome = self.outcomes.get(task.index)
        names = self.plan.report_names(task)
        if outcome is None:
            return {"model": task.path, "result": "not_run", "reports": {}, "exit_code": None}
        return {
            "model": task.path,
            "result": RESULT_BY_EXIT.get(outcome.exit_code, "error"),
            "exit_code": outcome.exit_code,
            "reports": {} if outcome.error else names,
            "counts": dict(outcome.counts),
            "seconds": round(outcome.seconds, 3),
            "sha256": outcome.sha256,
            "error": outcome.error,
            "resumed": outcome.resumed,
        }

    def totals(self) -> dict[str, Any]:
        entries = self.entries()
        tally = dict.fromkeys((*RESULT_BY_EXIT.values(), "not_run"), 0)
        for entry in entries:
            tally[entry["result"]] += 1
        return {
            "models": len(entries),
            **tally,
            "resumed": sum(1 for o in self.outcomes.values() if o.resumed),
            "seconds": round(sum(o.seconds for o in self.outcomes.values() if not o.resumed), 3),
            "wall_seconds": round(self.wall_seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        from bimcheck.engine import tool_info, utc_now

        tool = tool_info()
        return {
            "bimcheck_batch": SUMMARY_VERSION,
            "tool": {"name": tool.name, "version": tool.version, "ifcopenshell": tool.ifcopenshell},
            "created": utc_now(),
            "complete": not self.interrupted and len(self.outcomes) == len(self.plan.tasks),
            "exit_code": None if self.interrupted else self.exit_code,
            "fail_on": self.plan.fail_on,
            "formats": list(self.plan.formats),
            "rules": [{"path": s.path, "sha256": s.sha256, "format": s.format} for s in self.rules.sources],
            "parameters": dict(sorted(self.rules.parameters.items())),
            "requirements": len(self.rules.requirements),
            "settings": self.plan.settings,
            "totals": self.totals(),
            "models": self.entries(),
        }


# Called after each model: (its outcome, models done, models in the batch).
Progress = Callable[[ModelOutcome, int, int], None]
# The per-model function: module level, so that pool and Dask workers can import it by name.
CheckFunction = Callable[[ModelTask, RuleSet], ModelOutcome]


# --- planning ------------------------------------------------------------------------------


def discover_models(inputs: Sequence[str | Path]) -> list[Path]:
    """Files as given, directories searched for *.ifc (sorted); the same file once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in MODEL_SUFFIXES and p.is_file()
            )
        elif path.exists():
            candidates = [path]
        else:
            raise InputError(path, "model file or directory does not exist")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def report_stems(models: Sequence[Path]) -> list[str]:
    """A distinct, deterministic file stem per model: its own stem unless another model shares it.

    Models whose stems collide (compared case-insensitively: macOS and Windows file systems are)
    are named by their path below the folder they have in common, e.g. `a__house` and `b__house`.
    """
    stems = [m.stem for m in models]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, stem in enumerate(stems):
        groups[stem.casefold()].append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        resolved = [models[i].resolve() for i in members]
        common = Path(os.path.commonpath([p.parent for p in resolved]))
        for i, path in zip(members, resolved, strict=True):
            stems[i] = "__".join(path.relative_to(common).with_suffix("").parts)
    # The summary's own name is taken; anything still equal gets a hash of its path.
    taken = {Path(SUMMARY_NAME).stem}
    out = []
    for model, stem in zip(models, stems, strict=True):
        if stem.casefold() in taken:
            stem = f"{stem}-{hashlib.sha256(str(model.resolve()).encode()).hexdigest()[:8]}"
        taken.add(stem.casefold())
        out.append(stem)
    return out


def file_suffixes(formats: Sequence[str] = ()) -> dict[str, str]:
    """Each format's file suffix; a format whose suffix an earlier one has gets its name in front."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name, fmt in FORMATS.items():
        out[name] = fmt.suffix if fmt.suffix not in used else f".{name}{fmt.suffix}"
        used.add(fmt.suffix)
    return {f: out[f] for f in formats} if formats else out


def plan_batch(
    inputs: Sequence[str | Path],
    rule_paths: Sequence[str | Path],
    rules: RuleSet,
    out: str | Path,
    formats: Sequence[str],
    *,
    fail_on: str = "mandatory",
    options: RenderOptions | None = None,
    timeout: float | None = None,
) -> BatchPlan:
    """Find the models, name their reports, and refuse an output directory that would overwrite an input."""
    from bimcheck.reporters import needs_plans
    from bimcheck.rules.loader import rule_files

    options = replace(options or RenderOptions(), color=False, fail_on=fail_on)
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats))
    for name in chosen:
        if ":" in name:
            raise InputError(None, f"--format {name!r}: give a format only; reports go to --out")
        if name not in FORMATS:
            raise InputError(None, f"--format {name!r}: choose from {', '.join(FORMATS)}")
    out_dir = Path(out)
    models = discover_models(inputs)
    stems = report_stems(models)
    plans = needs_plans(list(chosen))
    tasks = tuple(
        ModelTask(i, str(m), str(m.resolve()), s, chosen, options, fail_on, plans, timeout=timeout)
        for i, (m, s) in enumerate(zip(models, stems, strict=True))
    )
    plan = BatchPlan(
        tasks=tasks,
        out=out_dir,
        formats=chosen,
        file_names=file_suffixes(chosen),
        fail_on=fail_on,
        options=options,
        settings=settings_digest(rules, chosen, options, fail_on, timeout),
    )
    _refuse_overwriting_inputs(plan, models, rule_paths, rule_files(rule_paths))
    return plan


def settings_digest(
    rules: RuleSet, formats: Sequence[str], options: RenderOptions, fail_on: str, timeout: float | None = None
) -> str:
    """SHA-256 of what, besides the model, a batch report depends on (for --resume)."""
    import ifcopenshell

    settings: dict[str, object] = {
        "bimcheck": __version__,
        "ifcopenshell": ifcopenshell.version,
        "rules": [[s.path, s.sha256] for s in rules.sources],
        "parameters": dict(sorted(rules.parameters.items())),
        "requirements": [r.id for r in rules.requirements],  # after --only/--skip
        "formats": sorted(formats),
        "fail_on": fail_on,
        "options": [options.lang, options.bcf_group, options.bcf_version],
    }
    if timeout is not None:  # a model stopped by the budget may finish under another one
        settings["timeout"] = timeout
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _refuse_overwriting_inputs(
    plan: BatchPlan, models: Sequence[Path], rule_args: Sequence[str | Path], rule_paths: Sequence[Path]
) -> None:
    out = plan.out
    if out.exists() and not out.is_dir():
        raise OutputError(out, "--out must be a directory, and this is a file")
    resolved_out = out.resolve()
    for arg in map(Path, rule_args):
        # Reports (.xml) written inside a requirement directory would be read as rules next time.
        if arg.is_dir() and resolved_out.is_relative_to(arg.resolve()):
            raise OutputError(out, f"--out is inside the requirement directory {arg}: choose another")
    inputs = [*models, *rule_paths]
    written = [out / SUMMARY_NAME]
    for task in plan.tasks:
        written += [out / n for n in plan.report_names(task).values()]
        written.append(out / STATE_DIR / f"{task.stem}.json")
    for target in written:
        if not target.exists():
            continue  # an input exists, so a file that does not cannot be one
        for source in inputs:
            if os.path.samefile(target, source):
                raise OutputError(
                    target, f"the batch would overwrite its input {source}: choose another --out"
                )


# --- one model (runs in a worker) --------------------------------------------------------------


def check_model_task(task: ModelTask, rules: RuleSet) -> ModelOutcome:
    """Check one model and render its reports; a bad model becomes an outcome, not an exception."""
    from bimcheck.engine import run_check
    from bimcheck.results import exit_code

    started = time.perf_counter()
    if task.version != __version__:
        return _failed(
            task, f"the worker runs bimcheck {__version__}, the batch was started by {task.version}"
        )
    try:
        run = run_check([task.location], rules, None, plans=task.plans, timeout=task.timeout)
        if task.location != task.path:
            run = replace(run, models=tuple(replace(m, path=task.path) for m in run.models))
        reports = {}
        for name in task.formats:
            data = FORMATS[name].render(run, task.options)
            reports[name] = data.encode("utf-8") if isinstance(data, str) else data
    except BimcheckError as exc:
        # The worker opened the absolute path; the summary names the model as the user did.
        message = exc.one_line().replace(task.location, task.path, 1)
        return _failed(task, message, time.perf_counter() - started)
    except Exception as exc:  # one model's tool failure must not end the batch
        return _failed(task, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - started)
    return ModelOutcome(
        path=task.path,
        exit_code=exit_code(run, task.fail_on),
        seconds=time.perf_counter() - started,
        counts={k: v for k, v in run.summary.items() if v},
        sha256=run.models[0].sha256 if run.models else None,
        reports=reports,
    )


def _failed(task: ModelTask, message: str, seconds: float = 0.0) -> ModelOutcome:
    if not message.startswith(task.path):
        message = f"{task.path}: {message}"
    return ModelOutcome(path=task.path, exit_code=2, seconds=seconds, error=" ".join(message.split()))


# --- running -----------------------------------------------------------------------------------


def run_batch(
    plan: BatchPlan,
    rules: RuleSet,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    check: CheckFunction = check_model_task,
    connect_timeout: float = 30.0,
) -> BatchSummary:
    """Check every model of `plan`; reports are written as each model finishes.

    An interruption (Ctrl-C, SIGTERM through `stop_on_sigterm`) ends the batch with the
    finished reports kept and `interrupted` set; `resume` skips models whose reports and
    recorded inputs are unchanged since they were written.
    """
    started = time.perf_counter()
    summary = BatchSummary(plan, rules, {})
    total = len(plan.tasks)
    todo = []
    for task in plan.tasks:
        earlier = _resumable(plan, task) if resume else None
        if earlier is None:
            todo.append(task)
            continue
        summary.outcomes[task.index] = earlier
        if progress is not None:
            progress(earlier, len(summary.outcomes), total)
    _remove_stale_temporaries(plan)
    # Say up front that the batch is under way: a batch killed outright leaves an honest summary.
    with _uninterrupted():
        write_summary(summary)
    outcomes: Iterator[tuple[ModelTask, ModelOutcome]]
    if not todo:
        outcomes = iter(())
    elif scheduler:
        outcomes = _run_dask(todo, rules, scheduler, check, connect_timeout)
    else:
        workers = min(jobs or default_jobs(), len(todo))
        outcomes = _run_serial(todo, rules, check) if workers == 1 else _run_pool(todo, rules, workers, check)
    try:
        for task, outcome in outcomes:
            with _uninterrupted():
                summary.outcomes[task.index] = _store(plan, task, outcome)
            if progress is not None:
                progress(outcome, len(summary.outcomes), total)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()  # stop the workers before the summary is written
        summary.wall_seconds = time.perf_counter() - started
        with _uninterrupted(raise_after=False):  # the batch is over either way
            write_summary(summary)
    return summary


def default_jobs() -> int:
    """The cores this process may use (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def write_summary(summary: BatchSummary) -> None:
    from bimcheck.reporters.atomic import write_atomic

    text = json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n"
    write_atomic(summary.plan.out / SUMMARY_NAME, text)


def _store(plan: BatchPlan, task: ModelTask, outcome: ModelOutcome) -> ModelOutcome:
    """Write a model's reports, then its record; the record last, so --resume trusts only whole sets."""
    from bimcheck.reporters.atomic import write_atomic

    record_path = plan.out / STATE_DIR / f"{task.stem}.json"
    names = plan.report_names(task)
    if outcome.error is not None:
        # Reports left from an earlier run of this model would look like its current ones.
        for path in (record_path, *(plan.out / n for n in names.values())):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return outcome
    hashes = {}
    for fmt, name in names.items():
        data = outcome.reports[fmt]
        write_atomic(plan.out / name, data)
        hashes[name] = hashlib.sha256(data).hexdigest()
    kept = replace(outcome, reports={})  # the bytes are on disk; do not hold every report in memory
    record = {
        "model": task.path,
        "sha256": outcome.sha256,
        "settings": plan.settings,
        "reports": hashes,
        "outcome": {
            "exit_code": kept.exit_code,
            "seconds": kept.seconds,
            "counts": dict(kept.counts),
        },
    }
    write_atomic(record_path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return kept


def _resumable(plan: BatchPlan, task: ModelTask) -> ModelOutcome | None:
    """The recorded outcome when the reports exist and the model, rules and settings are unchanged."""
    try:
        record = json.loads((plan.out / STATE_DIR / f"{task.stem}.json").read_text(encoding="utf-8"))
        if record["model"] != task.path or record["settings"] != plan.settings:
            return None
        if set(record["reports"]) != set(plan.report_names(task).values()):
            return None
        for name, digest in record["reports"].items():
            if _sha256(plan.out / name) != digest:
                return None
        if _sha256(Path(task.location)) != record["sha256"]:
            return None  # hashed last: models are the large files
        done = record["outcome"]
        return ModelOutcome(
            path=task.path,
            exit_code=int(done["exit_code"]),
            seconds=float(done["seconds"]),
            counts={str(k): int(v) for k, v in done["counts"].items()},
            sha256=str(record["sha256"]),
            resumed=True,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no record, or one that is not ours: check the model again


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _uninterrupted(*, raise_after: bool = True) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until a model's reports and record are all written.

    An interruption between two files would leave a report without its record (checked again
    next time: harmless) or a temporary file behind (clutter); holding it for the few
    milliseconds of writing makes each model's output a unit.
    """
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    try:
        previous = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals are not ours to hold
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received and raise_after:
        raise KeyboardInterrupt


def _remove_stale_temporaries(plan: BatchPlan) -> None:
    """Temporary files a batch killed outright (SIGKILL) left while writing this plan's outputs."""
    names = [SUMMARY_NAME, *(n for t in plan.tasks for n in plan.report_names(t).values())]
    places = [(plan.out, n) for n in names]
    places += [(plan.out / STATE_DIR, f"{t.stem}.json") for t in plan.tasks]
    for folder, name in places:
        # write_atomic names its temporary files `.NAME.<random>.tmp` beside the target.
        for stale in folder.glob(f".{glob.escape(name)}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while a batch runs, so a killed batch still writes its summary."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- executors -----------------------------------------------------------------------------------

_WORKER_RULES: RuleSet | None = None


def _init_worker(rules_blob: bytes, geometry_threads: int) -> None:
    """Pool worker start-up: the rules are unpickled here, once per worker, not once per model."""
    global _WORKER_RULES
    os.environ["BIMCHECK_GEOMETRY_THREADS"] = str(geometry_threads)
    # Ctrl-C reaches the whole process group; the parent alone decides what an interruption stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_RULES = pickle.loads(rules_blob)


def _pool_entry(check: CheckFunction, task: ModelTask) -> ModelOutcome:
    assert _WORKER_RULES is not None, "pool worker started without its rules"
    return check(task, _WORKER_RULES)


def _run_serial(
    tasks: Sequence[ModelTask], rules: RuleSet, check: CheckFunction
) -> Iterator[tuple[ModelTask, ModelOutcome]]:
    # One job needs no other process: no start-up cost, and Ctrl-C lands here directly.
    for task in tasks:
        yield task, check(task, rules)


def _run_pool(
    tasks: Sequence[ModelTask], rules: RuleSet, jobs: int, check: CheckFunction
) -> Iterator[tuple[ModelTask, ModelOutcome]]:
    """A process pool, one model per worker at a time.

    A worker that dies (a crash in the IFC library) breaks the whole pool and every model in
    flight with it; those are re-run one at a time in a fresh one-worker pool, so only the
    model that kills its worker again gets the error.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    blob = pickle.dumps(rules)
    # spawn, not fork: the parent may have threads (the progress bar), and fork copies their locks.
    context = multiprocessing.get_context("spawn")
    queue = deque(tasks)
    suspects: deque[ModelTask] = deque()
    while queue or suspects:
        isolated = bool(suspects)
        source = suspects if isolated else queue
        workers = 1 if isolated else min(jobs, len(source))
        # The workers share the cores: each gets its part for the geometry kernel's threads.
        share = max(1, (os.cpu_count() or 1) // workers)
        executor = ProcessPoolExecutor(workers, context, initializer=_init_worker, initargs=(blob, share))
        running: dict[Future[ModelOutcome], ModelTask] = {}
        broken = False
        try:
            while (source or running) and not broken:
                # No more in flight than workers: when a worker dies, we know who was running.
                while source and len(running) < workers:
                    task = source.popleft()
                    try:
                        running[executor.submit(_pool_entry, check, task)] = task
                    except BrokenProcessPool:  # a worker died since the last wait: the task never ran
                        source.appendleft(task)
                        broken = True
                        break
                if broken:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if isolated:
                            yield task, _failed(task, "the worker process died while checking this model")
                        else:
                            suspects.append(task)
                        continue
                    except Exception as exc:  # e.g. a result that could not be sent back
                        outcome = _failed(task, f"internal error: {type(exc).__name__}: {exc}")
                    yield task, outcome
            if broken:
                for future, task in running.items():
                    finished = future.done() and future.exception() is None
                    if finished:
                        yield task, future.result()
                    else:
                        suspects.append(task)
                running.clear()
        finally:
            _stop_pool(executor, kill=bool(running) or broken)


def _stop_pool(executor: Any, *, kill: bool) -> None:
    if kill:
        # ProcessPoolExecutor has no public way to stop a running task; its processes are
        # the only handle on a worker that is in the middle of a large model.
        for process in list(getattr(executor, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)


def _dask_entry(check: CheckFunction, task: ModelTask, rules: RuleSet) -> ModelOutcome:
    return check(task, rules)


def _run_dask(
    tasks: Sequence[ModelTask], rules: RuleSet, address: str, check: CheckFunction, timeout: float
) -> Iterator[tuple[ModelTask, ModelOutcome]]:
    """Submit every model to a Dask cluster; workers open the models at their absolute paths.

    The rules are loaded here once and scattered to every worker (a Dask worker keeps them
    deserialised), so workers need the models on a shared file system but not the rule files,
    and every model is checked against exactly the rule content this process hashed.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(
            None, "--scheduler needs Dask: pip install 'bimcheck[cluster]' (dask[distributed])"
        ) from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(None, f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    futures: dict[Any, ModelTask] = {}
    try:
        try:
            client.wait_for_workers(1, timeout=2 * timeout)
        except TimeoutError:
            raise InputError(None, f"the Dask scheduler at {address} has no workers") from None
        shared_rules = client.scatter(rules, broadcast=True, hash=False)
        for task in tasks:
            future = client.submit(_dask_entry, check, task, shared_rules, pure=False, retries=0)
            futures[future] = task
        for future in as_completed(list(futures)):
            task = futures.pop(future)
            if future.status == "finished":
                yield task, future.result()
            elif future.status == "error":
                yield task, _failed(task, _dask_problem(future.exception()))
            else:
                yield task, _failed(task, f"the Dask task ended as {future.status!r}")
            future.release()
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(futures), force=True)
        client.close()


def _dask_problem(exc: BaseException | None) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return "the Dask worker process died while checking this model"
    return f"internal error on the Dask worker: {name}: {exc}"
