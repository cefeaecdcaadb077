"""Boilerplate removal: from a parsed page to the blocks of its main text.

Three steps, each cheap and explainable:
1. ``prune``: drop what is never article text (scripts, navigation, forms, hidden
   elements, share/related/comment/cookie blocks recognised by tag, role or class).
2. ``main_container``: score text-bearing elements (readability's idea: paragraphs
   vote for their parent and grandparent; commas and length are evidence, link
   density is counter-evidence) and take the best container, or an element marked
   as the article body (itemprop=articleBody) when the page says so.
3. ``blocks``: walk the container in document order and emit paragraphs, sub-headings,
   list items, quotes and table rows; drop link lists and one-line boilerplate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment

from etl.normalize import clean_text

# Never article text.
DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "template",
        "button",
        "select",
        "option",
        "input",
        "textarea",
        "label",
        "nav",
        "aside",
        "footer",
        "map",
        "audio",
        "video",
        "source",
        "picture",
        "dialog",
        "menu",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "header",
        "address",
        "hr",
        "center",
        "details",
        "summary",
        "form",
        "body",
    ]
)
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_ROLES_DROP = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"})

# Class/id words of boilerplate containers (matched as whole words of the attribute).
_NEGATIVE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|socials|sns|related|recommend\w*|popular|trending|most-?read|"
    r"comment\w*|disqus|cookie\w*|consent|gdpr|newsletter|subscribe|subscription|signup|promo\w*|"
    r"advert\w*|ads?|adv|banner|breadcrumbs?|menu|navbar|nav|navigation|sidebar|side-bar|widget\w*|"
    r"footer|masthead|topbar|toolbar|popup|modal|paywall|overlay|tags?|tag-?list|keywords|"
    r"author-?bio|bio|pagination|pager|more-?(?:news|stories|articles)|read-?more|see-?also|also|"
    r"outbrain|taboola|teaser\w*|rss|print|skip|sr-only|visually-?hidden|lang\w*-?switch\w*|"
    r"languages?|login|search|rating|vote|poll|donate|app-?promo|jump|headline-?list|"
    r"sponsor\w*|partner\w*|next|prev|previous|byline|dateline|meta|info-?bar|caption|credit|"
    r"gallery|slider|carousel|player|follow)(?=$|[\s_-])",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"article|content|entry|post|story|text|body|main|news-?item|blog|hentry|prose|rich-?text",
    re.IGNORECASE,
)
_ARTICLE_BODY = re.compile(
    r"(?:^|[\s_-])(?:article-?body|articlebody|article-?content|article-?text|story-?body|story-?content|"
    r"entry-?content|post-?content|post-?body|news-?text|news-?body|text-?content|article__body|"
    r"article__content|content-?body|body-?text|main-?text|itemBody|field-?body)(?=$|[\s_-])",
    re.IGNORECASE,
)
_COMMAS = re.compile(r"[,،，、;؛]")
_SENTENCE_END = re.compile(r"[.!?。！？؟…:][\"'»”’)\]]*\s*$")
MIN_PARAGRAPH = 25


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # p | h | li | quote | pre | row
    text: str


def _attrs(el: Tag) -> str:
    cls = el.get("class")
    cls = " ".join(cls) if isinstance(cls, list) else (cls or "")
    return f"{cls} {el.get('id') or ''}".strip()


def _is_hidden(el: Tag) -> bool:
    if el.has_attr("hidden") or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def prune(soup: BeautifulSoup) -> None:
    """Remove elements that are never part of an article's text (in place).

    A container whose class merely mentions a boilerplate word ("page has-sidebar")
    is kept when it holds most of the page's text: classes lie, text share does not."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    total = _text_len(soup.body or soup) or 1
    for el in soup.find_all(True):
        if el.decomposed or el.parent is None:
            continue
        name = el.name
        if name in ("html", "body", "main", "article"):
            continue
        if name in DROP_TAGS or _is_hidden(el) or el.get("role") in _ROLES_DROP:
            el.decompose()
            continue
        if name == "header" and len(el.get_text(" ", strip=True)) < 400:
            el.decompose()
            continue
        attrs = _attrs(el)
        if attrs and _NEGATIVE.search(attrs) and not _ARTICLE_BODY.search(attrs):
            length = _text_len(el)
            if length < 0.35 * total or _link_density(el, length) > 0.5:
                el.decompose()


def _text_len(el: Tag) -> int:
    return len(el.get_text(" ", strip=True))


def _link_density(el: Tag, text_len: int | None = None) -> float:
    total = _text_len(el) if text_len is None else text_len
    if not total:
        return 0.0
    linked = sum(len(a.get_text(" ", strip=True)) for a in el.find_all("a"))
    return min(1.0, linked / total)


def _class_weight(el: Tag) -> int:
    attrs = _attrs(el)
    if not attrs:
        return 0
    weight = 0
    if _NEGATIVE.search(attrs):
        weight -= 25
    if _POSITIVE.search(attrs):
        weight += 25
    if _ARTICLE_BODY.search(attrs):
        weight += 25
    return weight


_TAG_WEIGHT = {"div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3}


def _paragraph_nodes(root: Tag) -> list[tuple[Tag, str]]:
    """Elements holding running text: <p>, and block elements with text of their own."""
    nodes: list[tuple[Tag, str]] = []
    for el in root.find_all(["p", "pre", "td", "blockquote", "div", "section", "li", "dd"]):
        if el.name in ("p", "pre", "blockquote"):
            text = el.get_text(" ", strip=True)
        else:
            own = "".join(
                str(c) if isinstance(c, NavigableString) else c.get_text(" ")
                for c in el.children
                if isinstance(c, NavigableString) or (isinstance(c, Tag) and c.name not in BLOCK_TAGS)
            )
            text = " ".join(own.split())
        if len(text) >= MIN_PARAGRAPH:
            nodes.append((el, text))
    return nodes


def main_container(soup: BeautifulSoup) -> Tag:
    """The element most likely to hold the article body."""
    body = soup.body or soup
    marked = body.find(attrs={"itemprop": "articleBody"})
    if isinstance(marked, Tag) and _text_len(marked) > 200:
        return marked
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for el, text in _paragraph_nodes(body):
        score = 1 + len(_COMMAS.findall(text)) + min(len(text) // 100, 3)
        ancestor = el.parent
        for level in range(3):
            if not isinstance(ancestor, Tag) or ancestor.name in ("html", "[document]"):
                break
            key = id(ancestor)
            if key not in scores:
                tags[key] = ancestor
                scores[key] = _TAG_WEIGHT.get(ancestor.name, 0) + _class_weight(ancestor)
            scores[key] += score / (1, 2, 3)[level]
            ancestor = ancestor.parent
    if not scores:
        return body
    best_key = max(scores, key=lambda k: scores[k] * (1 - _link_density(tags[k])))
    return tags[best_key]


def _emit(el: Tag, out: list[Block], kind: str = "p") -> None:
    """Append the blocks of ``el`` in document order, merging inline runs."""
    buffer: list[str] = []

    def flush() -> None:
        text = clean_text(" ".join(buffer))
        buffer.clear()
        if text:
            out.append(Block(kind, text))

    for child in el.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, Comment):
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            # A double <br> is a paragraph break on pages without <p>.
            if buffer and buffer[-1] == "\n":
                flush()
            else:
                buffer.append("\n")
            continue
        if name in BLOCK_TAGS:
            flush()
            if name in HEADINGS:
                text = clean_text(child.get_text(" "))
                if text:
                    out.append(Block("h", text))
            elif name == "li":
                _emit(child, out, "li")
            elif name == "blockquote":
                _emit(child, out, "quote")
            elif name == "pre":
                text = child.get_text().strip("\n")
                if text.strip():
                    out.append(Block("pre", text))
            elif name == "tr":
                cells = [clean_text(c.get_text(" ")) for c in child.find_all(["td", "th"])]
                row = " | ".join(c for c in cells if c)
                if row:
                    out.append(Block("row", row))
            elif name in ("figure", "figcaption"):
                continue  # captions and credits are read separately, never body text
            else:
                _emit(child, out, kind if kind != "p" else "p")
        else:
            buffer.append(child.get_text(" "))
    flush()


def _keep(block: Block, el_links: dict[str, float]) -> bool:
    text = block.text
    if block.kind == "h":
        return len(text) <= 200
    return not (el_links.get(text, 0.0) > 0.5 and len(text) < 300)


def blocks(container: Tag) -> list[Block]:
    """Body blocks of a container, link lists removed."""
    out: list[Block] = []
    _emit(container, out)
    # Link density per emitted paragraph: computed on the elements that produced them.
    links: dict[str, float] = {}
    for el in container.find_all(["p", "li", "div", "span", "td"]):
        if el.find("a") is None:
            continue
        text = clean_text(el.get_text(" "))
        if text and text not in links:
            links[text] = _link_density(el, len(text))
    return [b for b in out if _keep(b, links)]


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))
