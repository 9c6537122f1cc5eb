"""`bindery serve`: the live preview, checked over HTTP and in a real headless browser.

The server runs as the real command (`python -m bindery serve --port 0`) in a
subprocess and is stopped with Ctrl+C (SIGINT) after each test. The browser
tests drive Debian's chromium with Playwright; they skip when chromium is
absent on a developer's machine and fail in CI, where `.ci/run` installs it.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bindery.pipeline import build
from conftest import BOOKS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RELOAD_SECONDS = 5.0  # the issue asks for about one second; the test allows for a busy machine and reports the figure


@dataclass
class Server:
    url: str
    book: Path
    process: subprocess.Popen[str]
    lines: queue.Queue[str]
    reader: threading.Thread

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8", "replace")


def start_server(book: Path) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bindery", "serve", str(book), "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()
    deadline = time.monotonic() + 30
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        if "http://" in line:
            url = line[line.index("http://") :].split()[0]
            return Server(url, book, process, lines, reader)
    process.kill()
    process.wait()
    reader.join(timeout=5)
    process.stdout.close()  # type: ignore[union-attr]
    raise AssertionError(f"bindery serve did not print its URL: {''.join(seen)}")


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise AssertionError("bindery serve did not stop within 10 s of Ctrl+C") from None
    finally:
        server.reader.join(timeout=5)
        server.process.stdout.close()  # type: ignore[union-attr]
    assert server.process.returncode == 0, "bindery serve should stop cleanly on Ctrl+C"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BOOKS / "preview", tmp_path / "book"))


@pytest.fixture
def server(book: Path) -> Iterator[Server]:
    """A server of its own, for a test that edits the book."""
    running = start_server(book)
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def reading_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that only read pages."""
    running = start_server(Path(shutil.copytree(BOOKS / "preview", tmp_path_factory.mktemp("preview") / "book")))
    yield running
    stop_server(running)


def without_preview(xhtml: str) -> str:
    """The document in canonical form, less the preview's navigation, stylesheet and script.

    Print page markers (doc-pagebreak), which the EPUB builder adds after the
    PDF layout, are left out too: the preview does not lay out pages."""
    root = ET.fromstring(xhtml.encode("utf-8"))
    for parent in root.iter():
        for child in list(parent):
            if "bindery" in child.get("class", "") + child.get("href", "") + child.get("src", "") or child.get("role") == "doc-pagebreak":
                parent.remove(child)
    return ET.canonicalize(ET.tostring(root, encoding="unicode"), strip_text=True)


def write(path: Path, text: str) -> None:
    """Save a file in place, as an editor does (the watcher sees a modification)."""
    path.write_text(text, encoding="utf-8")


# -- over HTTP -----------------------------------------------------------


def test_pages_are_the_epub_documents_plus_navigation(reading_server: Server, tmp_path: Path) -> None:
    server = reading_server
    built = build(server.book, ("epub",), tmp_path / "out")
    with zipfile.ZipFile(built.artifacts[0].path) as z:
        epub_chapter = z.read("OEBPS/chapter-1.xhtml").decode("utf-8")
        epub_css = z.read("OEBPS/css/book.css").decode("utf-8")
        epub_text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert "<script" not in epub_text and "_bindery" not in epub_text  # the preview's additions stay out of the EPUB

    status, kind, page = server.get("chapter-1.xhtml")
    assert status == 200 and kind.startswith("application/xhtml+xml")
    ET.fromstring(page.encode("utf-8"))  # still well-formed XHTML after the injection
    assert without_preview(page) == without_preview(epub_chapter)  # apart from what the preview adds, the EPUB's own document
    assert 'rel="next" href="chapter-2.xhtml"' in page and 'href="nav.xhtml"' in page
    assert 'href="chapter-2.xhtml#harbour"' in page  # the cross-reference, resolved as in the EPUB
    assert server.get("css/book.css")[2] == epub_css
    status, kind, _ = server.get("images/lantern.png")
    assert (status, kind) == (200, "image/png")


def test_the_start_page_and_unknown_paths(reading_server: Server) -> None:
    server = reading_server
    status, _, page = server.get("/")
    assert status == 200 and "<title>Cover</title>" in page and 'rel="next" href="titlepage.xhtml"' in page  # the first page of the EPUB
    cover = re.search(r'src="([^"]+\.png)"', page)
    assert cover and server.get(cover.group(1))[:2] == (200, "image/png")  # the generated cover, as in the EPUB
    for path in ("book.yaml", "chapters/lanterns.md", "../../etc/passwd", "%2e%2e/book.yaml"):
        status, _, page = server.get(path)
        assert status == 404 and "Not found" in page, path


def test_a_broken_manifest_is_shown_and_the_server_keeps_running(book: Path) -> None:
    manifest = book / "book.yaml"
    write(manifest, manifest.read_text() + "chapters: [oops\n")
    running = start_server(book)
    try:
        status, _, page = running.get("chapter-1.xhtml")
        assert status == 200 and "The book does not build" in page and "book.yaml:" in page
        assert "Traceback" not in page
        write(manifest, (BOOKS / "preview" / "book.yaml").read_text())
        deadline = time.monotonic() + RELOAD_SECONDS
        while "The book does not build" in page and time.monotonic() < deadline:
            time.sleep(0.1)
            page = running.get("chapter-1.xhtml")[2]
        assert "lamplighter" in page
        assert running.process.poll() is None
    finally:
        stop_server(running)


def test_no_book_folder_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bindery", "serve", str(tmp_path), "--port", "0", "--no-open"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "no book.yaml in this folder" in done.stderr and "bindery new" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_a_clear_error(reading_server: Server) -> None:
    port = reading_server.url.rstrip("/").rsplit(":", 1)[1]
    command = [sys.executable, "-m", "bindery", "serve", str(reading_server.book), "--port", port, "--no-open"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port 0" in done.stderr and "Traceback" not in done.stderr


# -- in a real browser -----------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [] if CHROMIUM.exists() else [f"chromium ({CHROMIUM})"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        message = f"the live-reload browser test needs {' and '.join(missing)}; scripts/install-system-deps.sh installs chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def wait_for_text(page: Any, text: str) -> float:
    """Seconds until `text` shows in the page's body, without any reload by the test."""
    started = time.monotonic()
    page.wait_for_function("t => document.body && document.body.textContent.includes(t)", arg=text, timeout=RELOAD_SECONDS * 1000)
    return time.monotonic() - started


def test_saving_an_article_reloads_the_open_page(server: Server, browser: Any) -> None:
    page = browser.new_page()
    page.goto(server.url + "chapter-1.xhtml")
    assert "lamplighter" in page.inner_text("body")
    assert page.locator("nav.bindery-preview a[rel=next]").first.get_attribute("href") == "chapter-2.xhtml"
    page.wait_for_function("() => window.binderyLive === true", timeout=10_000)  # listening for rebuilds

    article = server.book / "chapters" / "lanterns.md"
    write(article, article.read_text().replace("an hour before dusk", "at the first bell of the evening watch"))
    seconds = wait_for_text(page, "first bell of the evening watch")
    print(f"article saved -> page reloaded in {seconds:.2f} s")
    assert "an hour before dusk" not in page.inner_text("body")

    override = server.book / "templates" / "ebook" / "chapter.xhtml.j2"
    override.parent.mkdir(parents=True)
    built_in = Path(__file__).resolve().parents[1] / "templates" / "ebook" / "chapter.xhtml.j2"
    write(override, built_in.read_text().replace("{% block content %}", '{% block content %}<p class="stamp">Proof copy</p>', 1))
    seconds = wait_for_text(page, "Proof copy")
    print(f"template saved -> page reloaded in {seconds:.2f} s")
    page.close()


def test_a_manifest_error_shows_in_the_page_and_fixing_it_recovers(server: Server, browser: Any) -> None:
    page = browser.new_page()
    page.goto(server.url + "chapter-2.xhtml")
    page.wait_for_function("() => window.binderyLive === true", timeout=10_000)  # listening for rebuilds
    manifest = server.book / "book.yaml"
    good = manifest.read_text()
    write(manifest, good.replace("chapters/harbour.md", "chapters/harbor.md"))
    wait_for_text(page, "The book does not build")
    body = page.inner_text("body")
    assert "book.yaml:" in body and "chapters/harbor.md" in body and "harbour.md" in body  # where, what, and the near miss
    write(manifest, good.replace("Preview Test Book", "Preview Test Book, Revised"))
    wait_for_text(page, "brown ink")
    assert page.title() == "The Harbour Ledger"
    assert server.process.poll() is None
    page.close()
