"""`--jobs N` for one book: each chunk laid out in the same lane (process) every round (`layout_lanes`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest

import bindery.layout_chunks
from bindery.chunk_numbers import Kept
from bindery.executors import InProcessExecutor
from bindery.layout import lay_out_print
from bindery.layout_chunks import serial_runner
from bindery.layout_lanes import LaneRunner
from bindery.pipeline import load_book
from bindery.templating import Templates
from conftest import BOOKS, EPOCH, generated_book
from test_chunk_numbers import _calls, _job, _renders

P = ParamSpec("P")
T = TypeVar("T")


class OwnLane(InProcessExecutor):
    """A lane in this process with kept layouts of its own, as a lane's worker process has."""

    def __init__(self) -> None:
        super().__init__()
        self.kept = Kept()
        self.chunks: set[int] = set()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        self.chunks.update(job.index for job in args if isinstance(job, bindery.layout_chunks.ChunkJob))
        saved, bindery.layout_chunks.KEPT = bindery.layout_chunks.KEPT, self.kept
        try:
            return super().submit(fn, *args, **kwargs)
        finally:
            bindery.layout_chunks.KEPT = saved


def _xref_book() -> tuple[object, object, Templates]:
    loaded = load_book(BOOKS / "xref")  # chapters whose cross-references point forward: guessed, then renumbered
    return loaded.book, loaded.xrefs, Templates(Path(loaded.book.root), "print")


def test_a_chunks_later_jobs_go_to_the_lane_that_laid_it_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Six chunks, then each again with another page number in another order: every second job
    lands where the first was laid out (no chunk in two lanes), so it is renumbered, not laid out."""
    renders = _renders(monkeypatch)
    lanes = [OwnLane(), OwnLane()]
    runner = LaneRunner(2, iter(lanes).__next__)
    runner([replace(_job("12"), index=k) for k in range(6)])
    again = runner([replace(_job("47"), index=k) for k in (5, 2, 4, 0, 3, 1)])
    assert len(renders) == 6 and not lanes[0].chunks & lanes[1].chunks
    assert [r.page_count for r in again] == [2] * 6 and all(r.deferred for r in again)


def test_each_lane_renumbers_the_chunks_it_laid_out_and_writes_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two lanes, each with its own kept layouts: a chunk's second job (other page numbers) finds
    its layout in its lane, so fewer layouts than jobs; each chunk's PDF is written once, by its
    lane; the chunk PDFs are serial_runner's; and both lanes are emptied when the stage ends."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book, xrefs, templates = _xref_book()
    serial = lay_out_print(book, xrefs, templates, serial_runner)  # type: ignore[arg-type]
    jobs, layouts, writes = (_calls(monkeypatch, name) for name in ("lay_out_chunk", "_lay_out", "_write"))
    lanes = [OwnLane(), OwnLane()]
    runner = LaneRunner(2, iter(lanes).__next__)
    laid = lay_out_print(book, xrefs, templates, runner)  # type: ignore[arg-type]
    chunks = {job.index for job in jobs}  # type: ignore[attr-defined]
    assert len(jobs) > len(chunks) and len(layouts) < len(jobs) and len(writes) == len(chunks)
    assert lanes[0].chunks and lanes[1].chunks and not lanes[0].chunks & lanes[1].chunks  # a chunk stays in its lane
    assert [c.pdf for c in laid.chunks] == [c.pdf for c in serial.chunks] and laid.page_map == serial.page_map
    assert lanes[0]._shutdown and lanes[1]._shutdown  # the stage ended them, and what they kept


def test_two_lanes_of_worker_processes_give_the_serial_layout_and_end_with_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real thing: two worker processes, the same chunk PDFs as one process; the processes
    (and the layouts they kept) end when the layout stage does, before the PDF is joined."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book, xrefs, templates = _xref_book()
    serial = lay_out_print(book, xrefs, templates, serial_runner)  # type: ignore[arg-type]
    workers: set[int] = set()

    class Watched(LaneRunner):
        def __call__(self, jobs):  # type: ignore[no-untyped-def]
            results = super().__call__(jobs)
            workers.update(self.process_ids())
            return results

    with Watched(2) as runner:
        laid = lay_out_print(book, xrefs, templates, runner)  # type: ignore[arg-type]
        assert len(workers) == 2 and not [pid for pid in workers if _running(pid)]
    assert [c.pdf for c in laid.chunks] == [c.pdf for c in serial.chunks] and laid.page_map == serial.page_map


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended


def test_ctrl_c_while_lanes_lay_out_says_interrupted_once_and_leaves_nothing(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the build says "interrupted" once, with no
    traceback from a lane's worker (busy or idle), writes nothing and leaves no process behind.
    A generated book of fifteen articles: large enough to be laid out in lanes
    (`pipeline.IN_PROCESS_BELOW_CHARS`)."""
    book = generated_book(15, tmp_path / "book")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    command = [
        sys.executable,
        "-m",
        "bindery",
        "build",
        str(book),
        "--format",
        "pdf",
        "--jobs",
        "2",
        "--no-cache",
        "-o",
        str(tmp_path / "out"),
    ]
    build = subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(_busy(build.pid)) < 2 and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert build.poll() is None, "the build ended before its lanes were laying chapters out"
        members = _group(build.pid)
        os.killpg(build.pid, signal.SIGINT)
        _, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 130 and stderr == "interrupted; nothing was written\n"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    deadline = time.monotonic() + 10
    while [pid for pid in members if _running(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in members if _running(pid)]


def _busy(leader: int) -> list[int]:
    """The lanes of the build's group that have used half a second of CPU laying chapters out.
    A lane is forked by the forkserver, which imported Bindery and WeasyPrint for it
    (`executors.WORKER_MODULES`), so its CPU is its work; the forkserver and the resource
    tracker are the build's own children and are not counted."""
    tick = os.sysconf("SC_CLK_TCK")
    return [
        pid
        for pid, fields in _group(leader).items()
        if pid != leader and int(fields[1]) != leader and (int(fields[11]) + int(fields[12])) / tick >= 0.5
    ]


def _group(leader: int) -> dict[int, list[str]]:
    """The live processes of the process group `leader` leads (the build and what it started),
    with their /proc stat fields."""
    members = {int(entry.name): _stat(int(entry.name)) for entry in Path("/proc").iterdir() if entry.name.isdigit()}
    return {pid: fields for pid, fields in members.items() if fields is not None and int(fields[2]) == leader and fields[0] != "Z"}


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state, ppid, pgrp, ...; utime is [11]), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def test_lanes_carry_on_across_a_gutter_band_and_give_the_serial_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A print book that runs past its gutter band is laid out again in the next band by the same
    lanes (each chunk's old layout replaced as it is laid out again), with the serial bytes.
    The short print book, with the first band ending at 4 pages and the next one's gutter wider
    than the design's inside margin."""
    import bindery.chunked_layout
    import bindery.pipeline
    import bindery.printspec

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(bindery.pipeline, "IN_PROCESS_BELOW_CHARS", 0)  # the short book counts as large: it goes to the lanes
    monkeypatch.setattr(bindery.printspec, "GUTTER_BANDS", ((4, 0.375), (bindery.printspec.MAX_PAGES, 1.0)))  # wider than the design's
    monkeypatch.setattr(bindery.chunked_layout, "MIN_PAGES", 1)  # the first layout's band: the first one
    gutters: list[float] = []
    gutter_for = bindery.printspec.gutter_for
    monkeypatch.setattr(bindery.printspec, "gutter_for", lambda pages: gutters.append(gutter_for(pages)) or gutters[-1])
    loaded = load_book(BOOKS / "short-print")
    templates = Templates(Path(loaded.book.root), "print")
    serial = lay_out_print(loaded.book, loaded.xrefs, templates, serial_runner)
    assert len(set(gutters)) == 2  # the book moved to the second band, and its inside margin with it
    made: list[OwnLane] = []

    def make_lane() -> OwnLane:
        made.append(OwnLane())
        return made[-1]

    laid = lay_out_print(loaded.book, loaded.xrefs, templates, LaneRunner(2, make_lane))
    assert len(made) == 2 and all(lane._shutdown for lane in made)  # the same two lanes throughout, ended with the stage
    assert [c.pdf for c in laid.chunks] == [c.pdf for c in serial.chunks] and laid.page_map == serial.page_map


def test_lanes_write_a_deferred_result_from_the_cache_before_any_layout_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm build can read every job back from the build cache, one of them a deferred result
    (stored before its PDF was written): the lanes start to write it, laying it out afresh."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    job = replace(_job("12"), index=1)
    deferred = bindery.layout_chunks.lay_out_chunk(job, Kept(), defer_pdf=True)
    assert deferred.deferred
    with LaneRunner(2, OwnLane) as runner:
        [written] = runner.finish([(job, deferred)])
    assert written == bindery.layout_chunks.lay_out_chunk(job)
