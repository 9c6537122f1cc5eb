"""Nothing lost: a build that fails or is killed leaves output/ as it was.

The kill test runs `python -m bindery build` on a copy of a small book in a
subprocess, SIGKILLs it while the PDF is being laid out (as the layout starts,
and a second into it, where a probe holds the build between layout and writing),
and checks that the previous EPUB and PDF are byte-identical and that nothing
else appeared under output/. The probe makes the book's size irrelevant: a
small book keeps the three builds (two killed, one finished) quick.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bindery.build_cache import CACHE_DIR_NAME
from bindery.builders.pdf import PdfBuilder
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.outputs import remove_stale_partials
from bindery.pipeline import build as build_book
from conftest import BOOKS, EPOCH
from conftest import build_book as conftest_build


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != CACHE_DIR_NAME}


# Put on PYTHONPATH for the killed builds only: it reports on stderr when
# WeasyPrint starts and ends a layout, so the test knows when to kill.
LAYOUT_PROBE = """
import os
import sys
import time
import weasyprint

_render = weasyprint.HTML.render


def render(self, *args, **kwargs):
    sys.stderr.write("LAYOUT-START\\n")
    sys.stderr.flush()
    document = _render(self, *args, **kwargs)
    sys.stderr.write("LAYOUT-END\\n")
    sys.stderr.flush()
    if os.environ.get("BINDERY_TEST_HOLD"):
        # Stay between layout and writing, so a kill always lands mid-build,
        # however fast or loaded the machine is.
        time.sleep(600)
    return document


weasyprint.HTML.render = render
"""


def run_build(book: Path, probe: Path | None = None, hold: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    if hold:
        env["BINDERY_TEST_HOLD"] = "1"
    if probe is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(probe), *filter(None, [os.environ.get("PYTHONPATH")])])
    command = [sys.executable, "-m", "bindery", "build", str(book)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def minimal_book(tmp_path: Path) -> Path:
    book = tmp_path / "minimal"
    shutil.copytree(BOOKS / "minimal", book)
    return book


def build_book_outputs(book: Path, out: Path) -> list[Path]:
    """The EPUB and the PDF of `book`, built in this process under SOURCE_DATE_EPOCH."""
    built = conftest_build(book, out)
    assert built.epub is not None and built.pdf is not None
    return [built.epub, built.pdf]


class Watched:
    """A build in a subprocess whose stderr lines are collected as they come."""

    def __init__(self, book: Path, probe: Path, hold: bool = False) -> None:
        self.proc = run_build(book, probe, hold)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace").strip())

    def kill_during_layout(self, delay: float, timeout: float = 300) -> None:
        """SIGKILL the build `delay` seconds after the probe reports that the layout began."""
        deadline = time.monotonic() + timeout
        while "LAYOUT-START" not in self.lines:
            assert self.proc.poll() is None and time.monotonic() < deadline, f"no layout began: {self.lines}"
            time.sleep(0.01)
        time.sleep(delay)
        # Still laying out, or held between layout and writing: either way mid-build.
        assert self.proc.poll() is None, f"the build ended before the kill: {self.lines}"
        os.kill(self.proc.pid, signal.SIGKILL)

    def finish(self) -> int:
        code = self.proc.wait(timeout=600)
        self.reader.join(timeout=10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code


@pytest.mark.slow
def test_sigkill_mid_build_leaves_previous_outputs_untouched(tmp_path: Path) -> None:
    book = minimal_book(tmp_path)
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(LAYOUT_PROBE)
    # The previous outputs: a finished build of the book (built here, without the
    # subprocess; a finished build by the command is checked at the end of the test).
    output = book / "output"
    output.mkdir()
    previous = build_book_outputs(book, tmp_path / "previous")
    for built in previous:
        shutil.copy2(built, output / built.name)
    before = snapshot(output)
    assert sorted(before) == ["a-minimal-book.epub", "a-minimal-book.pdf"], sorted(before)

    # Change the book, so that a finished build would write different files.
    article = next(iter(sorted((book / "chapters").glob("*.md"))))
    changed = article.read_text(encoding="utf-8") + "\nOne more paragraph that the killed build never writes out.\n"
    article.write_text(changed, encoding="utf-8")

    # Kill twice while WeasyPrint lays the PDF out: as it starts, and a second into it
    # (or, on a fast machine, held by the probe after the layout, with nothing written).
    for delay in (0.0, 1.0):
        build = Watched(book, probe, hold=True)
        try:
            build.kill_during_layout(delay)
        finally:
            if build.proc.poll() is None:
                build.proc.kill()
        assert build.finish() == -signal.SIGKILL
        after = snapshot(output)
        assert sorted(after) == sorted(before), f"files appeared or vanished under output/: {sorted(after)}"
        for name, data in before.items():
            assert after[name] == data, f"{name} changed after a killed build"

    # Not killed, the same build does replace both files.
    done = Watched(book, probe)
    assert done.finish() == 0, done.lines
    assert "LAYOUT-START" in done.lines and "LAYOUT-END" in done.lines, done.lines  # the probe saw this build's layout
    final = snapshot(output)
    assert sorted(final) == sorted(before)
    assert all(final[name] != before[name] for name in before)


def test_a_failing_builder_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book = minimal_book(tmp_path)
    out = tmp_path / "out"
    build_book(book, ("epub",), out)
    before = snapshot(out)
    (book / "chapters" / "only.md").write_text((book / "chapters" / "only.md").read_text() + "\nA changed ending.\n")

    def broken(self: PdfBuilder) -> None:
        raise BinderyError(Diagnostic("layout failed on purpose", code="test"))

    monkeypatch.setattr(PdfBuilder, "build", broken)
    with pytest.raises(BinderyError):
        build_book(book, ("epub", "pdf"), out)
    assert snapshot(out) == before


def test_stale_partial_files_of_a_killed_build_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book = minimal_book(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    # A process id that is not running: what SIGKILL during a write leaves behind.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / f".a-minimal-book.epub.{dead.pid}.k2j4x9.partial"
    stale.write_bytes(b"PK\x03\x04 half an archive")
    live = out / f".a-minimal-book.pdf.{os.getppid()}.abcd12.partial"  # a build still running elsewhere
    live.write_bytes(b"%PDF-1.7 still being written")
    build_book(book, ("epub",), out)
    names = sorted(p.name for p in out.iterdir())
    assert stale.name not in names
    assert live.name in names  # never pull a file from under a running build
    assert "a-minimal-book.epub" in names


def test_remove_stale_partials_leaves_other_files_alone(tmp_path: Path) -> None:
    keep = [tmp_path / "notes.partial", tmp_path / ".hidden", tmp_path / "book.epub"]
    for path in keep:
        path.write_text("x")
    assert remove_stale_partials(tmp_path) == []
    assert all(p.exists() for p in keep)
