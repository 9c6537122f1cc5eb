"""`bindery serve`: a live HTML preview of the book on localhost.

See `bindery.preview`: the pages are the EPUB's own documents, rebuilt in
memory whenever the book, its manifest or a template changes; the open page
reloads by itself, and a build error shows in the page.
"""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

import click

from bindery.commands.common import reports_errors
from bindery.preview import PreviewServer, PreviewSite, Snapshot


def report_rebuild(snapshot: Snapshot) -> None:
    """One line per rebuild on stderr (and the errors, when it failed)."""
    if snapshot.ok:
        counts = f"{len(snapshot.documents)} pages, {len(snapshot.warnings)} warning(s)"
        click.echo(f"[{snapshot.built_at}] rebuilt in {snapshot.seconds:.2f} s, {counts}", err=True)
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
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def serve_command(path: Path, port: int, no_open: bool, debug: bool) -> None:
    """Preview the book in PATH in a browser; pages reload when a file changes."""
    site = PreviewSite(path, on_rebuild=report_rebuild)
    server = PreviewServer(site, port)
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
