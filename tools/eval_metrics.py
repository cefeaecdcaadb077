"""Pure scoring functions for the extraction evaluation (see ../shared/devset/README.md).

No I/O and no third-party imports, so the unit tests can import this module alone.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import fmean

WORD_RE = re.compile(r"\w+")
DAY_RE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
SHINGLE_N = 4


# --- text helpers -------------------------------------------------------------------------------


def squeeze(text: str | None) -> str:
    """Collapse every run of whitespace to one space and trim the ends."""
    return " ".join((text or "").split())


def words(text: str | None) -> list[str]:
    """Maximal runs of Unicode letters, digits and underscore (case kept)."""
    return WORD_RE.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Multiset of windows of ``n`` consecutive words; a shorter non-empty text is one window."""
    toks = words(text)
    if not toks:
        return Counter()
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)))


def bag_f1(pred: Sequence[str], gold: Sequence[str]) -> float:
    """F1 between two bags of tokens (multiset overlap). Both empty counts as 1."""
    if not pred and not gold:
        return 1.0
    shared = sum((Counter(pred) & Counter(gold)).values())
    if shared == 0:
        return 0.0
    return 2 * shared / (len(pred) + len(gold))


def harmonic(p: float, r: float) -> float:
    """Harmonic mean of two numbers, 0 when both are 0."""
    return 2 * p * r / (p + r) if p + r else 0.0


def ratio(num: float, den: float) -> float | None:
    """num/den, or None when the denominator is 0 (nothing to score)."""
    return num / den if den else None


# --- body: snippet check (traf) -----------------------------------------------------------------


@dataclass(slots=True)
class SnippetCounts:
    """Confusion counts of the with/without snippet check."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def __add__(self, other: SnippetCounts) -> SnippetCounts:
        return SnippetCounts(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn)


def snippet_counts(text: str | None, with_: Iterable[str], without: Iterable[str]) -> SnippetCounts:
    """Count snippets found (case-sensitive substring) in the whitespace-squeezed text.

    An empty or missing text finds nothing: every ``with`` is missed, every ``without`` absent.
    """
    body = squeeze(text)
    c = SnippetCounts()
    for snip in with_:
        if body and squeeze(snip) in body:
            c.tp += 1
        else:
            c.fn += 1
    for snip in without:
        if body and squeeze(snip) in body:
            c.fp += 1
        else:
            c.tn += 1
    return c


def snippet_scores(c: SnippetCounts) -> dict[str, float | None]:
    """Scores from summed counts: with_found (= recall), without_absent, precision, accuracy, f1."""
    return {
        "with_found": ratio(c.tp, c.tp + c.fn),
        "without_absent": ratio(c.tn, c.tn + c.fp),
        "precision": ratio(c.tp, c.tp + c.fp),
        "accuracy": ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
        "f1": ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    }


# --- body: 4-word shingle overlap (np4k, Zyte) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overlap:
    """Per-page shingle counts normalised by their sum (shared + extra-only + gold-only = 1)."""

    shared: float
    extra: float
    missing: float

    @property
    def extracted(self) -> bool:
        """The extraction had at least one window."""
        return self.shared + self.extra > 0

    @property
    def has_gold(self) -> bool:
        """The gold text had at least one window."""
        return self.shared + self.missing > 0

    @property
    def precision(self) -> float:
        return self.shared / (self.shared + self.extra) if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.shared / (self.shared + self.missing) if self.has_gold else 0.0


def shingle_overlap(pred: str | None, gold: str | None, n: int = SHINGLE_N) -> Overlap:
    """Match the windows of both texts with multiplicity and normalise the three counts."""
    p, g = shingles(pred, n), shingles(gold, n)
    shared = sum((p & g).values())
    extra = sum((p - g).values())
    missing = sum((g - p).values())
    total = shared + extra + missing
    if not total:
        return Overlap(0.0, 0.0, 0.0)
    return Overlap(shared / total, extra / total, missing / total)


def overlap_prf(pages: Sequence[Overlap]) -> tuple[float, float, float]:
    """(precision, recall, F1): mean page precision over pages with an extraction, mean page
    recall over pages with a gold text, F1 = harmonic mean of the two means."""
    precs = [o.precision for o in pages if o.extracted]
    recs = [o.recall for o in pages if o.has_gold]
    p = fmean(precs) if precs else 0.0
    r = fmean(recs) if recs else 0.0
    return p, r, harmonic(p, r)


def bootstrap_prf(pages: Sequence[Overlap], samples: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """Bootstrap standard deviation of (precision, recall, F1), pages resampled with replacement."""
    if not pages:
        return 0.0, 0.0, 0.0
    rng = random.Random(seed)
    runs = [overlap_prf(rng.choices(pages, k=len(pages))) for _ in range(samples)]
    return tuple(_pstdev([run[i] for run in runs]) for i in range(3))  # type: ignore[return-value]


def _pstdev(values: Sequence[float]) -> float:
    """Population standard deviation (like numpy.std)."""
    m = fmean(values)
    return (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5


def exact_words(pred: str | None, gold: str | None) -> bool:
    """The two texts have exactly the same word sequence."""
    return words(pred) == words(gold)


def token_f1(pred: str | None, gold: str | None) -> float:
    """Bag-of-words F1 between two texts (case kept)."""
    return bag_f1(words(pred), words(gold))


# --- title --------------------------------------------------------------------------------------


def norm_title(title: str | None) -> str:
    """Squeeze whitespace, trim, NFC-normalise."""
    return unicodedata.normalize("NFC", squeeze(title))


def title_exact(pred: str | None, gold: str | None) -> bool:
    """Exact match after :func:`norm_title`."""
    return norm_title(pred) == norm_title(gold)


def title_token_f1(pred: str | None, gold: str | None) -> float:
    """Bag-of-words F1 of the case-folded, NFC titles; a missing title scores 0."""
    p = words(norm_title(pred).casefold())
    if not p:
        return 0.0
    return bag_f1(p, words(norm_title(gold).casefold()))


# --- date ---------------------------------------------------------------------------------------


def parse_day(text: str | None) -> str | None:
    """Leading ``YYYY-M-D`` of an ISO-like string as ``YYYY-MM-DD``; None if absent or invalid
    (``2022-11-1`` -> ``2022-11-01``; ``2022-25-10`` -> None)."""
    m = DAY_RE.match(text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def day_of(value: object) -> str | None:
    """Calendar day of an extracted date as written (no time-zone conversion).

    date/datetime -> its own ``YYYY-MM-DD``; a string -> its leading day, or the trimmed string
    itself when it has none (still counts as returned, can't match); None/"" -> None.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    return parse_day(text) or text


@dataclass(slots=True)
class DateCounts:
    """Date check counts over pages with a gold day."""

    pages: int = 0
    returned: int = 0
    correct: int = 0

    def add(self, pred_day: str | None, gold_day: str | None) -> None:
        """Score one page; pages without a gold day are ignored."""
        if gold_day is None:
            return
        self.pages += 1
        self.returned += pred_day is not None
        self.correct += pred_day == gold_day

    def scores(self) -> dict[str, float | None]:
        """accuracy, precision and returned (recall) as fractions."""
        return {
            "accuracy": ratio(self.correct, self.pages),
            "precision": ratio(self.correct, self.returned),
            "returned": ratio(self.returned, self.pages),
        }
