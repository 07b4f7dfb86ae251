"""One benchmark measurement in a fresh process: `measure.py NAME JSON-ARGS` prints its numbers.

benchmarks/run.py starts this script once per measurement and repeat, so that no cache, import
or memory of one measurement is seen by the next. The last line of stdout is `RESULT {json}`:
wall seconds (time.perf_counter) of each timed phase, module imports timed apart, and the
process's peak memory read after the measurement.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = "RESULT "
Values = dict[str, Any]


class Clock:
    """Named phases, timed one after the other."""

    def __init__(self) -> None:
        self.values: Values = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.values[f"{name}_s"] = time.perf_counter() - start


def peak_mb() -> float:
    """This process's peak resident memory, in MiB.

    Linux keeps ru_maxrss across execve: a process started by a large one (run.py, which holds
    the models it generated) reports the parent's peak until it exceeds it. VmHWM belongs to the
    process's own address space, so it is read first; ru_maxrss (KiB on Linux) is the fallback.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- IDS: ifctester and bimcheck ------------------------------------------------------------


def ifctester_ids(model: str, ids: str, out: str) -> Values:
    """ifctester 0.9.0: open the model, validate the IDS, write its JSON report."""
    clock = Clock()
    with clock.phase("import"):
        import ifcopenshell
        from ifctester import ids as tester
        from ifctester import reporter
    with clock.phase("ids"):
        specification = tester.open(ids, validate=True)
    with clock.phase("open"):
        ifc = ifcopenshell.open(model)
    with clock.phase("check"):
        specification.validate(ifc)
    with clock.phase("report"):
        json_reporter = reporter.Json(specification)
        json_reporter.report()
        json_reporter.to_file(out)
    values = clock.values
    values["total_s"] = values["open_s"] + values["check_s"] + values["report_s"]
    values["specs"] = [
        [len(s.applicable_entities), len(s.failed_entities)] for s in specification.specifications
    ]
    return values


def bimcheck_ids(model: str, ids: str, out: str) -> Values:
    """bimcheck: open the model and check it (engine.run_check), write the JSON report."""
    clock = Clock()
    with clock.phase("import"):
        from bimcheck import engine
        from bimcheck.reporters import FORMATS, RenderOptions
        from bimcheck.reporters.atomic import write_atomic
        from bimcheck.results import Status
        from bimcheck.rules.loader import load_rules
    with clock.phase("ids"):
        rules = load_rules([Path(ids)], {})
    opened = _time_open_model(engine)
    with clock.phase("open_check"):
        run = engine.run_check([model], rules)
    with clock.phase("report"):
        write_atomic(out, FORMATS["json"].render(run, RenderOptions()))
    values = clock.values
    values["open_s"] = opened["seconds"]
    values["check_s"] = values.pop("open_check_s") - opened["seconds"]
    values["total_s"] = values["open_s"] + values["check_s"] + values["report_s"]
    values["specs"] = [
        [r.applicable_count, sum(1 for e in r.elements if e.status is Status.FAIL)] for r in run.requirements
    ]
    return values


def _time_open_model(engine: Any) -> dict[str, Any]:
    """Time engine.run_check's own call to open_model (the rest of run_check is checking)."""
    opened: dict[str, Any] = {"seconds": 0.0, "model": None}
    original = engine.open_model

    def timed(path: Any) -> Any:
        start = time.perf_counter()
        model = original(path)
        opened["seconds"] += time.perf_counter() - start
        opened["model"] = model
        return model

    engine.open_model = timed
    return opened


def open_ifc(model: str) -> Values:
    """ifcopenshell.open alone: what every checker pays before checking anything; then, apart,
    one pass reading each datum mixed.ids needs and deciding nothing (benchmarks/floor.py)."""
    clock = Clock()
    with clock.phase("import"):
        import ifcopenshell

        from benchmarks.floor import read_once
    with clock.phase("open"):
        ifc = ifcopenshell.open(model)
    with clock.phase("floor"):
        read_once(ifc)
    del ifc
    return clock.values


# --- the requirement library ----------------------------------------------------------------


def library(
    model: str, rules: list[str], only: list[str] | None = None, ids_out: str | None = None
) -> Values:
    """Check requirement files with run_check; time per requirement and whether it used geometry.

    A requirement is geometric when it asked the model's geometry index for anything (shapes,
    placements, values derived from shapes) while it was evaluated. With `only`, just those
    requirements are checked, and `ids_out` receives the elements whose shapes were computed
    (for the plain iterator pass that is compared with them).
    """
    clock = Clock()
    with clock.phase("import"):
        from bimcheck import engine
        from bimcheck.model import geometry
        from bimcheck.rules.loader import load_rules
    with clock.phase("rules"):
        ruleset = load_rules([Path(r) for r in rules], {})
        if only is not None:
            ruleset = ruleset.select(only)
    calls = _count_geometry_calls(geometry.GeometryIndex)
    per_requirement: list[dict[str, Any]] = []
    evaluate = engine.evaluate

    def timed_evaluate(model_: Any, requirement: Any) -> Any:
        before = calls[0]
        start = time.perf_counter()
        result = evaluate(model_, requirement)
        seconds = time.perf_counter() - start
        per_requirement.append(
            {
                "id": requirement.id,
                "seconds": seconds,
                "geometric": calls[0] > before,
                "status": result.status.value,
                "elements": len(result.elements),
            }
        )
        return result

    engine.evaluate = timed_evaluate
    opened = _time_open_model(engine)
    with clock.phase("open_check"):
        engine.run_check([model], ruleset)
    values = clock.values
    values["open_s"] = opened["seconds"]
    values["check_s"] = values.pop("open_check_s") - opened["seconds"]
    values["requirements"] = per_requirement
    values["geometric_s"] = sum(r["seconds"] for r in per_requirement if r["geometric"])
    values["non_geometric_s"] = sum(r["seconds"] for r in per_requirement if not r["geometric"])
    if ids_out is not None:
        # Bodies computed with their openings left in count as computed elements too: the
        # iterator they are compared with computes them the plain way, openings cut.
        index = opened["model"].geometry if opened["model"] is not None else None
        shapes = {**index._shapes, **index._uncut} if index is not None else {}
        ifc = opened["model"].file if opened["model"] is not None else None
        computed = [i for i in sorted(shapes) if ifc is not None and ifc.by_id(i).Representation is not None]
        Path(ids_out).write_text(json.dumps(computed), encoding="utf-8")
        values["shapes"] = len(computed)
    return values


def _count_geometry_calls(cls: Any) -> list[int]:
    """Count calls into the geometry index (benchmark-only instrumentation)."""
    calls = [0]
    for name in ("shape", "shapes", "prefetch", "derived", "placement"):
        original = getattr(cls, name)

        def counted(self: Any, *args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            calls[0] += 1
            return _original(self, *args, **kwargs)

        setattr(cls, name, counted)
    return calls


# --- geometry: bimcheck's measures and a plain iterator pass --------------------------------


def geometry_measure(model: str, measure: str, ifc_class: str, source: str, ids_out: str) -> Values:
    """One measure for every element of a class on a freshly opened model (benchmarks/geometry.py)."""
    clock = Clock()
    with clock.phase("import"):
        from benchmarks.geometry import measure_once
        from bimcheck.model.ifcmodel import open_model
    with clock.phase("open"):
        opened = open_model(model)
    seconds, computed = measure_once(opened.file, opened.info, measure, ifc_class, source)
    Path(ids_out).write_text(json.dumps(sorted(e.id() for e in computed)), encoding="utf-8")
    values = clock.values
    values["measure_s"] = seconds
    values["elements"] = len(opened.file.by_type(ifc_class))
    values["shapes"] = len(computed)
    return values


def iterator(model: str, ids_in: str) -> Values:
    """A plain multi-threaded ifcopenshell.geom iterator pass over the given elements."""
    clock = Clock()
    with clock.phase("import"):
        import ifcopenshell

        from benchmarks.geometry import iterate_once
    with clock.phase("open"):
        ifc = ifcopenshell.open(model)
    elements = [ifc.by_id(i) for i in json.loads(Path(ids_in).read_text(encoding="utf-8"))]
    values = clock.values
    values["iterate_s"] = iterate_once(ifc, elements) if elements else 0.0
    values["shapes"] = len(elements)
    return values


# --- reports --------------------------------------------------------------------------------


def make_run(model: str, rules: list[str], out: str) -> Values:
    """Not timed: check a model with floor plans and save the run as JSON, for the render runs."""
    from bimcheck.engine import run_check
    from bimcheck.reporters.atomic import write_atomic
    from bimcheck.reporters.json_report import render
    from bimcheck.results import FINDING_STATUSES
    from bimcheck.rules.loader import load_rules

    run = run_check([model], load_rules([Path(r) for r in rules], {}), plans=True)
    write_atomic(out, render(run))
    failures = sum(1 for r in run.requirements for e in r.elements if e.status in FINDING_STATUSES)
    return {"failures": failures}


def render(run_json: str, fmt: str) -> Values:
    """Render one format from a saved run; `json-stdlib` is the JSON report as written before orjson."""
    from dataclasses import replace

    clock = Clock()
    with clock.phase("import"):
        from bimcheck.reporters import FORMATS, RenderOptions
        from bimcheck.reporters.read import read_json_report
        from bimcheck.results import run_to_dict
    run = read_json_report(run_json)
    name, _, variant = fmt.partition(":")
    options = RenderOptions(bcf_group=variant == "group", bcf_version="3.0" if variant == "3.0" else "2.1")

    def action(r: Any) -> str | bytes:
        if name == "json-stdlib":
            return json.dumps(run_to_dict(r), indent=2, ensure_ascii=False) + "\n"
        return FORMATS[name].render(r, options)

    # Warm up on a few elements: template compilation and lazy imports are not rendering.
    small = replace(run, requirements=tuple(replace(r, elements=r.elements[:3]) for r in run.requirements))
    action(small)
    with clock.phase("render"):
        output = action(run)
    values = clock.values
    values["mb"] = len(output) / 1e6
    return values


# --- profile --------------------------------------------------------------------------------


def profile(model: str, rules: list[str], out: str, top: int = 25) -> Values:
    """cProfile of run_check (open + check): the functions with the largest cumulative share."""
    import cProfile
    import pstats

    from bimcheck.engine import run_check
    from bimcheck.rules.loader import load_rules

    ruleset = load_rules([Path(r) for r in rules], {})
    profiler = cProfile.Profile()
    profiler.enable()
    run_check([model], ruleset)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.dump_stats(out)
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(cumtime for (_, _, _, cumtime, _) in entries.values())
    rows = []
    for (filename, line, function), (_, calls, tottime, cumtime, _) in entries.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({function})",
                "calls": calls,
                "own_share": tottime / total,
                "cumulative_share": cumtime / total,
            }
        )
    rows.sort(key=lambda r: -r["cumulative_share"])
    own = sorted(rows, key=lambda r: -r["own_share"])
    return {"total_s": total, "cumulative": rows[:top], "own": own[:top]}


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


MEASUREMENTS: dict[str, Callable[..., Values]] = {
    f.__name__: f
    for f in (
        ifctester_ids,
        bimcheck_ids,
        open_ifc,
        library,
        geometry_measure,
        iterator,
        make_run,
        render,
        profile,
    )
}


def main(argv: list[str]) -> int:
    name, arguments = argv[1], json.loads(argv[2])
    values = MEASUREMENTS[name](**arguments)
    values["peak_mb"] = peak_mb()
    print(MARKER + json.dumps(values), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
