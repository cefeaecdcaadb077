"""Credit lines: the news agency a story comes from, the photo credit and author labels.

One table of agencies (canonical name -> spellings across scripts) and one table of
labels per field. Extend the tables, not the code. No site-specific rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.normalize import key_text

# Canonical agency name -> how it is written (any script). Matching is on key_text(),
# so hamza/alef variants, case and ё are already folded.
AGENCIES: dict[str, tuple[str, ...]] = {
    "TASS": ("TASS", "ITAR-TASS", "ТАСС", "ИТАР-ТАСС", "تاس", "إيتار تاس"),
    "RIA Novosti": ("RIA Novosti", "RIA", "РИА Новости", "РИА", "ريا نوفوستي", "نوفوستي"),
    "Interfax": ("Interfax", "Интерфакс", "إنترفاكس", "انترفاكس"),
    "Reuters": ("Reuters", "Рейтер", "Рейтерс", "Reuters.com", "رويترز"),
    "AFP": (
        "AFP",
        "Agence France-Presse",
        "France-Presse",
        "Франс Пресс",
        "Франс-Пресс",
        "فرانس برس",
        "ا ف ب",
    ),
    "AP": (
        "AP",
        "Associated Press",
        "The Associated Press",
        "Ассошиэйтед Пресс",
        "أسوشيتد برس",
        "اسوشيتدبرس",
    ),
    "Anadolu": ("Anadolu", "Anadolu Agency", "Anadolu Ajansı", "AA", "الأناضول", "وكالة الأناضول", "Анадолу"),
    "Sputnik": ("Sputnik", "Спутник", "سبوتنيك"),
    "RT": ("RT", "Russia Today", "روسيا اليوم", "آر تي"),
    "Xinhua": ("Xinhua", "Синьхуа", "شينخوا"),
    "SPA": ("SPA", "Saudi Press Agency", "واس"),
    "Petra": ("Petra", "بترا"),
    "WAM": ("WAM", "وام"),
    "QNA": ("QNA", "قنا"),
    "KUNA": ("KUNA", "كونا"),
    "MENA": ("MENA", "أ ش أ", "أ.ش.أ"),
    "SANA": ("SANA", "سانا"),
    "IRNA": ("IRNA", "إرنا", "ایرنا"),
    "UNN": ("UNN", "УНН"),
    "Ukrinform": ("Ukrinform", "Укрінформ", "Укрінформ", "Укринформ"),
    "Kazinform": ("Kazinform", "Казинформ", "Kazinform.kz"),
    "BelTA": ("BelTA", "БелТА"),
    "dpa": ("dpa", "Deutsche Presse-Agentur", "ДПА"),
    "EFE": ("EFE",),
    "ANSA": ("ANSA",),
    "Kyodo": ("Kyodo", "Киодо"),
    "Yonhap": ("Yonhap", "Ёнхап", "Рёнхап"),
    "Bloomberg": ("Bloomberg", "Блумберг", "بلومبرغ"),
    "CNN": ("CNN",),
    "BBC": ("BBC", "Би-би-си"),
    "UPI": ("UPI", "United Press International"),
    "PTI": ("PTI", "Press Trust of India"),
    "APA": ("APA",),
    "Trend": ("Trend",),
    "Azertac": ("AZERTAC", "АЗЕРТАДЖ"),
    "Armenpress": ("Armenpress", "Арменпресс"),
    "IRIB": ("IRIB",),
    "MTI": ("MTI",),
    "PAP": ("PAP",),
    "ČTK": ("ČTK", "CTK"),
    "KNA": ("KNA",),
    "epd": ("epd",),
}
_AGENCY_BY_KEY: dict[str, str] = {
    key_text(alias): name for name, aliases in AGENCIES.items() for alias in aliases
}
_NON_WORD = re.compile(r"[^\w]+")


def _words(text: str) -> str:
    """Words separated and surrounded by single spaces, for whole-word search."""
    return f" {_NON_WORD.sub(' ', text).strip()} "


_ALIAS_WORDS = {alias: _words(alias) for alias in _AGENCY_BY_KEY}
# Longest first, so "Anadolu Agency" wins over "Anadolu" inside a longer credit.
_ALIASES_BY_LENGTH = sorted(_AGENCY_BY_KEY, key=len, reverse=True)

# Labels, per field. A label is followed by ":" (or a dash) and the value.
PHOTO_LABELS = (
    "Фото",
    "Фотография",
    "Фото обложки",
    "Снимка",
    "Світлина",
    "الصورة",
    "صورة",
    "الصور",
    "تصوير",
    "عدسة",
    "Photo",
    "Photos",
    "Photograph",
    "Photo credit",
    "Image",
    "Image credit",
    "Picture",
    "Credit",
    "Foto",
    "Fotos",
    "Bild",
    "Bildquelle",
    "Zdjęcie",
    "Fotó",
)
SOURCE_LABELS = (
    "Источник",
    "Джерело",
    "Източник",
    "المصدر",
    "مصدر",
    "Source",
    "Sources",
    "Quelle",
    "Fuente",
    "Fonte",
    "Źródło",
    "Kaynak",
    "Bron",
)
AUTHOR_LABELS = (
    "Автор",
    "Авторы",
    "Автори",
    "Текст",
    "كتب",
    "كتبت",
    "بقلم",
    "إعداد",
    "By",
    "Written by",
    "Author",
    "Authors",
    "Von",
    "Par",
    "Por",
    "Autor",
    "Autore",
    "Autorin",
)


def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^\s*(?:{alternatives})\s*(?:[:：]|\s[-–—]\s)\s*(?P<value>\S.*?)\s*$", re.IGNORECASE)


_PHOTO_LINE = _label_pattern(PHOTO_LABELS)
# A text node that starts with a photo or source label (the value may follow in a sibling).
LABEL_START = re.compile(
    r"^\s*(?:"
    + "|".join(re.escape(x) for x in sorted(PHOTO_LABELS + SOURCE_LABELS, key=len, reverse=True))
    + r")\s*(?:[:：]|\s[-–—]\s|$)",
    re.IGNORECASE,
)
_SOURCE_LINE = _label_pattern(SOURCE_LABELS)
_AUTHOR_LINE = re.compile(
    r"^\s*(?:"
    + "|".join(re.escape(x) for x in sorted(AUTHOR_LABELS, key=len, reverse=True))
    + r")(?:\s*[:：]\s*|\s+)(?P<value>\S.*?)\s*$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)|Copyright)\s*(?P<value>\S.*?)\s*$", re.IGNORECASE)
_MAX_CREDIT_CHARS = 160

# Datelines: "МОСКВА, 29 июня. /ТАСС/.", "MOSCOW (Sputnik) -", "(CNN) --", "--(بترا)",
# "الرياض - واس", "ANKARA (AA) –".
_DASH = r"[-–—‐]"
_DATELINE_PATTERNS = (
    re.compile(r"/\s*(?P<agency>[^/\n]{2,30}?)\s*/"),
    re.compile(rf"^[^()\n]{{0,60}}\((?P<agency>[^()\n]{{2,40}})\)\s*{_DASH}{{1,2}}"),
    re.compile(rf"{_DASH}{{1,2}}\s*\((?P<agency>[^()\n]{{2,30}})\)"),
    # "الرياض - واس", "МОСКВА, 18 ноя — РИА Новости.": the words after the dash (the longest
    # run of up to three that names a known agency is taken)
    re.compile(rf"^[^\W\d][\w ,.]{{1,40}}?\s+{_DASH}\s+(?P<agency>\w+(?: \w+){{0,2}})"),
    # "ASTANA. KAZINFORM -": a city, a full stop, the agency in capitals, a dash
    re.compile(rf"^[^\W\d][\w ,]{{1,40}}\.\s+(?P<agency>[^\W\d][\w ]{{1,30}}?)\s*{_DASH}"),
    # "New York CNN —", "CNN —": an optional city, the agency, a dash (CNN's own layout)
    re.compile(rf"^(?:[^\W\d][\w .,]{{0,40}}?\s+)?(?P<agency>[^\W\d]\w+)\s*{_DASH}{{1,2}}(?:\s|$)"),
)


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit found in a line: the value as written and its canonical agency, if known."""

    value: str
    agency: str | None = None


def agency_of(name: str | None) -> str | None:
    """The canonical agency for a credited name: exact match first, then a known agency
    named inside a longer credit ("وكالة الأنباء السعودية (واس)", "Reuters/AFP" -> first)."""
    if not name:
        return None
    key = key_text(name).strip(" .,:;()[]«»\"'")
    if key in _AGENCY_BY_KEY:
        return _AGENCY_BY_KEY[key]
    tokens = _words(key)
    best: tuple[int, str] | None = None
    for alias in _ALIASES_BY_LENGTH:
        position = tokens.find(_ALIAS_WORDS[alias])
        if position >= 0 and (best is None or position < best[0]):
            best = (position, _AGENCY_BY_KEY[alias])
    return best[1] if best else None


def _short(value: str) -> str | None:
    value = value.strip(" .;")
    return value if 0 < len(value) <= _MAX_CREDIT_CHARS else None


def photo_credit_line(line: str) -> str | None:
    """The credit in a labelled photo line ("Фото: Официальный сайт" -> "Официальный сайт")."""
    match = _PHOTO_LINE.match(line)
    return _short(match.group("value")) if match else None


def copyright_credit(line: str) -> str | None:
    """The holder in a "© X / Y" credit."""
    match = _COPYRIGHT.match(line)
    return _short(match.group("value")) if match else None


def source_line(line: str) -> Credit | None:
    """A labelled source line ("المصدر: تاس")."""
    match = _SOURCE_LINE.match(line)
    if not match:
        return None
    value = _short(match.group("value"))
    return Credit(value, agency_of(value)) if value else None


def author_line(line: str) -> list[str] | None:
    """Names in a labelled byline ("Авторы: Иван Петров, Анна Смирнова" -> two names)."""
    if len(line) > 120:
        return None
    match = _AUTHOR_LINE.match(line)
    if not match:
        return None
    return split_names(match.group("value"))


# Arabic "and" (و) splits only when it stands alone: attached, it may begin a name (وليد).
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bи\b|\sو\s|&|\|)\s*", re.IGNORECASE)
_NAME_NOISE = re.compile(
    r"^(?:by|von|par|por|de|from)\s+|\s*[|/,]\s*(?:\d.*)?$|\b(?:updated|published|staff|reporter)\b.*$",
    re.IGNORECASE,
)


# Attached Arabic "and": "أحمد سالم ومحمد حسن" is two names when both sides have two words
# or more (a single و-initial name such as "وليد خالد" is left alone).
_ATTACHED_AND = re.compile(r"^(?P<left>\S+(?:\s+\S+)+?)\s+و(?P<right>\S+\s+\S+.*)$")


def _split_attached_and(part: str) -> list[str]:
    match = _ATTACHED_AND.match(part)
    if match is None:
        return [part]
    return [match.group("left"), *_split_attached_and(match.group("right"))]


def split_names(value: str) -> list[str]:
    """Split a list of author names; drop labels, e-mail addresses and dates."""
    names = []
    parts = [p for chunk in _NAME_SPLIT.split(value) for p in _split_attached_and(chunk.strip())]
    for part in parts:
        part = _NAME_NOISE.sub("", part.strip()).strip(" .:-–—")
        if not part or "@" in part or any(ch.isdigit() for ch in part) or len(part) > 60:
            continue
        if part not in names:
            names.append(part)
    return names


def dateline_agency(text: str) -> Credit | None:
    """The agency credited in an opening dateline ("МОСКВА, 29 июня. /ТАСС/.")."""
    head = text[:200]
    for pattern in _DATELINE_PATTERNS:
        for match in pattern.finditer(head):
            words = match.group("agency").split()
            for n in range(len(words), 0, -1):
                value = " ".join(words[:n]).strip(" .,:")
                key = key_text(value)
                if key in _AGENCY_BY_KEY:
                    return Credit(value, _AGENCY_BY_KEY[key])
    return None
