"""Text and URL normalisation: display text keeps the spelling, keys fold variants,
canonical URLs give one spelling per page."""

from __future__ import annotations

import unicodedata

import pytest

from etl.normalize import canonical_url, clean_text, key_text, key_words, site_of

# --- clean_text ----------------------------------------------------------------------


def test_clean_text_composes_to_nfc() -> None:
    decomposed = "Cafe\u0301 и\u0306ога"  # é and й as base letter + combining mark
    out = clean_text(decomposed)
    assert out == "Café йога"
    assert unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize(
    "mark",
    list("\u200b\u200e\u200f\u202a\u202b\u202c\u202e\u2066\u2069\u2060\u061c\ufeff\u00ad"),
)
def test_clean_text_removes_invisible_marks(mark: str) -> None:
    assert clean_text(f"الخبر{mark} العاجل in{mark}formation") == "الخبر العاجل information"


def test_clean_text_removes_control_characters_but_keeps_line_breaks() -> None:
    out = clean_text("Title\x00\x07\x1b\x7f\x85\x9f here\r\nsecond line\rthird line")
    assert out == "Title here\nsecond line\nthird line"


def test_clean_text_nbsp_and_space_runs_become_one_space() -> None:
    assert clean_text("10\u00a0000   рублей\t\t за  тонну \u00a0") == "10 000 рублей за тонну"


def test_clean_text_keeps_paragraphs() -> None:
    raw = "  First  paragraph,\nsame paragraph.  \n\n\n\n  Second\u00a0paragraph. \n \t \nThird.\n\n"
    assert clean_text(raw) == "First paragraph,\nsame paragraph.\n\nSecond paragraph.\n\nThird."


def test_clean_text_keeps_spelling() -> None:
    # Display text is not folded: hamza, harakat, ё, digits and case stay as written.
    text = "أُعلن عن ٢٠٢٤ Ёлка ДОМ"
    assert clean_text(text) == text


# --- key_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("الســــلام", "السلام"),  # tatweel
        ("كَتَبَ الوَلَدُ", "كتب الولد"),  # harakat (fatha, damma)
        ("مُحَمَّدٌ", "محمد"),  # shadda, tanwin
        ("هٰذا", "هذا"),  # dagger alef
        ("الرَّحِيمِۖ", "الرحيم"),  # Quranic annotation mark
        ("ذَٰلِكَ ٱلْكِتَابُ", "ذلك الكتاب"),  # dagger alef, alef wasla, sukun
        ("لٰكن", "لكن"),  # dagger alef as in the modern spelling
        ("أحمد إبراهيم آمن", "احمد ابراهيم امن"),  # hamza forms of alef
        ("مستشفى", "مستشفي"),  # alef maqsura -> yeh
        ("مدرسة", "مدرسه"),  # teh marbuta -> heh
        ("ایران کتاب", "ايران كتاب"),  # Persian yeh and keheh
        ("٢٠٢٤", "2024"),  # Arabic-Indic digits
        ("۱۴۰۳", "1403"),  # Persian digits
        ("ёлка", "елка"),
        ("Ёлка ЁЖ", "елка еж"),
        ("BREAKING News", "breaking news"),
        ("Straße", "strasse"),  # full case folding, not lower()
    ],
)
def test_key_text_folds(variant: str, plain: str) -> None:
    assert key_text(variant) == key_text(plain) == plain


@pytest.mark.parametrize(
    "mark",
    list("\u200b\u200c\u200d\u200e\u200f\u202b\u202c\u2067\u2069\ufeff\u00ad\u2060\u061c"),
)
def test_key_text_drops_bidi_zero_width_bom_soft_hyphen(mark: str) -> None:
    assert key_text(f"{mark}new{mark}s wo{mark}rld{mark}") == "news world"


def test_key_text_keeps_short_i_in_cyrillic() -> None:
    # NFD accent stripping would turn й into и: "война" (war) must not become "воина" (warrior's).
    assert key_text("Война и мир. ЙОД, Йемен, край") == "война и мир. йод, йемен, край"
    assert key_text("война") != key_text("воина")
    assert key_text("и\u0306") == "й"  # a decomposed й is composed, not stripped
    assert key_words("Новый музей открылся") == ["новый", "музей", "открылся"]


def test_key_text_keeps_other_letters_with_marks() -> None:
    # Only the listed folds apply: diacritics that distinguish letters elsewhere survive.
    assert key_text("Łódź Ñandú ї ў") == "łódź ñandú ї ў"


def test_key_text_single_spaces_and_nbsp() -> None:
    assert key_text("  a\u00a0\u00a0b\n\nc\t d\u202fe ") == "a b c d e"


def test_key_text_same_key_for_spelling_variants_of_one_sentence() -> None:
    a = "أعلنت الحكومةُ اليومَ عن زيادة الرواتب بنسبة ١٠٪ في مستشفى المدينة"
    b = "اعلنت الحكومـــة اليوم عن زياده الرواتب بنسبة 10٪ في مستشفي المدينه"
    assert key_text(a) == key_text(b)


# --- canonical_url -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # tracking parameters removed, the others sorted
        (
            "https://example.com/news/1?utm_source=tw&utm_medium=social&id=7&fbclid=abc&gclid=x&a=1",
            "https://example.com/news/1?a=1&id=7",
        ),
        ("https://example.com/a?ref=home&page=2&_ga=1.2.3&mc_cid=9&yclid=5", "https://example.com/a?page=2"),
        ("https://example.com/a?utm_source=x", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x&b=", "https://example.com/a?b="),
        # fragment dropped
        ("https://example.com/a#comments", "https://example.com/a"),
        # default ports dropped, others kept
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # scheme and host case, trailing dot, empty path
        ("HTTPS://WWW.Example.COM./News/Item", "https://www.example.com/News/Item"),
        ("https://example.com", "https://example.com/"),
        # surrounding whitespace
        ("  https://example.com/a \n", "https://example.com/a"),
        # IDN hosts in punycode
        ("https://Пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"),
        ("https://موقع.وزارة-الاتصالات.مصر/", "https://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/"),
        # percent-encoding in paths: one spelling
        (
            "https://example.com/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1",
            "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1",
        ),
        ("https://example.com/أخبار", "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1"),
        ("https://example.com/%7Euser/a%20b", "https://example.com/~user/a%20b"),
        ("https://example.com/новости/1", "https://example.com/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1"),
        # encoded slash is not a separator: kept encoded (and upper-cased)
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        # IPv6 literal
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        # doubled slashes collapse, but not the "//" of a URL embedded in the path (Wayback)
        ("https://example.com//news///1", "https://example.com/news/1"),
        (
            "https://web.archive.org/web/20110101000000/http://news.example//a.html",
            "https://web.archive.org/web/20110101000000/http://news.example/a.html",
        ),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


def test_canonical_url_encoded_slash_differs_from_real_slash() -> None:
    assert canonical_url("https://example.com/a%2Fb") != canonical_url("https://example.com/a/b")


def test_canonical_url_spellings_of_one_page_agree() -> None:
    spellings = [
        "https://www.example.com/أخبار/2024?id=5",
        "HTTPS://WWW.EXAMPLE.COM:443/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/2024?id=5&utm_source=fb#top",
        "https://www.example.com/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/2024?fbclid=1&id=5",
    ]
    assert len({canonical_url(u) for u in spellings}) == 1


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "ftp://example.com/file.txt",
        "mailto:editor@example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,hello",
        "/relative/path.html",
        "//example.com/no-scheme",
        "example.com/no-scheme",
        "https://",
        "https://example.com:99999/bad-port",
    ],
)
def test_canonical_url_rejects_non_http(url: str | None) -> None:
    assert canonical_url(url) is None


# --- site_of ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.aljazeera.net/news/2024/1/1/x", "aljazeera.net"),
        ("https://WWW.RIA.RU/20240101/x.html?utm_source=y", "ria.ru"),
        ("https://news.bbc.co.uk/x", "news.bbc.co.uk"),
        ("https://example.com:8080/x", "example.com"),
        ("https://www2.example.com/x", "www2.example.com"),
        ("https://wwwnews.example.com/x", "wwwnews.example.com"),
        ("https://www.пример.рф/x", "xn--e1afmkfd.xn--p1ai"),
        ("ftp://www.example.com/x", None),
        (None, None),
    ],
)
def test_site_of(url: str | None, site: str | None) -> None:
    assert site_of(url) == site


def test_persian_zero_width_non_joiner_is_spelling_for_display_not_for_keys() -> None:
    word = "می\u200cخواهم"
    assert clean_text(word) == word
    assert key_text(word) == key_text("میخواهم")
