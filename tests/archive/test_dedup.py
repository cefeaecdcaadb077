"""Deduplication: exact copies, spelling variants, revisions, near-duplicates, across runs.

The corpus in ``fixtures/dedup`` has, for each of ar/ru/en, four independently written
articles on the same event (same names, numbers and dates: the hard case for false
matches) and two on other topics. Copies are made from it with seeded perturbations.
"""

from __future__ import annotations

import functools
import random
import re
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import combinations

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from etl.archive.dedup import NEAR_THRESHOLD, Decision, DedupIndex, _Segment, band_keys
from etl.archive.fingerprint import Fingerprint, article_id, fingerprint, similarity
from etl.archive.schema import ARTICLES, DUPLICATES
from etl.normalize import canonical_url, key_words
from tests.conftest import FIXTURES

DEDUP_FIXTURES = FIXTURES / "dedup"
LANGS = ("ar", "ru", "en")
TEXTS: dict[str, str] = {p.stem: p.read_text(encoding="utf-8") for p in sorted(DEDUP_FIXTURES.glob("*.txt"))}
SAME_TOPIC = {lang: [f"{lang}_same_topic_{i}" for i in range(1, 5)] for lang in LANGS}
OTHER = {lang: [f"{lang}_other_{i}" for i in range(1, 3)] for lang in LANGS}

RATES = (0.01, 0.02, 0.03, 0.05)
SEEDS = range(10)
RECALL_TARGET = 0.99

# Words a copy editor or a republishing site could bring in.
VOCAB = {
    "ar": ["وقال", "أمس", "الرئيس", "مصادر", "اليوم", "الحكومة", "رسمية", "جديدة", "كما", "أيضا", "المصرية"],
    "ru": ["также", "сегодня", "сообщил", "заявил", "официально", "новый", "при", "этом", "однако", "России"],
    "en": ["also", "today", "officials", "said", "reported", "local", "new", "however", "earlier", "the"],
}
BOILERPLATE = {
    "ar": ["اقرأ أيضا: أسعار الذهب اليوم في مصر", "تابعونا على فيسبوك وتويتر", "جميع الحقوق محفوظة © 2024"],
    "ru": ["Читайте также: Курс доллара на сегодня", "Подписывайтесь на наш канал в Telegram", "Фото: РИА"],
    "en": [
        "Follow us on Twitter",
        "Read more: The latest on the markets",
        "Sign up for our daily newsletter",
    ],
}
CHROME = {
    "ar": ("الرئيسية > أخبار > عربي ودولي", "شارك هذا الخبر: فيسبوك | تويتر | واتساب"),
    "ru": ("Главная > Экономика > Финансы", "Поделиться: ВКонтакте | Одноклассники | Telegram"),
    "en": ("Home > World > Europe", "Share this article: Facebook | X | Email"),
}

_HAS_WORD = re.compile(r"\w")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


# --- helpers ------------------------------------------------------------------------


def lang_of(name: str) -> str:
    return name[:2]


def fp_of(text: str, url: str | None) -> Fingerprint:
    return fingerprint(text, canonical_url(url))


def origin_url(name: str) -> str:
    return f"https://www.origin-{lang_of(name)}.example.com/news/2024/{name}.html"


def archive(
    items: Iterable[tuple[str, str | None]], index: DedupIndex | None = None
) -> tuple[DedupIndex, list]:
    """Classify and add (text, url) items in order; every one must be new. Returns the ids."""
    index = index if index is not None else DedupIndex()
    ids = []
    for text, url in items:
        fp = fp_of(text, url)
        decision = index.classify(fp)
        assert decision.kind == "new", (url, decision)
        index.add(fp, decision)
        ids.append(decision.article_id)
    return index, ids


def archive_all_bases() -> tuple[DedupIndex, dict[str, str]]:
    names = sorted(TEXTS)
    index, ids = archive((TEXTS[n], origin_url(n)) for n in names)
    return index, dict(zip(names, ids, strict=True))


# --- perturbations (all driven by a seeded random.Random) -----------------------------


@functools.lru_cache(maxsize=64)
def _word_count(text: str) -> int:
    return len(key_words(text))


def edit_count(text: str, rate: float) -> int:
    return max(1, round(rate * _word_count(text)))


def _word_positions(tokens: list[str]) -> list[int]:
    return [i for i, t in enumerate(tokens) if _HAS_WORD.search(t)]


def _other_word(rng: random.Random, tokens: list[str], vocab: list[str], old: str) -> str:
    """A word from the same text or the vocabulary whose key differs from ``old``."""
    for _ in range(100):
        candidate = rng.choice(tokens) if rng.random() < 0.5 else rng.choice(vocab)
        if _HAS_WORD.search(candidate) and key_words(candidate) != key_words(old):
            return candidate
    raise AssertionError(f"no replacement found for {old!r}")


def replace_words(text: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    tokens = text.split()
    out = list(tokens)
    for i in rng.sample(_word_positions(tokens), edit_count(text, rate)):
        out[i] = _other_word(rng, tokens, vocab, tokens[i])
    return " ".join(out)


def delete_words(text: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    tokens = text.split()
    drop = set(rng.sample(_word_positions(tokens), edit_count(text, rate)))
    return " ".join(t for i, t in enumerate(tokens) if i not in drop)


def insert_words(text: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    tokens = text.split()
    source = list(tokens)
    for _ in range(edit_count(text, rate)):
        tokens.insert(rng.randrange(len(tokens) + 1), _other_word(rng, source, vocab, ""))
    return " ".join(tokens)


def mixed_edits(text: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    """``edit_count`` edits, each a replacement, a deletion or an insertion at a random place."""
    tokens = text.split()
    source = list(tokens)
    for _ in range(edit_count(text, rate)):
        op = rng.choice(("replace", "delete", "insert"))
        if op == "insert":
            tokens.insert(rng.randrange(len(tokens) + 1), _other_word(rng, source, vocab, ""))
            continue
        i = rng.randrange(len(tokens))
        while not _HAS_WORD.search(tokens[i]):
            i = rng.randrange(len(tokens))
        if op == "delete":
            del tokens[i]
        else:
            tokens[i] = _other_word(rng, source, vocab, tokens[i])
    return " ".join(tokens)


EDITS: dict[str, Callable[[str, float, random.Random, list[str]], str]] = {
    "replace": replace_words,
    "delete": delete_words,
    "insert": insert_words,
    "mixed": mixed_edits,
}


def add_line(text: str, line: str, at: str) -> str:
    return f"{line}\n\n{text}" if at == "start" else f"{text}\n\n{line}"


def change_punctuation(text: str, rng: random.Random | None = None) -> str:
    """Other quotes, dashes, apostrophes and commas: the words are unchanged."""
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        elif ch in "«»":
            out.append("„" if ch == "«" else "“")
        else:
            out.append({"'": "’", "—": "-", ",": ";", "،": ",", "?": "؟"}.get(ch, ch))
    return "".join(out).replace(". ", "! ").replace(" - ", " — ")


def _sprinkle(text: str, rng: random.Random, marks: str, p: float, where: re.Pattern[str]) -> str:
    """Insert one of ``marks`` after characters matching ``where`` that are followed by a
    word character (so the mark lands inside a word), with probability ``p``."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if where.match(ch) and _HAS_WORD.match(nxt) and rng.random() < p:
            out.append(rng.choice(marks))
    return "".join(out)


def hamza_swap(text: str, rng: random.Random) -> str:
    # أردوغان / إردوغان, and every other hamza on alef swapped or dropped.
    text = text.replace("أردوغان", "إردوغان")
    return text.translate(str.maketrans({"أ": "إ", "إ": "ا", "آ": "ا"}))


def hamza_decomposed(text: str, rng: random.Random) -> str:
    # Alef + combining hamza above/below, as some keyboards and OCR produce it.
    return text.replace("أ", "ا\u0654").replace("إ", "ا\u0655")


def harakat(text: str, rng: random.Random) -> str:
    marks = "".join(chr(c) for c in range(0x064B, 0x0653))  # tanween, fatha, damma, kasra, shadda, sukun
    out = []
    for ch in text:
        out.append(ch)
        if _ARABIC_LETTER.match(ch) and rng.random() < 0.4:
            out.append(rng.choice(marks))
    return "".join(out)


def tatweel(text: str, rng: random.Random) -> str:
    return _sprinkle(text, rng, "\u0640", 0.2, _ARABIC_LETTER)


def alef_maksura(text: str, rng: random.Random) -> str:
    # ى -> ي everywhere, and a final ي written as ى.
    text = text.replace("ى", "ي")
    return re.sub(r"ي\b", "ى", text)


def ta_marbuta(text: str, rng: random.Random) -> str:
    return text.replace("ة", "ه")


def persian_letters(text: str, rng: random.Random) -> str:
    return text.replace("ي", "ی").replace("ك", "ک")


def arabic_indic_digits(text: str, rng: random.Random) -> str:
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def persian_digits(text: str, rng: random.Random) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def yo_to_e(text: str, rng: random.Random) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def yo_decomposed(text: str, rng: random.Random) -> str:
    return text.replace("ё", "е\u0308")


def zero_width(text: str, rng: random.Random) -> str:
    # ZWSP, ZWNJ, ZWJ, soft hyphen and BOM/ZWNBSP inside words.
    return _sprinkle(text, rng, "\u200b\u200c\u200d\u00ad\ufeff", 0.05, _HAS_WORD)


def word_joiner(text: str, rng: random.Random) -> str:
    # U+2060 WORD JOINER: the zero-width non-breaking mark that replaced U+FEFF for that use.
    return _sprinkle(text, rng, "\u2060", 0.05, _HAS_WORD)


def bidi_marks(text: str, rng: random.Random) -> str:
    # LRM/RLM/ALM before words, and numbers wrapped in embedding and isolate controls.
    text = re.sub(r"\s(?=\w)", lambda m: m.group() + rng.choice("\u200e\u200f\u061c"), text)
    return re.sub(
        r"\d+",
        lambda m: rng.choice(["\u202a{}\u202c", "\u2066{}\u2069", "\u2067{}\u2069"]).format(m.group()),
        text,
    )


def nbsp(text: str, rng: random.Random) -> str:
    return "".join(rng.choice(["\u00a0", "\u202f", " "]) if ch == " " else ch for ch in text)


def upper_case(text: str, rng: random.Random) -> str:
    return text.upper()


def title_case(text: str, rng: random.Random) -> str:
    return text.title()


def reflow(text: str, rng: random.Random) -> str:
    # Other line breaks and spacing around the same words.
    return "\r\n".join(" ".join(text.split()[i : i + 9]) for i in range(0, len(text.split()), 9)) + "\n\n"


VARIANTS: dict[str, list[Callable[[str, random.Random], str]]] = {
    "ar": [
        hamza_swap,
        hamza_decomposed,
        harakat,
        tatweel,
        alef_maksura,
        ta_marbuta,
        persian_letters,
        arabic_indic_digits,
        persian_digits,
        zero_width,
        word_joiner,
        bidi_marks,
        nbsp,
        change_punctuation,
        reflow,
    ],
    "ru": [
        yo_to_e,
        yo_decomposed,
        upper_case,
        title_case,
        zero_width,
        word_joiner,
        bidi_marks,
        nbsp,
        change_punctuation,
    ],
    "en": [upper_case, title_case, zero_width, word_joiner, bidi_marks, nbsp, change_punctuation, reflow],
}
# Everything at once (word_joiner left out: it is tested on its own).
COMBINED = {
    "ar": [
        hamza_swap,
        harakat,
        tatweel,
        alef_maksura,
        ta_marbuta,
        persian_letters,
        persian_digits,
        zero_width,
        nbsp,
    ],
    "ru": [yo_to_e, upper_case, zero_width, bidi_marks, nbsp, change_punctuation],
    "en": [title_case, zero_width, nbsp, change_punctuation],
}


def apply_all(text: str, variants: list[Callable[[str, random.Random], str]], seed: int = 0) -> str:
    rng = random.Random(seed)
    for variant in variants:
        text = variant(text, rng)
    return text


# --- the corpus itself ----------------------------------------------------------------


def test_corpus_has_four_same_topic_and_two_other_articles_per_language():
    expected = {n for lang in LANGS for n in SAME_TOPIC[lang] + OTHER[lang]}
    assert set(TEXTS) == expected
    for name, text in TEXTS.items():
        assert 150 <= len(key_words(text)) <= 400, (name, len(key_words(text)))
        assert unicodedata.is_normalized("NFC", text), name


# --- near-duplicate recall ------------------------------------------------------------


def _recall_table(hits: Counter, totals: Counter) -> str:
    labels = sorted({label for _, label in totals}, key=str)
    rows = []
    for lang in LANGS:
        cells = [f"{label}: {hits[lang, label]}/{totals[lang, label]}" for label in labels]
        rows.append(f"{lang}  " + "  ".join(cells))
    return "\n".join(rows)


def measure_recall() -> tuple[Counter, Counter, list[str]]:
    """Every base archived; copies under other URLs classified (not added) one by one."""
    index, ids = archive_all_bases()
    hits: Counter = Counter()
    totals: Counter = Counter()
    misses: list[str] = []

    def check(name: str, label: str, copy: str, url: str) -> None:
        decision = index.classify(fp_of(copy, url))
        lang = lang_of(name)
        totals[lang, label] += 1
        if decision.kind in ("near_duplicate", "duplicate") and decision.duplicate_of == ids[name]:
            hits[lang, label] += 1
        else:
            misses.append(f"{name} {label} {url}: {decision.kind} sim={decision.similarity:.2f}")

    for name, text in sorted(TEXTS.items()):
        lang = lang_of(name)
        for rate in RATES:
            for seed in SEEDS:
                for kind, edit in EDITS.items():
                    rng = random.Random(f"{name}/{rate}/{seed}/{kind}")
                    copy = edit(text, rate, rng, VOCAB[lang])
                    check(name, f"{rate:.0%}", copy, f"https://mirror{seed}.example.net/{kind}/{name}")
        for i, line in enumerate(BOILERPLATE[lang]):
            for at in ("start", "end"):
                check(name, "boilerplate", add_line(text, line, at), f"https://bp{i}.example.org/{at}/{name}")
        header, footer = CHROME[lang]
        for seed in SEEDS:
            rng = random.Random(f"{name}/chrome/{seed}")
            copy = add_line(
                add_line(mixed_edits(text, 0.03, rng, VOCAB[lang]), header, "start"), footer, "end"
            )
            copy = add_line(copy, BOILERPLATE[lang][seed % 3], rng.choice(("start", "end")))
            check(name, "chrome+3%", copy, f"https://republisher{seed}.example.org/{name}")
    return hits, totals, misses


def test_near_duplicate_recall_on_copies_with_up_to_5_percent_changed():
    hits, totals, misses = measure_recall()
    total, found = sum(totals.values()), sum(hits.values())
    report = f"recall {found}/{total} = {found / total:.4f}\n{_recall_table(hits, totals)}\n" + "\n".join(
        misses[:20]
    )
    assert found / total >= RECALL_TARGET, report
    # The hardest bucket on its own must meet the target too (not only the average with 1 % copies).
    hard_hits = sum(v for (_, label), v in hits.items() if label == "5%")
    hard_total = sum(v for (_, label), v in totals.items() if label == "5%")
    assert hard_hits / hard_total >= RECALL_TARGET, report


@pytest.mark.parametrize("lang", LANGS)
def test_near_duplicate_with_spelling_variants_and_edits(lang):
    name = SAME_TOPIC[lang][0]
    index, ids = archive((TEXTS[n], origin_url(n)) for n in SAME_TOPIC[lang])
    copy = apply_all(mixed_edits(TEXTS[name], 0.03, random.Random(7), VOCAB[lang]), COMBINED[lang])
    copy = add_line(copy, BOILERPLATE[lang][0], "end")
    decision = index.classify(fp_of(copy, f"https://other.example.net/{name}"))
    assert decision.kind == "near_duplicate"
    assert decision.duplicate_of == ids[0]
    assert NEAR_THRESHOLD <= decision.similarity < 1.0
    assert decision.record is True


def test_near_duplicate_is_recorded_once_per_url():
    name = "en_same_topic_1"
    index, _ = archive([(TEXTS[name], origin_url(name))])
    copy = add_line(TEXTS[name], BOILERPLATE["en"][0], "end")
    fp = fp_of(copy, "https://mirror.example.net/story")
    first = index.classify(fp)
    assert (first.kind, first.record) == ("near_duplicate", True)
    index.add(fp, first)
    again = index.classify(fp)
    assert (again.kind, again.record) == ("near_duplicate", False)
    elsewhere = index.classify(fp_of(copy, "https://another-mirror.example.net/story"))
    assert (elsewhere.kind, elsewhere.record) == ("near_duplicate", True)
    # A near-duplicate is not stored: it must not become a match target itself.
    assert index.size == 1


# --- precision: distinct articles on the same topic -----------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_same_topic_articles_are_all_new(lang):
    names = SAME_TOPIC[lang] + OTHER[lang]
    sites = ["agency", "daily", "tv", "portal", "weekly", "radio"]
    archive(
        (TEXTS[n], f"https://www.{site}-{lang}.example.com/{n}") for n, site in zip(names, sites, strict=True)
    )


@pytest.mark.parametrize("lang", LANGS)
def test_same_topic_articles_are_all_new_in_any_order(lang):
    names = SAME_TOPIC[lang]
    for order in (names[::-1], names[1::2] + names[::2]):
        archive((TEXTS[n], f"https://site{i}.example.com/a/{n}") for i, n in enumerate(order))


@pytest.mark.parametrize("lang", LANGS)
def test_same_topic_articles_with_the_same_site_chrome_are_all_new(lang):
    header, footer = CHROME[lang]
    wrapped = [add_line(add_line(TEXTS[n], header, "start"), footer, "end") for n in SAME_TOPIC[lang]]
    wrapped = [add_line(t, line, "end") for t, line in zip(wrapped, BOILERPLATE[lang] * 2, strict=False)]
    archive((t, f"https://one-site.example.com/{lang}/{i}") for i, t in enumerate(wrapped))


def test_all_articles_across_languages_are_new():
    archive_all_bases()


def test_no_distinct_pair_reaches_the_near_threshold():
    fps = {n: fp_of(t, None) for n, t in TEXTS.items()}
    sims = {(a, b): similarity(fps[a].minhash, fps[b].minhash) for a, b in combinations(sorted(fps), 2)}
    worst = max(sims, key=sims.__getitem__)
    assert sims[worst] < NEAR_THRESHOLD, (worst, sims[worst])


def test_same_topic_copies_match_their_own_original_not_a_sibling():
    # Copies of each same-topic article, archived all together, point at the right one.
    for lang in LANGS:
        index, ids = archive((TEXTS[n], origin_url(n)) for n in SAME_TOPIC[lang])
        for name, own in zip(SAME_TOPIC[lang], ids, strict=True):
            copy = replace_words(TEXTS[name], 0.05, random.Random(name), VOCAB[lang])
            decision = index.classify(fp_of(copy, f"https://copy.example.net/{name}"))
            assert (decision.kind, decision.duplicate_of) == ("near_duplicate", own), name


# --- exact duplicates -----------------------------------------------------------------

VARIANT_CASES = [
    pytest.param(name, variant, id=f"{name}-{variant.__name__}")
    for lang in LANGS
    for name in (SAME_TOPIC[lang][0], OTHER[lang][0])
    for variant in VARIANTS[lang]
]


@pytest.mark.parametrize(("name", "variant"), VARIANT_CASES)
def test_spelling_variant_is_an_exact_duplicate(name, variant):
    text = TEXTS[name]
    changed = variant(text, random.Random(name))
    assert changed != text, "the variant must change the text"
    index, (own,) = archive([(text, origin_url(name))])
    fp = fp_of(changed, f"https://republisher.example.net/{name}")
    assert fp.content_hash == fp_of(text, None).content_hash, key_words(changed)[:30]
    decision = index.classify(fp)
    assert decision == Decision("duplicate", decision.article_id, duplicate_of=own, record=True)


@pytest.mark.parametrize("lang", LANGS)
def test_all_spelling_variants_at_once_are_an_exact_duplicate(lang):
    name = SAME_TOPIC[lang][1]
    index, (own,) = archive([(TEXTS[name], origin_url(name))])
    changed = apply_all(TEXTS[name], COMBINED[lang], seed=3)
    decision = index.classify(fp_of(changed, origin_url(name)))
    assert (decision.kind, decision.duplicate_of, decision.record) == ("duplicate", own, False)


def test_erdogan_spellings_share_one_key():
    assert key_words("أردوغان") == key_words("إردوغان") == key_words("اردوغان") == key_words("أَرْدُوغَان")
    assert key_words("أردوغـــان") == key_words("أردوغان")
    assert key_words("ещё Ёлка") == key_words("еще ЕЛКА")
    assert key_words("٢٠٢٤ ۲۰۲۴") == ["2024", "2024"]
    assert key_words("مستشفى مدرسة") == key_words("مستشفي مدرسه")
    assert key_words("پیکان") == key_words("پيكان")


def test_same_url_same_text_is_a_duplicate_not_recorded():
    name = "ru_same_topic_2"
    index, (own,) = archive([(TEXTS[name], origin_url(name))])
    decision = index.classify(fp_of(TEXTS[name], origin_url(name)))
    assert decision == Decision("duplicate", own, duplicate_of=own, record=False)


def test_same_text_without_url_is_a_duplicate_not_recorded():
    name = "ar_other_1"
    index, (own,) = archive([(TEXTS[name], None)])
    assert own == article_id(None, fp_of(TEXTS[name], None).content_hash)
    decision = index.classify(fp_of(TEXTS[name], None))
    assert (decision.kind, decision.duplicate_of, decision.record) == ("duplicate", own, False)


def test_same_text_other_url_is_recorded_once_per_url_in_a_run():
    name = "en_same_topic_2"
    index, (own,) = archive([(TEXTS[name], origin_url(name))])
    fp = fp_of(TEXTS[name], "https://aggregator.example.net/item/1")
    first = index.classify(fp)
    assert (first.kind, first.duplicate_of, first.record) == ("duplicate", own, True)
    assert first.article_id != own  # the id it would have had under its own URL
    index.add(fp, first)
    second = index.classify(fp)
    assert (second.kind, second.duplicate_of, second.record) == ("duplicate", own, False)
    third = index.classify(fp_of(TEXTS[name], "https://aggregator.example.net/item/2"))
    assert (third.kind, third.record) == ("duplicate", True)
    assert index.size == 1


def test_same_text_other_url_already_in_the_duplicates_table_is_not_recorded():
    name = "ar_same_topic_3"
    base = fp_of(TEXTS[name], origin_url(name))
    other = fp_of(TEXTS[name], "https://aggregator.example.net/ar/3")
    articles = articles_table([(base, 1)])
    duplicates = pa.table(
        {"content_hash": [other.content_hash], "url_hash": [other.url_hash]},
        schema=pa.schema([DUPLICATES.field("content_hash"), DUPLICATES.field("url_hash")]),
    )
    index = DedupIndex(articles, duplicates)
    decision = index.classify(other)
    assert (decision.kind, decision.record) == ("duplicate", False)
    assert decision.duplicate_of == article_id(base.url_hash, base.content_hash)
    fresh = DedupIndex(articles)
    assert fresh.classify(other).record is True


# --- revisions ------------------------------------------------------------------------


def test_changed_text_at_the_same_url_is_a_revision():
    name = "en_same_topic_1"
    url = origin_url(name)
    v1 = TEXTS[name]
    v2 = v1.replace("killing at least nine people", "killing at least 11 people")
    v3 = add_line(v2, "This story has been updated with the latest death toll.", "end")
    index, (own,) = archive([(v1, url)])

    fp2 = fp_of(v2, url)
    d2 = index.classify(fp2)
    assert (d2.kind, d2.article_id, d2.version, d2.record) == ("revision", own, 2, False)
    index.add(fp2, d2)

    fp3 = fp_of(v3, url + "?utm_source=twitter")
    d3 = index.classify(fp3)
    assert (d3.kind, d3.article_id, d3.version) == ("revision", own, 3)
    index.add(fp3, d3)

    back = index.classify(fp_of(v1, url))
    assert (back.kind, back.article_id, back.duplicate_of, back.record) == ("duplicate", own, own, False)
    again = index.classify(fp_of(v3, url))
    assert (again.kind, again.duplicate_of) == ("duplicate", own)


def test_rewritten_page_at_the_same_url_is_a_revision_not_new():
    url = "https://www.example.com/live/markets"
    index, (own,) = archive([(TEXTS["ru_same_topic_1"], url)])
    decision = index.classify(fp_of(TEXTS["ru_other_1"], url))
    assert (decision.kind, decision.article_id, decision.version) == ("revision", own, 2)


def test_revision_numbers_continue_from_the_highest_archived_version():
    name = "ar_same_topic_2"
    url = origin_url(name)
    texts = [TEXTS[name], add_line(TEXTS[name], "تحديث: أضيفت تفاصيل جديدة", "end"), TEXTS[name] + " ختام"]
    fps = [fp_of(t, url) for t in texts]
    # Archived rows in any order (v3 first): the next revision is 4, not 2 or 3.
    index = DedupIndex(articles_table([(fps[2], 3), (fps[0], 1), (fps[1], 2)]))
    decision = index.classify(fp_of(TEXTS[name] + " تصحيح", url))
    assert (decision.kind, decision.version) == ("revision", 4)
    assert decision.article_id == article_id(fps[0].url_hash, fps[0].content_hash)


# --- across runs ----------------------------------------------------------------------

INDEX_SCHEMA = pa.schema([ARTICLES.field(c) for c in DedupIndex.COLUMNS])


def articles_table(rows: list[tuple[Fingerprint, int]]) -> pa.Table:
    """The archive's index columns for (fingerprint, version) rows, with the ARTICLES types."""
    return pa.table(
        {
            "version": [v for _, v in rows],
            "content_hash": [fp.content_hash for fp, _ in rows],
            "url_hash": [fp.url_hash for fp, _ in rows],
            "minhash": [fp.minhash.tolist() for fp, _ in rows],
        },
        schema=INDEX_SCHEMA,
    )


def test_index_rebuilt_from_the_archive_finds_articles_of_an_earlier_run(tmp_path):
    # Run 1: everything, one revision, and one article known only by its text.
    run1 = DedupIndex()
    stored: list[tuple[Fingerprint, int]] = []
    ids: dict[str, str] = {}
    for name in sorted(TEXTS):
        url = None if name == "en_other_2" else origin_url(name)
        fp = fp_of(TEXTS[name], url)
        decision = run1.classify(fp)
        assert decision.kind == "new"
        run1.add(fp, decision)
        stored.append((fp, decision.version))
        ids[name] = decision.article_id
    revised = add_line(TEXTS["ru_same_topic_3"], "Материал дополнен комментарием банка.", "end")
    fp = fp_of(revised, origin_url("ru_same_topic_3"))
    decision = run1.classify(fp)
    assert (decision.kind, decision.version) == ("revision", 2)
    run1.add(fp, decision)
    stored.append((fp, 2))

    # Written as two Parquet files and read back as the pipeline does (several chunks).
    (tmp_path / "articles").mkdir()
    table = articles_table(stored)
    pq.write_table(table.slice(0, 7), tmp_path / "articles" / "part-0.parquet")
    pq.write_table(table.slice(7), tmp_path / "articles" / "part-1.parquet")
    read = ds.dataset(tmp_path / "articles", format="parquet").to_table(columns=list(DedupIndex.COLUMNS))
    assert read.column("minhash").num_chunks >= 2

    # Run 2.
    run2 = DedupIndex(read)
    assert run2.size == len(stored)
    for name, text in sorted(TEXTS.items()):
        lang = lang_of(name)
        exact = run2.classify(fp_of(text, f"https://run2.example.net/{name}"))
        assert (exact.kind, exact.duplicate_of) == ("duplicate", ids[name]), name
        if name != "en_other_2":
            same = run2.classify(fp_of(text, origin_url(name)))
            assert (same.kind, same.record) == ("duplicate", False), name
        near = apply_all(mixed_edits(text, 0.03, random.Random(name), VOCAB[lang]), COMBINED[lang][:2])
        found = run2.classify(fp_of(near, f"https://run2.example.net/near/{name}"))
        assert (found.kind, found.duplicate_of) == ("near_duplicate", ids[name]), (name, found)
    nxt = run2.classify(fp_of(revised + " Обновлено.", origin_url("ru_same_topic_3")))
    assert (nxt.kind, nxt.article_id, nxt.version) == ("revision", ids["ru_same_topic_3"], 3)
    back = run2.classify(fp_of(TEXTS["ru_same_topic_3"], origin_url("ru_same_topic_3")))
    assert (back.kind, back.duplicate_of) == ("duplicate", ids["ru_same_topic_3"])
    first_rev = run2.classify(fp_of(TEXTS["en_same_topic_1"] + " Updated.", origin_url("en_same_topic_1")))
    assert (first_rev.kind, first_rev.version) == ("revision", 2)
    # A new article in run 2 is new, and what run 2 adds is found within the run.
    brand_new = " ".join(TEXTS["en_other_1"].split()[::-1])
    fresh = run2.classify(fp_of(brand_new, "https://run2.example.net/new"))
    assert fresh.kind == "new"
    run2.add(fp_of(brand_new, "https://run2.example.net/new"), fresh)
    assert run2.classify(fp_of(brand_new, "https://other.example.net/new")).kind == "duplicate"


def test_index_from_an_empty_archive_table():
    index = DedupIndex(INDEX_SCHEMA.empty_table())
    assert index.size == 0
    assert index.classify(fp_of(TEXTS["en_other_1"], "https://example.com/a")).kind == "new"


def test_archived_signatures_are_reproducible():
    # Signatures are stored: the same text must give the same keys in any later run.
    fp1 = fp_of(TEXTS["ar_same_topic_1"], origin_url("ar_same_topic_1"))
    fp2 = fp_of(TEXTS["ar_same_topic_1"], origin_url("ar_same_topic_1"))
    assert fp1.content_hash == fp2.content_hash and fp1.url_hash == fp2.url_hash
    assert np.array_equal(fp1.minhash, fp2.minhash) and fp1.minhash.dtype == np.uint32
    assert fp1.minhash.shape == (64,)


# --- canonical URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.example.com/news/a?utm_source=twitter&utm_medium=social&utm_campaign=oct",
            "https://www.example.com/news/a",
        ),
        ("https://example.com/a?fbclid=IwAR0abc&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?UTM_Source=x&gclid=1&page=2", "https://example.com/a?page=2"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?id=7#top", "https://example.com/a?id=7"),
        ("HTTPS://WWW.Example.COM/News/A", "https://www.example.com/News/A"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com//news///a", "https://example.com/news/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url", [None, "", "/news/a", "ftp://example.com/a", "mailto:x@example.com", "https://"]
)
def test_canonical_url_rejects_non_http(url):
    assert canonical_url(url) is None


def test_canonical_url_equivalent_forms():
    forms = [
        "https://www.example.com/news/a?id=7&page=2",
        "HTTPS://WWW.EXAMPLE.COM:443/news/a?page=2&id=7",
        "https://www.example.com/news/a?page=2&utm_source=fb&id=7&fbclid=xyz#section-2",
        "https://www.Example.com/news/a?utm_medium=email&id=7&page=2&utm_campaign=daily",
    ]
    assert len({canonical_url(u) for u in forms}) == 1


def test_canonical_url_percent_encoding_is_normalised():
    # Arabic and Cyrillic slugs appear raw in canonical links and percent-encoded in
    # fetched URLs; both name the same page.
    raw = "https://www.example.com/ar/أخبار/أردوغان-في-القاهرة"
    encoded = "https://www.example.com/ar/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%A3%D8%B1%D8%AF%D9%88%D8%BA%D8%A7%D9%86-%D9%81%D9%8A-%D8%A7%D9%84%D9%82%D8%A7%D9%87%D8%B1%D8%A9"
    lower = encoded.replace("%D8", "%d8").replace("%D9", "%d9")
    assert canonical_url(raw) == canonical_url(encoded) == canonical_url(lower)
    assert canonical_url("https://example.ru/новости/ставка") == canonical_url(
        "https://example.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0"
    )


def test_tracking_parameters_do_not_make_another_article():
    name = "ru_same_topic_4"
    url = "https://www.example.ru/economy/nabiullina?id=42&utm_source=telegram"
    index, (own,) = archive([(TEXTS[name], url)])
    same_page = "HTTPS://WWW.EXAMPLE.RU:443/economy/nabiullina?fbclid=abc&id=42#comments"
    dup = index.classify(fp_of(TEXTS[name], same_page))
    assert dup == Decision("duplicate", own, duplicate_of=own, record=False)
    changed = TEXTS[name].replace("20 декабря 2024 года", "20 декабря 2024 года, сообщили в пресс-службе")
    rev = index.classify(fp_of(changed, same_page))
    assert (rev.kind, rev.article_id, rev.version) == ("revision", own, 2)
    # Another real parameter value is another page: not a revision of this one.
    other = index.classify(fp_of(changed, "https://www.example.ru/economy/nabiullina?id=43"))
    assert other.kind == "near_duplicate"


def test_run_additions_frozen_into_segments_are_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long run moves its additions into compact segments; every decision still sees them."""
    monkeypatch.setattr(DedupIndex, "SEGMENT_ROWS", 3)
    texts = list(TEXTS.values())
    index = DedupIndex()
    fps = []
    for i, text in enumerate(texts):
        fp = fp_of(text, f"https://site.example/a/{i}")
        decision = index.classify(fp)
        assert decision.kind == "new"
        index.add(fp, decision)
        fps.append(fp)
    run_segments = index._segments[1:]  # after the archive's own
    assert run_segments and sum(s.size for s in run_segments) + index._tail_n == len(texts)
    assert len(run_segments) <= 3  # frozen every 3 rows, merged pairwise: a logarithmic count
    first = fps[0]
    assert index.classify(fp_of(texts[0], "https://other.example/x")).duplicate_of == article_id(
        first.url_hash, first.content_hash
    )
    revised = index.classify(fp_of(texts[1] + " Updated.", "https://site.example/a/1"))
    assert (revised.kind, revised.version) == ("revision", 2)
    words = texts[4].split()
    words[10] = "changed"
    near = index.classify(fp_of(" ".join(words), "https://mirror.example/4"))
    assert near.kind == "near_duplicate"
    assert near.duplicate_of == article_id(fps[4].url_hash, fps[4].content_hash)


def test_merging_two_segments_gives_the_arrays_a_build_of_all_rows_gives() -> None:
    """``merge`` merges the sorted arrays of two segments instead of rebuilding them: it must
    give exactly what a build from all rows gives, including URLs with several versions
    (the highest last), rows without a URL, a content hash in both segments and shared band keys."""
    rng = np.random.default_rng(6)
    n = 3000
    content = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
    content[2500] = content[100]  # the same text in both segments
    urls = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
    urls[[10, 1200, 2600]] = urls[5]  # one URL, four versions, in both segments
    versions = np.ones(n, dtype=np.int32)
    versions[[10, 1200, 2600]] = [2, 3, 4]
    has_url = rng.random(n) > 0.2
    has_url[[5, 10, 1200, 2600]] = True
    urls[~has_url] = 0
    signatures = rng.integers(0, 2**32, (n, 64), dtype=np.uint64).astype(np.uint32)
    signatures[2000:2100] = signatures[0:100]  # band keys shared across the segments
    cut = 1800
    columns = (content, urls, has_url, versions, signatures)
    left = _Segment.build(7, *(c[:cut] for c in columns))
    right = _Segment.build(7 + cut, *(c[cut:] for c in columns))
    inputs = left.nbytes + right.nbytes
    whole = _Segment.build(7, *columns)
    merged, held = _Segment.merge(left, right)
    assert merged.offset == whole.offset and merged.size == n
    assert left.size == right.size == 0 and not left.arrays and not right.arrays  # consumed
    assert merged.nbytes == whole.nbytes
    assert inputs + 0.55 * whole.nbytes < held < inputs + 0.65 * whole.nbytes  # not twice: old arrays go
    assert merged.arrays.keys() == whole.arrays.keys()
    for name, array in whole.arrays.items():
        if name != "content_rows":
            np.testing.assert_array_equal(merged.arrays[name], array, err_msg=name)
    # The rows of a content hash stored twice may come in either order (build's sort is not stable).
    unique = merged.arrays["content_keys"] != content[100]
    np.testing.assert_array_equal(merged.arrays["content_rows"][unique], whole.arrays["content_rows"][unique])
    assert merged.content_row(int(content[100])) in (7 + 100, 7 + 2500)
    assert merged.latest_version(int(urls[5])) == whole.latest_version(int(urls[5])) == 4
    keys = band_keys(signatures[50:51])[:, 0]
    assert merged.candidates(keys) == whole.candidates(keys) == {7 + 50, 7 + 2050}


def test_the_run_tail_allocates_nothing_per_article() -> None:
    """The run's newest articles go into preallocated arrays (about 340 bytes a row, frozen
    into a segment every SEGMENT_ROWS): adding them allocates nothing that stays. In Python
    dicts of band keys they took 3.2 KB each, 64 MB for the 20,000 rows the tail then held."""
    rng = np.random.default_rng(7)
    n = DedupIndex.SEGMENT_ROWS - 1
    fps = [
        Fingerprint(i, 10_000 + i, 0, rng.integers(0, 2**32, 64, dtype=np.uint64).astype(np.uint32), 100)
        for i in range(n)
    ]
    index = DedupIndex()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for fp in fps:
            index.add(fp, index.classify(fp))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert index._tail_n == n and len(index._segments) == 1  # all in the tail, nothing frozen yet
    assert grown < 64 * n  # was about 3,200 * n
    assert index.nbytes < 400 * DedupIndex.SEGMENT_ROWS
    assert index.classify(fps[5]).kind == "duplicate"
    assert index.classify(Fingerprint(-1, 10_005, 0, fps[1].minhash, 100)).kind == "revision"


def test_the_index_reports_the_most_it_held_while_merging(monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge holds old and new arrays for a moment: ``take_peak`` reports that moment once,
    then the size again; ``peak_nbytes`` keeps the run's maximum."""
    monkeypatch.setattr(DedupIndex, "SEGMENT_ROWS", 64)
    rng = np.random.default_rng(8)
    index = DedupIndex()
    assert index.take_peak() == index.nbytes
    for i in range(64 * 6):
        fp = Fingerprint(i, i, 0, rng.integers(0, 2**32, 64, dtype=np.uint64).astype(np.uint32), 100)
        index.add(fp, index.classify(fp))
    assert len(index._segments) < 7  # merged
    peak = index.take_peak()
    assert peak > index.nbytes and peak == index.peak_nbytes
    assert index.take_peak() == index.nbytes
