"""Command line: ``python -m jobs backfill|extract|compact|status``.

Exit status: 0 done (even with some rejected inputs), 1 nothing could be processed or
the archive could not be written, 2 bad usage, 75 (EX_TEMPFAIL) another job holds the
archive lock: try again later.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from etl.models import RejectedInput
from etl.store import ArchiveBusy
from jobs import backfill

EX_TEMPFAIL = 75
log = logging.getLogger("jobs")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m jobs", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("backfill", help="archive local files (text dumps, HTML pages)")
    p.add_argument("paths", nargs="*", default=["seeds"], help="files or directories (default: seeds)")
    p.add_argument("--data", default="data", help="archive directory (default: data)")
    p.add_argument("--workers", type=int, default=1, help="extraction processes (default: 1)")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the archive lock")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.add_argument("--buffer-mb", type=float, default=128, help="write article files every N MB")

    p = sub.add_parser("extract", help="print the article extracted from one file as JSON")
    p.add_argument("file")
    p.add_argument("--url", default=None)

    p = sub.add_parser("compact", help="merge each partition's small files into one")
    p.add_argument("--data", default="data")
    p.add_argument("--wait", type=float, default=0.0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("etl.extract").setLevel(logging.ERROR)
    try:
        if args.command == "backfill":
            return backfill.main(args)
        if args.command == "extract":
            return _extract(args)
        if args.command == "compact":
            return backfill.compact(args)
    except ArchiveBusy as exc:
        print(f"archive busy: {exc}; try again later", file=sys.stderr)
        return EX_TEMPFAIL
    except Exception as exc:
        if args.verbose:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2


def _extract(args: argparse.Namespace) -> int:
    from etl.extract import extract_article
    from etl.read import read_file

    try:
        doc = read_file(Path(args.file))
        article = extract_article(doc.data, args.url or doc.url, kind=doc.kind)
    except (OSError, ValueError, RejectedInput) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    print(article.to_json())
    return 0
