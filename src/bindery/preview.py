"""The live preview behind `bindery serve`: the EPUB's own documents, in a browser.

The preview runs the first four stages and the EPUB renderer
(`render.render_ebook`), so pages use the same templates and
cross-references as the EPUB. Each XHTML document is served as a page (plus
the book's CSS and images); chapter navigation and a small live-reload
script are injected into the served copy only, never into the EPUB.

A watcher (watchfiles) follows the book folder and the built-in template
folder; every change rebuilds a `Snapshot` in memory, and the open pages are
told over Server-Sent Events to reload. A build that fails is a snapshot
too: its diagnostics are shown in the page, and the server keeps running.
"""

from __future__ import annotations

import functools
import html
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles

from bindery.builders.cover_image import CoverImage, generated_cover
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest import find_manifest
from bindery.model import Book
from bindery.pipeline import load_book
from bindery.render import Document, render_ebook
from bindery.templating import Templates, default_templates_dir, template_dirs

ASSETS = "_bindery"  # URL folder of the preview's own files; no book document is named so
XHTML = "application/xhtml+xml; charset=utf-8"
BODY_OPEN = re.compile(r"<body\b[^>]*>")
KEEPALIVE_SECONDS = 15.0

LIVE_JS = """\
// Bindery preview: reload this page when the book was rebuilt.
(function () {
  var me = document.currentScript;
  var version = me ? me.getAttribute("data-version") : null;
  var key = "bindery-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) { sessionStorage.removeItem(key); window.scrollTo(0, Number(saved)); }
  var source = new EventSource("/_bindery/events");
  source.onopen = function () { window.binderyLive = true; };
  source.onmessage = function (event) {
    if (event.data !== version) {
      source.close();
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }
  };
})();
"""

PREVIEW_CSS = """\
/* Bindery preview: the navigation bar and the error page (not part of the book). */
nav.bindery-preview { font: 14px/1.4 system-ui, sans-serif; display: flex; gap: 1em; align-items: baseline;
  padding: 0.5em 1em; margin: 0 0 2em; background: #f3f1ec; border-bottom: 1px solid #d8d4ca; }
nav.bindery-preview.bottom { margin: 3em 0 0; border-top: 1px solid #d8d4ca; border-bottom: 0; }
nav.bindery-preview a { color: #234; }
nav.bindery-preview .status { margin-left: auto; color: #666; }
body { max-width: 42em; margin: 0 auto; padding: 0 1em; }
body.bindery-error { font: 16px/1.5 system-ui, sans-serif; }
body.bindery-error li { font-family: ui-monospace, monospace; white-space: pre-wrap; margin: 0.5em 0; }
"""


@dataclass(frozen=True)
class Snapshot:
    """One rebuild of the book: its rendered documents, or the errors that stopped it."""

    version: str
    documents: dict[str, Document] = field(default_factory=dict)  # in reading order
    css: str = ""
    images: dict[str, Path] = field(default_factory=dict)  # URL path -> file in the book folder
    drawn: dict[str, Callable[[], CoverImage]] = field(default_factory=dict)  # URL path -> an image made on request (the generated cover)
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    seconds: float = 0.0
    built_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class RenderCache:
    """What a rebuild may reuse while no template file changed: the compiled templates and the drawn cover.

    Any change in the template folders (an edit, a new override) gives a new
    key, and both are made afresh; an article edit reuses them. Drawing the
    generated cover takes about a second, so after the first one it is drawn
    when the browser asks for it, not while the page waits to reload."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._templates: Templates | None = None
        self._covers: dict[str, CoverImage] = {}
        self._cover_name: str | None = None
        self._lock = threading.Lock()

    def _refresh(self, root: Path) -> None:
        dirs = [d for kind in ("ebook", "print") for d in template_dirs(root, kind)]
        files = sorted(p for d in dirs for p in d.rglob("*") if p.is_file())
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
        with self._lock:
            key = repr((self._key, book.metadata))
            if key not in self._covers:
                self._covers = {key: generated_cover(book)}
            return self._covers[key]


def render_snapshot(path: Path, version: str, cache: RenderCache | None = None) -> Snapshot:
    """Run the pipeline up to the EPUB renderer; never raises for a bad book."""
    started = time.perf_counter()
    stamp = time.strftime("%H:%M:%S")
    cache = cache or RenderCache()
    try:
        book, xrefs, warnings = load_book(path)
        templates = cache.templates(Path(book.root))
        cover_href = book.metadata.cover or cache.cover_name(book)
        rendering = render_ebook(book, xrefs, templates, cover_href=cover_href)
    except BinderyError as exc:
        return Snapshot(version, errors=exc.diagnostics, seconds=time.perf_counter() - started, built_at=stamp)
    except Exception as exc:  # noqa: BLE001 (a bug must not stop the server; the page says so)
        bug = Diagnostic(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="this is a bug in Bindery; run 'bindery build --debug' and report the output",
            code="internal",
        )
        return Snapshot(version, errors=(bug,), seconds=time.perf_counter() - started, built_at=stamp)
    root = Path(book.root).resolve()
    sources = {src for article in book.articles() for src in article.images}
    if book.metadata.cover:
        sources.add(book.metadata.cover)
    images = {src: (root / src).resolve() for src in sorted(sources)}
    images = {src: file for src, file in images.items() if root in file.parents}
    return Snapshot(
        version,
        documents={doc.name: doc for doc in rendering.documents},
        css=rendering.css,
        images=images,
        drawn={} if book.metadata.cover else {cover_href: functools.partial(cache.cover, book)},
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
        built_at=stamp,
    )


def live_tags(version: str) -> str:
    """The preview's stylesheet and live-reload script, for the page's head."""
    css = f'<link rel="stylesheet" type="text/css" href="/{ASSETS}/preview.css" />'
    script = f'<script src="/{ASSETS}/live.js" data-version="{html.escape(version)}"></script>'
    return f"{css}\n{script}\n"


def preview_page(snapshot: Snapshot, name: str) -> str | None:
    """A document of the snapshot with navigation and the live-reload script, or None."""
    doc = snapshot.documents.get(name)
    if doc is None:
        return None
    names = list(snapshot.documents)
    index = names.index(name)
    links = []
    if index > 0:
        prev = snapshot.documents[names[index - 1]]
        links.append(f'<a rel="prev" href="{prev.name}">← {html.escape(prev.title)}</a>')
    contents = next((d.name for d in snapshot.documents.values() if d.role == "toc"), None)
    neighbours = names[max(index - 1, 0) : index + 2]
    if contents and contents not in neighbours:
        links.append(f'<a href="{contents}">Contents</a>')
    if index + 1 < len(names):
        nxt = snapshot.documents[names[index + 1]]
        links.append(f'<a rel="next" href="{nxt.name}">{html.escape(nxt.title)} →</a>')
    warnings = f"{len(snapshot.warnings)} warning{'s' if len(snapshot.warnings) != 1 else ''}"
    listed = html.escape("\n".join(str(w) for w in snapshot.warnings), quote=True).replace("\n", "&#10;")
    status = f'<span class="status" title="{listed}">preview · rebuilt {snapshot.built_at} in {snapshot.seconds:.2f} s · {warnings}</span>'
    top = f'<nav class="bindery-preview" aria-label="Preview">{" ".join(links)} {status}</nav>\n'
    bottom = f'<nav class="bindery-preview bottom" aria-label="Preview pages">{" ".join(links)}</nav>\n'
    content = doc.content.replace("</head>", live_tags(snapshot.version) + "</head>", 1)
    content = BODY_OPEN.sub(lambda m: m.group(0) + "\n" + top, content, count=1)
    return content.replace("</body>", bottom + "</body>", 1)


def message_page(snapshot: Snapshot, heading: str, lead: str, items: list[str]) -> str:
    """A plain HTML page for errors and missing pages, which reloads like the others."""
    rows = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
        f"<title>{html.escape(heading)} · Bindery preview</title>\n{live_tags(snapshot.version)}</head>\n"
        f'<body class="bindery-error"><h1>{html.escape(heading)}</h1><p>{lead}</p><ul>{rows}</ul></body></html>\n'
    )


def error_page(snapshot: Snapshot) -> str:
    items = [f"error: {d}" if d.severity == "error" else str(d) for d in snapshot.errors]
    lead = f"Bindery could not build the book (checked at {snapshot.built_at}). Fix the problem and save: this page reloads by itself."
    return message_page(snapshot, "The book does not build", lead, items)


class PreviewSite:
    """The current snapshot, replaced whole on every rebuild; waiters are woken."""

    def __init__(self, path: Path, on_rebuild: Callable[[Snapshot], None] | None = None) -> None:
        self.manifest = find_manifest(path)  # no book at all: refuse to start (BinderyError)
        self.path = path
        self.root = self.manifest.parent.resolve()
        self.on_rebuild = on_rebuild
        self._token = format(time.time_ns() % 10**9, "x")  # page versions differ between server runs
        self._count = 0
        self._cache = RenderCache()
        self._changed = threading.Condition()
        self.stopped = False
        self.snapshot = self._render()

    def _render(self) -> Snapshot:
        self._count += 1
        snapshot = render_snapshot(self.path, f"{self._token}-{self._count}", self._cache)
        if self.on_rebuild is not None:
            self.on_rebuild(snapshot)
        return snapshot

    def rebuild(self) -> Snapshot:
        snapshot = self._render()
        with self._changed:
            self.snapshot = snapshot
            self._changed.notify_all()
        return snapshot

    def wait_for_change(self, seen: str | None, timeout: float) -> str:
        """The current version, once it differs from `seen` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self.stopped or self.snapshot.version != seen, timeout=timeout)
            return self.snapshot.version

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()

    def watched_paths(self) -> list[Path]:
        built_in = default_templates_dir().resolve() / "ebook"
        paths = [self.root]
        if self.root not in built_in.parents:
            paths.append(built_in)
        return paths


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "BinderyPreview"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        site = self.server.site
        snapshot = site.snapshot
        name = unquote(urlsplit(self.path).path).lstrip("/")
        if name == f"{ASSETS}/events":
            return self._events(site)
        if name == f"{ASSETS}/live.js":
            return self._send(200, "text/javascript; charset=utf-8", LIVE_JS)
        if name == f"{ASSETS}/preview.css":
            return self._send(200, "text/css; charset=utf-8", PREVIEW_CSS)
        if not snapshot.ok:
            if name.endswith(".css"):
                return self._send(200, "text/css; charset=utf-8", "")
            return self._send(200, "text/html; charset=utf-8", error_page(snapshot))
        if name == "":
            first = next(iter(snapshot.documents))
            self.send_response(302)
            self.send_header("Location", f"/{first}")
            self.end_headers()
            return None
        if name == "css/book.css":
            return self._send(200, "text/css; charset=utf-8", snapshot.css)
        page = preview_page(snapshot, name)
        if page is not None:
            return self._send(200, XHTML, page)
        if name in snapshot.drawn:
            try:
                image = snapshot.drawn[name]()
            except BinderyError as exc:
                return self._send(500, "text/plain; charset=utf-8", "\n".join(map(str, exc.diagnostics)))
            return self._send(200, image.media_type, image.data)
        if name in snapshot.images and snapshot.images[name].is_file():
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._send(200, kind, snapshot.images[name].read_bytes())
        lead = f'There is no page <code>{html.escape(name)}</code> in this book. <a href="/">Go to the start</a>.'
        return self._send(404, "text/html; charset=utf-8", message_page(snapshot, "Not found", lead, []))

    def _send(self, status: int, kind: str, body: str | bytes) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _events(self, site: PreviewSite) -> None:
        """Server-Sent Events: the current version now, then each new one."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen: str | None = None
        try:
            while not site.stopped:
                version = site.wait_for_change(seen, KEEPALIVE_SECONDS)
                self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": keep-alive\n\n")
                self.wfile.flush()
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Quiet: the command prints rebuilds, not every request."""


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server plus the watcher thread; `start()`, then `close()`."""

    daemon_threads = True

    def __init__(self, site: PreviewSite, port: int = 0, host: str = "127.0.0.1") -> None:
        try:
            super().__init__((host, port), PreviewHandler)
        except OSError as exc:
            raise BinderyError(
                Diagnostic(
                    f"cannot listen on {host}:{port}: {exc.strerror}",
                    hint="another program uses this port; try --port 0 to pick a free one",
                    code="serve-port",
                )
            ) from None
        self.site = site
        self._stop_watching = threading.Event()
        self._workers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        for target in (self.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True, name=f"bindery-preview-{target.__name__}")
            thread.start()
            self._workers.append(thread)

    def _watch(self) -> None:
        ignore = watchfiles.DefaultFilter(ignore_paths=[self.site.root / "output"])
        for _changes in watchfiles.watch(
            *self.site.watched_paths(), watch_filter=ignore, stop_event=self._stop_watching, debounce=400, step=50, raise_interrupt=False
        ):
            self.site.rebuild()

    def close(self) -> None:
        self.site.stop()
        self._stop_watching.set()
        if self._workers:
            self.shutdown()
        self.server_close()
        for thread in self._workers:
            thread.join(timeout=5)
