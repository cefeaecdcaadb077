"""The scrape, crawl-backfill and reprocess jobs, as functions a scheduler can call.

A scrape of one source is one pipeline run whose input is a lazy crawl
(``etl.crawl.engine.Crawl``: resume, discover, fetch due articles). The archive lock is held
for the whole run (the pipeline takes it), so two scrapes never crawl the same state at
once; URLs are marked done only after the pipeline has flushed their articles, so a kill at
any moment loses nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import partial
from pathlib import Path

from etl.archive.dedup import archived_urls
from etl.archive.store import Archive
from etl.crawl.engine import Crawl, Source, to_document
from etl.crawl.fetch import Fetcher, Resolver
from etl.crawl.state import State
from etl.crawl.warc import RawWriter, iter_records, walk_records
from etl.models import RawDocument, Reject
from etl.pipeline import DEFAULT_PAGE_BUDGET, RunSummary, new_run_id, run_pipeline
from jobs.sources import DEFAULT_CONFIG, load_sources

log = logging.getLogger(__name__)


def run_scrape(
    config_path: str | os.PathLike[str] = DEFAULT_CONFIG,
    data_dir: str | os.PathLike[str] = "data",
    source: str | None = None,
    refresh: bool = False,
    since: date | None = None,
    *,
    job: str = "scrape",
    workers: int = 1,
    progress: bool | None = False,
    lock_wait: float = 0.0,
    resolver: Resolver | None = None,
    page_budget: float | None = DEFAULT_PAGE_BUDGET,
) -> list[RunSummary]:
    """Scrape the named source, or every enabled one; one RunSummary per source.

    ``since`` makes it a crawl backfill: list pages are walked back to that date."""
    config = load_sources(config_path)
    return [
        scrape_source(
            src,
            data_dir,
            refresh=refresh,
            since=since,
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
    data = Path(data_dir)
    archive = Archive(data)
    run = new_run_id()
    with (
        State(data / "state.sqlite") as state,
        RawWriter(data / "raw", f"{run}-{source.name}", source.fetch.user_agent) as raw,
        Fetcher(source.fetch, resolver=resolver, sleep=sleep) as fetcher,
    ):
        archived = partial(archived_urls, archive)  # read once the pipeline holds the lock
        crawl = Crawl(source, archived, state, raw, fetcher, run=run, refresh=refresh, since=since)
        summary = run_pipeline(
            guard(crawl.inputs()),
            archive,
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
    ``data/raw/``, without the network, through dedup: unchanged text appends nothing,
    changed text becomes a new version. ``selectors`` maps a source name to its CSS
    overrides (sources.toml ``extract``), applied to the pages that source fetched, as in
    the scrape that fetched them."""
    data = Path(data_dir)
    overrides = selectors or {}

    def documents() -> Iterator[RawDocument]:
        for record in iter_records(data / "raw", since, "article"):
            document = to_document(record.response)[0]
            chosen = overrides.get(record.source or "")
            yield dataclasses.replace(document, selectors=dict(chosen)) if chosen else document

    return run_pipeline(
        documents(),
        Archive(data),
        job="reprocess",
        workers=workers,
        progress=progress,
        lock_wait=lock_wait,
        page_budget=page_budget,
        count=lambda: walk_records(data / "raw", since, "article"),
    )
