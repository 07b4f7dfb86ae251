"""Measures on the real models in ../shared/models, against their own data and independent sums.

Each expectation says where it comes from: the model's own quantity or property sets (as
exported by ArchiCAD or Revit), the model's attributes, or an independent computation in
this file that uses ifcopenshell and shapely directly and never bimcheck's geometry code.
"""

from __future__ import annotations

import functools
from pathlib import Path

import ifcopenshell
import ifcopenshell.geom
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.util.unit
import numpy as np
import pytest
import shapely

from bimcheck.model.ifcmodel import Model, open_model


@functools.cache
def _open(path: Path) -> Model:
    """One bimcheck model per file and test worker: the geometry is computed once."""
    return open_model(path)


@pytest.fixture
def fzk(shared_models: Path) -> Model:
    return _open(shared_models / "AC20-FZK-Haus.ifc")


@pytest.fixture
def duplex(shared_models: Path) -> Model:
    return _open(shared_models / "Duplex_A_20110907.ifc")


def _bimwhale(shared_models: Path, which: str) -> Model:
    return _open(shared_models / f"BimWhale_{which}Building.ifc")


def _raw(element: ifcopenshell.entity_instance, pset: str, name: str) -> float:
    """A value exactly as the file holds it, read with ifcopenshell alone."""
    return float(ifcopenshell.util.element.get_psets(element)[pset][name])


# --- independent computations ------------------------------------------------------------------


def _triangles(ifc: ifcopenshell.file, elements: list[ifcopenshell.entity_instance]) -> dict[int, tuple]:
    """Triangles (world coordinates in metres) and face transparency per element, from
    ifcopenshell's iterator run here with its own settings."""
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    out: dict[int, tuple] = {}
    iterator = ifcopenshell.geom.iterator(settings, ifc, 1, include=elements)
    assert iterator.initialize()
    while True:
        produced = iterator.get()
        geometry = produced.geometry
        vertices = np.array(geometry.verts).reshape(-1, 3)
        faces = np.array(geometry.faces).reshape(-1, 3)
        transparency = np.array([m.transparency for m in geometry.materials] + [0.0])
        ids = np.array(geometry.material_ids)
        out[produced.id] = (vertices[faces], np.nan_to_num(transparency[ids]))
        if not iterator.next():
            break
    return out


def _area(triangles: np.ndarray) -> np.ndarray:
    return (
        np.linalg.norm(np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]), axis=1)
        / 2
    )


def _profile_area(space: ifcopenshell.entity_instance, metres: float) -> float | None:
    """Floor area of a space extruded vertically from its profile: the profile's own area."""
    body = next(r for r in space.Representation.Representations if r.RepresentationIdentifier == "Body")
    (solid,) = body.Items
    if not solid.is_a("IfcExtrudedAreaSolid"):
        return None
    axis = solid.Position.Axis
    if axis is not None and abs(axis.DirectionRatios[2]) != 1.0:
        return None  # the profile stands upright: its area is not a floor area
    profile = solid.SweptArea
    if profile.is_a("IfcRectangleProfileDef"):
        return profile.XDim * profile.YDim * metres**2
    if profile.is_a("IfcArbitraryClosedProfileDef") and profile.OuterCurve.is_a("IfcPolyline"):
        xy = np.array([p.Coordinates[:2] for p in profile.OuterCurve.Points])
        x, y = xy[:, 0], xy[:, 1]
        return abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2 * metres**2
    return None


def _bottom_area(triangles: np.ndarray) -> float:
    """Area of the downward-facing triangles at the body's lowest level: its floor."""
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    lowest = triangles[:, :, 2].min()
    floor = (normals[:, 2] < 0) & (np.abs(triangles[:, :, 2] - lowest) < 1e-6).all(axis=1)
    return float(_area(triangles[floor]).sum())


# --- spaces --------------------------------------------------------------------------------------


def test_fzk_floor_areas_from_geometry_are_archicads_gross_floor_areas(fzk: Model) -> None:
    # ArchiCAD's NetFloorArea is the gross area less 3 % for plaster (and less the low parts
    # under the roof), a national convention; the space body's floor is the gross area.
    for space in fzk.file.by_type("IfcSpace"):
        geometry = fzk.measures.get(space, "net_floor_area", "geometry")
        assert geometry.value == pytest.approx(_raw(space, "BaseQuantities", "GrossFloorArea"), rel=1e-4)
        declared = fzk.measures.get(space, "net_floor_area")
        assert declared.source == "property: BaseQuantities.NetFloorArea"
        assert declared.value == pytest.approx(_raw(space, "BaseQuantities", "NetFloorArea"))
        perimeter = fzk.measures.get(space, "perimeter", "geometry")
        assert perimeter.value == pytest.approx(_raw(space, "BaseQuantities", "NetPerimeter"), rel=1e-4)
        clear = fzk.measures.get(space, "clear_height")
        assert clear.source == "property: BaseQuantities.FinishCeilingHeight"
        assert clear.value == pytest.approx(_raw(space, "BaseQuantities", "FinishCeilingHeight"))


@pytest.mark.parametrize("which", ["Large", "Tall"])
def test_bimwhale_floor_areas_from_geometry_are_revits_net_floor_areas(
    shared_models: Path, which: str
) -> None:
    model = _bimwhale(shared_models, which)
    for space in model.file.by_type("IfcSpace"):
        geometry = model.measures.get(space, "net_floor_area", "geometry")
        assert geometry.value == pytest.approx(_raw(space, "BaseQuantities", "NetFloorArea"), rel=1e-6)
        # Height 4000 in a millimetre model
        assert _raw(space, "BaseQuantities", "Height") == pytest.approx(4000.0)
        assert model.measures.get(space, "height").value == pytest.approx(4.0)


def test_a_wrong_declared_quantity_is_reported_as_declared_and_geometry_gives_the_true_value(
    shared_models: Path,
) -> None:
    # Revit 2021 wrote the rooms' GrossPerimeter as a number of feet in a millimetre model:
    # 93.18 "mm" for a room 28.4 m round (28.4 / 0.3048 = 93.18).
    model = _bimwhale(shared_models, "Large")
    room = next(s for s in model.file.by_type("IfcSpace") if s.Name == "1")
    raw = _raw(room, "BaseQuantities", "GrossPerimeter")
    assert raw == pytest.approx(28.4 / 0.3048, rel=1e-6)
    declared = model.measures.get(room, "perimeter")
    assert (declared.value, declared.source) == (
        pytest.approx(raw / 1000),
        "property: BaseQuantities.GrossPerimeter",
    )
    assert model.measures.get(room, "perimeter", "geometry").value == pytest.approx(28.4)


def test_duplex_without_quantity_sets_gets_floor_areas_from_geometry_within_one_percent(
    duplex: Model,
) -> None:
    spaces = duplex.file.by_type("IfcSpace")
    metres = ifcopenshell.util.unit.calculate_unit_scale(duplex.file)
    triangulated = _triangles(duplex.file, spaces)
    deviations = {}
    for space in spaces:
        measured = duplex.measures.get(space, "net_floor_area")
        assert measured.source is not None
        assert measured.source.startswith("geometry: "), space.Name  # the model has no quantity sets
        # Independent: the extruded profile's area, or for surface models and upright
        # profiles the downward-facing triangles at the body's lowest level.
        expected = _profile_area(space, metres) or _bottom_area(triangulated[space.id()][0])
        assert expected > 0
        deviations[space.Name] = abs(measured.value - expected) / expected  # type: ignore[operator]
    assert len(deviations) == 21
    assert max(deviations.values()) < 0.01, deviations


def test_duplex_clear_heights_come_from_the_ceilings_over_the_rooms(duplex: Model) -> None:
    # Independent: for each room, the ceiling coverings whose triangles cover at least 5 % of
    # the room's bottom and hang between its bottom and its top; the lowest one's bottom less
    # the room's bottom (Revit's ceilings hang 2.6 m above the levels, the rooms' bodies
    # start 13 or 19 mm above them); without one, the room's own height.
    spaces = duplex.file.by_type("IfcSpace")
    ceilings = [c for c in duplex.file.by_type("IfcCovering") if c.PredefinedType == "CEILING"]
    triangles = _triangles(duplex.file, [*spaces, *ceilings])
    from_ceiling = 0
    for space in spaces:
        tri = triangles[space.id()][0]
        bottom, top = tri[:, :, 2].min(), tri[:, :, 2].max()
        floor = shapely.union_all(
            shapely.polygons(tri[(np.abs(tri[:, :, 2] - bottom) < 1e-6).all(axis=1)][:, :, :2])
        )
        hanging = []
        for ceiling in ceilings:
            c = triangles[ceiling.id()][0]
            plan = shapely.union_all(
                [shapely.Polygon(t[:, :2]) for t in c if shapely.Polygon(t[:, :2]).area > 1e-9]
            )
            if bottom < c[:, :, 2].min() <= top + 0.05 and plan.intersection(floor).area >= 0.05 * floor.area:
                hanging.append(c[:, :, 2].min())
        measured = duplex.measures.get(space, "clear_height")
        expected = (min(hanging) if hanging else top) - bottom
        assert measured.value == pytest.approx(expected, abs=1e-6), space.Name
        from_ceiling += bool(hanging)
        assert ("lowest ceiling covering" in (measured.source or "")) == bool(hanging)
    assert from_ceiling == 20  # every room but the roof space R301


# --- doors ---------------------------------------------------------------------------------------


def test_fzk_door_widths_and_clear_widths_from_archicads_lining_and_panel_properties(fzk: Model) -> None:
    doors = {d.Name: d for d in fzk.file.by_type("IfcDoor")}
    for door in doors.values():
        width = fzk.measures.get(door, "overall_width")
        assert width.value == pytest.approx(door.OverallWidth)  # a metre model
        assert width.value == pytest.approx(_raw(door, "BaseQuantities", "Width"))
    # Innentuer: 0.885 overall, lining 0.05 each side, a 0.04 leaf (the model's own sets)
    for name in ("Innentuer-1", "Innentuer-2", "Innentuer-3"):
        assert fzk.measures.get(doors[name], "clear_width").value == pytest.approx(0.885 - 2 * 0.05 - 0.04)
    # Terrassentuer: 2.01 overall, two sliding leaves without a declared share
    assert fzk.measures.get(doors["Terrassentuer"], "clear_width").value == pytest.approx((2.01 - 0.1) / 2)
    # Haustuer: no lining properties, so only the overall width, an upper bound
    unknown = fzk.measures.get(doors["Haustuer"], "clear_width")
    assert unknown.value is None
    assert "1.010 m is only an upper bound" in (unknown.reason or "")


@pytest.mark.parametrize("which", ["Large", "Tall"])
def test_bimwhale_door_widths_are_converted_from_millimetres(shared_models: Path, which: str) -> None:
    model = _bimwhale(shared_models, which)
    for door in model.file.by_type("IfcDoor"):
        width = model.measures.get(door, "overall_width")
        assert width.value == pytest.approx(door.OverallWidth / 1000)  # 915 or 1550 mm
        if "Double" in door.Name:
            # Revit writes the rough opening (RoughWidth 1550) as OverallWidth, the nominal
            # 1500 as the Width quantity: the attribute is what bimcheck takes first
            assert width.value == pytest.approx(_raw(door, "Custom_Pset", "RoughWidth") / 1000)
        else:
            assert width.value == pytest.approx(_raw(door, "BaseQuantities", "Width") / 1000)
        assert model.measures.get(door, "clear_width").value is None  # Revit wrote no lining


def test_duplex_door_widths_are_revits_type_widths(duplex: Model) -> None:
    for door in duplex.file.by_type("IfcDoor"):
        width = duplex.measures.get(door, "overall_width")
        assert width.value == pytest.approx(_raw(door, "PSet_Revit_Type_Dimensions", "Width"), abs=0.001)


# --- windows -------------------------------------------------------------------------------------


def _glass_face_on(window: ifcopenshell.entity_instance, triangles: tuple) -> float | None:
    """Independent glazed area: the transparent triangles drawn on the window's own elevation
    (its placement's X and Z axes) and unioned, so front and back of a pane count once."""
    tri, transparency = triangles
    glass = tri[transparency >= 0.5]
    if not len(glass):
        return None
    matrix = np.array(ifcopenshell.util.placement.get_local_placement(window.ObjectPlacement))
    elevation = np.stack([glass @ matrix[:3, 0], glass @ matrix[:3, 2]], axis=-1)
    panes = [shapely.Polygon(t) for t in elevation]
    return float(shapely.union_all([p for p in panes if p.area > 1e-12]).area)


@pytest.mark.parametrize(
    ("name", "count"),
    [("AC20-FZK-Haus.ifc", 11), ("BimWhale_LargeBuilding.ifc", 42), ("Duplex_A_20110907.ifc", 22)],
)
def test_glazed_area_from_glass_geometry_matches_an_independent_sum(
    shared_models: Path, name: str, count: int
) -> None:
    model = _open(shared_models / name)
    windows = model.file.by_type("IfcWindow")
    triangles = _triangles(model.file, windows)  # ifcopenshell's iterator gives metres
    compared = 0
    for window in windows:
        expected = _glass_face_on(window, triangles[window.id()])
        measured = model.measures.get(window, "glazed_area")
        if expected is None:  # Duplex's two skylights have no transparent style
            assert measured.value is None
            continue
        assert measured.source == "geometry: glass faces (transparent surface style) seen face-on"
        assert measured.value == pytest.approx(expected, rel=0.001), window.Name
        compared += 1
    assert compared == count
    if name.startswith("AC20"):
        # OG-Fenster-2 is round: its glass spans 0.7 m both ways, a disc of π × 0.35² m²
        round_window = next(w for w in windows if w.Name == "OG-Fenster-2")
        assert model.measures.get(round_window, "glazed_area").value == pytest.approx(
            np.pi * 0.35**2, rel=0.005
        )


@pytest.mark.parametrize(
    ("name", "pset", "prop", "scale"),
    [
        ("BimWhale_LargeBuilding.ifc", "Custom_Pset", "SillHeight", 0.001),
        ("BimWhale_TallBuilding.ifc", "Custom_Pset", "SillHeight", 0.001),
        ("Duplex_A_20110907.ifc", "PSet_Revit_Constraints", "Sill Height", 1.0),
    ],
)
def test_sill_heights_from_geometry_are_revits_sill_heights(
    shared_models: Path, name: str, pset: str, prop: str, scale: float
) -> None:
    model = _open(shared_models / name)
    compared = 0
    for window in model.file.by_type("IfcWindow"):
        psets = ifcopenshell.util.element.get_psets(window)
        if prop not in psets.get(pset, {}):
            continue  # Duplex's skylights have no sill height
        measured = model.measures.get(window, "sill_height")
        assert measured.value == pytest.approx(psets[pset][prop] * scale, abs=0.001), window.Name
        compared += 1
    assert compared >= 21


def test_windows_with_a_low_sill_per_storey(duplex: Model) -> None:
    # BBR 8:352 (glass below 0.6 m): count per storey, bimcheck's sill heights against
    # Revit's own "Sill Height" with the storey taken from ifcopenshell's containment.
    measured: dict[str, int] = {}
    declared: dict[str, int] = {}
    for window in duplex.file.by_type("IfcWindow"):
        storey = ifcopenshell.util.element.get_container(window).Name
        sill = duplex.measures.get(window, "sill_height").value
        assert sill is not None
        measured[storey] = measured.get(storey, 0) + (sill < 0.6)
        revit = (
            ifcopenshell.util.element.get_psets(window).get("PSet_Revit_Constraints", {}).get("Sill Height")
        )
        if revit is not None:
            declared[storey] = declared.get(storey, 0) + (revit < 0.6)
    # Revit's Sill Height: on Level 1 four windows at 0.1 m; on Level 2 ten at 0.1 m, four at
    # 0.925 m and four at 1.751 m; the two skylights (Roof) have none, and sit 0.457 m above it
    assert declared == {"Level 1": 4, "Level 2": 10}
    assert measured == {"Level 1": 4, "Level 2": 10, "Roof": 2}


def test_ifcopenhouse_windows_without_a_body_are_not_evaluable(shared_models: Path) -> None:
    model = _open(shared_models / "IfcOpenHouse_IFC4.ifc")
    for window in model.file.by_type("IfcWindow"):
        measured = model.measures.get(window, "glazed_area")
        assert measured.value is None
        assert measured.reason == "no usable geometry: has no geometric representation"
    (door,) = model.file.by_type("IfcDoor")
    assert model.measures.get(door, "overall_width").value == pytest.approx(1.0)  # 1000 mm


# --- walls and storeys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pset"),
    [("AC20-FZK-Haus.ifc", "BaseQuantities"), ("BimWhale_LargeBuilding.ifc", "BaseQuantities")],
)
def test_wall_thickness_from_geometry_is_the_exported_width(
    shared_models: Path, name: str, pset: str
) -> None:
    model = _open(shared_models / name)
    scale = ifcopenshell.util.unit.calculate_unit_scale(model.file)
    for wall in model.file.by_type("IfcWall"):
        measured = model.measures.get(wall, "wall_thickness", "geometry")
        assert measured.value == pytest.approx(_raw(wall, pset, "Width") * scale, abs=0.001), wall.Name


def test_storey_elevations_in_metres(shared_models: Path, duplex: Model, fzk: Model) -> None:
    def elevations(model: Model) -> dict[str, float]:
        return {
            s.Name: round(model.measures.get(s, "storey_elevation").value or 0.0, 4)
            for s in model.file.by_type("IfcBuildingStorey")
        }

    # the storeys' Elevation attributes, read in each file's unit
    assert elevations(duplex) == {"Level 1": 0.0, "Level 2": 3.1, "T/FDN": -1.25, "Roof": 6.0}
    assert elevations(fzk) == {"Erdgeschoss": 0.0, "Dachgeschoss": 2.7}
    large = _bimwhale(shared_models, "Large")
    assert elevations(large) == {"Level 1": 0.0, "Level 2": 4.0}  # 4000 mm


# --- turning circles and broken elements ---------------------------------------------------------


def _cut(triangles: np.ndarray, z: float) -> shapely.Geometry:
    """Independent plan section: where the triangles cross height z, closed into areas by
    shapely's polygonize (snapped to 1 µm so neighbouring faces' points meet)."""
    segments = []
    for t in triangles:
        d = t[:, 2] - z
        points = [
            t[i] + (t[j] - t[i]) * d[i] / (d[i] - d[j])
            for i, j in ((0, 1), (1, 2), (2, 0))
            if (d[i] > 0) != (d[j] > 0)
        ]
        if len(points) == 2:
            segments.append(shapely.LineString([p[:2] for p in points]))
    if not segments:
        return shapely.Polygon()
    lines = shapely.union_all(shapely.set_precision(segments, 1e-6))
    return shapely.union_all(list(shapely.polygonize([lines]).geoms))


def test_duplex_bathroom_turning_circles_match_an_independent_shapely_computation(duplex: Model) -> None:
    # Independent: the floor is the space's bottom triangles; an obstacle is what elements of
    # the storey or the space occupy in cuts every 0.1 m from 0.1 to 1.5 m above that floor
    # (a door's head trim above 1.5 m is no obstacle, its side trims are).
    spaces = [s for s in duplex.file.by_type("IfcSpace") if "Bathroom" in (s.LongName or "")]
    assert len(spaces) == 4
    elements = [
        e
        for e in duplex.file.by_type("IfcElement")
        if e.Representation is not None and not e.is_a("IfcOpeningElement")
    ]
    triangles = _triangles(duplex.file, [*spaces, *elements])
    for space in spaces:
        space_tri = triangles[space.id()][0]
        floor_z = space_tri[:, :, 2].min()
        bottom = space_tri[(np.abs(space_tri[:, :, 2] - floor_z) < 1e-6).all(axis=1)]
        floor = shapely.union_all(shapely.polygons(bottom[:, :, :2]))
        storey = ifcopenshell.util.element.get_container(space) or space.Decomposes[0].RelatingObject
        obstacles = []
        for element in elements:
            container = ifcopenshell.util.element.get_container(element)
            if element.id() not in triangles or (container is not None and container not in (storey, space)):
                continue
            tri = triangles[element.id()][0]
            x0, y0 = tri[:, :, :2].reshape(-1, 2).min(axis=0)
            x1, y1 = tri[:, :, :2].reshape(-1, 2).max(axis=0)
            if not shapely.box(x0, y0, x1, y1).intersects(floor):
                continue
            cuts = [_cut(tri, floor_z + h) for h in np.arange(0.1, 1.501, 0.1)]
            plan = shapely.union_all(cuts)
            if plan.intersection(floor).area > 1e-6:
                obstacles.append(plan)
        free = floor.difference(shapely.union_all(obstacles))
        expected = 2 * shapely.maximum_inscribed_circle(free, 0.0005).length
        measured = duplex.measures.get(space, "largest_free_circle")
        assert measured.value == pytest.approx(expected, abs=0.002), space.Name


def test_a_broken_space_in_a_real_model_is_unknown_and_the_others_are_measured(shared_models: Path) -> None:
    model = open_model(shared_models / "Duplex_A_20110907.ifc")  # a copy in memory, broken below
    spaces = model.file.by_type("IfcSpace")
    kitchen = next(s for s in spaces if s.Name == "A103")
    body = next(r for r in kitchen.Representation.Representations if r.RepresentationIdentifier == "Body")
    body.Items[0].Depth = 0.0
    measured = model.measures.get(kitchen, "net_floor_area")
    assert measured.value is None
    assert "Non-positive extrusion height" in (measured.reason or "")
    reference = _open(shared_models / "Duplex_A_20110907.ifc")
    for space in spaces:
        if space is not kitchen:
            expected = reference.measures.get(reference.file.by_id(space.id()), "net_floor_area").value
            assert model.measures.get(space, "net_floor_area").value == pytest.approx(expected)
