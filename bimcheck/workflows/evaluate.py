"""Evaluate a tender: check every bid's models, take off life-cycle cost quantities, compare, rank."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from bimcheck.errors import InputError
from bimcheck.procurement.evaluation import (
    SCHEMA_VERSION,
    BidInput,
    Evaluation,
    TenderInfo,
    amount_text,
    evaluate,
)
from bimcheck.procurement.lcc import Quantity
from bimcheck.procurement.tender import (
    TAKEOFF_PREFIX,
    Bid,
    Tender,
    criteria,
    lcc_spec,
    load_tender,
    model_spec,
    takeoff_requirements,
)
from bimcheck.reporters.evaluation_xml import NAMESPACE, build, schema
from bimcheck.results import KeyFigure, ModelInfo, RequirementResult, RunResult, Status, ToolInfo

if TYPE_CHECKING:
    from bimcheck.engine import Progress
    from bimcheck.workflows.verify import Difference, Verification

_E = f"{{{NAMESPACE}}}"


def evaluate_tender(path: str | Path, progress: Progress | None = None) -> Evaluation:
    """Run the whole evaluation a tender file describes.

    Raises InputError/RuleError (exit 2) for a bad tender file, requirement file or model,
    each naming the file (and the line, for the YAML files).
    """
    from bimcheck.engine import run_check, tool_info, utc_now
    from bimcheck.rules.loader import load_rules

    tender = load_tender(path)
    try:
        rules = load_rules(tender.rule_paths, tender.doc.parameters)
    except InputError as exc:
        if exc.path is not None:  # a requirement file's own problem, named by that file
            raise
        # Parameters no requirement file declares: the tender file's mistake, at its line.
        raise tender.error([(("parameters",), exc.problem)]) from None
    evaluated = criteria(tender, rules)
    takeoff = takeoff_requirements(tender)
    checked = replace(rules, requirements=rules.requirements + takeoff)
    created = utc_now()
    inputs = []
    runs: dict[str, RunResult] = {}
    for bid in tender.bids:
        run = _as_written(tender, run_check(bid.model_paths, checked, progress), created)
        own = tuple(r for r in run.requirements if not r.id.startswith(TAKEOFF_PREFIX))
        runs[bid.doc.id] = replace(run, requirements=own)
        inputs.append(
            BidInput(
                id=bid.doc.id,
                supplier=bid.doc.supplier,
                price=Fraction(bid.doc.price),
                models=run.models,
                results=own,
                declarations=bid.declarations,
                quantities=_quantities(tender, bid, run.requirements),
            )
        )
    sources = tuple(replace(s, path=tender.relative(s.path)) for s in rules.sources)
    return evaluate(
        tender=TenderInfo(
            id=tender.doc.id,
            title=tender.doc.title,
            file=str(tender.path),
            sha256=tender.sha256,
            buyer=tender.doc.buyer,
        ),
        tool=tool_info(),
        created=created,
        model=model_spec(tender),
        criteria=evaluated,
        bids=inputs,
        lcc=lcc_spec(tender),
        parameters=rules.parameters,
        rule_sources=sources,
        runs=runs,
    )


def _as_written(tender: Tender, run: RunResult, created: str) -> RunResult:
    """Paths as the tender file writes them (relative to its folder), so that the evaluation
    reads the same wherever it is run from; one timestamp for the whole evaluation."""

    def source(value: str | None) -> str | None:
        if value is None:
            return None
        file, sep, line = value.rpartition(":")
        return f"{tender.relative(file)}:{line}" if sep and line.isdigit() else value

    return replace(
        run,
        created=created,
        models=tuple(replace(m, path=tender.relative(m.path)) for m in run.models),
        rule_sources=tuple(replace(s, path=tender.relative(s.path)) for s in run.rule_sources),
        requirements=tuple(replace(r, source=source(r.source)) for r in run.requirements),
    )


# --- life-cycle cost quantities -------------------------------------------------------------------


def _quantities(tender: Tender, bid: Bid, results: Sequence[RequirementResult]) -> dict[str, Quantity]:
    lcc = tender.doc.lcc
    if lcc is None:
        return {}
    out = {}
    for c in lcc.components:
        q = c.quantity
        if q.declared is not None:
            out[c.id] = Quantity(Fraction(bid.doc.values[q.declared]), c.unit, "declared by the bidder")
        elif q.select is not None:
            mine = [r for r in results if r.id == f"{TAKEOFF_PREFIX}{c.id}"]
            out[c.id] = _from_figures(mine, c.id, None)
        elif q.key_figure is not None:
            ref = q.key_figure
            mine = [r for r in results if r.id == ref.requirement]
            out[c.id] = _from_figures(mine, ref.figure, ref.group)
    return out


def _from_figures(results: Sequence[RequirementResult], name: str | None, group: str | None) -> Quantity:
    """A quantity from key figures: added up over the bid's models (counts and sums add up)."""
    total = Fraction(0)
    count = 0
    units: set[str] = set()
    sources: set[str] = set()
    for r in results:
        if r.status is Status.ERROR:
            return Quantity(None, message=f"{r.model}: {r.message}")
        found = [k for k in r.key_figures if _matches(k, name, group)]
        if len(found) != 1:
            what = " ".join(p for p in (repr(name) if name else "", f"[{group}]" if group else "") if p)
            names = ", ".join(
                sorted({f"{k.name!r}" + (f" [{k.group}]" if k.group else "") for k in r.key_figures})
            )
            problem = "no key figure" if not found else f"{len(found)} key figures"
            return Quantity(
                None, message=f"{r.model}: {problem} {what} in {r.id} (it has: {names or 'none'})"
            )
        figure = found[0]
        if figure.value is None:
            return Quantity(None, figure.unit, message=f"{r.model}: {figure.message or 'not evaluable'}")
        # Rounded to the 12 digits reports print, so that q × c × F can be redone from the report.
        total += Fraction(f"{figure.value:.12g}")
        count += figure.count
        if figure.unit:
            units.add(figure.unit)
        if figure.source:
            sources.add(figure.source)
    if not results:
        return Quantity(None, message="the requirement was not evaluated")
    return Quantity(total, ", ".join(sorted(units)) or None, "; ".join(sorted(sources)) or None, count)


def _matches(figure: KeyFigure, name: str | None, group: str | None) -> bool:
    return (name is None or figure.name == name) and (figure.group == group)


# --- verification ---------------------------------------------------------------------------------


def verify_evaluation(
    report: Path,
    tender: Path,
    parameters: Mapping[str, str],
    *,
    require_signature: bool = False,
    trust: Sequence[str | Path] = (),
) -> Verification:
    """Re-run the evaluation a report records, from its tender file, and compare.

    Differences are listed by kind: a changed tender file, requirement file or model (by
    SHA-256), an edited report (comparison figures whose terms do not add up, ranks that do
    not match the figures), and results that differ from what the inputs give.
    """
    from bimcheck.reporters import signing
    from bimcheck.workflows import verify as v

    data, root = _read_evaluation(report)
    out = v.Verification(report)
    trusted = [c for t in trust for c in signing.load_certificates(t)]
    content = v._check_signature(data, root, root.get("created", ""), trusted, require_signature, out)
    _check_arithmetic(content, out)
    recorded_tender = content.find(_E + "Tender")
    assert recorded_tender is not None  # the XSD requires it
    actual = v.sha256_of(tender, "tender")
    if actual != recorded_tender.get("sha256"):
        out.differences.append(
            v.Difference(
                "tender",
                str(tender),
                f"SHA-256 is {actual}, the report says {recorded_tender.get('sha256')}: the tender file "
                "(its bids, prices, declarations or settings) is not the one the evaluation was made from",
            )
        )
    recorded_parameters = {
        p.get("name", ""): p.get("value", "") for p in content.iterfind(f"{_E}Parameters/{_E}Parameter")
    }
    v._check_asserted_parameters(recorded_parameters, parameters, out)

    evaluation = evaluate_tender(tender)
    _compare_inputs(content, evaluation, out)
    expected = build(_as_recorded(content, evaluation))
    etree.indent(expected, space="  ")
    if v._c14n(content) != v._c14n(expected):
        found: list[Difference] = []
        for section, kind in _SECTION_KIND.items():
            a, b = content.find(_E + section), expected.find(_E + section)
            if a is not None and b is not None:
                v._diff(a, b, "", kind, found)
            elif (a is None) != (b is None):
                where = "life-cycle cost" if section == "LifeCycleCost" else section
                problem = "in the report, but the inputs do not produce it" if b is None else v._MISSING
                found.append(v.Difference(kind, where, problem))
        if not found:
            found.append(
                v.Difference(
                    "report",
                    "text",
                    "the content matches, but the report is not in canonical form "
                    "(whitespace or comments were edited)",
                )
            )
        out.differences.extend(found)
    tool = content.find(_E + "Tool")
    assert tool is not None
    v._judge(
        ToolInfo(
            name=tool.get("name", ""),
            version=tool.get("version", ""),
            ifcopenshell=tool.get("ifcopenshell", ""),
            python=tool.get("python", ""),
        ),
        evaluation.tool,
        out,
    )
    return out


# Which kind of difference each section of the report gives.
_SECTION_KIND = {
    "Tender": "tender",
    "Parameters": "parameters",
    "RuleSources": "rules",
    "EvaluationModel": "result",
    "LifeCycleCost": "result",
    "Criteria": "result",
    "Bids": "result",
    "Ranking": "result",
}


def _read_evaluation(path: Path) -> tuple[bytes, etree._Element]:
    """The report's bytes and tree: safely parsed, of a version this bimcheck reads, valid."""
    from bimcheck.rules.ids import parse_xml

    root = parse_xml(path, "report").getroot()
    namespace = etree.QName(root).namespace or ""
    if namespace != NAMESPACE:
        version = namespace.rsplit(":", 1)[-1]
        raise InputError(
            path, f"evaluation report version {version} is not supported: this bimcheck reads 1.x"
        )
    said = root.get("schemaVersion", "")
    minor = said.partition(".")[2]
    if minor.isdigit() and int(minor) > int(SCHEMA_VERSION.partition(".")[2]):
        raise InputError(
            path,
            f"schemaVersion {said} is newer than this bimcheck reads ({SCHEMA_VERSION}): update bimcheck",
        )
    try:
        schema().assertValid(root)
    except etree.DocumentInvalid as exc:
        problem = " ".join(str(exc).split())
        raise InputError(path, f"not a valid bimcheck evaluation report: {problem}") from None
    return path.read_bytes(), root


def _compare_inputs(content: etree._Element, evaluation: Evaluation, out: Verification) -> None:
    """Requirement files and models by SHA-256: the report's against what the tender names now."""
    from bimcheck.workflows.verify import Difference

    recorded_rules = {
        s.get("path"): s.get("sha256") for s in content.iterfind(f"{_E}RuleSources/{_E}RuleSource")
    }
    for s in evaluation.rule_sources:
        said = recorded_rules.pop(s.path, None)
        if said is None:
            out.differences.append(
                Difference("rules", s.path, "named by the tender file, but not in the report")
            )
        elif said != s.sha256:
            out.differences.append(
                Difference(
                    "rules",
                    s.path,
                    f"SHA-256 is {s.sha256}, the report says {said}: the requirement file has been changed",
                )
            )
    for path in recorded_rules:
        out.differences.append(
            Difference("rules", str(path), "in the report, but the tender file no longer names it")
        )
    recorded_models = {
        (bid.get("id"), m.get("path")): m.get("sha256")
        for bid in content.iterfind(f"{_E}Bids/{_E}Bid")
        for m in bid.iterfind(f"{_E}Models/{_E}Model")
    }
    for b in evaluation.bids:
        for m in b.models:
            said = recorded_models.pop((b.id, m.path), None)
            where = f"bid {b.id}: {m.path}"
            if said is None:
                out.differences.append(
                    Difference("model", where, "named by the tender file, but not in the report")
                )
            elif said != m.sha256:
                out.differences.append(
                    Difference(
                        "model",
                        where,
                        f"SHA-256 is {m.sha256}, the report says {said}: "
                        "the model is not the one the evaluation was made from",
                    )
                )
    for bid_id, path in recorded_models:
        out.differences.append(
            Difference(
                "model", f"bid {bid_id}: {path}", "in the report, but the tender file no longer names it"
            )
        )


def _as_recorded(content: etree._Element, evaluation: Evaluation) -> Evaluation:
    """The re-run with the report's own identity (time, tool, paths, hashes): those were compared
    on their own, with their own messages, and must not show up again as result differences."""
    tool = content.find(_E + "Tool")
    tender = content.find(_E + "Tender")
    assert tool is not None
    assert tender is not None
    rules = {s.get("path"): s.get("sha256") for s in content.iterfind(f"{_E}RuleSources/{_E}RuleSource")}
    models = {
        (bid.get("id"), m.get("path")): (m.get("sha256"), m.get("size"))
        for bid in content.iterfind(f"{_E}Bids/{_E}Bid")
        for m in bid.iterfind(f"{_E}Models/{_E}Model")
    }

    def model(bid: str, m: ModelInfo) -> ModelInfo:
        sha, size = models.get((bid, m.path), (None, None))
        if sha is None or size is None:
            return m
        return replace(m, sha256=sha, size=int(size))

    return replace(
        evaluation,
        created=content.get("created", ""),
        tool=ToolInfo(
            name=tool.get("name", ""),
            version=tool.get("version", ""),
            ifcopenshell=tool.get("ifcopenshell", ""),
            python=tool.get("python", ""),
        ),
        tender=replace(
            evaluation.tender,
            file=tender.get("file", ""),
            sha256=tender.get("sha256", evaluation.tender.sha256),
        ),
        rule_sources=tuple(replace(s, sha256=rules.get(s.path) or s.sha256) for s in evaluation.rule_sources),
        bids=tuple(replace(b, models=tuple(model(b.id, m) for m in b.models)) for b in evaluation.bids),
    )


def _close(a: float, b: float) -> bool:
    # The report's numbers are rounded to 12 significant digits; their sums may differ in the last.
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _check_arithmetic(root: etree._Element, out: Verification) -> None:
    """Figures whose terms do not add up, LCC totals, and ranks that disagree with the figures."""
    from bimcheck.workflows.verify import Difference

    figures: dict[str, float] = {}
    for bid in root.iterfind(f"{_E}Bids/{_E}Bid"):
        label = f"bid {bid.get('id')}"
        figure = bid.find(_E + "ComparisonFigure")
        if figure is not None:
            value = float(figure.get("value", "nan"))
            figures[bid.get("id", "")] = value
            terms = sum(float(t.get("value", "nan")) for t in figure.iterfind(_E + "Term"))
            if not _close(value, terms):
                out.differences.append(
                    Difference(
                        "report",
                        f"{label} › comparison figure",
                        f"says {figure.get('value')}, but its terms add up to "
                        f"{amount_text(Fraction(terms))}: the report was edited",
                    )
                )
        lcc = bid.find(_E + "LifeCycleCost")
        if lcc is not None and lcc.get("total") is not None:
            parts = [float(c.get("presentValue", "nan")) for c in lcc.iterfind(_E + "Component")]
            if not _close(float(lcc.get("total", "nan")), sum(parts)):
                out.differences.append(
                    Difference(
                        "report",
                        f"{label} › life-cycle cost",
                        f"total says {lcc.get('total')}, but its components add up to "
                        f"{amount_text(Fraction(sum(parts)))}: the report was edited",
                    )
                )
            for c in lcc.iterfind(_E + "Component"):
                if c.get("quantity") is None or c.get("presentValue") is None:
                    continue
                product = (
                    float(c.get("quantity", "nan"))
                    * float(c.get("unitCost", "nan"))
                    * float(c.get("factor", "nan"))
                )
                if not _close(product, float(c.get("presentValue", "nan"))):
                    out.differences.append(
                        Difference(
                            "report",
                            f"{label} › LCC component {c.get('id')}",
                            f"present value says {c.get('presentValue')}, but quantity × unit cost × "
                            f"factor is {amount_text(Fraction(product))}: the report was edited",
                        )
                    )
    for rank in root.iterfind(f"{_E}Ranking/{_E}Rank"):
        bid_id = rank.get("bid", "")
        if bid_id in figures and not _close(float(rank.get("value", "nan")), figures[bid_id]):
            out.differences.append(
                Difference(
                    "report",
                    f"rank of bid {bid_id}",
                    f"value says {rank.get('value')}, but the bid's comparison figure is "
                    f"{amount_text(Fraction(figures[bid_id]))}: the report was edited",
                )
            )


def evaluation_inputs(path: str | Path) -> list[Path]:
    """Every file an evaluation reads (tender, requirement files, models): outputs must not replace them."""
    tender = load_tender(path)
    return [tender.path, *tender.rule_paths, *(p for bid in tender.bids for p in bid.model_paths)]
