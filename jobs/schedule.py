"""``python -m jobs schedule``: scrape every source on its own schedule until SIGTERM or SIGINT.

APScheduler 3 (BlockingScheduler) with one job per source of ``jobs/sources.toml``; when each
runs is set in ``jobs/schedule.toml`` (a cron expression and a time zone per source, default
every 15 minutes UTC). Every job has ``coalesce``, ``max_instances=1``, a misfire grace time
and a jitter, so sources do not all fire in the same second.

- One scheduler per data directory (``data/.scheduler.lock``); runs inside it go one at a time,
  and each takes the archive lock like every other writing job, waiting for a cron job or a
  backfill at most ``lock_wait`` seconds before the run is skipped (logged, not a failure).
- Missed runs are caught up from the recorded run times in ``data/runs/`` (no job store to
  drift): a source whose last run is older than its latest scheduled time runs once, at start.
- A source that fails ``backoff_after`` runs in a row is backed off for ``backoff`` seconds,
  doubling with every further failure up to ``max_backoff``; the others are not affected. The
  count comes from ``data/runs/`` too, so a restart or a successful manual scrape resets it.
- SIGTERM/SIGINT: no new run starts; the current one stops at its next document or polite
  wait, writes what it has (status ``interrupted``) and the process exits 0. A second signal,
  or a run that cannot stop within ``stop_timeout``, abandons it (exit 1): files are written
  atomically and the crawl state resumes, so even that loses nothing.
- The jobs, their next run times and the scheduler's pid go to ``data/scheduler.json`` for
  ``python -m jobs status``. Sources are read at start: restart to pick up changes.
- For an archive on S3 (``--data s3://…``) the lock and ``scheduler.json`` are local files
  beside the crawl state file named by ``--state`` (``scheduler_home``).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    EVENT_SCHEDULER_STARTED,
    JobEvent,
    SchedulerEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from etl.archive.store import ArchiveBusy, on_s3, open_archive
from etl.crawl.fetch import Resolver
from etl.models import Interrupted, RawDocument, Reject
from etl.pipeline import RunSummary, new_run_id
from jobs.scrape import scrape_source
from jobs.sources import DEFAULT_CONFIG, ConfigError, Source, load_sources

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = Path(__file__).resolve().parent / "schedule.toml"
STATE_FILE = "scheduler.json"
LOCK_FILE = ".scheduler.lock"
EX_TEMPFAIL = 75
T = TypeVar("T")


# --- settings: jobs/schedule.toml -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timing:
    """When one source runs, and when it is backed off."""

    cron: str = "*/15 * * * *"  # minute hour day-of-month month day-of-week, as in crontab
    timezone: str = "UTC"
    jitter: int = 60  # seconds: each run starts up to this much after its time
    misfire_grace_time: int = 600  # a run that cannot start this late is skipped (and logged)
    backoff_after: int = 3  # failed runs in a row before the source is backed off
    backoff: float = 3600.0  # seconds of the first back-off, doubling per further failure
    max_backoff: float = 86400.0

    def trigger(self, *, every: float | None = None, jitter: bool = True) -> BaseTrigger:
        """The APScheduler trigger (``every``: an interval in seconds instead of the cron, for tests)."""
        spread = self.jitter if jitter and self.jitter > 0 else None
        if every:
            return IntervalTrigger(seconds=every, timezone=UTC, jitter=spread)
        return crontab_trigger(self.cron, zone(self.timezone), jitter=spread)

    def describe(self, every: float | None = None) -> str:
        return f"every {every:g} s" if every else f"{self.cron} ({self.timezone})"


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path | None = None
    defaults: Timing = field(default_factory=Timing)
    sources: Mapping[str, Timing] = field(default_factory=dict)
    lock_wait: float = 600.0  # seconds a run waits for another job's archive lock
    stop_timeout: float = 120.0  # seconds SIGTERM waits for the current run to stop cleanly
    compact: str = "30 3 * * *"  # maintenance: compaction (UTC cron); "" turns it off

    def timing(self, name: str) -> Timing:
        return self.sources.get(name, self.defaults)


_INT = (int,)
_NUM = (int, float)
TIMING_KEYS: dict[str, tuple[tuple[type, ...], float | None]] = {  # key: (types, minimum)
    "cron": ((str,), None),
    "timezone": ((str,), None),
    "jitter": (_INT, 0),
    "misfire_grace_time": (_INT, 1),
    "backoff_after": (_INT, 1),
    "backoff": (_NUM, 0),
    "max_backoff": (_NUM, 0),
}
SCHEDULER_KEYS: dict[str, tuple[tuple[type, ...], float | None]] = {
    "lock_wait": (_NUM, 0),
    "stop_timeout": (_NUM, 1),
}
MAINTENANCE_KEYS: dict[str, tuple[tuple[type, ...], float | None]] = {"compact": ((str,), None)}


def load_settings(path: str | os.PathLike[str] | None = DEFAULT_SCHEDULE) -> Settings:
    """Read and check a schedule file; a missing default file means every default."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if path == DEFAULT_SCHEDULE:
            return Settings()
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_settings(data, path)


def parse_settings(data: Mapping[str, Any], path: Path) -> Settings:
    top = {"scheduler", "defaults", "maintenance", "sources"}
    for key in data:
        if key not in top:
            raise ConfigError(f"{path}: unknown table {key!r} (known: {', '.join(sorted(top))})")
    scheduler = _checked(data.get("scheduler", {}), SCHEDULER_KEYS, "scheduler", path)
    maintenance = _checked(data.get("maintenance", {}), MAINTENANCE_KEYS, "maintenance", path)
    if maintenance.get("compact"):
        _check_cron(maintenance["compact"], "UTC", "maintenance.compact", path)
    defaults = _timing(Timing(), data.get("defaults", {}), "defaults", path)
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        raise ConfigError(f"{path}: sources: expected tables like [sources.NAME]")
    per_source = {name: _timing(defaults, value, f"sources.{name}", path) for name, value in sources.items()}
    return Settings(path, defaults, per_source, **scheduler, **maintenance)


def _checked(
    value: Any, keys: Mapping[str, tuple[tuple[type, ...], float | None]], where: str, path: Path
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where}: expected a table")
    out = {}
    for key, raw in value.items():
        if key not in keys:
            raise ConfigError(f"{path}: {where}: unknown key {key!r} (known: {', '.join(keys)})")
        types, minimum = keys[key]
        if isinstance(raw, bool) or not isinstance(raw, types) or (minimum is not None and raw < minimum):
            kind = "a string" if types == (str,) else "an integer" if types == _INT else "a number"
            bound = f" >= {minimum:g}" if minimum is not None else ""
            raise ConfigError(f"{path}: {where}.{key}: expected {kind}{bound}, got {raw!r}")
        out[key] = float(raw) if types == _NUM else raw
    return out


def _timing(base: Timing, value: Any, where: str, path: Path) -> Timing:
    timing = replace(base, **_checked(value, TIMING_KEYS, where, path))
    _check_cron(timing.cron, timing.timezone, where, path)
    return timing


def _check_cron(expr: str, timezone: str, where: str, path: Path) -> None:
    try:
        zone(timezone)
    except ValueError as exc:
        raise ConfigError(f"{path}: {where}.timezone: {exc}") from None
    try:
        crontab_trigger(expr, UTC)
    except ValueError as exc:
        raise ConfigError(f"{path}: {where}.cron: {exc}, got {expr!r}") from None


def zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected a name like 'Europe/Berlin')") from None


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expr: str, timezone: tzinfo, jitter: int | None = None) -> CronTrigger:
    """A CronTrigger that reads day-of-week numbers as crontab does (0 and 7 are Sunday;
    APScheduler 3 counts from Monday) and refuses a day-of-month *and* day-of-week
    restriction (crontab ORs them, APScheduler ANDs them)."""
    parts = expr.split()
    if len(parts) != 5:
        raise ValueError(f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}")
    minute, hour, day, month, weekday = parts
    if day != "*" and weekday != "*":
        raise ValueError("restrict the day of month or the day of week, not both (crontab would OR them)")
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=timezone,
        jitter=jitter,
    )


def crontab_weekdays(spec: str) -> str:
    """A crontab day-of-week field as APScheduler day names: ``1-5`` -> ``mon,tue,wed,thu,fri``."""
    if spec == "*":
        return spec
    days: set[int] = set()
    for item in spec.lower().split(","):
        body, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad step in day-of-week {item!r}")
        if body == "*":
            first, last = 0, 6
        else:
            low, _, high = body.partition("-")
            first, last = _weekday(low), _weekday(high) if high else _weekday(low)
            if high and last == 0 and first > 0:
                last = 7  # "5-7" / "fri-sun": through Sunday
            if last < first:
                raise ValueError(f"day-of-week range {item!r} runs backwards")
            if step is None and not high:
                days.add(first % 7)
                continue
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(_DAYS[d] for d in sorted(days))


def _weekday(text: str) -> int:
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)
    if text[:3] in _DAYS:
        return _DAYS.index(text[:3])
    raise ValueError(f"bad day of week {text!r} (0-7 or sun..sat)")


# --- run history from data/runs/ ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunRecord:
    started_at: datetime
    finished_at: datetime | None
    status: str


@dataclass(frozen=True, slots=True)
class Backoff:
    failures: int  # failed runs in a row (interrupted runs are skipped over)
    until: datetime | None  # backed off until then; None: not backed off

    def active(self, now: datetime) -> bool:
        return self.until is not None and now < self.until


def read_runs(data_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Every run row, oldest first."""
    runs = open_archive(data_dir).read("runs").to_pandas()
    return runs.sort_values("started_at", kind="stable").reset_index(drop=True)


def history(runs: pd.DataFrame) -> dict[str, list[RunRecord]]:
    """The runs of each source, oldest first."""
    out: dict[str, list[RunRecord]] = {}
    for row in runs[runs["source"].notna()].itertuples(index=False):
        finished = None if pd.isna(row.finished_at) else row.finished_at.to_pydatetime()
        out.setdefault(row.source, []).append(RunRecord(row.started_at.to_pydatetime(), finished, row.status))
    return out


def backoff_state(records: Iterable[RunRecord], timing: Timing) -> Backoff:
    failures = 0
    last_failure: RunRecord | None = None
    for record in reversed(list(records)):
        if record.status in ("interrupted", "killed"):  # stopped from outside: says nothing of the source
            continue
        if record.status != "failed":
            break
        failures += 1
        last_failure = last_failure or record
    if failures < timing.backoff_after or last_failure is None:
        return Backoff(failures, None)
    delay = min(timing.backoff * 2 ** min(failures - timing.backoff_after, 30), timing.max_backoff)
    return Backoff(failures, (last_failure.finished_at or last_failure.started_at) + timedelta(seconds=delay))


def missed_since(trigger: BaseTrigger, last_started: datetime | None, now: datetime) -> datetime | None:
    """The first scheduled time after the last run, when it has passed (a run was missed)."""
    if last_started is None:
        return None
    due = trigger.get_next_fire_time(None, last_started + timedelta(seconds=1))
    return due if due is not None and due <= now else None


def next_time(trigger: BaseTrigger, now: datetime, backoff: Backoff) -> datetime | None:
    """The next scheduled time, not before a back-off ends."""
    start = backoff.until if backoff.active(now) and backoff.until is not None else now
    return trigger.get_next_fire_time(None, start)


# --- stopping -------------------------------------------------------------------------------


class _Stopped(BaseException):
    """Raised inside a crawl's polite wait when the scheduler stops (not an Exception, so no
    handler for fetch errors takes it for one)."""


class StopSignal:
    """Set by SIGTERM/SIGINT; runs check it between documents and during their waits."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def set(self, reason: str = "stop") -> None:
        self.reason = self.reason or reason
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float | None) -> bool:
        return self._event.wait(seconds)

    def sleep(self, seconds: float) -> None:
        """A sleep for the fetcher (rate limits, Crawl-delay, retry back-off) that ends the crawl on stop."""
        if self._event.wait(max(0.0, seconds)):
            raise _Stopped(self.reason)

    def guard(self, inputs: Iterator[RawDocument | Reject]) -> Iterator[RawDocument | Reject]:
        """The inputs until stop: then the pipeline's own Interrupted, so it writes what it has
        processed and records the run as interrupted. A document already handed over is
        always finished first."""
        try:
            while True:
                if self.is_set():
                    raise Interrupted(self.reason or "stop")
                try:
                    item = next(inputs)
                except StopIteration:
                    return
                except _Stopped:
                    raise Interrupted(self.reason or "stop") from None
                yield item
        finally:
            with contextlib.suppress(_Stopped):
                inputs.close()  # type: ignore[attr-defined]


class _StoppedWaiting(Exception):
    """Stop came while a run waited for the archive lock."""


def scrape_until_stopped(
    source: Source,
    data_dir: str | os.PathLike[str],
    stop: StopSignal,
    *,
    state: str | os.PathLike[str] | None = None,
    job: str = "scrape",
    resolver: Resolver | None = None,
) -> RunSummary:
    """``jobs.scrape.scrape_source`` with a stop hook: the crawl's input ends (and its
    polite waits wake up) when ``stop`` is set. Raises ArchiveBusy at once when another job
    holds the archive."""
    return scrape_source(
        source, data_dir, state=state, job=job, resolver=resolver, sleep=stop.sleep, guard=stop.guard
    )


def scheduler_home(data_dir: str | os.PathLike[str], state: str | os.PathLike[str] | None = None) -> Path:
    """Where a scheduler keeps its lock and scheduler.json (local files): the data directory,
    or for an archive on S3 ``FILE.scheduler/`` beside its crawl state file. The lock is
    local: one scheduler per archive on S3 is the operator's to keep (a second one's runs
    wait for the lease and find the articles archived, but fetch them again)."""
    if on_s3(data_dir):
        if state is None:
            raise ValueError("a scheduler of an archive on S3 keeps its files beside --state FILE")
        local = Path(state)
        return local.with_name(f"{local.name}.scheduler")
    return Path(data_dir)


# --- the runner: what the jobs do -----------------------------------------------------------


class Runner:
    """Runs sources one at a time, keeps their history, decides back-off. One per scheduler."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        sources: Mapping[str, Source],
        settings: Settings | None = None,
        *,
        stop: StopSignal | None = None,
        resolver: Resolver | None = None,
        runs: pd.DataFrame | None = None,
        state: str | os.PathLike[str] | None = None,
    ) -> None:
        self.data = data_dir if on_s3(data_dir) else Path(data_dir)
        self.state = state  # the crawl state file (default: in the data directory)
        self.home = scheduler_home(data_dir, state)
        self.sources = dict(sources)
        self.settings = settings or Settings()
        self.stop = stop or StopSignal()
        self.resolver = resolver
        self.history = history(read_runs(self.data) if runs is None else runs)
        self._one_at_a_time = threading.Lock()
        self._active = 0
        self._idle = threading.Condition()
        self.on_backoff: Callable[[str, Backoff], None] | None = None  # the scheduler reschedules

    def backoff(self, name: str) -> Backoff:
        return backoff_state(self.history.get(name, []), self.settings.timing(name))

    def last_started(self, name: str) -> datetime | None:
        records = self.history.get(name)
        return records[-1].started_at if records else None

    def scrape(self, name: str) -> RunSummary | None:
        """One run of one source; None when it did not run (stopping, backed off, archive busy)."""
        source = self.sources[name]
        with self._running():
            now = datetime.now(UTC)
            backoff = self.backoff(name)
            if backoff.active(now):
                log.info(
                    "%s: backed off until %s after %d failed runs in a row: run skipped",
                    name,
                    _when(backoff.until),
                    backoff.failures,
                )
                return None
            started = datetime.now(UTC)
            try:
                summary = self._exclusive(
                    lambda: scrape_until_stopped(
                        source, self.data, self.stop, state=self.state, resolver=self.resolver
                    )
                )
            except _StoppedWaiting:
                log.info("%s: stopped while waiting for the archive lock: run skipped", name)
                return None
            except ArchiveBusy as exc:
                log.warning(
                    "%s: run skipped: the archive stayed busy for %g s (%s)",
                    name,
                    self.settings.lock_wait,
                    exc,
                )
                return None
            except Exception as exc:
                log.exception("%s: run crashed", name)
                summary = self._record_crash(name, started, exc)
            self._log_run(name, summary)
            return summary

    def compact(self) -> int:
        """Maintenance: merge each partition's small files (stops between partitions)."""
        with self._running():
            archive = open_archive(self.data)

            def attempt() -> int:
                merged = 0
                with archive.locked(wait_seconds=0):
                    for partition in archive.partitions():
                        if self.stop.is_set():
                            break
                        _files, rows = archive.compact(partition)
                        merged += bool(rows)
                return merged

            try:
                merged = self._exclusive(attempt)
            except (_StoppedWaiting, ArchiveBusy) as exc:
                log.warning("compact: skipped (%s)", exc or "stopping")
                return 0
            log.info("compact: %d partitions merged into one file each", merged)
            return merged

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    # internals -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        with self._idle:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _exclusive(self, attempt: Callable[[], T]) -> T:
        """One run at a time in this process, then the archive lock: busy is retried each
        second for ``lock_wait`` seconds, and a stop ends the wait."""
        deadline = time.monotonic() + self.settings.lock_wait
        while not self._one_at_a_time.acquire(timeout=0.5):
            if self.stop.is_set():
                raise _StoppedWaiting()
            if time.monotonic() >= deadline:
                raise ArchiveBusy("the previous run in this scheduler is still going")
        try:
            while True:
                if self.stop.is_set():
                    raise _StoppedWaiting()
                try:
                    return attempt()
                except ArchiveBusy:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise
                    if self.stop.wait(min(1.0, remaining)):
                        raise _StoppedWaiting() from None
        finally:
            self._one_at_a_time.release()

    def _record_crash(self, name: str, started: datetime, exc: Exception) -> RunSummary:
        """A run that raised wrote no run row: write one, so status and back-off count it."""
        summary = RunSummary(run_id=new_run_id(), job="scrape", source=name, started_at=started)
        summary.status = "failed"
        summary.error = f"{type(exc).__name__}: {exc}"[:2000]
        summary.finished_at = datetime.now(UTC)
        archive = open_archive(self.data)
        try:
            with archive.locked(wait_seconds=min(self.settings.lock_wait, 30.0)):
                archive.writer(summary.run_id).write_run(summary.row())
        except (ArchiveBusy, OSError) as write_error:
            log.error("%s: the failed run could not be recorded in runs/: %s", name, write_error)
        return summary

    def _log_run(self, name: str, summary: RunSummary) -> None:
        self.history.setdefault(name, []).append(
            RunRecord(summary.started_at, summary.finished_at, summary.status)
        )
        log.info("%s: %s", name, summary.line())
        if summary.status != "failed":
            return
        backoff = self.backoff(name)
        reason = summary.error or "; ".join(summary.reject_reasons[:3]) or "every input rejected"
        log.warning("%s: run failed (%d in a row): %s", name, backoff.failures, reason)
        if backoff.until is not None:
            log.warning(
                "%s: backed off until %s after %d failed runs in a row (other sources go on)",
                name,
                _when(backoff.until),
                backoff.failures,
            )
            if self.on_backoff is not None:
                self.on_backoff(name, backoff)


# Job functions, referenced by name ("jobs.schedule:scrape_job") so any job store could load
# them; they act on the process's runner (one scheduler per process).
_runner: Runner | None = None


def scrape_job(name: str) -> RunSummary | None:
    assert _runner is not None, "build_scheduler() first"
    return _runner.scrape(name)


def compact_job() -> int:
    assert _runner is not None, "build_scheduler() first"
    return _runner.compact()


# --- the scheduler --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedJob:
    id: str
    name: str
    func: str
    args: tuple[Any, ...]
    trigger: BaseTrigger
    misfire_grace_time: int
    next_run_time: datetime | None  # None: the trigger decides
    note: str = ""


def plan(runner: Runner, *, every: float | None = None, now: datetime | None = None) -> list[PlannedJob]:
    """The jobs a scheduler starts with: one per source, caught up or backed off, and compaction."""
    now = now or datetime.now(UTC)
    jobs = []
    for name in runner.sources:
        timing = runner.settings.timing(name)
        trigger = timing.trigger(every=every)
        backoff = runner.backoff(name)
        last = runner.last_started(name)
        first: datetime | None = None
        note = ""
        if backoff.active(now):
            first = next_time(timing.trigger(every=every, jitter=False), now, backoff)
            note = f"backed off until {_when(backoff.until)} after {backoff.failures} failed runs in a row"
        elif missed := missed_since(timing.trigger(every=every, jitter=False), last, now):
            first = now
            note = f"missed the run due at {_when(missed)} (last run {_when(last)}): catching up once now"
        jobs.append(
            PlannedJob(
                f"scrape:{name}",
                f"scrape {name}",
                "jobs.schedule:scrape_job",
                (name,),
                trigger,
                timing.misfire_grace_time,
                first,
                note,
            )
        )
    if runner.settings.compact and not every:
        jobs.append(
            PlannedJob(
                "compact",
                "compact",
                "jobs.schedule:compact_job",
                (),
                crontab_trigger(runner.settings.compact, UTC),
                3600,
                None,
            )
        )
    return jobs


def build_scheduler(
    runner: Runner,
    *,
    every: float | None = None,
    now: datetime | None = None,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
) -> BaseScheduler:
    """A scheduler with the planned jobs and the event listeners (not started)."""
    global _runner
    _runner = runner
    scheduler = scheduler_class(
        executors={"default": ThreadPoolExecutor(max_workers=max(4, len(runner.sources) + 2))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )
    for job in plan(runner, every=every, now=now):
        options: dict[str, Any] = {"next_run_time": job.next_run_time} if job.next_run_time else {}
        scheduler.add_job(
            job.func,
            job.trigger,
            args=job.args,
            id=job.id,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            replace_existing=True,
            **options,
        )
        if job.note:
            log.info("%s: %s", job.name, job.note)

    def reschedule(name: str, backoff: Backoff) -> None:
        assert backoff.until is not None
        trigger = runner.settings.timing(name).trigger(every=every, jitter=False)
        when = next_time(trigger, datetime.now(UTC), backoff)
        if when is not None:
            with contextlib.suppress(Exception):  # the scheduler may be shutting down
                scheduler.modify_job(f"scrape:{name}", next_run_time=when)

    runner.on_backoff = reschedule
    events = EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_EXECUTED
    events |= EVENT_JOB_SUBMITTED | EVENT_SCHEDULER_STARTED
    scheduler.add_listener(lambda event: on_event(scheduler, runner, event), events)
    return scheduler


def on_event(scheduler: BaseScheduler, runner: Runner, event: JobEvent | SchedulerEvent) -> None:
    """Log what APScheduler saw go wrong; keep data/scheduler.json current."""
    if not isinstance(event, JobEvent):
        _save_state(scheduler, runner)
        return
    job = scheduler.get_job(event.job_id)
    name = job.name if job is not None else event.job_id
    following = f"; next run {_when(job.next_run_time)}" if job is not None and job.next_run_time else ""
    if event.code == EVENT_JOB_ERROR:
        log.error(
            "%s: the job raised %r%s\n%s",
            name,
            getattr(event, "exception", None),
            following,
            getattr(event, "traceback", ""),
        )
    elif event.code == EVENT_JOB_MISSED:
        log.warning(
            "%s: the run due at %s was missed (more than %s s late: the machine slept or the "
            "scheduler was busy)%s",
            name,
            _when(event.scheduled_run_time),
            job.misfire_grace_time if job is not None else "?",
            following,
        )
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("%s: still running at its next time: that run skipped%s", name, following)
    _save_state(scheduler, runner)


def _save_state(scheduler: BaseScheduler, runner: Runner) -> None:
    try:
        write_state(scheduler, runner)
    except OSError as exc:
        log.warning("could not write %s: %s", runner.home / STATE_FILE, exc)


_state_lock = threading.Lock()


def write_state(scheduler: BaseScheduler, runner: Runner, *, running: bool = True) -> None:
    """``data/scheduler.json``: who schedules this archive, and when each job runs next."""
    jobs = {}
    for job in scheduler.get_jobs():
        when = getattr(job, "next_run_time", None)
        jobs[job.id] = {"name": job.name, "next_run": when.astimezone(UTC).isoformat() if when else None}
    state = {
        "pid": os.getpid(),
        "running": running,
        "started_at": _STARTED.isoformat(),
        "updated_at": datetime.now(UTC).isoformat(),
        "config": str(runner.settings.path) if runner.settings.path else None,
        "jobs": jobs,
    }
    path = runner.home / STATE_FILE
    with _state_lock:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, path)


def read_state(home: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The scheduler's state file, when a scheduler holds this home (``scheduler_home``) now."""
    data = Path(home)
    lock = data / LOCK_FILE
    if not lock.exists():
        return None
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # held: a scheduler is running
        else:
            fcntl.flock(handle, fcntl.LOCK_UN)
            return None
    try:
        return json.loads((data / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"running": True, "jobs": {}}


_STARTED = datetime.now(UTC)


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if moment is not None else "never"


# --- the command ----------------------------------------------------------------------------


@contextlib.contextmanager
def scheduler_lock(data: Path) -> Iterator[None]:
    """One scheduler per data directory (APScheduler cannot share jobs between processes)."""
    data.mkdir(parents=True, exist_ok=True)
    with open(data / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ArchiveBusy(f"a scheduler already runs on {data} ({holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(args: argparse.Namespace) -> int:
    """``python -m jobs schedule``: returns the exit status."""
    global _STARTED
    _configure_logging(args)
    config = load_sources(args.config or DEFAULT_CONFIG)
    settings = load_settings(args.schedule or DEFAULT_SCHEDULE)
    if args.source:
        chosen = {s.name: s for name in args.source for s in config.select(name)}
    else:
        chosen = {s.name: s for s in config.select()}
    if not chosen:
        print(f"no enabled sources in {config.path}: enable one, or name one with --source", file=sys.stderr)
        return 1
    for name in sorted(set(settings.sources) - set(config.sources)):
        log.warning("%s: sources.%s is not in %s: ignored", settings.path, name, config.path)
    data = args.data if on_s3(args.data) else Path(args.data)
    home = scheduler_home(data, args.state)
    try:
        lock = scheduler_lock(home)
        lock.__enter__()
    except ArchiveBusy as exc:
        print(f"{exc}; stop it first (only one scheduler per data directory)", file=sys.stderr)
        return EX_TEMPFAIL
    try:
        _STARTED = datetime.now(UTC)
        return _serve(data, chosen, settings, args.every, state=args.state)
    finally:
        lock.__exit__(None, None, None)


def _serve(
    data: str | Path,
    sources: dict[str, Source],
    settings: Settings,
    every: float | None,
    state: str | None = None,
) -> int:
    stop = StopSignal()
    runner = Runner(data, sources, settings, stop=stop, state=state)
    scheduler = build_scheduler(runner, every=every)
    assert isinstance(scheduler, BlockingScheduler)

    def on_signal(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            log.error("%s again: abandoning the current run (its fetched pages resume next time)", name)
            _abandon(1)
        log.info("%s: no new runs; the current one stops at its next document", name)
        stop.set(name)

    def stopper() -> None:
        stop.wait(None)
        with contextlib.suppress(Exception):
            scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    threading.Thread(target=stopper, name="scheduler-stopper", daemon=True).start()
    try:
        log.info(
            "scheduler started on %s with %d sources (pid %d); SIGTERM or Ctrl-C stops it",
            data,
            len(sources),
            os.getpid(),
        )
        for job in scheduler.get_jobs():
            detail = (
                runner.settings.timing(job.args[0]).describe(every)
                if job.args
                else f"{settings.compact} (UTC)"
            )
            log.info("%s: %s", job.name, detail)
        scheduler.start()  # blocks until the stopper shuts it down
        log.info("scheduler stopped; waiting for the current run (up to %.0f s)", settings.stop_timeout)
        if not runner.wait_idle(settings.stop_timeout):
            log.error("the current run did not stop within %.0f s: abandoning it", settings.stop_timeout)
            _abandon(1)
        write_state(scheduler, runner, running=False)
        log.info("scheduler exited cleanly")
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _abandon(status: int) -> None:
    """Exit now although a run's thread is busy (everything on disk is consistent)."""
    logging.shutdown()
    os._exit(status)


def _configure_logging(args: argparse.Namespace) -> None:
    """The log handlers (stderr, ``--log-file``) are the command line's (jobs/cli.py)."""
    if not getattr(args, "verbose", False):
        logging.getLogger("apscheduler").setLevel(logging.CRITICAL)  # our listeners say it once
