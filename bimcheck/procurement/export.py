"""Publish a requirement set with the tender documents: IDS 1.0 for what IDS can say, and why not the rest."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bimcheck import __version__
from bimcheck.errors import InputError, RuleError
from bimcheck.results import Kind
from bimcheck.rules.facets import Facet
from bimcheck.rules.ids_writer import IDS_KINDS
from bimcheck.rules.measure_facet import MeasureFacet
from bimcheck.rules.related import RelatedFacet
from bimcheck.rules.requirement import Requirement, RuleSet

# The IDS 1.0 XSD's pattern for info/author: an e-mail address.
AUTHOR_PATTERN = re.compile(r"[^@]+@[^\.]+\..+")
# References to standards, which public procurement must qualify with "eller likvärdigt"
# (LOU 9 kap. 4 §; Upphandlingsmyndigheten, krav på föremålet). Regulations (BBR, PBF, BFS)
# are law, not standards, and are not matched.
_STANDARD = re.compile(
    r"(?<![\w-])(?:SS-EN ISO|SS-EN|SS-ISO|SS|EN ISO|ISO|EN)[ ](?:\d+(?:[ -]\d+)*)(?::\d{4})?"
)

TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "purpose": "upphandling",
        "milestone": "förfrågningsunderlag",
        "manual": "manuell kontroll: kan inte avgöras ur en IFC-modell",
        "aggregate": "nyckeltal ({name}) över flera objekt: IDS prövar varje objekt för sig",
        "measure": "mått {names} beräknas ur mängder eller geometri, vilket IDS inte kan uttrycka",
        "related": "relation {names} kan inte följas med IDS 1.0 partOf",
        "no_versions": "anger inga IFC-versioner",
        "comment_head": (
            "{n} krav i kravuppsättningen kan inte uttryckas i IDS 1.0 och finns därför inte i "
            "denna fil; de redovisas i kravbilagan och kontrolleras med bimcheck:"
        ),
        "info_intro": (
            "Informationskrav för upphandling, skrivna av bimcheck {version} ur kravfilerna nedan. "
            "Varje specifikation har kravets id som identifier och dess rubrik som namn."
        ),
        "info_files": "Kravfiler (SHA-256):",
        "info_parameters": "Parametrar med de värden som gäller i denna fil:",
        "info_no_parameters": "Kraven i denna fil använder inga parametrar.",
        "info_omitted": "{n} krav kan inte uttryckas i IDS 1.0 (se kommentaren överst i filen).",
        "default": "standardvärde",
        "overridden": "ändrat från standardvärdet {default}",
        "regulation": "Regelverk",
        "verification": "Verifiering",
        "kind": "Kravtyp",
        "weight": "vikt",
        "parameters": "Parametrar",
        "mandatory": "ska-krav",
        "scored": "bör-krav",
        "equivalent": "Hänvisningen till {standards} avser den standarden eller likvärdig.",
    },
    "en": {
        "purpose": "procurement",
        "milestone": "tender documents",
        "manual": "manual verification: cannot be decided from an IFC model",
        "aggregate": "key figure ({name}) over several elements: IDS tests each element on its own",
        "measure": "measure {names} is derived from quantities or geometry, which IDS cannot express",
        "related": "relation {names} cannot be followed with IDS 1.0 partOf",
        "no_versions": "names no IFC versions",
        "comment_head": (
            "{n} requirement(s) of the requirement set cannot be expressed in IDS 1.0 and are not "
            "in this file; the requirement appendix lists them and bimcheck checks them:"
        ),
        "info_intro": (
            "Information requirements for procurement, written by bimcheck {version} from the "
            "requirement files below. Each specification has the requirement id as its "
            "identifier and its title as its name."
        ),
        "info_files": "Requirement files (SHA-256):",
        "info_parameters": "Parameters, with the values in force in this file:",
        "info_no_parameters": "The requirements in this file use no parameters.",
        "info_omitted": "{n} requirement(s) cannot be expressed in IDS 1.0 (see the comment at the top).",
        "default": "default",
        "overridden": "changed from the default {default}",
        "regulation": "Regulation",
        "verification": "Verification",
        "kind": "Kind",
        "weight": "weight",
        "parameters": "Parameters",
        "mandatory": "mandatory requirement (ska-krav)",
        "scored": "scored requirement (bör-krav)",
        "equivalent": (
            "The reference to {standards} means that standard or an equivalent one (eller likvärdigt)."
        ),
    },
}


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter as published: the value in force, its default, unit and what uses it."""

    name: str
    value: str
    default: str
    unit: str | None
    description: str | None
    files: tuple[str, ...]
    used_by: tuple[str, ...]

    @property
    def overridden(self) -> bool:
        return self.value != self.default


@dataclass(frozen=True, slots=True)
class Publication:
    """A requirement set as it is published: requirements compiled with the parameters in force."""

    rules: RuleSet
    parameters: tuple[Parameter, ...]
    date: str
    author: str | None = None
    milestone: str | None = None

    def parameters_of(self, requirement: Requirement) -> tuple[Parameter, ...]:
        """The parameters a requirement's text uses, with the values from its own file."""
        path = _file_of(requirement)
        return tuple(
            p
            for p in self.parameters
            if p.name in requirement.parameters and (path is None or path in p.files)
        )


@dataclass(frozen=True, slots=True)
class Omitted:
    """A requirement left out of the IDS, and why (in the export's language)."""

    id: str
    title: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IdsExport:
    """The IDS document, the requirements it holds and those it could not hold."""

    data: bytes
    exported: tuple[str, ...]
    omitted: tuple[Omitted, ...]


def load_publication(
    paths: Sequence[str | Path],
    overrides: Mapping[str, str],
    *,
    date: str | None = None,
    author: str | None = None,
    milestone: str | None = None,
) -> Publication:
    """Load requirement files with parameter overrides, and what the publication says about them.

    `date` (YYYY-MM-DD, default today) is the only input that is not in the files: the same
    files, parameters and date always give the same bytes.
    """
    from bimcheck.rules.loader import YAML_SUFFIXES, load_rules
    from bimcheck.rules.yaml_format import parameter_declarations
    from bimcheck.rules.yaml_schema import parameter_text

    if date is None:
        date = datetime.now(UTC).date().isoformat()
    if not _is_date(date):
        raise InputError(None, f"--date {date!r}: expected a date as YYYY-MM-DD")
    if author is not None and not AUTHOR_PATTERN.fullmatch(author):
        raise InputError(None, f"--author {author!r}: IDS 1.0 wants an e-mail address, e.g. name@example.se")
    rules = load_rules(paths, overrides)
    # One row per parameter and value: the same threshold declared by two files is one.
    rows: dict[tuple[str, str, str | None], Parameter] = {}
    for source in rules.sources:
        if not source.path.lower().endswith(YAML_SUFFIXES):
            continue
        for name, doc in parameter_declarations(Path(source.path)).items():
            default = parameter_text(doc, doc.default)
            value = parameter_text(doc, overrides[name].strip()) if name in overrides else default
            used_by = tuple(
                r.id for r in rules.requirements if _file_of(r) == source.path and name in r.parameters
            )
            key = (name, value, doc.unit)
            row = rows.get(key) or Parameter(name, value, default, doc.unit, doc.description, (), ())
            rows[key] = replace(
                row, files=(*row.files, source.path), used_by=tuple(sorted({*row.used_by, *used_by}))
            )
    parameters = tuple(rows[key] for key in sorted(rows, key=lambda k: (k[0], k[1], k[2] or "")))
    return Publication(rules, parameters, date, author, milestone)


def _is_date(text: str) -> bool:
    try:
        return len(text) == 10 and datetime.strptime(text, "%Y-%m-%d") is not None
    except ValueError:
        return False


def _file_of(requirement: Requirement) -> str | None:
    """The file a requirement was defined in (its `source` is `path:line`)."""
    if requirement.source is None:
        return None
    path, _, line = requirement.source.rpartition(":")
    return path if line.isdigit() else requirement.source


# --- what IDS can express --------------------------------------------------------------------


def ids_obstacles(requirement: Requirement, lang: str = "en") -> tuple[str, ...]:
    """Why a requirement cannot be written as an IDS 1.0 specification; empty if it can.

    IDS has six facets and tests each element on its own: bimcheck's measures, relations,
    key figures and manual requirements have no IDS form, and leaving a facet out would
    publish a weaker requirement than the one that is checked, so such a requirement is
    left out whole and listed.
    """
    t = TEXT[lang]
    out: list[str] = []
    if requirement.manual:
        out.append(t["manual"])
    if requirement.aggregate is not None:
        name = requirement.aggregate.name or requirement.aggregate.label
        out.append(t["aggregate"].format(name=name))
    facets = [*requirement.applicability, *requirement.requirements]
    measures = sorted({f.measure for f in _all_facets(facets) if isinstance(f, MeasureFacet)})
    relations = sorted({f.via for f in _all_facets(facets) if isinstance(f, RelatedFacet)})
    if measures:
        out.append(t["measure"].format(names=", ".join(measures)))
    if relations:
        out.append(t["related"].format(names=", ".join(relations)))
    others = sorted({f.kind for f in _all_facets(facets)} - IDS_KINDS - {"measure", "related"})
    out.extend(f"{kind} facet" for kind in others)
    if not requirement.ifc_versions:
        out.append(t["no_versions"])
    return tuple(out)


def _all_facets(facets: Sequence[Facet]) -> list[Facet]:
    """Facets and, inside relations, the facets that select the related elements."""
    out: list[Facet] = []
    for facet in facets:
        out.append(facet)
        if isinstance(facet, RelatedFacet):
            out.extend(_all_facets(facet.where))
    return out


def standards_referenced(requirement: Requirement) -> tuple[str, ...]:
    """Standards a requirement names (SS, EN, ISO …) in its regulation, text or verification."""
    texts = [requirement.description or "", requirement.verification or ""]
    if requirement.regulation is not None:
        texts += [requirement.regulation.reference, requirement.regulation.edition or ""]
    found: dict[str, str] = {}
    for text in texts:
        for match in _STANDARD.finditer(text):
            reference = match.group(0)
            # "SS 21054" and "SS 21054:2020" are one standard: keep the one with its edition.
            key = reference.split(":")[0]
            if ":" in reference or key not in found:
                found[key] = reference
    return tuple(found.values())


# --- the IDS document ------------------------------------------------------------------------


def export_ids(publication: Publication, lang: str = "en") -> IdsExport:
    """One IDS 1.0 document with every requirement IDS can express; refused unless it is valid.

    The document is checked against the IDS XSD and bimcheck's IDS audit before it is
    returned, so that what is published is what bimcheck itself would accept.
    """
    from lxml import etree

    from bimcheck.rules.ids_writer import plain_element, specification

    t = TEXT[lang]
    rules = publication.rules
    exported: list[Requirement] = []
    omitted: list[Omitted] = []
    for requirement in rules.requirements:
        obstacles = ids_obstacles(requirement, lang)
        if obstacles:
            omitted.append(Omitted(requirement.id, requirement.title, obstacles))
        else:
            exported.append(requirement)
    if not exported:
        raise InputError(
            None,
            f"none of the {len(rules.requirements)} requirement(s) can be expressed in IDS 1.0: "
            "no IDS written",
        )

    root = plain_element(None, "ids")
    info = plain_element(root, "info")
    plain_element(info, "title").text = " + ".join(s.title or Path(s.path).name for s in rules.sources)
    versions = [s.version for s in rules.sources if s.version]
    if versions:
        plain_element(info, "version").text = ", ".join(dict.fromkeys(versions))
    plain_element(info, "description").text = _info_description(publication, exported, omitted, lang)
    if publication.author:
        plain_element(info, "author").text = publication.author
    plain_element(info, "date").text = publication.date
    plain_element(info, "purpose").text = t["purpose"]
    plain_element(info, "milestone").text = publication.milestone or t["milestone"]
    specifications = plain_element(root, "specifications")

    def element(
        parent: etree._Element | None, tag: str, at: tuple[str | int, ...] = (), **attributes: str
    ) -> etree._Element:
        return plain_element(specifications if parent is None else parent, tag, at, **attributes)

    for requirement in exported:
        attributes = {
            "name": requirement.title,
            "ifcVersion": _ifc_versions(requirement.ifc_versions),
            "identifier": requirement.id,
            "description": _spec_description(publication, requirement, lang),
        }
        if requirement.instructions:
            attributes["instructions"] = requirement.instructions
        specification(
            element,
            (),
            attributes,
            requirement.cardinality,
            [(f, ()) for f in requirement.applicability],
            [(f, ()) for f in requirement.requirements],
        )
    if omitted:
        lines = [t["comment_head"].format(n=len(omitted))]
        lines += [f"  {o.id}: {'; '.join(o.reasons)}" for o in omitted]
        root.addprevious(etree.Comment(_comment_text("\n".join(lines))))
    data = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _refuse_invalid(data, rules)
    return IdsExport(data, tuple(r.id for r in exported), tuple(omitted))


def _ifc_versions(versions: Sequence[str]) -> str:
    """IDS names the IFC 4.3 schema IFC4X3_ADD2; bimcheck files may write IFC4X3."""
    from bimcheck.model.schema import resolve_schema

    return " ".join(dict.fromkeys(resolve_schema(v) for v in versions))


def _comment_text(text: str) -> str:
    # XML forbids "--" inside a comment and a comment ending in "-".
    return "\n" + text.replace("--", "- -") + "\n"


def _info_description(
    publication: Publication, exported: Sequence[Requirement], omitted: Sequence[Omitted], lang: str
) -> str:
    t = TEXT[lang]
    lines = [t["info_intro"].format(version=__version__), "", t["info_files"]]
    lines += [f"- {Path(s.path).name} ({s.title}): {s.sha256}" for s in publication.rules.sources]
    lines.append("")
    used = {p for r in exported for p in publication.parameters_of(r)}
    if used:
        lines.append(t["info_parameters"])
        lines += [f"- {_parameter_text(p, lang)}" for p in publication.parameters if p in used]
    else:
        lines.append(t["info_no_parameters"])
    if omitted:
        lines += ["", t["info_omitted"].format(n=len(omitted))]
    return "\n".join(lines)


def _parameter_text(p: Parameter, lang: str) -> str:
    t = TEXT[lang]
    unit = f" {p.unit}" if p.unit else ""
    state = t["overridden"].format(default=p.default) if p.overridden else t["default"]
    return f"{p.name} = {p.value}{unit} ({state})"


def _spec_description(publication: Publication, r: Requirement, lang: str) -> str:
    """The requirement's description (with its motive), regulation, verification, kind, parameters."""
    t = TEXT[lang]
    parts = [r.description] if r.description else []
    facts: list[str] = []
    if r.regulation is not None:
        edition = f" ({r.regulation.edition})" if r.regulation.edition else ""
        facts.append(f"{t['regulation']}: {r.regulation.reference}{edition}")
    if r.verification:
        facts.append(f"{t['verification']}: {r.verification}")
    kind = t["mandatory"] if r.kind is Kind.MANDATORY else t["scored"]
    if r.weight is not None:
        kind += f", {t['weight']} {_number(r.weight)}"
    facts.append(f"{t['kind']}: {kind}")
    parameters = publication.parameters_of(r)
    if parameters:
        facts.append(f"{t['parameters']}: " + "; ".join(_parameter_text(p, lang) for p in parameters))
    standards = standards_referenced(r)
    if standards:
        facts.append(t["equivalent"].format(standards=", ".join(standards)))
    parts.append("\n".join(facts))
    return "\n\n".join(parts)


def _number(value: float) -> str:
    return f"{value:g}"


def _refuse_invalid(data: bytes, rules: RuleSet) -> None:
    """Raise unless the document passes the IDS XSD and the audit, naming the requirement at fault."""
    from lxml import etree

    from bimcheck.rules.ids import IDS_NS, line_of, secure_parser, xsd_issues
    from bimcheck.rules.ids_audit import audit_tree

    tree = etree.ElementTree(etree.fromstring(data, secure_parser()))
    issues = xsd_issues(tree)
    if not issues:
        issues = [i for i in audit_tree(tree) if i.severity == "error"]
    if not issues:
        return
    starts = sorted(
        (line_of(spec) or 0, spec.get("identifier", "")) for spec in tree.iter(f"{{{IDS_NS}}}specification")
    )
    details = []
    for issue in issues:
        owner = next((ident for line, ident in reversed(starts) if issue.line and line <= issue.line), None)
        details.append(f"{owner or 'info'}: {issue.message}")
    first = details[0]
    by_id = {r.id: r for r in rules.requirements}
    owner_id = first.split(":", 1)[0]
    source = by_id[owner_id].source if owner_id in by_id else None
    raise RuleError(
        source,
        f"the IDS written for requirement {first} — refusing to write an invalid IDS "
        f"({len(details)} problem(s))",
        details,
    )


# --- everything at once ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outputs:
    """Rendered outputs, ready to be written in order; nothing is written until all rendered."""

    files: tuple[tuple[Path, bytes], ...]
    ids: IdsExport | None


def publish(
    publication: Publication,
    *,
    ids: Path | None = None,
    html: Path | None = None,
    markdown: Path | None = None,
    lang: str = "en",
) -> Outputs:
    """Render the IDS and the requirement appendix (HTML, Markdown) that were asked for.

    Everything is rendered before anything is written, so an IDS that would be invalid or a
    path given twice stops the run with no file written.
    """
    from bimcheck.procurement.appendix import build, render_html, render_markdown

    if lang not in TEXT:
        raise InputError(None, f"--lang {lang!r}: choose {' or '.join(TEXT)}")
    targets = [(p, kind) for p, kind in ((ids, "ids"), (html, "html"), (markdown, "md")) if p is not None]
    if not targets:
        raise InputError(None, "nothing to export: give --ids, --html and/or --md with an output path")
    seen: dict[Path, str] = {}
    for path, kind in targets:
        key = path.resolve()
        if key in seen:
            raise InputError(path, f"given as the output of both --{seen[key]} and --{kind}")
        seen[key] = kind
    files: list[tuple[Path, bytes]] = []
    exported = export_ids(publication, lang) if ids is not None else None
    if ids is not None and exported is not None:
        files.append((ids, exported.data))
    if html is not None or markdown is not None:
        appendix = build(publication, lang)
        if html is not None:
            files.append((html, render_html(appendix).encode("utf-8")))
        if markdown is not None:
            files.append((markdown, render_markdown(appendix).encode("utf-8")))
    return Outputs(tuple(files), exported)
