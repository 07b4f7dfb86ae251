"""Regenerate the golden compliance report: `.venv/bin/python tests/data/golden/regenerate.py`.

Checks the frozen model house.ifc against house.yaml and house.ids from the repository root,
as tests/test_xml_report.py does, and writes house.xml. Run it when a change to the report is
intended, read the diff, and commit it with the change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

# The check, exactly as the golden test runs it (paths relative to the repository root).
ARGS = [
    "check",
    "tests/data/golden/house.ifc",
    "-r",
    "tests/data/golden/house.yaml",
    "-r",
    "tests/data/golden/house.ids",
]


def main() -> int:
    from bimcheck.cli import app

    os.chdir(ROOT)
    # Exit 1 is expected: the house has deliberate defects. 2 or 3 means broken input.
    code = app([*ARGS, "-o", f"xml:{GOLDEN / 'house.xml'}"], standalone_mode=False)
    if code not in (None, 0, 1):
        return int(code)
    print(f"wrote {GOLDEN / 'house.xml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
