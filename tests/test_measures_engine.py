"""Geometric measures through the engine: measured values, sources, broken elements, bad arguments.

Rooms are built in the test; expected values are the hand calculations written beside them.
"""

from __future__ import annotations

import math

from bimcheck.engine import evaluate
from bimcheck.results import Status
from bimcheck.rules.facets import EntityFacet
from bimcheck.rules.measure_facet import MeasureFacet
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec
from tests.geometry_builders import GeometryBuilder, rectangle

SPACES = EntityFacet(name=ValueSpec(simple="IFCSPACE"))
DOORS = EntityFacet(name=ValueSpec(simple="IFCDOOR"))


def test_a_turning_circle_requirement_passes_fails_and_is_not_evaluable_per_room() -> None:
    g = GeometryBuilder("IFC2X3", "MILLIMETRE")
    g.space("Stort bad", rectangle(0, 0, 2, 3))
    g.sanitary("WC", rectangle(0, 0, 0.6, 0.6))
    g.space("Litet bad", rectangle(5, 0, 7, 2))
    g.sanitary("WC", rectangle(5, 0, 5.6, 0.6))
    g.furniture("Tvättmaskin", rectangle(6.4, 1.4, 7, 2), height=0.85)
    broken = g.space("Trasigt bad", rectangle(10, 0, 12, 2))
    broken.Representation.Representations[0].Items[0].Depth = 0.0
    requirement = Requirement(
        "SE-BBR-3:146",
        "turning circle 1.5 m",
        (SPACES,),
        (MeasureFacet("largest_free_circle", ValueSpec(min_inclusive="1.5")),),
    )
    result = evaluate(g.model(), requirement)
    by_name = {e.name: e for e in result.elements}
    assert by_name["Stort bad"].status is Status.PASS  # 2.0 m: the room's width
    tight_finding = by_name["Litet bad"].findings[0]
    assert by_name["Litet bad"].status is Status.FAIL
    # WC and washing machine (0.6 × 0.6 m) in opposite corners of a 2 × 2 m room: by symmetry
    # the centre lies on the other diagonal, at (1 + t, 1 − t) from the WC's corner of the
    # room; it touches the two free walls (r = 1 − t) and both obstacles' inner corners
    # (r² = 0.32 + 2t²): t² + 2t − 0.68 = 0, so the diameter is 2 − 2t = 4 − √6.72 = 1.408 m
    assert tight_finding.value is not None
    assert abs(tight_finding.value - (4 - math.sqrt(6.72))) < 0.001
    assert tight_finding.unit == "m"
    assert (tight_finding.source or "").startswith("geometry: largest circle")
    assert by_name["Trasigt bad"].status is Status.NOT_EVALUABLE
    assert "Non-positive extrusion height" in (by_name["Trasigt bad"].findings[0].message or "")
    assert result.status is Status.FAIL


def test_the_measured_diameter_is_reported_with_its_source() -> None:
    g = GeometryBuilder()
    g.space("Bad", rectangle(0, 0, 2, 2))
    g.sanitary("WC", rectangle(0, 0, 0.6, 0.6))
    requirement = Requirement(
        "R",
        "turning circle",
        (SPACES,),
        (MeasureFacet("largest_free_circle", ValueSpec(min_inclusive="1.5")),),
    )
    (element,) = evaluate(g.model(), requirement).elements
    finding = element.findings[0]
    # 2 × 1.4√2 / (1 + √2): tangent to the two far walls and the WC's corner
    assert abs(finding.value - 2 * 1.4 * math.sqrt(2) / (1 + math.sqrt(2))) < 0.001  # type: ignore[operator]
    assert finding.observed is not None
    assert finding.observed.startswith("largest_free_circle = 1.64")


def test_a_malformed_measure_argument_makes_the_requirement_an_error_not_a_crash() -> None:
    g = GeometryBuilder()
    wall = g.wall("W", (0, 0), (4, 0))
    g.door("D", wall, at=1.0)
    bad = Requirement(
        "R",
        "clear width",
        (DOORS,),
        (MeasureFacet("clear_width", ValueSpec(min_inclusive="0.8"), arguments=(("deduction", "lite"),)),),
    )
    result = evaluate(g.model(), bad)
    assert result.status is Status.ERROR
    good = Requirement(
        "R2",
        "clear width",
        (DOORS,),
        (MeasureFacet("clear_width", ValueSpec(min_inclusive="0.8"), arguments=(("deduction", "0.13"),)),),
    )
    (element,) = evaluate(g.model(), good).elements
    assert element.status is Status.FAIL  # 0.9 − 0.13 = 0.77 m
