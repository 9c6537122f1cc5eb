"""The print edition laid out chunk by chunk (`chunk_split`), page numbers settled by a fixed point.

Each chunk is one WeasyPrint document (`layout_chunks.lay_out_chunk`, run by
the `ChunkRunner` the caller gives). A chunk's job holds its first folio and
the page numbers it prints for links into other chunks (the contents,
cross-references, further-reading backlinks, the index); before a chunk was
laid out its page count is guessed from its share of the HTML, so a first
number already has about the width of the final one. After each batch the
offsets and numbers are worked out again, and a chunk is laid out again only
when its job changed (its offset, a number it shows, its HTML): the fixed
point is reached when no job changes. The arabic folios restart at the first
part or chapter, so the body and back matter go first and the front matter
(the contents) last, when every number it prints is known.

A runner with `batch_size = 1` (the serial runner) gets one job at a time, so
every chunk's offset is exact when it is laid out; any other gets a whole
round at once. The print profile's gutter band and the index's page ranges
join the same loop: a new band or new index ranges give new chunk HTML/CSS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from bindery.builders.print_html import prepare_for_print
from bindery.chunk_split import Chunk, chunk_css, split_chunks, with_cross_chunk_pages
from bindery.diagnostics import Diagnostic
from bindery.indexing.pages import pages_of
from bindery.layout import PrintLayout, low_resolution_warnings, page_count_warnings, weasyprint_warnings
from bindery.layout_chunks import KEPT, ChunkJob, ChunkResult, ChunkRunner, write_deferred
from bindery.layout_pages import page_map_of
from bindery.model import Book
from bindery.pagemap import PageMap
from bindery.printspec import GUTTER_BANDS, MIN_PAGES, PageMargins, padded_to_even, print_margins, screen_margins
from bindery.render import PrintRendering, render_print
from bindery.templating import Templates
from bindery.xref import CrossReferences

MAX_ROUNDS = 6  # rounds of layouts; most books settle in one or two
PAGES_PER_CHAR = 1 / 2500  # a first guess of a chunk's pages from its HTML, before any chunk is laid out


@dataclass
class _State:
    """What the loop knows: the chunks of the current rendering and the last layout of each."""

    book: Book
    xrefs: CrossReferences
    templates: Templates
    margins: PageMargins
    rendering: PrintRendering
    chunks: list[Chunk]
    index_pages: dict[str, tuple[int, str]] | None = None
    laid: dict[int, tuple[str, ChunkResult]] = field(default_factory=dict)
    jobs: dict[int, ChunkJob] = field(default_factory=dict)  # chunk -> the job of its deferred result
    owner: dict[str, int] = field(default_factory=dict)  # id -> the chunk that holds it
    found: dict[int, dict[str, int]] = field(default_factory=dict)  # chunk -> id -> its page there (WeasyPrint's anchors)
    kept_whole: dict[int, tuple[tuple[int, str], ...]] = field(default_factory=dict)  # chunk -> what its last layout kept whole


@dataclass(frozen=True)
class ChunkedLayout:
    results: tuple[ChunkResult, ...]
    page_map: PageMap
    rendering: PrintRendering
    settled: bool


def lay_out_chunked(book: Book, xrefs: CrossReferences, templates: Templates, runner: ChunkRunner) -> ChunkedLayout:
    """The book laid out chunk by chunk as the one-document layout lays it out (`layout.py`): per
    gutter band, the book, then the book with the index's ranges (which change only the index's
    chunk; the one-document layout prints them in its later passes); each a fixed point over the
    chunks. `settled`: every fixed point was reached within MAX_ROUNDS."""
    settings = book.pdf
    margins = print_margins(settings, MIN_PAGES) if settings.profile == "print" else screen_margins(settings)
    state = _State(book, xrefs, templates, margins, PrintRendering("", "", Path(book.root)), [])
    batch = getattr(runner, "batch_size", None) or 0  # serial_runner (and a cache around it) says 1
    try:
        settled = _stages(state, runner, batch)
        _write_deferred(state, runner)
    finally:
        _forget(runner)  # what serial_runner (or each lane) kept for this book's layouts
    results = _results(state)
    return ChunkedLayout(results, page_map_of([r.page_map for r in results]), state.rendering, settled)


def _stages(state: _State, runner: ChunkRunner, batch: int) -> bool:
    book, settings = state.book, state.book.pdf
    settled = True
    for _ in GUTTER_BANDS:  # the band only moves up: one pass per band at most
        settled = _stage(state, runner, batch, None) and settled
        if book.index is not None:  # the index is last: nothing before it moves
            ranges = pages_of(book.index.locator_ids(), page_map_of([r.page_map for r in _results(state)]))
            settled = _stage(state, runner, batch, ranges) and settled
        if settings.profile != "print":
            break
        wanted = print_margins(settings, padded_to_even(sum(r.page_count for r in _results(state))))
        if wanted == state.margins:
            break
        state.margins = wanted
        # Every chunk's CSS changes with the band: no kept layout serves again (nor is any result
        # of it left). A lane (`layout_lanes`) keeps its process and drops each chunk's old layout
        # when it lays the chunk out again (`Kept.keep`).
        KEPT.clear()
    return settled


def _forget(runner: ChunkRunner) -> None:
    """Kept layouts emptied at the end of the stage: this process's, and those of the runner's own
    processes (`layout_lanes` ends them)."""
    KEPT.clear()
    forget = getattr(runner, "forget", None)
    if forget is not None:
        forget()


def _write_deferred(state: _State, runner: ChunkRunner) -> None:
    """The PDFs the runner left unwritten (`ChunkResult.deferred`: `serial_runner` writes a kept
    layout's once, when no later job of the chunk can change it), written by `write_deferred`
    (or by the build cache's `finish` around the runner, which also stores them)."""
    deferred = [k for k, (_, result) in state.laid.items() if result.deferred]
    if not deferred:
        return
    finish = getattr(runner, "finish", write_deferred)
    for k, result in zip(deferred, finish([(state.jobs[k], state.laid[k][1]) for k in deferred]), strict=True):
        state.laid[k] = (state.laid[k][0], result)


def _results(state: _State) -> tuple[ChunkResult, ...]:
    return tuple(state.laid[k][1] for k in range(len(state.chunks)))


def _stage(state: _State, runner: ChunkRunner, batch: int, index_pages: dict[str, tuple[int, str]] | None) -> bool:
    """One layout of the book as `layout._layout` does it: a fixed point over the chunks, each
    chunk doing its own page-turn passes (`lay_out_chunk`; a page turn in one chapter changes no
    line of another)."""
    _render(state, index_pages)
    return _fixed_point(state, runner, batch)


def _fixed_point(state: _State, runner: ChunkRunner, batch: int) -> bool:
    """Rounds of layouts until one lays out nothing (True), at most MAX_ROUNDS (False)."""
    return any(not _round(state, runner, batch) for _ in range(MAX_ROUNDS))


def chunked_print_layout(book: Book, xrefs: CrossReferences, templates: Templates, runner: ChunkRunner) -> PrintLayout:
    """The `PrintLayout` of the book laid out chunk by chunk, with the warnings the one-document layout gives."""
    laid = lay_out_chunked(book, xrefs, templates, runner)
    said: list[str] = []
    refused: list[str] = []
    worst: dict[str, float] = {}
    written: list[str] = []
    for result in laid.results:
        for message in result.messages:
            kind, _, rest = message.partition("\t")
            if kind == "dpi":
                src, _, dpi = rest.rpartition("\t")
                worst[src] = min(float(dpi), worst.get(src, float(dpi)))
            elif kind == "written":
                written.append(rest)
            else:
                (said if kind == "weasyprint" else refused).append(rest)
    page_count = sum(result.page_count for result in laid.results)
    diagnostics = weasyprint_warnings(said, refused)
    if book.pdf.profile == "print":
        diagnostics += page_count_warnings(page_count)
    diagnostics += low_resolution_warnings(worst)
    diagnostics += [
        Diagnostic(
            f"refused to fetch {url}", severity="warning", hint="keep images and styles inside the book folder", code="pdf-url-refused"
        )
        for url in sorted(set(refused))
    ]
    if not laid.settled:
        diagnostics.append(
            Diagnostic(
                f"the chunked layout still changed after {MAX_ROUNDS} rounds; a page number may be off",
                severity="warning",
                hint="build again; if it stays, lay the book out as one document (--jobs 1)",
                code="pdf-chunks-unsettled",
            )
        )
    return PrintLayout(None, laid.page_map, page_count, laid.rendering, tuple(diagnostics), laid.results, tuple(written))


def _render(state: _State, index_pages: dict[str, tuple[int, str]] | None) -> _State:
    state.rendering = render_print(state.book, state.xrefs, state.templates, page=state.margins, index_pages=index_pages)
    state.index_pages = index_pages
    state.chunks = split_chunks(prepare_for_print(state.rendering.html))
    state.owner = {ident: k for k, chunk in enumerate(state.chunks) for ident in chunk.ids}
    return state


def _order(chunks: Sequence[Chunk]) -> list[int]:
    """Chunks from the first part or chapter on, then the ones before it (their folios restart)."""
    start = next((k for k, c in enumerate(chunks) if c.body_start), 0)
    return [*range(start, len(chunks)), *range(start)]


def _round(state: _State, runner: ChunkRunner, batch: int) -> bool:
    """Lay out, batch by batch, every chunk whose job differs from its last layout; False when none did.

    One job at a time (`batch` 1), the next is the first chunk whose offset and numbers are
    already exact, if any: so the contents waits for the chunks it points at."""
    queue = _order(state.chunks)
    done: set[int] = set()
    ran = False
    while queue:
        take: list[tuple[str, ChunkJob]] = []
        while queue and (not batch or len(take) < batch):
            k = _next(state, queue, done) if batch == 1 else queue[0]
            queue.remove(k)
            done.add(k)
            job = _job(state, k)
            digest = job.digest()
            if k not in state.laid or state.laid[k][0] != digest:
                take.append((digest, job))
        if not take:
            continue
        for (digest, job), result in zip(take, runner([job for _, job in take]), strict=True):
            if result.kept_whole != job.kept_whole:  # the next job keeps these whole from the start: the same layout
                digest = replace(job, kept_whole=result.kept_whole).digest()
            state.laid[job.index] = (digest, result)
            if result.deferred:  # its PDF is written from its job at the end (`_write_deferred`)
                state.jobs[job.index] = job
            else:
                state.jobs.pop(job.index, None)
            state.found[job.index] = dict(result.anchors)
            state.kept_whole[job.index] = result.kept_whole
        ran = True
    return ran


def _next(state: _State, queue: list[int], done: set[int]) -> int:
    """The first chunk of `queue` whose first folio and cross-chunk numbers are exact now (else the first)."""
    counts = _page_counts(state)
    exact: list[bool] = []  # the chunk's first folio is known: every chunk since the folios restarted is done
    since = True
    for k, chunk in enumerate(state.chunks):
        since = True if chunk.body_start else since
        exact.append(since)
        since = since and k in done

    def number_exact(ident: str, k: int) -> bool:
        j = state.owner.get(ident, k)
        if j == k or j in done:
            return True
        at_start = j not in state.found and int(state.chunks[j].ids[ident] * counts[j]) == 0
        return at_start and exact[j]

    for k in queue:
        if exact[k] and all(number_exact(ident, k) for ident in state.chunks[k].targets):
            return k
    return queue[0]


def _job(state: _State, k: int) -> ChunkJob:
    chunk = state.chunks[k]
    elsewhere = [ident for ident in chunk.targets if state.owner.get(ident, k) != k]
    counters = {ident: counter for ident, (_, counter, _) in _places(state, elsewhere).items()}
    html = with_cross_chunk_pages(chunk.html, chunk.ids, counters)
    first_folio = None if k == 0 else _starts(state)[k][1]
    book = state.book
    css = chunk_css(state.rendering.css, first_folio)
    return ChunkJob(
        index=k,
        html=html,
        css=css,
        base_url=state.rendering.base_dir.resolve().as_uri() + "/",
        assets=_assets(book, html + css),
        template_dirs=tuple(str(d.resolve()) for d in state.templates.dirs),
        profile=book.pdf.profile,
        kept_whole=state.kept_whole.get(k, ()),  # and in every later layout of the chunk, as in one document
        pad=book.pdf.profile == "print" or k < len(state.chunks) - 1,
    )


def _assets(book: Book, text: str) -> tuple[tuple[str, str, bytes], ...]:
    """The book's checked images whose file name the chunk's HTML or CSS mentions (the others it cannot use)."""
    root = Path(book.root)
    listed = [*book.assets, *([book.cover] if book.cover else [])]
    used = [a for a in listed if Path(a.source).name in text or quote(Path(a.source).name) in text]
    return tuple(sorted((str((root / a.source).resolve()), a.media_type, a.data) for a in used))


def _page_counts(state: _State) -> list[int]:
    """Each chunk's pages: from its last layout, else guessed from its HTML (even when it is padded)."""
    known_pages = sum(r.page_count for _, r in state.laid.values())
    known_chars = sum(len(state.chunks[k].html) for k in state.laid if k < len(state.chunks))
    ratio = known_pages / known_chars if known_pages and known_chars else PAGES_PER_CHAR
    counts = []
    for k, chunk in enumerate(state.chunks):
        if k in state.laid:
            counts.append(state.laid[k][1].page_count)
            continue
        pages = len(chunk.html) * ratio  # the laid-out chunks' pages per character (padded ones included)
        padded = k < len(state.chunks) - 1 or state.book.pdf.profile == "print"
        counts.append(2 * max(1, round(pages / 2)) if padded else max(1, round(pages)))  # the nearest even count, as padded ones are
    return counts


def _starts(state: _State) -> list[tuple[int, int]]:
    """(first physical page, first page counter) of each chunk."""
    out: list[tuple[int, int]] = []
    physical, counter = 1, 1
    for chunk, pages in zip(state.chunks, _page_counts(state), strict=True):
        if chunk.body_start:
            counter = 1
        out.append((physical, counter))
        physical += pages
        counter += pages
    return out


def _places(state: _State, ids: Sequence[str]) -> dict[str, tuple[int, int, bool]]:
    """id -> (physical page, page counter, printed in roman) for each of `ids` in some chunk
    (guessed in a chunk not laid out yet)."""
    counts = _page_counts(state)
    starts = _starts(state)
    out: dict[str, tuple[int, int, bool]] = {}
    for ident in ids:
        k = state.owner.get(ident)
        if k is None:
            continue
        if k in state.found:
            n = state.found[k].get(ident)
            if n is None:
                continue
        else:
            n = min(int(state.chunks[k].ids[ident] * counts[k]), counts[k] - 1)
        physical, counter = starts[k]
        out[ident] = (physical + n, counter + n, state.chunks[k].kind == "front")
    return out
