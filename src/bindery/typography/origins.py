"""Where a printed line came from: the article file and line that hold its words.

The PDF has no link back to the sources (the print profile strips even its
named destinations), so the words decide: every run of three words of every
article (and of `book.yaml`, which holds the titles) is indexed with its file
and line. A page belongs to the article most of its lines' word runs come
from; a printed line is found by its own word runs, in its page's article
first. Words are compared case-folded, with punctuation and quotes dropped,
so Markdown markup, smart quotes and dashes do not stand in the way.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

WORD = re.compile(r"[^\W_]+")

Place = tuple[str, int]  # display path, 1-based line


def words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


@dataclass
class SourceIndex:
    """Word runs of the book's sources, each with the first place it occurs."""

    runs: dict[tuple[str, str, str], list[Place]] = field(default_factory=dict)
    lines: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # file -> (line, " words ")
    vocabulary: set[str] = field(default_factory=set)
    alphabet: set[str] = field(default_factory=set)  # every character of the vocabulary
    articles: set[str] = field(default_factory=set)  # files that are articles (not book.yaml)

    def add(self, name: str, text: str, *, article: bool = True) -> None:
        stream: list[tuple[str, int]] = []
        numbered = []
        for number, line in enumerate(text.splitlines(), start=1):
            tokens = words(line)
            stream += [(t, number) for t in tokens]
            if tokens:
                numbered.append((number, " " + " ".join(tokens) + " "))
        self.lines[name] = numbered
        self.vocabulary.update(t for t, _ in stream)
        self.alphabet.update(*(t for t, _ in stream))
        if article:
            self.articles.add(name)
        for i in range(len(stream) - 2):
            key = (stream[i][0], stream[i + 1][0], stream[i + 2][0])
            places = self.runs.setdefault(key, [])
            if not places or places[-1][0] != name:
                places.append((name, stream[i][1]))

    def article_of(self, texts: Iterable[str]) -> str | None:
        """The article most of these lines' word runs come from."""
        votes: Counter[str] = Counter()
        for text in texts:
            for key in _runs(words(text)):
                for name, _ in self.runs.get(key, ()):
                    if name in self.articles:
                        votes[name] += 1
        return votes.most_common(1)[0][0] if votes else None

    def locate(self, text: str, prefer: str | None) -> Place | None:
        """The file and line a printed line came from, in `prefer` when it is there."""
        tokens = words(text)
        found: list[Place] = []
        for key in _runs(tokens):
            found += self.runs.get(key, ())
            if any(name == prefer for name, _ in found):
                break
        if found:
            return next((p for p in found if p[0] == prefer), found[0])
        names = ([prefer] if prefer else []) + sorted(self.lines)
        if tokens:  # a short line (a heading): the first source line that holds all its words in order
            needle = " " + " ".join(tokens) + " "
            for name in names:
                for number, line in self.lines.get(name, ()):
                    if needle in line:
                        return name, number
        return self._most_alike(set(tokens), names)

    def _most_alike(self, tokens: set[str], names: list[str]) -> Place | None:
        """For a line with misread words: the source line sharing most of its words (at least three)."""
        best: tuple[int, Place] | None = None
        for name in names:
            for number, line in self.lines.get(name, ()):
                shared = len(tokens & set(line.split()))
                if shared >= 3 and (best is None or shared > best[0]):
                    best = (shared, (name, number))
        return best[1] if best else None


def _runs(tokens: Sequence[str]) -> Iterable[tuple[str, str, str]]:
    return ((tokens[i], tokens[i + 1], tokens[i + 2]) for i in range(len(tokens) - 2))


def index_sources(files: Iterable[tuple[str, Path, bool]]) -> SourceIndex:
    """(display name, path, is an article) of every source; unreadable files are left out."""
    index = SourceIndex()
    for name, path, article in files:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        index.add(name, text, article=article)
    return index
