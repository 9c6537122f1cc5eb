"""One WeasyPrint `FontConfiguration` per set of fonts, shared by the layouts of a process.

A `FontConfiguration` loads the stylesheet's `@font-face` files into fontconfig
and Pango and never frees them: a new one for each layout grew a process by
about 1 MB a layout, and the chunked layout makes hundreds of layouts (one per
chapter, several passes). The layouts of one book share the same `@font-face`
rules, so they share one configuration; the PDF bytes are the same either way
(tests/test_font_configs.py). The key holds the rules, the base URL (unless every
font is one of Bindery's own, `shared_place`) and each font file's size and
modification time, so an edited font is loaded afresh.
"""

from __future__ import annotations

import re

from weasyprint.text.fonts import FontConfiguration

from bindery.parsed_stylesheets import URL, shared_place
from bindery.print_fetcher import file_url_path

FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
KEPT = 8  # configurations kept per process (a catalog worker builds several books)

_configurations: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], FontConfiguration] = {}


def font_configuration(css: str, base_url: str) -> FontConfiguration:
    """The configuration for the `@font-face` rules of `css` (relative URLs against `base_url`)."""
    rules = "".join(FONT_FACE.findall(css))
    key = (shared_place(rules, base_url), rules, _stamps(rules))
    found = _configurations.get(key)
    if found is None:
        if len(_configurations) >= KEPT:
            _configurations.clear()
        found = _configurations[key] = FontConfiguration()
    return found


def _stamps(rules: str) -> tuple[tuple[str, int, int], ...]:
    """Size and modification time of each font file the rules name (file URLs only)."""
    stamps = []
    for url in URL.findall(rules):
        if not url.startswith("file:"):
            continue
        try:
            status = file_url_path(url).stat()
        except OSError:
            continue
        stamps.append((url, status.st_size, status.st_mtime_ns))
    return tuple(stamps)
