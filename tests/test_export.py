"""Publishing requirements: the IDS export, the requirement appendix and `bimcheck rules export`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.errors import InputError, RuleError
from bimcheck.model.measures import MEASURES
from bimcheck.model.spatial import RELATIONS
from bimcheck.procurement.appendix import STRINGS, build, render_html, render_markdown
from bimcheck.procurement.export import (
    Publication,
    export_ids,
    ids_obstacles,
    load_publication,
    publish,
    standards_referenced,
)
from bimcheck.procurement.wording import MEASURE_LABELS, RELATION_LABELS, Wording
from bimcheck.results import RuleSourceInfo
from bimcheck.rules.facets import AttributeFacet, EntityFacet
from bimcheck.rules.ids import load_ids, secure_parser, xsd_issues
from bimcheck.rules.ids_audit import audit_tree
from bimcheck.rules.requirement import Requirement, RuleSet
from bimcheck.rules.values import ValueSpec
from bimcheck.rules.yaml_format import load_yaml, parameter_declarations

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "requirements").glob("*.yaml"))
NS = {"ids": "http://standards.buildingsmart.org/IDS", "xs": "http://www.w3.org/2001/XMLSchema"}
DATE = "2025-09-01"

# One requirement per IDS facet kind and cardinality, values of every restriction kind, and
# four that IDS cannot express (a measure, a relation, a key figure, a manual check).
RULES = """\
bimcheck: 1
title: Exportprov
version: "2.1"
language: sv
ifc_versions: [IFC4, IFC4X3]
parameters:
  u_max:
    type: number
    default: 0.18
    unit: W/m²K
    description: Högsta U-värde.
  rating:
    type: text
    default: "60|90"
    unit: min
    description: Godtagna brandmotståndstider.
  width_min:
    type: number
    default: 0.80
    unit: m
    description: Minsta fria bredd.
requirements:
  - id: EX-WALL-01
    title: Ytterväggar U-värde högst ${u_max}
    description: Ytterväggar ska redovisa U-värde.
    motive: Låga värmeförluster.
    regulation:
      reference: BBR 29 9:92
      edition: BBR 29 (BFS 2011:6 t.o.m. BFS 2020:4)
      url: https://www.boverket.se/
    verification: Automatisk modellkontroll; U-värdesberäkning enligt SS-EN ISO 6946.
    instructions: Ange U-värdet på väggtypen.
    kind: mandatory
    applicability:
      - entity: {name: IfcWall, predefined_type: SOLIDWALL}
      - property: {property_set: Pset_WallCommon, name: IsExternal, value: true}
    requirements:
      - property:
          property_set: Pset_WallCommon
          name: ThermalTransmittance
          data_type: IfcThermalTransmittanceMeasure
          value: {min: 0, max: "${u_max}"}
          uri: https://identifier.buildingsmart.org/uri/buildingsmart/ifc/4.3/prop/ThermalTransmittance
          instructions: U-värde enligt SS-EN ISO 6946.
  - id: EX-WALL-02
    title: Väggar brandklass
    kind: mandatory
    applies: optional
    applicability:
      - entity: {name: {pattern: "IFCWALL(STANDARDCASE)?"}}
      - classification: {system: CoClass}
    requirements:
      - property:
          property_set: Pset_WallCommon
          name: FireRating
          value: {pattern: "R?EI ?(${rating})"}
      - attribute: {name: Description, value: {min_length: 3, max_length: 40}, cardinality: optional}
      - material: {value: {one_of: [Betong, Trä]}}
      - classification: {system: CoClass, value: {pattern: "[A-Z]{3}"}}
  - id: EX-SPACE-01
    title: Rum i våningsplan
    kind: scored
    weight: 2.5
    applicability:
      - entity: IfcSpace
    requirements:
      - part_of: {entity: IfcBuildingStorey, relation: IFCRELAGGREGATES}
      - attribute: {name: Name, value: {length: 4}}
      - property: {property_set: Pset_SpaceCommon, name: IsExternal, cardinality: prohibited}
  - id: EX-PROXY-01
    title: Inga proxyobjekt
    kind: scored
    applies: prohibited
    applicability:
      - entity: IfcBuildingElementProxy
  - id: EX-DOOR-01
    title: Dörrar fri bredd
    motive: Tillgänglighet.
    applicability:
      - entity: IfcDoor
    requirements:
      - measure: {name: clear_width, value: {min: "${width_min}"}}
  - id: EX-DOOR-02
    title: Dörrar i brandväggar
    applicability:
      - entity: IfcDoor
      - related:
          via: host
          where:
            - entity: IfcWall
            - measure: {name: wall_thickness, value: {min: 0.2}}
    requirements:
      - property: {property_set: Pset_DoorCommon, name: FireRating}
  - id: EX-COUNT-01
    title: Antal dörrar
    applicability:
      - entity: IfcDoor
    aggregate: {function: count, name: Antal dörrar, value: {min: 1}}
  - id: EX-MAN-01
    title: Energiberäkning
    manual: true
    verification: Energiberäkning bifogas anbudet.
    applicability:
      - entity: IfcBuilding
"""
EXPRESSIBLE = ["EX-WALL-01", "EX-WALL-02", "EX-SPACE-01", "EX-PROXY-01"]
NOT_EXPRESSIBLE = ["EX-DOOR-01", "EX-DOOR-02", "EX-COUNT-01", "EX-MAN-01"]


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "exportprov.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def _publication(path: Path, **overrides: str) -> Publication:
    return load_publication([path], overrides, date=DATE, author="inkop@kommun.se", milestone="anbud")


def _tree(data: bytes) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(data, secure_parser()))


def _spec(tree: etree._ElementTree, identifier: str) -> etree._Element:
    found = tree.find(f"ids:specifications/ids:specification[@identifier='{identifier}']", NS)
    assert found is not None, identifier
    return found


def _valid(data: bytes) -> None:
    tree = _tree(data)
    assert xsd_issues(tree) == []
    assert [i for i in audit_tree(tree) if i.severity == "error"] == []


# --- the IDS -----------------------------------------------------------------------------------


def test_the_ids_holds_the_expressible_requirements_with_ids_titles_versions_and_cardinalities(
    rules_file: Path,
) -> None:
    result = export_ids(_publication(rules_file), "sv")
    _valid(result.data)
    tree = _tree(result.data)
    specs = tree.findall("ids:specifications/ids:specification", NS)
    assert [s.get("identifier") for s in specs] == EXPRESSIBLE
    assert list(result.exported) == EXPRESSIBLE
    wall = _spec(tree, "EX-WALL-01")
    assert wall.get("name") == "Ytterväggar U-värde högst 0.18"
    assert wall.get("ifcVersion") == "IFC4 IFC4X3_ADD2"  # IDS's name for IFC 4.3
    assert wall.get("instructions") == "Ange U-värdet på väggtypen."
    occurs = {
        s.get("identifier"): (
            s.find("ids:applicability", NS).get("minOccurs"),  # type: ignore[union-attr]
            s.find("ids:applicability", NS).get("maxOccurs"),  # type: ignore[union-attr]
        )
        for s in specs
    }
    assert occurs == {
        "EX-WALL-01": ("1", "unbounded"),  # required
        "EX-WALL-02": ("0", "unbounded"),  # optional
        "EX-SPACE-01": ("1", "unbounded"),
        "EX-PROXY-01": ("0", "0"),  # prohibited
    }
    assert _spec(tree, "EX-PROXY-01").find("ids:requirements", NS) is None


def test_every_ids_facet_kind_and_restriction_is_written_as_the_ids_schema_has_it(rules_file: Path) -> None:
    tree = _tree(export_ids(_publication(rules_file)).data)
    wall = _spec(tree, "EX-WALL-01")
    entity = wall.find("ids:applicability/ids:entity", NS)
    assert entity is not None
    assert entity.findtext("ids:name/ids:simpleValue", namespaces=NS) == "IFCWALL"
    assert entity.findtext("ids:predefinedType/ids:simpleValue", namespaces=NS) == "SOLIDWALL"
    prop = wall.find("ids:requirements/ids:property", NS)
    assert prop is not None
    assert prop.get("dataType") == "IFCTHERMALTRANSMITTANCEMEASURE"
    assert prop.get("uri", "").endswith("/prop/ThermalTransmittance")
    assert prop.get("instructions") == "U-värde enligt SS-EN ISO 6946."
    assert prop.get("cardinality") is None  # required is the IDS default
    bounds = prop.find("ids:value/xs:restriction", NS)
    assert bounds is not None
    assert bounds.get("base") == "xs:double"
    assert [(etree.QName(c).localname, c.get("value")) for c in bounds] == [
        ("minInclusive", "0"),
        ("maxInclusive", "0.18"),  # the parameter's value, substituted
    ]
    fire = _spec(tree, "EX-WALL-02")
    pattern = fire.find("ids:applicability/ids:entity/ids:name/xs:restriction/xs:pattern", NS)
    assert pattern is not None
    assert pattern.get("value") == "IFCWALL(STANDARDCASE)?"
    # The applicability is written in the XSD's order: entity before classification.
    assert [etree.QName(f).localname for f in fire.find("ids:applicability", NS)] == [  # type: ignore[union-attr]
        "entity",
        "classification",
    ]
    kinds = [(etree.QName(f).localname, f.get("cardinality")) for f in fire.find("ids:requirements", NS)]  # type: ignore[union-attr]
    assert kinds == [
        ("property", None),
        ("attribute", "optional"),
        ("material", None),
        ("classification", None),
    ]
    rating = fire.find("ids:requirements/ids:property/ids:value/xs:restriction/xs:pattern", NS)
    assert rating is not None
    assert rating.get("value") == "R?EI ?(60|90)"
    lengths = fire.find("ids:requirements/ids:attribute/ids:value/xs:restriction", NS)
    assert lengths is not None
    assert [(etree.QName(c).localname, c.get("value")) for c in lengths] == [
        ("minLength", "3"),
        ("maxLength", "40"),
    ]
    enumeration = fire.findall("ids:requirements/ids:material/ids:value/xs:restriction/xs:enumeration", NS)
    assert [e.get("value") for e in enumeration] == ["Betong", "Trä"]
    code = fire.find("ids:requirements/ids:classification", NS)
    assert code is not None
    assert [etree.QName(c).localname for c in code] == ["value", "system"]  # XSD order
    space = _spec(tree, "EX-SPACE-01")
    part_of = space.find("ids:requirements/ids:partOf", NS)
    assert part_of is not None
    assert part_of.get("relation") == "IFCRELAGGREGATES"
    assert part_of.findtext("ids:entity/ids:name/ids:simpleValue", namespaces=NS) == "IFCBUILDINGSTOREY"
    length = space.find("ids:requirements/ids:attribute/ids:value/xs:restriction/xs:length", NS)
    assert length is not None
    assert length.get("value") == "4"
    prohibited = space.find("ids:requirements/ids:property", NS)
    assert prohibited is not None
    assert prohibited.get("cardinality") == "prohibited"


def test_the_exported_ids_loads_back_as_the_requirements_the_yaml_compiles_to(
    rules_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "export.ids"
    path.write_bytes(export_ids(_publication(rules_file)).data)
    yaml = {r.id: r for r in load_yaml(rules_file, {}).requirements}
    for loaded in load_ids(path).requirements:
        original = yaml[loaded.id]
        assert loaded.requirements == original.requirements
        assert loaded.applicability == original.applicability
        assert loaded.cardinality == original.cardinality
        assert loaded.title == original.title


def test_the_info_block_names_the_set_its_files_parameters_and_purpose(rules_file: Path) -> None:
    tree = _tree(export_ids(_publication(rules_file, u_max="0.15"), "sv").data)
    info = tree.find("ids:info", NS)
    assert info is not None
    assert [etree.QName(c).localname for c in info] == [
        "title",
        "version",
        "description",
        "author",
        "date",
        "purpose",
        "milestone",
    ]
    assert info.findtext("ids:title", namespaces=NS) == "Exportprov"
    assert info.findtext("ids:version", namespaces=NS) == "2.1"
    assert info.findtext("ids:author", namespaces=NS) == "inkop@kommun.se"
    assert info.findtext("ids:date", namespaces=NS) == DATE
    assert info.findtext("ids:purpose", namespaces=NS) == "upphandling"
    assert info.findtext("ids:milestone", namespaces=NS) == "anbud"
    description = info.findtext("ids:description", namespaces=NS) or ""
    sha256 = load_yaml(rules_file, {}).sources[0].sha256
    assert f"exportprov.yaml (Exportprov): {sha256}" in description
    # The parameters in force for the exported requirements, and which were changed.
    assert "u_max = 0.15 W/m²K (ändrat från standardvärdet 0.18)" in description
    assert "rating = 60|90 min (standardvärde)" in description
    assert "width_min" not in description  # used only by a requirement that is not in the IDS
    assert "4 krav kan inte uttryckas i IDS 1.0" in description


def test_a_specification_description_carries_motive_regulation_verification_kind_and_parameters(
    rules_file: Path,
) -> None:
    tree = _tree(export_ids(_publication(rules_file, u_max="0.15"), "en").data)
    text = _spec(tree, "EX-WALL-01").get("description") or ""
    assert text.startswith("Ytterväggar ska redovisa U-värde.\n\nMotiv: Låga värmeförluster.")
    assert "Regulation: BBR 29 9:92 (BBR 29 (BFS 2011:6 t.o.m. BFS 2020:4))" in text
    assert "Verification: Automatisk modellkontroll; U-värdesberäkning enligt SS-EN ISO 6946." in text
    assert "Kind: mandatory requirement (ska-krav)" in text
    assert "Parameters: u_max = 0.15 W/m²K (changed from the default 0.18)" in text
    assert "SS-EN ISO 6946 means that standard or an equivalent one (eller likvärdigt)" in text
    scored = _spec(tree, "EX-SPACE-01").get("description") or ""
    assert "Kind: scored requirement (bör-krav), weight 2.5" in scored


def test_requirements_ids_cannot_express_are_listed_with_reasons_in_a_comment_never_dropped(
    rules_file: Path,
) -> None:
    result = export_ids(_publication(rules_file), "en")
    assert [o.id for o in result.omitted] == NOT_EXPRESSIBLE
    reasons = {o.id: o.reasons for o in result.omitted}
    assert reasons["EX-DOOR-01"] == (
        "measure clear_width is derived from quantities or geometry, which IDS cannot express",
    )
    # The measure inside the relation's `where` is found too.
    assert reasons["EX-DOOR-02"] == (
        "measure wall_thickness is derived from quantities or geometry, which IDS cannot express",
        "relation host cannot be followed with IDS 1.0 partOf",
    )
    assert reasons["EX-COUNT-01"] == (
        "key figure (Antal dörrar) over several elements: IDS tests each element on its own",
    )
    assert reasons["EX-MAN-01"] == ("manual verification: cannot be decided from an IFC model",)
    comment = _tree(result.data).getroot().getprevious()
    assert isinstance(comment, etree._Comment)
    text = comment.text or ""
    assert text.strip().startswith("4 requirement(s) of the requirement set cannot be expressed in IDS 1.0")
    for rid in NOT_EXPRESSIBLE:
        assert f"  {rid}: {'; '.join(reasons[rid])}" in text
    assert ids_obstacles(load_yaml(rules_file, {}).requirements[0]) == ()


def test_a_set_with_nothing_ids_can_express_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bara-matt.yaml"
    path.write_text(
        "bimcheck: 1\ntitle: Mått\nifc_versions: [IFC4]\nrequirements:\n"
        "  - id: M-1\n    title: Dörrbredd\n    applicability:\n      - entity: IfcDoor\n"
        "    requirements:\n      - measure: {name: clear_width, value: {min: 0.8}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"none of the 1 requirement\(s\) can be expressed in IDS 1.0"):
        export_ids(_publication(path))


def test_an_ids_that_would_not_pass_the_audit_is_refused_naming_the_requirement() -> None:
    # Built directly: the YAML loader itself refuses an attribute IfcWall does not have.
    bad = Requirement(
        id="BAD-1",
        title="Väggar med påhittat attribut",
        applicability=(EntityFacet(ValueSpec(simple="IFCWALL")),),
        requirements=(AttributeFacet(ValueSpec(simple="NoSuchAttribute")),),
        ifc_versions=("IFC4",),
        source="bad.yaml:3",
    )
    source = RuleSourceInfo(path="bad.yaml", sha256="0" * 64, format="yaml", title="Fel", requirement_count=1)
    publication = Publication(RuleSet((bad,), (source,)), (), DATE)
    with pytest.raises(RuleError) as raised:
        export_ids(publication)
    assert raised.value.path == "bad.yaml:3"
    assert "BAD-1" in raised.value.problem
    assert "refusing to write an invalid IDS" in raised.value.problem
    assert any("NoSuchAttribute" in d for d in raised.value.details)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(
    "files",
    [*[[p] for p in LIBRARY], LIBRARY],
    ids=lambda f: f if isinstance(f, str) else "+".join(p.stem for p in f),
)
def test_every_library_export_is_valid_ids(files: list[Path], lang: str, tmp_path: Path) -> None:
    result = export_ids(load_publication(files, {}, date=DATE), lang)
    _valid(result.data)
    path = tmp_path / "library.ids"
    path.write_bytes(result.data)
    assert [r.id for r in load_ids(path).requirements] == list(result.exported)


def test_the_ids_also_opens_in_ifctester(rules_file: Path, tmp_path: Path) -> None:
    import ifctester.ids

    path = tmp_path / "export.ids"
    path.write_bytes(export_ids(_publication(rules_file)).data)
    opened = ifctester.ids.open(str(path), validate=True)
    assert [s.name for s in opened.specifications] == [
        "Ytterväggar U-värde högst 0.18",
        "Väggar brandklass",
        "Rum i våningsplan",
        "Inga proxyobjekt",
    ]
    assert opened.info["date"] == DATE


# --- what the appendix says ----------------------------------------------------------------


def test_the_yaml_loader_keeps_motive_and_parameter_uses_for_the_appendix(rules_file: Path) -> None:
    requirements = {r.id: r for r in load_yaml(rules_file, {}).requirements}
    assert requirements["EX-WALL-01"].motive == "Låga värmeförluster."
    assert requirements["EX-WALL-01"].parameters == ("u_max",)
    assert requirements["EX-WALL-02"].parameters == ("rating",)
    assert requirements["EX-SPACE-01"].parameters == ()
    declared = parameter_declarations(rules_file)
    assert list(declared) == ["u_max", "rating", "width_min"]
    assert (declared["u_max"].unit, declared["u_max"].default) == ("W/m²K", "0.18")


def test_the_brief_example_reads_as_written() -> None:
    door = Requirement(
        id="D",
        title="Dörrar",
        applicability=(EntityFacet(ValueSpec(simple="IFCDOOR")),),
        requirements=(_clear_width(),),
        ifc_versions=("IFC4",),
    )
    assert Wording("sv").requirement(door).startswith("Dörrar (IfcDoor) ska ha fri passagebredd ≥ 0.80 m.")
    assert (
        Wording("en").requirement(door).startswith("Doors (IfcDoor) must have clear passage width ≥ 0.80 m.")
    )


def _clear_width() -> object:
    from bimcheck.rules.measure_facet import MeasureFacet

    return MeasureFacet("clear_width", ValueSpec(min_inclusive="0.80"))


def test_every_measure_and_relation_has_words_in_both_languages() -> None:
    assert set(MEASURE_LABELS) == set(MEASURES)
    assert set(RELATION_LABELS) == set(RELATIONS)
    assert all(set(labels) == {"sv", "en"} for labels in RELATION_LABELS.values())
    assert set(STRINGS["sv"]) == set(STRINGS["en"])


def test_requirement_texts_say_what_each_facet_asks_in_swedish_and_english(rules_file: Path) -> None:
    requirements = {r.id: r for r in load_yaml(rules_file, {}).requirements}
    sv, en = Wording("sv"), Wording("en")
    assert sv.requirement(requirements["EX-WALL-01"]) == (
        "Väggar (IfcWall) med fördefinierad typ SOLIDWALL som har Pset_WallCommon.IsExternal = true ska ha "
        "Pset_WallCommon.ThermalTransmittance (IfcThermalTransmittanceMeasure) ≥ 0 och ≤ 0.18 W/m²K. "
        "Modellen ska innehålla minst ett sådant objekt."
    )
    assert en.requirement(requirements["EX-WALL-02"]) == (
        "Walls (IfcWall, IfcWallStandardCase) that have a classification in CoClass must have "
        "Pset_WallCommon.FireRating matching the pattern “R?EI ?(60|90)”, must have Description of at "
        "least 3 characters and of at most 40 characters (where present), must have material equal to "
        "one of: Betong, Trä and must have a classification in CoClass with code matching the pattern "
        "“[A-Z]{3}”. The requirement applies to such elements as the model contains."
    )
    assert sv.requirement(requirements["EX-SPACE-01"]) == (
        "Rum (IfcSpace) ska ingå i våningsplan (IfcBuildingStorey) genom IfcRelAggregates, ska ha Name "
        "med exakt 4 tecken och får inte ha ett värde i Pset_SpaceCommon.IsExternal. "
        "Modellen ska innehålla minst ett sådant objekt."
    )
    assert en.requirement(requirements["EX-PROXY-01"]) == (
        "Proxy elements (IfcBuildingElementProxy) must not occur in the model."
    )
    assert sv.requirement(requirements["EX-DOOR-02"]).startswith(
        "Dörrar (IfcDoor) som har minst en värdbyggdel bland väggar (IfcWall) som har väggtjocklek ≥ 0.2 m "
        "ska ha ett värde i Pset_DoorCommon.FireRating."
    )
    assert en.requirement(requirements["EX-COUNT-01"]) == (
        'Key figure "Antal dörrar": ≥ 1, computed over doors (IfcDoor).'
    )
    assert sv.requirement(requirements["EX-MAN-01"]) == "Verifieras manuellt för byggnader (IfcBuilding)."


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_appendix_states_every_requirement_with_its_procurement_facts(
    rules_file: Path, lang: str
) -> None:
    publication = _publication(rules_file, u_max="0.15")
    t = STRINGS[lang]
    sha256 = publication.rules.sources[0].sha256
    for text in (render_html(build(publication, lang)), render_markdown(build(publication, lang))):
        plain = _plain(text)
        for rid in EXPRESSIBLE + NOT_EXPRESSIBLE:
            assert rid in plain
        assert "Låga värmeförluster." in plain  # motive
        assert "Tillgänglighet." in plain
        assert "BBR 29 9:92" in plain
        assert "BBR 29 (BFS 2011:6 t.o.m. BFS 2020:4)" in plain  # edition
        assert "Automatisk modellkontroll; U-värdesberäkning enligt SS-EN ISO 6946." in plain  # verification
        assert "Energiberäkning bifogas anbudet." in plain
        assert t["mandatory"] in plain
        assert t["scored"] in plain
        assert t["manual"] in plain
        assert t["automatic"] in plain
        assert t["key_figure"] in plain
        assert "2.5" in plain  # the weight
        assert sha256 in plain
        assert "u_max = 0.15 W/m²K" in plain
        assert t["overridden"] in plain
        assert t["equivalent"].format(standards="SS-EN ISO 6946") in plain
        assert t["ids_no"].split(":")[0] in plain
        # Ska-krav before bör-krav, each by id.
        order = [
            plain.index(f"{rid}:")
            for rid in ("EX-COUNT-01", "EX-DOOR-01", "EX-WALL-02", "EX-PROXY-01", "EX-SPACE-01")
        ]
        assert order == sorted(order)
        assert plain.index(t["mandatory_group"]) < plain.index(t["scored_group"])


def _plain(text: str) -> str:
    """Rendered text without markup, escapes and line breaks, for looking for phrases."""
    import html

    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text).replace("\\", "").replace("`", "").replace("**", "")
    return " ".join(text.split())


def test_the_appendix_descriptions_leave_the_motive_to_its_own_row(rules_file: Path) -> None:
    appendix = build(_publication(rules_file), "sv")
    wall = next(e for g in appendix.groups for e in g.entries if e.id == "EX-WALL-01")
    assert wall.description == "Ytterväggar ska redovisa U-värde."
    assert wall.motive == "Låga värmeförluster."
    assert wall.url == "https://www.boverket.se/"
    door = next(e for g in appendix.groups for e in g.entries if e.id == "EX-DOOR-01")
    assert door.description is None  # only a motive was written


def test_standards_are_found_but_regulations_are_not() -> None:
    from bimcheck.results import Regulation

    r = Requirement(
        id="S",
        title="S",
        applicability=(),
        regulation=Regulation(
            "BBR 29 3:146, vändzon enligt SS 91 42 21 via allmänt råd", "BFS 2011:6; SS 91 42 21:2006"
        ),
        verification="Dagsljusberäkning enligt SS-EN 17037 eller SS 91 42 01; PBF 3 kap. 4 §.",
    )
    assert standards_referenced(r) == ("SS-EN 17037", "SS 91 42 01", "SS 91 42 21:2006")


def test_the_html_appendix_is_self_contained_and_escapes_what_the_files_say(tmp_path: Path) -> None:
    path = tmp_path / "elak.yaml"
    path.write_text(
        'bimcheck: 1\ntitle: "<script>alert(1)</script>"\nifc_versions: [IFC4]\nrequirements:\n'
        '  - id: X-1\n    title: "<img src=x onerror=alert(1)>"\n    motive: "a & b"\n'
        "    applicability:\n      - entity: IfcWall\n"
        '      - attribute: {name: Name, value: {pattern: "<b>.*"}}\n',
        encoding="utf-8",
    )
    page = render_html(build(_publication(path), "en"))
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; b" in page
    assert "<code>&lt;b&gt;.*</code>" in page  # a pattern as code, escaped
    # Nothing is fetched: no scripts, stylesheets, images or frames from anywhere.
    assert not re.search(r"<(link|script|img|iframe)\b", page)
    assert not re.search(r"(src|href)=\"(?!#|https://www\.boverket)", page)
    etree.fromstring(page.encode("utf-8"), etree.HTMLParser())


def test_the_markdown_appendix_escapes_markup_and_shows_patterns_as_code(rules_file: Path) -> None:
    text = render_markdown(build(_publication(rules_file), "en"))
    assert "“`R?EI ?(60|90)`”" in text  # pattern in a code span, not escaped
    assert "Pset\\_WallCommon" in text  # underscores would otherwise start emphasis
    assert "### EX-WALL-01: Ytterväggar U-värde högst 0.18" in text
    assert "| u\\_max | 0.18 | W/m²K | 0.18 | EX-WALL-01 | Högsta U-värde. |" in text


def test_the_same_inputs_give_the_same_bytes(rules_file: Path, tmp_path: Path) -> None:
    first = publish(
        _publication(rules_file),
        ids=tmp_path / "a.ids",
        html=tmp_path / "a.html",
        markdown=tmp_path / "a.md",
        lang="sv",
    )
    second = publish(
        _publication(rules_file),
        ids=tmp_path / "a.ids",
        html=tmp_path / "a.html",
        markdown=tmp_path / "a.md",
        lang="sv",
    )
    assert first.files == second.files
    later = load_publication([rules_file], {}, date="2026-01-31", author="inkop@kommun.se", milestone="anbud")
    third = publish(later, ids=tmp_path / "a.ids", lang="sv")
    # The date is the only thing that is not in the files.
    assert third.files[0][1].replace(b"2026-01-31", DATE.encode()) == first.files[0][1]


def test_bad_publication_inputs_are_refused(rules_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        load_publication([rules_file], {}, date="2025-02-30")
    with pytest.raises(InputError, match="e-mail"):
        load_publication([rules_file], {}, author="Kalle")
    with pytest.raises(InputError, match="unknown parameter"):
        load_publication([rules_file], {"no_such": "1"})
    publication = _publication(rules_file)
    with pytest.raises(InputError, match="nothing to export"):
        publish(publication)
    with pytest.raises(InputError, match="both --ids and --md"):
        publish(publication, ids=tmp_path / "x", markdown=tmp_path / "x")
    with pytest.raises(InputError, match="choose sv or en"):
        publish(publication, html=tmp_path / "x.html", lang="de")


# --- the command -------------------------------------------------------------------------------


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rules", "export", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def test_export_writes_all_three_and_lists_what_is_not_in_the_ids(rules_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    code, stdout, stderr = _run(
        "-r", rules_file, "--param", "u_max=0.15", "--ids", out / "krav.ids", "--html", out / "bilaga.html",
        "--md", out / "bilaga.md", "--lang", "sv", "--date", DATE,
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert lines[0] == f"bimcheck: wrote {out / 'krav.ids'}: 4 of 8 requirement(s) as IDS 1.0"
    assert lines[1].startswith("bimcheck: 4 requirement(s) not in the IDS")
    assert [line.split(":")[0].strip() for line in lines[2:6]] == NOT_EXPRESSIBLE
    assert lines[6:] == [
        f"bimcheck: wrote {out / 'bilaga.html'}: requirement appendix, 8 requirement(s)",
        f"bimcheck: wrote {out / 'bilaga.md'}: requirement appendix, 8 requirement(s)",
    ]
    _valid((out / "krav.ids").read_bytes())
    assert "u_max = 0.15" in _plain((out / "bilaga.md").read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir()) == ["bilaga.html", "bilaga.md", "krav.ids"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to export: give --ids, --html and/or --md"),
        (["--ids", "{tmp}/a.ids", "--md", "{tmp}/a.ids"], "{tmp}/a.ids: given as the output of both"),
        (["--html", "{tmp}"], "{tmp}: output path is a directory"),
        (["--ids", "{tmp}/fil.txt/a.ids"], "cannot create output directory: {tmp}/fil.txt is a file"),
        (["--ids", "{tmp}/a.ids", "--lang", "de"], "--lang 'de': choose sv or en"),
        (["--ids", "{tmp}/a.ids", "--date", "1 maj"], "--date '1 maj': expected a date as YYYY-MM-DD"),
        (["--ids", "{tmp}/a.ids", "--author", "inköp"], "--author 'inköp': IDS 1.0 wants an e-mail address"),
        (["--ids", "{tmp}/a.ids", "--param", "u_max=hög"], "parameter u_max is a number"),
        (["--ids", "{tmp}/a.ids", "--param", "ingen=1"], "unknown parameter(s) ingen"),
        (["--md", "{rules}"], "{rules}: would overwrite an input"),
        (["-r", "{tmp}", "--ids", "{tmp}/krav.ids"], "{tmp}/krav.ids: would overwrite an input ({tmp})"),
    ],
)  # fmt: skip
def test_bad_input_or_output_exits_2_with_one_line_and_writes_nothing(
    rules_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "fil.txt").write_text("en fil, ingen katalog", encoding="utf-8")
    before = sorted(p.name for p in work.rglob("*"))
    given = [a.format(tmp=work, rules=rules_file) for a in args]
    code, stdout, stderr = _run("-r", rules_file, *given)
    assert code == 2
    assert stdout == ""
    first, *details = stderr.splitlines()
    assert first.startswith("bimcheck: error: ")
    assert message.format(tmp=work, rules=rules_file) in first
    # One line; only a requirement file's problems are then listed, one per line, under it.
    assert not details or (first.endswith("is not a number") and details[0].startswith("  "))
    assert sorted(p.name for p in work.rglob("*")) == before  # nothing written, no temporary files


def test_a_set_with_nothing_for_the_ids_exits_2_but_its_appendix_can_be_written(tmp_path: Path) -> None:
    path = tmp_path / "manuellt.yaml"
    path.write_text(
        "bimcheck: 1\ntitle: Manuellt\nifc_versions: [IFC4]\nrequirements:\n"
        "  - id: M-1\n    title: Energi\n    manual: true\n",
        encoding="utf-8",
    )
    code, _, stderr = _run("-r", path, "--ids", tmp_path / "a.ids", "--html", tmp_path / "a.html")
    assert code == 2
    assert "none of the 1 requirement(s) can be expressed in IDS 1.0" in stderr
    assert not (tmp_path / "a.ids").exists()
    assert not (tmp_path / "a.html").exists()  # rendered together, so neither is written
    code, _, stderr = _run("-r", path, "--html", tmp_path / "a.html")
    assert code == 0, stderr
    assert "Verified manually." in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_an_unwritable_second_output_leaves_the_first_whole_and_no_partial_file(
    rules_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "fil.txt").write_text("en fil", encoding="utf-8")
    code, _, stderr = _run(
        "-r", rules_file, "--ids", tmp_path / "krav.ids", "--html", tmp_path / "fil.txt" / "bilaga.html"
    )
    assert code == 2
    assert stderr.count("\n") == 1
    assert "fil.txt is a file, not a directory" in stderr
    _valid((tmp_path / "krav.ids").read_bytes())  # written whole before the failure
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exportprov.yaml", "fil.txt", "krav.ids"]


def test_the_library_appendix_opens_in_a_browser_without_errors_or_requests(tmp_path: Path) -> None:
    from tests.test_html_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip

    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    path = tmp_path / "kravbilaga.html"
    publication = load_publication(LIBRARY, {}, date=DATE)
    path.write_text(render_html(build(publication, "sv")), encoding="utf-8")
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(service_workers="block").new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri(), wait_until="load")
        assert page.locator("section.requirement").count() == len(publication.rules.requirements)
        assert page.locator("section.requirement.scored").count() == 6
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "requirement-appendix-sv.png"), full_page=False)
        browser.close()
    assert problems == []
    assert requests == [path.as_uri()]  # the page itself, nothing else


def test_an_entity_facet_under_requirements_says_what_an_element_must_be() -> None:
    r = Requirement(
        id="E",
        title="E",
        applicability=(AttributeFacet(ValueSpec(simple="Tag")),),
        requirements=(
            EntityFacet(ValueSpec(enumeration=("IFCDOOR", "IFCWINDOW")), ValueSpec(simple="DOOR")),
        ),
        ifc_versions=("IFC4",),
    )
    sv = Wording("sv").requirement(r)
    assert sv.startswith("Objekt som har ett värde i Tag ska vara dörrar eller fönster (IfcDoor, IfcWindow) ")
    assert sv.endswith("med fördefinierad typ DOOR. Modellen ska innehålla minst ett sådant objekt.")
    assert (
        Wording("en").requirement(r).startswith("Elements that have a value for Tag must be doors or windows")
    )
