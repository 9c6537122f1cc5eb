"""The book's stylesheet parsed once per process, shared by its layouts.

The chunked layout lays a book out as many WeasyPrint documents (a chapter
each, some twice), and each parsed the whole print stylesheet afresh: about a
fifth of a chapter's layout on the sample book (cProfile: 29 parses, 2.4 s of
10.2 s in `layout.render_text`). Only the last few rules differ from chunk to
chunk (the first folio, `chunk_split.chunk_css`), so a layout's stylesheet is
written as the book's rules, then `OWN_RULES`, then the rules of that layout
alone. `stylesheets()` parses the book's part once per process and the layout's
own part every time; WeasyPrint cascades two sheets in order exactly as one
sheet holding both, so the pages and PDF bytes are the same
(tests/test_parsed_stylesheets.py).

A parse is kept only when it said nothing and fetched nothing it was refused
(so each layout still reports what its stylesheet said), and when the sheet
has no `@import` (an imported file may change while the process lives: the
preview's worker). The key holds the text, the base URL and the font
configuration the `@font-face` rules were loaded into (`font_configs`).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from bindery.templating import SHARED, default_templates_dir
from bindery.weasyprint_log import weasyprint_messages

if TYPE_CHECKING:  # imported where a sheet is parsed: `chunk_split` (which an EPUB-only build may use) stays free of it
    import weasyprint

OWN_RULES = "\n/* the rules of this layout alone (bindery/parsed_stylesheets.py) */\n"
KEPT = 8  # parsed sheets kept per process (a catalog worker builds several books)
URL = re.compile(r"url\(\s*[\"']?([^\"')]+)", re.I)  # what a stylesheet fetches (and `@import`, `image-set`)

#: Comments and quoted strings: an escape in them spells no function or at-rule.
STRINGS = re.compile(r"""/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.S)

_parsed: OrderedDict[tuple[str, str, Any], weasyprint.CSS] = OrderedDict()


def with_own_rules(css: str, own: str) -> str:
    """The stylesheet of one layout: the book's `css`, then `own`, rules of this layout alone."""
    return f"{css}{OWN_RULES}{own}"


def stylesheets(css: str, base_url: str, fetcher: Any, fonts: Any) -> list[weasyprint.CSS]:
    """`css` as WeasyPrint stylesheets: the book's part (parsed once) and this layout's own."""
    import weasyprint

    shared, marker, own = css.partition(OWN_RULES)
    sheets = [_shared(shared, base_url, fetcher, fonts)]
    if marker and own.strip():
        sheets.append(weasyprint.CSS(string=own, base_url=base_url, url_fetcher=fetcher, font_config=fonts))
    return sheets


def shared_place(css: str, base_url: str) -> str:
    """What reading `css` depends on besides its text: `base_url`, or "" when nothing in it is
    relative: every URL is a data: URL or a file that a fetcher with no assets and only Bindery's
    built-in template folders serves, as every book's fetcher does (`print_fetcher`). Books in
    other folders with the same stylesheet (a catalog worker's, a test run's) then share one
    parse and one font configuration. Anything else (a relative or web URL, `@import`,
    `image-set`, a CSS escape outside a string, which could spell one of them unseen here)
    keeps the folder."""
    from bindery.print_fetcher import BookURLFetcher, file_url_path  # imports WeasyPrint: only where a sheet is read

    if "\\" in STRINGS.sub(" ", css) or re.search(r"@import|image-set", css, re.I):
        return base_url
    built_in = default_templates_dir()
    every_books = BookURLFetcher({}, [built_in / "print", built_in / SHARED])
    for url in (found.strip() for found in URL.findall(css)):
        if url.startswith("data:"):
            continue
        if not url.startswith("file:") or not every_books.template_file(file_url_path(url)):
            return base_url
    return ""


def _shared(css: str, base_url: str, fetcher: Any, fonts: Any) -> weasyprint.CSS:
    import weasyprint

    key = (css, shared_place(css, base_url), fonts)
    found = _parsed.get(key)
    if found is not None:
        _parsed.move_to_end(key)
        return found
    refused = list(getattr(fetcher, "refused", ()))
    with weasyprint_messages() as said:  # it still reaches every other listener
        sheet = weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    if not said and list(getattr(fetcher, "refused", ())) == refused and "@import" not in css:
        _parsed[key] = sheet
        while len(_parsed) > KEPT:
            _parsed.popitem(last=False)
    return sheet
