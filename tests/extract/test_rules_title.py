"""The title rules: site-name decorations, kickers, logo and section headings.

One small invented page per rule, built by tests/extract/pages.py."""

from __future__ import annotations

import pytest

from tests.extract.pages import (
    ALL,
    LANGS,
    extract,
    ld,
    page,
)


@ALL
@pytest.mark.parametrize("pattern", ["{h} | {s}", "{s} - {h}", "{h} — {s}", "{s} :: {h}", "{h} » {s}"])
def test_title_without_site_name_decorations(lang: str, pattern: str) -> None:
    c = LANGS[lang]
    decorated = pattern.format(h=c.headline, s=c.site)
    html = page(lang, title=decorated, head=f'<meta property="og:title" content="{decorated}">')
    assert extract(html).title == c.headline


@ALL
@pytest.mark.parametrize("pattern", ["{h} | {s}", "{s} - {h}"])
def test_title_from_og_title_without_a_headline_element(lang: str, pattern: str) -> None:
    c = LANGS[lang]
    decorated = pattern.format(h=c.headline, s=c.site)
    html = page(lang, title=c.site, head=f'<meta property="og:title" content="{decorated}">')
    html = html.replace(f'<h1 class="headline">{c.headline}</h1>', "")
    assert extract(html).title == c.headline


@ALL
@pytest.mark.parametrize("pattern", ["{h} | {s}", "{s} - {h}"])
@pytest.mark.parametrize("with_h1", [True, False])
def test_title_without_a_known_site_name(lang: str, pattern: str, with_h1: bool) -> None:
    """No og:site_name, no og:title: only <title> "Headline | Site", with or without the <h1>."""
    c = LANGS[lang]
    html = page(lang, title=pattern.format(h=c.headline, s=c.site))
    html = html.replace(f'<meta property="og:site_name" content="{c.site}">', "")
    if not with_h1:
        html = html.replace(f'<h1 class="headline">{c.headline}</h1>', "")
    assert extract(html).title == c.headline


@pytest.mark.parametrize(
    "lang, headline",
    [
        ("en", "Moscow - Kyiv talks to resume in Geneva next week"),
        ("ru", "Москва - Киев: переговоры возобновятся в Женеве"),
        ("ar", "موسكو - كييف: استئناف المحادثات في جنيف"),
    ],
)
def test_title_keeps_separators_inside_the_headline(lang: str, headline: str) -> None:
    c = LANGS[lang]
    html = page(lang, title=f"{headline} | {c.site}", headline=headline)
    assert extract(html).title == headline
    html = page(lang, title=c.site, head=f'<meta property="og:title" content="{headline} | {c.site}">')
    assert extract(html.replace(f'<h1 class="headline">{c.headline}</h1>', "")).title == headline


@pytest.mark.parametrize(
    "lang",
    ["ar", "ru", "en"],
)
def test_title_is_not_the_logo_h1(lang: str) -> None:
    """The logo <h1> comes first; <title> is "Headline | Site" and og:title is the headline."""
    c = LANGS[lang]
    html = page(lang, logo_h1=True, head=f'<meta property="og:title" content="{c.headline}">')
    assert extract(html).title == c.headline


@ALL
def test_title_logo_h1_with_a_plain_title(lang: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, logo_h1=True, title=c.headline))
    assert article.title == c.headline
    assert c.site not in article.text


@ALL
def test_title_by_agreement_drops_a_kicker(lang: str) -> None:
    """The <h1> carries a kicker; JSON-LD headline and og:title agree on the headline."""
    c = LANGS[lang]
    kicker = {"en": "Transport", "ru": "Транспорт", "ar": "نقل"}[lang]
    head = ld({"@type": "NewsArticle", "headline": c.headline}) + (
        f'<meta property="og:title" content="{c.headline} - {c.site}">'
    )
    html = page(lang, title=c.site, head=head, headline=f'<span class="kicker">{kicker}</span> {c.headline}')
    assert extract(html).title == c.headline


@ALL
def test_title_prefers_the_headline_over_a_seo_title(lang: str) -> None:
    """<title> and og:title are an SEO string; the JSON-LD headline agrees with the <h1>."""
    c = LANGS[lang]
    seo = {
        "en": "Tram line news: latest updates today",
        "ru": "Новости трамвай: последние новости сегодня",
        "ar": "أخبار الترام: آخر الأخبار اليوم",
    }[lang]
    head = ld({"@type": "NewsArticle", "headline": c.headline})
    head += f'<meta property="og:title" content="{seo}">'
    assert extract(page(lang, title=f"{seo} | {c.site}", head=head)).title == c.headline


@ALL
def test_title_is_not_an_unclassed_h1_linking_home(lang: str) -> None:
    """A blog theme's <h1><a href="/">Site</a></h1> without a logo class, no og:site_name, and
    a <title> "Headline | Site" whose site part is as long as a headline could be."""
    c = LANGS[lang]
    site = " ".join((c.site, *c.nav[1:5]))
    html = page(lang, title=f"{c.headline} | {site}").replace(
        '<h1 class="headline">', '<h2 class="entry-title">'
    )
    html = html.replace(f"{c.headline}</h1>", f"{c.headline}</h2>")
    html = html.replace(
        '<header class="site-header">', f'<header><h1><a href="https://courier.example/">{site}</a></h1>'
    )
    html = html.replace(f'<meta property="og:site_name" content="{c.site}">', "")
    assert extract(html, "https://courier.example/news/tram").title == c.headline


def test_title_h1_linking_to_another_page_is_still_the_headline() -> None:
    c = LANGS["en"]
    html = page("en", headline=f'<a href="https://courier.example/news/tram">{c.headline}</a>')
    assert extract(html, "https://courier.example/news/tram").title == c.headline


def test_title_keeps_the_visible_headline_typography() -> None:
    """og:title types straight quotes, the <h1> curly ones: they agree, the <h1> is shown."""
    shown = "Mayor on the tram: ‘It’s the city’s best decision’"
    typed = "Mayor on the tram: 'It's the city's best decision'"
    head = f'<meta property="og:title" content="{typed}">'
    assert extract(page("en", headline=shown, title=typed, head=head)).title == shown


SECTION = {"en": "News", "ru": "Новости", "ar": "أخبار"}
KICKER = {
    "en": "Press release of the transport department",
    "ru": "Пресс-релиз департамента транспорта",
    "ar": "بيان صحفي من إدارة النقل",
}


@ALL
def test_title_is_not_a_section_h1_that_only_matches_a_title_segment(lang: str) -> None:
    """<h1>News</h1> and <title>News - Site</title> (no og:site_name says which part is the
    site), while og:title names the headline."""
    c = LANGS[lang]
    head = f'<meta property="og:title" content="{c.headline}">'
    short_site = c.site.split()[-1]
    html = page(lang, title=f"{SECTION[lang]} - {short_site}", head=head, headline=SECTION[lang])
    html = html.replace(f'<meta property="og:site_name" content="{c.site}">', "")
    assert extract(html).title == c.headline


@ALL
def test_title_drops_a_kicker_the_h1_puts_before_the_title(lang: str) -> None:
    c = LANGS[lang]
    html = page(lang, title=c.headline, headline=f"{KICKER[lang]}: {c.headline}")
    assert extract(html).title == c.headline


TOPIC = {"en": "Transport", "ru": "Транспорт", "ar": "نقل"}


@ALL
@pytest.mark.parametrize("kicker", ['<span class="article-heading__kicker">{k}</span>', "<small>{k}</small>"])
def test_title_drops_a_kicker_element_even_where_metadata_repeats_it(lang: str, kicker: str) -> None:
    """<h1><span class="…kicker">Topic</span><span class="visually-hidden">: </span>Headline</h1>,
    og:title "Topic: Headline": the topic line is not part of the headline."""
    c = LANGS[lang]
    topic = TOPIC[lang]
    h1 = kicker.format(k=topic) + f'<span class="visually-hidden">: </span><span>{c.headline}</span>'
    head = f'<meta property="og:title" content="{topic}: {c.headline}">'
    assert (
        extract(page(lang, title=f"{topic}: {c.headline} | {c.site}", head=head, headline=h1)).title
        == c.headline
    )
    # with no metadata agreeing at all, the <h1> without its kicker is still the headline
    assert extract(page(lang, title=c.site, headline=h1)).title == c.headline


@ALL
def test_title_is_the_h1_when_metadata_adds_a_topic_before_it(lang: str) -> None:
    """og:title and <title> say "Topic: Headline", the page shows only "Headline" in its <h1>."""
    c = LANGS[lang]
    head = f'<meta property="og:title" content="{TOPIC[lang]}: {c.headline}">'
    html = page(lang, title=f"{TOPIC[lang]}: {c.headline} - {c.site}", head=head)
    html = html.replace(f'<meta property="og:site_name" content="{c.site}">', "")
    assert extract(html).title == c.headline


@ALL
def test_title_from_an_h1_that_repeats_the_page_title_loses_the_site_name(lang: str) -> None:
    """A visually hidden <h1> holds the whole <title> "Headline | Site"."""
    c = LANGS[lang]
    html = page(lang, headline=f"{c.headline} | {c.site}")
    assert extract(html).title == c.headline


def test_title_keeps_a_dash_inside_an_h1_when_no_part_is_the_site() -> None:
    headline = "Moscow - Kyiv talks to resume in Geneva next week"
    assert extract(page("en", title=f"{headline} | Courier", headline=headline)).title == headline
