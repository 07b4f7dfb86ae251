"""The JSON report's fast writer gives exactly what json.dumps(indent=2, ensure_ascii=False) gives."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bimcheck.reporters.json_report import dumps, render
from tests.sample_run import sample_run

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    # Text that looks like numbers at a line's end must stay text.
    | st.text()
    | st.sampled_from(["1e-05", " 1e-05", "x 0.00001,\n", '" 1e+16', "\\", "\u2028", "ä€😀"])
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


def _stdlib(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS)
def test_any_document_is_written_as_json_dumps_writes_it(document: object) -> None:
    assert dumps(document) == _stdlib(document)


def test_floats_python_writes_with_an_exponent_or_as_tiny_decimals_are_written_the_same() -> None:
    numbers = [1e-05, -1.5e-05, 4.187683522629041e-05, 1e-07, 1e16, -1.2345678901234568e20, 5e-324]
    numbers += [1e308, 0.0001, 0.00012, -0.0, 123456789.0, 1e15]
    document = {"a": numbers, "b": {"x": 1e-05, "y": [[3.5e-06]]}, "c": 2.5e-05}
    assert dumps(document) == _stdlib(document)


def test_the_sample_run_renders_as_before() -> None:
    from bimcheck.results import run_to_dict

    assert render(sample_run()) == _stdlib(run_to_dict(sample_run()))


def test_what_orjson_refuses_is_written_by_json() -> None:
    document = {"big": 2**70, "lone": "\ud800", "keys": {1: "one", 2.5: "x", None: 0, False: 1}}
    assert dumps(document) == _stdlib(document)


def test_a_number_that_is_not_finite_becomes_null() -> None:
    # json.dumps writes NaN, which is not JSON; the report stays readable by every parser.
    assert json.loads(dumps({"v": math.nan, "w": [math.inf]})) == {"v": None, "w": [None]}
