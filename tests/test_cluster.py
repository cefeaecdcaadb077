"""``backfill --cluster local:2``: a real Dask LocalCluster stores what the worker processes store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl import pipeline
from etl.archive.store import Archive
from etl.cluster import extract_batch
from etl.models import Reject
from tests.conftest import ROOT, SEEDS
from tests.crawl.test_warc_input import SITE, write_warc
from tests.faults import SPIN_MARK, extract_or_spin

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


def test_a_cluster_task_keeps_each_pages_cpu_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a Dask worker runs a task (in a thread): a page that spins is rejected after its
    budget, the worker process it ran in is replaced, and the next page is extracted."""
    monkeypatch.setattr(pipeline, "extract_article", extract_or_spin)
    spin = tmp_path / "spin.html"
    spin.write_bytes((SEEDS / "020_ru_science.html").read_bytes() + SPIN_MARK)
    done: list[object] = []
    task = threading.Thread(
        target=lambda: done.extend(extract_batch([str(spin), str(SEEDS / "010_ar_economy.html")], 1.0))
    )
    task.start()
    task.join(timeout=60)
    assert len(done) == 2, "the task did not end"
    assert isinstance(done[0], Reject) and done[0].reason == "extraction took longer than 1 s"
    assert not isinstance(done[1], Reject)


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and one ``dask worker`` on 127.0.0.1, as a user starts them."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [str(Path(sys.executable).parent / "dask")]
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    log = open(tmp_path / "dask.log", "wb")  # noqa: SIM115 (closed below)
    started = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=log,
            stderr=log,
        ),
        subprocess.Popen(
            [
                *dask,
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
            ],
            stdout=log,
            stderr=log,
            env=env,
            cwd=ROOT,
        ),
    ]
    try:
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=30)
        log.close()


def test_a_scheduler_address_runs_the_backfill_on_its_workers(tmp_path: Path, scheduler: str) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(SEEDS, inputs / "seeds")
    write_warc(inputs / "x.warc.gz")
    for name, option in (("one", ["--workers", "1"]), ("tcp", ["--cluster", scheduler])):
        args = ["backfill", "--no-progress", str(inputs), "--data", str(tmp_path / name), *option]
        result = subprocess.run(
            [sys.executable, "-m", "jobs", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert _stored(tmp_path / "tcp") == _stored(tmp_path / "one")
