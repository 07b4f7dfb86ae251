"""Large synthetic models for the benchmarks, generated once into a work directory and reused.

Usage: .venv/bin/python benchmarks/generators.py block OUT_DIR [--storeys 6] [--sections 20]
       .venv/bin/python benchmarks/generators.py walls OUT_DIR [--walls 20000]

- `block`: an apartment block of `storeys` storeys × `sections` stairwell sections, two
  dwellings each, built by the demo house's own generator (samples/make_samples.py): rooms,
  walls, doors and windows in openings, slabs, stairs, lift, furniture, dwellings as zones,
  typed elements with property sets, space quantity sets, materials, CoClass and SS 21054
  classification, space boundaries, all with geometry. The demo's deliberate defects stay in
  the first section, so a larger block has the same failures plus many passing elements.
- `walls`: the plain wall model of benchmarks/synthetic.py (property sets, materials,
  classification, containment).

Both are deterministic (GlobalIds derived from labels). A file's name carries its parameters
and a digest of the generators' source, so editing a generator regenerates the model.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from anywhere, against this checkout

_SOURCES = (ROOT / "samples" / "make_samples.py", ROOT / "benchmarks" / "synthetic.py")


def _digest() -> str:
    h = hashlib.sha256()
    for path in _SOURCES:
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


def block_name(storeys: int, sections: int) -> str:
    return f"block-{storeys}x{sections}-{_digest()}.ifc"


def walls_name(walls: int) -> str:
    return f"walls-{walls}-{_digest()}.ifc"


def block(work: Path, storeys: int, sections: int) -> Path:
    """The apartment block's file in `work`, generated if missing."""
    path = work / block_name(storeys, sections)
    if not path.exists():
        from samples.make_samples import DemoHouse

        _write(DemoHouse(storeys, sections, path.name).build(), path)
    return path


def walls(work: Path, count: int) -> Path:
    """The plain wall model's file in `work`, generated if missing."""
    path = work / walls_name(count)
    if not path.exists():
        from benchmarks import synthetic

        # 2 000 walls a storey, as benchmarks/synthetic.py has always made them.
        _write(synthetic.build(count, max(1, count // 2000)), path)
    return path


def _write(model: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    model.write(str(partial))  # type: ignore[attr-defined]
    partial.replace(path)  # never leave a half-written model that a later run would reuse


def entities(path: Path) -> int:
    """Number of entity instances in a STEP file (lines that start with #)."""
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.startswith(b"#"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("block", "walls"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--storeys", type=int, default=6)
    parser.add_argument("--sections", type=int, default=20)
    parser.add_argument("--walls", type=int, default=20000)
    args = parser.parse_args(argv)
    if args.kind == "block":
        path = block(args.out, args.storeys, args.sections)
    else:
        path = walls(args.out, args.walls)
    print(f"{path}: {entities(path):,} entities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
