"""Turn a raw article export (plain text copied from a website) into an article.

A raw export is what a browser gives when an article page is copied as text:
the header lines, a share bar, the body one paragraph per line with
advertisement lines in between, and a trailing "Related Articles" list.
:func:`parse_export` recovers the structure, :meth:`ImportedArticle.to_markdown`
writes it in the article format of ``docs/FORMATS.md`` (YAML front matter,
then the Markdown body).  The module is pure: no file or network access.

What is recognised, and how (every rule works line by line, after
normalisation; a "word" is a run of non-space characters):

Normalisation
    A leading UTF-8 BOM is dropped, CRLF and CR become LF, non-breaking spaces
    (U+00A0, U+2007, U+202F) become spaces and each line is stripped of
    surrounding whitespace.  Nothing else is touched: curly quotes, dashes and
    spelling stay exactly as exported.

Noise
    Lines that are only site furniture are dropped and counted by kind in
    :attr:`ImportedArticle.removed`: ``advertisement`` (ADVERTISEMENT in any
    case, Sponsored, Promoted, also when repeated on one line),
    ``continue_reading`` (Continue reading below, Story continues below ...),
    ``read_more`` (Read more, Read more: <title>, See also: <title> ...),
    ``share_bar`` (see below, and Share this article ...), ``subscribe``,
    ``footer`` (``© 2025 ...`` / ``Copyright 2025 ...``), ``separator``
    (lines of dashes, bullets or stars, such as the ``-`` between a related
    summary and its date), ``reading_time`` (``3 min read``; a line that is
    only a reading time must say "read", but after a date ``- 3 min`` is
    enough), ``related_heading``, ``blank``, ``byline`` (a byline inside the related
    list) and ``orphan_date`` (a related-list date that belongs to no
    summary).  Every line of the input is either kept (title, summary, body,
    related entry), read into metadata (category, byline, date) or counted.

Share bar
    A line whose tokens (split on spaces, ``|``, ``·``, ``•``, ``/`` and
    commas) are all social-network names or share words (Facebook, X, Reddit,
    Email, Copy link, Print, Share ...) plus fillers (on, via, this ...).  In
    the body it needs two network names, so a heading such as "Print" stays.
    Near the header (the first eight lines) a short line of two or more
    capitalised single tokens without sentence punctuation is a share bar too
    when more than half of its tokens are known names: this catches networks
    the list does not know ("Facebook X Gab").

Header
    The header ends at the first share bar within the first eight lines that
    follows at most four text lines; without a share bar, at the last meta
    line (date, byline or reading time) within the first six lines that
    follows at most three text lines.  Meta lines inside the header are read:
    a date (``Published July 26, 2025``, ``August 08, 2025``,
    ``August 12, 2025 - 3 min Read``, ``Jul 26, 2025``, ``26 July 2025``,
    ``2025-07-26``, with optional weekday and time; ``Updated ...`` is used
    only when no other date is given), a byline (``By NAME``, ``Published by
    NAME``, ``Written by A and B``, ``Author: NAME``, optionally ending with
    ``on <date>``).  The remaining text lines of the header are, in order:

    * one line: the title;
    * two lines: category and title when the first line is category-like
      (at most five words and 40 characters, no final punctuation, not
      starting in lower case) and either appears as a category in the related
      list or the second line has at most 16 words (a title, where a summary
      is longer); otherwise title and summary;
    * three or more: category, title, summary when the first line is
      category-like, else title and summary; further lines open the body.

    When no share bar and no meta line mark the end of the header, the first
    text line is the title (preceded by a category only when that line is a
    category of the related list) and the next line is the summary when it
    has at most 60 words and at least two prose paragraphs follow it.  The
    title loses one trailing full stop (an ellipsis stays).

Body
    One paragraph per line.  A line is a section heading when it has at most
    12 words and 100 characters, does not start in lower case, ends in a
    letter, digit, closing bracket or a single full stop (never ``, ; : ? !``
    or an ellipsis), holds no second sentence, is followed by a paragraph and
    is not next to another such short line (a run of short lines is kept as
    paragraphs).  A short line ending in a full stop that opens the body or
    directly follows a heading is a sentence, not a heading.  A line that
    already starts with ``#`` marks is a heading.  Headings are stored as
    ``"## Heading"`` without a final full stop.

Markdown
    :attr:`ImportedArticle.paragraphs` keeps the text exactly as exported.
    :meth:`ImportedArticle.to_markdown` writes it verbatim too, except that
    a paragraph opening with block syntax (``1.``, ``-``, ``>``, ``#`` ...) or
    ending in an ``{#attribute list}`` gets one backslash so that it stays a
    plain paragraph.  Front matter keys without a value are left out; dates
    are written unquoted (``date: 2025-07-26``).

Related list
    The last line reading "Related Articles" (any case; also Related posts,
    Related stories, You may also like ...) ends the body.  Each later line is
    a separator, a date, noise or text.  A text line is the category of the
    next entry when it is short (at most eight words and 60 characters, no
    final punctuation), the next line is text, and that text is at least
    twice as long, or not short itself, or the short line was already seen as
    a category; every other text line is the summary of an entry.  A date
    belongs to the summary before it, unless the list opens with a date, in
    which case each date belongs to the summary after it.  Entries without a
    date or a category are kept; no summary is ever dropped.

Not an article
    Empty input, binary-looking text (NUL or many control characters), a
    first line too long to be a title, or fewer than two prose paragraphs
    (non-heading paragraphs of at least eight words) raise
    :class:`NotAnArticleError` with the 1-based line and a hint.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from bindery.exportmarkdown import render_block

__all__ = ["ImportedArticle", "NotAnArticleError", "RelatedEntry", "parse_export"]


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedEntry:
    """One entry of the trailing "Related Articles" list."""

    summary: str
    date: str | None = None  # ISO 8601 yyyy-mm-dd
    category: str | None = None


@dataclass(frozen=True)
class ImportedArticle:
    """An article recovered from a raw export."""

    title: str
    summary: str | None
    date: str | None  # ISO 8601 yyyy-mm-dd
    authors: tuple[str, ...]
    category: str | None
    source: str
    paragraphs: tuple[str, ...]  # body blocks in order; headings as "## Heading"
    related: tuple[RelatedEntry, ...]
    removed: Mapping[str, int] = field(default_factory=dict, hash=False)  # dropped lines per kind; read-only

    def front_matter(self) -> dict[str, Any]:
        """The front matter as plain data, keys in the documented order.

        Keys whose value is missing (no summary, date, authors, category or
        related entries) are left out; dates are ``datetime.date`` values so
        that YAML writes them unquoted, as in hand-written articles.
        """
        data: dict[str, Any] = {"title": self.title}
        if self.summary is not None:
            data["summary"] = self.summary
        if self.date is not None:
            data["date"] = _dt.date.fromisoformat(self.date)
        if self.authors:
            data["authors"] = list(self.authors)
        if self.category is not None:
            data["category"] = self.category
        data["source"] = self.source
        if self.related:
            entries = []
            for entry in self.related:
                item: dict[str, Any] = {"summary": entry.summary}
                if entry.date is not None:
                    item["date"] = _dt.date.fromisoformat(entry.date)
                if entry.category is not None:
                    item["category"] = entry.category
                entries.append(item)
            data["related"] = entries
        return data

    def to_markdown(self) -> str:
        """The article as Markdown with YAML front matter; same input, same bytes."""
        front = yaml.dump(
            self.front_matter(),
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=_YAML_WIDTH,
        )
        blocks = [render_block(block) for block in self.paragraphs]
        body = "\n\n".join(blocks)
        return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


class NotAnArticleError(ValueError):
    """The text is not an article export.

    ``str(error)`` says what is wrong and what to do; ``line`` is the 1-based
    line it is about, ``problem`` and ``hint`` are the two halves.
    """

    def __init__(self, problem: str, line: int, hint: str) -> None:
        self.problem = problem
        self.line = line
        self.hint = hint
        super().__init__(f"{problem}; {hint}")


def parse_export(text: str, source: str) -> ImportedArticle:
    """Parse one raw export; ``source`` is recorded as the article's source."""
    if not isinstance(text, str):
        raise TypeError(f"parse_export() needs text (str), not {type(text).__name__}")
    _check_not_binary(text)
    removed: Counter[str] = Counter()
    content: list[_Line] = []
    for line in _normalise(text):
        if line.text:
            content.append(line)
        else:
            removed["blank"] += 1
    if not content:
        raise NotAnArticleError(
            "the text is empty" if not text else "the text has only blank lines",
            1,
            "export the whole article page as plain text: title, summary, date, then the body",
        )

    related_at = None
    for index in range(len(content) - 1, -1, -1):
        if _is_related_heading(content[index].text):
            related_at = index
            break
    tail: list[_Line] = []
    if related_at is not None:
        removed["related_heading"] += 1
        tail = content[related_at + 1 :]
        content = content[:related_at]
    related, related_categories = _parse_related(tail, removed)
    if not content:
        raise NotAnArticleError(
            "the text starts with the related-articles list; there is no title or body before it",
            tail[0].line - 1 if tail else 1,
            "export the whole article page, from the title down to the related articles",
        )

    header = _parse_header(content, removed, related_categories)
    blocks = _parse_body(header.extras + content[header.body_start :], removed)

    prose = [b for b in blocks if not b.heading and len(b.text.split()) >= PROSE_MIN_WORDS]
    if len(prose) < 2:
        where = blocks[0].line if blocks else (content[-1].line if content else header.title_line)
        raise NotAnArticleError(
            f"found {len(prose)} paragraph{'s' if len(prose) != 1 else ''} of prose after the header, an article needs at least 2",
            where,
            "check that the file is a complete article export (title, summary, date, then the body with one paragraph per line)",
        )

    return ImportedArticle(
        title=header.title,
        summary=header.summary,
        date=header.date,
        authors=header.authors,
        category=header.category,
        source=source,
        paragraphs=tuple(f"## {b.text}" if b.heading else b.text for b in blocks),
        related=related,
        removed={kind: count for kind, count in sorted(removed.items()) if count},
    )


# --------------------------------------------------------------------------
# Limits (see the module docstring)
# --------------------------------------------------------------------------

HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 100
CATEGORY_MAX_WORDS = 5
CATEGORY_MAX_CHARS = 40
RELATED_CATEGORY_MAX_WORDS = 8
RELATED_CATEGORY_MAX_CHARS = 60
TITLE_AFTER_CATEGORY_MAX_WORDS = 16
TITLE_MAX_WORDS = 40
TITLE_MAX_CHARS = 300
SUMMARY_GUESS_MAX_WORDS = 60
PROSE_MIN_WORDS = 8
SHARE_SCAN_LINES = 8
META_SCAN_LINES = 6
_YAML_WIDTH = 1_000_000


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    line: int  # 1-based, in the original text
    text: str


_SPACES = {0x00A0: " ", 0x2007: " ", 0x202F: " "}


def _normalise(text: str) -> list[_Line]:
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SPACES)
    raw = text.split("\n")
    if text.endswith("\n"):
        raw.pop()  # the newline ends the last line; it does not open another
    return [_Line(number, line.strip()) for number, line in enumerate(raw, start=1)]


def _check_not_binary(text: str) -> None:
    sample = text[:65536]
    bad = [i for i, ch in enumerate(sample) if ch == "\x00" or ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f\v")]
    if not bad:
        return
    if "\x00" in sample or len(bad) > max(2, len(sample) // 100):
        line = sample.count("\n", 0, bad[0]) + 1
        raise NotAnArticleError(
            "the text looks binary (NUL, control or undecodable characters)",
            line,
            "export the article as plain UTF-8 text, not a PDF, word-processor or image file",
        )


# --------------------------------------------------------------------------
# Dates, reading time, bylines
# --------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,5})?)?"
_DATE_FORMS = (
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}", re.I),
    re.compile(rf"{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}", re.I),
    re.compile(r"(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", re.I),
    re.compile(r"(?P<year>\d{4})/(?P<mon>\d{1,2})/(?P<day>\d{1,2})"),
)
_DATE_PREFIX = re.compile(
    r"(?:(?P<prefix>published|posted|updated|last\s+updated|last\s+modified|modified|first\s+published|"
    r"originally\s+published|date|dated)(?:\s+on)?\s*:?\s*)?(?P<rest>.+)",
    re.I,
)
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten"
_READING_TIME = re.compile(
    rf"(?:(?:estimated\s+)?read(?:ing)?\s+time\s*:?\s*)?(?:about\s+|~\s*)?(?:\d{{1,3}}|{_NUMBER_WORDS})"
    r"(?:\s*[-–]\s*|\s*)(?:min(?:ute)?s?)\.?(?P<read>\s+(?:read|reading|to\s+read))?",
    re.I,
)
_META_SPLIT = re.compile(r"(?<!\s)\s+[-–—|·•]\s+|(?<!\s)\s+[|·•]\s*|[|·•]\s*")  # a run's first space only: linear
_BYLINE = re.compile(
    r"(?:(?P<verb>published|written|posted|words|story|text|reported|reporting)\s+)?by\s*:?\s+(?P<rest>.+)"
    r"|(?:authors?|writer|written\s+by)\s*:\s*(?P<rest2>.+)",
    re.I,
)
_NAME = re.compile(r"[^\W\d_][\w'’.\- ]*")
_NAME_SUFFIXES = {"phd", "ph.d.", "md", "m.d.", "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "psyd", "edd", "rn", "lcsw", "lmft", "mft"}


def _parse_date(text: str) -> str | None:
    """The ISO date of a string that is only a date (any supported form)."""
    text = text.strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if not m:
            continue
        mon = m.group("mon")
        month = int(mon) if mon.isdigit() else _MONTHS[mon[:3].lower()]
        try:
            return _dt.date(int(m.group("year")), month, int(m.group("day"))).isoformat()
        except ValueError:
            return None
    return None


def _parse_dated(text: str) -> tuple[str, bool] | None:
    """(ISO date, is an 'updated' date) for 'Published July 26, 2025' and the like."""
    m = _DATE_PREFIX.fullmatch(text.strip())
    if not m:
        return None
    iso = _parse_date(m.group("rest"))
    if iso is None:
        return None
    prefix = (m.group("prefix") or "").lower()
    return iso, prefix in {"updated", "modified"} or prefix.startswith("last")


def _is_reading_time(text: str, *, need_read: bool = False) -> bool:
    m = _READING_TIME.fullmatch(text.strip())
    if m is None:
        return False
    return not need_read or bool(m.group("read")) or text.lower().startswith(("read", "estimated"))


def _split_names(text: str) -> list[str] | None:
    text = text.strip().rstrip(",;")
    if not text or len(text) > 120:
        return None
    pieces = [p.strip() for p in re.split(r"(?<!\s)(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", text) if p.strip()]
    names: list[str] = []
    for piece in pieces:
        if names and piece.lower() in _NAME_SUFFIXES:
            names[-1] = f"{names[-1]}, {piece}"
            continue
        words = piece.split()
        if not (1 <= len(words) <= 6 and len(piece) <= 60 and _NAME.fullmatch(piece) and piece[0].isupper()):
            return None
        if any(ch.isdigit() for ch in piece):
            return None
        names.append(piece)
    return names or None


@dataclass
class _Meta:
    date: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    reading_time: int = 0


def _parse_byline(text: str, meta: _Meta, allow_bare_by: bool) -> bool:
    m = _BYLINE.fullmatch(text.strip())
    if not m:
        return False
    if m.group("rest") is not None and not m.group("verb") and not allow_bare_by:
        return False
    rest = m.group("rest") if m.group("rest") is not None else m.group("rest2")
    # "By Ada Lovelace on July 26, 2025" / "By Ada Lovelace, 26 July 2025"
    words = rest.split(" ")
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        tail = re.sub(r"^on\s+", "", tail, flags=re.I)
        dated = _parse_dated(tail)
        if dated:
            names = _split_names(head.rstrip(" ,-–—"))
            if names:
                meta.authors.extend(names)
                _set_date(meta, dated)
                return True
    names = _split_names(rest)
    if not names:
        return False
    meta.authors.extend(names)
    return True


def _set_date(meta: _Meta, dated: tuple[str, bool]) -> None:
    iso, updated = dated
    if updated:
        meta.updated = meta.updated or iso
    else:
        meta.date = meta.date or iso


def _parse_meta(text: str, *, allow_bare_by: bool = True) -> _Meta | None:
    """A date / byline / reading-time line (parts may be joined by ' - ' or '|')."""
    if len(text) > 200:
        return None
    meta = _Meta()
    for part in _META_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        if _is_reading_time(part):
            meta.reading_time += 1
            continue
        dated = _parse_dated(part)
        if dated:
            _set_date(meta, dated)
            continue
        if _parse_byline(part, meta, allow_bare_by):
            continue
        return None
    if meta.date is None and meta.updated is None and not meta.authors:
        # a line that is only a reading time must say "read" ("5 minutes" may be a title)
        if not meta.reading_time or not _is_reading_time(text, need_read=True):
            return None
    return meta


# --------------------------------------------------------------------------
# Noise and share bars
# --------------------------------------------------------------------------

_NOISE: dict[str, str] = {}
for _kind, _phrases in {
    "advertisement": (
        "advertisement",
        "advertisements",
        "advert",
        "ad",
        "ads",
        "sponsored",
        "sponsored content",
        "sponsored post",
        "sponsored links",
        "paid content",
        "paid post",
        "promoted",
        "promoted content",
        "advertisement continue reading below",
        "story continues below advertisement",
        "ad feedback",
    ),
    "continue_reading": (
        "continue reading",
        "continue reading below",
        "story continues below",
        "article continues below",
        "continue reading the main story",
        "scroll to continue",
        "scroll to continue with content",
        "keep reading",
    ),
    "read_more": (
        "read more",
        "read next",
        "read also",
        "also read",
        "see also",
        "more to read",
        "load more",
        "show more",
        "see more",
        "view more",
        "read the full story",
        "read full article",
    ),
    "share_bar": (
        "share",
        "share this",
        "share this article",
        "share this story",
        "share this post",
        "share article",
        "share this page",
        "share on facebook",
        "share on x",
        "share on twitter",
        "tweet this",
        "share via email",
        "copy link",
        "link copied",
        "share with a friend",
    ),
    "subscribe": (
        "subscribe",
        "subscribe now",
        "sign up",
        "sign up for our newsletter",
        "newsletter",
        "get our newsletter",
        "join our newsletter",
        "subscribe to our newsletter",
    ),
}.items():
    for _phrase in _phrases:
        _NOISE[_phrase] = _kind
_NOISE_PREFIX = re.compile(r"(?P<p>read more|read next|read also|also read|see also|related|more)\s*:\s*\S", re.I)
_SEPARATOR = re.compile(r"[-–—_*•·=~+.|/\\](?:[-–—_*•·=~+.|/\\\s]*[-–—_*•·=~+.|/\\])?")  # no nested quantifier
_FOOTER = re.compile(r"(?:©|\(c\)\s*\d{4}|copyright\s+(?:©|\(c\)|\d{4})).{0,150}", re.I)

_NETWORKS = {
    "facebook", "x", "twitter", "reddit", "pinterest", "email", "e-mail", "linkedin", "whatsapp", "telegram",
    "threads", "mastodon", "bluesky", "tumblr", "pocket", "flipboard", "messenger", "vk", "weibo", "wechat",
    "digg", "hackernews", "instagram", "youtube", "tiktok", "snapchat", "xing", "viber", "evernote", "gmail",
    "sms", "mix", "line", "substack",
}  # fmt: skip
_SHARE_WORDS = {"share", "copy", "link", "print", "tweet", "save", "bookmark", "comment", "comments", "mail", "more", "pin", "post"}
_FILLERS = {"on", "via", "this", "article", "story", "page", "the", "to", "by", "it", "with"}
_MULTIWORD = {"hacker news": "hackernews", "google+": "googleplus"}


def _noise_key(text: str) -> str:
    key = text.casefold()
    key = re.sub(r"\s[-–—|·•:]+\s", " ", key)
    key = key.strip(" .:…»›>→«‹<←-–—|·•*")
    return " ".join(key.split())


def _noise_kind(text: str) -> str | None:
    """The kind of furniture this line is, or None for content."""
    if _SEPARATOR.fullmatch(text):
        return "separator"
    key = _noise_key(text)
    if not key:
        return "separator"
    words = key.split()
    for period in range(1, len(words) + 1):  # "ADVERTISEMENT ADVERTISEMENT" is one phrase twice
        if len(words) % period == 0 and words == words[:period] * (len(words) // period):
            base = " ".join(words[:period])
            if base in _NOISE:
                return _NOISE[base]
            break
    if len(words) <= 20 and _NOISE_PREFIX.match(text.strip()):
        return "read_more"
    if _FOOTER.fullmatch(text) and len(words) <= 25:
        return "footer"
    if _is_reading_time(text, need_read=True):
        return "reading_time"
    return None


def _share_tokens(text: str) -> list[str]:
    low = text.casefold()
    for phrase, token in _MULTIWORD.items():
        low = low.replace(phrase, token)
    return [t.strip(":()[]") for t in re.split(r"[\s|·•/,]+", low) if t.strip(":()[]")]


def _is_share_bar(text: str, *, near_header: bool) -> bool:
    if len(text) > 160 or text[-1] in ".!?;":
        return False
    tokens = _share_tokens(text)
    if not tokens:
        return False
    networks = sum(t in _NETWORKS for t in tokens)
    known = sum(t in _NETWORKS or t in _SHARE_WORDS for t in tokens)
    fillers = sum(t in _FILLERS for t in tokens)
    if known and known + fillers == len(tokens):
        return networks >= 2 or (near_header and (networks >= 1 or known >= 2 or tokens[0] == "share"))
    if not near_header or len(text) > 100:
        return False
    raw = text.split()
    if len(raw) < 2 or not all(w[0].isupper() or w[0].isdigit() for w in raw):
        return False
    return known * 2 > len(tokens) and networks >= 1


# --------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------


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


def _words(text: str) -> int:
    return len(text.split())


def _category_like(text: str, max_words: int = CATEGORY_MAX_WORDS, max_chars: int = CATEGORY_MAX_CHARS) -> bool:
    return (
        1 <= _words(text) <= max_words
        and len(text) <= max_chars
        and text[-1] not in ".!?:;,…"
        and not text[0].islower()
        and _parse_date(text) is None
        and any(ch.isalpha() for ch in text)
    )


def _clean_title(text: str) -> str:
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


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


def _parse_header(content: list[_Line], removed: Counter[str], categories: set[str]) -> _Header:
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

    metas: list[_Meta] = []
    texts: list[_Line] = []

    def consume(index: int, kind: str, meta: _Meta | None) -> None:
        if kind == "share":
            removed["share_bar"] += 1
        elif kind == "noise":
            removed[_noise_kind(content[index].text) or "noise"] += 1
        elif kind == "meta":
            assert meta is not None
            metas.append(meta)
        else:
            texts.append(content[index])

    if share_at is not None:
        end = share_at + 1
        while end < len(content):  # further share bars, a date under the share bar ...
            kind, meta = _classify_top(content[end], True)
            if kind == "text":
                break
            kinds.append((kind, meta))
            end += 1
    elif last_meta is not None:
        end = last_meta + 1
    else:
        end = 0
    for index in range(end):
        kind, meta = kinds[index]
        consume(index, kind, meta)

    body_start = end
    title = summary = category = None
    extras: list[_Line] = []
    known = {c.casefold() for c in categories}
    if texts:
        n = len(texts)
        first = texts[0].text
        if n == 1:
            title = texts[0]
        elif n == 2:
            if _category_like(first) and (first.casefold() in known or _words(texts[1].text) <= TITLE_AFTER_CATEGORY_MAX_WORDS):
                category, title = texts
            else:
                title, summary = texts
        elif _category_like(first):
            category, title, summary, *extras = texts
        else:
            title, summary, *extras = texts
    else:
        # Nothing marks the end of the header: guess from the lines themselves.
        index = body_start
        while index < len(content):
            line = content[index]
            noise = _noise_kind(line.text)
            if noise or _is_share_bar(line.text, near_header=title is not None):
                removed[noise or "share_bar"] += 1
                index += 1
                continue
            meta = _parse_meta(line.text, allow_bare_by=title is not None)
            if meta is not None and index < META_SCAN_LINES:
                metas.append(meta)
                index += 1
                continue
            if title is None:
                if category is None and line.text.casefold() in known and index + 1 < len(content):
                    category = line  # a category of the related list; the title follows
                else:
                    title = line
                index += 1
                continue
            prose_after = sum(1 for later in content[index + 1 :] if _words(later.text) >= PROSE_MIN_WORDS and not _noise_kind(later.text))
            if _words(line.text) <= SUMMARY_GUESS_MAX_WORDS and prose_after >= 2:
                summary = line
                index += 1
            break
        body_start = index

    if title is None:
        raise NotAnArticleError(
            "no title found",
            content[body_start].line if body_start < len(content) else content[-1].line,
            "put the article's title on the first line, followed by its summary and date",
        )
    if _words(title.text) > TITLE_MAX_WORDS or len(title.text) > TITLE_MAX_CHARS:
        raise NotAnArticleError(
            f"the line taken as the title is {_words(title.text)} words long, which reads as a paragraph",
            title.line,
            "put the article's title on the first line, followed by its summary and date",
        )

    date = next((m.date for m in metas if m.date), None) or next((m.updated for m in metas if m.updated), None)
    authors: list[str] = []
    for meta in metas:
        removed["reading_time"] += meta.reading_time
        for name in meta.authors:
            if name not in authors:
                authors.append(name)
    return _Header(
        title=_clean_title(title.text),
        title_line=title.line,
        summary=summary.text if summary else None,
        category=category.text if category else None,
        date=date,
        authors=tuple(authors),
        body_start=body_start,
        extras=list(extras),
    )


# --------------------------------------------------------------------------
# Body
# --------------------------------------------------------------------------


@dataclass
class _Block:
    line: int
    text: str
    heading: bool = False
    candidate: bool = False


_EXPLICIT_HEADING = re.compile(r"#{1,6}\s+(?P<text>.*?)(?:\s+#+)?")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’)\]]*\s+\S")


def _heading_candidate(text: str) -> bool:
    if not (1 <= _words(text) <= HEADING_MAX_WORDS) or len(text) > HEADING_MAX_CHARS:
        return False
    if text[0].islower() or not any(ch.isalpha() for ch in text):
        return False
    core = text.rstrip("\"'”’)]")
    if not core or core[-1] in ",;:!?…" or core.endswith(".."):
        return False
    if core != text and core.endswith("."):
        return False  # a quoted sentence
    return not _SENTENCE_BREAK.search(text)


def _parse_body(lines: Sequence[_Line], removed: Counter[str]) -> list[_Block]:
    blocks: list[_Block] = []
    for line in lines:
        kind = _noise_kind(line.text) or ("share_bar" if _is_share_bar(line.text, near_header=False) else None)
        if kind:
            removed[kind] += 1
            continue
        m = _EXPLICIT_HEADING.fullmatch(line.text)
        if m and m.group("text"):
            blocks.append(_Block(line.line, _clean_title(m.group("text")), heading=True))
        else:
            blocks.append(_Block(line.line, line.text, candidate=_heading_candidate(line.text)))
    for i, block in enumerate(blocks):
        if not block.candidate:
            continue
        prev = blocks[i - 1] if i > 0 else None
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if prev is not None and prev.candidate:
            continue  # a run of short lines
        if nxt is None or nxt.candidate or nxt.heading:
            continue  # a heading introduces a paragraph
        if block.text.endswith(".") and (prev is None or prev.heading):
            continue  # a short sentence opening the body or a section is prose
        block.heading = True
        block.text = _clean_title(block.text)
    return blocks


# --------------------------------------------------------------------------
# Related list
# --------------------------------------------------------------------------

_RELATED_HEADINGS = {
    "related articles", "related article", "related posts", "related stories", "related content",
    "related reading", "related links", "related", "you may also like", "you might also like",
    "you may also enjoy", "you might also enjoy", "more like this", "recommended for you",
    "recommended articles", "recommended stories",
}  # fmt: skip


def _is_related_heading(text: str) -> bool:
    return _noise_key(text) in _RELATED_HEADINGS


@dataclass
class _Entry:
    summary: str | None = None
    date: str | None = None
    category: str | None = None


def _parse_related(lines: Sequence[_Line], removed: Counter[str]) -> tuple[tuple[RelatedEntry, ...], set[str]]:
    items: list[tuple[str, str]] = []  # ("date", iso) or ("text", line)
    for line in lines:
        kind = _noise_kind(line.text)
        if kind == "reading_time":
            removed[kind] += 1
            continue
        if kind or _is_share_bar(line.text, near_header=False):
            removed[kind or "share_bar"] += 1
            continue
        meta = _parse_meta(line.text, allow_bare_by=True)
        if meta is not None:
            removed["reading_time"] += meta.reading_time
            iso = meta.date or meta.updated
            if iso:
                items.append(("date", iso))
            elif meta.authors:
                removed["byline"] += 1
            continue
        items.append(("text", line.text))

    first_kind = next((kind for i, (kind, _) in enumerate(items) if not _is_related_category(items, i, set())), None)
    date_first = first_kind == "date"  # "date, summary" entries instead of "summary, date"

    entries: list[RelatedEntry] = []
    categories: set[str] = set()
    current = _Entry()

    def flush() -> None:
        nonlocal current
        if current.summary is not None:
            entries.append(RelatedEntry(current.summary, current.date, current.category))
        elif current.date is not None:
            removed["orphan_date"] += 1
        current = _Entry()

    for index, (kind, value) in enumerate(items):
        if kind == "date":
            if date_first or current.summary is None or current.date is not None:
                # a date with no summary before it waits for the next summary
                if current.summary is not None:
                    flush()
                if current.date is not None:
                    removed["orphan_date"] += 1
            current.date = value
            continue
        is_category = _is_related_category(items, index, categories) and not (current.category is not None and current.summary is None)
        if is_category:
            if current.summary is not None:
                flush()
            current.category = value
            categories.add(value.casefold())
            continue
        if current.summary is not None:
            flush()
        current.summary = value
    flush()
    seen = {e.category for e in entries if e.category}
    return tuple(entries), seen


def _is_related_category(items: Sequence[tuple[str, str]], index: int, seen: set[str]) -> bool:
    kind, text = items[index]
    if kind != "text" or index + 1 >= len(items) or items[index + 1][0] != "text":
        return False
    if not _category_like(text, RELATED_CATEGORY_MAX_WORDS, RELATED_CATEGORY_MAX_CHARS):
        return False
    following = items[index + 1][1]
    return (
        text.casefold() in seen
        or len(following) >= 2 * len(text)
        or not _category_like(following, RELATED_CATEGORY_MAX_WORDS, RELATED_CATEGORY_MAX_CHARS)
    )


# --------------------------------------------------------------------------
# Markdown output
# --------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):  # type: ignore[misc,unused-ignore]
    """SafeDumper that indents list items under their key, as hand-written articles do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)
