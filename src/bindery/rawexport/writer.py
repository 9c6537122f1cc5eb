"""An imported article as Markdown, in words that read back the same.

`bindery import` (and a raw export listed in book.yaml) turns a web page's
text into paragraphs; written as they are, a line starting with `#` becomes
a heading, `1.` a list, and prose such as "a <script> tag" raw HTML that the
build then refuses. Every block goes through `render_block`, which escapes
what Markdown or its HTML would read as syntax: block starts at the
beginning of a line (`~~~` and `: ` as character references, which no
backslash escapes), inline syntax (`\\`, `*`, `_`, backticks, `[`: an export
is plain text, so `f**k` is no emphasis and `[x](y)` no link), `{: attribute
lists}`, `<` before a tag-like character (as `&lt;`, which Python-Markdown
keeps as text) and `&` before an entity.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from bindery.rawexport import ImportedArticle

_YAML_WIDTH = 1_000_000

_BLOCK_START = re.compile(r"^(?:(?P<mark>#|>|[-+*](?=\s|$)|`{3,})|(?P<num>\d+)(?P<delim>[.)])(?=\s|$))")  # ^: one try, at the start
# A line Python-Markdown reads as syntax although no backslash escapes its first character:
# a `~~~` fence, and `: ` (a definition list's definition). Written as a character reference.
_UNESCAPABLE_START = re.compile(r"~{3,}|:(?=\s)")
_ATTR_LIST = re.compile(r"\{(?=[#.:][^{}]*\}\s*$)")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?$])")
_ENTITY = re.compile(r"&(?=#[0-9]{1,8};|#[xX][0-9A-Fa-f]{1,8};|[A-Za-z][A-Za-z0-9]{0,40};)")
_CLOSING_HASHES = re.compile(r"(\s)(#+)$")
# Inline syntax in words copied from a web page is text: a backslash, emphasis (`f**k`), code,
# links and footnotes (`[critic](inner voice)`, `[TOC]`, `*[CBT]:` abbreviations).
_INLINE_SYNTAX = re.compile(r"[\\*_`\[]")


def _escape_inline(text: str) -> str:
    text = _INLINE_SYNTAX.sub(lambda m: "\\" + m.group(0), text)
    text = _ENTITY.sub("&amp;", text)
    text = _TAG_OPEN.sub("&lt;", text)
    return _ATTR_LIST.sub(r"\\{", text)


def escape_paragraph(text: str) -> str:
    """Escape what Markdown would read as block syntax at line start, and inline syntax and HTML."""
    if m := _UNESCAPABLE_START.match(text):
        return f"&#{ord(text[0])};" + _escape_inline(text[1:])
    m = _BLOCK_START.match(text)
    if m and m.group("num") is not None:
        return f"{m.group('num')}\\{m.group('delim')}" + _escape_inline(text[m.end() :])
    if m:
        return "\\" + text[0] + _escape_inline(text[1:])
    return _escape_inline(text)


def render_block(block: str) -> str:
    """One paragraph, or a `## ` heading, as safe Markdown."""
    if block.startswith("## "):
        return "## " + _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\#" * len(m.group(2)), _escape_inline(block[3:]))
    return escape_paragraph(block)


def front_matter(article: ImportedArticle) -> dict[str, Any]:
    """The front matter as plain data, keys in the documented order.

    Keys whose value is missing (no summary, date, authors, category or
    related entries) are left out; dates are ``datetime.date`` values so
    that YAML writes them unquoted, as in hand-written articles.
    """
    data: dict[str, Any] = {"title": article.title}
    if article.summary is not None:
        data["summary"] = article.summary
    if article.date is not None:
        data["date"] = _dt.date.fromisoformat(article.date)
    if article.authors:
        data["authors"] = list(article.authors)
    if article.category is not None:
        data["category"] = article.category
    data["source"] = article.source
    if article.related:
        entries = []
        for entry in article.related:
            item: dict[str, Any] = {"summary": entry.summary}
            if entry.date is not None:
                item["date"] = _dt.date.fromisoformat(entry.date)
            if entry.category is not None:
                item["category"] = entry.category
            entries.append(item)
        data["related"] = entries
    return data


def body_markdown(article: ImportedArticle) -> str:
    """The body blocks as Markdown, a blank line between them."""
    return "\n\n".join(render_block(block) for block in article.paragraphs)


def to_markdown(article: ImportedArticle) -> str:
    """The article as Markdown with YAML front matter; same input, same bytes."""
    front = yaml.dump(
        front_matter(article),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=_YAML_WIDTH,
    )
    body = body_markdown(article)
    return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


class _Dumper(yaml.SafeDumper):  # type: ignore[misc,unused-ignore]
    """SafeDumper that indents list items under their key, as hand-written articles do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)
