"""bytes -> str: BOMs, declared charsets and their precedence, detection of undeclared
legacy Cyrillic/Arabic pages, and rejection of empty and binary input."""

from __future__ import annotations

import codecs
import random

import pytest

from etl.extract.decode import declared_charset, decode
from etl.models import RejectedInput

RU_LONG = (
    "Правительство России утвердило новую программу развития железнодорожного транспорта до 2030 года. "
    "Как сообщили в пресс-службе министерства, объём финансирования составит более двух триллионов "
    "рублей. Основные средства будут направлены на модернизацию подвижного состава и строительство "
    "новых линий в Сибири и на Дальнем Востоке.\n\n"
    "Эксперты отмечают, что реализация программы позволит сократить время в пути между крупными "
    "городами и снизить стоимость грузовых перевозок. Первые поезда по новой линии пойдут уже "
    "в следующем году, заявил заместитель министра."
)
RU_SHORT = "Учёные нашли новый вид жуков в Крыму."
AR_LONG = (
    "أعلنت وزارة الاقتصاد اليوم عن خطة جديدة لدعم الشركات الصغيرة والمتوسطة في مختلف المحافظات. "
    "وقال الوزير في مؤتمر صحفي إن الحكومة ستخصص مبلغا كبيرا لتمويل المشاريع التي توفر فرص عمل "
    "للشباب.\n\n"
    "وأضاف أن الخطة تشمل تسهيلات في الإجراءات الإدارية وتخفيض الضرائب خلال السنوات الثلاث المقبلة، "
    "مشيرا إلى أن البنك المركزي سيشارك في تمويل القروض الميسرة."
)
AR_SHORT = "قال رئيس الوزراء إن الحكومة ستدعم المزارعين."


def html(body: str, head: str = "", title: str = "News") -> str:
    return (
        f"<!DOCTYPE html>\n<html><head>{head}<title>{title}</title></head><body><p>{body}</p></body></html>"
    )


# --- BOMs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_decides_and_is_removed(bom: bytes, codec: str) -> None:
    text = html("Привет, мир. مرحبا بالعالم.")
    out = decode(bom + text.encode(codec))
    assert out == text  # no leading U+FEFF left in the text


def test_bom_wins_over_a_wrong_meta_declaration() -> None:
    text = html(RU_SHORT, head='<meta charset="windows-1251">')
    assert decode(codecs.BOM_UTF8 + text.encode("utf-8")) == text


def test_utf16_with_bom_is_text_not_binary() -> None:
    # UTF-16 is full of NUL bytes; with a BOM it must still be decoded, not rejected as binary.
    text = html(AR_LONG, title="أخبار")
    data = text.encode("utf-16")  # Python writes the BOM
    assert b"\x00" in data
    assert decode(data) == text


# --- declared charsets --------------------------------------------------------------


def test_http_header_charset_wins_over_meta() -> None:
    # The page claims latin-1 but the server says windows-1251 (and the bytes are cp1251).
    text = html(RU_SHORT, head='<meta charset="iso-8859-1">')
    data = text.encode("cp1251")
    assert "Учёные" in decode(data, http_charset="windows-1251")
    # Without the header the (wrong) meta declaration is obeyed: mojibake, not the Cyrillic words.
    assert "Учёные" not in decode(data)


def test_unknown_http_charset_label_is_ignored() -> None:
    text = html(AR_SHORT, head='<meta charset="windows-1256">')
    assert AR_SHORT in decode(text.encode("cp1256"), http_charset="x-no-such-charset")


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="windows-1251">',
        "<meta charset=windows-1251>",
        "<META CHARSET='cp1251'>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
        '<meta content="text/html; charset=windows-1251" http-equiv="content-type">',
    ],
)
def test_meta_charset_forms(head: str) -> None:
    text = html(RU_LONG, head=head)
    assert declared_charset(text.encode("cp1251")) == "cp1251"
    assert decode(text.encode("cp1251")) == text


def test_meta_declaration_for_koi8_r_is_obeyed() -> None:
    # A declaration that decodes must be used even though the detector might guess otherwise.
    text = html(RU_SHORT, head='<meta charset="koi8-r">')
    assert decode(text.encode("koi8-r")) == text


def test_xml_declaration() -> None:
    text = f'<?xml version="1.0" encoding="windows-1256"?>\n<article><p>{AR_LONG}</p></article>'
    data = text.encode("cp1256")
    assert declared_charset(data) == "cp1256"
    assert decode(data) == text


def test_strict_utf8_without_declaration() -> None:
    text = html(f"{RU_SHORT} {AR_SHORT} Café – “quotes”")
    assert decode(text.encode("utf-8")) == text


# --- undeclared legacy code pages ----------------------------------------------------


@pytest.mark.parametrize("wrap", [False, True], ids=["text", "html"])
@pytest.mark.parametrize(
    ("text", "codec", "words"),
    [
        (RU_LONG, "cp1251", ["Правительство", "объём", "железнодорожного", "Дальнем", "заместитель"]),
        (RU_SHORT, "cp1251", ["Учёные", "жуков", "Крыму"]),
        (AR_LONG, "cp1256", ["أعلنت", "وزارة", "الاقتصاد", "الإجراءات", "الميسرة"]),
        (AR_SHORT, "cp1256", ["رئيس", "الوزراء", "المزارعين"]),
    ],
    ids=["ru-long", "ru-short", "ar-long", "ar-short"],
)
def test_undeclared_legacy_code_pages(text: str, codec: str, words: list[str], wrap: bool) -> None:
    doc = html(text, title="Новости" if codec == "cp1251" else "أخبار") if wrap else text
    data = doc.encode(codec)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a legacy page, not accidentally valid UTF-8
    out = decode(data)
    for word in words:
        assert word in out
    assert out == doc


@pytest.mark.parametrize(
    ("text", "codec", "word"),
    [(RU_LONG, "cp1251", "триллионов"), (AR_LONG, "cp1256", "الضرائب")],
)
def test_wrong_declaration_that_fails_falls_back_to_detection(text: str, codec: str, word: str) -> None:
    doc = html(text, head='<meta charset="utf-8">')
    out = decode(doc.encode(codec))
    assert word in out
    assert out == doc


def test_wrong_http_charset_that_fails_falls_back_to_detection() -> None:
    out = decode(RU_LONG.encode("cp1251"), http_charset="utf-8")
    assert out == RU_LONG


# --- rejected input ------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\r\n\t  \n"], ids=["empty", "spaces", "newlines"])
def test_empty_input_is_rejected(data: bytes) -> None:
    with pytest.raises(RejectedInput) as info:
        decode(data)
    assert info.value.reason == "empty input"
    assert info.value.stage == "decode"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + bytes(200)


@pytest.mark.parametrize(
    "data",
    [
        PNG,
        random.Random(7).randbytes(4096),
        bytes(b for b in random.Random(8).randbytes(8192) if b != 0),  # binary without NULs
        b"<html><body>hello\x00\x00\x00world</body></html>",
        b"\x00" * 64,
    ],
    ids=["png", "random", "random-no-nul", "html-with-nuls", "nuls"],
)
def test_binary_input_is_rejected(data: bytes) -> None:
    with pytest.raises(RejectedInput) as info:
        decode(data)
    assert "binary" in info.value.reason
    assert info.value.stage == "decode"


def test_valid_utf8_wins_over_a_stale_single_byte_declaration() -> None:
    """A template that still says iso-8859-1 around UTF-8 content: browsers would show
    'mÃ¥lrette', the archive keeps the text the site wrote."""
    page = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>målrette – « Ок »</p>'
    assert "målrette – « Ок »" in decode(page.encode("utf-8"))
    assert "målrette – « Ок »" in decode(page.encode("utf-8"), http_charset="windows-1252")


def test_a_declared_single_byte_page_that_is_not_utf8_keeps_its_declaration() -> None:
    page = '<meta charset="windows-1251"><p>Новости дня: «Ура» — ещё</p>'
    assert "Новости дня: «Ура» — ещё" in decode(page.encode("cp1251"))
