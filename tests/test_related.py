"""The related facet: quantifiers, counts, undetermined relations, and selecting through relations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import ifcopenshell
import ifcopenshell.api
import pytest

from bimcheck.engine import evaluate
from bimcheck.model.ifcmodel import Model
from bimcheck.results import Status
from bimcheck.rules.facets import PROHIBITED, REQUIRED, Check, EntityFacet, Match, PropertyFacet
from bimcheck.rules.related import RelatedFacet
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec
from tests.floorplan import Plan, flat


def v(text: str) -> ValueSpec:
    return ValueSpec(simple=text)


def entity(name: str) -> EntityFacet:
    return EntityFacet(name=v(name))


def prop(pset: str, name: str, value: str | None = None, cardinality: str = REQUIRED) -> PropertyFacet:
    return PropertyFacet(v(pset), v(name), value=None if value is None else v(value), cardinality=cardinality)


@dataclass(frozen=True)
class Verdict:
    """A facet whose verdict per element name the test gives: PASS, FAIL or UNKNOWN."""

    verdicts: tuple[tuple[str, Match], ...]
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "verdict"

    def describe(self) -> str:
        return "verdict"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        match = dict(self.verdicts).get(element.Name, Match.FAIL)
        return Check(match, match.value, f"{element.Name}: {match.value}")

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.file.by_type("IfcProduct")


def outcome(facet: RelatedFacet, model: Model, element: ifcopenshell.entity_instance) -> Match:
    return facet.check(model, element).match


# --- "doors in walls with FireRating EI 60" -----------------------------------------------------


def fire_doors() -> Model:
    """Two walls (EI 60, EI 30) with doors; D4 is set in no opening and has no geometry."""
    plan = Plan()
    ei60 = plan.element("IfcWall", "EI60 wall", (0.0, 0.0, 0.0, 8.0, 0.2, 2.5))
    ei30 = plan.element("IfcWall", "EI30 wall", (0.0, 5.0, 0.0, 8.0, 5.2, 2.5))
    plan.builder.pset(ei60, "Pset_WallCommon", {"FireRating": "EI 60"})
    plan.builder.pset(ei30, "Pset_WallCommon", {"FireRating": "EI 30"})
    d1 = plan.filling("IfcDoor", "D1", ei60, (1.0, 0.0, 0.0, 1.9, 0.2, 2.1), (1.0, 0.05, 0.0, 1.9, 0.15, 2.1))
    plan.filling("IfcDoor", "D2", ei60, (3.0, 0.0, 0.0, 3.9, 0.2, 2.1), (3.0, 0.05, 0.0, 3.9, 0.15, 2.1))
    plan.filling("IfcDoor", "D3", ei30, (1.0, 5.0, 0.0, 1.9, 5.2, 2.1), (1.0, 5.05, 0.0, 1.9, 5.15, 2.1))
    plan.element("IfcDoor", "D4", None)
    plan.builder.pset(d1, "Pset_DoorCommon", {"FireRating": "EI 30"})
    return plan.model()


IN_EI60_WALL = RelatedFacet("host", (prop("Pset_WallCommon", "FireRating", "EI 60"),))


def test_doors_in_walls_with_fire_rating_ei_60_are_selected_through_their_host() -> None:
    model = fire_doors()
    requirement = Requirement(
        "R",
        "doors in EI 60 walls are EI 30",
        (entity("IFCDOOR"), IN_EI60_WALL),
        (prop("Pset_DoorCommon", "FireRating", "EI 30"),),
    )
    result = evaluate(model, requirement)
    statuses = {e.name: e.status for e in result.elements}
    # D1, D2 are in the EI 60 wall; D3 in the EI 30 wall is not selected; D4's host is unknown.
    assert statuses == {"D1": Status.PASS, "D2": Status.FAIL, "D4": Status.NOT_EVALUABLE}
    assert result.applicable_count == 2
    undecided = next(e for e in result.elements if e.name == "D4")
    assert undecided.findings[0].reason == "applicability_unknown"
    assert "host cannot be determined" in (undecided.findings[0].observed or "")
    assert result.status is Status.FAIL


def test_without_an_entity_facet_the_relation_supplies_the_candidates() -> None:
    model = fire_doors()
    result = evaluate(model, Requirement("R", "in EI 60 walls", (IN_EI60_WALL,)))
    selected = sorted(e.name or "" for e in result.elements if e.status is Status.PASS)
    # The doors and the two openings of the EI 60 wall; D4 stays undecided.
    assert selected == ["D1", "D2", "opening in EI60 wall", "opening in EI60 wall"]
    assert [e.name for e in result.elements if e.status is Status.NOT_EVALUABLE] == ["D4"]


def test_the_observed_text_names_the_method_and_the_matching_elements() -> None:
    model = fire_doors()
    d1 = next(d for d in model.file.by_type("IfcDoor") if d.Name == "D1")
    check = IN_EI60_WALL.check(model, d1)
    assert check.observed == "1 host by IfcRelFillsElement/IfcRelVoidsElement, 1 matching (EI60 wall)"
    plan, named = flat(boundaries=False)
    windows = RelatedFacet("windows").check(plan.model(), named["B"])
    assert windows.observed == "2 windows by geometric adjacency (within 0.05 m) (W2, WX)"


# --- quantifiers and counts ------------------------------------------------------------------------


@pytest.fixture
def rooms() -> tuple[Model, dict[str, ifcopenshell.entity_instance]]:
    """The shared flat: A has W1, B has W2 and WX, the corridor C none; W2 is external."""
    plan, named = flat()
    plan.builder.pset(named["W2"], "Pset_WindowCommon", {"IsExternal": True})
    plan.builder.pset(named["W1"], "Pset_WindowCommon", {"IsExternal": False})
    return plan.model(), named


EXTERNAL = prop("Pset_WindowCommon", "IsExternal", "true")


@pytest.mark.parametrize(
    ("quantifier", "expected"),
    [
        # A: W1 internal; B: W2 external, WX without the property; C: no windows at all.
        ("any", {"A": Match.FAIL, "B": Match.PASS, "C": Match.ABSENT}),
        ("all", {"A": Match.FAIL, "B": Match.FAIL, "C": Match.ABSENT}),
        ("none", {"A": Match.PASS, "B": Match.FAIL, "C": Match.PASS}),
    ],
)
def test_quantifiers_over_the_windows_of_rooms(
    rooms: tuple[Model, dict[str, ifcopenshell.entity_instance]], quantifier: str, expected: dict[str, Match]
) -> None:
    model, named = rooms
    facet = RelatedFacet("windows", (EXTERNAL,), quantifier=quantifier)
    assert {r: outcome(facet, model, named[r]) for r in "ABC"} == expected


def test_all_passes_when_every_related_element_matches(
    rooms: tuple[Model, dict[str, ifcopenshell.entity_instance]],
) -> None:
    model, named = rooms
    has_set = RelatedFacet("windows", (prop("Pset_WindowCommon", "IsExternal"),), quantifier="all")
    assert outcome(has_set, model, named["A"]) is Match.PASS  # W1 has it
    assert outcome(has_set, model, named["B"]) is Match.FAIL  # WX lacks it


def test_a_prohibited_where_facet_matches_related_elements_without_the_property(
    rooms: tuple[Model, dict[str, ifcopenshell.entity_instance]],
) -> None:
    model, named = rooms
    unmarked = RelatedFacet("windows", (prop("Pset_WindowCommon", "IsExternal", cardinality=PROHIBITED),))
    check = unmarked.check(model, named["B"])
    assert (check.match, check.value) == (Match.PASS, 1)  # WX only


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (ValueSpec(simple="2"), {"A": Match.FAIL, "B": Match.PASS, "C": Match.FAIL}),
        (ValueSpec(min_inclusive="1"), {"A": Match.PASS, "B": Match.PASS, "C": Match.FAIL}),
        (ValueSpec(simple="0"), {"A": Match.FAIL, "B": Match.FAIL, "C": Match.PASS}),
    ],
)
def test_counts_of_related_elements(
    rooms: tuple[Model, dict[str, ifcopenshell.entity_instance]], count: ValueSpec, expected: dict[str, Match]
) -> None:
    model, named = rooms
    facet = RelatedFacet("windows", count=count)
    assert {r: outcome(facet, model, named[r]) for r in "ABC"} == expected


# --- undetermined related elements and relations ----------------------------------------------------


@pytest.mark.parametrize(
    ("verdicts", "quantifier", "count", "expected"),
    [
        # Room B's windows are W2 and WX; the verdict facet decides each.
        ((("W2", Match.UNKNOWN), ("WX", Match.FAIL)), "any", None, Match.UNKNOWN),
        ((("W2", Match.UNKNOWN), ("WX", Match.PASS)), "any", None, Match.PASS),
        ((("W2", Match.UNKNOWN), ("WX", Match.PASS)), "all", None, Match.UNKNOWN),
        ((("W2", Match.UNKNOWN), ("WX", Match.FAIL)), "all", None, Match.FAIL),
        ((("W2", Match.UNKNOWN), ("WX", Match.FAIL)), "none", None, Match.UNKNOWN),
        ((("W2", Match.UNKNOWN), ("WX", Match.PASS)), "none", None, Match.FAIL),
        # 1 match and 1 unknown: "exactly 1" could be 1 or 2; "at least 1" holds either way.
        ((("W2", Match.UNKNOWN), ("WX", Match.PASS)), "any", ValueSpec(simple="1"), Match.UNKNOWN),
        ((("W2", Match.UNKNOWN), ("WX", Match.PASS)), "any", ValueSpec(min_inclusive="1"), Match.PASS),
        ((("W2", Match.UNKNOWN), ("WX", Match.PASS)), "any", ValueSpec(min_inclusive="3"), Match.FAIL),
    ],
)
def test_an_undecided_related_element_decides_only_when_it_could_change_the_outcome(
    rooms: tuple[Model, dict[str, ifcopenshell.entity_instance]],
    verdicts: tuple[tuple[str, Match], ...],
    quantifier: str,
    count: ValueSpec | None,
    expected: Match,
) -> None:
    model, named = rooms
    facet = RelatedFacet("windows", (Verdict(verdicts),), quantifier=quantifier, count=count)
    check = facet.check(model, named["B"])
    assert check.match is expected
    if expected is Match.UNKNOWN:
        assert "1 undetermined" in (check.observed or "")


def test_a_relation_that_cannot_be_determined_is_unknown_with_its_reason() -> None:
    plan = Plan()
    room = plan.builder.create("IfcSpace", "no shape")
    model = plan.model()
    for facet in (
        RelatedFacet("windows"),
        RelatedFacet("windows", quantifier="none"),
        RelatedFacet("windows", count=ValueSpec(simple="0")),
    ):
        check = facet.check(model, room)
        assert check.match is Match.UNKNOWN
        assert check.observed == (
            "windows cannot be determined by geometric adjacency (within 0.05 m): "
            "the space has no usable geometry (has no geometric representation)"
        )


def test_a_room_with_undetermined_windows_is_not_evaluable_never_passed() -> None:
    plan = Plan()
    room = plan.builder.create("IfcSpace", "no shape")
    ifcopenshell.api.run("aggregate.assign_object", plan.file, relating_object=plan.storey, products=[room])
    requirement = Requirement("R", "rooms have a window", (entity("IFCSPACE"),), (RelatedFacet("windows"),))
    result = evaluate(plan.model(), requirement)
    assert [e.status for e in result.elements] == [Status.NOT_EVALUABLE]
    assert result.status is Status.NOT_EVALUABLE


def test_describe_names_the_relation_its_arguments_and_condition() -> None:
    facet = RelatedFacet("windows", (EXTERNAL,), arguments=(("method", "geometry"),))
    assert facet.describe() == "any windows (method=geometry) with Pset_WindowCommon.IsExternal = true"
    counted = RelatedFacet("doors", count=ValueSpec(min_inclusive="1"))
    assert counted.describe() == "number of doors with any element: >= 1"
