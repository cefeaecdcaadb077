"""Crawl state in SQLite (``data/state.sqlite``): the frontier, validators and failures per URL.

Durable per URL, so a run killed at any point (SIGKILL included) resumes where it stopped:

    pending  --fetch 200-->  fetched  --archived (Parquet flushed)-->  done
       |                        (raw WARC ref kept: a killed run's pages are re-read, not re-fetched)
       +--304 / already archived------------------------------------>  done
       +--error--> failed (next_try = now + backoff) --N tries--> gave_up

Discovery pages (feeds, sitemaps, list pages) keep their validators and raw reference
here too, so a 304 can be answered from the raw archive. Times are ISO 8601 UTC strings.
WAL journal: a reader never blocks the crawler, and a killed process loses nothing committed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from etl.crawl.fetch import Validators
from etl.crawl.warc import RawRef

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,            -- canonical URL: the frontier key
    source TEXT NOT NULL,
    kind TEXT NOT NULL,              -- article | feed | sitemap | list
    status TEXT NOT NULL,            -- pending | fetched | done | failed | gave_up
    lastmod TEXT,                    -- as the feed or sitemap last said
    etag TEXT,
    last_modified TEXT,
    raw_path TEXT,
    raw_offset INTEGER,
    fetched_at TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    error TEXT,
    last_run TEXT                    -- the run that last tried it (a run tries a URL once)
);
CREATE INDEX IF NOT EXISTS pages_frontier ON pages (source, status);
"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    """One fixed-width format, so SQLite compares these strings in time order."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00") if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    source: str
    kind: str
    status: str
    lastmod: datetime | None
    validators: Validators
    ref: RawRef | None
    fetched_at: datetime | None
    tries: int
    next_try: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Across runs: wait ``retry_later`` seconds after a failure, doubling per try; give up
    after ``max_tries``."""

    max_tries: int = 5
    retry_later: float = 3600.0
    max_retry_later: float = 7 * 86400.0


class State:
    """One SQLite file. Safe to use from the thread that feeds the pipeline and the main thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # reading -------------------------------------------------------------------------

    def get(self, url: str) -> Page | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        return _page(row) if row else None

    def due(self, source: str, run: str, limit: int = 100, now: datetime | None = None) -> list[str]:
        """Article URLs to fetch now, in discovery order; each at most once per run."""
        now_s = _iso(now or utcnow())
        with self._lock:
            rows = self._db.execute(
                "SELECT url FROM pages WHERE source = ? AND kind = 'article'"
                " AND status IN ('pending', 'failed') AND (next_try IS NULL OR next_try <= ?)"
                " AND (last_run IS NULL OR last_run != ?)"
                " ORDER BY rowid LIMIT ?",
                (source, now_s, run, limit),
            ).fetchall()
        return [r[0] for r in rows]

    def fetched_not_archived(self, source: str) -> list[Page]:
        """Pages a killed run fetched (raw stored) but did not get into the archive."""
        with self._lock:
            urls = [
                r[0]
                for r in self._db.execute(
                    "SELECT url FROM pages WHERE source = ? AND status = 'fetched' ORDER BY rowid", (source,)
                )
            ]
        return [p for p in map(self.get, urls) if p is not None]

    def counts(self, source: str | None = None) -> dict[str, int]:
        query = "SELECT status, count(*) FROM pages WHERE kind = 'article'"
        args: tuple[str, ...] = ()
        if source:
            query += " AND source = ?"
            args = (source,)
        with self._lock:
            return dict(self._db.execute(query + " GROUP BY status", args).fetchall())

    # the frontier --------------------------------------------------------------------

    def enqueue(
        self,
        url: str,
        source: str,
        *,
        lastmod: datetime | None = None,
        archived: bool = False,
        refresh: bool = False,
    ) -> bool:
        """Add an article URL to the frontier; True when it is due for fetching.

        A known URL becomes due again when the feed or sitemap reports a newer lastmod
        (even one given up on) or ``refresh`` is asked; one already in the archive is
        recorded as done."""
        lastmod_s = _iso(lastmod)
        with self._tx() as db:
            row = db.execute("SELECT status, lastmod, fetched_at FROM pages WHERE url = ?", (url,)).fetchone()
            if row is None:
                status = "done" if archived and not refresh else "pending"
                db.execute(
                    "INSERT INTO pages (url, source, kind, status, lastmod) VALUES (?, ?, 'article', ?, ?)",
                    (url, source, status, lastmod_s),
                )
                return status == "pending"
            status, known, fetched_at = row
            baseline = known or fetched_at
            changed = lastmod_s is not None and baseline is not None and lastmod_s > baseline
            if (status == "done" and (refresh or changed)) or (status == "gave_up" and changed):
                db.execute(
                    "UPDATE pages SET status = 'pending', tries = 0, next_try = NULL, error = NULL,"
                    " lastmod = COALESCE(?, lastmod) WHERE url = ?",
                    (lastmod_s, url),
                )
                return True
            if lastmod_s is not None and (changed or known is None):
                db.execute("UPDATE pages SET lastmod = ? WHERE url = ?", (lastmod_s, url))
            return status in ("pending", "failed")

    def revisit(self, source: str) -> int:
        """Make every archived article of a source due again (``--refresh``); returns how many."""
        with self._tx() as db:
            return db.execute(
                "UPDATE pages SET status = 'pending'"
                " WHERE source = ? AND kind = 'article' AND status = 'done'",
                (source,),
            ).rowcount

    def fetched(self, url: str, ref: RawRef, validators: Validators, fetched_at: datetime) -> None:
        """A 200 stored in the raw archive; not yet in the Parquet archive."""
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET status = 'fetched', raw_path = ?, raw_offset = ?, etag = ?,"
                " last_modified = ?, fetched_at = ?, error = NULL WHERE url = ?",
                (ref.path, ref.offset, validators.etag, validators.last_modified, _iso(fetched_at), url),
            )

    def done(self, urls: Iterable[str]) -> None:
        """Archived (or nothing to archive): not fetched again unless it changes."""
        with self._tx() as db:
            db.executemany(
                "UPDATE pages SET status = 'done', tries = 0, next_try = NULL, error = NULL WHERE url = ?",
                ((u,) for u in urls),
            )

    def requeue(self, url: str) -> None:
        """Fetch again (the raw copy of a fetched page is unreadable)."""
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET status = 'pending', raw_path = NULL, raw_offset = NULL WHERE url = ?",
                (url,),
            )

    def tried(self, url: str, run: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE pages SET last_run = ? WHERE url = ?", (run, url))

    def failed(
        self,
        url: str,
        reason: str,
        policy: RetryPolicy,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        now: datetime | None = None,
    ) -> Page:
        """Count a failed try: retry later with backoff, or give up after max_tries."""
        now = now or utcnow()
        with self._tx() as db:
            (tries,) = db.execute("SELECT tries FROM pages WHERE url = ?", (url,)).fetchone()
            tries += 1
            if permanent or tries >= policy.max_tries:
                status, next_try = "gave_up", None
            else:
                wait = min(policy.retry_later * 2 ** (tries - 1), policy.max_retry_later)
                status, next_try = "failed", now + timedelta(seconds=max(wait, retry_after or 0.0))
            db.execute(
                "UPDATE pages SET status = ?, tries = ?, next_try = ?, error = ? WHERE url = ?",
                (status, tries, _iso(next_try), reason, url),
            )
        page = self.get(url)
        assert page is not None
        return page

    # discovery pages -----------------------------------------------------------------

    def remember(
        self,
        url: str,
        source: str,
        kind: str,
        validators: Validators,
        ref: RawRef,
        fetched_at: datetime,
        error: str | None = None,
    ) -> None:
        """Validators and raw reference of a feed, sitemap or list page (answers a later 304),
        and why it yielded nothing, if it did not."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO pages (url, source, kind, status, etag, last_modified, raw_path, raw_offset,"
                " fetched_at, error) VALUES (?, ?, ?, 'done', ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE"
                " SET etag = excluded.etag, last_modified = excluded.last_modified,"
                " raw_path = excluded.raw_path, raw_offset = excluded.raw_offset,"
                " fetched_at = excluded.fetched_at, error = excluded.error",
                (
                    url,
                    source,
                    kind,
                    validators.etag,
                    validators.last_modified,
                    ref.path,
                    ref.offset,
                    _iso(fetched_at),
                    error,
                ),
            )

    def forget_validators(self, url: str) -> None:
        """The raw copy a 304 would refer to is gone: fetch in full next time."""
        with self._tx() as db:
            db.execute("UPDATE pages SET etag = NULL, last_modified = NULL WHERE url = ?", (url,))


def _page(row: sqlite3.Row) -> Page:
    return Page(
        url=row["url"],
        source=row["source"],
        kind=row["kind"],
        status=row["status"],
        lastmod=_parse(row["lastmod"]),
        validators=Validators(row["etag"], row["last_modified"]),
        ref=RawRef(row["raw_path"], row["raw_offset"]) if row["raw_path"] is not None else None,
        fetched_at=_parse(row["fetched_at"]),
        tries=row["tries"],
        next_try=_parse(row["next_try"]),
        error=row["error"],
    )
