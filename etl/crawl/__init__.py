"""The crawl wing: getting pages off the web and keeping them raw. HTTP with robots.txt, rate
limits and address checks (``fetch``), feeds, sitemaps and list pages (``discover``), the raw
WARC archive written and read back (``warc``), WARC files as pipeline input (``warc_input``),
the per-URL crawl state in SQLite (``state``), and the crawl of one source that uses them all
(``engine``: resume, start points, frontier order). The scrape job (``jobs/scrape.py``) runs it.

It may import ``etl.models``, ``etl.normalize`` and the extract wing (discovery reads dates and
metadata from list pages), never the archive (which URLs are archived is passed in), nor the wiring
(``etl.pipeline``, ``workers``, ``cluster``, ``read``): what a page becomes once stored is not the
crawler's business. The contracts are in pyproject.toml, checked by ``lint-imports``.
"""
