"""The rule vocabularies (etl/extract/vocab.py): every entry matches its example, and the rule built
from its table fires on it, so no entry is dead or shadowed by a typo."""

from __future__ import annotations

import re

import pytest

from etl.extract import clean, extract, metadata, vocab
from etl.extract.clean import Block

TABLES = {
    "related headings": (vocab.RELATED_HEADINGS, extract._RELATED_HEADING.match),
    "comments headings": (vocab.COMMENTS_HEADINGS, extract._COMMENTS_HEADING.match),
    "bio labels": (vocab.BIO_LABELS, extract._AUTHOR_BIO_LABEL.match),
    "copyright phrases": (vocab.COPYRIGHT_PHRASES, extract._COPYRIGHT_LINE.search),
    "figure labels": (vocab.FIGURE_LABELS, lambda text: extract._FIGURE_CAPTION.match(f"{text} 2: x")),
    "updated labels": (vocab.UPDATED_LABELS, metadata._UPDATED.search),
    "published labels": (vocab.PUBLISHED_LABELS, metadata._STRONG_LABEL.search),
    "weak published labels": (vocab.WEAK_PUBLISHED_LABELS, metadata._PUBLISHED_LABEL.search),
}
ENTRIES = [
    pytest.param(rule, fragment, example, id=f"{name}:{lang}:{example}")
    for name, (table, rule) in TABLES.items()
    for lang, entries in table.items()
    for fragment, example in entries
]


@pytest.mark.parametrize(("rule", "fragment", "example"), ENTRIES)
def test_every_phrase_entry_matches_its_example_and_its_rule_fires(rule, fragment: str, example: str) -> None:
    assert re.search(fragment, example, re.IGNORECASE), f"{fragment!r} is not in its example {example!r}"
    assert rule(example), f"the rule built from the table misses {example!r}"


@pytest.mark.parametrize(
    ("fragment", "role", "example"), [(f, r, e) for f, (r, e) in vocab.BOILERPLATE_CLASSES.items()]
)
def test_every_boilerplate_class_word_is_read_by_the_rules_of_its_role(
    fragment: str, role: str, example: str
) -> None:
    assert re.fullmatch(fragment, example.split("_")[0], re.IGNORECASE) or re.fullmatch(
        rf"(?:\w+-)?{fragment}(?:-\w+)*", example, re.IGNORECASE
    )
    attrs = f"wrapper {example}"
    # Body removal reads furniture and beside words; the metadata rules read beside and pointers.
    assert bool(clean._NEGATIVE.search(attrs)) == (role in (vocab.BESIDE, vocab.FURNITURE))
    assert bool(metadata._ASIDE_CLASS.search(attrs)) == (role in (vocab.BESIDE, vocab.POINTERS))


def test_a_layout_modifier_names_what_is_beside_not_the_container() -> None:
    assert not metadata._ASIDE_CLASS.search("page has-sidebar with-comments")
    assert metadata._ASIDE_CLASS.search("page sidebar")


def test_a_related_heading_ends_the_article_in_every_language() -> None:
    text = Block("p", "Running text of the article. " * 10)
    for lang, entries in vocab.RELATED_HEADINGS.items():
        for _, example in entries:
            body = [text, text, Block("h", example), Block("p", "Another story")]
            assert extract._cut_at_related_heading(body) == [text, text], (lang, example)
