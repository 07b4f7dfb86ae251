"""Element geometry on demand: triangulated shapes in world coordinates (metres), cached per model."""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING

import ifcopenshell
import ifcopenshell.geom
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

# Triangles whose projection is thinner than this (m²) add nothing to a footprint but cost
# time in the union; vertical faces project to zero area.
_MIN_TRIANGLE_AREA = 1e-8


class Shape:
    """One element's triangulated body in world coordinates (metres), or why there is none."""

    __slots__ = ("__dict__", "element_id", "error", "faces", "vertices")

    def __init__(
        self,
        element_id: int,
        vertices: NDArray[np.float64] | None = None,
        faces: NDArray[np.int32] | None = None,
        error: str | None = None,
    ) -> None:
        self.element_id = element_id
        self.vertices = vertices if vertices is not None else np.zeros((0, 3))
        self.faces = faces if faces is not None else np.zeros((0, 3), dtype=np.int32)
        self.error = error

    @property
    def ok(self) -> bool:
        return self.error is None and len(self.faces) > 0

    @property
    def zmin(self) -> float:
        return float(self.vertices[:, 2].min())

    @property
    def zmax(self) -> float:
        return float(self.vertices[:, 2].max())

    @cached_property
    def volume(self) -> float:
        """Enclosed volume (m³) by the divergence theorem; meaningful for closed shells."""
        a, b, c = (self.vertices[self.faces[:, i]] for i in range(3))
        return float(abs(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0)

    @cached_property
    def footprint(self) -> BaseGeometry:
        """Plan projection (XY) of the body: the union of its projected triangles."""
        triangles = self.vertices[self.faces][:, :, :2]
        # Shoelace area of each projected triangle; skip vertical and degenerate ones.
        (x1, y1), (x2, y2), (x3, y3) = (triangles[:, i, :].T for i in range(3))
        areas = np.abs((x2 - x1) * (y3 - y1) - (x3 - x1) * (y2 - y1)) / 2
        kept = triangles[areas > _MIN_TRIANGLE_AREA]
        if len(kept) == 0:
            return shapely.Polygon()
        polygons = shapely.polygons(np.concatenate([kept, kept[:, :1, :]], axis=1))
        return shapely.make_valid(shapely.union_all(polygons))

    def section(self, z: float) -> BaseGeometry:
        """Plan of the part of the body below `z` and above its base: the footprint of what
        is cut at height z, approximated by triangles that reach below z."""
        below = self.vertices[self.faces][:, :, 2].min(axis=1) < z
        return Shape(self.element_id, self.vertices, self.faces[below]).footprint


class GeometryIndex:
    """Shapes per element, computed in batches with ifcopenshell's multi-threaded iterator.

    Shapes are computed only when a requirement asks for them; the first request for an
    element computes every element of its class that has not been computed yet, because
    requirements apply to classes (all spaces, all doors) and the iterator is much faster
    on one batch than on many single elements.
    """

    def __init__(self, model: Model, threads: int | None = None) -> None:
        self._model = model
        self._threads = threads or os.cpu_count() or 1
        self._shapes: dict[int, Shape] = {}

    def shape(self, element: ifcopenshell.entity_instance) -> Shape:
        key = element.id()
        cached = self._shapes.get(key)
        if cached is None:
            batch = [e for e in self._model.by_class(element.is_a()) if e.id() not in self._shapes]
            self.prefetch(batch or [element])
            cached = self._shapes[key]
        return cached

    def prefetch(self, elements: list[ifcopenshell.entity_instance]) -> None:
        """Compute the shapes of elements not computed yet, in one multi-threaded pass."""
        wanted = [e for e in elements if e.id() not in self._shapes]
        with_body = []
        for element in wanted:
            if getattr(element, "Representation", None) is None:
                self._shapes[element.id()] = Shape(element.id(), error="has no geometric representation")
            else:
                with_body.append(element)
        if with_body:
            self._iterate(with_body)

    def _iterate(self, elements: list[ifcopenshell.entity_instance]) -> None:
        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        settings.set("weld-vertices", False)
        try:
            iterator = ifcopenshell.geom.iterator(settings, self._model.file, self._threads, include=elements)
            if iterator.initialize():
                while True:
                    self._store(iterator.get())
                    if not iterator.next():
                        break
        except Exception as exc:  # the geometry kernel failed for the batch: say so per element
            for element in elements:
                self._shapes.setdefault(element.id(), Shape(element.id(), error=f"geometry failed: {exc}"))
        for element in elements:
            self._shapes.setdefault(
                element.id(), Shape(element.id(), error="geometry could not be processed by ifcopenshell")
            )

    def _store(self, produced: object) -> None:
        geometry = produced.geometry  # type: ignore[attr-defined]
        vertices = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3).copy()
        faces = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3).copy()
        element_id = int(produced.id)  # type: ignore[attr-defined]
        error = None if len(faces) and np.isfinite(vertices).all() else "empty or non-finite geometry"
        self._shapes[element_id] = Shape(element_id, vertices, faces, error)
