"""Door and window measures: overall sizes, door clear width, glazed area, sill height.

Doors and windows are built in the test; expected values are hand calculations from the
sizes and properties the test declares, written beside each assertion.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid
import pytest

from tests.geometry_builders import GeometryBuilder, rectangle

SCHEMAS = [("IFC4", "METRE"), ("IFC4", "MILLIMETRE"), ("IFC2X3", "MILLIMETRE")]


def _door(g: GeometryBuilder, width: float = 1.0, angle_wall: bool = False) -> ifcopenshell.entity_instance:
    end = (0.0, 4.0) if angle_wall else (4.0, 0.0)
    wall = g.wall("W", (0.0, 0.0), end)
    return g.door("D", wall, at=1.0, width=width, height=2.1)


def _length(g: GeometryBuilder, metres: float) -> ifcopenshell.entity_instance:
    return g.file.create_entity("IfcPositiveLengthMeasure", metres * g.per_metre)


def _style(
    g: GeometryBuilder, door: ifcopenshell.entity_instance, *sets: ifcopenshell.entity_instance
) -> None:
    """Type the door with a door type (IFC4) or door style (IFC2X3) carrying the predefined sets."""
    if g.schema == "IFC2X3":
        g.builder.typed(
            door,
            "IfcDoorStyle",
            "Typ",
            HasPropertySets=sets,
            OperationType="SINGLE_SWING_LEFT",
            ConstructionType="WOOD",
            ParameterTakesPrecedence=False,
            Sizeable=False,
        )
    else:
        g.builder.typed(
            door,
            "IfcDoorType",
            "Typ",
            HasPropertySets=sets,
            PredefinedType="DOOR",
            OperationType="SINGLE_SWING_LEFT",
        )


def _lining(g: GeometryBuilder, thickness: float) -> ifcopenshell.entity_instance:
    k = g.per_metre
    return g.builder.create(
        "IfcDoorLiningProperties", "Karm", LiningThickness=thickness * k, LiningDepth=0.1 * k
    )


def _panel(
    g: GeometryBuilder, operation: str, position: str, ratio: float | None, depth: float | None = 0.04
) -> ifcopenshell.entity_instance:
    return g.builder.create(
        "IfcDoorPanelProperties",
        f"Blad {position}",
        PanelOperation=operation,
        PanelPosition=position,
        PanelWidth=ratio,
        PanelDepth=None if depth is None else depth * g.per_metre,
    )


# --- overall sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_overall_width_and_height_come_from_the_attributes_in_metres(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    door = _door(g, width=0.9)
    model = g.model()
    width = model.measures.get(door, "overall_width")
    assert (width.value, width.unit, width.source) == (
        pytest.approx(0.9),
        "m",
        "property: IfcDoor.OverallWidth",
    )
    height = model.measures.get(door, "overall_height")
    assert (height.value, height.source) == (pytest.approx(2.1), "property: IfcDoor.OverallHeight")


def test_without_attributes_the_base_quantity_then_the_geometry_gives_the_overall_size() -> None:
    g = GeometryBuilder("IFC4", "MILLIMETRE")
    quantified = _door(g, width=0.9)
    quantified.OverallWidth = quantified.OverallHeight = None
    g.builder.qto(quantified, "Qto_DoorBaseQuantities", {"Width": 910.0, "Height": 2110.0})
    wall = g.wall("W2", (10.0, 0.0), (10.0, 4.0))  # along Y: the door's X axis turns with it
    bare = g.door("D2", wall, at=1.0, width=0.8, height=2.0)
    bare.OverallWidth = bare.OverallHeight = None
    model = g.model()
    width = model.measures.get(quantified, "overall_width")
    assert (width.value, width.source) == (pytest.approx(0.91), "property: Qto_DoorBaseQuantities.Width")
    width = model.measures.get(bare, "overall_width")
    assert width.value == pytest.approx(0.8)
    assert width.source is not None
    assert width.source.startswith("geometry: extent of the body along its width axis")
    assert model.measures.get(bare, "overall_height").value == pytest.approx(2.0)
    # source=geometry skips the attribute even when it is there
    g2 = GeometryBuilder()
    declared = _door(g2, width=0.9)
    declared.OverallWidth = 5.0
    assert g2.model().measures.get(declared, "overall_width", "geometry").value == pytest.approx(0.9)


# --- door clear width ------------------------------------------------------------------------


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_a_declared_clear_width_is_taken_under_its_swedish_or_english_name(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    door = _door(g)
    g.builder.pset(door, "SE_Dörr", {"FriBredd": _length(g, 0.80)})
    other = _door(g)
    # two declared values: the smaller one counts
    g.builder.pset(other, "Tillgänglighet", {"Fri bredd": _length(g, 0.79)})
    g.builder.pset(other, "Custom", {"Clear_Width": _length(g, 0.82)})
    model = g.model()
    measured = model.measures.get(door, "clear_width")
    assert (measured.value, measured.source) == (pytest.approx(0.80), "property: SE_Dörr.FriBredd")
    measured = model.measures.get(other, "clear_width")
    assert (measured.value, measured.source) == (pytest.approx(0.79), "property: Tillgänglighet.Fri bredd")


def test_a_clear_width_typed_as_a_bare_number_is_not_taken_as_metres() -> None:
    g = GeometryBuilder("IFC4", "MILLIMETRE")
    door = _door(g)
    g.builder.pset(door, "Custom", {"ClearWidth": g.file.create_entity("IfcReal", 800.0)})
    measured = g.model().measures.get(door, "clear_width")
    assert measured.value is None


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_clear_width_from_lining_and_leaf_of_a_single_swing_door(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    door = _door(g, width=1.0)
    _style(g, door, _lining(g, 0.05), _panel(g, "SWINGING", "MIDDLE", 1.0))
    measured = g.model().measures.get(door, "clear_width")
    # 1.0 overall − 2 × 0.05 lining − 0.04 leaf standing in the opening at 90°
    assert measured.value == pytest.approx(0.86)
    assert measured.source == (
        "property: (IfcDoor.OverallWidth − 2 × IfcDoorLiningProperties.LiningThickness)"
        " − IfcDoorPanelProperties.PanelDepth"
    )


def test_clear_width_of_a_double_door_is_its_widest_leaf_opened_alone() -> None:
    g = GeometryBuilder()
    door = _door(g, width=1.5)
    lining, left, right = (
        _lining(g, 0.05),
        _panel(g, "SWINGING", "LEFT", 0.6),
        _panel(g, "SWINGING", "RIGHT", 0.4),
    )
    # IFC4 lets the occurrence carry its own predefined sets
    g.file.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [door], lining)
    for panel in (left, right):
        g.file.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [door], panel)
    measured = g.model().measures.get(door, "clear_width")
    # (1.5 − 2 × 0.05) × 0.6 − 0.04
    assert measured.value == pytest.approx(0.80)
    assert "PanelWidth 0.6" in (measured.source or "")


def test_sliding_leaves_share_the_opening_and_do_not_stand_in_it() -> None:
    g = GeometryBuilder()
    door = _door(g, width=2.0)
    _style(g, door, _lining(g, 0.05), _panel(g, "SLIDING", "LEFT", None), _panel(g, "SLIDING", "RIGHT", None))
    measured = g.model().measures.get(door, "clear_width")
    assert measured.value == pytest.approx((2.0 - 0.1) / 2)  # two leaves without a declared share


def test_a_lining_without_panels_gives_the_width_between_the_linings_and_says_the_leaf_is_not_deducted() -> (
    None
):
    g = GeometryBuilder()
    door = _door(g, width=0.9)
    _style(g, door, _lining(g, 0.04))
    measured = g.model().measures.get(door, "clear_width")
    assert measured.value == pytest.approx(0.82)
    assert "leaf not deducted" in (measured.source or "")


def test_a_leaf_without_a_declared_thickness_is_not_deducted_and_the_source_says_so() -> None:
    g = GeometryBuilder()
    door = _door(g, width=0.9)
    _style(g, door, _lining(g, 0.04), _panel(g, "SWINGING", "MIDDLE", 1.0, depth=None))
    measured = g.model().measures.get(door, "clear_width")
    assert measured.value == pytest.approx(0.82)
    assert "leaf thickness not declared" in (measured.source or "")


def test_a_door_with_only_its_overall_width_needs_a_deduction_from_the_requirement() -> None:
    g = GeometryBuilder()
    door = _door(g, width=0.9)
    model = g.model()
    unknown = model.measures.get(door, "clear_width")
    assert unknown.value is None
    assert "only an upper bound" in (unknown.reason or "")
    assert "0.900" in (unknown.reason or "")
    estimated = model.measures.get(door, "clear_width", arguments={"deduction": "0.13"})
    assert estimated.value == pytest.approx(0.77)
    assert estimated.source == (
        "property: IfcDoor.OverallWidth − 0.13 m (deduction stated by the requirement for frame and leaf)"
    )
    # the door's geometry is no source for a clear width
    refused = model.measures.get(door, "clear_width", "geometry")
    assert refused.value is None
    assert refused.reason == "clear_width cannot be taken from geometry"


def test_a_malformed_argument_is_an_error_in_the_requirement() -> None:
    g = GeometryBuilder()
    door = _door(g)
    with pytest.raises(ValueError, match="deduction"):
        g.model().measures.get(door, "clear_width", arguments={"deduction": "a little"})


# --- windows ---------------------------------------------------------------------------------


def test_glazed_area_is_the_glazing_fraction_of_the_window_area() -> None:
    g = GeometryBuilder("IFC4", "MILLIMETRE")
    wall = g.wall("W", (0, 0), (6, 0))
    with_qto = g.window("A", wall, at=0.5, width=1.2, height=1.2)
    g.builder.pset(with_qto, "Pset_WindowCommon", {"GlazingAreaFraction": 0.7})
    g.builder.qto(with_qto, "Qto_WindowBaseQuantities", {"Area": 2.0})
    from_size = g.window("B", wall, at=2.5, width=1.2, height=1.5)
    g.builder.pset(from_size, "Pset_WindowCommon", {"GlazingAreaFraction": 0.7})
    model = g.model()
    measured = model.measures.get(with_qto, "glazed_area")
    assert measured.value == pytest.approx(0.7 * 2.0)
    assert measured.source == (
        "property: Pset_WindowCommon.GlazingAreaFraction × Qto_WindowBaseQuantities.Area"
    )
    measured = model.measures.get(from_size, "glazed_area")
    assert measured.value == pytest.approx(0.7 * 1.2 * 1.5)
    assert measured.source == (
        "property: Pset_WindowCommon.GlazingAreaFraction × IfcWindow.OverallWidth × OverallHeight"
    )


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_without_a_usable_fraction_the_glass_panes_give_the_glazed_area(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    wall = g.wall("W", (0, 0), (6, 0))
    window = g.window("A", wall, at=0.5, width=1.2, height=1.5, frame=0.1)
    # Revit writes the property's own name as a label: no number, no fraction
    g.builder.pset(window, "PSet_Revit_Type_Other", {"GlazingAreaFraction": "GlazingAreaFraction"})
    opaque = g.window("B", wall, at=3.0, glass=False)
    model = g.model()
    measured = model.measures.get(window, "glazed_area")
    assert measured.value == pytest.approx((1.2 - 0.2) * (1.5 - 0.2))
    assert measured.source == "geometry: glass faces (transparent surface style) seen face-on"
    unknown = model.measures.get(opaque, "glazed_area")
    assert unknown.reason == "no glass in the window's geometry (no transparent surface style)"
    assert model.measures.get(window, "glazed_area", "property").value is None


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_sill_height_is_the_window_bottom_above_its_storey(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit, storeys=("Plan 1", "Plan 2"), elevations=(0.0, 3.1))
    wall = g.element(
        "IfcWall", "W", rectangle(0, -0.1, 6, 0.1), height=2.5, storey="Plan 2", origin=(0, 0, 3.1)
    )
    low = g.window("Low", wall, at=0.5, sill=0.45)
    # the builder contains it in Plan 1: move it to Plan 2
    ifcopenshell.api.run(
        "spatial.assign_container", g.file, relating_structure=g.storeys["Plan 2"], products=[low]
    )
    measured = g.model().measures.get(low, "sill_height")
    assert measured.value == pytest.approx(0.45)
    assert measured.source == "geometry: bottom of the window − storey elevation (storey placement)"


def test_a_window_on_no_storey_has_no_sill_height() -> None:
    g = GeometryBuilder()
    window = g.builder.create("IfcWindow", "Lös")
    g.place(window, (0, 0, 1))
    g.extrude(window, rectangle(0, 0, 1, 0.1), 1.0)
    measured = g.model().measures.get(window, "sill_height")
    assert measured.reason == "the window is on no storey"
