"""The typographic preflight (`bindery.typography`) on small PDFs made for each rule.

Each PDF is laid out by WeasyPrint from a few lines of HTML (once per session)
on a 4 x 5 in page with 0.5 in margins and 14 pt lines, so a spacer of a known
height puts a chosen line at the foot of a page. One PDF per defect shows its
rule fires, and a clean PDF shows no rule fires on well-set pages. The sample
book is checked end to end through `bindery check --json --strict`.
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import weasyprint
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

import bindery.checks.run as check_run
from bindery import typography
from bindery.checks.results import Check
from bindery.cli import main
from bindery.manifest import load_manifest
from bindery.printspec import PageMargins
from bindery.typography import RULES, Finding, find_in_layout
from bindery.typography.layout import lay_out
from bindery.typography.origins import SourceIndex
from bindery.typography.pages import read_pdf
from bindery.typography.rules import Rule
from conftest import ROOT, Built, build_book

FONTS = ROOT / "templates" / "print" / "fonts"
MARGINS = PageMargins(top=0.5, bottom=0.5, inside=0.5, outside=0.5, bleed=0.0)
LINE = 14  # pt, the line height of every test page
BLOCK = 4 * 72  # pt, the height of the text block
WORDS = (
    "Printed books keep their text inside a block of the same size on every page, and readers notice at once when a page "
    "runs short, when a heading waits alone at the foot of a page, or when a word breaks across the turn of a leaf. "
)
CSS = f"""
@font-face {{ font-family: Charis; src: url("{(FONTS / "CharisSIL-Regular.ttf").as_uri()}"); }}
@font-face {{ font-family: Charis; font-weight: bold; src: url("{(FONTS / "CharisSIL-Bold.ttf").as_uri()}"); }}
@font-face {{ font-family: Mono; src: url("{(FONTS / "Inconsolata.otf").as_uri()}"); }}
@page {{ size: 4in 5in; margin: 0.5in; }}
html {{ font-family: Charis; font-size: 10pt; line-height: {LINE}pt; text-align: justify; hyphens: none; }}
body {{ margin: 0; orphans: 2; widows: 2; }}
p {{ margin: 0; text-indent: 1.2em; }}
h2 {{ font-size: 13pt; line-height: {LINE}pt; margin: 0; break-after: auto; text-align: left; }}
pre {{ font-family: Mono; font-size: 9pt; line-height: {LINE}pt; margin: 0; break-inside: avoid; white-space: pre; text-align: left; }}
"""


def spacer(lines_left: int) -> str:
    """An empty block that leaves `lines_left` lines at the foot of the first page."""
    return f'<div style="height: {BLOCK - lines_left * LINE}pt"></div>'


def paragraphs(count: int, style: str = "") -> str:
    return "".join(f'<p style="{style}">{WORDS * 2}</p>' for _ in range(count))


WIDOW = "Printed books keep their text inside a block of the same size on every page, and readers notice at once when a page runs short, every time."
CODE = "<pre>" + "\n".join(f"sizes: line {i} of the example" for i in range(12)) + "</pre>"

DEFECTS: dict[str, str] = {
    "clean": "<h2>A heading</h2>" + paragraphs(2) + "<pre>sizes:\n  - 6x9\n  - 5x8</pre>" + paragraphs(5),
    "hard-hyphen": '<h2 style="width: 1.4in">Sexual self-judgment</h2>' + f"<p>{WORDS} Footnote<sup>1</sup> marker.</p>",
    "typography-short-page": paragraphs(1) + CODE + paragraphs(1),
    "typography-stranded-heading": spacer(1) + "<h2>Sizes by name</h2>" + CODE,
    "stranded-colon": spacer(1) + "<p>The printers know these sizes by name:</p>" + CODE,
    "typography-hyphen-page-turn": spacer(1)  # one long word that can only break at its soft hyphens
    + '<p style="orphans: 1; widows: 1; text-indent: 0; hyphens: manual">'
    + "&shy;".join(["understanding"] * 12)
    + "</p>"
    + paragraphs(1),
    # A heading with the two lines it keeps (break-after: avoid, orphans: 2) needs four
    # lines and three are left: the page ends short, as it should, and is no finding.
    "short-before-heading": spacer(4)
    + "<p>A short paragraph.</p>"
    + '<h2 style="margin-top: 14pt; break-after: avoid">Sizes by name</h2>'
    + paragraphs(2),
    "typography-widow-orphan": spacer(2) + "<p>A short paragraph.</p>" + paragraphs(2, "orphans: 1; widows: 1"),
    "widow": spacer(3) + f'<p style="widows: 1">{WIDOW}</p>' + paragraphs(1),
    "typography-overfull": "<pre>" + "x" * 90 + "</pre>" + paragraphs(1),
    "typography-display-hyphen": '<h2 style="width: 1.4in">Extraordi&shy;narily long headings</h2>' + paragraphs(1),
    "typography-running-head": paragraphs(2),
    "typography-toc-number": '<div style="text-indent: 0; text-align: left"><p>Introduction . . . . . . . . . . 1</p><p>The second chapter . . . . . . . 5</p>'
    "<p>The third chapter</p><p>. . . . . . . . . . . . . . . . 9</p></div>",
    "typography-blank-pages": "<p>Before.</p>"
    + '<div style="break-before: page; height: 1pt"></div>' * 4
    + "<p>After the blank pages.</p>",
    "typography-text-layer": "<p>The first office files are finished, and the fine flat fields differ in effect.</p>",
    "missing-tounicode": "<p>The first office files are finished, and the fine flat fields differ in effect.</p>",
}
RULE_OF = {
    "stranded-colon": "typography-stranded-heading",
    "widow": "typography-widow-orphan",
    "missing-tounicode": "typography-text-layer",
}
MARGINS_FOR = {"typography-running-head": PageMargins(top=1.2, bottom=0.5, inside=0.5, outside=0.5, bleed=0.0)}
EXTRA_CSS = {
    "typography-running-head": '@page { margin-top: 1.2in; @top-center { content: "A running head long enough to need two lines across the top of every page"; width: 2in; font-size: 9pt; } }',
}
SOURCE = "\n".join(
    [
        WORDS * 2,
        "A short paragraph.",
        "## Sizes by name",
        "The printers know these sizes by name:",
        "Every page of this book keeps its understanding of the text block and more words follow here.",
        WIDOW,
        "## Extraordinarily long headings",
        "The first office files are finished, and the fine flat fields differ in effect.",
        *(f"sizes: line {i} of the example" for i in range(12)),
    ]
)


@functools.cache
def pdf_for(name: str, folder: Path) -> Path:
    path = folder / f"{name}.pdf"
    css = weasyprint.CSS(string=CSS + EXTRA_CSS.get(name, ""))
    document = weasyprint.HTML(string=f'<html lang="en"><body>{DEFECTS[name]}</body></html>').render(stylesheets=[css])
    document.write_pdf(path)
    if name in ("typography-text-layer", "missing-tounicode"):
        break_text_layer(path, drop=name == "missing-tounicode")
    return path


def break_text_layer(path: Path, drop: bool) -> None:
    """Map the fi and ff ligature glyphs to U+02E3 and U+02ED in every font's ToUnicode
    CMap (what whole-font embedding did to the print profile), or drop the CMaps."""
    writer = PdfWriter(clone_from=PdfReader(path))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if drop:
                del font[NameObject("/ToUnicode")]
                continue
            cmap = font["/ToUnicode"].get_object()
            data = cmap.get_data().replace(b"<00660069>", b"<02E3>").replace(b"<00660066>", b"<02ED>")
            assert data != cmap.get_data(), "no fi or ff ligature in the test text"
            cmap.set_data(data)
    writer.write(path)


@pytest.fixture(scope="session")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[Finding]]:
    folder = tmp_path_factory.mktemp("typography")
    index = SourceIndex()
    index.add("chapters/article.md", SOURCE)

    def find(name: str) -> list[Finding]:
        margins = MARGINS_FOR.get(name, MARGINS)
        layout = lay_out(read_pdf(pdf_for(name, folder)), lambda page: margins, index)
        return find_in_layout(layout, f"{name}.pdf")

    return find


def codes(found: list[Finding]) -> set[str]:
    return {f.rule.code for f in found}


def test_a_well_set_book_has_no_findings(findings: Callable[[str], list[Finding]]) -> None:
    assert [str(f.diagnostic()) for f in findings("clean")] == []


@pytest.mark.parametrize("defect", [rule.code for rule in RULES] + sorted(RULE_OF))
def test_each_rule_fires_on_its_defect(defect: str, findings: Callable[[str], list[Finding]]) -> None:
    found = findings(defect)
    rule = RULE_OF.get(defect, defect)
    assert rule in codes(found), [str(f.diagnostic()) for f in found]
    assert codes(found) <= {rule, "typography-short-page", "typography-stranded-heading"}, [str(f.diagnostic()) for f in found]


def test_lines_are_read_whole(tmp_path: Path) -> None:
    """A heading broken at its own hyphen (PDFium reads that hyphen as U+FFFE and
    joins the lines) is two lines, and a superscript stays in its line."""
    pages = read_pdf(pdf_for("hard-hyphen", tmp_path)).pages
    texts = [line.text for line in pages[0].lines]
    assert texts[:2] == ["Sexual self-", "judgment"], texts
    assert any(text.endswith("Footnote1 marker.") for text in texts), texts


def test_a_break_at_a_words_own_hyphen_is_not_hyphenation(findings: Callable[[str], list[Finding]]) -> None:
    assert findings("hard-hyphen") == []


def test_findings_name_the_article_line_and_page(findings: Callable[[str], list[Finding]]) -> None:
    (found,) = [f for f in findings("stranded-colon") if f.rule.code == "typography-stranded-heading"]
    assert (found.file, found.line, found.page) == ("chapters/article.md", 4, 1)
    assert str(found.diagnostic()).startswith(
        "chapters/article.md:4: warning: page 1: “The printers know these sizes by name:” introduces what follows"
    )
    assert found.diagnostic().code == "typography-stranded-heading" and found.diagnostic().severity == "warning"


def test_a_page_short_because_a_heading_keeps_its_lines_is_no_finding(findings: Callable[[str], list[Finding]]) -> None:
    """The break was forced: moving the heading up would strand it, and fewer than its
    two lines cannot follow it. The same page with room for them is still found short."""
    found = findings("short-before-heading")
    assert codes(found) == set(), [str(f.diagnostic()) for f in found]
    assert "typography-short-page" in codes(findings("typography-short-page"))


def test_widows_and_orphans_are_told_apart(findings: Callable[[str], list[Finding]]) -> None:
    orphan = [f.message for f in findings("typography-widow-orphan") if f.rule.code == "typography-widow-orphan"]
    widow = [f.message for f in findings("widow") if f.rule.code == "typography-widow-orphan"]
    assert orphan == ["orphan: the first line of a paragraph is alone at the foot of the page"]
    assert widow == ["widow: the last line of a paragraph is alone at the top of page 2"]


def test_a_wrong_ligature_mapping_names_the_words_it_breaks(findings: Callable[[str], list[Finding]]) -> None:
    (found,) = findings("typography-text-layer")
    assert "“ˣrst” (first)" in found.message and "“ˣnished” (finished)" in found.message and "“di˭er” (differ)" in found.message
    assert (found.file, found.line) == ("chapters/article.md", 8)
    (missing,) = findings("missing-tounicode")
    assert missing.rule.code == "typography-text-layer"


def test_hyphen_and_toc_findings_quote_the_line(findings: Callable[[str], list[Finding]]) -> None:
    (turn,) = [f for f in findings("typography-hyphen-page-turn") if f.rule.code == "typography-hyphen-page-turn"]
    assert turn.message == "“understandingunderstanding‐understandingunderstanding‐” is hyphenated across the page turn"
    (toc,) = findings("typography-toc-number")
    assert toc.message == "the page number 9 of “The third chapter” sits alone on its own line"
    (blank,) = findings("typography-blank-pages")
    assert blank.message == "3 blank pages in a row (pages 2-4)" and blank.line is None


BOOK = """title: Typeset
authors: [A. Writer]
date: 2026-01-01
chapters:
  - chapters/one.md
pdf: {trim: 5x8}
"""
ARTICLE = "---\ntitle: One\n---\n\nThe first paragraph of the only chapter.\n\nAfter the first comes the last paragraph of the book.\n"
LAST_LINE = Rule(
    "typography-test",
    "the last paragraph",
    "a rule of this test",
    lambda layout, view: iter([(line, "the last paragraph") for line in view.body if line.text.startswith("After the first")]),
)


def test_check_reports_typography_and_strict_fails_on_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real book is clean or has findings depending on the templates; a rule of
    this test fires on a known line to show the wiring, the place and --strict."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    (tmp_path / "chapters" / "one.md").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setattr(check_run, "run_epubcheck", lambda epub: Check("epubcheck", str(epub), "skip", "stubbed"))
    monkeypatch.setattr(check_run, "run_ace", lambda epub: Check("ace", str(epub), "skip", "stubbed"))
    monkeypatch.chdir(tmp_path)
    plain = CliRunner().invoke(main, ["check", ".", "--json"])
    found = {c["name"]: c for c in json.loads(plain.stdout)["checks"]}
    assert {rule.code for rule in RULES} <= set(found) and all(found[r.code]["status"] in ("pass", "warn") for r in RULES), found
    assert plain.exit_code == 0, plain.output  # findings are warnings
    monkeypatch.setattr(typography, "RULES", (*RULES, LAST_LINE))
    plain = CliRunner().invoke(main, ["check", ".", "--json"])
    test_rule = next(c for c in json.loads(plain.stdout)["checks"] if c["name"] == "typography-test")
    assert test_rule["status"] == "warn" and plain.exit_code == 0
    assert test_rule["details"][0].startswith("chapters/one.md:7: warning: page "), test_rule
    assert test_rule["details"][0].endswith(": the last paragraph (a rule of this test) [typography-test]"), test_rule
    human = CliRunner().invoke(main, ["check", "."])
    assert "warn  typography-test: 1 finding(s) on 1 page(s): the last paragraph" in human.stdout
    strict = CliRunner().invoke(main, ["check", ".", "--json", "--strict"])
    assert strict.exit_code == 1 and json.loads(strict.stdout)["ok"] is False


# --------------------------------------------------------------------------
# The sample book is set clean: a regression in the print templates fails here.


def test_the_sample_book_has_no_typographic_findings(sample: Built) -> None:
    """The repository's book as built (digital profile, 6 x 9 in)."""
    assert sample.pdf is not None
    found = typography.typography_findings(sample.pdf, load_manifest(ROOT / "book.yaml"))
    assert [str(f.diagnostic()) for f in found] == []


@pytest.mark.slow
def test_the_sample_book_in_print_at_5x8_has_no_typographic_findings(tmp_path: Path) -> None:
    """The other profile and the smaller trim: the gutter and a narrower measure move every break."""
    book = tmp_path / "book"
    shutil.copytree(ROOT / "chapters", book / "chapters")
    shutil.copy(ROOT / "index.yaml", book / "index.yaml")
    manifest = (ROOT / "book.yaml").read_text(encoding="utf-8").replace("  trim: 6x9 ", "  profile: print\n  trim: 5x8 ")
    assert "profile: print" in manifest
    (book / "book.yaml").write_text(manifest, encoding="utf-8")
    build_book(book, tmp_path / "out", ("pdf",))
    interior = next(p for p in (tmp_path / "out").glob("*.pdf") if not p.stem.endswith("-cover"))
    found = typography.typography_findings(interior, load_manifest(book / "book.yaml"))
    assert [str(f.diagnostic()) for f in found] == []


def test_a_code_blocks_last_two_lines_at_the_top_of_a_page_are_kept_not_short() -> None:
    """The stylesheet keeps a code block's last two lines together (wrapped lines hang
    further in): the page before may end short for them, as for widows of text."""
    from bindery.typography.pages import Line
    from bindery.typography.rules import _code_tail

    def code(text: str, x0: float, bottom: float) -> Line:
        return Line(text, x0, 200, bottom, bottom + 9, size=9, mono=True)

    tail = (code("bindery build --strict  # for", 40, 300), code("continuous integration", 55, 290), code("end", 40, 280))
    after = Line("Then the text goes on.", 36, 250, 260, 270)
    assert _code_tail((*tail, after)) == [2]  # two code lines, one of them wrapped
    long = tuple(code(f"line {n}", 40, 300 - 10 * n) for n in range(3))
    assert _code_tail((*long, after)) == []  # three code lines: more than the two kept together
    assert _code_tail(long) == [] and _code_tail((after,)) == []
