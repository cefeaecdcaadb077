"""Metadata of an HTML page, read from the raw DOM before boilerplate removal:
title, publication date, authors, photo credit, canonical URL, translations.

Structured data first (JSON-LD, <meta>, microdata, <time>), visible text second.
Every rule here must make sense for a news site we have never seen.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from etl.extract import vocab
from etl.extract.clean import class_and_id, ends_sentence
from etl.extract.credits import LABEL_START, author_line, copyright_credit, photo_credit_line, split_names
from etl.extract.dates import FoundDate, find_dates, parse_date_value
from etl.extract.dom import Inherited, short_text, text_head
from etl.normalize import canonical_url, clean_text, fold_digits, key_text, squeeze


def _words_of(el: Tag, attribute: str) -> list[str]:
    """A space-separated attribute (rel, class) as words, however the parser stored it."""
    value = el.get(attribute)
    return value if isinstance(value, list) else (value or "").split()


class Page:
    """A parsed page indexed in one walk: elements by name, with itemprop, text nodes, and
    document positions. Metadata rules look things up here instead of searching the tree
    again and again (each bs4 find_all is a full walk)."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.body: Tag = soup.body or soup
        self.tags: list[Tag] = []
        self.by_name: dict[str, list[Tag]] = {}
        self.itemprop: list[Tag] = []
        self.strings: list[NavigableString] = []
        for node in soup.descendants:
            if isinstance(node, Tag):
                self.tags.append(node)
                self.by_name.setdefault(node.name, []).append(node)
                if node.has_attr("itemprop"):
                    self.itemprop.append(node)
            elif type(node) is NavigableString:
                self.strings.append(node)
        self.position = {id(t): i for i, t in enumerate(self.tags)}
        self._boilerplate: dict[int, Inherited] = {}  # by the headline's id (0: none)
        self.in_site_header = Inherited(_site_header_decides, default=False)
        self.inside_image = Inherited(_image_decides, default=False)
        self.line_start = Inherited(_line_start_decides)
        self.beyond_inline = Inherited(_beyond_inline_decides)

    def in_boilerplate(self, el: Tag, headline: Tag | None = None) -> bool:
        """Inside an aside, navigation, footer, or a related/comments/sidebar container
        (see ``_boilerplate_decides``); memoised per headline."""
        key = id(headline) if headline is not None else 0
        test = self._boilerplate.get(key)
        if test is None:
            shared = _ancestors(headline)
            test = self._boilerplate[key] = Inherited(
                lambda p: _boilerplate_decides(p, shared, headline), default=False
            )
        return test.above(el)

    def named(self, *names: str) -> list[Tag]:
        """Elements with one of these names, in document order."""
        if len(names) == 1:
            return self.by_name.get(names[0], [])
        return sorted((t for n in names for t in self.by_name.get(n, [])), key=lambda t: self.position[id(t)])

    def with_itemprop(self, *props: str) -> list[Tag]:
        return [t for t in self.itemprop if t.get("itemprop") in props]


_SCRIPT_START = re.compile(r"<script", re.IGNORECASE)
_JSON_LD_TYPE = re.compile(r"""type\s*=\s*["']?application/ld\+json""", re.IGNORECASE)
_SCRIPT_END = re.compile(r"</script>", re.IGNORECASE)
ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "liveblogposting",
        "techarticle",
        "scholarlyarticle",
        "socialmediaposting",
        "posting",
        "report",
    }
)


# --- JSON-LD and <meta> ------------------------------------------------------------


# Real JSON-LD nests about ten levels deep. Deeper blocks are junk or an attack, and reading
# them (or printing one of their values) would recurse past Python's limit: they are skipped.
MAX_JSON_DEPTH = 64


def _load_json(raw: str) -> Any:
    """A JSON-LD block's value, or None when it is malformed or nested too deep."""
    for text in (raw, re.sub(r"[\x00-\x1f]", " ", raw)):  # raw control characters: tolerated
        try:
            data = json.loads(text)
        except RecursionError:
            return None
        except ValueError:
            continue
        return data if _json_depth(data) <= MAX_JSON_DEPTH else None
    return None


def _json_depth(data: Any) -> int:
    """How deep lists and objects nest in a parsed JSON value (iterative: no recursion)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _json_ld_blocks(html: str) -> Iterator[str]:
    """The text of each ``<script type="application/ld+json">``, in one pass: what the regex
    ``<script[^>]*type\\s*=\\s*["']?application/ld\\+json["']?[^>]*>(.*?)</script>`` finds,
    without its rescans (quadratic on a page of ``<script`` tags never closed by ``>``).
    All ``<script`` openings before the same ``>`` share one tag text: if the first one has
    no JSON-LD type after it, none has."""
    pos = 0
    while (start := _SCRIPT_START.search(html, pos)) is not None:
        tag_end = html.find(">", start.end())
        if tag_end < 0:
            return
        if _JSON_LD_TYPE.search(html, start.end(), tag_end) is None:
            pos = tag_end + 1
            continue
        end = _SCRIPT_END.search(html, tag_end + 1)
        if end is None:
            return  # no later block is closed either
        yield html[tag_end + 1 : end.start()]
        pos = end.end()


def json_ld(html: str) -> list[dict[str, Any]]:
    """All JSON-LD objects of a page, @graph flattened; malformed blocks are skipped."""
    objects: list[dict[str, Any]] = []
    for raw in _json_ld_blocks(html):
        data = _load_json(raw.strip().removeprefix("<!--").removesuffix("-->").strip())
        if data is None:
            continue
        queue = deque(data if isinstance(data, list) else [data])
        while queue:
            item = queue.popleft()
            if isinstance(item, list):
                queue.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    queue.extend(item["@graph"])
                if isinstance(item.get("mainEntity"), dict):
                    queue.append(item["mainEntity"])
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(v).lower() for v in values if v}


def article_objects(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-LD objects describing an article (NewsArticle and kin), most specific first."""
    return [o for o in objects if _types(o) & ARTICLE_TYPES]


def meta_tags(page: Page) -> dict[str, str]:
    """<meta> name/property/itemprop (lower-case) -> first non-empty content."""
    out: dict[str, str] = {}
    for el in page.named("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        value = el.get("content")
        if key and value and value.strip():
            out.setdefault(str(key).strip().lower(), value.strip())
    return out


def _names(value: Any) -> list[str]:
    """Names in a JSON-LD person/organisation value (string, dict or list of them)."""
    names: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return names


# --- URLs and translations ----------------------------------------------------------


def page_url(page: Page, meta: dict[str, str], url: str | None) -> str | None:
    """The page's canonical link (resolved against the URL), else og:url, else the URL."""
    link = next((el for el in page.named("link") if "canonical" in _words_of(el, "rel")), None)
    href = link.get("href") if isinstance(link, Tag) else None
    for candidate in (href, meta.get("og:url")):
        if candidate and candidate.strip():
            resolved = urljoin(url or "", candidate.strip())
            if resolved.startswith(("http://", "https://")):
                return resolved
    return url


def translations(page: Page, url: str | None) -> dict[str, str]:
    """Language versions declared with <link rel=alternate hreflang>."""
    out: dict[str, str] = {}
    for link in (el for el in page.named("link") if el.has_attr("hreflang")):
        rel = _words_of(link, "rel")
        href = link.get("href")
        lang = str(link.get("hreflang")).lower()
        if "alternate" in rel and href and lang != "x-default":
            out.setdefault(lang, urljoin(url or "", href))
    return out


# --- title --------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s+[|–—•·:»/\\-]{1,2}\s+|\s*[|•·»]\s*")


def _segments(title: str) -> list[str]:
    return [s.strip() for s in _SEPARATORS.split(title) if s.strip()]


def site_name(meta: dict[str, str], objects: list[dict[str, Any]]) -> str | None:
    for key in ("og:site_name", "application-name", "twitter:site"):
        if meta.get(key):
            return meta[key].lstrip("@")
    for obj in objects:
        publisher = obj.get("publisher")
        names = _names(publisher)
        if names:
            return names[0]
    return None


def strip_site_name(title: str, site: str | None) -> str:
    """Remove "… | Site", "Site - …" and similar decorations from a <title>-like string."""
    parts = _segments(title)
    if len(parts) <= 1:
        return title.strip()
    if site:
        site_key = key_text(site)
        kept = [p for p in parts if key_text(p) != site_key and site_key not in key_text(p)]
        if kept and len(kept) < len(parts):
            return _rejoin(title, kept)
    # Without a known site name, the longest segment is the headline.
    return max(parts, key=len)


def _rejoin(title: str, kept: list[str]) -> str:
    """Rebuild the title from the kept segments as they appeared in it."""
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(kept)


_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})


def _same(a: str, b: str) -> bool:
    """Equal as headlines: sites type the same title with straight and curly quotes."""
    return key_text(a).translate(_QUOTES) == key_text(b).translate(_QUOTES)


def choose_title(
    page: Page, meta: dict[str, str], objects: list[dict[str, Any]], url: str | None = None
) -> tuple[str | None, Tag | None]:
    """The headline, chosen by agreement between <h1>, og:title, JSON-LD headline and
    <title>; returns it and the <h1> it came from (a landmark for the date search)."""
    site = site_name(meta, objects)
    articles = article_objects(objects)
    structured = [
        *(a.get("headline") for a in articles),
        *(a.get("name") for a in articles),
        meta.get("og:title"),
        meta.get("twitter:title"),
        meta.get("title"),
        meta.get("headline"),
    ]
    structured = [squeeze(t) for t in structured if isinstance(t, str) and t.strip()]
    title_tag = next(iter(page.named("title")), None)
    page_title = squeeze(title_tag.get_text()) if title_tag else ""
    variants = [
        v for t in [*structured, page_title] if t for v in (t, strip_site_name(t, site), *_headline_parts(t))
    ]
    # A shorter segment of "Section - Site" titles ("News - Eawag") is weak evidence: an
    # <h1> matching only it loses to a structured headline that names something else.
    minor = {key_text(p) for t in [*structured, page_title] if t for p in _minor_parts(t)}
    headline_given = any(len(strip_site_name(t, site)) >= 10 for t in structured)
    h1s = [
        h
        for h in page.named("h1")
        if 3 <= len(h.get_text(strip=True)) <= 400
        and not _LOGO.search(class_and_id(h))
        and not (site and _same(h.get_text(" "), site))
        and not _links_home(h, url)
    ]
    for h1 in h1s:
        text = heading_text(h1)
        matches = [v for v in variants if _same(text, v)]
        weak = all(key_text(v) in minor for v in matches) and not any(
            _same(text, v) for t in structured for v in (t, strip_site_name(t, site))
        )
        if matches and not (headline_given and weak):
            return _without_site_segment(_without_kicker(h1) or text, site), h1
    for h2 in page.named("h2"):  # pages that style the headline as <h2> (or hide their <h1>)
        text = heading_text(h2)
        if len(text) > 15 and any(_same(text, v) for v in variants[:2]):
            return text, h2
    for h1 in h1s:  # an <h1> that a metadata title starts with ("Headline: subtitle")
        text = heading_text(h1)
        if len(text) > 15 and any(key_text(v).startswith(key_text(text)) for v in variants):
            return text, h1
    for h1 in h1s:  # a metadata title that adds a kicker before the <h1> ("Topic: Headline")
        text = _without_kicker(h1) or heading_text(h1)
        if len(text) > 15 and any(_after_kicker(v, text) for v in variants):
            return text, h1
    for h1 in h1s:  # an <h1> with a kicker before the title ("Press release: Headline")
        key = key_text(heading_text(h1))
        for v in variants:
            if len(v) > 15 and key_text(v) not in minor and key.endswith(key_text(v)):
                return v, h1
    for candidate in structured:
        stripped = strip_site_name(candidate, site)
        if len(stripped) >= 10:
            return stripped, _heading_like(page, stripped)
    if h1s:
        inside = [h for h in h1s if h.find_parent(["article", "main"]) is not None] or h1s
        if site:
            inside = [h for h in inside if not _same(h.get_text(" "), site)] or inside
        return _without_kicker(inside[0]) or heading_text(inside[0]), inside[0]
    if page_title:
        return strip_site_name(page_title, site), None
    return None, None


_LOGO = re.compile(r"logo|brand|site-?(?:title|name)|masthead", re.IGNORECASE)


_HOME_PATH = re.compile(r"^/?(?:index\.\w+|[a-z]{2}(?:[-_][a-z]{2})?/?)?$", re.IGNORECASE)


def _links_home(heading: Tag, url: str | None) -> bool:
    """A heading that is wholly a link to the site's home page is the site's name (the
    classic blog-theme logo: <h1><a href="/">Site</a></h1>), not the headline."""
    links = heading.find_all("a", href=True)
    if len(links) != 1 or squeeze(links[0].get_text(" ")) != squeeze(heading.get_text(" ")):
        return False
    target = urlsplit(urljoin(url or "", str(links[0]["href"]).strip()))
    if url and target.netloc.removeprefix("www.") != urlsplit(url).netloc.removeprefix("www."):
        return False
    return not target.query and _HOME_PATH.match(target.path) is not None


def _headline_parts(title: str) -> list[str]:
    """The parts of a "Section | Headline | Site" title that could be the headline: the
    short ones are the site or the section."""
    parts = _segments(title)
    longest = max((len(p) for p in parts), default=0)
    return [p for p in parts if len(p) >= 0.5 * longest]


def _minor_parts(title: str) -> list[str]:
    """The headline-sized parts of a title other than its longest one."""
    parts = _headline_parts(title)
    return sorted(parts, key=len)[:-1] if len(parts) > 1 else []


def heading_text(el: Tag) -> str:
    """A heading's text on one line (headings often hold <br> or a kicker <span>)."""
    return squeeze(clean_text(el.get_text(" ")))


# Elements that set a topic line ("Dachzeile", overline, eyebrow) apart inside a headline.
_KICKER = re.compile(
    r"kicker|dachzeile|spitzmarke|overline|eyebrow|topline|roofline|super-?title|pre-?title|small\b",
    re.IGNORECASE,
)
_KICKER_GLUE = re.compile(r"^[\s:|–—-]+")
_KICKER_END = re.compile(r"(?::|\s[|–—-])\s*$")


def _without_kicker(heading: Tag) -> str | None:
    """The headline of ``<h1><span class="kicker">Topic</span> Headline</h1>`` (also a
    leading ``<small>``), without the topic line; None when the heading has no kicker."""
    first = next(
        (c for c in heading.children if not (isinstance(c, NavigableString) and not c.strip())), None
    )
    if not isinstance(first, Tag) or not (first.name == "small" or _KICKER.search(class_and_id(first))):
        return None
    rest = "".join(c.get_text(" ") if isinstance(c, Tag) else str(c) for c in first.next_siblings)
    rest = _KICKER_GLUE.sub("", squeeze(clean_text(rest)))
    return rest if len(rest) >= 10 else None


def _after_kicker(title: str, headline: str) -> bool:
    """Whether ``title`` is ``headline`` with a topic before it ("Klimaschutz: Headline")."""
    whole, tail = key_text(title), key_text(headline)
    return len(whole) > len(tail) and whole.endswith(tail) and bool(_KICKER_END.search(whole[: -len(tail)]))


def _without_site_segment(text: str, site: str | None) -> str:
    """A heading that repeats the whole <title> ("Headline | Site") without the site part;
    unlike ``strip_site_name`` alone, nothing is cut unless a part is the known site name."""
    if site and any(key_text(p) == key_text(site) for p in _segments(text)):
        return strip_site_name(text, site)
    return text


def _heading_like(page: Page, title: str) -> Tag | None:
    for h in page.named("h1", "h2"):
        if _same(h.get_text(" "), title):
            return h
    return None


# --- dates --------------------------------------------------------------------------

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "date_published",
    "publishdate",
    "publish_date",
    "publish-date",
    "pubdate",
    "pub_date",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "citation_publication_date",
    "citation_date",
    "prism.publicationdate",
    "date",
    "creation_date",
    "created",
    "displaydate",
    "datecreated",
)
_UPDATED = re.compile(vocab.alternation(vocab.UPDATED_LABELS), re.IGNORECASE)
_DATE_CLASS = re.compile(
    r"date|time|publish|posted|submitted|created|dateline|byline|author|meta|info|stamp|zeit|datum|fecha",
    re.IGNORECASE,
)
_NOT_CONTENT = ("aside", "nav", "footer")
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[/_.-](?P<m>0?[1-9]|1[0-2])[/_.-](?P<d>0?[1-9]|[12]\d|3[01])(?!\d)"
    r"|/(?P<y2>(?:19|20)\d{2})(?P<m2>0[1-9]|1[0-2])(?P<d2>0[1-9]|[12]\d|3[01])/"
    r"|/(?P<d3>0[1-9]|[12]\d|3[01])-(?P<m3>0[1-9]|1[0-2])-(?P<y3>(?:19|20)\d{2})(?:[/.]|$)"
)


@dataclass(frozen=True, slots=True)
class Published:
    value: datetime | date
    text: str
    origin: str  # jsonld | meta | time | url | text | selector | guess


def _plausible(value: datetime | date, now: datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return date(1990, 1, 1) <= day <= (now + timedelta(days=1)).date()


def _from_value(raw: Any, origin: str, now: datetime) -> Published | None:
    if not isinstance(raw, str) or not raw.strip() or not _HAS_YEAR.search(fold_digits(raw)):
        return None
    value = parse_date_value(raw.strip())
    if value is not None and _plausible(value, now):
        return Published(value, raw.strip(), origin)
    return None


# Layout modifiers ("has-sidebar", "with-comments") name what is beside the content.
_ASIDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?<!has-)(?<!with-)(?<!no-)(?<!without-)(?<!double-)(?<!single-)"
    rf"(?:{vocab.class_words([vocab.BESIDE, vocab.POINTERS])})(?=$|[\s_-])",
    re.IGNORECASE,
)


def _boilerplate_decides(parent: Tag, shared: frozenset[int], headline: Tag | None) -> Any:
    """Whether an ancestor puts an element in boilerplate: an aside, navigation, footer,
    or a related/comments/sidebar container (UNDECIDED: ask its parent).

    Containers in ``shared`` (the headline's ancestors, see ``_ancestors``) do not count:
    on misnested markup the parser puts the whole article inside the sidebar that was
    left open before it. Nor does a classed container right beside the ``headline`` (same
    parent): themes reuse a teaser component's classes ("teaser__metadata") for the
    article's own byline line."""
    if id(parent) in shared:
        return False
    name = parent.name
    if name in _NOT_CONTENT:
        return True
    if name in ("body", "html", "main", "article", "[document]"):
        return Inherited.UNDECIDED
    if _ASIDE_CLASS.search(class_and_id(parent)):
        if headline is not None and parent.parent is headline.parent:
            return Inherited.UNDECIDED
        return True
    return Inherited.UNDECIDED


def _ancestors(el: Tag | None) -> frozenset[int]:
    return frozenset(id(p) for p in el.parents) if el is not None else frozenset()


@dataclass(frozen=True, slots=True)
class DateEvidence:
    """What the date search reads from one page."""

    page: Page
    meta: dict[str, str]
    objects: list[dict[str, Any]]
    url: str | None
    title_el: Tag | None  # the headline: datelines are near it, sidebars are not around it
    language: str | None
    now: datetime
    script_values: Sequence[str] = ()  # publication dates found in the page's scripts


def find_published(evidence: DateEvidence) -> Published | None:
    """The publication date, decided by agreement between the page's sources.

    Every source names a candidate day: JSON-LD, each publish-like <meta>, microdata,
    <time>, the dateline near the headline, the URL. Pages often disagree (a CMS re-save
    date in one field, the real date in three others), so the day most sources give
    wins; among its candidates the first in priority order is returned (it may carry a
    time). Updated/modified fields are never candidates. A date days after the URL's
    date is a re-save, not the publication."""
    candidates = _date_candidates(evidence)
    if not candidates:
        return _self_teaser_date(evidence.page, evidence.url, evidence.now)
    candidates = _in_page_offset(candidates)
    votes: dict[date, int] = {}
    for candidate in candidates:
        day = _day(candidate.value)
        votes[day] = votes.get(day, 0) + 1
    in_url = next((c for c in candidates if c.origin == "url"), None)
    best_day = max(votes, key=lambda d: (votes[d], -_first_index(candidates, d)))
    if in_url and best_day > in_url.value + timedelta(days=2):  # type: ignore[operator]
        return in_url
    same_day = [c for c in candidates if _day(c.value) == best_day]
    timed = [c for c in same_day if isinstance(c.value, datetime)]
    return (timed or same_day)[0]


# Publication dates inside scripts' JSON (Next.js/Nuxt state, Shopify, analytics layers):
# structured, but outside JSON-LD. Read from the raw HTML.
_SCRIPT_DATE = re.compile(  # also inside JSON-in-a-JS-string, where quotes are escaped
    r"""(?:datePublished|date_published|publishDate|publish_date|publishedAt|published_at|pubDate|"""
    r"""publicationDate|publication_date|firstPublished|first_published_at)\\?["']\s*:\s*\\?["']"""
    r"""([^"'\\]{8,40})\\?["']"""
)


def script_dates(html: str) -> list[str]:
    """Raw publication-date values found in JSON inside the page's scripts (first few)."""
    return [m.group(1) for m in _SCRIPT_DATE.finditer(html, 0, 2_000_000)][:5]


def _first_index(candidates: list[Published], day: date) -> int:
    return next(i for i, c in enumerate(candidates) if _day(c.value) == day)


def date_of_element(el: Tag | None, now: datetime) -> Published | None:
    """The date an element holds (datetime/content attribute, else its text)."""
    if el is None:
        return None
    found = _from_value(el.get("datetime") or el.get("content"), "selector", now)
    if found is None:
        dates = [d for d in find_dates(el.get_text(" ", strip=True), now=now) if _has_year(d)]
        found = Published(dates[0].value, dates[0].text, "selector") if dates else None
    return found


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _in_page_offset(candidates: list[Published]) -> list[Published]:
    """UTC stamps re-read in the page's own offset when another source gives the same
    moment with it: 23:37 on the 3rd at -04:00 is the 3rd, though 03:37Z is the 4th."""
    local = [
        c.value
        for c in candidates
        if isinstance(c.value, datetime) and c.value.utcoffset() not in (None, timedelta(0))
    ]
    if not local:
        return candidates
    out = []
    for c in candidates:
        value = c.value
        if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
            same = next((v for v in local if abs(v - value) <= timedelta(hours=1)), None)
            if same is not None:
                c = Published(value.astimezone(same.tzinfo), c.text, c.origin)
        out.append(c)
    return out


_JSONLD_DATE_KEYS = ("datePublished", "dateCreated", "uploadDate")
_META_PUBLISHED = re.compile(r"publi|pubdate|release|issued|created|date$|^date|upload", re.IGNORECASE)
_META_NOT_PUBLISHED = re.compile(r"modif|updat|expir|valid|revis|edit|birth|event|start|end", re.IGNORECASE)


def _date_candidates(evidence: DateEvidence) -> list[Published]:
    """One candidate per source, in priority order."""
    page, meta, now, title_el = evidence.page, evidence.meta, evidence.now, evidence.title_el
    objects, script_values = evidence.objects, evidence.script_values
    found: list[Published | None] = []
    for obj in article_objects(objects) or objects:
        found.append(
            next(filter(None, (_from_value(obj.get(k), "jsonld", now) for k in _JSONLD_DATE_KEYS)), None)
        )
    keys = [k for k in _PUBLISHED_META if k in meta]
    keys += [
        k for k in meta if _META_PUBLISHED.search(k) and not _META_NOT_PUBLISHED.search(k) and k not in keys
    ]
    found.extend(_from_value(meta[k], "meta", now) for k in keys)
    for el in page.with_itemprop("datePublished", "dateCreated", "uploadDate"):
        if el.name == "meta":
            continue  # already counted with the other <meta> tags
        raw = el.get("content") or el.get("datetime") or el.get_text(" ", strip=True)
        found.append(_from_value(raw, "meta", now))
    found.extend(_from_value(raw, "meta", now) for raw in script_values[:1])
    found.append(_time_element(page, title_el, now))
    found.append(_visible_date(page, title_el, evidence.language, now))
    found.append(_url_date(evidence.url, now))
    return [f for f in found if f is not None]


def _time_element(page: Page, title_el: Tag | None, now: datetime) -> Published | None:
    times = [t for t in page.named("time") if not page.in_boilerplate(t, title_el)]
    ordered = _near(page, times, title_el)
    for t in ordered:
        context = f"{class_and_id(t)} {t.get('itemprop') or ''} {_label_before(t)}"
        # hAtom themes mark the post's own date "entry-date updated": that one is published.
        if _UPDATED.search(context) and not _ENTRY_DATE.search(class_and_id(t)):
            continue
        found = _from_value(t.get("datetime"), "time", now)
        if found is None:
            text = t.get_text(" ", strip=True)
            dates = [d for d in find_dates(text, now=now) if not d.relative and _has_year(d)]
            if dates:
                found = Published(dates[0].value, dates[0].text, "time")
        if found:
            return found
    return None


def _label_before(el: Tag) -> str:
    prev = el.previous_sibling
    text = prev if isinstance(prev, str) else (prev.get_text(" ") if isinstance(prev, Tag) else "")
    parent_text = text_head(el.parent, 40) if isinstance(el.parent, Tag) else ""
    return f"{text} {parent_text}"


def _near(page: Page, elements: list[Tag], landmark: Tag | None) -> list[Tag]:
    """Elements ordered so those after the landmark (the headline) come first."""
    if landmark is None:
        return elements
    anchor = page.position.get(id(landmark), -1)
    after = [e for e in elements if page.position.get(id(e), -1) > anchor]
    return after + [e for e in elements if page.position.get(id(e), -1) <= anchor]


def _self_teaser_date(page: Page, url: str | None, now: datetime) -> Published | None:
    """The date on a teaser that links to the page itself: pages without a date of their
    own often list themselves among the latest items, dated."""
    own = _url_key(url)
    if own is None:
        return None
    too_long: dict[int, bool] = {}  # elements read already (none held a date): parents repeat
    for link in page.named("a"):
        href = link.get("href")
        if not href or _url_key(urljoin(url or "", str(href).strip())) != own:
            continue
        for el in (link, link.parent):
            if id(el) in too_long:
                if too_long[id(el)]:
                    break
                continue
            text = short_text(el, 300) if isinstance(el, Tag) else ""
            too_long[id(el)] = text is None
            if text is None:
                break
            dates = [d for d in find_dates(text, now=now) if not d.relative and _has_year(d)]
            if dates:
                return Published(dates[0].value, dates[0].text, "text")
    return None


def _url_key(url: str | None) -> str | None:
    """The canonical URL compared loosely: scheme, "www." and a trailing slash ignored."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    parts = urlsplit(canonical)
    return f"{parts.netloc.removeprefix('www.')}{parts.path.rstrip('/')}?{parts.query}"


def _url_date(url: str | None, now: datetime) -> Published | None:
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    y = match.group("y") or match.group("y2") or match.group("y3")
    m = match.group("m") or match.group("m2") or match.group("m3")
    d = match.group("d") or match.group("d2") or match.group("d3")
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return Published(value, match.group(0).strip("/"), "url") if _plausible(value, now) else None


_HAS_YEAR = re.compile(r"(?:19|20)\d{2}|\b\d{1,2}[./-]\d{1,2}[./-]\d{2}\b")
# Text worth a date search: a digit in any script, or a relative date word.
_MAY_HOLD_DATE = re.compile(
    r"[0-9\u0660-\u0669\u06f0-\u06f9]|вчера|сегодня|назад|yesterday|today|ago|أمس|اليوم|منذ|gestern|heute|hier",
    re.IGNORECASE,
)
_PUBLISHED_LABEL = re.compile(
    vocab.alternation(vocab.PUBLISHED_LABELS, vocab.WEAK_PUBLISHED_LABELS), re.IGNORECASE
)
_MAX_DATE_LINE = 120
_STRONG_LABEL = re.compile(vocab.alternation(vocab.PUBLISHED_LABELS), re.IGNORECASE)
# "until 31.12.2018", "ab 01.01.2020": a deadline or a range, not a publication date.
_RANGE_BEFORE = re.compile(
    r"\b(?:bis|ab|seit|until|till|from|through|до|с|по|حتى|منذ|jusqu'au|hasta)\s*$", re.I
)


_ENTRY_DATE = re.compile(r"entry-date|published", re.IGNORECASE)
_WIDGET_CLASS = re.compile(r"today|current-?date|clock|weather|ticker|header-?date|topbar|masthead", re.I)


def _site_header_decides(el: Tag) -> Any:
    """Inside the site's header (outside the article) or a today's-date/weather widget
    (UNDECIDED: ask the parent)."""
    name = el.name
    if name in ("article", "main", "body", "[document]"):
        return False
    if name == "header" or _WIDGET_CLASS.search(class_and_id(el)):
        return True
    return Inherited.UNDECIDED


def _has_year(found: FoundDate) -> bool:
    """A year written in the text: a day and month alone is no publication date."""
    return found.relative or bool(_HAS_YEAR.search(fold_digits(found.text)))


def _line_start_decides(el: Tag) -> Any:
    """Where a short line widened over inline wrappers stops (see ``_line_of``): at an
    element that is not inline, or whose parent's text is too long to be one line."""
    parent = el.parent
    if el.name not in _INLINE or not isinstance(parent, Tag) or short_text(parent, _MAX_DATE_LINE) is None:
        return el
    return Inherited.UNDECIDED


def _beyond_inline_decides(el: Tag) -> Any:
    """The first element up from here that is not an inline wrapper (or the topmost one)."""
    return el if el.name not in _INLINE or not isinstance(el.parent, Tag) else Inherited.UNDECIDED


def _line_of(page: Page, node: Any) -> Tag | None:
    """The element around a text node that reads as one short line: its parent, widened
    over inline wrappers while the text stays short ("<p>Posted <b>5 May 2020</b></p>")."""
    el = page.line_start.of(node.parent) if isinstance(node.parent, Tag) else None
    return el if isinstance(el, Tag) else None


_AFTER_DATELINE = re.compile(r"\s*(?:\)|[-–—](?:\s|$))")


def _leading_dateline(paragraph: str, language: str | None, now: datetime) -> str:
    """The date a paragraph opens with as a dateline ("(21. November 2022) Text…",
    "5 May 2020 – Text…"), else ""."""
    head = paragraph[:60]
    dates = find_dates(head, language=language, now=now)
    if not dates or dates[0].start > 1 or dates[0].relative:
        return ""
    end = dates[0].start + len(dates[0].text)
    return head[:end].lstrip("(") if _AFTER_DATELINE.match(head, end) else ""


def _visible_date(page: Page, title_el: Tag | None, language: str | None, now: datetime) -> Published | None:
    """A date written on its own line near the headline (a dateline or a meta line).

    Candidates are short lines with a date and a year, outside asides, related lists and
    comments. Preference: a date-like class or a "published" label, then closeness to the
    headline, then the earliest line. Dates inside sentences are not candidates."""
    order = page.position
    anchor = order.get(id(title_el)) if title_el is not None else None
    best: tuple[float, int, Published] | None = None
    seen: set[int] = set()
    for node in (n for n in page.strings if _MAY_HOLD_DATE.search(n)):
        line = _line_of(page, node)
        if line is None or id(line) in seen:
            continue
        seen.add(id(line))
        text = text_head(line, _MAX_DATE_LINE + 1)
        if len(text) > _MAX_DATE_LINE:
            text = _leading_dateline(text, language, now) if _MAY_HOLD_DATE.search(text, 0, 24) else ""
        if not text or page.in_boilerplate(line, title_el):
            continue
        if _UPDATED.search(text[:40]) and not _STRONG_LABEL.search(text):
            continue
        attrs = class_and_id(line)
        if _UPDATED.search(attrs) and not _ENTRY_DATE.search(attrs):
            continue  # <time class="updated">
        dates = [
            d
            for d in find_dates(text, language=language, now=now)
            if _has_year(d) and not _RANGE_BEFORE.search(text[: text.find(d.text)])
        ]
        if not dates or page.in_site_header.of(line):
            continue
        rest = text.replace(dates[0].text, " ")
        labelled = _PUBLISHED_LABEL.search(rest) is not None
        if ends_sentence(text) and len(rest.split()) > 3 and not _STRONG_LABEL.search(rest):
            continue  # a date inside a sentence of the text, not a dateline
        score = 0.0
        attrs = f"{attrs} {line.get('itemprop') or ''}"
        if _DATE_CLASS.search(attrs) or (
            line.parent is not None and _DATE_CLASS.search(class_and_id(line.parent))
        ):
            score += 2
        if labelled:
            score += 1
        position = order.get(id(line), 0)
        if anchor is not None:  # the closer to the headline, the likelier its dateline
            distance = position - anchor
            if 0 < distance <= 60:
                score += 2.5 * (1 - distance / 60)
            elif -20 <= distance <= 0:
                score += 2.0 * (1 + distance / 20)
        candidate = (score, -position, Published(dates[0].value, dates[0].text, "text"))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


# --- authors ------------------------------------------------------------------------

_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:author|byline|autor|writer|reporter|journalist)", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|\.com\b|@", re.I)


def find_authors(page: Page, meta: dict[str, str], objects: list[dict[str, Any]]) -> list[str]:
    """Author names from JSON-LD, <meta>, microdata and byline elements (labels removed)."""
    site = site_name(meta, objects)
    raw: list[str] = []
    for obj in article_objects(objects):
        raw.extend(_names(obj.get("author")))
    if not raw:
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"):
            if meta.get(key):
                raw.append(meta[key])
                break
    if not raw:
        for el in page.with_itemprop("author"):
            if page.inside_image.above(el):
                continue
            name_el = el.find(attrs={"itemprop": "name"})
            raw.append((name_el or el).get("content") or (name_el or el).get_text(" ", strip=True))
    if not raw:
        bylines = [
            el
            for el in page.named("a", "span", "div", "p", "address")
            if "author" in _words_of(el, "rel")
            or (el.get("class") and _AUTHOR_CLASS.search(class_and_id(el)))
        ]
        for el in bylines:
            text = short_text(el, 99)
            if text is not None and len(text) > 2 and not page.in_boilerplate(el):
                raw.append(text)
                break
    names: list[str] = []
    for item in raw:
        if not item or _NOT_A_NAME.search(item):
            continue
        for name in author_line(item) or split_names(item):  # "بقلم …", "Автор: …" labels off
            if site and _same(name, site):
                continue
            if name not in names:
                names.append(name)
    return names[:10]


# --- photo credit -------------------------------------------------------------------

_CREDIT_CLASS = re.compile(
    r"credit|copyright|photographer|photo-?source|image-?source|caption-?source|author", re.I
)


def _image_decides(el: Tag) -> Any:
    """Inside an ImageObject (microdata): the credit of a photo, not of the article."""
    return True if "ImageObject" in str(el.get("itemtype") or "") else Inherited.UNDECIDED


def _credit_from_text(text: str) -> str | None:
    text = squeeze(text)
    for line in re.split(r"(?<=[.)])\s+(?=\S+\s*:)|\s*\|\s*|\n", text):
        credit = photo_credit_line(line) or copyright_credit(line)
        if credit:
            return credit
    return None


def find_photo_credit(page: Page, objects: list[dict[str, Any]]) -> str | None:
    """The credit of the article's photo: JSON-LD image credit, microdata inside an
    ImageObject, credit elements and labelled captions. A caption without a credit is
    no credit."""
    for obj in article_objects(objects):
        images = obj.get("image")
        for image in images if isinstance(images, list) else [images]:
            if isinstance(image, dict):
                for key in ("creditText", "copyrightHolder", "author", "creator"):
                    names = _names(image.get(key))
                    if names and names[0].strip():
                        return _credit_from_text(names[0]) or names[0].strip()
    for el in page.with_itemprop("author", "copyrightHolder", "creditText"):
        if page.inside_image.above(el):
            text = el.get("content") or el.get_text(" ", strip=True)
            if text:
                return _credit_from_text(text) or text
    for el in _credit_candidates(page):
        text = short_text(el, 400)
        if not text or page.in_boilerplate(el):
            continue
        credit = _credit_from_text(text)
        if credit:
            return credit
        attrs = class_and_id(el)
        if _CREDIT_CLASS.search(attrs) and not _AUTHOR_CLASS.search(attrs) and len(text) <= 120:
            return text.strip(" ©")
    return None


_CAPTION_PARTS = frozenset(["figcaption", "span", "div", "p", "small", "cite", "em"])


def _credit_candidates(page: Page) -> Iterator[Tag]:
    """Captions, the parts of <figure>s, and elements whose class names a credit, in
    document order."""
    for el in page.tags:
        name = el.name
        if (
            name == "figcaption"
            or (name in _CAPTION_PARTS and _has_figure_parent(el))
            or (el.has_attr("class") and _is_credit_class(class_and_id(el)))
        ):
            yield el


def _is_credit_class(attrs: str) -> bool:
    return bool(_CREDIT_CLASS.search(attrs)) and not _AUTHOR_CLASS.search(attrs)


def _has_figure_parent(el: Tag) -> bool:
    parent = el.parent
    for _ in range(6):
        if parent is None:
            return False
        if parent.name == "figure":
            return True
        parent = parent.parent
    return False


_INLINE = frozenset(["strong", "b", "em", "i", "span", "small", "a", "font", "label", "cite"])


def labelled_lines(page: Page) -> Iterator[str]:
    """Short lines of the page that start with a credit label ("Source:", "Фото:", "المصدر:"),
    found through their text nodes (cheap) rather than by scanning every element."""
    seen: set[int] = set()
    for node in (n for n in page.strings if LABEL_START.match(n)):
        el = page.beyond_inline.of(node.parent) if isinstance(node.parent, Tag) else None
        if not isinstance(el, Tag) or id(el) in seen or page.in_boilerplate(el):
            continue
        seen.add(id(el))
        text = short_text(el, 200)
        if text:
            yield text
