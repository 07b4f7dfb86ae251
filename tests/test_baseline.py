"""Baselines: waived findings keep their reason in every report; expired and unused waivers are reported."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.engine import run_check
from bimcheck.errors import InputError
from bimcheck.procurement.baseline import (
    Baseline,
    Entry,
    apply_baseline,
    create_baseline,
    load_baseline,
    strip_baseline,
)
from bimcheck.reporters.bcf_report import render as render_bcf
from bimcheck.reporters.console import render as render_console
from bimcheck.reporters.html import render as render_html
from bimcheck.reporters.json_report import render as render_json
from bimcheck.reporters.junit_report import render as render_junit
from bimcheck.reporters.xml_report import NAMESPACE, render_bytes, schema
from bimcheck.results import (
    KeyFigure,
    ModelInfo,
    RequirementResult,
    RunResult,
    Status,
    ToolInfo,
    WaiverState,
    exit_code,
    run_from_dict,
    run_to_dict,
)
from bimcheck.rules.loader import load_rules
from tests.iterations import (
    DOOR_NEW,
    DOOR_OK,
    DOOR_WAIVED,
    TODAY,
    WALL_EXPIRED,
    Project,
    write_project,
)

ROOT = Path(__file__).resolve().parent.parent
N = f"{{{NAMESPACE}}}"
REASON = "Fire door ordered; rating comes with the supplier's product data"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return write_project(tmp_path_factory.mktemp("iterations"))


@pytest.fixture(scope="module")
def v2(project: Project) -> RunResult:
    """The second iteration, checked without a baseline."""
    return run_check([project.v2], load_rules([project.rules]))


@pytest.fixture(scope="module")
def baseline(project: Project) -> Baseline:
    return load_baseline(project.baseline)


@pytest.fixture(scope="module")
def waived(v2: RunResult, baseline: Baseline) -> RunResult:
    return apply_baseline(v2, baseline, TODAY)


def requirement(run: RunResult, rid: str) -> RequirementResult:
    return next(r for r in run.requirements if r.id == rid)


def element_status(run: RunResult, rid: str, gid: str) -> Status:
    return next(e.status for e in requirement(run, rid).elements if e.global_id == gid)


def entry(**fields: object) -> Entry:
    values: dict[str, object] = {
        "requirement": "R1",
        "reason": "accepted",
        "approved_by": "someone",
        "approved_on": date(2025, 1, 1),
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


# --- reading ----------------------------------------------------------------------------------------


def test_a_baseline_file_is_read_with_the_line_of_each_waiver(baseline: Baseline, project: Project) -> None:
    assert [e.source for e in baseline.entries] == [f"{project.baseline}:{n}" for n in (3, 9, 15)]
    first = baseline.entries[0]
    assert (first.requirement, first.global_id, first.reason) == ("IT-DOOR-01", DOOR_WAIVED, REASON)
    assert (first.approved_on, first.expires) == (date(2025, 3, 1), date(2030, 12, 31))
    assert baseline.entries[2].expires is None  # a known finding without an end date
    assert len(baseline.sha256) == 64


VALID_ENTRY = (
    "  - requirement: R1\n    global_id: ABC\n    reason: r\n    approved_by: a\n    date: 2025-01-01\n"
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "line 1: empty file: a baseline file starts with `bimcheck_baseline: 1`"),
        ("waivers: []\n", "line 1: not a bimcheck baseline: `bimcheck_baseline: 1` is missing"),
        ("bimcheck_baseline: 2\n", "line 1: baseline format 2 is not supported: this bimcheck reads 1"),
        (
            "bimcheck_baseline: 1\nwaivers:\n  - requirement: R1\n    reason: r\n    date: 2025-01-01\n",
            "line 3: waivers[0]: missing required key 'approved_by'",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY.replace("2025-01-01", "2025-1-5"),
            "line 7: waivers[0].date: date '2025-1-5' is not an ISO date (YYYY-MM-DD)",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY.replace("2025-01-01", "2025-02-30"),
            "line 7: waivers[0].date: date '2025-02-30' is not a calendar date",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY.replace("2025-01-01", "2025-01-01T10:00:00"),
            "is not an ISO date",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY.replace("2025-01-01", "20250101"),
            "line 7: waivers[0].date: input should be a valid string",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY + "    expires: 2024-12-31\n",
            "line 3: waivers[0]: expires 2024-12-31 is before the approval date 2025-01-01",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY + "    ifc_class: IfcDoor\n",
            "give either global_id or ifc_class (with name and storey), not both",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY.replace("global_id: ABC", "name: D1"),
            "name and storey narrow an ifc_class selector: give ifc_class too",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY + "    expiry: 2026-01-01\n",
            "line 8: waivers[0].expiry: unknown key (did you mean 'expires'?)",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY.replace("reason: r", "reason: '  '"),
            "line 5: waivers[0].reason: must not be empty",
        ),
        (
            "bimcheck_baseline: 1\nwaivers:\n" + VALID_ENTRY + VALID_ENTRY,
            "line 8: waivers[1]: the same selection as line 3",
        ),
        ("bimcheck_baseline: 1\nwaivers: [\n", "malformed YAML"),
    ],
)
def test_a_bad_baseline_is_refused_naming_file_and_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_baseline(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}: ")
    assert problem.lower() in message.lower(), message


def test_a_missing_or_binary_baseline_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="baseline file does not exist"):
        load_baseline(tmp_path / "none.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"bimcheck_baseline: 1\n\xff\xfe")
    with pytest.raises(InputError, match="line 2: not UTF-8 text"):
        load_baseline(binary)


# --- applying: the cases on two generated iterations -----------------------------------------


def test_a_waived_finding_is_suppressed_with_its_reason_and_former_status(waived: RunResult) -> None:
    door = next(e for e in requirement(waived, "IT-DOOR-01").elements if e.global_id == DOOR_WAIVED)
    assert door.status is Status.SUPPRESSED
    assert door.suppression is not None
    assert (door.suppression.status, door.suppression.reason) == (Status.FAIL, REASON)
    assert door.suppression.expires == "2030-12-31"
    assert door.suppression.source is not None
    assert door.suppression.source.endswith("baseline.yaml:3")
    assert door.findings, "the finding itself stays in the report"


def test_the_requirement_status_follows_the_findings_that_still_count(waived: RunResult) -> None:
    # The new door still fails, so the requirement does; the waiver is recorded on it.
    doors = requirement(waived, "IT-DOOR-01")
    assert doors.status is Status.FAIL
    assert element_status(waived, "IT-DOOR-01", DOOR_NEW) is Status.FAIL
    assert doors.suppression is not None
    assert doors.suppression.status is Status.FAIL
    assert doors.counts["suppressed"] == 1


def test_an_expired_waiver_suppresses_nothing_and_is_reported(waived: RunResult) -> None:
    assert element_status(waived, "IT-WALL-01", WALL_EXPIRED) is Status.FAIL
    assert requirement(waived, "IT-WALL-01").status is Status.FAIL
    assert waived.baseline is not None
    (expired,) = waived.baseline.in_state(WaiverState.EXPIRED)
    assert (expired.global_id, expired.expires, expired.matched) == (WALL_EXPIRED, "2025-05-31", 1)


def test_an_unused_waiver_is_reported(waived: RunResult) -> None:
    assert waived.baseline is not None
    (unused,) = waived.baseline.in_state(WaiverState.UNUSED)
    assert (unused.global_id, unused.matched) == (DOOR_OK, 0)
    (applied,) = waived.baseline.in_state(WaiverState.APPLIED)
    assert (applied.global_id, applied.matched) == (DOOR_WAIVED, 1)
    assert waived.baseline.as_of == "2025-06-01"


def test_a_waiver_holds_through_its_expiry_date(v2: RunResult, baseline: Baseline) -> None:
    last_day = apply_baseline(v2, baseline, date(2025, 5, 31))
    day_after = apply_baseline(v2, baseline, date(2025, 6, 1))
    assert element_status(last_day, "IT-WALL-01", WALL_EXPIRED) is Status.SUPPRESSED
    assert requirement(last_day, "IT-WALL-01").status is Status.SUPPRESSED
    assert element_status(day_after, "IT-WALL-01", WALL_EXPIRED) is Status.FAIL


def test_exit_codes_follow_only_unwaived_problems(v2: RunResult, baseline: Baseline) -> None:
    assert exit_code(v2) == 1
    # The new door fails and the wall's waiver has expired: both count.
    assert exit_code(apply_baseline(v2, baseline, TODAY)) == 1
    new_door = entry(requirement="IT-DOOR-01", global_id=DOOR_NEW)
    renewed = replace(baseline.entries[1], expires=date(2026, 1, 1))
    both = replace(baseline, entries=(baseline.entries[0], renewed, new_door))
    assert exit_code(apply_baseline(v2, both, TODAY)) == 0
    # Waiving the door but not renewing the wall: the expired waiver alone fails the run.
    door_only = replace(baseline, entries=(*baseline.entries, new_door))
    assert exit_code(apply_baseline(v2, door_only, TODAY)) == 1


def test_a_requirement_whose_findings_are_all_waived_is_suppressed(v2: RunResult, baseline: Baseline) -> None:
    doors = replace(
        baseline, entries=(entry(requirement="IT-DOOR-01", ifc_class="ifcdoor", reason="all doors"),)
    )
    run = apply_baseline(v2, doors, TODAY)
    result = requirement(run, "IT-DOOR-01")
    assert result.status is Status.SUPPRESSED
    assert result.suppression is not None
    assert (result.suppression.status, result.suppression.reason) == (Status.FAIL, "all doors")
    assert {e.status for e in result.elements} == {Status.SUPPRESSED, Status.PASS}
    assert not result.failed


def test_class_selectors_narrow_by_name_and_storey(v2: RunResult) -> None:
    def suppressed(**selector: object) -> list[str | None]:
        run = apply_baseline(
            v2, Baseline("b.yaml", "0" * 64, (entry(requirement="IT-DOOR-01", **selector),)), TODAY
        )
        return [e.name for e in requirement(run, "IT-DOOR-01").elements if e.status is Status.SUPPRESSED]

    assert suppressed(ifc_class="IfcDoor") == ["D2 teknik", "D4 förråd"]
    assert suppressed(ifc_class="IfcDoor", name="D4 förråd") == ["D4 förråd"]
    assert suppressed(ifc_class="IfcDoor", storey="Plan 1") == ["D2 teknik", "D4 förråd"]
    assert suppressed(ifc_class="IfcDoor", storey="Plan 9") == []
    assert suppressed(ifc_class="IfcWall") == []
    assert suppressed(model="other.ifc") == []
    assert suppressed(model="house.ifc") == ["D2 teknik", "D4 förråd"]


def _bare(*requirements: RequirementResult) -> RunResult:
    model = ModelInfo(path="m.ifc", name="m.ifc", size=1, sha256="a" * 64, schema="IFC4")
    return RunResult(ToolInfo(), "2025-06-01T00:00:00Z", (model,), (), requirements)


def test_a_whole_requirement_waiver_covers_its_key_figures_and_its_own_failure() -> None:
    figure = KeyFigure(name="Lifts", value=0.0, status=Status.FAIL, expected=">= 1")
    no_lift = RequirementResult("R1", "A lift", Status.FAIL, "m.ifc", key_figures=(figure,))
    nothing = RequirementResult("R2", "Doors exist", Status.FAIL, "m.ifc", message="no applicable element")
    run = _bare(no_lift, nothing)
    waivers = Baseline("b.yaml", "0" * 64, (entry(), entry(requirement="R2", expires=date(2025, 1, 31))))
    applied = apply_baseline(run, waivers, TODAY)
    assert [r.status for r in applied.requirements] == [Status.SUPPRESSED, Status.FAIL]
    assert applied.baseline is not None
    assert [(w.state, w.matched) for w in applied.baseline.waivers] == [
        (WaiverState.APPLIED, 1),
        (WaiverState.EXPIRED, 1),
    ]


def test_applying_again_or_to_a_saved_report_gives_the_same_run(
    waived: RunResult, baseline: Baseline
) -> None:
    assert apply_baseline(waived, baseline, TODAY) == waived
    assert strip_baseline(apply_baseline(waived, baseline, TODAY)) == strip_baseline(waived)
    again = run_from_dict(json.loads(render_json(waived)))
    assert apply_baseline(again, baseline, TODAY) == waived


def test_strip_gives_back_the_run_without_the_baseline(v2: RunResult, waived: RunResult) -> None:
    assert strip_baseline(waived) == v2


# --- every report shows what was waived and why ----------------------------------------------------


@pytest.fixture(scope="module")
def all_doors_waived(waived: RunResult, baseline: Baseline) -> RunResult:
    """The waived run, with the new door waived too: IT-DOOR-01 is then suppressed as a whole."""
    extra = entry(requirement="IT-DOOR-01", global_id=DOOR_NEW, reason="Storeroom door, no fire requirement")
    return apply_baseline(waived, replace(baseline, entries=(*baseline.entries, extra)), TODAY)


def test_json_keeps_suppressions_and_the_baseline_and_reads_them_back(waived: RunResult) -> None:
    data = json.loads(render_json(waived))
    door = next(e for r in data["requirements"] for e in r["elements"] if e["global_id"] == DOOR_WAIVED)
    assert door["status"] == "suppressed"
    assert door["suppression"]["reason"] == REASON
    assert door["suppression"]["status"] == "fail"
    assert [w["state"] for w in data["baseline"]["waivers"]] == ["applied", "expired", "unused"]
    assert run_from_dict(data) == waived
    assert run_from_dict(run_to_dict(waived)) == waived


def test_the_console_report_shows_reasons_and_expired_and_unused_waivers(waived: RunResult) -> None:
    text = render_console(waived, width=400)
    assert f"waived (was fail): {REASON}" in text
    assert "approved by Anna Andersson, beställarens BIM-samordnare, 2025-03-01, expires 2030-12-31" in text
    assert "1 waiver(s) applied to 1 finding(s), 1 expired, 1 unused" in text
    assert f"expired IT-WALL-01 {WALL_EXPIRED}" in text
    assert "1 finding(s) count again" in text
    assert f"unused IT-DOOR-01 {DOOR_OK}" in text


def test_the_compliance_xml_with_suppressions_is_valid_and_says_why(all_doors_waived: RunResult) -> None:
    root = etree.fromstring(render_bytes(all_doors_waived))
    schema().assertValid(root)
    assert root.get("schemaVersion") == "1.1"
    doors = root.find(f"{N}Results/{N}Requirement[@id='IT-DOOR-01']")
    assert doors is not None
    assert doors.get("status") == "suppressed"
    assert doors.find(f"{N}Counts").get("suppressed") == "2"  # type: ignore[union-attr]
    element = doors.find(f"{N}Elements/{N}Element[@globalId='{DOOR_WAIVED}']")
    assert element is not None
    assert element.get("status") == "suppressed"
    suppression = element.find(f"{N}Suppression")
    assert suppression is not None
    assert suppression.get("status") == "fail"
    assert suppression.get("expires") == "2030-12-31"
    assert suppression.findtext(f"{N}Reason") == REASON
    waivers = root.findall(f"{N}Baseline/{N}Waiver")
    assert [w.get("state") for w in waivers] == ["applied", "expired", "unused", "applied"]
    assert root.find(f"{N}Summary").get("suppressed") == "1"  # type: ignore[union-attr]


def test_the_compliance_xml_without_a_baseline_has_no_suppressed_counts(v2: RunResult) -> None:
    root = etree.fromstring(render_bytes(v2))
    schema().assertValid(root)
    assert root.find(f"{N}Baseline") is None
    assert all(el.get("suppressed") is None for el in root.iter(f"{N}Counts", f"{N}Summary"))


def test_the_xsd_refuses_an_unknown_status(all_doors_waived: RunResult) -> None:
    data = render_bytes(all_doors_waived).replace(b'status="suppressed"', b'status="waived"', 1)
    assert not schema().validate(etree.fromstring(data))


def test_junit_skips_a_suppressed_requirement_with_the_reason(all_doors_waived: RunResult) -> None:
    root = etree.fromstring(render_junit(all_doors_waived).encode("utf-8"))
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("IT-DOOR-01"))
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("type") == "suppressed"
    assert skipped.get("message", "").startswith(f"suppressed (was fail): {REASON}; Storeroom door")
    assert f"suppressed IfcDoor {DOOR_WAIVED}" in (skipped.text or "")
    # The expired waiver's wall fails, as the exit code does.
    wall = next(c for c in root.iter("testcase") if c.get("name", "").startswith("IT-WALL-01"))
    assert wall.find("failure") is not None
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert (properties["baseline.expired"], properties["baseline.unused"]) == ("1", "1")
    assert root.get("failures") == "1"


def test_the_html_report_shows_the_waived_badge_reason_and_waiver_table(waived: RunResult) -> None:
    page = render_html(waived, "en")
    assert 'class="badge st-suppressed">Waived</span>' in page
    assert (
        "Waived (was Not met): Fire door ordered; rating comes with the supplier&#39;s product data" in page
    )
    assert 'class="ws-expired"' in page
    assert "Expired: its findings count again" in page
    assert "Unused: matches no finding" in page
    swedish = render_html(waived, "sv")
    assert "Undantaget" in swedish
    assert "Utgånget: avvikelserna räknas igen" in swedish


def test_bcf_makes_a_waived_finding_a_closed_topic(waived: RunResult) -> None:
    archive = zipfile.ZipFile(io.BytesIO(render_bcf(waived)))
    markups = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith("markup.bcf")]
    waived_topics = [m for m in markups if DOOR_WAIVED in m]
    assert len(waived_topics) == 1
    (topic,) = waived_topics
    assert 'TopicStatus="Closed"' in topic
    assert "<Labels>waived</Labels>" in topic
    assert "Waived (was fail): Fire door ordered" in topic
    others = [m for m in markups if DOOR_WAIVED not in m]
    assert others
    assert all('TopicStatus="Open"' in m for m in others)


def test_bcf_3_lists_the_closed_status_among_its_extensions(waived: RunResult) -> None:
    archive = zipfile.ZipFile(io.BytesIO(render_bcf(waived, version="3.0")))
    extensions = archive.read("extensions.xml").decode("utf-8")
    assert "<TopicStatus>Closed</TopicStatus><TopicStatus>Open</TopicStatus>" in extensions


# --- baseline create ---------------------------------------------------------------------------------


def test_a_created_baseline_accepts_every_current_finding(v2: RunResult) -> None:
    text = create_baseline(v2, reason='Known at award: "as built"', approved_by="Bo B", today=TODAY)
    assert text == create_baseline(v2, reason='Known at award: "as built"', approved_by="Bo B", today=TODAY)
    path_entries = text.count("  - requirement:")
    assert path_entries == 4  # two doors, a wall, a window
    baseline = _load_text(text)
    accepted = apply_baseline(v2, baseline, TODAY)
    assert exit_code(accepted, "any") == 0
    assert {r.status for r in accepted.requirements} == {Status.SUPPRESSED, Status.NOT_APPLICABLE}
    assert baseline.entries[0].reason == 'Known at award: "as built"'


def test_a_created_baseline_has_a_whole_requirement_entry_for_a_failure_without_elements() -> None:
    figure = KeyFigure(name="Lifts", value=0.0, status=Status.FAIL, expected=">= 1")
    run = _bare(RequirementResult("R1", "A lift", Status.FAIL, "m.ifc", key_figures=(figure,)))
    baseline = _load_text(
        create_baseline(run, reason="r", approved_by="a", today=TODAY, expires=date(2026, 1, 1))
    )
    (only,) = baseline.entries
    assert (only.requirement, only.whole_requirement, only.expires) == ("R1", True, date(2026, 1, 1))
    assert exit_code(apply_baseline(run, baseline, TODAY)) == 0


def test_create_refuses_an_empty_reason_or_an_expiry_before_the_approval(v2: RunResult) -> None:
    with pytest.raises(ValueError, match="reason"):
        create_baseline(v2, reason=" ", approved_by="a", today=TODAY)
    with pytest.raises(ValueError, match="before the approval date"):
        create_baseline(v2, reason="r", approved_by="a", today=TODAY, expires=TODAY - timedelta(days=1))


_counter = iter(range(1000))


def _load_text(text: str) -> Baseline:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="baseline-"))
    path = folder / f"b{next(_counter)}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_baseline(path)


# --- command line ------------------------------------------------------------------------------------


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_with_a_baseline_exits_on_unwaived_problems_and_warns_about_waivers(project: Project) -> None:
    args = ("check", str(project.v2), "-r", str(project.rules), "--baseline", str(project.baseline))
    code, out, err = invoke(*args, "--today", "2025-06-01")
    assert code == 1
    assert (
        f"{project.baseline}:9: waiver for IT-WALL-01 expired on 2025-05-31: 1 finding(s) count again" in err
    )
    assert f"{project.baseline}:15: waiver for IT-DOOR-01 matches no finding" in err
    assert "waived (was fail)" in out


def test_check_baseline_create_round_trip_makes_ci_pass(project: Project, tmp_path: Path) -> None:
    report = tmp_path / "v2.json"
    code, _, _ = invoke("check", str(project.v2), "-r", str(project.rules), "-o", f"json:{report}")
    assert code == 1
    created = tmp_path / "baseline.yaml"
    code, _, err = invoke(
        "baseline", "create", str(report), "--reason", "Accepted at adoption", "--approved-by", "Bo B",
        "--date", "2025-06-01", "--expires", "2025-12-31", "-o", str(created),
    )  # fmt: skip
    assert code == 0, err
    check = ("check", str(project.v2), "-r", str(project.rules), "--baseline", str(created))
    assert invoke(*check, "--today", "2025-12-31", "--fail-on", "any")[0] == 0
    assert invoke(*check, "--today", "2026-01-01", "--fail-on", "any")[0] == 1
    again = invoke(
        "baseline", "create", str(report), "--reason", "x", "--approved-by", "y", "-o", str(created)
    )
    assert again[0] == 2
    assert "baseline file exists; --force replaces it" in again[2]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ("--today", "1 June 2025"),
            "bimcheck: error: --today '1 June 2025' is not an ISO date (YYYY-MM-DD)",
        ),
        (("--baseline", "missing.yaml"), "bimcheck: error: missing.yaml: baseline file does not exist"),
    ],
)
def test_bad_baseline_input_is_one_line_and_exit_2(
    project: Project, args: tuple[str, ...], problem: str
) -> None:
    base = ("check", str(project.v2), "-r", str(project.rules), "--baseline", str(project.baseline))
    code, _, err = invoke(*base, *args)
    assert code == 2
    assert err.splitlines()[0] == problem


def test_baseline_create_needs_a_reason_and_an_approver(tmp_path: Path) -> None:
    code, _, err = invoke("baseline", "create", str(tmp_path / "r.json"), "--approved-by", "a")
    assert code == 2
    assert "--reason" in err


# --- verify ------------------------------------------------------------------------------------------


def test_a_compliance_report_of_schema_1_0_still_verifies(tmp_path: Path) -> None:
    golden = ROOT / "tests" / "data" / "golden"
    report = tmp_path / "house.xml"
    text = (golden / "house.xml").read_text(encoding="utf-8")
    report.write_text(text.replace('schemaVersion="1.1"', 'schemaVersion="1.0"', 1), encoding="utf-8")
    args = ["verify", str(report), "--model", str(golden / "house.ifc")]
    code, out, _ = invoke(*args, "-r", str(golden / "house.yaml"), "-r", str(golden / "house.ids"))
    assert (code, out.splitlines()[0]) == (0, f"{report}: verified")


def test_a_report_with_suppressions_verifies_and_an_edited_reason_does_not(
    project: Project, tmp_path: Path
) -> None:
    report = tmp_path / "v2.xml"
    base = ("--baseline", str(project.baseline), "--today", "2025-06-01")
    assert invoke("check", str(project.v2), "-r", str(project.rules), *base, "-o", f"xml:{report}")[0] == 1
    verify = ("verify", str(report), "--model", str(project.v2), "-r", str(project.rules))
    code, out, _ = invoke(*verify)
    assert (code, out.splitlines()[0]) == (0, f"{report}: verified")
    assert f"baseline: the report applies 3 waiver(s) of {project.baseline} as of 2025-06-01" in out
    edited = report.read_text(encoding="utf-8").replace("Fire door ordered", "Fire door waived", 1)
    report.write_text(edited, encoding="utf-8")
    code, out, _ = invoke(*verify)
    assert code == 1
    assert "NOT verified" in out
    assert "Fire door ordered" in out  # the re-run, from the waiver the report records, says what it was


def test_the_readme_baseline_example_is_a_valid_baseline(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in readme.split("```yaml\n")[1:] if b.startswith("bimcheck_baseline: 1")]
    path = tmp_path / "baseline.yaml"
    path.write_text(example.split("```")[0], encoding="utf-8")
    first, second = load_baseline(path).entries
    assert (first.global_id, first.expires) == ("3os5zdh8V_bOOcYDCnSp8H", date(2025, 6, 30))
    assert (second.ifc_class, second.model, second.whole_requirement) == ("IfcWall", "hus-a.ifc", False)


@pytest.mark.parametrize("version", ["2.1", "3.0"])
@pytest.mark.parametrize("group", [False, True])
def test_bcf_with_waived_topics_validates_and_reads_back(
    all_doors_waived: RunResult, version: str, group: bool, tmp_path: Path
) -> None:
    from tests.test_bcf_report import read_back, validate

    data = render_bcf(all_doors_waived, version=version, group=group)
    assert validate(data, version)
    reader = read_back(data, version, tmp_path)
    statuses = sorted(t.topic.topic_status for t in reader.topics.values())
    reader.close()
    # Per element: two waived doors, the wall whose waiver expired and the window; grouped:
    # the waived requirement, the wall's and the window's.
    expected = ["Closed"] * (1 if group else 2) + ["Open", "Open"]
    assert statuses == expected


def test_junit_with_suppressions_validates_against_the_junit_xsd(all_doors_waived: RunResult) -> None:
    from tests.test_junit_report import SCHEMA

    for level in ("mandatory", "any", "none"):
        root = etree.fromstring(render_junit(all_doors_waived, level).encode("utf-8"))
        assert SCHEMA.validate(root), SCHEMA.error_log
