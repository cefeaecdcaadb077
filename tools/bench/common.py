"""Helpers every benchmark section shares: timing statistics, the machine and versions it ran on,
how busy the machine was, target rows and the JSON file."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:
    import psutil
except ImportError:  # optional: without it, peak RSS comes from wait4() only (largest process)
    psutil = None

REPO_ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
QUIET_MODULES = ("trafilatura", "htmldate", "courlan", "justext", "etl")
VERSIONED = {
    "etl (news-archive)": "news-archive",
    "pyarrow": "pyarrow",
    "bs4": "beautifulsoup4",
    "lxml": "lxml",
    "trafilatura": "trafilatura",
    "numpy": "numpy",
}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timing_stats(seconds: Sequence[float]) -> dict[str, float]:
    total = sum(seconds)
    return {
        "pages": len(seconds),
        "seconds": round(total, 3),
        "pages_per_s": round(len(seconds) / total, 2) if total else float("nan"),
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
    }


def say(message: str) -> None:
    print(message, flush=True)


def quiet_libraries() -> None:
    for name in QUIET_MODULES:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for label, dist in VERSIONED.items():
        try:
            out[label] = version(dist)
        except PackageNotFoundError:
            out[label] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "etl", "jobs"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        out["git"] = commit + (" (etl/ or jobs/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        out["git"] = "unknown"
    return out


def machine() -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    if psutil is not None:
        info["memory_gb"] = round(psutil.virtual_memory().total / 1024**3, 1)
    info["load_average_at_start"] = load_average()
    return info


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every timing here."""
    with contextlib.suppress(OSError, AttributeError):
        return [round(x, 2) for x in os.getloadavg()]
    return None


def machine_busy_seconds() -> float | None:
    """CPU-seconds all processes of the machine have used since boot (Linux /proc/stat: user,
    nice, system, irq, softirq), or None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:8]]
    except (OSError, ValueError):
        return None
    return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU-seconds of this process and of every descendant it (or they) reaped."""
    self_, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_.ru_utime + self_.ru_stime + children.ru_utime + children.ru_stime


def wait_until_idle(limit: float, threshold: float = 0.1, span: float = 2.0) -> float:
    """Wait (at most ``limit`` s) until other processes use less than ``threshold`` cores over
    ``span`` s; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        busy, own = machine_busy_seconds(), own_cpu_seconds()
        if busy is None:
            break
        time.sleep(span)
        other = (machine_busy_seconds() or 0.0) - busy - (own_cpu_seconds() - own)
        if other / span < threshold:
            break
    return time.monotonic() - started


class TargetRows(list[dict[str, Any]]):
    """Rows of the targets table: each measured figure beside the target of its issue."""

    def add(self, name: str, value: Any, target: str, met: bool | None, unit: str = "") -> None:
        self.append({"figure": name, "value": value, "unit": unit, "target": target, "met": met})


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
