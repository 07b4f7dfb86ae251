"""Report formats; each renders a RunResult and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bimcheck.results import RunResult


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: how to render it and the file name to use when none is given."""

    name: str
    render: Callable[[RunResult, bool], str]  # (run, colour) — only terminal formats use colour
    suffix: str
    description: str


def _console(run: RunResult, color: bool) -> str:
    from bimcheck.reporters.console import render

    return render(run, color=color)


def _json(run: RunResult, color: bool) -> str:
    from bimcheck.reporters.json_report import render

    return render(run)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("console", _console, ".txt", "readable summary with failing elements"),
        Format("json", _json, ".json", "lossless, versioned machine report"),
    )
}


def parse_output(spec: str) -> tuple[Format, str | None]:
    """`FORMAT` or `FORMAT:PATH`; raises ValueError naming the known formats."""
    name, _, path = spec.partition(":")
    fmt = FORMATS.get(name.strip().lower())
    if fmt is None:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(FORMATS)}")
    return fmt, (path or None)


def parse_outputs(specs: list[str]) -> list[tuple[Format, str | None]]:
    """Every output spec, with None as the path of the one that goes to stdout.

    Raises ValueError for an unknown format, or when two outputs would share stdout
    (a console report and a JSON document mixed in one stream are useless to both readers).
    """
    parsed = [parse_output(s) for s in specs]
    parsed = [(fmt, None if path == "-" else path) for fmt, path in parsed]
    to_stdout = [spec for spec, (_, path) in zip(specs, parsed, strict=True) if path is None]
    if len(to_stdout) > 1:
        raise ValueError(f"only one output can go to stdout, got {', '.join(map(repr, to_stdout))}")
    return parsed


def write_outputs(
    run: RunResult, specs: list[str], stdout: Callable[[str], None], *, color: bool = False
) -> None:
    """Render every requested output; files are written atomically, the rest goes to `stdout`.

    `color` applies to the output that goes to stdout only: files never get escape codes.
    """
    from bimcheck.reporters.atomic import write_atomic

    parsed = parse_outputs(specs)  # refuse a bad spec before writing anything
    for fmt, path in parsed:
        if path is None:
            stdout(fmt.render(run, color))
        else:
            write_atomic(path, fmt.render(run, False))
