"""The typographic ebook cover: drawn when the manifest names no `cover` image.

The layout is a template, `ebook/cover-art.yaml.j2` (colours, fonts, sizes,
positions), rendered with the book's metadata and drawn with Pillow in the
shipped fonts (`templates/shared/fonts/`, the print edition's too), so a
book overrides it like any other template. The
result is a PNG of at least 1600 x 2560 pixels; the same metadata always
gives the same bytes. `cover_art` is the design laid out once (text fitted
to its lines); the print cover's front panel (`builders/cover.py`) is the
same design scaled to the trim, so the two covers are one design.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFont

from bindery.build_cache import BuildCache
from bindery.cache_keys import book_templates_digest, key_of
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.model import Book
from bindery.paths import display_path
from bindery.templating import Templates

TEMPLATE = "cover-art.yaml.j2"
GENERATED_NAME = "images/bindery-cover.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_SIZE = (1600, 2560)


@dataclass(frozen=True)
class CoverImage:
    name: str  # path inside the package
    media_type: str
    data: bytes


@dataclass(frozen=True)
class ArtRule:
    """A horizontal rule of the design, in pixels of the ebook cover."""

    left: float
    right: float
    top: float
    thickness: float
    color: str


@dataclass(frozen=True)
class ArtText:
    """A text block of the design, already fitted: its lines, size and place in pixels."""

    lines: tuple[str, ...]
    font: str  # a font file the ebook set finds (the shared fonts), e.g. fonts/CharisSIL-Bold.ttf
    size: float
    top: float  # of the first line
    step: float  # line to line
    color: str
    box_top: float  # where a CSS line box of height `step` starts so that its glyphs land where Pillow draws them


@dataclass(frozen=True)
class CoverArt:
    """The typographic cover laid out once: the ebook draws it, the print cover's front panel scales it."""

    width: int
    height: int
    background: str
    rules: tuple[ArtRule, ...]
    texts: tuple[ArtText, ...]


def cover_art(book: Book) -> CoverArt:
    """The book's cover design from `ebook/cover-art.yaml.j2`, with every text block fitted."""
    ebook = Templates(book.root, "ebook")  # finds the fonts too: templates/shared/ is in its folders
    return _art_from(ebook.render(TEMPLATE, meta=book.metadata, book=book), ebook)


def _art_from(source: str, ebook: Templates) -> CoverArt:
    """The design the rendered `cover-art.yaml.j2` (`source`) describes, laid out in the fonts `ebook` finds."""
    fonts = ebook
    where = display_path(ebook.find(TEMPLATE))
    try:
        return _lay_out(yaml.safe_load(source), fonts)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, OSError) as exc:
        raise BinderyError(
            Diagnostic(
                f"cannot draw the generated cover: {type(exc).__name__}: {exc}",
                file=where,
                hint="check the cover template, or set `cover:` in book.yaml",
                code="cover-template",
            )
        ) from None


def generated_cover(book: Book, cache: BuildCache | None = None) -> CoverImage:
    """The cover drawn as a PNG. With `cache`, a drawing is reused while the rendered design
    (`cover-art.yaml.j2` with this book's metadata) and the book's template files are the same."""
    ebook = Templates(book.root, "ebook")
    source = ebook.render(TEMPLATE, meta=book.metadata, book=book)
    key = key_of("generated-cover", source, book_templates_digest(book.root))
    data = cache.get(key) if cache is not None else None
    if data is None or not data.startswith(PNG_SIGNATURE):
        data = _drawn(key, source, book.root)
        if cache is not None:
            cache.put(key, data)
    return CoverImage(GENERATED_NAME, "image/png", data)


#: The drawings of this process by key, the most recent last (at most `DRAWINGS_KEPT`).
_drawings: OrderedDict[str, bytes] = OrderedDict()
DRAWINGS_KEPT = 16


def _drawn(key: str, source: str, root: Path) -> bytes:
    """The PNG of the design `source`, drawn once per process for each `key`: the preview, a
    catalog worker and a test run build a book again, or books whose design and templates are
    the same. `key` holds all a drawing depends on (the rendered design and the bytes of the
    book's template files, fonts included), so another folder with the same files reuses it.
    Saved at zlib level 6: half the time of `optimize`, 2 % larger."""
    if key in _drawings:
        _drawings.move_to_end(key)
        return _drawings[key]
    buffer = io.BytesIO()
    _paint(_art_from(source, Templates(root, "ebook")), Templates(root, "print")).save(buffer, format="PNG", compress_level=6)
    _drawings[key] = buffer.getvalue()
    while len(_drawings) > DRAWINGS_KEPT:
        _drawings.popitem(last=False)
    return _drawings[key]


def _lay_out(spec: dict[str, Any], fonts: Templates) -> CoverArt:
    width, height = int(spec["width"]), int(spec["height"])
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise ValueError(f"the cover is {width} x {height} px; stores want at least {MIN_SIZE[0]} x {MIN_SIZE[1]}")
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    rules = tuple(
        ArtRule(float(r["left"]), float(r["right"]), float(r["top"]), float(r["thickness"]), str(r["color"])) for r in spec.get("rules", [])
    )
    texts: list[ArtText] = []
    y = 0.0
    for block in spec.get("blocks", []):
        font, lines = _fit(draw, block, fonts)
        step = font.size * float(block.get("line_spacing", 1.2))
        if "bottom" in block:
            top = height - float(block["bottom"]) - step * len(lines)
        elif "after" in block:
            top = y + float(block["after"])
        else:
            top = float(block.get("top", 0))
        # Pillow puts the ink top of the first line at `top`; CSS centres ascent + descent in the line box.
        ascent, descent = font.getmetrics()
        ink = font.getbbox(lines[0], anchor="la")[1] if lines else 0
        box_top = top - ink - (step - ascent - descent) / 2
        texts.append(ArtText(tuple(lines), str(block["font"]), float(font.size), top, step, str(block.get("color", "black")), box_top))
        y = top + step * len(lines)
    return CoverArt(width, height, str(spec.get("background", "white")), rules, tuple(texts))


def _paint(art: CoverArt, fonts: Templates) -> Image.Image:
    image = Image.new("RGB", (art.width, art.height), art.background)
    draw = ImageDraw.Draw(image)
    for rule in art.rules:
        draw.rectangle((rule.left, rule.top, rule.right, rule.top + rule.thickness - 1), fill=rule.color)
    for text in art.texts:
        font = ImageFont.truetype(str(fonts.find(text.font)), int(text.size))
        for n, line in enumerate(text.lines):
            draw.text((art.width / 2, text.top + n * text.step), line, font=font, fill=text.color, anchor="mt")
    return image


def _fit(draw: ImageDraw.ImageDraw, block: dict[str, Any], fonts: Templates) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (down to min_size) at which the text wraps into max_lines lines."""
    path = fonts.find(block["font"])
    size = int(block["size"])
    least = int(block.get("min_size", size))
    while True:
        font = ImageFont.truetype(str(path), size)
        lines = _wrap(draw, str(block["text"]), font, float(block["max_width"]))
        fits = all(draw.textlength(line, font=font) <= block["max_width"] for line in lines) and len(lines) <= int(
            block.get("max_lines", 99)
        )
        if fits or size <= least:
            return font, lines
        size = max(least, int(size * 0.92))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
