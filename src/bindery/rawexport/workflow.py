"""The import workflow of `bindery import`: each export to one Markdown article.

An export is parsed by :func:`bindery.rawexport.parse_export` (the same code the
build uses for a `.txt` listed in book.yaml) and written as `<title-slug>.md`
in the target folder. Every line the importer drops is counted by kind, so no
removal is silent. Importing again gives byte-identical files; a file whose
content differs from what the import would write (an author edited it) is kept
unless `force` is given; two exports with one title are a clash, reported for
the second. Each file is handled on its own: one that is not an article gets a
problem and nothing is written for it. Unlike the parsers of this package,
this module reads and writes files.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest import display_path, slugify
from bindery.outputs import prepare_output_dir, write_atomic
from bindery.rawexport import ImportedArticle, NotAnArticleError, parse_export
from bindery.sources import split_front_matter
from bindery.textinput import decode_text, read_capped

STATUSES = ("written", "replaced", "unchanged", "kept", "failed")

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
    """`<title-slug>.md`, the slug cut at a word boundary after SLUG_MAX_CHARS. A title with no
    Latin letters keeps its own (`Привет мир` -> `привет-мир.md`): every such title was
    `article.md`, and two of them a false "same title" clash."""
    letters = [ch for ch in title if ch.isalpha()]
    latin = [ch for ch in unicodedata.normalize("NFKD", "".join(letters)) if ch.isascii() and ch.isalpha()]
    if len(latin) * 2 >= len(letters):  # mostly Latin letters, as in "Café": ASCII, as a book's slug
        slug = slugify(title) if any(ch.isascii() and ch.isalnum() for ch in unicodedata.normalize("NFKD", title)) else ""
    else:
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", title).lower())
    slug = slug.strip("-") or "article"
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
    """Parse one export and decide what to write; (report, bytes to write or None).

    `claimed` maps each target already planned to the export that claimed it."""
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
        first = claimed[target.resolve()]
        report.problem = Diagnostic(
            f"is given twice; it is imported once, to {report.output}"
            if first == name
            else f"has the same title as {first}; both would be written to {report.output}",
            file=name,
            hint="import them into different folders with --into, or change one title in the export",
            code="import-name-clash",
        )
        return report, None
    claimed[target.resolve()] = name
    content = article.to_markdown().encode("utf-8")
    try:
        exists = target.exists()
    except OSError as exc:  # a folder name too long for the file system, or one that cannot be read
        report.problem = Diagnostic(
            f"cannot write the article: {exc.strerror}", file=report.output, hint="choose a shorter --into", code="import-io"
        )
        return report, None
    if exists:
        try:
            existing = target.read_bytes()
        except OSError as exc:
            report.problem = Diagnostic(f"cannot read the existing article: {exc.strerror}", file=report.output, code="import-io")
            return report, None
        if existing == content:
            report.status = "unchanged"
            return report, None
        earlier = _imported_from(existing)
        if earlier is not None and earlier != source:  # another export's article: never replaced, even with --force
            report.problem = Diagnostic(
                f"has the same title as {report.output}, imported from {earlier}; it was left as it is",
                file=name,
                hint="import this export into another folder with --into, or change one title in the export",
                code="import-name-clash",
            )
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


def _imported_from(article: bytes) -> str | None:
    """The `source:` an earlier import wrote in an article's front matter, if it is still there."""
    try:
        front, _body, _line = split_front_matter(article.decode("utf-8", "replace"), "")
        meta = yaml.safe_load(front)
    except (BinderyError, yaml.YAMLError):  # no front matter left, or an author's edit broke it
        return None
    value = meta.get("source") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def _count(report: FileReport, article: ImportedArticle) -> None:
    report.removed = dict(sorted(article.removed.items()))
    report.headings = sum(1 for block in article.paragraphs if block.startswith("## "))
    report.paragraphs = len(article.paragraphs) - report.headings
    report.related = len(article.related)


def import_files(files: tuple[Path, ...] | list[Path], into: Path, force: bool) -> list[FileReport]:
    """Import every export into INTO: plan all of them, then write the files that changed."""
    planned: list[tuple[FileReport, bytes | None]] = []
    claimed: dict[Path, str] = {}
    for path in files:
        planned.append(import_one(path, into, force, claimed))
    if any(content is not None for _, content in planned):
        prepare_output_dir(into, "--into")
    for report, content in planned:
        if content is not None and report.target is not None:
            write_atomic(report.target, content)
    return [report for report, _ in planned]


def status_counts(reports: list[FileReport]) -> dict[str, int]:
    """How many files ended in each status, in the order of STATUSES, zeros left out."""
    counts = {status: sum(1 for r in reports if r.status == status) for status in STATUSES}
    return {status: n for status, n in counts.items() if n}


def write_json_report(reports: list[FileReport], into: Path, report_path: Path) -> None:
    """The per-file report as JSON (`bindery import --report`)."""
    summary = {"into": display_path(into), "files": [r.as_json() for r in reports]}
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
