"""The publication date rules: structured data first, what is never the date, and the languages.

One small invented page per rule, built by tests/extract/pages.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etl.extract.extract import extract_article
from tests.extract.pages import (
    ALL,
    BYLINE,
    DATE_LINE,
    LANGS,
    NOW,
    RU,
    body_html,
    date_div,
    extract,
    iso,
    ld,
    page,
    rule_date,
)


@ALL
def test_date_from_json_ld_keeps_the_page_offset(lang: str) -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "headline": LANGS[lang].headline,
            "datePublished": "2025-11-18T14:05:00+03:00",
            "dateModified": "2025-11-19T10:00:00+03:00",
        }
    )
    article = extract(page(lang, head=head))
    assert iso(article.published) == "2025-11-18T14:05:00+03:00"
    assert article.published_text == "2025-11-18T14:05:00+03:00"
    assert article.date_origin == "jsonld"


@ALL
def test_date_published_meta_wins_over_modified_meta(lang: str) -> None:
    head = (
        '<meta property="article:modified_time" content="2025-11-19T08:30:00+02:00">'
        '<meta property="og:updated_time" content="2025-11-19T08:30:00+02:00">'
        '<meta property="article:published_time" content="2025-11-17T21:15:00+02:00">'
    )
    article = extract(page(lang, head=head))
    assert iso(article.published) == "2025-11-17T21:15:00+02:00"
    assert article.date_origin == "meta"


@ALL
def test_date_published_line_wins_over_updated_line(lang: str) -> None:
    published, updated = {
        "en": ("Published: 17 November 2025", "Updated: 19 November 2025"),
        "ru": ("Опубликовано: 17 ноября 2025", "Обновлено: 19 ноября 2025"),
        "ar": ("نشر في: 17 نوفمبر 2025", "تم التحديث: 19 نوفمبر 2025"),
    }[lang]
    meta = f'<div class="article-meta"><div class="updated">{updated}</div><div>{published}</div></div>'
    assert iso(extract(page(lang, meta=meta)).published) == "2025-11-17"


@pytest.mark.parametrize(
    "line",
    [
        "page revision: 8, last edited: 19 Nov 2025 15:15",
        "Zuletzt bearbeitet am 19.11.2025",
        "Отредактировано 19.11.2025",
    ],
)
def test_date_is_not_a_last_edited_line(line: str) -> None:
    assert rule_date(extract(page("en", widget=False, meta=f'<div id="page-info">{line}</div>'))) is None


@ALL
def test_date_from_a_time_element(lang: str) -> None:
    meta = f'<time datetime="2025-11-18T14:05:00+03:00">{DATE_LINE[lang]}</time>'
    article = extract(page(lang, meta=meta))
    assert iso(article.published) == "2025-11-18T14:05:00+03:00"
    assert article.date_origin == "time"


@ALL
def test_date_published_time_element_wins_over_updated_time_element(lang: str) -> None:
    meta = (
        '<div class="article-meta">'
        '<time class="updated" datetime="2025-11-19T08:30:00+03:00">19.11.2025</time>'
        '<time class="published" datetime="2025-11-17T21:15:00+03:00">17.11.2025</time></div>'
    )
    article = extract(page(lang, meta=meta))
    assert iso(article.published) == "2025-11-17T21:15:00+03:00"


def test_date_structured_metadata_beats_the_visible_line() -> None:
    head = ld({"@type": "NewsArticle", "datePublished": "2025-11-16T09:00:00+03:00"})
    article = extract(page("ru", head=head, meta=date_div(DATE_LINE["ru"])))
    assert iso(article.published) == "2025-11-16T09:00:00+03:00"
    assert article.date_origin == "jsonld"


def test_date_is_the_day_in_the_pages_own_offset() -> None:
    """JSON-LD gives the moment in UTC (the 19th); the page's <time> gives the same moment
    at -05:00 (the evening of the 18th): the page's day is the 18th."""
    head = ld({"@type": "NewsArticle", "datePublished": "2025-11-19T02:30:00Z"})
    meta = '<time datetime="2025-11-18T21:30:00-05:00">18 November 2025</time>'
    assert (
        iso(extract(page("en", head=head, meta=meta, widget=False)).published) == "2025-11-18T21:30:00-05:00"
    )


def test_date_hatom_entry_date_marked_updated_is_the_post_date() -> None:
    """WordPress themes mark the post's only date <time class="entry-date updated">."""
    meta = '<time class="entry-date updated" datetime="2025-11-18T14:05:00+03:00">18 Nov 2025</time>'
    assert iso(extract(page("en", meta=meta, widget=False)).published) == "2025-11-18T14:05:00+03:00"
    only_updated = '<time class="updated" datetime="2025-11-18T14:05:00+03:00">18 Nov 2025</time>'
    assert rule_date(extract(page("en", meta=only_updated, widget=False))) is None


@pytest.mark.parametrize(
    "value", ["2025-11-18T14:05:00+05:30", "2025-11-18T14:05:00-04:00", "2025-11-18T23:30:00+03:00"]
)
def test_date_keeps_the_page_utc_offset(value: str) -> None:
    head = f'<meta property="article:published_time" content="{value}">'
    article = extract(page("en", head=head))
    assert iso(article.published) == value  # the day as the page states it, not the UTC day


def test_date_without_a_time_is_a_plain_date() -> None:
    article = extract(page("ar", head='<meta property="article:published_time" content="2025-11-18">'))
    assert type(article.published) is date
    assert article.published == date(2025, 11, 18)


def test_date_from_the_url_when_the_page_has_none() -> None:
    article = extract(page("en", widget=False), "https://courier.example/city/2025/11/18/tram-line")
    assert (iso(article.published), article.date_origin) == ("2025-11-18", "url")


def test_date_in_the_future_is_refused() -> None:
    head = '<meta property="article:published_time" content="2026-02-01T10:00:00+00:00">'
    assert rule_date(extract(page("en", head=head, widget=False))) is None


# --- date: what is never the publication date ----------------------------------------------------


@pytest.mark.parametrize(
    "lang",
    list(LANGS),
)
def test_date_is_not_the_header_widget_showing_today(lang: str) -> None:
    """The only full date is the header's "today" widget (the fetch day): the date is unknown."""
    assert rule_date(extract(page(lang))) is None


@ALL
def test_date_header_widget_loses_to_the_article_date_line(lang: str) -> None:
    article = extract(page(lang, meta=date_div(DATE_LINE[lang])))
    assert article.published.replace(tzinfo=None) == datetime(2025, 11, 18, 14, 5)
    assert article.date_origin == "text"


@ALL
def test_date_is_not_a_related_list_or_comment_date(lang: str) -> None:
    """Related list (span.date) and comments (span.comment-date) have dates; the article none."""
    assert rule_date(extract(page(lang, widget=False))) is None


@ALL
def test_date_is_not_a_comment_time_element(lang: str) -> None:
    c = LANGS[lang]
    comments = (
        f'<ol class="commentlist"><li><time datetime="2025-11-19T22:00:00+00:00">{c.comment_date}</time>'
        f"<p>{c.comment}</p></li></ol>"
    )
    article = extract(page(lang, widget=False, after_article=comments, meta=date_div(DATE_LINE[lang])))
    assert article.published.replace(tzinfo=None) == datetime(2025, 11, 18, 14, 5)
    assert c.comment not in article.text


@ALL
def test_date_is_not_a_sidebar_date(lang: str) -> None:
    c = LANGS[lang]
    sidebar = (
        f'<div class="sidebar"><h3>{c.nav[2]}</h3><ul><li><a href="/x">{c.related[0]}</a>'
        f'<time datetime="2024-03-03T10:00:00+03:00">{c.related_date}</time></li></ul></div>'
    )
    assert rule_date(extract(page(lang, widget=False, after_article=sidebar))) is None
    article = extract(page(lang, widget=False, after_article=sidebar, meta=date_div(DATE_LINE[lang])))
    assert article.published.date() == date(2025, 11, 18)


@pytest.mark.parametrize(
    "lang",
    list(LANGS),
)
def test_date_is_not_an_inline_related_article_date(lang: str) -> None:
    c = LANGS[lang]
    block = (
        f'<div class="see-also"><a href="/n/1">{c.related[0]}</a> '
        f'<time datetime="2024-03-03T10:00:00+03:00">{c.related_date}</time></div>'
    )
    html = page(lang, widget=False, meta=date_div(DATE_LINE[lang]), body=body_html(c, extra_top=block))
    assert extract(html).published.date() == date(2025, 11, 18)


@ALL
def test_date_of_an_article_misnested_inside_an_open_sidebar(lang: str) -> None:
    """Unclosed markup puts the whole article inside the sidebar container: its own date
    line still counts (the headline shares that container), the related list's dates do not."""

    def misnested(html: str) -> str:
        return html.replace("<main>", '<div id="sidebar"><ul><li class="widget">').replace(
            "</main>", "</li></ul></div>"
        )

    assert extract(
        misnested(page(lang, widget=False, meta=date_div(DATE_LINE[lang])))
    ).published.date() == date(2025, 11, 18)
    assert rule_date(extract(misnested(page(lang, widget=False)))) is None


@ALL
def test_date_not_taken_from_a_layout_class_naming_the_sidebar(lang: str) -> None:
    """ "has-sidebar" on the content wrapper describes the layout; the date line inside counts."""
    html = page(lang, widget=False, meta=date_div(DATE_LINE[lang]))
    html = html.replace("<main>", '<main><div class="content has-sidebar">').replace(
        "</main>", "</div></main>"
    )
    assert extract(html).published.date() == date(2025, 11, 18)


@ALL
def test_date_from_a_byline_beside_the_headline_that_reuses_teaser_classes(lang: str) -> None:
    """<h1/><div class="teaser-small__metadata"><p>By … 18 November 2025</p></div>: a theme's
    teaser component styles the article's own byline; the same component in the related
    list further down still dates nothing."""
    c = LANGS[lang]
    own = f'<div class="teaser-small__metadata"><p class="byline">{BYLINE[lang]} {DATE_LINE[lang]}</p></div>'
    other = (
        f'<div class="teaser-small"><a href="/n/1">{c.related[0]}</a>'
        f'<div class="teaser-small__metadata"><p>{c.related_date}</p></div></div>'
    )
    assert extract(page(lang, widget=False, meta=own, after_article=other)).published.date() == date(
        2025, 11, 18
    )
    assert rule_date(extract(page(lang, widget=False, after_article=other))) is None


@ALL
def test_date_from_the_pages_own_teaser_when_nothing_else_dates_it(lang: str) -> None:
    """A page without a date of its own lists itself, dated, among the latest items."""
    c = LANGS[lang]
    teasers = (
        '<section class="latest"><a href="/news/other"><div class="teaser"><div>03.03.2024</div>'
        f"<h3>{c.related[0]}</h3></div></a>"
        '<a href="/news/tram"><div class="teaser"><div>17.11.2025</div>'
        f"<h3>{c.headline}</h3></div></a></section>"
    )
    html = page(lang, widget=False, after_article=teasers)
    assert extract(html, "https://courier.example/news/tram").published == date(2025, 11, 17)
    assert rule_date(extract(html, "https://courier.example/news/elsewhere")) is None


@pytest.mark.parametrize(
    "opening, expected",
    [
        ("(18. November 2025) ", date(2025, 11, 18)),
        ("18 November 2025 – ", date(2025, 11, 18)),
        ("18 November 2025: ", None),  # a timeline entry, not a dateline
        ("On 18 November 2025 ", None),  # a date inside the sentence
    ],
)
def test_date_from_a_dateline_opening_the_first_paragraph(opening: str, expected: date | None) -> None:
    c = LANGS["en"]
    body = body_html(c).replace(f"<p>{c.paras[0]}</p>", f"<p>{opening}{c.paras[0]}</p>", 1)
    published = rule_date(extract(page("en", widget=False, body=body)))
    assert (published.date() if isinstance(published, datetime) else published) == expected


def test_date_with_pipes_between_day_month_and_year() -> None:
    html = page(
        "en", widget=False, meta='<div class="subline"><table><tr><td>18 | 11 | 2025</td></tr></table></div>'
    )
    assert extract(html).published == date(2025, 11, 18)


@pytest.mark.parametrize(
    "lang, line",
    [
        ("en", "© 2025 Harbour Courier"),
        ("ru", "© 2003–2025 Северный вестник"),
        ("ar", "جميع الحقوق محفوظة © 2025"),
        ("en", "Archive 2025"),
        ("ru", "Архив 2025"),
        ("ar", "أرشيف 2025"),
    ],
)
def test_a_copyright_or_bare_year_is_no_date(lang: str, line: str) -> None:
    article = extract(page(lang, widget=False, meta=f'<div class="date">{line}</div>'))
    assert rule_date(article) is None


SENTENCES = {  # a date inside a body sentence: history, not the publication date
    "long": {
        "en": "The previous plan, presented on 12 March 2019, was rejected by the regional "
        "government because the port could not pay its share of the costs.",
        "ru": "Предыдущий план, представленный 12 марта 2019 года, был отклонен региональным "
        "правительством, потому что порт не смог оплатить свою долю расходов.",
        "ar": "وكانت الخطة السابقة التي قدمت في 12 مارس 2019 قد رفضتها الحكومة الإقليمية لأن "
        "الميناء لم يتمكن من دفع حصته من التكاليف في ذلك الوقت.",
    },
    "short": {
        "en": "The previous plan was presented on 12 March 2019 and rejected.",
        "ru": "Прежний план представили 12 марта 2019 года и отклонили.",
        "ar": "وقدمت الخطة السابقة في 12 مارس 2019 ورفضت.",
    },
}


@pytest.mark.parametrize(
    "length, lang",
    [
        *(("long", lang) for lang in ("ar", "ru", "en")),
        *(("short", lang) for lang in ("ar", "ru", "en")),
    ],
)
def test_date_in_a_body_sentence_is_not_the_publication_date(length: str, lang: str) -> None:
    sentence = SENTENCES[length][lang]
    article = extract(page(lang, widget=False, body=body_html(LANGS[lang], extra_top=f"<p>{sentence}</p>")))
    assert rule_date(article) is None
    assert sentence in article.text


# --- date: languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("18 نوفمبر 2025", "2025-11-18"),
        ("18 تشرين الثاني 2025", "2025-11-18"),
        ("18 نوفمبر/تشرين الثاني 2025", "2025-11-18"),
        ("18 نوفمبر (تشرين الثاني) 2025", "2025-11-18"),
        ("18 نونبر 2025", "2025-11-18"),
        ("18 جوان 2025", "2025-06-18"),
        ("18 حزيران 2025", "2025-06-18"),
        ("الثلاثاء 18 نوفمبر 2025 - 04:30 مساء", "2025-11-18T16:30:00+00:00"),
        ("18/11/2025 14:05 بتوقيت مكة المكرمة", "2025-11-18T14:05:00+03:00"),
        ("١٨ نوفمبر ٢٠٢٥", "2025-11-18"),
        ("١٨ تشرين الثاني ٢٠٢٥", "2025-11-18"),
        ("٢٠٢٥/١١/١٨", "2025-11-18"),
    ],
)
def test_date_arabic_month_families_and_digits(line: str, expected: str) -> None:
    article = extract(page("ar", widget=False, meta=date_div(line)))
    assert iso(article.published) == expected
    assert article.published_text is not None and article.published_text in line


def test_date_arabic_indic_digits_in_microdata() -> None:
    meta = '<span itemprop="datePublished">١٨ نوفمبر ٢٠٢٥</span>'
    assert iso(extract(page("ar", widget=False, meta=meta)).published) == "2025-11-18"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("18 ноября 2025", "2025-11-18"),
        ("18 ноября 2025 года, 14:05", "2025-11-18T14:05:00+00:00"),
        ("Среда, 3 сентября 2025 г.", "2025-09-03"),
        ("18 мая 2025", "2025-05-18"),
        ("18.11.2025 14:05", "2025-11-18T14:05:00+00:00"),
        ("18 ноября 2025, 14:05 МСК", "2025-11-18T14:05:00+03:00"),
        ("вчера в 16:19", "2025-11-19T16:19:00+00:00"),
        ("вчера в 16:19 МСК", "2025-11-19T16:19:00+03:00"),
    ],
)
def test_date_russian_genitive_months_and_relative_days(line: str, expected: str) -> None:
    article = extract(page("ru", widget=False, meta=date_div(line)))
    assert iso(article.published) == expected


@pytest.mark.parametrize(
    "now, line, expected",
    [
        (NOW, "вчера в 16:19", "2025-11-19T16:19:00+00:00"),
        (NOW, "вчера в 16:19 МСК", "2025-11-19T16:19:00+03:00"),
        (datetime(2021, 3, 1, 12, 0, tzinfo=UTC), "вчера в 16:19", "2021-02-28T16:19:00+00:00"),
        (datetime(2024, 1, 1, 6, 0, tzinfo=UTC), "вчера в 23:50", "2023-12-31T23:50:00+00:00"),
    ],
)
def test_date_relative_day_in_a_text_dump_is_resolved_against_now(
    now: datetime, line: str, expected: str
) -> None:
    dump = f"{RU.headline}\n\n{line}\n\n" + "\n\n".join(RU.paras)
    article = extract_article(dump, now=now, kind="text")
    assert article.title == RU.headline
    assert iso(article.published) == expected
    assert article.text.startswith(RU.paras[0])


@pytest.mark.parametrize(
    "line, expected",
    [
        ("November 18, 2025 2:05 PM EST", "2025-11-18T14:05:00-05:00"),
        ("Tue 18 Nov 2025 14.05 GMT", "2025-11-18T14:05:00+00:00"),
        ("Published 18 November 2025", "2025-11-18"),
        ("11/18/2025", "2025-11-18"),
    ],
)
def test_date_english_forms(line: str, expected: str) -> None:
    article = extract(page("en", widget=False, meta=date_div(line)))
    assert iso(article.published) == expected
