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
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest import load_manifest
from bindery.model import Book, assemble_book
from bindery.output_names import output_names
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


Progress = Callable[[str], None]


def load_book(path: Path) -> tuple[Book, CrossReferences, list[Diagnostic]]:
    """The first four stages: everything up to a resolved book model."""
    manifest = load_manifest(path)
    sources_report: list[Diagnostic] = []
    sources = read_sources(manifest, sources_report)
    book = assemble_book(manifest, sources)
    xrefs = resolve_cross_references(book)
    return book, xrefs, [*sources_report, *book.warnings, *xrefs.diagnostics]


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
) -> BuildResult:
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    say("reading the manifest and articles")
    book, xrefs, warnings = load_book(path)
    out_dir = output_dir if output_dir is not None else Path(book.root) / "output"
    result = BuildResult(book, xrefs, warnings=list(warnings))
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
    interior = next((a for a in result.artifacts if a.path.name == output_names(book.slug).pdf), None)
    if interior is not None and book.pdf.profile == "print":
        say(f"building the {CoverBuilder.format}")
        cover = CoverBuilder(book, xrefs, out_dir, interior_pages=interior.pages or 0).build()
        result.artifacts.extend(cover.artifacts)
        result.warnings.extend(cover.diagnostics)
    if strict and result.warnings:
        raise BinderyError(
            [
                *result.warnings,
                Diagnostic(
                    f"{len(result.warnings)} warning(s) and --strict is on; nothing was written",
                    hint="fix the warnings or build without --strict",
                    code="strict",
                ),
            ]
        )
    prepare_output_dir(out_dir)
    write_all_atomic((artifact.path, artifact.data) for artifact in result.artifacts)
    result.seconds = time.perf_counter() - started
    return result
