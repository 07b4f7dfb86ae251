"""Errors that end a run with exit code 2: bad input or a tool failure, named by file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class BimcheckError(Exception):
    """A problem with an input or output that stops the run (exit code 2)."""

    def __init__(self, path: str | Path | None, problem: str, details: Sequence[str] = ()) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        self.details = tuple(details)
        super().__init__(self.one_line())

    def __reduce__(self) -> tuple[type, tuple[str | None, str, tuple[str, ...]]]:
        # Errors cross process boundaries (time-budgeted checks, batch workers) intact.
        return (type(self), (self.path, self.problem, self.details))

    def one_line(self) -> str:
        """`path: problem`, flattened to a single line."""
        text = " ".join(self.problem.split())
        return f"{self.path}: {text}" if self.path else text


class InputError(BimcheckError):
    """An input file is missing, unreadable, malformed or unsupported."""


class RuleError(InputError):
    """A requirement file (IDS or YAML) is invalid; `details` lists each problem with its line."""


class OutputError(BimcheckError):
    """An output could not be written."""


def refuse_device(path: str | Path) -> None:
    """Raise InputError if `path` is a character or block device (/dev/zero, /dev/urandom, a
    terminal): reading one never ends, or waits for typing, where an input file must end.
    A pipe (FIFO, /dev/stdin when piped) is read like a file, until its writer closes it."""
    import stat

    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return  # missing or unreadable: the caller's own read says which
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(path, "is a device, not a file (reading it would never end)")
