"""`bindery build`: compile a book into EPUB and PDF."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from contextlib import ExitStack
from pathlib import Path

import click

from bindery.catalog import BookJob, BookOutcome, cross_reference_summary, diagnostics, output_folders, run_catalog
from bindery.commands.common import human_size, reports_errors
from bindery.commands.progress import StageDisplay
from bindery.diagnostic_codes import check_ignorable
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.executors import ChunkRunnerType, executor_runner, local_runner, make_executor
from bindery.layout_lanes import LaneRunner
from bindery.paths import display_path
from bindery.pipeline import FORMATS, build
from bindery.system_libraries import require_weasyprint


@click.command("build")
@click.argument("paths", metavar="[BOOK]...", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["epub", "pdf", "all"]), default="all", show_default=True, help="Which outputs to build."
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder; with several books, one folder per book inside it (default: output/ in the book folder).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors: nothing is written.")
@click.option(
    "--ignore", "ignore", multiple=True, metavar="CODE", help="Leave out warnings with this code (repeatable; see docs/DIAGNOSTICS.md)."
)
@click.option(
    "--no-page-list",
    "no_page_list",
    is_flag=True,
    help="EPUB only: skip the print layout that gives the EPUB its print page numbers (much faster).",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Neither read nor write the build cache (.bindery-cache in the output folder; safe to delete).",
)
@click.option(
    "--jobs",
    "-j",
    "jobs",
    type=int,
    metavar="N",
    default=None,
    callback=lambda _ctx, _param, value: at_least_one(value),
    help="How many processes build at once; 1 builds in this process, one job after another (default: one per core; a book of under about 80 pages is laid out in this process).",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    default=None,
    help="Run the jobs on this Dask scheduler's workers instead (pip install 'bindery-books[dask]'; the books must be at the same paths there).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--verbose", "-v", is_flag=True, help="Print every step.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def build_command(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    strict: bool,
    ignore: tuple[str, ...],
    no_page_list: bool,
    no_cache: bool,
    jobs: int | None,
    scheduler: str | None,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Build the book in each BOOK (a folder with book.yaml, or a manifest file; default: this folder).

    Several books make a catalog: each book is one job, built at the same time as the others
    (--jobs, --scheduler), and written to its own output folder.
    """
    formats = FORMATS if fmt == "all" else (fmt,)
    if "pdf" in formats or not no_page_list:
        require_weasyprint()  # the build lays the print edition out: a clear message when Pango is missing
    books = paths or (Path("."),)
    check_ignorable(ignore)  # once, before any book is handed out
    workers = jobs or os.cpu_count() or 1
    if len(books) > 1:
        workers = min(workers, len(books))  # one book per job: more processes would idle
    # One book: its print edition laid out chapter by chapter, here one chunk after another
    # (--jobs 1), in `workers` lanes (each chunk always in the same process), or on a cluster's
    # workers in whole rounds. A catalog: each book is one job of the executor.
    with ExitStack() as stack:
        if scheduler is not None or len(books) > 1:
            executor = stack.enter_context(make_executor(workers, scheduler))
            if len(books) > 1:
                build_catalog(books, formats, output, strict, ignore, not no_page_list, executor, quiet)
                return
            runner: ChunkRunnerType = executor_runner(executor)
        else:
            runner = local_runner() if workers == 1 else stack.enter_context(LaneRunner(workers))
        with StageDisplay(quiet, verbose) as progress:
            result = build(
                books[0],
                formats,
                output,
                strict=strict,
                progress=progress,
                page_list=not no_page_list,
                ignore=ignore,
                cache=not no_cache,
                runner=runner,
            )
    if quiet:
        return  # errors only: they are raised, and printed by reports_errors
    files = [(artifact.path, len(artifact.data), artifact.pages) for artifact in result.artifacts]
    summary = (cross_reference_summary(result.book, result.xrefs),)
    report_book(result.book.metadata.title, None, result.seconds, files, summary, [str(w) for w in result.warnings], result.ignored)


def at_least_one(jobs: int | None) -> int | None:
    if jobs is not None and jobs < 1:
        raise click.BadParameter(f"{jobs} is not a number of processes; give 1 (build in this process) or more")
    return jobs


def report_book(
    title: str | None,
    source: str | None,
    seconds: float,
    files: list[tuple[Path, int, int | None]],
    summary: tuple[str, ...],
    warnings: list[str],
    ignored: int,
) -> None:
    where = f" ({source})" if source else ""
    click.echo(f"Built “{title}”{where} in {seconds:.1f} s")
    for path, size, pages in files:
        count = f", {pages} pages" if pages else ""
        click.echo(f"  {path}  ({human_size(size)}{count})")
    for line in summary:
        click.echo(f"  {line}")
    click.echo(f"  warnings: {len(warnings)}" + (f" ({ignored} ignored)" if ignored else ""))
    for warning in warnings:
        click.echo(f"    {warning}")


def build_catalog(
    books: tuple[Path, ...],
    formats: tuple[str, ...],
    output: Path | None,
    strict: bool,
    ignore: tuple[str, ...],
    page_list: bool,
    executor: Executor,
    quiet: bool,
) -> None:
    """Several books, one job each; each book reported as it is written, failures at the end."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    cwd = os.getcwd()
    jobs = [BookJob(str(book.resolve()), formats, strict, page_list, ignore, epoch, cwd) for book in books]
    folders = output_folders(books, output)
    names = {job.path: display_path(book) for job, book in zip(jobs, books, strict=True)}

    def report(outcome: BookOutcome, folder: Path) -> None:
        name = names[outcome.path]
        if not outcome.ok:
            click.echo(f"error: {name}: not built", err=True)
            for diagnostic in diagnostics(outcome.errors):
                click.echo(f"  error: {diagnostic}" if diagnostic.severity == "error" else f"  {diagnostic}", err=True)
            return
        if quiet:
            return
        files = [(folder / file, len(data), pages) for file, data, pages in outcome.files]
        warnings = [str(w) for w in diagnostics(outcome.warnings)]
        report_book(outcome.title, name, outcome.seconds, files, outcome.summary, warnings, outcome.ignored)

    outcomes = run_catalog(executor, jobs, folders, report)
    failed = [names[o.path] for o in outcomes if not o.ok]
    if failed:
        raise BinderyError(
            Diagnostic(
                f"{len(failed)} of {len(outcomes)} books failed: {', '.join(failed)}; the others were built",
                hint="see each book's errors above",
                code="catalog-failed",
            )
        )
