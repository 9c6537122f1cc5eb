"""A catalog: several books built at once, one book per job on an executor.

`build_book_job` is the job: a plain top-level function of plain data (the
book's path, formats and options, the client's SOURCE_DATE_EPOCH and working
folder) that returns the outputs as bytes and the warnings as plain data. It
writes nothing the client sees: a process-pool worker or a Dask worker on
another machine builds into a temporary folder of its own. `run_catalog` on
the client submits the jobs, writes each book's outputs atomically to that
book's own output folder, and reports book by book; a failing book names
itself and does not stop the others. A remote worker needs the books at the
same paths (a shared file system) and the same Bindery installed.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.executors import InProcessExecutor, local_runner, refuse_after_interrupt
from bindery.model import Book
from bindery.outputs import prepare_output_dir, write_all_atomic
from bindery.paths import display_path
from bindery.xref import CrossReferences


@dataclass(frozen=True)
class BookJob:
    """One book of a catalog, as plain data a worker process or machine can receive."""

    path: str  # absolute
    formats: tuple[str, ...]
    strict: bool = False
    page_list: bool = True
    ignore: tuple[str, ...] = ()
    source_date_epoch: str | None = None  # the client's; the worker builds with exactly this
    cwd: str | None = None  # the client's working folder: messages name files relative to it


@dataclass(frozen=True)
class BookOutcome:
    """What a worker sends back: the outputs as bytes and every message as plain data."""

    path: str
    title: str | None = None
    files: tuple[tuple[str, bytes, int | None], ...] = ()  # (file name, data, pages)
    warnings: tuple[dict[str, Any], ...] = ()  # Diagnostic fields
    errors: tuple[dict[str, Any], ...] = ()  # Diagnostic fields; a book with errors wrote nothing
    ignored: int = 0
    seconds: float = 0.0
    summary: tuple[str, ...] = field(default=())  # report lines (cross-references)

    @property
    def ok(self) -> bool:
        return not self.errors


def diagnostics(data: Sequence[dict[str, Any]]) -> list[Diagnostic]:
    return [Diagnostic(**fields) for fields in data]


def cross_reference_summary(book: Book, xrefs: CrossReferences) -> str:
    """The report's cross-references line."""
    where = {"appendix": "further reading", "inline": "further reading under each article", "omit": "not printed: further_reading: omit"}[
        book.further_reading
    ]
    return (
        f"cross-references: {xrefs.resolved} resolved, {xrefs.outside} outside the book "
        f"({len(xrefs.further_reading)} distinct; {where}), {xrefs.ambiguous} ambiguous"
    )


# Builds in one process run one at a time: the job sets the process's environment
# (SOURCE_DATE_EPOCH) and working folder, which a Dask worker's threads would share.
_ONE_BOOK_AT_A_TIME = threading.Lock()


@contextmanager
def _client_context(job: BookJob) -> Iterator[None]:
    """The client's SOURCE_DATE_EPOCH and working folder, for the duration of one build."""
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    saved_cwd = os.getcwd()
    with _ONE_BOOK_AT_A_TIME:
        try:
            if job.source_date_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = job.source_date_epoch
            if job.cwd and os.path.isdir(job.cwd):
                os.chdir(job.cwd)
            yield
        finally:
            os.chdir(saved_cwd)
            if saved_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = saved_epoch


def build_book_job(job: BookJob) -> BookOutcome:
    """Build one book of a catalog (in a worker); never raises for a problem with the book."""
    refuse_after_interrupt()
    from bindery.pipeline import build  # loaded in the worker, not when the module is unpickled

    started = time.perf_counter()
    with _client_context(job):
        try:
            with tempfile.TemporaryDirectory(prefix="bindery-catalog-") as scratch:
                result = build(
                    Path(job.path),
                    job.formats,
                    Path(scratch),
                    strict=job.strict,
                    page_list=job.page_list,
                    ignore=job.ignore,
                    runner=local_runner(),
                )
                files = tuple((a.path.relative_to(scratch).as_posix(), a.data, a.pages) for a in result.artifacts)
        except BinderyError as exc:
            return BookOutcome(job.path, errors=tuple(asdict(d) for d in exc.diagnostics), seconds=time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 (one book's bug must not stop the catalog)
            bug = Diagnostic(
                f"internal error: {type(exc).__name__}: {exc}",
                hint="this is a bug in Bindery; build this book alone with --debug and report the output",
                code="internal",
            )
            return BookOutcome(job.path, errors=(asdict(bug),), seconds=time.perf_counter() - started)
    return BookOutcome(
        job.path,
        title=result.book.metadata.title,
        files=files,
        warnings=tuple(asdict(d) for d in result.warnings),
        ignored=result.ignored,
        seconds=time.perf_counter() - started,
        summary=(cross_reference_summary(result.book, result.xrefs),),
    )


def output_folders(paths: Sequence[Path], output: Path | None) -> list[Path]:
    """Each book's output folder: `output/` in the book's folder, or `OUTPUT/<book folder name>`
    with --output. Refuses a book given twice and two books that would share a folder."""
    folders: list[Path] = []
    seen: dict[Path, Path] = {}
    for path in paths:
        book_folder = (path if path.is_dir() else path.parent).resolve()
        folder = book_folder / "output" if output is None else output / (book_folder.name or "book")
        if folder in seen:
            raise BinderyError(
                Diagnostic(
                    f"two books of the catalog would be written to one output folder, {display_path(folder)}",
                    file=f"{seen[folder]} and {path}",
                    hint="give each book once; with --output, books need different folder names",
                    code="catalog-output",
                )
            )
        seen[folder] = path
        folders.append(folder)
    return folders


Report = Callable[[BookOutcome, Path], None]


def run_catalog(executor: Executor, jobs: Sequence[BookJob], folders: Sequence[Path], report: Report) -> list[BookOutcome]:
    """Build every book on `executor`; write each book's outputs to its folder as it arrives (in
    catalog order) and `report` it. A book that fails (its errors, a worker that died, an
    output that cannot be written) is reported with its errors; the others go on."""
    # A pool gets every book at once; in this process a book is built when its turn comes,
    # so each is written and reported before the next starts.
    eager = not isinstance(executor, InProcessExecutor)
    futures = [executor.submit(build_book_job, job) for job in jobs] if eager else []
    outcomes: list[BookOutcome] = []
    try:
        for index, (job, folder) in enumerate(zip(jobs, folders, strict=True)):
            try:
                outcome = (futures[index] if eager else executor.submit(build_book_job, job)).result()
            except Exception as exc:  # noqa: BLE001 (a worker that died, a cluster that went away)
                reason = str(exc) or type(exc).__name__
                outcome = BookOutcome(
                    job.path,
                    errors=(
                        asdict(
                            Diagnostic(
                                f"the worker building this book failed: {reason}",
                                file=display_path(Path(job.path)),
                                hint="build this book alone (bindery build BOOK --jobs 1) to see why",
                                code="catalog-worker",
                            )
                        ),
                    ),
                )
            if outcome.ok:
                outcome = _write(outcome, folder)
            report(outcome, folder)
            outcomes.append(outcome)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return outcomes


def _write(outcome: BookOutcome, folder: Path) -> BookOutcome:
    """Write a book's outputs atomically, as one set; a write error fails this book only."""
    targets = []
    for name, data, _pages in outcome.files:
        target = folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            bad = Diagnostic(
                f"a worker returned an output named {name!r}", hint="check the workers' Bindery version", code="catalog-worker"
            )
            return BookOutcome(outcome.path, errors=(asdict(bad),), seconds=outcome.seconds)
        targets.append((target, data))
    try:
        prepare_output_dir(folder)
        write_all_atomic(targets)
    except BinderyError as exc:
        return BookOutcome(outcome.path, errors=tuple(asdict(d) for d in exc.diagnostics), seconds=outcome.seconds)
    return outcome
