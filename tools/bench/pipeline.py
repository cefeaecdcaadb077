"""Section 2, the full pipeline: ``python -m jobs backfill`` with 1 worker and with N workers on a
corpus of real pages given many distinct URLs and small text edits, with peak RSS of the process tree."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import MB, TargetRows, say, wait_until_idle
from .corpus import Page, build_corpus
from .measure import run_backfill

TARGET_SPEEDUP = 1.8  # pipeline pages/s with 2 workers / with 1 worker


def bench_pipeline(
    pages: Sequence[Page], n: int, workers: int, repeat: int, tmp: Path, wait_idle: float = 0.0
) -> dict[str, Any]:
    """Each worker count ``repeat`` times, alternating (1, N, 1, N, ...); the fastest run of each
    is reported (the others are kept in the JSON): other work on the machine only slows runs down.
    With ``wait_idle``, each run first waits (that many seconds at most) for the machine to be idle."""
    corpus_dir = tmp / "pipeline-corpus"
    say(f"  writing {n} inputs to {corpus_dir}")
    corpus = build_corpus(pages, n, corpus_dir)
    attempts: dict[str, list[dict[str, Any]]] = {str(w): [] for w in sorted({1, workers})}
    for attempt in range(repeat):
        for w in sorted({1, workers}):
            data = tmp / f"pipeline-data-{w}"
            say(f"  backfill with {w} worker(s)" + (f", run {attempt + 1}/{repeat}" if repeat > 1 else ""))
            if wait_idle > 0:
                waited = wait_until_idle(wait_idle)
                say(f"  waited {waited:.0f} s for other processes to go idle")
            r = run_backfill([corpus_dir], data, w, label=f"{w} worker(s)")
            attempts[str(w)].append(r)
            shutil.rmtree(data, ignore_errors=True)
            say(
                f"  {w} worker(s): {r['read']} read in {r['seconds']} s = {r['pages_per_s']} pages/s, "
                f"peak RSS {r['peak_rss_mb']} MB, other processes {r['other_load_cores']} cores"
            )
    shutil.rmtree(corpus_dir, ignore_errors=True)
    runs = {w: max(rs, key=lambda r: r["pages_per_s"]) for w, rs in attempts.items()}
    out: dict[str, Any] = {"corpus": corpus, "runs": runs, "repeat": repeat}
    if repeat > 1:
        out["all_runs"] = attempts
    if workers > 1:
        out["speedup"] = round(runs[str(workers)]["pages_per_s"] / runs["1"]["pages_per_s"], 3)
    return out


def targets(pipe: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    if "speedup" in pipe:
        w = max(int(k) for k in pipe["runs"])
        rows.add(
            f"pipeline speed-up {w} workers / 1",
            pipe["speedup"],
            f">= {TARGET_SPEEDUP}",
            pipe["speedup"] >= TARGET_SPEEDUP,
            "x",
        )
    return rows


def report(pipe: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    c = pipe["corpus"]
    say(
        f"\n== 2. full pipeline: {c['inputs']} inputs from {c['distinct_pages']} pages, "
        f"{c['bytes'] / MB:.0f} MB =="
    )
    say("  " + ", ".join(f"{k}: {v}" for k, v in c.items() if k not in ("inputs", "distinct_pages", "bytes")))
    say(
        f"  {'workers':<9}{'pages/s':>9}{'wall p/s':>10}{'p/cpu-s':>9}{'run s':>8}{'writer cpu-s':>13}"
        f"{'cores busy':>11}{'other load':>11}{'peak RSS MB':>13}{'PSS MB':>8}{'max proc':>10}  decisions"
    )
    for w, r in pipe["runs"].items():
        say(
            f"  {w:<9}{r['pages_per_s']:>9}{r['pages_per_s_wall']:>10}{r['pages_per_cpu_s']:>9}"
            f"{r['seconds']:>8}{r.get('writer_cpu_seconds')!s:>13}{r.get('cores_busy')!s:>11}"
            f"{r.get('other_load_cores')!s:>11}"
            f"{r['peak_rss_mb']:>13}{r['peak_pss_tree_mb']!s:>8}{r['peak_rss_largest_process_mb']:>10}  "
            f"new {r['new']}, dup {r['duplicates']}, near {r['near_duplicates']}, "
            f"rev {r['revisions']}, rejected {r['rejected']}"
        )
    if "speedup" in pipe:
        say(f"  speed-up: {pipe['speedup']} (best run of {pipe['repeat']} each; every run: JSON)")
        if "all_runs" in pipe:
            every = "; ".join(
                f"{w} worker(s) " + ", ".join(f"{r['pages_per_s']} ({r.get('other_load_cores')})" for r in rs)
                for w, rs in pipe["all_runs"].items()
            )
            say(f"  every run, pages/s (other load): {every}")
        say(
            "  writer cpu-s: CPU of the process that reads, dedups and writes (with 1 worker it also "
            "extracts); cores busy: CPU of the run / its seconds; other load: cores other processes "
            "of this machine used meanwhile (a host's other guests are not seen: p/cpu-s varies too)"
        )
