"""Generate a large synthetic IFC4 model of walls, and an IDS that fails on a known share of them.

Usage: .venv/bin/python benchmarks/synthetic.py OUT_DIR [--walls 20000] [--storeys 10]

Writes OUT_DIR/synthetic-<walls>.ifc and OUT_DIR/synthetic.ids. Every wall is an extruded
rectangle with Pset_WallCommon, contained in its storey, with a material and a CoClass
reference (as exporters write them: one association per material and per code, listing its
walls). FireRating is "EI 30" on every fifth wall (the IDS asks for "EI 60") and
ThermalTransmittance is 0.25 on every second wall (the IDS asks for at most 0.18), so 20 000
walls give 4 000 + 10 000 failures; every 11th wall has no classification and every 13th no
material (the benchmark IDS, benchmarks/mixed.ids, asks for both). GlobalIds are derived from
the wall number, so the same arguments always give the same model.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid

_NAMESPACE = uuid.UUID("5d7f2a5e-8a3b-5c0e-9a57-2b6f0c1d9e11")

IDS = """<?xml version="1.0" encoding="UTF-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <info><title>Synthetic benchmark</title></info>
  <specifications>
    <specification name="Walls EI 60" ifcVersion="IFC4" identifier="SYN-FIRE">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
      </applicability>
      <requirements>
        <property dataType="IFCLABEL">
          <propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>FireRating</simpleValue></baseName>
          <value><simpleValue>EI 60</simpleValue></value>
        </property>
      </requirements>
    </specification>
    <specification name="Walls U at most 0.18" ifcVersion="IFC4" identifier="SYN-U">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
      </applicability>
      <requirements>
        <property dataType="IFCTHERMALTRANSMITTANCEMEASURE">
          <propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>ThermalTransmittance</simpleValue></baseName>
          <value><xs:restriction base="xs:double"><xs:maxInclusive value="0.18"/></xs:restriction></value>
        </property>
      </requirements>
    </specification>
  </specifications>
</ids>
"""


def _guid(key: str) -> str:
    return str(ifcopenshell.guid.compress(uuid.uuid5(_NAMESPACE, key).hex))


def build(walls: int = 20000, storeys: int = 10) -> ifcopenshell.file:
    """The model: `walls` walls spread over `storeys` storeys on a grid, 3 m apart vertically."""
    f = ifcopenshell.api.run("project.create_file", version="IFC4")
    project = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcProject", name="Synthetic")
    project.GlobalId = _guid("project")
    ifcopenshell.api.run("unit.assign_unit", f)  # metres
    context = ifcopenshell.api.run("context.add_context", f, context_type="Model")
    body = ifcopenshell.api.run(
        "context.add_context",
        f,
        context_type="Model",
        context_identifier="Body",
        target_view="MODEL_VIEW",
        parent=context,
    )
    site = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcSite", name="Site")
    building = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcBuilding", name="Building")
    site.GlobalId, building.GlobalId = _guid("site"), _guid("building")
    ifcopenshell.api.run("aggregate.assign_object", f, relating_object=project, products=[site])
    ifcopenshell.api.run("aggregate.assign_object", f, relating_object=site, products=[building])

    origin = f.createIfcCartesianPoint((0.0, 0.0, 0.0))
    z_axis = f.createIfcDirection((0.0, 0.0, 1.0))
    x_axis = f.createIfcDirection((1.0, 0.0, 0.0))
    profile = f.createIfcRectangleProfileDef(
        "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((2.0, 0.1)), None), 4.0, 0.2
    )
    history = None
    per_storey = -(-walls // storeys)
    columns = max(1, int(per_storey**0.5))
    number = 0
    storeys_made = []
    by_kind: dict[str, list[ifcopenshell.entity_instance]] = {kind: [] for kind in _KINDS}
    for s in range(storeys):
        storey_placement = f.createIfcLocalPlacement(
            None, f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 3.0 * s)), z_axis, x_axis)
        )
        storey = f.createIfcBuildingStorey(
            _guid(f"storey/{s}"),
            history,
            f"Plan {s + 1}",
            None,
            None,
            storey_placement,
            None,
            None,
            "ELEMENT",
            3.0 * s,
        )
        storeys_made.append(storey)
        contained = []
        for i in range(min(per_storey, walls - number)):
            x, y = 5.0 * (i % columns), 2.0 * (i // columns)
            placement = f.createIfcLocalPlacement(
                storey_placement,
                f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((x, y, 0.0)), None, None),
            )
            solid = f.createIfcExtrudedAreaSolid(
                profile, f.createIfcAxis2Placement3D(origin, None, None), z_axis, 2.7
            )
            shape = f.createIfcProductDefinitionShape(
                None, None, [f.createIfcShapeRepresentation(body, "Body", "SweptSolid", [solid])]
            )
            wall = f.createIfcWall(
                _guid(f"wall/{number}"),
                history,
                f"W{number:05d}",
                None,
                None,
                placement,
                shape,
                None,
                "STANDARD",
            )
            fire = "EI 30" if number % 5 == 0 else "EI 60"
            u_value = 0.25 if number % 2 == 0 else 0.15
            pset = f.createIfcPropertySet(
                _guid(f"pset/{number}"),
                history,
                "Pset_WallCommon",
                None,
                [
                    f.createIfcPropertySingleValue("FireRating", None, f.createIfcLabel(fire), None),
                    f.createIfcPropertySingleValue(
                        "ThermalTransmittance", None, f.createIfcThermalTransmittanceMeasure(u_value), None
                    ),
                    f.createIfcPropertySingleValue("IsExternal", None, f.createIfcBoolean(i % 7 == 0), None),
                ],
            )
            f.createIfcRelDefinesByProperties(_guid(f"rel/{number}"), history, None, None, [wall], pset)
            contained.append(wall)
            by_kind["external" if i % 7 == 0 else "internal"].append(wall)
            number += 1
        f.createIfcRelContainedInSpatialStructure(
            _guid(f"contains/{s}"), history, None, None, contained, storey
        )
    f.createIfcRelAggregates(_guid("storeys"), history, None, None, building, storeys_made)
    _associate(f, history, by_kind)
    return f


# (material, CoClass code and name) by wall kind: external walls are those with IsExternal.
_KINDS = {
    "external": ("Betong C30/37", "GBB", "Ytterväggskonstruktion"),
    "internal": ("Gips", "GBD", "Innerväggskonstruktion"),
}


def _associate(
    f: ifcopenshell.file, history: None, by_kind: dict[str, list[ifcopenshell.entity_instance]]
) -> None:
    """Materials and CoClass references, one association per material and per code."""
    system = f.createIfcClassification(None, None, None, "CoClass", None, None, None)
    for kind, (material_name, code, name) in _KINDS.items():
        mine = by_kind[kind]
        material = f.createIfcMaterial(material_name, None, "concrete" if kind == "external" else "gypsum")
        with_material = [w for w in mine if _number(w) % 13 != 12]
        f.createIfcRelAssociatesMaterial(
            _guid(f"material/{kind}"), history, None, None, with_material, material
        )
        reference = f.createIfcClassificationReference(None, code, name, system, None, None)
        classified = [w for w in mine if _number(w) % 11 != 10]
        f.createIfcRelAssociatesClassification(
            _guid(f"classification/{kind}"), history, None, None, classified, reference
        )


def _number(wall: ifcopenshell.entity_instance) -> int:
    return int(wall.Name[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--walls", type=int, default=20000)
    parser.add_argument("--storeys", type=int, default=10)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    model = build(args.walls, args.storeys)
    path = args.out / f"synthetic-{args.walls}.ifc"
    model.write(str(path))
    (args.out / "synthetic.ids").write_text(IDS, encoding="utf-8")
    print(f"{path}: {len(list(model))} entities, {args.walls} walls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
