"""Engine with bimcheck's own constructs: unknown measures, undecided applicability, manual, key figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import ifcopenshell
import ifcopenshell.api

from bimcheck.engine import evaluate
from bimcheck.model.ifcmodel import Model
from bimcheck.reporters.console import render
from bimcheck.results import Kind, RunResult, Status, ToolInfo
from bimcheck.rules.aggregates import Aggregate
from bimcheck.rules.facets import REQUIRED, AttributeFacet, Check, EntityFacet, Match
from bimcheck.rules.measure_facet import MeasureFacet
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder

SPACES = EntityFacet(name=ValueSpec(simple="IFCSPACE"))


@dataclass(frozen=True)
class Oracle:
    """A facet whose verdict per element name is given by the test: PASS, FAIL or UNKNOWN."""

    verdicts: tuple[tuple[str, Match], ...]
    cardinality: str = REQUIRED
    instructions: str | None = None
    kind: ClassVar[str] = "oracle"

    def describe(self) -> str:
        return "oracle"

    def check(self, model: Model, element: ifcopenshell.entity_instance) -> Check:
        match = dict(self.verdicts)[element.Name]
        return Check(match, match.value, f"{element.Name}: {match.value}")

    def candidates(self, model: Model) -> Iterable[ifcopenshell.entity_instance]:
        return model.file.by_type("IfcSpace")


def rooms(*areas: float | None) -> Model:
    """Spaces named R0, R1…; an area of None leaves the space without a NetFloorArea quantity."""
    builder = ModelBuilder()
    storey = next(iter(builder.storeys.values()))
    for i, area in enumerate(areas):
        space = builder.create("IfcSpace", f"R{i}")
        ifcopenshell.api.run(
            "aggregate.assign_object", builder.file, relating_object=storey, products=[space]
        )
        if area is not None:
            builder.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": area})
    return builder.model()


def test_a_measure_that_cannot_be_determined_makes_the_element_not_evaluable_never_pass() -> None:
    model = rooms(9.0, None)
    req = Requirement(
        "R", "room area", (SPACES,), (MeasureFacet("net_floor_area", ValueSpec(min_inclusive="7")),)
    )
    result = evaluate(model, req)
    by_name = {e.name: e for e in result.elements}
    assert by_name["R0"].status is Status.PASS
    assert by_name["R1"].status is Status.NOT_EVALUABLE
    finding = by_name["R1"].findings[0]
    assert finding.status is Status.NOT_EVALUABLE
    assert finding.message.startswith("cannot decide net_floor_area >= 7 m2")
    assert result.status is Status.NOT_EVALUABLE


def test_one_failing_element_outweighs_undeterminable_ones() -> None:
    model = rooms(5.0, None)
    req = Requirement(
        "R", "room area", (SPACES,), (MeasureFacet("net_floor_area", ValueSpec(min_inclusive="7")),)
    )
    result = evaluate(model, req)
    assert result.status is Status.FAIL
    assert [e.status for e in result.elements] == [Status.FAIL, Status.NOT_EVALUABLE]


def test_an_element_whose_applicability_cannot_be_decided_is_listed_not_dropped() -> None:
    model = rooms(1, 2, 3)
    verdicts = (("R0", Match.PASS), ("R1", Match.UNKNOWN), ("R2", Match.FAIL))
    req = Requirement("R", "selected by an undecidable facet", (SPACES, Oracle(verdicts)))
    result = evaluate(model, req)
    statuses = {e.name: e.status for e in result.elements}
    # R2 is excluded by the facet, R0 applies and passes, R1 cannot be decided either way.
    assert statuses == {"R0": Status.PASS, "R1": Status.NOT_EVALUABLE}
    assert result.applicable_count == 1
    undecided = next(e for e in result.elements if e.name == "R1")
    assert undecided.findings[0].reason == "applicability_unknown"
    assert result.status is Status.NOT_EVALUABLE


def test_a_manual_requirement_lists_elements_to_verify_and_is_never_a_pass() -> None:
    model = rooms(10, 12)
    req = Requirement("M", "sound class", (SPACES,), manual=True, verification="ljudmätning")
    result = evaluate(model, req)
    assert result.status is Status.MANUAL
    assert [e.status for e in result.elements] == [Status.MANUAL, Status.MANUAL]
    assert result.message == "cannot be decided from the model: verify by hand (ljudmätning)"
    assert not result.failed  # not counted as failed…
    assert result.status not in (Status.PASS, Status.NOT_APPLICABLE)  # …nor as passed


def test_a_key_figure_alone_decides_the_requirement_and_shows_each_contribution() -> None:
    model = rooms(10.0, 12.5, 7.5)
    figure = Aggregate("sum", measure="net_floor_area", value=ValueSpec(min_inclusive="30"))
    result = evaluate(model, Requirement("K", "total area", (SPACES,), aggregate=figure))
    # 10.0 + 12.5 + 7.5 = 30.0 m², on the inclusive bound.
    assert [k.value for k in result.key_figures] == [30.0]
    assert result.key_figures[0].status is Status.PASS
    assert result.status is Status.PASS
    contributions = [f.value for e in result.elements for f in e.findings]
    assert contributions == [10.0, 12.5, 7.5]
    assert all(
        f.source == "property: Qto_SpaceBaseQuantities.NetFloorArea"
        for e in result.elements
        for f in e.findings
    )


def test_a_key_figure_with_a_missing_value_is_not_evaluable_not_a_smaller_sum() -> None:
    model = rooms(10.0, None)
    figure = Aggregate("sum", measure="net_floor_area", value=ValueSpec(max_inclusive="100"))
    result = evaluate(model, Requirement("K", "total area", (SPACES,), aggregate=figure))
    assert result.key_figures[0].value is None
    assert result.key_figures[0].status is Status.NOT_EVALUABLE
    assert result.status is Status.NOT_EVALUABLE


def test_a_key_figure_without_a_threshold_is_reported_not_judged() -> None:
    model = rooms(10.0, 20.0)
    figure = Aggregate("mean", measure="net_floor_area")
    result = evaluate(model, Requirement("K", "mean room area", (SPACES,), aggregate=figure))
    assert result.key_figures[0].value == 15.0  # (10 + 20) / 2
    assert result.status is Status.NOT_APPLICABLE
    assert not result.failed


def test_a_count_over_nothing_is_zero_and_its_threshold_decides() -> None:
    model = rooms()
    lifts = EntityFacet(name=ValueSpec(simple="IFCTRANSPORTELEMENT"))
    figure = Aggregate("count", value=ValueSpec(min_inclusive="1"))
    result = evaluate(model, Requirement("L", "lift", (lifts,), aggregate=figure))
    assert [k.value for k in result.key_figures] == [0.0]
    assert result.status is Status.FAIL


def test_the_console_report_shows_key_figures_and_manual_requirements() -> None:
    model = rooms(10.0, 20.0)
    figure = Aggregate("sum", measure="net_floor_area", name="BOA")
    results = (
        evaluate(model, Requirement("K", "boa", (SPACES,), aggregate=figure)),
        evaluate(model, Requirement("M", "energy", (), manual=True, kind=Kind.SCORED)),
    )
    run = RunResult(ToolInfo(), "2026-01-01T00:00:00Z", (model.info,), (), results)
    text = render(run, width=200)
    assert "Key figures" in text
    assert "BOA" in text
    assert "30 m2" in text
    assert "MANUAL" in text
    assert "verify by hand" in text


def test_positions_are_recorded_for_findings_only_not_for_manual_checks() -> None:
    """Positions aim a viewer at findings (a BCF topic each); a manual check has none to show."""
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    f = builder.file
    axes = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((4.0, 5.0, 0.0)), None, None)
    wall.ObjectPlacement = f.createIfcLocalPlacement(None, axes)
    model = builder.model()
    assert model.position(wall) == (4.0, 5.0, 0.0)  # placed: the element could be aimed at
    walls = EntityFacet(ValueSpec(simple="IFCWALL"))
    named = AttributeFacet(ValueSpec(simple="Description"))  # the wall has none: a finding
    failing = evaluate(model, Requirement("F", "described", (walls,), (named,)))
    manual = evaluate(model, Requirement("M", "by hand", (walls,), manual=True))
    assert [e.status for e in failing.elements] == [Status.FAIL]
    assert failing.elements[0].position == model.position(wall)
    assert [(e.status, e.position) for e in manual.elements] == [(Status.MANUAL, None)]
