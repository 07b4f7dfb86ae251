"""What a batch shows people: a progress bar (or plain lines) on stderr, and the summary table."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bimcheck.workflows.batch import RESULT_BY_EXIT, SUMMARY_NAME, BatchSummary, ModelOutcome, Progress

_STYLE = {"pass": "green", "fail": "bold red", "error": "bold magenta", "empty": "yellow", "not_run": "dim"}
_COUNTED = ("pass", "fail", "not_evaluable", "error", "manual")


def _result(outcome: ModelOutcome) -> str:
    return RESULT_BY_EXIT.get(outcome.exit_code, "error")


def _line(outcome: ModelOutcome, done: int, total: int) -> str:
    head = f"[{done}/{total}] {outcome.path}: "
    if outcome.error is not None:
        return head + "error: " + outcome.error.removeprefix(f"{outcome.path}: ")
    how = "resumed: reports unchanged" if outcome.resumed else f"{outcome.seconds:.1f} s"
    return head + f"{_result(outcome)} (exit {outcome.exit_code}, {how})"


@contextlib.contextmanager
def batch_progress(total: int, stream: TextIO | None = None) -> Iterator[Progress]:
    """A progress bar on a terminal; elsewhere (CI logs, files) one plain line per finished model."""
    out = stream or sys.stderr
    if not out.isatty():

        def plain(outcome: ModelOutcome, done: int, total: int) -> None:
            out.write(f"bimcheck: {_line(outcome, done, total)}\n")
            out.flush()

        yield plain
        return

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(file=out),
    )
    task = bar.add_task("", total=total)

    def show(outcome: ModelOutcome, done: int, total: int) -> None:
        # The file name only: a full path would squeeze the bar off a narrow terminal.
        bar.update(task, completed=done, description=escape(Path(outcome.path).name))
        if outcome.error is not None:  # errors stay on screen above the bar
            bar.console.print(f"[bold magenta]error[/] {escape(outcome.error)}", highlight=False)

    with bar:
        yield show


def summary_table(summary: BatchSummary, *, color: bool = False, width: int | None = None) -> str:
    """One row per model (status counts, exit code, time), the totals, then each error in full.

    Without a `width` (not a terminal: a CI log, a file) rows are never wrapped, so that each
    model stays on one line that grep finds.
    """
    width = width or 100_000
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    entries = summary.entries()
    base = _common_folder([str(e["model"]) for e in entries])
    names = [_below(str(e["model"]), base) for e in entries]
    table = Table(show_edge=False, pad_edge=False)
    # The file name is what a reader looks for: the counts' headers wrap before it does.
    table.add_column("model", overflow="fold", min_width=min(40, max(map(len, names), default=5)))
    table.add_column("result")
    for status in _COUNTED:
        table.add_column(status.replace("_", " "), justify="right")
    table.add_column("exit", justify="right")
    table.add_column("time", justify="right")
    errors = []
    for entry, name in zip(entries, names, strict=True):
        result = entry["result"]
        counts = entry.get("counts", {})
        seconds = entry.get("seconds")
        label = f"[{_STYLE[result]}]{result}[/]" + (" (resumed)" if entry.get("resumed") else "")
        table.add_row(
            escape(name),
            label,
            *(str(counts.get(s, 0)) if counts else "" for s in _COUNTED),
            "" if entry["exit_code"] is None else str(entry["exit_code"]),
            "" if seconds is None or entry.get("resumed") else f"{seconds:.1f} s",
        )
        if entry.get("error"):
            errors.append(entry["error"])
    if base:
        console.print(f"models in {escape(base)}")
    console.print(table)
    totals = summary.totals()
    parts = [f"{totals[r]} {r.replace('_', ' ')}" for r in (*_STYLE,) if totals[r]]
    line = f"{totals['models']} models: " + ", ".join(parts)
    if totals["resumed"]:
        line += f" · {totals['resumed']} resumed"
    line += f" · {totals['seconds']:.1f} s of checking in {totals['wall_seconds']:.1f} s"
    console.print(line)
    console.print(f"summary: {escape(str(summary.plan.out / SUMMARY_NAME))}")
    for error in errors:
        console.print(f"[bold magenta]error[/] {escape(error)}", soft_wrap=True)
    return buffer.getvalue()


def _common_folder(paths: list[str]) -> str:
    """The folder all models are in (as the user named them), or "" when they share none."""
    import os.path

    if not paths:
        return ""
    try:
        common = os.path.commonpath([os.path.dirname(p) or "." for p in paths])
    except ValueError:  # absolute and relative paths mixed, or different drives
        return ""
    return "" if common in ("", ".") else common


def _below(path: str, base: str) -> str:
    import os.path

    return os.path.relpath(path, base) if base else path
