"""HTTP for crawling: one requests.Session per source, polite and hard to wedge.

Politeness lives here, not in the jobs (Scrapy's lesson): robots.txt (protego) with its
Crawl-delay, a per-host minimum interval, an identifying User-Agent, retries with
exponential backoff that honour Retry-After. Safety too: http/https only, no URL
credentials, no cookies at all, a size cap that also holds after decompression, a
content-type check, a redirect limit, and an address guard at every redirect hop
that refuses loopback, private, link-local, CGNAT, multicast and reserved addresses
unless the source allows them. The guard checks the resolved addresses before a
request and the connected peer after connect, so DNS rebinding cannot slip past it.

Every response (each redirect hop) has a wall-clock deadline, ``total_timeout``, for its
headers and body together. Socket timeouts alone cannot give one: a server that sends a
byte a second never lets a single read time out. So a timer shuts the connection's socket
down when the deadline passes, which ends any read in progress at once, and whatever
that cut short is reported as the timeout.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

DEFAULT_USER_AGENT = "news-archive/0.1 (archival crawler; put your contact URL in jobs/sources.toml)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB; what follows is ignored
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_CHUNK = 64 * 1024
_KEPT_ERROR_BYTES = 64 * 1024  # of an error or redirect body, for the raw archive
# Content types each kind of fetch accepts; None = missing header (sniffed downstream).
ACCEPT = {
    "html": ("text/html", "application/xhtml+xml", None),
    "xml": ("xml", "application/gzip", "application/x-gzip", "application/octet-stream", "text/plain", None),
    "robots": None,  # any: RFC 9309 and Google parse robots.txt whatever its Content-Type
}
_ACCEPT_HEADER = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "xml": "application/rss+xml,application/atom+xml,application/xml,text/xml;q=0.9,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How to fetch one source. Every limit is configurable so tests can use small values."""

    user_agent: str = DEFAULT_USER_AGENT
    rate_limit: float = 1.0  # requests per second per host; robots.txt Crawl-delay can only slow it
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # per socket read
    total_timeout: float = 120.0  # the whole response, so a trickling server cannot hold a run
    retries: int = 3  # extra attempts within a run (connection errors, timeouts, 429, 5xx)
    backoff: float = 1.0  # first retry waits this long, then twice as long each time
    max_backoff: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After ends the attempt: retried in a later run
    max_bytes: int = 10 * 1024 * 1024  # body cap, after decompression
    max_redirects: int = 5
    allow_addresses: tuple[Network, ...] = ()  # non-public networks this source may reach

    @property
    def interval(self) -> float:
        return 1.0 / self.rate_limit if self.rate_limit > 0 else 0.0

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt groups are matched against ("news-archive")."""
        return self.user_agent.split("/")[0].split()[0]


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified of the last 200."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True, slots=True)
class Response:
    """A finished exchange: 200 with its body, or 304 (not modified) without one."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return media_type(self.header("Content-Type"))

    @property
    def charset(self) -> str | None:
        return charset_of(self.header("Content-Type"))

    @property
    def validators(self) -> Validators:
        return Validators(self.header("ETag"), self.header("Last-Modified"))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the server's answer, for the raw archive, which keeps what the site
    said, not only the pages in the end: each redirect hop, robots.txt, error statuses, 304s."""

    request_headers: tuple[tuple[str, str], ...]  # as sent
    response: Response
    role: str | None = None  # "robots" or "redirect"; None: the URL the caller asked for
    truncated: bool = False  # the body was cut (an error or redirect page keeps its first 64 KiB)


class FetchError(Exception):
    """A URL could not be fetched. ``permanent``: retrying will not help (robots, guard,
    size, type); ``retry_after``: seconds the server asked us to wait."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        retry: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.retry = retry  # worth another attempt within this run
        self.status = status


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";")[0].strip().lower() or None


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, None when absent (no ISO-8859-1 default)."""
    if not content_type:
        return None
    message = Message()
    message["Content-Type"] = content_type
    return message.get_content_charset()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# --- the address guard ---------------------------------------------------------------


def address_kind(ip: str, allow: Iterable[Network] = ()) -> str | None:
    """What kind of non-public address ``ip`` is ("private", "loopback", ...), or None when
    it is public or in an allowed network."""
    try:
        addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return "unparseable"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if any(addr in net for net in allow):
        return None
    for test, kind in (
        (addr.is_loopback, "loopback"),
        (addr.is_unspecified, "unspecified"),
        (addr.is_link_local, "link-local"),
        (addr.is_multicast, "multicast"),
        (isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT, "shared (CGNAT)"),
        (addr.is_private, "private"),
        (addr.is_reserved, "reserved"),
        (not addr.is_global, "non-public"),
    ):
        if test:
            return kind
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class _Deadline:
    """The wall-clock limit of one response. When it passes, the socket the response is read
    from is shut down (from a timer thread), so a read blocked on a dripping server returns
    at once; ``expired`` then tells the fetch that the end it saw was the deadline's."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """The socket the response comes from (shut down at once if the time is already up)."""
        with self._lock:
            self._sock = sock
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shut(self._sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def error(self) -> FetchError:
        """Not retried within the run: a server this slow is likely as slow a second later."""
        return FetchError(f"timed out: the response took longer than {self.seconds:g} s")


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: it wakes a read blocked in another
    # thread without touching the TLS object that thread is using.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _GuardedAdapter(HTTPAdapter):
    """Checks the peer address of every new connection (after DNS, before any byte is sent)
    and puts the socket of every response under the current deadline."""

    def __init__(self, check_peer: Callable[[str], None]) -> None:
        self._check_peer = check_peer
        self.deadline: _Deadline | None = None  # of the response being fetched (one at a time)
        super().__init__(max_retries=0, pool_connections=4, pool_maxsize=4)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type(
                "GuardedPool", (HTTPConnectionPool,), {"ConnectionCls": self._guarded(HTTPConnection)}
            ),
            "https": type(
                "GuardedTLSPool", (HTTPSConnectionPool,), {"ConnectionCls": self._guarded(HTTPSConnection)}
            ),
        }

    def _guarded(self, base: type) -> type:
        check = self._check_peer
        adapter = self

        def _new_conn(conn: Any) -> socket.socket:
            sock = base._new_conn(conn)
            try:
                check(sock.getpeername()[0])
            except BaseException:
                sock.close()
                raise
            return sock

        def getresponse(conn: Any) -> Any:
            # The request is sent (a kept-alive connection too): the headers come next.
            if adapter.deadline is not None and conn.sock is not None:
                adapter.deadline.watch(conn.sock)
            return base.getresponse(conn)

        return type(f"Guarded{base.__name__}", (base,), {"_new_conn": _new_conn, "getresponse": getresponse})


# --- robots and rate limits -----------------------------------------------------------


class _NoCookies(DefaultCookiePolicy):
    """An archive crawler needs no cookies, so none can leak to another host."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Any, request: Any) -> bool:
        return False


@dataclass(slots=True)
class _Robots:
    parser: Protego | None  # None: everything allowed (no robots.txt)
    error: FetchError | None = None  # robots.txt unavailable: nothing on the host is fetched this run


class HostThrottle:
    """A minimum interval between request starts per host. The interval is applied when the
    next request comes, so a Crawl-delay learnt from robots.txt already spaces the request
    that follows robots.txt itself."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ):
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> None:
        now = self._clock()
        last = self._last.get(host)
        start = now if last is None else max(now, last + interval)
        if start > now:
            self._sleep(start - now)
        # When the request really starts: a sleep that overran (a loaded machine) must not
        # shorten the interval before the next request.
        self._last[host] = max(start, self._clock())


# --- the fetcher ------------------------------------------------------------------------


class Fetcher:
    """One session for one source. ``fetch`` returns a 200 or 304 Response or raises FetchError."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._resolve = resolver or system_resolver
        self._sleep = sleep
        self._throttle = HostThrottle(sleep=sleep)
        self._robots: dict[str, _Robots] = {}
        self.exchanges: list[Exchange] = []  # what the last fetch() sent and received
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc credentials from the environment
        self.session.cookies.set_policy(_NoCookies())
        self.session.headers.update({"User-Agent": self.policy.user_agent})
        self._adapter = _GuardedAdapter(self._check_peer)
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # public -----------------------------------------------------------------------------

    def fetch(self, url: str, kind: str = "html", validators: Validators | None = None) -> Response:
        """GET ``url`` politely: robots, rate limit, retries, redirects, caps, guard. Every
        answer received on the way is in ``exchanges`` until the next call."""
        self.exchanges = []
        self._check_robots(url)
        return self._with_retries(url, kind, validators)

    # retries ---------------------------------------------------------------------------

    def _with_retries(self, url: str, kind: str, validators: Validators | None) -> Response:
        policy = self.policy
        attempt = 0
        while True:
            try:
                return self._follow(url, kind, validators)
            except FetchError as exc:
                if not exc.retry or attempt >= policy.retries:
                    raise
                wait = min(policy.backoff * 2**attempt, policy.max_backoff)
                if exc.retry_after is not None:
                    if exc.retry_after > policy.max_retry_after:
                        raise FetchError(
                            f"{exc.reason}; Retry-After {exc.retry_after:.0f} s is longer than "
                            f"{policy.max_retry_after:.0f} s: retried in a later run",
                            retry_after=exc.retry_after,
                        ) from None
                    wait = max(wait, exc.retry_after)
                log.info("retry %d of %d for %s in %.2f s: %s", attempt + 1, policy.retries, url, wait, exc)
                self._sleep(wait)
            attempt += 1

    # redirects -------------------------------------------------------------------------

    def _follow(self, url: str, kind: str, validators: Validators | None) -> Response:
        """One attempt: follow redirects ourselves so every hop passes robots and the guard."""
        current = url
        headers = validators.headers() if validators else {}
        for _hop in range(self.policy.max_redirects + 1):
            self._throttle.wait(self._guard(current), self._interval(current))
            with self._deadline():
                response = self._send(current, kind, headers)
                if response.status_code not in REDIRECT_STATUSES:
                    return self._finish(url, current, response, kind)
                self._keep_error(current, response, "robots" if kind == "robots" else "redirect")
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {response.status_code} redirect without a Location", permanent=True)
            current = urljoin(current, location.strip())
            headers = {}  # validators belong to the requested URL only
            if kind != "robots":
                self._check_robots(current)
        raise FetchError(f"more than {self.policy.max_redirects} redirects (ended at {current})")

    @contextlib.contextmanager
    def _deadline(self) -> Iterator[_Deadline]:
        """``total_timeout`` for one response, headers and body. Whatever the deadline cut
        short (an error, or a body that seemed to end when its socket was shut) is reported
        as the timeout it is."""
        deadline = _Deadline(self.policy.total_timeout)
        self._adapter.deadline = deadline
        try:
            yield deadline
        except FetchError:
            if deadline.expired:
                raise deadline.error() from None
            raise
        else:
            if deadline.expired:
                raise deadline.error()
        finally:
            self._adapter.deadline = None
            deadline.cancel()

    def _finish(self, url: str, final: str, response: requests.Response, kind: str) -> Response:
        status = response.status_code
        role = "robots" if kind == "robots" else None
        try:
            if status >= 300 and status != 304:
                self._keep_error(final, response, role)
            if status in RETRY_STATUSES:
                raise FetchError(
                    f"HTTP {status} {response.reason}".strip(),
                    retry=True,
                    retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                    status=status,
                )
            if status == 304:
                return self._keep(self._response(url, final, response, b""), response, role)
            if not 200 <= status < 300:
                raise FetchError(f"HTTP {status} {response.reason}".strip(), status=status)
            self._check_type(response, kind)
            body = self._read(response, kind)
            return self._keep(self._response(url, final, response, body), response, role)
        finally:
            response.close()

    def _response(self, url: str, final: str, response: requests.Response, body: bytes) -> Response:
        headers = tuple((str(k), str(v)) for k, v in response.raw.headers.items())
        return Response(url, final, response.status_code, response.reason or "", headers, body)

    def _keep(
        self, result: Response, response: requests.Response, role: str | None, truncated: bool = False
    ) -> Response:
        """Add an answer to ``exchanges``, with the request that asked for it."""
        sent = tuple((str(k), str(v)) for k, v in response.request.headers.items())
        self.exchanges.append(Exchange(sent, result, role, truncated))
        return result

    def _keep_error(self, url: str, response: requests.Response, role: str | None) -> None:
        """An answer that is not the page (a redirect, an error status), with the start of its
        body; then the connection is let go."""
        body, whole = b"", True
        with contextlib.suppress(FetchError):
            body, whole = self._read_upto(response, _KEPT_ERROR_BYTES)
        response.close()
        self._keep(self._response(url, url, response, body), response, role, truncated=not whole)

    # one request -----------------------------------------------------------------------

    def _send(self, url: str, kind: str, headers: dict[str, str]) -> requests.Response:
        """The request, once the guard has passed ``url`` and the throttle let it go."""
        policy = self.policy
        try:
            return self.session.get(
                url,
                headers={"Accept": _ACCEPT_HEADER[kind], **headers},
                timeout=(policy.connect_timeout, min(policy.read_timeout, policy.total_timeout)),
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.SSLError as exc:
            raise FetchError(f"TLS error: {_short(exc)}") from None
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"timed out: {_short(exc)}", retry=True) from None
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"connection failed: {_short(exc)}", retry=True) from None

    def _read(self, response: requests.Response, kind: str) -> bytes:
        """The body, decompressed, capped at max_bytes (the deadline is the caller's). A
        robots.txt is cut at ROBOTS_MAX_BYTES instead, after its last whole line."""
        if kind == "robots":
            body, whole = self._read_upto(response, ROBOTS_MAX_BYTES)
            return body if whole else body[: body.rfind(b"\n") + 1]
        limit = self.policy.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"response too large: {declared} bytes > {limit}", permanent=True)
        body, whole = self._read_upto(response, limit)
        if not whole:
            raise FetchError(f"response too large: over {limit} bytes after decompression", permanent=True)
        return body

    def _read_upto(self, response: requests.Response, limit: int) -> tuple[bytes, bool]:
        """At most ``limit`` bytes of the decompressed body, and whether that is all of it."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                if size + len(chunk) > limit:
                    chunks.append(chunk[: limit - size])
                    return b"".join(chunks), False
                size += len(chunk)
                chunks.append(chunk)
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError(f"undecodable content encoding: {_short(exc)}", permanent=True) from None
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"connection broke while reading: {_short(exc)}", retry=True) from None
        return b"".join(chunks), True

    def _check_type(self, response: requests.Response, kind: str) -> None:
        mtype = media_type(response.headers.get("Content-Type"))
        accepted = ACCEPT[kind]
        if accepted is None:
            return
        if mtype is None and None in accepted:
            return
        if mtype is not None and any(a is not None and (a == mtype or a in mtype) for a in accepted):
            return
        raise FetchError(f"unexpected content type {mtype!r} for {kind}", permanent=True)

    # the guard -------------------------------------------------------------------------

    def _guard(self, url: str) -> str:
        """Refuse what we must never request; return the host for rate limiting."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchError(f"malformed URL: {url!r}", permanent=True) from None
        if parts.scheme not in ("http", "https"):
            raise FetchError(
                f"refused: only http and https URLs are fetched, not {parts.scheme!r}", permanent=True
            )
        if parts.username is not None or parts.password is not None:
            raise FetchError("refused: the URL carries credentials", permanent=True)
        host = parts.hostname
        if not host:
            raise FetchError(f"malformed URL (no host): {url!r}", permanent=True)
        try:
            addresses = self._resolve(host, port or (443 if parts.scheme == "https" else 80))
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"DNS lookup failed for {host}: {_short(exc)}") from None
        if not addresses:
            raise FetchError(f"DNS lookup failed for {host}: no addresses")
        for ip in addresses:
            kind = address_kind(ip, self.policy.allow_addresses)
            if kind:
                where = ip if ip == host.strip("[]") else f"{host} resolves to {ip}, which"
                raise FetchError(
                    f"refused: {where} is a {kind} address not allowed for this source", permanent=True
                )
        return host

    def _check_peer(self, ip: str) -> None:
        kind = address_kind(ip, self.policy.allow_addresses)
        if kind:
            raise FetchError(
                f"refused: connected to {ip}, a {kind} address not allowed for this source", permanent=True
            )

    # robots ----------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        robots = self._robots_for(url)
        if robots.error is not None:
            raise robots.error
        if robots.parser is not None and not robots.parser.can_fetch(url, self.policy.robots_agent):
            raise FetchError("disallowed by robots.txt", permanent=True)

    def _robots_for(self, url: str) -> _Robots:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin]

    def _load_robots(self, origin: str) -> _Robots:
        """RFC 9309 as Google applies it: 4xx (but 429) means no rules; 5xx, 429 or no
        answer means nothing on the host is fetched in this run (a later run asks again)."""
        if origin == "":
            return _Robots(None)
        try:
            response = self._with_retries(origin + "/robots.txt", "robots", None)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Robots(None)
            if exc.permanent:  # the guard refused the host: every URL on it is refused the same way
                return _Robots(None, exc)
            return _Robots(None, FetchError(f"robots.txt unavailable: {exc.reason}", status=exc.status))
        parser = Protego.parse(robots_text(response.body))
        delay = parser.crawl_delay(self.policy.robots_agent)
        if delay:
            log.info("%s asks for a Crawl-delay of %s s", origin, delay)
        return _Robots(parser)

    def _interval(self, url: str) -> float:
        interval = self.policy.interval
        robots = self._robots.get(_origin(url))
        if robots is not None and robots.parser is not None:
            agent = self.policy.robots_agent
            delay = robots.parser.crawl_delay(agent)
            if delay:
                interval = max(interval, float(delay))
            rate = robots.parser.request_rate(agent)
            if rate and rate.requests:
                interval = max(interval, rate.seconds / rate.requests)
        return interval


_HTML_START = re.compile(r"\s*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def robots_text(body: bytes) -> str:
    """The rules of a robots.txt body as a parser should see them: UTF-8 without its BOM (which
    would hide the first group); an HTML page (a soft 404 answered with 200) has none."""
    text = body.decode("utf-8", "replace").removeprefix("\ufeff")
    return "" if _HTML_START.match(text) else text


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"
    except ValueError:
        pass
    return ""


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def _short(exc: BaseException) -> str:
    """A one-line reason from requests/urllib3's nested exception text."""
    text = str(exc)
    match = _ERRNO.search(text)
    if match:
        return match.group(1).strip()
    for marker in ("Read timed out", "Connection refused", "timed out", "Name or service not known"):
        if marker in text:
            return marker
    text = text.splitlines()[0] if text else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """Networks from strings ("127.0.0.1/32", "::1"); raises ValueError on a bad one."""
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)
