"""The HTML report in headless Chromium: no errors or requests; plans, filter, collapse, languages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bimcheck.reporters.html import render
from bimcheck.results import RunResult
from tests.conftest import SHARED_MODELS, require_shared

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Debian's Chromium: playwright's own browser download cannot be fetched here (see .ci/run).
CHROMIUM = Path(os.environ.get("BIMCHECK_CHROMIUM", "/usr/bin/chromium"))
# As root Chromium needs --no-sandbox; without the background-networking flags it tries to reach
# Google's hosts at every start, and this machine's closed network refuses them loudly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_RULES = ("requirements/se-housing-information.yaml", "samples/demo-house.ids")
NO_AREA = "0voT7VAVCZYtzaCWIiktpd"  # space 1102-04, exported without NetFloorArea


def _chromium_or_skip() -> None:
    """In CI the browser test must run; elsewhere it may skip, saying what is missing."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium, as .ci/run does)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (pip install -e '.[dev]')"
    if missing is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the browser test cannot run: {missing}")
    pytest.skip(f"browser test skipped outside CI: {missing}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def demo_run() -> RunResult:
    from bimcheck.engine import run_check
    from bimcheck.rules.loader import load_rules

    return run_check(
        [ROOT / "samples/demo-house.ifc"], load_rules([ROOT / r for r in DEMO_RULES]), plans=True
    )


@pytest.fixture(scope="module")
def reports(demo_run: RunResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    out = {}
    for lang in ("sv", "en"):
        path = folder / f"demo-house.{lang}.html"
        path.write_text(render(demo_run, lang), encoding="utf-8")
        out[lang] = path
    return out


@dataclass
class Opened:
    """A report open in a page, with everything the page reported while it was open."""

    page: Page
    url: str
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.problems == []
        # The page itself is the only thing loaded: no CDN, font, image or beacon.
        assert self.requests == [self.url]


@pytest.fixture
def open_report(browser: Browser) -> Iterator[Any]:
    contexts = []

    def opener(path: Path) -> Opened:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page, path.as_uri())
        page.on(
            "console",
            lambda m: (
                opened.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: opened.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: opened.problems.append(f"request failed: {r.url}"))
        page.on("request", lambda r: opened.requests.append(r.url))
        page.goto(opened.url, wait_until="load")
        return opened

    yield opener
    for context in contexts:
        context.close()


def _screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    print(f"\nscreenshot: {path}")
    return path


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_demo_report_opens_without_errors_or_requests(
    open_report: Any, reports: dict[str, Path], demo_run: RunResult, lang: str
) -> None:
    opened = open_report(reports[lang])
    page = opened.page
    assert page.locator("details.req").count() == len(demo_run.requirements)
    page.locator("section.model svg.plan").first.scroll_into_view_if_needed()
    shot = _screenshot(page, f"html-report-demo-{lang}.png")
    assert shot.stat().st_size > 10_000
    _screenshot(page, f"html-report-demo-{lang}-plan.png", full_page=False)
    opened.assert_clean()


def test_floor_plans_show_and_label_the_failing_elements(
    open_report: Any, reports: dict[str, Path], demo_run: RunResult
) -> None:
    opened = open_report(reports["en"])
    page = opened.page
    assert page.locator("svg.plan").count() == len(demo_run.plans) == 3  # Plan 1-3
    flagged = page.locator("svg.plan .s.flag:not(.st-manual)")
    gids = set(flagged.evaluate_all("els => els.map(e => e.getAttribute('data-gid'))"))
    # Every element with a finding that has an outline is highlighted, and nothing else.
    drawn = {i.global_id for p in demo_run.plans for i in p.items}
    bad = ("fail", "not_evaluable", "error")
    failing = {e.global_id for r in demo_run.requirements for e in r.elements if e.status.value in bad}
    assert gids == failing & drawn
    assert NO_AREA in gids
    assert page.locator(f'svg.plan .s.flag.st-fail[data-gid="{NO_AREA}"]').count() == 1
    # The highlighted shape is really painted: it has a size on screen, and so has its label.
    shape = page.locator(f'svg.plan .s.flag[data-gid="{NO_AREA}"]')
    box = shape.bounding_box()
    assert box is not None
    assert box["width"] > 20
    assert box["height"] > 20
    label = page.locator("svg.plan .lbl text", has_text="1102-04")
    assert label.count() == 1
    assert label.bounding_box() is not None
    # Hovering shows the native tooltip: the element's id and its finding.
    tooltip = shape.locator("title").text_content() or ""
    assert NO_AREA in tooltip
    assert "SE-SPACE-03: does not meet" in tooltip
    opened.assert_clean()


def test_the_filter_shows_only_rows_of_the_typed_global_id(
    open_report: Any, reports: dict[str, Path]
) -> None:
    from playwright.sync_api import expect

    opened = open_report(reports["en"])
    page = opened.page
    rows = page.locator("tbody.el")
    total = rows.count()
    page.fill("#filter", NO_AREA)
    expect(page.locator("#filter-status")).to_contain_text("rows match")
    visible = page.locator("tbody.el:not([hidden])")
    gids = visible.evaluate_all("els => els.map(e => e.getAttribute('data-gid'))")
    assert len(gids) >= 2  # SE-SPACE-03 and SE-IDS-01 fail on it, other requirements pass it
    assert set(gids) == {NO_AREA}
    assert page.locator("tbody.el[hidden]").count() == total - len(gids)
    # Sections with a match are open, the rest are closed.
    assert page.locator(f'details.req:has(tbody[data-gid="{NO_AREA}"])').evaluate_all(
        "els => els.every(e => e.open)"
    )
    assert (
        page.locator("details.req[open]").count()
        == page.locator(f'details.req:has(tbody[data-gid="{NO_AREA}"])').count()
    )
    visible.first.scroll_into_view_if_needed()
    _screenshot(page, "html-report-demo-filtered.png", full_page=False)
    page.click("#filter-clear")
    expect(page.locator("tbody.el[hidden]")).to_have_count(0)
    # Every word must match, case-insensitively: here a class and a translated status.
    page.fill("#filter", "IfcWindow NOT MET")
    expect(page.locator("#filter-status")).to_contain_text("rows match")
    texts = page.locator("tbody.el:not([hidden])").evaluate_all(
        "els => els.map(e => e.getAttribute('data-s'))"
    )
    assert texts
    assert all(t.startswith("03ls90krpr0wsxicdo9aun ifcwindow") and " fail " in t for t in texts)
    opened.assert_clean()


def test_sections_collapse_and_expand(open_report: Any, reports: dict[str, Path]) -> None:
    opened = open_report(reports["en"])
    page = opened.page
    section = page.locator("details.req").first
    row = section.locator("tbody.el").first
    assert section.evaluate("e => e.open")
    assert row.is_visible()
    section.locator("summary").click()
    assert not section.evaluate("e => e.open")
    assert not row.is_visible()
    section.locator("summary").click()
    assert row.is_visible()
    page.click("#collapse-all")
    assert page.locator("details[open]").count() == 0
    page.click("#expand-all")
    assert page.locator("details.req:not([open])").count() == 0
    opened.assert_clean()


def test_a_row_selects_its_element_on_the_plan_and_back(open_report: Any, reports: dict[str, Path]) -> None:
    from playwright.sync_api import expect

    opened = open_report(reports["en"])
    page = opened.page
    page.locator(f'tbody.el[data-gid="{NO_AREA}"]').first.locator("td.gid").click()
    shape = page.locator(f'svg.plan .s[data-gid="{NO_AREA}"]')
    expect(shape).to_have_class("s l-space flag st-fail sel")
    expect(page.locator("#info")).to_be_visible()
    expect(page.locator("#info-text")).to_contain_text(NO_AREA)
    expect(page.locator("#info-text")).to_contain_text("SE-SPACE-03")
    _screenshot(page, "html-report-demo-selected.png", full_page=False)
    # And back: a click on another failing element on the plan marks its rows.
    page.click("#info-close")
    expect(page.locator(".sel")).to_have_count(0)
    wall = "330Jy5hKN$AMZTl5hlhZ7w"
    page.locator(f'svg.plan .s[data-gid="{wall}"] path').dispatch_event("click")
    expect(page.locator(f'tbody.el.sel[data-gid="{wall}"]').first).to_be_attached()
    assert (
        page.locator("tbody.el.sel").evaluate_all("els => els.map(e => e.getAttribute('data-gid'))")
        == [wall] * page.locator(f'tbody.el[data-gid="{wall}"]').count()
    )
    page.click("#info-tables")
    expect(page.locator("#filter")).to_have_value(wall)
    expect(page.locator("tbody.el:not([hidden])")).to_have_count(
        page.locator(f'tbody.el[data-gid="{wall}"]').count()
    )
    opened.assert_clean()


def test_the_language_changes_interface_strings(open_report: Any, reports: dict[str, Path]) -> None:
    seen = {}
    for lang in ("sv", "en"):
        opened = open_report(reports[lang])
        page = opened.page
        seen[lang] = {
            "lang": page.locator("html").get_attribute("lang"),
            "h1": page.locator("h1").inner_text(),
            "filter": page.locator("label[for=filter]").inner_text(),
            "placeholder": page.locator("#filter").get_attribute("placeholder"),
            "status": page.locator("table.summary tbody tr").first.locator("td").first.inner_text(),
            "titles": page.locator("details.req .rtitle").all_inner_texts(),
        }
        opened.assert_clean()
    assert seen["sv"]["lang"] == "sv"
    assert seen["en"]["lang"] == "en"
    assert (seen["sv"]["h1"], seen["en"]["h1"]) == ("Kontrollrapport", "Compliance report")
    assert (seen["sv"]["filter"], seen["en"]["filter"]) == ("Filtrera rader", "Filter rows")
    assert seen["sv"]["placeholder"] != seen["en"]["placeholder"]
    assert (seen["sv"]["status"], seen["en"]["status"]) == ("Ej uppfyllt", "Not met")
    # Requirement texts are shown as written in both.
    assert seen["sv"]["titles"] == seen["en"]["titles"]


def test_a_shared_model_checked_against_an_ids(open_report: Any, tmp_path: Path, shared_models: Path) -> None:
    from bimcheck.engine import run_check
    from bimcheck.rules.loader import load_rules

    model = require_shared(SHARED_MODELS / "AC20-FZK-Haus.ifc")
    rules = load_rules([ROOT / "tests/data/ids/spaces.ids", ROOT / "tests/data/ids/doors_windows.ids"])
    run = run_check([model], rules, plans=True)
    path = tmp_path / "fzk-haus.html"
    path.write_text(render(run, "sv"), encoding="utf-8")
    opened = open_report(path)
    page = opened.page
    assert page.locator("svg.plan").count() == 2  # Erdgeschoss, Dachgeschoss
    assert page.locator("svg.plan .s.flag").count() > 10
    assert page.locator("svg.plan .lbl text").count() > 10
    page.locator("svg.plan").first.scroll_into_view_if_needed()
    _screenshot(page, "html-report-fzk-haus-plan.png", full_page=False)
    opened.assert_clean()
