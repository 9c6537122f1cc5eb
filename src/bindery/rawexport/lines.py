"""Lines of a raw export: normalisation, the binary check, limits and the error type."""

from __future__ import annotations

from dataclasses import dataclass

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


def words(text: str) -> int:
    return len(text.split())


def clean_title(text: str) -> str:
    """The text without one trailing full stop (an ellipsis stays)."""
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text
