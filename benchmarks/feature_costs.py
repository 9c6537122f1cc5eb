"""What each feature of Bindery's print HTML and CSS costs WeasyPrint, one feature switched off at a time.

    python3 benchmarks/feature_costs.py 24                 # N = 24 articles, 3 rounds
    python3 benchmarks/feature_costs.py 24 --rounds 2 --only full,no-hyphens

The book of `generate.py` is laid out once the way the build lays it out
(`bindery.layout.lay_out_print`, with its page-turn and footnote-numbering
passes counted and timed), and the HTML and CSS of its last layout are kept.
Then every variant (that HTML and CSS with one feature switched off) is laid
out and written in this one process, all variants interleaved in each round
(the order rotates from round to round), so the load of the other users of
the machine falls on all of them alike. The table gives, per variant, the
median CPU time of layout and of the PDF write as a ratio to the full
rendering's, and the page count (some variants change it: compare per page).
Absolute seconds are printed for reference only; they depend on the load.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

RESULTS = HERE / "results"
HEADS = ("@top-center", "@bottom-left", "@bottom-right")


def replaced(text: str, old: str, new: str) -> str:
    """`text` with every `old` replaced; a variant whose rule is no longer in the CSS is an error, not a no-op."""
    if old not in text:
        raise SystemExit(f"feature_costs: {old!r} is not in the print CSS any more; update the variant")
    return text.replace(old, new)


Edit = Callable[[str], str]


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    css: Edit = lambda css: css  # noqa: E731
    html: Edit = lambda html: html  # noqa: E731
    tagged: bool = True  # write as the digital profile does (PDF/UA-1)


def _all(*edits: Edit) -> Edit:
    def apply(text: str) -> str:
        for edit in edits:
            text = edit(text)
        return text

    return apply


def _sub(old: str, new: str) -> Edit:
    return lambda text: replaced(text, old, new)


def _add(rule: str) -> Edit:
    return lambda text: text + "\n" + rule + "\n"


TOC_RULES = (
    '.toc a::after { content: leader(". ") target-counter(attr(href url), page); }',
    '.toc .toc-front > a::after { content: leader(". ") target-counter(attr(href url), page, lower-roman); }',
    '.toc a[data-page]::after, .toc .toc-front > a[data-page]::after { content: leader(". ") attr(data-page); }',
)
XREF_RULES = (
    'a.xref::after, a.xref-further::after { content: " " target-counter(attr(href url), page); }',
    'a.backlink::after { content: " (p.\\a0" target-counter(attr(href url), page) ")"; }',
    'a.xref[data-page]::after, a.xref-further[data-page]::after { content: " " attr(data-page); }',
    'a.backlink[data-page]::after { content: " (p.\\a0" attr(data-page) ")"; }',
    'a.article-link::after { content: " (page\\a0" target-counter(attr(href url), page) ")"; }',
    'a.article-link[data-page]::after { content: " (page\\a0" attr(data-page) ")"; }',
)
KEEP_WHOLE_SPAN = re.compile(r'<span class="keep-whole">([^<]*)</span>')

VARIANTS = (
    Variant("full", "the print HTML and CSS of the build's last layout"),
    Variant("no-hyphens", "hyphens: auto -> manual", css=_sub("hyphens: auto;", "hyphens: manual;")),
    Variant("no-justify", "text-align: justify -> left", css=_sub("text-align: justify;", "text-align: left;")),
    Variant(
        "toc-no-leader",
        "contents: the leader() replaced by a space",
        css=_all(*(_sub(r, r.replace('leader(". ")', '" "')) for r in TOC_RULES)),
    ),
    Variant("toc-no-numbers", "contents: no leader(), no page number", css=_all(*(_sub(r, "") for r in TOC_RULES))),
    Variant(
        "xref-no-numbers",
        "cross-references, further reading, backlinks, article links: no page number",
        css=_all(*(_sub(r, "") for r in XREF_RULES)),
    ),
    Variant(
        "target-counter",
        "page numbers by target-counter() (the data-page numbers a numbering pass writes in removed)",
        html=lambda html: re.sub(r' data-page="[^"]*"', "", html),
    ),
    Variant(
        "no-keep-whole", "no span.keep-whole around words hyphenated at a page turn", html=lambda html: KEEP_WHOLE_SPAN.sub(r"\1", html)
    ),
    Variant(
        "no-string-set",
        "no string-set running heads (the right-hand head left empty)",
        css=_all(_sub("string-set: running-head attr(data-head);", ""), _sub("content: string(running-head);", "content: none;")),
    ),
    Variant(
        "no-margin-boxes",
        "every @page margin box empty (no heads, no folios)",
        css=_add("@page { " + " ".join(f"{box} {{ content: none !important; }}" for box in HEADS) + " }"),
    ),
    Variant("footnote-policy-auto", "footnote-policy: line -> auto", css=_sub("footnote-policy: line;", "footnote-policy: auto;")),
    Variant("no-footnotes", "footnotes not shown (display: none)", css=_sub("float: footnote; footnote-policy: line;", "display: none;")),
    Variant("no-font-features", "font-kerning: none, no ligatures", css=_add("html { font-kerning: none; font-variant-ligatures: none; }")),
    Variant(
        "system-fonts",
        "DejaVu Serif / DejaVu Sans Mono instead of Charis SIL / Inconsolata (no @font-face)",
        css=lambda css: (
            "\n".join(line for line in css.splitlines() if not line.startswith("@font-face"))
            .replace('"Charis SIL"', '"DejaVu Serif"')
            .replace('"Inconsolata"', '"DejaVu Sans Mono"')
        ),
    ),
    Variant("no-orphans-widows", "orphans: 2; widows: 2 -> 1; 1", css=_sub("orphans: 2; widows: 2;", "orphans: 1; widows: 1;")),
    Variant(
        "no-break-avoid",
        "every break-inside/break-after: avoid -> auto",
        css=_all(_sub("break-inside: avoid", "break-inside: auto"), _sub("break-after: avoid", "break-after: auto")),
    ),
    Variant("no-images", "img { display: none } (the generated book has no images: a control)", css=_add("img { display: none; }")),
    Variant("untagged", "the same layout written without PDF/UA-1 tagging (pdf_variant=None)", tagged=False),
)


# --- The book as the build lays it out ------------------------------------------


def build_layout(book_dir: Path) -> dict[str, Any]:
    """`lay_out_print` on the book, its WeasyPrint layouts counted and timed; the last one's HTML and CSS kept."""
    from bindery import layout
    from bindery.pipeline import load_book
    from bindery.templating import Templates

    book, xrefs, _ = load_book(book_dir)
    templates = Templates(Path(book.root), "print")
    calls: list[dict[str, Any]] = []
    original = layout._render

    def counted(text: str, rendering: Any, run: Any) -> Any:
        started, cpu = time.perf_counter(), time.process_time()
        document = original(text, rendering, run)
        calls.append(
            {
                "wall": time.perf_counter() - started,
                "cpu": time.process_time() - cpu,
                "pages": len(document.pages),
                "keep_whole": text.count('class="keep-whole"'),
                "numbers_written_in": "data-page=" in text,
                "text": text,
                "css": rendering.css,
                "base_dir": rendering.base_dir,
            }
        )
        return document

    layout._render = counted
    try:
        started, cpu = time.perf_counter(), time.process_time()
        result = layout.lay_out_print(book, xrefs, templates)
        total = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}
    finally:
        layout._render = original
    last = calls[-1]
    return {
        "book": book,
        "templates": templates,
        "layouts": [{k: v for k, v in c.items() if k not in ("text", "css", "base_dir")} for c in calls],
        "lay_out_print": total,
        "pages": result.page_count,
        "text": last["text"],
        "css": last["css"],
        "base_url": Path(last["base_dir"]).resolve().as_uri() + "/",
        "labels": [p.label for p in result.page_map.pages],
    }


# --- Measuring ----------------------------------------------------------------------


def measure(variant: Variant, html: str, css: str, base_url: str, fetcher: Any, labels: list[str]) -> dict[str, float]:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from bindery.builders.pdf import write_pdf

    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    fonts = FontConfiguration()
    sheet = weasyprint.CSS(string=variant.css(css), base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    document = weasyprint.HTML(string=variant.html(html), base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[sheet], font_config=fonts
    )
    layout_wall, layout_cpu = time.perf_counter() - started, time.process_time() - cpu
    pages = len(document.pages)
    labels = (labels + [str(i) for i in range(len(labels), pages)])[:pages]
    started, cpu = time.perf_counter(), time.process_time()
    write_pdf(document, "digital" if variant.tagged else "print", labels)
    write_wall, write_cpu = time.perf_counter() - started, time.process_time() - cpu
    del document
    return {"layout_wall": layout_wall, "layout_cpu": layout_cpu, "write_wall": write_wall, "write_cpu": write_cpu, "pages": pages}


def run(n: int, rounds: int, only: list[str] | None, build_rounds_wanted: int = 2) -> dict[str, Any]:
    from bindery.print_fetcher import book_fetcher

    book_dir = generate(n, RESULTS / "work" / f"features-n{n}")
    print(f"N = {n}: laying the book out as the build does ...", flush=True)
    built = build_layout(book_dir)
    layouts = built["layouts"]
    print(
        f"  {built['pages']} pages, {len(layouts)} WeasyPrint layouts: "
        + ", ".join(
            f"{c['cpu']:.1f} s CPU ({c['pages']} p, {c['keep_whole']} kept whole{', numbers written in' if c['numbers_written_in'] else ''})"
            for c in layouts
        ),
        flush=True,
    )
    fetcher = book_fetcher(built["book"], built["templates"].dirs)
    variants = [v for v in VARIANTS if only is None or v.name in only or v.name == "full"]
    for v in variants:  # fail early on a variant whose CSS rule is gone
        v.css(built["css"])
    samples: dict[str, list[dict[str, float]]] = {v.name: [] for v in variants}
    for r in range(rounds):
        order = variants[r % len(variants) :] + variants[: r % len(variants)]
        for v in order:
            s = measure(v, built["text"], built["css"], built["base_url"], fetcher, built["labels"])
            samples[v.name].append(s)
            print(
                f"  round {r + 1} {v.name:22} {s['pages']:4d} p  layout {s['layout_cpu']:6.2f} s  write {s['write_cpu']:6.2f} s CPU",
                flush=True,
            )
    builds = build_rounds(book_dir, build_rounds_wanted) if build_rounds_wanted else {}
    return {
        "n": n,
        "rounds": rounds,
        "builds": builds,
        "pages": built["pages"],
        "layouts": layouts,
        "lay_out_print": built["lay_out_print"],
        "samples": samples,
        "what": {v.name: v.what for v in variants},
    }


def build_rounds(book_dir: Path, rounds: int) -> dict[str, list[dict[str, float]]]:
    """`lay_out_print` + the PDF write as the build runs them, with `frozen_heap` and without (interleaved)."""
    import contextlib

    from bindery import layout
    from bindery.builders import pdf
    from bindery.pipeline import load_book
    from bindery.templating import Templates

    book, xrefs, _ = load_book(book_dir)
    templates = Templates(Path(book.root), "print")
    kept = (layout.frozen_heap, pdf.frozen_heap)
    out: dict[str, list[dict[str, float]]] = {"frozen heap (as built)": [], "collector as usual": []}
    for r in range(rounds):
        for mode in list(out) if r % 2 == 0 else list(out)[::-1]:
            if mode == "collector as usual":
                layout.frozen_heap = pdf.frozen_heap = contextlib.nullcontext  # type: ignore[assignment]
            gc.collect()
            try:
                started = time.process_time()
                result = layout.lay_out_print(book, xrefs, templates)
                lay = time.process_time() - started
                started = time.process_time()
                pdf.write_pdf(result.document, book.pdf.profile, [p.label for p in result.page_map.pages])
                out[mode].append({"layout_cpu": lay, "write_cpu": time.process_time() - started})
            finally:
                layout.frozen_heap, pdf.frozen_heap = kept
            del result
            print(f"  build round {r + 1} {mode:24} lay_out_print {lay:6.2f} s  write {out[mode][-1]['write_cpu']:6.2f} s CPU", flush=True)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(result: dict[str, Any]) -> str:
    samples = result["samples"]
    full = samples["full"]
    base = {k: median([s[k] for s in full]) for k in ("layout_cpu", "write_cpu", "layout_wall", "write_wall")}
    lines = [
        f"N = {result['n']}, {result['pages']} pages, {result['rounds']} rounds; full rendering: layout {base['layout_cpu']:.1f} s CPU, write {base['write_cpu']:.1f} s CPU (medians)",
        "",
        "| variant | what is switched off | pages | layout / full (CPU) | write / full (CPU) | layout saved | write saved |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, runs in samples.items():
        lay = median([s["layout_cpu"] for s in runs]) / base["layout_cpu"]
        wri = median([s["write_cpu"] for s in runs]) / base["write_cpu"]
        pages = int(median([s["pages"] for s in runs]))
        lines.append(f"| {name} | {result['what'][name]} | {pages} | {lay:.3f} | {wri:.3f} | {1 - lay:+.1%} | {1 - wri:+.1%} |")
    layouts = result["layouts"]
    first = layouts[0]["cpu"]
    lines += [
        "",
        f"`lay_out_print`: {len(layouts)} WeasyPrint layouts, {result['lay_out_print']['cpu']:.1f} s CPU in all = {result['lay_out_print']['cpu'] / first:.2f} x the first layout",
    ]
    builds = result.get("builds") or {}
    if builds:
        usual = builds["collector as usual"]
        lines += ["", "| the build's layout passes and write | lay_out_print CPU s | write CPU s |", "|---|---:|---:|"]
        for mode, runs in builds.items():
            lay, wri = median([s["layout_cpu"] for s in runs]), median([s["write_cpu"] for s in runs])
            ratio = (lay / median([s["layout_cpu"] for s in usual]), wri / median([s["write_cpu"] for s in usual]))
            lines.append(f"| {mode} | {lay:.1f} ({ratio[0]:.3f}) | {wri:.1f} ({ratio[1]:.3f}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, nargs="?", default=24, help="articles in the generated book (default 24)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--build-rounds", type=int, default=2, help="rounds of the whole lay_out_print + write, with and without frozen_heap (0: none)"
    )
    parser.add_argument("--only", help="comma-separated variant names (full is always measured)")
    args = parser.parse_args(argv)
    result = run(args.n, args.rounds, args.only.split(",") if args.only else None, args.build_rounds)
    text = table(result)
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = RESULTS / f"features-n{args.n}-{stamp}.json"
    out.write_text(json.dumps({k: v for k, v in result.items()}, indent=1, default=str), encoding="utf-8")
    print(f"\n{out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
