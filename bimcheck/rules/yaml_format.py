"""bimcheck YAML requirement format (placeholder until the format lands)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bimcheck.errors import RuleError
from bimcheck.rules.requirement import RuleSet


def declared_parameters(path: Path) -> dict[str, str]:
    return {}


def load_yaml(path: Path, overrides: Mapping[str, str]) -> RuleSet:
    raise RuleError(path, "YAML requirement files are not supported yet")
