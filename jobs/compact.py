"""The compact job: merge each partition's small part files into one, under the archive lock.

Every run adds files: articles to each partition it wrote, and one each to ``runs/``,
``rejects/`` and ``duplicates/``. Reading thousands of small files is many times slower
than reading the same rows from a few, so the scheduler compacts nightly (``jobs/schedule.toml``).
"""

from __future__ import annotations

import argparse
from functools import partial

from etl.archive.store import open_archive
from etl.progress import echo, progress_bar

OTHER_TABLES = ("runs", "rejects", "duplicates")


def main(args: argparse.Namespace) -> int:
    """Compact every articles partition, then the other tables; print what was merged."""
    archive = open_archive(args.data)
    with archive.locked(wait_seconds=args.wait):
        steps = [(p, partial(archive.compact, p)) for p in archive.partitions()]
        steps += [(archive.path(t), partial(archive.compact_table, t)) for t in OTHER_TABLES]
        bar = progress_bar(False if args.no_progress else None, "compacting", "partition", len(steps))
        try:
            for directory, compact in steps:
                files, rows = compact()
                if rows:
                    echo(f"{directory}: {files} files -> 1 ({rows} rows)")
                if bar is not None:
                    bar.update()
        finally:
            if bar is not None:
                bar.close()
    return 0
