"""The scheduler: settings, cron semantics, catch-up, back-off, events, and the real process
against the fixture site on 127.0.0.1 (runs, logs, archives, stops cleanly on SIGTERM)."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from etl.archive.schema import RUNS
from etl.archive.store import Archive, load_articles
from etl.pipeline import Interrupted
from jobs import cli, schedule, status
from jobs.schedule import (
    DEFAULT_SCHEDULE,
    Runner,
    RunRecord,
    Settings,
    StopSignal,
    Timing,
    backoff_state,
    build_scheduler,
    crontab_trigger,
    crontab_weekdays,
    load_settings,
    missed_since,
    plan,
)
from jobs.sources import ConfigError, load_sources
from tests.conftest import ROOT
from tests.sitefixture import FixtureSite

NOW = datetime(2026, 6, 3, 12, 7, 30, tzinfo=UTC)  # a Wednesday
HTTP = """
[http]
user_agent = "news-archive-test/1.0 (+tests)"
rate_limit = 50.0
read_timeout = 5.0
retries = 0
backoff = 0.05
allow_addresses = ["127.0.0.1/32"]
"""


def feed(site: FixtureSite, *paths: str) -> bytes:
    items = "".join(f"<item><link>{site.base}{p}</link></item>" for p in paths)
    return f"<rss><channel>{items}</channel></rss>".encode()


def source_block(name: str, base: str, feed_path: str = "/t.xml") -> str:
    return f"""
[sources.{name}]
site = "{base}/"
feeds = ["{feed_path}"]
article_pattern = '^/(ar|ru|en)/'
"""


def write_sources(path: Path, blocks: dict[str, str]) -> Path:
    path.write_text(HTTP + "".join(source_block(n, b) for n, b in blocks.items()), encoding="utf-8")
    return path


def runs_frame(*rows: tuple[str, datetime, str]) -> pd.DataFrame:
    """Run rows (source, started_at, status) as read_runs() returns them."""
    records = [
        {
            "run_id": f"r{i}",
            "job": "scrape",
            "source": source,
            "started_at": started,
            "finished_at": started + timedelta(seconds=30),
            "seconds": 30.0,
            "status": status,
            "read": 1,
            "new": 1,
            "duplicates": 0,
            "near_duplicates": 0,
            "revisions": 0,
            "rejected": 0,
            "error": None,
        }
        for i, (source, started, status) in enumerate(rows)
    ]
    return pd.DataFrame(records, columns=RUNS.names)


# --- settings -------------------------------------------------------------------------------


def test_settings_defaults_overrides_and_the_shipped_file(tmp_path: Path) -> None:
    shipped = load_settings(DEFAULT_SCHEDULE)
    assert shipped.defaults == Timing() and shipped.compact == Settings().compact
    assert shipped.lock_wait == Settings().lock_wait and shipped.stop_timeout == Settings().stop_timeout

    path = tmp_path / "schedule.toml"
    path.write_text(
        '[defaults]\njitter = 5\nbackoff_after = 2\n[maintenance]\ncompact = ""\n'
        '[sources.ru]\ncron = "0 6 * * 1-5"\ntimezone = "Europe/Moscow"\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.timing("other") == Timing(jitter=5, backoff_after=2)
    ru = settings.timing("ru")
    assert (ru.cron, ru.timezone, ru.jitter, ru.backoff_after) == ("0 6 * * 1-5", "Europe/Moscow", 5, 2)
    assert settings.compact == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\ncorn = '* * * * *'\n", "defaults: unknown key 'corn'"),
        ("[defaults]\ncron = '*/15 * * *'\n", "defaults.cron: expected 5 fields"),
        ("[defaults]\ncron = '*/61 * * * *'\n", "defaults.cron:"),
        ("[sources.x]\ntimezone = 'Mars/Olympus'\n", "sources.x.timezone: unknown time zone 'Mars/Olympus'"),
        ("[sources.x]\ncron = '0 0 1 * 1'\n", "day of month or the day of week, not both"),
        ("[defaults]\njitter = -1\n", "defaults.jitter: expected an integer >= 0"),
        ("[scheduler]\nlock_wait = 'long'\n", "scheduler.lock_wait: expected a number >= 0"),
        ("[maintenance]\ncompact = 'daily'\n", "maintenance.compact.cron"),
        ("[schedule]\n", "unknown table 'schedule'"),
    ],
)
def test_settings_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "schedule.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert message in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("*", "*"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("*/2", "sun,tue,thu,sat"),
        ("5-7", "sun,fri,sat"),
        ("sat,sun", "sun,sat"),
        ("mon-fri/2", "mon,wed,fri"),
    ],
)
def test_crontab_weekday_numbers_mean_what_crontab_means(spec: str, days: str) -> None:
    assert crontab_weekdays(spec) == days


def test_cron_fires_in_the_source_time_zone_on_crontab_weekdays() -> None:
    trigger = crontab_trigger("0 6 * * 1", schedule.zone("Europe/Moscow"))  # Mondays 06:00 Moscow
    first = trigger.get_next_fire_time(None, NOW)
    assert first is not None and first.weekday() == 0  # Monday (APScheduler alone would say Tuesday)
    assert first.astimezone(UTC).hour == 3  # 06:00 MSK is 03:00 UTC


# --- catch-up and back-off ---------------------------------------------------------------------


def test_a_run_missed_during_downtime_is_detected_once() -> None:
    trigger = crontab_trigger("*/15 * * * *", UTC)
    assert missed_since(trigger, None, NOW) is None  # never ran: wait for the schedule
    assert missed_since(trigger, NOW - timedelta(minutes=5), NOW) is None  # 12:02:30: next is 12:15
    assert missed_since(trigger, NOW - timedelta(hours=3), NOW) == datetime(2026, 6, 3, 9, 15, tzinfo=UTC)


def test_backoff_after_n_failures_doubles_and_is_capped() -> None:
    timing = Timing(backoff_after=3, backoff=60, max_backoff=200)

    def records(*statuses: str) -> list[RunRecord]:
        return [
            RunRecord(NOW + timedelta(minutes=i), NOW + timedelta(minutes=i), s)
            for i, s in enumerate(statuses)
        ]

    assert backoff_state(records("failed", "failed"), timing).until is None
    assert backoff_state(records("failed", "failed", "ok"), timing).failures == 0
    three = backoff_state(records("ok", "failed", "failed", "interrupted", "failed", "killed"), timing)
    assert three.failures == 3 and three.until == NOW + timedelta(minutes=4, seconds=60)
    assert three.active(NOW + timedelta(minutes=4, seconds=59)) and not three.active(
        NOW + timedelta(minutes=5)
    )
    four = backoff_state(records(*["failed"] * 4), timing)
    assert four.until == NOW + timedelta(minutes=3, seconds=120)
    many = backoff_state(records(*["failed"] * 40), timing)
    assert many.until == NOW + timedelta(minutes=39, seconds=200)


def test_plan_one_job_per_source_with_catch_up_back_off_and_compaction(tmp_path: Path) -> None:
    config = write_sources(
        tmp_path / "s.toml", {n: "http://127.0.0.1:9" for n in ("fresh", "stale", "never", "failing")}
    )
    sources = load_sources(config).sources
    runs = runs_frame(
        ("fresh", NOW - timedelta(minutes=4), "ok"),
        ("stale", NOW - timedelta(days=2), "ok"),
        *[("failing", NOW - timedelta(minutes=50 - i), "failed") for i in range(3)],
    )
    settings = Settings(sources={"fresh": Timing(cron="0 * * * *", timezone="Asia/Tokyo")})
    jobs = {job.id: job for job in plan(Runner(tmp_path, sources, settings, runs=runs), now=NOW)}

    assert set(jobs) == {"scrape:fresh", "scrape:stale", "scrape:never", "scrape:failing", "compact"}
    assert jobs["scrape:fresh"].func == "jobs.schedule:scrape_job" and jobs["scrape:fresh"].args == ("fresh",)
    assert isinstance(jobs["scrape:fresh"].trigger, CronTrigger)
    assert str(jobs["scrape:fresh"].trigger.timezone) == "Asia/Tokyo"
    assert jobs["scrape:fresh"].next_run_time is None  # ran 4 minutes ago: the trigger decides
    assert jobs["scrape:never"].next_run_time is None
    assert jobs["scrape:stale"].next_run_time == NOW and "catching up once" in jobs["scrape:stale"].note
    failing = jobs["scrape:failing"]  # 3 failures, the last finished at 11:20 -> backed off to 12:20
    assert failing.next_run_time == datetime(2026, 6, 3, 12, 30, tzinfo=UTC) and "backed off" in failing.note
    assert isinstance(
        plan(Runner(tmp_path, sources, settings, runs=runs), every=1)[0].trigger, IntervalTrigger
    )


def test_scheduler_jobs_are_coalesced_single_instance_with_grace_and_jitter(tmp_path: Path) -> None:
    sources = load_sources(write_sources(tmp_path / "s.toml", {"a": "http://127.0.0.1:9"})).sources
    settings = Settings(defaults=Timing(jitter=30, misfire_grace_time=900))
    runs = runs_frame(("a", datetime.now(UTC) - timedelta(days=1), "ok"))
    scheduler = build_scheduler(
        Runner(tmp_path, sources, settings, runs=runs), scheduler_class=BackgroundScheduler
    )
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("scrape:a")
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)
        assert job.trigger.jitter == 30
        assert job.func_ref == "jobs.schedule:scrape_job"  # importable: any job store could load it
        assert job.next_run_time <= datetime.now(UTC)  # missed yesterday's runs: caught up at once
        assert scheduler.get_job("compact") is not None
    finally:
        scheduler.shutdown(wait=False)


def test_restart_picks_up_added_removed_and_changed_sources(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    timing = tmp_path / "schedule.toml"

    def jobs() -> dict[str, str]:
        runner = Runner(tmp_path, load_sources(config).sources, load_settings(timing))
        return {job.id: str(job.trigger) for job in plan(runner, now=NOW)}

    write_sources(config, {"a": "http://127.0.0.1:9", "b": "http://127.0.0.1:9"})
    timing.write_text('[sources.b]\ncron = "0 * * * *"\n', encoding="utf-8")
    before = jobs()
    write_sources(config, {"b": "http://127.0.0.1:9", "c": "http://127.0.0.1:9"})
    timing.write_text('[sources.b]\ncron = "30 2 * * *"\n', encoding="utf-8")
    after = jobs()
    assert set(before) == {"scrape:a", "scrape:b", "compact"}
    assert set(after) == {"scrape:b", "scrape:c", "compact"}
    assert "hour='*'" in before["scrape:b"] and "hour='2', minute='30'" in after["scrape:b"]


# --- events and stopping -------------------------------------------------------------------------


def test_listeners_log_errors_misses_and_max_instances(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = load_sources(write_sources(tmp_path / "s.toml", {"a": "http://127.0.0.1:9"})).sources
    runner = Runner(tmp_path, sources, Settings())
    scheduler = build_scheduler(runner, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        caplog.set_level(logging.INFO, logger="jobs.schedule")
        due = datetime.now(UTC) - timedelta(minutes=20)
        schedule.on_event(scheduler, runner, JobExecutionEvent(EVENT_JOB_MISSED, "scrape:a", "default", due))
        schedule.on_event(
            scheduler, runner, JobSubmissionEvent(EVENT_JOB_MAX_INSTANCES, "scrape:a", "default", [due])
        )
        error = JobExecutionEvent(
            EVENT_JOB_ERROR, "scrape:a", "default", due, exception=RuntimeError("boom"), traceback="tb"
        )
        schedule.on_event(scheduler, runner, error)
    finally:
        scheduler.shutdown(wait=False)
    text = caplog.text
    assert "scrape a: the run due at" in text and "was missed (more than 600 s late" in text
    assert "scrape a: still running at its next time: that run skipped" in text
    assert "scrape a: the job raised RuntimeError('boom')" in text
    state = json.loads((tmp_path / schedule.STATE_FILE).read_text())
    assert state["pid"] == os.getpid() and state["jobs"]["scrape:a"]["next_run"]


def test_stop_ends_the_input_after_the_current_document_and_wakes_polite_waits() -> None:
    stop = StopSignal()
    closed = []

    def inputs() -> Iterator[int]:
        try:
            yield from range(10)
        finally:
            closed.append(True)

    taken = []
    with pytest.raises(Interrupted, match="SIGTERM"):
        for item in stop.guard(inputs()):  # type: ignore[arg-type]
            taken.append(item)
            if item == 2:
                stop.set("SIGTERM")
    assert taken == [0, 1, 2] and closed == [True]
    started = time.monotonic()
    with pytest.raises(BaseException, match="SIGTERM"):
        stop.sleep(30)
    assert time.monotonic() - started < 1


def test_a_crashed_run_is_recorded_as_failed_and_counts_towards_back_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = load_sources(write_sources(tmp_path / "s.toml", {"a": "http://127.0.0.1:9"})).sources
    runner = Runner(tmp_path / "data", sources, Settings(defaults=Timing(backoff_after=2)))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(schedule, "scrape_until_stopped", crash)
    assert runner.scrape("a").status == "failed"  # type: ignore[union-attr]
    assert runner.scrape("a").status == "failed"  # type: ignore[union-attr]
    assert runner.scrape("a") is None  # backed off: not even tried
    runs = Archive(tmp_path / "data").read("runs").to_pandas()
    assert runs["status"].tolist() == ["failed", "failed"]
    assert runs["error"].tolist() == ["RuntimeError: disk on fire"] * 2


# --- the real process ------------------------------------------------------------------------------


def _schedule_cmd(config: Path, timing: Path, data: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jobs",
        "schedule",
        "--config",
        str(config),
        "--schedule",
        str(timing),
        "--data",
        str(data),
        *extra,
    ]


def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _status(data: Path, config: Path, timing: Path) -> dict:
    return json.loads(json.dumps(status.collect(data, config, timing)))  # what --json prints


@pytest.mark.slow
def test_scheduler_runs_logs_and_archives_then_stops_cleanly_on_sigterm_mid_run(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "schedule.log"
    with FixtureSite(crawl_delay=0.0, slow_seconds=2.0) as site:
        site.pages["/t.xml"] = feed(site, "/en/2024/04/wheat-harvest.html", "/en/2024/02/council-budget.html")
        config = write_sources(tmp_path / "s.toml", {"t": site.base})
        timing = tmp_path / "schedule.toml"
        timing.write_text('[defaults]\njitter = 0\n[maintenance]\ncompact = ""\n', encoding="utf-8")
        with open(tmp_path / "stderr", "w") as stderr:
            process = subprocess.Popen(
                _schedule_cmd(config, timing, data, "--every", "1", "--log-file", str(log)),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            runs = lambda: Archive(data).read("runs").num_rows if (data / "runs").exists() else 0  # noqa: E731
            _wait_for(lambda: runs() >= 2, 30, "two scheduled runs")
            report = _status(data, config, timing)
            assert report["scheduler"]["running"] and report["scheduler"]["pid"] == process.pid
            (t,) = report["sources"]
            assert t["last_run"]["status"] == "ok" and t["articles"]["total"] == 2
            assert datetime.fromisoformat(t["next_run"]) - datetime.now(UTC) < timedelta(seconds=5)

            # a new, slow article: SIGTERM while the run waits for it
            site.pages["/t.xml"] = feed(
                site, "/en/2024/04/wheat-harvest.html", "/en/2024/05/slow-report.html"
            )
            _wait_for(lambda: site.requests_for("/en/2024/05/slow-report.html"), 30, "the slow page")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()

    text = log.read_text(encoding="utf-8")
    assert "t: run " in text and " ok: read 2, new 2, duplicates 0" in text  # each run logged with its counts
    assert "SIGTERM: no new runs" in text and "scheduler exited cleanly" in text
    runs = Archive(data).read("runs").to_pandas().sort_values("started_at")
    assert runs["status"].iloc[-1] == "interrupted" and runs["error"].iloc[-1] == "stopped by SIGTERM"
    assert (runs["status"].iloc[:-1] == "ok").all() and runs["new"].sum() == 3
    articles = pd.read_parquet(data / "articles")  # plain pandas reads it: nothing half-written
    assert len(articles) == 3 and articles["url"].is_unique
    assert "/en/2024/05/slow-report.html" in " ".join(articles["url"])  # the page it waited for is in
    assert not list(data.rglob("*.tmp")) and len(load_articles(data)) == 3
    assert json.loads((data / schedule.STATE_FILE).read_text())["running"] is False
    assert _status(data, config, timing)["scheduler"]["running"] is False


@pytest.mark.slow
def test_idle_scheduler_stops_on_sigint_and_a_second_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_sources(tmp_path / "s.toml", {"a": f"http://127.0.0.1:{port}"})
    timing = tmp_path / "schedule.toml"
    timing.write_text('[defaults]\ncron = "0 0 1 1 *"\n', encoding="utf-8")  # not due during the test
    with open(tmp_path / "stderr", "w") as stderr:
        first = subprocess.Popen(_schedule_cmd(config, timing, data), cwd=ROOT, stderr=stderr)
    try:
        _wait_for(lambda: (data / schedule.STATE_FILE).exists(), 30, "the scheduler to start")
        assert cli.main(_schedule_cmd(config, timing, data)[3:]) == 75  # a second scheduler, in this process
        assert f"a scheduler already runs on {data} (pid {first.pid}" in capsys.readouterr().err
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert "scheduler exited cleanly" in (tmp_path / "stderr").read_text()
    assert not (data / "runs").exists()  # nothing was due, nothing was written
