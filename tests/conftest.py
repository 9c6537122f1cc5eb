"""Shared fixtures: built books (once per session) and the real validators."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

from bindery.checks.epubcheck import JVM_OPTIONS

# Property tests (tests/test_properties.py): Hypothesis's own default of 100 generated inputs a
# test, a thorough run on demand with HYPOTHESIS_PROFILE=thorough (10,000 a test). Under CI=true
# the inputs are derived from each test's name, so CI runs the same cases every time (a failure
# there is reproducible, never luck); a run by hand draws new ones to explore.
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI") == "true",
)
settings.register_profile("thorough", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
BOOKS = Path(__file__).resolve().parent / "books"
SEEDS = ROOT.parent / "shared" / "seeds"
EPOCH = "1700000000"
#: How many real exports ../shared/seeds holds (the seed tests are written for exactly these).
SEED_COUNT = 4


#: Fixtures that build a whole book (or start a preview server or a browser): a test that
#: uses one is `slow`. Run alone, it waits for that build; in the whole suite the build
#: is shared, made once (see made_once below). Module fixtures are named with their module.
SLOW_FIXTURES = {"sample", "sample_checked"}
SLOW_MODULE_FIXTURES = {
    "test_accessibility.py": {"guidebook"},
    "test_print_profiles.py": {"long_book"},
    "test_print_reader_grade.py": {"books"},
    "test_seeds_guidebook.py": {"imported", "direct"},
    "test_serve.py": {"server", "browser"},
    "test_serve_sandbox.py": {"server", "browser"},
    "test_xref.py": {"modes"},
}


#: Tests of several seconds each on one worker (a whole book laid out in the test, a
#: book built first for its module, a JVM, Calibre, a killed build): they run first, so no
#: worker is left with one of them at the end while the other has finished (the suite's
#: wall time is the later worker's; an idle worker takes queued tests from a busy one).
RUN_FIRST = (
    "test_layout_chunks.py::test_the_whole_sample_book_chunked_equals_one_document",
    "test_layout_chunks.py::test_generated_book_chunked_equals_one_document",
    "test_accessibility.py::test_daisy_ace_reports_no_violations_on_the_sample_book",
    "test_print_profiles.py::test_long_book_is_padded_to_an_even_count_past_150_pages",
    "test_check.py::test_check_fails_on_a_broken_epub",
    "test_typography.py::test_the_sample_book_in_print_at_5x8_has_no_typographic_findings",
    "test_reader_metadata.py::test_calibre_conversion_shows_no_navigation_only_text",
    "test_atomic.py::test_sigkill_mid_build_leaves_previous_outputs_untouched",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        slow = SLOW_FIXTURES | SLOW_MODULE_FIXTURES.get(item.path.name, set())
        if slow & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: not any(name in item.nodeid for name in RUN_FIRST))  # stable: the rest keep their order


def generated_book(articles: int, folder: Path) -> Path:
    """A book of `articles` generated articles in `folder` (benchmarks/generate.py: original text,
    headings, footnotes, cross-references), about 12,000 characters an article."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return generate(articles, folder)


def in_ci() -> bool:
    """CI=true (or 1/yes), as GitHub Actions, GitLab and most CI services set it."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def seed_exports() -> list[Path]:
    """The real raw exports in ../shared/seeds, or skip the test with the reason.

    Under CI=true a missing or incomplete seeds folder FAILS the test instead:
    CI must provide it, and a suite that skipped these tests would pass silently.
    """
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if len(files) == SEED_COUNT:
        return files
    found = f"{len(files)} .txt file(s)" if SEEDS.is_dir() else "no such folder"
    reason = f"the {SEED_COUNT} real exports are not in {SEEDS} ({found}; ../shared/seeds lies outside this repository)"
    if in_ci():
        pytest.fail(f"{reason}: CI=true, so this is a failure; CI must check out ../shared/seeds beside the repository", pytrace=False)
    pytest.skip(reason)


# --- Work done once per test run, shared by every process (pytest-xdist workers too) ---
#
# A whole-book build costs seconds to a minute and EPUBCheck a JVM; several test
# modules need the same book built with the same options, or the same EPUB
# checked. `made_once` makes a folder once per run: the first process to ask
# makes it under a file lock, the others wait on the lock and then read it.
# Everything in a shared folder is read-only for the tests: a test that changes
# an output copies it first. Under xdist every worker has its own base temporary
# folder, all inside one folder for the run (`getbasetemp().parent`, the
# pytest-xdist docs' recipe); without xdist the run's own base folder is used,
# so nothing leaks from one run to the next.


_SHARED: dict[str, Any] = {}


@pytest.fixture(scope="session", autouse=True)
def _cli_builds_in_this_process() -> Iterator[None]:
    """`bindery build` without --jobs lays a book out on one process per core (os.cpu_count()).

    Run inside a test (click's CliRunner), that is a new pool of processes for every
    build, each importing Bindery and WeasyPrint and warming its font caches afresh:
    seconds a build, for books of a few pages, and nothing a test checks. So in the
    test processes the machine counts as one core and such a build runs in the test's
    own process, as with `--jobs 1`. The process pool keeps tests of its own:
    tests/test_executors.py (`--jobs 2` equals the plain build, catalogs, a killed build's
    workers) and every test that runs `python -m bindery` as a subprocess (test_atomic's
    killed builds, test_docs, test_first_hour), where the real core count applies.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "cpu_count", lambda: 1)
        yield


@pytest.fixture(scope="session", autouse=True)
def _shared_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Finds the folder every process of this test run shares (for `made_once`);
    at the end of the session, lets go of the run's EPUBCheck server."""
    base = tmp_path_factory.getbasetemp()
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker is not None:  # an xdist worker: popen-gwN inside the run's folder
        base = base.parent
    _SHARED["folder"] = base / "shared"
    _SHARED["folder"].mkdir(exist_ok=True)
    _SHARED["user"] = worker or f"pid-{os.getpid()}"
    yield
    if "epubcheck" in _SHARED:
        _SHARED["epubcheck"].leave()


def _epubcheck_server() -> Any:
    """The run's EPUBCheck server (imported here: only tests that run EPUBCheck need it)."""
    from epubcheck_server import SharedServer

    if "epubcheck" not in _SHARED:
        _SHARED["epubcheck"] = SharedServer(_SHARED["folder"], _SHARED["user"])
    return _SHARED["epubcheck"]


def made_once(key: str, make: Callable[[Path], None]) -> Path:
    """The folder `key`, filled by `make(folder)` by the first process that asks for it.

    `make` runs under a lock, so two workers never build the same thing at once.
    A `make` that raises leaves no folder behind: the next test that asks tries again
    (and fails the same way, with its own traceback).
    """
    folder = _SHARED["folder"] / key
    done = folder / ".made"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{folder}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                make(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            done.touch()
    return folder


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Built:
    root: Path
    epub: Path
    pdf: Path | None

    def epub_text(self, name: str) -> str:
        with zipfile.ZipFile(self.epub) as z:
            return z.read(name).decode("utf-8")

    def epub_names(self) -> list[str]:
        with zipfile.ZipFile(self.epub) as z:
            return z.namelist()


def build_book(root: Path, out: Path, formats: tuple[str, ...] = ("epub", "pdf")) -> Built:
    """Build `root` into `out` under SOURCE_DATE_EPOCH=EPOCH (set for this build only), laid out
    as `bindery build` lays it out (chunk by chunk; in this process, as with --jobs 1: the same
    bytes as any --jobs). The one-document layout is compared with it in tests/test_layout_chunks.py."""
    from bindery.executors import local_runner
    from bindery.pipeline import build  # here, not at the top: a test's own pytest run of this file stays quick

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(root, formats, out, runner=local_runner())
    paths = {a.path.suffix: a.path for a in result.artifacts if not a.path.name.endswith("-cover.pdf")}  # the interior, not the cover
    return Built(root, paths.get(".epub"), paths.get(".pdf"))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Laid:
    """What the print layout of a shared build gave (`shared_layout`; chunk by chunk, as `bindery
    build` lays it out): tests that compare another layout of the same book with it
    (tests/test_layout_chunks.py) need not lay the book out a second time."""

    page_count: int
    page_map: Any  # bindery.pagemap.PageMap
    warnings: tuple[str, ...]  # the layout's
    write_warnings: tuple[str, ...]  # what writing the PDF said
    pdf: Path


def shared_book(key: str, root: Path, formats: tuple[str, ...] = ("epub", "pdf")) -> Built:
    """`build_book(root, ..., formats)` made once per test run, shared by every xdist worker.

    The outputs are read-only: a test that changes one copies it first. A build with the PDF
    also keeps what its layout gave, for `shared_layout`.
    """

    def make(folder: Path) -> None:
        import bindery.pipeline

        laid: dict[str, Any] = {}

        def lay_out(*args: Any, **kwargs: Any) -> Any:
            layout = lay_out_print_edition(*args, **kwargs)
            laid.update(page_count=layout.page_count, page_map=layout.page_map, warnings=tuple(map(str, layout.warnings)))
            return layout

        def write(*args: Any, **kwargs: Any) -> Any:
            outputs = write_print_edition(*args, **kwargs)
            laid["write_warnings"] = tuple(str(w) for w in outputs[0].warnings)
            return outputs

        lay_out_print_edition, write_print_edition = bindery.pipeline.lay_out_print_edition, bindery.pipeline.write_print_edition
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(bindery.pipeline, "lay_out_print_edition", lay_out)
            mp.setattr(bindery.pipeline, "write_print_edition", write)
            built = build_book(root, folder / "out", formats)
        names = {"epub": built.epub and built.epub.name, "pdf": built.pdf and built.pdf.name}
        write_json(folder / "built.json", names)
        if "write_warnings" in laid:
            (folder / "layout.pickle").write_bytes(pickle.dumps(laid))

    folder = made_once(key, make)
    names = json.loads((folder / "built.json").read_text(encoding="utf-8"))
    out = folder / "out"
    return Built(root, out / names["epub"] if names["epub"] else None, out / names["pdf"] if names["pdf"] else None)  # type: ignore[arg-type]


def shared_layout(key: str, root: Path) -> Laid:
    """The layout of `shared_book(key, root)` (both formats; chunk by chunk, as `bindery build`)."""
    built = shared_book(key, root)
    laid = pickle.loads((built.pdf.parent.parent / "layout.pickle").read_bytes())
    return Laid(laid["page_count"], laid["page_map"], laid["warnings"], laid["write_warnings"], built.pdf)


@pytest.fixture(scope="session")
def sample(_shared_folder: None) -> Built:
    """The repository's own book in both formats, built once for the whole test run."""
    return shared_book("sample", ROOT)


@dataclass(frozen=True)
class Checked:
    """`bindery check --json` on the sample book with an empty output folder (it builds first)."""

    code: int
    report: dict[str, Any]
    out: Path


@pytest.fixture(scope="session")
def sample_checked(_shared_folder: None) -> Checked:
    """`bindery check` on the repository's book, once per test run (tests/test_check.py).

    Its build is a second, independent build of the sample book under the same
    SOURCE_DATE_EPOCH, so tests/test_reproducible.py compares it with `sample`. EPUBCheck's
    report comes from the run's EPUBCheck server (the same jar, one JVM for the run), read by
    the command's own `epubcheck_verdict`; the command's own JVM run is tested on a broken EPUB
    (tests/test_check.py).
    """
    from click.testing import CliRunner

    import bindery.checks.run
    from bindery.checks.epubcheck import epubcheck_verdict
    from bindery.cli import main

    def make(folder: Path) -> None:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(bindery.checks.run, "run_epubcheck", lambda epub: epubcheck_verdict(epub, epubcheck(epub)))
            mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
            result = CliRunner().invoke(main, ["check", str(ROOT), "--output", str(folder / "out"), "--json"])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        write_json(folder / "check.json", {"code": result.exit_code, "report": json.loads(result.stdout)})

    folder = made_once("sample-check", make)
    done = json.loads((folder / "check.json").read_text(encoding="utf-8"))
    return Checked(done["code"], done["report"], folder / "out")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless chromium driven by Playwright, launched once per test process for the preview's
    tests (tests/serve_harness.py), which skip without it (and fail in CI)."""
    from serve_harness import launched_browser

    yield from launched_browser()


@pytest.fixture(scope="session")
def test_books(_shared_folder: None) -> dict[str, Built]:
    return {name: shared_book(f"book-{name}", BOOKS / name, ("epub",)) for name in ("minimal", "override")}


def _epubcheck_jar() -> Path:
    import epubcheck as epubcheck_pkg

    return Path(epubcheck_pkg.__file__).parent / "epubcheck.jar"


def epubcheck(path: Path) -> dict[str, object]:
    """Run the real EPUBCheck (with usage messages) and return its JSON report.

    One JVM serves the whole test run (tests/epubcheck_server.py), and the verdict is
    kept for the run by the EPUB's bytes and file name: the same EPUB asked for again
    (by another test or another xdist worker) is not checked twice.
    """
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing in CI: .ci/run must install it for EPUBCheck")
        pytest.skip("EPUBCheck needs Java, which is not installed (.ci/run installs it)")

    def check(folder: Path) -> None:
        report = folder / "report.json"
        if _epubcheck_server().check(java, _epubcheck_jar(), report, path) is None or not report.exists():
            cmd = [java, *JVM_OPTIONS, "-jar", str(_epubcheck_jar()), "-u", "--json", str(report), str(path)]
            subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        json.loads(report.read_text())  # no verdict kept when EPUBCheck wrote no (or half a) report

    folder = made_once(f"epubcheck/{file_digest(path)}-{path.name}", check)
    data: dict[str, object] = json.loads((folder / "report.json").read_text())
    return data


def severities(report: dict[str, object]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for message in report["messages"]:  # type: ignore[union-attr]
        out.setdefault(message["severity"], []).append(f"{message['ID']}: {message['message']} at {message['locations'][:1]}")  # type: ignore[index]
    return out


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of every page (pdftotext, layout kept), index 0 = page 1."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
