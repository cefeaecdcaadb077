"""Section 6, the cluster (issue 14): ``backfill --cluster local:2`` beside ``--workers 2`` on the
same corpus, the writer's CPU a page, and the single writer against N simulated workers."""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from etl.archive.store import Archive
from etl.pipeline import process, run_pipeline
from etl.read import read_inputs

from .common import TargetRows, say
from .corpus import Page, build_corpus
from .measure import run_backfill

TARGET_CLUSTER_RATIO = 0.85  # LocalCluster(2) / Pool(2) pages/s, with batching
TARGET_WRITER_MS = 0.5  # writer CPU a page, extraction excluded (worker processes)
TARGET_SWEEP_EFFICIENCY = 0.9  # simulated workers: pages/s / (workers / extraction time), up to 64
TARGET_CLUSTER_PSS_MB = 600  # LocalCluster(2) run: summed PSS of the process tree
SWEEP_WORKERS = (1, 4, 16, 64, 128, 256, 512, 1024)


def bench_cluster(
    pages: Sequence[Page], n: int, repeat: int, tmp: Path, sweep_workers: Sequence[int] = SWEEP_WORKERS
) -> dict[str, Any]:
    """``backfill --cluster local:2`` beside ``--workers 2`` on the same corpus (alternating, the
    fastest of ``repeat`` each), the writer's CPU a page, and the simulated worker sweep."""
    corpus_dir = tmp / "cluster-corpus"
    corpus = build_corpus(pages, n, corpus_dir)
    attempts: dict[str, list[dict[str, Any]]] = {"pool": [], "cluster": []}
    for attempt in range(repeat):
        for kind in attempts:
            data = tmp / f"cluster-data-{kind}"
            say(f"  {kind} (2 workers), run {attempt + 1}/{repeat}")
            cluster = "local:2" if kind == "cluster" else None
            r = run_backfill([corpus_dir], data, 2, label=kind, cluster=cluster)
            r["writer_ms_per_page"] = round(1000 * r["writer_cpu_seconds"] / r["read"], 3)
            attempts[kind].append(r)
            shutil.rmtree(data, ignore_errors=True)
            say(
                f"  {kind}: {r['pages_per_s']} pages/s, writer CPU {r['writer_ms_per_page']} ms a page, "
                f"peak PSS {r['peak_pss_tree_mb']} MB"
            )
    runs = {kind: max(rs, key=lambda r: r["pages_per_s"]) for kind, rs in attempts.items()}
    say("  simulated sweep: rows extracted once here, then paced as N workers would return them")
    sweep = simulated_sweep(corpus_dir, tmp / "sweep", sweep_workers)
    shutil.rmtree(corpus_dir, ignore_errors=True)
    return {
        "corpus": corpus,
        "runs": runs,
        "ratio": round(runs["cluster"]["pages_per_s"] / runs["pool"]["pages_per_s"], 3),
        "sweep": sweep,
        "all_runs": attempts if repeat > 1 else None,
    }


def simulated_sweep(
    corpus_dir: Path, tmp: Path, sweep_workers: Sequence[int] = SWEEP_WORKERS
) -> dict[str, Any]:
    """The single writer against N simulated workers: real rows (extracted once, here) arrive
    in input order at the pace N workers of the measured extraction time would deliver them,
    and the real writer (dedup, buffers, Parquet) stores them into a fresh archive. Efficiency
    is the ideal time over the time taken: it falls once the writer is the bottleneck."""
    started = time.process_time()
    rows = [process(doc) for doc in read_inputs([corpus_dir])]
    extraction = (time.process_time() - started) / len(rows)

    def paced(workers: int, clock: dict[str, float]) -> Callable[[Any], Iterator[Any]]:
        """The rows, the k-th not before k x extraction / workers. ``clock`` gets the wall and
        CPU time of the stream, from the first row to the last one handled (dedup, buffering):
        the steady state of a long run. The index load before it and the final Parquet flush
        after it are left out: here 400 pages spread over ~80 monthly partitions make ~80 files
        of ~5 rows, where a long run writes large files (``writer_ms_with_flush`` has them)."""

        def results(_: Any) -> Iterator[Any]:
            start, cpu = time.perf_counter(), time.process_time()
            clock.update(start_cpu=cpu)
            for k, row in enumerate(rows):
                delay = start + (k + 1) * extraction / workers - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                yield row
            clock.update(seconds=time.perf_counter() - start, cpu=time.process_time() - cpu)

        return results

    out: dict[str, Any] = {"pages": len(rows), "extraction_ms": round(1000 * extraction, 2), "workers": {}}
    for workers in sweep_workers:
        data = tmp / f"sweep-{workers}"
        clock: dict[str, float] = {}
        summary = run_pipeline([], Archive(data), progress=False, extract=paced(workers, clock))
        with_flush = round(1000 * (time.process_time() - clock["start_cpu"]) / len(rows), 3)
        writer_ms = round(1000 * clock["cpu"] / len(rows), 3)
        efficiency = round(len(rows) * extraction / workers / clock["seconds"], 3)
        out["workers"][str(workers)] = {
            "efficiency": efficiency,
            "writer_ms": writer_ms,
            "writer_ms_with_flush": with_flush,
            "new": summary.new,
        }
        say(f"    {workers:>5} workers: efficiency {efficiency}, writer CPU {writer_ms} ms a page")
        shutil.rmtree(data, ignore_errors=True)
    saturated = [int(w) for w, r in out["workers"].items() if r["efficiency"] < TARGET_SWEEP_EFFICIENCY]
    out["saturates_at_workers"] = min(saturated) if saturated else None
    writer = statistics.median(r["writer_ms"] for r in out["workers"].values())
    out["writer_bound_workers"] = int(extraction * 1000 / writer) if writer else None
    return out


def targets(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    runs = cluster["runs"]
    rows.add(
        "LocalCluster(2) / Pool(2) pages/s",
        cluster["ratio"],
        f">= {TARGET_CLUSTER_RATIO}",
        cluster["ratio"] >= TARGET_CLUSTER_RATIO,
        "x",
    )
    writer = statistics.median(r["writer_ms"] for r in cluster["sweep"]["workers"].values())
    met = writer <= TARGET_WRITER_MS
    rows.add(
        "writer CPU a page (sweep: dedup + buffer)", round(writer, 3), f"<= {TARGET_WRITER_MS}", met, "ms"
    )
    for kind in ("pool", "cluster"):  # the whole run's: start-up, reading files (pool), scheduler
        ms = runs[kind]["writer_ms_per_page"]
        rows.add(f"writer process CPU a page, {kind} run", ms, "(whole run)", None, "ms")
    pss = runs["cluster"]["peak_pss_tree_mb"]
    rows.add(
        "LocalCluster(2) peak PSS",
        pss,
        f"<= {TARGET_CLUSTER_PSS_MB}",
        None if pss is None else pss <= TARGET_CLUSTER_PSS_MB,
        "MB",
    )
    sweep = cluster["sweep"]["workers"]
    low = min(r["efficiency"] for w, r in sweep.items() if int(w) <= 64)
    rows.add(
        "simulated sweep: least efficiency up to 64 workers",
        low,
        f">= {TARGET_SWEEP_EFFICIENCY}",
        low >= TARGET_SWEEP_EFFICIENCY,
        "x",
    )
    return rows


def report(cluster: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    say(f"\n== 6. cluster: backfill --cluster local:2 beside --workers 2, {cluster['corpus']} ==")
    for kind, r in cluster["runs"].items():
        say(
            f"  {kind:<8}{r['pages_per_s']:>8} pages/s  writer CPU {r['writer_ms_per_page']} ms a page  "
            f"peak PSS {r['peak_pss_tree_mb']} MB  wall {r['wall_seconds']} s"
        )
    sweep = cluster["sweep"]
    say(f"  simulated sweep ({sweep['pages']} pages, extraction {sweep['extraction_ms']} ms a page):")
    for w, r in sweep["workers"].items():
        say(
            f"    {w:>5} workers: efficiency {r['efficiency']}, writer CPU {r['writer_ms']:.3f} ms "
            f"a page ({r['writer_ms_with_flush']:.3f} with the final flush of small files)"
        )
    say(
        f"  efficiency below {TARGET_SWEEP_EFFICIENCY} from {sweep['saturates_at_workers']} workers; "
        f"writer-bound at ~{sweep['writer_bound_workers']} workers (extraction time / writer time)"
    )
