"""Plain data passed between stages. No behaviour beyond small conveniences."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input as it arrived: bytes plus where it came from.

    ``origin`` is the path or URL it was read from (kept in the archive);
    ``url`` is the article URL when known (HTTP fetch, sidecar file or manifest);
    ``charset`` is a declared charset from outside the document (HTTP header).
    ``kind`` is "html" or "text" (a plain-text dump like the seed).
    ``translations`` are language versions found outside extraction (a crawler's reading
    of a language switcher), merged under the page's own hreflang links.
    ``selectors`` are a source's CSS overrides for "title", "date" and "body", for sites
    the generic extractor gets wrong.
    """

    origin: str
    data: bytes
    url: str | None = None
    charset: str | None = None
    kind: str = "html"
    fetched_at: datetime = field(default_factory=utcnow)
    translations: Mapping[str, str] | None = None
    selectors: Mapping[str, str] | None = None


@dataclass(slots=True)
class Article:
    """What extraction finds in one page. ``published`` is timezone-aware when the page
    gives a time (in the page's own offset), a plain ``date`` when it gives only a day."""

    title: str | None = None
    text: str = ""
    url: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    language: str | None = None
    published: datetime | date | None = None
    published_text: str | None = None
    date_origin: str | None = None
    source: str | None = None
    agency: str | None = None
    photo_credit: str | None = None
    authors: list[str] = field(default_factory=list)
    translations: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO 8601 strings)."""
        out = dataclasses.asdict(self)
        if self.published is not None:
            out["published"] = self.published.isoformat()
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not be archived, with a one-line reason a user can act on."""

    origin: str
    reason: str
    url: str | None = None
    stage: str = "extract"


class Interrupted(Exception):
    """SIGTERM/SIGINT: stop taking new input, keep what is done. Raised by the pipeline (or
    by a scheduler's stop hook in the input); an input that catches errors lets it through."""


class RejectedInput(Exception):
    """Raised by a stage when an input cannot go on; the message is the reason."""

    def __init__(self, reason: str, stage: str = "extract") -> None:
        super().__init__(reason)
        self.reason = reason
        self.stage = stage
