"""Every size and depth limit on what a book's author hands Bindery, in one place.

Hostile or unlucky input (a 20 MB article, a 100,000-character title, YAML
aliases that expand to billions of values, 10,000 nested lists) must fail at
once with a message that names the file, the line and the limit, never run
for minutes or exhaust memory. The numbers are far above what any real book
needs; each message names the limit so an author knows what to change.
"""

from __future__ import annotations

import re

from bindery.diagnostics import BinderyError, Diagnostic

#: An article file (Markdown or a raw web export), in bytes.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
#: book.yaml, in bytes.
MAX_MANIFEST_BYTES = 1024 * 1024
#: Values in one YAML document once its aliases are expanded.
MAX_YAML_VALUES = 100_000
#: Digits in a YAML number (Python refuses to read more than 4,300).
MAX_NUMBER_DIGITS = 1000
#: A title, subtitle, name or any other one-line text field.
MAX_TITLE_CHARS = 500
#: Longer text fields (a book's description and rights, an article's summary).
MAX_LONG_TEXT_CHARS = 20_000
#: A file name given in book.yaml (epub.filename, pdf.filename) or a path component.
MAX_FILENAME_CHARS = 120
#: A whole path given in book.yaml.
MAX_PATH_CHARS = 1000
#: File names made from a title (the PDF's, a new book's) are cut to this length.
MAX_SLUG_CHARS = 80
#: Entries under an article's `related:`.
MAX_RELATED_ENTRIES = 500
#: Levels of nested lists and block quotes in an article's Markdown.
MAX_NESTING_LEVELS = 20


def shorten(text: str, limit: int = 60) -> str:
    """Text fit to be echoed in a message: at most `limit` characters."""
    text = " ".join(text.split()) if len(text) < 10 * limit else " ".join(text[: 2 * limit].split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cap_slug(slug: str, limit: int = MAX_SLUG_CHARS) -> str:
    """A `-`-joined slug cut at a word boundary to at most `limit` characters."""
    if len(slug) <= limit:
        return slug
    cut = slug.rfind("-", 0, limit + 1)
    return slug[: cut if cut > limit // 2 else limit].strip("-")


def too_long(length: int, limit: int, what: str) -> str:
    """The message for a value over its limit; never echoes the value."""
    return f"{what} is {length:,} characters long; the limit is {limit:,}"


# A line's leading containers: a block quote marker, or a list marker followed by a space.
_CONTAINER = re.compile(r"[ \t]{0,3}(?:>[ \t]?|(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")


def check_nesting(body: str, name: str, first_line: int, limit: int = MAX_NESTING_LEVELS) -> None:
    """Refuse Markdown nested deeper than `limit` lists and block quotes.

    Python-Markdown parses nested blocks recursively: 1,000 levels take
    seconds and end in a RecursionError, 10,000 never finish. This linear
    pre-check runs before Markdown and counts, per line, the list items it
    is indented under plus the quote and list markers it starts with."""
    items: list[int] = []  # content column of each open list item
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        stripped = line.lstrip(" \t")
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if not stripped:
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = opened.group(1)[:3]
            continue
        indent = len(line) - len(stripped)
        while items and indent < items[-1]:
            items.pop()
        depth = len(items)
        column = indent
        rest = stripped
        quotes = 0
        while depth + quotes <= limit:
            m = _CONTAINER.match(rest)
            if not m:
                break
            marker = m.group(0)
            if marker.lstrip().startswith(">"):
                quotes += 1
            else:
                items.append(column + len(marker))
                depth += 1
            column += len(marker)
            rest = rest[len(marker) :]
        if depth + quotes > limit:
            raise BinderyError(
                Diagnostic(
                    f"lists and block quotes are nested more than {limit} levels deep",
                    file=name,
                    line=number,
                    hint=f"Bindery allows at most {limit} levels; flatten the nesting",
                    code="source-too-deep",
                )
            )


#: Text fields that may be longer than a title.
LONG_TEXT_KEYS = ("description", "rights", "summary")


def check_text_length(key: str, value: str) -> tuple[str, str] | None:
    """(message, hint) when a text field is over its limit, else None."""
    limit = MAX_LONG_TEXT_CHARS if key in LONG_TEXT_KEYS else MAX_TITLE_CHARS
    if len(value) <= limit:
        return None
    return too_long(len(value), limit, f"the {key}"), "shorten it"


def check_path_length(path: str, what: str) -> tuple[str, str] | None:
    """(message, hint) when a path given in book.yaml is too long for a file system."""
    longest = max(path.split("/"), key=len)
    if len(path) > MAX_PATH_CHARS:
        return too_long(len(path), MAX_PATH_CHARS, f"the {what} path"), "use shorter folder and file names"
    if len(longest.encode("utf-8")) > MAX_FILENAME_CHARS:
        return (
            f"{what} '{shorten(longest)}' has a name of {len(longest):,} characters; the limit is {MAX_FILENAME_CHARS}",
            "rename the file",
        )
    return None


def check_file_name(name: str, suffix: str) -> tuple[str, str] | None:
    """(message, hint) when `name` is not a plain, safe output file name ending in `suffix`."""
    example = f"e.g. filename: my-book{suffix}"
    if len(name) > MAX_FILENAME_CHARS:
        return too_long(len(name), MAX_FILENAME_CHARS, "the file name"), example
    if "/" in name or "\\" in name or not name.endswith(suffix) or name.startswith(".") or len(name) == len(suffix):
        return f"'{shorten(name)}' is not a plain {suffix} file name", example
    if any(ord(c) < 32 or c in '<>:"|?*' for c in name):
        return f"'{shorten(name)}' has a character file systems refuse", example
    return None
