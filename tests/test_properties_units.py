"""Properties of unit conversion (bimcheck/model/units.py) against oracles written from the standards.

Oracles: SI prefixes are the powers of ten of the SI brochure (9th ed., table 7), applied to the
metre before a power (mm² = (1e-3 m)²); the SI base unit of mass is the kilogram; IFC4
IfcConversionBasedUnit: one unit = ValueComponent × UnitComponent; IfcConversionBasedUnitWithOffset:
"a positive or negative offset to add after the inherited ConversionFactor was applied" (in the
component unit); IfcDerivedUnit: the product of its elements raised to their exponents. Exact
rationals on the oracle side; the implementation works in floats, so results are compared with a
relative tolerance of 1e-12 (a few ulps over a chain of at most a dozen products).
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import ifcopenshell
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bimcheck.model.units import UnitTable, unit_conversion

Entity = ifcopenshell.entity_instance
quiet = settings(deadline=None, database=None, max_examples=200)

SI_PREFIXES = {
    "EXA": 18, "PETA": 15, "TERA": 12, "GIGA": 9, "MEGA": 6, "KILO": 3, "HECTO": 2, "DECA": 1,
    "DECI": -1, "CENTI": -2, "MILLI": -3, "MICRO": -6, "NANO": -9, "PICO": -12, "FEMTO": -15, "ATTO": -18,
}  # fmt: skip
# unit type, IfcSIUnitName, power of the prefixed base, factor of the unprefixed unit to SI
SI_UNITS = [
    ("LENGTHUNIT", "METRE", 1, Fraction(1)),
    ("AREAUNIT", "SQUARE_METRE", 2, Fraction(1)),
    ("VOLUMEUNIT", "CUBIC_METRE", 3, Fraction(1)),
    ("MASSUNIT", "GRAM", 1, Fraction(1, 1000)),
    ("TIMEUNIT", "SECOND", 1, Fraction(1)),
    ("PRESSUREUNIT", "PASCAL", 1, Fraction(1)),
    ("ENERGYUNIT", "JOULE", 1, Fraction(1)),
]

prefixes = st.sampled_from([None, *SI_PREFIXES])
si_units = st.sampled_from(SI_UNITS)
magnitudes = st.floats(min_value=1e-9, max_value=1e9)
values = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


def close(actual: float, expected: Fraction | float) -> bool:
    return math.isclose(actual, float(expected), rel_tol=1e-12, abs_tol=1e-300)


def prefix_factor(prefix: str | None, power: int = 1) -> Fraction:
    return Fraction(10) ** (SI_PREFIXES[prefix] * power) if prefix else Fraction(1)


@pytest.fixture(scope="module")
def ifc() -> ifcopenshell.file:
    return ifcopenshell.file(schema="IFC4")


def _si(
    ifc: ifcopenshell.file, unit_type: str, prefix: str | None, name: str
) -> ifcopenshell.entity_instance:
    return ifc.createIfcSIUnit(None, unit_type, prefix, name)


def _based(ifc: ifcopenshell.file, inner: Entity, factor: float, offset: float | None = None) -> Entity:
    dimensions = ifc.createIfcDimensionalExponents(1, 0, 0, 0, 0, 0, 0)
    measure = ifc.createIfcMeasureWithUnit(ifc.createIfcReal(factor), inner)
    unit_type = inner.UnitType
    if offset is None:
        return ifc.createIfcConversionBasedUnit(dimensions, unit_type, "unit", measure)
    return ifc.createIfcConversionBasedUnitWithOffset(dimensions, unit_type, "unit", measure, offset)


@quiet
@given(prefix=prefixes, unit=si_units, value=values)
def test_an_si_prefix_scales_the_base_unit_before_its_power(ifc, prefix, unit, value) -> None:
    unit_type, name, power, base = unit
    conversion = unit_conversion(_si(ifc, unit_type, prefix, name))
    assert close(conversion.apply(value), Fraction(value) * prefix_factor(prefix, power) * base)


@quiet
@given(a=prefixes, b=prefixes, unit=si_units, value=values)
def test_one_quantity_written_in_two_prefixed_units_converts_to_one_si_value(ifc, a, b, unit, value) -> None:
    # A length of `value` a-metres is value·10^(a-b) b-metres: both must reach the same SI value.
    unit_type, name, power, _ = unit
    in_b = float(Fraction(value) * prefix_factor(a, power) / prefix_factor(b, power))
    # A subnormal float holds fewer digits: written so, the b-unit value has already lost what
    # the comparison looks for before bimcheck reads it (2.2e-311 PETA m² = 2.2e-317 EXA m²).
    assume(in_b == 0.0 or abs(in_b) >= sys.float_info.min)
    si_a = unit_conversion(_si(ifc, unit_type, a, name)).apply(value)
    si_b = unit_conversion(_si(ifc, unit_type, b, name)).apply(in_b)
    assert close(si_a, si_b)


@quiet
@given(prefix=prefixes, unit=si_units, factors=st.lists(magnitudes, min_size=1, max_size=3), value=values)
def test_conversion_based_units_multiply_their_factors_down_to_si(ifc, prefix, unit, factors, value) -> None:
    unit_type, name, power, base = unit
    inner = _si(ifc, unit_type, prefix, name)
    expected = prefix_factor(prefix, power) * base
    for factor in factors:  # e.g. a yard of 3 feet of 0.3048 metres
        inner = _based(ifc, inner, factor)
        expected *= Fraction(factor)
    assert close(unit_conversion(inner).apply(value), Fraction(value) * expected)


@quiet
@given(
    celsius=st.booleans(),
    factor=magnitudes,
    offset=st.floats(-1e3, 1e3),
    value=st.floats(-1e4, 1e4),
)
def test_an_offset_is_added_after_the_factor_and_round_trips(ifc, celsius, factor, offset, value) -> None:
    inner = _si(ifc, "THERMODYNAMICTEMPERATUREUNIT", None, "DEGREE_CELSIUS" if celsius else "KELVIN")
    conversion = unit_conversion(_based(ifc, inner, factor, offset))
    in_inner = Fraction(value) * Fraction(factor) + Fraction(offset)
    kelvin = in_inner + (Fraction("273.15") if celsius else 0)
    si = conversion.apply(value)
    assert math.isclose(si, float(kelvin), rel_tol=1e-12, abs_tol=1e-9)
    # Back again with the inverse of the same affine map: the value written in the file, up to
    # the resolution of the SI value (a few ulps of it, divided by the scale).
    resolution = 4 * math.ulp(abs(si) + abs(conversion.offset)) / conversion.scale
    assert math.isclose((si - conversion.offset) / conversion.scale, value, rel_tol=1e-12, abs_tol=resolution)


@quiet
@given(
    elements=st.lists(st.tuples(prefixes, si_units, st.integers(-3, 3)), min_size=1, max_size=4),
    value=values,
)
def test_a_derived_unit_is_the_product_of_its_elements_to_their_exponents(ifc, elements, value) -> None:
    parts, expected = [], Fraction(1)
    for prefix, (unit_type, name, power, base), exponent in elements:
        parts.append(ifc.createIfcDerivedUnitElement(_si(ifc, unit_type, prefix, name), exponent))
        expected *= (prefix_factor(prefix, power) * base) ** exponent
    # Scales past the range of doubles (EXA cubic metres cubed, twice) overflow to infinity: not
    # this property's business (to_si then keeps the unconverted value; noted in fuzz/README.md).
    assume(Fraction(1, 10**300) < expected < 10**300)
    derived = ifc.createIfcDerivedUnit(parts, "USERDEFINED", None)
    assert close(unit_conversion(derived).apply(value), Fraction(value) * expected)


@quiet
@given(project_prefix=prefixes, own_prefix=st.none() | prefixes, value=values)
def test_a_value_uses_its_own_unit_else_the_projects(project_prefix, own_prefix, value) -> None:
    ifc = ifcopenshell.file(schema="IFC4")
    assignment = ifc.createIfcUnitAssignment([_si(ifc, "LENGTHUNIT", project_prefix, "METRE")])
    ifc.createIfcProject(ifcopenshell.guid.new(), None, "P", UnitsInContext=assignment)
    table = UnitTable(ifc)
    own = None if own_prefix is None else _si(ifc, "LENGTHUNIT", own_prefix, "METRE")
    si, symbol = table.to_si("IFCLENGTHMEASURE", value, own)
    used = project_prefix if own is None else own_prefix
    assert close(si, Fraction(value) * prefix_factor(used))
    assert symbol == "m"
