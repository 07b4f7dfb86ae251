"""Shared fixtures: where the shared test data lives, and when its absence may skip a test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders import ModelBuilder

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BIMCHECK_SHARED", ROOT.parent / "shared"))
IDS_TESTCASES = SHARED / "ids-testcases"
SHARED_MODELS = SHARED / "models"


def require_shared(path: Path) -> Path:
    """Skip (with a message) when shared data is missing, except in CI where it must exist."""
    if path.exists():
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the shared test data is missing: {path}")
    pytest.skip(f"shared test data not found at {path} (set BIMCHECK_SHARED); skipped outside CI")


def shared_model_params() -> list[object]:
    """One pytest param per model in the shared MANIFEST.csv (one that fails later when absent)."""
    import csv

    manifest = SHARED_MODELS / "MANIFEST.csv"
    names = []
    if manifest.exists():
        with manifest.open(newline="", encoding="utf-8") as stream:
            names = [row["file"] for row in csv.DictReader(stream)]
    return [pytest.param(n, id=n) for n in names] or [pytest.param(None, id="shared-models-missing")]


@pytest.fixture
def ids_testcases() -> Path:
    return require_shared(IDS_TESTCASES)


@pytest.fixture
def shared_models() -> Path:
    return require_shared(SHARED_MODELS)


@pytest.fixture
def builder() -> ModelBuilder:
    return ModelBuilder()
