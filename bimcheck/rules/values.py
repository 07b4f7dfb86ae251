"""IDS value constraints (simple values and xs:restriction) and how IFC values are matched."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache

# IDS 1.0 compares real numbers with a tolerance of 1e-6 relative plus 1e-6 absolute
# (buildingSMART IDS "tolerance" documentation and the tolerance test cases).
_EPSILON = Decimal("0.000001")
# The band's edges are computed exactly: in the default 28 significant digits the 1e-6 of the
# band around 1e-160 (or its relative part around 1e300) is rounded away and the edge moves
# (found by tests/test_properties_values.py). 800 digits span the exponents of every double.
_EXACT = Context(prec=800)


@lru_cache(maxsize=4096)
def compile_xsd_pattern(pattern: str) -> re.Pattern[str]:
    """Compile an XSD 1.0 regular expression; raises ValueError if it is not valid XSD."""
    # elementpath translates the XSD dialect (implicit anchoring, \i \c, class subtraction,
    # Unicode blocks) into Python's; writing that translation by hand would be a liability.
    from elementpath.regex import RegexError, translate_pattern

    try:
        translated = translate_pattern(pattern, back_references=False, lazy_quantifiers=False, anchors=False)
        return re.compile(translated)
    except (RegexError, re.error) as exc:
        raise ValueError(str(exc)) from None
    except OverflowError:  # a{4294967296}: valid XSD, but beyond what Python's re can count
        raise ValueError("a repetition count is too large") from None
    except RecursionError:  # groups nested thousands deep
        raise ValueError("groups are nested too deeply") from None


def to_decimal(value: object) -> Decimal | None:
    """Exact decimal of a number as written (floats via their shortest repr); None if not a finite number."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            result = Decimal(repr(value))
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, str):
            result = Decimal(value.strip())
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def tolerance(reference: Decimal) -> Decimal:
    return _EXACT.add(_EXACT.multiply(abs(reference), _EPSILON), _EPSILON)


def numbers_equal(observed: Decimal, expected: Decimal) -> bool:
    """IDS equality of real numbers: within the tolerance band of the expected value."""
    band = tolerance(expected)
    return _EXACT.subtract(expected, band) <= observed <= _EXACT.add(expected, band)


@dataclass(frozen=True, slots=True)
class _Band:
    """The IDS tolerance band around a number written in a requirement, exact and as floats."""

    low: Decimal
    high: Decimal
    low_f: float
    high_f: float


@lru_cache(maxsize=4096)
def _band(text: str) -> _Band | None:
    reference = to_decimal(text)
    if reference is None:
        return None
    low, high = _EXACT.subtract(reference, tolerance(reference)), _EXACT.add(reference, tolerance(reference))
    return _Band(low, high, float(low), float(high))


def _compare(value: float | int, limit: Decimal, limit_f: float) -> int:
    """-1, 0 or 1 as the value is below, at or above the limit, exactly as decimals.

    Floats decide when the two are clearly apart (the usual case, and a hundred times
    cheaper); only values within rounding distance of the limit take the exact path.
    """
    v = float(value)
    margin = 1e-12 * max(1.0, abs(v), abs(limit_f))
    if v > limit_f + margin:
        return 1
    if v < limit_f - margin:
        return -1
    exact = to_decimal(value)
    assert exact is not None  # finite numbers only reach here
    return (exact > limit) - (exact < limit)


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """An IDS `idsValue`: either a simple value or an xs:restriction.

    Within a restriction every kind of constraint present must hold; several patterns are
    alternatives, as XSD defines them.
    """

    simple: str | None = None
    base: str | None = None
    enumeration: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    min_inclusive: str | None = None
    min_exclusive: str | None = None
    max_inclusive: str | None = None
    max_exclusive: str | None = None
    length: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    # Derived from the fields above, not part of the value: what matches() consults per
    # element, worked out once (the patterns compiled on first use: an invalid one is
    # reported by the loaders, not when a value is made).
    _bounded: bool = field(default=False, init=False, repr=False, compare=False)
    _lengthy: bool = field(default=False, init=False, repr=False, compare=False)
    _regexes: tuple[re.Pattern[str], ...] | None = field(default=None, init=False, repr=False, compare=False)
    _options: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_bounded", self.has_bounds)
        object.__setattr__(self, "_lengthy", self.has_length)
        # A text equals an option exactly when it is one (IDS compares strings as they are).
        object.__setattr__(self, "_options", frozenset(self.enumeration))

    @property
    def is_simple(self) -> bool:
        return self.simple is not None

    @property
    def has_bounds(self) -> bool:
        return any(
            b is not None
            for b in (self.min_inclusive, self.min_exclusive, self.max_inclusive, self.max_exclusive)
        )

    @property
    def has_length(self) -> bool:
        return any(b is not None for b in (self.length, self.min_length, self.max_length))

    def candidates(self) -> tuple[str, ...] | None:
        """The finite set of strings this value allows, or None if it is open-ended."""
        if self.simple is not None:
            return (self.simple,)
        if self.enumeration and not self.patterns and not self.has_bounds and not self.has_length:
            return self.enumeration
        return None

    def matches_name(self, text: str | None) -> bool:
        """Match an identifier (class, property, set or system name): strings only, exact case."""
        if text is None:
            return False
        if self.simple is not None:  # the common case, kept cheap: names are compared per element
            return text == self.simple
        return self.matches(text)

    def matches(self, value: object) -> bool:
        """True if an IFC value (str, bool, int, float) satisfies this value, IDS rules."""
        if self.simple is not None:
            return _equals(value, self.simple)
        if self.enumeration:
            if value.__class__ is str:
                if value not in self._options:
                    return False
            elif not any(_equals(value, option) for option in self.enumeration):
                return False
        if self.patterns:
            if not isinstance(value, str):
                return False
            regexes = self._regexes
            if regexes is None:
                regexes = tuple(compile_xsd_pattern(p) for p in self.patterns)
                object.__setattr__(self, "_regexes", regexes)
            if not any(r.fullmatch(value) for r in regexes):
                return False
        if self._bounded and not self._within_bounds(value):
            return False
        if self._lengthy:
            if not isinstance(value, str):
                return False
            n = len(value)
            if self.length is not None and n != self.length:
                return False
            if self.min_length is not None and n < self.min_length:
                return False
            if self.max_length is not None and n > self.max_length:
                return False
        return True

    def _within_bounds(self, value: object) -> bool:
        if not _finite_number(value):
            return False
        assert isinstance(value, int | float)
        # Inclusive bounds are widened and exclusive ones narrowed by the IDS tolerance, so
        # that a value "equal" to a bound is inside an inclusive and outside an exclusive one.
        checks: tuple[tuple[str | None, Callable[[_Band], bool]], ...] = (
            (self.min_inclusive, lambda b: _compare(value, b.low, b.low_f) >= 0),
            (self.min_exclusive, lambda b: _compare(value, b.high, b.high_f) > 0),
            (self.max_inclusive, lambda b: _compare(value, b.high, b.high_f) <= 0),
            (self.max_exclusive, lambda b: _compare(value, b.low, b.low_f) < 0),
        )
        for text, check in checks:
            if text is None:
                continue
            band = _band(text)
            if band is None or not check(band):
                return False
        return True

    def describe(self) -> str:
        """Human-readable form, e.g. `EI 60`, `one of [A, B]`, `>= 2.4`, `matches "EI.*"`."""
        if self.simple is not None:
            return self.simple
        parts = []
        if self.enumeration:
            parts.append("one of [" + ", ".join(self.enumeration) + "]")
        if self.patterns:
            parts.append(" or ".join(f'matches "{p}"' for p in self.patterns))
        for text, op in (
            (self.min_inclusive, ">="),
            (self.min_exclusive, ">"),
            (self.max_inclusive, "<="),
            (self.max_exclusive, "<"),
        ):
            if text is not None:
                parts.append(f"{op} {text}")
        if self.length is not None:
            parts.append(f"length {self.length}")
        if self.min_length is not None:
            parts.append(f"length >= {self.min_length}")
        if self.max_length is not None:
            parts.append(f"length <= {self.max_length}")
        return " and ".join(parts) if parts else "any value"


def _finite_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _equals(value: object, expected: str) -> bool:
    """IDS equality: the IDS text is cast to the IFC value's type before comparing."""
    if isinstance(value, bool):
        return expected in ("true", "1") if value else expected in ("false", "0")
    if isinstance(value, int):
        observed, target = to_decimal(value), to_decimal(expected)
        return observed is not None and observed == target
    if isinstance(value, float):
        band = _band(expected)
        if band is None or not _finite_number(value):
            return False
        return _compare(value, band.low, band.low_f) >= 0 and _compare(value, band.high, band.high_f) <= 0
    if isinstance(value, str):
        return value == expected
    return False
