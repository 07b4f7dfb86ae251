"""Read a saved JSON report back into a RunResult, for re-rendering without the model."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bimcheck.errors import InputError, refuse_device
from bimcheck.results import RunResult, run_from_dict


def read_json_report(path: str | Path) -> RunResult:
    p = Path(path)
    refuse_device(p)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is no reason to refuse
    except FileNotFoundError:
        raise InputError(p, "report file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(p, f"cannot read report: {exc}") from None
    try:
        data = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise InputError(p, f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:  # thousands of nested brackets: no report of bimcheck's nests so deep
        raise InputError(p, "not a bimcheck JSON report: arrays and objects nested too deeply") from None
    except ValueError as exc:  # NaN or infinity (below), or an integer of more digits than Python converts
        raise InputError(p, f"not a bimcheck JSON report: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(p, "not a bimcheck JSON report (top level is not an object)")
    try:
        run = run_from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # AttributeError: a list or text where the report has an object ("requirements": "x")
        raise InputError(p, f"not a bimcheck JSON report: {type(exc).__name__}: {exc}") from None
    if not isinstance(run.created, str):  # reporters format it as a time stamp
        raise InputError(p, "not a bimcheck JSON report: `created` is not a time stamp")
    return run


# NaN or an infinity in a report: bimcheck never writes one, and re-rendered it would be
# written out again as invalid JSON or compared as nonsense.
def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is beyond the range of a number")
    return value
