"""Command line: ``python -m jobs backfill|scrape|reprocess|extract|compact|schedule|status``.

Exit status: 0 done (even with some rejected inputs), 1 nothing could be processed or
the archive could not be written, 2 bad usage, 75 (EX_TEMPFAIL) another job holds the
archive lock: try again later.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from etl.models import RejectedInput
from etl.pipeline import RunSummary
from etl.store import ArchiveBusy
from jobs import backfill
from jobs.sources import ConfigError

EX_TEMPFAIL = 75
log = logging.getLogger("jobs")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m jobs", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "backfill", help="archive local files (text dumps, HTML pages), or crawl a source back to --since"
    )
    p.add_argument(
        "paths",
        nargs="*",
        help="files or directories (default: seeds); inside a directory, symlinked files are read only "
        "when they lead to a file within it (others are rejected) and symlinked directories are skipped",
    )
    p.add_argument(
        "--source", default=None, help="crawl this source of sources.toml instead of reading files"
    )
    p.add_argument(
        "--since", type=_date, default=None, help="with --source: walk back to this date (YYYY-MM-DD)"
    )
    p.add_argument("--config", default=None, help="sources file (default: jobs/sources.toml)")
    p.add_argument("--data", default="data", help="archive directory (default: data)")
    p.add_argument("--workers", type=int, default=1, help="extraction processes (default: 1)")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the archive lock")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.add_argument("--buffer-mb", type=float, default=128, help="write article files every N MB")

    p = sub.add_parser("scrape", help="fetch new articles of the sources in sources.toml")
    p.add_argument("--source", default=None, help="only this source (default: every enabled one)")
    p.add_argument("--refresh", action="store_true", help="fetch archived articles again (conditional GET)")
    p.add_argument(
        "--since", type=_date, default=None, help="crawl list pages back to this date (YYYY-MM-DD)"
    )
    p.add_argument("--config", default=None, help="sources file (default: jobs/sources.toml)")
    p.add_argument("--data", default="data", help="archive directory (default: data)")
    p.add_argument("--workers", type=int, default=1, help="extraction processes (default: 1)")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the archive lock")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    p = sub.add_parser("reprocess", help="re-extract archived pages from data/raw/ without the network")
    p.add_argument(
        "--config", default=None, help="sources file with extract selectors (default: jobs/sources.toml)"
    )
    p.add_argument("--since", type=_date, default=None, help="only pages fetched on or after this date")
    p.add_argument("--data", default="data", help="archive directory (default: data)")
    p.add_argument("--workers", type=int, default=1, help="extraction processes (default: 1)")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the archive lock")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    p = sub.add_parser("extract", help="print the article extracted from one file as JSON")
    p.add_argument("file")
    p.add_argument("--url", default=None)

    p = sub.add_parser("compact", help="merge each partition's small files into one")
    p.add_argument("--data", default="data")
    p.add_argument("--wait", type=float, default=0.0)

    p = sub.add_parser("schedule", help="scrape each source on its schedule until SIGTERM/Ctrl-C")
    p.add_argument("--source", action="append", default=None, help="only this source (repeatable)")
    p.add_argument("--config", default=None, help="sources file (default: jobs/sources.toml)")
    p.add_argument("--schedule", default=None, help="schedule file (default: jobs/schedule.toml)")
    p.add_argument("--data", default="data", help="archive directory (default: data)")
    p.add_argument("--log-file", default=None, help="also log to this file, rotated daily, 14 days kept")
    p.add_argument("--every", type=float, default=None, help=argparse.SUPPRESS)  # tests: N s, not cron

    p = sub.add_parser("status", help="per source: last run, errors, back-off, articles, next run")
    p.add_argument("--config", default=None, help="sources file (default: jobs/sources.toml)")
    p.add_argument("--schedule", default=None, help="schedule file (default: jobs/schedule.toml)")
    p.add_argument("--data", default="data", help="archive directory (default: data)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--plot", default=None, metavar="FILE.png", help="draw articles per day (90 days)")
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
        if args.command == "backfill" and (args.source or args.since):
            return _crawl(args, job="backfill")
        if args.command == "backfill":
            args.paths = args.paths or ["seeds"]
            return backfill.main(args)
        if args.command == "scrape":
            return _crawl(args, job="scrape")
        if args.command == "reprocess":
            return _reprocess(args)
        if args.command == "extract":
            return _extract(args)
        if args.command == "compact":
            return backfill.compact(args)
        if args.command == "schedule":
            from jobs import schedule

            return schedule.main(args)
        if args.command == "status":
            from jobs import status

            return status.main(args)
    except ArchiveBusy as exc:
        print(f"archive busy: {exc}; try again later", file=sys.stderr)
        return EX_TEMPFAIL
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _crawl(args: argparse.Namespace, job: str) -> int:
    """scrape, or backfill --source NAME --since DATE (a crawl back in time)."""
    from jobs.scrape import run_scrape
    from jobs.sources import DEFAULT_CONFIG

    if job == "backfill" and (args.paths or not args.source or not args.since):
        print("error: a crawl backfill takes --source NAME --since DATE and no paths", file=sys.stderr)
        return 2
    config = args.config or DEFAULT_CONFIG
    summaries = run_scrape(
        config,
        args.data,
        source=args.source,
        refresh=getattr(args, "refresh", False),
        since=args.since,
        job=job,
        workers=args.workers,
        progress=False if args.no_progress else None,
        lock_wait=args.wait,
    )
    if not summaries:
        print(f"no enabled sources in {config}: enable one, or name one with --source", file=sys.stderr)
        return 1
    for summary in summaries:
        _print_summary(summary)
    return 1 if all(s.status == "failed" for s in summaries) else 0


def _reprocess(args: argparse.Namespace) -> int:
    from jobs.scrape import run_reprocess

    summary = run_reprocess(
        args.data,
        args.since,
        selectors=_source_selectors(args.config),
        workers=args.workers,
        progress=False if args.no_progress else None,
        lock_wait=args.wait,
    )
    _print_summary(summary)
    if summary.read == 0:
        print(f"nothing to reprocess under {Path(args.data) / 'raw'}")
        return 1
    return 1 if summary.status == "failed" else 0


def _source_selectors(config: str | None) -> dict[str, dict[str, str]]:
    """Each source's extract selectors; none when the default sources file is absent."""
    from jobs.sources import DEFAULT_CONFIG, load_sources

    if config is None and not DEFAULT_CONFIG.exists():
        return {}
    sources = load_sources(config or DEFAULT_CONFIG).sources
    return {name: dict(source.extract) for name, source in sources.items() if source.extract}


def _print_summary(summary: RunSummary) -> None:
    for reason in summary.reject_reasons:
        print(f"rejected: {reason}")
    print((f"{summary.source}: " if summary.source else "") + summary.line())
