"""Load bimcheck YAML requirement files: safe parsing with line numbers, parameters, validation."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from bimcheck.errors import RuleError
from bimcheck.model.measures import MEASURES
from bimcheck.model.schema import resolve_schema, schema_info
from bimcheck.model.spatial import RELATIONS as SPATIAL_RELATIONS
from bimcheck.results import Kind, Regulation, RuleSourceInfo, Severity
from bimcheck.rules.aggregates import Aggregate
from bimcheck.rules.facets import (
    OPTIONAL,
    PROHIBITED,
    REQUIRED,
    AttributeFacet,
    ClassificationFacet,
    EntityFacet,
    Facet,
    MaterialFacet,
    PartOfFacet,
    PropertyFacet,
)
from bimcheck.rules.measure_facet import MeasureFacet
from bimcheck.rules.related import ANY, RelatedFacet
from bimcheck.rules.requirement import Requirement, RuleSet
from bimcheck.rules.values import ValueSpec
from bimcheck.rules.yaml_reader import Issue as _Issue
from bimcheck.rules.yaml_reader import Loc, issues, read_document
from bimcheck.rules.yaml_reader import Problems as _Problems
from bimcheck.rules.yaml_reader import Source as _Source
from bimcheck.rules.yaml_reader import located_error as located_error  # re-exported for tender files
from bimcheck.rules.yaml_reader import validate_document as validate_document  # re-exported
from bimcheck.rules.yaml_schema import (
    FORMAT_VERSION,
    KNOWN_KEYS,
    AggregateDoc,
    AttributeBody,
    ClassificationBody,
    EntityBody,
    EntityItem,
    MaterialBody,
    MeasureBody,
    ParameterDoc,
    Parameters,
    PartOfBody,
    PropertyBody,
    RelatedBody,
    RequirementDoc,
    RequirementFile,
    Restriction,
    parameter_text,
    parameter_value_problem,
)

if TYPE_CHECKING:
    from lxml import etree

# The motive is kept with the description, labelled in the file's language, because every
# report shows the description and procurement guidance asks that each requirement state why.
_MOTIVE_LABEL = {"sv": "Motiv", "en": "Motive"}

# `${name}` is replaced by a parameter's value; `$${name}` stands for the literal text `${name}`.
_REFERENCE = re.compile(r"\$(\$?)\{([^{}]*)\}")


# --- public API ------------------------------------------------------------------------------


def declared_parameters(path: Path) -> dict[str, str]:
    """Parameters a YAML requirement file declares, with their default values as text."""
    return {name: parameter_text(p, p.default) for name, p in parameter_declarations(path).items()}


def parameter_declarations(path: Path) -> dict[str, ParameterDoc]:
    """Parameters a YAML requirement file declares (type, default, unit, description), in order."""
    source = _read(path)
    try:
        return _parameter_docs(source)
    except _Problems as problems:
        raise problems.rule_error(path) from None


def load_yaml(path: Path, overrides: Mapping[str, str]) -> RuleSet:
    """Load a YAML requirement file; `overrides` replace parameter defaults by name.

    Overrides for parameters this file does not declare are ignored here: the loader
    refuses names that no loaded file declares.
    """
    source = _read(path)
    try:
        parameters = _parameter_docs(source)
        values = _effective_values(source, parameters, overrides)
        substituted, uses = _substituted(source, values)
        document = _validated(source, substituted)
        requirements = _Compiler(source, document, uses).compile()
    except _Problems as problems:
        raise problems.rule_error(path) from None
    info = RuleSourceInfo(
        path=str(path),
        sha256=hashlib.sha256(source.data).hexdigest(),
        format="yaml",
        title=document.title,
        version=document.version,
        requirement_count=len(requirements),
    )
    return RuleSet(requirements=requirements, sources=(info,), parameters=values)


# --- reading ---------------------------------------------------------------------------------


def _read(path: Path) -> _Source:
    source = read_document(path, "requirement file", f"starts with `bimcheck: {FORMAT_VERSION}`")
    _check_format_version(source)
    return source


def _check_format_version(source: _Source) -> None:
    version = source.document.get("bimcheck")
    line = source.line(("bimcheck",))
    if version is None:
        raise RuleError(
            source.path,
            f"line 1: not a bimcheck requirement file: the format version `bimcheck: {FORMAT_VERSION}` "
            "is missing",
        )
    if version != FORMAT_VERSION:
        raise RuleError(
            source.path,
            f"line {line}: format version {version} is not supported: this bimcheck reads "
            f"`bimcheck: {FORMAT_VERSION}`",
        )


# --- validation ------------------------------------------------------------------------------


def _issues(
    source: _Source, error: ValidationError, prefix: Loc = (), known_keys: frozenset[str] = KNOWN_KEYS
) -> list[_Issue]:
    return issues(source, error, prefix, known_keys)


def _parameter_docs(source: _Source) -> dict[str, ParameterDoc]:
    raw = source.document.get("parameters", {})
    try:
        return TypeAdapter(Parameters).validate_python(raw)
    except ValidationError as exc:
        raise _Problems(_issues(source, exc, ("parameters",))) from None


def _effective_values(
    source: _Source, parameters: dict[str, ParameterDoc], overrides: Mapping[str, str]
) -> dict[str, str]:
    values: dict[str, str] = {}
    issues = []
    for name, parameter in parameters.items():
        text = overrides[name].strip() if name in overrides else parameter.default
        problem = parameter_value_problem(parameter, text)
        if problem:
            issues.append(
                _Issue(
                    source.line(("parameters", name)),
                    f"parameter {name} is a {parameter.type}: override {problem}",
                )
            )
        values[name] = parameter_text(parameter, text)
    if issues:
        raise _Problems(issues)
    return values


def _substituted(source: _Source, values: Mapping[str, str]) -> tuple[dict[str, Any], dict[int, set[str]]]:
    """The document with `${name}` replaced in the requirements (never in their ids), and the
    names each requirement (by index) uses."""
    issues: list[_Issue] = []
    uses: dict[int, set[str]] = {}

    def text(value: str, loc: Loc) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, name = match.group(1), match.group(2)
            if escaped:
                return "${" + name + "}"
            if name not in values:
                declared = ", ".join(sorted(values)) or "none"
                issues.append(
                    _Issue(source.line(loc), f"unknown parameter ${{{name}}} (declared: {declared})")
                )
                return match.group(0)
            uses.setdefault(int(loc[1]), set()).add(name)
            return values[name]

        if "${" in _REFERENCE.sub("", value):
            issues.append(_Issue(source.line(loc), f"{value!r}: '${{' without a closing '}}'"))
        return _REFERENCE.sub(replace, value)

    def walk(node: Any, loc: Loc) -> Any:
        if isinstance(node, str):
            return text(node, loc)
        if isinstance(node, list):
            return [walk(item, (*loc, i)) for i, item in enumerate(node)]
        if isinstance(node, dict):
            return {k: v if k == "id" else walk(v, (*loc, k)) for k, v in node.items()}
        return node

    document = dict(source.document)
    if "requirements" in document:
        document["requirements"] = walk(document["requirements"], ("requirements",))
    if issues:
        raise _Problems(issues)
    return document, uses


def _validated(source: _Source, document: dict[str, Any]) -> RequirementFile:
    try:
        return RequirementFile.model_validate(document)
    except ValidationError as exc:
        raise _Problems(_issues(source, exc)) from None


# --- compilation -----------------------------------------------------------------------------


def _spec(value: str | Restriction, *, upper: bool = False) -> ValueSpec:
    """Compile a YAML value to an IDS value; class names are compared in uppercase, as in IDS."""

    def case(text: str) -> str:
        return text.upper() if upper else text

    if isinstance(value, str):
        return ValueSpec(simple=case(value))
    bounds = (value.min, value.max, value.greater_than, value.less_than)
    return ValueSpec(
        # The XSD base an IDS writer gives the restriction (see ids_writer.write_value).
        base="double" if any(b is not None for b in bounds) else "string",
        enumeration=tuple(case(v) for v in value.one_of or ()),
        patterns=tuple(value.pattern or ()),
        min_inclusive=value.min,
        max_inclusive=value.max,
        min_exclusive=value.greater_than,
        max_exclusive=value.less_than,
        length=value.length,
        min_length=value.min_length,
        max_length=value.max_length,
    )


def _optional_spec(value: str | Restriction | None, *, upper: bool = False) -> ValueSpec | None:
    return None if value is None else _spec(value, upper=upper)


def _literals(spec: ValueSpec) -> tuple[str, ...]:
    return (spec.simple,) if spec.simple is not None else spec.enumeration


def _selected_classes(facets: list[Any], versions: list[str]) -> dict[str, list[str]] | None:
    """Classes an applicability's entity facet names, per schema; None when it names none.

    Only literal names count (a name or one_of): a pattern could select anything.
    """
    for item in facets:
        if not isinstance(item, EntityItem):
            continue
        name = item.entity.name
        if isinstance(name, str):
            literals: tuple[str, ...] = (name,)
        elif name.one_of and not name.pattern:
            literals = tuple(name.one_of)
        else:
            return None
        out = {}
        for version in versions:
            info = schema_info(version)
            # A class a schema lacks is the IDS audit's to report.
            out[version] = [n for n in (info.entity_name(c) for c in literals) if n is not None]
        return out
    return None


class _Compiler:
    """Compiles a validated file to Requirements and collects what the schema alone cannot see."""

    def __init__(self, source: _Source, document: RequirementFile, uses: dict[int, set[str]]) -> None:
        self.source = source
        self.document = document
        self.uses = uses  # parameter names each requirement uses, by index
        self.issues: list[_Issue] = []

    def issue(self, loc: Loc, message: str) -> None:
        self.issues.append(_Issue(self.source.line(loc), message))

    def compile(self) -> tuple[Requirement, ...]:
        seen: dict[str, int] = {}
        out = []
        for index, doc in enumerate(self.document.requirements):
            loc: Loc = ("requirements", index)
            id_line = self.source.line((*loc, "id"))
            if doc.id in seen:
                self.issue((*loc, "id"), f"requirement id {doc.id!r} is already used at line {seen[doc.id]}")
            seen.setdefault(doc.id, id_line)
            out.append(self.requirement(doc, loc))
        self.audit(out)
        if self.issues:
            raise _Problems(self.issues)
        return tuple(out)

    def requirement(self, doc: RequirementDoc, loc: Loc) -> Requirement:
        versions: list[str] = list(dict.fromkeys(doc.ifc_versions or self.document.ifc_versions or []))
        if not versions:
            self.issue(loc, "no ifc_versions: list them on the requirement or at the top of the file")
        if doc.weight is not None and doc.kind != "scored":
            self.issue((*loc, "weight"), "weight applies only to kind: scored (ska-krav are pass or fail)")
        if doc.applies == PROHIBITED and (doc.requirements or doc.aggregate):
            self.issue(
                (*loc, "requirements" if doc.requirements else "aggregate"),
                "applies: prohibited means no element may match the applicability, so it has no "
                + ("requirements" if doc.requirements else "aggregate"),
            )
        if doc.applicability is None and not doc.manual:
            self.issue(
                loc,
                "missing required key 'applicability' (only a manual requirement may leave it out)",
            )
        if doc.manual:
            # A manual requirement is verified by hand: nothing would evaluate these.
            for key in ("requirements", "aggregate"):
                if getattr(doc, key):
                    self.issue(
                        (*loc, key),
                        f"manual: true means the requirement is verified by hand, so it has no {key} "
                        "(the applicability lists the elements to verify)",
                    )
        selected = _selected_classes(doc.applicability or [], versions)
        applicability = tuple(
            self.facet(item, (*loc, "applicability", j), versions, in_applicability=True, classes=selected)
            for j, item in enumerate(doc.applicability or ())
        )
        requirements = tuple(
            self.facet(item, (*loc, "requirements", j), versions, in_applicability=False, classes=selected)
            for j, item in enumerate(doc.requirements)
        )
        aggregate = (
            None
            if doc.aggregate is None
            else self.aggregate(doc.aggregate, (*loc, "aggregate"), versions, selected)
        )
        regulation = doc.regulation
        default_severity = Severity.ERROR if doc.kind == "mandatory" else Severity.WARNING
        return Requirement(
            id=doc.id,
            title=doc.title,
            applicability=applicability,
            requirements=requirements,
            cardinality=doc.applies,
            ifc_versions=tuple(versions),
            description=self.description(doc),
            instructions=doc.instructions,
            kind=Kind(doc.kind),
            severity=Severity(doc.severity) if doc.severity else default_severity,
            weight=doc.weight,
            regulation=None
            if regulation is None
            else Regulation(regulation.reference, regulation.edition, regulation.url),
            verification=doc.verification,
            source=f"{self.source.path}:{self.source.line((*loc, 'id'))}",
            tags=tuple(doc.tags),
            aggregate=aggregate,
            manual=doc.manual,
            motive=doc.motive,
            parameters=tuple(sorted(self.uses.get(int(loc[1]), ()))),
        )

    def aggregate(
        self, doc: AggregateDoc, loc: Loc, versions: list[str], classes: dict[str, list[str]] | None
    ) -> Aggregate:
        if doc.measure is not None:
            self.measure_applies(doc.measure, (*loc, "measure"), classes)
        return Aggregate(
            function=doc.function,
            measure=doc.measure,
            source=doc.source,
            arguments=tuple(sorted(doc.arguments.items())),
            where=tuple(
                self.facet(item, (*loc, "where", j), versions, in_applicability=True, classes=classes)
                for j, item in enumerate(doc.where)
            ),
            group_by=doc.group_by,
            value=_optional_spec(doc.value),
            name=doc.name,
        )

    def measure_applies(self, name: str, loc: Loc, classes: dict[str, list[str]] | None) -> None:
        """A measure must be defined for the classes the facets select, where they name them.

        A measure asked of a class it is not defined for is unknown on every element, so the
        requirement could never pass: that is a mistake in the file, not in the model.
        """
        self.classes_fit(f"measure {name}", MEASURES[name].applies_to, loc, classes)

    def classes_fit(
        self, what: str, defined_for: tuple[str, ...], loc: Loc, classes: dict[str, list[str]] | None
    ) -> None:
        """Each selected class is one `defined_for` names, or a subclass of one, in every schema."""
        if not classes:
            return
        for version, names in classes.items():
            info = schema_info(version)
            wrong = [
                c
                for c in names
                if not any(a.upper() in info.entities and info.is_subtype(c, a) for a in defined_for)
            ]
            if wrong:
                self.issue(
                    loc,
                    f"{what} is defined for {', '.join(defined_for)}, not {', '.join(wrong)} (in {version})",
                )
                return

    def description(self, doc: RequirementDoc) -> str | None:
        parts = [doc.description] if doc.description else []
        if doc.motive:
            label = _MOTIVE_LABEL.get((self.document.language or "en").split("-")[0], "Motive")
            parts.append(f"{label}: {doc.motive}")
        return "\n\n".join(parts) or None

    def facet(
        self,
        item: Any,
        loc: Loc,
        versions: list[str],
        *,
        in_applicability: bool,
        classes: dict[str, list[str]] | None = None,
    ) -> Facet:
        """Compile one facet; `classes` are the classes it applies to per schema, when known."""
        key = next(iter(type(item).model_fields))  # each facet item has its kind as only key
        body = getattr(item, key)
        floc: Loc = (*loc, key)
        cardinality = getattr(body, "cardinality", None)
        if in_applicability and cardinality is not None:
            self.issue(
                (*floc, "cardinality"),
                "cardinality applies only to facets under requirements "
                "(applicability and `where` facets select)",
            )
        card = cardinality or REQUIRED
        if isinstance(body, EntityBody):
            return EntityFacet(
                name=_spec(body.name, upper=True),
                predefined_type=_optional_spec(body.predefined_type),
                instructions=body.instructions,
            )
        if isinstance(body, AttributeBody):
            return AttributeFacet(
                name=_spec(body.name),
                value=_optional_spec(body.value),
                cardinality=card,
                instructions=body.instructions,
            )
        if isinstance(body, PropertyBody):
            facet = PropertyFacet(
                property_set=_spec(body.property_set),
                base_name=_spec(body.name),
                data_type=body.data_type.upper() if body.data_type else None,
                value=_optional_spec(body.value),
                uri=body.uri,
                cardinality=card,
                instructions=body.instructions,
            )
            self.property_templates(facet, floc, versions)
            return facet
        if isinstance(body, ClassificationBody):
            return ClassificationFacet(
                system=_optional_spec(body.system),
                value=_optional_spec(body.value),
                uri=body.uri,
                cardinality=card,
                instructions=body.instructions,
            )
        if isinstance(body, MaterialBody):
            return MaterialFacet(
                value=_optional_spec(body.value),
                uri=body.uri,
                cardinality=card,
                instructions=body.instructions,
            )
        if isinstance(body, MeasureBody):
            self.measure_applies(body.name, (*floc, "name"), classes)
            return MeasureFacet(
                measure=body.name,
                value=_optional_spec(body.value),
                source=body.source,
                arguments=tuple(sorted(body.arguments.items())),
                instructions=body.instructions,
            )
        if isinstance(body, RelatedBody):
            starts = SPATIAL_RELATIONS[body.via].starts_from
            self.classes_fit(f"relation {body.via}", starts, (*floc, "via"), classes)
            # The facets under `where` select among the related elements, like an applicability.
            related = _selected_classes(body.where, versions)
            return RelatedFacet(
                via=body.via,
                where=tuple(
                    self.facet(w, (*floc, "where", k), versions, in_applicability=True, classes=related)
                    for k, w in enumerate(body.where)
                ),
                quantifier=body.quantifier or ANY,
                count=_optional_spec(body.count),
                arguments=tuple(sorted(body.arguments.items())),
                cardinality=card,
                instructions=body.instructions,
            )
        assert isinstance(body, PartOfBody)
        return PartOfFacet(
            entity=EntityFacet(
                name=_spec(body.entity.name, upper=True),
                predefined_type=_optional_spec(body.entity.predefined_type),
            ),
            relation=body.relation,
            cardinality=card,
            instructions=body.instructions,
        )

    def property_templates(self, facet: PropertyFacet, loc: Loc, versions: list[str]) -> None:
        """Names in buildingSMART's own sets (Pset_…, Qto_…) must be names those sets define.

        A misspelt standard property never matches anything, so every element would fail
        for a reason the supplier cannot fix; the templates shipped with ifcopenshell say
        which names and measure types exist.
        """
        standard = [n for n in _literals(facet.property_set) if n.startswith(("Pset_", "Qto_"))]
        if not standard or not versions:
            return
        templates = {n: _templates(n, versions) for n in standard}
        for name, found in templates.items():
            if not found:
                known = sorted({t for v in versions for t in _pset_templates(resolve_schema(v))})
                close = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.issue(
                    (*loc, "property_set"),
                    f"{name} is not a standard property set in {' and '.join(versions)}{hint}; "
                    "names starting with Pset_ and Qto_ are reserved for buildingSMART's sets",
                )
        properties: dict[str, set[str]] = {}
        for found in templates.values():
            for props in found:
                for prop, measure in props.items():
                    properties.setdefault(prop, set()).add(measure)
        if not properties:
            return
        # An unknown data type is the IDS audit's to report; only a known but wrong one is ours.
        data_type = facet.data_type if facet.data_type and _is_data_type(facet.data_type, versions) else None
        for prop in _literals(facet.base_name):
            if prop not in properties:
                close = difflib.get_close_matches(prop, sorted(properties), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.issue(
                    (*loc, "name"), f"{' / '.join(standard)} has no property {prop!r} in its template{hint}"
                )
            elif data_type and "" not in properties[prop] and data_type not in properties[prop]:
                self.issue(
                    (*loc, "data_type"),
                    f"{prop} is {' or '.join(sorted(properties[prop]))} in its template, not {data_type}",
                )

    def audit(self, requirements: list[Requirement]) -> None:
        """Run the IDS audit on the requirements written as IDS, lines pointing into the YAML.

        Whatever this loader accepts, the IDS loader would accept too, so a requirement set
        can later be published as IDS without surprises. Measures, relations and aggregates
        are bimcheck's own and have no IDS form: they are left out of the specification, and
        the facets a relation's `where` selects with are audited as a specification of their
        own (they apply to the related elements, not to the requirement's).
        """
        from lxml import etree

        from bimcheck.rules.ids import IDS_NS
        from bimcheck.rules.ids_audit import audit_tree

        root = etree.Element(f"{{{IDS_NS}}}ids")
        specifications = etree.SubElement(root, f"{{{IDS_NS}}}specifications")
        for index, requirement in enumerate(requirements):
            if not requirement.ifc_versions:
                continue
            loc: Loc = ("requirements", index)
            applicability = _located(requirement.applicability, (*loc, "applicability"))
            checks = _located(requirement.requirements, (*loc, "requirements"))
            if requirement.aggregate is not None:
                # A ratio's `where` tests the applicable elements themselves, as requirements do.
                checks += _located(requirement.aggregate.where, (*loc, "aggregate", "where"))
            if requirement.cardinality == PROHIBITED:
                checks = []  # a prohibited requirement with requirements is reported in YAML terms
            for spec in self.as_ids(requirement, loc, applicability, checks):
                specifications.append(spec)
        self.issues.extend(
            _Issue(issue.line or 1, issue.message)
            for issue in audit_tree(etree.ElementTree(root))
            if issue.severity == "error"
        )

    def as_ids(
        self,
        requirement: Requirement,
        loc: Loc,
        applicability: list[tuple[Facet, Loc]],
        checks: list[tuple[Facet, Loc]],
    ) -> list[etree._Element]:
        """IDS specifications for the requirement's IDS facets, then one per relation's `where`."""
        from lxml import etree

        from bimcheck.rules.ids import IDS_NS
        from bimcheck.rules.ids_writer import IDS_KINDS, specification

        def element(parent: etree._Element | None, tag: str, at: Loc, **attributes: str) -> etree._Element:
            name = f"{{{IDS_NS}}}{tag}"
            node = etree.Element(name) if parent is None else etree.SubElement(parent, name)
            for key, value in attributes.items():
                node.set(key, value)
            # lxml lets a built element carry a line, which the IDS audit reports.
            node.sourceline = self.source.line(at)  # type: ignore[assignment]
            return node

        def spec(
            selecting: list[tuple[Facet, Loc]], required: list[tuple[Facet, Loc]], cardinality: str
        ) -> etree._Element | None:
            selecting = [(f, at) for f, at in selecting if f.kind in IDS_KINDS]
            required = [(f, at) for f, at in required if f.kind in IDS_KINDS]
            if not selecting:
                # IDS needs an applicability facet; a requirement selecting only by measures or
                # relations still has its IDS requirement facets audited, against no class.
                if not required:
                    return None
                selecting, required = [(f, at) for f, at in required], []
            attributes = {"name": requirement.title, "ifcVersion": " ".join(requirement.ifc_versions)}
            return specification(element, loc, attributes, cardinality, selecting, required)

        out = [spec(applicability, checks, requirement.cardinality)]
        for facet, at in [*applicability, *checks]:
            for related, where in _relations(facet, at):
                out.append(spec(_located(related.where, where), [], OPTIONAL))
        return [s for s in out if s is not None]


def _located(facets: tuple[Facet, ...], loc: Loc) -> list[tuple[Facet, Loc]]:
    return [(facet, (*loc, j)) for j, facet in enumerate(facets)]


def _relations(facet: Facet, loc: Loc) -> list[tuple[RelatedFacet, Loc]]:
    """Related facets in a facet, nested ones too, with the location of their `where` list."""
    if not isinstance(facet, RelatedFacet):
        return []
    where: Loc = (*loc, "related", "where")
    out = [(facet, where)]
    for k, inner in enumerate(facet.where):
        out.extend(_relations(inner, (*where, k)))
    return out


def _is_data_type(name: str, versions: list[str]) -> bool:
    return any(name in schema_info(v).defined_types for v in versions)


def _templates(pset: str, versions: list[str]) -> list[dict[str, str]]:
    """Property name -> IFC measure type (uppercase, "" if the template gives none) per schema."""
    return [t[pset] for v in versions if pset in (t := _pset_templates(resolve_schema(v)))]


@cache
def _pset_templates(schema: str) -> dict[str, dict[str, str]]:
    """Property set templates ifcopenshell ships for a schema (its resolved name)."""
    import ifcopenshell.util.pset

    template = ifcopenshell.util.pset.get_template("IFC4X3" if schema.startswith("IFC4X3") else schema)
    return {
        pset.Name: {prop.Name: _template_measure(prop) for prop in pset.HasPropertyTemplates or ()}
        for file in template.templates
        for pset in file.by_type("IfcPropertySetTemplate")
    }


def _template_measure(prop: Any) -> str:
    measure = getattr(prop, "PrimaryMeasureType", None)
    if measure:
        return str(measure).upper()
    # Quantity templates give a kind (Q_AREA …): the measure is that of the quantity class
    # the model indexes them by (IfcQuantityArea …).
    from bimcheck.model.properties import QUANTITY_MEASURES

    kind = str(getattr(prop, "TemplateType", "")).removeprefix("Q_")
    return QUANTITY_MEASURES.get(f"IfcQuantity{kind.title()}", "")
