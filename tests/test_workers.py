"""Worker processes: a page that runs away or crashes its worker is answered alone, in order."""

from __future__ import annotations

import faulthandler
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest

import etl
from etl import pipeline
from etl.archive.store import Archive
from etl.extract.extract import extract_article
from etl.pipeline import _Window, run_pipeline
from etl.read import read_inputs
from etl.workers import WorkerPool
from tests.conftest import SEEDS


def _double_or_die(item: int) -> int:
    if item % 7 == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 2


def test_results_come_in_input_order_when_workers_die_and_are_replaced() -> None:
    pool: WorkerPool[int, int] = WorkerPool(2, _double_or_die, lambda item, code: -(code or 0), budget=None)
    results = list(pool.imap(range(60), _Window(8)))
    assert results == [signal.SIGKILL if i % 7 == 3 else i * 2 for i in range(60)]
    assert pool.recycled == len([i for i in range(60) if i % 7 == 3])


def _spin_on(marker: bytes, how: str) -> Any:
    def extract(data: bytes, url: str | None, **kwargs: Any) -> Any:
        if marker in data:
            if how == "regex":  # one C call, some minutes long: no Python handler can interrupt it
                re.match(r"(a+)+$", "a" * 30 + "b")
            elif how == "segfault":
                faulthandler.disable()  # pytest's: its stack dump is noise here
                os.kill(os.getpid(), signal.SIGSEGV)
        return extract_article(data, url, **kwargs)

    return extract


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("regex", "extraction took longer than 1 s"),
        ("segfault", "extraction crashed its worker process (signal SIGSEGV)"),
    ],
)
def test_a_worker_stuck_in_c_code_or_crashed_costs_one_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, reason: str
) -> None:
    """The kernel's CPU timer ends a worker even inside one long C call; a worker that crashes
    is replaced the same way. The forked workers inherit the patched extractor."""
    marked = tmp_path / "marked.html"
    marked.write_bytes(b"<!-- stuck -->" + (SEEDS / "030_en_politics.html").read_bytes())
    monkeypatch.setattr(pipeline, "extract_article", _spin_on(b"<!-- stuck -->", how))
    summary = run_pipeline(
        read_inputs([marked, SEEDS]), Archive(tmp_path / "data"), workers=2, progress=False, page_budget=1
    )
    assert (summary.read, summary.new, summary.rejected) == (10, 9, 1)
    assert summary.reject_reasons == [f"{marked}: {reason}"]
    assert len(etl.load_articles(tmp_path / "data", columns=["origin"])) == 9


def test_in_the_writer_process_a_runaway_page_is_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker: extraction runs in this process, where the timer's signal raises inside the
    page (an exception that extraction's ``except Exception`` does not swallow)."""
    marked = tmp_path / "marked.html"
    marked.write_bytes(b"<!-- stuck -->" + (SEEDS / "030_en_politics.html").read_bytes())
    calls = []

    def spin(data: bytes, url: str | None, **kwargs: Any) -> Any:
        if b"<!-- stuck -->" in data:
            while len(calls) < 10**9:
                try:
                    calls.append(1)
                    calls.pop()
                except Exception:  # as extraction code does: must not swallow the budget
                    pass
        return extract_article(data, url, **kwargs)

    monkeypatch.setattr(pipeline, "extract_article", spin)
    previous = signal.getsignal(signal.SIGPROF)
    summary = run_pipeline(
        read_inputs([marked, SEEDS]), Archive(tmp_path / "data"), workers=1, progress=False, page_budget=0.5
    )
    assert summary.reject_reasons == [f"{marked}: extraction took longer than 0.5 s"]
    assert (summary.read, summary.new) == (10, 9)
    assert signal.getsignal(signal.SIGPROF) == previous
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
