"""Geometry index: shapes in world metres, sections, band plans, closed shells, glass, broken elements.

Every expected value is computed by hand from the sizes the test builds.
"""

from __future__ import annotations

import math

import ifcopenshell.api
import ifcopenshell.geom
import numpy as np
import pytest
import shapely

from bimcheck.model.geometry import GeometryIndex, Shape
from tests.geometry_builders import GeometryBuilder, rectangle

SCHEMAS = [("IFC4", "METRE"), ("IFC2X3", "MILLIMETRE"), ("IFC4", "MILLIMETRE")]


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_a_body_comes_out_in_world_metres_whatever_the_model_unit(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    box = g.element(
        "IfcFurniture" if schema == "IFC4" else "IfcFurnishingElement",
        "B",
        rectangle(0, 0, 2, 1),
        height=0.5,
        origin=(1, 2, 3),
    )
    shape = g.model().geometry.shape(box)
    assert shape.ok
    # placed at (1, 2, 3), 2 × 1 × 0.5 m
    assert shape.vertices.min(axis=0) == pytest.approx([1, 2, 3])
    assert shape.vertices.max(axis=0) == pytest.approx([3, 3, 3.5])
    assert shape.bounds == pytest.approx((1, 2, 3, 3))
    assert shape.volume == pytest.approx(1.0)
    assert shape.footprint.area == pytest.approx(2.0)


def test_the_section_of_an_l_shaped_room_is_its_outline() -> None:
    g = GeometryBuilder()
    room = g.space("L", [(0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4)])
    shape = g.model().geometry.shape(room)
    cut = shape.section(1.0)
    # 4 × 4 less the 2 × 2 corner
    assert cut.area == pytest.approx(12.0)
    assert cut.length == pytest.approx(16.0)
    assert shape.section(3.0).is_empty  # above the 2.5 m body


def test_a_section_through_a_door_opening_leaves_the_jambs() -> None:
    g = GeometryBuilder()
    wall = g.wall("W", (0, 0), (4, 0), thickness=0.2, height=2.5)
    g.door("D", wall, at=1.0, width=0.9, height=2.1)
    shape = g.model().geometry.shape(wall)
    # at 1 m the opening (0.9 m wide, 2.1 m high) is cut out; above it the wall is whole
    assert shape.section(1.0).area == pytest.approx((4 - 0.9) * 0.2)
    assert len(shape.section(1.0).geoms) == 2
    assert shape.section(2.3).area == pytest.approx(4 * 0.2)


def test_overlapping_items_of_one_element_do_not_cancel_in_a_section() -> None:
    g = GeometryBuilder()
    element = g.builder.element("IfcFurniture", "Two boxes")
    g.place(element)
    g.solids(element, [g.solid(rectangle(0, 0, 1, 1), 0, 1), g.solid(rectangle(0.5, 0, 1.5, 1), 0, 1)])
    shape = g.model().geometry.shape(element)
    # even-odd over both boxes would drop the 0.5 × 1 overlap; their union is 1.5 m²
    assert shape.section(0.5).area == pytest.approx(1.5)
    assert shape.footprint.area == pytest.approx(1.5)


def _wedge(g: GeometryBuilder) -> object:
    """A ramp-like wedge: rising from x = 0 to x = 2 up to 1 m, 1 m deep (y from -1 to 0)."""
    f = g.file
    element = g.builder.element("IfcBuildingElementProxy", "Wedge")
    g.place(element)
    points = [f.createIfcCartesianPoint(p) for p in ((0.0, 0.0), (2.0, 0.0), (2.0, 1.0))]
    profile = f.createIfcArbitraryClosedProfileDef("AREA", None, f.createIfcPolyline([*points, points[0]]))
    # profile in the world XZ plane: local X = world X, local Z (extrusion) = world -Y
    position = f.createIfcAxis2Placement3D(
        f.createIfcCartesianPoint((0.0, 0.0, 0.0)),
        f.createIfcDirection((0.0, -1.0, 0.0)),
        f.createIfcDirection((1.0, 0.0, 0.0)),
    )
    solid = f.createIfcExtrudedAreaSolid(profile, position, f.createIfcDirection((0.0, 0.0, 1.0)), 1.0)
    g.solids(element, [solid])
    return element


def test_the_plan_between_two_heights_is_what_the_body_occupies_there() -> None:
    g = GeometryBuilder()
    wedge = _wedge(g)
    wardrobe = g.furniture("Wardrobe", rectangle(5, 0, 6, 0.6), height=2.2)
    shelf = g.furniture("Shelf", rectangle(7, 0, 8, 0.3), height=0.4, z=1.6)
    model = g.model()
    shape = model.geometry.shape(wedge)
    # at height z the wedge spans x from 2z to 2: below 0.5 m that is all of its 2 × 1 m base,
    # between 0.6 and 1.0 m only x from 1.2 to 2
    assert shape.plan_between(0.0, 0.5).area == pytest.approx(2.0)
    assert shape.plan_between(0.6, 1.0).area == pytest.approx(0.8)
    assert shape.plan_between(0.6, 1.0).bounds == pytest.approx((1.2, -1.0, 2.0, 0.0))
    # a wardrobe through the whole band has only vertical faces in it: its cuts give its plan
    assert model.geometry.shape(wardrobe).plan_between(0.1, 1.5).area == pytest.approx(0.6)
    # a shelf from 1.6 m up is not in the band at all
    assert model.geometry.shape(shelf).plan_between(0.1, 1.5).is_empty


def test_a_closed_shell_has_a_volume_an_open_one_does_not() -> None:
    g = GeometryBuilder()
    box = g.furniture("Box", rectangle(0, 0, 1, 2), height=0.5)
    tray = g.builder.element("IfcFurniture", "Open box")
    g.place(tray)
    corners = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
    sides = [[0, 3, 2, 1], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]  # no lid
    representation = ifcopenshell.api.run(
        "geometry.add_mesh_representation", g.file, context=g.body, vertices=[corners], faces=[sides]
    )
    ifcopenshell.api.run(
        "geometry.assign_representation", g.file, product=tray, representation=representation
    )
    model = g.model()
    closed, open_ = model.geometry.shape(box), model.geometry.shape(tray)
    assert closed.is_closed
    assert closed.volume == pytest.approx(1.0)
    assert open_.ok
    assert not open_.is_closed


def test_flipped_faces_make_a_shell_not_closed() -> None:
    # A cube whose faces are all there but one is turned inside out: its volume means nothing.
    cube = Shape(1, *_cube())
    assert cube.is_closed
    assert cube.volume == pytest.approx(1.0)
    vertices, faces = _cube()
    faces[0] = faces[0][::-1]
    assert not Shape(1, vertices, faces).is_closed


def _cube() -> tuple[np.ndarray, np.ndarray]:
    v = np.array([[x, y, z] for z in (0, 1) for y in (0, 1) for x in (0, 1)], dtype=float)
    quads = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    faces = np.array([t for a, b, c, d in quads for t in ((a, b, c), (a, c, d))], dtype=np.int32)
    return v, faces


def test_glass_is_measured_face_on_once() -> None:
    g = GeometryBuilder()
    wall = g.wall("W", (0, 0), (4, 0))
    window = g.window("F", wall, at=1.0, width=1.2, height=1.4, frame=0.1)
    opaque = g.window("F2", wall, at=2.5, width=1.0, height=1.0, glass=False)
    model = g.model()
    # the pane inside a 0.1 m frame: (1.2 − 0.2) × (1.4 − 0.2); both its faces count once
    assert model.geometry.shape(window).glass_area() == pytest.approx(1.0 * 1.2)
    assert model.geometry.shape(opaque).glass_area() is None


def test_a_broken_element_gets_the_kernels_reason_and_the_others_their_shapes() -> None:
    g = GeometryBuilder()
    good = g.furniture("Good", rectangle(0, 0, 1, 1))
    broken = g.furniture("Broken", rectangle(2, 0, 3, 1))
    broken.Representation.Representations[0].Items[0].Depth = 0.0  # a zero-height extrusion
    bodiless = g.builder.element("IfcFurniture", "No body")
    model = g.model()
    shapes = model.geometry.shapes([good, broken, bodiless])
    assert shapes[0].ok
    assert shapes[0].volume == pytest.approx(0.8)
    assert not shapes[1].ok
    assert "Non-positive extrusion height" in (shapes[1].error or "")
    assert shapes[2].error == "has no geometric representation"


def test_a_kernel_failure_on_a_batch_is_narrowed_down_to_the_element(monkeypatch: pytest.MonkeyPatch) -> None:
    g = GeometryBuilder()
    boxes = [g.furniture(f"B{k}", rectangle(k, 0, k + 0.5, 0.5)) for k in range(5)]
    culprit = boxes[3]
    real_iterator = ifcopenshell.geom.iterator

    def failing(settings, ifc, threads, include):  # type: ignore[no-untyped-def]
        if any(e.id() == culprit.id() for e in include):
            raise RuntimeError("kernel crashed")
        return real_iterator(settings, ifc, threads, include=include)

    monkeypatch.setattr(ifcopenshell.geom, "iterator", failing)
    shapes = g.model().geometry.shapes(boxes)
    assert [s.ok for s in shapes] == [True, True, True, False, True]
    assert shapes[3].error == "geometry failed: kernel crashed"


def test_shapes_are_computed_once_per_class_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    g = GeometryBuilder()
    rooms = [g.space(f"R{k}", rectangle(3 * k, 0, 3 * k + 2, 2)) for k in range(3)]
    model = g.model()
    batches: list[int] = []
    iterate = GeometryIndex._iterate

    def counting(self: GeometryIndex, elements: list[object], *args: object) -> None:
        batches.append(len(elements))
        iterate(self, elements, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(GeometryIndex, "_iterate", counting)
    first = model.geometry.shape(rooms[0])
    assert model.geometry.shape(rooms[0]) is first
    assert model.geometry.shape(rooms[2]).ok
    assert batches == [3]  # the first request computed all three spaces


def test_placements_are_in_world_metres() -> None:
    g = GeometryBuilder("IFC4", "MILLIMETRE", storeys=("Plan 1", "Plan 2"), elevations=(0.0, 3.2))
    box = g.element(
        "IfcFurniture", "B", rectangle(0, 0, 1, 1), storey="Plan 2", origin=(2, 1, 3.2), angle=math.pi / 2
    )
    model = g.model()
    matrix = model.geometry.placement(box)
    assert matrix is not None
    assert matrix[:3, 3] == pytest.approx([2, 1, 3.2])
    assert matrix[:3, 0] == pytest.approx([0, 1, 0])  # X turned a quarter
    storey = model.geometry.placement(g.storeys["Plan 2"])
    assert storey is not None
    assert storey[2, 3] == pytest.approx(3.2)


def test_plans_are_unions_of_areas_only() -> None:
    # a sliver face exactly edge-on contributes nothing; the plan stays polygonal
    shape = Shape(
        7,
        np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float),
        np.array([[0, 1, 2], [0, 1, 3]], dtype=np.int32),
    )
    assert shape.footprint.geom_type == "Polygon"
    assert shape.footprint.area == pytest.approx(0.5)
    assert shapely.equals(shape.footprint, shapely.Polygon([(0, 0), (1, 0), (0, 1)]))


def test_solids_touching_face_to_face_are_each_closed_and_their_volumes_add_up() -> None:
    g = GeometryBuilder()
    element = g.builder.element("IfcFurniture", "Two blocks")
    g.place(element)
    # two 1 m cubes side by side: the edges of the face they share are used by both
    g.solids(element, [g.solid(rectangle(0, 0, 1, 1), 0, 1), g.solid(rectangle(1, 0, 2, 1), 0, 1)])
    shape = g.model().geometry.shape(element)
    assert shape.is_closed
    assert shape.volume == pytest.approx(2.0)


def test_an_uncut_body_keeps_its_openings_filled_and_elements_without_share_their_shape() -> None:
    g = GeometryBuilder()
    wall = g.wall("Vägg", (0, 0), (4, 0), thickness=0.2, height=2.5)
    g.door("Dörr", wall, at=1.0, width=0.9, height=2.1)
    plain = g.wall("Vägg 2", (0, 3), (4, 3), thickness=0.2, height=2.5)
    model = g.model()
    uncut, cut = model.geometry.uncut(wall), model.geometry.shape(wall)
    assert model.geometry.voided(wall)
    assert not model.geometry.voided(plain)
    # 4 × 0.2 × 2.5 = 2.0 m³ whole; the opening takes 0.9 × 0.2 × 2.1 = 0.378 m³
    assert uncut.volume == pytest.approx(2.0)
    assert cut.volume == pytest.approx(2.0 - 0.378)
    assert model.geometry.uncut(plain) is model.geometry.shape(plain)


def test_walls_with_openings_are_cut_in_batches_of_their_type() -> None:
    g = GeometryBuilder()
    kinds = [
        ifcopenshell.api.run("root.create_entity", g.file, ifc_class="IfcWallType", name=n) for n in "AB"
    ]
    walls = []
    for k, kind in enumerate([*kinds, kinds[0]]):
        wall = g.wall(f"Vägg {k}", (0, 3 * k), (4, 3 * k))
        g.door(f"Dörr {k}", wall, at=1.0)
        ifcopenshell.api.run("type.assign_type", g.file, related_objects=[wall], relating_type=kind)
        walls.append(wall)
    plain = g.wall("Utan öppning", (0, 9), (4, 9))
    model = g.model()
    assert model.geometry.shape(walls[0]).ok
    # the walls of type A with openings were cut together; type B and the plain wall were not asked for
    assert {walls[0].id(), walls[2].id()} <= set(model.geometry._shapes)
    assert walls[1].id() not in model.geometry._shapes
    assert plain.id() not in model.geometry._shapes
