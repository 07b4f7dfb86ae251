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

from collections.abc import Iterable
from functools import cache

import ifcopenshell
import ifcopenshell.ifcopenshell_wrapper as wrapper

# (attribute index, attribute name, names of the classes and types allowed, is a list)
_Slot = tuple[int, str, frozenset[str], bool]


def misplaced_references(
    ifc: ifcopenshell.file, elements: Iterable[ifcopenshell.entity_instance]
) -> dict[int, str]:
    """Element id -> why its geometry must not be processed (a reference of the wrong class),
    for the elements whose geometry reaches one."""
    schema = ifc.schema_identifier
    checked: dict[int, str | None] = {}  # instances shared by elements (contexts, placements) once
    out = {}
    for element in elements:
        roots = [element, *(getattr(element, "HasOpenings", None) or ())]  # openings are cut out
        for root in roots:
            for instance in ifc.traverse(root):
                key = instance.id()
                if key not in checked:
                    checked[key] = _problem(schema, instance)
                if checked[key]:
                    out[element.id()] = f"malformed model: {checked[key]}"
                    break
            if element.id() in out:
                break
    return out


def _problem(schema: str, instance: ifcopenshell.entity_instance) -> str | None:
    for index, name, allowed, is_list in _slots(schema, instance.is_a()):
        try:
            value = instance[index]
        except Exception:  # fewer arguments than declared: the parser left this one out
            continue
        if value is None:
            continue
        items: Iterable[object] = _flatten(value) if is_list else (value,)
        if is_list and not isinstance(value, tuple):
            items = (value,)
        for item in items:
            if not _allowed(schema, item, allowed):
                if isinstance(item, ifcopenshell.entity_instance):
                    what = f"#{item.id()} {item.is_a()}"
                else:
                    what = repr(item)[:60]
                expected = " or ".join(sorted(allowed)[:3]) + (" …" if len(allowed) > 3 else "")
                return f"#{instance.id()} {instance.is_a()}.{name} holds {what}, not {expected}"
    return None


def _flatten(value: object) -> Iterable[object]:
    if isinstance(value, tuple):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _allowed(schema: str, value: object, allowed: frozenset[str]) -> bool:
    if not isinstance(value, ifcopenshell.entity_instance):
        return False  # text or a number where an instance belongs
    return _class_allowed(schema, value.is_a(), allowed)


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
    """The attributes of a class that hold instances, with the classes allowed in each."""
    declaration = wrapper.schema_by_name(schema).declaration_by_name(name)
    entity = declaration.as_entity()
    if entity is None:
        return ()
    out = []
    for index, attribute in enumerate(entity.all_attributes()):
        kind = attribute.type_of_attribute()
        is_list = False
        while (aggregation := kind.as_aggregation_type()) is not None:
            kind, is_list = aggregation.type_of_element(), True
        named = kind.as_named_type()
        if named is None:
            continue
        allowed = _names(named.declared_type())
        if allowed is not None:
            out.append((index, attribute.name(), allowed, is_list))
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
