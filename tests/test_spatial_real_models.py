"""Relations and key figures on the real models in ../shared/models, against independent counts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element
import pytest

from bimcheck.engine import evaluate
from bimcheck.model.ifcmodel import Model, open_model
from bimcheck.model.spatial import BY_BOUNDARIES, BY_FILLS
from bimcheck.rules.aggregates import Aggregate
from bimcheck.rules.facets import EntityFacet
from bimcheck.rules.requirement import Requirement
from bimcheck.rules.values import ValueSpec
from tests.conftest import SHARED_MODELS, require_shared

_MODELS: dict[str, Model] = {}


def model(name: str) -> Model:
    """Each shared model opened once for this module (read in place, never copied)."""
    if name not in _MODELS:
        _MODELS[name] = open_model(require_shared(SHARED_MODELS / name))
    return _MODELS[name]


# Doors, windows and spaces per storey, counted with ifcopenshell.util.element: get_container
# (spaces: get_aggregate, as they decompose their storey; a door or window contained nowhere:
# the container of the wall whose opening it fills). Empty storeys are left out here.
# The totals agree with ../shared/models/MANIFEST.csv.
PER_STOREY = {
    "AC20-FZK-Haus.ifc": {
        "IFCDOOR": {"Erdgeschoss": 5},
        "IFCWINDOW": {"Erdgeschoss": 9, "Dachgeschoss": 2},
        "IFCSPACE": {"Erdgeschoss": 6, "Dachgeschoss": 1},
    },
    "BimWhale_LargeBuilding.ifc": {
        "IFCDOOR": {"Level 1": 18},
        "IFCWINDOW": {"Level 1": 28, "Level 2": 14},
        "IFCSPACE": {"Level 1": 8},
    },
    "BimWhale_TallBuilding.ifc": {
        "IFCDOOR": {"Level 1": 5},
        "IFCWINDOW": {"Level 1": 6, "Level 2": 7, "Level 4": 4, "Level 5": 4},
        "IFCSPACE": {"Level 1": 3},
    },
    "Duplex_A_20110907.ifc": {
        "IFCDOOR": {"Level 1": 6, "Level 2": 8},
        "IFCWINDOW": {"Level 1": 4, "Level 2": 18, "Roof": 2},
        "IFCSPACE": {"Level 1": 10, "Level 2": 10, "Roof": 1},
    },
}


def independent_storey(element: ifcopenshell.entity_instance) -> str | None:
    container = ifcopenshell.util.element.get_container(element)
    if container is None and element.is_a("IfcSpace"):
        container = ifcopenshell.util.element.get_aggregate(element)
    if container is None:
        for fills in getattr(element, "FillsVoids", None) or ():
            wall = fills.RelatingOpeningElement.VoidsElements[0].RelatingBuildingElement
            container = ifcopenshell.util.element.get_container(wall)
    return None if container is None else container.Name


@pytest.mark.parametrize("name", sorted(PER_STOREY))
@pytest.mark.parametrize("ifc_class", ["IFCDOOR", "IFCWINDOW", "IFCSPACE"])
def test_counts_per_storey_match_an_independent_count(name: str, ifc_class: str) -> None:
    m = model(name)
    independent = Counter(independent_storey(e) for e in m.by_class(ifc_class))
    assert dict(independent) == PER_STOREY[name][ifc_class]
    entity = EntityFacet(name=ValueSpec(simple=ifc_class))
    result = evaluate(
        m, Requirement("K", "count", (entity,), aggregate=Aggregate("count", group_by="storey"))
    )
    figures = {k.group: k.value for k in result.key_figures}
    # bimcheck lists every storey, the empty ones with 0.
    assert {g: v for g, v in figures.items() if v} == PER_STOREY[name][ifc_class]
    storeys = {s.Name for s in m.file.by_type("IfcBuildingStorey")}
    assert set(figures) == storeys


# --- windows and doors of spaces ---------------------------------------------------------------------

# AC20-FZK-Haus: second-level space boundaries. Read from its IfcRelSpaceBoundary list and checked
# against the plan (each of the 11 windows is in exactly one room; the hall has the front door).
FZK_WINDOWS = {
    "Schlafzimmer": ["EG-Fenster-3", "EG-Fenster-8"],
    "Bad": ["EG-Fenster-2"],
    "Buero": ["EG-Fenster-1", "EG-Fenster-6"],
    "Wohnen": ["EG-Fenster-5", "EG-Fenster-9"],
    "Flur": [],
    "Küche": ["EG-Fenster-4", "EG-Fenster-7"],
    "Galerie": ["OG-Fenster-1", "OG-Fenster-2"],
}
FZK_DOORS = {
    "Schlafzimmer": ["Innentuer-1"],
    "Bad": ["Innentuer-2"],
    "Buero": ["Innentuer-3"],
    "Wohnen": ["Terrassentuer"],
    "Flur": ["Haustuer", "Innentuer-1", "Innentuer-2", "Innentuer-3"],
    "Küche": [],
    "Galerie": [],
}


def elements(related: list[ifcopenshell.entity_instance] | None) -> list[ifcopenshell.entity_instance]:
    assert related is not None
    return related


def names(related: list[ifcopenshell.entity_instance] | None) -> list[str]:
    return sorted(e.Name for e in elements(related))


@pytest.mark.parametrize(("via", "expected"), [("windows", FZK_WINDOWS), ("doors", FZK_DOORS)])
def test_fzk_haus_space_boundaries_and_geometric_adjacency_give_the_same_rooms(
    via: str, expected: dict[str, list[str]]
) -> None:
    m = model("AC20-FZK-Haus.ifc")
    for space in m.file.by_type("IfcSpace"):
        by_boundaries = m.spatial.relate(space, via)
        by_geometry = m.spatial.relate(space, via, {"method": "geometry"})
        assert by_boundaries.method == BY_BOUNDARIES
        assert names(by_boundaries.elements) == expected[space.LongName], space.LongName
        assert names(by_geometry.elements) == expected[space.LongName], space.LongName


def revit_id(element: ifcopenshell.entity_instance) -> str:
    """Duplex elements are named `Family:Type:<Revit element id>`; the id is unique."""
    match = re.search(r":(\d+)$", element.Name)
    assert match, element.Name
    return match.group(1)


# Duplex (Revit 2011, IFC2X3) has space boundaries too; they and geometric adjacency differ only
# here, each case checked on the geometry (space name -> (only in boundaries, only by geometry)):
# - living rooms A102/B102: the boundaries list the 750 × 2200 window 147051/146885, which only
#   meets the room at the end of its opening (a wall corner; it faces the kitchen);
# - hallways A201/B201 and the roof space R301: the boundaries list no skylight at all; the skylights
#   185718/185337 lie over the hallways, in the roof the roof space stands on;
# - bedrooms A202/A203/B202/B203: three 819 × 759 windows are stacked in one opening position
#   (z 3.2–4.0, 4.0–4.8, 4.85–5.6 m); the boundaries list only one of them;
# - hallway A201: the boundaries list door 204034 (bathroom 2 – utility), 0.125 m from its outline.
DUPLEX_WINDOW_DIFFERENCES = {
    "A102": ({"147051"}, set()),
    "B102": ({"146885"}, set()),
    "A201": (set(), {"185718"}),
    "B201": (set(), {"185337"}),
    "R301": (set(), {"185337", "185718"}),
    "A202": (set(), {"181285", "181548"}),
    "A203": (set(), {"149736", "149924"}),
    "B202": (set(), {"180663", "180994"}),
    "B203": (set(), {"148607", "148722"}),
}
DUPLEX_DOOR_DIFFERENCES = {"A201": ({"204034"}, set())}


@pytest.mark.parametrize(
    ("via", "differences"), [("windows", DUPLEX_WINDOW_DIFFERENCES), ("doors", DUPLEX_DOOR_DIFFERENCES)]
)
def test_duplex_space_boundaries_and_geometric_adjacency_differ_only_where_explained(
    via: str, differences: dict[str, tuple[set[str], set[str]]]
) -> None:
    m = model("Duplex_A_20110907.ifc")
    found = {}
    for space in m.file.by_type("IfcSpace"):
        bounded = m.spatial.related(space, via, {"method": "relationships"})
        measured = m.spatial.related(space, via, {"method": "geometry"})
        b = {revit_id(e) for e in elements(bounded)}
        g = {revit_id(e) for e in elements(measured)}
        if b != g:
            found[space.Name] = (b - g, g - b)
    assert found == differences


def test_duplex_rooms_all_have_boundaries_so_they_decide_by_default() -> None:
    m = model("Duplex_A_20110907.ifc")
    spaces = m.file.by_type("IfcSpace")
    assert len(spaces) == 21
    assert {m.spatial.relate(s, "windows").method for s in spaces} == {BY_BOUNDARIES}


@pytest.mark.parametrize("name", ["BimWhale_LargeBuilding.ifc", "BimWhale_TallBuilding.ifc"])
def test_without_boundaries_every_window_beside_a_room_has_exactly_one_room(name: str) -> None:
    # These Revit exports have rooms on Level 1 only: each Level 1 window (28 and 6, counted
    # above) is in the outer wall of exactly one room, and windows higher up are in none.
    m = model(name)
    for window in m.file.by_type("IfcWindow"):
        spaces = m.spatial.relate(window, "spaces")
        assert spaces.elements is not None
        expected = 1 if m.storey_name(window) == "Level 1" else 0
        assert len(spaces.elements) == expected, (window.Name, spaces.method)


def test_tall_building_outside_doors_open_into_one_room_and_inside_doors_into_two() -> None:
    m = model("BimWhale_TallBuilding.ifc")
    rooms = {d.Name: len(elements(m.spatial.related(d, "spaces"))) for d in m.file.by_type("IfcDoor")}
    assert sorted(rooms.items()) == [
        ("M_Door-Interior-Double-Full Glass-Wood:1500 x 2000mm:358703", 1),  # into room 10 from a hall
        ("M_Single-Flush:Inside Door:359375", 2),
        ("M_Single-Flush:Inside Door:359428", 2),
        ("M_Single-Flush:Outside door:358883", 1),
        ("M_Single-Flush:Outside door:359319", 1),
    ]


# --- host walls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["AC20-FZK-Haus.ifc", "Duplex_A_20110907.ifc", "BimWhale_LargeBuilding.ifc"])
def test_every_door_and_window_in_an_opening_is_hosted_by_the_wall_voided_by_it(name: str) -> None:
    m = model(name)
    checked = 0
    for element in [*m.file.by_type("IfcDoor"), *m.file.by_type("IfcWindow")]:
        fills = getattr(element, "FillsVoids", None) or ()
        if not fills:
            continue
        expected = sorted(
            v.RelatingBuildingElement.GlobalId for f in fills for v in f.RelatingOpeningElement.VoidsElements
        )
        host = m.spatial.relate(element, "host")
        assert host.method == BY_FILLS
        assert sorted(h.GlobalId for h in elements(host.elements)) == expected
        assert all(h.is_a("IfcWall") or h.is_a("IfcRoof") or h.is_a("IfcSlab") for h in host.elements or [])
        checked += 1
    assert checked >= 16  # FZK: 16 fillings; Duplex: 38; LargeBuilding: 60 (MANIFEST/IfcRelFillsElement)


def test_the_shared_models_directory_is_read_in_place() -> None:
    assert Path(model("AC20-FZK-Haus.ifc").info.path).parent == SHARED_MODELS
