"""The archive wing: what is stored and how. The Arrow schema of every table (``schema``),
fingerprints and MinHash (``fingerprint``), the dedup index (``dedup``) and its cache
(``index_cache``), atomic Parquet, the writer lock and compaction (``store``) and the same
archive on S3 (``objectstore``).

It may import ``etl.models`` and ``etl.normalize`` only: neither the crawl nor the extract
wing, so the stored format does not depend on how pages were fetched or read. The contracts
are in pyproject.toml, checked by ``lint-imports``.
"""
