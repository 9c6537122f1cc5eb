"""The trailing "Related Articles" list of a raw export."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bindery.rawexport.header import category_like
from bindery.rawexport.lines import RELATED_CATEGORY_MAX_CHARS, RELATED_CATEGORY_MAX_WORDS, _Line
from bindery.rawexport.meta import _parse_meta
from bindery.rawexport.noise import _is_share_bar, _noise_kind
from bindery.related_entry import RelatedSpec


@dataclass
class _Entry:
    summary: str | None = None
    date: str | None = None
    category: str | None = None
    line: int | None = None  # of the summary


@dataclass(frozen=True)
class _Item:
    kind: str  # "date" (value is ISO) or "text"
    value: str
    line: int


def parse_related(lines: Sequence[_Line], removed: Counter[str]) -> tuple[tuple[RelatedSpec, ...], set[str]]:
    """The entries of the list (each with the line of its summary) and their categories."""
    items = _related_items(lines, removed)
    pairs = [(item.kind, item.value) for item in items]
    first_kind = next((kind for i, (kind, _) in enumerate(pairs) if not _is_related_category(pairs, i, set())), None)
    grouper = _Grouper(removed, date_first=first_kind == "date")  # "date, summary" entries instead of "summary, date"
    for index, item in enumerate(items):
        if item.kind == "date":
            grouper.date(item.value)
        elif _is_related_category(pairs, index, grouper.categories) and not grouper.has_bare_category():
            grouper.category(item.value)
        else:
            grouper.summary(item.value, item.line)
    grouper.flush()
    seen = {e.category for e in grouper.entries if e.category}
    return tuple(grouper.entries), seen


def _related_items(lines: Sequence[_Line], removed: Counter[str]) -> list[_Item]:
    items: list[_Item] = []
    for line in lines:
        kind = _noise_kind(line.text)
        if kind or _is_share_bar(line.text, near_header=False):
            removed[kind or "share_bar"] += 1
            continue
        meta = _parse_meta(line.text, allow_bare_by=True)
        if meta is not None:
            removed["reading_time"] += meta.reading_time
            iso = meta.date or meta.updated
            if iso:
                items.append(_Item("date", iso, line.line))
            elif meta.authors:
                removed["byline"] += 1
            continue
        items.append(_Item("text", line.text, line.line))
    return items


class _Grouper:
    """Gathers dates, categories and summaries into entries; no summary is dropped."""

    def __init__(self, removed: Counter[str], *, date_first: bool) -> None:
        self.removed = removed
        self.date_first = date_first
        self.entries: list[RelatedSpec] = []
        self.categories: set[str] = set()
        self.current = _Entry()

    def flush(self) -> None:
        current = self.current
        if current.summary is not None:
            self.entries.append(RelatedSpec(current.summary, current.date, current.category, line=current.line))
        elif current.date is not None:
            self.removed["orphan_date"] += 1
        self.current = _Entry()

    def has_bare_category(self) -> bool:
        return self.current.category is not None and self.current.summary is None

    def date(self, iso: str) -> None:
        current = self.current
        if self.date_first or current.summary is None or current.date is not None:
            # a date with no summary before it waits for the next summary
            if current.summary is not None:
                self.flush()
            if self.current.date is not None:
                self.removed["orphan_date"] += 1
        self.current.date = iso

    def category(self, text: str) -> None:
        if self.current.summary is not None:
            self.flush()
        self.current.category = text
        self.categories.add(text.casefold())

    def summary(self, text: str, line: int) -> None:
        if self.current.summary is not None:
            self.flush()
        self.current.summary = text
        self.current.line = line


def _is_related_category(items: Sequence[tuple[str, str]], index: int, seen: set[str]) -> bool:
    kind, text = items[index]
    if kind != "text" or index + 1 >= len(items) or items[index + 1][0] != "text":
        return False
    if not category_like(text, RELATED_CATEGORY_MAX_WORDS, RELATED_CATEGORY_MAX_CHARS):
        return False
    following = items[index + 1][1]
    return (
        text.casefold() in seen
        or len(following) >= 2 * len(text)
        or not category_like(following, RELATED_CATEGORY_MAX_WORDS, RELATED_CATEGORY_MAX_CHARS)
    )
