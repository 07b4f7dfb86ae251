"""Diff reports: readable text for a terminal, JSON for machines, Markdown for a pull request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bimcheck.procurement.diff import (
    DIFF_VERSION,
    Change,
    DiffResult,
    FigureChange,
    FindingChange,
    FindingRef,
    RequirementDiff,
    Side,
)
from bimcheck.results import Status, Suppression, WaiverState

# Unchanged findings are listed up to this many per requirement in text formats; JSON has all.
MAX_UNCHANGED = 10
_SIGN = {Change.NEW: "+", Change.FIXED: "-", Change.UNCHANGED: "="}


def _status(s: Status | None) -> str:
    return "—" if s is None else s.value


def _value(v: float | None, unit: str | None) -> str:
    if v is None:
        return "—"
    return f"{v:.6g}{' ' + unit if unit else ''}"


def _waived(s: Suppression) -> str:
    until = f", expires {s.expires}" if s.expires else ""
    return f"waived: {s.reason} (approved by {s.approved_by}, {s.date}{until})"


def _finding_text(f: FindingChange) -> str:
    ref = f.current
    status = ref.status.value
    if (
        f.change is Change.UNCHANGED
        and f.old is not None
        and f.new is not None
        and f.old.status != f.new.status
    ):
        status = f"{f.old.status.value} → {f.new.status.value}"
    text = f"{ref.label}: {status}: {ref.message}"
    if f.new is not None and f.new.waived is not None:
        text += f" — {_waived(f.new.waived)}"
    if f.expired is not None:
        text += f" — waiver expired {f.expired.expires} ({f.expired.source or f.expired.reason})"
    return text


def _headline(d: DiffResult) -> str:
    return (
        f"{d.count(Change.NEW)} new, {d.count(Change.FIXED)} fixed, {d.count(Change.UNCHANGED)} unchanged "
        f"finding(s); {d.waived} waived; {len(d.counting)} count under --fail-on {d.fail_on}"
    )


def _side_text(side: Side) -> str:
    models = ", ".join(f"{name} (sha256 {sha[:12]}…)" for name, sha in side.models) or "no model"
    return f"{side.label}: {models}" if side.label else models


# --- console -------------------------------------------------------------------------------------


def render_text(d: DiffResult) -> str:
    lines = [
        f"OLD {_side_text(d.old)}",
        f"NEW {_side_text(d.new)}",
        *(f"note: {n}" for n in d.notes),
        "",
        _headline(d),
    ]
    for r in d.requirements:
        lines.append("")
        status = _status(r.new_status)
        if r.status_changed:
            status = f"{_status(r.old_status)} → {status}"
        lines.append(f"{r.id} {r.title} ({r.kind.value}, {r.severity.value}; {r.model}): {status}")
        for change in Change:
            found = r.of(change)
            shown = found[:MAX_UNCHANGED] if change is Change.UNCHANGED else found
            for f in shown:
                mark = "!" if f.counts else " "
                lines.append(f" {mark}{_SIGN[change]} {change.value:<9} {_finding_text(f)}")
            if len(found) > len(shown):
                lines.append(
                    f"   … and {len(found) - len(shown)} more unchanged (the JSON diff lists them all)"
                )
    if d.key_figures:
        lines += ["", "Key figures that changed:"]
        lines += [f"  {_figure_text(k)}" for k in d.key_figures]
    lines += _baseline_lines(d)
    lines += ["", f"exit code {d.exit_code}: {_verdict(d)}"]
    return "\n".join(lines) + "\n"


def _figure_text(k: FigureChange) -> str:
    group = f" [{k.group}]" if k.group else ""
    status = "" if k.old_status == k.new_status else f" ({_status(k.old_status)} → {_status(k.new_status)})"
    return f"{k.requirement} {k.name}{group}: {_value(k.old, k.unit)} → {_value(k.new, k.unit)}{status}"


def _baseline_lines(d: DiffResult) -> list[str]:
    b = d.baseline
    if b is None:
        return []
    lines = ["", f"Baseline {b.path} (as of {b.as_of}):"]
    for w in b.waivers:
        selector = (
            w.global_id or " ".join(p for p in (w.ifc_class, w.name, w.storey) if p) or "whole requirement"
        )
        extra = {
            WaiverState.APPLIED: f"suppresses {w.matched} finding(s)",
            WaiverState.EXPIRED: f"expired {w.expires}: {w.matched} finding(s) count again",
            WaiverState.UNUSED: "matches no finding: remove it",
        }[w.state]
        lines.append(f"  {w.state.value:<8} {w.requirement} {selector} ({w.source}): {extra}")
    return lines


def _verdict(d: DiffResult) -> str:
    if not d.counting:
        return "no new finding counts"
    expired = sum(1 for _, f in d.counting if f.expired is not None)
    new = len(d.counting) - expired
    parts = [f"{new} new finding(s)"] if new else []
    if expired:
        parts.append(f"{expired} finding(s) whose waiver expired")
    return " and ".join(parts) + f" at or above --fail-on {d.fail_on}"


# --- JSON ----------------------------------------------------------------------------------------


def _ref(ref: FindingRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {
        "subject": ref.subject.value,
        "status": ref.status.value,
        "global_id": ref.global_id,
        "ifc_class": ref.ifc_class,
        "name": ref.name,
        "storey": ref.storey,
        "message": ref.message,
        "waived": None
        if ref.waived is None
        else {
            "reason": ref.waived.reason,
            "approved_by": ref.waived.approved_by,
            "date": ref.waived.date,
            "expires": ref.waived.expires,
            "source": ref.waived.source,
        },
    }


def _change(f: FindingChange) -> dict[str, Any]:
    return {
        "key": f.key,
        "change": f.change.value,
        "counts": f.counts,
        "expired_waiver": None if f.expired is None else f.expired.source,
        "old": _ref(f.old),
        "new": _ref(f.new),
    }


def _requirement(r: RequirementDiff) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "model": r.model,
        "kind": r.kind.value,
        "severity": r.severity.value,
        "old_status": None if r.old_status is None else r.old_status.value,
        "new_status": None if r.new_status is None else r.new_status.value,
        "counts": {c.value: len(r.of(c)) for c in Change},
        "findings": [_change(f) for f in r.findings],
    }


def _side(side: Side) -> dict[str, Any]:
    return {
        "label": side.label,
        "models": [{"name": n, "sha256": s} for n, s in side.models],
        "rule_sources": [{"path": p, "sha256": s} for p, s in side.rule_sources],
        "parameters": dict(side.parameters),
    }


def diff_to_dict(d: DiffResult) -> dict[str, Any]:
    """The diff as JSON-ready data; no timestamps, so the same inputs give the same bytes."""
    b = d.baseline
    return {
        "diff_version": DIFF_VERSION,
        "old": _side(d.old),
        "new": _side(d.new),
        "fail_on": d.fail_on,
        "exit_code": d.exit_code,
        "summary": {
            **{c.value: d.count(c) for c in Change},
            "waived": d.waived,
            "counting": len(d.counting),
            "status_changed": sum(1 for r in d.requirements if r.status_changed),
            "key_figures_changed": len(d.key_figures),
        },
        "notes": list(d.notes),
        "requirements": [_requirement(r) for r in d.requirements],
        "key_figures": [
            {
                "requirement": k.requirement,
                "model": k.model,
                "name": k.name,
                "group": k.group,
                "unit": k.unit,
                "old": k.old,
                "new": k.new,
                "old_status": None if k.old_status is None else k.old_status.value,
                "new_status": None if k.new_status is None else k.new_status.value,
            }
            for k in d.key_figures
        ],
        "baseline": None
        if b is None
        else {
            "path": b.path,
            "sha256": b.sha256,
            "as_of": b.as_of,
            **{s.value: [w.source for w in b.in_state(s)] for s in WaiverState},
        },
    }


def render_json(d: DiffResult) -> str:
    return json.dumps(diff_to_dict(d), indent=2, ensure_ascii=False) + "\n"


# --- Markdown ------------------------------------------------------------------------------------


def _md(text: str) -> str:
    # Table cells: a pipe or a line break would end the cell; markup characters are shown as written.
    out = " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")
    for ch in "*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


def render_markdown(d: DiffResult) -> str:
    lines = [
        "## bimcheck diff",
        "",
        f"**OLD** {_md(_side_text(d.old))}  ",
        f"**NEW** {_md(_side_text(d.new))}",
        "",
        f"**{_md(_headline(d))}**",
        "",
        *(f"> {_md(n)}" for n in d.notes),
    ]
    if d.requirements:
        lines += [
            "",
            "| | change | requirement | finding | status |",
            "|---|---|---|---|---|",
        ]
        for r in d.requirements:
            requirement = f"{_md(r.id)} {_md(r.title)}"
            if r.status_changed:
                lines.append(
                    f"| | status | {requirement} | | {_status(r.old_status)} → {_status(r.new_status)} |"
                )
            for change in Change:
                found = r.of(change)
                shown = found[:MAX_UNCHANGED] if change is Change.UNCHANGED else found
                for f in shown:
                    mark = "❗" if f.counts else ""
                    ref = f.current
                    note = ""
                    if f.new is not None and f.new.waived is not None:
                        note = f" — {_md(_waived(f.new.waived))}"
                    if f.expired is not None:
                        note = f" — waiver expired {f.expired.expires}"
                    finding = f"{_md(ref.label)}: {_md(ref.message)}{note}"
                    lines.append(
                        f"| {mark} | {change.value} | {requirement} | {finding} | {ref.status.value} |"
                    )
                if len(found) > len(shown):
                    lines.append(f"| | unchanged | {requirement} | … and {len(found) - len(shown)} more | |")
    if d.key_figures:
        lines += ["", "| key figure | group | old | new |", "|---|---|---|---|"]
        for k in d.key_figures:
            lines.append(
                f"| {_md(k.requirement)} {_md(k.name)} | {_md(k.group or '')} | {_md(_value(k.old, k.unit))} "
                f"| {_md(_value(k.new, k.unit))} |"
            )
    baseline = _baseline_lines(d)
    if baseline:
        lines += ["", f"**{_md(baseline[1])}**", "", *(f"- {_md(x.strip())}" for x in baseline[2:])]
    lines += ["", f"exit code {d.exit_code}: {_md(_verdict(d))}"]
    return "\n".join(lines) + "\n"


FORMATS: dict[str, tuple[Callable[[DiffResult], str], str]] = {
    "console": (render_text, "readable list of new, fixed and unchanged findings"),
    "json": (render_json, "machine-readable diff"),
    "markdown": (render_markdown, "a table for a pull request or a CI job summary"),
}
