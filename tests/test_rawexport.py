"""Tests for bindery.rawexport: raw article exports to Markdown articles.

Every snippet here is written for these tests (gardening and bookbinding);
the real exports under shared/seeds are only read by the last test.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import yaml

from bindery.rawexport import ImportedArticle, NotAnArticleError, RelatedSpec, parse_export
from conftest import seed_exports

TITLE = "How to sew a simple pamphlet stitch for a first handmade notebook."
DEK = (
    "A gentle introduction to folding signatures, punching stations and tying off a three-hole "
    "pamphlet stitch, with advice on paper grain, thread and the tools worth buying first."
)
P1 = (
    "Start with a stack of four sheets folded together into a single signature. Fold each sheet "
    "along the grain so the spine lies flat, then nest them and crease the fold with a bone folder."
)
P2 = (
    "Mark three stations on the inside of the fold: one at the centre and one about two centimetres "
    "from each end. Pierce each mark with an awl while the signature rests in a cradle."
)
H1 = "Choosing thread and needles"
P3 = (
    "Waxed linen thread is forgiving for beginners because it grips the paper and holds its knot. "
    "A blunt bookbinding needle follows the holes without tearing the fibres around them."
)
H2 = "Tying off the stitch."
P4 = (
    "Finish on the inside with a square knot over the long centre stitch, trim the tails to a "
    "centimetre and press the notebook under a few heavy books overnight."
)
BODY = [P1, P2, H1, P3, H2, P4]

REL1 = (
    "A practical tour of mulching for small vegetable beds, covering straw, leaf mould and "
    "cardboard, and when each one helps or harms the soil through the seasons."
)
REL2 = (
    "Repairing a cracked book spine at home with mull, wheat starch paste and patience, plus the "
    "mistakes that make an old binding worse instead of better."
)
REL3 = (
    "Why seed catalogues print germination rates, what the numbers mean for a home gardener and "
    "how to run a simple paper-towel test before sowing."
)


def export(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def standard(**replace: object) -> str:
    """A seed-shaped export; keyword arguments replace or drop (None) header lines."""
    parts: dict[str, object] = {
        "category": None,
        "title": TITLE,
        "dek": DEK,
        "byline": None,
        "date": "Published July 26, 2025",
        "share": "Facebook X Reddit Pinterest Email",
        "body": [P1, P2, H1, "ADVERTISEMENT", "ADVERTISEMENT", P3, H2, P4],
        "related": [
            "Related Articles",
            "Bookbinding",
            REL2,
            "-",
            "July 18, 2025",
            "Gardening",
            REL1,
            "-",
            "August 04, 2025",
        ],
    }
    parts.update(replace)
    lines: list[str] = []
    for key in ("category", "title", "dek", "byline", "date", "share"):
        if parts[key] is not None:
            lines.append(str(parts[key]))
    lines.extend(parts["body"])  # type: ignore[arg-type]
    lines.extend(parts["related"] or [])  # type: ignore[arg-type]
    return export(*lines)


def front_matter(markdown: str) -> dict[str, Any]:
    assert markdown.startswith("---\n")
    head, _, _ = markdown[4:].partition("\n---\n")
    data: dict[str, Any] = yaml.safe_load(head)
    return data


# -- header -----------------------------------------------------------------


def test_seed_shaped_export() -> None:
    art = parse_export(standard(), "imports/pamphlet.txt")
    assert isinstance(art, ImportedArticle)
    assert art.title == TITLE[:-1]  # trailing full stop removed
    assert art.summary == DEK
    assert art.date == "2025-07-26"
    assert art.authors == ()
    assert art.category is None
    assert art.source == "imports/pamphlet.txt"
    assert art.paragraphs == (P1, P2, "## " + H1, P3, "## " + H2[:-1], P4)
    assert art.related == (
        RelatedSpec(REL2, "2025-07-18", "Bookbinding"),
        RelatedSpec(REL1, "2025-08-04", "Gardening"),
    )
    assert art.removed == {"advertisement": 2, "related_heading": 1, "separator": 2, "share_bar": 1}


@pytest.mark.parametrize(
    ("line", "iso", "reading_time"),
    [
        ("Published July 26, 2025", "2025-07-26", 0),
        ("August 08, 2025", "2025-08-08", 0),
        ("August 12, 2025 - 3 min Read", "2025-08-12", 1),
        ("Jul 26, 2025", "2025-07-26", 0),
        ("Sept. 3, 2025", "2025-09-03", 0),
        ("26 July 2025", "2025-07-26", 0),
        ("2025-07-26", "2025-07-26", 0),
        ("Published on 2025-07-26T09:30:00Z", "2025-07-26", 0),
        ("Saturday, July 26, 2025 | 5 minute read", "2025-07-26", 1),
    ],
)
def test_date_line_variants(line: str, iso: str, reading_time: int) -> None:
    art = parse_export(standard(date=line), "a.txt")
    assert art.date == iso
    assert art.summary == DEK
    assert art.paragraphs[0] == P1
    assert art.removed.get("reading_time", 0) == reading_time


def test_category_line_before_title() -> None:
    art = parse_export(standard(category="Bookbinding"), "a.txt")
    assert (art.category, art.title, art.summary) == ("Bookbinding", TITLE[:-1], DEK)
    assert art.paragraphs[0] == P1


def test_category_with_short_title_and_no_summary() -> None:
    art = parse_export(standard(category="Gardening", title="Pruning roses in late winter", dek=None), "a.txt")
    assert (art.category, art.title, art.summary) == ("Gardening", "Pruning roses in late winter", None)


def test_short_title_with_long_summary_is_not_a_category() -> None:
    art = parse_export(standard(title="Pamphlet stitching"), "a.txt")
    assert (art.category, art.title, art.summary) == (None, "Pamphlet stitching", DEK)


def test_category_recognised_from_related_list() -> None:
    """Two header lines, both short: the first is a category the related list also uses."""
    art = parse_export(standard(category="Gardening", title="Why mulch keeps beds moist through a dry summer", dek=None), "a.txt")
    assert art.category == "Gardening"
    assert art.title == "Why mulch keeps beds moist through a dry summer"


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Published by Ada Reed", ("Ada Reed",)),
        ("By Ada Reed and Tom Vale", ("Ada Reed", "Tom Vale")),
        ("Written by Ada Reed, PhD", ("Ada Reed, PhD",)),
    ],
)
def test_byline_before_date(byline: str, authors: tuple[str, ...]) -> None:
    art = parse_export(standard(byline=byline), "a.txt")
    assert art.authors == authors
    assert art.date == "2025-07-26"
    assert art.summary == DEK
    assert art.paragraphs[0] == P1
    assert "authors:\n  - " + authors[0] in art.to_markdown()


def test_byline_and_date_on_one_line() -> None:
    art = parse_export(standard(byline=None, date="By Ada Reed on August 08, 2025"), "a.txt")
    assert art.authors == ("Ada Reed",)
    assert art.date == "2025-08-08"


def test_missing_date() -> None:
    art = parse_export(standard(date=None), "a.txt")
    assert art.date is None
    assert (art.title, art.summary) == (TITLE[:-1], DEK)
    assert art.paragraphs[0] == P1
    assert "date" not in front_matter(art.to_markdown())


def test_missing_summary() -> None:
    art = parse_export(standard(dek=None), "a.txt")
    assert art.summary is None
    assert art.title == TITLE[:-1]
    assert art.paragraphs[0] == P1
    assert "summary" not in front_matter(art.to_markdown())


def test_no_share_bar_and_no_date() -> None:
    """Nothing marks the end of the header: title, then the summary, then the body."""
    art = parse_export(standard(date=None, share=None), "a.txt")
    assert (art.title, art.summary, art.date) == (TITLE[:-1], DEK, None)
    assert art.paragraphs[0] == P1


def test_crlf_bom_and_nbsp() -> None:
    plain = standard(title="The \u201cslow\u201d spine \u2014 gluing a case binding", date="Published July 26, 2025")
    nbsp = plain.replace("July 26", "July\u00a026").replace("four sheets", "four\u00a0sheets")
    messy = "\ufeff" + nbsp.replace("\n", "  \r\n")
    art = parse_export(messy, "a.txt")
    assert art == parse_export(plain, "a.txt")
    assert art.title == "The \u201cslow\u201d spine \u2014 gluing a case binding"
    assert art.to_markdown() == parse_export(plain, "a.txt").to_markdown()
    assert "\r" not in art.to_markdown() and "\u00a0" not in art.to_markdown()
    old_mac = parse_export(plain.replace("\n", "\r"), "a.txt")
    assert old_mac == art


# -- noise ------------------------------------------------------------------


@pytest.mark.parametrize(
    "bar",
    [
        "Facebook X Reddit",
        "Email Reddit Facebook X Pinterest LinkedIn WhatsApp",
        "Facebook X Gab Reddit",  # Gab is not in the list: most tokens are known
        "Share: Bluesky | Mastodon | Copy link",
        "Threads Telegram Tumblr Pocket Print",
    ],
)
def test_share_bar_variants(bar: str) -> None:
    art = parse_export(standard(share=bar), "a.txt")
    assert art.removed["share_bar"] == 1
    assert art.paragraphs[0] == P1
    assert bar not in art.to_markdown()


def test_capitalised_line_with_few_networks_is_kept() -> None:
    text = export(TITLE, DEK, "Published July 26, 2025", "Facebook X Reddit", "Email Marketing Basics", P1, P2)
    art = parse_export(text, "a.txt")
    assert "## Email Marketing Basics" in art.paragraphs


def test_noise_lines_counted_by_kind() -> None:
    body = [
        P1,
        "ADVERTISEMENT",
        "ADVERTISEMENT",
        "advertisement",
        "Advertisement",
        "ADVERTISEMENT ADVERTISEMENT",
        "Sponsored",
        P2,
        "Continue reading below",
        "Advertisement - Continue Reading Below",
        "Read more",
        "Read more: Ten tools every new binder should own",
        "Share this article",
        "",
        "   ",
        P3,
    ]
    art = parse_export(standard(body=body, related=[]), "a.txt")
    assert art.paragraphs == (P1, P2, P3)
    assert art.removed == {
        "advertisement": 7,
        "blank": 2,
        "continue_reading": 1,
        "read_more": 2,
        "share_bar": 2,
    }
    assert "dvertisement".lower() not in art.to_markdown().lower()


@pytest.mark.parametrize(
    "sentence",
    [
        "More: a 2019 survey found that most clients felt relief after the first session.",
        "See also: the chapter on shame, which covers the same ground from another side.",
        "Copyright 1998 was the year the privacy law changed how therapists keep records.",
        "Line by line",  # one network's name, twice: a phrase, not a share bar
    ],
)
def test_a_sentence_that_starts_like_site_furniture_is_kept(sentence: str) -> None:
    """Found by an import fuzz (helper): each was dropped as a read-more link, a footer or a share
    bar, with only a count in the report. A link's title has no full stop; a footer is short or says ©."""
    art = parse_export(standard(body=[P1, sentence, P2, P3], related=[]), "a.txt")
    assert sentence in art.paragraphs or f"## {sentence}" in art.paragraphs, art.paragraphs
    assert art.removed == parse_export(standard(body=[P1, P2, P3], related=[]), "a.txt").removed  # the header's share bar only


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Read more: Why sleep matters", "read_more"),
        ("© 2025 Example Media. All rights reserved.", "footer"),
        ("Copyright 2025 The Example Times Company", "footer"),
        ("Twitter/X", "share_bar"),
    ],
)
def test_site_furniture_is_still_removed(line: str, kind: str) -> None:
    art = parse_export(standard(body=[P1, P2, line, P3], related=[]), "a.txt")
    baseline = parse_export(standard(body=[P1, P2, P3], related=[]), "a.txt").removed
    assert art.paragraphs == (P1, P2, P3) and art.removed[kind] == baseline.get(kind, 0) + 1


def test_every_dropped_line_is_counted() -> None:
    text = standard(byline="By Ada Reed", body=[P1, "", "ADVERTISEMENT", P2, "* * *", H1, P3, H2, P4])
    art = parse_export(text, "a.txt")
    total = len(text.splitlines())
    kept = 2 + len(art.paragraphs)  # title and summary, then the body blocks
    meta = 2  # byline and date lines, read into metadata
    related = sum(1 + (e.date is not None) + (e.category is not None) for e in art.related)
    dropped = sum(n for kind, n in art.removed.items() if kind != "reading_time")
    assert kept + meta + related + dropped == total


# -- body -------------------------------------------------------------------


def test_headings_with_and_without_full_stop() -> None:
    art = parse_export(standard(), "a.txt")
    assert "## Choosing thread and needles" in art.paragraphs
    assert "## Tying off the stitch" in art.paragraphs
    md = art.to_markdown()
    assert "\n\n## Choosing thread and needles\n\n" in md
    assert "\n\n## Tying off the stitch\n\n" in md


def test_short_lines_that_are_not_headings() -> None:
    body = [
        P1,
        "Is the paper grain really that important?",  # a question stays a paragraph
        P2,
        "Soak it. Press it flat.",  # a second sentence inside: a paragraph
        P3,
        "Bone folder",  # a run of short lines is a list, not headings
        "Awl and cradle",
        P4,
        "That is all there is to it, really, for most small notebooks",
    ]  # the last line is followed by nothing: a paragraph
    art = parse_export(standard(body=body, related=[]), "a.txt")
    assert not [p for p in art.paragraphs if p.startswith("## ")]
    assert art.paragraphs == tuple(body)


def test_short_sentence_opening_the_body_is_not_a_heading() -> None:
    body = ["Paper grain decides almost everything about a binding.", P1, P2]
    art = parse_export(standard(body=body, related=[]), "a.txt")
    assert art.paragraphs == tuple(body)


def test_markdown_syntax_at_line_start_is_escaped() -> None:
    body = [P1, "1. Fold the sheets, and then fold the cover around them so the edges meet.", P2]
    art = parse_export(standard(body=body, related=[]), "a.txt")
    assert art.paragraphs[1] == body[1]  # the article keeps the text as exported
    assert "\n\n1\\. Fold the sheets" in art.to_markdown()  # the Markdown does not start a list


# -- related list -------------------------------------------------------------


def test_related_with_category_separator_and_date() -> None:
    related = ["Related Articles"]
    for category, summary, date in (
        ("Gardening", REL1, "July 18, 2025"),
        ("Bookbinding", REL2, "August 08, 2025"),
        ("Gardening", REL3, "July 18, 2025"),
    ):
        related += [category, summary, "-", date]
    art = parse_export(standard(category="Gardening", related=related), "a.txt")
    assert art.category == "Gardening"
    assert art.related == (
        RelatedSpec(REL1, "2025-07-18", "Gardening"),
        RelatedSpec(REL2, "2025-08-08", "Bookbinding"),
        RelatedSpec(REL3, "2025-07-18", "Gardening"),
    )
    assert art.removed["separator"] == 3


def test_related_summaries_only_some_dated() -> None:
    related = ["RELATED ARTICLES", REL1, REL2, "August 12, 2025", REL3]
    art = parse_export(standard(related=related), "a.txt")
    assert art.related == (RelatedSpec(REL1), RelatedSpec(REL2, "2025-08-12"), RelatedSpec(REL3))


def test_related_mixed_shapes_never_drop_an_entry() -> None:
    related = [
        "You may also like",
        "Gardening",
        REL1,
        "-",
        "July 18, 2025",
        REL2,  # no category, no date
        "Bookbinding",
        REL3,
        "-",  # a separator but no date
        "A short note on bone folders.",  # a short summary is still a summary
        "July 02, 2025",
    ]
    art = parse_export(standard(related=related), "a.txt")
    assert art.related == (
        RelatedSpec(REL1, "2025-07-18", "Gardening"),
        RelatedSpec(REL2),
        RelatedSpec(REL3, None, "Bookbinding"),
        RelatedSpec("A short note on bone folders.", "2025-07-02"),
    )


def test_related_dates_before_summaries() -> None:
    related = ["Related Posts", "July 18, 2025", REL1, "August 08, 2025", "Bookbinding", REL2, REL3]
    art = parse_export(standard(related=related), "a.txt")
    assert art.related == (
        RelatedSpec(REL1, "2025-07-18"),
        RelatedSpec(REL2, "2025-08-08", "Bookbinding"),
        RelatedSpec(REL3),
    )


@pytest.mark.parametrize("heading", ["Related articles", "Related Posts", "You may also like", "Related Articles:"])
def test_related_heading_variants(heading: str) -> None:
    art = parse_export(standard(related=[heading, REL1, "July 18, 2025"]), "a.txt")
    assert art.related == (RelatedSpec(REL1, "2025-07-18"),)
    assert art.paragraphs[-1] == P4
    assert art.removed["related_heading"] == 1


# -- not an article -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty"),
        ("\n\n  \n", 1, "blank"),
        ("Seed list\nTomatoes\x00\x00\x01\x02 and beans\n", 2, "binary"),
        (export(TITLE, DEK, "Published July 26, 2025", "Facebook X Reddit", P1), 5, "prose"),
        (export("Seeds", "Tomatoes", "Beans", "Squash", "Peas", "Kale", "Leeks"), 2, "prose"),
        (export(P1 + " " + P2 + " " + P3, P2, P3, P4), 1, "title"),
    ],
)
def test_not_an_article(text: str, line: int, words: str) -> None:
    with pytest.raises(NotAnArticleError) as info:
        parse_export(text, "broken.txt")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.line == line
    assert words in str(err)
    assert err.hint and err.hint in str(err)  # what to do, not only what is wrong


# -- output -------------------------------------------------------------------


def test_round_trip_markdown() -> None:
    text = standard(category="Bookbinding", byline="By Ada Reed")
    art = parse_export(text, "imports/pamphlet.txt")
    md = art.to_markdown()
    assert md.endswith("\n") and not md.endswith("\n\n")
    fm = front_matter(md)
    assert list(fm) == ["title", "summary", "date", "authors", "category", "source", "related"]
    assert fm["title"] == art.title
    assert fm["summary"] == DEK
    assert fm["date"] == dt.date(2025, 7, 26)
    assert fm["authors"] == ["Ada Reed"]
    assert fm["category"] == "Bookbinding"
    assert fm["source"] == "imports/pamphlet.txt"
    assert fm["related"] == [
        {"summary": REL2, "date": dt.date(2025, 7, 18), "category": "Bookbinding"},
        {"summary": REL1, "date": dt.date(2025, 8, 4), "category": "Gardening"},
    ]
    for line in md.split("\n---\n", 1)[0].splitlines():
        assert len(line) < 400 or line.startswith(("summary:", "  - summary:"))  # not folded
    body = md.split("\n---\n", 1)[1]
    for paragraph in art.paragraphs:
        assert f"\n{paragraph}\n" in body
    assert "ADVERTISEMENT" not in md


def test_output_is_deterministic() -> None:
    text = standard(byline="By Ada Reed")
    first = parse_export(text, "a.txt")
    second = parse_export(text, "a.txt")
    assert first == second
    assert first.to_markdown().encode() == second.to_markdown().encode()
    assert first.to_markdown() == first.to_markdown()


def test_unicode_is_written_as_is() -> None:
    art = parse_export(standard(title="Marbling paper with \u201cEbru\u201d \u2014 a first attempt"), "a.txt")
    assert "title: Marbling paper with \u201cEbru\u201d \u2014 a first attempt\n" in art.to_markdown()


# -- the real exports -----------------------------------------------------------

_DATE = re.compile(r"(?:Published\s+)?[A-Z][a-z]+ \d{1,2}, \d{4}(?: - \d+ min Read)?")


def test_real_seed_exports() -> None:
    files = seed_exports()  # skips without ../shared/seeds, fails under CI=true
    for path in files:
        text = path.read_text(encoding="utf-8")
        art = parse_export(text, path.name)
        md = art.to_markdown()
        lines = text.splitlines()

        # counted independently: the body lies between the share bar and the
        # "Related Articles" line; the related summaries are the long lines after it
        share = next(i for i, line in enumerate(lines) if line.startswith("Facebook"))
        related_at = max(i for i, line in enumerate(lines) if line.strip().lower() == "related articles")
        body = [line.strip() for line in lines[share + 1 : related_at] if line.strip()]
        body = [line for line in body if line.upper() != "ADVERTISEMENT"]
        summaries = [line for line in lines[related_at + 1 :] if len(line) > 80]

        for line in body:
            heading = line[:-1] if line.endswith(".") else line
            assert f"\n{line}\n" in md or f"\n## {heading}\n" in md, (path.name, line[:60])
        assert not re.search(r"^advertisement$", md, re.I | re.M), path.name
        assert len(art.related) == len(summaries), path.name
        assert [r.summary for r in art.related] == summaries, path.name
        assert not art.title.endswith("."), path.name
        assert art.date is not None and dt.date.fromisoformat(art.date).isoformat() == art.date, path.name
        assert all(r.date is None or dt.date.fromisoformat(r.date) for r in art.related), path.name
        assert art.summary and art.summary == lines[1].strip(), path.name
        assert art.removed.get("advertisement") == sum(1 for line in lines if line.strip() == "ADVERTISEMENT")
        fm = front_matter(md)
        assert fm["title"] == art.title and len(fm["related"]) == len(summaries)
        assert md == parse_export(text, path.name).to_markdown()
