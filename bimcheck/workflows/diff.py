"""Diff two design iterations: check models (or read JSON reports), apply a baseline, compare."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from bimcheck.errors import InputError
from bimcheck.procurement.baseline import Baseline, apply_baseline, load_baseline
from bimcheck.procurement.diff import DiffResult, diff_runs
from bimcheck.results import RunResult


def is_report(path: Path) -> bool:
    """A JSON report by its suffix; anything else is taken for a model and opened as IFC."""
    return path.suffix.lower() == ".json"


def diff(
    old: str | Path,
    new: str | Path,
    rules: Sequence[str | Path] = (),
    parameters: Mapping[str, str] | None = None,
    *,
    baseline: str | Path | None = None,
    today: date | None = None,
    fail_on: str = "mandatory",
) -> DiffResult:
    """Compare NEW with OLD, each a model or a JSON report.

    Models are checked with `rules` and `parameters`; when the other side is a report, its
    parameters are the defaults, so both sides are judged by the same thresholds. A baseline
    is applied to both sides as of `today`, so findings are compared like for like.
    """
    old_path, new_path = Path(old), Path(new)
    loaded: Baseline | None = None
    if baseline is not None:
        loaded = load_baseline(baseline)  # a bad baseline is refused before any model is opened
        if today is None:
            raise ValueError("a baseline needs the day its expiry dates are compared with")
    reports = {p: _read(p) for p in (old_path, new_path) if is_report(p)}
    models = [p for p in (old_path, new_path) if not is_report(p)]
    runs = dict(reports)
    if models:
        if not rules:
            raise InputError(models[0], "is a model: give the requirement files with -r to check it")
        inherited = next(iter(reports.values())).parameters if reports else {}
        runs.update(_check(models, rules, inherited, parameters or {}))
    old_run, new_run = runs[old_path], runs[new_path]
    if loaded is not None:
        assert today is not None
        old_run, new_run = apply_baseline(old_run, loaded, today), apply_baseline(new_run, loaded, today)
    result = diff_runs(old_run, new_run, fail_on, (str(old_path), str(new_path)))
    if rules and not models:
        notes = (
            *result.notes,
            "both sides are JSON reports: the requirement files given with -r were not used",
        )
        result = replace(result, notes=notes)
    return result


def _read(path: Path) -> RunResult:
    from bimcheck.reporters.read import read_json_report

    return read_json_report(path)


def _check(
    models: Sequence[Path],
    rules: Sequence[str | Path],
    inherited: Mapping[str, str],
    overrides: Mapping[str, str],
) -> dict[Path, RunResult]:
    from bimcheck.engine import run_check
    from bimcheck.rules.loader import load_rules

    declared = load_rules(rules).parameters
    # The report's values for parameters these files declare, then what the command line says.
    values = {k: v for k, v in inherited.items() if k in declared} | dict(overrides)
    ruleset = load_rules(rules, values)
    if not ruleset.requirements:
        raise InputError(Path(str(rules[0])), "no requirements: nothing to compare")
    # Each model is checked on its own: two iterations often share a file name.
    return {p: run_check([p], ruleset) for p in models}


def parse_diff_outputs(specs: Sequence[str]) -> list[tuple[str, str | None]]:
    """`FORMAT[:PATH]` specs of a diff (console, json, markdown); None is stdout, at most once."""
    from bimcheck.procurement.diff_report import FORMATS

    parsed: list[tuple[str, str | None]] = []
    for spec in specs:
        name, _, path = spec.partition(":")
        name = name.strip().lower()
        if name not in FORMATS:
            raise ValueError(f"unknown diff format {name!r}; choose from {', '.join(FORMATS)}")
        parsed.append((name, None if path in ("", "-") else path))
    to_stdout = [spec for spec, (_, path) in zip(specs, parsed, strict=True) if path is None]
    if len(to_stdout) > 1:
        raise ValueError(f"only one output can go to stdout, got {', '.join(map(repr, to_stdout))}")
    return parsed


def refuse_overwriting(specs: Sequence[str], inputs: Iterable[str | Path]) -> None:
    """OutputError when a diff output would replace one of its inputs."""
    from bimcheck.reporters import refuse_overwriting_inputs

    files = [f"json:{path}" for _, path in parse_diff_outputs(specs) if path is not None]
    refuse_overwriting_inputs(files, inputs)


def write_diff_outputs(result: DiffResult, specs: Sequence[str], stdout: Callable[[str], None]) -> None:
    """Render every requested output; files are written atomically, the rest goes to `stdout`."""
    from bimcheck.procurement.diff_report import FORMATS
    from bimcheck.reporters.atomic import write_atomic

    for name, path in parse_diff_outputs(specs):
        text = FORMATS[name][0](result)
        if path is None:
            stdout(text)
        else:
            write_atomic(path, text)
