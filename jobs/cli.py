"""Command line: ``news-archive COMMAND`` (or ``python -m jobs COMMAND``).

Exit status: 0 done (even with some rejected inputs), 1 nothing could be processed or
the archive could not be written, 2 bad usage or a bad sources.toml, 75 (EX_TEMPFAIL)
another job holds the archive lock: try again later.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from etl.archive.store import ArchiveBusy, on_s3
from etl.models import RejectedInput
from etl.pipeline import DEFAULT_PAGE_BUDGET, RunSummary
from jobs import backfill, compact
from jobs.sources import ConfigError

EX_TEMPFAIL = 75
log = logging.getLogger("jobs")

# One line per command: the command list of ``--help`` and the description of its own ``--help``.
COMMANDS = {
    "backfill": "Archive local files (text dumps, HTML pages), or crawl a source back to --since.",
    "scrape": "Fetch the new articles of the sources in sources.toml and archive them.",
    "reprocess": "Re-extract the pages archived in data/raw/, without the network.",
    "extract": "Print the article extracted from one file as JSON (nothing is archived).",
    "compact": "Merge each partition's small files, and those of runs/, rejects/ and duplicates/, into one.",
    "schedule": "Scrape each source on its schedule (jobs/schedule.toml) until SIGTERM or Ctrl-C.",
    "status": "Per source: last run, errors, back-off, articles in total and in 24 h, next run.",
}
LOG_DEFAULTS = {"verbose": False, "quiet": False, "log_level": None, "log_file": None}


def _parser() -> argparse.ArgumentParser:
    logs = _logging_options()
    parser = argparse.ArgumentParser(
        prog="news-archive",
        description="Keep every article of the news sites you follow in a Parquet archive.",
        epilog=__doc__.split("\n\n", 1)[1],
        parents=[logs],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, *parents: argparse.ArgumentParser) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=COMMANDS[name], description=COMMANDS[name], parents=[*parents, logs])

    data = _options(
        (
            "--data",
            {
                "default": "data",
                "metavar": "DIR",
                "help": "archive: a directory or s3://bucket/prefix (default: data)",
            },
        )
    )
    crawl_state = _options(
        (
            "--state",
            {
                "default": None,
                "metavar": "FILE",
                "help": "crawl state file (default: DIR/state.sqlite; needed with --data s3://…)",
            },
        )
    )
    config = _options(
        (
            "--config",
            {"default": None, "metavar": "FILE", "help": "sources file (default: jobs/sources.toml)"},
        )
    )
    schedule = _options(
        (
            "--schedule",
            {"default": None, "metavar": "FILE", "help": "schedule file (default: jobs/schedule.toml)"},
        )
    )
    writing = _options(
        ("--wait", {"type": float, "default": 0.0, "metavar": "SECONDS", "help": WAIT_HELP}),
        ("--no-progress", {"action": "store_true", "help": "never show a progress bar"}),
    )
    run = _options(
        (
            "--workers",
            {"type": int, "default": 1, "metavar": "N", "help": "extraction processes (default: 1)"},
        ),
        (
            "--page-budget",
            {"type": float, "default": DEFAULT_PAGE_BUDGET, "metavar": "SECONDS", "help": PAGE_BUDGET_HELP},
        ),
    )

    p = command("backfill", data, crawl_state, config, run, writing)
    p.add_argument(
        "paths",
        nargs="*",
        help="files or directories (default: seeds); inside a directory, symlinked files are read only "
        "when they lead to a file within it (others are rejected) and symlinked directories are skipped",
    )
    p.add_argument(
        "--source",
        default=None,
        metavar="NAME",
        help="crawl this source of sources.toml instead of reading files",
    )
    p.add_argument(
        "--since",
        type=_date,
        default=None,
        metavar="DATE",
        help="with --source: walk back to this date (YYYY-MM-DD)",
    )
    p.add_argument(
        "--buffer-mb",
        type=float,
        default=128,
        metavar="MB",
        help="write article files every N MB (default: 128)",
    )
    p.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="extract on a Dask cluster: local:N (N local workers) or tcp://HOST:8786 "
        "(needs the `cluster` extra; input paths must be readable by the workers)",
    )
    p.add_argument(
        "--summary-json", default=None, metavar="FILE", help="also write the run's counts and figures as JSON"
    )

    p = command("scrape", data, crawl_state, config, run, writing)
    p.add_argument(
        "--source", default=None, metavar="NAME", help="only this source (default: every enabled one)"
    )
    p.add_argument("--refresh", action="store_true", help="fetch archived articles again (conditional GET)")
    p.add_argument(
        "--since",
        type=_date,
        default=None,
        metavar="DATE",
        help="crawl list pages back to this date (YYYY-MM-DD)",
    )

    p = command("reprocess", data, config, run, writing)
    p.add_argument(
        "--since", type=_date, default=None, metavar="DATE", help="only pages fetched on or after this date"
    )

    p = command("extract")
    p.add_argument("file", help="a page (.html, .htm, .html.gz) or a text dump (.txt)")
    p.add_argument("--url", default=None, help="the page's URL (default: its sidecar .url file, if any)")

    command("compact", data, writing)

    p = command("schedule", data, crawl_state, config, schedule)
    p.add_argument(
        "--source", action="append", default=None, metavar="NAME", help="only this source (repeatable)"
    )
    p.add_argument("--every", type=float, default=None, help=argparse.SUPPRESS)  # tests: N s, not cron

    p = command("status", data, crawl_state, config, schedule)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--html", default=None, metavar="FILE.html", help="write a self-contained HTML status page"
    )
    p.add_argument(
        "--plot",
        default=None,
        metavar="FILE.png",
        help="draw articles per day, by source and language, over the days the archive covers",
    )
    return parser


PAGE_BUDGET_HELP = (
    f"CPU seconds a page may take, else it is rejected (default: {DEFAULT_PAGE_BUDGET:g}; 0: none)"
)
WAIT_HELP = "seconds to wait for the archive lock held by another job (default: 0, exit 75 at once)"


def _logging_options() -> argparse.ArgumentParser:
    """Accepted before and after the command. Absent options set nothing (SUPPRESS), so a
    command's parser never overwrites what was given before the command; ``main`` starts
    from LOG_DEFAULTS."""
    logs = argparse.ArgumentParser(add_help=False)
    group = logs.add_argument_group("logging")
    group.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging and tracebacks"
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="warnings and errors only"
    )
    group.add_argument(
        "--log-level",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        default=argparse.SUPPRESS,
        metavar="LEVEL",
        help="DEBUG, INFO, WARNING or ERROR (default: INFO; overrides -v and -q)",
    )
    group.add_argument(
        "--log-file",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="also log to this file (rotated at midnight UTC, 14 days kept)",
    )
    return logs


def _options(*options: tuple[str, dict[str, Any]]) -> argparse.ArgumentParser:
    """A parent parser: options that several commands share, defined once."""
    parent = argparse.ArgumentParser(add_help=False)
    for flag, settings in options:
        parent.add_argument(flag, **settings)
    return parent


def _version() -> str:
    try:
        return metadata.version("news-archive")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class UTCFormatter(logging.Formatter):
    """``2026-11-30T12:45:01.123Z``: the same clock in every log, whatever the machine's zone."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_installed: list[logging.Handler] = []


def configure_logging(level: int, log_file: str | None = None) -> None:
    """Logs to stderr (and to ``log_file``), in UTC. Called again, it replaces what it installed."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        path = Path(log_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.TimedRotatingFileHandler(path, when="midnight", backupCount=14, utc=True)
        )
    for handler in handlers:
        handler.setFormatter(UTCFormatter(LOG_FORMAT))
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(level)
    # One line per rejected page is enough: the extractor's own warnings only with -v.
    logging.getLogger("etl.extract.extract").setLevel(
        logging.ERROR if level > logging.DEBUG else logging.NOTSET
    )


def _level(args: argparse.Namespace) -> int:
    if args.log_level:
        return logging.getLevelName(args.log_level)
    return logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv, namespace=argparse.Namespace(**LOG_DEFAULTS))
    configure_logging(_level(args), args.log_file)
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
            return compact.main(args)
        if args.command == "schedule":
            from jobs import schedule

            if not _crawl_places(args):
                return 2
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
    from etl.extract.extract import extract_article
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


def _crawl_places(args: argparse.Namespace) -> bool:
    """A crawl (or a scheduler of crawls) into an archive on S3 needs a local file for its
    crawl state (``--state``), else it would go to a local "s3:" directory."""
    from jobs.scrape import STATE_NEEDED

    if on_s3(args.data) and not args.state:
        print(f"error: {STATE_NEEDED}", file=sys.stderr)
        return False
    return True


def _crawl(args: argparse.Namespace, job: str) -> int:
    """scrape, or backfill --source NAME --since DATE (a crawl back in time)."""
    from jobs.scrape import run_scrape
    from jobs.sources import DEFAULT_CONFIG

    if not _crawl_places(args):
        return 2
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
        state=args.state,
        job=job,
        workers=args.workers,
        progress=False if args.no_progress else None,
        lock_wait=args.wait,
        page_budget=args.page_budget,
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
        page_budget=args.page_budget,
    )
    _print_summary(summary)
    if summary.read == 0:
        print(f"nothing to reprocess under {str(args.data).rstrip('/')}/raw")
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
