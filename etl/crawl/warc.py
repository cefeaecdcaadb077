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

When the archive is not on this disk (``--data s3://…``), a run writes its WARC to a local
spool (beside the crawl state) and puts each finished file, whole, at the same name under
the archive's ``raw/`` (``RawFiles``); a file left in the spool by a killed run is put there
by the next run. A reference to a record (``RawRef``) is the same in the spool and after.

Besides the standard fields each record says which URL was requested (``X-Requested-URL``,
the frontier key; ``WARC-Target-URI`` is the URL of that request), what role it played
(``X-Crawl-Role``: article, feed, sitemap, list, robots, redirect) and for which source.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Protocol, TypeVar
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


class RawFiles(Protocol):
    """WARC files by their name under a raw root (``date=YYYY-MM-DD/<run>.warc.gz``)."""

    def names(self) -> Iterable[str]:
        """Every file's name (any order; the readers sort and filter)."""
        ...

    def open(self, name: str) -> BinaryIO:
        """One file, for reading (seekable)."""
        ...

    def put(self, local: Path, name: str) -> None:
        """Store a finished local file, whole, under ``name``."""
        ...


class LocalFiles:
    """The raw root on this disk."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def names(self) -> list[str]:
        return [p.relative_to(self.root).as_posix() for p in self.root.glob("date=*/*.warc.gz")]

    def open(self, name: str) -> BinaryIO:
        base = self.root.resolve()
        path = (base / name).resolve()
        if not path.is_relative_to(base):
            raise ValueError(f"raw reference outside the raw archive: {name}")
        return open(path, "rb")

    def put(self, local: Path, name: str) -> None:
        """Copy, then rename into place: a reader never sees half a file."""
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(local, partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)


class RawWriter:
    """Appends the exchanges of one run to its file of the fetch day. ``user_agent`` goes
    into each file's warcinfo record (its contact URL or address as the operator).

    With ``remote`` (the raw root of an archive on S3), ``root`` is a local spool: each file
    is put there once finished (at the end of the run or of its day) and then deleted; the
    first write of a run first puts what a killed run left in the spool. A file that cannot
    be put stays in the spool, with a warning, for the next run."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        name: str,
        user_agent: str | None = None,
        remote: RawFiles | None = None,
    ) -> None:
        if not _SAFE_NAME.match(name):
            raise ValueError(f"unsafe WARC file name: {name!r}")
        self.root = Path(root)
        self.name = name
        self.user_agent = user_agent
        self.remote = remote
        self._spool_checked = remote is None
        self._day: date | None = None
        self._handle: BinaryIO | None = None
        self._path: Path | None = None  # the file being written
        self._writer: WARCWriter | None = None

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            if self.remote is not None and self._path is not None:
                self._publish(self._path)

    def read(self, ref: RawRef) -> RawRecord:
        """The record at ``ref``: in this run's root (or spool), else on the remote root."""
        if self.remote is None or (self.root / ref.path).is_file():
            return read_record(self.root, ref)
        return read_record(self.remote, ref)

    def _publish(self, path: Path) -> None:
        name = path.relative_to(self.root).as_posix()
        assert self.remote is not None
        try:
            self.remote.put(path, name)
        except Exception as exc:  # the store is unreachable: the next run puts it
            log.warning("%s: could not store the raw WARC (%s): kept in %s for the next run", name, exc, path)
            return
        path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the day's spool directory, once empty

    def _publish_spooled(self) -> None:
        """What a killed run left in the spool (we hold the archive's lock by now)."""
        self._spool_checked = True
        for name in sorted(LocalFiles(self.root).names()):
            log.info("%s: raw WARC of an earlier run, left in the spool: storing it", name)
            self._publish(self.root / name)

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
            if not self._spool_checked:
                self._publish_spooled()
            directory = self.root / f"date={day.isoformat()}"
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"{self.name}.warc.gz"
            fresh = not path.exists() or path.stat().st_size == 0
            self._handle = open(path, "ab")  # noqa: SIM115 (kept open for the run)
            self._path = path
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


def _files_of(raw: str | os.PathLike[str] | RawFiles) -> RawFiles:
    return raw if hasattr(raw, "names") else LocalFiles(raw)  # type: ignore[arg-type,return-value]


def read_record(raw: str | os.PathLike[str] | RawFiles, ref: RawRef) -> RawRecord:
    """The record at ``ref`` of a raw root (a local directory or ``RawFiles``); raises
    OSError or ValueError when it is missing or damaged."""
    with _files_of(raw).open(ref.path) as handle:
        handle.seek(ref.offset)
        try:
            record = next(iter(ArchiveIterator(handle)))
        except (StopIteration, ArchiveLoadFailed, EOFError, OSError) as exc:
            raise ValueError(f"damaged WARC record at {ref.path}:{ref.offset}: {exc}") from None
        return _to_record(record)


def iter_records(
    raw: str | os.PathLike[str] | RawFiles, since: date | None = None, role: str | None = "article"
) -> Iterator[RawRecord]:
    """Records of a raw root (a local directory or ``RawFiles``) in fetch order (partition,
    file, offset), from ``since`` on, of one role. A truncated record at the end of a file
    (a killed run) ends that file, with a warning."""
    files = _files_of(raw)
    for name in _names(files, since):
        yield from _read_file(files, name, role, _to_record)


def walk_records(
    raw: str | os.PathLike[str] | RawFiles, since: date | None = None, role: str | None = "article"
) -> Iterator[None]:
    """One None per record ``iter_records`` yields, the bodies skipped and damage not logged:
    a cheap second walk for a progress bar to count."""
    files = _files_of(raw)
    for name in _names(files, since):
        yield from _read_file(files, name, role, lambda record: None, warn=False)


def _names(files: RawFiles, since: date | None) -> list[str]:
    """The WARCs of the day partitions from ``since`` on, in (day, file name) order."""
    kept = []
    for name in files.names():
        parts = PurePosixPath(name).parts
        match = _PARTITION.match(parts[0]) if len(parts) == 2 else None
        if not match or not parts[1].endswith(".warc.gz"):
            continue
        if since is None or date.fromisoformat(match.group(1)) >= since:
            kept.append(name)
    return sorted(kept)


def _read_file(
    files: RawFiles, name: str, role: str | None, convert: Callable[[Any], _T], warn: bool = True
) -> Iterator[_T]:
    with files.open(name) as handle:
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
                        "%s: unreadable record (a killed run?), rest of the file skipped: %s", name, exc
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
