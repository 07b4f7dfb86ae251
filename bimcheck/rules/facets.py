"""The six IDS facets and how each one is checked against an element of an indexed model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Protocol

import ifcopenshell

from bimcheck.model.associations import ClassificationRef, MaterialInfo
from bimcheck.model.properties import Property, TypedValue
from bimcheck.model.relations import RELATIONS
from bimcheck.model.schema import IFC2X3_OCCURRENCE_BY_TYPE
from bimcheck.rules.values import ValueSpec

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

REQUIRED = "required"
OPTIONAL = "optional"
PROHIBITED = "prohibited"
CARDINALITIES = (REQUIRED, OPTIONAL, PROHIBITED)


class Match(Enum):
    """What a facet found on an element: satisfied, contradicted, no data, or undecidable.

    UNKNOWN is for bimcheck's own facets (measures, relations): the value could not be
    determined, e.g. no quantity and no usable geometry. It is never a pass.
    """

    PASS = "pass"
    FAIL = "fail"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one facet on one element, with what was observed and why."""

    match: Match
    reason: str
    observed: str | None = None
    value: object = None
    unit: str | None = None
    source: str | None = None


class Facet(Protocol):
    """What the engine needs of a facet: IDS's six and bimcheck's own measures and relations."""

    @property
    def kind(self) -> str: ...

    @property
    def cardinality(self) -> str: ...

    @property
    def instructions(self) -> str | None: ...

    def __hash__(self) -> int:
        """Facets are frozen values: equal facets are interchangeable (and cacheable)."""
        ...

    def describe(self) -> str:
        """What the facet asks for, as a phrase (used as `expected` in reports)."""
        ...

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        """What the facet finds on one element."""
        ...

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        """A superset of the elements the facet can match, as cheaply as the model allows."""
        ...


def satisfied(cardinality: str, check: Check) -> bool:
    """IDS cardinality: required needs a match, optional tolerates absence, prohibited is the opposite."""
    if check.match is Match.UNKNOWN:
        return False
    if cardinality == OPTIONAL:
        return check.match is not Match.FAIL
    if cardinality == PROHIBITED:
        return check.match is not Match.PASS
    return check.match is Match.PASS


def _empty(value: object) -> bool:
    """IDS treats empty strings, empty lists and the logical UNKNOWN as no value."""
    return value == "" or value == () or value == "UNKNOWN"


def _plain(value: object) -> object:
    """Unwrap a defined-type value held in a select (e.g. IfcLabel('x')) to its Python value."""
    if isinstance(value, ifcopenshell.entity_instance) and not value.is_entity():
        return value.wrappedValue
    return value


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, ifcopenshell.entity_instance):
        return f"#{value.id()}={value.is_a()}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _shown(values: tuple[TypedValue, ...]) -> str:
    if len(values) == 1:
        return _show(values[0].value)
    return ", ".join(_show(v.value) for v in values)


def _types(values: tuple[TypedValue, ...]) -> str:
    """The data types of a property's values, as `IFCLABEL` or `IFCLABEL/IFCTEXT`."""
    if len(values) == 1:
        return values[0].data_type or "untyped"
    return "/".join(sorted({v.data_type for v in values if v.data_type})) or "untyped"


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _show(value)


@dataclass(frozen=True, slots=True)
class EntityFacet:
    """Elements of exactly an IFC class (never its subclasses), optionally of a predefined type."""

    name: ValueSpec
    predefined_type: ValueSpec | None = None
    instructions: str | None = None
    cardinality: str = REQUIRED
    kind: ClassVar[str] = "entity"

    def describe(self) -> str:
        text = f"class {self.name.describe()}"
        if self.predefined_type is not None:
            text += f" with predefined type {self.predefined_type.describe()}"
        return text

    def class_names(self, model: Model, element: ifcopenshell.entity_instance) -> list[str]:
        """The IDS class names an element answers to (IFC2X3 adds names implied by its type)."""
        names = [element.is_a().upper()]
        if model.schema.name == "IFC2X3":
            type_object = model.type_of(element)
            if type_object is not None:
                for ids_name, (occurrence, type_class) in IFC2X3_OCCURRENCE_BY_TYPE.items():
                    if names[0] == occurrence.upper() and type_object.is_a() == type_class:
                        names.append(ids_name)
        return names

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        names = self.class_names(model, element)
        if not any(self.name.matches_name(n) for n in names):
            return Check(Match.FAIL, "wrong_class", names[0], names[0])
        if self.predefined_type is None:
            return Check(Match.PASS, "ok", names[0], names[0])
        predefined = model.predefined_types(element)
        shown = predefined[0] if predefined else None
        observed = f"{names[0]} with predefined type {shown}"
        if not any(self.predefined_type.matches(p) for p in predefined):
            return Check(Match.FAIL, "wrong_predefined_type", observed, shown)
        return Check(Match.PASS, "ok", observed, shown)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        out: list[ifcopenshell.entity_instance] = []
        for name in self._wanted(model):
            out.extend(model.by_class(name))
            if model.schema.name == "IFC2X3" and name in IFC2X3_OCCURRENCE_BY_TYPE:
                out.extend(model.typed_occurrences(IFC2X3_OCCURRENCE_BY_TYPE[name][1]))
        return out

    def matching(self, model: Model) -> list[ifcopenshell.entity_instance] | None:
        """Exactly the elements the facet passes, when its class names alone decide; else None.

        An instance of a class whose name the facet matches passes without a check, so the
        engine need not check it again (the IFC2X3 type-implied names are still checked).
        """
        if self.predefined_type is not None:
            return None
        out: list[ifcopenshell.entity_instance] = []
        implied: list[ifcopenshell.entity_instance] = []
        for name in self._wanted(model):
            if self.name.matches_name(name):
                out.extend(model.by_class(name))
            if model.schema.name == "IFC2X3" and name in IFC2X3_OCCURRENCE_BY_TYPE:
                implied.extend(model.typed_occurrences(IFC2X3_OCCURRENCE_BY_TYPE[name][1]))
        out.extend(e for e in implied if self.check(model, e).match is Match.PASS)
        return out

    def _wanted(self, model: Model) -> list[str]:
        finite = self.name.candidates()
        if finite is not None:
            return sorted({c.upper() for c in finite})
        wanted = {n.upper() for n in model.file.types() if self.name.matches_name(n.upper())}
        wanted.update(n for n in IFC2X3_OCCURRENCE_BY_TYPE if self.name.matches_name(n))
        return sorted(wanted)


@dataclass(frozen=True, slots=True)
class AttributeFacet:
    """An IFC attribute (e.g. Name, OverallWidth) that must have a value, optionally a given one."""

    name: ValueSpec
    value: ValueSpec | None = None
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "attribute"

    def describe(self) -> str:
        text = f"attribute {self.name.describe()}"
        return text + (f" = {self.value.describe()}" if self.value is not None else " has a value")

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        attributes = model.schema.attributes(element.is_a())
        if self.name.simple is not None:
            single = attributes.get(self.name.simple)
            if single is not None:
                raw = element.get_argument(single.index)
                if raw.__class__ is str:
                    # The usual case, a text (a name, a tag): equal texts are decided once.
                    return model.outcome(self, (single.name, raw), partial(self._text, single.name, raw))
            matched = [single] if single is not None else []
        else:
            matched = [info for name, info in attributes.items() if self.name.matches_name(name)]
        if not matched:
            return Check(Match.ABSENT, "no_such_attribute")
        found: list[tuple[str, object]] = []
        empty = 0
        for info in matched:
            raw = element[info.index]
            if raw is None:
                continue
            value = _plain(raw)
            if _empty(value) or (info.base == "logical" and value == "UNKNOWN"):
                empty += 1
                continue
            found.append((info.name, self._in_si(model, info.type_name, raw, value)))
        if not found:
            if empty:
                return Check(Match.FAIL, "empty_value", "empty", "")
            return Check(Match.ABSENT, "null_value", "null")
        observed = ", ".join(f"{n} = {_show(v)}" for n, v in found)
        first = found[0][1]
        source = f"attribute: {found[0][0]}"
        if self.value is None:
            return Check(Match.PASS, "ok", observed, _json_value(first), source=source)
        for _, v in found:
            if isinstance(v, ifcopenshell.entity_instance) or not self.value.matches(v):
                return Check(Match.FAIL, "value_mismatch", observed, _json_value(v), source=source)
        return Check(Match.PASS, "ok", observed, _json_value(first), source=source)

    def _text(self, name: str, text: str) -> Check:
        """What check() finds in a text attribute holding `text`."""
        if _empty(text):
            return Check(Match.FAIL, "empty_value", "empty", "")
        observed = f"{name} = {text}"
        source = f"attribute: {name}"
        if self.value is not None and not self.value.matches(text):
            return Check(Match.FAIL, "value_mismatch", observed, text, source=source)
        return Check(Match.PASS, "ok", observed, text, source=source)

    @staticmethod
    def _in_si(model: Model, declared: str | None, raw: object, value: object) -> object:
        if not isinstance(value, float):
            return value
        measure = raw.is_a() if isinstance(raw, ifcopenshell.entity_instance) else declared
        converted, _ = model.units.to_si(measure, value)
        return converted

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        out: list[ifcopenshell.entity_instance] = []
        for cls in sorted(model.file.types()):
            if cls.upper() not in model.schema.entities:
                continue
            if any(self.name.matches_name(n) for n in model.schema.attributes(cls)):
                out.extend(model.by_class(cls))
        return out

    def matching(self, model: Model) -> list[ifcopenshell.entity_instance]:
        """Exactly the elements the facet passes: the check, with a shortcut for plain strings.

        An applicability such as "Name matches W[0-9]+" looks at every named instance of the
        model (properties, relationships…); reading the one attribute and matching the text
        directly is several times cheaper than the general check.
        """
        out: list[ifcopenshell.entity_instance] = []
        value = self.value
        decided: dict[str, bool] = {}
        for cls in sorted(model.file.types()):
            if cls.upper() not in model.schema.entities:
                continue
            matched = [i for n, i in model.schema.attributes(cls).items() if self.name.matches_name(n)]
            if not matched:
                continue
            elements = model.by_class(cls)
            if len(matched) > 1:
                out.extend(e for e in elements if self.check(model, e).match is Match.PASS)
                continue
            index = matched[0].index
            for element in elements:
                raw = element.get_argument(index)
                if raw is None:
                    continue  # null: absent
                if raw.__class__ is str:
                    # As check() decides a text: empty fails, otherwise the value decides.
                    # Texts repeat (the same property name in thousands of sets): decided once.
                    passed = decided.get(raw)
                    if passed is None:
                        passed = decided[raw] = not _empty(raw) and (value is None or value.matches(raw))
                    if passed:
                        out.append(element)
                elif self.check(model, element).match is Match.PASS:
                    out.append(element)
        return out


@dataclass(frozen=True, slots=True)
class ClassificationFacet:
    """A classification reference, by system (e.g. CoClass) and optionally by code."""

    system: ValueSpec | None = None
    value: ValueSpec | None = None
    uri: str | None = None
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "classification"

    def describe(self) -> str:
        system = self.system.describe() if self.system is not None else "any system"
        code = f" code {self.value.describe()}" if self.value is not None else ""
        return f"classification {system}{code}"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        refs = model.classifications.of(element)
        # Elements with the same classifications share one tuple of them, and one outcome.
        return model.outcome(self, id(refs), lambda: self._check(refs))

    def _check(self, refs: tuple[ClassificationRef, ...]) -> Check:
        if not refs:
            return Check(Match.ABSENT, "not_classified", "no classification")
        observed = "; ".join(r.label for r in refs)
        for ref in refs:
            if self.system is not None and not self.system.matches_name(ref.system):
                continue
            if self.value is not None and not any(self.value.matches(c) for c in ref.codes):
                continue
            return Check(Match.PASS, "ok", observed, ref.label)
        return Check(Match.FAIL, "classification_mismatch", observed, observed)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.classifications.classified_elements()


@dataclass(frozen=True, slots=True)
class PropertyFacet:
    """A property or quantity in a named set, optionally of a data type and value (SI units)."""

    property_set: ValueSpec
    base_name: ValueSpec
    data_type: str | None = None
    value: ValueSpec | None = None
    uri: str | None = None
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "property"

    def describe(self) -> str:
        text = f"{self.property_set.describe()}.{self.base_name.describe()}"
        if self.data_type:
            text += f" ({self.data_type})"
        return text + (f" = {self.value.describe()}" if self.value is not None else " has a value")

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        key = element.id()
        # Elements with the same property sets (their type's, shared ones) find the same.
        return model.outcome(self, model.properties.state_of(key), lambda: self._check(model, key))

    def matching(self, model: Model) -> list[ifcopenshell.entity_instance]:
        """Exactly the elements the facet passes, decided on step ids.

        As an applicability ("external elements …") a property facet passes a fraction of
        the elements with a matching set; those it does not pass are never handed to Python.
        """
        properties = model.properties
        passed = []
        for key in properties.ids_with_psets(self.property_set.matches_name):
            check = model.outcome(self, properties.state_of(key), partial(self._check, model, key))
            if check.match is Match.PASS:
                passed.append(key)
        return [properties.element(key) for key in passed]

    def _check(self, model: Model, key: int) -> Check:
        base_name = self.base_name
        psets = model.properties.matching_of(key, self.property_set, base_name)
        if len(psets) == 1:
            (props,) = psets.values()
            if len(props) == 1:
                (prop,) = props.values()
                if len(prop.values) == 1 and prop.kind != "complex" and prop.kind != "reference":
                    # Equal values read from different sets are one Property: one outcome.
                    return model.outcome(self, id(prop), lambda: self._single(prop, prop.values[0]))
        matched: list[Property] = []
        missing_in: list[str] = []
        for pset_name, props in psets.items():  # holds only the properties base_name accepts
            if props:
                matched.extend(props.values())
            else:
                missing_in.append(pset_name)
        if not matched:
            return Check(Match.ABSENT, "no_such_property", "not found")
        # Every property set the requirement names must hold the property (IDS 1.0).
        observations = [f"{name} has no {base_name.describe()}" for name in missing_in]
        failure: str | None = "missing_in_some_property_sets" if missing_in else None
        nulls = 0
        first_value: object = None
        unit: str | None = None
        data_type, value_spec = self.data_type, self.value
        for prop in matched:
            kind = prop.kind
            if kind == "complex" or kind == "reference":
                observations.append(f"{prop.pset}.{prop.name} is a {kind} property")
                failure = failure or "unsupported_property"
                continue
            values = prop.values
            if not values:
                observations.append(f"{prop.pset}.{prop.name} = null")
                nulls += 1
                continue
            observations.append(f"{prop.pset}.{prop.name} = {_shown(values)} ({_types(values)})")
            if first_value is None:
                first_value, unit = values[0].value, values[0].unit
            if data_type is not None:
                values = tuple(v for v in values if v.data_type == data_type)
                if not values:
                    failure = failure or "data_type_mismatch"
                    continue
            if prop.is_empty:
                failure = failure or "empty_value"
                continue
            if value_spec is not None and not any(value_spec.matches(v.value) for v in values):
                failure = failure or "value_mismatch"
        observed = "; ".join(observations)
        source = f"property: {matched[0].pset}.{matched[0].name}"
        if failure is None and nulls == len(matched):
            return Check(Match.ABSENT, "null_value", observed, source=source)
        if failure is None and nulls:
            failure = "null_value"
        if failure is not None:
            return Check(Match.FAIL, failure, observed, _json_value(first_value), unit, source)
        return Check(Match.PASS, "ok", observed, _json_value(first_value), unit, source)

    def _single(self, prop: Property, value: TypedValue) -> Check:
        """The usual case, one set holding the property with one value: what _check would
        find, without its bookkeeping for several sets and values."""
        observed = f"{prop.pset}.{prop.name} = {_show(value.value)} ({value.data_type or 'untyped'})"
        if self.data_type is not None and value.data_type != self.data_type:
            failure: str | None = "data_type_mismatch"
        elif prop.is_empty:
            failure = "empty_value"
        elif self.value is not None and not self.value.matches(value.value):
            failure = "value_mismatch"
        else:
            failure = None
        source = f"property: {prop.pset}.{prop.name}"
        shown = _json_value(value.value)
        if failure is not None:
            return Check(Match.FAIL, failure, observed, shown, value.unit, source)
        return Check(Match.PASS, "ok", observed, shown, value.unit, source)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.properties.elements_with_psets(self.property_set.matches_name)


@dataclass(frozen=True, slots=True)
class MaterialFacet:
    """A material association, optionally with a material, layer, profile or category name."""

    value: ValueSpec | None = None
    uri: str | None = None
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "material"

    def describe(self) -> str:
        return "material " + (self.value.describe() if self.value is not None else "of any kind")

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        info = model.materials.of(element)
        # Elements of one material association share its MaterialInfo, and one outcome.
        return model.outcome(self, id(info), lambda: self._check(info))

    def _check(self, info: MaterialInfo | None) -> Check:
        if info is None:
            return Check(Match.ABSENT, "no_material", "no material")
        observed = ", ".join(info.values) or f"unnamed {info.label}"
        if self.value is None:
            return Check(Match.PASS, "ok", observed, observed)
        if any(self.value.matches(v) for v in info.values):
            return Check(Match.PASS, "ok", observed, observed)
        return Check(Match.FAIL, "material_mismatch", observed, observed)

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.materials.elements_with_material()


@dataclass(frozen=True, slots=True)
class PartOfFacet:
    """Part of a whole of a given class: aggregate, group, spatial container, nest or host."""

    entity: EntityFacet
    relation: str | None = None
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "partOf"

    def describe(self) -> str:
        how = f" through {self.relation}" if self.relation else ""
        return f"part of {self.entity.describe()}{how}"

    @property
    def relations(self) -> tuple[str, ...]:
        return (self.relation,) if self.relation else RELATIONS

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        seen: list[str] = []
        for whole in model.relations.ancestors(element, self.relations):
            seen.append(whole.is_a().upper())
            # The parts of one whole (the rooms of a storey) share what it is: judged once.
            passed = model.outcome(self, whole.id(), partial(self._whole, model, whole))
            if passed is not None:
                return passed
        if not seen:
            return Check(Match.ABSENT, "not_part_of_anything", "not part of anything")
        observed = "part of " + ", ".join(dict.fromkeys(seen))
        return Check(Match.FAIL, "wrong_whole", observed, observed)

    def _whole(self, model: Model, whole: ifcopenshell.entity_instance) -> Check | None:
        """The passing check of a part of `whole`, or None if `whole` is not what is asked for."""
        if self.entity.check(model, whole).match is not Match.PASS:
            return None
        observed = f"part of {whole.is_a()} {whole.GlobalId if hasattr(whole, 'GlobalId') else ''}".strip()
        return Check(Match.PASS, "ok", observed, whole.is_a().upper())

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.relations.with_parents(self.relations)

    def matching(self, model: Model) -> list[ifcopenshell.entity_instance]:
        """Exactly the elements the facet passes: the parts of every whole the entity matches.

        Walking down from the few wholes (storeys, say) replaces walking up from each of
        thousands of parts.
        """
        relations = self.relations
        entity = self.entity
        wholes = entity.matching(model)
        if wholes is None:
            wholes = [w for w in entity.candidates(model) if entity.check(model, w).match is Match.PASS]
        found: set[int] = set()
        for whole in wholes:
            found |= model.relations.parts_of(whole, relations)
        return [model.relations.element(i) for i in sorted(found)]
