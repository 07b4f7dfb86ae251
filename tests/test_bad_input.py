"""Bad input: every case exits 2 with one line naming the file and the problem, never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bimcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MODEL = ROOT / "samples" / "demo-house.ifc"
SAMPLE_IDS = ROOT / "samples" / "demo-house.ids"
ENTRY_POINT = Path(sys.executable).with_name("bimcheck")
SECRET = "s3cret-token-that-must-never-be-printed"

# A minimal valid IDS body, to wrap in hostile or broken prologues.
IDS_BODY = """<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <info><title>{title}</title></info>
  <specifications>
    <specification name="Väggar" ifcVersion="IFC4" identifier="B-1">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>{entity}</simpleValue></name></entity>
      </applicability>
    </specification>
  </specifications>
</ids>
"""
YAML_HEAD = "bimcheck: 1\ntitle: Felaktig\nifc_versions: [IFC4]\n"
YAML_WITH_PARAMETER = YAML_HEAD + (
    "parameters:\n"
    "  room_height: {type: number, default: '2.40', unit: m}\n"
    "requirements:\n"
    "  - id: R-1\n"
    "    title: Rum\n"
    "    applicability:\n"
    "      - entity: IfcSpace\n"
)


@dataclass(frozen=True)
class Case:
    """Arguments for one bad run, and what its single error line must say."""

    args: list[str]
    names: str  # the file (or option) the error line must name
    problem: str | tuple[str, ...]  # words the error line must contain (any of them, if several)


Make = Callable[[Path], Case]


def model_case(name: str, content: bytes | None, problem: str) -> Make:
    def make(tmp: Path) -> Case:
        path = tmp / name
        if content is not None:
            path.write_bytes(content)
        return Case(["check", str(path), "-r", str(SAMPLE_IDS)], str(path), problem)

    return make


def rules_case(name: str, content: str | bytes | None, problem: str, *extra: str) -> Make:
    def make(tmp: Path) -> Case:
        path = tmp / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif content is not None:
            path.write_bytes(content)
        return Case(["check", str(SAMPLE_MODEL), "-r", str(path), *extra], str(path), problem)

    return make


def directory_as_model(tmp: Path) -> Case:
    (tmp / "modell.ifc").mkdir()
    return Case(
        ["check", str(tmp / "modell.ifc"), "-r", str(SAMPLE_IDS)], str(tmp / "modell.ifc"), "is a directory"
    )


def empty_rules_directory(tmp: Path) -> Case:
    (tmp / "krav").mkdir()
    (tmp / "krav" / "README.txt").write_text("inga krav här", encoding="utf-8")
    return Case(
        ["check", str(SAMPLE_MODEL), "-r", str(tmp / "krav")], str(tmp / "krav"), "no requirement files"
    )


def sample_text() -> str:
    return SAMPLE_MODEL.read_text(encoding="utf-8")


def output_case(spec: Callable[[Path], str], names: Callable[[Path], str], problem: str) -> Make:
    def make(tmp: Path) -> Case:
        return Case(["check", str(SAMPLE_MODEL), "-r", str(SAMPLE_IDS), "-o", spec(tmp)], names(tmp), problem)

    return make


def option_case(extra: list[str], names: str, problem: str) -> Make:
    def make(tmp: Path) -> Case:
        return Case(["check", str(SAMPLE_MODEL), "-r", str(SAMPLE_IDS), *extra], names, problem)

    return make


def output_under_a_file(tmp: Path) -> str:
    (tmp / "rapporter").write_text("a file where a directory should be", encoding="utf-8")
    return f"json:{tmp}/rapporter/anbud-a.json"


def xxe(tmp: Path) -> str:
    secret = tmp / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE ids [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        + IDS_BODY.format(title="&xxe;", entity="IFCWALL")
    )


def xxe_case(tmp: Path) -> Case:
    path = tmp / "xxe.ids"
    path.write_text(xxe(tmp), encoding="utf-8")
    return Case(["check", str(SAMPLE_MODEL), "-r", str(path)], str(path), "DOCTYPE/DTD is refused")


def xxe_parameter_entity_case(tmp: Path) -> Case:
    secret = tmp / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    (tmp / "evil.dtd").write_text(f'<!ENTITY % file SYSTEM "file://{secret}">', encoding="utf-8")
    path = tmp / "external-dtd.ids"
    text = f'<?xml version="1.0"?>\n<!DOCTYPE ids SYSTEM "file://{tmp}/evil.dtd">\n'
    path.write_text(text + IDS_BODY.format(title="t", entity="IFCWALL"), encoding="utf-8")
    return Case(["check", str(SAMPLE_MODEL), "-r", str(path)], str(path), "DOCTYPE/DTD is refused")


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE ids [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
    + IDS_BODY.format(title="&lol9;", entity="IFCWALL")
)

CASES: dict[str, Make] = {
    # Models
    "missing model": model_case("saknas.ifc", None, "model file does not exist"),
    "directory as model": directory_as_model,
    "empty model": model_case("tom.ifc", b"", "model file is empty"),
    "truncated model": model_case(
        "avbruten.ifc", SAMPLE_MODEL.read_bytes()[: SAMPLE_MODEL.stat().st_size // 2], "truncated"
    ),
    "garbage bytes": model_case("skräp.ifc", bytes(range(256)) * 8, "not an IFC-SPF file"),
    "garbage ending like STEP": model_case(
        "skräp2.ifc", b"\x00\x01garbage\x02" * 50 + b"\nEND-ISO-10303-21;\n", "not a readable IFC file"
    ),
    "non-UTF-8 junk": model_case(
        "latin1.ifc",
        "Väggar och dörrar, ÅÄÖ".encode("latin-1") * 20 + b"\nEND-ISO-10303-21;\n",
        "not a readable",
    ),
    "unsupported schema": model_case(
        "gammal.ifc",
        sample_text().replace("FILE_SCHEMA(('IFC4'))", "FILE_SCHEMA(('IFC2X2_FINAL'))").encode("utf-8"),
        "unsupported IFC schema",
    ),
    "corrupt STEP data": model_case(
        "trasig.ifc",
        sample_text().replace("IFCSHAPEREPRESENTATION(", "IFCSHAPEREPRES#(", 1).encode("utf-8"),
        "corrupt IFC",
    ),
    "XML file as model": model_case("krav.ifc", SAMPLE_IDS.read_bytes(), "not an IFC-SPF file"),
    # IDS
    "malformed XML": rules_case("trasig.ids", "<ids><info><title>x</title>", "malformed XML"),
    "XML that is not IDS": rules_case("annat.ids", "<html><body>404</body></html>", "not an IDS 1.0 file"),
    "IDS with a DTD": rules_case(
        "dtd.ids",
        '<?xml version="1.0"?>\n<!DOCTYPE ids [<!ELEMENT ids ANY>]>\n'
        + IDS_BODY.format(title="t", entity="IFCWALL"),
        "DOCTYPE/DTD is refused",
    ),
    # libxml2 stops the expansion before bimcheck gets to refuse the DTD; either way it is refused.
    "billion laughs": rules_case(
        "laughs.ids", BILLION_LAUGHS, ("DOCTYPE/DTD is refused", "entity amplification factor exceeded")
    ),
    "XXE external entity": xxe_case,
    "XXE external DTD": xxe_parameter_entity_case,
    "XSD-invalid IDS": rules_case(
        "xsd.ids",
        IDS_BODY.format(title="t", entity="IFCWALL").replace("<info>", "<info><titel/>"),
        "invalid IDS",
    ),
    "IDS naming an unknown class": rules_case(
        "klass.ids", IDS_BODY.format(title="t", entity="IFCWALLS"), "invalid IDS"
    ),
    "missing IDS": rules_case("saknas.ids", None, "requirement file does not exist"),
    "unknown requirement format": rules_case("krav.txt", "krav", "unknown requirement format"),
    "directory without requirement files": empty_rules_directory,
    # YAML
    "malformed YAML": rules_case("trasig.yaml", "bimcheck: 1\ntitle: [\n", "malformed YAML"),
    "YAML with an unknown key": rules_case(
        "nyckel.yaml",
        YAML_HEAD + "requirements:\n  - id: A\n    title: a\n    colour: red\n    applicability:\n"
        "      - entity: IfcWall\n",
        "unknown key",
    ),
    "YAML with a python tag": rules_case(
        "tagg.yaml",
        'bimcheck: 1\ntitle: !!python/object/apply:os.system ["echo hej"]\n',
        "unsupported YAML tag",
    ),
    "YAML that is a list": rules_case("lista.yaml", "- a\n- b\n", "mapping"),
    "YAML that is not UTF-8": rules_case("kodning.yaml", b"\xff\xfe title: x\n", "not UTF-8"),
    "parameter of the wrong type": rules_case(
        "param.yaml", YAML_WITH_PARAMETER, "is not a number", "--param", "room_height=hög"
    ),
    # Options
    "unknown --param": option_case(["--param", "door_width=0.9"], "door_width", "unknown parameter"),
    "bad --param syntax": option_case(
        ["--param", "door_width"], "--param 'door_width'", "expected NAME=VALUE"
    ),
    "unknown --fail-on": option_case(["--fail-on", "ibland"], "--fail-on 'ibland'", "choose from"),
    "unknown output format": option_case(["-o", "pdf:rapport.pdf"], "'pdf'", "unknown output format"),
    # Outputs
    "output under a file": output_case(
        output_under_a_file, lambda t: f"{t}/rapporter/anbud-a.json", "is a file"
    ),
    "output is a directory": output_case(lambda t: f"json:{t}", str, "is a directory"),
}


def run_in_process(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"an exception escaped the CLI: {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def run_entry_point(args: list[str]) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BIMCHECK_DEBUG"}
    done = subprocess.run(
        [str(ENTRY_POINT), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    return done.returncode, done.stdout, done.stderr


def assert_one_error_line(code: int, out: str, err: str, case: Case) -> None:
    assert code == 2, f"exit code {code}, stderr: {err}"
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines, "nothing on stderr"
    first = lines[0]
    assert first.startswith("bimcheck: error: ")
    assert case.names in first
    problems = (case.problem,) if isinstance(case.problem, str) else case.problem
    assert any(p in first for p in problems), f"none of {problems} in {first!r}"
    assert all(line.startswith("  ") for line in lines[1:]), f"unindented detail lines: {lines[1:]}"
    assert SECRET not in out + err


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_in_process(name: str, tmp_path: Path) -> None:
    case = CASES[name](tmp_path)
    report = tmp_path / "report" / "r.json"
    code, out, err = run_in_process(
        [*case.args, "-o", f"json:{report}"] if "-o" not in case.args else case.args
    )
    assert_one_error_line(code, out, err, case)
    assert not report.exists(), "a failed run left a report behind"


# One case of each kind through the real process as well: real streams, real exit status.
ENTRY_POINT_CASES = [
    "truncated model",
    "corrupt STEP data",
    "XXE external entity",
    "XSD-invalid IDS",
    "malformed YAML",
    "bad --param syntax",
    "output under a file",
]


@pytest.mark.parametrize("name", ENTRY_POINT_CASES)
def test_bad_input_through_the_entry_point(name: str, tmp_path: Path) -> None:
    case = CASES[name](tmp_path)
    code, out, err = run_entry_point(case.args)
    assert_one_error_line(code, out, err, case)


def test_xsd_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "xsd.ids"
    body = IDS_BODY.format(title="t", entity="IFCWALL").replace("<info>", "<info><titel/>")
    path.write_text(body, encoding="utf-8")
    code, _, err = run_in_process(["check", str(SAMPLE_MODEL), "-r", str(path)])
    assert code == 2
    first, *details = err.splitlines()
    assert f"first: {path}:2: error: XSD:" in first
    assert len(details) == 1
    assert details[0].startswith(f"  {path}:2: error: XSD: Unexpected child with tag")
    assert "titel" in details[0]


def test_entity_expansion_never_happens(tmp_path: Path) -> None:
    """Even `ids audit`, which reads any XML it is given, refuses the DTD instead of expanding it."""
    path = tmp_path / "xxe.ids"
    path.write_text(xxe(tmp_path), encoding="utf-8")
    code, out, err = run_in_process(["ids", "audit", str(path)])
    assert code == 2
    assert SECRET not in out + err
    assert (
        err == f"bimcheck: error: {path}: XML with a DOCTYPE/DTD is refused (entities are never expanded)\n"
    )


def test_schema_location_hints_are_not_followed(tmp_path: Path) -> None:
    # A hint to a schema that does not exist (or to an unreachable host) must not matter:
    # the bundled IDS 1.0 XSD is the only one ever used.
    hinted = SAMPLE_IDS.read_text(encoding="utf-8").replace(
        "http://standards.buildingsmart.org/IDS/1.0/ids.xsd", f"file://{tmp_path}/missing.xsd"
    )
    assert f"file://{tmp_path}/missing.xsd" in hinted
    path = tmp_path / "hint.ids"
    path.write_text(hinted, encoding="utf-8")
    code, out, err = run_in_process(["check", str(SAMPLE_MODEL), "-r", str(path), "-o", "json"])
    assert (code, err) == (1, "")
    assert '"SE-IDS-01"' in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_output_in_a_read_only_directory(tmp_path: Path) -> None:
    locked = tmp_path / "låst"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        report = locked / "r.json"
        case = Case([], str(report), "Permission denied")
        code, out, err = run_in_process(
            ["check", str(SAMPLE_MODEL), "-r", str(SAMPLE_IDS), "-o", f"json:{report}"]
        )
        assert_one_error_line(code, out, err, case)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)


def test_a_failed_run_does_not_clobber_an_existing_report(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text("the report of the last good run", encoding="utf-8")
    code, _, _ = run_in_process(
        ["check", str(tmp_path / "saknas.ifc"), "-r", str(SAMPLE_IDS), "-o", f"json:{report}"]
    )
    assert code == 2
    assert report.read_text(encoding="utf-8") == "the report of the last good run"


def test_a_failed_write_leaves_the_old_report_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "r.json"
    report.write_text("the report of the last good run", encoding="utf-8")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    code, out, err = run_in_process(
        ["check", str(SAMPLE_MODEL), "-r", str(SAMPLE_IDS), "-o", f"json:{report}"]
    )
    assert_one_error_line(code, out, err, Case([], str(report), "No space left on device"))
    assert report.read_text(encoding="utf-8") == "the report of the last good run"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"], "a temporary file was left behind"


def test_an_unreadable_saved_report(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text("{not json", encoding="utf-8")
    code, out, err = run_in_process(["report", str(path)])
    assert_one_error_line(code, out, err, Case([], str(path), "not valid JSON"))


def test_parser_errors_are_read_from_either_log_format() -> None:
    from bimcheck.model.ifcmodel import parse_errors

    text = (
        "[warning] [2025-01-01 10:00:00] Expected 9 attribute values\n"
        "[error] [SYN123] [2025-01-01 10:00:00] Entity with name 'IFCWAL' not found at offset 5\n"
    )
    json_log = (
        '{"level":"warning","message":"Expected 9 attribute values"}\n'
        '{"level":"error","code":"SYN123","message":"Entity with name \'IFCWAL\' not found at offset 5"}\n'
    )
    expected = ["Entity with name 'IFCWAL' not found at offset 5"]
    assert parse_errors(text) == expected
    assert parse_errors(json_log) == expected
    assert parse_errors("") == []


def test_an_output_over_an_input_model_or_rule_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bimcheck.cli import app
    from tests.builders import ModelBuilder

    builder = ModelBuilder()
    builder.element("IfcWall", "W")
    model = builder.save(tmp_path / "m.ifc")
    ids = tmp_path / "r.ids"
    ids.write_text(
        '<ids xmlns="http://standards.buildingsmart.org/IDS"><info><title>t</title></info><specifications>'
        '<specification name="s" ifcVersion="IFC4"><applicability><entity><name>'
        "<simpleValue>IFCWALL</simpleValue></name></entity></applicability></specification>"
        "</specifications></ids>",
        encoding="utf-8",
    )
    before = model.read_bytes(), ids.read_bytes()
    for target in (model, ids):
        result = CliRunner().invoke(app, ["check", str(model), "-r", str(ids), "-o", f"json:{target}"])
        assert result.exit_code == 2
        assert "would overwrite an input" in result.stderr
    assert (model.read_bytes(), ids.read_bytes()) == before
