"""``python -m tests.hang_extract ARGS`` is ``python -m jobs ARGS`` with an extractor that spins
on every page holding ``HANG_MARK`` (for two minutes, so a broken budget fails instead of
hanging the test run): a real run with one runaway page, for the page budget's tests."""

from __future__ import annotations

import sys
import time
from typing import Any

from etl import pipeline
from etl.extract import extract_article

HANG_MARK = b"<!-- spin here -->"


def extract_or_spin(data: bytes, url: str | None, **kwargs: Any) -> Any:
    if HANG_MARK in data:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pass
    return extract_article(data, url, **kwargs)


if __name__ == "__main__":
    pipeline.extract_article = extract_or_spin  # type: ignore[assignment]
    from jobs.cli import main

    sys.exit(main(sys.argv[1:]))
