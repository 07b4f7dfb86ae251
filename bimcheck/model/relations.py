"""Whole-part relations between elements: aggregation, containment, nesting, groups, voids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import ifcopenshell

from bimcheck.model.schema import SchemaInfo

AGGREGATES = "IFCRELAGGREGATES"
GROUPS = "IFCRELASSIGNSTOGROUP"
CONTAINMENT = "IFCRELCONTAINEDINSPATIALSTRUCTURE"
NESTS = "IFCRELNESTS"
VOIDS_FILLS = "IFCRELVOIDSELEMENT IFCRELFILLSELEMENT"
RELATIONS = (AGGREGATES, GROUPS, CONTAINMENT, NESTS, VOIDS_FILLS)

# relation kind -> (relationship class, attribute holding the whole, attribute holding the parts)
_SOURCES = (
    (AGGREGATES, "IfcRelAggregates", "RelatingObject", "RelatedObjects"),
    (NESTS, "IfcRelNests", "RelatingObject", "RelatedObjects"),
    (CONTAINMENT, "IfcRelContainedInSpatialStructure", "RelatingStructure", "RelatedElements"),
    (GROUPS, "IfcRelAssignsToGroup", "RelatingGroup", "RelatedObjects"),
    (VOIDS_FILLS, "IfcRelVoidsElement", "RelatingBuildingElement", "RelatedOpeningElement"),
    (VOIDS_FILLS, "IfcRelFillsElement", "RelatingOpeningElement", "RelatedBuildingElement"),
)

# Relations that place an element in space (groups do not: a zone may span storeys).
_SPATIAL = (CONTAINMENT, AGGREGATES, NESTS, VOIDS_FILLS)


class RelationIndex:
    """Parents of every element per relation kind, each kind indexed in one pass when first asked."""

    def __init__(self, ifc: ifcopenshell.file, schema: SchemaInfo) -> None:
        self._ifc = ifc
        self._schema = schema
        # relation kind -> part id -> ids of its wholes; the wholes themselves by id. Ids, since
        # every part's storey is asked for (its identity in reports): walking ids costs no
        # wrapper per step. A kind is read when first needed: most checks need containment
        # only, and a model's voids and fills outnumber its containment many times.
        self._tables: dict[str, dict[int, list[int]]] = {}
        self._wholes: dict[int, ifcopenshell.entity_instance] = {}
        # The parts read while indexing, by id: handed back instead of wrapped anew (by_id).
        self._parts: dict[int, ifcopenshell.entity_instance] = {}
        # element id -> id of its storey (0: none); storeys by id
        self._storey_of: dict[int, int] = {}
        self._storeys = {s.id(): s for s in ifc.by_type("IfcBuildingStorey")}
        self._children_by: dict[tuple[str, ...], dict[int, list[int]]] = {}

    def _table(self, relation: str) -> dict[int, list[int]]:
        """Part id -> ids of its wholes through one relation kind."""
        table = self._tables.get(relation)
        if table is not None:
            return table
        table = self._tables[relation] = defaultdict(list)
        for kind, cls, whole_attr, parts_attr in _SOURCES:
            if kind != relation:
                continue
            whole_at = self._schema.index_of(cls, whole_attr)
            parts_at = self._schema.index_of(cls, parts_attr)
            for rel in self._ifc.by_type(cls):
                whole = rel.get_argument(whole_at)
                parts = rel.get_argument(parts_at)
                if whole is None or parts is None:
                    continue  # a dangling relationship says nothing
                whole_id = whole.id()
                self._wholes[whole_id] = whole
                kept = self._parts
                for part in parts if isinstance(parts, tuple) else (parts,):
                    part_id = part.id()
                    table[part_id].append(whole_id)
                    kept[part_id] = part
        return table

    def parents(
        self, element: ifcopenshell.entity_instance, relations: tuple[str, ...] = RELATIONS
    ) -> list[ifcopenshell.entity_instance]:
        """Direct parents of an element through the given relation kinds."""
        key = element.id()
        wholes = self._wholes
        out: list[ifcopenshell.entity_instance] = []
        for relation in relations:
            out.extend(wholes[w] for w in self._table(relation).get(key, ()))
        return out

    def ancestors(
        self, element: ifcopenshell.entity_instance, relations: tuple[str, ...] = RELATIONS
    ) -> Iterator[ifcopenshell.entity_instance]:
        """Every whole the element is part of, nearest first, following the relations recursively."""
        seen = {element.id()}
        frontier = self.parents(element, relations)
        while frontier:
            following: list[ifcopenshell.entity_instance] = []
            for parent in frontier:
                if parent.id() in seen:  # malformed models can have cycles
                    continue
                seen.add(parent.id())
                yield parent
                following.extend(self.parents(parent, relations))
            frontier = following

    def parts_of(
        self, whole: ifcopenshell.entity_instance, relations: tuple[str, ...] = RELATIONS
    ) -> set[int]:
        """Ids of every element `whole` is an ancestor of (itself only through a cycle elsewhere)."""
        children = self._children(relations)
        start = whole.id()
        found: set[int] = set()
        frontier = children.get(start, [])
        while frontier:
            following: list[int] = []
            for child in frontier:
                if child in found:
                    continue
                found.add(child)
                following.extend(children.get(child, ()))
            frontier = following
        # ancestors() never yields the element itself: a whole is not part of itself even when
        # a malformed model makes it reachable from itself.
        found.discard(start)
        return found

    def _children(self, relations: tuple[str, ...]) -> dict[int, list[int]]:
        """Parts of every whole through the given relation kinds, by id (built once per set of kinds)."""
        cached = self._children_by.get(relations)
        if cached is None:
            cached = defaultdict(list)
            for relation in relations:
                for part, wholes in self._table(relation).items():
                    for whole in wholes:
                        cached[whole].append(part)
            self._children_by[relations] = cached
        return cached

    def with_parents(self, relations: tuple[str, ...] = RELATIONS) -> Iterator[ifcopenshell.entity_instance]:
        """Elements that are part of something through the given relation kinds."""
        ids: set[int] = set()
        for relation in relations:
            ids.update(self._table(relation))
        for element_id in sorted(ids):
            yield self._ifc.by_id(element_id)

    def element(self, key: int) -> ifcopenshell.entity_instance:
        """The instance with step id `key`, the very wrapper indexing read when it was a part."""
        found = self._parts.get(key)
        return self._ifc.by_id(key) if found is None else found

    def storey(self, element: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
        """The building storey an element is on, through containment, aggregation, nesting or voids."""
        found = self.storey_id(element.id())
        return self._storeys[found] if found else None

    def storey_by_id(self, key: int) -> ifcopenshell.entity_instance:
        return self._storeys[key]

    def storey_id(self, key: int) -> int:
        """Id of the storey the element with id `key` is on; 0 if none."""
        # Memoised walk up the spatial parents, on ids: elements on one storey share the work,
        # and every element's storey is asked for (its identity in reports), so a wrapper and
        # an is_a() per element and step were a tenth of checking a model of 20 000 walls.
        found = self._storey_of.get(key)
        if found is not None:
            return found
        if key in self._storeys:
            self._storey_of[key] = key
            return key
        self._storey_of[key] = 0  # guards against cyclic relations in malformed models
        found = 0
        tables = self._tables
        for relation in _SPATIAL:  # the order of parents(element, _SPATIAL)
            table = tables.get(relation)
            if table is None:
                table = self._table(relation)
            for parent in table.get(key, ()):
                found = self.storey_id(parent)
                if found:
                    break
            if found:
                break
        self._storey_of[key] = found
        return found
