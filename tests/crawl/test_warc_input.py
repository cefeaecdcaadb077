"""WARC files as backfill input: a WARC written with warcio by hand, as another crawler would.

(A WARC written by the project's own scraper: ``tests/test_scrape.py``.)"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.archive.store import Archive, load_articles
from etl.read import read_inputs
from tests.conftest import ROOT, SEEDS

SITE = ROOT / "tests" / "fixtures" / "site"
TRAM = SITE / "en" / "2024" / "05" / "tram-line.html"
LIBRARY = SITE / "en" / "2024" / "05" / "library.html"
CP1251 = SEEDS / "021_ru_cp1251.html"


def _record(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    kind: str = "response",
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    date: str = "2024-05-28T10:00:00Z",
    gzipped: bool = False,
) -> None:
    headers = [("Content-Type", content_type)]
    if gzipped:
        body = gzip.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    http = {
        "response": StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
        "request": StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True),
    }.get(kind)
    record = writer.create_warc_record(
        url, kind, payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def write_warc(path: Path, *, gzip_records: bool = True, truncate: bool = False) -> None:
    """Two HTML articles among records a crawler also writes: a request, a redirect, an image,
    a metadata record; a legacy page whose charset is only in the HTTP header."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip_records)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "a crawler"}))
    _record(writer, "https://example.org/en/tram", b"", kind="request", content_type="")
    _record(writer, "https://example.org/en/tram", TRAM.read_bytes(), gzipped=True)
    _record(writer, "https://example.org/old", b"", status="301 Moved Permanently")
    _record(writer, "https://example.org/photo.jpg", b"\xff\xd8\xff\xe0", content_type="image/jpeg")
    _record(writer, "https://example.org/en/tram", b"fetch time: 12 ms", kind="metadata", content_type="")
    _record(
        writer,
        "https://example.org/ru/science",
        CP1251.read_bytes(),
        content_type="text/html; charset=windows-1251",
        date="2023-01-02T03:04:05Z",
    )
    _record(writer, "https://example.org/en/library", LIBRARY.read_bytes(), date="2024-05-29T08:00:00Z")
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) - 200] if truncate else data)


def test_every_html_response_is_one_input_with_its_uri_and_warc_date(tmp_path: Path) -> None:
    for gzip_records in (True, False):
        warc = tmp_path / ("crawl.warc.gz" if gzip_records else "crawl.warc")
        write_warc(warc, gzip_records=gzip_records)
        docs = list(read_inputs([warc]))
        assert [d.url for d in docs] == [
            "https://example.org/en/tram",
            "https://example.org/ru/science",
            "https://example.org/en/library",
        ]
        assert [d.fetched_at for d in docs] == [
            datetime(2024, 5, 28, 10, tzinfo=UTC),
            datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC),
            datetime(2024, 5, 29, 8, tzinfo=UTC),
        ]
        assert docs[0].data == TRAM.read_bytes()  # the HTTP content encoding removed
        assert docs[1].charset == "windows-1251"
        assert all(d.origin.startswith(f"{warc}#") for d in docs)


def test_backfill_archives_a_warc_and_a_truncated_one_keeps_what_precedes_the_damage(
    tmp_path: Path,
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_warc(inputs / "a.warc.gz")
    write_warc(inputs / "b.warc.gz", truncate=True)
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "backfill", "--no-progress", str(inputs), "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    articles = load_articles(data).sort_values("url")
    assert list(articles["url"]) == [
        "https://example.org/en/library",
        "https://example.org/en/tram",
        "https://example.org/ru/science",
    ], result.stdout + result.stderr
    science = articles[articles["url"] == "https://example.org/ru/science"].iloc[0]
    assert science["language"] == "ru" and "Ð" not in science["text"]  # decoded as cp1251
    assert science["fetched_at"] == datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)
    # b.warc.gz: its first two articles are duplicates of a's; its damaged last record is a reject
    rejects = Archive(data).read("rejects").to_pylist()
    assert len(rejects) == 1 and rejects[0]["origin"].startswith(str(inputs / "b.warc.gz"))
    assert "damaged WARC record" in rejects[0]["reason"]
    assert "read 6, new 3, duplicates 2" in result.stdout
