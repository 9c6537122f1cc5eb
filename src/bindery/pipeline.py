"""The one-way pipeline: manifest -> sources -> book model -> cross-references
-> print layout -> PDF and cover, EPUB.

Each stage finishes before the next starts and hands immutable objects on;
`build` reads as its four steps. The print layout (`layout.PrintLayout`) is a
value: the PDF writer writes it, the cover takes its page count, the EPUB
takes its page map. An EPUB-only `--no-page-list` build skips the layout and
never imports WeasyPrint (the print modules are imported only when used).
Outputs are kept in memory until every requested output succeeded, then
written atomically, so a failed build never touches `output/`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bindery.builders.base import Artifact, BuildOutput
from bindery.builders.epub import EpubBuilder
from bindery.diagnostic_codes import check_ignorable
from bindery.diagnostics import BinderyError, Diagnostic, without_ignored
from bindery.manifest.load import load_manifest
from bindery.model import Book, assemble_book
from bindery.outputs import prepare_output_dir, write_all_atomic
from bindery.pagemap import PageMap
from bindery.sources import read_sources
from bindery.templating import Templates
from bindery.xref import CrossReferences, resolve_cross_references

if TYPE_CHECKING:
    from bindery.layout import PrintLayout

FORMATS = ("epub", "pdf")


@dataclass
class BuildResult:
    book: Book
    xrefs: CrossReferences
    artifacts: list[Artifact] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    ignored: int = 0  # warnings left out by --ignore or book.yaml's ignore_warnings:

    def add(self, *outputs: BuildOutput) -> None:
        for output in outputs:
            self.artifacts.extend(output.artifacts)
            self.warnings.extend(output.diagnostics)


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


def build(
    path: Path,
    formats: tuple[str, ...] = ("epub", "pdf"),
    output_dir: Path | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    page_list: bool = True,
    ignore: tuple[str, ...] = (),
    executor: Executor | None = None,
) -> BuildResult:
    """Build `formats` of the book at `path`; `page_list=False` skips the layout an EPUB-only build
    needs for its page-list. Warnings whose code is in `ignore` (or in book.yaml's
    `ignore_warnings:`) are left out and do not fail `strict`. `executor` (`bindery.executors`,
    from `--jobs`/`--scheduler`) is where the chunked layout runs its jobs; None: this process."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    check_ignorable(ignore)
    say("reading the manifest and articles")
    book, xrefs, warnings, ignored, dropped = _load(path)
    ignore = (*ignore, *ignored)
    out_dir = output_dir if output_dir is not None else Path(book.root) / "output"
    result = BuildResult(book, xrefs, warnings=list(warnings), ignored=dropped)

    layout = lay_out_print_edition(book, xrefs, say) if "pdf" in formats or page_list else None
    if layout is not None and "pdf" in formats:
        result.add(*write_print_edition(book, xrefs, layout, out_dir, say))
    if "epub" in formats:
        result.add(package_ebook(book, xrefs, layout.page_map if layout else None, out_dir, say))

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


def lay_out_print_edition(book: Book, xrefs: CrossReferences, say: Progress) -> PrintLayout:
    """The print edition laid out once: the PDF, the cover and the EPUB's page-list all read it."""
    from bindery.layout import lay_out_print  # WeasyPrint is imported only by a build that lays out

    say("laying out the print edition")
    return lay_out_print(book, xrefs, Templates(Path(book.root), "print"))


def write_print_edition(book: Book, xrefs: CrossReferences, layout: PrintLayout, out_dir: Path, say: Progress) -> list[BuildOutput]:
    """The PDF from the layout, and for the print profile the cover, whose spine is the layout's page count."""
    from bindery.builders.cover import CoverBuilder
    from bindery.builders.pdf import PdfBuilder

    say(f"building the {PdfBuilder.format}")
    outputs = [PdfBuilder(book, xrefs, out_dir, layout=layout).build()]
    if book.pdf.profile == "print":
        say(f"building the {CoverBuilder.format}")
        outputs.append(CoverBuilder(book, xrefs, out_dir, interior_pages=layout.page_count).build())
    return outputs


def package_ebook(book: Book, xrefs: CrossReferences, page_map: PageMap | None, out_dir: Path, say: Progress) -> BuildOutput:
    """The EPUB; with `page_map` (from the print layout) it carries the print edition's page-list."""
    say(f"building the {EpubBuilder.format}")
    return EpubBuilder(book, xrefs, out_dir, page_map=page_map).build()
