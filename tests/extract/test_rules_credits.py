"""The credit rules: photo credit, source and agency, authors.

One small invented page per rule, built by tests/extract/pages.py."""

from __future__ import annotations

import pytest

from tests.extract.pages import (
    ALL,
    EN,
    LANGS,
    NAME,
    PHOTO_LINE,
    PHOTOGRAPHER,
    body_html,
    extract,
    figure,
    ld,
    page,
)


@pytest.mark.parametrize(
    "lang, line, expected",
    [
        ("ru", "Фото: Иван Сергеев", "Иван Сергеев"),
        ("ru", "Фото: пресс-служба мэрии", "пресс-служба мэрии"),
        ("ru", "Снимка: Пресцентър на общината", "Пресцентър на общината"),
        ("ar", "الصورة: أرشيف الصحيفة", "أرشيف الصحيفة"),
        ("ar", "صورة: مكتب الإعلام", "مكتب الإعلام"),
        ("ar", "تصوير: أحمد سالم", "أحمد سالم"),
        ("en", "Photo: Lena Fox", "Lena Fox"),
        ("en", "Image: City Council", "City Council"),
        ("en", "Photo credit - Lena Fox", "Lena Fox"),
    ],
)
def test_credit_from_a_labelled_caption(lang: str, line: str, expected: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, figure=figure(c.caption, line)))
    assert article.photo_credit == expected
    assert expected not in article.text
    assert c.caption not in article.text


@pytest.mark.parametrize(
    "lang, line, expected",
    [
        ("en", "© Lena Fox / Harbour Pictures", "Lena Fox / Harbour Pictures"),
        ("ru", "© Иван Сергеев / РИА Новости", "Иван Сергеев / РИА Новости"),
        ("ar", "© أحمد سالم / رويترز", "أحمد سالم / رويترز"),
    ],
)
def test_credit_from_a_copyright_element(lang: str, line: str, expected: str) -> None:
    article = extract(page(lang, figure=figure(LANGS[lang].caption, line, credit_class="copyright")))
    assert article.photo_credit == expected


@pytest.mark.parametrize(
    "lang, line, expected",
    [
        ("ru", "Фото: Иван Сергеев / ТАСС", "Иван Сергеев / ТАСС"),
        ("ar", "الصورة: أحمد سالم / رويترز", "أحمد سالم / رويترز"),
        ("en", "Photo: Lena Fox / Reuters", "Lena Fox / Reuters"),
    ],
)
def test_a_photo_agency_is_not_the_article_source(lang: str, line: str, expected: str) -> None:
    article = extract(page(lang, figure=figure(LANGS[lang].caption, line)))
    assert article.photo_credit == expected
    assert (article.source, article.agency) == (None, None)


@ALL
def test_credit_from_a_credit_element_without_label(lang: str) -> None:
    fig = figure(LANGS[lang].caption, PHOTOGRAPHER[lang], credit_class="photo-credit")
    assert extract(page(lang, figure=fig)).photo_credit == PHOTOGRAPHER[lang]


@ALL
def test_credit_after_the_description_in_one_caption(lang: str) -> None:
    c = LANGS[lang]
    fig = f'<figure><img src="/p.jpg"><figcaption>{c.caption}. {PHOTO_LINE[lang]}</figcaption></figure>'
    assert extract(page(lang, figure=fig)).photo_credit == PHOTOGRAPHER[lang]


@ALL
def test_caption_without_credit_is_no_credit(lang: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, figure=figure(c.caption)))
    assert article.photo_credit is None
    assert c.caption not in article.text


@ALL
def test_credit_from_author_inside_a_microdata_image_object(lang: str) -> None:
    c = LANGS[lang]
    fig = (
        '<figure itemprop="image" itemscope itemtype="https://schema.org/ImageObject">'
        f'<img src="/p.jpg"><figcaption>{c.caption}</figcaption>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        f'<span itemprop="name">{PHOTOGRAPHER[lang]}</span></span></figure>'
    )
    article = extract(page(lang, figure=fig))
    assert article.photo_credit == PHOTOGRAPHER[lang]
    assert article.authors == []  # the photographer is not an author


@pytest.mark.parametrize("key", ["creditText", "copyrightHolder"])
@ALL
def test_credit_from_a_json_ld_image(lang: str, key: str) -> None:
    name = PHOTOGRAPHER[lang]
    value = name if key == "creditText" else {"@type": "Person", "name": name}
    head = ld(
        {
            "@type": "NewsArticle",
            "headline": LANGS[lang].headline,
            "image": {"@type": "ImageObject", "url": "https://example.org/p.jpg", key: value},
        }
    )
    assert extract(page(lang, head=head)).photo_credit == name


@ALL
def test_credit_label_removed_from_a_json_ld_credit_text(lang: str) -> None:
    image = {"@type": "ImageObject", "url": "https://e.org/p.jpg", "creditText": PHOTO_LINE[lang]}
    head = ld({"@type": "NewsArticle", "image": image})
    assert extract(page(lang, head=head)).photo_credit == PHOTOGRAPHER[lang]


# --- source and agency --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, line, source, agency",
    [
        ("ru", "Источник: ТАСС", "ТАСС", "TASS"),
        ("ru", "Источник: РИА Новости", "РИА Новости", "RIA Novosti"),
        ("ru", "Источник: Рейтер", "Рейтер", "Reuters"),
        ("ru", "Источник: УНН", "УНН", "UNN"),
        ("ru", "Источник: Казинформ", "Казинформ", "Kazinform"),
        ("ar", "المصدر: تاس", "تاس", "TASS"),
        ("ar", "المصدر: رويترز", "رويترز", "Reuters"),
        ("ar", "المصدر: واس", "واس", "SPA"),
        ("ar", "المصدر: بترا", "بترا", "Petra"),
        ("ar", "المصدر: الأناضول", "الأناضول", "Anadolu"),
        ("ar", "المصدر: وكالة الأنباء السعودية (واس)", "وكالة الأنباء السعودية (واس)", "SPA"),
        ("en", "Source: TASS", "TASS", "TASS"),
        ("en", "Source: Reuters", "Reuters", "Reuters"),
        ("en", "Source: Anadolu Agency", "Anadolu Agency", "Anadolu"),
        ("en", "Source: Kazinform", "Kazinform", "Kazinform"),
    ],
)
def test_source_from_a_labelled_line(lang: str, line: str, source: str, agency: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, body=body_html(c, extra_bottom=f"<p>{line}</p>")))
    assert (article.source, article.agency) == (source, agency)
    assert line not in article.text
    assert article.text.endswith(c.paras[2])


@pytest.mark.parametrize(
    "lang, line, source, agency",
    [
        ("en", "<strong>Source:</strong> Reuters", "Reuters", "Reuters"),
        ("ru", '<b>Источник:</b> <a href="https://tass.ru/x">ТАСС</a>', "ТАСС", "TASS"),
        ("ar", "<span>المصدر:</span> واس", "واس", "SPA"),
    ],
)
def test_source_label_and_value_in_separate_elements(lang: str, line: str, source: str, agency: str) -> None:
    c = LANGS[lang]
    article = extract(page(lang, body=body_html(c, extra_bottom=f"<p>{line}</p>")))
    assert (article.source, article.agency) == (source, agency)
    assert article.text.endswith(c.paras[2])


@pytest.mark.parametrize(
    "lang, dateline, source, agency",
    [
        ("ru", "МОСКВА, 18 ноября. /ТАСС/.", "ТАСС", "TASS"),
        ("ru", "КИЕВ, 18 ноября /УНН/.", "УНН", "UNN"),
        ("ru", "МОСКВА, 18 ноя — РИА Новости.", "РИА Новости", "RIA Novosti"),
        ("en", "MOSCOW (Sputnik) -", "Sputnik", "Sputnik"),
        ("en", "(CNN) --", "CNN", "CNN"),
        ("en", "ANKARA (AA) –", "AA", "Anadolu"),
        ("en", "LONDON (Reuters) -", "Reuters", "Reuters"),
        ("en", "ASTANA. KAZINFORM -", "KAZINFORM", "Kazinform"),
        ("ar", "الرياض - واس", "واس", "SPA"),
        ("ar", "موسكو - تاس", "تاس", "TASS"),
        ("ar", "عمان 18 تشرين الثاني (بترا) -", "بترا", "Petra"),
        ("ar", "عمان 18 تشرين الثاني --(بترا)-", "بترا", "Petra"),
        ("ar", "أنقرة (الأناضول) -", "الأناضول", "Anadolu"),
    ],
)
def test_source_from_a_dateline(lang: str, dateline: str, source: str, agency: str) -> None:
    c = LANGS[lang]
    body = f"<p>{dateline} {c.paras[0]}</p><p>{c.paras[1]}</p><p>{c.paras[2]}</p>"
    article = extract(page(lang, lead="", body=body))
    assert (article.source, article.agency) == (source, agency)
    assert c.paras[0] in article.text  # the dateline opens the text, it is not removed with it


@pytest.mark.parametrize(
    "lang, dateline, source, agency",
    [
        ("ar", "الرياض - واس", "واس", "SPA"),
        ("ar", "موسكو - تاس", "تاس", "TASS"),
        ("ru", "МОСКВА, 18 ноября. /ТАСС/.", "ТАСС", "TASS"),
        ("en", "LONDON (Reuters) -", "Reuters", "Reuters"),
        ("en", "New York CNN —", "CNN", "CNN"),
        ("en", "CNN —", "CNN", "CNN"),
    ],
)
def test_source_from_a_dateline_on_its_own_line(lang: str, dateline: str, source: str, agency: str) -> None:
    c = LANGS[lang]
    body = f"<p>{dateline}</p><p>{c.paras[0]}</p><p>{c.paras[1]}</p><p>{c.paras[2]}</p>"
    article = extract(page(lang, lead="", body=body))
    assert (article.source, article.agency) == (source, agency)
    assert article.text.startswith(c.paras[0])  # a line that is only the dateline goes to the field


def test_agency_is_canonical_across_scripts() -> None:
    lines = {"ru": "Источник: ТАСС", "ar": "المصدر: تاس", "en": "Source: ITAR-TASS"}
    agencies = {
        lang: extract(page(lang, body=body_html(LANGS[lang], extra_bottom=f"<p>{line}</p>"))).agency
        for lang, line in lines.items()
    }
    assert agencies == {"ru": "TASS", "ar": "TASS", "en": "TASS"}


@ALL
def test_no_source_without_a_credit(lang: str) -> None:
    article = extract(page(lang))
    assert (article.source, article.agency) == (None, None)


# --- authors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, line, names",
    [
        ("ru", "Авторы: Иван Петров, Анна Смирнова", ["Иван Петров", "Анна Смирнова"]),
        ("ru", "Автор: Иван Петров", ["Иван Петров"]),
        ("en", "By Martha Quinn and John Reed", ["Martha Quinn", "John Reed"]),
        ("en", "By Martha Quinn", ["Martha Quinn"]),
        ("ar", "كتب: أحمد سالم", ["أحمد سالم"]),
        ("ar", "بقلم: ليلى حسن", ["ليلى حسن"]),
    ],
)
def test_authors_from_a_byline_element(lang: str, line: str, names: list[str]) -> None:
    article = extract(page(lang, meta=f'<div class="byline">{line}</div>'))
    assert article.authors == names
    assert line not in article.text


@pytest.mark.parametrize(
    "lang, line, names",
    [
        ("ru", "Авторы: Иван Петров, Анна Смирнова", ["Иван Петров", "Анна Смирнова"]),
        ("ru", "Авторы: Иван Петров и Анна Смирнова", ["Иван Петров", "Анна Смирнова"]),
        ("en", "By Martha Quinn", ["Martha Quinn"]),
        ("en", "By Martha Quinn, Staff Reporter", ["Martha Quinn"]),
        ("ar", "كتب: أحمد سالم", ["أحمد سالم"]),
        ("ar", "كتب: أحمد سالم ووائل حسن", ["أحمد سالم", "وائل حسن"]),
        ("ar", "كتب: وليد خالد", ["وليد خالد"]),
    ],
)
def test_authors_from_a_byline_paragraph(lang: str, line: str, names: list[str]) -> None:
    c = LANGS[lang]
    article = extract(page(lang, body=body_html(c, extra_top=f"<p>{line}</p>")))
    assert article.authors == names
    assert line not in article.text
    assert article.text.startswith(c.lead)


@ALL
def test_authors_from_json_ld_and_meta(lang: str) -> None:
    name = NAME[lang]
    head = ld({"@type": "NewsArticle", "author": [{"@type": "Person", "name": name}]})
    assert extract(page(lang, head=head)).authors == [name]
    assert extract(page(lang, head=f'<meta name="author" content="{name}">')).authors == [name]


def test_author_label_removed_from_meta() -> None:
    assert extract(page("en", head='<meta name="author" content="By Martha Quinn">')).authors == [
        "Martha Quinn"
    ]


def test_author_organisation_named_like_the_site_is_no_author() -> None:
    head = ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": EN.site}})
    assert extract(page("en", head=head)).authors == []


@ALL
def test_a_photo_credit_is_not_an_author(lang: str) -> None:
    c = LANGS[lang]
    fig = figure(c.caption, PHOTO_LINE[lang], credit_class="photo-credit")
    article = extract(page(lang, figure=fig, meta=f'<span class="byline">{NAME[lang]}</span>'))
    assert article.authors == [NAME[lang]]
    assert article.photo_credit == PHOTOGRAPHER[lang]


@ALL
def test_a_photo_credit_alone_gives_no_author(lang: str) -> None:
    fig = figure(LANGS[lang].caption, PHOTO_LINE[lang], credit_class="photo-credit")
    article = extract(page(lang, figure=fig))
    assert article.authors == []
    assert article.photo_credit == PHOTOGRAPHER[lang]
