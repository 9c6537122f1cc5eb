"""Match "Related Articles" entries to the articles of a book by summary.

A related entry copied from a website carries only the summary ("dek") of the
article it points to: no title, no link.  It refers to an article of the book
only when its summary matches that article's summary.  Dates and categories are
never evidence, so this module does not even accept them.

A false link is worse than a missing one, so every rule errs towards
``outside`` (no link) and towards ``ambiguous`` (a reported doubt) rather than
towards a guess.  The rules, strongest first:

1. **Exact**: the normalised texts are equal (see :func:`normalise`).  Then the
   same words with only punctuation differing (``"well-being"`` vs
   ``"well being"``, a missing comma).  Several exact hits are ambiguous; an
   exact hit always beats any fuzzy one.
2. **Truncation**: one text is a word prefix of the other (the last word of the
   shorter one may be cut mid-word, with or without an ellipsis).  The shorter
   text must have at least :data:`TRUNCATION_MIN_WORDS` words and at least
   :data:`TRUNCATION_MIN_FRACTION` of the longer text's words.
3. **Small edits**: the word sequences are similar (difflib ratio at least
   :data:`FUZZY_MIN_RATIO`) *and* they differ in few words: at most one word per
   :data:`WORDS_PER_EDIT` words of the longer text, never more than
   :data:`FUZZY_MAX_EDITS`.  Summaries shorter than :data:`FUZZY_MIN_WORDS`
   words (which includes every "short" summary below :data:`SHORT_WORDS` words)
   only ever match exactly.

Rules 2 and 3 compete together: when two candidates pass and their scores are
within :data:`AMBIGUITY_MARGIN`, the result is ``ambiguous`` and names them all;
otherwise the best one wins.

The module is pure (standard library only) and fast: exact hits are dictionary
look-ups, truncation candidates come from an index on the first words, and
fuzzy candidates are those sharing one of the entry's rarest words (a sound
prefilter, see :meth:`SummaryIndex._fuzzy_pool`) and of compatible length,
before difflib is ever called.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

__all__ = [
    "Candidate",
    "Match",
    "SummaryIndex",
    "normalise",
    "words",
]

# --------------------------------------------------------------------------
# Thresholds (see the module docstring and the notes next to each value).

#: Below this many words a summary only ever matches exactly.
SHORT_WORDS = 6

#: A truncated text must keep at least this many words ...
TRUNCATION_MIN_WORDS = 8
#: ... and at least this fraction of the full text's words.
TRUNCATION_MIN_FRACTION = 0.4

#: Fuzzy matching needs this many words in the longer text (below it, even a
#: single changed word is more than a tenth of the summary).
FUZZY_MIN_WORDS = 10
#: Minimum difflib ratio between the two word sequences.
FUZZY_MIN_RATIO = 0.9
#: One differing word allowed per this many words of the longer text ...
WORDS_PER_EDIT = 10
#: ... and never more than this many.
FUZZY_MAX_EDITS = 3

#: Passing candidates whose scores are this close to the best are ambiguous.
#: One word of a 20-word summary moves the ratio by 0.05, so a candidate
#: closer by a whole word wins up to about 30 words; beyond that a one-word
#: lead is not trusted.
AMBIGUITY_MARGIN = 0.03

#: Scores reported for the exact and truncation rules.  Fuzzy scores are the
#: difflib ratio, always below 1 when the words differ.
SCORE_EXACT = 1.0
SCORE_SAME_WORDS = 0.995
SCORE_TRUNCATED = 0.99

# Number of leading words used as the truncation index key.  It must be
# smaller than TRUNCATION_MIN_WORDS so that the key never contains the (possibly
# cut) last word of a truncated text.
_HEAD_WORDS = 6

# --------------------------------------------------------------------------
# Normalisation


_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u0060": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
}
# Characters that vanish: soft hyphen, zero-width characters, BOM.
_INVISIBLE = {
    "\u00ad": None,
    "\u200b": None,
    "\u200c": None,
    "\u200d": None,
    "\u2060": None,
    "\ufeff": None,
}
_TRANSLATE = str.maketrans({**_QUOTES, **_INVISIBLE, "\u2212": "-"})

_WORD_RE = re.compile(r"\w+(?:'\w+)*")


def _is_dash(ch: str) -> bool:
    return unicodedata.category(ch) == "Pd"


def _is_trailing_junk(ch: str) -> bool:
    # Punctuation of any kind (which covers '.', '…', quotes, brackets) and
    # whitespace.
    return ch.isspace() or unicodedata.category(ch).startswith("P")


@lru_cache(maxsize=16384)  # a book's summaries are normalised several times per build, and again on every preview save
def normalise(text: str) -> str:
    """Return *text* in the canonical form used for comparison.

    Unicode NFKC, casefolded; curly quotes and primes become straight quotes;
    every dash (hyphen, en dash, em dash, minus, ...) becomes ``-``; soft
    hyphens and zero-width characters disappear; runs of whitespace become one
    space; and trailing punctuation, including an ellipsis (``...`` or ``…``)
    and closing quotes, is stripped along with surrounding whitespace.
    """
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFKC", text.casefold())
    text = text.translate(_TRANSLATE)
    text = "".join("-" if _is_dash(ch) else ch for ch in text)
    text = " ".join(text.split())
    end = len(text)
    while end and _is_trailing_junk(text[end - 1]):
        end -= 1
    return text[:end]


def words(text: str) -> tuple[str, ...]:
    """The words of *text* after :func:`normalise`, punctuation dropped.

    Hyphenated compounds are split (``well-being`` -> ``well``, ``being``) so
    that hyphenation differences count as punctuation, not as changed words;
    apostrophes inside a word are kept (``child's``).
    """
    return tuple(_WORD_RE.findall(normalise(text)))


# --------------------------------------------------------------------------
# Public data types


@dataclass(frozen=True)
class Candidate:
    """An article of the book: its key (article id) and its summary."""

    key: str
    summary: str


@dataclass(frozen=True)
class Match:
    """The outcome of matching one related entry.

    ``status`` is ``"resolved"`` (``key`` names the article), ``"outside"``
    (no article of the book; ``key`` is ``None``) or ``"ambiguous"`` (``key``
    is ``None`` and ``candidates`` names the competing articles, best first).
    ``score`` is the strength of the winning evidence (1.0 exact, 0.995 same
    words, 0.99 truncation, otherwise the word-level difflib ratio); for
    ``outside`` it is the best word-level ratio seen, for diagnostics only.
    """

    status: Literal["resolved", "outside", "ambiguous"]
    key: str | None
    candidates: tuple[str, ...]
    score: float


# --------------------------------------------------------------------------
# The index


@dataclass(frozen=True)
class _Entry:
    key: str
    norm: str
    words: tuple[str, ...]


def _truncation_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """True when *short* is *full* cut after some word (the last one maybe cut
    mid-word), keeping enough of it to identify it."""
    n, m = len(short), len(full)
    if n > m or n < TRUNCATION_MIN_WORDS or n < math.ceil(TRUNCATION_MIN_FRACTION * m):
        return False
    if short[: n - 1] != full[: n - 1]:
        return False
    return full[n - 1].startswith(short[n - 1])


def _edit_count(sm: SequenceMatcher[str]) -> int:
    """Number of changed words: a replacement of k words by l words counts
    max(k, l); an insertion or deletion counts its length."""
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal")


def _allowed_edits(longest: int) -> int:
    return min(FUZZY_MAX_EDITS, longest // WORDS_PER_EDIT)


class SummaryIndex:
    """Index the summaries of a book's articles and match entries against them."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self._entries: list[_Entry] = []
        self._by_norm: dict[str, list[int]] = defaultdict(list)
        self._by_words: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._by_head: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._by_word: dict[str, set[int]] = defaultdict(set)
        for cand in candidates:
            norm = normalise(cand.summary)
            toks = tuple(_WORD_RE.findall(norm))
            if not toks:
                continue  # an empty summary can never be evidence
            idx = len(self._entries)
            self._entries.append(_Entry(cand.key, norm, toks))
            self._by_norm[norm].append(idx)
            self._by_words[toks].append(idx)
            if len(toks) >= TRUNCATION_MIN_WORDS:
                self._by_head[toks[:_HEAD_WORDS]].append(idx)
            if len(toks) >= SHORT_WORDS:
                for w in set(toks):
                    self._by_word[w].add(idx)

    def __len__(self) -> int:
        return len(self._entries)

    # -- matching -------------------------------------------------------

    def match(self, summary: str, *, exclude: str | None = None) -> Match:
        """Match the summary of one related entry.

        *exclude* is the key of the citing article.  It is never returned; if
        the entry is best explained by the citing article itself, the result is
        ``outside``; if it is as well explained by the citing article as by
        another, the result is ``ambiguous`` naming only the others.
        """
        norm = normalise(summary)
        toks = tuple(_WORD_RE.findall(norm))
        if not toks:
            return Match("outside", None, (), 0.0)

        # Rule 1: exact, then same words with different punctuation.
        for hits, score in (
            (self._by_norm.get(norm), SCORE_EXACT),
            (self._by_words.get(toks), SCORE_SAME_WORDS),
        ):
            if hits:
                return self._decide({self._entries[i].key: score for i in hits}, exclude, best_other=0.0)

        if len(toks) < SHORT_WORDS:
            return Match("outside", None, (), 0.0)

        scores: dict[str, float] = {}
        self._offer_truncations(toks, scores)  # Rule 2
        best_other = self._offer_small_edits(toks, exclude, scores)  # Rule 3
        return self._decide(scores, exclude, best_other)

    def _offer_truncations(self, toks: tuple[str, ...], scores: dict[str, float]) -> None:
        """Rule 2: truncation, either way round."""
        if len(toks) >= TRUNCATION_MIN_WORDS:
            for i in self._by_head.get(toks[:_HEAD_WORDS], ()):
                e = self._entries[i]
                if _truncation_of(toks, e.words) or _truncation_of(e.words, toks):
                    _offer(scores, e.key, SCORE_TRUNCATED)

    def _offer_small_edits(self, toks: tuple[str, ...], exclude: str | None, scores: dict[str, float]) -> float:
        """Rule 3: small edits. Returns the best ratio of another candidate that fell short."""
        best_other = 0.0
        for i in self._fuzzy_pool(toks):
            e = self._entries[i]
            longest = max(len(toks), len(e.words))
            allowed = _allowed_edits(longest)
            if allowed == 0 or abs(len(toks) - len(e.words)) > allowed:
                continue
            sm = SequenceMatcher(None, toks, e.words, autojunk=False)
            if sm.real_quick_ratio() < FUZZY_MIN_RATIO or sm.quick_ratio() < FUZZY_MIN_RATIO:
                continue
            ratio = sm.ratio()
            if ratio >= FUZZY_MIN_RATIO - 1e-9 and _edit_count(sm) <= allowed:
                _offer(scores, e.key, ratio)
            elif e.key != exclude:
                best_other = max(best_other, ratio)
        return best_other

    def _fuzzy_pool(self, toks: tuple[str, ...]) -> set[int]:
        """Candidates that could pass the small-edit rule.

        A passing candidate differs from the entry in at most
        ``FUZZY_MAX_EDITS`` word positions, so among any
        ``FUZZY_MAX_EDITS + 1`` distinct words of the entry at least one
        occurs in it.  Taking the rarest such words keeps the pool small.
        """
        if len(toks) < SHORT_WORDS:
            return set()
        distinct = sorted(set(toks), key=lambda w: (len(self._by_word.get(w, ())), w))
        pool: set[int] = set()
        for w in distinct[: FUZZY_MAX_EDITS + 1]:
            pool |= self._by_word.get(w, set())
        return pool

    @staticmethod
    def _decide(scores: dict[str, float], exclude: str | None, best_other: float) -> Match:
        if not scores:
            return Match("outside", None, (), round(best_other, 4))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked[0][1]
        close = [k for k, s in ranked if top - s <= AMBIGUITY_MARGIN + 1e-9]
        others = [k for k in close if k != exclude]
        if not others:
            # Only the citing article itself fits (well enough): a self-reference.
            return Match("outside", None, (), 0.0)
        if len(close) == 1:
            return Match("resolved", others[0], (), top)
        return Match("ambiguous", None, tuple(others), top)


def _offer(scores: dict[str, float], key: str, score: float) -> None:
    """Keep the best score offered for each key."""
    if score > scores.get(key, -1.0):
        scores[key] = score
