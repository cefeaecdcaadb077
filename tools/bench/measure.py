"""Memory and CPU of measured commands: the summed RSS and PSS of a process tree, sampled, and
``python -m jobs backfill`` run through the launcher with its run summary and peak figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .common import MB, REPO_ROOT, load_average, machine_busy_seconds, own_cpu_seconds, psutil, say


def current_rss() -> int:
    """Resident set size of this process, in bytes."""
    if psutil is not None:
        return psutil.Process().memory_info().rss
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and its descendants, sampled every ``interval`` s.
    Forked workers share copy-on-write pages with their parent, so the sum is an upper bound;
    on Linux the summed PSS (shared pages divided among their users) is sampled too, every
    ``pss_every`` samples (reading smaps_rollup costs more)."""

    def __init__(
        self,
        pid: int,
        interval: float = 0.1,
        report: Callable[[float, int], None] | None = None,
        include_root: bool = True,
    ) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.report, self.include_root = pid, interval, report, include_root
        self.peak = 0
        self.peak_processes = 0
        self.peak_pss: int | None = None
        self.pss_every = 5
        self.stop = threading.Event()
        # Peak RSS of each process, and which are the command's own (the writer: the root, or
        # its direct children when the root is a launcher) and which their children (workers).
        self.process_peaks: dict[int, int] = {}
        self.top_level: set[int] = set()

    def run(self) -> None:
        if psutil is None:
            return
        started = time.monotonic()
        last_report = started
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        processes: list[Any] = []
        listed = 0.0
        samples = 0
        while not self.stop.is_set():
            total, count = 0, 0
            samples += 1
            try:
                if time.monotonic() - listed > 1.0:  # listing children scans /proc: once a second
                    processes = [root] if self.include_root else []
                    processes += root.children(recursive=True)
                    top = [root] if self.include_root else root.children()
                    self.top_level.update(p.pid for p in top)
                    listed = time.monotonic()
                for proc in processes:
                    try:
                        rss = proc.memory_info().rss
                    except psutil.Error:
                        continue
                    total += rss
                    count += 1
                    if rss > self.process_peaks.get(proc.pid, 0):
                        self.process_peaks[proc.pid] = rss
            except psutil.Error:
                break
            if total > self.peak:
                self.peak, self.peak_processes = total, count
            if samples % self.pss_every == 1:
                pss = [proportional_set_size(proc.pid) for proc in processes]
                if pss and None not in pss:
                    self.peak_pss = max(self.peak_pss or 0, sum(p for p in pss if p is not None))
            now = time.monotonic()
            if self.report is not None and now - last_report >= 15:
                self.report(now - started, total)
                last_report = now
            self.stop.wait(self.interval)


def peaks_by_kind(sampler: TreeSampler) -> tuple[int, int]:
    """(peak RSS of the writer process, peak RSS of the largest worker process), sampled."""
    writer = max((v for pid, v in sampler.process_peaks.items() if pid in sampler.top_level), default=0)
    worker = max((v for pid, v in sampler.process_peaks.items() if pid not in sampler.top_level), default=0)
    return writer, worker


def proportional_set_size(pid: int) -> int | None:
    """PSS in bytes from /proc/PID/smaps_rollup (Linux 4.14+), None elsewhere or when gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measured_run(
    cmd: list[str], stdout: Any, stderr: Any, report: Callable[[float, int], None] | None = None
) -> tuple[dict[str, Any], float, TreeSampler]:
    """Run ``cmd`` through the launcher; its rusage, the wall time, and the RSS sampler."""
    env = {**os.environ, "NO_PROGRESS": "1", "PYTHONPATH": str(REPO_ROOT)}
    with tempfile.TemporaryDirectory(prefix="news-bench-usage-") as tmp:
        usage_path = Path(tmp) / "usage.json"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.bench.launch", str(usage_path), "--", *cmd],
            cwd=REPO_ROOT,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
        sampler = TreeSampler(proc.pid, report=report, include_root=False)
        sampler.start()
        proc.wait()
        wall = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        usage = {"returncode": proc.returncode, "maxrss": 0, "cpu": 0.0}
        if usage_path.is_file():
            usage = json.loads(usage_path.read_text(encoding="utf-8"))
    return usage, wall, sampler


_COUNTS = (
    "run_id",
    "status",
    "read",
    "new",
    "duplicates",
    "near_duplicates",
    "revisions",
    "rejected",
    "seconds",
)


def run_backfill(
    inputs: Sequence[Path],
    data: Path,
    workers: int,
    label: str,
    buffer_mb: float | None = None,
    cluster: str | None = None,
) -> dict[str, Any]:
    """``python -m jobs backfill`` in a subprocess; wall time, run summary and peak RSS."""
    cmd = [sys.executable, "-m", "jobs", "backfill", *map(str, inputs), "--data", str(data)]
    summary_file = data.parent / f"{data.name}.summary.json"
    cmd += ["--workers", str(workers), "--no-progress", "--summary-json", str(summary_file)]
    if buffer_mb is not None:
        cmd += ["--buffer-mb", str(buffer_mb)]
    if cluster is not None:
        cmd += ["--cluster", cluster]

    def report(elapsed: float, rss: int) -> None:
        say(f"  {label}: {elapsed:.0f} s, process tree RSS {rss / MB:.0f} MB")

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        busy, own = machine_busy_seconds(), own_cpu_seconds()
        usage, wall, sampler = measured_run(cmd, out, err, report)
        after = machine_busy_seconds()
        # CPU the rest of the machine used meanwhile (this benchmark and the run excluded)
        other = None if busy is None or after is None else after - busy - (own_cpu_seconds() - own)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if usage["returncode"] != 0 or not summary_file.exists():
        raise RuntimeError(
            f"{' '.join(cmd)} exited {usage['returncode']}:\n{stdout[-2000:]}\n{stderr[-2000:]}"
        )
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    summary_file.unlink()
    counts: dict[str, Any] = {k: summary[k] for k in _COUNTS}
    counts["seconds"] = round(counts["seconds"], 1)
    figures = summary["figures"]
    writer_peak, worker_peak = peaks_by_kind(sampler)
    result = {
        "workers": workers,
        "wall_seconds": round(wall, 2),
        **counts,
        "pages_per_s": round(counts["read"] / counts["seconds"], 2) if counts["seconds"] else None,
        "pages_per_s_wall": round(counts["read"] / wall, 2),
        "peak_rss_tree_mb": round(sampler.peak / MB, 1) if psutil is not None else None,
        "processes_at_peak": sampler.peak_processes if psutil is not None else None,
        "peak_pss_tree_mb": round(sampler.peak_pss / MB, 1) if sampler.peak_pss else None,
        "peak_rss_largest_process_mb": round(usage["maxrss"] / MB, 1),
        "peak_rss_writer_sampled_mb": round(writer_peak / MB, 1) if psutil is not None else None,
        "peak_rss_worker_max_mb": round(worker_peak / MB, 1) if psutil is not None and workers > 1 else None,
        "cpu_seconds_user_sys": round(usage["cpu"], 1),
        "load_average_after": load_average(),
        "other_load_cores": round(max(other, 0.0) / wall, 2) if other is not None else None,
    }
    # The sampler can miss a short spike; the kernel's high-water mark of the largest process cannot.
    result["peak_rss_mb"] = max(result["peak_rss_tree_mb"] or 0, result["peak_rss_largest_process_mb"])
    result["pages_per_cpu_s"] = round(counts["read"] / result["cpu_seconds_user_sys"], 2)
    result["index_load_seconds"] = figures["index_load_seconds"]
    result["memory"] = figures["memory"]
    result["writer_cpu_seconds"], result["workers_cpu_seconds"] = (
        figures["writer_cpu_seconds"],
        figures["workers_cpu_seconds"],
    )
    if counts["seconds"]:  # cores the run kept busy: at most the worker count (1 worker: 1)
        busy = (result["writer_cpu_seconds"] + result["workers_cpu_seconds"]) / counts["seconds"]
        result["cores_busy"] = round(busy, 2)
    return result
