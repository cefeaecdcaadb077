"""Article extraction: one pure function of (document, url) -> Article.

Two front ends share one finishing step:
- HTML: metadata and credits are read from the raw DOM first (captions are deleted by
  boilerplate removal, so credits must be read before), then the body is cleaned.
- Plain-text dumps (like the seed): blocks are the blank-line separated paragraphs;
  the title is the first real line and the date the first date-only line after it.
Finishing: credit/source/author lines and language switchers are taken out of the
body into their own fields, trailing site-name lines are dropped.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from etl.extract import clean, combine, dom, language, metadata, vocab
from etl.extract.clean import Block
from etl.extract.credits import agency_of, author_line, dateline_agency, photo_credit_line, source_line
from etl.extract.date_guess import guess_published
from etl.extract.dates import FoundDate, find_dates
from etl.extract.decode import decode
from etl.extract.dom import parse_html
from etl.extract.language import detect_language
from etl.models import Article, RejectedInput
from etl.normalize import canonical_url, clean_text, key_text, site_of, strip_controls

log = logging.getLogger(__name__)
# Feeds and XHTML pages served as HTML are parsed as HTML on purpose: no warning per page.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# Removed before parsing: never article text, and building their trees is a large share
# of the time (JSON-LD and script dates are read from the raw HTML first).
# Raw-text elements and comments first (their content may hold "<nav" in a string), then
# elements that can nest (an <aside> inside an <aside>), matched open to close by depth.
_RAW_TEXT_START = re.compile(r"<(script|style)\b|<!--", re.IGNORECASE)
_RAW_TEXT_END = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
    None: re.compile(r"-->"),
}
_NESTABLE = re.compile(
    r"<(/?)(svg|noscript|nav|aside|select|template|iframe|button)\b[^>]*?(/?)>", re.IGNORECASE
)


_MAX_UNCLOSED = 32


def _strip_unread(html: str) -> str:
    """The page without the elements that are never article text. The opening tag of an
    element that is never closed is dropped alone: kept, it would swallow the rest of the
    page (and prune() would drop the article with it)."""
    html = _without_raw_text(html)
    parts: list[str] = []
    kept_from = pos = 0  # start of the text not yet copied; where the scan resumes
    for _ in range(_MAX_UNCLOSED):  # each unclosed element costs a rescan: bounded
        opened = None
        depth = 0
        for m in _NESTABLE.finditer(html, pos):
            closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
            if opened is None:
                if not closing and not self_closing:
                    parts.append(html[kept_from : m.start()])
                    opened, depth = m, 1
            elif name == opened.group(2).lower() and not self_closing:
                depth += -1 if closing else 1
                if depth == 0:
                    parts.append(" ")
                    opened, kept_from = None, m.end()
        if opened is None:
            break
        parts.append(" ")  # never closed: drop its opening tag only, read on after it
        kept_from = pos = opened.end()
    parts.append(html[kept_from:])  # after _MAX_UNCLOSED, the rest goes to the parser as it is
    return "".join(parts)


def _delimited(
    text: str, opening: re.Pattern[str], closing: Callable[[re.Match[str]], re.Pattern[str]]
) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """The (opening, closing) pairs that ``opening.*?closing`` (DOTALL) finds, in one pass.
    The regex rescans the rest of the text for each opening that is never closed: on a page
    of ten thousand unclosed ``<!--`` that is ten thousand scans. Here a closing pattern
    found missing once is not looked for again (no later opening can be closed by it).
    An opening must not be able to contain a closing's last character (true of tags: ``>``)."""
    missing: set[re.Pattern[str]] = set()
    pos = 0
    while (start := opening.search(text, pos)) is not None:
        close = closing(start)
        end = close.search(text, start.end()) if close not in missing else None
        if end is None:
            missing.add(close)
            pos = start.end()
            continue
        yield start, end
        pos = end.end()


def _without_raw_text(html: str) -> str:
    """The page with each script, style and comment replaced by a space."""
    parts: list[str] = []
    kept_from = 0
    spans = _delimited(html, _RAW_TEXT_START, lambda m: _RAW_TEXT_END[m.group(1) and m.group(1).lower()])
    for start, end in spans:
        parts.append(html[kept_from : start.start()])
        parts.append(" ")
        kept_from = end.end()
    parts.append(html[kept_from:])
    return "".join(parts)


_LOOKS_HTML = re.compile(r"<(?:!doctype|html|head|body|div|p|br|article|meta|title|table)\b", re.IGNORECASE)
_DOCUMENT_START = re.compile(r"<(?:!doctype|html)\b", re.IGNORECASE)
_BODY_START = re.compile(r"<body\b", re.IGNORECASE)
# How far to look for markup: servers print PHP notices and BOM-less junk before <html>.
_SNIFF_CHARS = 65_536
# A line made only of language names or codes: "Ru En", "English | Русский", "عربي".
# A caption that escaped its <figure>: "Abbildung 4: …", "Fig. 2 –", "Рис. 3.", "الشكل 1:".
_FIGURE_CAPTION = re.compile(
    rf"^(?:{vocab.alternation(vocab.FIGURE_LABELS)})\s*\d+[a-z]?\s*[:.\-–—|]", re.IGNORECASE
)
_LANGUAGE_TOKENS = (
    r"ru|en|ar|fr|de|es|it|pt|zh|tr|fa|uk|eng|rus|arb|рус|англ|укр|عربي|العربية|english|"
    r"русский|français|francais|deutsch|español|italiano|português|türkçe|中文|فارسی|українська"
)
_SWITCHER = re.compile(rf"^(?:(?:{_LANGUAGE_TOKENS})\s*[|/·•,]?\s*){{1,8}}$", re.IGNORECASE)
MAX_TITLE_CHARS = 300
PROFILES = ("default", "fast")


def preload() -> None:
    """Load now what extraction otherwise loads on its first pages (the language model, the
    other extractors, their stoplists): a process that forks workers afterwards shares them."""
    language.preload()
    combine.preload()


def extract_article(
    data: bytes | str,
    url: str | None = None,
    *,
    kind: str | None = None,
    charset: str | None = None,
    now: datetime | None = None,
    selectors: Mapping[str, str] | None = None,
    profile: str = "default",
    vote: combine.VoteParams = combine.FITTED,
) -> Article:
    """Extract an article from an HTML page or a plain-text dump.

    ``kind`` is "html" or "text" (sniffed when None); ``charset`` a declared charset from
    outside the document (HTTP header); ``now`` the fetch time (relative dates, and
    dates in the future are refused); ``selectors`` CSS overrides for "title", "date"
    and "body" (a source's configuration for a site the generic rules get wrong);
    ``profile`` "default" (the body by a vote of our blocks, trafilatura and Resiliparse,
    see etl.extract.combine, with ``vote`` its parameters) or "fast" (our blocks alone, about
    twice the speed).
    Raises RejectedInput with a one-line reason when there is nothing to archive."""
    text = decode(data, charset) if isinstance(data, bytes) else data
    text = strip_controls(text)
    if not text.strip():
        raise RejectedInput("empty document")
    now = now or datetime.now(UTC)
    if kind is None:
        kind = "html" if _LOOKS_HTML.search(text, 0, _SNIFF_CHARS) else "text"
    if kind == "text":
        return _from_text(text, url, now)
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})")
    return _from_html(text, url, now, selectors or {}, vote if profile == "default" else None)


# --- HTML --------------------------------------------------------------------------


def _from_html(
    html: str, url: str | None, now: datetime, selectors: Mapping[str, str], vote: combine.VoteParams | None
) -> Article:
    start = _DOCUMENT_START.search(html, 0, _SNIFF_CHARS)
    if start and start.start() > 0 and not _BODY_START.search(html, 0, start.start()):
        html = html[start.start() :]  # server notices printed before the document are not the page
    objects = metadata.json_ld(html)
    soup = parse_html(_strip_unread(html))
    page = metadata.Page(soup)
    meta = metadata.meta_tags(page)
    address = metadata.page_url(page, meta, url)
    html_el = next(iter(page.named("html")), None)
    lang_hint = html_el.get("lang") if html_el else None
    title, title_el = metadata.choose_title(page, meta, objects, address)
    chosen = soup.select_one(selectors["title"]) if selectors.get("title") else None
    if chosen is not None:
        title, title_el = metadata.heading_text(chosen), chosen
    article = Article(
        title=title,
        url=url or address,
        canonical_url=canonical_url(address),
        site=site_of(address),
        authors=metadata.find_authors(page, meta, objects),
        photo_credit=metadata.find_photo_credit(page, objects),
        translations=metadata.translations(page, address),
    )
    for line in metadata.labelled_lines(page):
        _take_credit_line(article, line)
    hint_lang = (str(lang_hint).split("-")[0].lower() or None) if lang_hint else None
    published = metadata.find_published(
        metadata.DateEvidence(
            page, meta, objects, address, title_el, hint_lang, now, metadata.script_dates(html)
        )
    )
    if selectors.get("date"):
        published = metadata.date_of_element(soup.select_one(selectors["date"]), now) or published
    # The other extractors read the flattened tree of a page nested deeper than any real one:
    # Resiliparse's main-content scoring is quadratic in depth (100k nested <div>: 160 s).
    voters_read = str(soup) if vote is not None and dom.flattened(soup) else html
    try:
        blocks = _own_blocks(soup, selectors)
        # A source's body selector is final. Where our blocks hold nothing but the headline,
        # the page is to us a list, an index or a player, not an article: the others' text there
        # is its headlines, and a vote must not make it an article.
        if vote is not None and not selectors.get("body") and _article_text_in(blocks, title):
            ballot = combine.ballot(blocks, combine.other_texts(voters_read, url))
            blocks = combine.elect(ballot, vote, marker=_is_cut_marker)
    except Exception as exc:  # a body failure must never drop the metadata read above
        log.warning("body extraction failed for %s: %s", url or "document", exc)
        blocks = []
    if published is None:  # the last resort (searching the pruned tree instead: 1 of 10 right)
        published = guess_published(html, url or address, now)
    if published:
        article.published = published.value
        article.published_text = published.text
        article.date_origin = published.origin
    _finish(article, blocks, lang_hint=hint_lang)
    if article.language is None and article.title:
        article.language = detect_language(article.title, hint_lang)
    return article


def _article_text_in(blocks: list[Block], title: str | None) -> bool:
    """Our blocks keep some text besides a repeat of the headline."""
    return bool(_drop_title_repeat([b for b in blocks if not b.boilerplate], title))


def _own_blocks(soup: BeautifulSoup, selectors: Mapping[str, str]) -> list[Block]:
    """Our body blocks: a source's body selector, else the main container's blocks."""
    body = soup.select_one(selectors["body"]) if selectors.get("body") else None
    clean.prune(soup)
    return clean.blocks(body if body is not None and body.parent is not None else clean.main_container(soup))


def ballot_of(data: bytes | str, url: str | None = None) -> combine.Ballot | None:
    """The vote's input for one page (None for a plain-text dump): what a fit of the vote's
    parameters reads (tools/fit_vote.py), without the finishing that follows the vote."""
    text = strip_controls(decode(data) if isinstance(data, bytes) else data)
    if not text.strip() or not _LOOKS_HTML.search(text, 0, _SNIFF_CHARS):
        return None
    soup = parse_html(_strip_unread(text))
    return combine.ballot(_own_blocks(soup, {}), combine.other_texts(text, url))


# --- plain text --------------------------------------------------------------------


def _from_text(text: str, url: str | None, now: datetime) -> Article:
    paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n", clean_text(text))]
    blocks = [Block("p", p) for p in paragraphs if p]
    article = Article(url=url, canonical_url=canonical_url(url), site=site_of(url))
    body_start = 0
    for i, block in enumerate(blocks[:6]):
        line = block.text
        if _SWITCHER.match(line) or "\n" in line:
            continue
        if article.title is None:
            if len(line) <= MAX_TITLE_CHARS and _date_line(line, now) is None:
                article.title = line
                body_start = i + 1
            continue
        found = _date_line(line, now)
        if found is not None:
            article.published = found.value
            article.published_text = found.text
            article.date_origin = "text"
            body_start = i + 1
        break
    _finish(article, blocks[body_start:], lang_hint=None)
    return article


def _date_line(line: str, now: datetime) -> FoundDate | None:
    """The date of a line that is a date (with at most a label or weekday), not of a
    headline that mentions one."""
    dates = find_dates(line, now=now) if len(line) <= 80 else []
    if dates and len(line.replace(dates[0].text, " ").split()) <= 3:
        return dates[0]
    return None


# --- shared finishing ----------------------------------------------------------------


def _finish(article: Article, blocks: list[Block], lang_hint: str | None) -> None:
    """Move credit lines into fields, drop switchers and trailing site lines, set text."""
    body: list[Block] = []
    for block in blocks:
        line = block.text
        if len(line) <= 200 and (_SWITCHER.match(line) or _take_credit_line(article, line)):
            continue
        names = author_line(line) if len(line) <= 100 else None
        if names:
            article.authors = article.authors or names
            continue
        if block.boilerplate or (len(line) <= 300 and _FIGURE_CAPTION.match(line)):
            continue
        if article.published_text and len(line) <= 100 and article.published_text in line:
            continue  # a date/meta line ("12.11.2025 Views: 1 284"), not text
        body.append(block)
    body = _drop_title_repeat(body, article.title)
    body = _drop_meta_lines(body)
    body = _cut_at_related_heading(body)
    body = _drop_author_bio(body)
    body = _drop_trailing_lines(body)
    for i, block in enumerate(body[:2]):  # the dateline opens the text (after a video title)
        credit = dateline_agency(block.text) if article.source is None else None
        if credit:
            article.source, article.agency = credit.value, credit.agency
            if len(block.text) <= 60 and _word_count(block.text) <= 8:  # a line of its own
                body = body[:i] + body[i + 1 :]
            break
    article.text = "\n\n".join(b.text for b in body)
    if article.agency is None and article.source:
        article.agency = agency_of(article.source)
    article.language = detect_language(article.text or article.title or "", lang_hint)


def _take_credit_line(article: Article, line: str) -> bool:
    """Move a labelled photo-credit or source line into its field; True if it was one."""
    credit = photo_credit_line(line)
    if credit:
        article.photo_credit = article.photo_credit or credit
        return True
    source = source_line(line)
    if source:
        if article.source is None:
            article.source, article.agency = source.value, source.agency
        return True
    return False


def _drop_title_repeat(body: list[Block], title: str | None) -> list[Block]:
    if title and body and key_text(body[0].text) == key_text(title):
        return body[1:]
    return body


def _is_meta_line(text: str) -> bool:
    """A short line that is mostly a date ("Published: 21 October 2025, 08:14 BST")."""
    if len(text) > 120:
        return False
    dates = find_dates(text)
    if not dates:
        return False
    rest = text.replace(dates[0].text, " ")
    return len(rest.split()) <= 3 or not clean.ends_sentence(text)


def _drop_meta_lines(body: list[Block]) -> list[Block]:
    """Date/byline lines at the start or the end of the body are page furniture."""
    edge = 3
    keep = [
        b
        for i, b in enumerate(body)
        if not ((i < edge or i >= len(body) - edge) and b.kind in ("p", "h") and _is_meta_line(b.text))
    ]
    return keep if keep else body


# Headings that open the list of other articles after the text ("Related articles",
# "Das könnte Sie auch interessieren", "Читайте также", "اقرأ أيضا"): the article ends there.
_RELATED_HEADING = re.compile(rf"^(?:{vocab.alternation(vocab.RELATED_HEADINGS)})[\s:.!…»]*$", re.IGNORECASE)


# "AUTOR Dr. X ist …", "About the author: X has …": a biography after the text.
_BIO_LABEL = f"(?:{vocab.alternation(vocab.BIO_LABELS)})"
_AUTHOR_BIO = re.compile(rf"^{_BIO_LABEL}\s*[:\-–—]?\s+\S", re.IGNORECASE)
_AUTHOR_BIO_LABEL = re.compile(rf"^{_BIO_LABEL}\s*:?$", re.IGNORECASE)  # the label on its own line


def _is_cut_marker(text: str) -> bool:
    """A heading the finishing cuts the text at (related articles, comments, author box)."""
    line = text.strip()
    return len(line) <= 60 and bool(
        _RELATED_HEADING.match(line) or _COMMENTS_HEADING.match(line) or _AUTHOR_BIO_LABEL.match(line)
    )


def _drop_author_bio(body: list[Block]) -> list[Block]:
    """Drop a labelled author biography among the last blocks (a byline, shorter, has
    already become the authors field): "Author: X is …" as one block, or a box whose
    label, name and biography are blocks of their own."""
    for i in range(max(1, len(body) - 4), len(body)):
        text = body[i].text
        if (len(text) > 60 and _AUTHOR_BIO.match(text)) or (
            i < len(body) - 1 and _AUTHOR_BIO_LABEL.match(text)
        ):
            return body[:i]
    return body


# A heading that opens the readers' comments ("Leserkommentare", "12 Comments"): comments can
# outweigh the article, so unlike a related heading it may come before half of the text.
_COMMENTS_HEADING = re.compile(
    rf"^(?:\d+\s+)?(?:(?:reader|user)s?'?\s+)?(?:{vocab.alternation(vocab.COMMENTS_HEADINGS)})"
    r"(?:\s*\(\d+\))?[\s:.!…]*$",
    re.IGNORECASE,
)
MIN_TEXT_BEFORE_COMMENTS = 500


def _cut_at_related_heading(body: list[Block]) -> list[Block]:
    """Drop everything from a related-articles heading on, when the article text (at least
    half of the body) comes before it, or from a comments heading after some article text."""
    total = sum(len(b.text) for b in body)
    seen = 0
    for i, block in enumerate(body):
        if block.kind in ("h", "p") and len(block.text) <= 60:
            heading = block.text.strip()
            if seen >= total / 2 and _RELATED_HEADING.match(heading):
                return body[:i]
            if seen >= MIN_TEXT_BEFORE_COMMENTS and i >= 2 and _COMMENTS_HEADING.match(heading):
                return body[:i]
        seen += len(block.text)
    return body


_COPYRIGHT_LINE = re.compile(vocab.alternation(vocab.COPYRIGHT_PHRASES), re.IGNORECASE)


# Scripts written without spaces between words: CJK, kana, Thai.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _word_count(text: str) -> int:
    """Words of a line; in scripts without spaces, about two characters make a word."""
    return len(text.split()) + len(_UNSPACED.findall(text)) // 2


def _drop_trailing_lines(body: list[Block]) -> list[Block]:
    """Short unpunctuated lines after the last paragraph are site/group names or calls to
    action ("See more photos:"), and short copyright notices end many pages: none is text
    (a short line *between* paragraphs is a sub-heading and stays)."""
    end = len(body)
    while end > 0:
        block = body[end - 1]
        words = _word_count(block.text)
        dangling = not clean.ends_sentence(block.text) or block.text.endswith(":")  # introduces nothing
        short_label = block.kind in ("p", "h") and words <= 12 and dangling
        notice = words <= 30 and _COPYRIGHT_LINE.search(block.text) is not None
        if short_label or notice:
            end -= 1
            continue
        break
    return body[:end] if end > 0 else body


def published_day(value: datetime | date | None) -> date | None:
    """The calendar day as the page states it (the page's own offset, not UTC)."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value
