"""Property tests (hypothesis) for the two readers of author input.

- `bindery.rawexport.parse_export`, the raw web-export importer, and
- `bindery.sources.parse_markdown_article` with `bindery.content.render_markdown`,
  the Markdown/front-matter reader.

For any text they either succeed or raise their documented error
(`NotAnArticleError` for the importer, `BinderyError` for the reader), and
every body paragraph of a well-formed input is in the output.

CI runs the `ci` profile (100 examples a test, Hypothesis's default); the dedicated run is
`HYPOTHESIS_PROFILE=thorough python3 -m pytest tests/test_properties.py`
(10,000 examples a test). Profiles are registered in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import xml.etree.ElementTree as ET

import pytest
import yaml
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bindery.content import render_markdown
from bindery.diagnostics import BinderyError, Report
from bindery.rawexport import NotAnArticleError, parse_export
from bindery.sources import parse_markdown_article

# -- building blocks ---------------------------------------------------------------

# Words made of letters (ASCII and beyond) and digits, never Markdown syntax:
# mostly from a fixed vocabulary (one draw each, so thousands of examples run
# quickly), sometimes made up letter by letter.
LETTERS = string.ascii_letters + "éèçñøßåüÆŒжщλπ中文字"
VOCABULARY = (
    "the harbour tide boat net knot quay slate morning water keeper lantern rope gull salt wind sail chart compass "
    "anchor ferry pier dock crane cargo ledger clerk stamp parcel letter bell clock tower river bridge mill wheel "
    "baker oven bread flour market stall apple pear plum cheese butter honey jar shelf cellar stair window door "
    "of in on at by for with from into over under after before while because and or but so yet not every each "
    "was were is are has had will would could should might must can may did does said told asked wrote read "
    "café naïve façade Ærø smørrebrød Straße garçon piñata über Œuvre жизнь щука λόγος πόλη 中文 文字 2026 1999 x7"
).split()
word = st.one_of(
    st.sampled_from(VOCABULARY),
    st.sampled_from(VOCABULARY),
    st.sampled_from(VOCABULARY),
    st.text(alphabet=LETTERS + string.digits, min_size=1, max_size=8).filter(lambda w: w[0] in LETTERS),
)
# What prose has between words; `&`, `<` and `>` alone must come out as text.
joiner = st.sampled_from([" ", " ", " ", ", ", "; ", " & ", " < ", " > ", ": "])


JOINERS = (" ", " ", " ", ", ", "; ", " & ", " < ", " > ", ": ")
# A joiner and a word in one draw: generating stays fast enough for 10,000 examples.
TOKENS = sorted({j + w for j in JOINERS for w in VOCABULARY})


@st.composite
def sentence_paragraph(draw: st.DrawFn, min_words: int = 13, max_words: int = 40, free: bool = True) -> str:
    """One prose paragraph; 13 words or more, so that no rule may read it as a heading.

    With `free`, a word is now and then made up letter by letter."""
    first = draw(word if free else st.sampled_from(VOCABULARY))
    token = st.sampled_from(TOKENS) | (st.tuples(joiner, word).map("".join) if free else st.nothing())
    rest = draw(st.lists(token, min_size=min_words - 1, max_size=max_words - 1))
    return first.capitalize() + "".join(rest) + draw(st.sampled_from([".", "!", "?", "."]))


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def html_paragraph_texts(html: str) -> list[str]:
    root = ET.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{html}</div>')
    return ["".join(p.itertext()) for p in root.iter("p")]


# -- the raw-export importer -----------------------------------------------------------


@given(st.text(max_size=3000))
@example("")
@example("\x00\x01binary")
@example("Title\n\nRelated Articles\nA summary\n")
def test_importer_never_fails_with_an_undocumented_error(text: str) -> None:
    try:
        article = parse_export(text, "fuzz.txt")
    except NotAnArticleError as exc:
        assert exc.line >= 1 and exc.hint and exc.problem
        return
    article.to_markdown()  # and the result can always be written out


noise_line = st.sampled_from(["ADVERTISEMENT", "Advertisement", "Continue reading below", "Sponsored", "Share this article", "Subscribe"])


@st.composite
def raw_export(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A plausible raw export and the body paragraphs it holds."""
    # From the vocabulary: a made-up title such as "Tiktok tiktok" is, rightly, a share bar.
    title = " ".join(draw(st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=8))).capitalize()
    summary = draw(sentence_paragraph(min_words=13, max_words=25, free=False))
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
    header = [title, summary, f"Published {day.strftime('%B %d, %Y')}", "Facebook Twitter Email"]
    body = list(dict.fromkeys(draw(st.lists(sentence_paragraph(max_words=30, free=False), min_size=2, max_size=6))))
    assume(len(body) >= 2)
    lines = list(header)
    for paragraph in body:
        lines.extend(draw(st.lists(noise_line, max_size=1)))
        lines.append(paragraph)
    related = draw(st.lists(sentence_paragraph(min_words=13, max_words=20, free=False), max_size=3))
    if related:
        lines.append("Related Articles")
        lines.extend(related)
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(lines) + eol, body


@pytest.mark.slow
@given(raw_export())
def test_importer_keeps_every_body_paragraph(case: tuple[str, list[str]]) -> None:
    text, body = case
    article = parse_export(text, "export.txt")
    kept = list(article.paragraphs)
    for paragraph in body:
        assert paragraph in kept, f"lost: {paragraph!r}\nkept: {kept}"
    blocks = [words_of(block) for block in article.to_markdown().split("\n\n")]
    for paragraph in body:
        assert words_of(paragraph) in blocks, f"paragraph missing from the Markdown: {paragraph!r}"


# -- the Markdown / front-matter reader -----------------------------------------------------


def read_and_render(text: str) -> tuple[object, str]:
    report = Report()
    source = parse_markdown_article(text, "chapters/fuzz.md", "0" * 64, report)
    rendered = render_markdown(source.body, prefix="fuzz", heading_offset=0, source="chapters/fuzz.md", body_line=source.body_line)
    return source, rendered.html


@pytest.mark.slow
@given(st.text(max_size=2000))
@example("---\n---\n")
@example("---\ntitle: [unclosed\n---\n")
@example("---\ndate: 2025-13-45\ntitle: x\n---\nbody\n")
@example("---\ntitle: " + "[" * 2000 + "\n---\n")
@example("---\ntitle: x\n---\n<div>\n")
@example("---\ntitle: x\n---\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n")
def test_reader_never_fails_with_an_undocumented_error(text: str) -> None:
    try:
        read_and_render(text)
    except BinderyError as exc:
        assert exc.diagnostics and all(d.file for d in exc.diagnostics)


@pytest.mark.slow
@given(st.text(max_size=1500))
def test_reader_with_valid_front_matter_never_fails_with_an_undocumented_error(body: str) -> None:
    try:
        read_and_render("---\ntitle: Fuzzed Body\n---\n\n" + body)
    except BinderyError as exc:
        assert exc.diagnostics and all(d.file for d in exc.diagnostics)


# Front-matter text an EPUB can hold: no controls, no surrogates, not the non-characters U+FFFE
# and U+FFFF (those are refused with their line: test_front_matter_with_a_character_xml_cannot_hold_...).
front_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), min_size=1, max_size=80
).filter(lambda t: t.strip())


@pytest.mark.slow
@given(
    title=front_text, bad=st.sampled_from("\x01\x08\x0b\x1f\ufffe\uffff"), at=st.integers(min_value=0, max_value=80), line=st.integers(0, 3)
)
def test_front_matter_with_a_character_xml_cannot_hold_is_refused_at_its_line(title: str, bad: str, at: int, line: int) -> None:
    """A value holding a character XML 1.0 cannot hold is refused, naming the file, the line and
    the character (in U+ form), whichever field it sits in."""
    fields = {f"note{i}": "plain words" for i in range(line)}
    fields["title"] = title[:at] + bad + title[at:]
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000) + "---\n\nThe body.\n"
    with pytest.raises(BinderyError) as refused:
        read_and_render(text)
    (diagnostic,) = refused.value.diagnostics
    assert diagnostic.file == "chapters/fuzz.md"
    assert diagnostic.line == 2 + line
    assert f"U+{ord(bad):04X}" in diagnostic.message


@pytest.mark.slow
@given(
    title=front_text,
    summary=st.none() | front_text,
    related=st.lists(st.fixed_dictionaries({"summary": front_text}, optional={"date": st.dates(), "category": front_text}), max_size=4),
    body=st.lists(sentence_paragraph(min_words=1, max_words=30), min_size=1, max_size=8),
)
def test_reader_keeps_front_matter_and_every_body_paragraph(
    title: str, summary: str | None, related: list[dict[str, object]], body: list[str]
) -> None:
    front: dict[str, object] = {"title": title}
    if summary is not None:
        front["summary"] = summary
    if related:
        front["related"] = related
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + "\n\n".join(body) + "\n"
    source, html = read_and_render(text)
    assert source.title == " ".join(title.split())  # type: ignore[attr-defined]
    assert [r.summary for r in source.related] == [" ".join(str(r["summary"]).split()) for r in related]  # type: ignore[attr-defined]
    paragraphs = html_paragraph_texts(html)
    assert len(paragraphs) == len(body)
    for given_text, out in zip(body, paragraphs, strict=True):
        assert out == given_text


@pytest.mark.slow
@given(
    st.lists(sentence_paragraph(min_words=1, max_words=20), min_size=1, max_size=5),
    st.sampled_from(
        [
            "<script>steal()</script>",
            "<SCRIPT>steal()</SCRIPT>",
            '<DIV ONCLICK="steal()">Click</DIV>',
            '<svg xmlns="http://www.w3.org/2000/svg"><script>steal()</script></svg>',
            '<p onclick="steal()">Click</p>',
            '<a href="javascript:steal()">link</a>',
            '<img src="https://tracker.example/pixel.png" alt="x" />',
            '<img src="/etc/passwd" alt="x" />',
            '<img src="../../outside.png" alt="x" />',
            '<iframe src="https://example.com/"></iframe>',
            "<style>body { background: url(https://example.com/x.png) }</style>",
        ]
    ),
)
def test_unsafe_raw_html_is_removed_and_prose_kept(body: list[str], unsafe: str) -> None:
    text = "---\ntitle: Unsafe\n---\n\n" + body[0] + "\n\n" + unsafe + "\n\n" + "\n\n".join(body[1:]) + "\n"
    report = Report()
    source = parse_markdown_article(text, "chapters/fuzz.md", "0" * 64, report)
    rendered = render_markdown(source.body, prefix="fuzz", heading_offset=0, source="chapters/fuzz.md", body_line=source.body_line)
    lowered = rendered.html.lower()
    for bad in ("<script", "onclick", "javascript:", "tracker.example", "/etc/passwd", "outside.png", "<iframe", "<style"):
        assert bad not in lowered
    assert rendered.warnings and all(w.file == "chapters/fuzz.md" and w.line for w in rendered.warnings)
    assert rendered.images == []
    texts = html_paragraph_texts(rendered.html)
    for paragraph in body:
        assume(paragraph.strip())
        assert paragraph in texts


def test_inline_svg_and_mathml_survive_cleaning_as_html_expects_them() -> None:
    text = (
        "---\ntitle: Figures\n---\n\nBefore.\n\n"
        '<div><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
        '<circle r="3" /><a xlink:href="javascript:x()">y</a></svg></div>\n\n'
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>\n'
    )
    _, html = read_and_render(text)
    assert '<svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"' in html  # not <ns0:svg>, viewBox kept
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>' in html
    assert "javascript:" not in html
    ET.fromstring(f"<div>{html}</div>")  # well-formed without any outer declaration
