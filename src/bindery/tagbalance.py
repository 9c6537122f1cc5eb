"""Raw HTML tags in Markdown source: closed, balanced and not nested too deep.

Part of the book-model stage, before any parser runs: `locate_unbalanced`
names the line of a tag that is never closed or closed wrongly (the HTML5
parser would otherwise guess), `without_code` blanks code so that tags shown
as code are not counted.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Every HTML void element, for telling an unclosed tag from one that needs no end tag.
HTML_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})


def locate_unbalanced(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """(line, problem) of the first raw HTML tag that is never closed or closed wrongly, in Markdown source.

    The line is 1-based within `text`; the message counts from `first_line`."""
    finder = _TagBalance(first_line - 1)
    try:
        finder.feed(without_code(text))
        finder.close()
    except _Found:
        pass
    except Exception:  # noqa: BLE001 (Python's HTMLParser on hostile markup: no finding, the HTML5 parser copes)
        return None
    if finder.found is None and finder.stack:
        tag, line = finder.stack[-1]
        return line, f"<{tag}> is never closed"
    return finder.found


class _Found(Exception):
    pass


class _TagBalance(HTMLParser):
    def __init__(self, offset: int) -> None:
        super().__init__(convert_charrefs=True)
        self.line_offset = offset
        self.stack: list[tuple[str, int]] = []
        self.found: tuple[int, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            expected = f" (<{self.stack[-1][0]}> from line {self.stack[-1][1] + self.line_offset} is still open)" if self.stack else ""
            self.found = (self.getpos()[0], f"</{tag}> closes nothing{expected}")
            raise _Found
        self.stack.pop()


def without_code(text: str) -> str:
    """Blank out fenced code, indented code and inline code, keeping line numbers."""
    out = []
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if fence is None and marker:
            fence = marker.group(1)[0] * 3
            out.append("")
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            out.append("")
            continue
        if line.startswith(("    ", "\t")):
            out.append("")
            continue
        out.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(out)
