"""`bindery import`: turn raw article exports into Markdown articles an author can edit.

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

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from bindery.commands import chapter_list
from bindery.commands.common import reports_errors
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.outputs import prepare_output_dir, write_atomic
from bindery.paths import display_path, slugify
from bindery.rawexport import ImportedArticle, NotAnArticleError, parse_export
from bindery.sources import decode_text
from bindery.textinput import read_capped

#: File names stay readable: the title slug is cut at a word boundary.
SLUG_MAX_CHARS = 60

#: What each removal kind of `ImportedArticle.removed` is called in the report.
REMOVAL_LABELS = {
    "advertisement": "advertisement",
    "blank": "blank line",
    "byline": "byline in the related list",
    "continue_reading": "continue-reading line",
    "footer": "footer",
    "orphan_date": "date without an entry",
    "read_more": "read-more link",
    "reading_time": "reading time",
    "related_heading": "Related Articles heading",
    "separator": "separator",
    "share_bar": "share bar",
    "subscribe": "subscribe prompt",
}

Status = str  # written | replaced | unchanged | kept | failed


@dataclass
class FileReport:
    """What happened to one export."""

    source: str
    output: str | None = None  # the article file, as messages name it
    target: Path | None = None
    status: Status = "failed"
    removed: dict[str, int] = field(default_factory=dict)
    paragraphs: int = 0
    headings: int = 0
    related: int = 0
    problem: Diagnostic | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "output": self.output,
            "status": self.status,
            "removed": dict(self.removed),
            "removed_total": sum(self.removed.values()),
            "paragraphs": self.paragraphs,
            "headings": self.headings,
            "related": self.related,
        }
        if self.problem is not None:
            data["error"] = {
                "message": self.problem.message,
                "file": self.problem.file,
                "line": self.problem.line,
                "hint": self.problem.hint,
                "code": self.problem.code,
            }
        return data


def article_file_name(title: str) -> str:
    """`<title-slug>.md`, the slug cut at a word boundary after SLUG_MAX_CHARS."""
    slug = slugify(title)
    if slug == "book":  # slugify's fallback for a title with no letters or digits
        slug = "article"
    if len(slug) > SLUG_MAX_CHARS:
        cut = slug.rfind("-", 0, SLUG_MAX_CHARS + 1)
        slug = slug[: cut if cut > 0 else SLUG_MAX_CHARS]
    return f"{slug}.md"


def source_name(path: Path, into: Path) -> str:
    """How the article's `source` names the export: relative to the article when
    the export lies in the book folder (the parent of INTO), else its file name.
    Never the working folder, so importing from elsewhere writes the same bytes."""
    export, folder = path.resolve(), into.resolve()
    if export.is_relative_to(folder.parent):
        return Path(os.path.relpath(export, folder)).as_posix()
    return export.name


def import_one(path: Path, into: Path, force: bool, claimed: dict[Path, str]) -> tuple[FileReport, bytes | None]:
    """Parse one export and decide what to write; (report, bytes to write or None)."""
    name = display_path(path)
    report = FileReport(source=name)
    try:
        text = decode_text(read_capped(path, name, what="an export"), name)
    except BinderyError as exc:
        report.problem = exc.diagnostics[0]
        return report, None
    source = source_name(path, into)
    try:
        article = parse_export(text, source)
    except NotAnArticleError as exc:
        report.problem = Diagnostic(
            f"is not an article export: {exc.problem}", file=name, line=exc.line, hint=exc.hint, code="import-not-article"
        )
        return report, None
    _count(report, article)
    target = into / article_file_name(article.title)
    report.output = display_path(target)
    report.target = target
    if target.resolve() in claimed:
        report.problem = Diagnostic(
            f"has the same title as {claimed[target.resolve()]}; both would be written to {report.output}",
            file=name,
            hint="import them into different folders with --into, or change one title in the export",
            code="import-name-clash",
        )
        return report, None
    claimed[target.resolve()] = name
    content = article.to_markdown().encode("utf-8")
    if target.exists():
        try:
            existing = target.read_bytes()
        except OSError as exc:
            report.problem = Diagnostic(f"cannot read the existing article: {exc.strerror}", file=report.output, code="import-io")
            return report, None
        if existing == content:
            report.status = "unchanged"
            return report, None
        if not force:
            report.status = "kept"
            report.problem = Diagnostic(
                f"differs from what importing {name} would write (edited since the last import?); it was left as it is",
                file=report.output,
                hint="use --force to overwrite it with a fresh import",
                code="import-edited",
            )
            return report, None
        report.status = "replaced"
        return report, content
    report.status = "written"
    return report, content


def _count(report: FileReport, article: ImportedArticle) -> None:
    report.removed = dict(sorted(article.removed.items()))
    report.headings = sum(1 for block in article.paragraphs if block.startswith("## "))
    report.paragraphs = len(article.paragraphs) - report.headings
    report.related = len(article.related)


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
    planned: list[tuple[FileReport, bytes | None]] = []
    claimed: dict[Path, str] = {}
    for path in files:
        planned.append(import_one(path, into, force, claimed))
    if any(content is not None for _, content in planned):
        prepare_output_dir(into)
    for report, content in planned:
        if content is not None and report.target is not None:
            write_atomic(report.target, content)
    for report, _ in planned:
        for line in describe(report):
            click.echo(line)
    if report_path is not None:
        summary = {"into": display_path(into), "files": [r.as_json() for r, _ in planned]}
        try:
            report_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise BinderyError(
                Diagnostic(
                    f"cannot write the report: {exc.strerror}",
                    file=str(report_path),
                    hint="choose another file with --report",
                    code="import-io",
                )
            ) from None
    counts = {status: sum(1 for r, _ in planned if r.status == status) for status in ("written", "replaced", "unchanged", "kept", "failed")}
    click.echo(f"{len(files)} file(s): " + ", ".join(f"{n} {status}" for status, n in counts.items() if n))
    imported = [r.target for r, _ in planned if r.target is not None and r.status != "failed"]
    addition = chapter_list.plan(imported, into)
    if add:
        addition = chapter_list.add_to_manifest(addition)
        if addition.written and addition.manifest is not None:
            click.echo(f"added {len(addition.new)} article(s) to the chapters of {display_path(addition.manifest)}")
        elif addition.manifest is None:
            click.echo(f"--add: no book.yaml in {display_path(into)} or the folder above it; nothing was added")
    else:
        for line in chapter_list.paste_lines(addition):
            click.echo(line)
    problems = [r.problem for r, _ in planned if r.problem is not None]
    if problems:
        raise BinderyError(problems)
