"""``make demo``: serve the fixture news site on 127.0.0.1 and scrape it, twice, without internet.

The first run archives the site's articles (ar/ru/en, two of them in legacy encodings)
and rejects, each with its reason, the pages built to hurt a crawler. The second run
shows what an incremental scrape costs: feeds and sitemaps answered with 304, no
article fetched again. The demo archive goes to ``data/demo`` (``--data`` to change).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from etl.archive.store import load_articles
from jobs.scrape import scrape_source
from jobs.sources import DEFAULT_CONFIG, load_sources

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="data/demo", help="archive directory (default: data/demo)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="sources file with a 'demo' source")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    sys.path.insert(0, str(ROOT))  # the fixture site lives with the tests
    from tests.sitefixture import FixtureSite

    source = load_sources(args.config).select("demo")[0]
    with FixtureSite(crawl_delay=0.1, slow_seconds=2.0) as site:
        demo = source.rebased(site.base + "/")
        print(f"Serving the fixture site at {site.base}/ and scraping it into {args.data}/\n")
        first = scrape_source(demo, args.data)
        for reason in first.reject_reasons:
            print(f"  rejected {reason.replace(site.base, '')}")
        print(f"first run:  {first.line()}\n")
        before = len(site.hits)
        second = scrape_source(demo, args.data)
        paths = sorted({h.path for h in site.hits[before:]})
        print(f"second run: {second.line()}")
        print(f"  requested again: {', '.join(paths)} (feeds, sitemaps and list pages only)")
        print(
            "  the broken feed and the XML bomb answered 304: rejected in the first run, only logged now,\n"
            "  so the run is ok (partial: some inputs rejected; failed: no start point could be read)\n"
        )
    articles = load_articles(args.data, columns=["language", "translation_group", "title"])
    articles = articles.sort_values(["translation_group", "language"], na_position="last")
    print(f"{len(articles)} articles in {args.data}/articles:")
    for row in articles.itertuples():
        group = row.translation_group if isinstance(row.translation_group, str) else "-"
        print(f"  {row.language}  {group:16}  {row.title}")
    print(f"\nRaw responses (WARC): {args.data}/raw/   crawl state: {args.data}/state.sqlite")
    print(f"Re-extract without the network: .venv/bin/python -m jobs reprocess --data {args.data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
