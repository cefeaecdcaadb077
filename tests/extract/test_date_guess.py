"""The extensive date search (htmldate) runs only when the strong evidence names no date,
and its result is marked as a guess."""

from __future__ import annotations

from datetime import UTC, date, datetime

from etl import extract_article

BODY = (
    "<p>Die Sanierung des Rathauses ist abgeschlossen, teilte die Stadt mit. Die Arbeiten dauerten "
    "zwei Jahre und kosteten mehr als erwartet, hieß es aus dem Bauamt.</p>"
    "<p>Die Bürger können das Gebäude ab Montag wieder besuchen, die Öffnungszeiten bleiben gleich.</p>"
)
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _page(extra: str = "", head: str = "") -> bytes:
    return (
        f"<html><head><title>Rathaus saniert</title>{head}</head><body><h1>Rathaus saniert</h1>"
        f"{BODY}{extra}</body></html>"
    ).encode()


def test_a_page_without_date_evidence_gets_a_guess_marked_as_such() -> None:
    archive = '<ul class="archive"><li><a href="/archiv/2021/03/04/rathaus">Archiv</a></li></ul>'
    article = extract_article(_page(archive), "https://example.de/rathaus", now=NOW)
    assert article.published == date(2021, 3, 4)
    assert article.date_origin == "guess"


def test_strong_evidence_is_never_replaced_by_a_guess() -> None:
    head = '<meta property="article:published_time" content="2022-05-06T10:00:00+02:00">'
    archive = '<ul><li><a href="/archiv/2021/03/04/rathaus">Archiv</a></li></ul>'
    article = extract_article(_page(archive, head), "https://example.de/rathaus", now=NOW)
    assert article.date_origin == "meta" and article.published.date() == date(2022, 5, 6)


def test_a_bare_year_is_no_date_and_a_future_one_is_refused() -> None:
    footer = "<footer>© 2019 Stadtanzeiger</footer>"
    year_only = extract_article(_page(footer), "https://example.de/a", now=NOW)
    assert year_only.published is None and year_only.date_origin is None
    future = '<ul><li><a href="/archiv/2025/03/04/rathaus">Archiv</a></li></ul>'
    later = extract_article(_page(future), "https://example.de/b", now=NOW)
    assert later.published is None
