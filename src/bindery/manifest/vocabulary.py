"""The words `book.yaml` knows: its keys, the kinds of front and back matter,
contributor roles, trim sizes and units."""

from __future__ import annotations

import re
from enum import StrEnum

MANIFEST_NAME = "book.yaml"


class MatterKind(StrEnum):
    """A kind of front or back matter; its value is the word `book.yaml` uses."""

    DEDICATION = "dedication"
    EPIGRAPH = "epigraph"
    FOREWORD = "foreword"
    PREFACE = "preface"
    INTRODUCTION = "introduction"
    PROLOGUE = "prologue"
    APPENDIX = "appendix"
    AFTERWORD = "afterword"
    EPILOGUE = "epilogue"
    GLOSSARY = "glossary"
    BIBLIOGRAPHY = "bibliography"
    ACKNOWLEDGMENTS = "acknowledgments"
    ABOUT_THE_AUTHOR = "about-the-author"
    COLOPHON = "colophon"
    INDEX = "index"  # generated from the articles' index marks; it takes no file


FRONT_TYPES = tuple(MatterKind)[:6]  # dedication .. prologue, in the order above
BACK_TYPES = tuple(MatterKind)[6:]  # appendix .. index
ROLES = {
    "author": "aut",
    "editor": "edt",
    "translator": "trl",
    "illustrator": "ill",
    "contributor": "ctb",
    "foreword": "aui",
}


class FurtherReadingMode(StrEnum):
    """Where the book lists the sources its articles cite (`further_reading:`)."""

    APPENDIX = "appendix"
    INLINE = "inline"
    OMIT = "omit"


FURTHER_READING = tuple(FurtherReadingMode)

# Named trim sizes, in inches (width, height).
TRIM_SIZES: dict[str, tuple[float, float]] = {
    "5x8": (5.0, 8.0),
    "5.06x7.81": (5.06, 7.81),
    "5.25x8": (5.25, 8.0),
    "5.5x8.5": (5.5, 8.5),
    "6x9": (6.0, 9.0),
    "6.14x9.21": (6.14, 9.21),
    "7x10": (7.0, 10.0),
    "8x10": (8.0, 10.0),
    "8.5x11": (8.5, 11.0),
    "a5": (148 / 25.4, 210 / 25.4),
    "a4": (210 / 25.4, 297 / 25.4),
}
TRIM_LIMITS_IN = (3.0, 14.0)
UNITS_IN = {"in": 1.0, "mm": 1 / 25.4, "cm": 1 / 2.54, "pt": 1 / 72, "pc": 1 / 6}

TOP_KEYS = (
    "title",
    "subtitle",
    "authors",
    "language",
    "identifier",
    "publisher",
    "date",
    "rights",
    "description",
    "subjects",
    "series",
    "cover",
    "front_matter",
    "parts",
    "chapters",
    "back_matter",
    "further_reading",
    "pdf",
    "epub",
    "accessibility",
    "navigation",
    "ignore_warnings",
)
PDF_KEYS = ("filename", "trim", "margins", "font_size", "profile", "bleed", "crop_marks", "paper")


class PdfProfile(StrEnum):
    """`pdf.profile`: digital (bookmarks, links, PDF/UA-1) or print (for a print-on-demand upload)."""

    DIGITAL = "digital"
    PRINT = "print"


PDF_PROFILES = tuple(PdfProfile)
MARGIN_KEYS = ("top", "bottom", "inside", "outside")
EPUB_KEYS = ("filename",)
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
