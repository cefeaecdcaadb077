"""The parsed page (etl/extract/dom.py): bounded depth, bounded text reads, memoised ancestor facts."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from etl.extract.dom import MAX_DEPTH, Inherited, parse_html, short_text, text_head


def depth_of(soup: BeautifulSoup) -> int:
    deepest, stack = 0, [(soup, 0)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in el.contents if isinstance(c, Tag))
    return deepest


def test_elements_below_the_depth_limit_are_merged_into_the_one_at_the_limit() -> None:
    n = MAX_DEPTH * 4
    deepest = "<p>one</p><p>two</p><b>th</b>ree"
    html = "<html><body>" + "<div>q" * n + deepest + "</div>" * n + "</body></html>"
    soup = parse_html(html)
    assert depth_of(soup) == MAX_DEPTH
    text = soup.get_text()
    assert text.count("q") == n  # no text lost
    assert re.search(r"\bone\s+two\b", text)  # block edges leave a space
    assert "three" in text  # inline edges leave none
    assert soup.find("p") is None  # the deep elements are gone, not moved


def test_pages_within_the_limit_parse_as_lxml_does() -> None:
    html = "<html><head><title>T</title></head><body><div class=a><p>one<b>two</b><p>3</div></body></html>"
    assert str(parse_html(html)) == str(BeautifulSoup(html, "lxml", multi_valued_attributes=None))


def test_short_text_and_text_head_read_as_get_text_does() -> None:
    soup = parse_html("<div><p> alpha </p>\n<p>beta <b>gamma</b></p>  <span> </span>delta</div>")
    div = soup.div
    full = div.get_text(" ", strip=True)
    assert full == "alpha beta gamma delta"
    for limit in range(len(full) + 2):
        assert short_text(div, limit) == (full if len(full) <= limit else None)
        assert text_head(div, limit) == full[:limit]


def test_inherited_facts_match_a_walk_up_for_every_element() -> None:
    html = (
        "<html><body><aside><div><p>x<b>y</b></p></div></aside>"
        "<main><div class=share><span>z</span></div><p>w</p></main></body></html>"
    )
    soup = parse_html(html)

    def decide(el: Tag) -> object:
        if el.name == "aside" or "share" in str(el.get("class") or ""):
            return el.name
        return Inherited.UNDECIDED

    def walked(el: Tag | None) -> object:
        while el is not None:
            if decide(el) is not Inherited.UNDECIDED:
                return decide(el)
            el = el.parent
        return "none"

    fact = Inherited(decide, default="none")
    elements = list(soup.find_all(True))
    for el in reversed(elements):  # deepest first, then again in document order: memo reused
        assert fact.of(el) == walked(el)
        assert fact.above(el) == walked(el.parent)
    for el in elements:
        assert fact.of(el) == walked(el)
