"""EPUB Accessibility 1.1 metadata, derived from the book rather than declared.

What Bindery's templates always give (structural navigation, a table of
contents, a reading order, text that reflows) is claimed outright; what
depends on the content is looked up: images make the book partly visual,
`alternativeText` is claimed only when every image has a description (an
image without one is a warning naming the article), page navigation only when
the EPUB carries a page-list taken from the print edition. Conformance
(`dcterms:conformsTo`, `a11y:certifiedBy`) is claimed only when the manifest's
`accessibility:` names who evaluated the book, and never for a book with an
undescribed image.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html

from bindery.diagnostics import Diagnostic
from bindery.manifest.options import CONFORMANCE as CONFORMANCE  # the statement a certified book claims by default
from bindery.manifest.options import AccessibilityClaim
from bindery.model import Book
from bindery.paths import display_path

ALWAYS = ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability")


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    article: str  # the article's source file, book-relative


@dataclass(frozen=True)
class AccessibilityMetadata:
    access_modes: tuple[str, ...]
    access_modes_sufficient: tuple[str, ...]  # each entry a comma-separated set
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str
    conforms_to: str | None  # None unless the manifest names an evaluator and every image is described
    certified_by: str | None
    page_break_source: str | None  # the print edition, when there is a page-list
    credential: str | None = None  # the evaluator's credential, from the manifest
    report: str | None = None  # where the evaluation report is, from the manifest

    def properties(self) -> list[tuple[str, str]]:
        """(property, value) for one OPF `<meta>` each, in a stable order."""
        out = [("schema:accessMode", mode) for mode in self.access_modes]
        out += [("schema:accessModeSufficient", modes) for modes in self.access_modes_sufficient]
        out += [("schema:accessibilityFeature", feature) for feature in self.features]
        out += [("schema:accessibilityHazard", hazard) for hazard in self.hazards]
        out.append(("schema:accessibilitySummary", self.summary))
        if self.conforms_to:
            out.append(("dcterms:conformsTo", self.conforms_to))
        if self.certified_by:
            out.append(("a11y:certifiedBy", self.certified_by))  # refined by `certifier_details`
        if self.page_break_source:
            out.append(("pageBreakSource", self.page_break_source))
        return out

    def certifier_details(self) -> list[tuple[str, str, str]]:
        """(element, property or rel, value) refining the `a11y:certifiedBy` meta: a credential `meta`, a report `link`."""
        out = []
        if self.certified_by and self.credential:
            out.append(("meta", "a11y:certifierCredential", self.credential))
        if self.certified_by and self.report:
            out.append(("link", "a11y:certifierReport", self.report))
        return out


def book_images(book: Book) -> list[Image]:
    """Every image of the articles, with its alt text ("" when it has none)."""
    images = []
    for article in book.articles():
        if "<img" not in article.html:
            continue
        for fragment in lxml.html.fragments_fromstring(article.html):
            if isinstance(fragment, str):
                continue
            for img in fragment.iter("img"):
                images.append(Image(img.get("src") or "", (img.get("alt") or "").strip(), article.source))
    return images


def describe_accessibility(book: Book, *, page_count: int, print_edition: str | None) -> tuple[AccessibilityMetadata, list[Diagnostic]]:
    """The book's accessibility metadata and a warning per image without alt text.

    `page_count` is the number of page-list entries (0: no page navigation);
    `print_edition` names the edition the page breaks come from.
    """
    meta = book.metadata
    images = book_images(book)
    missing = [image for image in images if not image.alt]
    warnings = [_missing_alt_warning(book, image) for image in missing]
    visual = bool(images) or bool(meta.cover)
    described = not missing
    modes = ("textual", "visual") if visual else ("textual",)
    sufficient: tuple[str, ...] = ("textual",) if described else ()
    if visual:
        sufficient += ("textual,visual",)
    claim = meta.accessibility if described else None  # only who evaluated the book may claim conformance
    return (
        AccessibilityMetadata(
            access_modes=modes,
            access_modes_sufficient=sufficient,
            features=_features(bool(images), described, page_count),
            hazards=("none",),
            summary=_summary(len(images), len(missing), page_count, print_edition, claim),
            conforms_to=claim.conforms_to if claim else None,
            certified_by=claim.certified_by if claim else None,
            page_break_source=print_edition if page_count else None,
            credential=claim.credential if claim else None,
            report=claim.report if claim else None,
        ),
        warnings,
    )


def _missing_alt_warning(book: Book, image: Image) -> Diagnostic:
    return Diagnostic(
        f"image '{image.src}' has no alt text",
        file=display_path(book.root / image.article),
        line=_line_of(book, image),
        severity="warning",
        hint="describe it in the brackets: ![What the image shows](path); until every image has one,"
        " the EPUB claims neither alternativeText nor WCAG conformance",
        code="image-no-alt",
    )


def _features(has_images: bool, described: bool, page_count: int) -> tuple[str, ...]:
    """The schema:accessibilityFeature values."""
    features = list(ALWAYS)
    if has_images and described:
        features.append("alternativeText")
    if page_count:
        features += ["printPageNumbers", "pageNavigation"]
    return tuple(features)


def _summary(images: int, missing: int, pages: int, print_edition: str | None, claim: AccessibilityClaim | None) -> str:
    parts = [
        "This EPUB has a linked table of contents, headings and landmarks that follow the book's structure,"
        " and a reading order that matches the print edition; its text reflows and takes the reader's own fonts and sizes."
    ]
    if pages:
        parts.append(f"A page list and page-break markers give the {pages} page numbers of {print_edition or 'the print edition'}.")
    if images and not missing:
        parts.append("Every image has a text description.")
    elif missing:
        verb = "has" if missing == 1 else "have"
        parts.append(f"{missing} of {images} images {verb} no text description, so the book does not claim WCAG conformance.")
    if claim:
        parts.append(f"{claim.certified_by} evaluated it as meeting {claim.conforms_to}.")
    elif not missing:
        parts.append("No one has yet evaluated its conformance to EPUB Accessibility 1.1.")
    return " ".join(parts)


def _line_of(book: Book, image: Image) -> int | None:
    """The line of the article that names the image, for the warning."""
    name = image.src.rsplit("/", 1)[-1]
    try:
        lines = (book.root / image.article).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, start=1) if name in line), None)


def print_edition_name(book: Book) -> str:
    """How the metadata names the print edition the page numbers come from."""
    meta = book.metadata
    details = ", ".join(x for x in (meta.publisher, (meta.date or "")[:4]) if x)
    return f"{meta.title}, print edition" + (f" ({details})" if details else "")
