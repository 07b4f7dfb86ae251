"""Free floor geometry: the largest circle that fits, the free zone in front of doors, narrowest width."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ifcopenshell
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from bimcheck.model.geometry import Shape, difference, intersection, union
from bimcheck.model.measures import GEOMETRY, Measured, measure
from bimcheck.model.measures_element import (
    LENGTH,
    body,
    length_attribute,
    number_argument,
    space_floor,
    storey_height,
    width_axis,
)
from bimcheck.model.relations import VOIDS_FILLS

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

# What blocks a wheelchair is what stands between these heights above the floor (m): a
# threshold, a rug or the floor slab below, a wall cabinet or a lamp above do not. Footrests
# pass at about 0.1 m; 1.5 m is above a seated user's reach and head.
OBSTACLE_FROM = 0.1
OBSTACLE_TO = 1.5
BAND_ARGUMENTS = ("min_height", "max_height")

# Elements that occupy no space: openings, projections and virtual boundaries.
_NOT_OBSTACLES = ("IfcFeatureElement", "IfcVirtualElement")
# Inscribed circles are found to this tolerance (m); GEOS reports a circle that truly fits.
_CIRCLE_TOLERANCE = 0.0005
# A disc touches a door when it comes this close (m) to the door's face: floors drawn to
# the wall face and doors set in the wall meet within a centimetre.
_REACH_TOLERANCE = 0.01
# The face of a door or opening is taken this far (m) either side of the wall's faces, so a
# space whose outline stops a little short of the wall still meets its doors.
_FACE_DEPTH = 0.05
# A door or opening leads out of a space when its bottom is within this height (m) of the
# floor and it is at least this high: windows and hatches do not.
_DOOR_LEVEL = 0.5
_DOOR_HEIGHT = 1.5
# Plans that only touch overlap by less than this (m²).
_TOUCHING = 1e-6
# Faces this close (m) count as flush: modelling noise, not an obstacle.
_FLUSH = 0.005
# Narrowest widths are found to this resolution (m).
_WIDTH_RESOLUTION = 0.005


# --- plane geometry ------------------------------------------------------------------------


def polygons(geometry: BaseGeometry) -> list[shapely.Polygon]:
    """The polygons of a (multi)polygon or collection, non-empty ones only."""
    if geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [p for g in getattr(geometry, "geoms", ()) for p in polygons(g)]


def largest_circle(free: BaseGeometry) -> tuple[float, tuple[float, float]]:
    """Diameter and centre of the largest circle inside a plan area (0 when it is empty)."""
    if free.is_empty or free.area <= 0:
        return 0.0, (math.nan, math.nan)
    radius = shapely.maximum_inscribed_circle(free, _CIRCLE_TOLERANCE)
    centre = radius.coords[0]
    return 2 * float(radius.length), (float(centre[0]), float(centre[1]))


def narrowest_width(
    free: BaseGeometry, terminals: list[BaseGeometry], resolution: float = _WIDTH_RESOLUTION
) -> float:
    """The narrowest free width of a passage: the widest disc that can travel between all the
    terminals (door and opening faces) over the free floor.

    A disc of diameter w fits where the floor eroded by w/2 is not empty; it travels between
    the terminals when one piece of that eroded floor comes within w/2 of each of them
    (the disc touches every door). Nooks, gaps behind furniture and dead ends that lead to
    no door do not narrow the passage. The width is found by a coarse scan from zero, then
    bisection, to about 5 mm (buffers are polygonal).
    """
    pieces = polygons(free)
    if not pieces or not terminals:
        return 0.0
    widest = max(largest_circle(p)[0] for p in pieces)

    def passes(width: float) -> bool:
        r = width / 2
        reach = r + _REACH_TOLERANCE
        eroded = shapely.buffer(free, -r, quad_segs=8)
        return any(
            all(piece.distance(terminal) <= reach for terminal in terminals) for piece in polygons(eroded)
        )

    low, high = 0.0, widest
    for k in range(1, 21):
        width = widest * k / 20
        if not passes(width):
            high = width
            break
        low = width
    else:
        return widest
    while high - low > resolution:
        middle = (low + high) / 2
        if passes(middle):
            low = middle
        else:
            high = middle
    return low


# --- obstacles -----------------------------------------------------------------------------


def _band(args: Mapping[str, str]) -> tuple[float, float]:
    low = number_argument(args, "min_height", OBSTACLE_FROM)
    high = number_argument(args, "max_height", OBSTACLE_TO)
    if high <= low:
        raise ValueError(f"max_height ({high:g}) must be above min_height ({low:g})")
    return low, high


def _by_storey(model: Model) -> dict[int | None, list[ifcopenshell.entity_instance]]:
    def compute() -> dict[int | None, list[ifcopenshell.entity_instance]]:
        table: dict[int | None, list[ifcopenshell.entity_instance]] = {}
        for element in model.by_class_with_subtypes("IfcElement"):
            if any(element.is_a(cls) for cls in _NOT_OBSTACLES):
                continue
            storey = model.relations.storey(element)
            table.setdefault(storey.id() if storey is not None else None, []).append(element)
        return table

    return model.geometry.derived(("elements by storey",), compute)


def _storey_below(model: Model, storey: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    def compute() -> ifcopenshell.entity_instance | None:
        level = storey_height(model, storey)
        if level is None:
            return None
        below = []
        for other in model.by_class_with_subtypes("IfcBuildingStorey"):
            other_level = storey_height(model, other)
            if other_level is not None and other_level[0] < level[0] - 1e-6:
                below.append((other_level[0], other.id(), other))
        return max(below)[2] if below else None

    return model.geometry.derived(("storey below", storey.id()), compute)


def obstacle_candidates(
    model: Model, element: ifcopenshell.entity_instance
) -> list[ifcopenshell.entity_instance]:
    """Elements that may stand on an element's floor: those of its storey and of the storey
    below (stairs, walls and columns rise through), and those on no storey."""
    table = _by_storey(model)
    storey = model.relations.storey(element)
    keys: list[int | None] = [None]
    if storey is not None:
        keys.append(storey.id())
        below = _storey_below(model, storey)
        if below is not None:
            keys.append(below.id())
    return [e for key in keys for e in table.get(key, ())]


@dataclass(frozen=True, slots=True)
class Obstacles:
    """What may stand on the floors of a storey, with their bodies (openings left in) and
    their extents as one array, so an area is tested against all of them at once."""

    elements: list[ifcopenshell.entity_instance]
    shapes: list[Shape]
    # x0, y0, x1, y1, z0, z1 per element; NaN for a body that failed (never filtered out)
    extents: np.ndarray


def obstacles_around(model: Model, element: ifcopenshell.entity_instance) -> Obstacles:
    """The obstacle candidates of an element's floor (`obstacle_candidates`), kept per storey."""
    storey = model.relations.storey(element)

    def compute() -> Obstacles:
        elements = obstacle_candidates(model, element)
        shapes = model.geometry.uncut_shapes(elements)
        extents = np.full((len(shapes), 6), np.nan)
        for row, shape in enumerate(shapes):
            if shape.ok:
                extents[row] = (*shape.bounds, shape.zmin, shape.zmax)
        return Obstacles(elements, shapes, extents)

    return model.geometry.derived(("obstacles", storey.id() if storey is not None else None), compute)


def obstacles_over(
    model: Model,
    area: BaseGeometry,
    band: tuple[float, float],
    candidates: Obstacles,
    exclude: set[int],
) -> tuple[list[tuple[ifcopenshell.entity_instance, BaseGeometry]], str | None]:
    """The candidates' plans within the height band that overlap an area, and the reason the
    result cannot be trusted (a candidate near the area whose geometry failed), if any.

    Elements with openings (walls) are tried first with their openings left in, which the
    kernel computes many times faster: a body that does not reach the area with its
    openings in does not reach it with them cut out. Only those that do are cut.
    """
    geometry = model.geometry
    x0, y0, x1, y1 = area.bounds
    e = candidates.extents
    # NaN rows (failed bodies) compare False everywhere and stay: they are judged one by one.
    apart = (e[:, 0] > x1) | (e[:, 2] < x0) | (e[:, 1] > y1) | (e[:, 3] < y0)
    apart |= (e[:, 5] <= band[0]) | (e[:, 4] >= band[1])
    rows = [int(row) for row in np.flatnonzero(~apart)]
    kept = [(candidates.elements[row], candidates.shapes[row]) for row in rows]
    kept = [(element, shape) for element, shape in kept if element.id() not in exclude]
    near = area.buffer(0.5)
    first = [_plan_over(model, element, shape, area, band, near) for element, shape in kept]
    to_cut = [
        e for (e, _), result in zip(kept, first, strict=True) if result is not None and geometry.voided(e)
    ]
    cut = dict(zip((e.id() for e in to_cut), geometry.shapes(to_cut), strict=True))
    found = []
    for (element, _), result in zip(kept, first, strict=True):
        if element.id() in cut:
            result = _plan_over(model, element, cut[element.id()], area, band, near)
        if isinstance(result, str):
            return [], result
        if result is not None:
            found.append((element, result))
    return found, None


def _plan_over(
    model: Model,
    element: ifcopenshell.entity_instance,
    shape: Shape,
    area: BaseGeometry,
    band: tuple[float, float],
    near: BaseGeometry,
) -> BaseGeometry | str | None:
    """An element's plan within the band when it overlaps the area, why its geometry cannot be
    trusted there (it failed and the element is placed near the area), or None."""
    if not shape.ok:
        if getattr(element, "Representation", None) is None:
            return None  # nothing physical was modelled
        placement = model.geometry.placement(element)
        if placement is not None and near.contains(shapely.Point(placement[0, 3], placement[1, 3])):
            label = f"{element.is_a()} {getattr(element, 'GlobalId', element.id())}"
            return f"the geometry of {label} standing there is unusable: {shape.error}"
        return None
    x0, y0, x1, y1 = area.bounds
    bx0, by0, bx1, by1 = shape.bounds
    if bx0 > x1 or bx1 < x0 or by0 > y1 or by1 < y0:
        return None
    if shape.zmax <= band[0] or shape.zmin >= band[1]:
        return None
    if not area.intersects(shapely.box(bx0, by0, bx1, by1)):
        return None  # beside an L-shaped room, within its bounding box only
    plan = shape.plan_between(*band)
    if plan.is_empty or intersection(plan, area).area <= _TOUCHING:
        return None
    return plan


def prefetch_around(model: Model, element: ifcopenshell.entity_instance) -> None:
    """Compute in one kernel pass the shapes of every element of this one's class and of what
    may stand around it on its storey: each pass has a fixed start-up cost, and requirements
    measure all spaces or all doors of a storey in turn."""
    storey = model.relations.storey(element)
    key = ("prefetched", element.is_a(), storey.id() if storey is not None else None)

    def compute() -> bool:
        model.geometry.uncut_shapes(model.by_class(element.is_a()) + obstacle_candidates(model, element))
        return True

    model.geometry.derived(key, compute)


def free_floor(
    model: Model, space: ifcopenshell.entity_instance, heights: tuple[float, float]
) -> tuple[BaseGeometry, int, str] | str:
    """A space's floor less what stands on it between the heights above the floor:
    (free plan, number of obstacles, how the floor was found), or why it is unknown."""

    def compute() -> tuple[BaseGeometry, int, str] | str:
        prefetch_around(model, space)
        floor = space_floor(model, space)
        if isinstance(floor, str):
            return floor
        band = (floor.z + heights[0], floor.z + heights[1])
        found, problem = obstacles_over(model, floor.plan, band, obstacles_around(model, space), {space.id()})
        if problem is not None:
            return problem
        free = difference(floor.plan, union([plan for _, plan in found])) if found else floor.plan
        return free, len(found), floor.method

    return model.geometry.derived(("free floor", space.id(), *heights), compute)


def _obstacles_text(count: int, heights: tuple[float, float]) -> str:
    things = "1 obstacle" if count == 1 else f"{count} obstacles"
    return f"{things} between {heights[0]:g} and {heights[1]:g} m above the floor"


# --- doors and openings --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """A door's or opening's plan frame: u along the wall, v across it, and its extent there.

    (u0, u1) spans the door's width, (v0, v1) the wall's two faces at the door.
    """

    x_axis: tuple[float, float]
    u0: float
    u1: float
    v0: float
    v1: float

    def to_frame(self, plan: BaseGeometry) -> BaseGeometry:
        (ux, uy), (vx, vy) = self.x_axis, (-self.x_axis[1], self.x_axis[0])
        return shapely.affinity.affine_transform(plan, [ux, uy, vx, vy, 0.0, 0.0])

    def to_world(self, plan: BaseGeometry) -> BaseGeometry:
        (ux, uy), (vx, vy) = self.x_axis, (-self.x_axis[1], self.x_axis[0])
        return shapely.affinity.affine_transform(plan, [ux, vx, uy, vy, 0.0, 0.0])

    def face(self) -> BaseGeometry:
        """The door's width across the wall and a little beyond both faces, in world plan."""
        return self.to_world(shapely.box(self.u0, self.v0 - _FACE_DEPTH, self.u1, self.v1 + _FACE_DEPTH))


def door_frame(model: Model, door: ifcopenshell.entity_instance) -> Frame | str:
    """The frame of a door from its placement (X along the wall) and its host wall's faces.

    Across the wall the door spans its OverallWidth, centred on its body: the body's own
    extent includes trim and casings, which reach past the opening over the jamb walls.
    """

    def compute() -> Frame | str:
        prefetch_around(model, door)
        _prefetch_host_openings(model, door.is_a())
        shape = body(model, door)
        if isinstance(shape, str):
            return shape
        axis = width_axis(model, door)
        if axis is None:
            return "no placement to tell the door's sides from"
        x_axis = (float(axis[0]), float(axis[1]))
        u = shape.vertices[:, :2] @ np.array(x_axis)
        v = shape.vertices[:, :2] @ np.array((-x_axis[1], x_axis[0]))
        frame = Frame(x_axis, float(u.min()), float(u.max()), float(v.min()), float(v.max()))
        v0, v1 = _wall_faces(model, door, frame)
        u0, u1 = frame.u0, frame.u1
        declared = length_attribute(model, door, "OverallWidth")
        if declared is not None and declared.value is not None and declared.value < u1 - u0:
            middle = (u0 + u1) / 2
            u0, u1 = middle - declared.value / 2, middle + declared.value / 2
        return Frame(x_axis, u0, u1, v0, v1)

    return model.geometry.derived(("door frame", door.id()), compute)


def _prefetch_host_openings(model: Model, cls: str) -> None:
    """Compute in one kernel pass the openings of the walls every door of a class stands in:
    `_footprint_within` looks at them wall by wall, and each pass has a fixed start-up cost."""

    def compute() -> bool:
        openings: list[ifcopenshell.entity_instance] = []
        for door in model.by_class(cls):
            for host in model.relations.ancestors(door, (VOIDS_FILLS,)):
                if not host.is_a("IfcOpeningElement") and model.geometry.voided(host):
                    openings.extend(rel.RelatedOpeningElement for rel in host.HasOpenings)
        model.geometry.prefetch(openings)
        return True

    model.geometry.derived(("host openings", cls), compute)


def _wall_faces(model: Model, door: ifcopenshell.entity_instance, frame: Frame) -> tuple[float, float]:
    """The faces of the wall a door stands in, as v coordinates in the door's frame.

    The host walls' plans just beside and at the door (a lintel fills the opening in plan)
    joined with the door's own; without a host wall, the door's own depth.
    """
    middle = (frame.v0 + frame.v1) / 2
    strip = shapely.box(frame.u0 - 0.1, middle - 5.0, frame.u1 + 0.1, middle + 5.0)
    parts = [shapely.box(frame.u0, frame.v0, frame.u1, frame.v1)]
    for host in model.relations.ancestors(door, (VOIDS_FILLS,)):
        if host.is_a("IfcOpeningElement"):
            continue
        footprint = _footprint_within(model, host, frame.to_world(strip))
        if footprint is not None:
            parts.append(intersection(frame.to_frame(footprint), strip))
    centre = shapely.Point((frame.u0 + frame.u1) / 2, middle)
    for piece in polygons(union(parts)):
        if piece.distance(centre) < 1e-6:
            _, v0, _, v1 = piece.bounds
            return float(v0), float(v1)
    return frame.v0, frame.v1


def _footprint_within(
    model: Model, element: ifcopenshell.entity_instance, region: BaseGeometry
) -> BaseGeometry | None:
    """The element's footprint, right within a plan region, or None without usable geometry.

    An opening removes part of the footprint only where it cuts through the element's whole
    height; a door's opening leaves the lintel above it. So the body with its openings left in
    (many times faster to compute) gives the same footprint there, unless it is cut at every
    height that no opening reaching into the region spans.
    """
    geometry = model.geometry
    if geometry.voided(element):
        uncut = geometry.uncut(element)
        if uncut.ok and _openings_keep_footprint(model, element, uncut, region):
            return uncut.footprint
        cut = geometry.shapes([element])[0]  # this one only: cutting every wall is what is saved
    else:
        cut = geometry.shape(element)
    return cut.footprint if cut.ok else None


def _openings_keep_footprint(
    model: Model, element: ifcopenshell.entity_instance, uncut: Shape, region: BaseGeometry
) -> bool:
    """Whether cutting the element's openings leaves its footprint within a region unchanged.

    A point of the footprint stays when the body has material there at a height outside
    every opening over that point: the uncut body's section at a height no opening reaching
    into the region spans must cover the openings' footprints.
    """
    openings = [rel.RelatedOpeningElement for rel in getattr(element, "HasOpenings", None) or ()]
    shapes = model.geometry.shapes(openings)
    if not all(shape.ok for shape in shapes):
        return False  # an opening whose extent is unknown may cut anywhere
    inside = [shape for shape in shapes if region.intersects(shapely.box(*shape.bounds))]
    if not inside:
        return True
    spans = sorted((shape.zmin, shape.zmax) for shape in inside)
    gaps, top = [], uncut.zmin
    for low, high in spans:
        gaps.append((low - top, top, low))
        top = max(top, high)
    gaps.append((uncut.zmax - top, top, uncut.zmax))
    size, low, high = max(gaps)
    if size <= 2 * _FLUSH:
        return False
    cut_zone = intersection(union([shape.footprint for shape in inside]), region)
    uncovered = difference(intersection(cut_zone, uncut.footprint), uncut.section((low + high) / 2))
    return bool(uncovered.area <= _TOUCHING)


def _opening_frame(model: Model, opening: ifcopenshell.entity_instance) -> Frame | None:
    """The frame of an opening without a door: its plan's long side runs along the wall."""
    shape = model.geometry.shape(opening)
    if not shape.ok:
        return None
    rectangle = shapely.minimum_rotated_rectangle(shape.footprint)
    corners = np.array(getattr(rectangle, "exterior", rectangle).coords)[:3]
    if len(corners) < 3:
        return None
    sides = np.diff(corners, axis=0)
    along = sides[int(np.argmax(np.linalg.norm(sides, axis=1)))]
    norm = float(np.linalg.norm(along))
    if norm <= 0:
        return None
    x_axis = (float(along[0] / norm), float(along[1] / norm))
    u = shape.vertices[:, :2] @ np.array(x_axis)
    v = shape.vertices[:, :2] @ np.array((-x_axis[1], x_axis[0]))
    return Frame(x_axis, float(u.min()), float(u.max()), float(v.min()), float(v.max()))


def passage_faces(
    model: Model, space: ifcopenshell.entity_instance, floor_plan: BaseGeometry, floor_z: float
) -> list[BaseGeometry]:
    """Where a space's floor meets its doors and its door-high openings without a door."""
    storey = model.relations.storey(space)
    key = storey.id() if storey is not None else None

    def compute() -> list[ifcopenshell.entity_instance]:
        doors = [e for e in _by_storey(model).get(key, ()) if e.is_a("IfcDoor")]
        openings = [
            o
            for o in model.by_class_with_subtypes("IfcOpeningElement")
            if not getattr(o, "HasFillings", None) and (model.relations.storey(o) or storey) == storey
        ]
        model.geometry.prefetch(doors + openings)
        return doors + openings

    faces = []
    for element in model.geometry.derived(("passages", key), compute):
        shape = model.geometry.shape(element)
        if not shape.ok or abs(shape.zmin - floor_z) > _DOOR_LEVEL or shape.zmax - shape.zmin < _DOOR_HEIGHT:
            continue
        frame = door_frame(model, element) if element.is_a("IfcDoor") else _opening_frame(model, element)
        if not isinstance(frame, Frame):
            continue
        face = intersection(floor_plan, frame.face())
        if face.area > _TOUCHING:
            faces.append(face)
    return faces


# --- measures ------------------------------------------------------------------------------


@measure(
    "largest_free_circle",
    unit=LENGTH,
    applies_to=("IfcSpace",),
    description=(
        "diameter of the largest circle that fits in a space's floor free of furniture, fittings"
        " and other obstacles (turning circle)"
    ),
    sources=(GEOMETRY,),
    arguments=BAND_ARGUMENTS,
)
def largest_free_circle(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    heights = _band(args)
    free = free_floor(model, space, heights)
    if isinstance(free, str):
        return Measured.unknown(free, LENGTH)
    plan, count, method = free
    diameter, (x, y) = largest_circle(plan)
    where = f", centre ({x:.3f}, {y:.3f})" if diameter > 0 else ""
    return Measured(
        diameter,
        LENGTH,
        f"geometry: largest circle in the {method} less {_obstacles_text(count, heights)}{where}",
    )


@measure(
    "narrowest_free_width",
    unit=LENGTH,
    applies_to=("IfcSpace",),
    description=(
        "narrowest free width of the passage between a space's doors (corridors): the widest"
        " disc that travels between them over the floor free of obstacles"
    ),
    sources=(GEOMETRY,),
    arguments=BAND_ARGUMENTS,
)
def narrowest_free_width(
    model: Model, space: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    heights = _band(args)
    free = free_floor(model, space, heights)
    floor = space_floor(model, space)
    if isinstance(free, str) or isinstance(floor, str):
        return Measured.unknown(free if isinstance(free, str) else str(floor), LENGTH)
    plan, count, method = free
    faces = passage_faces(model, space, floor.plan, floor.z)
    if not faces:
        return Measured.unknown("no door or door-high opening meets the space: no passage to measure", LENGTH)
    doors = "1 door" if len(faces) == 1 else f"{len(faces)} doors and openings"
    return Measured(
        narrowest_width(plan, faces),
        LENGTH,
        f"geometry: widest disc that travels between the {doors} over the {method}"
        f" less {_obstacles_text(count, heights)}",
    )


@measure(
    "door_free_depth",
    unit=LENGTH,
    applies_to=("IfcDoor",),
    description=(
        "free depth of a door-wide zone in front of the door, the smaller of its two sides,"
        " up to max_depth (default 2.0 m)"
    ),
    sources=(GEOMETRY,),
    arguments=("max_depth", *BAND_ARGUMENTS),
)
def door_free_depth(
    model: Model, door: ifcopenshell.entity_instance, source: str, args: Mapping[str, str]
) -> Measured:
    max_depth = number_argument(args, "max_depth", 2.0)
    heights = _band(args)
    frame = door_frame(model, door)
    if isinstance(frame, str):
        return Measured.unknown(frame, LENGTH)
    # The zone's sides are kept a few millimetres inside the door's width: jamb walls drawn
    # flush with the opening would otherwise touch it along its whole depth.
    u0, u1 = frame.u0 + _FLUSH, frame.u1 - _FLUSH
    zones = {
        "side 1": shapely.box(u0, frame.v1, u1, frame.v1 + max_depth),
        "side 2": shapely.box(u0, frame.v0 - max_depth, u1, frame.v0),
    }
    area = frame.to_world(union(list(zones.values())))
    floor_z = model.geometry.shape(door).zmin
    band = (floor_z + heights[0], floor_z + heights[1])
    found, problem = obstacles_over(model, area, band, obstacles_around(model, door), {door.id()})
    if problem is not None:
        return Measured.unknown(problem, LENGTH)
    depths: dict[str, float] = {}
    limits: dict[str, ifcopenshell.entity_instance] = {}
    for side, zone in zones.items():
        depths[side] = max_depth
        for element, plan in found:
            inside = intersection(frame.to_frame(plan), zone)
            if inside.is_empty or inside.area <= _TOUCHING:
                continue
            _, near_v, _, far_v = inside.bounds
            depth = max(near_v - frame.v1 if side == "side 1" else frame.v0 - far_v, 0.0)
            if depth < depths[side]:
                depths[side], limits[side] = depth, element
    smaller = min(depths, key=lambda side: depths[side])
    limit = limits.get(smaller)
    by = f", limited by {limit.is_a()} {getattr(limit, 'GlobalId', limit.id())}" if limit is not None else ""
    return Measured(
        depths[smaller],
        LENGTH,
        f"geometry: free depth of a door-wide zone in front of the door, the smaller side"
        f" ({depths['side 1']:.3f} m / {depths['side 2']:.3f} m{by}), capped at {max_depth:g} m;"
        f" obstacles between {heights[0]:g} and {heights[1]:g} m above the door's bottom",
    )
