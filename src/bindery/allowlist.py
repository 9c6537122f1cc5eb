"""What an article may contain: the allow-list `sanitize` cleans every article with.

Everything not named here is removed (with a warning): elements, attributes,
URL schemes, CSS properties and CSS functions. The lists are data only; the
walk that applies them is `bindery.sanitize`. SVG image files are cleaned
with the same SVG subset (`bindery.assets`).
"""

from __future__ import annotations

import re

import tinycss2

HTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATH_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_NS = "http://www.w3.org/1999/xlink"
XLINK_HREF = "{" + XLINK_NS + "}href"

# HTML elements kept (with their allowed attributes).
HTML_ELEMENTS = frozenset(
    """a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup dd del details dfn div dl dt em
    figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark ol p pre q rp rt ruby s samp section small
    span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr""".split()
)
VOID_ELEMENTS = frozenset({"br", "col", "hr", "img", "wbr"})

# Elements removed with everything inside them: they run code, load or embed
# other resources, or hold text that is not part of the article.
DROPPED_ELEMENTS = frozenset(
    """script style template iframe frame frameset object embed applet noscript noembed noframes xmp plaintext textarea
    select option optgroup datalist title link meta base param source track audio video canvas picture map area portal
    foreignObject animate animateMotion animateTransform animateColor set discard handler listener annotation-xml
    input button form keygen output progress meter dialog slot""".split()
)

GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "style"})
# Classes the book's own templates give meaning to: `hidden-title` hides a heading the contents
# need (print: visibility hidden; EPUB: off-screen), so an article's text under it disappeared.
RESERVED_CLASSES = frozenset({"hidden-title"})
HTML_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang", "rel"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "abbr"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
    "time": frozenset({"datetime"}),
    "details": frozenset({"open"}),
}
# rel values a link may carry; never `attachment` (WeasyPrint embeds the target file).
LINK_RELS = frozenset({"nofollow", "noopener", "noreferrer", "external", "license", "author", "bookmark", "tag", "help", "prev", "next"})
# Schemes a link (`<a href>`) may use besides `#fragment` and paths to other articles.
LINK_SCHEMES = ("http", "https", "mailto", "tel")

SVG_ELEMENTS = frozenset(
    """svg g defs title desc path rect circle ellipse line polyline polygon text tspan linearGradient radialGradient stop
    clipPath symbol use marker""".split()
)
SVG_ATTRIBUTES = frozenset(
    """id class viewBox width height x y x1 y1 x2 y2 cx cy r rx ry d points fill stroke stroke-width stroke-linecap
    stroke-linejoin stroke-dasharray stroke-dashoffset stroke-miterlimit stroke-opacity fill-opacity fill-rule clip-rule
    clip-path opacity transform font-family font-size font-weight font-style text-anchor dominant-baseline offset
    stop-color stop-opacity gradientUnits gradientTransform fx fy dx dy preserveAspectRatio marker-start marker-mid
    marker-end markerWidth markerHeight refX refY orient markerUnits clipPathUnits role lang version""".split()
)
# SVG attributes that may only point inside the same document: `url(#id)` or `#id`.
SVG_REFERENCES = frozenset({"fill", "stroke", "clip-path", "marker-start", "marker-mid", "marker-end", XLINK_HREF, "href"})

MATH_ELEMENTS = frozenset(
    """math mi mn mo ms mtext mrow msup msub msubsup mfrac msqrt mroot mover munder munderover mtable mtr mtd mspace
    mstyle mpadded mphantom menclose semantics annotation merror""".split()
)
MATH_ATTRIBUTES = frozenset(
    """display mathvariant stretchy fence separator lspace rspace accent accentunder columnalign rowalign columnspan
    rowspan width height depth notation encoding alttext scriptlevel displaystyle linethickness form largeop movablelimits
    symmetric minsize maxsize""".split()
)

# CSS a `style` attribute may set. Values may hold keywords, numbers, lengths,
# colours and the colour functions below: no url(), image-set(), var(), attr(),
# expression() or escapes (`u\72l(` is url().
CSS_PROPERTIES = frozenset(
    """color background-color font-style font-weight font-variant font-size text-align text-decoration text-transform
    text-indent vertical-align letter-spacing word-spacing margin margin-top margin-right margin-bottom margin-left
    padding padding-top padding-right padding-bottom padding-left border border-top border-right border-bottom border-left
    border-color border-style border-width list-style-type""".split()
)
CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})

_SVG_FRAGMENT_REF = re.compile(r"\s*url\(\s*['\"]?#[A-Za-z_][\w.-]*['\"]?\s*\)\s*")


def clean_style(value: str) -> tuple[str, list[str]]:
    """(kept declarations, names of what was dropped) for a `style` attribute."""
    kept: list[str] = []
    dropped: list[str] = []
    if "\\" in value:  # escapes hide function names from a reader: u\72l( is url(
        return "", ["escaped CSS"]
    for decl in tinycss2.parse_blocks_contents(value, skip_comments=True, skip_whitespace=True):
        if decl.type != "declaration":
            dropped.append("CSS that is not a declaration")
            continue
        name = decl.lower_name
        if name not in CSS_PROPERTIES:
            dropped.append(name)
            continue
        if not _safe_value(decl.value):
            dropped.append(name)
            continue
        important = " !important" if decl.important else ""
        kept.append(f"{name}: {tinycss2.serialize(decl.value).strip()}{important}")
    return "; ".join(kept), dropped


def _safe_value(tokens: list[tinycss2.ast.Node]) -> bool:
    for token in tokens:
        if token.type in ("url", "at-keyword", "() block", "[] block", "{} block", "error"):
            return False
        if token.type == "function":
            if token.lower_name not in CSS_FUNCTIONS or not _safe_value(token.arguments):
                return False
    return True


def svg_reference_is_local(value: str) -> bool:
    """An SVG paint or reference attribute that loads nothing: a colour, `none`, `url(#id)` or `#id`."""
    stripped = value.strip()
    if stripped.startswith("#"):  # a colour (#336) or an element of the drawing (#shape)
        return re.fullmatch(r"#[0-9A-Fa-f]{3,8}|#[A-Za-z_][\w.-]*", stripped) is not None
    if "url" in stripped.lower():
        return _SVG_FRAGMENT_REF.fullmatch(stripped) is not None
    return re.fullmatch(r"[\w\s#().,%-]*", stripped) is not None and "(" not in stripped.replace("rgb(", "").replace("rgba(", "")


def allowed_attributes(namespace: str, tag: str) -> frozenset[str]:
    if namespace == SVG_NS:
        return SVG_ATTRIBUTES | {XLINK_HREF, "href"} if tag == "use" else SVG_ATTRIBUTES
    if namespace == MATH_NS:
        return MATH_ATTRIBUTES | {"id", "class", "dir"}
    return GLOBAL_ATTRIBUTES | HTML_ATTRIBUTES.get(tag, frozenset())


def allowed_element(namespace: str, tag: str) -> bool:
    if namespace == SVG_NS:
        return tag in SVG_ELEMENTS
    if namespace == MATH_NS:
        return tag in MATH_ELEMENTS
    return tag in HTML_ELEMENTS
