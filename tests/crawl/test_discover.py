"""etl.crawl.discover: feeds, sitemaps, list pages and translation links, on bytes (no network)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from etl.crawl.discover import (
    DiscoveryError,
    inflate,
    matcher,
    parse_feed,
    parse_list_page,
    parse_sitemap,
    switcher_links,
    translation_links,
)
from tests.sitefixture import FixtureSite

BASE = "https://news.example"


class Pages:
    """The fixture site's pages rendered for BASE, without serving them."""

    def __init__(self) -> None:
        self.site = FixtureSite()
        self.lastmod = self.site.lastmod

    def render(self, path: str) -> bytes:
        body = self.site.render(path, base=BASE)
        assert body is not None, path
        return body


@pytest.fixture
def site() -> Pages:
    return Pages()


def paths(links: list) -> list[str]:
    return [link.url.removeprefix(BASE) for link in links]


# --- feeds ----------------------------------------------------------------------------


def test_rss_items_in_order_with_dates(site: Pages) -> None:
    links = parse_feed(site.render("/rss.xml"), BASE + "/rss.xml")
    assert paths(links)[:3] == [
        "/en/2024/05/tram-line.html?utm_source=rss&utm_medium=feed",
        "/en/2024/04/wheat-harvest.html",
        "/ar/2024/05/library.html",
    ]
    assert links[0].published == datetime(2024, 5, 14, 6, 30, tzinfo=UTC)
    assert links[-1].url == "https://elsewhere.invalid/en/2024/05/story.html"  # the crawler filters hosts


def test_atom_entries_with_relative_links(site: Pages) -> None:
    links = parse_feed(site.render("/atom.xml"), BASE + "/atom.xml")
    assert paths(links) == ["/ru/2024/05/ferry-schedule.html", "/ru/2024/03/hockey-final.html"]
    assert links[0].lastmod == datetime(2024, 5, 26, 4, 45, tzinfo=UTC)


def test_rss_1_0_and_permalink_guids() -> None:
    rdf = b"""<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <item><link>https://news.example/a.html</link><dc:date>2024-01-02</dc:date></item>
    </rdf:RDF>"""
    assert paths(parse_feed(rdf, BASE)) == ["/a.html"]
    guid = b"""<rss><channel><item><guid>https://news.example/b.html</guid></item>
    <item><guid isPermaLink="false">https://news.example/not-a-page</guid></item></channel></rss>"""
    assert paths(parse_feed(guid, BASE)) == ["/b.html"]


def test_truncated_feed_keeps_the_links_before_the_break() -> None:
    broken = b"""<rss><channel><item><link>https://news.example/a.html</link></item>
    <item><link>https://news.example/b.html?x=1&y=2</link></item><item><link>https://news.ex"""
    assert paths(parse_feed(broken, BASE))[:2] == ["/a.html", "/b.html?x=1&y=2"]


def test_an_error_page_is_not_a_feed(site: Pages) -> None:
    with pytest.raises(DiscoveryError, match="not a feed: the document is <html>"):
        parse_feed(site.render("/feed-broken.xml"), BASE)
    with pytest.raises(DiscoveryError, match="empty document"):
        parse_feed(b"  \n", BASE)


def test_html_entities_in_a_feed_keep_every_ampersand_in_its_links() -> None:
    """&nbsp; is undeclared in XML: lxml's recovery used to drop every &amp; in the links."""
    feed = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
    <title>News&nbsp;today</title><item><title>Caf&eacute;</title>
    <link>https://news.example/story?id=1&amp;page=2</link></item></channel></rss>"""
    assert [link.url for link in parse_feed(feed, BASE)] == ["https://news.example/story?id=1&page=2"]


def test_atom_xml_base_resolves_relative_links() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://cdn.example/news/">
    <entry><link href="2024/a.html"/></entry>
    <entry xml:base="/other/"><link href="b.html"/></entry></feed>"""
    assert [link.url for link in parse_feed(feed, BASE + "/atom.xml")] == [
        "https://cdn.example/news/2024/a.html",
        "https://cdn.example/other/b.html",
    ]


def test_a_feed_declared_utf8_but_written_in_latin1_gives_clean_links() -> None:
    feed = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item>'
    feed += "<title>Été</title><link>https://news.example/caf\u00e9.html</link></item></channel></rss>"
    links = parse_feed(feed.encode("latin-1"), BASE, content_type="application/rss+xml; charset=utf-8")
    assert [link.url for link in links] == ["https://news.example/caf\u00e9.html"]


# --- hostile XML ----------------------------------------------------------------------


def test_billion_laughs_is_refused_without_expanding(site: Pages) -> None:
    with pytest.raises(DiscoveryError, match="hostile XML refused"):
        parse_sitemap(site.render("/sitemap-bomb.xml"), BASE)


def test_external_entities_are_refused() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <rss><channel><item><link>&x;</link></item></channel></rss>"""
    with pytest.raises(DiscoveryError, match="hostile XML refused"):
        parse_feed(xxe, BASE)


def test_recovery_parser_never_expands_entities() -> None:
    """A document both malformed and hostile: the lenient parser leaves entities alone."""
    hostile = b"""<rss><channel><item><link>https://news.example/&lol;</link></item><item><link>"""
    links = parse_feed(hostile, BASE)
    assert all("lol" not in link.url or len(link.url) < 100 for link in links)


def test_byte_caps_hold_for_plain_and_gzipped_xml() -> None:
    big = b"<urlset>" + b"<url><loc>https://news.example/a</loc></url>" * 1000 + b"</urlset>"
    with pytest.raises(DiscoveryError, match="XML larger than 1024 bytes"):
        parse_sitemap(big, BASE, max_bytes=1024)
    with pytest.raises(DiscoveryError, match="gzip inflates to more than 1024 bytes"):
        parse_sitemap(gzip.compress(big), BASE, max_bytes=1024)
    bomb = gzip.compress(b"<" * 10_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(DiscoveryError, match="gzip inflates"):
        inflate(bomb, 1_000_000)
    with pytest.raises(DiscoveryError, match="broken gzip"):
        inflate(b"\x1f\x8b" + b"garbage")


# --- sitemaps -------------------------------------------------------------------------


def test_sitemap_index_lists_child_sitemaps(site: Pages) -> None:
    links = parse_sitemap(site.render("/sitemap.xml"), BASE + "/sitemap.xml")
    assert paths(links) == ["/sitemap-news.xml", "/sitemap-archive.xml.gz", "/sitemap-bomb.xml"]
    assert {link.kind for link in links} == {"sitemap"}
    assert links[1].lastmod == datetime(2024, 5, 1, tzinfo=UTC)


def test_news_sitemap_gives_publication_dates(site: Pages) -> None:
    site.lastmod["/ar/2024/05/tram-line.html"] = "2026-01-05T10:00:00+02:00"
    links = parse_sitemap(site.render("/sitemap-news.xml"), BASE)
    assert paths(links)[0] == "/ar/2024/05/tram-line.html"
    assert links[0].lastmod == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert links[0].published == datetime(2024, 5, 14, 6, 30, tzinfo=UTC)
    assert links[2].published is None


def test_gzipped_sitemap(site: Pages) -> None:
    data = site.render("/sitemap-archive.xml.gz")
    assert data.startswith(b"\x1f\x8b")
    assert paths(parse_sitemap(data, BASE)) == [
        "/ar/2024/03/fishermen-festival.html",
        "/en/2024/04/wheat-harvest.html",
    ]


def test_plain_text_sitemap() -> None:
    """sitemaps.org allows a text file of URLs, one a line (UTF-8, here with a BOM)."""
    text = "\ufeffhttps://news.example/a.html\n\n  /relative-is-not-allowed\nhttps://news.example/ü.html\r\n"
    for content_type in ("text/plain; charset=utf-8", None):
        links = parse_sitemap(text.encode(), BASE + "/sitemap.txt", content_type=content_type)
        assert [link.url for link in links] == ["https://news.example/a.html", "https://news.example/ü.html"]
    with pytest.raises(DiscoveryError, match="neither XML nor a list of URLs"):
        parse_sitemap(b"just some words", BASE)


def test_html_entities_in_a_sitemap_keep_every_ampersand() -> None:
    sitemap = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><!-- &nbsp; -->
    <url><loc>https://news.example/story?id=1&amp;page=2&nbsp;</loc></url></urlset>"""
    assert [link.url for link in parse_sitemap(sitemap, BASE)] == ["https://news.example/story?id=1&page=2"]


def test_a_feed_is_not_a_sitemap(site: Pages) -> None:
    with pytest.raises(DiscoveryError, match="not a sitemap: the document is <rss>"):
        parse_sitemap(site.render("/rss.xml"), BASE)


# --- list pages -----------------------------------------------------------------------


def test_list_page_with_selectors_dates_and_next(site: Pages) -> None:
    html = site.render("/news/").decode()
    links, next_url = parse_list_page(html, BASE + "/news/", "ul.headlines a.headline", "a[rel=next]")
    assert paths(links) == [
        "/en/2024/05/port-expansion.html",
        "/en/2024/05/library.html",
        "/en/2024/05/tram-line.html?utm_source=homepage",
        "/en/2024/04/wheat-harvest.html",
    ]
    assert links[3].published == datetime(2024, 4, 22, 8, 15, tzinfo=UTC)
    assert next_url == BASE + "/news/page/2/"


def test_list_page_defaults_every_link_and_rel_next(site: Pages) -> None:
    links, next_url = parse_list_page(site.render("/news/page/2/").decode(), BASE + "/news/page/2/")
    assert "/ar/2024/03/fishermen-festival.html" in paths(links)
    assert "/news/" in paths(links)  # the crawler's article pattern filters these
    assert next_url == BASE + "/news/page/3/"
    assert parse_list_page(site.render("/news/page/3/").decode(), BASE)[1] is None


def test_selector_may_match_containers() -> None:
    html = '<div class="card"><h2><a href="/x.html">X</a></h2></div><div class="card">no link</div>'
    links, _ = parse_list_page(html, BASE, "div.card", None)
    assert paths(links) == ["/x.html"]


# --- translations ---------------------------------------------------------------------


def test_switcher_links_are_translations(site: Pages) -> None:
    url = BASE + "/ar/2024/05/library.html"
    hreflang, switcher = translation_links(site.render("/ar/2024/05/library.html").decode(), url)
    assert hreflang == {}
    assert switcher == {"ru": BASE + "/ru/2024/05/library.html", "en": BASE + "/en/2024/05/library.html"}


def test_hreflang_links(site: Pages) -> None:
    url = BASE + "/ru/2024/05/tram-line.html"
    hreflang, _ = translation_links(site.render("/ru/2024/05/tram-line.html").decode(), url)
    assert set(hreflang) == {"ar", "ru", "en"}


def test_switchers_to_language_home_pages_are_navigation(site: Pages) -> None:
    """A single-language article links "Ru En" to /ru/ and /en/: not translations."""
    url = BASE + "/en/2024/04/wheat-harvest.html"
    assert translation_links(site.render("/en/2024/04/wheat-harvest.html").decode(), url) == ({}, {})


@pytest.mark.parametrize(
    ("anchor", "lang"),
    [
        ('<a href="/ru/2024/a.html">Русский</a>', "ru"),
        ('<a href="/ar/2024/a.html"> عربي </a>', "ar"),
        ('<a href="/x/2024/a.html" hreflang="fr-CA">Lire</a>', "fr"),
        ('<a href="/en/2024/a.html">ENGLISH</a>', "en"),
    ],
)
def test_switcher_language_names(anchor: str, lang: str) -> None:
    soup = BeautifulSoup(f"<p>{anchor}</p>", "lxml")
    assert list(switcher_links(soup, BASE + "/de/2024/a.html")) == [lang]


def test_switcher_ignores_other_hosts_and_ordinary_links() -> None:
    html = '<a href="https://other.example/en/2024/a.html">En</a> <a href="/en/2024/b.html">Read more</a>'
    assert switcher_links(BeautifulSoup(html, "lxml"), BASE + "/ru/2024/a.html") == {}


def test_article_pattern_matcher() -> None:
    is_article = matcher(r"^/(ar|ru|en)/\d{4}/")
    assert is_article(BASE + "/en/2024/05/a.html")
    assert not is_article(BASE + "/en/")
    assert matcher(r"id=\d+")(BASE + "/story?id=42")
    assert matcher(None)(BASE + "/anything")


def test_a_malformed_url_is_a_link_with_a_reason_not_an_exception() -> None:
    """One unparseable URL (an unclosed IPv6 bracket) must not cost the page its other links."""
    feed = b"<rss><channel><item><guid>http://example.c[o.test/</guid></item><item><link>/a.html</link></item></channel></rss>"
    links = parse_feed(feed, BASE + "/rss.xml")
    assert [(link.url, link.error) for link in links] == [
        (BASE + "/rss.xml#entry-1", "entry 1: its link is empty or not a URL that can be parsed"),
        (BASE + "/a.html", None),
    ]
    sitemap = b"<urlset><url><loc>http://example.c[o.test/</loc></url><url><loc>/b.html</loc></url></urlset>"
    assert [(link.url, link.error) for link in parse_sitemap(sitemap, BASE + "/sitemap.xml")] == [
        ("http://example.c[o.test/", "malformed URL: Invalid IPv6 URL"),
        (BASE + "/b.html", None),
    ]
    page = '<a href="http://[::1/x">x</a> <a href="/b.html">b</a> <a rel="next" href="http://[bad/">n</a>'
    found, next_url = parse_list_page(page, BASE + "/news/")
    assert [link.error is None for link in found] == [False, True, False] and next_url is None
