"""Unit conversion: every measure value reaches the facets in SI units (metre, m², m³, kg…).

Expected factors are the definitions of the units (1 in = 0.0254 m, 1 ft = 0.3048 m,
1 ft² = 0.09290304 m²) and powers of SI prefixes worked out by hand.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.ifcopenshell_wrapper as wrapper
import ifcopenshell.util.unit
import pytest

from bimcheck.model.units import UnitTable, unit_conversion, unit_type_of_measure
from tests.builders import ModelBuilder


def _si(builder: ModelBuilder, unit_type: str, prefix: str | None, name: str):
    return builder.file.createIfcSIUnit(None, unit_type, prefix, name)


def _values(builder: ModelBuilder, element, pset: str) -> dict[str, tuple[object, str | None]]:
    """Property name -> (first value in SI, SI symbol), read through bimcheck's property index."""
    props = builder.model().properties.psets(element)[pset]
    return {name: (p.values[0].value, p.values[0].unit) for name, p in props.items()}


# --- SI units and prefixes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "name", "scale"),
    [
        (None, "METRE", 1.0),
        ("MILLI", "METRE", 1e-3),
        ("CENTI", "METRE", 1e-2),
        ("KILO", "METRE", 1e3),
        ("MILLI", "SQUARE_METRE", 1e-6),  # (mm)² = (1e-3 m)²
        ("CENTI", "SQUARE_METRE", 1e-4),  # (cm)² = (1e-2 m)²
        ("MILLI", "CUBIC_METRE", 1e-9),  # (mm)³ = (1e-3 m)³
        ("DECI", "CUBIC_METRE", 1e-3),  # a litre
        ("KILO", "GRAM", 1.0),  # the kilogram is the SI base unit of mass
        (None, "GRAM", 1e-3),
        ("KILO", "PASCAL", 1e3),  # the prefix scales non-length units linearly
        ("MEGA", "JOULE", 1e6),
    ],
)
def test_si_prefixes_scale_the_base_unit_before_any_power(
    prefix: str | None, name: str, scale: float
) -> None:
    builder = ModelBuilder()
    conversion = unit_conversion(_si(builder, "LENGTHUNIT", prefix, name))
    assert conversion.scale == pytest.approx(scale, rel=1e-12)
    assert conversion.offset == 0.0


def test_degrees_celsius_convert_to_kelvin_with_an_offset() -> None:
    builder = ModelBuilder()
    conversion = unit_conversion(_si(builder, "THERMODYNAMICTEMPERATUREUNIT", None, "DEGREE_CELSIUS"))
    assert conversion.apply(20.0) == pytest.approx(293.15)  # 20 °C = 293.15 K


def test_measure_names_map_to_unit_types_in_any_case() -> None:
    # Quantities name their measure in uppercase (IFCLENGTHMEASURE); properties in proper case.
    assert unit_type_of_measure("IfcLengthMeasure") == "LENGTHUNIT"
    assert unit_type_of_measure("IFCLENGTHMEASURE") == "LENGTHUNIT"
    assert unit_type_of_measure("IFCPOSITIVELENGTHMEASURE") == "LENGTHUNIT"
    assert unit_type_of_measure("IfcNonNegativeLengthMeasure") == "LENGTHUNIT"
    assert unit_type_of_measure("IFCAREAMEASURE") == "AREAUNIT"
    assert unit_type_of_measure("IfcThermalTransmittanceMeasure") == "THERMALTRANSMITTANCEUNIT"


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3_ADD2"])
def test_every_measure_type_maps_like_ifcopenshell_maps_its_proper_name(schema: str) -> None:
    # Independent reference: ifcopenshell's own helper on the proper-case name.
    measures = [
        d.name() for d in wrapper.schema_by_name(schema).declarations() if d.name().endswith("Measure")
    ]
    assert len(measures) > 40
    for name in measures:
        expected = ifcopenshell.util.unit.get_measure_unit_type(name)
        assert unit_type_of_measure(name) == expected, name
        assert unit_type_of_measure(name.upper()) == expected, name


# --- project units applied to values -----------------------------------------------------


def test_a_length_property_in_a_millimetre_model_is_read_in_metres() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    wall = builder.element("IfcWall", "W")
    builder.pset(wall, "Pset_Custom", {"Height": builder.file.createIfcLengthMeasure(2400.0)})
    assert _values(builder, wall, "Pset_Custom")["Height"] == (pytest.approx(2.4), "m")


def test_quantities_in_a_millimetre_model_are_read_in_metres_square_metres_and_cubic_metres() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    builder.set_unit(_si(builder, "AREAUNIT", "MILLI", "SQUARE_METRE"))
    builder.set_unit(_si(builder, "VOLUMEUNIT", "MILLI", "CUBIC_METRE"))
    space = builder.create("IfcSpace", "Bedroom")
    builder.qto(
        space,
        "Qto_SpaceBaseQuantities",
        {"Height": 2400.0, "NetFloorArea": 12_000_000.0, "NetVolume": 2.88e10},
    )
    values = _values(builder, space, "Qto_SpaceBaseQuantities")
    assert values["Height"] == (pytest.approx(2.4), "m")  # 2400 mm
    assert values["NetFloorArea"] == (pytest.approx(12.0), "m2")  # 12e6 mm² · 1e-6
    assert values["NetVolume"] == (pytest.approx(28.8), "m3")  # 2.88e10 mm³ · 1e-9


def test_a_mass_in_kilograms_stays_in_kilograms() -> None:
    builder = ModelBuilder()
    builder.set_unit(_si(builder, "MASSUNIT", "KILO", "GRAM"))
    beam = builder.element("IfcBeam", "B")
    builder.pset(beam, "Pset_Custom", {"Mass": builder.file.createIfcMassMeasure(5.0)})
    builder.qto(beam, "Qto_BeamBaseQuantities", {"NetWeight": 5.0})
    assert _values(builder, beam, "Pset_Custom")["Mass"] == (pytest.approx(5.0), "kg")
    assert _values(builder, beam, "Qto_BeamBaseQuantities")["NetWeight"] == (pytest.approx(5.0), "kg")


@pytest.mark.parametrize(
    ("unit_name", "value", "metres"),
    [
        ("inch", 36.0, 0.9144),  # 36 · 0.0254
        ("foot", 8.0, 2.4384),  # 8 · 0.3048
    ],
)
def test_conversion_based_length_units_convert_to_metres(unit_name: str, value: float, metres: float) -> None:
    builder = ModelBuilder()
    builder.set_unit(ifcopenshell.api.run("unit.add_conversion_based_unit", builder.file, name=unit_name))
    door = builder.element("IfcDoor", "D")
    builder.pset(door, "Pset_Custom", {"Width": builder.file.createIfcPositiveLengthMeasure(value)})
    assert _values(builder, door, "Pset_Custom")["Width"] == (pytest.approx(metres), "m")


def test_a_conversion_based_area_unit_converts_to_square_metres() -> None:
    builder = ModelBuilder()
    builder.set_unit(ifcopenshell.api.run("unit.add_conversion_based_unit", builder.file, name="square foot"))
    space = builder.create("IfcSpace", "Office")
    builder.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": 100.0})
    # 100 ft² · 0.09290304 = 9.290304 m²
    assert _values(builder, space, "Qto_SpaceBaseQuantities")["NetFloorArea"] == (
        pytest.approx(9.290304),
        "m2",
    )


def test_a_conversion_based_unit_over_a_prefixed_unit_multiplies_both_factors() -> None:
    # A "tonne" defined as 1000 KILO GRAM: 2.5 t = 2500 kg.
    builder = ModelBuilder()
    kilogram = _si(builder, "MASSUNIT", "KILO", "GRAM")
    factor = builder.file.createIfcMeasureWithUnit(builder.file.createIfcMassMeasure(1000.0), kilogram)
    dimensions = builder.file.createIfcDimensionalExponents(0, 1, 0, 0, 0, 0, 0)
    tonne = builder.file.createIfcConversionBasedUnit(dimensions, "MASSUNIT", "tonne", factor)
    assert unit_conversion(tonne).apply(2.5) == pytest.approx(2500.0)


def test_a_derived_unit_multiplies_its_elements_raised_to_their_exponents() -> None:
    # g/cm³: 1e-3 kg / (1e-2 m)³ = 1e-3 / 1e-6 = 1000 kg/m³; concrete at 2.4 g/cm³ is 2400 kg/m³.
    builder = ModelBuilder()
    gram = _si(builder, "MASSUNIT", None, "GRAM")
    centimetre = _si(builder, "LENGTHUNIT", "CENTI", "METRE")
    density = builder.file.createIfcDerivedUnit(
        (
            builder.file.createIfcDerivedUnitElement(gram, 1),
            builder.file.createIfcDerivedUnitElement(centimetre, -3),
        ),
        "MASSDENSITYUNIT",
        None,
    )
    assert unit_conversion(density).scale == pytest.approx(1000.0)
    builder.set_unit(density)
    slab = builder.element("IfcSlab", "S")
    builder.pset(slab, "Pset_Custom", {"Density": builder.file.createIfcMassDensityMeasure(2.4)})
    assert _values(builder, slab, "Pset_Custom")["Density"] == (pytest.approx(2400.0), "kg/m3")


def test_a_property_with_its_own_unit_ignores_the_project_unit() -> None:
    # A metre project, but this property says it is in millimetres: 900 mm = 0.9 m.
    builder = ModelBuilder()
    door = builder.element("IfcDoor", "D")
    pset = builder.pset(door, "Pset_Custom", {"ClearWidth": builder.file.createIfcLengthMeasure(900.0)})
    pset.HasProperties[0].Unit = _si(builder, "LENGTHUNIT", "MILLI", "METRE")
    assert _values(builder, door, "Pset_Custom")["ClearWidth"] == (pytest.approx(0.9), "m")


def test_values_without_a_unit_type_are_left_as_they_are() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    wall = builder.element("IfcWall", "W")
    builder.pset(
        wall,
        "Pset_Custom",
        {"Count": builder.file.createIfcInteger(3), "Ratio": builder.file.createIfcRatioMeasure(0.5)},
    )
    values = _values(builder, wall, "Pset_Custom")
    assert values["Count"] == (3, None)
    assert values["Ratio"] == (0.5, None)


def test_the_unit_table_reads_the_project_units_once() -> None:
    builder = ModelBuilder(length_unit="MILLIMETRE")
    table = UnitTable(builder.file)
    assert table.length_scale == pytest.approx(0.001)
    assert table.label("LENGTHUNIT") == "MILLI METRE"
    assert table.to_si("IfcLengthMeasure", 2400.0) == (pytest.approx(2.4), "m")
    assert table.to_si(None, 2400.0) == (2400.0, None)
    assert table.conversion_for("MASSUNIT").scale == 1.0  # no mass unit declared: SI assumed


def test_a_model_without_units_is_read_as_si() -> None:
    file = ifcopenshell.file(schema="IFC4")
    file.createIfcProject(ifcopenshell.guid.new(), None, "P")
    assert UnitTable(file).to_si("IfcLengthMeasure", 2.4) == (2.4, "m")
