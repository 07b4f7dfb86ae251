"""Functional relations between elements: host wall, windows and doors of a room, contents, dwellings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ifcopenshell
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bimcheck.model.relations import CONTAINMENT, VOIDS_FILLS

if TYPE_CHECKING:
    from bimcheck.model.geometry import Shape
    from bimcheck.model.ifcmodel import Model

Related = list[ifcopenshell.entity_instance]

# --- geometric relations: the tolerances, in metres, and why ---------------------------------
# A door or window belongs to a room when the room's outline runs along the face of the
# opening it fills, within ADJACENCY_TOLERANCE (room outlines drawn at the finish face or a
# few centimetres off it), over at least MIN_FACING of the opening's width (so a room that only
# touches the end of an opening at a wall corner does not get it), with at least
# MIN_VERTICAL_OVERLAP of height in common (so the window of the storey above does not count).
# The opening element spans the wall's thickness, so its face is where the room is; a door or
# window set in no opening is measured by its own body, which may sit up to FRAME_REACH inside
# a thick wall.
ADJACENCY_TOLERANCE = 0.05
MIN_FACING = 0.10
MIN_VERTICAL_OVERLAP = 0.10
FRAME_REACH = 0.30
# An element is in a room when at least this share of its footprint lies inside the room's
# footprint (furniture often touches or crosses the wall line) at overlapping height.
CONTAINED_SHARE = 0.5
# A door or window is in the wall (slab, roof) whose footprint holds this share of its own.
HOSTED_SHARE = 0.5

AUTO, RELATIONSHIPS, GEOMETRY = "auto", "relationships", "geometry"
METHODS = (AUTO, RELATIONSHIPS, GEOMETRY)

BY_BOUNDARIES = "IfcRelSpaceBoundary"
BY_FILLS = "IfcRelFillsElement/IfcRelVoidsElement"
BY_CONTAINMENT = "IfcRelContainedInSpatialStructure"
BY_DECOMPOSITION = "spatial decomposition"
BY_ZONES = "IfcZone/IfcSpatialZone"

# Elements that bound rooms or are features of others: never "contents" of a room.
_NOT_CONTENTS = (
    "IfcWall",
    "IfcSlab",
    "IfcRoof",
    "IfcCovering",
    "IfcCurtainWall",
    "IfcDoor",
    "IfcWindow",
    "IfcPlate",
    "IfcBeam",
    "IfcMember",
    "IfcFooting",
    "IfcPile",
    "IfcFeatureElement",
    "IfcVirtualElement",
    "IfcElementComponent",
    "IfcFlowSegment",
    "IfcFlowFitting",
)
# What a door or window without an opening relationship can be set in.
_HOST_CLASSES = ("IfcWall", "IfcCurtainWall", "IfcSlab", "IfcRoof")
_ZONE_CLASSES = ("IfcZone", "IfcSpatialZone")


@dataclass(frozen=True, slots=True)
class Relation:
    """The elements related to one element, how that was found, and, if unknown, why.

    `elements` is None when the relation cannot be determined (e.g. the room has no usable
    geometry and no space boundaries); the caller reports that as not evaluable.
    """

    elements: Related | None
    method: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RelationDef:
    """A relation requirements can select through: its name, meaning and arguments."""

    name: str
    description: str
    starts_from: tuple[str, ...]
    arguments: tuple[str, ...] = ()


_GEOMETRIC_ARGUMENTS = ("method", "tolerance")

RELATIONS: dict[str, RelationDef] = {
    r.name: r
    for r in (
        RelationDef(
            "host",
            "the wall (slab, roof) a door, window or opening is set in: fills/voids, else geometry",
            ("IfcElement",),
            ("method",),
        ),
        RelationDef("fillings", "doors and windows set in an element's openings", ("IfcElement",)),
        RelationDef("container", "the spatial element an element is contained in", ("IfcProduct",)),
        RelationDef(
            "contained",
            "elements in a space (containment, else geometry) or in a storey/building and its spaces",
            ("IfcSpatialElement", "IfcSpatialStructureElement"),
            _GEOMETRIC_ARGUMENTS,
        ),
        RelationDef("storey", "the building storey an element is on", ("IfcProduct",)),
        RelationDef("zone", "IfcZone and IfcSpatialZone an element belongs to", ("IfcProduct",)),
        RelationDef(
            "dwelling",
            "the zones (dwellings) a space, or the spaces of an element, belong to",
            ("IfcProduct",),
        ),
        RelationDef(
            "dwelling_spaces",
            "the spaces of the dwelling(s) a space or element belongs to, by zone or by `property`",
            ("IfcProduct",),
            ("property",),
        ),
        RelationDef(
            "spaces",
            "spaces of an element (boundaries, containment or geometry), of a zone or of a storey",
            ("IfcProduct",),
            _GEOMETRIC_ARGUMENTS,
        ),
        RelationDef(
            "windows",
            "windows of a space: space boundaries, else geometric adjacency",
            ("IfcSpace",),
            _GEOMETRIC_ARGUMENTS,
        ),
        RelationDef(
            "doors",
            "doors of a space: space boundaries, else geometric adjacency",
            ("IfcSpace",),
            _GEOMETRIC_ARGUMENTS,
        ),
    )
}


def geometric_method(tolerance: float) -> str:
    return f"geometric adjacency (within {tolerance:g} m)"


class SpatialIndex:
    """Relations requirements select through, by name (`via`).

    `relate` returns the related elements with the method that found them; `related` just
    the elements, or None when the relation cannot be determined for this element.
    Relations from IFC relationships are preferred; geometry fills in where the model
    lacks them, and every result says which was used.
    """

    def __init__(self, model: Model) -> None:
        self._model = model
        # Built without touching the model, so the YAML schema can list the names from it.
        self.relations: dict[str, Callable[[ifcopenshell.entity_instance, Mapping[str, str]], Relation]] = {
            "host": self._host,
            "fillings": self._fillings,
            "container": self._container,
            "contained": self._contained,
            "storey": self._storey,
            "zone": self._zones,
            "dwelling": self._dwelling,
            "dwelling_spaces": self._dwelling_spaces,
            "spaces": self._spaces,
            "windows": lambda e, a: self._openings_of_space(e, "IfcWindow", a),
            "doors": lambda e, a: self._openings_of_space(e, "IfcDoor", a),
        }
        self._boundaries: tuple[dict[int, Related], dict[int, Related]] | None = None
        self._adjacency: dict[tuple[str, float], _Adjacency] = {}
        self._contents: dict[float, _Adjacency] = {}
        self._dwellings: dict[str | None, _Dwellings] = {}
        self._zone_index: tuple[dict[int, Related], dict[int, Related]] | None = None
        # (element id, relation, arguments) -> what `relate` found: the same room is asked for
        # its dwelling from each of its walls, and the same wall by several requirements.
        self._found: dict[tuple[int, str, tuple[tuple[str, str], ...]], Relation] = {}
        self._recorded: dict[str, bool] = {}
        self._roles: dict[str, str] = {}

    # --- public API ---------------------------------------------------------------------

    def relate(
        self, element: ifcopenshell.entity_instance, via: str, arguments: Mapping[str, str] | None = None
    ) -> Relation:
        key = (element.id(), via, tuple(sorted(arguments.items())) if arguments else ())
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._relate(element, via, arguments)
        return found

    def _relate(
        self, element: ifcopenshell.entity_instance, via: str, arguments: Mapping[str, str] | None
    ) -> Relation:
        definition = RELATIONS.get(via)
        if definition is None:
            raise KeyError(f"unknown relation {via!r}; known: {', '.join(sorted(RELATIONS))}")
        args = dict(arguments or {})
        unexpected = sorted(set(args) - set(definition.arguments))
        if unexpected:
            allowed = ", ".join(definition.arguments) or "none"
            raise ValueError(
                f"relation {via!r} takes no argument {', '.join(unexpected)} (allowed: {allowed})"
            )
        _method(args), _tolerance(args)  # refuse a bad argument even where it is not needed
        return self.relations[via](element, args)

    def related(
        self, element: ifcopenshell.entity_instance, via: str, arguments: Mapping[str, str] | None = None
    ) -> Related | None:
        return self.relate(element, via, arguments).elements

    def candidates(self, via: str, nonempty: bool = False) -> list[ifcopenshell.entity_instance]:
        """Elements the relation can start from: a superset, the facet decides.

        With `nonempty`, only a (cheaper) superset of the elements that can have at least one
        related element, or whose relation may be undetermined.
        """
        definition = RELATIONS.get(via)
        if definition is None:
            raise KeyError(f"unknown relation {via!r}; known: {', '.join(sorted(RELATIONS))}")
        model = self._model
        pool: Iterable[ifcopenshell.entity_instance]
        if nonempty and via == "host":
            pool = [
                *model.relations.with_parents((VOIDS_FILLS,)),
                *model.by_class_with_subtypes("IfcDoor"),
                *model.by_class_with_subtypes("IfcWindow"),
            ]
        elif nonempty and via == "fillings":
            pool = [rel.RelatingBuildingElement for rel in model.file.by_type("IfcRelVoidsElement")]
        elif nonempty and via in ("container", "storey"):
            pool = model.relations.with_parents()
        elif nonempty and via == "zone":
            pool = [model.file.by_id(i) for i in self._zone_members()[0]]
            pool = [e for e in pool if e.is_a("IfcProduct")]
        else:
            pool = (e for cls in definition.starts_from for e in model.by_class_with_subtypes(cls))
        return _unique(list(pool))

    def dwelling_labels(
        self, element: ifcopenshell.entity_instance, prop: str | None = None
    ) -> list[str] | None:
        """The dwellings an element belongs to, by zone name (or by the value of `prop`);
        None when that cannot be determined (its spaces are unknown)."""
        found = self._dwelling_keys(element, prop)
        return None if found is None else sorted(found)

    def dwelling_names(self, prop: str | None = None) -> list[str]:
        """Every dwelling of the model, by zone name (or by the value of `prop`)."""
        return sorted(self._dwelling_index(prop).members)

    def dwellings_recorded(self, prop: str | None = None) -> bool:
        return self._dwelling_index(prop).recorded

    # --- relations from the model's relationships ----------------------------------------

    def _host(self, element: ifcopenshell.entity_instance, args: Mapping[str, str]) -> Relation:
        """The wall (or slab…) a door or window sits in: filled opening, then voided element."""
        method = _method(args)
        if method != GEOMETRY:
            hosts = [
                p
                for p in self._model.relations.ancestors(element, (VOIDS_FILLS,))
                if not p.is_a("IfcOpeningElement")
            ]
            if hosts or method == RELATIONSHIPS or not _is_opening_filler(element):
                return Relation(_unique(hosts), BY_FILLS)
        if not _is_opening_filler(element):
            return Relation([], BY_FILLS)
        return self._geometric_host(element)

    def _fillings(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Relation:
        """Doors and windows set in an element's openings."""
        out: Related = []
        for rel in getattr(element, "HasOpenings", None) or ():
            for fill in getattr(rel.RelatedOpeningElement, "HasFillings", None) or ():
                out.append(fill.RelatedBuildingElement)
        return Relation(_unique(out), BY_FILLS)

    def _container(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Relation:
        return Relation(_unique(self._model.relations.parents(element, (CONTAINMENT,))), BY_CONTAINMENT)

    def _contained(self, element: ifcopenshell.entity_instance, args: Mapping[str, str]) -> Relation:
        """Elements in a space (its containment, else geometry) or in a storey and its spaces."""
        if element.is_a("IfcSpace"):
            method = _method(args)
            own = _contained_in(element)
            if method == RELATIONSHIPS or (method == AUTO and own):
                return Relation(_unique(own), BY_CONTAINMENT)
            contents = self._contents_index(_tolerance(args))
            reason = contents.undetermined.get(element.id())
            return Relation(
                None if reason else contents.of_space.get(element.id(), []), contents.method, reason
            )
        if element.is_a("IfcSpatialZone"):
            out = _contained_in(element) + [e for e in _referenced_in(element) if not e.is_a("IfcSpace")]
            return Relation(_unique(out), BY_CONTAINMENT)
        out = []
        for spatial in _spatial_descendants(element):
            out.extend(_contained_in(spatial))
        return Relation(_unique(out), BY_CONTAINMENT)

    def _storey(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Relation:
        storey = self._model.relations.storey(element)
        return Relation([storey] if storey is not None else [], BY_DECOMPOSITION)

    def _zones(self, element: ifcopenshell.entity_instance, _: Mapping[str, str]) -> Relation:
        """Zones an element is in: IfcZone groups (nested ones too) and IfcSpatialZone."""
        return Relation(self._zones_of(element), BY_ZONES)

    def _zones_of(self, element: ifcopenshell.entity_instance) -> Related:
        # The index holds each element's zones already in `_unique` order; callers only read.
        return self._zone_members()[0].get(element.id()) or []

    def _dwelling(self, element: ifcopenshell.entity_instance, args: Mapping[str, str]) -> Relation:
        """The zones a space belongs to; for other elements, the zones of their spaces."""
        spaces = [element] if self._role(element) == _SPACE else self.relate(element, "spaces").elements
        if spaces is None:
            return Relation(None, BY_ZONES, "the element's spaces cannot be determined")
        if not self._dwelling_index(None).recorded:
            return Relation(None, BY_ZONES, "the model groups no spaces in IfcZone or IfcSpatialZone")
        if len(spaces) == 1:  # a room: its zones are already unique and in order
            return Relation(self._zones_of(spaces[0]), BY_ZONES)
        zones: Related = []
        for space in spaces:
            zones.extend(self._zones_of(space))
        return Relation(_unique(zones), BY_ZONES)

    def _dwelling_spaces(self, element: ifcopenshell.entity_instance, args: Mapping[str, str]) -> Relation:
        prop = args.get("property") or None
        index = self._dwelling_index(prop)
        if not index.recorded:
            return Relation(None, index.method, index.missing)
        keys = self._dwelling_keys(element, prop)
        if keys is None:
            return Relation(None, index.method, "the element's spaces cannot be determined")
        members: Related = []
        for key in keys:
            members.extend(index.members.get(key, ()))
        return Relation(_unique(members), index.method)

    def _dwelling_keys(self, element: ifcopenshell.entity_instance, prop: str | None) -> set[str] | None:
        index = self._dwelling_index(prop)
        role = self._role(element)
        if role == _SPACE:
            return set(index.keys.get(element.id(), ()))
        if role == _ZONE:
            spaces: Related | None = self._zone_members()[1].get(element.id(), [])
        else:
            spaces = self.relate(element, "spaces").elements
        if spaces is None:
            return None
        return {k for s in spaces for k in index.keys.get(s.id(), ())}

    def _spaces(self, element: ifcopenshell.entity_instance, args: Mapping[str, str]) -> Relation:
        """Spaces of an element: a zone's or storey's spaces; the rooms a door, window, wall
        or piece of furniture is in or bounds."""
        model = self._model
        role = self._role(element)
        if role == _ZONE:
            return Relation(self._zone_members()[1].get(element.id(), []), BY_ZONES)
        if role == _STRUCTURE:
            spaces = [
                s for s in _spatial_descendants(element) if s.is_a("IfcSpace") and s.id() != element.id()
            ]
            return Relation(_unique(spaces), BY_DECOMPOSITION)
        if role == _SPACE:
            return Relation([], BY_DECOMPOSITION)
        if role in _OPENING_CLASSES:
            return self._spaces_of_opening(element, role, args)
        containers = [p for p in model.relations.parents(element, (CONTAINMENT,)) if self._role(p) == _SPACE]
        bounded = self._space_boundaries()[1].get(element.id(), [])
        method = _method(args)
        if method != GEOMETRY and (containers or bounded):
            return Relation(_unique(containers + bounded), f"{BY_CONTAINMENT}, {BY_BOUNDARIES}")
        if role == _CONTENTS:
            if method == RELATIONSHIPS:
                return Relation([], BY_CONTAINMENT)
            contents = self._contents_index(_tolerance(args))
            reason = contents.undetermined.get(element.id())
            if reason:
                return Relation(None, contents.method, reason)
            # Rooms that record their contents are authoritative; others are measured.
            spaces = [
                s
                for s in contents.of_element.get(element.id(), [])
                if method == GEOMETRY or not _contained_in(s)
            ]
            return Relation(spaces, contents.method)
        if self._space_boundaries()[0]:
            return Relation([], BY_BOUNDARIES)
        return Relation(
            None,
            BY_BOUNDARIES,
            "the model has no space boundaries, and bimcheck does not derive from geometry "
            f"which rooms an {element.is_a()} bounds",
        )

    # --- windows and doors of rooms ----------------------------------------------------

    def _openings_of_space(
        self, space: ifcopenshell.entity_instance, cls: str, args: Mapping[str, str]
    ) -> Relation:
        if self._role(space) != _SPACE:
            return Relation([], BY_DECOMPOSITION)
        method = _method(args)
        by_space, _ = self._space_boundaries()
        if method != GEOMETRY:
            if self._boundaries_record(cls) and space.id() in by_space:
                found = [e for e in by_space[space.id()] if self._role(e) == cls]
                return Relation(_unique(found), BY_BOUNDARIES)
            if method == RELATIONSHIPS:
                missing = (
                    "the space has no space boundaries"
                    if self._boundaries_record(cls)
                    else f"the model's space boundaries record no {cls}"
                )
                return Relation(None, BY_BOUNDARIES, missing)
        adjacency = self._adjacency_index(cls, _tolerance(args))
        reason = adjacency.undetermined.get(space.id())
        if reason:
            return Relation(None, adjacency.method, reason)
        return Relation(adjacency.of_space.get(space.id(), []), adjacency.method)

    def _spaces_of_opening(
        self, element: ifcopenshell.entity_instance, cls: str, args: Mapping[str, str]
    ) -> Relation:
        """The inverse of `windows`/`doors`: space S is listed here exactly when the element
        is among S's windows (doors) by the same method choice."""
        method = _method(args)
        by_space, by_element = self._space_boundaries()
        recorded = method != GEOMETRY and self._boundaries_record(cls)
        spaces: Related = []
        methods = []
        if recorded:
            spaces.extend(s for s in by_element.get(element.id(), []))
            methods.append(BY_BOUNDARIES)
        if method != RELATIONSHIPS:
            adjacency = self._adjacency_index(cls, _tolerance(args))
            reason = adjacency.undetermined.get(element.id())
            candidates = adjacency.of_element.get(element.id(), [])
            # Rooms described by their boundaries are not measured again.
            spaces.extend(s for s in candidates if not (recorded and s.id() in by_space))
            if reason:
                return Relation(None, adjacency.method, reason)
            # A room of unknown shape on the element's storey might be the one it opens into.
            storey = self._model.relations.storey(element)
            undetermined = [
                adjacency.undetermined[s.id()]
                for s in self._model.by_class_with_subtypes("IfcSpace")
                if s.id() in adjacency.undetermined
                and not (recorded and s.id() in by_space)
                and (storey is None or self._model.relations.storey(s) == storey)
            ]
            if undetermined:
                return Relation(None, adjacency.method, undetermined[0])
            methods.append(adjacency.method)
        elif not recorded:
            return Relation(None, BY_BOUNDARIES, f"the model's space boundaries record no {cls}")
        return Relation(_unique(spaces), " + ".join(methods))

    def _role(self, element: ifcopenshell.entity_instance) -> str:
        """What an element is to the relations (see `_role_of`), decided once per class:
        is_a with a class name costs twice what is_a() does, and rooms, walls and their
        boundaries are asked about again and again."""
        cls = element.is_a()
        role = self._roles.get(cls)
        if role is None:
            role = self._roles[cls] = _role_of(element)
        return role

    def _boundaries_record(self, cls: str) -> bool:
        """Whether the model's space boundaries describe elements of this class at all."""
        found = self._recorded.get(cls)
        if found is None:  # once per class, not once per room
            found = self._recorded[cls] = any(
                e.is_a(cls) for elements in self._space_boundaries()[0].values() for e in elements
            )
        return found

    def _space_boundaries(self) -> tuple[dict[int, Related], dict[int, Related]]:
        """(space id → bounding elements, element id → bounded spaces), built once."""
        if self._boundaries is None:
            boundaries: dict[int, Related] = defaultdict(list)
            bounded_by: dict[int, Related] = defaultdict(list)
            # Positional reads and one is_a per space, not per boundary: a model has tens of
            # boundaries per room, and reading attributes by name costs nine times as much.
            schema = self._model.schema
            space_at = schema.index_of("IfcRelSpaceBoundary", "RelatingSpace")
            element_at = schema.index_of("IfcRelSpaceBoundary", "RelatedBuildingElement")
            is_space: dict[int, bool] = {}
            for rel in self._model.file.by_type("IfcRelSpaceBoundary"):
                space, element = rel.get_argument(space_at), rel.get_argument(element_at)
                if space is None or element is None:
                    continue
                space_id = space.id()
                known = is_space.get(space_id)
                if known is None:
                    known = is_space[space_id] = space.is_a("IfcSpace")
                if not known:
                    continue  # IFC4 lets external spatial elements be bounded too
                boundaries[space_id].append(element)
                bounded_by[element.id()].append(space)
            self._boundaries = (dict(boundaries), dict(bounded_by))
        return self._boundaries

    # --- geometry ---------------------------------------------------------------------

    def _adjacency_index(self, cls: str, tolerance: float) -> _Adjacency:
        key = (cls, tolerance)
        if key not in self._adjacency:
            self._adjacency[key] = _adjacent_openings(self._model, cls, tolerance)
        return self._adjacency[key]

    def _contents_index(self, tolerance: float) -> _Adjacency:
        if tolerance not in self._contents:
            self._contents[tolerance] = _contents(self._model, tolerance)
        return self._contents[tolerance]

    def _geometric_host(self, element: ifcopenshell.entity_instance) -> Relation:
        model = self._model
        method = f"geometry (the {element.is_a()} lies in the element's footprint)"
        shape = model.geometry.shape(element)
        if not shape.ok:
            return Relation(None, method, f"no opening relationship and no usable geometry: {shape.error}")
        hosts = []
        candidates = [e for cls in _HOST_CLASSES for e in model.by_class_with_subtypes(cls)]
        model.geometry.prefetch(candidates)
        footprint = shape.footprint
        for candidate in candidates:
            other = model.geometry.shape(candidate)
            if not other.ok:
                continue
            if _vertical_overlap(shape, other) <= 0 or not footprint.intersects(other.footprint):
                continue
            if _inside_share(footprint, other.footprint) >= HOSTED_SHARE:
                hosts.append(candidate)
        return Relation(_unique(hosts), method)

    # --- zones and dwellings ----------------------------------------------------------

    def _zone_members(self) -> tuple[dict[int, Related], dict[int, Related]]:
        """(element id → spatial zones it is in, zone id → spaces of the zone), built once.

        IfcZone groups spaces, zones and (IFC4) spatial zones through IfcRelAssignsToGroup;
        IfcSpatialZone references spaces through IfcRelReferencedInSpatialStructure, and some
        tools aggregate or contain them instead: all are read, nested zones included.
        """
        if self._zone_index is None:
            model = self._model
            zones = [z for cls in _ZONE_CLASSES for z in model.by_class_with_subtypes(cls)]
            direct = {z.id(): _zone_parts(z) for z in zones}
            zones_of: dict[int, Related] = defaultdict(list)
            spaces_of: dict[int, Related] = {}
            for zone in zones:
                members = _expand(zone.id(), direct, set())
                for member in members:
                    zones_of[member.id()].append(zone)
                spaces_of[zone.id()] = _unique([m for m in members if m.is_a("IfcSpace")])
            self._zone_index = ({k: _unique(v) for k, v in zones_of.items()}, spaces_of)
        return self._zone_index

    def _dwelling_index(self, prop: str | None) -> _Dwellings:
        if prop not in self._dwellings:
            self._dwellings[prop] = (
                self._dwellings_by_zone() if prop is None else self._dwellings_by_property(prop)
            )
        return self._dwellings[prop]

    def _dwellings_by_zone(self) -> _Dwellings:
        keys: dict[int, tuple[str, ...]] = {}
        members: dict[str, Related] = defaultdict(list)
        for zone_id, spaces in self._zone_members()[1].items():
            zone = self._model.file.by_id(zone_id)
            label = str(zone.Name or getattr(zone, "LongName", None) or zone.GlobalId)
            for space in spaces:
                keys[space.id()] = (*keys.get(space.id(), ()), label)
                members[label].append(space)
        return _Dwellings(
            keys, dict(members), BY_ZONES, "the model groups no spaces in IfcZone or IfcSpatialZone"
        )

    def _dwellings_by_property(self, prop: str) -> _Dwellings:
        pset, _, name = prop.partition(".")
        if not pset or not name:
            raise ValueError(f"dwelling property must read <PropertySet>.<Name>, not {prop!r}")
        keys: dict[int, tuple[str, ...]] = {}
        members: dict[str, Related] = defaultdict(list)
        for space in self._model.by_class_with_subtypes("IfcSpace"):
            found = self._model.properties.psets(space, lambda n: n == pset).get(pset, {}).get(name)
            if found is None or found.is_empty:
                continue
            label = str(found.values[0].value)
            keys[space.id()] = (label,)
            members[label].append(space)
        return _Dwellings(keys, dict(members), f"property {prop}", f"no space carries {prop}")


@dataclass(frozen=True, slots=True)
class _Dwellings:
    """Dwellings of one model by one definition: each space's dwelling labels and members."""

    keys: dict[int, tuple[str, ...]]
    members: dict[str, Related]
    method: str
    missing: str

    @property
    def recorded(self) -> bool:
        return bool(self.members)


@dataclass(slots=True)
class _Adjacency:
    """A geometric relation between all spaces and a set of elements, computed in one pass."""

    method: str
    of_space: dict[int, Related]
    of_element: dict[int, Related]
    undetermined: dict[int, str]  # space or element id → why its relation is unknown


# --- helpers on IFC relationships ------------------------------------------------------------


def _method(args: Mapping[str, str]) -> str:
    method = args.get("method", AUTO) or AUTO
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    return method


def _tolerance(args: Mapping[str, str]) -> float:
    text = args.get("tolerance")
    if text is None or text == "":
        return ADJACENCY_TOLERANCE
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"tolerance must be a length in metres, not {text!r}") from None
    if not 0 <= value <= 1:
        raise ValueError(f"tolerance must be between 0 and 1 m, not {text}")
    return value


def _contained_in(spatial: ifcopenshell.entity_instance) -> Related:
    return [e for rel in getattr(spatial, "ContainsElements", None) or () for e in rel.RelatedElements or ()]


def _referenced_in(spatial: ifcopenshell.entity_instance) -> Related:
    return [
        e for rel in getattr(spatial, "ReferencesElements", None) or () for e in rel.RelatedElements or ()
    ]


def _parts(whole: ifcopenshell.entity_instance) -> Related:
    return [p for rel in getattr(whole, "IsDecomposedBy", None) or () for p in rel.RelatedObjects or ()]


def _spatial_descendants(element: ifcopenshell.entity_instance) -> Related:
    """The element and the spatial elements aggregated below it (storey → spaces…)."""
    out, stack, seen = [], [element], set()
    while stack:
        current = stack.pop()
        if current.id() in seen:
            continue
        seen.add(current.id())
        out.append(current)
        stack.extend(p for p in _parts(current) if p.is_a("IfcSpatialStructureElement"))
    return out


def _zone_parts(zone: ifcopenshell.entity_instance) -> Related:
    """What a zone directly holds: group members, or a spatial zone's references, contents, parts."""
    if zone.is_a("IfcZone"):
        return [m for rel in getattr(zone, "IsGroupedBy", None) or () for m in rel.RelatedObjects or ()]
    return _referenced_in(zone) + _contained_in(zone) + _parts(zone)


def _expand(zone_id: int, direct: Mapping[int, Related], seen: set[int]) -> Related:
    """A zone's members, the members of the zones it holds included (cycles are cut)."""
    if zone_id in seen:
        return []
    seen.add(zone_id)
    out: Related = []
    for member in direct.get(zone_id, ()):
        out.append(member)
        if member.id() in direct:
            out.extend(_expand(member.id(), direct, seen))
    return out


# What an element is to the relations: a zone, a room, another spatial structure element, a
# door or window (by its class name), contents of a room, or none of these.
_ZONE, _SPACE, _STRUCTURE, _CONTENTS, _OTHER = "zone", "space", "structure", "contents", "other"
_OPENING_CLASSES = ("IfcDoor", "IfcWindow")


def _role_of(element: ifcopenshell.entity_instance) -> str:
    """In the order the relations ask: zones first, then rooms, spatial structure elements,
    doors and windows, contents."""
    if element.is_a("IfcZone") or element.is_a("IfcSpatialZone"):
        return _ZONE
    if element.is_a("IfcSpace"):
        return _SPACE
    if element.is_a("IfcSpatialStructureElement"):
        return _STRUCTURE
    cls = _opening_class(element)
    if cls is not None:
        return cls
    return _CONTENTS if _is_contents(element) else _OTHER


def _opening_class(element: ifcopenshell.entity_instance) -> str | None:
    for cls in ("IfcDoor", "IfcWindow"):
        if element.is_a(cls):
            return cls
    return None


def _is_opening_filler(element: ifcopenshell.entity_instance) -> bool:
    return _opening_class(element) is not None


def _is_contents(element: ifcopenshell.entity_instance) -> bool:
    return element.is_a("IfcElement") and not any(element.is_a(cls) for cls in _NOT_CONTENTS)


def _filled_opening(element: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    for rel in getattr(element, "FillsVoids", None) or ():
        opening: ifcopenshell.entity_instance = rel.RelatingOpeningElement
        return opening
    return None


def _unique(elements: Sequence[ifcopenshell.entity_instance]) -> Related:
    seen: dict[int, ifcopenshell.entity_instance] = {}
    for e in elements:
        seen.setdefault(e.id(), e)
    return [seen[k] for k in sorted(seen)]


def _label(element: ifcopenshell.entity_instance) -> str:
    name = getattr(element, "Name", None)
    ident = getattr(element, "GlobalId", None) or f"#{element.id()}"
    return f"{element.is_a()} {name!r} ({ident})" if name else f"{element.is_a()} {ident}"


# --- geometric relations ----------------------------------------------------------------------


def _vertical_overlap(a: Shape, b: Shape) -> float:
    return min(a.zmax, b.zmax) - max(a.zmin, b.zmin)


def _inside_share(footprint: BaseGeometry, container: BaseGeometry) -> float:
    """Share of a footprint's area inside another footprint (a point test for flat ones)."""
    area = footprint.area
    if area <= 0:
        return 1.0 if container.covers(footprint.representative_point()) else 0.0
    return float(footprint.intersection(container).area / area)


def _space_shapes(
    model: Model, undetermined: dict[int, str]
) -> list[tuple[ifcopenshell.entity_instance, Shape]]:
    spaces = model.by_class_with_subtypes("IfcSpace")
    model.geometry.prefetch(spaces)
    usable = []
    for space in spaces:
        shape = model.geometry.shape(space)
        if shape.ok and not shape.footprint.is_empty:
            usable.append((space, shape))
        else:
            undetermined[space.id()] = (
                f"the space has no usable geometry ({shape.error or 'empty footprint'})"
            )
    return usable


def _mark_storey(
    model: Model,
    element: ifcopenshell.entity_instance,
    reason: str,
    spaces: Sequence[tuple[ifcopenshell.entity_instance, Shape]],
    undetermined: dict[int, str],
) -> None:
    """An element whose geometry failed could be in any room of its storey: those are unknown."""
    storey = model.relations.storey(element)
    undetermined[element.id()] = reason
    for space, _ in spaces:
        if storey is None or model.relations.storey(space) == storey:
            undetermined.setdefault(space.id(), reason)


def _facing_length(opening: BaseGeometry, outline: BaseGeometry, reach: float) -> float:
    """How much of an opening's width a room outline runs along, within `reach` of its faces.

    The opening's footprint is taken as its minimum rotated rectangle: its long side is the
    width across the wall, its short side the wall's thickness. Only outline that lies in the
    band beside the opening and within its width counts, measured along the width, so an
    outline that merely meets the opening's end at a wall corner counts (next to) nothing.
    """
    rectangle = opening.minimum_rotated_rectangle
    if not isinstance(rectangle, shapely.Polygon) or rectangle.is_empty:
        return 0.0
    corners = np.asarray(rectangle.exterior.coords)[:4]
    side_a, side_b = corners[1] - corners[0], corners[2] - corners[1]
    width_side, depth_side = (side_a, side_b) if np.hypot(*side_a) >= np.hypot(*side_b) else (side_b, side_a)
    width = float(np.hypot(*width_side))
    if width <= 0:
        return 0.0
    along = width_side / width
    across = np.array([-along[1], along[0]])
    centre = corners.mean(axis=0)
    half_band = float(np.hypot(*depth_side)) / 2 + reach
    band = shapely.Polygon(
        [
            centre + s * width / 2 * along + t * half_band * across
            for s, t in ((-1, -1), (1, -1), (1, 1), (-1, 1))
        ]
    )
    beside = outline.intersection(band)
    intervals: list[tuple[float, float]] = []
    for line in _lines(beside):
        positions = (np.asarray(line.coords)[:, :2] - centre) @ along
        starts, ends = np.minimum(positions[:-1], positions[1:]), np.maximum(positions[:-1], positions[1:])
        intervals.extend(zip(starts.tolist(), ends.tolist(), strict=True))
    return _covered_length(intervals)


def _lines(geometry: BaseGeometry) -> list[shapely.LineString]:
    if isinstance(geometry, shapely.LineString):
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [line for part in geometry.geoms for line in _lines(part)]
    return []


def _covered_length(intervals: Iterable[tuple[float, float]]) -> float:
    total, end = 0.0, -np.inf
    for a, b in sorted(intervals):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return float(total)


def _adjacent_openings(model: Model, cls: str, tolerance: float) -> _Adjacency:
    """Doors (or windows) of every room by geometry, in one pass over all rooms."""
    method = geometric_method(tolerance)
    of_space: dict[int, Related] = defaultdict(list)
    of_element: dict[int, Related] = defaultdict(list)
    undetermined: dict[int, str] = {}
    spaces = _space_shapes(model, undetermined)
    elements = model.by_class_with_subtypes(cls)
    openings = {e.id(): o for e in elements if (o := _filled_opening(e)) is not None}
    model.geometry.prefetch([*elements, *openings.values()])
    # (element, footprint, z range from, reach) per door/window
    bodies: list[tuple[ifcopenshell.entity_instance, BaseGeometry, Shape, float]] = []
    for element in elements:
        opening = openings.get(element.id())
        shape = model.geometry.shape(opening) if opening is not None else None
        reach = tolerance
        if shape is None or not shape.ok:
            shape = model.geometry.shape(element)
            reach = max(tolerance, FRAME_REACH)
        if shape.ok:
            bodies.append((element, shape.footprint, shape, reach))
        elif getattr(element, "Representation", None) is not None or opening is not None:
            _mark_storey(
                model,
                element,
                f"the geometry of {_label(element)} failed: {shape.error}",
                spaces,
                undetermined,
            )
        # an element with no body at all is not placed anywhere: it is nobody's door
    if bodies:
        tree = shapely.STRtree([b[1] for b in bodies])
        for space, space_shape in spaces:
            outline = space_shape.footprint.boundary
            near = tree.query(space_shape.footprint, predicate="dwithin", distance=max(b[3] for b in bodies))
            for i in sorted(near):
                element, footprint, shape, reach = bodies[i]
                overlap = _vertical_overlap(space_shape, shape)
                facing = (
                    overlap >= MIN_VERTICAL_OVERLAP
                    and _facing_length(footprint, outline, reach) >= MIN_FACING
                )
                # A roof window lies over the room's own footprint, in the roof just above it.
                inside = (
                    overlap >= -reach
                    and _inside_share(footprint, space_shape.footprint.buffer(tolerance)) >= CONTAINED_SHARE
                )
                if facing or inside:
                    of_space[space.id()].append(element)
                    of_element[element.id()].append(space)
    return _Adjacency(
        method,
        {k: _unique(v) for k, v in of_space.items()},
        {k: _unique(v) for k, v in of_element.items()},
        undetermined,
    )


def _contents(model: Model, tolerance: float) -> _Adjacency:
    """Elements inside every room by geometry: footprint mostly within it at overlapping height."""
    method = f"geometric containment (footprint {CONTAINED_SHARE:.0%} inside, within {tolerance:g} m)"
    of_space: dict[int, Related] = defaultdict(list)
    of_element: dict[int, Related] = defaultdict(list)
    undetermined: dict[int, str] = {}
    spaces = _space_shapes(model, undetermined)
    elements = [e for e in model.by_class_with_subtypes("IfcElement") if _is_contents(e)]
    placed = [e for e in elements if getattr(e, "Representation", None) is not None]
    model.geometry.prefetch(placed)
    bodies: list[tuple[ifcopenshell.entity_instance, Shape]] = []
    for element in placed:
        shape = model.geometry.shape(element)
        if shape.ok:
            bodies.append((element, shape))
        else:
            _mark_storey(
                model,
                element,
                f"the geometry of {_label(element)} failed: {shape.error}",
                spaces,
                undetermined,
            )
    if bodies:
        tree = shapely.STRtree([b[1].footprint for b in bodies])
        for space, space_shape in spaces:
            room = space_shape.footprint.buffer(tolerance)
            for i in sorted(tree.query(room)):
                element, shape = bodies[i]
                # Strictly overlapping heights: what stands on the floor of the room above, or
                # hangs below this room's floor, is not in it.
                if min(shape.zmax, space_shape.zmax) - max(shape.zmin, space_shape.zmin) <= 0.01:
                    continue
                if _inside_share(shape.footprint, room) >= CONTAINED_SHARE:
                    of_space[space.id()].append(element)
                    of_element[element.id()].append(space)
    return _Adjacency(
        method,
        {k: _unique(v) for k, v in of_space.items()},
        {k: _unique(v) for k, v in of_element.items()},
        undetermined,
    )
