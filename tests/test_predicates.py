"""Free floor predicates: turning circles, the free zone in front of doors, corridor widths.

Rooms are designed in the test so that each expected value can be worked out by hand; the
calculation is written beside each assertion.
"""

from __future__ import annotations

import math

import pytest
import shapely

from bimcheck.model.predicates import largest_circle, narrowest_width
from tests.geometry_builders import GeometryBuilder, rectangle

SCHEMAS = [("IFC4", "METRE"), ("IFC4", "MILLIMETRE"), ("IFC2X3", "MILLIMETRE")]
# A circle in a 2 × 2 m room with a 0.6 × 0.6 m WC in a corner touches the two far walls
# and the WC's corner: √2 (2 − r − 0.6) = r, so r = 1.4√2 / (1 + √2).
TWO_BY_TWO_WITH_WC = 2 * 1.4 * math.sqrt(2) / (1 + math.sqrt(2))  # 1.6402 m


# --- plane geometry ----------------------------------------------------------------------------


def test_the_largest_circle_of_a_plan_and_its_centre() -> None:
    room = shapely.box(0, 0, 2, 2).difference(shapely.box(0, 0, 0.6, 0.6))
    diameter, (x, y) = largest_circle(room)
    assert diameter == pytest.approx(TWO_BY_TWO_WITH_WC, abs=0.001)
    assert (x, y) == pytest.approx((2 - diameter / 2, 2 - diameter / 2), abs=0.002)
    assert largest_circle(shapely.Polygon()) == (0.0, (pytest.approx(math.nan, nan_ok=True),) * 2)


def test_the_narrowest_width_between_terminals_is_the_narrowest_part_on_the_way() -> None:
    # a dumbbell: two 3 × 3 rooms joined by a 1.0 m wide, 2 m long neck
    plan = shapely.union_all([shapely.box(0, 0, 3, 3), shapely.box(3, 1, 5, 2), shapely.box(5, 0, 8, 3)])
    west, east = shapely.box(0, 1, 0.05, 2), shapely.box(7.95, 1, 8, 2)
    assert narrowest_width(plan, [west, east]) == pytest.approx(1.0, abs=0.006)
    # with both doors in the west room the neck is no passage: the room's 3 m count
    assert narrowest_width(plan, [west, shapely.box(1, 0, 2, 0.05)]) == pytest.approx(3.0, abs=0.006)
    assert narrowest_width(plan, []) == 0.0


# --- turning circles in rooms --------------------------------------------------------------------


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_a_turning_circle_in_a_bathroom_with_a_wc_in_a_corner(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    long_bath = g.space("Bad 2 × 3", rectangle(0, 0, 2, 3))
    g.sanitary("WC", rectangle(0, 0, 0.6, 0.6), height=0.4)
    square_bath = g.space("Bad 2 × 2", rectangle(10, 0, 12, 2))
    g.sanitary("WC", rectangle(10, 0, 10.6, 0.6), height=0.4)
    model = g.model()
    measured = model.measures.get(long_bath, "largest_free_circle")
    # the room is 2 m wide and the circle fits beside the WC (its centre at y ≥ 0.6 + √0.84)
    assert measured.value == pytest.approx(2.0, abs=0.001)
    assert measured.unit == "m"
    assert measured.source is not None
    assert measured.source.startswith(
        "geometry: largest circle in the floor-level section of the space body less 1 obstacle"
        " between 0.1 and 1.5 m above the floor, centre ("
    )
    measured = model.measures.get(square_bath, "largest_free_circle")
    assert measured.value == pytest.approx(TWO_BY_TWO_WITH_WC, abs=0.001)


def test_only_what_stands_between_the_band_heights_is_in_the_way() -> None:
    g = GeometryBuilder()
    room = g.space("Bad", rectangle(0, 0, 2, 2))
    g.furniture("Hylla", rectangle(0, 0, 2, 0.4), height=0.4, z=1.6)  # a shelf above 1.5 m
    g.sanitary("Tvättställ", rectangle(0, 1.4, 0.6, 2), height=0.2, z=0.8)  # a basin at 0.8–1.0 m
    model = g.model()
    # the basin counts: a circle touching x = 2, y = 0 and the basin's corner (0.6, 1.4):
    # (1.4 − r)² + (1.4 − r)² = r²  →  r = 1.4√2 / (1 + √2), as with a WC in the corner
    assert model.measures.get(room, "largest_free_circle").value == pytest.approx(
        TWO_BY_TWO_WITH_WC, abs=0.001
    )
    # below 0.7 m neither is in the way: the room's own 2 m
    measured = model.measures.get(room, "largest_free_circle", arguments={"max_height": "0.7"})
    assert measured.value == pytest.approx(2.0, abs=0.001)
    assert "0 obstacles between 0.1 and 0.7 m above the floor" in (measured.source or "")


def test_a_stair_rising_from_the_storey_below_is_in_the_way_furniture_of_another_storey_is_not() -> None:
    g = GeometryBuilder(storeys=("Plan 1", "Plan 2"), elevations=(0.0, 3.0))
    upper = g.space("Hall", rectangle(0, 0, 2, 3), z=3.0, storey="Plan 2")
    g.element("IfcStair", "Trappa", rectangle(0, 0, 0.9, 2), height=3.5, storey="Plan 1")
    g.furniture("Bord", rectangle(0, 2, 2, 3), height=0.8, storey="Plan 1")  # under the hall, on Plan 1
    measured = g.model().measures.get(upper, "largest_free_circle")
    # the circle touches the top wall, the right wall and the stair's corner (0.9, 2):
    # (1.1 − r)² + (1 − r)² = r²  →  r = (4.2 − √8.8) / 2
    assert measured.value == pytest.approx(4.2 - math.sqrt(8.8), abs=0.001)
    assert "1 obstacle" in (measured.source or "")


def test_a_space_with_broken_geometry_is_not_evaluable_and_the_others_are_measured() -> None:
    g = GeometryBuilder()
    broken = g.space("Trasig", rectangle(0, 0, 2, 2))
    broken.Representation.Representations[0].Items[0].Depth = 0.0
    whole = g.space("Hel", rectangle(5, 0, 7, 2))
    model = g.model()
    measured = model.measures.get(broken, "largest_free_circle")
    assert measured.value is None
    assert "Non-positive extrusion height" in (measured.reason or "")
    assert model.measures.get(whole, "largest_free_circle").value == pytest.approx(2.0, abs=0.001)


def test_an_obstacle_with_broken_geometry_in_the_room_makes_the_circle_unknown() -> None:
    g = GeometryBuilder()
    room = g.space("Bad", rectangle(0, 0, 2, 2))
    far = g.space("Långt bort", rectangle(20, 0, 22, 2))
    wc = g.sanitary("WC", rectangle(0, 0, 0.6, 0.6), height=0.4)
    g.place(wc, (0.3, 0.3, 0))  # its placement is what locates it when its body fails
    wc.Representation.Representations[0].Items[0].Depth = 0.0
    model = g.model()
    measured = model.measures.get(room, "largest_free_circle")
    assert measured.value is None
    assert measured.reason is not None
    assert measured.reason.startswith(
        f"the geometry of IfcSanitaryTerminal {wc.GlobalId} standing there is unusable"
    )
    assert model.measures.get(far, "largest_free_circle").value == pytest.approx(2.0, abs=0.001)


# --- corridors -----------------------------------------------------------------------------------


def _l_corridor(g: GeometryBuilder, niche: bool = False) -> object:
    """An L-shaped corridor: a 1.2 m wide arm along x (0–6 m) and a 1.5 m wide arm along y
    (x 4.5–6, up to 6 m), with a door at each end (in the west wall and in the north wall)."""
    outline = [(0, 0), (6, 0), (6, 6), (4.5, 6), (4.5, 1.2), (0, 1.2)]
    if niche:  # a 0.5 m wide, 1 m deep niche off the narrow arm, leading nowhere
        outline = [
            (0, 0),
            (6, 0),
            (6, 6),
            (4.5, 6),
            (4.5, 1.2),
            (2.5, 1.2),
            (2.5, 2.2),
            (2, 2.2),
            (2, 1.2),
            (0, 1.2),
        ]
    corridor = g.space("Korridor", outline)
    west = g.wall("Väst", (-0.1, -0.5), (-0.1, 2.0))
    g.door("Entré", west, at=0.65, width=0.9)  # y from 0.15 to 1.05
    north = g.wall("Norr", (4.0, 6.1), (7.0, 6.1))
    g.door("Trapphus", north, at=0.8, width=0.9)  # x from 4.8 to 5.7
    return corridor


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_the_narrowest_width_of_an_l_shaped_corridor_is_its_narrow_arm(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    corridor = _l_corridor(g)
    measured = g.model().measures.get(corridor, "narrowest_free_width")
    assert measured.value == pytest.approx(1.2, abs=0.006)  # the arm along x; the other is 1.5 m
    assert measured.source == (
        "geometry: widest disc that travels between the 2 doors and openings over the floor-level section"
        " of the space body less 0 obstacles between 0.1 and 1.5 m above the floor"
    )


def test_a_radiator_narrows_the_corridor_and_a_niche_leading_nowhere_does_not() -> None:
    g = GeometryBuilder()
    corridor = _l_corridor(g, niche=True)
    model = g.model()
    assert model.measures.get(corridor, "narrowest_free_width").value == pytest.approx(1.2, abs=0.006)
    g2 = GeometryBuilder()
    corridor2 = _l_corridor(g2)
    g2.element("IfcSpaceHeater", "Radiator", rectangle(5.6, 3, 6, 4), z=0.15, height=0.6)
    # the 1.5 m arm less a 0.4 m deep radiator leaves 1.1 m
    assert g2.model().measures.get(corridor2, "narrowest_free_width").value == pytest.approx(1.1, abs=0.006)


def test_a_space_without_doors_has_no_passage_to_measure() -> None:
    g = GeometryBuilder()
    room = g.space("Förråd", rectangle(0, 0, 2, 2))
    measured = g.model().measures.get(room, "narrowest_free_width")
    assert measured.value is None
    assert measured.reason == "no door or door-high opening meets the space: no passage to measure"


# --- the free zone in front of doors --------------------------------------------------------------


def _two_rooms(g: GeometryBuilder, angle: float = 0.0) -> tuple[object, object]:
    """Two rooms either side of a wall along the door's X axis (faces 0.1 m from its axis):
    a table 0.9 m from the axis in front of the door on one side, a wall 1.6 m away on the other."""
    c, s = math.cos(angle), math.sin(angle)

    def at(x: float, y: float) -> tuple[float, float]:
        return (c * x - s * y, s * x + c * y)

    wall = g.wall("Mellanvägg", at(0, 0), at(4, 0))
    door = g.door("Dörr", wall, at=1.0, width=0.9)  # x from 1.0 to 1.9
    g.wall("Bortre vägg", at(0, -1.6), at(4, -1.6))  # its face at 1.5 m
    table = g.furniture("Bord", rectangle(0.5, 0.9, 2.5, 1.5), height=0.75, origin=(0, 0, 0), angle=angle)
    g.furniture("Stol", rectangle(2.2, 0.2, 2.8, 0.6), height=0.9, origin=(0, 0, 0), angle=angle)
    return door, table


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
@pytest.mark.parametrize("angle", [0.0, math.pi / 2, 0.7])
def test_the_free_depth_in_front_of_a_door_is_the_smaller_side(schema: str, unit: str, angle: float) -> None:
    g = GeometryBuilder(schema, unit)
    door, table = _two_rooms(g, angle)
    model = g.model()
    measured = model.measures.get(door, "door_free_depth")
    # the table is 0.9 − 0.1 = 0.8 m from the wall face; the far wall 1.5 − 0.1 = 1.4 m;
    # the chair stands beside the door-wide zone
    assert measured.value == pytest.approx(0.8, abs=1e-6)
    assert measured.source == (
        "geometry: free depth of a door-wide zone in front of the door, the smaller side"
        f" (0.800 m / 1.400 m, limited by {table.is_a()} {table.GlobalId}), capped at 2 m;"
        " obstacles between 0.1 and 1.5 m above the door's bottom"
    )
    capped = model.measures.get(door, "door_free_depth", arguments={"max_depth": "0.5"})
    assert capped.value == pytest.approx(0.5)


def test_a_door_in_an_outer_wall_is_limited_by_its_inside() -> None:
    g = GeometryBuilder()
    wall = g.wall("Fasad", (0, 0), (4, 0), thickness=0.3)
    door = g.door("Entré", wall, at=1.5, width=1.0, wall_thickness=0.3)
    g.furniture("Byrå", rectangle(1.0, -1.35, 3.0, -0.85), height=0.9)  # inside, 0.85 m from the axis
    measured = g.model().measures.get(door, "door_free_depth")
    # outside nothing: 2.0 m (capped); inside 0.85 − 0.15 = 0.7 m
    assert measured.value == pytest.approx(0.7, abs=1e-6)
    assert "(2.000 m / 0.700 m, limited by IfcFurniture" in (measured.source or "")


def test_the_zone_is_as_wide_as_the_door_not_its_trim() -> None:
    g = GeometryBuilder()
    wall = g.wall("Vägg", (0, 0), (4, 0))
    # a body 1.05 m wide (leaf plus 75 mm trim either side) for a door 0.9 m wide: x 1.0–2.05
    door = g.door("Dörr", wall, at=1.0, width=1.05)
    door.OverallWidth = 0.9
    g.wall("Sidovägg", (2.1, 0.1), (2.1, 3.0))  # a jamb wall, faces x 2.0–2.2: over the trim only
    model = g.model()
    # the door-wide zone (x 1.075–1.975, centred on the body) is free on both sides
    assert model.measures.get(door, "door_free_depth").value == pytest.approx(2.0)
    g2 = GeometryBuilder()
    wall2 = g2.wall("Vägg", (0, 0), (4, 0))
    bare = g2.door("Dörr", wall2, at=1.0, width=1.05)
    bare.OverallWidth = None  # without a declared width the body's extent is the door's width
    g2.wall("Sidovägg", (2.1, 0.1), (2.1, 3.0))
    assert g2.model().measures.get(bare, "door_free_depth").value == pytest.approx(0.0)


def test_a_door_opposite_opens_the_far_wall_the_zone_reaches_its_leaf() -> None:
    # Walls are first tried with their openings left in (faster); the far wall then overlaps
    # the zone and must be cut: through its door opening the zone reaches the door leaf.
    g = GeometryBuilder()
    wall = g.wall("Mellanvägg", (0, 0), (4, 0))
    door = g.door("Dörr", wall, at=1.0, width=0.9)  # x 1.0–1.9
    far = g.wall("Bortre vägg", (0, -1.6), (4, -1.6))  # faces at 1.5 and 1.7 m from the axis
    opposite = g.door("Mittemot", far, at=1.0, width=0.9)  # a 0.1 m leaf centred in the far wall
    g.furniture("Bord", rectangle(0.5, 0.9, 2.5, 1.5), height=0.75)  # 0.9 − 0.1 = 0.8 m on the other side
    model = g.model()
    measured = model.measures.get(door, "door_free_depth")
    # towards the far wall: the leaf's face at 1.6 − 0.05 = 1.55 m, less the wall face 0.1 m = 1.45 m
    assert "(0.800 m / 1.450 m" in (measured.source or "")
    assert "limited by IfcFurniture" in (measured.source or "")
    assert model.measures.get(opposite, "door_free_depth").value == pytest.approx(1.45, abs=1e-6)


def test_a_wall_footprint_from_its_uncut_body_is_the_cut_one_where_it_is_used() -> None:
    from bimcheck.model.predicates import _footprint_within

    g = GeometryBuilder()
    wall = g.wall("Vägg", (0, 0), (4, 0))  # 2.5 m high
    g.door("Dörr", wall, at=1.0, width=0.9)  # 2.1 m high: the lintel keeps the footprint whole
    through = g.wall("Genomgång", (0, 3), (4, 3))
    g.door("Passage", through, at=1.0, width=0.9, height=2.5)  # cut through the whole height
    model = g.model()
    region = shapely.box(0.5, -1, 2.5, 4)
    lintel = _footprint_within(model, wall, region)
    assert lintel is not None
    assert wall.id() not in model.geometry._shapes  # found without cutting the wall
    cut = model.geometry.shapes([wall])[0].footprint
    assert lintel.symmetric_difference(cut).intersection(region).area == pytest.approx(0, abs=1e-9)
    gap = _footprint_within(model, through, region)
    assert gap is not None
    # the passage removes 0.9 × 0.2 m of the 4 × 0.2 m footprint
    assert gap.intersection(region).area == pytest.approx((2.0 - 0.9) * 0.2, abs=1e-6)
