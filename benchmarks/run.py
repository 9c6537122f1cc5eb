"""Time Bindery's pipeline on generated books and compare it with its references.

    python3 benchmarks/run.py 50 200          # N = 50 and N = 200 articles
    python3 benchmarks/run.py 500 --quick     # no rebuild and no `--format all` runs

Every measurement runs in a fresh child process (this same script with
`--child`), so its peak RSS (`ru_maxrss`) is that measurement's own. The
children call Bindery's stage functions and `bindery.pipeline.build` as they
are on disk; WeasyPrint's `HTML.render` and `Document.write_pdf` are wrapped to
time layout and PDF writing separately, to count how often the book is laid
out, and to capture the HTML and CSS the PDF builder hands to WeasyPrint. One
plain WeasyPrint pass over that captured HTML+CSS is the serial reference;
Pandoc's EPUB from the same Markdown (when `pandoc` is installed) is the EPUB
reference. The table shows each target of issue 6 as a ratio against them.

Results go to benchmarks/results/ (git-ignored) as JSON, one file per N.
The machine is shared and noisy: compare ratios taken in one run only.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import inspect
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import article_files, generate  # noqa: E402

RESULTS = HERE / "results"
EPOCH = "1700000000"
GB = 1024**3

# The targets of issue 6: (key, what is compared, limit).
TARGETS = (
    ("1", "serial PDF build / one WeasyPrint pass", 1.10),
    ("2", "EPUB build / Pandoc EPUB", 0.50),
    ("3", "parallel PDF build (--jobs) / one WeasyPrint pass", 0.65),
    ("4a", "EPUB rebuild after an edit / full EPUB build", 0.20),
    ("4b", "PDF rebuild after an edit / full PDF build", 0.35),
    ("5a", "peak RSS of the PDF build / WeasyPrint pass", 1.20),
    ("5b", "peak RSS of `build --format all`, N = 500 (GB)", 2.0),
)


# --------------------------------------------------------------------------
# Children: one measurement each, JSON on stdout.
# --------------------------------------------------------------------------


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


class Probe:
    """Wraps WeasyPrint (and a page-list module, if there is one) to time and count calls."""

    def __init__(self, capture: Path | None) -> None:
        self.capture = capture
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._strings: dict[int, dict[str, Any]] = {}
        self._undo: list[Callable[[], None]] = []
        self._running: set[str] = set()

    def _add(self, key: str, seconds: float) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds
        self.calls[key] = self.calls.get(key, 0) + 1

    def _wrap(self, owner: Any, name: str, key: str, before: Callable[..., None] | None = None) -> None:
        original = getattr(owner, name)
        probe = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            if key in probe._running:  # a wrapped function calling another: time the outer one only
                return original(*args, **kwargs)
            if before is not None:
                before(*args, **kwargs)
            probe._running.add(key)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                probe._running.discard(key)
                probe._add(key, time.perf_counter() - started)

        timed.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(owner, name, timed)
        self._undo.append(lambda: setattr(owner, name, original))

    def install(self) -> None:
        import weasyprint
        import weasyprint.document

        html_init, css_init = weasyprint.HTML.__init__, weasyprint.CSS.__init__
        probe = self

        def remember_html(obj: Any, *args: Any, **kwargs: Any) -> None:
            html_init(obj, *args, **kwargs)
            if isinstance(kwargs.get("string"), str):
                probe._strings[id(obj)] = {"string": kwargs["string"], "base_url": kwargs.get("base_url")}

        def remember_css(obj: Any, *args: Any, **kwargs: Any) -> None:
            css_init(obj, *args, **kwargs)
            if isinstance(kwargs.get("string"), str):
                probe._strings[id(obj)] = {"string": kwargs["string"], "base_url": kwargs.get("base_url")}

        weasyprint.HTML.__init__ = remember_html
        weasyprint.CSS.__init__ = remember_css
        self._undo += [lambda: setattr(weasyprint.HTML, "__init__", html_init), lambda: setattr(weasyprint.CSS, "__init__", css_init)]
        self._wrap(weasyprint.HTML, "render", "pdf_layout", self._capture_render)
        self._wrap(weasyprint.document.Document, "write_pdf", "pdf_write", self._capture_write)
        for module in page_list_modules():
            for name, fn in vars(module).items():
                if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_"):
                    self._wrap(module, name, "page_list")

    def _capture_render(self, html: Any, *args: Any, **kwargs: Any) -> None:
        if self.capture is None:
            return
        source = self._strings.get(id(html))
        sheets = [self._strings.get(id(s)) for s in kwargs.get("stylesheets") or ()]
        if source is None or any(s is None for s in sheets):
            return
        self.capture.mkdir(parents=True, exist_ok=True)
        (self.capture / "print.html").write_text(source["string"], encoding="utf-8")
        for n, sheet in enumerate(sheets):
            (self.capture / f"print-{n}.css").write_text(sheet["string"], encoding="utf-8")  # type: ignore[index]
        meta = {
            "base_url": source["base_url"],
            "stylesheets": len(sheets),
            "render_options": _plain(kwargs, skip=("stylesheets", "font_config", "counter_style")),
        }
        (self.capture / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    def _capture_write(self, document: Any, *args: Any, **kwargs: Any) -> None:
        if self.capture is None or not (self.capture / "meta.json").exists():
            return
        meta = json.loads((self.capture / "meta.json").read_text(encoding="utf-8"))
        meta["write_options"] = _plain(kwargs, skip=("target",))
        (self.capture / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    def remove(self) -> None:
        for undo in reversed(self._undo):
            undo()


def _plain(options: dict[str, Any], skip: tuple[str, ...]) -> dict[str, Any]:
    """The options that can be replayed in the reference pass (strings, numbers, flags)."""
    return {k: v for k, v in options.items() if k not in skip and isinstance(v, str | int | float | bool | type(None))}


def page_list_modules() -> list[Any]:
    """Bindery modules that extract a page-list, if the pipeline on disk has one."""
    import importlib
    import pkgutil

    import bindery

    found = []
    for info in pkgutil.walk_packages(bindery.__path__, "bindery."):
        leaf = info.name.rsplit(".", 1)[-1].replace("_", "")
        if "pagelist" in leaf or leaf in ("pagemap", "pagenumbers"):
            found.append(importlib.import_module(info.name))
    return found


@contextmanager
def timer(into: dict[str, float], key: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        into[key] = time.perf_counter() - started


def child_stages(book_dir: Path, scratch: Path) -> dict[str, Any]:
    """Each stage function once, in pipeline order, then the EPUB builder."""
    probe = Probe(None)
    probe.install()  # before Bindery's modules bind the page-list functions by name

    from bindery.builders.epub import EpubBuilder
    from bindery.manifest import load_manifest
    from bindery.model import assemble_book
    from bindery.render import render_ebook, render_print
    from bindery.reproducible import build_time
    from bindery.sources import read_sources
    from bindery.templating import Templates
    from bindery.xref import resolve_cross_references

    t: dict[str, float] = {}
    with timer(t, "manifest"):
        manifest = load_manifest(book_dir)
    with timer(t, "sources"):
        sources = read_sources(manifest, [])
    with timer(t, "model"):
        book = assemble_book(manifest, sources)
    with timer(t, "xref"):
        xrefs = resolve_cross_references(book)
    with timer(t, "render_ebook"):
        render_ebook(book, xrefs, Templates(Path(book.root), "ebook"), modified=build_time(book.metadata.date))
    with timer(t, "render_print"):
        rendering = render_print(book, xrefs, Templates(Path(book.root), "print"))
    with timer(t, "epub_builder"):
        EpubBuilder(book, xrefs, scratch / "stages-out").build()
    words = sum(len(s.body.split()) for s in sources.values())
    return {
        "seconds": t,
        "layouts_in_epub_builder": probe.calls.get("pdf_layout", 0),
        "page_list_in_epub_builder": probe.seconds.get("page_list"),
        "words": words,
        "print_html_bytes": len(rendering.html.encode()),
    }


def child_build(book_dir: Path, out: Path, formats: tuple[str, ...], jobs: int | None, capture: Path | None) -> dict[str, Any]:
    """`bindery.pipeline.build` as the CLI calls it, with WeasyPrint wrapped."""
    probe = Probe(capture)
    probe.install()  # before Bindery's modules bind the page-list functions by name

    from bindery import pipeline

    kwargs: dict[str, Any] = {}
    if "jobs" in inspect.signature(pipeline.build).parameters:
        kwargs["jobs"] = jobs if jobs is not None else 1
    elif jobs not in (None, 1):
        return {"skipped": "bindery.pipeline.build has no `jobs` parameter (no parallel PDF yet)"}
    started = time.perf_counter()
    result = pipeline.build(book_dir, formats, out, **kwargs)
    total = time.perf_counter() - started
    pages = next((a.pages for a in result.artifacts if a.pages), None)
    return {"total": total, "seconds": probe.seconds, "calls": probe.calls, "pages": pages, "options": {k: v for k, v in kwargs.items()}}


def child_weasyprint(capture: Path) -> dict[str, Any]:
    """One plain WeasyPrint pass (layout, then PDF) over the captured print HTML and CSS."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    meta = json.loads((capture / "meta.json").read_text(encoding="utf-8"))
    base_url = meta["base_url"]
    t: dict[str, float] = {}
    started = time.perf_counter()
    fonts = FontConfiguration()
    html = weasyprint.HTML(string=(capture / "print.html").read_text(encoding="utf-8"), base_url=base_url)
    sheets = [
        weasyprint.CSS(string=(capture / f"print-{n}.css").read_text(encoding="utf-8"), base_url=base_url, font_config=fonts)
        for n in range(meta["stylesheets"])
    ]
    with timer(t, "pdf_layout"):
        document = html.render(stylesheets=sheets, font_config=fonts, **meta.get("render_options", {}))
    with timer(t, "pdf_write"):
        document.write_pdf(io.BytesIO(), **meta.get("write_options", {}))
    return {
        "total": time.perf_counter() - started,
        "seconds": t,
        "pages": len(document.pages),
        "options": {k: meta.get(k) for k in ("render_options", "write_options")},
    }


def run_child(kind: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process and return its JSON with its peak RSS."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind, *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": " | ".join(tail)}
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def child_main(kind: str, args: list[str]) -> int:
    if kind == "stages":
        data = child_stages(Path(args[0]), Path(args[1]))
    elif kind == "build":
        formats = tuple(args[2].split(","))
        jobs = int(args[3]) if args[3] != "-" else None
        capture = Path(args[4]) if len(args) > 4 else None
        data = child_build(Path(args[0]), Path(args[1]), formats, jobs, capture)
    elif kind == "weasyprint":
        data = child_weasyprint(Path(args[0]))
    else:
        raise SystemExit(f"unknown child {kind}")
    data["peak_rss"] = peak_rss_bytes()
    print(json.dumps(data))
    return 0


# --------------------------------------------------------------------------
# The parent: a fixed sequence of measurements per N.
# --------------------------------------------------------------------------


def pandoc_epub(book_dir: Path, out: Path) -> dict[str, Any]:
    """Pandoc's EPUB from the same Markdown files, in reading order."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        return {"skipped": "pandoc is not installed (apt-get install pandoc)"}
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    files = [str(p) for p in article_files(book_dir)]
    cmd = [pandoc, "--from", "markdown", "--to", "epub3", "--toc", "--metadata", "title=Benchmark", "--output", str(out), *files]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"error": (proc.stderr.read().decode(errors="replace") if proc.stderr else "")[-300:]}
    return {"total": total, "peak_rss": usage.ru_maxrss * 1024, "version": version}


def edit_one_article(book_dir: Path) -> str:
    """Change one word of an article in the middle of the book to another of the same length.

    Page offsets almost never move, which is the case target 4b is about."""
    files = article_files(book_dir)
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    at = text.index(" quiet ", text.index("\n---\n") + 5) if " quiet " in text else -1
    if at < 0:
        at = text.index(" the ", text.index("\n---\n") + 5)
        text = text[:at] + " his " + text[at + 5 :]
    else:
        text = text[:at] + " plain " + text[at + 7 :]
    path.write_text(text, encoding="utf-8")
    return path.name


def measure(n: int, scratch: Path, quick: bool, jobs: int) -> dict[str, Any]:
    book = scratch / "book"
    out = scratch / "out"
    capture = scratch / "capture"

    def fresh() -> None:
        generate(n, book)
        shutil.rmtree(out, ignore_errors=True)

    def say(msg: str) -> None:
        print(f"  N={n}: {msg}", file=sys.stderr, flush=True)

    m: dict[str, Any] = {}
    fresh()
    say("stages")
    m["stages"] = run_child("stages", str(book), str(scratch))
    say("build --format epub")
    m["build_epub"] = run_child("build", str(book), str(out), "epub", "-")
    if not quick:
        m["edited"] = edit_one_article(book)
        say(f"rebuild epub after editing {m['edited']}")
        m["rebuild_epub"] = run_child("build", str(book), str(out), "epub", "-")
    fresh()
    shutil.rmtree(capture, ignore_errors=True)
    say("build --format pdf")
    m["build_pdf"] = run_child("build", str(book), str(out), "pdf", "-", str(capture))
    if not quick:
        edit_one_article(book)
        say("rebuild pdf after the edit")
        m["rebuild_pdf"] = run_child("build", str(book), str(out), "pdf", "-")
        fresh()
        say("build --format all")
        m["build_all"] = run_child("build", str(book), str(out), "epub,pdf", "-")
    if jobs > 1:
        fresh()
        say(f"build --format pdf --jobs {jobs}")
        m["build_pdf_parallel"] = run_child("build", str(book), str(out), "pdf", str(jobs))
    say("one plain WeasyPrint pass")
    m["weasyprint"] = (
        run_child("weasyprint", str(capture))
        if (capture / "meta.json").exists()
        else {"error": "the PDF build handed no HTML string to WeasyPrint"}
    )
    say("pandoc")
    m["pandoc"] = pandoc_epub(book, scratch / "pandoc.epub")
    return m


# --------------------------------------------------------------------------
# Ratios and the table.
# --------------------------------------------------------------------------


def _get(m: dict[str, Any], *keys: str) -> Any:
    value: Any = m
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def evaluate(n: int, m: dict[str, Any]) -> list[dict[str, Any]]:
    wp = _get(m, "weasyprint", "total")
    values: dict[str, tuple[float | None, str]] = {
        "1": (
            _ratio(_get(m, "build_pdf", "total"), wp),
            f"layouts: {_get(m, 'build_pdf', 'calls', 'pdf_layout')} in the PDF build, "
            f"{_get(m, 'build_all', 'calls', 'pdf_layout')} in `--format all`",
        ),
        "2": (
            _ratio(_get(m, "build_epub", "total"), _get(m, "pandoc", "total")),
            f"layouts in the EPUB-only build: {_get(m, 'build_epub', 'calls', 'pdf_layout') or 0}"
            + ("" if n in (50, 500) else "; the target is for N = 50 and 500"),
        ),
        "3": (_ratio(_get(m, "build_pdf_parallel", "total"), wp), _get(m, "build_pdf_parallel", "skipped") or ""),
        "4a": (_ratio(_get(m, "rebuild_epub", "total"), _get(m, "build_epub", "total")), ""),
        "4b": (
            _ratio(_get(m, "rebuild_pdf", "total"), _get(m, "build_pdf", "total")),
            f"pages {_get(m, 'build_pdf', 'pages')} -> {_get(m, 'rebuild_pdf', 'pages')}",
        ),
        "5a": (_ratio(_get(m, "build_pdf", "peak_rss"), _get(m, "weasyprint", "peak_rss")), ""),
        "5b": (
            (_get(m, "build_all", "peak_rss") or _get(m, "build_pdf", "peak_rss") or 0) / GB or None,
            ("" if "build_all" in m else "`--format all` not run (--quick): the PDF build's peak instead")
            + ("" if n == 500 else "; the target is for N = 500"),
        ),
    }
    rows = []
    for key, label, limit in TARGETS:
        value, note = values[key]
        applies = {"2": n in (50, 500), "5b": n == 500}.get(key, n == 200)
        rows.append(
            {
                "target": key,
                "what": label,
                "value": value,
                "limit": limit,
                "met": None if value is None else value <= limit,
                "applies": applies,
                "note": note,
            }
        )
    return rows


def table(n: int, m: dict[str, Any], targets: list[dict[str, Any]]) -> str:
    lines = []
    pages = _get(m, "build_pdf", "pages")
    words = _get(m, "stages", "words")
    lines.append(f"N = {n} articles: {pages} pages, {words} words")
    lines.append(f"{'measurement':44} {'seconds':>9} {'peak RSS':>9}  notes")

    def row(label: str, seconds: float | None, rss: int | None = None, note: str = "") -> None:
        s = f"{seconds:9.2f}" if isinstance(seconds, int | float) else f"{'-':>9}"
        r = f"{rss / 2**20:7.0f}MB" if rss else f"{'':>9}"
        lines.append(f"{label:44} {s} {r}  {note}".rstrip())

    stages = m.get("stages", {})
    if "error" in stages:
        row("stages", None, note="error: " + stages["error"])
    else:
        for key, label in (
            ("manifest", "1 manifest"),
            ("sources", "2 sources"),
            ("model", "3 model"),
            ("xref", "4 cross-references"),
            ("render_ebook", "5 render (ebook)"),
            ("render_print", "5 render (print)"),
            ("epub_builder", "6 EPUB builder"),
        ):
            row(f"  {label}", _get(stages, "seconds", key))
        if stages.get("page_list_in_epub_builder") is not None:
            row("    page-list (inside the EPUB builder)", stages["page_list_in_epub_builder"])
        row("  (stages process)", None, stages.get("peak_rss"), f"layouts in the EPUB builder: {stages.get('layouts_in_epub_builder')}")
    for key, label in (
        ("build_epub", "build --format epub"),
        ("rebuild_epub", "  rebuild epub after editing one article"),
        ("build_pdf", "build --format pdf (serial)"),
        ("rebuild_pdf", "  rebuild pdf after editing one article"),
        ("build_all", "build --format all"),
        ("build_pdf_parallel", "build --format pdf --jobs N"),
        ("weasyprint", "REFERENCE one plain WeasyPrint pass"),
        ("pandoc", "REFERENCE pandoc EPUB"),
    ):
        data = m.get(key)
        if data is None:
            continue
        if "error" in data or "skipped" in data:
            row(label, None, note=data.get("error") or data.get("skipped"))
            continue
        secs = data.get("seconds", {})
        calls = data.get("calls", {})
        parts = []
        if "pdf_layout" in secs:
            parts.append(f"layout {secs['pdf_layout']:.2f} s" + (f" x{calls['pdf_layout']}" if calls.get("pdf_layout", 1) != 1 else ""))
        if "pdf_write" in secs:
            parts.append(f"write {secs['pdf_write']:.2f} s")
        if "page_list" in secs:
            parts.append(f"page-list {secs['page_list']:.2f} s")
        if key.startswith("build_pdf") and "pdf_layout" in secs:
            rest = data["total"] - secs.get("pdf_layout", 0) - secs.get("pdf_write", 0)
            parts.append(f"everything else {rest:.2f} s")
        if key == "pandoc":
            parts.append(data.get("version", ""))
        row(label, data.get("total"), data.get("peak_rss"), ", ".join(parts))
    lines.append("")
    lines.append(f"{'target':6} {'ratio':>7} {'limit':>6}  {'result':8} what")
    for t in targets:
        value = "-" if t["value"] is None else f"{t['value']:.2f}"
        result = "n/a" if t["met"] is None else ("met" if t["met"] else "NOT MET")
        if not t["applies"] and t["met"] is not None:
            result = f"({result})"
        note = f" [{t['note']}]" if t["note"] else ""
        lines.append(f"{t['target']:6} {value:>7} {t['limit']:>6.2f}  {result:8} {t['what']}{note}")
    lines.append("4c: the preview refresh (< 0.5 s) is not measured here.")
    lines.append("(parenthesised results are for an N the target is not set for.)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description="Time Bindery's pipeline on generated books (see benchmarks/README.md).")
    parser.add_argument("articles", type=int, nargs="*", default=[50, 200], help="values of N to run (default: 50 200)")
    parser.add_argument("--quick", action="store_true", help="skip the rebuild-after-edit and `--format all` measurements")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="also time `--jobs N` when the pipeline supports it (default: the number of cores; 1 skips it)",
    )
    parser.add_argument(
        "--scratch", type=Path, default=None, help="working folder for the generated books (default: benchmarks/results/work)"
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in args.articles:
        scratch = (args.scratch or RESULTS / "work") / f"n{n}"
        scratch.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        m = measure(n, scratch, args.quick, args.jobs)
        targets = evaluate(n, m)
        report = {
            "articles": n,
            "when": stamp,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "load_average": os.getloadavg(),
            },
            "measurements": m,
            "targets": targets,
            "wall_seconds": time.perf_counter() - started,
        }
        path = RESULTS / f"n{n}-{stamp}.json"
        path.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(table(n, m, targets))
        print(f"JSON: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
