"""Time the compliance XML on 10 000 failing elements: render, validate, sign, verify's comparison.

Usage: .venv/bin/python benchmarks/compliance_xml.py [ELEMENTS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
T = TypeVar("T")


def main(count: int) -> None:
    from lxml import etree

    from bimcheck.reporters.xml_report import build, render_bytes, schema
    from tests.sample_run import REQUIREMENTS, sample_run
    from tests.test_signing import make_signer

    template = REQUIREMENTS[1].elements[0]
    height, area = template.findings[0], REQUIREMENTS[1].elements[2].findings[0]
    elements = []
    for i in range(count):
        value = 2.0 + i / count
        measured = replace(height, value=value, observed=f"{value:.4f} m")
        elements.append(
            replace(template, global_id=f"{i:022d}", step_id=i, findings=(measured, area, measured))
        )
    run = replace(sample_run(), requirements=(replace(REQUIREMENTS[1], elements=tuple(elements)),))

    def timed(what: str, action: Callable[[], T]) -> T:
        start, cpu = time.perf_counter(), time.process_time()
        result = action()
        print(f"{what:<34} {time.perf_counter() - start:6.2f} s wall {time.process_time() - cpu:6.2f} s cpu")
        return result

    data = timed(f"render {count} failing elements", lambda: render_bytes(run))
    print(f"{'size':<34} {len(data) / 1e6:6.1f} MB")
    root = etree.fromstring(data)
    timed("validate against the XSD", lambda: schema().assertValid(root))
    timed("build + c14n (verify's comparison)", lambda: etree.tostring(build(run), method="c14n"))
    with tempfile.TemporaryDirectory() as tmp:
        signer = make_signer(Path(tmp))
        timed("render and sign (RSA-SHA256)", lambda: render_bytes(run, str(signer.key), str(signer.cert)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
