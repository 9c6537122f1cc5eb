"""The typographic rules: each a small function from a page to what is wrong on it.

A rule yields `(line, message)` pairs: the printed line the finding is about
(None for a whole page), which `check_pages` maps back to the article file and
line, and what a reader would see. `RULES` lists them with a stable code, the
check's name in `bindery check`, and the hint printed with each finding.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bindery.printspec import MAX_BLANKS_IN_A_ROW
from bindery.typography.layout import NUMBER_ONLY, Layout, PageView
from bindery.typography.pages import Line

SHORT_PAGE_LINES = 2.5  # a page that runs on may end this many body lines above the block's foot, no more
KEEP_LOOKAHEAD_LINES = 4  # a heading or lead-in this near the top of the next page is what did not fit
HEADING_SPACE_LINES = 1.0  # the space above a heading, which the page top swallows overleaf
TABLE_SPACE_LINES = 0.3  # below a table row's last line: its padding and rule
ROW_GAP_PITCHES = 1.1  # cell text is set closer than body text; a wider gap starts a row
FIT_SLACK_LINES = 0.25
NOTE_START = re.compile(r"^\d+\.\s")  # a footnote's first line: "1. Text"
OVERFULL_PT = 1.5  # how far a line may reach past the text block's side
ENDS_HYPHENATED = re.compile(r"[^\W\d_][\u2010\u00ad]$")  # hyphenation; a break at a word's own hyphen is fine
LIGATURES = ("fi", "fl", "ff", "ffi", "ffl", "ft", "st")
PUNCTUATION = string.punctuation + " “”‘’«»—–‐…·"
WORD_SPLIT = re.compile(r"[\s\-‐–—/_.,;:()\[\]{}'’‘\"“”]+")  # compounds and paths are checked word by word

Hit = tuple[Line | None, str]


@dataclass(frozen=True)
class Rule:
    code: str
    what: str  # the check line: "pages that end short"
    hint: str
    find: Callable[[Layout, PageView], Iterator[Hit]]


def short_page(layout: Layout, view: PageView) -> Iterator[Hit]:
    after = layout.next(view)
    if not layout.continues(view) or view.toc or after is None:
        return
    last = min([line.bottom for line in view.body] + [image[1] for image in view.page.images])
    lines = (last - view.block.bottom) / layout.pitch
    if lines > SHORT_PAGE_LINES and lines > _kept_together(layout, after) - FIT_SLACK_LINES:
        yield view.body[-1], f"the text ends {lines:.0f} lines above the foot of the text block while the chapter continues overleaf"


def _kept_together(layout: Layout, after: PageView) -> float:
    """How many body lines of room what opens the next page needs on this one, in
    line pitches: a heading or a lead-in ending in ':' with the two lines after it
    (more than a page may end on), a table's first row, the last two lines of a
    code block, or a footnote cited there with its note. A page that ends short because that did not fit is laid out as
    it should be: the keeps come first."""
    body = after.body
    if not body:
        return 0.0
    opening = body[:KEEP_LOOKAHEAD_LINES]
    keeps = [n for n, line in enumerate(opening) if layout.is_heading(line) or line.text.rstrip().endswith(":")]
    notes = [line for line in body if _is_note(layout, line)]
    calls = [n for note in notes[:1] for n, line in enumerate(opening) if _cites(line, note)]
    last = _last_kept_line(layout, body, keeps, calls)
    if last is None:
        return 0.0
    end = body[last]
    room = (after.block.top - end.bottom) / layout.pitch
    room += HEADING_SPACE_LINES if layout.is_heading(body[0]) else 0.0
    room += TABLE_SPACE_LINES if _is_small(layout, end) else 0.0
    if calls:
        room += (notes[0].top - after.block.bottom) / layout.pitch + 1  # the note and its rule
    return room


def _last_kept_line(layout: Layout, body: tuple[Line, ...], keeps: list[int], calls: list[int]) -> int | None:
    """The index of the last line that must travel with the page's opening: after a
    heading or lead-in (`keeps`), a footnote call (`calls`) or a code block's tail;
    None when nothing is kept together."""
    ends = [min(keeps[-1] + 2, len(body) - 1)] if keeps else []
    ends += [max(calls[0], 1)] if calls else []
    ends += _code_tail(body)
    if not ends:
        return None
    last = max(ends)
    if keeps and last == keeps[-1] + 2 and _is_small(layout, body[keeps[-1] + 1]):
        last = _first_row_end(layout, body, keeps[-1] + 1)  # a lead-in's table: its head and first row
    return last


def _code_tail(body: tuple[Line, ...]) -> list[int]:
    """The last line index of a code block's end when the next page opens with it and
    it is the last two code lines or fewer (wrapped lines hang further in): the
    stylesheet keeps a block's last two lines together, as widows do for text."""
    run = 0
    while run < len(body) and body[run].mono:
        run += 1
    if not run or run == len(body):  # no code, or a page of it: not a block's end
        return []
    starts = sum(line.x0 <= body[0].x0 + 1 for line in body[:run])
    return [run - 1] if starts <= 2 else []


def _is_note(layout: Layout, line: Line) -> bool:
    return not line.mono and _is_small(layout, line) and bool(NOTE_START.match(line.text))


def _cites(line: Line, note: Line) -> bool:
    number = note.text.split(".", 1)[0]
    return re.search(rf"[^\d\s]{number}(?!\d)", line.text) is not None


def _is_small(layout: Layout, line: Line) -> bool:
    return line.size < layout.body_size - 0.5


def _first_row_end(layout: Layout, body: tuple[Line, ...], head: int) -> int:
    """The index of the last line of a table's first body row, the table's head
    starting at `head`: rows are set apart by more than a line of cell text."""
    rows = 0
    for n in range(head + 1, len(body)):
        if not _is_small(layout, body[n]):
            return n - 1
        if body[n - 1].bottom - body[n].bottom > ROW_GAP_PITCHES * layout.pitch:
            rows += 1
            if rows == 2:
                return n - 1
    return len(body) - 1


def stranded_last_line(layout: Layout, view: PageView) -> Iterator[Hit]:
    if not layout.continues(view):
        return
    last = view.body[-1]
    if layout.is_heading(last):
        yield last, f"the heading “{_quote(last)}” is the last line of the page; its text starts overleaf"
    elif last.text.rstrip().endswith(":"):
        yield last, f"“{_quote(last)}” introduces what follows but is the last line of the page"


def hyphen_across_pages(layout: Layout, view: PageView) -> Iterator[Hit]:
    if layout.continues(view) and not layout.is_heading(view.body[-1]) and ENDS_HYPHENATED.search(view.body[-1].text):
        after = layout.next(view)
        rest = after.body[0].text.split()[0] if after is not None and after.body else ""
        word = view.body[-1].text.split()[-1]
        yield view.body[-1], f"“{word}{rest}” is hyphenated across the page turn"


def widow_or_orphan(layout: Layout, view: PageView) -> Iterator[Hit]:
    after = layout.next(view)
    if not layout.continues(view) or after is None or not after.body:
        return
    last, first = view.body[-1], after.body[0]
    if not (layout.is_body_text(last) and layout.is_body_text(first)) or layout.starts_paragraph(first, None, after):
        return
    if _is_orphan(layout, view):
        yield last, "orphan: the first line of a paragraph is alone at the foot of the page"
    if _paragraph_ends_on_first_line(layout, after) and layout.full(last, view):
        yield first, f"widow: the last line of a paragraph is alone at the top of page {after.number}"


def _is_orphan(layout: Layout, view: PageView) -> bool:
    """The page's last line is full and starts a paragraph."""
    last = view.body[-1]
    before = view.body[-2] if len(view.body) > 1 else None
    return before is not None and layout.full(last, view) and layout.starts_paragraph(last, before, view)


def _paragraph_ends_on_first_line(layout: Layout, after: PageView) -> bool:
    """The paragraph running onto `after` ends with the page's first line."""
    first = after.body[0]
    second = after.body[1] if len(after.body) > 1 else None
    return second is None or layout.starts_paragraph(second, first, after) or layout.ends_paragraph(first, after)


def outside_text_block(layout: Layout, view: PageView) -> Iterator[Hit]:
    block = view.block
    for line in view.body:
        over = max(block.left - line.x0, line.x1 - block.right)
        if over > OVERFULL_PT:
            what = "code" if line.mono else "text"
            yield line, f"{what} reaches {over:.1f} pt ({over / 72:.2f} in) past the text block: “{_quote(line)}”"


def hyphen_in_display_line(layout: Layout, view: PageView) -> Iterator[Hit]:
    for line in view.heads:
        if ENDS_HYPHENATED.search(line.text):
            yield line, f"the running head breaks with a hyphen: “{_tail(line)}”"
    for line in view.body:
        if ENDS_HYPHENATED.search(line.text) and (view.toc or layout.is_heading(line)):
            kind = "contents entry" if view.toc else "heading"
            yield line, f"a {kind} breaks with a hyphen: “{_tail(line)}”"


def running_head_wraps(layout: Layout, view: PageView) -> Iterator[Hit]:
    if len(view.heads) > 1:
        yield view.heads[0], f"the running head takes {len(view.heads)} lines: “{' / '.join(line.text for line in view.heads)}”"


def toc_number_alone(layout: Layout, view: PageView) -> Iterator[Hit]:
    if not view.toc:
        return
    for before, line in zip(view.body, view.body[1:], strict=False):
        if NUMBER_ONLY.match(line.text):
            yield before, f"the page number {line.text.strip(' .')} of “{_quote(before)}” sits alone on its own line"


def blank_run(layout: Layout, view: PageView) -> Iterator[Hit]:
    views = layout.views
    if not view.page.blank or (view.number > 1 and views[view.number - 2].page.blank):
        return
    run = 0
    while view.number - 1 + run < len(views) and views[view.number - 1 + run].page.blank:
        run += 1
    if run > MAX_BLANKS_IN_A_ROW:
        yield None, f"{run} blank pages in a row (pages {view.number}-{view.number + run - 1})"


def misread_words(layout: Layout, view: PageView) -> Iterator[Hit]:
    vocabulary, alphabet = layout.index.vocabulary, layout.index.alphabet
    found: list[tuple[Line, str]] = []
    unmapped = 0
    for line in (*view.heads, *view.body):
        unmapped += line.unmapped
        found.extend((line, text) for text in _misread_in_line(line, vocabulary, alphabet))
    if found:
        examples = ", ".join(dict.fromkeys(text for _, text in found))
        yield found[0][0], f"{len(found)} word(s) do not read back as written in the text layer: {_shorten(examples)}"
    elif unmapped:
        first = next(line for line in (*view.heads, *view.body) if line.unmapped)
        yield first, f"{unmapped} character(s) have no Unicode mapping in the text layer: “{_quote(first)}”"


def _misread_in_line(line: Line, vocabulary: set[str], alphabet: set[str]) -> Iterator[str]:
    """Each word of one line that does not read back as the sources wrote it."""
    tokens = [_token(t) for t in WORD_SPLIT.split(line.text)]
    for i, token in enumerate(tokens):
        if not token or token in vocabulary:
            continue
        odd = [ch for ch in token if not ch.isascii() and ch not in alphabet]
        guess = _repair(token, odd, vocabulary)
        if guess is None:
            token, guess = _split_by_ligature(token, tokens[i + 1] if i + 1 < len(tokens) else "", vocabulary)
        if guess is not None:
            yield f"“{token}” ({guess})"
        elif odd and line.unmapped:
            yield f"“{token}”"


def _split_by_ligature(token: str, following: str, vocabulary: set[str]) -> tuple[str, str | None]:
    """A word broken in two where a lost ligature stood: the pair as shown and the repaired word."""
    if not following or following in vocabulary:
        return token, None
    pair = next((lig for lig in LIGATURES if token + lig + following in vocabulary), None)
    if pair is None:
        return token, None
    return f"{token} {following}", token + pair + following


def _token(text: str) -> str:
    """A word as the sources' vocabulary holds it: the ligature characters
    (U+FB00-FB06, correct in a text layer) spelled out, case folded, no punctuation."""
    text = "".join(unicodedata.normalize("NFKC", ch) if "\ufb00" <= ch <= "\ufb06" else ch for ch in text)
    return text.casefold().strip(PUNCTUATION)


def _repair(token: str, odd: list[str], vocabulary: set[str]) -> str | None:
    for ch in dict.fromkeys(odd):
        for lig in LIGATURES:
            if token.replace(ch, lig) in vocabulary:
                return token.replace(ch, lig)
    return None


def _quote(line: Line, limit: int = 60) -> str:
    return _shorten(line.text.strip(), limit)


def _tail(line: Line, limit: int = 40) -> str:
    text = line.text.strip()
    return text if len(text) <= limit else "…" + text[-limit:].lstrip()


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


RULES: tuple[Rule, ...] = (
    Rule(
        "typography-short-page",
        "pages that end short",
        "keep tables and code blocks breakable, or move the block; the facing pages should end on the same line",
        short_page,
    ),
    Rule(
        "typography-stranded-heading",
        "headings and lead-ins at the foot of a page",
        "keep a heading or a line ending in ':' with what follows it (break-after: avoid)",
        stranded_last_line,
    ),
    Rule(
        "typography-hyphen-page-turn",
        "words hyphenated across a page turn",
        "avoid hyphenating the last line of a page (hyphenate-limit-last or a rewording)",
        hyphen_across_pages,
    ),
    Rule(
        "typography-widow-orphan",
        "widows and orphans",
        "keep at least two lines of a paragraph together on each page (orphans/widows)",
        widow_or_orphan,
    ),
    Rule(
        "typography-overfull",
        "text outside the text block",
        "let long words, code and table cells wrap, or make the table or code smaller",
        outside_text_block,
    ),
    Rule(
        "typography-display-hyphen",
        "hyphens in headings, contents and running heads",
        "set hyphens: none on headings, contents entries and running heads",
        hyphen_in_display_line,
    ),
    Rule(
        "typography-running-head",
        "running heads over one line",
        "shorten the running head or let it be cut with an ellipsis",
        running_head_wraps,
    ),
    Rule(
        "typography-toc-number",
        "contents page numbers alone on a line",
        "keep a contents entry's page number on the entry's last line",
        toc_number_alone,
    ),
    Rule(
        "typography-blank-pages", "runs of blank pages", f"printers query more than {MAX_BLANKS_IN_A_ROW} blank pages in a row", blank_run
    ),
    Rule(
        "typography-text-layer",
        "words the text layer does not reproduce",
        "the font's ToUnicode map is wrong or missing (often for ligatures such as fi and ff): search and copy see broken words",
        misread_words,
    ),
)
