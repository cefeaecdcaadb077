"""``python -m tests.faults FAULT ARGS`` is ``python -m jobs ARGS`` with one fault injected, for
tests of real runs:

- ``spin``: extraction spins on every page holding ``SPIN_MARK`` (for two minutes, so a broken
  page budget fails the test instead of hanging it);
- ``disk-full-after-N``: writing an articles file fails with ENOSPC once N have been written.
"""

from __future__ import annotations

import errno
import sys
import time
from pathlib import Path
from typing import Any

from etl import pipeline
from etl.archive import store
from etl.extract.extract import extract_article

SPIN_MARK = b"<!-- spin here -->"


def extract_or_spin(data: bytes, url: str | None, **kwargs: Any) -> Any:
    if SPIN_MARK in data:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pass
    return extract_article(data, url, **kwargs)


def disk_full_after(files: int) -> Any:
    write = store._write_atomic
    written = 0

    def write_or_fail(table: Any, path: Path) -> None:
        nonlocal written
        if "articles" in path.parts:
            if written >= files:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            written += 1
        write(table, path)

    return write_or_fail


if __name__ == "__main__":
    fault, args = sys.argv[1], sys.argv[2:]
    if fault == "spin":
        pipeline.extract_article = extract_or_spin  # type: ignore[assignment]
    elif fault.startswith("disk-full-after-"):
        store._write_atomic = disk_full_after(int(fault.removeprefix("disk-full-after-")))
    else:
        sys.exit(f"unknown fault {fault!r}")
    from jobs.cli import main

    sys.exit(main(args))
