"""Console report: a readable, coloured summary with the failing elements of each requirement."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bimcheck.results import (
    BaselineInfo,
    ElementResult,
    KeyFigure,
    RequirementResult,
    RunResult,
    Status,
    Suppression,
    Waiver,
    WaiverState,
)

_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.NOT_APPLICABLE: "dim",
    Status.NOT_EVALUABLE: "yellow",
    Status.ERROR: "bold magenta",
    Status.MANUAL: "cyan",
    Status.SUPPRESSED: "blue",
}
_MARK = {Status.FAIL: "✗", Status.ERROR: "!", Status.NOT_EVALUABLE: "?", Status.SUPPRESSED: "~"}


def render(run: RunResult, *, color: bool = False, width: int = 120, max_elements: int = 10) -> str:
    """The console report as text (ANSI-coloured when `color`)."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    tool = run.tool
    versions = f"ifcopenshell {tool.ifcopenshell} · Python {tool.python}"
    console.print(f"[bold]bimcheck {tool.version}[/] · {versions} · {run.created}")
    for source in run.rule_sources:
        title = f" — {escape(source.title)}" if source.title else ""
        console.print(
            f"Rules  {escape(source.path)} ({source.format}, {source.requirement_count} requirements){title}"
        )
    if run.parameters:
        console.print("Params " + ", ".join(f"{k}={escape(v)}" for k, v in sorted(run.parameters.items())))
    for model in run.models:
        console.print()
        app = model.authoring_application or model.originating_system or "unknown application"
        identity = f"{model.schema} · {escape(app)} · sha256 {model.sha256[:16]}…"
        console.print(f"[bold]Model  {escape(model.name)}[/]  {identity}")
        results = run.for_model(model.name)
        console.print(_table(results))
        figures = [(r, k) for r in sorted(results, key=_order) for k in r.key_figures]
        if figures:
            console.print()
            console.print(_figures_table(figures))
        for result in sorted(results, key=_order):
            if result.status is not Status.PASS:
                _print_details(console, result, max_elements)
    if run.baseline is not None:
        _print_baseline(console, run.baseline)
    console.print()
    summary = ", ".join(f"{n} {s}" for s, n in run.summary.items() if n)
    console.print(f"[bold]Summary[/] {len(run.requirements)} requirement result(s): {summary}")
    return buffer.getvalue()


def _table(results: tuple[RequirementResult, ...]) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Id", no_wrap=True, overflow="fold")
    table.add_column("Requirement", overflow="fold")
    table.add_column("Kind", no_wrap=True)
    table.add_column("Pass/Fail/Other", justify="right", no_wrap=True)
    for r in sorted(results, key=_order):
        counts = r.counts
        other = sum(n for s, n in counts.items() if s not in ("pass", "fail"))
        table.add_row(
            f"[{_STYLE[r.status]}]{r.status.value.upper()}[/]",
            escape(r.id),
            escape(r.title),
            r.kind.value,
            f"{counts['pass']}/{counts['fail']}/{other}",
        )
    return table


def _figures_table(figures: list[tuple[RequirementResult, KeyFigure]]) -> Table:
    table = Table(title="Key figures", title_justify="left", show_edge=False, box=None, header_style="bold")
    table.add_column("Id", no_wrap=True)
    table.add_column("Figure", overflow="fold")
    table.add_column("Group", overflow="fold")
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Bound", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for result, k in figures:
        value = "unknown" if k.value is None else f"{k.value:.4g}" + (f" {k.unit}" if k.unit else "")
        table.add_row(
            escape(result.id),
            escape(k.name),
            escape(k.group or "—"),
            value,
            escape(k.expected or "—"),
            f"[{_STYLE[k.status]}]{k.status.value}[/]",
        )
    return table


def _order(r: RequirementResult) -> tuple[int, int]:
    # Failing mandatory requirements first: those exclude a bid.
    failing = 0 if r.failed else 1
    return failing, 0 if r.kind.value == "mandatory" else 1


def _print_details(console: Console, result: RequirementResult, max_elements: int) -> None:
    console.print()
    reference = ""
    if result.regulation is not None:
        edition = f", {result.regulation.edition}" if result.regulation.edition else ""
        reference = f" ({escape(result.regulation.reference)}{escape(edition)})"
    status = f"[{_STYLE[result.status]}]{result.status.value.upper()}[/]"
    console.print(f"{status} [bold]{escape(result.id)}[/] {escape(result.title)}{reference}")
    if result.message:
        console.print(f"  {escape(result.message)}")
    for note in result.notes:
        console.print(f"  [yellow]note:[/] {escape(note)}")
    if result.status is Status.SUPPRESSED and result.suppression is not None:
        console.print(f"  {_waived(result.suppression)}")
    if result.status is Status.MANUAL:
        if result.elements:
            console.print(f"  {len(result.elements)} element(s) to verify by hand; listed in the JSON report")
        return
    bad = [e for e in result.elements if e.status is not Status.PASS]
    for element in bad[:max_elements]:
        console.print("  " + _element_line(element))
    if len(bad) > max_elements:
        console.print(f"  … and {len(bad) - max_elements} more; every element is in the JSON report")


def _element_line(element: ElementResult) -> str:
    mark = _MARK.get(element.status, "·")
    where = f" ({escape(element.storey)})" if element.storey else ""
    name = f' "{escape(element.name)}"' if element.name else ""
    ident = element.global_id or f"#{element.step_id}"
    problems = "; ".join(escape(f.message) for f in element.findings if f.status is not Status.PASS)
    line = f"[{_STYLE[element.status]}]{mark}[/] {element.ifc_class} {ident}{name}{where}: {problems}"
    if element.suppression is not None:
        line += f" — {_waived(element.suppression)}"
    return line


def _waived(s: Suppression) -> str:
    """`waived (was fail): reason (approved by …, date, expires …, baseline.yaml:3)`."""
    until = f", expires {s.expires}" if s.expires else ""
    where = f", {escape(s.source)}" if s.source else ""
    return (
        f"[{_STYLE[Status.SUPPRESSED]}]waived[/] (was {s.status.value}): {escape(s.reason)} "
        f"(approved by {escape(s.approved_by)}, {s.date}{until}{where})"
    )


def _print_baseline(console: Console, baseline: BaselineInfo) -> None:
    """What the baseline did; expired and unused waivers named, as someone must act on them."""
    console.print()
    applied = baseline.in_state(WaiverState.APPLIED)
    expired = baseline.in_state(WaiverState.EXPIRED)
    unused = baseline.in_state(WaiverState.UNUSED)
    suppressed = sum(w.matched for w in applied)
    console.print(
        f"[bold]Baseline[/] {escape(baseline.path)} "
        f"(as of {baseline.as_of}, sha256 {baseline.sha256[:16]}…): "
        f"{len(applied)} waiver(s) applied to {suppressed} finding(s), {len(expired)} expired, "
        f"{len(unused)} unused"
    )
    for w in expired:
        console.print(
            f"  [bold red]expired[/] {escape(_waiver_label(w))} on {w.expires}: "
            f"{w.matched} finding(s) count again ({escape(w.reason)})"
        )
    for w in unused:
        console.print(
            f"  [yellow]unused[/] {escape(_waiver_label(w))}: matches no finding ({escape(w.reason)})"
        )


def _waiver_label(w: Waiver) -> str:
    selector = w.global_id or " ".join(
        part for part in (w.ifc_class, f'"{w.name}"' if w.name else None, w.storey) if part
    )
    model = f" in {w.model}" if w.model else ""
    where = f" ({w.source})" if w.source else ""
    return f"{w.requirement}{' ' + selector if selector else ''}{model}{where}"
