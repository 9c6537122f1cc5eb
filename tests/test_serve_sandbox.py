"""`bindery serve` is a sandbox for the book it shows.

Only loopback `Host` headers are answered; pages carry a Content-Security-Policy
that allows the reload client alone, every other response a `sandbox` policy;
only files the last build lists are served; a rebuild that hangs (a template
loop, with `--build-timeout 3`) or crashes (the worker's test hook
`BINDERY_PREVIEW_FAULT_FILE`) is stopped and reported above the last good build.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from serve_harness import (
    Server,
    book,
    raw_get,
    reading_server,
    running,
    start_server,
    stop_server,
    wait_for_page,
    write,
)

__all__ = ["book", "reading_server"]  # fixtures used by the tests below


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


PREVIEW_WORKER_IMPORTS = """
import sys
from pathlib import Path
from bindery.preview_worker import RebuildWorker
worker = RebuildWorker()
assert worker.run(("build", Path(sys.argv[1]), "1")).ok
worker.run(("cover", Path(sys.argv[1])))
maps = Path(f"/proc/{worker.pid}/maps").read_text()
print("pango" if "libpango" in maps else "no pango")
worker.stop()
"""


def test_the_preview_worker_starts_without_weasyprint(book: Path) -> None:
    """A preview renders the EPUB's documents and cover and never lays out: its worker is forked
    from a forkserver that imported the renderer, not WeasyPrint and Pango (`PREVIEW_MODULES`), so
    the first page comes sooner. A fresh process: a process has one forkserver, made by its first user."""
    run = subprocess.run([sys.executable, "-c", PREVIEW_WORKER_IMPORTS, str(book)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["no", "pango"]


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_a_browser_that_hangs_up_mid_response_prints_nothing_but_other_errors_do(capsys: pytest.CaptureFixture[str]) -> None:
    """A reload or a closed tab cuts the connection while a page is sent: no traceback in the terminal."""
    from bindery.preview import PreviewServer

    server = PreviewServer.__new__(PreviewServer)  # handle_error needs no socket
    for error in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "Connection reset by peer"), ValueError("a bug")):
        try:
            raise error
        except Exception:  # noqa: BLE001
            server.handle_error(None, ("127.0.0.1", 5000))  # type: ignore[arg-type]
    printed = capsys.readouterr().err
    assert printed.count("Traceback") == 1 and "ValueError: a bug" in printed and "Broken pipe" not in printed
