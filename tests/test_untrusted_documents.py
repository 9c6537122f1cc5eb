"""Articles written by someone else (issue 12): one allow-listed tree, links
resolved in the model, images checked like text.

`CASES` is a table like `test_bad_inputs.CASES`: each case is a small book built
as an EPUB (without the page-list layout, for speed) through the CLI. A case
names the message it must print (file, line, words) and what the EPUB must
not hold (`absent`) or must hold (`present`). Whole builds with both PDF
profiles, pypdf and EPUBCheck are the few tests after the table.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result
from PIL import Image

from test_bad_inputs import Case, assert_clear, run_build, with_front, write_book


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int = 40, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
TRUNCATED_PNG = PNG[:-30]
# A PNG header that claims 30000 x 30000 pixels (900 million): a decompression bomb.
HUGE_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0))
    + _chunk(b"IDAT", zlib.compress(b"\x00" * 10))
    + _chunk(b"IEND", b"")
)
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="steal()">'
    "<script>steal()</script><style>@import url(http://t.example/s.css);</style>"
    '<image xlink:href="http://t.example/pixel.png" width="1" height="1"/>'
    '<use xlink:href="file:///etc/passwd#x"/><circle cx="5" cy="5" r="4" fill="url(http://t.example/p)"/>'
    '<rect width="2" height="2" fill="#336"/></svg>'
)
ENTITY_SVG = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
ONE_WITH_HEADING = with_front(
    "Tides", body="The harbour master reads the tides.\n\n## The Slate\n\nShe writes the height of the water on a slate.\n"
)
SECRET = "SECRET_TOKEN=hunter2-do-not-publish\n"


@dataclass
class DocCase:
    id: str
    body: str  # chapters/two.md's body; the front matter takes lines 1-4, so the body starts on line 5
    says: str  # a piece of the message
    line: int | None = 5
    exit_code: int = 0
    absent: tuple[str, ...] = ()  # never in any EPUB file
    present: tuple[str, ...] = ()  # in the EPUB's chapter-2.xhtml (or in its file list)
    files: dict[str, str | bytes | None] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return "error" if self.exit_code else "warning"


ATTACK = "t.example"
CASES = [
    # -- issue 12, case 1: attachments ------------------------------------------------------
    DocCase(
        "rel-attachment",
        '<a rel="attachment" href=".env">notes</a> and more text.\n',
        "rel='attachment' removed",
        absent=("hunter2", 'href=".env"', "attachment"),
        present=("notes</a> and more text.",),
    ),
    DocCase(
        "rel-attachment-link-to-dotfile",
        '<a rel="attachment" href=".env">notes</a>\n',
        "'.env' is to a file that is not an article of this book",
        absent=("hunter2", ".env"),
    ),
    DocCase(
        "pi-hides-link-attachment",
        '<div><?x > <link rel="attachment" href=".env"> ?></div>\n',
        "raw HTML <link> removed",
        absent=("hunter2", "attachment", ".env", "<?x >"),
    ),
    DocCase("pi-is-reported", '<div><?x > <link rel="attachment" href=".env"> ?></div>\n', "processing instruction removed"),
    # -- case 4: two removals in one paragraph -------------------------------------------------
    DocCase("two-web-images-first", "![a](https://e.com/a.png) ![b](https://e.com/b.png)\n", "image 'https://e.com/a.png' is on the web"),
    DocCase("two-web-images-second", "![a](https://e.com/a.png) ![b](https://e.com/b.png)\n", "image 'https://e.com/b.png' is on the web"),
    DocCase(
        "two-web-images-and-text",
        "Look: ![a](https://e.com/a.png) and ![b](https://e.com/b.png) end.\n",
        "is on the web",
        present=("Look:",),
    ),
    # -- case 5: SVG animation of href -------------------------------------------------------
    DocCase(
        "svg-animate-href",
        '<svg viewBox="0 0 10 10"><a><animate attributeName="href" values="javascript:alert(1)"/><text y="5">x</text></a></svg>\n',
        "raw HTML <animate> removed",
        absent=("javascript", "animate"),
        present=("<svg",),
    ),
    DocCase(
        "svg-set-href",
        '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>\n',
        "raw HTML <set> removed",
        absent=("javascript",),
    ),
    DocCase("svg-use-external", f'<svg><use href="http://{ATTACK}/s.svg#a"/></svg>\n', "points outside the drawing", absent=(ATTACK,)),
    DocCase("svg-foreign-object", '<svg><foreignObject><p onclick="x()">x</p></foreignObject></svg>\n', "<foreignObject> removed"),
    DocCase("svg-fill-url", f'<svg><rect width="1" height="1" fill="url(http://{ATTACK}/p)"/></svg>\n', "SVG fill=", absent=(ATTACK,)),
    # -- case 6: tracking requests -----------------------------------------------------------
    DocCase("css-escape-url", f'<p style="background: u\\72l(http://{ATTACK}/x)">p</p>\n', "lost escaped CSS", absent=(ATTACK,)),
    DocCase(
        "css-image-set",
        f"<p style=\"background-image: image-set('http://{ATTACK}/a.png' 1x)\">p</p>\n",
        "lost background-image",
        absent=(ATTACK,),
    ),
    DocCase(
        "css-webkit-image-set",
        f"<p style=\"color: red; background: -webkit-image-set('http://{ATTACK}/a.png' 1x)\">p</p>\n",
        "lost background",
        absent=(ATTACK,),
        present=('style="color: red"',),
    ),
    DocCase("css-expression", '<p style="width: expression(alert(1))">p</p>\n', "lost width", absent=("expression",)),
    DocCase("css-position", '<p style="position: fixed; top: 0">p</p>\n', "lost position, top", absent=("fixed",)),
    DocCase("css-url-in-allowed-property", f'<p style="border: 1px url(http://{ATTACK}/b) solid">p</p>\n', "lost border", absent=(ATTACK,)),
    DocCase(
        "link-ping", f'<a href="https://example.org/" ping="http://{ATTACK}/p">x</a>\n', "attribute 'ping' on <a> removed", absent=(ATTACK,)
    ),
    # -- case 7: a <style> hidden from an XML reader -------------------------------------------
    DocCase(
        "pi-hides-style",
        "<div><?x > <style>body { color: red }</style> ?></div>\n",
        "raw HTML <style> removed",
        absent=("<style", "color: red"),
    ),
    DocCase(
        "cdata-hides-style",
        "<div><![CDATA[ x > <style>body { color: red }</style> ]]></div>\n",
        "raw HTML <style> removed",
        absent=("<style",),
    ),
    DocCase("cdata-is-reported", "<div><![CDATA[ x > <style>body { color: red }</style> ]]></div>\n", "CDATA section removed"),
    # -- case 10: links resolved in the model --------------------------------------------------
    DocCase(
        "link-to-missing-heading",
        "See [the slate](one.md#no-such-heading).\n",
        "has no heading 'no-such-heading'",
        present=('href="chapter-1.xhtml#one"',),
    ),
    DocCase(
        "link-to-file-not-in-book", "See [notes](notes.txt).\n", "'notes.txt' is to a file that is not an article", absent=("notes.txt",)
    ),
    DocCase("link-outside-book", "See [x](../../elsewhere.md).\n", "'../../elsewhere.md' points outside the book", absent=("elsewhere",)),
    DocCase("link-file-url", "See [x](file:///etc/passwd).\n", "points outside the book", absent=("file:", "/etc/passwd")),
    DocCase(
        "link-absolute-path", '<a href="/home/author/book/chapters/one.md">x</a>\n', "points outside the book", absent=("/home/author",)
    ),
    DocCase("link-to-missing-fragment", "See [x](#nowhere).\n", "'#nowhere' points at no id", absent=("#nowhere",)),
    DocCase("link-javascript-spaced", '<a href=" java&#x09;script:alert(1)">x</a>\n', "URL in <a href> removed", absent=("script:",)),
    # -- case 11: footnotes ----------------------------------------------------------------------
    DocCase(
        "footnote-never-cited",
        "Text.[^a]\n\n[^a]: Cited.\n[^b]: Never cited.\n",
        "footnote [^b] is defined but never cited",
        line=8,
        absent=("#fnref-b",),
    ),
    DocCase(
        "footnote-duplicate",
        "Text.[^a]\n\n[^a]: First.\n\n[^a]: Second.\n",
        "footnote [^a] is defined on line 7 and again on line 9",
        line=9,
    ),
    # -- low: ids, declarations, markup that runs or loads --------------------------------------
    DocCase(
        "id-capture",
        '<p id="chapter-1">Mine.</p>\n\n<p id="chapter-1">Again.</p>\n',
        "id 'chapter-1' is used twice",
        present=('id="two--chapter-1"',),
    ),
    DocCase(
        "xxe-doctype",
        '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n\n<p>&xxe;</p>\n',
        "<!DOCTYPE> declaration removed",
        absent=("root:x:0",),
    ),
    DocCase("entity-bomb", '<!ENTITY lol "lol"><p>&lol;&lol;</p>\n', "", line=None, absent=("lollol",)),  # text, never expanded
    DocCase("malformed-inline-svg", '<svg><circle r="3"><g></svg> after\n', "</svg> closes nothing (<g> from line 5", exit_code=1),
    DocCase("iframe", f'<iframe src="http://{ATTACK}/"></iframe>\n', "raw HTML <iframe> removed", absent=(ATTACK,)),
    DocCase("object-dotfile", '<object data=".env"></object>\n', "raw HTML <object> removed", absent=(".env",)),
    DocCase("base-href", '<base href="file:///">\n\nText.\n', "raw HTML <base> removed", absent=("file:",)),
    DocCase(
        "meta-refresh",
        f'<meta http-equiv="refresh" content="0;url=http://{ATTACK}/">\n\nText.\n',
        "raw HTML <meta> removed",
        absent=(ATTACK,),
    ),
    DocCase("form", f'<form action="http://{ATTACK}/"><input name="q"></form>\n', "raw HTML <form> removed", absent=(ATTACK,)),
    DocCase("noscript", "<noscript><p>Enable scripts</p></noscript>\n", "raw HTML <noscript> removed", absent=("Enable scripts",)),
    DocCase("template", "<template><p>later</p></template>\n", "raw HTML <template> removed", absent=("<template",)),
    DocCase(
        "mathml-annotation-xml",
        '<math><mi>x</mi><annotation-xml encoding="text/html"><script>x()</script></annotation-xml></math>\n',
        "<annotation-xml> removed",
        absent=("<script",),
        present=("<mi>x</mi>",),
    ),
    DocCase(
        "mxss-style-in-svg",
        '<svg></p><style><a title="</style><img src=x onerror=alert(1)>"></svg>\n',
        "</p> closes nothing",
        exit_code=1,
    ),
    DocCase(
        "mxss-style-in-svg-balanced",
        f'<svg><style><img src="http://{ATTACK}/x" onerror=alert(1)></style></svg>\n',
        "raw HTML <style> removed",
        absent=("onerror", "alert", ATTACK),
    ),
    DocCase("unknown-element-unwrapped", "<marquee>Moving words</marquee>\n", "<marquee> is not allowed", present=("Moving words",)),
    DocCase("event-handler", '<span onmouseover="x()">hover</span>\n', "event-handler attribute 'onmouseover'", absent=("onmouseover",)),
    DocCase("data-image", "![x](data:image/png;base64,iVBORw0KGgo=)\n", "is embedded as a data: URL", absent=("data:",)),
    DocCase(
        "control-character", "A bell \x07 in the text.\n", "contains the control character U+0007, which an EPUB cannot hold", exit_code=1
    ),
    DocCase(
        "html-nested-too-deep",
        "Intro.\n\n" + "<div>" * 5000 + "x" + "</div>" * 5000 + "\n",
        "nested more than 100 elements deep",
        line=7,
        exit_code=1,
    ),
    DocCase("html-tags-shown-as-code-are-not-nesting", "```\n" + "<div>" * 300 + "\n```\n", "", line=None),
    # -- low: long words and wide tables ----------------------------------------------------------
    DocCase("unbreakable-word", "x" * 20000 + "\n", "a word of 20000+ characters cannot be broken"),
    DocCase("wide-table", "|" + "|".join(f"c{i}" for i in range(40)) + "|\n|" + "---|" * 40 + "\n|" + "1|" * 40 + "\n", "has 40 columns"),
    # -- images checked like text ----------------------------------------------------------------
    DocCase("image-hidden-file", "![x](../.secret.png)\n", "is in a hidden file or folder", exit_code=1, files={".secret.png": PNG}),
    DocCase("image-in-git", "![x](../.git/logo.png)\n", "is in a hidden file or folder", exit_code=1, files={".git/logo.png": PNG}),
    DocCase(
        "image-truncated",
        "![x](../images/cut.png)\n",
        "'cut.png' is damaged and cannot be decoded",
        exit_code=1,
        files={"images/cut.png": TRUNCATED_PNG},
    ),
    DocCase(
        "image-30000-square",
        "![x](../images/huge.png)\n",
        "'huge.png' is too large to decode safely",
        exit_code=1,
        files={"images/huge.png": HUGE_PNG},
    ),
    DocCase(
        "svg-file-malformed",
        "![x](../images/bad.svg)\n",
        "'bad.svg' is not a well-formed SVG",
        exit_code=1,
        files={"images/bad.svg": "<svg><g></svg>"},
    ),
    DocCase(
        "svg-file-entities",
        "![x](../images/lol.svg)\n",
        "'lol.svg' declares a DOCTYPE or entities",
        exit_code=1,
        files={"images/lol.svg": ENTITY_SVG},
    ),
    DocCase(
        "svg-file-cleaned",
        "![x](../images/draw.svg)\n",
        "SVG image 'images/draw.svg' was cleaned: onload, <script>, <style>, <image>, xlink:href=file:///etc/passwd#x",
        absent=("steal", ATTACK, "/etc/passwd", "<script", "@import"),
        present=("OEBPS/images/draw.svg", "<rect", 'fill="#336"'),
        files={"images/draw.svg": HOSTILE_SVG},
    ),
    DocCase(
        "image-name-space",
        "![x](../images/my%20pic.png)\n",
        "",
        line=None,
        present=("OEBPS/images/my-pic.png", 'src="images/my-pic.png"'),
        files={"images/my pic.png": PNG},
    ),
    DocCase(
        "image-name-hash",
        "![x](../images/pic%231.png)\n",
        "",
        line=None,
        present=("OEBPS/images/pic-1.png",),
        files={"images/pic#1.png": PNG},
    ),
    DocCase(
        "image-name-question",
        "![x](../images/what%3F.png)\n",
        "",
        line=None,
        present=("OEBPS/images/what.png",),
        files={"images/what?.png": PNG},
    ),
    DocCase(
        "image-name-case-collision",
        "![x](../images/Pic.png) ![y](../images/pic.png)\n",
        "",
        line=None,
        present=("OEBPS/images/pic.png", "OEBPS/images/pic-2.png"),
        files={"images/Pic.png": PNG, "images/pic.png": _png(20, 20)},
    ),
    DocCase(
        "image-name-generated-cover",
        "![x](../images/bindery-cover.png)\n",
        "",
        line=None,
        present=("OEBPS/images/bindery-cover-2.png", "OEBPS/images/bindery-cover.png"),
        files={"images/bindery-cover.png": PNG},
    ),
]


def _epub_files(book: Path) -> dict[str, str]:
    epubs = list((book / "output").glob("*.epub")) if (book / "output").is_dir() else []
    if not epubs:
        return {}
    with zipfile.ZipFile(epubs[0]) as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}


def _build_case(case: DocCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Result, dict[str, str]]:
    files: dict[str, str | bytes | None] = {
        "chapters/one.md": ONE_WITH_HEADING,
        "chapters/two.md": with_front("Nets", body=case.body),
        ".env": SECRET,
        **case.files,
    }
    book = write_book(tmp_path, files)
    result = run_build(tmp_path, monkeypatch, "--format", "epub", "--no-page-list")
    return result, _epub_files(book)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_untrusted_document_matrix(case: DocCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, epub = _build_case(case, tmp_path, monkeypatch)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if case.says:
        line = assert_clear(result, Case(case.id, {}, "book/chapters/two.md", case.line, case.says, case.exit_code, severity=case.severity))
        print(f"\nMATRIX {case.id}: exit {result.exit_code}: {line}")
    else:
        assert result.exit_code == case.exit_code, result.output
        print(f"\nMATRIX {case.id}: exit {result.exit_code}")
    if case.exit_code:
        assert epub == {}, "a refused book wrote an EPUB"
        return
    everything = "\n".join(epub.values())
    chapter = epub["OEBPS/chapter-2.xhtml"]
    for gone in case.absent:
        assert gone not in chapter, f"{gone!r} reached the EPUB"
    for kept in case.present:
        assert kept in chapter or kept in epub or kept in everything, f"{kept!r} is not in the EPUB"
    assert "hunter2" not in everything


def test_the_matrix_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_links_to_sibling_articles_become_internal_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "See [the tides](one.md), [the slate](one.md#the-slate) and [again](../chapters/one.md).\n"
    result, epub = _build_case(DocCase("x", body, ""), tmp_path, monkeypatch)
    assert result.exit_code == 0 and "warning:" not in result.output, result.output
    chapter = epub["OEBPS/chapter-2.xhtml"]
    assert chapter.count('href="chapter-1.xhtml#one"') == 2 and chapter.count("article-link") == 3
    assert 'href="chapter-1.xhtml#one--the-slate"' in chapter
    assert 'id="one--the-slate"' in epub["OEBPS/chapter-1.xhtml"]
    assert ".md" not in chapter


def test_author_ids_become_plain_names_and_links_to_them_still_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An author's id may hold dots, slashes or a file name: in the book it is letters, digits,
    "_" and "-" only (no path, no "../.env"), and a link to it follows it."""
    body = '<p id="sec.2.3">Section.</p>\n\n<p id="../.env">Odd.</p>\n\nSee [the section](#sec.2.3) and [the odd one](#../.env).\n'
    result, epub = _build_case(DocCase("x", body, ""), tmp_path, monkeypatch)
    assert result.exit_code == 0 and "warning:" not in result.output, result.output
    chapter = epub["OEBPS/chapter-2.xhtml"]
    ids = re.findall(r'id="(two--[^"]*)"', chapter)
    assert ids and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids), ids
    for ident in ("two--sec-2-3", "two--env"):
        assert f'id="{ident}"' in chapter and f'href="#{ident}"' in chapter, chapter
    assert ".env" not in chapter


def test_an_article_id_cannot_capture_the_books_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, epub = _build_case(DocCase("x", '<p id="chapter-1">Mine.</p>\n', ""), tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert 'href="chapter-1.xhtml#chapter-1"' in epub["OEBPS/nav.xhtml"]
    assert 'id="chapter-1"' not in epub["OEBPS/chapter-2.xhtml"]


def test_an_empty_paragraph_kept_only_by_a_repeated_id_goes_with_it() -> None:
    """The cleaner drops a paragraph that holds nothing; one whose only attribute was a repeated
    id (removed after cleaning) goes too, so the tree reads the same when cleaned again (found by
    the hostile-article property). An empty paragraph with its own id is a link target and stays."""
    from bindery.content import render_markdown

    body = '<p id="mark">Kept.</p>\n\n<p id="mark"></p>\n\n<p id="lone"></p>\n\nAfter.\n'
    rendered = render_markdown(body, prefix="two", heading_offset=0, source="chapters/two.md", body_line=5, articles={})
    assert re.sub(r"\s+", "", rendered.html) == '<pid="two--mark">Kept.</p><pid="two--lone"></p><p>After.</p>'
    assert [w.code for w in rendered.warnings] == ["html-duplicate-id"]


def test_the_fetcher_serves_only_listed_files(tmp_path: Path) -> None:
    from weasyprint.urls import URLFetchingError

    from bindery.print_fetcher import BookURLFetcher

    (tmp_path / ".env").write_text(SECRET)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(PNG)
    (tmp_path / "images" / "unlisted.png").write_bytes(PNG)
    fonts = tmp_path / "templates"
    fonts.mkdir()
    (fonts / "f.ttf").write_bytes(b"font")
    (fonts / ".hidden.ttf").write_bytes(b"font")
    (fonts / "notes.txt").write_text("notes")
    fetcher = BookURLFetcher({tmp_path / "images" / "a.png": ("image/png", b"checked bytes")}, [fonts])
    served = fetcher.fetch((tmp_path / "images" / "a.png").as_uri())
    assert served.read() == b"checked bytes"  # the model's bytes, not the file read again
    assert fetcher.fetch((fonts / "f.ttf").as_uri()).read() == b"font"
    refused = [
        (tmp_path / ".env").as_uri(),
        (tmp_path / "images" / "unlisted.png").as_uri(),
        (fonts / ".hidden.ttf").as_uri(),
        (fonts / "notes.txt").as_uri(),
        (tmp_path / "images" / ".." / ".env").as_uri(),
        "http://t.example/x.png",
        "file:///etc/passwd",
    ]
    for url in refused:
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == len(refused)


def test_css_string_escapes_non_ascii_as_css_does() -> None:
    from bindery.templating import css_string

    assert css_string('Caf\u00e9 \u2014 "x"</style>') == '"Caf\\e9  \\2014  \\22 x\\22 \\3c \\2f style\\3e "'


def _pdf_links_and_files(pdf: Path) -> tuple[list[str], list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    uris: list[str] = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action.get_object():
                uris.append(str(action.get_object()["/URI"]))
    names = reader.trailer["/Root"].get_object().get("/Names")
    files = [] if names is None or "/EmbeddedFiles" not in names.get_object() else ["embedded files"]
    return uris, files


HOSTILE_BOOK_BODY = (
    '<a rel="attachment" href="../.env">env</a> <div><?x > <link rel="attachment" href="../.env"> ?></div>\n\n'
    "<div><?x > <style>body { color: red }</style> ?></div>\n\n"
    "See [the slate](one.md#the-slate) and [the web](https://example.org/).\n\n"
    "![A picture](../images/pic.png)\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["digital", "print"])
def test_a_hostile_book_leaks_nothing_into_either_pdf(profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from bindery.checks.pdf_interior import preflight_pdf
    from bindery.manifest import PdfSettings

    manifest = (
        "title: Caf\u00e9 Society \u2014 Na\u00efve Essays\nauthors: [Iris Calloway]\nchapters:\n  - chapters/one.md\n  - chapters/two.md\n"
    )
    manifest += f"pdf:\n  profile: {profile}\n"
    book = write_book(
        tmp_path,
        {
            "book.yaml": manifest,
            "chapters/one.md": ONE_WITH_HEADING + "\n" + "More about tides and boats. " * 400 + "\n",
            "chapters/two.md": with_front("Nets", body=HOSTILE_BOOK_BODY),
            ".env": SECRET,
            "images/pic.png": PNG,
        },
    )
    result = run_build(tmp_path, monkeypatch, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert "refused to fetch" not in result.output  # nothing unlisted was even asked for
    pdf = book / "output" / "cafe-society-naive-essays.pdf"
    data = pdf.read_bytes()
    assert b"hunter2" not in data and b"EmbeddedFile" not in data
    uris, files = _pdf_links_and_files(pdf)
    assert files == []
    assert not any(u.startswith("file:") or str(tmp_path) in u for u in uris), uris
    if profile == "digital":
        assert uris == ["https://example.org/"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "CAF\u00c9 SOCIETY \u2014 NA\u00cfVE ESSAYS" in text and "U00E9" not in text  # the verso running head (upper case)
    checks = {c.name: c.status for c in preflight_pdf(pdf, PdfSettings("6x9", 6.0, 9.0, profile=profile))}
    assert checks["pdf-annotations"] in ("pass", "skip")
    assert "color: red" not in text
    assert re.search(r"the slate \(page \d+\)", text), "a link to another article shows its page in print"


def test_preflight_fails_a_pdf_with_an_attached_file(tmp_path: Path) -> None:
    import weasyprint

    from bindery.checks.pdf_interior import preflight_pdf
    from bindery.manifest import PdfSettings

    (tmp_path / "secret.txt").write_text(SECRET)
    html = '<html><head><link rel="attachment" href="secret.txt"></head><body><p>x</p></body></html>'
    pdf = tmp_path / "leak.pdf"
    weasyprint.HTML(string=html, base_url=tmp_path.as_uri() + "/").write_pdf(pdf)
    for profile in ("digital", "print"):
        checks = {c.name: c for c in preflight_pdf(pdf, PdfSettings("6x9", 6.0, 9.0, profile=profile))}
        assert checks["pdf-annotations"].status == "fail", checks["pdf-annotations"]
        assert "attached files" in checks["pdf-annotations"].summary


def test_weasyprint_messages_reach_the_report() -> None:
    import logging

    from bindery.layout import weasyprint_warnings
    from bindery.weasyprint_log import weasyprint_messages

    with weasyprint_messages() as said:
        logging.getLogger("weasyprint").warning("Ignored `foo: bar` at 1:2, unknown property.")
    warnings = weasyprint_warnings(said)
    assert [(w.code, w.severity) for w in warnings] == [("pdf-weasyprint", "warning")]
    assert "unknown property" in warnings[0].message


def test_footnote_never_cited_still_makes_a_valid_epub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import epubcheck, severities

    body = (
        "Text.[^a]\n\n[^a]: Cited.\n[^b]: Never cited.\n\n"
        + HOSTILE_BOOK_BODY
        + "\n<svg><a><animate attributeName='href' values='javascript:x'/></a></svg>\n"
    )
    files: dict[str, str | bytes | None] = {
        "chapters/one.md": ONE_WITH_HEADING,
        "chapters/two.md": with_front("Nets", body=body),
        ".env": SECRET,
        "images/pic.png": PNG,
        "images/Pic.png": _png(20, 20),
    }
    book = write_book(tmp_path, files)
    result = run_build(tmp_path, monkeypatch, "--format", "epub", "--no-page-list")
    assert result.exit_code == 0, result.output
    found = severities(epubcheck(next((book / "output").glob("*.epub"))))
    assert not found.get("ERROR") and not found.get("FATAL"), found
