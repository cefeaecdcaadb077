"""``backfill --cluster local:2``: a real Dask LocalCluster stores what the worker processes store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl.store import Archive
from tests.conftest import ROOT, SEEDS
from tests.test_warc_input import SITE, write_warc

pytestmark = pytest.mark.slow  # starts a Dask cluster in subprocesses (`make test` runs it)


def _inputs(root: Path) -> Path:
    """Over 100 inputs (several batches in flight): the seeds eight times over (exact duplicates
    under other names, across batches), the fixture site's pages, a WARC and a truncated one."""
    inputs = root / "in"
    for copy in "abcdefgh":
        shutil.copytree(SEEDS, inputs / copy)
    shutil.copytree(SITE, inputs / "site", ignore=shutil.ignore_patterns("*.xml", "*.txt"))
    write_warc(inputs / "i.warc.gz")
    write_warc(inputs / "j.warc", gzip_records=False, truncate=True)
    return inputs


def _stored(data: Path) -> dict[str, list[tuple]]:
    """What a run decided, row by row, without run ids and read times."""
    archive = Archive(data)
    columns = {
        "articles": ["origin", "article_id", "version", "content_hash", "title", "language"],
        "duplicates": ["origin", "kind", "duplicate_of", "similarity"],
        "rejects": ["origin", "stage", "reason"],
    }
    return {
        table: sorted(tuple(row.values()) for row in archive.read(table, columns=names).to_pylist())
        for table, names in columns.items()
    }


def test_cluster_stores_exactly_the_rows_worker_processes_store(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    stored = {}
    for name, option in (
        ("one", ["--workers", "1"]),
        ("two", ["--workers", "2"]),
        ("dask", ["--cluster", "local:2"]),
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "jobs",
                "backfill",
                "--no-progress",
                str(inputs),
                "--data",
                str(tmp_path / name),
                *option,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "partial: read 100, new 25, duplicates 68," in result.stdout, result.stdout + result.stderr
        stored[name] = _stored(tmp_path / name)
    assert stored["dask"] == stored["one"] == stored["two"]
    # which copy of a duplicate is archived (its origin) is the same: the first in input order
    assert {origin.split("/in/")[1][:2] for origin, *_ in stored["dask"]["articles"]} == {"a/", "si", "i."}
    assert len(stored["one"]["rejects"]) == 7
