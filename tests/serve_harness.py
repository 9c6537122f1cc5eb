"""What the `bindery serve` tests share: the server as a real subprocess, and headless chromium.

The server runs as the real command (`python -m bindery serve --port 0`) in a
subprocess and is stopped with Ctrl+C (SIGINT) after each test. The browser
tests drive Debian's chromium with Playwright; they skip when chromium is
absent on a developer's machine and fail in CI, where `.ci/run` installs it.
Test modules import the fixtures they use from here; the browser is conftest's `browser`
(one for the test process), which launches it with `launched_browser`.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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


def launched_browser() -> Iterator[Any]:
    """Headless chromium driven by Playwright (conftest's `browser`: one for the test process), or
    skip (fail in CI) when chromium or Playwright is missing."""
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


def write(path: Path, text: str) -> None:
    """Save a file in place, as an editor does (the watcher sees a modification)."""
    path.write_text(text, encoding="utf-8")


def wait_for_text(page: Any, text: str) -> float:
    """Seconds until `text` shows in the page's body, without any reload by the test."""
    started = time.monotonic()
    page.wait_for_function("t => document.body && document.body.textContent.includes(t)", arg=text, timeout=RELOAD_SECONDS * 1000)
    return time.monotonic() - started


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


def raw_get(port: int, head: str) -> str:
    """The status line of a hand-written request (to send any Host header, or none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET /chapter-1.xhtml HTTP/1.0\r\n{head}\r\n".encode())
        return conn.makefile("rb").readline().decode("latin-1").strip()


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (Linux /proc)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
