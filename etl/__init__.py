"""News archive ETL: read or fetch pages, extract articles, deduplicate, append to Parquet.

The public API is small on purpose; each stage lives in its own module.
"""

from etl.archive.store import Archive, ArchiveBusy, load_articles
from etl.extract.extract import extract_article
from etl.models import Article, RawDocument, Reject, RejectedInput
from etl.pipeline import RunSummary, run_pipeline

__all__ = [
    "Archive",
    "ArchiveBusy",
    "Article",
    "RawDocument",
    "Reject",
    "RejectedInput",
    "RunSummary",
    "extract_article",
    "load_articles",
    "run_pipeline",
]
