"""``compact`` merges the small files of every table: articles per partition, and runs/,
rejects/ and duplicates/, each swapped in atomically, with the same rows in the same order."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import etl
from etl.archive.store import Archive
from jobs import cli
from jobs.schedule import read_runs
from tests.conftest import SEEDS

TABLES = ("runs", "rejects", "duplicates")
KEYS = {
    "articles": ["article_id", "version"],
    "runs": ["run_id"],
    "rejects": ["run_id", "origin"],
    "duplicates": ["run_id", "origin"],
}


def _backfill(data: Path, *paths: Path) -> None:
    assert cli.main(["backfill", *map(str, paths), "--data", str(data), "--no-progress"]) == 0


def _snapshot(data: Path) -> dict[str, pd.DataFrame]:
    archive = Archive(data)
    tables = {name: archive.read(name).to_pandas() for name in TABLES}
    tables["articles"] = etl.load_articles(data)
    return {name: df.sort_values(KEYS[name]).reset_index(drop=True) for name, df in tables.items()}


def _directories(data: Path) -> list[Path]:
    return [*Archive(data).partitions(), *(data / name for name in TABLES)]


def _mirror(directory: Path, host: str) -> Path:
    """The seed pages under other URLs: exact duplicates, each a duplicates/ row."""
    directory.mkdir()
    for page in SEEDS.glob("*.html"):
        shutil.copy(page, directory / page.name)
        (directory / f"{page.stem}.url").write_text(f"https://{host}/{page.stem}\n", encoding="utf-8")
    return directory


@pytest.fixture
def archive_of_runs(tmp_path: Path) -> Path:
    """Four runs: some seed pages, copies under other URLs (duplicates), a bad page (a reject)
    beside the other seed pages (new files in the same partitions), a bad page and copies."""
    data, bad = tmp_path / "data", tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("x", encoding="utf-8")
    pages = sorted(p for p in SEEDS.iterdir() if p.suffix != ".url")
    first = [p for p in pages if p.name[:3] in ("000", "010", "020")]
    _backfill(data, *first)
    _backfill(data, _mirror(tmp_path / "a", "mirror-a.example"))
    _backfill(data, bad, *(p for p in pages if p not in first))
    _backfill(data, bad, _mirror(tmp_path / "b", "mirror-b.example"))
    return data


def test_compact_leaves_one_file_per_partition_and_table_with_the_same_rows(
    archive_of_runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = archive_of_runs
    before = _snapshot(data)
    assert len(before["runs"]) == 4 and len(before["rejects"]) == 2 and len(before["duplicates"]) >= 2
    assert all(len(list((data / name).glob("*.parquet"))) > 1 for name in TABLES)
    assert any(len(list(p.glob("*.parquet"))) > 1 for p in Archive(data).partitions())

    assert cli.main(["compact", "--data", str(data), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    for name in TABLES:
        assert f"{data / name}: " in printed
    for directory in _directories(data):
        assert [p.suffix for p in directory.iterdir()] == [".parquet"], directory
    assert not any((data / ".staging").glob("*"))  # nothing half-swapped left behind

    after = _snapshot(data)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, check_categorical=False, obj=name)
    # every reader sees the same rows: pandas, DuckDB, and the scheduler's view of the runs
    for name in TABLES:
        assert len(pd.read_parquet(data / name)) == len(before[name])
        count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{data / name}/*.parquet')").fetchall()
        assert count == [(len(before[name]),)]
    assert read_runs(data)["run_id"].tolist() == before["runs"].sort_values("started_at")["run_id"].tolist()

    # a compacted archive takes new runs; compacting again puts the new rows after the old ones
    compacted = Archive(data).read("runs")["run_id"].to_pylist()
    _backfill(data, SEEDS)
    assert cli.main(["compact", "--data", str(data), "--no-progress"]) == 0
    runs = Archive(data).read("runs")["run_id"].to_pylist()
    assert len(runs) == 5 and runs[:4] == compacted
    assert all(len(list(d.glob("*.parquet"))) == 1 for d in _directories(data))
    capsys.readouterr()
    assert cli.main(["compact", "--data", str(data), "--no-progress"]) == 0
    assert "files -> 1" not in capsys.readouterr().out  # nothing left to merge


def test_compacting_a_table_killed_between_the_renames_is_finished_by_the_next_writer(
    archive_of_runs: Path,
) -> None:
    data = archive_of_runs
    before = _snapshot(data)
    staging = data / ".staging"
    staged, replaced = staging / "runs.compacting", staging / "runs.replaced"
    staged.mkdir(parents=True)
    merged = pq.read_table(sorted((data / "runs").glob("*.parquet")))
    pq.write_table(merged, staged / "part-compact-1.parquet")
    os.replace(data / "runs", replaced)  # killed here: runs/ is gone, the staged copy is complete

    with Archive(data).locked():
        pass
    assert [p.name for p in (data / "runs").iterdir()] == ["part-compact-1.parquet"]
    assert not staging.exists() and not (data / "articles" / "runs").exists()
    pd.testing.assert_frame_equal(_snapshot(data)["runs"], before["runs"])


def test_compacting_a_table_killed_before_the_swap_leaves_it_as_it_was(archive_of_runs: Path) -> None:
    data = archive_of_runs
    before = sorted(p.name for p in (data / "rejects").iterdir())
    staged = data / ".staging" / "rejects.compacting"
    staged.mkdir(parents=True)
    shutil.copy(next((data / "rejects").glob("*.parquet")), staged / "part-compact-1.parquet")

    with Archive(data).locked():
        pass
    assert sorted(p.name for p in (data / "rejects").iterdir()) == before
    assert not (data / ".staging").exists()
