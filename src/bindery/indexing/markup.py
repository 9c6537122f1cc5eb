"""Index marks inside an article: `[spine width]{.index}`, a small Markdown extension.

The syntax is Pandoc's bracketed span, so the text reads as plain words in
Pandoc (a span with a class) and shows its brackets, never disappears, in
other Markdown tools. Attributes:

- `term="Cover!spine width"`: the entry, `!` between an entry and its
  sub-entry (default: the marked text itself);
- `sort="..."`: how the entry sorts when not as written;
- `see="..."` / `seealso="..."` (also `see-also`): cross-references; several
  "see also" targets are separated by `;`.

`[]{.index term="..."}` marks a place without showing any text. Each mark
becomes `<span id="ix--N" class="index-term">text</span>` (the model prefixes
the id with the article's id, like every other id) and is recorded as an
`IndexMark` for `bindery.indexing.entries`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from bindery.model.types import IndexMark

MAX_LEVELS = 2  # an entry and its sub-entry
MARK = r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\{\s*\.index\b([^{}\n]*)\}"
ATTRIBUTE = re.compile(r"""([A-Za-z][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))|(\S+)""")
ATTRIBUTES = ("term", "sort", "see", "seealso", "see-also")
STASH = re.compile("\x02[^\x03]*\x03")
MARKUP_CHARS = re.compile(r"[*_`]")
MARK_ID = "ix--{n}"


@dataclass(frozen=True)
class MarkProblem:
    source: str
    message: str
    hint: str


def split_term(term: str) -> tuple[str, ...]:
    """`Cover!spine width` -> ("Cover", "spine width"); empty parts are dropped."""
    return tuple(" ".join(part.split()) for part in term.split("!") if part.strip())


def parse_attributes(text: str) -> tuple[dict[str, str], list[str]]:
    """The `key="value"` pairs after `.index`, and whatever else was written there."""
    values: dict[str, str] = {}
    stray: list[str] = []
    for m in ATTRIBUTE.finditer(text):
        if m.group(5) is not None:
            stray.append(m.group(5))
            continue
        key = m.group(1).lower()
        values[key] = next(g for g in (m.group(2), m.group(3), m.group(4)) if g is not None)
    return values, stray


class _MarkProcessor(InlineProcessor):  # type: ignore[misc]  # Markdown ships no type hints
    def __init__(self, pattern: str, md: markdown.Markdown, ext: IndexExtension) -> None:
        super().__init__(pattern, md)
        self.ext = ext

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[ET.Element, int, int]:  # noqa: N802 (Markdown's API)
        inner, source = m.group(1), m.group(0)
        visible = " ".join(MARKUP_CHARS.sub("", STASH.sub("", self.unescape(inner))).split())
        attrs, stray = parse_attributes(m.group(2))
        unknown = [k for k in attrs if k not in ATTRIBUTES] + stray
        if unknown:
            self.ext.problem(source, f"unknown index attribute '{unknown[0]}'", 'use term="...", sort="...", see="..." or seealso="..."')
        path = split_term(attrs.get("term", visible))
        see_also = tuple(t.strip() for t in (attrs.get("seealso") or attrs.get("see-also") or "").split(";") if t.strip())
        el = ET.Element("span")
        el.set("class", "index-term")
        if inner:
            el.text = inner
        if not path:
            self.ext.problem(source, "an index mark needs a term", 'mark some text, or give it one: []{.index term="..."}')
        elif len(path) > MAX_LEVELS:
            self.ext.problem(
                source, f"index term '{attrs['term']}' has {len(path)} levels", "use at most an entry and a sub-entry: Entry!sub-entry"
            )
        else:
            ident = MARK_ID.format(n=len(self.ext.marks) + 1)
            el.set("id", ident)
            see = attrs.get("see", "").strip() or None
            self.ext.marks.append(IndexMark(ident, path, visible, attrs.get("sort") or None, see, see_also, source))
        return el, m.start(0), m.end(0)


@dataclass
class IndexExtension(Extension):  # type: ignore[misc]  # Markdown ships no type hints
    """Registers the mark pattern; after `convert`, `marks` and `problems` hold what it found."""

    marks: list[IndexMark] = field(default_factory=list)
    problems: list[MarkProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def problem(self, source: str, message: str, hint: str) -> None:
        self.problems.append(MarkProblem(source, message, hint))

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        # After escapes (180) and code spans (190), before links (160) and emphasis.
        md.inlinePatterns.register(_MarkProcessor(MARK, md, self), "bindery_index", 175)
