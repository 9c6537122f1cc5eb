"""Site furniture in a raw export: advertisements, share bars, read-more links ..."""

from __future__ import annotations

import re

from bindery.rawexport.meta import _is_reading_time

_NOISE: dict[str, str] = {}
for _kind, _phrases in {
    "advertisement": (
        "advertisement",
        "advertisements",
        "advert",
        "ad",
        "ads",
        "sponsored",
        "sponsored content",
        "sponsored post",
        "sponsored links",
        "paid content",
        "paid post",
        "promoted",
        "promoted content",
        "advertisement continue reading below",
        "story continues below advertisement",
        "ad feedback",
    ),
    "continue_reading": (
        "continue reading",
        "continue reading below",
        "story continues below",
        "article continues below",
        "continue reading the main story",
        "scroll to continue",
        "scroll to continue with content",
        "keep reading",
    ),
    "read_more": (
        "read more",
        "read next",
        "read also",
        "also read",
        "see also",
        "more to read",
        "load more",
        "show more",
        "see more",
        "view more",
        "read the full story",
        "read full article",
    ),
    "share_bar": (
        "share",
        "share this",
        "share this article",
        "share this story",
        "share this post",
        "share article",
        "share this page",
        "share on facebook",
        "share on x",
        "share on twitter",
        "tweet this",
        "share via email",
        "copy link",
        "link copied",
        "share with a friend",
    ),
    "subscribe": (
        "subscribe",
        "subscribe now",
        "sign up",
        "sign up for our newsletter",
        "newsletter",
        "get our newsletter",
        "join our newsletter",
        "subscribe to our newsletter",
    ),
}.items():
    for _phrase in _phrases:
        _NOISE[_phrase] = _kind
_NOISE_PREFIX = re.compile(r"(?P<p>read more|read next|read also|also read|see also|related|more)\s*:\s*\S", re.I)
_SEPARATOR = re.compile(r"[-–—_*•·=~+.|/\\](?:[-–—_*•·=~+.|/\\\s]*[-–—_*•·=~+.|/\\])?")  # no nested quantifier
_FOOTER = re.compile(r"(?:©|\(c\)\s*\d{4}|copyright\s+(?:©|\(c\)|\d{4})).{0,150}", re.I)

_NETWORKS = {
    "facebook", "x", "twitter", "reddit", "pinterest", "email", "e-mail", "linkedin", "whatsapp", "telegram",
    "threads", "mastodon", "bluesky", "tumblr", "pocket", "flipboard", "messenger", "vk", "weibo", "wechat",
    "digg", "hackernews", "instagram", "youtube", "tiktok", "snapchat", "xing", "viber", "evernote", "gmail",
    "sms", "mix", "line", "substack",
}  # fmt: skip
_SHARE_WORDS = {"share", "copy", "link", "print", "tweet", "save", "bookmark", "comment", "comments", "mail", "more", "pin", "post"}
_FILLERS = {"on", "via", "this", "article", "story", "page", "the", "to", "by", "it", "with"}
_MULTIWORD = {"hacker news": "hackernews", "google+": "googleplus"}


def _noise_key(text: str) -> str:
    key = text.casefold()
    key = re.sub(r"\s[-–—|·•:]+\s", " ", key)
    key = key.strip(" .:…»›>→«‹<←-–—|·•*")
    return " ".join(key.split())


def _noise_kind(text: str) -> str | None:
    """The kind of furniture this line is, or None for content."""
    if _SEPARATOR.fullmatch(text):
        return "separator"
    key = _noise_key(text)
    if not key:
        return "separator"
    words = key.split()
    for period in range(1, len(words) + 1):  # "ADVERTISEMENT ADVERTISEMENT" is one phrase twice
        if len(words) % period == 0 and words == words[:period] * (len(words) // period):
            base = " ".join(words[:period])
            if base in _NOISE:
                return _NOISE[base]
            break
    if len(words) <= 20 and _NOISE_PREFIX.match(text.strip()) and not text.rstrip().endswith((".", "!")):
        return "read_more"  # a link's title; "More: a survey found that ... ." is a sentence of the article
    if _FOOTER.fullmatch(text) and len(words) <= 25 and (len(words) <= 10 or re.search(r"©|\(c\)|rights reserved", key)):
        return "footer"  # "Copyright 1998 was the year the law changed ..." is a sentence of the article
    if _is_reading_time(text, need_read=True):
        return "reading_time"
    return None


def _share_tokens(text: str) -> list[str]:
    low = text.casefold()
    for phrase, token in _MULTIWORD.items():
        low = low.replace(phrase, token)
    return [t.strip(":()[]") for t in re.split(r"[\s|·•/,]+", low) if t.strip(":()[]")]


def _is_share_bar(text: str, *, near_header: bool) -> bool:
    if len(text) > 160 or text[-1] in ".!?;":
        return False
    tokens = _share_tokens(text)
    if not tokens:
        return False
    networks = len({t for t in tokens if t in _NETWORKS})  # "Line by line" names one network, twice
    known = sum(t in _NETWORKS or t in _SHARE_WORDS for t in tokens)
    fillers = sum(t in _FILLERS for t in tokens)
    if known and known + fillers == len(tokens):
        return networks >= 2 or (near_header and _enough_near_header(tokens, networks, known))
    return near_header and _unknown_network_bar(text, known * 2 > len(tokens) and networks >= 1)


def _enough_near_header(tokens: list[str], networks: int, known: int) -> bool:
    """Near the header one network name, two share words or a leading "share" will do."""
    return networks >= 1 or known >= 2 or tokens[0] == "share"


def _unknown_network_bar(text: str, mostly_known: bool) -> bool:
    """A short line of capitalised single tokens near the header, mostly known names."""
    if len(text) > 100:
        return False
    raw = text.split()
    if len(raw) < 2 or not all(w[0].isupper() or w[0].isdigit() for w in raw):
        return False
    return mostly_known


_RELATED_HEADINGS = {
    "related articles", "related article", "related posts", "related stories", "related content",
    "related reading", "related links", "related", "you may also like", "you might also like",
    "you may also enjoy", "you might also enjoy", "more like this", "recommended for you",
    "recommended articles", "recommended stories",
}  # fmt: skip


def _is_related_heading(text: str) -> bool:
    return _noise_key(text) in _RELATED_HEADINGS
