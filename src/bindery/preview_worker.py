"""The preview's rebuilds, run in a worker process with a timeout.

A book is untrusted input (its articles, exports, images and templates), and
a rebuild may hang or crash: `RebuildWorker` runs `render_snapshot` in a
child process (multiprocessing's forkserver, so the server's threads are
never forked), waits at most `timeout` seconds for each job, and on a
timeout or a crash kills that child and answers with a failed `Snapshot`
whose diagnostic says what happened. The next job starts a new child. The
server process itself never reads an article or runs a template.

Jobs go over a pipe, one at a time: `("build", path, version)` answers a
`Snapshot`; `("cover", path)` answers the generated cover's `CoverImage`
(drawn on request, about a second, so a page does not wait for it).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bindery.build_cache import BuildCache, save_build_cache
from bindery.builders.cover_image import CoverImage, generated_cover
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.executors import worker_context
from bindery.manifest.load import find_manifest
from bindery.model import Book
from bindery.pipeline import load_book
from bindery.render import Document, render_ebook
from bindery.templating import Templates, template_dirs

DEFAULT_TIMEOUT = 60.0  # seconds a rebuild may take before its worker is stopped
START_TIMEOUT = 60.0  # seconds a new worker may take to import Bindery and say it is ready
FAULT_FILE = "BINDERY_PREVIEW_FAULT_FILE"  # tests only: a file whose text ("hang", "crash") the worker obeys


@dataclass(frozen=True)
class Snapshot:
    """One rebuild of the book: its rendered documents, or the errors that stopped it."""

    version: str
    documents: dict[str, Document] = field(default_factory=dict)  # in reading order
    css: str = ""
    images: dict[str, Path] = field(default_factory=dict)  # URL path -> file in the book folder
    drawn: tuple[str, ...] = ()  # URL paths of images the worker draws on request (the generated cover)
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    seconds: float = 0.0
    built_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class RenderCache:
    """What a rebuild may reuse while no template file changed: the compiled templates and the drawn cover;
    and the book's build cache (`<book>/output/.bindery-cache`, the one `bindery build` uses), so a save
    renders only the article that changed.

    Any change in the template folders (an edit, a new override) gives a new
    key, and both are made afresh; an article edit reuses them."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._templates: Templates | None = None
        self._covers: dict[str, CoverImage] = {}
        self._cover_name: str | None = None
        self._stores: dict[Path, BuildCache] = {}

    def build_cache(self, path: Path) -> BuildCache:
        """The build cache of the book at `path` (its folder or book.yaml)."""
        out = find_manifest(path).parent.resolve() / "output"
        if out not in self._stores:
            self._stores = {out: BuildCache.for_output(out, keep_decoded=True)}  # this worker builds again on every save
        return self._stores[out]

    def _refresh(self, root: Path) -> None:
        dirs = [d for kind in ("ebook", "print") for d in template_dirs(root, kind)]
        files = sorted({p for d in dirs for p in d.rglob("*") if p.is_file()})  # the shared folder is in both sets
        key = repr([(str(p), p.stat().st_mtime_ns) for p in files])
        if key != self._key:
            self._key, self._templates, self._covers = key, Templates(root, "ebook"), {}

    def templates(self, root: Path) -> Templates:
        self._refresh(root)
        assert self._templates is not None
        return self._templates

    def cover_name(self, book: Book) -> str:
        if self._cover_name is None:
            self._cover_name = self.cover(book).name
        return self._cover_name

    def cover(self, book: Book) -> CoverImage:
        """The EPUB's generated cover for this book's metadata and templates."""
        key = repr((self._key, book.metadata))
        if key not in self._covers:
            self._covers = {key: generated_cover(book)}
        return self._covers[key]


def failed(version: str, started: float, *diagnostics: Diagnostic) -> Snapshot:
    return Snapshot(version, errors=diagnostics, seconds=time.perf_counter() - started, built_at=time.strftime("%H:%M:%S"))


def render_snapshot(path: Path, version: str, cache: RenderCache | None = None) -> tuple[Snapshot, Book | None]:
    """Run the pipeline up to the EPUB renderer; never raises for a bad book."""
    started = time.perf_counter()
    stamp = time.strftime("%H:%M:%S")
    cache = cache or RenderCache()
    try:
        store = cache.build_cache(path)
        loaded = load_book(path, store)
        book, xrefs = loaded.book, loaded.xrefs
        warnings = (*loaded.warnings, *save_build_cache(store))  # at most one warning: the cache cannot be written
        templates = cache.templates(book.root)
        cover_href = book.metadata.cover or cache.cover_name(book)
        rendering = render_ebook(book, xrefs, templates, cover_href=cover_href)
    except BinderyError as exc:
        return failed(version, started, *exc.diagnostics), None
    except Exception as exc:  # noqa: BLE001 (a bug must not stop the server; the page says so)
        bug = Diagnostic(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="this is a bug in Bindery; run 'bindery build --debug' and report the output",
            code="internal",
        )
        return failed(version, started, bug), None
    root = book.root.resolve()
    sources = {src for article in book.articles() for src in article.images}
    if book.metadata.cover:
        sources.add(book.metadata.cover)
    images = {src: (root / src).resolve() for src in sorted(sources)}
    images = {src: file for src, file in images.items() if root in file.parents}
    snapshot = Snapshot(
        version,
        documents={doc.name: doc for doc in rendering.documents},
        css=rendering.css,
        images=images,
        drawn=() if book.metadata.cover else (cover_href,),
        warnings=warnings,
        seconds=time.perf_counter() - started,
        built_at=stamp,
    )
    return snapshot, book


def _obey_test_fault() -> None:
    """Tests only: hang or crash this worker when the file named by BINDERY_PREVIEW_FAULT_FILE says so."""
    name = os.environ.get(FAULT_FILE)
    if not name:
        return
    try:
        fault = Path(name).read_text(encoding="utf-8").strip()
    except OSError:
        return
    if fault == "hang":
        Path(name + ".hanging").write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(3600)
    elif fault == "crash":
        os._exit(3)


def serve_jobs(conn: multiprocessing.connection.Connection) -> None:
    """The worker's loop: answer jobs until the server closes the pipe (or is gone: then quietly)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle; it stops this process
    cache = RenderCache()
    book: Book | None = None
    try:
        conn.send("ready")
        while True:
            job = conn.recv()
            _obey_test_fault()
            if job[0] == "build":
                snapshot, built = render_snapshot(job[1], job[2], cache)
                book = built or book
                conn.send(snapshot)
            elif job[0] == "cover":
                try:
                    if book is None:
                        book = load_book(job[1]).book
                        cache.templates(book.root)
                    conn.send(cache.cover(book))
                except BinderyError as exc:
                    conn.send(exc)
    except (EOFError, OSError):  # the server stopped (Ctrl+C) or was killed: nobody to answer
        return


class WorkerFailed(Exception):
    """The worker did not answer: it timed out or crashed (and was stopped)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


#: What the preview's forkserver imports (`executors.worker_context`): the EPUB's renderer, not
#: WeasyPrint, which a preview never lays out with. The server's first page comes sooner.
PREVIEW_MODULES = ("bindery.worker_start", "bindery.preview_worker")


class RebuildWorker:
    """A child process that runs one job at a time, stopped and replaced when it hangs or dies."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._context: Any = worker_context(PREVIEW_MODULES)  # never fork the server's threads; each worker starts with Bindery imported
        self._process: Any = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> multiprocessing.connection.Connection:
        pipe: tuple[multiprocessing.connection.Connection, multiprocessing.connection.Connection] = self._context.Pipe()
        ours, theirs = pipe
        self._process = self._context.Process(target=serve_jobs, args=(theirs,), name="bindery-preview-worker", daemon=True)
        self._process.start()
        theirs.close()
        self._conn = ours
        if self._answer("start of the preview worker", START_TIMEOUT) != "ready":
            raise WorkerFailed(Diagnostic("the preview worker did not start", code="serve-crash"))
        return ours

    def _answer(self, what: str, timeout: float) -> Any:
        assert self._conn is not None
        try:
            if self._conn.poll(timeout):
                return self._conn.recv()
        except (EOFError, OSError):
            if self._process is not None:
                self._process.join(timeout=2)
            code = self._process.exitcode if self._process is not None else None
            self.stop()
            raise WorkerFailed(
                Diagnostic(
                    f"the rebuild crashed (the worker process ended{f' with code {code}' if code is not None else ''})",
                    hint="the last good build is still shown; save a file to try again, or run 'bindery build --debug' to see why",
                    code="serve-crash",
                )
            ) from None
        self.stop()
        raise WorkerFailed(
            Diagnostic(
                f"the {what} did not finish within {timeout:g} s and was stopped",
                hint="something in the book takes too long (a huge article, a template loop?); "
                "the last good build is still shown; fix it and save to try again",
                code="serve-timeout",
            )
        )

    def run(self, job: tuple[Any, ...]) -> Any:
        """The worker's answer to `job`; WorkerFailed when it hung (stopped after `timeout`) or crashed."""
        with self._lock:
            conn = self._conn if self._process is not None and self._process.is_alive() else None
            conn = conn or self._start()
            try:
                conn.send(job)
            except (BrokenPipeError, OSError):
                self.stop()
                conn = self._start()
                conn.send(job)
            return self._answer("rebuild" if job[0] == "build" else "cover drawing", self.timeout)

    def stop(self) -> None:
        """Stop the worker now (the next job starts a new one)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(timeout=5)
