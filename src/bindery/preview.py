"""The live preview behind `bindery serve`: the EPUB's own documents, in a browser.

The preview runs the first four stages and the EPUB renderer (`render.render_ebook`), so pages
use the same templates and cross-references as the EPUB. Each XHTML document is served as a page
(plus the book's CSS and images); chapter navigation and a small live-reload script are injected
into the served copy only, never into the EPUB.

A watcher (watchfiles) follows the book folder and the built-in template folder; every change
rebuilds a `Snapshot` in a worker process (`preview_worker.RebuildWorker`, with a timeout), and
the open pages are told over Server-Sent Events to reload. A build that fails, hangs or crashes
is a snapshot too: its diagnostics are shown above the last good build (or alone when there is
none), and the server keeps running.

The preview is a sandbox for the book's content: it answers only requests whose `Host` is this
loopback address (no DNS rebinding), serves only what the last build lists (its documents, CSS
and images; never `book.yaml`, `.env` or `.git`), and sends every page with a
Content-Security-Policy that allows one script, the reload client (by a nonce per response), and
every other response (images, SVG included) with a `sandbox` policy that runs no script.
"""

from __future__ import annotations

import html
import mimetypes
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles

from bindery.builders.cover_image import CoverImage
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest.load import find_manifest
from bindery.preview_assets import LIVE_JS, PREVIEW_CSS
from bindery.preview_worker import DEFAULT_TIMEOUT, RebuildWorker, Snapshot, WorkerFailed, failed
from bindery.templating import SHARED, default_templates_dir

ASSETS = "_bindery"  # URL folder of the preview's own files; no book document is named so
XHTML = "application/xhtml+xml; charset=utf-8"
BODY_OPEN = re.compile(r"<body\b[^>]*>")
KEEPALIVE_SECONDS = 15.0
WATCH_START_SECONDS = 10.0  # how long `start` waits for the watcher to follow the folders
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")  # the only Host headers answered (with the port)
# Pages: one script, the reload client, by a nonce per response; no inline script or event handler,
# no plugin, no frame, nothing fetched from anywhere but this server.
PAGE_CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Everything else (images, SVG, CSS): opened on its own, it is a sandboxed document that runs no script.
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self'; sandbox"


def live_tags(version: str, nonce: str) -> str:
    """The preview's stylesheet and live-reload script, for the page's head."""
    css = f'<meta name="viewport" class="bindery-preview" content="width=device-width, initial-scale=1" />\n<link rel="stylesheet" type="text/css" href="/{ASSETS}/preview.css" />'
    script = f'<script src="/{ASSETS}/live.js" nonce="{nonce}" data-version="{html.escape(version)}"></script>'
    return f"{css}\n{script}\n"


def failure_panel(failure: Snapshot, shown: Snapshot) -> str:
    """The errors of the latest rebuild, above the last good build's page."""
    items = "".join(f"<li>{html.escape(f'error: {d}')}</li>" for d in failure.errors)
    return (
        '<section class="bindery-failed" role="alert" aria-label="Build errors">'
        f"<p><strong>The book does not build</strong> (checked at {failure.built_at}). "
        f"Below is the last good build, from {shown.built_at}. Fix the problem and save: this page reloads by itself.</p>"
        f"<ul>{items}</ul></section>\n"
    )


def preview_page(snapshot: Snapshot, name: str, nonce: str, failure: Snapshot | None = None) -> str | None:
    """A document of the snapshot with navigation and the live-reload script, or None.

    `failure`, when the latest rebuild failed: its errors are shown above this (last good) page."""
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
    state = f"build failed at {failure.built_at}" if failure else f"rebuilt {snapshot.built_at} in {snapshot.seconds:.2f} s · {warnings}"
    status = f'<span class="status" title="{listed}">preview · {state}</span>'
    top = f'<nav class="bindery-preview" aria-label="Preview">{" ".join(links)} {status}</nav>\n'
    if failure is not None:
        top += failure_panel(failure, snapshot)
    bottom = f'<nav class="bindery-preview bottom" aria-label="Preview pages">{" ".join(links)}</nav>\n'
    version = (failure or snapshot).version
    content = doc.content.replace("</head>", live_tags(version, nonce) + "</head>", 1)
    content = BODY_OPEN.sub(lambda m: m.group(0) + "\n" + top, content, count=1)
    return content.replace("</body>", bottom + "</body>", 1)


def message_page(version: str, nonce: str, heading: str, lead: str, items: list[str]) -> str:
    """A plain HTML page for errors and missing pages, which reloads like the others."""
    rows = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
        f"<title>{html.escape(heading)} · Bindery preview</title>\n{live_tags(version, nonce)}</head>\n"
        f'<body class="bindery-error"><h1>{html.escape(heading)}</h1><p>{lead}</p><ul>{rows}</ul></body></html>\n'
    )


def error_page(snapshot: Snapshot, nonce: str) -> str:
    """The page for a book that has not built once since the server started."""
    items = [f"error: {d}" if d.severity == "error" else str(d) for d in snapshot.errors]
    lead = f"Bindery could not build the book (checked at {snapshot.built_at}). Fix the problem and save: this page reloads by itself."
    return message_page(snapshot.version, nonce, "The book does not build", lead, items)


class PreviewSite:
    """The latest snapshot and the last good one, replaced on every rebuild; waiters are woken.

    Rebuilds run in a `RebuildWorker` process: one that takes longer than
    `timeout` seconds, or crashes, becomes a failed snapshot."""

    def __init__(self, path: Path, on_rebuild: Callable[[Snapshot], None] | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.manifest = find_manifest(path)  # no book at all: refuse to start (BinderyError)
        self.path = path
        self.root = self.manifest.parent.resolve()
        self.on_rebuild = on_rebuild
        self._token = format(time.time_ns() % 10**9, "x")  # page versions differ between server runs
        self._count = 0
        self._changed = threading.Condition()
        self._covers: dict[tuple[str, str], CoverImage] = {}
        self.worker = RebuildWorker(timeout)
        self.stopped = False
        self.good: Snapshot | None = None
        self.snapshot = self.rebuild()

    def _render(self) -> Snapshot:
        self._count += 1
        version = f"{self._token}-{self._count}"
        started = time.perf_counter()
        try:
            snapshot: Snapshot = self.worker.run(("build", self.path, version))
        except WorkerFailed as exc:
            snapshot = failed(version, started, exc.diagnostic)
        if self.on_rebuild is not None and not self.stopped:  # a rebuild cut short by Ctrl+C is not news
            self.on_rebuild(snapshot)
        return snapshot

    def rebuild(self) -> Snapshot:
        snapshot = self._render()
        with self._changed:
            self.snapshot = snapshot
            if snapshot.ok:
                self.good = snapshot
            self._changed.notify_all()
        return snapshot

    def draw(self, snapshot: Snapshot, name: str) -> CoverImage:
        """An image the worker draws (the generated cover); BinderyError when it cannot."""
        key = (snapshot.version, name)
        if key not in self._covers:
            try:
                answer = self.worker.run(("cover", self.path))
            except WorkerFailed as exc:
                raise BinderyError(exc.diagnostic) from None
            if isinstance(answer, BinderyError):
                raise answer
            self._covers = {key: answer}
        return self._covers[key]

    def wait_for_change(self, seen: str | None, timeout: float) -> str:
        """The current version, once it differs from `seen` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self.stopped or self.snapshot.version != seen, timeout=timeout)
            return self.snapshot.version

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()
        self.worker.stop()

    def watched_paths(self) -> list[Path]:
        paths = [self.root]
        for built_in in (default_templates_dir().resolve() / kind for kind in ("ebook", SHARED)):
            if self.root not in built_in.parents:
                paths.append(built_in)
        return paths


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "BinderyPreview"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self._loopback_host():
            return None
        site = self.server.site
        latest = site.snapshot
        shown = latest if latest.ok else site.good  # the build whose pages are served
        nonce = secrets.token_urlsafe(16)
        name = unquote(urlsplit(self.path).path).lstrip("/")
        if name == f"{ASSETS}/events":
            return self._events(site)
        if name == f"{ASSETS}/live.js":
            return self._send(200, "text/javascript; charset=utf-8", LIVE_JS)
        if name == f"{ASSETS}/preview.css":
            return self._send(200, "text/css; charset=utf-8", PREVIEW_CSS)
        if shown is None:
            if name.endswith(".css"):
                return self._send(200, "text/css; charset=utf-8", "")
            return self._send(200, "text/html; charset=utf-8", error_page(latest, nonce), PAGE_CSP.format(nonce=nonce))
        if name == "":
            self.send_response(302)
            self.send_header("Location", f"/{next(iter(shown.documents))}")
            self._security_headers(ASSET_CSP)
            self.end_headers()
            return None
        return self._book_file(site, shown, latest, name, nonce)

    def _book_file(self, site: PreviewSite, shown: Snapshot, latest: Snapshot, name: str, nonce: str) -> None:
        """Answer a request for a page, an image or the stylesheet of the build `shown`, or 404."""
        if name == "css/book.css":
            return self._send(200, "text/css; charset=utf-8", shown.css)
        page = preview_page(shown, name, nonce, None if latest.ok else latest)
        if page is not None:
            return self._send(200, XHTML, page, PAGE_CSP.format(nonce=nonce))
        if name in shown.drawn:
            try:
                image = site.draw(shown, name)
            except BinderyError as exc:
                return self._send(500, "text/plain; charset=utf-8", "\n".join(map(str, exc.diagnostics)))
            return self._send(200, image.media_type, image.data)
        file = shown.images.get(name)
        if file is not None and file.is_file() and file.resolve() == file and site.root in file.parents:
            return self._send(200, mimetypes.guess_type(name)[0] or "application/octet-stream", file.read_bytes())
        lead = f'There is no page <code>{html.escape(name)}</code> in this book. <a href="/">Go to the start</a>.'
        page = message_page(latest.version, nonce, "Not found", lead, [])
        return self._send(404, "text/html; charset=utf-8", page, PAGE_CSP.format(nonce=nonce))

    def _loopback_host(self) -> bool:
        """True for a request to this server by a loopback name; else it is answered 400 or 421 here."""
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        allowed = {f"{name}:{port}" for name in LOOPBACK_NAMES} | (set(LOOPBACK_NAMES) if port == 80 else set())
        if host in allowed and self.path.startswith("/"):
            return True
        status = 400 if not host else 421
        text = f"This is Bindery's preview; it answers only requests to http://127.0.0.1:{port}/ or http://localhost:{port}/.\n"
        self._send(status, "text/plain; charset=utf-8", text)
        return False

    def _security_headers(self, csp: str) -> None:
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")

    def _send(self, status: int, kind: str, body: str | bytes, csp: str = ASSET_CSP) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self._security_headers(csp)
        self.end_headers()
        self.wfile.write(data)

    def _events(self, site: PreviewSite) -> None:
        """Server-Sent Events: the current version now, then each new one."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self._security_headers(ASSET_CSP)
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
        self._watching = threading.Event()
        self._workers: list[threading.Thread] = []

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that hangs up while a page is sent (a reload, a closed tab) is no error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        """Serve and watch; returns once the watcher follows the folders, so no save is missed."""
        for target in (self.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True, name=f"bindery-preview-{target.__name__}")
            thread.start()
            self._workers.append(thread)
        self._watching.wait(timeout=WATCH_START_SECONDS)

    def _watch(self) -> None:
        ignore = watchfiles.DefaultFilter(ignore_paths=[self.site.root / "output"])
        for changes in watchfiles.watch(
            *self.site.watched_paths(),
            watch_filter=ignore,
            stop_event=self._stop_watching,
            debounce=400,
            step=50,
            rust_timeout=250,
            yield_on_timeout=True,  # an empty set now and then: the first one says the watcher is running
            raise_interrupt=False,
        ):
            self._watching.set()
            if changes:
                self.site.rebuild()

    def close(self) -> None:
        self.site.stop()
        self._stop_watching.set()
        if self._workers:
            self.shutdown()
        self.server_close()
        for thread in self._workers:
            thread.join(timeout=5)
