"""The archive on S3 (any S3-compatible store): ``--data s3://bucket/prefix``.

Same layout and file names as on a local disk, read and written through pyarrow's S3
filesystem; endpoint and credentials from ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY`` and ``AWS_REGION``. S3 has no rename and no flock, so:

- a part file is written straight to its final key: a PUT (or a multipart upload) is
  invisible until it is complete, so a reader or a crash never sees half a file;
- the writer lock is a lease object, ``<prefix>/.lease``, created with a conditional PUT
  (``If-None-Match: *``), renewed with ``If-Match`` on its ETag every third of its life
  (``$NEWS_ARCHIVE_LEASE_SECONDS``, default 60) and taken over only once it has expired. A
  writer whose renewal fails stops at once (exit 75): another may hold the lease by then.
  boto3 sends these PUTs (pyarrow cannot);
- compaction writes the merged file, then deletes the files it replaces, with a note in
  ``.staging/`` that lets the next writer finish the deletes after a crash; meanwhile a row
  may be in two files, and ``load_articles`` drops a repeated (article_id, version);
- the dedup index cache stays on local disk (``$NEWS_ARCHIVE_CACHE``, default
  ``~/.cache/news-archive/<bucket>/<prefix>``), its part files keyed by ETag.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from etl.archive.schema import ARTICLES, conform
from etl.archive.store import _STAGING, ROW_GROUP_ROWS, Archive, ArchiveBusy, drop_repeated

log = logging.getLogger(__name__)

LEASE_SECONDS = float(os.environ.get("NEWS_ARCHIVE_LEASE_SECONDS", "60"))
EX_TEMPFAIL = 75  # as the command line's "archive busy": try again later


def split(url: str) -> tuple[str, str]:
    """``s3://bucket/a/b/`` -> (``bucket``, ``a/b``)."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"not an S3 location (s3://bucket/prefix): {url!r}")
    return bucket, prefix.strip("/")


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@functools.cache
def filesystem() -> Any:
    """pyarrow's S3 filesystem (one a process: a worker reads many records through it)."""
    from pyarrow.fs import S3FileSystem

    return S3FileSystem(endpoint_override=os.environ.get("AWS_ENDPOINT_URL") or None, region=_region())


def client() -> Any:
    """boto3's S3 client: for listings with ETags and the lease's conditional PUTs."""
    import boto3  # the `cluster` extra
    from botocore.handlers import add_expect_header

    logging.getLogger("botocore").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
    s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None, region_name=_region())
    # This client PUTs only small objects (the lease, notes): no "Expect: 100-continue", on
    # which a new connection to SeaweedFS waited 5 s, longer than a test's whole lease.
    s3.meta.events.unregister("before-call.s3.PutObject", add_expect_header)
    return s3


def list_files(url: str) -> Iterator[str]:
    """The objects under an ``s3://`` location (or that one object), by key order. Which of
    them are inputs is the reader's business (etl.read): the archive knows no input formats."""
    bucket, prefix = split(url)
    pages = client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    keys = sorted(item["Key"] for page in pages for item in page.get("Contents", []))
    for key in keys:
        if key == prefix or not prefix or key.startswith(prefix.rstrip("/") + "/"):
            yield f"s3://{bucket}/{key}"


READ_BUFFER = 1 << 20  # bytes a GET: warcio reads 16 KiB at a time, each a ranged GET unbuffered


def open_input(url: str, buffer_size: int = READ_BUFFER) -> Any:
    """An ``s3://`` input file (a WARC) for reading, seekable. Read whole, through a buffer:
    a 21 MB WARC in 0.63 s instead of 3.8 s unbuffered (1,400 GETs) from SeaweedFS on
    127.0.0.1, 0.53 s from disk (``python -m tools.bench --only s3``). For one record at an
    offset, ``buffer_size=0``: warcio's first 16 KiB read holds a typical record, and the
    buffer's 1 MiB GET made it 2.1x slower."""
    file = filesystem().open_input_file(url.removeprefix("s3://"))
    return io.BufferedReader(file, buffer_size=buffer_size) if buffer_size > 0 else file


class S3Files:
    """Files under an ``s3://`` prefix, by name below it: the raw WARCs of an archive on S3
    (``etl.crawl.warc.RawFiles``). A put is boto3's managed upload (multipart for a large
    file, aborted on failure): the object appears whole or not at all."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.bucket, self.prefix = split(self.url)
        self._s3: Any = None

    def names(self) -> list[str]:
        base = self.url + "/"
        return [url.removeprefix(base) for url in list_files(self.url) if url.startswith(base)]

    def open(self, name: str) -> Any:
        return open_input(f"{self.url}/{name}")

    def put(self, local: Path, name: str) -> None:
        if self._s3 is None:
            self._s3 = client()
        self._s3.upload_file(str(local), self.bucket, f"{self.prefix}/{name}" if self.prefix else name)


class Lease:
    """The single-writer lease: an object whose body says who holds it until when."""

    def __init__(self, s3: Any, bucket: str, key: str, seconds: float = LEASE_SECONDS) -> None:
        self.s3, self.bucket, self.key, self.seconds = s3, bucket, key, seconds
        self.etag: str | None = None
        self.expires = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _body(self) -> tuple[bytes, float]:
        expires = time.time() + self.seconds
        holder = f"pid {os.getpid()} on {socket.gethostname()}"
        return json.dumps({"holder": holder, "expires": expires}).encode(), expires

    def _put(self, **condition: str) -> bool:
        """One conditional PUT; False when its condition failed (412) or raced (409)."""
        from botocore.exceptions import ClientError

        body, expires = self._body()
        try:
            answer = self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=body, **condition)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
                return False
            raise
        self.etag, self.expires = answer["ETag"], expires
        return True

    def acquire(self, wait_seconds: float = 0.0) -> None:
        """Create the lease, or take over an expired one; ArchiveBusy after ``wait_seconds``."""
        deadline = time.monotonic() + wait_seconds
        while not self._try():
            if time.monotonic() >= deadline:
                raise ArchiveBusy(f"s3://{self.bucket}/{self.key} is held by {self._holder()}")
            time.sleep(min(1.0, self.seconds / 4))
        self._thread = threading.Thread(target=self._renew, daemon=True, name="lease-renewal")
        self._thread.start()

    def _try(self) -> bool:
        from botocore.exceptions import ClientError

        if self._put(IfNoneMatch="*"):
            return True
        try:
            current = self.s3.get_object(Bucket=self.bucket, Key=self.key)
            expires = json.loads(current["Body"].read()).get("expires", 0)
        except ClientError:  # deleted meanwhile: try again
            return False
        except ValueError:
            expires = 0  # a damaged lease body is no lease
        if expires > time.time():
            return False
        log.warning("lease s3://%s/%s expired (a killed writer?): taken over", self.bucket, self.key)
        return self._put(IfMatch=current["ETag"])

    def _holder(self) -> str:
        with contextlib.suppress(Exception):
            about = json.loads(self.s3.get_object(Bucket=self.bucket, Key=self.key)["Body"].read())
            return f"{about['holder']} until {time.strftime('%H:%M:%S', time.localtime(about['expires']))}"
        return "another writer"

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                renewed = self._put(IfMatch=self.etag or "")
            except Exception as exc:  # the store is unreachable: try again while the lease lasts
                log.warning("lease renewal failed (%s): retrying", exc)
                renewed = time.time() < self.expires - 1
                if renewed:
                    continue
            if not renewed:
                self.lost("its renewal was refused")

    def check(self) -> None:
        """Before a write: the lease must outlast it by a margin."""
        if time.time() > self.expires - min(5.0, self.seconds / 6):
            self.lost("it expired before it could be renewed")

    def lost(self, why: str) -> None:
        """Another writer may hold the lease now: write nothing more, stop at once."""
        log.error(
            "lease s3://%s/%s lost (%s): stopping, the next run records this one", self.bucket, self.key, why
        )
        logging.shutdown()
        os._exit(EX_TEMPFAIL)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with contextlib.suppress(Exception):
            self.s3.delete_object(Bucket=self.bucket, Key=self.key)


class S3Archive(Archive):
    """An archive under ``s3://bucket/prefix``. Paths are pyarrow's (``bucket/prefix/...``)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.bucket, self.prefix = split(url)
        self.root = Path(self.bucket, self.prefix) if self.prefix else Path(self.bucket)
        self.filesystem = filesystem()
        self._s3: Any = None
        self.lease: Lease | None = None

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = client()
        return self._s3

    @property
    def cache_root(self) -> Path:
        base = os.environ.get("NEWS_ARCHIVE_CACHE") or Path.home() / ".cache" / "news-archive"
        return Path(base, self.bucket, self.prefix)

    def _key(self, path: Path) -> str:
        return path.as_posix().removeprefix(f"{self.bucket}/")

    def _list(self, directory: Path) -> Iterator[dict[str, Any]]:
        """Every object under ``directory`` (Key, Size, ETag, LastModified)."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(directory).rstrip("/") + "/"
        )
        for page in pages:
            yield from page.get("Contents", [])

    # --- the files (etl.archive.store.Archive's hooks) --------------------------------------

    def glob(self, directory: Path, pattern: str) -> list[Path]:
        depth = len(PurePosixPath(pattern).parts)
        base = self._key(directory).rstrip("/") + "/"
        found = []
        for item in self._list(directory):
            relative = PurePosixPath(item["Key"].removeprefix(base))
            if len(relative.parts) == depth and relative.match(pattern):
                found.append(directory / relative)
        return sorted(found)

    def exists(self, path: Path) -> bool:
        """An object, or a "directory": a prefix some object is under."""
        from botocore.exceptions import ClientError

        key = self._key(path)
        with contextlib.suppress(ClientError):
            self.s3.head_object(Bucket=self.bucket, Key=key)
            return True
        return bool(self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key + "/", MaxKeys=1).get("KeyCount"))

    def mtime(self, path: Path) -> float:
        return self.s3.head_object(Bucket=self.bucket, Key=self._key(path))["LastModified"].timestamp()

    def read_text(self, path: Path) -> str:
        return self.s3.get_object(Bucket=self.bucket, Key=self._key(path))["Body"].read().decode("utf-8")

    def write_text(self, path: Path, text: str) -> None:
        self._check_lease()
        self.s3.put_object(Bucket=self.bucket, Key=self._key(path), Body=text.encode("utf-8"))

    def remove(self, path: Path) -> None:
        self._check_lease()
        self.s3.delete_object(Bucket=self.bucket, Key=self._key(path))

    def write_parquet(self, table: pa.Table, path: Path) -> None:
        """Straight to its key: invisible until the upload completes."""
        self._check_lease()
        pq.write_table(
            table,
            path.as_posix(),
            row_group_size=ROW_GROUP_ROWS,
            compression="zstd",
            filesystem=self.filesystem,
        )

    def stamps(self, files: Sequence[Path]) -> list[Any]:
        from etl.archive.index_cache import Stamp

        listed = {item["Key"]: item for item in self._list(self.path("articles"))}
        base = self._key(self.root).rstrip("/") + "/" if self.prefix else ""
        stamps = []
        for path in files:
            item = listed[self._key(path)]
            stamps.append(Stamp(item["Key"].removeprefix(base), item["Size"], item["ETag"]))
        return stamps

    def files(self, table: str) -> list[Path]:
        pattern = "year=*/month=*/*.parquet" if table == "articles" else "*.parquet"
        return self.glob(self.path(table), pattern)

    def partitions(self) -> list[Path]:
        return sorted({f.parent for f in self.files("articles")})

    def read(
        self, table: str, columns: list[str] | None = None, filter: Any = None, files: Any = None
    ) -> pa.Table:
        """As on disk; a file deleted between the listing and the read (by a compaction, whose
        merged file holds its rows by then) means a fresh listing and a second read."""
        for attempt in range(3):
            try:
                return super().read(table, columns, filter, files)
            except OSError as exc:
                if files is not None or attempt == 2:
                    raise
                log.info("%s: %s while reading (a compaction?): listing again", table, exc)
        raise AssertionError("unreachable")

    # --- the lock, recovery, compaction ----------------------------------------------

    @contextlib.contextmanager
    def locked(self, wait_seconds: float = 0.0) -> Iterator[None]:
        lease = Lease(self.s3, self.bucket, self._key(self.root / ".lease"))
        lease.acquire(wait_seconds)
        self.lease = lease
        try:
            self._recover()
            yield
        finally:
            self.lease = None
            lease.release()

    def _check_lease(self) -> None:
        if self.lease is not None:
            self.lease.check()

    def _recover(self) -> int:
        """Finish the deletes of a compaction cut short, record killed runs."""
        for note in self.glob(self.root / _STAGING, "*.json"):
            about = json.loads(self.read_text(note))
            if self.exists(Path(about["merged"])):
                for replaced in about["replaced"]:
                    self.remove(Path(replaced))
            self.remove(note)
        self._record_killed_runs()
        return 0

    def _rewrite(self, partition: Path, name: str, schema: pa.Schema) -> tuple[int, int]:
        files = sorted(
            self.glob(partition, "*.parquet"), key=lambda f: (not f.name.startswith("part-compact-"), f.name)
        )
        if len(files) <= 1:
            return len(files), 0
        table = pa.concat_tables(
            conform(pq.read_table(f.as_posix(), filesystem=self.filesystem), schema) for f in files
        )
        if schema is ARTICLES:
            table = drop_repeated(table)  # a compaction cut short left rows in two files
        merged = partition / f"part-compact-{int(time.time() * 1000)}.parquet"
        note = self.root / _STAGING / f"{name}.json"
        self.write_text(
            note, json.dumps({"merged": merged.as_posix(), "replaced": [f.as_posix() for f in files]})
        )
        self.write_parquet(table, merged)
        for f in files:
            self.remove(f)
        self.remove(note)
        return len(files), table.num_rows
