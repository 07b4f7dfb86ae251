"""The benchmark suite in one command: generate the models, measure everything, write the table.

Usage: .venv/bin/python benchmarks/run.py [--smoke] [--repeat K] [--only SECTION ...]
                                          [--out DIR] [--work DIR] [--shared DIR] [--jobs N]

`make bench` runs the full suite (about twenty minutes on two cores); `make bench-smoke` runs every
measurement once on tiny models, in seconds, to show that each path still works (CI runs it
through tests/test_benchmarks_smoke.py and never reads its times). Each measurement runs in
a fresh process (benchmarks/measure.py), K times, alternating between the tools compared, and
the best (smallest) value is kept: other work on the machine only ever makes a run slower.
The table goes to stdout and, with the numbers behind it, to DIR (default benchmarks/results/)
as <suite>-<time>.md and .json, and latest-<suite>.md and .json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generators, measure  # noqa: E402

HERE = ROOT / "benchmarks"
MIXED_IDS = HERE / "mixed.ids"
LIBRARY = sorted((ROOT / "requirements").glob("*.yaml"))
HOUSING = [
    ROOT / "requirements" / "se-housing-information.yaml",
    ROOT / "requirements" / "se-housing-function.yaml",
]
DEFAULT_SHARED = ROOT.parent / "shared"
SECTIONS = ("ids", "library", "geometry", "scaling", "reports", "profile")
# Report formats timed: the three, then the others for comparison.
FORMATS = ("html", "xml", "bcf", "bcf:group", "bcf:3.0", "json", "json-stdlib", "console", "junit")
TARGET_FORMATS = ("html", "xml", "bcf")
# Geometric measures timed on their own against the iterator (benchmarks/geometry.py).
MEASURES = (
    ("net_floor_area", "IfcSpace", "geometry"),
    ("largest_free_circle", "IfcSpace", "geometry"),
    ("door_free_depth", "IfcDoor", "geometry"),
)


@dataclass(frozen=True)
class Suite:
    """Sizes of one run of the suite."""

    name: str
    storeys: int  # of every apartment block
    sections: tuple[int, ...]  # scaling: blocks of 1×, 2×, … sections; the last is the large block
    walls: int  # the plain wall model
    report_walls: int  # the wall model whose check has the failures the reports render
    repeat: int
    shared: int | None  # how many shared models (smallest first); None for all


# 6 storeys × 20 sections (240 dwellings) is about 100 000 entities; 14 285 walls fail 10 000 times
# against benchmarks/synthetic.py's IDS (every fifth and every second wall).
FULL = Suite(
    "full", storeys=6, sections=(1, 2, 5, 10, 20), walls=20000, report_walls=14285, repeat=3, shared=None
)
SMOKE = Suite("smoke", storeys=1, sections=(1, 2), walls=60, report_walls=30, repeat=1, shared=1)


class MeasurementError(RuntimeError):
    """A measurement process failed; the message ends with its stderr."""


@dataclass
class Runner:
    """Starts measurement processes and keeps the best of their repeats."""

    repeat: int
    jobs: int = 1
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)
    errors: list[str] = field(default_factory=list)

    def once(self, name: str, **arguments: Any) -> dict[str, Any]:
        command = [sys.executable, str(HERE / "measure.py"), name, json.dumps(arguments, default=str)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith(measure.MARKER)]
        if done.returncode != 0 or not lines:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise MeasurementError(f"{name} {arguments} exited {done.returncode}:\n{tail}")
        result: dict[str, Any] = json.loads(lines[-1][len(measure.MARKER) :])
        return result

    def best(
        self, jobs: Sequence[tuple[str, str, dict[str, Any]]], *, sequential: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Run every (key, measurement, arguments) `repeat` times; per key, the smallest of each number.

        Within one repeat the jobs start in the order given, so measurements that are compared run
        alternately; `sequential` waits for each before the next (when one reads what the one before
        wrote), whatever `jobs` allows. A failed measurement is logged and kept as {"error": message}.
        """
        runs: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in jobs}
        for number in range(self.repeat):
            with concurrent.futures.ThreadPoolExecutor(max_workers=1 if sequential else self.jobs) as pool:
                futures = {
                    key: pool.submit(self._logged, key, number, name, arguments)
                    for key, name, arguments in jobs
                }
                for key, future in futures.items():
                    runs[key].append(future.result())
        return {key: _best(values) for key, values in runs.items()}

    def _logged(self, key: str, number: int, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        try:
            result = self.once(name, **arguments)
        except MeasurementError as exc:
            self.errors.append(str(exc))
            self.log(f"  {key} [{number + 1}/{self.repeat}] FAILED: {exc}")
            return {"error": str(exc).splitlines()[0]}
        self.log(f"  {key} [{number + 1}/{self.repeat}] {time.perf_counter() - start:.1f} s")
        return result


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    out = dict(good[0])
    for key in good[0]:
        numbers = [r.get(key) for r in good]
        if all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            out[key] = min(numbers)  # type: ignore[type-var]
    out["repeats"] = len(good)
    return out


# --- models ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFile:
    label: str
    path: Path
    entities: int
    kind: str  # block | walls | shared

    @property
    def mb(self) -> float:
        return self.path.stat().st_size / 1e6


def generated_models(suite: Suite, work: Path, log: Callable[[str], None]) -> dict[str, ModelFile]:
    """Every generated model of the suite, by label (generated once into `work`, then reused)."""
    models: dict[str, ModelFile] = {}
    wanted: list[tuple[str, str, Callable[[], Path]]] = []
    for n in suite.sections:
        label = f"block {suite.storeys}×{n}"
        wanted.append((label, "block", lambda n=n: generators.block(work, suite.storeys, n)))  # type: ignore[misc]
    wanted.append((f"walls {suite.walls}", "walls", lambda: generators.walls(work, suite.walls)))
    wanted.append(
        (f"walls {suite.report_walls}", "walls", lambda: generators.walls(work, suite.report_walls))
    )
    for label, kind, make in wanted:
        start = time.perf_counter()
        path = make()
        models[label] = ModelFile(label, path, generators.entities(path), kind)
        seconds = time.perf_counter() - start
        log(f"model {label}: {path.name}, {models[label].entities:,} entities ({seconds:.1f} s)")
    return models


def shared_models(suite: Suite, shared: Path) -> list[ModelFile]:
    paths = sorted((shared / "models").glob("*.ifc"), key=lambda p: p.stat().st_size)
    if suite.shared is not None:
        paths = paths[: suite.shared]
    return [ModelFile(p.name, p, generators.entities(p), "shared") for p in paths]


# --- sections -------------------------------------------------------------------------------


@dataclass
class Context:
    suite: Suite
    runner: Runner
    models: dict[str, ModelFile]
    shared: list[ModelFile]
    scratch: Path
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def large(self) -> ModelFile:
        return self.models[f"block {self.suite.storeys}×{self.suite.sections[-1]}"]

    @property
    def walls(self) -> ModelFile:
        return self.models[f"walls {self.suite.walls}"]

    def out(self, name: str) -> str:
        return str(self.scratch / name)


def section_ids(ctx: Context) -> dict[str, Any]:
    """The same IDS by ifctester and by bimcheck, each opening the model and writing its JSON."""
    targets = [ctx.large, ctx.walls, *ctx.shared]
    jobs = []
    for m in targets:
        for tool in ("ifctester", "bimcheck"):
            out = ctx.out(f"{tool}-{m.path.stem}.json")
            jobs.append((f"{tool} {m.label}", f"{tool}_ids", {"model": m.path, "ids": MIXED_IDS, "out": out}))
        jobs.append((f"open {m.label}", "open_ifc", {"model": m.path}))
    best = ctx.runner.best(jobs)
    rows = []
    for m in targets:
        tester, ours, opened = (best[f"{t} {m.label}"] for t in ("ifctester", "bimcheck", "open"))
        rows.append(
            {
                "model": m.label,
                "kind": m.kind,
                "entities": m.entities,
                "mb": m.mb,
                "ifctester": tester,
                "bimcheck": ours,
                "ifcopenshell_open_s": opened.get("open_s"),
                # One pass reading each datum the IDS needs, deciding nothing (floor.py).
                "floor_s": opened.get("floor_s"),
                "ratio": _ratio(tester.get("total_s"), ours.get("total_s")),
                # What a user waits for in-process: reading the IDS as well (its XSD validation).
                "ratio_with_ids": _ratio(
                    _sum(tester.get("total_s"), tester.get("ids_s")),
                    _sum(ours.get("total_s"), ours.get("ids_s")),
                ),
                "agreement": _agreement(tester.get("specs"), ours.get("specs")),
            }
        )
    return {"rows": rows, "specifications": _spec_ids()}


def section_library(ctx: Context) -> dict[str, Any]:
    """Each requirement file of the library on the large block, with per-requirement times."""
    jobs = [(p.name, "library", {"model": ctx.large.path, "rules": [p]}) for p in LIBRARY]
    best = ctx.runner.best(jobs)
    rows = []
    for p in LIBRARY:
        r = best[p.name]
        requirements = r.get("requirements", [])
        rows.append(
            {
                "rules": p.name,
                "requirements": len(requirements),
                "geometric": sum(1 for q in requirements if q["geometric"]),
                "open_s": r.get("open_s"),
                "check_s": r.get("check_s"),
                "geometric_s": r.get("geometric_s"),
                "non_geometric_s": r.get("non_geometric_s"),
                "peak_mb": r.get("peak_mb"),
                "detail": requirements,
                "error": r.get("error"),
            }
        )
    return {"model": ctx.large.label, "entities": ctx.large.entities, "rows": rows}


def section_geometry(ctx: Context) -> dict[str, Any]:
    """Geometric requirements and measures against a plain iterator pass over the same elements."""
    library = ctx.results.get("library") or section_library(ctx)
    geometric = sorted({q["id"] for row in library["rows"] for q in row["detail"] if q["geometric"]})
    rows = []
    if geometric:
        # Each repeat: bimcheck first (it writes the elements it computed), then the iterator.
        ids_file = ctx.out("geometric-requirements.ids.json")
        args = {"model": ctx.large.path, "rules": LIBRARY, "only": geometric, "ids_out": ids_file}
        jobs = [
            ("bimcheck", "library", args),
            ("iterator", "iterator", {"model": ctx.large.path, "ids_in": ids_file}),
        ]
        best = ctx.runner.best(jobs, sequential=True)
        ours, plain = best["bimcheck"], best["iterator"]
        rows.append(
            {
                "what": f"the library's {len(geometric)} geometric requirements",
                "elements": ours.get("shapes"),
                "bimcheck_s": ours.get("check_s"),
                "iterator_s": plain.get("iterate_s"),
                "ratio": _ratio(ours.get("check_s"), plain.get("iterate_s")),
                "bimcheck_peak_mb": ours.get("peak_mb"),
                "iterator_peak_mb": plain.get("peak_mb"),
            }
        )
    for name, ifc_class, source in MEASURES:
        ids_file = ctx.out(f"measure-{name}.ids.json")
        args = {"model": ctx.large.path, "measure": name, "ifc_class": ifc_class, "source": source}
        jobs = [
            ("bimcheck", "geometry_measure", {**args, "ids_out": ids_file}),
            ("iterator", "iterator", {"model": ctx.large.path, "ids_in": ids_file}),
        ]
        best = ctx.runner.best(jobs, sequential=True)
        ours, plain = best["bimcheck"], best["iterator"]
        rows.append(
            {
                "what": f"{name} of every {ifc_class}",
                "elements": ours.get("shapes"),
                "bimcheck_s": ours.get("measure_s"),
                "iterator_s": plain.get("iterate_s"),
                "ratio": _ratio(ours.get("measure_s"), plain.get("iterate_s")),
                "bimcheck_peak_mb": ours.get("peak_mb"),
                "iterator_peak_mb": plain.get("peak_mb"),
            }
        )
    return {"model": ctx.large.label, "threads": os.cpu_count(), "geometric": geometric, "rows": rows}


def section_scaling(ctx: Context) -> dict[str, Any]:
    """Blocks of 1× … 20× sections: open, IDS check + JSON, and the housing requirements."""
    blocks = [ctx.models[f"block {ctx.suite.storeys}×{n}"] for n in ctx.suite.sections]
    jobs = []
    for m in blocks:
        jobs.append((f"open {m.label}", "open_ifc", {"model": m.path}))
        out = ctx.out(f"scaling-{m.path.stem}.json")
        jobs.append((f"ids {m.label}", "bimcheck_ids", {"model": m.path, "ids": MIXED_IDS, "out": out}))
        jobs.append((f"library {m.label}", "library", {"model": m.path, "rules": HOUSING}))
    best = ctx.runner.best(jobs)
    base = ctx.suite.sections[0]
    rows = []
    for n, m in zip(ctx.suite.sections, blocks, strict=True):
        ids, lib = best[f"ids {m.label}"], best[f"library {m.label}"]
        rows.append(
            {
                "factor": n / base,
                "model": m.label,
                "entities": m.entities,
                "open_s": best[f"open {m.label}"].get("open_s"),
                "ids_total_s": ids.get("total_s"),
                "ids_peak_mb": ids.get("peak_mb"),
                "library_s": _sum(lib.get("open_s"), lib.get("check_s")),
                "library_peak_mb": lib.get("peak_mb"),
            }
        )
    x = [float(r["entities"]) for r in rows]
    fits = {key: linear_fit(x, [r[key] for r in rows]) for key in ("open_s", "ids_total_s", "ids_peak_mb")}
    fits |= {key: linear_fit(x, [r[key] for r in rows]) for key in ("library_s", "library_peak_mb")}
    return {"rows": rows, "fits": fits}


def section_reports(ctx: Context) -> dict[str, Any]:
    """Every format rendered from one saved run with floor plans (the failures of the wall model)."""
    model = ctx.models[f"walls {ctx.suite.report_walls}"]
    ids = ctx.scratch / "synthetic.ids"
    from benchmarks import synthetic

    ids.write_text(synthetic.IDS, encoding="utf-8")
    run_json = ctx.out("reports-run.json")
    made = ctx.runner.once("make_run", model=model.path, rules=[ids], out=run_json)
    jobs = [(fmt, "render", {"run_json": run_json, "fmt": fmt}) for fmt in FORMATS]
    best = ctx.runner.best(jobs)
    rows = [
        {
            "format": fmt,
            "seconds": best[fmt].get("render_s"),
            "mb": best[fmt].get("mb"),
            "error": best[fmt].get("error"),
        }
        for fmt in FORMATS
    ]
    return {"model": model.label, "failures": made["failures"], "rows": rows}


def section_profile(ctx: Context) -> dict[str, Any]:
    """cProfile of run_check on the large block: the IDS, the information and the functional requirements."""
    out = {}
    profiled = [("mixed.ids", [MIXED_IDS]), *((p.name, [p]) for p in HOUSING)]
    for label, rules in profiled:
        stats = ctx.out(f"profile-{label}.pstats")
        try:
            out[label] = ctx.runner.once("profile", model=ctx.large.path, rules=rules, out=stats)
        except MeasurementError as exc:
            ctx.runner.errors.append(str(exc))
            out[label] = {"error": str(exc).splitlines()[0]}
    return {"model": ctx.large.label, "profiles": out}


RUNNERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "ids": section_ids,
    "library": section_library,
    "geometry": section_geometry,
    "scaling": section_scaling,
    "reports": section_reports,
    "profile": section_profile,
}


# --- numbers --------------------------------------------------------------------------------


def linear_fit(x: Sequence[float], y: Sequence[Any]) -> dict[str, float | None]:
    """Least-squares line y = a + b·x and its R² (1 for a perfect line)."""
    pairs = [(a, float(b)) for a, b in zip(x, y, strict=True) if isinstance(b, int | float)]
    if len(pairs) < 2:
        return {"intercept": None, "slope": None, "r2": None}
    n = len(pairs)
    mx = sum(a for a, _ in pairs) / n
    my = sum(b for _, b in pairs) / n
    sxx = sum((a - mx) ** 2 for a, _ in pairs)
    sxy = sum((a - mx) * (b - my) for a, b in pairs)
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_res = sum((b - intercept - slope * a) ** 2 for a, b in pairs)
    ss_tot = sum((b - my) ** 2 for _, b in pairs)
    return {"intercept": intercept, "slope": slope, "r2": 1.0 - ss_res / ss_tot if ss_tot else 1.0}


def _ratio(a: Any, b: Any) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or b <= 0:
        return None
    return float(a) / float(b)


def _sum(*values: Any) -> float | None:
    if not all(isinstance(v, int | float) for v in values):
        return None
    return float(sum(values))


def _agreement(a: Any, b: Any) -> list[bool] | None:
    """Per specification: whether both tools found the same applicable and failing elements."""
    if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
        return None
    return [list(x) == list(y) for x, y in zip(a, b, strict=True)]


def _spec_ids() -> list[str]:
    return re.findall(r'identifier="([^"]+)"', MIXED_IDS.read_text(encoding="utf-8"))


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured number and whether it is met."""
    out: list[dict[str, Any]] = []

    def add(target: str, measured: float | None, met: bool | None, how: str) -> None:
        out.append({"target": target, "measured": measured, "met": met, "how": how})

    ids = results.get("ids")
    if ids:
        large = ids["rows"][0]
        add(
            "IDS check + JSON ≥ 10× faster than ifctester, ~100 000 entities",
            large["ratio"],
            _at_least(large["ratio"], 10),
            f"ifctester ÷ bimcheck, open + check + JSON, {large['model']}",
        )
        small = [r for r in ids["rows"] if r["kind"] == "shared"]
        worst = min((r["ratio"] for r in small if r["ratio"] is not None), default=None)
        add(
            "no slower than ifctester on small models",
            worst,
            _at_least(worst, 1),
            f"smallest ratio over {len(small)} shared model(s)",
        )
        for row in (large, ids["rows"][1]):
            check, opened = row["bimcheck"].get("check_s"), row["ifcopenshell_open_s"]
            add(
                "non-geometric checking ≤ 1.5 × ifcopenshell.open",
                _ratio(check, opened),
                _at_most(_ratio(check, opened), 1.5),
                f"mixed.ids check ÷ open, {row['model']} (reading alone, floor.py: "
                f"{_n(_ratio(row.get('floor_s'), opened))} × open)",
            )
    library = results.get("library")
    if library and ids:
        opened = ids["rows"][0]["ifcopenshell_open_s"]
        for row in library["rows"]:
            ratio = _ratio(row["non_geometric_s"], opened)
            add(
                "non-geometric checking ≤ 1.5 × ifcopenshell.open",
                ratio,
                _at_most(ratio, 1.5),
                f"{row['rules']}: non-geometric requirements ÷ open, {library['model']}",
            )
    geometry = results.get("geometry")
    if geometry and geometry["rows"]:
        first = geometry["rows"][0]
        add(
            "geometric requirements ≤ 1.3 × a plain multi-threaded iterator pass",
            first["ratio"],
            _at_most(first["ratio"], 1.3),
            f"{first['what']} ÷ iterator over their {first['elements']} elements",
        )
    scaling = results.get("scaling")
    if scaling:
        for key, what in (
            ("ids_total_s", "time"),
            ("ids_peak_mb", "memory"),
            ("library_s", "time"),
            ("library_peak_mb", "memory"),
        ):
            r2 = scaling["fits"][key]["r2"]
            subject = "IDS" if key.startswith("ids") else "housing requirements"
            add(
                f"{what} grows linearly with model size (1× → 20×)",
                r2,
                _at_least(r2, 0.99),
                f"R² of a straight line, {subject}",
            )
    reports = results.get("reports")
    if reports:
        for row in reports["rows"]:
            if row["format"] in TARGET_FORMATS:
                add(
                    f"{row['format'].upper()} report of 10 000 failures < 2 s",
                    row["seconds"],
                    _at_most(row["seconds"], 2.0),
                    f"{reports['failures']:,} failures, render only",
                )
    return out


def _at_least(value: float | None, bound: float) -> bool | None:
    return None if value is None else value >= bound


def _at_most(value: float | None, bound: float) -> bool | None:
    return None if value is None else value <= bound


# --- the machine ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib import metadata

    cpu = platform.machine()
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        memory = round(int(first[1]) / 1024 / 1024, 1)

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "ifcopenshell": version("ifcopenshell"),
        "ifctester": version("ifctester"),
        "orjson": version("orjson"),
        "bimcheck": version("bimcheck"),
        "commit": commit.stdout.strip() or None,
    }


# --- the table ------------------------------------------------------------------------------


def _n(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return f"{value:.{digits}f}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def markdown(report: dict[str, Any]) -> str:
    m, results = report["machine"], report["results"]
    lines = [f"# bimcheck benchmarks ({report['suite']['name']})", ""]
    lines.append(
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['system']}; Python {m['python']}, "
        f"ifcopenshell {m['ifcopenshell']}, ifctester {m['ifctester']}, orjson {m['orjson']}; "
        f"bimcheck {m['bimcheck']} at {m['commit']}."
    )
    lines.append(
        f"{report['started']} → {report['finished']}; load average {report['load_start']} at the start, "
        f"{report['load_end']} at the end. Best of {report['suite']['repeat']} runs, each in a fresh process."
    )
    lines.append("")
    if report["targets"]:
        lines += ["## Targets (issue 6)", ""]
        lines += _table(
            ("target", "measured", "met", "how"),
            (
                (t["target"], _n(t["measured"]), _n(t["met"]) if t["met"] is not None else "—", t["how"])
                for t in report["targets"]
            ),
        )
    lines += ["## Models", ""]
    lines += _table(
        ("model", "file", "entities", "MB"),
        ((mf["label"], mf["file"], _n(mf["entities"]), _n(mf["mb"], 1)) for mf in report["models"]),
    )
    if "ids" in results:
        lines += _ids_table(results["ids"])
    if "library" in results:
        lines += _library_table(results["library"])
    if "geometry" in results:
        g = results["geometry"]
        title = f"bimcheck vs a plain ifcopenshell.geom iterator ({g['model']}, {g['threads']} threads)"
        lines += [f"## Geometry: {title}", ""]
        lines += _table(
            (
                "what",
                "elements with shapes",
                "iterator s",
                "bimcheck s",
                "ratio",
                "peak MB iterator / bimcheck",
            ),
            (
                (
                    r["what"],
                    _n(r["elements"]),
                    _n(r["iterator_s"]),
                    _n(r["bimcheck_s"]),
                    _n(r["ratio"]),
                    f"{_n(r['iterator_peak_mb'], 0)} / {_n(r['bimcheck_peak_mb'], 0)}",
                )
                for r in g["rows"]
            ),
        )
        lines.append(f"Geometric requirements: {', '.join(g['geometric']) or 'none'}.")
        lines.append("")
    if "scaling" in results:
        lines += _scaling_table(results["scaling"])
    if "reports" in results:
        r = results["reports"]
        lines += [f"## Report rendering ({r['failures']:,} failures, {r['model']}, with floor plans)", ""]
        lines += _table(
            ("format", "render s", "MB"),
            (
                (row["format"], _n(row["seconds"]) if not row.get("error") else "error", _n(row["mb"], 1))
                for row in r["rows"]
            ),
        )
        lines.append("`json-stdlib` is the JSON report as written before orjson (json.dumps, indent 2).")
        lines.append("")
    if "profile" in results:
        lines += _profile_tables(results["profile"])
    if report["errors"]:
        lines += ["## Errors", ""] + [f"- {e.splitlines()[0]}" for e in report["errors"]] + [""]
    return "\n".join(lines)


def _ids_table(ids: dict[str, Any]) -> list[str]:
    specs = ids["specifications"]
    lines = ["## IDS: ifctester 0.9.0 vs bimcheck (benchmarks/mixed.ids, 6 specifications)", ""]
    lines.append(
        "Open + check + JSON report, each tool opening the model itself; the ratio is ifctester ÷ bimcheck."
    )
    lines.append("")
    rows = []
    for r in ids["rows"]:
        t, b = r["ifctester"], r["bimcheck"]
        agree = r["agreement"]
        differ = [s for s, ok in zip(specs, agree or [], strict=False) if not ok]
        rows.append(
            (
                r["model"],
                _n(r["entities"]),
                _n(t.get("total_s")),
                _n(b.get("total_s")),
                f"**{_n(r['ratio'], 1)}×**",
                f"{_n(t.get('open_s'))} / {_n(t.get('check_s'))} / {_n(t.get('report_s'))}",
                f"{_n(b.get('open_s'))} / {_n(b.get('check_s'))} / {_n(b.get('report_s'))}",
                f"{_n(t.get('ids_s'))} / {_n(b.get('ids_s'))}",
                f"{_n(r['ratio_with_ids'], 1)}×",
                f"{_n(t.get('peak_mb'), 0)} / {_n(b.get('peak_mb'), 0)}",
                f"{_n(_ratio(b.get('check_s'), r['ifcopenshell_open_s']))} / "
                f"{_n(_ratio(r.get('floor_s'), r['ifcopenshell_open_s']))}",
                "all 6"
                if agree and all(agree)
                else ("—" if agree is None else "differ: " + ", ".join(differ)),
            )
        )
    lines += _table(
        (
            "model",
            "entities",
            "ifctester s",
            "bimcheck s",
            "ratio",
            "ifctester open / check / JSON",
            "bimcheck open / check / JSON",
            "load IDS s (ift / bc)",
            "ratio with IDS load",
            "peak MB (ift / bc)",
            "bimcheck check ÷ open / reading floor ÷ open",
            "same results",
        ),
        rows,
    )
    return lines


def _library_table(library: dict[str, Any]) -> list[str]:
    lines = [
        f"## The Swedish requirement library on {library['model']} ({library['entities']:,} entities)",
        "",
    ]
    rows = []
    for r in library["rows"]:
        share = _ratio(r["geometric_s"], r["check_s"])
        rows.append(
            (
                r["rules"],
                r["requirements"],
                r["geometric"],
                _n(r["open_s"]),
                _n(r["check_s"]),
                _n(r["geometric_s"]),
                _n(r["non_geometric_s"]),
                "—" if share is None else f"{share:.0%}",
                _n(r["peak_mb"], 0),
            )
        )
    lines += _table(
        (
            "requirement set",
            "requirements",
            "geometric",
            "open s",
            "check s",
            "geometric s",
            "non-geometric s",
            "geometric share",
            "peak MB",
        ),
        rows,
    )
    slowest = sorted(
        ((q["seconds"], q["id"], q["geometric"], r["rules"]) for r in library["rows"] for q in r["detail"]),
        reverse=True,
    )[:8]
    if slowest:
        lines.append(
            "Slowest requirements: "
            + "; ".join(f"{rid} {s:.2f} s{' (geometric)' if g else ''}" for s, rid, g, _ in slowest)
            + "."
        )
        lines.append("")
    return lines


def _scaling_table(scaling: dict[str, Any]) -> list[str]:
    lines = ["## Scaling: apartment blocks of 1× to 20× sections", ""]
    lines += _table(
        (
            "size",
            "model",
            "entities",
            "open s",
            "IDS + JSON s",
            "IDS peak MB",
            "housing library s",
            "library peak MB",
            "IDS µs/entity",
        ),
        (
            (
                f"{r['factor']:g}×",
                r["model"],
                _n(r["entities"]),
                _n(r["open_s"]),
                _n(r["ids_total_s"]),
                _n(r["ids_peak_mb"], 0),
                _n(r["library_s"]),
                _n(r["library_peak_mb"], 0),
                _n(None if r["ids_total_s"] is None else r["ids_total_s"] / r["entities"] * 1e6, 1),
            )
            for r in scaling["rows"]
        ),
    )
    fit_rows = []
    for key, what in (
        ("open_s", "ifcopenshell.open s"),
        ("ids_total_s", "IDS + JSON s"),
        ("ids_peak_mb", "IDS peak MB"),
        ("library_s", "housing library s"),
        ("library_peak_mb", "library peak MB"),
    ):
        f = scaling["fits"][key]
        slope = None if f["slope"] is None else f["slope"] * 1e5
        fit_rows.append((what, _n(f["intercept"]), _n(slope), _n(f["r2"], 4)))
    lines += _table(("linear fit", "intercept", "per 100 000 entities", "R²"), fit_rows)
    return lines


def _profile_tables(profile: dict[str, Any]) -> list[str]:
    lines = [f"## Hot spots (cProfile of run_check on {profile['model']})", ""]
    for label, p in profile["profiles"].items():
        if "error" in p:
            lines += [f"{label}: error", ""]
            continue
        lines += [f"{label}: {p['total_s']:.2f} s under the profiler.", ""]
        rows = [
            (r["function"], _n(r["calls"]), f"{r['cumulative_share']:.0%}", f"{r['own_share']:.0%}")
            for r in p["cumulative"][:15]
        ]
        lines += _table(("function (by cumulative time)", "calls", "cumulative", "own"), rows)
        rows = [(r["function"], _n(r["calls"]), f"{r['own_share']:.0%}") for r in p["own"][:10]]
        lines += _table(("function (by own time)", "calls", "own"), rows)
    return lines


# --- main -----------------------------------------------------------------------------------


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="every measurement once, on tiny models")
    parser.add_argument("--repeat", type=int, help="runs per measurement (best kept); default 3, smoke 1")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="where the table and numbers go")
    parser.add_argument("--work", type=Path, help="where generated models are kept (default OUT/models)")
    parser.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("BIMCHECK_SHARED", DEFAULT_SHARED))
    )
    parser.add_argument("--jobs", type=int, help="measurements at once; default 1 (timings), smoke: cores")
    args = parser.parse_args(argv)

    suite = SMOKE if args.smoke else FULL
    if args.repeat:
        suite = Suite(**{**asdict(suite), "repeat": args.repeat})
    jobs = args.jobs or ((os.cpu_count() or 1) if args.smoke else 1)
    out: Path = args.out
    work: Path = args.work or out / "models"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    scratch = out / "scratch" / f"{suite.name}-{stamp}"
    scratch.mkdir(parents=True, exist_ok=True)
    log = Runner(suite.repeat).log
    started, load_start = datetime.now(UTC).isoformat(timespec="seconds"), _load()

    models = generated_models(suite, work, log)
    shared = shared_models(suite, args.shared)
    if not shared:
        log(f"no shared models under {args.shared}/models: the small-model comparison is left out")
    ctx = Context(suite, Runner(suite.repeat, jobs, log), models, shared, scratch)
    for name in args.only or SECTIONS:
        log(f"== {name}")
        ctx.results[name] = RUNNERS[name](ctx)

    report = {
        "suite": asdict(suite),
        "machine": machine(),
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_start": load_start,
        "load_end": _load(),
        "models": [
            {"label": m.label, "file": m.path.name, "entities": m.entities, "mb": m.mb, "kind": m.kind}
            for m in [*models.values(), *shared]
        ],
        "results": ctx.results,
        "targets": targets(ctx.results),
        "errors": ctx.runner.errors,
    }
    text = markdown(report)
    for name in (f"{suite.name}-{stamp}", f"latest-{suite.name}"):
        (out / f"{name}.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        (out / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)
    log(f"written to {out}/{suite.name}-{stamp}.md and .json (and latest-{suite.name}.*)")
    return 1 if ctx.runner.errors else 0


if __name__ == "__main__":
    sys.exit(main())
