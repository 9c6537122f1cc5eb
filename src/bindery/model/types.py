"""The book model's types: everything a `Book` is made of, in one place.

All are frozen; `bindery.model.assemble` builds them (stage 3) and every later
stage only reads them. Reading from the top down: a `Book` holds front and
back `Matter`, `Part`s of `Chapter`s of `Article`s; an article holds its
`Heading`s, its `LinkOut`s to other articles and its `IndexMark`s; the book
holds every image as an `Asset` and the back-of-book index as a `BookIndex`
of `LetterGroup`s of `Entry`s.

A few parts come from the stages before the model and keep their home there
(imports run one way): `Metadata` and `PdfSettings` (`bindery.manifest.schema`),
`NavigationSettings` (`bindery.manifest.options`), the choices `MatterKind`
and `FurtherReadingMode` (`bindery.manifest.vocabulary`), and an article's
related entries, `RelatedSpec` (`bindery.related_entry`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bindery.diagnostics import Diagnostic
from bindery.manifest.options import NavigationSettings
from bindery.manifest.schema import Metadata, PdfSettings
from bindery.manifest.vocabulary import FurtherReadingMode, MatterKind
from bindery.related_entry import RelatedSpec

# The heading of a front- or back-matter article that has no title of its own.
MATTER_TITLES = {
    "dedication": "Dedication",
    "epigraph": "Epigraph",
    "foreword": "Foreword",
    "preface": "Preface",
    "introduction": "Introduction",
    "prologue": "Prologue",
    "appendix": "Appendix",
    "afterword": "Afterword",
    "epilogue": "Epilogue",
    "glossary": "Glossary",
    "bibliography": "Bibliography",
    "acknowledgments": "Acknowledgments",
    "about-the-author": "About the Author",
    "colophon": "Colophon",
}


@dataclass(frozen=True)
class Article:
    id: str  # unique across the book; also the anchor of its heading
    source: str  # path relative to the book folder
    title: str
    summary: str | None
    date: str | None
    authors: tuple[str, ...]
    category: str | None
    related: tuple[RelatedSpec, ...]
    html: str  # body as an XHTML fragment
    headings: tuple[Heading, ...]
    images: tuple[str, ...]
    digest: str
    image_lines: tuple[tuple[str, int | None], ...] = ()  # (image, source line) for messages
    index_marks: tuple[IndexMark, ...] = ()  # the places the index points at, ids book-wide
    links: tuple[LinkOut, ...] = ()  # links to other articles


@dataclass(frozen=True)
class Chapter:
    id: str
    number: int
    title: str
    articles: tuple[Article, ...]
    grouped: bool  # a titled group: its articles are sections
    unit: str  # name of the document that holds it (EPUB file stem)


@dataclass(frozen=True)
class Part:
    id: str
    number: int | None  # None: a book without parts has one untitled part
    title: str | None
    chapters: tuple[Chapter, ...]
    unit: str


@dataclass(frozen=True)
class Matter:
    """A front- or back-matter article: dedication, preface, appendix..."""

    kind: MatterKind
    article: Article
    unit: str

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def title(self) -> str:
        return self.article.title or MATTER_TITLES[self.kind]


@dataclass(frozen=True)
class Book:
    metadata: Metadata
    slug: str
    front_matter: tuple[Matter, ...]
    parts: tuple[Part, ...]
    back_matter: tuple[Matter, ...]
    further_reading: FurtherReadingMode
    pdf: PdfSettings
    epub_filename: str
    root: Path  # the book folder (absolute path)
    warnings: tuple[Diagnostic, ...] = ()  # found while assembling (e.g. raw HTML removed)
    index: BookIndex | None = None  # back_matter has {type: index}
    navigation: NavigationSettings = NavigationSettings()  # how deep the nav, NCX and bookmarks go
    assets: tuple[Asset, ...] = ()  # every image the articles show, decoded and checked; the only files builders read
    cover: Asset | None = None  # the manifest's cover image, checked like the others

    def asset(self, source: str) -> Asset | None:
        return next((a for a in self.assets if a.source == source), None)

    @property
    def has_parts(self) -> bool:
        return any(p.title is not None for p in self.parts)

    def chapters(self) -> Iterator[Chapter]:
        for part in self.parts:
            yield from part.chapters

    def articles(self) -> Iterator[Article]:
        for matter in self.front_matter:
            yield matter.article
        for chapter in self.chapters():
            yield from chapter.articles
        for matter in self.back_matter:
            yield matter.article

    def chapter_of(self, article_id: str) -> Chapter | None:
        return self._chapters_by_article.get(article_id)

    @cached_property
    def _chapters_by_article(self) -> dict[str, Chapter]:
        """Article id -> its chapter, built once (cross-references and templates ask for every article)."""
        found: dict[str, Chapter] = {}
        for chapter in self.chapters():
            for article in chapter.articles:
                found.setdefault(article.id, chapter)
        return found

    def unit_of(self, article_id: str) -> str:
        for matter in (*self.front_matter, *self.back_matter):
            if matter.id == article_id:
                return matter.unit
        chapter = self.chapter_of(article_id)
        if chapter is None:
            raise KeyError(article_id)
        return chapter.unit


# --- Inside an article ----------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    id: str
    text: str
    level: int


@dataclass(frozen=True)
class LinkOut:
    """A link to another article: checked once every article is rendered."""

    anchor: str  # the id the link points at
    article: str  # the target article's id (where the link goes when `anchor` does not exist)
    written: str  # the href as the author wrote it
    line: int | None


@dataclass(frozen=True)
class IndexMark:
    """One marked place in an article."""

    id: str  # within the article (ix--3); the article's id prefixes it in the book
    path: tuple[str, ...]  # ("Cover", "spine width")
    text: str  # what the reader sees there ("" for an invisible mark)
    sort: str | None = None
    see: str | None = None
    see_also: tuple[str, ...] = ()
    source: str = ""  # the markup as written, to find its line for messages
    file: str = ""  # the article, as messages name it (set by the model)
    line: int | None = None


# --- The book's images and index ------------------------------------------------


@dataclass(frozen=True)
class Asset:
    source: str  # book-relative path, as the article names it (decoded)
    package_name: str  # inside the EPUB, e.g. images/my-picture.png
    media_type: str
    data: bytes  # what both outputs use (an SVG cleaned)


@dataclass(frozen=True)
class Entry:
    id: str  # index--e12, the target of "see" links in the EPUB
    term: str
    locators: tuple[str, ...]  # ids of the marked places, in reading order
    see: tuple[tuple[str, str | None], ...] = ()  # (shown as, id of the entry) per "see"
    see_also: tuple[tuple[str, str | None], ...] = ()
    subentries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class LetterGroup:
    label: str
    id: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class BookIndex:
    title: str
    groups: tuple[LetterGroup, ...]

    def entries(self) -> Iterator[Entry]:
        for group in self.groups:
            for entry in group.entries:
                yield entry
                yield from entry.subentries

    def locator_ids(self) -> list[str]:
        return [ident for entry in self.entries() for ident in entry.locators]
