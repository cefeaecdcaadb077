"""The archive on S3 (``--data s3://…``) against a real S3-compatible server: SeaweedFS on 127.0.0.1."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl.archive.objectstore import S3Archive
from etl.archive.store import load_articles
from tests.conftest import ROOT, SEEDS
from tests.crawl.test_warc_input import write_warc
from tests.test_pipeline import _corpus
from tools.s3server import SeaweedS3

pytestmark = pytest.mark.slow  # a server and jobs in subprocesses (`make test` runs them)


def job(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m jobs ARGS``, as a user runs it (the environment points at the server)."""
    return subprocess.run(
        [sys.executable, "-m", "jobs", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def backfill(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return job("backfill", "--no-progress", *args)


def _keys(s3: SeaweedS3, prefix: str) -> list[str]:
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket="archive", Prefix=prefix + "/")
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def test_backfill_to_s3_stores_what_a_local_backfill_stores_and_a_rerun_appends_nothing(
    s3: SeaweedS3, tmp_path: Path
) -> None:
    local = backfill(SEEDS, "--data", tmp_path / "local")
    first = backfill(SEEDS, "--data", "s3://archive/seeds")
    assert first.returncode == local.returncode == 0, first.stderr
    columns = ["article_id", "version", "content_hash", "title", "published_date"]
    expected = load_articles(tmp_path / "local", columns).sort_values("article_id").reset_index(drop=True)
    stored = load_articles("s3://archive/seeds", columns).sort_values("article_id").reset_index(drop=True)
    assert len(stored) > 5 and stored.equals(expected)
    assert any(k.startswith("seeds/articles/year=") and k.endswith(".parquet") for k in _keys(s3, "seeds"))
    assert ".lease" not in {k.rsplit("/", 1)[-1] for k in _keys(s3, "seeds")}  # released
    before = [k for k in _keys(s3, "seeds") if k.startswith("seeds/articles/")]
    again = backfill(SEEDS, "--data", "s3://archive/seeds")
    assert "new 0," in again.stdout and again.returncode == 0, again.stdout + again.stderr
    assert [k for k in _keys(s3, "seeds") if k.startswith("seeds/articles/")] == before


def test_a_second_writer_exits_75_while_the_lease_is_held(s3: SeaweedS3) -> None:
    holder = S3Archive("s3://archive/busy")
    with holder.locked():
        second = backfill(SEEDS, "--data", "s3://archive/busy")
        assert second.returncode == 75 and "archive busy" in second.stderr, second.stderr
        assert "pid" in second.stderr  # who holds it
    assert backfill(SEEDS, "--data", "s3://archive/busy").returncode == 0  # released: free again


def _start(inputs: Path, data: str, log: Path) -> subprocess.Popen[bytes]:
    """A backfill that writes an articles file every few pages."""
    command = ["backfill", "--no-progress", str(inputs), "--data", data, "--buffer-mb", "0.05"]
    with open(log, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "jobs", *command],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait_for_articles(s3: SeaweedS3, prefix: str, process: subprocess.Popen[bytes]) -> None:
    """Until the run has written an articles file (mid-run, however fast the machine)."""
    deadline = time.monotonic() + 120
    while not any(k.endswith(".parquet") for k in _keys(s3, f"{prefix}/articles")):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended first"
        time.sleep(0.05)


def test_sigkill_mid_run_then_a_takeover_after_the_lease_expires_completes_without_duplicates(
    s3: SeaweedS3, tmp_path: Path
) -> None:
    n = 1500
    _corpus(tmp_path / "in", n)
    killed = _start(tmp_path / "in", "s3://archive/killed", tmp_path / "killed.log")
    _wait_for_articles(s3, "killed", killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    partial = len(load_articles("s3://archive/killed", ["article_id"]))
    assert 0 < partial < n
    rerun = backfill(tmp_path / "in", "--data", "s3://archive/killed", "--wait", "30")
    assert rerun.returncode == 0 and "taken over" in rerun.stderr, rerun.stderr
    df = load_articles("s3://archive/killed", ["article_id", "version", "content_hash", "run_id"])
    assert len(df) == n and df["content_hash"].is_unique
    runs = S3Archive("s3://archive/killed").read("runs").to_pandas().sort_values("started_at")
    assert runs["status"].tolist() == ["killed", "ok"]
    assert runs.iloc[0]["new"] == partial and runs.iloc[1]["new"] == n - partial


def test_a_writer_whose_lease_is_taken_stops_with_75(s3: SeaweedS3, tmp_path: Path) -> None:
    _corpus(tmp_path / "in", 1500)
    writer = _start(tmp_path / "in", "s3://archive/stolen", tmp_path / "stolen.log")
    _wait_for_articles(s3, "stolen", writer)
    s3.client().put_object(Bucket="archive", Key="stolen/.lease", Body=b'{"holder": "thief", "expires": 0}')
    assert writer.wait(timeout=60) == 75
    assert (
        "lease" in (tmp_path / "stolen.log").read_text() and "lost" in (tmp_path / "stolen.log").read_text()
    )


def test_compaction_while_a_reader_reads_never_shows_a_row_twice_or_misses_one(
    s3: SeaweedS3, tmp_path: Path
) -> None:
    for i in range(4):  # four runs: four files in each partition
        words = " ".join(random.Random(i).choices([f"w{n}" for n in range(5000)], k=80))
        (tmp_path / f"in{i}").mkdir()
        (tmp_path / f"in{i}" / "0000.txt").write_text(f"Headline {i}\n\n12 March 2021\n\n{words}.\n")
        assert backfill(tmp_path / f"in{i}", "--data", "s3://archive/compact").returncode == 0
    assert len(_keys(s3, "compact/articles")) == 4
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(len(load_articles("s3://archive/compact", ["article_id"])))
            except BaseException as exc:
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        compact = job("compact", "--no-progress", "--data", "s3://archive/compact")
    finally:
        stop.set()
        reader.join()
    assert compact.returncode == 0, compact.stderr
    assert len(_keys(s3, "compact/articles")) == 1
    assert not errors and seen and set(seen) == {4}
    assert len(load_articles("s3://archive/compact")) == 4


def test_warcs_on_s3_backfilled_on_a_cluster_into_s3_then_status(s3: SeaweedS3, tmp_path: Path) -> None:
    """The issue's command: ``backfill s3://bucket/cc-news/ --cluster local:2 --data s3://…``."""
    write_warc(tmp_path / "a.warc.gz")
    write_warc(tmp_path / "b.warc.gz", truncate=True)
    client = s3.client()
    for name in ("a.warc.gz", "b.warc.gz"):
        client.upload_file(str(tmp_path / name), "archive", f"cc-news/2024/{name}")
    client.put_object(Bucket="archive", Key="cc-news/2024/readme.txt", Body=b"not a WARC")
    result = backfill("s3://archive/cc-news/", "--cluster", "local:2", "--data", "s3://archive/cc-archive")
    assert "read 6, new 3, duplicates 2" in result.stdout, result.stdout + result.stderr
    df = load_articles("s3://archive/cc-archive")
    assert sorted(df["origin"].str.rsplit("#", n=1).str[0]) == ["s3://archive/cc-news/2024/a.warc.gz"] * 3
    rejects = S3Archive("s3://archive/cc-archive").read("rejects").to_pylist()
    assert [r["origin"] for r in rejects] == ["s3://archive/cc-news/2024/b.warc.gz"]
    status = job("status", "--json", "--data", "s3://archive/cc-archive")
    assert json.loads(status.stdout)["articles"]["total"] == 3, status.stderr
