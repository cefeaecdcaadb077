"""Language of an article body (ISO 639-1).

``<html lang>`` is wrong on many non-English pages, so the text decides. The script
settles most cases cheaply; within a script, py3langid (a bundled model, no download)
is asked to choose only among the languages written in that script, which avoids its
classic confusions (Persian vs Arabic on short texts, Ukrainian vs Russian).
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

_SCRIPTS: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]"),
    "cyrillic": re.compile(r"[\u0400-\u04FF]"),
    "latin": re.compile(r"[A-Za-z\u00C0-\u024F]"),
    "hebrew": re.compile(r"[\u0590-\u05FF]"),
    "greek": re.compile(r"[\u0370-\u03FF]"),
    "kana": re.compile(r"[\u3040-\u30FF]"),
    "han": re.compile(r"[\u4E00-\u9FFF]"),
    "hangul": re.compile(r"[\uAC00-\uD7AF]"),
    "thai": re.compile(r"[\u0E00-\u0E7F]"),
    "devanagari": re.compile(r"[\u0900-\u097F]"),
    "georgian": re.compile(r"[\u10A0-\u10FF]"),
    "armenian": re.compile(r"[\u0530-\u058F]"),
}
# Languages sharing a script; the first is the default when the detector is unsure.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "arabic": ("ar", "fa", "ur", "ps", "ku"),
    "cyrillic": ("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn"),
    "latin": (),  # any Latin-script language
}
_FIXED = {
    "hebrew": "he",
    "greek": "el",
    "kana": "ja",
    "han": "zh",
    "hangul": "ko",
    "thai": "th",
    "devanagari": "hi",
    "georgian": "ka",
    "armenian": "hy",
}
# Letters that only some languages of a script use: a cheap, decisive hint.
_MARKERS = (
    ("cyrillic", re.compile(r"[іїєґІЇЄҐ]"), "uk"),
    ("cyrillic", re.compile(r"[ўЎ]"), "be"),
    ("cyrillic", re.compile(r"[ђћџљњЂЋЏЉЊ]"), "sr"),
    ("cyrillic", re.compile(r"[ѓќѕЃЌЅ]"), "mk"),
    ("cyrillic", re.compile(r"[әғқңөұүһӘҒҚҢӨҰҮҺ]"), "kk"),
)
_SAMPLE_CHARS = 3000


def script_of(text: str) -> str | None:
    """The dominant script of a text sample (kana beats han: Japanese mixes both)."""
    sample = text[:_SAMPLE_CHARS]
    counts = {name: len(p.findall(sample)) for name, p in _SCRIPTS.items()}
    if counts["kana"] > 10:
        return "kana"
    name, count = max(counts.items(), key=lambda kv: kv[1])
    return name if count else None


@lru_cache(maxsize=1)
def _model() -> LanguageIdentifier:
    """The bundled model, loaded once per process (about a second)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    """The model restricted to some languages (a shallow copy shares the big arrays)."""
    identifier = copy.copy(_model())
    if languages:
        identifier.set_languages(list(languages))
    return identifier


def preload() -> None:
    """Load the model now: a process that forks workers afterwards shares it with them."""
    for candidates in _CANDIDATES.values():
        _identifier(candidates)


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or None for text with no letters.

    ``hint`` (e.g. from ``<html lang>``) is used only when the text is too short to judge
    and the hint is written in the text's script."""
    sample = text[:_SAMPLE_CHARS]
    script = script_of(sample)
    if script is None:
        return None
    if script in _FIXED:
        return _FIXED[script]
    hint = (hint or "").split("-")[0].lower() or None
    for marker_script, pattern, language in _MARKERS:
        if script == marker_script and len(pattern.findall(sample)) >= 3:
            return language
    candidates = _CANDIDATES.get(script, ())
    if len(sample) < 40 and hint and (not candidates or hint in candidates):
        return hint
    language, confidence = _identifier(candidates).classify(sample)
    if candidates and confidence < 0.5:
        return candidates[0]
    return language
