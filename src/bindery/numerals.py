"""Roman numerals both ways, in lower case as the front matter's folios print them.

One home for them: the `roman` template filter, the page map's folios
(`pagemap`) and the PDF's page labels (`builders/pdf`).
"""

from __future__ import annotations

ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
VALUES = {letters: value for value, letters in ROMAN if len(letters) == 1}


def to_roman(number: int) -> str:
    """`number` in lower-case roman numerals ("xiv"); "" for 0 or less."""
    out = []
    for value, letters in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def from_roman(text: str) -> int:
    """The value of a roman numeral in either case ("xiv", "XIV": 14); a letter that is no numeral counts 0."""
    digits = [VALUES.get(ch, 0) for ch in text.lower()]
    return sum(-d if d < following else d for d, following in zip(digits, [*digits[1:], 0], strict=True))
