"""Finds STEP text that ifcopenshell would read wrongly without saying so."""

from __future__ import annotations

import re

# ISO 10303-21 text is ASCII; other characters are written as \X2\hhhh\X0\ (UCS-2) or
# \X4\hhhhhhhh\X0\ escapes. ifcopenshell 0.8/0.9 drops raw bytes outside ASCII without a
# word ('Vägg' in UTF-8 reads 'Vgg') and reads a whole string as '' when an escape in it is
# malformed (an odd digit count, a UTF-16 surrogate). Either silently changes names and
# values that requirements compare, so such a model is refused instead of checked wrongly.
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ESCAPE_START = re.compile(rb"\\X([24])\\")
_ESCAPE = re.compile(rb"\\X([24])\\([0-9A-Fa-f]*)\\X0\\")
# A fast pass for the common case: every escape whole, of whole code units, none a surrogate.
_WHOLE = re.compile(rb"\\X2\\(?:[0-9A-Fa-f]{4})+\\X0\\|\\X4\\(?:[0-9A-Fa-f]{8})+\\X0\\")
_SURROGATE = re.compile(rb"\\X2\\(?:[0-9A-Fa-f]{4})*?[Dd][89A-Fa-f][0-9A-Fa-f]{2}")
# Escapes are checked a line at a time; a file without line breaks is checked in pieces this
# large (an escape split across two pieces is then not checked: the cost of bounded memory).
_MAX_CARRY = 1 << 24


class StepTextCheck:
    """Fed a file's bytes chunk by chunk; `problem` is the first bad text found, with its line."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self._line = 1
        self._carry = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.problem is not None:
            return
        data = self._carry + chunk
        self._carry = b""
        if not final:
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) < _MAX_CARRY:
                self._carry = data
                return
            cut = cut or len(data)
            data, self._carry = data[:cut], data[cut:]
        self._scan(data)
        self._line += data.count(b"\n")

    def _scan(self, data: bytes) -> None:
        found = None if data.isascii() else _NON_ASCII.search(data)  # isascii: a fast pass
        if found:
            line = self._line + data.count(b"\n", 0, found.start())
            self.problem = (
                f"line {line}: byte 0x{data[found.start()]:02X} outside ASCII in the STEP text "
                "(ISO 10303-21 writes such characters as \\X2\\ escapes; ifcopenshell would drop it "
                "and change the name or value it is in)"
            )
            return
        starts = data.count(b"\\X2\\") + data.count(b"\\X4\\")
        if starts == 0 or (len(_WHOLE.findall(data)) == starts and not _SURROGATE.search(data)):
            return
        for start in _ESCAPE_START.finditer(data):
            if _escaped_backslash(data, start.start()):
                continue  # a literal backslash (written \\) followed by X2\: plain text
            if not _well_formed(_ESCAPE.match(data, start.start())):
                line = self._line + data.count(b"\n", 0, start.start())
                end = data.find(b"\\X0\\", start.start(), start.start() + 40)
                text = data[start.start() : end + 4 if end >= 0 else start.start() + 16]
                self.problem = (
                    f"line {line}: malformed escape {text.decode('ascii', 'replace')} "
                    "(ifcopenshell would read the whole text as empty)"
                )
                return


def _escaped_backslash(data: bytes, position: int) -> bool:
    """True if the backslash at `position` is the second of a doubled (literal) backslash."""
    count = 0
    while position - count - 1 >= 0 and data[position - count - 1] == 0x5C:
        count += 1
    return count % 2 == 1


def _well_formed(escape: re.Match[bytes] | None) -> bool:
    """An \\X2\\ run of UCS-2 code units (no surrogates) or an \\X4\\ run of code points."""
    if escape is None:
        return False
    width = 4 if escape.group(1) == b"2" else 8
    digits = escape.group(2)
    if not digits or len(digits) % width:
        return False
    units = [int(digits[i : i + width], 16) for i in range(0, len(digits), width)]
    return all(not 0xD800 <= u <= 0xDFFF and u <= 0x10FFFF for u in units)
