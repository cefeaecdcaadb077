"""``news-archive status --html FILE``: the status as one self-contained HTML page.

No script, no external asset, no network: inline CSS and SVG charts drawn here, and a
Content-Security-Policy that forbids anything else. Everything that comes from the archive
(names, titles, URLs, reasons) is HTML-escaped: pages and feeds are hostile input.

The page shows per source the last run, failures in a row, back-off, articles in total and
in 24 h and the next run; articles per period by source and by language over the range the
archive covers, by publication date beside fetch date; languages and agencies; duplicates
and near-duplicates per run; the latest duplicates and rejects with their reasons.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from etl.archive.store import open_archive
from jobs.schedule import read_runs
from jobs.sources import DEFAULT_CONFIG, ConfigError, load_sources
from jobs.status import MISSING, Bins, attributed_articles, collect, counts_by, tick_positions

LATEST = 30  # rows of the runs, duplicates and rejects tables
SERIES = 9  # series drawn per chart; the rest are summed as "other"
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
OTHER = "#bab0ac"
RUN_COUNTS = ("read", "new", "duplicates", "near_duplicates", "revisions", "rejected")


def write_page(
    data_dir: str | os.PathLike[str],
    path: str | os.PathLike[str],
    config_path: str | os.PathLike[str] | None = None,
    schedule_path: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    crawl_state: str | os.PathLike[str] | None = None,
) -> Path:
    data = data_dir  # a directory, or s3://bucket/prefix
    try:
        sources = load_sources(config_path or DEFAULT_CONFIG).sources
    except ConfigError:
        sources = {}  # collect() reports the error as a warning
    runs = read_runs(data)
    archive = open_archive(data)
    page = render_page(
        collect(data, config_path, schedule_path, now=now, crawl_state=crawl_state),
        attributed_articles(data, runs, sources),
        runs,
        archive.read("duplicates").to_pandas(),
        archive.read("rejects").to_pandas(),
        source_order=list(sources),
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def render_page(
    report: Mapping[str, Any],
    articles: pd.DataFrame,
    runs: pd.DataFrame,
    duplicates: pd.DataFrame,
    rejects: pd.DataFrame,
    source_order: Iterable[str] = (),
) -> str:
    total = report["articles"]
    scheduler = report["scheduler"]
    running = (
        f"scheduler running (pid {scheduler['pid']}, since {_time(scheduler['started_at'])})"
        if scheduler["running"]
        else "no scheduler running (next runs: when one would start them)"
    )
    body = [
        "<h1>News archive status</h1>",
        f"<p class=summary>{_e(report['data'])}: <b>{total['total']}</b> articles, "
        f"<b>{total['last_24h']}</b> in the last 24 h, {total['without_source']} without a source; "
        f"{_e(running)}. Generated {_e(_time(report['generated_at']))}.</p>",
        *(f"<p class=warning>warning: {_e(w)}</p>" for w in report["warnings"]),
        "<h2>Sources</h2>",
        _sources_table(report["sources"]),
        "<h2>Articles per period</h2>",
        _coverage(articles, list(source_order)),
        "<h2>Languages and agencies</h2>",
        '<div class="pair">',
        _shares("language", articles["language"]),
        _shares("agency", articles["agency"], limit=20),
        "</div>",
        "<h2>Duplicates and near-duplicates per run</h2>",
        _runs_table(runs),
        "<h2>Latest duplicates</h2>",
        _duplicates_table(duplicates),
        "<h2>Latest rejects</h2>",
        _rejects_table(rejects),
    ]
    return PAGE.format(title=_e(f"news archive: {report['data']}"), body="\n".join(body))


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 1.8em; }}
table {{ border-collapse: collapse; margin: .5em 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }} td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.text {{ max-width: 40em; overflow-wrap: anywhere; }}
.failed, .warning {{ color: #b00020; }} .ok {{ color: #2e7d32; }} .muted {{ color: #777; }}
.pair, .views {{ display: flex; flex-wrap: wrap; gap: 2em; }}
figure {{ margin: 0; }} figcaption {{ font-weight: 600; margin-bottom: .3em; }}
svg.chart {{ background: #fafafa; border: 1px solid #e5e5e5; }}
ul.legend {{ list-style: none; padding: 0; margin: .3em 0; display: flex; flex-wrap: wrap; gap: .3em 1em; }}
.swatch {{ display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -.1em; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _e(value: object) -> str:
    """Text from the archive, escaped for HTML text and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def _time(iso: str | None) -> str:
    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC" if iso else "—"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], empty: str) -> str:
    """``rows`` hold finished cells (``<td>…</td>``), their data already escaped."""
    body = ["<tr>" + "".join(row) + "</tr>" for row in rows]
    if not body:
        return f"<p class=muted>{_e(empty)}</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _td(value: object, cls: str = "") -> str:
    attr = f' class="{_e(cls)}"' if cls else ""
    return f"<td{attr}>{_e(value)}</td>"


def _known(*values: object) -> object:
    """The first value that is not missing (None or a pandas NaN), else empty."""
    return next((v for v in values if v is not None and not pd.isna(v)), "")


def _n(value: object) -> str:
    return _td("" if value is None or pd.isna(value) else int(value), "n")  # type: ignore[call-overload]


def _sources_table(sources: list[dict[str, Any]]) -> str:
    rows = []
    for src in sources:
        run, error, backoff = src["last_run"], src["last_error"], src["backoff"]
        state = "" if src["enabled"] else " (disabled)" if src["configured"] else " (not in sources.toml)"
        last = "never"
        if run is not None:
            counts = ", ".join(f"{k.replace('_', '-')} {run[k]}" for k in RUN_COUNTS)
            last = f"{_time(run['started_at'])}, {run['seconds'] or 0:.1f} s: {counts}"
        status = run["status"] if run else ""
        rows.append(
            [
                f"<td><b>{_e(src['name'])}</b>{_e(state)}<br>"
                f"<span class=muted>{_e(src['schedule'])}</span></td>",
                _td(status, status),
                _td(last),
                _n(src["consecutive_failures"]),
                _td(f"until {_time(backoff['until'])}" if backoff["active"] else "no"),
                _n(src["articles"]["total"]),
                _n(src["articles"]["last_24h"]),
                _td(_time(src["next_run"]) if src["next_run"] else "not scheduled"),
                _td(f"{_time(error['at'])}: {error['message']}", "text failed") if error else _td("none"),
            ]
        )
    headers = (
        "source",
        "last status",
        "last run",
        "failures in a row",
        "back-off",
        "articles",
        "in 24 h",
        "next run",
        "last error",
    )
    return _table(headers, rows, "no sources configured and no runs recorded yet")


def _coverage(articles: pd.DataFrame, source_order: list[str]) -> str:
    if articles.empty:
        return "<p class=muted>no articles archived yet</p>"
    views = {"publication date": "day", "fetch date": "fetch_day"}
    bins = {name: Bins.covering(articles[column]) for name, column in views.items()}
    colours: dict[str, dict[str, str]] = {}
    out = []
    for key, first in (("source", source_order), ("language", [])):
        figures = []
        for view, column in views.items():
            series = _top(counts_by(articles, key, column, bins[view], first))
            palette = colours.setdefault(key, {})
            for name, _ in series:  # one colour per name in both views
                palette.setdefault(name, OTHER if name == "other" else PALETTE[len(palette) % len(PALETTE)])
            caption = f"by {key}, per {bins[view].unit} of {view}"
            figures.append(_figure(caption, bins[view], series, palette, view))
        out.append('<div class="views">' + "".join(figures) + "</div>")
    return "\n".join(out)


def _top(series: list[tuple[str, list[int]]]) -> list[tuple[str, list[int]]]:
    """The SERIES largest (in the given order), the rest summed as "other"."""
    if len(series) <= SERIES:
        return series
    keep = sorted(series, key=lambda s: -sum(s[1]))[: SERIES - 1]
    rest = [s for s in series if s not in keep]
    kept = [s for s in series if s in keep]
    return [*kept, ("other", [sum(column) for column in zip(*(c for _, c in rest), strict=True)])]


def _figure(
    caption: str, bins: Bins, series: list[tuple[str, list[int]]], colours: Mapping[str, str], view: str
) -> str:
    legend = "".join(
        f'<li><span class="swatch" style="background:{colours[name]}"></span>{_e(name)} ({sum(counts)})</li>'
        for name, counts in series
    )
    return (
        f"<figure><figcaption>{_e(caption)}</figcaption>{bar_chart(bins, series, colours, view)}"
        f'<ul class="legend">{legend}</ul></figure>'
    )


WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 560, 200, 44, 30, 12
CHAR = 6.5  # px per character of the 11 px axis labels
MAX_BAR = 40  # px: a few periods make a few bars, not a wall


def bar_chart(bins: Bins, series: list[tuple[str, list[int]]], colours: Mapping[str, str], view: str) -> str:
    """Stacked bars, one per period; each bar segment says what it counts when hovered."""
    n = len(bins.starts)
    cell = min((WIDTH - LEFT - 8) / n, MAX_BAR)
    totals = [sum(column) for column in zip(*(counts for _, counts in series), strict=True)]
    top = max(totals) or 1
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" data-view="{_e(view)}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 8}" y2="{HEIGHT - BOTTOM}" stroke="#999"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, start in enumerate(bins.starts):
        y = float(HEIGHT - BOTTOM)
        for name, counts in series:
            if counts[i]:
                h = counts[i] / top * plot_h
                y -= h
                parts.append(
                    f'<rect class="bar" x="{LEFT + i * cell + 0.5:.1f}" y="{y:.1f}" '
                    f'width="{max(cell - 1, 1):.1f}" height="{h:.1f}" fill="{colours[name]}" '
                    f'data-count="{counts[i]}"><title>{_e(name)}, {_e(bins.label(start))}: '
                    f"{counts[i]}</title></rect>"
                )
    axis = HEIGHT - BOTTOM
    for x, text in tick_positions(bins, cell, CHAR):
        x += LEFT
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{axis + 5}" stroke="#999"/>'
            f'<text x="{x:.1f}" y="{axis + 17}" font-size="11">{_e(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _shares(name: str, values: pd.Series, limit: int | None = None) -> str:
    counts = values.fillna(MISSING[name]).astype(str).value_counts()
    total = int(counts.sum()) or 1
    shown = counts if limit is None else counts.head(limit)
    rows = [[_td(key), _n(count), _td(f"{count / total:.0%}", "n")] for key, count in shown.items()]
    more = f"<p class=muted>and {len(counts) - len(shown)} more</p>" if len(shown) < len(counts) else ""
    return f"<div>{_table((name, 'articles', 'share'), rows, f'no {name} yet')}{more}</div>"


def _runs_table(runs: pd.DataFrame) -> str:
    latest = runs.sort_values("started_at", ascending=False).head(LATEST)
    rows = [
        [
            _td(f"{row.started_at:%Y-%m-%d %H:%M} UTC"),
            _td(row.job),
            _td(_known(row.source)),
            _td(row.status, row.status),
            *(_n(getattr(row, count)) for count in RUN_COUNTS),
            _td(f"{row.seconds:.1f} s" if pd.notna(row.seconds) else "", "n"),
        ]
        for row in latest.itertuples(index=False)
    ]
    headers = ("started", "job", "source", "status", "read", "new", "duplicates", "near-duplicates")
    return _table([*headers, "revisions", "rejected", "took"], rows, "no runs recorded yet")


def _duplicates_table(duplicates: pd.DataFrame) -> str:
    latest = duplicates.sort_values("detected_at", ascending=False).head(LATEST)
    rows = [
        [
            _td(f"{row.detected_at:%Y-%m-%d %H:%M} UTC"),
            _td(row.kind),
            _td(f"{row.similarity:.2f}" if pd.notna(row.similarity) else "", "n"),
            _td(_known(row.title), "text"),
            _td(_known(row.url, row.origin), "text"),
            _td(row.duplicate_of),
        ]
        for row in latest.itertuples(index=False)
    ]
    headers = ("detected", "kind", "similarity", "title", "URL", "duplicate of")
    return _table(headers, rows, "no duplicates recorded")


def _rejects_table(rejects: pd.DataFrame) -> str:
    latest = rejects.sort_values("rejected_at", ascending=False).head(LATEST)
    rows = [
        [
            _td(f"{row.rejected_at:%Y-%m-%d %H:%M} UTC"),
            _td(row.stage),
            _td(_known(row.url, row.origin), "text"),
            _td(row.reason, "text"),
        ]
        for row in latest.itertuples(index=False)
    ]
    return _table(("rejected", "stage", "URL or file", "reason"), rows, "no rejects")
