"""Stage wiring: inputs -> (workers: decode, clean, extract, fingerprint) -> (one writer:
dedup, store), with counters.

Workers do the CPU work on one document at a time and return plain rows; the single
writer process holds the archive lock, owns the dedup index and writes Parquet. Results
are consumed in input order, so a run is deterministic whatever the worker count.

Each page gets ``page_budget`` CPU seconds: a page over it is rejected ("extraction took
longer than N s") and the run goes on. In worker processes the kernel's CPU timer ends the
worker, which is replaced (``etl.workers``); with one worker, extraction runs in this process
and the timer's signal raises ``PageOverBudget`` at the next Python instruction (a single C
call, one regular expression, runs to its end first).
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from etl.archive.dedup import Decision, DedupIndex
from etl.archive.fingerprint import Fingerprint, article_id, fingerprint, hash64
from etl.archive.schema import article_row, duplicate_row, reject_row, run_row
from etl.archive.store import BUFFER_BYTES, Archive, ArchiveWriter, new_run_id
from etl.extract.extract import extract_article, preload, published_day
from etl.models import Article, Interrupted, RawDocument, Reject, RejectedInput
from etl.normalize import canonical_url
from etl.progress import Count, progress_bar
from etl.workers import WorkerPool, how_it_ended

log = logging.getLogger(__name__)
MIN_WORDS = 5  # fewer words than this is not an article (an empty or navigation-only page)
MIN_WORDS_TRUNCATED = 50  # a page cut off before </html> is kept only if it still holds an article
# Pages read but not yet stored, per worker process: enough to keep the workers busy while the
# writer flushes Parquet or merges index segments, and a bound on what waits in the writer.
IN_FLIGHT_PER_WORKER = 32
# CPU seconds one page may take. The slowest of the devset's pages takes well under a second;
# a page of 20k nested <div> once took 189 s and held the archive lock all that time.
DEFAULT_PAGE_BUDGET = 10.0
_END_TAG = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)


@dataclass(slots=True)
class Extracted:
    """A worker's result: the row to store (minus id/version/run) and its fingerprint."""

    row: dict[str, Any]
    fp: Fingerprint
    title: str | None

    @property
    def origin(self) -> str:
        """Where the input came from, as on a Reject."""
        return self.row["origin"]


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
    # For benchmarks: CPU seconds, index load time, memory at the writer's peak (``run_pipeline``).
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        end = self.finished_at or datetime.now(UTC)
        return (end - self.started_at).total_seconds()

    def row(self) -> dict[str, Any]:
        return run_row(
            run_id=self.run_id,
            job=self.job,
            source=self.source,
            started_at=self.started_at,
            finished_at=self.finished_at or datetime.now(UTC),
            status=self.status,
            read=self.read,
            new=self.new,
            duplicates=self.duplicates,
            near_duplicates=self.near_duplicates,
            revisions=self.revisions,
            rejected=self.rejected,
            error=self.error,
        )

    def to_json(self) -> str:
        """The runs/ row and the figures, for a script or a benchmark that ran the CLI."""
        return json.dumps({**self.row(), "figures": self.figures}, default=str)

    def fail(self, exc: BaseException) -> None:
        """The run failed: the first error is the one to report (later ones follow from it)."""
        if self.status != "failed" or self.error is None:
            self.error = f"{type(exc).__name__}: {exc}"[:2000]
        self.status = "failed"
        log.error("run %s failed: %s", self.run_id, self.error)
        log.debug("run %s failed", self.run_id, exc_info=exc)

    def line(self) -> str:
        return (
            f"run {self.run_id} {self.status}: read {self.read}, new {self.new}, "
            f"duplicates {self.duplicates}, near-duplicates {self.near_duplicates}, "
            f"revisions {self.revisions}, rejected {self.rejected}, {self.seconds:.1f} s"
            + (f" ({self.error})" if self.error and self.status in ("failed", "interrupted") else "")
        )


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
    row = article_row(
        article,
        fp,
        published_date=published_day(article.published),
        translation_group=translation_group(article),
        fetched_at=doc.fetched_at,
        origin=doc.origin,
    )
    return Extracted(row, fp, article.title)


class PageOverBudget(BaseException):
    """Raised by the CPU timer in the middle of a page's extraction. Not an Exception: the
    ``except Exception`` that keeps one page's bug from stopping the batch must not catch it."""


def over_budget(doc: RawDocument | Reject, budget: float) -> Reject:
    return Reject(doc.origin, f"extraction took longer than {budget:g} s", url=doc.url)


def _lost(budget: float | None) -> Callable[[RawDocument | Reject, int | None], Reject]:
    """The result of a page whose worker process died on it."""

    def lost(doc: RawDocument | Reject, exitcode: int | None) -> Reject:
        if budget and exitcode == -signal.SIGPROF:
            return over_budget(doc, budget)
        return Reject(
            doc.origin, f"extraction crashed its worker process ({how_it_ended(exitcode)})", url=doc.url
        )

    return lost


class _InProcessBudget:
    """The CPU budget of a page extracted in this process: ITIMER_PROF, whose signal raises
    PageOverBudget. Needs the main thread (only it can have a signal handler)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self) -> _InProcessBudget:
        self._previous = signal.signal(signal.SIGPROF, self._expired)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, self._previous)

    def _expired(self, signum: int, frame: Any) -> None:
        raise PageOverBudget()

    def process(self, doc: RawDocument | Reject) -> Extracted | Reject:
        signal.setitimer(signal.ITIMER_PROF, self.seconds)
        try:
            return process(doc)
        except PageOverBudget:
            return over_budget(doc, self.seconds)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)


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
        """Only the first signal raises: a second one must not cut short the run's ending."""
        first = self.name is None
        self.name = signal.Signals(signum).name
        if first and not self._busy:
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

    Without a bound the feeder thread would read inputs as fast as the workers take them, so
    whenever the writer is slower than the workers (a Parquet flush, an index segment merge, a
    slow disk) finished pages would pile up in the writer's memory. The feeder takes a slot
    before it reads an input, and the writer frees it once the page is stored."""

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 1)
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
    inputs: Iterable[RawDocument | Reject],
    workers: int,
    stop: _StopSignal,
    window: _Window,
    budget: float | None = None,
) -> Iterator[Extracted | Reject]:
    """Each input's result, in input order. With several workers, at most ``window.limit``
    inputs are read and not yet stored at any time (with one, one)."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    if workers <= 1 and (in_main_thread or not budget):
        with _InProcessBudget(budget) if budget else contextlib.nullcontext() as timer:
            for doc in inputs:
                with stop.busy():
                    result = timer.process(doc) if timer is not None else process(doc)
                yield result
        return
    # Several workers, or one with a budget outside the main thread (a scheduler's run): there
    # no signal handler can interrupt a page, so it runs in one worker process.
    preload()  # loaded once here, shared by the forked workers (~100 MB each otherwise)
    pool = WorkerPool(max(workers, 1), process, _lost(budget), budget=budget)
    yield from pool.imap(inputs, window)


def extract_each(docs: Iterable[RawDocument | Reject], budget: float | None) -> Iterator[Extracted | Reject]:
    """Each document's result, in order, each page under ``budget`` CPU seconds, away from the
    writer (a cluster task: outside the main thread, the pages go to one worker process)."""
    return _results(docs, 1, _StopSignal(), _Window(IN_FLIGHT_PER_WORKER), budget)


def _status(summary: RunSummary) -> str:
    """A run that read its inputs: ok, partial (some rejected) or failed (all rejected)."""
    if summary.read and summary.rejected == summary.read:
        return "failed"
    return "ok" if summary.rejected == 0 else "partial"


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
    page_budget: float | None = DEFAULT_PAGE_BUDGET,
    count: Count | None = None,
    extract: Callable[[Iterable[Any]], Iterator[Extracted | Reject]] | None = None,
    judge: Callable[[RunSummary], str] | None = None,
) -> RunSummary:
    """Run inputs through every stage into the archive and return the counts.

    ``count`` returns a second walk over the inputs, counted in the background for the
    progress bar's total and ETA. ``judge`` gives the status of a run that went through its
    inputs (a scrape knows whether its start points could be read); by default a run is
    ``failed`` when every input was rejected.

    Holds the archive lock for the whole run (raises ArchiveBusy when another job holds it).
    SIGTERM/SIGINT end the run early but cleanly: everything processed so far is written.
    A page that takes more than ``page_budget`` CPU seconds (None or 0: no limit) is rejected.
    A run that fails (the store or the inputs raise) keeps what it can and returns with status
    ``failed`` and the error; either way it writes its ``runs/`` row if the disk lets it.
    ``extract`` replaces the worker processes: it maps ``inputs`` (then any references it
    knows how to read) to results in input order (``etl.cluster.results``)."""
    summary = RunSummary(run_id=new_run_id(), job=job, source=source)
    cpu = _cpu_seconds()
    with archive.locked(wait_seconds=lock_wait):
        started = time.perf_counter()
        index = DedupIndex.load(archive, write_cache=True)  # we hold the lock: may refresh the cache
        summary.figures["index_load_seconds"] = round(time.perf_counter() - started, 3)
        log.info(
            "dedup index: %d archived articles loaded in %.2f s", index.size, time.perf_counter() - started
        )
        writer = archive.writer(summary.run_id, buffer_bytes)
        writer.begin_run(job, source, summary.started_at)
        stop = _StopSignal()
        previous = _install_signal_handlers(stop.handle)
        bar = progress_bar(progress, "archiving", "doc", count)
        window = _Window(IN_FLIGHT_PER_WORKER * workers)
        memory = _MemoryAtPeak(index, writer)
        results = extract(inputs) if extract else _results(inputs, workers, stop, window, page_budget)
        try:
            try:
                for result in results:
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
                summary.status = (judge or _status)(summary)
            except (Interrupted, KeyboardInterrupt) as exc:
                summary.status = "interrupted"
                summary.error = f"stopped by {exc or type(exc).__name__}"
                log.warning("interrupted by %s: writing what is done", exc or type(exc).__name__)
            except Exception as exc:
                summary.fail(exc)
            finally:
                with stop.busy():
                    results.close()  # the workers end before the writer flushes
                    if bar is not None:
                        bar.close()
            with stop.busy():  # a signal now waits: the run is recorded first
                _finish(summary, writer, memory)
        finally:
            _restore_signal_handlers(previous)
        pooled = window.read > 0  # read by worker processes (else: extracted in this process)
        summary.figures["memory"] = memory.figures(window if pooled else None)
    own, children = (now - before for now, before in zip(_cpu_seconds(), cpu, strict=True))
    pool = workers if pooled else 0
    log.debug("cpu: %.2f s in the writer process, %.2f s in %d worker processes", own, children, pool)
    summary.figures.update(
        writer_cpu_seconds=round(own, 2), workers_cpu_seconds=round(children, 2), worker_processes=pool
    )
    return summary


def _finish(summary: RunSummary, writer: ArchiveWriter, memory: _MemoryAtPeak) -> None:
    """Write what is buffered and the run's row. When the writes fail, the row says so, with
    the counts of what is on disk; when even the row cannot be written, the next writer records
    the run as killed from the rows it left."""
    memory.check()
    try:
        writer.flush()
    except Exception as exc:
        summary.fail(exc)
        summary.new, summary.revisions, summary.rejected = (
            writer.stored[k] for k in ("new", "revisions", "rejected")
        )
    memory.check()
    summary.finished_at = datetime.now(UTC)
    try:
        writer.write_run(summary.row())
    except Exception as exc:
        log.error("run %s could not be recorded in runs/ (%s): the next run records it", summary.run_id, exc)


class _MemoryAtPeak:
    """The writer's peak RSS (the kernel's high-water mark) and what the dedup index and the
    write buffer held when it was reached, for ``tools/bench``: the index grows with the
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

    def figures(self, window: _Window | None) -> dict[str, float]:
        """The figures, in MB (``window``: None when pages were extracted in this process)."""
        mb = 2**20
        index, writer = self.index, self.writer
        figures = {
            "writer_peak_rss_mb": self.rss / mb,
            "index_at_peak_mb": self.index_bytes / mb,
            "buffer_at_peak_mb": self.buffer_bytes / mb,
            "index_rows": index.size,
            "index_mb": index.nbytes / mb,
            "index_most_mb": index.peak_nbytes / mb,
            "buffer_most_mb": writer.peak_bytes / mb,
            "buffer_mb": writer.buffer_bytes / mb,
            "in_flight": window.most if window is not None else 1,
            "in_flight_bound": window.limit if window is not None else 1,
        }
        log.debug(
            "memory: writer peak RSS %(writer_peak_rss_mb).1f MB, when the dedup index held "
            "%(index_at_peak_mb).1f MB and the write buffer %(buffer_at_peak_mb).1f MB; dedup index "
            "%(index_rows)d rows in %(index_mb).1f MB (%(index_most_mb).1f MB at most, while merging "
            "segments); write buffer at most %(buffer_most_mb).1f MB of %(buffer_mb).1f MB; at most "
            "%(in_flight)d pages read and not yet stored (bound %(in_flight_bound)d)",
            figures,
        )
        return {k: round(v, 1) for k, v in figures.items()}


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
            reject_row(
                origin=result.origin,
                url=result.url,
                stage=result.stage,
                reason=result.reason,
                run_id=summary.run_id,
            ),
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
                duplicate_row(
                    origin=row["origin"],
                    url=row["url"],
                    canonical_url=row["canonical_url"],
                    title=result.title,
                    near=decision.kind == "near_duplicate",
                    duplicate_of=decision.duplicate_of,
                    similarity=decision.similarity,
                    content_hash=result.fp.content_hash,
                    url_hash=result.fp.url_hash,
                    run_id=summary.run_id,
                ),
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
