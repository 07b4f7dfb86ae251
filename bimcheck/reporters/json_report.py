"""JSON report: the lossless, versioned form of a run that every other format can be rebuilt from."""

from __future__ import annotations

import gc
import json
import re
from typing import Any

import orjson

from bimcheck.results import RunResult, run_to_dict

# orjson writes the same document as json.dumps(indent=2, ensure_ascii=False), 20× faster, except
# for floats below 1e-4 or written with an exponent: Python's repr gives 1e-05 and 1e+16 where
# orjson gives 0.00001 and 1e16. Such a number always ends its line unquoted (a string never
# holds a raw newline), so it is found and rewritten with repr: reports stay byte-identical to
# what bimcheck has always written, and to the committed golden files. Two scans, each starting
# with a literal, are an order of magnitude faster than one pattern for both.
_EXPONENT = re.compile(rb"e[-+]?\d+(?=,?\n)")
_TINY = re.compile(rb"0\.0000\d+(?=,?\n)")
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_NUMBER_BYTES = frozenset(b"0123456789.-")
# Let orjson refuse what json.dumps refuses (dataclasses, datetimes), so the fallback raises too.
_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def render(run: RunResult) -> str:
    # The cycle collector paused: the document is hundreds of thousands of small dicts, none
    # in a cycle, and rescanning them as they are made took a third of the rendering time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return dumps(run_to_dict(run))
    finally:
        if enabled:
            gc.enable()


def dumps(document: Any) -> str:
    """The document indented by two spaces, UTF-8 characters as they are, and a final newline.

    Differs from json.dumps(indent=2, ensure_ascii=False) in one way only: a NaN or infinite
    number is written as null (valid JSON) where json.dumps wrote NaN or Infinity (not JSON).
    """
    try:
        data = orjson.dumps(document, option=_OPTIONS) + b"\n"
    except orjson.JSONEncodeError:
        # Lone surrogates, integers beyond 64 bits or other keys than str: rare, so slow is fine.
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _python_floats(data).decode("utf-8")


def _python_floats(data: bytes) -> bytes:
    """orjson's output with every number that Python writes differently written Python's way."""
    starts: dict[int, int] = {}
    for pattern in (_EXPONENT, _TINY):
        for match in pattern.finditer(data):
            start = match.start()
            while start and data[start - 1] in _NUMBER_BYTES:
                start -= 1
            starts[start] = max(match.end(), starts.get(start, 0))
    if not starts:
        return data
    parts, done = [], 0
    for start, end in sorted(starts.items()):
        token = data[start:end]
        if start < done or data[start - 1 : start] not in (b" ", b"") or not _NUMBER.fullmatch(token):
            continue  # not a number of its own (cannot happen in orjson's output; be safe)
        parts += [data[done:start], repr(float(token)).encode("ascii")]
        done = end
    parts.append(data[done:])
    return b"".join(parts)
