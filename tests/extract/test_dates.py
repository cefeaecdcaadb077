"""Date recognition: every supported form, the language rules, relative dates and rejections.

Values are compared through ``isoformat()``: it tells a plain date ("2020-11-11") from a datetime
and shows the UTC offset the value carries ("2020-11-11T16:19:00+03:00").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from etl.extract.dates import MONTHS, FoundDate, find_dates, parse_date_value

NOW = datetime(2020, 11, 11, 13, 30, tzinfo=UTC)  # fetch time: 16:30 in Moscow
MSK = ZoneInfo("Europe/Moscow")


def values(text: str, language: str | None = None, tz=None, now: datetime = NOW) -> list[str]:
    return [f.value.isoformat() for f in find_dates(text, language=language, now=now, tz=tz)]


# --- absolute dates, one expected value each -------------------------------------------------

ARABIC = [
    # Egyptian/Gulf family, with spelling variants of hamza/alef and teh marbuta/heh.
    ("11 يناير 2020", "2020-01-11"),
    ("11 فبراير 2020", "2020-02-11"),
    ("11 مارس 2020", "2020-03-11"),
    ("11 أبريل 2020", "2020-04-11"),
    ("11 ابريل 2020", "2020-04-11"),
    ("11 إبريل 2020", "2020-04-11"),
    ("11 مايو 2020", "2020-05-11"),
    ("11 يونيو 2020", "2020-06-11"),
    ("11 يونيه 2020", "2020-06-11"),
    ("11 يوليو 2020", "2020-07-11"),
    ("11 يوليه 2020", "2020-07-11"),
    ("11 أغسطس 2020", "2020-08-11"),
    ("11 اغسطس 2020", "2020-08-11"),
    ("11 سبتمبر 2020", "2020-09-11"),
    ("11 أكتوبر 2020", "2020-10-11"),
    ("11 اكتوبر 2020", "2020-10-11"),
    ("11 نوفمبر 2020", "2020-11-11"),
    ("11 ديسمبر 2019", "2019-12-11"),
    # Levantine/Iraqi family.
    ("11 كانون الثاني 2020", "2020-01-11"),
    ("11 شباط 2020", "2020-02-11"),
    ("11 آذار 2020", "2020-03-11"),
    ("11 اذار 2020", "2020-03-11"),
    ("11 نيسان 2020", "2020-04-11"),
    ("11 أيار 2020", "2020-05-11"),
    ("11 حزيران 2020", "2020-06-11"),
    ("11 تموز 2020", "2020-07-11"),
    ("11 آب 2020", "2020-08-11"),
    ("11 أيلول 2020", "2020-09-11"),
    ("11 تشرين الأول 2020", "2020-10-11"),
    ("11 تشرين الاول 2020", "2020-10-11"),
    ("11 تشرين الثاني 2020", "2020-11-11"),
    ("11 كانون الأول 2019", "2019-12-11"),
    # Maghreb family.
    ("11 جانفي 2020", "2020-01-11"),
    ("11 فيفري 2020", "2020-02-11"),
    ("11 أفريل 2020", "2020-04-11"),
    ("11 ماي 2020", "2020-05-11"),
    ("11 جوان 2020", "2020-06-11"),
    ("11 جويلية 2020", "2020-07-11"),
    ("11 جويليه 2020", "2020-07-11"),
    ("11 أوت 2020", "2020-08-11"),
    ("11 فيفرى 2020", "2020-02-11"),  # final ى written for ي
    ("11 ماى 2020", "2020-05-11"),
    # Combined forms.
    ("11 نوفمبر/تشرين الثاني 2020", "2020-11-11"),
    ("11 تشرين الثاني/نوفمبر 2020", "2020-11-11"),
    ("11 تشرين الثاني / نوفمبر 2020", "2020-11-11"),
    ("11 نوفمبر (تشرين الثاني) 2020", "2020-11-11"),
    ("نوفمبر/تشرين الثاني 11, 2020", "2020-11-11"),
    # Digits, weekdays, times.
    ("١١ نوفمبر ٢٠٢٠", "2020-11-11"),
    ("۱۱ نوفمبر ۲۰۲۰", "2020-11-11"),
    ("الأربعاء 11 نوفمبر 2020", "2020-11-11"),
    ("الاربعاء، 11 نوفمبر 2020", "2020-11-11"),
    ("يوم الأربعاء 11 نوفمبر 2020", "2020-11-11"),
    ("11 نوفمبر 2020 04:30 م", "2020-11-11T16:30:00+00:00"),
    ("11 نوفمبر 2020 04:30 ص", "2020-11-11T04:30:00+00:00"),
    ("11 نوفمبر 2020 12:30 ص", "2020-11-11T00:30:00+00:00"),
    ("١١ نوفمبر ٢٠٢٠ ٠٤:٣٠ م", "2020-11-11T16:30:00+00:00"),
    ("11 نوفمبر 2020 - 4:30 مساءً", "2020-11-11T16:30:00+00:00"),
    ("11 نوفمبر 2020 10:30 صباحاً", "2020-11-11T10:30:00+00:00"),
    ("11 نوفمبر 2020 الساعة 16:30", "2020-11-11T16:30:00+00:00"),
    ("الأربعاء 11 نوفمبر 2020 - الساعة 4:30 مساء", "2020-11-11T16:30:00+00:00"),
    ("11 نوفمبر 2020 16:30 بتوقيت غرينتش", "2020-11-11T16:30:00+00:00"),
    ("11 نوفمبر 2020 16:30 بتوقيت مكة المكرمة", "2020-11-11T16:30:00+03:00"),
    ("11/11/2020", "2020-11-11"),
    ("10/11/2020", "2020-11-10"),
]

RUSSIAN = [
    ("11 ноября 2020", "2020-11-11"),
    ("11 ноябрь 2020", "2020-11-11"),
    ("1 января 2020", "2020-01-01"),
    ("11 ноября 2020 г.", "2020-11-11"),
    ("11 ноября 2020г.", "2020-11-11"),
    ("Среда, 11 ноября 2020", "2020-11-11"),
    ("11 нояб. 2020", "2020-11-11"),
    ("11 сент. 2020", "2020-09-11"),
    ("11 ноября 2020 года, 16:19", "2020-11-11T16:19:00+03:00"),
    ("11 ноября 2020 г. в 16:19", "2020-11-11T16:19:00+03:00"),
    ("11.11.2020 16:19", "2020-11-11T16:19:00+03:00"),
    ("11.11.2020, 16:19:05", "2020-11-11T16:19:05+03:00"),
    ("16:19, 11.11.2020", "2020-11-11T16:19:00+03:00"),
    ("11 ноября, 16:19", "2020-11-11T16:19:00+03:00"),  # no year, but a time: this year
    ("25 декабря, 16:19", "2019-12-25T16:19:00+03:00"),  # ...unless that day has not come yet
    ("Опубликовано: 11.11.2020", "2020-11-11"),
]

UKRAINIAN = [
    ("11 листопада 2020", "2020-11-11"),
    ("11 листопада 2020 року", "2020-11-11"),
    ("1 вересня 2020 р.", "2020-09-01"),
    ("Середа, 11 листопада 2020, 16:19", "2020-11-11T16:19:00+02:00"),
]

ENGLISH = [
    ("November 11, 2020", "2020-11-11"),
    ("Nov. 11, 2020", "2020-11-11"),
    ("Nov 11 2020", "2020-11-11"),
    ("November 11th, 2020", "2020-11-11"),
    ("11 November 2020", "2020-11-11"),
    ("11th November 2020", "2020-11-11"),
    ("the 1st of November 2020", "2020-11-01"),
    ("11-Nov-2020", "2020-11-11"),
    ("Wednesday, November 11, 2020", "2020-11-11"),
    ("Wed, Nov 11, 2020", "2020-11-11"),
    ("2020-11-11", "2020-11-11"),
    ("2020/11/11", "2020-11-11"),
    ("Nov. 11, 2020 4:30 PM EST", "2020-11-11T16:30:00-05:00"),
    ("November 11, 2020 at 4:30 p.m. EDT", "2020-11-11T16:30:00-04:00"),
    ("Nov 11, 2020 4:30am PST", "2020-11-11T04:30:00-08:00"),
    ("Nov 11, 2020 12:10 AM CST", "2020-11-11T00:10:00-06:00"),
    ("11 Nov 2020 09:15 BST", "2020-11-11T09:15:00+01:00"),
    ("11 Nov 2020 09:15 CET", "2020-11-11T09:15:00+01:00"),
    ("11 Nov 2020 09:15 CEST", "2020-11-11T09:15:00+02:00"),
    ("11 Nov 2020 09:15 GMT", "2020-11-11T09:15:00+00:00"),
    ("11 Nov 2020 09:15 UTC", "2020-11-11T09:15:00+00:00"),
    ("11 Nov 2020 09:15 MSK", "2020-11-11T09:15:00+03:00"),
    ("Updated 5:30 PM ET, Wed November 11, 2020", "2020-11-11T17:30:00-05:00"),
    ("Updated 5:30 PM ET, Sat July 11, 2020", "2020-07-11T17:30:00-04:00"),  # ET follows DST
    ("Sun 8 Nov 2020 21.30 GMT", "2020-11-08T21:30:00+00:00"),
    ("Published 10/11/2020 at 4:30 pm", "2020-10-11T16:30:00+00:00"),
    ("Nov 11, 2020 at 10:00 et cetera", "2020-11-11T10:00:00+00:00"),  # lower-case "et" is a word
]

OTHER_LANGUAGES = [
    ("de", "11. November 2020", "2020-11-11"),
    ("de", "11.11.2020", "2020-11-11"),
    ("de", "Mittwoch, 11. November 2020", "2020-11-11"),
    ("de", "11. März 2020", "2020-03-11"),
    ("de", "11. Maerz 2020", "2020-03-11"),
    ("de", "11.11.2020 um 16:19 Uhr", "2020-11-11T16:19:00+00:00"),
    ("fr", "11 novembre 2020", "2020-11-11"),
    ("fr", "le 1er novembre 2020", "2020-11-01"),
    ("fr", "11 févr. 2020", "2020-02-11"),
    ("fr", "11 fevrier 2020", "2020-02-11"),
    ("fr", "11 août 2020", "2020-08-11"),
    ("fr", "mercredi 11 novembre 2020 à 16h30", "2020-11-11T16:30:00+00:00"),
    ("es", "11 de noviembre de 2020", "2020-11-11"),
    ("es", "11 de noviembre del 2020", "2020-11-11"),
    ("es", "11 de noviembre de 2020 a las 16:19", "2020-11-11T16:19:00+00:00"),
    ("pt", "11 de novembro de 2020", "2020-11-11"),
    ("pt", "1º de março de 2020", "2020-03-01"),
    ("pt", "11 out 2020", "2020-10-11"),
    ("it", "11 novembre 2020", "2020-11-11"),
    ("it", "11 ottobre 2020 alle ore 16:19", "2020-10-11T16:19:00+00:00"),
    ("pl", "11 listopada 2020", "2020-11-11"),
    ("pl", "11 października 2020", "2020-10-11"),
    ("pl", "11 pazdziernika 2020 r., godz. 16:19", "2020-10-11T16:19:00+00:00"),
    ("nl", "11 november 2020", "2020-11-11"),
    ("nl", "11 mrt 2020", "2020-03-11"),
    ("nl", "11 maart 2020 om 16:19", "2020-03-11T16:19:00+00:00"),
    ("tr", "11 Kasım 2020", "2020-11-11"),
    ("tr", "11 KASIM 2020", "2020-11-11"),
    ("tr", "11 Ağustos 2020 Salı 16:19", "2020-08-11T16:19:00+00:00"),
    (None, "11 Şubat 2020", "2020-02-11"),
]


@pytest.mark.parametrize(("text", "expected"), ARABIC)
def test_arabic(text: str, expected: str) -> None:
    assert values(text, "ar") == [expected]


@pytest.mark.parametrize(("text", "expected"), RUSSIAN)
def test_russian(text: str, expected: str) -> None:
    assert values(text, "ru", tz=MSK) == [expected]


@pytest.mark.parametrize(("text", "expected"), UKRAINIAN)
def test_ukrainian(text: str, expected: str) -> None:
    assert values(text, "uk", tz=timezone(timedelta(hours=2))) == [expected]


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english(text: str, expected: str) -> None:
    assert values(text, "en") == [expected]


@pytest.mark.parametrize(("language", "text", "expected"), OTHER_LANGUAGES)
def test_other_languages(language: str | None, text: str, expected: str) -> None:
    assert values(text, language) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 ноября 2020", "2020-11-11"),
        ("11 نوفمبر 2020", "2020-11-11"),
        ("11 novembre 2020", "2020-11-11"),
        ("11 listopada 2020", "2020-11-11"),
        ("Nov 11, 2020", "2020-11-11"),
    ],
)
def test_without_language_hint_all_tables_apply(text: str, expected: str) -> None:
    assert values(text, None) == [expected]


@pytest.mark.parametrize("language", ["ar-EG", "AR", "ar_SA"])
def test_language_hint_with_region_or_case(language: str) -> None:
    assert values("11 تشرين الثاني 2020", language) == ["2020-11-11"]


# --- numeric order -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("10.11.2020", None, "2020-11-10"),
        ("10.11.2020", "en", "2020-11-10"),  # only slashes are month-first in English
        ("10-11-2020", "en", "2020-11-10"),
        ("10/11/2020", "en", "2020-10-11"),
        ("10/11/2020", "ru", "2020-11-10"),
        ("10/11/2020", None, "2020-11-10"),
        ("13/10/2020", "en", "2020-10-13"),  # first number > 12: day-first after all
        ("10/25/2020", "fr", "2020-10-25"),  # second number > 12: only one reading is a date
        ("2020-11-10", "en", "2020-11-10"),  # year-first is always Y-M-D
        ("2020/11/10", "en", "2020-11-10"),
        ("2020.11.10", "de", "2020-11-10"),
        ("10.11.20", "ru", "2020-11-10"),  # dd.mm.yy
        ("10/11/20", "de", "2020-11-10"),
        ("31.12.99", "ru", "1999-12-31"),
    ],
)
def test_numeric_order(text: str, language: str | None, expected: str) -> None:
    assert values(text, language) == [expected]


# --- relative dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("сегодня в 16:19", "ru", "2020-11-11T16:19:00+03:00"),
        ("Сегодня, 09:05", "ru", "2020-11-11T09:05:00+03:00"),
        ("вчера в 16:19", "ru", "2020-11-10T16:19:00+03:00"),
        ("Вчера, 16:19", "ru", "2020-11-10T16:19:00+03:00"),
        ("вчера", "ru", "2020-11-10"),
        ("позавчера", "ru", "2020-11-09"),
        ("5 минут назад", "ru", "2020-11-11T16:25:00+03:00"),
        ("2 часа назад", "ru", "2020-11-11T14:30:00+03:00"),
        ("час назад", "ru", "2020-11-11T15:30:00+03:00"),
        ("3 дня назад", "ru", "2020-11-08"),
        ("вчора о 16:19", "uk", "2020-11-10T16:19:00+03:00"),
        ("3 години тому", "uk", "2020-11-11T13:30:00+03:00"),
        ("3 hours ago", "en", "2020-11-11T13:30:00+03:00"),
        ("an hour ago", "en", "2020-11-11T15:30:00+03:00"),
        ("2 days ago", "en", "2020-11-09"),
        ("yesterday", "en", "2020-11-10"),
        ("today at 10:00", "en", "2020-11-11T10:00:00+03:00"),
        ("Yesterday at 4:30 PM", "en", "2020-11-10T16:30:00+03:00"),
        ("منذ 3 ساعات", "ar", "2020-11-11T13:30:00+03:00"),
        ("منذ ساعة", "ar", "2020-11-11T15:30:00+03:00"),
        ("منذ ساعتين", "ar", "2020-11-11T14:30:00+03:00"),
        ("منذ يومين", "ar", "2020-11-09"),
        ("منذ 5 أيام", "ar", "2020-11-06"),
        ("منذ أسبوع", "ar", "2020-11-04"),
        ("قبل 5 دقائق", "ar", "2020-11-11T16:25:00+03:00"),
        ("منذ ١٠ دقائق", "ar", "2020-11-11T16:20:00+03:00"),
        ("أمس", "ar", "2020-11-10"),
        ("أول أمس", "ar", "2020-11-09"),
        ("أمس الأول", "ar", "2020-11-09"),
        ("اليوم الساعة 16:30", "ar", "2020-11-11T16:30:00+03:00"),
        ("vor 3 Stunden", "de", "2020-11-11T13:30:00+03:00"),
        ("vor einer Stunde", "de", "2020-11-11T15:30:00+03:00"),
        ("gestern, 16:19 Uhr", "de", "2020-11-10T16:19:00+03:00"),
        ("il y a 3 heures", "fr", "2020-11-11T13:30:00+03:00"),
        ("hier à 16h19", "fr", "2020-11-10T16:19:00+03:00"),
        ("hace 3 horas", "es", "2020-11-11T13:30:00+03:00"),
        ("há 2 dias", "pt", "2020-11-09"),
        ("3 ore fa", "it", "2020-11-11T13:30:00+03:00"),
        ("3 godziny temu", "pl", "2020-11-11T13:30:00+03:00"),
        ("3 uur geleden", "nl", "2020-11-11T13:30:00+03:00"),
        ("3 saat önce", "tr", "2020-11-11T13:30:00+03:00"),
    ],
)
def test_relative(text: str, language: str, expected: str) -> None:
    found = find_dates(text, language=language, now=NOW, tz=MSK)
    assert [f.value.isoformat() for f in found] == [expected]
    assert found[0].relative


def test_relative_day_follows_site_time_zone() -> None:
    """At 23:30 UTC it is already tomorrow in Moscow: "вчера" there is today in UTC."""
    late = datetime(2020, 11, 11, 23, 30, tzinfo=UTC)
    assert values("вчера", "ru", tz=MSK, now=late) == ["2020-11-11"]
    assert values("вчера", "ru", tz=UTC, now=late) == ["2020-11-10"]


def test_relative_defaults_to_utc() -> None:
    assert values("3 hours ago", "en") == ["2020-11-11T10:30:00+00:00"]
    assert values("вчера в 16:19", "ru") == ["2020-11-10T16:19:00+00:00"]


def test_relative_with_explicit_zone_keeps_it() -> None:
    assert values("вчера в 16:19 МСК", "ru") == ["2020-11-10T16:19:00+03:00"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("сегодня", "ru"),  # "today" alone says nothing the fetch time does not
        ("today", "en"),
        ("اليوم", "ar"),
        ("hours ago", "en"),  # no count
        ("منذ ساعات", "ar"),
        ("hier", "de"),  # German "here", not French "yesterday"
        ("Klicken Sie hier", None),  # ... and without a hint it could be either
        ("11 out 2020", "en"),  # Portuguese abbreviation, not on an English page
        ("منذ 3 سنوات", "ar"),  # years are not a publication time
    ],
)
def test_relative_rejections(text: str, language: str | None) -> None:
    assert values(text, language, tz=MSK) == []


# --- explicit offsets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11.11.2020 16:19 GMT+3", "2020-11-11T16:19:00+03:00"),
        ("16:19 GMT+3, 11.11.2020", "2020-11-11T16:19:00+03:00"),
        ("11.11.2020 16:19 +03:00", "2020-11-11T16:19:00+03:00"),
        ("11.11.2020 16:19 +0300", "2020-11-11T16:19:00+03:00"),
        ("11.11.2020 16:19 (UTC+3)", "2020-11-11T16:19:00+03:00"),
        ("11.11.2020 16:19 (UTC+05:30)", "2020-11-11T16:19:00+05:30"),
        ("11.11.2020 16:19 GMT-4", "2020-11-11T16:19:00-04:00"),
        ("11 ноября 2020, 16:19 МСК", "2020-11-11T16:19:00+03:00"),
        ("11 ноября 2020, 16:19 (мск)", "2020-11-11T16:19:00+03:00"),
        ("11 ноября 2020 года в 16:19 по московскому времени", "2020-11-11T16:19:00+03:00"),
        ("11 Nov 2020 16:19 MSK", "2020-11-11T16:19:00+03:00"),
        ("2020-11-11T14:05:00+03:00", "2020-11-11T14:05:00+03:00"),
        ("2020-11-11T14:05:00Z", "2020-11-11T14:05:00+00:00"),
        ("2020-11-11T14:05:00.250-05:00", "2020-11-11T14:05:00.250000-05:00"),
        ("11.11.2020 16:19", "2020-11-11T16:19:00+00:00"),  # naive: the site's zone (default UTC)
    ],
)
def test_explicit_offsets_are_kept(text: str, expected: str) -> None:
    assert values(text) == [expected]


def test_naive_time_gets_site_zone() -> None:
    assert values("11.11.2020 16:19", tz=MSK) == ["2020-11-11T16:19:00+03:00"]
    assert values("11.11.2020 16:19 GMT", tz=MSK) == ["2020-11-11T16:19:00+00:00"]


@pytest.mark.parametrize(
    ("text", "expected_value", "expected_text"),
    [
        ("Posted: 11.11.2020 12:00-13:00", "2020-11-11T12:00:00+00:00", "11.11.2020 12:00"),
        ("11.11.2020 12.50 руб", "2020-11-11", "11.11.2020"),  # decimal, not a time
        ("11.11.2020 16:19 +03:17", "2020-11-11T16:19:00+00:00", "11.11.2020 16:19"),
    ],
)
def test_things_after_a_time_that_are_not_zones(text: str, expected_value: str, expected_text: str) -> None:
    [found] = find_dates(text, now=NOW)
    assert (found.value.isoformat(), found.text) == (expected_value, expected_text)


# --- text, offsets, order -------------------------------------------------------------------------


def test_found_date_records_text_and_position() -> None:
    text = "Опубликовано: 11 ноября 2020 года, 16:19 | Обновлено: вчера в 18:00"
    found = find_dates(text, language="ru", now=NOW, tz=MSK)
    assert found == [
        FoundDate(datetime(2020, 11, 11, 16, 19, tzinfo=MSK), "11 ноября 2020 года, 16:19", 14, False),
        FoundDate(datetime(2020, 11, 10, 18, 0, tzinfo=MSK), "вчера в 18:00", 54, True),
    ]
    for f in found:
        assert text[f.start : f.start + len(f.text)] == f.text


@pytest.mark.parametrize(
    ("text", "language", "expected_text", "expected_start"),
    [
        ("Updated 5:30 PM ET, Wed November 11, 2020", "en", "5:30 PM ET, Wed November 11, 2020", 8),
        ("le 1er novembre 2020", "fr", "1er novembre 2020", 3),
        ("\u200f11 نوفمبر 2020", "ar", "11 نوفمبر 2020", 1),  # bidi mark before the date
        ("القاهرة - الأربعاء، ١١ نوفمبر ٢٠٢٠", "ar", "الأربعاء، ١١ نوفمبر ٢٠٢٠", 10),
        ("İstanbul, 11 Kasım 2020", "tr", "11 Kasım 2020", 10),  # İ lower-cases to two characters
    ],
)
def test_text_is_as_written(text: str, language: str, expected_text: str, expected_start: int) -> None:
    [found] = find_dates(text, language=language, now=NOW)
    assert (found.text, found.start) == (expected_text, expected_start)


def test_dates_in_order_of_position() -> None:
    text = "from 11.11.2020 to 12.11.2020, first seen 3 hours ago, filed November 9, 2020"
    assert values(text, "en") == ["2020-11-11", "2020-11-12", "2020-11-11T10:30:00+00:00", "2020-11-09"]


def test_a_time_belongs_to_one_date_only() -> None:
    assert values("11.11.2020 16:19 12.11.2020") == ["2020-11-11T16:19:00+00:00", "2020-11-12"]


def test_hijri_date_next_to_gregorian() -> None:
    found = find_dates("الأربعاء 25 ربيع الأول 1442 هـ الموافق 11 نوفمبر 2020", language="ar", now=NOW)
    assert [(f.value, f.text) for f in found] == [(date(2020, 11, 11), "11 نوفمبر 2020")]


# --- rejections ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("2020", None),
        ("© 2020", None),
        ("© 2020 All rights reserved", "en"),
        ("Copyright 1999-2020", "en"),
        ("25 ربيع الأول 1442 هـ", "ar"),
        ("25/03/1442 هـ", "ar"),
        ("31 February 2020", "en"),
        ("31.02.2020", None),
        ("30 февраля 2020", "ru"),
        ("11 November 1989", "en"),
        ("11.11.1989", None),
        ("1970-01-01", None),
        ("11 November 20", "en"),  # two-digit years only in dd.mm.yy
        ("11-11-20", None),  # ... and not with dashes (phone numbers)
        ("1.2.20", None),  # ... and not with one-digit day or month (versions)
        ("version 1.2.2020b", None),
        ("ip 192.168.10.11", None),
        ("COVID-19 March 2020", "en"),
        ("8 марта", "ru"),  # neither year nor time
        ("March 8", "en"),
        ("16:19", "ru"),  # a time alone is not a date
        ("الساعة 16:30", "ar"),
        ("Главная", "ru"),
        ("", None),
    ],
)
def test_rejections(text: str, language: str | None) -> None:
    assert values(text, language) == []


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("12 November 2020", True),  # tomorrow: within a day of the fetch time
        ("13 November 2020", False),
        ("12.11.2020 13:00 UTC", True),
        ("12.11.2020 14:00 UTC", False),  # 24.5 hours after the fetch time
        ("12.11.2020 16:00 MSK", True),  # 13:00 UTC
        ("12.11.2020 17:00 MSK", False),
        ("November 11, 2021", False),
        ("11 ноября 2020", True),
        ("2021-01-01", False),
    ],
)
def test_future_dates_are_rejected(text: str, accepted: bool) -> None:
    assert bool(find_dates(text, now=NOW)) is accepted


def test_year_less_date_never_lands_in_the_future() -> None:
    assert values("12 ноября, 10:00", "ru", tz=MSK) == ["2020-11-12T10:00:00+03:00"]
    assert values("13 ноября, 10:00", "ru", tz=MSK) == ["2019-11-13T10:00:00+03:00"]


def test_default_now_is_current_time() -> None:
    tomorrow_plus = (datetime.now(UTC) + timedelta(days=3)).date()
    assert find_dates(tomorrow_plus.strftime("%d.%m.%Y")) == []
    assert [f.value for f in find_dates("11.11.2020")] == [date(2020, 11, 11)]


# --- machine values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-11-11", "2020-11-11"),
        (" 2020-11-11 ", "2020-11-11"),
        ("20201111", "2020-11-11"),
        ("2020-11-11T14:05", "2020-11-11T14:05:00+00:00"),
        ("2020-11-11T14:05:00", "2020-11-11T14:05:00+00:00"),
        ("2020-11-11 14:05:00", "2020-11-11T14:05:00+00:00"),
        ("2020-11-11T14:05:00Z", "2020-11-11T14:05:00+00:00"),
        ("2020-11-11t14:05:00z", "2020-11-11T14:05:00+00:00"),
        ("2020-11-11T14:05:00+03:00", "2020-11-11T14:05:00+03:00"),
        ("2020-11-11T14:05:00+0300", "2020-11-11T14:05:00+03:00"),
        ("2020-11-11T14:05:00+03", "2020-11-11T14:05:00+03:00"),
        ("2020-11-11T14:05:00-05:30", "2020-11-11T14:05:00-05:30"),
        ("2020-11-11 14:05:00 +0300", "2020-11-11T14:05:00+03:00"),
        ("2020-11-11T14:05:00.123Z", "2020-11-11T14:05:00.123000+00:00"),
        ("2020-11-11T14:05:00.123456789+03:00", "2020-11-11T14:05:00.123456+03:00"),
        ("20201111T140500Z", "2020-11-11T14:05:00+00:00"),
        ("Wed, 11 Nov 2020 14:05:00 GMT", "2020-11-11T14:05:00+00:00"),
        ("Wed, 11 Nov 2020 14:05:00 +0300", "2020-11-11T14:05:00+03:00"),
        ("11 Nov 2020 14:05:00 EST", "2020-11-11T14:05:00-05:00"),
        ("11 ноября 2020", "2020-11-11"),
        ("11 نوفمبر 2020 04:30 م", "2020-11-11T16:30:00+00:00"),
        ("November 11, 2020 4:30 PM EDT", "2020-11-11T16:30:00-04:00"),
        ("١١/١١/٢٠٢٠", "2020-11-11"),
    ],
)
def test_parse_date_value(value: str, expected: str) -> None:
    result = parse_date_value(value)
    assert result is not None
    assert result.isoformat() == expected


def test_parse_date_value_naive_time_gets_tz() -> None:
    assert parse_date_value("2020-11-11T14:05:00", tz=MSK) == datetime(2020, 11, 11, 14, 5, tzinfo=MSK)
    assert parse_date_value("2020-11-11T14:05:00+00:00", tz=MSK).utcoffset() == timedelta(0)
    assert parse_date_value("2020-11-11", tz=MSK) == date(2020, 11, 11)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "hello",
        "2020",
        "2020-02-31",
        "2020-11-11T25:00:00",
        "1970-01-01T00:00:00Z",
        "0001-01-01",
        "2020-11-11T14:05:00+25:00",
        "3 hours ago",  # relative: metadata has no fetch time
        "1605103500",
    ],
)
def test_parse_date_value_rejects(value: str) -> None:
    assert parse_date_value(value) is None


# --- tables -------------------------------------------------------------------------------------


def test_month_tables_are_complete_and_consistent() -> None:
    seen: dict[str, int] = {}
    for language, table in MONTHS.items():
        assert sorted(set(table.values())) == list(range(1, 13)), language
        for word, month in table.items():
            assert seen.setdefault(word, month) == month, (language, word)


def test_found_date_is_frozen() -> None:
    found = FoundDate(date(2020, 11, 11), "11.11.2020", 0)
    with pytest.raises(AttributeError):
        found.start = 1  # type: ignore[misc]
    assert found.relative is False
