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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bindery.article_cache import markdown_renderer, source_reader
from bindery.build_cache import BuildCache, cached_runner, open_build_cache, save_build_cache
from bindery.builders.base import Artifact, BuildOutput
from bindery.builders.epub import EpubBuilder
from bindery.diagnostic_codes import check_ignorable
from bindery.diagnostics import BinderyError, Diagnostic, without_ignored
from bindery.manifest.load import find_manifest, load_manifest
from bindery.manifest.vocabulary import PdfProfile
from bindery.model.assemble import assemble_book
from bindery.model.types import Book
from bindery.outputs import prepare_output_dir, write_all_atomic
from bindery.page_map_cache import ebook_page_map
from bindery.pagemap import PageMap
from bindery.sources import read_sources
from bindery.templating import Templates
from bindery.xref import CrossReferences, resolve_cross_references

if TYPE_CHECKING:
    from bindery.layout import PrintLayout
    from bindery.layout_chunks import ChunkRunner

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
            self.warnings.extend(output.warnings)


Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadedBook:
    """Stages 1 to 4 done: the resolved book, its cross-references and what they warned about."""

    book: Book
    xrefs: CrossReferences
    warnings: tuple[Diagnostic, ...]  # without the codes book.yaml's `ignore_warnings:` names
    ignored_codes: tuple[str, ...]  # book.yaml's `ignore_warnings:`
    dropped: int  # how many warnings those codes left out


def load_book(path: Path, cache: BuildCache | None = None) -> LoadedBook:
    """The first four stages: everything up to a resolved book model (each article read and
    rendered from `cache` when it holds them)."""
    manifest = load_manifest(path)
    sources = read_sources(manifest, reader=source_reader(cache))
    book = assemble_book(manifest, sources.by_path, render=markdown_renderer(cache))
    xrefs = resolve_cross_references(book)
    found = [*sources.warnings, *book.warnings, *xrefs.warnings]
    warnings = without_ignored(found, manifest.ignore_warnings)
    return LoadedBook(book, xrefs, tuple(warnings), manifest.ignore_warnings, len(found) - len(warnings))


#: A book whose articles hold less text than this (about 80 pages at 6 x 9 in) is
#: laid out in the build's own process even with --jobs: starting the workers (a process that
#: imports WeasyPrint, then one per lane) and handing chunks between them costs what two lanes
#: save. `benchmarks/jobs_threshold.py`, medians of 3, wall and the machine's CPU, one lane
#: against two: the sample book (64,000 characters) 6.0 s against 6.7 s (CPU 6.0 against 7.9);
#: 123,000 characters 6.8 s both (CPU 6.8 against 8.7); 181,000 characters 11.1 s against 9.4 s.
#: The pages are the same.
IN_PROCESS_BELOW_CHARS = 150_000


def build(
    path: Path,
    formats: tuple[str, ...] = ("epub", "pdf"),
    output_dir: Path | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    page_list: bool = True,
    ignore: tuple[str, ...] = (),
    cache: bool = True,
    runner: ChunkRunner | None = None,
) -> BuildResult:
    """Build `formats` of the book at `path`; `page_list=False` skips the layout an EPUB-only build
    needs for its page-list. Warnings whose code is in `ignore` (or in book.yaml's
    `ignore_warnings:`) are left out and do not fail `strict`. `cache=False` (`--no-cache`)
    neither reads nor writes the build cache in `<output dir>/.bindery-cache`. With a `runner`
    (`layout_chunks.serial_runner`, or `executors.executor_runner` for `--jobs`/`--scheduler`)
    the print edition is laid out chunk by chunk through it; None: as one document."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    check_ignorable(ignore)
    say("reading the manifest and articles")
    out_dir = output_dir if output_dir is not None else find_manifest(path).parent.resolve() / "output"
    store = open_build_cache(out_dir, cache)
    loaded = load_book(path, store)
    book, xrefs = loaded.book, loaded.xrefs
    runner = cached_runner(store, _runner_for(book, runner)) if runner is not None else None  # a chunk laid out before is read back
    ignore = (*ignore, *loaded.ignored_codes)
    result = BuildResult(book, xrefs, warnings=list(loaded.warnings), ignored=loaded.dropped)

    layout = lay_out_print_edition(book, xrefs, say, runner) if "pdf" in formats else None
    if layout is not None:
        result.add(*write_print_edition(book, xrefs, layout, out_dir, say))
    if "epub" in formats:
        # The page-list: this build's layout, else one cached from an earlier layout of the same book, else a layout now.
        wanted = page_list or layout is not None
        page_map = ebook_page_map(book, xrefs, store, layout, lambda: lay_out_print_edition(book, xrefs, say, runner)) if wanted else None
        result.add(package_ebook(book, xrefs, page_map, out_dir, say, store))

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
    if store is not None:  # after the outputs: a failed build leaves output/ as it was
        result.warnings.extend(without_ignored(save_build_cache(store), ignore))
    result.seconds = time.perf_counter() - started
    return result


def _runner_for(book: Book, runner: ChunkRunner) -> ChunkRunner:
    """`runner`, or for a small book one that lays it out here: starting workers costs more than its layout."""
    if getattr(runner, "spawns_workers", False) and sum(len(a.html) for a in book.articles()) < IN_PROCESS_BELOW_CHARS:
        from bindery.executors import local_runner

        return local_runner()
    return runner


def lay_out_print_edition(book: Book, xrefs: CrossReferences, say: Progress, runner: ChunkRunner | None = None) -> PrintLayout:
    """The print edition laid out once: the PDF, the cover and the EPUB's page-list all read it."""
    from bindery.layout import lay_out_print  # WeasyPrint is imported only by a build that lays out

    say("laying out the print edition")
    return lay_out_print(book, xrefs, Templates(book.root, "print"), runner)


def write_print_edition(book: Book, xrefs: CrossReferences, layout: PrintLayout, out_dir: Path, say: Progress) -> list[BuildOutput]:
    """The PDF from the layout, and for the print profile the cover, whose spine is the layout's page count."""
    from bindery.builders.cover import CoverBuilder
    from bindery.builders.pdf import PdfBuilder

    say(f"building the {PdfBuilder.format}")
    outputs = [PdfBuilder(book, xrefs, out_dir, layout=layout).build()]
    if book.pdf.profile == PdfProfile.PRINT:
        say(f"building the {CoverBuilder.format}")
        outputs.append(CoverBuilder(book, xrefs, out_dir, interior_pages=layout.page_count).build())
    return outputs


def package_ebook(
    book: Book, xrefs: CrossReferences, page_map: PageMap | None, out_dir: Path, say: Progress, cache: BuildCache | None = None
) -> BuildOutput:
    """The EPUB; with `page_map` (from the print layout) it carries the print edition's page-list."""
    say(f"building the {EpubBuilder.format}")
    return EpubBuilder(book, xrefs, out_dir, page_map=page_map, cache=cache).build()
