"""Report formats; each renders a RunResult and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bimcheck.results import RunResult


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: how to render it and the file name to use when none is given."""

    name: str
    render: Callable[[RunResult], str]
    suffix: str
    description: str


def _console(run: RunResult) -> str:
    from bimcheck.reporters.console import render

    return render(run, color=False)


def _json(run: RunResult) -> str:
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


def write_outputs(run: RunResult, specs: list[str], stdout: Callable[[str], None]) -> None:
    """Render every requested output; files are written atomically, the rest goes to `stdout`."""
    from bimcheck.reporters.atomic import write_atomic

    parsed = [parse_output(s) for s in specs]  # refuse a bad spec before writing anything
    for fmt, path in parsed:
        text = fmt.render(run)
        if path is None or path == "-":
            stdout(text)
        else:
            write_atomic(path, text)
