"""The header of a raw export: category, title, summary, date and authors.

See the package docstring ("Header") for the rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bindery.rawexport.lines import (
    CATEGORY_MAX_CHARS,
    CATEGORY_MAX_WORDS,
    META_SCAN_LINES,
    PROSE_MIN_WORDS,
    SHARE_SCAN_LINES,
    SUMMARY_GUESS_MAX_WORDS,
    TITLE_AFTER_CATEGORY_MAX_WORDS,
    TITLE_MAX_CHARS,
    TITLE_MAX_WORDS,
    NotAnArticleError,
    _Line,
    clean_title,
    words,
)
from bindery.rawexport.meta import _Meta, _parse_date, _parse_meta
from bindery.rawexport.noise import _is_share_bar, _noise_kind


@dataclass
class _Header:
    title: str
    title_line: int
    summary: str | None
    category: str | None
    date: str | None
    authors: tuple[str, ...]
    body_start: int  # index into the content lines
    extras: list[_Line]  # header text lines that belong to the body
    summary_line: int | None = None
    category_line: int | None = None


def category_like(text: str, max_words: int = CATEGORY_MAX_WORDS, max_chars: int = CATEGORY_MAX_CHARS) -> bool:
    return (
        1 <= words(text) <= max_words
        and len(text) <= max_chars
        and text[-1] not in ".!?:;,…"
        and not text[0].islower()
        and _parse_date(text) is None
        and any(ch.isalpha() for ch in text)
    )


def _classify_top(line: _Line, seen_text: bool) -> tuple[str, _Meta | None]:
    """'share', 'meta', 'noise' or 'text' for a line near the top."""
    if _is_share_bar(line.text, near_header=seen_text):
        return "share", None
    if _noise_kind(line.text):
        return "noise", None
    meta = _parse_meta(line.text, allow_bare_by=seen_text)
    if meta is not None:
        return "meta", meta
    return "text", None


@dataclass
class _Parts:
    """What the header lines were read as, before they are checked."""

    metas: list[_Meta] = field(default_factory=list)
    title: _Line | None = None
    summary: _Line | None = None
    category: _Line | None = None
    extras: list[_Line] = field(default_factory=list)


def _header_end(content: list[_Line]) -> tuple[int, list[tuple[str, _Meta | None]]]:
    """Where the marked header ends (0: nothing marks it) and the kind of each line before."""
    kinds: list[tuple[str, _Meta | None]] = []
    share_at: int | None = None
    last_meta: int | None = None
    texts_seen = 0
    for index in range(min(len(content), SHARE_SCAN_LINES)):
        kind, meta = _classify_top(content[index], texts_seen > 0)
        kinds.append((kind, meta))
        if kind == "share" and texts_seen and texts_seen <= 4:
            share_at = index
            break
        if kind == "meta" and index < META_SCAN_LINES and texts_seen <= 3:
            last_meta = index
        if kind == "text":
            texts_seen += 1
    if share_at is not None:
        end = share_at + 1
        while end < len(content):  # further share bars, a date under the share bar ...
            kind, meta = _classify_top(content[end], True)
            if kind == "text":
                break
            kinds.append((kind, meta))
            end += 1
        return end, kinds
    return (last_meta + 1 if last_meta is not None else 0), kinds


def _read_marked(content: list[_Line], end: int, kinds: list[tuple[str, _Meta | None]], removed: Counter[str], known: set[str]) -> _Parts:
    parts = _Parts()
    texts: list[_Line] = []
    for index in range(end):
        kind, meta = kinds[index]
        if kind == "share":
            removed["share_bar"] += 1
        elif kind == "noise":
            removed[_noise_kind(content[index].text) or "noise"] += 1
        elif kind == "meta":
            assert meta is not None
            parts.metas.append(meta)
        else:
            texts.append(content[index])
    if not texts:
        return parts
    first = texts[0].text
    if len(texts) == 1:
        parts.title = texts[0]
    elif len(texts) == 2:
        if category_like(first) and (first.casefold() in known or words(texts[1].text) <= TITLE_AFTER_CATEGORY_MAX_WORDS):
            parts.category, parts.title = texts
        else:
            parts.title, parts.summary = texts
    elif category_like(first):
        parts.category, parts.title, parts.summary, *parts.extras = texts
    else:
        parts.title, parts.summary, *parts.extras = texts
    return parts


def _guess(content: list[_Line], index: int, removed: Counter[str], known: set[str], parts: _Parts) -> int:
    """Nothing marks the end of the header: guess from the lines themselves; the body's first index."""
    while index < len(content):
        line = content[index]
        noise = _noise_kind(line.text)
        if noise or _is_share_bar(line.text, near_header=parts.title is not None):
            removed[noise or "share_bar"] += 1
            index += 1
            continue
        meta = _parse_meta(line.text, allow_bare_by=parts.title is not None)
        if meta is not None and index < META_SCAN_LINES:
            parts.metas.append(meta)
            index += 1
            continue
        if parts.title is None:
            _place_title(parts, line, known, has_next=index + 1 < len(content))
            index += 1
            continue
        prose_after = sum(1 for later in content[index + 1 :] if words(later.text) >= PROSE_MIN_WORDS and not _noise_kind(later.text))
        if words(line.text) <= SUMMARY_GUESS_MAX_WORDS and prose_after >= 2:
            parts.summary = line
            index += 1
        break
    return index


def _place_title(parts: _Parts, line: _Line, known: set[str], *, has_next: bool) -> None:
    if parts.category is None and line.text.casefold() in known and has_next:
        parts.category = line  # a category of the related list; the title follows
    else:
        parts.title = line


def _parse_header(content: list[_Line], removed: Counter[str], categories: set[str]) -> _Header:
    known = {c.casefold() for c in categories}
    body_start, kinds = _header_end(content)
    parts = _read_marked(content, body_start, kinds, removed, known)
    if parts.title is None and parts.category is None:
        body_start = _guess(content, body_start, removed, known, parts)
    title = parts.title
    if title is None:
        raise NotAnArticleError(
            "no title found",
            content[body_start].line if body_start < len(content) else content[-1].line,
            "put the article's title on the first line, followed by its summary and date",
        )
    if words(title.text) > TITLE_MAX_WORDS or len(title.text) > TITLE_MAX_CHARS:
        raise NotAnArticleError(
            f"the line taken as the title is {words(title.text)} words long, which reads as a paragraph",
            title.line,
            "put the article's title on the first line, followed by its summary and date",
        )
    date, authors = _date_and_authors(parts.metas, removed)
    return _Header(
        title=clean_title(title.text),
        title_line=title.line,
        summary=parts.summary.text if parts.summary else None,
        category=parts.category.text if parts.category else None,
        date=date,
        authors=authors,
        body_start=body_start,
        extras=list(parts.extras),
        summary_line=parts.summary.line if parts.summary else None,
        category_line=parts.category.line if parts.category else None,
    )


def _date_and_authors(metas: list[_Meta], removed: Counter[str]) -> tuple[str | None, tuple[str, ...]]:
    """The first date (an 'updated' date only when there is no other) and every author once."""
    date = next((m.date for m in metas if m.date), None) or next((m.updated for m in metas if m.updated), None)
    authors: list[str] = []
    for meta in metas:
        removed["reading_time"] += meta.reading_time
        authors += [name for name in meta.authors if name not in authors]
    return date, tuple(authors)
