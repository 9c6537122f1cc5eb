"""Keeping an article's XHTML inside the book: part of the book-model stage.

`content.render_markdown` parses each article's XHTML fragment (Markdown output
and raw HTML alike) and hands the tree to `sanitize_fragment`, which:

- removes elements that run code or pull in other resources (`<script>`,
  `<style>`, `<iframe>`, `<object>`, `<embed>`, `<link>`, `<meta>`, `<base>`...),
  event-handler attributes (`on*`), `javascript:`/`vbscript:` URLs and `style`
  attributes that load a `url(...)`;
- keeps an image only when it is a file inside the book folder (its `src`
  becomes book-relative); `http(s)`, `file:`, `data:`, absolute and `../`
  paths that leave the book are removed, so neither WeasyPrint nor the EPUB
  builder ever reads them;
- keeps links to the web (`http(s)`, `mailto:`), fragments and relative links
  inside the book, and removes the `href` of links to `file:`, absolute or
  escaping paths (the link text stays).

Every removal is a warning naming the article and, when the offending text can
be found in the source, its line. `check_image_file` tells whether a file is
really the image its name says.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from bindery.diagnostics import Diagnostic

EPUB_NS = "http://www.idpf.org/2007/ops"
XLINK = "{http://www.w3.org/1999/xlink}"
XLINK_HREF = XLINK + "href"

# Elements removed with everything inside them.
DROPPED_ELEMENTS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "link", "meta", "base", "noscript"}
)
# Attributes that hold a URL the renderer or reader may load or follow.
URL_ATTRIBUTES = ("href", "src", "srcset", "poster", "background", "action", "formaction", "data", "cite", "longdesc", XLINK_HREF)
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
WEB_SCHEMES = ("http:", "https:", "ftp:")
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})

# Image types an EPUB reader and WeasyPrint both show, by file extension.
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".svg": "SVG", ".webp": "WebP"}

Locate = Callable[[str], "int | None"]


@dataclass
class Sanitized:
    changed: bool = False
    images: list[str] = field(default_factory=list)  # book-relative paths of the images kept
    image_lines: dict[str, int | None] = field(default_factory=dict)  # where each image is written
    warnings: list[Diagnostic] = field(default_factory=list)


def classify_url(url: str, article_dir: str) -> tuple[str, str]:
    """(kind, value): kind is fragment | script | web | mail | data | file | absolute | outside | local | scheme.

    For `local`, value is the path relative to the book folder."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url).lower()  # browsers ignore these inside a scheme
    if url.startswith("#"):
        return "fragment", url
    if cleaned.startswith(SCRIPT_SCHEMES):
        return "script", url
    if cleaned.startswith(WEB_SCHEMES) or url.startswith("//"):
        return "web", url
    if cleaned.startswith(("mailto:", "tel:")):
        return "mail", url
    if cleaned.startswith("data:"):
        return "data", url
    if cleaned.startswith("file:"):
        return "file", url
    if url.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", url):
        return "absolute", url
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", url):
        return "scheme", url
    path = url.split("#", 1)[0].split("?", 1)[0].replace("\\", "/")
    joined = posixpath.normpath(posixpath.join(article_dir, path)) if path else article_dir
    if joined == ".." or joined.startswith("../"):
        return "outside", url
    return "local", joined


def sanitize_fragment(root: ET.Element, *, article_dir: str, source: str, locate: Locate) -> Sanitized:
    """Clean `root` (a wrapper around one article's XHTML) in place."""
    result = Sanitized()

    def warn(message: str, needle: str, hint: str, code: str) -> None:
        result.warnings.append(Diagnostic(message, file=source, line=locate(needle), severity="warning", hint=hint, code=code))
        result.changed = True

    emptied: list[ET.Element] = []  # parents that lost a child

    def clean(parent: ET.Element) -> None:
        for child in list(parent):
            if not isinstance(child.tag, str):  # a comment or processing instruction
                continue
            _lower_case_names(child)
            tag = _local(child.tag)
            if tag in DROPPED_ELEMENTS:
                warn(
                    f"raw HTML <{tag}> removed",
                    f"<{tag}",
                    "articles may not run scripts or load styles and frames; use Markdown",
                    "html-removed",
                )
                _remove(parent, child)
                emptied.append(parent)
                continue
            if tag == "img" and not _keep_image(child):
                _remove(parent, child)
                emptied.append(parent)
                continue
            _clean_attributes(child, tag)
            clean(child)

    def _lower_case_names(el: ET.Element) -> None:
        """HTML names are case-insensitive, XHTML's are lower case: <SCRIPT> is <script>."""
        if el.tag.startswith("{"):
            return  # SVG and MathML names are case-sensitive (viewBox)
        if el.tag != el.tag.lower():
            el.tag = el.tag.lower()
            result.changed = True
        if any(not k.startswith("{") and k != k.lower() for k in el.attrib):
            items = [(k if k.startswith("{") else k.lower(), v) for k, v in el.attrib.items()]
            el.attrib.clear()
            el.attrib.update(items)
            result.changed = True

    def _keep_image(img: ET.Element) -> bool:
        src = (img.get("src") or "").strip()
        if not src:
            warn("an image without a src was left out", "<img", "give the image a file: ![text](images/picture.png)", "image-refused")
            return False
        kind, value = classify_url(src, article_dir)
        if kind == "local":
            if value != src:
                img.set("src", value)
                result.changed = True
            result.images.append(value)
            result.image_lines.setdefault(value, locate(src))
            for attr in ("srcset",):
                if attr in img.attrib:
                    del img.attrib[attr]
                    result.changed = True
            return True
        reason = {
            "web": "is on the web; Bindery never downloads images",
            "data": "is embedded as a data: URL",
            "script": "is a script URL",
        }.get(kind, "is outside the book folder")
        warn(
            f"image '{_short(src)}' {reason}; it was left out",
            src or "<img",
            "copy the image into the book folder and use a relative path",
            "image-refused",
        )
        return False

    def _clean_attributes(el: ET.Element, tag: str) -> None:
        for attr, value in list(el.attrib.items()):
            name = _local(attr).lower()
            if name.startswith("on"):
                del el.attrib[attr]
                warn(
                    f"event-handler attribute '{name}' on <{tag}> removed", f"{name}=", "articles may not run scripts", "html-event-handler"
                )
            elif name == "style" and re.search(r"url\s*\(|expression\s*\(|@import", value, re.I):
                del el.attrib[attr]
                warn(
                    f"style attribute on <{tag}> that loads a resource removed",
                    value,
                    "style the book in templates/, not in articles",
                    "html-style-url",
                )
            elif attr in URL_ATTRIBUTES or name in URL_ATTRIBUTES:
                kind, _target = classify_url(value, article_dir)
                if kind == "script":
                    del el.attrib[attr]
                    warn(
                        f"{value.split(':', 1)[0].strip().lower()}: URL in <{tag} {name}> removed",
                        value,
                        "articles may not run scripts",
                        "html-script-url",
                    )
                elif kind in ("file", "absolute", "outside", "data", "scheme") or (
                    kind == "web" and not (tag in ("a", "area") and name == "href")
                ):
                    del el.attrib[attr]
                    what = "link" if name == "href" else f"{name} URL"
                    warn(
                        f"{what} '{_short(value)}' points outside the book; removed",
                        value,
                        "link to pages on the web, or to files inside the book folder",
                        "url-outside",
                    )

    clean(root)
    # A paragraph that held only a removed image goes too.
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in emptied:
        if _local(element.tag) == "p" and len(element) == 0 and not (element.text or "").strip() and element in parents:
            _remove(parents[element], element)
    return result


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1] if text.startswith("{") else text


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove `child`, keeping the text that follows it."""
    tail = child.tail or ""
    index = list(parent).index(child)
    if tail:
        if index > 0:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(child)


def serialize_inner(root: ET.Element) -> str:
    """The XHTML inside the wrapper element, as a fragment.

    Only void elements are written self-closed (`<br />`); an empty `<p>` or
    `<span>` gets its end tag, which the print HTML's parser needs."""
    ET.register_namespace("epub", EPUB_NS)
    ET.register_namespace("xlink", XLINK[1:-1])
    _default_namespaces(root, None)
    whole = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    whole = _VOID_PAIR.sub(lambda m: f"<{m.group(1)}{m.group(2)} />", whole)
    start = whole.index(">") + 1
    return whole[start : whole.rindex("</")]


def _default_namespaces(el: ET.Element, inherited: str | None) -> None:
    """Write inline SVG and MathML as `<svg xmlns="...">`, as HTML expects, not `<ns0:svg>`."""
    ns = el.tag[1:].split("}")[0] if isinstance(el.tag, str) and el.tag.startswith("{") else None
    if ns in FOREIGN_NAMESPACES:
        el.tag = _local(el.tag)
        if ns != inherited:
            el.set("xmlns", ns)
            if any(k.startswith(XLINK) for d in el.iter() for k in d.attrib):
                el.set("xmlns:xlink", XLINK[1:-1])
    for child in el:
        _default_namespaces(child, ns if ns in FOREIGN_NAMESPACES else None)


FOREIGN_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML")
_VOID_PAIR = re.compile(r"<(" + "|".join(sorted(VOID_ELEMENTS)) + r")((?:\s[^<>]*)?)></\1>")


def locate_unbalanced(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """(line, problem) of the first raw HTML tag that is never closed or closed wrongly, in Markdown source.

    The line is 1-based within `text`; the message counts from `first_line`."""
    finder = _TagBalance(first_line - 1)
    try:
        finder.feed(_without_code(text))
        finder.close()
    except _Found:
        pass
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
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1][0] != tag:
            expected = f" (<{self.stack[-1][0]}> from line {self.stack[-1][1] + self.line_offset} is still open)" if self.stack else ""
            self.found = (self.getpos()[0], f"</{tag}> closes nothing{expected}")
            raise _Found
        self.stack.pop()


def _without_code(text: str) -> str:
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
