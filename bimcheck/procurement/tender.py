"""Tender files (YAML): requirement sets, evaluation model, life-cycle cost and bids, checked up front."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bimcheck.errors import RuleError
from bimcheck.procurement.evaluation import (
    FIXED_BUDGET,
    PRICE_MINUS_DEDUCTIONS,
    WEIGHTED_POINTS,
    Criterion,
    Declaration,
    ModelSpec,
)
from bimcheck.procurement.lcc import ANNUAL, REINVESTMENT, ComponentSpec, LccSpec
from bimcheck.results import Kind
from bimcheck.rules.requirement import Requirement, RuleSet
from bimcheck.rules.yaml_reader import Loc, Source, located_error, read_document, validate_document
from bimcheck.rules.yaml_schema import (
    MeasureName,
    MeasureSource,
    ParameterName,
    RequirementId,
    Text,
    ValueText,
)

FORMAT_KEY = "bimcheck-tender"
FORMAT_VERSION = 1

_BID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_IFC_CLASS = re.compile(r"[Ii][Ff][Cc][A-Za-z0-9]+")


def _bid_id(text: str) -> str:
    if not _BID_ID.fullmatch(text):
        raise ValueError(
            f"id {text!r}: use letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    return text


def _ifc_class(text: str) -> str:
    from bimcheck.model.schema import schema_info

    if not _IFC_CLASS.fullmatch(text):
        raise ValueError(f"{text!r} is not an IFC class name such as IfcWindow")
    for schema in ("IFC4", "IFC4X3", "IFC2X3"):
        name = schema_info(schema).entity_name(text)
        if name is not None:
            return name
    raise ValueError(f"{text!r} is not a class of IFC2X3, IFC4 or IFC4X3")


Id = Annotated[
    str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v), AfterValidator(_bid_id)
]
IfcClass = Annotated[str, AfterValidator(_ifc_class)]
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Years = Annotated[int, Field(gt=0, le=500)]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriceMinusDeductions(Closed):
    """Mervärdesavdrag: each fulfilled scored requirement is deducted from the price."""

    model: Literal["price_minus_deductions"]
    sek_per_weight: Money | None = None
    deductions: dict[RequirementId, Money] = {}


class WeightedPoints(Closed):
    """Price–quality ratio: weighted price points plus weighted quality points."""

    model: Literal["weighted_points"]
    price_weight: Share
    quality_weight: Share
    max_points: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)] = Decimal(100)
    weights: dict[RequirementId, Money] = {}

    @model_validator(mode="after")
    def _weights_add_up(self) -> WeightedPoints:
        if self.price_weight + self.quality_weight != 1:
            raise ValueError(
                f"price_weight + quality_weight must be 1, not {self.price_weight + self.quality_weight}"
            )
        if self.price_weight == 0:
            raise ValueError("price_weight 0 leaves price out of the evaluation: use fixed_budget instead")
        return self


class FixedBudget(Closed):
    """Fixed price or budget, best quality: bids above the budget are excluded."""

    model: Literal["fixed_budget"]
    budget: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
    max_points: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)] = Decimal(100)
    weights: dict[RequirementId, Money] = {}


EvaluationDoc = Annotated[PriceMinusDeductions | WeightedPoints | FixedBudget, Field(discriminator="model")]


class SelectQuantity(Closed):
    """Elements of exactly one IFC class (as an IDS entity facet): their number, or the sum of a measure."""

    entity: IfcClass
    predefined_type: Text | None = None
    measure: MeasureName | None = None
    source: MeasureSource = "auto"


class KeyFigureQuantity(Closed):
    """A key figure of a requirement (its `aggregate`) as the bid's check computes it."""

    requirement: RequirementId
    figure: Text | None = None
    group: Text | None = None


class QuantityDoc(Closed):
    select: SelectQuantity | None = None
    key_figure: KeyFigureQuantity | None = None
    declared: ParameterName | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> QuantityDoc:
        given = [k for k in ("select", "key_figure", "declared") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of select, key_figure or declared")
        return self


class ComponentDoc(Closed):
    id: Id
    title: Text
    quantity: QuantityDoc
    unit_cost: Money
    lifetime: Years | None = None
    annual: bool = False
    unit: Text | None = None

    @model_validator(mode="after")
    def _one_schedule(self) -> ComponentDoc:
        if self.annual == (self.lifetime is not None):
            raise ValueError("a component is either replaced every `lifetime` years or `annual: true`")
        return self


class LccDoc(Closed):
    discount_rate: Annotated[Decimal, Field(ge=0, lt=1, allow_inf_nan=False)]
    period: Years
    add_to_price: bool = True
    components: Annotated[list[ComponentDoc], Field(min_length=1)]


class DeclarationDoc(Closed):
    fulfilled: bool
    evidence: Text


class BidDoc(Closed):
    id: Id
    supplier: Text
    # Above zero: price points divide by it, and no bid is free.
    price: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
    models: Annotated[list[Text], Field(min_length=1)]
    declarations: dict[RequirementId, DeclarationDoc] = {}
    values: dict[ParameterName, Annotated[Decimal, Field(allow_inf_nan=False)]] = {}


class TenderFile(Closed):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    format: Literal[1] = Field(alias="bimcheck-tender")  # FORMAT_KEY
    id: Text
    title: Text
    buyer: Text | None = None
    description: Text | None = None
    requirements: Annotated[list[Text], Field(min_length=1)]
    parameters: dict[ParameterName, ValueText] = {}
    evaluation: EvaluationDoc
    lcc: LccDoc | None = None
    bids: Annotated[list[BidDoc], Field(min_length=1)]


KNOWN_KEYS = frozenset(
    name
    for model in (
        TenderFile,
        PriceMinusDeductions,
        WeightedPoints,
        FixedBudget,
        SelectQuantity,
        KeyFigureQuantity,
        QuantityDoc,
        ComponentDoc,
        LccDoc,
        DeclarationDoc,
        BidDoc,
    )
    for name in model.model_fields
) | {FORMAT_KEY}


@dataclass(frozen=True, slots=True)
class Bid:
    """A bid of the tender file, with its model files resolved against the tender's folder."""

    doc: BidDoc
    index: int
    model_paths: tuple[Path, ...]

    @property
    def declarations(self) -> dict[str, Declaration]:
        return {k: Declaration(d.fulfilled, d.evidence) for k, d in self.doc.declarations.items()}


@dataclass(frozen=True, slots=True)
class Tender:
    """A validated tender file: its document, hash, and paths resolved against its folder."""

    path: Path
    sha256: str
    doc: TenderFile
    rule_paths: tuple[Path, ...]
    bids: tuple[Bid, ...]
    source: Source  # the YAML reader's document: the line of every key, for later errors

    @property
    def base(self) -> Path:
        return self.path.parent

    def error(self, problems: Sequence[tuple[Loc, str]]) -> RuleError:
        return located_error(self.source, problems)

    def relative(self, path: str | Path) -> str:
        """A path as the tender file would write it: relative to its folder when inside it."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            return str(p)


# --- reading -------------------------------------------------------------------------------------


def load_tender(path: str | Path) -> Tender:
    """Read and validate a tender file; RuleError (exit 2) naming file and line otherwise."""
    p = Path(path)
    source = read_document(p, "tender file", f"starts with `{FORMAT_KEY}: {FORMAT_VERSION}`")
    version = source.document.get(FORMAT_KEY)
    if version is None:
        raise RuleError(p, f"line 1: not a bimcheck tender file: `{FORMAT_KEY}: {FORMAT_VERSION}` is missing")
    if version != FORMAT_VERSION:
        raise RuleError(
            p,
            f"line {source.line((FORMAT_KEY,))}: tender format {version} is not supported: "
            f"this bimcheck reads `{FORMAT_KEY}: {FORMAT_VERSION}`",
        )
    doc = validate_document(source, TenderFile, KNOWN_KEYS)
    base = p.parent
    problems: list[tuple[Loc, str]] = []
    rule_paths = []
    for i, raw in enumerate(doc.requirements):
        rule_path = base / raw
        if not rule_path.exists():
            problems.append(
                (("requirements", i), f"requirement file {raw!r} does not exist (looked in {base})")
            )
        rule_paths.append(rule_path)
    bids = []
    seen_bids: dict[str, int] = {}
    seen_models: dict[Path, str] = {}
    for i, bid in enumerate(doc.bids):
        if bid.id in seen_bids:
            problems.append(
                (("bids", i, "id"), f"bid id {bid.id!r} is already used by bid {seen_bids[bid.id] + 1}")
            )
        seen_bids.setdefault(bid.id, i)
        paths = []
        for j, raw in enumerate(bid.models):
            model_path = base / raw
            if not model_path.is_file():
                problems.append(
                    (
                        ("bids", i, "models", j),
                        f"model file {raw!r} of bid {bid.id} does not exist (looked in {base})",
                    )
                )
            key = model_path.resolve()
            if key in seen_models:
                problems.append(
                    (
                        ("bids", i, "models", j),
                        f"model file {raw!r} is already given for bid {seen_models[key]}",
                    )
                )
            seen_models.setdefault(key, bid.id)
            paths.append(model_path)
        bids.append(Bid(bid, i, tuple(paths)))
    if doc.lcc is not None:
        seen_components: set[str] = set()
        for k, component in enumerate(doc.lcc.components):
            if component.id in seen_components:
                problems.append(
                    (("lcc", "components", k, "id"), f"component id {component.id!r} is used twice")
                )
            seen_components.add(component.id)
            name = component.quantity.declared
            for i, bid in enumerate(doc.bids):
                if name is not None and name not in bid.values:
                    problems.append(
                        (
                            ("bids", i),
                            f"bid {bid.id} does not declare the value {name!r} (under values:) that "
                            f"life-cycle cost component {component.id!r} needs",
                        )
                    )
        if isinstance(doc.evaluation, FixedBudget) and doc.lcc.add_to_price:
            problems.append(
                (
                    ("lcc", "add_to_price"),
                    "fixed_budget compares bid prices with the budget and ranks on quality: "
                    "set add_to_price: false to report the life-cycle cost for information",
                )
            )
    if problems:
        raise located_error(source, problems)
    return Tender(
        path=p,
        sha256=hashlib.sha256(source.data).hexdigest(),
        doc=doc,
        rule_paths=tuple(rule_paths),
        bids=tuple(bids),
        source=source,
    )


# --- what the tender makes of the requirements ------------------------------------------------------


def _fraction(value: Decimal | float) -> Fraction:
    # Through the decimal text: a weight of 0.1 is one tenth, not the nearest binary float.
    return Fraction(value) if isinstance(value, Decimal) else Fraction(repr(value))


def criteria(tender: Tender, rules: RuleSet) -> tuple[Criterion, ...]:
    """Every requirement as the evaluation uses it, with what a scored one is worth.

    Refuses (naming the tender file's line) references to requirements that do not exist or
    are of the wrong kind, scored requirements without a value, duplicate ids, declarations
    for requirements that the model decides.
    """
    doc = tender.doc
    evaluation = doc.evaluation
    problems: list[tuple[Loc, str]] = []
    by_id: dict[str, Requirement] = {}
    for r in rules.requirements:
        if r.id in by_id:
            problems.append(
                (
                    ("requirements",),
                    f"requirement id {r.id!r} occurs more than once in the requirement files (IDS "
                    "identifiers need not be unique): an evaluation refers to requirements by id, "
                    "give each its own",
                )
            )
        by_id[r.id] = r
    given = evaluation.deductions if isinstance(evaluation, PriceMinusDeductions) else evaluation.weights
    section = "deductions" if isinstance(evaluation, PriceMinusDeductions) else "weights"
    for rid in given:
        loc: Loc = ("evaluation", section, rid)
        found = by_id.get(rid)
        if found is None:
            problems.append((loc, f"no requirement {rid!r} in the requirement files"))
        elif found.kind is not Kind.SCORED:
            problems.append(
                (loc, f"{rid} is a mandatory requirement (ska-krav): only scored requirements earn {section}")
            )
    out = []
    for r in rules.requirements:
        value: Fraction | None = None
        value_source: str | None = None
        if r.kind is Kind.SCORED:
            if isinstance(evaluation, PriceMinusDeductions):
                if r.id in evaluation.deductions:
                    value, value_source = Fraction(evaluation.deductions[r.id]), "tender: deductions"
                elif evaluation.sek_per_weight is not None and r.weight is not None:
                    rate = Fraction(evaluation.sek_per_weight)
                    value = _fraction(r.weight) * rate
                    value_source = f"weight {r.weight:g} × sek_per_weight {evaluation.sek_per_weight}"
                else:
                    problems.append(
                        (
                            ("evaluation",),
                            f"scored requirement {r.id} has no deduction: give it under deductions, or give "
                            "sek_per_weight and the requirement a weight",
                        )
                    )
            elif r.id in evaluation.weights:
                value, value_source = Fraction(evaluation.weights[r.id]), "tender: weights"
            elif r.weight is not None:
                value, value_source = _fraction(r.weight), "requirement weight"
            else:
                problems.append(
                    (
                        ("evaluation",),
                        f"scored requirement {r.id} has no weight: give it one in the requirement file or "
                        "under weights",
                    )
                )
        out.append(
            Criterion(
                id=r.id,
                title=r.title,
                kind=r.kind,
                manual=r.manual,
                weight=r.weight,
                value=value,
                value_source=value_source,
                regulation=None
                if r.regulation is None
                else " ".join(p for p in (r.regulation.reference, r.regulation.edition) if p),
                verification=r.verification,
            )
        )
    if not isinstance(evaluation, PriceMinusDeductions) and not problems:
        total = sum((c.value or Fraction(0) for c in out if c.kind is Kind.SCORED), Fraction(0))
        if total == 0:
            problems.append(
                (
                    ("evaluation", "model"),
                    f"{evaluation.model} gives quality points for scored requirements, but their weights add "
                    "up to 0 (or there are none)",
                )
            )
    for bid in tender.bids:
        for rid in bid.doc.declarations:
            loc = ("bids", bid.index, "declarations", rid)
            found = by_id.get(rid)
            if found is None:
                problems.append((loc, f"no requirement {rid!r} in the requirement files"))
            elif not found.manual:
                problems.append(
                    (
                        loc,
                        f"{rid} is checked on the model: a declaration cannot replace the check "
                        "(declarations are for manual requirements)",
                    )
                )
    if doc.lcc is not None:
        for k, component in enumerate(doc.lcc.components):
            ref = component.quantity.key_figure
            if ref is None:
                continue
            loc = ("lcc", "components", k, "quantity", "key_figure", "requirement")
            found = by_id.get(ref.requirement)
            if found is None:
                problems.append((loc, f"no requirement {ref.requirement!r} in the requirement files"))
            elif found.aggregate is None:
                problems.append(
                    (loc, f"requirement {ref.requirement} computes no key figure (it has no aggregate)")
                )
    if problems:
        raise tender.error(problems)
    return tuple(out)


def model_spec(tender: Tender) -> ModelSpec:
    """The evaluation model and its settings as exact numbers, in a fixed order."""
    e = tender.doc.evaluation
    settings: list[tuple[str, Fraction]] = []
    if isinstance(e, PriceMinusDeductions):
        if e.sek_per_weight is not None:
            settings.append(("sek_per_weight", Fraction(e.sek_per_weight)))
        return ModelSpec(PRICE_MINUS_DEDUCTIONS, tuple(settings))
    if isinstance(e, WeightedPoints):
        settings += [
            ("price_weight", Fraction(e.price_weight)),
            ("quality_weight", Fraction(e.quality_weight)),
            ("max_points", Fraction(e.max_points)),
        ]
        return ModelSpec(WEIGHTED_POINTS, tuple(settings))
    settings += [("budget", Fraction(e.budget)), ("max_points", Fraction(e.max_points))]
    return ModelSpec(FIXED_BUDGET, tuple(settings))


def _basis(quantity: QuantityDoc) -> str:
    if quantity.select is not None:
        s = quantity.select
        of = s.entity + (f" ({s.predefined_type})" if s.predefined_type else "")
        if s.measure is None:
            return f"count of {of}"
        source = f", from {s.source}" if s.source != "auto" else ""
        return f"sum({s.measure}{source}) of {of}"
    if quantity.key_figure is not None:
        k = quantity.key_figure
        figure = f" {k.figure!r}" if k.figure else ""
        group = f" [{k.group}]" if k.group else ""
        return f"key figure{figure}{group} of requirement {k.requirement}"
    return f"declared by the bidder: {quantity.declared}"


def _unit(component: ComponentDoc) -> str | None:
    if component.unit is not None:
        return component.unit
    select = component.quantity.select
    if select is not None:
        from bimcheck.model.measures import MEASURES

        return MEASURES[select.measure].unit or None if select.measure else None
    return None


def lcc_spec(tender: Tender) -> LccSpec | None:
    lcc = tender.doc.lcc
    if lcc is None:
        return None
    return LccSpec(
        discount_rate=Fraction(lcc.discount_rate),
        period=lcc.period,
        add_to_price=lcc.add_to_price,
        components=tuple(
            ComponentSpec(
                id=c.id,
                title=c.title,
                kind=ANNUAL if c.annual else REINVESTMENT,
                unit_cost=Fraction(c.unit_cost),
                basis=_basis(c.quantity),
                lifetime=c.lifetime,
                unit=_unit(c),
            )
            for c in lcc.components
        ),
    )


TAKEOFF_PREFIX = "lcc:"


def takeoff_requirements(tender: Tender) -> tuple[Requirement, ...]:
    """The LCC's `select` quantities as key-figure requirements the engine evaluates on each bid.

    Their ids (`lcc:<component>`) cannot clash with a requirement file's: ':' is not allowed
    there. Optional cardinality: a bid without such elements has a quantity of 0.
    """
    from bimcheck.rules.aggregates import Aggregate
    from bimcheck.rules.facets import OPTIONAL, EntityFacet
    from bimcheck.rules.values import ValueSpec

    lcc = tender.doc.lcc
    if lcc is None:
        return ()
    out = []
    for c in lcc.components:
        select = c.quantity.select
        if select is None:
            continue
        entity = EntityFacet(
            name=ValueSpec(simple=select.entity.upper()),
            predefined_type=None
            if select.predefined_type is None
            else ValueSpec(simple=select.predefined_type),
        )
        aggregate = Aggregate(
            function="count" if select.measure is None else "sum",
            measure=select.measure,
            source=select.source,
            name=c.id,
        )
        out.append(
            Requirement(
                id=f"{TAKEOFF_PREFIX}{c.id}",
                title=c.title,
                applicability=(entity,),
                cardinality=OPTIONAL,
                aggregate=aggregate,
                source=f"{tender.path}:{tender.source.line(('lcc', 'components', lcc.components.index(c)))}",
            )
        )
    return tuple(out)
