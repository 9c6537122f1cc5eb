"""The EPUB's page-list from the build cache: an EPUB-only build whose print edition was laid
out before (by any build of the same book) needs no layout (issue 11, item 6).

The key is what the layout is a function of: the print HTML and CSS the book renders to (its
text, structure, cross-references, index and print settings as the print templates show them),
the `pdf:` settings, every image's bytes, the book's own `templates/` files (overrides, fonts)
and `key_of`'s fingerprint (Bindery's code and built-in templates and fonts, WeasyPrint's
version). Not in it: the system's Pango, HarfBuzz and fonts outside the template folders
(WeasyPrint falls back to them only for characters the shipped fonts lack); after upgrading
those, build once with `--no-cache`. A build that lays the book out (the PDF) stores its page
map; it always uses its own layout's, never the cached one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from bindery import cache_codec
from bindery.build_cache import BuildCache
from bindery.cache_keys import book_templates_digest, key_of
from bindery.model import Book
from bindery.pagemap import PageMap
from bindery.render import render_print
from bindery.templating import Templates
from bindery.xref import CrossReferences

if TYPE_CHECKING:
    from bindery.layout import PrintLayout


def ebook_page_map(
    book: Book, xrefs: CrossReferences, cache: BuildCache | None, layout: PrintLayout | None, lay_out: Callable[[], PrintLayout]
) -> PageMap:
    """The page map for the EPUB's page-list: `layout`'s when this build laid the book out (stored
    for later builds), else the cached one, else `lay_out()`'s (stored)."""
    if cache is None:
        return (layout or lay_out()).page_map
    key = page_map_key(book, xrefs)
    if layout is None:
        data = cache.get(key)
        if data is not None:
            try:
                return cache_codec.decode(data, PageMap)
            except ValueError:
                cache.stats.rejected += 1
        layout = lay_out()
    cache.put(key, cache_codec.encode(layout.page_map))
    return layout.page_map


def page_map_key(book: Book, xrefs: CrossReferences) -> str:
    rendering = render_print(book, xrefs, Templates(book.root, "print"))
    images = [(a.source, a.package_name, a.media_type, hashlib.sha256(a.data).hexdigest()) for a in book.assets]
    return key_of("page-map", rendering.html, rendering.css, repr(book.pdf), json.dumps(images), book_templates_digest(book.root))
