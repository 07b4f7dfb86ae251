"""IDS value matching: simple values, restrictions, type casting and the numeric tolerance.

Expected numbers are worked out by hand in the comments from the IDS 1.0 rule: a real value
v matches an expected value e when |v - e| <= |e|·1e-6 + 1e-6; inclusive bounds are widened
and exclusive bounds narrowed by the tolerance of the bound (that is what the official
`tolerance/*range*` cases require: 0 satisfies minInclusive 0 down to -0.000001, and
minExclusive 0 only from above 0.000001).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bimcheck.rules.values import ValueSpec, compile_xsd_pattern, numbers_equal, to_decimal, tolerance

# --- simple values ---------------------------------------------------------------------


def test_a_simple_string_value_matches_only_the_identical_string() -> None:
    spec = ValueSpec(simple="EI 60")
    assert spec.matches("EI 60")
    assert not spec.matches("EI60")
    assert not spec.matches("ei 60")  # case sensitive (attribute case-sensitivity cases)
    assert not spec.matches("EI 60 ")  # no trimming of the IFC value


def test_an_empty_simple_value_matches_only_the_empty_string() -> None:
    assert ValueSpec(simple="").matches("")
    assert not ValueSpec(simple="").matches(" ")


def test_a_number_written_as_text_in_the_model_is_compared_as_text() -> None:
    # An IfcLabel '42' is a string: "42" matches it, "42.0" does not (no numeric casting of
    # text; official case property/pass-a_number_specified_as_a_string_is_treated_as_a_string).
    assert ValueSpec(simple="42").matches("42")
    assert not ValueSpec(simple="42.0").matches("42")


def test_a_name_never_matches_a_missing_name() -> None:
    assert not ValueSpec(simple="Pset_WallCommon").matches_name(None)
    assert ValueSpec(simple="Pset_WallCommon").matches_name("Pset_WallCommon")


# --- booleans --------------------------------------------------------------------------


def test_booleans_match_the_lowercase_words_true_and_false() -> None:
    assert ValueSpec(simple="true").matches(True)
    assert ValueSpec(simple="false").matches(False)
    assert not ValueSpec(simple="true").matches(False)
    assert not ValueSpec(simple="false").matches(True)


def test_booleans_written_with_capitals_do_not_match() -> None:
    # Official cases */fail-booleans_must_be_specified_as_lowercase_strings_1_3.
    assert not ValueSpec(simple="TRUE").matches(True)
    assert not ValueSpec(simple="True").matches(True)
    assert not ValueSpec(simple="FALSE").matches(False)


def test_a_boolean_is_never_a_number_for_bounds() -> None:
    # True == 1 in Python; IDS must not treat an IfcBoolean as the number 1.
    assert not ValueSpec(min_inclusive="0", max_inclusive="2").matches(True)
    assert not ValueSpec(simple="1.0").matches(True)
    assert to_decimal(True) is None


def test_a_boolean_does_not_match_the_text_true() -> None:
    # The IFC value "true" of an IfcLabel is text, and an IfcBoolean is not text.
    assert ValueSpec(simple="true").matches("true")
    assert not ValueSpec(patterns=("true",)).matches(True)


# --- integers and reals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "observed", "matches"),
    [
        ("42", 42, True),
        ("42", 43, False),
        ("42", 42.0, True),  # an IfcReal 42.0 is the number 42
        ("-7", -7, True),
        ("+7", 7, True),  # XSD allows a leading plus sign
        ("0", 0, True),  # zero is a value, not "no value" (attribute zero-number case)
        ("0", 0.0, True),
        ("42", "42", True),  # text against text
        ("42", 41.99999, True),  # within 42·1e-6 + 1e-6 = 4.3e-5 of 42
    ],
)
def test_numbers_are_compared_as_numbers_after_casting(
    expected: str, observed: object, matches: bool
) -> None:
    assert ValueSpec(simple=expected).matches(observed) is matches


def test_an_integer_value_is_compared_exactly_without_tolerance() -> None:
    # IfcInteger 2 against "2.000001": a real 2.0 would match (tolerance 3e-6), an integer does not.
    assert ValueSpec(simple="2.000001").matches(2.0)
    assert not ValueSpec(simple="2.000001").matches(2)
    # Casting the text is exact: "2.0" is the integer 2.
    assert ValueSpec(simple="2.0").matches(2)
    assert not ValueSpec(simple="2.5").matches(2)


def test_text_that_is_not_a_number_never_equals_a_number() -> None:
    assert not ValueSpec(simple="forty-two").matches(42)
    assert not ValueSpec(simple="4 2").matches(42.0)
    assert not ValueSpec(simple="").matches(0)


def test_a_float_converts_to_the_decimal_it_was_written_as() -> None:
    # repr(0.1) is "0.1": the model's text, not the binary double 0.1000000000000000055…
    assert str(to_decimal(0.1)) == "0.1"
    assert str(to_decimal(" 2.40 ")) == "2.40"
    assert to_decimal(7) == 7
    assert to_decimal("abc") is None
    assert to_decimal(None) is None


# --- tolerance -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "observed", "matches"),
    [
        # e = 1: band 1·1e-6 + 1e-6 = 2e-6 → [0.999998, 1.000002]
        ("1", 0.999998, True),
        ("1", 1.000002, True),
        ("1", 0.9999979, False),
        ("1", 1.0000021, False),
        # e = 0: band 1e-6 → [-0.000001, 0.000001]
        ("0", -0.000001, True),
        ("0", 0.000001, True),
        ("0", -0.0000011, False),
        ("0", 0.0000011, False),
        # e = -1000000: band 1 + 1e-6 = 1.000001 → [-1000001.000001, -999998.999999]
        ("-1000000", -1000001.000001, True),
        ("-1000000", -999998.999999, True),
        ("-1000000", -1000001.0000011, False),
        ("-1000000", -999998.9999989, False),
        # e = 100000: band 0.1 + 1e-6 = 0.100001 → [99999.899999, 100000.100001]
        ("100000", 99999.899999, True),
        ("100000", 100000.100001, True),
        ("100000", 99999.8999989, False),
        ("100000", 100000.1000011, False),
        # e = 2.4 (a room height): band 2.4e-6 + 1e-6 = 3.4e-6 → [2.3999966, 2.4000034]
        ("2.4", 2.3999966, True),
        ("2.4", 2.4000034, True),
        ("2.4", 2.3999965, False),
        ("2.4", 2.4000035, False),
    ],
)
def test_reals_are_equal_within_one_millionth_relative_plus_one_millionth_absolute(
    expected: str, observed: float, matches: bool
) -> None:
    assert ValueSpec(simple=expected).matches(observed) is matches


def test_the_tolerance_band_is_computed_from_the_expected_value() -> None:
    # tolerance(e) = |e|·1e-6 + 1e-6
    assert tolerance(to_decimal("0") or 0) == to_decimal("0.000001")
    assert tolerance(to_decimal("-1000000") or 0) == to_decimal("1.000001")
    assert numbers_equal(to_decimal("1.000002") or 0, to_decimal("1") or 0)
    assert not numbers_equal(to_decimal("1.0000021") or 0, to_decimal("1") or 0)


def test_the_tolerance_also_applies_to_enumerations_of_numbers() -> None:
    spec = ValueSpec(enumeration=("1.5", "3"))
    # 3 has the band 3e-6 + 1e-6 = 4e-6: 3.000004 matches, 3.0000041 does not.
    assert spec.matches(3.000004)
    assert not spec.matches(3.0000041)
    assert spec.matches(1.5)
    assert not spec.matches(2.0)


@pytest.mark.parametrize(
    ("bound", "observed", "matches"),
    [
        # minInclusive 10: widened by 10·1e-6 + 1e-6 = 1.1e-5 → x >= 9.999989
        ({"min_inclusive": "10"}, 9.999989, True),
        ({"min_inclusive": "10"}, 9.9999889, False),
        ({"min_inclusive": "10"}, 10, True),  # an integer on the bound is inside
        # minExclusive 10: narrowed by 1.1e-5 → x > 10.000011
        ({"min_exclusive": "10"}, 10.000011, False),
        ({"min_exclusive": "10"}, 10.0000111, True),
        ({"min_exclusive": "10"}, 10, False),
        # maxInclusive -10: widened by 1.1e-5 → x <= -9.999989
        ({"max_inclusive": "-10"}, -9.999989, True),
        ({"max_inclusive": "-10"}, -9.9999889, False),
        # maxExclusive -10: narrowed by 1.1e-5 → x < -10.000011
        ({"max_exclusive": "-10"}, -10.000011, False),
        ({"max_exclusive": "-10"}, -10.0000111, True),
        # bounds of 0 (official tolerance range cases): band 1e-6
        ({"min_inclusive": "0"}, -0.000001, True),
        ({"min_inclusive": "0"}, -0.0000011, False),
        ({"min_exclusive": "0"}, 0.0000009, False),
        ({"min_exclusive": "0"}, 0.0000011, True),
        ({"max_inclusive": "0"}, 0.000001, True),
        ({"max_inclusive": "0"}, 0.0000011, False),
        ({"max_exclusive": "0"}, -0.0000009, False),
        ({"max_exclusive": "0"}, -0.0000011, True),
    ],
)
def test_inclusive_bounds_are_widened_and_exclusive_bounds_narrowed_by_the_tolerance(
    bound: dict[str, str], observed: float, matches: bool
) -> None:
    assert ValueSpec(**bound).matches(observed) is matches


def test_every_bound_given_must_hold() -> None:
    # A door between 0.8 and 1.2 m wide (tolerances 1.8e-6 and 2.2e-6 are far below these steps).
    spec = ValueSpec(min_inclusive="0.8", max_exclusive="1.2")
    assert spec.matches(0.8)
    assert spec.matches(1.0)
    assert not spec.matches(0.79)
    assert not spec.matches(1.2)
    assert not spec.matches(1.3)


def test_bounds_never_match_text_even_if_it_looks_like_a_number() -> None:
    spec = ValueSpec(min_inclusive="0")
    assert not spec.matches("5")
    assert not spec.matches("")


def test_a_bound_that_is_not_a_number_matches_nothing() -> None:
    assert not ValueSpec(min_inclusive="ten").matches(11.0)


@pytest.mark.parametrize("special", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "spec",
    [
        ValueSpec(simple="0"),
        ValueSpec(simple="nan"),
        ValueSpec(simple="NaN"),
        ValueSpec(simple="INF"),
        ValueSpec(simple="-INF"),
        ValueSpec(enumeration=("INF", "-INF", "NaN")),
        ValueSpec(min_inclusive="0"),
        ValueSpec(max_inclusive="0"),
        ValueSpec(min_exclusive="-1e300", max_exclusive="1e300"),
    ],
    ids=lambda s: s.describe(),
)
def test_nan_and_infinity_never_match(spec: ValueSpec, special: float) -> None:
    assert not spec.matches(special)


# --- enumeration -----------------------------------------------------------------------


def test_an_enumeration_matches_any_of_its_values_case_sensitively() -> None:
    spec = ValueSpec(enumeration=("EI 30", "EI 60"))
    assert spec.matches("EI 30")
    assert spec.matches("EI 60")
    assert not spec.matches("ei 60")
    assert not spec.matches("EI 90")


def test_an_enumeration_is_a_finite_set_of_candidates_unless_other_facets_restrict_it() -> None:
    assert ValueSpec(enumeration=("IFCWALL", "IFCDOOR")).candidates() == ("IFCWALL", "IFCDOOR")
    assert ValueSpec(simple="IFCWALL").candidates() == ("IFCWALL",)
    assert ValueSpec(enumeration=("IFCWALL",), patterns=("IFC.*",)).candidates() is None
    assert ValueSpec(patterns=("IFC.*",)).candidates() is None


# --- pattern ---------------------------------------------------------------------------


def test_a_pattern_is_implicitly_anchored_at_both_ends() -> None:
    spec = ValueSpec(patterns=("EI ?[0-9]+",))
    assert spec.matches("EI 60")
    assert spec.matches("EI60")
    assert not spec.matches("REI 60")  # would match if the pattern were searched
    assert not spec.matches("EI 60 min")


def test_caret_and_dollar_are_ordinary_characters_in_xsd_patterns() -> None:
    # XSD regular expressions have no anchors: ^ and $ stand for themselves (XSD 1.0 part 2, F.1).
    spec = ValueSpec(patterns=("^a$",))
    assert spec.matches("^a$")
    assert not spec.matches("a")


def test_xsd_pattern_features_work() -> None:
    assert ValueSpec(patterns=("[a-z-[aeiou]]+",)).matches("bcd")  # class subtraction
    assert not ValueSpec(patterns=("[a-z-[aeiou]]+",)).matches("bad")
    assert ValueSpec(patterns=(r"\p{Lu}\p{Ll}+",)).matches("Åsa")  # Unicode categories
    assert ValueSpec(patterns=(r"\i\c*",)).matches("IfcWall_1")  # XML name characters
    assert not ValueSpec(patterns=(r"\i\c*",)).matches("1Wall")


def test_several_patterns_are_alternatives() -> None:
    spec = ValueSpec(patterns=("EI [0-9]+", "REI [0-9]+"))
    assert spec.matches("EI 60")
    assert spec.matches("REI 90")
    assert not spec.matches("R 60")


def test_a_pattern_never_matches_a_number() -> None:
    # Official case restriction/invalid-patterns_always_fail_on_any_number (the audit rejects
    # the IDS; the matcher on its own must not stringify the number either).
    assert not ValueSpec(patterns=("[0-9]+",)).matches(42)
    assert not ValueSpec(patterns=("[0-9.]+",)).matches(4.2)
    assert not ValueSpec(patterns=("true",)).matches(True)


def test_pattern_and_enumeration_must_both_hold() -> None:
    spec = ValueSpec(enumeration=("AB", "CD"), patterns=("A.*",))
    assert spec.matches("AB")
    assert not spec.matches("CD")
    assert not spec.matches("AX")


@pytest.mark.parametrize("pattern", ["[", "a{2,1}", "(?i)abc", "a**", "(?P<x>a)"])
def test_patterns_that_are_not_xsd_regular_expressions_are_refused(pattern: str) -> None:
    # `(?i)` and `(?P<…>)` are Python/Perl syntax, not XSD.
    with pytest.raises(ValueError):  # noqa: PT011 - the message comes from the regex translator
        compile_xsd_pattern(pattern)


# --- length ----------------------------------------------------------------------------


def test_length_restrictions_count_characters_of_text() -> None:
    assert ValueSpec(length=3).matches("abc")
    assert not ValueSpec(length=3).matches("ab")
    assert ValueSpec(length=4).matches("åäöü")  # characters, not UTF-8 bytes (8)
    spec = ValueSpec(min_length=2, max_length=3)
    assert not spec.matches("a")
    assert spec.matches("ab")
    assert spec.matches("abc")
    assert not spec.matches("abcd")


def test_length_restrictions_never_match_numbers_or_booleans() -> None:
    assert not ValueSpec(length=3).matches(123)
    assert not ValueSpec(max_length=10).matches(1.5)
    assert not ValueSpec(max_length=10).matches(True)


# --- description -----------------------------------------------------------------------


def test_restrictions_describe_themselves_readably() -> None:
    assert ValueSpec(simple="EI 60").describe() == "EI 60"
    assert ValueSpec(enumeration=("A", "B")).describe() == "one of [A, B]"
    assert ValueSpec(min_inclusive="0.8", max_exclusive="1.2").describe() == ">= 0.8 and < 1.2"
    assert ValueSpec(patterns=("EI.*",)).describe() == 'matches "EI.*"'
    assert ValueSpec(min_length=2, max_length=3).describe() == "length >= 2 and length <= 3"
    assert ValueSpec().describe() == "any value"


# --- properties (hypothesis) -----------------------------------------------------------
# The oracle below is independent of bimcheck: exact rational arithmetic on the decimal
# text of both numbers (the IFC value as written, i.e. the shortest repr of the double).

# No deadline (a timing assertion would be flaky on a loaded CI machine) and no example
# database written into the work tree.
quiet = settings(deadline=None, database=None)

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
# Reference values as an IDS author writes them: decimals with up to 6 fractional digits.
references = st.decimals(min_value=-1_000_000, max_value=1_000_000, places=6, allow_nan=False).map(str)


def _within(observed: float, expected: str) -> bool:
    x, e = Fraction(repr(observed)), Fraction(expected)
    return abs(x - e) <= abs(e) * Fraction(1, 10**6) + Fraction(1, 10**6)


def _near(expected: str) -> st.SearchStrategy[float]:
    """Floats clustered around a reference and the edges of its tolerance band."""
    e = float(expected)
    band = abs(e) * 1e-6 + 1e-6
    offsets = st.sampled_from([0.0, band, -band]) | st.floats(-3 * band, 3 * band)
    return offsets.map(lambda d: e + d)


@quiet
@given(data=st.data(), expected=references)
def test_equality_agrees_with_an_exact_rational_oracle(data: st.DataObject, expected: str) -> None:
    observed = data.draw(_near(expected) | finite)
    assert ValueSpec(simple=expected).matches(observed) is _within(observed, expected)


@quiet
@given(data=st.data(), bound=references)
def test_a_zero_width_inclusive_range_is_the_same_as_equality(data: st.DataObject, bound: str) -> None:
    observed = data.draw(_near(bound) | finite)
    ranged = ValueSpec(min_inclusive=bound, max_inclusive=bound)
    assert ranged.matches(observed) is ValueSpec(simple=bound).matches(observed)


@quiet
@given(data=st.data(), bound=references)
def test_an_exclusive_bound_is_the_complement_of_the_opposite_inclusive_bound(
    data: st.DataObject, bound: str
) -> None:
    # x > b (narrowed) exactly when not x <= b (widened): both edges sit at b + tolerance(b).
    observed = data.draw(_near(bound) | finite)
    assert ValueSpec(min_exclusive=bound).matches(observed) is not ValueSpec(max_inclusive=bound).matches(
        observed
    )
    assert ValueSpec(max_exclusive=bound).matches(observed) is not ValueSpec(min_inclusive=bound).matches(
        observed
    )


@quiet
@given(text=st.text(max_size=12), n=st.integers(0, 12))
def test_length_is_min_length_and_max_length_together(text: str, n: int) -> None:
    assert ValueSpec(length=n).matches(text) is ValueSpec(min_length=n, max_length=n).matches(text)
    assert ValueSpec(length=n).matches(text) is (len(text) == n)


@quiet
@given(value=st.integers(-(10**9), 10**9))
def test_an_integer_matches_its_own_decimal_text_and_no_neighbour(value: int) -> None:
    assert ValueSpec(simple=str(value)).matches(value)
    assert not ValueSpec(simple=str(value + 1)).matches(value)
    assert not ValueSpec(simple=str(value)).matches(str(value) + " ")
