"""The validator's `pdf:` and `epub:` sections: trim, margins, lengths, choices, file names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bindery.diagnostics import did_you_mean
from bindery.limits import check_file_name, shorten
from bindery.manifest.checker import ValidatorBase, kind_of
from bindery.manifest.schema import EpubSettings, PdfSettings
from bindery.manifest.vocabulary import EPUB_KEYS, MARGIN_KEYS, PDF_KEYS, PDF_PROFILES, TRIM_LIMITS_IN, TRIM_SIZES, UNITS_IN, PdfProfile
from bindery.output_names import output_names
from bindery.printspec import MIN_OUTSIDE_WITH_BLEED_IN, PAPERS


class PrintSettingsChecks(ValidatorBase):
    def length(self, value: Any, path: tuple[str | int, ...], default_unit: str = "in") -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) * UNITS_IN[default_unit]
        if isinstance(value, str):
            m = re.fullmatch(r"(?<!\s)\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(in|mm|cm|pt|pc)?\s*", value)
            if m:
                return float(m.group(1)) * UNITS_IN[m.group(2) or default_unit]
        self.error(
            path, f"'{shorten(str(value))}' is not a length", "write a number with a unit: 0.75in, 18mm, 54pt", code="manifest-length"
        )
        return None

    def trim(self, value: Any) -> tuple[str, float, float] | None:
        path = ("pdf", "trim")
        raw = str(value).strip().lower().replace(" ", "")
        if raw in TRIM_SIZES:
            w, h = TRIM_SIZES[raw]
            return raw, w, h
        m = re.fullmatch(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(in|mm|cm)?[x×]([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(in|mm|cm)?", raw)
        if not m:
            self.error(
                path,
                f"'{shorten(str(value))}' is not a trim size",
                "use a named size (" + ", ".join(TRIM_SIZES) + ") or '140mm x 216mm'",
                code="manifest-trim",
            )
            return None
        unit = m.group(4) or m.group(2) or "in"
        w = float(m.group(1)) * UNITS_IN[m.group(2) or unit]
        h = float(m.group(3)) * UNITS_IN[m.group(4) or unit]
        low, high = TRIM_LIMITS_IN
        if not (low <= w <= high and low <= h <= high):
            self.error(
                path,
                f"trim {shorten(str(value))} is {w:.2f} x {h:.2f} in, outside what printers make",
                f"width and height must be between {low:g} and {high:g} in",
                code="manifest-trim",
            )
            return None
        if w > h:
            self.error(path, f"trim {shorten(str(value))} is wider than tall", "give width x height, e.g. 6x9", code="manifest-trim")
            return None
        return str(value), w, h

    def pdf(self, value: Any) -> PdfSettings:
        default = PdfSettings("6x9", 6.0, 9.0)
        if value is None:
            return default
        if not isinstance(value, Mapping):
            self.error(("pdf",), f"must be a mapping, not {kind_of(value)}", "e.g. pdf: {trim: 6x9}", code="manifest-type")
            return default
        self.unknown_keys(value, PDF_KEYS, ("pdf",))
        trim = self.trim(value["trim"]) if "trim" in value else ("6x9", 6.0, 9.0)
        name, w, h = trim or ("6x9", 6.0, 9.0)
        given = value.get("margins")
        margins = self.margins(given, w, h)
        size = self.font_size(value)
        profile = PdfProfile(self.choice(value, "profile", PDF_PROFILES))
        paper = self.choice(value, "paper", tuple(PAPERS))
        bleed = self.flag(value, "bleed")
        crop_marks = self.flag(value, "crop_marks")
        if bleed and isinstance(given, Mapping):
            self.margins_for_bleed(given, margins)
        inside_given = isinstance(given, Mapping) and "inside" in given
        return PdfSettings(
            name,
            w,
            h,
            margins["top"],
            margins["bottom"],
            margins["inside"],
            margins["outside"],
            size,
            profile,
            bleed,
            crop_marks,
            paper,
            inside_given,
        )

    def margins(self, given: Any, w: float, h: float) -> dict[str, float]:
        """pdf.margins: the defaults with each given side, checked against the trim."""
        margins = {"top": 0.75, "bottom": 0.75, "inside": 0.875, "outside": 0.625}
        if given is None:
            return margins
        if not isinstance(given, Mapping):
            self.error(("pdf", "margins"), "must be a mapping of top, bottom, inside, outside", code="manifest-type")
            return margins
        self.unknown_keys(given, MARGIN_KEYS, ("pdf", "margins"))
        for key in MARGIN_KEYS:
            if key not in given:
                continue
            length = self.length(given[key], ("pdf", "margins", key))
            if length is None:
                continue
            if not 0.25 <= length <= min(w, h) / 4:
                self.error(
                    ("pdf", "margins", key),
                    f"{length:.3f} in is not a usable margin",
                    f"use between 0.25in and {min(w, h) / 4:.2f}in",
                    code="manifest-margin",
                )
            margins[key] = length
        return margins

    def font_size(self, value: Mapping[str, Any]) -> float:
        """pdf.font_size in points (10.5 when not given)."""
        size = 10.5
        if "font_size" in value:
            length = self.length(value["font_size"], ("pdf", "font_size"), "pt")
            if length is not None:
                size = length * 72
                if not 7 <= size <= 16:
                    self.error(
                        ("pdf", "font_size"), f"{size:g}pt is not a body text size", "use between 7pt and 16pt", code="manifest-font-size"
                    )
        return size

    def margins_for_bleed(self, given: Mapping[str, Any], margins: dict[str, float]) -> None:
        """The given top, bottom and outside margins must leave room for the bleed."""
        for key in ("top", "bottom", "outside"):
            if key in given and margins[key] < MIN_OUTSIDE_WITH_BLEED_IN:
                self.error(
                    ("pdf", "margins", key),
                    f"{margins[key]:.3f} in is too narrow for a page that bleeds",
                    f"use at least {MIN_OUTSIDE_WITH_BLEED_IN}in with bleed: true",
                    code="manifest-margin",
                )

    def choice(self, value: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
        given = self.text(value, key, ("pdf",))
        if given is None:
            return choices[0]
        if given not in choices:
            self.error(
                ("pdf", key),
                f"'{given}' is not a choice",
                did_you_mean(given, choices) or "use " + " | ".join(choices),
                code="manifest-choice",
            )
            return choices[0]
        return given

    def flag(self, value: Mapping[str, Any], key: str) -> bool:
        given = value.get(key, False)
        if not isinstance(given, bool):
            self.error(("pdf", key), f"must be true or false, not {kind_of(given)}", f"e.g. {key}: true", code="manifest-type")
            return False
        return given

    def epub(self, value: Any, slug: str) -> EpubSettings:
        default = EpubSettings(output_names(slug).epub)
        if value is None:
            return default
        if not isinstance(value, Mapping):
            self.error(("epub",), f"must be a mapping, not {kind_of(value)}", "e.g. epub: {filename: book.epub}", code="manifest-type")
            return default
        self.unknown_keys(value, EPUB_KEYS, ("epub",))
        filename = self.text(value, "filename", ("epub",))
        if filename is None:
            return default
        if problem := check_file_name(filename, ".epub"):
            self.error(("epub", "filename"), *problem, code="manifest-epub-filename")
            return default
        return EpubSettings(filename)

    def pdf_stem(self, value: Any) -> str | None:
        """`pdf.filename` without `.pdf`: it names the PDF and its cover (`NAME-cover.pdf`)."""
        if not isinstance(value, Mapping) or value.get("filename") is None:
            return None
        filename = self.text(value, "filename", ("pdf",))
        if filename is None:
            return None
        if problem := check_file_name(filename, ".pdf"):
            self.error(("pdf", "filename"), *problem, code="manifest-pdf-filename")
            return None
        return filename[: -len(".pdf")]
