"""The manifest's `accessibility:` and `navigation:` keys, validated.

The validator (`validate.py`) calls these with its own error reporter, so their problems come
out with the rest of the manifest's, as `book.yaml:LINE: key.path: problem (hint)`.

    accessibility:                 # only when someone has evaluated the book
      certified_by: Jane Doe       # who evaluated it (required)
      conforms_to: EPUB Accessibility 1.1 - WCAG 2.1 Level AA   # the default
      credential: DAISY Ace        # optional: a11y:certifierCredential
      report: https://example.org/a11y-report.html               # optional: a11y:certifierReport

    navigation:
      depth: sections              # EPUB nav, NCX and PDF bookmarks: chapters | sections | subsections
      contents: chapters           # the printed contents: chapters | sections | subsections
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bindery.diagnostics import did_you_mean

# path, message, hint, code: `manifest._Validator.error`
ErrorReporter = Callable[[tuple[str | int, ...], str, str | None, str], None]

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
CONFORMANCE_FORM = re.compile(r"EPUB Accessibility 1\.1 - WCAG 2\.[012] Level A{1,3}")
ACCESSIBILITY_KEYS = ("certified_by", "conforms_to", "credential", "report")
NAVIGATION_KEYS = ("depth", "contents")
# How deep navigation goes: 0 chapters (and articles of grouped chapters), 1 their `##` sections, 2 `###` too.
DEPTHS = {"chapters": 0, "sections": 1, "subsections": 2}


@dataclass(frozen=True)
class AccessibilityClaim:
    """Who evaluated the book's accessibility, and to what standard: the EPUB claims conformance only with this."""

    certified_by: str
    conforms_to: str = CONFORMANCE
    credential: str | None = None
    report: str | None = None


@dataclass(frozen=True)
class NavigationSettings:
    depth: str = "sections"  # EPUB nav and NCX, PDF bookmarks
    contents: str = "chapters"  # the printed contents page

    @property
    def depth_level(self) -> int:
        return DEPTHS[self.depth]

    @property
    def contents_level(self) -> int:
        return DEPTHS[self.contents]


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _blank(value: Any) -> bool:
    """Nothing after the colon, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _unknown(value: Mapping[str, Any], allowed: tuple[str, ...], key: str, error: ErrorReporter) -> None:
    for name in value:
        if str(name) not in allowed:
            hint = did_you_mean(str(name), allowed) or "allowed keys: " + ", ".join(allowed)
            error((key, str(name)), "unknown key", hint, "manifest-unknown-key")


def accessibility_claim(value: Any, error: ErrorReporter) -> AccessibilityClaim | None:
    """`accessibility:` from the manifest; None when absent (the EPUB then claims no conformance)."""
    if value is None:
        return None
    example = "e.g. accessibility: {certified_by: Jane Doe, conforms_to: " + CONFORMANCE + "}"
    if not isinstance(value, Mapping):
        error(("accessibility",), "must be a mapping that says who evaluated the book", example, "manifest-type")
        return None
    _unknown(value, ACCESSIBILITY_KEYS, "accessibility", error)
    fields: dict[str, str | None] = {}
    for key in ACCESSIBILITY_KEYS:
        fields[key] = _text(value.get(key))
        if fields[key] is None and not _blank(value.get(key)):
            error(("accessibility", key), "must be text on one line", example, "manifest-type")
    certifier = fields["certified_by"]
    if certifier is None:
        if "certified_by" in value and _blank(value["certified_by"]):
            error(
                ("accessibility", "certified_by"),
                "is empty",
                "name the person or body that evaluated the book, or remove 'accessibility:' to claim no conformance",
                "manifest-accessibility",
            )
        elif "certified_by" not in value:
            error(
                ("accessibility",),
                "says nothing about who evaluated the book's accessibility",
                "add 'certified_by: NAME' (the person or body that evaluated it), or remove 'accessibility:' to claim no conformance",
                "manifest-accessibility",
            )
        return None
    conforms = fields["conforms_to"] or CONFORMANCE
    if not CONFORMANCE_FORM.fullmatch(conforms):
        error(
            ("accessibility", "conforms_to"),
            f"'{conforms}' is not an EPUB Accessibility 1.1 conformance statement",
            f"write it as '{CONFORMANCE}' (WCAG 2.0, 2.1 or 2.2; Level A, AA or AAA)",
            "manifest-accessibility",
        )
        return None
    report = fields["report"]
    if report is not None and not re.fullmatch(r"https?://\S+", report):
        error(("accessibility", "report"), f"'{report}' is not a web address", "give the report's https:// URL", "manifest-accessibility")
        return None
    return AccessibilityClaim(certifier, conforms, fields["credential"], report)


def navigation_settings(value: Any, error: ErrorReporter) -> NavigationSettings:
    """`navigation:` from the manifest; the defaults when absent."""
    if value is None:
        return NavigationSettings()
    if not isinstance(value, Mapping):
        error(("navigation",), "must be a mapping of depth and contents", "e.g. navigation: {depth: sections}", "manifest-type")
        return NavigationSettings()
    _unknown(value, NAVIGATION_KEYS, "navigation", error)
    chosen = {}
    for key, default in (("depth", "sections"), ("contents", "chapters")):
        given = _text(value.get(key)) if value.get(key) is not None else default  # `depth:` left empty: the default
        if given not in DEPTHS:
            hint = did_you_mean(str(given), DEPTHS) or "use " + " | ".join(DEPTHS)
            error(("navigation", key), f"'{value.get(key)}' is not a navigation depth", hint, "manifest")
            given = default
        chosen[key] = given
    return NavigationSettings(chosen["depth"] or "sections", chosen["contents"] or "chapters")
