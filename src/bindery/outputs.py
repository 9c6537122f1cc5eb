"""Writing outputs atomically: a failed or killed build never leaves a partial file."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.paths import display_path


def prepare_output_dir(path: Path, option: str = "--output") -> None:
    """Make the folder the outputs go to; `option` is the command's option that names it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BinderyError(
            Diagnostic(
                f"cannot create the output folder: {exc.strerror}",
                file=str(path),
                hint=f"choose another folder with {option}",
                code="output-dir",
            )
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise BinderyError(
            Diagnostic(
                "the output folder is not writable",
                file=str(path),
                hint=f"fix its permissions or choose another folder with {option}",
                code="output-dir",
            )
        )
    remove_stale_partials(path)


# `.NAME.PID.RANDOM.partial`: the temporary file of a write in progress.
PARTIAL = re.compile(r"^\..+\.(?P<pid>[0-9]+)\.[^.]+\.partial$")


def remove_stale_partials(folder: Path) -> list[Path]:
    """Delete temporary files left by builds that were killed mid-write.

    A temporary file is stale when the process that wrote it is gone; files of
    a build still running (another process) are left alone."""
    removed = []
    for entry in sorted(folder.glob(".*.partial")):
        match = PARTIAL.match(entry.name)
        if match is None or _alive(int(match.group("pid"))):
            continue
        try:
            entry.unlink()
            removed.append(entry)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    return pid != os.getpid() and process_running(pid)  # this build writes its files after the clean-up


def process_running(pid: int) -> bool:
    """A process with this number exists (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place."""
    write_all_atomic([(path, data)])


def write_all_atomic(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write a build's files as one set: every file goes to a temporary file
    beside its target and is flushed to disk first; only then are they renamed
    into place, one right after the other. A build that fails or is killed
    while writing leaves the previous files (and at worst a stale `.partial`,
    removed by the next build)."""
    files = list(files)
    check_targets([path for path, _data in files])
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    try:
        for path, data in files:
            current = path
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".partial", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        while staged:
            tmp, current = staged[0]
            os.replace(tmp, current)
            staged.pop(0)
    except OSError as exc:
        _discard(staged)
        hint = "free some disk space and build again" if exc.errno == errno.ENOSPC else "check the output folder"
        raise BinderyError(
            Diagnostic(
                f"cannot write the output: {exc.strerror}", file=display_path(current) if current else None, hint=hint, code="output-write"
            )
        ) from None
    except BaseException:
        _discard(staged)
        raise


def check_targets(paths: list[Path]) -> None:
    """Refuse the whole set before anything is written when a target cannot be
    replaced by a file (a folder of that name), so no output is replaced."""
    for path in paths:
        if path.is_dir():
            raise BinderyError(
                Diagnostic(
                    "is a folder, so the output cannot be written there; nothing was written",
                    file=display_path(path),
                    hint="move or rename that folder, or set another file name in book.yaml",
                    code="output-write",
                )
            )


def _discard(staged: list[tuple[str, Path]]) -> None:
    for tmp, _path in staged:
        try:
            os.unlink(tmp)
        except OSError:
            pass
