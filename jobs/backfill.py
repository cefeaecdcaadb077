"""The backfill job: archive local files."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from etl.pipeline import run_pipeline
from etl.read import iter_files, read_inputs
from etl.store import Archive

log = logging.getLogger(__name__)


def main(args: argparse.Namespace) -> int:
    """Archive every input under ``args.paths``; print the run summary."""
    archive = Archive(args.data)
    summary = run_pipeline(
        read_inputs(args.paths),
        archive,
        job="backfill",
        workers=args.workers,
        progress=False if args.no_progress else None,
        lock_wait=args.wait,
        buffer_bytes=int(args.buffer_mb * 1024 * 1024),
        page_budget=args.page_budget,
        count=lambda: iter_files(args.paths),
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
