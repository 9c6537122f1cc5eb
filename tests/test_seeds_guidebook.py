"""End to end: a guidebook compiled from the four real exports in ../shared/seeds.

Two parts; the first holds one single-article chapter and one chapter grouping
two articles, the second holds the last article. The book is made the way a
user would: `bindery import` the exports into chapters/, write book.yaml, and
`bindery build`. A second book lists the raw .txt exports in its manifest
directly and must read the same.

What each article should contain is worked out here from the raw files with
simple rules of their own (header lines above the share bar, body lines up to
"Related Articles", advertisement lines dropped), not with the importer, so the
test can catch the importer losing or inventing text.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from conftest import EPOCH, SEEDS, epubcheck, made_once, pdf_pages_text, seed_exports, severities, write_json

SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


@pytest.fixture(autouse=True, scope="module")
def _seeds_present() -> None:
    """Skip without ../shared/seeds, fail under CI=true (conftest.seed_exports)."""
    seed_exports()


XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
NETWORKS = {
    "facebook",
    "x",
    "twitter",
    "reddit",
    "pinterest",
    "email",
    "linkedin",
    "whatsapp",
    "telegram",
    "threads",
    "mastodon",
    "bluesky",
    "print",
}
DATE_LINE = re.compile(r"(?:Published\s+)?(?P<month>[A-Z][a-z]+)\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})")


# --------------------------------------------------------------------------
# What the raw files say, read independently of the importer


@dataclass
class Expected:
    file: str
    title: str
    summary: str
    date: str  # ISO
    paragraphs: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    noise: set[str] = field(default_factory=set)  # lines that must not reach the book


def is_share_bar(line: str) -> bool:
    tokens = line.casefold().split()
    return len(tokens) >= 2 and all(t in NETWORKS for t in tokens)


def is_advertisement(line: str) -> bool:
    return bool(line) and all(t.casefold() == "advertisement" for t in line.split())


def read_expected(path: Path) -> Expected:
    lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").replace("\u00a0", " ").splitlines()]
    share = next(i for i, line in enumerate(lines) if is_share_bar(line))
    header = [line for line in lines[:share] if line]
    dates = [DATE_LINE.search(line) for line in header]
    date_match = next(m for m in reversed(dates) if m)
    iso = datetime.strptime(f"{date_match['month'][:3]} {date_match['day']} {date_match['year']}", "%b %d %Y").date().isoformat()
    text = [line for line, m in zip(header, dates, strict=True) if not m and not line.startswith(("By ", "Published by "))]
    title, summary = text[-2], text[-1]  # a category line may come first
    end = max(i for i, line in enumerate(lines) if line.casefold() == "related articles")
    exp = Expected(path.name, title.removesuffix("."), summary, iso, noise={lines[share], "Related Articles"})
    for line in lines[share + 1 : end]:
        if not line:
            continue
        if is_advertisement(line):
            exp.noise.add(line)
        elif len(line.split()) <= 12 and not line.endswith((",", ":", ";")):
            exp.headings.append(line.removesuffix("."))
        else:
            exp.paragraphs.append(line)
    # Related entries: the long lines (a category line is short, dates and "-" are not text).
    exp.related = [line for line in lines[end + 1 :] if len(line.split()) >= 8]
    return exp


def norm(text: str) -> str:
    """For comparing summaries the way a reader would: case, quotes, dashes, spaces, final punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‘’‚′`´]", "'", text)
    text = re.sub(r"[“”„″«»]", '"', text)
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = " ".join(text.split())
    return text.rstrip(" .…!?;:,'\"")


def flat(text: str) -> str:
    """Text as compared with the book: smart quotes straightened, ellipses expanded, spaces collapsed."""
    text = re.sub(r"[‘’]", "'", text)
    text = re.sub(r"[“”]", '"', text).replace("…", "...")
    return " ".join(text.split())


def dehyphenated(text: str) -> str:
    """PDF text breaks lines and hyphenates words: drop every hyphen and the
    spaces around it, and the spaces after a dash, before comparing."""
    text = flat(text).replace("\u00ad", "")
    text = re.sub(r"\s*[-‐‑]\s*", "", text)
    return re.sub(r"\s*([–—])\s*", r"\1", text)


# --------------------------------------------------------------------------
# Building the guidebook (once per module)

ORDER = [0, 1, 2, 3]  # part one: seed 0 alone, then seeds 1 and 2 grouped; part two: seed 3
MANIFEST = """title: A Guidebook from Real Exports
authors: [Test Editor]
language: en
date: 2026-01-15
parts:
  - title: First Part
    chapters:
      - {a}
      - title: Two Articles in One Chapter
        articles:
          - {b}
          - {c}
  - title: Second Part
    chapters:
      - {d}
back_matter:
  - {{type: index}}
"""
# An index of terms found in the text (index.yaml), a dozen picked by hand.
INDEX_YAML = """occurrences: first
terms:
  - Self-esteem
  - Self-compassion
  - Shame
  - Mindfulness
  - Pleasure
  - Attachment
  - Anxiety
  - Grounding
  - Homework
  - Vulnerability
  - Rejection
  - {term: Journaling, match: [journaling, journal]}
  - {term: Self-kindness, see: Self-compassion}
"""


@dataclass(frozen=True)
class Guidebook:
    root: Path
    epub: Path
    pdf: Path | None
    build_output: str
    import_output: str

    def docs(self) -> dict[str, ET.Element]:
        """The spine's XHTML documents, in reading order."""
        with zipfile.ZipFile(self.epub) as z:
            package = ET.fromstring(z.read("OEBPS/content.opf"))
            hrefs = {i.get("id"): i.get("href") for i in package.iter(f"{OPF}item")}
            spine = [str(hrefs[i.get("idref")]) for i in package.iter(f"{OPF}itemref")]
            return {name: ET.fromstring(z.read(f"OEBPS/{name}")) for name in spine}

    def epub_text(self) -> str:
        return flat(" ".join(words(doc) for doc in self.docs().values()))

    def pdf_pages(self) -> list[str]:
        assert self.pdf is not None
        return pdf_pages_text(self.pdf)


def words(el: ET.Element) -> str:
    """The text of `el`, a space between blocks and none around a `<span>` (index marks sit inside words' sentences)."""
    out = [el.text or ""]
    for child in el:
        gap = "" if child.tag == f"{XHTML}span" else " "
        out += [gap, words(child), gap, child.tail or ""]
    return "".join(out)


def written(iso: str) -> str:
    """A byline date as the book (language: en) writes it: "July 26, 2025"."""
    when = datetime.strptime(iso, "%Y-%m-%d")
    return f"{when:%B} {when.day}, {when.year}"


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def expected() -> list[Expected]:
    return [read_expected(p) for p in SEED_FILES]


@pytest.fixture(scope="module")
def imported() -> Guidebook:
    """exports/ -> `bindery import` -> chapters/*.md -> EPUB and PDF (once per test run, read-only)."""

    def make(root: Path) -> None:
        (root / "exports").mkdir()
        for path in SEED_FILES:
            shutil.copy(path, root / "exports" / path.name)
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(root)
            mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
            imported = run_cli("import", *(f"exports/{p.name}" for p in SEED_FILES), "--into", "chapters", "--report", "import.json")
            report = json.loads((root / "import.json").read_text())
            outputs = {Path(f["source"]).name: f["output"] for f in report["files"]}
            names = [outputs[SEED_FILES[i].name] for i in ORDER]
            (root / "book.yaml").write_text(MANIFEST.format(a=names[0], b=names[1], c=names[2], d=names[3]), encoding="utf-8")
            (root / "index.yaml").write_text(INDEX_YAML, encoding="utf-8")
            built = run_cli("build", ".", "--output", "out")
        write_json(root / "cli-output.json", {"import": imported, "build": built})

    root = made_once("seeds-guidebook-imported", make)
    said = json.loads((root / "cli-output.json").read_text(encoding="utf-8"))
    print(said["import"] + said["build"])
    epub, pdf = (next((root / "out").glob(f"*.{ext}")) for ext in ("epub", "pdf"))
    return Guidebook(root, epub, pdf, said["build"], said["import"])


@pytest.fixture(scope="module")
def direct() -> Guidebook:
    """The same book with the raw .txt exports listed in book.yaml (once per test run, read-only).

    EPUB only and without the print page-list (--no-page-list): what is compared with the
    imported book is the text its exports give, and a page-list would cost a whole print
    layout of the guidebook (its markers hold no text; `imported` has them, and its tests)."""

    def make(root: Path) -> None:
        (root / "exports").mkdir()
        for path in SEED_FILES:
            shutil.copy(path, root / "exports" / path.name)
        names = [f"exports/{SEED_FILES[i].name}" for i in ORDER]
        (root / "book.yaml").write_text(MANIFEST.format(a=names[0], b=names[1], c=names[2], d=names[3]), encoding="utf-8")
        (root / "index.yaml").write_text(INDEX_YAML, encoding="utf-8")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
            built = run_cli("build", str(root), "--format", "epub", "--no-page-list", "--output", str(root / "out"))
        write_json(root / "cli-output.json", {"build": built})

    root = made_once("seeds-guidebook-direct", make)
    built = json.loads((root / "cli-output.json").read_text(encoding="utf-8"))["build"]
    return Guidebook(root, next((root / "out").glob("*.epub")), None, built, "")


# --------------------------------------------------------------------------
# The EPUB


def is_article(doc: ET.Element, element: ET.Element, exp: Expected) -> bool:
    """Whether `element` (a link target) is where the article `exp` starts: a
    section opening with its title, or, in a chapter that is one article, the
    article's block under a chapter heading that carries the title."""
    text = flat(" ".join(element.itertext()))
    if text.startswith(flat(exp.title)):
        return True
    chapter_heading = next(doc.iter(f"{XHTML}h1"), None)
    return (
        text.startswith(flat(exp.summary))
        and chapter_heading is not None
        and flat(" ".join(chapter_heading.itertext())).endswith(flat(exp.title))
    )


def test_the_guidebook_epub_passes_epubcheck(imported: Guidebook) -> None:
    found = severities(epubcheck(imported.epub))
    assert not found.get("FATAL") and not found.get("ERROR") and not found.get("WARNING"), found


def test_every_article_is_complete_in_the_epub(imported: Guidebook, expected: list[Expected]) -> None:
    text = imported.epub_text()
    headings = {
        flat("".join(h.itertext()))
        for doc in imported.docs().values()
        for tag in ("h1", "h2", "h3", "h4")
        for h in doc.iter(f"{XHTML}{tag}")
    }
    for exp in expected:
        assert len(exp.paragraphs) >= 8 and len(exp.headings) >= 2, exp.file  # the reading rules above found the body
        for piece in (exp.title, exp.summary, written(exp.date), *exp.paragraphs, *exp.headings):
            assert flat(piece) in text, f"{exp.file}: {piece[:60]!r} is missing from the EPUB"
        for heading in (exp.title, *exp.headings):
            # a chapter heading reads "Chapter N Title" (its label and the title)
            assert any(h == flat(heading) or re.fullmatch(rf"Chapter \d+ {re.escape(flat(heading))}", h) for h in headings), (
                f"{exp.file}: {heading!r} is not a heading"
            )


def test_no_advertisement_or_share_bar_reaches_the_epub(imported: Guidebook, expected: list[Expected]) -> None:
    text = imported.epub_text()
    assert "advertisement" not in text.casefold()
    for exp in expected:
        for line in exp.noise:
            assert flat(line) not in text, line
    kept = " ".join(p for exp in expected for p in (*exp.paragraphs, *exp.related)).casefold()
    for network in ("facebook", "reddit", "pinterest"):
        if network not in kept:
            assert network not in text.casefold(), network


def test_exactly_one_in_book_cross_reference_and_it_points_at_the_right_article(imported: Guidebook, expected: list[Expected]) -> None:
    # Worked out from the raw files: an entry whose summary is another export's summary.
    decks = {norm(exp.summary): exp for exp in expected}
    true_links = [(exp, decks[norm(r)]) for exp in expected for r in exp.related if norm(r) in decks and decks[norm(r)] is not exp]
    assert len(true_links) == 1
    citing, cited = true_links[0]

    docs = imported.docs()
    related = [(name, s) for name, doc in docs.items() for s in doc.iter(f"{XHTML}section") if s.get("class") == "related"]
    assert len(related) == 1, [name for name, _ in related]
    name, section = related[0]
    assert flat(citing.title) in flat(" ".join(docs[name].itertext()))  # in the citing article's document
    links = list(section.iter(f"{XHTML}a"))
    assert len(links) == 1
    doc_name, _, anchor = links[0].get("href", "").partition("#")
    target = next(e for e in docs[doc_name].iter() if e.get("id") == anchor)
    assert is_article(docs[doc_name], target, cited)
    assert flat(cited.title) in flat("".join(links[0].itertext()))
    assert re.match(r"Chapter \d+: ", "".join(links[0].itertext()))


def test_every_other_related_entry_is_once_in_further_reading_with_its_backlinks(imported: Guidebook, expected: list[Expected]) -> None:
    decks = {norm(exp.summary) for exp in expected}
    citing: dict[str, list[Expected]] = {}
    for exp in expected:
        for summary in exp.related:
            if norm(summary) not in decks:
                cited_in = citing.setdefault(norm(summary), [])
                if exp not in cited_in:
                    cited_in.append(exp)
    docs = imported.docs()
    page = docs["further-reading.xhtml"]
    items = list(page.iter(f"{XHTML}li"))
    assert len(items) == len(citing), (len(items), len(citing))
    for li in items:
        summary = "".join(li.itertext()).split(" (")[0].split("Cited in")[0]
        assert norm(summary) in citing, summary
        backlinks = [a for a in li.iter(f"{XHTML}a")]
        assert sorted(flat("".join(a.itertext())) for a in backlinks) == sorted(flat(exp.title) for exp in citing[norm(summary)])
        for a in backlinks:
            exp = next(e for e in citing[norm(summary)] if flat(e.title) == flat("".join(a.itertext())))
            doc_name, _, anchor = a.get("href", "").partition("#")
            target = next(e for e in docs[doc_name].iter() if e.get("id") == anchor)
            assert is_article(docs[doc_name], target, exp), a.get("href")


def test_raw_exports_listed_in_the_manifest_give_the_same_book(imported: Guidebook, direct: Guidebook) -> None:
    def chapters(book: Guidebook) -> dict[str, str]:
        return {
            name: flat(" ".join(doc.itertext())) for name, doc in book.docs().items() if name.startswith(("chapter-", "part-", "further"))
        }

    assert chapters(direct) == chapters(imported)

    def summary(output: str) -> str:
        return next(line for line in output.splitlines() if "cross-references:" in line)

    assert summary(direct.build_output) == summary(imported.build_output)


def test_the_index_yaml_terms_are_found_and_each_locator_lands_on_the_term(imported: Guidebook) -> None:
    docs = imported.docs()
    index = docs["index.xhtml"]
    entries = [e for e in index.iter(f"{XHTML}li") if e.get("{http://www.idpf.org/2007/ops}type") == "index-entry"]
    assert len(entries) == 13
    locators = [a for a in index.iter(f"{XHTML}a") if a.get("{http://www.idpf.org/2007/ops}type") == "index-locator"]
    assert len(locators) >= 12
    for a in locators:
        name, ident = a.get("href", "").split("#")
        target = next(el for el in docs[name].iter() if el.get("id") == ident)
        term = flat("".join(target.itertext())).casefold()
        entry = next(e for e in entries if a in list(e.iter()))
        shown = flat("".join(next(iter(entry)).itertext())).casefold()
        assert term.startswith(shown.split("-")[0][:5]), (shown, term)
        assert (a.text or "").isdigit()  # the print page, from the page-list
    assert any(p.strip().startswith("Index") for p in imported.pdf_pages())


def test_the_build_summary_reports_the_counts(imported: Guidebook, expected: list[Expected]) -> None:
    total = sum(len(exp.related) for exp in expected)
    decks = {norm(exp.summary) for exp in expected}
    distinct = len({norm(r) for exp in expected for r in exp.related if norm(r) not in decks})
    line = f"cross-references: 1 resolved, {total - 1} outside the book ({distinct} distinct; further reading), 0 ambiguous"
    assert line in imported.build_output, imported.build_output
    assert "warnings: 0" in imported.build_output


def test_the_import_reports_what_it_removed(imported: Guidebook, expected: list[Expected]) -> None:
    report = json.loads((imported.root / "import.json").read_text())
    for exp, entry in zip(expected, report["files"], strict=True):
        ads = sum(1 for line in (imported.root / "exports" / exp.file).read_text().splitlines() if is_advertisement(line.strip()))
        assert entry["removed"]["advertisement"] == ads
        assert entry["removed"]["share_bar"] == 1 and entry["removed"]["related_heading"] == 1
        assert f"advertisement: {ads}" in imported.import_output


# --------------------------------------------------------------------------
# The PDF


def body_stream(pages: list[str]) -> str:
    """All pages without running heads (set in capitals) and folios, de-hyphenated."""
    kept = []
    for page in pages:
        for line in page.splitlines():
            s = line.strip()
            if not s or re.fullmatch(r"\d+|[ivxlc]+", s) or (s == s.upper() and any(c.isalpha() for c in s)):
                continue
            kept.append(s)
    return dehyphenated(" ".join(kept))


def folio(page: str) -> int | None:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def test_every_article_is_complete_in_the_pdf_and_has_no_noise(imported: Guidebook, expected: list[Expected]) -> None:
    pages = imported.pdf_pages()
    stream = body_stream(pages)
    for exp in expected:
        for piece in (exp.title, exp.summary, written(exp.date), *exp.paragraphs, *exp.headings):
            assert dehyphenated(piece) in stream, f"{exp.file}: {piece[:60]!r} is missing from the PDF"
    everything = " ".join(pages).casefold()
    assert "advertisement" not in everything
    for exp in expected:
        share = next(line for line in exp.noise if is_share_bar(line))
        assert flat(share).casefold() not in flat(everything)


def test_the_printed_page_reference_is_the_page_where_the_article_starts(imported: Guidebook, expected: list[Expected]) -> None:
    decks = {norm(exp.summary): exp for exp in expected}
    cited = next(decks[norm(r)] for exp in expected for r in exp.related if norm(r) in decks and decks[norm(r)] is not exp)
    pages = imported.pdf_pages()
    stream = dehyphenated(" ".join(pages))
    refs = re.findall(r'seechapter(\d+),"(.+?)",page(\d+)', stream.replace(" ", ""))  # flat() straightened the quotes
    assert len(refs) == 1, refs
    _, title, printed = refs[0]
    assert title == dehyphenated(cited.title).replace(" ", "")
    contents = next(i for i, p in enumerate(pages) if "Contents" in p)
    start = next(
        i for i, p in enumerate(pages) if i > contents and dehyphenated(cited.title).replace(" ", "") in dehyphenated(p).replace(" ", "")
    )
    assert dehyphenated(cited.paragraphs[0])[:40].replace(" ", "") in body_stream(pages[start : start + 2]).replace(" ", "")
    assert folio(pages[start]) == int(printed)
