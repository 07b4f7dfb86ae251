"""IDS audit: problems the XSD cannot catch (unknown classes, attributes, data types, values).

Each check looks at one specification against the IFC schemas it declares in `ifcVersion`.
Problems that make a specification unsatisfiable whatever the model holds are errors (the
IDS is refused); doubtful but satisfiable constructs are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from bimcheck.model.schema import IFC2X3_OCCURRENCE_BY_TYPE, AttributeInfo, SchemaInfo, schema_info
from bimcheck.rules.facets import PROHIBITED
from bimcheck.rules.ids import _NS, Issue, _value, line_of, spec_cardinality
from bimcheck.rules.values import ValueSpec, compile_xsd_pattern

# XSD lexical forms (XML Schema part 2) of the value kinds IDS compares.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN")
# IDS requires booleans in lowercase; XSD would also accept 1 and 0.
_BOOLEAN = ("true", "false")

# EXPRESS simple types -> the kind of value IDS compares them as.
_NUMERIC = {"integer": "integer", "real": "real", "number": "real"}
# The IDS data type table gives xs:integer for these NUMBER-based measures.
_INTEGER_MEASURES = {"IFCCOUNTMEASURE"}


@dataclass(frozen=True, slots=True)
class _Spec:
    """One specification under audit: its schemas and the classes its applicability selects."""

    name: str
    schemas: tuple[SchemaInfo, ...]
    applicable_classes: dict[str, set[str]] | None  # schema name -> uppercase class names


def audit_tree(tree: etree._ElementTree) -> list[Issue]:
    """Audit an XSD-valid IDS document; returns errors and warnings with line numbers."""
    issues: list[Issue] = []
    for spec in tree.getroot().iterfind("ids:specifications/ids:specification", _NS):
        issues.extend(_audit_specification(spec))
    return issues


def _audit_specification(spec: etree._Element) -> list[Issue]:
    issues: list[Issue] = []
    versions = spec.get("ifcVersion", "").split()
    schemas = tuple(schema_info(v) for v in dict.fromkeys(versions))
    applicability = spec.find("ids:applicability", _NS)
    requirements = spec.find("ids:requirements", _NS)
    if applicability is None:
        return issues
    entity = applicability.find("ids:entity", _NS)
    applicable = None
    if entity is not None:
        issues.extend(_audit_entity(entity, schemas, None))
        applicable = _classes_by_schema(_value(entity.find("ids:name", _NS)), schemas)
    context = _Spec(spec.get("name", ""), schemas, applicable)
    for facet in applicability:
        if isinstance(facet.tag, str) and etree.QName(facet).localname != "entity":
            issues.extend(_audit_facet(facet, context))
    if requirements is not None:
        facets = [f for f in requirements if isinstance(f.tag, str)]
        if spec_cardinality(applicability) == PROHIBITED and facets:
            issues.append(
                Issue(
                    line_of(requirements),
                    f'specification "{context.name}" is prohibited (maxOccurs="0") and so cannot '
                    "have requirements",
                )
            )
        for facet in facets:
            issues.extend(_audit_facet(facet, context))
    return issues


def _audit_facet(facet: etree._Element, spec: _Spec) -> list[Issue]:
    tag = etree.QName(facet).localname
    if tag == "entity":
        return _audit_entity(facet, spec.schemas, spec.applicable_classes)
    if tag == "partOf":
        inner = facet.find("ids:entity", _NS)
        return _audit_entity(inner, spec.schemas, None) if inner is not None else []
    if tag == "attribute":
        return _audit_attribute(facet, spec)
    if tag == "property":
        return _audit_property(facet, spec)
    issues: list[Issue] = []
    for child in facet:
        if isinstance(child.tag, str):
            issues.extend(_audit_string_value(child, etree.QName(child).localname))
    return issues


# --- values ------------------------------------------------------------------------------


def _value_node(parent: etree._Element, name: str) -> etree._Element | None:
    return parent.find(f"ids:{name}", _NS)


def _literals(spec: ValueSpec) -> list[str]:
    """Every literal value a spec compares with (simple, enumeration and bounds)."""
    out = [] if spec.simple is None else [spec.simple]
    out.extend(spec.enumeration)
    out.extend(
        b
        for b in (spec.min_inclusive, spec.min_exclusive, spec.max_inclusive, spec.max_exclusive)
        if b is not None
    )
    return out


def _pattern_issues(node: etree._Element, spec: ValueSpec) -> list[Issue]:
    issues = []
    for pattern in spec.patterns:
        try:
            compiled = compile_xsd_pattern(pattern)
        except ValueError as exc:
            issues.append(Issue(line_of(node), f'invalid XSD regular expression "{pattern}": {exc}'))
            continue
        if nested_quantifier(compiled.pattern):
            issues.append(
                Issue(
                    line_of(node),
                    f'regular expression "{pattern}" repeats a repetition (like (a+)+): on a long '
                    "value that almost matches it can backtrack for hours; check --timeout bounds it",
                    "warning",
                )
            )
    return issues


def nested_quantifier(translated: str) -> bool:
    """True if a repeated part of a (Python) regular expression itself contains a variable
    repetition: the usual cause of catastrophic backtracking (ReDoS)."""
    # re._parser is CPython's own regex parser; its tree is the reliable way to see nesting.
    from re import _parser

    repeat_ops = (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT)

    def parts(op: object, argument: Any) -> list[Any]:
        """The sub-expressions of one node (groups, alternatives, lookarounds)."""
        if op == _parser.SUBPATTERN:
            return [argument[-1]]
        if op == _parser.BRANCH:
            return list(argument[1])
        if op in (_parser.ASSERT, _parser.ASSERT_NOT):
            return [argument[1]]
        return []

    def repeats(items: Any, inside: bool) -> bool:
        for op, argument in items:
            if op in repeat_ops:
                low, high, body = argument
                variable = high > 1 and high != low  # a{3} repeats nothing ambiguously
                if (variable and inside) or repeats(body, inside or variable):
                    return True
            elif any(repeats(part, inside) for part in parts(op, argument)):
                return True
        return False

    try:
        return repeats(_parser.parse(translated), False)
    except (re.error, RecursionError, OverflowError):
        return False


def _audit_string_value(node: etree._Element, what: str) -> list[Issue]:
    """Checks for values compared as text (names, systems, materials)."""
    spec = _value(node)
    if spec is None:
        return []
    issues = _pattern_issues(node, spec)
    if spec.has_bounds:
        issues.append(Issue(line_of(node), f"{what}: numeric bounds can never match a text value"))
    return issues


def _audit_typed_value(node: etree._Element, kind: str, what: str) -> list[Issue]:
    """Check a value against the kind of IFC value it will be compared with."""
    spec = _value(node)
    if spec is None:
        return []
    issues = _pattern_issues(node, spec)
    line = line_of(node)
    if kind in ("integer", "real", "boolean", "logical"):
        a_kind = ("an " if kind == "integer" else "a ") + kind
        if spec.patterns:
            issues.append(Issue(line, f"{what}: a pattern only applies to text, never to {a_kind} value"))
        if spec.has_length:
            issues.append(
                Issue(line, f"{what}: a length restriction only applies to text, never to {a_kind} value")
            )
    elif spec.has_bounds:
        issues.append(Issue(line, f"{what}: numeric bounds can never match a {kind} value"))
    for literal in _literals(spec):
        problem = _literal_problem(literal, kind)
        if problem:
            issues.append(Issue(line, f'{what}: "{literal}" {problem}'))
    return issues


def _literal_problem(literal: str, kind: str) -> str | None:
    text = literal.strip()
    if kind == "integer" and not _INTEGER.fullmatch(text):
        if _DOUBLE.fullmatch(text):
            return "is written as a decimal number but the value is an integer"
        return "is not an integer"
    if kind == "real" and not _DOUBLE.fullmatch(text):
        return "is not a number (use a decimal point, no thousands separators)"
    if kind == "boolean" and text not in _BOOLEAN:
        return 'is not a boolean: write "true" or "false" in lowercase'
    if kind == "logical" and text not in (*_BOOLEAN, "unknown"):
        return 'is not a logical: write "true", "false" or "unknown" in lowercase'
    return None


# --- entity ------------------------------------------------------------------------------


def _class_names(schema: SchemaInfo) -> Iterable[str]:
    yield from schema.entities
    if schema.name == "IFC2X3":
        yield from IFC2X3_OCCURRENCE_BY_TYPE


def _classes_by_schema(spec: ValueSpec | None, schemas: tuple[SchemaInfo, ...]) -> dict[str, set[str]] | None:
    if spec is None:
        return None
    out: dict[str, set[str]] = {}
    for schema in schemas:
        try:
            out[schema.name] = {n for n in _class_names(schema) if spec.matches_name(n)}
        except ValueError:  # invalid regex, reported on its own
            return None
    return out


def _proper_class(schema: SchemaInfo, upper: str) -> str | None:
    """Schema class for an IDS class name (IFC2X3 mapped names give their occurrence class)."""
    proper = schema.entity_name(upper)
    if proper is None and schema.name == "IFC2X3" and upper in IFC2X3_OCCURRENCE_BY_TYPE:
        proper = IFC2X3_OCCURRENCE_BY_TYPE[upper][0]
    return proper


def _audit_entity(
    entity: etree._Element, schemas: tuple[SchemaInfo, ...], applicable: dict[str, set[str]] | None
) -> list[Issue]:
    issues: list[Issue] = []
    name_node = _value_node(entity, "name")
    if name_node is None:
        return issues
    spec = _value(name_node)
    assert spec is not None
    line = line_of(name_node)
    issues.extend(_pattern_issues(name_node, spec))
    if issues:
        return issues
    if spec.has_bounds:
        issues.append(Issue(line, "entity name: numeric bounds can never match a class name"))
    for literal in (*([spec.simple] if spec.simple is not None else []), *spec.enumeration):
        if literal != literal.upper():
            issues.append(
                Issue(line, f'entity name "{literal}" must be written in uppercase, e.g. "{literal.upper()}"')
            )
            continue
        missing = [s.name for s in schemas if _proper_class(s, literal) is None]
        if missing:
            issues.append(Issue(line, f'"{literal}" is not an IFC class in {" and ".join(missing)}'))
    matched = _classes_by_schema(spec, schemas) or {}
    if spec.patterns and not any(matched.values()):
        issues.append(Issue(line, f"entity name {spec.describe()} matches no IFC class in {_names(schemas)}"))
    if applicable is not None and all(
        not (matched.get(s.name, set()) & applicable.get(s.name, set())) for s in schemas
    ):
        issues.append(
            Issue(
                line,
                f"required entity {spec.describe()} can never match the applicable elements "
                "(IDS entity facets match the exact class, not subclasses)",
            )
        )
    predefined = _value_node(entity, "predefinedType")
    if predefined is not None:
        issues.extend(_audit_predefined_type(predefined, matched, schemas))
    return issues


def _audit_predefined_type(
    node: etree._Element, matched: dict[str, set[str]], schemas: tuple[SchemaInfo, ...]
) -> list[Issue]:
    spec = _value(node)
    assert spec is not None
    issues = _pattern_issues(node, spec)
    for schema in schemas:
        classes = matched.get(schema.name, set())
        if not classes:
            continue
        allowed: set[str] = set()
        userdefined = False
        for upper in classes:
            for values in _predefined_type_values(schema, upper):
                allowed.update(values)
                userdefined = userdefined or "USERDEFINED" in values
        if not allowed:
            issues.append(
                Issue(line_of(node), f"{_describe_classes(classes)} has no predefined type in {schema.name}")
            )
            continue
        for literal in (*([spec.simple] if spec.simple is not None else []), *spec.enumeration):
            if literal not in allowed and not userdefined:
                issues.append(
                    Issue(
                        line_of(node),
                        f'"{literal}" is not a predefined type of '
                        f"{_describe_classes(classes)} in {schema.name}",
                    )
                )
    return issues


def _predefined_type_values(schema: SchemaInfo, upper: str) -> list[tuple[str, ...]]:
    """PredefinedType enumerations that apply to a class: its own, and its type object's."""
    out = []
    proper = _proper_class(schema, upper)
    candidates = [proper] if proper else []
    if proper and not proper.upper().endswith("TYPE"):
        candidates.append(proper + "Type")  # IFC2X3: occurrences take it from their type
    if schema.name == "IFC2X3" and upper in IFC2X3_OCCURRENCE_BY_TYPE:
        candidates.append(IFC2X3_OCCURRENCE_BY_TYPE[upper][1])
    for cls in candidates:
        if schema.entity_name(cls) is None:
            continue
        values = schema.predefined_type_values(cls)
        if values:
            out.append(values)
    return out


def _describe_classes(classes: set[str]) -> str:
    ordered = sorted(classes)
    return ordered[0] if len(ordered) == 1 else f"{len(ordered)} classes ({', '.join(ordered[:3])}…)"


def _names(schemas: tuple[SchemaInfo, ...]) -> str:
    return " and ".join(s.name for s in schemas)


# --- attribute ---------------------------------------------------------------------------


def _attribute_value_kind(info: AttributeInfo) -> str | None:
    """The kind of value an attribute holds, or None when IDS cannot compare values at all."""
    if info.kind in ("aggregate", "entity") or (info.kind == "select" and info.select_has_entities):
        return None
    if info.kind in ("enumeration", "select"):
        return "string"
    return _NUMERIC.get(info.base or "", info.base or "string")


def _audit_attribute(facet: etree._Element, spec: _Spec) -> list[Issue]:
    name_node = _value_node(facet, "name")
    value_node = _value_node(facet, "value")
    if name_node is None:
        return []
    name = _value(name_node)
    assert name is not None
    issues = _pattern_issues(name_node, name)
    if issues or spec.applicable_classes is None:
        if value_node is not None:
            issues.extend(_pattern_issues(value_node, _value(value_node) or ValueSpec()))
        return issues
    line = line_of(name_node)
    for schema in spec.schemas:
        classes = [
            c for c in (_proper_class(schema, u) for u in spec.applicable_classes.get(schema.name, ())) if c
        ]
        if not classes:
            continue
        matched: list[AttributeInfo] = []
        for cls in classes:
            matched.extend(info for attr, info in schema.attributes(cls).items() if name.matches_name(attr))
        if not matched:
            issues.append(Issue(line, _no_attribute_message(schema, classes, name)))
            continue
        if value_node is None:
            continue
        for info in {i.name: i for i in matched}.values():
            kind = _attribute_value_kind(info)
            if kind is None:
                what = {"aggregate": "a list", "entity": "an object", "select": "a select of objects"}[
                    info.kind
                ]
                issues.append(
                    Issue(
                        line_of(value_node),
                        f"attribute {info.name} holds {what}; IDS cannot check its value",
                    )
                )
                continue
            issues.extend(_audit_typed_value(value_node, kind, f"attribute {info.name} ({schema.name})"))
    return _unique(issues)


def _no_attribute_message(schema: SchemaInfo, classes: list[str], name: ValueSpec) -> str:
    described = classes[0] if len(classes) == 1 else f"any of {', '.join(sorted(classes)[:3])}…"
    if name.simple is not None:
        for cls in classes:
            if name.simple in schema.derived_attribute_names(cls):
                return f"{name.simple} is a derived attribute of {cls} in {schema.name}; IDS cannot check it"
            if name.simple in schema.inverse_attribute_names(cls):
                return f"{name.simple} is an inverse attribute of {cls} in {schema.name}; IDS cannot check it"
    return f"{described} has no attribute {name.describe()} in {schema.name}"


# --- property ----------------------------------------------------------------------------


def _audit_property(facet: etree._Element, spec: _Spec) -> list[Issue]:
    issues: list[Issue] = []
    for part in ("propertySet", "baseName"):
        node = _value_node(facet, part)
        if node is not None:
            issues.extend(_audit_string_value(node, part))
    data_type = facet.get("dataType")
    value_node = _value_node(facet, "value")
    if data_type is None:
        if value_node is not None:
            issues.extend(_pattern_issues(value_node, _value(value_node) or ValueSpec()))
        return issues
    upper = data_type.upper()
    known = [s for s in spec.schemas if upper in s.defined_types or upper in s.enumerations]
    if not known:
        issues.append(
            Issue(line_of(facet), f'dataType "{data_type}" is not an IFC data type in {_names(spec.schemas)}')
        )
        return issues
    if value_node is not None:
        issues.extend(_audit_typed_value(value_node, _data_type_kind(known[0], upper), f"value of {upper}"))
    return _unique(issues)


def _data_type_kind(schema: SchemaInfo, upper: str) -> str:
    if upper in schema.enumerations:
        return "string"
    if upper in _INTEGER_MEASURES:
        return "integer"
    base = schema.defined_type_base(upper) or "string"
    return _NUMERIC.get(base, base)


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


def audit_file(path: str | Path) -> list[Issue]:
    """Audit an IDS file: XSD problems first; the semantic audit only runs on an XSD-valid file."""
    from bimcheck.rules.ids import parse_xml, xsd_issues

    tree = parse_xml(Path(path), "IDS")
    issues = xsd_issues(tree)
    return issues if issues else audit_tree(tree)
