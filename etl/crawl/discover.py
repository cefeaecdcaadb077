"""Discovery: article URLs from RSS/Atom feeds, XML sitemaps, list pages and translations.

Pure functions of (bytes or HTML, base URL): fetching and the crawl frontier live
elsewhere. Every document is capped in bytes first, also after gzip decompression, and
one that declares entities (billion laughs, XXE) is refused before any parser sees it.

Feeds are read by feedparser, the reference parser: it copes with what real feeds get
wrong (undeclared HTML entities, bare ampersands, a wrong charset, broken markup) and
honours xml:base. Sitemaps are read with defusedxml (lxml's recovering parser, entities
and network off, for broken ones), or as plain text, one URL a line (sitemaps.org).
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from bs4 import BeautifulSoup, Tag
from defusedxml import DefusedXmlException
from lxml import etree

from etl.extract import metadata
from etl.extract.dates import parse_date_value
from etl.normalize import canonical_url

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for one uncompressed file
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Link:
    """A discovered URL: an article, or another sitemap to read (``kind == "sitemap"``).
    ``lastmod`` says when the page last changed, ``published`` when it first appeared.
    ``error``: why the URL is unusable (then ``url`` is the text as written): the crawl
    rejects that one link, and the page's other links go on."""

    url: str
    kind: str = "article"
    lastmod: datetime | None = None
    published: datetime | None = None
    error: str | None = None

    @property
    def date(self) -> datetime | None:
        return self.published or self.lastmod


class DiscoveryError(ValueError):
    """A feed, sitemap or list page that yields nothing, with a reason a user can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- XML ------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    """``{namespace}name`` -> ``name``; comments and processing instructions -> ""."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def inflate(data: bytes, max_bytes: int = MAX_XML_BYTES) -> bytes:
    """Gunzip ``data`` when it is gzip, refusing more than ``max_bytes`` once inflated."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise DiscoveryError(f"broken gzip: {exc}") from None
    if len(out) > max_bytes:
        raise DiscoveryError(f"gzip inflates to more than {max_bytes} bytes")
    return out


def _checked(data: bytes, max_bytes: int) -> bytes:
    """``data`` inflated and within ``max_bytes``. A document that declares entities is
    refused unread: that is how entity bombs and external entities (XXE) come."""
    data = inflate(data, max_bytes)
    if len(data) > max_bytes:
        raise DiscoveryError(f"XML larger than {max_bytes} bytes")
    if not data.strip():
        raise DiscoveryError("empty document")
    if "<!ENTITY" in _prolog(_head_text(data)):
        raise DiscoveryError("hostile XML refused (EntitiesForbidden): entity declarations are not read")
    return data


_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _head_text(data: bytes, size: int = 1 << 20) -> str:
    """The start of a document as text, enough to see its prolog and root element: also in
    UTF-16 or UTF-32, where a byte search would miss ``<!ENTITY``."""
    head = data[:size]
    codec = next((c for bom, c in _UNICODE_BOMS if head.startswith(bom)), None)
    if codec is None and head[:2] == b"\x00<":
        codec = "utf-16-be"
    elif codec is None and head[:2] == b"<\x00":
        codec = "utf-16-le"
    return head.decode(codec or "latin-1", "replace")


_FIRST_ELEMENT = re.compile(r"<([A-Za-z_][\w:.-]*)")


def _prolog(text: str) -> str:
    """What comes before the root element: the XML declaration, comments, the DTD."""
    match = _FIRST_ELEMENT.search(text)
    return text[: match.start()] if match else text


def _root_name(data: bytes) -> str | None:
    match = _FIRST_ELEMENT.search(_head_text(data))
    return match.group(1).rsplit(":", 1)[-1] if match else None


def parse_xml(data: bytes, max_bytes: int = MAX_XML_BYTES) -> Any:
    """The root element of a sitemap; hostile XML raises DiscoveryError."""
    data = _checked(data, max_bytes)
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise DiscoveryError(
            f"hostile XML refused ({type(exc).__name__}): entity declarations are not read"
        ) from None
    except ParseError as exc:
        with contextlib.suppress(ParseError, DefusedXmlException):
            return SafeET.fromstring(_html_entities_as_references(data))
        recovered = _recover(data)
        if recovered is None:
            raise DiscoveryError(f"malformed XML: {exc}") from None
        return recovered


_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _html_entities_as_references(data: bytes) -> bytes:
    """HTML's named entities (``&nbsp;``, ``&eacute;``), undeclared in XML, as character
    references, and bare ampersands escaped: the usual reasons a sitemap is not well-formed.
    Then no recovering parser has to guess (lxml's recovery dropped every ``&amp;``)."""

    def reference(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        codepoint = name2codepoint.get(name.decode("ascii"))
        return f"&#{codepoint};".encode() if codepoint else b"&amp;" + name + b";"

    return _NAMED_ENTITY.sub(reference, _BARE_AMPERSAND.sub(b"&amp;", data))


_BARE_AMPERSAND = re.compile(rb"&(?!#?[A-Za-z0-9]+;)")


def _recover(data: bytes) -> Any:
    """Best-effort parse of broken XML with entities, DTDs and network access off. Bare
    ampersands in URLs (the most common breakage) are escaped first."""
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(_BARE_AMPERSAND.sub(b"&amp;", data), parser)
    except etree.XMLSyntaxError:
        return None


def _children(el: Any, name: str) -> Iterator[Any]:
    return (c for c in el if _local(c.tag) == name)


def _text(el: Any, *names: str) -> str | None:
    for name in names:
        for child in _children(el, name):
            if child.text and child.text.strip():
                return child.text.strip()
    return None


def _when(value: str | None) -> datetime | None:
    """A protocol date (W3C datetime, RFC 822) as an aware UTC datetime."""
    if not value:
        return None
    parsed = parse_date_value(value)
    if isinstance(parsed, datetime):
        return parsed.astimezone(UTC)
    if isinstance(parsed, date):
        return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    return None


def _link(href: str | None, base_url: str, kind: str = "article", **dates: datetime | None) -> Link | None:
    """The Link for ``href`` resolved against the page when it is an http(s) URL, None for
    anything else; for a URL that cannot be parsed (an unclosed IPv6 bracket in
    ``http://example.c[o/``), a Link that says why."""
    href = (href or "").strip()
    if not href:
        return None
    try:
        url = urljoin(base_url, href)
    except ValueError as exc:
        return Link(href, kind, error=f"malformed URL: {exc}")
    return Link(url, kind, **dates) if url.startswith(("http://", "https://")) else None


def _absolute(href: str | None, base_url: str) -> str | None:
    """``href`` as a usable absolute http(s) URL, or None."""
    link = _link(href, base_url)
    return link.url if link is not None and link.error is None else None


# --- feeds ----------------------------------------------------------------------------


def parse_feed(
    data: bytes, base_url: str, max_bytes: int = MAX_XML_BYTES, content_type: str | None = None
) -> list[Link]:
    """Article links of an RSS 0.9x/1.0/2.0, Atom or CDF feed, in feed order, as feedparser
    reads them (``content_type``: the HTTP header, whose charset it weighs)."""
    data = _checked(data, max_bytes)
    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(
        data, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    if not parsed.version and not parsed.entries:
        raise DiscoveryError(f"not a feed: the document is <{_root_name(data) or '?'}>")
    links = []
    for number, entry in enumerate(parsed.entries, 1):
        # dict.get: FeedParserDict.get would map a missing updated_parsed to published_parsed.
        updated = _struct_time(dict.get(entry, "updated_parsed"))
        published = _struct_time(dict.get(entry, "published_parsed"))
        link = _link(entry.get("link"), base_url, lastmod=updated or published, published=published)
        if link:
            links.append(link)
        elif dict.get(entry, "link") == "":
            # feedparser empties a link it cannot parse (http://example.c[o.test/): say where.
            error = f"entry {number}: its link is empty or not a URL that can be parsed"
            links.append(Link(f"{base_url}#entry-{number}", error=error))
    return links


def _struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's dates are UTC struct_times."""
    try:
        return datetime(*value[:6], tzinfo=UTC) if value else None
    except (TypeError, ValueError):
        return None


# --- sitemaps -------------------------------------------------------------------------


def parse_sitemap(
    data: bytes, base_url: str, max_bytes: int = MAX_XML_BYTES, content_type: str | None = None
) -> list[Link]:
    """Entries of a sitemap (articles, with news:publication_date when present) or of a
    sitemap index (``kind == "sitemap"``). Handles gzip, and plain-text sitemaps: one URL a
    line, served as text/plain or simply not XML."""
    data = _checked(data, max_bytes)
    if (content_type or "").startswith("text/plain") or not _head_text(data).lstrip(
        "\ufeff \t\r\n"
    ).startswith("<"):
        return _text_sitemap(data, base_url)
    root = parse_xml(data, max_bytes)
    kind = {"sitemapindex": "sitemap", "urlset": "article"}.get(_local(root.tag))
    if kind is None:
        raise DiscoveryError(f"not a sitemap: the document is <{_local(root.tag) or '?'}>")
    links = []
    for entry in root:
        if _local(entry.tag) not in ("sitemap", "url"):
            continue
        published = None
        for news in _children(entry, "news"):
            published = _when(_text(news, "publication_date"))
        link = _link(
            _text(entry, "loc"), base_url, kind, lastmod=_when(_text(entry, "lastmod")), published=published
        )
        if link:
            links.append(link)
    return links


def _text_sitemap(data: bytes, base_url: str) -> list[Link]:
    """A plain-text sitemap: UTF-8, one absolute URL a line; other lines are ignored."""
    links = []
    for line in data.decode("utf-8", "replace").lstrip("\ufeff").splitlines():
        line = line.strip()
        if "://" in line and not line.startswith("#"):
            link = _link(line, base_url)
            if link:
                links.append(link)
    if not links:
        raise DiscoveryError("not a sitemap: neither XML nor a list of URLs")
    return links


# --- list pages -----------------------------------------------------------------------


def parse_list_page(
    html: str, base_url: str, links: str | None = None, next_page: str | None = None
) -> tuple[list[Link], str | None]:
    """Article links on a list page (CSS selector ``links``, default every link) with the
    date printed next to each when there is a ``<time datetime>``, and the next page
    (CSS selector ``next_page``, default ``rel=next``)."""
    soup = BeautifulSoup(html, "lxml")
    found: list[Link] = []
    seen: set[str] = set()
    for el in soup.select(links or "a[href]"):
        anchor = el if el.name == "a" else el.find("a", href=True)
        if not isinstance(anchor, Tag):
            continue
        link = _link(str(anchor.get("href") or ""), base_url)
        if link and link.url not in seen:
            seen.add(link.url)
            found.append(link if link.error else Link(link.url, published=_item_date(anchor)))
    return found, _next_url(soup, base_url, next_page)


def _item_date(anchor: Tag) -> datetime | None:
    container = anchor.find_parent(["li", "article", "tr"])
    stamp = container.find("time", datetime=True) if container else None
    return _when(str(stamp["datetime"])) if isinstance(stamp, Tag) else None


def _next_url(soup: BeautifulSoup, base_url: str, selector: str | None) -> str | None:
    if selector:
        el = soup.select_one(selector)
    else:
        el = soup.find(["a", "link"], rel=lambda v: v is not None and "next" in v, href=True)
    return _absolute(el.get("href") if isinstance(el, Tag) else None, base_url)


# --- translations ---------------------------------------------------------------------

# What language switchers say: codes and names in the language itself and in English.
_LANGUAGE_NAMES = {
    "ar": ("ar", "ara", "arb", "عربي", "العربية", "arabic", "عربى"),
    "ru": ("ru", "rus", "рус", "русский", "russian", "по-русски"),
    "en": ("en", "eng", "english", "англ", "in english"),
    "fr": ("fr", "fra", "français", "francais", "french"),
    "de": ("de", "deu", "deutsch", "german"),
    "es": ("es", "esp", "español", "espanol", "spanish"),
    "tr": ("tr", "türkçe", "turkce", "turkish"),
    "fa": ("fa", "فارسی", "farsi", "persian"),
    "uk": ("uk", "ua", "укр", "українська", "ukrainian"),
    "zh": ("zh", "中文", "chinese"),
}
_BY_NAME = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names}


def switcher_links(soup: BeautifulSoup, url: str) -> dict[str, str]:
    """Language versions linked by a switcher ("Ru En", "عربي | English") on an article.

    A link counts when it names a language (or carries hreflang), stays on the same host
    and looks like an article as deep as this one: a switcher that leads to a language's
    home page ("/en/") is navigation, not a translation, and would glue unrelated
    articles into one translation group."""
    here = canonical_url(url)
    if here is None:
        return {}
    out: dict[str, str] = {}
    for anchor in soup.find_all("a", href=True):
        lang = _anchor_language(anchor)
        target = _absolute(str(anchor["href"]), url)
        if not lang or not target or canonical_url(target) == here:
            continue
        if _same_host(target, url) and _as_deep(target, url):
            out.setdefault(lang, target)
    return out


def translation_links(html: str, url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(hreflang alternates, switcher links) of an article page."""
    soup = BeautifulSoup(html, "lxml")
    return metadata.translations(metadata.Page(soup), url), switcher_links(soup, url)


def _anchor_language(anchor: Tag) -> str | None:
    hreflang = anchor.get("hreflang")
    if hreflang:
        return str(hreflang).split("-")[0].lower() or None
    text = " ".join(anchor.get_text(" ", strip=True).split()).casefold()
    return _BY_NAME.get(text) if 0 < len(text) <= 20 else None


def _same_host(a: str, b: str) -> bool:
    return (urlsplit(a).hostname or "") == (urlsplit(b).hostname or "")


def _depth(url: str) -> int:
    return len([s for s in urlsplit(url).path.split("/") if s])


def _as_deep(target: str, page: str) -> bool:
    depth = _depth(target)
    return depth >= 2 and depth >= _depth(page) - 1


# --- filters --------------------------------------------------------------------------


def matcher(pattern: str | None) -> Callable[[str], bool]:
    """A test on a URL's path (and query) for a source's article pattern; None accepts all."""
    if not pattern:
        return lambda url: True
    compiled = re.compile(pattern)

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        return bool(compiled.search(parts.path + (f"?{parts.query}" if parts.query else "")))

    return matches
