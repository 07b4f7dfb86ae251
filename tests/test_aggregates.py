"""Key figures: counts, sums, means and ratios per group, unknown values, and the status they give."""

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
from bimcheck.rules import aggregates
from bimcheck.rules.aggregates import Aggregate, check_group_key
from bimcheck.rules.facets import (
    REQUIRED,
    Check,
    ClassificationFacet,
    EntityFacet,
    Match,
    MaterialFacet,
    PropertyFacet,
)
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder
from tests.floorplan import flat

SPACES = EntityFacet(name=ValueSpec(simple="IFCSPACE"))
WALLS = EntityFacet(name=ValueSpec(simple="IFCWALL"))
DWELLING_NUMBER = "Pset_Lägenhet.Lägenhetsnummer"
SYSTEM = "SS 21054:2020"


def v(text: str) -> ValueSpec:
    return ValueSpec(simple=text)


# storey, name, LongName, SS 21054 area type, NetFloorArea (m²), dwelling number (None: common space)
ROOMS = (
    ("Plan 1", "S1", "Vardagsrum", "BOA", 20.0, "1001"),
    ("Plan 1", "S2", "Sovrum", "BOA", 12.0, "1001"),
    ("Plan 1", "S3", "Förråd", "BIA", 4.0, "1001"),
    ("Plan 1", "S4", "Vardagsrum", "BOA", 25.0, "1002"),
    ("Plan 2", "S5", "Sovrum", "BOA", 10.0, "1003"),
    ("Plan 2", "S6", "Trapphus", "BIA", 15.0, None),
)


def block(zones: bool = False, missing_area: str | None = None) -> Model:
    """Six rooms on two storeys (and an empty attic), dwellings by property and optionally by IfcZone."""
    builder = ModelBuilder(storeys=("Plan 1", "Plan 2", "Vind"))
    by_dwelling: dict[str, list[ifcopenshell.entity_instance]] = {}
    for storey, name, long_name, area_type, area, dwelling in ROOMS:
        space = builder.create("IfcSpace", name, LongName=long_name)
        ifcopenshell.api.run(
            "aggregate.assign_object", builder.file, relating_object=builder.storeys[storey], products=[space]
        )
        if name != missing_area:
            builder.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": area})
        builder.classify(space, SYSTEM, area_type)
        if dwelling is not None:
            builder.pset(space, "Pset_Lägenhet", {"Lägenhetsnummer": dwelling})
            by_dwelling.setdefault(dwelling, []).append(space)
    if zones:
        for number, spaces in by_dwelling.items():
            zone = builder.create("IfcZone", f"Lgh {number}")
            ifcopenshell.api.run("group.assign_group", builder.file, products=spaces, group=zone)
    return builder.model()


def figures(model: Model, aggregate: Aggregate, facets: tuple = (SPACES,)) -> dict[str | None, float | None]:
    result = evaluate(model, Requirement("K", "key figure", facets, aggregate=aggregate))
    assert result.status is not Status.ERROR, result.message
    return {k.group: k.value for k in result.key_figures}


# --- grouped figures, hand-computed from ROOMS ----------------------------------------------------


def test_counts_per_storey_list_every_storey_even_an_empty_one() -> None:
    assert figures(block(), Aggregate("count", group_by="storey")) == {
        "Plan 1": 4.0,
        "Plan 2": 2.0,
        "Vind": 0.0,
    }


def test_area_sums_by_ss_21054_area_type() -> None:
    # BOA: 20 + 12 + 25 + 10 = 67; BIA: 4 + 15 = 19.
    total = Aggregate("sum", measure="net_floor_area", group_by=f"classification:{SYSTEM}")
    assert figures(block(), total) == {"BOA": 67.0, "BIA": 19.0}


def test_mean_min_and_max_per_group() -> None:
    model = block()
    mean = Aggregate("mean", measure="net_floor_area", group_by="long_name")
    # Vardagsrum (20 + 25) / 2; Sovrum (12 + 10) / 2; one Förråd and one Trapphus.
    assert figures(model, mean) == {"Vardagsrum": 22.5, "Sovrum": 11.0, "Förråd": 4.0, "Trapphus": 15.0}
    smallest = Aggregate("min", measure="net_floor_area", group_by="storey")
    largest = Aggregate("max", measure="net_floor_area", group_by="storey")
    assert figures(model, smallest) == {"Plan 1": 4.0, "Plan 2": 10.0, "Vind": None}
    assert figures(model, largest) == {"Plan 1": 25.0, "Plan 2": 15.0, "Vind": None}


def test_an_empty_group_has_no_mean_and_is_not_judged() -> None:
    model = block()
    mean = Aggregate("mean", measure="net_floor_area", group_by="storey", value=ValueSpec(min_inclusive="5"))
    result = evaluate(model, Requirement("K", "mean area", (SPACES,), aggregate=mean))
    by_group = {k.group: k for k in result.key_figures}
    assert by_group["Vind"].status is Status.NOT_APPLICABLE
    assert by_group["Vind"].message == "no elements to take the mean of"
    # Plan 1: 61 / 4 = 15.25, Plan 2: 25 / 2 = 12.5, both ≥ 5.
    assert (by_group["Plan 1"].value, by_group["Plan 2"].value) == (15.25, 12.5)
    assert result.status is Status.PASS


def test_the_number_of_dwellings_counts_distinct_dwellings() -> None:
    by_property = Aggregate("count", distinct=f"dwelling:{DWELLING_NUMBER}")
    assert figures(block(), by_property) == {None: 3.0}  # 1001, 1002, 1003; the stairwell is in none
    assert figures(block(zones=True), Aggregate("count", distinct="dwelling")) == {None: 3.0}
    per_storey = Aggregate("count", distinct=f"dwelling:{DWELLING_NUMBER}", group_by="storey")
    assert figures(block(), per_storey) == {"Plan 1": 2.0, "Plan 2": 1.0, "Vind": 0.0}


def test_living_area_per_dwelling_by_property_and_by_zone() -> None:
    boa = (SPACES, ClassificationFacet(system=v(SYSTEM), value=v("BOA")))
    # 1001: 20 + 12 = 32 (its Förråd is BIA); 1002: 25; 1003: 10.
    by_property = Aggregate("sum", measure="net_floor_area", group_by=f"dwelling:{DWELLING_NUMBER}")
    assert figures(block(), by_property, boa) == {"1001": 32.0, "1002": 25.0, "1003": 10.0}
    by_zone = Aggregate("sum", measure="net_floor_area", group_by="dwelling")
    assert figures(block(zones=True), by_zone, boa) == {"Lgh 1001": 32.0, "Lgh 1002": 25.0, "Lgh 1003": 10.0}


def test_every_dwelling_needs_a_bedroom_and_one_without_fails() -> None:
    aggregate = Aggregate(
        "count",
        where=(_LongName("Sovrum"),),
        group_by=f"dwelling:{DWELLING_NUMBER}",
        value=ValueSpec(min_inclusive="1"),
    )
    result = evaluate(block(), Requirement("K", "a bedroom per dwelling", (SPACES,), aggregate=aggregate))
    counted = {k.group: (k.value, k.status) for k in result.key_figures}
    # 1002 has only a living room: 0 bedrooms. The stairwell, in no dwelling, is reported in
    # group (none) but not judged: it is not a dwelling.
    assert counted == {
        "1001": (1.0, Status.PASS),
        "1002": (0.0, Status.FAIL),
        "1003": (1.0, Status.PASS),
        "(none)": (0.0, Status.NOT_APPLICABLE),
    }
    assert result.status is Status.FAIL
    not_counted = [e.name for e in result.elements if e.findings[0].reason == "not_counted"]
    assert not_counted == ["S1", "S3", "S4", "S6"]


def test_an_element_in_two_groups_counts_in_both() -> None:
    plan, named = flat()
    plan.zone("Lgh 1001", [named["A"]])
    plan.zone("Lgh 1002", [named["B"], named["C"]])
    doors = EntityFacet(name=v("IFCDOOR"))
    # D1 opens from A (1001) into the corridor C (1002); D2 from B into C, both 1002.
    assert figures(plan.model(), Aggregate("count", group_by="dwelling"), (doors,)) == {
        "Lgh 1001": 1.0,
        "Lgh 1002": 2.0,
    }


def test_a_ratio_of_counts() -> None:
    boa = ClassificationFacet(system=v(SYSTEM), value=v("BOA"))
    assert figures(block(), Aggregate("ratio", where=(boa,))) == {None: pytest.approx(4 / 6)}


# --- timber share -----------------------------------------------------------------------------------


def structure(unknown_volume: bool = False) -> Model:
    """Load-bearing walls: three of timber (2 m³ each) and one of concrete (4 m³); a timber
    partition that bears no load; optionally a load-bearing wall without any volume."""
    builder = ModelBuilder()
    walls = [
        ("T1", "KL-trä", 2.0),
        ("T2", "KL-trä", 2.0),
        ("T3", "Limträ GL30c", 2.0),
        ("C1", "Betong C30/37", 4.0),
    ]
    walls.append(("P1", "Regel trä", 1.0))
    if unknown_volume:
        walls.append(("X1", "Betong C30/37", None))  # type: ignore[arg-type]
    for name, material, volume in walls:
        wall = builder.element("IfcWall", name)
        builder.material(wall, material)
        builder.pset(wall, "Pset_WallCommon", {"LoadBearing": name != "P1"})
        if volume is not None:
            builder.qto(wall, "Qto_WallBaseQuantities", {"NetVolume": volume})
    return builder.model()


LOAD_BEARING = (WALLS, PropertyFacet(v("Pset_WallCommon"), v("LoadBearing"), value=v("true")))
TIMBER = MaterialFacet(value=ValueSpec(patterns=(".*(trä|Trä|timber|Timber).*",)))


def test_timber_share_of_the_load_bearing_volume() -> None:
    # (3 × 2 m³ timber) / (3 × 2 + 4 m³) = 6 / 10 = 0.6; the non-load-bearing partition is left out.
    share = Aggregate("ratio", measure="volume", where=(TIMBER,), value=ValueSpec(min_inclusive="0.5"))
    result = evaluate(structure(), Requirement("T", "mainly timber", LOAD_BEARING, aggregate=share))
    assert [k.value for k in result.key_figures] == [pytest.approx(0.6)]
    assert result.status is Status.PASS
    contributions = {e.name: e.findings[0].message for e in result.elements}
    assert contributions["C1"] == "contributes volume = 4 m3 (to the whole only)"
    assert contributions["T1"] == "contributes volume = 2 m3"


def test_a_missing_volume_makes_the_share_not_evaluable_and_says_whose() -> None:
    share = Aggregate("ratio", measure="volume", where=(TIMBER,), value=ValueSpec(min_inclusive="0.5"))
    result = evaluate(
        structure(unknown_volume=True), Requirement("T", "mainly timber", LOAD_BEARING, aggregate=share)
    )
    figure = result.key_figures[0]
    assert figure.value is None
    assert figure.status is Status.NOT_EVALUABLE
    assert (figure.message or "").startswith("1 of 5 value(s) could not be determined (IfcWall X1: ")
    assert result.status is Status.NOT_EVALUABLE


def test_a_sum_with_a_missing_value_is_not_a_smaller_sum() -> None:
    result = evaluate(
        block(missing_area="S5"),
        Requirement(
            "K", "area", (SPACES,), aggregate=Aggregate("sum", measure="net_floor_area", group_by="storey")
        ),
    )
    by_group = {k.group: k for k in result.key_figures}
    assert by_group["Plan 1"].value == 61.0  # 20 + 12 + 4 + 25: every value known
    assert by_group["Plan 2"].value is None  # S6 alone would say 15
    assert by_group["Plan 2"].status is Status.NOT_EVALUABLE
    assert (by_group["Plan 2"].message or "").startswith(
        "1 of 2 value(s) could not be determined (IfcSpace S5:"
    )
    assert result.status is Status.NOT_EVALUABLE
    assert (result.message or "").startswith("sum(net_floor_area) cannot be determined: Plan 2: 1 of 2")


def test_a_sum_of_nothing_is_zero() -> None:
    lifts = EntityFacet(name=v("IFCTRANSPORTELEMENT"))
    assert figures(block(), Aggregate("sum", measure="volume"), (lifts,)) == {None: 0.0}


# --- glazed area over floor area ---------------------------------------------------------------------


def glazed_flat(fraction_of_wx: bool = True) -> tuple[Model, dict[str, ifcopenshell.entity_instance]]:
    """The shared flat with window areas and glazing fractions, and room floor areas.

    W1 1.2 × 1.2 m at 75 % glass = 1.08 m²; W2 1.0 × 1.2 at 80 % = 0.96; WX 0.65 × 1.2 at 50 % = 0.39.
    Rooms: A 4 × 3 = 12 m², B 3 × 3 = 9 m², corridor C 7.1 × 1.5 = 10.65 m².
    """
    plan, named = flat()
    windows = {"W1": (1.44, 0.75), "W2": (1.2, 0.8), "WX": (0.78, 0.5)}
    for name, (area, fraction) in windows.items():
        plan.builder.qto(named[name], "Qto_WindowBaseQuantities", {"Area": area})
        if name != "WX" or fraction_of_wx:
            plan.builder.pset(named[name], "Pset_WindowCommon", {"GlazingAreaFraction": fraction})
    for room, area in (("A", 12.0), ("B", 9.0), ("C", 10.65)):
        plan.builder.qto(named[room], "Qto_SpaceBaseQuantities", {"NetFloorArea": area})
    plan.zone("Lgh 1001", [named["A"], named["B"]])
    return plan.model(), named


def test_glazed_area_and_glazing_ratio_per_room() -> None:
    model, named = glazed_flat()
    glazed = {r: model.measures.get(named[r], "room_glazed_area") for r in "ABC"}
    assert {r: m.value for r, m in glazed.items()} == pytest.approx({"A": 1.08, "B": 1.35, "C": 0.0})
    assert glazed["A"].source == "property: glazed_area of 1 window(s) by IfcRelSpaceBoundary"
    ratio = {r: model.measures.get(named[r], "glazing_ratio").value for r in "ABC"}
    # 1.08 / 12 = 0.09 (under BBR's 10 %), 1.35 / 9 = 0.15, 0 / 10.65 = 0.
    assert ratio == pytest.approx({"A": 0.09, "B": 0.15, "C": 0.0})
    assert model.measures.get(named["B"], "window_count").value == 2.0
    assert model.measures.get(named["C"], "door_count").value == 2.0


def test_glazed_area_over_floor_area_per_dwelling() -> None:
    model, _ = glazed_flat()
    per_dwelling = Aggregate(
        "ratio", measure="room_glazed_area", denominator="net_floor_area", group_by="dwelling"
    )
    # (1.08 + 1.35) / (12 + 9) = 2.43 / 21; the corridor is in no dwelling: 0 / 10.65.
    assert figures(model, per_dwelling) == pytest.approx({"Lgh 1001": 2.43 / 21, "(none)": 0.0})


def test_a_window_without_a_glazed_area_leaves_the_room_unknown_and_names_it() -> None:
    model, named = glazed_flat(fraction_of_wx=False)
    glazed = model.measures.get(named["B"], "room_glazed_area")
    assert glazed.value is None
    assert (glazed.reason or "").startswith("glazed area unknown for 1 of 2 window(s) (WX: ")
    ratio = model.measures.get(named["B"], "glazing_ratio")
    assert (ratio.reason or "").startswith("room_glazed_area unknown: glazed area unknown for 1 of 2")
    assert model.measures.get(named["A"], "room_glazed_area").value == pytest.approx(1.08)


# --- undecided selections, thresholds and the requirement they decide ---------------------------------


@dataclass(frozen=True)
class _LongName:
    """A where facet on LongName that cannot decide rooms named "?"."""

    long_name: str
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "long_name"

    def describe(self) -> str:
        return f"LongName {self.long_name}"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        if element.Name == "?":
            return Check(Match.UNKNOWN, "unknown", "cannot read it")
        return Check(Match.PASS if element.LongName == self.long_name else Match.FAIL, "ok")

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.file.by_type("IfcSpace")


def test_an_element_that_may_or_may_not_count_makes_the_count_unknown() -> None:
    builder = ModelBuilder()
    for name in ("S1", "?"):
        builder.create("IfcSpace", name, LongName="Sovrum")
    model = builder.model()
    count = Aggregate("count", where=(_LongName("Sovrum"),), value=ValueSpec(min_inclusive="1"))
    result = evaluate(model, Requirement("K", "bedrooms", (SPACES,), aggregate=count))
    assert result.key_figures[0].value is None
    assert "cannot tell whether it counts (cannot read it)" in (result.key_figures[0].message or "")
    assert result.status is Status.NOT_EVALUABLE


def test_a_key_figure_without_a_threshold_is_reported_and_neither_passes_nor_fails() -> None:
    result = evaluate(
        block(), Requirement("K", "BOA", (SPACES,), aggregate=Aggregate("sum", measure="net_floor_area"))
    )
    assert [(k.value, k.status) for k in result.key_figures] == [(86.0, Status.NOT_APPLICABLE)]
    assert result.status is Status.NOT_APPLICABLE
    assert result.message == "key figure reported without a threshold"
    assert not result.failed


@pytest.mark.parametrize(
    ("minimum_area", "bound", "status", "message"),
    [
        # Elements: every room ≥ minimum_area; figure: total area (86 m²) within bound.
        ("1", "80", Status.PASS, "all 6 applicable element(s) pass; 1 key figure(s) within >= 80"),
        ("1", "100", Status.FAIL, "all 6 applicable element(s) pass; 1 of 1 key figure(s) outside >= 100"),
        ("5", "80", Status.FAIL, "1 of 6 applicable element(s) fail; 1 key figure(s) within >= 80"),
        ("1", None, Status.PASS, "all 6 applicable element(s) pass; key figure reported without a threshold"),
    ],
)
def test_element_results_and_a_key_figure_combine_into_the_requirement_status(
    minimum_area: str, bound: str | None, status: Status, message: str
) -> None:
    from bimcheck.rules.measure_facet import MeasureFacet

    value = None if bound is None else ValueSpec(min_inclusive=bound)
    requirement = Requirement(
        "K",
        "rooms and total",
        (SPACES,),
        (MeasureFacet("net_floor_area", ValueSpec(min_inclusive=minimum_area)),),
        aggregate=Aggregate("sum", measure="net_floor_area", value=value),
    )
    result = evaluate(block(), requirement)
    assert (result.status, result.message) == (status, message)
    assert [k.value for k in result.key_figures] == [86.0]


def test_a_key_figure_that_cannot_be_determined_keeps_passing_elements_from_passing_the_requirement() -> None:
    from bimcheck.rules.measure_facet import MeasureFacet

    requirement = Requirement(
        "K",
        "rooms have an area; total reported",
        (SPACES,),
        (MeasureFacet("net_floor_area", ValueSpec(min_inclusive="1")),),
        aggregate=Aggregate("sum", measure="volume"),
    )
    result = evaluate(block(), requirement)
    assert {e.status for e in result.elements} == {Status.PASS}
    assert result.key_figures[0].status is Status.NOT_EVALUABLE
    assert result.status is Status.NOT_EVALUABLE


def test_grouping_keys_are_checked() -> None:
    assert check_group_key("dwelling:Pset_Lägenhet.Lägenhetsnummer")
    assert check_group_key("classification:CoClass")
    with pytest.raises(ValueError, match="not one of storey"):
        check_group_key("dwelling:nodot")
    with pytest.raises(ValueError, match="not one of storey"):
        check_group_key("floor")
    assert "dwelling" in aggregates.GROUP_WORDS


def test_an_element_of_undecided_applicability_leaves_its_group_s_figure_undetermined() -> None:
    builder = ModelBuilder(storeys=("Plan 1", "Plan 2"))
    for name, storey in (("S1", "Plan 1"), ("?", "Plan 1"), ("S2", "Plan 2")):
        space = builder.create("IfcSpace", name, LongName="Sovrum")
        ifcopenshell.api.run(
            "aggregate.assign_object", builder.file, relating_object=builder.storeys[storey], products=[space]
        )
    count = Aggregate("count", group_by="storey", value=ValueSpec(min_inclusive="1"))
    result = evaluate(
        builder.model(), Requirement("K", "bedrooms", (SPACES, _LongName("Sovrum")), aggregate=count)
    )
    by_group = {k.group: k for k in result.key_figures}
    # Plan 1 has S1 and perhaps "?": 1 or 2, not a number to report; Plan 2 has S2 for certain.
    assert by_group["Plan 1"].value is None
    assert by_group["Plan 1"].message == (
        "1 of 2 value(s) could not be determined (IfcSpace ?: cannot tell whether it is selected)"
    )
    assert (by_group["Plan 2"].value, by_group["Plan 2"].status) == (1.0, Status.PASS)
    assert result.status is Status.NOT_EVALUABLE


def test_an_element_whose_dwelling_cannot_be_told_makes_the_figures_undetermined() -> None:
    plan, named = flat(boundaries=False)
    plan.zone("Lgh 1001", [named["A"], named["B"]])
    walls = EntityFacet(name=v("IFCWALL"))
    # Without space boundaries bimcheck does not derive which rooms a wall bounds.
    result = evaluate(
        plan.model(), Requirement("K", "walls", (walls,), aggregate=Aggregate("count", group_by="dwelling"))
    )
    by_group = {k.group: k for k in result.key_figures}
    assert by_group["(undetermined)"].status is Status.NOT_EVALUABLE
    assert by_group["(undetermined)"].count == 3
    assert result.status is Status.NOT_EVALUABLE
