"""WARC files as backfill input: another crawler's output or a Common Crawl News file.

Every ``response`` record of an HTML page (2xx, ``text/html`` or ``application/xhtml+xml``)
is one input, with its ``WARC-Target-URI`` as URL and its ``WARC-Date`` as fetch time; other
records (requests, metadata, redirects, images) are skipped. A record's origin is
``<file>#<offset>``: where to find it again. warcio reads plain and gzipped WARCs and removes
the HTTP transfer and content encodings. A damaged record ends its file with one Reject (a
killed crawler leaves a truncated last record); the records before it are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, TypeVar

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from etl.crawl.fetch import charset_of
from etl.crawl.warc import warc_date
from etl.models import RawDocument, Reject

log = logging.getLogger(__name__)
T = TypeVar("T")

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_BYTES = 20 * 1024 * 1024  # as a local file (etl.read): one page's body, decoded
_DAMAGE = (ArchiveLoadFailed, EOFError, OSError, ValueError)

Opener = Callable[[str], BinaryIO]  # a WARC's name -> its bytes (a local or an S3 file)


def is_warc(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def _html_response(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    return status.startswith("2") and content_type in HTML_TYPES


def _body(record: Any) -> bytes:
    """At most ``MAX_BYTES`` + 1 of the payload, content and transfer encodings removed."""
    body = record.content_stream().read(MAX_BYTES + 1)
    if len(body) <= MAX_BYTES:
        _complete(record)
    return body


def _skip(record: Any) -> bytes:
    """Read past the payload, only to check that it is complete."""
    while record.raw_stream.read(1 << 16):
        pass
    _complete(record)
    return b""


def _complete(record: Any) -> None:
    """warcio hands back a record cut short by the end of the file without a word."""
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        raise EOFError(f"the record ends {missing} bytes early")


def _document(record: Any, body: bytes, origin: str) -> RawDocument | Reject:
    url = record.rec_headers.get_header("WARC-Target-URI")
    if len(body) > MAX_BYTES:
        return Reject(origin, f"WARC record too large (> {MAX_BYTES} bytes)", url=url, stage="read")
    return RawDocument(
        origin=origin,
        data=body,
        url=url,
        charset=charset_of(record.http_headers.get_header("Content-Type")),
        kind="html",
        fetched_at=warc_date(record.rec_headers.get_header("WARC-Date")),
    )


def read_warc(name: str, open_file: Opener) -> Iterator[RawDocument | Reject]:
    """Every HTML response record of one WARC file, in file order."""
    return _records(
        name, open_file, _body, lambda offset, record, body: _document(record, body, f"{name}#{offset}")
    )


def record_offsets(name: str, open_file: Opener) -> list[int | Reject]:
    """The offsets of the HTML response records (and a Reject where the file is damaged),
    bodies skipped: what a cluster worker hands back so that others can read ranges of a file."""
    return list(_records(name, open_file, _skip, lambda offset, record, body: offset))


def read_record(name: str, offset: int, open_file: Opener) -> RawDocument | Reject:
    """The record at ``offset`` (one of ``record_offsets``)."""
    origin = f"{name}#{offset}"
    try:
        with open_file(name) as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            return _document(record, _body(record), origin)
    except (StopIteration, *_DAMAGE) as exc:
        return Reject(origin, f"damaged WARC record: {exc or type(exc).__name__}", stage="read")


def _records(
    name: str, open_file: Opener, read: Callable[[Any], bytes], convert: Callable[[int, Any, bytes], T]
) -> Iterator[T | Reject]:
    """``convert(offset, record, read(record))`` of each HTML response, in file order; then one
    Reject if the file is damaged (read inside the loop: the damage may be in a body). The body
    is read before the offset is asked for: warcio skips the rest of the record to find it."""
    offset = -1
    try:
        with open_file(name) as handle:
            records = ArchiveIterator(handle)
            for record in records:
                if _html_response(record):
                    body = read(record)
                    offset = records.get_record_offset()
                    yield convert(offset, record, body)
    except _DAMAGE as exc:
        log.debug("damaged WARC %s", name, exc_info=True)
        after = f" after the page at offset {offset}" if offset >= 0 else ""
        reason = f"damaged WARC record{after}, rest of the file skipped: {exc or type(exc).__name__}"
        yield Reject(name, reason, stage="read")
