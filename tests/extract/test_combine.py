"""The body vote: our blocks, trafilatura's and Resiliparse's text, weighted by agreement."""

from __future__ import annotations

import subprocess
import sys

import pytest

from etl import extract_article
from etl.extract import combine
from etl.extract.clean import Block
from etl.extract.combine import VoteParams, ballot, elect
from tests.sitefixture import SITE

P1 = "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr mit großer Mehrheit beschlossen."
P2 = "Die Opposition kritisierte vor allem die geplanten Kürzungen bei den Schwimmbädern der Stadt."
P3 = "Der Bürgermeister verteidigte die Pläne und verwies auf die gestiegenen Energiekosten im Winter."
MENU = "Startseite Politik Wirtschaft Sport Kultur Wetter Kontakt Impressum Datenschutz"
TEASER = "Weitere Nachrichten aus der Region lesen Sie in unserem täglichen Newsletter am Morgen."


def _text(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks if not b.boilerplate]


MAJORITY = VoteParams((1.0, 1.0, 1.0), 0.5, 0.2)  # any two voters elect a line


def test_a_paragraph_two_voters_keep_is_text_though_we_judged_it_boilerplate() -> None:
    own = [Block("p", P1), Block("p", P2, boilerplate=True), Block("p", P3)]
    others = (f"{P1}\n{P2}\n{P3}", f"{P1}\n{P2}\n{P3}")
    assert _text(elect(ballot(own, others), MAJORITY)) == [P1, P2, P3]
    assert _text(elect(ballot(own, others))) == [P1, P3]  # fitted: needs ours and trafilatura's


def test_a_line_we_keep_is_dropped_when_trafilatura_leaves_it_out() -> None:
    own = [Block("p", P1), Block("p", P2), Block("p", TEASER)]
    assert _text(elect(ballot(own, (f"{P1}\n{P2}", f"{P1}\n{P2}\n{TEASER}")))) == [P1, P2]


def test_lines_only_the_others_have_are_placed_after_the_block_they_follow() -> None:
    own = [Block("p", P1), Block("p", P3)]
    others = (f"{P1}\n{P2}\n{P3}", f"{P1}\n{P2}\n{P3}")
    assert _text(elect(ballot(own, others), MAJORITY)) == [P1, P2, P3]


def test_a_list_we_keep_between_elected_paragraphs_stays_though_trafilatura_skips_it() -> None:
    items = ["Hamburg und Bremen", "Niedersachsen", "Schleswig-Holstein"]
    own = [Block("p", P1), *(Block("li", i) for i in items), Block("p", P2), Block("li", TEASER)]
    others = (f"{P1}\n{P2}", f"{P1}\n" + "\n".join(items) + f"\n{P2}")
    assert _text(elect(ballot(own, others))) == [P1, *items, P2]  # the trailing item is not bridged
    no_bridge = VoteParams(combine.FITTED.weights, combine.FITTED.threshold, combine.FITTED.min_agreement)
    assert _text(elect(ballot(own, others), no_bridge)) == [P1, P2]


def test_when_we_failed_on_the_page_the_others_decide() -> None:
    # we kept a teaser and judged the article boilerplate; the others agree on the article
    own = [Block("p", TEASER), Block("p", P1, boilerplate=True), Block("p", P2, boilerplate=True)]
    others = (f"{P1}\n{P2}\n{P3}", f"{MENU}\n{P1}\n{P2}\n{P3}")
    assert _text(elect(ballot(own, others))) == [P1, P2, P3]


@pytest.mark.parametrize("index", ["en/index.html", "ru/index.html", "ar/index.html", "news/index.html"])
def test_a_sites_list_page_has_no_article_text(index: str) -> None:
    """Ours keeps only its heading; trafilatura and Resiliparse keep the headline links."""
    assert extract_article((SITE / index).read_bytes(), f"https://harbour-herald.test/{index}").text == ""


def test_a_voter_that_failed_on_the_page_loses_its_weight() -> None:
    own = [Block("p", P1), Block("p", P2), Block("p", P3)]
    # trafilatura found nothing, Resiliparse the menu only: no two agree, our text stands
    assert _text(elect(ballot(own, ("", MENU)))) == [P1, P2, P3]
    # trafilatura found nothing: ours and Resiliparse's weights decide
    assert _text(elect(ballot(own, ("", f"{P1}\n{P2}")))) == [P1, P2, P3]


def _page() -> str:
    return (
        "<html><head><title>Haushalt beschlossen</title></head><body><nav>" + MENU + "</nav>"
        "<h1>Haushalt beschlossen</h1><article><p>" + P1 + "</p><p>" + P2 + "</p><p>" + P3 + "</p></article>"
        "<aside><p>" + TEASER + "</p></aside></body></html>"
    )


def test_the_default_profile_votes_and_the_fast_profile_does_not_call_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = extract_article(_page(), "https://example.de/haushalt")
    assert real.text == "\n\n".join([P1, P2, P3])

    calls: list[str] = []

    def others(html: str, url: str | None) -> tuple[str, str]:
        calls.append(url or "")
        return f"{P1}\n{P3}", f"{P1}\n{P3}"  # both others leave P2 out

    monkeypatch.setattr(combine, "other_texts", others)
    voted = extract_article(_page(), "https://example.de/haushalt")
    assert voted.text == "\n\n".join([P1, P3]) and calls == ["https://example.de/haushalt"]
    fast = extract_article(_page(), "https://example.de/haushalt", profile="fast")
    assert fast.text == "\n\n".join([P1, P2, P3]) and len(calls) == 1
    with pytest.raises(ValueError, match="unknown profile"):
        extract_article(_page(), profile="slow")


def test_preload_builds_the_stoplist_of_trafilaturas_justext_fallback() -> None:
    """Built before the workers fork, it is shared by all of them; built on a worker's first
    page that falls back to justext, each worker holds its own ~30 MB (a fresh interpreter:
    another test may already have built it in this one)."""
    script = (
        "import trafilatura.external as t\n"
        "from justext.core import define_stoplist\n"
        "from etl.extract.extract import preload\n"
        "assert t.JT_STOPLIST is None and define_stoplist.cache_info().currsize == 0\n"
        "preload()\n"
        "assert len(t.JT_STOPLIST) > 100_000, 'stoplist not built'\n"
        "define_stoplist(t.JT_STOPLIST)\n"
        "assert define_stoplist.cache_info().misses == 1, 'frozenset not cached by preload'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
