"""The EPUB 3 builder: hands Bindery's own XHTML, nav and NCX to EbookLib.

EbookLib re-parses `EpubHtml` content and builds its own nav; both lose
information, so every document goes in as a plain `EpubItem`, unchanged.
The archive is then normalised for reproducibility (see `reproducible`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

from ebooklib import epub
from lxml import etree

from bindery.accessibility import AccessibilityMetadata, describe_accessibility, print_edition_name
from bindery.build_cache import BuildCache
from bindery.builders.base import Artifact, Builder, BuildOutput
from bindery.builders.cover_image import CoverImage, generated_cover
from bindery.manifest.schema import Metadata
from bindery.model import Book
from bindery.output_names import output_names
from bindery.pagemap import PageMap
from bindery.render import Document, DocumentRole, package_images, render_ebook
from bindery.reproducible import build_time, normalise_epub, publication_date
from bindery.templating import Kind
from bindery.xref import CrossReferences

DC = "http://purl.org/dc/elements/1.1/"
XHTML = "application/xhtml+xml"


class EpubBuilder(Builder):
    name: ClassVar[str] = "epub"
    format: ClassVar[str] = "EPUB 3"
    template_kind: ClassVar[Kind] = "ebook"

    def __init__(
        self, book: Book, xrefs: CrossReferences, output_dir: Path, *, page_map: PageMap | None = None, cache: BuildCache | None = None
    ) -> None:
        """`page_map`: where the print edition's pages begin (from the PDF layout), for the page-list;
        `cache`: the build cache, where a generated cover is kept."""
        super().__init__(book, xrefs, output_dir)
        self.page_map = page_map
        self.cache = cache

    def build(self) -> BuildOutput:
        book = self.book
        meta = book.metadata
        modified = build_time(meta.date)
        cover = _cover_image(book, self.cache)
        rendering = render_ebook(book, self.xrefs, self.templates, page_map=self.page_map, cover_href=cover.name)
        accessibility, warnings = describe_accessibility(book, page_count=len(rendering.pages), print_edition=print_edition_name(book))

        pub = epub.EpubBook()
        pub.FOLDER_NAME = "OEBPS"
        _add_book_metadata(pub, meta)
        _add_accessibility_metadata(pub, accessibility)

        css = epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css", content=rendering.css.encode())
        pub.add_item(css)
        image = epub.EpubItem(uid="cover-image", file_name=cover.name, media_type=cover.media_type, content=cover.data)
        image.properties = ["cover-image"]
        pub.add_item(image)
        pub.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        for n, asset in enumerate(sorted(book.assets, key=lambda a: a.package_name), start=1):
            pub.add_item(epub.EpubItem(uid=f"image-{n}", file_name=asset.package_name, media_type=asset.media_type, content=asset.data))

        spine = []
        for n, doc in enumerate((package_images(d, book) for d in rendering.documents), start=1):
            item = epub.EpubItem(
                uid="nav" if doc.role == DocumentRole.TOC else f"doc-{n}",
                file_name=doc.name,
                media_type=XHTML,
                content=doc.content.encode("utf-8"),
            )
            item.properties = _properties(doc)
            pub.add_item(item)
            spine.append(item)
        pub.add_item(
            epub.EpubItem(uid="ncx", file_name="toc.ncx", media_type="application/x-dtbncx+xml", content=rendering.ncx.encode("utf-8"))
        )
        pub.spine = spine

        buffer = io.BytesIO()
        writer = _Writer(
            meta.language,
            buffer,
            pub,
            {"epub2_guide": False, "epub3_landmark": False, "epub3_pages": False, "mtime": modified.replace(tzinfo=None)},
        )
        writer.process()
        writer.write()
        data = normalise_epub(buffer.getvalue(), modified)
        return BuildOutput((Artifact(self.output_dir / output_names(book.slug, book.epub_filename).epub, data),), tuple(warnings))


class _Writer(epub.EpubWriter):  # type: ignore[misc]  # EbookLib has no type hints
    """EbookLib's writer, with the book's language on the OPF `package` (readers and Ace use it)."""

    def __init__(self, language: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language = language

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.language)
        super()._write_opf_file(root)


def _add_book_metadata(pub: epub.EpubBook, meta: Metadata) -> None:
    """The manifest's metadata as Dublin Core and its EPUB 3 refinements, in a fixed order."""
    pub.set_identifier(meta.identifier)
    # The subtitle is a second dc:title refined as one: Calibre reads the pair as "Title: Subtitle", the PDF's title.
    pub.title = meta.title
    pub.add_metadata("DC", "title", meta.title, {"id": "title"})
    if meta.subtitle:
        pub.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
        pub.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        pub.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    pub.set_language(meta.language)
    for n, author in enumerate(meta.authors, start=1):
        ident = f"creator-{n}" if author.role in ("aut",) else f"contributor-{n}"
        tag = "creator" if author.role == "aut" else "contributor"
        pub.add_metadata("DC", tag, author.name, {"id": ident})
        pub.add_metadata(None, "meta", author.role, {"refines": f"#{ident}", "property": "role", "scheme": "marc:relators"})
    # dc:date always: without `date:` in the manifest, the build's day, so readers never stamp their own.
    published = publication_date(meta.date)
    for tag, value in (("publisher", meta.publisher), ("rights", meta.rights), ("description", meta.description), ("date", published)):
        if value:
            pub.add_metadata("DC", tag, value)
    for subject in meta.subjects:
        pub.add_metadata("DC", "subject", subject)
    if meta.series:
        pub.add_metadata(None, "meta", meta.series, {"property": "belongs-to-collection", "id": "series"})
        pub.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        if meta.series_position:
            pub.add_metadata(None, "meta", str(meta.series_position), {"refines": "#series", "property": "group-position"})


def _add_accessibility_metadata(pub: epub.EpubBook, accessibility: AccessibilityMetadata) -> None:
    """The schema.org accessibility properties and the certifier's details."""
    for prop, value in accessibility.properties():
        pub.add_metadata(None, "meta", value, {"property": prop, **({"id": "certifier"} if prop == "a11y:certifiedBy" else {})})
    for element, prop, value in accessibility.certifier_details():
        if element == "link":  # the evaluation report is a link, not text (EPUB Accessibility 1.1)
            pub.add_metadata(None, "link", None, {"rel": prop, "refines": "#certifier", "href": value})
        else:
            pub.add_metadata(None, "meta", value, {"property": prop, "refines": "#certifier"})


def _cover_image(book: Book, cache: BuildCache | None) -> CoverImage:
    """The manifest's cover image, or a typographic one drawn from the metadata."""
    if book.cover is not None:
        return CoverImage(book.cover.package_name, book.cover.media_type, book.cover.data)
    return generated_cover(book, cache)


def _properties(doc: Document) -> list[str]:
    props = []
    if doc.role == DocumentRole.TOC:
        props.append("nav")
    if "<svg" in doc.content:
        props.append("svg")
    return props
