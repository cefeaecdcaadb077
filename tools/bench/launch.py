"""Launcher of a measured command, run as ``python -m tools.bench.launch USAGE -- CMD...``.

It imports nothing heavy on purpose: Linux carries a process's RSS high-water mark across
exec(), so the command's peak RSS is only its own when its parent is this small interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def maxrss_bytes(ru_maxrss: int) -> int:
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def launch(usage_path: str, cmd: list[str]) -> int:
    """Runs in a small interpreter: start ``cmd``, wait, write its rusage to ``usage_path``.

    Linux carries a process's RSS high-water mark across exec(), so a child spawned straight
    from this (large) benchmark process would report at least the benchmark's own RSS as its
    ru_maxrss. Spawned from this small launcher, the figure is the command's own."""
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)  # includes the workers the command reaped
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    figures = {
        "returncode": code,
        "maxrss": maxrss_bytes(usage.ru_maxrss),
        "cpu": usage.ru_utime + usage.ru_stime,
    }
    Path(usage_path).write_text(json.dumps(figures), encoding="utf-8")
    return code


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: python -m tools.bench.launch USAGE_JSON -- COMMAND...")
    sys.exit(launch(sys.argv[1], sys.argv[3:]))
