"""The bundled seeds come out exactly as a reader of each page would expect."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from etl.extract.extract import extract_article
from etl.normalize import squeeze
from etl.read import read_file
from tests.conftest import SEEDS, seeds_expected

EXPECTED = seeds_expected()


def _extract(name: str):
    doc = read_file(SEEDS / name)
    return extract_article(doc.data, doc.url, kind=doc.kind)


def test_seed_fields_exactly() -> None:
    article = _extract("000_2a54357175af2b52.txt")
    assert article.title == "بوتين يبحث مع أردوغان الاتفاقيات الأخيرة مع أذربيجان وأرمينيا بشأن قره باغ"
    assert article.published == date(2020, 11, 11)
    assert article.source == "تاس"
    assert article.agency == "TASS"
    assert article.photo_credit == "الموقع الرسمي لرئيس روسيا الاتحادية"
    assert article.language == "ar"
    assert article.text.startswith("ناقش الرئيس الروسي")
    assert article.text.endswith('لتطوير لقاح ضد "كوفيد-19".')
    assert "محاربة فيروس كورونا" in article.text
    for boilerplate in ("Ru En", "مجموعة الرؤية الاستراتيجية", "الصورة:", "المصدر:"):
        assert boilerplate not in article.text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_page(name: str) -> None:
    want = EXPECTED[name]
    article = _extract(name)
    assert article.title == want["title"]
    published = article.published
    if "T" in want["published"]:
        assert isinstance(published, datetime)
        assert published == datetime.fromisoformat(want["published"])
        assert published.utcoffset() == datetime.fromisoformat(want["published"]).utcoffset()
    else:
        assert published is not None
        day = published.date() if isinstance(published, datetime) else published
        assert day.isoformat() == want["published"]
    assert article.source == want["source"]
    assert article.agency == want["agency"]
    assert article.photo_credit == want["photo_credit"]
    assert article.authors == want["authors"]
    assert article.language == want["language"]
    text = squeeze(article.text)
    assert text.startswith(squeeze(want["text_starts"]))
    assert text.endswith(squeeze(want["text_ends"]))
    for snippet in want["with"]:
        assert squeeze(snippet) in text
    lowered = text.lower()
    for snippet in want["without"]:
        assert squeeze(snippet).lower() not in lowered, snippet
    assert "\n\n" in article.text  # paragraphs stay separated


def test_source_selectors_override_the_generic_rules() -> None:
    page = """<html><body><div class="x"><span class="hd">Headline kept in a span</span>
    <i class="d">5 May 2021</i></div><div class="promo"><p>Subscribe to our premium plan today and
    save a lot of money on every issue of the magazine.</p></div><div id="story"><p>Short body of
    the story that the generic rules would not choose.</p></div></body></html>"""
    generic = extract_article(page)
    assert generic.title != "Headline kept in a span"
    article = extract_article(page, selectors={"title": "span.hd", "date": "i.d", "body": "#story"})
    assert article.title == "Headline kept in a span"
    assert article.published == date(2021, 5, 5)
    assert article.date_origin == "selector"
    assert article.text == "Short body of the story that the generic rules would not choose."
