"""``python -m jobs status`` after real runs against the fixture site: a healthy source, a
source whose host refuses connections until it is backed off, and a local backfill."""

from __future__ import annotations

import itertools
import json
import socket
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from etl.pipeline import RunSummary
from jobs import cli
from jobs.schedule import Runner, load_settings
from jobs.sources import load_sources
from jobs.status import collect, heatmap_png, render
from tests.conftest import SEEDS
from tests.jobs.test_schedule import feed, write_sources
from tests.sitefixture import FixtureSite

GOOD = ("/en/2024/04/wheat-harvest.html", "/en/2024/02/council-budget.html")


@dataclass
class Scenario:
    data: Path
    config: Path
    schedule: Path
    good: list[RunSummary | None]
    down: list[RunSummary | None]
    report: dict[str, Any]
    now: datetime


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    tmp = tmp_path_factory.mktemp("status")
    data = tmp / "data"
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    schedule = tmp / "schedule.toml"
    schedule.write_text(
        '[defaults]\nbackoff_after = 2\nbackoff = 3600\n[sources.good]\ncron = "0 * * * *"\n'
        'timezone = "Europe/Moscow"\n',
        encoding="utf-8",
    )
    with FixtureSite(crawl_delay=0.0) as site:
        site.pages["/t.xml"] = feed(site, *GOOD)
        config = write_sources(tmp / "s.toml", {"good": site.base, "down": f"http://127.0.0.1:{closed}"})
        runner = Runner(data, load_sources(config).sources, load_settings(schedule))
        good = [runner.scrape("good"), runner.scrape("good")]
        down = [runner.scrape("down") for _ in range(3)]
    assert (
        cli.main(["backfill", str(SEEDS / "000_2a54357175af2b52.txt"), "--data", str(data), "--no-progress"])
        == 0
    )
    now = datetime.now(UTC)
    return Scenario(data, config, schedule, good, down, collect(data, config, schedule, now=now), now)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {source["name"]: source for source in report["sources"]}


def test_healthy_source_last_run_counts_articles_and_next_run(scenario: Scenario) -> None:
    good = by_name(scenario.report)["good"]
    assert good["configured"] and good["enabled"] and good["runs"] == 2
    run = good["last_run"]
    assert set(run) == {
        "run_id", "job", "started_at", "finished_at", "seconds", "status", "read", "new", "duplicates",
        "near_duplicates", "revisions", "rejected", "error",
    }  # fmt: skip
    assert run["run_id"] == scenario.good[1].run_id and run["status"] == "ok" and run["new"] == 0
    assert run["seconds"] >= 0 and datetime.fromisoformat(run["finished_at"]) <= scenario.now
    assert good["last_error"] is None and good["consecutive_failures"] == 0
    assert good["backoff"] == {"active": False, "until": None, "after_failures": 2}
    assert good["articles"] == {"total": 2, "last_24h": 2}
    assert good["schedule"] == "0 * * * * (Europe/Moscow)"
    next_run = datetime.fromisoformat(good["next_run"])
    assert next_run > scenario.now and next_run - scenario.now <= timedelta(hours=1)
    assert (next_run.minute, next_run.second) == (0, 0)


def test_failing_source_shows_its_error_failures_and_back_off(scenario: Scenario) -> None:
    down = by_name(scenario.report)["down"]
    assert [s.status if s else None for s in scenario.down] == ["failed", "failed", None]  # third: backed off
    assert down["runs"] == 2 and down["last_run"]["status"] == "failed"
    assert down["last_run"]["rejected"] == down["last_run"]["read"] == 1
    error = down["last_error"]
    assert error["run_id"] == scenario.down[1].run_id
    assert "/t.xml: robots.txt unavailable: connection failed" in error["message"]
    assert down["consecutive_failures"] == 2
    until = datetime.fromisoformat(down["backoff"]["until"])
    assert down["backoff"]["active"] and timedelta(minutes=59) < until - scenario.now <= timedelta(hours=1)
    assert datetime.fromisoformat(down["next_run"]) >= until  # the next run after the back-off
    assert down["articles"] == {"total": 0, "last_24h": 0}
    assert by_name(scenario.report)["good"]["last_run"]["status"] == "ok"  # the other source goes on


def test_totals_scheduler_and_articles_without_a_source(scenario: Scenario) -> None:
    report = scenario.report
    assert report["scheduler"] == {"running": False, "pid": None, "started_at": None}
    assert report["articles"] == {"total": 3, "last_24h": 3, "without_source": 1}  # + the local backfill
    assert report["warnings"] == []


def test_text_and_json_output_of_the_command(scenario: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "status",
        "--data",
        str(scenario.data),
        "--config",
        str(scenario.config),
        "--schedule",
        str(scenario.schedule),
    ]
    assert cli.main([*args, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert by_name(printed)["down"]["backoff"]["active"] and printed["articles"]["total"] == 3
    assert cli.main(args) == 0
    text = capsys.readouterr().out
    assert "3 articles, 3 in the last 24 h; no scheduler running" in text
    assert "  last run      " in text and ", ok: read 0, new 0, duplicates 0" in text
    assert "  last error    " in text and "robots.txt unavailable: connection failed" in text
    assert "  failures      2 in a row" in text and "  back-off      until " in text
    assert "  articles      2 total, 2 in the last 24 h" in text and "  next run      " in text
    assert (
        render(collect(scenario.data / "empty", scenario.config, scenario.schedule)).count(
            "last run      never"
        )
        == 2
    )


def _pixels(png: bytes) -> tuple[int, int, set[tuple[int, int, int]], list[bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])[0]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = [raw[y * (width * 3 + 1) + 1 : (y + 1) * (width * 3 + 1)] for y in range(height)]
    colours = {tuple(row[i : i + 3]) for row in rows for i in range(0, len(row), 3)}
    return width, height, colours, rows  # type: ignore[return-value]


def test_plot_covers_the_days_the_archive_holds(scenario: Scenario, tmp_path: Path) -> None:
    """Seed pages from 2020 and 2025 and fixture pages from 2024: the grid spans November 2020
    to the last page's month (not the 90 days before today, which would be empty)."""
    from jobs import status

    out = status.plot(scenario.data, tmp_path / "plots" / "coverage.png", scenario.config)
    articles = status.attributed_articles(
        scenario.data, status.read_runs(scenario.data), load_sources(scenario.config).sources
    )
    bins = status.Bins.covering(articles["day"])
    assert bins.unit == "month" and bins.starts[0] == date(2020, 11, 1)
    assert bins.starts[-1] == max(articles["day"]).replace(day=1)
    rows = dict(status.counts_by(articles, "source", "day", bins, ["good", "down"]))
    assert list(rows) == ["good", "(no source)"] and sum(map(sum, rows.values())) == len(articles)
    assert rows["good"][bins.starts.index(date(2024, 4, 1))] == 1
    width, height, colours, _ = _pixels(out.read_bytes())
    assert width >= len(bins.starts) * status._CELL and height > 100
    assert status._GAP in colours  # months without articles
    assert any(b > r + 30 for r, g, b in colours)  # blue cells: the months with articles
    # the command writes the file too
    args = [
        "status",
        "--data",
        str(scenario.data),
        "--config",
        str(scenario.config),
        "--plot",
        str(tmp_path / "p.png"),
    ]
    assert cli.main(args) == 0 and (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("first", "last", "unit", "count"),
    [
        (date(2026, 3, 1), date(2026, 3, 1), "day", 1),
        (date(2026, 1, 1), date(2026, 4, 30), "day", 120),
        (date(2026, 1, 1), date(2026, 5, 1), "week", 18),  # 2025-12-29 to 2026-04-27
        (date(2020, 11, 11), date(2026, 12, 5), "month", 74),
        (date(1995, 6, 1), date(2026, 12, 5), "year", 32),
    ],
)
def test_periods_are_the_shortest_unit_that_fits(first: date, last: date, unit: str, count: int) -> None:
    from jobs.status import MAX_BINS, Bins

    bins = Bins.covering([last, first])
    assert (bins.unit, len(bins.starts)) == (unit, count) and count <= MAX_BINS
    assert bins.starts[0] <= first and bins.starts[-1] <= last
    assert bins.periods(pd.Series([first, last])).tolist() == [0, count - 1]


def test_month_labels_never_run_past_the_grid_into_the_total_column() -> None:
    from jobs.status import Bins, tick_positions

    days = [date(2026, 11, 2) + timedelta(days=i) for i in range(30)]  # the last day starts December
    bins = Bins.covering(days)
    assert tick_positions(bins, cell=8, char=12) == [(0, "2026-11")]  # "2026-12" ran into "total"
    bins = Bins.covering([date(2025, 1, 5), date(2026, 12, 1)])  # weeks: a month every 4-5 cells
    ticks = tick_positions(bins, cell=8, char=12)
    assert len(ticks) > 5 and ticks[-1][0] + 12 * 7 <= 8 * len(bins.starts)
    assert all(x + 12 * len(text) < x2 for (x, text), (x2, _) in itertools.pairwise(ticks))


def test_heatmap_cells_follow_the_counts() -> None:
    from jobs.status import Bins

    bins = Bins.covering([date(2026, 1, 1), date(2026, 1, 3)])
    png = heatmap_png("t", bins, [("by source", [("a", [0, 5, 10])])])
    _, _, colours, _ = _pixels(png)
    assert (8, 48, 107) in colours and (246, 205, 205) in colours  # the busiest day, and a gap
