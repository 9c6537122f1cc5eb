"""The build cache: a content-addressed store of work a later build may reuse.

Entries live in `<output dir>/.bindery-cache/`, one file each, named by their
key: the sha256 of everything the value was computed from (`key_of`), which
always includes `code_fingerprint()` (Bindery's own code and templates, the
Python and library versions). The folder is safe to delete at any time.

Nothing read back is trusted: an entry is used only when its header (magic,
format version, the fingerprint, its own key, the payload's length and
sha256) matches and its HMAC verifies with a secret kept outside the book
(`cache_secret.py`), so a corrupt, truncated or foreign entry, a symlink or a
file planted by a hostile book folder is a miss, replaced by the next `put`.
Values are bytes the callers encode themselves (JSON, raw PDF); never pickle.

Writes are buffered until `flush()` (a failed build leaves `output/` as it
was), each written to a temporary file and renamed into place. A cache that
cannot be written lets the build go on uncached with one warning
(`cache-unwritable`). `prune()` keeps the folder under its size cap by
removing the least recently used entries (a hit touches its entry).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from bindery.cache_files import process_alive, read_regular_file, unlink_quietly, write_atomic
from bindery.cache_keys import code_fingerprint, key_of
from bindery.cache_secret import load_secret
from bindery.diagnostics import Diagnostic

CACHE_DIR_NAME = ".bindery-cache"
MAGIC = b"BNDRYCA\n"
FORMAT_VERSION = 1
DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB; prune() brings the folder down to PRUNE_TO of it
PRUNE_TO = 0.8
_KEY = re.compile(r"[0-9a-f]{64}")
_TEMP = re.compile(r"\.tmp-(?P<pid>[0-9]+)-[0-9a-f]+")
# magic, format version, payload length, fingerprint (64 hex), key (64 hex), payload sha256 (32 bytes)
_HEADER = struct.Struct(">8sHQ64s64s32s")
_MAC_SIZE = 32


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    rejected: int = 0  # entries found but not trusted (corrupt, foreign, symlinked...)
    written: int = 0
    pruned: int = 0


class BuildCache:
    """The store in `folder` (usually `<output dir>/.bindery-cache`)."""

    def __init__(
        self, folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, secret: bytes | None = None, keep_decoded: bool = False
    ) -> None:
        """`keep_decoded`: callers keep the values they decode or compute in `decoded`, for the next
        build in the same process (the preview's worker); a one-off build does not need them."""
        self.folder = folder
        self.max_bytes = max_bytes
        self.keep_decoded = keep_decoded
        self.stats = CacheStats()
        self.diagnostics: list[Diagnostic] = []  # at most one: why the cache could not be written
        self._pending: dict[str, bytes] = {}
        self.decoded: dict[str, object] = {}  # with keep_decoded: values decoded or computed in this process, by key
        self._writable = True
        self._fingerprint = code_fingerprint().encode()
        if secret is None:
            secret, problem = load_secret()
            if problem is not None:
                self._warn(problem)
        self._secret = secret

    @classmethod
    def for_output(cls, output_dir: Path, *, keep_decoded: bool = False) -> BuildCache:
        return cls(output_dir / CACHE_DIR_NAME, keep_decoded=keep_decoded)

    # -- reading ---------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        """The value stored under `key` (a pending one first), or None: absent or not trusted."""
        _check_key(key)
        if key in self._pending:
            self.stats.hits += 1
            return self._pending[key]
        path = self.folder / key
        data = read_regular_file(path, limit=self.max_bytes)
        if data is None:
            self.stats.misses += 1
            return None
        payload = self._unpack(key, data)
        if payload is None:
            self.stats.rejected += 1
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        try:
            os.utime(path, follow_symlinks=False)  # least recently used is pruned first
        except OSError:
            pass
        return payload

    def _unpack(self, key: str, data: bytes) -> bytes | None:
        if len(data) < _HEADER.size + _MAC_SIZE:
            return None
        magic, version, length, fingerprint, stored_key, payload_sha = _HEADER.unpack_from(data)
        body_end = len(data) - _MAC_SIZE
        payload = data[_HEADER.size : body_end]
        if (
            magic != MAGIC
            or version != FORMAT_VERSION
            or fingerprint != self._fingerprint
            or stored_key != key.encode()
            or length != len(payload)
            or hashlib.sha256(payload).digest() != payload_sha
        ):
            return None
        expected = hmac.new(self._secret, data[:body_end], hashlib.sha256).digest()
        return payload if hmac.compare_digest(expected, data[body_end:]) else None

    # -- writing ---------------------------------------------------------------
    def put(self, key: str, value: bytes) -> None:
        """Store `value` under `key` at the next `flush()`."""
        _check_key(key)
        if self._writable and len(value) <= self.max_bytes:
            self._pending[key] = value

    def flush(self) -> None:
        """Write the pending entries; the first failure warns once and stops writing."""
        pending, self._pending = self._pending, {}
        if not pending or not self._writable:
            return
        if not self._ready():
            return
        for key, value in pending.items():
            header = _HEADER.pack(MAGIC, FORMAT_VERSION, len(value), self._fingerprint, key.encode(), hashlib.sha256(value).digest())
            mac = hmac.new(self._secret, header + value, hashlib.sha256).digest()
            try:
                write_atomic(self.folder, key, (header, value, mac))
            except OSError as exc:
                self._give_up(exc)
                return
            self.stats.written += 1

    def _ready(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            info = os.lstat(self.folder)
        except OSError as exc:
            self._give_up(exc)
            return False
        if not stat.S_ISDIR(info.st_mode):
            self._give_up(None, "it is not a folder (a symlink or a file)")
            return False
        return True

    def _give_up(self, exc: OSError | None, why: str | None = None) -> None:
        self._writable = False
        self._pending.clear()
        reason = why or (exc.strerror if exc is not None and exc.strerror else str(exc))
        self._warn(
            Diagnostic(
                f"the build cache cannot be written ({reason}); this build goes on without it",
                file=str(self.folder),
                hint="delete the folder or make it writable, or build with --no-cache",
                severity="warning",
                code="cache-unwritable",
            )
        )

    def _warn(self, diagnostic: Diagnostic) -> None:
        if not self.diagnostics:
            self.diagnostics.append(diagnostic)

    # -- pruning ---------------------------------------------------------------
    def prune(self) -> None:
        """Remove the least recently used entries until the folder holds at most PRUNE_TO of the cap
        (only when it holds more than the cap), and temporary files of builds that are gone."""
        if not self._writable:
            return
        try:
            if not stat.S_ISDIR(os.lstat(self.folder).st_mode):
                return  # a symlink (or a file) in place of the folder: never delete through it
        except OSError:
            return
        entries: list[tuple[float, int, str]] = []
        try:
            with os.scandir(self.folder) as found:
                for item in found:
                    temp = _TEMP.fullmatch(item.name)
                    if temp is not None and not process_alive(int(temp.group("pid"))):
                        unlink_quietly(self.folder / item.name)
                    elif _KEY.fullmatch(item.name):
                        info = item.stat(follow_symlinks=False)
                        entries.append((info.st_mtime, info.st_size, item.name))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        for _, size, name in sorted(entries):
            if total <= self.max_bytes * PRUNE_TO:
                break
            if unlink_quietly(self.folder / name):
                total -= size
                self.stats.pruned += 1


def open_build_cache(output_dir: Path, enabled: bool = True) -> BuildCache | None:
    """The build's cache in `output_dir`, or None with `--no-cache`."""
    return BuildCache.for_output(output_dir) if enabled else None


def save_build_cache(cache: BuildCache) -> list[Diagnostic]:
    """Write what the build computed, prune the folder to its cap; the (at most one) warning about the cache."""
    cache.flush()
    cache.prune()
    return list(cache.diagnostics)


# -- cached chunk layout (issue 11, layout_chunks.py) --------------------------------------

Result = TypeVar("Result")
Decoded = TypeVar("Decoded", covariant=True)


class CacheableJob(Protocol):
    def digest(self) -> str: ...


Job = TypeVar("Job", bound=CacheableJob)


class ResultCodec(Protocol[Decoded]):  # ChunkResult: encode() on a value, decode() on the class
    def decode(self, data: bytes) -> Decoded: ...


class EncodableResult(Protocol):
    def encode(self) -> bytes: ...


def cached_runner(
    cache: BuildCache | None,
    runner: Callable[[Sequence[Job]], list[Result]],
    result_type: ResultCodec[Result] | None = None,
) -> Callable[[Sequence[Job]], list[Result]]:
    """`runner` with its results stored in `cache` under each job's digest: only the jobs
    with no trusted entry reach `runner`; results come back in job order.
    `result_type` (default `bindery.layout_chunks.ChunkResult`) decodes an entry;
    one that does not decode (ValueError) is laid out again."""
    if cache is None:
        return runner

    def run(jobs: Sequence[Job]) -> list[Result]:
        codec = result_type if result_type is not None else cast("ResultCodec[Result]", _chunk_result_type())
        keys = [key_of("chunk-layout", job.digest()) for job in jobs]
        found: dict[int, Result] = {}
        for i, key in enumerate(keys):
            data = cache.get(key)
            if data is not None:
                try:
                    found[i] = codec.decode(data)
                except ValueError:
                    cache.stats.rejected += 1
        missing = [i for i in range(len(jobs)) if i not in found]
        if missing:
            for i, result in zip(missing, runner([jobs[i] for i in missing]), strict=True):
                found[i] = result
                cache.put(keys[i], _encode(result))  # a deferred result too: a later build asks for the same jobs
        return [found[i] for i in range(len(jobs))]

    run.batch_size = getattr(runner, "batch_size", None)  # type: ignore[attr-defined]  # how many jobs the runner takes at once

    def finished(done: Sequence[tuple[Job, Result]]) -> list[Result]:
        """Deferred results (`serial_runner`'s, or read back from the cache) with their PDFs
        written (`layout_chunks.write_deferred`), stored in their place."""
        write = getattr(runner, "finish", None) or _deferred_writer()  # the runner's own (a lane writes what it kept)
        results: list[Result] = write(done)
        for (job, _), result in zip(done, results, strict=True):
            cache.put(key_of("chunk-layout", job.digest()), _encode(result))
        return results

    run.finish = finished  # type: ignore[attr-defined]  # chunked_layout calls it in place of write_deferred
    if hasattr(runner, "forget"):  # chunked_layout empties the kept layouts of the runner's own processes (`layout_lanes`)
        run.forget = runner.forget  # type: ignore[attr-defined]
    return run


def _chunk_result_type() -> ResultCodec[object]:
    from bindery import layout_chunks  # type: ignore[attr-defined,unused-ignore]  # helper A's module

    codec: ResultCodec[object] = layout_chunks.ChunkResult
    return codec


def _deferred_writer() -> Callable[[Sequence[Any]], list[Any]]:
    from bindery import layout_chunks  # the layout stage's module, loaded when a layout ran

    return layout_chunks.write_deferred


def _encode(result: object) -> bytes:
    encode = getattr(result, "encode", None)
    if encode is None:
        raise TypeError(f"{type(result).__name__} has no encode()")
    data = encode()
    if not isinstance(data, bytes):
        raise TypeError(f"{type(result).__name__}.encode() must return bytes")
    return data


# -- keys ----------------------------------------------------------------------------


def _check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a cache key (64 lowercase hex digits): {key!r}")
