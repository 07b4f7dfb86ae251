"""Element positions from placement chains: by hand on built models, and against ifcopenshell."""

from __future__ import annotations

import math
from pathlib import Path

import ifcopenshell.util.placement
import pytest

from bimcheck.model.ifcmodel import open_model
from tests.builders import ModelBuilder


def place(builder: ModelBuilder, element, degrees: float, origin, relative_to=None) -> None:
    """A local placement written by hand: `origin` in model units, x axis turned about z."""
    f = builder.file
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    axes = f.createIfcAxis2Placement3D(
        f.createIfcCartesianPoint([float(v) for v in origin]),
        f.createIfcDirection((0.0, 0.0, 1.0)),
        f.createIfcDirection((c, s, 0.0)),
    )
    parent = relative_to.ObjectPlacement if relative_to is not None else None
    element.ObjectPlacement = f.createIfcLocalPlacement(parent, axes)


def test_a_position_composes_a_rotated_parent_with_the_childs_offset() -> None:
    builder = ModelBuilder()
    storey = next(iter(builder.storeys.values()))
    wall = builder.element("IfcWall", "W")
    place(builder, storey, 90, (10.0, 0.0, 3.0))
    # The wall is 2 m along the storey's x axis, which the 90° turn points along world +y.
    place(builder, wall, 0, (2.0, 0.0, 0.0), relative_to=storey)
    model = builder.model()
    # Hand calculation: storey origin (10, 0, 3) + R90·(2, 0, 0) = (10, 2, 3).
    assert model.position(wall) == pytest.approx((10.0, 2.0, 3.0))


def test_positions_are_in_metres_in_a_millimetre_model() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    wall = builder.element("IfcWall", "W")
    place(builder, wall, 0, (2500.0, -1000.0, 0.0))
    assert builder.model().position(wall) == pytest.approx((2.5, -1.0, 0.0))


def test_an_element_without_placement_has_no_position() -> None:
    builder = ModelBuilder()
    wall = builder.create("IfcWall", "floating")
    assert builder.model().position(wall) is None


def test_a_cyclic_placement_chain_gives_no_position_instead_of_hanging() -> None:
    builder = ModelBuilder()
    a, b = builder.element("IfcWall", "A"), builder.element("IfcWall", "B")
    place(builder, a, 0, (1, 0, 0))
    place(builder, b, 0, (1, 0, 0))
    a.ObjectPlacement.PlacementRelTo = b.ObjectPlacement
    b.ObjectPlacement.PlacementRelTo = a.ObjectPlacement
    model = builder.model()
    assert model.position(a) is None
    assert model.position(b) is None


def test_every_product_of_the_shared_models_agrees_with_ifcopenshells_placement_util(
    shared_models: Path,
) -> None:
    # Independent computation: ifcopenshell.util.placement (numpy matrices), scaled to metres.
    compared = 0
    for path in sorted(shared_models.glob("*.ifc")):
        model = open_model(path)
        scale = model.units.length_scale
        for product in model.file.by_type("IfcProduct"):
            if product.ObjectPlacement is None:
                continue
            matrix = ifcopenshell.util.placement.get_local_placement(product.ObjectPlacement)
            expected = tuple(float(matrix[i][3]) * scale for i in range(3))
            position = model.position(product)
            assert position is not None
            assert math.dist(position, expected) < 0.001, (path.name, product)
            compared += 1
    assert compared >= 748  # every placed product of the five models (748 when written)
