"""Classifications and materials associated with elements, type-inherited ones included."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import ifcopenshell


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


class _TypedAssociations:
    """Direct associations per element id, plus the type each occurrence inherits from."""

    def __init__(self, ifc: ifcopenshell.file) -> None:
        self.ifc = ifc
        self.type_of: dict[int, ifcopenshell.entity_instance] = {}
        for rel in ifc.by_type("IfcRelDefinesByType"):
            for obj in rel.RelatedObjects or ():
                self.type_of[obj.id()] = rel.RelatingType


class ClassificationIndex(_TypedAssociations):
    """Classification references per element; occurrences override their type per system."""

    def __init__(self, ifc: ifcopenshell.file) -> None:
        super().__init__(ifc)
        self._direct: dict[int, list[ClassificationRef]] = defaultdict(list)
        self._cache: dict[int, tuple[ClassificationRef, ...]] = {}
        for rel in ifc.by_type("IfcRelAssociatesClassification"):
            ref = _classification_ref(rel.RelatingClassification)
            for obj in rel.RelatedObjects or ():
                self._direct[obj.id()].append(ref)
        # IFC4+: resources such as IfcMaterial are classified through external references.
        try:
            external = tuple(ifc.by_type("IfcExternalReferenceRelationship"))
        except RuntimeError:  # IFC2X3 has no such relationship
            external = ()
        for rel in external:
            source = rel.RelatingReference
            if source is not None and source.is_a("IfcClassificationReference"):
                ref = _classification_ref(source)
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
        own = self._direct.get(key, [])
        refs = list(own)
        type_object = self.type_of.get(key)
        if type_object is not None:
            own_systems = {r.system for r in own}
            refs.extend(r for r in self._direct.get(type_object.id(), ()) if r.system not in own_systems)
        result = tuple(refs)
        self._cache[key] = result
        return result


def _classification_ref(item: ifcopenshell.entity_instance) -> ClassificationRef:
    if item.is_a("IfcClassification"):
        return ClassificationRef(item.Name, (), item.Name or "")
    codes: list[str] = []
    system = None
    node: ifcopenshell.entity_instance | None = item
    seen: set[int] = set()
    while node is not None and node.id() not in seen:
        seen.add(node.id())
        if node.is_a("IfcClassification"):
            system = node.Name
            break
        code = getattr(node, "Identification", None) if hasattr(node, "Identification") else None
        if code is None:
            code = getattr(node, "ItemReference", None)  # IFC2X3 spelling
        if code is not None:
            codes.append(code)
        node = getattr(node, "ReferencedSource", None)
    label = f"{system}: {codes[0]}" if codes else str(system)
    return ClassificationRef(system, tuple(codes), label)


class MaterialIndex(_TypedAssociations):
    """Material associations per element; an occurrence without one inherits its type's."""

    def __init__(self, ifc: ifcopenshell.file) -> None:
        super().__init__(ifc)
        self._direct: dict[int, MaterialInfo] = {}
        self._parsed: dict[int, MaterialInfo] = {}
        for rel in ifc.by_type("IfcRelAssociatesMaterial"):
            material = rel.RelatingMaterial
            if material is None:
                continue
            info = self._parse(material)
            for obj in rel.RelatedObjects or ():
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
            _collect_material_values(material, values, set())
            cached = MaterialInfo(tuple(dict.fromkeys(values)), material.is_a())
            self._parsed[key] = cached
        return cached


# Attributes holding names or categories on each kind of material definition, and the
# attributes leading to the definitions it is made of.
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


def _collect_material_values(item: ifcopenshell.entity_instance, out: list[str], seen: set[int]) -> None:
    if item.id() in seen:
        return
    seen.add(item.id())
    for attr in _MATERIAL_TEXT:
        value = getattr(item, attr, None) if hasattr(item, attr) else None
        if isinstance(value, str) and value:
            out.append(value)
    for attr in _MATERIAL_CHILDREN:
        if not hasattr(item, attr):
            continue
        child = getattr(item, attr)
        children = child if isinstance(child, tuple) else (child,)
        for c in children:
            if isinstance(c, ifcopenshell.entity_instance):
                _collect_material_values(c, out, seen)
