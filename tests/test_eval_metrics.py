"""Unit tests of the evaluation metrics (tools/eval_metrics.py) and a tiny end-to-end harness run.

Hand-made inputs, hand-computed expectations; needs neither the devset nor the baselines.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import eval as harness
import eval_folds as folds
import eval_metrics as m

# --- snippet check ------------------------------------------------------------------------------


def test_squeeze_collapses_all_whitespace_runs() -> None:
    assert m.squeeze("  a \t b\n\n c\u00a0 ") == "a b c"
    assert m.squeeze(None) == ""


def test_snippet_counts_squeeze_both_sides_and_are_case_sensitive() -> None:
    text = "Hello   world.\nFoo bar baz"
    c = m.snippet_counts(text, ["Hello world.", "hello world", "bar\n  baz"], ["Foo\n bar", "zzz"])
    assert (c.tp, c.fn, c.fp, c.tn) == (2, 1, 1, 1)


def test_snippet_counts_empty_text_finds_nothing() -> None:
    for text in ("", None, "   "):
        c = m.snippet_counts(text, ["a", "b"], ["c", "d", "e"])
        assert (c.tp, c.fn, c.fp, c.tn) == (0, 2, 0, 3)


def test_snippet_scores_from_summed_counts() -> None:
    total = m.SnippetCounts(tp=2, fn=1, fp=0, tn=1) + m.SnippetCounts(tp=1, fn=0, fp=1, tn=1)
    s = m.snippet_scores(total)  # tp=3 fn=1 fp=1 tn=2
    assert s["with_found"] == pytest.approx(3 / 4)
    assert s["without_absent"] == pytest.approx(2 / 3)
    assert s["precision"] == pytest.approx(3 / 4)
    assert s["accuracy"] == pytest.approx(5 / 7)
    assert s["f1"] == pytest.approx(6 / 8)


def test_snippet_scores_undefined_ratios_are_none() -> None:
    s = m.snippet_scores(m.SnippetCounts(tn=2))
    assert s["with_found"] is None and s["precision"] is None and s["f1"] is None
    assert s["without_absent"] == 1.0


# --- words and 4-word windows -------------------------------------------------------------------


def test_words_are_unicode_runs_and_keep_case() -> None:
    assert m.words("Der Ärger, l'été — snake_case 42!") == ["Der", "Ärger", "l", "été", "snake_case", "42"]
    assert m.words("東京都で、雨が降った。") == ["東京都で", "雨が降った"]


def test_shingles_windows_and_short_texts() -> None:
    assert m.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert m.shingles("a, b!") == {("a", "b"): 1}  # shorter than 4 words: one window
    assert m.shingles("") == {} and m.shingles("?!") == {}


def test_shingle_overlap_counts_multiplicity() -> None:
    # pred windows: abcd x2, bcda, cdab, dabc (5); gold: abcd x1 -> shared 1, extra 4, missing 0
    o = m.shingle_overlap("a b c d a b c d", "a b c d")
    assert (o.shared, o.extra, o.missing) == pytest.approx((1 / 5, 4 / 5, 0.0))
    assert o.precision == pytest.approx(0.2) and o.recall == pytest.approx(1.0)
    # the other way round: one gold window matched twice is still one match
    o = m.shingle_overlap("a b c d", "a b c d a b c d")
    assert o.precision == pytest.approx(1.0) and o.recall == pytest.approx(0.2)


def test_shingle_overlap_short_texts_and_case() -> None:
    assert m.shingle_overlap("x y", "x, y.").precision == 1.0
    o = m.shingle_overlap("x y", "x y z")  # windows (x,y) vs (x,y,z): nothing shared
    assert (o.shared, o.extra, o.missing) == pytest.approx((0.0, 0.5, 0.5))
    assert m.shingle_overlap("A b c d", "a b c d").shared == 0.0


def test_shingle_overlap_empty_sides() -> None:
    o = m.shingle_overlap("", "a b c d e")
    assert not o.extracted and o.has_gold and o.recall == 0.0
    o = m.shingle_overlap("", "")
    assert not o.extracted and not o.has_gold


def test_overlap_prf_precision_ignores_empty_extractions() -> None:
    perfect = m.shingle_overlap("a b c d e", "a b c d e")
    empty = m.shingle_overlap("", "a b c d e")
    half = m.shingle_overlap("a b c d e", "a b c d")  # shared 1, extra 1 -> P 0.5, R 1
    p, r, f = m.overlap_prf([perfect, empty, half])
    assert p == pytest.approx((1 + 0.5) / 2)
    assert r == pytest.approx((1 + 0 + 1) / 3)
    assert f == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_bootstrap_is_deterministic_and_zero_on_identical_pages() -> None:
    pages = [m.shingle_overlap("a b c d e", "a b c d")] * 5
    assert m.bootstrap_prf(pages) == pytest.approx((0.0, 0.0, 0.0))
    mixed = [m.shingle_overlap("a b c d e", "a b c d e"), m.shingle_overlap("q r s t", "a b c d")]
    assert m.bootstrap_prf(mixed, samples=200) == m.bootstrap_prf(mixed, samples=200)
    assert m.bootstrap_prf(mixed, samples=200)[2] > 0


def test_exact_and_token_f1() -> None:
    assert m.exact_words("Hello, world!\n", "Hello world")
    assert not m.exact_words("Hello world", "hello world")
    # bags {a:2, b:1} and {a:1, b:1, c:1}: shared 2 -> 2*2 / (3+3)
    assert m.token_f1("a a b", "a b c") == pytest.approx(4 / 6)
    assert m.token_f1("", "a") == 0.0 and m.token_f1("", "") == 1.0


# --- title --------------------------------------------------------------------------------------


def test_title_normalisation_nfc_and_whitespace() -> None:
    decomposed = "  Cafe\u0301\n  Paris "
    assert m.norm_title(decomposed) == "Caf\u00e9 Paris"
    assert m.title_exact("Caf\u00e9 Paris", decomposed)
    assert not m.title_exact("Headline - Example News", "Headline")
    assert not m.title_exact(None, "Headline")


def test_title_token_f1_casefolds_and_missing_scores_zero() -> None:
    # pred [the, big, day], gold [the, big, day, news]: shared 3 -> 6/7
    assert m.title_token_f1("The Big DAY", "the big day - News") == pytest.approx(6 / 7)
    assert m.title_token_f1("STRASSE", "Straße") == 1.0  # casefold: ß -> ss
    assert m.title_token_f1(None, "Headline") == 0.0
    assert m.title_token_f1("   ", "Headline") == 0.0


# --- date ---------------------------------------------------------------------------------------


def test_day_cut_keeps_the_written_day_without_tz_conversion() -> None:
    assert m.day_of("2018-06-19T05:50:00+09:00") == "2018-06-19"
    tokyo = datetime(2018, 6, 19, 5, 50, tzinfo=timezone(timedelta(hours=9)))
    assert m.day_of(tokyo) == "2018-06-19"  # in UTC it would be 2018-06-18
    assert m.day_of(date(2020, 1, 2)) == "2020-01-02"
    assert m.day_of(None) is None and m.day_of("  ") is None
    assert m.day_of("yesterday") == "yesterday"  # returned, but can never match


def test_parse_day_pads_and_rejects_malformed() -> None:
    assert m.parse_day("2022-11-1") == "2022-11-01"
    assert m.parse_day("2022-25-10") is None
    assert m.parse_day("2022-11-123") is None
    assert m.parse_day(None) is None and m.parse_day("") is None


def test_date_counts() -> None:
    c = m.DateCounts()
    for pred, gold in [("2020-01-01", "2020-01-01"), (None, "2020-01-01"), ("2020-02-03", "2020-02-02")]:
        c.add(pred, gold)
    c.add("2020-01-01", None)  # no gold: not scored
    s = c.scores()
    assert (c.pages, c.returned, c.correct) == (3, 2, 1)
    assert s["accuracy"] == pytest.approx(1 / 3)
    assert s["precision"] == pytest.approx(1 / 2)
    assert s["returned"] == pytest.approx(2 / 3)


# --- harness end to end with a stand-in extractor -----------------------------------------------


def _write_dataset(root: Path, name: str, items: dict[str, dict], html: dict[str, bytes]) -> None:
    (root / name / "html").mkdir(parents=True)
    for pid, item in items.items():
        with gzip.open(root / name / "html" / item["file"], "wb") as fh:
            fh.write(html[pid])
    labels = {"dataset": name, "counts": {"dev": len(items)}, "items": items}
    (root / name / "labels.json").write_text(json.dumps(labels), encoding="utf-8")


def _standin(data: bytes, url: str | None) -> SimpleNamespace:
    """Trivial stand-in: first line is the title, second the date, the rest the body."""
    lines = data.decode("utf-8").split("\n")
    return SimpleNamespace(
        title=lines[0], text="\n".join(lines[2:]), published=lines[1] or None, language="de", authors=["X"]
    )


@pytest.fixture
def tiny_devset(tmp_path: Path) -> Path:
    root = tmp_path / "devset"
    traf = {
        "b-page": {
            "file": "b.gz",
            "url": None,
            "title": "Zwei",
            "date": "2021-03-04",
            "with": ["Text"],
            "without": ["Menü"],
        },
        "a-page": {
            "file": "a.gz",
            "url": "http://x/a",
            "title": "Eins",
            "date": "2022-25-10",
            "with": ["nope"],
            "without": ["x"],
        },
    }
    traf_html = {"b-page": b"Zwei\n2021-03-04T23:00:00-05:00\nEin Text.", "a-page": b"Eins\n\nBody"}
    np4k = {
        "p1": {
            "file": "p1.html.gz",
            "url": "http://y/p1",
            "title": "T",
            "date": "2020-01-01",
            "body": "w1 w2 w3 w4 w5",
            "language": "en",
        }
    }
    _write_dataset(root, "traf", traf, traf_html)
    _write_dataset(root, "np4k", np4k, {"p1": b"T\n2020-01-01\nw1 w2 w3 w4 w5"})
    return root


def test_harness_end_to_end(tiny_devset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res" / "latest.json"
    argv = ["--devset", str(tiny_devset), "--out", str(out), "--baselines", "none", "--gate"]
    code = harness.main(argv, systems=[harness.project_system(_standin)])
    printed = capsys.readouterr().out
    assert code == 1  # traf body F1 = 2*1/(2*1+0+1) = 0.667, under the floor and the target
    misses = [line for line in printed.splitlines() if line.startswith("GATE MISS")]
    floor = harness.REGRESSION_FLOORS["traf"]["body_f1"]
    assert misses == [f"GATE MISS (regression floor): traf body_f1: 0.6667 < {floor:.4f}"]
    assert "target not yet met: traf body_f1: 0.6667 < 0.9500" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [p["id"] for p in result["pages"]] == ["a-page", "b-page", "p1"]
    b = next(p for p in result["pages"] if p["id"] == "b-page")["systems"]["project"]
    assert b["date"] == "2021-03-04" and b["scores"]["date_ok"] is True and b["authors"] == ["X"]
    traf = result["summary"]["traf"]["project"]
    assert traf["body_f1"] == pytest.approx(2 / 3)
    assert traf["title_exact"] == 1.0 and traf["date_pages"] == 1
    assert result["summary"]["np4k"]["project"]["body_f1"] == 1.0


def test_harness_skips_missing_devset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert harness.main(["--devset", str(missing), "--baselines", "none", "--gate"]) == 0
    assert f"devset not found at {missing}: skipping evaluation" in capsys.readouterr().out


def test_gate_failures_uses_targets() -> None:
    summary = {"np4k": {"project": {"body_f1": 0.96, "title_exact": 0.95, "date_accuracy": 14 / 15}}}
    assert harness.gate_failures(summary) == [f"np4k date_accuracy: {14 / 15:.4f} < 1.0000"]


# --- k-fold protocol ------------------------------------------------------------------------------


def test_folds_are_fixed_by_the_page_bytes_and_cover_every_page() -> None:
    data = [f"page {i}".encode() for i in range(50)]
    assigned = [folds.fold_of(d, 5) for d in data]
    assert assigned == [folds.fold_of(d, 5) for d in data]  # same bytes, same fold, every run
    groups = folds.split(data, lambda d: folds.fold_of(d, 5), 5)
    assert sorted(x for g in groups for x in g) == sorted(data) and all(groups)


def test_mean_sd_ignores_undefined_folds() -> None:
    assert folds.mean_sd([0.5, None, 0.7]) == (pytest.approx(0.6), pytest.approx(0.1414, abs=1e-4))
    assert folds.mean_sd([None]) == (None, None)
    assert folds.mean_sd([0.3]) == (0.3, None)


def test_a_fitted_system_is_fitted_on_the_other_folds_only(tiny_devset: Path) -> None:
    pages = [p for ds in ("traf", "np4k") for p in harness.load_dataset(tiny_devset, ds)]
    seen: list[tuple[set[str], set[str]]] = []

    def fit(train, test, results):  # type: ignore[no-untyped-def]
        seen.append(({p.id for p in train}, {p.id for p in test}))
        return {(p.dataset, p.id): harness.Extraction(text="Ein Text.") for p in test}

    system = harness.System("fitted", lambda d, u: harness.Extraction(), frozenset({"body"}), fit=fit)
    per_fold = harness.fold_summary(pages, [system], {"fitted": {}}, 3)
    assert len(seen) == 3
    for train, test in seen:
        assert not train & test and train | test == {p.id for p in pages}
    assert any(v is not None for v in per_fold["traf"]["fitted"]["body_f1"])
