"""``news-archive status``: what the scheduled runs did, per source.

Read-only: run rows from ``data/runs/``, rejects for failed runs, the articles' run ids, and
``data/scheduler.json`` when a scheduler holds the data directory. Per source: the last run
(time, duration, counts, outcome), the last error, failed runs in a row, the back-off, the
articles archived in total and in the last 24 hours, and the next scheduled run.

``--plot FILE.png`` draws articles per publication day (fetch day when the page states none),
one row per source and per language, over the days the archive covers (weeks, months or
years when that is more than MAX_BINS days), periods without any article in pale red, so a
gap in coverage shows at a glance. The PNG is written by the standard library alone (zlib),
with a built-in 5x7 pixel font: no plotting package to install. ``--html FILE`` writes the
whole status as one page (jobs/status_page.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds

from etl.archive.store import on_s3, open_archive
from jobs.schedule import (
    DEFAULT_SCHEDULE,
    Settings,
    backoff_state,
    history,
    load_settings,
    next_time,
    read_runs,
    read_state,
    scheduler_home,
)
from jobs.sources import DEFAULT_CONFIG, ConfigError, Source, load_sources

MAX_BINS = 120  # bars or cells per chart: days, else weeks, months or years
RUN_FIELDS = (
    "run_id",
    "job",
    "started_at",
    "finished_at",
    "seconds",
    "status",
    "read",
    "new",
    "duplicates",
    "near_duplicates",
    "revisions",
    "rejected",
    "error",
)


def main(args: argparse.Namespace) -> int:
    report = collect(args.data, args.config, args.schedule, crawl_state=args.state)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(render(report))
    if args.plot:
        path = plot(args.data, args.plot, args.config)
        if not args.json:
            print(f"\nplot: {path}")
    if args.html:
        from jobs.status_page import write_page

        path = write_page(args.data, args.html, args.config, args.schedule, crawl_state=args.state)
        if not args.json:
            print(f"\npage: {path}")
    return 0


# --- the report -----------------------------------------------------------------------------


def collect(
    data_dir: str | os.PathLike[str],
    config_path: str | os.PathLike[str] | None = None,
    schedule_path: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    crawl_state: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """The status as plain data (what ``--json`` prints). ``crawl_state``: for an archive on
    S3, the crawl state file beside which its scheduler (if any) keeps its files."""
    now = now or datetime.now(UTC)
    data = data_dir  # a directory, or s3://bucket/prefix (etl.archive.objectstore)
    warnings: list[str] = []
    sources: dict[str, Source] = {}
    try:
        sources = load_sources(config_path or DEFAULT_CONFIG).sources
    except ConfigError as exc:
        warnings.append(str(exc))
    settings = Settings()
    try:
        settings = load_settings(schedule_path or DEFAULT_SCHEDULE)
    except ConfigError as exc:
        warnings.append(str(exc))
    runs = read_runs(data)
    records = history(runs)
    state = None if on_s3(data) and crawl_state is None else read_state(scheduler_home(data, crawl_state))
    articles = attributed_articles(data, runs, sources)
    recent = articles["archived_at"] >= now - timedelta(hours=24)

    names = list(sources) + sorted(set(records) - set(sources))
    per_source = []
    for name in names:
        source = sources.get(name)
        timing = settings.timing(name)
        own = runs[runs["source"] == name]
        backoff = backoff_state(records.get(name, []), timing)
        mine = articles["source"] == name
        per_source.append(
            {
                "name": name,
                "configured": source is not None,
                "enabled": bool(source and source.enabled),
                "schedule": timing.describe(),
                "runs": len(own),
                "last_run": _run(own.iloc[-1]) if len(own) else None,
                "last_error": _last_error(data, own),
                "consecutive_failures": backoff.failures,
                "backoff": {
                    "active": backoff.active(now),
                    "until": _iso(backoff.until) if backoff.active(now) else None,
                    "after_failures": timing.backoff_after,
                },
                "articles": {"total": int(mine.sum()), "last_24h": int((mine & recent).sum())},
                "next_run": _next_run(name, source, state, timing, backoff, now),
            }
        )
    return {
        "data": str(data),
        "generated_at": _iso(now),
        "scheduler": {
            "running": state is not None,
            "pid": state.get("pid") if state else None,
            "started_at": state.get("started_at") if state else None,
        },
        "articles": {
            "total": len(articles),
            "last_24h": int(recent.sum()),
            "without_source": int(articles["source"].isna().sum()),
        },
        "sources": per_source,
        "warnings": warnings,
    }


def attributed_articles(
    data: str | os.PathLike[str], runs: pd.DataFrame, sources: Mapping[str, Source]
) -> pd.DataFrame:
    """One row per archived article version: its source (the run's, else the source whose
    hosts hold its site), language, agency, day (publication, else fetch), fetch day and when
    it was archived."""
    table = open_archive(data).read(
        "articles", columns=["run_id", "site", "language", "agency", "published_date", "fetched_at"]
    )
    df = table.to_pandas()
    run_source = dict(zip(runs["run_id"], runs["source"], strict=True))
    run_finished = dict(zip(runs["run_id"], runs["finished_at"], strict=True))
    hosts = {host: name for name, source in sources.items() for host in source.host_names}
    source = df["run_id"].map(run_source).astype(object)
    source = source.where(source.notna(), df["site"].map(hosts).astype(object))
    archived = pd.to_datetime(df["run_id"].map(run_finished), utc=True)
    archived = archived.where(archived.notna(), pd.to_datetime(df["fetched_at"], utc=True))
    published = pd.to_datetime(df["published_date"].astype(object), errors="coerce")
    fetched = df["fetched_at"].dt.date
    return pd.DataFrame(
        {
            "source": source,
            "language": df["language"].astype(object),
            "agency": df["agency"].astype(object),
            "day": published.dt.date.where(published.notna(), fetched),
            "fetch_day": fetched,
            "archived_at": pd.to_datetime(archived, utc=True),
        }
    )


def _run(row: pd.Series) -> dict[str, Any]:
    out = {}
    for key in RUN_FIELDS:
        value = row[key]
        if isinstance(value, pd.Timestamp):
            value = _iso(value.to_pydatetime())
        elif pd.isna(value):
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = round(value, 3) if isinstance(value, float) else value
    return out


def _last_error(data: str | os.PathLike[str], runs: pd.DataFrame) -> dict[str, Any] | None:
    """The latest failed run: its error, or for a run whose every input was rejected, the reasons."""
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return None
    row = failed.iloc[-1]
    message = row["error"] if isinstance(row["error"], str) else None
    if message is None:
        rejects = open_archive(data).read(
            "rejects", columns=["origin", "reason"], filter=ds.field("run_id") == row["run_id"]
        )
        reasons = [f"{o}: {r}" for o, r in zip(*(c.to_pylist() for c in rejects.columns), strict=True)]
        more = f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else ""
        message = "; ".join(reasons[:3]) + more if reasons else "every input was rejected"
    return {"at": _iso(row["finished_at"].to_pydatetime()), "run_id": row["run_id"], "message": message}


def _next_run(
    name: str,
    source: Source | None,
    state: dict[str, Any] | None,
    timing: Any,
    backoff: Any,
    now: datetime,
) -> str | None:
    """The running scheduler's time for the source; without a scheduler, the time it would
    choose for an enabled source (the cron without jitter, after any back-off)."""
    if state is not None:
        job = state.get("jobs", {}).get(f"scrape:{name}") or {}
        return job.get("next_run")
    if source is None or not source.enabled:
        return None
    when = next_time(timing.trigger(jitter=False), now, backoff)
    return _iso(when) if when else None


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment is not None else None


# --- text -----------------------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    scheduler = report["scheduler"]
    if scheduler["running"]:
        who = f"scheduler running (pid {scheduler['pid']}, since {_short(scheduler['started_at'])})"
    else:
        who = "no scheduler running (next runs: when one would start them)"
    total = report["articles"]
    lines = [
        f"{report['data']}: {total['total']} articles, {total['last_24h']} in the last 24 h; {who}",
    ]
    for warning in report["warnings"]:
        lines.append(f"warning: {warning}")
    if not report["sources"]:
        lines.append("no sources configured and no runs recorded yet")
    for src in report["sources"]:
        state = "" if src["enabled"] else " (disabled)" if src["configured"] else " (not in sources.toml)"
        lines.append("")
        lines.append(f"{src['name']}{state}  schedule {src['schedule']}")
        run = src["last_run"]
        if run is None:
            lines.append("  last run      never")
        else:
            counts = ", ".join(
                f"{key.replace('_', '-')} {run[key]}"
                for key in ("read", "new", "duplicates", "near_duplicates", "revisions", "rejected")
            )
            lines.append(
                f"  last run      {_short(run['started_at'])}, {run['seconds'] or 0:.1f} s, "
                f"{run['status']}: {counts}"
            )
        error = src["last_error"]
        lines.append(
            f"  last error    {_short(error['at'])}: {error['message']}" if error else "  last error    none"
        )
        lines.append(f"  failures      {src['consecutive_failures']} in a row")
        backoff = src["backoff"]
        lines.append(
            f"  back-off      until {_short(backoff['until'])}" if backoff["active"] else "  back-off      no"
        )
        lines.append(
            f"  articles      {src['articles']['total']} total, "
            f"{src['articles']['last_24h']} in the last 24 h"
        )
        lines.append(f"  next run      {_short(src['next_run']) if src['next_run'] else 'not scheduled'}")
    return "\n".join(lines)


def _short(iso: str | None) -> str:
    if not iso:
        return "?"
    return f"{datetime.fromisoformat(iso).astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


# --- the plot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bins:
    """Consecutive periods from an archive's first day to its last: days when they fit in
    MAX_BINS, else weeks (from Monday), months or years."""

    unit: str  # day, week, month or year
    starts: list[date]  # the first day of each period

    @classmethod
    def covering(cls, days: Iterable[date]) -> Bins:
        known = [d for d in days if isinstance(d, date)]
        first, last = (min(known), max(known)) if known else (datetime.now(UTC).date(),) * 2
        for unit in ("day", "week", "month", "year"):
            starts = [floor(first, unit)]
            while (step := _next(starts[-1], unit)) <= last:
                starts.append(step)
            if len(starts) <= MAX_BINS:
                break
        return cls(unit, starts)

    def periods(self, days: pd.Series) -> pd.Series:
        """The period of each day (days inside the range), found once per distinct day."""
        position = {start: i for i, start in enumerate(self.starts)}
        return days.map({day: position[floor(day, self.unit)] for day in days.unique()})

    def label(self, start: date) -> str:
        return {"day": f"{start}", "week": f"week of {start}", "month": f"{start:%Y-%m}"}.get(
            self.unit, f"{start:%Y}"
        )

    def ticks(self) -> list[tuple[int, str]]:
        """(period, label) where a coarser period begins: months on days and weeks, years on
        months and years."""
        ticks, previous = [], None
        for i, start in enumerate(self.starts):
            coarse = f"{start:%Y-%m}" if self.unit in ("day", "week") else f"{start:%Y}"
            if coarse != previous:
                ticks.append((i, coarse))
            previous = coarse
        return ticks


def floor(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def _next(start: date, unit: str) -> date:
    if unit == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if unit == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=7 if unit == "week" else 1)


MISSING = {"source": "(no source)", "language": "(unknown)", "agency": "(none)"}


def counts_by(
    articles: pd.DataFrame, key: str, day: str, bins: Bins, first: Iterable[str] = ()
) -> list[tuple[str, list[int]]]:
    """Articles per period for each value of ``key`` (MISSING names a missing one): the
    names in ``first`` in that order, then the others, most articles first."""
    keys = articles[key].fillna(MISSING[key]).astype(str)
    periods = bins.periods(articles[day])
    counts = articles.groupby([keys, periods]).size()
    totals = keys.value_counts()
    names = [n for n in first if n in totals.index] + [n for n in totals.index if n not in set(first)]
    return [(name, [int(counts.get((name, i), 0)) for i in range(len(bins.starts))]) for name in names]


def plot(
    data_dir: str | os.PathLike[str],
    path: str | os.PathLike[str],
    config_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Articles per publication period and source, and per period and language, as a PNG."""
    data = data_dir  # a directory, or s3://bucket/prefix
    try:
        sources = load_sources(config_path or DEFAULT_CONFIG).sources
    except ConfigError:
        sources = {}
    articles = attributed_articles(data, read_runs(data), sources)
    bins = Bins.covering(articles["day"])
    sections = [
        ("by source", counts_by(articles, "source", "day", bins, sources)[:40]),
        ("by language", counts_by(articles, "language", "day", bins)[:40]),
    ]
    last = _next(bins.starts[-1], bins.unit) - timedelta(days=1)
    title = f"articles per {bins.unit} of publication, {bins.starts[0]} to {last}"
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(heatmap_png(title, bins, sections))
    return out


_GAP = (246, 205, 205)
_INK = (40, 40, 40)
_SCALE = 2  # font pixels per glyph pixel
_CHAR = 6 * _SCALE  # pixels per character
_CELL = 8  # pixels per period
_ROW = 20


def heatmap_png(title: str, bins: Bins, sections: list[tuple[str, list[tuple[str, list[int]]]]]) -> bytes:
    """One row per name, one cell per period: pale red for none, light to dark blue for more."""
    labels = [name for _, rows in sections for name, _ in rows]
    label_w = _CHAR * max([14, *(min(len(n), 24) for n in labels)]) + 12
    grid_w = _CELL * len(bins.starts)
    total_w = _CHAR * 8
    width = 16 + label_w + max(grid_w, _CHAR * len("0000-00")) + 12 + total_w
    height = 16 + 3 * _ROW + sum(_ROW * (len(rows) + 1) for _, rows in sections) + 2 * _ROW
    width = max(width, 16 + _CHAR * len(title) + 16)
    canvas = _Canvas(width, height)
    x0 = 16 + label_w
    canvas.text(16, 12, title, _INK)
    y = 12 + _ROW + 4
    for x, text in tick_positions(bins, _CELL, _CHAR):  # coarser period starts: a tick and its name
        canvas.rect(x0 + x, y + 7 * _SCALE + 3, 1, 6, _INK)
        canvas.text(x0 + x, y, text, _INK)
    total_x = x0 + max(grid_w, _CHAR * len("0000-00")) + 12
    canvas.text(total_x, y, "total", _INK)
    y += 2 * _ROW
    for title_text, rows in sections:
        canvas.text(16, y + 3, title_text, (90, 90, 90))
        y += _ROW
        for name, counts in rows:
            canvas.text(16, y + 3, name[:24], _INK)
            top = max(counts) or 1
            for i, count in enumerate(counts):
                colour = _GAP if count == 0 else _blue(math.sqrt(count / top))
                canvas.rect(x0 + i * _CELL, y, _CELL - 1, _ROW - 4, colour)
            canvas.text(total_x, y + 3, str(sum(counts)), _INK)
            y += _ROW
    canvas.rect(16, y + 4, 14, 14, _GAP)
    canvas.text(36, y + 6, f"no article that {bins.unit}", _INK)
    canvas.rect(16 + 24 * _CHAR, y + 4, 14, 14, _blue(0.15))
    canvas.rect(16 + 24 * _CHAR + 16, y + 4, 14, 14, _blue(1.0))
    canvas.text(16 + 24 * _CHAR + 36, y + 6, "few to most in the row", _INK)
    return canvas.png()


def tick_positions(bins: Bins, cell: float, char: float) -> list[tuple[float, str]]:
    """Where to write each tick label on a grid of ``cell``-wide periods: a label that would
    run into the previous one, or past the grid's end, is left out (the last month used to
    overwrite the "total" header)."""
    end = max(cell * len(bins.starts), char * len("0000-00"))
    placed: list[tuple[float, str]] = []
    for i, text in bins.ticks():
        x = i * cell
        if x + char * len(text) > end or (placed and x < placed[-1][0] + char * (len(placed[-1][1]) + 1)):
            continue
        placed.append((x, text))
    return placed


def _blue(level: float) -> tuple[int, int, int]:
    light, dark = (198, 219, 239), (8, 48, 107)
    return tuple(round(a + (b - a) * level) for a, b in zip(light, dark, strict=True))  # type: ignore[return-value]


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def rect(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        row = bytes(colour) * max(0, min(w, self.width - x))
        for yy in range(max(0, y), min(self.height, y + h)):
            start = (yy * self.width + max(0, x)) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x: int, y: int, text: str, colour: tuple[int, int, int]) -> None:
        for char in text:
            glyph = _FONT.get(char) or _FONT.get(char.lower()) or _FONT["?"]
            for row, bits in enumerate(glyph):
                for col in range(5):
                    if bits & (0x10 >> col):
                        self.rect(x + col * _SCALE, y + row * _SCALE, _SCALE, _SCALE, colour)
            x += 6 * _SCALE

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height)
        )

        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


# 5x7 glyphs, one row per hex number (bit 4 is the leftmost pixel).
_FONT_ROWS = {
    " ": "00 00 00 00 00 00 00",
    "0": "0E 11 13 15 19 11 0E",
    "1": "04 0C 04 04 04 04 0E",
    "2": "0E 11 01 02 04 08 1F",
    "3": "1F 02 04 02 01 11 0E",
    "4": "02 06 0A 12 1F 02 02",
    "5": "1F 10 1E 01 01 11 0E",
    "6": "06 08 10 1E 11 11 0E",
    "7": "1F 01 02 04 08 08 08",
    "8": "0E 11 11 0E 11 11 0E",
    "9": "0E 11 11 0F 01 02 0C",
    "A": "0E 11 11 11 1F 11 11",
    "B": "1E 11 11 1E 11 11 1E",
    "C": "0E 11 10 10 10 11 0E",
    "D": "1C 12 11 11 11 12 1C",
    "E": "1F 10 10 1E 10 10 1F",
    "F": "1F 10 10 1E 10 10 10",
    "G": "0E 11 10 17 11 11 0F",
    "H": "11 11 11 1F 11 11 11",
    "I": "0E 04 04 04 04 04 0E",
    "J": "07 02 02 02 02 12 0C",
    "K": "11 12 14 18 14 12 11",
    "L": "10 10 10 10 10 10 1F",
    "M": "11 1B 15 15 11 11 11",
    "N": "11 11 19 15 13 11 11",
    "O": "0E 11 11 11 11 11 0E",
    "P": "1E 11 11 1E 10 10 10",
    "Q": "0E 11 11 11 15 12 0D",
    "R": "1E 11 11 1E 14 12 11",
    "S": "0F 10 10 0E 01 01 1E",
    "T": "1F 04 04 04 04 04 04",
    "U": "11 11 11 11 11 11 0E",
    "V": "11 11 11 11 11 0A 04",
    "W": "11 11 11 15 15 15 0A",
    "X": "11 11 0A 04 0A 11 11",
    "Y": "11 11 11 0A 04 04 04",
    "Z": "1F 01 02 04 08 10 1F",
    "a": "00 00 0E 01 0F 11 0F",
    "b": "10 10 16 19 11 11 1E",
    "c": "00 00 0E 10 10 11 0E",
    "d": "01 01 0D 13 11 11 0F",
    "e": "00 00 0E 11 1F 10 0E",
    "f": "06 09 08 1C 08 08 08",
    "g": "00 0F 11 11 0F 01 0E",
    "h": "10 10 16 19 11 11 11",
    "i": "04 00 0C 04 04 04 0E",
    "j": "02 00 06 02 02 12 0C",
    "k": "10 10 12 14 18 14 12",
    "l": "0C 04 04 04 04 04 0E",
    "m": "00 00 1A 15 15 11 11",
    "n": "00 00 16 19 11 11 11",
    "o": "00 00 0E 11 11 11 0E",
    "p": "00 00 1E 11 1E 10 10",
    "q": "00 00 0D 13 0F 01 01",
    "r": "00 00 16 19 10 10 10",
    "s": "00 00 0E 10 0E 01 1E",
    "t": "08 08 1C 08 08 09 06",
    "u": "00 00 11 11 11 13 0D",
    "v": "00 00 11 11 11 0A 04",
    "w": "00 00 11 11 15 15 0A",
    "x": "00 00 11 0A 04 0A 11",
    "y": "00 00 11 11 0F 01 0E",
    "z": "00 00 1F 02 04 08 1F",
    "-": "00 00 00 1F 00 00 00",
    "_": "00 00 00 00 00 00 1F",
    ".": "00 00 00 00 00 0C 0C",
    ",": "00 00 00 00 0C 04 08",
    ":": "00 0C 0C 00 0C 0C 00",
    "(": "02 04 08 08 08 04 02",
    ")": "08 04 02 02 02 04 08",
    "/": "00 01 02 04 08 10 00",
    "+": "00 04 04 1F 04 04 00",
    "?": "0E 11 01 02 04 00 04",
}
_FONT = {char: tuple(int(h, 16) for h in rows.split()) for char, rows in _FONT_ROWS.items()}
