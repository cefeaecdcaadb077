"""The scrape, crawl-backfill and reprocess jobs, as functions a scheduler can call.

A scrape of one source is one pipeline run whose input is a lazy crawl
(``etl.crawl.engine.Crawl``: resume, discover, fetch due articles). The archive lock is held
for the whole run (the pipeline takes it), so two scrapes never crawl the same state at
once; URLs are marked done only after the pipeline has flushed their articles, so a kill at
any moment loses nothing.

A crawl keeps its state (SQLite) and raw WARCs beside a local archive (``data/state.sqlite``,
``data/raw/``). Into an archive on S3 (``--data s3://…``) its state stays in a local file
named by ``--state`` (SQLite needs a local disk and a scrape is one process), its WARCs are
spooled beside that file and put under the archive's ``raw/`` (``etl.crawl.warc.RawWriter``).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from etl.archive.dedup import archived_urls
from etl.archive.objectstore import S3Files
from etl.archive.store import Archive, on_s3, open_archive
from etl.crawl.engine import Crawl, Source, to_document
from etl.crawl.fetch import Fetcher, Resolver
from etl.crawl.state import State
from etl.crawl.warc import LocalFiles, RawFiles, RawWriter, iter_records, walk_records
from etl.models import RawDocument, Reject
from etl.pipeline import DEFAULT_PAGE_BUDGET, RunSummary, new_run_id, run_pipeline
from jobs.sources import DEFAULT_CONFIG, load_sources

log = logging.getLogger(__name__)


STATE_NEEDED = "a crawl into an archive on S3 keeps its crawl state in a local file: name it with --state"


@dataclass(frozen=True, slots=True)
class Places:
    """Where a crawl keeps what it makes: the archive, its crawl state, its raw WARCs (the
    local raw root, or the spool of an archive on S3 with its raw root as ``remote``)."""

    archive: Archive
    state: Path
    raw: Path
    remote: RawFiles | None = None

    @classmethod
    def of(cls, data: str | os.PathLike[str], state: str | os.PathLike[str] | None = None) -> Places:
        if on_s3(data):
            if state is None:
                raise ValueError(STATE_NEEDED)
            local = Path(state)
            return cls(open_archive(data), local, local.with_name(f"{local.name}.raw"), raw_files(data))
        root = Path(data)
        return cls(Archive(root), Path(state) if state else root / "state.sqlite", root / "raw")


def raw_files(data: str | os.PathLike[str]) -> RawFiles:
    """The raw WARCs of an archive: ``data/raw/``, or ``s3://…/raw/``."""
    return S3Files(f"{str(data).rstrip('/')}/raw") if on_s3(data) else LocalFiles(Path(data) / "raw")


def run_scrape(
    config_path: str | os.PathLike[str] = DEFAULT_CONFIG,
    data_dir: str | os.PathLike[str] = "data",
    source: str | None = None,
    refresh: bool = False,
    since: date | None = None,
    *,
    state: str | os.PathLike[str] | None = None,
    job: str = "scrape",
    workers: int = 1,
    progress: bool | None = False,
    lock_wait: float = 0.0,
    resolver: Resolver | None = None,
    page_budget: float | None = DEFAULT_PAGE_BUDGET,
) -> list[RunSummary]:
    """Scrape the named source, or every enabled one; one RunSummary per source.

    ``since`` makes it a crawl backfill: list pages are walked back to that date. ``state``:
    the crawl state file (default ``data/state.sqlite``; needed for an archive on S3)."""
    config = load_sources(config_path)
    return [
        scrape_source(
            src,
            data_dir,
            refresh=refresh,
            since=since,
            state=state,
            job=job,
            workers=workers,
            progress=progress,
            lock_wait=lock_wait,
            resolver=resolver,
            page_budget=page_budget,
        )
        for src in config.select(source)
    ]


def scrape_source(
    source: Source,
    data_dir: str | os.PathLike[str] = "data",
    *,
    refresh: bool = False,
    since: date | None = None,
    state: str | os.PathLike[str] | None = None,
    job: str = "scrape",
    workers: int = 1,
    progress: bool | None = False,
    lock_wait: float = 0.0,
    resolver: Resolver | None = None,
    sleep: Callable[[float], None] = time.sleep,
    guard: Callable[[Iterator[RawDocument | Reject]], Iterator[RawDocument | Reject]] = iter,
    page_budget: float | None = DEFAULT_PAGE_BUDGET,
) -> RunSummary:
    """One source, one pipeline run. A scheduler passes ``sleep`` (the fetcher's polite
    waits) and ``guard`` (wraps the inputs) to end the crawl early on a stop signal."""
    places = Places.of(data_dir, state)
    run = new_run_id()
    with (
        State(places.state) as crawl_state,
        RawWriter(places.raw, f"{run}-{source.name}", source.fetch.user_agent, places.remote) as raw,
        Fetcher(source.fetch, resolver=resolver, sleep=sleep) as fetcher,
    ):
        archived = partial(archived_urls, places.archive)  # read once the pipeline holds the lock
        crawl = Crawl(source, archived, crawl_state, raw, fetcher, run=run, refresh=refresh, since=since)
        summary = run_pipeline(
            guard(crawl.inputs()),
            places.archive,
            job=job,
            source=source.name,
            workers=workers,
            progress=progress,
            lock_wait=lock_wait,
            on_result=lambda result, _: crawl.processed(result.origin),
            page_budget=page_budget,
            judge=lambda summary: crawl.status(summary.rejected),
        )
        crawl.finish()
    log.info(crawl.stats.line(source.name))
    return summary


def run_reprocess(
    data_dir: str | os.PathLike[str] = "data",
    since: date | None = None,
    *,
    selectors: Mapping[str, Mapping[str, str]] | None = None,
    workers: int = 1,
    progress: bool | None = False,
    lock_wait: float = 0.0,
    page_budget: float | None = DEFAULT_PAGE_BUDGET,
) -> RunSummary:
    """Re-extract every archived article response (fetched on or after ``since``) from
    ``data/raw/`` (or ``s3://…/raw/``), without the network, through dedup: unchanged text appends nothing,
    changed text becomes a new version. ``selectors`` maps a source name to its CSS
    overrides (sources.toml ``extract``), applied to the pages that source fetched, as in
    the scrape that fetched them."""
    raw = raw_files(data_dir)
    overrides = selectors or {}

    def documents() -> Iterator[RawDocument]:
        for record in iter_records(raw, since, "article"):
            document = to_document(record.response)[0]
            chosen = overrides.get(record.source or "")
            yield dataclasses.replace(document, selectors=dict(chosen)) if chosen else document

    return run_pipeline(
        documents(),
        open_archive(data_dir),
        job="reprocess",
        workers=workers,
        progress=progress,
        lock_wait=lock_wait,
        page_budget=page_budget,
        count=lambda: walk_records(raw, since, "article"),
    )
