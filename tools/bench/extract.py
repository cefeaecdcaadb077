"""Section 1, extraction alone: ``etl.extract_article`` beside trafilatura's ``bare_extraction``
(with metadata) on the same pages, in this process, interleaved page by page, one warm-up each."""

from __future__ import annotations

import contextlib
import cProfile
import io
import pstats
import time
from collections.abc import Callable, Sequence
from typing import Any

from bs4 import BeautifulSoup
from lxml import html as lxml_html

import etl
from etl.extract.decode import decode

from .common import TargetRows, load_average, say, timing_stats
from .corpus import Page

try:
    import trafilatura
except ImportError:  # the eval extra: without it, ours alone is measured
    trafilatura = None

# ours / trafilatura pages/s, one process. The default profile runs trafilatura and
# Resiliparse inside its body vote, so it cannot reach 1.0: half is the floor.
TARGET_EXTRACT_RATIO = 0.5
TARGET_EXTRACT_MOONSHOT = 0.8
TARGET_FAST_RATIO = 1.1  # the fast profile (our blocks alone) / trafilatura


def bench_extraction(pages: Sequence[Page], profile: int = 0) -> dict[str, Any]:
    """Ours and trafilatura on the same pages, same process, interleaved (alternating which
    runs first on a page, so neither always meets a cold cache), one warm-up call each."""
    if trafilatura is None:
        say("  trafilatura is not installed (pip install -e '.[eval]'): measuring ours alone")

    def ours(page: Page, profile: str = "default") -> bool:
        try:
            etl.extract_article(page.data, page.url, profile=profile)
        except etl.RejectedInput:
            return False
        return True

    def ours_fast(page: Page) -> bool:
        return ours(page, "fast")

    def traf(page: Page) -> bool:
        doc = trafilatura.bare_extraction(page.data, url=page.url, with_metadata=True, include_comments=False)
        return doc is not None and bool(doc.text)

    # "ours": the default profile (the body vote, which runs trafilatura and Resiliparse too);
    # "ours_fast": our blocks alone.
    systems: dict[str, Callable[[Page], bool]] = {"ours": ours, "ours_fast": ours_fast}
    if trafilatura is not None:
        systems["trafilatura"] = traf
    times: dict[str, list[float]] = {name: [] for name in systems}
    failures = {name: 0 for name in systems}
    for run in systems.values():  # one warm-up each
        with contextlib.suppress(Exception):
            run(pages[0])
    order = list(systems)
    for i, page in enumerate(pages):
        for name in order if i % 2 == 0 else reversed(order):
            start = time.perf_counter()
            try:
                ok = systems[name](page)
            except Exception:
                ok = False
            times[name].append(time.perf_counter() - start)
            failures[name] += not ok
        if (i + 1) % 50 == 0:
            say(f"  extraction: {i + 1}/{len(pages)} pages")
    out: dict[str, Any] = {
        "pages": len(pages),
        "mean_page_kb": round(sum(len(p.data) for p in pages) / len(pages) / 1024, 1),
    }
    for name in systems:
        out[name] = {**timing_stats(times[name]), "no_result": failures[name]}
    if "trafilatura" in out:
        out["ratio_pages_per_s"] = round(out["ours"]["pages_per_s"] / out["trafilatura"]["pages_per_s"], 3)
        out["ratio_fast_pages_per_s"] = round(
            out["ours_fast"]["pages_per_s"] / out["trafilatura"]["pages_per_s"], 3
        )

    # The floor under any bs4-based extractor: building the tree alone (decoded text in,
    # as extract_article does after decode), and lxml's own parser for comparison.
    texts = [decode(p.data, None) for p in pages]
    parser = lxml_html.HTMLParser(encoding="utf-8")
    BeautifulSoup(texts[0], "lxml")  # warm-up
    parse: dict[str, list[float]] = {"bs4_lxml_tree": [], "lxml_html_tree": []}
    for text in texts:
        start = time.perf_counter()
        BeautifulSoup(text, "lxml")
        parse["bs4_lxml_tree"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with contextlib.suppress(Exception):
            lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
        parse["lxml_html_tree"].append(time.perf_counter() - start)
    out["parse_only"] = {name: timing_stats(values) for name, values in parse.items()}
    out["load_average_after"] = load_average()

    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for page in pages:
            with contextlib.suppress(Exception):
                ours(page)
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(profile)
        out["profile_top"] = buffer.getvalue()
    return out


def targets(ext: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    if "ratio_pages_per_s" in ext:
        ratio = ext["ratio_pages_per_s"]
        target = f">= {TARGET_EXTRACT_RATIO} (moonshot {TARGET_EXTRACT_MOONSHOT})"
        rows.add(
            "extraction ours/trafilatura pages/s (1 core)", ratio, target, ratio >= TARGET_EXTRACT_RATIO, "x"
        )
        fast = ext["ratio_fast_pages_per_s"]
        target = f">= {TARGET_FAST_RATIO}"
        rows.add("extraction ours fast/trafilatura pages/s", fast, target, fast >= TARGET_FAST_RATIO, "x")
    return rows


def report(ext: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    say(f"\n== 1. extraction alone: {ext['pages']} pages, mean {ext['mean_page_kb']} KB, one process ==")
    say(f"  {'system':<22}{'pages/s':>9}{'median ms':>11}{'mean ms':>9}{'p95 ms':>9}{'no result':>11}")
    for name in ("ours", "trafilatura"):
        if name in ext:
            s = ext[name]
            say(
                f"  {name:<22}{s['pages_per_s']:>9}{s['median_ms']:>11}{s['mean_ms']:>9}{s['p95_ms']:>9}"
                f"{s['no_result']:>11}"
            )
    for name, s in ext["parse_only"].items():
        say(
            f"  {name + ' (parse)':<22}{s['pages_per_s']:>9}{s['median_ms']:>11}"
            f"{s['mean_ms']:>9}{s['p95_ms']:>9}"
        )
    if "ratio_pages_per_s" in ext:
        say(f"  ratio ours/trafilatura pages/s: {ext['ratio_pages_per_s']}")
        say(f"  ratio ours fast/trafilatura pages/s: {ext['ratio_fast_pages_per_s']}")
