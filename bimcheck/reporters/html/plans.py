"""Floor plans as SVG-ready data: path strings, status per element, labels, scale bar and view box."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bimcheck.results import FloorPlan, PlanItem, Ring, Status, UndrawnItem

# Status of an element drawn on a plan: the worst over every requirement that lists it.
# Passing and not-applicable elements are drawn neutrally: the plan shows where problems are.
# Waived findings are marked too, below every open one: a reviewer sees where the accepted
# deviations are, and an element with an open finding besides shows that one.
_RANK = {Status.SUPPRESSED: 0, Status.MANUAL: 1, Status.NOT_EVALUABLE: 2, Status.FAIL: 3, Status.ERROR: 4}
# Manual checks are outlined but not labelled: a manual requirement often lists every space,
# and labelling them all would bury the real findings.
LABELLED = frozenset({Status.FAIL, Status.NOT_EVALUABLE, Status.ERROR})

# Neutral layer by IFC class, drawn bottom to top so that openings sit on their walls.
_LAYER = {
    "IfcSpace": "space",
    "IfcWall": "wall",
    "IfcWallStandardCase": "wall",
    "IfcWallElementedCase": "wall",
    "IfcCurtainWall": "wall",
    "IfcColumn": "wall",
    "IfcDoor": "door",
    "IfcDoorStandardCase": "door",
    "IfcWindow": "window",
    "IfcWindowStandardCase": "window",
}
# Elements that span a whole storey are on a plan only when they have findings (the engine adds
# them then), and are drawn as an outline on top: filled, they would paint over the whole plan.
_AREA_CLASSES = (
    "IfcSlab",
    "IfcSlabStandardCase",
    "IfcSlabElementedCase",
    "IfcCovering",
    "IfcRoof",
    "IfcFooting",
    "IfcSite",
    "IfcBuilding",
    "IfcSpatialZone",
)
_LAYER.update(dict.fromkeys(_AREA_CLASSES, "area"))
_LAYER_ORDER = {"space": 0, "other": 1, "wall": 2, "window": 3, "door": 4, "area": 5}
_NICE = (1, 2, 5)


@dataclass(frozen=True, slots=True)
class Mark:
    """Why an element is highlighted: one requirement's verdict and message on it."""

    requirement: str
    status: Status
    message: str


@dataclass(frozen=True, slots=True)
class Shape:
    """One plan item ready to draw."""

    layer: str
    d: str
    global_id: str | None
    status: Status | None
    tooltip: str
    label: str | None
    room: str | None  # a neutral room name, for orientation
    label_x: str
    label_y: str


@dataclass(frozen=True, slots=True)
class PlanView:
    """One storey's SVG: view box, shapes in draw order, scale bar and north arrow in plan units."""

    index: int
    model: str
    storey: str
    elevation: float | None
    view_box: str
    shapes: tuple[Shape, ...]
    flagged: int
    font: str
    stroke: str
    scale_d: str
    scale_x: str
    scale_end: str
    scale_label: str
    text_y: str
    north_d: str
    north_x: str
    north_y: str
    # "IfcWall 'YV01' (GlobalId): why", for the elements of the storey the plan cannot show.
    undrawn: tuple[str, ...] = ()


def num(value: float) -> str:
    """Millimetre precision, no trailing zeros, no negative zero: stable bytes for the same plan."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def marks_by_element(
    elements: Iterable[tuple[str, Status, str | None, str]],
) -> dict[str, list[Mark]]:
    """GlobalId → its non-passing verdicts, from (requirement id, status, GlobalId, message)."""
    out: dict[str, list[Mark]] = {}
    for requirement, status, global_id, message in elements:
        if global_id is None or status not in _RANK:
            continue
        out.setdefault(global_id, []).append(Mark(requirement, status, message))
    return out


def _undrawn_text(item: UndrawnItem) -> str:
    name = f" {item.name!r}" if item.name else ""
    where = f" ({item.global_id})" if item.global_id else ""
    return f"{item.ifc_class}{name}{where}: {item.reason}"


def plan_view(index: int, plan: FloorPlan, marks: Mapping[str, list[Mark]]) -> PlanView:
    """Everything the template needs to draw one storey, in plan metres with y negated."""
    xs: list[float] = []
    ys: list[float] = []
    for item in plan.items:
        for polygon in item.polygons:
            for x, y in polygon[0] if polygon else ():
                xs.append(x)
                ys.append(y)
    if not xs:
        xs, ys = [0.0, 1.0], [0.0, 1.0]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    width = max(max_x - min_x, 1.0)
    height = max(max_y - min_y, 1.0)
    extent = max(width, height)
    margin = extent * 0.04
    font = min(max(extent / 90, 0.12), 3.0)
    # The scale bar sits below the plan, inside the view box: it needs a band of its own.
    band = font * 4
    # SVG's y axis points down; plans are drawn north-up, so world y is negated.
    view_box = " ".join(
        num(v) for v in (min_x - margin, -max_y - margin, width + 2 * margin, height + 2 * margin + band)
    )
    scale_len = _nice_length(width / 5)
    bar_y = -min_y + margin + band * 0.75
    tick = font * 0.4
    north_x = max_x - font
    shapes = sorted(
        (_shape(item, marks) for item in plan.items),
        key=lambda s: (_LAYER_ORDER[s.layer], s.status is not None),
    )
    return PlanView(
        index=index,
        model=plan.model,
        storey=plan.storey,
        elevation=plan.elevation,
        undrawn=tuple(_undrawn_text(u) for u in plan.undrawn),
        view_box=view_box,
        shapes=tuple(shapes),
        flagged=sum(1 for s in shapes if s.status is not None),
        font=num(font),
        stroke=num(font / 8),
        scale_d=(
            f"M{num(min_x)} {num(bar_y)}h{num(scale_len)}"
            f"M{num(min_x)} {num(bar_y - tick)}v{num(2 * tick)}"
            f"M{num(min_x + scale_len)} {num(bar_y - tick)}v{num(2 * tick)}"
        ),
        scale_x=num(min_x),
        scale_end=num(min_x + scale_len),
        scale_label=f"{num(scale_len)} m",
        text_y=num(bar_y - tick * 1.6),
        # A filled arrowhead pointing to +y (up on the page), its tip level with the bar.
        north_d=(
            f"M{num(north_x)} {num(bar_y - tick * 4)}l{num(tick * 1.2)} {num(tick * 3.5)}"
            f"l{num(-tick * 1.2)} {num(-tick)}l{num(-tick * 1.2)} {num(tick)}Z"
        ),
        north_x=num(north_x - tick * 1.8),
        north_y=num(bar_y),
    )


def _shape(item: PlanItem, marks: Mapping[str, list[Mark]]) -> Shape:
    found = marks.get(item.global_id or "", [])
    status = max((m.status for m in found), key=_RANK.__getitem__) if found else None
    layer = _LAYER.get(item.ifc_class, "other")
    ident = item.global_id or "—"
    heading = f"{ident} · {item.ifc_class}" + (f" · {item.name}" if item.name else "")
    lines = [heading] + [f"{m.requirement}: {m.message}" for m in found]
    cx, cy = _label_point(item.polygons)
    label = None
    if status in LABELLED:
        label = _short(item.name or item.global_id or item.ifc_class)
    return Shape(
        layer=layer,
        d=" ".join(_ring_path(ring) for polygon in item.polygons for ring in polygon),
        global_id=item.global_id,
        status=status,
        tooltip="\n".join(lines),
        label=label,
        room=_short(item.name) if item.name and layer == "space" and label is None else None,
        label_x=num(cx),
        label_y=num(-cy),
    )


def _ring_path(ring: Ring) -> str:
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    return "M" + " ".join(f"{num(x)} {num(-y)}" for x, y in points) + "Z"


def _label_point(polygons: tuple[tuple[Ring, ...], ...]) -> tuple[float, float]:
    """Centroid of the largest outline: inside rooms and on the axis of straight walls."""
    best: tuple[float, float, float] | None = None
    for polygon in polygons:
        if not polygon or len(polygon[0]) < 3:
            continue
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) < 1e-12:
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            point = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
        else:
            point = (cx / (3 * area), cy / (3 * area))
        if best is None or abs(area) > best[0]:
            best = (abs(area), *point)
    return (0.0, 0.0) if best is None else (best[1], best[2])


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_length(target: float) -> float:
    """The largest 1-2-5 length not above `target` (at least 1 mm)."""
    if target <= 0.001:
        return 0.001
    power = 10.0 ** math.floor(math.log10(target))
    return max(n * power for n in _NICE if n * power <= target)
