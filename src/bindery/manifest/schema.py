"""What a valid `book.yaml` becomes: the frozen dataclasses stage 1 hands on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bindery.manifest.options import AccessibilityClaim, NavigationSettings
from bindery.manifest.vocabulary import FurtherReadingMode, MatterKind, PdfProfile
from bindery.yamlsource import LineMap


@dataclass(frozen=True)
class Author:
    name: str
    role: str = "aut"  # MARC relator code


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str | None
    authors: tuple[Author, ...]
    language: str
    identifier: str
    identifier_derived: bool
    publisher: str | None
    date: str | None
    rights: str | None
    description: str | None
    subjects: tuple[str, ...]
    series: str | None
    series_position: int | None
    cover: str | None
    accessibility: AccessibilityClaim | None = None  # who evaluated the book: without it, no conformance claim

    @property
    def author_names(self) -> str:
        names = [a.name for a in self.authors if a.role == "aut"] or [a.name for a in self.authors]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + ", and " + names[-1]


@dataclass(frozen=True)
class ArticleRef:
    """One article file named by the manifest, with the line that names it."""

    path: str  # relative to the book folder, POSIX form
    line: int
    key: str


@dataclass(frozen=True)
class MatterSpec:
    kind: MatterKind
    article: ArticleRef


@dataclass(frozen=True)
class ChapterSpec:
    title: str | None  # set for a titled group of articles
    articles: tuple[ArticleRef, ...]
    line: int


@dataclass(frozen=True)
class PartSpec:
    title: str | None  # None: chapters listed without parts
    chapters: tuple[ChapterSpec, ...]
    line: int


@dataclass(frozen=True)
class PdfSettings:
    trim_name: str
    width_in: float
    height_in: float
    margin_top_in: float = 0.75
    margin_bottom_in: float = 0.75
    margin_inside_in: float = 0.875
    margin_outside_in: float = 0.625
    font_size_pt: float = 10.5
    profile: PdfProfile = PdfProfile.DIGITAL  # digital: bookmarks, links, PDF/UA-1 | print: for a print-on-demand upload
    bleed: bool = False
    crop_marks: bool = False
    paper: str = "white"  # white | cream: sets the spine width of the print cover
    inside_given: bool = False  # margins.inside set in the manifest (else the print gutter band decides)


@dataclass(frozen=True)
class EpubSettings:
    filename: str


@dataclass(frozen=True)
class Manifest:
    root: Path
    path: Path
    slug: str
    metadata: Metadata
    front_matter: tuple[MatterSpec, ...]
    parts: tuple[PartSpec, ...]
    back_matter: tuple[MatterSpec, ...]
    further_reading: FurtherReadingMode
    pdf: PdfSettings
    epub: EpubSettings
    navigation: NavigationSettings = NavigationSettings()
    lines: LineMap = field(repr=False, compare=False, default=LineMap({}))
    index: bool = False  # back_matter has {type: index}: the book ends with an index
    ignore_warnings: tuple[str, ...] = ()  # warning codes not shown and not failing --strict

    @property
    def has_parts(self) -> bool:
        return any(p.title is not None for p in self.parts)

    def article_refs(self) -> list[ArticleRef]:
        refs = [m.article for m in self.front_matter]
        refs += [a for p in self.parts for c in p.chapters for a in c.articles]
        refs += [m.article for m in self.back_matter]
        return refs
