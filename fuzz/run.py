"""The fuzzing campaign: iterations → mutants → CLI runs → outcomes; crashes minimised and saved.

    python -m fuzz.run --iterations 5000 --seed 1 --jobs 2      # `make fuzz`
    python -m fuzz.run --seed 1 --replay 1234                   # one iteration again, verbosely

Iteration i of seed s draws everything from `random.Random(f"{s}:{i}")`: which seed input,
which mutations, which reports; so any iteration can be rebuilt alone, whatever ran before.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz.corpus import Case, Seed, seeds
from fuzz.harness import Outcome, Worker, ddmin, serve
from fuzz.mutate import mutate

MINIMISE_SECONDS = float(os.environ.get("FUZZ_MINIMISE_SECONDS", "300"))
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "out" / "fuzz"


@dataclass(frozen=True, slots=True)
class Iteration:
    index: int
    seed: Seed
    steps: tuple[str, ...]
    data: bytes
    case: Case


@dataclass
class Crash:
    signature: str
    first: Iteration
    outcome: Outcome
    count: int = 1
    saved: Path | None = None


@dataclass
class Summary:
    iterations: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_seed: Counter[str] = field(default_factory=Counter)
    contained: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, Crash] = field(default_factory=dict)

    def report(self) -> str:
        lines = [
            f"fuzz: {self.iterations} iterations in {self.seconds:.0f} s",
            "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
            "inputs: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())),
        ]
        if self.contained:
            lines.append(f"contained by the engine (an element or requirement reported as error): "
                         f"{sum(self.contained.values())} run(s)")  # fmt: skip
            lines += [f"  {n}× {text}" for text, n in self.contained.most_common(10)]
        lines.append(
            f"crashes: {len(self.crashes)} distinct, {sum(c.count for c in self.crashes.values())} runs"
        )
        for crash in self.crashes.values():
            where = f" -> {crash.saved}" if crash.saved else ""
            lines.append(f"  [{crash.count}×] {crash.signature}: {crash.outcome.detail}{where}")
            lines.append(f"      first: iteration {crash.first.index}, {crash.first.seed.name}, "
                         f"{'; '.join(crash.first.steps)}")  # fmt: skip
        return "\n".join(lines)


def build_iteration(index: int, fuzz_seed: int, corpus: list[Seed], workspace: Path) -> Iteration:
    rng = random.Random(f"{fuzz_seed}:{index}")
    seed = rng.choices(corpus, [s.weight for s in corpus])[0]
    mutant = mutate(seed.kind, seed.data, rng)
    home = seed.home or workspace / "inputs"
    home.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_-]", "", seed.path.stem)[:24]
    path = home / f"it{index:06d}-{stem}{seed.suffix}"
    path.write_bytes(mutant.data)
    case = seed.case(path, workspace / "out" / f"it{index:06d}", rng)
    return Iteration(index, seed, mutant.steps, mutant.data, case)


def _cleanup(iteration: Iteration) -> None:
    Path(iteration.case.mutated).unlink(missing_ok=True)
    shutil.rmtree(iteration.case.out_dir, ignore_errors=True)


def campaign(
    iterations: int,
    fuzz_seed: int,
    *,
    jobs: int = 1,
    budget: float = 60.0,
    out: Path = DEFAULT_OUT,
    minimise: bool = True,
    start: int = 0,
    progress: bool = False,
    target: Callable[[Any], None] = serve,
) -> Summary:
    """Run `iterations` iterations from `start`; crashes are saved under `out`/crashes.

    `target` is the workers' loop: the tests give one with a bug planted in bimcheck, to show
    that a crash is seen, saved and minimised."""
    summary = Summary()
    began = time.monotonic()
    workspace = Path(tempfile.mkdtemp(prefix="bimcheck-fuzz-"))
    try:
        corpus = seeds(workspace)
        todo: queue.Queue[int] = queue.Queue()
        for i in range(start, start + iterations):
            todo.put(i)
        lock = threading.Lock()
        workers = [Worker(target) for _ in range(max(1, jobs))]

        def drain(worker: Worker) -> None:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                with lock:  # mutations are cheap; building seeds and files stays in one thread
                    iteration = build_iteration(index, fuzz_seed, corpus, workspace)
                outcome = worker.run(iteration.case, budget)
                with lock:
                    _record(summary, iteration, outcome)
                    if progress and outcome.crashed and summary.crashes[outcome.signature].count == 1:
                        what = f"{iteration.seed.name}: {'; '.join(iteration.steps)}"
                        where = f"new crash {outcome.signature} at iteration {index}"
                        print(f"fuzz: {where} ({what}): {outcome.detail}", file=sys.stderr)
                    if progress and summary.iterations % 100 == 0:
                        crashes = sum(c.count for c in summary.crashes.values())
                        print(
                            f"fuzz: {summary.iterations}/{iterations}, {crashes} crash(es)", file=sys.stderr
                        )
                if not outcome.crashed:
                    _cleanup(iteration)

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for crash in summary.crashes.values():
            crash.saved = save_crash(crash, fuzz_seed, out, workers[0] if minimise else None, budget)
        for w in workers:
            w.close()
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    summary.seconds = time.monotonic() - began
    return summary


def _record(summary: Summary, iteration: Iteration, outcome: Outcome) -> None:
    summary.iterations += 1
    summary.outcomes[outcome.kind if not outcome.crashed else f"CRASH:{outcome.kind}"] += 1
    summary.by_kind[iteration.seed.kind] += 1
    summary.by_seed[iteration.seed.name] += 1
    for text in outcome.contained:
        summary.contained[text] += 1
    if outcome.crashed:
        known = summary.crashes.get(outcome.signature)
        if known is None:
            summary.crashes[outcome.signature] = Crash(outcome.signature, iteration, outcome)
        else:
            known.count += 1
            if iteration.index < known.first.index:
                known.first, known.outcome = iteration, outcome


def _with_input(case: Case, path: Path) -> Case:
    old = case.mutated
    args = tuple(a.replace(old, str(path)) for a in case.args)
    names = (path.name, *case.names[1:])
    return Case(args, str(path), case.outputs, names, case.out_dir)


def minimise(
    crash: Crash, worker: Worker, budget: float, max_tests: int = 300, max_seconds: float = MINIMISE_SECONDS
) -> bytes:
    """The smallest input (by lines) ddmin finds that gives the same crash signature."""
    first = crash.first
    mutated = Path(first.case.mutated)
    probe = mutated.with_name(f"min-{mutated.name}")
    # A crash that kills the worker costs a new worker (an interpreter and bimcheck's imports)
    # per probe: time, not only the number of probes, bounds the search.
    deadline = time.monotonic() + max_seconds

    def still_fails(lines: list[bytes]) -> bool:
        if time.monotonic() > deadline:
            return False  # no further reduction: ddmin ends with what it has
        probe.write_bytes(b"".join(lines))
        shutil.rmtree(first.case.out_dir, ignore_errors=True)
        outcome = worker.run(_with_input(first.case, probe), budget)
        return outcome.crashed and outcome.signature == crash.signature

    lines = first.data.splitlines(keepends=True)
    if crash.outcome.kind == "hang" or not still_fails(lines):
        return first.data  # not reproducible alone (or too slow to shrink): keep it whole
    # Lines first (cheap, and most inputs are line-structured), then what is left in tokens:
    # a crash that one long line holds shrinks to the part of the line that matters.
    smallest = b"".join(ddmin(lines, still_fails, max_tests))
    tokens = [t for t in _TOKEN.split(smallest) if t]
    smallest = b"".join(ddmin(tokens, still_fails, max_tests))
    probe.unlink(missing_ok=True)
    return smallest


# Split after a delimiter of any of the three syntaxes, keeping every byte.
_TOKEN = re.compile(rb"(?<=[\s,;()\[\]{}<>])")


def save_crash(crash: Crash, fuzz_seed: int, out: Path, worker: Worker | None, budget: float) -> Path:
    """`out`/crashes/<signature>/: the input as found, minimised, and how to reproduce it."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", crash.signature)[:80]
    digest = hashlib.sha1(crash.signature.encode()).hexdigest()[:8]
    folder = out / "crashes" / f"{slug}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    first = crash.first
    suffix = first.seed.suffix
    (folder / f"input{suffix}").write_bytes(first.data)
    smallest = minimise(crash, worker, budget) if worker is not None else first.data
    (folder / f"minimised{suffix}").write_bytes(smallest)
    meta = {
        "signature": crash.signature,
        "kind": crash.outcome.kind,
        "detail": crash.outcome.detail,
        "count": crash.count,
        "fuzz_seed": fuzz_seed,
        "iteration": first.index,
        "seed": first.seed.name,
        "seed_file": str(first.seed.path),
        "mutations": list(first.steps),
        "args": [a.replace(first.case.mutated, f"<input{suffix}>") for a in first.case.args],
        "input_bytes": len(first.data),
        "minimised_bytes": len(smallest),
        "traceback": crash.outcome.trace,
        "replay": f"python -m fuzz.run --seed {fuzz_seed} --replay {first.index}",
    }
    (folder / "crash.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return folder


def replay(
    index: int,
    fuzz_seed: int,
    budget: float,
    out: Path | None = None,
    target: Callable[[Any], None] = serve,
) -> Outcome:
    """Run one iteration again and print what it did and how it ended; a crash is minimised
    and saved under `out` when given."""
    workspace = Path(tempfile.mkdtemp(prefix="bimcheck-fuzz-"))
    worker = Worker(target)
    try:
        iteration = build_iteration(index, fuzz_seed, seeds(workspace), workspace)
        print(f"iteration {index}: {iteration.seed.name}: {'; '.join(iteration.steps)}")
        print("args:", " ".join(iteration.case.args))
        outcome = worker.run(iteration.case, budget)
        print(f"{outcome.verdict} {outcome.kind}: {outcome.detail}")
        if outcome.trace:
            print(outcome.trace)
        if outcome.crashed and out is not None:
            saved = save_crash(Crash(outcome.signature, iteration, outcome), fuzz_seed, out, worker, budget)
            print(f"saved to {saved}")
        return outcome
    finally:
        worker.close()
        shutil.rmtree(workspace, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=int(os.environ.get("FUZZ_ITERATIONS", "1000")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "1")))
    parser.add_argument("--start", type=int, default=0, help="first iteration (to split a long run)")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("FUZZ_JOBS", "2")))
    parser.add_argument("--budget", type=float, default=float(os.environ.get("FUZZ_BUDGET", "60")))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("FUZZ_OUT", DEFAULT_OUT)))
    parser.add_argument("--no-minimise", action="store_true")
    parser.add_argument("--replay", type=int, metavar="ITERATION", help="run one iteration again")
    parser.add_argument("--save", action="store_true", help="with --replay: minimise and save a crash")
    args = parser.parse_args(argv)
    if args.replay is not None:
        outcome = replay(args.replay, args.seed, args.budget, args.out if args.save else None)
        return 1 if outcome.crashed else 0
    summary = campaign(
        args.iterations,
        args.seed,
        jobs=args.jobs,
        budget=args.budget,
        out=args.out,
        minimise=not args.no_minimise,
        start=args.start,
        progress=True,
    )
    report = f"fuzz seed {args.seed}, iterations {args.start}-{args.start + args.iterations - 1}\n"
    report += summary.report()
    args.out.mkdir(parents=True, exist_ok=True)
    written = args.out / f"summary-seed{args.seed}-from{args.start}.txt"
    written.write_text(report + "\n", "utf-8")
    print(report)
    print(f"summary written to {written}")
    return 1 if summary.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
