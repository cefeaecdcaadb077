"""The crawl engine: the lazy input of one scrape run of one source.

1. resume: pages a killed run fetched but never archived are re-read from ``data/raw/``;
2. discover: feeds, sitemaps (and their indexes) and list pages, fetched conditionally,
   put article URLs into the persistent frontier (``data/state.sqlite``);
3. fetch: due frontier URLs, oldest discovery first, each response stored as WARC
   before it goes to extraction; language versions found on a page join the frontier.

A URL already archived is not fetched again unless a feed or sitemap reports a newer
lastmod or ``refresh`` is asked (then with its validators: a 304 costs no extraction).
Which URLs are archived is the archive's business: the caller passes a callable that says
so, called once the run holds the archive lock. URLs are marked done (``finish``) only
after the caller's pipeline has flushed their articles, so a kill at any moment loses
nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urljoin, urlsplit

from etl.crawl.discover import (
    DiscoveryError,
    Link,
    matcher,
    parse_feed,
    parse_list_page,
    parse_sitemap,
    translation_links,
)
from etl.crawl.fetch import Fetcher, FetchError, FetchPolicy, Response, Validators
from etl.crawl.state import RetryPolicy, State
from etl.crawl.warc import RawRef, RawWriter
from etl.extract.decode import decode
from etl.models import Interrupted, RawDocument, Reject, RejectedInput
from etl.normalize import canonical_url

log = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset is already unusual
MAX_BACKFILL_PAGES = 10_000  # list pages walked by a backfill before it gives up on reaching ``since``


@dataclass(frozen=True, slots=True)
class ListPage:
    url: str
    links: str | None = None  # CSS selector of article links (default: every link)
    next: str | None = None  # CSS selector of the next-page link (default: rel=next)


@dataclass(frozen=True, slots=True)
class Source:
    """One site to crawl, as configured in ``jobs/sources.toml`` (loaded and checked by
    ``jobs/sources.py``)."""

    name: str
    site: str
    enabled: bool = True
    languages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    lists: tuple[ListPage, ...] = ()
    article_pattern: str | None = None
    hosts: tuple[str, ...] = ()
    max_pages: int = 1000
    list_depth: int = 3
    since: date | None = None
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    extract: Mapping[str, str] = field(default_factory=dict)

    def url(self, ref: str) -> str:
        """A start point, resolved against the site."""
        return urljoin(self.site, ref)

    @property
    def host_names(self) -> frozenset[str]:
        """Hosts whose links belong to this source."""
        return frozenset({urlsplit(self.site).hostname or "", *self.hosts})

    def rebased(self, site: str) -> Source:
        """The same source on another site root (the demo serves the fixture on a free port)."""
        return replace(self, site=site)


@dataclass(slots=True)
class CrawlStats:
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    resumed: int = 0
    failed: int = 0
    pages_read: int = 0  # discovery pages (feeds, sitemaps, list pages) read, 304s included
    pages_failed: int = 0  # ... that could not be fetched or yielded nothing

    def line(self, name: str) -> str:
        return (
            f"source {name}: discovered {self.discovered}, fetched {self.fetched}, "
            f"not modified {self.not_modified}, resumed from raw {self.resumed}, failed {self.failed}"
        )


def to_document(response: Response) -> tuple[RawDocument, dict[str, str]]:
    """The pipeline input for a fetched page, and the language versions it links to.

    Switcher links go along as translation hints (extraction reads hreflang itself);
    the same function serves scrape and reprocess, so both build identical inputs."""
    hreflang: dict[str, str] = {}
    switcher: dict[str, str] = {}
    with contextlib.suppress(RejectedInput, ValueError):  # undecodable: the pipeline says why
        hreflang, switcher = translation_links(decode(response.body, response.charset), response.final_url)
    document = RawDocument(
        origin=response.url,
        data=response.body,
        url=response.final_url,
        charset=response.charset,
        kind="html",
        fetched_at=response.fetched_at,
        translations=switcher or None,
    )
    return document, {**switcher, **hreflang}


@dataclass
class Crawl:
    """The lazy input of one scrape run, and the bookkeeping around it. ``archived`` is
    called once the run holds the archive lock: it returns whether a canonical URL is
    already archived (fetched again only on a newer lastmod, or with ``refresh``)."""

    source: Source
    archived: Callable[[], Callable[[str], bool]]
    state: State
    raw: RawWriter
    fetcher: Fetcher
    run: str
    refresh: bool = False
    since: date | None = None
    stats: CrawlStats = field(default_factory=CrawlStats)
    _is_archived: Callable[[str], bool] = field(init=False, repr=False, default=lambda url: False)
    _enqueued: dict[str, bool] = field(default_factory=dict)  # canonical url -> due, for links seen this run
    _pages: set[str] = field(default_factory=set)  # discovery pages read this run
    _yielded: set[str] = field(default_factory=set)  # origins handed to the pipeline
    _processed: list[str] = field(default_factory=list)  # ... and archived by it

    def __post_init__(self) -> None:
        self._is_article = matcher(self.source.article_pattern)
        self._floor = self.since or self.source.since  # older links are not followed

    # the input -----------------------------------------------------------------------

    def inputs(self) -> Iterator[RawDocument | Reject]:
        """Runs inside the pipeline (and its archive lock)."""
        self._is_archived = self.archived()
        yield from self._resume()
        if self.refresh:
            log.info(
                "refresh: %d archived pages of %s due again",
                self.state.revisit(self.source.name),
                self.source.name,
            )
        for ref in self.source.feeds:
            url = self.source.url(ref)
            yield from self._alone(url, "feed", self._feed(url))
        for ref in self.source.sitemaps:
            url = self.source.url(ref)
            yield from self._alone(url, "sitemap", self._sitemap(url, 0))
        for page in self.source.lists:
            url = self.source.url(page.url)
            yield from self._alone(url, "list page", self._list(url, page.links, page.next))
        yield from self._fetch_due()

    def _alone(
        self, url: str, what: str, inputs: Iterator[RawDocument | Reject]
    ) -> Iterator[RawDocument | Reject]:
        """``inputs``; an error nobody foresaw (a bug, a parser's surprise) ends them with a
        reject for ``url`` instead of ending the run: the other start points and the
        articles go on, and the run is recorded."""
        try:
            yield from inputs
        except Interrupted:
            raise
        except Exception as exc:
            log.debug("unexpected error on %s", url, exc_info=True)
            if what != "fetch":
                self.stats.pages_failed += 1
            yield self._reject(url, f"{what}: unexpected error: {_one_line(exc)}", "discover")

    def processed(self, origin: str) -> None:
        """The pipeline is done with the input read from ``origin`` (archived or rejected)."""
        if origin in self._yielded:
            self._processed.append(origin)

    def finish(self) -> None:
        """After the pipeline flushed: what it processed is archived."""
        self.state.done(self._processed)

    # resume --------------------------------------------------------------------------

    def _resume(self) -> Iterator[RawDocument]:
        for page in self.state.fetched_not_archived(self.source.name):
            try:
                if page.ref is None:
                    raise ValueError("no raw reference")
                record = self.raw.read(page.ref)
            except (OSError, ValueError) as exc:
                log.warning("%s: raw copy unreadable (%s): fetching again", page.url, exc)
                self.state.requeue(page.url)
                continue
            self.stats.resumed += 1
            yield from self._document(record.response)

    # discovery -----------------------------------------------------------------------

    def _first_visit(self, url: str) -> bool:
        """A discovery page is read once per run (sitemap indexes and pagers can loop)."""
        if url in self._pages:
            return False
        self._pages.add(url)
        return True

    def _start_point(
        self, url: str, kind: str, parse: Callable[..., list[Link]]
    ) -> Iterator[Reject | list[Link]]:
        """Fetch and parse a feed or a sitemap once per run: its links, or a reject."""
        if not self._first_visit(url):
            return
        got = self._get(url, kind)
        if isinstance(got, Reject):
            yield got
            return
        response, ref = got
        try:
            links = parse(
                response.body,
                response.final_url,
                self.source.fetch.max_bytes,
                response.header("Content-Type"),
            )
        except DiscoveryError as exc:
            yield from self._unusable(url, kind, f"{kind}: {exc.reason}", response, ref)
            return
        self.stats.pages_read += 1
        self._remember(url, kind, response, ref)
        yield links

    def _feed(self, url: str) -> Iterator[Reject]:
        for got in self._start_point(url, "feed", parse_feed):
            if isinstance(got, Reject):
                yield got
            else:
                yield from self._enqueue_all(got, url)

    def _sitemap(self, url: str, depth: int) -> Iterator[Reject]:
        for got in self._start_point(url, "sitemap", parse_sitemap):
            if isinstance(got, Reject):
                yield got
                continue
            yield from self._enqueue_all([link for link in got if link.kind == "article"], url)
            for child in (link for link in got if link.kind == "sitemap" and not link.error):
                if depth + 1 > MAX_SITEMAP_DEPTH or not self._own(child.url):
                    log.info("sitemap %s not followed (too deep or another host)", child.url)
                elif not (self._floor and child.lastmod and child.lastmod.date() < self._floor):
                    yield from self._sitemap(child.url, depth + 1)

    def _list(self, url: str | None, links: str | None, next_page: str | None) -> Iterator[Reject]:
        """Walk a list page and its successors: ``list_depth`` pages in a scrape (fewer when a
        page brings nothing new), back to ``since`` in a backfill."""
        limit = MAX_BACKFILL_PAGES if self.since else self.source.list_depth
        for _ in range(limit):
            if url is None or not self._first_visit(url):
                return
            got = self._get(url, "list")
            if isinstance(got, Reject):
                yield got
                return
            response, ref = got
            try:
                html = decode(response.body, response.charset)
                found, next_url = parse_list_page(html, response.final_url, links, next_page)
            except (RejectedInput, ValueError) as exc:
                yield from self._unusable(url, "list", f"list page: {exc}", response, ref)
                return
            self.stats.pages_read += 1
            due = yield from self._enqueue_all(found, url)
            self._remember(url, "list", response, ref)
            if self._reached_floor(found) or (not self.since and not self.refresh and due == 0):
                return
            url = next_url if next_url and self._own(next_url) else None

    def _reached_floor(self, links: list[Link]) -> bool:
        """Every link on the page is dated, and all are older than ``since``."""
        if not self._floor or not links:
            return False
        dates = [link.date for link in links]
        return all(d is not None and d.date() < self._floor for d in dates)

    def _get(self, url: str, role: str) -> tuple[Response, RawRef | None] | Reject:
        """A discovery page, conditionally: a 304 is answered from the raw archive.
        Returns the response and, when it was fetched anew, where its raw copy went; or the
        reject of a page that could not be fetched, counted as failed."""
        known = self.state.get(url)
        cached = known.ref if known is not None and known.validators else None
        try:
            response, ref = self._fetch(
                url, "html" if role == "list" else "xml", known.validators if cached else None, role
            )
            if response.not_modified and cached is not None:
                return self.raw.read(cached).response, None
        except FetchError as exc:
            self.stats.pages_failed += 1
            return self._reject(url, exc.reason, "discover")
        except (OSError, ValueError) as exc:  # the raw copy behind the 304 is gone: fetch it whole
            log.warning("%s: raw copy unreadable (%s): fetching in full", url, exc)
            self.state.forget_validators(url)
            return self._get(url, role)
        return response, ref

    def _fetch(
        self, url: str, kind: str, validators: Validators | None, role: str
    ) -> tuple[Response, RawRef | None]:
        """``fetcher.fetch``, with every answer it received on the way (robots.txt, redirect
        hops, errors, 304s) written to the raw archive, also when it raises. The reference is
        that of the response returned."""
        try:
            response = self.fetcher.fetch(url, kind, validators)
        finally:
            refs = {id(x.response): self.raw.write(x, role, self.source.name) for x in self.fetcher.exchanges}
        return response, refs.get(id(response))

    def _unusable(
        self, url: str, role: str, reason: str, response: Response, ref: RawRef | None
    ) -> Iterator[Reject]:
        """A discovery page that was read but yields nothing (not a feed, hostile XML). It is
        rejected once per version: answered 304 and rejected for the same reason last time, it
        is only logged, so a run that found nothing else wrong is ``ok``."""
        self.stats.pages_failed += 1
        if ref is None:  # unchanged since the copy in the raw archive
            known = self.state.get(url)
            if known is not None and known.error == reason:
                log.info("%s: unchanged since it was rejected (%s)", url, reason)
                return
        else:
            self.state.remember(
                url, self.source.name, role, response.validators, ref, response.fetched_at, error=reason
            )
        yield self._reject(url, reason, "discover")

    def status(self, rejected: int) -> str:
        """``failed`` when no feed, sitemap or list page could be read; ``partial`` when some
        input was rejected (``rejected``: how many the run rejected); else ``ok`` (also when
        nothing was new)."""
        if self.stats.pages_failed and not self.stats.pages_read:
            return "failed"
        return "partial" if rejected else "ok"

    def _remember(self, url: str, role: str, response: Response, ref: RawRef | None) -> None:
        """Keep validators only after the page's links are in the frontier (a kill in
        between must not make the next run skip them on a 304)."""
        if ref is not None:
            self.state.remember(url, self.source.name, role, response.validators, ref, response.fetched_at)

    # the frontier --------------------------------------------------------------------

    def _enqueue_all(
        self, links: list[Link], found_on: str, *, translations: bool = False
    ) -> Generator[Reject, None, int]:
        """Put wanted article links into the frontier and return how many are due. A link
        that cannot be used is a reject of its own (what was wrong, and on which page)."""
        due = 0
        for link in links:
            if link.error:
                yield self._reject(link.url, f"link on {found_on}: {link.error}", "discover")
                continue
            try:
                due += self._enqueue(link, translations)
            except Interrupted:
                raise
            except Exception as exc:
                reason = f"link on {found_on}: unexpected error: {_one_line(exc)}"
                yield self._reject(link.url, reason, "discover")
        return due

    def _enqueue(self, link: Link, translations: bool) -> bool:
        """One link into the frontier; whether it is due."""
        url = canonical_url(link.url)
        if url is None or not self._own(url) or not (translations or self._is_article(url)):
            return False
        if self._floor and link.date and link.date.date() < self._floor:
            return False
        if url not in self._enqueued:
            self._enqueued[url] = self.state.enqueue(
                url,
                self.source.name,
                lastmod=link.lastmod,
                archived=self._is_archived(url),
                refresh=self.refresh,
            )
            self.stats.discovered += 1
        return self._enqueued[url]

    def _own(self, url: str) -> bool:
        try:
            return (urlsplit(url).hostname or "") in self.source.host_names
        except ValueError:
            return False

    # fetching ------------------------------------------------------------------------

    def _fetch_due(self) -> Iterator[RawDocument | Reject]:
        budget = self.source.max_pages
        while budget > 0:
            batch = self.state.due(self.source.name, self.run, limit=min(100, budget))
            if not batch:
                return
            for url in batch:
                budget -= 1
                yield from self._alone(url, "fetch", self._fetch_article(url))

    def _fetch_article(self, url: str) -> Iterator[RawDocument | Reject]:
        self.state.tried(url, self.run)
        page = self.state.get(url)
        validators = page.validators if page is not None and page.ref is not None else None
        try:
            response, ref = self._fetch(url, "html", validators, "article")
        except FetchError as exc:
            self.stats.failed += 1
            yield self._failure(url, exc)
            return
        if response.not_modified:
            self.stats.not_modified += 1
            self.state.done([url])
            return
        assert ref is not None  # every answer fetch returns was written
        self.state.fetched(url, ref, response.validators, response.fetched_at)
        self.stats.fetched += 1
        yield from self._document(response)

    def _document(self, response: Response) -> Iterator[RawDocument | Reject]:
        """The page for the pipeline, after its language versions joined the frontier."""
        document, versions = to_document(response)
        if self.source.extract:
            document = replace(document, selectors=dict(self.source.extract))
        links = [Link(u) for u in versions.values()]
        yield from self._enqueue_all(links, response.final_url, translations=True)
        self._yielded.add(document.origin)
        yield document

    def _failure(self, url: str, exc: FetchError) -> Reject:
        policy = self.source.retry
        page = self.state.failed(
            url, exc.reason, policy, permanent=exc.permanent, retry_after=exc.retry_after
        )
        if page.status == "gave_up":
            note = "not retried" if exc.permanent else f"gave up after {page.tries} tries"
        else:
            when = f"{page.next_try:%Y-%m-%d %H:%M:%S} UTC" if page.next_try else "the next run"
            note = f"try {page.tries} of {policy.max_tries}; next try after {when}"
        return self._reject(url, f"{exc.reason} ({note})", "fetch")

    def _reject(self, url: str, reason: str, stage: str) -> Reject:
        return Reject(url, reason, url=url, stage=stage)


def _one_line(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= 300 else text[:297] + "..."
