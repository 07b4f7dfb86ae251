"""Command line: parse arguments, call the library, map errors to exit codes. No logic here."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from bimcheck import __version__
from bimcheck.errors import BimcheckError

if TYPE_CHECKING:
    from bimcheck.reporters import RenderOptions
    from bimcheck.results import RunResult
    from bimcheck.rules.ids import Issue
    from bimcheck.rules.requirement import RuleSet

app = typer.Typer(
    name="bimcheck",
    help="Check IFC models against functional requirements (IDS 1.0 and bimcheck YAML).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ids_app = typer.Typer(help="Work with buildingSMART IDS files.", no_args_is_help=True)
rules_app = typer.Typer(help="List, explain and export requirements.", no_args_is_help=True)
baseline_app = typer.Typer(help="Accept known findings: baselines of waivers.", no_args_is_help=True)
app.add_typer(ids_app, name="ids")
app.add_typer(rules_app, name="rules")
app.add_typer(baseline_app, name="baseline")

T = TypeVar("T")

RulesOption = Annotated[
    list[Path],
    typer.Option("--rules", "-r", help="Requirement file (.ids, .yaml) or directory; repeatable."),
]
OnlyOption = Annotated[list[str] | None, typer.Option(help="Check only these requirement ids or tags.")]
SkipOption = Annotated[list[str] | None, typer.Option(help="Leave out these requirement ids or tags.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of reports people read: sv or en.")]
BcfGroupOption = Annotated[
    bool, typer.Option("--bcf-group", help="BCF: one topic per requirement instead of one per element.")
]
BcfVersionOption = Annotated[str, typer.Option("--bcf-version", help="BCF version: 2.1 or 3.0.")]
SignKeyOption = Annotated[
    Path | None, typer.Option("--sign-key", help="PEM private key: sign the compliance XML (XML-DSig).")
]
SignCertOption = Annotated[
    Path | None, typer.Option("--sign-cert", help="PEM X.509 certificate that goes with --sign-key.")
]
FailOnOption = Annotated[
    str,
    typer.Option(
        help="Exit 1 when a requirement at or above this level fails: "
        "any, mandatory, error, warning, info, none. JUnit reports count failures the same way."
    ),
]
ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Override a YAML parameter: NAME=VALUE; repeatable."),
]
BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="YAML file of known findings and waivers (reason, approver, expiry): matching findings "
        "are suppressed, shown with their reason and not counted; expired and unused waivers are reported.",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        help="Time budget per model in seconds; a model checked longer is stopped and its "
        "requirements are reported as errors.",
        min=0.001,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="BIMCHECK_TODAY",
        help="Compare the baseline's expiry dates with this day (YYYY-MM-DD). Default: today.",
    ),
]


def _fail(message: str, code: int = 2, details: tuple[str, ...] = ()) -> NoReturn:
    typer.echo(f"bimcheck: error: {message}", err=True)
    for line in details:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(code)


def _guard(action: Callable[[], T]) -> T:
    """Run a library call; bad input becomes one line on stderr and exit code 2."""
    try:
        return action()
    except typer.Exit:
        raise  # a message was already printed by _fail; do not report it again as a crash
    except BimcheckError as exc:
        _fail(exc.one_line(), details=exc.details)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # a tool failure still gets one line, not a traceback
        if os.environ.get("BIMCHECK_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set BIMCHECK_DEBUG=1 for a traceback)")


def _parameters(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            _fail(f"--param {item!r}: expected NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def _progress_printer() -> Callable[[str, str, int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(model: str, requirement: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r\033[K{model}: {done}/{total} requirements ({requirement})"[:200] + end)
        sys.stderr.flush()

    return show


def _stdout(data: str | bytes) -> None:
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)
    sys.stdout.flush()


@app.command()
def check(
    models: Annotated[list[Path], typer.Argument(help="IFC model(s) to check.")],
    rules: RulesOption,
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output", "-o", help="FORMAT[:PATH], e.g. json:out/report.json; repeatable. Default: console."
        ),
    ] = None,
    fail_on: FailOnOption = "mandatory",
    param: ParamOption = None,
    only: OnlyOption = None,
    skip: SkipOption = None,
    lang: LangOption = "en",
    bcf_group: BcfGroupOption = False,
    bcf_version: BcfVersionOption = "2.1",
    sign_key: SignKeyOption = None,
    sign_cert: SignCertOption = None,
    baseline: BaselineOption = None,
    today: TodayOption = None,
    timeout: TimeoutOption = None,
) -> None:
    """Check MODELS against requirement files and write reports."""
    from bimcheck.engine import run_check
    from bimcheck.procurement.baseline import apply_baseline, load_baseline
    from bimcheck.reporters import needs_plans, parse_outputs, refuse_overwriting_inputs, write_outputs
    from bimcheck.results import exit_code
    from bimcheck.rules.loader import load_rules

    outputs = output or ["console"]
    _check_outputs(parse_outputs, outputs)
    options = _render_options(lang, bcf_group, bcf_version, sign_key, sign_cert, fail_on)
    inputs = [*models, *rules, *([baseline] if baseline else [])]
    _guard(lambda: refuse_overwriting_inputs(outputs, inputs))
    day = _today(today)
    waivers = None if baseline is None else _guard(lambda: load_baseline(baseline))
    ruleset = _guard(lambda: load_rules(rules, _parameters(param)).select(only or (), skip or ()))
    if not ruleset.requirements:
        _fail("no requirements selected: nothing to check", 3)
    run = _guard(
        lambda: run_check(models, ruleset, _progress_printer(), plans=needs_plans(outputs), timeout=timeout)
    )
    for model in run.models:
        stopped = [r for r in run.for_model(model.name) if r.message and "(--timeout)" in r.message]
        if stopped:
            typer.echo(f"bimcheck: warning: {model.path}: {stopped[0].message}", err=True)
    if waivers is not None:
        run = apply_baseline(run, waivers, day)
        _warn_about_waivers(run)
    _guard(lambda: write_outputs(run, outputs, _stdout, options))
    raise typer.Exit(exit_code(run, fail_on))


def _today(value: str | None) -> date:
    """--today, strictly YYYY-MM-DD; the wall clock's date without it."""
    from bimcheck.procurement.baseline import parse_date

    if value is None:
        return date.today()
    try:
        return parse_date(value, "--today")
    except ValueError as exc:
        _fail(str(exc))


def _warn_about_waivers(run: RunResult) -> None:
    """Expired and unused waivers on stderr too: a CI log shows them whatever reports were asked for."""
    from bimcheck.results import WaiverState

    if run.baseline is None:
        return
    for w in run.baseline.in_state(WaiverState.EXPIRED):
        typer.echo(
            f"bimcheck: warning: {w.source}: waiver for {w.requirement} expired on {w.expires}: "
            f"{w.matched} finding(s) count again",
            err=True,
        )
    for w in run.baseline.in_state(WaiverState.UNUSED):
        typer.echo(f"bimcheck: warning: {w.source}: waiver for {w.requirement} matches no finding", err=True)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier iteration: an IFC model or a JSON report.")],
    new: Annotated[Path, typer.Argument(help="The later iteration: an IFC model or a JSON report.")],
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", "-r", help="Requirement files to check models with; repeatable."),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output", "-o", help="FORMAT[:PATH]: console, json or markdown; repeatable. Default: console."
        ),
    ] = None,
    fail_on: FailOnOption = "mandatory",
    param: ParamOption = None,
    baseline: BaselineOption = None,
    today: TodayOption = None,
) -> None:
    """List the findings NEW adds, fixes and keeps compared with OLD, and changed key figures.

    Exit code 0: no new finding at or above --fail-on (nor one whose waiver expired);
    1: there is; 2: bad input.
    """
    from bimcheck.results import FAIL_ON_LEVELS
    from bimcheck.workflows.diff import diff as diff_iterations
    from bimcheck.workflows.diff import parse_diff_outputs, refuse_overwriting, write_diff_outputs

    outputs = output or ["console"]
    _check_outputs(parse_diff_outputs, outputs)
    if fail_on not in FAIL_ON_LEVELS:
        _fail(f"--fail-on {fail_on!r}: choose from {', '.join(FAIL_ON_LEVELS)}")
    inputs = [old, new, *(rules or []), *([baseline] if baseline else [])]
    _guard(lambda: refuse_overwriting(outputs, inputs))
    day = _today(today)
    result = _guard(
        lambda: diff_iterations(
            old, new, rules or [], _parameters(param), baseline=baseline, today=day, fail_on=fail_on
        )
    )
    _guard(lambda: write_diff_outputs(result, outputs, _stdout))
    raise typer.Exit(result.exit_code)


@baseline_app.command("create")
def baseline_create(
    report_json: Annotated[
        Path, typer.Argument(help="A JSON report written by `bimcheck check -o json:...`.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why these findings are accepted (in every entry).")
    ],
    approved_by: Annotated[str, typer.Option("--approved-by", help="Who accepted them: name and role.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Baseline file to write. Default: stdout.")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Last day the waivers hold (YYYY-MM-DD). Default: never.")
    ] = None,
    approved_on: Annotated[
        str | None, typer.Option("--date", help="Approval date (YYYY-MM-DD). Default: today.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing baseline file.")] = False,
) -> None:
    """Accept every finding of a report as known: a baseline to adopt bimcheck on an existing model.

    Each entry carries --reason and --approved-by: accepting findings is a decision someone takes.
    Edit the file afterwards to give entries their own reasons or expiry dates.
    """
    from bimcheck.procurement.baseline import create_baseline, parse_date
    from bimcheck.reporters import refuse_overwriting_inputs
    from bimcheck.reporters.atomic import write_atomic
    from bimcheck.reporters.read import read_json_report

    try:
        day = parse_date(approved_on, "--date") if approved_on else date.today()
        until = parse_date(expires, "--expires") if expires else None
    except ValueError as exc:
        _fail(str(exc))
    if output is not None:
        _guard(lambda: refuse_overwriting_inputs([f"json:{output}"], [report_json]))
        if output.exists() and not force:
            _fail(f"{output}: baseline file exists; --force replaces it (its reasons and approvals are lost)")
    run = _guard(lambda: read_json_report(report_json))
    try:
        text = create_baseline(
            run, reason=reason, approved_by=approved_by, today=day, expires=until, report=str(report_json)
        )
    except ValueError as exc:
        _fail(str(exc))
    if output is None:
        _stdout(text)
    else:
        _guard(lambda: write_atomic(output, text))


@app.command()
def batch(
    inputs: Annotated[list[Path], typer.Argument(help="IFC models, or directories searched for *.ifc.")],
    rules: RulesOption,
    out: Annotated[Path, typer.Option("--out", help="Directory for one report per model and summary.json.")],
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Report format per model; repeatable. Default: json."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Models checked at once. Default: the cores.")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://host:8786): check on that cluster instead."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip models whose reports and inputs are unchanged.")
    ] = False,
    fail_on: FailOnOption = "mandatory",
    param: ParamOption = None,
    only: OnlyOption = None,
    skip: SkipOption = None,
    lang: LangOption = "en",
    bcf_group: BcfGroupOption = False,
    bcf_version: BcfVersionOption = "2.1",
    timeout: TimeoutOption = None,
) -> None:
    """Check many models against the same requirements in parallel: a report per model and a summary.

    Exit code 0: every model passed; 1: some failed; 2: some model could not be checked;
    3: nothing to check; 130: interrupted (finished reports are kept: run again with --resume).
    """
    from bimcheck.rules.loader import load_rules
    from bimcheck.workflows.batch import plan_batch, run_batch, stop_on_sigterm
    from bimcheck.workflows.batch_view import batch_progress, summary_table

    options = _render_options(lang, bcf_group, bcf_version, None, None, fail_on)
    ruleset = _guard(lambda: load_rules(rules, _parameters(param)).select(only or (), skip or ()))
    if not ruleset.requirements:
        _fail("no requirements selected: nothing to check", 3)
    plan = _guard(
        lambda: plan_batch(
            inputs,
            rules,
            ruleset,
            out,
            formats or ["json"],
            fail_on=fail_on,
            options=options,
            timeout=timeout,
        )
    )
    if not plan.tasks:
        _fail(f"no models (*.ifc) found in {', '.join(map(str, inputs))}: nothing to check", 3)
    with stop_on_sigterm(), batch_progress(len(plan.tasks)) as progress:
        summary = _guard(
            lambda: run_batch(plan, ruleset, jobs=jobs, scheduler=scheduler, resume=resume, progress=progress)
        )
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    typer.echo(summary_table(summary, color=_stdout_color(), width=width), nl=False)
    if summary.interrupted:
        done = len(summary.outcomes)
        _fail(f"interrupted after {done} of {len(plan.tasks)} models; --resume checks the rest", 130)
    raise typer.Exit(summary.exit_code)


def _render_options(
    lang: str,
    bcf_group: bool,
    bcf_version: str,
    sign_key: Path | None,
    sign_cert: Path | None,
    fail_on: str,
) -> RenderOptions:
    from bimcheck.reporters import RenderOptions
    from bimcheck.results import FAIL_ON_LEVELS

    if fail_on not in FAIL_ON_LEVELS:
        _fail(f"--fail-on {fail_on!r}: choose from {', '.join(FAIL_ON_LEVELS)}")

    if lang not in ("sv", "en"):
        _fail(f"--lang {lang!r}: choose sv or en")
    if bcf_version not in ("2.1", "3.0"):
        _fail(f"--bcf-version {bcf_version!r}: choose 2.1 or 3.0")
    if (sign_key is None) != (sign_cert is None):
        _fail("--sign-key and --sign-cert go together")
    for path, what in ((sign_key, "private key"), (sign_cert, "certificate")):
        if path is not None and not path.is_file():  # said before the check runs, not after
            _fail(
                f"{path}: {what} file does not exist" if not path.exists() else f"{path}: not a {what} file"
            )
    return RenderOptions(
        color=_stdout_color(),
        lang=lang,
        bcf_group=bcf_group,
        bcf_version=bcf_version,
        sign_key=None if sign_key is None else str(sign_key),
        sign_cert=None if sign_cert is None else str(sign_cert),
        fail_on=fail_on,
    )


def _check_outputs(parse: Callable[[list[str]], object], specs: list[str]) -> None:
    try:
        parse(specs)
    except ValueError as exc:
        _fail(f"--output: {exc}")


def _stdout_color() -> bool:
    """Colour the console report on a terminal, unless NO_COLOR (no-color.org) asks otherwise."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@app.command()
def report(
    run_json: Annotated[Path, typer.Argument(help="A JSON report written by `bimcheck check -o json:...`.")],
    output: Annotated[
        list[str] | None, typer.Option("--output", "-o", help="FORMAT[:PATH]; repeatable. Default: console.")
    ] = None,
    lang: LangOption = "en",
    bcf_group: BcfGroupOption = False,
    bcf_version: BcfVersionOption = "2.1",
    sign_key: SignKeyOption = None,
    sign_cert: SignCertOption = None,
    fail_on: FailOnOption = "mandatory",
) -> None:
    """Re-render reports from a saved JSON report, without the model."""
    from bimcheck.reporters import parse_outputs, refuse_overwriting_inputs, write_outputs
    from bimcheck.reporters.read import read_json_report

    outputs = output or ["console"]
    _check_outputs(parse_outputs, outputs)
    options = _render_options(lang, bcf_group, bcf_version, sign_key, sign_cert, fail_on)
    _guard(lambda: refuse_overwriting_inputs(outputs, [run_json]))
    run = _guard(lambda: read_json_report(run_json))
    _guard(lambda: write_outputs(run, outputs, _stdout, options))


@app.command()
def evaluate(
    tender: Annotated[
        Path, typer.Argument(help="Tender file (YAML): requirement files, evaluation model, bids.")
    ],
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            help="FORMAT[:PATH] with FORMAT console, json, xml or html; repeatable. Default: console.",
        ),
    ] = None,
    lang: LangOption = "en",
    sign_key: SignKeyOption = None,
    sign_cert: SignCertOption = None,
) -> None:
    """Evaluate the bids of a tender: exclude on mandatory requirements, compare, rank.

    Exit code 0: a winner is named and every bid is decided; 1: no winner can be named yet
    (every bid excluded, a tie for first place, or a bid left unresolved); 2: bad input.
    """
    from bimcheck.reporters import refuse_overwriting_inputs
    from bimcheck.reporters.evaluation_outputs import EvaluationOptions, parse_outputs, write_outputs
    from bimcheck.workflows.evaluate import evaluate_tender, evaluation_inputs

    outputs = output or ["console"]
    _check_outputs(parse_outputs, outputs)
    checked = _render_options(lang, False, "2.1", sign_key, sign_cert, "mandatory")
    options = EvaluationOptions(lang=checked.lang, sign_key=checked.sign_key, sign_cert=checked.sign_cert)
    _guard(lambda: refuse_overwriting_inputs(outputs, evaluation_inputs(tender)))
    evaluation = _guard(lambda: evaluate_tender(tender, _progress_printer()))
    _guard(lambda: write_outputs(evaluation, outputs, _stdout, options))
    raise typer.Exit(0 if evaluation.final else 1)


@app.command()
def verify(
    report_xml: Annotated[
        Path, typer.Argument(help="A compliance XML (`check -o xml:...`) or evaluation XML (`evaluate`).")
    ],
    model: Annotated[
        list[Path] | None,
        typer.Option("--model", "-m", help="Model the compliance report was made from; repeatable."),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", "-r", help="Requirement file (.ids, .yaml) or directory; repeatable."),
    ] = None,
    tender: Annotated[
        Path | None,
        typer.Option("--tender", help="Tender file of an evaluation report (instead of -m and -r)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Require that the report used this parameter value: NAME=VALUE."),
    ] = None,
    require_signature: Annotated[
        bool, typer.Option("--require-signature", help="An unsigned report fails verification.")
    ] = False,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            help="PEM certificate the signer's must be (or be issued by); repeatable. "
            "Without it a valid signature proves integrity, not identity.",
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every difference, not the first 50 of each kind.")
    ] = False,
) -> None:
    """Re-run a report's check or evaluation and confirm it, or say precisely what differs.

    A compliance report needs its models (-m) and requirement files (-r); an evaluation report
    its tender file (--tender), which names them.
    Exit code 0: verified; 1: differences found; 2: unreadable or invalid report, missing files.
    """
    from bimcheck.workflows.verify import verify as verify_report

    outcome = _guard(
        lambda: verify_report(
            report_xml,
            model or [],
            rules or [],
            _parameters(param),
            require_signature=require_signature,
            trust=trust or [],
            tender=tender,
        )
    )
    for line in outcome.lines(None if show_all else 50):
        typer.echo(line)
    raise typer.Exit(0 if outcome.verified else 1)


@ids_app.command("audit")
def ids_audit(files: Annotated[list[Path], typer.Argument(help="IDS file(s) to audit.")]) -> None:
    """Report problems in IDS files that the XSD cannot catch, with line numbers.

    Exit code 0: no errors (warnings may be listed); 1: errors found; 2: unreadable file.
    """
    from bimcheck.rules.ids_audit import audit_file

    errors = 0
    for path in files:
        issues: list[Issue] = _guard(partial(audit_file, path))
        for issue in issues:
            typer.echo(issue.render(str(path)))
        errors += sum(1 for i in issues if i.severity == "error")
        if not issues:
            typer.echo(f"{path}: ok")
    raise typer.Exit(1 if errors else 0)


@rules_app.command("list")
def rules_list(rules: RulesOption, param: ParamOption = None) -> None:
    """List the requirements in requirement files."""
    from bimcheck.rules.explain import list_text
    from bimcheck.rules.loader import load_rules

    ruleset: RuleSet = _guard(lambda: load_rules(rules, _parameters(param)))
    typer.echo(list_text(ruleset))


@rules_app.command("explain")
def rules_explain(
    requirement_id: Annotated[str, typer.Argument(help="Requirement id.")],
    rules: RulesOption,
    param: ParamOption = None,
) -> None:
    """Explain one requirement: what it applies to, what it demands, where it comes from."""
    from bimcheck.rules.explain import explain_text
    from bimcheck.rules.loader import load_rules

    ruleset: RuleSet = _guard(lambda: load_rules(rules, _parameters(param)))
    text = explain_text(ruleset, requirement_id)
    if text is None:
        _fail(f"no requirement with id {requirement_id!r} in the given files")
    typer.echo(text)


@rules_app.command("export")
def rules_export(
    rules: RulesOption,
    param: ParamOption = None,
    ids: Annotated[
        Path | None,
        typer.Option("--ids", help="Write the requirements IDS 1.0 can express to this IDS file."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the requirement appendix as self-contained HTML.")
    ] = None,
    md: Annotated[
        Path | None, typer.Option("--md", help="Write the requirement appendix as Markdown.")
    ] = None,
    lang: LangOption = "en",
    author: Annotated[
        str | None,
        typer.Option(help="IDS info author: the e-mail address of who publishes the requirements."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Publication date, YYYY-MM-DD (default: today, UTC).")
    ] = None,
    milestone: Annotated[
        str | None,
        typer.Option(help="IDS info milestone (default: tender documents / förfrågningsunderlag)."),
    ] = None,
) -> None:
    """Publish requirements with the tender documents: IDS 1.0 and a readable requirement appendix.

    Requirements IDS cannot express (measures, relations, key figures, manual ones) are listed
    with the reason, in the IDS and on stderr. Exit code 0: written; 2: bad input or output.
    """
    from bimcheck.procurement.export import load_publication, publish
    from bimcheck.reporters import refuse_paths_overwriting_inputs
    from bimcheck.reporters.atomic import write_atomic

    _guard(lambda: refuse_paths_overwriting_inputs([p for p in (ids, html, md) if p is not None], rules))
    publication = _guard(
        lambda: load_publication(rules, _parameters(param), date=date, author=author, milestone=milestone)
    )
    outputs = _guard(lambda: publish(publication, ids=ids, html=html, markdown=md, lang=lang))
    for target, data in outputs.files:
        _guard(partial(write_atomic, target, data))
    total = len(publication.rules.requirements)
    if outputs.ids is not None:
        typer.echo(
            f"bimcheck: wrote {ids}: {len(outputs.ids.exported)} of {total} requirement(s) as IDS 1.0",
            err=True,
        )
        if outputs.ids.omitted:
            typer.echo(
                f"bimcheck: {len(outputs.ids.omitted)} requirement(s) not in the IDS "
                "(IDS 1.0 cannot express them; the appendix lists them):",
                err=True,
            )
            for omitted in outputs.ids.omitted:
                typer.echo(f"  {omitted.id}: {'; '.join(omitted.reasons)}", err=True)
    for appendix in (html, md):
        if appendix is not None:
            typer.echo(f"bimcheck: wrote {appendix}: requirement appendix, {total} requirement(s)", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bimcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """bimcheck: check IFC models against functional requirements for procurement."""


def main() -> None:
    app()
