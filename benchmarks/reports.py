"""Time the check and every report format on the largest shared model and a large synthetic one.

Usage: .venv/bin/python benchmarks/reports.py [--walls 20000] [--work DIR] [--shared PATH]

The synthetic model (benchmarks/synthetic.py: walls with geometry and properties, 4 000 + 10 000
failures for 20 000 walls) is generated once into the work directory and reused. Each model is
checked twice: without floor plans (what console/json/xml/junit need) and with them (what html
and bcf ask for, to draw findings and aim cameras); the reports render from the run with plans.
Formats that are not registered yet are listed as such. Prints one table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere, against this checkout

from bimcheck.reporters import FORMATS, RenderOptions  # noqa: E402
from bimcheck.results import RunResult, Status  # noqa: E402

FORMAT_ORDER = ("console", "json", "xml", "html", "bcf", "junit")
# Variants that change how much a format writes: BCF grouped per requirement, and BCF 3.0.
VARIANTS = {
    "bcf": (("bcf --bcf-group", RenderOptions(bcf_group=True)), ("bcf 3.0", RenderOptions(bcf_version="3.0")))
}
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, str]:
    """Run once; wall time and this process's CPU time (the geometry iterator uses threads, so
    CPU may exceed wall; on a busy machine wall exceeds CPU)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, f"{time.perf_counter() - wall:6.2f} s ({time.process_time() - cpu:5.2f} cpu)"


def entities(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.startswith(b"#"))


def failures(run: RunResult) -> int:
    bad = (Status.FAIL, Status.NOT_EVALUABLE, Status.ERROR)
    return sum(1 for r in run.requirements for e in r.elements if e.status in bad)


def measure(model: Path, rules: list[Path]) -> dict[str, str]:
    from bimcheck.engine import run_check
    from bimcheck.rules.loader import load_rules

    ruleset = load_rules(rules, {})
    plain, check_time = timed(lambda: run_check([model], ruleset))
    planned, planned_time = timed(lambda: run_check([model], ruleset, plans=True))
    cells = {
        "entities": f"{entities(model):,}",
        "failing elements": f"{failures(plain):,}",
        "check": check_time,
        "check with floor plans": planned_time,
    }
    for name in FORMAT_ORDER:
        if name not in FORMATS:
            cells[name] = "not registered"
            continue
        for label, options in ((name, RenderOptions()), *VARIANTS.get(name, ())):
            render = FORMATS[name].render
            output, seconds = timed(lambda render=render, options=options: render(planned, options))
            cells[label] = f"{seconds} {len(output) / 1e6:6.1f} MB"
    return cells


def machine() -> str:
    cpu = platform.machine()
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}"


def warm_up() -> None:
    """Import every format's modules (jinja2, lxml, …) so the timings are of rendering alone."""
    from tests.sample_run import sample_run

    for fmt in FORMATS.values():
        fmt.render(sample_run(), RenderOptions())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walls", type=int, default=20000, help="walls in the synthetic model")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bimcheck-bench")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args(argv)

    from benchmarks import synthetic

    synthetic_model = args.work / f"synthetic-{args.walls}.ifc"
    if not synthetic_model.exists():
        print(f"generating {synthetic_model} …", file=sys.stderr)
        synthetic.main([str(args.work), "--walls", str(args.walls)])
    (args.work / "synthetic.ids").write_text(synthetic.IDS, encoding="utf-8")

    shared_models = sorted((args.shared / "models").glob("*.ifc"), key=lambda p: p.stat().st_size)
    columns: list[tuple[str, Path, list[Path]]] = []
    if shared_models:
        largest = shared_models[-1]
        columns.append((largest.name, largest, [ROOT / "requirements"]))
    else:
        print(
            f"no shared models under {args.shared}/models: only the synthetic model is timed", file=sys.stderr
        )
    columns.append((synthetic_model.name, synthetic_model, [args.work / "synthetic.ids"]))

    warm_up()
    results = []
    for title, model, rules in columns:
        print(f"checking {title} …", file=sys.stderr)
        results.append((title, measure(model, rules)))

    rows = list(results[0][1])
    width = max(len(r) for r in rows)
    cell = max(len(c) for _, cells in results for c in [*cells.values(), ""]) + 2
    cell = max(cell, *(len(t) + 2 for t, _ in results))
    print(f"{'':{width}}  " + "".join(f"{t:>{cell}}" for t, _ in results))
    for row in rows:
        print(f"{row:{width}}  " + "".join(f"{cells.get(row, ''):>{cell}}" for _, cells in results))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{machine()}; Python {platform.python_version()}; load average at the end {load}")
    print("Rules: the requirement library for the shared model, synthetic.ids for the synthetic one.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
