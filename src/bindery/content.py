"""Markdown to XHTML fragments, one fresh Python-Markdown instance per article.

Part of the book-model stage. Python-Markdown's HTML (raw HTML included) goes
through `bindery.sanitize.clean_html`, which parses it once as HTML5 and keeps
what the allow-list names. `bindery.articletree` then works on that one clean
tree: every id gets the article's prefix (ids from articles can never capture
the book's own), headings move to the article's depth, footnotes get their
EPUB/ARIA semantics, links to other articles' files become links to those
articles. Both outputs are serialized from that tree.
"""

from __future__ import annotations

import html.entities
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field

import markdown

from bindery.articletree import book_semantics, check_footnotes
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.indexing.markup import IndexExtension, MarkProblem
from bindery.model.types import Heading, IndexMark, LinkOut
from bindery.sanitize import clean_html, serialize_inner
from bindery.tagbalance import HTML_VOID, locate_unbalanced, without_code

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


@dataclass
class RenderedArticle:
    html: str
    headings: list[Heading] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # book-relative paths
    links: list[LinkOut] = field(default_factory=list)  # links to other articles, to check once all are rendered
    image_lines: dict[str, int | None] = field(default_factory=dict)  # source line of each image
    warnings: list[Diagnostic] = field(default_factory=list)  # what `sanitize` removed
    index_marks: list[IndexMark] = field(default_factory=list)  # `[term]{.index}`, ids within the article
    index_problems: list[MarkProblem] = field(default_factory=list)


def _entity_to_char(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in XML_ENTITIES:
        return match.group(0)
    char = html.entities.html5.get(name + ";")
    return char if char else "&amp;" + match.group(0)[1:]  # not an entity: the text as written


MAX_HTML_DEPTH = 100  # raw HTML elements inside each other; real articles stay under 20
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^<>]*?(/?)>")


def _check_html_depth(text: str, name: str, body_line: int) -> None:
    """Raw HTML nested deeper than MAX_HTML_DEPTH: an error before any parser recurses into it.
    `text` is the body with its code blanked out (`without_code`), lines kept."""
    depth = 0
    for match in _TAG.finditer(text):
        closing, tag, self_closing = match.groups()
        if tag.lower() in HTML_VOID or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_HTML_DEPTH:
            raise BinderyError(
                Diagnostic(
                    f"raw HTML is nested more than {MAX_HTML_DEPTH} elements deep",
                    file=name,
                    line=body_line + text.count("\n", 0, match.start()),
                    hint="flatten the HTML; a book page cannot show that much nesting",
                    code="content-html-depth",
                )
            )


_BRACKET = re.compile(r"[\[\]]")
MAX_OPEN_BRACKET_SCAN = 2_000_000  # '['s that never close, times the characters after each: Markdown reads that far


def _check_open_brackets(blanked: str, name: str, body_line: int) -> None:
    """'['s that never close: Python-Markdown looks for each one's ']' to the end of its paragraph,
    so thousands of them took minutes (4,000 in 44 KB: 30 s). An error first, where the article's
    reading would pass about a second. `blanked` is the body with its code blanked out."""
    if "[" not in blanked:
        return
    offset, scan = 0, 0
    for block in blanked.split("\n\n"):
        unclosed: list[int] = []
        for bracket in _BRACKET.finditer(block):
            if bracket.group() == "[":
                unclosed.append(bracket.start())
            elif unclosed:
                unclosed.pop()
        scan += sum(len(block) - i for i in unclosed)
        if scan > MAX_OPEN_BRACKET_SCAN:
            raise BinderyError(
                Diagnostic(
                    f"a paragraph holds {len(unclosed):,} '[' that never close, too many for the article to be read",
                    file=name,
                    line=body_line + blanked.count("\n", 0, offset) + block[: unclosed[0] if unclosed else 0].count("\n"),
                    hint="write a bracket that is text as \\[, or close each [ with its ]",
                    code="content-open-brackets",
                )
            )
        offset += len(block) + 2


def render_markdown(
    text: str,
    *,
    prefix: str,
    heading_offset: int,
    source: str,
    body_line: int,
    name: str | None = None,
    articles: Mapping[str, str] | None = None,
) -> RenderedArticle:
    """Render one article body to a well-formed XHTML fragment.

    `source` is the article's path in the book folder; `name` how messages name it;
    `articles` maps the book-relative path of every article of the book to its id."""
    shown = name or source
    blanked = without_code(text)  # what Markdown reads as markup, on the body's lines
    _check_html_depth(blanked, shown, body_line)
    _check_open_brackets(blanked, shown, body_line)
    index_ext = IndexExtension()
    md = markdown.Markdown(
        extensions=["footnotes", "tables", "attr_list", "smarty", "toc", "fenced_code", "def_list", "abbr", "sane_lists", index_ext],
        extension_configs={
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "\u21a9\ufe0e", "BACKLINK_TITLE": ""},
            "smarty": {"substitutions": SMART_CHARS},
            "toc": {"permalink": False},
        },
        output_format="xhtml",
    )
    body = md.convert(text)
    try:  # crossed or unclosed raw HTML tags: say where, rather than let the HTML5 parser guess
        ET.fromstring(f"<div>{ENTITY.sub(_entity_to_char, body)}</div>")
    except ET.ParseError:
        found = locate_unbalanced(text, first_line=body_line)
        if found is not None:
            raise BinderyError(
                Diagnostic(
                    f"the article's raw HTML is not well-formed: {found[1]}",
                    file=shown,
                    line=body_line + found[0] - 1,
                    hint="close every raw HTML tag you write in Markdown, or use Markdown syntax instead",
                    code="content-html",
                )
            ) from None

    lowered = text.lower()

    def locate(needle: str) -> int | None:
        at = lowered.find(needle.lower()) if needle else -1
        return body_line + text.count("\n", 0, at) if at >= 0 else None

    article_dir = posixpath.dirname(source)
    try:
        clean = clean_html(body, article_dir=article_dir, source=shown, locate=locate)
        semantics = book_semantics(
            clean.root, prefix=prefix, heading_offset=heading_offset, source=source, name=shown, articles=articles or {}, locate=locate
        )
        html = serialize_inner(clean.root)
    except RecursionError:
        raise BinderyError(
            Diagnostic(
                "the article is nested too deeply to lay out (lists, quotes and HTML inside each other)",
                file=shown,
                line=body_line,
                hint="flatten the deepest lists or quotes",
                code="content-html-depth",
            )
        ) from None
    result = RenderedArticle(html)
    result.headings = semantics.headings
    result.links = semantics.links
    result.images = clean.images
    result.image_lines = clean.image_lines
    result.warnings = clean.warnings + semantics.warnings + check_footnotes(text, shown, body_line)
    result.index_marks, result.index_problems = index_ext.marks, index_ext.problems
    return result
