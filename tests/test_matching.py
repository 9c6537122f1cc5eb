"""Tests for bindery.matching: matching related-article entries by summary.

Every sentence here was written for these tests.
"""

from __future__ import annotations

import random

import pytest

from bindery.matching import Candidate, Match, SummaryIndex, normalise, words

# Summaries of the "book" used by most tests (about 20 words each).
SOURDOUGH = (
    "A patient guide to keeping a sourdough starter alive through cold winters, "
    "busy weeks, and the occasional forgotten feeding in the back of the fridge."
)
COMPOST = (
    "How to build a small compost heap on a city balcony without smells, flies, "
    "or complaints from the neighbours, using kitchen scraps and cardboard."
)
BINDING = (
    "Step-by-step instructions for sewing a simple pamphlet binding with waxed "
    "thread, an awl, and a bone folder, suitable for zines and notebooks."
)
TRUST = (
    "Practical ways to help couples rebuild trust after a long separation, with "
    "weekly check-ins, shared calendars, and honest conversations about money."
)
ROUTINES = (
    "Practical ways to help families rebuild routines after a long relocation, "
    "with morning charts, shared meals, and honest conversations about school."
)


def book() -> SummaryIndex:
    return SummaryIndex(
        [
            Candidate("sourdough", SOURDOUGH),
            Candidate("compost", COMPOST),
            Candidate("binding", BINDING),
            Candidate("trust", TRUST),
            Candidate("routines", ROUTINES),
        ]
    )


def resolved(m: Match, key: str) -> None:
    assert m.status == "resolved", m
    assert m.key == key
    assert m.candidates == ()


def outside(m: Match) -> None:
    assert m.status == "outside", m
    assert m.key is None
    assert m.candidates == ()


# ---------------------------------------------------------------- normalise


def test_normalise_casefold_whitespace_quotes_dashes_and_trailing_punctuation():
    assert normalise("  The  Baker\u2019s\tDozen \u2014 \u201cfresh\u201d\n bread.  ") == ('the baker\'s dozen - "fresh" bread')
    assert normalise("Pages\u2013and\u2010more\u2212less") == "pages-and-more-less"
    assert normalise("Stra\u00dfe") == normalise("STRASSE")
    assert normalise("ﬁne\u00a0print") == "fine print"  # NFKC ligature and nbsp


@pytest.mark.parametrize("tail", ["...", "\u2026", ". . .", "!?", ".\u201d", ")", "  ...  ", ";"])
def test_normalise_strips_trailing_punctuation_and_ellipsis(tail):
    assert normalise("Glue the spine" + tail) == "glue the spine"


def test_normalise_keeps_inner_punctuation():
    assert normalise("First, fold; then sew.") == "first, fold; then sew"


def test_words_split_hyphens_and_keep_apostrophes():
    assert words("A child\u2019s well-being, mostly.") == (
        "a",
        "child's",
        "well",
        "being",
        "mostly",
    )


# -------------------------------------------------------------------- exact


def test_exact_match():
    m = book().match(SOURDOUGH)
    resolved(m, "sourdough")
    assert m.score == 1.0


@pytest.mark.parametrize(
    "variant",
    [
        SOURDOUGH.upper(),
        "  " + SOURDOUGH.replace(" ", "   \n") + "  ",
        SOURDOUGH.rstrip("."),
        SOURDOUGH.rstrip(".") + "!",
        SOURDOUGH + "..",
    ],
)
def test_exact_after_case_whitespace_and_trailing_punctuation(variant):
    resolved(book().match(variant), "sourdough")


def test_exact_after_quote_and_dash_differences():
    idx = SummaryIndex(
        [
            Candidate(
                "q",
                "Why the \u201cfinal\u201d proof isn\u2019t final \u2014 and what a printer\u2019s proof is really for, explained.",
            )
        ]
    )
    resolved(
        idx.match("why the \"final\" proof isn't final - and what a printer's proof is really for, explained"),
        "q",
    )
    resolved(
        idx.match("Why the \u201efinal\u201f proof isn\u2018t final \u2013 and what a printer\u2032s proof is really for, explained!"),
        "q",
    )


def test_punctuation_only_differences_resolve():
    m = book().match(BINDING.replace("Step-by-step", "Step by step").replace(",", ""))
    resolved(m, "binding")
    assert m.score >= 0.99


# --------------------------------------------------------------- truncation


def test_truncated_with_ellipsis():
    cut = " ".join(COMPOST.split()[:12]) + "..."
    resolved(book().match(cut), "compost")


def test_truncated_with_unicode_ellipsis_mid_word():
    cut = COMPOST[: COMPOST.index("complaints") + 6] + "\u2026"  # "...or compla…"
    resolved(book().match(cut), "compost")


def test_truncated_without_ellipsis_mid_word():
    cut = COMPOST[: COMPOST.index("neighbours") + 5]  # ends "...from the neigh"
    resolved(book().match(cut), "compost")


def test_candidate_is_truncated_and_entry_is_full():
    short = " ".join(BINDING.split()[:13]) + "\u2026"
    idx = SummaryIndex([Candidate("binding", short), Candidate("compost", COMPOST)])
    resolved(idx.match(BINDING), "binding")


def test_truncation_too_short_is_not_evidence():
    # Seven words: below the eight-word minimum.
    outside(book().match(" ".join(SOURDOUGH.split()[:7]) + "..."))
    # Eight words, but under 40% of a 25-word summary.
    long_summary = " ".join(f"w{i}" for i in range(25))
    idx = SummaryIndex([Candidate("long", long_summary)])
    outside(idx.match(" ".join(long_summary.split()[:8]) + "..."))
    resolved(idx.match(" ".join(long_summary.split()[:10]) + "..."), "long")


def test_truncated_prefix_shared_by_two_articles_is_ambiguous():
    # A truncation that is a prefix of two articles cannot choose between them.
    a = "Simple weekly habits for keeping a shared family calendar tidy and useful, from colour codes to reminders."
    b = "Simple weekly habits for keeping a shared family calendar tidy and useful, even with teenagers who never read it."
    idx = SummaryIndex([Candidate("a", a), Candidate("b", b)])
    m = idx.match("Simple weekly habits for keeping a shared family calendar tidy...")
    assert m.status == "ambiguous"
    assert set(m.candidates) == {"a", "b"}
    assert m.key is None


def test_truncated_entry_that_diverges_is_outside():
    cut = "A patient guide to keeping a sourdough starter alive through hot summers..."
    outside(book().match(cut))


# -------------------------------------------------------------- small edits


def test_one_word_edit_resolves():
    edited = SOURDOUGH.replace("cold winters", "long winters")
    m = book().match(edited)
    resolved(m, "sourdough")
    assert 0.9 <= m.score < 1.0


def test_two_word_edits_in_a_twenty_word_summary_resolve():
    edited = COMPOST.replace("small", "tiny").replace("flies", "pests")
    assert len(words(COMPOST)) >= 20
    resolved(book().match(edited), "compost")


def test_inserted_and_deleted_word_resolve():
    resolved(
        book().match(BINDING.replace("simple pamphlet", "simple sturdy pamphlet")),
        "binding",
    )
    resolved(book().match(SOURDOUGH.replace("occasional ", "")), "sourdough")


def test_three_word_edits_in_a_twenty_word_summary_do_not_resolve():
    edited = COMPOST.replace("small", "tiny").replace("flies", "pests").replace("cardboard", "newspaper")
    outside(book().match(edited))


def test_near_identical_wording_but_different_article_is_outside():
    # Eighteen words, two of them (the subject) different: a different article.
    idx = SummaryIndex(
        [
            Candidate(
                "knives",
                "A beginner's guide to sharpening kitchen knives on a whetstone at home, with safety tips for every step.",
            )
        ]
    )
    outside(idx.match("A beginner's guide to sharpening garden shears on a whetstone at home, with safety tips for every step."))
    outside(idx.match("A beginner's guide to honing garden shears on a whetstone at home, with safety tips for each step."))
    # Known limit of text-only matching: a single changed word in an 18-word
    # summary counts as an edit of the same article (the rules require that),
    # even when the word is the subject.
    m = idx.match("A beginner's guide to sharpening kitchen scissors on a whetstone at home, with safety tips for every step.")
    assert m.status == "resolved"


def test_same_topic_different_article_is_outside():
    # Same opening and shape as TRUST/ROUTINES but a third article.
    entry = (
        "Practical ways to help teenagers rebuild confidence after a long illness, "
        "with small goals, shared hobbies, and honest conversations about fear."
    )
    outside(book().match(entry))
    # And the two similar book articles never resolve to each other.
    idx = SummaryIndex([Candidate("trust", TRUST)])
    outside(idx.match(ROUTINES))
    idx = SummaryIndex([Candidate("routines", ROUTINES)])
    outside(idx.match(TRUST))


def test_similar_book_articles_each_resolve_to_themselves():
    resolved(book().match(TRUST), "trust")
    resolved(book().match(ROUTINES), "routines")
    resolved(book().match(TRUST.replace("weekly", "regular")), "trust")


def test_two_candidates_within_margin_are_ambiguous():
    a = "Notes on choosing paper grain direction for hardcover books, covering folding tests, humidity, and how warping shows up years later in storage."
    b = "Notes on choosing paper grain direction for softcover books, covering folding tests, humidity, and how warping shows up years later in storage."
    idx = SummaryIndex([Candidate("hard", a), Candidate("soft", b), Candidate("compost", COMPOST)])
    m = idx.match(a.replace("hardcover", "cased"))  # equally far from both
    assert m.status == "ambiguous"
    assert m.key is None
    assert set(m.candidates) == {"hard", "soft"}
    # Each exact text still resolves to its own article.
    resolved(idx.match(a), "hard")
    resolved(idx.match(b), "soft")


def test_identical_summaries_are_ambiguous():
    idx = SummaryIndex([Candidate("one", COMPOST), Candidate("two", COMPOST)])
    m = idx.match(COMPOST)
    assert m.status == "ambiguous"
    assert m.candidates == ("one", "two")


def test_dates_and_categories_are_not_evidence():
    # The API takes no date or category; text around the summary is not stripped for you.
    outside(book().match("Gardening"))
    outside(book().match("July 26, 2025"))


# ------------------------------------------------------------------ exclude


def test_exclude_self_exact():
    outside(book().match(SOURDOUGH, exclude="sourdough"))
    resolved(book().match(COMPOST, exclude="sourdough"), "compost")


def test_exclude_self_fuzzy_and_truncated():
    outside(book().match(SOURDOUGH.replace("cold", "long"), exclude="sourdough"))
    outside(book().match(" ".join(SOURDOUGH.split()[:12]) + "...", exclude="sourdough"))


def test_exclude_self_does_not_hand_the_link_to_a_lookalike():
    a = "Notes on choosing paper grain direction for hardcover books, covering folding tests, humidity, and how warping shows up years later in storage."
    b = a.replace("years later", "months later")
    idx = SummaryIndex([Candidate("hard", a), Candidate("other", b)])
    # The entry is the citing article's own summary: no link to the lookalike.
    outside(idx.match(a, exclude="hard"))
    # Equally close to self and to the other: doubt, naming only the other.
    m = idx.match(a.replace("years later", "decades later"), exclude="hard")
    assert m.status == "ambiguous"
    assert m.candidates == ("other",)


# ------------------------------------------------------------------- short


def test_short_summaries_need_exact_match():
    idx = SummaryIndex(
        [
            Candidate("s", "Glue, thread, and patience."),
            Candidate("t", "Nine ways to fold a map"),
        ]
    )
    resolved(idx.match("glue, thread and patience"), "s")
    outside(idx.match("Glue, thread, and time."))
    outside(idx.match("Glue, thread..."))
    resolved(idx.match("Nine ways to fold a map!"), "t")
    outside(idx.match("Ten ways to fold a map"))
    outside(idx.match("Nine ways to fold a chart"))


def test_short_edit_below_ten_words_is_not_fuzzy():
    idx = SummaryIndex([Candidate("m", "Eight small habits that keep a workshop bench tidy")])
    outside(idx.match("Eight small habits that keep a kitchen bench tidy"))


def test_empty_inputs():
    outside(book().match(""))
    outside(book().match("  ...  "))
    idx = SummaryIndex([Candidate("blank", "   "), Candidate("dots", "\u2026")])
    outside(idx.match(""))
    outside(idx.match("..."))
    assert len(idx) == 0


# ------------------------------------------------------------- performance


def _fake_summary(rng: random.Random, vocab: list[str]) -> str:
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(14, 32))) + "."


def test_bulk_run_completes():
    # Not a timing assertion: just exercise 500 candidates x 500 entries once,
    # with a shared vocabulary so the prefilter has work to do.
    rng = random.Random(20250801)
    vocab = [f"word{i}" for i in range(400)] + [
        "the",
        "and",
        "of",
        "to",
        "a",
        "with",
    ] * 20
    cands = [Candidate(f"k{i}", _fake_summary(rng, vocab)) for i in range(500)]
    idx = SummaryIndex(cands)
    entries = []
    for i in range(500):
        if i % 5 == 0:
            entries.append(cands[i].summary)  # exact
        elif i % 5 == 1:
            entries.append(" ".join(cands[i].summary.split()[:12]) + "...")  # truncated
        elif i % 5 == 2:
            ws = cands[i].summary.split()
            ws[len(ws) // 2] = "changed"
            entries.append(" ".join(ws))  # one edit
        else:
            entries.append(_fake_summary(rng, vocab))  # outside (almost surely)
    results = [idx.match(e, exclude="k0") for e in entries]
    assert len(results) == 500
    assert results[1].status == "resolved" and results[1].key == "k1"
    assert results[2].status == "resolved" and results[2].key == "k2"
    assert results[5].key == "k5"
    assert results[0].status == "outside"  # its own summary, excluded
