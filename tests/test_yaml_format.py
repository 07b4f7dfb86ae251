"""The bimcheck YAML requirement format: compilation, metadata, parameters and errors with lines."""

from __future__ import annotations

import hashlib
import re
import textwrap
from pathlib import Path

import pytest

from bimcheck.errors import InputError, RuleError
from bimcheck.model.relations import RELATIONS
from bimcheck.results import Kind, Regulation, Severity
from bimcheck.rules.facets import (
    CARDINALITIES,
    AttributeFacet,
    ClassificationFacet,
    EntityFacet,
    MaterialFacet,
    PartOfFacet,
    PropertyFacet,
)
from bimcheck.rules.ids import load_ids
from bimcheck.rules.loader import load_rules
from bimcheck.rules.values import ValueSpec
from bimcheck.rules.yaml_format import declared_parameters, load_yaml
from bimcheck.rules.yaml_schema import Cardinality

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "requirements" / "README.md"

HEADER = """\
bimcheck: 1
title: Test
ifc_versions: [IFC4]
"""


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def requirement_file(body: str, header: str = HEADER) -> str:
    """A file with one requirement `R-1` whose keys after id and title are `body`."""
    return (
        header + "requirements:\n  - id: R-1\n    title: T\n" + textwrap.indent(textwrap.dedent(body), "    ")
    )


def rule_error(path: Path, overrides: dict[str, str] | None = None) -> RuleError:
    with pytest.raises(RuleError) as caught:
        load_yaml(path, overrides or {})
    return caught.value


def first_line_number(error: RuleError) -> int:
    match = re.match(rf"{re.escape(str(error.path))}: line (\d+): ", error.one_line())
    assert match, f"error does not name file and line: {error.one_line()}"
    return int(match.group(1))


# --- compilation to the internal model -----------------------------------------------------


def test_every_facet_kind_compiles_to_its_ids_facet(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        requirement_file("""\
            applicability:
              - entity: {name: IfcSpace, predefined_type: INTERNAL}
              - part_of: {entity: IfcBuildingStorey, relation: IFCRELAGGREGATES}
            requirements:
              - attribute: {name: LongName, value: Sovrum}
              - property:
                  property_set: Pset_SpaceCommon
                  name: IsExternal
                  data_type: IfcBoolean
                  value: false
                  cardinality: optional
                  instructions: Ange alltid.
              - classification: {system: CoClass, value: {pattern: "[A-Z]{3}"}, cardinality: prohibited}
              - material: {value: {one_of: [Betong, Trä]}}
            """),
    )
    r = load_yaml(path, {}).requirements[0]
    assert r.applicability == (
        EntityFacet(name=ValueSpec(simple="IFCSPACE"), predefined_type=ValueSpec(simple="INTERNAL")),
        PartOfFacet(
            entity=EntityFacet(name=ValueSpec(simple="IFCBUILDINGSTOREY")), relation="IFCRELAGGREGATES"
        ),
    )
    assert r.requirements == (
        AttributeFacet(name=ValueSpec(simple="LongName"), value=ValueSpec(simple="Sovrum")),
        PropertyFacet(
            property_set=ValueSpec(simple="Pset_SpaceCommon"),
            base_name=ValueSpec(simple="IsExternal"),
            data_type="IFCBOOLEAN",
            value=ValueSpec(simple="false"),
            cardinality="optional",
            instructions="Ange alltid.",
        ),
        ClassificationFacet(
            system=ValueSpec(simple="CoClass"),
            value=ValueSpec(base="string", patterns=("[A-Z]{3}",)),
            cardinality="prohibited",
        ),
        MaterialFacet(value=ValueSpec(base="string", enumeration=("Betong", "Trä"))),
    )


def test_yaml_and_ids_compile_to_the_same_facets(tmp_path: Path) -> None:
    """The promise of one rule model, two syntaxes: the same requirement written both ways."""
    yaml_path = write(
        tmp_path,
        requirement_file("""\
            applicability:
              - entity: IfcWall
              - property: {property_set: Pset_WallCommon, name: IsExternal, value: true}
            requirements:
              - property:
                  property_set: Pset_WallCommon
                  name: ThermalTransmittance
                  data_type: IfcThermalTransmittanceMeasure
                  value: {max: 0.18, greater_than: 0}
              - attribute: {name: Name, value: {pattern: "YV.*"}}
            """),
    )
    ids_path = tmp_path / "same.ids"
    ids_path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xsi:schemaLocation="http://standards.buildingsmart.org/IDS http://standards.buildingsmart.org/IDS/1.0/ids.xsd">
  <info><title>Same</title></info>
  <specifications>
    <specification name="T" ifcVersion="IFC4">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
        <property>
          <propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>IsExternal</simpleValue></baseName>
          <value><simpleValue>true</simpleValue></value>
        </property>
      </applicability>
      <requirements>
        <property dataType="IFCTHERMALTRANSMITTANCEMEASURE">
          <propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>
          <baseName><simpleValue>ThermalTransmittance</simpleValue></baseName>
          <value><xs:restriction base="xs:double">
            <xs:minExclusive value="0"/><xs:maxInclusive value="0.18"/>
          </xs:restriction></value>
        </property>
        <attribute>
          <name><simpleValue>Name</simpleValue></name>
          <value><xs:restriction base="xs:string"><xs:pattern value="YV.*"/></xs:restriction></value>
        </attribute>
      </requirements>
    </specification>
  </specifications>
</ids>
""",
        encoding="utf-8",
    )
    from_yaml = load_yaml(yaml_path, {}).requirements[0]
    from_ids = load_ids(ids_path).requirements[0]
    assert from_yaml.applicability == from_ids.applicability
    assert from_yaml.requirements == from_ids.requirements
    assert from_yaml.cardinality == from_ids.cardinality == "required"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # IDS writes booleans in lowercase and compares them after casting (values.py _equals).
        ("true", ValueSpec(simple="true")),
        ("False", ValueSpec(simple="false")),
        # Numbers keep their digits: a float would turn 2.40 into 2.4 and 21.10 into 21.1.
        ("2.40", ValueSpec(simple="2.40")),
        ("21.10", ValueSpec(simple="21.10")),
        ("60", ValueSpec(simple="60")),
        ('"EI 60"', ValueSpec(simple="EI 60")),
        ("EI 60", ValueSpec(simple="EI 60")),
        ("{one_of: [60, EI 90, true]}", ValueSpec(base="string", enumeration=("60", "EI 90", "true"))),
        ('{pattern: "EI.*"}', ValueSpec(base="string", patterns=("EI.*",))),
        ("{pattern: [a, b]}", ValueSpec(base="string", patterns=("a", "b"))),
        ("{min: 2.4, max: 3}", ValueSpec(base="double", min_inclusive="2.4", max_inclusive="3")),
        (
            "{greater_than: 0, less_than: 1.5}",
            ValueSpec(base="double", min_exclusive="0", max_exclusive="1.5"),
        ),
        (
            "{length: 3, min_length: 1, max_length: 5}",
            ValueSpec(base="string", length=3, min_length=1, max_length=5),
        ),
    ],
)
def test_values_compile_to_ids_text(tmp_path: Path, written: str, expected: ValueSpec) -> None:
    path = write(
        tmp_path,
        requirement_file(f"""\
            applicability:
              - entity: IfcWall
            requirements:
              - property: {{property_set: Custom, name: X, value: {written}}}
            """),
    )
    facet = load_yaml(path, {}).requirements[0].requirements[0]
    assert isinstance(facet, PropertyFacet)
    assert facet.value == expected


def test_class_names_are_uppercased_but_patterns_and_predefined_types_are_not(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        requirement_file("""\
            applicability:
              - entity: {name: {one_of: [IfcWall, IFCSLAB]}}
            requirements:
              - part_of: {entity: {name: {pattern: "IFCBUILDING(STOREY)?"}}}
            """),
    )
    r = load_yaml(path, {}).requirements[0]
    assert r.applicability[0] == EntityFacet(
        name=ValueSpec(base="string", enumeration=("IFCWALL", "IFCSLAB"))
    )
    part_of = r.requirements[0]
    assert isinstance(part_of, PartOfFacet)
    assert part_of.entity.name.patterns == ("IFCBUILDING(STOREY)?",)


# --- metadata ------------------------------------------------------------------------------


def test_metadata_compiles_into_the_requirement_and_the_rule_source(tmp_path: Path) -> None:
    text = """\
        bimcheck: 1
        title: Exempelkrav
        version: "2.1"
        language: sv
        ifc_versions: [IFC2X3, IFC4]
        requirements:
          - id: EX-01
            title: Väggar
            description: Väggar ska ha material.
            motive: Klimatdeklaration.
            regulation: {reference: BBR 29 9:92, edition: BFS 2020:4, url: "https://example.org/bbr"}
            verification: Modellkontroll.
            instructions: Tilldela material.
            kind: scored
            weight: 2.5
            tags: [material, klimat]
            applicability:
              - entity: IfcWall
            requirements:
              - material: {}
          - id: EX-02
            title: Dörrar
            ifc_versions: [IFC4X3]
            severity: info
            applies: optional
            applicability:
              - entity: IfcDoor
        """
    path = write(tmp_path, text)
    rules = load_yaml(path, {})
    first, second = rules.requirements
    assert first.id == "EX-01"
    assert first.title == "Väggar"
    # The motive follows the description, labelled in the file's language (sv: "Motiv").
    assert first.description == "Väggar ska ha material.\n\nMotiv: Klimatdeklaration."
    assert first.regulation == Regulation("BBR 29 9:92", "BFS 2020:4", "https://example.org/bbr")
    assert first.verification == "Modellkontroll."
    assert first.instructions == "Tilldela material."
    assert first.kind is Kind.SCORED
    assert first.severity is Severity.WARNING  # default for scored
    assert first.weight == 2.5
    assert first.tags == ("material", "klimat")
    assert first.ifc_versions == ("IFC2X3", "IFC4")  # the file's default
    assert first.cardinality == "required"
    assert first.source == f"{path}:7"  # the line of `- id: EX-01`
    assert first.requirements == (MaterialFacet(),)
    assert second.kind is Kind.MANDATORY
    assert second.severity is Severity.INFO
    assert second.ifc_versions == ("IFC4X3",)
    assert second.cardinality == "optional"
    assert second.description is None
    assert second.source == f"{path}:21"
    (source,) = rules.sources
    assert source.path == str(path)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (source.format, source.title, source.version, source.requirement_count) == (
        "yaml",
        "Exempelkrav",
        "2.1",
        2,
    )


def test_mandatory_requirements_default_to_severity_error_and_english_motive_label(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        requirement_file(
            "motive: Why.\napplicability:\n  - entity: IfcWall\n",
            header=HEADER + "language: en\n",
        ),
    )
    r = load_yaml(path, {}).requirements[0]
    assert (r.kind, r.severity, r.description) == (Kind.MANDATORY, Severity.ERROR, "Motive: Why.")


# --- parameters ----------------------------------------------------------------------------

PARAMETERS = """\
bimcheck: 1
title: Parametrar
ifc_versions: [IFC4]
parameters:
  u_max: {type: number, default: 0.18, unit: W/m²K}
  storeys: {type: integer, default: 3}
  external: {type: boolean, default: true}
  minutes: {type: text, default: "60|90", pattern: "[0-9]+(\\\\|[0-9]+)*"}
requirements:
  - id: P-1
    title: U-värde högst ${u_max}
    applicability:
      - entity: IfcWall
      - property: {property_set: Pset_WallCommon, name: IsExternal, value: "${external}"}
    requirements:
      - property:
          property_set: Pset_WallCommon
          name: ThermalTransmittance
          value: {max: "${u_max}"}
      - property: {property_set: Pset_WallCommon, name: FireRating, value: {pattern: "EI (${minutes})"}}
      - attribute: {name: Name, value: "$${literal}"}
"""


def test_parameter_defaults_are_substituted_in_values_and_titles(tmp_path: Path) -> None:
    path = write(tmp_path, PARAMETERS)
    rules = load_yaml(path, {})
    r = rules.requirements[0]
    assert r.title == "U-värde högst 0.18"
    is_external, u_value, fire = r.applicability[1], r.requirements[0], r.requirements[1]
    assert isinstance(is_external, PropertyFacet)
    assert isinstance(u_value, PropertyFacet)
    assert isinstance(fire, PropertyFacet)
    assert is_external.value == ValueSpec(simple="true")
    assert u_value.value == ValueSpec(base="double", max_inclusive="0.18")
    assert fire.value == ValueSpec(base="string", patterns=("EI (60|90)",))
    # `$${name}` is the escape for a literal `${name}`.
    name = r.requirements[2]
    assert isinstance(name, AttributeFacet)
    assert name.value == ValueSpec(simple="${literal}")
    assert rules.parameters == {"u_max": "0.18", "storeys": "3", "external": "true", "minutes": "60|90"}
    assert declared_parameters(path) == rules.parameters


def test_overrides_replace_defaults_and_are_recorded(tmp_path: Path) -> None:
    path = write(tmp_path, PARAMETERS)
    rules = load_yaml(path, {"u_max": "0.25", "external": "FALSE", "minutes": "120"})
    r = rules.requirements[0]
    assert r.title == "U-värde högst 0.25"
    u_value = r.requirements[0]
    assert isinstance(u_value, PropertyFacet)
    assert u_value.value == ValueSpec(base="double", max_inclusive="0.25")
    assert rules.parameters["external"] == "false"  # booleans in IDS's lowercase
    assert rules.parameters["minutes"] == "120"


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("u_max", "abc", "'abc' is not a number"),
        ("u_max", "0,25", "use a decimal point"),
        ("storeys", "3.5", "'3.5' is not an integer"),
        ("external", "ja", "'ja' is not a boolean"),
        ("minutes", "60,90", "does not match the parameter's pattern"),
    ],
)
def test_an_override_of_the_wrong_type_is_refused_naming_the_parameter(
    tmp_path: Path, name: str, value: str, problem: str
) -> None:
    path = write(tmp_path, PARAMETERS)
    error = rule_error(path, {name: value})
    declared_at = PARAMETERS.splitlines().index(
        next(ln for ln in PARAMETERS.splitlines() if f"  {name}:" in ln)
    )
    assert first_line_number(error) == declared_at + 1
    assert f"parameter {name}" in error.one_line()
    assert problem in error.one_line()


def test_an_override_that_no_file_declares_is_refused_by_the_loader(tmp_path: Path) -> None:
    path = write(tmp_path, PARAMETERS)
    with pytest.raises(InputError, match=r"unknown parameter.*u_mx"):
        load_rules([path], {"u_mx": "0.2"})


def test_an_override_applies_to_every_file_that_declares_the_parameter(tmp_path: Path) -> None:
    first = write(tmp_path, PARAMETERS, "a.yaml")
    second = write(tmp_path, PARAMETERS.replace("id: P-1", "id: P-2"), "b.yaml")
    rules = load_rules([first, second], {"u_max": "0.3"})
    assert [r.title for r in rules.requirements] == ["U-värde högst 0.3", "U-värde högst 0.3"]
    assert rules.parameters["u_max"] == "0.3"


def test_an_undeclared_parameter_reference_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PARAMETERS.replace('value: {max: "${u_max}"}', 'value: {max: "${u_maximum}"}'))
    error = rule_error(path)
    assert first_line_number(error) == 19
    assert "unknown parameter ${u_maximum}" in error.one_line()


def test_a_bad_parameter_default_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PARAMETERS.replace("default: 0.18", "default: hög"))
    error = rule_error(path)
    assert first_line_number(error) == 5
    assert "parameters.u_max" in error.one_line()
    # declared_parameters reads the same file, so the loader fails on it the same way.
    with pytest.raises(RuleError, match="line 5"):
        declared_parameters(path)


def test_ids_are_never_substituted(tmp_path: Path) -> None:
    path = write(tmp_path, PARAMETERS.replace("id: P-1", "id: P-${storeys}"))
    error = rule_error(path)
    assert first_line_number(error) == 10
    assert "requirement id 'P-${storeys}'" in error.one_line()


# --- errors name the file and the line -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (HEADER + "titel: x\nrequirements: []\n", 4, "titel: unknown key"),
        (
            requirement_file("applicability:\n  - entity: IfcWall\nmotiv: x\n"),
            9,
            "requirements[0].motiv: unknown key (did you mean 'motive'?)",
        ),
        (
            requirement_file(
                "applicability:\n  - entity: IfcWall\nrequirements:\n"
                "  - property:\n      property_set: P\n      nmae: X\n"
            ),
            12,
            "requirements[0].requirements[0].property.nmae: unknown key (did you mean 'name'?)",
        ),
        (
            requirement_file(
                "applicability:\n  - entity: IfcWall\n  - attribute: {name: Name, value: {maximum: 3}}\n"
            ),
            9,
            "value.maximum: unknown key",
        ),
        (requirement_file("kind: ska\napplicability:\n  - entity: IfcWall\n"), 7, "kind: input should be"),
        (
            requirement_file("applicability:\n  - entity: IfcWall\n    property: {}\n"),
            8,
            "a facet is a mapping with exactly one key",
        ),
        (requirement_file("applicability: []\n"), 7, "applicability: list should have at least 1 item"),
        (
            HEADER + "requirements:\n  - id: R-1\n    applicability:\n      - entity: IfcWall\n",
            5,
            "missing required key 'title'",
        ),
        (
            requirement_file(
                "applicability:\n  - entity: IfcWall\n  - attribute: {name: Name, value: {min: tre}}\n"
            ),
            9,
            "'tre' is not a number",
        ),
        (
            requirement_file(
                "applicability:\n  - entity: IfcWall\n  - attribute: {name: Name, value: {pattern: '[a-'}}\n"
            ),
            9,
            "invalid XSD regular expression",
        ),
        (
            requirement_file(
                "applicability:\n  - entity: IfcWall\n  - attribute: {name: Name, value: [a, b]}\n"
            ),
            9,
            "write alternatives as one_of",
        ),
        (
            requirement_file("applicability:\n  - attribute: {name: Name, value: {}}\n"),
            8,
            "an empty restriction allows anything",
        ),
        (
            requirement_file(
                "applicability:\n  - entity: IfcWall\n"
                "  - attribute: {name: Name, value: {min: 1, greater_than: 0}}\n"
            ),
            9,
            "either min or greater_than",
        ),
    ],
)
def test_schema_errors_name_the_file_and_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    error = rule_error(write(tmp_path, text))
    assert first_line_number(error) == line
    assert message in error.one_line()
    assert error.details[0].startswith(f"{tmp_path / 'rules.yaml'}:{line}: ")


def test_every_problem_is_listed_with_its_own_line(tmp_path: Path) -> None:
    text = requirement_file("kind: ska\nseverity: fatal\napplicability:\n  - entity: IfcWall\n")
    error = rule_error(write(tmp_path, text))
    assert "(and 1 more problem(s))" in error.one_line()
    assert [d.split(": ", 1)[0].rsplit(":", 1)[1] for d in error.details] == ["7", "8"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (HEADER + "requirements: [\n", 5, "malformed YAML"),
        (HEADER + "requirements:\n\t- id: x\n", 5, "malformed YAML"),
        (HEADER + "title: again\nrequirements: []\n", 4, "duplicate key 'title' (first at line 2)"),
        (HEADER + "description: &d text\nrequirements: []\n", 4, "anchors and aliases"),
        (HEADER + "description: !!python/object:os.system x\nrequirements: []\n", 4, "unsupported YAML tag"),
        (HEADER + "description: .nan\nrequirements: []\n", 4, "numbers must be finite"),
        ("", 1, "empty file"),
        ("- a\n- b\n", 1, "a requirement file is a mapping"),
        ("title: x\n", 1, "not a bimcheck requirement file"),
        ("bimcheck: 2\ntitle: x\n", 1, "format version 2 is not supported"),
        ("bimcheck: 1\n---\nbimcheck: 1\n", 2, "malformed YAML"),
    ],
)
def test_malformed_yaml_is_refused_naming_the_file_and_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    error = rule_error(path)
    assert first_line_number(error) == line
    assert message in error.one_line()


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(HEADER.encode() + "description: H\xf6g\n".encode("latin-1"))
    error = rule_error(path)
    assert first_line_number(error) == 4
    assert "not UTF-8" in error.one_line()


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_yaml(tmp_path / "absent.yaml", {})


# --- what the schema alone cannot see ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("applicability:\n  - entity: IfcWal\n", 8, '"IFCWAL" is not an IFC class in IFC4'),
        (
            "ifc_versions: [IFC4, IFC4X3]\napplicability:\n  - entity: IfcDoorStandardCase\n",
            9,
            '"IFCDOORSTANDARDCASE" is not an IFC class in IFC4X3',
        ),
        ("applicability:\n  - entity: {name: {pattern: 'IFCNOTHING.*'}}\n", 8, "matches no IFC class"),
        (
            "applicability:\n  - entity: {name: IfcBuildingStorey, predefined_type: BASEMENT}\n",
            8,
            "IFCBUILDINGSTOREY has no predefined type in IFC4",
        ),
        (
            "applicability:\n  - entity: IfcDoor\n  - attribute: {name: LongName}\n",
            9,
            "IfcDoor has no attribute LongName in IFC4",
        ),
        (
            "applicability:\n  - entity: IfcWall\nrequirements:\n"
            "  - property: {property_set: Custom, name: X, data_type: IfcLenghtMeasure}\n",
            10,
            'dataType "IFCLENGHTMEASURE" is not an IFC data type',
        ),
        (
            "applicability:\n  - entity: IfcWall\nrequirements:\n"
            "  - property: {property_set: Custom, name: X, data_type: IfcBoolean, value: ja}\n",
            10,
            'is not a boolean: write "true" or "false"',
        ),
        (
            "applicability:\n  - entity: IfcWall\nrequirements:\n"
            "  - property: {property_set: Pset_WallComon, name: IsExternal}\n",
            10,
            "did you mean 'Pset_WallCommon'",
        ),
        (
            "applicability:\n  - entity: IfcWall\nrequirements:\n"
            "  - property: {property_set: Pset_WallCommon, name: Loadbearing}\n",
            10,
            "has no property 'Loadbearing' in its template (did you mean 'LoadBearing'?)",
        ),
        (
            "applicability:\n  - entity: IfcWall\nrequirements:\n"
            "  - property: {property_set: Pset_WallCommon, name: IsExternal, data_type: IfcLabel}\n",
            10,
            "IsExternal is IFCBOOLEAN in its template, not IFCLABEL",
        ),
        (
            "applicability:\n  - entity: IfcSpace\nrequirements:\n  - property:\n"
            "      property_set: Qto_SpaceBaseQuantities\n      name: NetFloorArea\n"
            "      data_type: IfcLengthMeasure\n",
            13,
            "NetFloorArea is IFCAREAMEASURE in its template, not IFCLENGTHMEASURE",
        ),
        (
            "applicability:\n  - entity: IfcWall\n  - attribute: {name: Name, cardinality: optional}\n",
            9,
            "cardinality applies only to facets under requirements",
        ),
        (
            "applies: prohibited\napplicability:\n  - entity: IfcWall\nrequirements:\n  - material: {}\n",
            10,
            "applies: prohibited means no element may match",
        ),
        ("weight: 3\napplicability:\n  - entity: IfcWall\n", 7, "weight applies only to kind: scored"),
    ],
)
def test_requirements_are_checked_against_the_ifc_schemas_they_declare(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = write(tmp_path, requirement_file(body))
    error = rule_error(path)
    assert first_line_number(error) == line
    assert message in error.one_line()


def test_ifc_versions_must_be_declared_somewhere(tmp_path: Path) -> None:
    text = HEADER.replace("ifc_versions: [IFC4]\n", "") + "requirements:\n  - id: R-1\n    title: T\n"
    text += "    applicability:\n      - entity: IfcWall\n"
    error = rule_error(write(tmp_path, text))
    assert first_line_number(error) == 4
    assert "no ifc_versions" in error.one_line()


def test_duplicate_ids_are_refused_within_a_file_and_across_files(tmp_path: Path) -> None:
    one = "  - id: R-1\n    title: T\n    applicability:\n      - entity: IfcWall\n"
    error = rule_error(write(tmp_path, HEADER + "requirements:\n" + one + one))
    assert first_line_number(error) == 9
    assert "requirement id 'R-1' is already used at line 5" in error.one_line()
    first = write(tmp_path, HEADER + "requirements:\n" + one, "a.yaml")
    second = write(tmp_path, HEADER + "requirements:\n" + one, "b.yaml")
    with pytest.raises(InputError, match=r"b\.yaml:5: requirement id 'R-1' is already used at .*a\.yaml:5"):
        load_rules([first, second])


def test_the_cardinalities_are_those_of_the_core_model() -> None:
    assert set(Cardinality.__args__) == set(CARDINALITIES)  # type: ignore[attr-defined]


@pytest.mark.parametrize("relation", RELATIONS)
def test_every_relation_the_engine_follows_can_be_written(tmp_path: Path, relation: str) -> None:
    path = write(
        tmp_path,
        requirement_file(
            "applicability:\n  - entity: IfcDoor\n"
            f"  - part_of: {{entity: IfcWall, relation: {relation.lower()}}}\n"
        ),
    )
    part_of = load_yaml(path, {}).requirements[0].applicability[1]
    assert isinstance(part_of, PartOfFacet)
    assert part_of.relation == relation


# --- the README's examples -----------------------------------------------------------------

_BLOCK = re.compile(r"```yaml ?([a-z]*)\n(.*?)```\n(?:\n```text\n(.*?)```)?", re.S)


def readme_blocks(kind: str) -> list[str]:
    return [m.group(2) for m in _BLOCK.finditer(README.read_text(encoding="utf-8")) if m.group(1) == kind]


def test_the_readme_has_examples_of_every_kind() -> None:
    counts = {
        kind: len(readme_blocks(kind)) for kind in ("", "requirement", "values", "parameters", "invalid")
    }
    assert all(counts.values()), counts


@pytest.mark.parametrize("example", readme_blocks(""))
def test_readme_complete_examples_load(tmp_path: Path, example: str) -> None:
    rules = load_yaml(write(tmp_path, example), {})
    assert rules.requirements


@pytest.mark.parametrize("example", readme_blocks("requirement"))
def test_readme_requirement_examples_load(tmp_path: Path, example: str) -> None:
    rules = load_yaml(write(tmp_path, requirement_file(example)), {})
    assert rules.requirements[0].applicability


@pytest.mark.parametrize("example", readme_blocks("values"))
def test_readme_value_examples_are_values(tmp_path: Path, example: str) -> None:
    values = [line.split("#")[0].strip().removeprefix("- ") for line in example.splitlines()]
    items = "".join(f"  - property: {{property_set: Custom, name: X, value: {v}}}\n" for v in values)
    rules = load_yaml(write(tmp_path, requirement_file("applicability:\n  - entity: IfcWall\n" + items)), {})
    assert len(rules.requirements[0].applicability) == 1 + len(example.splitlines())


@pytest.mark.parametrize("example", readme_blocks("parameters"))
def test_readme_parameter_examples_declare_parameters(tmp_path: Path, example: str) -> None:
    text = (
        HEADER
        + example
        + "requirements:\n  - id: R-1\n    title: T\n    applicability:\n      - entity: IfcWall\n"
    )
    assert declared_parameters(write(tmp_path, text))


def test_the_readme_error_example_gives_the_documented_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (match,) = [m for m in _BLOCK.finditer(README.read_text(encoding="utf-8")) if m.group(1) == "invalid"]
    monkeypatch.chdir(tmp_path)
    Path("rules.yaml").write_text(match.group(2), encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_yaml(Path("rules.yaml"), {})
    assert caught.value.one_line() == match.group(3).strip()


def test_the_cli_reports_an_invalid_file_on_one_line_with_exit_code_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bimcheck.cli import app

    path = write(
        tmp_path, requirement_file("kind: ska\nseverity: fatal\napplicability:\n  - entity: IfcWall\n")
    )
    result = CliRunner().invoke(app, ["rules", "list", "-r", str(path)])
    assert result.exit_code == 2
    first, *details = result.stderr.splitlines()
    assert first.startswith(f"bimcheck: error: {path}: line 7: requirements[0].kind: ")
    assert [d.strip().split(": ", 1)[0] for d in details] == [f"{path}:7", f"{path}:8"]
    assert "Traceback" not in result.output
