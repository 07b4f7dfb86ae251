"""Requirements in plain Swedish or English, generated from their facets, for tender documents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bimcheck.rules.aggregates import Aggregate
from bimcheck.rules.facets import (
    OPTIONAL,
    PROHIBITED,
    AttributeFacet,
    ClassificationFacet,
    EntityFacet,
    Facet,
    MaterialFacet,
    PartOfFacet,
    PropertyFacet,
)
from bimcheck.rules.measure_facet import MeasureFacet
from bimcheck.rules.related import ALL, NONE, RelatedFacet
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec

LANGUAGES = ("sv", "en")

# What IFC classes are called in the text; other classes are named by their IFC name only.
# Swedish terms follow BSAB/CoClass usage where one exists.
CLASS_LABELS: dict[str, tuple[str, str]] = {
    "IfcBeam": ("balkar", "beams"),
    "IfcBuilding": ("byggnader", "buildings"),
    "IfcBuildingElementProxy": ("proxyobjekt", "proxy elements"),
    "IfcBuildingStorey": ("våningsplan", "building storeys"),
    "IfcColumn": ("pelare", "columns"),
    "IfcCovering": ("beklädnader", "coverings"),
    "IfcCurtainWall": ("glasfasader", "curtain walls"),
    "IfcDoor": ("dörrar", "doors"),
    "IfcFooting": ("grundkonstruktioner", "footings"),
    "IfcFurniture": ("möbler", "furniture"),
    "IfcFurnishingElement": ("inredning", "furnishing elements"),
    "IfcMember": ("stomkomponenter", "members"),
    "IfcOpeningElement": ("öppningar", "openings"),
    "IfcPlate": ("skivor", "plates"),
    "IfcRailing": ("räcken", "railings"),
    "IfcRamp": ("ramper", "ramps"),
    "IfcRampFlight": ("ramplopp", "ramp flights"),
    "IfcRoof": ("tak", "roofs"),
    "IfcSanitaryTerminal": ("sanitetsporslin", "sanitary terminals"),
    "IfcSite": ("tomter", "sites"),
    "IfcSlab": ("bjälklag", "slabs"),
    "IfcSpace": ("rum", "spaces"),
    "IfcSpatialZone": ("rumsliga zoner", "spatial zones"),
    "IfcStair": ("trappor", "stairs"),
    "IfcStairFlight": ("trapplopp", "stair flights"),
    "IfcTransportElement": ("transportanordningar", "transport elements"),
    "IfcWall": ("väggar", "walls"),
    "IfcWindow": ("fönster", "windows"),
    "IfcZone": ("zoner", "zones"),
}
# Subclasses that IFC2X3 and IFC4 exports write for the same element kind.
_CASE_SUFFIXES = ("StandardCase", "ElementedCase")

# Every registered measure, as a noun phrase (tests check that none is missing).
MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "net_floor_area": ("nettoarea", "net floor area"),
    "gross_floor_area": ("bruttoarea", "gross floor area"),
    "perimeter": ("omkrets", "perimeter"),
    "height": ("höjd", "height"),
    "clear_height": ("rumshöjd (färdigt golv till färdigt tak)", "clear height (finished floor to ceiling)"),
    "overall_width": ("karmyttermått, bredd", "overall width"),
    "overall_height": ("karmyttermått, höjd", "overall height"),
    "clear_width": ("fri passagebredd", "clear passage width"),
    "glazed_area": ("glasarea", "glazed area"),
    "sill_height": ("bröstningshöjd", "sill height"),
    "volume": ("volym", "volume"),
    "footprint_area": ("planarea", "footprint area"),
    "wall_thickness": ("väggtjocklek", "wall thickness"),
    "storey_elevation": ("nivå", "elevation"),
    "room_glazed_area": ("glasarea i rummets fönster", "glazed area of the room's windows"),
    "glazing_ratio": ("glasarea i förhållande till nettoarea", "glazed area to net floor area ratio"),
    "window_count": ("antal fönster", "number of windows"),
    "door_count": ("antal dörrar", "number of doors"),
    "dwelling_count": ("antal bostäder som objektet tillhör eller gränsar till", "number of dwellings"),
    "largest_free_circle": ("fri vändzon (diameter)", "free turning circle (diameter)"),
    "narrowest_free_width": ("fri bredd mellan dörrarna", "free width between the doors"),
    "door_free_depth": ("fritt djup framför dörren", "free depth in front of the door"),
}
# Every relation a related facet can follow, per language: (at least one, any, plural).
RELATION_LABELS: dict[str, dict[str, tuple[str, str, str]]] = {
    "host": {
        "sv": ("minst en värdbyggdel", "någon värdbyggdel", "värdbyggdelar"),
        "en": ("at least one host element", "any host element", "host elements"),
    },
    "fillings": {
        "sv": (
            "minst en dörr eller ett fönster i sina öppningar",
            "någon dörr eller något fönster i sina öppningar",
            "dörrar och fönster i sina öppningar",
        ),
        "en": (
            "at least one door or window in its openings",
            "any door or window in its openings",
            "doors and windows in its openings",
        ),
    },
    "container": {
        "sv": ("minst en rumslig behållare", "någon rumslig behållare", "rumsliga behållare"),
        "en": ("at least one spatial container", "any spatial container", "spatial containers"),
    },
    "contained": {
        "sv": ("minst ett objekt i utrymmet", "något objekt i utrymmet", "objekt i utrymmet"),
        "en": ("at least one element inside", "any element inside", "elements inside"),
    },
    "storey": {
        "sv": ("minst ett våningsplan", "något våningsplan", "våningsplan"),
        "en": ("at least one storey", "any storey", "storeys"),
    },
    "zone": {
        "sv": ("minst en zon", "någon zon", "zoner"),
        "en": ("at least one zone", "any zone", "zones"),
    },
    "dwelling": {
        "sv": ("minst en bostad", "någon bostad", "bostäder"),
        "en": ("at least one dwelling", "any dwelling", "dwellings"),
    },
    "dwelling_spaces": {
        "sv": ("minst ett rum i samma bostad", "något rum i samma bostad", "rum i samma bostad"),
        "en": (
            "at least one room of the same dwelling",
            "any room of the same dwelling",
            "rooms of the same dwelling",
        ),
    },
    "spaces": {
        "sv": ("minst ett rum", "något rum", "rum"),
        "en": ("at least one space", "any space", "spaces"),
    },
    "windows": {
        "sv": ("minst ett fönster", "något fönster", "fönster"),
        "en": ("at least one window", "any window", "windows"),
    },
    "doors": {
        "sv": ("minst en dörr", "någon dörr", "dörrar"),
        "en": ("at least one door", "any door", "doors"),
    },
}
# The SI unit IDS compares a property of these data types in (its units documentation).
_DATA_TYPE_UNITS = {
    "IFCLENGTHMEASURE": "m",
    "IFCPOSITIVELENGTHMEASURE": "m",
    "IFCNONNEGATIVELENGTHMEASURE": "m",
    "IFCAREAMEASURE": "m²",
    "IFCVOLUMEMEASURE": "m³",
    "IFCTHERMALTRANSMITTANCEMEASURE": "W/m²K",
    "IFCTHERMODYNAMICTEMPERATUREMEASURE": "K",
    "IFCMASSMEASURE": "kg",
}
_GROUPS = {
    "storey": ("per våningsplan", "per storey"),
    "zone": ("per zon (bostad)", "per zone (dwelling)"),
    "dwelling": ("per bostad", "per dwelling"),
    "class": ("per IFC-klass", "per IFC class"),
    "name": ("per namn", "per name"),
    "long_name": ("per LongName", "per LongName"),
    "predefined_type": ("per fördefinierad typ", "per predefined type"),
}
_FUNCTIONS = {
    "count": ("antal", "number"),
    "sum": ("summa", "sum"),
    "min": ("minsta", "minimum"),
    "max": ("största", "maximum"),
    "mean": ("medelvärde", "mean"),
    "ratio": ("andel", "share"),
}

# Verb forms: (after "ska"/"must", in a relative clause, negated in a relative clause).
_VERBS = {
    "sv": {
        "have": ("ha", "har", "inte har"),
        "be": ("vara", "är", "inte är"),
        "part_of": ("ingå i", "ingår i", "inte ingår i"),
    },
    "en": {
        "have": ("have", "have", "do not have"),
        "be": ("be", "are", "are not"),
        "part_of": ("be part of", "are part of", "are not part of"),
    },
}

STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "must": "ska",
        "must_not": "får inte",
        "that": "som",
        "with": "med",
        "without": "utan",
        "and": "och",
        "or": "eller",
        "elements": "objekt",
        "class_elements": "objekt av klassen {cls}",
        "predefined": "med fördefinierad typ {value}",
        "equals": "= {value}",
        "one_of": "lika med något av: {values}",
        "pattern": "som matchar mönstret «{pattern}»",
        "length": "med exakt {n} tecken",
        "min_length": "med minst {n} tecken",
        "max_length": "med högst {n} tecken",
        "a_value": "ett värde i {name}",
        "determinable": "en bestämbar {measure}",
        "classification": "en klassificering",
        "classification_in": "en klassificering enligt {system}",
        "classification_matching": "en klassificering i ett system {system}",
        "property_matching": "{name} i en egenskapsuppsättning {pset}",
        "code": "med kod {value}",
        "material": "ett angivet material",
        "material_value": "material {value}",
        "through": "genom {relation}",
        "only": "bara {many}",
        "count": "{count} {many}",
        "count_min": "minst {n}",
        "count_max": "högst {n}",
        "count_more": "fler än {n}",
        "count_fewer": "färre än {n}",
        "among": "bland {subject}",
        "where_present": "(om det finns)",
        "sentence_prohibited": "{subject} får inte förekomma i modellen.",
        "sentence_exists": "{subject} ska finnas i modellen.",
        "required_note": "Modellen ska innehålla minst ett sådant objekt.",
        "optional_note": "Kravet gäller de sådana objekt som modellen innehåller.",
        "key_figure": "Nyckeltal {name}{group}: {bound}.",
        "key_figure_reported": "redovisas för jämförelse (inget gränsvärde)",
        "key_figure_selection": "beräknat över {subject}",
        "group_property": "per värde av {key}",
        "group_classification": "per kod i {key}",
        "manual": "Verifieras manuellt{subject}.",
        "manual_for": " för {subject}",
    },
    "en": {
        "must": "must",
        "must_not": "must not",
        "that": "that",
        "with": "with",
        "without": "without",
        "and": "and",
        "or": "or",
        "elements": "elements",
        "class_elements": "{cls} elements",
        "predefined": "with predefined type {value}",
        "equals": "= {value}",
        "one_of": "equal to one of: {values}",
        "pattern": "matching the pattern “{pattern}”",
        "length": "of exactly {n} characters",
        "min_length": "of at least {n} characters",
        "max_length": "of at most {n} characters",
        "a_value": "a value for {name}",
        "determinable": "a determinable {measure}",
        "classification": "a classification",
        "classification_in": "a classification in {system}",
        "classification_matching": "a classification in a system {system}",
        "property_matching": "{name} in a property set {pset}",
        "code": "with code {value}",
        "material": "a material",
        "material_value": "material {value}",
        "through": "through {relation}",
        "only": "only {many}",
        "count": "{count} {many}",
        "count_min": "at least {n}",
        "count_max": "at most {n}",
        "count_more": "more than {n}",
        "count_fewer": "fewer than {n}",
        "among": "among {subject}",
        "where_present": "(where present)",
        "sentence_prohibited": "{subject} must not occur in the model.",
        "sentence_exists": "{subject} must exist in the model.",
        "required_note": "The model must contain at least one such element.",
        "optional_note": "The requirement applies to such elements as the model contains.",
        "key_figure": "Key figure {name}{group}: {bound}.",
        "key_figure_reported": "reported for comparison (no threshold)",
        "key_figure_selection": "computed over {subject}",
        "group_property": "per value of {key}",
        "group_classification": "per code in {key}",
        "manual": "Verified manually{subject}.",
        "manual_for": " for {subject}",
    },
}


@dataclass(frozen=True, slots=True)
class _Phrase:
    """What a facet says of an element: a verb, its object, and whether it is negated."""

    verb: str  # a key of _VERBS
    object: str
    negated: bool = False


class Wording:
    """Phrases in one language; class names are read from the schemas the requirement names."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGUAGES)}")
        self.lang = lang
        self.index = LANGUAGES.index(lang)
        self.t = STRINGS[lang]

    # --- whole requirements --------------------------------------------------------------

    def requirement(self, r: Requirement) -> str:
        """What a requirement demands, in a sentence or two, e.g. `Dörrar (IfcDoor) ska ha …`."""
        versions = r.ifc_versions or ("IFC4",)
        subject = self.subject(r.applicability, versions)
        if r.manual:
            where = self.t["manual_for"].format(subject=_lower_first(subject)) if r.applicability else ""
            return self.t["manual"].format(subject=where)
        sentences: list[str] = []
        if r.cardinality == PROHIBITED:
            sentences.append(self.t["sentence_prohibited"].format(subject=_upper_first(subject)))
        elif r.requirements:
            clauses = [self._modal(self._facet(f, versions), f.cardinality) for f in r.requirements]
            sentences.append(f"{_upper_first(subject)} {self._join(clauses)}.")
        elif r.aggregate is None:
            sentences.append(self.t["sentence_exists"].format(subject=_upper_first(subject)))
        if r.aggregate is not None:
            sentences.append(self.key_figure(r.aggregate, subject if not r.requirements else None, versions))
        if r.cardinality == OPTIONAL and r.requirements:
            sentences.append(self.t["optional_note"])
        elif r.cardinality not in (OPTIONAL, PROHIBITED) and r.requirements:
            sentences.append(self.t["required_note"])
        return " ".join(sentences)

    def key_figure(self, aggregate: Aggregate, subject: str | None, versions: Sequence[str]) -> str:
        name = aggregate.name or self._aggregate_label(aggregate)
        group = f" {self._group(aggregate.group_by)}" if aggregate.group_by else ""
        if aggregate.value is None:
            bound = self.t["key_figure_reported"]
        else:
            unit = _unit(aggregate.unit)
            bound = self.value(aggregate.value) + (f" {unit}" if unit else "")
        # Names in the language's quotes; «…» and “…” are kept for patterns.
        quoted = f"”{name}”" if self.lang == "sv" else f'"{name}"'
        text = self.t["key_figure"].format(name=quoted, group=group, bound=bound)
        if subject is not None:
            text = text[:-1] + f", {self.t['key_figure_selection'].format(subject=_lower_first(subject))}."
        return text

    # --- selections --------------------------------------------------------------------------

    def subject(self, facets: Sequence[Facet], versions: Sequence[str]) -> str:
        """The elements facets select, e.g. `rum (IfcSpace) som har LongName = Sovrum`."""
        entity = next((f for f in facets if isinstance(f, EntityFacet)), None)
        head = self.entity(entity, versions) if entity is not None else self.t["elements"]
        qualifiers = [self._relative(self._facet(f, versions)) for f in facets if f is not entity]
        if not qualifiers:
            return head
        return f"{head} {self._join(qualifiers)}"

    def entity(self, facet: EntityFacet, versions: Sequence[str], *, alternatives: bool = False) -> str:
        """`dörrar (IfcDoor)`; several classes are listed with `and` as a selection, with `or`
        as `alternatives` (what an element must be)."""
        classes = class_names(facet.name, versions)
        labels = list(dict.fromkeys(self._class_label(c) for c in classes))
        if labels and all(label is not None for label in labels):
            last = self.t["or"] if alternatives else None
            text = self._list([str(label) for label in labels], last) + f" ({', '.join(classes)})"
        elif len(classes) == 1:
            text = self.t["class_elements"].format(cls=classes[0])
        else:
            text = self.t["class_elements"].format(
                cls=self._list(classes, self.t["or"]) or facet.name.describe()
            )
        if facet.predefined_type is not None:
            text += " " + self.t["predefined"].format(value=self._bare(facet.predefined_type))
        return text

    # --- values ------------------------------------------------------------------------------

    def value(self, spec: ValueSpec) -> str:
        """`= EI 60`, `≥ 0.80`, `matching the pattern …`, several joined with and."""
        if spec.simple is not None:
            return self.t["equals"].format(value=spec.simple)
        parts = []
        if spec.enumeration:
            parts.append(self.t["one_of"].format(values=", ".join(spec.enumeration)))
        if spec.patterns:
            parts.append(f" {self.t['or']} ".join(self.t["pattern"].format(pattern=p) for p in spec.patterns))
        for bound, sign in (
            (spec.min_inclusive, "≥"),
            (spec.min_exclusive, ">"),
            (spec.max_inclusive, "≤"),
            (spec.max_exclusive, "<"),
        ):
            if bound is not None:
                parts.append(f"{sign} {bound}")
        for n, key in (
            (spec.length, "length"),
            (spec.min_length, "min_length"),
            (spec.max_length, "max_length"),
        ):
            if n is not None:
                parts.append(self.t[key].format(n=n))
        return f" {self.t['and']} ".join(parts)

    # --- facets ------------------------------------------------------------------------------

    def _facet(self, facet: Facet, versions: Sequence[str]) -> _Phrase:
        t = self.t
        if isinstance(facet, EntityFacet):
            return _Phrase("be", self.entity(facet, versions, alternatives=True))
        if isinstance(facet, AttributeFacet):
            name = self._bare(facet.name)
            if facet.value is None:
                return _Phrase("have", t["a_value"].format(name=name))
            return _Phrase("have", f"{name} {self.value(facet.value)}")
        if isinstance(facet, PropertyFacet):
            name = self._property_name(facet, versions)
            if facet.value is None:
                return _Phrase("have", t["a_value"].format(name=name))
            unit = _DATA_TYPE_UNITS.get(facet.data_type or "") if facet.value.has_bounds else None
            return _Phrase("have", f"{name} {self.value(facet.value)}" + (f" {unit}" if unit else ""))
        if isinstance(facet, ClassificationFacet):
            if facet.system is None:
                text = t["classification"]
            elif facet.system.simple is not None:
                text = t["classification_in"].format(system=facet.system.simple)
            else:
                text = t["classification_matching"].format(system=self.value(facet.system))
            if facet.value is not None:
                text += " " + t["code"].format(value=self._bare(facet.value))
            return _Phrase("have", text)
        if isinstance(facet, MaterialFacet):
            if facet.value is None:
                return _Phrase("have", t["material"])
            return _Phrase("have", t["material_value"].format(value=self.value(facet.value)))
        if isinstance(facet, PartOfFacet):
            whole = self.entity(facet.entity, versions)
            how = " " + t["through"].format(relation=_relation_name(facet.relation)) if facet.relation else ""
            return _Phrase("part_of", whole + how)
        if isinstance(facet, MeasureFacet):
            label = MEASURE_LABELS.get(facet.measure, (facet.measure, facet.measure))[self.index]
            if facet.value is None:
                return _Phrase("have", t["determinable"].format(measure=label))
            unit = _unit(facet.unit)
            return _Phrase("have", f"{label} {self.value(facet.value)}" + (f" {unit}" if unit else ""))
        if isinstance(facet, RelatedFacet):
            return self._related(facet, versions)
        return _Phrase("have", facet.describe())

    def _related(self, facet: RelatedFacet, versions: Sequence[str]) -> _Phrase:
        t = self.t
        fallback = (facet.via, facet.via, facet.via)
        at_least_one, any_one, many = RELATION_LABELS.get(facet.via, {}).get(self.lang, fallback)
        where = ""
        if facet.where:
            where = " " + self._where(facet.where, versions)
        count = facet.count
        if count is not None and count.min_inclusive is not None and _is_one(count):
            count = None  # "at least 1 dwellings" reads better as "at least one dwelling"
        if count is not None:
            return _Phrase("have", t["count"].format(count=self._count(count), many=many) + where)
        if facet.quantifier == NONE:
            return _Phrase("have", any_one + where, negated=True)
        if facet.quantifier == ALL:
            return _Phrase("have", t["only"].format(many=many) + where)
        return _Phrase("have", at_least_one + where)

    def _where(self, facets: Sequence[Facet], versions: Sequence[str]) -> str:
        if any(isinstance(f, EntityFacet) for f in facets):
            return self.t["among"].format(subject=self.subject(facets, versions))
        return self._join([self._with(self._facet(f, versions)) for f in facets])

    def _count(self, spec: ValueSpec) -> str:
        if spec.simple is not None:
            return spec.simple
        parts = []
        for bound, key in (
            (spec.min_inclusive, "count_min"),
            (spec.min_exclusive, "count_more"),
            (spec.max_inclusive, "count_max"),
            (spec.max_exclusive, "count_fewer"),
        ):
            if bound is not None:
                parts.append(self.t[key].format(n=bound))
        return f" {self.t['and']} ".join(parts) or self.value(spec)

    def _property_name(self, facet: PropertyFacet, versions: Sequence[str]) -> str:
        base = self._bare(facet.base_name)
        if facet.property_set.simple is not None:
            name = f"{facet.property_set.simple}.{base}"
        elif facet.property_set.enumeration and not facet.property_set.patterns:
            name = self._list([f"{p}.{base}" for p in facet.property_set.enumeration], self.t["or"])
        else:
            name = self.t["property_matching"].format(name=base, pset=self.value(facet.property_set))
        if facet.data_type:
            name += f" ({data_type_name(facet.data_type, versions)})"
        return name

    # --- grammar -----------------------------------------------------------------------------

    def _modal(self, phrase: _Phrase, cardinality: str) -> str:
        """The phrase as a requirement: `ska ha …`, `får inte ha …`, `must have … (where present)`."""
        infinitive = _VERBS[self.lang][phrase.verb][0]
        negated = phrase.negated != (cardinality == PROHIBITED)
        modal = self.t["must_not"] if negated else self.t["must"]
        text = f"{modal} {infinitive} {phrase.object}"
        if cardinality == OPTIONAL:
            text += " " + self.t["where_present"]
        return text

    def _relative(self, phrase: _Phrase) -> str:
        """The phrase as a relative clause: `som har …`, `that are part of …`."""
        forms = _VERBS[self.lang][phrase.verb]
        return f"{self.t['that']} {forms[2] if phrase.negated else forms[1]} {phrase.object}"

    def _with(self, phrase: _Phrase) -> str:
        """The phrase after a noun in either number: `med …`, `utan …`, else a relative clause."""
        if phrase.verb == "have":
            return f"{self.t['without' if phrase.negated else 'with']} {phrase.object}"
        return self._relative(phrase)

    def _join(self, parts: Sequence[str]) -> str:
        return self._list(list(parts))

    def _list(self, parts: Sequence[str], last: str | None = None) -> str:
        word = last or self.t["and"]
        if len(parts) <= 1:
            return "".join(parts)
        return f"{', '.join(parts[:-1])} {word} {parts[-1]}"

    def _bare(self, spec: ValueSpec) -> str:
        """A name or code as text: itself, or its condition when it is a restriction."""
        return spec.simple if spec.simple is not None else self.value(spec)

    def _class_label(self, name: str) -> str | None:
        base = name
        for suffix in _CASE_SUFFIXES:
            base = base.removesuffix(suffix)
        labels = CLASS_LABELS.get(base)
        return labels[self.index] if labels else None

    def _group(self, key: str) -> str:
        if key in _GROUPS:
            return _GROUPS[key][self.index]
        kind, _, rest = key.partition(":")
        return self.t["group_classification" if kind == "classification" else "group_property"].format(
            key=rest
        )

    def _aggregate_label(self, aggregate: Aggregate) -> str:
        function = _FUNCTIONS.get(aggregate.function, (aggregate.function, aggregate.function))[self.index]
        if aggregate.measure is None:
            return function
        measure = MEASURE_LABELS.get(aggregate.measure, (aggregate.measure, aggregate.measure))[self.index]
        return f"{function} ({measure})"


def class_names(name: ValueSpec, versions: Sequence[str]) -> list[str]:
    """The IFC classes (as the schemas spell them) an entity facet's name selects."""
    found: set[str] = set()
    for version in versions:
        entities = _entities(version)
        if name.simple is not None:
            proper = entities.get(name.simple.upper())
            found.update([proper] if proper else [])
        else:
            found.update(proper for upper, proper in entities.items() if name.matches_name(upper))
    if not found and name.simple is not None:
        return [name.simple]
    return sorted(found)


def data_type_name(upper: str, versions: Sequence[str]) -> str:
    """`IFCLABEL` as the schemas spell it, `IfcLabel`."""
    from bimcheck.model.schema import schema_info

    for version in versions:
        proper = schema_info(version).defined_types.get(upper.upper())
        if proper:
            return proper
    return upper


@cache
def _entities(version: str) -> dict[str, str]:
    from bimcheck.model.schema import schema_info

    return schema_info(version).entities


def _relation_name(relation: str) -> str:
    """`IFCRELAGGREGATES` as people read it, `IfcRelAggregates` (voids and fills: both)."""
    return "/".join(_entities("IFC4").get(part, part) for part in relation.split())


_UNITS = {"m2": "m²", "m3": "m³"}


def _unit(unit: str | None) -> str | None:
    return _UNITS.get(unit, unit) if unit else None


def _is_one(count: ValueSpec) -> bool:
    """A count of `{min: 1}` and nothing else."""
    return count == ValueSpec(base=count.base, min_inclusive=count.min_inclusive) and count.min_inclusive in (
        "1",
        "1.0",
    )


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    # Class labels start in lowercase already; an IFC name (IfcDoor) keeps its capital.
    return text if re.match(r"Ifc|[A-Z]{2}", text) else text[:1].lower() + text[1:]
