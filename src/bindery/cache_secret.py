"""The build cache's secret: the key of the HMAC each cache entry carries.

It lives outside every book, in the user's cache folder
(`$XDG_CACHE_HOME/bindery/cache-secret`, else `~/.cache/bindery/cache-secret`),
readable only by its owner, so a book folder that ships an `output/.bindery-cache`
cannot forge an entry Bindery will trust. When it cannot be read or created
safely, a fresh secret for this process is used: the cache still works within
one process (the preview) and entries from earlier runs are misses.
"""

from __future__ import annotations

import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

from bindery.diagnostics import Diagnostic

SECRET_BYTES = 32


def secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return folder / "bindery" / "cache-secret"


def load_secret() -> tuple[bytes, Diagnostic | None]:
    """The secret, and a warning when it had to be made up for this process only."""
    return _load(secret_path())


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[bytes, Diagnostic | None]:
    try:
        return _read_or_create(path), None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return secrets.token_bytes(SECRET_BYTES), Diagnostic(
            f"the build cache's key file cannot be used ({why}); the cache is not kept between builds",
            file=str(path),
            hint="delete the file or make its folder writable; or set XDG_CACHE_HOME to a folder you own",
            severity="warning",
            code="cache-unwritable",
        )


def _read_or_create(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_bytes(SECRET_BYTES)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secret)
        os.link(temp, path)  # fails if another process made it first: then its secret wins
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("it is not a regular file")
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise ValueError("it is not private to this user (owner only, mode 600)")
        data = os.read(fd, SECRET_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) != SECRET_BYTES:
        raise ValueError(f"it does not hold {SECRET_BYTES} bytes")
    return data
