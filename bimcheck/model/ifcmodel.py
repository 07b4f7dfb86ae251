"""An opened IFC model: its identity, and indexes built lazily and cached with the model."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Hashable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import ifcopenshell
from ifcopenshell import ifcopenshell_wrapper

from bimcheck.errors import InputError, refuse_device
from bimcheck.model.associations import ClassificationIndex, MaterialIndex
from bimcheck.model.properties import PropertyIndex
from bimcheck.model.relations import RelationIndex
from bimcheck.model.schema import SchemaInfo, schema_info
from bimcheck.model.step_text import StepTextCheck
from bimcheck.model.units import UnitTable
from bimcheck.results import ModelInfo

if TYPE_CHECKING:
    from bimcheck.model.geometry import GeometryIndex
    from bimcheck.model.measures import MeasureCache
    from bimcheck.model.placement import PlacementIndex
    from bimcheck.model.spatial import SpatialIndex

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
_STEP_END = b"END-ISO-10303-21;"

# Outcomes kept per facet and model: plenty for shared data, bounded when every element is unique.
_MAX_OUTCOMES = 50_000
_UNKNOWN = object()  # not computed yet (None is an outcome like any other)
T = TypeVar("T")

# (GlobalId or None, class, step id, name or None, storey name or None) of an element.
ElementIdentity = tuple[str | None, str, int, str | None, str | None]

# Attribute that names the user-defined type when PredefinedType is USERDEFINED.
_USERDEFINED_ATTRIBUTES = ("ObjectType", "ElementType", "ProcessType")


def file_identity(path: Path) -> tuple[str, int, bool, str | None]:
    """SHA-256, size, whether the file ends like a complete STEP file, and the first text
    ifcopenshell would read wrongly (one read)."""
    digest = hashlib.sha256()
    size = 0
    tail = b""
    text = StepTextCheck()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            tail = (tail + chunk)[-256:]
            text.feed(chunk)
    text.feed(b"", final=True)
    return digest.hexdigest(), size, _STEP_END in tail, text.problem


class Model:
    """One IFC model, opened once; every index is built on first use and kept here."""

    def __init__(self, ifc: ifcopenshell.file, info: ModelInfo) -> None:
        self.file = ifc
        self.info = info
        self.schema: SchemaInfo = schema_info(ifc.schema_identifier)

    @property
    def name(self) -> str:
        return self.info.name

    @cached_property
    def units(self) -> UnitTable:
        return UnitTable(self.file)

    @cached_property
    def properties(self) -> PropertyIndex:
        return PropertyIndex(self.file, self.schema, self.units, self._type_of)

    @cached_property
    def classifications(self) -> ClassificationIndex:
        return ClassificationIndex(self.file, self.schema, self._type_of)

    @cached_property
    def materials(self) -> MaterialIndex:
        return MaterialIndex(self.file, self.schema, self._type_of)

    @cached_property
    def relations(self) -> RelationIndex:
        return RelationIndex(self.file, self.schema)

    @cached_property
    def measures(self) -> MeasureCache:
        from bimcheck.model.measures import MeasureCache

        return MeasureCache(self)

    @cached_property
    def geometry(self) -> GeometryIndex:
        from bimcheck.model.geometry import GeometryIndex

        return GeometryIndex(self)

    @cached_property
    def spatial(self) -> SpatialIndex:
        from bimcheck.model.spatial import SpatialIndex

        return SpatialIndex(self)

    @cached_property
    def _type_of(self) -> dict[int, ifcopenshell.entity_instance]:
        """Occurrence id -> its type object (of several, the last relationship's), for every index."""
        table: dict[int, ifcopenshell.entity_instance] = {}
        # RelatedObjects and RelatingType are attributes 4 and 5 in every schema.
        for rel in self.file.by_type("IfcRelDefinesByType"):
            relating = rel.get_argument(5)
            for obj in rel.get_argument(4) or ():
                table[obj.id()] = relating
        return table

    @cached_property
    def _classes_present(self) -> dict[str, str]:
        return {name.upper(): name for name in self.file.types()}

    def by_class(self, upper_name: str) -> list[ifcopenshell.entity_instance]:
        """Instances of exactly this class (IDS entity facets never match subtypes)."""
        proper = self._classes_present.get(upper_name.upper())
        if proper is None:
            return []
        # Kept per class: requirements enumerate the same classes (walls for an entity facet,
        # again for an attribute one), and each wrapper ifcopenshell makes costs a microsecond.
        found = self._instances.get(proper)
        if found is None:
            found = self._instances[proper] = tuple(self.file.by_type(proper, include_subtypes=False))
        return list(found)

    @cached_property
    def _instances(self) -> dict[str, tuple[ifcopenshell.entity_instance, ...]]:
        return {}

    def by_class_with_subtypes(self, name: str) -> list[ifcopenshell.entity_instance]:
        proper = self.schema.entity_name(name)
        return [] if proper is None else list(self.file.by_type(proper, include_subtypes=True))

    def type_of(self, element: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
        """The type object an occurrence is typed by, if any."""
        return self._type_of.get(element.id())

    def typed_occurrences(self, type_class: str) -> list[ifcopenshell.entity_instance]:
        """Occurrences whose type object is of exactly this class."""
        wanted = type_class.upper()
        return [
            self.file.by_id(occurrence_id)
            for occurrence_id, t in self._type_of.items()
            if t.is_a().upper() == wanted
        ]

    def predefined_types(self, element: ifcopenshell.entity_instance) -> tuple[str, ...]:
        """The predefined type names an element answers to, IDS style; empty if it has none.

        USERDEFINED resolves to the user's own name (ObjectType, ElementType or
        ProcessType) and still answers to USERDEFINED. A type object's predefined type,
        unless NOTDEFINED, governs its occurrences (IDS 1.0 entity facet, as IFC requires);
        otherwise the element's own applies.
        """
        type_object = self.type_of(element)
        if type_object is not None:
            inherited = _own_predefined_types(type_object)
            if inherited and inherited[-1] != "NOTDEFINED":
                return inherited
        return _own_predefined_types(element)

    def position(self, element: ifcopenshell.entity_instance) -> tuple[float, float, float] | None:
        """Origin of an element's placement in world coordinates (metres); None without one."""
        return self._placements.origin(element)

    @cached_property
    def _placements(self) -> PlacementIndex:
        from bimcheck.model.placement import PlacementIndex

        return PlacementIndex(self)

    def storey_name(self, element: ifcopenshell.entity_instance) -> str | None:
        return self._storey_name(element.id())

    def _storey_name(self, key: int) -> str | None:
        storey_id = self.relations.storey_id(key)
        if not storey_id:
            return None
        names = self._storey_names
        if storey_id not in names:  # read once per storey, not once per element
            storey = self.relations.storey_by_id(storey_id)
            label = storey.Name or storey.LongName or storey.GlobalId
            names[storey_id] = str(label) if label else None
        return names[storey_id]

    @cached_property
    def _storey_names(self) -> dict[int, str | None]:
        return {}

    def identity(self, element: ifcopenshell.entity_instance) -> ElementIdentity:
        """GlobalId, class, step id, name and storey name of an element, read once per element.

        An element applies to several requirements; reading these five once instead of once
        per requirement was a tenth of the checking time on element-dense models.
        """
        key = element.id()
        found = self._identities.get(key)
        if found is None:
            ifc_class = element.is_a()
            if ifc_class in self._roots:
                # Positional reads: GlobalId and Name are attributes 0 and 2 of IfcRoot in every schema.
                global_id, name = element.get_argument(0), element.get_argument(2)
            else:
                global_id, name = None, getattr(element, "Name", None)
            try:
                # Only products have a place on a storey: a type object or a group asked for
                # one would have every relationship kind indexed to find none.
                storey = self._storey_name(key) if ifc_class in self._products else None
            except Exception:  # a broken spatial structure must not lose the element's result
                storey = None
            found = (global_id, ifc_class, key, name if isinstance(name, str) else None, storey)
            self._identities[key] = found
        return found

    def outcome(self, facet: object, state: Hashable, compute: Callable[[], T]) -> T:
        """What `facet` finds on an element whose relevant data is `state`, computed once.

        `state` must be equal for two elements exactly when the facet cannot tell them apart
        (e.g. the same property sets): elements sharing their type's data then share one
        check instead of repeating it.
        """
        # One memo per facet, each bounded on its own: a facet whose every element is different
        # (unique property sets, say) cannot crowd out those that share, whatever their order.
        entry = self._outcomes.get(id(facet))
        # The entry holds the facet itself, so its id cannot pass to another facet meanwhile.
        if entry is None or entry[0] is not facet:
            entry = self._outcomes[id(facet)] = (facet, {})
        memo = entry[1]
        found = memo.get(state, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]  # stored by this facet: a T
        result = compute()
        if len(memo) < _MAX_OUTCOMES:
            memo[state] = result
        return result

    @cached_property
    def _outcomes(self) -> dict[int, tuple[object, dict[Hashable, object]]]:
        return {}

    @cached_property
    def _identities(self) -> dict[int, ElementIdentity]:
        return {}

    @cached_property
    def _products(self) -> frozenset[str]:
        """Proper-case names of IfcProduct and its subtypes."""
        return frozenset(self.schema.entities[n] for n in self.schema.subtypes("IfcProduct"))

    @cached_property
    def _roots(self) -> frozenset[str]:
        """Proper-case names of IfcRoot and its subtypes (is_a("IfcRoot") costs 1.5 µs a call)."""
        return frozenset(self.schema.entities[n] for n in self.schema.subtypes("IfcRoot"))


def _own_predefined_types(element: ifcopenshell.entity_instance) -> tuple[str, ...]:
    try:
        value = element.PredefinedType
    except AttributeError:
        return ()
    if value is None:
        return ()
    if value == "USERDEFINED":
        for attr in _USERDEFINED_ATTRIBUTES:
            try:
                custom = getattr(element, attr)
            except AttributeError:
                continue
            return (custom, value) if custom else (value,)
    return (value,)


def open_model(path: str | os.PathLike[str]) -> Model:
    """Open an IFC file, or raise InputError naming the file and the problem."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "model file does not exist")
    if p.is_dir():
        raise InputError(p, "is a directory, not an IFC file")
    refuse_device(p)
    try:
        sha256, size, complete, bad_text = file_identity(p)
    except OSError as exc:
        raise InputError(p, f"cannot read model: {exc.strerror or exc}") from None
    if size == 0:
        raise InputError(p, "model file is empty")
    if not complete:
        raise InputError(p, "model file is truncated or not an IFC-SPF file (no END-ISO-10303-21;)")
    ifcopenshell_wrapper.get_log()  # reading the log empties it: drop what earlier calls left there
    try:
        ifc = ifcopenshell.open(str(p))
    except ifcopenshell.SchemaError as exc:
        raise InputError(
            p, f"unsupported IFC schema ({exc}); bimcheck reads {', '.join(SUPPORTED_SCHEMAS)}"
        ) from None
    except (ifcopenshell.Error, OSError, RuntimeError) as exc:
        raise InputError(p, f"not a readable IFC file: {exc}") from None
    # The STEP parser skips what it cannot read and only logs it; a model with holes in it
    # would then be checked as if the skipped elements did not exist.
    errors = parse_errors(ifcopenshell_wrapper.get_log())
    if errors:
        raise InputError(
            p,
            f"corrupt IFC: {len(errors)} syntax error(s) in the STEP data; first: {errors[0]}",
            errors[:_MAX_DETAILS],
        )
    if bad_text is not None:  # read on, and names and values would silently differ from the file
        raise InputError(p, f"text ifcopenshell cannot read faithfully: {bad_text}")
    schema = ifc.schema_identifier.upper()
    if not any(schema.startswith(s) for s in SUPPORTED_SCHEMAS):
        raise InputError(p, f"unsupported IFC schema {schema}; bimcheck reads {', '.join(SUPPORTED_SCHEMAS)}")
    header = ifc.header.file_name
    applications = ifc.by_type("IfcApplication")
    authoring = None
    if applications:
        app = applications[0]
        authoring = " ".join(x for x in (app.ApplicationFullName, app.Version) if x) or None
    info = ModelInfo(
        path=str(p),
        name=p.name,
        size=size,
        sha256=sha256,
        schema=schema,
        originating_system=_text(header.originating_system),
        preprocessor=_text(header.preprocessor_version),
        timestamp=_text(header.time_stamp),
        authoring_application=authoring,
        project_guid=next((p.GlobalId for p in ifc.by_type("IfcProject")), None),
    )
    return Model(ifc, info)


_MAX_DETAILS = 10
_LOG_PREFIX = re.compile(r"^\[error\]\s*(\[[^\]]*\]\s*)*")  # level, then optional code and time


def parse_errors(log: str) -> list[str]:
    """Error messages in an ifcopenshell log, in its text (`[error] [time] …`) or JSON form."""
    errors = []
    for line in log.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("level") == "error":
                errors.append(str(entry.get("message", "")))
        elif line.startswith("[error]"):
            errors.append(_LOG_PREFIX.sub("", line))
    return errors


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


_HEADER_SCHEMA = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'")
_HEADER_NAME = re.compile(rb"FILE_NAME\s*\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'")


def peek_model(path: str | os.PathLike[str]) -> ModelInfo:
    """The identity of a model without parsing it: hash, size, schema and timestamp from the header.

    Used when a model could not be checked to the end (a time budget ran out), so that
    reports still say exactly which file was given.
    """
    p = Path(path)
    try:
        sha256, size, _, _ = file_identity(p)
        with p.open("rb") as stream:
            head = stream.read(1 << 16)
    except OSError as exc:
        raise InputError(p, f"cannot read model: {exc.strerror or exc}") from None
    schema = _HEADER_SCHEMA.search(head)
    name = _HEADER_NAME.search(head)
    return ModelInfo(
        path=str(p),
        name=p.name,
        size=size,
        sha256=sha256,
        schema=schema.group(1).decode("ascii", "replace").upper() if schema else "UNKNOWN",
        timestamp=name.group(2).decode("utf-8", "replace") or None if name else None,
    )
