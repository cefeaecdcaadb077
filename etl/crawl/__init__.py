"""The crawl wing: getting pages off the web and keeping them raw. HTTP with robots.txt, rate
limits and address checks (``fetch``), feeds, sitemaps and list pages (``discover``), the raw
WARC archive written and read back (``warc``), WARC files as pipeline input (``warc_input``) and
the per-URL crawl state in SQLite (``state``). The scrape job (``jobs/scrape.py``) drives it.

It may import ``etl.models``, ``etl.normalize`` and the extract wing (discovery reads dates and
metadata from list pages), never the archive: what a page becomes once stored is not the
crawler's business. The contracts are in pyproject.toml, checked by ``lint-imports``.
"""
