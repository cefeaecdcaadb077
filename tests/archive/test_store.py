"""The archive on disk: atomic writes, the writer lock, compaction and its crash recovery,
schema evolution, load_articles, row groups and partition keys."""

from __future__ import annotations

import os
import pickle
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import etl
from etl.archive.schema import ARTICLES, PARTITIONING
from etl.archive.store import ROW_GROUP_ROWS, Archive, ArchiveBusy, partition_key
from tests.conftest import ROOT

FETCHED = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
PART_FILE = re.compile(r"part-(?P<run>[\w-]+)-\d{5}\.parquet")


def article(i: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "article_id": f"{i:016x}",
        "version": 1,
        "url": f"https://example.com/news/{i}",
        "canonical_url": f"https://example.com/news/{i}",
        "site": "example.com",
        "language": "ru",
        "title": f"Заголовок {i}",
        "published": datetime(2020, 11, 3, 7, 15, tzinfo=UTC),
        "published_date": date(2020, 11, 3),
        "published_offset_minutes": 180,
        "published_text": "3 ноября 2020, 10:15",
        "date_origin": "meta",
        "source": "ТАСС",
        "agency": "TASS",
        "authors": ["Иван Петров"],
        "text": f"Текст статьи номер {i}.\n\nВторой абзац.",
        "word_count": 6,
        "content_hash": 1000 + i,
        "url_hash": 2000 + i,
        "simhash": 3000 + i,
        "minhash": [i, i + 1, i + 2],
        "fetched_at": FETCHED,
        "run_id": "r",
        "origin": f"seeds/{i}.html",
    }
    row.update(fields)
    return row


def write_run(data: Path, run_id: str, rows: list[dict[str, Any]]) -> list[Path]:
    archive = Archive(data)
    with archive.locked():
        writer = archive.writer(run_id)
        for row in rows:
            writer.add_article({**row, "run_id": run_id})
        writer.flush()
    return writer.files_written


def sorted_articles(data: Path) -> pd.DataFrame:
    df = etl.load_articles(data)
    return df.sort_values(["article_id", "version"]).reset_index(drop=True)


def duckdb_count(data: Path) -> int:
    """Rows as the README's DuckDB query sees them."""
    glob = (data / "articles" / "**" / "*.parquet").as_posix()
    rows = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning=true, union_by_name=true)"
    ).fetchall()
    return rows[0][0]


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".lock")


# --- atomic writes ---------------------------------------------------------------------


def test_flush_leaves_only_final_part_files(data_dir: Path) -> None:
    archive = Archive(data_dir)
    with archive.locked():
        writer = archive.writer("20240517T093000Z-abc123")
        writer.add_article(article(1))
        writer.add_article(article(2, published_date=date(2021, 2, 1), published=None))
        writer.add("duplicates", {"origin": "x.html", "kind": "exact", "duplicate_of": f"{1:016x}"})
        writer.add("rejects", {"origin": "y.bin", "stage": "decode", "reason": "binary data"})
        writer.flush()
    files = all_files(data_dir)
    assert files, "nothing written"
    assert sorted(files) == sorted(writer.files_written)
    for f in files:
        match = PART_FILE.fullmatch(f.name)
        assert match, f"unexpected file {f}"
        assert match["run"] == "20240517T093000Z-abc123"
    assert {f.relative_to(data_dir).parent.as_posix() for f in files} == {
        "articles/year=2020/month=11",
        "articles/year=2021/month=2",
        "duplicates",
        "rejects",
    }
    assert not list(data_dir.rglob("*.tmp"))


def test_crash_leftover_temp_file_is_invisible_to_readers_and_swept(data_dir: Path) -> None:
    write_run(data_dir, "r1", [article(i) for i in range(5)])
    partition = data_dir / "articles" / "year=2020" / "month=11"
    leftover = partition / ".part-x-00001.parquet.tmp"
    leftover.write_bytes(b"PAR1\x00garbage from a writer killed mid-write" * 100)
    rejects_leftover = data_dir / "rejects" / ".part-x-00002.parquet.tmp"
    rejects_leftover.parent.mkdir(parents=True)
    rejects_leftover.write_bytes(b"\x00\x01not parquet")

    assert len(pd.read_parquet(data_dir / "articles")) == 5
    dataset = ds.dataset(data_dir / "articles", format="parquet", partitioning="hive")
    assert dataset.to_table().num_rows == 5
    assert duckdb_count(data_dir) == 5
    assert len(etl.load_articles(data_dir)) == 5

    with Archive(data_dir).locked():
        assert not leftover.exists()
        assert not rejects_leftover.exists()
    assert [f.name for f in partition.iterdir()] == ["part-r1-00001.parquet"]
    assert len(etl.load_articles(data_dir)) == 5


# --- lock ------------------------------------------------------------------------------

HOLDER = """
import sys, time
from etl.archive.store import Archive
with Archive(sys.argv[1]).locked():
    print("ready", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_second_writer_is_refused_while_one_holds_the_lock_and_free_after_kill(data_dir: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"

        start = time.monotonic()
        with pytest.raises(ArchiveBusy) as info, Archive(data_dir).locked(wait_seconds=0.5):
            pytest.fail("got the lock while another process holds it")
        elapsed = time.monotonic() - start
        assert 0.45 <= elapsed < 3.0
        assert f"pid {holder.pid}" in str(info.value)  # the message says who holds it

        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        start = time.monotonic()
        with Archive(data_dir).locked(wait_seconds=0):
            pass
        assert time.monotonic() - start < 0.5
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_lock_is_released_on_normal_exit_and_on_error(data_dir: Path) -> None:
    archive = Archive(data_dir)
    with archive.locked():
        pass
    with pytest.raises(ZeroDivisionError), archive.locked():
        1 / 0  # noqa: B018
    with archive.locked(wait_seconds=0):
        pass


# --- compaction ------------------------------------------------------------------------


def three_runs(data_dir: Path) -> Path:
    write_run(data_dir, "r1", [article(i) for i in range(0, 4)])
    write_run(data_dir, "r2", [article(i) for i in range(4, 7)])
    write_run(data_dir, "r3", [article(i) for i in range(7, 12)])
    partition = data_dir / "articles" / "year=2020" / "month=11"
    assert len(list(partition.glob("*.parquet"))) == 3
    return partition


def test_compact_merges_runs_into_one_file_with_same_content(data_dir: Path) -> None:
    partition = three_runs(data_dir)
    before = sorted_articles(data_dir)
    archive = Archive(data_dir)
    with archive.locked():
        assert archive.partitions() == [partition]
        files, rows = archive.compact(partition)
    assert (files, rows) == (3, 12)
    assert [p.suffix for p in partition.iterdir()] == [".parquet"]
    after = sorted_articles(data_dir)
    assert len(after) == 12
    assert not after.duplicated(["article_id", "version"]).any()
    pd.testing.assert_frame_equal(after, before)
    assert set(after["run_id"]) == {"r1", "r2", "r3"}
    assert sorted(p.name for p in partition.parent.iterdir()) == ["month=11"]  # no staging leftovers
    assert duckdb_count(data_dir) == 12


def compacted_copy(partition: Path, staging: Path) -> None:
    """What compact() stages before the swap: one complete file with every row."""
    table = pa.concat_tables(pq.read_table(f, schema=ARTICLES) for f in sorted(partition.glob("*.parquet")))
    staging.mkdir()
    pq.write_table(table, staging / "part-compact-1.parquet")


def test_compaction_killed_between_the_two_renames_is_finished_by_next_writer(data_dir: Path) -> None:
    partition = three_runs(data_dir)
    before = sorted_articles(data_dir)
    staging = data_dir / ".staging" / "year=2020,month=11.compacting"
    replaced = data_dir / ".staging" / "year=2020,month=11.replaced"
    staging.parent.mkdir()
    compacted_copy(partition, staging)
    os.replace(partition, replaced)  # killed here: the live directory is gone
    assert not partition.exists()

    with Archive(data_dir).locked():
        pass
    assert sorted(p.name for p in partition.parent.iterdir()) == ["month=11"]
    assert [p.name for p in partition.iterdir()] == ["part-compact-1.parquet"]
    after = sorted_articles(data_dir)
    assert len(after) == 12
    pd.testing.assert_frame_equal(after, before)
    assert duckdb_count(data_dir) == 12


def test_compaction_killed_before_the_swap_leaves_the_live_partition(data_dir: Path) -> None:
    partition = three_runs(data_dir)
    before = sorted_articles(data_dir)
    staging = data_dir / ".staging" / "year=2020,month=11.compacting"
    staging.parent.mkdir()
    compacted_copy(partition, staging)
    (staging / ".part-compact-2.parquet.tmp").write_bytes(b"half written")

    with Archive(data_dir).locked():
        pass
    assert not staging.parent.exists()
    assert sorted(p.name for p in partition.parent.iterdir()) == ["month=11"]
    assert len(list(partition.glob("*.parquet"))) == 3
    pd.testing.assert_frame_equal(sorted_articles(data_dir), before)
    assert duckdb_count(data_dir) == 12

    # and compacting again afterwards works (no stale staging directory in the way)
    archive = Archive(data_dir)
    with archive.locked():
        assert archive.compact(partition) == (3, 12)
    pd.testing.assert_frame_equal(sorted_articles(data_dir), before)


def test_compact_single_file_partition_is_left_alone(data_dir: Path) -> None:
    (path,) = write_run(data_dir, "r1", [article(1), article(2)])
    mtime = path.stat().st_mtime_ns
    archive = Archive(data_dir)
    with archive.locked():
        assert archive.compact(path.parent) == (1, 0)
    assert path.exists()
    assert path.stat().st_mtime_ns == mtime


# --- schema evolution ------------------------------------------------------------------

OLD_COLUMNS = ["article_id", "version", "content_hash", "title", "text"]


def test_old_files_without_new_columns_read_as_nulls_with_canonical_dtypes(data_dir: Path) -> None:
    write_run(data_dir, "r1", [article(1), article(2, language="ar", published_offset_minutes=None)])
    partition = data_dir / "articles" / "year=2020" / "month=11"
    old = pa.table(
        {
            "article_id": ["00000000000000ff"],
            "version": pa.array([1], pa.int32()),
            "content_hash": pa.array([77], pa.int64()),
            "title": ["Старый заголовок"],
            "text": ["Старый текст."],
        }
    )
    pq.write_table(old, partition / "part-00000000T000000Z-old-00001.parquet")  # sorts first

    df = etl.load_articles(data_dir)
    assert list(df.columns) == [*ARTICLES.names, *PARTITIONING.names]
    assert len(df) == 3

    dtypes = df.dtypes
    assert dtypes["year"] == "Int32"
    assert dtypes["month"] == "Int32"
    assert dtypes["version"] == "Int32"
    assert dtypes["word_count"] == "Int32"
    assert dtypes["published_offset_minutes"] == "Int16"
    assert dtypes["content_hash"] == "Int64"
    assert isinstance(dtypes["language"], pd.CategoricalDtype)
    assert isinstance(dtypes["date_origin"], pd.CategoricalDtype)
    assert str(dtypes["published"]) == "datetime64[us, UTC]"
    assert str(dtypes["fetched_at"]) == "datetime64[us, UTC]"

    old_row = df.set_index("article_id").loc["00000000000000ff"]
    assert old_row["title"] == "Старый заголовок"
    assert old_row["content_hash"] == 77
    missing = set(ARTICLES.names) - set(OLD_COLUMNS)
    for column in missing:
        value = old_row[column]
        assert value is None or pd.isna(value), column
    assert (old_row["year"], old_row["month"]) == (2020, 11)  # partition columns still filled

    new = df.set_index("article_id").loc[f"{1:016x}"]
    assert new["published"] == pd.Timestamp("2020-11-03 07:15", tz="UTC")
    assert new["published_offset_minutes"] == 180
    assert new["language"] == "ru"
    assert list(new["authors"]) == ["Иван Петров"]
    assert pd.isna(df.set_index("article_id").loc[f"{2:016x}", "published_offset_minutes"])
    assert duckdb_count(data_dir) == 3  # union_by_name copes with the older file too


# --- load_articles ---------------------------------------------------------------------


@pytest.fixture
def mixed_archive(data_dir: Path) -> Path:
    write_run(
        data_dir,
        "r1",
        [
            article(1, language="ar", site="aljazeera.net"),
            article(2, language="ru", site="ria.ru"),
            article(3, language="en", site="bbc.co.uk", published_date=date(2021, 3, 9)),
            article(4, language="ar", site="alarabiya.net", published_date=date(2021, 3, 10)),
            article(5, language="fa", site="isna.ir", published_date=None, published=None),  # fetch month
        ],
    )
    return data_dir


def ids(df: pd.DataFrame) -> list[int]:
    return sorted(int(a, 16) for a in df["article_id"])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [1, 2, 3, 4, 5]),
        ({"language": "ar"}, [1, 4]),
        ({"language": ["ru", "en"]}, [2, 3]),
        ({"language": ("fa",)}, [5]),
        ({"site": "ria.ru"}, [2]),
        ({"site": ["ria.ru", "isna.ir", "nowhere.example"]}, [2, 5]),
        ({"year": 2021}, [3, 4]),
        ({"year": 2024, "month": 5}, [5]),
        ({"year": [2020, 2024]}, [1, 2, 5]),
        ({"language": "ar", "year": 2021}, [4]),
        ({"language": "de"}, []),
    ],
)
def test_load_articles_filters(mixed_archive: Path, filters: dict[str, Any], expected: list[int]) -> None:
    assert ids(etl.load_articles(mixed_archive, **filters)) == expected


@pytest.mark.parametrize("form", ["data", "data/articles", "data/articles/"])
def test_load_articles_path_forms(mixed_archive: Path, form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed_archive.parent)
    df = etl.load_articles(form, language="ar")
    assert ids(df) == [1, 4]
    assert ids(etl.load_articles(mixed_archive.parent / form)) == [1, 2, 3, 4, 5]


def test_load_articles_columns(mixed_archive: Path) -> None:
    df = etl.load_articles(mixed_archive, columns=["article_id", "language"], site="ria.ru")
    assert list(df.columns) == ["article_id", "language"]
    assert df["language"].tolist() == ["ru"]


def test_load_articles_of_an_empty_archive(data_dir: Path) -> None:
    df = etl.load_articles(data_dir)
    assert len(df) == 0
    assert "article_id" in df.columns


# --- row groups ------------------------------------------------------------------------


def test_many_small_rows_give_files_of_one_full_row_group(data_dir: Path) -> None:
    n = 120_000
    assert 10_000 <= ROW_GROUP_ROWS < n
    archive = Archive(data_dir)
    with archive.locked():
        writer = archive.writer("big")
        for i in range(n):
            writer.add_article(
                {"article_id": str(i), "version": 1, "content_hash": i, "text": "x", "fetched_at": FETCHED}
            )
        writer.flush()
    groups = [
        pq.ParquetFile(path).metadata.row_group(g).num_rows
        for path in writer.files_written
        for g in range(pq.ParquetFile(path).metadata.num_row_groups)
    ]
    # A partition is written as soon as it holds a full row group: few files, large groups.
    assert groups == [ROW_GROUP_ROWS] * (n // ROW_GROUP_ROWS) + [n % ROW_GROUP_ROWS]
    assert len(writer.files_written) == len(groups)


# --- the buffer's bound --------------------------------------------------------------------


TEXTS = ["Короткий текст.", "Текст статьи номер один. " * 40, "Plain English. " * 80]


@pytest.mark.parametrize("text", TEXTS)
def test_the_buffer_counts_at_least_what_rows_not_yet_converted_take(data_dir: Path, text: str) -> None:
    """The bound holds only if the count is not below the memory: rows waiting for conversion,
    as unpickled from a worker (every string and array its own object), are counted at least
    at the size tracemalloc sees (the 2 KB a row counted before was 1.4-1.9x too little)."""
    row = {**article(1), "minhash": np.arange(64, dtype=np.uint32), "text": text}
    blobs = [pickle.dumps({**row, "article_id": f"{i:016x}", "url": f"https://e/{i}"}) for i in range(1500)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        rows = [pickle.loads(b) for b in blobs]
        size = tracemalloc.get_traced_memory()[0] - before - sys.getsizeof(rows)
    finally:
        tracemalloc.stop()
    writer = Archive(data_dir).writer("r", buffer_bytes=10**12)
    for r in rows:
        writer.add_article(r)
    assert not writer._tables  # fewer than BATCH_ROWS: all still Python rows
    assert size / len(rows) > 2048 + 2 * len(text)  # what was counted before
    assert writer._bytes >= size


def test_the_buffer_never_holds_more_than_its_bound(data_dir: Path) -> None:
    """Articles over many partitions, duplicates and rejects: the buffer is written out as it
    fills and never counts more than ``buffer_bytes`` (plus the one row that crosses it)."""
    bound = 2 * 1024 * 1024
    archive = Archive(data_dir)
    with archive.locked():
        writer = archive.writer("r", buffer_bytes=bound)
        for i in range(6000):
            month = 1 + i % 12
            writer.add_article(article(i, published_date=date(2020, month, 3), text="Текст. " * 100))
            writer.add("rejects", {"origin": f"in/{i}", "reason": "no article text found", "run_id": "r"})
            if i % 3 == 0:
                writer.add("duplicates", {"origin": f"in/{i}", "duplicate_of": f"{i:016x}", "run_id": "r"})
        assert writer.peak_bytes <= bound + writer._row_bytes(article(0, text="Текст. " * 100))
        assert writer.take_peak() == writer.peak_bytes > bound // 2
        assert writer.take_peak() == writer._bytes <= bound
        written = {f.parent.name for f in writer.files_written}
        assert {"rejects", "duplicates"} <= written  # written out during the run, not kept to the end
        writer.flush()
    assert Archive(data_dir).read("rejects").num_rows == 6000
    assert Archive(data_dir).read("duplicates").num_rows == 2000
    assert Archive(data_dir).read("articles", columns=["article_id"]).num_rows == 6000


# --- partition_key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_date", "fetched_at", "key"),
    [
        (date(2020, 11, 3), datetime(2024, 5, 17, tzinfo=UTC), (2020, 11)),
        (date(1999, 1, 31), datetime(2024, 12, 31, 23, 59, tzinfo=UTC), (1999, 1)),
        (None, datetime(2024, 5, 17, 9, 30, tzinfo=UTC), (2024, 5)),
        (None, datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC), (2023, 12)),
    ],
)
def test_partition_key(published_date: date | None, fetched_at: datetime, key: tuple[int, int]) -> None:
    assert partition_key(published_date, fetched_at) == key


def test_writer_puts_articles_in_unpadded_partitions(data_dir: Path) -> None:
    files = write_run(
        data_dir,
        "r1",
        [article(1, published_date=date(2019, 7, 4)), article(2, published_date=None, published=None)],
    )
    assert sorted(f.parent.relative_to(data_dir).as_posix() for f in files) == [
        "articles/year=2019/month=7",
        "articles/year=2024/month=5",
    ]


# --- runs that left no row ---------------------------------------------------------------


def test_a_run_that_left_no_runs_row_is_recorded_as_killed_by_the_next_writer(data_dir: Path) -> None:
    """A run killed (SIGKILL, power loss) after storing rows, or before storing any, wrote no
    runs/ row while its rows stayed visible. The next lock holder (here a compaction, which
    must count the rows before it merges their files) records each as killed, once."""
    archive = Archive(data_dir)
    started = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
    with archive.locked():
        writer = archive.writer("20240517T093000Z-aaaaaa")
        writer.begin_run("scrape", "tass", started)
        for i in range(3):
            writer.add_article(article(i, run_id=writer.run_id))
        writer.add_article(article(0, version=2, run_id=writer.run_id))
        writer.add("rejects", {"origin": "x", "reason": "empty input", "run_id": writer.run_id})
        writer.add("duplicates", {"origin": "y", "kind": "near", "run_id": writer.run_id})
        writer.flush_articles()
        writer.flush()
    with archive.locked():  # killed before it stored anything
        archive.writer("20240517T100000Z-bbbbbb").begin_run("backfill", None, started)
    with archive.locked():  # killed after its row, before removing its marker
        finished = archive.writer("20240517T110000Z-cccccc")
        finished.begin_run("backfill", None, started)
        finished.write_run({"run_id": finished.run_id, "status": "ok", "started_at": started})
        finished._marker().write_text("{}")
    with archive.locked():
        for partition in archive.partitions():
            archive.compact(partition)
    with archive.locked():
        pass
    runs = sorted(archive.read("runs").to_pylist(), key=lambda r: r["run_id"])
    assert [(r["run_id"][-6:], r["status"], r["job"], r["source"]) for r in runs] == [
        ("aaaaaa", "killed", "scrape", "tass"),
        ("bbbbbb", "killed", "backfill", None),
        ("cccccc", "ok", None, None),
    ]
    counts = ("read", "new", "revisions", "duplicates", "near_duplicates", "rejected")
    assert [runs[0][c] for c in counts] == [6, 3, 1, 0, 1, 1]
    assert [runs[1][c] for c in counts] == [0] * 6
    assert runs[0]["started_at"] == started and runs[0]["finished_at"] >= started
    assert "killed" in runs[0]["error"]
    assert not list((data_dir / "runs").glob(".*"))


def test_runs_merged_into_one_file_are_still_known_as_recorded(data_dir: Path) -> None:
    """Once runs/ files are merged (a compaction names the result for no run), their rows still
    say which runs were recorded: none of them is taken for a killed run."""
    archive = Archive(data_dir)
    started = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
    for run_id in ("20240517T093000Z-aaaaaa", "20240517T100000Z-bbbbbb"):
        with archive.locked():
            writer = archive.writer(run_id)
            writer.begin_run("backfill", None, started)
            writer.add_article(article(int(run_id[-1:], 16), run_id=run_id))
            writer.flush()
            writer.write_run({"run_id": run_id, "status": "ok", "started_at": started})
    runs = archive.read("runs")
    for f in (data_dir / "runs").glob("*.parquet"):
        f.unlink()
    pq.write_table(runs, data_dir / "runs" / "part-compact-1.parquet")
    with archive.locked():
        pass
    assert sorted(archive.read("runs")["status"].to_pylist()) == ["ok", "ok"]
