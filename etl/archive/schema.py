"""THE Arrow schemas of the archive, defined once, and the conversions to and from them.

Every write casts to these schemas, so files written by different runs agree on types.
Evolution rule: new columns are only ever appended as nullable; the version in the file
metadata says which schema wrote a file. Readers pass the schema explicitly
(``load_articles``), so older files that lack a newer column read as nulls instead
of the column silently disappearing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from etl.archive.fingerprint import Fingerprint
    from etl.models import Article

SCHEMA_VERSION = "1"
METADATA = {b"news_archive.schema_version": SCHEMA_VERSION.encode()}

UTC_TS = pa.timestamp("us", tz="UTC")
DICT_STR = pa.dictionary(pa.int32(), pa.string())
MINHASH_PERMUTATIONS = 64

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),  # 16 hex digits of url_hash, else content_hash
        pa.field("version", pa.int32(), nullable=False),  # 1, 2, ... for edits at the same canonical URL
        pa.field("url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("site", pa.string()),
        pa.field("language", DICT_STR),  # ISO 639-1
        pa.field("title", pa.string()),
        pa.field("published", UTC_TS),  # the instant; midnight UTC when the page gives only a day
        pa.field("published_date", pa.date32()),  # the day as the page states it (partition key)
        pa.field("published_offset_minutes", pa.int16()),  # the page's UTC offset; null without a time
        pa.field("published_text", pa.string()),  # the string the date was read from
        pa.field("date_origin", DICT_STR),  # jsonld|meta|time|url|text|selector|guess|fetched (date unknown)
        pa.field("source", pa.string()),  # the credited agency as written ("تاس", "ТАСС")
        pa.field("agency", DICT_STR),  # canonical agency name ("TASS")
        pa.field("photo_credit", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("text", pa.string()),
        pa.field("word_count", pa.int32()),
        pa.field("content_hash", pa.int64(), nullable=False),  # of the key-normalised text
        pa.field("url_hash", pa.int64()),  # of the canonical URL
        pa.field("simhash", pa.int64()),  # 64-bit SimHash of word 3-shingles
        pa.field("minhash", pa.list_(pa.uint32())),  # MinHash signature used for near-duplicates
        pa.field("translation_group", pa.string()),  # shared by language versions of one article
        pa.field("fetched_at", UTC_TS),
        pa.field("run_id", pa.string()),
        pa.field("origin", pa.string()),  # the URL or path it was read from
    ],
    metadata=METADATA,
)

DUPLICATES = pa.schema(
    [
        pa.field("origin", pa.string()),
        pa.field("url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("kind", DICT_STR),  # exact | near
        pa.field("duplicate_of", pa.string()),  # article_id of the archived article
        pa.field("similarity", pa.float32()),  # estimated Jaccard similarity of word 3-shingles
        pa.field("content_hash", pa.int64()),
        pa.field("url_hash", pa.int64()),
        pa.field("run_id", pa.string()),
        pa.field("detected_at", UTC_TS),
    ],
    metadata=METADATA,
)

REJECTS = pa.schema(
    [
        pa.field("origin", pa.string()),
        pa.field("url", pa.string()),
        pa.field("stage", DICT_STR),
        pa.field("reason", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("rejected_at", UTC_TS),
    ],
    metadata=METADATA,
)

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string()),
        pa.field("job", pa.string()),
        pa.field("source", pa.string()),
        pa.field("started_at", UTC_TS),
        pa.field("finished_at", UTC_TS),
        pa.field("seconds", pa.float64()),
        pa.field("status", pa.string()),  # ok | partial | failed | interrupted | killed
        pa.field("read", pa.int64()),
        pa.field("new", pa.int64()),
        pa.field("duplicates", pa.int64()),
        pa.field("near_duplicates", pa.int64()),
        pa.field("revisions", pa.int64()),
        pa.field("rejected", pa.int64()),
        pa.field("error", pa.string()),
    ],
    metadata=METADATA,
)

RUN_STATUSES = ("ok", "partial", "failed", "interrupted", "killed")


def run_row(
    *,
    run_id: str,
    job: str | None,
    source: str | None,
    started_at: datetime,
    finished_at: datetime | None,
    status: str,
    read: int = 0,
    new: int = 0,
    duplicates: int = 0,
    near_duplicates: int = 0,
    revisions: int = 0,
    rejected: int = 0,
    error: str | None = None,
) -> dict[str, Any]:
    """A row of ``runs/``: one per run, however it ended (``killed``: recorded by the next
    writer from the rows the run left)."""
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    seconds = (finished_at - started_at).total_seconds() if finished_at is not None else None
    return {
        "run_id": run_id,
        "job": job,
        "source": source,
        "started_at": started_at,
        "finished_at": finished_at,
        "seconds": seconds,
        "status": status,
        "read": read,
        "new": new,
        "duplicates": duplicates,
        "near_duplicates": near_duplicates,
        "revisions": revisions,
        "rejected": rejected,
        "error": error,
    }


def article_row(
    article: Article,
    fp: Fingerprint,
    *,
    published_date: date | None,
    translation_group: str | None,
    fetched_at: datetime,
    origin: str,
) -> dict[str, Any]:
    """A row of ``articles/`` but for what dedup decides when it is stored (``article_id``,
    ``version``) and the run (``run_id``): ``ArchiveWriter.add_article`` takes it whole.
    ``published_date``: the day as the page states it (the extractor's, not the UTC day)."""
    published = article.published
    offset = published.utcoffset() if isinstance(published, datetime) else None
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site": article.site,
        "language": article.language,
        "title": article.title,
        "published": to_utc(published),
        "published_date": published_date,
        "published_offset_minutes": int(offset.total_seconds() // 60) if offset is not None else None,
        "published_text": article.published_text,
        "date_origin": article.date_origin if published is not None else "fetched",
        "source": article.source,
        "agency": article.agency,
        "photo_credit": article.photo_credit,
        "authors": article.authors,
        "text": article.text,
        "word_count": fp.word_count,
        "content_hash": fp.content_hash,
        "url_hash": fp.url_hash,
        "simhash": fp.simhash,
        "minhash": fp.minhash,
        "translation_group": translation_group,
        "fetched_at": fetched_at,
        "origin": origin,
    }


def reject_row(*, origin: str, url: str | None, stage: str, reason: str, run_id: str) -> dict[str, Any]:
    """A row of ``rejects/``: an input that could not be archived, and why."""
    return {
        "origin": origin,
        "url": url,
        "stage": stage,
        "reason": reason,
        "run_id": run_id,
        "rejected_at": datetime.now(UTC),
    }


def duplicate_row(
    *,
    origin: str,
    url: str | None,
    canonical_url: str | None,
    title: str | None,
    near: bool,
    duplicate_of: str | None,
    similarity: float | None,
    content_hash: int,
    url_hash: int | None,
    run_id: str,
) -> dict[str, Any]:
    """A row of ``duplicates/``: a copy (exact, or ``near``: edited) of an archived article."""
    return {
        "origin": origin,
        "url": url,
        "canonical_url": canonical_url,
        "title": title,
        "kind": "near" if near else "exact",
        "duplicate_of": duplicate_of,
        "similarity": similarity,
        "content_hash": content_hash,
        "url_hash": url_hash,
        "run_id": run_id,
        "detected_at": datetime.now(UTC),
    }


# Hive partition columns of data/articles (integers; month not zero-padded).
PARTITIONING = pa.schema([pa.field("year", pa.int32()), pa.field("month", pa.int32())])


def to_utc(value: datetime | date | None) -> datetime | None:
    """An aware UTC datetime for Arrow: aware values converted, dates at midnight UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def storable(value: str) -> str:
    """``value`` as Parquet (UTF-8) can store and a terminal print it: each lone surrogate as
    its backslash escape, the way ``repr`` shows it. Lone surrogates come from file names that
    are not UTF-8 (``os.fsdecode`` turns byte 0xff into U+DCFF) and from ``\\ud800`` escapes in
    JSON; stored as they are, one of them made every write of its batch fail."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def to_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Build a table with exactly ``schema`` (missing keys become nulls, extra keys are an error).
    A string Parquet cannot store is stored ``storable``, never failing the batch."""
    rows = list(rows)
    names = set(schema.names)
    for row in rows:
        extra = set(row) - names
        if extra:
            raise KeyError(f"fields not in the schema: {sorted(extra)}")
    columns = {f.name: _array([r.get(f.name) for r in rows], _storage_type(f.type)) for f in schema}
    return pa.table(columns).cast(schema)


def _array(values: list[Any], type: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=type)
    except UnicodeEncodeError:  # rare: only then is every value checked
        return pa.array([_storable_value(v) for v in values], type=type)


def _storable_value(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [_storable_value(v) for v in value]
    return value


def _storage_type(t: pa.DataType) -> pa.DataType:
    """Dictionary columns are built as plain strings, then cast (pa.array cannot build them)."""
    return t.value_type if pa.types.is_dictionary(t) else t


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Give a table read from any older file the current schema: add missing columns as
    nulls, reorder, cast. Extra unknown columns are dropped."""
    columns = []
    for f in schema:
        if f.name in table.column_names:
            columns.append(table.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(columns, schema=schema)
