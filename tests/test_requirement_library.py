"""The requirement library in requirements/: every requirement checked on small models, as data."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import ifcopenshell.api
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.engine import evaluate, run_check
from bimcheck.model.ifcmodel import open_model
from bimcheck.results import Kind, Status
from bimcheck.rules.loader import load_rules
from bimcheck.rules.requirement import Requirement, RuleSet
from tests.builders import ModelBuilder, stable_guid

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "requirements"
CASES = Path(__file__).resolve().parent / "data" / "requirement_cases"
LIBRARY_FILES = sorted(LIBRARY.glob("*.yaml"))
HOUSING = LIBRARY / "se-housing-information.yaml"


def read_cases(library_file: Path) -> dict[str, list[dict[str, Any]]]:
    data = YAML(typ="safe").load((CASES / library_file.name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{library_file.name}: cases must be a mapping of requirement ids"
    return data


@cache
def library(path: Path, params: tuple[tuple[str, str], ...] = ()) -> RuleSet:
    return load_rules([path], dict(params))


def requirement(path: Path, requirement_id: str, params: Mapping[str, str]) -> Requirement:
    rules = library(path, tuple(sorted(params.items())))
    (found,) = [r for r in rules.requirements if r.id == requirement_id]
    return found


def all_cases() -> list[Any]:
    out = []
    for path in LIBRARY_FILES:
        for requirement_id, cases in read_cases(path).items():
            for index, case in enumerate(cases):
                out.append(pytest.param(path, requirement_id, case, id=f"{requirement_id}[{index}]"))
    return out


# --- building a case's model -------------------------------------------------------------------


def build(case: Mapping[str, Any]) -> ModelBuilder:
    b = ModelBuilder(
        schema=case.get("schema", "IFC4"), storeys=(), length_unit=case.get("length_unit", "METRE")
    )
    storey = case.get("storey", {"Name": "Plan 1", "Elevation": 0.0})
    attributes = {k: v for k, v in storey.items() if k != "Name"}
    b.storeys["Plan 1"] = b.create("IfcBuildingStorey", storey.get("Name"), guid="storey", **attributes)
    place(b, b.storeys["Plan 1"], "building", "storey")
    for spec in case.get("elements", ()):
        add_element(b, spec)
    return b


def add_element(b: ModelBuilder, spec: Mapping[str, Any]) -> None:
    label = spec["label"]
    element = b.create(spec["class"], spec.get("name"), guid=label, **spec.get("attributes", {}))
    place(b, element, spec.get("parent", "contained"), label)
    for name, properties in spec.get("psets", {}).items():
        b.pset(element, name, properties)
    for name, quantities in spec.get("qtos", {}).items():
        b.qto(element, name, quantities)
    if "classification" in spec:
        system, code = spec["classification"]
        b.classify(element, system, code)
    if "material" in spec:
        b.material(element, spec["material"])
    if "type" in spec:
        type_spec = spec["type"]
        type_object = b.typed(element, type_spec["class"], type_spec["name"])
        for name, properties in type_spec.get("psets", {}).items():
            b.pset(type_object, name, properties)


def place(b: ModelBuilder, element: Any, parent: str, label: str) -> None:
    storey = b.storeys["Plan 1"]
    if parent == "contained":
        # Written directly: ifcopenshell.api refuses to contain spaces, which some exports do.
        b.file.create_entity(
            "IfcRelContainedInSpatialStructure",
            GlobalId=stable_guid(f"{label}/contained"),
            RelatedElements=[element],
            RelatingStructure=storey,
        )
    elif parent in ("aggregated", "building"):
        whole = storey if parent == "aggregated" else b.building
        ifcopenshell.api.run("aggregate.assign_object", b.file, relating_object=whole, products=[element])
    else:
        assert parent == "none", f"unknown parent {parent!r}"


# --- the cases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("library_file", "requirement_id", "case"), all_cases())
def test_requirement_case(
    tmp_path: Path, library_file: Path, requirement_id: str, case: dict[str, Any]
) -> None:
    params = {k: str(v) for k, v in case.get("params", {}).items()}
    rule = requirement(library_file, requirement_id, params)
    model = open_model(build(case).save(tmp_path / "case.ifc"))
    result = evaluate(model, rule)
    by_status: dict[str, set[str | None]] = {}
    for element in result.elements:
        by_status.setdefault(element.status.value, set()).add(element.global_id)
    expected_pass = {stable_guid(label) for label in case.get("pass", ())}
    expected_fail = {stable_guid(label) for label in case.get("fail", ())}
    labels = {stable_guid(e["label"]): e["label"] for e in case.get("elements", ())} | {
        stable_guid("storey"): "storey"
    }

    def named(ids: set[str | None]) -> list[str]:
        return sorted(labels.get(i or "", str(i)) for i in ids)

    assert named(by_status.get("pass", set())) == named(expected_pass), case["case"]
    assert named(by_status.get("fail", set())) == named(expected_fail), case["case"]
    assert set(by_status) <= {"pass", "fail"}, f"{case['case']}: {result.message}"
    assert result.status.value == case["status"], f"{case['case']}: {result.message}"


def test_every_library_requirement_has_a_passing_and_a_failing_case() -> None:
    missing = []
    for path in LIBRARY_FILES:
        cases = read_cases(path)
        for r in library(path).requirements:
            own = cases.get(r.id, [])
            statuses = {c["status"] for c in own}
            if statuses != {"pass", "fail"}:
                missing.append(f"{path.name} {r.id}: cases end in {sorted(statuses) or 'nothing'}")
            # A prohibited requirement never passes an element; all others must show both.
            if r.cardinality != "prohibited" and not (
                any(c.get("pass") for c in own) and any(c.get("fail") for c in own)
            ):
                missing.append(f"{path.name} {r.id}: no element expected to pass and one to fail")
    assert not missing, "\n".join(missing)


def test_every_case_belongs_to_a_library_requirement() -> None:
    for path in LIBRARY_FILES:
        ids = {r.id for r in library(path).requirements}
        assert set(read_cases(path)) <= ids, f"{path.name}: cases for requirements that do not exist"


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.name)
def test_every_library_requirement_is_traceable(path: Path) -> None:
    """Procurement needs the clause and edition, the motive and how fulfilment is verified."""
    rules = library(path)
    assert rules.requirements
    for r in rules.requirements:
        assert r.regulation is not None, r.id
        assert r.regulation.reference, r.id
        assert r.regulation.edition, r.id
        assert r.description, r.id
        assert "Motiv: " in r.description, r.id
        assert r.verification, r.id
        assert r.weight is not None if r.kind is Kind.SCORED else r.weight is None, r.id


def test_the_housing_set_declares_its_thresholds_as_parameters() -> None:
    # Defaults from DOMAIN.md: BBR 3:311 2.40 m, BBR 9:92 0.18 / 1.2 / 1.2 W/m²K, BBR 5:531 EI 60,
    # BBR 5:323 0.50 × 0.60 m.
    assert library(HOUSING).parameters == {
        "room_height_min": "2.40",
        "u_wall_max": "0.18",
        "u_window_max": "1.2",
        "u_door_max": "1.2",
        "compartment_fire_minutes": "60|90|120|180|240",
        "escape_window_width_min": "0.50",
        "escape_window_height_min": "0.60",
    }


# --- real models and the command line ---------------------------------------------------------------


def test_the_housing_set_on_the_shared_models(shared_models: Path) -> None:
    """Expectations from the models' MANIFEST.csv (spaces, spaces with base quantities)."""
    manifest = {row["file"]: row for row in csv.DictReader((shared_models / "MANIFEST.csv").open())}
    rules = library(HOUSING)
    for name, row in manifest.items():
        run = run_check([shared_models / name], rules)
        results = {r.id: r for r in run.requirements}
        assert not [r.id for r in run.requirements if r.status is Status.ERROR], name
        spaces, with_qto = int(row["spaces"]), int(row["spaces_with_qto_base"])
        named = results["SE-SPACE-03"]
        assert named.applicable_count == spaces, name
        if spaces == 0:
            assert results["SE-SPACE-01"].status is Status.FAIL, name  # nothing to check is a failure
        elif with_qto == 0:
            assert named.counts["fail"] == spaces, name


def test_cli_check_with_a_parameter_override(tmp_path: Path) -> None:
    b = build({})
    add_element(
        b,
        {
            "label": "wall",
            "class": "IfcWall",
            "psets": {"Pset_WallCommon": {"IsExternal": True, "ThermalTransmittance": 0.25}},
        },
    )
    model = b.save(tmp_path / "model.ifc")
    report = tmp_path / "report.json"
    runner = CliRunner()
    args = ["check", str(model), "-r", str(HOUSING), "--only", "SE-WALL-02", "-o", f"json:{report}"]

    strict = runner.invoke(app, args)
    assert strict.exit_code == 1, strict.output  # 0.25 > default 0.18
    relaxed = runner.invoke(app, [*args, "--param", "u_wall_max=0.3"])
    assert relaxed.exit_code == 0, relaxed.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["parameters"]["u_wall_max"] == "0.3"
    (source,) = data["rule_sources"]
    assert (source["format"], source["requirement_count"]) == ("yaml", 19)
    (result,) = data["requirements"]
    assert (result["id"], result["status"], result["title"]) == (
        "SE-WALL-02",
        "pass",
        "Ytterväggars U-värde högst 0.3 W/m²K",
    )
    assert result["source"].startswith(f"{HOUSING}:")


def test_cli_refuses_a_parameter_of_the_wrong_type_naming_file_line_and_parameter(tmp_path: Path) -> None:
    model = build({}).save(tmp_path / "model.ifc")
    result = CliRunner().invoke(app, ["check", str(model), "-r", str(HOUSING), "--param", "u_wall_max=0,3"])
    assert result.exit_code == 2
    (first, *_) = result.stderr.splitlines()
    line = next(
        i
        for i, text in enumerate(HOUSING.read_text(encoding="utf-8").splitlines(), 1)
        if "u_wall_max:" in text
    )
    assert first.startswith(f"bimcheck: error: {HOUSING}: line {line}: parameter u_wall_max is a number")
    assert "Traceback" not in result.output
