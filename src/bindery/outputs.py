"""Writing outputs atomically: a failed or killed build never leaves a partial file."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from bindery.diagnostics import BinderyError, Diagnostic


def prepare_output_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BinderyError(Diagnostic(f"cannot create the output folder: {exc.strerror}", file=str(path), hint="choose another folder with --output", code="output-dir")) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise BinderyError(Diagnostic("the output folder is not writable", file=str(path), hint="fix its permissions or choose another folder with --output", code="output-dir"))


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        hint = "free some disk space and build again" if exc.errno == errno.ENOSPC else "check the output folder"
        raise BinderyError(Diagnostic(f"cannot write the output: {exc.strerror}", file=str(path), hint=hint, code="output-write")) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
