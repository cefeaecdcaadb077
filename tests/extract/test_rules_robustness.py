"""Robustness: broken, hostile or empty input never raises; a body failure keeps the metadata.

One small invented page per rule, built by tests/extract/pages.py."""

from __future__ import annotations

import pytest

import etl.extract.clean
from etl.extract.extract import extract_article
from etl.models import RejectedInput
from tests.extract.pages import (
    ALL,
    EN,
    LANGS,
    NOW,
    RU,
    body_html,
    extract,
    figure,
    iso,
    ld,
    page,
)


@ALL
def test_control_characters_never_raise(lang: str) -> None:
    c = LANGS[lang]
    head = c.paras[0][:20]
    html = page(lang).replace(head, head + "\x00\x01\x08\x0b\x1f\x7f\x9b", 1)
    html = html.replace(c.headline, c.headline + "\x07", 1)
    for data in (html, html.replace("\x00", "").encode("utf-8")):  # NUL bytes: see the junk test
        article = extract(data)
        assert article.title == c.headline
        assert not any(ch in article.text for ch in "\x00\x01\x08\x0b\x1f\x7f\x9b")
        assert c.paras[0] in article.text


@ALL
def test_broken_markup_never_raises(lang: str) -> None:
    c = LANGS[lang]
    html = (
        f'<html><head><title>{c.headline} | {c.site}</title></head><body><div class="x">'
        f"<h1>{c.headline}<p>{c.paras[0]}<p>{c.paras[1]}<div><span><b>{c.paras[2]}"
        '<table><tr><td>cell<div></p></span></td></html><p unclosed="'
    )
    article = extract(html)
    assert article.title == c.headline
    assert c.paras[0] in article.text
    assert c.paras[1] in article.text


@ALL
def test_unclosed_elements_never_raise(lang: str) -> None:
    c = LANGS[lang]
    unclosed = "".join(f"<div class='item'><b>{i} " for i in range(600))
    article = extract(page(lang, body=unclosed + "".join(f"<p>{p}" for p in c.paras)))
    assert article.title == c.headline
    assert c.paras[1] in article.text


@ALL
def test_page_after_server_notices_is_still_html(lang: str) -> None:
    """PHP notices printed before <html> (kilobytes of them) do not make the page plain text."""
    c = LANGS[lang]
    notice = "<br />\n<b>Deprecated</b>: Assigning the return value of new by reference in settings.php\n"
    article = extract(notice * 60 + page(lang))
    assert article.title == c.headline
    assert "<div" not in article.text and "Deprecated" not in article.text
    assert c.paras[0] in article.text


@ALL
def test_page_without_body(lang: str) -> None:
    c = LANGS[lang]
    html = (
        f"<html><head><title>{c.headline} | {c.site}</title>"
        '<meta property="article:published_time" content="2025-11-18T14:05:00+03:00"></head>'
        f"<p>{c.lead}</p><p>{c.paras[0]}</p></html>"
    )
    article = extract(html)
    assert article.title == c.headline
    assert iso(article.published) == "2025-11-18T14:05:00+03:00"
    assert c.paras[0] in article.text


def test_page_without_html_head_or_body() -> None:
    html = f"<title>{EN.headline} | {EN.site}</title><p>{EN.paras[0]}</p><p>{EN.paras[1]}</p>"
    article = extract(html)
    assert article.title == EN.headline
    assert EN.paras[1] in article.text


@pytest.mark.parametrize(
    "lang, junk",
    [
        *((lang, bytes(range(1, 9)) * 4) for lang in ("ar", "ru", "en")),
        ("en", b"\xff\xfe\xc3\x28"),
        ("ru", b"\xff"),
        ("ar", b"\xff\xfe\xc3\x28"),
        ("ru", b"\x00\x00"),
    ],
    ids=["ar-ctl", "ru-ctl", "en-ctl", "en-bad-utf8", "ru-bad-utf8", "ar-bad-utf8", "ru-nul"],
)
def test_binary_junk_in_the_middle_never_raises(lang: str, junk: bytes) -> None:
    c = LANGS[lang]
    html = page(lang).encode("utf-8")
    cut = html.index(c.paras[1].encode("utf-8"))
    article = extract(html[:cut] + junk + html[cut:])
    assert article.title == c.headline
    assert c.paras[0] in article.text
    assert c.paras[2] in article.text


def test_a_page_that_is_mostly_junk_is_rejected_with_a_reason() -> None:
    """Damage beyond a few percent in a declared-UTF-8 page is another encoding or garbage:
    a clear one-line reason, not an article full of replacement characters."""
    c = LANGS["en"]
    html = page("en").encode("utf-8")
    cut = html.index(c.paras[1].encode("utf-8"))
    with pytest.raises(RejectedInput, match="undecodable bytes: not valid utf-8 as declared"):
        extract(html[:cut] + bytes(range(128, 256)) * 16 + html[cut:])


def test_a_five_megabyte_page_never_raises() -> None:
    c = RU
    teasers = "".join(
        f'<div class="teaser"><a href="/n/{i}">{c.related[i % 2]} {i}</a><p>{c.paras[i % 3]}</p></div>'
        for i in range(14_000)
    )
    head = '<meta property="article:published_time" content="2025-11-18T14:05:00+03:00">'
    html = page("ru", head=head, after_article=f'<div class="archive">{teasers}</div>')
    assert len(html.encode("utf-8")) > 5_000_000
    article = extract(html)
    assert article.title == c.headline
    assert iso(article.published) == "2025-11-18T14:05:00+03:00"
    assert article.language == "ru"


def test_deep_nesting_never_raises() -> None:
    head = '<meta property="article:published_time" content="2025-11-18T14:05:00+03:00">'
    article = extract(page("en", head=head, body="<div>" * 3000 + f"<p>{EN.paras[0]}</p>" + "</div>" * 3000))
    assert article.title == EN.headline
    assert iso(article.published) == "2025-11-18T14:05:00+03:00"


def _metadata_page() -> str:
    head = ld(
        {
            "@type": "NewsArticle",
            "headline": RU.headline,
            "datePublished": "2025-11-18T14:05:00+03:00",
            "author": {"@type": "Person", "name": "Иван Петров"},
        }
    )
    fig = figure(RU.caption, "Фото: Лена Фокс")
    return page("ru", head=head, figure=fig, body=body_html(RU, extra_bottom="<p>Источник: ТАСС</p>"))


@pytest.mark.parametrize("stage", ["main_container", "prune", "blocks"])
def test_a_body_failure_keeps_the_metadata(monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(etl.extract.clean, stage, broken)
    article = extract(_metadata_page(), "https://vestnik.example/news/2025/11/18/tram?utm_source=x")
    assert article.title == RU.headline
    assert iso(article.published) == "2025-11-18T14:05:00+03:00"
    assert article.date_origin == "jsonld"
    assert article.authors == ["Иван Петров"]
    assert article.photo_credit == "Лена Фокс"
    assert (article.source, article.agency) == ("ТАСС", "TASS")
    assert article.canonical_url == "https://vestnik.example/news/2025/11/18/tram"
    assert article.site == "vestnik.example"
    assert article.language == "ru"  # from the title when there is no text
    assert article.text == ""


@pytest.mark.parametrize("data", ["", "   \n\t ", b"", b"   "])
def test_empty_input_is_a_reject_with_a_reason(data: str | bytes) -> None:
    with pytest.raises(RejectedInput):
        extract_article(data, now=NOW)
