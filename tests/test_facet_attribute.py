"""Attribute facet: explicit IFC attributes, their values in SI units, and null vs empty."""

from __future__ import annotations

import pytest

from bimcheck.rules.facets import OPTIONAL, PROHIBITED, REQUIRED, AttributeFacet, Check, Match, satisfied
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder


def attribute(name: str | ValueSpec, value: str | ValueSpec | None = None) -> AttributeFacet:
    def spec(v: str | ValueSpec) -> ValueSpec:
        return v if isinstance(v, ValueSpec) else ValueSpec(simple=v)

    return AttributeFacet(name=spec(name), value=None if value is None else spec(value))


def check(facet: AttributeFacet, builder: ModelBuilder, element) -> Check:
    return facet.check(builder.model(), element)


# --- presence ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_an_attribute_with_a_value_passes(schema: str) -> None:
    builder = ModelBuilder(schema)
    wall = builder.element("IfcWall", "Yttervägg")
    result = check(attribute("Name"), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == "Name = Yttervägg"
    assert result.source == "attribute: Name"


def test_an_attribute_the_class_does_not_have_is_absent() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    result = check(attribute("Rabbit"), builder, wall)
    assert result.match is Match.ABSENT
    assert result.reason == "no_such_attribute"


def test_a_null_attribute_is_absent_not_failed() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")  # Description is $
    result = check(attribute("Description"), builder, wall)
    assert result.match is Match.ABSENT
    assert result.observed == "null"


def test_an_empty_string_is_a_failure_not_an_absence() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", Description="")
    result = check(attribute("Description"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "empty_value"
    assert result.observed == "empty"


def test_a_logical_unknown_counts_as_empty() -> None:
    builder = ModelBuilder()
    layer = builder.file.createIfcMaterialLayer(LayerThickness=0.2, IsVentilated="UNKNOWN")
    assert check(attribute("IsVentilated"), builder, layer).match is Match.FAIL


def test_an_empty_list_counts_as_empty() -> None:
    builder = ModelBuilder()
    rel = builder.file.createIfcRelAggregates(
        GlobalId="1xS3BCk291UvhgP2dvNsgp", RelatingObject=builder.building, RelatedObjects=()
    )
    assert check(attribute("RelatedObjects"), builder, rel).match is Match.FAIL


def test_an_attribute_referencing_an_object_passes_when_no_value_is_required() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall.ObjectPlacement = builder.file.createIfcLocalPlacement()
    assert check(attribute("ObjectPlacement"), builder, wall).match is Match.PASS
    # …but an object never equals a value.
    assert check(attribute("ObjectPlacement", "x"), builder, wall).match is Match.FAIL


# --- cardinality ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "cardinality", "satisfied_"),
    [
        ("Ytterväggar", REQUIRED, True),
        (None, REQUIRED, False),
        ("", REQUIRED, False),
        ("Ytterväggar", OPTIONAL, True),
        (None, OPTIONAL, True),  # an optional attribute passes if null
        ("", OPTIONAL, False),  # …but fails if empty
        ("Ytterväggar", PROHIBITED, False),
        (None, PROHIBITED, True),
        ("", PROHIBITED, True),  # an empty string is no value
    ],
)
def test_cardinality_distinguishes_null_from_the_empty_string(
    description: str | None, cardinality: str, satisfied_: bool
) -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", Description=description)
    facet = AttributeFacet(name=ValueSpec(simple="Description"), cardinality=cardinality)
    assert satisfied(cardinality, check(facet, builder, wall)) is satisfied_


def test_an_optional_attribute_with_a_wrong_value_fails() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", Description="Innervägg")
    facet = AttributeFacet(
        name=ValueSpec(simple="Description"), value=ValueSpec(simple="Yttervägg"), cardinality=OPTIONAL
    )
    assert not satisfied(OPTIONAL, check(facet, builder, wall))


# --- values --------------------------------------------------------------------------------


def test_attribute_values_are_compared_case_sensitively() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "Yttervägg")
    assert check(attribute("Name", "Yttervägg"), builder, wall).match is Match.PASS
    result = check(attribute("Name", "yttervägg"), builder, wall)
    assert result.match is Match.FAIL
    assert result.reason == "value_mismatch"
    assert result.observed == "Name = Yttervägg"


def test_globalids_are_compared_as_strings_and_not_expanded() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    assert check(attribute("GlobalId", wall.GlobalId), builder, wall).match is Match.PASS
    assert check(attribute("GlobalId", wall.GlobalId[:-1]), builder, wall).match is Match.FAIL


def test_enumerated_attributes_compare_their_item_name() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", PredefinedType="SOLIDWALL")
    assert check(attribute("PredefinedType", "SOLIDWALL"), builder, wall).match is Match.PASS


def test_a_boolean_attribute_matches_true_and_false() -> None:
    builder = ModelBuilder()
    critical = builder.file.createIfcTaskTime(IsCritical=True)
    relaxed = builder.file.createIfcTaskTime(IsCritical=False)
    assert check(attribute("IsCritical", "true"), builder, critical).match is Match.PASS
    assert check(attribute("IsCritical", "false"), builder, relaxed).match is Match.PASS
    assert check(attribute("IsCritical", "TRUE"), builder, critical).match is Match.FAIL
    assert check(attribute("IsCritical"), builder, relaxed).match is Match.PASS  # false is a value


def test_a_zero_number_is_a_value() -> None:
    builder = ModelBuilder()
    door = builder.element("IfcDoor", "D", OverallWidth=0.0)
    assert check(attribute("OverallWidth"), builder, door).match is Match.PASS
    assert check(attribute("OverallWidth", "0"), builder, door).match is Match.PASS


def test_length_attributes_are_compared_in_metres_in_a_millimetre_model() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    door = builder.element("IfcDoor", "D", OverallWidth=900.0, OverallHeight=2100.0)
    # 900 mm = 0.9 m; the bounds 0.8 ≤ w ≤ 1.2 are in metres as IDS requires.
    assert check(attribute("OverallWidth", "0.9"), builder, door).match is Match.PASS
    assert check(
        attribute("OverallWidth", ValueSpec(min_inclusive="0.8", max_inclusive="1.2")), builder, door
    ).match is (Match.PASS)
    assert check(attribute("OverallWidth", "900"), builder, door).match is Match.FAIL
    result = check(attribute("OverallHeight", ValueSpec(min_inclusive="2.1")), builder, door)
    assert result.match is Match.PASS
    assert result.value == pytest.approx(2.1)


def test_an_integer_attribute_is_compared_as_an_integer() -> None:
    builder = ModelBuilder()
    stair = builder.element("IfcStairFlight", "S", NumberOfRisers=16)
    assert check(attribute("NumberOfRisers", "16"), builder, stair).match is Match.PASS
    assert (
        check(attribute("NumberOfRisers", ValueSpec(max_inclusive="15")), builder, stair).match is Match.FAIL
    )


def test_a_select_holding_a_primitive_compares_the_primitive() -> None:
    builder = ModelBuilder()
    prop = builder.file.createIfcPropertySingleValue("Fire", None, builder.file.createIfcLabel("EI 60"))
    assert check(attribute("NominalValue", "EI 60"), builder, prop).match is Match.PASS


def test_attributes_are_not_inherited_from_the_type() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", Description="Bärande vägg")
    assert check(attribute("Description"), builder, wall).match is Match.ABSENT


def test_an_attribute_name_restriction_checks_every_attribute_it_names() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", Description="W")
    names = ValueSpec(enumeration=("Name", "Description"))
    assert check(attribute(names, "W"), builder, wall).match is Match.PASS
    wall.Description = "Other"
    result = check(attribute(names, "W"), builder, wall)
    assert result.match is Match.FAIL
    assert result.observed == "Name = W, Description = Other"


def test_candidates_are_the_instances_of_classes_having_the_attribute() -> None:
    builder = ModelBuilder()
    door = builder.element("IfcDoor", "D", OverallWidth=0.9)
    builder.element("IfcWall", "W")
    window = builder.element("IfcWindow", "Wi")
    found = {e.GlobalId for e in attribute("OverallWidth").candidates(builder.model())}
    assert found == {door.GlobalId, window.GlobalId}  # the null width is decided by check()
