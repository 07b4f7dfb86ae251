"""Engine: specification cardinality, broadphase selection, error isolation, deterministic output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import ifcopenshell.api
import ifcopenshell.guid
import pytest

from bimcheck.engine import check_model, evaluate, run_check, select_applicable
from bimcheck.model.ifcmodel import Model, open_model
from bimcheck.model.relations import CONTAINMENT, GROUPS
from bimcheck.results import Status, run_to_dict
from bimcheck.rules.facets import (
    OPTIONAL,
    PROHIBITED,
    REQUIRED,
    AttributeFacet,
    Check,
    ClassificationFacet,
    EntityFacet,
    Facet,
    Match,
    MaterialFacet,
    PartOfFacet,
    PropertyFacet,
)
from bimcheck.rules.ids import load_ids
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder
from tests.conftest import SHARED_MODELS, require_shared


def v(text: str) -> ValueSpec:
    return ValueSpec(simple=text)


WALLS = EntityFacet(name=v("IFCWALL"))
FIRE_RATING = PropertyFacet(property_set=v("Pset_WallCommon"), base_name=v("FireRating"))


def requirement(
    applicability: tuple[Facet, ...], requirements: tuple[Facet, ...] = (), cardinality: str = REQUIRED
) -> Requirement:
    return Requirement(
        id="R1", title="test", applicability=applicability, requirements=requirements, cardinality=cardinality
    )


def rich_model() -> ModelBuilder:
    """Elements that differ in every way an applicability facet can tell them apart."""
    builder = ModelBuilder(storeys=("Plan 1", "Plan 2"))
    rated = builder.element("IfcWall", "Rated")
    builder.pset(rated, "Pset_WallCommon", {"FireRating": "EI 60", "IsExternal": True})
    builder.classify(rated, "CoClass", "NCB")
    builder.material(rated, "Betong")
    typed = builder.element("IfcWall", "Typed", storey="Plan 2")
    wall_type = builder.typed(typed, "IfcWallType", "WT")
    builder.pset(wall_type, "Pset_WallCommon", {"FireRating": "EI 30"})
    builder.classify(wall_type, "CoClass", "NCC")
    builder.material(wall_type, "Tegel")
    builder.element("IfcWall", "Bare")
    builder.create("IfcWall", "Uncontained")
    slab = builder.element("IfcSlab", "Slab")
    builder.pset(slab, "Pset_SlabCommon", {"FireRating": "REI 60"})
    builder.classify(slab, "Uniclass", "EF_30_20")
    door = builder.element("IfcDoor", "Door", OverallWidth=0.9)
    builder.pset(door, "Pset_DoorCommon", {"FireRating": "EI 30"})
    space = builder.create("IfcSpace", "Room")
    ifcopenshell.api.run(
        "aggregate.assign_object", builder.file, relating_object=builder.storeys["Plan 1"], products=[space]
    )
    builder.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": 12.0})
    zone = builder.create("IfcZone", "Apartment")
    builder.file.createIfcRelAssignsToGroup(ifcopenshell.guid.new(), None, None, None, (space,), None, zone)
    return builder


def brute_force(model: Model, facets: tuple[Facet, ...]) -> set[str]:
    """Every IfcRoot element that every facet passes, without any broadphase."""
    return {
        e.GlobalId
        for e in model.file.by_type("IfcRoot")
        if all(f.check(model, e).match is Match.PASS for f in facets)
    }


def selected(model: Model, facets: tuple[Facet, ...]) -> set[str]:
    return {e.GlobalId for e in select_applicable(model, facets) if e.is_a("IfcRoot")}


# Applicability without an entity facet: the engine must pick candidates from an index.
BROADPHASE_CASES = {
    "property only": (
        PropertyFacet(property_set=ValueSpec(patterns=("Pset_.*Common",)), base_name=v("FireRating")),
    ),
    "property value only": (
        PropertyFacet(property_set=v("Pset_WallCommon"), base_name=v("FireRating"), value=v("EI 30")),
    ),
    "quantity only": (PropertyFacet(property_set=v("Qto_SpaceBaseQuantities"), base_name=v("NetFloorArea")),),
    "classification only": (ClassificationFacet(system=v("CoClass")),),
    "classification code only": (ClassificationFacet(value=ValueSpec(patterns=("NC.",))),),
    "material only": (MaterialFacet(),),
    "material name only": (MaterialFacet(value=v("Tegel")),),
    "partOf storey only": (
        PartOfFacet(entity=EntityFacet(name=v("IFCBUILDINGSTOREY")), relation=CONTAINMENT),
    ),
    "partOf any ancestor": (PartOfFacet(entity=EntityFacet(name=v("IFCBUILDING"))),),
    "partOf group only": (PartOfFacet(entity=EntityFacet(name=v("IFCZONE")), relation=GROUPS),),
    "attribute only": (AttributeFacet(name=v("OverallWidth")),),
    "attribute value only": (AttributeFacet(name=v("Name"), value=ValueSpec(patterns=("R.*",))),),
    "two facets": (
        ClassificationFacet(system=v("CoClass")),
        PropertyFacet(property_set=v("Pset_WallCommon"), base_name=v("FireRating")),
    ),
}


@pytest.mark.parametrize("facets", BROADPHASE_CASES.values(), ids=BROADPHASE_CASES.keys())
def test_the_broadphase_selects_what_a_brute_force_scan_selects(facets: tuple[Facet, ...]) -> None:
    model = rich_model().model()
    expected = brute_force(model, facets)
    assert expected, "the model must give every case something to find"
    assert selected(model, facets) == expected


@pytest.mark.parametrize("facets", BROADPHASE_CASES.values(), ids=BROADPHASE_CASES.keys())
@pytest.mark.parametrize("name", ["IfcOpenHouse_IFC4.ifc", "Duplex_A_20110907.ifc"])
def test_the_broadphase_selects_what_a_brute_force_scan_selects_on_real_models(
    name: str, facets: tuple[Facet, ...]
) -> None:
    model = open_model(require_shared(SHARED_MODELS / name))
    assert selected(model, facets) == brute_force(model, facets)


def test_applicable_elements_come_in_file_order_without_duplicates() -> None:
    model = rich_model().model()
    facets = (ClassificationFacet(), MaterialFacet())
    ids = [e.id() for e in select_applicable(model, facets)]
    assert ids == sorted(set(ids))


# --- specification cardinality ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cardinality", "with_walls", "status"),
    [
        (REQUIRED, True, Status.PASS),
        (REQUIRED, False, Status.FAIL),  # needs at least one applicable element
        (OPTIONAL, True, Status.PASS),
        (OPTIONAL, False, Status.PASS),
        (PROHIBITED, True, Status.FAIL),
        (PROHIBITED, False, Status.PASS),
    ],
)
def test_specification_cardinality(cardinality: str, with_walls: bool, status: Status) -> None:
    builder = ModelBuilder()
    if with_walls:
        builder.pset(builder.element("IfcWall", "W"), "Pset_WallCommon", {"FireRating": "EI 60"})
    builder.element("IfcSlab", "S")
    requirements = (FIRE_RATING,) if cardinality != PROHIBITED else ()
    result = evaluate(builder.model(), requirement((WALLS,), requirements, cardinality))
    assert result.status is status
    assert result.applicable_count == (1 if with_walls else 0)
    assert result.cardinality == cardinality


def test_a_required_specification_fails_if_any_applicable_element_fails() -> None:
    builder = ModelBuilder()
    rated = builder.element("IfcWall", "Rated")
    builder.pset(rated, "Pset_WallCommon", {"FireRating": "EI 60"})
    bare = builder.element("IfcWall", "Bare")
    result = evaluate(builder.model(), requirement((WALLS,), (FIRE_RATING,)))
    assert result.status is Status.FAIL
    assert {e.global_id: e.status for e in result.elements} == {
        rated.GlobalId: Status.PASS,
        bare.GlobalId: Status.FAIL,
    }
    assert result.message == "1 of 2 applicable element(s) fail"
    finding = next(e for e in result.elements if e.global_id == bare.GlobalId).findings[0]
    assert finding.reason == "no_such_property"
    assert finding.expected == "Pset_WallCommon.FireRating has a value"


def test_every_element_matching_a_prohibited_specification_fails() -> None:
    builder = ModelBuilder()
    walls = {builder.element("IfcWall", f"W{i}").GlobalId for i in range(2)}
    result = evaluate(builder.model(), requirement((WALLS,), (), PROHIBITED))
    assert result.status is Status.FAIL
    assert {e.global_id for e in result.elements if e.status is Status.FAIL} == walls
    assert all(e.findings[0].reason == "prohibited_present" for e in result.elements)


def test_an_optional_requirement_facet_passes_when_the_data_is_absent() -> None:
    builder = ModelBuilder()
    builder.element("IfcWall", "W")
    optional = PropertyFacet(
        property_set=v("Pset_WallCommon"), base_name=v("FireRating"), cardinality=OPTIONAL
    )
    result = evaluate(builder.model(), requirement((WALLS,), (optional,)))
    assert result.status is Status.PASS
    assert result.elements[0].findings[0].reason == "ok_no_such_property"


def test_a_model_schema_outside_the_ifc_versions_is_evaluated_with_a_note() -> None:
    builder = ModelBuilder("IFC2X3")
    builder.element("IfcWall", "W")
    spec = Requirement(id="R", title="t", applicability=(WALLS,), ifc_versions=("IFC4",))
    result = evaluate(builder.model(), spec)
    assert result.status is Status.PASS
    assert result.notes == (
        "model schema IFC2X3 is not among the requirement's IFC versions (IFC4); evaluated anyway",
    )


# --- errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exploding:
    """A requirement facet whose check raises on one element, as corrupt data might."""

    victim: str
    kind: ClassVar[str] = "property"
    cardinality: str = REQUIRED

    def describe(self) -> str:
        return "explodes on one element"

    def check(self, model: Model, element) -> Check:
        if element.GlobalId == self.victim:
            raise ValueError("corrupt value")
        return Check(Match.PASS, "ok", "fine")

    def candidates(self, model: Model):
        raise RuntimeError("index broken")


def test_an_exception_in_one_elements_check_makes_only_that_element_error() -> None:
    builder = ModelBuilder()
    good = builder.element("IfcWall", "Good")
    bad = builder.element("IfcWall", "Bad")
    result = evaluate(builder.model(), requirement((WALLS,), (Exploding(bad.GlobalId),)))
    statuses = {e.global_id: e.status for e in result.elements}
    assert statuses == {good.GlobalId: Status.PASS, bad.GlobalId: Status.ERROR}
    finding = next(e for e in result.elements if e.global_id == bad.GlobalId).findings[0]
    assert finding.reason == "evaluation_error"
    assert "ValueError: corrupt value" in finding.message
    assert result.status is Status.ERROR  # not shown to pass


def test_a_failing_element_outweighs_an_element_in_error() -> None:
    builder = ModelBuilder()
    bad = builder.element("IfcWall", "Bad")
    builder.element("IfcWall", "NoRating")
    result = evaluate(builder.model(), requirement((WALLS,), (Exploding(bad.GlobalId), FIRE_RATING)))
    assert result.status is Status.FAIL


def test_a_requirement_whose_evaluation_raises_becomes_error_and_the_run_continues() -> None:
    builder = ModelBuilder()
    builder.pset(builder.element("IfcWall", "W"), "Pset_WallCommon", {"FireRating": "EI 60"})
    broken = requirement((Exploding("none"),))  # applicability without entity: candidates() raises
    fine = requirement((WALLS,), (FIRE_RATING,))
    results = check_model(builder.model(), [broken, fine])
    assert [r.status for r in results] == [Status.ERROR, Status.PASS]
    assert results[0].message == "could not evaluate: RuntimeError: index broken"
    assert results[0].elements == ()


# --- determinism -----------------------------------------------------------------------------

IDS = """<?xml version="1.0" encoding="UTF-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <info><title>Engine determinism</title></info>
  <specifications>
    <specification name="Walls have a fire rating" ifcVersion="IFC4">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
      </applicability>
      <requirements>
        <property><propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>FireRating</simpleValue></baseName></property>
      </requirements>
    </specification>
    <specification name="Classified elements have a material" ifcVersion="IFC4">
      <applicability minOccurs="0" maxOccurs="unbounded">
        <classification><system><simpleValue>CoClass</simpleValue></system></classification>
      </applicability>
      <requirements><material/></requirements>
    </specification>
  </specifications>
</ids>
"""


def test_results_are_deterministic_and_sorted(tmp_path: Path) -> None:
    ifc = rich_model().save(tmp_path / "rich.ifc")
    ids = tmp_path / "rules.ids"
    ids.write_text(IDS, encoding="utf-8")
    rules = load_ids(ids)
    first, second = (run_to_dict(run_check([ifc], rules)) for _ in range(2))
    first.pop("created")
    second.pop("created")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert [r["title"] for r in first["requirements"]] == [
        "Walls have a fire rating",
        "Classified elements have a material",
    ]  # requirements in file order
    for requirement_ in first["requirements"]:
        step_ids = [e["step_id"] for e in requirement_["elements"]]
        assert step_ids == sorted(step_ids)  # elements in model order
        assert step_ids
    walls = {e["name"]: e["status"] for e in first["requirements"][0]["elements"]}
    # Hand-checked against rich_model(): Rated has its own rating, Typed inherits EI 30.
    assert walls == {"Rated": "pass", "Typed": "pass", "Bare": "fail", "Uncontained": "fail"}


def test_a_facet_with_an_outcome_per_element_leaves_room_for_those_that_share(monkeypatch) -> None:
    """Outcomes are memoised per facet, each memo bounded on its own (here: two entries)."""
    import bimcheck.model.ifcmodel as ifcmodel

    monkeypatch.setattr(ifcmodel, "_MAX_OUTCOMES", 2)
    model = ModelBuilder().model()
    unique, shared = object(), object()
    for state in range(5):  # fills its own memo, and more
        model.outcome(unique, state, lambda state=state: state)
    calls = []
    for _ in range(3):
        assert model.outcome(shared, "same", lambda: calls.append(1) or "found") == "found"
    assert calls == [1]  # computed once, then shared
    assert model.outcome(unique, 4, lambda: "again") == "again"  # beyond its bound: not kept
