"""Write outputs atomically: a failed run never leaves a half-written report behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from bimcheck.errors import OutputError


def _write_through(target: Path, payload: bytes) -> None:
    try:
        with target.open("wb") as stream:
            stream.write(payload)
    except OSError as exc:
        raise OutputError(target, f"cannot write output: {exc.strerror or exc}") from None


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    blocker = next((p for p in (parent, *parent.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(target, f"cannot create output directory: {blocker} is a file, not a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(target, f"cannot create output directory: {exc.strerror or exc}") from None
    if target.is_dir():
        raise OutputError(target, "output path is a directory")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.exists() and not target.is_file():
        # A device or pipe (/dev/null, /dev/stdout, a FIFO): write into it. Renaming a temporary
        # file over it would replace the device with a plain file (a root user's /dev/null).
        _write_through(target, payload)
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(target, f"cannot write output: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(target, f"cannot write output: {exc.strerror or exc}") from None
    except BaseException:  # Ctrl-C or any other interruption: leave no temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
