"""Image files checked like text: part of the book-model stage.

Every image an article shows is read once here and becomes an `Asset`:

- raster images (PNG, JPEG, GIF, WebP) are decoded with Pillow, under a byte
  cap and a pixel cap, so a truncated file or a decompression bomb is refused
  with a clear error instead of vanishing from the PDF;
- SVG files are parsed without DTDs, entities or network access and cleaned
  with the inline-SVG allow-list of `bindery.allowlist` (no scripts, no
  styles, no references outside the drawing); a file that is not well-formed
  is refused;
- each gets a package name for the EPUB: `images/` and a lower-case ASCII
  name with no spaces, `%`, `#` or `?`, unique without regard to case and never
  one of the names Bindery generates itself.

Both builders use the asset's bytes: the EPUB packages them under the package
name, WeasyPrint's fetcher serves them for the book-relative path and nothing else.
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import warnings
from pathlib import Path

from lxml import etree
from PIL import Image, ImageFile

from bindery import allowlist as allow

MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000  # about 7700 x 7700: far beyond print resolution for a book page
# Images a book may show, by file extension; the media type of each.
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".svg": "SVG", ".webp": "WebP"}
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "SVG": "image/svg+xml", "WebP": "image/webp"}
# Package names Bindery writes itself: an article's image never takes one.
GENERATED_NAMES = frozenset({"images/bindery-cover.png", "css/book.css"} | {f"images/cover{suffix}" for suffix in IMAGE_TYPES})


class ImageRefused(Exception):
    """An image that cannot go into the book: (problem, hint)."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


def sniff_image(head: bytes) -> str | None:
    """The image type the bytes start with, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head.lower()):
        return "SVG"
    return None


def check_image_file(path: Path) -> tuple[str, str] | None:
    """None when `path` is an image of the type its name says; else (problem, hint)."""
    expected = IMAGE_TYPES.get(path.suffix.lower())
    if expected is None:
        return f"'{path.name}' is not an image type books can show", "use a PNG, JPEG, GIF, SVG or WebP file"
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        return f"cannot read '{path.name}': {exc.strerror}", "check the file's permissions"
    actual = sniff_image(head)
    if actual is None:
        return f"'{path.name}' is not a {expected} image (its content is not an image at all)", f"export the picture again as {expected}"
    if actual != expected:
        return (
            f"'{path.name}' is a {actual} image with a {path.suffix} name",
            f"rename it to end in .{actual.lower().replace('jpeg', 'jpg')}",
        )
    return None


def load_image(path: Path, removed: list[str] | None = None) -> tuple[str, bytes]:
    """(media type, bytes to publish) of an image file, decoded and checked; raises ImageRefused.

    `removed` collects what cleaning an SVG file left out (for a warning)."""
    bad = check_image_file(path)
    if bad is not None:
        raise ImageRefused(*bad)
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ImageRefused(
            f"'{path.name}' is {size // (1024 * 1024)} MB; the limit is {MAX_IMAGE_BYTES // (1024 * 1024)} MB",
            "export the picture at print size (300 DPI) before adding it",
        )
    data = path.read_bytes()
    kind = IMAGE_TYPES[path.suffix.lower()]
    if kind == "SVG":
        return MEDIA_TYPES[kind], clean_svg(data, path.name, removed)
    _decode_raster(data, path.name)
    return MEDIA_TYPES[kind], data


def _decode_raster(data: bytes, name: str) -> None:
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint sets it for the whole process
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        _decode(data, name)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _decode(data: bytes, name: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageRefused(
                        f"'{name}' is {width} x {height} pixels; the limit is {MAX_IMAGE_PIXELS // 1_000_000} million pixels",
                        "scale the picture down to its printed size at 300 DPI",
                    )
                probe.verify()  # chunk structure and checksums
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # every pixel
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(
            f"'{name}' is too large to decode safely (over {MAX_IMAGE_PIXELS // 1_000_000} million pixels)",
            "scale the picture down to its printed size at 300 DPI",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageRefused(f"'{name}' is damaged and cannot be decoded ({exc})", "export the picture again") from None


_SVG_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False)


def clean_svg(data: bytes, name: str, removed: list[str] | None = None) -> bytes:
    """An SVG file with only what the inline-SVG allow-list names; raises ImageRefused."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ImageRefused(f"'{name}' declares a DOCTYPE or entities", "save the SVG without a DOCTYPE (plain SVG 1.1)")
    try:
        root = etree.fromstring(data, _SVG_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ImageRefused(f"'{name}' is not a well-formed SVG file ({exc.msg})", "export the drawing again as plain SVG") from None
    if root.tag != "{" + allow.SVG_NS + "}svg":
        raise ImageRefused(f"'{name}' is not an SVG drawing (its root is <{etree.QName(root).localname}>)", "export it again as SVG")
    clean = etree.Element("{" + allow.SVG_NS + "}svg", nsmap={None: allow.SVG_NS, "xlink": allow.XLINK_NS})
    _copy_svg(root, clean, removed if removed is not None else [])
    return bytes(etree.tostring(clean, xml_declaration=True, encoding="UTF-8"))


def _copy_svg(source: etree._Element, target: etree._Element, removed: list[str]) -> None:
    for name, value in source.attrib.items():
        qname = str(name)
        local = qname if qname == allow.XLINK_HREF else qname.rsplit("}", 1)[-1]
        shown = "xlink:href" if qname == allow.XLINK_HREF else local
        if local not in allow.allowed_attributes(allow.SVG_NS, etree.QName(source).localname):
            removed.append(shown)
            continue
        if local in allow.SVG_REFERENCES and not allow.svg_reference_is_local(str(value)):
            removed.append(f"{shown}={value}")
            continue
        target.set(qname, str(value))
    target.text = source.text if isinstance(source.text, str) else None
    for child in source:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions, entities
        if child.tag.startswith("{" + allow.SVG_NS + "}") and etree.QName(child).localname in allow.SVG_ELEMENTS:
            copy = etree.SubElement(target, child.tag)
            _copy_svg(child, copy, removed)
            copy.tail = child.tail
        else:
            removed.append(f"<{etree.QName(child).localname}>")
            if len(target):
                target[-1].tail = (target[-1].tail or "") + (child.tail or "")


def package_names(sources: list[str]) -> dict[str, str]:
    """A safe, unique EPUB name for each book-relative image path, in the order given."""
    names: dict[str, str] = {}
    taken = set(GENERATED_NAMES)
    for src in sources:
        stem, suffix = posixpath.splitext(posixpath.basename(src))
        ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
        safe = re.sub(r"[^a-z0-9._-]+", "-", ascii_stem.lower()).strip("-.") or "image"
        safe = safe[:60]
        candidate = f"images/{safe}{suffix.lower()}"
        n = 2
        while candidate in taken:
            candidate = f"images/{safe}-{n}{suffix.lower()}"
            n += 1
        taken.add(candidate)
        names[src] = candidate
    return names
