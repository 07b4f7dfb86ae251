"""Life-cycle cost: present value of reinvestments and yearly costs, in exact rational arithmetic."""

# Pure: no engine, no model. The quantities come in as numbers that the workflow took off
# each bid's model (or its declared values); reports import these types directly.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

REINVESTMENT = "reinvestment"
ANNUAL = "annual"

FORMULA = (
    "LCC = Σ over components of q × c × F, where q is the quantity taken from the bid, c the unit "
    "cost (SEK) and F the present-value factor at discount rate r over the analysis period T years: "
    "for a reinvestment with lifetime L, F = Σ_{k ≥ 1, k·L < T} (1 + r)^−(k·L) (the investment in "
    "year 0 is part of the bid price; a replacement due at year T or later falls outside the period; "
    "no residual value is credited); for a yearly cost, F = Σ_{t = 1..T} (1 + r)^−t"
)


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """One cost item of the tender's LCC: what quantity, at what unit cost, how often.

    `lifetime` (years between replacements) for a reinvestment; None for a yearly cost.
    `basis` says in words where the quantity comes from, e.g. `sum(glazed_area) of IfcWindow`.
    """

    id: str
    title: str
    kind: str  # REINVESTMENT | ANNUAL
    unit_cost: Fraction
    basis: str
    lifetime: int | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class LccSpec:
    """The tender's LCC: discount rate, analysis period (years) and cost items."""

    discount_rate: Fraction
    period: int
    components: tuple[ComponentSpec, ...]
    add_to_price: bool = True


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity taken from one bid: its value, or None with the reason it is unknown."""

    value: Fraction | None
    unit: str | None = None
    source: str | None = None  # how it was found: the measure's sources, or "declared by the bidder"
    count: int = 0  # elements it was computed from (0 for a declared value)
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ComponentCost:
    """One component's present value for one bid, with every factor of the product."""

    spec: ComponentSpec
    quantity: Quantity
    years: tuple[int, ...]  # the years whose costs are discounted
    factor: Fraction  # F
    present_value: Fraction | None  # q × c × F; None when q is unknown


@dataclass(frozen=True, slots=True)
class LccResult:
    """A bid's life-cycle cost: each component and the total (None if any quantity is unknown)."""

    components: tuple[ComponentCost, ...]
    total: Fraction | None


def years(spec: LccSpec, component: ComponentSpec) -> tuple[int, ...]:
    """The years in which the component costs money within the period."""
    if component.kind == ANNUAL:
        return tuple(range(1, spec.period + 1))
    assert component.lifetime is not None
    assert component.lifetime > 0
    return tuple(range(component.lifetime, spec.period, component.lifetime))


def discount(rate: Fraction, year: int) -> Fraction:
    """(1 + r)^−year, exactly."""
    return (1 + rate) ** -year


def factor(spec: LccSpec, component: ComponentSpec) -> Fraction:
    """F: the sum of the discount factors of the years the component costs money."""
    return sum((discount(spec.discount_rate, y) for y in years(spec, component)), Fraction(0))


def life_cycle_cost(spec: LccSpec, quantities: Mapping[str, Quantity]) -> LccResult:
    """Each component's q × c × F and their sum; the total is unknown if any quantity is."""
    costs = []
    for component in spec.components:
        quantity = quantities.get(component.id) or Quantity(None, message="no quantity was taken")
        f = factor(spec, component)
        value = None if quantity.value is None else quantity.value * component.unit_cost * f
        costs.append(ComponentCost(component, quantity, years(spec, component), f, value))
    values = [c.present_value for c in costs]
    total = None if any(v is None for v in values) else sum((v for v in values if v is not None), Fraction(0))
    return LccResult(tuple(costs), total)
