"""The body of a raw export: one paragraph per line, and which short lines are headings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bindery.rawexport.lines import HEADING_MAX_CHARS, HEADING_MAX_WORDS, _Line, clean_title, words
from bindery.rawexport.noise import _is_share_bar, _noise_kind


@dataclass
class _Block:
    line: int
    text: str
    heading: bool = False
    candidate: bool = False


_EXPLICIT_HEADING = re.compile(r"#{1,6}\s+(.*)")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’)\]]*\s+\S")


def _heading_candidate(text: str) -> bool:
    if not (1 <= words(text) <= HEADING_MAX_WORDS) or len(text) > HEADING_MAX_CHARS:
        return False
    if text[0].islower() or not any(ch.isalpha() for ch in text):
        return False
    core = text.rstrip("\"'”’)]")
    if not core or core[-1] in ",;:!?…" or core.endswith(".."):
        return False
    if core != text and core.endswith("."):
        return False  # a quoted sentence
    return not _SENTENCE_BREAK.search(text)


def explicit_heading(text: str) -> str | None:
    """The text of a `## Heading ##` line (its closing #s, after a space, left out), else None.

    The closing #s are cut in string operations: one pattern for the whole line, with a lazy
    text and optional closing #s, tried every split of a long run of spaces before a `#` that
    did not end the line (quadratic: an import of `# a`, 200,000 spaces and `#b` did not finish
    in two minutes)."""
    m = _EXPLICIT_HEADING.fullmatch(text)
    if m is None:
        return None
    heading = m.group(1)
    bare = heading.rstrip("#")
    if len(bare) < len(heading) and bare[-1:].isspace():
        heading = bare.rstrip()
    return heading


def _parse_body(lines: Sequence[_Line], removed: Counter[str]) -> list[_Block]:
    blocks: list[_Block] = []
    for line in lines:
        kind = _noise_kind(line.text) or ("share_bar" if _is_share_bar(line.text, near_header=False) else None)
        if kind:
            removed[kind] += 1
            continue
        heading = explicit_heading(line.text)
        if heading:
            blocks.append(_Block(line.line, clean_title(heading), heading=True))
        else:
            blocks.append(_Block(line.line, line.text, candidate=_heading_candidate(line.text)))
    _mark_headings(blocks)
    return blocks


def _mark_headings(blocks: list[_Block]) -> None:
    """Turn the heading candidates that introduce a paragraph into headings."""
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
        block.text = clean_title(block.text)
