"""Small IFC models with geometry, built in tests: rooms, walls with doors, furniture, as extrusions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.util.placement
import numpy as np

from bimcheck.model.ifcmodel import Model
from tests.builders import ModelBuilder

Point = tuple[float, float]


def rectangle(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


class GeometryBuilder:
    """A ModelBuilder whose elements get extruded bodies; every size is given in metres.

    Profiles are written in the model's length unit (millimetres when asked), so the same
    test can check that bimcheck converts them back.
    """

    def __init__(
        self,
        schema: str = "IFC4",
        length_unit: str = "METRE",
        storeys: tuple[str, ...] = ("Plan 1",),
        elevations: tuple[float, ...] = (),
    ) -> None:
        """Storeys are placed at their elevations (m; 0, 3, 6 … unless given)."""
        self.builder = ModelBuilder(schema=schema, storeys=storeys, length_unit=length_unit)
        self.file = self.builder.file
        self.schema = schema
        self.per_metre = 1000.0 if length_unit == "MILLIMETRE" else 1.0
        self.body = self.builder.body_context()
        for k, storey in enumerate(self.storeys.values()):
            elevation = elevations[k] if k < len(elevations) else 3.0 * k
            storey.Elevation = elevation * self.per_metre
            self.place(storey, (0, 0, elevation))

    @property
    def storeys(self) -> dict[str, ifcopenshell.entity_instance]:
        return self.builder.storeys

    def storey(self, name: str | None = None) -> ifcopenshell.entity_instance:
        return self.storeys[name] if name else next(iter(self.storeys.values()))

    # --- geometry ---------------------------------------------------------------------------

    def place(
        self, product: ifcopenshell.entity_instance, origin: Sequence[float] = (0, 0, 0), angle: float = 0.0
    ) -> None:
        """Place a product at origin (m), its X axis turned `angle` radians from world X."""
        matrix = np.eye(4)
        matrix[:2, :2] = [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
        matrix[:3, 3] = origin
        ifcopenshell.api.run(
            "geometry.edit_object_placement", self.file, product=product, matrix=matrix, is_si=True
        )

    def extrude(
        self,
        product: ifcopenshell.entity_instance,
        outline: Sequence[Point],
        height: float,
        holes: Sequence[Sequence[Point]] = (),
    ) -> None:
        """Give a product a body: the outline (m, in its own placement) extruded upwards."""
        self.solids(product, [self.solid(outline, 0.0, height, holes)])

    def _curve(self, outline: Sequence[Point]) -> ifcopenshell.entity_instance:
        k = self.per_metre
        points = [self.file.createIfcCartesianPoint((x * k, y * k)) for x, y in outline]
        return self.file.createIfcPolyline([*points, points[0]])

    def solid(
        self, outline: Sequence[Point], z: float, height: float, holes: Sequence[Sequence[Point]] = ()
    ) -> ifcopenshell.entity_instance:
        """One extruded solid item: the outline (m), less the holes, from height z up by `height`."""
        f, k = self.file, self.per_metre
        if holes:
            profile = f.createIfcArbitraryProfileDefWithVoids(
                "AREA", None, self._curve(outline), [self._curve(h) for h in holes]
            )
        else:
            profile = f.createIfcArbitraryClosedProfileDef("AREA", None, self._curve(outline))
        position = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, z * k)), None, None)
        return f.createIfcExtrudedAreaSolid(
            profile, position, f.createIfcDirection((0.0, 0.0, 1.0)), height * k
        )

    def solids(
        self, product: ifcopenshell.entity_instance, items: list[ifcopenshell.entity_instance]
    ) -> None:
        """Give a product a body made of several solid items."""
        representation = self.file.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", items)
        ifcopenshell.api.run(
            "geometry.assign_representation", self.file, product=product, representation=representation
        )

    def transparent(self, item: ifcopenshell.entity_instance, transparency: float = 0.9) -> None:
        """Style an item as glass (a surface style that lets light through)."""
        f = self.file
        colour = f.createIfcColourRgb(None, 0.6, 0.8, 0.9)
        rendering = f.create_entity(
            "IfcSurfaceStyleRendering",
            SurfaceColour=colour,
            Transparency=transparency,
            ReflectanceMethod="NOTDEFINED",
        )
        style = f.createIfcSurfaceStyle("Glass", "BOTH", (rendering,))
        if self.schema == "IFC2X3":
            assignment = f.createIfcPresentationStyleAssignment((style,))
            f.createIfcStyledItem(item, (assignment,), None)
        else:
            f.createIfcStyledItem(item, (style,), None)

    # --- elements ---------------------------------------------------------------------------

    def space(
        self,
        name: str,
        outline: Sequence[Point],
        z: float = 0.0,
        height: float = 2.5,
        storey: str | None = None,
        holes: Sequence[Sequence[Point]] = (),
        **attributes: Any,
    ) -> ifcopenshell.entity_instance:
        """A space on a storey (its floor at z, in world metres), its body the outline extruded."""
        space = self.builder.create("IfcSpace", name, **attributes)
        ifcopenshell.api.run(
            "aggregate.assign_object", self.file, relating_object=self.storey(storey), products=[space]
        )
        self.place(space, (0, 0, z))
        self.extrude(space, outline, height, holes)
        return space

    def element(
        self,
        ifc_class: str,
        name: str,
        outline: Sequence[Point],
        z: float = 0.0,
        height: float = 1.0,
        storey: str | None = None,
        origin: Sequence[float] | None = None,
        angle: float = 0.0,
        **attributes: Any,
    ) -> ifcopenshell.entity_instance:
        """An element contained in a storey with an extruded body (outline in world metres,
        or in its own frame when `origin` and `angle` place it)."""
        element = self.builder.element(ifc_class, name, storey, **attributes)
        self.place(element, origin if origin is not None else (0, 0, z), angle)
        self.extrude(element, outline, height)
        return element

    def wall(
        self,
        name: str,
        start: Point,
        end: Point,
        thickness: float = 0.2,
        height: float = 2.5,
        z: float = 0.0,
        storey: str | None = None,
    ) -> ifcopenshell.entity_instance:
        """A straight wall whose axis runs from start to end (its faces thickness/2 either side)."""
        length = math.dist(start, end)
        angle = math.atan2(end[1] - start[1], end[0] - start[0])
        half = thickness / 2
        return self.element(
            "IfcWall",
            name,
            rectangle(0, -half, length, half),
            height=height,
            storey=storey,
            origin=(start[0], start[1], z),
            angle=angle,
        )

    def door(
        self,
        name: str,
        wall: ifcopenshell.entity_instance,
        at: float,
        width: float = 0.9,
        height: float = 2.1,
        thickness: float = 0.1,
        wall_thickness: float = 0.2,
        **attributes: Any,
    ) -> ifcopenshell.entity_instance:
        """A door `at` metres along a wall from its start, in an opening cut through the wall.

        Its placement's X axis runs along the wall; its body is a leaf `thickness` deep
        centred in the wall.
        """
        origin, angle = self._along(wall, at)
        opening = self.builder.create("IfcOpeningElement", f"{name} opening")
        self.place(opening, origin, angle)
        self.extrude(opening, rectangle(0, -wall_thickness, width, wall_thickness), height)
        ifcopenshell.api.run("feature.add_feature", self.file, feature=opening, element=wall)
        door = self.builder.element("IfcDoor", name, **attributes)
        self.place(door, origin, angle)
        self.extrude(door, rectangle(0, -thickness / 2, width, thickness / 2), height)
        ifcopenshell.api.run("feature.add_filling", self.file, opening=opening, element=door)
        door.OverallWidth = width * self.per_metre
        door.OverallHeight = height * self.per_metre
        return door

    def window(
        self,
        name: str,
        wall: ifcopenshell.entity_instance,
        at: float,
        width: float = 1.2,
        height: float = 1.2,
        sill: float = 0.9,
        frame: float = 0.1,
        depth: float = 0.1,
        glass: bool = True,
        **attributes: Any,
    ) -> ifcopenshell.entity_instance:
        """A window `at` metres along a wall: a frame `frame` wide around a glass pane, its
        bottom `sill` above the wall's base. The pane seen face-on is (width − 2 frame) ×
        (height − 2 frame)."""
        origin, angle = self._along(wall, at)
        window = self.builder.element("IfcWindow", name, **attributes)
        self.place(window, origin, angle)
        d = depth / 2
        items = [
            self.solid(rectangle(0, -d, width, d), sill, frame),
            self.solid(rectangle(0, -d, width, d), sill + height - frame, frame),
            self.solid(rectangle(0, -d, frame, d), sill + frame, height - 2 * frame),
            self.solid(rectangle(width - frame, -d, width, d), sill + frame, height - 2 * frame),
        ]
        pane = self.solid(rectangle(frame, -0.005, width - frame, 0.005), sill + frame, height - 2 * frame)
        if glass:
            self.transparent(pane)
        self.solids(window, [*items, pane])
        window.OverallWidth = width * self.per_metre
        window.OverallHeight = height * self.per_metre
        return window

    def _along(self, wall: ifcopenshell.entity_instance, at: float) -> tuple[np.ndarray, float]:
        """The point `at` metres along a wall's axis from its start, and the wall's direction."""
        matrix = np.array(ifcopenshell.util.placement.get_local_placement(wall.ObjectPlacement), dtype=float)
        matrix[:3, 3] /= self.per_metre
        return matrix[:3, 3] + at * matrix[:3, 0], math.atan2(matrix[1, 0], matrix[0, 0])

    def furniture(
        self,
        name: str,
        outline: Sequence[Point],
        height: float = 0.8,
        z: float = 0.0,
        storey: str | None = None,
        **placement: Any,
    ) -> ifcopenshell.entity_instance:
        cls = "IfcFurnishingElement" if self.schema == "IFC2X3" else "IfcFurniture"
        return self.element(cls, name, outline, z=z, height=height, storey=storey, **placement)

    def sanitary(
        self,
        name: str,
        outline: Sequence[Point],
        height: float = 0.4,
        z: float = 0.0,
        storey: str | None = None,
        **placement: Any,
    ) -> ifcopenshell.entity_instance:
        cls = "IfcFlowTerminal" if self.schema == "IFC2X3" else "IfcSanitaryTerminal"
        return self.element(cls, name, outline, z=z, height=height, storey=storey, **placement)

    def model(self) -> Model:
        return self.builder.model()
