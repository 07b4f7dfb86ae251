"""Model indexes for relations: storey lookup, ancestors, types of occurrences."""

from __future__ import annotations

import ifcopenshell.api
import ifcopenshell.guid

from bimcheck.model.relations import AGGREGATES, CONTAINMENT, RELATIONS
from tests.builders import ModelBuilder


def test_a_contained_element_is_on_its_storey() -> None:
    builder = ModelBuilder(storeys=("Plan 1", "Plan 2"))
    wall = builder.element("IfcWall", "W", storey="Plan 2")
    model = builder.model()
    assert model.relations.storey(wall) == builder.storeys["Plan 2"]
    assert model.storey_name(wall) == "Plan 2"


def test_an_element_contained_in_a_space_is_on_the_spaces_storey() -> None:
    builder = ModelBuilder()
    space = builder.create("IfcSpace", "Kök")
    ifcopenshell.api.run(
        "aggregate.assign_object", builder.file, relating_object=builder.storeys["Plan 1"], products=[space]
    )
    furniture = builder.create("IfcFurniture", "Bord")
    ifcopenshell.api.run(
        "spatial.assign_container", builder.file, relating_structure=space, products=[furniture]
    )
    model = builder.model()
    assert model.storey_name(space) == "Plan 1"
    assert model.storey_name(furniture) == "Plan 1"


def test_parts_of_an_aggregate_and_nested_parts_are_on_the_wholes_storey() -> None:
    builder = ModelBuilder()
    stair = builder.element("IfcStair", "Trappa")
    flight = builder.create("IfcStairFlight", "Lopp")
    ifcopenshell.api.run("aggregate.assign_object", builder.file, relating_object=stair, products=[flight])
    boiler = builder.element("IfcBoiler", "Panna")
    port = builder.create("IfcDistributionPort", "Port")
    ifcopenshell.api.run("nest.assign_object", builder.file, relating_object=boiler, related_objects=[port])
    model = builder.model()
    assert model.storey_name(flight) == "Plan 1"
    assert model.storey_name(port) == "Plan 1"


def test_an_opening_is_on_the_storey_of_the_wall_it_voids() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    opening = builder.create("IfcOpeningElement", "O")
    ifcopenshell.api.run("feature.add_feature", builder.file, feature=opening, element=wall)
    assert builder.model().storey_name(opening) == "Plan 1"


def test_a_group_does_not_place_an_element_on_a_storey() -> None:
    builder = ModelBuilder()
    loose = builder.create("IfcSpace", "Lös")
    zone = builder.create("IfcZone", "Brandcell")
    builder.file.createIfcRelAssignsToGroup(ifcopenshell.guid.new(), None, None, None, (loose,), None, zone)
    model = builder.model()
    assert model.relations.storey(loose) is None
    assert model.storey_name(loose) is None
    assert [p.is_a() for p in model.relations.ancestors(loose)] == ["IfcZone"]


def test_a_storey_is_its_own_storey_and_an_unnamed_one_is_named_by_its_long_name() -> None:
    builder = ModelBuilder()
    storey = builder.storeys["Plan 1"]
    storey.Name = None
    storey.LongName = "Entréplan"
    assert builder.model().storey_name(storey) == "Entréplan"


def test_ancestors_come_nearest_first() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    chain = [p.is_a() for p in builder.model().relations.ancestors(wall)]
    assert chain == ["IfcBuildingStorey", "IfcBuilding", "IfcSite", "IfcProject"]


def test_ancestors_follow_only_the_relations_asked_for() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    relations = builder.model().relations
    assert [p.is_a() for p in relations.ancestors(wall, (CONTAINMENT,))] == ["IfcBuildingStorey"]
    assert list(relations.ancestors(wall, (AGGREGATES,))) == []
    assert len(RELATIONS) == 5


def test_a_cycle_of_aggregations_does_not_loop_forever() -> None:
    # Malformed input: A aggregates B and B aggregates A.
    builder = ModelBuilder()
    a = builder.create("IfcElementAssembly", "A")
    b = builder.create("IfcElementAssembly", "B")
    builder.file.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, a, (b,))
    builder.file.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, b, (a,))
    model = builder.model()
    assert [p.Name for p in model.relations.ancestors(a)] == ["B"]
    assert model.relations.storey(a) is None


def test_occurrences_know_their_type_and_types_their_occurrences() -> None:
    builder = ModelBuilder("IFC2X3")
    terminal = builder.element("IfcFlowTerminal", "T")
    other = builder.element("IfcFlowTerminal", "U")
    builder.typed(terminal, "IfcSanitaryTerminalType", "WC")
    builder.typed(other, "IfcAirTerminalType", "Don")
    model = builder.model()
    assert model.type_of(terminal).Name == "WC"
    assert model.type_of(builder.storeys["Plan 1"]) is None
    assert [o.Name for o in model.typed_occurrences("IfcSanitaryTerminalType")] == ["T"]
    assert [o.Name for o in model.typed_occurrences("IFCAIRTERMINALTYPE")] == ["U"]


def test_an_identity_places_products_on_storeys_and_nothing_else() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    opening = builder.create("IfcOpeningElement", "O")
    ifcopenshell.api.run("feature.add_feature", builder.file, feature=opening, element=wall)
    model = builder.model()
    # (GlobalId, class, step id, name, storey): the storey is the fifth.
    assert model.identity(wall)[4] == "Plan 1"
    assert model.identity(opening)[4] == "Plan 1"  # found through the wall it voids
    assert model.identity(wall_type)[4] is None  # a type object has no place in the building


def test_instances_of_a_class_are_listed_afresh_for_each_caller() -> None:
    builder = ModelBuilder()
    walls = {builder.element("IfcWall", f"W{i}").id() for i in range(2)}
    model = builder.model()
    first = model.by_class("IFCWALL")
    first.clear()  # a caller's own list: the model's stays whole
    assert {w.id() for w in model.by_class("IFCWALL")} == walls


def test_an_instance_asked_for_by_id_is_that_instance_whether_indexing_read_it_or_not() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")  # contained: a part the relation index reads
    builder.pset(wall, "Pset_WallCommon", {"IsExternal": True})  # and an element with a set
    model = builder.model()
    model.relations.storey_id(wall.id())  # indexes containment
    for instance in model.file:  # parts, wholes, sets and everything else alike
        for lookup in (model.relations.element, model.properties.element):
            found = lookup(instance.id())
            assert (found.id(), found.is_a()) == (instance.id(), instance.is_a())
