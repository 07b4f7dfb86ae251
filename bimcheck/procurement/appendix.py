"""The requirement appendix for tender documents: every requirement in words, as HTML or Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from bimcheck import __version__
from bimcheck.procurement.export import (
    Parameter,
    Publication,
    ids_obstacles,
    standards_referenced,
)
from bimcheck.procurement.wording import LANGUAGES, Wording
from bimcheck.results import Kind
from bimcheck.rules.requirement import Requirement

STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Kravbilaga",
        "intro": (
            "Kraven nedan ställs på leverantörens IFC-modell. För varje krav anges vad som krävs, "
            "varför (motiv), var kravet kommer ifrån (regelverk och utgåva), hur uppfyllelse "
            "verifieras och om det är ett ska-krav (obligatoriskt; ett anbud som inte uppfyller det "
            "förkastas) eller ett bör-krav (utvärderingskriterium som ger poäng eller mervärde)."
        ),
        "equivalent_intro": (
            "Där ett krav hänvisar till en standard gäller hänvisningen den standarden ”eller "
            "likvärdigt”. En anbudsgivare som åberopar en likvärdig standard eller metod ska visa "
            "likvärdigheten i anbudet."
        ),
        "published": "Publicerad",
        "author": "Upprättad av",
        "milestone": "Skede",
        "tool": "Skapad med",
        "files": "Kravfiler",
        "file": "Fil",
        "file_title": "Titel",
        "version": "Version",
        "count": "Antal krav",
        "sha256": "SHA-256",
        "traceability": (
            "Bilagan är skapad ur kravfilerna ovan; kontrollsumman (SHA-256) identifierar exakt "
            "den fil som kraven är hämtade ur."
        ),
        "summary": "Sammanfattning",
        "summary_text": (
            "{total} krav: {mandatory} ska-krav och {scored} bör-krav; {automatic} kontrolleras "
            "automatiskt i modellen, {key_figures} är nyckeltal och {manual} kontrolleras manuellt. "
            "{in_ids} krav finns även som IDS 1.0."
        ),
        "mandatory_group": "Ska-krav (obligatoriska krav)",
        "mandatory_intro": "Ett anbud vars modell inte uppfyller ett ska-krav förkastas.",
        "scored_group": "Bör-krav (utvärderingskriterier)",
        "scored_intro": "Bör-krav behöver inte uppfyllas; uppfyllda bör-krav värderas enligt sin vikt.",
        "requirement": "Krav",
        "description": "Beskrivning",
        "motive": "Motiv",
        "regulation": "Regelverk",
        "edition": "utgåva",
        "verification": "Verifiering",
        "method": "Kontrollmetod",
        "automatic": "automatisk modellkontroll",
        "key_figure": "nyckeltal ur modellen",
        "manual": "manuell kontroll",
        "kind": "Kravtyp",
        "mandatory": "ska-krav",
        "scored": "bör-krav",
        "weight": "Vikt",
        "parameters": "Parametrar",
        "parameter": "Parameter",
        "value": "Värde",
        "unit": "Enhet",
        "default": "Standardvärde",
        "used_by": "Används av",
        "parameter_description": "Beskrivning",
        "overridden": "ändrat för denna upphandling",
        "no_parameters": "Kraven använder inga parametrar.",
        "parameters_intro": "Gränsvärden är parametrar; värdena nedan gäller i denna upphandling.",
        "ifc_versions": "IFC-versioner",
        "instructions": "Anvisning till modellförfattaren",
        "ids": "IDS 1.0",
        "ids_yes": "ingår i IDS-filen (identifier {id})",
        "ids_no": "ingår inte i IDS-filen: {reasons}",
        "equivalent": "Hänvisningen till {standards} gäller ”eller likvärdigt”.",
        "source": "Källa",
        "none": "–",
    },
    "en": {
        "title": "Requirement appendix",
        "intro": (
            "The requirements below apply to the supplier's IFC model. Each states what is "
            "required, why (motive), where it comes from (regulation and edition), how fulfilment "
            "is verified, and whether it is a mandatory requirement (ska-krav: a tender that fails "
            "it is rejected) or a scored one (bör-krav: an award criterion earning points or value)."
        ),
        "equivalent_intro": (
            "Where a requirement refers to a standard, the reference means that standard “or "
            "equivalent” (eller likvärdigt). A bidder relying on an equivalent standard or method "
            "shows the equivalence in the tender."
        ),
        "published": "Published",
        "author": "Author",
        "milestone": "Milestone",
        "tool": "Made with",
        "files": "Requirement files",
        "file": "File",
        "file_title": "Title",
        "version": "Version",
        "count": "Requirements",
        "sha256": "SHA-256",
        "traceability": (
            "This appendix is generated from the requirement files above; the checksum (SHA-256) "
            "identifies exactly the file the requirements come from."
        ),
        "summary": "Summary",
        "summary_text": (
            "{total} requirements: {mandatory} mandatory and {scored} scored; {automatic} are "
            "checked automatically on the model, {key_figures} are key figures and {manual} are "
            "verified manually. {in_ids} are also published as IDS 1.0."
        ),
        "mandatory_group": "Mandatory requirements (ska-krav)",
        "mandatory_intro": "A tender whose model fails a mandatory requirement is rejected.",
        "scored_group": "Scored requirements (bör-krav)",
        "scored_intro": "Scored requirements need not be met; those met are valued by their weight.",
        "requirement": "Requirement",
        "description": "Description",
        "motive": "Motive",
        "regulation": "Regulation",
        "edition": "edition",
        "verification": "Verification",
        "method": "Method",
        "automatic": "automatic model check",
        "key_figure": "key figure from the model",
        "manual": "manual",
        "kind": "Kind",
        "mandatory": "mandatory (ska-krav)",
        "scored": "scored (bör-krav)",
        "weight": "Weight",
        "parameters": "Parameters",
        "parameter": "Parameter",
        "value": "Value",
        "unit": "Unit",
        "default": "Default",
        "used_by": "Used by",
        "parameter_description": "Description",
        "overridden": "changed for this procurement",
        "no_parameters": "The requirements use no parameters.",
        "parameters_intro": "Thresholds are parameters; the values below apply in this procurement.",
        "ifc_versions": "IFC versions",
        "instructions": "Instructions to the model author",
        "ids": "IDS 1.0",
        "ids_yes": "in the IDS file (identifier {id})",
        "ids_no": "not in the IDS file: {reasons}",
        "equivalent": "The reference to {standards} means “or equivalent” (eller likvärdigt).",
        "source": "Source",
        "none": "–",
    },
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One requirement as the appendix shows it."""

    id: str
    title: str
    text: str  # what is required, generated from the facets
    description: str | None  # the requirement in its author's words, without the motive
    motive: str | None
    regulation: str | None
    edition: str | None
    url: str | None
    verification: str | None
    method: str  # automatic / key figure / manual, in words
    kind: str
    scored: bool
    weight: str | None
    parameters: tuple[Parameter, ...]
    equivalent: str | None  # the "eller likvärdigt" note, where a standard is referenced
    ids: str  # whether the IDS holds it, and if not why
    ifc_versions: str
    instructions: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    intro: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    title: str
    version: str
    count: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Appendix:
    """Everything the appendix says, in one language, in the order it says it."""

    lang: str
    title: str
    date: str
    author: str | None
    milestone: str | None
    tool: str
    sources: tuple[SourceRow, ...]
    summary: str
    groups: tuple[Group, ...]
    parameters: tuple[Parameter, ...]


def build(publication: Publication, lang: str = "en") -> Appendix:
    """The appendix's content: requirements grouped by kind (ska-krav first), then by id."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown appendix language {lang!r}; choose from {', '.join(LANGUAGES)}")
    t = STRINGS[lang]
    wording = Wording(lang)
    requirements = publication.rules.requirements
    groups = []
    for kind, title, intro in (
        (Kind.MANDATORY, t["mandatory_group"], t["mandatory_intro"]),
        (Kind.SCORED, t["scored_group"], t["scored_intro"]),
    ):
        chosen = sorted((r for r in requirements if r.kind is kind), key=lambda r: _natural(r.id))
        if chosen:
            entries = tuple(_entry(publication, r, wording, t) for r in chosen)
            groups.append(Group(title, intro, entries))
    methods = [_method_key(r) for r in requirements]
    summary = t["summary_text"].format(
        total=len(requirements),
        mandatory=sum(r.kind is Kind.MANDATORY for r in requirements),
        scored=sum(r.kind is Kind.SCORED for r in requirements),
        automatic=methods.count("automatic"),
        key_figures=methods.count("key_figure"),
        manual=methods.count("manual"),
        in_ids=sum(not ids_obstacles(r) for r in requirements),
    )
    sources = tuple(
        SourceRow(Path(s.path).name, s.title or "", s.version or "", s.requirement_count, s.sha256)
        for s in publication.rules.sources
    )
    return Appendix(
        lang=lang,
        title=" + ".join(s.title or s.name for s in sources),
        date=publication.date,
        author=publication.author,
        milestone=publication.milestone,
        tool=f"bimcheck {__version__}",
        sources=sources,
        summary=summary,
        groups=tuple(groups),
        parameters=publication.parameters,
    )


def _entry(publication: Publication, r: Requirement, wording: Wording, t: dict[str, str]) -> Entry:
    obstacles = ids_obstacles(r, wording.lang)
    standards = standards_referenced(r)
    ids = t["ids_no"].format(reasons="; ".join(obstacles)) if obstacles else t["ids_yes"].format(id=r.id)
    return Entry(
        id=r.id,
        title=r.title,
        text=wording.requirement(r),
        description=_own_description(r),
        motive=r.motive,
        regulation=r.regulation.reference if r.regulation else None,
        edition=r.regulation.edition if r.regulation else None,
        url=r.regulation.url if r.regulation else None,
        verification=r.verification,
        method=t[_method_key(r)],
        kind=t["mandatory" if r.kind is Kind.MANDATORY else "scored"],
        scored=r.kind is Kind.SCORED,
        weight=None if r.weight is None else f"{r.weight:g}",
        parameters=publication.parameters_of(r),
        equivalent=t["equivalent"].format(standards=", ".join(standards)) if standards else None,
        ids=ids,
        ifc_versions=", ".join(r.ifc_versions),
        instructions=r.instructions,
        source=_source_name(r.source),
    )


def _method_key(r: Requirement) -> str:
    if r.manual:
        return "manual"
    if r.aggregate is not None and not r.requirements:
        return "key_figure"
    return "automatic"


def _own_description(r: Requirement) -> str | None:
    """The description without the motive the YAML loader appends to it (`Motiv: …`)."""
    text = r.description
    if not text or not r.motive:
        return text
    head, _, last = text.rpartition("\n\n")
    label, sep, rest = last.partition(": ")
    if sep and rest == r.motive and "\n" not in label:
        return head or None
    return text


def _source_name(source: str | None) -> str:
    if not source:
        return ""
    path, _, line = source.rpartition(":")
    return f"{Path(path).name}:{line}" if line.isdigit() else Path(source).name


def _natural(text: str) -> tuple[object, ...]:
    """Ids sorted as people number them: SE-ACC-2 before SE-ACC-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


# --- HTML ------------------------------------------------------------------------------------


def render_html(appendix: Appendix) -> str:
    """One self-contained HTML page (inline CSS, nothing fetched); same input, same bytes."""
    template = _environment().get_template("appendix.html.j2")
    return template.render(a=appendix, t=STRINGS[appendix.lang])


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bimcheck.procurement", "templates"),
        autoescape=True,  # every string from a rule file is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["patterns"] = _html_patterns
    return environment


def _html_patterns(text: str) -> Markup:
    """Escaped text with the patterns the wording quoted set as code."""
    parts = _QUOTED_PATTERN.split(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if k % 2 else escape(part) for k, part in enumerate(parts)
    )


# --- Markdown --------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
# The wording quotes patterns «…» (sv) or “…” (en); the quotes stay, the pattern becomes code.
_QUOTED_PATTERN = re.compile(r"(?<=[«“])([^»”]*)(?=[»”])")


def _md(text: str | None, *, patterns: bool = False) -> str:
    """Text as Markdown shows it literally: markup characters escaped, lines joined; with
    `patterns` (generated requirement text), the patterns the wording quoted as code."""
    if not text:
        return ""
    text = " ".join(text.split())
    out = []
    for k, part in enumerate(_QUOTED_PATTERN.split(text) if patterns else [text]):
        if k % 2:  # a code span needs no escapes
            fence = "``" if "`" in part else "`"
            out.append(f"{fence}{part}{fence}")
        else:
            out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", part))
    return "".join(out)


def _md_paragraphs(text: str | None) -> str:
    return "\n\n".join(_md(p) for p in (text or "").split("\n\n") if p.strip())


def render_markdown(appendix: Appendix) -> str:
    """The appendix as plain Markdown (CommonMark with pipe tables); same input, same bytes."""
    t = STRINGS[appendix.lang]
    out = [f"# {t['title']}: {_md(appendix.title)}", ""]
    facts = [(t["published"], appendix.date)]
    if appendix.milestone:
        facts.append((t["milestone"], appendix.milestone))
    if appendix.author:
        facts.append((t["author"], appendix.author))
    facts.append((t["tool"], appendix.tool))
    out += [f"- {label}: {_md(value)}" for label, value in facts]
    out += ["", _md(t["intro"]), "", _md(t["equivalent_intro"]), ""]
    out += [f"## {t['files']}", ""]
    out.append(f"| {t['file']} | {t['file_title']} | {t['version']} | {t['count']} | {t['sha256']} |")
    out.append("|---|---|---|---:|---|")
    for s in appendix.sources:
        out.append(f"| {_md(s.name)} | {_md(s.title)} | {_md(s.version)} | {s.count} | `{s.sha256}` |")
    out += ["", _md(t["traceability"]), ""]
    out += [f"## {t['summary']}", "", _md(appendix.summary), ""]
    for group in appendix.groups:
        out += [f"## {_md(group.title)}", "", _md(group.intro), ""]
        for e in group.entries:
            out += _md_entry(e, t)
    out += [f"## {t['parameters']}", ""]
    if appendix.parameters:
        out += [_md(t["parameters_intro"]), ""]
        out.append(
            f"| {t['parameter']} | {t['value']} | {t['unit']} | {t['default']} | {t['used_by']} | "
            f"{t['parameter_description']} |"
        )
        out.append("|---|---|---|---|---|---|")
        for p in appendix.parameters:
            value = _md(p.value) + (f" ({t['overridden']})" if p.overridden else "")
            out.append(
                f"| {_md(p.name)} | {value} | {_md(p.unit) or t['none']} | {_md(p.default)} | "
                f"{_md(', '.join(p.used_by)) or t['none']} | {_md(p.description) or t['none']} |"
            )
    else:
        out.append(_md(t["no_parameters"]))
    return "\n".join(out).rstrip("\n") + "\n"


def _md_entry(e: Entry, t: dict[str, str]) -> list[str]:
    out = [f"### {_md(e.id)}: {_md(e.title)}", ""]
    rows: list[tuple[str, str]] = [(t["requirement"], _md(e.text, patterns=True))]
    if e.description:
        rows.append((t["description"], _md_paragraphs(e.description).replace("\n\n", " ")))
    rows.append((t["motive"], _md(e.motive) or t["none"]))
    if e.regulation:
        regulation = _md(e.regulation)
        if e.edition:
            regulation += f" ({t['edition']} {_md(e.edition)})"
        if e.url:
            regulation += f" <{e.url}>"
        rows.append((t["regulation"], regulation))
    if e.equivalent:
        rows.append(("", _md(e.equivalent)))
    rows.append((t["verification"], _md(e.verification) or t["none"]))
    rows.append((t["method"], _md(e.method)))
    rows.append((t["kind"], _md(e.kind)))
    if e.weight is not None:
        rows.append((t["weight"], e.weight))
    if e.parameters:
        rows.append(
            (
                t["parameters"],
                "; ".join(
                    _md(f"{p.name} = {p.value}" + (f" {p.unit}" if p.unit else "")) for p in e.parameters
                ),
            )
        )
    if e.instructions:
        rows.append((t["instructions"], _md(e.instructions)))
    rows.append((t["ifc_versions"], _md(e.ifc_versions)))
    rows.append((t["ids"], _md(e.ids)))
    rows.append((t["source"], _md(e.source)))
    out += [f"- **{label}:** {value}" if label else f"- {value}" for label, value in rows]
    return [*out, ""]
