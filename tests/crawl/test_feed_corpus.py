"""Feed discovery over feedparser's own test feeds (``../shared/corpora/feedparser/tests/``):
about 1,770 real-world shapes and breakages (bad entities, encodings, xml:base, CDF, RSS
0.9x-2.0, Atom 0.3/1.0).

Every file goes through ``parse_feed`` without a crash (links or a DiscoveryError), and
wherever feedparser itself finds article links on the same bytes, ours are the same, in the
same order. The only deliberate difference: a feed that declares entities is refused as
hostile XML (feedparser strips the declarations and reads on).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from etl.crawl.discover import DiscoveryError, parse_feed
from tests.conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpora" / "feedparser" / "tests"
REFUSED = {  # file: why our answer differs from feedparser's on purpose
    "wellformed/rss/entity_in_doctype.xml": "declares an entity: refused as hostile XML",
    "wellformed/rdf/doctype_contains_entity_decl.xml": "declares an entity: refused as hostile XML",
}


def feeds() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the feedparser corpus is not at {CORPUS}")
    return sorted(CORPUS.rglob("*.xml"))


def base_of(path: Path) -> str:
    return "http://127.0.0.1:8097/" + path.relative_to(CORPUS.parent).as_posix()


def reference_links(data: bytes, base: str) -> list[str]:
    """What feedparser gives as each entry's link, absolute http(s) URLs only."""
    parsed = feedparser.parse(data, response_headers={"content-location": base}, sanitize_html=False)
    links = (urljoin(base, entry.get("link") or "") for entry in parsed.entries if entry.get("link"))
    return [link for link in links if link.startswith(("http://", "https://"))]


def our_links(data: bytes, base: str) -> list[str]:
    try:
        return [link.url for link in parse_feed(data, base) if link.error is None]
    except DiscoveryError:
        return []


@pytest.mark.slow
def test_every_corpus_feed_gives_feedparsers_links() -> None:
    compared, differ = 0, []
    for path in feeds():
        name = path.relative_to(CORPUS).as_posix()
        data, base = path.read_bytes(), base_of(path)
        if name in REFUSED:
            with pytest.raises(DiscoveryError, match="hostile XML refused"):
                parse_feed(data, base)
            continue
        expected, ours = reference_links(data, base), our_links(data, base)
        if expected or ours:
            compared += 1
            if ours != expected:
                differ.append((name, expected[:3], ours[:3]))
    assert compared > 80  # the corpus's feeds with entry links
    assert differ == []
