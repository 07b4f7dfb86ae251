"""The floor under any checker built on ifcopenshell's Python API: read what mixed.ids needs, check nothing.

    .venv/bin/python benchmarks/floor.py MODEL.ifc [MODEL.ifc ...]

For each model: CPU seconds of `ifcopenshell.open`, and of one pass that reads, once, every
datum `benchmarks/mixed.ids` looks at (each property set with its members' names and values,
the material, classification and containment relationships, the Name of every instance that
has one, and the identity of each element a report lists), best of five. The pass decides
nothing and keeps nothing, so a checker can only be slower; its ratio to opening is the part of
the "checking ≤ 1.5 × open" target that reading alone uses up (see RESULTS.md).
"""

from __future__ import annotations

import sys
import time

import ifcopenshell

# The relationships the property, material, classification and partOf facets follow.
_ASSOCIATIONS = (
    "IfcRelAssociatesMaterial",
    "IfcRelAssociatesClassification",
    "IfcRelContainedInSpatialStructure",
)
# The elements a report lists (the entity facets' classes), each with its identity.
_LISTED = ("IfcWall", "IfcSpace", "IfcDoor")


def _name_positions(f: ifcopenshell.file) -> dict[str, int]:
    """Class -> position of its Name attribute, for every class present that has one."""
    schema = ifcopenshell.ifcopenshell_wrapper.schema_by_name(f.schema_identifier)
    out = {}
    for cls in f.types():
        names = [a.name() for a in schema.declaration_by_name(cls).all_attributes()]
        if "Name" in names:
            out[cls] = names.index("Name")
    return out


def read_once(f: ifcopenshell.file) -> None:
    """Every datum mixed.ids needs, read and dropped."""
    for rel in f.by_type("IfcRelDefinesByProperties"):
        definition = rel.get_argument(5)
        [o.id() for o in rel.get_argument(4)]
        cls = definition.is_a()
        if cls == "IfcPropertySet":
            for p in definition.get_argument(4):
                p.get_argument(0)
                value = p.get_argument(2)
                if value is not None:
                    value.get_argument(0)
        elif cls == "IfcElementQuantity":
            for q in definition.get_argument(5):
                q.get_argument(0)
                q.get_argument(3)
    for cls in _ASSOCIATIONS:
        for rel in f.by_type(cls):
            rel.get_argument(5)
            [o.id() for o in rel.get_argument(4)]
    for cls, at in _name_positions(f).items():  # the attribute facet reads every Name
        for e in f.by_type(cls, include_subtypes=False):
            e.get_argument(at)
    for cls in _LISTED:
        for e in f.by_type(cls):
            e.is_a()
            e.get_argument(0)
            e.get_argument(2)
            e.id()


def main(paths: list[str]) -> None:
    for path in paths:
        opened = read = float("inf")
        for _ in range(5):
            start = time.process_time()
            f = ifcopenshell.open(path)
            opened = min(opened, time.process_time() - start)
            start = time.process_time()
            read_once(f)
            read = min(read, time.process_time() - start)
            del f
        print(f"{path}: open {opened:.3f} s, read-only pass {read:.3f} s, ratio {read / opened:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
