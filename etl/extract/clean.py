"""Boilerplate removal: from a parsed page to the blocks of its main text.

1. ``prune`` drops what is never article text: scripts, forms, navigation, hidden
   elements (by tag, role and attributes).
2. One pass over the text nodes measures every block element (p, li, td, div with text
   of its own ...): its own text length and how much of it is link text. A block of
   running text with few links is *good* (worth its length); link lists and short
   fragments are *bad* (worth minus their length). Each block's worth is added to all
   its ancestors.
3. Containers whose class or id names boilerplate (share, related, comments, cookie ...)
   are removed, unless they hold most of the page's good text (a "page has-sidebar"
   wrapper is not a sidebar).
4. The main container is the element with the highest total worth: it gathers the good
   text and stops before the link lists around it. No fixed list of site layouts.
5. Its blocks are emitted in document order; link-dense blocks are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Doctype, PageElement, ProcessingInstruction

from etl.extract import vocab
from etl.extract.dom import BLOCK_TAGS, Inherited, short_text
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
        "head",
        # AMP components that are never text: ads, consent, push prompts, menus, analytics.
        "amp-ad",
        "amp-analytics",
        "amp-consent",
        "amp-geo",
        "amp-sidebar",
        "amp-user-notification",
        "amp-web-push-widget",
    ]
)
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_ROLES_DROP = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"})

# Class/id words of boilerplate containers (whole words of the attribute, "-"/"_" separated).
# Strong: never article text, removed unless they hold most of the page's good text.
_NEGATIVE = re.compile(
    rf"(?:^|[\s_-])(?:{vocab.class_words([vocab.BESIDE, vocab.FURNITURE])})(?=$|[\s_-])", re.IGNORECASE
)
_TEASER = re.compile(r"(?:^|[\s_-])teasers?(?=$|[\s_-])", re.IGNORECASE)
_COMMENTS = re.compile(r"(?:^|[\s_-])(?:comments?|commentlist|comment-list|disqus)(?=$|[\s_-])", re.I)
# Weak: names that content containers share too ("elementor-widget", "print-step"):
# removed only when the container is not mostly running text.
_WEAK_NEGATIVE = re.compile(
    r"(?:^|[\s_-])(?:widget\w*|toolbar|tag-?list|tags|keywords|pagination|pager|print|skip|"
    r"login|search|jump|player|follow)(?=$|[\s_-])",
    re.IGNORECASE,
)
_ARTICLE_BODY = re.compile(
    r"(?:^|[\s_-])(?:article-?body|articlebody|article-?content|article-?text|story-?body|story-?content|"
    r"entry-?content|post-?content|post-?body|news-?text|news-?body|text-?content|article__body|"
    r"article__content|content-?body|body-?text|main-?text|itembody|field-?body)(?=$|[\s_-])",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?。！？؟…:][\"'»”’)\]]*\s*$")
GOOD_CHARS = 40  # a block with this much non-link text is running text
MAX_GOOD_LINK_RATIO = 0.4
SHORT_WEIGHT = 0.5  # short non-link fragments (labels, dates) count against a container, mildly


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # p | h | li | quote | pre | row
    text: str
    boilerplate: bool = False  # judged not to be article text (kept for credit lines)


@dataclass(slots=True)
class _Stats:
    text: int = 0  # own text characters (whitespace squeezed)
    links: int = 0  # of which inside <a>


# CMS taxonomy classes name the article's tags, not the element's role
# ("tag-trending-topics", "category-comments"): ignored by name-based heuristics.
_TAXONOMY_CLASS = re.compile(
    r"^(?:(?:tag|category|cat|categories|format|status|type)-\S+|(?:postid|post|page-id)-\d+|"
    r"author-(?!(?:box|info|bio|description|profile|details|card|about|block|section|area|wrap\w*)$)\S+)$"
)


def class_and_id(el: Tag) -> str:
    """An element's class and id as one string, for name-based heuristics."""
    cls = el.get("class")
    tokens = cls if isinstance(cls, list) else (cls or "").split()
    kept = " ".join(t for t in tokens if not _TAXONOMY_CLASS.match(t))
    return f"{kept} {el.get('id') or ''}".strip()


def _is_hidden(el: Tag) -> bool:
    if el.has_attr("hidden") or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def walk(root: Tag, remove: Callable[[Tag], bool]) -> None:
    """Visit the elements under ``root`` in document order and detach those ``remove``
    selects, without visiting their subtrees (one pass; no repeated tree searches)."""
    stack = [c for c in reversed(root.contents) if isinstance(c, Tag)]
    while stack:
        el = stack.pop()
        if remove(el):
            el.extract()
        else:
            stack.extend(c for c in reversed(el.contents) if isinstance(c, Tag))


def _never_text(el: Tag) -> bool:
    if el.name in DROP_TAGS or el.get("role") in _ROLES_DROP or _is_hidden(el):
        return True
    # The page or article header (logo, headline, byline, date), unless it holds the lead
    # or is a section's header inside the text (<header><h3>Sub-heading</h3></header>).
    return (
        el.name == "header"
        and short_text(el, 399) is not None
        and not _has_lead(el)
        and not _is_section_header(el)
    )


def _is_section_header(header: Tag) -> bool:
    return header.find("h1") is None and header.find(("h2", "h3", "h4", "h5", "h6")) is not None


def _has_lead(header: Tag) -> bool:
    """A paragraph of running text inside an article header: the standfirst."""
    return any(len(p.get_text(" ", strip=True)) >= 80 and p.find("a") is None for p in header.find_all("p"))


def prune(soup: BeautifulSoup) -> None:
    """Remove elements that are never article text, by tag, role and visibility (in place)."""
    walk(soup.body or soup, _never_text)
    for node in soup.find_all(string=lambda s: isinstance(s, Comment | Doctype | ProcessingInstruction)):
        node.extract()


def _text_context(el: Tag) -> tuple[Tag | None, bool, bool, bool]:
    """For text directly inside ``el``: its block (nearest block element, ``el`` included),
    whether a link lies between the text and that block, whether the block lies inside a
    link, and whether ``el`` or an ancestor is a link. One walk up, done once per measure."""
    block: Tag | None = None
    in_link = block_linked = False
    node: Tag | None = el
    while node is not None:
        if node.name == "a":
            if block is None:
                in_link = True
            elif node is not block:
                block_linked = True
        if block is None and node.name in BLOCK_TAGS:
            block = node
        node = node.parent
    return block, in_link, block_linked, in_link or block_linked


def _measure(root: Tag) -> dict[int, tuple[Tag, _Stats]]:
    """Own text and link text of every block element under ``root``, in one walk down the
    tree that carries each text's block and link context (no walk up per text or block).

    A text's block is its nearest block ancestor; its text counts as link text when an <a>
    lies between them, or when the block itself lies inside a link: teaser cards
    (<a><div><h3>…</h3><p>…</p></div></a>) are links though no <a> sits in their blocks."""
    stats: dict[int, tuple[Tag, _Stats]] = {}
    stack: list[tuple[PageElement, tuple[Tag | None, bool, bool, bool]]] = []
    context = _text_context(root)
    stack.extend((child, context) for child in reversed(root.contents))
    while stack:
        node, (block, in_link, block_linked, under_link) = stack.pop()
        if isinstance(node, Tag):
            name = node.name
            if name in BLOCK_TAGS:
                context = (node, False, under_link, under_link or name == "a")
            else:
                link = name == "a"
                context = (block, in_link or link, block_linked, under_link or link)
            stack.extend((child, context) for child in reversed(node.contents))
            continue
        if block is None or not isinstance(node, NavigableString):
            continue
        length = len(" ".join(node.split()))
        if not length:
            continue
        entry = stats.get(id(block))
        if entry is None:
            entry = stats[id(block)] = (block, _Stats())
        entry[1].text += length
        if in_link or block_linked:
            entry[1].links += length
    return stats


def _worth(el: Tag, s: _Stats) -> tuple[float, float]:
    """(worth, good text) of one block's own text."""
    plain = s.text - s.links
    if el.name in HEADINGS and s.text <= LEAD_HEADING_CHARS:
        return 0.0, 0.0
    if plain >= GOOD_CHARS and s.links <= MAX_GOOD_LINK_RATIO * s.text:
        return float(plain), float(plain)
    return -(s.links + SHORT_WEIGHT * plain), 0.0


class _Scores:
    """Worth and good text of every element: the sum over the blocks it contains.

    Sums are made bottom-up over the elements holding text, once (no walk to the root per
    block); depths are known from the same pass."""

    def __init__(self, stats: dict[int, tuple[Tag, _Stats]]) -> None:
        self.worth: dict[int, float] = {}
        self.good: dict[int, float] = {}
        self.text: dict[int, float] = {}
        self.tags: dict[int, Tag] = {}
        self._parent: dict[int, int | None] = {}  # as when scored: removal detaches
        self._depth: dict[int, int] = {}  # elements from here to the top of the tree
        self._removed: list[int] = []
        for el, s in stats.values():
            self._add_with_ancestors(el)
            worth, good = _worth(el, s)
            key = id(el)
            self.worth[key] += worth
            self.good[key] += good
            self.text[key] += s.text
        for key in self._bottom_up():
            parent = self._parent[key]
            if parent is not None:
                self.worth[parent] += self.worth[key]
                self.good[parent] += self.good[key]
                self.text[parent] += self.text[key]

    def _add_with_ancestors(self, el: Tag) -> None:
        """Register ``el`` and its ancestors not yet registered (in that order), with depths."""
        chain: list[Tag] = []
        node: Tag | None = el
        while node is not None and node.name != "[document]" and id(node) not in self.tags:
            chain.append(node)
            node = node.parent
        if node is None:
            base, top = 0, None
        else:
            base, top = self._depth.get(id(node), 1), (id(node) if id(node) in self.tags else None)
        for i, tag in enumerate(chain):
            key = id(tag)
            self.tags[key] = tag
            self.worth[key] = self.good[key] = self.text[key] = 0.0
            self._depth[key] = base + len(chain) - i
            self._parent[key] = id(chain[i + 1]) if i + 1 < len(chain) else top

    def _bottom_up(self) -> list[int]:
        return sorted(self.tags, key=self._depth.__getitem__, reverse=True)

    def remove(self, el: Tag) -> None:
        """An element about to be detached: its worth leaves its ancestors (see ``best``).
        Nothing read while boilerplate is being removed depends on it: every element is
        judged before anything inside it is removed."""
        if id(el) in self.tags:
            self._removed.append(id(el))

    def best(self, root: Tag) -> Tag:
        """The element with the highest worth; among equals the deepest (least chrome)."""
        worth, attached = self._after_removal()
        best: tuple[float, int, Tag] = (worth.get(id(root), 0.0), 0, root)
        for key, value in worth.items():
            tag = self.tags[key]
            if value < best[0] or tag.name in ("html", "[document]") or not attached[key]:
                continue
            candidate = (value, self._depth[key], tag)
            if candidate[:2] > best[:2]:
                best = candidate
        return best[2]

    def _after_removal(self) -> tuple[dict[int, float], dict[int, bool]]:
        """Worth without the removed elements' share, and which elements are still attached."""
        removed = set(self._removed)
        lost = dict.fromkeys(self.tags, 0.0)  # worth of removed elements inside each
        order = self._bottom_up()
        for key in order:
            parent = self._parent[key]
            if parent is not None:
                lost[parent] += self.worth[key] if key in removed else lost[key]
        attached: dict[int, bool] = {}
        for key in reversed(order):  # top-down
            parent = self._parent[key]
            attached[key] = key not in removed and (parent is None or attached[parent])
        return {key: value - lost[key] for key, value in self.worth.items()}, attached


def _drop_boilerplate_containers(root: Tag, scores: _Scores) -> None:
    """Remove containers named like boilerplate: strongly named ones unless they hold most
    of the page's good text, weakly named ones unless they are mostly running text."""
    total_good = scores.good.get(id(root), 0.0) or 1.0
    cards = _teaser_cards(root, scores)

    def boilerplate(el: Tag) -> bool:
        if id(el) in cards:
            scores.remove(el)
            return True
        if el.name in ("main", "article"):
            return False
        attrs = class_and_id(el)
        if not attrs or _ARTICLE_BODY.search(attrs):
            return False
        good = scores.good.get(id(el), 0.0)
        if _TEASER.search(attrs):  # teasers link elsewhere; a linkless "teaser" is the lead
            drop = good <= 0.5 * total_good and el.find("a", href=True) is not None
        elif _NEGATIVE.search(attrs):
            # Readers' comments can outweigh a short article; only an article body
            # mislabelled as comments holds nearly all of a page's text.
            drop = good <= (0.85 if _COMMENTS.search(attrs) else 0.5) * total_good
        else:
            drop = bool(_WEAK_NEGATIVE.search(attrs)) and good <= 0.3 * scores.text.get(id(el), 0.0)
        if drop:
            scores.remove(el)
        return drop

    walk(root, boilerplate)


_CARD_TAGS = frozenset(["div", "article", "section"])
CARD_MAX_CHARS = 400  # a teaser: a linked headline, maybe a date, one or two lines of blurb
MIN_CARDS = 3


def _teaser_cards(root: Tag, scores: _Scores) -> set[int]:
    """Rows of teaser cards: three or more sibling containers of the same tag and class, each
    a short text that opens with a link (the teased headline) and adds unlinked blurb. Their
    blurbs read like sentences, so link density alone keeps them; the repetition gives them
    away. Groups holding half the page's good text are left alone (a list article)."""
    total_good = scores.good.get(id(root), 0.0) or 1.0
    found: set[int] = set()
    in_link = Inherited(_link_decides, default=False)
    for parent in list(scores.tags.values()):  # every element holding text: no tree search
        if len(parent.contents) < MIN_CARDS:
            continue
        groups: dict[tuple[str, str], list[Tag]] = {}
        for child in parent.contents:
            if isinstance(child, Tag) and child.name in _CARD_TAGS and child.get("class"):
                groups.setdefault((child.name, str(child.get("class"))), []).append(child)
        for group in groups.values():
            if (
                len(group) >= MIN_CARDS
                and all(_is_card(c, scores, in_link) for c in group)
                and sum(scores.good.get(id(c), 0.0) for c in group) <= 0.5 * total_good
            ):
                found.update(id(c) for c in group)
    return found


def _link_decides(el: Tag) -> object:
    return True if el.name == "a" and el.has_attr("href") else Inherited.UNDECIDED


def _is_card(el: Tag, scores: _Scores, in_link: Inherited) -> bool:
    text = scores.text.get(id(el), 0.0)
    if not 0 < text <= CARD_MAX_CHARS:
        return False
    first = next((s for s in el.find_all(string=True) if s.strip()), None)
    if first is None or not in_link.above(first):
        return False
    linked = sum(len(" ".join(a.get_text(" ").split())) for a in el.find_all("a", href=True))
    return text - linked >= 20


def main_container(soup: BeautifulSoup) -> Tag:
    """The element most likely to hold the article body (call after ``prune``)."""
    root = soup.body or soup
    scores = _Scores(_measure(root))
    _drop_boilerplate_containers(root, scores)
    return scores.best(root)


# --- emitting blocks ------------------------------------------------------------------


def _emit(el: Tag, out: list[tuple[Block, Tag]], kind: str = "p") -> None:
    """Append the blocks of ``el`` to ``out`` in document order (with the element whose own
    text they are). Appended, not yielded: a block deep in the tree would otherwise be
    handed up through one generator per enclosing element."""
    buffer: list[str] = []

    def flush() -> None:
        text = clean_text("".join(buffer))
        buffer.clear()
        if text:
            out.append((Block(kind, text), el))

    after_break = False  # nothing but spaces since the last <br>
    for child in el.children:
        if isinstance(child, NavigableString):
            # Line breaks in the HTML source are spaces; only <br> breaks a line.
            text = _WHITESPACE.sub(" ", str(child))
            buffer.append(text)
            after_break = after_break and not text.strip()
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            # A double <br> is a paragraph break on pages without <p>.
            if after_break:
                flush()
                after_break = False
            else:
                buffer.append("\n")
                after_break = True
            continue
        if name not in BLOCK_TAGS and _has_child(child, BLOCK_TAGS):
            # Blocks inside an inline element keep their breaks: a card (<a><div>…</div></a>)
            # is blocks of link text, a <span role="main"> wraps the whole article.
            flush()
            _emit(child, out, kind)
            after_break = False
            continue
        if name not in BLOCK_TAGS:
            text = _WHITESPACE.sub(" ", child.get_text())
            buffer.append(text)
            after_break = after_break and not text.strip()
            continue
        flush()
        after_break = False
        if name in HEADINGS and not _has_child(child, _PARAGRAPHS):
            text = clean_text(child.get_text(" "))
            if text:  # a paragraph-long "heading" is a lead styled as one
                out.append((Block("p" if len(text) > LEAD_HEADING_CHARS else "h", text), child))
        elif name in HEADINGS:  # an unclosed heading swallowed the paragraphs after it
            _emit(child, out, "h")
        elif name == "li":
            _emit(child, out, "li")
        elif name == "blockquote":
            _emit(child, out, "quote")
        elif name == "pre":
            text = child.get_text().strip("\n")
            if text.strip():
                out.append((Block("pre", text), child))
        elif name == "tr":
            cells = [clean_text(c.get_text(" ")) for c in child.find_all(["td", "th"])]
            row = " | ".join(c for c in cells if c)
            if row:
                out.append((Block("row", row), child))
        elif name in ("figure", "figcaption"):
            continue  # captions and credits are read separately, never body text
        else:
            _emit(child, out, kind if kind in ("li", "quote") else "p")
    flush()


_PARAGRAPHS = frozenset(("p", "div", "ul", "ol", "table", "blockquote"))


def _has_child(el: Tag, names: frozenset[str]) -> bool:
    """Whether a direct child element has one of these names (no subtree search)."""
    return any(isinstance(c, Tag) and c.name in names for c in el.children)


LEAD_HEADING_CHARS = 150
GOOD, SHORT, BAD = "good", "short", "bad"
GOOD_BLOCK_CHARS = 70  # a paragraph of running text (shorter ones need context to be kept)


def _classify(block: Block, s: _Stats | None) -> str:
    """jusText's idea: running text is good, link lists are bad, the rest is decided
    by its neighbours."""
    if block.kind == "h":
        return SHORT
    if s is not None and s.links > 0.5 * s.text and len(block.text) < 300:
        return BAD
    if len(block.text) >= GOOD_BLOCK_CHARS and (s is None or s.links <= MAX_GOOD_LINK_RATIO * s.text):
        return GOOD
    return SHORT


EDGE = "edge"


def _neighbours(classes: list[str]) -> tuple[list[str], list[str]]:
    """For each block, the class of the nearest non-short block before and after it."""
    before, after = [EDGE] * len(classes), [EDGE] * len(classes)
    state = EDGE
    for i, c in enumerate(classes):
        before[i] = state
        state = c if c != SHORT else state
    state = EDGE
    for i in range(len(classes) - 1, -1, -1):
        after[i] = state
        state = classes[i] if classes[i] != SHORT else state
    return before, after


def _resolve_short(classes: list[str], blocks: list[Block]) -> list[bool]:
    """Keep a short block (sub-heading, short line, list item) when it sits inside the
    text: good text on one side, and no link list on either side (the start or end of
    the container counts as neither). A heading needs good text after it."""
    before, after = _neighbours(classes)
    keep = []
    for i, c in enumerate(classes):
        if c != SHORT:
            keep.append(c == GOOD)
        elif blocks[i].kind == "h":
            keep.append(after[i] == GOOD)
        elif _introduces_list(blocks, i):  # "Reasons include:" before a list, after text
            keep.append(GOOD in (before[i], after[i]))
        else:
            sides = {before[i], after[i]}
            keep.append(GOOD in sides and BAD not in sides)
    return keep


def _introduces_list(blocks: list[Block], i: int) -> bool:
    return (
        blocks[i].kind == "p"
        and blocks[i].text.endswith(":")
        and i + 1 < len(blocks)
        and blocks[i + 1].kind in ("li", "row")
    )


def blocks(container: Tag) -> list[Block]:
    """Blocks of a container in document order. Running text, and the short blocks
    (sub-headings, list items, short lines) that sit inside it, are article text; the
    rest is marked ``boilerplate`` (credit lines are still read from it)."""
    stats = _measure(container)
    emitted: list[tuple[Block, Tag]] = []
    _emit(container, emitted)
    emitted = [(b, el) for b, el in emitted if not (b.kind == "h" and len(b.text) > 200)]
    out = [b for b, _ in emitted]
    classes = [_classify(b, entry[1] if (entry := stats.get(id(el))) else None) for b, el in emitted]
    # A page without running text (a short notice): keep what is not a link list.
    keep = _resolve_short(classes, out) if GOOD in classes else [c != BAD for c in classes]
    keep = _keep_whole_groups(emitted, classes, keep)
    return [b if k else replace(b, boilerplate=True) for b, k in zip(out, keep, strict=True)]


def _keep_whole_groups(emitted: list[tuple[Block, Tag]], classes: list[str], keep: list[bool]) -> list[bool]:
    """A list or a table is one unit: when some of its items are kept as text and none is
    a link, its short items are text too ("Process | hand-picked" beside longer rows)."""
    groups: dict[int, list[int]] = {}
    list_of = Inherited(lambda el: el if el.name in ("ul", "ol", "table") else Inherited.UNDECIDED)
    for i, (block, el) in enumerate(emitted):
        if block.kind in ("li", "row"):
            group = list_of.above(el)
            if group is not None:
                groups.setdefault(id(group), []).append(i)
    keep = list(keep)
    for members in groups.values():
        if any(keep[i] for i in members) and not any(classes[i] == BAD for i in members):
            for i in members:
                keep[i] = True
    return keep


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))
