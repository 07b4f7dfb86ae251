"""`bimcheck verify`: a report made from the golden inputs verifies; every kind of tampering is named."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from lxml import etree
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.reporters.xml_report import NAMESPACE
from bimcheck.workflows.verify import verify
from tests.test_signing import Signer, make_signer

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
N = {"c": NAMESPACE}
C = f"{{{NAMESPACE}}}"


class Case:
    """Copies of the golden inputs in a temporary folder, and a report made from them."""

    def __init__(self, root: Path, signer: Signer | None = None) -> None:
        self.root = root
        for name in ("house.ifc", "house.yaml", "house.ids"):
            shutil.copy(GOLDEN / name, root / name)
        self.model = root / "house.ifc"
        self.yaml = root / "house.yaml"
        self.ids = root / "house.ids"
        self.report = root / "report.xml"
        self.json = root / "run.json"
        sign = [] if signer is None else ["--sign-key", str(signer.key), "--sign-cert", str(signer.cert)]
        result = CliRunner().invoke(
            app,
            [
                "check",
                str(self.model),
                "-r",
                str(self.yaml),
                "-r",
                str(self.ids),
                "-o",
                f"xml:{self.report}",
                "-o",
                f"json:{self.json}",
                *sign,
            ],
        )
        assert result.exit_code == 1, result.stderr  # the house has deliberate defects

    def verify(self, *extra: str, report: Path | None = None, rules: list[Path] | None = None) -> Result:
        rule_args = [a for r in (rules or [self.yaml, self.ids]) for a in ("-r", str(r))]
        args = ["verify", str(report or self.report), "--model", str(self.model), *rule_args, *extra]
        return CliRunner().invoke(app, args)

    def edit(self, change: Callable[[etree._Element], None], name: str = "edited.xml") -> Path:
        """A copy of the report with its tree changed and written back in canonical layout."""
        root = etree.fromstring(self.report.read_bytes())
        change(root)
        etree.indent(root, space="  ")
        out = self.root / name
        out.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n")
        return out

    def replace(self, old: str, new: str, name: str = "edited.xml") -> Path:
        text = self.report.read_text(encoding="utf-8")
        assert old in text
        out = self.root / name
        out.write_text(text.replace(old, new, 1), encoding="utf-8")
        return out


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case(tmp_path)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    return make_signer(tmp_path_factory.mktemp("keys"))


def lines_of(result: Result, heading: str) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines() if line.strip().startswith(heading + ":")]


def first_failing_element(root: etree._Element) -> etree._Element:
    element = root.find("c:Results/c:Requirement/c:Elements/c:Element[@status='fail']", N)
    assert element is not None
    return element


# --- verified ----------------------------------------------------------------------------------


def test_an_untouched_report_is_verified(case: Case) -> None:
    result = case.verify()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] == f"{case.report}: verified"
    assert "signature: none (the report is not signed)" in result.stdout


def test_the_library_says_the_same(case: Case) -> None:
    outcome = verify(case.report, [case.model], [case.yaml, case.ids])
    assert outcome.verified
    assert outcome.differences == []


def test_inputs_may_be_given_in_any_order_from_anywhere(case: Case, tmp_path: Path) -> None:
    elsewhere = tmp_path / "arkiv"
    elsewhere.mkdir()
    for p in (case.model, case.yaml, case.ids):
        shutil.copy(p, elsewhere / p.name)
    result = CliRunner().invoke(
        app,
        [
            "verify",
            str(case.report),
            "--model",
            str(elsewhere / "house.ifc"),
            "-r",
            str(elsewhere / "house.ids"),
            "-r",
            str(elsewhere / "house.yaml"),
        ],
    )
    assert result.exit_code == 0, result.stdout


def test_a_directory_of_rules_is_expanded(case: Case) -> None:
    folder = case.root / "krav"
    folder.mkdir()
    for p in (case.yaml, case.ids):
        shutil.move(p, folder / p.name)
    result = case.verify(rules=[folder])
    assert result.exit_code == 0, result.stdout


def test_json_to_xml_to_verify_round_trip(case: Case) -> None:
    again = case.root / "from-json.xml"
    rendered = CliRunner().invoke(app, ["report", str(case.json), "-o", f"xml:{again}"])
    assert rendered.exit_code == 0, rendered.stderr
    result = case.verify(report=again)
    assert result.exit_code == 0, result.stdout


# --- tampered reports ----------------------------------------------------------------------------


def test_a_flipped_element_status_is_an_edited_report_with_the_element_named(case: Case) -> None:
    def flip(root: etree._Element) -> None:
        first_failing_element(root).set("status", "pass")

    root = etree.fromstring(case.report.read_bytes())
    element = first_failing_element(root)
    gid = element.get("globalId")
    requirement = element.getparent().getparent()  # type: ignore[union-attr]
    result = case.verify(report=case.edit(flip))
    assert result.exit_code == 1
    assert "NOT verified" in result.stdout.splitlines()[0]
    different = lines_of(result, "different result")
    expected = (
        f"different result: requirement {requirement.get('id')} on house.ifc › element {gid} "
        f'({element.get("class")} "{element.get("name")}"): '
        "status is 'pass' in the report, the inputs give 'fail'"
    )
    assert expected in different
    edited = lines_of(result, "edited report")
    assert any(": says pass=" in line and "but its elements give" in line for line in edited)
    assert any("its content was edited after it was made" in line for line in edited)


def test_a_flipped_requirement_status_without_touching_counts(case: Case) -> None:
    path = case.replace(
        'id="SE-IDS-03" model="house.ifc" status="fail"', 'id="SE-IDS-03" model="house.ifc" status="pass"'
    )
    result = case.verify(report=path)
    assert result.exit_code == 1
    assert (
        "different result: requirement SE-IDS-03 on house.ifc: "
        "status is 'pass' in the report, the inputs give 'fail'" in lines_of(result, "different result")
    )
    # The summary no longer adds up: that alone shows a hand edit.
    assert any(line.startswith("edited report: summary: says") for line in lines_of(result, "edited report"))


def test_a_changed_observed_value_is_named_with_its_finding(case: Case) -> None:
    def change(root: etree._Element) -> None:
        finding = first_failing_element(root).find("c:Finding[c:Observed]", N)
        assert finding is not None
        observed = finding.find("c:Observed", N)
        assert observed is not None
        observed.text = "EI 60"

    result = case.verify(report=case.edit(change))
    assert result.exit_code == 1
    [line] = lines_of(result, "different result")
    assert re.search(r"› finding \d \(\w+\) › observed: the report says 'EI 60', the inputs give '.+'$", line)
    assert any("edited after it was made" in line for line in lines_of(result, "edited report"))


def test_a_changed_measured_value_is_named(case: Case) -> None:
    path = case.replace('<Value type="double">20.4</Value>', '<Value type="double">24.0</Value>')
    result = case.verify(report=path)
    assert result.exit_code == 1
    [line] = lines_of(result, "different result")
    assert line.endswith("› value: the report says '24.0', the inputs give '20.4'")


def test_a_removed_element_is_missing_from_the_report(case: Case) -> None:
    removed: dict[str, str | None] = {}

    def remove(root: etree._Element) -> None:
        element = first_failing_element(root)
        removed["gid"] = element.get("globalId")
        element.getparent().remove(element)  # type: ignore[union-attr]

    result = case.verify(report=case.edit(remove))
    assert result.exit_code == 1
    assert any(
        f"element {removed['gid']}" in line
        and line.endswith("produced by the inputs, but missing from the report")
        for line in lines_of(result, "different result")
    )
    assert any(
        ": says fail=1, but its elements give fail=0: the report was edited" in line
        for line in lines_of(result, "edited report")
    )


def test_an_added_requirement_is_not_produced_by_the_inputs(case: Case) -> None:
    def add(root: etree._Element) -> None:
        results = root.find("c:Results", N)
        assert results is not None
        extra = etree.fromstring(etree.tostring(results[-1]))
        extra.set("id", "SE-EXTRA-99")
        results.append(extra)

    result = case.verify(report=case.edit(add))
    assert result.exit_code == 1
    assert (
        "different result: requirement SE-EXTRA-99 on house.ifc: "
        "in the report, but the inputs do not produce it" in lines_of(result, "different result")
    )
    assert any("summary: says requirements=" in line for line in lines_of(result, "edited report"))


def test_a_removed_requirement_is_missing_and_the_selection_is_mentioned(case: Case) -> None:
    def remove(root: etree._Element) -> None:
        requirement = root.find("c:Results/c:Requirement[@id='SE-IDS-05']", N)
        assert requirement is not None
        requirement.getparent().remove(requirement)  # type: ignore[union-attr]

    result = case.verify(report=case.edit(remove))
    assert result.exit_code == 1
    assert (
        "different result: requirement SE-IDS-05 on house.ifc: "
        "produced by the inputs, but missing from the report" in lines_of(result, "different result")
    )
    assert "or the check was run with --only/--skip, which a report does not record" in result.stdout


def test_reordered_requirements_are_a_difference(case: Case) -> None:
    def swap(root: etree._Element) -> None:
        results = root.find("c:Results", N)
        assert results is not None
        first = results[0]
        results.remove(first)
        results.append(first)

    result = case.verify(report=case.edit(swap))
    assert result.exit_code == 1
    assert "different result: Results: the same entries in a different order" in lines_of(
        result, "different result"
    )


def test_whitespace_edits_leave_the_content_but_not_the_canonical_form(case: Case) -> None:
    path = case.replace("\n  <Tool ", "\n\n  <Tool ")
    result = case.verify(report=path)
    assert result.exit_code == 1
    assert lines_of(result, "edited report") == [
        "edited report: text: the content matches, but the report is not in canonical form "
        "(whitespace or comments were edited)"
    ]


def test_an_edited_ifc_header_is_named(case: Case) -> None:
    path = case.replace(
        'authoringApplication="bimcheck sample generator 1.0"', 'authoringApplication="Revit 2025"'
    )
    result = case.verify(report=path)
    assert result.exit_code == 1
    assert (
        "changed model: model house.ifc › IFC header: authoringApplication is 'Revit 2025' in the report, "
        "the inputs give 'bimcheck sample generator 1.0'" in lines_of(result, "changed model")
    )


def test_another_tool_version_is_a_warning_and_results_may_then_differ(case: Case) -> None:
    path = case.replace('version="0.1.0"', 'version="0.0.9"')
    result = case.verify(report=path)
    assert result.exit_code == 0, result.stdout
    assert (
        "warning: the report was made with bimcheck 0.0.9 (this is 0.1.0): results may legitimately differ"
        in (result.stdout)
    )
    flipped = case.replace('version="0.1.0"', 'version="0.0.9"', name="both.xml")
    text = flipped.read_text(encoding="utf-8").replace(
        'id="SE-IDS-03" model="house.ifc" status="fail"', 'id="SE-IDS-03" model="house.ifc" status="pass"'
    )
    flipped.write_text(text, encoding="utf-8")
    result = case.verify(report=flipped)
    assert result.exit_code == 1
    assert lines_of(result, "different result")
    # Another version may explain a different result: it is not called an edit.
    assert not any("edited after it was made" in line for line in lines_of(result, "edited report"))


# --- changed inputs ------------------------------------------------------------------------------


def test_one_changed_byte_in_the_model_is_a_changed_model(case: Case) -> None:
    data = case.model.read_bytes()
    at = data.index(b"ViewDefinition") + 4  # a byte in the header: the model still opens
    case.model.write_bytes(data[:at] + b"v" + data[at + 1 :])
    result = case.verify()
    assert result.exit_code == 1
    [line] = lines_of(result, "changed model")
    assert line.startswith(f"changed model: house.ifc ({case.model}): SHA-256 is ")
    assert "the model is not the one the report was made from" in line
    assert not lines_of(result, "edited report")


def test_a_changed_model_explains_its_different_results(case: Case) -> None:
    text = case.model.read_bytes().replace(b"'EI 30'", b"'EI 60'", 1)
    case.model.write_bytes(text)
    result = case.verify()
    assert result.exit_code == 1
    assert lines_of(result, "changed model")
    assert any("SE-IDS-03" in line for line in lines_of(result, "different result"))
    assert "the result differences follow from the changed inputs listed above" in result.stdout
    assert not lines_of(result, "edited report")


def test_an_edited_rule_file_is_changed_rules(case: Case) -> None:
    text = case.yaml.read_text(encoding="utf-8").replace("title: BOA per våningsplan", "title: BOA per plan")
    case.yaml.write_text(text, encoding="utf-8")
    result = case.verify()
    assert result.exit_code == 1
    [line] = lines_of(result, "changed rules")
    assert line.startswith(f"changed rules: {case.yaml}: SHA-256 is ")
    assert (
        "different result: requirement GOLD-02 on house.ifc › title: the report says 'BOA per våningsplan', "
        "the inputs give 'BOA per plan'" in lines_of(result, "different result")
    )


def test_the_report_parameters_are_used_and_can_be_asserted(case: Case) -> None:
    # The report's parameters are in force whatever the file's default says now.
    result = case.verify("--param", "bedroom_area_min=7.0")
    assert result.exit_code == 0, result.stdout
    result = case.verify("--param", "bedroom_area_min=9")
    assert result.exit_code == 1
    assert lines_of(result, "parameters") == [
        "parameters: bedroom_area_min: the report was made with '7.0', not '9'"
    ]
    result = case.verify("--param", "door_width=0.8")
    assert lines_of(result, "parameters") == [
        "parameters: door_width: not among the report's parameters (asked for '0.8')"
    ]


def test_a_report_made_with_other_parameters_still_verifies(case: Case) -> None:
    strict = case.root / "strict.xml"
    made = CliRunner().invoke(
        app,
        [
            "check",
            str(case.model),
            "-r",
            str(case.yaml),
            "-r",
            str(case.ids),
            "-p",
            "bedroom_area_min=25",
            "-o",
            f"xml:{strict}",
        ],
    )
    assert made.exit_code == 1
    result = case.verify(report=strict)
    assert result.exit_code == 0, result.stdout


def test_an_extra_rule_file_is_left_out_and_named(case: Case, tmp_path: Path) -> None:
    extra = case.root / "extra.ids"
    shutil.copy(case.ids, extra)
    result = case.verify(rules=[case.yaml, case.ids, extra])
    assert result.exit_code == 1
    assert lines_of(result, "changed rules") == [
        f"changed rules: {extra}: not among the report's requirement files; left out of the re-run"
    ]


# --- bad input -----------------------------------------------------------------------------------


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_model_the_report_covers_must_be_given(case: Case) -> None:
    other = case.root / "other.ifc"
    shutil.copy(case.model, other)
    result = CliRunner().invoke(
        app, ["verify", str(case.report), "--model", str(other), "-r", str(case.yaml), "-r", str(case.ids)]
    )
    assert (
        one_line_error(result)
        == f"bimcheck: error: {other}: not a model of this report (it covers: house.ifc)"
    )


def test_a_missing_model_file_is_bad_input(case: Case) -> None:
    case.model.unlink()
    assert one_line_error(case.verify()) == f"bimcheck: error: {case.model}: model file does not exist"


def test_a_missing_rule_file_is_bad_input(case: Case) -> None:
    result = case.verify(rules=[case.yaml])
    assert one_line_error(result) == (
        f"bimcheck: error: {case.report}: "
        f"the report was made with requirement file '{case.ids}': give it with -r"
    )


def test_a_missing_report_is_bad_input(case: Case) -> None:
    missing = case.root / "nope.xml"
    assert (
        one_line_error(case.verify(report=missing))
        == f"bimcheck: error: {missing}: report file does not exist"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"<ComplianceReport", "malformed XML"),
        (b"", "malformed XML"),
        (b'<testsuites xmlns="x"/>', "not a bimcheck compliance report (root element {x}testsuites)"),
        (
            b'<ComplianceReport xmlns="urn:bimcheck:compliance:2"/>',
            "compliance report version 2 is not supported: this bimcheck reads 1.x",
        ),
        (
            b'<ComplianceReport xmlns="urn:bimcheck:compliance:1" schemaVersion="1.0"/>',
            "not a valid bimcheck compliance report",
        ),
        (
            b'<ComplianceReport xmlns="urn:bimcheck:compliance:1" schemaVersion="1.7"/>',
            "schemaVersion 1.7 is newer than this bimcheck reads (1.1): update bimcheck",
        ),
    ],
)
def test_unreadable_or_invalid_reports_are_bad_input(case: Case, content: bytes, problem: str) -> None:
    bad = case.root / "bad.xml"
    bad.write_bytes(content)
    assert one_line_error(case.verify(report=bad)).startswith(f"bimcheck: error: {bad}: {problem}")


def test_an_invalid_status_is_refused_by_the_xsd(case: Case) -> None:
    path = case.replace('status="fail"', 'status="failed"')
    line = one_line_error(case.verify(report=path))
    assert line.startswith(f"bimcheck: error: {path}: not a valid bimcheck compliance report: ")
    assert "failed" in line


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE r SYSTEM "http://example.org/evil.dtd">',
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_a_report_with_a_dtd_or_entities_is_refused(case: Case, prolog: str) -> None:
    text = case.report.read_text(encoding="utf-8")
    declaration, rest = text.split("\n", 1)
    bad = case.root / "dtd.xml"
    bad.write_text(f"{declaration}\n{prolog}\n{rest}", encoding="utf-8")
    assert one_line_error(case.verify(report=bad)) == (
        f"bimcheck: error: {bad}: XML with a DOCTYPE/DTD is refused (entities are never expanded)"
    )


# --- signatures ---------------------------------------------------------------------------------


def test_a_signed_report_verifies_and_says_what_the_signature_proves(tmp_path: Path, signer: Signer) -> None:
    case = Case(tmp_path, signer)
    result = case.verify()
    assert result.exit_code == 0, result.stdout
    assert "signature: valid, by certificate CN=Anbudsgivare AB" in result.stdout
    assert "proves the report is unchanged since it was signed, not who signed it" in result.stdout


def test_a_signed_report_with_one_character_changed_fails_with_a_clear_message(
    tmp_path: Path, signer: Signer
) -> None:
    case = Case(tmp_path, signer)
    path = case.replace("<Observed>net_floor_area = 20.4 m2", "<Observed>net_floor_area = 20.5 m2")
    result = case.verify(report=path)
    assert result.exit_code == 1
    assert lines_of(result, "signature") == [
        "signature: report: INVALID: the signed content was changed after signing (digest mismatch); "
        f"signed with certificate CN=Anbudsgivare AB (SHA-256 fingerprint {_fingerprint(signer)})"
    ]
    # …and what was changed is shown too.
    assert any(
        "the report says 'net_floor_area = 20.5 m2" in line for line in lines_of(result, "different result")
    )


def _fingerprint(signer: Signer) -> str:
    from bimcheck.reporters.signing import fingerprint

    return fingerprint(signer.certificate)


def test_require_signature_fails_an_unsigned_report(case: Case) -> None:
    result = case.verify("--require-signature")
    assert result.exit_code == 1
    assert lines_of(result, "signature") == [
        "signature: report: the report is not signed (--require-signature)"
    ]


def test_trust_names_the_expected_signer(tmp_path: Path, signer: Signer) -> None:
    case = Case(tmp_path, signer)
    trusted = case.verify("--trust", str(signer.cert), "--require-signature")
    assert trusted.exit_code == 0, trusted.stdout
    assert "signature: valid, by a trusted certificate CN=Anbudsgivare AB" in trusted.stdout
    stranger = make_signer(tmp_path / "other", "Okänd AB")
    result = case.verify("--trust", str(stranger.cert))
    assert result.exit_code == 1
    [line] = lines_of(result, "signature")
    assert "which --trust does not name or issue" in line


def test_a_missing_trust_file_is_bad_input(case: Case) -> None:
    missing = case.root / "ca.pem"
    assert one_line_error(case.verify("--trust", str(missing))) == (
        f"bimcheck: error: {missing}: certificate file does not exist"
    )


def test_a_stripped_signature_is_noticed_only_when_a_signature_is_required(
    tmp_path: Path, signer: Signer
) -> None:
    case = Case(tmp_path, signer)

    def strip(root: etree._Element) -> None:
        signature = root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
        assert signature is not None
        root.remove(signature)

    stripped = case.edit(strip)
    assert case.verify(report=stripped).exit_code == 0  # an unsigned report is still checked
    assert case.verify("--require-signature", report=stripped).exit_code == 1


def test_a_tampered_parameter_value_changes_the_re_run(case: Case) -> None:
    path = case.replace('name="bedroom_area_min" value="7.0"', 'name="bedroom_area_min" value="25"')
    result = case.verify(report=path)
    assert result.exit_code == 1
    assert any(
        line.startswith("different result: requirement GOLD-01")
        for line in lines_of(result, "different result")
    )
    assert any("edited after it was made" in line for line in lines_of(result, "edited report"))


def test_a_parameter_value_the_rules_refuse_is_a_difference_not_a_crash(case: Case) -> None:
    path = case.replace('name="bedroom_area_min" value="7.0"', 'name="bedroom_area_min" value="stor"')
    result = case.verify(report=path)
    assert result.exit_code == 1
    [line] = lines_of(result, "parameters")
    assert line.startswith("parameters: report: the requirement files refuse its parameter values: ")
    assert "bedroom_area_min" in line


def test_a_report_edited_before_it_was_signed_is_told_apart(case: Case, signer: Signer) -> None:
    from bimcheck.reporters.signing import sign

    edited = case.replace(
        'id="SE-IDS-03" model="house.ifc" status="fail"', 'id="SE-IDS-03" model="house.ifc" status="pass"'
    )
    edited.write_bytes(sign(edited.read_bytes(), signer.key, signer.cert))
    result = case.verify(report=edited)
    assert result.exit_code == 1
    assert "signature: valid" in result.stdout
    assert any(
        "edited before it was signed, or made by a modified bimcheck" in line
        for line in lines_of(result, "edited report")
    )


def test_a_rules_directory_may_hold_the_report_itself(case: Case) -> None:
    folder = case.root / "arkiv"
    folder.mkdir()
    for p in (case.yaml, case.ids):
        shutil.copy(p, folder / p.name)
    report = folder / "report.xml"
    shutil.copy(case.report, report)
    result = case.verify(report=report, rules=[folder])
    assert result.exit_code == 0, result.stdout


def test_a_report_on_several_shared_models_verifies_and_names_the_changed_one(tmp_path: Path) -> None:
    from tests.conftest import SHARED_MODELS, require_shared

    shared = require_shared(SHARED_MODELS)
    models = [shared / "AC20-FZK-Haus.ifc", shared / "Duplex_A_20110907.ifc"]
    rules = ROOT / "requirements" / "se-housing-information.yaml"
    report = tmp_path / "anbud.xml"
    made = CliRunner().invoke(app, ["check", *map(str, models), "-r", str(rules), "-o", f"xml:{report}"])
    assert made.exit_code in (0, 1), made.stderr
    reversed_order = [a for m in reversed(models) for a in ("--model", str(m))]
    result = CliRunner().invoke(app, ["verify", str(report), *reversed_order, "-r", str(rules)])
    assert result.exit_code == 0, result.stdout
    changed = tmp_path / models[1].name
    data = models[1].read_bytes()
    changed.write_bytes(data.replace(b"FILE_DESCRIPTION", b"FILE_DESCRIPTION ", 1))
    result = CliRunner().invoke(
        app, ["verify", str(report), "--model", str(models[0]), "--model", str(changed), "-r", str(rules)]
    )
    assert result.exit_code == 1
    [line] = lines_of(result, "changed model")
    assert line.startswith(f"changed model: Duplex_A_20110907.ifc ({changed}): SHA-256 is ")
    assert not lines_of(result, "different result")


def test_long_lists_are_cut_per_kind_unless_all_are_asked_for(tmp_path: Path) -> None:
    from bimcheck.workflows.verify import Difference, Verification

    outcome = Verification(tmp_path / "r.xml")
    outcome.differences = [
        Difference("result", f"requirement R{i} on m.ifc", "status differs") for i in range(60)
    ]
    outcome.differences.append(Difference("model", "m.ifc", "SHA-256 differs"))
    short = list(outcome.lines())
    assert short[0] == f"{tmp_path / 'r.xml'}: NOT verified: 61 differences"
    assert short[1] == "  changed model: m.ifc: SHA-256 differs"  # grouped by kind, inputs first
    assert short[-1] == "  … and 10 more different result difference(s) (--all lists them)"
    assert len(list(outcome.lines(None))) == 62
