"""The parsed page: a tree of bounded depth, and facts about it that cost no walk per element.

``parse_html``: HTML -> a BeautifulSoup tree no deeper than ``MAX_DEPTH`` elements. Real
pages nest at most a few dozen elements deep (the devset's deepest: 43). A hostile or broken
page can nest a hundred thousand (``<div>`` opened and never closed), and every rule
that follows a chain of parents or recurses into children then costs that much per element.
The parser's own events already say where each element starts and ends (implied closings
resolved), so elements that would sit deeper than the limit are not created: their text
stays, merged into the element at the limit (a space where a block or line break was).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup, PageElement, Tag
from bs4.builder import LXMLTreeBuilder

MAX_DEPTH = 256
# Elements that hold blocks of text (clean measures and emits text by them).
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
        "html",
    ]
)
# Elements whose edges separate words: merged away, they leave a space.
_BREAKS = BLOCK_TAGS | {"br", "nav", "aside", "footer"}


class _DepthLimitedBuilder(LXMLTreeBuilder):
    """lxml's tree builder, skipping the start and end events of elements below MAX_DEPTH."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._depth = 0  # elements open in the tree
        self._skipped = 0  # elements open in the document but not in the tree
        self.flattened = False  # some element was merged into the one at the limit

    def start(self, tag: Any, attrib: Any, nsmap: Any = {}) -> None:  # noqa: B006 (lxml's signature)
        if self._depth >= MAX_DEPTH:
            self._skipped += 1
            self.flattened = True
            if tag in _BREAKS:
                self.data(" ")
            return
        self._depth += 1
        super().start(tag, attrib, nsmap)

    def end(self, tag: Any) -> None:
        if self._skipped:
            self._skipped -= 1
            if tag in _BREAKS:
                self.data(" ")
            return
        self._depth -= 1
        super().end(tag)


def parse_html(html: str) -> BeautifulSoup:
    """The page's tree, at most MAX_DEPTH elements deep. Class and rel stay plain strings:
    splitting every multi-valued attribute costs a fifth of the parse, and only a few
    rules read them."""
    return BeautifulSoup(html, builder=_DepthLimitedBuilder, multi_valued_attributes=None)


def flattened(soup: BeautifulSoup) -> bool:
    """The page nested deeper than MAX_DEPTH (and ``soup`` holds it flattened)."""
    return bool(getattr(soup.builder, "flattened", False))


# --- text of an element, read no further than needed ---------------------------------------


def short_text(el: Tag, limit: int) -> str | None:
    """``el.get_text(" ", strip=True)`` when it is at most ``limit`` characters, else None.
    Stops reading at the limit: rules that want a short line must not read a whole page
    for each of its elements."""
    parts: list[str] = []
    size = -1
    for string in el.stripped_strings:
        size += len(string) + 1
        if size > limit:
            return None
        parts.append(string)
    return " ".join(parts)


def text_head(el: Tag, chars: int) -> str:
    """The first ``chars`` characters of ``el.get_text(" ", strip=True)``."""
    parts: list[str] = []
    size = -1
    for string in el.stripped_strings:
        parts.append(string)
        size += len(string) + 1
        if size >= chars:
            break
    return " ".join(parts)[:chars]


# --- facts inherited from ancestors ---------------------------------------------------------


class Inherited:
    """A fact of each element decided by its nearest ancestor that decides it ("inside an
    aside?", "nearest list?"), memoised along the way: each element's chain of parents is
    followed at most once in all, however many elements ask. ``decide(el)`` returns the
    answer when ``el`` settles it, or ``UNDECIDED`` to defer to the parent; ``default`` is
    the answer above the root. The tree must not change while the memo is in use."""

    UNDECIDED: Any = object()

    def __init__(self, decide: Callable[[Tag], Any], default: Any = None) -> None:
        self._decide = decide
        self._default = default
        self._memo: dict[int, Any] = {}

    def of(self, el: PageElement | None) -> Any:
        """The fact for ``el`` itself (``el`` included in the chain)."""
        chain: list[Tag] = []
        answer = self._default
        while el is not None:
            known = self._memo.get(id(el), self.UNDECIDED)
            if known is not self.UNDECIDED:
                answer = known
                break
            decided = self._decide(el)
            if decided is not self.UNDECIDED:
                self._memo[id(el)] = answer = decided
                break
            chain.append(el)
            el = el.parent
        for node in chain:
            self._memo[id(node)] = answer
        return answer

    def above(self, el: PageElement) -> Any:
        """The fact for ``el``'s parent: decided by its ancestors alone."""
        return self.of(el.parent)
