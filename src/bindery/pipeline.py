"""The one-way pipeline: manifest -> sources -> book model -> cross-references -> render -> emit.

Each stage finishes before the next starts and hands immutable objects on.
Outputs are kept in memory until every requested builder succeeded, then
written atomically, so a failed build never touches `output/`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bindery.builders.base import Artifact, Builder
from bindery.builders.cover import CoverBuilder
from bindery.builders.epub import EpubBuilder
from bindery.builders.pdf import PdfBuilder
from bindery.diagnostic_codes import check_ignorable
from bindery.diagnostics import BinderyError, Diagnostic, without_ignored
from bindery.manifest.load import load_manifest
from bindery.model import Book, assemble_book
from bindery.outputs import prepare_output_dir, write_all_atomic
from bindery.pagemap import PageMap
from bindery.sources import read_sources
from bindery.xref import CrossReferences, resolve_cross_references

BUILDERS: dict[str, type[Builder]] = {"epub": EpubBuilder, "pdf": PdfBuilder}


@dataclass
class BuildResult:
    book: Book
    xrefs: CrossReferences
    artifacts: list[Artifact] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    ignored: int = 0  # warnings left out by --ignore or book.yaml's ignore_warnings:


Progress = Callable[[str], None]


def load_book(path: Path) -> tuple[Book, CrossReferences, list[Diagnostic]]:
    """The first four stages: everything up to a resolved book model.

    The warnings leave out the codes book.yaml's `ignore_warnings:` names.
    """
    book, xrefs, warnings, _ignored, _dropped = _load(path)
    return book, xrefs, warnings


def _load(path: Path) -> tuple[Book, CrossReferences, list[Diagnostic], tuple[str, ...], int]:
    """load_book, plus book.yaml's ignored codes and how many warnings they left out."""
    manifest = load_manifest(path)
    sources_report: list[Diagnostic] = []
    sources = read_sources(manifest, sources_report)
    book = assemble_book(manifest, sources)
    xrefs = resolve_cross_references(book)
    found = [*sources_report, *book.warnings, *xrefs.diagnostics]
    warnings = without_ignored(found, manifest.ignore_warnings)
    return book, xrefs, warnings, manifest.ignore_warnings, len(found) - len(warnings)


def print_page_map(book: Book, xrefs: CrossReferences, out_dir: Path) -> PageMap | None:
    """Where the print edition's pages begin, for an EPUB built without the PDF.

    The print edition is laid out once but not written (its warnings belong
    to a PDF build), so an EPUB carries the same page-list whether or not the
    PDF is built alongside it. `--no-page-list` skips this layout.
    """
    return PdfBuilder(book, xrefs, out_dir).lay_out_page_map()


def build(
    path: Path,
    formats: tuple[str, ...] = ("epub", "pdf"),
    output_dir: Path | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    page_list: bool = True,
    ignore: tuple[str, ...] = (),
) -> BuildResult:
    """Build and write the outputs. Warnings whose code is in `ignore` (or in
    book.yaml's `ignore_warnings:`) are left out and do not fail `strict`."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    check_ignorable(ignore)
    say("reading the manifest and articles")
    book, xrefs, warnings, ignored, dropped = _load(path)
    ignore = (*ignore, *ignored)
    out_dir = output_dir if output_dir is not None else Path(book.root) / "output"
    result = BuildResult(book, xrefs, warnings=list(warnings), ignored=dropped)
    page_map: PageMap | None = None
    for name in sorted(formats, key=lambda n: n != "pdf"):  # the PDF first: its layout gives the EPUB its page-list
        builder: Builder
        if name == "epub":
            if page_map is None and page_list:
                say("laying out the print edition for the EPUB's page numbers")
                page_map = print_page_map(book, xrefs, out_dir)
            builder = EpubBuilder(book, xrefs, out_dir, page_map=page_map)
        else:
            builder = BUILDERS[name](book, xrefs, out_dir)
        say(f"building the {builder.format}")
        output = builder.build()
        if isinstance(builder, PdfBuilder):
            page_map = builder.page_map
        result.artifacts.extend(output.artifacts)
        result.warnings.extend(output.diagnostics)
    interior = next((a for a in result.artifacts if a.path.name == f"{book.slug}.pdf"), None)
    if interior is not None and book.pdf.profile == "print":
        say(f"building the {CoverBuilder.format}")
        cover = CoverBuilder(book, xrefs, out_dir, interior_pages=interior.pages or 0).build()
        result.artifacts.extend(cover.artifacts)
        result.warnings.extend(cover.diagnostics)
    kept = without_ignored(result.warnings, ignore)
    result.ignored += len(result.warnings) - len(kept)
    result.warnings = kept
    if strict and result.warnings:
        raise BinderyError(
            [
                *result.warnings,
                Diagnostic(
                    f"{len(result.warnings)} warning(s) and --strict is on; nothing was written",
                    hint="fix the warnings, leave out a kind with --ignore CODE, or build without --strict",
                    code="strict",
                ),
            ]
        )
    prepare_output_dir(out_dir)
    write_all_atomic((artifact.path, artifact.data) for artifact in result.artifacts)
    result.seconds = time.perf_counter() - started
    return result
