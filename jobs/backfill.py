"""The backfill job: archive local files."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from etl.archive.store import open_archive
from etl.pipeline import run_pipeline
from etl.read import count_inputs, read_inputs

log = logging.getLogger(__name__)


def main(args: argparse.Namespace) -> int:
    """Archive every input under ``args.paths``; print the run summary."""
    if args.cluster:
        from etl import cluster

        with cluster.connect(args.cluster) as client:
            extract = partial(cluster.results, client=client, budget=args.page_budget)
            return _run(args, cluster.references(args.paths, client), extract)
    return _run(args, read_inputs(args.paths))


def _run(args: argparse.Namespace, inputs: Iterable[Any], extract: Any = None) -> int:
    summary = run_pipeline(
        inputs,
        open_archive(args.data),
        job="backfill",
        workers=args.workers,
        progress=False if args.no_progress else None,
        lock_wait=args.wait,
        buffer_bytes=int(args.buffer_mb * 1024 * 1024),
        page_budget=args.page_budget,
        count=lambda: count_inputs(args.paths),
        extract=extract,
    )
    if args.summary_json:
        Path(args.summary_json).write_text(summary.to_json(), encoding="utf-8")
    for reason in summary.reject_reasons:
        print(f"rejected: {reason}")
    print(summary.line())
    if summary.read == 0:
        print(f"no input files found under: {' '.join(map(str, args.paths))}")
        return 1
    return 1 if summary.status == "failed" else 0
