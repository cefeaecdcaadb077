"""etl.crawl.fetch against the fixture site on 127.0.0.1: politeness, retries, caps and the address guard.

Nothing leaves the machine: the site is on loopback, and the guard is tested with stub
resolvers (the refused addresses are never connected to) and with loopback addresses a
policy does not allow.
"""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from etl.crawl.fetch import (
    Fetcher,
    FetchError,
    FetchPolicy,
    HostThrottle,
    address_kind,
    charset_of,
    parse_networks,
    retry_after_seconds,
)
from etl.extract.decode import decode
from tests import sitefixture
from tests.sitefixture import FixtureSite

LOOPBACK = parse_networks(["127.0.0.1/32"])
POLICY = FetchPolicy(
    user_agent="news-archive-test/1.0 (+tests)",
    rate_limit=50.0,
    read_timeout=0.3,
    retries=1,
    backoff=0.05,
    max_retry_after=5.0,
    max_bytes=512 * 1024,
    max_redirects=3,
    allow_addresses=LOOPBACK,
)
TOLERANCE = 0.015  # server-side arrival times jitter a little around the client's schedule


def test_throttle_spaces_requests_from_when_they_really_started() -> None:
    """A sleep that overruns (a loaded machine) delays one request; the next one still waits
    the whole interval after it, not after the planned start."""
    clock = [0.0]
    overruns = [0.2]  # only the first sleep overruns

    def sleep(seconds: float) -> None:
        clock[0] += seconds + (overruns.pop() if overruns else 0.0)

    throttle = HostThrottle(clock=lambda: clock[0], sleep=sleep)
    starts = []
    for _ in range(3):
        throttle.wait("example.org", 1.0)
        starts.append(clock[0])
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 1.0


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite(crawl_delay=0.0) as served:
        yield served


def fetcher(**changes: object) -> Fetcher:
    return Fetcher(replace(POLICY, **changes))  # type: ignore[arg-type]


def gaps(hits: list[sitefixture.Hit]) -> list[float]:
    return [b.at - a.at for a, b in itertools.pairwise(hits)]


def sent_at(f: Fetcher) -> list[float]:
    """Record when the fetcher sends each request (client side: the server's arrival times
    jitter with thread scheduling on a loaded machine, the crawler's pacing does not)."""
    times: list[float] = []
    send = f.session.send

    def timed(*args: Any, **kwargs: Any) -> Any:
        times.append(time.monotonic())
        return send(*args, **kwargs)

    f.session.send = timed  # type: ignore[method-assign]
    return times


# --- politeness -------------------------------------------------------------------------


def test_rate_limit_spaces_requests_to_one_host(site: FixtureSite) -> None:
    with fetcher(rate_limit=10.0) as f:
        times = sent_at(f)
        for path in sitefixture.ARTICLES[:4]:
            if "drafts" not in path:
                f.fetch(site.base + path)
    assert len(times) >= 4  # robots.txt + pages
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.1 - TOLERANCE


def test_robots_crawl_delay_slows_a_faster_rate_limit() -> None:
    with FixtureSite(crawl_delay=0.25) as site, fetcher(rate_limit=100.0) as f:
        times = sent_at(f)
        for path in (
            "/en/2024/05/tram-line.html",
            "/ru/2024/05/tram-line.html",
            "/ar/2024/05/tram-line.html",
        ):
            f.fetch(site.base + path)
        assert len(site.hits) == 4 == len(times)
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.25 - TOLERANCE


def test_robots_disallow_is_obeyed_and_robots_read_once_with_our_user_agent(site: FixtureSite) -> None:
    with fetcher() as f:
        with pytest.raises(FetchError) as caught:
            f.fetch(site.base + "/en/drafts/2024/05/unpublished.html")
        f.fetch(site.base + "/en/2024/05/tram-line.html")
    assert caught.value.reason == "disallowed by robots.txt" and caught.value.permanent
    assert [h.path for h in site.hits] == ["/robots.txt", "/en/2024/05/tram-line.html"]
    assert all(h.headers["User-Agent"] == POLICY.user_agent for h in site.hits)


def test_robots_unavailable_means_nothing_is_fetched_now(site: FixtureSite) -> None:
    site.statuses["/robots.txt"] = 503
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + "/en/2024/05/tram-line.html")
    assert caught.value.reason.startswith("robots.txt unavailable: HTTP 503")
    assert not caught.value.permanent  # a later run tries again
    assert {h.path for h in site.hits} == {"/robots.txt"}


def test_missing_robots_allows_everything(site: FixtureSite) -> None:
    site.statuses["/robots.txt"] = 404
    with fetcher() as f:
        assert f.fetch(site.base + "/en/drafts/2024/05/unpublished.html").status == 200


def test_robots_429_or_a_timeout_means_nothing_is_fetched_now(site: FixtureSite) -> None:
    """429 is not "no rules" (Google treats it as a server error); neither is silence."""
    site.statuses["/robots.txt"] = 429
    with fetcher(retries=0) as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + "/en/2024/05/tram-line.html")
    assert caught.value.reason == "robots.txt unavailable: HTTP 429 Too Many Requests"
    del site.statuses["/robots.txt"]
    site.drips["/robots.txt"] = "body"
    with fetcher(total_timeout=0.5) as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + "/en/2024/05/tram-line.html")
    assert caught.value.reason.startswith("robots.txt unavailable: timed out") and not caught.value.permanent
    assert not site.requests_for("/en/2024/05/tram-line.html")


ROBOTS = b"User-agent: *\nDisallow: /en/drafts/\n"
DRAFT, PAGE = "/en/drafts/2024/05/unpublished.html", "/en/2024/05/tram-line.html"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (ROBOTS, "text/html; charset=utf-8"),  # a wrong type: the rules still hold
        (ROBOTS, "application/octet-stream"),
        (ROBOTS, None),
        (b"\xef\xbb\xbf" + ROBOTS, "text/plain"),  # a BOM must not hide the first group
        (ROBOTS + b"# padding\n" * 60_000, "text/plain"),  # 600 kB: the first 512 KiB are read
    ],
)
def test_robots_rules_hold_whatever_the_type_a_bom_or_the_size(
    site: FixtureSite, body: bytes, content_type: str | None
) -> None:
    site.pages["/robots.txt"] = body
    if content_type:
        site.content_types["/robots.txt"] = content_type
    with fetcher() as f:
        assert f.fetch(site.base + PAGE).status == 200
        with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
            f.fetch(site.base + DRAFT)


def test_robots_answered_with_an_html_page_means_no_rules(site: FixtureSite) -> None:
    """A soft 404: the site's "not found" page with status 200. It holds no rules (Google)."""
    site.pages["/robots.txt"] = b"<!DOCTYPE html>\n<html><title>Not found</title>\nDisallow: /\n</html>\n"
    site.content_types["/robots.txt"] = "text/html"
    with fetcher() as f:
        assert f.fetch(site.base + DRAFT).status == 200


# --- retries ------------------------------------------------------------------------------


def test_503_is_retried_after_backoff(site: FixtureSite) -> None:
    with fetcher(backoff=0.2) as f:
        times = sent_at(f)
        response = f.fetch(site.base + sitefixture.FLAKY)
    assert response.status == 200 and b"container quay" in response.body
    hits = site.requests_for(sitefixture.FLAKY)
    assert [h.status for h in hits] == [503, 200]
    assert times[-1] - times[-2] >= 0.2 - TOLERANCE


def test_retry_after_is_honoured(site: FixtureSite) -> None:
    with fetcher(backoff=0.01) as f:
        times = sent_at(f)
        assert f.fetch(site.base + sitefixture.BUSY).status == 200
    hits = site.requests_for(sitefixture.BUSY)
    assert [h.status for h in hits] == [429, 200]
    assert times[-1] - times[-2] >= 1.0 - TOLERANCE  # Retry-After: 1, far above the backoff


def test_retry_after_longer_than_allowed_ends_the_attempt(site: FixtureSite) -> None:
    with fetcher(max_retry_after=0.5) as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + sitefixture.BUSY)
    assert caught.value.retry_after == 1.0 and "retried in a later run" in caught.value.reason
    assert len(site.requests_for(sitefixture.BUSY)) == 1


def test_slow_page_times_out_after_the_retries() -> None:
    with FixtureSite(crawl_delay=0.0, slow_seconds=2.0) as site, fetcher(read_timeout=0.2) as f:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            f.fetch(site.base + sitefixture.SLOW)
        assert time.monotonic() - started < 1.5
        assert caught.value.reason.startswith("timed out") and not caught.value.permanent
        assert len(site.requests_for(sitefixture.SLOW)) == 2  # one retry


@pytest.mark.parametrize("path", [sitefixture.DRIP_HEADERS, sitefixture.DRIP_BODY])
def test_a_server_dripping_bytes_is_cut_off_at_the_total_timeout(site: FixtureSite, path: str) -> None:
    """A byte every 0.1 s keeps every socket read well under read_timeout; the whole answer
    would take 40 s. The response's deadline ends it, headers or body, and it is not retried
    within the run (a later run tries again)."""
    with fetcher(read_timeout=1.0, total_timeout=1.0, retries=2) as f:
        f.fetch(site.base + "/en/2024/05/tram-line.html")  # robots.txt read: only the drip is timed
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            f.fetch(site.base + path)
        took = time.monotonic() - started
    assert caught.value.reason == "timed out: the response took longer than 1 s"
    assert not caught.value.permanent and not caught.value.retry
    assert took < 1.0 + 2.0, took
    assert len(site.requests_for(path)) == 1


def test_the_deadline_is_per_response_and_spares_a_quick_one(site: FixtureSite) -> None:
    """Responses that each take less than total_timeout pass, however many come in a row."""
    with fetcher(total_timeout=0.5, rate_limit=5.0) as f:
        for _ in range(4):  # 0.2 s apart: longer together than one deadline
            assert f.fetch(site.base + "/en/2024/05/tram-line.html").status == 200


def test_404_is_an_error_worth_retrying_in_a_later_run(site: FixtureSite) -> None:
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + "/en/2024/05/withdrawn.html")
    assert caught.value.reason == "HTTP 404 Not Found" and not caught.value.permanent
    assert len(site.requests_for("/en/2024/05/withdrawn.html")) == 1  # not retried within the run


def test_connection_refused_is_a_reason_not_a_crash() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    with fetcher(backoff=0.01) as f, pytest.raises(FetchError) as caught:
        f.fetch(f"http://127.0.0.1:{port}/page.html")
    assert "robots.txt unavailable: connection failed" in caught.value.reason


def test_dns_failure_is_a_reason() -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known")

    with Fetcher(POLICY, resolver=no_dns) as f, pytest.raises(FetchError) as caught:
        f.fetch("http://news.invalid/a.html")
    assert "DNS lookup failed for news.invalid" in caught.value.reason


# --- caps and types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (sitefixture.HUGE, "response too large: 3145735 bytes > 524288"),
        (sitefixture.HUGE_STREAM, "response too large: over 524288 bytes after decompression"),
        (sitefixture.BOMB, "response too large: over 524288 bytes after decompression"),
        (sitefixture.PHOTO, "unexpected content type 'image/jpeg' for html"),
    ],
)
def test_oversized_bombs_and_wrong_types_are_refused(site: FixtureSite, path: str, reason: str) -> None:
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + path)
    assert caught.value.reason == reason and caught.value.permanent


def test_redirects_are_followed_and_limited(site: FixtureSite) -> None:
    with fetcher() as f:
        moved = f.fetch(site.base + "/en/2024/05/moved.html")
        assert moved.final_url == site.base + "/en/2024/05/tram-line.html"
        assert moved.url == site.base + "/en/2024/05/moved.html"
        with pytest.raises(FetchError) as caught:
            f.fetch(site.base + sitefixture.LOOP[0])
    assert caught.value.reason.startswith("more than 3 redirects")
    assert len([h for h in site.hits if h.path in sitefixture.LOOP]) == 4


def test_no_cookie_is_carried_through_a_redirect(site: FixtureSite) -> None:
    with fetcher() as f:
        f.fetch(site.base + "/cookie/set")
        f.fetch(site.base + "/cookie/check")
    checks = site.requests_for("/cookie/check")
    assert len(checks) == 2 and all("Cookie" not in h.headers for h in checks)
    assert "Set-Cookie" not in str(site.requests_for("/cookie/set")[0].headers)


def test_conditional_get_sends_validators_and_gets_304(site: FixtureSite) -> None:
    url = site.base + "/en/2024/05/tram-line.html"
    with fetcher() as f:
        first = f.fetch(url)
        again = f.fetch(url, validators=first.validators)
    assert first.status == 200 and first.validators.etag
    assert again.not_modified and again.body == b""
    sent = site.requests_for("/en/2024/05/tram-line.html")[1].headers
    assert sent["If-None-Match"] == first.validators.etag
    assert sent["If-Modified-Since"] == sitefixture.LAST_MODIFIED


@pytest.mark.parametrize(
    ("path", "charset", "expected"),
    [
        ("/ar/2024/03/fishermen-festival.html", "windows-1256", "مهرجان الصيادين يعود إلى الميناء"),
        ("/ru/2024/03/hockey-final.html", "windows-1251", "«Маяк» выиграл финал"),
    ],
)
def test_charset_declared_only_in_the_header(
    site: FixtureSite, path: str, charset: str, expected: str
) -> None:
    with fetcher() as f:
        response = f.fetch(site.base + path)
    assert b"charset" not in response.body.lower()
    assert response.charset == charset
    assert expected in decode(response.body, response.charset)


# --- the address guard ------------------------------------------------------------------


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a TCP connection fails the test."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"connection attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


STUB_DNS = {
    "intranet.test": ["10.0.0.5"],
    "metadata.test": ["169.254.169.254"],
    "cgnat.test": ["100.64.1.1"],
    "multicast.test": ["224.0.0.251"],
    "loopback6.test": ["::1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "mixed.test": ["93.184.216.34", "192.168.1.10"],
}


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("intranet.test", "private"),
        ("metadata.test", "link-local"),
        ("cgnat.test", "shared (CGNAT)"),
        ("multicast.test", "multicast"),
        ("loopback6.test", "loopback"),
        ("mapped.test", "loopback"),
        ("mixed.test", "private"),
    ],
)
def test_guard_refuses_non_public_addresses_before_connecting(
    host: str, kind: str, no_connections: list[object]
) -> None:
    looked_up: list[str] = []

    def resolver(name: str, port: int) -> list[str]:
        looked_up.append(name)
        return STUB_DNS[name]

    with (
        Fetcher(replace(POLICY, allow_addresses=()), resolver=resolver) as f,
        pytest.raises(FetchError) as caught,
    ):
        f.fetch(f"http://{host}/news/1.html")
    assert f"is a {kind} address not allowed" in caught.value.reason and caught.value.permanent
    assert looked_up == [host] and no_connections == []


def test_guard_refuses_loopback_for_a_source_that_does_not_allow_it(site: FixtureSite) -> None:
    with Fetcher(replace(POLICY, allow_addresses=())) as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + "/en/2024/05/tram-line.html")
    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address not allowed for this source"
    assert site.hits == []


def test_guard_checks_every_redirect_hop(site: FixtureSite, monkeypatch: pytest.MonkeyPatch) -> None:
    connected: list[object] = []
    real_connect = socket.socket.connect

    def watch(self: socket.socket, address: object) -> None:
        connected.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", watch)
    with fetcher() as f:
        for path, target in (
            ("to-private", "10.0.0.5 is a private"),
            ("to-metadata", "169.254.169.254 is a link"),
        ):
            with pytest.raises(FetchError) as caught:
                f.fetch(f"{site.base}/en/2024/05/{path}.html")
            assert caught.value.reason.startswith(f"refused: {target}")
    assert {a[0] for a in connected} == {"127.0.0.1"}  # type: ignore[index]


def test_guard_checks_the_connected_peer_against_dns_rebinding(site: FixtureSite) -> None:
    """DNS says public, the socket lands on loopback: refused after connect, before a byte is sent."""
    lying = Fetcher(replace(POLICY, allow_addresses=()), resolver=lambda host, port: ["93.184.216.34"])
    with lying as f, pytest.raises(FetchError) as caught:
        f.fetch(site.base + "/en/2024/05/tram-line.html")
    assert caught.value.reason.startswith("refused: connected to 127.0.0.1, a loopback address")
    time.sleep(0.05)
    assert site.hits == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://127.0.0.1/file.txt", "refused: only http and https URLs are fetched, not 'ftp'"),
        ("file:///etc/passwd", "refused: only http and https URLs are fetched, not 'file'"),
        ("http://user:secret@127.0.0.1/a.html", "refused: the URL carries credentials"),
        ("http://[::1/a.html", "malformed URL: 'http://[::1/a.html'"),
    ],
)
def test_only_plain_http_urls(url: str, reason: str, no_connections: list[object]) -> None:
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f._guard(url)
    assert caught.value.reason == reason


def test_address_kinds() -> None:
    assert address_kind("93.184.216.34") is None
    assert address_kind("2606:4700::1111") is None
    assert address_kind("127.0.0.1") == "loopback"
    assert address_kind("127.0.0.1", LOOPBACK) is None
    assert address_kind("127.0.0.2", LOOPBACK) == "loopback"
    assert address_kind("fe80::1%eth0") == "link-local"
    assert address_kind("fd00::1") == "private"
    assert address_kind("0.0.0.0") == "unspecified"
    assert address_kind("240.0.0.1") is not None  # reserved (Python files it under private)
    assert address_kind("not-an-ip") == "unparseable"


# --- header parsing ---------------------------------------------------------------------


def test_charset_and_retry_after_parsing() -> None:
    assert charset_of("text/html; charset=Windows-1251") == "windows-1251"
    assert charset_of('text/html; charset="utf-8"') == "utf-8"
    assert charset_of("text/html") is None  # no ISO-8859-1 default: the document decides
    assert charset_of(None) is None
    assert retry_after_seconds("120") == 120.0
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert retry_after_seconds("soon") is None
