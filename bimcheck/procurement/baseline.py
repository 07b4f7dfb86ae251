"""Baselines: known findings and waivers a run accepts, each with reason, approver and expiry date."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bimcheck.errors import InputError
from bimcheck.results import (
    FINDING_STATUSES,
    BaselineInfo,
    ElementResult,
    RequirementResult,
    RunResult,
    Status,
    Suppression,
    Waiver,
    WaiverState,
)
from bimcheck.rules.yaml_reader import Source, located_error, read_document, validate_document

FORMAT_KEY = "bimcheck_baseline"
FORMAT_VERSION = 1
_WHAT = "baseline file"
_START = f"starts with `{FORMAT_KEY}: {FORMAT_VERSION}`"
# Dates are ISO calendar dates and nothing else: 2025-3-1, 01/03/2025 or a time of day are refused,
# so that nobody has to guess which day a waiver ends.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Element statuses worse first, as the engine ranks them: one failure decides.
_PRECEDENCE = (Status.FAIL, Status.ERROR, Status.NOT_EVALUABLE)


def parse_date(value: str, what: str = "date") -> date:
    """A strict ISO date (YYYY-MM-DD); ValueError naming `what` otherwise."""
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a calendar date") from None


class _WaiverDoc(BaseModel):
    """One entry of a baseline file, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requirement: str
    global_id: str | None = None
    ifc_class: str | None = None
    name: str | None = None
    storey: str | None = None
    model: str | None = None
    reason: str
    approved_by: str
    date: str
    expires: str | None = None

    @field_validator("requirement", "reason", "approved_by", "global_id", "ifc_class", "model")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("date", "expires")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            parse_date(value)
        return value

    @model_validator(mode="after")
    def _selector(self) -> _WaiverDoc:
        if self.global_id is not None and (self.ifc_class, self.name, self.storey) != (None, None, None):
            raise ValueError("give either global_id or ifc_class (with name and storey), not both")
        if self.ifc_class is None and (self.name is not None or self.storey is not None):
            raise ValueError("name and storey narrow an ifc_class selector: give ifc_class too")
        if self.expires is not None and parse_date(self.expires) < parse_date(self.date):
            raise ValueError(f"expires {self.expires} is before the approval date {self.date}")
        return self


class _BaselineDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bimcheck_baseline: Any
    waivers: list[_WaiverDoc] = []


_KNOWN_KEYS = frozenset(_BaselineDoc.model_fields) | frozenset(_WaiverDoc.model_fields)


@dataclass(frozen=True, slots=True)
class Entry:
    """A waiver as read from a baseline file, with the line it was written on."""

    requirement: str
    reason: str
    approved_by: str
    approved_on: date
    expires: date | None = None
    global_id: str | None = None
    ifc_class: str | None = None
    name: str | None = None
    storey: str | None = None
    model: str | None = None
    source: str | None = None  # file:line

    @property
    def whole_requirement(self) -> bool:
        return self.global_id is None and self.ifc_class is None

    def expired(self, today: date) -> bool:
        """A waiver holds through its expiry date and no longer from the day after."""
        return self.expires is not None and today > self.expires

    def selects(self, requirement: RequirementResult, element: ElementResult | None = None) -> bool:
        """Whether this entry covers `element` of `requirement` (or, without one, the requirement)."""
        if self.requirement != requirement.id or (self.model is not None and self.model != requirement.model):
            return False
        if self.whole_requirement:
            return True
        if element is None:
            return False
        if self.global_id is not None:
            return element.global_id == self.global_id
        assert self.ifc_class is not None
        return (
            element.ifc_class.lower() == self.ifc_class.lower()  # IFC class names ignore case
            and (self.name is None or element.name == self.name)
            and (self.storey is None or element.storey == self.storey)
        )

    def suppression(self, status: Status) -> Suppression:
        return Suppression(
            status=status,
            reason=self.reason,
            approved_by=self.approved_by,
            date=self.approved_on.isoformat(),
            expires=None if self.expires is None else self.expires.isoformat(),
            source=self.source,
        )

    def waiver(self, state: WaiverState, matched: int) -> Waiver:
        return Waiver(
            requirement=self.requirement,
            reason=self.reason,
            approved_by=self.approved_by,
            date=self.approved_on.isoformat(),
            state=state,
            expires=None if self.expires is None else self.expires.isoformat(),
            global_id=self.global_id,
            ifc_class=self.ifc_class,
            name=self.name,
            storey=self.storey,
            model=self.model,
            source=self.source,
            matched=matched,
        )

    def _identity(self) -> tuple[str | None, ...]:
        return (
            self.requirement,
            self.model,
            self.global_id,
            None if self.ifc_class is None else self.ifc_class.lower(),
            self.name,
            self.storey,
        )


@dataclass(frozen=True, slots=True)
class Baseline:
    """A baseline file: where it is, its hash, and its entries in file order."""

    path: str
    sha256: str
    entries: tuple[Entry, ...]


def entry_from_waiver(w: Waiver) -> Entry:
    """The entry a recorded waiver was made from (a report carries its baseline's waivers)."""
    return Entry(
        requirement=w.requirement,
        reason=w.reason,
        approved_by=w.approved_by,
        approved_on=parse_date(w.date),
        expires=None if w.expires is None else parse_date(w.expires, "expires"),
        global_id=w.global_id,
        ifc_class=w.ifc_class,
        name=w.name,
        storey=w.storey,
        model=w.model,
        source=w.source,
    )


# --- reading ------------------------------------------------------------------------------------


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file; InputError naming the file and line otherwise."""
    p = Path(path)
    source = read_document(p, _WHAT, _START)
    version = source.document.get(FORMAT_KEY)
    if version is None:
        raise InputError(p, f"line 1: not a bimcheck baseline: `{FORMAT_KEY}: {FORMAT_VERSION}` is missing")
    if version != FORMAT_VERSION:
        line = source.line((FORMAT_KEY,))
        raise InputError(
            p,
            f"line {line}: baseline format {version} is not supported: this bimcheck reads {FORMAT_VERSION}",
        )
    doc = validate_document(source, _BaselineDoc, _KNOWN_KEYS)
    entries = tuple(_entry(source, p, i, w) for i, w in enumerate(doc.waivers))
    _refuse_duplicates(source, entries)
    return Baseline(path=str(p), sha256=hashlib.sha256(source.data).hexdigest(), entries=entries)


def _entry(source: Source, path: Path, index: int, w: _WaiverDoc) -> Entry:
    line = source.line(("waivers", index))
    return Entry(
        requirement=w.requirement,
        reason=w.reason,
        approved_by=w.approved_by,
        approved_on=parse_date(w.date),
        expires=None if w.expires is None else parse_date(w.expires),
        global_id=w.global_id,
        ifc_class=w.ifc_class,
        name=w.name,
        storey=w.storey,
        model=w.model,
        source=f"{path}:{line}",
    )


def _refuse_duplicates(source: Source, entries: Sequence[Entry]) -> None:
    # A second entry for the same findings could never apply: the first one always matches.
    first: dict[tuple[str | None, ...], int] = {}
    problems = []
    for index, entry in enumerate(entries):
        key = entry._identity()
        if key in first:
            line = source.line(("waivers", first[key]))
            problems.append((("waivers", index), f"waivers[{index}]: the same selection as line {line}"))
        else:
            first[key] = index
    if problems:
        raise located_error(source, problems)


# --- applying -----------------------------------------------------------------------------------


def strip_baseline(run: RunResult) -> RunResult:
    """The run as it was before any baseline: suppressed findings get their status back."""
    if run.baseline is None and not any(r.suppression for r in run.requirements):
        return run

    def element(e: ElementResult) -> ElementResult:
        if e.suppression is None:
            return e
        return replace(e, status=e.suppression.status, suppression=None)

    requirements = []
    for r in run.requirements:
        if r.suppression is None:
            requirements.append(r)
            continue
        elements = tuple(element(e) for e in r.elements)
        requirements.append(replace(r, status=r.suppression.status, suppression=None, elements=elements))
    return replace(run, requirements=tuple(requirements), baseline=None)


def apply_baseline(run: RunResult, baseline: Baseline, today: date) -> RunResult:
    """Suppress the findings the baseline's waivers in force select; record every waiver's use.

    Findings are elements that fail, cannot be evaluated or could not be checked. A waiver
    naming the whole requirement also covers its key figures and its own failure (no element
    found, say). A requirement's status is recomputed from its findings that still count;
    when none does, it is `suppressed`. Expired waivers suppress nothing. Any earlier
    baseline is removed first, so applying a baseline to a saved report is repeatable.
    """
    run = strip_baseline(run)
    suppressed: dict[int, int] = {}  # entry index → findings it suppressed
    counting: dict[int, int] = {}  # expired entry index → findings that count because it expired
    requirements = tuple(
        _apply(r, baseline.entries, today, suppressed, counting) if r.failed else r for r in run.requirements
    )
    waivers = []
    for index, entry in enumerate(baseline.entries):
        if entry.expired(today):
            waivers.append(entry.waiver(WaiverState.EXPIRED, counting.get(index, 0)))
        elif suppressed.get(index):
            waivers.append(entry.waiver(WaiverState.APPLIED, suppressed[index]))
        else:
            waivers.append(entry.waiver(WaiverState.UNUSED, 0))
    info = BaselineInfo(
        path=baseline.path, sha256=baseline.sha256, as_of=today.isoformat(), waivers=tuple(waivers)
    )
    return replace(run, requirements=requirements, baseline=info)


def _apply(
    r: RequirementResult,
    entries: Sequence[Entry],
    today: date,
    suppressed: dict[int, int],
    counting: dict[int, int],
) -> RequirementResult:
    mine = [
        (i, e)
        for i, e in enumerate(entries)
        if e.requirement == r.id and (e.model is None or e.model == r.model)
    ]
    if not mine:
        return r
    in_force = [(i, e) for i, e in mine if not e.expired(today)]
    expired = [(i, e) for i, e in mine if e.expired(today)]
    whole = next(((i, e) for i, e in in_force if e.whole_requirement), None)
    used: dict[int, Entry] = {}
    elements = []
    for element in r.elements:
        if element.status not in FINDING_STATUSES:
            elements.append(element)
            continue
        match = whole or next(((i, e) for i, e in in_force if e.selects(r, element)), None)
        if match is None:
            for i, e in expired:
                if e.selects(r, element):
                    counting[i] = counting.get(i, 0) + 1
                    break
            elements.append(element)
            continue
        index, entry = match
        suppressed[index] = suppressed.get(index, 0) + 1
        used.setdefault(index, entry)
        elements.append(
            replace(element, status=Status.SUPPRESSED, suppression=entry.suppression(element.status))
        )
    if whole is not None:
        has_findings = any(e.status in FINDING_STATUSES for e in r.elements)
        if not has_findings:  # the requirement's own failure (a key figure, no element found) is the finding
            suppressed[whole[0]] = suppressed.get(whole[0], 0) + 1
        used.setdefault(whole[0], whole[1])
        status = Status.SUPPRESSED
    elif not used:
        if not any(e.status in FINDING_STATUSES for e in r.elements):
            for i, e in expired:
                if e.whole_requirement:
                    counting[i] = counting.get(i, 0) + 1
                    break
        return r
    else:
        remaining = {e.status for e in elements if e.status in FINDING_STATUSES}
        remaining |= {k.status for k in r.key_figures if k.status in FINDING_STATUSES}
        status = next((s for s in _PRECEDENCE if s in remaining), Status.SUPPRESSED)
    return replace(
        r,
        status=status,
        elements=tuple(elements),
        suppression=_summary(r.status, [used[i] for i in sorted(used)]),
    )


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _summary(status: Status, entries: Sequence[Entry]) -> Suppression:
    """A requirement's suppression: its former status and the waivers of its findings together."""
    if len(entries) == 1:
        return entries[0].suppression(status)
    expiries: list[date] = [e.expires for e in entries if e.expires is not None]
    return Suppression(
        status=status,
        reason="; ".join(_distinct(e.reason for e in entries)),
        approved_by=", ".join(_distinct(e.approved_by for e in entries)),
        date=max(e.approved_on for e in entries).isoformat(),
        # The earliest expiry is when some of these findings will count again.
        expires=min(expiries).isoformat() if expiries else None,
        source=", ".join(_distinct(e.source for e in entries if e.source)) or None,
    )


def expired_findings(run: RunResult) -> list[tuple[RequirementResult, ElementResult | None, Waiver]]:
    """Findings that count because the waiver that selected them has expired."""
    if run.baseline is None:
        return []
    # Expiry was decided when the baseline was applied: the recorded state says which expired.
    expired = [(w, entry_from_waiver(w)) for w in run.baseline.in_state(WaiverState.EXPIRED)]
    out: list[tuple[RequirementResult, ElementResult | None, Waiver]] = []
    for r in run.requirements:
        if not r.failed:
            continue
        bad = [e for e in r.elements if e.status in FINDING_STATUSES]
        for element in bad:
            found = next((w for w, entry in expired if entry.selects(r, element)), None)
            if found is not None:
                out.append((r, element, found))
        if not bad:
            found = next((w for w, entry in expired if entry.whole_requirement and entry.selects(r)), None)
            if found is not None:
                out.append((r, None, found))
    return out


# --- creating -----------------------------------------------------------------------------------


def create_baseline(
    run: RunResult,
    *,
    reason: str,
    approved_by: str,
    today: date,
    expires: date | None = None,
    report: str | None = None,
) -> str:
    """A baseline file accepting every finding of `run` as known, as YAML text.

    One entry per element with a finding (by GlobalId; by class, name and storey without
    one); a requirement that fails on a key figure or without any element gets one entry for
    the whole requirement. Deterministic: the same run gives the same file.
    """
    if not reason.strip() or not approved_by.strip():
        raise ValueError("a baseline needs a reason and who approved it")
    if expires is not None and expires < today:
        raise ValueError(f"expires {expires.isoformat()} is before the approval date {today.isoformat()}")
    run = strip_baseline(run)
    several_models = len(run.models) > 1
    seen: set[tuple[str | None, ...]] = set()
    items: list[tuple[str, list[tuple[str, str]]]] = []
    for r in run.requirements:
        if not r.failed:
            continue
        # Models are named only when the report has several: an iteration's file name changes.
        model = r.model if several_models else None
        scope = [("requirement", r.id)] + ([("model", model)] if model is not None else [])
        bad = [e for e in r.elements if e.status in FINDING_STATUSES]
        figures = [k for k in r.key_figures if k.status in FINDING_STATUSES]
        if figures or not bad:
            key: tuple[str | None, ...] = (r.id, model)
            if key not in seen:
                seen.add(key)
                what = "; ".join(
                    f"{k.name}{f' [{k.group}]' if k.group else ''} {k.status.value}" for k in figures
                )
                items.append((f"{r.id}: {what or r.message or r.status.value}", scope))
            continue
        for e in bad:
            if e.global_id:
                selector = [("global_id", e.global_id)]
            else:
                selector = [("ifc_class", e.ifc_class)]
                selector += [(k, v) for k, v in (("name", e.name), ("storey", e.storey)) if v is not None]
            key = (r.id, model, *(v for _, v in selector))
            if key in seen:
                continue
            seen.add(key)
            label = f"{e.ifc_class} {e.global_id or '(no GlobalId)'}"
            label += f' "{e.name}"' if e.name else ""
            label += f" on {e.storey}" if e.storey else ""
            items.append((f"{r.id}: {label}: {e.status.value}", [*scope, *selector]))
    lines = [
        "# bimcheck baseline: findings accepted as known, each with its reason and approver.",
        f"# Made by `bimcheck baseline create`{f' from {_comment(report)}' if report else ''}"
        f" on {today.isoformat()}.",
        "# A waiver holds through its `expires` date; remove an entry when its finding is fixed.",
        f"{FORMAT_KEY}: {FORMAT_VERSION}",
    ]
    if not items:
        lines.append("waivers: []")
        return "\n".join(lines) + "\n"
    lines.append("waivers:")
    for comment, selection in items:
        lines.append(f"  # {_comment(comment)}")
        fields = [*selection, ("reason", reason), ("approved_by", approved_by)]
        for n, (k, v) in enumerate(fields):
            lines.append(f"{'  - ' if n == 0 else '    '}{k}: {_quoted(v)}")
        lines.append(f"    date: {today.isoformat()}")
        if expires is not None:
            lines.append(f"    expires: {expires.isoformat()}")
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: every character survives the round trip.
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())
