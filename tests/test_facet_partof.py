"""PartOf facet: aggregation, containment, nesting, groups, voids/fills, each recursive."""

from __future__ import annotations

import ifcopenshell.api
import ifcopenshell.guid
import pytest

from bimcheck.model.relations import AGGREGATES, CONTAINMENT, GROUPS, NESTS, VOIDS_FILLS
from bimcheck.rules.facets import (
    OPTIONAL,
    PROHIBITED,
    REQUIRED,
    Check,
    EntityFacet,
    Match,
    PartOfFacet,
    satisfied,
)
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder


def part_of(
    whole: str, relation: str | None = None, predefined: str | None = None, cardinality: str = REQUIRED
) -> PartOfFacet:
    entity = EntityFacet(
        name=ValueSpec(simple=whole),
        predefined_type=None if predefined is None else ValueSpec(simple=predefined),
    )
    return PartOfFacet(entity=entity, relation=relation, cardinality=cardinality)


def check(facet: PartOfFacet, builder: ModelBuilder, element) -> Check:
    return facet.check(builder.model(), element)


def group(builder: ModelBuilder, cls: str, name: str, *members, **attributes):
    whole = builder.create(cls, name, **attributes)
    builder.file.createIfcRelAssignsToGroup(ifcopenshell.guid.new(), None, None, None, members, None, whole)
    return whole


def aggregate(builder: ModelBuilder, whole, *parts) -> None:
    ifcopenshell.api.run("aggregate.assign_object", builder.file, relating_object=whole, products=list(parts))


def nest(builder: ModelBuilder, whole, *parts) -> None:
    ifcopenshell.api.run(
        "nest.assign_object", builder.file, relating_object=whole, related_objects=list(parts)
    )


# --- containment ---------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_any_contained_element_passes_a_containment_relationship(schema: str) -> None:
    builder = ModelBuilder(schema, storeys=("Plan 1",))
    wall = builder.element("IfcWall", "W")
    result = check(part_of("IFCBUILDINGSTOREY", CONTAINMENT), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == f"part of IfcBuildingStorey {builder.storeys['Plan 1'].GlobalId}"


def test_the_container_itself_fails() -> None:
    builder = ModelBuilder()
    storey = builder.storeys["Plan 1"]
    result = check(part_of("IFCBUILDINGSTOREY", CONTAINMENT), builder, storey)
    assert result.match is Match.ABSENT  # a storey is aggregated, never contained


def test_the_container_entity_must_match_exactly() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    result = check(part_of("IFCSPACE", CONTAINMENT), builder, wall)
    assert result.match is Match.FAIL
    assert result.observed == "part of IFCBUILDINGSTOREY"
    assert check(part_of("IFCSPATIALSTRUCTUREELEMENT", CONTAINMENT), builder, wall).match is Match.FAIL


def test_the_container_predefined_type_must_match_exactly() -> None:
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Rum", PredefinedType="INTERNAL")
    aggregate(builder, builder.storeys["Plan 1"], space)
    furniture = builder.create("IfcFurniture", "Bord")
    ifcopenshell.api.run(
        "spatial.assign_container", builder.file, relating_structure=space, products=[furniture]
    )
    assert check(part_of("IFCSPACE", CONTAINMENT, "INTERNAL"), builder, furniture).match is Match.PASS
    assert check(part_of("IFCSPACE", CONTAINMENT, "EXTERNAL"), builder, furniture).match is Match.FAIL


def test_a_relation_restricts_the_path_to_the_whole_to_that_relation() -> None:
    # wall --contained--> storey --aggregated--> building
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    assert check(part_of("IFCBUILDING", CONTAINMENT), builder, wall).match is Match.FAIL
    assert check(part_of("IFCBUILDING", AGGREGATES), builder, wall).match is Match.ABSENT
    assert check(part_of("IFCBUILDING"), builder, wall).match is Match.PASS  # any relation, recursively


def test_without_a_relation_every_ancestor_counts_up_to_the_project() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    for whole in ("IFCBUILDINGSTOREY", "IFCBUILDING", "IFCSITE", "IFCPROJECT"):
        assert check(part_of(whole), builder, wall).match is Match.PASS, whole


# --- aggregation ---------------------------------------------------------------------------


def test_the_aggregated_part_passes_and_the_whole_fails_an_aggregate_relationship() -> None:
    builder = ModelBuilder()
    stair = builder.element("IfcStair", "Trappa")
    flight = builder.create("IfcStairFlight", "Lopp")
    aggregate(builder, stair, flight)
    assert check(part_of("IFCSTAIR", AGGREGATES), builder, flight).match is Match.PASS
    # The stair is contained in its storey, not aggregated: it is part of nothing by aggregation.
    assert check(part_of("IFCSTAIR", AGGREGATES), builder, stair).match is Match.ABSENT


def test_a_non_aggregated_element_fails_an_aggregate_relationship() -> None:
    builder = ModelBuilder()
    beam = builder.element("IfcBeam", "B")
    result = check(part_of("IFCELEMENTASSEMBLY", AGGREGATES), builder, beam)
    assert result.match is Match.ABSENT
    assert result.observed == "not part of anything"


def test_any_ancestral_aggregate_whole_passes() -> None:
    # space --aggregated--> storey --aggregated--> building --aggregated--> site
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Rum")
    aggregate(builder, builder.storeys["Plan 1"], space)
    for whole in ("IFCBUILDINGSTOREY", "IFCBUILDING", "IFCSITE", "IFCPROJECT"):
        assert check(part_of(whole, AGGREGATES), builder, space).match is Match.PASS, whole


def test_an_aggregate_may_specify_the_predefined_type_of_the_whole() -> None:
    builder = ModelBuilder()
    assembly = builder.element("IfcElementAssembly", "Takstol", PredefinedType="TRUSS")
    member = builder.create("IfcMember", "Ramstycke")
    aggregate(builder, assembly, member)
    assert check(part_of("IFCELEMENTASSEMBLY", AGGREGATES, "TRUSS"), builder, member).match is Match.PASS
    assert check(part_of("IFCELEMENTASSEMBLY", AGGREGATES, "GIRDER"), builder, member).match is Match.FAIL


# --- groups --------------------------------------------------------------------------------


def test_a_grouped_element_passes_a_group_relationship() -> None:
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Rum")
    group(builder, "IfcZone", "Lägenhet 1001", space)
    assert check(part_of("IFCZONE", GROUPS), builder, space).match is Match.PASS
    assert check(part_of("IFCGROUP", GROUPS), builder, space).match is Match.FAIL  # entity matches exactly


def test_an_element_in_several_groups_passes_if_any_group_matches() -> None:
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Rum")
    group(builder, "IfcGroup", "Brandceller", space)
    group(builder, "IfcSystem", "Ventilation", space)
    group(builder, "IfcZone", "Lägenhet 1001", space)
    result = check(part_of("IFCZONE", GROUPS), builder, space)
    assert result.match is Match.PASS


def test_a_non_grouped_element_fails_a_group_relationship() -> None:
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Rum")
    assert check(part_of("IFCZONE", GROUPS), builder, space).match is Match.ABSENT


def test_a_group_predefined_type_is_checked() -> None:
    builder = ModelBuilder()
    duct = builder.element("IfcDuctSegment", "Kanal")
    group(builder, "IfcDistributionSystem", "TA1", duct, PredefinedType="VENTILATION")
    assert check(part_of("IFCDISTRIBUTIONSYSTEM", GROUPS, "VENTILATION"), builder, duct).match is Match.PASS
    assert check(part_of("IFCDISTRIBUTIONSYSTEM", GROUPS, "ELECTRICAL"), builder, duct).match is Match.FAIL


# --- nesting and voids -----------------------------------------------------------------------


def test_any_nested_part_passes_and_the_nested_whole_fails_a_nest_relationship() -> None:
    builder = ModelBuilder()
    boiler = builder.element("IfcBoiler", "Panna")
    port = builder.create("IfcDistributionPort", "Anslutning")
    nest(builder, boiler, port)
    assert check(part_of("IFCBOILER", NESTS), builder, port).match is Match.PASS
    assert check(part_of("IFCBOILER", NESTS), builder, boiler).match is Match.ABSENT


def test_nesting_may_be_indirect() -> None:
    builder = ModelBuilder()
    top = builder.create("IfcTask", "Bygge")
    middle = builder.create("IfcTask", "Stomme")
    leaf = builder.create("IfcTask", "Gjutning")
    nest(builder, top, middle)
    nest(builder, middle, leaf)
    assert check(part_of("IFCTASK", NESTS), builder, leaf).match is Match.PASS


def test_a_door_filling_an_opening_in_a_wall_is_part_of_the_wall() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "Vägg")
    opening = builder.create("IfcOpeningElement", "Öppning")
    door = builder.element("IfcDoor", "Dörr")
    ifcopenshell.api.run("feature.add_feature", builder.file, feature=opening, element=wall)
    ifcopenshell.api.run("feature.add_filling", builder.file, opening=opening, element=door)
    assert check(part_of("IFCOPENINGELEMENT", VOIDS_FILLS), builder, door).match is Match.PASS
    assert check(part_of("IFCWALL", VOIDS_FILLS), builder, door).match is Match.PASS  # through the opening
    assert check(part_of("IFCWALL", VOIDS_FILLS), builder, opening).match is Match.PASS
    assert check(part_of("IFCWALL", AGGREGATES), builder, door).match is Match.ABSENT


# --- cardinality and candidates --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cardinality", "where", "satisfied_"),
    [
        (REQUIRED, "storey", True),
        (REQUIRED, None, False),
        (OPTIONAL, None, True),
        (OPTIONAL, "space", False),  # part of something else than a storey
        (PROHIBITED, "storey", False),
        (PROHIBITED, "space", True),
        (PROHIBITED, None, True),
    ],
)
def test_cardinality_of_part_of(cardinality: str, where: str | None, satisfied_: bool) -> None:
    builder = ModelBuilder()
    furniture = builder.create("IfcFurniture", "Bord")
    if where == "storey":
        container = builder.storeys["Plan 1"]
    elif where == "space":
        container = builder.create("IfcSpace", "Rum")  # not aggregated into the storey
    if where:
        ifcopenshell.api.run(
            "spatial.assign_container", builder.file, relating_structure=container, products=[furniture]
        )
    facet = part_of("IFCBUILDINGSTOREY", CONTAINMENT, cardinality=cardinality)
    assert satisfied(cardinality, check(facet, builder, furniture)) is satisfied_


def test_candidates_are_the_elements_that_are_part_of_something_through_the_relation() -> None:
    builder = ModelBuilder(storeys=("Plan 1", "Plan 2"))
    walls = {
        builder.element("IfcWall", f"W{i}", storey=s).GlobalId for i, s in enumerate(("Plan 1", "Plan 2"))
    }
    builder.create("IfcWall", "Loose")
    found = {e.GlobalId for e in part_of("IFCBUILDINGSTOREY", CONTAINMENT).candidates(builder.model())}
    assert found == walls
