"""Report formats; each renders a RunResult and nothing else."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bimcheck.results import RunResult


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Choices a reader makes about a report's form, never about its content."""

    color: bool = False  # terminal formats only, and only on a terminal
    lang: str = "en"  # sv | en, for formats people read
    bcf_group: bool = False  # one BCF topic per requirement instead of per element
    bcf_version: str = "2.1"  # 2.1 | 3.0
    sign_key: str | None = None  # PEM private key: sign the compliance XML (XML-DSig)
    sign_cert: str | None = None  # PEM X.509 certificate that goes with the key
    fail_on: str = "mandatory"  # JUnit: what counts as a failure, as for the exit code (--fail-on)


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: how to render it, the file suffix, and whether it draws floor plans."""

    name: str
    render: Callable[[RunResult, RenderOptions], str | bytes]
    suffix: str
    description: str
    needs_plans: bool = False


def _console(run: RunResult, options: RenderOptions) -> str:
    from bimcheck.reporters.console import render

    return render(run, color=options.color)


def _json(run: RunResult, options: RenderOptions) -> str:
    from bimcheck.reporters.json_report import render

    return render(run)


def _html(run: RunResult, options: RenderOptions) -> str:
    from bimcheck.reporters.html import render

    return render(run, options.lang)


def _bcf(run: RunResult, options: RenderOptions) -> bytes:
    from bimcheck.reporters.bcf_report import render

    return render(run, version=options.bcf_version, group=options.bcf_group, lang=options.lang)


def _junit(run: RunResult, options: RenderOptions) -> str:
    from bimcheck.reporters.junit_report import render

    return render(run, fail_on=options.fail_on)


def _xml(run: RunResult, options: RenderOptions) -> str:
    from bimcheck.reporters.xml_report import render

    return render(run, options.sign_key, options.sign_cert)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("console", _console, ".txt", "readable summary with failing elements"),
        Format("json", _json, ".json", "lossless, versioned machine report"),
        Format("xml", _xml, ".xml", "compliance XML with XSD; verifiable, optionally signed"),
        # BCF asks for plans: the element outlines aim each viewpoint's camera.
        Format("bcf", _bcf, ".bcf", "BCF 2.1/3.0 topics for BIM tools"),
        Format("junit", _junit, ".xml", "JUnit XML for CI: a test case per requirement"),
        Format("html", _html, ".html", "self-contained page with SVG floor plans", needs_plans=True),
    )
}


def register(fmt: Format) -> None:
    """Add a format; refuses a name used twice."""
    if fmt.name in FORMATS:
        raise ValueError(f"report format {fmt.name!r} is registered twice")
    FORMATS[fmt.name] = fmt


def needs_plans(specs: list[str]) -> bool:
    """Whether any requested output draws floor plans (they cost geometry, so ask only then)."""
    return any(parse_output(s)[0].needs_plans for s in specs)


def parse_output(spec: str) -> tuple[Format, str | None]:
    """`FORMAT` or `FORMAT:PATH`; raises ValueError naming the known formats."""
    name, _, path = spec.partition(":")
    fmt = FORMATS.get(name.strip().lower())
    if fmt is None:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(FORMATS)}")
    return fmt, (path or None)


def parse_outputs(specs: list[str]) -> list[tuple[Format, str | None]]:
    """Every output spec, with None as the path of the one that goes to stdout.

    Raises ValueError for an unknown format, or when two outputs would share stdout
    (a console report and a JSON document mixed in one stream are useless to both readers).
    """
    parsed = [parse_output(s) for s in specs]
    parsed = [(fmt, None if path == "-" else path) for fmt, path in parsed]
    to_stdout = [spec for spec, (_, path) in zip(specs, parsed, strict=True) if path is None]
    if len(to_stdout) > 1:
        raise ValueError(f"only one output can go to stdout, got {', '.join(map(repr, to_stdout))}")
    return parsed


def refuse_overwriting_inputs(specs: list[str], inputs: Iterable[str | Path]) -> None:
    """Raise OutputError when an output path is one of the inputs (or inside a rules folder).

    A report written over the model or the requirements it checked would destroy the very
    evidence it is about; nothing is written when any output would.
    """
    refuse_paths_overwriting_inputs([path for _, path in parse_outputs(specs) if path is not None], inputs)


def refuse_paths_overwriting_inputs(paths: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """The same for output paths given as such (e.g. `rules export --ids PATH`)."""
    from bimcheck.errors import OutputError

    protected = [Path(p).resolve() for p in inputs]
    for path in paths:
        target = Path(path).resolve()
        for source in protected:
            if target == source or (source.is_dir() and source in target.parents):
                raise OutputError(path, f"would overwrite an input ({source}); choose another output path")


def write_outputs(
    run: RunResult,
    specs: list[str],
    stdout: Callable[[str | bytes], None],
    options: RenderOptions | None = None,
) -> None:
    """Render every requested output; files are written atomically, the rest goes to `stdout`.

    Colour applies to the output that goes to stdout only: files never get escape codes.
    """
    from dataclasses import replace

    from bimcheck.reporters.atomic import write_atomic

    options = options or RenderOptions()
    parsed = parse_outputs(specs)  # refuse a bad spec before writing anything
    for fmt, path in parsed:
        if path is None:
            stdout(fmt.render(run, options))
        else:
            write_atomic(path, fmt.render(run, replace(options, color=False)))
