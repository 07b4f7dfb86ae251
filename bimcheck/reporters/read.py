"""Read a saved JSON report back into a RunResult, for re-rendering without the model."""

from __future__ import annotations

import json
from pathlib import Path

from bimcheck.errors import InputError
from bimcheck.results import RunResult, run_from_dict


def read_json_report(path: str | Path) -> RunResult:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, "report file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(p, f"cannot read report: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(p, f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:  # thousands of nested brackets: no report of bimcheck's nests so deep
        raise InputError(p, "not a bimcheck JSON report: arrays and objects nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise InputError(p, f"not a bimcheck JSON report: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(p, "not a bimcheck JSON report (top level is not an object)")
    try:
        return run_from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(p, f"not a bimcheck JSON report: {exc}") from None
