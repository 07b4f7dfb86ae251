"""Pydantic schema of the bimcheck YAML requirement format: a closed vocabulary, nothing evaluated."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from bimcheck.model.measures import MEASURES
from bimcheck.model.relations import RELATIONS
from bimcheck.model.spatial import METHODS
from bimcheck.model.spatial import RELATIONS as SPATIAL_RELATIONS
from bimcheck.rules.aggregates import GROUP_WORDS
from bimcheck.rules.values import compile_xsd_pattern, to_decimal

FORMAT_VERSION = 1
IDS_FACET_KINDS = ("entity", "attribute", "property", "classification", "material", "part_of")
# bimcheck's own facets: values derived from geometry or quantities, and relations between elements.
EXTENSION_FACET_KINDS = ("measure", "related")
FACET_KINDS = IDS_FACET_KINDS + EXTENSION_FACET_KINDS

_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REQUIREMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def scalar_text(value: object) -> object:
    """A YAML scalar as the text IDS compares: booleans in lowercase, numbers as written.

    The reader gives numbers as Decimals, whose text keeps the digits written (2.40 stays
    2.40). A list, mapping or null where one value belongs is refused with a message that
    says so.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        raise ValueError("expected a single value, not a list (write alternatives as one_of: [...])")
    if isinstance(value, dict) or value is None:
        raise ValueError("expected a single value (text, number or boolean)")
    return value


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _stripped(value: object) -> object:
    text = scalar_text(value)
    return text.strip() if isinstance(text, str) else text


def _xsd_pattern(pattern: str) -> str:
    try:
        compile_xsd_pattern(pattern)
    except ValueError as exc:
        raise ValueError(f"invalid XSD regular expression {pattern!r}: {exc}") from None
    return pattern


def _number(text: str) -> str:
    if to_decimal(text) is None:
        hint = " (use a decimal point, not a comma)" if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", text) else ""
        raise ValueError(f"{text!r} is not a number{hint}")
    return text


def _pattern_list(value: object) -> object:
    """`pattern: x` is short for `pattern: [x]`; several patterns are alternatives, as in XSD."""
    return value if isinstance(value, list) else [value]


def _requirement_id(text: str) -> str:
    if not _REQUIREMENT_ID.fullmatch(text):
        raise ValueError(
            f"requirement id {text!r}: use letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    return text


def _language(text: str) -> str:
    if not _LANGUAGE.fullmatch(text):
        raise ValueError(f"language {text!r} is not a language tag such as sv or en")
    return text


def _parameter_name(text: str) -> str:
    if not _PARAMETER_NAME.fullmatch(text):
        raise ValueError(f"parameter name {text!r}: use letters, digits and '_', not starting with a digit")
    return text


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _relation(text: str) -> str:
    if text not in RELATIONS:
        raise ValueError(f"relation {text!r} is not one of " + ", ".join(RELATIONS))
    return text


def _did_you_mean(text: str, known: list[str]) -> str:
    close = difflib.get_close_matches(text, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _measure_name(text: str) -> str:
    if text not in MEASURES:
        known = sorted(MEASURES)
        raise ValueError(
            f"unknown measure {text!r}{_did_you_mean(text, known)}; known: {', '.join(known) or 'none'}"
        )
    return text


def via_names() -> tuple[str, ...]:
    """The relations a `related` facet can follow, as the spatial index defines them."""
    return tuple(sorted(SPATIAL_RELATIONS))


def _via(text: str) -> str:
    known = list(via_names())
    if text not in known:
        raise ValueError(f"unknown relation {text!r}{_did_you_mean(text, known)}; known: {', '.join(known)}")
    return text


def _relation_arguments(via: str, arguments: dict[str, str]) -> None:
    """Arguments a relation takes, with values it accepts: refused here, before any model is read."""
    definition = SPATIAL_RELATIONS[via]
    unknown = sorted(set(arguments) - set(definition.arguments))
    if unknown:
        takes = ", ".join(definition.arguments) or "no arguments"
        raise ValueError(f"relation {via} has no argument {', '.join(unknown)} (it takes {takes})")
    method = arguments.get("method")
    if method is not None and method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    tolerance = arguments.get("tolerance")
    if tolerance is not None:
        _number(tolerance)


def _group_by(text: str) -> str:
    """A fixed grouping word, or `property:<Set>.<Name>` / `classification:<System>`."""
    if text in GROUP_WORDS:
        return text
    kind, _, rest = text.partition(":")
    if kind == "property" and re.fullmatch(r"[^.\s][^.]*\.[^.]+", rest):
        return text
    if kind == "classification" and rest.strip():
        return text
    raise ValueError(
        f"group_by {text!r} is not one of {', '.join(GROUP_WORDS)}, "
        "property:<PropertySet>.<Name> or classification:<System>"
    )


def _numeric(value: object) -> object:
    """Measures and counts are numbers: only numeric values, enumerations and bounds apply."""
    if isinstance(value, str):
        _number(value)
    elif isinstance(value, Restriction):
        unusable = [
            k for k in ("pattern", "length", "min_length", "max_length") if getattr(value, k) is not None
        ]
        if unusable:
            raise ValueError(f"{', '.join(unusable)} cannot constrain a number: use min, max, one_of …")
        for option in value.one_of or ():
            _number(option)
    return value


# Text (titles, descriptions, names) is trimmed; values are compared exactly and keep their spaces.
Text = Annotated[str, BeforeValidator(_stripped), AfterValidator(_not_blank)]
ValueText = Annotated[str, BeforeValidator(scalar_text), AfterValidator(_not_blank)]
XsdPattern = Annotated[str, BeforeValidator(scalar_text), AfterValidator(_xsd_pattern)]
Bound = Annotated[str, BeforeValidator(_stripped), AfterValidator(_number)]
Count = Annotated[int, Field(ge=0)]
RequirementId = Annotated[str, BeforeValidator(_stripped), AfterValidator(_requirement_id)]
ParameterName = Annotated[str, AfterValidator(_parameter_name)]
Language = Annotated[str, BeforeValidator(_stripped), AfterValidator(_language)]
IfcVersion = Annotated[Literal["IFC2X3", "IFC4", "IFC4X3", "IFC4X3_ADD2"], BeforeValidator(_upper)]
Cardinality = Literal["required", "optional", "prohibited"]
Relation = Annotated[str, BeforeValidator(_upper), AfterValidator(_relation)]
MeasureName = Annotated[str, BeforeValidator(_stripped), AfterValidator(_measure_name)]
Via = Annotated[str, BeforeValidator(_stripped), AfterValidator(_via)]
GroupBy = Annotated[str, BeforeValidator(_stripped), AfterValidator(_group_by)]
MeasureSource = Literal["auto", "property", "geometry"]
Quantifier = Literal["any", "all", "none"]
Function = Literal["count", "sum", "min", "max", "mean", "ratio"]
ArgumentName = Annotated[str, AfterValidator(_parameter_name)]
Arguments = dict[ArgumentName, Text]


class Closed(BaseModel):
    """Every mapping of the format: unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Restriction(Closed):
    """An IDS xs:restriction written as a mapping; every kind of constraint given must hold."""

    one_of: Annotated[list[ValueText], Field(min_length=1)] | None = None
    pattern: Annotated[list[XsdPattern], BeforeValidator(_pattern_list), Field(min_length=1)] | None = None
    min: Bound | None = None
    max: Bound | None = None
    greater_than: Bound | None = None
    less_than: Bound | None = None
    length: Count | None = None
    min_length: Count | None = None
    max_length: Count | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Restriction:
        if not self.model_fields_set:
            raise ValueError(
                "an empty restriction allows anything: give one_of, pattern, min, max, greater_than, "
                "less_than, length, min_length or max_length (or leave the value out)"
            )
        # XSD allows one lower and one upper bound facet per restriction.
        if self.min is not None and self.greater_than is not None:
            raise ValueError("give either min or greater_than, not both")
        if self.max is not None and self.less_than is not None:
            raise ValueError("give either max or less_than, not both")
        return self


def _value_kind(value: Any) -> str:
    return "restriction" if isinstance(value, dict | Restriction) else "simple"


# A value is a scalar (an IDS simpleValue) or a restriction mapping.
Value = Annotated[
    Annotated[ValueText, Tag("simple")] | Annotated[Restriction, Tag("restriction")],
    Discriminator(_value_kind),
]


def _integers(value: object) -> object:
    """A count is a whole number: its value and bounds are integers."""
    _numeric(value)
    texts = [value] if isinstance(value, str) else []
    if isinstance(value, Restriction):
        texts = [
            *(value.one_of or ()),
            *(b for b in (value.min, value.max, value.greater_than, value.less_than) if b),
        ]
    for text in texts:
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{text!r} is not a whole number: a count is compared with integers")
    return value


NumericValue = Annotated[Value, AfterValidator(_numeric)]
CountValue = Annotated[Value, AfterValidator(_integers)]


def _entity_shorthand(value: object) -> object:
    """`entity: IfcWall` is short for `entity: {name: IfcWall}`."""
    return value if isinstance(value, dict | BaseModel) else {"name": value}


class EntityBody(Closed):
    name: Value
    predefined_type: Value | None = None
    instructions: Text | None = None


class PartOfEntity(Closed):
    name: Value
    predefined_type: Value | None = None


class AttributeBody(Closed):
    name: Value
    value: Value | None = None
    cardinality: Cardinality | None = None
    instructions: Text | None = None


class PropertyBody(Closed):
    property_set: Value
    name: Value
    data_type: Text | None = None
    value: Value | None = None
    uri: Text | None = None
    cardinality: Cardinality | None = None
    instructions: Text | None = None


class ClassificationBody(Closed):
    system: Value | None = None
    value: Value | None = None
    uri: Text | None = None
    cardinality: Cardinality | None = None
    instructions: Text | None = None


class MaterialBody(Closed):
    value: Value | None = None
    uri: Text | None = None
    cardinality: Cardinality | None = None
    instructions: Text | None = None


class PartOfBody(Closed):
    entity: Annotated[PartOfEntity, BeforeValidator(_entity_shorthand)]
    relation: Relation | None = None
    cardinality: Cardinality | None = None
    instructions: Text | None = None


def _measure_shorthand(value: object) -> object:
    """`measure: net_floor_area` is short for `measure: {name: net_floor_area}` (determinable)."""
    return value if isinstance(value, dict | BaseModel) else {"name": value}


def _measure_use(name: str, source: str, arguments: dict[str, str], where: str = "") -> None:
    """A source the measure can use and arguments it takes: refused otherwise, with what it has."""
    definition = MEASURES[name]
    if source != "auto" and source not in definition.sources:
        raise ValueError(
            f"{where}measure {name} cannot be taken from {source}: it has {', '.join(definition.sources)}"
        )
    unknown = sorted(set(arguments) - set(definition.arguments))
    if unknown:
        takes = ", ".join(definition.arguments) or "no arguments"
        raise ValueError(f"{where}measure {name} has no argument {', '.join(unknown)} (it takes {takes})")


class MeasureBody(Closed):
    """A value derived from quantities or geometry (bimcheck extension), in SI units."""

    name: MeasureName
    value: NumericValue | None = None
    source: MeasureSource = "auto"
    arguments: Arguments = {}
    instructions: Text | None = None

    @model_validator(mode="after")
    def _usable(self) -> MeasureBody:
        _measure_use(self.name, self.source, self.arguments)
        return self


class RelatedBody(Closed):
    """Elements reached through a relation (bimcheck extension) must match facets of their own."""

    via: Via
    where: list[Facet] = []
    quantifier: Quantifier | None = None
    count: CountValue | None = None
    arguments: Arguments = {}
    # Prohibited is `quantifier: none`; optional lets an element with no related one pass.
    cardinality: Literal["required", "optional"] | None = None
    instructions: Text | None = None

    @model_validator(mode="after")
    def _one_way_to_count(self) -> RelatedBody:
        if self.quantifier is not None and self.count is not None:
            raise ValueError("give either quantifier or count, not both")
        _relation_arguments(self.via, self.arguments)
        return self


class EntityItem(Closed):
    entity: Annotated[EntityBody, BeforeValidator(_entity_shorthand)]


class AttributeItem(Closed):
    attribute: AttributeBody


class PropertyItem(Closed):
    property: PropertyBody


class ClassificationItem(Closed):
    classification: ClassificationBody


class MaterialItem(Closed):
    material: MaterialBody


class PartOfItem(Closed):
    part_of: PartOfBody


class MeasureItem(Closed):
    measure: Annotated[MeasureBody, BeforeValidator(_measure_shorthand)]


class RelatedItem(Closed):
    related: RelatedBody


def _facet_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = list(value)
        return keys[0] if len(keys) == 1 and keys[0] in FACET_KINDS else None
    if isinstance(value, BaseModel):
        return next(iter(type(value).model_fields))
    return None


# One facet per list item, named by its single key: IDS's six, then bimcheck's measure and
# related facets. A new kind joins this union with a tag of its own.
Facet = Annotated[
    Annotated[EntityItem, Tag("entity")]
    | Annotated[AttributeItem, Tag("attribute")]
    | Annotated[PropertyItem, Tag("property")]
    | Annotated[ClassificationItem, Tag("classification")]
    | Annotated[MaterialItem, Tag("material")]
    | Annotated[PartOfItem, Tag("part_of")]
    | Annotated[MeasureItem, Tag("measure")]
    | Annotated[RelatedItem, Tag("related")],
    Discriminator(
        _facet_kind,
        custom_error_type="facet_kind",
        custom_error_message="a facet is a mapping with exactly one key: " + ", ".join(FACET_KINDS),
    ),
]


RelatedBody.model_rebuild()


class AggregateDoc(Closed):
    """A key figure over the applicable elements (bimcheck extension), optionally grouped and bounded."""

    function: Function
    measure: MeasureName | None = None
    source: MeasureSource = "auto"
    arguments: Arguments = {}
    where: list[Facet] = []
    group_by: GroupBy | None = None
    value: NumericValue | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AggregateDoc:
        if self.function == "count" and self.measure is not None:
            raise ValueError("count counts elements: it takes no measure (use sum for a total)")
        if self.function in ("sum", "min", "max", "mean") and self.measure is None:
            raise ValueError(f"{self.function} needs a measure to {self.function} (e.g. net_floor_area)")
        if self.where and self.function != "ratio":
            raise ValueError(
                "where selects the part of a ratio; for other functions narrow the applicability instead"
            )
        if self.function == "ratio" and not self.where:
            raise ValueError("ratio divides the part that matches `where` by the whole: give where")
        if self.measure is None and (self.source != "auto" or self.arguments):
            raise ValueError("source and arguments apply to a measure: name one")
        if self.measure is not None:
            _measure_use(self.measure, self.source, self.arguments)
        return self


class RegulationRef(Closed):
    reference: Text
    edition: Text | None = None
    url: Text | None = None


class RequirementDoc(Closed):
    id: RequirementId
    title: Text
    description: Text | None = None
    motive: Text | None = None
    regulation: RegulationRef | None = None
    verification: Text | None = None
    instructions: Text | None = None
    kind: Literal["mandatory", "scored"] = "mandatory"
    weight: Annotated[float, Field(ge=0)] | None = None
    severity: Literal["error", "warning", "info"] | None = None
    tags: list[Text] = []
    ifc_versions: Annotated[list[IfcVersion], Field(min_length=1)] | None = None
    applies: Cardinality = "required"
    # Left out only by manual requirements that name no elements (checked when compiling).
    applicability: Annotated[list[Facet], Field(min_length=1)] | None = None
    requirements: list[Facet] = []
    aggregate: AggregateDoc | None = None
    manual: bool = False


class ParameterDoc(Closed):
    type: Literal["number", "integer", "text", "boolean"]
    default: Annotated[str, BeforeValidator(_stripped)]
    unit: Text | None = None
    description: Text | None = None
    pattern: XsdPattern | None = None

    @model_validator(mode="after")
    def _default_fits(self) -> ParameterDoc:
        if self.pattern is not None and self.type != "text":
            raise ValueError("pattern applies only to parameters of type text")
        problem = parameter_value_problem(self, self.default)
        if problem:
            raise ValueError(f"default {problem}")
        return self


def parameter_value_problem(parameter: ParameterDoc, text: str) -> str | None:
    """Why `text` is not a value of the parameter's type, or None if it is."""
    if parameter.type == "number":
        try:
            _number(text)
        except ValueError as exc:
            return str(exc)
    elif parameter.type == "integer" and not _INTEGER.fullmatch(text):
        return f"{text!r} is not an integer"
    elif parameter.type == "boolean" and text.lower() not in ("true", "false"):
        return f"{text!r} is not a boolean (true or false)"
    elif parameter.type == "text":
        if not text:
            return "must not be empty"
        if parameter.pattern is not None and not compile_xsd_pattern(parameter.pattern).fullmatch(text):
            return f"{text!r} does not match the parameter's pattern {parameter.pattern!r}"
    return None


def parameter_text(parameter: ParameterDoc, text: str) -> str:
    """A valid parameter value in the form IDS compares (booleans in lowercase)."""
    return text.lower() if parameter.type == "boolean" else text


Parameters = dict[ParameterName, ParameterDoc]


class RequirementFile(Closed):
    """A whole bimcheck YAML requirement file."""

    bimcheck: Literal[1]
    title: Text
    version: Text | None = None
    description: Text | None = None
    language: Language | None = None
    ifc_versions: Annotated[list[IfcVersion], Field(min_length=1)] | None = None
    parameters: Parameters = {}
    requirements: Annotated[list[RequirementDoc], Field(min_length=1)]


# Every key the format knows, for "did you mean" hints on unknown keys.
KNOWN_KEYS = frozenset(
    name
    for model in (
        RequirementFile,
        RequirementDoc,
        ParameterDoc,
        RegulationRef,
        Restriction,
        EntityBody,
        AttributeBody,
        PropertyBody,
        ClassificationBody,
        MaterialBody,
        PartOfBody,
        MeasureBody,
        RelatedBody,
        AggregateDoc,
    )
    for name in model.model_fields
) | frozenset(FACET_KINDS)
