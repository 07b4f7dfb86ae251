"""References of the wrong class: what the geometry kernel must not be given (it crashes the process).

The STEP parser reads `#170=IFCPOLYLINE((#1))` although #1 is the IfcProject, and an entity whose
class name was changed keeps its old arguments; IfcOpenShell's geometry kernel then follows
such a reference as if it had the declared class and dies with a segmentation fault or a
floating point exception (found by the fuzzer: tests/test_fuzz_regressions.py), taking the whole
evaluation with it. So before an element goes to the kernel, every instance its geometry
reaches is checked against the schema: an attribute declared as an entity (or a select or a list
of them) must hold an instance of an allowed class. Only references are checked, not values:
a full schema validation costs seconds on a real model and real models have harmless lapses
(a missing mandatory name) the kernel does not mind.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from functools import cache

import ifcopenshell
import ifcopenshell.ifcopenshell_wrapper as wrapper

# (attribute index, attribute name, names of the classes, types or enumeration items allowed
# (None: any value), is a list, is an enumeration, is mandatory)
_Slot = tuple[int, str, frozenset[str] | None, bool, bool, bool]


# Classes the kernel reads for every element, not through the element's own references: the
# project's units and contexts, and the styles and material representations that colour items
# (found by the fuzzer: an IfcProject renamed IFCSIUNIT kept its nine arguments, and the kernel
# reading the units died with SIGSEGV).
_READ_FOR_EVERY_ELEMENT = (
    "IfcProject",
    "IfcUnitAssignment",
    "IfcNamedUnit",
    "IfcDerivedUnit",
    "IfcRepresentationContext",
    "IfcStyledItem",
    "IfcMaterialDefinitionRepresentation",
)
# Of these, the ones whose mandatory attributes must be filled too (a unit without a unit type):
# real models leave some empty on relationships, types and owner histories, never on units and
# contexts, which the kernel trusts.
_STRICT = ("IfcNamedUnit", "IfcDerivedUnit", "IfcRepresentationContext")


def misplaced_references(
    ifc: ifcopenshell.file,
    elements: Iterable[ifcopenshell.entity_instance],
    checked: dict[int, str | None] | None = None,
) -> dict[int, str]:
    """Element id -> why its geometry must not be processed (a reference of the wrong class),
    for the elements whose geometry reaches one (all of them, if what every element needs has one).

    `checked` remembers each instance's verdict; pass the same dict for every call on a model,
    so instances shared by elements (contexts, placements, types) are checked once, not per pass."""
    schema = ifc.schema_identifier
    if checked is None:
        checked = {}

    def first_problem(roots: Iterable[ifcopenshell.entity_instance]) -> str | None:
        for root in roots:
            for instance in ifc.traverse(root):
                key = instance.id()
                if key not in checked:
                    checked[key] = _problem(schema, instance)
                if checked[key]:
                    return f"malformed model: {checked[key]}"
        return None

    elements = list(elements)
    if not elements:
        return {}
    strict = (_problem(schema, i, strict=True) for name in _STRICT for i in _instances(ifc, name))
    shared = next((f"malformed model: {p}" for p in strict if p), None)
    shared = shared or first_problem(i for name in _READ_FOR_EVERY_ELEMENT for i in _instances(ifc, name))
    if shared:
        return {element.id(): shared for element in elements}
    out = {}
    for element in elements:
        # The kernel cuts the openings out of the element: their geometry is read too.
        problem = first_problem([element, *(getattr(element, "HasOpenings", None) or ())])
        if problem:
            out[element.id()] = problem
    return out


def malformed_near(ifc: ifcopenshell.file, element: ifcopenshell.entity_instance) -> str | None:
    """What is malformed in an element's own references or in a relationship naming it, or None.

    Asked only after evaluating the element raised: a reference of the wrong class (a property
    set relation whose related objects hold a placement) ends deep in Python with a message like
    "'str' object has no attribute 'id'" that a supplier cannot act on; this names the instance."""
    schema = ifc.schema_identifier
    try:
        own = misplaced_references(ifc, [element]).get(element.id())
        if own:
            return own
        for relation in ifc.get_inverse(element):
            problem = _problem(schema, relation)
            if problem:
                return f"malformed model: {problem}"
    except Exception:  # the data is too broken to say more; the caller keeps its own message
        return None
    return malformed_relationship(ifc)


def malformed_relationship(ifc: ifcopenshell.file) -> str | None:
    """The first relationship in the model with a reference of the wrong class, or None.

    Indexes of properties, types and containment are built from every relationship at once,
    so one malformed relationship fails every element and requirement that reads them: asked
    only after an evaluation raised, and found once per file."""
    if ifc not in _RELATIONSHIP_PROBLEMS:
        try:
            schema = ifc.schema_identifier
            found = (_problem(schema, r) for r in _instances(ifc, "IfcRelationship"))
            _RELATIONSHIP_PROBLEMS[ifc] = next((p for p in found if p), None)
        except Exception:  # too broken to say more; the caller keeps its own message
            _RELATIONSHIP_PROBLEMS[ifc] = None
    problem = _RELATIONSHIP_PROBLEMS[ifc]
    return f"malformed model: {problem}" if problem else None


_RELATIONSHIP_PROBLEMS: weakref.WeakKeyDictionary[ifcopenshell.file, str | None] = weakref.WeakKeyDictionary()


def _instances(ifc: ifcopenshell.file, name: str) -> list[ifcopenshell.entity_instance]:
    try:
        return list(ifc.by_type(name))
    except RuntimeError:  # a class this schema does not have
        return []


def _problem(schema: str, instance: ifcopenshell.entity_instance, strict: bool = False) -> str | None:
    """What is wrong with one instance's references and enumerations (and, when `strict`, its
    mandatory attributes), or None."""
    where = f"#{instance.id()} {instance.is_a()}"
    for index, name, allowed, is_list, is_enumeration, mandatory in _slots(schema, instance.is_a()):
        if allowed is None and not strict:
            continue
        try:
            value = instance[index]
        except Exception:  # fewer arguments than declared: the parser left this one out
            value = None
        if value is None:
            if strict and mandatory:
                return f"{where}.{name} is empty"
            continue
        if allowed is None:
            continue
        items: Iterable[object] = _flatten(value) if is_list and isinstance(value, tuple) else (value,)
        for item in items:
            if is_enumeration:
                good = isinstance(item, str) and item.upper() in allowed
            else:
                good = isinstance(item, ifcopenshell.entity_instance) and _class_allowed(
                    schema, item.is_a(), allowed
                )
            if not good:
                if isinstance(item, ifcopenshell.entity_instance):
                    what = f"#{item.id()} {item.is_a()}"
                else:
                    what = repr(item)[:60]
                expected = " or ".join(sorted(allowed)[:3]) + (" …" if len(allowed) > 3 else "")
                return f"{where}.{name} holds {what}, not {expected}"
    return None


def _flatten(value: object) -> Iterable[object]:
    if isinstance(value, tuple):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


@cache
def _class_allowed(schema: str, name: str, allowed: frozenset[str]) -> bool:
    declaration = wrapper.schema_by_name(schema).declaration_by_name(name)
    if declaration.name() in allowed:  # a defined type (IfcLabel) in a select, or the class itself
        return True
    entity = declaration.as_entity()
    while entity is not None:  # the class or one of its superclasses
        if entity.name() in allowed:
            return True
        entity = entity.supertype()
    return False


@cache
def _slots(schema: str, name: str) -> tuple[_Slot, ...]:
    """The attributes of a class, with what each may hold where that can be checked cheaply:
    the classes of instances, the items of an enumeration."""
    declaration = wrapper.schema_by_name(schema).declaration_by_name(name)
    entity = declaration.as_entity()
    if entity is None:
        return ()
    out: list[_Slot] = []
    derived = entity.derived()
    for index, attribute in enumerate(entity.all_attributes()):
        mandatory = not attribute.optional() and not derived[index]  # `*`: derived, written empty
        kind = attribute.type_of_attribute()
        is_list = False
        while (aggregation := kind.as_aggregation_type()) is not None:
            kind, is_list = aggregation.type_of_element(), True
        named = kind.as_named_type()
        allowed, is_enumeration = None, False
        if named is not None:
            declared = named.declared_type()
            enumeration = declared.as_enumeration_type()
            if enumeration is not None:
                allowed, is_enumeration = frozenset(i.upper() for i in enumeration.enumeration_items()), True
            else:
                allowed = _names(declared)
        if allowed is not None or mandatory:  # nothing to check on an optional plain value
            out.append((index, attribute.name(), allowed, is_list, is_enumeration, mandatory))
    return tuple(out)


def _names(declared: wrapper.declaration) -> frozenset[str] | None:
    """Names allowed for an entity or a select that admits entities; None for plain values."""
    if declared.as_entity() is not None:
        return frozenset({declared.name()})
    select = declared.as_select_type()
    if select is None:
        return None
    names: set[str] = set()
    admits_entities = False
    for option in select.select_list():
        if option.as_entity() is not None:
            names.add(option.name())
            admits_entities = True
        elif option.as_select_type() is not None:
            inner = _names(option)
            if inner is not None:
                admits_entities = True
            names |= inner or _select_values(option)
        else:
            names.add(option.name())  # a defined type (IfcLabel) or an enumeration
    return frozenset(names) if admits_entities else None


def _select_values(declared: wrapper.declaration) -> set[str]:
    """Every name a select of values only admits (IfcValue → IfcLabel, IfcLengthMeasure …)."""
    select = declared.as_select_type()
    if select is None:
        return {declared.name()}
    return {n for option in select.select_list() for n in _select_values(option)}
