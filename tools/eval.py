"""Evaluate the project's extractor (and optional baselines) on the shared devset.

Usage:
    python tools/eval.py [--devset PATH] [--out FILE] [--gate] [--only traf|np4k|htmldate]
                         [--baselines trafilatura,htmldate,newspaper4k|none] [--limit N]
                         [--folds K] [--extractor module:function | path/to/file.py:function]

Metrics follow ../shared/devset/README.md exactly; the scoring functions live in eval_metrics.py.
Every figure is also reported as mean ± sd over K folds (eval_folds.py); a system with fitted
parameters is fitted on the other folds only. The htmldate pages are scored on dates, and on
the body where tools/labels/htmldate_body.json (labels written by this team, snippet protocol
of traf) has snippets for them.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import importlib.util
import json
import logging
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TOOLS_DIR.parent
for _p in (str(TOOLS_DIR), str(REPO_ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import eval_folds as folds  # noqa: E402
import eval_metrics as m  # noqa: E402

# Gate targets for the project (fractions; every check is "value >= target").
# The issue's targets: reported on every run (met / not met).
GATE_TARGETS: dict[str, dict[str, float]] = {
    "traf": {"body_f1": 0.95, "title_exact": 0.70, "date_accuracy": 0.91},
    "np4k": {"body_f1": 0.95, "title_exact": 0.90, "date_accuracy": 1.00},
}
# What CI enforces (`--gate`): the measured level minus a small margin, so a change that
# makes extraction worse fails CI. Raise these as the extractor improves.
REGRESSION_FLOORS: dict[str, dict[str, float]] = {
    "traf": {"body_f1": 0.945, "title_exact": 0.81, "date_accuracy": 0.92},
    "np4k": {"body_f1": 0.97, "title_exact": 0.84, "date_accuracy": 1.00},
    "htmldate": {"body_f1": 0.955, "date_accuracy": 0.935},
}

DEFAULT_DEVSET = REPO_ROOT.parent / "shared" / "devset"
DEFAULT_OUT = REPO_ROOT / "eval-results" / "latest.json"
DEFAULT_EXTRACTOR = "etl:extract_article"
DATASETS = ("traf", "np4k", "htmldate")
# Body labels for devset/htmldate pages, written by this team (with/without snippets).
BODY_LABELS = {"htmldate": TOOLS_DIR / "labels" / "htmldate_body.json"}
BASELINES = ("trafilatura", "htmldate", "newspaper4k")
PROJECT = "project"
PROJECT_FAST = "project-fast"
MIN_LANG_PAGES = 5
SNIPPET_CHARS = 200
NP4K_FALLBACK_URL = "http://example.com/"
QUIET_MODULES = (
    "trafilatura",
    "htmldate",
    "newspaper",
    "courlan",
    "justext",
    "dateparser",
    "jieba",
    "pythainlp",
)


# --- data ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    """One devset page with its label, loaded into memory."""

    id: str
    dataset: str
    data: bytes
    url: str | None
    label: dict[str, Any]
    language: str = "?"


def load_dataset(devset: Path, name: str, limit: int | None = None) -> list[Page]:
    """Read labels.json and the gzipped HTML of one dataset (sorted by id, first ``limit``)."""
    labels = json.loads((devset / name / "labels.json").read_text(encoding="utf-8"))
    extra_path = BODY_LABELS.get(name)
    extra = json.loads(extra_path.read_text(encoding="utf-8")) if extra_path and extra_path.is_file() else {}
    pages = []
    for pid in sorted(labels["items"])[:limit]:
        item = {**labels["items"][pid], **extra.get(pid, {})}
        with gzip.open(devset / name / "html" / item["file"], "rb") as fh:
            data = fh.read()
        lang = norm_lang(item.get("language")) if name == "np4k" else "?"
        pages.append(Page(pid, name, data, item.get("url"), item, lang))
    return pages


def norm_lang(code: object) -> str:
    """Primary language subtag, lower-case ("de-DE" -> "de"); "?" when unknown."""
    text = str(code or "").strip().lower().replace("_", "-")
    return text.split("-")[0] or "?"


# --- systems ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Extraction:
    """What a system returned for one page (empty when it failed)."""

    title: str | None = None
    text: str = ""
    date: object = None
    extras: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    ms: float = 0.0


Results = dict[tuple[str, str], Extraction]
Fit = Callable[[Sequence[Page], Sequence[Page], Results], Results]


@dataclass(slots=True)
class System:
    """A named extractor with the fields it is scored on."""

    name: str
    run: Callable[[bytes, str | None], Extraction]
    scores: frozenset[str] = frozenset({"body", "title", "date"})
    version: str = ""
    # A system with fitted parameters: fit(train pages, test pages, its results) -> the test
    # pages' extractions with parameters fitted on the train pages alone (the k-fold protocol).
    fit: Fit | None = None


def load_callable(spec: str) -> Callable[..., Any]:
    """Resolve ``module:function`` or ``path/to/file.py:function``."""
    target, _, func = spec.rpartition(":")
    if not target or not func:
        raise ValueError(f"extractor spec must be module:function, got {spec!r}")
    if target.endswith(".py"):
        path = Path(target).resolve()
        mod_spec = importlib.util.spec_from_file_location(path.stem, path)
        if mod_spec is None or mod_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, func)


def project_system(extract: Callable[..., Any], name: str = PROJECT, **options: Any) -> System:
    """Wrap ``extract_article(data, url, **options) -> Article``."""

    def run(data: bytes, url: str | None) -> Extraction:
        art = extract(data, url, **options)
        extras = {k: getattr(art, k, None) for k in ("language", "source", "agency", "photo_credit")}
        extras["authors"] = list(getattr(art, "authors", None) or [])
        return Extraction(art.title, art.text or "", art.published, extras)

    return System(name, run)


def project_systems(extract: Callable[..., Any]) -> list[System]:
    """The default profile, its body vote fitted on the other folds in the k-fold table
    (tools/fit_vote.py), and the fast profile (our own blocks alone)."""
    default = project_system(extract)
    default.fit = _vote_fit(extract)
    return [default, project_system(extract, PROJECT_FAST, profile="fast")]


def _vote_fit(extract: Callable[..., Any]) -> Fit:
    """fit(train, test, results): the vote's parameters fitted on the train pages alone, then
    the test pages extracted with them (the run's own results when they equal the default)."""
    import fit_vote

    from etl.extract.combine import FITTED

    ballots: dict[str, Any] = {}

    def fit(train: Sequence[Page], test: Sequence[Page], results: Results) -> Results:
        pages = fit_vote.fit_pages(train)
        ballots.update(fit_vote.ballots_for([p for p in pages if p.id not in ballots]))
        params = fit_vote.fit(pages, ballots)
        if params == FITTED:
            return results
        system = project_system(extract, vote=params)
        return {(p.dataset, p.id): run_once(system, p) for p in test}

    return fit


def trafilatura_system() -> System:
    """trafilatura.bare_extraction with metadata: body, title, date.

    Comments are left out of the body (``include_comments=False``), as in trafilatura's own
    benchmark: the devset's ``without`` snippets include reader comments.
    """
    import trafilatura

    def run(data: bytes, url: str | None) -> Extraction:
        doc = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False)
        if doc is None:
            return Extraction()
        return Extraction(doc.title, doc.text or "", doc.date)

    return System("trafilatura", run, version=_version("trafilatura"))


def htmldate_system() -> System:
    """htmldate.find_date(original_date=True): date only."""
    from htmldate import find_date

    def run(data: bytes, url: str | None) -> Extraction:
        return Extraction(date=find_date(data, url=url, original_date=True))

    return System("htmldate", run, frozenset({"date"}), _version("htmldate"))


def newspaper_system() -> System:
    """newspaper4k Article on the given HTML (no network: images are not fetched)."""
    import newspaper

    def run(data: bytes, url: str | None) -> Extraction:
        art = newspaper.Article(url or NP4K_FALLBACK_URL, fetch_images=False)
        art.download(input_html=data)
        art.parse()
        return Extraction(art.title, art.text or "", art.publish_date)

    return System("newspaper4k", run, version=_version("newspaper4k"))


BASELINE_FACTORIES: dict[str, Callable[[], System]] = {
    "trafilatura": trafilatura_system,
    "htmldate": htmldate_system,
    "newspaper4k": newspaper_system,
}


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


def quiet_libraries() -> None:
    """Silence the baselines' logging and warnings so the report stays readable."""
    for name in QUIET_MODULES:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="|".join(QUIET_MODULES))


def load_systems(extractor: str, baselines: Sequence[str]) -> list[System]:
    """Build the project system and the requested, importable baselines."""
    systems = []
    try:
        systems.extend(project_systems(load_callable(extractor)))
    except Exception as exc:
        print(f"project extractor {extractor} not available ({type(exc).__name__}: {exc}): skipping it")
    for name in baselines:
        try:
            systems.append(BASELINE_FACTORIES[name]())
        except ImportError as exc:
            print(f"baseline {name} not importable ({exc}): skipping it")
    return systems


# --- running ------------------------------------------------------------------------------------


def run_once(system: System, page: Page) -> Extraction:
    """Run one extraction, timing only the call; an exception gives an empty result."""
    start = time.perf_counter()
    try:
        result = system.run(page.data, page.url)
    except Exception as exc:
        result = Extraction(error=f"{type(exc).__name__}: {exc}"[:300])
    result.ms = (time.perf_counter() - start) * 1000
    return result


def run_system(system: System, pages: Sequence[Page]) -> dict[tuple[str, str], Extraction]:
    """One warm-up call, then every page in order."""
    if pages:
        run_once(system, pages[0])
    return {(p.dataset, p.id): run_once(system, p) for p in pages}


def assign_languages(pages: Sequence[Page], project: dict[tuple[str, str], Extraction] | None) -> None:
    """traf pages take the language the project reports; rare languages become "other"."""
    for p in pages:
        if p.dataset != "np4k" and project is not None:
            p.language = norm_lang(project[(p.dataset, p.id)].extras.get("language"))
    for ds in DATASETS:
        counts = Counter(p.language for p in pages if p.dataset == ds)
        for p in pages:
            if p.dataset == ds and counts[p.language] < MIN_LANG_PAGES:
                p.language = "other"


# --- per-page scores ----------------------------------------------------------------------------


def gold_title(page: Page) -> str | None:
    """The labelled title, or None when not scored."""
    return m.norm_title(page.label.get("title")) or None


def gold_day(page: Page) -> str | None:
    """The labelled day, or None when absent or malformed."""
    return m.parse_day(page.label.get("date"))


def body_labelled(page: Page) -> bool:
    """np4k pages have a gold text (maybe empty: it still counts for precision); traf and
    htmldate pages are body-scored where they have snippets."""
    return page.dataset == "np4k" or bool(page.label.get("with"))


def page_scores(page: Page, ex: Extraction, system: System) -> dict[str, Any]:
    """Per-page scores of one system (only the fields it is scored on)."""
    out: dict[str, Any] = {}
    if "body" in system.scores and body_labelled(page):
        out.update(body_scores(page, ex.text))
    if "title" in system.scores and gold_title(page):
        gold = page.label.get("title")
        out["title_exact"] = m.title_exact(ex.title, gold)
        out["title_token_f1"] = round(m.title_token_f1(ex.title, gold), 4)
    if "date" in system.scores and gold_day(page):
        out["date_ok"] = m.day_of(ex.date) == gold_day(page)
    return out


def body_scores(page: Page, text: str) -> dict[str, Any]:
    """Snippet counts for traf and htmldate, shingle overlap for np4k."""
    if page.dataset != "np4k":
        c = m.snippet_counts(text, page.label["with"], page.label["without"])
        return {"tp": c.tp, "fn": c.fn, "fp": c.fp, "tn": c.tn}
    o = m.shingle_overlap(text, page.label.get("body"))
    return {
        "precision": round(o.precision, 4) if o.extracted else None,
        "recall": round(o.recall, 4),
        "exact": m.exact_words(text, page.label.get("body")),
        "token_f1": round(m.token_f1(text, page.label.get("body")), 4),
    }


# --- aggregate metrics --------------------------------------------------------------------------


def aggregate(pages: Sequence[Page], results: dict[tuple[str, str], Extraction], system: System) -> dict:
    """All metrics of one system over a group of pages of one dataset."""
    exs = [results[(p.dataset, p.id)] for p in pages]
    out: dict[str, Any] = {"pages": len(pages), "errors": sum(e.error is not None for e in exs)}
    body_pages = [(p, e) for p, e in zip(pages, exs, strict=True) if body_labelled(p)]
    if "body" in system.scores and body_pages:
        body = overlap_body if pages[0].dataset == "np4k" else traf_body
        out["body_pages"] = len(body_pages)
        out.update(body(*zip(*body_pages, strict=True)))
    if "title" in system.scores:
        out.update(title_metrics(pages, exs))
    if "date" in system.scores:
        out.update(date_metrics(pages, exs))
    out.update(speed(exs))
    return out


def traf_body(pages: Sequence[Page], exs: Sequence[Extraction]) -> dict[str, Any]:
    """Snippet scores from counts summed over the pages."""
    total = m.SnippetCounts()
    for p, e in zip(pages, exs, strict=True):
        total = total + m.snippet_counts(e.text, p.label["with"], p.label["without"])
    s = m.snippet_scores(total)
    return {
        "body_f1": s["f1"],
        "with_found": s["with_found"],
        "without_absent": s["without_absent"],
        "body_precision": s["precision"],
        "body_accuracy": s["accuracy"],
    }


def overlap_body(pages: Sequence[Page], exs: Sequence[Extraction]) -> dict[str, Any]:
    """Shingle P/R/F1 with bootstrap std, exact share and mean token F1."""
    golds = [p.label.get("body") for p in pages]
    overlaps = [m.shingle_overlap(e.text, g) for e, g in zip(exs, golds, strict=True)]
    p, r, f = m.overlap_prf(overlaps)
    sp, sr, sf = m.bootstrap_prf(overlaps)
    scored = [(e.text, g) for e, g in zip(exs, golds, strict=True) if m.words(g)]
    return {
        "body_precision": p,
        "body_precision_std": sp,
        "body_recall": r,
        "body_recall_std": sr,
        "body_f1": f,
        "body_f1_std": sf,
        "body_exact": m.ratio(sum(m.exact_words(t, g) for t, g in scored), len(scored)),
        "body_token_f1": m.ratio(sum(m.token_f1(t, g) for t, g in scored), len(scored)),
    }


def title_metrics(pages: Sequence[Page], exs: Sequence[Extraction]) -> dict[str, Any]:
    """Exact share and mean token F1 over pages with a gold title."""
    pairs = [(e.title, p.label.get("title")) for p, e in zip(pages, exs, strict=True) if gold_title(p)]
    return {
        "title_pages": len(pairs),
        "title_exact": m.ratio(sum(m.title_exact(t, g) for t, g in pairs), len(pairs)),
        "title_token_f1": m.ratio(sum(m.title_token_f1(t, g) for t, g in pairs), len(pairs)),
    }


def date_metrics(pages: Sequence[Page], exs: Sequence[Extraction]) -> dict[str, Any]:
    """Day accuracy, precision and returned share over pages with a gold day."""
    counts = m.DateCounts()
    for p, e in zip(pages, exs, strict=True):
        counts.add(m.day_of(e.date), gold_day(p))
    s = counts.scores()
    return {
        "date_pages": counts.pages,
        "date_accuracy": s["accuracy"],
        "date_precision": s["precision"],
        "date_returned": s["returned"],
    }


def speed(exs: Sequence[Extraction]) -> dict[str, Any]:
    """Median and mean ms per page and pages per second."""
    ms = [e.ms for e in exs]
    if not ms:
        return {}
    mean = statistics.fmean(ms)
    return {"median_ms": statistics.median(ms), "mean_ms": mean, "pages_per_s": 1000 / mean if mean else None}


# --- report -------------------------------------------------------------------------------------


def pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f} %"


def num(v: float | None, std: float | None = None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" if std is None else f"{v:.3f} ± {std:.3f}"


def fixed(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


Row = tuple[str, Callable[[dict], str]]

TRAF_ROWS: list[Row] = [
    ("body F1", lambda a: num(a.get("body_f1"))),
    ("'with' found", lambda a: pct(a.get("with_found"))),
    ("'without' absent", lambda a: pct(a.get("without_absent"))),
    ("body precision", lambda a: num(a.get("body_precision"))),
]
NP4K_ROWS: list[Row] = [
    ("body precision", lambda a: num(a.get("body_precision"), a.get("body_precision_std"))),
    ("body recall", lambda a: num(a.get("body_recall"), a.get("body_recall_std"))),
    ("body F1", lambda a: num(a.get("body_f1"), a.get("body_f1_std"))),
    ("body exact", lambda a: pct(a.get("body_exact"))),
    ("body token F1", lambda a: num(a.get("body_token_f1"))),
]
COMMON_ROWS: list[Row] = [
    ("title exact", lambda a: pct(a.get("title_exact"))),
    ("title token F1", lambda a: num(a.get("title_token_f1"))),
    ("date accuracy", lambda a: pct(a.get("date_accuracy"))),
    ("date precision", lambda a: pct(a.get("date_precision"))),
    ("date returned", lambda a: pct(a.get("date_returned"))),
    ("median ms", lambda a: fixed(a.get("median_ms"))),
    ("mean ms", lambda a: fixed(a.get("mean_ms"))),
    ("pages/s", lambda a: fixed(a.get("pages_per_s"))),
    ("errors", lambda a: str(a.get("errors", "—"))),
]


def render_table(title: str, rows: list[Row], cols: dict[str, dict]) -> str:
    """Plain-text table: one row per metric, one column per system."""
    names = list(cols)
    cells = [[label, *(fn(cols[n]) for n in names)] for label, fn in rows]
    widths = [max(len(r[i]) for r in [["metric", *names], *cells]) for i in range(len(names) + 1)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    lines = [title, fmt.format("metric", *names), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in cells]
    return "\n".join(lines)


def group_pages(pages: Sequence[Page], dataset: str) -> list[tuple[str, list[Page]]]:
    """("all", pages) then one group per language (largest first)."""
    ds_pages = [p for p in pages if p.dataset == dataset]
    langs = Counter(p.language for p in ds_pages)
    groups = [("all", ds_pages)]
    for lang, _ in sorted(langs.items(), key=lambda kv: (kv[0] == "other", -kv[1], kv[0])):
        groups.append((lang, [p for p in ds_pages if p.language == lang]))
    return groups if len(langs) > 1 else groups[:1]


def report(pages: Sequence[Page], systems: Sequence[System], results: dict[str, dict]) -> dict[str, dict]:
    """Print the tables per dataset and language; return the "all" aggregates per dataset."""
    summary: dict[str, dict] = {}
    for ds in DATASETS:
        rows = (NP4K_ROWS if ds == "np4k" else TRAF_ROWS) + COMMON_ROWS
        for lang, group in group_pages(pages, ds):
            if not group:
                continue
            cols = {s.name: aggregate(group, results[s.name], s) for s in systems}
            if lang == "all":
                summary[ds] = cols
            n_title = sum(gold_title(p) is not None for p in group)
            n_date = sum(gold_day(p) is not None for p in group)
            head = f"\n== {ds} / {lang}: {len(group)} pages ({n_title} titles, {n_date} dates) =="
            print(render_table(head, rows, cols))
    return summary


FOLD_METRICS = (("body_f1", "body F1", num), ("title_exact", "title", pct), ("date_accuracy", "date", pct))


def fold_summary(
    pages: Sequence[Page], systems: Sequence[System], results: dict[str, dict], k: int
) -> dict[str, dict[str, dict[str, list[float | None]]]]:
    """{dataset: {system: {metric: [value on fold 0, …]}}}: each figure on each fold alone;
    a system with ``fit`` is fitted on the other folds for each fold."""
    by_fold = folds.split(pages, lambda p: folds.fold_of(p.data, k), k)
    out: dict[str, dict[str, dict[str, list[float | None]]]] = {}
    for f, test in enumerate(by_fold):
        train = [p for g, group in enumerate(by_fold) if g != f for p in group]
        for s in systems:
            exs = s.fit(train, test, results[s.name]) if s.fit else results[s.name]
            for ds in DATASETS:
                group = [p for p in test if p.dataset == ds]
                if not group:
                    continue
                agg = aggregate(group, exs, s)
                per = out.setdefault(ds, {}).setdefault(s.name, {})
                for key, _, _ in FOLD_METRICS:
                    if key in agg:
                        per.setdefault(key, [None] * k)[f] = agg[key]
    return out


def _mean_sd_cell(values: list[float | None] | None, fmt: Callable[..., str]) -> str:
    mean, sd = folds.mean_sd(values or [])
    if mean is None:
        return "—"
    if fmt is pct:
        return f"{100 * mean:.1f} ± {100 * (sd or 0):.1f} %"
    return f"{mean:.3f} ± {sd or 0:.3f}"


def folds_markdown(
    per_fold: dict[str, dict[str, dict[str, list[float | None]]]], systems: Sequence[System], k: int
) -> str:
    """The k-fold table: one row per system, mean ± sd over the folds per figure."""
    cols = [
        (ds, key, f"{ds} {label}", fmt)
        for ds, per_sys in per_fold.items()
        for key, label, fmt in FOLD_METRICS
        if any(x is not None for v in per_sys.values() for x in v.get(key, []))
    ]
    lines = ["| system | " + " | ".join(c[2] for c in cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for s in systems:
        cells = [_mean_sd_cell(per_fold[ds].get(s.name, {}).get(key), fmt) for ds, key, _, fmt in cols]
        lines.append(f"| {f'{s.name} {s.version}'.strip()} | " + " | ".join(cells) + " |")
    return f"{k}-fold (mean ± sd over folds; fitted parameters fitted on the other folds):\n" + "\n".join(
        lines
    )


def summary_markdown(summary: dict[str, dict], systems: Sequence[System]) -> str:
    """A small Markdown table (one row per system) to paste into a README."""
    head = ["system"]
    for ds in summary:
        head += [f"{ds} body F1", f"{ds} title", f"{ds} date"]
    head.append(f"median ms/page ({' / '.join(summary)})")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in systems:
        cells = [f"{s.name} {s.version}".strip()]
        medians = []
        for cols in summary.values():
            a = cols[s.name]
            cells += [num(a.get("body_f1")), pct(a.get("title_exact")), pct(a.get("date_accuracy"))]
            medians.append(f"{a['median_ms']:.0f}" if "median_ms" in a else "—")
        cells.append(" / ".join(medians))
        lines.append("| " + " | ".join(cells) + " |")
    counts = ", ".join(f"{ds} {next(iter(c.values()))['pages']} pages" for ds, c in summary.items())
    return f"Devset ({counts}; body F1 = snippet F1 on traf, 4-word overlap F1 on np4k):\n" + "\n".join(lines)


def gate_failures(
    summary: dict[str, dict], thresholds: dict[str, dict[str, float]] = GATE_TARGETS
) -> list[str]:
    """Thresholds the project misses (missing values count as misses)."""
    fails = []
    for ds, targets in thresholds.items():
        if ds not in summary:
            continue
        got = summary[ds].get(PROJECT)
        for key, target in targets.items():
            value = None if got is None else got.get(key)
            if value is None or value < target - 1e-12:
                shown = "missing" if value is None else f"{value:.4f}"
                fails.append(f"{ds} {key}: {shown} < {target:.4f}")
    return fails


# --- per-page output ----------------------------------------------------------------------------


def page_record(page: Page, systems: Sequence[System], results: dict[str, dict]) -> dict[str, Any]:
    """JSON-ready per-page results of every system."""
    rec: dict[str, Any] = {
        "id": page.id,
        "dataset": page.dataset,
        "language": page.language,
        "url": page.url,
        "gold": {"title": gold_title(page), "date": gold_day(page)},
        "systems": {},
    }
    for s in systems:
        ex = results[s.name][(page.dataset, page.id)]
        out: dict[str, Any] = {
            "title": ex.title,
            "date": m.day_of(ex.date),
            "text": (ex.text or "")[:SNIPPET_CHARS],
            "ms": round(ex.ms, 1),
            "error": ex.error,
            "scores": page_scores(page, ex, s),
        }
        if s.name == PROJECT:
            out.update(ex.extras)
            out["published"] = ex.date.isoformat() if hasattr(ex.date, "isoformat") else ex.date
        rec["systems"][s.name] = out
    return rec


def write_results(path: Path, meta: dict[str, Any], records: Iterable[dict[str, Any]]) -> None:
    """Write the per-page results sorted by id (then dataset), so two runs diff cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {**meta, "pages": sorted(records, key=lambda r: (r["id"], r["dataset"]))}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--gate", action="store_true", help="exit 1 when the project misses a target")
    ap.add_argument("--only", choices=DATASETS)
    ap.add_argument("--folds", type=int, default=folds.DEFAULT_FOLDS, help="k of the k-fold table (0: none)")
    ap.add_argument("--baselines", default=",".join(BASELINES), help="comma list, or 'none'")
    ap.add_argument("--limit", type=int, help="first N pages (by id) of each dataset")
    ap.add_argument("--extractor", default=DEFAULT_EXTRACTOR, help="module:function or file.py:function")
    return ap.parse_args(argv)


def parse_baselines(text: str) -> list[str]:
    """Validate the --baselines list."""
    names = [n.strip() for n in text.split(",") if n.strip() and n.strip() != "none"]
    unknown = [n for n in names if n not in BASELINES]
    if unknown:
        raise SystemExit(f"unknown baseline(s): {', '.join(unknown)} (choose from {', '.join(BASELINES)})")
    return names


def evaluate(pages: list[Page], systems: Sequence[System]) -> tuple[dict[str, dict], dict[str, dict]]:
    """Run every system on every page; print the tables; return (results, summary)."""
    results: dict[str, dict] = {}
    for s in systems:
        print(f"running {f'{s.name} {s.version}'.strip()} on {len(pages)} pages…", flush=True)
        results[s.name] = run_system(s, pages)
    assign_languages(pages, results.get(PROJECT))
    return results, report(pages, systems, results)


def main(argv: Sequence[str] | None = None, systems: Sequence[System] | None = None) -> int:
    """Entry point; ``systems`` lets tests pass stand-in systems directly."""
    args = parse_args(argv)
    baselines = parse_baselines(args.baselines)
    if not args.devset.is_dir():
        print(f"devset not found at {args.devset}: skipping evaluation")
        return 0
    names = [args.only] if args.only else [d for d in DATASETS if (args.devset / d / "labels.json").is_file()]
    pages = [p for ds in names for p in load_dataset(args.devset, ds, args.limit)]
    quiet_libraries()
    if systems is None:
        systems = load_systems(args.extractor, baselines)
    if not systems:
        print("no system to evaluate")
        return 1 if args.gate else 0
    results, summary = evaluate(pages, systems)
    per_fold = fold_summary(pages, systems, results, args.folds) if args.folds > 1 else {}
    meta = {
        "devset": str(args.devset),
        "extractor": args.extractor,
        "systems": {s.name: s.version for s in systems},
        "gate_targets": GATE_TARGETS,
        "regression_floors": REGRESSION_FLOORS,
        "summary": summary,
        "folds": per_fold,
    }
    write_results(args.out, meta, (page_record(p, systems, results) for p in pages))
    print(f"\nper-page results: {args.out}")
    print("\n" + summary_markdown(summary, systems))
    if per_fold:
        print("\n" + folds_markdown(per_fold, systems, args.folds))
    return gate(summary, systems) if args.gate else 0


def gate(summary: dict[str, dict], systems: Sequence[System]) -> int:
    """Print the gate verdict; 1 when a target is missed or the project did not run."""
    if not any(s.name == PROJECT for s in systems):
        print("\nGATE FAILED: the project extractor did not run")
        return 1
    for f in gate_failures(summary, GATE_TARGETS):
        print(f"target not yet met: {f}")
    fails = gate_failures(summary, REGRESSION_FLOORS)
    for f in fails:
        print(f"GATE MISS (regression floor): {f}")
    print("\nGATE FAILED" if fails else "\nGATE PASSED (regression floors)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
