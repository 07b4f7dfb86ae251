"""Conversion of IFC measure values to SI units (the units IDS and bimcheck compare in)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import ifcopenshell
import ifcopenshell.util.unit

# SI symbol per unit type, for readable reports ("2.4 m", "0.18 W/(m2K)").
SI_SYMBOLS = {
    "LENGTHUNIT": "m",
    "AREAUNIT": "m2",
    "VOLUMEUNIT": "m3",
    "MASSUNIT": "kg",
    "TIMEUNIT": "s",
    "PLANEANGLEUNIT": "rad",
    "SOLIDANGLEUNIT": "sr",
    "THERMODYNAMICTEMPERATUREUNIT": "K",
    "THERMALTRANSMITTANCEUNIT": "W/(m2K)",
    "THERMALCONDUCTANCEUNIT": "W/(mK)",
    "THERMALRESISTANCEUNIT": "m2K/W",
    "POWERUNIT": "W",
    "ENERGYUNIT": "J",
    "PRESSUREUNIT": "Pa",
    "FORCEUNIT": "N",
    "FREQUENCYUNIT": "Hz",
    "ELECTRICCURRENTUNIT": "A",
    "ELECTRICVOLTAGEUNIT": "V",
    "ILLUMINANCEUNIT": "lx",
    "LUMINOUSFLUXUNIT": "lm",
    "LUMINOUSINTENSITYUNIT": "cd",
    "MASSDENSITYUNIT": "kg/m3",
    "LINEARVELOCITYUNIT": "m/s",
    "VOLUMETRICFLOWRATEUNIT": "m3/s",
    "SOUNDPRESSURELEVELUNIT": "dB",
    "SOUNDPOWERLEVELUNIT": "dB",
}

# IfcSIUnitName -> offset to the SI base unit (only temperature scales have one).
_SI_OFFSETS = {"DEGREE_CELSIUS": 273.15}
_METRE_POWERS = {"SQUARE_METRE": 2, "CUBIC_METRE": 3}
# IFC names the gram, but the SI base unit of mass (and the one IDS compares in) is the kilogram.
_SI_BASE_SCALE = {"GRAM": 0.001}


@dataclass(frozen=True, slots=True)
class Conversion:
    """value_in_si = value * scale + offset."""

    scale: float = 1.0
    offset: float = 0.0

    def apply(self, value: float) -> float:
        return value * self.scale + self.offset


IDENTITY = Conversion()


@lru_cache(maxsize=512)
def unit_type_of_measure(measure: str) -> str | None:
    """Unit type (e.g. LENGTHUNIT) of an IFC measure type name in any case, or None if dimensionless."""
    # ifcopenshell's get_measure_unit_type only understands proper case (IfcLengthMeasure), but
    # quantities and IDS data types name measures in uppercase (IFCLENGTHMEASURE): same rule here.
    name = measure.upper().removeprefix("IFC").removesuffix("MEASURE")
    if name == "NUMERIC":  # IfcNumericMeasure has no unit type of its own
        return "USERDEFINED"
    for qualifier in ("NONNEGATIVE", "POSITIVE", "NEGATIVE"):
        name = name.removeprefix(qualifier)
    return name + "UNIT" if name else None


def unit_conversion(unit: ifcopenshell.entity_instance | None) -> Conversion:
    """Conversion from an IfcUnit (named, conversion-based or derived) to SI."""
    if unit is None:
        return IDENTITY
    if unit.is_a("IfcSIUnit"):
        scale = ifcopenshell.util.unit.get_prefix_multiplier(unit.Prefix) if unit.Prefix else 1.0
        # The prefix belongs to the metre before the power: MILLI SQUARE_METRE is (mm)² = 1e-6 m².
        scale **= _METRE_POWERS.get(unit.Name, 1)
        return Conversion(scale * _SI_BASE_SCALE.get(unit.Name, 1.0), _SI_OFFSETS.get(unit.Name, 0.0))
    if unit.is_a("IfcConversionBasedUnitWithOffset"):
        factor = unit.ConversionFactor
        inner = unit_conversion(factor.UnitComponent)
        value = float(factor.ValueComponent.wrappedValue)
        return Conversion(value * inner.scale, inner.offset + float(unit.ConversionOffset) * inner.scale)
    if unit.is_a("IfcConversionBasedUnit"):
        factor = unit.ConversionFactor
        inner = unit_conversion(factor.UnitComponent)
        return Conversion(float(factor.ValueComponent.wrappedValue) * inner.scale, 0.0)
    if unit.is_a("IfcDerivedUnit"):
        powers = [(unit_conversion(e.Unit).scale, e.Exponent) for e in unit.Elements or ()]
        try:
            # Exactly, then rounded once: in floats a partial product can leave the range of
            # doubles (EXA m³ to the -3rd, twice, is 1e-324) though the whole one is within it.
            return Conversion(float(math.prod((Fraction(s) ** n for s, n in powers), start=Fraction(1))), 0.0)
        except (OverflowError, ValueError, ZeroDivisionError):  # infinite, NaN or zero scales
            scale = 1.0
            for factor, exponent in powers:
                scale *= factor**exponent
            return Conversion(scale, 0.0)
    return IDENTITY  # IfcMonetaryUnit and unknown kinds carry no SI scale


class UnitTable:
    """The project's default units, read once per model."""

    def __init__(self, ifc: ifcopenshell.file) -> None:
        self._by_type: dict[str, Conversion] = {}
        self._names: dict[str, str] = {}
        for project in ifc.by_type("IfcProject"):
            assignment = project.UnitsInContext
            if assignment is None:
                continue
            for unit in assignment.Units or ():
                unit_type = getattr(unit, "UnitType", None)
                if unit_type is None or unit_type == "USERDEFINED":
                    continue
                try:
                    self._by_type[unit_type] = unit_conversion(unit)
                except (AttributeError, TypeError, ValueError):
                    continue  # a malformed unit keeps the SI default rather than guessing
                self._names[unit_type] = _unit_label(unit)

    def conversion_for(self, unit_type: str) -> Conversion:
        return self._by_type.get(unit_type, IDENTITY)

    def label(self, unit_type: str) -> str | None:
        """The model's own unit for a unit type, as written in the file (e.g. "MILLI METRE")."""
        return self._names.get(unit_type)

    @property
    def length_scale(self) -> float:
        """Metres per model length unit."""
        return self.conversion_for("LENGTHUNIT").scale

    def to_si(
        self,
        measure: str | None,
        value: float,
        unit: ifcopenshell.entity_instance | None = None,
    ) -> tuple[float, str | None]:
        """A measure value in SI, and the SI symbol; values of dimensionless types pass through."""
        if measure is None or not isinstance(value, float | int) or isinstance(value, bool):
            return value, None
        unit_type = unit_type_of_measure(measure)
        if unit_type is None:
            return value, None
        conversion = unit_conversion(unit) if unit is not None else self.conversion_for(unit_type)
        converted = conversion.apply(float(value))
        if math.isfinite(converted) and conversion is not IDENTITY:
            return converted, SI_SYMBOLS.get(unit_type)
        return float(value), SI_SYMBOLS.get(unit_type)


def _unit_label(unit: ifcopenshell.entity_instance) -> str:
    if unit.is_a("IfcSIUnit"):
        return f"{unit.Prefix or ''} {unit.Name}".strip()
    return str(getattr(unit, "Name", None) or unit.is_a())
