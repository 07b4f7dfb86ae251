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
from bimcheck.results import Kind, RequirementResult, Status
from bimcheck.rules.loader import load_rules
from bimcheck.rules.measure_facet import MeasureFacet
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
    b.building.GlobalId = stable_guid("building")
    shapes = Shapes(b)
    storeys = [{"label": "storey", "Name": "Plan 1", "Elevation": 0.0, **case.get("storey", {})}]
    storeys += case.get("extra_storeys", [])
    for spec in storeys:
        attributes = {k: v for k, v in spec.items() if k not in ("label", "Name")}
        storey = b.create("IfcBuildingStorey", spec.get("Name"), guid=spec["label"], **attributes)
        if "Elevation" in attributes:
            storey.ObjectPlacement = shapes.placement(None, (0.0, 0.0, float(attributes["Elevation"])))
        b.storeys[spec["label"]] = storey
        place(b, storey, "building", spec["label"])
    elements = {spec["label"]: add_element(b, spec, shapes) for spec in case.get("elements", ())}
    for spec in case.get("elements", ()):
        relate(b, spec, elements, shapes)
    return b


def add_element(b: ModelBuilder, spec: Mapping[str, Any], shapes: Shapes | None = None) -> Any:
    label = spec["label"]
    element = b.create(spec["class"], spec.get("name"), guid=label, **spec.get("attributes", {}))
    storey = b.storeys[spec.get("storey", "storey")]
    parent = spec.get("parent", "contained")
    if not (parent == "contained" and "contained_in" in spec):
        place(b, element, parent, label, storey)
    if shapes is not None and ("box" in spec or "outline" in spec):
        shapes.body(element, spec, storey)
    for name, properties in spec.get("psets", {}).items():
        b.pset(element, name, {k: typed_value(b, v) for k, v in properties.items()})
    for name, quantities in spec.get("qtos", {}).items():
        b.qto(element, name, quantities)
    classifications = spec.get("classification", [])
    for system, code in (
        [classifications] if classifications and isinstance(classifications[0], str) else classifications
    ):
        b.classify(element, system, code)
    if "material" in spec:
        material = spec["material"]
        b.material(element, *([material] if isinstance(material, str) else material))
    if "type" in spec:
        type_spec = spec["type"]
        type_object = b.typed(element, type_spec["class"], type_spec["name"])
        for name, properties in type_spec.get("psets", {}).items():
            b.pset(type_object, name, properties)
    for cls, key in (("IfcDoorLiningProperties", "lining"), ("IfcDoorPanelProperties", "panel")):
        if key in spec:
            definition = b.file.create_entity(cls, GlobalId=stable_guid(f"{label}/{key}"), **spec[key])
            b.file.create_entity(
                "IfcRelDefinesByProperties",
                GlobalId=stable_guid(f"{label}/{key}/rel"),
                RelatedObjects=[element],
                RelatingPropertyDefinition=definition,
            )
    return element


def typed_value(b: ModelBuilder, value: Any) -> Any:
    """`{IfcLengthMeasure: 0.85}` writes a value of that IFC type; plain values as the API infers."""
    if isinstance(value, dict):
        ((ifc_type, inner),) = value.items()
        return b.file.create_entity(ifc_type, inner)
    return value


def relate(b: ModelBuilder, spec: Mapping[str, Any], elements: Mapping[str, Any], shapes: Shapes) -> None:
    """Relations to other elements of the case: zones, host walls, rooms, space boundaries."""
    label = spec["label"]
    element = elements[label]
    if "members" in spec:
        members = [elements[m] for m in spec["members"]]
        ifcopenshell.api.run("group.assign_group", b.file, group=element, products=members)
    if "contained_in" in spec:
        b.file.create_entity(
            "IfcRelContainedInSpatialStructure",
            GlobalId=stable_guid(f"{label}/contained"),
            RelatedElements=[element],
            RelatingStructure=elements[spec["contained_in"]],
        )
    if "part_of" in spec:
        b.file.create_entity(
            "IfcRelAggregates",
            GlobalId=stable_guid(f"{label}/part"),
            RelatingObject=elements[spec["part_of"]],
            RelatedObjects=[element],
        )
    if "host" in spec:
        shapes.fill(elements[spec["host"]], element, spec)
    for space in spec.get("bounds", ()):
        b.file.create_entity(
            "IfcRelSpaceBoundary",
            GlobalId=stable_guid(f"{label}/bounds/{space}"),
            RelatingSpace=elements[space],
            RelatedBuildingElement=element,
            PhysicalOrVirtualBoundary="PHYSICAL",
            InternalOrExternalBoundary="INTERNAL",
        )


class Shapes:
    """Bodies for case elements: a plan rectangle (`box: [x0, y0, x1, y1, z0, z1]`) or outline
    (`outline: [[x, y], …]` with `z: [z0, z1]`) extruded upwards, in the model's length unit and
    storey coordinates. A door or window whose box is deeper than wide is turned so that its
    width runs along its placement's X axis, as IFC has it."""

    def __init__(self, b: ModelBuilder) -> None:
        f = self.file = b.file
        origin = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0)), None, None)
        context = f.createIfcGeometricRepresentationContext(None, "Model", 3, 1.0e-5, origin, None)
        self.context = f.createIfcGeometricRepresentationSubContext(
            "Body", "Model", None, None, None, None, context, None, "MODEL_VIEW", None
        )
        b.project.RepresentationContexts = (context,)
        self.up = f.createIfcDirection((0.0, 0.0, 1.0))
        self.north = f.createIfcDirection((0.0, 1.0, 0.0))

    def placement(self, relative_to: Any, at: tuple[float, float, float], turned: bool = False) -> Any:
        point = self.file.createIfcCartesianPoint(tuple(float(v) for v in at))
        axes = (self.up, self.north) if turned else (None, None)
        return self.file.createIfcLocalPlacement(
            relative_to, self.file.createIfcAxis2Placement3D(point, *axes)
        )

    def solid(self, points: list[tuple[float, float]], height: float) -> Any:
        f = self.file
        ring = [f.createIfcCartesianPoint((float(x), float(y))) for x, y in [*points, points[0]]]
        profile = f.createIfcArbitraryClosedProfileDef("AREA", None, f.createIfcPolyline(ring))
        solid = f.createIfcExtrudedAreaSolid(profile, None, self.up, float(height))
        shape = f.createIfcShapeRepresentation(self.context, "Body", "SweptSolid", (solid,))
        return f.createIfcProductDefinitionShape(None, None, (shape,))

    def body(self, element: Any, spec: Mapping[str, Any], storey: Any) -> None:
        if "box" in spec:
            x0, y0, x1, y1, z0, z1 = spec["box"]
            turned = element.is_a() in ("IfcDoor", "IfcWindow") and y1 - y0 > x1 - x0
            if turned:  # the local plan starts at the south-east corner and runs north and west
                corner, local = (x1, y0), [(0, 0), (y1 - y0, 0), (y1 - y0, x1 - x0), (0, x1 - x0)]
            else:
                corner, local = (x0, y0), [(0, 0), (x1 - x0, 0), (x1 - x0, y1 - y0), (0, y1 - y0)]
        else:
            (x0, y0), (z0, z1), turned = spec["outline"][0], spec["z"], False
            corner, local = (x0, y0), [(x - x0, y - y0) for x, y in spec["outline"]]
        element.ObjectPlacement = self.placement(storey.ObjectPlacement, (*corner, z0), turned)
        element.Representation = self.solid(local, z1 - z0)

    def fill(self, host: Any, element: Any, spec: Mapping[str, Any]) -> None:
        """An opening in the host with the element in it (voids and fills relationships)."""
        label = spec["label"]
        opening = self.file.create_entity(
            "IfcOpeningElement", GlobalId=stable_guid(f"{label}/opening"), PredefinedType="OPENING"
        )
        self.file.create_entity(
            "IfcRelVoidsElement",
            GlobalId=stable_guid(f"{label}/voids"),
            RelatingBuildingElement=host,
            RelatedOpeningElement=opening,
        )
        self.file.create_entity(
            "IfcRelFillsElement",
            GlobalId=stable_guid(f"{label}/fills"),
            RelatingOpeningElement=opening,
            RelatedBuildingElement=element,
        )


def place(b: ModelBuilder, element: Any, parent: str, label: str, storey: Any = None) -> None:
    storey = storey if storey is not None else b.storeys["storey"]
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

STATUSES = ("pass", "fail", "not_evaluable", "manual")


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
    labels = {stable_guid(e["label"]): e["label"] for e in case.get("elements", ())}
    fixed = ["storey", "building", *(s["label"] for s in case.get("extra_storeys", []))]
    labels |= {stable_guid(label): label for label in fixed}

    def named(ids: set[str | None]) -> list[str]:
        return sorted(labels.get(i or "", str(i)) for i in ids)

    for status in STATUSES:
        expected = sorted(case.get(status, ()))
        assert named(by_status.get(status, set())) == expected, f"{case['case']}: {status}"
    assert set(by_status) <= set(STATUSES), f"{case['case']}: {result.message}"
    assert result.status.value == case["status"], f"{case['case']}: {result.message}"
    check_values(case, result)


def check_values(case: Mapping[str, Any], result: RequirementResult) -> None:
    """Measured values per element and key figures, within the case's stated tolerance."""
    tolerance = float(case.get("tolerance", 0.001))
    by_label = {e.global_id: e for e in result.elements}
    for label, expected in case.get("expect_values", {}).items():
        element = by_label.get(stable_guid(label))
        assert element is not None, f"{case['case']}: {label} has no result"
        values = [f.value for f in element.findings if isinstance(f.value, int | float)]
        assert values, f"{case['case']}: {label} has no measured value"
        assert values[0] == pytest.approx(expected, abs=tolerance), f"{case['case']}: {label}"
    figures = {f.group or "*": f.value for f in result.key_figures}
    expected_figures = case.get("key_figures", {})
    assert set(figures) == set(expected_figures) or not expected_figures, f"{case['case']}: {figures}"
    for group, expected in expected_figures.items():
        assert figures[group] == pytest.approx(expected, abs=tolerance), f"{case['case']}: key figure {group}"


def test_every_library_requirement_has_a_passing_and_a_failing_case() -> None:
    """Automatic requirements need a pass and a fail case, measured ones expected values,
    key figures their values; manual ones a case asserting status manual."""
    missing = []
    for path in LIBRARY_FILES:
        cases = read_cases(path)
        for r in library(path).requirements:
            own = cases.get(r.id, [])
            statuses = {c["status"] for c in own}
            where = f"{path.name} {r.id}"
            if r.manual:
                if "manual" not in statuses:
                    missing.append(f"{where}: manual, but no case asserts status manual")
                continue
            measured = any(isinstance(f, MeasureFacet) for f in r.requirements)
            figure_only = r.aggregate is not None and not r.requirements
            if figure_only and r.aggregate is not None and r.aggregate.value is None:
                if not any(c.get("key_figures") for c in own):
                    missing.append(f"{where}: a key figure without a bound needs a case with key_figures")
                continue
            if not {"pass", "fail"} <= statuses:
                missing.append(f"{where}: cases end in {sorted(statuses) or 'nothing'}")
            if figure_only:
                if not any(c.get("key_figures") for c in own):
                    missing.append(f"{where}: no case states the expected key figures")
            # A prohibited requirement never passes an element; all others must show both.
            elif r.cardinality != "prohibited" and not (
                any(c.get("pass") for c in own) and any(c.get("fail") for c in own)
            ):
                missing.append(f"{where}: no element expected to pass and one to fail")
            if measured and not any(c.get("expect_values") for c in own):
                missing.append(f"{where}: measures a value, but no case states the expected values")
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


def test_the_functional_sets_on_the_shared_models(shared_models: Path) -> None:
    """Every requirement evaluates without error on real exports; counts match MANIFEST.csv.

    The manifest's door and storey counts were taken by hand from each file (number of
    IfcDoor and IfcBuildingStorey instances); the door-related requirements must find them all.
    """
    manifest = {row["file"]: row for row in csv.DictReader((shared_models / "MANIFEST.csv").open())}
    rules = load_rules([LIBRARY / "se-housing-function.yaml", LIBRARY / "se-preschool.yaml"])
    for name, row in manifest.items():
        run = run_check([shared_models / name], rules)
        results = {r.id: r for r in run.requirements}
        errors = [r.id for r in run.requirements if r.status is Status.ERROR]
        errors += [
            f"{r.id} {e.global_id}" for r in run.requirements for e in r.elements if e.status is Status.ERROR
        ]
        assert not errors, (name, errors)
        doors = int(row["doors"])
        assert results["SE-ACC-01"].applicable_count == doors, name
        assert (results["SE-MAN-07"].status, results["SE-MAN-07"].counts["manual"]) == (Status.MANUAL, doors)
        (storeys,) = results["SE-AREA-05"].key_figures
        assert storeys.value == int(row["storeys"]), name
        # A clear width comes from declared or lining/panel properties; a door with neither is
        # not evaluable, never passed or failed on its overall width.
        for element in results["SE-ACC-01"].elements:
            (finding,) = element.findings
            if element.status is Status.NOT_EVALUABLE:
                assert finding.reason == "not_determinable", (name, element.global_id)
            else:
                assert (finding.source or "").startswith("property:"), (name, element.global_id)


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
