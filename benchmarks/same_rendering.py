"""Do two PDFs look the same? Page images (pdftoppm -r 70) compared pixel by pixel, and pdftotext.

    python3 benchmarks/same_rendering.py before.pdf after.pdf [--keep DIR]

Used to prove that a speedup of the print CSS or of the layout passes leaves
the book as it was: prints one line per differing page (pixels that differ)
and whether the text layers match, and exits 1 on any difference.
Needs poppler-utils (pdftoppm, pdftotext) and Pillow.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops


def page_images(pdf: Path, into: Path, dpi: int) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(into / "p")], check=True)
    return sorted(into.glob("p-*.png"))


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def compare(before: Path, after: Path, work: Path, dpi: int = 70) -> list[str]:
    """What differs between the two PDFs' pages and text; empty when they look the same."""
    a, b = page_images(before, work / "before", dpi), page_images(after, work / "after", dpi)
    problems = []
    if len(a) != len(b):
        problems.append(f"page count: {len(a)} before, {len(b)} after")
    for number, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        with Image.open(x) as left, Image.open(y) as right:
            if left.size != right.size:
                problems.append(f"page {number}: size {left.size} before, {right.size} after")
                continue
            diff = ImageChops.difference(left.convert("RGB"), right.convert("RGB"))
            if diff.getbbox() is not None:
                changed = sum(1 for pixel in diff.getdata() if pixel != (0, 0, 0))
                problems.append(f"page {number}: {changed} pixels differ (in {diff.getbbox()})")
    if text_of(before) != text_of(after):
        problems.append("pdftotext output differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="compare two PDFs page image by page image, and their text")
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the page images in this folder")
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        problems = compare(args.before, args.after, work, args.dpi)
        pages = len(list((work / "before").glob("p-*.png")))
    for line in problems:
        print(line)
    print(
        f"{'DIFFERENT' if problems else 'identical'}: {pages} pages at {args.dpi} dpi, pdftotext {'differs' if any('pdftotext' in p for p in problems) else 'same'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
