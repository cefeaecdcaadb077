"""Section 5, nesting (issue 11): extraction time of one page as it nests 1k, 10k and 100k <div>
deep (closed, and never closed), per page and per 1k elements: linear when 100k/10k is ~10."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import etl
from tools import hostile

from .common import TargetRows, say

# Issue 11: "extraction linear in the size of the page". Linear gives 100k/10k ~10, quadratic ~100;
# fixed costs per page (parse setup, metadata) pull it below 10.
TARGET_NESTING_RATIO = 20
NESTING_SIZES = (1_000, 10_000, 100_000)


def bench_nesting(repeat: int, sizes: Sequence[int] = NESTING_SIZES) -> dict[str, Any]:
    """Seconds per page for pages of ``sizes`` (1k, 10k and 100k) nested (and never closed) <div>,
    best of ``repeat`` runs each, beside the time per 1k elements: flat when extraction is linear."""
    etl.extract_article(hostile.nested_divs(10), "https://example.com/a")  # warm-up
    out: dict[str, Any] = {}
    for kind, make in (("nested", hostile.nested_divs), ("unclosed", hostile.unclosed_divs)):
        rows = {}
        for n in sizes:
            data = make(n)
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                etl.extract_article(data, "https://example.com/a")
                best = min(best, time.perf_counter() - start)
            rows[str(n)] = {
                "elements": n,
                "kb": round(len(data) / 1024),
                "seconds_per_page": round(best, 4),
                "ms_per_1k_elements": round(best * 1e6 / n, 2),
            }
            say(f"  {kind} <div> x {n:,}: {best:.3f} s")
        big, small = rows[str(sizes[-1])], rows[str(sizes[-2])]
        out[kind] = {
            "sizes": rows,
            "ratio_largest": round(big["seconds_per_page"] / small["seconds_per_page"], 1),
        }
    return out


def targets(nesting: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the targets table for this section."""
    rows = TargetRows()
    for kind, r in nesting.items():
        rows.add(
            f"{kind} <div> time {ratio_label(r)} (linear ~10)",
            r["ratio_largest"],
            f"<= {TARGET_NESTING_RATIO}",
            r["ratio_largest"] <= TARGET_NESTING_RATIO,
            "x",
        )
    return rows


def report(nesting: dict[str, Any]) -> None:
    """This section's lines of the printed report."""
    say("\n== 5. nesting: one page, extraction time as it nests deeper (issue 11) ==")
    say(f"  {'page':<16}{'elements':>10}{'KB':>7}{'s/page':>9}{'ms per 1k elements':>20}")
    for kind, r in nesting.items():
        for row in r["sizes"].values():
            say(
                f"  {kind + ' <div>':<16}{row['elements']:>10,}{row['kb']:>7,}"
                f"{row['seconds_per_page']:>9.3f}{row['ms_per_1k_elements']:>20}"
            )
        say(f"  {kind} {ratio_label(r)}: x{r['ratio_largest']} (linear ~10, quadratic ~100)")


def ratio_label(r: dict[str, Any]) -> str:
    """The two largest sizes ("100k/10k"), whose time ratio is reported."""
    big, small = list(r["sizes"].values())[-1:-3:-1]
    return f"{big['elements'] // 1000}k/{small['elements'] // 1000}k"
