"""HTML report: one self-contained page (inline CSS, JS and SVG floor plans) in Swedish or English."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

from bimcheck.reporters.html.strings import LANGUAGES, STRINGS
from bimcheck.reporters.html.view import Formatter, build
from bimcheck.results import RunResult


def render(run: RunResult, lang: str = "en") -> str:
    """The report as one HTML document; the same run and language always give the same text."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; choose from {', '.join(LANGUAGES)}")
    t = STRINGS[lang]
    view = build(run, lang, t)
    template = _environment().get_template("report.html.j2")
    return template.render(
        view=view,
        run=run,
        t=t,
        number=Formatter(lang, t).number,
        css=_static("report.css"),
        js=_static("report.js"),
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bimcheck.reporters.html", "templates"),
        autoescape=True,  # every string from a model or rule file is text, never markup
        undefined=jinja2.StrictUndefined,  # a misspelt key fails the tests instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _static(name: str) -> Markup:
    # Our own files, inlined as they are: the report must not fetch anything.
    return Markup(files("bimcheck.reporters.html").joinpath("static", name).read_text(encoding="utf-8"))
