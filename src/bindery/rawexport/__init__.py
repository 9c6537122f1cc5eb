"""Turn a raw article export (plain text copied from a website) into an article.

A raw export is what a browser gives when an article page is copied as text:
the header lines, a share bar, the body one paragraph per line with
advertisement lines in between, and a trailing "Related Articles" list.
:func:`parse_export` recovers the structure, :meth:`ImportedArticle.to_markdown`
(:mod:`bindery.rawexport.writer`) writes it in the article format of ``docs/FORMATS.md`` (YAML front matter,
then the Markdown body).  The parsers are pure (no file or network access);
:mod:`bindery.rawexport.workflow` is `bindery import`, which reads and writes files.

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

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bindery.rawexport import writer
from bindery.rawexport.body import _Block, _parse_body
from bindery.rawexport.header import _parse_header
from bindery.rawexport.lines import PROSE_MIN_WORDS, NotAnArticleError, _check_not_binary, _Line, _normalise
from bindery.rawexport.noise import _is_related_heading
from bindery.rawexport.related import parse_related
from bindery.rawexport.writer import escape_paragraph, render_block
from bindery.related_entry import RelatedSpec

__all__ = ["ImportedArticle", "NotAnArticleError", "RelatedSpec", "escape_paragraph", "parse_export", "render_block"]


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
    related: tuple[RelatedSpec, ...]  # each with the line of its summary
    removed: Mapping[str, int] = field(default_factory=dict, hash=False)  # dropped lines per kind; read-only
    paragraph_lines: tuple[int, ...] = field(default=(), compare=False)  # 1-based line of each paragraph in the export
    title_line: int | None = field(default=None, compare=False)  # lines in the export, for messages
    summary_line: int | None = field(default=None, compare=False)
    category_line: int | None = field(default=None, compare=False)

    def front_matter(self) -> dict[str, Any]:
        """The front matter as plain data (see :func:`bindery.rawexport.writer.front_matter`)."""
        return writer.front_matter(self)

    def to_markdown(self) -> str:
        """The article as Markdown with YAML front matter; same input, same bytes."""
        return writer.to_markdown(self)


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
    content, tail = _split_related(content, removed)
    related, related_categories = parse_related(tail, removed)
    if not content:
        raise NotAnArticleError(
            "the text starts with the related-articles list; there is no title or body before it",
            tail[0].line - 1 if tail else 1,
            "export the whole article page, from the title down to the related articles",
        )

    header = _parse_header(content, removed, related_categories)
    blocks = _parse_body(header.extras + content[header.body_start :], removed)
    _check_prose(blocks, content, header.title_line)
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
        paragraph_lines=tuple(b.line for b in blocks),
        title_line=header.title_line,
        summary_line=header.summary_line,
        category_line=header.category_line,
    )


def _split_related(content: list[_Line], removed: Counter[str]) -> tuple[list[_Line], list[_Line]]:
    """(the lines before the last related-articles heading, the lines after it)."""
    for index in range(len(content) - 1, -1, -1):
        if _is_related_heading(content[index].text):
            removed["related_heading"] += 1
            return content[:index], content[index + 1 :]
    return content, []


def _check_prose(blocks: list[_Block], content: list[_Line], title_line: int) -> None:
    prose = [b for b in blocks if not b.heading and len(b.text.split()) >= PROSE_MIN_WORDS]
    if len(prose) < 2:
        where = blocks[0].line if blocks else (content[-1].line if content else title_line)
        raise NotAnArticleError(
            f"found {len(prose)} paragraph{'s' if len(prose) != 1 else ''} of prose after the header, an article needs at least 2",
            where,
            "check that the file is a complete article export (title, summary, date, then the body with one paragraph per line)",
        )
