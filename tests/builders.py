"""Small IFC models built in tests with ifcopenshell.api, with deterministic GlobalIds."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid

from bimcheck.model.ifcmodel import Model
from bimcheck.results import ModelInfo


def stable_guid(label: str) -> str:
    """A GlobalId derived from a label, so tests can name the elements they expect to fail."""
    digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:32]
    return ifcopenshell.guid.compress(uuid.UUID(hex=digest).hex)


class ModelBuilder:
    """Project → site → building → one storey per `storeys`, in metres unless told otherwise."""

    def __init__(
        self, schema: str = "IFC4", storeys: tuple[str, ...] = ("Plan 1",), length_unit: str = "METRE"
    ):
        self.file = ifcopenshell.api.run("project.create_file", version=schema)
        self._counter = 0
        self.project = self.create("IfcProject", "Project")
        prefix = "MILLI" if length_unit == "MILLIMETRE" else None
        length = self.file.createIfcSIUnit(None, "LENGTHUNIT", prefix, "METRE")
        area = self.file.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE")
        volume = self.file.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE")
        self.file.createIfcUnitAssignment((length, area, volume))
        self.project.UnitsInContext = self.file.by_type("IfcUnitAssignment")[0]
        self.site = self.create("IfcSite", "Site")
        self.building = self.create("IfcBuilding", "Building")
        ifcopenshell.api.run(
            "aggregate.assign_object", self.file, relating_object=self.project, products=[self.site]
        )
        ifcopenshell.api.run(
            "aggregate.assign_object", self.file, relating_object=self.site, products=[self.building]
        )
        self.storeys = {}
        for name in storeys:
            storey = self.create("IfcBuildingStorey", name)
            ifcopenshell.api.run(
                "aggregate.assign_object", self.file, relating_object=self.building, products=[storey]
            )
            self.storeys[name] = storey

    def body_context(self) -> ifcopenshell.entity_instance:
        """The Model/Body representation context, created on first use."""
        found = [
            c
            for c in self.file.by_type("IfcGeometricRepresentationSubContext")
            if c.ContextIdentifier == "Body"
        ]
        if found:
            return found[0]
        model = ifcopenshell.api.run("context.add_context", self.file, context_type="Model")
        return ifcopenshell.api.run(
            "context.add_context",
            self.file,
            context_type="Model",
            context_identifier="Body",
            target_view="MODEL_VIEW",
            parent=model,
        )

    def create(self, ifc_class: str, name: str | None = None, guid: str | None = None, **attributes: Any):
        """Create an entity with a stable GlobalId (from `guid`, else from class, name and order)."""
        self._counter += 1
        if self.file.schema == "IFC2X3":
            self._ensure_owner()
        label = guid or f"{ifc_class}/{name}/{self._counter}"
        entity = ifcopenshell.api.run("root.create_entity", self.file, ifc_class=ifc_class, name=name)
        entity.GlobalId = stable_guid(label)
        for key, value in attributes.items():
            setattr(entity, key, value)
        return entity

    def element(self, ifc_class: str, name: str | None = None, storey: str | None = None, **attributes: Any):
        """A product contained in a storey (the first one unless named)."""
        entity = self.create(ifc_class, name, **attributes)
        container = self.storeys[storey] if storey else next(iter(self.storeys.values()))
        ifcopenshell.api.run(
            "spatial.assign_container", self.file, relating_structure=container, products=[entity]
        )
        return entity

    def pset(self, element, name: str, properties: dict[str, Any]):
        pset = ifcopenshell.api.run("pset.add_pset", self.file, product=element, name=name)
        ifcopenshell.api.run("pset.edit_pset", self.file, pset=pset, properties=properties)
        return pset

    def qto(self, element, name: str, quantities: dict[str, float]):
        qto = ifcopenshell.api.run("pset.add_qto", self.file, product=element, name=name)
        ifcopenshell.api.run("pset.edit_qto", self.file, qto=qto, properties=quantities)
        return qto

    def typed(self, element, type_class: str, name: str, **attributes: Any):
        type_object = self.create(type_class, name, **attributes)
        ifcopenshell.api.run(
            "type.assign_type", self.file, related_objects=[element], relating_type=type_object
        )
        return type_object

    def classify(self, element, system: str, code: str, name: str | None = None):
        systems = [c for c in self.file.by_type("IfcClassification") if c.Name == system]
        classification = (
            systems[0]
            if systems
            else ifcopenshell.api.run("classification.add_classification", self.file, classification=system)
        )
        return ifcopenshell.api.run(
            "classification.add_reference",
            self.file,
            products=[element],
            classification=classification,
            identification=code,
            name=name or code,
        )

    def material(self, element, name: str, category: str | None = None):
        material = ifcopenshell.api.run("material.add_material", self.file, name=name, category=category)
        ifcopenshell.api.run("material.assign_material", self.file, products=[element], material=material)
        return material

    def _ensure_owner(self) -> None:
        """IFC2X3 requires an owner history on every rooted entity; ifcopenshell.api needs a user."""
        if self.file.by_type("IfcPersonAndOrganization"):
            return
        person = ifcopenshell.api.run(
            "owner.add_person", self.file, identification="TEST", family_name="Test"
        )
        organisation = ifcopenshell.api.run(
            "owner.add_organisation", self.file, identification="T", name="Test"
        )
        ifcopenshell.api.run(
            "owner.add_person_and_organisation", self.file, person=person, organisation=organisation
        )
        ifcopenshell.api.run("owner.add_application", self.file)

    def set_unit(self, unit):
        """Make `unit` the project's unit for its unit type, replacing any unit of that type."""
        assignment = self.project.UnitsInContext
        unit_type = getattr(unit, "UnitType", None)
        kept = tuple(u for u in assignment.Units if getattr(u, "UnitType", None) != unit_type)
        assignment.Units = (*kept, unit)
        return unit

    def model(self, name: str = "built.ifc") -> Model:
        """The built file as a bimcheck Model (indexes are built on first use: call after building)."""
        info = ModelInfo(
            path=name, name=name, size=0, sha256="0" * 64, schema=self.file.schema_identifier.upper()
        )
        return Model(self.file, info)

    def save(self, path: Path) -> Path:
        self.file.write(str(path))
        return path
