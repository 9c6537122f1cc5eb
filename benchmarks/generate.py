"""Generate a synthetic Bindery book of N articles for the benchmarks.

    python3 benchmarks/generate.py 200 /tmp/book-200

Every article is about 1,600 words (about five pages at 6x9 in) of generated
text: a summary, a date and a category in its front matter, a few sections
with `##` and `###` headings, lists, a block quote, footnotes and now and then
a table, and a "related" list whose entries quote the summaries of other
articles of the book (so they resolve as cross-references) or of articles
that are not in it (so they become further reading). The book has parts, a
grouped chapter (several articles as sections), a preface and an appendix.

The text is built from the word list below with a seeded random generator, so
the same N and seed always give byte-identical files. It is meaningless but
has the word lengths, sentence lengths and paragraph shapes of prose, which is
what layout time depends on.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

FUNCTION_WORDS = (
    "the the the the of of of and and and to to a a in in is that for it as with was on be by at this "
    "from or an are not but which have has its their they more one all can been when would there so"
).split()

NOUNS = (
    "archive article author binding book border caption chapter column cover draft edition editor essay "
    "figure folio font gutter heading index journal layout ledger letter library line margin market "
    "measure method note notebook page paper paragraph passage printer proof publisher quarto reader "
    "record region review river sentence series signature source spine story study summary table text "
    "theme title tradition typeface version village volume voice window winter workshop harbour island "
    "garden bridge valley station engine orchard lantern kitchen meadow canal tower festival museum "
    "question answer pattern season weather distance morning evening surface method habit craft skill"
).split()

ADJECTIVES = (
    "ancient bright careful central clear common complete concise curious dense early easy familiar "
    "final formal fragile generous gentle heavy honest hidden large late light local modest narrow "
    "native neat obvious open orderly patient plain practical precise quiet rapid rare regular rough "
    "simple slow small sound steady strange strong subtle thin tidy uneven useful vivid warm wide "
    "northern southern coastal rural urban seasonal annual weekly printed bound digital editorial"
).split()

VERBS = (
    "arranges binds builds carries changes collects compares describes divides explains follows gathers "
    "holds improves joins keeps lists measures moves names opens orders places prepares prints reads "
    "records reduces repeats returns reveals shapes shows sorts suggests supports traces turns writes "
    "balances connects frames guides marks settles softens tightens widens"
).split()

ADVERBS = "always carefully clearly often rarely quietly slowly usually simply gradually rather quite".split()

PLACES = "Aldermoor Brackwell Caddon Drimsey Elvaston Farrowdale Greystead Halmouth Inverlea Kestwick Lorne Marrowby".split()

CATEGORIES = ("Travel", "History", "Craft", "Nature", "Food", "Architecture", "Walking", "Rivers")

PART_TITLES = (
    "Coast and Harbour",
    "Hills and Valleys",
    "Towns and Markets",
    "Rivers and Canals",
    "Gardens and Orchards",
    "Roads and Railways",
    "Islands",
    "Winter Journeys",
)

ARTICLES_PER_PART = 25
WORDS_PER_ARTICLE = 1600
GROUPED_CHAPTER_SIZE = 3


@dataclass(frozen=True)
class Article:
    number: int
    stem: str
    title: str
    summary: str
    date: str
    category: str


class Text:
    """Sentences, paragraphs and headings from the word lists, with one seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def phrase(self) -> list[str]:
        r = self.rng
        words = [r.choice(("the", "a", "each", "every", "this", "one")), r.choice(ADJECTIVES), r.choice(NOUNS)]
        if r.random() < 0.3:
            words += ["of", r.choice(("the", "a")), r.choice(NOUNS)]
        return words

    def sentence(self, low: int = 8, high: int = 26) -> str:
        r = self.rng
        target = r.randint(low, high)
        words = self.phrase() + ([r.choice(ADVERBS)] if r.random() < 0.3 else []) + [r.choice(VERBS)] + self.phrase()
        while len(words) < target:
            pick = r.random()
            if pick < 0.45:
                words.append(r.choice(FUNCTION_WORDS))
            elif pick < 0.75:
                words.append(r.choice(NOUNS))
            elif pick < 0.9:
                words.append(r.choice(ADJECTIVES))
            elif pick < 0.97:
                words.append(r.choice(VERBS))
            else:
                words.append(r.choice(PLACES))
            if r.random() < 0.06 and len(words) < target - 3:
                words[-1] += ","
        words[0] = words[0].capitalize()
        return " ".join(words).rstrip(",") + ("?" if r.random() < 0.08 else ".")

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        r = self.rng
        shape = r.randrange(3)
        if shape == 0:
            return f"The {r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS).capitalize()} of {r.choice(PLACES)}"
        if shape == 1:
            return f"{r.choice(PLACES)}: {r.choice(('A', 'The'))} {r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS).capitalize()}"
        return f"{r.choice(NOUNS).capitalize()} and {r.choice(NOUNS).capitalize()} in {r.choice(PLACES)}"

    def heading(self) -> str:
        r = self.rng
        return f"{r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS)}{r.choice(('', '', ' and ' + r.choice(NOUNS)))}"


def plan_articles(n: int, rng: random.Random) -> list[Article]:
    text = Text(rng)
    articles = []
    seen: set[str] = set()
    for i in range(1, n + 1):
        summary = ""
        while not summary or summary in seen:
            # A long, distinct dek: the place name and number keep it unique.
            summary = f"{text.sentence(18, 26)[:-1]} in {rng.choice(PLACES)}, number {i}."
        seen.add(summary)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        articles.append(
            Article(i, f"article-{i:04d}", text.title(), summary, f"20{rng.randint(18, 25)}-{month:02d}-{day:02d}", rng.choice(CATEGORIES))
        )
    return articles


def outside_summaries(n: int, rng: random.Random) -> list[str]:
    """Summaries of articles that are not in the book (further reading), shared between articles."""
    text = Text(rng)
    return [f"{text.sentence(14, 22)[:-1]}, elsewhere {i}." for i in range(1, max(4, n // 4) + 1)]


def yaml_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def article_markdown(art: Article, articles: list[Article], outside: list[str], rng: random.Random) -> str:
    text = Text(rng)
    others = [a for a in articles if a.number != art.number]
    related_in = rng.sample(others, k=min(len(others), rng.randint(2, 4)))
    related_out = rng.sample(outside, k=rng.randint(1, 2))
    lines = [
        "---",
        f"title: {yaml_quote(art.title)}",
        f"summary: {yaml_quote(art.summary)}",
        f"date: {art.date}",
        "authors: [Ada Quarry]",
        f"category: {art.category}",
        "related:",
    ]
    for other in related_in:
        lines += [f"  - summary: {yaml_quote(other.summary)}", f"    date: {other.date}", f"    category: {other.category}"]
    for summary in related_out:
        lines += [f"  - summary: {yaml_quote(summary)}", f"    category: {rng.choice(CATEGORIES)}"]
    lines += ["---", ""]

    words = 0
    notes: list[str] = []
    body: list[str] = []

    def para(sentences: int) -> None:
        nonlocal words
        p = text.paragraph(sentences)
        if rng.random() < 0.18:
            notes.append(text.paragraph(rng.randint(1, 2)))
            words += len(notes[-1].split())
            p = p[:-1] + f"[^{len(notes)}]" + p[-1]
        if rng.random() < 0.15:
            cut = p.find(" ", len(p) // 3)
            end = p.find(" ", cut + 1 + rng.randint(8, 30))
            if cut > 0 and end > cut:
                p = p[: cut + 1] + "*" + p[cut + 1 : end] + "*" + p[end:]
        words += len(p.split())
        body.append(p)

    para(rng.randint(4, 6))
    para(rng.randint(3, 6))
    section = 0
    while words < WORDS_PER_ARTICLE:
        section += 1
        body.append(f"## {text.heading()}")
        for _ in range(rng.randint(2, 4)):
            if words < WORDS_PER_ARTICLE:
                para(rng.randint(3, 7))
        kind = rng.random()
        if kind < 0.25:
            items = [text.sentence(5, 14) for _ in range(rng.randint(3, 6))]
            words += sum(len(i.split()) for i in items)
            body.append("\n".join(f"- {i}" for i in items))
        elif kind < 0.4:
            quote = text.paragraph(2)
            words += len(quote.split())
            body.append("> " + quote)
        elif kind < 0.5:
            rows = [
                f"| {rng.choice(PLACES)} | {rng.randint(2, 40)} km | {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} |"
                for _ in range(rng.randint(3, 6))
            ]
            body.append("| Place | Distance | Notes |\n|---|---|---|\n" + "\n".join(rows))
            words += 5 * len(rows)
        if rng.random() < 0.4 and words < WORDS_PER_ARTICLE:
            body.append(f"### {text.heading()}")
            for _ in range(rng.randint(1, 3)):
                para(rng.randint(3, 6))
    for n, note in enumerate(notes, start=1):
        body.append(f"[^{n}]: {note}")
    return "\n".join(lines) + "\n" + "\n\n".join(body) + "\n"


def manifest_yaml(n: int, articles: list[Article]) -> str:
    lines = [
        "# A synthetic book generated by benchmarks/generate.py.",
        f"title: Field Notes, {n} Articles",
        "subtitle: A Generated Guidebook for Benchmarks",
        "authors:",
        "  - name: Ada Quarry",
        "    role: author",
        "language: en",
        "publisher: Bindery Benchmarks",
        "date: 2026-11-01",
        "description: A generated book whose only purpose is to measure how long Bindery takes.",
        "front_matter:",
        "  - {file: articles/preface.md, type: preface}",
        "parts:",
    ]
    parts = [articles[i : i + ARTICLES_PER_PART] for i in range(0, len(articles), ARTICLES_PER_PART)]
    for p, part in enumerate(parts):
        title = PART_TITLES[p % len(PART_TITLES)] + ("" if p < len(PART_TITLES) else f" {p // len(PART_TITLES) + 1}")
        lines += [f"  - title: {yaml_quote(title)}", "    chapters:"]
        rest = part
        if p == 0 and len(part) > GROUPED_CHAPTER_SIZE:
            lines += ["      - title: Getting Around", "        articles:"]
            lines += [f"          - articles/{a.stem}.md" for a in part[:GROUPED_CHAPTER_SIZE]]
            rest = part[GROUPED_CHAPTER_SIZE:]
        lines += [f"      - articles/{a.stem}.md" for a in rest]
    lines += [
        "back_matter:",
        "  - {file: articles/appendix.md, type: appendix}",
        "pdf:",
        "  trim: 6x9",
        "  font_size: 10.5pt",
    ]
    return "\n".join(lines) + "\n"


def matter_markdown(title: str, rng: random.Random, paragraphs: int) -> str:
    text = Text(rng)
    return f"---\ntitle: {title}\n---\n\n" + "\n\n".join(text.paragraph(rng.randint(3, 6)) for _ in range(paragraphs)) + "\n"


def generate(n: int, out: Path, seed: int = 1) -> Path:
    """Write a book of `n` articles into `out` (replacing it) and return the folder."""
    if n < 1:
        raise ValueError("a book needs at least one article")
    rng = random.Random(f"bindery-benchmark-{seed}-{n}")
    articles = plan_articles(n, rng)
    outside = outside_summaries(n, rng)
    if out.exists():
        shutil.rmtree(out)
    folder = out / "articles"
    folder.mkdir(parents=True)
    for art in articles:
        (folder / f"{art.stem}.md").write_text(article_markdown(art, articles, outside, rng), encoding="utf-8")
    (folder / "preface.md").write_text(matter_markdown("Preface", rng, 4), encoding="utf-8")
    (folder / "appendix.md").write_text(matter_markdown("About These Notes", rng, 3), encoding="utf-8")
    (out / "book.yaml").write_text(manifest_yaml(n, articles), encoding="utf-8")
    return out


def article_files(book: Path) -> list[Path]:
    """The generated articles in reading order (the order of book.yaml)."""
    return sorted((book / "articles").glob("article-*.md"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=int, help="number of articles (N)")
    parser.add_argument("out", type=Path, help="folder to write the book into (replaced)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    book = generate(args.articles, args.out, args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split("\n---\n", 1)[1].split()) for p in article_files(book))
    print(f"{book}: {args.articles} articles, {words} words in their bodies ({words // args.articles} per article)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
