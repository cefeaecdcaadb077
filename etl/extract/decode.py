"""bytes -> str: BOM, strict UTF-8, declared charset (HTTP header, then <meta>), then a detector.

Legacy Arabic and Russian pages often declare nothing. charset-normalizer ranks
candidates; among close candidates it confuses windows-1251 with MacCyrillic and
windows-1256 with ISO-8859-6, so the single-byte code pages that news sites actually
used are preferred when they decode the bytes cleanly.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from etl.models import RejectedInput

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# What the detector confuses with the code pages Cyrillic and Arabic news sites really used.
_CONFUSABLE = {
    "mac_cyrillic": "cp1251",
    "iso8859_5": "cp1251",
    "cp866": "cp1251",
    "cp855": "cp1251",
    "iso8859_6": "cp1256",
    "cp864": "cp1256",
    "cp720": "cp1256",
    "mac_arabic": "cp1256",
}
# Browsers treat these labels as these encodings (WHATWG Encoding Standard).
_ALIASES = {"iso-8859-1": "windows-1252", "latin1": "windows-1252", "ascii": "windows-1252"}
_SNIFF_BYTES = 4096


def _codec(label: str | bytes | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares in its first bytes (<meta charset> or XML declaration)."""
    head = data[:_SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return _codec(match.group(1)) if match else None


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> str | None:
    """Decode with charset-normalizer, mapping its usual confusions to the common code page."""
    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    codec = _codec(best.encoding)
    preferred = _CONFUSABLE.get(codec or "")
    return _try(data, preferred) or _try(data, codec) or str(best)


def looks_binary(data: bytes) -> bool:
    """True for bytes no text document contains: more than a stray NUL, or a high share of
    control bytes. (A few junk bytes inside a real page are damage, not binary data.)"""
    sample = data[:8192]
    if not sample or sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False  # UTF-16 text is half NUL bytes
    if sample.count(b"\x00") > max(4, len(sample) // 200):
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls / len(sample) > 0.05


# Share of undecodable characters tolerated: in a declared charset (browsers honour the
# declaration and show damage as U+FFFD; beyond this it is another encoding), and in
# undeclared UTF-8.
MAX_DAMAGE_DECLARED = 0.1
MAX_DAMAGE_UTF8 = 0.005


def _lenient(data: bytes, codec: str | None, max_damage: float) -> str | None:
    """Decode with replacement characters when only a few bytes are damaged."""
    if codec is None:
        return None
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return None
    return text if text.count("\ufffd") <= max_damage * max(len(text), 1) else None


def decode(data: bytes, http_charset: str | None = None) -> str:
    """Decode a document. Order: BOM, strict UTF-8 (when the bytes are not all ASCII),
    HTTP header charset, in-document declaration, detector. Raises RejectedInput for empty or binary input."""
    if not data or not data.strip():
        raise RejectedInput("empty input", stage="decode")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom) :], codec)
            if text is not None and not text.strip():
                raise RejectedInput("empty input", stage="decode")
            if text is not None:
                return text
    if looks_binary(data):
        raise RejectedInput("binary data, not a text or HTML document", stage="decode")
    declared = [c for c in (_codec(http_charset), declared_charset(data)) if c]
    if not data.isascii() and not any(c.startswith(("utf-16", "utf-32")) for c in declared):
        # Valid UTF-8 with multi-byte characters is UTF-8 whatever the page declares: CMS
        # templates keep a stale "iso-8859-1" long after the content became UTF-8, and text
        # in a single-byte code page is practically never valid UTF-8.
        text = _try(data, "utf-8")
        if text is not None:
            return text
    for codec in declared:
        text = _try(data, codec)
        if text is not None:
            return text
    # A declared charset with a few bad bytes is a damaged page, not another encoding.
    text = next(filter(None, (_lenient(data, c, MAX_DAMAGE_DECLARED) for c in declared)), None)
    text = text or _lenient(data, "utf-8", MAX_DAMAGE_UTF8) or _detect(data)
    if text is None:
        what = f"not valid {declared[0]} as declared" if declared else "no charset declared and none detected"
        raise RejectedInput(f"undecodable bytes: {what}", stage="decode")
    return text
