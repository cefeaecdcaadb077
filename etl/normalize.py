"""Text and URL normalisation: the one place every key, fingerprint and test agrees on.

Two levels:
- ``clean_text`` is for *display*: it fixes what is invisible or inconsistent
  (NFC, bidi/zero-width marks, control characters, whitespace) and keeps the spelling.
- ``key_text`` is for *keys* (content hash, shingles, near-duplicate signatures):
  it also folds spelling variants that do not change meaning (Arabic hamza forms,
  harakat, tatweel, Persian letters, digits, ё, case).

NFKC alone is not enough, and NFD-based accent stripping is wrong for Cyrillic
(it turns й into и), so the folds are explicit tables.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Invisible marks: zero-width space, LRM/RLM, bidi embedding/isolate controls, Arabic letter
# mark, word joiners, BOM, soft hyphen. Deleted everywhere. ZWNJ/ZWJ (U+200C/D) are spelling
# in Persian and Indic scripts: kept for display, deleted only in keys.
_JOINERS = dict.fromkeys([0x200C, 0x200D])
_INVISIBLE = dict.fromkeys(
    [
        0x200B,
        0x200E,
        0x200F,
        0x061C,
        0x180E,
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
        0x00AD,
    ]
)
# C0/C1 control characters except tab/newline/carriage return: they crash XML tools.
_CONTROL = dict.fromkeys([c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (9, 10, 13)])

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian (U+06F0..) digits.
DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}

# Folds used only for keys.
_ARABIC_MARKS = dict.fromkeys([0x0640, *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)])
_KEY_LETTERS = {
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("آ"): "ا",
    ord("ٱ"): "ا",
    ord("ى"): "ي",
    ord("ة"): "ه",
    ord("ی"): "ي",  # Persian yeh
    ord("ک"): "ك",  # Persian keheh
    ord("ё"): "е",
    ord("Ё"): "Е",
}
_DISPLAY_TABLE = _INVISIBLE | _CONTROL
_KEY_TABLE = _DISPLAY_TABLE | _JOINERS | _ARABIC_MARKS | _KEY_LETTERS | DIGITS

_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_WORD = re.compile(r"\w+")


_DISPLAY_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_DISPLAY_TABLE)) + "]+")


def strip_controls(text: str) -> str:
    """Remove control characters and invisible marks (safe before any XML/HTML parser).
    A regex, not str.translate: pages are large and such characters rare."""
    return _DISPLAY_CHARS.sub("", text)


def fold_digits(text: str) -> str:
    """Map Arabic-Indic and Persian digits to ASCII digits."""
    return text.translate(DIGITS)


def squeeze(text: str) -> str:
    """Collapse runs of whitespace into one space and trim."""
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """Display normalisation: NFC, no invisible/control characters, tidy whitespace.

    Paragraphs (blank-line separated) are kept; spaces inside a line are collapsed.
    """
    text = unicodedata.normalize("NFC", text.translate(_DISPLAY_TABLE)).replace("\r\n", "\n")
    text = text.replace("\r", "\n").replace("\u00a0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def key_text(text: str) -> str:
    """Key normalisation: ``clean_text`` plus spelling folds, case folding, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_KEY_TABLE)
    return squeeze(text.casefold().replace("ё", "е"))


def key_words(text: str) -> list[str]:
    """Words of the key-normalised text (letters, digits, underscore), punctuation dropped."""
    return _WORD.findall(key_text(text))


# --- URLs ---------------------------------------------------------------------------

_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl"
    r"|ref|ref_src|cmpid|ocid|at_medium|at_campaign)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def canonical_url(url: str | None) -> str | None:
    """The URL under which an article is keyed: lower-case scheme and host, default port
    and fragment dropped, tracking parameters removed, remaining parameters sorted.

    Returns None for anything that is not an absolute http(s) URL.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
        port = parts.port
    except ValueError:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)
    )
    # One spelling per path: "/أخبار", "/%D8%A3..." and "/%d8%a3..." are the same page.
    # An encoded slash (%2F) is not a path separator and %25 is a literal "%": keep both encoded.
    # Runs of slashes collapse, except after a scheme inside the path: an embedded URL
    # (Wayback's /web/2011.../http://host/...) keeps its "//".
    path = re.sub(r"(?<!:)/{2,}", "/", parts.path)
    path = re.sub(r"%(2[fF]|25)", lambda m: "%25" + m.group(1).upper(), path)
    path = quote(unquote(path), safe=_PATH_SAFE) or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def site_of(url: str | None) -> str | None:
    """The site an URL belongs to: its host without a leading ``www.``."""
    canon = canonical_url(url)
    if canon is None:
        return None
    host = urlsplit(canon).hostname or ""
    return host[4:] if host.startswith("www.") else host
