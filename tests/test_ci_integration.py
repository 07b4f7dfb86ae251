"""CI use: the GitHub Actions workflow and the pre-commit hook, read as their tools read them and run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from ruamel.yaml import YAML

from tests.iterations import BASELINE, REQUIREMENTS, iteration

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
EXAMPLE_CONFIG = ROOT / "docs" / "ci" / "pre-commit-config.example.yaml"
BIN = Path(sys.executable).parent  # the venv's bin: bimcheck and pre-commit are installed there
TODAY = "2025-06-01"  # BIMCHECK_TODAY in every run: no test depends on the wall clock


def load(path: Path) -> Any:
    # YAML 1.2, as GitHub reads workflows: `on` is a key, not the boolean true of YAML 1.1.
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def steps() -> dict[str, dict[str, Any]]:
    job = load(WORKFLOW)["jobs"]["bimcheck"]
    return {s["name"]: s for s in job["steps"]}


# --- the workflow, as a structure -------------------------------------------------------------------


def test_the_workflow_runs_on_pushes_and_pull_requests_with_the_permissions_it_needs() -> None:
    workflow = load(WORKFLOW)
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read", "checks": "write"}
    job = workflow["jobs"]["bimcheck"]
    assert job["runs-on"] == "ubuntu-latest"
    assert {"BIMCHECK_PACKAGE", "BIMCHECK_RULES", "BIMCHECK_BASELINE", "REPORTS"} <= set(job["env"])


def test_the_workflow_checks_out_sets_up_python_3_11_and_installs_bimcheck() -> None:
    found = list(steps().values())
    uses = [s.get("uses", "") for s in found]
    assert uses[0].startswith("actions/checkout@")
    assert found[0]["with"]["fetch-depth"] == 0
    assert uses[1].startswith("actions/setup-python@")
    assert str(found[1]["with"]["python-version"]) == "3.11"
    assert "pip install" in found[2]["run"]
    assert "$BIMCHECK_PACKAGE" in found[2]["run"]


def test_the_check_step_writes_junit_html_and_json_with_the_baseline() -> None:
    script = steps()["Check the models"]["run"]
    assert "bimcheck check" in script
    for option in (
        '-o "junit:$REPORTS/bimcheck-junit.xml"',
        '-o "html:$REPORTS/bimcheck.html"',
        "--baseline",
    ):
        assert option in script


def test_both_reports_are_uploaded_and_the_junit_report_published_even_after_a_failure() -> None:
    found = steps()
    uploads = [s for s in found.values() if s.get("uses", "").startswith("actions/upload-artifact@")]
    paths = "\n".join(s["with"]["path"] for s in uploads)
    assert "bimcheck-reports/bimcheck.html" in paths
    assert "bimcheck-reports/bimcheck-junit.xml" in paths
    publish = found["Publish the JUnit report"]
    assert publish["uses"].startswith("mikepenz/action-junit-report@")
    assert publish["with"]["report_paths"] == "bimcheck-reports/bimcheck-junit.xml"
    for step in (*uploads, publish, found["Compare with the base branch"]):
        assert "!cancelled()" in step["if"], step["name"]


def test_pull_requests_are_compared_with_their_base_branch_with_the_baseline() -> None:
    step = steps()["Compare with the base branch"]
    assert "github.event_name == 'pull_request'" in step["if"]
    assert step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert "bimcheck diff" in step["run"]
    assert "--baseline" in step["run"]
    assert "GITHUB_STEP_SUMMARY" in step["run"]


# --- a model repository ---------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "BIMCHECK_TODAY": TODAY,
        "NO_COLOR": "1",
        **extra,
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A supplier's model repository: iteration 1 on main, iteration 2 committed on top."""
    repo = tmp_path / "models-repo"
    (repo / "models").mkdir(parents=True)
    (repo / "requirements").mkdir()
    (repo / "requirements" / "requirements.yaml").write_text(REQUIREMENTS, encoding="utf-8")
    (repo / "bimcheck-baseline.yaml").write_text(BASELINE, encoding="utf-8")
    (repo / "README.md").write_text("Kv. Granen\n", encoding="utf-8")
    iteration(1).save(repo / "models" / "house.ifc")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "iteration 1")
    iteration(2).save(repo / "models" / "house.ifc")
    git(repo, "commit", "-q", "-am", "iteration 2")
    return repo


def run_step(name: str, repo: Path, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A workflow step's script, run by bash in the repository with the job's environment."""
    workflow = load(WORKFLOW)
    job_env = {k: str(v) for k, v in workflow["jobs"]["bimcheck"]["env"].items()}
    script = steps()[name]["run"]
    assert "${{" not in script, "expressions belong in the step's env, so the script runs anywhere"
    return subprocess.run(
        ["bash", "-c", script],
        cwd=repo,
        env=environment(tmp, RUNNER_TEMP=str(tmp), **job_env, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_workflow_scripts_check_and_compare_a_repository(repo: Path, tmp_path: Path) -> None:
    check = run_step("Check the models", repo, tmp_path)
    # The new door fails and the wall's waiver has expired: the job fails, with its reports.
    assert check.returncode == 1, check.stderr
    assert "waiver for IT-WALL-01 expired on 2025-05-31" in check.stderr
    reports = repo / "bimcheck-reports"
    junit = etree.parse(str(reports / "bimcheck-junit.xml")).getroot()
    assert junit.get("failures") == "2"
    assert "<html" in (reports / "bimcheck.html").read_text(encoding="utf-8")
    summary = tmp_path / "summary.md"
    base = git(repo, "rev-parse", "HEAD~1")
    compare = run_step(
        "Compare with the base branch", repo, tmp_path, BASE_SHA=base, GITHUB_STEP_SUMMARY=str(summary)
    )
    assert compare.returncode == 1, compare.stderr
    assert "1 new, 1 fixed, 3 unchanged finding(s)" in compare.stdout
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("## bimcheck diff")
    assert "| ❗ | new | IT-DOOR-01 Doors have a fire rating |" in table


def test_with_every_finding_accepted_the_workflow_passes(repo: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    report = tmp_path / "v2.json"
    args = ["check", "models/house.ifc", "-r", "requirements/", "-o", f"json:{report}"]
    subprocess.run([BIN / "bimcheck", *args], cwd=repo, env=env, capture_output=True, check=False)
    create = ["baseline", "create", str(report), "--reason", "Accepted", "--approved-by", "Anna", "--force"]
    created = subprocess.run(
        [BIN / "bimcheck", *create, "--date", TODAY, "-o", "bimcheck-baseline.yaml"],
        cwd=repo,
        env=env,
        check=False,
    )
    assert created.returncode == 0
    assert run_step("Check the models", repo, tmp_path).returncode == 0
    base = git(repo, "rev-parse", "HEAD~1")
    summary = tmp_path / "summary.md"
    compare = run_step(
        "Compare with the base branch", repo, tmp_path, BASE_SHA=base, GITHUB_STEP_SUMMARY=str(summary)
    )
    assert compare.returncode == 0, compare.stdout + compare.stderr
    assert "exit code 0: no new finding counts" in summary.read_text(encoding="utf-8")


def test_a_repository_without_models_passes_and_says_so(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q")
    result = run_step("Check the models", repo, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "no IFC models in the repository: nothing to check",
    )


# --- the pre-commit hook -----------------------------------------------------------------------------------


def hook() -> dict[str, Any]:
    (found,) = load(HOOKS)
    return dict(found)


def test_the_hook_definition_has_the_fields_pre_commit_needs() -> None:
    h = hook()
    assert {"id", "name", "entry", "language"} <= set(h)
    assert (h["id"], h["entry"], h["language"]) == ("bimcheck", "bimcheck check", "python")
    assert h["pass_filenames"] is True
    pattern = re.compile(h["files"])
    assert all(pattern.search(f) for f in ("house.ifc", "models/Hus A.IFC"))
    assert not any(pattern.search(f) for f in ("house.ifcxml", "house.ifc.bak", "house.ifczip", "notes.md"))


def test_pre_commit_accepts_the_hook_manifest() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (loaded,) = clientlib.load_manifest(str(HOOKS))
    assert loaded["id"] == "bimcheck"
    assert loaded["require_serial"] is True
    config = clientlib.load_config(str(EXAMPLE_CONFIG))
    (example,) = config["repos"][0]["hooks"]
    assert example["id"] == "bimcheck"
    assert example["args"][:2] == ["-r", "requirements/"]


def test_the_hook_entry_runs_as_pre_commit_runs_it(repo: Path, tmp_path: Path) -> None:
    """`entry args... files...`, as pre-commit composes the command line."""
    (example,) = load(EXAMPLE_CONFIG)["repos"][0]["hooks"]
    command = [*hook()["entry"].split(), *example["args"], "models/house.ifc"]
    done = subprocess.run(command, cwd=repo, env=environment(tmp_path), capture_output=True, text=True)
    assert done.returncode == 1
    assert "IT-DOOR-01" in done.stdout
    assert "waived (was fail): Fire door ordered" in done.stdout


def _local_config(repo: Path) -> None:
    """The example configuration with the hook of this repository, run from the installed bimcheck.

    pre-commit would install bimcheck into an environment of its own (`language: python`),
    which needs the package index; `language: system` runs the same entry from the PATH.
    """
    (example,) = load(EXAMPLE_CONFIG)["repos"][0]["hooks"]
    local = {**hook(), "language": "system", "args": example["args"]}
    local.pop("minimum_pre_commit_version", None)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    with (repo / ".pre-commit-config.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump({"repos": [{"repo": "local", "hooks": [local]}]}, stream)


def pre_commit(repo: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = environment(tmp, PRE_COMMIT_HOME=str(tmp / "pre-commit-home"))
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_pre_commit_runs_the_hook_on_staged_models_only(repo: Path, tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    _local_config(repo)
    git(repo, "add", ".pre-commit-config.yaml")
    (repo / "README.md").write_text("Kv. Granen 1\n", encoding="utf-8")
    git(repo, "add", "README.md")
    skipped = pre_commit(repo, tmp_path)
    assert skipped.returncode == 0, skipped.stdout
    assert "(no files to check)Skipped" in skipped.stdout

    shutil.copy(repo / "models" / "house.ifc", repo / "models" / "house-copy.ifc")
    git(repo, "add", "models/house-copy.ifc")
    refused = pre_commit(repo, tmp_path)
    assert refused.returncode == 1, refused.stdout
    assert "bimcheck (IFC models against requirements)" in refused.stdout
    assert "Failed" in refused.stdout
    assert "IT-DOOR-01" in refused.stdout

    (repo / "bimcheck-baseline.yaml").write_text(
        BASELINE.replace("expires: 2025-05-31", "expires: 2025-12-31")
    )
    accepted_door = f"""  - requirement: IT-DOOR-01
    ifc_class: IfcDoor
    name: D4 förråd
    reason: Storeroom door, no fire requirement
    approved_by: Anna Andersson
    date: {TODAY}
"""
    with (repo / "bimcheck-baseline.yaml").open("a", encoding="utf-8") as stream:
        stream.write(accepted_door)
    git(repo, "add", "bimcheck-baseline.yaml")
    passed = pre_commit(repo, tmp_path)
    assert passed.returncode == 0, passed.stdout
    assert "Passed" in passed.stdout
