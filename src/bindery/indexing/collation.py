"""How index entries sort and which letter group heads them.

Sorting uses the Unicode Collation Algorithm with the default table (DUCET,
which CLDR's root collation follows) through `pyuca`, a pure-Python package:
accents are a secondary difference ("eclair" < "éclair" < "Ecru"), case a
tertiary one, punctuation and spaces nearly ignored, as in a printed index.
A leading article ("The", "A", "An"; "Le", "La", "Les", "L'"; "Der", "Die",
"Das"...) is skipped in the book's language. Languages that CLDR tailors
(Swedish å ä ö after z, Spanish ñ) sort as the root order does; give such
entries a `sort` key when the order matters.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pyuca import Collator

LEADING_ARTICLES: dict[str, tuple[str, ...]] = {
    "en": ("the", "a", "an"),
    "fr": ("le", "la", "les", "l'", "l’", "un", "une", "des"),
    "de": ("der", "die", "das", "ein", "eine"),
    "es": ("el", "la", "los", "las", "un", "una"),
    "it": ("il", "lo", "la", "i", "gli", "le", "l'", "l’", "un", "una"),
    "nl": ("de", "het", "een"),
    "pt": ("o", "a", "os", "as", "um", "uma"),
}
SYMBOLS_GROUP = "Symbols & Numbers"


@functools.cache
def _collator() -> Collator:
    return Collator()


def strip_article(text: str, language: str) -> str:
    """`The Manifest` -> `Manifest` (in English); a lone article stays as it is."""
    articles = LEADING_ARTICLES.get(language.lower().split("-")[0], ())
    lowered = text.lower()
    for article in sorted(articles, key=len, reverse=True):
        if lowered.startswith(article):
            rest = text[len(article) :]
            if article.endswith(("'", "’")) and rest.strip():
                return rest.strip()
            if rest[:1].isspace() and rest.strip():
                return rest.strip()
    return text


def sort_key(text: str, language: str) -> tuple[tuple[int, ...], str]:
    """The collation key of an entry as it sorts (after its article), ties broken by the text."""
    shown = strip_article(text, language)
    key: tuple[int, ...] = tuple(_collator().sort_key(shown))
    return key, shown


def letter_group(text: str, language: str) -> str:
    """The group heading an entry files under: its first letter without accents, or symbols."""
    shown = strip_article(text, language)
    for ch in shown:
        if ch.isalpha():
            base = unicodedata.normalize("NFD", ch)[0]
            return base.upper() if base.isascii() else ch.upper()
        if ch.isdigit() or not re.match(r"[\s\"'“‘«(\[.-]", ch):
            return SYMBOLS_GROUP
    return SYMBOLS_GROUP
