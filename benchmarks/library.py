"""CPU time per requirement of YAML requirement libraries, in the order a check runs them.

    .venv/bin/python benchmarks/library.py MODEL.ifc RULES.yaml [RULES.yaml ...] [--repeat N]

Each library is evaluated N times (default 3), each time on a freshly opened model and every
requirement in file order, as `bimcheck check` does: the first requirement to use an index
pays for building it. Per requirement the best of the N CPU times is printed, slowest first,
with `geo` for a requirement that used the geometry index; then the sum of the others (the
non-geometric checking) against the CPU time of `ifcopenshell.open` (best of N), which the
"checking ≤ 1.5 × open" target compares it with.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import ifcopenshell

from bimcheck import engine
from bimcheck.model.geometry import GeometryIndex
from bimcheck.model.ifcmodel import Model, open_model
from bimcheck.rules.loader import load_rules


class _Watched:
    """Stands in for a model's geometry index and notes whether anything asked it for anything."""

    def __init__(self, make: Callable[[], GeometryIndex]) -> None:
        self._make = make
        self._index: GeometryIndex | None = None
        self.touched = False

    def __getattr__(self, name: str) -> object:
        self.touched = True
        if self._index is None:
            self._index = self._make()
        return getattr(self._index, name)


def _watched_model(path: Path) -> tuple[Model, _Watched]:
    model = open_model(path)
    watched = _Watched(lambda: GeometryIndex(model))
    model.__dict__["geometry"] = watched  # where the cached_property would keep the real one
    return model, watched


def measure(path: Path, rules: Path, repeat: int) -> tuple[dict[str, float], set[str]]:
    """Best CPU seconds per requirement id, and the ids of the requirements that used geometry."""
    requirements = load_rules([rules]).requirements
    best: dict[str, float] = {}
    geometric: set[str] = set()
    for _ in range(repeat):
        model, watched = _watched_model(path)
        for requirement in requirements:
            watched.touched = False
            start = time.process_time()
            engine.check_model(model, [requirement])
            spent = time.process_time() - start
            best[requirement.id] = min(best.get(requirement.id, spent), spent)
            if watched.touched:
                geometric.add(requirement.id)
    return best, geometric


def open_time(path: Path, repeat: int) -> float:
    """Best CPU seconds of ifcopenshell.open alone."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        ifcopenshell.open(str(path))
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("rules", type=Path, nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    opened = open_time(args.model, args.repeat)
    print(f"{args.model.name}: ifcopenshell.open {opened:.3f} s CPU (best of {args.repeat})")
    for rules in args.rules:
        best, geometric = measure(args.model, rules, args.repeat)
        plain = sum(t for rid, t in best.items() if rid not in geometric)
        print(f"\n{rules.name}: non-geometric {plain:.3f} s CPU = {plain / opened:.2f} × open")
        for rid, spent in sorted(best.items(), key=lambda item: -item[1]):
            print(f"  {spent:7.3f}  {rid}{'  geo' if rid in geometric else ''}")


if __name__ == "__main__":
    main()
