"""The language rule: the text's language, not the page's lang attribute.

One small invented page per rule, built by tests/extract/pages.py."""

from __future__ import annotations

import pytest

from tests.extract.pages import (
    extract,
    page,
)


@pytest.mark.parametrize(
    "lang, wrong", [("ar", "en"), ("ru", "en"), ("en", "ru"), ("ar", "ru"), ("en", "ar")]
)
def test_language_from_the_text_not_html_lang(lang: str, wrong: str) -> None:
    assert extract(page(lang, html_lang=wrong)).language == lang


UK_PARAS = (
    "Міська рада у вівторок увечері проголосувала за фінансування нової трамвайної лінії, яка "
    "з'єднає порт із північними районами міста.",
    "За рішення проголосували тридцять один депутат, проти були вісім, а обговорення тривало "
    "майже чотири години: найбільше суперечок викликала вартість нового депо.",
    "Будівництво першої ділянки має розпочатися наступного літа, після того як регіональна влада "
    "оприлюднить остаточну екологічну експертизу.",
)
FA_PARAS = (
    "شورای شهر روز سه‌شنبه به تأمین بودجه یک خط تراموای جدید رأی داد که بندر را به محله‌های "
    "شمالی شهر وصل می‌کند.",
    "سی و یک عضو به این طرح رأی مثبت دادند و هشت نفر مخالف بودند و بحث درباره هزینه انبار جدید "
    "نزدیک به چهار ساعت طول کشید.",
    "ساخت بخش نخست قرار است تابستان آینده آغاز شود، پس از آنکه مقام‌های منطقه‌ای بررسی نهایی "
    "زیست‌محیطی را منتشر کنند.",
)


@pytest.mark.parametrize("html_lang", ["ru", "uk"])
def test_language_ukrainian_is_not_russian(html_lang: str) -> None:
    body = "".join(f"<p>{p}</p>" for p in UK_PARAS)
    html = page("ru", html_lang=html_lang, body=body, lead="", headline="Нова трамвайна лінія для міста")
    assert extract(html).language == "uk"


def test_language_russian_is_not_ukrainian() -> None:
    assert extract(page("ru", html_lang="uk")).language == "ru"


@pytest.mark.parametrize("html_lang", ["ar", "fa"])
def test_language_persian_is_not_arabic(html_lang: str) -> None:
    body = "".join(f"<p>{p}</p>" for p in FA_PARAS)
    html = page("ar", html_lang=html_lang, body=body, lead="", headline="خط تراموای تازه برای شهر")
    assert extract(html).language == "fa"


def test_language_arabic_is_not_persian() -> None:
    assert extract(page("ar", html_lang="fa")).language == "ar"
