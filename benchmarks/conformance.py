"""Run the official IDS 1.0 test suite with bimcheck and with ifctester; print matches and times.

Usage: .venv/bin/python benchmarks/conformance.py [PATH/TO/shared/ids-testcases]
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "ids-testcases"


def bimcheck_verdict(ids: Path, ifc: Path) -> str:
    from bimcheck.engine import run_check
    from bimcheck.errors import BimcheckError
    from bimcheck.results import exit_code
    from bimcheck.rules.ids import load_ids

    try:
        run = run_check([ifc], load_ids(ids))
    except BimcheckError:
        return "invalid"
    return "pass" if exit_code(run) == 0 else "fail"


def ifctester_verdict(ids: Path, ifc: Path) -> str:
    import ifcopenshell
    from ifctester import ids as tester

    try:
        spec = tester.open(str(ids), validate=True)
        spec.validate(ifcopenshell.open(str(ifc)))
    except Exception:  # ifctester signals invalid IDS by raising
        return "invalid"
    return "pass" if all(s.status for s in spec.specifications) else "fail"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    cases = list(csv.DictReader((root / "MANIFEST.csv").open(encoding="utf-8")))
    for name, verdict in (("bimcheck", bimcheck_verdict), ("ifctester", ifctester_verdict)):
        verdict(root / cases[0]["ids_path"], root / cases[0]["ifc_path"])  # warm imports and XSD
        start = time.perf_counter()
        misses = [c for c in cases if verdict(root / c["ids_path"], root / c["ifc_path"]) != c["expected"]]
        elapsed = time.perf_counter() - start
        print(f"{name:10} {len(cases) - len(misses)}/{len(cases)} match  {elapsed:.2f} s")
        for c in misses:
            print(f"  miss {c['ids_path']} expected {c['expected']}")


if __name__ == "__main__":
    main()
