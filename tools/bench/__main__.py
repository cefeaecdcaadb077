"""Throughput and memory benchmark of the archive (issue 6), printed as a table and saved as JSON.

Usage:
    python -m tools.bench [--devset PATH] [--pages N] [--extract-pages N] [--workers N] [--repeat N]
                          [--dedup-articles N] [--backfill-articles N] [--compare-articles N]
                          [--backfill-workers N] [--flat-buffer-mb MB] [--s3-records N]
                          [--skip extract,pipeline,dedup,backfill,nesting,cluster,s3] [--only SECTIONS]
                          [--wait-idle S] [--profile N] [--quick] [--tmp DIR] [--out FILE]

Sections, all measured in one run on this machine:
1. extraction alone: ``etl.extract_article`` beside trafilatura's ``bare_extraction`` (with
   metadata) on the same pages, in this process, interleaved page by page, one warm-up each;
2. the full pipeline (``python -m jobs backfill``) with 1 worker and with N workers on a corpus
   of real pages given many distinct URLs and small text edits, with peak RSS of the process tree;
3. the dedup index of a synthesised 1M-article archive: load time from its cache (and cold, from
   Parquet), memory, classify() time;
4. the Parquet layout and peak RSS of a synthetic backfill (100k short articles), beside a 25k one,
   per process (the writer, the largest worker) and for the process tree; then both sizes again
   with a write buffer both fill (32 MB). The writer's growth is split by what its run summary
   (``--summary-json``) says the dedup index and the write buffer held at its peak;
5. nesting (issue 11): extraction time of one page as it nests 1k, 10k and 100k <div> deep
   (closed, and never closed), per page and per 1k elements: linear when 100k/10k is ~10;
6. the cluster (issue 14): ``backfill --cluster local:2`` beside ``--workers 2``, the writer's CPU
   a page, and the single writer against N simulated workers;
7. WARCs on S3 (issue 14): a WARC read whole from SeaweedFS on 127.0.0.1 beside local disk,
   unbuffered and through ``objectstore.open_input``, and single records read at their offsets.

One module a section (tools/bench/extract.py, pipeline.py, dedup.py, backfill.py, nesting.py,
cluster.py, s3read.py); this one parses the options, runs the sections asked for and prints the report.

Pages come from ../shared/devset when present, else from the repository's own seeds/ and
tests/fixtures/ (the output says which). Figures are written to bench-results/latest.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import backfill, cluster, dedup, extract, nesting, pipeline, s3read
from .common import REPO_ROOT, machine, psutil, quiet_libraries, say, versions, write_json
from .corpus import DEFAULT_DEVSET, load_pages

DEFAULT_OUT = REPO_ROOT / "bench-results" / "latest.json"
SECTIONS = ("extract", "pipeline", "dedup", "backfill", "nesting", "cluster", "s3")
# Each section's module by the key of its figures in the results, in the order of the report;
# the targets table lists them in the order of the issues' targets.
MODULES = {
    "extraction": extract,
    "pipeline": pipeline,
    "dedup_index": dedup,
    "backfill": backfill,
    "nesting": nesting,
    "cluster": cluster,
    "s3": s3read,
}
TARGET_ORDER = ("extraction", "pipeline", "backfill", "nesting", "cluster", "s3", "dedup_index")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target row of the sections that ran."""
    return [row for key in TARGET_ORDER if results.get(key) for row in MODULES[key].targets(results[key])]


def print_report(results: dict[str, Any]) -> None:
    say("")
    say("== machine ==")
    for k, v in results["machine"].items():
        say(f"  {k}: {v}")
    say("== versions ==")
    for k, v in results["versions"].items():
        say(f"  {k}: {v}")
    say(f"== corpus == {results['corpus']['source']}")
    for key, module in MODULES.items():
        if results.get(key):
            module.report(results[key])
    say("\n== targets (issues 6, 11 and 14) ==")
    say(f"  {'figure':<48}{'measured':>12}  {'target':<22}status")
    for row in results["targets"]:
        status = "" if row["met"] is None else "met" if row["met"] else "NOT MET"
        value = f"{row['value']}{(' ' + row['unit']) if row['unit'] and row['unit'] != 'x' else ''}"
        say(f"  {row['figure']:<48}{value:>12}  {row['target']:<22}{status}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--pages", type=int, default=None, help="pipeline corpus size (default 400; quick 40)")
    ap.add_argument("--extract-pages", type=int, default=None, help="pages for extraction (default: all)")
    ap.add_argument("--workers", type=int, default=2, help="workers of the multi-process run (default 2)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="pipeline runs per worker count, best counts (default 2; quick 1)",
    )
    ap.add_argument("--dedup-articles", type=int, default=None, help="default 1,000,000 (quick 100,000)")
    ap.add_argument("--backfill-articles", type=int, default=None, help="default 100,000 (quick 2,000)")
    ap.add_argument("--compare-articles", type=int, default=None, help="default 25,000 (quick 500); 0: skip")
    ap.add_argument("--backfill-workers", type=int, default=None, help="default: --workers")
    ap.add_argument(
        "--flat-buffer-mb",
        type=float,
        default=None,
        help="also run both backfill sizes with this write buffer, small enough that both fill it "
        "(default 32; quick 0.25); 0: skip",
    )
    ap.add_argument(
        "--s3-records", type=int, default=None, help="records of the S3 WARC (default 3000; quick 300)"
    )
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="before each pipeline run, wait up to S seconds for other processes to use < 0.1 core",
    )
    ap.add_argument("--skip", default="", help=f"comma-separated sections to skip: {','.join(SECTIONS)}")
    ap.add_argument("--only", default="", help="comma-separated sections to run (the others are skipped)")
    ap.add_argument("--profile", type=int, default=0, help="print the top N functions of extract_article")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test of every section")
    ap.add_argument("--tmp", type=Path, default=None, help="work directory (default: system temp)")
    args = ap.parse_args(argv)
    quick = args.quick
    args.pages = args.pages if args.pages is not None else (40 if quick else 400)
    args.repeat = args.repeat or (1 if quick else 2)
    args.extract_pages = args.extract_pages if args.extract_pages is not None else (15 if quick else None)
    args.dedup_articles = args.dedup_articles or (100_000 if quick else 1_000_000)
    args.backfill_articles = args.backfill_articles or (2_000 if quick else 100_000)
    if args.compare_articles is None:
        args.compare_articles = 500 if quick else 25_000
    if args.flat_buffer_mb is None:
        args.flat_buffer_mb = 0.25 if quick else 32.0
    args.backfill_workers = args.backfill_workers or args.workers
    args.s3_records = args.s3_records or (300 if quick else s3read.RECORDS)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = (args.skip | only) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if only:
        args.skip |= set(SECTIONS) - only
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_libraries()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "-m", "tools.bench", *(argv if argv is not None else sys.argv[1:])]),
        "quick": args.quick,
        "machine": machine(),
        "versions": versions(),
    }
    say(f"machine: {results['machine']}")
    say(f"versions: {results['versions']}")
    if psutil is None:
        say("psutil is not installed: peak RSS is the largest single process (pip install -e '.[eval]')")
    pages, source = load_pages(args.devset)
    say(f"corpus: {source}")
    if not pages:
        say("no HTML pages found: nothing to benchmark")
        return 1
    results["corpus"] = {"source": source, "pages": len(pages)}
    with tempfile.TemporaryDirectory(prefix="news-bench-", dir=args.tmp) as tmp_name:
        tmp = Path(tmp_name)
        if "extract" not in args.skip:
            chosen = pages[: args.extract_pages] if args.extract_pages else pages
            say(f"\n[1/7] extraction alone on {len(chosen)} pages")
            results["extraction"] = extract.bench_extraction(chosen, args.profile)
            if args.profile:
                say(results["extraction"]["profile_top"])
        if "pipeline" not in args.skip:
            say(f"\n[2/7] full pipeline on {args.pages} inputs, 1 and {args.workers} workers")
            distinct = pages[:15] if args.quick else pages  # quick: copies of a few pages
            results["pipeline"] = pipeline.bench_pipeline(
                distinct, args.pages, args.workers, args.repeat, tmp, args.wait_idle
            )
        if "dedup" not in args.skip:
            say(f"\n[3/7] dedup index of {args.dedup_articles:,} archived articles")
            results["dedup_index"] = dedup.bench_dedup(args.dedup_articles, tmp)
        if "backfill" not in args.skip:
            say(f"\n[4/7] backfill of {args.backfill_articles:,} synthetic articles")
            results["backfill"] = backfill.bench_backfill(
                args.backfill_articles, args.compare_articles, args.backfill_workers, tmp, args.flat_buffer_mb
            )
        if "nesting" not in args.skip:
            say("\n[5/7] nesting: one page of 1k, 10k, 100k nested <div>")
            results["nesting"] = nesting.bench_nesting(repeat=1 if args.quick else 3)
        if "cluster" not in args.skip:
            say(f"\n[6/7] cluster: LocalCluster(2) and Pool(2) on {args.pages} inputs, simulated sweep")
            distinct = pages[:15] if args.quick else pages
            results["cluster"] = cluster.bench_cluster(distinct, args.pages, args.repeat, tmp)
        if "s3" not in args.skip:
            say(f"\n[7/7] s3: a WARC of {args.s3_records:,} records read from SeaweedFS and from disk")
            results["s3"] = s3read.bench_s3read(tmp, args.s3_records, repeat=1 if args.quick else 3)
    results["targets"] = targets(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    print_report(results)
    write_json(results, args.out)
    say(f"\n{results['seconds']} s in all; figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
