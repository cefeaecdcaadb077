"""Each benchmark section of tools/bench/ runs on a tiny corpus of the repository's own pages and
produces the figures its report and targets table show (the speed figures themselves are only
checked to be real numbers: timings belong to `make bench`, not to tests)."""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from tools.bench import __main__ as cli
from tools.bench import backfill, cluster, dedup, extract, nesting, pipeline, s3read
from tools.bench.common import QUIET_MODULES
from tools.bench.corpus import Page, load_pages


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    """Three pages of seeds/ (never the devset: its path does not exist here)."""
    found, source = load_pages(tmp_path_factory.mktemp("no-devset"))
    assert "seeds/ and tests/fixtures/" in source
    return found[:3]


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def check_targets(module: Any, figures: dict[str, Any], count: int) -> None:
    """The section's target rows and report lines come out of its figures."""
    rows = module.targets(figures)
    assert len(rows) == count
    assert all(row["figure"] and row["target"] and row["value"] is not None for row in rows)
    module.report(figures)  # raises on a missing figure


def test_extract(pages: list[Page], capsys: pytest.CaptureFixture[str]) -> None:
    out = extract.bench_extraction(pages)
    assert out["pages"] == 3
    assert positive(out["mean_page_kb"])
    for name in ("ours", "ours_fast", "trafilatura"):
        assert out[name]["pages"] == 3
        assert positive(out[name]["pages_per_s"]) and positive(out[name]["median_ms"])
    assert out["ours"]["no_result"] == 0  # seed pages are articles
    assert positive(out["ratio_pages_per_s"]) and positive(out["ratio_fast_pages_per_s"])
    assert all(positive(s["pages_per_s"]) for s in out["parse_only"].values())
    check_targets(extract, out, 2)
    assert "ratio ours/trafilatura pages/s" in capsys.readouterr().out


@pytest.mark.slow
def test_pipeline(pages: list[Page], tmp_path: Path) -> None:
    out = pipeline.bench_pipeline(pages, n=6, workers=2, repeat=1, tmp=tmp_path)
    assert out["corpus"]["inputs"] == 6 and out["corpus"]["distinct_pages"] == 3
    for workers in ("1", "2"):
        run = out["runs"][workers]
        assert run["read"] == 6 and run["new"] >= 3  # the three pages, then copies of them
        assert positive(run["pages_per_s"]) and positive(run["peak_rss_mb"])
        assert positive(run["writer_cpu_seconds"])
    assert positive(out["speedup"])
    check_targets(pipeline, out, 1)


@pytest.mark.slow
def test_dedup(tmp_path: Path) -> None:
    out = dedup.bench_dedup(2_000, tmp_path, delta=500)
    assert out["archive"]["articles"] == 2_000
    assert out["index_size"] == 2_000  # the cached load holds every archived article
    assert out["cached_plus_delta"]["index_size"] == 2_500
    for mode in ("cold", "first-run", "cached", "cached_plus_delta"):
        assert positive(out[mode]["load_seconds"]) and positive(out[mode]["process_peak_rss_mb"])
    assert positive(out["cache_mb_on_disk"])
    assert {k: v["decision"] for k, v in out["classify"].items()} == {
        "new": "new",
        "duplicate": "duplicate",
        "near_duplicate": "near_duplicate",
    }
    check_targets(dedup, out, 1)


@pytest.mark.slow
def test_backfill(tmp_path: Path) -> None:
    out = backfill.bench_backfill(200, 100, workers=1, tmp=tmp_path, flat_buffer_mb=0)
    assert set(out["runs"]) == {"200", "100"}
    assert out["200"]["read"] == out["200"]["new"] == 200
    assert out["100"]["new"] == 100
    assert positive(out["200"]["peak_rss_mb"])
    layout = out["200"]["layout"]
    assert sum(p["rows"] for p in layout["partitions"].values()) == 200
    assert layout["max_files_per_partition"] >= 1
    growth = out["rss_growth"]  # split by the writer's run summary
    assert positive(growth["tree_ratio"]) and positive(growth["ratio_without_index"])
    assert positive(growth["writer_ratio"]) and growth["index_bytes_per_article"] >= 0
    check_targets(backfill, out, 4)


def test_nesting() -> None:
    out = nesting.bench_nesting(repeat=1, sizes=(1_000, 2_000))
    for kind in ("nested", "unclosed"):
        assert list(out[kind]["sizes"]) == ["1000", "2000"]
        assert all(positive(row["seconds_per_page"]) for row in out[kind]["sizes"].values())
        assert positive(out[kind]["ratio_largest"])
    check_targets(nesting, out, 2)
    assert nesting.ratio_label(out["nested"]) == "2k/1k"


@pytest.mark.slow
def test_cluster(pages: list[Page], tmp_path: Path) -> None:
    out = cluster.bench_cluster(pages, n=6, repeat=1, tmp=tmp_path, sweep_workers=(1, 4))
    for run in (out["runs"]["pool"], out["runs"]["cluster"]):
        assert run["read"] == 6
        assert positive(run["pages_per_s"]) and positive(run["writer_ms_per_page"])
    assert positive(out["ratio"])
    sweep = out["sweep"]
    assert sweep["pages"] == 6 and positive(sweep["extraction_ms"])
    assert set(sweep["workers"]) == {"1", "4"}
    assert all(positive(r["efficiency"]) and r["new"] > 0 for r in sweep["workers"].values())
    check_targets(cluster, out, 6)


@pytest.mark.slow
def test_s3read(tmp_path: Path) -> None:
    """A real SeaweedFS: the section starts its own, puts the WARC there, stops it and puts the
    environment back (later tests may use the session's server)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    out = s3read.bench_s3read(tmp_path, records=12, every=4, repeat=1)
    assert os.environ.get("AWS_ENDPOINT_URL") == endpoint
    assert out["warc"]["records"] == 12 and positive(out["warc"]["mb"])
    assert set(out["whole"]) == {"local", "unbuffered", "open_input"}
    assert all(positive(r["seconds"]) and positive(r["mb_per_s"]) for r in out["whole"].values())
    assert out["records"]["count"] == 3  # offsets 0, 4 and 8 of 12
    for way in ("unbuffered", "open_input"):
        assert positive(out["records"][way]["seconds"]) and positive(out["records"][way]["ms_per_record"])
    for ratio in ("ratio_s3_over_disk", "speedup_buffered", "ratio_records_buffered_over_unbuffered"):
        assert positive(out[ratio])
    check_targets(s3read, out, 3)
    assert "whole WARC read from S3 / from disk" in [row["figure"] for row in s3read.targets(out)]


def test_cli_runs_the_sections_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--only picks the sections; the report and the JSON carry only theirs, with their targets."""
    out_file = tmp_path / "latest.json"
    argv = ["--only", "extract", "--extract-pages", "2", "--devset", str(tmp_path / "none")]
    loggers = {name: logging.getLogger(name).level for name in QUIET_MODULES}
    with warnings.catch_warnings():  # main() quiets the libraries for its process: not for later tests
        try:
            assert cli.main([*argv, "--out", str(out_file)]) == 0
        finally:
            for name, level in loggers.items():
                logging.getLogger(name).setLevel(level)
    results = json.loads(out_file.read_text(encoding="utf-8"))
    assert {"extraction", "machine", "versions", "corpus", "targets", "command"} <= set(results)
    assert not {"pipeline", "dedup_index", "backfill", "nesting", "cluster", "s3"} & set(results)
    figures = [row["figure"] for row in results["targets"]]
    assert figures == [
        "extraction ours/trafilatura pages/s (1 core)",
        "extraction ours fast/trafilatura pages/s",
    ]
    printed = capsys.readouterr().out
    assert "== 1. extraction alone: 2 pages" in printed and "== 2." not in printed
    with pytest.raises(SystemExit):
        cli.parse_args(["--skip", "nonsense"])
