"""The build cache's file operations: read a regular file without following links or blocking on a
FIFO, write through a temporary file and a rename, remove quietly, tell a live process."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from bindery.outputs import process_running

HEADROOM = 1024  # bytes a cache entry may hold beyond its payload (header and MAC)


def read_regular_file(path: Path, *, limit: int) -> bytes | None:
    """The bytes of `path` when it is a regular file (not a symlink, FIFO or device) no larger than `limit`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit + HEADROOM:
            return None
        chunks: list[bytes] = []
        left = info.st_size + 1  # one byte more than promised: a file that grew is caught by the length check
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_atomic(folder: Path, name: str, pieces: tuple[bytes, ...]) -> None:
    temp = folder / f".tmp-{os.getpid()}-{secrets.token_hex(8)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            for piece in pieces:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, folder / name)  # replaces a symlink or stale entry of that name, never follows it
    except BaseException:
        unlink_quietly(temp)
        raise


def unlink_quietly(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except OSError:
        return False


def process_alive(pid: int) -> bool:
    return pid == os.getpid() or process_running(pid)
    return True
