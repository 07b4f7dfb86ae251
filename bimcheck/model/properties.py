"""Property and quantity sets of every element, type-inherited ones included, values in SI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import ifcopenshell

from bimcheck.model.schema import SchemaInfo
from bimcheck.model.units import UnitTable

# Attribute positions used on the hot path. Reading attributes by name costs about nine
# times as much as get_argument(i) in ifcopenshell 0.9, and these positions are the same
# in IFC2X3, IFC4 and IFC4X3 (IfcRoot has four attributes; IfcProperty starts Name,
# Description; every IfcPhysicalSimpleQuantity is Name, Description, Unit, <value>).
_REL_RELATED, _REL_RELATING = 4, 5
_ROOT_NAME = 2
_PSET_PROPERTIES = 4
_QTO_QUANTITIES = 5
_PROP_NAME = 0
_SINGLE_VALUE, _SINGLE_UNIT = 2, 3
_QUANTITY_UNIT, _QUANTITY_VALUE = 2, 3

# Quantity class -> measure type of its value.
QUANTITY_MEASURES = {
    "IfcQuantityLength": "IFCLENGTHMEASURE",
    "IfcQuantityArea": "IFCAREAMEASURE",
    "IfcQuantityVolume": "IFCVOLUMEMEASURE",
    "IfcQuantityCount": "IFCCOUNTMEASURE",
    "IfcQuantityWeight": "IFCMASSMEASURE",
    "IfcQuantityTime": "IFCTIMEMEASURE",
    "IfcQuantityNumber": "IFCNUMERICMEASURE",
}


@dataclass(frozen=True, slots=True)
class TypedValue:
    """One value of a property: its IFC data type (uppercase) and the value in SI units."""

    data_type: str | None
    value: object
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Property:
    """One property or quantity as IDS sees it.

    `kind` is single, enumerated, bounded, list, table, quantity, predefined, reference or
    complex; the last two carry no values because IDS cannot check them.
    """

    pset: str
    name: str
    kind: str
    values: tuple[TypedValue, ...]
    inherited: bool = False

    @property
    def data_types(self) -> frozenset[str]:
        return frozenset(v.data_type for v in self.values if v.data_type)

    @property
    def is_empty(self) -> bool:
        """True when the property holds no usable value (null, '', UNKNOWN, unsupported)."""
        return not any(_has_value(v.value) for v in self.values)


def _has_value(value: object) -> bool:
    if value is None or value == "" or value == "UNKNOWN":
        return False
    return not (isinstance(value, tuple) and not value)


PropertySets = dict[str, dict[str, Property]]
# The property sets an element carries itself: (set name, definition), in model order.
Entries = tuple[tuple[str, ifcopenshell.entity_instance], ...]
_NONE: Entries = ()
# A property set member before it is read: the IFC entity, or a Property already made.
Member = ifcopenshell.entity_instance | Property
NameFilter = Callable[[str], bool]


class NameSpec(Protocol):
    """A set or property name a requirement asks for: exactly `simple`, or what it accepts."""

    @property
    def simple(self) -> str | None: ...

    def matches_name(self, text: str | None) -> bool: ...


class PropertyIndex:
    """Property sets per element: relationships indexed in one pass, sets parsed on demand."""

    def __init__(
        self,
        ifc: ifcopenshell.file,
        schema: SchemaInfo,
        units: UnitTable,
        type_of: dict[int, ifcopenshell.entity_instance],
    ) -> None:
        self._ifc = ifc
        self._schema = schema
        self._units = units
        # element id -> (set name, definition) of the sets it carries itself; after indexing,
        # elements carrying the very same sets share one tuple (see `state`)
        self._own: dict[int, Entries] = {}
        self._type_of = type_of  # occurrence id -> its type object, the model's one table
        # set definition id -> its members by name: raw IFC entities until a requirement asks
        # for that very property (a set of twenty properties is read for the one it needs)
        self._members: dict[int, dict[str, Member] | None] = {}
        self._from_types: dict[tuple[int, str], Property] = {}
        # Proper-case names of the quantity classes (is_a("IfcPhysicalQuantity") costs 1.5 µs).
        self._quantity_classes = frozenset(schema.entities[n] for n in schema.subtypes("IfcPhysicalQuantity"))
        self._measure_names: dict[str, str] = {}
        # Single values read so far, by what they hold: elements whose sets hold equal values
        # (the same fire rating in 20 000 wall sets) share one Property, and so one outcome of
        # each facet that looks at it (see PropertyFacet).
        self._singles: dict[tuple[object, ...], Property] = {}
        self._states: dict[int, tuple[int, int]] = {}
        # The elements read while indexing, by id: handed back instead of wrapped anew (by_id).
        self._elements: dict[int, ifcopenshell.entity_instance] = {}
        self._index()

    def state(self, element: ifcopenshell.entity_instance) -> tuple[int, int]:
        """A token equal for two elements exactly when their property sets are the same sets.

        What a property facet finds depends only on these, so its outcome can be shared by
        every element with the same token (elements sharing their type's sets, say). Valid
        while this index lives: it is made of the ids of tuples the index keeps.
        """
        return self.state_of(element.id())

    def state_of(self, key: int) -> tuple[int, int]:
        """state() of the element with step id `key`."""
        # Kept per element: an element meets a property facet in several requirements.
        found = self._states.get(key)
        if found is None:
            type_object = self._type_of.get(key)
            inherited = _NONE if type_object is None else self._own.get(type_object.id(), _NONE)
            found = self._states[key] = (id(self._own.get(key, _NONE)), id(inherited))
        return found

    def _index(self) -> None:
        collected: dict[int, list[tuple[str, ifcopenshell.entity_instance]]] = defaultdict(list)
        ids = self._collect(collected)
        shared: dict[tuple[int, ...], Entries] = {}
        for element_id, entries in collected.items():
            # The definitions decide the names: their ids alone tell equal entries apart.
            signature = tuple([ids[id(d)] for _, d in entries])
            self._own[element_id] = shared.setdefault(signature, tuple(entries))

    def _collect(self, own: dict[int, list[tuple[str, ifcopenshell.entity_instance]]]) -> dict[int, int]:
        """Each element's entries into `own`; returns id() of each definition wrapper read -> its
        step id (the wrappers stay alive in the entries, so their id()s stay theirs)."""
        names: dict[int, str] = {}
        ids: dict[int, int] = {}

        def entry(definition: ifcopenshell.entity_instance) -> tuple[str, ifcopenshell.entity_instance]:
            key = definition.id()
            ids[id(definition)] = key
            name = names.get(key)
            if name is None:
                name = names[key] = _definition_name(definition)
            return name, definition

        for rel in self._ifc.by_type("IfcRelDefinesByProperties"):
            definition = rel.get_argument(_REL_RELATING)
            if definition is None:
                continue
            if definition.__class__ is tuple:  # IFC4 IfcPropertySetDefinitionSet
                entries = [entry(d) for d in definition if d is not None]
            else:
                entries = [entry(definition)]
            kept = self._elements
            for obj in rel.get_argument(_REL_RELATED) or ():
                key = obj.id()
                own[key].extend(entries)
                kept[key] = obj
        for type_object in self._ifc.by_type("IfcTypeObject"):
            for pset in type_object.HasPropertySets or ():
                own[type_object.id()].append(entry(pset))
        for cls, owner_attr in (
            ("IfcMaterialProperties", "Material"),
            ("IfcProfileProperties", "ProfileDefinition"),
        ):
            try:
                owners = self._ifc.by_type(cls)
            except RuntimeError:  # the class does not exist in this schema
                continue
            for props in owners:
                owner = getattr(props, owner_attr, None)
                if owner is not None:
                    own[owner.id()].append(entry(props))
        return ids

    def elements_with_psets(self, wanted: NameFilter | None = None) -> Iterator[ifcopenshell.entity_instance]:
        """Every element with a property set (its own or its type's), optionally a matching one."""
        for element_id in self.ids_with_psets(wanted):
            yield self._ifc.by_id(element_id)

    def element(self, key: int) -> ifcopenshell.entity_instance:
        """The instance with step id `key`, the very wrapper indexing read when it had sets."""
        found = self._elements.get(key)
        return self._ifc.by_id(key) if found is None else found

    def ids_with_psets(self, wanted: NameFilter | None = None) -> list[int]:
        """Step ids of elements_with_psets(wanted), in order."""

        accepted: dict[str, bool] = {}  # set names repeat in every element: each asked about once

        def has(element_id: int) -> bool:
            if wanted is None:
                return bool(self._own.get(element_id))
            for name, _ in self._own.get(element_id, ()):
                ok = accepted.get(name)
                if ok is None:
                    ok = accepted[name] = wanted(name)
                if ok:
                    return True
            return False

        ids = {k for k in self._own if has(k)}
        ids.update(k for k, t in self._type_of.items() if has(t.id()))
        return sorted(ids)

    def psets(
        self,
        element: ifcopenshell.entity_instance,
        wanted: NameFilter | None = None,
        wanted_property: NameFilter | None = None,
    ) -> PropertySets:
        """Property sets of an element: its type's, overridden property by property by its own.

        `wanted` and `wanted_property` limit the result (and the parsing) to the sets and
        properties whose names they accept.
        """
        return self.matching_of(element.id(), _Accepting(wanted), _Accepting(wanted_property))

    def matching(
        self, element: ifcopenshell.entity_instance, sets: NameSpec, props: NameSpec
    ) -> PropertySets:
        """What psets(element, sets.matches_name, props.matches_name) returns, faster.

        A requirement usually names its set and property exactly; they are then looked up
        instead of every set and member name being offered to a filter. psets() is this with
        names that only a filter decides: one merge of a type's sets and the element's own.
        """
        return self.matching_of(element.id(), sets, props)

    def matching_of(self, key: int, sets: NameSpec, props: NameSpec) -> PropertySets:
        """matching() of the element with step id `key`."""
        result: PropertySets = {}
        type_object = self._type_of.get(key)
        if type_object is not None:
            self._gather(type_object.id(), sets, props, True, result)
        self._gather(key, sets, props, False, result)
        return result

    def _gather(
        self, owner: int, sets: NameSpec, props: NameSpec, inherited: bool, result: PropertySets
    ) -> None:
        entries = self._own.get(owner)
        if not entries:
            return
        set_name, prop_name = sets.simple, props.simple
        for name, definition in entries:
            if (name != set_name) if set_name is not None else not sets.matches_name(name):
                continue
            members = self._members_of(definition)
            if members is None:
                continue
            found: dict[str, Property] = {}
            if prop_name is not None:
                if prop_name in members:
                    found[prop_name] = self._member(members, name, prop_name, definition, inherited)
            else:
                for member_name in members:
                    if props.matches_name(member_name):
                        found[member_name] = self._member(members, name, member_name, definition, inherited)
            if name in result and not inherited:  # as psets(): own sets merge, a type's replace
                result[name].update(found)
            else:
                result[name] = found

    def _member(
        self,
        members: dict[str, Member],
        pset: str,
        name: str,
        definition: ifcopenshell.entity_instance,
        inherited: bool,
    ) -> Property:
        member = members[name]
        if member.__class__ is not Property:
            # Read on first request and kept in place of the IFC entity.
            member = members[name] = self._read(pset, name, member)
        assert isinstance(member, Property)
        return self._inherited(definition, member) if inherited else member

    def _read(self, pset: str, name: str, member: Member) -> Property:
        if isinstance(member, Property):
            return member
        cls = member.is_a()
        if cls == "IfcPropertySingleValue":
            return self._single(pset, name, member)
        if cls in self._quantity_classes:
            return self._quantity(pset, name, member)
        return self._property(pset, name, member)

    def _single(self, pset: str, name: str, p: ifcopenshell.entity_instance) -> Property:
        """A single value, shared with every equal one read before (see `_singles`)."""
        wrapped = p.get_argument(_SINGLE_VALUE)
        unit = p.get_argument(_SINGLE_UNIT)
        if wrapped is None:
            key: tuple[object, ...] = (pset, name)
        elif isinstance(wrapped, ifcopenshell.entity_instance):
            raw = wrapped.get_argument(0)
            # The class in the key: 1, 1.0 and True are equal in Python; repr tells 0.0 from -0.0.
            held = repr(raw) if raw.__class__ is float and not raw else raw
            key = (pset, name, wrapped.is_a(), raw.__class__, held, None if unit is None else unit.id())
        else:
            return self._property(pset, name, p)
        try:
            found = self._singles.get(key)
        except TypeError:  # an unhashable value: read it on its own
            return self._property(pset, name, p)
        if found is None:
            found = self._singles[key] = self._property(pset, name, p)
        return found

    def _inherited(self, definition: ifcopenshell.entity_instance, prop: Property) -> Property:
        cache_key = (definition.id(), prop.name)
        cached = self._from_types.get(cache_key)
        if cached is None:
            cached = Property(prop.pset, prop.name, prop.kind, prop.values, True)
            self._from_types[cache_key] = cached
        return cached

    def _members_of(self, definition: ifcopenshell.entity_instance) -> dict[str, Member] | None:
        key = definition.id()
        if key in self._members:
            return self._members[key]
        cls = definition.is_a()
        result: dict[str, Member] | None
        if cls == "IfcPropertySet":
            result = _by_name(definition.get_argument(_PSET_PROPERTIES))
        elif cls == "IfcElementQuantity":
            result = _by_name(definition.get_argument(_QTO_QUANTITIES))
        elif definition.is_a("IfcMaterialProperties") or definition.is_a("IfcProfileProperties"):
            props = getattr(definition, "Properties", None)
            if props is None and hasattr(definition, "ExtendedProperties"):
                props = definition.ExtendedProperties  # IFC2X3 IfcExtendedMaterialProperties
            result = _by_name(props)
        elif definition.is_a("IfcPropertySetDefinition"):
            result = dict(self._predefined(_definition_name(definition), definition))
        else:
            result = None
        self._members[key] = result
        return result

    def _typed(self, wrapped: object, unit: ifcopenshell.entity_instance | None = None) -> TypedValue:
        if isinstance(wrapped, ifcopenshell.entity_instance):
            measure = wrapped.is_a()
            upper = self._measure_names.get(measure)
            if upper is None:
                upper = self._measure_names[measure] = measure.upper()
            raw = wrapped.get_argument(0)
            if isinstance(raw, float):
                value, symbol = self._units.to_si(measure, raw, unit)
                return TypedValue(upper, value, symbol)
            return TypedValue(upper, raw)
        return TypedValue(None, wrapped)

    def _property(self, pset: str, name: str, p: ifcopenshell.entity_instance) -> Property:
        cls = p.is_a()
        if cls == "IfcPropertySingleValue":
            value = p.get_argument(_SINGLE_VALUE)
            values = () if value is None else (self._typed(value, p.get_argument(_SINGLE_UNIT)),)
            return Property(pset, name, "single", values)
        if cls == "IfcPropertyEnumeratedValue":
            unit = p.EnumerationReference.Unit if p.EnumerationReference is not None else None
            return Property(
                pset, name, "enumerated", tuple(self._typed(v, unit) for v in p.EnumerationValues or ())
            )
        if cls == "IfcPropertyBoundedValue":
            bounds = [p.UpperBoundValue, p.LowerBoundValue, getattr(p, "SetPointValue", None)]
            return Property(
                pset, name, "bounded", tuple(self._typed(v, p.Unit) for v in bounds if v is not None)
            )
        if cls == "IfcPropertyListValue":
            return Property(pset, name, "list", tuple(self._typed(v, p.Unit) for v in p.ListValues or ()))
        if cls == "IfcPropertyTableValue":
            defining = [self._typed(v, p.DefiningUnit) for v in p.DefiningValues or ()]
            defined = [self._typed(v, p.DefinedUnit) for v in p.DefinedValues or ()]
            return Property(pset, name, "table", tuple(defining + defined))
        if cls == "IfcComplexProperty":
            return Property(pset, name, "complex", ())
        return Property(pset, name, "reference", ())

    def _quantity(self, pset: str, name: str, q: ifcopenshell.entity_instance) -> Property:
        measure = QUANTITY_MEASURES.get(q.is_a())
        if measure is None:  # IfcPhysicalComplexQuantity: not checkable by IDS
            return Property(pset, name, "complex", ())
        raw = q.get_argument(_QUANTITY_VALUE)
        if raw is None:
            return Property(pset, name, "quantity", ())
        if isinstance(raw, float):
            value, symbol = self._units.to_si(measure, raw, q.get_argument(_QUANTITY_UNIT))
            return Property(pset, name, "quantity", (TypedValue(measure, value, symbol),))
        return Property(pset, name, "quantity", (TypedValue(measure, raw),))

    def _predefined(self, pset: str, definition: ifcopenshell.entity_instance) -> dict[str, Property]:
        # IfcDoorLiningProperties and friends: their attributes act as properties.
        result: dict[str, Property] = {}
        attributes = self._schema.attributes(definition.is_a())
        base = self._schema.attributes("IfcPropertySetDefinition")
        for attr_name, info in attributes.items():
            if attr_name in base or info.kind in ("entity", "aggregate", "select"):
                continue
            raw = definition.get_argument(info.index)
            data_type = (info.type_name or "").upper() or None
            values: tuple[TypedValue, ...]
            if raw is None:
                values = ()
            elif isinstance(raw, float) and info.type_name:
                value, symbol = self._units.to_si(info.type_name, raw)
                values = (TypedValue(data_type, value, symbol),)
            else:
                values = (TypedValue(data_type, raw),)
            result[attr_name] = Property(pset, attr_name, "predefined", values)
        return result


class _Accepting:
    """A NameSpec from psets()'s optional filter: no exact name, every name when there is none."""

    __slots__ = ("_accepts",)
    simple = None

    def __init__(self, accepts: NameFilter | None) -> None:
        self._accepts = accepts

    def matches_name(self, text: str | None) -> bool:
        return text is not None and (self._accepts is None or self._accepts(text))


def _by_name(items: tuple[ifcopenshell.entity_instance, ...] | None) -> dict[str, Member]:
    """Members of a set by name (of duplicate names the last one, as ifcopenshell's readers do)."""
    result: dict[str, Member] = {}
    for item in items or ():
        name = item.get_argument(_PROP_NAME)
        if name is not None:
            result[name] = item
    return result


def _definition_name(definition: ifcopenshell.entity_instance) -> str:
    if definition.is_a("IfcPropertySetDefinition"):
        name = definition.get_argument(_ROOT_NAME)
    else:  # IfcMaterialProperties, IfcProfileProperties: Name is not at the IfcRoot position
        name = getattr(definition, "Name", None)
    return name or ""
