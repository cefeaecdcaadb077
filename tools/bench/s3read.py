"""Section 7, WARCs on S3 (issue 14): a WARC read whole, and single records read at their
offsets, from SeaweedFS on 127.0.0.1 beside the same file on local disk, in one process.

Three ways to open the file: local disk (the baseline), pyarrow's S3 file unbuffered (warcio
reads 16 KiB at a time, each a ranged GET) and ``objectstore.open_input`` with its 1 MiB buffer.
The product reads whole files buffered and single records (a cluster worker's) unbuffered
(``etl.read.open_record``). Reads go through ``etl.crawl.warc_input`` as a backfill's do."""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.archive import objectstore
from etl.crawl.warc_input import read_record, read_warc, record_offsets
from etl.models import RawDocument
from tools.s3server import SeaweedS3, restore

from .common import MB, TargetRows, say

TARGET_S3_OVER_DISK = 2.0  # whole WARC: seconds from S3 (open_input) / seconds from local disk
RECORDS = 3000  # ~12 KB of HTML each: a gzipped WARC of about 20 MB
EVERY = 30  # single records: every 30th offset (100 of 3000)
BUCKET = "bench"
LABELS = {"local": "local disk", "unbuffered": "S3 unbuffered", "open_input": "S3 open_input"}


def write_warc(path: Path, records: int) -> None:
    """``records`` HTML responses of ~12 KB (random hex text, seeded: the same file every run)."""
    rng = random.Random(0)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(records):
            body = f"<html><body><p>{i} {rng.randbytes(6000).hex()}</p></body></html>".encode()
            record = writer.create_warc_record(
                f"https://example.com/{i}", "response", payload=io.BytesIO(body), http_headers=http
            )
            writer.write_record(record)


def _local(name: str) -> BinaryIO:
    return open(name, "rb")  # closed by read_warc


def _unbuffered(name: str) -> BinaryIO:
    return objectstore.open_input(name, buffer_size=0)  # as etl.read.open_record opens a record


def bench_s3read(tmp: Path, records: int = RECORDS, every: int = EVERY, repeat: int = 3) -> dict[str, Any]:
    """Write a WARC of ``records`` records, put it on a SeaweedFS started here, then time, fastest
    of ``repeat`` rounds (the ways interleaved in each): the whole file read from disk, from S3
    unbuffered and through ``open_input``; every ``every``-th record read alone at its offset."""
    warc = tmp / "s3read.warc.gz"
    write_warc(warc, records)
    server = SeaweedS3(tmp / "seaweed")
    previous = server.apply()
    try:
        server.create_bucket(BUCKET)
        server.client().upload_file(str(warc), BUCKET, warc.name)
        objectstore.filesystem.cache_clear()  # built for this server's environment
        return _measure(warc, f"s3://{BUCKET}/{warc.name}", every, repeat)
    finally:
        server.stop()
        restore(previous)
        objectstore.filesystem.cache_clear()


def _measure(warc: Path, url: str, every: int, repeat: int) -> dict[str, Any]:
    size_mb = warc.stat().st_size / MB
    offsets = [o for o in record_offsets(str(warc), _local) if isinstance(o, int)]
    chosen = offsets[::every]
    _unbuffered(url).close()  # warm-up: the filesystem and its first connection
    whole_ways = {
        "local": (str(warc), _local),
        "unbuffered": (url, _unbuffered),
        "open_input": (url, objectstore.open_input),
    }
    record_ways = {"unbuffered": _unbuffered, "open_input": objectstore.open_input}
    whole = dict.fromkeys(whole_ways, float("inf"))
    single = dict.fromkeys(record_ways, float("inf"))
    for _ in range(repeat):
        for way, (name, opener) in whole_ways.items():
            whole[way] = min(whole[way], _timed(_read_whole, name, opener, len(offsets)))
        for way, opener in record_ways.items():
            single[way] = min(single[way], _timed(_read_records, url, chosen, opener))
    say(
        "  whole: "
        + ", ".join(f"{w} {s:.2f} s" for w, s in whole.items())
        + "; records: "
        + ", ".join(f"{w} {s:.2f} s" for w, s in single.items())
    )
    return {
        "warc": {"records": len(offsets), "mb": round(size_mb, 1)},
        "repeat": repeat,
        "whole": {
            way: {"seconds": round(s, 3), "mb_per_s": round(size_mb / s, 1)} for way, s in whole.items()
        },
        "records": {
            "count": len(chosen),
            "every": every,
            **{
                way: {"seconds": round(s, 3), "ms_per_record": round(s * 1000 / len(chosen), 2)}
                for way, s in single.items()
            },
        },
        "ratio_s3_over_disk": round(whole["open_input"] / whole["local"], 2),
        "speedup_buffered": round(whole["unbuffered"] / whole["open_input"], 2),
        "ratio_records_buffered_over_unbuffered": round(single["open_input"] / single["unbuffered"], 2),
    }


def _timed(work: Callable[..., None], *args: Any) -> float:
    start = time.perf_counter()
    work(*args)
    return time.perf_counter() - start


def _read_whole(name: str, opener: Callable[[str], BinaryIO], expected: int) -> None:
    """Every record of the file, as a backfill reads a WARC input."""
    read = sum(isinstance(doc, RawDocument) for doc in read_warc(name, opener))
    if read != expected:
        raise RuntimeError(f"{name}: {read} of {expected} records read")


def _read_records(url: str, offsets: list[int], opener: Callable[[str], BinaryIO]) -> None:
    """One record at each offset, the file opened for each, as a cluster worker reads them."""
    for offset in offsets:
        doc = read_record(url, offset, opener)
        if not isinstance(doc, RawDocument):
            raise RuntimeError(f"{url}#{offset}: {doc}")


def targets(s3: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    ratio = s3["ratio_s3_over_disk"]
    rows.add(
        "whole WARC read from S3 / from disk",
        ratio,
        f"<= {TARGET_S3_OVER_DISK}",
        ratio <= TARGET_S3_OVER_DISK,
        "x",
    )
    rows.add(
        "whole WARC from S3: unbuffered / open_input time", s3["speedup_buffered"], "(speed-up)", None, "x"
    )
    rows.add(
        "one record from S3: open_input / unbuffered time",
        s3["ratio_records_buffered_over_unbuffered"],
        "(> 1: slower buffered)",
        None,
        "x",
    )
    return rows


def report(s3: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    warc, rec = s3["warc"], s3["records"]
    say(
        f"\n== 7. s3: a WARC of {warc['records']:,} records ({warc['mb']} MB) on SeaweedFS 127.0.0.1, "
        f"fastest of {s3['repeat']} =="
    )
    say(f"  {'whole file':<22}{'s':>8}{'MB/s':>9}")
    for way, r in s3["whole"].items():
        say(f"  {LABELS[way]:<22}{r['seconds']:>8.3f}{r['mb_per_s']:>9}")
    say(
        f"  S3 (open_input) / disk: x{s3['ratio_s3_over_disk']}; "
        f"unbuffered / open_input: x{s3['speedup_buffered']}"
    )
    say(f"  {rec['count']} single records (one offset in {rec['every']}), the file opened for each:")
    for way in ("unbuffered", "open_input"):
        say(f"  {LABELS[way]:<22}{rec[way]['seconds']:>8.3f} s  {rec[way]['ms_per_record']} ms a record")
    say(f"  open_input / unbuffered: x{s3['ratio_records_buffered_over_unbuffered']} (> 1: slower buffered)")
