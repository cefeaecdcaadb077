"""The article row, built in one place (etl.archive.schema.article_row) for every writer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa

from etl.archive.fingerprint import fingerprint
from etl.archive.schema import ARTICLES, article_row, to_table
from etl.models import Article

TEXT = "Мэрия открыла новую библиотеку в центре города после ремонта. " * 5


def row(published: datetime | date | None) -> dict:
    article = Article(
        title="Библиотека",
        text=TEXT,
        url="https://example.ru/a",
        canonical_url="https://example.ru/a",
        language="ru",
        published=published,
        date_origin="meta",
        agency="TASS",
    )
    fetched = datetime(2024, 5, 2, tzinfo=UTC)
    day = published.date() if isinstance(published, datetime) else published
    return article_row(
        article,
        fingerprint(article.text, article.canonical_url),
        published_date=day,
        translation_group=None,
        fetched_at=fetched,
        origin="https://example.ru/a",
    )


def test_the_row_fills_every_column_but_what_dedup_and_the_run_add() -> None:
    stored = {**row(None), "article_id": "0" * 16, "version": 1, "run_id": "r"}
    assert set(stored) == set(ARTICLES.names)
    table = to_table([stored], ARTICLES)  # and it converts to the schema as it is
    assert table.num_rows == 1 and table.schema.field("language").type == pa.dictionary(
        pa.int32(), pa.string()
    )


def test_a_stated_time_keeps_its_day_and_offset_and_is_stored_in_utc() -> None:
    moscow = timezone(timedelta(hours=3))
    r = row(datetime(2024, 5, 1, 1, 30, tzinfo=moscow))  # 22:30 UTC on 30 April
    assert r["published"] == datetime(2024, 4, 30, 22, 30, tzinfo=UTC)
    assert r["published_date"] == date(2024, 5, 1) and r["published_offset_minutes"] == 180
    assert r["date_origin"] == "meta"


def test_a_page_without_a_date_is_marked_as_dated_by_its_fetch() -> None:
    r = row(None)
    assert r["published"] is None and r["published_offset_minutes"] is None
    assert r["date_origin"] == "fetched"
    day = row(date(2024, 5, 1))
    assert day["published_offset_minutes"] is None and day["published_date"] == date(2024, 5, 1)
