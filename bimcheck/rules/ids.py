"""Load buildingSMART IDS 1.0 files: safe XML parsing, XSD validation, audit, compilation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from bimcheck.errors import InputError, RuleError, refuse_device
from bimcheck.results import RuleSourceInfo
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
from bimcheck.rules.requirement import Requirement, RuleSet
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    import xmlschema

IDS_NS = "http://standards.buildingsmart.org/IDS"
XS_NS = "http://www.w3.org/2001/XMLSchema"
_NS = {"ids": IDS_NS, "xs": XS_NS}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a requirement file, located by line."""

    line: int | None
    message: str
    severity: str = "error"

    def render(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity}: {self.message}"


def line_of(node: etree._Element) -> int | None:
    """Source line of an element (lxml-stubs leave `sourceline` untyped)."""
    line: object = node.sourceline
    return line if isinstance(line, int) else None


def secure_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(path: Path, what: str) -> etree._ElementTree:
    """Parse an XML file safely; documents with a DTD are refused outright."""
    refuse_device(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, f"{what} file does not exist") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, not an {what} file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what} file: {exc.strerror or exc}") from None
    # Refuse a DTD before libxml2 sees it: then an entity bomb is named as what it is, not
    # as whichever parser limit it happens to trip.
    if _has_doctype(data):
        raise InputError(path, "XML with a DOCTYPE/DTD is refused (entities are never expanded)")
    try:
        tree = etree.ElementTree(etree.fromstring(data, secure_parser()))
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"malformed XML: {exc.msg}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # type: ignore[attr-defined]
        raise InputError(path, "XML with a DOCTYPE/DTD is refused (entities are never expanded)")
    return tree


_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _has_doctype(data: bytes) -> bool:
    """True if the prolog (before the root element) declares a document type."""
    text = data.removeprefix(b"\xef\xbb\xbf")
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        position = match.end()
    return text[position : position + 9].upper() == b"<!DOCTYPE"


@lru_cache(maxsize=1)
def ids_schema() -> xmlschema.XMLSchema:
    """The IDS 1.0 XSD shipped with bimcheck, loaded without any network access."""
    import xmlschema

    xsd = resources.files("bimcheck.rules") / "schemas" / "ids-1.0.xsd"
    with resources.as_file(xsd) as path:
        # allow="local": the XSD's imports of the W3C schemas resolve to xmlschema's own copies.
        return xmlschema.XMLSchema(str(path), allow="local")


def xsd_issues(tree: etree._ElementTree) -> list[Issue]:
    """Everything the IDS 1.0 XSD rejects, with line numbers."""
    issues = []
    for error in ids_schema().iter_errors(tree):
        line = getattr(error, "sourceline", None)
        reason = error.reason or str(error.message)
        where = f" at {error.path}" if error.path else ""
        issues.append(Issue(line if isinstance(line, int) else None, f"XSD: {reason}{where}"))
    return issues


def load_ids(path: str | Path, *, audit: bool = True) -> RuleSet:
    """Load an IDS file; raises RuleError listing XSD and audit problems (exit code 2)."""
    p = Path(path)
    tree = parse_xml(p, "IDS")
    root = tree.getroot()
    if etree.QName(root).namespace != IDS_NS or etree.QName(root).localname != "ids":
        raise RuleError(p, f"not an IDS 1.0 file: root element is {root.tag}, expected {{{IDS_NS}}}ids")
    issues = xsd_issues(tree)
    if not issues and audit:
        from bimcheck.rules.ids_audit import audit_tree

        issues = [i for i in audit_tree(tree) if i.severity == "error"]
    if issues:
        raise RuleError(
            p,
            f"invalid IDS: {len(issues)} problem(s); first: {issues[0].render(str(p))}",
            [i.render(str(p)) for i in issues],
        )
    requirements = tuple(
        _specification(spec, p) for spec in root.iterfind("ids:specifications/ids:specification", _NS)
    )
    info = root.find("ids:info", _NS)
    source = RuleSourceInfo(
        path=str(p),
        sha256=hashlib.sha256(p.read_bytes()).hexdigest(),
        format="ids",
        title=_text(info, "ids:title"),
        version=_text(info, "ids:version"),
        requirement_count=len(requirements),
    )
    return RuleSet(requirements=requirements, sources=(source,))


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    node = parent.find(path, _NS)
    return None if node is None or node.text is None else node.text.strip()


def spec_cardinality(applicability: etree._Element) -> str:
    """IDS 1.0 reads only three cases from minOccurs/maxOccurs."""
    min_occurs = applicability.get("minOccurs", "1")
    max_occurs = applicability.get("maxOccurs", "1")
    if max_occurs == "0":
        return PROHIBITED
    if min_occurs == "0":
        return OPTIONAL
    return REQUIRED


def _specification(spec: etree._Element, path: Path) -> Requirement:
    applicability = spec.find("ids:applicability", _NS)
    assert applicability is not None  # guaranteed by the XSD
    requirements = spec.find("ids:requirements", _NS)
    name = spec.get("name", "")
    # Comments and processing instructions are children too (their tag is not a string): the
    # XSD allows them between facets, and one read as a facet ended the load in a ValueError (fuzz).
    return Requirement(
        id=spec.get("identifier") or name,
        title=name,
        applicability=tuple(_facet(f, applicability=True) for f in applicability if isinstance(f.tag, str)),
        requirements=tuple(_facet(f, applicability=False) for f in requirements if isinstance(f.tag, str))
        if requirements is not None
        else (),
        cardinality=spec_cardinality(applicability),
        ifc_versions=tuple(spec.get("ifcVersion", "").split()),
        description=spec.get("description")
        or (requirements.get("description") if requirements is not None else None),
        instructions=spec.get("instructions"),
        source=f"{path}:{line_of(spec)}",
    )


def _value(node: etree._Element | None) -> ValueSpec | None:
    """Compile an idsValue element (simpleValue or xs:restriction)."""
    if node is None:
        return None
    simple = node.find("ids:simpleValue", _NS)
    if simple is not None:
        return ValueSpec(simple=simple.text or "")
    restriction = node.find("xs:restriction", _NS)
    if restriction is None:
        return ValueSpec(simple="")
    values: dict[str, list[str]] = {}
    for child in restriction:
        if not isinstance(child.tag, str):
            continue  # comments
        values.setdefault(etree.QName(child).localname, []).append(child.get("value", ""))

    def one(key: str) -> str | None:
        return values[key][0] if key in values else None

    def count(key: str) -> int | None:
        text = one(key)
        return int(text) if text is not None and text.strip().isdigit() else None

    base = restriction.get("base")
    return ValueSpec(
        base=base.split(":")[-1] if base else None,
        enumeration=tuple(values.get("enumeration", ())),
        patterns=tuple(values.get("pattern", ())),
        min_inclusive=one("minInclusive"),
        min_exclusive=one("minExclusive"),
        max_inclusive=one("maxInclusive"),
        max_exclusive=one("maxExclusive"),
        length=count("length"),
        min_length=count("minLength"),
        max_length=count("maxLength"),
    )


def _facet(node: etree._Element, *, applicability: bool) -> Facet:
    tag = etree.QName(node).localname
    cardinality = REQUIRED if applicability else node.get("cardinality", REQUIRED)
    instructions = node.get("instructions")

    def child(name: str) -> etree._Element | None:
        return node.find(f"ids:{name}", _NS)

    if tag == "entity":
        return _entity(node, instructions)
    if tag == "partOf":
        entity_node = child("entity")
        assert entity_node is not None  # guaranteed by the XSD
        return PartOfFacet(
            entity=_entity(entity_node, None),
            relation=node.get("relation"),
            cardinality=cardinality,
            instructions=instructions,
        )
    if tag == "classification":
        return ClassificationFacet(
            system=_value(child("system")),
            value=_value(child("value")),
            uri=node.get("uri"),
            cardinality=cardinality,
            instructions=instructions,
        )
    if tag == "attribute":
        name = _value(child("name"))
        assert name is not None
        return AttributeFacet(
            name=name, value=_value(child("value")), cardinality=cardinality, instructions=instructions
        )
    if tag == "property":
        pset = _value(child("propertySet"))
        base_name = _value(child("baseName"))
        assert pset is not None
        assert base_name is not None
        data_type = node.get("dataType")
        return PropertyFacet(
            property_set=pset,
            base_name=base_name,
            data_type=data_type.upper() if data_type else None,
            value=_value(child("value")),
            uri=node.get("uri"),
            cardinality=cardinality,
            instructions=instructions,
        )
    if tag == "material":
        return MaterialFacet(
            value=_value(child("value")),
            uri=node.get("uri"),
            cardinality=cardinality,
            instructions=instructions,
        )
    raise ValueError(f"unknown facet {tag}")  # unreachable after XSD validation


def _entity(node: etree._Element, instructions: str | None) -> EntityFacet:
    name = _value(node.find("ids:name", _NS))
    assert name is not None
    return EntityFacet(
        name=name, predefined_type=_value(node.find("ids:predefinedType", _NS)), instructions=instructions
    )
