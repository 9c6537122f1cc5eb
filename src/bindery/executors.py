"""Where a build's jobs run: in this process, a local process pool, or a Dask cluster.

Every job Bindery hands out (a chunk of a book's layout, a whole book of a
catalog) is a plain top-level function of picklable inputs, submitted to a
`concurrent.futures.Executor`; this module picks that executor from
`--jobs N` and `--scheduler tcp://HOST:PORT`, and adapts one to the layout
stage's `ChunkRunner` (see docs/ARCHITECTURE.md, "Chunked print layout").
Dask is an optional extra (`pip install 'bindery-books[dask]'`), imported
only when a scheduler is named.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from types import FrameType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from bindery.diagnostics import BinderyError, Diagnostic

if TYPE_CHECKING:
    from bindery.layout_chunks import ChunkJob, ChunkResult

P = ParamSpec("P")
T = TypeVar("T")

#: How long `--scheduler` waits for the scheduler to answer before giving up.
CONNECT_TIMEOUT = 5.0
#: How often a pool worker checks that the build that started it is still running.
PARENT_CHECK_SECONDS = 0.5
DASK_EXTRA = "pip install 'bindery-books[dask]'"
SCHEDULER_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):[0-9]{1,5}$")


class InProcessExecutor(Executor):
    """`--jobs 1`: every job runs at once, in this process, when it is submitted."""

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if self._shutdown:
            raise RuntimeError("cannot schedule new jobs after shutdown")
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 (handed to the caller through the future, as a pool would)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True


#: What a forkserver imports once, before it forks any worker: each worker then starts with Bindery
#: and WeasyPrint imported (about 1 s of CPU a worker otherwise), for the lanes' and the pool's jobs.
#: Importing runs no thread and lays nothing out, so forking after it is clean; `worker_start`
#: comes first, so that Ctrl-C during the imports ends the forkserver quietly. A process has one
#: forkserver: the first to start it decides what it imports.
WORKER_MODULES = ("bindery.worker_start", "bindery.layout_chunks", "bindery.catalog")


def worker_context(modules: tuple[str, ...] = WORKER_MODULES) -> Any:
    """The multiprocessing context workers start from: "forkserver" (POSIX), preloading `modules`,
    else "spawn"."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(modules))
        return context
    return multiprocessing.get_context("spawn")


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that start from a fresh interpreter.

    The start method is chosen deliberately: never "fork". A forked child
    inherits a copy of the parent's memory but only the thread that forked, so
    a lock held at that moment by another thread (the progress display, a
    Dask client's event loop, GLib/fontconfig state WeasyPrint's Pango has
    set up) stays locked forever in the child, and Pango/GLib are documented
    as unsafe to use after fork. "forkserver" (POSIX) forks each worker from a
    small single-threaded server process that has only imported Bindery and
    WeasyPrint (`WORKER_MODULES`: no thread started, no font loaded, nothing
    laid out), so workers start quickly and clean; "spawn" (Windows) starts a
    new interpreter, which imports them itself. A worker then runs many jobs.
    """
    context = worker_context()
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=leave_with, initargs=(os.getpid(),))


def leave_with(build: int) -> None:
    """A pool worker's first step: it leaves as soon as the build process `build` is gone.

    A build that is killed (SIGKILL, a crash) never shuts its pool down, and a worker waiting
    for its next job would wait forever, holding the build's terminal and pipes open.
    Ctrl-C reaches the worker too (one process group): it ends the job at hand quietly, its
    `finally` blocks run, and an idle worker leaves without a traceback; the build process
    says "interrupted" once (`interrupts`) and ends the pool."""
    signal.signal(signal.SIGINT, _quit_quietly)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(build, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # another user's process took the number: ours is gone
                os._exit(1)

    threading.Thread(target=watch, name="bindery-leave-with-build", daemon=True).start()


_interrupted = False  # this worker got Ctrl-C


def _quit_quietly(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    _interrupted = True
    _stop()


def refuse_after_interrupt() -> None:
    """A pool job's first step: once its worker got Ctrl-C, the jobs the pool had already handed
    it (a pool queues one more than it has workers; those cannot be cancelled) end at once
    instead of running while the build stops."""
    if _interrupted:
        _stop()


def _stop() -> None:
    from bindery.interrupts import INTERRUPTED_EXIT  # here: importing it sets a SIGINT handler of its own

    raise SystemExit(INTERRUPTED_EXIT)  # multiprocessing ends a process on SystemExit without a traceback


class DaskExecutor(Executor):
    """A Dask client's executor that also closes the client when it is shut down."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._inner: Executor = client.get_executor(pure=False)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._inner.submit(fn, *args, **kwargs)

    def map(self, fn: Callable[..., T], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1) -> Iterator[T]:
        return self._inner.map(fn, *iterables, timeout=timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self._inner.shutdown(wait=wait)
        finally:
            self.client.close()


def check_scheduler_address(address: str) -> None:
    """Refuse anything but `tcp://HOST:PORT` (or `tls://`) before Dask is asked to connect."""
    if not SCHEDULER_ADDRESS.match(address):
        raise BinderyError(
            Diagnostic(
                f"--scheduler {address!r} is not a scheduler address",
                hint="give the Dask scheduler as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786",
                code="scheduler-address",
            )
        )


def dask_executor(address: str, connect_timeout: float = CONNECT_TIMEOUT) -> DaskExecutor:
    """A client of the Dask scheduler at `address`, as an executor; a clear error when Dask is
    missing or the scheduler does not answer within `connect_timeout` seconds."""
    check_scheduler_address(address)
    try:
        from distributed import Client
    except ImportError:
        raise BinderyError(
            Diagnostic(
                "--scheduler needs Dask's distributed scheduler, which is not installed",
                hint=f"install the extra: {DASK_EXTRA}",
                code="dask-missing",
            )
        ) from None
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BinderyError(
            Diagnostic(
                f"cannot reach the Dask scheduler at {address}: {reason}",
                hint="start it (dask scheduler, then dask worker ADDRESS on each machine), check the host and port, or build without --scheduler",
                code="scheduler-unreachable",
            )
        ) from None
    try:
        client.wait_for_workers(1, timeout=connect_timeout)
    except (OSError, TimeoutError):
        client.close()  # type: ignore[no-untyped-call]
        raise BinderyError(
            Diagnostic(
                f"the Dask scheduler at {address} has no workers (none joined within {connect_timeout:g} s)",
                hint=f"start at least one: dask worker {address}",
                code="scheduler-no-workers",
            )
        ) from None
    return DaskExecutor(client)


def make_executor(jobs: int, scheduler: str | None = None) -> Executor:
    """The executor for `--jobs N` / `--scheduler ADDRESS`: a Dask client when a scheduler is
    named (its workers decide the parallelism), else a process pool of `jobs` workers, else
    (`jobs == 1`) this process. The caller shuts it down (`with make_executor(...) as ex:`)."""
    if scheduler is not None:
        return dask_executor(scheduler)
    if jobs < 1:
        raise BinderyError(
            Diagnostic(f"--jobs {jobs}: give 1 or more", hint="--jobs 1 builds in this process, one job after another", code="jobs")
        )
    return InProcessExecutor() if jobs == 1 else process_pool(jobs)


ChunkRunnerType = Callable[[Sequence["ChunkJob"]], list["ChunkResult"]]


def executor_runner(
    executor: Executor, lay_out: Callable[[ChunkJob], ChunkResult] | None = None, batch_size: int | None = None
) -> ChunkRunnerType:
    """A `ChunkRunner` that lays the chunks out on `executor`, results in job order.

    `lay_out` is `layout_chunks.lay_out_chunk` unless given (tests pass a stand-in); it must be
    a top-level function, since a process pool or a Dask worker receives it by name.
    `batch_size`: how many jobs the layout stage hands it at once, one per worker (the next
    chunks in reading order: the first has its exact offset, the others a guess that is
    mostly right), or None for a whole round at once (every later chunk's offset a guess,
    so most are laid out again; for a cluster of unknown size). On the sample and long
    books, one per worker lays out a third fewer chunks (`chunked_layout._round`)."""

    def run(jobs: Sequence[ChunkJob]) -> list[ChunkResult]:
        if lay_out is not None:
            return list(executor.map(lay_out, jobs))
        from bindery.layout_chunks import lay_out_chunk  # the layout stage's module, loaded when used

        return list(executor.map(lay_out_chunk, jobs))

    if batch_size is not None:
        run.batch_size = batch_size  # type: ignore[attr-defined]  # read by chunked_layout
    run.spawns_workers = not isinstance(executor, InProcessExecutor)  # type: ignore[attr-defined]  # read by pipeline.build
    return run


def local_runner() -> ChunkRunnerType:
    """A `ChunkRunner` that lays the chunks out here, one after another (`layout_chunks.serial_runner`:
    the layout stage then picks the order, so most chunks are laid out once). WeasyPrint is loaded
    only when a layout runs, so an EPUB-only `--no-page-list` build never imports it."""

    def run(jobs: Sequence[ChunkJob]) -> list[ChunkResult]:
        from bindery.layout_chunks import serial_runner

        return serial_runner(jobs)

    run.batch_size = 1  # type: ignore[attr-defined]  # one job at a time, like serial_runner
    return run
