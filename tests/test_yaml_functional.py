"""YAML syntax for bimcheck's own constructs: measure and related facets, key figures, manual requirements."""

from __future__ import annotations

import re
import textwrap
import typing
from pathlib import Path

import ifcopenshell.api
import pytest

from bimcheck.engine import evaluate
from bimcheck.errors import RuleError
from bimcheck.model.ifcmodel import open_model
from bimcheck.model.measures import MEASURES, SOURCES, Measured, MeasureDef
from bimcheck.model.spatial import RELATIONS as SPATIAL_RELATIONS
from bimcheck.results import Status
from bimcheck.rules.aggregates import FUNCTIONS, GROUP_WORDS, Aggregate
from bimcheck.rules.facets import AttributeFacet, EntityFacet, PropertyFacet
from bimcheck.rules.measure_facet import MeasureFacet
from bimcheck.rules.related import QUANTIFIERS, RelatedFacet
from bimcheck.rules.values import ValueSpec
from bimcheck.rules.yaml_format import load_yaml
from bimcheck.rules.yaml_schema import Function, MeasureSource, Quantifier, via_names
from tests.builders import ModelBuilder
from tests.test_yaml_format import (
    HEADER,
    first_line_number,
    readme_blocks,
    requirement_file,
    rule_error,
    write,
)

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "requirements" / "README.md"
SAMPLE = ROOT / "samples" / "demo-house.ifc"

SPACE = EntityFacet(name=ValueSpec(simple="IFCSPACE"))


def at_least(bound: str) -> ValueSpec:
    return ValueSpec(base="double", min_inclusive=bound)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> str:
    """A measure of doors with an argument and only a geometric source, whatever is registered."""

    def compute(model: object, element: object, source: str, args: object) -> Measured:
        return Measured(1.0, "m", "geometry: probe")

    name = "probe_depth"
    definition = MeasureDef(name, "m", ("IfcDoor",), "test", ("geometry",), compute, ("max_depth",))
    monkeypatch.setitem(MEASURES, name, definition)
    return name


# --- compilation ---------------------------------------------------------------------------------


def test_a_measure_facet_compiles_with_its_value_source_and_arguments(tmp_path: Path, probe: str) -> None:
    path = write(
        tmp_path,
        requirement_file(f"""\
            applicability:
              - entity: IfcDoor
            requirements:
              - measure:
                  name: {probe}
                  value: {{min: 1.50}}
                  source: geometry
                  arguments: {{max_depth: 2.0}}
                  instructions: Fri yta framför dörren.
            """),
    )
    (facet,) = load_yaml(path, {}).requirements[0].requirements
    assert facet == MeasureFacet(
        measure=probe,
        value=at_least("1.50"),
        source="geometry",
        arguments=(("max_depth", "2.0"),),
        instructions="Fri yta framför dörren.",
    )


def test_a_measure_named_alone_asks_only_that_it_can_be_determined(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        requirement_file("applicability:\n  - entity: IfcSpace\n  - measure: net_floor_area\n"),
    )
    assert load_yaml(path, {}).requirements[0].applicability == (SPACE, MeasureFacet("net_floor_area"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("7", ValueSpec(simple="7")),
        ("{one_of: [7, 9.5]}", ValueSpec(base="string", enumeration=("7", "9.5"))),
        ("{greater_than: 0, max: 1}", ValueSpec(base="double", min_exclusive="0", max_inclusive="1")),
    ],
)
def test_measure_values_are_numbers_kept_as_written(
    tmp_path: Path, written: str, expected: ValueSpec
) -> None:
    path = write(
        tmp_path,
        requirement_file(
            f"applicability:\n  - entity: IfcSpace\nrequirements:\n"
            f"  - measure: {{name: net_floor_area, value: {written}}}\n"
        ),
    )
    (facet,) = load_yaml(path, {}).requirements[0].requirements
    assert isinstance(facet, MeasureFacet)
    assert facet.value == expected


def test_a_related_facet_compiles_with_nested_facets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        requirement_file("""\
            applicability:
              - entity: IfcDoor
              - related:
                  via: host
                  where:
                    - entity: IfcWall
                    - property:
                        {property_set: Pset_WallCommon, name: FireRating, value: {pattern: "R?EI ?60"}}
                    - related:
                        {via: storey, quantifier: none, where: [{attribute: {name: Name, value: Plan 0}}]}
            requirements:
              - related:
                  via: spaces
                  count: {min: 1, max: 2}
                  cardinality: optional
                  instructions: Rumsgränser.
            """),
    )
    r = load_yaml(path, {}).requirements[0]
    assert r.applicability[1] == RelatedFacet(
        via="host",
        where=(
            EntityFacet(name=ValueSpec(simple="IFCWALL")),
            PropertyFacet(
                property_set=ValueSpec(simple="Pset_WallCommon"),
                base_name=ValueSpec(simple="FireRating"),
                value=ValueSpec(base="string", patterns=("R?EI ?60",)),
            ),
            RelatedFacet(
                via="storey",
                quantifier="none",
                where=(AttributeFacet(name=ValueSpec(simple="Name"), value=ValueSpec(simple="Plan 0")),),
            ),
        ),
    )
    assert r.requirements == (
        RelatedFacet(
            via="spaces",
            count=ValueSpec(base="double", min_inclusive="1", max_inclusive="2"),
            cardinality="optional",
            instructions="Rumsgränser.",
        ),
    )


def test_an_aggregate_compiles_to_a_key_figure(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        requirement_file("""\
            applicability:
              - entity: IfcSpace
            aggregate:
              function: ratio
              measure: net_floor_area
              source: property
              where:
                - attribute: {name: LongName, value: Sovrum}
              group_by: property:Pset_SpaceCommon.Reference
              value: {min: 0.2}
              name: Andel sovrum
            """),
    )
    r = load_yaml(path, {}).requirements[0]
    assert r.aggregate == Aggregate(
        function="ratio",
        measure="net_floor_area",
        source="property",
        where=(AttributeFacet(name=ValueSpec(simple="LongName"), value=ValueSpec(simple="Sovrum")),),
        group_by="property:Pset_SpaceCommon.Reference",
        value=at_least("0.2"),
        name="Andel sovrum",
    )
    assert r.requirements == ()
    assert not r.manual


def test_a_manual_requirement_compiles_with_or_without_elements_to_verify(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + textwrap.dedent("""\
            requirements:
              - id: M-1
                title: Primärenergital
                manual: true
              - id: M-2
                title: Direkt solljus
                manual: true
                applicability:
                  - entity: IfcSpace
            """),
    )
    first, second = load_yaml(path, {}).requirements
    assert (first.manual, first.applicability) == (True, ())
    assert (second.manual, second.applicability) == (True, (SPACE,))


def test_parameters_are_substituted_in_measure_values_and_arguments(tmp_path: Path, probe: str) -> None:
    text = HEADER + textwrap.dedent(f"""\
        parameters:
          depth: {{type: number, default: 1.5}}
          rooms: {{type: integer, default: 2}}
        requirements:
          - id: R-1
            title: Fritt djup ${{depth}} m
            applicability:
              - entity: IfcDoor
            requirements:
              - measure:
                  {{name: {probe}, value: {{min: "${{depth}}"}}, arguments: {{max_depth: "${{depth}}"}}}}
              - related: {{via: spaces, count: "${{rooms}}"}}
        """)
    r = load_yaml(write(tmp_path, text), {"depth": "1.3"}).requirements[0]
    measure, related = r.requirements
    assert isinstance(measure, MeasureFacet)
    assert isinstance(related, RelatedFacet)
    assert (measure.value, measure.arguments) == (at_least("1.3"), (("max_depth", "1.3"),))
    assert related.count == ValueSpec(simple="2")
    assert r.title == "Fritt djup 1.3 m"


def test_the_closed_vocabularies_are_those_of_the_engine() -> None:
    assert typing.get_args(MeasureSource) == SOURCES
    assert typing.get_args(Quantifier) == QUANTIFIERS
    assert typing.get_args(Function) == FUNCTIONS


@pytest.mark.parametrize("via", via_names())
def test_every_relation_the_spatial_index_follows_can_be_written(tmp_path: Path, via: str) -> None:
    start = SPATIAL_RELATIONS[via].starts_from[0]
    path = write(
        tmp_path, requirement_file(f"applicability:\n  - entity: {start}\n  - related: {{via: {via}}}\n")
    )
    assert load_yaml(path, {}).requirements[0].applicability[1] == RelatedFacet(via=via)


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_every_registered_measure_can_be_written_for_the_classes_it_applies_to(
    tmp_path: Path, name: str
) -> None:
    definition = MEASURES[name]
    classes = ", ".join(definition.applies_to)
    path = write(
        tmp_path,
        requirement_file(
            f"applicability:\n  - entity: {{name: {{one_of: [{classes}]}}}}\n"
            f"requirements:\n  - measure: {{name: {name}, value: {{min: 0}}}}\n",
            header=HEADER.replace("[IFC4]", "[IFC4, IFC4X3]"),
        ),
    )
    assert load_yaml(path, {}).requirements[0].requirements == (MeasureFacet(name, at_least("0")),)


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "applicability:\n  - entity: IfcSpace\nrequirements:\n  - measure: {name: net_flor_area}\n",
            10,
            "measure.name: unknown measure 'net_flor_area' (did you mean 'net_floor_area'?); known: ",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - measure: {name: net_floor_area, valeu: 7}\n",
            9,
            "measure.valeu: unknown key (did you mean 'value'?)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n"
            "  - measure: {name: net_floor_area, value: {pattern: '1.*'}}\n",
            9,
            "pattern cannot constrain a number",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - measure: {name: net_floor_area, value: sju}\n",
            9,
            "'sju' is not a number",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - measure: {name: net_floor_area, source: drawing}\n",
            9,
            "source: input should be 'auto', 'property' or 'geometry'",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n"
            "  - measure: {name: net_floor_area, arguments: {depth: 1}}\n",
            9,
            "measure net_floor_area has no argument depth (it takes no arguments)",
        ),
        (
            "applicability:\n  - entity: IfcDoor\nrequirements:\n"
            "  - measure: {name: net_floor_area, value: {min: 7}}\n",
            10,
            "measure net_floor_area is defined for IfcSpace, not IfcDoor (in IFC4)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related: {via: hots}\n",
            9,
            "related.via: unknown relation 'hots' (did you mean 'host'?); known: ",
        ),
        (
            "applicability:\n  - entity: IfcDoor\n  - related: {via: windows}\n",
            9,
            "relation windows is defined for IfcSpace, not IfcDoor (in IFC4)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related: {via: windows, arguments: {depth: 1}}\n",
            9,
            "relation windows has no argument depth (it takes method, tolerance)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related: {via: windows, arguments: {method: guess}}\n",
            9,
            "method 'guess' is not one of auto, relationships, geometry",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n"
            "  - related: {via: windows, arguments: {tolerance: '1,5'}}\n",
            9,
            "'1,5' is not a number (use a decimal point, not a comma)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related: {via: windows, quantifier: all, count: 1}\n",
            9,
            "give either quantifier or count, not both",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related: {via: windows, count: {min: 1.5}}\n",
            9,
            "'1.5' is not a whole number",
        ),
        (
            "applicability:\n  - entity: IfcSpace\nrequirements:\n"
            "  - related: {via: windows, cardinality: prohibited}\n",
            10,
            "cardinality: input should be 'required' or 'optional'",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related: {via: windows, cardinality: optional}\n",
            9,
            "cardinality applies only to facets under requirements",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related:\n      via: windows\n      where:\n"
            "        - attribute: {name: Name, cardinality: optional}\n",
            12,
            "cardinality applies only to facets under requirements (applicability and `where` facets select)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related:\n      via: windows\n      where:\n"
            "        - entity: IfcWindw\n",
            12,
            '"IFCWINDW" is not an IFC class in IFC4',
        ),
        (
            "applicability:\n  - entity: IfcDoor\n  - related:\n      via: host\n      where:\n"
            "        - entity: IfcWall\n"
            "        - property: {property_set: Pset_WallCommon, name: Firerating}\n",
            13,
            "has no property 'Firerating' in its template (did you mean 'FireRating'?)",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related:\n      via: doors\n      where:\n"
            "        - entity: IfcDoor\n        - attribute: {name: LongName}\n",
            13,
            "IfcDoor has no attribute LongName in IFC4",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n  - related:\n      via: doors\n      where:\n"
            "        - entity: IfcDoor\n        - measure: {name: net_floor_area}\n",
            13,
            "measure net_floor_area is defined for IfcSpace, not IfcDoor",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate: {function: count, measure: net_floor_area}\n",
            9,
            "count counts elements: it takes no measure",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate: {function: sum}\n",
            9,
            "sum needs a measure to sum",
        ),
        (
            "applicability:\n  - entity: IfcSpace\n"
            "aggregate:\n  function: count\n  where: [{entity: IfcSpace}]\n",
            9,
            "where selects the part of a ratio",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate: {function: ratio}\n",
            9,
            "ratio divides the part that matches `where` by the whole: give where",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate: {function: median, measure: net_floor_area}\n",
            9,
            "function: input should be 'count', 'sum', 'min', 'max', 'mean' or 'ratio'",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate: {function: count, group_by: våning}\n",
            9,
            "group_by 'våning' is not one of storey, zone",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate: {function: count, source: geometry}\n",
            9,
            "source and arguments apply to a measure: name one",
        ),
        (
            "applicability:\n  - entity: IfcDoor\naggregate:\n  function: sum\n  measure: net_floor_area\n",
            11,
            "measure net_floor_area is defined for IfcSpace, not IfcDoor",
        ),
        (
            "applicability:\n  - entity: IfcSpace\naggregate:\n  function: ratio\n  where:\n"
            "    - property: {property_set: Pset_SpaceCommon, name: IsExtrnal}\n",
            12,
            "has no property 'IsExtrnal' in its template (did you mean 'IsExternal'?)",
        ),
        (
            "applies: prohibited\napplicability:\n  - entity: IfcSpace\naggregate: {function: count}\n",
            10,
            "applies: prohibited means no element may match the applicability, so it has no aggregate",
        ),
        (
            "manual: true\napplicability:\n  - entity: IfcSpace\n"
            "requirements:\n  - attribute: {name: Name}\n",
            10,
            "manual: true means the requirement is verified by hand, so it has no requirements",
        ),
        (
            "manual: true\naggregate: {function: count}\n",
            8,
            "manual: true means the requirement is verified by hand, so it has no aggregate",
        ),
        (
            "manual: ja\n",
            7,
            "manual: input should be a valid boolean",
        ),
    ],
)
def test_errors_in_the_extensions_name_the_file_and_the_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    error = rule_error(write(tmp_path, requirement_file(body)))
    assert message in error.one_line()
    assert first_line_number(error) == line


def test_a_measure_outside_the_selected_classes_is_refused_per_schema(tmp_path: Path) -> None:
    # IFC4X3 has no IfcDoorStandardCase, so only IFC4 can be named; the audit reports the other.
    body = (
        "ifc_versions: [IFC4]\napplicability:\n"
        "  - entity: {name: {one_of: [IfcSpace, IfcDoorStandardCase]}}\n"
        "requirements:\n  - measure: net_floor_area\n"
    )
    error = rule_error(write(tmp_path, requirement_file(body)))
    assert "defined for IfcSpace, not IfcDoorStandardCase (in IFC4)" in error.one_line()


def test_a_pattern_on_the_class_leaves_the_measure_unchecked(tmp_path: Path) -> None:
    body = "applicability:\n  - entity: {name: {pattern: 'IFC.*'}}\n  - measure: net_floor_area\n"
    assert load_yaml(write(tmp_path, requirement_file(body)), {}).requirements


def test_a_requirement_needs_an_applicability_unless_it_is_manual(tmp_path: Path) -> None:
    error = rule_error(write(tmp_path, HEADER + "requirements:\n  - id: R-1\n    title: T\n"))
    assert first_line_number(error) == 5
    assert "missing required key 'applicability' (only a manual requirement may leave it out)" in str(
        error.one_line()
    )


def test_a_measure_source_the_measure_lacks_is_refused(tmp_path: Path, probe: str) -> None:
    body = f"applicability:\n  - entity: IfcDoor\n  - measure: {{name: {probe}, source: property}}\n"
    error = rule_error(write(tmp_path, requirement_file(body)))
    assert first_line_number(error) == 9
    assert f"measure {probe} cannot be taken from property: it has geometry" in error.one_line()


def test_a_requirement_selecting_only_by_measure_still_has_its_ids_facets_audited(tmp_path: Path) -> None:
    body = (
        "applicability:\n  - measure: net_floor_area\nrequirements:\n"
        "  - property: {property_set: Pset_SpaceCommon, name: IsExternal, data_type: IfcLable}\n"
    )
    error = rule_error(write(tmp_path, requirement_file(body)))
    assert first_line_number(error) == 10
    assert 'dataType "IFCLABLE" is not an IFC data type' in error.one_line()


# --- evaluation of what was written --------------------------------------------------------------


def rooms_model(tmp_path: Path) -> Path:
    """Two rooms in one dwelling zone (7.5 and 5 m²) and a storage room outside it (no area)."""
    b = ModelBuilder()
    storey = b.storeys["Plan 1"]
    spaces = []
    for label, long_name, area in (("a", "Sovrum", 7.5), ("b", "Sovrum", 5.0), ("c", "Förråd", None)):
        space = b.create("IfcSpace", label, guid=label, LongName=long_name)
        ifcopenshell.api.run("aggregate.assign_object", b.file, relating_object=storey, products=[space])
        if area is not None:
            b.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": area})
        spaces.append(space)
    zone = b.create("IfcZone", "1001", guid="zone", ObjectType="Lägenhet")
    ifcopenshell.api.run("group.assign_group", b.file, group=zone, products=spaces[:2])
    return b.save(tmp_path / "rooms.ifc")


def test_written_functional_requirements_evaluate_as_the_engine_defines(tmp_path: Path) -> None:
    text = HEADER + textwrap.dedent("""\
        requirements:
          - id: AREA
            title: Sovrum minst 7 m²
            applicability:
              - entity: IfcSpace
              - attribute: {name: LongName, value: Sovrum}
            requirements:
              - measure: {name: net_floor_area, value: {min: 7}}
          - id: IN-DWELLING
            title: Rum i lägenhet
            applicability:
              - entity: IfcSpace
            requirements:
              - related: {via: zone, where: [{attribute: {name: ObjectType, value: Lägenhet}}]}
          - id: BOA
            title: Area per lägenhet
            applicability:
              - entity: IfcSpace
              - related: {via: zone, count: {min: 1}}
            aggregate: {function: sum, measure: net_floor_area, group_by: zone, name: BOA}
          - id: MANUAL
            title: Solljus
            manual: true
            applicability:
              - entity: IfcSpace
              - attribute: {name: LongName, value: Sovrum}
        """)
    rules = load_yaml(write(tmp_path, text), {})
    model = open_model(rooms_model(tmp_path))
    results = {r.id: evaluate(model, r) for r in rules.requirements}

    def statuses(requirement_id: str) -> dict[str | None, str]:
        return {e.name: e.status.value for e in results[requirement_id].elements}

    assert results["AREA"].status is Status.FAIL
    assert statuses("AREA") == {"a": "pass", "b": "fail"}
    assert statuses("IN-DWELLING") == {"a": "pass", "b": "pass", "c": "fail"}
    (figure,) = results["BOA"].key_figures
    assert (figure.name, figure.group, figure.value, figure.unit) == ("BOA", "1001", 12.5, "m2")
    assert results["BOA"].status is Status.NOT_APPLICABLE  # a key figure without a bound
    assert results["MANUAL"].status is Status.MANUAL
    assert statuses("MANUAL") == {"a": "manual", "b": "manual"}


# --- the README's examples ------------------------------------------------------------------------


def test_the_readme_documents_every_extension_with_an_example() -> None:
    examples = "\n".join(readme_blocks("requirement"))
    for construct in ("- measure:", "- related:", "aggregate:", "manual: true", "group_by:", "count:"):
        assert construct in examples, construct


def test_the_readme_measure_table_lists_exactly_the_registered_measures() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"\| measure \| of \| unit \| what \|\n\|[-|]+\|\n((?:\|.*\|\n)+)", text)
    assert table, "measure table not found"
    documented = {
        name
        for row in re.findall(r"^\| ([^|]+) \|", table.group(1), re.M)
        for name in re.findall(r"`(\w+)`", row)
    }
    assert documented == set(MEASURES)


def test_the_readme_relation_table_lists_the_relations() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"\| `via` \| from \| to \|\n\|[-|]+\|\n((?:\|.*\|\n)+)", text)
    assert table, "relation table not found"
    documented = {
        name
        for row in re.findall(r"^\| ([^|]+) \|", table.group(1), re.M)
        for name in re.findall(r"`(\w+)`", row)
    }
    assert documented == set(via_names())


def test_the_readme_group_words_are_the_engine_s() -> None:
    text = README.read_text(encoding="utf-8")
    for word in GROUP_WORDS:
        assert word in text, word


@pytest.mark.parametrize(
    "example", [e for e in readme_blocks("requirement") if re.search(r"measure|related|aggregate|manual", e)]
)
def test_readme_functional_examples_run_on_the_sample_without_errors(tmp_path: Path, example: str) -> None:
    rules = load_yaml(write(tmp_path, requirement_file(example)), {})
    model = open_model(SAMPLE)
    result = evaluate(model, rules.requirements[0])
    assert result.status is not Status.ERROR, result.message
    assert all(e.status is not Status.ERROR for e in result.elements)


def test_an_unknown_measure_error_lists_what_is_known(tmp_path: Path) -> None:
    body = "applicability:\n  - entity: IfcSpace\n  - measure: floor_area\n"
    error = rule_error(write(tmp_path, requirement_file(body)))
    assert isinstance(error, RuleError)
    assert "net_floor_area" in error.one_line()
