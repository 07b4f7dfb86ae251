"""Evaluation HTML: one self-contained page comparing the bids, in Swedish or English."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import jinja2

from bimcheck.procurement.evaluation import (
    LOWER_WINS,
    BidResult,
    BidStatus,
    Criterion,
    Evaluation,
    Outcome,
    amount_text,
)
from bimcheck.procurement.lcc import FORMULA as LCC_FORMULA

LANGUAGES = ("sv", "en")

# Interface strings; requirement titles, messages and formulas stay as written. Every key must
# exist in both languages (tests/test_evaluation.py checks it).
STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Anbudsutvärdering",
        "subtitle": "Utvärdering av anbudens modeller mot ska-krav och bör-krav",
        "tender": "Upphandling",
        "buyer": "Upphandlande organisation",
        "created": "Utvärderad",
        "tool": "Verktyg",
        "result": "Resultat",
        "winner": "Vinnande anbud",
        "no_winner": "Inget vinnande anbud kan utses",
        "final": "Slutligt: alla anbud är avgjorda.",
        "provisional": "Preliminärt: se anteckningarna nedan.",
        "notes": "Att göra",
        "ranking": "Rangordning och jämförelsetal",
        "rank": "Plats",
        "bid": "Anbud",
        "supplier": "Anbudsgivare",
        "status": "Status",
        "price": "Anbudspris",
        "lcc": "LCC (nuvärde)",
        "cost": "Pris + LCC",
        "figure": "Jämförelsetal",
        "tie": "delad placering",
        "lower_wins": "Lägst jämförelsetal vinner.",
        "higher_wins": "Högst poäng vinner.",
        "chart": "Jämförelsetal per anbud",
        "chart_deductions": "ljus stapel: pris (+ LCC); mörk: efter avdrag",
        "chart_points": "mörk: prispoäng; ljus: kvalitetspoäng",
        "chart_quality": "kvalitetspoäng",
        "matrix": "Jämförelsematris",
        "matrix_intro": (
            "Ska-krav först, därefter bör-krav. Varje cell visar kravets utfall i anbudets modell(er)."
        ),
        "requirement": "Krav",
        "worth": "Värde",
        "kind_mandatory": "ska-krav",
        "kind_scored": "bör-krav",
        "manual": "manuell",
        "v_met": "uppfyllt",
        "v_declared": "intygat",
        "v_not_met": "ej uppfyllt",
        "v_not_shown": "ej visat",
        "v_unresolved": "oavgjort",
        "b_admitted": "godkänt",
        "b_unresolved": "oavgjort",
        "b_excluded": "förkastat",
        "credit": "tillgodoräknas",
        "failing": "element",
        "evidence": "Bevis",
        "reasons": "Skäl per anbud",
        "reasons_intro": (
            "Skäl för att förkasta anbud, för oavgjorda anbud och intyg som ska kontrolleras (LOU 12 kap.)."
        ),
        "e_excludes": "förkastar",
        "e_unresolved": "oavgjort",
        "e_verify": "kontrollera",
        "examples": "Exempel (GlobalId)",
        "reason": "Skäl",
        "no_reasons": "Inga skäl att anteckna.",
        "arithmetic": "Jämförelsetalens beräkning",
        "term": "Term",
        "formula": "Beräkning",
        "value": "Värde",
        "sum": "Summa",
        "t_price": "anbudspris",
        "t_life_cycle_cost": "livscykelkostnad",
        "t_deduction": "avdrag",
        "t_price_points": "prispoäng (viktad)",
        "t_quality_points": "kvalitetspoäng (viktad)",
        "not_ranked": "ej rangordnat",
        "lcc_title": "Livscykelkostnad",
        "discount_rate": "Kalkylränta",
        "period": "Kalkylperiod (år)",
        "add_to_price": "Läggs till priset",
        "component": "Post",
        "basis": "Mängd från",
        "lifetime": "Livslängd (år)",
        "annual": "årlig",
        "years": "År",
        "factor": "Nuvärdesfaktor",
        "quantity": "Mängd",
        "unit_cost": "À-pris",
        "present_value": "Nuvärde",
        "total": "Totalt",
        "unknown": "okänd",
        "key_figures": "Nyckeltal",
        "key_figure": "Nyckeltal",
        "group": "Grupp",
        "inputs": "Underlag",
        "tender_file": "Upphandlingsfil",
        "rule_files": "Kravfiler",
        "path": "Sökväg",
        "sha256": "SHA-256",
        "parameters": "Parametrar",
        "parameter": "Parameter",
        "models": "Modeller",
        "model": "Modell",
        "size": "Storlek (byte)",
        "evaluation_model": "Utvärderingsmodell",
        "m_price_minus_deductions": "Pris minus mervärdesavdrag",
        "m_weighted_points": "Viktade poäng (pris och kvalitet)",
        "m_fixed_budget": "Fast budget, bästa kvalitet",
        "settings": "Inställningar",
        "value_source": "Värde satt av",
        "yes": "ja",
        "no": "nej",
        "none": "–",
    },
    "en": {
        "title": "Tender evaluation",
        "subtitle": "Evaluation of the bids' models against mandatory and scored requirements",
        "tender": "Tender",
        "buyer": "Buyer",
        "created": "Evaluated",
        "tool": "Tool",
        "result": "Result",
        "winner": "Winning bid",
        "no_winner": "No winning bid can be named",
        "final": "Final: every bid is decided.",
        "provisional": "Provisional: see the notes below.",
        "notes": "To do",
        "ranking": "Ranking and comparison figures",
        "rank": "Rank",
        "bid": "Bid",
        "supplier": "Supplier",
        "status": "Status",
        "price": "Bid price",
        "lcc": "LCC (present value)",
        "cost": "Price + LCC",
        "figure": "Comparison figure",
        "tie": "tie",
        "lower_wins": "The lowest comparison figure wins.",
        "higher_wins": "The most points win.",
        "chart": "Comparison figure per bid",
        "chart_deductions": "light bar: price (+ LCC); dark: after deductions",
        "chart_points": "dark: price points; light: quality points",
        "chart_quality": "quality points",
        "matrix": "Comparison matrix",
        "matrix_intro": (
            "Mandatory requirements first, then scored ones. "
            "Each cell shows the outcome on the bid's model(s)."
        ),
        "requirement": "Requirement",
        "worth": "Worth",
        "kind_mandatory": "mandatory",
        "kind_scored": "scored",
        "manual": "manual",
        "v_met": "met",
        "v_declared": "declared",
        "v_not_met": "not met",
        "v_not_shown": "not shown",
        "v_unresolved": "unresolved",
        "b_admitted": "admitted",
        "b_unresolved": "unresolved",
        "b_excluded": "excluded",
        "credit": "credited",
        "failing": "elements",
        "evidence": "Evidence",
        "reasons": "Reasons per bid",
        "reasons_intro": (
            "Why bids are excluded or unresolved, and which declarations to verify (LOU 12 kap)."
        ),
        "e_excludes": "excludes",
        "e_unresolved": "unresolved",
        "e_verify": "verify",
        "examples": "Examples (GlobalId)",
        "reason": "Reason",
        "no_reasons": "Nothing to note.",
        "arithmetic": "Arithmetic of the comparison figures",
        "term": "Term",
        "formula": "Arithmetic",
        "value": "Value",
        "sum": "Sum",
        "t_price": "bid price",
        "t_life_cycle_cost": "life-cycle cost",
        "t_deduction": "deduction",
        "t_price_points": "price points (weighted)",
        "t_quality_points": "quality points (weighted)",
        "not_ranked": "not ranked",
        "lcc_title": "Life-cycle cost",
        "discount_rate": "Discount rate",
        "period": "Analysis period (years)",
        "add_to_price": "Added to the price",
        "component": "Component",
        "basis": "Quantity from",
        "lifetime": "Lifetime (years)",
        "annual": "yearly",
        "years": "Years",
        "factor": "Present-value factor",
        "quantity": "Quantity",
        "unit_cost": "Unit cost",
        "present_value": "Present value",
        "total": "Total",
        "unknown": "unknown",
        "key_figures": "Key figures",
        "key_figure": "Key figure",
        "group": "Group",
        "inputs": "Inputs",
        "tender_file": "Tender file",
        "rule_files": "Requirement files",
        "path": "Path",
        "sha256": "SHA-256",
        "parameters": "Parameters",
        "parameter": "Parameter",
        "models": "Models",
        "model": "Model",
        "size": "Size (bytes)",
        "evaluation_model": "Evaluation model",
        "m_price_minus_deductions": "Price minus value deductions",
        "m_weighted_points": "Weighted points (price and quality)",
        "m_fixed_budget": "Fixed budget, best quality",
        "settings": "Settings",
        "value_source": "Value set by",
        "yes": "yes",
        "no": "no",
        "none": "–",
    },
}


class Formatter:
    """Numbers as a reader of the language expects them; money and points to two decimals."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def _local(self, text: str) -> str:
        if self.lang == "sv":
            return text.replace(",", "\u00a0").replace(".", ",")
        return text

    def money(self, value: Fraction | None) -> str:
        if value is None:
            return "–"
        if value.denominator == 1:
            return self._local(f"{value.numerator:,}")
        return self._local(f"{float(value):,.2f}")

    def number(self, value: Fraction | float | None) -> str:
        if value is None:
            return "–"
        f = float(value)
        text = f"{f:,.3f}".rstrip("0").rstrip(".") if f != int(f) else f"{int(f):,}"
        return self._local("0" if text in ("-0", "") else text)

    def exact(self, value: Fraction) -> str:
        """All 12 significant digits (factors, rates): what the XML holds."""
        return self._local(amount_text(value))


@dataclass(frozen=True, slots=True)
class Cell:
    """One requirement on one bid in the matrix."""

    outcome: Outcome | None
    tip: str


@dataclass(frozen=True, slots=True)
class Row:
    criterion: Criterion
    worth: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Bar:
    """One bid's bars in the chart, in SVG user units."""

    bid: BidResult
    y: int
    back: float  # width of the light bar (price + LCC, or the whole total)
    front: float  # width of the dark bar (the figure, or price points)
    label: str


def _rows(e: Evaluation, fmt: Formatter, t: dict[str, str]) -> list[Row]:
    rows = []
    for c in (*e.mandatory, *e.scored):
        if c.value is None:
            worth = ""
        elif e.model.name == "price_minus_deductions":
            worth = f"{fmt.money(c.value)} SEK"
        else:
            worth = fmt.number(c.value)
        cells = []
        for b in e.bids:
            o = b.outcome(c.id)
            tip = ""
            if o is not None:
                parts = [f"{o.status.value}", o.message or ""]
                if o.declaration is not None:
                    parts.append(f"{t['evidence']}: {o.declaration.evidence}")
                if o.examples:
                    parts.append(", ".join(o.examples))
                tip = " · ".join(p for p in parts if p)
            cells.append(Cell(o, tip))
        rows.append(Row(c, worth, tuple(cells)))
    return rows


def _bars(e: Evaluation, fmt: Formatter) -> tuple[list[Bar], int]:
    """Horizontal bars of the ranked bids, scaled to the largest; the chart's height."""
    width = 520.0
    ranked = list(e.ranking)
    bars = []
    if e.model.name == "price_minus_deductions":
        top = max((b.cost or Fraction(0) for b in ranked), default=Fraction(0))
        for i, b in enumerate(ranked):
            assert b.figure is not None
            back = float((b.cost or 0) / top) * width if top > 0 else 0.0
            front = float(max(b.figure.value, Fraction(0)) / top) * width if top > 0 else 0.0
            bars.append(Bar(b, 10 + 30 * i, back, front, f"{fmt.money(b.figure.value)} SEK"))
    else:
        top = max((b.figure.value for b in ranked if b.figure is not None), default=Fraction(0))
        for i, b in enumerate(ranked):
            assert b.figure is not None
            price = sum((t.value for t in b.figure.terms if t.name == "price_points"), Fraction(0))
            back = float(b.figure.value / top) * width if top > 0 else 0.0
            front = float(price / top) * width if top > 0 else 0.0
            bars.append(Bar(b, 10 + 30 * i, back, front, fmt.number(b.figure.value)))
    return bars, 20 + 30 * max(len(ranked), 1)


def _key_figures(e: Evaluation) -> list[tuple[str, str, str | None, str | None, list[float | None]]]:
    """(requirement, figure, group, unit, value per bid) for every key figure any bid has."""
    seen: dict[tuple[str, str, str | None], str | None] = {}
    for b in e.bids:
        for o in b.outcomes:
            for k in o.key_figures:
                seen.setdefault((o.requirement, k.name, k.group), k.unit)
    out = []
    for (rid, name, group), unit in seen.items():
        values: list[float | None] = []
        for b in e.bids:
            outcome = b.outcome(rid)
            figures = outcome.key_figures if outcome else ()
            found = [k for k in figures if k.name == name and k.group == group]
            values.append(found[0].value if len(found) == 1 else None)
        out.append((rid, name, group, unit, values))
    return out


def render(evaluation: Evaluation, lang: str = "en") -> str:
    """The evaluation as one HTML document; the same evaluation and language give the same text."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; choose from {', '.join(LANGUAGES)}")
    t = STRINGS[lang]
    fmt = Formatter(lang)
    bars, chart_height = _bars(evaluation, fmt)
    template = _environment().get_template("evaluation.html.j2")
    return template.render(
        e=evaluation,
        t=t,
        lang=lang,
        fmt=fmt,
        rows=_rows(evaluation, fmt, t),
        bars=bars,
        chart_height=chart_height,
        key_figures=_key_figures(evaluation),
        lower_wins=LOWER_WINS[evaluation.model.name],
        lcc_formula=LCC_FORMULA,
        excluded=BidStatus.EXCLUDED,
        winner=next((b for b in evaluation.bids if b.id == evaluation.winner), None),
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bimcheck.reporters.html", "templates"),
        autoescape=True,  # every string from a tender, rule file or model is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
