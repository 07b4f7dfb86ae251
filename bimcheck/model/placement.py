"""World positions of elements from their placement chains, memoised per placement."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import ifcopenshell

if TYPE_CHECKING:
    from bimcheck.model.ifcmodel import Model

# A rigid transform as (rotation rows, translation): 3×3 row-major + 3-vector, in model units.
Transform = tuple[tuple[float, ...], tuple[float, float, float]]
_IDENTITY: Transform = ((1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))


class PlacementIndex:
    """Placement origins in world coordinates (metres).

    Written here rather than with ifcopenshell.util.placement because that helper builds
    numpy matrices per call (about 150 µs an element); elements share their parents'
    placements (a storey's, a building's), so memoising transforms per placement makes a
    position a few microseconds.
    """

    def __init__(self, model: Model) -> None:
        self._scale = model.units.length_scale
        self._schema = model.schema
        self._transforms: dict[int, Transform | None] = {}
        self._origins: dict[int, tuple[float, float, float] | None] = {}
        # class -> position of its ObjectPlacement attribute (None: it has none)
        self._placement_at: dict[str, int | None] = {}

    def origin(self, element: ifcopenshell.entity_instance) -> tuple[float, float, float] | None:
        key = element.id()
        if key in self._origins:  # an element failing several requirements is placed once
            return self._origins[key]
        found = self._origin(element)
        self._origins[key] = found
        return found

    def _origin(self, element: ifcopenshell.entity_instance) -> tuple[float, float, float] | None:
        cls = element.is_a()
        if cls not in self._placement_at:
            info = self._schema.attributes(cls).get("ObjectPlacement")
            self._placement_at[cls] = None if info is None else info.index
        at = self._placement_at[cls]
        placement = None if at is None else element.get_argument(at)
        if placement is None:
            return None
        point = self._leaf_origin(placement)
        if point is None:
            transform = self._transform(placement, 0)
            point = transform[1] if transform is not None else None
        if point is None:  # grid or linear placements: ifcopenshell's general (slower) resolver
            import ifcopenshell.util.placement

            try:
                matrix = ifcopenshell.util.placement.get_local_placement(placement)
            except Exception:  # a broken placement chain: no position rather than a failed run
                return None
            point = (float(matrix[0][3]), float(matrix[1][3]), float(matrix[2][3]))
        if not all(math.isfinite(v) for v in point):
            return None
        x, y, z = (round(v * self._scale, 3) for v in point)
        return (x, y, z)

    def _leaf_origin(self, placement: ifcopenshell.entity_instance) -> tuple[float, float, float] | None:
        """The origin of an element's own local placement: its parent's transform applied to
        its location, without the rotation that only its children would need (the same
        arithmetic as composing the full transform). None where this shortcut does not apply."""
        if placement.is_a() != "IfcLocalPlacement":
            return None
        relative = placement.get_argument(1)  # RelativePlacement
        if relative is None or relative.is_a() not in ("IfcAxis2Placement3D", "IfcAxis2Placement2D"):
            return None
        parent = placement.get_argument(0)  # PlacementRelTo
        base = _IDENTITY if parent is None else self._transform(parent, 1)
        if base is None:
            return None
        location = relative.get_argument(0)  # Location
        if location is not None and location.is_a() != "IfcCartesianPoint":
            return None
        coords = [float(c) for c in location.get_argument(0)] if location is not None else []
        u = (*coords, 0.0, 0.0, 0.0)[:3]
        a, t = base
        return (
            a[0] * u[0] + a[1] * u[1] + a[2] * u[2] + t[0],
            a[3] * u[0] + a[4] * u[1] + a[5] * u[2] + t[1],
            a[6] * u[0] + a[7] * u[1] + a[8] * u[2] + t[2],
        )

    def _transform(self, placement: ifcopenshell.entity_instance, depth: int) -> Transform | None:
        key = placement.id()
        if key in self._transforms:
            return self._transforms[key]
        self._transforms[key] = None  # a cyclic chain in a malformed file ends here
        result: Transform | None = None
        if placement.is_a("IfcLocalPlacement") and depth < 64:
            parent = placement.PlacementRelTo
            base = _IDENTITY if parent is None else self._transform(parent, depth + 1)
            local = _axis_placement(placement.RelativePlacement)
            if base is not None and local is not None:
                result = _compose(base, local)
        self._transforms[key] = result
        return result


def _axis_placement(placement: ifcopenshell.entity_instance | None) -> Transform | None:
    """Transform of an IfcAxis2Placement2D/3D; None for kinds this fast path does not read."""
    if placement is None:
        return _IDENTITY
    if not (placement.is_a("IfcAxis2Placement3D") or placement.is_a("IfcAxis2Placement2D")):
        return None
    location = placement.Location
    coords = [float(c) for c in location.Coordinates] if location is not None else []
    origin = (*coords, 0.0, 0.0, 0.0)[:3]
    if placement.is_a("IfcAxis2Placement2D"):
        x = _direction(placement.RefDirection, (1.0, 0.0, 0.0))
        z = (0.0, 0.0, 1.0)
    else:
        z = _direction(placement.Axis, (0.0, 0.0, 1.0))
        x = _direction(placement.RefDirection, (1.0, 0.0, 0.0))
    # Make x orthogonal to z (IFC's rule), then y = z × x.
    dot = x[0] * z[0] + x[1] * z[1] + x[2] * z[2]
    orthogonal = _normalised((x[0] - dot * z[0], x[1] - dot * z[1], x[2] - dot * z[2]))
    # RefDirection parallel to Axis: any perpendicular will do.
    x = orthogonal or _normalised((z[2], 0.0, -z[0])) or (0.0, 1.0, 0.0)
    y = (z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0])
    rotation = (x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2])
    return rotation, (origin[0], origin[1], origin[2])


def _direction(
    direction: ifcopenshell.entity_instance | None, default: tuple[float, float, float]
) -> tuple[float, float, float]:
    if direction is None:
        return default
    ratios = (*(float(r) for r in direction.DirectionRatios), 0.0, 0.0, 0.0)
    return _normalised((ratios[0], ratios[1], ratios[2])) or default


def _normalised(v: tuple[float, float, float]) -> tuple[float, float, float] | None:
    length = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    if not math.isfinite(length) or length < 1e-12:
        return None
    return (v[0] / length, v[1] / length, v[2] / length)


def _compose(parent: Transform, child: Transform) -> Transform:
    """parent ∘ child: the child's frame expressed in the parent's parent."""
    (a, t) = parent
    (b, u) = child
    rotation = tuple(
        a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j]
        for i in range(3)
        for j in range(3)
    )
    translation = (
        a[0] * u[0] + a[1] * u[1] + a[2] * u[2] + t[0],
        a[3] * u[0] + a[4] * u[1] + a[5] * u[2] + t[1],
        a[6] * u[0] + a[7] * u[1] + a[8] * u[2] + t[2],
    )
    return rotation, translation
