"""`bindery serve`: the live preview, checked over HTTP and in a real headless browser.

See `serve_harness` for how the server and the browser are run; the
preview's sandbox (Host check, CSP, hung and crashed rebuilds) is tested in
`test_serve_sandbox.py`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bindery.pipeline import build
from conftest import BOOKS
from serve_harness import RELOAD_SECONDS, Server, book, reading_server, server, start_server, stop_server, wait_for_text, write

__all__ = ["book", "reading_server", "server"]  # fixtures used by the tests below


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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_port_in_use_is_a_clear_error(reading_server: Server) -> None:
    port = reading_server.url.rstrip("/").rsplit(":", 1)[1]
    command = [sys.executable, "-m", "bindery", "serve", str(reading_server.book), "--port", port, "--no-open"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port 0" in done.stderr and "Traceback" not in done.stderr


def test_the_log_line_says_what_it_counts(reading_server: Server) -> None:
    assert re.search(r"rebuilt in [\d.]+ s: 6 XHTML documents \(the EPUB's content files\), 0 warnings", reading_server.startup), (
        reading_server.startup
    )


def test_saving_an_article_reloads_the_open_page(server: Server, browser: Any) -> None:
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
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
    assert not [m for m in console if "Content Security Policy" in m]  # the policy blocks nothing the book or the preview needs
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
    assert "brown ink" in body and "last good build" in body  # the errors above the last good build of this page
    write(manifest, good.replace("Preview Test Book", "Preview Test Book, Revised"))
    page.wait_for_function(
        "() => document.body !== null && !document.body.textContent.includes('does not build')", timeout=RELOAD_SECONDS * 1000
    )
    assert "brown ink" in page.inner_text("body") and page.title() == "The Harbour Ledger"
    assert server.process.poll() is None
    page.close()


def test_the_navigation_bar_fits_a_narrow_window(reading_server: Server, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.goto(reading_server.url + "chapter-2.xhtml")
    page.screenshot(path=str(tmp_path / "narrow.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # nothing runs off the side
    boxes = page.eval_on_selector_all("nav.bindery-preview:not(.bottom) a", "links => links.map(a => a.getBoundingClientRect().toJSON())")
    assert len(boxes) == 2
    for box in boxes:
        assert (
            box["left"] >= 0 and box["right"] <= 360 and box["height"] < 30
        )  # each link on one line, cut short with an ellipsis when too long
    page.close()
