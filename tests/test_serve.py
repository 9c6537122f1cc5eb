"""`bindery serve`: the live preview, checked over HTTP and in a real headless browser.

The server runs as the real command (`python -m bindery serve --port 0`) in a
subprocess and is stopped with Ctrl+C (SIGINT) after each test. The sandbox
tests send foreign `Host` headers, read the security headers, and make a
rebuild hang (a template loop, with `--build-timeout 3`) or crash (the worker's
test hook `BINDERY_PREVIEW_FAULT_FILE`). The browser
tests drive Debian's chromium with Playwright; they skip when chromium is
absent on a developer's machine and fail in CI, where `.ci/run` installs it.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
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
    startup: str = ""  # what it printed before its URL (the first build's line)

    def get(self, path: str) -> tuple[int, str, str]:
        status, headers, body = self.request(path)
        return status, headers["Content-Type"], body

    def request(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        """Status, headers and body of a GET (the Host header may be replaced)."""
        request = urllib.request.Request(self.url + path.lstrip("/"), headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def output_until(self, text: str, seconds: float) -> str:
        """What the server printed, up to the first line containing `text` (AssertionError after `seconds`)."""
        seen = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return "".join(seen)
        raise AssertionError(f"the server did not print {text!r} within {seconds} s; it printed: {''.join(seen)}")


def start_server(book: Path, *options: str, env: dict[str, str] | None = None) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "bindery", "serve", str(book), "--port", "0", "--no-open", *options],
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
            return Server(url, book, process, lines, reader, "".join(seen))
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
    printed = "".join(server.lines.get() for _ in range(server.lines.qsize()))
    assert "Traceback" not in printed, printed  # neither the server nor its worker process


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


def test_the_log_line_says_what_it_counts(reading_server: Server) -> None:
    assert re.search(r"rebuilt in [\d.]+ s: 6 XHTML documents \(the EPUB's content files\), 0 warnings", reading_server.startup), (
        reading_server.startup
    )


# -- the preview is a sandbox ------------------------------------------------


def raw_get(port: int, head: str) -> str:
    """The status line of a hand-written request (to send any Host header, or none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET /chapter-1.xhtml HTTP/1.0\r\n{head}\r\n".encode())
        return conn.makefile("rb").readline().decode("latin-1").strip()


def test_only_loopback_host_headers_are_answered(reading_server: Server) -> None:
    port = reading_server.port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        status, _, page = reading_server.request("chapter-1.xhtml", {"Host": host})
        assert status == 200 and "lamplighter" in page, host
    for host in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}", "localhost", f"127.0.0.1:{port + 1}"):
        status, headers, page = reading_server.request("chapter-1.xhtml", {"Host": host})
        assert status == 421 and "lamplighter" not in page and "only requests to http://127.0.0.1" in page, host
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert raw_get(port, "") == "HTTP/1.0 400 Bad Request"  # no Host at all
    assert raw_get(port, f"Host: evil.example:{port}\r\n") == "HTTP/1.0 421 Misdirected Request"
    assert raw_get(port, f"Host: localhost:{port}\r\n") == "HTTP/1.0 200 OK"


def test_pages_allow_only_the_reload_script(reading_server: Server) -> None:
    for path, status in (("chapter-1.xhtml", 200), ("nav.xhtml", 200), ("no-such-page.xhtml", 404)):
        code, headers, page = reading_server.request(path)
        assert code == status
        policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        nonce = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{16,})'", policy["script-src"])
        assert nonce, policy  # one nonce, no 'self', no 'unsafe-inline', no host
        assert policy["default-src"] == "'none'" and policy["base-uri"] == "'none'" and policy["frame-ancestors"] == "'none'"
        assert "'self'" == policy["connect-src"] and "http" not in headers["Content-Security-Policy"]
        scripts = re.findall(r"<script\b[^>]*>", page)
        assert scripts == [
            f'<script src="/_bindery/live.js" nonce="{nonce.group(1)}" data-version="{scripts[0].split("data-version=")[1][1:-2]}">'
        ]
        assert headers["X-Content-Type-Options"] == "nosniff"
    first = reading_server.request("chapter-1.xhtml")[1]["Content-Security-Policy"]
    assert first != reading_server.request("chapter-1.xhtml")[1]["Content-Security-Policy"]  # a new nonce for every response


def test_images_and_other_files_are_sandboxed_documents(reading_server: Server) -> None:
    for path in ("images/lantern.png", "css/book.css", "_bindery/live.js", "_bindery/preview.css"):
        status, headers, _ = reading_server.request(path)
        assert status == 200, path
        policy = headers["Content-Security-Policy"]
        assert "sandbox" in policy.split("; ") and "script-src" not in policy and policy.startswith("default-src 'none'"), path
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_only_files_the_book_lists_are_served(book: Path) -> None:
    (book / ".env").write_text("SECRET=1\n")
    (book / ".git").mkdir()
    (book / ".git" / "config").write_text("[core]\n")
    (book / "images" / "unused.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (book / "images" / "linked.png").symlink_to(book / ".env")
    running = start_server(book)
    try:
        for path in (".env", ".git/config", "images/unused.svg", "images/linked.png", "book.yaml", "chapters/harbour.md", "images/"):
            status, headers, page = running.request(path)
            assert status == 404 and "SECRET" not in page and "<svg" not in page, path
        assert running.get("images/lantern.png")[:2] == (200, "image/png")
    finally:
        stop_server(running)


HANG = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


def wait_for_page(server: Server, path: str, text: str, seconds: float = RELOAD_SECONDS, absent: str | None = None) -> str:
    """The page once it shows `text` (and no longer shows `absent`)."""
    deadline = time.monotonic() + seconds
    page = ""
    while time.monotonic() < deadline:
        page = server.get(path)[2]
        if text in page and (absent is None or absent not in page):
            return page
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {path} (or {absent!r} still in it) within {seconds} s:\n{page}")


def test_a_hung_rebuild_is_stopped_and_the_last_good_build_stays(book: Path) -> None:
    override = book / "templates" / "ebook" / "chapter.xhtml.j2"
    override.parent.mkdir(parents=True)  # before the server starts: a file saved in a new folder at once may go unseen
    running = start_server(book, "--build-timeout", "3")
    try:
        built_in = Path(__file__).resolve().parents[1] / "templates" / "ebook" / "chapter.xhtml.j2"
        write(override, built_in.read_text().replace("{% block content %}", "{% block content %}" + HANG, 1))
        saved = time.monotonic()
        time.sleep(1.0)  # the rebuild has started and hangs
        asked = time.monotonic()
        status, _, page = running.get("chapter-1.xhtml")
        assert status == 200 and "lamplighter" in page and time.monotonic() - asked < 2.0  # answered at once, from the last build
        printed = running.output_until("did not finish", 15)
        assert "the rebuild did not finish within 3 s and was stopped" in printed
        page = wait_for_page(running, "chapter-1.xhtml", "The book does not build")
        print(f"hung rebuild stopped after {time.monotonic() - saved:.1f} s")
        assert "did not finish within 3 s" in page and "last good build" in page and "lamplighter" in page
        assert "Traceback" not in page and running.process.poll() is None

        override.unlink()  # the next save rebuilds, in a new worker
        running.output_until("rebuilt in", 30)
        page = wait_for_page(running, "chapter-1.xhtml", "lamplighter", absent="does not build")
        assert "bindery-failed" not in page
    finally:
        stop_server(running)


def test_a_crashed_rebuild_is_reported_and_the_next_save_recovers(book: Path, tmp_path: Path) -> None:
    fault = tmp_path / "fault"
    running = start_server(book, "--build-timeout", "5", env={"BINDERY_PREVIEW_FAULT_FILE": str(fault)})
    try:
        article = book / "chapters" / "lanterns.md"
        fault.write_text("crash")
        write(article, article.read_text().replace("an hour before dusk", "at the first bell"))
        assert "the rebuild crashed (the worker process ended with code 3)" in running.output_until("crashed", 15)
        page = wait_for_page(running, "chapter-1.xhtml", "The book does not build")
        assert "an hour before dusk" in page  # the last good build
        fault.unlink()
        write(article, article.read_text().replace("at the first bell", "at the second bell"))
        running.output_until("rebuilt in", 30)
        page = wait_for_page(running, "chapter-1.xhtml", "at the second bell", absent="does not build")
        assert "does not build" not in page and running.process.poll() is None
    finally:
        stop_server(running)


def test_ctrl_c_during_a_hung_first_build_stops_server_and_worker(book: Path, tmp_path: Path) -> None:
    fault = tmp_path / "fault"
    fault.write_text("hang")
    env = {**os.environ, "BINDERY_PREVIEW_FAULT_FILE": str(fault)}
    command = [sys.executable, "-m", "bindery", "serve", str(book), "--port", "0", "--no-open", "--build-timeout", "60"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    hanging = tmp_path / "fault.hanging"
    deadline = time.monotonic() + 30
    while not hanging.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert hanging.exists(), "the worker never started the first build"
    time.sleep(0.2)
    worker = int(hanging.read_text())
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 130 and "Traceback" not in output, output
    deadline = time.monotonic() + 10
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(worker), "the worker outlived the server"


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (Linux /proc)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


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


def test_the_policy_blocks_a_script_the_page_did_not_bring(reading_server: Server, browser: Any) -> None:
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(reading_server.url + "chapter-1.xhtml")
    page.wait_for_function("() => window.binderyLive === true", timeout=10_000)  # the reload client runs (its nonce)
    page.evaluate(
        """() => {
        const s = document.createElementNS("http://www.w3.org/1999/xhtml", "script");
        s.textContent = "window.injected = true";
        document.head.appendChild(s);
        const a = document.createElementNS("http://www.w3.org/1999/xhtml", "a");
        a.setAttribute("href", "javascript:window.clicked = true");
        document.body.appendChild(a);
        a.click();
    }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => [window.injected, window.clicked]") == [None, None]
    assert any("Content Security Policy" in m for m in console)
    page.close()


def test_an_svg_opened_from_the_preview_runs_no_script(book: Path, browser: Any) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>document.title = "ran"</script><rect width="10" height="10"/></svg>'
    (book / "images" / "mark.svg").write_text(svg)
    article = book / "chapters" / "lanterns.md"
    write(article, article.read_text() + "\n![A mark](../images/mark.svg)\n")
    running = start_server(book)
    try:
        status, headers, _ = running.request("images/mark.svg")
        if status == 200:  # served (the build may also clean or refuse such a file): then as a sandboxed document
            assert headers["Content-Type"] == "image/svg+xml" and "sandbox" in headers["Content-Security-Policy"].split("; ")
            page = browser.new_page()
            page.goto(running.url + "images/mark.svg")
            page.wait_for_timeout(300)
            assert page.title() != "ran"  # checked to fail when the policy allows scripts
            page.close()
    finally:
        stop_server(running)


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
    page.wait_for_function("() => !document.body.textContent.includes('does not build')", timeout=RELOAD_SECONDS * 1000)
    assert "brown ink" in page.inner_text("body") and page.title() == "The Harbour Ledger"
    assert server.process.poll() is None
    page.close()
