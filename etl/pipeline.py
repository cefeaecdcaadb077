"""Stage wiring: inputs -> (workers: decode, clean, extract, fingerprint) -> (one writer:
dedup, store), with counters.

Workers do the CPU work on one document at a time and return plain rows; the single
writer process holds the archive lock, owns the dedup index and writes Parquet. Results
are consumed in input order, so a run is deterministic whatever the worker count.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import re
import resource
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from etl import language
from etl.dedup import Decision, DedupIndex
from etl.extract import extract_article, published_day
from etl.fingerprint import Fingerprint, article_id, fingerprint, hash64
from etl.models import Article, RawDocument, Reject, RejectedInput
from etl.normalize import canonical_url
from etl.schema import to_utc
from etl.store import BUFFER_BYTES, Archive

log = logging.getLogger(__name__)
MIN_WORDS = 5  # fewer words than this is not an article (an empty or navigation-only page)
MIN_WORDS_TRUNCATED = 50  # a page cut off before </html> is kept only if it still holds an article
# Pages read but not yet stored, per worker process: enough to keep the workers busy while the
# writer flushes Parquet or merges index segments, and a bound on what waits in the writer.
IN_FLIGHT_PER_WORKER = 32
CHUNK_SIZE = 4  # pages per pool task
_END_TAG = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)


@dataclass(slots=True)
class Extracted:
    """A worker's result: the row to store (minus id/version/run) and its fingerprint."""

    row: dict[str, Any]
    fp: Fingerprint
    title: str | None


@dataclass(slots=True)
class RunSummary:
    run_id: str
    job: str
    source: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    read: int = 0
    new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    revisions: int = 0
    rejected: int = 0
    status: str = "running"
    error: str | None = None
    reject_reasons: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        end = self.finished_at or datetime.now(UTC)
        return (end - self.started_at).total_seconds()

    def row(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "job": self.job,
            "source": self.source,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": self.seconds,
            "status": self.status,
            "read": self.read,
            "new": self.new,
            "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates,
            "revisions": self.revisions,
            "rejected": self.rejected,
            "error": self.error,
        }

    def line(self) -> str:
        return (
            f"run {self.run_id} {self.status}: read {self.read}, new {self.new}, "
            f"duplicates {self.duplicates}, near-duplicates {self.near_duplicates}, "
            f"revisions {self.revisions}, rejected {self.rejected}, {self.seconds:.1f} s"
        )


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def translation_group(article: Article) -> str | None:
    """The same id for every language version that lists the others (hreflang)."""
    urls = {canonical_url(u) for u in article.translations.values()} - {None}
    if not urls:
        return None
    if article.canonical_url:
        urls.add(article.canonical_url)
    return format(hash64(min(urls)) & 0xFFFFFFFFFFFFFFFF, "016x")  # type: ignore[type-var]


def process(doc: RawDocument | Reject) -> Extracted | Reject:
    """Worker stage: decode, clean, extract, fingerprint. Never raises."""
    if isinstance(doc, Reject):
        return doc
    try:
        article = extract_article(
            doc.data, doc.url, kind=doc.kind, charset=doc.charset, now=doc.fetched_at, selectors=doc.selectors
        )
    except RejectedInput as exc:
        return Reject(doc.origin, exc.reason, url=doc.url, stage=exc.stage)
    except Exception as exc:  # a bug on one page must not stop the batch
        log.debug("extraction crashed on %s", doc.origin, exc_info=True)
        return Reject(doc.origin, f"extraction failed: {type(exc).__name__}: {exc}", url=doc.url)
    if doc.translations:
        article.translations = {**doc.translations, **article.translations}
    fp = fingerprint(article.text, article.canonical_url)
    if fp.word_count < MIN_WORDS:
        return Reject(doc.origin, "no article text found", url=doc.url)
    if doc.kind == "html" and fp.word_count < MIN_WORDS_TRUNCATED and not _END_TAG.search(doc.data[-65536:]):
        return Reject(doc.origin, "truncated HTML: the page ends before </html> with no complete article")
    published = article.published
    offset = published.utcoffset() if isinstance(published, datetime) else None
    row = {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site": article.site,
        "language": article.language,
        "title": article.title,
        "published": to_utc(published),
        "published_date": published_day(published),
        "published_offset_minutes": int(offset.total_seconds() // 60) if offset is not None else None,
        "published_text": article.published_text,
        "date_origin": article.date_origin if published is not None else "fetched",
        "source": article.source,
        "agency": article.agency,
        "photo_credit": article.photo_credit,
        "authors": article.authors,
        "text": article.text,
        "word_count": fp.word_count,
        "content_hash": fp.content_hash,
        "url_hash": fp.url_hash,
        "simhash": fp.simhash,
        "minhash": fp.minhash,
        "translation_group": translation_group(article),
        "fetched_at": doc.fetched_at,
        "origin": doc.origin,
    }
    return Extracted(row, fp, article.title)


class Interrupted(Exception):
    """SIGTERM/SIGINT: stop taking new input, keep what is done."""


class _StopSignal:
    """SIGTERM/SIGINT in the writer process. While the run waits (for the next input or for a
    worker's result) the signal stops it at once; while this process extracts a page or stores
    a result, it stops right after. Raised in the middle of that code, Interrupted could be
    swallowed by an ``except Exception`` in extraction (the page was rejected and the run went
    on) or leave the writer's buffers half-updated."""

    def __init__(self) -> None:
        self.name: str | None = None
        self._busy = 0

    def handle(self, signum: int, frame: Any) -> None:
        self.name = signal.Signals(signum).name
        if not self._busy:
            raise Interrupted(self.name)

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """A signal now only takes effect at the next ``check``."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1

    def check(self) -> None:
        if self.name is not None:
            raise Interrupted(self.name)


class _Window:
    """At most ``limit`` inputs between being read and being stored.

    ``Pool.imap`` alone has no such bound: its feeder thread reads inputs as fast as the workers
    take them and its result queue grows without limit, so whenever the writer is slower than
    the workers (a Parquet flush, an index segment merge, a slow disk) finished pages pile up in
    the writer's memory. Here the feeder takes a slot before it reads an input, and the writer
    frees it once the page is stored."""

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, CHUNK_SIZE)  # at least one task's worth: else no task is ever complete
        self._slots = threading.Semaphore(self.limit)
        self._closed = False
        self.read = 0  # written by the feeder thread only
        self.done = 0  # written by the writer's thread only
        self.most = 0  # the most inputs read and not yet stored at once

    def feed(self, inputs: Iterable[RawDocument | Reject]) -> Iterator[RawDocument | Reject]:
        """``inputs``, one at a time as slots free up (runs in the pool's feeder thread)."""
        items = iter(inputs)
        while True:
            self._slots.acquire()
            if self._closed:
                return
            try:
                item = next(items)
            except StopIteration:
                return
            self.read += 1
            self.most = max(self.most, self.read - self.done)
            yield item

    def stored(self) -> None:
        self.done += 1
        self._slots.release()

    def close(self) -> None:
        """Let a feeder waiting for a slot end, so that the pool can be terminated."""
        self._closed = True
        self._slots.release()


def _results(
    inputs: Iterable[RawDocument | Reject], workers: int, stop: _StopSignal, window: _Window
) -> Iterator[Extracted | Reject]:
    """Each input's result, in input order. With several workers, at most ``window.limit``
    inputs are read and not yet stored at any time (with one, one)."""
    if workers <= 1:
        for doc in inputs:
            with stop.busy():
                result = process(doc)
            yield result
        return
    language.preload()  # loaded once here, shared by the forked workers (~100 MB each otherwise)
    ctx = multiprocessing.get_context("fork")
    # Frozen, the objects the workers inherit are never scanned (and so never copied) by their
    # garbage collections: on the 400-page bench a fifth fewer page faults in the workers and
    # a peak PSS of 323-345 MB instead of 375 MB.
    gc.freeze()
    try:
        pool = ctx.Pool(workers, initializer=_worker_signals)
    finally:
        gc.unfreeze()
    with pool:
        try:
            # Results come back in input order. One page per task instead of 4 cost the writer
            # about 0.4 s more CPU per 400 pages, more than it saved at the end of the run.
            for result in pool.imap(process, window.feed(inputs), chunksize=CHUNK_SIZE):
                yield result  # the writer stores it before asking for the next one
                window.stored()
            pool.close()  # all done: let the workers exit on their own
            pool.join()
        finally:
            window.close()  # before the pool's terminate() joins the feeder thread


def _worker_signals() -> None:
    """Workers ignore SIGINT (Ctrl-C reaches the whole process group): the writer decides when
    to stop. SIGTERM, which Pool.terminate() sends, ends a worker at once: the handler it
    inherits from the writer raised Interrupted inside extraction, where it could be caught,
    and the worker then waited for a task forever while the pool waited for it to exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_pipeline(
    inputs: Iterable[RawDocument | Reject],
    archive: Archive,
    *,
    job: str = "backfill",
    source: str | None = None,
    workers: int = 1,
    progress: bool | None = None,
    lock_wait: float = 0.0,
    buffer_bytes: int = BUFFER_BYTES,
    on_result: Callable[[Extracted | Reject, Decision | None], None] | None = None,
    judge: Callable[[RunSummary], str] | None = None,
) -> RunSummary:
    """Run inputs through every stage into the archive and return the counts.

    ``judge`` gives the status of a run that was not interrupted (a scrape knows whether its
    start points could be read); by default a run is ``failed`` when every input was rejected.

    Holds the archive lock for the whole run (raises ArchiveBusy when another job holds it).
    SIGTERM/SIGINT end the run early but cleanly: everything processed so far is written."""
    summary = RunSummary(run_id=new_run_id(), job=job, source=source)
    cpu = _cpu_seconds()
    with archive.locked(wait_seconds=lock_wait):
        started = time.perf_counter()
        index = DedupIndex.load(archive, write_cache=True)  # we hold the lock: may refresh the cache
        log.info(
            "dedup index: %d archived articles loaded in %.2f s", index.size, time.perf_counter() - started
        )
        writer = archive.writer(summary.run_id, buffer_bytes)
        stop = _StopSignal()
        previous = _install_signal_handlers(stop.handle)
        bar = _progress_bar(progress)
        window = _Window(IN_FLIGHT_PER_WORKER * workers)
        memory = _MemoryAtPeak(index, writer)
        try:
            for result in _results(inputs, workers, stop, window):
                with stop.busy():
                    summary.read += 1
                    decision = _store(result, index, writer, summary)
                    if on_result is not None:
                        on_result(result, decision)
                    if bar is not None:
                        bar.update(1)
                    if summary.read % memory.EVERY == 0:
                        memory.check()
                stop.check()
            summary.status = "ok" if summary.rejected == 0 else "partial"
        except Interrupted as exc:
            summary.status = "interrupted"
            summary.error = f"stopped by {exc}"
            log.warning("interrupted by %s: writing what is done", exc)
        finally:
            _restore_signal_handlers(previous)
            if bar is not None:
                bar.close()
        if judge is not None and summary.status != "interrupted":
            summary.status = judge(summary)
        elif summary.read and summary.rejected == summary.read:
            summary.status = "failed"
        memory.check()
        writer.flush()
        memory.check()
        summary.finished_at = datetime.now(UTC)
        writer.write_run(summary.row())
        memory.log(window if workers > 1 else None)
    own, children = (now - before for now, before in zip(_cpu_seconds(), cpu, strict=True))
    pool = workers if workers > 1 else 0  # one worker runs in this process
    log.info("cpu: %.2f s in the writer process, %.2f s in %d worker processes", own, children, pool)
    return summary


class _MemoryAtPeak:
    """The writer's peak RSS (the kernel's high-water mark) and what the dedup index and the
    write buffer held when it was reached, for ``tools/bench.py``: the index grows with the
    articles (a few hundred bytes each), the buffer up to its bound, and the rest should not
    grow at all. Checked every ``EVERY`` pages and around the final flush, each time with the
    most the index and the buffer held since the previous check (a merge, a flush)."""

    EVERY = 64

    def __init__(self, index: DedupIndex, writer: Any) -> None:
        self.index, self.writer = index, writer
        self.rss = self.index_bytes = self.buffer_bytes = 0
        self.check()

    def check(self) -> None:
        index_bytes, buffer_bytes = self.index.take_peak(), self.writer.take_peak()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        if rss > self.rss:
            self.rss, self.index_bytes, self.buffer_bytes = rss, index_bytes, buffer_bytes

    def log(self, window: _Window | None) -> None:
        mb = 2**20
        index, writer = self.index, self.writer
        log.info(
            "memory: writer peak RSS %.1f MB, when the dedup index held %.1f MB and the write buffer "
            "%.1f MB; dedup index %d rows in %.1f MB (%.1f MB at most, while merging segments); write "
            "buffer at most %.1f MB of %.1f MB; at most %d pages read and not yet stored (bound %d)",
            self.rss / mb,
            self.index_bytes / mb,
            self.buffer_bytes / mb,
            index.size,
            index.nbytes / mb,
            index.peak_nbytes / mb,
            writer.peak_bytes / mb,
            writer.buffer_bytes / mb,
            window.most if window is not None else 1,
            window.limit if window is not None else 1,
        )


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its reaped children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _store(
    result: Extracted | Reject, index: DedupIndex, writer: Any, summary: RunSummary
) -> Decision | None:
    if isinstance(result, Reject):
        summary.rejected += 1
        reason = f"{result.origin}: {result.reason}"
        if len(summary.reject_reasons) < 1000:
            summary.reject_reasons.append(reason)
        log.warning("rejected %s", reason)
        writer.add(
            "rejects",
            {
                "origin": result.origin,
                "url": result.url,
                "stage": result.stage,
                "reason": result.reason,
                "run_id": summary.run_id,
                "rejected_at": datetime.now(UTC),
            },
        )
        return None
    decision = index.classify(result.fp)
    index.add(result.fp, decision)
    row = result.row
    if decision.kind in ("duplicate", "near_duplicate"):
        if decision.kind == "duplicate":
            summary.duplicates += 1
        else:
            summary.near_duplicates += 1
        log.debug("%s of %s: %s", decision.kind.replace("_", "-"), decision.duplicate_of, row["origin"])
        if decision.record:
            writer.add(
                "duplicates",
                {
                    "origin": row["origin"],
                    "url": row["url"],
                    "canonical_url": row["canonical_url"],
                    "title": result.title,
                    "kind": "exact" if decision.kind == "duplicate" else "near",
                    "duplicate_of": decision.duplicate_of,
                    "similarity": decision.similarity,
                    "content_hash": result.fp.content_hash,
                    "url_hash": result.fp.url_hash,
                    "run_id": summary.run_id,
                    "detected_at": datetime.now(UTC),
                },
            )
        return decision
    if decision.kind == "revision":
        summary.revisions += 1
    else:
        summary.new += 1
    writer.add_article(
        {
            **row,
            "article_id": article_id(result.fp.url_hash, result.fp.content_hash),
            "version": decision.version,
            "run_id": summary.run_id,
        }
    )
    return decision


def _install_signal_handlers(handler: Callable[[int, Any], None]) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    if multiprocessing.current_process().name != "MainProcess":
        return previous
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: the caller handles signals
        return {}
    return previous


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _progress_bar(progress: bool | None) -> Any:
    if progress is None:
        progress = sys.stderr.isatty() and os.environ.get("NO_PROGRESS") is None
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", desc="archiving", file=sys.stderr)
