"""Publication dates: machine values from metadata and date expressions in human text.

Why hand-written: the archive's pages are Arabic, Russian, English and a dozen European
languages, and general-purpose parsers guess too much (bare years, Hijri dates, far-future
values) and are slow on the hundreds of short strings a page yields. Here every accepted form
is explicit and table-driven: a language is added by adding rows to the tables below.

All matching runs on a *same-length* normalised copy of the input (digits folded to ASCII,
Arabic hamza/alef/yeh/teh-marbuta variants folded, Latin accents stripped, lower case), so a
match's offsets are offsets in the original text and ``FoundDate.text`` is the text as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from etl.normalize import fold_digits

__all__ = ["MONTHS", "FoundDate", "find_dates", "parse_date_value"]

MIN_YEAR = 1990  # older "dates" on news pages are history, not publication dates
_FUTURE_SLACK = timedelta(days=1)  # time-zone and clock skew between site and crawler
_MAX_OFFSET = timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """One date expression found in text."""

    value: datetime | date  # aware datetime when a time is given; plain date when only a day is given
    text: str  # the substring as written in the input
    start: int  # offset of `text` in the input string
    relative: bool = False  # True for "вчера в 16:19", "3 hours ago", "منذ 3 ساعات"


# --- normalisation -----------------------------------------------------------------------


def _build_fold() -> dict[int, str]:
    """One-to-one character folds, so normalised offsets equal original offsets."""
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):  # Latin-1 supplement and Latin extended: strip accents
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii() and base.isalpha():
            table[cp] = base
    table.update(dict.fromkeys(map(ord, "أإآٱ"), "ا"))
    table.update({ord(a): b for a, b in zip("ىیةکёЁıİłŁ’ʼ‘−", "ييهكеЕiilL'''-", strict=True)})
    # Exotic spaces and invisible marks (bidi, zero-width, BOM) become plain spaces.
    for cp in (0xA0, *range(0x2000, 0x2010), 0x202F, 0x205F, 0x3000, 0x061C, 0xFEFF):
        table[cp] = " "
    for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[cp] = " "
    return table


_FOLD = _build_fold()


def _normalise(text: str) -> str:
    """Fold digits, letter variants and case without changing the length of the text."""
    folded = fold_digits(text).translate(_FOLD)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(low if len(low := c.lower()) == 1 else c for c in folded)


def _key(text: str) -> str:
    """Lookup key of a table entry or a matched word: normalised, single spaces."""
    return " ".join(_normalise(text).split())


def _alternation(words: Iterable[str]) -> str:
    """Regex matching any of the normalised words, longest first, any whitespace inside.

    Built as a prefix tree so that a position is rejected after one character instead of
    after trying hundreds of alternatives; `find_dates` runs on hundreds of strings per page.
    """
    trie: dict[str, dict] = {}
    for word in set(words):
        node = trie
        for char in " ".join(word.split()):
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, dict]) -> str:
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _trie_regex(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


# --- tables (written naturally; keys are normalised at import) ----------------------------

# Month names per language, January..December; variants separated by "|".
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("january|jan", "february|feb", "march|mar", "april|apr", "may", "june|jun", "july|jul",
           "august|aug", "september|sept|sep", "october|oct", "november|nov", "december|dec"),
    "ru": ("января|январь|янв", "февраля|февраль|февр|фев", "марта|март|мар", "апреля|апрель|апр",
           "мая|май", "июня|июнь|июн", "июля|июль|июл", "августа|август|авг",
           "сентября|сентябрь|сент|сен", "октября|октябрь|окт", "ноября|ноябрь|нояб|ноя",
           "декабря|декабрь|дек"),
    "uk": ("січня|січень|січ", "лютого|лютий|лют", "березня|березень|бер", "квітня|квітень|квіт",
           "травня|травень|трав", "червня|червень|черв", "липня|липень|лип", "серпня|серпень|серп",
           "вересня|вересень|вер", "жовтня|жовтень|жовт", "листопада|листопад|лист",
           "грудня|грудень|груд"),
    # Egyptian/Gulf | Levantine/Iraqi | Maghreb (Algeria/Tunisia) | Morocco.
    "ar": ("يناير|كانون الثاني|كانون ثاني|جانفي",
           "فبراير|شباط|فيفري",
           "مارس|آذار",
           "أبريل|إبريل|نيسان|أفريل",
           "مايو|أيار|ماي",
           "يونيو|يونيه|حزيران|جوان",
           "يوليو|يوليه|تموز|جويلية|يوليوز",
           "أغسطس|آب|أوت|غشت",
           "سبتمبر|أيلول|شتنبر",
           "أكتوبر|تشرين الأول|تشرين أول",
           "نوفمبر|تشرين الثاني|تشرين ثاني|نونبر",
           "ديسمبر|كانون الأول|كانون أول|دجنبر"),
    "de": ("januar|jänner|jan", "februar|feber|feb", "märz|maerz|mär|mrz", "april|apr", "mai",
           "juni|jun", "juli|jul", "august|aug", "september|sept|sep", "oktober|okt", "november|nov",
           "dezember|dez"),
    "fr": ("janvier|janv", "février|févr|fév", "mars", "avril|avr", "mai", "juin", "juillet|juil",
           "août", "septembre|sept", "octobre|oct", "novembre|nov", "décembre|déc"),
    "es": ("enero|ene", "febrero|feb", "marzo|mar", "abril|abr", "mayo|may", "junio|jun", "julio|jul",
           "agosto|ago", "septiembre|setiembre|sept|sep|set", "octubre|oct", "noviembre|nov",
           "diciembre|dic"),
    "pt": ("janeiro|jan", "fevereiro|fev", "março|mar", "abril|abr", "maio|mai", "junho|jun",
           "julho|jul", "agosto|ago", "setembro|set", "outubro|out", "novembro|nov", "dezembro|dez"),
    "it": ("gennaio|gen", "febbraio|feb", "marzo|mar", "aprile|apr", "maggio|mag", "giugno|giu",
           "luglio|lug", "agosto|ago", "settembre|sett|set", "ottobre|ott", "novembre|nov",
           "dicembre|dic"),
    "pl": ("stycznia|styczeń|sty", "lutego|luty|lut", "marca|marzec|mar", "kwietnia|kwiecień|kwi",
           "maja|maj", "czerwca|czerwiec|cze", "lipca|lipiec|lip", "sierpnia|sierpień|sie",
           "września|wrzesień|wrz", "października|październik|paź", "listopada|listopad|lis",
           "grudnia|grudzień|gru"),
    "nl": ("januari|jan", "februari|feb", "maart|mrt", "april|apr", "mei", "juni|jun", "juli|jul",
           "augustus|aug", "september|sept|sep", "oktober|okt", "november|nov", "december|dec"),
    "tr": ("ocak|oca", "şubat|şub", "mart|mar", "nisan|nis", "mayıs|may", "haziran|haz",
           "temmuz|tem", "ağustos|ağu", "eylül|eyl", "ekim|eki", "kasım|kas", "aralık|ara"),
}  # fmt: skip

# Weekday names that may precede a date ("Среда, 11 ноября 2020"). Not checked against the date.
_WEEKDAY_NAMES: dict[str, str] = {
    "en": "monday|mon|tuesday|tue|tues|wednesday|wed|thursday|thu|thur|thurs|friday|fri"
    "|saturday|sat|sunday|sun",
    "ru": "понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|пн|вт|ср|чт|пт|сб|вс",
    "uk": "понеділок|вівторок|середа|четвер|п'ятниця|пятниця|субота|неділя",
    "ar": "الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد",
    "de": "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag",
    "fr": "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "es": "lunes|martes|miércoles|jueves|viernes|sábado|domingo",
    "pt": "segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira|sábado|domingo",
    "it": "lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica",
    "pl": "poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela",
    "nl": "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag",
    "tr": "pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar",
}

# Words naming a day relative to the fetch day. "Today" alone carries no information and is
# common in prose, so offset 0 counts only with a time ("сегодня в 16:19").
_DAY_WORDS: dict[str, dict[str, int]] = {
    "en": {"today": 0, "yesterday": -1},
    "ru": {"сегодня": 0, "вчера": -1, "позавчера": -2},
    "uk": {"сьогодні": 0, "вчора": -1, "учора": -1, "позавчора": -2},
    "ar": {
        "اليوم": 0,
        "أمس": -1,
        "الأمس": -1,
        "بالأمس": -1,
        "البارحة": -1,
        "أول أمس": -2,
        "أول من أمس": -2,
        "أمس الأول": -2,
    },
    "de": {"heute": 0, "gestern": -1, "vorgestern": -2},
    "fr": {"aujourd'hui": 0, "hier": -1, "avant-hier": -2},
    "es": {"hoy": 0, "ayer": -1, "anteayer": -2},
    "pt": {"hoje": 0, "ontem": -1, "anteontem": -2},
    "it": {"oggi": 0, "ieri": -1},
    "pl": {"dziś": 0, "dzisiaj": 0, "wczoraj": -1, "przedwczoraj": -2},
    "nl": {"vandaag": 0, "gisteren": -1, "eergisteren": -2},
    "tr": {"bugün": 0, "dün": -1},
}
# Day words that are ordinary words in another language of the tables ("hier" is "here" in
# German and Dutch): used only when the page's language says which one is meant.
_HINT_ONLY_DAY_WORDS = frozenset({"hier"})


@dataclass(frozen=True, slots=True)
class _Ago:
    """How a language says "N units ago"."""

    markers: str  # the "ago" words, "|"-separated
    before: bool  # marker precedes the amount ("منذ 3 ساعات", "vor 3 Stunden")
    one: str  # words for "a"/"one" ("an hour ago"), "|"-separated
    units: dict[str, tuple[str, int | None]]  # forms -> (unit, count implied by the form or None)


_S, _MIN, _H, _D, _W = "seconds", "minutes", "hours", "days", "weeks"
_AGO: dict[str, _Ago] = {
    "en": _Ago("ago", False, "a|an|one", {
        "second": (_S, 1), "seconds|secs|sec": (_S, None), "minute": (_MIN, 1),
        "minutes|mins|min": (_MIN, None), "hour": (_H, 1), "hours|hrs|hr": (_H, None),
        "day": (_D, 1), "days": (_D, None), "week": (_W, 1), "weeks": (_W, None)}),
    "ru": _Ago("назад", False, "", {
        "секунду": (_S, 1), "секунды|секунд|сек": (_S, None), "минуту": (_MIN, 1),
        "минуты|минут|мин": (_MIN, None), "час": (_H, 1), "часа|часов|ч": (_H, None),
        "день": (_D, 1), "дня|дней": (_D, None), "неделю": (_W, 1), "недели|недель": (_W, None)}),
    "uk": _Ago("тому", False, "", {
        "секунду": (_S, 1), "секунди|секунд|сек": (_S, None), "хвилину": (_MIN, 1),
        "хвилини|хвилин|хв": (_MIN, None), "годину": (_H, 1), "години|годин|год": (_H, None),
        "день": (_D, 1), "дні|днів": (_D, None), "тиждень": (_W, 1), "тижні|тижнів": (_W, None)}),
    "ar": _Ago("منذ|قبل", True, "", {
        "ثانية": (_S, 1), "ثانيتين": (_S, 2), "ثوان|ثواني": (_S, None),
        "دقيقة": (_MIN, 1), "دقيقتين": (_MIN, 2), "دقائق": (_MIN, None),
        "ساعة": (_H, 1), "ساعتين": (_H, 2), "ساعات": (_H, None),
        "يوم": (_D, 1), "يومين": (_D, 2), "أيام": (_D, None),
        "أسبوع": (_W, 1), "أسبوعين": (_W, 2), "أسابيع": (_W, None)}),
    "de": _Ago("vor", True, "einer|einem|eins", {
        "sekunden|sekunde|sek": (_S, None), "minuten|minute|min": (_MIN, None),
        "stunden|stunde|std": (_H, None), "tagen|tag": (_D, None), "wochen|woche": (_W, None)}),
    "fr": _Ago("il y a", True, "un|une", {
        "secondes|seconde|s": (_S, None), "minutes|minute|min": (_MIN, None), "heures|heure|h": (_H, None),
        "jours|jour": (_D, None), "semaines|semaine": (_W, None)}),
    "es": _Ago("hace", True, "un|una", {
        "segundos|segundo|seg": (_S, None), "minutos|minuto|min": (_MIN, None), "horas|hora|h": (_H, None),
        "días|día": (_D, None), "semanas|semana": (_W, None)}),
    "pt": _Ago("há|faz", True, "um|uma", {
        "segundos|segundo|seg": (_S, None), "minutos|minuto|min": (_MIN, None), "horas|hora|h": (_H, None),
        "dias|dia": (_D, None), "semanas|semana": (_W, None)}),
    "it": _Ago("fa", False, "un|una|uno", {
        "secondi|secondo": (_S, None), "minuti|minuto": (_MIN, None), "ore|ora": (_H, None),
        "giorni|giorno": (_D, None), "settimane|settimana": (_W, None)}),
    "pl": _Ago("temu", False, "", {
        "sekundę": (_S, 1), "sekundy|sekund": (_S, None), "minutę": (_MIN, 1),
        "minuty|minut|min": (_MIN, None), "godzinę": (_H, 1), "godziny|godzin|godz": (_H, None),
        "dzień": (_D, 1), "dni": (_D, None), "tydzień": (_W, 1), "tygodnie|tygodni": (_W, None)}),
    "nl": _Ago("geleden", False, "een", {
        "seconden|seconde": (_S, None), "minuten|minuut|min": (_MIN, None), "uur": (_H, None),
        "dagen|dag": (_D, None), "weken|week": (_W, None)}),
    "tr": _Ago("önce", False, "bir", {
        "saniye": (_S, None), "dakika|dk": (_MIN, None), "saat": (_H, None), "gün": (_D, None),
        "hafta": (_W, None)}),
}  # fmt: skip

# Time-zone words after a time: fixed offsets in minutes, or an IANA zone whose offset depends
# on the date (US "ET" is EST or EDT). Latin abbreviations other than GMT/UTC count only when
# written in capitals, because "et", "est", "cet", "west" are also ordinary words.
_TZ_WORDS: dict[str, int | str] = {
    "utc": 0, "gmt": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60, "cest": 120, "eet": 120,
    "eest": 180, "msk": 180, "мск": 180, "по мск": 180, "по московскому времени": 180,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480,
    "pdt": -420, "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles", "بتوقيت غرينتش": 0, "بتوقيت جرينتش": 0, "بتوقيت مكة المكرمة": 180,
    "بتوقيت مكة": 180, "بتوقيت القاهرة": "Africa/Cairo",
}  # fmt: skip
_ZONE_FALLBACK = {"America/New_York": -300, "America/Chicago": -360, "America/Denver": -420,
                  "America/Los_Angeles": -480, "Africa/Cairo": 120}  # fmt: skip
_ALWAYS_CASELESS_TZ = {"utc", "gmt"}

# Words between a date and its time ("в 16:19", "at 4:30", "à 16h30", "الساعة 16:30").
_TIME_LINKS = ("at|a|as|a las|a la|alle ore|alle|ore|um|om|o godz|godz|o|saat|kl|в|во|о|في|الساعة"
               "|في الساعة|في تمام الساعة")  # fmt: skip


def _index_months(table: dict[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
    return {
        lang: {_key(form): n for n, forms in enumerate(months, 1) for form in forms.split("|")}
        for lang, months in table.items()
    }


MONTHS: dict[str, dict[str, int]] = _index_months(_MONTH_NAMES)
_WEEKDAYS = {lang: frozenset(_key(w) for w in words.split("|")) for lang, words in _WEEKDAY_NAMES.items()}
_DAYS = {lang: {_key(w): off for w, off in words.items()} for lang, words in _DAY_WORDS.items()}
_AGO_MARKERS = {lang: frozenset(_key(w) for w in a.markers.split("|")) for lang, a in _AGO.items()}
_AGO_ONE = {lang: frozenset(_key(w) for w in a.one.split("|") if w) for lang, a in _AGO.items()}
_AGO_UNITS = {
    lang: {_key(form): spec for forms, spec in a.units.items() for form in forms.split("|")}
    for lang, a in _AGO.items()
}
_TZ = {_key(w): v for w, v in _TZ_WORDS.items()}
_LANGUAGES = tuple(MONTHS)

# --- regexes -------------------------------------------------------------------------------

_LB = r"(?<![^\W\d_])"  # not preceded by a letter
_LA = r"(?![^\W\d_])"  # not followed by a letter
_SEP = r"[\s,،;|/•·\-–—]"
_MONTH = _alternation(k for table in MONTHS.values() for k in table)
_WEEKDAY = _alternation(w for words in _WEEKDAYS.values() for w in words)
_MONTH_ALT = rf"(?:\s*[/(\-–]\s*(?P<m2>{_MONTH}){_LA}\.?\s*\)?)?"  # "نوفمبر (تشرين الثاني)"
_YEAR_SUFFIX = rf"(?:\s?(?:года|году|год|року|рік|roku|г|р|r|م){_LA}\.?)?"  # "2020 г.", "2020م"

_DMY = re.compile(
    r"(?<!\w)(?<!\w-)(?P<d>[0-3]?\d)(?!\d)(?:st|nd|rd|th|er|º|ª)?\.?"
    r"\s*[,/\-–]?\s*(?:(?:de|of)\s+)?"
    rf"(?P<m>{_MONTH}){_LA}\.?{_MONTH_ALT}"
    rf"(?:\s*[,،/\-–.]?\s*(?:(?:de|del|of)\s+)?(?P<y>\d{{4}})(?!\d){_YEAR_SUFFIX})?"
)
_MDY = re.compile(
    rf"{_LB}(?P<m>{_MONTH}){_LA}\.?{_MONTH_ALT}"
    r"\s*,?\s*(?:the\s+)?(?P<d>[0-3]?\d)(?!\d)(?:st|nd|rd|th)?(?!:\d)"
    rf"(?:\s*[,،.]?\s*(?P<y>\d{{4}})(?!\d){_YEAR_SUFFIX})?"
)
_NUMERIC = re.compile(
    r"(?<!\w)(?<!\d[.,/-])(?P<a>\d{1,2})(?P<s>[./-]| \| )(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})"
    rf"(?!\d)(?![.,/-]\d){_YEAR_SUFFIX}{_LA}"
)
_YMD = re.compile(
    r"(?<!\w)(?<!\d[.,/-])(?P<y>\d{4})(?P<s>[./-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d)(?![.,/-]\d)"
)
_DAY_WORD = re.compile(rf"{_LB}(?P<w>{_alternation(w for t in _DAYS.values() for w in t)}){_LA}")
_AGO_UNIT = _alternation(u for t in _AGO_UNITS.values() for u in t)
_AGO_ONE_WORD = _alternation(w for t in _AGO_ONE.values() for w in t)
_AGO_COUNT = rf"(?:(?P<n>\d{{1,3}})\s*|(?P<one>{_AGO_ONE_WORD}){_LA}\s+)?"
_AGO_BEFORE = _alternation(w for lang, t in _AGO_MARKERS.items() if _AGO[lang].before for w in t)
_AGO_AFTER = _alternation(w for lang, t in _AGO_MARKERS.items() if not _AGO[lang].before for w in t)
_AGO_PREFIX = re.compile(rf"{_LB}(?P<ago>{_AGO_BEFORE}){_LA}\s+{_AGO_COUNT}(?P<u>{_AGO_UNIT}){_LA}")
_AGO_SUFFIX = re.compile(rf"(?<!\w){_AGO_COUNT}(?P<u>{_AGO_UNIT}){_LA}\.?\s+(?P<ago>{_AGO_AFTER}){_LA}")

_TIME = (
    r"(?<![\d:.])(?P<H>[01]?\d|2[0-3])(?P<tsep>\s?:\s?|\s?h\s?|\.)(?P<M>[0-5]\d)"
    r"(?::(?P<S>[0-5]\d|60)(?:[.,](?P<F>\d{1,9}))?)?(?!\d)(?!\.\d)"
    rf"(?P<unit>\s*(?:uhr|hrs|ч){_LA}\.?)?"
    rf"(?:\s?(?P<ap>[ap])\.?\s?m{_LA}\.?|\s*(?P<aap>صباح[\u064b-\u0652ا]*|مساء[\u064b-\u0652ا]*|ص|م){_LA})?"
)
_TZ_RE = (
    r"(?P<tz>(?P<zulu>z)(?![^\W\d_])"
    rf"|\s*(?P<paren>\(\s*)?(?:(?P<tzname>{_alternation(_TZ)}){_LA}"
    r"(?:\s*(?P<tzsign>[+-])\s*(?P<tzh>\d{1,2})(?::?(?P<tzm>\d{2}))?(?!\d))?"
    r"|(?P<osign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?(?!\d))(?(paren)\s*\)))?"
)
_TIME_AFTER = re.compile(
    rf"(?:t|{_SEP}*(?:(?:{_WEEKDAY}){_LA}\.?{_SEP}*)?"
    rf"(?:(?:{_alternation(_key(w) for w in _TIME_LINKS.split('|'))}){_LA}\.?[\s,:]*)?)" + _TIME + _TZ_RE
)
_TIME_BEFORE = re.compile(_TIME + _TZ_RE + rf"{_SEP}+(?:(?:on|le|el|am|du){_LA}\s+)?\Z")
_WEEKDAY_BEFORE = re.compile(rf"{_LB}(?:يوم\s+)?(?:{_WEEKDAY}){_LA}\.?[\s,،\-–]*\Z")

# Cheap searches run first: most strings on a page contain no date at all.
_DIGIT = re.compile(r"\d")
_NUMERIC_HINT = re.compile(r"\d(?:[./-]| \| )\d")  # "26 | 01 | 2022" is a site's date style too
_MONTH_HINT = re.compile(rf"\b(?:{_MONTH})")
_RELATIVE_WORDS = [*(w for t in _DAYS.values() for w in t), *(w for t in _AGO_MARKERS.values() for w in t)]
_RELATIVE_HINT = re.compile(rf"\b(?:{_alternation(_RELATIVE_WORDS)})")
_ISO_VALUE = re.compile(
    r"(?P<y>\d{4})(?P<s>-?)(?P<m>\d{2})(?P=s)(?P<d>\d{2})"
    r"(?:(?:t|\s+)(?P<H>\d{2})(?P<c>:?)(?P<M>\d{2})(?:(?P=c)(?P<S>\d{2})(?:[.,](?P<F>\d+))?)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_RFC_SHAPE = re.compile(r"(?:[a-z]{3},?\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}", re.IGNORECASE)


# --- language selection --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tables:
    """The vocabulary in force for one language hint."""

    langs: tuple[str, ...]
    months: dict[str, int]
    days: dict[str, int]


@lru_cache(maxsize=64)
def _tables(language: str | None) -> _Tables:
    """The page's language plus English (quoted everywhere); all languages when unknown.

    Restricting the vocabulary keeps foreign words that look like month or day names
    ("out", "set", "hier") from becoming dates on pages in other languages.
    """
    code = re.split(r"[-_]", language.strip().lower())[0] if language else ""
    langs = ((code,) if code == "en" else (code, "en")) if code in MONTHS else _LANGUAGES
    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for lang in langs:
        for word, month in MONTHS[lang].items():
            months.setdefault(word, month)
        for word, offset in _DAYS.get(lang, {}).items():
            if langs is not _LANGUAGES or word not in _HINT_ONLY_DAY_WORDS:
                days.setdefault(word, offset)
    return _Tables(langs, months, days)


# --- building values -----------------------------------------------------------------------


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=16)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(minutes=_ZONE_FALLBACK[name]))


def _fixed(minutes: int) -> tzinfo | None:
    offset = timedelta(minutes=minutes)
    if abs(offset) > _MAX_OFFSET:
        return None
    return UTC if not offset else timezone(offset)


def _explicit_tz(m: re.Match[str], text: str, day: date, clock: time) -> tzinfo | None:
    """The time zone written after a time, as a fixed offset; None when absent or not credible."""
    if m.group("tz") is None:
        return None
    if m.group("zulu"):
        return UTC
    if m.group("osign"):
        minutes = int(m.group("om") or 0)
        if m.group("osign") == "-" and m.start("osign") == m.start("tz") and not m.group("S"):
            return None  # "12:00-13:00" is a range of times, not a zone
        if minutes % 15:
            return None
        sign = -1 if m.group("osign") == "-" else 1
        return _fixed(sign * (int(m.group("oh")) * 60 + minutes))
    name = " ".join(m.group("tzname").split())
    written = text[m.start("tzname") : m.end("tzname")]
    if name.isascii() and name not in _ALWAYS_CASELESS_TZ and not written.isupper():
        return None
    base = _TZ[name]
    if isinstance(base, str):
        offset = _zone(base).utcoffset(datetime.combine(day, clock))
        return _fixed(int(offset.total_seconds()) // 60) if offset is not None else None
    if m.group("tzsign"):
        sign = -1 if m.group("tzsign") == "-" else 1
        base += sign * (int(m.group("tzh")) * 60 + int(m.group("tzm") or 0))
    return _fixed(base)


def _clock(m: re.Match[str]) -> time:
    """The time of day in a _TIME match, with AM/PM (also Arabic ص/م) applied."""
    hour, minute = int(m.group("H")), int(m.group("M"))
    second = min(int(m.group("S") or 0), 59)
    micro = int((m.group("F") or "0")[:6].ljust(6, "0"))
    pm = m.group("ap") == "p" or (m.group("aap") or "").startswith("م")
    am = m.group("ap") == "a" or (m.group("aap") or "").startswith("ص")
    if 1 <= hour <= 12:
        if pm and hour < 12:
            hour += 12
        elif am and hour == 12:
            hour = 0
    return time(hour, minute, second, micro)


@dataclass(slots=True)
class _Core:
    """A date expression before its time is attached: an absolute day, a day word or an "ago"."""

    start: int
    end: int
    day: tuple[int | None, int, int] | None = None  # (year or None, month, day)
    offset: int | None = None  # day word: days from the fetch day
    ago: timedelta | None = None
    precise: bool = True  # "ago" in seconds/minutes/hours (datetime) rather than days (date)


def _numeric_cores(norm: str, now_year: int, month_first: bool, pos: int) -> Iterable[_Core]:
    """Numeric dates: 2020-11-11 (always Y-M-D), 11.11.2020, 11/10/2020 (M/D/Y for English), 11.11.20."""
    for m in _YMD.finditer(norm, pos):
        yield _Core(m.start(), m.end(), day=(int(m["y"]), int(m["m"]), int(m["d"])))
    for m in _NUMERIC.finditer(norm, pos):
        a, b, year = int(m["a"]), int(m["b"]), m["y"]
        if len(year) == 2:  # only dd.mm.yy / dd/mm/yy; dashes look like phone numbers
            if m["s"] in ("-", " | ") or len(m["a"]) != 2 or len(m["b"]) != 2:
                continue
            year = str(2000 + int(year) if int(year) <= now_year % 100 + 1 else 1900 + int(year))
        day, month = (b, a) if month_first and m["s"] == "/" and a <= 12 else (a, b)
        if month > 12:  # only one reading is a real date
            day, month = month, day
        yield _Core(m.start(), m.end(), day=(int(year), month, day))


def _named_cores(norm: str, tables: _Tables, pos: int) -> Iterable[_Core]:
    """Dates with a month name: 11 ноября 2020, November 11, 2020, 11 نوفمبر (تشرين الثاني) 2020."""
    for regex, start in ((_DMY, max(0, pos - 16)), (_MDY, pos)):
        for m in regex.finditer(norm, start):
            month = tables.months.get(" ".join(m["m"].split()))
            other = tables.months.get(" ".join(m["m2"].split()), month) if m["m2"] else month
            if month is None or other != month:
                continue
            yield _Core(m.start(), m.end(), day=(int(m["y"]) if m["y"] else None, month, int(m["d"])))


def _ago_cores(norm: str, tables: _Tables) -> Iterable[_Core]:
    for regex in (_AGO_PREFIX, _AGO_SUFFIX):
        for m in regex.finditer(norm):
            marker, unit, one = " ".join(m["ago"].split()), m["u"], m["one"]
            for lang in tables.langs:
                spec = _AGO_UNITS[lang].get(unit)
                if spec is None or marker not in _AGO_MARKERS[lang]:
                    continue
                if one is not None and one not in _AGO_ONE[lang]:
                    continue
                count = int(m["n"]) if m["n"] else 1 if one else spec[1]
                if count is not None:
                    delta = timedelta(**{spec[0]: count})
                    yield _Core(m.start(), m.end(), ago=delta, precise=spec[0] not in (_D, _W))
                break


def _day_word_cores(norm: str, tables: _Tables) -> Iterable[_Core]:
    for m in _DAY_WORD.finditer(norm):
        offset = tables.days.get(" ".join(m["w"].split()))
        if offset is not None:
            yield _Core(m.start(), m.end(), offset=offset)


def _cores(norm: str, tables: _Tables, now_year: int, month_first: bool) -> list[_Core]:
    """Non-overlapping date expressions, earliest first, longer first at the same start.

    Cheap searches decide which of the heavier patterns can match at all.
    """
    found: list[_Core] = []
    if _DIGIT.search(norm):
        if hint := _NUMERIC_HINT.search(norm):
            found += _numeric_cores(norm, now_year, month_first, max(0, hint.start() - 4))
        if hint := _MONTH_HINT.search(norm):
            found += _named_cores(norm, tables, hint.start())
    if _RELATIVE_HINT.search(norm):
        found += _ago_cores(norm, tables)
        found += _day_word_cores(norm, tables)
    found.sort(key=lambda c: (c.start, -c.end))
    chosen: list[_Core] = []
    for core in found:
        if not chosen or core.start >= chosen[-1].end:
            chosen.append(core)
    return chosen


def _infer_year(month: int, dom: int, today: date) -> int:
    """Year of a date written without one: this year's, unless that day is still to come."""
    this_year = _make_date(today.year, month, dom)
    return today.year - 1 if this_year and this_year > today + _FUTURE_SLACK else today.year


def _attach_time(core: _Core, norm: str, lo: int, hi: int) -> tuple[int, int, re.Match[str] | None]:
    """Widen a core over a leading weekday and the time written after (or else before) it.

    `lo`..`hi` is the free text between the neighbouring expressions, so a time is never shared.
    """
    start, end = core.start, core.end
    if core.day is not None:
        weekday = _WEEKDAY_BEFORE.search(norm, max(lo, start - 30), start)
        start = weekday.start() if weekday else start
    m = _TIME_AFTER.match(norm, end, hi)
    if m is not None and _credible_time(m):
        return start, m.end(), m
    m = _TIME_BEFORE.search(norm, max(lo, start - 64), start)
    if m is not None and _credible_time(m):
        return m.start(), end, m
    return start, end, None


def _credible_time(m: re.Match[str]) -> bool:
    """A dotted time (21.30) counts only when marked as one (21.30 GMT, 9.30 pm, 16.19 Uhr):
    otherwise it is as likely a decimal number or the start of another date."""
    return m.group("tsep") != "." or any(m.group(g) for g in ("tz", "ap", "aap", "unit"))


def _core_day(core: _Core, today: date, timed: bool) -> date | None:
    """The calendar day of an absolute or day-word core, or None when it cannot be one."""
    if core.offset is not None:
        return today + timedelta(days=core.offset) if timed or core.offset else None
    assert core.day is not None
    year, month, dom = core.day
    if year is None:  # "11 ноября, 16:19": year-less dates count only with a time
        if not timed:
            return None
        year = _infer_year(month, dom, today)
    return _make_date(year, month, dom) if year >= MIN_YEAR else None


def _resolve(
    core: _Core, text: str, norm: str, lo: int, hi: int, now: datetime, tz: tzinfo
) -> FoundDate | None:
    """Turn a core into a checked value with its time attached (None if implausible)."""
    if core.ago is not None:
        moment = (now - core.ago).astimezone(tz)
        value: datetime | date = moment if core.precise else moment.date()
        return FoundDate(value, text[core.start : core.end], core.start, True)
    start, end, m = _attach_time(core, norm, lo, hi)
    today = now.astimezone(tz).date()
    day = _core_day(core, today, m is not None)
    if day is None:
        return None
    relative = core.offset is not None
    if m is None:
        if day > today + _FUTURE_SLACK:
            return None
        return FoundDate(day, text[start:end], start, relative)
    clock = _clock(m)
    zone = _explicit_tz(m, text, day, clock)
    if zone is None and m.group("tz") is not None and m.start() >= core.end:
        end = m.start("tz")  # unreadable zone word: keep the time, leave the word out
    if zone is not None and relative:  # "вчера в 16:19 МСК": yesterday as seen in that zone
        day = now.astimezone(zone).date() + timedelta(days=core.offset or 0)
    value = datetime.combine(day, clock, tzinfo=zone or tz)
    if value > now + _FUTURE_SLACK:
        return None
    return FoundDate(value, text[start:end], start, relative)


# --- public API ------------------------------------------------------------------------------


def find_dates(
    text: str, *, language: str | None = None, now: datetime | None = None, tz: tzinfo | None = None
) -> list[FoundDate]:
    """Every date expression in a piece of human text, in order of position.

    `language` (ISO 639-1) narrows the month and relative-word vocabulary to that language plus
    English and makes slashed dates month-first for "en". `now` (the fetch time) anchors relative
    dates and rejects dates more than a day after it; `tz` applies to naive times and relative days.
    """
    if not text:
        return []
    norm = _normalise(text)
    tz = tz or UTC
    now = datetime.now(UTC) if now is None else now if now.tzinfo else now.replace(tzinfo=tz)
    tables = _tables(language)
    cores = _cores(norm, tables, now.astimezone(tz).year, tables.langs == ("en",))
    found: list[FoundDate] = []
    lo = 0
    for i, core in enumerate(cores):
        hi = cores[i + 1].start if i + 1 < len(cores) else len(norm)
        hit = _resolve(core, text, norm, lo, hi, now, tz)
        if hit is not None:
            found.append(hit)
        lo = max(core.end, hit.start + len(hit.text) if hit else 0)
    return found


def _from_iso(m: re.Match[str], tz: tzinfo) -> datetime | date | None:
    day = _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if day is None or day.year < MIN_YEAR:
        return None
    if m["H"] is None:
        return day
    hour, minute, second = int(m["H"]), int(m["M"]), int(m["S"] or 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    clock = time(hour, minute, min(second, 59), int((m["F"] or "0")[:6].ljust(6, "0")))
    zone: tzinfo | None = tz
    if m["tz"]:
        mark = m["tz"].lower()
        if mark in ("z", "utc", "gmt"):
            zone = UTC
        else:
            digits = mark[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
            zone = _fixed(-minutes if mark[0] == "-" else minutes)
            if zone is None:
                return None
    return datetime.combine(day, clock, tzinfo=zone)


def parse_date_value(value: str, *, tz: tzinfo | None = None) -> datetime | date | None:
    """A machine-readable date from metadata (ISO 8601, RFC 2822, compact 20201111) or, failing
    that, the first absolute date find_dates sees in it.

    Keeps the value's own UTC offset; naive times get `tz` (default UTC); a date without a time
    stays a date. None when the value is not a date or is older than 1990 (epoch placeholders).
    Relative expressions are ignored: metadata has no fetch time to anchor them.
    """
    if not value or not value.strip():
        return None
    tz = tz or UTC
    clean = fold_digits(value).strip()
    m = _ISO_VALUE.fullmatch(clean)
    if m:
        return _from_iso(m, tz)
    if _RFC_SHAPE.match(clean):
        try:
            parsed = parsedate_to_datetime(clean)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.year >= MIN_YEAR:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    try:  # C's asctime(), as some CMSs write it: "Fri Feb 18 10:27:24 2022"
        parsed = datetime.strptime(" ".join(clean.split()), "%a %b %d %H:%M:%S %Y")
        return parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    for found in find_dates(value, tz=tz):
        if not found.relative:
            return found.value
    return None
