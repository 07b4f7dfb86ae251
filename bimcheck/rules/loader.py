"""Find and load requirement files (IDS, bimcheck YAML, or directories of them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bimcheck.errors import InputError
from bimcheck.rules.requirement import RuleSet

IDS_SUFFIXES = (".ids", ".xml")
YAML_SUFFIXES = (".yaml", ".yml")


def rule_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand directories into their requirement files, sorted, keeping the order given."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IDS_SUFFIXES + YAML_SUFFIXES
            )
            if not found:
                raise InputError(p, "directory holds no requirement files (*.ids, *.yaml, *.yml)")
            out.extend(found)
        elif not p.exists():
            raise InputError(p, "requirement file does not exist")
        elif p.suffix.lower() not in IDS_SUFFIXES + YAML_SUFFIXES:
            raise InputError(p, "unknown requirement format: expected .ids, .xml, .yaml or .yml")
        else:
            out.append(p)
    return out


def load_rules(
    paths: Sequence[str | Path], parameters: Mapping[str, str] | None = None, *, audit: bool = True
) -> RuleSet:
    """Load every requirement file; `parameters` override YAML parameter defaults by name."""
    from bimcheck.rules.ids import load_ids

    overrides = dict(parameters or {})
    sets = []
    declared: set[str] = set()
    for path in rule_files(paths):
        if path.suffix.lower() in YAML_SUFFIXES:
            from bimcheck.rules.yaml_format import load_yaml

            loaded = load_yaml(path, overrides)
            declared.update(loaded.parameters)  # every parameter the file declares, in force
            sets.append(loaded)
        else:
            sets.append(load_ids(path, audit=audit))
    unknown = sorted(set(overrides) - declared)
    if unknown:
        raise InputError(
            None, f"unknown parameter(s) {', '.join(unknown)}: no loaded requirement file declares them"
        )
    merged = RuleSet.merge(sets)
    _refuse_duplicate_yaml_ids(merged)
    return merged


def _refuse_duplicate_yaml_ids(rules: RuleSet) -> None:
    # IDS identifiers are not unique by definition (IDS 1.0); bimcheck's own ids must be,
    # because baselines, waivers and tender evaluations refer to requirements by id.
    seen: dict[str, str] = {}
    for r in rules.requirements:
        if r.source is None or not r.source.split(":")[0].endswith(YAML_SUFFIXES):
            continue
        if r.id in seen:
            raise InputError(r.source, f"requirement id {r.id!r} is already used at {seen[r.id]}")
        seen[r.id] = r.source
