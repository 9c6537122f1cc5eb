"""Where jobs run (`--jobs`, `--scheduler`) and catalogs of books: same bytes everywhere.

Books are small (tests/books/short-print and copies of it) so the process pool
and the two-worker LocalCluster stay within seconds.
"""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pytest
from click.testing import CliRunner

from bindery import executors
from bindery.catalog import BookJob, BookOutcome, build_book_job, diagnostics, output_folders, run_catalog
from bindery.cli import main
from bindery.diagnostics import BinderyError
from bindery.executors import InProcessExecutor, executor_runner, local_runner, make_executor, process_pool
from bindery.pipeline import build
from conftest import BOOKS, EPOCH

P = ParamSpec("P")
T = TypeVar("T")


def square(n: int) -> int:
    """A stand-in job: top-level, so a process pool receives it by name."""
    return n * n


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


@pytest.fixture()
def epoch(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return EPOCH


def catalog(tmp_path: Path, names: tuple[str, ...] = ("one", "two")) -> list[Path]:
    """Copies of the short print book, each with its own title (so their outputs differ)."""
    books = []
    for name in names:
        book = tmp_path / name
        shutil.copytree(BOOKS / "short-print", book)
        manifest = book / "book.yaml"
        manifest.write_text(manifest.read_text().replace("title: A Short Print Run", f"title: A Short Print Run, {name}"))
        books.append(book)
    return books


def plain_build(book: Path, out: Path) -> dict[str, bytes]:
    """The book built here, its chunks laid out one after another (what `--jobs 1` does)."""
    result = build(book, ("epub", "pdf"), out, runner=local_runner())
    return {a.path.name: a.data for a in result.artifacts}


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != ".bindery-cache"}  # the outputs, not the cache


# --- the executors ------------------------------------------------------------------------


def test_the_in_process_executor_runs_each_job_when_submitted_and_hands_back_its_exception() -> None:
    with make_executor(1) as executor:
        assert isinstance(executor, InProcessExecutor)
        assert executor.submit(square, 7).result() == 49
        failed = executor.submit(fail_on_three, 3)
        assert isinstance(failed.exception(), ValueError)
        assert list(executor.map(square, [1, 2, 3])) == [1, 4, 9]
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(square, 1)


def test_jobs_above_one_make_a_process_pool_that_never_forks() -> None:
    with make_executor(2) as executor:
        assert executor._mp_context.get_start_method() in ("forkserver", "spawn")  # type: ignore[attr-defined]
        assert executor._max_workers == 2  # type: ignore[attr-defined]


def test_make_executor_refuses_fewer_than_one_job() -> None:
    with pytest.raises(BinderyError, match=r"--jobs 0: give 1 or more") as caught:
        make_executor(0)
    assert caught.value.diagnostics[0].code == "jobs"


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_chunk_runner_returns_results_in_job_order(jobs: int) -> None:
    with make_executor(jobs) as executor:
        run = executor_runner(executor, square)  # type: ignore[arg-type]
        assert run(list(range(8))) == [n * n for n in range(8)]  # type: ignore[arg-type]


# --- one book as a job --------------------------------------------------------------------


def test_a_book_built_as_a_job_in_a_pool_or_in_process_equals_the_plain_build(tmp_path: Path, epoch: str) -> None:
    [book] = catalog(tmp_path, ("one",))
    expected = plain_build(book, tmp_path / "plain")
    job = BookJob(str(book), ("epub", "pdf"), source_date_epoch=epoch, cwd=os.getcwd())
    with process_pool(2) as pool:
        pooled = pool.submit(build_book_job, job).result()
    in_process = build_book_job(job)
    for outcome in (pooled, in_process):
        assert outcome.ok, outcome.errors
        assert {name: data for name, data, _pages in outcome.files} == expected
        assert [d.code for d in diagnostics(outcome.warnings)] == ["pdf-page-count"]
    assert len(expected) == 3


def test_the_job_builds_with_the_clients_source_date_epoch_not_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [book] = catalog(tmp_path, ("one",))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    expected = plain_build(book, tmp_path / "plain")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")  # the worker's own clock differs
    outcome = build_book_job(BookJob(str(book), ("epub", "pdf"), source_date_epoch=EPOCH))
    assert {name: data for name, data, _pages in outcome.files} == expected
    assert os.environ["SOURCE_DATE_EPOCH"] == "1500000000"  # the worker's environment is restored
    other = build_book_job(BookJob(str(book), ("epub",), source_date_epoch="1500000000"))
    assert dict((n, d) for n, d, _p in other.files)["a-short-print-run-one.epub"] != expected["a-short-print-run-one.epub"]


def test_a_broken_book_as_a_job_returns_its_errors_as_plain_data(tmp_path: Path) -> None:
    (tmp_path / "book.yaml").write_text("title: [\n")
    outcome = build_book_job(BookJob(str(tmp_path), ("epub",), cwd=str(tmp_path)))
    assert not outcome.ok and outcome.files == ()
    [error] = diagnostics(outcome.errors)
    assert error.code == "yaml-syntax" and error.file == "book.yaml"


def test_one_book_built_with_a_process_pool_or_in_process_equals_the_plain_build(tmp_path: Path, epoch: str) -> None:
    """One book: the executor goes to pipeline.build for the chunked layout; same bytes either way."""
    [book] = catalog(tmp_path, ("one",))
    expected = plain_build(book, tmp_path / "plain")
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["build", str(book), "--jobs", jobs, "-o", str(tmp_path / jobs)])
        assert result.exit_code == 0, result.output
        assert files_in(tmp_path / jobs) == expected


# --- catalogs on the command line ---------------------------------------------------------


def test_a_catalog_built_with_two_jobs_equals_the_serial_builds_byte_for_byte(tmp_path: Path, epoch: str) -> None:
    books = catalog(tmp_path, ("one", "two", "three"))
    serial = CliRunner().invoke(main, ["build", *map(str, books), "--jobs", "1", "-o", str(tmp_path / "serial")])
    assert serial.exit_code == 0, serial.output
    pooled = CliRunner().invoke(main, ["build", *map(str, books), "--jobs", "2", "-o", str(tmp_path / "pooled")])
    assert pooled.exit_code == 0, pooled.output
    for book in books:
        serial_files = files_in(tmp_path / "serial" / book.name)
        assert len(serial_files) == 3 and files_in(tmp_path / "pooled" / book.name) == serial_files
        assert f"Built “A Short Print Run, {book.name}” ({book})" in pooled.output
    assert pooled.output.index("one") < pooled.output.index("two") < pooled.output.index("three")  # reported in catalog order


def test_a_broken_book_is_named_and_the_others_are_built(tmp_path: Path, epoch: str) -> None:
    one, two = catalog(tmp_path, ("one", "two"))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "book.yaml").write_text("title: [\n")
    result = CliRunner().invoke(main, ["build", str(one), str(broken), str(two), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert f"error: {broken}: not built" in result.output
    assert "book.yaml:2: invalid YAML" in result.output
    assert f"1 of 3 books failed: {broken}; the others were built" in result.output
    assert len(files_in(one / "output")) == 3 and len(files_in(two / "output")) == 3
    assert not (broken / "output").exists()
    assert "Traceback" not in result.output


def test_without_a_book_the_current_folder_is_built(tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    [book] = catalog(tmp_path, ("one",))
    monkeypatch.chdir(book)
    result = CliRunner().invoke(main, ["build", "--format", "epub", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (book / "output").iterdir() if p.name != ".bindery-cache"] == ["a-short-print-run-one.epub"]


def test_a_bad_ignore_code_is_reported_once_for_the_catalog(tmp_path: Path) -> None:
    books = catalog(tmp_path, ("one", "two"))
    result = CliRunner().invoke(main, ["build", *map(str, books), "--ignore", "no-such-code", "--jobs", "1"])
    assert result.exit_code == 1
    assert result.output.count("--ignore: 'no-such-code' is not a diagnostic code") == 1
    assert not (books[0] / "output").exists()


@pytest.mark.parametrize("value", ["0", "-3"])
def test_jobs_below_one_is_refused_with_a_clear_error(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--jobs", value, "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert f"Invalid value for '--jobs' / '-j': {value} is not a number of processes; give 1" in result.output
    assert list(tmp_path.iterdir()) == []


def test_two_books_that_would_share_an_output_folder_are_refused(tmp_path: Path) -> None:
    [one] = catalog(tmp_path, ("one",))
    with pytest.raises(BinderyError, match="would be written to one output folder") as caught:
        output_folders([one, one / "book.yaml"], None)
    assert caught.value.diagnostics[0].code == "catalog-output"
    assert output_folders([one], tmp_path / "out") == [tmp_path / "out" / "one"]


class FailingExecutor(Executor):
    """An executor whose workers all die: every future fails."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        future.set_exception(OSError("the worker process was killed"))
        return future


def test_a_worker_that_dies_fails_its_book_by_name_not_the_catalog(tmp_path: Path) -> None:
    [one] = catalog(tmp_path, ("one",))
    reported: list[BookOutcome] = []
    outcomes = run_catalog(FailingExecutor(), [BookJob(str(one), ("epub",))], [tmp_path / "out"], lambda o, _f: reported.append(o))
    assert reported == outcomes
    [error] = diagnostics(outcomes[0].errors)
    assert error.code == "catalog-worker" and "the worker process was killed" in error.message and error.file is not None
    assert not (tmp_path / "out").exists()


# --- Dask ---------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def connect_timeout(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """`--scheduler` waits `seconds` (not the product's 5 s) for the scheduler and its workers.

    The waiting is all these tests would spend their time on; they check what happens
    when the wait runs out, and the product's own bound is checked to be seconds too."""
    default = inspect.signature(executors.dask_executor).parameters["connect_timeout"].default
    assert default == executors.CONNECT_TIMEOUT <= 10
    monkeypatch.setattr(executors, "dask_executor", functools.partial(executors.dask_executor, connect_timeout=seconds))


def test_an_unreachable_scheduler_is_a_clear_error_within_seconds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    connect_timeout(monkeypatch, 1.0)
    address = f"tcp://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--scheduler", address, "-o", str(tmp_path)])
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert f"cannot reach the Dask scheduler at {address}" in result.output and "[scheduler-unreachable]" in result.output
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


def test_a_scheduler_that_is_no_address_is_refused_before_connecting(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--scheduler", "localhost:8786", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "--scheduler 'localhost:8786' is not a scheduler address" in result.output and "tcp://HOST:PORT" in result.output


def test_without_dask_the_scheduler_option_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # import distributed -> ImportError
    result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--scheduler", "tcp://127.0.0.1:8786", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "pip install 'bindery-books[dask]'" in result.output and "[dask-missing]" in result.output


def test_a_scheduler_without_workers_is_a_clear_error_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    connect_timeout(monkeypatch, 2.0)  # time enough to reach the live scheduler on a busy machine
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0") as empty:
        started = time.monotonic()
        result = CliRunner().invoke(main, ["build", str(BOOKS / "minimal"), "--scheduler", empty.scheduler_address, "-o", str(tmp_path)])
        assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert (
        f"the Dask scheduler at {empty.scheduler_address} has no workers (none joined within 2 s)" in result.output
        and "[scheduler-no-workers]" in result.output
    )


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    import dask

    with (
        dask.config.set({"distributed.worker.profile.enabled": False}),  # as the README says to start Bindery's workers
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
    ):
        yield cluster


def test_a_catalog_on_a_two_worker_local_cluster_equals_the_local_build(tmp_path: Path, epoch: str, local_cluster: Any) -> None:
    books = catalog(tmp_path, ("one", "two"))
    result = CliRunner().invoke(
        main, ["build", *map(str, books), "--scheduler", local_cluster.scheduler_address, "-o", str(tmp_path / "dask")]
    )
    assert result.exit_code == 0, result.output
    for book in books:
        assert files_in(tmp_path / "dask" / book.name) == plain_build(book, tmp_path / "plain" / book.name)


POOL_THEN_WAIT = """
import time
from bindery.executors import process_pool

if __name__ == "__main__":
    pool = process_pool(2)
    for future in [pool.submit(time.sleep, 0.2) for _ in range(2)]:
        future.result()
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(600)
"""


def test_pool_workers_leave_when_the_build_is_killed(tmp_path: Path) -> None:
    """A killed build (SIGKILL: no shutdown) leaves no worker behind holding its pipes open."""
    script = tmp_path / "pool.py"
    script.write_text(POOL_THEN_WAIT)
    build = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    workers = [int(pid) for pid in build.stdout.readline().split()]
    assert len(workers) == 2 and all(alive(pid) for pid in workers)
    build.kill()
    build.wait(timeout=10)
    build.stdout.close()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "a pool worker outlived the killed build"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "?"
    return state != "Z"  # a zombie has left; only its exit status waits to be read


class CountingExecutor(Executor):
    """An executor that runs each job at once here and counts them (it is not InProcessExecutor,
    so a runner on it counts as one that starts workers)."""

    def __init__(self) -> None:
        self.jobs = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        self.jobs += 1
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_a_small_book_is_laid_out_here_even_with_jobs(tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting pool workers costs more than laying out a few pages: such a book never reaches the
    executor, and a larger one does, with the same PDF."""
    import bindery.pipeline

    small = CountingExecutor()
    here = build(BOOKS / "short-print", ("pdf",), tmp_path / "here", runner=executor_runner(small, batch_size=2), cache=False)
    assert small.jobs == 0
    monkeypatch.setattr(bindery.pipeline, "IN_PROCESS_BELOW_CHARS", 0)  # now the same book counts as large
    large = CountingExecutor()
    pooled = build(BOOKS / "short-print", ("pdf",), tmp_path / "pooled", runner=executor_runner(large, batch_size=2), cache=False)
    assert large.jobs >= 2  # one job per chunk at least (front matter, chapter)
    assert [a.data for a in pooled.artifacts] == [a.data for a in here.artifacts]


def test_after_ctrl_c_a_worker_runs_none_of_the_books_it_was_handed(tmp_path: Path, epoch: str) -> None:
    """A pool hands a worker one job more than it can start (that one cannot be cancelled): after
    Ctrl-C reached the worker, the book it was building stops and the queued book is not built."""
    books = catalog(tmp_path, ("one", "two"))
    work = tmp_path / "work"  # the client's working folder: the worker is in it while it builds a book
    work.mkdir()
    with process_pool(1) as pool:
        worker = pool.submit(os.getpid).result()  # started, its Ctrl-C handler set
        building, queued = (pool.submit(build_book_job, BookJob(str(book), ("pdf",), cwd=str(work))) for book in books)
        while os.readlink(f"/proc/{worker}/cwd") != str(work) and not building.done():
            time.sleep(0.005)
        os.kill(worker, signal.SIGINT)
        assert isinstance(building.exception(timeout=60), SystemExit)
        assert isinstance(queued.exception(timeout=60), SystemExit)


def test_a_pools_workers_start_with_bindery_and_weasyprint_imported() -> None:
    """Forked from a forkserver that imported them once (`WORKER_MODULES`): no second of imports a worker."""
    imported = "all(name in __import__('sys').modules for name in ('bindery.layout_chunks', 'bindery.catalog', 'weasyprint'))"
    with process_pool(1) as pool:
        assert pool.submit(eval, imported).result()


POOL_ONE_JOB = """
import os
try:
    from bindery.executors import process_pool
    process_pool(1).submit(int).result()
except BaseException:
    os._exit(130)
"""


def test_ctrl_c_while_the_forkserver_imports_bindery_prints_no_traceback(tmp_path: Path) -> None:
    """The forkserver imports Bindery and WeasyPrint (about a second) before it ignores SIGINT:
    Ctrl-C then must end it quietly (`worker_start`), not print a KeyboardInterrupt traceback."""
    script = tmp_path / "pool.py"
    script.write_text(POOL_ONE_JOB)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _forkserver_in_group(process.pid):
            time.sleep(0.01)
        assert _forkserver_in_group(process.pid), "no forkserver started"
        time.sleep(0.2)  # inside its imports
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def _forkserver_in_group(group: int) -> bool:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes() and os.getpgid(int(pid)) == group:
                return True
        except OSError:
            continue
    return False
