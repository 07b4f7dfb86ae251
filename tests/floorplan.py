"""Small models with geometry for relation tests: rooms, walls, openings, doors and windows as boxes."""

from __future__ import annotations

from typing import Any

import ifcopenshell
import ifcopenshell.api
import numpy as np

from bimcheck.model.ifcmodel import Model
from tests.builders import ModelBuilder, stable_guid

Box = tuple[float, float, float, float, float, float]  # x0, y0, z0, x1, y1, z1 in metres


class Plan:
    """A ModelBuilder that gives elements box-shaped bodies in world coordinates (metres).

    Every product is placed at the origin and its body's vertices are world coordinates,
    so the expected footprints in the tests can be read straight off the numbers.
    """

    def __init__(self, schema: str = "IFC4", storeys: tuple[str, ...] = ("Plan 1",)) -> None:
        self.builder = ModelBuilder(schema, storeys)
        self.file = self.builder.file
        self.body = self.builder.body_context()
        self._boundaries = 0

    @property
    def storey(self) -> ifcopenshell.entity_instance:
        return next(iter(self.builder.storeys.values()))

    def shape(self, product: ifcopenshell.entity_instance, box: Box) -> None:
        x0, y0, z0, x1, y1, z1 = box
        vertices = [
            (x0, y0, z0),
            (x1, y0, z0),
            (x1, y1, z0),
            (x0, y1, z0),
            (x0, y0, z1),
            (x1, y0, z1),
            (x1, y1, z1),
            (x0, y1, z1),
        ]
        faces = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]
        representation = ifcopenshell.api.run(
            "geometry.add_mesh_representation",
            self.file,
            context=self.body,
            vertices=[vertices],
            faces=[faces],
            force_faceted_brep=True,
        )
        ifcopenshell.api.run(
            "geometry.edit_object_placement", self.file, product=product, matrix=np.eye(4), is_si=True
        )
        ifcopenshell.api.run(
            "geometry.assign_representation", self.file, product=product, representation=representation
        )

    def space(
        self,
        name: str,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        z0: float = 0.0,
        z1: float = 2.5,
        **attrs: Any,
    ) -> ifcopenshell.entity_instance:
        storey = attrs.pop("storey", None) or self.storey
        space = self.builder.create("IfcSpace", name, **attrs)
        ifcopenshell.api.run("aggregate.assign_object", self.file, relating_object=storey, products=[space])
        self.shape(space, (x0, y0, z0, x1, y1, z1))
        return space

    def element(
        self, ifc_class: str, name: str, box: Box | None, **attrs: Any
    ) -> ifcopenshell.entity_instance:
        element = self.builder.element(ifc_class, name, **attrs)
        if box is not None:
            self.shape(element, box)
        return element

    def opening(self, host: ifcopenshell.entity_instance, box: Box) -> ifcopenshell.entity_instance:
        opening = self.builder.create("IfcOpeningElement", f"opening in {host.Name}")
        self.shape(opening, box)
        ifcopenshell.api.run("feature.add_feature", self.file, feature=opening, element=host)
        return opening

    def filling(
        self, ifc_class: str, name: str, host: ifcopenshell.entity_instance, opening: Box, body: Box
    ) -> ifcopenshell.entity_instance:
        """A door or window in an opening of `host`: the opening spans the wall, the body is thinner."""
        element = self.element(ifc_class, name, body)
        ifcopenshell.api.run(
            "feature.add_filling", self.file, opening=self.opening(host, opening), element=element
        )
        return element

    def boundary(self, space: ifcopenshell.entity_instance, element: ifcopenshell.entity_instance) -> None:
        self._boundaries += 1
        self.file.create_entity(
            "IfcRelSpaceBoundary",
            GlobalId=stable_guid(f"boundary/{self._boundaries}"),
            OwnerHistory=self.file.by_type("IfcOwnerHistory")[0] if self.file.schema == "IFC2X3" else None,
            RelatingSpace=space,
            RelatedBuildingElement=element,
            PhysicalOrVirtualBoundary="PHYSICAL",
            InternalOrExternalBoundary="INTERNAL",
        )

    def zone(self, name: str, spaces: list[ifcopenshell.entity_instance]) -> ifcopenshell.entity_instance:
        zone = self.builder.create("IfcZone", name)
        ifcopenshell.api.run("group.assign_group", self.file, products=spaces, group=zone)
        return zone

    def model(self) -> Model:
        return self.builder.model()


# The flat the relation tests share, in metres (plan: x to the east, y to the north):
#
#   y 3.2–4.7   corridor C (x 0–7.1)
#   y 3.0–3.2   north wall, doors D1 (x 3.0–3.9) and D2 (x 5.0–5.9) into C
#   y 0–3.0     room A (x 0–4.0) | partition x 4.0–4.1 | room B (x 4.1–7.1)
#   y −0.3–0    south wall, windows W1 (x 1.0–2.2) in A, W2 (x 5.0–6.0) in B, WX (x 3.95–4.6):
#               faces A over only 5 cm and B over 50 cm, so it is B's
#   WU: above W1 at z 3.0–4.0, the storey above's window: nobody's on this storey
# Rooms are 2.5 m high; window bodies sit 0.1 m inside the 0.3 m south wall, so only their
# openings (which span the wall) touch the rooms' outlines.
ROOM_A = (0.0, 0.0, 4.0, 3.0)
ROOM_B = (4.1, 0.0, 7.1, 3.0)
CORRIDOR = (0.0, 3.2, 7.1, 4.7)
WINDOWS = {  # name -> (x0, x1, z0, z1)
    "W1": (1.0, 2.2, 0.9, 2.1),
    "W2": (5.0, 6.0, 0.9, 2.1),
    "WX": (3.95, 4.6, 0.9, 2.1),
    "WU": (1.0, 2.2, 3.0, 4.0),
}
DOORS = {"D1": (3.0, 3.9), "D2": (5.0, 5.9)}
# The windows and doors of each room, read off the plan above.
EXPECTED_WINDOWS = {"A": ["W1"], "B": ["W2", "WX"], "C": []}
EXPECTED_DOORS = {"A": ["D1"], "B": ["D2"], "C": ["D1", "D2"]}


def flat(
    schema: str = "IFC4", boundaries: bool = True
) -> tuple[Plan, dict[str, ifcopenshell.entity_instance]]:
    """The flat above; with `boundaries`, space boundaries that agree with its geometry."""
    plan = Plan(schema)
    named: dict[str, ifcopenshell.entity_instance] = {}
    for name, (x0, y0, x1, y1) in (("A", ROOM_A), ("B", ROOM_B), ("C", CORRIDOR)):
        named[name] = plan.space(name, x0, y0, x1, y1)
    south = plan.element("IfcWall", "south wall", (0.0, -0.3, 0.0, 7.1, 0.0, 2.5))
    north = plan.element("IfcWall", "north wall", (0.0, 3.0, 0.0, 7.1, 3.2, 2.5))
    plan.element("IfcWall", "partition", (4.0, 0.0, 0.0, 4.1, 3.0, 2.5))
    named["south wall"], named["north wall"] = south, north
    for name, (x0, x1, z0, z1) in WINDOWS.items():
        named[name] = plan.filling(
            "IfcWindow", name, south, (x0, -0.3, z0, x1, 0.0, z1), (x0, -0.2, z0, x1, -0.1, z1)
        )
    for name, (x0, x1) in DOORS.items():
        named[name] = plan.filling(
            "IfcDoor", name, north, (x0, 3.0, 0.0, x1, 3.2, 2.1), (x0, 3.05, 0.0, x1, 3.15, 2.1)
        )
    if boundaries:
        for room, names in EXPECTED_WINDOWS.items():
            for name in names:
                plan.boundary(named[room], named[name])
        for room, names in EXPECTED_DOORS.items():
            for name in names:
                plan.boundary(named[room], named[name])
        plan.boundary(named["A"], south)
        plan.boundary(named["B"], south)
    return plan, named
