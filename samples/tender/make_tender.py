"""Generate the sample tender's three bid models, then its expected evaluation outputs."""

# Run with the project venv: `.venv/bin/python samples/tender/make_tender.py`. The models are
# byte-identical on every run (fixed GlobalIds, header timestamp and application), so a change
# in the expected outputs shows a change in bimcheck, never in the inputs. `--models-only`
# writes the models and stops.

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TIMESTAMP = "2026-03-02T10:00:00"
STOREYS = ("Plan 1", "Plan 2", "Plan 3")
FLATS = 4  # per storey: 3 × 4 = 12 flats of 78.5 m², BOA 942 m²
FLAT_AREA = 78.5
WINDOW_AREA = 1.8  # m² each (1.2 × 1.5 m), 75 % glass


@dataclass(frozen=True)
class Bid:
    """What one bidder modelled: the shared design with its own products and defects."""

    file: str
    author: str
    window_u: float
    wall_u: float
    windows_per_flat: int
    classified: bool
    warm_window: str | None = None  # flat whose first window is an older product, U 1.3
    low_flat: str | None = None  # flat with a lowered ceiling, 2.35 m


BIDS = (
    # A: triple-glazed windows (U 0.8) earn LO-BOR-01; walls of U 0.17 do not earn LO-BOR-02.
    Bid("nordbygg.ifc", "Nordbygg Entreprenad AB", 0.8, 0.17, 3, True),
    # B: standard windows (U 1.0), a thicker timber wall (U 0.13), one more window per flat.
    Bid("trahusbolaget.ifc", "Trähusbolaget i Mälardalen AB", 1.0, 0.13, 4, True),
    # C: cheapest, but one flat has an old window (U 1.3) and one a lowered ceiling (2.35 m),
    # and its rooms are not classified.
    Bid("snabbhus.ifc", "Snabbhus Sverige AB", 1.1, 0.16, 3, False, warm_window="1203", low_flat="1302"),
)


def stable_guid(label: str) -> str:
    digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:32]
    return str(ifcopenshell.guid.compress(uuid.UUID(hex=digest).hex))


def run(usecase: str, file: ifcopenshell.file, **settings: Any) -> Any:
    return ifcopenshell.api.run(usecase, file, **settings)


def build(bid: Bid) -> ifcopenshell.file:
    f = ifcopenshell.file(schema="IFC4")
    header = f.header.file_name
    header.name = bid.file
    header.time_stamp = TIMESTAMP
    header.author = (bid.author,)
    header.organization = (bid.author,)
    header.preprocessor_version = f"IfcOpenShell {ifcopenshell.version}"
    header.originating_system = "bimcheck samples/tender/make_tender.py"
    header.authorization = "none"
    f.header.file_description.description = ("ViewDefinition [ReferenceView_V1.2]",)

    def entity(ifc_class: str, name: str, **attributes: Any) -> Any:
        return run("root.create_entity", f, ifc_class=ifc_class, name=name, **attributes)

    project = entity("IfcProject", "Kv. Lönnen 3")
    units = [
        f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE"),
        f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE"),
        f.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE"),
    ]
    project.UnitsInContext = f.createIfcUnitAssignment(units)
    site = entity("IfcSite", "Lönnen 3")
    building = entity("IfcBuilding", "Hus A")
    run("aggregate.assign_object", f, relating_object=project, products=[site])
    run("aggregate.assign_object", f, relating_object=site, products=[building])
    coclass = run("classification.add_classification", f, classification="CoClass")
    for level, storey_name in enumerate(STOREYS, 1):
        storey = entity("IfcBuildingStorey", storey_name)
        storey.Elevation = 3.0 * (level - 1)
        run("aggregate.assign_object", f, relating_object=building, products=[storey])
        contained = []
        for side in ("N", "S", "Ö", "V"):
            wall = entity("IfcWall", f"YV01 Yttervägg {side} {storey_name}")
            run(
                "pset.edit_pset",
                f,
                pset=run("pset.add_pset", f, product=wall, name="Pset_WallCommon"),
                properties={"IsExternal": True, "ThermalTransmittance": bid.wall_u, "FireRating": "REI 60"},
            )
            contained.append(wall)
        for n in range(1, FLATS + 1):
            number = f"1{level}0{n}"
            flat = entity("IfcSpace", number)
            flat.LongName = "Lägenhet 3 rok"
            run("aggregate.assign_object", f, relating_object=storey, products=[flat])
            height = 2.35 if number == bid.low_flat else 2.50
            qto = run("pset.add_qto", f, product=flat, name="Qto_SpaceBaseQuantities")
            run("pset.edit_qto", f, qto=qto, properties={"NetFloorArea": FLAT_AREA, "Height": height})
            if bid.classified:
                run(
                    "classification.add_reference",
                    f,
                    products=[flat],
                    classification=coclass,
                    identification="HBB",
                    name="Bostad",
                )
            door = entity("IfcDoor", f"Lägenhetsdörr {number}")
            door.OverallWidth, door.OverallHeight = 1.0, 2.1
            contained.append(door)
            for w in range(1, bid.windows_per_flat + 1):
                window = entity("IfcWindow", f"Fönster {number}-{w}")
                window.OverallWidth, window.OverallHeight = 1.2, 1.5
                u = 1.3 if (number == bid.warm_window and w == 1) else bid.window_u
                pset = run("pset.add_pset", f, product=window, name="Pset_WindowCommon")
                run(
                    "pset.edit_pset",
                    f,
                    pset=pset,
                    properties={"ThermalTransmittance": u, "GlazingAreaFraction": 0.75},
                )
                qto = run("pset.add_qto", f, product=window, name="Qto_WindowBaseQuantities")
                run("pset.edit_qto", f, qto=qto, properties={"Area": WINDOW_AREA})
                contained.append(window)
        run("spatial.assign_container", f, relating_structure=storey, products=contained)
    # ifcopenshell.api gives new entities random GlobalIds and keeps related objects in sets:
    # ids derived from the file and the entity's place in it, and members in file order, make
    # the same script write the same bytes in every process.
    for root in sorted(f.by_type("IfcRoot"), key=lambda e: e.id()):
        root.GlobalId = stable_guid(f"{bid.file}/{root.id()}")
    for rel in f.by_type("IfcRelationship"):
        for index, value in enumerate(rel):
            if (
                isinstance(value, tuple)
                and value
                and all(isinstance(v, ifcopenshell.entity_instance) for v in value)
            ):
                rel[index] = tuple(sorted(value, key=lambda e: e.id()))
    return f


def write_models() -> None:
    for bid in BIDS:
        path = HERE / "bids" / bid.file
        path.parent.mkdir(exist_ok=True)
        build(bid).write(str(path))
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} kB)")


# The outputs committed under expected/, as samples/tender/README.md describes them.
COMMAND = [
    "evaluate",
    "samples/tender/tender.yaml",
    "-o",
    "console:samples/tender/expected/evaluation.txt",
    "-o",
    "xml:samples/tender/expected/evaluation.xml",
    "-o",
    "json:samples/tender/expected/evaluation.json",
    "-o",
    "html:samples/tender/expected/evaluation.html",
    "--lang",
    "sv",
]


def write_outputs() -> int:
    bimcheck = Path(sys.executable).parent / "bimcheck"
    done = subprocess.run([str(bimcheck), *COMMAND], cwd=ROOT, check=False)
    print(f"bimcheck {' '.join(COMMAND)}: exit {done.returncode}")
    return 0 if done.returncode in (0, 1) else done.returncode


def main(argv: list[str]) -> int:
    write_models()
    if "--models-only" in argv:
        return 0
    return write_outputs()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
