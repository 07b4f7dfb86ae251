"""Every crash the fuzzer found (fuzz/README.md), as the smallest input that showed it.

The inputs under tests/data/fuzz/ are fuzz/seeds/built-geometry.ifc with the one line the
fuzzer's mutation changed (its minimised form; the other lines are the valid model):
- polyline-of-a-project.ifc: `#170=IFCPOLYLINE((#1))`, a polyline whose point is the
  IfcProject (fuzz seed 1, iteration 3977, `step_empty_list` on the point list): IfcOpenShell's
  geometry kernel died with SIGFPE (exit 136).
- opening-renamed-placement.ifc: `#79=IFCLOCALPLACEMENT(...)` with the opening's nine
  arguments (seed 1, iteration 2267 on demo-house.ifc, `step_type_name`): the wall's void
  relation then points at a placement, and the kernel died with SIGSEGV (exit 139).
- project-renamed-unit.ifc: `#1=IFCSIUNIT(...)` with the project's arguments (seed 2, iteration
  642, `step_type_name`): a unit without a unit type, which the kernel reads for every element:
  SIGSEGV.

The CLI runs in a child process: a regression would kill the process, which must not be pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ifcopenshell
import pytest
from typer.testing import CliRunner

from bimcheck.cli import app

DATA = Path(__file__).parent / "data" / "fuzz"
ROOT = Path(__file__).resolve().parent.parent
FUNCTION = ROOT / "requirements" / "se-housing-function.yaml"
ENTRY_POINT = Path(sys.executable).parent / "bimcheck"

CRASHES = {
    # input: what the report must say about the element the kernel was not given
    "polyline-of-a-project.ifc": "#170 IfcPolyline.Points holds #1 IfcProject, not IfcCartesianPoint",
    "opening-renamed-placement.ifc": "IfcRelVoidsElement.RelatedOpeningElement holds #79 IfcLocalPlacement",
    "project-renamed-unit.ifc": "#1 IfcSIUnit.UnitType is empty",
}


# The runs that crashed: the requirements' measures need the space's geometry (and the polyline
# is the space's outline); an HTML report also draws floor plans of the walls (with the opening).
@pytest.mark.parametrize(
    ("name", "output"),
    [
        ("polyline-of-a-project.ifc", "json"),
        ("polyline-of-a-project.ifc", "html"),
        ("opening-renamed-placement.ifc", "html"),
        ("project-renamed-unit.ifc", "json"),
    ],
)
def test_a_reference_of_the_wrong_class_is_an_element_error_not_a_dead_process(
    tmp_path: Path, name: str, output: str
) -> None:
    report = tmp_path / "report.json"
    args = [str(ENTRY_POINT), "check", str(DATA / name), "-r", str(FUNCTION), "-o", f"json:{report}"]
    if output == "html":
        args += ["-o", f"html:{tmp_path / 'report.html'}"]
    env = {k: v for k, v in os.environ.items() if k != "BIMCHECK_DEBUG"}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    # 1: the model fails requirements (it has elements without computable geometry); not a
    # negative exit code (a signal), not 2 (the model is readable, only some elements are not).
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert json.loads(report.read_text("utf-8"))["requirements"]
    if output == "html":
        assert (tmp_path / "report.html").read_text("utf-8").rstrip().endswith("</html>")


@pytest.mark.parametrize("name", list(CRASHES))
def test_the_element_the_kernel_is_not_given_says_why(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process, so the kernel is replaced by a recorder: were the bad element given to
    # it after a regression, the real one would end pytest (the child-process test above fails).
    from bimcheck.model.geometry import GeometryIndex
    from bimcheck.model.ifcmodel import open_model

    given: list[int] = []
    monkeypatch.setattr(
        GeometryIndex, "_iterate", lambda self, elements, *_: given.extend(e.id() for e in elements)
    )
    model = open_model(DATA / name)
    index = model.geometry
    elements = [e for e in model.file.by_type("IfcProduct") if e.Representation is not None]
    index.prefetch(elements)
    refused = {e.id() for e in elements} - set(given)
    assert refused, "every element went to the kernel"
    for element_id in refused:
        assert CRASHES[name] in (index._shapes[element_id].error or "")
    if name == "project-renamed-unit.ifc":  # the units are read for every element
        assert not given
    else:
        assert given, "the elements whose geometry is sound still go to the kernel"


def test_the_check_of_references_finds_nothing_in_the_valid_seed() -> None:
    # The control: the same model before the mutation has every geometry computed.
    from bimcheck.model.references import misplaced_references

    ifc = ifcopenshell.open(str(ROOT / "fuzz" / "seeds" / "built-geometry.ifc"))
    products = [e for e in ifc.by_type("IfcProduct") if e.Representation is not None]
    assert products
    assert misplaced_references(ifc, products) == {}
    broken = ifcopenshell.open(str(DATA / "polyline-of-a-project.ifc"))
    found = misplaced_references(broken, [e for e in broken.by_type("IfcProduct") if e.Representation])
    assert len(found) == 1


# A requirement file whose value is an escaped lone surrogate (seed 2, iteration 487,
# `yaml_value_text` on se-housing-function.yaml, minimised by hand to one property value):
# the check ran and the XML writer (lxml) raised UnicodeEncodeError, an internal error.
SURROGATE = r"""bimcheck: 1
title: T
ifc_versions: [IFC4]
requirements:
  - id: R-1
    title: T
    applicability:
      - entity: IFCDOOR
    requirements:
      - property: {property_set: Pset_DoorCommon, name: Reference, value: "\uD800"}
"""


@pytest.mark.parametrize("escape", ["\\uD800", "\\0", "\\x1b", "\\uFFFF"])
def test_an_escaped_character_no_report_can_carry_is_refused_at_its_line(tmp_path: Path, escape: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(SURROGATE.replace("\\uD800", escape), encoding="utf-8")
    args = ["check", str(ROOT / "samples" / "demo-house.ifc"), "-r", str(rules)]
    args += ["-o", f"json:{tmp_path / 'r.json'}", "-o", f"xml:{tmp_path / 'r.xml'}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"bimcheck: error: {rules}: line 10: character U+")
    assert not (tmp_path / "r.json").exists()


# An IDS with comments among the facets (seed 2, iteration 2960, `xml_inject` of
# `<!-- comment -->` into an official partof case; the XSD allows them between elements): the
# load ended in "ValueError: Invalid input tag", a comment read as a facet.
COMMENTED_IDS = """<?xml version="1.0" encoding="UTF-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xsi:schemaLocation="http://standards.buildingsmart.org/IDS http://standards.buildingsmart.org/IDS/1.0/ids.xsd">
  <info><title>Title</title></info>
  <specifications>
    <specification name="S" ifcVersion="IFC4">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <!-- a comment --><?a processing-instruction?>
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
      </applicability>
      <requirements>
        <!-- a comment -->
        <property dataType="IFCLABEL">
          <propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>FireRating</simpleValue></baseName>
          <value><simpleValue>EI 60</simpleValue></value>
        </property>
      </requirements>
    </specification>
  </specifications>
</ids>
"""


def test_comments_in_an_ids_are_not_facets(tmp_path: Path) -> None:
    from bimcheck.rules.facets import EntityFacet, PropertyFacet
    from bimcheck.rules.ids import load_ids

    ids = tmp_path / "commented.ids"
    ids.write_text(COMMENTED_IDS, encoding="utf-8")
    (requirement,) = load_ids(ids).requirements
    assert [type(f) for f in requirement.applicability] == [EntityFacet]
    (facet,) = requirement.requirements
    assert isinstance(facet, PropertyFacet)
    assert facet.value is not None
    assert facet.value.simple == "EI 60"
    result = CliRunner().invoke(app, ["check", str(ROOT / "samples" / "demo-house.ifc"), "-r", str(ids)])
    assert result.exit_code in (0, 1), result.output


# A relationship with a reference of the wrong class: the property set relation of the demo
# house's first property set, made to point at a text (the shape of the fuzzer's mutants that
# ended element checks in "AttributeError: 'str' object has no attribute 'id'").
_PSET_RELATION = "#159=IFCRELDEFINESBYPROPERTIES('1NvH9erZmGv1tz6H1ntF$b',#2877,$,$,(#157),#158);"


def _malformed_relationship_model(tmp_path: Path) -> Path:
    text = (ROOT / "samples" / "demo-house.ifc").read_text(encoding="ascii")
    assert _PSET_RELATION in text, "the demo house changed: pick another property set relation"
    model = tmp_path / "pset-relation-to-text.ifc"
    model.write_text(text.replace(_PSET_RELATION, _PSET_RELATION.replace(",#158);", ",'text');")))
    return model


def _error_messages(report: Path) -> set[str]:
    data = json.loads(report.read_text(encoding="utf-8"))
    # A requirement that could not be evaluated at all says so itself; one whose elements could
    # not be, in their findings.
    messages = {r["message"] for r in data["requirements"] if r["message"].startswith("could not evaluate")}
    for requirement in data["requirements"]:
        for element in requirement.get("elements", []):
            messages |= {f["message"] for f in element["findings"] if f["reason"] == "evaluation_error"}
    return messages


def test_an_evaluation_error_names_the_malformed_relationship_not_pythons_exception(tmp_path: Path) -> None:
    model = _malformed_relationship_model(tmp_path)
    report = tmp_path / "report.json"
    rules = ["-r", str(ROOT / "samples" / "demo-house.ids"), "-r", str(ROOT / "requirements")]
    done = CliRunner().invoke(app, ["check", str(model), *rules, "-o", f"json:{report}"])
    assert done.exit_code == 1, done.output
    # Expected text written from the edit above: relation #159, its attribute, what it holds.
    named = (
        "could not evaluate: malformed model: #159 IfcRelDefinesByProperties.RelatingPropertyDefinition "
        "holds 'text', not IfcPropertySetDefinition or IfcPropertySetDefinitionSet"
    )
    assert _error_messages(report) == {named}


def test_an_evaluation_error_on_a_sound_model_keeps_the_exceptions_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control: on the unedited model nothing is malformed, so a failure of bimcheck's own
    # (planted here) is reported as it is, not blamed on the model.
    from bimcheck.rules import facets

    def broken(*_: object) -> object:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(facets.PropertyFacet, "check", broken)
    report = tmp_path / "report.json"
    ids = str(ROOT / "samples" / "demo-house.ids")
    done = CliRunner().invoke(
        app, ["check", str(ROOT / "samples" / "demo-house.ifc"), "-r", ids, "-o", f"json:{report}"]
    )
    assert done.exit_code == 1, done.output
    assert _error_messages(report) == {"could not evaluate: ZeroDivisionError: planted"}
