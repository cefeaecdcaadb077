"""Progress on long work: a total counted in the background, an ETA, log lines above the bar,
and no bar at all without a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from etl.crawl.fetch import Exchange, Response
from etl.crawl.warc import RawWriter, iter_records, walk_records
from etl.progress import ProgressBar
from tests.conftest import ROOT, SEEDS


def _wait_for(condition: object, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_total_is_counted_in_the_background_while_the_work_goes_on() -> None:
    release = threading.Event()
    walked: list[int] = []

    def walk() -> Iterator[int]:  # a slow directory walk: the run must not wait for it
        for i in range(250):
            if i == 100:
                release.wait(10)
            walked.append(i)
            yield i

    bar = ProgressBar("test", "doc", walk)
    try:
        bar.update(3)  # the first pages are processed before the count is known
        assert _wait_for(lambda: len(walked) == 100)
        assert bar.total is None
        release.set()
        assert _wait_for(lambda: bar.total == 250)
    finally:
        bar.close()


def test_closing_the_bar_stops_the_count() -> None:
    walked: list[int] = []

    def endless() -> Iterator[int]:
        while True:
            walked.append(1)
            time.sleep(0.001)
            yield 1

    bar = ProgressBar("test", "doc", endless)
    assert _wait_for(lambda: len(walked) > 5)
    bar.close()
    time.sleep(0.05)
    stopped_at = len(walked)
    time.sleep(0.1)
    assert len(walked) <= stopped_at + 1 and bar.total is None


def test_the_reprocess_count_walks_the_records_reprocess_reads(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    day = datetime(2024, 5, 1, tzinfo=UTC)
    with RawWriter(raw, "run-a") as writer:
        for i in range(5):
            role = "article" if i % 2 == 0 else "feed"
            page = Response(f"https://x.test/{i}", f"https://x.test/{i}", 200, "OK", (), b"<p>x</p>", day)
            writer.write(Exchange((), page), role)
    with RawWriter(raw, "run-b") as writer:
        page = Response(
            "https://x.test/9", "https://x.test/9", 200, "OK", (), b"<p>y</p>", day + timedelta(2)
        )
        writer.write(Exchange((), page), "article")
    for since in (None, (day + timedelta(1)).date()):
        assert sum(1 for _ in walk_records(raw, since)) == len(list(iter_records(raw, since)))
    assert sum(1 for _ in walk_records(raw)) == 4


def _corpus(directory: Path, copies: int) -> int:
    """Seed pages (duplicates after the first copy) and an unreadable page per copy (a warning)."""
    directory.mkdir()
    pages = sorted(SEEDS.glob("*.html"))
    for copy in range(copies):
        for page in pages:
            shutil.copy(page, directory / f"{copy:03d}-{page.name}")
        (directory / f"{copy:03d}-zz-empty.txt").write_text("x", encoding="utf-8")
    return copies * (len(pages) + 1)


def _run_in_pty(cmd: list[str], timeout: float = 120) -> str:
    """The command's output as a 120x40 terminal receives it."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=child, stdout=child, stderr=child)
    os.close(child)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child side is closed
                break
            if not chunk:
                break
            out += chunk
        assert proc.wait(timeout=max(1, deadline - time.monotonic())) == 0, out.decode(errors="replace")
    finally:
        os.close(main)
        if proc.poll() is None:
            proc.kill()
    return out.decode("utf-8", errors="replace")


LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d[.,]\d{3}Z? (DEBUG|INFO|WARNING|ERROR) ")


@pytest.mark.slow
def test_a_backfill_in_a_terminal_shows_a_total_and_eta_with_log_lines_above_the_bar(tmp_path: Path) -> None:
    total = _corpus(tmp_path / "in", copies=8)
    cmd = [sys.executable, "-m", "jobs", "backfill", str(tmp_path / "in"), "--data", str(tmp_path / "data")]
    screen = _run_in_pty(cmd)
    # every redraw of the bar starts with a carriage return: the pieces between are what was drawn
    pieces = [piece for line in screen.split("\n") for piece in line.split("\r") if piece.strip()]
    bars = [p for p in pieces if p.startswith("archiving:")]
    assert any(re.search(rf"\| *\d+/{total} \[\d\d:\d\d<\d\d:\d\d", p) for p in bars), bars  # total and ETA
    assert re.search(rf"archiving: 100%\|.*\| {total}/{total} ", bars[-1]), bars[-1]
    warnings = [p for p in pieces if "WARNING" in p]
    assert len(warnings) == 8 and all("rejected" in w and "zz-empty.txt" in w for w in warnings)
    for piece in pieces:  # a log record always starts its own line, and a bar never ends in one
        if LOG_RECORD.search(piece):
            assert LOG_RECORD.match(piece) and "archiving:" not in piece, piece
    assert "rejected 8, " in screen and f"read {total}, " in screen


@pytest.mark.slow
def test_no_bar_without_a_terminal(tmp_path: Path) -> None:
    _corpus(tmp_path / "in", copies=1)
    cmd = [sys.executable, "-m", "jobs", "backfill", str(tmp_path / "in"), "--data", str(tmp_path / "data")]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "archiving" not in result.stderr and "\r" not in result.stderr
    assert all(LOG_RECORD.match(line) for line in result.stderr.splitlines()), result.stderr
    assert "memory:" not in result.stderr and "cpu:" not in result.stderr  # benchmark figures: DEBUG


@pytest.mark.slow
def test_compact_in_a_terminal_shows_its_partitions_done_of_the_total(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _corpus(tmp_path / "in", copies=1)
    for _ in range(2):  # two runs: runs/ and rejects/ hold two files each
        cmd = [sys.executable, "-m", "jobs", "backfill", str(tmp_path / "in"), "--data", str(data)]
        assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    screen = _run_in_pty([sys.executable, "-m", "jobs", "compact", "--data", str(data)])
    pieces = [piece for line in screen.split("\n") for piece in line.split("\r") if piece.strip()]
    steps = len(list((data / "articles").glob("year=*/month=*"))) + 3  # + runs, rejects, duplicates
    assert re.search(rf"compacting: 100%\|.*\| {steps}/{steps} ", pieces[-1]), pieces[-1]
    merged = [p for p in pieces if "files -> 1" in p]  # printed above the bar, each on its own line
    assert merged == [f"{data / 'runs'}: 2 files -> 1 (2 rows)", f"{data / 'rejects'}: 2 files -> 1 (2 rows)"]
