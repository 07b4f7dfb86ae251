"""Properties of the YAML requirement format (bimcheck/rules/yaml_reader.py, yaml_schema.py).

Files are generated as data, written by a small block-style emitter here (one key per line, so
the line of every key is known), and loaded with `load_yaml`:
- a valid file loads, and its requirements carry what was written (ids, order, property sets,
  names, values and restrictions);
- a file made invalid in one known place gives a RuleError that names the file and the line of
  that place (what the format's reference, requirements/README.md, promises an author);
- any text at all either loads or gives a RuleError naming the file, never another exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bimcheck.errors import RuleError
from bimcheck.rules.facets import PropertyFacet
from bimcheck.rules.yaml_format import load_yaml

quiet = settings(
    deadline=None,
    database=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

Path_ = tuple[str | int, ...]


def emit(data: Any, path: Path_ = (), indent: int = 0) -> Iterator[tuple[str, list[Path_]]]:
    """Block-style YAML lines of `data`, each with the paths of the keys or items it starts."""
    pad = " " * indent
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list) and value:
                yield f"{pad}{key}:", [(*path, key)]
                yield from emit(value, (*path, key), indent + 2)
            else:
                yield f"{pad}{key}: {json.dumps(value, ensure_ascii=False)}", [(*path, key)]
        return
    for index, item in enumerate(data):
        if isinstance(item, dict | list) and item:
            (first, paths), *rest = emit(item, (*path, index), indent + 2)
            yield f"{pad}- {first.lstrip()}", [(*path, index), *paths]
            yield from rest
        else:
            yield f"{pad}- {json.dumps(item, ensure_ascii=False)}", [(*path, index)]


def write(directory: Path, data: dict[str, Any]) -> tuple[Path, dict[Path_, int]]:
    lines = list(emit(data))
    path = directory / "rules.yaml"
    path.write_text("".join(text + "\n" for text, _ in lines), encoding="utf-8")
    where = {key: number for number, (_, keys) in enumerate(lines, start=1) for key in keys}
    return path, where


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """Shared by a test's examples: each writes rules.yaml afresh before loading it."""
    return tmp_path


# --- generating valid files ------------------------------------------------------------------

words = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzåäöABCÅÄÖ0123456789 _-/()"), min_size=1, max_size=12
)
texts = words.filter(lambda t: t.strip() == t and t != "")
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,8}", fullmatch=True)
numbers = st.decimals(min_value=-10_000, max_value=10_000, places=3, allow_nan=False).map(str)
VERSIONS = ["IFC2X3", "IFC4", "IFC4X3"]
classes = st.sampled_from(["IFCWALL", "IFCDOOR", "IFCWINDOW", "IFCSPACE", "IFCSLAB", "IFCBUILDINGSTOREY"])

restrictions = st.one_of(
    st.fixed_dictionaries({"one_of": st.lists(texts, min_size=1, max_size=3)}),
    st.fixed_dictionaries(
        {"pattern": st.sampled_from(["[A-Z]+", "EI ?[0-9]+", "\\d{2,3}", "[a-z-[aeiou]]*"])}
    ),
    st.fixed_dictionaries({"min": numbers}, optional={"max": numbers}),
    st.fixed_dictionaries({"greater_than": numbers}, optional={"less_than": numbers}),
    st.fixed_dictionaries({"min_length": st.integers(0, 9)}, optional={"max_length": st.integers(9, 20)}),
)
values = texts | restrictions


@st.composite
def property_facets(draw: st.DrawFn) -> dict[str, Any]:
    body = {"property_set": "Bimcheck_" + draw(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True))}
    body["name"] = draw(st.from_regex(r"[A-Z][A-Za-z]{0,10}", fullmatch=True))
    if draw(st.booleans()):
        body["value"] = draw(values)
    return {"property": body}


@st.composite
def requirement_docs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "bimcheck": 1,
        "title": draw(texts),
        "ifc_versions": draw(
            st.lists(st.sampled_from(["IFC2X3", "IFC4", "IFC4X3"]), min_size=1, unique=True)
        ),
        "requirements": [
            {
                "id": identifier,
                "title": draw(texts),
                "applicability": [{"entity": draw(classes)}],
                "requirements": draw(st.lists(property_facets(), min_size=1, max_size=3)),
            }
            for identifier in draw(st.lists(ids, min_size=1, max_size=4, unique=True))
        ],
    }


def _expected_spec_fields(value: Any) -> dict[str, Any]:
    """ValueSpec fields a written value must become (names as values.ValueSpec has them)."""
    if isinstance(value, str):
        return {"simple": value}
    renames = {"one_of": "enumeration", "pattern": "patterns", "min": "min_inclusive", "max": "max_inclusive",
               "greater_than": "min_exclusive", "less_than": "max_exclusive"}  # fmt: skip
    out: dict[str, Any] = {}
    for key, item in value.items():
        item = tuple(item) if key == "one_of" else (item,) if key == "pattern" else item
        out[renames.get(key, key)] = item
    return out


@quiet
@given(doc=requirement_docs())
def test_a_generated_valid_file_loads_with_what_it_says(directory: Path, doc: dict[str, Any]) -> None:
    path, _ = write(directory, doc)
    rules = load_yaml(path, {})
    assert [r.id for r in rules.requirements] == [r["id"] for r in doc["requirements"]]
    for loaded, written in zip(rules.requirements, doc["requirements"], strict=True):
        assert loaded.title == written["title"]
        facets = [f for f in loaded.requirements if isinstance(f, PropertyFacet)]
        assert len(facets) == len(written["requirements"])
        for facet, spec in zip(facets, written["requirements"], strict=True):
            body = spec["property"]
            assert (facet.property_set.simple, facet.base_name.simple) == (body["property_set"], body["name"])
            if "value" not in body:
                assert facet.value is None
                continue
            assert facet.value is not None
            for field, expected in _expected_spec_fields(body["value"]).items():
                assert getattr(facet.value, field) == expected, field


# --- one known fault, one known line ---------------------------------------------------------


def _line_of(error: RuleError, path: Path) -> int:
    match = re.match(rf"{re.escape(str(path))}: line (\d+): ", error.one_line())
    assert match, error.one_line()
    return int(match.group(1))


# Each fault: what it does to requirement `i`'s data, and the path whose line must be named.
def _unknown_key(req: dict[str, Any]) -> Path_:
    req["colour"] = "red"
    return ("colour",)


def _missing_title(req: dict[str, Any]) -> Path_:
    del req["title"]
    return ()  # the requirement's own item


def _bad_id(req: dict[str, Any]) -> Path_:
    req["id"] = "-" + req["id"] + " x"
    return ("id",)


def _bad_pattern(req: dict[str, Any]) -> Path_:
    req["requirements"][0]["property"]["value"] = {"pattern": "[a-"}
    return ("requirements", 0, "property", "value", "pattern")


def _not_a_number(req: dict[str, Any]) -> Path_:
    req["requirements"][0]["property"]["value"] = {"min": "12,5"}
    return ("requirements", 0, "property", "value", "min")


def _two_lower_bounds(req: dict[str, Any]) -> Path_:
    req["requirements"][0]["property"]["value"] = {"min": "1", "greater_than": "0"}
    return ("requirements", 0, "property", "value")


def _two_kinds_in_a_facet(req: dict[str, Any]) -> Path_:
    req["applicability"][0]["material"] = {"value": "trä"}
    return ("applicability", 0)


def _empty_applicability(req: dict[str, Any]) -> Path_:
    req["applicability"] = []
    return ("applicability",)


def _unknown_version(req: dict[str, Any]) -> Path_:
    req["ifc_versions"] = ["IFC5"]
    return ("ifc_versions", 0)


FAULTS = [
    _unknown_key,
    _missing_title,
    _bad_id,
    _bad_pattern,
    _not_a_number,
    _two_lower_bounds,
    _two_kinds_in_a_facet,
    _empty_applicability,
    _unknown_version,
]


@settings(quiet, max_examples=40)  # per fault: nine faults
@given(doc=requirement_docs(), data=st.data())
@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.__name__.strip("_"))
def test_one_fault_gives_a_rule_error_naming_the_file_and_its_line(
    directory: Path, doc: dict[str, Any], data: st.DataObject, fault: Any
) -> None:
    index = data.draw(st.integers(0, len(doc["requirements"]) - 1))
    relative = fault(doc["requirements"][index])
    path, where = write(directory, doc)
    with pytest.raises(RuleError) as caught:
        load_yaml(path, {})
    assert caught.value.path == str(path)
    assert _line_of(caught.value, path) == where[("requirements", index, *relative)]


# --- anything at all -------------------------------------------------------------------------


@quiet
@given(doc=requirement_docs(), data=st.data())
def test_any_edit_of_a_valid_file_loads_or_is_a_rule_error(
    directory: Path, doc: dict[str, Any], data: st.DataObject
) -> None:
    path, _ = write(directory, doc)
    text = path.read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    syntax = ":-[]{}&*!|>'\"#%@`,? \n\t\\\x00\x85\u2028abc1"  # YAML's indicators, breaks, controls
    inserted = data.draw(st.text(st.sampled_from(syntax), max_size=8))
    path.write_text(text[:start] + inserted + text[end:], encoding="utf-8")
    error = None
    try:
        load_yaml(path, {})
    except RuleError as caught:  # any other exception fails the test
        error = caught
    if error is not None:
        assert error.path == str(path)
        match = re.match(rf"{re.escape(str(path))}: line (\d+): ", error.one_line())
        if match:  # a line, when named, is one of the file's
            assert 1 <= int(match.group(1)) <= path.read_bytes().count(b"\n") + 1
