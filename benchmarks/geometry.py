"""Time geometric measures against a plain ifcopenshell.geom iterator pass over the same elements.

Usage: .venv/bin/python benchmarks/geometry.py [PATH/TO/shared/models] [--repeat N]

For each model and measure, bimcheck computes the measure for every element it applies to
on a fresh Model (indexes, geometry and shapely work included, the file already parsed);
the baseline is one multi-threaded iterator pass over exactly the elements whose geometry
bimcheck computed, reading each shape's vertices and faces. Runs alternate, and the best of
N is kept for each, since other processes on the machine slow single runs down.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from pathlib import Path

import ifcopenshell
import ifcopenshell.geom
import numpy as np

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "models"
# measure, the class it is computed for, its source
SCENARIOS = (
    ("net_floor_area", "IfcSpace", "geometry"),
    ("largest_free_circle", "IfcSpace", "geometry"),
    ("door_free_depth", "IfcDoor", "geometry"),
)
TARGET = 1.3  # issue 6: geometric checks within 1.3 × a plain iterator pass


def measure_once(
    ifc: ifcopenshell.file, info: object, measure: str, cls: str, source: str
) -> tuple[float, list]:
    """Seconds to measure every element of a class on a fresh model, and the elements whose
    geometry was computed (those the kernel was asked for)."""
    from bimcheck.model.ifcmodel import Model

    model = Model(ifc, replace(info))  # type: ignore[type-var]
    start = time.perf_counter()
    for element in ifc.by_type(cls):
        model.measures.get(element, measure, source)
    elapsed = time.perf_counter() - start
    # with the bodies computed with their openings left in: the iterator cuts them, as a
    # plain pass would
    computed = [ifc.by_id(i) for i in {**model.geometry._shapes, **model.geometry._uncut}]
    return elapsed, [e for e in computed if getattr(e, "Representation", None) is not None]


def iterate_once(ifc: ifcopenshell.file, elements: list) -> float:
    """Seconds for one plain multi-threaded iterator pass reading every shape's mesh."""
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    settings.set("weld-vertices", False)
    start = time.perf_counter()
    iterator = ifcopenshell.geom.iterator(settings, ifc, os.cpu_count() or 1, include=elements)
    if iterator.initialize():
        while True:
            geometry = iterator.get().geometry
            np.frombuffer(geometry.verts_buffer, dtype=np.float64)
            np.frombuffer(geometry.faces_buffer, dtype=np.int32)
            if not iterator.next():
                break
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from bimcheck.model.ifcmodel import open_model

    header = ("model", "measure", "elements", "geometry", "iterator s", "bimcheck s", "ratio")
    print("{:30} {:22} {:>8} {:>8} {:>10} {:>10} {:>6}".format(*header))
    worst = 0.0
    for path in sorted(args.models.glob("*.ifc")):
        opened = open_model(path)
        for measure, cls, source in SCENARIOS:
            count = len(opened.file.by_type(cls))
            if not count:
                continue
            _, elements = measure_once(opened.file, opened.info, measure, cls, source)  # warm up
            ours, plain = [], []
            for _ in range(args.repeat):
                plain.append(iterate_once(opened.file, elements))
                ours.append(measure_once(opened.file, opened.info, measure, cls, source)[0])
            ratio = min(ours) / min(plain)
            worst = max(worst, ratio)
            print(
                f"{path.name:30} {measure:22} {count:8d} {len(elements):8d}"
                f" {min(plain):10.3f} {min(ours):10.3f} {ratio:6.2f}"
            )
    threads = os.cpu_count()
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET}); best of {args.repeat} runs each, {threads} threads")


if __name__ == "__main__":
    main()
