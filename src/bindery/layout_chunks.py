"""One chunk of the print edition laid out and written on its own.

`lay_out_chunk` is a plain function of plain data (`ChunkJob`): it runs in this
process, in a process pool or on a Dask worker, and gives back plain data
(`ChunkResult`: the chunk's PDF, its page count, where its ids and bookmarks
are, the folio and text position of each page, its warnings). A result is
stored as bytes by `ChunkResult.encode` (a JSON header and the PDF; never
pickle) and read back by `decode`, which refuses anything malformed.

The chunk is laid out with the words `kept_whole` (in their top-level
section, as `layout._layout` keeps them), again with each word it hyphenated
across a page turn kept whole until none is new (a page turn in one chapter
changes no line of another, so the chunk's own passes are the book's; the
result names the words kept, for the chunk's next job), and again when a footnote went astray
(`layout.settle_notes`); a chunk of odd page count ends with a blank verso
(`pad`), so the next one starts on a recto.
Which chunks there are and which page numbers they print is
`chunked_layout`'s business.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

import weasyprint

import bindery
from bindery.chunk_numbers import Kept, KeptLayout, cross_chunk_numbers, shape_key
from bindery.executors import refuse_after_interrupt
from bindery.frozen_heap import dropped
from bindery.layout import (
    Run,
    blank_verso,
    image_resolutions,
    lay_out_keeping_turns_whole,
    settle_notes,
    strip_interactive,
)
from bindery.layout_pages import PageText, read_pages
from bindery.pdf_join import CHUNK_PDF_OPTIONS
from bindery.pdf_write_speedup import linear_page_references
from bindery.print_fetcher import TEMPLATE_FILE_TYPES, BookURLFetcher
from bindery.render import PrintRendering
from bindery.weasyprint_log import weasyprint_messages

MAGIC = b"BINDERY-CHUNK-RESULT 2\n"


@dataclass(frozen=True)
class ChunkJob:
    """Everything one chunk's layout reads (picklable plain data).

    `kept_whole`: (top-level section, word) for the words an earlier layout of this chunk
    hyphenated across a page turn, kept whole from the start; `pad`: end an odd page count with a blank verso (every chunk
    but the last of a digital-profile book)."""

    index: int
    html: str
    css: str
    base_url: str
    assets: tuple[tuple[str, str, bytes], ...]
    template_dirs: tuple[str, ...]
    profile: str
    kept_whole: tuple[tuple[int, str], ...] = ()
    pad: bool = True

    def digest(self) -> str:
        """sha256 over every field, the template folders' files and the versions that lay it out."""
        sha = hashlib.sha256()
        head = {
            "index": self.index,
            "base_url": self.base_url,
            "template_dirs": list(self.template_dirs),
            "profile": self.profile,
            "kept_whole": [list(turn) for turn in self.kept_whole],
            "pad": self.pad,
            "assets": [[path, media, _sha256(data)] for path, media, data in self.assets],
            "template_files": [list(entry) for d in self.template_dirs for entry in _folder_digest(d)],
            "versions": [bindery.__version__, weasyprint.__version__, platform.python_version()],
        }
        for part in (json.dumps(head, sort_keys=True), self.html, self.css):
            data = part.encode("utf-8")
            sha.update(len(data).to_bytes(8, "big") + data)
        return sha.hexdigest()


@lru_cache(maxsize=256)
def _sha256(data: bytes) -> str:
    """An image's digest, once per process (the same bytes go into every chunk that shows it)."""
    return hashlib.sha256(data).hexdigest()


def _folder_digest(folder: str) -> tuple[tuple[str, str], ...]:
    """(relative path, sha256) of the files a template folder may give WeasyPrint."""
    root = Path(folder)
    if not root.is_dir():
        return ()
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TEMPLATE_FILE_TYPES)
    return tuple((str(p.relative_to(root)), _file_digest(str(p), *_stamp(p))) for p in found)


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@lru_cache(maxsize=1024)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """A template file's sha256, read again only when its size or modification time changed."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class ChunkResult:
    """A laid-out chunk (picklable plain data). `labels`: the folio printed on each page
    ("" for none); `page_map`: each page's folio, first word and ids for the EPUB's
    page-list (`layout_pages.page_map_of` joins the chunks'); `messages`: "weasyprint\\t.." (laying
    out), "written\\t.." (WeasyPrint's messages while writing the PDF),
    "refused\\tURL", "dpi\\tSRC\\tDPI"; `kept_whole`: the words kept whole in the final layout
    (the job's and the ones its passes found), by top-level section."""

    pdf: bytes
    page_count: int
    anchors: tuple[tuple[str, int], ...]
    bookmarks: tuple[tuple[int, str, int, float, float], ...]
    labels: tuple[str, ...]
    page_map: tuple[PageText, ...]
    messages: tuple[str, ...]
    kept_whole: tuple[tuple[int, str], ...] = ()

    @property
    def deferred(self) -> bool:
        """Laid out, its PDF not written yet (`serial_runner`; `write_deferred` writes it). The
        layout stage reads it like any other; the cache stores it, and the written one in its place."""
        return not self.pdf

    def encode(self) -> bytes:
        head = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "pdf"}
        head["page_map"] = [asdict(page) for page in self.page_map]
        head["pdf_length"] = len(self.pdf)
        text = json.dumps(head, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return MAGIC + len(text).to_bytes(8, "big") + text + self.pdf

    @classmethod
    def decode(cls, data: bytes) -> ChunkResult:
        """The result `encode` wrote; ValueError for anything else (a truncated, foreign or altered entry)."""
        if not isinstance(data, bytes) or not data.startswith(MAGIC) or len(data) < len(MAGIC) + 8:
            raise ValueError("not a Bindery chunk result")
        at = len(MAGIC) + 8
        size = int.from_bytes(data[len(MAGIC) : at], "big")
        try:
            head = json.loads(data[at : at + size].decode("utf-8"))
            return _from_header(head, data[at + size :])
        except (UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, AttributeError) as err:
            raise ValueError(f"malformed chunk result: {err}") from None


def _from_header(head: dict[str, object], pdf: bytes) -> ChunkResult:
    if not isinstance(head, dict) or head.get("pdf_length") != len(pdf) or (pdf and not pdf.startswith(b"%PDF-")):
        raise ValueError("malformed chunk result: the PDF is missing or cut short")
    result = ChunkResult(
        pdf=pdf,
        page_count=_int(head["page_count"]),
        anchors=tuple((_str(i), _int(n)) for i, n in _rows(head["anchors"], 2)),
        bookmarks=tuple((_int(lv), _str(lb), _int(n), _float(x), _float(y)) for lv, lb, n, x, y in _rows(head["bookmarks"], 5)),
        labels=tuple(_str(label) for label in _list(head["labels"])),
        page_map=tuple(_page_text(page) for page in _list(head["page_map"])),
        messages=tuple(_str(m) for m in _list(head["messages"])),
        kept_whole=tuple((_int(n), _str(w)) for n, w in _rows(head["kept_whole"], 2)),
    )
    if result.page_count != len(result.labels) or result.page_count != len(result.page_map):
        raise ValueError("malformed chunk result: page counts disagree")
    return result


def _page_text(page: object) -> PageText:
    if not isinstance(page, dict) or set(page) != {"folio", "first", "starts", "lead", "letters"}:
        raise ValueError("malformed chunk result: a page record")
    starts = tuple((_str(i), _int(at)) for i, at in _rows(page["starts"], 2))
    return PageText(_str(page["folio"]), _int(page["first"]), starts, _int(page["lead"]), _int(page["letters"]))


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("malformed chunk result: a list expected")
    return value


def _rows(value: object, width: int) -> list[list[Any]]:
    rows = _list(value)
    if not all(isinstance(row, list) and len(row) == width for row in rows):
        raise ValueError(f"malformed chunk result: rows of {width} expected")
    return rows  # type: ignore[return-value]  # checked just above


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("malformed chunk result: an integer expected")
    return value


def _float(value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError("malformed chunk result: a number expected")
    return float(value)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("malformed chunk result: a string expected")
    return value


ChunkRunner = Callable[[Sequence[ChunkJob]], list[ChunkResult]]


#: The layouts `serial_runner` keeps for the current layout stage (`chunked_layout` empties it).
KEPT = Kept()


def serial_runner(jobs: Sequence[ChunkJob]) -> list[ChunkResult]:
    """Each job laid out here, one after the other (the layout stage then gives it one job at a
    time), its layout kept for a later job that only prints other page numbers. A kept layout's
    PDF is written once, by `write_deferred` at the end of the layout stage: a later job of the
    chunk would make it another."""
    return [lay_out_chunk(job, KEPT, defer_pdf=True) for job in jobs]


def write_deferred(done: Sequence[tuple[ChunkJob, ChunkResult]]) -> list[ChunkResult]:
    """Each (job, its deferred result) with the PDF written from the layout `serial_runner` kept
    for it; a job whose layout is not kept (or shows other numbers) is laid out afresh."""
    finished = []
    for job, result in done:
        laid = KEPT.held(_shape(replace(job, kept_whole=result.kept_whole)), cross_chunk_numbers(job.html))
        finished.append(_result(job, laid) if laid is not None else lay_out_chunk(job))
    return finished


serial_runner.batch_size = 1  # type: ignore[attr-defined]  # one job at a time: the layout stage picks the order


def lay_out_in_lane(job: ChunkJob, lanes: int) -> ChunkResult:
    """`serial_runner` in one of `lanes` worker processes that each get the same chunks every round
    (`layout_lanes`): this process keeps its layouts, within its share of PAGES_KEPT."""
    refuse_after_interrupt()
    KEPT.share = lanes
    return lay_out_chunk(job, KEPT, defer_pdf=True)


def lay_out_chunk(job: ChunkJob, kept: Kept | None = None, *, defer_pdf: bool = False) -> ChunkResult:
    """Lay one chunk out and write its PDF (`CHUNK_PDF_OPTIONS`, and PDF/UA-1 in the digital profile).

    With `kept` (one process laying the chunks out one after another), a job that differs from
    an earlier layout of the chunk only in its cross-chunk page numbers takes that layout with
    the new numbers written in, when they fit (`chunk_numbers`); layouts are kept there while it has room.
    `defer_pdf`: a kept layout's result comes without its PDF (`ChunkResult.deferred`), for
    `write_deferred`. A layout that is not kept is handed to `frozen_heap.dropped`, which frees such layouts
    every few dozen pages (the collector would not see them: a worker kept them all)."""
    numbers = cross_chunk_numbers(job.html) if kept is not None else {}
    laid = kept.renumbered(_shape(job), numbers) if kept is not None and numbers else None
    held = laid is not None
    if laid is None:
        laid = _lay_out(job, numbers)
        held = kept is not None and kept.keep(_shape(replace(job, kept_whole=laid.kept_whole)), laid, job.index)
    result = _result(job, laid, write=not (held and defer_pdf))
    if not held:
        pages = len(laid.document.pages)
        del laid
        dropped(pages, kept.pages if kept is not None else 0)
    return result


def _shape(job: ChunkJob) -> str:
    return shape_key(replace(job, html="").digest(), job.html)


def _lay_out(job: ChunkJob, numbers: dict[str, str]) -> KeptLayout:
    """The chunk laid out afresh; `numbers`: its cross-chunk page numbers (`chunk_numbers`)."""
    fetcher = BookURLFetcher({Path(path): (media, data) for path, media, data in job.assets}, [Path(d) for d in job.template_dirs])
    base_dir = Path(url2pathname(unquote(urlparse(job.base_url).path)))
    rendering = PrintRendering(job.html, job.css, base_dir)
    run = Run(fetcher)
    run.keep(job.kept_whole)
    with weasyprint_messages() as said:
        document, text = lay_out_keeping_turns_whole(job.html, rendering, run)
        document = settle_notes(document, text, rendering, run)
        resolutions = image_resolutions(document)
        if job.pad and len(document.pages) % 2:
            document = document.copy([*document.pages, blank_verso(rendering, run)])
        anchors = _anchors(document)
        bookmarks = _bookmarks(document)
    return KeptLayout(document, numbers, tuple(said), tuple(fetcher.refused), resolutions, anchors, bookmarks, run.kept())


def _result(job: ChunkJob, laid: KeptLayout, write: bool = True) -> ChunkResult:
    """The chunk's PDF (unless not `write`) and what the layout stage reads from its layout."""
    document = laid.document
    pages = read_pages(document)
    bookmarks = () if job.profile == "print" else laid.bookmarks
    pdf, written = b"", list[str]()
    if write:
        if job.profile == "print":
            strip_interactive(document)
        with weasyprint_messages() as written:  # the one-document build reports these when it writes the PDF
            pdf = _write(document.copy(), job.profile)  # a copy starts with no fonts: a kept layout's glyphs drawn before stay out
    messages = [
        *(f"weasyprint\t{m}" for m in laid.said),
        *(f"written\t{m}" for m in written),
        *(f"refused\t{url}" for url in laid.refused),
        *(f"dpi\t{src}\t{dpi!r}" for src, dpi in sorted(laid.resolutions.items())),
    ]
    labels = tuple(p.folio for p in pages)
    return ChunkResult(pdf, len(document.pages), laid.anchors, bookmarks, labels, pages, tuple(messages), laid.kept_whole)


def _bookmarks(document: weasyprint.Document) -> tuple[tuple[int, str, int, float, float], ...]:
    """(level, label, page index, x, y) of each bookmark, in page order."""
    return tuple(
        (level, label, n, float(x), float(y)) for n, page in enumerate(document.pages) for level, label, (x, y), _state in page.bookmarks
    )


def _anchors(document: weasyprint.Document) -> tuple[tuple[str, int], ...]:
    found: dict[str, int] = {}
    for n, page in enumerate(document.pages):
        for ident in page.anchors:
            found.setdefault(ident, n)
    return tuple(found.items())


def _write(document: weasyprint.Document, profile: str) -> bytes:
    buffer = io.BytesIO()
    options = dict(CHUNK_PDF_OPTIONS)
    if profile != "print":
        options.setdefault("pdf_variant", "pdf/ua-1")
    with linear_page_references():
        document.write_pdf(buffer, **options)
    return buffer.getvalue()
