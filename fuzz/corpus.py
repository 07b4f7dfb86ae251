"""Seed inputs: committed samples, small models built with tests/builders.py, official IDS cases.

Seeds are read in place; nothing here copies shared test data into the repository. The fuzzer's
workspace (a temporary directory) receives the models built at start-up, a copy of the sample
tender (an evaluation resolves its files relative to the tender file), and each mutated input.
Each seed says how its mutants are run: which command, with which other (unmutated) inputs.
"""

from __future__ import annotations

import csv
import os
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fuzz.mutate import Kind

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BIMCHECK_SHARED", ROOT.parent / "shared"))
IDS_TESTCASES = SHARED / "ids-testcases"

# Models built with the tests' builders, committed: a rebuild gives new GlobalIds and another
# order of related objects, and a mutation replayed on other bytes is another mutation.
# `python -m fuzz.corpus` rebuilds them (after a change to the builders, say).
BUILT = Path(__file__).resolve().parent / "seeds"
DEMO_IFC = ROOT / "samples" / "demo-house.ifc"
DEMO_IDS = ROOT / "samples" / "demo-house.ids"
INFORMATION = ROOT / "requirements" / "se-housing-information.yaml"
FUNCTION = ROOT / "requirements" / "se-housing-function.yaml"
PRESCHOOL = ROOT / "requirements" / "se-preschool.yaml"
TENDER = ROOT / "samples" / "tender"

# A few official cases, one or two per facet, chosen for what they exercise (units, patterns,
# tolerance, aggregation, layer sets, type inheritance, type casting). Read in place.
IDS_CASES = (
    "property/pass-unit_conversions_shall_take_place_to_ids_nominated_standard_units_2_2",
    "property/pass-any_matching_value_in_a_bounded_property_will_pass_1_4",
    "restriction/pass-regex_patterns_can_be_used_1_3",
    "restriction/pass-max_and_min_length_checks_can_be_used_2_3",
    "tolerance/pass-comparison_tolerance_for_floating_point_range_greater_than_zero_inclusive",
    "partof/pass-an_aggregate_entity_may_pass_any_ancestral_whole_passes",
    "material/pass-any_layer_name_in_a_layer_set_will_pass_a_value_check",
    "classification/pass-occurrences_override_the_type_classification_per_system_1_3",
    "entity/pass-inherited_predefined_types_should_pass",
    "attribute/pass-numeric_values_are_checked_using_type_casting_1_4",
)

# Report formats a check writes besides JSON, chosen per iteration: every writer meets
# whatever text a mutated model carries.
_EXTRA_OUTPUTS = (
    (),
    (),
    (),
    ("xml",),
    ("junit",),
    ("console",),
    ("bcf",),
    ("html",),
)
_SUFFIX = {
    "json": ".json",
    "xml": ".xml",
    "junit": ".junit.xml",
    "console": ".txt",
    "bcf": ".bcf",
    "html": ".html",
}


@dataclass(frozen=True, slots=True)
class Case:
    """One run of the CLI on a mutated input, and what an error line may name."""

    args: tuple[str, ...]
    mutated: str  # path of the mutated input
    outputs: tuple[str, ...]  # report paths the run was asked to write
    names: tuple[str, ...]  # file names an error line may name (the inputs of the run)
    out_dir: str  # where the outputs go (checked for left-over temporary files)


# (seed, mutated file, output directory, rng) -> the CLI case
CaseBuilder = Callable[["Seed", Path, Path, random.Random], Case]


@dataclass(frozen=True, slots=True)
class Seed:
    name: str
    kind: Kind
    path: Path
    build: CaseBuilder
    partners: tuple[Path, ...] = ()
    weight: float = 1.0
    suffix: str = ""
    home: Path | None = None  # where mutants must be written (beside the files they name)

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    def case(self, mutated: Path, out_dir: Path, rng: random.Random) -> Case:
        return self.build(self, mutated, out_dir, rng)


def _names(*paths: Path | str) -> tuple[str, ...]:
    return tuple(Path(p).name for p in paths)


def _outputs(out_dir: Path, rng: random.Random) -> tuple[list[str], list[str]]:
    formats = ["json", *rng.choice(_EXTRA_OUTPUTS)]
    paths = [str(out_dir / f"report{_SUFFIX[f]}") for f in formats]
    return [f"{f}:{p}" for f, p in zip(formats, paths, strict=True)], paths


def _check_model(seed: Seed, mutated: Path, out_dir: Path, rng: random.Random) -> Case:
    """The mutated model checked against the seed's (valid) requirement files."""
    specs, paths = _outputs(out_dir, rng)
    rules = [a for p in seed.partners for a in ("-r", str(p))]
    args = ("check", str(mutated), *rules, *(a for s in specs for a in ("-o", s)))
    return Case(args, str(mutated), tuple(paths), _names(mutated, *seed.partners), str(out_dir))


def _check_rules(seed: Seed, mutated: Path, out_dir: Path, rng: random.Random) -> Case:
    """The seed's (valid) model checked against the mutated requirement file, or the file
    listed, audited or exported instead."""
    model = seed.partners[0]
    names: tuple[str, ...] = _names(mutated, *seed.partners)
    args: tuple[str, ...]
    roll = rng.random()
    if seed.kind == "xml" and roll < 0.25:
        return Case(("ids", "audit", str(mutated)), str(mutated), (), names, str(out_dir))
    if seed.kind == "yaml" and roll < 0.15:
        return Case(("rules", "list", "-r", str(mutated)), str(mutated), (), names, str(out_dir))
    if seed.kind == "yaml" and roll < 0.3:
        export = (str(out_dir / "export.ids"), str(out_dir / "appendix.md"))
        args = ("rules", "export", "-r", str(mutated), "--ids", export[0], "--md", export[1])
        args += ("--date", "2025-01-01", "--author", "fuzz@example.com")
        return Case(args, str(mutated), export, names, str(out_dir))
    specs, paths = _outputs(out_dir, rng)
    args = ("check", str(model), "-r", str(mutated), *(a for s in specs for a in ("-o", s)))
    return Case(args, str(mutated), tuple(paths), names, str(out_dir))


def _evaluate(seed: Seed, mutated: Path, out_dir: Path, rng: random.Random) -> Case:
    paths = (str(out_dir / "evaluation.json"), str(out_dir / "evaluation.xml"))
    args = ("evaluate", str(mutated), "-o", f"json:{paths[0]}", "-o", f"xml:{paths[1]}")
    # An error may name any file the tender names (its requirement files, the bids' models).
    names = (*_names(mutated), "krav.yaml", "nordbygg.ifc", "trahusbolaget.ifc", "snabbhus.ifc")
    return Case(args, str(mutated), paths, names, str(out_dir))


def _normalised_ifc(path: Path) -> None:
    """Fixed header time stamp and application, so the built seeds are the same bytes every run."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r"FILE_NAME\(.*?\);", "FILE_NAME('built.ifc','2025-01-01T00:00:00',(''),(''),'','','');", text
    )
    path.write_text(text, encoding="utf-8")


def _build_small(path: Path) -> None:
    """A millimetre model with properties, quantities, types, classifications and materials,
    a property in its own unit and a conversion-based area unit: small, and many code paths."""
    import ifcopenshell.api

    from tests.builders import ModelBuilder

    b = ModelBuilder(length_unit="MILLIMETRE")
    square_foot = ifcopenshell.api.run("unit.add_conversion_based_unit", b.file, name="square foot")
    b.set_unit(square_foot)  # type: ignore[no-untyped-call]  # the tests' builder is untyped
    wall = b.element("IfcWall", "YV01")
    b.pset(wall, "Pset_WallCommon", {"FireRating": "EI 60", "IsExternal": True, "ThermalTransmittance": 0.18})
    b.qto(wall, "Qto_WallBaseQuantities", {"Length": 5000.0, "Height": 2700.0})
    b.material(wall, "KL-trä", "wood")
    b.classify(wall, "SS 21054", "1.1.1")
    b.typed(wall, "IfcWallType", "YV-typ", PredefinedType="SOLIDWALL")
    door = b.element("IfcDoor", "D1", PredefinedType="DOOR")
    b.pset(door, "Pset_DoorCommon", {"FireRating": "EI2 30-C", "Reference": "D-10"})
    b.pset(door, "Bimcheck", {"ClearWidth": b.file.createIfcLengthMeasure(900.0)})
    space = b.create("IfcSpace", "101", LongName="Sovrum 1")
    ifcopenshell.api.run(
        "aggregate.assign_object", b.file, relating_object=b.storeys["Plan 1"], products=[space]
    )
    b.qto(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": 120.0, "Height": 2500.0})
    b.save(path)
    _normalised_ifc(path)


def _build_geometry(path: Path) -> None:
    """A room with walls, a door and a window, as extrusions: the geometric measures' input."""
    from tests.geometry_builders import GeometryBuilder, rectangle

    g = GeometryBuilder(length_unit="MILLIMETRE")
    g.space("Sovrum", rectangle(0, 0, 4, 3), LongName="Sovrum 1")
    south = g.wall("S", (0, 0), (4, 0))
    g.wall("E", (4, 0), (4, 3))
    g.door("D1", south, 0.5)
    g.window("F1", g.wall("N", (4, 3), (0, 3)), 1.0)
    g.builder.save(path)
    _normalised_ifc(path)


def seeds(workspace: Path) -> list[Seed]:
    """Every seed (the built models as committed under fuzz/seeds); official cases when present."""
    small, geometry = BUILT / "built-small.ifc", BUILT / "built-geometry.ifc"
    tender = workspace / "tender"
    if not tender.exists():
        shutil.copytree(TENDER, tender, ignore=shutil.ignore_patterns("expected", "*.md", "*.py"))
    bid = tender / "bids" / "nordbygg.ifc"
    out = [
        # IFC models, each against requirement files that reach different parts of the model
        Seed("demo-house/ids", "step", DEMO_IFC, _check_model, (DEMO_IDS,), 1.0, ".ifc"),
        Seed("demo-house/information", "step", DEMO_IFC, _check_model, (INFORMATION,), 0.5, ".ifc"),
        Seed("bid/krav", "step", bid, _check_model, (tender / "krav.yaml",), 1.0, ".ifc"),
        Seed("built-small/ids", "step", small, _check_model, (DEMO_IDS,), 1.0, ".ifc"),
        Seed("built-small/information", "step", small, _check_model, (INFORMATION, PRESCHOOL), 1.5, ".ifc"),
        Seed("built-geometry/function", "step", geometry, _check_model, (FUNCTION,), 1.5, ".ifc"),
        # requirement files against the model they were written for
        Seed("demo-house.ids", "xml", DEMO_IDS, _check_rules, (DEMO_IFC,), 2.0, ".ids"),
        Seed("information.yaml", "yaml", INFORMATION, _check_rules, (small,), 1.0, ".yaml"),
        Seed("function.yaml", "yaml", FUNCTION, _check_rules, (geometry,), 1.0, ".yaml"),
        Seed("preschool.yaml", "yaml", PRESCHOOL, _check_rules, (small,), 0.5, ".yaml"),
        Seed("krav.yaml", "yaml", tender / "krav.yaml", _check_rules, (bid,), 1.0, ".yaml"),
        Seed("tender.yaml", "yaml", tender / "tender.yaml", _evaluate, (), 1.0, ".yaml", tender),
    ]
    for case in official_cases():
        ifc, ids = IDS_TESTCASES / f"{case}.ifc", IDS_TESTCASES / f"{case}.ids"
        out.append(Seed(f"ids-case:{case}.ifc", "step", ifc, _check_model, (ids,), 0.4, ".ifc"))
        out.append(Seed(f"ids-case:{case}.ids", "xml", ids, _check_rules, (ifc,), 0.4, ".ids"))
    return out


def official_cases() -> list[str]:
    """The chosen official IDS cases that exist here (none when the shared data is absent)."""
    manifest = IDS_TESTCASES / "MANIFEST.csv"
    if not manifest.exists():
        return []
    with manifest.open(newline="", encoding="utf-8") as stream:
        listed = {row["ids_path"].removesuffix(".ids") for row in csv.DictReader(stream)}
    return [c for c in IDS_CASES if c in listed]


if __name__ == "__main__":
    BUILT.mkdir(exist_ok=True)
    _build_small(BUILT / "built-small.ifc")
    _build_geometry(BUILT / "built-geometry.ifc")
    print(f"rebuilt {BUILT}/built-small.ifc and built-geometry.ifc")
