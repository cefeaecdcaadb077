"""``news-archive status --html``: one self-contained page, rendered by a real headless Chromium
(Debian's ``chromium``; installed here with apt-get when missing and running as root), showing
the sources, the counts, bar charts, the rejects, and hostile text as text."""

from __future__ import annotations

import html
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from jobs import cli
from jobs.status_page import PALETTE
from tests.jobs.test_status import Scenario, scenario  # noqa: F401  (the shared fixture)

HOSTILE_TITLE = '</td></tr></table><script>document.title="owned"</script><b>Hostile headline'
HOSTILE_URL = 'https://evil.example/a?q="><script>alert(2)</script>'
HOSTILE_FILE = "<img src=x onerror=alert(3)>.txt"


PARAGRAPH = (
    "The council met on Tuesday to discuss the budget for the coming year, and members agreed "
    "to spend more on schools, roads and the public library after a long debate in the hall."
)


def hostile_page() -> str:
    title = html.escape(HOSTILE_TITLE)
    body = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(5))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:title" content="{title}"></head><body><article><h1>{title}</h1>'
        f'<time datetime="2025-10-20T10:00:00+00:00">20 October 2025</time>{body}</article></body></html>'
    )


@pytest.fixture(scope="module")
def page(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """The status scenario (a healthy source, a failing one, a local backfill) plus a run with
    a hostile page, its copy under a hostile URL (a duplicate) and a hostile file name (a reject)."""
    tmp = tmp_path_factory.mktemp("page")
    hostile = tmp / "hostile"
    hostile.mkdir()
    for name, url in (("a", "https://evil.example/original"), ("b", HOSTILE_URL)):
        (hostile / f"{name}.html").write_text(hostile_page(), encoding="utf-8")
        (hostile / f"{name}.url").write_text(url + "\n", encoding="utf-8")
    (hostile / HOSTILE_FILE).write_text("x", encoding="utf-8")
    argv = ["backfill", str(hostile), "--data", str(scenario.data), "--no-progress"]
    assert cli.main(argv) == 0
    out = tmp / "report" / "status.html"
    argv = ["status", "--data", str(scenario.data), "--config", str(scenario.config)]
    assert cli.main([*argv, "--schedule", str(scenario.schedule), "--html", str(out)]) == 0
    return out


def test_the_page_needs_nothing_from_outside(page: Path) -> None:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    assert not soup.find_all(["script", "link", "img", "iframe", "object", "embed"])
    assert not [tag for tag in soup.find_all(True) if tag.get("src") or tag.get("href")]
    assert "url(" not in soup.style.text and "@import" not in soup.style.text
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp["content"].startswith("default-src 'none'")
    # hostile text is there, as text: the title of the duplicate, its URL, the reject's file name
    text = soup.get_text()
    assert HOSTILE_TITLE in text and HOSTILE_URL in text and HOSTILE_FILE in text


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser, installed with apt-get when it is missing (as root); else a clear failure."""
    found = shutil.which("chromium")
    why = "not installed, and this is not root: run `apt-get install -y chromium`"
    if found is None and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "chromium"]
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:  # stale package lists: update them once and try again
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
            result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1800)
        found = shutil.which("chromium")
        why = f"not installed, and `apt-get install -y chromium` failed: {result.stderr.strip()[-500:]}"
    if found is None:
        pytest.fail(f"the status page test renders the page in Debian's chromium, which is {why}")
    return found


def headless(browser: str, page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """One fresh headless Chromium: no network services, its own profile directory."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1400,2600",
        *action,
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=profile.parent)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.mark.slow
def test_chromium_shows_sources_counts_charts_and_rejects(chromium: str, page: Path, tmp_path: Path) -> None:
    dom = BeautifulSoup(headless(chromium, page, tmp_path / "profile", "--dump-dom").stdout, "lxml")
    assert dom.title.text.startswith("news archive: ")
    assert not dom.find_all(["script", "img"])  # the hostile markup stayed text
    rows = {
        tr.td.b.text: [td.get_text(" ") for td in tr.find_all("td")] for tr in dom.table.tbody.find_all("tr")
    }
    assert set(rows) == {"good", "down"}
    good, down = rows["good"], rows["down"]
    assert good[1] == "ok" and good[3:4] == ["0"] and good[5:7] == ["2", "2"] and good[8] == "none"
    assert down[1] == "failed" and down[3] == "2" and down[4].startswith("until ")
    assert "robots.txt unavailable: connection failed" in down[8]
    # four charts (by source and by language; by publication and by fetch date) with bars that
    # add up to every article; the publication view spans 2020 to 2025 in months
    charts = dom.find_all("svg", class_="chart")
    assert [c["data-view"] for c in charts] == ["publication date", "fetch date"] * 2
    total = int(dom.find("p", class_="summary").b.text)
    for chart in charts:
        assert sum(int(bar["data-count"]) for bar in chart.find_all("rect", class_="bar")) == total
    captions = [c.text for c in dom.find_all("figcaption")]
    assert captions[0] == "by source, per month of publication date"
    assert "2020" in charts[0].get_text() and "(no source) (" in dom.find("ul", class_="legend").text
    # languages, agencies, runs, the latest duplicates and rejects with their reasons
    text = dom.get_text(" ")
    assert "TASS" in text and "(none)" in text
    assert HOSTILE_TITLE in text and HOSTILE_URL in text
    assert HOSTILE_FILE in text and "no article text found" in text
    assert "robots.txt unavailable" in text

    shot = tmp_path / "shot.png"
    headless(chromium, page, tmp_path / "profile2", f"--screenshot={shot}")
    colours = Counter(_rgb_pixels(shot.read_bytes()))
    bars = colours[_hex(PALETTE[0])] + colours[_hex(PALETTE[1])]
    assert bars > 500, colours.most_common(8)  # the bars are painted, in the palette's colours


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _rgb_pixels(png: bytes) -> list[tuple[int, int, int]]:
    """Every pixel of an 8-bit RGB or RGBA PNG (what Chromium writes), filters undone."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour_type in (2, 6)
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw, previous, pixels = zlib.decompress(idat), bytearray(stride), []
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + a) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + b) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels += [tuple(row[i : i + 3]) for i in range(0, stride, channels)]
        previous = row
    return pixels  # type: ignore[return-value]


def test_the_charts_span_the_archives_dates_not_the_last_90_days(page: Path) -> None:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    bars = [bar.title.text for bar in soup.find("svg", class_="chart").find_all("rect", class_="bar")]
    assert bars[0] == "(no source), 2020-11: 1"  # the seed dump, published in November 2020
    assert any(", 2025-10: " in bar for bar in bars) and any(bar == "good, 2024-04: 1" for bar in bars)
