"""Hostile and broken pages, generated: what an attacker or a broken server sends to the extractor.

Used by the fuzz test (tests/test_hostile.py), the nesting line of tools/bench/, and to write
the regression fixtures in tests/fixtures/hostile/ (the pages that found bugs):

    python tools/hostile.py --write-fixtures

Every generator is deterministic: the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "hostile"

MARKER = "The council approved the new budget for the city library on Tuesday evening."
SENTENCE = "Residents spoke for and against the plan at the long public meeting. "
PARAGRAPH = f"<p>{MARKER} {SENTENCE * 3}</p>"
ARTICLE = PARAGRAPH * 4


def page(body: str, head: str = "", title: str = "Hostile page") -> bytes:
    """A page with a title and an article of four paragraphs after ``body``."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{body}{ARTICLE}</body></html>"
    ).encode()


# --- the pages that found bugs (see tests/fixtures/hostile/) ---------------------------------------


def nested_divs(n: int) -> bytes:
    """The article inside ``n`` nested <div>: was quadratic (100k: 509 s)."""
    return (
        "<!doctype html><html><head><title>Nested page</title></head><body>"
        + "<div>" * n
        + "<h1>Nested page</h1>"
        + ARTICLE
        + "</div>" * n
        + "</body></html>"
    ).encode()


def unclosed_divs(n: int) -> bytes:
    """``n`` <div> opened with a word each and never closed, then the article."""
    return page("<div>x " * n)


def deep_json_ld(depth: int) -> bytes:
    """A valid NewsArticle JSON-LD block beside one nested ``depth`` levels deep: the deep one
    raised RecursionError and lost the article."""
    good = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Library budget approved",
            "datePublished": "2024-03-05T10:00:00+00:00",
        }
    )
    deep = '{"@type": "NewsArticle", "author": ' + "[" * depth + "]" * depth + "}"
    head = (
        f'<script type="application/ld+json">{good}</script>'
        f'<script type="application/ld+json">{deep}</script>'
    )
    return page("<h1>Library budget approved</h1>", head=head, title="Library budget approved")


def many_times(n: int) -> bytes:
    """``n`` <time> elements in one parent: each read its whole parent's text (10k: 110 s)."""
    return page("<div>" + "<time>soon</time>" * n + "</div>")


def many_self_links(n: int) -> bytes:
    """``n`` links to the page itself in one parent (10k: 74 s)."""
    return page("<div>" + '<a href="https://example.com/a">this page</a>' * n + "</div>")


def unclosed_json_ld(n: int) -> bytes:
    """``n`` JSON-LD scripts never closed: each rescanned the rest of the page (10k: 67 s)."""
    return page('<script type="application/ld+json">{' * n)


def unclosed_script_tags(n: int) -> bytes:
    """``n`` "<script " with no ">": each rescanned the rest of the page (30k: 33 s)."""
    return page("<script " * n)


def unclosed_comments(n: int) -> bytes:
    """``n`` "<!--" never closed (10k: 4 s)."""
    return page("<!--" * n)


# name -> (the page, a text its extracted body must contain; None: the page leaves no body)
REGRESSIONS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "nested-divs-100k": (lambda: nested_divs(100_000), MARKER),
    "unclosed-divs-20k": (lambda: unclosed_divs(20_000), MARKER),
    "deep-json-ld-5000": (lambda: deep_json_ld(5_000), MARKER),
    "many-times-10k": (lambda: many_times(10_000), MARKER),
    "many-self-links-10k": (lambda: many_self_links(10_000), MARKER),
    "unclosed-json-ld-10k": (lambda: unclosed_json_ld(10_000), None),  # the rest is a script
    "unclosed-script-tags-30k": (lambda: unclosed_script_tags(30_000), None),
    "unclosed-comments-10k": (lambda: unclosed_comments(10_000), None),  # the rest is a comment
}


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.hostile.gz"


# --- random pages for the fuzz test ----------------------------------------------------------------


def words(text: str) -> list[str]:
    return text.split()


TAGS = words(
    "div span p a li ul ol table tr td th h1 h2 h3 header footer time figure figcaption b i em strong "
    "section article aside nav main blockquote pre br small font label address dl dt dd form"
)
CLASSES = words(
    "share related teaser article-body entry-content author byline credit date meta comments sidebar "
    "caption kicker widget card c1 c2 post-author published updated copyright gallery footer"
)
WORDS = words(
    "Source: Фото: المصدر: Published Updated 12 May 2021 2023-04-05 вчера منذ Reuters TASS (AP) © "
    "By Von Автор: x the of and council library budget approved 05.03.2024 Copyright Related "
    "Comments Читайте также اقرأ أيضا"
)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _open_tag(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(TAGS)
    attrs = ""
    if rng.random() < 0.5:
        attrs += f' class="{rng.choice(CLASSES)} {rng.choice(CLASSES)}"'
    if name == "a" and rng.random() < 0.7:
        attrs += f' href="{rng.choice(["/", "https://example.com/a", "#", "/x?y=1", ""])}"'
    if name == "time" and rng.random() < 0.5:
        attrs += f' datetime="{rng.choice(["2021-05-12", "x", "2099-01-01", "12 May 2021"])}"'
    if rng.random() < 0.1:
        attrs += f' itemprop="{rng.choice(["author", "datePublished", "name", "headline"])}"'
    return name, f"<{name}{attrs}>"


def random_nesting(rng: random.Random) -> bytes:
    """Random tags opened and closed (or not), up to a few thousand deep, with text."""
    parts: list[str] = []
    stack: list[str] = []
    for _ in range(rng.randint(10, 3000)):
        r = rng.random()
        if r < 0.5:
            name, tag = _open_tag(rng)
            parts.append(tag)
            stack.append(name)
        elif r < 0.7 and stack:
            parts.append(f"</{stack.pop()}>")
        elif r < 0.75:
            parts.append(f"</{rng.choice(TAGS)}>")  # a closing tag never opened
        else:
            parts.append(_text(rng, rng.randint(1, 12)))
    if rng.random() < 0.5:
        parts.extend(f"</{name}>" for name in reversed(stack))
    return page("".join(parts))


def unclosed_tags(rng: random.Random) -> bytes:
    """Opening tags only: everything nests in everything."""
    tags = (_open_tag(rng)[1] + _text(rng, rng.randint(0, 3)) for _ in range(rng.randint(1, 3000)))
    return page("".join(tags))


def huge_attributes(rng: random.Random) -> bytes:
    """Attribute values of up to a few hundred KB, some never closed by a quote."""
    value = rng.choice(["a", "share ", "x-", '"', "<", ">", "é"]) * rng.randint(1, 100_000)
    quote = rng.choice(['"', "'", ""])
    attr = rng.choice(["class", "id", "style", "content", "href", "data-x", "datetime"])
    tag = rng.choice(["div", "meta name='author'", "a", "time", "p", "meta property='og:title'"])
    close = quote if rng.random() < 0.8 else ""
    return page(f"<{tag} {attr}={quote}{value}{close}>" + _text(rng, 20))


def long_line(rng: random.Random) -> bytes:
    """One line of up to 1 MB: words, or one word without a space."""
    if rng.random() < 0.5:
        body = _text(rng, rng.randint(1_000, 50_000))
    else:
        body = rng.choice("aé1<>&;") * rng.randint(1_000, 300_000)
    return page(f"<p>{body}</p>") if rng.random() < 0.7 else body.encode()


def bad_encoding(rng: random.Random) -> bytes:
    """A page in a wrong, mixed or undeclared encoding, or with NUL and control characters."""
    base = random_nesting(rng)
    text = base.decode()
    kind = rng.randrange(6)
    if kind == 0:  # invalid UTF-8 bytes sprinkled
        data = bytearray(base)
        for _ in range(rng.randint(1, 200)):
            data.insert(rng.randrange(len(data) + 1), rng.randint(0x80, 0xFF))
        return bytes(data)
    if kind == 1:  # UTF-8 and cp1251 mixed
        cut = rng.randrange(len(text) + 1)
        return text[:cut].encode() + "Новости дня: бюджет принят".encode("cp1251") + text[cut:].encode()
    if kind == 2:  # UTF-16 without a BOM
        return text.encode(rng.choice(["utf-16-le", "utf-16-be"]))
    if kind == 3:  # NUL and control characters
        chars = list(text)
        for _ in range(rng.randint(1, 300)):
            chars.insert(rng.randrange(len(chars) + 1), chr(rng.choice([0, 1, 7, 8, 11, 12, 27, 127])))
        return "".join(chars).encode()
    if kind == 4:  # a declared charset that is wrong or unknown
        declared = rng.choice(["utf-16", "x-bogus", "cp1256", "utf-32", "shift_jis", "7bit"])
        return text.replace("charset='utf-8'", f"charset='{declared}'").encode()
    return codecs.BOM_UTF8 + text.encode("utf-16-le")  # a BOM that lies


def _random_json(rng: random.Random, depth: int) -> object:
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(["", "x", 1, 1.5e308, None, True, "2021-05-12", "Jane Doe", [], {}, 10**30])
    if rng.random() < 0.5:
        return [_random_json(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    keys = ["@type", "@graph", "headline", "name", "author", "datePublished", "image", "mainEntity"]
    keys += ["publisher", "creditText"]
    return {rng.choice(keys): _random_json(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def json_ld_blocks(rng: random.Random) -> bytes:
    """JSON-LD: random types and shapes, nested too deep, truncated, or not JSON at all."""
    blocks = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        if kind == 0:
            raw = json.dumps(_random_json(rng, 6))
        elif kind == 1:
            depth = rng.randint(50, 20_000)
            opener = rng.choice(["[", '{"a":', '{"@graph":[', '{"author":'])
            closer = {"[": "]", '{"a":': "}", '{"@graph":[': "]}", '{"author":': "}"}[opener]
            raw = opener * depth + "1" + closer * depth
        elif kind == 2:
            raw = json.dumps(_random_json(rng, 4))[: rng.randint(0, 50)]
        elif kind == 3:
            raw = '{"@type": "NewsArticle", "headline": ' + json.dumps(_text(rng, 5)) + "}"
        else:
            raw = "".join(rng.choice('{}[]",:1aé\\\x00') for _ in range(rng.randint(0, 500)))
        blocks.append(f'<script type="application/ld+json">{raw}</script>')
    return page("<h1>Hostile page</h1>", head="".join(blocks))


def random_bytes(rng: random.Random) -> bytes:
    """Bytes from nowhere, sometimes behind an HTML-looking start."""
    data = rng.randbytes(rng.randint(0, 20_000))
    return (b"<html><body>" + data) if rng.random() < 0.3 else data


FUZZERS: dict[str, Callable[[random.Random], bytes]] = {
    "random nesting": random_nesting,
    "unclosed tags": unclosed_tags,
    "huge attributes": huge_attributes,
    "long line": long_line,
    "bad encoding": bad_encoding,
    "json-ld": json_ld_blocks,
    "random bytes": random_bytes,
}


def fuzz_pages(count: int, seed: int) -> list[tuple[str, bytes]]:
    """``count`` pages, drawn in turn from every fuzzer, the same for the same seed."""
    rng = random.Random(seed)
    names = list(FUZZERS)
    return [(f"{names[i % len(names)]} #{i}", FUZZERS[names[i % len(names)]](rng)) for i in range(count)]


def write_fixtures() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in REGRESSIONS.items():
        data = make()
        fixture_path(name).write_bytes(gzip.compress(data, mtime=0))
        print(f"{fixture_path(name)}: {len(data):,} bytes")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write-fixtures", action="store_true", help=f"write {FIXTURES}")
    if ap.parse_args().write_fixtures:
        write_fixtures()
