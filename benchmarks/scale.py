"""Issue 11's targets as ratios taken in one run (chunked layout, build cache, `--jobs`).

    python3 benchmarks/scale.py 50            # N = 50 (about 20 minutes on a loaded 2-core machine)
    python3 benchmarks/scale.py 50 200 --skip-epub

For each N, on a book of `generate.py`, each measurement runs in its own child
process (`scale.py --child ...`), timed around the work only (imports excluded),
wall and CPU (user + system of the process and of its reaped children), with the
1-minute load average when it ended and its peak RSS. The steps
(plain pass, `--jobs 1` and `--jobs 2` cold builds, one-word and
add-a-page rebuilds each checked against a `--no-cache` build, the EPUB and
Pandoc rows) are described in benchmarks/README.md, "Issue 11's targets in one run".

Prints a markdown table with met / NOT MET and writes every number to
benchmarks/results/scale-nN-TIMESTAMP.json (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import os
import resource
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import per_page  # noqa: E402
import rebuild_epub  # noqa: E402
from generate import article_files, generate  # noqa: E402
from run import cpu_seconds, edit_one_article, pandoc_epub  # noqa: E402

RESULTS = HERE / "results"
EPOCH = "1700000000"
MB = 1024**2

# Issue 11's targets: key -> (what, N it is set for, limit).
TARGETS = {
    "serial": ("full serial PDF build (--jobs 1, cold cache) / one WeasyPrint pass", (200,), 1.10),
    "write500": ("PDF write seconds per page, N = 500 / N = 200 (plain pass)", (500,), 1.2),
    "per_page": ("seconds per printed page, serial build / Pandoc + WeasyPrint", (50, 200), 1.3),
    "jobs2": ("--jobs 2 fresh PDF build (cold cache) / one WeasyPrint pass", (200,), 0.75),
    "word": ("rebuild after a one-word edit (warm cache, --jobs 2) / full build (--jobs 2)", (200,), 0.25),
    "page": ("rebuild after an edit that adds a page to chapter 1 / full build, --jobs 2", (200,), 0.7),
    "epub_edit": ("EPUB rebuild after an edit / full EPUB build (rebuild_epub.py)", (200,), 0.2),
    "epub_pagelist": ("EPUB with page-list, warm cache / Pandoc EPUB", (50, 500), 0.5),
}
RSS_LIMIT_GB = 1.5  # peak RSS, N = 500, --jobs 2


# --------------------------------------------------------------------------
# Children: one measurement each, JSON on the last line of stdout.
# --------------------------------------------------------------------------


def _hwm(pid: int) -> int:
    """A live process's peak RSS (VmHWM) in bytes, 0 when it is gone."""
    return _status_bytes(pid, "VmHWM:")


def _rss(pid: int) -> int:
    """A live process's resident memory now (VmRSS) in bytes, 0 when it is gone."""
    return _status_bytes(pid, "VmRSS:")


def _status_bytes(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child_plain(book_dir: Path) -> dict[str, Any]:
    """One plain WeasyPrint pass over the one-document print HTML and CSS."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from bindery.builders.pdf import _add_page_labels, page_label_ranges
    from bindery.builders.print_html import prepare_for_print
    from bindery.layout import read_page_map
    from bindery.pipeline import load_book
    from bindery.printspec import screen_margins
    from bindery.render import render_print
    from bindery.templating import Templates

    loaded = load_book(book_dir)
    book = loaded.book
    if book.pdf.profile != "digital":
        raise SystemExit("the plain pass replays the digital profile only")
    rendering = render_print(book, loaded.xrefs, Templates(book.root, "print"), page=screen_margins(book.pdf))
    text = prepare_for_print(rendering.html)
    base_url = rendering.base_dir.resolve().as_uri() + "/"
    started, cpu0 = time.perf_counter(), cpu_seconds()
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=rendering.css, base_url=base_url, font_config=fonts)
    document = weasyprint.HTML(string=text, base_url=base_url).render(stylesheets=[css], font_config=fonts)
    layout, layout_cpu = time.perf_counter() - started, cpu_seconds() - cpu0
    ranges = page_label_ranges([p.label for p in read_page_map(document).pages])
    w0, wcpu0 = time.perf_counter(), cpu_seconds()
    document.write_pdf(io.BytesIO(), pdf_variant="pdf/ua-1", finisher=lambda _d, pdf: _add_page_labels(pdf, ranges))
    write, write_cpu = time.perf_counter() - w0, cpu_seconds() - wcpu0
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu0
    fixed = _write_with_bindery_fix(document, ranges)  # the same write, as Bindery's builders run it
    return {
        "wall": wall,
        "cpu": cpu,
        "layout": layout,
        "layout_cpu": layout_cpu,
        "write": write,
        "write_cpu": write_cpu,
        "write_fixed": fixed[0],
        "write_fixed_cpu": fixed[1],
        "pages": len(document.pages),
    }


def _write_with_bindery_fix(document: Any, ranges: Any) -> tuple[float, float]:
    """(wall, CPU) of the plain pass's PDF write again, inside `pdf_write_speedup.linear_page_references`
    (pydyf's page references kept while the PDF is written): item 1's fix, measured apart from the layout."""
    from bindery.builders.pdf import _add_page_labels
    from bindery.pdf_write_speedup import linear_page_references

    w0, wcpu0 = time.perf_counter(), cpu_seconds()
    with linear_page_references():
        document.write_pdf(io.BytesIO(), pdf_variant="pdf/ua-1", finisher=lambda _d, pdf: _add_page_labels(pdf, ranges))
    return time.perf_counter() - w0, cpu_seconds() - wcpu0


def _cpu_of(pid: int) -> float:
    """A live process's user + system CPU seconds (rebuild_epub.py's reader), 0 when it is gone."""
    return rebuild_epub._process_cpu(pid) or 0.0


def child_build(book_dir: Path, out: Path, jobs: int, cache: bool, formats: tuple[str, ...] = ("pdf",)) -> dict[str, Any]:
    """`pipeline.build` as `bindery build --format pdf --jobs N [--no-cache]` runs it. The lanes'
    workers are forked by a forkserver, not by this process: their CPU time and peak RSS are
    read from /proc before the layout stage ends them (RUSAGE_CHILDREN never sees them).
    `rss_together`: the most this process and its workers held at one time (sampled every 50 ms)."""
    from bindery import pipeline
    from bindery.executors import local_runner
    from bindery.layout_lanes import LaneRunner

    lanes = LaneRunner(jobs) if jobs > 1 else None
    runner = lanes if lanes is not None else local_runner()  # as `bindery build --jobs N`
    workers: dict[int, int] = {}
    worker_cpus: dict[int, float] = {}
    if lanes is not None:
        end_lanes = lanes.forget

        def read_then_end() -> None:  # each worker's own peak and CPU, read before the stage ends it
            for pid in lanes.process_ids():
                workers[pid], worker_cpus[pid] = _hwm(pid), _cpu_of(pid)
            end_lanes()

        lanes.forget = read_then_end  # type: ignore[method-assign]
    layouts: list[int] = []  # the page count of each WeasyPrint layout that ran in this process (--jobs 1)
    if jobs == 1:
        import weasyprint

        render = weasyprint.HTML.render

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            document = render(self, *args, **kwargs)
            layouts.append(len(document.pages))
            return document

        weasyprint.HTML.render = counted  # type: ignore[method-assign]
    together = [0]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.05):
            pids = [os.getpid(), *(lanes.process_ids() if lanes is not None else [])]
            together[0] = max(together[0], sum(_rss(pid) for pid in pids))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, cpu0 = time.perf_counter(), cpu_seconds() + cpu_seconds(resource.RUSAGE_CHILDREN)
    try:
        result = pipeline.build(book_dir, formats, out, runner=runner, cache=cache)
    finally:
        if lanes is not None:
            lanes.forget()  # a build that used its lanes has ended them already
        sampling.set()
        sampler.join()
    wall = time.perf_counter() - started
    worker_cpu = sum(worker_cpus.values())
    cpu = cpu_seconds() + cpu_seconds(resource.RUSAGE_CHILDREN) - cpu0 + worker_cpu
    pdf = next(a for a in result.artifacts if a.path.suffix == ".pdf")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "wall": wall,
        "cpu": cpu,
        "worker_cpu": worker_cpu,
        "layouts": len(layouts),
        "pages_laid_out": sum(layouts),
        "pages": pdf.pages,
        "pdf": str(pdf.path),
        "rss_self": own,
        "rss_workers": sorted(workers.values()),
        "rss_children_max": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "rss_sum": own + sum(workers.values()),
        "rss_together": together[0],
    }


def run_child(kind: str, *args: str) -> dict[str, Any]:
    return rebuild_epub.run_script_child(Path(__file__), kind, *args)


# --------------------------------------------------------------------------
# The parent.
# --------------------------------------------------------------------------


def add_a_page(book_dir: Path) -> str:
    """Paragraphs appended to the first article of chapter 1 (about three pages of text: chapters open
    on a recto, so a page and a half can fill the blank verso before the next one and move nothing)."""
    path = article_files(book_dir)[0]
    paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p[:1].isalpha() and len(p) > 200][:12]
    with path.open("a", encoding="utf-8") as f:
        f.write("\n\n" + "\n\n".join(paragraphs) + "\n")
    return path.name


def pandoc_pdf(book_dir: Path, pdf: Path) -> dict[str, Any]:
    """Pandoc + WeasyPrint over the same Markdown: per_page.py's command and timer."""
    if shutil.which("pandoc") is None:
        return {"skipped": "pandoc is not installed"}
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    wall, cpu = per_page.timed(per_page.pandoc_command(article_files(book_dir), pdf), env)
    return {"wall": wall, "cpu": cpu, "pages": per_page.pages(pdf), "load": os.getloadavg()[0]}


def measure(n: int, scratch: Path, epub: bool, partial: Path | None = None) -> dict[str, Any]:
    """Every step of the module docstring; with `partial`, the numbers so far are saved after each."""
    book = generate(n, scratch / "book")
    for name in ("j1", "j2", "check-word", "check-page"):
        shutil.rmtree(scratch / name, ignore_errors=True)
    m: dict[str, Any] = {"articles": n}

    def step(key: str, what: str, kind: str, *args: str) -> dict[str, Any]:
        print(f"  N={n} {time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)
        m[key] = run_child(kind, *args)
        if partial is not None:
            partial.write_text(json.dumps(m, indent=2), encoding="utf-8")
        return dict(m[key])

    step("plain", "one plain WeasyPrint pass", "plain", str(book))
    step("j1", "build --jobs 1, cold cache", "build", str(book), str(scratch / "j1"), "1", "cache")
    step("j2", "build --jobs 2, cold cache", "build", str(book), str(scratch / "j2"), "2", "cache")
    m["j2_equals_j1"] = Path(m["j2"]["pdf"]).read_bytes() == Path(m["j1"]["pdf"]).read_bytes()
    m["word_file"] = edit_one_article(book)
    step("word", "rebuild after a one-word edit, --jobs 2", "build", str(book), str(scratch / "j2"), "2", "cache")
    step("word_check", "--no-cache build of that book", "build", str(book), str(scratch / "check-word"), "2", "no-cache")
    m["word_identical"] = Path(m["word"]["pdf"]).read_bytes() == Path(m["word_check"]["pdf"]).read_bytes()
    m["page_file"] = add_a_page(book)
    step("page", "rebuild after adding a page to chapter 1, --jobs 2", "build", str(book), str(scratch / "j2"), "2", "cache")
    step("page_check", "--no-cache build of that book", "build", str(book), str(scratch / "check-page"), "2", "no-cache")
    m["page_identical"] = Path(m["page"]["pdf"]).read_bytes() == Path(m["page_check"]["pdf"]).read_bytes()
    if epub:  # a PDF-only build does not store the page map: a warm `--format pdf,epub` build does (no layout)
        step(
            "fill",
            "build --format pdf,epub --jobs 2, warm (stores the page map)",
            "build",
            str(book),
            str(scratch / "j2"),
            "2",
            "cache",
            "pdf",
            "epub",
        )
        print(f"  N={n} {time.strftime('%H:%M:%S')} EPUB + page-list, warm cache; Pandoc EPUB and PDF", file=sys.stderr, flush=True)
        m["epub_pagelist"] = rebuild_epub.run_child("build", str(book), str(scratch / "j2"), "cache", "page-list")
        m["pandoc_epub"] = pandoc_epub(book, scratch / "pandoc.epub")
        m["pandoc_pdf"] = pandoc_pdf(generate(n, scratch / "book-pandoc"), scratch / "pandoc.pdf")
        m["epub_rebuild"] = rebuild_epub.measure(n, scratch / "epub", preview=False)
    return m


def ratios(m: dict[str, Any]) -> dict[str, tuple[float, float] | None]:
    """Each target's (wall ratio, CPU ratio), None when a side did not run."""

    def r(a: dict[str, Any] | None, b: dict[str, Any] | None, wall: str = "wall", cpu: str = "cpu") -> tuple[float, float] | None:
        if not a or not b or wall not in a or wall not in b:
            return None
        return a[wall] / b[wall], a[cpu] / b[cpu]

    out = {
        "serial": r(m["j1"], m["plain"]),
        "jobs2": r(m["j2"], m["plain"]),
        "word": r(m["word"], m["j2"]),
        "page": r(m["page"], m["j2"]),
    }
    pd = m.get("pandoc_pdf")
    if pd and "wall" in pd:
        j1 = m["j1"]
        out["per_page"] = (j1["wall"] / j1["pages"]) / (pd["wall"] / pd["pages"]), (j1["cpu"] / j1["pages"]) / (pd["cpu"] / pd["pages"])
    if "epub_pagelist" in m and "total" in m.get("pandoc_epub", {}):
        e, p = m["epub_pagelist"], m["pandoc_epub"]
        out["epub_pagelist"] = e["seconds"] / p["total"], e["cpu"] / p["cpu"]
    if "epub_rebuild" in m:
        e = m["epub_rebuild"]
        out["epub_edit"] = e["edit"]["seconds"] / e["cold"]["seconds"], e["edit"]["cpu"] / e["cold"]["cpu"]
    return out


def verdict(key: str, n: int, value: tuple[float, float] | None) -> str:
    if value is None:
        return "not run"
    _, ns, limit = TARGETS[key]
    word = (
        "met"
        if max(value) <= limit
        else ("NOT MET" if min(value) > limit else "met on CPU only" if value[1] <= limit else "met on wall only")
    )
    return word if n in ns else f"({word}; target set for N = {', '.join(map(str, ns))})"


def table(m: dict[str, Any], runs: dict[int, dict[str, Any]]) -> str:
    n = m["articles"]
    lines = [
        f"### N = {n}",
        "",
        "| measurement | pages | wall s | CPU s | load | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, d: dict[str, Any] | None, wall: str = "wall", note: str = "") -> None:
        if not d or wall not in d:
            lines.append(f"| {label} | | not run | | | |")
            return
        rss = d.get("rss_together") or d.get("rss_sum") or d.get("peak_rss") or d.get("rss_self")
        rss_s = f"{rss / MB:,.0f} MB" if rss else ""
        lines.append(f"| {label}{note} | {d.get('pages') or ''} | {d[wall]:.1f} | {d['cpu']:.1f} | {d.get('load', 0):.1f} | {rss_s} |")

    p = m["plain"]
    row(
        "one plain WeasyPrint pass",
        p,
        note=f" (layout {p['layout']:.1f} s / {p['layout_cpu']:.1f} CPU, write {p['write']:.1f} / {p['write_cpu']:.1f})",
    )
    j1 = m["j1"]
    row("build --format pdf --jobs 1, cold cache", j1, note=f" ({j1.get('layouts')} layouts, {j1.get('pages_laid_out')} pages laid out)")
    row("build --format pdf --jobs 2, cold cache", m["j2"], note=f" (PDF byte-identical to --jobs 1: {m['j2_equals_j1']})")
    row(f"rebuild after a one-word edit of {m['word_file']}, --jobs 2", m["word"])
    row("  --no-cache build of the same book, --jobs 2", m["word_check"], note=f" (same PDF as the rebuild: {m['word_identical']})")
    row(f"rebuild after adding paragraphs to {m['page_file']}, --jobs 2", m["page"])
    row("  --no-cache build of the same book, --jobs 2", m["page_check"], note=f" (same PDF as the rebuild: {m['page_identical']})")
    row("build --format pdf,epub --jobs 2, warm cache (fills the page map)", m.get("fill"))
    row("EPUB + page-list, warm cache (rebuild_epub.py child)", m.get("epub_pagelist"), wall="seconds")
    row("Pandoc EPUB (run.py's pandoc_epub)", m.get("pandoc_epub"), wall="total")
    row("Pandoc + WeasyPrint PDF (per_page.py's command)", m.get("pandoc_pdf"))
    e = m.get("epub_rebuild")
    if e:
        row("EPUB --no-page-list, first build with the cache (rebuild_epub.measure)", e["cold"], wall="seconds")
        row(
            "EPUB --no-page-list, rebuild after a one-word edit",
            e["edit"],
            wall="seconds",
            note=f" (same EPUB as --no-cache: {e['identical']})",
        )
    j2 = m["j2"]
    workers = " + ".join(f"{w / MB:,.0f}" for w in j2["rss_workers"])
    together = j2.get("rss_together") or j2["rss_sum"]
    lines += [
        "",
        f"Peak RSS of the --jobs 2 build: {together / MB:,.0f} MB held at one moment (the build process and its "
        f"lanes, sampled every 50 ms); the sum of their peaks, reached at different times, {j2['rss_sum'] / MB:,.0f} MB = "
        f"the build process's own ru_maxrss {j2['rss_self'] / MB:,.0f} MB + each lane's VmHWM ({workers} MB), read "
        f"from /proc before the layout stage ended them (RUSAGE_CHILDREN's ru_maxrss, the largest one child, was "
        f"{j2['rss_children_max'] / MB:,.0f} MB). Target (N = 500): < {RSS_LIMIT_GB} GB at one moment: "
        + ("met" if together < RSS_LIMIT_GB * 1024**3 else "NOT MET")
        + ("" if n == 500 else " (not set for this N)"),
        "",
        "| target | N set | limit | wall ratio | CPU ratio | result |",
        "|---|---|---:|---:|---:|---|",
    ]
    for key, value in ratios(m).items():
        what, ns, limit = TARGETS[key]
        cells = f"{value[0]:.3f} | {value[1]:.3f}" if value else "| "
        lines.append(f"| {what} | {', '.join(map(str, ns))} | {limit} | {cells} | {verdict(key, n, value)} |")
    lines.append("")
    for key, what in (("write_cpu", "plain WeasyPrint"), ("write_fixed_cpu", "with Bindery's fix, pdf_write_speedup.py")):
        write_pp = {k: v["plain"][key] / v["plain"]["pages"] for k, v in runs.items() if key in v["plain"]}
        lines.append(f"PDF write per page ({what}, CPU): " + ", ".join(f"N = {k}: {v * 1000:.1f} ms" for k, v in write_pp.items()))
        if 500 in write_pp and 200 in write_pp:
            ratio = write_pp[500] / write_pp[200]
            lines.append(f"N = 500 / N = 200: {ratio:.3f} (target <= 1.2: {'met' if ratio <= 1.2 else 'NOT MET'})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        kind, args = argv[1], argv[2:]
        if kind == "plain":
            data = child_plain(Path(args[0]))
        elif kind == "build":
            data = child_build(Path(args[0]), Path(args[1]), int(args[2]), args[3] == "cache", tuple(args[4:]) or ("pdf",))
        else:
            raise SystemExit(f"unknown child {kind}")
        data.setdefault("rss_self", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        print(json.dumps(data))
        return 0
    parser = argparse.ArgumentParser(description="issue 11's targets as ratios taken in one run (see benchmarks/README.md)")
    parser.add_argument("articles", type=int, nargs="+", help="values of N")
    parser.add_argument("--skip-epub", action="store_true", help="skip the EPUB and Pandoc rows")
    parser.add_argument("--scratch", type=Path, default=RESULTS / "work", help="working folder")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    runs: dict[int, dict[str, Any]] = {}
    for n in args.articles:
        scratch = args.scratch / f"scale-n{n}"
        scratch.mkdir(parents=True, exist_ok=True)
        runs[n] = measure(n, scratch, not args.skip_epub, RESULTS / f"scale-n{n}-{stamp}.partial.json")
        (RESULTS / f"scale-n{n}-{stamp}.json").write_text(json.dumps(runs[n], indent=2), encoding="utf-8")
        print(table(runs[n], runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
