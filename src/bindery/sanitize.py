"""Keeping an article inside the book: part of the book-model stage.

`content.render_markdown` hands the HTML Python-Markdown made of an article
(its raw HTML included) to `clean_html`, which parses it once with the HTML5
parser WeasyPrint itself uses (tinyhtml5) and copies into a new tree only what
`bindery.allowlist` names: elements, attributes per element, URL schemes per
attribute, CSS declarations, an SVG and a MathML subset. Comments, processing
instructions and CDATA never reach the new tree. Both outputs are serialized
from that one tree (`serialize_inner`), never from the source text.

Images are kept only when they are files inside the book folder (their `src`
becomes the book-relative path, percent-encoded); links keep `#fragments`,
the web (`http(s)`, `mailto:`, `tel:`) and relative paths, which
`content` resolves to articles of the book. Every removal is a warning naming
the article and, when the offending text can be found in the source, its line.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import tinyhtml5

from bindery import allowlist as allow
from bindery.diagnostics import Diagnostic

EPUB_NS = "http://www.idpf.org/2007/ops"
XLINK = "{" + allow.XLINK_NS + "}"
HTML_PREFIX = "{" + allow.HTML_NS + "}"
FOREIGN_NAMESPACES = (allow.SVG_NS, allow.MATH_NS)
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
WEB_SCHEMES = ("http:", "https:", "ftp:")
# Characters XML 1.0 forbids (the EPUB is XML): removed from text and attributes.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CLASS_NAME = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")  # what a stylesheet names without escapes

Locate = Callable[[str], "int | None"]


@dataclass
class Cleaned:
    root: ET.Element  # a <div> holding the article; HTML names plain, SVG and MathML namespaced
    images: list[str] = field(default_factory=list)  # book-relative paths of the images kept
    image_lines: dict[str, int | None] = field(default_factory=dict)  # where each image is written
    warnings: list[Diagnostic] = field(default_factory=list)


def classify_url(url: str, article_dir: str) -> tuple[str, str]:
    """(kind, value): kind is fragment | script | web | mail | data | file | absolute | outside | local | scheme.

    For `local`, value is the path relative to the book folder, percent-decoded."""
    kind = _scheme_kind(url)
    if kind is not None:
        return kind, url
    path = unquote(url.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    if "\x00" in path:
        return "outside", url
    joined = posixpath.normpath(posixpath.join(article_dir, path)) if path else article_dir
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return "outside", url
    return "local", joined


def _scheme_kind(url: str) -> str | None:
    """The kind of a URL that is not a path inside the book, from its start; None for a relative path."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url).lower()  # browsers ignore these inside a scheme
    if url.startswith("#"):
        return "fragment"
    if cleaned.startswith(SCRIPT_SCHEMES):
        return "script"
    if cleaned.startswith(WEB_SCHEMES) or url.startswith("//"):
        return "web"
    if cleaned.startswith(("mailto:", "tel:")):
        return "mail"
    if cleaned.startswith("data:"):
        return "data"
    if cleaned.startswith("file:"):
        return "file"
    if url.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", url):
        return "absolute"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", url):
        return "scheme"
    return None


def clean_html(html: str, *, article_dir: str, source: str, locate: Locate) -> Cleaned:
    """Parse `html` as HTML5 and copy what the allow-list names into a new tree."""
    parsed = tinyhtml5.parse(f"<!DOCTYPE html><html><head></head><body>{html}</body></html>", namespace_html_elements=True)
    body = parsed.find(HTML_PREFIX + "body")
    root = ET.Element("div")
    result = Cleaned(root)
    if body is None:  # the parser always makes one; keep mypy and a broken parser honest
        return result
    cleaner = _Cleaner(result, article_dir, source, locate)
    declaration = _DECLARATION.search(html)
    if declaration:  # HTML5 ignores them (no entities are ever expanded); say so
        cleaner.warn(
            f"raw HTML <!{declaration.group(1).upper()}> declaration removed",
            declaration.group(0),
            "articles hold HTML text, not XML markup",
            "html-markup",
        )
    cleaner.copy_children(body, root, allow.HTML_NS)
    return result


_DECLARATION = re.compile(r"<!(doctype|entity|element|attlist|notation)", re.I)


class _Cleaner:
    def __init__(self, result: Cleaned, article_dir: str, source: str, locate: Locate) -> None:
        self.result = result
        self.article_dir = article_dir
        self.source = source
        self.locate = locate
        self.said: set[tuple[str, str]] = set()

    def warn(self, message: str, needle: str, hint: str, code: str) -> None:
        self.result.warnings.append(
            Diagnostic(message, file=self.source, line=self.locate(needle), severity="warning", hint=hint, code=code)
        )

    def text(self, value: str | None) -> str:
        if not value:
            return ""
        if XML_ILLEGAL.search(value):
            bad = XML_ILLEGAL.search(value)
            assert bad is not None
            self.warn(
                f"control character U+{ord(bad.group()):04X} removed from the text",
                bad.group(),
                "delete the invisible character (it cannot appear in an EPUB)",
                "content-control-character",
            )
            value = XML_ILLEGAL.sub("", value)
        return value

    def copy_children(self, source: ET.Element, target: ET.Element, parent_ns: str) -> bool:
        """Copy the allowed children of `source` into `target`; True when anything was removed."""
        removed = False
        target.text = (target.text or "") + self.text(source.text)
        for child in source:
            if self.copy_child(child, target, parent_ns, self.text(child.tail)):
                removed = True
        return removed

    def copy_child(self, child: ET.Element, target: ET.Element, parent_ns: str, tail: str) -> bool:
        """Copy one child (or what may stay of it) into `target`; True when anything was removed."""
        if not isinstance(child.tag, str):  # a comment: HTML5 turns <?pi?> and <![CDATA[ ]]> into comments
            _append_text(target, tail)
            return self.xml_markup(child.text or "")
        ns, tag = _split(child.tag)
        if ns not in (allow.HTML_NS, allow.SVG_NS, allow.MATH_NS):
            ns = parent_ns
        if tag in allow.DROPPED_ELEMENTS or tag.lower() in allow.DROPPED_ELEMENTS:
            self.warn(
                f"raw HTML <{tag}> removed",
                f"<{tag}",
                "articles may not run scripts, load styles, frames or media, or hold forms; use Markdown",
                "html-removed",
            )
            _append_text(target, tail)
            return True
        if not allow.allowed_element(ns, tag):
            self.unwrap(child, target, ns, tag)
            _append_text(target, tail)
            return True
        if tag == "img" and ns == allow.HTML_NS:
            return self.copy_image(child, target, tail)
        copy = ET.Element(tag if ns == allow.HTML_NS else "{" + ns + "}" + tag)
        self.copy_attributes(child, copy, ns, tag)
        removed = self.copy_children(child, copy, ns)
        if tag == "p" and len(copy) == 0 and not (copy.text or "").strip() and not copy.attrib:
            _append_text(target, tail)  # a paragraph that held only removed things (or nothing) goes too
            return removed
        copy.tail = tail
        target.append(copy)
        return removed

    def copy_image(self, img: ET.Element, target: ET.Element, tail: str) -> bool:
        """Copy an image the book can hold into `target`; True when it was left out."""
        image = self.image(img)
        if image is None:
            _append_text(target, tail)
            return True
        image.tail = tail
        target.append(image)
        return False

    def xml_markup(self, content: str) -> bool:
        """Warn about a processing instruction or CDATA section (a comment's content); True when it was one."""
        if not content.startswith(("?", "[CDATA[")):
            return False
        what = "processing instruction" if content.startswith("?") else "CDATA section"
        needle = "<" + content[:12] if content.startswith("?") else "<![CDATA["
        self.warn(f"raw HTML {what} removed", needle, "articles hold HTML text, not XML markup", "html-markup")
        return True

    def unwrap(self, child: ET.Element, target: ET.Element, ns: str, tag: str) -> None:
        """Keep the content of an element that is not allowed, without the element."""
        self.warn(
            f"raw HTML <{tag}> is not allowed in an article; its content was kept without it",
            f"<{tag}",
            "use Markdown or the elements listed in docs/FORMATS.md",
            "html-element",
        )
        holder = ET.Element("span")
        self.copy_children(child, holder, ns)
        _append_text(target, holder.text or "")
        for grandchild in list(holder):
            target.append(grandchild)

    def copy_attributes(self, source: ET.Element, target: ET.Element, ns: str, tag: str) -> None:
        allowed = allow.allowed_attributes(ns, tag)
        for name, raw in source.attrib.items():
            if name.startswith("{http://www.w3.org/2000/xmlns/}") or name in ("xmlns", "xmlns:xlink"):
                continue  # namespace declarations: the serializer writes its own
            value = self.text(raw)
            local = name if name.startswith("{") else name.lower() if ns == allow.HTML_NS else name
            if local not in allowed:
                self.refuse_attribute(local, tag, value)
            elif local == "style":
                self.style(target, tag, value)
            elif local == "class":
                self.classes(target, tag, value)
            elif ns == allow.SVG_NS and local in allow.SVG_REFERENCES:
                self.svg_reference(target, tag, local, value)
            elif tag == "a" and local == "href":
                self.link(target, value)
            elif tag == "a" and local == "rel":
                self.rel(target, value)
            else:
                target.set(local, value)

    def classes(self, target: ET.Element, tag: str, value: str) -> None:
        """Class names only: a token no stylesheet could name (`javascript:alert(1)`) is dropped."""
        kept = [token for token in value.split() if CLASS_NAME.fullmatch(token) and token not in allow.RESERVED_CLASSES]
        dropped = [token for token in value.split() if token not in kept]
        if dropped:
            hint = "a class names a style of the book's stylesheet (letters, digits, '-' and '_'), never one of the book's own"
            self.warn(f"class on <{tag}> lost {', '.join(map(repr, dropped))}", value[:40], hint, "html-attribute")
        if kept:
            target.set("class", " ".join(kept))

    def style(self, target: ET.Element, tag: str, value: str) -> None:
        kept, dropped = allow.clean_style(value)
        if dropped:
            self.warn(
                f"style on <{tag}> lost {', '.join(sorted(set(dropped)))}",
                value[:40] or "style=",
                "style the book in templates/; articles may only set colours, fonts, spacing and borders",
                "html-style",
            )
        if kept:
            target.set("style", kept)

    def svg_reference(self, target: ET.Element, tag: str, local: str, value: str) -> None:
        if not allow.svg_reference_is_local(value):
            self.warn(
                f"SVG {_attr_name(local)}='{_short(value)}' on <{tag}> points outside the drawing; removed",
                value,
                "SVG may only refer to its own parts (#id)",
                "svg-reference",
            )
            return
        target.set(XLINK + "href" if local == "href" else local, value)

    def rel(self, target: ET.Element, value: str) -> None:
        rels = [r for r in value.lower().split() if r in allow.LINK_RELS]
        if len(rels) != len(value.split()):
            self.warn(f"link rel='{_short(value)}' removed", value, "links may not attach files", "html-rel")
        if rels:
            target.set("rel", " ".join(rels))

    def refuse_attribute(self, name: str, tag: str, value: str) -> None:
        name = _attr_name(name)
        if name.lower().startswith("on"):
            self.warn(
                f"event-handler attribute '{name}' on <{tag}> removed", f"{name}=", "articles may not run scripts", "html-event-handler"
            )
        elif "javascript:" in value.lower().replace(" ", ""):
            self.warn(f"javascript: URL in <{tag} {name}> removed", value, "articles may not run scripts", "html-script-url")
        else:
            self.warn(
                f"attribute '{name}' on <{tag}> removed",
                f"{name}=",
                "articles may use the attributes listed in docs/FORMATS.md",
                "html-attribute",
            )

    def link(self, target: ET.Element, href: str) -> None:
        kind, _value = classify_url(href.strip(), self.article_dir)
        if kind in ("fragment", "web", "mail", "local"):
            target.set("href", href.strip())
            return
        if kind == "script":
            scheme = re.sub(r"[\x00-\x20]+", "", href.split(":", 1)[0]).lower()
            self.warn(f"{scheme}: URL in <a href> removed", "script:", "articles may not run scripts", "html-script-url")
            return
        self.warn(
            f"link '{_short(href)}' points outside the book; removed",
            href,
            "link to pages on the web, or to other articles of the book",
            "url-outside",
        )

    def image(self, img: ET.Element) -> ET.Element | None:
        src = (img.get("src") or "").strip()
        if not src:
            self.warn("an image without a src was left out", "<img", "give the image a file: ![text](images/picture.png)", "image-refused")
            return None
        kind, value = classify_url(src, self.article_dir)
        if kind != "local":
            reason = {
                "web": "is on the web; Bindery never downloads images",
                "data": "is embedded as a data: URL",
                "script": "is a script URL",
            }.get(kind, "is outside the book folder")
            self.warn(
                f"image '{_short(src)}' {reason}; it was left out",
                src,
                "copy the image into the book folder and use a relative path",
                "image-refused",
            )
            return None
        copy = ET.Element("img")
        copy.set("src", quote(value))
        for name, raw in img.attrib.items():
            name = name.lower()
            if name == "class":
                self.classes(copy, "img", self.text(raw))  # class names only, as on every element
            elif name in ("alt", "width", "height", "title", "id", "lang", "dir"):
                copy.set(name, self.text(raw))
            elif name != "src":
                self.refuse_attribute(name, "img", raw)
        copy.set("alt", copy.get("alt", ""))
        self.result.images.append(value)
        self.result.image_lines.setdefault(value, self.locate(src))
        return copy


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return allow.HTML_NS, tag


def _attr_name(name: str) -> str:
    return "xlink:href" if name == XLINK + "href" else name.rsplit("}", 1)[-1]


def _append_text(parent: ET.Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def serialize_inner(root: ET.Element) -> str:
    """The XHTML inside the wrapper element, as a fragment.

    Only void elements are written self-closed (`<br />`); every other element
    gets its end tag, so the HTML5 parser of the print edition reads the same
    tree the EPUB holds."""
    ET.register_namespace("epub", EPUB_NS)
    ET.register_namespace("xlink", allow.XLINK_NS)
    _default_namespaces(root, None)
    whole = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    whole = _VOID_PAIR.sub(lambda m: f"<{m.group(1)}{m.group(2)} />", whole)
    start = whole.index(">") + 1
    return whole[start : whole.rindex("</")]


def _default_namespaces(el: ET.Element, inherited: str | None) -> None:
    """Write inline SVG and MathML as `<svg xmlns="...">`, as HTML expects, not `<ns0:svg>`."""
    ns = el.tag[1:].split("}")[0] if isinstance(el.tag, str) and el.tag.startswith("{") else None
    if ns in FOREIGN_NAMESPACES:
        el.tag = el.tag.rsplit("}", 1)[-1]
        if ns != inherited:
            el.set("xmlns", ns)
            if any(k.startswith(XLINK) for d in el.iter() for k in d.attrib):
                el.set("xmlns:xlink", allow.XLINK_NS)
    for child in el:
        _default_namespaces(child, ns if ns in FOREIGN_NAMESPACES else None)


_VOID_PAIR = re.compile(r"<(" + "|".join(sorted(allow.VOID_ELEMENTS)) + r")((?:\s[^<>]*)?)></\1>")
