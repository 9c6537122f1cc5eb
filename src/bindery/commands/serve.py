"""`bindery serve`: a live HTML preview of the book on localhost.

See `bindery.preview`: the pages are the EPUB's own documents, rebuilt in
a worker process (`bindery.preview_worker`, stopped after `--build-timeout`)
whenever the book, its manifest or a template changes; the open page reloads
by itself, and a build error shows in the page.
"""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

import click

from bindery.commands.common import reports_errors
from bindery.diagnostics import BinderyError
from bindery.preview import PreviewServer, PreviewSite
from bindery.preview_worker import DEFAULT_TIMEOUT, Snapshot


def report_rebuild(snapshot: Snapshot) -> None:
    """One line per rebuild on stderr (and the errors, when it failed)."""
    if snapshot.ok:
        documents = f"{len(snapshot.documents)} XHTML document{'s' if len(snapshot.documents) != 1 else ''} (the EPUB's content files)"
        warnings = f"{len(snapshot.warnings)} warning{'s' if len(snapshot.warnings) != 1 else ''}"
        click.echo(f"[{snapshot.built_at}] rebuilt in {snapshot.seconds:.2f} s: {documents}, {warnings}", err=True)
        for warning in snapshot.warnings:
            click.echo(f"  {warning}", err=True)
        return
    click.echo(f"[{snapshot.built_at}] the book does not build (shown in the page):", err=True)
    for diagnostic in snapshot.errors:
        click.echo(f"  error: {diagnostic}", err=True)


@click.command("serve")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port on localhost (0 picks a free one)."
)
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
@click.option(
    "--build-timeout",
    type=click.FloatRange(min=0.5),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds a rebuild may take before it is stopped (the last good build stays shown).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def serve_command(path: Path, port: int, no_open: bool, build_timeout: float, debug: bool) -> None:
    """Preview the book in PATH in a browser; pages reload when a file changes."""
    site = PreviewSite(path, on_rebuild=report_rebuild, timeout=build_timeout)
    try:
        server = PreviewServer(site, port)
    except BinderyError:
        site.stop()
        raise
    server.start()
    click.echo(f"Serving a preview of {site.manifest} at {server.url}  (Ctrl+C to stop)")
    if not no_open:
        webbrowser.open(server.url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.close()
