"""Element geometry on demand: triangulated shapes in world coordinates (metres), cached per model."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

import ifcopenshell
import ifcopenshell.geom
import ifcopenshell.util.placement
import numpy as np
import shapely
import shapely.errors
from ifcopenshell import ifcopenshell_wrapper
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from bimcheck.model.references import misplaced_references

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

# Triangles whose projection is thinner than this (m²) add nothing to a plan but cost
# time in the union; vertical faces project to zero area.
_MIN_TRIANGLE_AREA = 1e-8
# Overlays that fail in floating point are redone on a 1 µm grid: GEOS overlay on a fixed
# grid never throws topology errors, and a micrometre is far below anything a requirement
# measures. Floating point first, because the grid costs about three times as much.
GRID = 1e-6
# A face whose surface style lets at least this much light through is glass.
_GLASS_TRANSPARENCY = 0.5

T = TypeVar("T")


class Shape:
    """One element's triangulated body in world coordinates (metres), or why there is none.

    `items` gives the representation item of each face and `transparency` its surface
    style's transparency (NaN when unstyled), so glass can be told from frames.
    """

    __slots__ = ("__dict__", "element_id", "error", "faces", "items", "transparency", "vertices")

    def __init__(
        self,
        element_id: int,
        vertices: NDArray[np.float64] | None = None,
        faces: NDArray[np.int32] | None = None,
        error: str | None = None,
        items: NDArray[np.int64] | None = None,
        transparency: NDArray[np.float64] | None = None,
    ) -> None:
        self.element_id = element_id
        self.vertices = vertices if vertices is not None else np.zeros((0, 3))
        self.faces = faces if faces is not None else np.zeros((0, 3), dtype=np.int32)
        self.error = error
        count = len(self.faces)
        self.items = items if items is not None else np.zeros(count, dtype=np.int64)
        self.transparency = transparency if transparency is not None else np.full(count, np.nan)
        self._sections: dict[float, BaseGeometry] = {}
        self._bands: dict[tuple[float, float], BaseGeometry] = {}

    @property
    def ok(self) -> bool:
        return self.error is None and len(self.faces) > 0

    @cached_property
    def triangles(self) -> NDArray[np.float64]:
        """Face corners, shape (faces, 3, 3)."""
        return self.vertices[self.faces]

    @property
    def zmin(self) -> float:
        return float(self.vertices[:, 2].min())

    @property
    def zmax(self) -> float:
        return float(self.vertices[:, 2].max())

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """Plan bounding box (xmin, ymin, xmax, ymax)."""
        (x0, y0), (x1, y1) = self.vertices[:, :2].min(axis=0), self.vertices[:, :2].max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @cached_property
    def volume(self) -> float:
        """Enclosed volume (m³) by the divergence theorem; meaningful for closed shells only
        (items that overlap one another would count twice)."""
        a, b, c = (self.triangles[:, i] for i in range(3))
        return float(abs(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0)

    @cached_property
    def is_closed(self) -> bool:
        """Whether the faces form watertight, consistently oriented shells.

        Within each representation item every edge must be used exactly once in each
        direction; only then does the divergence-theorem volume mean anything (surface
        models often flip faces). Items are checked apart: a pane set in its frame shares
        edges with it and is still two closed solids.
        """
        if not self.ok:
            return False
        # The iterator does not weld vertices: identify corners by their exact coordinates.
        _, corner = np.unique(self.triangles.reshape(-1, 3), axis=0, return_inverse=True)
        corner = corner.reshape(-1, 3)
        item = np.tile(self.items, 3)
        edges = np.concatenate([corner[:, [0, 1]], corner[:, [1, 2]], corner[:, [2, 0]]])
        keep = edges[:, 0] != edges[:, 1]
        keyed = np.column_stack([item[keep], edges[keep]])
        directed, counts = np.unique(keyed, axis=0, return_counts=True)
        if not len(counts) or (counts != 1).any():
            return False
        reversed_ = directed[:, [0, 2, 1]]
        # every directed edge's reverse is present: sorted rows of both sets are identical
        ordered = reversed_[np.lexsort(reversed_.T[::-1])]
        return bool(np.array_equal(ordered, directed))

    @cached_property
    def footprint(self) -> BaseGeometry:
        """Plan projection (XY) of the body: the union of its projected triangles."""
        return _union_projected(self.triangles)

    def section(self, z: float) -> BaseGeometry:
        """The body cut by the horizontal plane at height z (closed shells; even-odd fill).

        Each representation item is cut on its own and the cuts are unioned, so items that
        overlap (a frame and its leaf, the parts of a piece of furniture) do not cancel out.
        """
        key = round(z, 6)
        cached = self._sections.get(key)
        if cached is None:
            cached = self._section(z)
            self._sections[key] = cached
        return cached

    def _section(self, z: float) -> BaseGeometry:
        tri = self.triangles
        above = tri[:, :, 2] > z
        count = above.sum(axis=1)
        crossing = (count == 1) | (count == 2)
        if not crossing.any():
            return shapely.Polygon()
        t, a, items = tri[crossing], above[crossing], self.items[crossing]
        points = np.empty((len(t), 3, 2))
        differs = np.empty((len(t), 3), dtype=bool)
        for edge, (i, j) in enumerate(((0, 1), (1, 2), (2, 0))):
            # Interpolate from the lower corner to the upper one, so the two faces that share
            # an edge compute bit-identical points and the cut's rings close exactly.
            swap = a[:, i][:, None]
            low = np.where(swap, t[:, j], t[:, i])
            high = np.where(swap, t[:, i], t[:, j])
            differs[:, edge] = a[:, i] != a[:, j]
            rise = high[:, 2] - low[:, 2]
            fraction = np.divide(z - low[:, 2], rise, out=np.zeros_like(rise), where=rise > 0)
            points[:, edge] = low[:, :2] + fraction[:, None] * (high[:, :2] - low[:, :2])
        order = np.argsort(~differs, axis=1, kind="stable")[:, :2]
        rows = np.arange(len(t))[:, None]
        segments = points[rows, order]
        keep = np.any(segments[:, 0] != segments[:, 1], axis=1)
        segments, items = segments[keep], items[keep]
        parts = []
        for item in np.unique(items):
            lines = shapely.multilinestrings(shapely.linestrings(segments[items == item]))
            parts.append(shapely.make_valid(shapely.build_area(lines)))
        return _polygonal(parts[0]) if len(parts) == 1 else union(parts)

    def plan_between(self, z_low: float, z_high: float) -> BaseGeometry:
        """Plan of the part of the body between two heights: what it occupies in that band.

        The union of the faces clipped to the band and of the cuts at both band limits
        (a wardrobe standing through the band has only vertical faces in it).
        """
        key = (round(z_low, 6), round(z_high, 6))
        cached = self._bands.get(key)
        if cached is None:
            cached = self._plan_between(z_low, z_high)
            self._bands[key] = cached
        return cached

    def _plan_between(self, z_low: float, z_high: float) -> BaseGeometry:
        if not self.ok or self.zmax <= z_low or self.zmin >= z_high:
            return shapely.Polygon()
        if self.zmin >= z_low and self.zmax <= z_high:
            return self.footprint
        tri = self.triangles
        low, high = tri[:, :, 2].min(axis=1), tri[:, :, 2].max(axis=1)
        flat = _projected_areas(tri) > _MIN_TRIANGLE_AREA
        inside = flat & (low >= z_low) & (high <= z_high)
        partial = flat & ~inside & (high > z_low) & (low < z_high)
        parts = [_union_projected(tri[inside])]
        clipped = [_clip_to_band(triangle, z_low, z_high) for triangle in tri[partial]]
        parts.extend(shapely.Polygon(ring) for ring in clipped if len(ring) >= 3)
        parts.extend(self.section(z) for z in (z_low, z_high) if self.zmin < z < self.zmax)
        return union(parts)

    def glass_area(self, normal: NDArray[np.float64] | None = None) -> float | None:
        """Area of the transparent faces seen along their plane's normal, or None if there are none.

        The glass panes are projected on the plane they mostly lie in (or on the plane
        with the given normal) and unioned, so both faces of a pane count once.
        """
        glass = self.transparency >= _GLASS_TRANSPARENCY
        if not glass.any():
            return None
        tri = self.triangles[glass]
        if normal is None:
            normal = _dominant_normal(tri)
        normal = normal / np.linalg.norm(normal)
        u = np.cross(normal, [0.0, 0.0, 1.0] if abs(normal[2]) < 0.9 else [1.0, 0.0, 0.0])
        u /= np.linalg.norm(u)
        v = np.cross(normal, u)
        flat = np.stack([tri @ u, tri @ v], axis=-1)
        return float(_union_projected(flat).area)


def union(geometries: list[BaseGeometry]) -> BaseGeometry:
    """The union of plans, robust against GEOS topology errors."""
    try:
        return _polygonal(shapely.union_all(geometries))
    except shapely.errors.GEOSException:
        return _polygonal(shapely.union_all(geometries, grid_size=GRID))


def intersection(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """The areal intersection of two plans, robust against GEOS topology errors."""
    try:
        return _polygonal(shapely.intersection(a, b))
    except shapely.errors.GEOSException:
        return _polygonal(shapely.intersection(a, b, grid_size=GRID))


def difference(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """A plan less another, robust against GEOS topology errors."""
    try:
        return _polygonal(shapely.difference(a, b))
    except shapely.errors.GEOSException:
        return _polygonal(shapely.difference(a, b, grid_size=GRID))


def _projected_areas(tri: NDArray[np.float64]) -> NDArray[np.float64]:
    (x1, y1), (x2, y2), (x3, y3) = (tri[:, i, :2].T for i in range(3))
    areas: NDArray[np.float64] = np.abs((x2 - x1) * (y3 - y1) - (x3 - x1) * (y2 - y1)) / 2
    return areas


def _union_projected(tri: NDArray[np.float64]) -> BaseGeometry:
    """Union of triangles projected on XY (the first two coordinates)."""
    if len(tri) == 0:
        return shapely.Polygon()
    kept = tri[_projected_areas(tri) > _MIN_TRIANGLE_AREA][:, :, :2]
    if len(kept) == 0:
        return shapely.Polygon()
    polygons = shapely.polygons(np.concatenate([kept, kept[:, :1, :]], axis=1))
    return union(list(polygons))


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Only the areal part of an overlay result (drops stray lines and points)."""
    if geometry.is_empty:
        return shapely.Polygon()
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    polygons = [g for g in getattr(geometry, "geoms", ()) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def _clip_to_band(triangle: NDArray[np.float64], z_low: float, z_high: float) -> list[tuple[float, float]]:
    """A triangle clipped to z_low ≤ z ≤ z_high (Sutherland–Hodgman), projected on XY."""
    polygon = [tuple(p) for p in triangle]
    for limit, keep_above in ((z_low, True), (z_high, False)):
        out: list[tuple[float, ...]] = []
        for k, current in enumerate(polygon):
            previous = polygon[k - 1]
            current_in = current[2] >= limit if keep_above else current[2] <= limit
            previous_in = previous[2] >= limit if keep_above else previous[2] <= limit
            if current_in != previous_in:
                f = (limit - previous[2]) / (current[2] - previous[2])
                out.append(tuple(p + f * (c - p) for p, c in zip(previous, current, strict=True)))
            if current_in:
                out.append(current)
        polygon = out
        if not polygon:
            return []
    return [(p[0], p[1]) for p in polygon]


def _dominant_normal(tri: NDArray[np.float64]) -> NDArray[np.float64]:
    """The normal of the plane most of the faces' area lies in (principal axis of area-weighted normals)."""
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])  # length = 2 × area
    scatter = normals.T @ normals
    _, vectors = np.linalg.eigh(scatter)
    dominant: NDArray[np.float64] = vectors[:, -1]
    return dominant


class GeometryIndex:
    """Shapes per element, computed in batches with ifcopenshell's multi-threaded iterator.

    Shapes are computed only when a requirement asks for them; the first request for an
    element computes every element of its class that has not been computed yet, because
    requirements apply to classes (all spaces, all doors) and the iterator is much faster
    on one batch than on many single elements. An element the kernel cannot process gets
    a Shape with the reason in `error`; the other elements of the batch are unaffected.
    """

    def __init__(self, model: Model, threads: int | None = None) -> None:
        self._model = model
        # A batch worker is told its share of the cores, so N workers do not each start a
        # thread per core (BIMCHECK_GEOMETRY_THREADS; see workflows/batch.py).
        self._threads = (
            threads or int(os.environ.get("BIMCHECK_GEOMETRY_THREADS") or 0) or os.cpu_count() or 1
        )
        self._shapes: dict[int, Shape] = {}
        # Bodies of voided elements with their openings left in (see `uncut`).
        self._uncut: dict[int, Shape] = {}
        self._voided: set[int] | None = None
        self._references_checked: dict[int, str | None] = {}  # model/references.py, per instance
        self._placements: dict[int, NDArray[np.float64] | None] = {}
        self._chains: dict[int, NDArray[np.float64]] = {}
        self._derived: dict[tuple[object, ...], object] = {}

    def shape(self, element: ifcopenshell.entity_instance) -> Shape:
        key = element.id()
        cached = self._shapes.get(key)
        if cached is None:
            self.prefetch(self._batch(element) or [element])
            cached = self._shapes[key]
        return cached

    def _batch(self, element: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
        """The elements computed together with one: those of its class not computed yet.

        For an element with openings, only those of its class and type that have openings
        too: cutting openings costs many times a body without, and requirements select
        elements by what their type says (load-bearing walls, not the partitions beside them).
        """
        batch = [e for e in self._model.by_class(element.is_a()) if e.id() not in self._shapes]
        if self.voided(element):
            kind = self._model.type_of(element)
            batch = [e for e in batch if self.voided(e) and self._model.type_of(e) == kind]
        return batch

    def shapes(self, elements: Iterable[ifcopenshell.entity_instance]) -> list[Shape]:
        """Shapes of several elements, the missing ones computed in one pass."""
        wanted = list(elements)
        self.prefetch(wanted)
        return [self._shapes[e.id()] for e in wanted]

    def prefetch(self, elements: list[ifcopenshell.entity_instance]) -> None:
        """Compute the shapes of elements not computed yet, in one multi-threaded pass."""
        self._compute(elements, self._shapes, openings=True)

    def voided(self, element: ifcopenshell.entity_instance) -> bool:
        """Whether openings are cut out of the element (IfcRelVoidsElement)."""
        if self._voided is None:
            self._voided = {
                rel.RelatingBuildingElement.id()
                for rel in self._model.file.by_type("IfcRelVoidsElement")
                if rel.RelatingBuildingElement is not None
            }
        return element.id() in self._voided

    def uncut(self, element: ifcopenshell.entity_instance) -> Shape:
        """The element's body before its openings are cut out; its shape when it has none."""
        return self.uncut_shapes([element])[0]

    def uncut_shapes(self, elements: Iterable[ifcopenshell.entity_instance]) -> list[Shape]:
        """Bodies before openings are cut out, the missing ones computed in one pass.

        Cutting openings is most of the kernel's work on a wall (boolean subtraction of
        solids whose faces are flush with the wall's), and a body with its openings left in
        contains the cut one: a test it fails, the cut body fails too. Elements without
        openings share their shape with `shape`.
        """
        wanted = list(elements)
        voided = [e for e in wanted if self.voided(e)]
        self._compute(voided, self._uncut, openings=False)
        self.prefetch([e for e in wanted if not self.voided(e)])
        return [(self._uncut if self.voided(e) else self._shapes)[e.id()] for e in wanted]

    def _compute(
        self, elements: list[ifcopenshell.entity_instance], store: dict[int, Shape], openings: bool
    ) -> None:
        wanted = {e.id(): e for e in elements if e.id() not in store}
        with_body = []
        for element in wanted.values():
            if getattr(element, "Representation", None) is None:
                store[element.id()] = Shape(element.id(), error="has no geometric representation")
            else:
                with_body.append(element)
        # A reference of the wrong class crashes the kernel's process, not just the element:
        # such elements are never given to it (model/references.py). Checked first, as its
        # reason is the more precise one when the suspect scan below finds the same instance.
        misplaced = misplaced_references(self._model.file, with_body, self._references_checked)
        for element_id, reason in misplaced.items():
            store[element_id] = Shape(element_id, error=reason)
        suspects = self.derived(("suspect geometry",), lambda: suspect_geometry(self._model.file))
        if suspects:
            for element in with_body:
                if element.id() not in store and (why := _suspect_part(self._model.file, element, suspects)):
                    store[element.id()] = Shape(element.id(), error=why)
        with_body = [e for e in with_body if e.id() not in store]
        if with_body:
            self._iterate(with_body, store, openings)

    def derived(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """A value computed from shapes (a free floor plan, a band plan), kept with the model."""
        if key not in self._derived:
            self._derived[key] = compute()
        return cast(T, self._derived[key])

    def placement(self, element: ifcopenshell.entity_instance) -> NDArray[np.float64] | None:
        """The element's placement as a 4×4 matrix in world metres, or None without one."""
        key = element.id()
        if key in self._placements:
            return self._placements[key]
        placement = getattr(element, "ObjectPlacement", None)
        matrix = None
        if placement is not None:
            matrix = np.array(self._local_placement(placement), dtype=float)
            matrix[:3, 3] *= self._model.units.length_scale
            matrix.flags.writeable = False  # shared by every caller
        self._placements[key] = matrix
        return matrix

    def _local_placement(self, placement: ifcopenshell.entity_instance) -> NDArray[np.float64]:
        """ifcopenshell.util.placement.get_local_placement, the same products in the same order,
        with the matrix of every placement in a chain kept: elements share their storey's."""
        key = placement.id()
        matrix = self._chains.get(key)
        if matrix is None:
            if not placement.is_a("IfcLocalPlacement"):
                matrix = ifcopenshell.util.placement.get_local_placement(placement)
            else:
                parent = placement.PlacementRelTo
                base = np.eye(4) if parent is None else self._local_placement(parent)
                matrix = np.dot(
                    base, ifcopenshell.util.placement.get_axis2placement(placement.RelativePlacement)
                )
            self._chains[key] = matrix
        return matrix

    def _iterate(
        self, elements: list[ifcopenshell.entity_instance], store: dict[int, Shape], openings: bool
    ) -> None:
        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        settings.set("weld-vertices", False)
        settings.set("disable-opening-subtractions", not openings)
        ifcopenshell_wrapper.get_log()  # start from an empty log, to read this pass's errors
        try:
            iterator = ifcopenshell.geom.iterator(settings, self._model.file, self._threads, include=elements)
            if iterator.initialize():
                while True:
                    self._store(iterator.get(), store)
                    if not iterator.next():
                        break
        except Exception as exc:  # the kernel failed for the batch: isolate the element(s) at fault
            if len(elements) > 1:
                middle = len(elements) // 2
                for half in (elements[:middle], elements[middle:]):
                    self._iterate([e for e in half if e.id() not in store], store, openings)
                return
            store.setdefault(elements[0].id(), Shape(elements[0].id(), error=f"geometry failed: {exc}"))
        log = _log_messages(ifcopenshell_wrapper.get_log())
        for element in elements:
            if element.id() not in store:
                reason = _failure_reason(element, log)
                store[element.id()] = Shape(element.id(), error=reason)

    def _store(self, produced: object, store: dict[int, Shape]) -> None:
        element_id = int(produced.id)  # type: ignore[attr-defined]
        try:
            geometry = produced.geometry  # type: ignore[attr-defined]
            vertices = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3).copy()
            faces = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3).copy()
            items = np.frombuffer(geometry.item_ids_buffer, dtype=np.int32).astype(np.int64)
            material_ids = np.frombuffer(geometry.material_ids_buffer, dtype=np.int32)
            transparency = np.array([_transparency(m) for m in geometry.materials] + [np.nan])
            # material id -1 (unstyled) picks the trailing NaN
            face_transparency = transparency[np.where(material_ids >= 0, material_ids, len(transparency) - 1)]
            if len(items) != len(faces):
                items = np.zeros(len(faces), dtype=np.int64)
            if len(face_transparency) != len(faces):
                face_transparency = np.full(len(faces), np.nan)
        except Exception as exc:  # an unexpected result for one element must not lose the batch
            store[element_id] = Shape(element_id, error=f"geometry could not be read: {exc}")
            return
        shape = Shape(element_id, vertices, faces, None, items, face_transparency)
        if not len(faces) or not np.isfinite(vertices).all():
            shape.error = "empty or non-finite geometry"
        else:
            tri = shape.triangles
            if not (np.abs(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])) > 1e-12).any():
                shape.error = "degenerate geometry: every face has zero area"
        store[element_id] = shape


def _transparency(material: object) -> float:
    value = getattr(material, "transparency", None)
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


_LOG_ENTRY = re.compile(r"^\[(\w+)\]\s*(?:\[[^\]]*\]\s*)*", re.MULTILINE)


def _log_messages(log: str) -> list[tuple[str, str]]:
    """(level, text) of each entry of ifcopenshell's log, in its text or JSON form."""
    if log.lstrip().startswith("{"):
        entries = []
        for line in log.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append((str(entry.get("level", "")), str(entry.get("message", ""))))
        return entries
    starts = list(_LOG_ENTRY.finditer(log))
    out = []
    for k, match in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(log)
        out.append((match.group(1), log[match.end() : end].strip()))
    return out


def _failure_reason(element: ifcopenshell.entity_instance, log: list[tuple[str, str]]) -> str:
    """Why the kernel produced no shape for an element, from the log entries naming its geometry."""
    ids = {element.id()}
    for representation in getattr(element.Representation, "Representations", None) or ():
        ids.add(representation.id())
        ids.update(item.id() for item in representation.Items or ())
    for level, text in log:
        if level == "error" and any(f"#{i}=" in text for i in ids):
            first_line = text.splitlines()[0].rstrip(": ")
            return f"ifcopenshell could not process its geometry: {first_line}"
    return "ifcopenshell produced no body geometry for it"


# What the kernel processes without complaint into a plausible but wrong shape: a point with a
# coordinate like 1e300 is dropped (a rectangle becomes a triangle), and a self-intersecting
# profile (a bow tie) is extruded into some part of itself. An area or volume measured from
# such a shape would be wrong without a word, so the elements that use them get no shape.
# No building needs coordinates beyond ±1e12 model units (1e9 m even in millimetres).
_FAR = 1e12


def suspect_geometry(ifc: ifcopenshell.file) -> dict[int, str]:
    """Points, point lists and profiles the kernel would silently misread, by id, with the reason
    (usually none: the scan costs a few µs per point, only when geometry is asked for)."""
    suspects = {}
    far = f"has a coordinate beyond ±{_FAR:g} or not a number (the geometry kernel would drop it)"
    # A malformed instance (a point whose coordinates are text, a polyline through the project)
    # is suspect too: what the scan cannot read, the kernel cannot be trusted with either.
    malformed = "is malformed (its attributes are not what the schema declares)"
    for point in ifc.by_type("IfcCartesianPoint"):
        try:
            if not all(abs(c) < _FAR for c in point.Coordinates):  # NaN fails the comparison too
                suspects[point.id()] = far
        except (TypeError, AttributeError):
            suspects[point.id()] = malformed
    if ifc.schema != "IFC2X3":
        for points in ifc.by_type("IfcCartesianPointList"):
            try:
                if not (np.abs(np.asarray(points.CoordList, dtype=float)) < _FAR).all():
                    suspects[points.id()] = far
            except (TypeError, ValueError, AttributeError):
                suspects[points.id()] = malformed
    for profile in ifc.by_type("IfcArbitraryClosedProfileDef"):
        try:
            curve = profile.OuterCurve
            if curve.is_a("IfcPolyline") and not any(p.id() in suspects for p in curve.Points):
                outline = [tuple(p.Coordinates[:2]) for p in curve.Points]
                if len(outline) >= 4 and not shapely.Polygon(outline).is_valid:
                    suspects[profile.id()] = "is a profile whose outline crosses itself"
        except (TypeError, ValueError, AttributeError):
            suspects[profile.id()] = malformed
    return suspects


def _suspect_part(
    ifc: ifcopenshell.file, element: ifcopenshell.entity_instance, suspects: dict[int, str]
) -> str | None:
    """Why an element's geometry cannot be trusted, if its body or placement uses a suspect part."""
    roots = [r for r in (element.Representation, getattr(element, "ObjectPlacement", None)) if r is not None]
    for root in roots:
        for entity in ifc.traverse(root):
            if entity.id() in suspects:
                return f"#{entity.id()} {suspects[entity.id()]}"
    return None
