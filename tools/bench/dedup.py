"""Section 3, the dedup index of a synthesised 1M-article archive: load time from its cache (and
cold, from Parquet), memory, classify() time. Each load runs in a fresh interpreter:
``python -m tools.bench.dedup ROOT MODE`` prints the child's figures as one JSON line."""

from __future__ import annotations

import gc
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl.archive.dedup import DedupIndex
from etl.archive.fingerprint import Fingerprint, fingerprint
from etl.archive.schema import ARTICLES, MINHASH_PERMUTATIONS
from etl.archive.store import ROW_GROUP_ROWS, Archive

from .common import MB, TargetRows, quiet_libraries, say
from .launch import maxrss_bytes
from .measure import current_rss, measured_run

TARGET_INDEX_SECONDS = 1.0  # dedup index of 1M archived articles, as a run loads it (from the cache)


def synthesise_archive(
    root: Path, n: int, files: int = 4, seed: int = 6, first_month: int = 1
) -> dict[str, Any]:
    """``n`` rows of the dedup columns (ARTICLES types) in ``files`` part files under
    articles/year=2020/month=<first_month>...."""
    rng = np.random.default_rng(seed)
    fields = [ARTICLES.field(name) for name in ("version", "content_hash", "url_hash", "minhash")]
    schema = pa.schema(fields, metadata=ARTICLES.metadata)
    sizes = [n // files + (1 if i < n % files else 0) for i in range(files)]
    written = 0
    for month, rows in enumerate(sizes, start=first_month):
        values = pa.array(rng.integers(0, 2**32, size=rows * MINHASH_PERMUTATIONS, dtype=np.uint32))
        offsets = pa.array(
            np.arange(0, (rows + 1) * MINHASH_PERMUTATIONS, MINHASH_PERMUTATIONS, dtype=np.int32)
        )
        table = pa.table(
            {
                "version": pa.array(np.ones(rows, dtype=np.int32)),
                "content_hash": pa.array(rng.integers(-(2**63), 2**63 - 1, size=rows, dtype=np.int64)),
                "url_hash": pa.array(rng.integers(-(2**63), 2**63 - 1, size=rows, dtype=np.int64)),
                "minhash": pa.ListArray.from_arrays(offsets, values),
            },
            schema=schema,
        )
        directory = root / "articles" / "year=2020" / f"month={month}"
        directory.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            table, directory / "part-bench-00001.parquet", row_group_size=ROW_GROUP_ROWS, compression="zstd"
        )
        written += rows
    size = sum(p.stat().st_size for p in root.rglob("*.parquet"))
    return {"articles": written, "files": files, "bytes_on_disk": size}


DEDUP_MODES = ("cold", "first-run", "cached")


def dedup_child(root: Path, mode: str) -> dict[str, Any]:
    """Runs in a fresh interpreter: load the index of the archive at ``root`` and measure it.

    cold: read from Parquet and build, as a run does without a cache; first-run: what a
    run does then (the same, plus writing the cache, under the lock); cached: what every
    later run does (the cache memory-mapped, plus the part files it does not cover)."""
    archive = Archive(root)
    gc.collect()
    rss0 = current_rss()
    started = time.perf_counter()
    out: dict[str, Any] = {}
    if mode == "cold":
        articles = archive.read("articles", columns=list(DedupIndex.COLUMNS))
        read_done = time.perf_counter()
        index = DedupIndex(articles, archive.read("duplicates", columns=["content_hash", "url_hash"]))
        out["read_seconds"] = round(read_done - started, 3)
        out["build_seconds"] = round(time.perf_counter() - read_done, 3)
        out["rss_delta_with_table_mb"] = round((current_rss() - rss0) / MB, 1)
        del articles
    elif mode == "first-run":
        with archive.locked():
            index = DedupIndex.load(archive, write_cache=True)
    else:
        index = DedupIndex.load(archive)
    out["load_seconds"] = round(time.perf_counter() - started, 3)
    gc.collect()
    pa.default_memory_pool().release_unused()  # give the Arrow table's memory back to the OS
    out["rss_delta_index_mb"] = round((current_rss() - rss0) / MB, 1)
    out["peak_rss_delta_mb"] = round(
        (maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) - rss0) / MB, 1
    )
    out["index_size"] = index.size
    if mode != "cached":
        out["index_arrays_mb"] = round(array_bytes(index) / MB, 1)
        return out

    # A stored article to probe with.
    table = archive.read("articles", columns=["content_hash", "minhash"], files=archive.files("articles")[:1])
    probe = table.slice(12_345 % table.num_rows, 1)
    del table
    gc.collect()
    pa.default_memory_pool().release_unused()
    rss_before_probes = current_rss()
    sig = np.asarray(probe.column("minhash")[0].values.to_numpy(zero_copy_only=False), dtype=np.uint32)
    content = int(probe.column("content_hash")[0].as_py())
    near = sig.copy()
    near[::16] ^= np.uint32(0x5A5A5A5A)  # 4 of 64 values differ: Jaccard estimate 0.94
    probes = {
        "new": fingerprint("a brand new article about nothing in particular " * 20, "https://x.example/new"),
        "duplicate": Fingerprint(content, 99, 0, sig, 100),
        "near_duplicate": Fingerprint(1234567, 4321, 0, near, 100),
    }
    classify: dict[str, Any] = {}
    for name, fp in probes.items():
        decision = index.classify(fp)
        samples = []
        for _ in range(300):
            start = time.perf_counter()
            index.classify(fp)
            samples.append(time.perf_counter() - start)
        classify[name] = {"decision": decision.kind, "median_us": round(statistics.median(samples) * 1e6, 1)}
    out["classify"] = classify
    out["rss_growth_classify_mb"] = round((current_rss() - rss_before_probes) / MB, 1)
    return out


def array_bytes(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes of the numpy arrays an object holds (attributes, lists, dicts), each counted once."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        if isinstance(obj.base, np.ndarray):  # a view: count the array it views, once
            return array_bytes(obj.base, seen)
        return obj.nbytes
    if isinstance(obj, list | tuple):
        return sum(array_bytes(x, seen) for x in obj)
    if isinstance(obj, dict):
        return sum(array_bytes(x, seen) for x in obj.values())
    slots = [getattr(obj, name) for name in getattr(type(obj), "__slots__", ()) if hasattr(obj, name)]
    attrs = list(vars(obj).values()) if hasattr(obj, "__dict__") else []
    return sum(array_bytes(x, seen) for x in slots + attrs)


def bench_dedup(n: int, tmp: Path, delta: int = 20_000) -> dict[str, Any]:
    """The index of ``n`` archived articles: cold (from Parquet), the first run (which also
    writes the cache), a later run (from the cache), and a later run after ``delta`` more
    articles were written (the cache plus one file read from Parquet)."""
    root = tmp / "dedup-archive"
    say(f"  synthesising {n:,} archived articles under {root}")
    started = time.perf_counter()
    synth = synthesise_archive(root, n)
    say(f"  written in {time.perf_counter() - started:.1f} s; loading the index in fresh processes")
    runs: dict[str, Any] = {}
    try:
        for mode in DEDUP_MODES:
            runs[mode] = _dedup_run(root, mode)
        runs["cache_mb_on_disk"] = round(sum(p.stat().st_size for p in (root / ".index").rglob("*")) / MB, 1)
        synthesise_archive(root, delta, files=1, seed=7, first_month=synth["files"] + 1)
        runs["cached_plus_delta"] = {"delta_articles": delta, **_dedup_run(root, "cached")}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    cached = runs["cached"]
    return {"archive": synth, **cached, **runs}


def _dedup_run(root: Path, mode: str) -> dict[str, Any]:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        cmd = [sys.executable, "-m", "tools.bench.dedup", str(root), mode]
        usage, _, _ = measured_run(cmd, out, err)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if usage["returncode"] != 0:
        raise RuntimeError(f"dedup child ({mode}) failed:\n{stderr[-3000:]}")
    child = json.loads(stdout.strip().splitlines()[-1])
    return {**child, "process_peak_rss_mb": round(usage["maxrss"] / MB, 1)}


def targets(dedup: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    rows.add(
        f"dedup index load (cached), {dedup['archive']['articles']:,} articles",
        dedup["load_seconds"],
        f"< {TARGET_INDEX_SECONDS}",
        dedup["load_seconds"] < TARGET_INDEX_SECONDS,
        "s",
    )
    return rows


def report(dedup: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    say(f"\n== 3. dedup index: {dedup['archive']['articles']:,} archived articles (synthesised) ==")
    cold, first, delta = dedup["cold"], dedup["first-run"], dedup["cached_plus_delta"]
    say(
        f"  cached load {dedup['load_seconds']} s (memory-mapped, cache "
        f"{dedup['cache_mb_on_disk']} MB on disk): RSS +{dedup['rss_delta_index_mb']} MB after loading, "
        f"+{dedup['rss_growth_classify_mb']} MB more after 900 classify() calls, "
        f"peak +{dedup['peak_rss_delta_mb']} MB"
    )
    say(
        f"  cached + {delta['delta_articles']:,} articles in a new part file: "
        f"load {delta['load_seconds']} s, peak +{delta['peak_rss_delta_mb']} MB"
    )
    say(
        f"  cold build {cold['load_seconds']} s (read {cold['read_seconds']} s "
        f"+ build {cold['build_seconds']} s): RSS +{cold['rss_delta_index_mb']} MB kept "
        f"(numpy arrays {cold['index_arrays_mb']} MB), +{cold['rss_delta_with_table_mb']} MB with "
        f"the Arrow table, peak +{cold['peak_rss_delta_mb']} MB"
    )
    say(
        f"  first run (cold build + writing the cache): {first['load_seconds']} s, "
        f"peak +{first['peak_rss_delta_mb']} MB"
    )
    say(
        "  classify(): "
        + ", ".join(f"{k} {v['median_us']} µs ({v['decision']})" for k, v in dedup["classify"].items())
    )


if __name__ == "__main__":
    quiet_libraries()
    print(json.dumps(dedup_child(Path(sys.argv[1]), sys.argv[2])))
