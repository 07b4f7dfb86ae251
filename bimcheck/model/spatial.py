"""Functional relations between elements: the wall hosting a door, the windows of a room, zones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import ifcopenshell

from bimcheck.model.relations import CONTAINMENT, GROUPS, VOIDS_FILLS

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

Related = list[ifcopenshell.entity_instance]


class SpatialIndex:
    """Relations requirements select through, by name (`via`).

    `related` returns the related elements, or None when the relation cannot be determined
    for this element (the caller reports that as not evaluable, never as a pass).
    """

    def __init__(self, model: Model) -> None:
        self._model = model
        self._boundaries: dict[int, list[ifcopenshell.entity_instance]] | None = None
        self._bounded_by: dict[int, list[ifcopenshell.entity_instance]] | None = None
        self.relations: dict[
            str, Callable[[ifcopenshell.entity_instance, Mapping[str, str]], Related | None]
        ] = {
            "host": self._host,
            "fillings": self._fillings,
            "container": self._container,
            "contained": self._contained,
            "storey": self._storey,
            "zone": self._zones,
            "spaces": self._spaces,
            "windows": lambda e, a: self._boundary_elements(e, "IfcWindow"),
            "doors": lambda e, a: self._boundary_elements(e, "IfcDoor"),
        }

    def related(
        self, element: ifcopenshell.entity_instance, via: str, arguments: Mapping[str, str] | None = None
    ) -> Related | None:
        relation = self.relations.get(via)
        if relation is None:
            raise KeyError(f"unknown relation {via!r}; known: {', '.join(sorted(self.relations))}")
        return relation(element, arguments or {})

    def candidates(self, via: str) -> Iterable[ifcopenshell.entity_instance]:
        """Elements the relation can start from (a superset; the facet decides)."""
        classes = {
            "host": ("IfcDoor", "IfcWindow", "IfcOpeningElement"),
            "fillings": ("IfcElement",),
            "container": ("IfcElement",),
            "contained": ("IfcSpatialElement", "IfcSpatialStructureElement"),
            "storey": ("IfcProduct",),
            "zone": ("IfcSpace",),
            "spaces": ("IfcElement",),
            "windows": ("IfcSpace",),
            "doors": ("IfcSpace",),
        }.get(via, ("IfcProduct",))
        seen: set[int] = set()
        for cls in classes:
            for element in self._model.by_class_with_subtypes(cls):
                if element.id() not in seen:
                    seen.add(element.id())
                    yield element

    # --- relations from the model's relationships --------------------------------------

    def _host(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        """The wall (or slab…) a door or window sits in: filled opening, then voided element."""
        hosts = []
        for parent in self._model.relations.ancestors(element, (VOIDS_FILLS,)):
            if not parent.is_a("IfcOpeningElement"):
                hosts.append(parent)
        return hosts

    def _fillings(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        """Doors and windows set in an element's openings."""
        out: Related = []
        for rel in getattr(element, "HasOpenings", None) or ():
            for fill in getattr(rel.RelatedOpeningElement, "HasFillings", None) or ():
                out.append(fill.RelatedBuildingElement)
        return out

    def _container(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        return self._model.relations.parents(element, (CONTAINMENT,))

    def _contained(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        out: Related = []
        for rel in getattr(element, "ContainsElements", None) or ():
            out.extend(rel.RelatedElements or ())
        return out

    def _storey(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        storey = self._model.relations.storey(element)
        return [storey] if storey is not None else []

    def _zones(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        """Zones (dwellings) an element is grouped in: IfcZone groups, IfcSpatialZone aggregates."""
        return [p for p in self._model.relations.ancestors(element, (GROUPS,)) if p.is_a("IfcZone")]

    def _spaces(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Related | None:
        """Spaces an element bounds (space boundaries) or is contained in."""
        bounded = self._bounded_spaces().get(element.id(), [])
        contained = [p for p in self._model.relations.parents(element, (CONTAINMENT,)) if p.is_a("IfcSpace")]
        return _unique(bounded + contained)

    def _boundary_elements(self, space: ifcopenshell.entity_instance, cls: str) -> Related | None:
        if not space.is_a("IfcSpace"):
            return []
        bounding = self._space_boundaries().get(space.id(), [])
        return _unique([e for e in bounding if e.is_a(cls)])

    def _space_boundaries(self) -> dict[int, list[ifcopenshell.entity_instance]]:
        if self._boundaries is None:
            self._index_boundaries()
        assert self._boundaries is not None
        return self._boundaries

    def _bounded_spaces(self) -> dict[int, list[ifcopenshell.entity_instance]]:
        if self._bounded_by is None:
            self._index_boundaries()
        assert self._bounded_by is not None
        return self._bounded_by

    def _index_boundaries(self) -> None:
        boundaries: dict[int, list[ifcopenshell.entity_instance]] = defaultdict(list)
        bounded_by: dict[int, list[ifcopenshell.entity_instance]] = defaultdict(list)
        for rel in self._model.file.by_type("IfcRelSpaceBoundary"):
            space, element = rel.RelatingSpace, rel.RelatedBuildingElement
            if space is None or element is None:
                continue
            boundaries[space.id()].append(element)
            bounded_by[element.id()].append(space)
        self._boundaries, self._bounded_by = boundaries, bounded_by


def _unique(elements: list[ifcopenshell.entity_instance]) -> Related:
    seen: dict[int, ifcopenshell.entity_instance] = {}
    for e in elements:
        seen.setdefault(e.id(), e)
    return [seen[k] for k in sorted(seen)]
