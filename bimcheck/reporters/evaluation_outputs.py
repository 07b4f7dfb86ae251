"""Output formats of a tender evaluation (console, json, xml, html), written like check reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from bimcheck.procurement.evaluation import (
    FIGURE_UNIT,
    LOWER_WINS,
    BidStatus,
    Effect,
    Evaluation,
    evaluation_to_dict,
)


@dataclass(frozen=True, slots=True)
class EvaluationOptions:
    """Choices about the form of the outputs, never their content."""

    lang: str = "en"
    sign_key: str | None = None
    sign_cert: str | None = None


def _console(evaluation: Evaluation, options: EvaluationOptions) -> str:
    return console(evaluation)


def _json(evaluation: Evaluation, options: EvaluationOptions) -> str:
    return json.dumps(evaluation_to_dict(evaluation), indent=2, ensure_ascii=False) + "\n"


def _xml(evaluation: Evaluation, options: EvaluationOptions) -> bytes:
    from bimcheck.reporters.evaluation_xml import render_bytes

    return render_bytes(evaluation, options.sign_key, options.sign_cert)


def _html(evaluation: Evaluation, options: EvaluationOptions) -> str:
    from bimcheck.reporters.evaluation_html import render

    return render(evaluation, options.lang)


FORMATS: dict[str, Callable[[Evaluation, EvaluationOptions], str | bytes]] = {
    "console": _console,
    "json": _json,
    "xml": _xml,
    "html": _html,
}


def parse_outputs(specs: list[str]) -> list[tuple[str, str | None]]:
    """`FORMAT` or `FORMAT:PATH` (None: stdout); ValueError for an unknown format or two on stdout."""
    parsed = []
    for spec in specs:
        name, _, path = spec.partition(":")
        name = name.strip().lower()
        if name not in FORMATS:
            raise ValueError(
                f"unknown output format {name!r} for an evaluation; choose from {', '.join(FORMATS)}"
            )
        parsed.append((name, None if path in ("", "-") else path))
    to_stdout = [spec for spec, (_, path) in zip(specs, parsed, strict=True) if path is None]
    if len(to_stdout) > 1:
        raise ValueError(f"only one output can go to stdout, got {', '.join(map(repr, to_stdout))}")
    return parsed


def write_outputs(
    evaluation: Evaluation,
    specs: list[str],
    stdout: Callable[[str | bytes], None],
    options: EvaluationOptions | None = None,
) -> None:
    """Render every requested output; files are written atomically, the rest goes to `stdout`."""
    from bimcheck.reporters.atomic import write_atomic

    options = options or EvaluationOptions()
    for name, path in parse_outputs(specs):
        data = FORMATS[name](evaluation, options)
        if path is None:
            stdout(data)
        else:
            write_atomic(path, data)


def _figure(value: Fraction, unit: str) -> str:
    if unit == "SEK":
        return f"{float(value):,.2f} SEK".replace(".00 SEK", " SEK")
    return f"{float(value):.2f} points"


def console(e: Evaluation) -> str:
    """A readable summary: ranking, exclusions and what remains to be done."""
    lines = [f"Tender {e.tender.id}: {e.tender.title}"]
    direction = "lowest" if LOWER_WINS[e.model.name] else "highest"
    unit = FIGURE_UNIT[e.model.name]
    lines.append(f"Evaluation model: {e.model.name} ({direction} comparison figure in {unit} wins)")
    lines.append("")
    lines.append("Ranking:")
    for b in e.ranking:
        assert b.figure is not None
        tie = " (tie)" if b.tie else ""
        flag = "" if b.status is BidStatus.ADMITTED else f"  [{b.status.value}]"
        lines.append(f"  {b.rank}{tie}. {b.id}  {b.supplier}: {_figure(b.figure.value, b.figure.unit)}{flag}")
    if not e.ranking:
        lines.append("  (no bid can be ranked)")
    for b in e.bids:
        if b.rank is None and b.status is not BidStatus.EXCLUDED:
            lines.append(f"  -  {b.id}  {b.supplier}: not ranked [{b.status.value}]")
    excluded = [b for b in e.bids if b.status is BidStatus.EXCLUDED]
    if excluded:
        lines.append("")
        lines.append("Excluded:")
        for b in excluded:
            lines.append(f"  {b.id}  {b.supplier}")
            for r in b.reasons:
                if r.effect is Effect.EXCLUDES:
                    ref = f"{r.requirement} " if r.requirement else ""
                    examples = f" (e.g. {', '.join(r.examples)})" if r.examples else ""
                    lines.append(f"    {ref}{r.title}: {r.message}{examples}")
    # An excluded bid's other reasons are in the XML and HTML; here they would only distract.
    pending = [
        (b, r)
        for b in e.bids
        if b.status is not BidStatus.EXCLUDED
        for r in b.reasons
        if r.effect is not Effect.EXCLUDES
    ]
    if pending:
        lines.append("")
        lines.append("Unresolved, and declarations to verify:")
        for b, r in pending:
            ref = f"{r.requirement} " if r.requirement else ""
            lines.append(f"  {b.id}: [{r.effect.value}] {ref}{r.title}: {r.message}")
    lines.append("")
    if e.winner is not None:
        state = "final" if e.final else "provisional"
        chosen = next(b for b in e.bids if b.id == e.winner)
        lines.append(f"Winner ({state}): {chosen.id}  {chosen.supplier}")
    else:
        lines.append("No winner can be named.")
    for note in e.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"
