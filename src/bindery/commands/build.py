"""`bindery build`: compile a book into EPUB and PDF."""

from __future__ import annotations

from pathlib import Path

import click

from bindery.commands.common import human_size, reports_errors
from bindery.commands.progress import StageDisplay
from bindery.pipeline import FORMATS, build


@click.command("build")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--format", "fmt", type=click.Choice(["epub", "pdf", "all"]), default="all", show_default=True, help="Which outputs to build."
)
@click.option(
    "--output", "-o", "output", type=click.Path(path_type=Path), default=None, help="Output folder (default: output/ in the book folder)."
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
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--verbose", "-v", is_flag=True, help="Print every step.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def build_command(
    path: Path,
    fmt: str,
    output: Path | None,
    strict: bool,
    ignore: tuple[str, ...],
    no_page_list: bool,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Build the book in PATH (a folder with book.yaml, or a manifest file)."""
    formats = FORMATS if fmt == "all" else (fmt,)
    with StageDisplay(quiet, verbose) as progress:
        result = build(
            path, formats, output, strict=strict, progress=progress, page_list=not no_page_list, ignore=ignore, cache=not no_cache
        )
    if quiet:
        return  # errors only: they are raised, and printed by reports_errors
    book = result.book
    click.echo(f"Built “{book.metadata.title}” in {result.seconds:.1f} s")
    for artifact in result.artifacts:
        pages = f", {artifact.pages} pages" if artifact.pages else ""
        click.echo(f"  {artifact.path}  ({human_size(len(artifact.data))}{pages})")
    x = result.xrefs
    where = {"appendix": "further reading", "inline": "further reading under each article", "omit": "not printed: further_reading: omit"}[
        book.further_reading
    ]
    click.echo(
        f"  cross-references: {x.resolved} resolved, {x.outside} outside the book ({len(x.further_reading)} distinct; {where}), {x.ambiguous} ambiguous"
    )
    click.echo(f"  warnings: {len(result.warnings)}" + (f" ({result.ignored} ignored)" if result.ignored else ""))
    for warning in result.warnings:
        click.echo(f"    {warning}")
