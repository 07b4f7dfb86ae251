"""Two generated iterations of one small model, the requirements they are checked against, a baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ifcopenshell.api

from tests.builders import ModelBuilder, stable_guid

# Elements by role; their GlobalIds are stable across iterations, as an authoring tool keeps them.
DOOR_FIXED = stable_guid("door: fire rating added in v2")
DOOR_NEW = stable_guid("door: added in v2 without a fire rating")
DOOR_WAIVED = stable_guid("door: no fire rating, waived")
DOOR_OK = stable_guid("door: rated in both")
WALL_EXPIRED = stable_guid("wall: no IsExternal, waiver expired")
WALL_OK = stable_guid("wall: complete")
WINDOW_WARM = stable_guid("window: U 1.4 in both")
SPACE_A = stable_guid("space: A")
SPACE_B = stable_guid("space: B")

TODAY = date(2025, 6, 1)  # the day every test compares expiry dates with: no wall clock

REQUIREMENTS = """\
bimcheck: 1
title: Iteration test requirements
ifc_versions: [IFC4]
requirements:
  - id: IT-DOOR-01
    title: Doors have a fire rating
    kind: mandatory
    applicability:
      - entity: IfcDoor
    requirements:
      - property: {property_set: Pset_DoorCommon, name: FireRating}

  - id: IT-WALL-01
    title: Walls say whether they are external
    kind: mandatory
    applicability:
      - entity: IfcWall
    requirements:
      - property: {property_set: Pset_WallCommon, name: IsExternal}

  - id: IT-WIN-01
    title: Windows at most 1.2 W/m²K
    kind: scored
    severity: warning
    applicability:
      - entity: IfcWindow
    requirements:
      - property:
          property_set: Pset_WindowCommon
          name: ThermalTransmittance
          value: {max: 1.2}

  - id: IT-AREA-01
    title: Room area per storey (key figure)
    kind: scored
    applicability:
      - entity: IfcSpace
    aggregate:
      function: sum
      measure: net_floor_area
      source: property
      group_by: storey
      name: Room area per storey (m²)
"""

# The baseline: one waiver in force, one expired, one that matches nothing.
BASELINE = f"""\
bimcheck_baseline: 1
waivers:
  - requirement: IT-DOOR-01
    global_id: "{DOOR_WAIVED}"
    reason: Fire door ordered; rating comes with the supplier's product data
    approved_by: Anna Andersson, beställarens BIM-samordnare
    date: 2025-03-01
    expires: 2030-12-31
  - requirement: IT-WALL-01
    global_id: "{WALL_EXPIRED}"
    reason: Wall types to be reclassified in stage 2
    approved_by: Anna Andersson
    date: 2025-01-10
    expires: 2025-05-31
  - requirement: IT-DOOR-01
    global_id: "{DOOR_OK}"
    reason: Left over from an earlier iteration
    approved_by: Anna Andersson
    date: 2025-01-10
"""


def _door(b: ModelBuilder, guid: str, name: str, rating: str | None) -> None:
    door = b.element("IfcDoor", name)
    door.GlobalId = guid
    if rating is not None:
        b.pset(door, "Pset_DoorCommon", {"FireRating": rating})


def iteration(version: int) -> ModelBuilder:
    """Version 1 and 2 of the model: v2 fixes one door, adds a defective door and shrinks a room."""
    b = ModelBuilder(storeys=("Plan 1",))
    _door(b, DOOR_FIXED, "D1 entré", "EI 30" if version == 2 else None)
    _door(b, DOOR_WAIVED, "D2 teknik", None)
    _door(b, DOOR_OK, "D3 trapphus", "EI 60")
    if version == 2:
        _door(b, DOOR_NEW, "D4 förråd", None)
    for guid, name, props in (
        (WALL_EXPIRED, "V1", {"LoadBearing": True}),
        (WALL_OK, "V2", {"IsExternal": True}),
    ):
        wall = b.element("IfcWall", name)
        wall.GlobalId = guid
        b.pset(wall, "Pset_WallCommon", props)
    window = b.element("IfcWindow", "F1")
    window.GlobalId = WINDOW_WARM
    b.pset(window, "Pset_WindowCommon", {"ThermalTransmittance": 1.4})
    for guid, name, area in ((SPACE_A, "A", 20.0), (SPACE_B, "B", 15.0 if version == 1 else 12.0)):
        space = b.create("IfcSpace", name, guid=guid)
        space.GlobalId = guid
        ifcopenshell.api.run(
            "aggregate.assign_object", b.file, relating_object=b.storeys["Plan 1"], products=[space]
        )
        b.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": area})
    return b


@dataclass(frozen=True)
class Project:
    """The files of a supplier's repository: two iterations, the requirements, the baseline."""

    v1: Path
    v2: Path
    rules: Path
    baseline: Path


def write_project(folder: Path) -> Project:
    folder.mkdir(parents=True, exist_ok=True)
    rules = folder / "requirements.yaml"
    rules.write_text(REQUIREMENTS, encoding="utf-8")
    baseline = folder / "baseline.yaml"
    baseline.write_text(BASELINE, encoding="utf-8")
    (folder / "v1").mkdir(exist_ok=True)
    (folder / "v2").mkdir(exist_ok=True)
    # The same file name in both iterations, as a repository's history has it.
    v1 = iteration(1).save(folder / "v1" / "house.ifc")
    v2 = iteration(2).save(folder / "v2" / "house.ifc")
    return Project(v1=v1, v2=v2, rules=rules, baseline=baseline)
