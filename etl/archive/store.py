"""The archive on disk: hive-partitioned Parquet, written atomically by one writer.

Layout under the data directory::

    articles/year=2020/month=11/part-<run_id>-<n>.parquet
    duplicates/part-<run_id>-<n>.parquet     exact copies under other URLs, near-duplicates
    rejects/part-<run_id>-<n>.parquet        inputs that could not be archived, with a reason
    runs/part-<run_id>-<n>.parquet           one row per run
    runs/.running-<run_id>.json              a run under way (job, source, start): removed with its row
    .lock                                    flock: one writing job at a time
    .index/                                  derived cache of the dedup index (etl/archive/index_cache.py)

Crash safety: every file is written as ``.<name>.parquet.tmp`` in its final directory
(a leading dot and a non-.parquet suffix: pyarrow, pandas and DuckDB all skip it),
fsynced, renamed into place with ``os.replace`` and the directory fsynced. Stale temp
files are swept when the next writer starts. A reader or a crash never sees half a file.

Every run leaves a ``runs/`` row. One that fails or is interrupted writes it itself; one
that was killed (or could not write it) is recorded by the next writer as ``killed``, with
the rows it left: part files carry their run id in their name, and the run's marker file
says which job it was.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from etl.archive.schema import ARTICLES, DUPLICATES, PARTITIONING, REJECTS, RUNS, conform, run_row, to_table

log = logging.getLogger(__name__)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "duplicates": DUPLICATES,
    "rejects": REJECTS,
    "runs": RUNS,
}
ROW_GROUP_ROWS = 50_000
BUFFER_BYTES = 128 * 1024 * 1024  # flush article buffers beyond this (bounded memory)
_TMP_SUFFIX = ".parquet.tmp"
_STAGING = ".staging"  # compaction work area, outside every table directory
_MARKER = ".running-{run_id}.json"
_RUN_PART = re.compile(r"part-(\d{8}T\d{6}Z-[0-9a-f]{6})-\d{5}\.parquet")  # of a new_run_id()
KILLED_ERROR = "the run ended without recording itself (killed?): its counts are the rows it left"


class ArchiveBusy(RuntimeError):
    """Another writing job holds the archive lock."""


# Lock files this process holds. A forked worker must not keep them open: an flock lives
# as long as any copy of its descriptor, so a killed writer's workers would hold the lock.
_HELD_LOCKS: set[int] = set()


def _drop_inherited_locks() -> None:
    for fd in list(_HELD_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


class Archive:
    """A data directory. Reading needs nothing; writing needs ``locked()``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, table: str) -> Path:
        return self.root / table

    # --- the files: what an archive elsewhere (etl.archive.objectstore.S3Archive) does its own way

    filesystem: Any = None  # pyarrow's filesystem for the dataset; None: local paths

    @property
    def cache_root(self) -> Path:
        """The local directory of the dedup index cache (``<cache_root>/.index``)."""
        return self.root

    def glob(self, directory: Path, pattern: str) -> list[Path]:
        return list(directory.glob(pattern))

    def exists(self, path: Path) -> bool:
        return path.exists()

    def mtime(self, path: Path) -> float:
        return path.stat().st_mtime

    def read_text(self, path: Path) -> str:
        return path.read_text(encoding="utf-8")

    def write_text(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def write_parquet(self, table: pa.Table, path: Path) -> None:
        """A part file, complete or not at all (written aside, fsynced, renamed)."""
        _write_atomic(table, path)

    def stamps(self, files: Sequence[Path]) -> list[Any]:
        """``index_cache.Stamp``s: what says a part file changed (size and mtime here)."""
        from etl.archive import index_cache  # it imports this module

        return index_cache.stamps(self.root, files)

    # --- locking -------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, wait_seconds: float = 0.0) -> Iterator[None]:
        """Hold the exclusive writer lock. The kernel drops an flock when its process dies,
        so a killed job never leaves a lock that blocks the next one."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock_path = self.root / ".lock"
        with open(lock_path, "a+") as handle:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "another process"
                        raise ArchiveBusy(f"{lock_path} is held by {holder}") from None
                    time.sleep(0.2)
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}\n")
            handle.flush()
            _HELD_LOCKS.add(handle.fileno())
            try:
                self._recover()
                yield
            finally:
                _HELD_LOCKS.discard(handle.fileno())
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _recover(self) -> int:
        """Remove temp files of crashed writers, finish or undo an interrupted compaction and
        record the runs that left no ``runs/`` row."""
        if not self.root.exists():
            return 0
        removed = 0
        for tmp in self.root.rglob(f".*{_TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
            removed += 1
        staging = self.root / _STAGING
        if staging.exists():
            for staged in staging.glob("*.compacting"):
                live = self._live_partition(staged.name.removesuffix(".compacting"))
                if live.exists():
                    shutil.rmtree(staged)  # crashed before the swap: the live partition is intact
                else:
                    os.replace(staged, live)  # crashed mid-swap: the staged copy is complete
                    _fsync_dir(live.parent)
            shutil.rmtree(staging)
        self._record_killed_runs()  # after: a compaction cut short may have moved runs/ aside
        return removed

    def _record_killed_runs(self) -> None:
        """A run that has part files or a marker but no ``runs/`` row was killed (or could not
        write its row): write one, status ``killed``, counting the rows it left. Before any
        compaction, which merges part files into ones no longer named for their run."""
        recorded = self._recorded_runs()
        left: dict[str, list[tuple[str, Path]]] = {}
        for table in ("articles", "duplicates", "rejects"):
            for run_id, path in self._parts(table):
                if run_id not in recorded:
                    left.setdefault(run_id, []).append((table, path))
        markers = {
            p.name[len(".running-") : -len(".json")]: p
            for p in self.glob(self.path("runs"), _MARKER.format(run_id="*"))
        }
        for run_id in sorted(set(left) | (set(markers) - recorded)):
            try:
                row = self._killed_run(run_id, left.get(run_id, []), markers.get(run_id))
                ArchiveWriter(self, run_id).write_run(row)
            except Exception as exc:  # never a reason to refuse the lock: the next holder retries
                log.error("run %s left no runs/ row, and none could be written: %s", run_id, exc)
                continue
            log.warning(
                "run %s left no runs/ row: recorded as killed (%d new, %d rejected)",
                run_id,
                row["new"],
                row["rejected"],
            )
        for marker in markers.values():
            self.remove(marker)

    def _killed_run(self, run_id: str, parts: list[tuple[str, Path]], marker: Path | None) -> dict[str, Any]:
        """The ``runs/`` row of a run that left none, from its part files and marker."""
        counts: Counter[str] = Counter()
        for table, path in parts:
            columns = {"articles": ["version"], "duplicates": ["kind"]}.get(table, [])
            counts.update(_row_counts(table, self.read(table, columns=columns, files=[path])))
        about: dict[str, Any] = {}
        if marker is not None:
            with contextlib.suppress(OSError, ValueError):
                about = json.loads(self.read_text(marker))
        times = [self.mtime(p) for _, p in parts] + ([self.mtime(marker)] if marker is not None else [])
        finished = datetime.fromtimestamp(max(times), UTC)
        try:
            started = datetime.fromisoformat(about["started_at"])
        except (KeyError, TypeError, ValueError):
            started = _run_id_time(run_id) or finished
        return run_row(
            run_id=run_id,
            job=about.get("job"),
            source=about.get("source"),
            started_at=started,
            finished_at=max(finished, started),
            status="killed",
            read=sum(counts.values()),
            error=KILLED_ERROR,
            **counts,
        )

    def _recorded_runs(self) -> set[str]:
        """Run ids with a ``runs/`` row: from the file names, and from the rows of any file not
        named for its run (merged by a compaction of ``runs/``)."""
        recorded, merged = set(), []
        for path in self.glob(self.path("runs"), "*.parquet"):
            run_id = _run_of(path)
            if run_id is None:
                merged.append(path)
            else:
                recorded.add(run_id)
        if merged:
            recorded.update(self.read("runs", columns=["run_id"], files=merged)["run_id"].to_pylist())
        return recorded

    def _parts(self, table: str) -> Iterator[tuple[str, Path]]:
        """(run id, path) of the table's part files written by a run (not by compaction)."""
        pattern = "year=*/month=*/part-*.parquet" if table == "articles" else "part-*.parquet"
        for path in self.glob(self.path(table), pattern):
            if (run_id := _run_of(path)) is not None:
                yield run_id, path

    def _live_partition(self, staged_name: str) -> Path:
        """A staging name's live directory: ``year=2020,month=11`` -> ``articles/year=2020/month=11``,
        ``runs`` -> ``runs``."""
        if "=" not in staged_name:
            return self.path(staged_name)
        return self.path("articles").joinpath(*staged_name.split(","))

    # --- reading -------------------------------------------------------------------

    def dataset(self, table: str, files: Sequence[Path] | None = None) -> ds.Dataset:
        """The table's part files (or only ``files``, read in that order)."""
        schema = TABLES[table]
        path = self.path(table)
        if not self.exists(path) or (files is not None and not files):
            return ds.dataset(schema.empty_table())
        source = str(path) if files is None else [str(f) for f in files]
        fs = self.filesystem
        if table == "articles":
            partitioning = ds.partitioning(PARTITIONING, flavor="hive")
            full = pa.schema([*schema, *PARTITIONING], metadata=schema.metadata)
            return ds.dataset(
                source,
                format="parquet",
                schema=full,
                partitioning=partitioning,
                partition_base_dir=str(path),
                filesystem=fs,
            )
        return ds.dataset(source, format="parquet", schema=schema, filesystem=fs)

    def files(self, table: str) -> list[Path]:
        """The table's part files, in the order ``read`` reads them."""
        return [Path(f) for f in self.dataset(table).files] if self.exists(self.path(table)) else []

    def read(
        self,
        table: str,
        columns: list[str] | None = None,
        filter: Any = None,
        files: Sequence[Path] | None = None,
    ) -> pa.Table:
        """Read a table with the current schema (columns missing from older files are null)."""
        return self.dataset(table, files).to_table(columns=columns, filter=filter)

    def writer(self, run_id: str, buffer_bytes: int = BUFFER_BYTES) -> ArchiveWriter:
        return ArchiveWriter(self, run_id, buffer_bytes)

    # --- maintenance ---------------------------------------------------------------

    def partitions(self) -> list[Path]:
        return sorted(p for p in self.path("articles").glob("year=*/month=*") if p.is_dir())

    def compact(self, partition: Path) -> tuple[int, int]:
        """Rewrite a partition's files as one (call under ``locked()``). Returns (files before, rows).

        The new file is staged outside ``articles/`` (no reader globs there) and swapped in
        by two renames: readers see the old files or the new one, never both; a crash
        between the renames is finished by the next ``locked()``."""
        name = ",".join(partition.relative_to(self.path("articles")).parts)
        return self._rewrite(partition, name, ARTICLES)

    def compact_table(self, table: str) -> tuple[int, int]:
        """Rewrite the part files of ``runs``, ``rejects`` or ``duplicates`` as one, staged and
        swapped in as an articles partition is (call under ``locked()``)."""
        return self._rewrite(self.path(table), table, TABLES[table])

    def _rewrite(self, partition: Path, name: str, schema: pa.Schema) -> tuple[int, int]:
        # An earlier compaction's file first: rows written since come after the rows it holds.
        files = sorted(
            partition.glob("*.parquet"), key=lambda f: (not f.name.startswith("part-compact-"), f.name)
        )
        if len(files) <= 1:
            return len(files), 0
        table = pa.concat_tables(conform(pq.read_table(f), schema) for f in files)
        staged = self.root / _STAGING / f"{name}.compacting"
        replaced = self.root / _STAGING / f"{name}.replaced"
        staged.mkdir(parents=True)
        _write_atomic(table, staged / f"part-compact-{int(time.time() * 1000)}.parquet")
        os.replace(partition, replaced)
        os.replace(staged, partition)
        _fsync_dir(partition.parent)
        shutil.rmtree(replaced)
        return len(files), table.num_rows


class ArchiveWriter:
    """Buffers rows per partition and writes them in large files with large row groups.

    Rows are turned into Arrow tables every ``BATCH_ROWS`` (compact: a Python dict per
    row costs several times its text). The buffer counts those tables at their Arrow size,
    rows not converted yet at their measured Python size, and the duplicates and rejects
    rows; beyond ``buffer_bytes`` the largest partitions are written until half is free, and
    duplicates and rejects rows beyond a quarter of it are written out. ``peak_bytes`` is the
    most the buffer held: memory stays within the bound however long the run."""

    BATCH_ROWS = 2000
    # A row dict before conversion besides its text (counted at 2 bytes a character: most
    # non-Latin texts are UCS-2 strings), as unpickled from a worker. Measured (tracemalloc)
    # 3.5-4.0 KB besides the text: the seeds and site fixtures 3.5, the synthetic backfill's
    # articles 3.6, rows with every metadata field 4.0. The 2 KB counted before let the
    # buffer hold up to 1.4x what it counted in rows not yet converted.
    ROW_OVERHEAD = 4096
    OTHER_ROW_BYTES = 1536  # a duplicates row (measured 1.1 KB) or a rejects row (0.5 KB)

    def __init__(self, archive: Archive, run_id: str, buffer_bytes: int = BUFFER_BYTES) -> None:
        self.archive = archive
        self.run_id = run_id
        self.buffer_bytes = buffer_bytes
        self._pending: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self._tables: dict[tuple[int, int], list[pa.Table]] = {}
        self._other: dict[str, list[Mapping[str, Any]]] = {"duplicates": [], "rejects": []}
        self._bytes = 0
        self._seq = 0
        self.peak_bytes = 0
        self._interval_peak = 0
        self.files_written: list[Path] = []
        self.stored: Counter[str] = Counter()  # rows on disk: new, revisions, duplicates, ...

    def _grew(self) -> None:
        self.peak_bytes = max(self.peak_bytes, self._bytes)
        self._interval_peak = max(self._interval_peak, self._bytes)

    def take_peak(self) -> int:
        """The most the buffer held since the previous call."""
        peak, self._interval_peak = max(self._interval_peak, self._bytes), self._bytes
        return peak

    def _row_bytes(self, row: Mapping[str, Any]) -> int:
        return self.ROW_OVERHEAD + 2 * len(row.get("text") or "")

    def add_article(self, row: dict[str, Any]) -> None:
        key = partition_key(row.get("published_date"), row["fetched_at"])
        rows = self._pending.setdefault(key, [])
        rows.append(row)
        self._bytes += self._row_bytes(row)
        self._grew()
        if len(rows) >= self.BATCH_ROWS:
            self._convert(key)
            if sum(t.num_rows for t in self._tables[key]) >= ROW_GROUP_ROWS:
                self._flush_partition(key)  # a full row group: one large file
        self._keep_bound()

    def _keep_bound(self) -> None:
        if self._bytes > self.buffer_bytes:
            # Memory is full: write the largest partitions until half is free, so the
            # small ones keep collecting rows instead of each writing a tiny file.
            sizes = self._sizes()
            for key in sorted(sizes, key=sizes.__getitem__, reverse=True):
                if self._bytes <= self.buffer_bytes // 2:
                    break
                self._flush_partition(key)

    def _sizes(self) -> dict[tuple[int, int], int]:
        keys = set(self._pending) | set(self._tables)
        return {
            k: sum(t.nbytes for t in self._tables.get(k, []))
            + sum(self._row_bytes(r) for r in self._pending.get(k, []))
            for k in keys
        }

    def _flush_partition(self, key: tuple[int, int]) -> None:
        if key in self._pending:
            self._convert(key)
        tables = self._tables.get(key, [])
        if tables:
            year, month = key
            directory = self.archive.path("articles") / f"year={year}" / f"month={month}"
            self._write("articles", pa.concat_tables(tables), directory)  # raised: the rows stay buffered
            self._bytes -= sum(t.nbytes for t in tables)
        self._tables.pop(key, None)

    def _convert(self, key: tuple[int, int]) -> None:
        rows = self._pending.pop(key)
        table = to_table(rows, ARTICLES)
        self._bytes -= sum(self._row_bytes(r) for r in rows)
        self._bytes += table.nbytes
        self._tables.setdefault(key, []).append(table)

    def add(self, table: str, row: Mapping[str, Any]) -> None:
        """A duplicates or rejects row."""
        rows = self._other[table]
        rows.append(row)
        self._bytes += self.OTHER_ROW_BYTES
        self._grew()
        if len(rows) * self.OTHER_ROW_BYTES > self.buffer_bytes // 4:
            if table == "duplicates":
                self.flush_articles()  # a duplicates row never points at an article not on disk
            self._flush_other(table)
        self._keep_bound()

    def _flush_other(self, table: str) -> None:
        rows = self._other[table]
        if rows:
            self._write(table, to_table(rows, TABLES[table]), self.archive.path(table))
            self._bytes -= len(rows) * self.OTHER_ROW_BYTES
            rows.clear()

    def flush_articles(self) -> None:
        for key in sorted(set(self._pending) | set(self._tables)):
            self._flush_partition(key)

    def flush(self) -> None:
        """Write everything buffered: articles first, so a duplicates row never points at
        an article that is not on disk yet."""
        self.flush_articles()
        for name in self._other:
            self._flush_other(name)

    def begin_run(self, job: str | None, source: str | None, started_at: datetime) -> None:
        """Leave a marker that says which job this run is, until ``write_run``: a run killed
        before it writes its row is recorded with it."""
        about = {"job": job, "source": source, "started_at": started_at.isoformat()}
        self.archive.write_text(self._marker(), json.dumps(about))

    def write_run(self, row: Mapping[str, Any]) -> None:
        self._write("runs", to_table([row], RUNS), self.archive.path("runs"))
        self.archive.remove(self._marker())

    def _marker(self) -> Path:
        return self.archive.path("runs") / _MARKER.format(run_id=self.run_id)

    def _write(self, name: str, table: pa.Table, directory: Path) -> None:
        self._seq += 1
        path = directory / f"part-{self.run_id}-{self._seq:05d}.parquet"
        self.archive.write_parquet(table, path)
        self.files_written.append(path)
        self.stored.update(_row_counts(name, table))


def _row_counts(table: str, rows: pa.Table) -> Counter[str]:
    """What a part file holds, in the counts of a run: articles new or revisions (version > 1),
    duplicates exact or near, rejects."""
    if table == "articles":
        revisions = pc.sum(pc.greater(rows["version"], 1)).as_py() or 0
        return Counter(new=rows.num_rows - revisions, revisions=revisions)
    if table == "duplicates":
        near = pc.sum(pc.equal(rows["kind"].cast(pa.string()), "near")).as_py() or 0
        return Counter(duplicates=rows.num_rows - near, near_duplicates=near)
    if table == "rejects":
        return Counter(rejected=rows.num_rows)
    return Counter()


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _run_of(path: Path) -> str | None:
    """The run that wrote a part file (``part-<run_id>-<n>.parquet``); None for any other name
    (a file merged by compaction)."""
    match = _RUN_PART.fullmatch(path.name)
    return match[1] if match else None


def _run_id_time(run_id: str) -> datetime | None:
    """The start time in a run id (``etl.pipeline.new_run_id``: ``20201111T120000Z-3fa2b1``)."""
    try:
        return datetime.strptime(run_id.split("-")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def partition_key(published_date: date | None, fetched_at: datetime) -> tuple[int, int]:
    """(year, month) of the date the page states, else of the fetch/read time."""
    day = published_date or fetched_at.date()
    return day.year, day.month


def _write_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}{_TMP_SUFFIX}")
    pq.write_table(table, tmp, row_group_size=ROW_GROUP_ROWS, compression="zstd")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def on_s3(location: str | os.PathLike[str]) -> bool:
    """Whether a location names an archive (or an input) on S3: ``s3://bucket/prefix``."""
    return str(location).startswith("s3://")


def open_archive(location: str | os.PathLike[str]) -> Archive:
    """A data directory, or an archive on S3 (``s3://bucket/prefix``: ``etl.archive.objectstore``)."""
    if on_s3(location):
        from etl.archive.objectstore import S3Archive

        return S3Archive(str(location))
    return Archive(location)


def drop_repeated(table: pa.Table) -> pa.Table:
    """Each (article_id, version) once: on S3 a compaction under way has a row in two files."""
    keys = table.select(["article_id", "version"]).to_pandas()
    repeated = keys.duplicated().to_numpy()
    return table.filter(pa.array(~repeated)) if repeated.any() else table


def load_articles(
    path: str | os.PathLike[str] = "data",
    columns: list[str] | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """The archive's articles as a DataFrame with the canonical dtypes.

    ``path`` is the data directory (or its ``articles`` subdirectory), or ``s3://bucket/prefix``.
    Filters are equality tests on columns, e.g. ``load_articles("data", language="ar", year=2020)``;
    a list value means "any of". Files written before a column existed read as nulls
    in that column (pandas and DuckDB would otherwise drop the column silently)."""
    location = os.fspath(path).rstrip("/")
    if location == "articles" or location.endswith("/articles"):
        location = location.removesuffix("articles").rstrip("/") or "."
    archive = open_archive(location)
    expression = None
    for name, value in filters.items():
        field = ds.field(name)
        test = field.isin(value) if isinstance(value, list | tuple | set) else field == value
        expression = test if expression is None else expression & test
    keys = ["article_id", "version"]
    wanted = None if columns is None else [*columns, *(k for k in keys if k not in columns)]
    table = drop_repeated(archive.read("articles", columns=wanted, filter=expression))
    if columns is not None:
        table = table.select(columns)
    return table.to_pandas(types_mapper=_NULLABLE_INTS.get)


# Integer columns with nulls stay integers (pandas would otherwise turn them into floats).
_NULLABLE_INTS = {pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}
