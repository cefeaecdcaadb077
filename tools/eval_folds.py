"""The k-fold protocol of `make eval`: a fixed fold per page and mean ± sd over folds.

A page's fold is a hash of its bytes, so a page shared by two datasets (163 htmldate pages
are traf pages) sits in the same fold in both, and folds never change between runs. A
figure is computed on each fold alone and reported as the mean and standard deviation
over the folds; a system with fitted parameters is fitted on the other folds only.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
DEFAULT_FOLDS = 5


def fold_of(data: bytes, folds: int) -> int:
    """The fold (0 … folds-1) of a page, from a SHA-1 of its bytes."""
    return int(hashlib.sha1(data).hexdigest(), 16) % folds


def split(items: Sequence[T], fold: Callable[[T], int], folds: int) -> list[list[T]]:
    """Items grouped by fold, in their original order within each fold."""
    out: list[list[T]] = [[] for _ in range(folds)]
    for item in items:
        out[fold(item)].append(item)
    return out


def mean_sd(values: Sequence[float | None]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation of the defined values (None when there are none;
    sd None with a single value)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None, None
    return statistics.fmean(vals), (statistics.stdev(vals) if len(vals) > 1 else None)
