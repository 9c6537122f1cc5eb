"""Reading an author's text files: a size cap, the encoding, and characters XML cannot hold.

Used for `book.yaml`, every article and every raw export (`bindery import`
too). A file over its size cap is refused before it is read; UTF-8 (with or
without a byte-order mark) and UTF-16/32 with a byte-order mark are read,
anything else is refused with the line of the first bad byte; a control
character that an EPUB or PDF cannot carry is an error with its line, never
an XML error three stages later.
"""

from __future__ import annotations

import codecs
import re
import stat
import unicodedata
from pathlib import Path

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.limits import MAX_ARTICLE_BYTES

# What XML 1.0 cannot hold: C0 controls but tab, newline and carriage return;
# lone surrogates (YAML's "\ud800"); the non-characters U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ILLEGAL_HINT = "delete it; most editors do not show it, so retype the words around it"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def describe_char(char: str) -> str:
    return f"the control character U+{ord(char):04X}"


def find_illegal(text: str) -> tuple[int, str] | None:
    """(index, character) of the first character XML cannot hold, or None."""
    m = XML_ILLEGAL.search(text)
    return (m.start(), m.group(0)) if m else None


def check_xml_chars(text: str, name: str, first_line: int = 1, code: str = "source-control-char") -> None:
    """Raise, with the line, when `text` holds a character XML cannot hold."""
    found = find_illegal(text)
    if found is None:
        return
    index, char = found
    raise BinderyError(
        Diagnostic(
            f"contains {describe_char(char)}, which an EPUB cannot hold",
            file=name,
            line=first_line + text.count("\n", 0, index),
            hint=ILLEGAL_HINT,
            code=code,
        )
    )


def read_capped(path: Path, name: str, limit: int = MAX_ARTICLE_BYTES, what: str = "an article") -> bytes:
    """The bytes of `path`, refused without reading it when over `limit` or not a regular file
    (a FIFO would block the read until something wrote to it; /dev/zero never ends)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            hint = "give the path of a text file"
            raise BinderyError(Diagnostic("is not a regular file (a folder, a pipe or a device)", file=name, hint=hint, code="source-io"))
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise BinderyError(Diagnostic(f"cannot read: {exc.strerror}", file=name, code="source-io")) from None
    if len(data) > limit:
        try:
            size = f"{path.stat().st_size / 1024 / 1024:.1f} MB"
        except OSError:
            size = "too large"
        raise BinderyError(
            Diagnostic(
                f"is {size}; {what} may be at most {limit // 1024 // 1024} MB",
                file=name,
                hint="split it into several files",
                code="source-too-large",
            )
        )
    return data


def decode_text(data: bytes, name: str) -> str:
    """Text from an author's file: UTF-8, or UTF-16/32 with a byte-order mark;
    line ends normalised to '\\n'; no character XML cannot hold."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:8192]:
        sample = data[:8192]
        if len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4):
            raise BinderyError(
                Diagnostic(
                    "looks like UTF-16 text without a byte-order mark",
                    file=name,
                    hint="save it as UTF-8 in your editor",
                    code="source-encoding",
                )
            )
        try:
            data.decode("utf-8-sig")  # text with a stray NUL: reported below with its line
        except UnicodeDecodeError:
            raise BinderyError(
                Diagnostic(
                    "is a binary file, not text", file=name, hint="articles must be Markdown or plain-text files", code="source-binary"
                )
            ) from None
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding and encoding != "utf-8-sig":
            raise BinderyError(
                Diagnostic(
                    f"is not valid {encoding.upper()} text", file=name, hint="save it as UTF-8 in your editor", code="source-encoding"
                )
            ) from None
        before = data[: exc.start]
        line = before.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1  # old Mac files end lines with CR alone
        raise BinderyError(
            Diagnostic(
                f"is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                file=name,
                line=line,
                hint="re-save the file as UTF-8 in your editor",
                code="source-encoding",
            )
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_xml_chars(text, name)
    return text


def is_visible(text: str | None) -> bool:
    """Whether `text` shows a reader anything: not empty, blank, or only format characters (U+200B)."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text or "")
