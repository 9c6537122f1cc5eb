"""Imported prose as Markdown that reads back as the same words.

`bindery import` (and a raw export listed in book.yaml) turns a web page's
text into paragraphs; written as they are, a line starting with `#` becomes
a heading, `1.` a list, and prose such as "a <script> tag" raw HTML that the
build then refuses. Every block goes through `render_block`, which escapes
what Markdown or its HTML would read as syntax: block starts at the
beginning of a line, `{: attribute lists}`, `<` before a tag-like character
(as `&lt;`, which Python-Markdown keeps as text) and `&` before an entity.
"""

from __future__ import annotations

import re

_BLOCK_START = re.compile(
    r"(?P<mark>#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|`{3,}|~{3,}|\[(?=[^\[\]]*\]:))"
    r"|(?P<num>\d{1,9})(?P<delim>[.)])(?=\s|$)"
)
_ATTR_LIST = re.compile(r"\{(?=[#.:][^{}]*\}\s*$)")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?$])")
_ENTITY = re.compile(r"&(?=#[0-9]{1,8};|#[xX][0-9A-Fa-f]{1,8};|[A-Za-z][A-Za-z0-9]{0,40};)")
_CLOSING_HASHES = re.compile(r"(\s)(#+)$")


def _escape_inline(text: str) -> str:
    text = _ENTITY.sub("&amp;", text)
    text = _TAG_OPEN.sub("&lt;", text)
    return _ATTR_LIST.sub(r"\\{", text)


def escape_paragraph(text: str) -> str:
    """Escape what Markdown would read as block syntax at line start, and inline HTML."""
    m = _BLOCK_START.match(text)
    if m:
        if m.group("num") is not None:
            text = f"{m.group('num')}\\{m.group('delim')}{text[m.end() :]}"
        else:
            text = "\\" + text
    return _escape_inline(text)


def render_block(block: str) -> str:
    """One paragraph, or a `## ` heading, as safe Markdown."""
    if block.startswith("## "):
        heading = _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), block[3:])
        return "## " + _escape_inline(heading)
    return escape_paragraph(block)
