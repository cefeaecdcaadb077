"""The Harbour Herald: a small multilingual news site served on 127.0.0.1 for tests and the demo.

Static pages live in ``tests/fixtures/site/``; feeds, sitemaps and robots.txt are templates
(``{{base}}``, ``{{crawl_delay}}``, ``{{lastmod /path}}``). On top of the pages, special
routes misbehave the way real sites do: a 503 then 200, a 429 with Retry-After, a page
slower than any sane timeout, a redirect loop, an oversized page, a gzip bomb, a 404,
redirects to private and cloud-metadata addresses, an image where HTML was promised.
Every request is logged (time, path, headers, status) so tests can measure politeness.

Run it alone with ``python -m tests.sitefixture [PORT]``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SITE = Path(__file__).resolve().parent / "fixtures" / "site"
LAST_MODIFIED = "Tue, 28 May 2024 10:00:00 GMT"
DEFAULT_LASTMOD = "2024-05-28T10:00:00+00:00"

# Pages with a legacy encoding declared only in the HTTP header (no <meta charset>).
LEGACY = {
    "/ar/2024/03/fishermen-festival.html": "windows-1256",
    "/ru/2024/03/hockey-final.html": "windows-1251",
}
FLAKY = "/en/2024/05/port-expansion.html"  # 503 on the first request, then the page
BUSY = "/ru/2024/05/ferry-schedule.html"  # 429 with Retry-After: 1 on the first request
SLOW = "/en/2024/05/slow-report.html"  # answers after slow_seconds
LOOP = ("/en/2024/05/loop.html", "/en/2024/05/loop-b.html")
HUGE = "/en/2024/05/huge.html"  # larger than the crawler's cap, with a Content-Length
HUGE_STREAM = "/en/2024/05/huge-stream.html"  # the same without a Content-Length
BOMB = "/en/2024/05/bomb.html"  # 20 kB of gzip that inflates to 20 MB
PHOTO = "/en/2024/05/photo-gallery.html"  # an image where a page was linked
DRIP_HEADERS = "/en/2024/05/drip-headers.html"  # the status line and headers a byte at a time
DRIP_BODY = "/en/2024/05/drip-body.html"  # quick headers, then the body a byte at a time
REDIRECTS = {
    "/en/2024/05/to-private.html": "http://10.0.0.5/admin",
    "/en/2024/05/to-metadata.html": "http://169.254.169.254/latest/meta-data/",
    "/en/2024/05/moved.html": "/en/2024/05/tram-line.html",
    "/cookie/set": "/cookie/check",
}
ARTICLES = tuple(
    sorted(
        path
        for path in ("/" + p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
        if re.match(r"^/(ar|ru|en)/(drafts/)?20\d\d/", path)
    )
)
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_TEMPLATE = re.compile(rb"\{\{(base|crawl_delay|lastmod [^}]+)\}\}")


@dataclass(slots=True)
class Hit:
    """One request as the server saw it (logged on arrival; status set once answered)."""

    at: float  # time.monotonic() on arrival
    path: str
    headers: dict[str, str]
    status: int = 0


@functools.cache
def bomb_body(megabytes: int = 20) -> bytes:
    return gzip.compress(b"<html><body><p>" + b"A" * (megabytes * 1024 * 1024) + b"</p></body></html>", 9)


@dataclass
class FixtureSite:
    """A threaded HTTP server for the fixture site. Use as a context manager."""

    crawl_delay: float = 0.05
    slow_seconds: float = 2.5  # > the tests' read_timeout (1 s) with room under load
    huge_bytes: int = 3 * 1024 * 1024
    drip_seconds: float = 0.1  # between two bytes of a dripping answer
    drips: dict[str, str] = field(default_factory=dict)  # more paths that drip: "headers" or "body"
    port: int = 0
    hits: list[Hit] = field(default_factory=list)
    pages: dict[str, bytes] = field(default_factory=dict)  # path -> body overriding the file
    lastmod: dict[str, str] = field(default_factory=dict)  # path -> <lastmod> in sitemaps
    statuses: dict[str, int] = field(default_factory=dict)  # path -> forced error status
    content_types: dict[str, str] = field(default_factory=dict)  # path -> Content-Type overriding the default
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None, "start() the site first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FixtureSite:
        handler = type("Handler", (_Handler,), {"site": self})
        self._server = _Server(("127.0.0.1", self.port), handler)
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="fixture-site",
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget the request log and the 503/429 counters (a fresh visitor)."""
        with self._lock:
            self.hits.clear()
            self._counts.clear()

    def requests_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if urlsplit(h.path).path == path]

    def article_hits(self) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if re.match(r"^/(ar|ru|en)/", h.path) and h.path.endswith(".html")]

    def wait_for_articles(self, served: int, timeout: float = 60) -> None:
        """Until ``served`` article pages were answered 200 (a crawl mid-run, for a kill)."""
        deadline = time.monotonic() + timeout
        while sum(h.status == 200 for h in self.article_hits()) < served and time.monotonic() < deadline:
            time.sleep(0.01)

    def count(self, path: str) -> int:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]

    def log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def render(self, path: str, base: str | None = None) -> bytes | None:
        """The body of a static page or template (links on ``base``, default the served
        address), or None when there is no such page."""
        if path in self.pages:
            return self.pages[path]
        gzipped = path.endswith(".xml.gz")
        file = _file_for(path.removesuffix(".gz") if gzipped else path)
        if file is None:
            return None
        body = file.read_bytes()
        if file.suffix in (".xml", ".txt"):
            values = {"base": base or self.base, "crawl_delay": f"{self.crawl_delay:g}"}

            def fill(match: re.Match[bytes]) -> bytes:
                key = match.group(1).decode()
                if key.startswith("lastmod "):
                    return self.lastmod.get(key.split(" ", 1)[1], DEFAULT_LASTMOD).encode()
                return values[key].encode()

            body = _TEMPLATE.sub(fill, body)
        return gzip.compress(body, mtime=0) if gzipped else body


def _file_for(path: str) -> Path | None:
    relative = path.lstrip("/")
    candidate = (SITE / relative / "index.html") if path.endswith("/") else SITE / relative
    try:
        candidate = candidate.resolve()
    except OSError:
        return None
    if not candidate.is_relative_to(SITE) or not candidate.is_file():
        return None
    return candidate


def content_type(path: str) -> str:
    if path in LEGACY:
        return f"text/html; charset={LEGACY[path]}"
    if path.endswith(".xml.gz"):
        return "application/gzip"
    if path.endswith("rss.xml"):
        return "application/rss+xml; charset=utf-8"
    if path.endswith("atom.xml"):
        return "application/atom+xml; charset=utf-8"
    suffix = Path(path).suffix or ".html"
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeout, size cap) is expected here; anything else is not."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite
    hit: Hit
    protocol_version = "HTTP/1.1"
    server_version = "HarbourHerald/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.hit = Hit(time.monotonic(), self.path, dict(self.headers.items()))
        self.site.log(self.hit)
        self._route(urlsplit(self.path).path)

    def _route(self, path: str) -> int:
        site = self.site
        if path in site.statuses:
            return self._send(site.statuses[path], b"error", "text/plain")
        if path == FLAKY and site.count(path) == 1:
            return self._send(503, b"try again", "text/plain")
        if path == BUSY and site.count(path) == 1:
            return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        if path == SLOW:
            time.sleep(site.slow_seconds)
        if path in LOOP:
            return self._redirect(LOOP[1] if path == LOOP[0] else LOOP[0])
        if path in REDIRECTS:
            extra = {"Set-Cookie": "session=secret-token; Path=/"} if path == "/cookie/set" else {}
            return self._redirect(REDIRECTS[path], extra)
        if path == "/cookie/check":
            return self._send(200, b"<html><body>cookie check</body></html>", "text/html")
        if path == HUGE:
            return self._send(200, b"<p>" + b"x" * site.huge_bytes + b"</p>", "text/html")
        if path == HUGE_STREAM:
            return self._stream(site.huge_bytes)
        if path == BOMB:
            return self._send(200, bomb_body(), "text/html", {"Content-Encoding": "gzip"})
        if path in (DRIP_HEADERS, DRIP_BODY) or path in site.drips:
            return self._drip(site.drips.get(path, "headers" if path == DRIP_HEADERS else "body"))
        if path == PHOTO:
            return self._send(200, b"\xff\xd8\xff\xe0" + b"\x00" * 2048, "image/jpeg")
        body = site.render(path)
        if body is None:
            return self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
        return self._conditional(path, body)

    def _conditional(self, path: str, body: bytes) -> int:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if self.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return self._send(304, b"", None, validators)
        return self._send(200, body, self.site.content_types.get(path, content_type(path)), validators)

    def _redirect(self, location: str, extra: dict[str, str] | None = None) -> int:
        return self._send(302, b"", None, {"Location": location, **(extra or {})})

    def _send(
        self, status: int, body: bytes, ctype: str | None, headers: dict[str, str] | None = None
    ) -> int:
        self.hit.status = status  # before the client can see the answer (tests read it right after)
        try:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a size cap): fine
        return status

    def _drip(self, part: str) -> int:
        """A valid answer sent a byte at a time (all of it, or only the body), so that no single
        read times out: only a deadline for the whole response can stop it. Gives up after
        two minutes (a client that never hangs up)."""
        self.hit.status = 200
        body = b"<html><body><p>" + b"drip " * 400 + b"</p></body></html>"
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            + "X-Padding: ........................................\r\n\r\n"
        ).encode()
        quick, slow = (b"", head + body) if part == "headers" else (head, body)
        self.close_connection = True
        try:
            self.wfile.write(quick)
            self.wfile.flush()
            for i in range(min(len(slow), int(120 / self.site.drip_seconds))):
                time.sleep(self.site.drip_seconds)
                self.wfile.write(slow[i : i + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        return 200

    def _stream(self, size: int) -> int:
        """A body without Content-Length: only a streaming cap can stop it."""
        self.hit.status = 200
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"y" * 65536
            for _ in range(size // len(chunk) + 1):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return 200


def main(argv: list[str]) -> None:
    site = FixtureSite(port=int(argv[0]) if argv else 8765, crawl_delay=0.2).start()
    print(f"serving the fixture site at {site.base}/ (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        site.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
