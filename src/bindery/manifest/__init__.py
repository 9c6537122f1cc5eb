"""Stage 1 of the pipeline: read and validate `book.yaml` into a `Manifest`.

- `vocabulary`: the keys, kinds, roles, trim sizes and units `book.yaml` knows
- `schema`: the frozen dataclasses a valid manifest becomes
- `options`: the `accessibility:` and `navigation:` keys
- `load`: finding and reading `book.yaml` (`find_manifest`, `load_manifest`)
- `validate` (+ `checker`, `files`, `print_settings`): the validator, every problem in one run
"""

from __future__ import annotations

from bindery.manifest.load import find_manifest, load_manifest
from bindery.manifest.options import AccessibilityClaim, NavigationSettings
from bindery.manifest.schema import (
    ArticleRef,
    Author,
    ChapterSpec,
    EpubSettings,
    Manifest,
    MatterSpec,
    Metadata,
    PartSpec,
    PdfSettings,
)
from bindery.manifest.vocabulary import (
    BACK_TYPES,
    EPUB_KEYS,
    FRONT_TYPES,
    FURTHER_READING,
    LANG_RE,
    MANIFEST_NAME,
    MARGIN_KEYS,
    PDF_KEYS,
    PDF_PROFILES,
    ROLES,
    TOP_KEYS,
    TRIM_LIMITS_IN,
    TRIM_SIZES,
    UNITS_IN,
)
from bindery.paths import display_path, slugify

__all__ = [
    "BACK_TYPES",
    "EPUB_KEYS",
    "FRONT_TYPES",
    "FURTHER_READING",
    "LANG_RE",
    "MANIFEST_NAME",
    "MARGIN_KEYS",
    "PDF_KEYS",
    "PDF_PROFILES",
    "ROLES",
    "TOP_KEYS",
    "TRIM_LIMITS_IN",
    "TRIM_SIZES",
    "UNITS_IN",
    "AccessibilityClaim",
    "ArticleRef",
    "Author",
    "ChapterSpec",
    "EpubSettings",
    "Manifest",
    "MatterSpec",
    "Metadata",
    "NavigationSettings",
    "PartSpec",
    "PdfSettings",
    "display_path",
    "find_manifest",
    "load_manifest",
    "slugify",
]
