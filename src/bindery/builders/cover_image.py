"""The typographic ebook cover: drawn when the manifest names no `cover` image.

The layout is a template, `ebook/cover-art.yaml.j2` (colours, fonts, sizes,
positions), rendered with the book's metadata and drawn with Pillow in the
shipped print fonts, so a book overrides it like any other template. The
result is a PNG of at least 1600 x 2560 pixels; the same metadata always
gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFont

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.manifest import display_path
from bindery.model import Book
from bindery.templating import Templates

TEMPLATE = "cover-art.yaml.j2"
MIN_SIZE = (1600, 2560)


@dataclass(frozen=True)
class CoverImage:
    name: str  # path inside the package
    media_type: str
    data: bytes


def generated_cover(book: Book) -> CoverImage:
    ebook = Templates(Path(book.root), "ebook")
    fonts = Templates(Path(book.root), "print")
    source = ebook.render(TEMPLATE, meta=book.metadata, book=book)
    where = display_path(ebook.find(TEMPLATE))
    try:
        spec = yaml.safe_load(source)
        image = _draw(spec, fonts)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, OSError) as exc:
        raise BinderyError(
            Diagnostic(
                f"cannot draw the generated cover: {type(exc).__name__}: {exc}",
                file=where,
                hint="check the cover template, or set `cover:` in book.yaml",
                code="cover-template",
            )
        ) from None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return CoverImage("images/bindery-cover.png", "image/png", buffer.getvalue())


def _draw(spec: dict[str, Any], fonts: Templates) -> Image.Image:
    width, height = int(spec["width"]), int(spec["height"])
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise ValueError(f"the cover is {width} x {height} px; stores want at least {MIN_SIZE[0]} x {MIN_SIZE[1]}")
    image = Image.new("RGB", (width, height), spec.get("background", "white"))
    draw = ImageDraw.Draw(image)
    for rule in spec.get("rules", []):
        draw.rectangle((rule["left"], rule["top"], rule["right"], rule["top"] + rule["thickness"] - 1), fill=rule["color"])
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
        for n, line in enumerate(lines):
            draw.text((width / 2, top + n * step), line, font=font, fill=block.get("color", "black"), anchor="mt")
        y = top + step * len(lines)
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
