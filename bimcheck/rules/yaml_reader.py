"""Safe YAML reading with the line of every key and item, shared by every YAML file bimcheck reads."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bimcheck.errors import InputError, RuleError, refuse_device

# Requirement files, tender files and baselines read their YAML here, so that every file is
# parsed as safely and its errors name the file and line in the same way. This module imports
# nothing of the model layer: a baseline is read without loading ifcopenshell.

Loc = tuple[str | int, ...]
_M = TypeVar("_M", bound=BaseModel)

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    line: int
    message: str


class Problems(Exception):
    """Problems found in one file; becomes a RuleError naming the file and the first line."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        self.issues = sorted(issues)

    def rule_error(self, path: Path) -> RuleError:
        first = self.issues[0]
        more = len(self.issues) - 1
        problem = f"line {first.line}: {first.message}" + (f" (and {more} more problem(s))" if more else "")
        return RuleError(path, problem, [f"{path}:{i.line}: {i.message}" for i in self.issues])


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed YAML file: plain data, and the line of every key and list item."""

    path: Path
    data: bytes
    document: dict[str, Any]
    lines: dict[Loc, int]

    def line(self, loc: Loc) -> int:
        """Line of a key or item, else of the nearest enclosing one that exists in the file."""
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def read_document(path: Path, what: str, start: str) -> Source:
    """A YAML file as plain data with the line of every key; `what` names the kind of file in
    errors and `start` says how such a file begins (for an empty or non-mapping file)."""
    refuse_device(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, f"{what} does not exist") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, not a {what}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RuleError(path, f"line {line}: not UTF-8 text") from None
    try:
        return _parse(path, data, text, what, start)
    except Problems as problems:
        raise problems.rule_error(path) from None


def validate_document(
    source: Source, model: type[_M], known_keys: frozenset[str], document: Any = None
) -> _M:
    """`document` (the file's data unless given) validated by a pydantic model; a RuleError
    naming the file and the line of each problem otherwise, with "did you mean" hints from
    `known_keys`."""
    try:
        return model.model_validate(source.document if document is None else document)
    except ValidationError as exc:
        raise Problems(issues(source, exc, known_keys=known_keys)).rule_error(source.path) from None


def located_error(source: Source, problems: Sequence[tuple[Loc, str]]) -> RuleError:
    """One error for problems found after validation, each at the line of its key or item."""
    return Problems([Issue(source.line(loc), message) for loc, message in problems]).rule_error(source.path)


# Lists and mappings nested deeper than this are refused: bimcheck's own files nest about ten
# levels, and the composer (like _plain below) recurses once per level, so a file of 10 000
# nested brackets would otherwise end in a RecursionError instead of an error naming the file.
MAX_DEPTH = 100


def _parse(path: Path, data: bytes, text: str, what: str, start: str) -> Source:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    # Composing builds only the node graph: no constructor runs, so no tag can create an
    # object; _plain below admits plain text, numbers, booleans, lists and mappings only.
    yaml = YAML(typ="safe", pure=True)
    # ruamel.yaml >= 0.18.7 stops at max_depth; older ones recurse until Python stops them.
    yaml.max_depth = MAX_DEPTH
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        if (exc.problem or "").startswith("maximum depth"):
            raise Problems([Issue(line, _TOO_DEEP)]) from None
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise Problems([Issue(line, f"malformed YAML: {exc.problem or exc.context}{context}")]) from None
    except ReaderError as exc:  # a control character: say where, without ruamel's own position text
        line = text[: exc.position].count("\n") + 1
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        message = f"malformed YAML: character #x{code:04X} is not allowed in YAML"
        raise Problems([Issue(line, message)]) from None
    except YAMLError as exc:
        raise Problems([Issue(1, f"malformed YAML: {exc}")]) from None
    except RecursionError:
        raise Problems([Issue(1, _TOO_DEEP)]) from None
    if root is None:
        raise Problems([Issue(1, f"empty file: a {what} {start}")])
    lines: dict[Loc, int] = {(): root.start_mark.line + 1}
    document = _plain(root, (), lines)
    if not isinstance(document, dict):
        raise Problems([Issue(1, f"a {what} is a mapping that {start}")])
    return Source(path, data, document, lines)


_TOO_DEEP = f"lists and mappings nested more than {MAX_DEPTH} levels deep are not supported"


def _plain(node: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    """Plain Python data from a composed YAML node, recording the line of every key and item."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    line = node.start_mark.line + 1
    if len(loc) > MAX_DEPTH:
        raise Problems([Issue(line, _TOO_DEEP)])
    if getattr(node, "anchor", None):
        raise Problems(
            [Issue(line, "anchors and aliases (&name, *name) are not supported: write each value out")]
        )
    if isinstance(node, MappingNode) and node.tag == f"{_CORE}map":
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag == f"{_CORE}merge":
                raise Problems([Issue(key_line, "keys must be plain text (merge keys << are not supported)")])
            key = _text(str(key_node.value), key_line)
            if key in out:
                first = lines[(*loc, key)]
                raise Problems([Issue(key_line, f"duplicate key {key!r} (first at line {first})")])
            lines[(*loc, key)] = key_line
            out[key] = _plain(value_node, (*loc, key), lines)
        return out
    if isinstance(node, SequenceNode) and node.tag == f"{_CORE}seq":
        items = []
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            items.append(_plain(item, (*loc, index), lines))
        return items
    if isinstance(node, ScalarNode) and node.tag in _SCALAR_TAGS:
        return _scalar(node.tag.removeprefix(_CORE), _text(str(node.value), line), line)
    raise Problems(
        [Issue(line, f"unsupported YAML tag {node.tag}: only text, numbers, booleans, lists and mappings")]
    )


# Characters a double-quoted YAML string may write as escapes ("\0", "\uD800") but that no
# report can carry: XML 1.0 forbids them and UTF-8 cannot encode a lone surrogate (the fuzzer
# found "\uD800" ending a check in a UnicodeEncodeError). Refused where they are written.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(text: str, line: int) -> str:
    bad = _UNWRITABLE.search(text)
    if bad:
        code = ord(bad.group())
        raise Problems(
            [Issue(line, f"character U+{code:04X} is not allowed (an escape no report can carry)")]
        )
    return text


def _scalar(tag: str, text: str, line: int) -> Any:
    """A YAML 1.2 scalar; numbers become Decimals so that they keep the digits as written."""
    if tag == "null":
        return None
    if tag == "bool":
        return text.lower() == "true"
    if tag in ("int", "float"):
        digits = text.replace("_", "")
        try:
            number = Decimal(digits)
        except InvalidOperation:
            try:
                number = Decimal(int(digits, 0))  # 0x1F, 0o17
            except ValueError:
                number = Decimal("NaN")
        if not number.is_finite():
            raise Problems([Issue(line, f"{text} is not allowed: numbers must be finite")])
        return number
    return text  # str, and timestamps kept as the text written (e.g. an edition date)


def describe(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def issues(
    source: Source, error: ValidationError, prefix: Loc = (), known_keys: frozenset[str] = frozenset()
) -> list[Issue]:
    """One issue per pydantic error, located by mapping its `loc` back to the YAML keys."""
    out: list[tuple[Loc, str | None, Issue]] = []
    for err in error.errors(include_url=False):
        found: Loc = prefix
        # Pydantic's loc also holds union tags and similar steps that are not YAML keys.
        for part in err["loc"]:
            if (*found, part) in source.lines:
                found = (*found, part)
        kind = err["type"]
        last = err["loc"][-1] if err["loc"] else ""
        missing = None
        if kind == "extra_forbidden":
            close = difflib.get_close_matches(str(last), sorted(known_keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"{describe(found)}: unknown key{hint}"
            if close:
                out.append((found[:-1], None, Issue(source.line(found), message)))
                continue
        elif kind == "missing":
            where = describe(found)
            message = f"{where + ': ' if where else ''}missing required key {last!r}"
            missing = str(last)
        else:
            text = err["msg"].removeprefix("Value error, ")
            message = f"{describe(found)}: {text[:1].lower()}{text[1:]}"
        out.append((found, missing, Issue(source.line(found), message)))
    # A misspelt key also leaves the key it was meant to be missing: report the typo only.
    suggested = {
        (where, m.group(1)) for where, _, i in out if (m := re.search(r"did you mean '(\w+)'", i.message))
    }
    return [issue for where, missing, issue in out if missing is None or (where, missing) not in suggested]
