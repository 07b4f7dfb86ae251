"""Element measures: volume, footprint area, wall thickness, storey elevation; the registry's rules.

Elements are built in the test; expected values are hand calculations from their sizes.
"""

from __future__ import annotations

import math

import ifcopenshell.api
import pytest

from bimcheck.model.measures import MEASURES
from tests.geometry_builders import GeometryBuilder, rectangle

SCHEMAS = [("IFC4", "METRE"), ("IFC4", "MILLIMETRE"), ("IFC2X3", "MILLIMETRE")]


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_volume_of_a_wall_with_a_door_opening_from_its_closed_body(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    wall = g.wall("W", (0, 0), (4, 0), thickness=0.2, height=2.5)
    g.door("D", wall, at=1.0, width=0.9, height=2.1)
    measured = g.model().measures.get(wall, "volume")
    # 4 × 0.2 × 2.5 less the 0.9 × 0.2 × 2.1 opening
    assert measured.value == pytest.approx(2.0 - 0.378)
    assert (measured.unit, measured.source) == ("m3", "geometry: volume enclosed by the closed body")


def test_volume_quantities_net_before_gross_in_the_classes_own_set() -> None:
    g = GeometryBuilder()
    wall = g.wall("W", (0, 0), (4, 0))
    g.builder.qto(wall, "Qto_WallBaseQuantities", {"GrossVolume": 2.0, "NetVolume": 1.7})
    slab = g.element("IfcSlab", "S", rectangle(0, 0, 5, 5), height=0.25)
    g.builder.qto(slab, "Qto_SlabBaseQuantities", {"GrossVolume": 6.25})
    model = g.model()
    measured = model.measures.get(wall, "volume")
    assert (measured.value, measured.source) == (1.7, "property: Qto_WallBaseQuantities.NetVolume")
    measured = model.measures.get(slab, "volume")
    assert (measured.value, measured.source) == (6.25, "property: Qto_SlabBaseQuantities.GrossVolume")
    assert model.measures.get(slab, "volume", "geometry").value == pytest.approx(6.25)


def test_an_open_surface_body_has_no_volume() -> None:
    g = GeometryBuilder()
    tray = g.builder.element("IfcBuildingElementProxy", "Open box")
    g.place(tray)
    corners = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
    sides = [[0, 3, 2, 1], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]
    representation = ifcopenshell.api.run(
        "geometry.add_mesh_representation", g.file, context=g.body, vertices=[corners], faces=[sides]
    )
    ifcopenshell.api.run(
        "geometry.assign_representation", g.file, product=tray, representation=representation
    )
    measured = g.model().measures.get(tray, "volume")
    assert measured.value is None
    assert measured.reason == "the body is not a closed shell, so it encloses no defined volume"


def test_footprint_area_from_the_quantity_or_the_plan_projection() -> None:
    g = GeometryBuilder("IFC4", "MILLIMETRE")
    table = g.furniture("Bord", [(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)], height=0.75)
    wall = g.wall("W", (0, 5), (4, 5), thickness=0.25)
    g.builder.qto(wall, "Qto_WallBaseQuantities", {"GrossFootprintArea": 1.0})
    model = g.model()
    measured = model.measures.get(table, "footprint_area")
    assert measured.value == pytest.approx(3.0)  # 2 × 2 less a 1 × 1 corner
    assert measured.source == "geometry: area of the plan projection of the body"
    measured = model.measures.get(wall, "footprint_area")
    assert (measured.value, measured.source) == (1.0, "property: Qto_WallBaseQuantities.GrossFootprintArea")
    assert model.measures.get(wall, "footprint_area", "geometry").value == pytest.approx(4 * 0.25)


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_wall_thickness_from_the_width_quantity_in_metres(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    wall = g.wall("W", (0, 0), (4, 0), thickness=0.2)
    qto = "BaseQuantities" if schema == "IFC2X3" else "Qto_WallBaseQuantities"
    g.builder.qto(wall, qto, {"Width": 0.24 * g.per_metre})
    measured = g.model().measures.get(wall, "wall_thickness")
    assert (measured.value, measured.source) == (pytest.approx(0.24), f"property: {qto}.Width")


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_wall_thickness_from_its_material_layers(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit)
    wall = g.wall("W", (0, 0), (4, 0), thickness=0.2)
    layers = ifcopenshell.api.run(
        "material.add_material_set", g.file, name="Vägg", set_type="IfcMaterialLayerSet"
    )
    for name, thickness in (("Gips", 0.0125), ("Regel", 0.145), ("Gips", 0.0125)):
        material = ifcopenshell.api.run("material.add_material", g.file, name=name)
        layer = ifcopenshell.api.run("material.add_layer", g.file, layer_set=layers, material=material)
        layer.LayerThickness = thickness * g.per_metre
    ifcopenshell.api.run("material.assign_material", g.file, products=[wall], material=layers)
    measured = g.model().measures.get(wall, "wall_thickness")
    assert measured.value == pytest.approx(0.17)  # 12.5 + 145 + 12.5 mm
    assert measured.source == "property: IfcMaterialLayerSet (sum of LayerThickness)"


def test_wall_thickness_from_the_plan_of_a_straight_or_a_bent_wall() -> None:
    g = GeometryBuilder()
    turned = g.wall("Turned", (0, 0), (3 * math.cos(0.5), 3 * math.sin(0.5)), thickness=0.18)
    bent = g.element(
        "IfcWall",
        "L",
        [(0, 0), (3, 0), (3, 3), (2.8, 3), (2.8, 0.2), (0, 0.2)],
        height=2.5,
        origin=(10, 0, 0),
    )
    model = g.model()
    measured = model.measures.get(turned, "wall_thickness")
    assert measured.value == pytest.approx(0.18)
    assert measured.source == "geometry: short side of the straight wall's plan (minimum rectangle)"
    measured = model.measures.get(bent, "wall_thickness")
    # a 0.2 m thick L: the largest circle at its corner is 2 × 0.2√2 / (1 + √2) = 0.234 m
    assert measured.value == pytest.approx(2 * 0.2 * math.sqrt(2) / (1 + math.sqrt(2)), abs=0.002)
    assert measured.source == "geometry: largest inscribed circle of the wall's plan (not straight)"


@pytest.mark.parametrize(("schema", "unit"), SCHEMAS)
def test_storey_elevation_from_the_attribute_or_the_placement(schema: str, unit: str) -> None:
    g = GeometryBuilder(schema, unit, storeys=("Plan 1", "Plan 2"), elevations=(0.0, 3.15))
    storey = g.storeys["Plan 2"]
    model = g.model()
    measured = model.measures.get(storey, "storey_elevation")
    assert (measured.value, measured.source) == (pytest.approx(3.15), "property: IfcBuildingStorey.Elevation")
    storey.Elevation = 99.0 * g.per_metre  # the placement is what geometry is measured from
    measured = model.measures.get(storey, "storey_elevation", "geometry")
    assert (measured.value, measured.source) == (
        pytest.approx(3.15),
        "geometry: height of the storey's placement",
    )


def test_a_measure_on_a_class_it_is_not_defined_for_is_unknown_with_the_reason() -> None:
    g = GeometryBuilder()
    wall = g.wall("W", (0, 0), (4, 0))
    measured = g.model().measures.get(wall, "net_floor_area")
    assert measured.value is None
    assert measured.reason == "net_floor_area is defined for IfcSpace, not IfcWall"


def test_every_measure_is_registered_with_a_si_unit_and_its_sources() -> None:
    mine = {
        "net_floor_area": ("m2", ("property", "geometry")),
        "gross_floor_area": ("m2", ("property", "geometry")),
        "perimeter": ("m", ("property", "geometry")),
        "height": ("m", ("property", "geometry")),
        "clear_height": ("m", ("property", "geometry")),
        "overall_width": ("m", ("property", "geometry")),
        "overall_height": ("m", ("property", "geometry")),
        "clear_width": ("m", ("property",)),
        "glazed_area": ("m2", ("property", "geometry")),
        "sill_height": ("m", ("geometry",)),
        "volume": ("m3", ("property", "geometry")),
        "footprint_area": ("m2", ("property", "geometry")),
        "wall_thickness": ("m", ("property", "geometry")),
        "storey_elevation": ("m", ("property", "geometry")),
        "largest_free_circle": ("m", ("geometry",)),
        "narrowest_free_width": ("m", ("geometry",)),
        "door_free_depth": ("m", ("geometry",)),
    }
    for name, (unit, sources) in mine.items():
        assert (MEASURES[name].unit, MEASURES[name].sources) == (unit, sources), name
