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

# Every script the bundled model knows, with the languages written in it that the model
# can tell apart; the first is the default when the detector is unsure. A script with one
# language settles it; an empty tuple means any language of the script (Latin).
_SCRIPT_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "arabic": (r"\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF", ("ar", "fa", "ur", "ps", "ku")),
    "cyrillic": (r"\u0400-\u04FF", ("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn")),
    "latin": (r"A-Za-z\u00C0-\u024F", ()),
    "hebrew": (r"\u0590-\u05FF", ("he",)),
    "greek": (r"\u0370-\u03FF", ("el",)),
    "kana": (r"\u3040-\u30FF", ("ja",)),
    "han": (r"\u4E00-\u9FFF", ("zh",)),
    "hangul": (r"\uAC00-\uD7AF\u1100-\u11FF\u3130-\u318F", ("ko",)),
    "thai": (r"\u0E00-\u0E7F", ("th",)),
    "lao": (r"\u0E80-\u0EFF", ("lo",)),
    "devanagari": (r"\u0900-\u097F", ("hi", "mr", "ne")),
    "bengali": (r"\u0980-\u09FF", ("bn", "as")),
    "gurmukhi": (r"\u0A00-\u0A7F", ("pa",)),
    "gujarati": (r"\u0A80-\u0AFF", ("gu",)),
    "oriya": (r"\u0B00-\u0B7F", ("or",)),
    "tamil": (r"\u0B80-\u0BFF", ("ta",)),
    "telugu": (r"\u0C00-\u0C7F", ("te",)),
    "kannada": (r"\u0C80-\u0CFF", ("kn",)),
    "malayalam": (r"\u0D00-\u0D7F", ("ml",)),
    "sinhala": (r"\u0D80-\u0DFF", ("si",)),
    "tibetan": (r"\u0F00-\u0FFF", ("dz",)),
    "myanmar": (r"\u1000-\u109F", ("my",)),
    "ethiopic": (r"\u1200-\u137F", ("am",)),
    "khmer": (r"\u1780-\u17FF", ("km",)),
    "georgian": (r"\u10A0-\u10FF", ("ka",)),
    "armenian": (r"\u0530-\u058F", ("hy",)),
}
_SCRIPTS = {name: re.compile(f"[{ranges}]") for name, (ranges, _) in _SCRIPT_TABLE.items()}
_CANDIDATES = {name: languages for name, (_, languages) in _SCRIPT_TABLE.items()}
# Letters that only some languages of a script use: a cheap, decisive hint.
_MARKERS = (
    ("cyrillic", re.compile(r"[іїєґІЇЄҐ]"), "uk"),
    ("cyrillic", re.compile(r"[ўЎ]"), "be"),
    ("cyrillic", re.compile(r"[ђћџљњЂЋЏЉЊ]"), "sr"),
    ("cyrillic", re.compile(r"[ѓќѕЃЌЅ]"), "mk"),
    ("cyrillic", re.compile(r"[әғқңөұүһӘҒҚҢӨҰҮҺ]"), "kk"),
    ("bengali", re.compile(r"[ৰৱ]"), "as"),
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


@lru_cache(maxsize=16)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    """The model restricted to some languages (a shallow copy shares the big arrays)."""
    identifier = copy.copy(_model())
    if languages:
        identifier.set_languages(list(languages))
    return identifier


def preload() -> None:
    """Load the model now: a process that forks workers afterwards shares it with them."""
    for candidates in _CANDIDATES.values():
        if len(candidates) != 1:
            _identifier(candidates)


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or None for text with no letters.

    ``hint`` (e.g. from ``<html lang>``) is used only when the text is too short to judge
    and the hint is written in the text's script."""
    sample = text[:_SAMPLE_CHARS]
    script = script_of(sample)
    if script is None:
        return None
    candidates = _CANDIDATES[script]
    if len(candidates) == 1:
        return candidates[0]
    hint = (hint or "").split("-")[0].lower() or None
    for marker_script, pattern, language in _MARKERS:
        if script == marker_script and len(pattern.findall(sample)) >= 3:
            return language
    if len(sample) < 40 and hint and (not candidates or hint in candidates):
        return hint
    language, confidence = _identifier(candidates).classify(sample)
    if candidates and confidence < 0.5:
        return candidates[0]
    return language
