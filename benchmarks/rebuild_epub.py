"""Incremental EPUB rebuilds with the build cache (issue 11, item 3), and the preview's refresh.

    python3 benchmarks/rebuild_epub.py 200          # N = 200 (also: 50 500 ...)
    python3 benchmarks/rebuild_epub.py 200 --no-preview

For each N, on a freshly generated book, every build is `bindery.pipeline.build(...,
("epub",), page_list=False)` (the CLI's `build --format epub --no-page-list`) in
its own child process, timed around `build` only (imports excluded):

1. the build with `--no-cache`;
2. the first build with the cache (empty: it renders everything and fills it);
3. the same build again, nothing changed (every article from the cache);
4. the build after one word of the middle article is replaced by a word of the
   same length (the row of issue 11: rebuild after an edit / full EPUB build);
5. a `--no-cache` build of the edited book into another folder, whose EPUB must
   be byte-identical to step 4's.

Then the preview (`bindery serve`'s `PreviewServer`, in-process, with its real
watcher and worker process): the time from saving an edited article to the new
snapshot, and the worker's own rebuild time. The results are printed and written
to benchmarks/results/rebuild-epub-nN-TIMESTAMP.json (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import article_files, generate  # noqa: E402
from run import pandoc_epub  # noqa: E402

RESULTS = HERE / "results"
EPOCH = "1700000000"
TARGET = 0.20  # rebuild after an edit / full EPUB build
PREVIEW_TARGET = 0.5  # seconds from a save to the new preview
PAGE_LIST_TARGET = 0.5  # EPUB with page-list, warm cache / Pandoc EPUB


def child_build(book: Path, out: Path, cache: bool, page_list: bool = False) -> dict[str, Any]:
    from bindery.pipeline import build

    started, cpu_started = time.perf_counter(), cpu_seconds()
    result = build(book, ("epub",), out, page_list=page_list, cache=cache)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    [artifact] = result.artifacts
    return {"seconds": seconds, "cpu": cpu, "epub": str(artifact.path), "warnings": len(result.warnings)}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_preview(book: Path, saves: int = 3) -> dict[str, Any]:
    """Save edits while `bindery serve` runs: the seconds from each save to its new snapshot,
    and the CPU seconds the worker process spent on it (from /proc, on Linux)."""
    from bindery.preview import PreviewServer, PreviewSite

    site = PreviewSite(book)  # the first build: from the cache the builds above filled
    server = PreviewServer(site, 0)
    server.start()
    refreshes: list[dict[str, Any]] = []
    try:
        first_seconds = site.snapshot.seconds
        for n in range(saves):
            time.sleep(1.0)  # let the watcher settle between saves
            before = site.snapshot
            path = article_files(book)[len(article_files(book)) // 3 + n]
            text = path.read_text(encoding="utf-8")
            at = text.index(" the ", text.index("\n---\n") + 5)
            cpu_before = _process_cpu(site.worker.pid)
            started = time.perf_counter()
            path.write_text(text[:at] + " his " + text[at + 5 :], encoding="utf-8")
            version = site.wait_for_change(before.version, 60)
            refresh = time.perf_counter() - started
            cpu_after = _process_cpu(site.worker.pid)
            refreshes.append(
                {
                    "refresh_seconds": refresh if version != before.version else None,
                    "worker_seconds": site.snapshot.seconds,
                    "worker_cpu": cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None,
                    "ok": site.snapshot.ok,
                }
            )
        return {"first_seconds": first_seconds, "documents": len(site.snapshot.documents), "saves": refreshes}
    finally:
        server.close()
        site.stop()


def _process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of process `pid` so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def run_child(kind: str, *args: str) -> dict[str, Any]:
    return run_script_child(Path(__file__), kind, *args)


def run_script_child(script: Path, kind: str, *args: str) -> dict[str, Any]:
    """`python SCRIPT --child KIND ARGS...` with the benchmarks' SOURCE_DATE_EPOCH: the JSON on
    its last line of output, with the 1-minute load average when it ended."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.run([sys.executable, str(script.resolve()), "--child", kind, *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"child {kind} {args} failed:\n{proc.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    data["load"] = os.getloadavg()[0]
    return data


def edit_one_word(book: Path) -> str:
    """One word of the middle article replaced by another of the same length (as run.py's rebuild rows)."""
    path = article_files(book)[len(article_files(book)) // 2]
    text = path.read_text(encoding="utf-8")
    at = text.index(" the ", text.index("\n---\n") + 5)
    path.write_text(text[:at] + " his " + text[at + 5 :], encoding="utf-8")
    return path.name


def measure(n: int, scratch: Path, preview: bool, page_list: bool = False) -> dict[str, Any]:
    book = generate(n, scratch / "book")
    out, plain = book / "output", scratch / "plain"  # the book's own output folder: the preview uses its cache
    for folder in (out, plain):
        shutil.rmtree(folder, ignore_errors=True)
    m: dict[str, Any] = {"articles": n}

    def say(msg: str) -> None:
        print(f"  N={n}: {msg}", file=sys.stderr, flush=True)

    say("build --no-cache")
    m["uncached"] = run_child("build", str(book), str(plain), "no-cache")
    say("first build (cache empty)")
    m["cold"] = run_child("build", str(book), str(out), "cache")
    say("build again, nothing changed")
    m["warm"] = run_child("build", str(book), str(out), "cache")
    m["edited_file"] = edit_one_word(book)
    say(f"rebuild after editing {m['edited_file']}")
    m["edit"] = run_child("build", str(book), str(out), "cache")
    say("--no-cache build of the edited book")
    m["edit_uncached"] = run_child("build", str(book), str(plain), "no-cache")
    m["identical"] = Path(m["edit"]["epub"]).read_bytes() == Path(m["edit_uncached"]["epub"]).read_bytes()
    if preview:
        say("preview: save an article, wait for the new snapshot")
        m["preview"] = run_child("preview", str(book))
    if page_list:
        say("EPUB with the page-list, cache without a page map (lays the book out)")
        m["pagelist_cold"] = run_child("build", str(book), str(out), "cache", "page-list")
        say("EPUB with the page-list again (page map from the cache)")
        m["pagelist_warm"] = run_child("build", str(book), str(out), "cache", "page-list")
        say("pandoc EPUB")
        m["pandoc"] = pandoc_epub(book, scratch / "pandoc.epub")
    return m


def table(m: dict[str, Any]) -> str:
    def row(label: str, key: str, note: str = "") -> str:
        r = m[key]
        return f"  {label:<38}{r['seconds']:7.2f} s wall {r['cpu']:7.2f} s CPU   load {r['load']:4.1f}{note}"

    def ratio(what: str, a: str, b: str, target: float | None = None) -> str:
        wall, cpu = m[a]["seconds"] / m[b]["seconds"], m[a]["cpu"] / m[b]["cpu"]
        verdict = "" if target is None else f"   target <= {target}: " + ("met" if max(wall, cpu) <= target else "NOT MET")
        return f"  {what:<56}{wall:6.3f} wall {cpu:6.3f} CPU{verdict}"

    rows = [
        f"N = {m['articles']}  (EPUB, --no-page-list; time inside pipeline.build; the 1-minute load average after each row)",
        row("build --no-cache", "uncached"),
        row("first build, cache empty", "cold"),
        row("build again, nothing changed", "warm"),
        row("rebuild after a one-word edit", "edit"),
        row("--no-cache build of the edited book", "edit_uncached", f"   same bytes as the rebuild: {m['identical']}"),
        ratio("rebuild after an edit / full EPUB build (first build)", "edit", "cold", TARGET),
        ratio("rebuild after an edit / --no-cache build", "edit", "uncached"),
    ]
    preview = m.get("preview")
    if preview:
        for n, save in enumerate(preview["saves"], start=1):
            refresh, cpu = save["refresh_seconds"], save["worker_cpu"]
            verdict = "met" if refresh is not None and refresh < PREVIEW_TARGET else "NOT MET"
            rows.append(
                f"  preview, save {n}: save -> new snapshot {refresh if refresh is not None else float('nan'):.2f} s wall "
                f"(worker: {save['worker_seconds']:.2f} s wall, {cpu if cpu is not None else float('nan'):.2f} s CPU; "
                f"{preview['documents']} documents)  target < {PREVIEW_TARGET} s: {verdict}"
            )
    if "pagelist_warm" in m:
        rows.append(row("EPUB + page-list, laid out now", "pagelist_cold"))
        rows.append(row("EPUB + page-list, page map cached", "pagelist_warm"))
        pandoc = m["pandoc"]
        if "total" in pandoc:
            wall, cpu = m["pagelist_warm"]["seconds"] / pandoc["total"], m["pagelist_warm"]["cpu"] / pandoc["cpu"]
            verdict = "met" if max(wall, cpu) <= PAGE_LIST_TARGET else "NOT MET"
            rows.append(f"  pandoc EPUB{'':<27}{pandoc['total']:7.2f} s wall {pandoc['cpu']:7.2f} s CPU   load {pandoc['load']:4.1f}")
            rows.append(
                f"  {'EPUB with page-list, warm cache / Pandoc EPUB':<56}{wall:6.3f} wall {cpu:6.3f} CPU   target <= {PAGE_LIST_TARGET}: {verdict}"
            )
        else:
            rows.append(f"  pandoc EPUB: {pandoc.get('skipped') or pandoc.get('error')}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        kind, args = argv[1], argv[2:]
        if kind == "build":
            data = child_build(Path(args[0]), Path(args[1]), args[2] == "cache", page_list=args[3:] == ["page-list"])
        elif kind == "preview":
            data = child_preview(Path(args[0]))
        else:
            raise SystemExit(f"unknown child {kind}")
        print(json.dumps(data))
        return 0
    parser = argparse.ArgumentParser(description="Time EPUB rebuilds with the build cache (see benchmarks/README.md).")
    parser.add_argument("articles", type=int, nargs="*", default=[200], help="values of N (default: 200)")
    parser.add_argument("--no-preview", action="store_true", help="skip the preview's refresh")
    parser.add_argument(
        "--page-list", action="store_true", help="also time the EPUB with its page-list, cold (a layout) and warm, against Pandoc"
    )
    parser.add_argument("--scratch", type=Path, default=None, help="working folder (default: benchmarks/results/work)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in args.articles:
        scratch = (args.scratch or RESULTS / "work") / f"rebuild-epub-n{n}"
        scratch.mkdir(parents=True, exist_ok=True)
        m = measure(n, scratch, not args.no_preview, args.page_list)
        (RESULTS / f"rebuild-epub-n{n}-{stamp}.json").write_text(json.dumps(m, indent=2), encoding="utf-8")
        print(table(m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
