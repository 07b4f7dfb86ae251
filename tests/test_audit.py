"""`bimcheck ids audit`: each audit rule on a small IDS, with the line it points at, and exit codes.

Expected line numbers are found by searching the IDS text written in each test for the
element the problem is about, so they follow the file and not the implementation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.errors import InputError
from bimcheck.rules.ids import Issue
from bimcheck.rules.ids_audit import audit_file

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <info>
    <title>Audit test</title>
  </info>
  <specifications>
"""
TAIL = """  </specifications>
</ids>
"""
# A clean first specification, so that every problem sits well below the top of the file.
CLEAN = """    <specification name="Clean" ifcVersion="IFC4">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity>
          <name><simpleValue>IFCDOOR</simpleValue></name>
        </entity>
      </applicability>
      <requirements>
        <attribute>
          <name><simpleValue>Name</simpleValue></name>
        </attribute>
      </requirements>
    </specification>
"""


def entity(name: str, predefined: str | None = None) -> str:
    extra = (
        f"\n          <predefinedType><simpleValue>{predefined}</simpleValue></predefinedType>"
        if predefined
        else ""
    )
    return f"""        <entity>
          <name><simpleValue>{name}</simpleValue></name>{extra}
        </entity>
"""


def prop(
    data_type: str | None, value: str | None = None, pset: str = "Pset_Test", name: str = "Value"
) -> str:
    attribute = f' dataType="{data_type}"' if data_type else ""
    value_xml = f"\n          <value>{value}</value>" if value else ""
    return f"""        <property{attribute}>
          <propertySet><simpleValue>{pset}</simpleValue></propertySet>
          <baseName><simpleValue>{name}</simpleValue></baseName>{value_xml}
        </property>
"""


def attribute(name: str, value: str | None = None) -> str:
    value_xml = f"\n          <value>{value}</value>" if value else ""
    return f"""        <attribute>
          <name><simpleValue>{name}</simpleValue></name>{value_xml}
        </attribute>
"""


def spec(
    applicability: str,
    requirements: str = "",
    versions: str = "IFC4",
    occurs: str = 'minOccurs="1" maxOccurs="unbounded"',
) -> str:
    required = f"      <requirements>\n{requirements}      </requirements>\n" if requirements else ""
    return f"""    <specification name="Under audit" ifcVersion="{versions}">
      <applicability {occurs}>
{applicability}      </applicability>
{required}    </specification>
"""


def ids_text(*specs: str) -> str:
    return HEAD + CLEAN + "".join(specs) + TAIL


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing `needle` after the clean specification."""
    start = text.index(CLEAN) + len(CLEAN)
    return text.count("\n", 0, text.index(needle, start)) + 1


def audit(tmp_path: Path, text: str) -> list[Issue]:
    path = tmp_path / "audited.ids"
    path.write_text(text, encoding="utf-8")
    return audit_file(path)


def single_error(tmp_path: Path, text: str) -> Issue:
    issues = audit(tmp_path, text)
    assert len(issues) == 1, issues
    assert issues[0].severity == "error"
    return issues[0]


# --- entity ----------------------------------------------------------------------------------


def test_an_unknown_class_is_an_error_on_the_line_of_its_name(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALLX")))
    issue = single_error(tmp_path, text)
    assert issue.message == '"IFCWALLX" is not an IFC class in IFC4'
    assert issue.line == line_of(text, "IFCWALLX")


def test_a_class_missing_from_one_of_the_declared_schemas_names_that_schema(tmp_path: Path) -> None:
    # IfcAlignment is new in IFC4X3.
    text = ids_text(spec(entity("IFCALIGNMENT"), versions="IFC4 IFC4X3_ADD2"))
    issue = single_error(tmp_path, text)
    assert issue.message == '"IFCALIGNMENT" is not an IFC class in IFC4'


def test_a_class_in_mixed_case_is_an_error_with_the_uppercase_spelling(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IfcWall")))
    issue = single_error(tmp_path, text)
    assert issue.message == 'entity name "IfcWall" must be written in uppercase, e.g. "IFCWALL"'
    assert issue.line == line_of(text, "IfcWall")


def test_ifc2x3_mapped_class_names_are_accepted_in_ifc2x3(tmp_path: Path) -> None:
    # IfcSanitaryTerminal does not exist in IFC2X3, but the IDS mapping table names it.
    assert audit(tmp_path, ids_text(spec(entity("IFCSANITARYTERMINAL"), versions="IFC2X3"))) == []


def test_a_predefined_type_outside_a_closed_enumeration_is_an_error(tmp_path: Path) -> None:
    # IfcAlignmentHorizontalSegmentTypeEnum (IFC4X3) has no USERDEFINED: only its own values.
    text = ids_text(spec(entity("IFCALIGNMENTHORIZONTALSEGMENT", "SPIRAL"), versions="IFC4X3_ADD2"))
    issue = single_error(tmp_path, text)
    assert (
        issue.message == '"SPIRAL" is not a predefined type of IFCALIGNMENTHORIZONTALSEGMENT in IFC4X3_ADD2'
    )
    assert issue.line == line_of(text, "<predefinedType>")
    ok = ids_text(spec(entity("IFCALIGNMENTHORIZONTALSEGMENT", "CLOTHOID"), versions="IFC4X3_ADD2"))
    assert audit(tmp_path, ok) == []


def test_any_predefined_type_is_allowed_where_userdefined_is(tmp_path: Path) -> None:
    assert audit(tmp_path, ids_text(spec(entity("IFCWALL", "Bärande")))) == []


def test_a_predefined_type_on_a_class_that_has_none_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCPROJECT", "X")))
    issue = single_error(tmp_path, text)
    assert issue.message == "IFCPROJECT has no predefined type in IFC4"
    assert issue.line == line_of(text, "<predefinedType>")


def test_a_required_entity_that_can_never_match_the_applicable_class_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALL"), entity("IFCWALLSTANDARDCASE")))
    issue = single_error(tmp_path, text)
    assert issue.message == (
        "required entity IFCWALLSTANDARDCASE can never match the applicable elements "
        "(IDS entity facets match the exact class, not subclasses)"
    )
    assert issue.line == line_of(text, "IFCWALLSTANDARDCASE")


def test_a_required_entity_among_the_applicable_classes_is_fine(tmp_path: Path) -> None:
    applicability = """        <entity>
          <name><xs:restriction base="xs:string">
            <xs:enumeration value="IFCWALL"/><xs:enumeration value="IFCSLAB"/>
          </xs:restriction></name>
        </entity>
"""
    assert audit(tmp_path, ids_text(spec(applicability, entity("IFCSLAB")))) == []


# --- attribute -------------------------------------------------------------------------------


def test_an_attribute_the_class_does_not_have_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALL"), attribute("Rabbit")))
    issue = single_error(tmp_path, text)
    assert issue.message == "IfcWall has no attribute Rabbit in IFC4"
    assert issue.line == line_of(text, "Rabbit")


def test_a_derived_attribute_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCSIUNIT"), attribute("Dimensions")))
    issue = single_error(tmp_path, text)
    assert issue.message == "Dimensions is a derived attribute of IfcSIUnit in IFC4; IDS cannot check it"
    assert issue.line == line_of(text, "Dimensions")


def test_an_inverse_attribute_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALL"), attribute("IsDefinedBy")))
    issue = single_error(tmp_path, text)
    assert issue.message == "IsDefinedBy is an inverse attribute of IfcWall in IFC4; IDS cannot check it"


def test_a_value_for_an_attribute_holding_an_object_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALL"), attribute("ObjectPlacement", "<simpleValue>x</simpleValue>")))
    issue = single_error(tmp_path, text)
    assert issue.message == "attribute ObjectPlacement holds an object; IDS cannot check its value"
    assert issue.line == line_of(text, "<value>")


def test_an_attribute_value_that_is_not_a_number_for_a_length_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCDOOR"), attribute("OverallWidth", "<simpleValue>wide</simpleValue>")))
    issue = single_error(tmp_path, text)
    assert issue.message == (
        'attribute OverallWidth (IFC4): "wide" is not a number (use a decimal point, no thousands separators)'
    )
    assert issue.line == line_of(text, "<value>")


# --- property data types and values -----------------------------------------------------------


def test_an_unknown_data_type_is_an_error_on_the_line_of_the_property(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALL"), prop("IFCLENGTH")))
    issue = single_error(tmp_path, text)
    assert issue.message == 'dataType "IFCLENGTH" is not an IFC data type in IFC4'
    assert issue.line == line_of(text, 'dataType="IFCLENGTH"')


@pytest.mark.parametrize(
    ("data_type", "literal", "problem"),
    [
        ("IFCINTEGER", "42.0", "is written as a decimal number but the value is an integer"),
        ("IFCCOUNTMEASURE", "3.5", "is written as a decimal number but the value is an integer"),
        ("IFCINTEGER", "forty-two", "is not an integer"),
        ("IFCLENGTHMEASURE", "2,4", "is not a number (use a decimal point, no thousands separators)"),
        ("IFCREAL", "1 000", "is not a number (use a decimal point, no thousands separators)"),
        ("IFCBOOLEAN", "TRUE", 'is not a boolean: write "true" or "false" in lowercase'),
        ("IFCBOOLEAN", "1", 'is not a boolean: write "true" or "false" in lowercase'),
        ("IFCLOGICAL", "maybe", 'is not a logical: write "true", "false" or "unknown" in lowercase'),
    ],
)
def test_a_value_that_does_not_fit_its_data_type_is_an_error(
    tmp_path: Path, data_type: str, literal: str, problem: str
) -> None:
    text = ids_text(spec(entity("IFCWALL"), prop(data_type, f"<simpleValue>{literal}</simpleValue>")))
    issue = single_error(tmp_path, text)
    assert issue.message == f'value of {data_type}: "{literal}" {problem}'
    assert issue.line == line_of(text, "<value>")


@pytest.mark.parametrize(
    ("data_type", "literal"),
    [
        ("IFCINTEGER", "42"),
        ("IFCREAL", "2.4"),
        ("IFCREAL", "1e-3"),
        ("IFCBOOLEAN", "true"),
        ("IFCLABEL", "2,4"),
    ],
)
def test_values_that_fit_their_data_type_pass(tmp_path: Path, data_type: str, literal: str) -> None:
    text = ids_text(spec(entity("IFCWALL"), prop(data_type, f"<simpleValue>{literal}</simpleValue>")))
    assert audit(tmp_path, text) == []


def test_bounds_are_checked_against_the_data_type_too(tmp_path: Path) -> None:
    bounds = '<xs:restriction base="xs:integer"><xs:minInclusive value="1.5"/></xs:restriction>'
    issue = single_error(tmp_path, ids_text(spec(entity("IFCWALL"), prop("IFCINTEGER", bounds))))
    assert (
        issue.message
        == 'value of IFCINTEGER: "1.5" is written as a decimal number but the value is an integer'
    )


def test_an_invalid_regular_expression_is_an_error(tmp_path: Path) -> None:
    pattern = '<xs:restriction base="xs:string"><xs:pattern value="EI [0-9"/></xs:restriction>'
    text = ids_text(spec(entity("IFCWALL"), prop("IFCLABEL", pattern)))
    issue = single_error(tmp_path, text)
    assert issue.message.startswith('invalid XSD regular expression "EI [0-9": ')
    assert issue.line == line_of(text, "<value>")


def test_a_python_only_regular_expression_is_an_error(tmp_path: Path) -> None:
    pattern = '<xs:restriction base="xs:string"><xs:pattern value="(?i)ei.*"/></xs:restriction>'
    issue = single_error(tmp_path, ids_text(spec(entity("IFCWALL"), prop("IFCLABEL", pattern))))
    assert issue.message.startswith('invalid XSD regular expression "(?i)ei.*"')


def test_an_invalid_regular_expression_in_an_entity_name_is_an_error(tmp_path: Path) -> None:
    applicability = """        <entity>
          <name><xs:restriction base="xs:string"><xs:pattern value="IFC(WALL"/></xs:restriction></name>
        </entity>
"""
    text = ids_text(spec(applicability))
    issue = single_error(tmp_path, text)
    assert issue.message.startswith('invalid XSD regular expression "IFC(WALL"')
    assert issue.line == line_of(text, "IFC(WALL")


def test_a_pattern_on_a_numeric_value_is_an_error(tmp_path: Path) -> None:
    pattern = '<xs:restriction base="xs:string"><xs:pattern value="[0-9]+"/></xs:restriction>'
    text = ids_text(spec(entity("IFCWALL"), prop("IFCREAL", pattern)))
    issue = single_error(tmp_path, text)
    assert issue.message == "value of IFCREAL: a pattern only applies to text, never to a real value"


def test_a_length_restriction_on_a_number_is_an_error(tmp_path: Path) -> None:
    length = '<xs:restriction base="xs:string"><xs:maxLength value="3"/></xs:restriction>'
    issue = single_error(tmp_path, ids_text(spec(entity("IFCWALL"), prop("IFCINTEGER", length))))
    assert (
        issue.message
        == "value of IFCINTEGER: a length restriction only applies to text, never to an integer value"
    )


def test_bounds_on_a_text_value_are_an_error(tmp_path: Path) -> None:
    bounds = '<xs:restriction base="xs:double"><xs:minInclusive value="60"/></xs:restriction>'
    text = ids_text(spec(entity("IFCWALL"), prop("IFCLABEL", bounds)))
    issue = single_error(tmp_path, text)
    assert issue.message == "value of IFCLABEL: numeric bounds can never match a string value"
    assert issue.line == line_of(text, "<value>")


def test_bounds_on_a_material_name_are_an_error(tmp_path: Path) -> None:
    material = """        <material>
          <value><xs:restriction base="xs:double"><xs:minInclusive value="3"/></xs:restriction></value>
        </material>
"""
    text = ids_text(spec(entity("IFCWALL"), material))
    issue = single_error(tmp_path, text)
    assert issue.message == "value: numeric bounds can never match a text value"
    assert issue.line == line_of(text, "<value>")


# --- specification -----------------------------------------------------------------------------


def test_a_prohibited_specification_with_requirements_is_an_error(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALL"), attribute("Name"), occurs='minOccurs="0" maxOccurs="0"'))
    issue = single_error(tmp_path, text)
    assert (
        issue.message
        == 'specification "Under audit" is prohibited (maxOccurs="0") and so cannot have requirements'
    )
    assert issue.line == line_of(text, "<requirements>")


def test_a_prohibited_specification_without_requirements_is_fine(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCBUILDINGELEMENTPROXY"), occurs='minOccurs="0" maxOccurs="0"'))
    assert audit(tmp_path, text) == []


def test_a_valid_ids_gives_no_issue(tmp_path: Path) -> None:
    requirements = (
        prop("IFCBOOLEAN", "<simpleValue>true</simpleValue>", "Pset_WallCommon", "IsExternal")
        + prop(
            "IFCLABEL", '<xs:restriction base="xs:string"><xs:pattern value="EI [0-9]+"/></xs:restriction>'
        )
        + prop(
            "IFCTHERMALTRANSMITTANCEMEASURE",
            '<xs:restriction base="xs:double"><xs:maxInclusive value="0.18"/></xs:restriction>',
        )
        + attribute("Name", '<xs:restriction base="xs:string"><xs:minLength value="2"/></xs:restriction>')
    )
    assert audit(tmp_path, ids_text(spec(entity("IFCWALL", "SOLIDWALL"), requirements, "IFC2X3 IFC4"))) == []


def test_every_problem_of_a_file_is_reported_each_on_its_own_line(tmp_path: Path) -> None:
    text = ids_text(spec(entity("IFCWALLX")), spec(entity("IFCWALL"), attribute("Rabbit")))
    issues = audit(tmp_path, text)
    assert [(i.line, i.message) for i in issues] == [
        (line_of(text, "IFCWALLX"), '"IFCWALLX" is not an IFC class in IFC4'),
        (line_of(text, "Rabbit"), "IfcWall has no attribute Rabbit in IFC4"),
    ]


# --- XSD and unreadable files ------------------------------------------------------------------


def test_an_xsd_invalid_ids_reports_xsd_errors_with_line_numbers(tmp_path: Path) -> None:
    # No <name> in the entity, and an unknown attribute on the specification.
    broken = """    <specification name="Broken" ifcVersion="IFC4" colour="red">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity>
          <predefinedType><simpleValue>X</simpleValue></predefinedType>
        </entity>
      </applicability>
    </specification>
"""
    text = ids_text(broken)
    issues = audit(tmp_path, text)
    assert issues, "the XSD must reject this file"
    assert all(i.message.startswith("XSD: ") and i.severity == "error" for i in issues)
    lines = {i.line for i in issues}
    assert line_of(text, 'colour="red"') in lines
    assert line_of(text, "<entity>") in lines


def test_an_ifc_version_the_xsd_does_not_know_is_an_xsd_error(tmp_path: Path) -> None:
    issues = audit(tmp_path, ids_text(spec(entity("IFCWALL"), versions="IFC5")))
    assert len(issues) == 1
    assert issues[0].message.startswith("XSD: ")


def test_malformed_xml_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.ids"
    path.write_text(ids_text()[:-20], encoding="utf-8")
    with pytest.raises(InputError, match="malformed XML"):
        audit_file(path)


# --- the command ---------------------------------------------------------------------------------


def _cli(*args: str):
    from bimcheck.cli import app

    return CliRunner().invoke(app, ["ids", "audit", *args])


def test_ids_audit_exits_0_and_says_ok_for_a_clean_file(tmp_path: Path) -> None:
    path = tmp_path / "clean.ids"
    path.write_text(ids_text(), encoding="utf-8")
    result = _cli(str(path))
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{path}: ok"


def test_ids_audit_exits_1_and_prints_path_line_and_message_for_each_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.ids"
    text = ids_text(spec(entity("IFCWALLX")))
    path.write_text(text, encoding="utf-8")
    result = _cli(str(path))
    assert result.exit_code == 1
    assert (
        result.stdout.strip()
        == f'{path}:{line_of(text, "IFCWALLX")}: error: "IFCWALLX" is not an IFC class in IFC4'
    )


def test_ids_audit_reports_every_file_and_fails_if_any_has_errors(tmp_path: Path) -> None:
    clean, bad = tmp_path / "clean.ids", tmp_path / "bad.ids"
    clean.write_text(ids_text(), encoding="utf-8")
    bad.write_text(ids_text(spec(entity("IfcWall"))), encoding="utf-8")
    result = _cli(str(clean), str(bad))
    assert result.exit_code == 1
    assert f"{clean}: ok" in result.stdout
    assert f"{bad}:" in result.stdout


@pytest.mark.parametrize("problem", ["missing", "malformed", "directory"])
def test_ids_audit_exits_2_naming_an_unreadable_file(tmp_path: Path, problem: str) -> None:
    path = tmp_path / "rules.ids"
    if problem == "malformed":
        path.write_text("<ids><unclosed></ids>", encoding="utf-8")
    elif problem == "directory":
        path.mkdir()
    result = _cli(str(path))
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no traceback
