"""The scrape, backfill-by-crawling and reprocess jobs against the fixture site on 127.0.0.1.

One module-scoped scrape of the whole site (twice: the second run must fetch no article)
backs most assertions; the tests that need their own state run small sources. Politeness
settings are small (tens of milliseconds) but the assertions measure them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from warcio.archiveiterator import ArchiveIterator

from etl.archive.store import Archive, load_articles
from etl.crawl.state import State
from etl.crawl.warc import iter_records
from etl.pipeline import RunSummary
from jobs import cli, demo
from jobs.schedule import Timing, backoff_state, history, read_runs
from jobs.scrape import run_reprocess, run_scrape
from jobs.sources import DEFAULT_CONFIG, ConfigError, load_sources
from tests import sitefixture
from tests.conftest import ROOT
from tests.sitefixture import FixtureSite

CRAWL_DELAY = 0.08  # robots.txt Crawl-delay; slower than the configured rate, so it must win
TOLERANCE = 0.015
EXPECTED = {  # every article the site has, by path: (language, title)
    "/ar/2024/05/tram-line.html": ("ar", "خط ترام جديد يربط الميناء بالجامعة"),
    "/ru/2024/05/tram-line.html": ("ru", "Новая трамвайная линия связала порт с университетом"),
    "/en/2024/05/tram-line.html": ("en", "New tram line links the harbour with the university"),
    "/ar/2024/05/library.html": ("ar", "المكتبة البلدية تعيد فتح أبوابها بعد ترميم استمر عامين"),
    "/ru/2024/05/library.html": ("ru", "Городская библиотека открылась после двухлетней реставрации"),
    "/en/2024/05/library.html": ("en", "City library reopens after two years of restoration"),
    "/en/2024/04/wheat-harvest.html": ("en", "Dry spring threatens the wheat harvest in the coastal plain"),
    "/ar/2024/03/fishermen-festival.html": ("ar", "مهرجان الصيادين يعود إلى الميناء بعد غياب طويل"),
    "/ru/2024/03/hockey-final.html": ("ru", "«Маяк» выиграл финал молодёжной хоккейной лиги"),
    "/en/2024/02/council-budget.html": ("en", "Council approves a budget with more money for schools"),
    "/en/2024/05/port-expansion.html": ("en", "Port authority presents plans for a new container quay"),
    "/ru/2024/05/ferry-schedule.html": ("ru", "Паром на острова будет ходить чаще"),
}
HOSTILE = {  # path: (stage, words of the reason)
    "/feed-broken.xml": ("discover", "not a feed: the document is <html>"),
    "/sitemap-bomb.xml": ("discover", "hostile XML refused"),
    "/en/2024/05/slow-report.html": ("fetch", "timed out"),
    "/en/2024/05/loop.html": ("fetch", "more than 5 redirects"),
    "/en/2024/05/huge.html": ("fetch", "response too large"),
    "/en/2024/05/bomb.html": ("fetch", "after decompression"),
    "/en/2024/05/withdrawn.html": ("fetch", "HTTP 404 Not Found"),
    "/en/2024/05/to-private.html": ("fetch", "10.0.0.5 is a private address"),
    "/en/2024/05/to-metadata.html": ("fetch", "169.254.169.254 is a link-local address"),
    "/en/drafts/2024/05/unpublished.html": ("fetch", "disallowed by robots.txt"),
    "/en/2024/05/photo-gallery.html": ("fetch", "unexpected content type 'image/jpeg'"),
}
HTTP = """
[http]
user_agent = "news-archive-test/1.0 (+tests)"
rate_limit = 20.0
read_timeout = 1.0
retries = 1
backoff = 0.05
max_bytes = 524288
max_tries = {max_tries}
retry_later = {retry_later}
allow_addresses = ["127.0.0.1/32"]
"""
WHOLE_SITE = """
feeds = ["/rss.xml", "/atom.xml", "/feed-broken.xml"]
sitemaps = ["/sitemap.xml"]
article_pattern = '^/(ar|ru|en)/'
list_depth = 5
[[sources.site.lists]]
url = "/news/"
links = "ul.headlines a.headline"
next = "a[rel=next]"
"""


def write_config(
    path: Path, base: str, body: str = WHOLE_SITE, max_tries: int = 3, retry_later: float = 3600
) -> Path:
    path.write_text(
        HTTP.format(max_tries=max_tries, retry_later=retry_later)
        + f'\n[sources.site]\nsite = "{base}/"\n'
        + body,
        encoding="utf-8",
    )
    return path


def rel(url: str) -> str:
    return urlsplit(url).path


def articles(data: Path) -> pd.DataFrame:
    return load_articles(data).assign(path=lambda df: df["url"].map(rel))


def rejects(data: Path) -> dict[str, tuple[str, str]]:
    table = Archive(data).read("rejects").to_pandas()
    return {rel(r.origin): (r.stage, r.reason) for r in table.itertuples()}


def ok_hits(hits: list[sitefixture.Hit], path: str) -> int:
    return sum(1 for h in hits if rel(h.path) == path and h.status == 200)


@dataclass
class Crawled:
    site: FixtureSite
    config: Path
    data: Path
    first: RunSummary
    second: RunSummary
    first_hits: list[sitefixture.Hit]
    second_hits: list[sitefixture.Hit]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("crawl")
    with FixtureSite(crawl_delay=CRAWL_DELAY) as site:
        config = write_config(tmp / "sources.toml", site.base)
        (first,) = run_scrape(config, tmp / "data")
        first_hits = list(site.hits)
        site.reset()
        (second,) = run_scrape(config, tmp / "data")
        yield Crawled(site, config, tmp / "data", first, second, first_hits, list(site.hits))


# --- one whole-site scrape ---------------------------------------------------------------


def test_every_article_archived_once_with_language_and_title(crawled: Crawled) -> None:
    df = articles(crawled.data)
    assert sorted(df["path"]) == sorted(EXPECTED)
    assert crawled.first.new == len(EXPECTED) and crawled.first.duplicates == 0
    for row in df.itertuples():
        assert (row.language, row.title) == EXPECTED[row.path], row.path
    assert df["published"].notna().all() and (df["date_origin"] != "fetched").all()


def test_every_article_discovered_and_fetched_once(crawled: Crawled) -> None:
    for path in EXPECTED:
        assert ok_hits(crawled.first_hits, path) == 1, path
    for path in ("/en/2024/05/tram-line.html", "/ar/2024/05/tram-line.html"):  # listed 3 and 2 times
        assert len([h for h in crawled.first_hits if rel(h.path) == path]) == 1
    assert len([h for h in crawled.first_hits if h.path == "/robots.txt"]) == 1


def test_robots_disallow_respected(crawled: Crawled) -> None:
    assert not [h for h in crawled.first_hits if "/drafts/" in h.path]


def test_rate_limit_and_crawl_delay_respected(crawled: Crawled) -> None:
    gaps = sorted(b.at - a.at for a, b in itertools.pairwise(crawled.first_hits))
    assert len(gaps) > 30
    # Arrival times are taken by the server's threads: on a loaded machine one request may
    # be logged late and the next on time, so a single gap can look short. The crawler's
    # pacing shows in the distribution: nearly every gap is at least the delay.
    assert gaps[len(gaps) // 2] >= CRAWL_DELAY - TOLERANCE
    assert gaps[len(gaps) // 10] >= CRAWL_DELAY - TOLERANCE, gaps[:5]


def test_retries_and_retry_after_honoured(crawled: Crawled) -> None:
    flaky = [h for h in crawled.first_hits if h.path == sitefixture.FLAKY]
    busy = [h for h in crawled.first_hits if h.path == sitefixture.BUSY]
    assert [h.status for h in flaky] == [503, 200]
    assert [h.status for h in busy] == [429, 200]
    assert busy[1].at - busy[0].at >= 1.0 - TOLERANCE  # Retry-After: 1


def test_hostile_cases_rejected_with_reasons_and_nothing_else_lost(crawled: Crawled) -> None:
    found = rejects(crawled.data)
    assert set(found) == set(HOSTILE) | {"/feed-broken.xml", "/sitemap-bomb.xml"}  # the latter two per run
    for path, (stage, words) in HOSTILE.items():
        assert found[path][0] == stage and words in found[path][1], (path, found[path])
    assert crawled.first.rejected == len(HOSTILE)
    assert len(articles(crawled.data)) == len(EXPECTED)
    assert "elsewhere.invalid" not in str(crawled.first_hits)


def test_legacy_encodings_declared_only_in_the_header_decode(crawled: Crawled) -> None:
    df = articles(crawled.data).set_index("path")
    for path in sitefixture.LEGACY:
        assert df.loc[path, "title"] == EXPECTED[path][1]
    assert "قال رئيس نقابة الصيادين" in df.loc["/ar/2024/03/fishermen-festival.html", "text"]
    assert "Решающую шайбу забросил" in df.loc["/ru/2024/03/hockey-final.html", "text"]


def test_translations_share_a_group(crawled: Crawled) -> None:
    df = articles(crawled.data).set_index("path")
    groups = df["translation_group"]
    for story in ("tram-line", "library"):  # linked by hreflang, and only by a "Ru En" switcher
        members = [p for p in EXPECTED if p.endswith(f"/{story}.html")]
        assert len({groups[p] for p in members}) == 1 and isinstance(groups[members[0]], str), story
    assert groups["/en/2024/05/tram-line.html"] != groups["/en/2024/05/library.html"]
    assert groups[["/en/2024/04/wheat-harvest.html", "/ru/2024/03/hockey-final.html"]].isna().all()
    # The Russian library page is linked from nowhere but the switchers of its translations.
    assert "/ru/2024/05/library.html" not in str(sitefixture.SITE.joinpath("rss.xml").read_text())


def test_second_scrape_fetches_no_article_page_again(crawled: Crawled) -> None:
    assert crawled.second_hits
    assert not [h for h in crawled.second_hits if h.path.startswith(("/ar/", "/ru/", "/en/"))]
    # The broken feed and the bomb answer 304: rejected in the first run, only logged now.
    assert crawled.second.new == 0 and crawled.second.read == 0
    assert (crawled.first.status, crawled.second.status) == ("partial", "ok")
    conditional = [h for h in crawled.second_hits if h.status == 304]
    assert {h.path for h in conditional} >= {"/rss.xml", "/atom.xml", "/sitemap.xml", "/news/"}
    assert all("If-None-Match" in h.headers for h in conditional)


def test_raw_archive_and_state(crawled: Crawled) -> None:
    records = list(iter_records(crawled.data / "raw", role="article"))
    assert sorted(rel(r.response.url) for r in records) == sorted(EXPECTED)
    assert {r.source for r in records} == {"site"}
    assert all(p.name.startswith("date=") for p in (crawled.data / "raw").iterdir())
    with State(crawled.data / "state.sqlite") as state:
        counts = state.counts("site")
    assert counts == {"done": len(EXPECTED), "failed": 3, "gave_up": 6}


def warc_records(data: Path) -> dict[str, list[dict[str, str]]]:
    """Each WARC file's records (type, headers, HTTP status) in file order, read with warcio."""
    out = {}
    for path in sorted((data / "raw").glob("date=*/*.warc.gz")):
        with open(path, "rb") as handle:
            out[path.name] = [
                {
                    **dict(record.rec_headers.headers),
                    "status": record.http_headers.get_statuscode() if record.http_headers else "",
                    "path": rel(record.rec_headers.get_header("WARC-Target-URI") or ""),
                }
                for record in ArchiveIterator(handle)
            ]
    return out


def test_warc_captures_are_complete_and_valid(crawled: Crawled) -> None:
    """warcio check passes; each file opens with a warcinfo; every answer (page, robots.txt,
    redirect hop, 4xx/5xx, 304 as a revisit) is followed by its request record."""
    files = sorted((crawled.data / "raw").glob("date=*/*.warc.gz"))
    assert len(files) == 2  # one per run
    warcio = Path(sys.executable).parent / "warcio"
    checked = subprocess.run([warcio, "check", "-v", *files], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    first, second = warc_records(crawled.data).values()
    for records in (first, second):
        assert records[0]["WARC-Type"] == "warcinfo"
        answers = [r for r in records if r["WARC-Type"] in ("response", "revisit")]
        requests = {r["WARC-Concurrent-To"]: r for r in records if r["WARC-Type"] == "request"}
        assert len(requests) == len(answers) == (len(records) - 1) // 2
        for answer in answers:
            request = requests[answer["WARC-Record-ID"]]
            assert request["WARC-Target-URI"] == answer["WARC-Target-URI"]
    seen = {(r["path"], r["status"], r["X-Crawl-Role"]) for r in first if r["WARC-Type"] == "response"}
    assert ("/robots.txt", "200", "robots") in seen
    assert {
        (sitefixture.LOOP[0], "302", "redirect"),
        ("/en/2024/05/to-private.html", "302", "redirect"),
    } <= seen
    assert {("/en/2024/05/withdrawn.html", "404", "article"), (sitefixture.FLAKY, "503", "article")} <= seen
    assert (sitefixture.FLAKY, "200", "article") in seen
    revisits = {r["path"]: r for r in second if r["WARC-Type"] == "revisit"}
    assert {"/rss.xml", "/atom.xml", "/sitemap.xml", "/news/"} <= set(revisits)
    assert revisits["/rss.xml"]["WARC-Profile"].endswith("/revisit/server-not-modified")
    assert revisits["/rss.xml"]["status"] == "304"


# --- conditional GET, revisions, refresh, workers ------------------------------------------

NEWS_SITEMAP = """
sitemaps = ["/sitemap-news.xml"]
"""


def test_conditional_get_304_costs_no_extraction_and_changes_become_versions(tmp_path: Path) -> None:
    page = "/en/2024/05/tram-line.html"
    with FixtureSite(crawl_delay=0.0) as site:
        config = write_config(tmp_path / "sources.toml", site.base, NEWS_SITEMAP)
        (first,) = run_scrape(config, tmp_path / "data")
        assert first.new == 6  # 3 in the sitemap, 3 more through hreflang and switchers

        site.reset()
        site.lastmod[page] = "2026-06-01T00:00:00+00:00"  # the sitemap says it changed; it did not
        (unchanged,) = run_scrape(config, tmp_path / "data")
        hits = site.requests_for(page)
        assert [h.status for h in hits] == [304] and hits[0].headers["If-None-Match"].startswith('"')
        assert unchanged.read == 0  # nothing went to extraction

        site.reset()
        body = site.render(page)
        assert body is not None
        site.pages[page] = body.replace(b"fourteen stops", b"fifteen stops")
        site.lastmod[page] = "2026-06-02T00:00:00+00:00"
        (edited,) = run_scrape(config, tmp_path / "data")
        assert edited.revisions == 1 and edited.new == 0
        versions = articles(tmp_path / "data").query("path == @page")
        assert sorted(versions["version"]) == [1, 2]
        assert versions["article_id"].nunique() == 1

        site.reset()
        (refreshed,) = run_scrape(config, tmp_path / "data", refresh=True)
        article_hits = site.article_hits()
        assert {h.path for h in article_hits} == {p for p in EXPECTED if "tram-line" in p or "library" in p}
        assert {h.status for h in article_hits} == {304} and refreshed.read == 0


def test_parallel_extraction_gives_the_same_articles(tmp_path: Path) -> None:
    with FixtureSite(crawl_delay=0.0) as site:
        config = write_config(tmp_path / "sources.toml", site.base, NEWS_SITEMAP)
        run_scrape(config, tmp_path / "one")
        (parallel,) = run_scrape(config, tmp_path / "two", workers=2)
    assert parallel.new == 6
    columns = ["path", "title", "text", "translation_group", "content_hash"]
    one = articles(tmp_path / "one")[columns].sort_values("path").reset_index(drop=True)
    two = articles(tmp_path / "two")[columns].sort_values("path").reset_index(drop=True)
    pd.testing.assert_frame_equal(one, two)


def test_urls_already_in_the_archive_are_not_fetched_without_their_crawl_state(tmp_path: Path) -> None:
    """The archive, not only data/state.sqlite, says what is archived: with the state lost
    (or an archive filled by a backfill), a scrape fetches no archived article again."""
    with FixtureSite(crawl_delay=0.0) as site:
        config = write_config(tmp_path / "sources.toml", site.base, NEWS_SITEMAP)
        (first,) = run_scrape(config, tmp_path / "data")
        assert first.new == 6
        (tmp_path / "data" / "state.sqlite").unlink()
        site.reset()
        (again,) = run_scrape(config, tmp_path / "data")
        assert site.article_hits() == [] and again.read == 0
        with State(tmp_path / "data" / "state.sqlite") as state:
            assert state.counts("site") == {"done": 3}  # the sitemap's; translations come from pages


# --- failures across runs -----------------------------------------------------------------


def test_failed_url_is_retried_next_run_then_given_up(tmp_path: Path) -> None:
    feed = "/retry-feed.xml"
    with FixtureSite(crawl_delay=0.0) as site:
        site.pages[feed] = (
            f"<rss><channel><item><link>{site.base}/en/2024/05/withdrawn.html</link></item>"
            f"<item><link>{site.base}/en/2024/04/wheat-harvest.html</link></item></channel></rss>"
        ).encode()
        config = write_config(
            tmp_path / "s.toml", site.base, f'feeds = ["{feed}"]\n', max_tries=2, retry_later=0
        )
        reasons = []
        for _ in range(3):
            (summary,) = run_scrape(config, tmp_path / "data")
            reasons.append(summary.reject_reasons)
        withdrawn = site.requests_for("/en/2024/05/withdrawn.html")
    assert len(withdrawn) == 2  # run 1 and run 2; run 3 has given up
    assert "HTTP 404 Not Found (try 1 of 2; next try after" in reasons[0][0]
    assert reasons[1][0].endswith("HTTP 404 Not Found (gave up after 2 tries)")
    assert reasons[2] == []
    assert len(articles(tmp_path / "data")) == 1


def test_a_dripping_server_cannot_hold_a_scrape_or_the_archive_lock(tmp_path: Path) -> None:
    """A feed whose headers drip and an article whose body drips (a byte every 0.1 s, 40 s
    each): each is cut off at total_timeout (1 s), the rest of the source is archived, the run
    is recorded and the archive lock is free again."""
    drip_feed, good_feed = "/drip-feed.xml", "/good-feed.xml"
    with FixtureSite(crawl_delay=0.0) as site:
        site.drips[drip_feed] = "headers"
        site.pages[good_feed] = (
            f"<rss><channel><item><link>{site.base}{sitefixture.DRIP_BODY}</link></item>"
            f"<item><link>{site.base}/en/2024/04/wheat-harvest.html</link></item></channel></rss>"
        ).encode()
        body = f'feeds = ["{drip_feed}", "{good_feed}"]\n[sources.site.http]\ntotal_timeout = 1.0\n'
        config = write_config(tmp_path / "s.toml", site.base, body)
        started = time.monotonic()
        (summary,) = run_scrape(config, tmp_path / "data")
        took = time.monotonic() - started
    assert took < 2 * 1.0 + 3.0, took
    found = rejects(tmp_path / "data")
    for path in (drip_feed, sitefixture.DRIP_BODY):
        assert "timed out: the response took longer than 1 s" in found[path][1], found
    assert list(articles(tmp_path / "data")["path"]) == ["/en/2024/04/wheat-harvest.html"]
    assert summary.new == 1 and len(Archive(tmp_path / "data").read("runs")) == 1
    with Archive(tmp_path / "data").locked(wait_seconds=0):
        pass


def test_a_malformed_url_in_a_feed_or_sitemap_fails_alone(tmp_path: Path) -> None:
    """``http://example.c[o.test/`` (an unclosed IPv6 bracket) in a feed and in a sitemap is a
    reject of its own; the links beside it, the source's other start points and the next
    source are all crawled, and each source's run is recorded."""
    bad = "http://example.c[o.test/"
    with FixtureSite(crawl_delay=0.0) as site:
        site.pages["/bad-feed.xml"] = (
            f"<rss><channel><item><guid>{bad}</guid></item>"
            f"<item><link>{site.base}/en/2024/04/wheat-harvest.html</link></item></channel></rss>"
        ).encode()
        site.pages["/bad-sitemap.xml"] = (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{bad}x</loc></url><url><loc>{site.base}/en/2024/02/council-budget.html</loc></url>"
            "</urlset>"
        ).encode()
        body = (
            'feeds = ["/bad-feed.xml"]\nsitemaps = ["/bad-sitemap.xml"]\n'
            f'[sources.next]\nsite = "{site.base}/"\nfeeds = ["/good-feed.xml"]\n'
        )
        site.pages["/good-feed.xml"] = (
            f"<rss><channel><item><link>{site.base}/ru/2024/03/hockey-final.html</link></item></channel></rss>"
        ).encode()
        config, base = write_config(tmp_path / "s.toml", site.base, body), site.base
        code = cli.main(
            ["scrape", "--config", str(config), "--data", str(tmp_path / "data"), "--no-progress"]
        )
    assert code == 0
    table = Archive(tmp_path / "data").read("rejects").to_pandas()
    assert dict(zip(table["origin"], table["reason"], strict=True)) == {
        f"{base}/bad-feed.xml#entry-1": f"link on {base}/bad-feed.xml: entry 1: its link is empty or "
        "not a URL that can be parsed",
        bad + "x": f"link on {base}/bad-sitemap.xml: malformed URL: Invalid IPv6 URL",
    }
    assert sorted(articles(tmp_path / "data")["path"]) == [
        "/en/2024/02/council-budget.html",
        "/en/2024/04/wheat-harvest.html",
        "/ru/2024/03/hockey-final.html",
    ]
    runs = Archive(tmp_path / "data").read("runs").to_pandas()
    assert sorted(runs["source"]) == ["next", "site"]


def test_an_unexpected_error_in_discovery_is_a_reject_and_the_sources_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a parser raises (here a bug: RuntimeError from the sitemap parser) ends only
    that start point: the feed of the same source and the next source are archived, and a
    scrape of N sources writes N runs/ rows."""

    def broken(*args: object) -> None:
        raise RuntimeError("parser bug\nsecond line")

    monkeypatch.setattr("etl.crawl.engine.parse_sitemap", broken)
    with FixtureSite(crawl_delay=0.0) as site:
        site.pages["/one.xml"] = (
            f"<rss><channel><item><link>{site.base}/en/2024/04/wheat-harvest.html</link></item></channel></rss>"
        ).encode()
        body = (
            'sitemaps = ["/sitemap.xml"]\nfeeds = ["/one.xml"]\n'
            f'[sources.next]\nsite = "{site.base}/"\nsitemaps = ["/sitemap-news.xml"]\n'
        )
        config = write_config(tmp_path / "s.toml", site.base, body)
        summaries = run_scrape(config, tmp_path / "data")
    assert [s.source for s in summaries] == ["site", "next"]
    table = Archive(tmp_path / "data").read("rejects").to_pandas()
    assert sorted(table["origin"].map(rel)) == ["/sitemap-news.xml", "/sitemap.xml"]
    assert set(table["reason"]) == {"sitemap: unexpected error: RuntimeError: parser bug second line"}
    assert list(articles(tmp_path / "data")["path"]) == ["/en/2024/04/wheat-harvest.html"]
    assert len(Archive(tmp_path / "data").read("runs")) == 2


def test_run_status_ok_partial_failed_and_only_failed_runs_back_off(tmp_path: Path) -> None:
    """A source with one dead feed beside a working one, and nothing new: ``partial`` (exit 0)
    every run, never backed off. A source none of whose start points can be read: ``failed``
    (exit 1), backed off after three runs. A quiet source: ``ok``."""
    timing = Timing(backoff_after=3)
    with FixtureSite(crawl_delay=0.0) as site:
        site.statuses["/dead.xml"] = 404
        site.pages["/one.xml"] = (
            f"<rss><channel><item><link>{site.base}/en/2024/04/wheat-harvest.html</link></item></channel></rss>"
        ).encode()
        body = (
            'feeds = ["/one.xml", "/dead.xml"]\n'
            f'[sources.dead]\nsite = "{site.base}/"\nfeeds = ["/dead.xml"]\n'
            f'[sources.quiet]\nsite = "{site.base}/"\nfeeds = ["/one.xml"]\n'
        )
        config = write_config(tmp_path / "s.toml", site.base, body)
        data = tmp_path / "data"
        codes = {}
        for name in ("site", "dead", "quiet"):
            args = ["scrape", "--config", str(config), "--data", str(data), "--source", name, "--no-progress"]
            codes[name] = [cli.main(args) for _ in range(4)]
    runs = history(read_runs(data))
    assert [r.status for r in runs["site"]] == ["partial"] * 4 and codes["site"] == [0] * 4
    assert [r.status for r in runs["dead"]] == ["failed"] * 4 and codes["dead"] == [1] * 4
    assert [r.status for r in runs["quiet"]] == ["ok"] * 4 and codes["quiet"] == [0] * 4
    assert backoff_state(runs["site"], timing).until is None
    assert backoff_state(runs["quiet"], timing).until is None
    assert backoff_state(runs["dead"], timing).failures == 4


# --- backfill by crawling -------------------------------------------------------------------

NEWS_LIST = """
article_pattern = '^/(ar|ru|en)/'
list_depth = 1
[[sources.site.lists]]
url = "/news/"
links = "ul.headlines a.headline"
"""


def test_backfill_walks_list_pages_back_to_since(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FixtureSite(crawl_delay=0.0) as site:
        config = write_config(tmp_path / "s.toml", site.base, NEWS_LIST)
        run_scrape(config, data)
        assert not site.requests_for("/news/page/2/")  # list_depth 1
        assert "/ru/2024/05/ferry-schedule.html" not in set(articles(data)["path"])

        run_scrape(config, data, source="site", since=date(2024, 3, 5), job="backfill")
        paths = set(articles(data)["path"])
        assert {"/ru/2024/05/ferry-schedule.html", "/ar/2024/03/fishermen-festival.html"} <= paths
        assert "/en/2024/02/council-budget.html" not in paths  # older than since: not followed

        run_scrape(config, data, source="site", since=date(2024, 1, 1), job="backfill")
        assert {"/en/2024/02/council-budget.html", "/ru/2024/03/hockey-final.html"} <= set(
            articles(data)["path"]
        )
    runs = Archive(data).read("runs").to_pandas().sort_values("started_at")
    assert runs["job"].tolist() == ["scrape", "backfill", "backfill"]


# --- resume after SIGKILL -------------------------------------------------------------------


def _cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "jobs", *map(str, args)]


@pytest.mark.slow
def test_killed_scrape_resumes_and_ends_with_the_same_dataset(tmp_path: Path) -> None:
    with FixtureSite(crawl_delay=0.05) as site:
        config = write_config(tmp_path / "sources.toml", site.base)
        run_scrape(config, tmp_path / "whole")

        site.reset()
        killed = tmp_path / "killed"
        scrape = _cli("scrape", "--config", config, "--data", killed, "--no-progress")
        process = subprocess.Popen(scrape, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        site.wait_for_articles(5)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        before = list(site.hits)
        with State(killed / "state.sqlite") as state:
            assert state.counts("site").get("fetched", 0) >= 1  # fetched, in raw/, not yet archived
        assert len(articles(killed)) == 0

        result = subprocess.run(scrape, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        after = site.hits[len(before) :]

    for path in EXPECTED:  # fetched once over both runs: the second took the first's pages from raw/
        assert ok_hits(before, path) + ok_hits(after, path) == 1, path
    keep = [c for c in load_articles(tmp_path / "whole").columns if c not in ("run_id", "fetched_at")]
    whole = load_articles(tmp_path / "whole")[keep].sort_values(["url", "version"]).reset_index(drop=True)
    resumed = load_articles(killed)[keep].sort_values(["url", "version"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(whole, resumed)


# --- reprocess ------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used during reprocess")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_reprocess_rebuilds_the_same_articles_without_network(
    crawled: Crawled, tmp_path: Path, no_network: None
) -> None:
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(crawled.data / "raw", rebuilt / "raw")
    seen = len(crawled.site.hits)
    summary = run_reprocess(rebuilt)
    assert summary.new == len(EXPECTED) and summary.rejected == 0
    assert len(crawled.site.hits) == seen
    keep = [c for c in load_articles(crawled.data).columns if c != "run_id"]  # fetched_at too comes from raw
    original = load_articles(crawled.data)[keep].sort_values("url").reset_index(drop=True)
    again = load_articles(rebuilt)[keep].sort_values("url").reset_index(drop=True)
    pd.testing.assert_frame_equal(original, again)


def test_backfill_of_the_scrapers_own_warc_archives_the_same_articles(
    crawled: Crawled, tmp_path: Path, no_network: None
) -> None:
    """The raw WARC as input to a plain backfill (as another archive would take it): every
    article comes out with the scrape's text, URL and fetch time; list and index pages, which
    the scrape never sent to extraction, may add rows of their own."""
    cli.main(["backfill", "--no-progress", str(crawled.data / "raw"), "--data", str(tmp_path / "again")])
    keep = ["url", "content_hash", "title", "language", "fetched_at", "published"]
    scraped = load_articles(crawled.data)[keep].sort_values("url").reset_index(drop=True)
    again = load_articles(tmp_path / "again")[keep]
    again = again[again["url"].isin(scraped["url"])].sort_values("url").reset_index(drop=True)
    pd.testing.assert_frame_equal(scraped, again)


def test_reprocess_into_the_same_archive_appends_nothing(
    crawled: Crawled, tmp_path: Path, no_network: None
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(crawled.data, copy)
    summary = run_reprocess(copy, since=date(2000, 1, 1))
    assert (summary.read, summary.new, summary.duplicates) == (len(EXPECTED), 0, len(EXPECTED))
    assert run_reprocess(copy, since=date(2999, 1, 1)).read == 0


def test_reprocess_applies_each_sources_extract_selectors(
    crawled: Crawled, tmp_path: Path, no_network: None
) -> None:
    """A source's sources.toml ``extract`` overrides reach the pages it fetched on reprocess
    too (here: the first paragraph as the title), and no other source's pages."""
    plain, chosen, other = tmp_path / "plain", tmp_path / "chosen", tmp_path / "other"
    for target in (plain, chosen, other):
        shutil.copytree(crawled.data / "raw", target / "raw")
    run_reprocess(plain)
    run_reprocess(chosen, selectors={"site": {"title": "p"}})
    run_reprocess(other, selectors={"elsewhere": {"title": "p"}})
    titles = {d: load_articles(d).set_index("url")["title"].sort_index() for d in (plain, chosen, other)}
    assert (titles[chosen] != titles[plain]).all()
    pd.testing.assert_series_equal(titles[other], titles[plain])


# --- sources.toml ---------------------------------------------------------------------------


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return load_sources(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[sources.a]\nsite = "https://a.example/"\nfeed = ["/rss"]',
            "sources.a: unknown key 'feed' (did you mean 'feeds'?)",
        ),
        ("[http]\nrate_limt = 2", "http: unknown key 'rate_limt' (did you mean 'rate_limit'?)"),
        (
            '[sources.a]\nsite = "https://a.example/"\nfeeds = ["/rss"]\n'
            '[sources.a.http]\nrate_limit = "fast"',
            "sources.a.http.rate_limit: expected a number > 0, got 'fast'",
        ),
        (
            '[sources.a]\nsite = "ftp://a.example/"\nfeeds = ["/rss"]',
            "sources.a.site: expected an absolute http",
        ),
        ('[sources.a]\nfeeds = ["/rss"]', "sources.a: missing key 'site'"),
        (
            '[sources.a]\nsite = "https://a.example/"',
            "sources.a: needs at least one of 'feeds', 'sitemaps' or 'lists'",
        ),
        (
            '[sources.a]\nsite = "https://a.example/"\nfeeds = ["/rss"]\narticle_pattern = "(unclosed"',
            "sources.a.article_pattern: not a regular expression",
        ),
        (
            '[sources.a]\nsite = "https://a.example/"\n[[sources.a.lists]]\nurl = "/news"\nlinks = "a[href"',
            "sources.a.lists[0].links: not a CSS selector",
        ),
        (
            '[sources.a]\nsite = "https://a.example/"\nfeeds = ["/rss"]\nlanguages = ["ar", "Russian"]',
            "sources.a.languages: item 2: expected a two-letter ISO 639-1 code",
        ),
        ('[http]\nallow_addresses = ["localhost"]', "http.allow_addresses: item 1: expected an IP network"),
        ("[http]\nretries = 1.5", "http.retries: expected an integer >= 0"),
        (
            '[sources.a]\nsite = "https://a.example/"\nfeeds = ["/rss"]\nsince = "last year"',
            "sources.a.since",
        ),
        (
            '[sources.a]\nsite = "https://a.example/"\nfeeds = ["/rss"]\n[sources.a.extract]\nbody = ""',
            "extract.body",
        ),
        ("[sources\n", "not valid TOML"),
    ],
)
def test_sources_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert message in str(caught.value) and str(tmp_path / "sources.toml") in str(caught.value)


def test_sources_defaults_overrides_and_selection(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        "[http]\nrate_limit = 2\nmax_tries = 7\n"
        '[sources.a]\nsite = "https://a.example/"\nfeeds = ["/rss.xml"]\nsince = 2020-01-01\n'
        '[sources.a.http]\nretries = 0\nallow_addresses = ["10.1.0.0/16"]\n'
        '[sources.b]\nsite = "https://b.example/"\nenabled = false\n'
        'sitemaps = ["https://cdn.b.example/sm.xml"]\n',
    )
    a = config.select("a")[0]  # type: ignore[attr-defined]
    assert (a.fetch.rate_limit, a.fetch.retries, a.retry.max_tries) == (2.0, 0, 7)
    assert str(a.fetch.allow_addresses[0]) == "10.1.0.0/16"
    assert a.url(a.feeds[0]) == "https://a.example/rss.xml" and a.since == date(2020, 1, 1)
    assert [s.name for s in config.select()] == ["a"]  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="no source named 'c'"):
        config.select("c")  # type: ignore[attr-defined]


def test_the_example_config_loads() -> None:
    demo_source = load_sources(DEFAULT_CONFIG).sources["demo"]
    assert not demo_source.enabled and demo_source.feeds and demo_source.lists


# --- the command line and the demo ---------------------------------------------------------


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[sources.x]\nsite = "https://x.example/"\nfeeds = ["/rss"]\nmax_page = 3\n')
    assert cli.main(["scrape", "--config", str(bad), "--data", str(tmp_path / "d")]) == 2
    assert "sources.x: unknown key 'max_page' (did you mean 'max_pages'?)" in capsys.readouterr().err
    assert cli.main(["backfill", "--since", "2020-01-01", "--data", str(tmp_path / "d")]) == 2
    assert "--source NAME --since DATE" in capsys.readouterr().err
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert cli.main(["scrape", "--config", str(empty), "--data", str(tmp_path / "d")]) == 1
    assert cli.main(["reprocess", "--data", str(tmp_path / "d")]) == 1
    assert "nothing to reprocess" in capsys.readouterr().out


def test_backfill_help_says_what_happens_to_symlinks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["backfill", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "symlinked files are read only when they lead to a file within it" in text
    assert "symlinked directories are skipped" in text


def test_demo_scrapes_the_fixture_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--data", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert f"{len(EXPECTED)} articles in" in out
    assert "rejected /en/2024/05/to-metadata.html: refused: 169.254.169.254" in out
    second = next(line for line in out.splitlines() if line.startswith("second run"))
    assert "new 0" in second and " ok: " in second
