"""The raw archive: every fetched response as WARC (warcio), for re-extraction without the network.

Layout: ``data/raw/date=YYYY-MM-DD/<name>.warc.gz``, partitioned by fetch date (UTC), one
file per run and day, one gzip member per record. Records are fsynced as they are written
and a run never appends to another run's file, so a killed run leaves at most a
truncated last record, which readers skip. The body is stored decoded (the transfer and
content encodings are removed and Content-Length is set to the stored length), so a
record can be read back with any WARC tool and needs no HTTP decompression.

A file is a capture as web archives make them (WARC 1.1; Heritrix, wget, Browsertrix): it
opens with a ``warcinfo`` record (software, format, operator and user agent), and every
answer the site gave is kept, each followed by the ``request`` record that asked for it
(``WARC-Concurrent-To`` pairs them): pages, robots.txt, each redirect hop, 4xx and 5xx
answers (with the start of their body), and for a 304 a ``revisit`` record (profile
server-not-modified). Only 2xx ``response`` records are pages to re-extract.

Besides the standard fields each record says which URL was requested (``X-Requested-URL``,
the frontier key; ``WARC-Target-URI`` is the URL of that request), what role it played
(``X-Crawl-Role``: article, feed, sitemap, list, robots, redirect) and for which source.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.crawl.fetch import Exchange, Response

log = logging.getLogger(__name__)

_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
_PARTITION = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_T = TypeVar("_T")
_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_CONTACT = re.compile(r"(?:\+|contact:?\s*)?(https?://\S+?|\S+@\S+?)[;)]?(?:\s|$)")


@dataclass(frozen=True, slots=True)
class RawRef:
    """Where one record lives: a path relative to the raw root and a byte offset."""

    path: str
    offset: int


@dataclass(frozen=True, slots=True)
class RawRecord:
    response: Response
    role: str
    source: str | None


class RawWriter:
    """Appends the exchanges of one run to its file of the fetch day. ``user_agent`` goes
    into each file's warcinfo record (its contact URL or address as the operator)."""

    def __init__(self, root: str | os.PathLike[str], name: str, user_agent: str | None = None) -> None:
        if not _SAFE_NAME.match(name):
            raise ValueError(f"unsafe WARC file name: {name!r}")
        self.root = Path(root)
        self.name = name
        self.user_agent = user_agent
        self._day: date | None = None
        self._handle: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def write(self, exchange: Exchange, role: str, source: str | None = None) -> RawRef:
        """Store one answer (a ``response``, or a ``revisit`` for a 304) and then its
        ``request`` record, durably; return where the answer is."""
        response = exchange.response
        fetched = response.fetched_at.astimezone(UTC)
        handle, writer = self._open(fetched.date())
        fields = {
            "WARC-Date": fetched.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "X-Requested-URL": response.url,
            "X-Crawl-Role": exchange.role or role,
        }
        if source:
            fields["X-Crawl-Source"] = source
        if exchange.truncated:
            fields["WARC-Truncated"] = "length"
        headers = [(k, v) for k, v in response.headers if k.lower() not in _DROP_HEADERS]
        headers.append(("Content-Length", str(len(response.body))))
        http = StatusAndHeaders(f"{response.status} {response.reason}".strip(), headers, protocol="HTTP/1.1")
        if response.not_modified:
            fields["WARC-Profile"] = _NOT_MODIFIED
            record = writer.create_warc_record(
                response.final_url, "revisit", http_headers=http, warc_headers_dict=fields
            )
        else:
            record = writer.create_warc_record(
                response.final_url,
                "response",
                payload=io.BytesIO(response.body),
                http_headers=http,
                warc_headers_dict=fields,
            )
        offset = handle.tell()
        writer.write_record(record)
        writer.write_record(
            self._request(writer, exchange, record.rec_headers.get_header("WARC-Record-ID"), fields)
        )
        handle.flush()
        os.fsync(handle.fileno())
        return RawRef(str(Path(handle.name).relative_to(self.root)), offset)

    @staticmethod
    def _request(writer: WARCWriter, exchange: Exchange, answer_id: str, fields: dict[str, str]) -> Any:
        url = exchange.response.final_url
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [("Host", parts.netloc.rsplit("@", 1)[-1]), *exchange.request_headers]
        http = StatusAndHeaders(f"GET {target} HTTP/1.1", headers, is_http_request=True)
        request_fields = {k: v for k, v in fields.items() if k not in ("WARC-Profile", "WARC-Truncated")}
        request_fields["WARC-Concurrent-To"] = answer_id
        return writer.create_warc_record(url, "request", http_headers=http, warc_headers_dict=request_fields)

    def _open(self, day: date) -> tuple[BinaryIO, WARCWriter]:
        if self._handle is None or self._writer is None or day != self._day:
            self.close()
            directory = self.root / f"date={day.isoformat()}"
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"{self.name}.warc.gz"
            fresh = not path.exists() or path.stat().st_size == 0
            self._handle = open(path, "ab")  # noqa: SIM115 (kept open for the run)
            self._writer = WARCWriter(self._handle, gzip=True, warc_version="1.1")
            self._day = day
            if fresh:
                self._writer.write_record(self._writer.create_warcinfo_record(path.name, self._info()))
        return self._handle, self._writer

    def _info(self) -> dict[str, str]:
        agent = self.user_agent or ""
        contact = _CONTACT.search(agent)
        return {
            "software": f"news-archive/{_version()} (warcio {_version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "operator": contact.group(1) if contact else "",
            "http-header-user-agent": agent,
            "robots": "obey",
        }


def _version(package: str = "news-archive") -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def read_record(root: str | os.PathLike[str], ref: RawRef) -> RawRecord:
    """The record at ``ref``; raises OSError or ValueError when it is missing or damaged."""
    base = Path(root).resolve()
    path = (base / ref.path).resolve()
    if not path.is_relative_to(base):
        raise ValueError(f"raw reference outside the raw archive: {ref.path}")
    with open(path, "rb") as handle:
        handle.seek(ref.offset)
        try:
            record = next(iter(ArchiveIterator(handle)))
        except (StopIteration, ArchiveLoadFailed, EOFError, OSError) as exc:
            raise ValueError(f"damaged WARC record at {ref.path}:{ref.offset}: {exc}") from None
        return _to_record(record)


def iter_records(
    root: str | os.PathLike[str], since: date | None = None, role: str | None = "article"
) -> Iterator[RawRecord]:
    """Records in fetch order (partition, file, offset), from ``since`` on, of one role.
    A truncated record at the end of a file (a killed run) ends that file, with a warning."""
    for path in _files(Path(root), since):
        yield from _read_file(path, role, _to_record)


def walk_records(
    root: str | os.PathLike[str], since: date | None = None, role: str | None = "article"
) -> Iterator[None]:
    """One None per record ``iter_records`` yields, the bodies skipped and damage not logged:
    a cheap second walk for a progress bar to count."""
    for path in _files(Path(root), since):
        yield from _read_file(path, role, lambda record: None, warn=False)


def _files(base: Path, since: date | None) -> Iterator[Path]:
    if not base.is_dir():
        return
    for directory in sorted(base.iterdir()):
        match = _PARTITION.match(directory.name)
        if not match or not directory.is_dir():
            continue
        if since is not None and date.fromisoformat(match.group(1)) < since:
            continue
        yield from sorted(directory.glob("*.warc.gz"))


def _read_file(path: Path, role: str | None, convert: Callable[[Any], _T], warn: bool = True) -> Iterator[_T]:
    with open(path, "rb") as handle:
        records = iter(ArchiveIterator(handle))
        while True:
            try:
                record = next(records)
                if record.rec_type != "response" or not _ok(record):
                    continue  # warcinfo, request, revisit, an error or a redirect: not a page
                if role is not None and record.rec_headers.get_header("X-Crawl-Role") != role:
                    continue
                yield convert(record)
            except StopIteration:
                return
            except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
                if warn:
                    log.warning(
                        "%s: unreadable record (a killed run?), rest of the file skipped: %s", path, exc
                    )
                return


def _ok(record: Any) -> bool:
    status = record.http_headers.get_statuscode() if record.http_headers else None
    return bool(status) and status.startswith("2")


def _to_record(record: Any) -> RawRecord:
    fields = record.rec_headers
    http = record.http_headers
    status_line = http.get_statuscode() or "0"
    reason = http.statusline.split(" ", 1)[1] if " " in http.statusline else ""
    body = record.raw_stream.read()
    target = fields.get_header("WARC-Target-URI")
    response = Response(
        url=fields.get_header("X-Requested-URL") or target,
        final_url=target,
        status=int(status_line),
        reason=reason,
        headers=tuple(http.headers),
        body=body,
        fetched_at=warc_date(fields.get_header("WARC-Date")),
    )
    return RawRecord(response, fields.get_header("X-Crawl-Role") or "", fields.get_header("X-Crawl-Source"))


def warc_date(value: str | None) -> datetime:
    """A WARC-Date as an aware UTC datetime (now when the record has none)."""
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
