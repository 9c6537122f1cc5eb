"""`bindery import`: turn raw article exports into Markdown articles an author can edit.

The options and the printing; the workflow (naming, clashes, edited files,
`--force`) is `bindery.rawexport.workflow`.

Each export is parsed by `bindery.rawexport` (the same code the build uses for
a `.txt` listed in book.yaml) and written as `<title-slug>.md` in the target
folder. Every line the importer drops is counted by kind and reported, so no
removal is silent. Importing again gives byte-identical files; a file whose
content differs from what the import would write (an author edited it) is
kept unless `--force` is given. Each file is handled on its own: a file that
is not an article is reported with its line and nothing is written for it,
while the others are still imported; the exit code is 1 when any file failed.
"""

from __future__ import annotations

from pathlib import Path

import click

from bindery.commands import chapter_list
from bindery.commands.common import reports_errors
from bindery.diagnostics import BinderyError
from bindery.paths import display_path
from bindery.rawexport.workflow import REMOVAL_LABELS, FileReport, import_files, status_counts, write_json_report


def describe(report: FileReport) -> list[str]:
    """The lines printed for one file."""
    if report.output is None:
        return [f"{report.source}: not imported"]
    verb = {
        "written": "written",
        "replaced": "replaced (--force)",
        "unchanged": "unchanged",
        "kept": "kept (differs; not overwritten)",
        "failed": "not written",
    }[report.status]
    lines = [f"{report.source} -> {report.output}  [{verb}]"]
    lines.append(f"  article: {report.paragraphs} paragraphs, {report.headings} headings, {report.related} related entries")
    if report.removed:
        parts = [f"{REMOVAL_LABELS.get(kind, kind.replace('_', ' '))}: {count}" for kind, count in report.removed.items()]
        lines.append(f"  removed {sum(report.removed.values())} lines: " + ", ".join(parts))
    else:
        lines.append("  removed: nothing")
    return lines


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into",
    "into",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("chapters"),
    show_default=True,
    help="Folder to write the Markdown articles into.",
)
@click.option("--force", is_flag=True, help="Overwrite articles that differ from what the import would write (edited by hand).")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the per-file report as JSON to this file.",
)
@click.option("--add", "add", is_flag=True, help="Append the imported articles that book.yaml does not list yet to its chapters: list.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def import_command(files: tuple[Path, ...], into: Path, force: bool, report_path: Path | None, add: bool, debug: bool) -> None:
    """Import raw article exports (plain text copied from a website) as Markdown articles.

    Each FILE becomes INTO/<title-slug>.md with YAML front matter (title,
    summary, date, authors, category, source, related) and the body as
    Markdown. Every removed line (advertisements, share bars, reading times,
    the related-articles heading ...) is counted in the report. The articles
    book.yaml does not list yet are printed as lines to paste into its
    chapters: list, or appended to it with --add (comments and layout kept).
    """
    reports = import_files(files, into, force)
    for report in reports:
        for line in describe(report):
            click.echo(line)
    if report_path is not None:
        write_json_report(reports, into, report_path)
    click.echo(f"{len(files)} file(s): " + ", ".join(f"{n} {status}" for status, n in status_counts(reports).items()))
    imported = [r.target for r in reports if r.target is not None and r.status != "failed"]
    _list_in_manifest(imported, into, add)
    problems = [r.problem for r in reports if r.problem is not None]
    if problems:
        raise BinderyError(problems)


def _list_in_manifest(imported: list[Path], into: Path, add: bool) -> None:
    """Append the new articles to book.yaml's chapters (--add), or print the lines to paste."""
    addition = chapter_list.plan(imported, into)
    if add:
        addition = chapter_list.add_to_manifest(addition)
        if addition.written and addition.manifest is not None:
            click.echo(f"added {len(addition.new)} article(s) to the chapters of {display_path(addition.manifest)}")
        elif addition.manifest is None:
            click.echo(f"--add: no book.yaml in {display_path(into)} or a folder above it; nothing was added")
    else:
        for line in chapter_list.paste_lines(addition):
            click.echo(line)
