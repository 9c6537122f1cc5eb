"""Markdown to XHTML fragments, one fresh Python-Markdown instance per article.

Part of the book-model stage. A treeprocessor registered last gives every id
an article prefix (ids are unique across the whole book), shifts heading
levels to the article's depth, marks footnotes with EPUB/ARIA semantics and
records headings for later stages; the whole fragment then goes through
`bindery.sanitize`, which keeps it inside the book and records its images.
"""

from __future__ import annotations

import html.entities
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.indexing.markup import IndexExtension, IndexMark, MarkProblem
from bindery.sanitize import locate_unbalanced, sanitize_fragment, serialize_inner

SMART_CHARS = {
    "left-single-quote": "\u2018",
    "right-single-quote": "\u2019",
    "left-double-quote": "\u201c",
    "right-double-quote": "\u201d",
    "left-angle-quote": "\u00ab",
    "right-angle-quote": "\u00bb",
    "ellipsis": "\u2026",
    "ndash": "\u2013",
    "mdash": "\u2014",
}
XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


@dataclass(frozen=True)
class Heading:
    id: str
    text: str
    level: int


@dataclass
class RenderedArticle:
    html: str
    headings: list[Heading] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # book-relative paths
    links: list[str] = field(default_factory=list)  # hrefs as written
    image_lines: dict[str, int | None] = field(default_factory=dict)  # source line of each image
    warnings: list[Diagnostic] = field(default_factory=list)  # what `sanitize` removed
    index_marks: list[IndexMark] = field(default_factory=list)  # `[term]{.index}`, ids within the article
    index_problems: list[MarkProblem] = field(default_factory=list)


class _BookTreeprocessor(Treeprocessor):  # type: ignore[misc]  # Markdown ships no type hints
    def __init__(self, md: markdown.Markdown, prefix: str, heading_offset: int, article_dir: str) -> None:
        super().__init__(md)
        self.prefix = prefix
        self.offset = heading_offset
        self.article_dir = article_dir
        self.result = RenderedArticle("")

    def run(self, root: ET.Element) -> None:
        local_ids = {el.get("id") for el in root.iter() if el.get("id")}
        for el in root.iter():
            ident = el.get("id")
            if ident:
                el.set("id", f"{self.prefix}--{ident}")
            href = el.get("href")
            if el.tag == "a" and href:
                if href.startswith("#") and href[1:] in local_ids:
                    el.set("href", f"#{self.prefix}--{href[1:]}")
                self.result.links.append(href)
            if re.fullmatch(r"h[1-6]", el.tag):
                level = min(6, max(int(el.tag[1]), 2) + self.offset)
                el.tag = f"h{level}"
                self.result.headings.append(Heading(el.get("id") or "", "".join(el.itertext()), level))
            cls = el.get("class") or ""
            if el.tag == "div" and cls == "footnote":
                el.tag = "section"
                el.set("epub:type", "endnotes")
                el.set("role", "doc-endnotes")
                for child in list(el):
                    if child.tag == "hr":
                        el.remove(child)
            elif el.tag == "a" and cls == "footnote-ref":
                el.set("epub:type", "noteref")
                el.set("role", "doc-noteref")
            elif el.tag == "a" and cls == "footnote-backref":
                el.set("role", "doc-backlink")
                el.set("aria-label", "Back to text")
                el.attrib.pop("title", None)
            # The notes themselves stay plain list items: `endnotes` on the section
            # says what they are (EPUB SSV deprecates `endnote`; `footnote` has no
            # ARIA role allowed on `li`, which DAISY Ace reports).


class _BookExtension(Extension):  # type: ignore[misc]  # Markdown ships no type hints
    def __init__(self, prefix: str, heading_offset: int, article_dir: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.offset = heading_offset
        self.article_dir = article_dir
        self.processor: _BookTreeprocessor | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        self.processor = _BookTreeprocessor(md, self.prefix, self.offset, self.article_dir)
        md.treeprocessors.register(self.processor, "bindery_book", 0)


def _entity_to_char(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in XML_ENTITIES:
        return match.group(0)
    char = html.entities.html5.get(name + ";")
    return char if char else "&amp;" + match.group(0)[1:]  # not an entity: the text as written


def render_markdown(
    text: str, *, prefix: str, heading_offset: int, source: str, body_line: int, name: str | None = None
) -> RenderedArticle:
    """Render one article body to a well-formed XHTML fragment.

    `source` is the article's path in the book folder; `name` how messages name it."""
    ext = _BookExtension(prefix, heading_offset, posixpath.dirname(source))
    index_ext = IndexExtension()
    md = markdown.Markdown(
        extensions=[
            "footnotes",
            "tables",
            "attr_list",
            "smarty",
            "toc",
            "fenced_code",
            "def_list",
            "abbr",
            "sane_lists",
            ext,
            index_ext,
        ],
        extension_configs={
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "\u21a9\ufe0e", "BACKLINK_TITLE": ""},
            "smarty": {"substitutions": SMART_CHARS},
            "toc": {"permalink": False},
        },
        output_format="xhtml",
    )
    body = md.convert(text)
    body = ENTITY.sub(_entity_to_char, body)
    try:
        tree = ET.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{body}</div>')
    except ET.ParseError as exc:
        found = locate_unbalanced(text, first_line=body_line)
        raise BinderyError(
            Diagnostic(
                f"the article's raw HTML is not well-formed: {found[1] if found else exc.msg}",
                file=name or source,
                line=body_line + found[0] - 1 if found else body_line,
                hint="close every raw HTML tag you write in Markdown, or use Markdown syntax instead",
                code="content-html",
            )
        ) from None
    assert ext.processor is not None
    result = ext.processor.result

    lowered = text.lower()

    def locate(needle: str) -> int | None:
        at = lowered.find(needle.lower()) if needle else -1
        return body_line + text.count("\n", 0, at) if at >= 0 else None

    clean = sanitize_fragment(tree, article_dir=posixpath.dirname(source), source=name or source, locate=locate)
    result.html = serialize_inner(tree) if clean.changed else body
    result.images = clean.images
    result.image_lines = clean.image_lines
    result.warnings = clean.warnings
    result.index_marks, result.index_problems = index_ext.marks, index_ext.problems
    return result
