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
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import article_files, generate  # noqa: E402
from split_estimate import estimate as estimate_split  # noqa: E402

RESULTS = HERE / "results"
EPOCH = "1700000000"
GB = 1024**3

# The targets of issue 6: (key, what is compared, limit).
TARGETS = (
    ("1", "serial PDF build / one WeasyPrint pass", 1.10),
    ("2", "EPUB build / Pandoc EPUB", 0.50),
    ("2n", "EPUB without a layout (stages 1-5 ebook + 6 EPUB) / Pandoc", 0.50),
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


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU time: much less disturbed than wall time by the other users of the machine."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


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
    """Bindery modules that extract a page-list, if the pipeline on disk has one: reading it from
    the layout (`layout_pages`) and placing it in the EPUB (`pagemap`)."""
    import importlib
    import pkgutil

    import bindery

    found = []
    for info in pkgutil.walk_packages(bindery.__path__, "bindery."):
        leaf = info.name.rsplit(".", 1)[-1].replace("_", "")
        if "pagelist" in leaf or leaf in ("pagemap", "pagenumbers", "layoutpages"):
            found.append(importlib.import_module(info.name))
    return found


@contextmanager
def timer(into: dict[str, float], key: str, cpu: dict[str, float] | None = None) -> Iterator[None]:
    started, cpu_started = time.perf_counter(), cpu_seconds()
    try:
        yield
    finally:
        into[key] = time.perf_counter() - started
        if cpu is not None:
            cpu[key] = cpu_seconds() - cpu_started


def child_stages(book_dir: Path, scratch: Path) -> dict[str, Any]:
    """Each stage function once, in pipeline order, then the EPUB builder."""
    probe = Probe(None)
    probe.install()  # before Bindery's modules bind the page-list functions by name

    from bindery.builders.epub import EpubBuilder
    from bindery.manifest import load_manifest
    from bindery.model.assemble import assemble_book
    from bindery.render import render_ebook, render_print
    from bindery.sources import read_sources
    from bindery.templating import Templates
    from bindery.xref import resolve_cross_references

    t: dict[str, float] = {}
    c: dict[str, float] = {}
    with timer(t, "manifest", c):
        manifest = load_manifest(book_dir)
    with timer(t, "sources", c):
        sources = read_sources(manifest).by_path
    with timer(t, "model", c):
        book = assemble_book(manifest, sources)
    with timer(t, "xref", c):
        xrefs = resolve_cross_references(book)
    with timer(t, "render_ebook", c):
        render_ebook(book, xrefs, Templates(book.root, "ebook"))
    with timer(t, "render_print", c):
        rendering = render_print(book, xrefs, Templates(book.root, "print"))
    with timer(t, "epub_builder", c):
        EpubBuilder(book, xrefs, scratch / "stages-out").build()
    words = sum(len(s.body.split()) for s in sources.values())
    return {
        "seconds": t,
        "cpu_stages": c,
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
    executor = None
    parameters = inspect.signature(pipeline.build).parameters
    if "executor" in parameters:  # `--jobs N` as the CLI passes it: bindery.executors.make_executor(N)
        from bindery.executors import make_executor

        executor = make_executor(jobs if jobs is not None else 1)
        kwargs["executor"] = executor
    elif "jobs" in parameters:
        kwargs["jobs"] = jobs if jobs is not None else 1
    elif jobs not in (None, 1):
        return {"skipped": "bindery.pipeline.build has no `jobs` parameter (no parallel PDF yet)"}
    started, cpu_started = time.perf_counter(), cpu_seconds()
    try:
        result = pipeline.build(book_dir, formats, out, **kwargs)
    finally:
        if executor is not None:
            executor.shutdown()
    total, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started + cpu_seconds(resource.RUSAGE_CHILDREN)
    pages = next((a.pages for a in result.artifacts if a.pages), None)
    return {
        "total": total,
        "cpu": cpu,
        "seconds": probe.seconds,
        "calls": probe.calls,
        "pages": pages,
        "options": {k: v for k, v in kwargs.items() if k != "executor"} | ({"jobs": jobs or 1} if executor is not None else {}),
    }


def child_weasyprint(capture: Path) -> dict[str, Any]:
    """One plain WeasyPrint pass (layout, then PDF) over the captured print HTML and CSS."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    meta = json.loads((capture / "meta.json").read_text(encoding="utf-8"))
    base_url = meta["base_url"]
    t: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), cpu_seconds()
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
        "cpu": cpu_seconds() - cpu_started,
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
    data["load"] = os.getloadavg()[0]  # how busy the machine was: a high load makes the wall time meaningless
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
    elif kind == "split":
        cpu_started = cpu_seconds()
        data = estimate_split(Path(args[0]), int(args[1]))
        data["cpu"] = cpu_seconds() - cpu_started + cpu_seconds(resource.RUSAGE_CHILDREN)
        data["peak_rss"] = max(data["peak_rss"], peak_rss_bytes())
        print(json.dumps(data))
        return 0
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
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: pandoc's warnings would fill a pipe and block it
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        total = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        if proc.returncode != 0:
            return {"error": errors.read().decode(errors="replace")[-300:]}
    return {
        "total": total,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_rss": usage.ru_maxrss * 1024,
        "version": version,
        "load": os.getloadavg()[0],
    }


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


def measure(n: int, scratch: Path, quick: bool, jobs: int, partial: Path | None = None) -> dict[str, Any]:
    book = scratch / "book"
    out = scratch / "out"
    capture = scratch / "capture"

    def fresh() -> None:
        generate(n, book)
        shutil.rmtree(out, ignore_errors=True)

    def say(msg: str) -> None:
        """Report progress and save what is measured so far (`--table` reads a partial file too)."""
        print(f"  N={n}: {msg}", file=sys.stderr, flush=True)
        if partial is not None:
            partial.write_text(json.dumps({"articles": n, "partial": True, "measurements": m}, indent=2), encoding="utf-8")

    # Each ratio's two sides are measured one right after the other: the load changes by the minute.
    m: dict[str, Any] = {}
    fresh()
    say("stages")
    m["stages"] = run_child("stages", str(book), str(scratch))
    say("build --format epub")
    m["build_epub"] = run_child("build", str(book), str(out), "epub", "-")
    say("pandoc")
    m["pandoc"] = pandoc_epub(book, scratch / "pandoc.epub")
    if not quick:
        m["edited"] = edit_one_article(book)
        say(f"rebuild epub after editing {m['edited']}")
        m["rebuild_epub"] = run_child("build", str(book), str(out), "epub", "-")
    fresh()
    shutil.rmtree(capture, ignore_errors=True)
    say("build --format pdf")
    m["build_pdf"] = run_child("build", str(book), str(out), "pdf", "-", str(capture))
    if not (capture / "meta.json").exists():
        m["weasyprint"] = {"error": "the PDF build handed no HTML string to WeasyPrint"}
    else:
        say("one plain WeasyPrint pass")
        m["weasyprint"] = run_child("weasyprint", str(capture))
        if jobs > 1:
            say(f"estimate: the print HTML in {jobs} chunks laid out at once")
            m["split_estimate"] = run_child("split", str(capture), str(jobs))
    if jobs > 1:
        say(f"build --format pdf --jobs {jobs}")
        m["build_pdf_parallel"] = run_child("build", str(book), str(out), "pdf", str(jobs))
    if not quick:
        edit_one_article(book)
        say("rebuild pdf after the edit")
        m["rebuild_pdf"] = run_child("build", str(book), str(out), "pdf", "-")
        fresh()
        say("build --format all")
        m["build_all"] = run_child("build", str(book), str(out), "epub,pdf", "-")
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
    """Each target as a ratio of wall times and, for the serial ones, of CPU times too."""

    def ratios(a: str, b: str) -> tuple[float | None, float | None]:
        return _ratio(_get(m, a, "total"), _get(m, b, "total")), _ratio(_get(m, a, "cpu"), _get(m, b, "cpu"))

    layouts = f"layouts: {_get(m, 'build_pdf', 'calls', 'pdf_layout')} in the PDF build"
    if "build_all" in m:
        layouts += f", {_get(m, 'build_all', 'calls', 'pdf_layout')} in `--format all`"
    epub_layouts = _get(m, "build_epub", "calls", "pdf_layout") or 0
    epub_note = f"layouts in the EPUB-only build: {epub_layouts}"
    if epub_layouts:
        layout, write = _get(m, "build_epub", "seconds", "pdf_layout"), _get(m, "build_epub", "seconds", "pdf_write") or 0
        epub_note += f" ({layout:.1f} s layout + {write:.1f} s PDF write)"
    parallel_note = _get(m, "build_pdf_parallel", "skipped") or ""
    split = _ratio(_get(m, "split_estimate", "total"), _get(m, "weasyprint", "total"))
    if split is not None:
        parallel_note += f"; upper-bound estimate (chunks laid out at once, no fix-ups): {split:.2f}"
    rss_all = _get(m, "build_all", "peak_rss")
    ebook_stages = ("manifest", "sources", "model", "xref", "render_ebook", "epub_builder")

    def ebook_only(times: dict[str, float] | None) -> float | None:
        return sum(times.get(k, 0.0) for k in ebook_stages) or None if times else None

    values: dict[str, tuple[float | None, float | None, str]] = {
        "1": (*ratios("build_pdf", "weasyprint"), layouts),
        "2": (*ratios("build_epub", "pandoc"), epub_note),
        "2n": (
            _ratio(ebook_only(_get(m, "stages", "seconds")), _get(m, "pandoc", "total")),
            _ratio(ebook_only(_get(m, "stages", "cpu_stages")), _get(m, "pandoc", "cpu")),
            "what a page-list-free EPUB build would cost (measured in-process: no interpreter start-up)",
        ),
        "3": (_ratio(_get(m, "build_pdf_parallel", "total"), _get(m, "weasyprint", "total")), None, parallel_note),
        "4a": (*ratios("rebuild_epub", "build_epub"), ""),
        "4b": (
            *ratios("rebuild_pdf", "build_pdf"),
            f"pages {_get(m, 'build_pdf', 'pages')} -> {_get(m, 'rebuild_pdf', 'pages')}" if "rebuild_pdf" in m else "",
        ),
        "5a": (_ratio(_get(m, "build_pdf", "peak_rss"), _get(m, "weasyprint", "peak_rss")), None, ""),
        "5b": (
            (rss_all or _get(m, "build_pdf", "peak_rss") or 0) / GB or None,
            None,
            "" if rss_all else "`--format all` not run (--quick): the PDF build's peak instead",
        ),
    }
    rows = []
    for key, label, limit in TARGETS:
        value, value_cpu, note = values[key]
        rows.append(
            {
                "target": key,
                "what": label,
                "value": value,
                "value_cpu": value_cpu,
                "limit": limit,
                "met": None if value is None else value <= limit,
                "met_cpu": None if value_cpu is None else value_cpu <= limit,
                "applies": {"2": n in (50, 500), "2n": n in (50, 500), "5b": n == 500}.get(key, n == 200),
                "note": note,
            }
        )
    return rows


def _verdict(met: bool | None, applies: bool) -> str:
    text = "-" if met is None else ("met" if met else "NOT MET")
    return text if applies or met is None else f"({text})"


def table(n: int, m: dict[str, Any], targets: list[dict[str, Any]]) -> str:
    lines = []
    pages = _get(m, "build_pdf", "pages")
    words = _get(m, "stages", "words")
    lines.append(f"N = {n} articles: {pages} pages, {words} words")
    lines.append(f"{'measurement':42} {'wall s':>8} {'CPU s':>8} {'peak RSS':>9} {'load':>5}  notes")

    def row(label: str, data: dict[str, Any], note: str = "") -> None:
        cells = []
        for key in ("total", "cpu"):
            value = data.get(key)
            cells.append(f"{value:8.2f}" if isinstance(value, int | float) else f"{'-':>8}")
        rss = data.get("peak_rss")
        cells.append(f"{rss / 2**20:7.0f}MB" if rss else f"{'':>9}")
        load = data.get("load")
        cells.append(f"{load:5.1f}" if load is not None else f"{'':>5}")
        lines.append(f"{label:42} {' '.join(cells)}  {note}".rstrip())

    stages = m.get("stages", {})
    if "error" in stages:
        row("stages", {}, "error: " + stages["error"])
    else:
        for key, label in (
            ("manifest", "1 manifest"),
            ("sources", "2 sources"),
            ("model", "3 model"),
            ("xref", "4 cross-references"),
            ("render_ebook", "5 render (ebook)"),
            ("render_print", "5 render (print)"),
            ("epub_builder", "6 EPUB builder (no page-list)"),
        ):
            row(f"  {label}", {"total": _get(stages, "seconds", key), "cpu": _get(stages, "cpu_stages", key)})
        row("  (the stages process)", {"peak_rss": stages.get("peak_rss"), "load": stages.get("load")})
    for key, label in (
        ("build_epub", "build --format epub"),
        ("pandoc", "REFERENCE pandoc EPUB"),
        ("rebuild_epub", "rebuild epub after editing one article"),
        ("build_pdf", "build --format pdf (serial)"),
        ("weasyprint", "REFERENCE one plain WeasyPrint pass"),
        ("split_estimate", "ESTIMATE chunks laid out at once"),
        ("build_pdf_parallel", "build --format pdf --jobs N"),
        ("rebuild_pdf", "rebuild pdf after editing one article"),
        ("build_all", "build --format all"),
    ):
        data = m.get(key)
        if data is None:
            continue
        if "error" in data or "skipped" in data:
            row(label, {}, data.get("error") or data.get("skipped") or "")
            continue
        secs = data.get("seconds", {})
        calls = data.get("calls", {})
        parts = []
        if secs.get("pdf_layout") is not None:
            parts.append(f"layout {secs['pdf_layout']:.2f}" + (f" x{calls['pdf_layout']}" if calls.get("pdf_layout", 1) != 1 else ""))
        if secs.get("pdf_write") is not None:
            parts.append(f"write {secs['pdf_write']:.2f}")
        if secs.get("page_list") is not None:
            parts.append(f"page-list {secs['page_list']:.2f}")
        if key.startswith(("build", "rebuild")) and "pdf_layout" in secs:
            rest = data["total"] - secs.get("pdf_layout", 0) - secs.get("pdf_write", 0) - secs.get("page_list", 0)
            parts.append(f"rest {rest:.2f}")
        if key == "split_estimate":
            parts.append(f"{data['jobs']} chunks of {', '.join(str(c['pages']) for c in data['chunks'])} pages")
            if secs.get("merge") is not None:
                parts.append(f"pypdf join {secs['merge']:.2f}")
        if key == "pandoc":
            parts.append(data.get("version", ""))
        row(label, data, ", ".join(parts))
    lines.append("")
    lines.append(f"{'target':6} {'wall':>6} {'CPU':>6} {'limit':>6}  {'wall':8} {'CPU':8} what")
    for t in targets:
        wall = "-" if t["value"] is None else f"{t['value']:.2f}"
        cpu = "-" if t["value_cpu"] is None else f"{t['value_cpu']:.2f}"
        note = f" [{t['note']}]" if t["note"] else ""
        lines.append(
            f"{t['target']:6} {wall:>6} {cpu:>6} {t['limit']:>6.2f}  {_verdict(t['met'], t['applies']):8} "
            f"{_verdict(t['met_cpu'], t['applies']):8} {t['what']}{note}"
        )
    lines.append("4c (preview refresh < 0.5 s) is not measured here. Parenthesised: an N the target is not set for.")
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
    parser.add_argument("--table", type=Path, default=None, help="print the table of a saved JSON result again, and stop")
    args = parser.parse_args(argv)
    if args.table is not None:
        saved = json.loads(args.table.read_text(encoding="utf-8"))
        print(table(saved["articles"], saved["measurements"], evaluate(saved["articles"], saved["measurements"])))
        return 0
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in args.articles:
        scratch = (args.scratch or RESULTS / "work") / f"n{n}"
        scratch.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        path = RESULTS / f"n{n}-{stamp}.json"
        m = measure(n, scratch, args.quick, args.jobs, partial=path)
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
        path.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(table(n, m, targets))
        print(f"JSON: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
