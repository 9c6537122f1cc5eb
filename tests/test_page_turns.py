"""No word hyphenated across a page turn (`bindery.builders.page_turns`)."""

from __future__ import annotations

import re

import weasyprint

from bindery.builders.page_turns import hyphenated_at_page_turns, kept_whole
from conftest import ROOT

FONT = (ROOT / "templates" / "print" / "fonts" / "CharisSIL-Regular.ttf").as_uri()
CSS = f"""
@font-face {{ font-family: Charis; src: url("{FONT}"); }}
@page {{ size: 4in 5in; margin: 0.5in; }}
html {{ font-family: Charis; font-size: 10pt; line-height: 14pt; hyphens: auto; text-align: justify; }}
body {{ margin: 0; }}
p {{ margin: 0; orphans: 1; widows: 1; }}
.keep-whole {{ hyphens: manual; }}
"""
# A narrow paragraph whose first line, the last of page 1, ends in "extraordin-".
PAGE = '<div style="height: 270pt"></div><p lang="en" style="width: 1.3in">Quite extraordinary incomprehensibilities follow.</p>'


def render(body: str) -> weasyprint.Document:
    css = weasyprint.CSS(string=CSS)
    return weasyprint.HTML(string=f'<html lang="en"><body>{body}</body></html>').render(stylesheets=[css])


def test_a_word_hyphenated_across_the_page_turn_is_found_and_then_kept_whole() -> None:
    document = render(PAGE)
    assert hyphenated_at_page_turns(document) == [(1, "extraordinary")]  # in the body's second top-level element
    fixed = kept_whole(f"<html><body>{PAGE}</body></html>", {1: ["extraordinary"]})
    assert '<span class="keep-whole">extraordinary</span>' in fixed
    assert hyphenated_at_page_turns(render(fixed.split("<body>", 1)[1].split("</body>")[0])) == []


def test_a_page_ending_on_a_whole_word_has_nothing_to_keep() -> None:
    document = render('<div style="height: 274pt"></div><p>Plain words only, and the page ends between two of them at a space.</p>')
    assert hyphenated_at_page_turns(document) == []


def test_kept_whole_wraps_every_occurrence_in_its_section_outside_code_and_adds_no_letters() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>supportive</title></head><body>"
        "<section><p>A supportive partner, <em>supportive</em> too; unsupportive stays.</p>"
        "<pre><code>supportive</code></pre></section><section><p>Another supportive chapter.</p></section></body></html>"
    )
    out = kept_whole(html, {0: ["supportive"]})
    assert out.count('<span class="keep-whole">supportive</span>') == 2
    assert "Another supportive chapter" in out  # the other chapter's page turns are its own
    assert "<title>supportive</title>" in out and "<code>supportive</code>" in out and "unsupportive" in out
    letters = re.compile(r"<[^>]+>|\s")
    assert letters.sub("", out) == letters.sub("", html)
    assert out.startswith("<!DOCTYPE html>")
    assert kept_whole(html, {}) == html
    assert kept_whole(html, {1: ["supportive"]}).count("keep-whole") == 1
