"""Index terms found in the text: the book folder's optional `index.yaml`.

    occurrences: first          # first (once in each section) | every
    terms:
      - EPUBCheck               # an entry, found as a whole word
      - term: Cover!spine width # an entry and its sub-entry
        match: [spine width, spine widths]   # the words to find (default: the last part)
        sort: ...               # and see / see_also, as for inline marks
      - {term: e-book, see: EPUB}            # a cross-reference only

Matching is by whole words, case-folded. Text inside code, links, headings
and marks the author wrote is left alone. Each occurrence becomes the same
`<span class="index-term" id="...">` an inline mark makes, so an imported
article can be indexed without editing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bindery.diagnostics import Diagnostic, Report, did_you_mean
from bindery.indexing.markup import MARK_ID, MAX_LEVELS, split_term
from bindery.limits import MAX_MANIFEST_BYTES
from bindery.model.types import IndexMark
from bindery.textinput import decode_text, read_capped
from bindery.yamlsource import LineMap, key_path, load_yaml

INDEX_FILE = "index.yaml"
TOP_KEYS = ("occurrences", "terms")
TERM_KEYS = ("term", "match", "sort", "see", "see_also")
OCCURRENCES = ("first", "every")
SKIPPED = frozenset({"code", "pre", "kbd", "samp", "a", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "svg", "math"})
HEADING = re.compile(r"h[1-6]")
TAG = re.compile(r"""<(/?)([A-Za-z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>""", re.S)


@dataclass(frozen=True)
class IndexTerm:
    path: tuple[str, ...]
    match: tuple[str, ...]  # words to find; empty for a cross-reference only
    sort: str | None = None
    see: str | None = None
    see_also: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class IndexTerms:
    file: str  # how messages name index.yaml
    terms: tuple[IndexTerm, ...] = ()
    every: bool = False  # every occurrence, or the first in each section


def load_index_terms(root: Path, name: str) -> tuple[IndexTerms | None, list[Diagnostic]]:
    """`index.yaml` in the book folder, or None when there is none; errors raise."""
    path = root / INDEX_FILE
    if not path.is_file():
        return None, []
    text = decode_text(read_capped(path, name, MAX_MANIFEST_BYTES, "index.yaml"), name)  # size cap, UTF-8/16, no control characters
    data, lines, duplicates = load_yaml(text, name)
    report = Report(list(duplicates))
    terms = _Reader(name, lines, report).read(data)
    report.raise_if_errors()
    return terms, report.warnings


class _Reader:
    def __init__(self, name: str, lines: LineMap, report: Report) -> None:
        self.name, self.lines, self.report = name, lines, report

    def error(self, path: tuple[str | int, ...], message: str, hint: str) -> None:
        self.report.error(message, file=self.name, line=self.lines.line(path), key=key_path(path) or None, hint=hint, code="index-yaml")

    def read(self, data: Any) -> IndexTerms:
        if data is None:
            return IndexTerms(self.name)
        if not isinstance(data, Mapping):
            self.error((), "must be a mapping with 'terms:'", "e.g. terms: [EPUB, Manifest]")
            return IndexTerms(self.name)
        for key in data:
            if key not in TOP_KEYS:
                self.error((str(key),), "unknown key", did_you_mean(str(key), TOP_KEYS) or "use occurrences and terms")
        occurrences = data.get("occurrences", "first")
        if occurrences not in OCCURRENCES:
            self.error(("occurrences",), f"must be 'first' or 'every', not '{occurrences}'", "first: once in each section")
        raw = data.get("terms") or []
        if not isinstance(raw, list):
            self.error(("terms",), "must be a list of terms", "e.g. - EPUB, or - {term: Cover!spine width}")
            raw = []
        terms = [t for i, item in enumerate(raw) if (t := self.term(item, ("terms", i))) is not None]
        return IndexTerms(self.name, tuple(terms), occurrences == "every")

    def term(self, item: Any, path: tuple[str | int, ...]) -> IndexTerm | None:
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            item = {"term": str(item)}
        if not isinstance(item, Mapping):
            self.error(path, "must be a term or a {term: ...} mapping", "e.g. - EPUB")
            return None
        for key in item:
            if key not in TERM_KEYS:
                self.error(path + (str(key),), "unknown key", did_you_mean(str(key), TERM_KEYS) or "use " + ", ".join(TERM_KEYS))
        words = self.texts(item, "term", path)
        term = split_term(words[0]) if len(words) == 1 else ()
        if not term or len(term) > MAX_LEVELS:
            self.error(path + ("term",), "needs one term, with at most one '!' before a sub-entry", "e.g. term: Cover!spine width")
            return None
        see = self.texts(item, "see", path)
        see_also = tuple(self.texts(item, "see_also", path))
        default = () if see else (term[-1],)
        match = tuple(self.texts(item, "match", path)) if "match" in item else default
        sort = self.texts(item, "sort", path)
        return IndexTerm(term, match, sort[0] if sort else None, see[0] if see else None, see_also, self.lines.line(path))

    def texts(self, item: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> list[str]:
        value = item.get(key)
        if value is None:
            return []
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip() for v in values):
            self.error(path + (key,), "must be text or a list of texts", f"e.g. {key}: EPUB")
            return []
        return [" ".join(str(v).split()) for v in values]


def mark_terms(html: str, terms: IndexTerms, prefix: str, first_number: int) -> tuple[str, list[IndexMark]]:
    """The article's XHTML with every found term wrapped in a mark, and the marks.

    `prefix`: the article's id; `first_number`: the number of the first new
    mark (after the author's own marks)."""
    words: dict[str, IndexTerm] = {}
    for term in terms.terms:
        for word in term.match:
            words.setdefault(word.casefold(), term)
    if not words:
        return html, []
    pattern = _term_pattern(words)
    wrap = _TermWrapper(words, terms.every, prefix, first_number)
    stack: list[bool] = []  # for each open element: is text inside it skipped?
    out: list[str] = []
    pos = 0
    for tag in TAG.finditer(html):
        text = html[pos : tag.start()]
        out.append(pattern.sub(wrap, text) if text and not any(stack) else text)
        out.append(tag.group(0))
        pos = tag.end()
        _follow(tag, stack, wrap.seen)
    out.append(pattern.sub(wrap, html[pos:]) if not any(stack) else html[pos:])
    return "".join(out), wrap.marks


def _term_pattern(words: dict[str, IndexTerm]) -> re.Pattern[str]:
    """Any of the words as a whole word, longest first, spaces matching any white space."""
    return re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)) + r")(?![\w-])",
        re.IGNORECASE,
    )


def _follow(tag: re.Match[str], stack: list[bool], seen: set[tuple[str, ...]]) -> None:
    """Keep the stack of open elements (and whether text in each is skipped) in step with `tag`;
    a heading starts a new section, where terms are marked again."""
    name = (tag.group(2) or "").lower().split(":")[-1]
    if not name or tag.group(4):
        return  # a comment, or an element with no content
    if tag.group(1):
        if stack:
            stack.pop()
        return
    if HEADING.fullmatch(name):
        seen.clear()  # a new section
    stack.append(name in SKIPPED or (name == "span" and "index-term" in tag.group(3)))


@dataclass
class _TermWrapper:
    """The replacement for each found term: a span with the mark's id (only the first
    time in a section unless `every`), recording the mark."""

    words: dict[str, IndexTerm]
    every: bool
    prefix: str
    first_number: int
    marks: list[IndexMark] = field(default_factory=list)
    seen: set[tuple[str, ...]] = field(default_factory=set)

    def __call__(self, match: re.Match[str]) -> str:
        term = self.words.get(" ".join(match.group(1).split()).casefold())
        if term is None or (not self.every and term.path in self.seen):
            return match.group(0)
        self.seen.add(term.path)
        ident = f"{self.prefix}--" + MARK_ID.format(n=self.first_number + len(self.marks))
        text = " ".join(match.group(1).split())
        self.marks.append(IndexMark(ident, term.path, text, term.sort, None, (), ""))
        return f'<span class="index-term" id="{ident}">{match.group(1)}</span>'


def front_matter_marks(terms: Sequence[str], article_id: str) -> list[IndexMark]:
    """An article's front-matter `index:` terms: they point at the article's start."""
    return [IndexMark(article_id, split_term(t)[:MAX_LEVELS], "") for t in terms if split_term(t)]
