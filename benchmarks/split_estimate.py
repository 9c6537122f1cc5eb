"""An upper bound for target 3 (`--jobs N`): the print HTML laid out in N chunks at once.

    python3 benchmarks/split_estimate.py benchmarks/results/work/n200/capture --jobs 2

Takes the HTML and CSS a PDF build handed to WeasyPrint (captured by
`run.py`), cuts the body into N runs of whole chapters of about equal text (the
front matter goes with the first), and lays each out and writes its PDF in its
own process, all at once; then joins the PDFs with pypdf when it is installed.
The wall time from the first process started to the joined file is what a
parallel build could at best achieve on this machine: it leaves out what a real
one must add (a second pass for the table of contents and the page numbers of
cross-references into other chunks, rebuilding links and the structure tree).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

BODY_CLASSES = ("part", "chapter")


def split_print_html(source: str, chunks: int) -> list[str]:
    """The print HTML cut into `chunks` documents of whole top-level sections."""
    doc = lxml_html.document_fromstring(source)
    body = doc.body
    children = list(body)
    first = next((i for i, el in enumerate(children) if set((el.get("class") or "").split()) & set(BODY_CLASSES)), len(children))
    sizes = [len(el.text_content()) for el in children]
    total = sum(sizes[first:]) or 1
    groups: list[list[int]] = [list(range(first))]
    done = 0
    for i in range(first, len(children)):
        if done >= total * len(groups) / chunks and len(groups) < chunks:
            groups.append([])
        groups[-1].append(i)
        done += sizes[i]
    out = []
    for group in groups:
        keep = set(group)
        part = copy.deepcopy(doc)
        part_body = part.body
        for i, el in enumerate(list(part_body)):
            if i not in keep:
                part_body.remove(el)
        out.append(lxml_html.tostring(part, encoding="unicode", doctype="<!DOCTYPE html>"))
    return out


def lay_out(chunk: str, base_url: str, sheets: list[str], write_options: dict[str, Any]) -> dict[str, Any]:
    """One chunk: layout and PDF in this worker process."""
    import weasyprint  # in the worker, so its start-up cost is counted
    from weasyprint.text.fonts import FontConfiguration

    started = time.perf_counter()
    fonts = FontConfiguration()
    css = [weasyprint.CSS(string=s, base_url=base_url, font_config=fonts) for s in sheets]
    document = weasyprint.HTML(string=chunk, base_url=base_url).render(stylesheets=css, font_config=fonts)
    laid_out = time.perf_counter()
    buffer = io.BytesIO()
    document.write_pdf(buffer, **write_options)
    return {
        "pages": len(document.pages),
        "layout": laid_out - started,
        "write": time.perf_counter() - laid_out,
        "pdf": buffer.getvalue(),
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def join_pdfs(pdfs: list[bytes]) -> int | None:
    """Join the chunks with pypdf (a test dependency) and return the size, or None without it."""
    try:
        import pypdf
    except ImportError:
        return None
    writer = pypdf.PdfWriter()
    for data in pdfs:
        writer.append(pypdf.PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return len(buffer.getvalue())


def estimate(capture: Path, jobs: int) -> dict[str, Any]:
    meta = json.loads((capture / "meta.json").read_text(encoding="utf-8"))
    source = (capture / "print.html").read_text(encoding="utf-8")
    sheets = [(capture / f"print-{n}.css").read_text(encoding="utf-8") for n in range(meta["stylesheets"])]
    started = time.perf_counter()
    chunks = split_print_html(source, jobs)
    split = time.perf_counter() - started
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(
            pool.map(
                lay_out, chunks, [meta["base_url"]] * len(chunks), [sheets] * len(chunks), [meta.get("write_options", {})] * len(chunks)
            )
        )
    laid_out = time.perf_counter()
    merged_bytes = join_pdfs([r["pdf"] for r in results])
    end = time.perf_counter()
    return {
        "total": end - started,
        "jobs": jobs,
        "seconds": {
            "split": split,
            "parallel_layout_and_write": laid_out - started - split,
            "merge": end - laid_out if merged_bytes else None,
        },
        "chunks": [{k: v for k, v in r.items() if k != "pdf"} for r in results],
        "pages": sum(r["pages"] for r in results),
        "merged_bytes": merged_bytes,
        "peak_rss": max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            max(r["peak_rss"] for r in results),
        ),
        "peak_rss_sum_of_workers": sum(r["peak_rss"] for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture", type=Path, help="a capture folder written by run.py (print.html, print-N.css, meta.json)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(estimate(args.capture, args.jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
