"""The extract wing: one page's bytes to an ``Article``, a pure function of (bytes, url).
Decoding (``decode``), one bounded parse (``dom``), the rule vocabularies (``vocab``),
boilerplate removal (``clean``), metadata (``metadata``, ``dates``, ``date_guess``,
``credits``), ``language``, the body vote (``combine``) and the assembly (``extract``:
``extract_article``).

It may import ``etl.models`` and ``etl.normalize`` only: neither the crawl nor the archive
wing, so it runs unchanged in a worker process, on a cluster or on a saved page. The
contracts are in pyproject.toml, checked by ``lint-imports``.
"""
