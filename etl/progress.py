"""Progress bars on long work: a total counted in the background, log records above the bar.

A run's inputs are walked lazily (a 100k-page backfill never holds its list of paths), so the
total is not known when the first pages are processed. ``ProgressBar`` counts it in a daemon
thread over a second, separate walk that only counts, and the bar gains its percentage and
ETA when the count is done. While a bar is open, log records meant for the console are written
with ``tqdm.write``: on their own lines above the bar, never glued to it. Without a terminal
there is no bar at all (logs and cron output stay plain).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tqdm import tqdm

Count = Callable[[], Iterable[object]]  # a fresh walk over the inputs, counted and discarded


def progress_bar(
    enabled: bool | None, desc: str, unit: str, total: int | Count | None = None
) -> ProgressBar | None:
    """A bar when asked for, or (``enabled=None``) when stderr is a terminal and NO_PROGRESS is unset."""
    if enabled is None:
        enabled = sys.stderr.isatty() and os.environ.get("NO_PROGRESS") is None
    return ProgressBar(desc, unit, total) if enabled else None


def echo(line: str) -> None:
    """Print a line to stdout, above the progress bar if one is open."""
    tqdm.write(line, file=sys.stdout)


class ProgressBar:
    """A tqdm bar on stderr. ``total`` is a number, or a function returning a fresh walk over
    the inputs, which a background thread counts while the run goes on."""

    def __init__(self, desc: str, unit: str, total: int | Count | None = None) -> None:
        known = total if isinstance(total, int) else None
        self._bar = tqdm(desc=desc, unit=unit, total=known, file=sys.stderr, dynamic_ncols=True)
        self._logging = contextlib.ExitStack()
        self._logging.enter_context(_console_logging_above_bars())
        self._stop = threading.Event()
        if callable(total):
            self._bar.set_postfix_str("counting", refresh=False)
            threading.Thread(target=self._count, args=(total,), name="count-inputs", daemon=True).start()

    def _count(self, walk: Count) -> None:
        n = 0
        try:
            for _ in walk():
                if self._stop.is_set():
                    return
                n += 1
        except Exception as exc:  # the run itself reports unreadable inputs: the bar only loses its total
            logging.getLogger(__name__).debug("counting the inputs failed: %s", exc)
            return
        with self._bar.get_lock():
            if not self._stop.is_set():
                self._bar.total = n
                self._bar.set_postfix_str("", refresh=False)
                self._bar.refresh(nolock=True)

    @property
    def total(self) -> int | None:
        return self._bar.total

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def close(self) -> None:
        self._stop.set()
        with self._bar.get_lock():
            self._bar.close()
        self._logging.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _AboveBars(logging.Handler):
    """Stands in for a console handler: same level, filters and format, written with tqdm.write."""

    def __init__(self, console: logging.StreamHandler[Any]) -> None:
        super().__init__(console.level)
        self.console = console
        self.filters = console.filters

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.console.format(record), file=self.console.stream)
        except Exception:
            self.handleError(record)


@contextlib.contextmanager
def _console_logging_above_bars() -> Iterator[None]:
    """Route the root logger's stdout/stderr handlers through tqdm.write (files are left alone)."""
    root = logging.getLogger()
    original = root.handlers
    root.handlers = [_AboveBars(h) if _is_console(h) else h for h in original]
    try:
        yield
    finally:
        root.handlers = original


def _is_console(handler: logging.Handler) -> bool:
    return isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stdout, sys.stderr)
