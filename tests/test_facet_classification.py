"""Classification facet: system and code, reference hierarchies, type inheritance per system."""

from __future__ import annotations

import ifcopenshell.guid
import pytest

from bimcheck.rules.facets import OPTIONAL, PROHIBITED, REQUIRED, Check, ClassificationFacet, Match, satisfied
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder


def classification(
    system: str | ValueSpec | None = None, value: str | ValueSpec | None = None, cardinality: str = REQUIRED
) -> ClassificationFacet:
    def spec(v: str | ValueSpec | None) -> ValueSpec | None:
        return v if isinstance(v, ValueSpec) or v is None else ValueSpec(simple=v)

    return ClassificationFacet(system=spec(system), value=spec(value), cardinality=cardinality)


def check(facet: ClassificationFacet, builder: ModelBuilder, element) -> Check:
    return facet.check(builder.model(), element)


@pytest.fixture
def classified() -> tuple[ModelBuilder, object]:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.classify(wall, "CoClass", "NCB", "Bärande vägg")
    return builder, wall


# --- presence ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_a_classification_facet_with_no_data_matches_any_classification(schema: str) -> None:
    builder = ModelBuilder(schema)
    wall = builder.element("IfcWall", "W")
    builder.classify(wall, "CoClass", "NCB")
    result = check(classification(), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == "CoClass: NCB"


def test_an_unclassified_element_is_absent() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    result = check(classification("CoClass"), builder, wall)
    assert result.match is Match.ABSENT
    assert result.observed == "no classification"


@pytest.mark.parametrize(
    ("system", "value", "match"),
    [
        ("CoClass", None, Match.PASS),
        ("CoClass", "NCB", Match.PASS),
        ("coclass", None, Match.FAIL),  # systems match exactly
        ("CoClass ", None, Match.FAIL),
        ("Uniclass", None, Match.FAIL),
        ("CoClass", "NC", Match.FAIL),  # a prefix of the code is not the code
        ("Uniclass", "NCB", Match.FAIL),  # both system and value must match
        (None, "NCB", Match.PASS),
        (None, "XYZ", Match.FAIL),
    ],
)
def test_system_and_value_must_both_match_exactly(classified, system, value, match: Match) -> None:
    builder, wall = classified
    assert check(classification(system, value), builder, wall).match is match


def test_a_mismatch_reports_every_classification_found(classified) -> None:
    builder, wall = classified
    builder.classify(wall, "Uniclass", "EF_25_10")
    result = check(classification("OmniClass"), builder, wall)
    assert result.match is Match.FAIL
    assert result.observed == "CoClass: NCB; Uniclass: EF_25_10"


def test_restrictions_can_be_used_for_systems_and_values(classified) -> None:
    builder, wall = classified
    assert (
        check(classification(ValueSpec(enumeration=("Uniclass", "CoClass"))), builder, wall).match
        is Match.PASS
    )
    assert check(
        classification(ValueSpec(patterns=("Co.*",)), ValueSpec(patterns=("N[A-Z]+",))), builder, wall
    ).match is (Match.PASS)
    assert check(classification(None, ValueSpec(patterns=("[0-9]+",))), builder, wall).match is Match.FAIL


@pytest.mark.parametrize(
    ("cardinality", "classify_as", "satisfied_"),
    [
        (REQUIRED, "NCB", True),
        (REQUIRED, None, False),
        (OPTIONAL, None, True),  # an optional classification passes if there is none
        (OPTIONAL, "NCB", True),
        (OPTIONAL, "XYZ", False),  # …but fails if there is one that does not match
        (PROHIBITED, "NCB", False),
        (PROHIBITED, "XYZ", True),
        (PROHIBITED, None, True),
    ],
)
def test_cardinality_of_a_classification(cardinality: str, classify_as: str | None, satisfied_: bool) -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    if classify_as:
        builder.classify(wall, "CoClass", classify_as)
    facet = classification("CoClass", "NCB", cardinality)
    assert satisfied(cardinality, check(facet, builder, wall)) is satisfied_


# --- hierarchies ---------------------------------------------------------------------------


def _sub_reference(builder: ModelBuilder, parent, code: str):
    return builder.file.createIfcClassificationReference(None, code, code, parent)


def test_a_value_matches_sub_references_of_a_full_classification() -> None:
    # Uniclass EF_25_10 (walls) → EF_25_10_25 (external walls): a requirement for EF_25_10
    # is met by an element classified EF_25_10_25.
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    parent = builder.classify(builder.element("IfcWall", "Other"), "Uniclass", "EF_25_10")
    child = _sub_reference(builder, parent, "EF_25_10_25")
    builder.file.createIfcRelAssociatesClassification(
        ifcopenshell.guid.new(), None, None, None, (wall,), child
    )
    assert check(classification("Uniclass", "EF_25_10"), builder, wall).match is Match.PASS
    assert check(classification("Uniclass", "EF_25_10_25"), builder, wall).match is Match.PASS
    assert check(classification("Uniclass", "EF_25_10_30"), builder, wall).match is Match.FAIL


def test_a_lightweight_classification_has_a_system_but_no_code() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    system = builder.file.createIfcClassification(None, None, None, "CoClass")
    builder.file.createIfcRelAssociatesClassification(
        ifcopenshell.guid.new(), None, None, None, (wall,), system
    )
    assert check(classification("CoClass"), builder, wall).match is Match.PASS
    assert check(classification("CoClass", "NCB"), builder, wall).match is Match.FAIL


def test_in_ifc2x3_the_code_is_the_item_reference() -> None:
    builder = ModelBuilder("IFC2X3")
    wall = builder.element("IfcWall", "W")
    reference = builder.classify(wall, "CoClass", "NCB")
    assert reference.ItemReference == "NCB"
    assert check(classification("CoClass", "NCB"), builder, wall).match is Match.PASS


def test_non_rooted_resources_are_classified_through_external_reference_relationships() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    material = builder.material(wall, "Betong")
    reference = builder.classify(builder.element("IfcWall", "Other"), "CoClass", "Betong C30/37")
    builder.file.createIfcExternalReferenceRelationship(None, None, reference, (material,))
    assert check(classification("CoClass", "Betong C30/37"), builder, material).match is Match.PASS


# --- type inheritance ----------------------------------------------------------------------


def test_an_occurrence_inherits_its_types_classification() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.classify(builder.typed(wall, "IfcWallType", "WT"), "CoClass", "NCB")
    assert check(classification("CoClass", "NCB"), builder, wall).match is Match.PASS
    assert wall.GlobalId in {e.GlobalId for e in classification().candidates(builder.model())}


def test_an_occurrence_overrides_its_types_classification_per_system() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    builder.classify(wall_type, "CoClass", "NCB")
    builder.classify(wall_type, "Uniclass", "EF_25_10")
    builder.classify(wall, "CoClass", "NCC")
    # CoClass comes from the occurrence only; Uniclass, which the occurrence lacks, from the type.
    assert check(classification("CoClass", "NCC"), builder, wall).match is Match.PASS
    assert check(classification("CoClass", "NCB"), builder, wall).match is Match.FAIL
    assert check(classification("Uniclass", "EF_25_10"), builder, wall).match is Match.PASS


def test_candidates_are_the_classified_elements() -> None:
    builder = ModelBuilder()
    classified = builder.element("IfcWall", "C")
    builder.classify(classified, "CoClass", "NCB")
    builder.element("IfcWall", "U")
    found = {e.GlobalId for e in classification().candidates(builder.model())}
    # ifcopenshell.api associates the classification system itself with the project.
    assert found == {classified.GlobalId, builder.project.GlobalId}
    assert check(classification("CoClass"), builder, builder.project).match is Match.PASS
