"""Deterministic mutators for IFC (STEP), IDS (XML) and YAML inputs.

`mutate(kind, data, rng)` applies one to three mutations to the bytes of a seed file and says
what it did. Everything random comes from `rng`: the same seed and the same `random.Random`
state give the same bytes, so any input the fuzzer finds can be rebuilt from its iteration.

A mutation that does not apply to the data at hand (no number to change, XML that no longer
parses) returns None and another one is drawn; byte-level mutations always apply.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["step", "xml", "yaml"]
Operator = Callable[[bytes, random.Random], tuple[bytes, str] | None]


@dataclass(frozen=True, slots=True)
class Mutant:
    data: bytes
    steps: tuple[str, ...]


def mutate(kind: Kind, data: bytes, rng: random.Random, rounds: int | None = None) -> Mutant:
    """`data` changed by `rounds` mutations (one to three, mostly one, when not given)."""
    operators = OPERATORS[kind]
    weights = [w for w, _ in operators]
    count = rounds if rounds is not None else rng.choice((1, 1, 1, 1, 2, 2, 3))
    steps: list[str] = []
    attempts = 0
    while len(steps) < count and attempts < 50:
        attempts += 1
        (_, operator) = rng.choices(operators, weights)[0]
        changed = operator(data, rng)
        if changed is None or changed[0] == data:
            continue
        data, step = changed
        steps.append(f"{operator.__name__.lstrip('_')}: {step}")
    return Mutant(data, tuple(steps))


# --- helpers ---------------------------------------------------------------------------------


def _short(value: bytes | str, limit: int = 40) -> str:
    text = value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _pick_match(pattern: re.Pattern[bytes], data: bytes, rng: random.Random) -> re.Match[bytes] | None:
    """A random match of `pattern`, without listing every match of a large file twice."""
    matches = list(pattern.finditer(data))
    return rng.choice(matches) if matches else None


def _splice(data: bytes, start: int, end: int, new: bytes) -> bytes:
    return data[:start] + new + data[end:]


# --- byte-level mutations (every kind) -------------------------------------------------------

_INTERESTING_BYTES = b"\x00\xff\x7f\x80'\"(),#=;\n\r\t<>&:-[]{}*$.\\"
_NON_UTF8 = (
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",  # a lead byte without its continuation
    b"\xa0\xa1",  # continuation bytes alone
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf8\x88\x80\x80\x80",  # a five-byte form
    b"\xc0\xaf",  # an overlong '/'
    b"\xe2\x82",  # a sequence cut short
)


def _bit_flip(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    if not data:
        return None
    out = bytearray(data)
    positions = [rng.randrange(len(out)) for _ in range(rng.randint(1, 8))]
    for p in positions:
        out[p] ^= 1 << rng.randrange(8)
    return bytes(out), f"bits flipped at {positions}"


def _byte_set(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    if not data:
        return None
    p = rng.randrange(len(data))
    b = rng.choice(_INTERESTING_BYTES)
    return _splice(data, p, p + 1, bytes([b])), f"byte {p} set to {b:#04x}"


def _non_utf8(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    p = rng.randrange(len(data) + 1)
    junk = rng.choice(_NON_UTF8)
    return _splice(data, p, p, junk), f"{junk!r} inserted at {p}"


def _chunk_delete(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    if len(data) < 2:
        return None
    size = rng.randint(1, max(1, min(len(data) // 10, rng.choice((4, 64, 4096)))))
    p = rng.randrange(len(data) - size + 1)
    return _splice(data, p, p + size, b""), f"{size} bytes deleted at {p}"


def _chunk_duplicate(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    if not data:
        return None
    size = rng.randint(1, min(len(data), rng.choice((8, 256, 4096))))
    p = rng.randrange(len(data) - size + 1)
    times = rng.choice((1, 2, 16))
    return _splice(data, p, p, data[p : p + size] * times), f"{size} bytes at {p} repeated {times}×"


def _truncate(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    if len(data) < 2:
        return None
    p = rng.randrange(len(data))
    return data[:p], f"cut at byte {p} of {len(data)}"


def _line_swap(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    lines = _lines(data)
    if len(lines) < 2:
        return None
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines), f"lines {i + 1} and {j + 1} swapped"


def _line_delete(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    lines = _lines(data)
    if len(lines) < 2:
        return None
    i = rng.randrange(len(lines))
    return b"".join(lines[:i] + lines[i + 1 :]), f"line {i + 1} deleted: {_short(lines[i])}"


def _line_duplicate(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    lines = _lines(data)
    if not lines:
        return None
    i = rng.randrange(len(lines))
    return b"".join(lines[: i + 1] + lines[i:]), f"line {i + 1} duplicated: {_short(lines[i])}"


GENERIC: list[tuple[float, Operator]] = [
    (1, _bit_flip),
    (1, _byte_set),
    (1, _non_utf8),
    (1, _chunk_delete),
    (0.5, _chunk_duplicate),
    (0.5, _truncate),
    (0.5, _line_swap),
    (1, _line_delete),
    (0.5, _line_duplicate),
]


# --- STEP (IFC-SPF) --------------------------------------------------------------------------

_ENTITY = re.compile(rb"^#(\d+)\s*=\s*([A-Za-z0-9_]+)\s*\(", re.MULTILINE)
_REF = re.compile(rb"(?<=[(,])\s*#(\d+)")
_NUMBER = re.compile(rb"(?<=[(,])-?\d+(\.\d*)?([eE][+-]?\d+)?(?=[,)])")
_STRING = re.compile(rb"'(?:[^']|'')*'")
_ENUM = re.compile(rb"(?<=[(,])\.[A-Z_]+\.(?=[,)])")
_TYPED = re.compile(rb"(?<=[(,])(IFC[A-Z]+)\(")
_SCHEMA = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'")

_NUMBERS = (
    b"NaN",  # not STEP: the parser must say so
    b"1.E308",
    b"-1.E308",
    b"1.E999",
    b"-0.",
    b"0.",
    b"4.9E-324",
    b"1.E-320",
    b"123456789012345678901234567890.",
    b"99999999999999999999",
    b"-2147483649",
    b"2147483648",
    b"-1.",
    b"-1",
    b"1.E",
    b"..",
)
_ENUMS = (b".T.", b".F.", b".U.", b".X.", b".NOTDEFINED.", b".USERDEFINED.", b"..", b".T", b"$", b"*")
_TYPE_NAMES = (
    b"IFCWALL",
    b"IFCDOOR",
    b"IFCSPACE",
    b"IFCPROPERTYSET",
    b"IFCSIUNIT",
    b"IFCCARTESIANPOINT",
    b"IFCLOCALPLACEMENT",
    b"IFCEXTRUDEDAREASOLID",
    b"IFCRELDEFINESBYPROPERTIES",
    b"IFCPROJECT",
    b"IFCNOTANENTITY",
    b"IFCWALLSTANDARDCASE",  # only in IFC2X3 (and deprecated in IFC4)
    b"IFCALIGNMENT",  # only in IFC4X3
    b"ifcwall",
    b"IFC",
)
_TYPED_VALUES = (
    b"IFCLABEL('x')",
    b"IFCREAL(1.E308)",
    b"IFCBOOLEAN(.T.)",
    b"IFCLOGICAL(.U.)",
    b"IFCINTEGER(2147483647)",
    b"IFCLENGTHMEASURE(-1.)",
    b"IFCAREAMEASURE(1.E999)",
    b"IFCTEXT('')",
    b"IFCNOTATYPE(1.)",
    b"IFCLABEL(1.)",
)
_STRINGS = (
    b"''",
    b"'\\X2\\D800\\X0\\'",  # a lone surrogate
    b"'\\X2\\00E4'",  # an escape never closed
    b"'\\X4\\0010FFFF\\X0\\'",
    b"'\\X4\\7FFFFFFF\\X0\\'",  # beyond Unicode
    b"'\\X\\FF'",
    b"'\\X\\'",
    b"'\\S\\'",
    b"'\\P\\'",
    b"'\\'",
    b"'\x01\x02\x1b[31m'",
    b"'\xff\xfe'",
    b"'tr\xc3\xa4'",  # raw UTF-8, which STEP does not allow
    b"'<script>&amp;</script>'",
    b"'" + b"A" * 70000 + b"'",
    b"'it''s'",
    b"'unterminated",
)
_SCHEMAS = (b"IFC4", b"IFC2X3", b"IFC4X3_ADD2", b"IFC4X3", b"IFC5", b"", b"IFC2X2_FINAL", b"IFC4X1", b"ifc4")
_END = b"ENDSEC;\nEND-ISO-10303-21;\n"


def _entities(data: bytes) -> list[re.Match[bytes]]:
    return list(_ENTITY.finditer(data))


def _entity_span(data: bytes, match: re.Match[bytes]) -> tuple[int, int]:
    """Start and end (after ';' and the line break) of the entity instance `match` begins."""
    end = data.find(b";", match.end())
    while end != -1:
        # a ';' inside a string does not end the instance: count quotes before it
        if data.count(b"'", match.start(), end) % 2 == 0:
            break
        end = data.find(b";", end + 1)
    end = len(data) if end == -1 else end + 1
    if data[end : end + 1] == b"\n":
        end += 1
    return match.start(), end


def _arguments(data: bytes, open_paren: int) -> list[tuple[int, int]]:
    """Spans of the top-level arguments of the parenthesised list opening at `open_paren`."""
    spans = []
    depth, start, i, quoted = 0, open_paren + 1, open_paren, False
    while i < len(data):
        c = data[i]
        if quoted:
            if c == ord("'"):
                if data[i + 1 : i + 2] == b"'":
                    i += 1
                else:
                    quoted = False
        elif c == ord("'"):
            quoted = True
        elif c == ord("("):
            depth += 1
        elif c == ord(")"):
            depth -= 1
            if depth == 0:
                spans.append((start, i))
                return spans
        elif c == ord(",") and depth == 1:
            spans.append((start, i))
            start = i + 1
        elif c == ord(";") and depth <= 1:
            break
        i += 1
    return spans


def _max_id(data: bytes) -> int:
    return max((int(m.group(1)) for m in _entities(data)), default=0)


def _step_dangling_ref(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _pick_match(_REF, data, rng)
    if m is None:
        return None
    new = b"#%d" % (_max_id(data) + rng.choice((1, 1000, 10**9)))
    return _splice(data, m.start(1) - 1, m.end(1), new), f"#{m.group(1).decode()} -> dangling {new.decode()}"


def _step_other_ref(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    """A reference to an entity of another type, or to the very entity that holds it (a cycle)."""
    m = _pick_match(_REF, data, rng)
    entities = _entities(data)
    if m is None or not entities:
        return None
    if rng.random() < 0.3:
        owner = max((e for e in entities if e.start() < m.start()), key=lambda e: e.start(), default=None)
        if owner is None:
            return None
        target, how = owner.group(1), "its own entity (cycle)"
    else:
        target, how = rng.choice(entities).group(1), "another entity"
    return (
        _splice(data, m.start(1), m.end(1), target),
        f"#{m.group(1).decode()} -> #{target.decode()}, {how}",
    )


def _step_type_name(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    entities = _entities(data)
    if not entities:
        return None
    m = rng.choice(entities)
    new = rng.choice([*_TYPE_NAMES, rng.choice(entities).group(2)])
    return (
        _splice(data, m.start(2), m.end(2), new),
        f"#{m.group(1).decode()} {m.group(2).decode()} -> {new.decode()}",
    )


def _step_drop_argument(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    entities = _entities(data)
    if not entities:
        return None
    m = rng.choice(entities)
    args = _arguments(data, m.end() - 1)
    if not args:
        return None
    k = rng.randrange(len(args))
    start, end = args[k]
    # drop the comma before (or after, for the first argument) as well
    if k > 0:
        start = args[k - 1][1]
    elif len(args) > 1:
        end = args[1][0]
    return _splice(data, start, end, b""), f"#{m.group(1).decode()} argument {k} dropped"


def _step_add_argument(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    entities = _entities(data)
    if not entities:
        return None
    m = rng.choice(entities)
    args = _arguments(data, m.end() - 1)
    if not args:
        return None
    extra = rng.choice((b"$", b"*", b"#1", b"'x'", b"()", b"1."))
    end = args[-1][1]
    return _splice(data, end, end, b"," + extra), f"#{m.group(1).decode()} extra argument {extra.decode()}"


def _step_argument_value(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    """An argument replaced by a value of another kind (a list, a string, a typed value, $ or *)."""
    entities = _entities(data)
    if not entities:
        return None
    m = rng.choice(entities)
    args = _arguments(data, m.end() - 1)
    if not args:
        return None
    k = rng.randrange(len(args))
    start, end = args[k]
    new = rng.choice((b"$", b"*", b"()", b"(#1,#1)", b"((()))", b"'x'", b"1.", b"#1", *_TYPED_VALUES))
    return _splice(data, start, end, new), f"#{m.group(1).decode()} argument {k} -> {_short(new)}"


def _step_number(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _pick_match(_NUMBER, data, rng)
    if m is None:
        return None
    if rng.random() < 0.2:
        new = b"-" + m.group(0) if not m.group(0).startswith(b"-") else m.group(0)[1:]
    else:
        new = rng.choice(_NUMBERS)
    return _splice(data, m.start(), m.end(), new), f"{m.group(0).decode()} -> {new.decode()}"


def _substitution(
    pattern: re.Pattern[bytes], choices: Sequence[bytes]
) -> Callable[[bytes, random.Random], tuple[bytes, str] | None]:
    """A mutation that replaces one match of `pattern` with one of `choices`."""

    def mutation(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
        m = _pick_match(pattern, data, rng)
        if m is None:
            return None
        new = rng.choice(choices)
        return _splice(data, m.start(), m.end(), new), f"{_short(m.group(0))} -> {_short(new)}"

    return mutation


_step_string = _substitution(_STRING, _STRINGS)
_step_enum = _substitution(_ENUM, _ENUMS)


def _step_typed_value(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _pick_match(_TYPED, data, rng)
    if m is None:
        return None
    args = _arguments(data, m.end() - 1)
    if not args:
        return None
    end = args[-1][1] + 1
    new = rng.choice(_TYPED_VALUES)
    return _splice(data, m.start(), end, new), f"{_short(data[m.start() : end])} -> {new.decode()}"


def _step_parenthesis(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    body = data.find(b"DATA;")
    positions = [i for i in range(max(body, 0), len(data)) if data[i] in b"()"]
    if not positions:
        return None
    p = rng.choice(positions)
    if rng.random() < 0.5:
        return _splice(data, p, p + 1, b""), f"{chr(data[p])} deleted at {p}"
    extra = rng.choice((b"(", b")", b"((", b"))"))
    return _splice(data, p, p, extra), f"{extra.decode()} inserted at {p}"


def _step_delete_entity(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    entities = _entities(data)
    if not entities:
        return None
    m = rng.choice(entities)
    start, end = _entity_span(data, m)
    return _splice(data, start, end, b""), f"#{m.group(1).decode()} {m.group(2).decode()} deleted"


def _step_duplicate_id(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    entities = _entities(data)
    if len(entities) < 2:
        return None
    m, other = rng.choice(entities), rng.choice(entities)
    return (
        _splice(data, m.start(1), m.end(1), other.group(1)),
        f"#{m.group(1).decode()} renumbered #{other.group(1).decode()} (a duplicate id)",
    )


def _step_schema(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _SCHEMA.search(data)
    if m is None:
        return None
    new = rng.choice(_SCHEMAS)
    return _splice(data, m.start(1), m.end(1), new), f"FILE_SCHEMA {m.group(1).decode()} -> {new.decode()!r}"


def _step_header(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    """The header or the section markers broken: the parser must say the file is not STEP."""
    choices = {
        "header removed": (data.find(b"HEADER;"), data.find(b"DATA;")),
        "ISO-10303-21; removed": (data.find(b"ISO-10303-21;"), data.find(b"ISO-10303-21;") + 13),
        "DATA; removed": (data.find(b"DATA;"), data.find(b"DATA;") + 5),
        "ENDSEC; of the data removed": (data.rfind(b"ENDSEC;"), data.rfind(b"ENDSEC;") + 7),
    }
    usable = [(name, span) for name, span in choices.items() if span[0] >= 0 and span[1] > span[0]]
    if not usable:
        return None
    name, (start, end) = rng.choice(usable)
    return _splice(data, start, end, b""), name


def _step_truncate_and_close(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    """Cut anywhere, then end the file properly, so that it passes the completeness check."""
    if len(data) < 2:
        return None
    p = rng.randrange(len(data))
    return data[:p] + b"\n" + _END, f"cut at byte {p} of {len(data)} and closed with END-ISO-10303-21"


def _step_empty_list(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _pick_match(re.compile(rb"\((#\d+(?:,#\d+)*)\)"), data, rng)
    if m is None:
        return None
    new = rng.choice((b"()", b"($)", b"(*)", b"$", b"(#1)"))
    return _splice(data, m.start(), m.end(), new), f"{_short(m.group(0))} -> {new.decode()}"


STEP: list[tuple[float, Operator]] = [
    *GENERIC,
    (3, _step_dangling_ref),
    (3, _step_other_ref),
    (2, _step_type_name),
    (2, _step_drop_argument),
    (1, _step_add_argument),
    (2, _step_argument_value),
    (3, _step_number),
    (2, _step_string),
    (1, _step_enum),
    (1, _step_typed_value),
    (1, _step_parenthesis),
    (2, _step_delete_entity),
    (1, _step_duplicate_id),
    (1, _step_schema),
    (0.5, _step_header),
    (1, _step_truncate_and_close),
    (1, _step_empty_list),
]


# --- XML (IDS) -------------------------------------------------------------------------------

_XS = "http://www.w3.org/2001/XMLSchema"
_ATTRIBUTE_VALUES = (
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "unbounded",
    "abc",
    "99999999999999999999",
    "IFC4",
    "IFC2X3 IFC4 IFC4X3_ADD2",
    "IFC5",
    "required",
    "optional",
    "prohibited",
    "IFCRELAGGREGATES",
    "IFCRELNESTS",
    "IFCLABEL",
    "IFCLENGTHMEASURE",
    "IFCBOOLEAN",
    "xs:double",
    "xs:notAType",
    "åäö\u202e",
)
_TEXT_VALUES = (
    "",
    " ",
    "NaN",
    "INF",
    "-0",
    "1e999999999",
    "-1E-999999999",
    "1,5",
    "true",
    "TRUE",
    "IFCWALL",
    "IfcWall",
    "IFCNOTACLASS",
    "Pset_WallCommon",
    "x" * 100000,
    "\u00e5\u00e4\u00f6\U0001f600",
)
_FACET_VALUES = (
    ("pattern", "["),
    ("pattern", "a{4294967296}"),
    ("pattern", "a{2,1}"),
    ("pattern", "(a*)*b"),
    ("pattern", r"\p{IsNotABlock}"),
    ("pattern", ".*"),
    ("pattern", ""),
    ("minInclusive", "1e999999999"),
    ("maxInclusive", "-1e999999999"),
    ("minExclusive", "NaN"),
    ("maxExclusive", "INF"),
    ("minInclusive", "abc"),
    ("length", "-1"),
    ("length", "99999999999999999999"),
    ("minLength", "abc"),
    ("maxLength", "0"),
    ("enumeration", ""),
    ("enumeration", "1e999999999"),
    ("totalDigits", "3"),
)
_DOCTYPES = (
    b'<!DOCTYPE ids [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n',
    b'<!DOCTYPE ids [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    b'<!DOCTYPE ids SYSTEM "http://127.0.0.1:9/ids.dtd">\n',
    b'<!DOCTYPE ids [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>\n',
    b"<!DOCTYPE ids>\n",
)
_XML_DECLARATIONS = (
    b'<?xml version="1.0" encoding="UTF-16"?>',
    b'<?xml version="1.0" encoding="ISO-8859-1"?>',
    b'<?xml version="1.0" encoding="bogus"?>',
    b'<?xml version="1.1" encoding="UTF-8"?>',
    b'<?xml version="2.0"?>',
    b"\xef\xbb\xbf<?xml version='1.0'?>",
    b"",
)


def _xml_tree(data: bytes) -> Any:
    from lxml import etree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None  # never let a mutation expand what an earlier one declared
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def _xml_dump(root: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _xml_elements(root: Any) -> list[Any]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _local(element: Any) -> str:
    from lxml import etree

    return str(etree.QName(element).localname)


def _xml_remove(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    root = _xml_tree(data)
    if root is None:
        return None
    candidates = [e for e in _xml_elements(root) if e.getparent() is not None]
    if not candidates:
        return None
    element = rng.choice(candidates)
    line = element.sourceline
    parent = element.getparent()
    parent.remove(element)
    return _xml_dump(root), f"<{_local(element)}> at line {line} removed"


def _xml_duplicate(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    import copy

    root = _xml_tree(data)
    if root is None:
        return None
    candidates = [e for e in _xml_elements(root) if e.getparent() is not None]
    if not candidates:
        return None
    element = rng.choice(candidates)
    times = rng.choice((1, 1, 2, 50))
    for _ in range(times):
        element.addnext(copy.deepcopy(element))
    return _xml_dump(root), f"<{_local(element)}> at line {element.sourceline} duplicated {times}×"


def _xml_move(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    root = _xml_tree(data)
    if root is None:
        return None
    elements = _xml_elements(root)
    candidates = [e for e in elements if e.getparent() is not None]
    if not candidates:
        return None
    element = rng.choice(candidates)
    targets = [t for t in elements if t is not element and element not in t.iterancestors()]
    if not targets:
        return None
    target = rng.choice(targets)
    line = element.sourceline
    target.append(element)
    return _xml_dump(root), f"<{_local(element)}> at line {line} moved into <{_local(target)}>"


def _xml_attribute(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    root = _xml_tree(data)
    if root is None:
        return None
    elements = _xml_elements(root)
    element = rng.choice(elements)
    if element.attrib and rng.random() < 0.8:
        name = rng.choice(sorted(element.attrib))
        if rng.random() < 0.2:
            del element.attrib[name]
            return _xml_dump(root), f"@{name} removed from <{_local(element)}>"
    else:
        name = rng.choice(("cardinality", "minOccurs", "maxOccurs", "ifcVersion", "dataType", "bogus"))
    value = rng.choice(_ATTRIBUTE_VALUES)
    element.set(name, value)
    return _xml_dump(root), f"<{_local(element)} {name}={_short(value)!r}>"


def _xml_text(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    root = _xml_tree(data)
    if root is None:
        return None
    leaves = [e for e in _xml_elements(root) if len(e) == 0]
    if not leaves:
        return None
    element = rng.choice(leaves)
    value = rng.choice(_TEXT_VALUES)
    element.text = value
    return _xml_dump(root), f"<{_local(element)}> at line {element.sourceline} text -> {_short(value)!r}"


def _xml_restriction(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    """A value turned into an xs:restriction with a facet IDS (or XSD) may not accept."""
    from lxml import etree

    root = _xml_tree(data)
    if root is None:
        return None
    values = [e for e in _xml_elements(root) if _local(e) in ("simpleValue", "restriction")]
    if not values:
        return None
    node = rng.choice(values)
    parent = node.getparent()
    restriction = etree.Element(f"{{{_XS}}}restriction", nsmap={"xs": _XS})
    restriction.set("base", rng.choice(("xs:string", "xs:double", "xs:integer", "xs:boolean", "xs:bogus")))
    facets = rng.sample(_FACET_VALUES, rng.randint(1, 3))
    for facet, value in facets:
        etree.SubElement(restriction, f"{{{_XS}}}{facet}", value=value)
    parent.replace(node, restriction)
    return _xml_dump(root), "restriction " + ", ".join(f"{f}={_short(v)!r}" for f, v in facets)


def _xml_rename(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    root = _xml_tree(data)
    if root is None:
        return None
    element = rng.choice(_xml_elements(root))
    names = ("entity", "property", "attribute", "classification", "material", "partOf", "name", "value")
    namespace = rng.choice(
        ("http://standards.buildingsmart.org/IDS", "http://example.com/not-ids", _XS, None)
    )
    local = rng.choice((*names, "bogus"))
    old = _local(element)
    element.tag = f"{{{namespace}}}{local}" if namespace else local
    return _xml_dump(root), f"<{old}> at line {element.sourceline} renamed {element.tag}"


def _xml_break_tag(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _pick_match(re.compile(rb"</?[A-Za-z:]+|/?>"), data, rng)
    if m is None:
        return None
    how = rng.choice(("deleted", "doubled", "half"))
    token = m.group(0)
    new = b"" if how == "deleted" else token * 2 if how == "doubled" else token[: len(token) // 2]
    return _splice(data, m.start(), m.end(), new), f"{token.decode()!r} at {m.start()} {how}"


def _xml_doctype(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    doctype = rng.choice(_DOCTYPES)
    m = re.search(rb"<\?xml[^>]*\?>\s*", data)
    at = m.end() if m else 0
    out = _splice(data, at, at, doctype)
    if b"ENTITY" in doctype and rng.random() < 0.7:
        entity = b"&xxe;" if b"xxe" in doctype else b"&d;" if b"ENTITY d" in doctype else b"&a;"
        m = _pick_match(re.compile(rb"<(ids:)?(simpleValue|title|description)>"), out, rng)
        if m is not None:
            out = _splice(out, m.end(), m.end(), entity)
    return out, f"DOCTYPE {_short(doctype, 60)}"


def _xml_declaration(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    new = rng.choice(_XML_DECLARATIONS)
    m = re.match(rb"(\xef\xbb\xbf)?<\?xml[^>]*\?>", data)
    end = m.end() if m else 0
    return _splice(data, 0, end, new), f"XML declaration -> {new!r}"


def _xml_deep(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    positions = [m.start() for m in re.finditer(rb"</", data)]
    if not positions:
        return None
    p = rng.choice(positions)
    depth = rng.choice((100, 300, 10000))
    tag = rng.choice((b"x", b"entity", b"xs:restriction"))
    nest = b"<" + tag + b">"
    close = b"</" + tag + b">"
    return _splice(data, p, p, nest * depth + close * depth), f"{depth} nested <{tag.decode()}> at {p}"


def _xml_inject(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    positions = [m.end() for m in re.finditer(rb">", data)]
    if not positions:
        return None
    p = rng.choice(positions)
    new = rng.choice(
        (
            b"<!-- comment -->",
            b"<?pi data?>",
            b"<![CDATA[<not a tag>]]>",
            b"&amp;&lt;&#0;",
            b"&#xD800;",
            b"&undefined;",
            b"\x01\x02",
            b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>',
        )
    )
    return _splice(data, p, p, new), f"{new!r} inserted at {p}"


XML: list[tuple[float, Operator]] = [
    *GENERIC,
    (3, _xml_remove),
    (2, _xml_duplicate),
    (1, _xml_move),
    (3, _xml_attribute),
    (3, _xml_text),
    (2, _xml_restriction),
    (1, _xml_rename),
    (1, _xml_break_tag),
    (0.5, _xml_doctype),
    (0.5, _xml_declaration),
    (0.5, _xml_deep),
    (1, _xml_inject),
]


# --- YAML ------------------------------------------------------------------------------------

_SCALARS: tuple[object, ...] = (
    None,
    True,
    False,
    0,
    -1,
    10**30,
    1.5,
    -0.0,
    "",
    " ",
    "abc",
    "IfcWall",
    "${",
    "${unknown}",
    "$${x}",
    "0.80",
    "1e999999999",
    "x" * 10000,
    "åäö",
)
_YAML_TEXT = (
    b".nan",
    b".inf",
    b"-.inf",
    b"1e400",
    b"0x1F",
    b"0o17",
    b"1_000",
    b"~",
    b"yes",
    b"no",
    b"2024-01-01",
    b"2024-13-45",
    b"!!binary aGVsbG8=",
    b"!!python/object/apply:os.system ['echo fuzz']",
    b"!custom x",
    b"!!str",
    b"&anchor x",
    b"*undefined",
    b"*anchor",
    b"<<: {a: 1}",
    b"'unclosed",
    b'"\\x00\\uD800"',
    b"[unbalanced",
    b"{a: 1",
    b"|",
    b">-",
    b"- - -",
    b"? complex key",
    b"%YAML 1.1",
    b"---",
    b"...",
    b"\t",
    b"@reserved",
    b"`reserved",
)


def _yaml_load(data: bytes) -> object:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if b"&" in data or b"*" in data:
        return None  # a structural mutation would expand what an earlier one aliased
    try:
        return YAML(typ="safe", pure=True).load(data.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError, RecursionError, ValueError):
        return None


def _yaml_dump(document: object) -> bytes:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue().encode("utf-8")


def _yaml_paths(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_yaml_paths(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_yaml_paths(value, (*path, index)))
    return out


def _get(node: object, path: tuple[object, ...]) -> object:
    for part in path:
        node = node[part]  # type: ignore[index]
    return node


def _yaml_structural(
    data: bytes, rng: random.Random, change: Callable[[object, random.Random], tuple[object, str] | None]
) -> tuple[bytes, str] | None:
    document = _yaml_load(data)
    if not isinstance(document, dict | list):
        return None
    paths = [p for p in _yaml_paths(document) if p]
    if not paths:
        return None
    path = rng.choice(paths)
    parent = _get(document, path[:-1])
    changed = change(_get(document, path), rng)
    if changed is None:
        return None
    value, how = changed
    if value is _DELETE:
        del parent[path[-1]]  # type: ignore[attr-defined]
    else:
        parent[path[-1]] = value  # type: ignore[index]
    where = ".".join(str(p) for p in path)
    try:
        return _yaml_dump(document), f"{where}: {how}"
    except RecursionError:
        return None


_DELETE = object()


def _retyped(value: object, rng: random.Random) -> tuple[object, str] | None:
    options: list[object] = [*_SCALARS, [], {}, ["a", 1], {"a": 1}, [value], {"value": value}]
    new = rng.choice(options)
    return new, f"{type(value).__name__} -> {_short(repr(new))}"


def _yaml_type_change(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    return _yaml_structural(data, rng, _retyped)


def _yaml_delete_key(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    return _yaml_structural(data, rng, lambda value, rng: (_DELETE, "deleted"))


def _misspelt(value: object, rng: random.Random) -> tuple[object, str] | None:
    if not isinstance(value, dict) or not value:
        return None
    key = rng.choice(sorted(value, key=str))
    text = str(key)
    new = rng.choice((text[:-1], text + "s", text.upper(), text.replace("_", "-"), "unknown_key", ""))
    out = {new if k == key else k: v for k, v in value.items()}
    return out, f"key {text!r} -> {new!r}"


def _yaml_rename_key(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    return _yaml_structural(data, rng, _misspelt)


def _nested(value: object, rng: random.Random) -> tuple[object, str] | None:
    depth = rng.choice((10, 50, 120))
    out: object = value
    for _ in range(depth):
        out = [out] if rng.random() < 0.5 else {"a": out}
    return out, f"nested {depth} deep"


def _yaml_deep_structure(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    return _yaml_structural(data, rng, _nested)


def _repeated(value: object, rng: random.Random) -> tuple[object, str] | None:
    times = rng.choice((2, 10, 200))
    if isinstance(value, list) and value:
        return value * times, f"list repeated {times}×"
    if isinstance(value, str):
        return value * (times * 50), f"text repeated {times * 50}×"
    return None


def _yaml_repetition(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    return _yaml_structural(data, rng, _repeated)


def _yaml_indent(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    lines = _lines(data)
    candidates = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith(b"#")]
    if not candidates:
        return None
    i = rng.choice(candidates)
    line = lines[i]
    indent = len(line) - len(line.lstrip(b" "))
    how = rng.choice(("+1", "+2", "-1", "-2", "tab", "0"))
    if how == "tab":
        new = b"\t" + line.lstrip(b" ")
    elif how == "0":
        new = line.lstrip(b" ")
    else:
        new = b" " * max(0, indent + int(how)) + line.lstrip(b" ")
    lines[i] = new
    return b"".join(lines), f"line {i + 1} indent {how}"


def _yaml_value_text(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    """The text after a `key:` or `- ` replaced by a YAML construct (tags, anchors, specials)."""
    m = _pick_match(re.compile(rb"(?m)(?:^\s*-\s+|:\s+)([^\n#]+)$"), data, rng)
    if m is None:
        return None
    new = rng.choice(_YAML_TEXT)
    return _splice(data, m.start(1), m.end(1), new), f"{_short(m.group(1))} -> {new.decode()!r}"


def _yaml_deep_text(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    m = _pick_match(re.compile(rb"(?m):\s+([^\n#]+)$"), data, rng)
    if m is None:
        return None
    depth = rng.choice((100, 1000, 100000))
    opener, closer = rng.choice(((b"[", b"]"), (b"{a: ", b"}")))
    new = opener * depth + b"1" + closer * depth
    return _splice(data, m.start(1), m.end(1), new), f"value nested {depth} deep in flow style"


def _yaml_alias_bomb(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    bomb = (
        b'x0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        b"x1: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        b"x2: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        b"x3: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        b"x4: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    )
    lines = _lines(data)
    at = rng.randrange(len(lines) + 1)
    return b"".join(lines[:at]) + bomb + b"".join(lines[at:]), f"alias bomb at line {at + 1}"


def _yaml_documents(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    extra = rng.choice((b"---\n", b"---\nbimcheck: 1\n", b"...\n", b"--- !!set\n? a\n", b"%TAG ! tag:x,1:\n"))
    if rng.random() < 0.5:
        return data + extra, f"{extra!r} appended"
    return extra + data, f"{extra!r} prepended"


YAML: list[tuple[float, Operator]] = [
    *GENERIC,
    (2, _yaml_indent),
    (3, _yaml_type_change),
    (2, _yaml_delete_key),
    (2, _yaml_rename_key),
    (1, _yaml_deep_structure),
    (1, _yaml_repetition),
    (3, _yaml_value_text),
    (0.5, _yaml_deep_text),
    (0.3, _yaml_alias_bomb),
    (0.5, _yaml_documents),
]

OPERATORS: dict[Kind, list[tuple[float, Operator]]] = {"step": STEP, "xml": XML, "yaml": YAML}
