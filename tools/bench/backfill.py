"""Section 4, the Parquet layout and peak RSS of a synthetic backfill (100k short articles), beside
a 25k one, per process (the writer, the largest worker) and for the process tree; then both sizes
again with a write buffer both fill (32 MB). The writer's growth is split by what its run summary
(``--summary-json``) says the dedup index and the write buffer held at its peak."""

from __future__ import annotations

import random
import re
import shutil
import statistics
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from .common import MB, REPO_ROOT, TargetRows, say
from .measure import run_backfill

TARGET_BACKFILL_RSS_MB = 1024  # peak RSS of a 100k-page backfill (process tree)
TARGET_RSS_GROWTH = 1.10  # "independent of corpus size": peak(100k) <= 1.10 x peak(25k)
TARGET_FILES_PER_PARTITION = 3  # "at most a few files per partition"
TARGET_ROWS_PER_GROUP = 10_000  # "row groups of tens of thousands of rows" (median)


def vocabulary() -> dict[str, list[str]]:
    """Real words per language from the bundled fixtures (always in the repository)."""
    words: dict[str, set[str]] = {}
    for path in sorted((REPO_ROOT / "tests" / "fixtures" / "dedup").glob("*.txt")):
        found = re.findall(r"[^\W\d_]{3,}", path.read_text(encoding="utf-8"))
        words.setdefault(path.name[:2], set()).update(w.lower() for w in found)
    if not words:  # a minimal fallback so the benchmark still runs
        words["en"] = {f"word{i}" for i in range(2000)}
    return {lang: sorted(ws) for lang, ws in words.items()}


MONTHS = ("January", "February", "March", "April", "May", "June")


def synthetic_articles(n: int, months: int = 4, seed: int = 6) -> Iterator[tuple[str, str]]:
    """(url, text dump) of ``n`` short distinct articles dated over ``months`` months of 2020."""
    rng = random.Random(seed)
    vocab = vocabulary()
    langs = sorted(vocab)
    for i in range(n):
        words = vocab[langs[i % len(langs)]]
        month = 1 + i % months
        day = date(2020, month, 1 + (i // months) % 28)

        title = " ".join(rng.choices(words, k=8)).capitalize()
        body = "\n\n".join(
            " ".join(" ".join(rng.choices(words, k=rng.randint(8, 14))).capitalize() + "." for _ in range(3))
            for _ in range(3)
        )
        text = f"{title}\n\n{day.day} {MONTHS[month - 1]} {day.year}\n\n{body}\n"
        yield f"https://bench.example/{day:%Y/%m/%d}/article-{i}.html", text


def write_articles(n: int, first: int, directory: Path, per_dir: int = 1000) -> tuple[Path, Path]:
    """Text dumps with .url sidecars: the first ``first`` under ``directory/a``, the rest under
    ``directory/b`` (subdirectories of ``per_dir`` files), so a run can take the first part only."""
    parts = (directory / "a", directory / "b")
    for i, (url, text) in enumerate(synthetic_articles(n)):
        part, j = (parts[0], i) if i < first else (parts[1], i - first)
        sub = part / f"{j // per_dir:04d}"
        if j % per_dir == 0:
            sub.mkdir(parents=True, exist_ok=True)
        if i and i % 20_000 == 0:
            say(f"  corpus: {i:,}/{n:,} articles written")
        (sub / f"{i:07d}.txt").write_text(text, encoding="utf-8")
        (sub / f"{i:07d}.url").write_text(url + "\n", encoding="utf-8")
    parts[1].mkdir(parents=True, exist_ok=True)
    return parts


def parquet_layout(data: Path) -> dict[str, Any]:
    partitions: dict[str, Any] = {}
    for directory in sorted((data / "articles").glob("year=*/month=*")):
        groups: list[int] = []
        files = sorted(directory.glob("*.parquet"))
        for path in files:
            meta = pq.ParquetFile(path).metadata
            groups += [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        partitions[directory.relative_to(data / "articles").as_posix()] = {
            "files": len(files),
            "row_groups": len(groups),
            "rows": sum(groups),
            "rows_per_group": groups,
            "bytes": sum(p.stat().st_size for p in files),
        }
    all_groups = [g for p in partitions.values() for g in p["rows_per_group"]]
    return {
        "partitions": partitions,
        "max_files_per_partition": max((p["files"] for p in partitions.values()), default=0),
        "row_groups": len(all_groups),
        "median_rows_per_group": statistics.median(all_groups) if all_groups else 0,
        "min_rows_per_group": min(all_groups, default=0),
        "max_rows_per_group": max(all_groups, default=0),
    }


def bench_backfill(
    n: int, compare: int, workers: int, tmp: Path, flat_buffer_mb: float = 0.0
) -> dict[str, Any]:
    """Backfills of ``n`` and ``compare`` synthetic articles with the default write buffer (the
    layout, the raw peak RSS ratio), then, with ``flat_buffer_mb``, the same two sizes with a
    buffer both runs fill, so that the buffer is the same in both and what is left of the growth
    is the dedup index and everything else."""
    corpus = tmp / "backfill-corpus"
    say(f"  writing {n:,} synthetic text articles (+ .url sidecars) to {corpus}")
    started = time.perf_counter()
    compare = compare if 0 < compare < n else 0
    first, rest = write_articles(n, compare, corpus)
    say(f"  written in {time.perf_counter() - started:.0f} s")
    out: dict[str, Any] = {"articles": n, "compare_articles": compare, "workers": workers, "runs": {}}
    buffers: list[float | None] = [None] + ([flat_buffer_mb] if flat_buffer_mb and compare else [])
    for buffer_mb in buffers:
        for size in [n] + ([compare] if compare else []):
            inputs = [first, rest] if size == n else [first]
            data = tmp / f"backfill-data-{size}"
            buffer = "default buffer" if buffer_mb is None else f"{buffer_mb:g} MB buffer"
            label = f"{size:,} articles, {buffer}"
            say(f"  backfill of {label}, {workers} worker(s)")
            run = run_backfill(inputs, data, workers, label=f"backfill {label}", buffer_mb=buffer_mb)
            mem = run.get("memory", {})
            say(
                f"  {label}: {run['read']:,} read, {run['new']:,} new in {run['seconds']} s "
                f"({run['pages_per_s']} pages/s), peak RSS {run['peak_rss_mb']} MB (writer "
                f"{mem.get('writer_peak_rss_mb')} MB, largest worker {run['peak_rss_worker_max_mb']} MB)"
            )
            if size == n and buffer_mb is None:
                run["layout"] = parquet_layout(data)
            out["runs"][_run_key(size, buffer_mb)] = run
            shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(corpus, ignore_errors=True)
    out[str(n)] = out["runs"][_run_key(n, None)]  # the 100k run, as before
    if compare:
        out[str(compare)] = out["runs"][_run_key(compare, None)]
        big, small = (out["runs"][_run_key(size, None)] for size in (n, compare))
        out["rss_growth"] = growth(big, small, n, compare)
        if len(buffers) > 1:
            big, small = (out["runs"][_run_key(size, flat_buffer_mb)] for size in (n, compare))
            out["rss_growth_past_buffer_fill"] = growth(big, small, n, compare)
            out["flat_buffer_mb"] = flat_buffer_mb
    return out


def _run_key(size: int, buffer_mb: float | None) -> str:
    return f"{size}" if buffer_mb is None else f"{size}@{buffer_mb:g}MB"


def growth(big: dict[str, Any], small: dict[str, Any], n_big: int, n_small: int) -> dict[str, Any]:
    """Peak RSS of the larger run against the smaller one, per process kind, and the writer's
    growth split by what its run summary says was held at its peak: the dedup index
    (which grows by a few hundred bytes per article by design), the write buffer (bounded) and
    everything else (which should not grow)."""
    articles = n_big - n_small
    out: dict[str, Any] = {
        "tree_ratio": round(big["peak_rss_mb"] / small["peak_rss_mb"], 3),
        "tree_mb": round(big["peak_rss_mb"] - small["peak_rss_mb"], 1),
    }
    sampled = (("writer_sampled_mb", "peak_rss_writer_sampled_mb"), ("worker_mb", "peak_rss_worker_max_mb"))
    for name, key in sampled:
        if big.get(key) and small.get(key):
            out[name] = round(big[key] - small[key], 1)
    bm, sm = big.get("memory"), small.get("memory")
    if bm and sm:
        writer = bm["writer_peak_rss_mb"] - sm["writer_peak_rss_mb"]
        index = bm["index_at_peak_mb"] - sm["index_at_peak_mb"]
        buffer = bm["buffer_at_peak_mb"] - sm["buffer_at_peak_mb"]
        out |= {
            "writer_ratio": round(bm["writer_peak_rss_mb"] / sm["writer_peak_rss_mb"], 3),
            "writer_mb": round(writer, 1),
            "index_mb": round(index, 1),
            "index_bytes_per_article": round(index * MB / articles),
            "index_steady_bytes_per_article": round((bm["index_mb"] - sm["index_mb"]) * MB / articles),
            "buffer_mb": round(buffer, 1),
            "else_mb": round(writer - index, 1),  # everything but the dedup index
            "rest_mb": round(writer - index - buffer, 1),  # nor the write buffer
            # The tree's peak without the index's growth, against the smaller run's.
            "ratio_without_index": round((big["peak_rss_mb"] - index) / small["peak_rss_mb"], 3),
        }
    return out


def targets(back: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    run = back[str(back["articles"])]
    rss = run["peak_rss_mb"]
    rows.add(
        f"peak RSS, {back['articles']:,}-article backfill",
        rss,
        f"< {TARGET_BACKFILL_RSS_MB}",
        rss < TARGET_BACKFILL_RSS_MB,
        "MB",
    )
    if "rss_growth" in back:
        ratio = back["rss_growth"]["tree_ratio"]
        rows.add(
            f"peak RSS {back['articles']:,} / {back['compare_articles']:,} articles (raw)",
            ratio,
            f"<= {TARGET_RSS_GROWTH}",
            ratio <= TARGET_RSS_GROWTH,
            "x",
        )
    flat = back.get("rss_growth_past_buffer_fill", {})
    if "ratio_without_index" in flat:
        ratio = flat["ratio_without_index"]
        rows.add(
            f"  same, {back['flat_buffer_mb']:g} MB buffer, less the dedup index",
            ratio,
            f"<= {TARGET_RSS_GROWTH}",
            ratio <= TARGET_RSS_GROWTH,
            "x",
        )
    layout = run.get("layout")
    if layout:
        rows.add(
            "files per partition (max)",
            layout["max_files_per_partition"],
            f"<= {TARGET_FILES_PER_PARTITION}",
            layout["max_files_per_partition"] <= TARGET_FILES_PER_PARTITION,
        )
        rows.add(
            "rows per row group (median)",
            layout["median_rows_per_group"],
            f">= {TARGET_ROWS_PER_GROUP:,}",
            layout["median_rows_per_group"] >= TARGET_ROWS_PER_GROUP,
        )
    return rows


def report(back: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    say(f"\n== 4. backfill of {back['articles']:,} synthetic articles, {back['workers']} worker(s) ==")
    say(
        f"  {'run':<33}{'pages/s':>8}{'tree RSS':>10}{'(PSS)':>8}{'writer':>8}{'worker':>8}"
        f"  at the writer's peak: {'index':>6}{'buffer':>8}{'rest':>7}  (MB)"
    )
    for key, r in back["runs"].items():
        size, _, buffer = key.partition("@")
        name = f"{int(size):,} articles, " + (f"{buffer[:-2]} MB buffer" if buffer else "default buffer")
        m = r.get("memory", {})
        rest = m["writer_peak_rss_mb"] - m["index_at_peak_mb"] - m["buffer_at_peak_mb"] if m else None
        # The writer's own high-water mark when it logs it, else the sampled peak.
        writer = max(m.get("writer_peak_rss_mb", 0), r.get("peak_rss_writer_sampled_mb") or 0) or ""
        say(
            f"  {name:<33}{r['pages_per_s']:>8}{r['peak_rss_mb']:>10}{r['peak_pss_tree_mb'] or '':>8}"
            f"{writer:>8}{r.get('peak_rss_worker_max_mb') or '':>8}"
            f"  {'':>22}{m.get('index_at_peak_mb', ''):>6}{m.get('buffer_at_peak_mb', ''):>8}"
            f"{'' if rest is None else round(rest, 1):>7}"
        )
    flat = f"{back.get('flat_buffer_mb', 0):g} MB buffer, both runs past its fill"
    for title, key in (("default buffer (raw)", "rss_growth"), (flat, "rss_growth_past_buffer_fill")):
        g = back.get(key)
        if not g:
            continue
        say(
            f"  {back['compare_articles']:,} -> {back['articles']:,} articles, {title}: process tree "
            f"x{g['tree_ratio']} ({g['tree_mb']:+} MB), writer {g.get('writer_sampled_mb', 0):+} MB, "
            f"largest worker {g.get('worker_mb', 0):+} MB (sampled)"
        )
        if "writer_mb" in g:
            say(
                f"    writer {g['writer_mb']:+} MB (x{g['writer_ratio']}) = dedup index "
                f"{g['index_mb']:+} MB ({g['index_bytes_per_article']} B/article at the peak, "
                f"{g['index_steady_bytes_per_article']} B/article held after the run) "
                f"+ everything else {g['else_mb']:+} MB (write buffer "
                f"{g['buffer_mb']:+} MB, rest {g['rest_mb']:+} MB); tree less the index's growth "
                f"x{g['ratio_without_index']}"
            )
    layout = back[str(back["articles"])].get("layout", {})
    say(f"  {'partition':<20}{'files':>7}{'row groups':>12}{'rows':>9}  rows per group")
    for name, p in layout.get("partitions", {}).items():
        groups = p["rows_per_group"]
        shown = ", ".join(map(str, groups[:8])) + (" …" if len(groups) > 8 else "")
        say(f"  {name:<20}{p['files']:>7}{p['row_groups']:>12}{p['rows']:>9}  {shown}")
