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
        self._transforms: dict[int, Transform | None] = {}

    def origin(self, element: ifcopenshell.entity_instance) -> tuple[float, float, float] | None:
        placement = getattr(element, "ObjectPlacement", None)
        if placement is None:
            return None
        transform = self._transform(placement, 0)
        if transform is not None:
            point = transform[1]
        else:  # grid or linear placements: ifcopenshell's general (slower) resolver
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
