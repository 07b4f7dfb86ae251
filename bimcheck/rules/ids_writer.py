"""Write compiled requirements and facets as IDS 1.0 XML: for the YAML audit and the IDS export."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

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
from bimcheck.rules.ids import IDS_NS, XS_NS
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from lxml import etree

Loc = tuple[str | int, ...]
# Makes one IDS element: (parent or None, local name, location in the source, **attributes).
# The YAML audit's version records the YAML line of `location`; the export's ignores it.
Element = Callable[..., "etree._Element"]

# The facet kinds IDS 1.0 has; measures and relations are bimcheck's own.
IDS_KINDS = frozenset({"entity", "attribute", "property", "classification", "material", "partOf"})
# An applicability's facets in the order its XSD sequence demands (requirements take any order).
_APPLICABILITY_ORDER = ("entity", "partOf", "classification", "attribute", "property", "material")
# IDS 1.0 says the specification cardinality with the applicability's minOccurs/maxOccurs.
OCCURS = {REQUIRED: ("1", "unbounded"), OPTIONAL: ("0", "unbounded"), PROHIBITED: ("0", "0")}


def plain_element(parent: etree._Element | None, tag: str, at: Loc = (), **attributes: str) -> etree._Element:
    """An IDS element with no source location."""
    from lxml import etree

    name = f"{{{IDS_NS}}}{tag}"
    if parent is None:
        # IDS as the default namespace, xs for restrictions (lxml-stubs reject the mixed keys).
        node = etree.Element(name, nsmap={None: IDS_NS, "xs": XS_NS})  # type: ignore[dict-item]
    else:
        node = etree.SubElement(parent, name)
    for key, value in attributes.items():
        node.set(key, value)
    return node


def specification(
    element: Element,
    at: Loc,
    attributes: Mapping[str, str],
    cardinality: str,
    applicability: Sequence[tuple[Facet, Loc]],
    requirements: Sequence[tuple[Facet, Loc]],
) -> etree._Element:
    """A <specification> with `attributes` (name, ifcVersion …) and the IDS facets given.

    `at` is the requirement's location; its applicability and requirements are located at
    `(*at, "applicability")` and `(*at, "requirements")`. Facets of other kinds are left out:
    the caller decides whether that is allowed.
    """
    spec = element(None, "specification", (*at, "id"), **attributes)
    low, high = OCCURS[cardinality]
    node = element(spec, "applicability", (*at, "applicability"), minOccurs=low, maxOccurs=high)
    selecting = [(f, loc) for f, loc in applicability if f.kind in IDS_KINDS]
    for facet, loc in sorted(selecting, key=lambda item: _APPLICABILITY_ORDER.index(item[0].kind)):
        write_facet(node, facet, loc, element, in_requirements=False)
    required = [(f, loc) for f, loc in requirements if f.kind in IDS_KINDS]
    if required:
        node = element(spec, "requirements", (*at, "requirements"))
        for facet, loc in required:
            write_facet(node, facet, loc, element, in_requirements=True)
    return spec


def write_facet(
    parent: etree._Element, facet: Facet, loc: Loc, element: Element, *, in_requirements: bool
) -> None:
    """Write one facet as its IDS 1.0 element (child order as the IDS XSD has it).

    Under requirements a facet carries its cardinality (unless required, the IDS default),
    instructions and URI; the XSD allows none of them in an applicability.
    """
    at: Loc = (*loc, "part_of" if facet.kind == "partOf" else facet.kind)  # its key in YAML

    def value(node: etree._Element, tag: str, spec: ValueSpec | None, *keys: str) -> None:
        if spec is not None:
            write_value(element(node, tag, (*at, *keys)), spec, (*at, *keys), element)

    extra: dict[str, str] = {}
    if in_requirements:
        # IDS defaults to required, and an entity facet never carries a cardinality.
        if not isinstance(facet, EntityFacet) and facet.cardinality != REQUIRED:
            extra["cardinality"] = facet.cardinality
        uri = getattr(facet, "uri", None)
        if uri:
            extra["uri"] = uri
        if facet.instructions:
            extra["instructions"] = facet.instructions
    if isinstance(facet, EntityFacet):
        node = element(parent, "entity", at, **extra)
        value(node, "name", facet.name, "name")
        value(node, "predefinedType", facet.predefined_type, "predefined_type")
    elif isinstance(facet, PartOfFacet):
        relation = {"relation": facet.relation} if facet.relation else {}
        node = element(parent, "partOf", at, **relation, **extra)
        inner = element(node, "entity", (*at, "entity"))
        value(inner, "name", facet.entity.name, "entity", "name")
        value(inner, "predefinedType", facet.entity.predefined_type, "entity", "predefined_type")
    elif isinstance(facet, ClassificationFacet):
        node = element(parent, "classification", at, **extra)
        value(node, "value", facet.value, "value")
        value(node, "system", facet.system, "system")
    elif isinstance(facet, AttributeFacet):
        node = element(parent, "attribute", at, **extra)
        value(node, "name", facet.name, "name")
        value(node, "value", facet.value, "value")
    elif isinstance(facet, PropertyFacet):
        data_type = {"dataType": facet.data_type} if facet.data_type else {}
        # The audit reports a bad data type at the facet's line: point it at `data_type:`.
        node = element(parent, "property", (*at, "data_type") if data_type else at, **data_type, **extra)
        value(node, "propertySet", facet.property_set, "property_set")
        value(node, "baseName", facet.base_name, "name")
        value(node, "value", facet.value, "value")
    elif isinstance(facet, MaterialFacet):
        node = element(parent, "material", at, **extra)
        value(node, "value", facet.value, "value")


def write_value(node: etree._Element, spec: ValueSpec, loc: Loc, element: Element) -> None:
    """An idsValue: a simpleValue, or an xs:restriction with its constraints in XSD order."""
    if spec.simple is not None:
        element(node, "simpleValue", loc).text = spec.simple
        return
    base = f"xs:{spec.base or 'string'}"
    # `base` is a QName: its xs prefix must be declared where it is read.
    declare = {} if node.nsmap.get("xs") == XS_NS else {"nsmap": {"xs": XS_NS}}
    restriction = node.makeelement(f"{{{XS_NS}}}restriction", base=base, **declare)
    node.append(restriction)
    facets: list[tuple[str, object]] = [
        *(("enumeration", v) for v in spec.enumeration),
        *(("pattern", p) for p in spec.patterns),
        ("minInclusive", spec.min_inclusive),
        ("minExclusive", spec.min_exclusive),
        ("maxInclusive", spec.max_inclusive),
        ("maxExclusive", spec.max_exclusive),
        ("length", spec.length),
        ("minLength", spec.min_length),
        ("maxLength", spec.max_length),
    ]
    for tag, text in facets:
        if text is not None:
            restriction.append(restriction.makeelement(f"{{{XS_NS}}}{tag}", value=str(text)))
