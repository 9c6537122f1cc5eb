"""Stage 5: render the resolved book through the templates.

`render_ebook` produces the EPUB's XHTML documents, nav, NCX and CSS;
`render_print` produces one HTML document and its paged CSS for WeasyPrint.
Both read the same immutable book model and cross-references.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from bindery.dates import long_date
from bindery.indexing.pages import Locators, pages_of
from bindery.manifest.vocabulary import FurtherReadingMode, MatterKind
from bindery.model import Book
from bindery.navigation import article_sections, outline_depth
from bindery.pagemap import PageMap, PageTarget, link_page_list, locate_pages, place_page_breaks, unplaced_targets, without_page_list
from bindery.printspec import PageMargins, screen_margins
from bindery.reproducible import publication_date
from bindery.templating import Templates
from bindery.xref import CrossReferences

BEFORE_TOC = (MatterKind.DEDICATION, MatterKind.EPIGRAPH)
ID_ATTR = re.compile(r'\sid="([^"]+)"')
LOCAL_HREF = re.compile(r'href="#([^"]+)"')
IMG_SRC = re.compile(r'(?<=<img )src="([^"]*)"')


class DocumentRole(StrEnum):
    """What an EPUB content document holds."""

    COVER = "cover"
    TITLEPAGE = "titlepage"
    COPYRIGHT = "copyright"
    FRONT = "front"
    TOC = "toc"  # the navigation document
    PART = "part"
    CHAPTER = "chapter"
    BACK = "back"
    FURTHER_READING = "further-reading"
    INDEX = "index"


@dataclass(frozen=True)
class Document:
    """One XHTML content document of the EPUB."""

    name: str  # file name inside the package, e.g. chapter-3.xhtml
    title: str
    content: str
    role: DocumentRole


@dataclass(frozen=True)
class EbookRendering:
    documents: tuple[Document, ...]  # in reading order (the spine)
    nav: str
    ncx: str
    css: str
    pages: tuple[PageTarget, ...] = ()  # the page-list: print pages in order, where each marker is


@dataclass(frozen=True)
class PrintRendering:
    html: str
    css: str
    base_dir: Path  # where relative URLs in the HTML resolve (the book folder)


def _context(book: Book, xrefs: CrossReferences) -> dict[str, Any]:
    front_early = [m for m in book.front_matter if m.kind in BEFORE_TOC]
    front_late = [m for m in book.front_matter if m.kind not in BEFORE_TOC]
    show_further = book.further_reading == FurtherReadingMode.APPENDIX and bool(xrefs.further_reading)
    return {
        "book": book,
        "meta": book.metadata,
        "xrefs": xrefs,
        "front_early": front_early,
        "front_late": front_late,
        "show_further_reading": show_further,
        "inline_further_reading": book.further_reading == FurtherReadingMode.INLINE,
        "year": publication_date(book.metadata.date)[:4],
        "published": publication_date(book.metadata.date),  # YYYY[-MM[-DD]]: the manifest's date, else the build's day
        "long_date": lambda iso: long_date(iso, book.metadata.language),  # "26 July 2025" in en-GB
        # sections(article, grouped): the headings below an article in the nav, NCX and bookmarks
        "sections": functools.partial(article_sections, depth=book.navigation.depth_level),
        "contents_sections": functools.partial(article_sections, depth=book.navigation.contents_level),  # printed contents
        "nav_depth": outline_depth(book, book.navigation.depth_level),
        "html": Markup,
        "matter_semantics": MATTER_SEMANTICS,
    }


def render_ebook(
    book: Book, xrefs: CrossReferences, templates: Templates, *, page_map: PageMap | None = None, cover_href: str | None = None
) -> EbookRendering:
    """The EPUB's documents; with `page_map` (from the print layout) they carry the print page breaks.

    `cover_href`: the cover image inside the package; with it, a cover page opens the book."""
    ctx = _context(book, xrefs)
    ctx["cover_href"] = cover_href
    ctx["index_locators"] = Locators(book, pages_of(book.index.locator_ids(), page_map) if book.index else None)
    docs, toc_index = _ebook_documents(book, templates, ctx, cover_href)

    id_to_doc = {ident: doc.name for doc in docs for ident in ID_ATTR.findall(doc.content)}
    for matter in book.front_matter + book.back_matter:
        id_to_doc.setdefault(matter.id, f"{matter.unit}.xhtml")

    def href(ident: str) -> str:
        return f"{id_to_doc.get(ident, '')}#{ident}"

    docs = [_link_across(doc, id_to_doc) for doc in docs]
    first_body = next((d for d in docs if d.role in (DocumentRole.PART, DocumentRole.CHAPTER)), docs[0])
    nav_args = {"href": href, "first_body": first_body, "documents": docs, "title": "Contents", **ctx}
    unplaced = unplaced_targets(page_map) if page_map is not None else []
    nav = templates.render("nav.xhtml.j2", page_list=unplaced, **nav_args)  # once; its page-list is linked below
    pages: list[PageTarget] = []
    if page_map is not None and page_map.pages:
        docs, nav, pages = _with_page_breaks(docs, nav, toc_index, page_map)
    nav_doc = Document("nav.xhtml", "Contents", nav, DocumentRole.TOC)
    docs.insert(toc_index, nav_doc)
    max_page = page_map.max_page_number if pages and page_map is not None else 0
    ncx = templates.render("toc.ncx.j2", href=href, title=book.metadata.title, page_list=pages, max_page_number=max_page, **ctx)
    css = templates.render("book.css.j2", **ctx)
    return EbookRendering(tuple(docs), nav, ncx, css, tuple(pages))


def _ebook_documents(book: Book, templates: Templates, ctx: dict[str, Any], cover_href: str | None) -> tuple[list[Document], int]:
    """The EPUB's documents in reading order, without the navigation document, and where it goes."""
    docs: list[Document] = []

    def add(name: str, template: str, title: str, role: DocumentRole, **extra: Any) -> None:
        content = templates.render(template, doc_name=name, title=title, href=_local_href, **ctx, **extra)
        docs.append(Document(name, title, content, role))

    if cover_href:
        add("cover.xhtml", "cover.xhtml.j2", "Cover", DocumentRole.COVER)
    add("titlepage.xhtml", "titlepage.xhtml.j2", book.metadata.title, DocumentRole.TITLEPAGE)
    add("copyright.xhtml", "copyright.xhtml.j2", "Copyright", DocumentRole.COPYRIGHT)
    for matter in ctx["front_early"]:
        add(f"{matter.unit}.xhtml", "matter.xhtml.j2", matter.title, DocumentRole.FRONT, matter=matter, division="frontmatter")
    toc_index = len(docs)
    for matter in ctx["front_late"]:
        add(f"{matter.unit}.xhtml", "matter.xhtml.j2", matter.title, DocumentRole.FRONT, matter=matter, division="frontmatter")
    for part in book.parts:
        if part.title is not None:
            add(f"{part.unit}.xhtml", "part.xhtml.j2", part.title, DocumentRole.PART, part=part)
        for chapter in part.chapters:
            add(f"{chapter.unit}.xhtml", "chapter.xhtml.j2", chapter.title, DocumentRole.CHAPTER, chapter=chapter)
    for matter in book.back_matter:
        add(f"{matter.unit}.xhtml", "matter.xhtml.j2", matter.title, DocumentRole.BACK, matter=matter, division="backmatter")
    if ctx["show_further_reading"]:
        add("further-reading.xhtml", "further-reading.xhtml.j2", "Further Reading", DocumentRole.FURTHER_READING)
    if book.index is not None:
        add("index.xhtml", "index.xhtml.j2", book.index.title, DocumentRole.INDEX)

    return docs, toc_index


def _with_page_breaks(docs: list[Document], nav: str, toc_index: int, page_map: PageMap) -> tuple[list[Document], str, list[PageTarget]]:
    """The documents and navigation document (rendered with `unplaced_targets`) with the print
    page breaks placed and the page-list linked to them, and the page targets."""
    spine = [(d.name, d.content) for d in docs]
    spine.insert(toc_index, ("nav.xhtml", without_page_list(nav)))
    pages = locate_pages(spine, page_map)
    docs = [Document(d.name, d.title, place_page_breaks(d.name, d.content, page_map, pages), d.role) for d in docs]
    nav = place_page_breaks("nav.xhtml", link_page_list(nav, pages), page_map, pages)
    return docs, nav, pages


def _local_href(ident: str) -> str:
    """Links are written within the document first; `_link_across` fixes them up."""
    return f"#{ident}"


def _link_across(doc: Document, id_to_doc: dict[str, str]) -> Document:
    """Point `#id` links at the document that holds the id."""

    def fix(match: re.Match[str]) -> str:
        target = id_to_doc.get(match.group(1))
        if target is None or target == doc.name:
            return match.group(0)
        return f'href="{target}#{match.group(1)}"'

    return Document(doc.name, doc.title, LOCAL_HREF.sub(fix, doc.content), doc.role)


def package_images(doc: Document, book: Book) -> Document:
    """The document with each article image pointing at its name inside the EPUB package
    (`assets.package_names`); the preview serves images under their book paths instead."""
    packaged = {quote(a.source): a.package_name for a in book.assets}

    def fix(match: re.Match[str]) -> str:
        return f'src="{packaged.get(match.group(1), match.group(1))}"'

    return Document(doc.name, doc.title, IMG_SRC.sub(fix, doc.content), doc.role)


def render_print(
    book: Book,
    xrefs: CrossReferences,
    templates: Templates,
    *,
    page: PageMargins | None = None,
    index_pages: Mapping[str, tuple[int, str]] | None = None,
) -> PrintRendering:
    """`page`: the margins of this layout pass (the print profile picks the gutter by page count).

    `index_pages`: where the index's places fell in a first layout (`indexing.pages.pages_of`),
    so that consecutive pages print as ranges; without it every place is listed."""
    ctx = _context(book, xrefs)
    ctx["href"] = _local_href
    ctx["index_locators"] = Locators(book, index_pages)
    first_body = next((p.id if p.title is not None else p.chapters[0].id for p in book.parts), None)
    html = templates.render("book.html.j2", first_body=first_body, **ctx)
    page = page or screen_margins(book.pdf)
    css = templates.render("book.css.j2", asset=lambda name: templates.find(name).resolve().as_uri(), page=page, **ctx)
    return PrintRendering(html, css, book.root)


# The epub:type and ARIA role of each front- and back-matter kind.
MATTER_SEMANTICS: dict[str, tuple[str | None, str | None]] = {
    "dedication": ("dedication", "doc-dedication"),
    "epigraph": ("epigraph", "doc-epigraph"),
    "foreword": ("foreword", "doc-foreword"),
    "preface": ("preface", "doc-preface"),
    "introduction": ("introduction", "doc-introduction"),
    "prologue": ("prologue", "doc-prologue"),
    "appendix": ("appendix", "doc-appendix"),
    "afterword": ("afterword", "doc-afterword"),
    "epilogue": ("epilogue", "doc-epilogue"),
    "glossary": ("glossary", "doc-glossary"),
    "bibliography": ("bibliography", "doc-bibliography"),
    "acknowledgments": ("acknowledgments", "doc-acknowledgments"),
    "colophon": ("colophon", "doc-colophon"),
    "about-the-author": (None, None),
}
