"""One writer at a time: jobs started together wait or exit 75, never write alongside; a
job killed with SIGKILL leaves no lock behind; a scheduled run skips a busy archive."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from etl.archive.store import Archive, load_articles
from jobs import cli
from jobs.schedule import Runner, Settings
from jobs.sources import load_sources
from tests.conftest import ROOT, SEEDS
from tests.jobs.test_schedule import write_sources

HOLD = """
import sys
from etl.archive.store import Archive
with Archive(sys.argv[1]).locked():
    print("locked", flush=True)
    sys.stdin.readline()
"""


def jobs_cmd(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "jobs", *map(str, args)]


def assert_no_duplicates(data: Path) -> pd.DataFrame:
    articles = load_articles(data)
    assert len(articles) > 0
    assert articles["article_id"].is_unique and articles["content_hash"].is_unique
    assert articles["url_hash"].dropna().is_unique
    runs = Archive(data).read("runs").to_pandas()
    assert runs["new"].sum() + runs["revisions"].sum() == len(articles)
    assert not list(data.rglob("*.tmp"))
    return runs


@pytest.mark.slow
def test_two_backfills_started_at_once_one_waits_or_exits_75_and_nothing_is_duplicated(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = subprocess.Popen(
        jobs_cmd("backfill", SEEDS, "--data", data, "--wait", "60", "--no-progress"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    second = subprocess.Popen(
        jobs_cmd("backfill", SEEDS, "--data", data, "--wait", "0", "--no-progress"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err_first = first.communicate(timeout=120)
    _, err_second = second.communicate(timeout=120)
    assert first.returncode == 0, err_first
    assert second.returncode in (0, 75), err_second
    runs = assert_no_duplicates(data)
    if second.returncode == 75:  # the first held the lock: the second refused to write
        # "held by pid N since …", or "held by another process" in the instant between the
        # holder's flock and its writing its pid into the lock file
        assert (
            "archive busy:" in err_second and "is held by" in err_second and "try again later" in err_second
        )
        assert len(runs) == 1
    else:  # the second got there first: the first waited, then found everything archived
        assert len(runs) == 2 and sorted(runs["new"])[0] == 0


@pytest.mark.slow
def test_while_one_job_holds_the_lock_every_writing_job_exits_75_or_waits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    config = write_sources(tmp_path / "s.toml", {"a": "http://127.0.0.1:9"})
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        for argv in (
            ["backfill", str(SEEDS), "--data", str(data), "--wait", "0", "--no-progress"],
            ["scrape", "--config", str(config), "--data", str(data), "--wait", "0", "--no-progress"],
            ["reprocess", "--data", str(data), "--wait", "0", "--no-progress"],
            ["compact", "--data", str(data), "--wait", "0"],
        ):
            assert cli.main(argv) == 75, argv
            err = capsys.readouterr().err
            assert f"archive busy: {data / '.lock'} is held by pid {holder.pid} since " in err, argv
            assert "try again later" in err
        assert not (data / "articles").exists() and not (data / "runs").exists()

        result: dict[str, int] = {}
        backfill = ["backfill", str(SEEDS), "--data", str(data), "--wait", "60", "--no-progress"]
        waiting = threading.Thread(target=lambda: result.setdefault("status", cli.main(backfill)))
        waiting.start()
        time.sleep(1.0)
        assert waiting.is_alive() and not (data / "runs").exists()  # waiting for the lock
        holder.communicate("go\n", timeout=30)
        waiting.join(timeout=60)
        assert result == {"status": 0}
    finally:
        if holder.poll() is None:
            holder.kill()
    assert_no_duplicates(data)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.slow
def test_a_job_killed_with_sigkill_leaves_no_lock_behind(tmp_path: Path, workers: str) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for copy in range(12):  # enough work to be killed in the middle of it
        for seed in SEEDS.glob("*.txt"):
            shutil.copy(seed, inputs / f"{copy:02d}-{seed.name}")
    data = tmp_path / "data"
    cmd = jobs_cmd("backfill", inputs, "--data", data, "--no-progress", "--workers", workers)
    job = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = data / ".lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and f"pid {job.pid} " in lock.read_text()):
        assert job.poll() is None and time.monotonic() < deadline, "the job never took the lock"
        time.sleep(0.02)
    time.sleep(0.3)  # in the middle of the run
    os.kill(job.pid, signal.SIGKILL)
    job.wait(timeout=10)

    started = time.monotonic()
    with Archive(data).locked(wait_seconds=10):  # free at once: the kernel dropped the flock
        waited = time.monotonic() - started
    assert waited < 1.0
    assert cli.main(["backfill", str(SEEDS), "--data", str(data), "--wait", "0", "--no-progress"]) == 0
    assert_no_duplicates(data)
    assert f"pid {os.getpid()} " in lock.read_text()  # the last holder wrote its own pid


def test_a_scheduled_run_skips_a_busy_archive_without_counting_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    sources = load_sources(write_sources(tmp_path / "s.toml", {"a": "http://127.0.0.1:9"})).sources
    runner = Runner(data, sources, Settings(lock_wait=0.5))
    with Archive(data).locked():  # e.g. a cron job or a backfill (flock: another open file conflicts)
        started = time.monotonic()
        assert runner.scrape("a") is None
        assert 0.4 < time.monotonic() - started < 5
    assert "a: run skipped: the archive stayed busy for 0.5 s" in caplog.text
    assert runner.backoff("a").failures == 0 and not (data / "runs").exists()


def test_stopping_ends_a_scheduled_run_waiting_for_the_lock(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sources = load_sources(write_sources(tmp_path / "s.toml", {"a": "http://127.0.0.1:9"})).sources
    runner = Runner(data, sources, Settings(lock_wait=60))
    result: dict[str, object] = {}
    with Archive(data).locked():
        waiting = threading.Thread(target=lambda: result.setdefault("summary", runner.scrape("a")))
        waiting.start()
        time.sleep(0.5)
        assert waiting.is_alive()
        started = time.monotonic()
        runner.stop.set("SIGTERM")
        waiting.join(timeout=10)
        assert not waiting.is_alive() and time.monotonic() - started < 2
    assert result == {"summary": None} and runner.wait_idle(0)
