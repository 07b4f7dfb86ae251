"""Classifications and materials associated with elements, type-inherited ones included."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import ifcopenshell

from bimcheck.model.schema import SchemaInfo


@dataclass(frozen=True, slots=True)
class ClassificationRef:
    """One classification of an element: its system and the codes of the reference chain.

    `codes` holds the reference's own identification first, then those of its parent
    references, so that a requirement for "EF_25_10" is met by "EF_25_10_25".
    """

    system: str | None
    codes: tuple[str, ...]
    label: str


@dataclass(frozen=True, slots=True)
class MaterialInfo:
    """The names and categories an element's material association exposes to IDS."""

    values: tuple[str, ...]
    label: str


class _Associations:
    """Shared plumbing: the schema, attribute positions, and the type of each occurrence."""

    def __init__(
        self, ifc: ifcopenshell.file, schema: SchemaInfo, type_of: dict[int, ifcopenshell.entity_instance]
    ) -> None:
        self.ifc = ifc
        self.schema = schema
        self.type_of = type_of  # occurrence id -> its type object, the model's one table
        self._positions: dict[str, dict[str, int]] = {}

    def argument(self, item: ifcopenshell.entity_instance, attribute: str) -> object:
        """An attribute by name through its cached position; None if the class lacks it."""
        cls = item.is_a()
        positions = self._positions.get(cls)
        if positions is None:
            positions = {name: info.index for name, info in self.schema.attributes(cls).items()}
            self._positions[cls] = positions
        index = positions.get(attribute)
        return None if index is None else item.get_argument(index)

    def related(
        self, rel_class: str, relating_attr: str
    ) -> Iterator[tuple[tuple[ifcopenshell.entity_instance, ...], object]]:
        """(related objects, relating item) of every association relationship of a class."""
        related_at = self.schema.index_of(rel_class, "RelatedObjects")
        relating_at = self.schema.index_of(rel_class, relating_attr)
        for rel in self.ifc.by_type(rel_class):
            relating = rel.get_argument(relating_at)
            objects = rel.get_argument(related_at) if relating is not None else None
            if objects:
                yield objects, relating


class ClassificationIndex(_Associations):
    """Classification references per element; occurrences override their type per system."""

    def __init__(
        self, ifc: ifcopenshell.file, schema: SchemaInfo, type_of: dict[int, ifcopenshell.entity_instance]
    ) -> None:
        super().__init__(ifc, schema, type_of)
        self._direct: dict[int, list[ClassificationRef]] = defaultdict(list)
        self._refs: dict[int, ClassificationRef] = {}
        self._cache: dict[int, tuple[ClassificationRef, ...]] = {}
        self._shared: dict[tuple[int, ...], tuple[ClassificationRef, ...]] = {}
        # (ids of an element's own references, its type's id) -> what the element has
        self._merged: dict[tuple[tuple[int, ...], int], tuple[ClassificationRef, ...]] = {}
        for objects, item in self.related("IfcRelAssociatesClassification", "RelatingClassification"):
            assert isinstance(item, ifcopenshell.entity_instance)
            ref = self._ref(item)  # once per relationship, not once per element it classifies
            for obj in objects:
                self._direct[obj.id()].append(ref)
        # IFC4+: resources such as IfcMaterial are classified through external references.
        if schema.entity_name("IfcExternalReferenceRelationship") is not None:
            for rel in ifc.by_type("IfcExternalReferenceRelationship"):
                source = rel.RelatingReference
                if source is None or not source.is_a("IfcClassificationReference"):
                    continue
                ref = self._ref(source)
                for obj in rel.RelatedResourceObjects or ():
                    if isinstance(obj, ifcopenshell.entity_instance):
                        self._direct[obj.id()].append(ref)

    def classified_elements(self) -> Iterator[ifcopenshell.entity_instance]:
        """Every element with a classification of its own or inherited from its type."""
        ids = set(self._direct)
        ids.update(k for k, t in self.type_of.items() if t.id() in self._direct)
        for element_id in sorted(ids):
            yield self.ifc.by_id(element_id)

    def of(self, element: ifcopenshell.entity_instance) -> tuple[ClassificationRef, ...]:
        key = element.id()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        own = self._direct.get(key, ())
        type_object = self.type_of.get(key)
        # What an element has follows from its own references and its type: elements with the
        # same of both (the walls of one type, each classified alike) share one merge.
        signature = (tuple(map(id, own)), 0 if type_object is None else type_object.id())
        result = self._merged.get(signature)
        if result is None:
            refs = list(own)
            if type_object is not None:
                own_systems = {r.system for r in own}
                refs.extend(r for r in self._direct.get(type_object.id(), ()) if r.system not in own_systems)
            # Equal classifications share one tuple: facets key what they found by its identity.
            merged = tuple(refs)
            result = self._merged[signature] = self._shared.setdefault(tuple(map(id, merged)), merged)
        self._cache[key] = result
        return result

    def _ref(self, item: ifcopenshell.entity_instance) -> ClassificationRef:
        key = item.id()
        cached = self._refs.get(key)
        if cached is None:
            cached = self._walk(item)
            self._refs[key] = cached
        return cached

    def _walk(self, item: ifcopenshell.entity_instance) -> ClassificationRef:
        if item.is_a("IfcClassification"):
            name = self.argument(item, "Name")
            return ClassificationRef(name if isinstance(name, str) else None, (), str(name or ""))
        codes: list[str] = []
        system = None
        node: object = item
        seen: set[int] = set()
        while isinstance(node, ifcopenshell.entity_instance) and node.id() not in seen:
            seen.add(node.id())
            if node.is_a("IfcClassification"):
                name = self.argument(node, "Name")
                system = name if isinstance(name, str) else None
                break
            code = self.argument(node, "Identification") or self.argument(
                node, "ItemReference"
            )  # IFC2X3 name
            if isinstance(code, str):
                codes.append(code)
            node = self.argument(node, "ReferencedSource")
        label = f"{system}: {codes[0]}" if codes else str(system)
        return ClassificationRef(system, tuple(codes), label)


# Attributes holding names or categories on material definitions, and the attributes
# leading to the definitions they are made of (layers, constituents, profiles, lists).
_MATERIAL_TEXT = ("Name", "Category", "LayerSetName")
_MATERIAL_CHILDREN = (
    "Material",
    "Materials",
    "MaterialLayers",
    "MaterialConstituents",
    "MaterialProfiles",
    "ForLayerSet",
    "ForProfileSet",
    "ForProfileEndSet",
)


class MaterialIndex(_Associations):
    """Material associations per element; an occurrence without one inherits its type's."""

    def __init__(
        self, ifc: ifcopenshell.file, schema: SchemaInfo, type_of: dict[int, ifcopenshell.entity_instance]
    ) -> None:
        super().__init__(ifc, schema, type_of)
        self._direct: dict[int, MaterialInfo] = {}
        self._parsed: dict[int, MaterialInfo] = {}
        for objects, material in self.related("IfcRelAssociatesMaterial", "RelatingMaterial"):
            assert isinstance(material, ifcopenshell.entity_instance)
            info = self._parse(material)
            for obj in objects:
                self._direct[obj.id()] = info

    def elements_with_material(self) -> Iterator[ifcopenshell.entity_instance]:
        ids = set(self._direct)
        ids.update(k for k, t in self.type_of.items() if t.id() in self._direct)
        for element_id in sorted(ids):
            yield self.ifc.by_id(element_id)

    def of(self, element: ifcopenshell.entity_instance) -> MaterialInfo | None:
        info = self._direct.get(element.id())
        if info is None:
            type_object = self.type_of.get(element.id())
            if type_object is not None:
                info = self._direct.get(type_object.id())
        return info

    def _parse(self, material: ifcopenshell.entity_instance) -> MaterialInfo:
        key = material.id()
        cached = self._parsed.get(key)
        if cached is None:
            values: list[str] = []
            self._collect(material, values, set())
            cached = MaterialInfo(tuple(dict.fromkeys(values)), material.is_a())
            self._parsed[key] = cached
        return cached

    def _collect(self, item: ifcopenshell.entity_instance, out: list[str], seen: set[int]) -> None:
        if item.id() in seen:
            return
        seen.add(item.id())
        for attr in _MATERIAL_TEXT:
            value = self.argument(item, attr)
            if isinstance(value, str) and value:
                out.append(value)
        for attr in _MATERIAL_CHILDREN:
            child = self.argument(item, attr)
            for c in child if isinstance(child, tuple) else (child,):
                if isinstance(c, ifcopenshell.entity_instance):
                    self._collect(c, out, seen)
