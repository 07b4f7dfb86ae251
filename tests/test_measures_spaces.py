"""Space measures: floor areas, perimeter, height and clear height, from quantities or geometry.

Rooms are built in the test; every expected value is the hand calculation written beside it
or a quantity the test itself declares.
"""

from __future__ import annotations

import pytest

from tests.geometry_builders import GeometryBuilder, rectangle

SCHEMAS = [("IFC4", "METRE"), ("IFC4", "MILLIMETRE"), ("IFC2X3", "MILLIMETRE"), ("IFC2X3", "METRE")]
L_ROOM = [(0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4)]  # 4 × 4 less a 2 × 2 corner: 12 m², 16 m round
SECTION = "geometry: area of the floor-level section of the space body"


def _qto_set(schema: str) -> str:
    return "BaseQuantities" if schema == "IFC2X3" else "Qto_SpaceBaseQuantities"


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_floor_area_comes_from_the_declared_quantity_first(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    room = g.space("Sovrum", L_ROOM)
    qto = _qto_set(schema)
    g.builder.qto(room, qto, {"NetFloorArea": 11.5, "GrossFloorArea": 12.25})
    model = g.model()
    net = model.measures.get(room, "net_floor_area")
    assert (net.value, net.unit, net.source) == (11.5, "m2", f"property: {qto}.NetFloorArea")
    gross = model.measures.get(room, "gross_floor_area")
    assert (gross.value, gross.source) == (12.25, f"property: {qto}.GrossFloorArea")


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_without_quantities_the_floor_area_comes_from_the_body(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    room = g.space("Sovrum", L_ROOM, z=0.4)
    model = g.model()
    net = model.measures.get(room, "net_floor_area")
    assert net.value == pytest.approx(12.0)  # 4 × 4 − 2 × 2
    assert net.unit == "m2"
    assert net.source == SECTION
    perimeter = model.measures.get(room, "perimeter")
    assert perimeter.value == pytest.approx(16.0)  # 4 + 2 + 2 + 2 + 2 + 4
    assert perimeter.source == "geometry: boundary length of the floor-level section of the space body"
    height = model.measures.get(room, "height")
    assert height.value == pytest.approx(2.5)
    assert height.source == "geometry: height of the space body (top − bottom)"


def test_source_geometry_ignores_the_quantity_and_source_property_ignores_the_body() -> None:
    g = GeometryBuilder()
    declared = g.space("Declared", L_ROOM)
    g.builder.qto(declared, "Qto_SpaceBaseQuantities", {"NetFloorArea": 99.0})
    bare = g.space("Bare", rectangle(10, 0, 13, 3))
    model = g.model()
    assert model.measures.get(declared, "net_floor_area", "geometry").value == pytest.approx(12.0)
    unknown = model.measures.get(bare, "net_floor_area", "property")
    assert unknown.value is None
    assert unknown.reason == "no NetFloorArea quantity"


def test_a_hole_in_the_floor_counts_in_the_gross_area_only() -> None:
    g = GeometryBuilder()
    room = g.space("Hall", rectangle(0, 0, 5, 4), holes=[rectangle(2, 1, 3, 2)])
    model = g.model()
    # 5 × 4 = 20 m² within the outline; the 1 × 1 column hole is not floor
    assert model.measures.get(room, "net_floor_area").value == pytest.approx(19.0)
    gross = model.measures.get(room, "gross_floor_area")
    assert gross.value == pytest.approx(20.0)
    assert "holes included" in (gross.source or "")
    # outline 18 m plus the hole's 4 m
    assert model.measures.get(room, "perimeter").value == pytest.approx(22.0)


def test_a_space_without_a_body_is_not_evaluable_with_the_reason() -> None:
    g = GeometryBuilder()
    room = g.builder.create("IfcSpace", "Tom")
    model = g.model()
    for name in ("net_floor_area", "gross_floor_area", "perimeter", "height", "clear_height"):
        measured = model.measures.get(room, name)
        assert measured.value is None, name
        assert measured.reason == "no usable geometry: has no geometric representation", name


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_perimeter_and_height_quantities_are_converted_to_metres(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    room = g.space("Rum", L_ROOM)
    scale = 1000.0 if unit == "MILLIMETRE" else 1.0
    qto = _qto_set(schema)
    g.builder.qto(room, qto, {"NetPerimeter": 15.8 * scale, "Height": 2.7 * scale})
    model = g.model()
    perimeter = model.measures.get(room, "perimeter")
    assert perimeter.value == pytest.approx(15.8)
    assert perimeter.source == f"property: {qto}.NetPerimeter"
    assert model.measures.get(room, "height").value == pytest.approx(2.7)


def test_clear_height_from_finish_ceiling_height_or_the_ifc2x3_clear_height() -> None:
    ifc4 = GeometryBuilder("IFC4", "MILLIMETRE")
    room4 = ifc4.space("Rum", L_ROOM)
    ifc4.builder.qto(room4, "Qto_SpaceBaseQuantities", {"FinishCeilingHeight": 2450.0, "Height": 2700.0})
    measured = ifc4.model().measures.get(room4, "clear_height")
    assert (measured.value, measured.source) == (
        pytest.approx(2.45),
        "property: Qto_SpaceBaseQuantities.FinishCeilingHeight",
    )
    ifc2x3 = GeometryBuilder("IFC2X3")
    room2 = ifc2x3.space("Rum", L_ROOM)
    ifc2x3.builder.qto(room2, "BaseQuantities", {"ClearHeight": 2.4})
    measured = ifc2x3.model().measures.get(room2, "clear_height")
    assert (measured.value, measured.source) == (2.4, "property: BaseQuantities.ClearHeight")


def _covering(
    g: GeometryBuilder, kind: str, outline: list[tuple[float, float]], z: float, t: float
) -> object:
    return g.element("IfcCovering", kind.title(), outline, z=z, height=t, PredefinedType=kind)


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_clear_height_from_the_lowest_ceiling_over_the_room(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    room = g.space("Rum", rectangle(0, 0, 4, 3), height=2.7)
    _covering(g, "CEILING", rectangle(0, 0, 4, 3), z=2.4, t=0.05)  # a suspended ceiling at 2.4 m
    _covering(g, "CEILING", rectangle(0, 0, 1, 3), z=2.2, t=0.05)  # a lowered strip at 2.2 m
    # the neighbour's ceiling reaches 5 cm over this room (0.15 m², 1.25 % of its floor)
    _covering(g, "CEILING", rectangle(3.95, 0, 8, 3), z=2.0, t=0.05)
    measured = g.model().measures.get(room, "clear_height")
    assert measured.value == pytest.approx(2.2)
    assert measured.source == "geometry: lowest ceiling covering over the space − bottom of the space body"


def test_clear_height_is_measured_from_the_finished_floor() -> None:
    g = GeometryBuilder()
    room = g.space("Rum", rectangle(0, 0, 4, 3), height=2.7)
    _covering(g, "CEILING", rectangle(0, 0, 4, 3), z=2.4, t=0.05)
    _covering(g, "FLOORING", rectangle(0, 0, 4, 3), z=0.0, t=0.03)  # 3 cm of parquet
    declared = g.space("Declared", rectangle(10, 0, 14, 3), height=2.7)
    _covering(g, "CEILING", rectangle(10, 0, 14, 3), z=2.5, t=0.05)
    g.builder.qto(declared, "Qto_SpaceBaseQuantities", {"FinishFloorHeight": 0.1})
    model = g.model()
    measured = model.measures.get(room, "clear_height")
    assert measured.value == pytest.approx(2.4 - 0.03)
    assert (
        measured.source == "geometry: lowest ceiling covering over the space − top of the flooring covering"
    )
    measured = model.measures.get(declared, "clear_height", "geometry")
    assert measured.value == pytest.approx(2.5 - 0.1)
    assert "FinishFloorHeight" in (measured.source or "")


def test_without_a_ceiling_the_clear_height_is_the_body_height_and_says_so() -> None:
    g = GeometryBuilder()
    room = g.space("Rum", rectangle(0, 0, 4, 3), height=2.6)
    measured = g.model().measures.get(room, "clear_height")
    assert measured.value == pytest.approx(2.6)
    assert measured.source == (
        "geometry: top of the space body − bottom of the space body (no ceiling covering over the space)"
    )


def test_a_space_on_an_upper_storey_measures_from_its_own_floor() -> None:
    g = GeometryBuilder(storeys=("Plan 1", "Plan 2"), elevations=(0.0, 3.0))
    upper = g.space("Uppe", rectangle(0, 0, 4, 3), z=3.0, height=2.5, storey="Plan 2")
    _covering(g, "CEILING", rectangle(0, 0, 4, 3), z=2.4, t=0.05)  # the ceiling of the room below
    _covering(g, "CEILING", rectangle(0, 0, 4, 3), z=5.35, t=0.05)
    model = g.model()
    assert model.measures.get(upper, "clear_height").value == pytest.approx(2.35)
    assert model.measures.get(upper, "net_floor_area").value == pytest.approx(12.0)
