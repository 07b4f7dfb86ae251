"""Relations on built models: windows and doors of rooms, host walls, room contents, dwellings."""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api
import pytest

from bimcheck.model.spatial import BY_BOUNDARIES, BY_FILLS, RELATIONS, geometric_method
from tests.floorplan import EXPECTED_DOORS, EXPECTED_WINDOWS, Plan, flat

SCHEMAS = ("IFC4", "IFC2X3")
GEOMETRY = geometric_method(0.05)


def names(elements: list[ifcopenshell.entity_instance] | None) -> list[str] | None:
    return None if elements is None else sorted(e.Name for e in elements)


def remove_boundaries(plan: Plan) -> None:
    for rel in plan.file.by_type("IfcRelSpaceBoundary"):
        plan.file.remove(rel)


# --- windows and doors of a room ---------------------------------------------------------------


@pytest.mark.parametrize("schema", SCHEMAS)
def test_windows_and_doors_of_rooms_come_from_space_boundaries_when_the_model_has_them(schema: str) -> None:
    plan, named = flat(schema)
    model = plan.model()
    for room in "ABC":
        windows = model.spatial.relate(named[room], "windows")
        doors = model.spatial.relate(named[room], "doors")
        assert (names(windows.elements), windows.method) == (EXPECTED_WINDOWS[room], BY_BOUNDARIES)
        assert (names(doors.elements), doors.method) == (EXPECTED_DOORS[room], BY_BOUNDARIES)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_with_the_boundaries_removed_geometric_adjacency_finds_the_same_windows_and_doors(
    schema: str,
) -> None:
    plan, named = flat(schema)
    remove_boundaries(plan)
    model = plan.model()
    for room in "ABC":
        windows = model.spatial.relate(named[room], "windows")
        doors = model.spatial.relate(named[room], "doors")
        assert (names(windows.elements), windows.method) == (EXPECTED_WINDOWS[room], GEOMETRY)
        assert (names(doors.elements), doors.method) == (EXPECTED_DOORS[room], GEOMETRY)


def test_on_a_model_with_both_boundaries_and_geometry_agree() -> None:
    plan, named = flat()
    model = plan.model()
    for room in "ABC":
        for via in ("windows", "doors"):
            by_boundaries = model.spatial.relate(named[room], via, {"method": "relationships"})
            by_geometry = model.spatial.relate(named[room], via, {"method": "geometry"})
            assert by_boundaries.method == BY_BOUNDARIES
            assert by_geometry.method == GEOMETRY
            assert names(by_boundaries.elements) == names(by_geometry.elements)


def test_space_boundaries_win_over_geometry_when_they_disagree() -> None:
    plan, named = flat()
    plan.boundary(named["A"], named["W2"])  # wrong, but it is what the model says
    model = plan.model()
    assert names(model.spatial.related(named["A"], "windows")) == ["W1", "W2"]
    assert names(model.spatial.related(named["A"], "windows", {"method": "geometry"})) == ["W1"]


def test_a_window_meeting_a_room_over_5_cm_at_a_wall_corner_is_not_that_rooms_window() -> None:
    # WX's opening spans x 3.95–4.6: 5 cm beside room A (x ≤ 4.0), 50 cm beside room B (x ≥ 4.1);
    # MIN_FACING is 10 cm, so it is B's window only.
    plan, named = flat(boundaries=False)
    model = plan.model()
    assert names(model.spatial.related(named["A"], "windows")) == ["W1"]
    assert names(model.spatial.related(named["B"], "windows")) == ["W2", "WX"]
    assert names(model.spatial.related(named["WX"], "spaces")) == ["B"]


def test_the_window_of_the_storey_above_is_not_the_window_of_the_room_below() -> None:
    # WU has W1's footprint but sits at z 3.0–4.0, above room A's 0–2.5.
    plan, named = flat(boundaries=False)
    model = plan.model()
    assert names(model.spatial.related(named["WU"], "spaces")) == []


def test_a_room_outline_drawn_short_of_the_wall_is_within_the_tolerance_or_not() -> None:
    plan = Plan()
    wall = plan.element("IfcWall", "wall", (0.0, -0.3, 0.0, 6.0, 0.0, 2.5))
    near = plan.space("near", 0.0, 0.04, 2.9, 3.0)  # outline 4 cm from the wall face
    far = plan.space("far", 3.0, 0.08, 6.0, 3.0)  # 8 cm
    plan.filling("IfcWindow", "Wn", wall, (1.0, -0.3, 0.9, 2.0, 0.0, 2.1), (1.0, -0.2, 0.9, 2.0, -0.1, 2.1))
    plan.filling("IfcWindow", "Wf", wall, (4.0, -0.3, 0.9, 5.0, 0.0, 2.1), (4.0, -0.2, 0.9, 5.0, -0.1, 2.1))
    model = plan.model()
    assert names(model.spatial.related(near, "windows")) == ["Wn"]
    assert names(model.spatial.related(far, "windows")) == []
    wider = model.spatial.relate(far, "windows", {"tolerance": "0.1"})
    assert (names(wider.elements), wider.method) == (["Wf"], geometric_method(0.1))


def test_a_window_in_no_opening_is_found_by_its_own_body_inside_the_wall() -> None:
    # The body is 0.1 m from the room's outline: beyond the tolerance, within FRAME_REACH.
    plan = Plan()
    room = plan.space("R", 0.0, 0.0, 4.0, 3.0)
    plan.element("IfcWall", "wall", (0.0, -0.3, 0.0, 4.0, 0.0, 2.5))
    plan.element("IfcWindow", "W", (1.0, -0.2, 0.9, 2.0, -0.1, 2.1))
    assert names(plan.model().spatial.related(room, "windows")) == ["W"]


def test_a_roof_window_over_a_room_is_its_window() -> None:
    plan = Plan()
    room = plan.space("R", 0.0, 0.0, 4.0, 3.0)
    plan.element("IfcWindow", "skylight", (1.0, 1.0, 2.45, 2.0, 2.0, 2.7))
    assert names(plan.model().spatial.related(room, "windows")) == ["skylight"]


def test_a_room_with_boundaries_uses_them_and_one_without_is_measured() -> None:
    plan, named = flat()
    for rel in list(named["B"].BoundedBy):
        plan.file.remove(rel)
    model = plan.model()
    assert model.spatial.relate(named["A"], "windows").method == BY_BOUNDARIES
    b = model.spatial.relate(named["B"], "windows")
    assert (names(b.elements), b.method) == (["W2", "WX"], GEOMETRY)


@pytest.mark.parametrize("boundaries", [True, False])
def test_the_spaces_of_a_window_or_door_are_the_rooms_that_list_it(boundaries: bool) -> None:
    plan, named = flat(boundaries=boundaries)
    model = plan.model()
    rooms = [named[r] for r in "ABC"]
    for opening in [*model.file.by_type("IfcWindow"), *model.file.by_type("IfcDoor")]:
        via = "windows" if opening.is_a("IfcWindow") else "doors"
        listing = sorted(r.Name for r in rooms if opening in (model.spatial.related(r, via) or []))
        assert names(model.spatial.related(opening, "spaces")) == listing, opening.Name


def test_a_room_without_geometry_or_boundaries_has_undetermined_windows_never_none() -> None:
    plan = Plan()
    room = plan.builder.create("IfcSpace", "no shape")
    ifcopenshell.api.run("aggregate.assign_object", plan.file, relating_object=plan.storey, products=[room])
    shaped = plan.space("shaped", 5.0, 0.0, 8.0, 3.0)
    window = plan.element("IfcWindow", "W", (6.0, -0.2, 0.9, 7.0, -0.1, 2.1))
    model = plan.model()
    unknown = model.spatial.relate(room, "windows")
    assert unknown.elements is None
    assert "no usable geometry" in (unknown.reason or "")
    assert names(model.spatial.related(shaped, "windows")) == ["W"]
    # The window could also open into the room of unknown shape on its storey.
    assert model.spatial.related(window, "spaces") is None


def test_a_window_whose_geometry_fails_leaves_the_rooms_of_its_storey_undetermined() -> None:
    plan = Plan(storeys=("Plan 1", "Plan 2"))
    below = plan.space("below", 0.0, 0.0, 4.0, 3.0)
    above = plan.space("above", 0.0, 0.0, 4.0, 3.0, z0=3.0, z1=5.5, storey=plan.builder.storeys["Plan 2"])
    broken = plan.element("IfcWindow", "broken", None)
    representation = ifcopenshell.api.run(
        "geometry.add_mesh_representation",
        plan.file,
        context=plan.body,
        vertices=[[(0.0, 0.0, 0.0)] * 3],
        faces=[[[0, 1, 2]]],
        force_faceted_brep=True,
    )
    ifcopenshell.api.run(
        "geometry.assign_representation", plan.file, product=broken, representation=representation
    )
    model = plan.model()
    relation = model.spatial.relate(below, "windows")
    assert relation.elements is None
    assert "broken" in (relation.reason or "")
    assert model.spatial.related(above, "windows") == []  # another storey: not in doubt


def test_relationships_only_on_a_model_without_boundaries_is_undetermined() -> None:
    plan, named = flat(boundaries=False)
    relation = plan.model().spatial.relate(named["A"], "windows", {"method": "relationships"})
    assert relation.elements is None
    assert relation.reason == "the model's space boundaries record no IfcWindow"


# --- host walls and fillings --------------------------------------------------------------------


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_host_of_a_door_or_window_is_the_wall_whose_opening_it_fills(schema: str) -> None:
    plan, named = flat(schema)
    model = plan.model()
    for window in ("W1", "W2", "WX", "WU"):
        host = model.spatial.relate(named[window], "host")
        assert (names(host.elements), host.method) == (["south wall"], BY_FILLS)
    for door in ("D1", "D2"):
        assert names(model.spatial.related(named[door], "host")) == ["north wall"]
    opening = model.file.by_type("IfcOpeningElement")[0]
    assert names(model.spatial.related(opening, "host")) == ["south wall"]
    assert names(model.spatial.related(named["south wall"], "fillings")) == ["W1", "W2", "WU", "WX"]
    assert names(model.spatial.related(named["south wall"], "host")) == []


def test_a_door_in_no_opening_is_hosted_by_the_wall_its_body_lies_in() -> None:
    plan = Plan()
    plan.element("IfcWall", "wall", (0.0, 0.0, 0.0, 5.0, 0.2, 2.5))
    plan.element("IfcWall", "other wall", (0.0, 3.0, 0.0, 5.0, 3.2, 2.5))
    door = plan.element("IfcDoor", "D", (1.0, 0.05, 0.0, 1.9, 0.15, 2.1))
    model = plan.model()
    host = model.spatial.relate(door, "host")
    assert names(host.elements) == ["wall"]
    assert host.method.startswith("geometry")
    assert model.spatial.related(door, "host", {"method": "relationships"}) == []


def test_a_door_in_no_opening_and_without_geometry_has_an_undetermined_host() -> None:
    plan = Plan()
    door = plan.element("IfcDoor", "D", None)
    assert plan.model().spatial.related(door, "host") is None


# --- contents of rooms and storeys ---------------------------------------------------------------


def furnished() -> tuple[Plan, dict[str, ifcopenshell.entity_instance]]:
    plan, named = flat(boundaries=False)
    named["bed"] = plan.element("IfcFurniture", "bed", (0.5, 1.0, 0.0, 2.1, 3.0, 0.5))
    # 70 % of the sofa's footprint is in the corridor (y 3.2–4.7), 30 % in room A's wall zone.
    named["sofa"] = plan.element("IfcFurniture", "sofa", (0.5, 2.75, 0.0, 1.5, 3.6, 0.8))
    named["toilet"] = plan.element("IfcSanitaryTerminal", "toilet", (5.0, 2.3, 0.0, 5.4, 3.0, 0.4))
    named["lamp upstairs"] = plan.element("IfcFurniture", "lamp upstairs", (1.0, 1.0, 3.0, 1.3, 1.3, 4.0))
    return plan, named


def test_elements_in_a_room_without_recorded_contents_are_found_by_geometry() -> None:
    plan, named = furnished()
    model = plan.model()
    a = model.spatial.relate(named["A"], "contained")
    assert names(a.elements) == ["bed"]
    assert a.method.startswith("geometric containment")
    assert names(model.spatial.related(named["B"], "contained")) == ["toilet"]
    assert names(model.spatial.related(named["C"], "contained")) == ["sofa"]
    assert names(model.spatial.related(named["bed"], "spaces")) == ["A"]
    assert names(model.spatial.related(named["lamp upstairs"], "spaces")) == []


def test_a_room_that_records_its_contents_is_taken_at_its_word() -> None:
    plan, named = furnished()
    ifcopenshell.api.run(
        "spatial.assign_container", plan.file, relating_structure=named["A"], products=[named["toilet"]]
    )
    model = plan.model()
    a = model.spatial.relate(named["A"], "contained")
    assert (names(a.elements), a.method) == (["toilet"], "IfcRelContainedInSpatialStructure")
    assert names(model.spatial.related(named["A"], "contained", {"method": "geometry"})) == ["bed"]
    assert names(model.spatial.related(named["toilet"], "spaces")) == ["A"]


def test_a_storey_contains_its_elements_and_those_of_its_rooms() -> None:
    plan, named = furnished()
    ifcopenshell.api.run(
        "spatial.assign_container", plan.file, relating_structure=named["A"], products=[named["bed"]]
    )
    contained = names(plan.model().spatial.related(plan.storey, "contained")) or []
    assert "bed" in contained  # contained in room A, which is part of the storey
    assert {"W1", "D1", "south wall", "sofa"} <= set(contained)


def test_the_spaces_of_a_storey_and_its_storey() -> None:
    plan, named = flat()
    model = plan.model()
    assert names(model.spatial.related(plan.storey, "spaces")) == ["A", "B", "C"]
    assert names(model.spatial.related(named["W1"], "storey")) == ["Plan 1"]


# --- zones and dwellings ------------------------------------------------------------------------


def test_spaces_grouped_in_ifczones_form_dwellings() -> None:
    plan, named = flat()
    plan.zone("Lgh 1001", [named["A"], named["B"]])
    model = plan.model()
    assert names(model.spatial.related(named["A"], "dwelling")) == ["Lgh 1001"]
    assert names(model.spatial.related(named["B"], "dwelling_spaces")) == ["A", "B"]
    assert model.spatial.related(named["C"], "dwelling_spaces") == []  # the corridor is common space
    # A door from the corridor into room A belongs to the dwelling through A.
    assert names(model.spatial.related(named["D1"], "dwelling")) == ["Lgh 1001"]
    zone = model.file.by_type("IfcZone")[0]
    assert names(model.spatial.related(zone, "spaces")) == ["A", "B"]


def test_nested_zones_make_their_spaces_part_of_the_outer_one() -> None:
    plan, named = flat()
    inner = plan.zone("sleeping", [named["A"]])
    plan.zone("Lgh 1001", [inner, named["B"]])
    model = plan.model()
    assert names(model.spatial.related(named["A"], "zone")) == ["Lgh 1001", "sleeping"]
    outer = next(z for z in model.file.by_type("IfcZone") if z.Name == "Lgh 1001")
    assert names(model.spatial.related(outer, "spaces")) == ["A", "B"]


def test_an_ifcspatialzone_references_its_spaces() -> None:
    plan, named = flat("IFC4")
    zone = plan.builder.create("IfcSpatialZone", "Lgh 1002")
    plan.file.create_entity(
        "IfcRelReferencedInSpatialStructure",
        GlobalId=ifcopenshell.guid.new(),
        RelatedElements=[named["A"], named["C"]],
        RelatingStructure=zone,
    )
    model = plan.model()
    assert names(model.spatial.related(named["A"], "zone")) == ["Lgh 1002"]
    assert names(model.spatial.related(named["C"], "dwelling_spaces")) == ["A", "C"]
    assert names(model.spatial.related(zone, "spaces")) == ["A", "C"]


def test_a_property_can_define_the_dwellings() -> None:
    plan, named = flat()
    for room, number in (("A", "1001"), ("B", "1001"), ("C", "1002")):
        plan.builder.pset(named[room], "Pset_Lägenhet", {"Lägenhetsnummer": number})
    model = plan.model()
    by_number = {"property": "Pset_Lägenhet.Lägenhetsnummer"}
    assert names(model.spatial.related(named["A"], "dwelling_spaces", by_number)) == ["A", "B"]
    assert names(model.spatial.related(named["C"], "dwelling_spaces", by_number)) == ["C"]
    assert model.spatial.dwelling_labels(named["D1"], "Pset_Lägenhet.Lägenhetsnummer") == ["1001", "1002"]
    assert model.spatial.dwelling_names("Pset_Lägenhet.Lägenhetsnummer") == ["1001", "1002"]


def test_a_model_that_records_no_dwellings_cannot_say_which_dwelling_a_room_is_in() -> None:
    plan, named = flat()
    model = plan.model()
    relation = model.spatial.relate(named["A"], "dwelling_spaces")
    assert relation.elements is None
    assert "no spaces in IfcZone" in (relation.reason or "")
    by_missing_property = model.spatial.relate(named["A"], "dwelling_spaces", {"property": "Pset_X.Nr"})
    assert (by_missing_property.elements, by_missing_property.reason) == (None, "no space carries Pset_X.Nr")


def test_a_wall_between_two_dwellings_counts_two_dwellings() -> None:
    plan, named = flat()
    plan.zone("Lgh 1001", [named["A"]])
    plan.zone("Lgh 1002", [named["B"]])
    model = plan.model()
    # The south wall bounds A and B (space boundaries), the north wall bounds none of them.
    assert model.measures.get(named["south wall"], "dwelling_count").value == 2.0
    assert model.measures.get(named["north wall"], "dwelling_count").value == 0.0
    assert model.measures.get(named["A"], "dwelling_count").value == 1.0


# --- the relation table itself ------------------------------------------------------------------


def test_an_unknown_relation_or_argument_is_an_error_naming_the_choices() -> None:
    plan, named = flat()
    model = plan.model()
    with pytest.raises(KeyError, match="known: contained"):
        model.spatial.relate(named["A"], "neighbours")
    with pytest.raises(ValueError, match="allowed: method, tolerance"):
        model.spatial.relate(named["A"], "windows", {"property": "x"})
    with pytest.raises(ValueError, match="method must be one of"):
        model.spatial.relate(named["A"], "windows", {"method": "guess"})
    with pytest.raises(ValueError, match="tolerance must be"):
        model.spatial.relate(named["A"], "windows", {"tolerance": "5"})


def test_every_relation_is_implemented_and_its_candidates_are_a_superset() -> None:
    plan, named = furnished()
    plan.zone("Lgh 1001", [named["A"], named["B"]])
    model = plan.model()
    for via in RELATIONS:
        pool = {e.id() for e in model.spatial.candidates(via)}
        nonempty = {e.id() for e in model.spatial.candidates(via, nonempty=True)}
        for element in model.file.by_type("IfcProduct"):
            related = model.spatial.related(element, via)
            if related is None or related:  # undetermined or related to something
                assert element.id() in pool, (via, element.Name)
                assert element.id() in nonempty, (via, element.Name)


def test_the_cheap_candidates_of_host_are_what_fills_or_voids_and_doors_and_windows() -> None:
    plan, _ = flat()
    model = plan.model()
    cheap = {e.is_a() for e in model.spatial.candidates("host", nonempty=True)}
    assert cheap == {"IfcWindow", "IfcDoor", "IfcOpeningElement"}
    assert {e.is_a() for e in model.spatial.candidates("windows")} == {"IfcSpace"}


def test_spatial_zones_nested_in_a_spatial_zone_or_grouped_in_an_ifczone_pass_on_their_spaces() -> None:
    plan, named = flat("IFC4")
    parts = []
    for name, room in (("sov", "A"), ("vard", "B")):
        part = plan.builder.create("IfcSpatialZone", name)
        plan.file.create_entity(
            "IfcRelReferencedInSpatialStructure",
            GlobalId=ifcopenshell.guid.new(),
            RelatedElements=[named[room]],
            RelatingStructure=part,
        )
        parts.append(part)
    dwelling = plan.builder.create("IfcSpatialZone", "Lgh 1003")
    plan.file.create_entity(
        "IfcRelAggregates", GlobalId=ifcopenshell.guid.new(), RelatingObject=dwelling, RelatedObjects=parts
    )
    plan.zone("Hus A", [dwelling])
    model = plan.model()
    assert names(model.spatial.related(named["A"], "zone")) == ["Hus A", "Lgh 1003", "sov"]
    assert names(model.spatial.related(dwelling, "spaces")) == ["A", "B"]
    house = next(z for z in model.file.by_type("IfcZone"))
    assert names(model.spatial.related(house, "spaces")) == ["A", "B"]
