"""JSON report: the lossless, versioned form of a run that every other format can be rebuilt from."""

from __future__ import annotations

import json

from bimcheck.results import RunResult, run_to_dict


def render(run: RunResult) -> str:
    return json.dumps(run_to_dict(run), indent=2, ensure_ascii=False) + "\n"
