"""Property and quantity sets of every element, type-inherited ones included, values in SI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ifcopenshell

from bimcheck.model.schema import SchemaInfo
from bimcheck.model.units import UnitTable

# Quantity class -> (index of its value attribute, measure type of that value).
_QUANTITY_MEASURES = {
    "IfcQuantityLength": "IFCLENGTHMEASURE",
    "IfcQuantityArea": "IFCAREAMEASURE",
    "IfcQuantityVolume": "IFCVOLUMEMEASURE",
    "IfcQuantityCount": "IFCCOUNTMEASURE",
    "IfcQuantityWeight": "IFCMASSMEASURE",
    "IfcQuantityTime": "IFCTIMEMEASURE",
    "IfcQuantityNumber": "IFCNUMERICMEASURE",
}
_QUANTITY_VALUE_INDEX = 3  # Name, Description, Unit, <Value>, Formula in every quantity class


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


class PropertyIndex:
    """Property sets per element, built in one pass over the model's relationships."""

    def __init__(self, ifc: ifcopenshell.file, schema: SchemaInfo, units: UnitTable) -> None:
        self._ifc = ifc
        self._schema = schema
        self._units = units
        self._parsed: dict[int, dict[str, Property] | None] = {}
        self._own: dict[int, list[ifcopenshell.entity_instance]] = defaultdict(list)
        self._type_of: dict[int, ifcopenshell.entity_instance] = {}
        self._cache: dict[int, PropertySets] = {}
        self._index()

    def _index(self) -> None:
        for rel in self._ifc.by_type("IfcRelDefinesByProperties"):
            definition = rel.RelatingPropertyDefinition
            definitions = definition if isinstance(definition, tuple) else (definition,)
            for obj in rel.RelatedObjects or ():
                self._own[obj.id()].extend(d for d in definitions if d is not None)
        for rel in self._ifc.by_type("IfcRelDefinesByType"):
            for obj in rel.RelatedObjects or ():
                self._type_of[obj.id()] = rel.RelatingType
        for type_object in self._ifc.by_type("IfcTypeObject"):
            for pset in type_object.HasPropertySets or ():
                self._own[type_object.id()].append(pset)
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
                    self._own[owner.id()].append(props)

    def elements_with_psets(self) -> Iterator[ifcopenshell.entity_instance]:
        """Every element that has at least one property set, its own or its type's."""
        seen: set[int] = set()
        for element_id in list(self._own) + list(self._type_of):
            if element_id in seen:
                continue
            seen.add(element_id)
            if element_id in self._own or self._type_of[element_id].id() in self._own:
                yield self._ifc.by_id(element_id)

    def psets(self, element: ifcopenshell.entity_instance) -> PropertySets:
        """Property sets of an element: its type's, overridden property by property by its own."""
        key = element.id()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        result: PropertySets = {}
        type_object = self._type_of.get(key)
        if type_object is not None:
            for name, props in self._psets_of(type_object.id()):
                result[name] = {n: Property(p.pset, p.name, p.kind, p.values, True) for n, p in props.items()}
        for name, props in self._psets_of(key):
            result.setdefault(name, {}).update(props)
        self._cache[key] = result
        return result

    def _psets_of(self, element_id: int) -> Iterable[tuple[str, dict[str, Property]]]:
        for definition in self._own.get(element_id, ()):
            parsed = self._parse(definition)
            if parsed is not None:
                yield definition.Name or "", parsed

    def _parse(self, definition: ifcopenshell.entity_instance) -> dict[str, Property] | None:
        key = definition.id()
        if key in self._parsed:
            return self._parsed[key]
        name = getattr(definition, "Name", None) or ""
        result: dict[str, Property] | None
        if (
            definition.is_a("IfcPropertySet")
            or definition.is_a("IfcMaterialProperties")
            or definition.is_a("IfcProfileProperties")
            or definition.is_a("IfcExtendedMaterialProperties")
        ):
            props = getattr(definition, "HasProperties", None)
            if props is None:
                props = getattr(definition, "Properties", None) or getattr(
                    definition, "ExtendedProperties", None
                )
            result = {p.Name: self._property(name, p) for p in props or () if p.Name is not None}
        elif definition.is_a("IfcElementQuantity"):
            result = {
                q.Name: self._quantity(name, q) for q in definition.Quantities or () if q.Name is not None
            }
        elif definition.is_a("IfcPropertySetDefinition"):
            result = self._predefined(name, definition)
        else:
            result = None
        self._parsed[key] = result
        return result

    def _typed(self, wrapped: object, unit: ifcopenshell.entity_instance | None = None) -> TypedValue:
        if isinstance(wrapped, ifcopenshell.entity_instance):
            measure = wrapped.is_a()
            raw = wrapped.wrappedValue
            if isinstance(raw, float):
                value, symbol = self._units.to_si(measure, raw, unit)
                return TypedValue(measure.upper(), value, symbol)
            return TypedValue(measure.upper(), raw)
        return TypedValue(None, wrapped)

    def _property(self, pset: str, p: ifcopenshell.entity_instance) -> Property:
        cls = p.is_a()
        if cls == "IfcPropertySingleValue":
            value = p.NominalValue
            values = () if value is None else (self._typed(value, p.Unit),)
            return Property(pset, p.Name, "single", values)
        if cls == "IfcPropertyEnumeratedValue":
            unit = p.EnumerationReference.Unit if p.EnumerationReference is not None else None
            return Property(
                pset, p.Name, "enumerated", tuple(self._typed(v, unit) for v in p.EnumerationValues or ())
            )
        if cls == "IfcPropertyBoundedValue":
            bounds = [p.UpperBoundValue, p.LowerBoundValue, getattr(p, "SetPointValue", None)]
            return Property(
                pset, p.Name, "bounded", tuple(self._typed(v, p.Unit) for v in bounds if v is not None)
            )
        if cls == "IfcPropertyListValue":
            return Property(pset, p.Name, "list", tuple(self._typed(v, p.Unit) for v in p.ListValues or ()))
        if cls == "IfcPropertyTableValue":
            defining = [self._typed(v, p.DefiningUnit) for v in p.DefiningValues or ()]
            defined = [self._typed(v, p.DefinedUnit) for v in p.DefinedValues or ()]
            return Property(pset, p.Name, "table", tuple(defining + defined))
        if cls == "IfcComplexProperty":
            return Property(pset, p.Name, "complex", ())
        return Property(pset, p.Name, "reference", ())

    def _quantity(self, pset: str, q: ifcopenshell.entity_instance) -> Property:
        measure = _QUANTITY_MEASURES.get(q.is_a())
        if measure is None:  # IfcPhysicalComplexQuantity: not checkable by IDS
            return Property(pset, q.Name, "complex", ())
        raw = q[_QUANTITY_VALUE_INDEX]
        if raw is None:
            return Property(pset, q.Name, "quantity", ())
        if isinstance(raw, float):
            value, symbol = self._units.to_si(measure, raw, q.Unit)
            return Property(pset, q.Name, "quantity", (TypedValue(measure, value, symbol),))
        return Property(pset, q.Name, "quantity", (TypedValue(measure, raw),))

    def _predefined(self, pset: str, definition: ifcopenshell.entity_instance) -> dict[str, Property]:
        # IfcDoorLiningProperties and friends: their attributes act as properties.
        result: dict[str, Property] = {}
        attributes = self._schema.attributes(definition.is_a())
        base = self._schema.attributes("IfcPropertySetDefinition")
        for attr_name, info in attributes.items():
            if attr_name in base or info.kind in ("entity", "aggregate", "select"):
                continue
            raw = definition[info.index]
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
