"""The `bindery` command line. Each verb is a thin layer over the pipeline.

Errors the user can fix (`BinderyError`) become messages and exit code 1;
anything else is an internal error, reported in one line (with the
traceback only under --debug).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bindery import __version__
from bindery.diagnostics import BinderyError
from bindery.pipeline import BUILDERS, build

F = TypeVar("F", bound=Callable[..., Any])


def _human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def reports_errors(func: F) -> F:
    """Turn BinderyError into messages and an exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug"))
        try:
            return func(*args, **kwargs)
        except BinderyError as exc:
            if debug:
                traceback.print_exc()
            for diagnostic in exc.diagnostics:
                click.echo(f"error: {diagnostic}" if diagnostic.severity == "error" else str(diagnostic), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 (last line of defence for users)
            if debug:
                traceback.print_exc()
            click.echo(f"internal error: {type(exc).__name__}: {exc} (this is a bug in Bindery; run again with --debug and report the output)", err=True)
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bindery")
def main() -> None:
    """Bindery compiles articles into an EPUB 3 and a print-ready PDF."""


@main.command("build")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option("--format", "fmt", type=click.Choice(["epub", "pdf", "all"]), default="all", show_default=True, help="Which outputs to build.")
@click.option("--output", "-o", "output", type=click.Path(path_type=Path), default=None, help="Output folder (default: output/ in the book folder).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: nothing is written.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--verbose", "-v", is_flag=True, help="Print every step.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def build_command(path: Path, fmt: str, output: Path | None, strict: bool, quiet: bool, verbose: bool, debug: bool) -> None:
    """Build the book in PATH (a folder with book.yaml, or a manifest file)."""
    formats = tuple(BUILDERS) if fmt == "all" else (fmt,)
    progress = (lambda msg: click.echo(f"  {msg}", err=True)) if verbose else None
    result = build(path, formats, output, strict=strict, progress=progress)
    if quiet:
        for warning in result.warnings:
            click.echo(str(warning), err=True)
        return
    book = result.book
    click.echo(f"Built “{book.metadata.title}” in {result.seconds:.1f} s")
    for artifact in result.artifacts:
        pages = f", {artifact.pages} pages" if artifact.pages else ""
        click.echo(f"  {artifact.path}  ({_human_size(len(artifact.data))}{pages})")
    x = result.xrefs
    click.echo(f"  cross-references: {x.resolved} resolved, {x.outside} outside the book ({len(x.further_reading)} distinct), {x.ambiguous} ambiguous")
    click.echo(f"  warnings: {len(result.warnings)}")
    for warning in result.warnings:
        click.echo(f"    {warning}")
