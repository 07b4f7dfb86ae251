"""What the IFC schemas declare: classes, subtypes, attributes, predefined types, data types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import ifcopenshell.ifcopenshell_wrapper as wrapper

# Schemas a model or an IDS may name, mapped to the schema ifcopenshell knows them by.
SCHEMA_ALIASES = {
    "IFC2X3": "IFC2X3",
    "IFC4": "IFC4",
    "IFC4X3": "IFC4X3_ADD2",
    "IFC4X3_ADD1": "IFC4X3_ADD2",
    "IFC4X3_ADD2": "IFC4X3_ADD2",
    "IFC4X3_TC1": "IFC4X3_ADD2",
}

# IFC2X3 has no occurrence class for many element kinds; IDS 1.0 names them anyway and
# matches the generic occurrence typed by the specific type (buildingSMART IDS
# "IFC2X3 entities mapping" table).  name in IDS -> (occurrence class, type class)
IFC2X3_OCCURRENCE_BY_TYPE: dict[str, tuple[str, str]] = {
    name.upper(): (occurrence, name + "Type")
    for occurrence, names in {
        "IfcFurnishingElement": ("IfcFurniture", "IfcSystemFurnitureElement"),
        "IfcDistributionControlElement": (
            "IfcActuator",
            "IfcAlarm",
            "IfcController",
            "IfcFlowInstrument",
            "IfcSensor",
        ),
        "IfcEnergyConversionDevice": (
            "IfcAirToAirHeatRecovery",
            "IfcBoiler",
            "IfcChiller",
            "IfcCoil",
            "IfcCondenser",
            "IfcCooledBeam",
            "IfcCoolingTower",
            "IfcElectricGenerator",
            "IfcElectricMotor",
            "IfcEvaporativeCooler",
            "IfcEvaporator",
            "IfcHeatExchanger",
            "IfcHumidifier",
            "IfcMotorConnection",
            "IfcSpaceHeater",
            "IfcTransformer",
            "IfcTubeBundle",
            "IfcUnitaryEquipment",
        ),
        "IfcFlowController": (
            "IfcAirTerminalBox",
            "IfcDamper",
            "IfcElectricTimeControl",
            "IfcFlowMeter",
            "IfcProtectiveDevice",
            "IfcSwitchingDevice",
            "IfcValve",
        ),
        "IfcFlowFitting": (
            "IfcCableCarrierFitting",
            "IfcDuctFitting",
            "IfcJunctionBox",
            "IfcPipeFitting",
        ),
        "IfcFlowMovingDevice": ("IfcCompressor", "IfcFan", "IfcPump"),
        "IfcFlowSegment": (
            "IfcCableCarrierSegment",
            "IfcCableSegment",
            "IfcDuctSegment",
            "IfcPipeSegment",
        ),
        "IfcFlowStorageDevice": ("IfcElectricFlowStorageDevice", "IfcTank"),
        "IfcFlowTerminal": (
            "IfcAirTerminal",
            "IfcElectricAppliance",
            "IfcFireSuppressionTerminal",
            "IfcLamp",
            "IfcLightFixture",
            "IfcOutlet",
            "IfcSanitaryTerminal",
            "IfcStackTerminal",
            "IfcWasteTerminal",
        ),
        "IfcFlowTreatmentDevice": ("IfcDuctSilencer", "IfcFilter"),
        "IfcEquipmentElement": ("IfcVibrationIsolator",),
    }.items()
    for name in names
}


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """One explicit attribute of an entity, as IDS attribute facets see it."""

    name: str
    index: int
    optional: bool
    kind: str  # "value" | "enumeration" | "entity" | "select" | "aggregate"
    type_name: str | None  # defined type, e.g. "IfcPositiveLengthMeasure", or enum/select name
    base: str | None  # "string" | "integer" | "real" | "number" | "boolean" | "logical" | "binary"
    select_has_entities: bool = False


def resolve_schema(name: str) -> str:
    """The ifcopenshell schema name for a schema identifier, e.g. IFC4X3 -> IFC4X3_ADD2."""
    return SCHEMA_ALIASES.get(name.upper(), name.upper())


def _underlying_simple(t: object) -> str | None:
    """Follow defined types down to the EXPRESS simple type they are made of."""
    while isinstance(t, wrapper.named_type):
        t = t.declared_type()
        if isinstance(t, wrapper.type_declaration):
            t = t.declared_type()
        else:
            break
    if isinstance(t, wrapper.simple_type):
        return str(t.declared_type())
    return None


def _select_leaves(decl: object) -> list[object]:
    out: list[object] = []
    stack = [decl]
    while stack:
        d = stack.pop()
        if isinstance(d, wrapper.select_type):
            for item in d.select_list():
                stack.append(item)
        else:
            out.append(d)
    return out


class SchemaInfo:
    """Introspection of one IFC schema, cached for the process (schema data never changes)."""

    def __init__(self, name: str) -> None:
        self.name = resolve_schema(name)
        self._schema = wrapper.schema_by_name(self.name)
        declarations = self._schema.declarations()
        self.entities: dict[str, str] = {
            d.name().upper(): d.name() for d in declarations if isinstance(d, wrapper.entity)
        }
        self.defined_types: dict[str, str] = {
            d.name().upper(): d.name() for d in declarations if isinstance(d, wrapper.type_declaration)
        }
        self.enumerations: dict[str, str] = {
            d.name().upper(): d.name() for d in declarations if isinstance(d, wrapper.enumeration_type)
        }
        self._attributes: dict[str, dict[str, AttributeInfo]] = {}
        self._subtypes: dict[str, frozenset[str]] = {}

    def entity_name(self, upper: str) -> str | None:
        """Proper-case entity name for an uppercase IDS name, or None if not in the schema."""
        return self.entities.get(upper.upper())

    def declaration(self, name: str) -> wrapper.entity:
        decl = self._schema.declaration_by_name(self.entities[name.upper()]).as_entity()
        assert decl is not None  # every name in self.entities is an entity
        return decl

    def is_subtype(self, name: str, ancestor: str) -> bool:
        """True if `name` is `ancestor` or one of its subtypes."""
        return name.upper() in self.subtypes(ancestor)

    def subtypes(self, name: str) -> frozenset[str]:
        """Uppercase names of `name` and all its subtypes."""
        key = name.upper()
        cached = self._subtypes.get(key)
        if cached is None:
            if key not in self.entities:
                cached = frozenset()
            else:
                names: set[str] = set()
                stack = [self.declaration(key)]
                while stack:
                    d = stack.pop()
                    names.add(d.name().upper())
                    stack.extend(d.subtypes())
                cached = frozenset(names)
            self._subtypes[key] = cached
        return cached

    def supertypes(self, name: str) -> list[str]:
        """Proper-case names from `name` up to its root entity."""
        out = []
        d: wrapper.entity | None = self.declaration(name)
        while d is not None:
            out.append(d.name())
            d = d.supertype()
        return out

    def attributes(self, name: str) -> dict[str, AttributeInfo]:
        """Explicit, non-derived attributes of an entity by name (IDS can check only these)."""
        key = name.upper()
        cached = self._attributes.get(key)
        if cached is not None:
            return cached
        decl = self.declaration(key)
        result: dict[str, AttributeInfo] = {}
        for index, (attr, derived) in enumerate(zip(decl.all_attributes(), decl.derived(), strict=True)):
            if derived:
                continue
            result[attr.name()] = self._attribute_info(attr, index)
        self._attributes[key] = result
        return result

    def index_of(self, entity: str, attribute: str) -> int:
        """Position of an explicit attribute, for get_argument(i) on hot paths."""
        return self.attributes(entity)[attribute].index

    def derived_attribute_names(self, name: str) -> set[str]:
        """Names of DERIVE attributes of an entity and its supertypes (never checkable by IDS)."""
        decl = self.declaration(name)
        names = {a.name() for a, d in zip(decl.all_attributes(), decl.derived(), strict=True) if d}
        lineage = set(self.supertypes(name))
        for entity, attribute in _derive_functions(self.name):
            if entity in lineage:
                names.add(attribute)
        return names

    def inverse_attribute_names(self, name: str) -> set[str]:
        return {a.name() for a in self.declaration(name).all_inverse_attributes()}

    def _attribute_info(self, attr: wrapper.attribute, index: int) -> AttributeInfo:
        t = attr.type_of_attribute()
        optional = bool(attr.optional())
        if isinstance(t, wrapper.aggregation_type):
            return AttributeInfo(attr.name(), index, optional, "aggregate", None, None)
        if isinstance(t, wrapper.named_type):
            decl = t.declared_type()
            if isinstance(decl, wrapper.entity):
                return AttributeInfo(attr.name(), index, optional, "entity", decl.name(), None)
            if isinstance(decl, wrapper.enumeration_type):
                return AttributeInfo(attr.name(), index, optional, "enumeration", decl.name(), "string")
            if isinstance(decl, wrapper.select_type):
                leaves = _select_leaves(decl)
                has_entities = any(isinstance(x, wrapper.entity) for x in leaves)
                return AttributeInfo(attr.name(), index, optional, "select", decl.name(), None, has_entities)
            if isinstance(decl, wrapper.type_declaration):
                inner = decl.declared_type()
                if isinstance(inner, wrapper.aggregation_type):
                    return AttributeInfo(attr.name(), index, optional, "aggregate", decl.name(), None)
                return AttributeInfo(
                    attr.name(), index, optional, "value", decl.name(), _underlying_simple(t)
                )
        if isinstance(t, wrapper.simple_type):
            return AttributeInfo(attr.name(), index, optional, "value", None, str(t.declared_type()))
        return AttributeInfo(attr.name(), index, optional, "value", None, None)

    def predefined_type_values(self, name: str) -> tuple[str, ...] | None:
        """Enumeration values of the class's PredefinedType attribute, or None if it has none."""
        attr = self.attributes(name).get("PredefinedType")
        if attr is None or attr.kind != "enumeration" or attr.type_name is None:
            return None
        decl = self._schema.declaration_by_name(attr.type_name).as_enumeration_type()
        return None if decl is None else tuple(decl.enumeration_items())

    def defined_type_base(self, upper: str) -> str | None:
        """Simple base ("real", "string", …) of a defined type such as IFCLENGTHMEASURE."""
        proper = self.defined_types.get(upper.upper())
        if proper is None:
            return None
        decl = self._schema.declaration_by_name(proper).as_type_declaration()
        if decl is None:
            return None
        inner = decl.declared_type()
        if isinstance(inner, wrapper.simple_type):
            return str(inner.declared_type())
        return _underlying_simple(inner)


@cache
def _derive_functions(schema: str) -> tuple[tuple[str, str], ...]:
    """(entity, attribute) of every DERIVE clause that is not a redeclared explicit attribute.

    ifcopenshell's wrapper lists only explicit attributes; its rule module for the schema
    carries one `calc_<Entity>_<Attribute>` function per DERIVE clause, which is the only
    complete list shipped with it.
    """
    import importlib

    try:
        module = importlib.import_module(f"ifcopenshell.express.rules.{schema}")
    except ImportError:
        return ()
    out = []
    for fn in dir(module):
        if fn.startswith("calc_"):
            entity, _, attribute = fn[len("calc_") :].partition("_")
            out.append((entity, attribute))
    return tuple(out)


@cache
def schema_info(name: str) -> SchemaInfo:
    """Schema introspection for IFC2X3, IFC4 or IFC4X3 (any alias)."""
    return SchemaInfo(name)
