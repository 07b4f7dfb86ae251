"""Property facet: property and quantity sets, data types, SI units, and type inheritance."""

from __future__ import annotations

import ifcopenshell.guid
import pytest

from bimcheck.rules.facets import OPTIONAL, PROHIBITED, REQUIRED, Check, Match, PropertyFacet, satisfied
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder


def prop(
    pset: str | ValueSpec,
    name: str | ValueSpec,
    value: str | ValueSpec | None = None,
    data_type: str | None = None,
    cardinality: str = REQUIRED,
) -> PropertyFacet:
    def spec(v: str | ValueSpec) -> ValueSpec:
        return v if isinstance(v, ValueSpec) else ValueSpec(simple=v)

    return PropertyFacet(
        property_set=spec(pset),
        base_name=spec(name),
        value=None if value is None else spec(value),
        data_type=data_type,
        cardinality=cardinality,
    )


def check(facet: PropertyFacet, builder: ModelBuilder, element) -> Check:
    return facet.check(builder.model(), element)


def raw_pset(builder: ModelBuilder, element, name: str, *properties):
    """A property set holding exactly the given property entities (null values included)."""
    return define(builder, element, builder.file.createIfcPropertySet(guid(), None, name, None, properties))


def define(builder: ModelBuilder, element, definition):
    builder.file.createIfcRelDefinesByProperties(guid(), None, None, None, (element,), definition)
    return definition


def guid() -> str:
    return ifcopenshell.guid.new()  # these tests never name the sets by GlobalId


def single(builder: ModelBuilder, name: str, value=None):
    return builder.file.createIfcPropertySingleValue(name, None, value, None)


@pytest.fixture
def wall_builder() -> tuple[ModelBuilder, object]:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.pset(wall, "Pset_WallCommon", {"IsExternal": True, "FireRating": "EI 60"})
    return builder, wall


# --- presence ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_a_property_with_a_value_passes(schema: str) -> None:
    builder = ModelBuilder(schema)
    wall = builder.element("IfcWall", "W")
    builder.pset(wall, "Pset_WallCommon", {"FireRating": "EI 60"})
    result = check(prop("Pset_WallCommon", "FireRating"), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == "Pset_WallCommon.FireRating = EI 60 (IFCLABEL)"
    assert result.source == "property: Pset_WallCommon.FireRating"
    assert result.value == "EI 60"


def test_a_missing_property_set_is_absent(wall_builder) -> None:
    builder, wall = wall_builder
    result = check(prop("Pset_Other", "FireRating"), builder, wall)
    assert result.match is Match.ABSENT
    assert result.observed == "not found"


def test_a_missing_property_in_a_present_set_is_absent(wall_builder) -> None:
    builder, wall = wall_builder
    assert check(prop("Pset_WallCommon", "AcousticRating"), builder, wall).match is Match.ABSENT


def test_property_set_and_property_names_are_case_sensitive(wall_builder) -> None:
    builder, wall = wall_builder
    assert check(prop("pset_wallcommon", "FireRating"), builder, wall).match is Match.ABSENT
    assert check(prop("Pset_WallCommon", "firerating"), builder, wall).match is Match.ABSENT


def test_a_null_property_value_is_absent() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    raw_pset(builder, wall, "Pset_WallCommon", single(builder, "FireRating"))
    result = check(prop("Pset_WallCommon", "FireRating"), builder, wall)
    assert result.match is Match.ABSENT
    assert result.observed == "Pset_WallCommon.FireRating = null"


def test_an_empty_string_property_fails() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    raw_pset(builder, wall, "Pset_WallCommon", single(builder, "FireRating", builder.file.createIfcLabel("")))
    result = check(prop("Pset_WallCommon", "FireRating"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "empty_value"


@pytest.mark.parametrize(
    ("value", "cardinality", "satisfied_"),
    [
        ("EI 60", REQUIRED, True),
        (None, REQUIRED, False),
        ("", REQUIRED, False),
        ("missing", REQUIRED, False),
        ("EI 60", OPTIONAL, True),
        (None, OPTIONAL, True),  # null is as good as absent
        ("missing", OPTIONAL, True),
        ("", OPTIONAL, False),  # an empty string is a wrong value, not an absent one
        ("EI 30", OPTIONAL, False),  # present with the wrong value
        ("EI 60", PROHIBITED, False),
        (None, PROHIBITED, True),
        ("missing", PROHIBITED, True),
        ("EI 30", PROHIBITED, True),  # prohibited "EI 60": any other value is fine
    ],
)
def test_cardinality_distinguishes_present_null_empty_and_missing(
    value: str | None, cardinality: str, satisfied_: bool
) -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    if value != "missing":
        nominal = None if value is None else builder.file.createIfcLabel(value)
        raw_pset(builder, wall, "Pset_WallCommon", single(builder, "FireRating", nominal))
    facet = prop("Pset_WallCommon", "FireRating", "EI 60", cardinality=cardinality)
    assert satisfied(cardinality, check(facet, builder, wall)) is satisfied_


# --- values and data types -----------------------------------------------------------------


def test_property_values_are_compared_case_sensitively(wall_builder) -> None:
    builder, wall = wall_builder
    assert check(prop("Pset_WallCommon", "FireRating", "EI 60"), builder, wall).match is Match.PASS
    result = check(prop("Pset_WallCommon", "FireRating", "ei 60"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "value_mismatch"


def test_a_boolean_property_matches_lowercase_true(wall_builder) -> None:
    builder, wall = wall_builder
    assert check(prop("Pset_WallCommon", "IsExternal", "true"), builder, wall).match is Match.PASS
    assert check(prop("Pset_WallCommon", "IsExternal", "TRUE"), builder, wall).match is Match.FAIL
    assert check(prop("Pset_WallCommon", "IsExternal", "false"), builder, wall).match is Match.FAIL


def test_a_matching_data_type_passes_and_another_fails(wall_builder) -> None:
    builder, wall = wall_builder
    assert (
        check(prop("Pset_WallCommon", "FireRating", data_type="IFCLABEL"), builder, wall).match is Match.PASS
    )
    result = check(prop("Pset_WallCommon", "FireRating", data_type="IFCTEXT"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "data_type_mismatch"
    assert "(IFCLABEL)" in (result.observed or "")  # says which type it found


def test_a_real_property_is_compared_with_the_ids_tolerance() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.pset(wall, "Pset_WallCommon", {"ThermalTransmittance": 0.18})
    # tolerance of 0.18: 0.18e-6 + 1e-6 = 1.18e-6 → 0.1800011 matches, 0.1800012 does not
    wall_u = prop("Pset_WallCommon", "ThermalTransmittance", data_type="IFCTHERMALTRANSMITTANCEMEASURE")
    assert check(wall_u, builder, wall).match is Match.PASS
    assert (
        check(prop("Pset_WallCommon", "ThermalTransmittance", "0.1800011"), builder, wall).match is Match.PASS
    )
    assert (
        check(prop("Pset_WallCommon", "ThermalTransmittance", "0.1800012"), builder, wall).match is Match.FAIL
    )
    assert (
        check(
            prop("Pset_WallCommon", "ThermalTransmittance", ValueSpec(max_inclusive="0.18")), builder, wall
        ).match
        is Match.PASS
    )


def test_an_integer_property_is_compared_after_casting_the_ids_value() -> None:
    builder = ModelBuilder()
    stair = builder.element("IfcStairFlight", "S")
    builder.pset(stair, "Pset_StairFlightCommon", {"NumberOfRiser": 16})
    assert check(prop("Pset_StairFlightCommon", "NumberOfRiser", "16"), builder, stair).match is Match.PASS
    assert check(prop("Pset_StairFlightCommon", "NumberOfRiser", "17"), builder, stair).match is Match.FAIL


def test_a_length_property_of_2400_mm_meets_a_requirement_of_2_4_m() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    space = builder.create("IfcSpace", "Sovrum")
    builder.pset(space, "Pset_Custom", {"ClearHeight": builder.file.createIfcLengthMeasure(2400.0)})
    result = check(prop("Pset_Custom", "ClearHeight", ValueSpec(min_inclusive="2.4")), builder, space)
    assert result.match is Match.PASS
    assert result.value == pytest.approx(2.4)
    assert result.unit == "m"
    assert check(prop("Pset_Custom", "ClearHeight", "2400"), builder, space).match is Match.FAIL


def test_enumerated_and_list_properties_pass_if_any_value_matches() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    labels = [builder.file.createIfcLabel(v) for v in ("EI 30", "EI 60")]
    raw_pset(
        builder,
        wall,
        "Pset_Custom",
        builder.file.createIfcPropertyEnumeratedValue("Class", None, labels[1:], None),
        builder.file.createIfcPropertyListValue("Ratings", None, labels, None),
    )
    assert check(prop("Pset_Custom", "Class", "EI 60"), builder, wall).match is Match.PASS
    assert check(prop("Pset_Custom", "Class", "EI 30"), builder, wall).match is Match.FAIL
    assert check(prop("Pset_Custom", "Ratings", "EI 30"), builder, wall).match is Match.PASS
    assert check(prop("Pset_Custom", "Ratings", "EI 90"), builder, wall).match is Match.FAIL


def test_a_complex_property_cannot_be_checked_and_fails() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    inner = single(builder, "Inner", builder.file.createIfcLabel("x"))
    raw_pset(
        builder,
        wall,
        "Pset_Custom",
        builder.file.createIfcComplexProperty("Layered", None, "Usage", (inner,)),
    )
    result = check(prop("Pset_Custom", "Layered"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "unsupported_property"


def test_every_matching_property_set_must_hold_the_property() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.pset(wall, "Pset_A", {"FireRating": "EI 60"})
    builder.pset(wall, "Pset_B", {"Other": "x"})
    result = check(prop(ValueSpec(patterns=("Pset_.*",)), "FireRating"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "missing_in_some_property_sets"
    assert "Pset_B has no FireRating" in (result.observed or "")
    assert check(prop(ValueSpec(simple="Pset_A"), "FireRating"), builder, wall).match is Match.PASS


def test_property_names_can_be_restricted_by_pattern() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.pset(wall, "Pset_Custom", {"FireRating": "EI 60", "FireResistance": "EI 60"})
    assert (
        check(prop("Pset_Custom", ValueSpec(patterns=("Fire.*",)), "EI 60"), builder, wall).match
        is Match.PASS
    )
    builder.pset(wall, "Pset_Custom2", {"FireX": "EI 30"})
    assert (
        check(prop("Pset_Custom2", ValueSpec(patterns=("Fire.*",)), "EI 60"), builder, wall).match
        is Match.FAIL
    )


# --- quantities ----------------------------------------------------------------------------


def test_quantities_are_properties_with_measure_data_types() -> None:
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Kök")
    builder.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": 12.5, "Height": 2.5})
    area = prop(
        "Qto_SpaceBaseQuantities", "NetFloorArea", ValueSpec(min_inclusive="10"), data_type="IFCAREAMEASURE"
    )
    assert check(area, builder, space).match is Match.PASS
    assert check(
        prop("Qto_SpaceBaseQuantities", "Height", data_type="IFCLENGTHMEASURE"), builder, space
    ).match is (Match.PASS)
    assert check(
        prop("Qto_SpaceBaseQuantities", "NetFloorArea", data_type="IFCREAL"), builder, space
    ).match is (Match.FAIL)


def test_count_quantities_have_the_count_data_type() -> None:
    builder = ModelBuilder()
    stair = builder.element("IfcStairFlight", "S")
    count = builder.file.createIfcQuantityCount("Risers", None, None, 16.0)
    define(
        builder,
        stair,
        builder.file.createIfcElementQuantity(guid(), None, "Qto_Custom", None, None, (count,)),
    )
    assert (
        check(prop("Qto_Custom", "Risers", "16", data_type="IFCCOUNTMEASURE"), builder, stair).match
        is Match.PASS
    )


def test_area_quantities_in_a_square_millimetre_model_are_read_in_square_metres() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    builder.set_unit(builder.file.createIfcSIUnit(None, "AREAUNIT", "MILLI", "SQUARE_METRE"))
    space = builder.create("IfcSpace", "Sovrum")
    builder.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": 9_500_000.0, "Height": 2400.0})
    # 9 500 000 mm² · 1e-6 = 9.5 m²; 2400 mm = 2.4 m.
    assert check(prop("Qto_SpaceBaseQuantities", "NetFloorArea", "9.5"), builder, space).match is Match.PASS
    assert check(prop("Qto_SpaceBaseQuantities", "Height", "2.4"), builder, space).match is Match.PASS
    result = check(
        prop("Qto_SpaceBaseQuantities", "NetFloorArea", ValueSpec(min_inclusive="10")), builder, space
    )
    assert result.match is Match.FAIL
    assert result.observed == "Qto_SpaceBaseQuantities.NetFloorArea = 9.5 (IFCAREAMEASURE)"


# --- type inheritance ----------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4"])
def test_an_occurrence_inherits_the_property_sets_of_its_type(schema: str) -> None:
    builder = ModelBuilder(schema)
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    builder.pset(wall_type, "Pset_WallCommon", {"FireRating": "EI 60"})
    assert check(prop("Pset_WallCommon", "FireRating", "EI 60"), builder, wall).match is Match.PASS


def test_an_occurrence_overrides_its_types_properties_one_by_one() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    builder.pset(wall_type, "Pset_WallCommon", {"FireRating": "EI 30", "IsExternal": True})
    builder.pset(wall, "Pset_WallCommon", {"FireRating": "EI 60"})
    # FireRating comes from the occurrence; IsExternal, absent there, still from the type.
    assert check(prop("Pset_WallCommon", "FireRating", "EI 60"), builder, wall).match is Match.PASS
    assert check(prop("Pset_WallCommon", "FireRating", "EI 30"), builder, wall).match is Match.FAIL
    assert check(prop("Pset_WallCommon", "IsExternal", "true"), builder, wall).match is Match.PASS


def test_a_type_object_has_its_own_property_sets_but_not_its_occurrences() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    builder.pset(wall, "Pset_WallCommon", {"FireRating": "EI 60"})
    assert check(prop("Pset_WallCommon", "FireRating"), builder, wall_type).match is Match.ABSENT


def test_predefined_property_sets_expose_their_attributes_as_properties() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    door = builder.element("IfcDoor", "D")
    door_type = builder.typed(door, "IfcDoorType", "DT")
    door_type.HasPropertySets = (
        builder.file.createIfcDoorLiningProperties(guid(), None, "Lining", None, LiningDepth=120.0),
    )
    # 120 mm = 0.12 m, inherited from the type.
    result = check(prop("Lining", "LiningDepth", "0.12"), builder, door)
    assert result.match is Match.PASS


def test_candidates_are_elements_with_property_sets_of_their_own_or_their_types() -> None:
    builder = ModelBuilder()
    own = builder.element("IfcWall", "Own")
    builder.pset(own, "Pset_WallCommon", {"FireRating": "EI 60"})
    inherited = builder.element("IfcWall", "Inherited")
    builder.pset(builder.typed(inherited, "IfcWallType", "WT"), "Pset_WallCommon", {"FireRating": "EI 60"})
    builder.element("IfcWall", "None")
    found = {e.GlobalId for e in prop("Pset_WallCommon", "FireRating").candidates(builder.model())}
    assert {own.GlobalId, inherited.GlobalId} <= found
    assert all(e.Name != "None" for e in prop("Pset_WallCommon", "FireRating").candidates(builder.model()))


# --- values shared between sets (the reading done once per distinct value) -------------------


def test_equal_values_in_different_sets_are_read_as_one_property() -> None:
    builder = ModelBuilder()
    walls = [builder.element("IfcWall", f"W{i}") for i in range(3)]
    for wall in walls:  # three sets of their own, each holding EI 60
        builder.pset(wall, "Pset_WallCommon", {"FireRating": "EI 60"})
    model = builder.model()
    found = [model.properties.psets(w)["Pset_WallCommon"]["FireRating"] for w in walls]
    assert found[0] is found[1] is found[2]
    assert found[0].values[0].value == "EI 60"


@pytest.mark.parametrize(
    ("first", "second", "shown"),
    [
        # Equal in Python, not in a report: each element must show what its own set holds.
        (("IfcReal", 0.0), ("IfcReal", -0.0), ("0.0", "-0.0")),
        (("IfcInteger", 1), ("IfcReal", 1.0), ("1 (IFCINTEGER)", "1.0 (IFCREAL)")),
        (("IfcBoolean", True), ("IfcInteger", 1), ("true (IFCBOOLEAN)", "1 (IFCINTEGER)")),
        (("IfcLabel", "x"), ("IfcText", "x"), ("(IFCLABEL)", "(IFCTEXT)")),
    ],
)
def test_values_equal_in_python_but_not_in_ifc_are_read_apart(first, second, shown) -> None:
    builder = ModelBuilder()
    a = builder.element("IfcWall", "A")
    b = builder.element("IfcWall", "B")
    raw_pset(builder, a, "Pset_X", single(builder, "P", builder.file.create_entity(*first)))
    raw_pset(builder, b, "Pset_X", single(builder, "P", builder.file.create_entity(*second)))
    model = builder.model()
    facet = prop("Pset_X", "P")
    observed = [facet.check(model, e).observed for e in (a, b)]
    assert shown[0] in observed[0], observed
    assert shown[1] in observed[1], observed
    assert observed[0] != observed[1]


def test_an_applicability_lists_exactly_the_elements_its_check_passes() -> None:
    """matching() decides on step ids; it must agree with check() on every candidate."""
    builder = ModelBuilder()
    typed = builder.typed(builder.element("IfcWall", "Typed"), "IfcWallType", "WT")
    builder.pset(typed, "Pset_WallCommon", {"IsExternal": True})
    builder.pset(builder.element("IfcWall", "Own"), "Pset_WallCommon", {"IsExternal": True})
    builder.pset(builder.element("IfcWall", "Internal"), "Pset_WallCommon", {"IsExternal": False})
    builder.pset(builder.element("IfcSlab", "Other set"), "Pset_SlabCommon", {"IsExternal": True})
    builder.element("IfcWall", "Bare")
    model = builder.model()
    facet = prop(ValueSpec(patterns=("Pset_.*Common",)), "IsExternal", "true")
    everything = model.file.by_type("IfcRoot")
    by_check = sorted(e.id() for e in everything if facet.check(model, e).match is Match.PASS)
    assert sorted(e.id() for e in facet.matching(model)) == by_check
    # By hand: the typed wall, the type itself, the wall with its own set, and the slab.
    assert {model.file.by_id(i).Name for i in by_check} == {"Typed", "WT", "Own", "Other set"}


def test_a_facet_sees_a_types_sets_of_one_name_as_psets_does() -> None:
    """A type with two sets of one name (door lining and panel sets exported so): the named
    lookup a facet makes must find what psets() finds, the type's last set of that name."""
    builder = ModelBuilder()
    door = builder.element("IfcDoor", "D")
    door_type = builder.typed(door, "IfcDoorType", "DT")
    f = builder.file
    first = f.createIfcPropertySet(
        guid(), None, "Pset_DoorCommon", None, (single(builder, "FireRating", f.createIfcLabel("EI 30")),)
    )
    second = f.createIfcPropertySet(
        guid(), None, "Pset_DoorCommon", None, (single(builder, "IsExternal", f.createIfcBoolean(True)),)
    )
    door_type.HasPropertySets = (first, second)
    model = builder.model()
    assert set(model.properties.psets(door)["Pset_DoorCommon"]) == {"IsExternal"}  # the last one
    seen = model.properties.psets(door)["Pset_DoorCommon"]
    for name in ("FireRating", "IsExternal"):
        found = prop("Pset_DoorCommon", name).check(model, door).match is not Match.ABSENT
        assert found == (name in seen), name
