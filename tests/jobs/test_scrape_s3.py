"""A scrape into an archive on S3 (a real SeaweedFS on 127.0.0.1), its crawl state in a local
``--state`` file: the same articles as a local scrape, its raw WARCs under the archive's
``raw/``, a re-run that appends nothing, reprocess and status on S3, a kill that loses
nothing. The jobs run as a user runs them: ``python -m jobs …`` in a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from etl.archive.objectstore import S3Archive
from etl.archive.store import load_articles
from etl.crawl.warc import LocalFiles, iter_records
from etl.normalize import canonical_url
from jobs.scrape import raw_files, run_scrape
from tests.conftest import ROOT
from tests.jobs.test_schedule import feed, write_sources
from tests.jobs.test_scrape import EXPECTED, ok_hits, rel, write_config
from tests.sitefixture import FixtureSite
from tools.s3server import SeaweedS3

pytestmark = pytest.mark.slow  # a server and jobs in subprocesses (`make test` runs them)
KEEP = ["url", "content_hash", "title", "language", "published_date", "version"]


def cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobs", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def keys(s3: SeaweedS3, prefix: str) -> list[str]:
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket="archive", Prefix=prefix + "/")
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def rows(location: str | Path) -> pd.DataFrame:
    return load_articles(location, KEEP).sort_values("url").reset_index(drop=True)


@contextlib.contextmanager
def site_scraped_locally(
    tmp_path: Path, local: str, crawl_delay: float
) -> Iterator[tuple[FixtureSite, Path]]:
    """The fixture site, its sources.toml, and a scrape of it into ``tmp_path/local`` (the
    rows to compare with); then a fresh request log."""
    with FixtureSite(crawl_delay=crawl_delay) as site:
        config = write_config(tmp_path / "sources.toml", site.base)
        run_scrape(config, tmp_path / local)
        site.reset()
        yield site, config


def scrape_args(config: Path, data: str, state: Path) -> tuple[str | Path, ...]:
    return ("scrape", "--config", config, "--data", data, "--state", state, "--no-progress")


def test_a_scrape_into_s3_archives_what_a_local_scrape_does_then_reprocess_and_status(
    s3: SeaweedS3, tmp_path: Path
) -> None:
    data, state = "s3://archive/scraped", tmp_path / "crawl.sqlite"
    with site_scraped_locally(tmp_path, "local", crawl_delay=0.02) as (site, config):
        scrape = scrape_args(config, data, state)
        first = cli(*scrape)
        assert first.returncode == 0, first.stderr
        site.reset()
        second = cli(*scrape)
        assert second.returncode == 0, second.stderr
        assert all(ok_hits(site.hits, path) == 0 for path in EXPECTED)  # the state said: done
        seen = len(site.hits)

        reprocess = cli("reprocess", "--data", data, "--no-progress")
        assert reprocess.returncode == 0, reprocess.stderr
        assert len(site.hits) == seen  # from the WARCs on S3, not the site

    stored = rows(data)
    assert sorted(stored["url"].map(rel)) == sorted(EXPECTED)
    pd.testing.assert_frame_equal(stored, rows(tmp_path / "local"))  # re-runs appended nothing
    assert f"read {len(EXPECTED)}, new 0, duplicates {len(EXPECTED)}" in reprocess.stdout, reprocess.stdout

    raw = keys(s3, "scraped/raw")
    assert len(raw) == 2 and all(k.startswith("scraped/raw/date=") and k.endswith(".warc.gz") for k in raw)
    spool = tmp_path / "crawl.sqlite.raw"
    assert state.is_file() and LocalFiles(spool).names() == []  # every WARC was put on S3
    assert not (ROOT / "s3:").exists()
    local_raw = {canonical_url(r.response.url) for r in iter_records(tmp_path / "local" / "raw")}
    s3_raw = {canonical_url(r.response.url) for r in iter_records(raw_files(data))}
    assert s3_raw == local_raw and len(s3_raw) >= len(EXPECTED)

    runs = S3Archive(data).read("runs").to_pandas().sort_values("started_at")
    assert runs["job"].tolist() == ["scrape", "scrape", "reprocess"]
    html, png = tmp_path / "status.html", tmp_path / "status.png"
    status = cli("status", "--data", data, "--config", config, "--html", html, "--plot", png)
    assert status.returncode == 0, status.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    page = " ".join(re.sub(r"<[^>]+>", "", html.read_text(encoding="utf-8")).split())
    assert f"s3://archive/scraped: {len(EXPECTED)} articles" in page


def test_a_scrape_killed_mid_run_resumes_from_its_spool_and_ends_with_the_same_rows(
    s3: SeaweedS3, tmp_path: Path
) -> None:
    data, state = "s3://archive/killed-scrape", tmp_path / "crawl.sqlite"
    with site_scraped_locally(tmp_path, "whole", crawl_delay=0.05) as (site, config):
        scrape = scrape_args(config, data, state)
        process = subprocess.Popen(
            [sys.executable, "-m", "jobs", *map(str, scrape)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        site.wait_for_articles(5)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        before = list(site.hits)
        left = LocalFiles(tmp_path / "crawl.sqlite.raw").names()
        assert len(left) == 1 and keys(s3, "killed-scrape/raw") == []  # the WARC is in the spool

        rerun = cli(*scrape, "--wait", "30")  # the killed run's lease expires first
        assert rerun.returncode == 0, rerun.stderr
        after = site.hits[len(before) :]

    for path in EXPECTED:  # fetched once over both runs: the second took the first's from the spool
        assert ok_hits(before, path) + ok_hits(after, path) == 1, path
    pd.testing.assert_frame_equal(rows(data), rows(tmp_path / "whole"))
    assert f"killed-scrape/raw/{left[0]}" in keys(s3, "killed-scrape/raw")  # put by the next run
    assert LocalFiles(tmp_path / "crawl.sqlite.raw").names() == []
    runs = S3Archive(data).read("runs").to_pandas().sort_values("started_at")
    assert runs["status"].tolist() == ["killed", "partial"]  # partial: the site's hostile pages


def test_a_scheduler_of_an_archive_on_s3_keeps_its_files_beside_the_state(
    s3: SeaweedS3, tmp_path: Path
) -> None:
    """``schedule --data s3://… --state FILE``: scheduled runs land on S3, status (given the
    same --state) sees the scheduler, SIGTERM ends it cleanly; lock and scheduler.json are local."""
    data, state = "s3://archive/scheduled", tmp_path / "crawl" / "state.sqlite"
    with FixtureSite(crawl_delay=0.0) as site:
        site.pages["/t.xml"] = feed(site, "/en/2024/04/wheat-harvest.html", "/en/2024/02/council-budget.html")
        config = write_sources(tmp_path / "s.toml", {"t": site.base})
        timing = tmp_path / "schedule.toml"
        timing.write_text('[defaults]\njitter = 0\n[maintenance]\ncompact = ""\n', encoding="utf-8")
        command = ["schedule", "--config", config, "--schedule", timing, "--data", data, "--state", state]
        process = subprocess.Popen(
            [sys.executable, "-m", "jobs", *map(str, [*command, "--every", "1"])],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            runs = lambda: len(keys(s3, "scheduled/runs"))  # noqa: E731
            deadline = time.monotonic() + 60
            while runs() < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            report = json.loads(cli("status", "--json", "--config", config, *command[3:]).stdout)
            assert report["scheduler"]["running"] and report["scheduler"]["pid"] == process.pid
            assert report["articles"]["total"] == 2
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
    home = tmp_path / "crawl" / "state.sqlite.scheduler"
    assert json.loads((home / "scheduler.json").read_text())["running"] is False
    assert len(load_articles(data)) == 2 and state.is_file() and not (ROOT / "s3:").exists()
    assert keys(s3, "scheduled/raw") and LocalFiles(tmp_path / "crawl" / "state.sqlite.raw").names() == []
