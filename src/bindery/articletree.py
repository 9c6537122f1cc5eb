"""The book's own meaning on an article's clean tree: part of the book-model stage.

`book_semantics` runs on the tree `sanitize.clean_html` made, after cleaning:

- every id gets the article's prefix (`article--id`), so an article's
  `<p id="chapter-1">` can never capture an id of the book; `#id` links and
  SVG `url(#id)` references follow;
- links to another article's file (`other.md`, `other.md#heading`,
  `../part/other.md`) become `#other` / `#other--heading`, which both
  renderers resolve; a link to a file that is not an article is removed with
  a warning (no output ever holds a path of the author's machine);
- heading levels move to the article's depth; footnotes get EPUB and ARIA
  semantics, and a footnote that is never cited loses its dangling back-link;
- very long words and very wide tables, which cannot fit a printed page,
  are warnings.

`check_footnotes` finds footnotes defined twice in the source.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bindery.allowlist import SVG_NS, XLINK_HREF
from bindery.diagnostics import Diagnostic
from bindery.model.types import Heading, LinkOut
from bindery.sanitize import EPUB_NS, classify_url
from bindery.tagbalance import without_code

LONG_WORD = 120  # characters without a break opportunity that no printed line holds
WIDE_TABLE = 16  # columns a printed page cannot show readably
_LONG_WORD = re.compile(r"[^\s\-\u00ad\u200b/]{" + str(LONG_WORD) + ",}")
_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)


@dataclass
class Semantics:
    headings: list[Heading] = field(default_factory=list)
    links: list[LinkOut] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


_Warn = Callable[[str, str, str, str], None]


def book_semantics(
    root: ET.Element,
    *,
    prefix: str,
    heading_offset: int,
    source: str,
    name: str,
    articles: Mapping[str, str],
    locate: Callable[[str], int | None],
) -> Semantics:
    out = Semantics()

    def warn(message: str, needle: str, hint: str, code: str) -> None:
        out.warnings.append(Diagnostic(message, file=name, line=locate(needle), severity="warning", hint=hint, code=code))

    ids = _prefix_ids(root, prefix, warn)
    article_dir = source.rsplit("/", 1)[0] if "/" in source else ""
    parents = {child: parent for parent in root.iter() for child in parent}
    wide_warned = False
    for el in list(root.iter()):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag.startswith("{" + SVG_NS + "}"):
            _svg_references(el, prefix, ids)
            continue
        if tag == "a" and el.get("href") is not None:
            _link(el, el.get("href") or "", prefix, ids, (source, article_dir), articles, out, warn, locate)
        if re.fullmatch(r"h[1-6]", tag):
            out.headings.append(_shift_heading(el, tag, heading_offset))
        if _footnote_semantics(el, tag, parents):
            continue
        if tag == "tr" and len(el) > WIDE_TABLE and not wide_warned:
            wide_warned = True
            warn(
                f"a table row has {len(el)} columns; a printed page shows about {WIDE_TABLE}",
                "|",
                "split the table, or turn it into a list",
                "content-wide-table",
            )
    _warn_long_word(root, warn)
    return out


def id_part(text: str) -> str:
    """An author's id (or a link's fragment) as the part of a book id after the article's prefix:
    letters, digits, "_" and "-" (every other run becomes one "-"), so no id carries a path or
    a file name ("../.env") and every id is a plain CSS and XML name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def _prefix_ids(root: ET.Element, prefix: str, warn: _Warn) -> dict[str, str]:
    """Give every id the article's prefix; a repeated id is removed with a warning (and an
    empty paragraph it alone kept goes, as `sanitize` drops a paragraph that holds nothing)."""
    ids: dict[str, str] = {}
    emptied: list[ET.Element] = []
    for el in root.iter():
        ident = el.get("id")
        if ident is None:
            continue
        safe = id_part(ident) or "id"
        new = f"{prefix}--{safe}"
        if ident in ids or new in ids.values():
            warn(
                f"id '{ident}' is used twice in the article; the second was removed",
                f'id="{ident}"',
                "give every id its own name",
                "html-duplicate-id",
            )
            del el.attrib["id"]
            if el.tag == "p" and not el.attrib and len(el) == 0 and not (el.text or "").strip():
                emptied.append(el)
            continue
        ids[ident] = new
        el.set("id", new)
    if emptied:
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in emptied:
            _remove_keeping_tail(parents[el], el)
    return ids


def _remove_keeping_tail(parent: ET.Element, el: ET.Element) -> None:
    index = list(parent).index(el)
    parent.remove(el)
    if el.tail:
        if index:
            parent[index - 1].tail = (parent[index - 1].tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail


def _shift_heading(el: ET.Element, tag: str, heading_offset: int) -> Heading:
    """Move a heading to the article's depth (h2 at the least) and describe it."""
    level = min(6, max(int(tag[1]), 2) + heading_offset)
    el.tag = f"h{level}"
    return Heading(el.get("id") or "", "".join(el.itertext()), level)


def _footnote_semantics(el: ET.Element, tag: str, parents: Mapping[ET.Element, ET.Element]) -> bool:
    """EPUB and ARIA semantics for footnote markup; True when `el` was footnote markup."""
    cls = el.get("class") or ""
    if tag == "div" and cls == "footnote":
        el.tag = "section"
        el.set(f"{{{EPUB_NS}}}type", "endnotes")
        el.set("role", "doc-endnotes")
        for child in list(el):
            if child.tag == "hr":
                el.remove(child)
    elif tag == "a" and cls == "footnote-ref":
        el.set(f"{{{EPUB_NS}}}type", "noteref")
        el.set("role", "doc-noteref")
    elif tag == "a" and cls == "footnote-backref":
        el.set("role", "doc-backlink")
        el.set("aria-label", "Back to text")
        el.attrib.pop("title", None)
        if "href" not in el.attrib and el in parents:  # a note never cited: no way back
            parents[el].remove(el)
    else:
        return False
    return True


def _warn_long_word(root: ET.Element, warn: _Warn) -> None:
    """Warn once about a word too long for any printed line."""
    for text in _texts(root):
        long_word = _LONG_WORD.search(text)
        if long_word:
            warn(
                f"a word of {len(long_word.group())}+ characters cannot be broken across lines and runs off the printed page",
                long_word.group()[:40],
                "add spaces or hyphens, or put it in a code block",
                "content-long-word",
            )
            break


def _texts(root: ET.Element) -> list[str]:
    return [t for el in root.iter() for t in (el.text, el.tail) if t and len(t) >= LONG_WORD]


def _svg_references(el: ET.Element, prefix: str, ids: Mapping[str, str]) -> None:
    for attr, value in list(el.attrib.items()):
        match = re.fullmatch(r"(\s*url\(\s*['\"]?#)([^'\")]+)(['\"]?\s*\)\s*)", value)
        if match and match.group(2) in ids:
            el.set(attr, match.group(1) + ids[match.group(2)] + match.group(3))
        elif attr in (XLINK_HREF, "href") and value.startswith("#") and value[1:] in ids:
            el.set(attr, "#" + ids[value[1:]])


def _link(
    el: ET.Element,
    href: str,
    prefix: str,
    ids: Mapping[str, str],
    where: tuple[str, str],
    articles: Mapping[str, str],
    out: Semantics,
    warn: _Warn,
    locate: Callable[[str], int | None],
) -> None:
    source, article_dir = where
    kind, path = classify_url(href, article_dir)
    if kind in ("web", "mail"):
        return
    fragment = href.split("#", 1)[1] if "#" in href else ""
    if kind == "fragment" or (kind == "local" and path == source):
        if not fragment:
            el.set("href", f"#{prefix}")
        elif fragment in ids:
            el.set("href", f"#{ids[fragment]}")
        else:
            if el.get("class") != "footnote-backref":  # a footnote never cited: its own warning
                warn(
                    f"link '#{fragment}' points at no id of this article; removed",
                    href,
                    "check the heading or id it names",
                    "link-dangling",
                )
            else:
                label = el.get("href", "")[len("#fnref-") :]
                warn(
                    f"footnote [^{label}] is defined but never cited",
                    f"[^{label}]:",
                    f"cite it in the text with [^{label}], or delete it",
                    "footnote-unused",
                )
            del el.attrib["href"]
        return
    if kind == "local" and path in articles:
        target = articles[path]
        slug = id_part(fragment)
        anchor = f"{target}--{slug}" if slug else target
        el.set("href", f"#{anchor}")
        el.set("class", " ".join([*(el.get("class") or "").split(), "article-link"]))  # print: "(page P)" after it
        out.links.append(LinkOut(anchor, target, href, locate(href)))
        return
    warn(
        f"link '{href}' is to a file that is not an article of this book; removed",
        href,
        "link to articles listed in book.yaml, or to a page on the web",
        "link-not-in-book",
    )
    del el.attrib["href"]


def check_footnotes(text: str, name: str, body_line: int) -> list[Diagnostic]:
    """A footnote defined twice: Python-Markdown keeps the last and drops the first silently."""
    seen: dict[str, int] = {}
    problems = []
    plain = without_code(text)
    for match in _FOOTNOTE_DEFINITION.finditer(plain):
        label = match.group(1)
        line = body_line + plain.count("\n", 0, match.start())
        if label in seen:
            problems.append(
                Diagnostic(
                    f"footnote [^{label}] is defined on line {seen[label]} and again on line {line}; only the last is used",
                    file=name,
                    line=line,
                    severity="warning",
                    hint="give each footnote its own label",
                    code="footnote-duplicate",
                )
            )
        else:
            seen[label] = line
    return problems
