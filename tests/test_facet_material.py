"""Material facet: any material, names and categories of materials and their sets, type inheritance."""

from __future__ import annotations

import ifcopenshell.api
import ifcopenshell.guid
import pytest

from bimcheck.rules.facets import OPTIONAL, PROHIBITED, REQUIRED, Check, Match, MaterialFacet, satisfied
from bimcheck.rules.values import ValueSpec
from tests.builders import ModelBuilder


def material(value: str | ValueSpec | None = None, cardinality: str = REQUIRED) -> MaterialFacet:
    spec = value if isinstance(value, ValueSpec) or value is None else ValueSpec(simple=value)
    return MaterialFacet(value=spec, cardinality=cardinality)


def check(facet: MaterialFacet, builder: ModelBuilder, element) -> Check:
    return facet.check(builder.model(), element)


def api(builder: ModelBuilder, usecase: str, **settings):
    return ifcopenshell.api.run(usecase, builder.file, **settings)


def layered_wall(builder: ModelBuilder):
    """A wall with a layer set usage: set 'Yttervägg 300' of Betong (layer 'Bärande') and Mineralull."""
    wall = builder.element("IfcWall", "W")
    layer_set = api(
        builder, "material.add_material_set", name="Yttervägg 300", set_type="IfcMaterialLayerSet"
    )
    concrete = api(builder, "material.add_material", name="Betong", category="concrete")
    wool = api(builder, "material.add_material", name="Mineralull", category="insulation")
    api(builder, "material.add_layer", layer_set=layer_set, material=concrete).Name = "Bärande"
    api(builder, "material.add_layer", layer_set=layer_set, material=wool)
    api(
        builder,
        "material.assign_material",
        products=[wall],
        type="IfcMaterialLayerSetUsage",
        material=layer_set,
    )
    return wall


# --- presence ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_a_material_facet_with_no_value_matches_any_material(schema: str) -> None:
    builder = ModelBuilder(schema)
    wall = builder.element("IfcWall", "W")
    builder.material(wall, "Betong")
    result = check(material(), builder, wall)
    assert result.match is Match.PASS
    assert result.observed == "Betong"


def test_an_element_without_material_is_absent() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    result = check(material(), builder, wall)
    assert result.match is Match.ABSENT
    assert result.observed == "no material"


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("Betong", Match.PASS),  # material name
        ("concrete", Match.PASS),  # material category
        ("betong", Match.FAIL),  # case sensitive
        ("Trä", Match.FAIL),
    ],
)
def test_a_material_value_matches_its_name_or_category(value: str, match: Match) -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.material(wall, "Betong", category="concrete")
    assert check(material(value), builder, wall).match is match


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("Yttervägg 300", Match.PASS),  # layer set name
        ("Bärande", Match.PASS),  # layer name
        ("Betong", Match.PASS),  # material of a layer
        ("Mineralull", Match.PASS),  # any layer, not only the first
        ("insulation", Match.PASS),  # category of a layer's material
        ("Trä", Match.FAIL),
    ],
)
def test_a_layer_set_usage_matches_the_set_its_layers_and_their_materials(value: str, match: Match) -> None:
    builder = ModelBuilder()
    wall = layered_wall(builder)
    assert check(material(value), builder, wall).match is match


def test_a_mismatch_reports_every_name_found() -> None:
    builder = ModelBuilder()
    wall = layered_wall(builder)
    result = check(material("Trä"), builder, wall)
    assert result.reason == "material_mismatch"
    assert result.observed == "Yttervägg 300, Bärande, Betong, concrete, Mineralull, insulation"


def test_constituent_and_profile_sets_expose_their_materials() -> None:
    builder = ModelBuilder()
    window = builder.element("IfcWindow", "F")
    constituents = api(
        builder, "material.add_material_set", name="Fönster", set_type="IfcMaterialConstituentSet"
    )
    glass = api(builder, "material.add_material", name="Glas")
    api(builder, "material.add_constituent", constituent_set=constituents, material=glass).Name = "Ruta"
    api(
        builder,
        "material.assign_material",
        products=[window],
        type="IfcMaterialConstituentSet",
        material=constituents,
    )
    beam = builder.element("IfcBeam", "B")
    profiles = api(builder, "material.add_material_set", name="Balk", set_type="IfcMaterialProfileSet")
    steel = api(builder, "material.add_material", name="S355")
    profile = builder.file.createIfcRectangleProfileDef("AREA", None, None, 0.1, 0.2)
    api(builder, "material.add_profile", profile_set=profiles, material=steel, profile=profile)
    api(builder, "material.assign_material", products=[beam], type="IfcMaterialProfileSet", material=profiles)
    for value in ("Fönster", "Ruta", "Glas"):
        assert check(material(value), builder, window).match is Match.PASS, value
    for value in ("Balk", "S355"):
        assert check(material(value), builder, beam).match is Match.PASS, value


def test_in_ifc2x3_a_material_list_matches_any_of_its_materials() -> None:
    builder = ModelBuilder("IFC2X3")
    wall = builder.element("IfcWall", "W")
    materials = [api(builder, "material.add_material", name=n) for n in ("Tegel", "Puts")]
    material_list = builder.file.createIfcMaterialList(materials)
    builder.file.createIfcRelAssociatesMaterial(
        ifcopenshell.guid.new(), wall.OwnerHistory, None, None, (wall,), material_list
    )
    assert check(material("Puts"), builder, wall).match is Match.PASS
    assert check(material("Betong"), builder, wall).match is Match.FAIL


def test_materials_can_be_restricted_by_pattern() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.material(wall, "Betong C30/37")
    assert check(material(ValueSpec(patterns=("Betong C[0-9]+/[0-9]+",))), builder, wall).match is Match.PASS
    assert check(material(ValueSpec(patterns=("C30.*",))), builder, wall).match is Match.FAIL  # anchored


@pytest.mark.parametrize(
    ("cardinality", "has", "satisfied_"),
    [
        (REQUIRED, "Betong", True),
        (REQUIRED, None, False),
        (REQUIRED, "Trä", False),
        (OPTIONAL, None, True),
        (OPTIONAL, "Trä", False),
        (PROHIBITED, "Betong", False),
        (PROHIBITED, "Trä", True),
        (PROHIBITED, None, True),
    ],
)
def test_cardinality_of_a_material(cardinality: str, has: str | None, satisfied_: bool) -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    if has:
        builder.material(wall, has)
    assert satisfied(cardinality, check(material("Betong", cardinality), builder, wall)) is satisfied_


# --- type inheritance ----------------------------------------------------------------------


def test_an_occurrence_without_material_inherits_its_types() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    builder.material(builder.typed(wall, "IfcWallType", "WT"), "Betong")
    assert check(material("Betong"), builder, wall).match is Match.PASS
    assert wall.GlobalId in {e.GlobalId for e in material().candidates(builder.model())}


def test_an_occurrence_material_replaces_the_types_material_as_a_whole() -> None:
    builder = ModelBuilder()
    wall = builder.element("IfcWall", "W")
    wall_type = builder.typed(wall, "IfcWallType", "WT")
    builder.material(wall_type, "Betong")
    builder.material(wall, "Trä")
    assert check(material("Trä"), builder, wall).match is Match.PASS
    assert check(material("Betong"), builder, wall).match is Match.FAIL


def test_candidates_are_elements_with_a_material_of_their_own_or_their_types() -> None:
    builder = ModelBuilder()
    own = builder.element("IfcWall", "Own")
    builder.material(own, "Betong")
    builder.element("IfcWall", "None")
    assert {e.GlobalId for e in material().candidates(builder.model())} == {own.GlobalId}
