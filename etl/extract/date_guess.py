"""The last resort for a publication date: htmldate's ranked extensive search.

Used only when the page's strong evidence (metadata, JSON-LD, <time>, the headline's
date line, the URL) names no date. htmldate then scores every date-like string of the
page (copyright lines, archive links, free text); that is right more often than not but
weaker, so the result keeps its own ``date_origin`` ("guess") and users can filter it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from htmldate import find_date

from etl.extract.metadata import Published

GUESS = "guess"
_EARLIEST = "1995-01-01"  # htmldate's own floor; older "dates" on news pages are noise

logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def guess_published(html: str, url: str | None, now: datetime) -> Published | None:
    """htmldate's extensive search for the original publication day, not after ``now``.
    A bare year is no date: htmldate turns one into 1 January, which is refused."""
    try:
        found = find_date(
            html,
            extensive_search=True,
            original_date=True,
            url=url,
            min_date=_EARLIEST,
            max_date=now.strftime("%Y-%m-%d"),
        )
    except Exception:  # a guess must never cost the article
        return None
    if not found:
        return None
    day = date.fromisoformat(found)
    if (day.month, day.day) == (1, 1):
        return None
    return Published(day, found, GUESS)
