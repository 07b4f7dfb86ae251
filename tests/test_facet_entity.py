"""Entity facet: exact IFC class, predefined type (own, user-defined, inherited) and IFC2X3 mapping."""

from __future__ import annotations

import pytest

from bimcheck.rules.facets import Check, EntityFacet, Match
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder


def entity(name: str | ValueSpec, predefined: str | ValueSpec | None = None) -> EntityFacet:
    def spec(v: str | ValueSpec) -> ValueSpec:
        return v if isinstance(v, ValueSpec) else ValueSpec(simple=v)

    return EntityFacet(name=spec(name), predefined_type=None if predefined is None else spec(predefined))


def check(facet: EntityFacet, builder: ModelBuilder, element) -> Check:
    return facet.check(builder.model(), element)


def candidates(facet: EntityFacet, builder: ModelBuilder) -> set[str]:
    return {e.GlobalId for e in facet.candidates(builder.model())}


# --- class ---------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_a_matching_entity_should_pass(schema: str) -> None:
    builder = ModelBuilder(schema)
    wall = builder.element("IfcWall", "W")
    result = check(entity("IFCWALL"), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == "IFCWALL"


def test_an_entity_not_matching_the_specified_class_should_fail() -> None:
    builder = ModelBuilder()
    slab = builder.element("IfcSlab", "S")
    result = check(entity("IFCWALL"), builder, slab)
    assert result.match is Match.FAIL
    assert result.observed == "IFCSLAB"  # says what the element is instead


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4"])
def test_subclasses_are_not_considered_as_matching(schema: str) -> None:
    builder = ModelBuilder(schema)
    standard_case = builder.element("IfcWallStandardCase", "W")
    assert check(entity("IFCWALL"), builder, standard_case).match is Match.FAIL
    assert check(entity("IFCWALLSTANDARDCASE"), builder, standard_case).match is Match.PASS
    assert check(entity("IFCBUILDINGELEMENT"), builder, standard_case).match is Match.FAIL


def test_entities_written_in_mixed_case_never_match() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    assert check(entity("IfcWall"), builder, wall).match is Match.FAIL


def test_entities_can_be_specified_as_an_enumeration() -> None:
    builder = ModelBuilder()
    wall, slab, beam = (builder.element(c, c) for c in ("IfcWall", "IfcSlab", "IfcBeam"))
    facet = entity(ValueSpec(enumeration=("IFCWALL", "IFCSLAB")))
    assert check(facet, builder, wall).match is Match.PASS
    assert check(facet, builder, slab).match is Match.PASS
    assert check(facet, builder, beam).match is Match.FAIL
    assert candidates(facet, builder) == {wall.GlobalId, slab.GlobalId}


def test_entities_can_be_specified_as_an_xsd_pattern() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    facet = entity(ValueSpec(patterns=("IFC.*TYPE",)))
    assert check(facet, builder, wall).match is Match.FAIL
    assert check(facet, builder, wall_type).match is Match.PASS
    # The pattern is matched against every class present: the typing relationship is one too.
    assert {e.is_a() for e in facet.candidates(builder.model())} == {"IfcWallType", "IfcRelDefinesByType"}


def test_candidates_are_the_instances_of_exactly_that_class() -> None:
    builder = ModelBuilder()
    walls = {builder.element("IfcWall", f"W{i}").GlobalId for i in range(3)}
    builder.element("IfcWallStandardCase", "SC")
    builder.element("IfcSlab", "S")
    assert candidates(entity("IFCWALL"), builder) == walls
    assert candidates(entity("IFCDOOR"), builder) == set()


# --- predefined type -------------------------------------------------------------------------


def test_a_matching_predefined_type_should_pass() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", PredefinedType="SOLIDWALL")
    result = check(entity("IFCWALL", "SOLIDWALL"), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == "IFCWALL with predefined type SOLIDWALL"


def test_a_null_predefined_type_always_fails_a_specified_predefined_type() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    result = check(entity("IFCWALL", "SOLIDWALL"), builder, wall)
    assert result.match is Match.FAIL
    assert result.observed == "IFCWALL with predefined type None"


def test_an_entity_not_matching_a_specified_predefined_type_fails() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", PredefinedType="PARTITIONING")
    result = check(entity("IFCWALL", "SOLIDWALL"), builder, wall)
    assert result.match is Match.FAIL
    assert "PARTITIONING" in (result.observed or "")


def test_a_predefined_type_must_be_written_in_uppercase() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", PredefinedType="SOLIDWALL")
    assert check(entity("IFCWALL", "solidwall"), builder, wall).match is Match.FAIL


def test_a_predefined_type_may_name_the_user_defined_object_type_case_sensitively() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", PredefinedType="USERDEFINED", ObjectType="Bärande")
    assert check(entity("IFCWALL", "Bärande"), builder, wall).match is Match.PASS
    assert check(entity("IFCWALL", "USERDEFINED"), builder, wall).match is Match.PASS
    assert check(entity("IFCWALL", "BÄRANDE"), builder, wall).match is Match.FAIL


def test_an_object_type_without_userdefined_is_not_a_predefined_type() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W", PredefinedType="SOLIDWALL", ObjectType="Bärande")
    assert check(entity("IFCWALL", "Bärande"), builder, wall).match is Match.FAIL


def test_a_type_object_may_name_its_user_defined_element_type() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT", PredefinedType="USERDEFINED", ElementType="Kalksten")
    assert check(entity("IFCWALLTYPE", "Kalksten"), builder, wall_type).match is Match.PASS


def test_a_process_type_may_name_its_user_defined_process_type() -> None:
    builder = ModelBuilder()
    task_type = builder.create("IfcTaskType", "T", PredefinedType="USERDEFINED", ProcessType="Besiktning")
    assert check(entity("IFCTASKTYPE", "Besiktning"), builder, task_type).match is Match.PASS


def test_an_occurrence_without_predefined_type_inherits_the_type_objects() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", PredefinedType="SHEAR")
    assert check(entity("IFCWALL", "SHEAR"), builder, wall).match is Match.PASS


def test_a_notdefined_occurrence_inherits_the_type_objects_predefined_type() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", PredefinedType="SHEAR")
    wall.PredefinedType = "NOTDEFINED"
    assert check(entity("IFCWALL", "SHEAR"), builder, wall).match is Match.PASS
    assert check(entity("IFCWALL", "NOTDEFINED"), builder, wall).match is Match.FAIL


def test_a_type_objects_predefined_type_governs_its_occurrences() -> None:
    # IDS 1.0 entity facet documentation: the type object's PredefinedType, unless NOTDEFINED,
    # is the element's, whatever the occurrence says (IFC forbids setting both).
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", PredefinedType="SHEAR")
    wall.PredefinedType = "PARTITIONING"  # after typing: type.assign_type clears it
    assert check(entity("IFCWALL", "SHEAR"), builder, wall).match is Match.PASS
    result = check(entity("IFCWALL", "PARTITIONING"), builder, wall)
    assert result.match is Match.FAIL
    assert result.observed == "IFCWALL with predefined type SHEAR"


def test_an_occurrence_predefined_type_applies_when_its_type_is_notdefined() -> None:
    # Official case entity/pass-overridden_predefined_types_should_pass, built here in IFC4.
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", PredefinedType="NOTDEFINED")
    wall.PredefinedType = "USERDEFINED"
    wall.ObjectType = "X"
    assert check(entity("IFCWALL", "X"), builder, wall).match is Match.PASS


def test_a_user_defined_type_object_is_inherited_by_its_occurrences() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", PredefinedType="USERDEFINED", ElementType="Kalksten")
    assert check(entity("IFCWALL", "Kalksten"), builder, wall).match is Match.PASS


def test_predefined_types_can_be_restricted_by_pattern() -> None:
    builder = ModelBuilder()
    a = builder.element("IfcWall", "A", PredefinedType="USERDEFINED", ObjectType="FOOBAR")
    b = builder.element("IfcWall", "B", PredefinedType="USERDEFINED", ObjectType="BAZFOO")
    facet = entity("IFCWALL", ValueSpec(patterns=("FOO.*",)))
    assert check(facet, builder, a).match is Match.PASS
    assert check(facet, builder, b).match is Match.FAIL


def test_ifc4x3_predefined_types_are_read_from_the_new_enumerations() -> None:
    builder = ModelBuilder("IFC4X3")
    wall = builder.element("IfcWall", "W", PredefinedType="RETAININGWALL")  # new in IFC4X3
    assert check(entity("IFCWALL", "RETAININGWALL"), builder, wall).match is Match.PASS


# --- IFC2X3 ----------------------------------------------------------------------------------


def _ifc2x3_terminal(type_class: str | None, **type_attributes: str) -> tuple[ModelBuilder, object]:
    builder = ModelBuilder("IFC2X3")
    terminal = builder.element("IfcFlowTerminal", "T")
    if type_class:
        builder.typed(terminal, type_class, "TT", **type_attributes)
    return builder, terminal


def test_in_ifc2x3_a_flow_terminal_typed_as_sanitary_terminal_is_an_ifcsanitaryterminal() -> None:
    builder, terminal = _ifc2x3_terminal("IfcSanitaryTerminalType")
    facet = entity("IFCSANITARYTERMINAL")
    assert check(facet, builder, terminal).match is Match.PASS
    assert candidates(facet, builder) == {terminal.GlobalId}


def test_in_ifc2x3_the_generic_occurrence_class_still_matches() -> None:
    builder, terminal = _ifc2x3_terminal("IfcSanitaryTerminalType")
    assert check(entity("IFCFLOWTERMINAL"), builder, terminal).match is Match.PASS


def test_in_ifc2x3_a_flow_terminal_of_another_type_is_not_an_ifcsanitaryterminal() -> None:
    builder, terminal = _ifc2x3_terminal("IfcAirTerminalType")
    facet = entity("IFCSANITARYTERMINAL")
    assert check(facet, builder, terminal).match is Match.FAIL
    assert candidates(facet, builder) == set()
    assert check(entity("IFCAIRTERMINAL"), builder, terminal).match is Match.PASS


def test_in_ifc2x3_an_untyped_flow_terminal_is_no_specific_terminal() -> None:
    builder, terminal = _ifc2x3_terminal(None)
    assert check(entity("IFCSANITARYTERMINAL"), builder, terminal).match is Match.FAIL


def test_in_ifc2x3_the_mapping_works_with_enumerations_too() -> None:
    builder, terminal = _ifc2x3_terminal("IfcSanitaryTerminalType")
    assert check(
        entity(ValueSpec(enumeration=("IFCBEAM", "IFCSANITARYTERMINAL"))), builder, terminal
    ).match is (Match.PASS)


def test_in_ifc2x3_occurrences_take_their_predefined_type_from_the_type_object() -> None:
    builder, terminal = _ifc2x3_terminal("IfcSanitaryTerminalType", PredefinedType="WASHHANDBASIN")
    assert check(entity("IFCSANITARYTERMINAL", "WASHHANDBASIN"), builder, terminal).match is Match.PASS
    assert check(entity("IFCSANITARYTERMINAL", "TOILETPAN"), builder, terminal).match is Match.FAIL


def test_in_ifc2x3_a_wall_takes_its_predefined_type_from_its_wall_type() -> None:
    # IfcWall has no PredefinedType attribute in IFC2X3.
    builder = ModelBuilder("IFC2X3")
    wall = builder.element("IfcWall", "W")
    builder.typed(wall, "IfcWallType", "WT", PredefinedType="STANDARD")
    assert check(entity("IFCWALL", "STANDARD"), builder, wall).match is Match.PASS
