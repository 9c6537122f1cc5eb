"""Minimal reproduction of WeasyPrint's superlinear PDF/UA write (for an upstream report).

`pydyf.PDF.page_references` rebuilds the tuple of all page references on every
read, and `weasyprint/pdf/tags.py` reads it once per structure element, so the
write costs pages x elements. Run:

    python3 benchmarks/pdf_write_repro.py 50 200

prints, for each number of chapters (5 pages each), the write time per page
with plain WeasyPrint and with `bindery.pdf_write_speedup.linear_page_references`
(which caches the tuple per page count), and checks that both PDFs are the same bytes.
"""

from __future__ import annotations

import sys
import time

from weasyprint import HTML

from bindery.pdf_write_speedup import linear_page_references


def main(sizes: list[int]) -> None:
    para = "<p>" + " ".join(["lorem ipsum dolor sit amet consectetur"] * 30) + ' <a href="#c{0}">link</a></p>'
    for n in sizes:
        body = "".join(f'<section id="c{i}"><h1>Chapter {i}</h1>' + para.format((i + 7) % n) * 6 + "</section>" for i in range(n))
        html = f'<html lang="en"><head><title>t</title><style>@page {{size: 6in 9in}} h1 {{break-before: page}}</style></head><body>{body}</body></html>'
        document = HTML(string=html).render()
        pages = len(document.pages)
        started = time.perf_counter()
        plain = document.write_pdf(pdf_variant="pdf/ua-1")
        plain_s = time.perf_counter() - started
        started = time.perf_counter()
        with linear_page_references():
            fast = document.write_pdf(pdf_variant="pdf/ua-1")
        fast_s = time.perf_counter() - started
        print(
            f"{pages:5d} pages: plain {plain_s / pages * 1000:6.1f} ms/page, "
            f"linear {fast_s / pages * 1000:6.1f} ms/page, same bytes: {plain == fast}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 200])
