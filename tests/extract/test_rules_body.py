"""The body rules: what an article keeps and what page furniture it drops.

One small invented page per rule, built by tests/extract/pages.py."""

from __future__ import annotations

import pytest

from tests.extract.pages import (
    ALL,
    BYLINE,
    LANGS,
    NAME,
    PHOTO_LINE,
    PHOTOGRAPHER,
    Lang,
    body_html,
    extract,
    page,
)


@ALL
def test_body_keeps_the_whole_article(lang: str) -> None:
    c = LANGS[lang]
    text = extract(page(lang)).text
    assert text.startswith(c.lead)
    for part in (*c.paras, c.subhead, *c.items, c.quote):
        assert part in text
    for first, second in c.table:  # a table of text: one line per row
        assert f"{first} | {second}" in text
    assert text.endswith(c.paras[2])
    order = [c.lead, c.paras[0], c.subhead, c.paras[1], c.items[0], c.items[2], c.quote, c.table[0][0]]
    positions = [text.index(p) for p in order]
    assert positions == sorted(positions)
    assert f"\n\n{c.subhead}\n\n" in text  # the sub-heading is its own paragraph


@ALL
def test_body_drops_page_furniture(lang: str) -> None:
    c = LANGS[lang]
    text = extract(page(lang)).text
    furniture = (c.site, c.nav[1], c.nav[4], c.today, c.cookie, c.share, *c.related, c.newsletter)
    for snippet in (*furniture, c.comment, c.footer, "All rights reserved", c.headline):
        assert snippet not in text


@ALL
def test_body_drops_byline_caption_credit_and_source_lines(lang: str) -> None:
    """They are not text; the byline, credit and source go to their own fields."""
    c = LANGS[lang]
    source_ln = {"en": "Source: Reuters", "ru": "Источник: Рейтер", "ar": "المصدر: رويترز"}[lang]
    fig = f'<figure><img src="/t.jpg"><figcaption>{c.caption}</figcaption></figure>'
    html = page(
        lang,
        meta=f'<div class="author-line">{BYLINE[lang]}</div>',
        figure=fig,
        body=body_html(c, extra_bottom=f"<p>{PHOTO_LINE[lang]}</p><p>{source_ln}</p>"),
    )
    article = extract(html)
    for line in (BYLINE[lang], NAME[lang], c.caption, PHOTO_LINE[lang], source_ln):
        assert line not in article.text
    assert article.text.startswith(c.lead)
    assert article.text.endswith(c.paras[2])
    assert article.authors == [NAME[lang]]
    assert article.photo_credit == PHOTOGRAPHER[lang]
    assert article.source == source_ln.split(": ", 1)[1]
    assert article.agency == "Reuters"


@ALL
def test_body_keeps_a_standfirst_in_the_article_header(lang: str) -> None:
    c = LANGS[lang]
    html = page(lang, lead="").replace(
        f'<h1 class="headline">{c.headline}</h1>',
        f'<header class="article-header"><h1 class="headline">{c.headline}</h1>'
        f'<p class="standfirst">{c.lead}</p></header>',
    )
    text = extract(html).text
    assert text.startswith(c.lead)
    assert c.paras[0] in text
    assert c.headline not in text


@ALL
def test_body_drops_a_related_block_inside_the_article(lang: str) -> None:
    c = LANGS[lang]
    also = {"en": "Read also", "ru": "Читайте также", "ar": "اقرأ أيضا"}[lang]
    block = (
        f'<div class="see-also"><b>{also}</b><ul><li><a href="/n/1">{c.related[0]}</a></li>'
        f'<li><a href="/n/2">{c.related[1]}</a></li></ul></div>'
    )
    article = extract(page(lang, body=body_html(c, extra_top=block)))
    assert also not in article.text
    assert c.related[0] not in article.text
    assert c.paras[0] in article.text


BIO = {
    "en": "Martha Quinn has covered city transport for the Courier since 2009 and writes about trams.",
    "ru": "Марфа Квинн пишет о городском транспорте для «Северного вестника» с 2009 года и любит трамваи.",
    "ar": "تكتب مارثا كوين عن النقل في المدينة لصحيفة الميناء منذ عام 2009 وتتابع مشاريع الترام.",
}


@ALL
def test_body_drops_an_author_profile_box(lang: str) -> None:
    """WordPress prints "author-<name>" taxonomy classes, but "author-profile" names a box."""
    c = LANGS[lang]
    for box in (
        f'<div class="author-profile"><div class="author-description"><p>{BIO[lang]}</p></div></div>',
        f'<section class="post-author clearfix"><p><em>{BIO[lang]}</em></p></section>',
    ):
        article = extract(page(lang, body=body_html(c, extra_bottom=box)))
        assert BIO[lang] not in article.text
        assert article.text.endswith(c.paras[2])


@ALL
def test_body_drops_teaser_cards_whose_link_wraps_the_blocks(lang: str) -> None:
    """<a><div><strong>headline</strong></div></a> cards are links, though no <a> sits
    between their text and their block."""
    c = LANGS[lang]
    cards = "".join(
        f'<li><article><a href="/n/{i}"><div class="txt"><strong>{r}</strong></div></a></article></li>'
        for i, r in enumerate(c.related)
    )
    box = f'<section class="most-news-zone"><ul>{cards}</ul></section>'
    article = extract(page(lang, body=body_html(c, extra_bottom=box)))
    assert all(r not in article.text for r in c.related)
    assert c.paras[2] in article.text


@ALL
def test_body_of_a_short_article_is_not_its_longer_comment_thread(lang: str) -> None:
    c = LANGS[lang]
    comments = "".join(f'<li class="entry"><p>{p} {c.comment}</p></li>' for p in c.paras * 2)
    short = f"<p>{c.paras[0]}</p>"
    html = page(lang, body=short).replace(
        '<section class="comments">',
        f'<div id="comments"><ul>{comments}</ul></div><section class="comments">',
    )
    article = extract(html)
    assert c.paras[0] in article.text
    assert c.comment not in article.text


@ALL
def test_body_drops_a_slideshow_a_support_box_and_a_flyout(lang: str) -> None:
    c = LANGS[lang]
    slides = "".join(f'<div class="slide"><strong>{c.related[0]}</strong></div>' for _ in range(5))
    extra = f'<div class="story_html_slideshow">{slides}</div>'
    support = f'<div class="support-box"><p>{c.newsletter}</p></div>'
    flyout = f'<div class="c-flyout__content"><p>{c.cookie}</p></div>'
    article = extract(page(lang, body=body_html(c, extra_top=extra, extra_bottom=support + flyout)))
    assert c.related[0] not in article.text
    assert c.newsletter not in article.text
    assert c.cookie not in article.text
    assert c.paras[0] in article.text


def test_body_drops_a_dangling_call_to_action_at_the_end() -> None:
    c = LANGS["en"]
    article = extract(page("en", body=body_html(c, extra_bottom="<p>See more photos:</p>")))
    assert article.text.endswith(c.paras[2])
    middle = body_html(c).replace(f"<h2>{c.subhead}</h2>", "<p>The plan has three parts:</p>")
    assert "The plan has three parts:" in extract(page("en", body=middle)).text


@ALL
def test_body_inside_an_unclosed_heading_is_kept(lang: str) -> None:
    """<h2>…</h3>: the heading is never closed and swallows the text after it."""
    c = LANGS[lang]
    body = f'<h2 class="excerpt">{c.subhead}</h3>' + "".join(f"<div><p>{p}</p></div>" for p in c.paras)
    article = extract(page(lang, body=body))
    assert all(p in article.text for p in (c.lead, *c.paras))


@ALL
def test_body_keeps_the_short_rows_and_items_of_a_table_or_list_it_keeps(lang: str) -> None:
    """A table or list is one unit: its short rows stay with its long ones, even when a
    link list precedes it."""
    c = LANGS[lang]
    long_row = (c.table[0][0], c.paras[0])
    rows = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in (*c.table, long_row))
    links = "".join(f'<p><a href="/n/{i}">{n}</a></p>' for i, n in enumerate(c.nav))
    items = "".join(f"<li>{i}</li>" for i in c.items) + f"<li>{c.paras[1]}</li>"
    body = f"{links}<table>{rows}</table><ul>{items}</ul>"
    text = extract(page(lang, body=body, lead="")).text
    assert all(f"{a} | {b}" in text for a, b in c.table)
    assert all(i in text for i in c.items)
    assert c.nav[1] not in text


RELATED_HEADING = {"en": "You may also like", "ru": "Читайте также", "ar": "اقرأ أيضاً"}
MORE_HEADINGS = ("Next article", "Vorschau auf den nächsten Artikel", "Weitere Tourentipps in Schweden")


@ALL
def test_body_ends_at_a_related_articles_heading(lang: str) -> None:
    """Teasers after "Read also" are other articles, even when they are long paragraphs."""
    c = LANGS[lang]
    teaser = f"<h3>{RELATED_HEADING[lang]}</h3><p>{c.related[0]}: {c.paras[1]}</p><p>{c.related[1]}</p>"
    article = extract(page(lang, body=body_html(c, extra_bottom=teaser)))
    assert article.text.endswith(c.paras[2])
    assert c.related[0] not in article.text


@pytest.mark.parametrize("heading", MORE_HEADINGS)
def test_body_ends_at_a_next_article_or_more_tips_heading(heading: str) -> None:
    c = LANGS["en"]
    teaser = f"<h3>{heading}</h3><p>{c.related[0]}: {c.paras[1]}</p>"
    assert extract(page("en", body=body_html(c, extra_bottom=teaser))).text.endswith(c.paras[2])


def test_body_keeps_a_related_sounding_heading_before_most_of_the_text() -> None:
    c = LANGS["ru"]
    body = body_html(c, extra_top=f"<h3>{RELATED_HEADING['ru']}</h3>")
    assert c.paras[2] in extract(page("ru", body=body)).text


def test_body_keeps_a_closing_paragraph_in_a_script_without_spaces() -> None:
    """A Japanese closing paragraph has few spaces, but it is a paragraph, not a short label."""
    c = LANGS["en"]
    closing = (
        "政府は劣勢にあると繰り返し主張しているが、専門家は攻撃を行う能力を維持していると指摘している。"
        "(c)AFP/Aminu ABUBAKAR"
    )
    article = extract(page("en", body=body_html(c, extra_bottom=f"<p>{closing}</p>")))
    assert article.text.endswith(closing)


@ALL
def test_body_keeps_a_lead_classed_teaser_without_links(lang: str) -> None:
    """CMSs class the article's own lead "news-teaser"; teasers of other articles link."""
    c = LANGS[lang]
    lead = f'<div class="news--teaser"><p>{c.lead}</p></div>'
    others = f'<div class="teaser"><a href="/n/1">{c.related[0]}</a><p>{c.paras[0]}</p></div>'
    article = extract(page(lang, lead="", body=body_html(c, extra_top=lead), after_article=others))
    assert article.text.startswith(c.lead)
    assert c.related[0] not in article.text


@ALL
def test_body_keeps_a_lead_styled_as_a_long_heading(lang: str) -> None:
    c = LANGS[lang]
    long_lead = f"{c.lead} {c.paras[0]}"
    article = extract(page(lang, lead="", body=f"<h2>{long_lead}</h2>" + body_html(c)))
    assert long_lead in article.text


def test_body_drops_a_german_picture_caption_class() -> None:
    c = LANGS["en"]
    caption = f'<h5 class="bilduntertitel">{c.caption}, seen from the old harbour wall at dusk.</h5>'
    article = extract(page("en", body=body_html(c, extra_top=caption)))
    assert c.caption not in article.text


@ALL
def test_body_drops_all_of_a_nested_aside(lang: str) -> None:
    """An <aside> holding another <aside>: what follows the inner one is still the outer's."""
    c = LANGS[lang]
    aside = f'<aside class="rail"><aside class="social">{c.share}</aside><p>{c.newsletter}</p></aside>'
    article = extract(page(lang, body=body_html(c, extra_bottom=aside)))
    assert c.newsletter not in article.text
    assert article.text.endswith(c.paras[2])


def test_body_survives_an_element_that_is_never_closed() -> None:
    c = LANGS["en"]
    article = extract(page("en", body=body_html(c, extra_top='<button class="play">Listen')))
    assert c.paras[0] in article.text
    hostile = "<nav>" * 3000 + "<p>filler text</p>" * 20_000  # each unclosed <nav> costs a rescan
    assert extract(page("en", body=body_html(c, extra_top=hostile))).title == c.headline


@ALL
def test_body_drops_a_table_of_contents(lang: str) -> None:
    c = LANGS[lang]
    toc = (
        f'<div id="ez-toc-container"><p class="ez-toc-title">{c.nav[0]}</p>'
        f'<ul><li><span data-target="s1">{c.subhead}</span></li><li>{c.nav[1]}</li></ul></div>'
    )  # script-driven entries: no links to mark them
    article = extract(page(lang, body=body_html(c, extra_top=toc)))
    assert c.nav[0] not in article.text and c.nav[1] not in article.text
    assert article.text.count(c.subhead) == 1


def test_body_of_an_amp_page_drops_its_push_and_consent_widgets() -> None:
    c = LANGS["en"]
    widgets = (
        f'<amp-web-push-widget visibility="unsubscribed"><h3>{c.newsletter}</h3></amp-web-push-widget>'
        f"<amp-consent><p>{c.cookie}</p></amp-consent>"
    )
    article = extract(page("en", body=body_html(c, extra_bottom=widgets)))
    assert c.newsletter not in article.text and c.cookie not in article.text
    assert article.text.endswith(c.paras[2])


FIGURE_LINE = {
    "en": "Figure 2: the planned route along the harbour road",
    "ru": "Рис. 2. Планируемый маршрут вдоль портовой дороги",
    "ar": "الشكل 2: المسار المخطط على طول طريق الميناء",
}


@ALL
def test_body_drops_a_numbered_figure_caption_outside_its_figure(lang: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, body=body_html(c).replace("<h2>", f"<p>{FIGURE_LINE[lang]}</p><h2>", 1)))
    assert FIGURE_LINE[lang] not in article.text
    assert c.subhead in article.text


def test_body_keeps_a_sentence_that_starts_like_a_caption_word() -> None:
    c = LANGS["en"]
    line = "Figure skaters will use the new tram line to reach the rink in the northern districts."
    assert line in extract(page("en", body=body_html(c, extra_top=f"<p>{line}</p>"))).text


BIO_LABEL = {"en": "About the author:", "ru": "Об авторе:", "ar": "عن الكاتب:"}


@ALL
def test_body_drops_a_labelled_author_biography_at_the_end(lang: str) -> None:
    c = LANGS[lang]
    bio = f"<blockquote><p>{BIO_LABEL[lang]} {BIO[lang]}</p></blockquote>"
    article = extract(page(lang, body=body_html(c, extra_bottom=bio)))
    assert BIO[lang] not in article.text
    assert article.text.endswith(c.paras[2])


@ALL
def test_body_drops_an_author_box_whose_label_name_and_bio_are_separate_lines(lang: str) -> None:
    """<div class="highlight"><div>About the author</div><h3>Name</h3><p>bio</p></div> at the end."""
    c = LANGS[lang]
    box = (
        f'<div class="highlight"><div class="header">{BIO_LABEL[lang].rstrip(":")}</div>'
        f"<h3>{NAME[lang]}</h3><p>{BIO[lang]}</p></div>"
    )
    article = extract(page(lang, body=body_html(c, extra_bottom=box)))
    assert BIO[lang] not in article.text
    assert article.text.endswith(c.paras[2])


@ALL
def test_body_keeps_a_section_header_inside_the_text(lang: str) -> None:
    """<header><h3>…</h3></header> opening a section (an accordion item) is a sub-heading; the
    page and article headers (logo, <h1>, byline) stay out."""
    c = LANGS[lang]
    body = body_html(c).replace(f"<h2>{c.subhead}</h2>", f"<section><header><h3>{c.subhead}</h3></header>", 1)
    article = extract(page(lang, body=body + "</section>"))
    assert c.subhead in article.text
    assert c.site not in article.text


INTRO_LINE = {
    "en": "The plan lists several reasons:",
    "ru": "В плане названо несколько причин:",
    "ar": "تذكر الخطة عدة أسباب:",
}


@ALL
def test_body_keeps_the_line_that_introduces_a_list(lang: str) -> None:
    """ "Reasons include:" after running text, before a list whose first item is a link."""
    c = LANGS[lang]
    items = f'<li><a href="/plan">{c.items[0]}</a></li>' + "".join(f"<li>{i}</li>" for i in c.items[1:])
    body = f"<p>{c.paras[0]}</p><p>{INTRO_LINE[lang]}</p><ul>{items}</ul><p>{c.paras[1]}</p>"
    assert INTRO_LINE[lang] in extract(page(lang, body=body)).text


TRAILERS = {
    "en": ("<p>© 2025 Harbour Courier. All rights reserved.</p>", "<p>Harbour Courier city desk</p>"),
    "ru": ("<p>© Северный вестник, 2025. Все права защищены.</p>", "<p>Северный вестник</p>"),
    "ar": ("<p>جميع الحقوق محفوظة © صحيفة الميناء 2025</p>", "<p>قسم المدينة في صحيفة الميناء</p>"),
}


@ALL
def test_body_drops_trailing_site_and_copyright_lines_inside_the_article(lang: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, body=body_html(c, extra_bottom="".join(TRAILERS[lang]))))
    assert article.text.endswith(c.paras[2])


CONSENT = {
    "en": "This video is hidden by your cookie settings. Accept cookies from the video platform to watch it",
    "ru": "Видео скрыто настройками cookie. Разрешите файлы cookie видеоплатформы, чтобы посмотреть его",
    "ar": "هذا الفيديو مخفي بسبب إعدادات ملفات تعريف الارتباط، اقبلها لمشاهدة الفيديو على المنصة",
}


@ALL
def test_body_drops_a_cookie_consent_notice_inside_the_article(lang: str) -> None:
    c = LANGS[lang]
    notice = f'<div class="cookie-consent-placeholder"><p>{CONSENT[lang]}</p><a href="#">OK</a></div>'
    body = body_html(c).replace(f"<h2>{c.subhead}</h2>", f"{notice}<h2>{c.subhead}</h2>")
    text = extract(page(lang, body=body)).text
    assert CONSENT[lang] not in text
    assert c.paras[0] in text and c.subhead in text and c.paras[1] in text


BLURBS = {
    "en": (
        "Here are ten facts about one of nature's most powerful forces, explained.",
        "Water jugs and batteries are not the only things to consider when storms threaten.",
        "Get a glimpse of the weather events happening around the world in our gallery.",
    ),
    "ru": (
        "Десять фактов об одной из самых мощных сил природы, которые стоит знать.",
        "Вода и батарейки — не единственное, о чём стоит подумать перед штормом.",
        "Посмотрите, какие погодные явления происходят по всему миру, в нашей галерее.",
    ),
    "ar": (
        "إليكم عشر حقائق عن واحدة من أقوى قوى الطبيعة التي يجب أن تعرفها.",
        "المياه والبطاريات ليست الأشياء الوحيدة التي يجب التفكير فيها قبل العاصفة.",
        "ألق نظرة على الظواهر الجوية التي تحدث حول العالم في معرض الصور لدينا.",
    ),
}


def teaser_cards(c: Lang, blurbs: tuple[str, ...], cls: str = "promo-box") -> str:
    """Cards of a neutral class: a linked headline, a date, an image link and a blurb."""
    return "".join(
        f'<div class="{cls}"><div><a href="/news/{i}">{c.related[i % 2]}</a></div>'
        f'<div class="stamp">{c.related_date}</div><a href="/news/{i}"><img src="/{i}.jpg"></a>'
        f"<div>{blurb}</div></div>"
        for i, blurb in enumerate(blurbs)
    )


@ALL
def test_body_drops_a_row_of_teaser_cards_with_blurbs(lang: str) -> None:
    """Three sibling cards (linked headline + blurb) inside the article column: the blurbs read
    like sentences, the repetition of link-first cards gives them away."""
    c = LANGS[lang]
    body = body_html(c, extra_bottom=f'<div class="col-right">{teaser_cards(c, BLURBS[lang])}</div>')
    text = extract(page(lang, body=body)).text
    assert not any(b in text for b in BLURBS[lang])
    assert c.paras[0] in text and text.endswith(c.paras[2])


@ALL
def test_body_keeps_sections_that_open_with_a_link_when_they_are_the_article(lang: str) -> None:
    """A list article: each section opens with a linked name and runs for paragraphs."""
    c = LANGS[lang]
    sections = "".join(
        f'<div class="entry"><h3><a href="/place/{i}">{c.items[i]}</a></h3><p>{c.paras[i]}</p>'
        f"<p>{c.paras[(i + 1) % 3]}</p></div>"
        for i in range(3)
    )
    text = extract(page(lang, body=sections)).text
    assert all(c.paras[i] in text for i in range(3))


@ALL
def test_body_keeps_paragraph_breaks_inside_inline_wrappers(lang: str) -> None:
    """The article's parts each wrapped in an inline <span class="body"> (block content inside
    an inline element): its paragraphs stay paragraphs instead of one run-on line."""
    c = LANGS[lang]
    p1, p2, p3 = c.paras
    body = (
        f'<span class="body"><div><p>{p1}</p><h2>{c.subhead}</h2><p>{p2}</p></div></span>'
        f'<span class="body"><div><p>{p3}</p></div></span>'
    )
    paragraphs = extract(page(lang, body=body)).text.split("\n\n")
    assert all(p in paragraphs for p in c.paras) and c.subhead in paragraphs


COMMENTS_HEADING = {"en": "12 Comments", "ru": "Комментарии", "ar": "التعليقات"}


@ALL
def test_body_ends_at_a_comments_heading_even_when_comments_outweigh_the_article(lang: str) -> None:
    """Readers' comments under a plain heading, in containers without any comment class."""
    c = LANGS[lang]
    thread = "".join(
        f"<div><h4>{n}</h4><p>{c.comment} {c.paras[i % 3]}</p></div>" for i, n in enumerate(c.nav)
    )
    body = body_html(c, extra_bottom=f"<h2>{COMMENTS_HEADING[lang]}</h2>{thread}")
    text = extract(page(lang, body=body)).text
    assert c.comment not in text and COMMENTS_HEADING[lang] not in text
    assert text.endswith(c.paras[2])
