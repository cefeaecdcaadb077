"""End to end: backfill into a real archive directory, through the CLI a user runs."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import etl
from etl.archive.store import Archive
from etl.models import Reject
from etl.pipeline import _results, _StopSignal, _Window, run_pipeline
from etl.read import read_inputs
from tests.conftest import FIXTURES, ROOT, SEEDS
from tests.faults import SPIN_MARK


def backfill(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "backfill", "--no-progress", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def article_rows(data: Path) -> int:
    return Archive(data).read("articles", columns=["article_id"]).num_rows


@pytest.mark.slow
def test_backfill_twice_appends_nothing(data_dir: Path) -> None:
    first = backfill(SEEDS, "--data", data_dir)
    assert "read 9, new 9, duplicates 0" in first.stdout
    files = sorted(data_dir.rglob("*.parquet"))
    second = backfill(SEEDS, "--data", data_dir)
    assert "read 9, new 0, duplicates 9" in second.stdout
    assert article_rows(data_dir) == 9
    new_files = set(data_dir.rglob("*.parquet")) - set(files)
    assert all(f.parent.name == "runs" for f in new_files)  # only the run log grew
    runs = Archive(data_dir).read("runs").to_pandas().sort_values("started_at")
    assert runs["new"].tolist() == [9, 0]
    assert runs["duplicates"].tolist() == [0, 9]


@pytest.mark.slow
def test_pandas_and_duckdb_read_documented_types(data_dir: Path) -> None:
    backfill(SEEDS, "--data", data_dir)
    df = pd.read_parquet(data_dir / "articles")
    assert len(df) == 9
    assert str(df["published"].dtype) == "datetime64[us, UTC]"
    assert isinstance(df["language"].dtype, pd.CategoricalDtype)
    assert df["authors"].map(lambda a: all(isinstance(x, str) for x in a)).all()
    assert set(df["language"]) == {"ar", "ru", "en"}
    seed = df[df["origin"].str.endswith("000_2a54357175af2b52.txt")].iloc[0]
    assert (int(seed["year"]), int(seed["month"])) == (2020, 11)

    canonical = etl.load_articles(data_dir)
    assert str(canonical["year"].dtype) == "Int32"
    assert str(canonical["published_offset_minutes"].dtype) == "Int16"
    assert len(etl.load_articles(data_dir, language="ar")) == 3

    glob = str(data_dir / "articles" / "**" / "*.parquet")
    types = duckdb.sql(
        f"SELECT typeof(year), typeof(month), typeof(published), typeof(authors), count(*) "
        f"FROM read_parquet('{glob}', hive_partitioning=true, union_by_name=true) GROUP BY ALL"
    ).fetchall()
    assert {t[:4] for t in types} == {("BIGINT", "BIGINT", "TIMESTAMP WITH TIME ZONE", "VARCHAR[]")}
    assert sum(t[4] for t in types) == 9


@pytest.mark.slow
def test_partition_uses_the_page_date_and_offset(data_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "midnight.html").write_text(
        """<html><head><meta property="article:published_time" content="2021-01-01T00:05:00+03:00">
        <title>New year decree signed</title></head><body><article><h1>New year decree signed</h1>
        <p>The president signed the decree five minutes after midnight, officials said on Friday,
        in a short ceremony attended by members of the government and the press.</p>
        <p>The decree takes effect immediately and applies to all regions of the country.</p>
        </article></body></html>""",
        encoding="utf-8",
    )
    backfill(inputs, "--data", data_dir)
    df = etl.load_articles(data_dir)
    row = df.iloc[0]
    assert (row["year"], row["month"]) == (2021, 1)  # the page's January, not UTC's December
    assert row["published"] == pd.Timestamp("2020-12-31T21:05:00Z")
    assert row["published_offset_minutes"] == 180


@pytest.mark.slow
def test_unknown_date_goes_to_read_month_and_is_kept(data_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "undated.txt").write_text(
        "A headline without any date\n\nThe body of this article has several words and no date "
        "at all, which happens with old dumps.\n\nA second paragraph follows here.",
        encoding="utf-8",
    )
    backfill(inputs, "--data", data_dir)
    df = etl.load_articles(data_dir)
    assert len(df) == 1
    assert pd.isna(df.iloc[0]["published"])
    assert df.iloc[0]["date_origin"] == "fetched"
    assert (df.iloc[0]["year"], df.iloc[0]["month"]) == (
        df.iloc[0]["fetched_at"].year,
        df.iloc[0]["fetched_at"].month,
    )


@pytest.mark.slow
def test_bad_inputs_are_rejected_with_reasons_and_the_batch_goes_on(data_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a_empty.html").write_bytes(b"")
    (inputs / "b_binary.html").write_bytes(bytes(range(256)) * 20)
    (inputs / "c_truncated.html").write_bytes(
        b"<html><body><article><h1>Truncated page</h1><p>This page was cut off in the middle of"
    )
    (inputs / "d_no_article.html").write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (inputs / "e_bad.html.gz").write_bytes(b"not gzip at all")
    (inputs / "f_good.txt").write_text((SEEDS / "002_putin_erdogan_en.txt").read_text(encoding="utf-8"))
    result = backfill(inputs, "--data", data_dir)
    assert "new 1," in result.stdout
    reasons = Archive(data_dir).read("rejects").to_pandas().set_index("origin")["reason"]
    by_name = {Path(k).name: v for k, v in reasons.items()}
    assert by_name["a_empty.html"] == "empty input"
    assert "binary" in by_name["b_binary.html"]
    assert "no article text" in by_name["d_no_article.html"]
    assert "unreadable" in by_name["e_bad.html.gz"]
    for name, reason in by_name.items():
        assert "\n" not in reason and f"{name}: {reason}" in result.stdout.replace(str(inputs) + "/", "")
    assert article_rows(data_dir) == 1


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_fails_alone_and_the_rest_is_archived(
    data_dir: Path, tmp_path: Path
) -> None:
    """It aborted the whole backfill ('utf-8' codec can't encode character '\\udcff'), naming no
    file and archiving nothing; and so did a lone surrogate escape in a page's JSON-LD."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEEDS / "002_putin_erdogan_en.txt", inputs / "a.txt")
    shutil.copy(SEEDS / "000_2a54357175af2b52.txt", os.fsdecode(os.fsencode(inputs) + b"/bad\xff.txt"))
    (inputs / "jsonld.html").write_text(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Bridge \\ud800 reopens", "datePublished": "2021-03-04"}</script></head><body><article>'
        "<h1>Bridge reopens</h1><p>"
        + "The old bridge over the river reopened to traffic today. " * 5
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    result = backfill(inputs, "--data", data_dir)
    assert "read 3, new 2," in result.stdout
    assert f"rejected: {inputs}/bad\\udcff.txt: file name is not valid UTF-8" in result.stdout
    rejects = Archive(data_dir).read("rejects").to_pylist()
    assert [(r["origin"], r["stage"]) for r in rejects] == [(f"{inputs}/bad\\udcff.txt", "read")]
    titles = set(etl.load_articles(data_dir)["title"])
    assert "Bridge \\ud800 reopens" in titles and len(titles) == 2


@pytest.mark.slow
def test_nothing_processable_exits_non_zero(data_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.html").write_bytes(b"")
    assert backfill(inputs, "--data", data_dir, check=False).returncode == 1
    assert backfill(tmp_path / "missing", "--data", data_dir, check=False).returncode == 1


@pytest.mark.slow
def test_gzip_html_and_sidecar_url(data_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    page = (SEEDS / "030_en_politics.html").read_bytes()
    (inputs / "page.html.gz").write_bytes(gzip.compress(page))
    (inputs / "page.url").write_text("https://mirror.example/a?utm_source=x#top\n")
    (inputs / "plain.html").write_text(
        "<html><body><h1>Plain page</h1><p>" + "Words of a plain article. " * 20 + "</p></body></html>"
    )
    (inputs / "plain.url").write_text("https://www.news.example/b?utm_source=x&id=3#top\n")
    backfill(inputs, "--data", data_dir)
    rows = etl.load_articles(data_dir).set_index("title")
    plain = rows.loc["Plain page"]
    assert plain["url"] == "https://www.news.example/b?utm_source=x&id=3#top"
    assert plain["canonical_url"] == "https://www.news.example/b?id=3"
    assert plain["site"] == "news.example"
    # A page's own <link rel=canonical> is more authoritative than where a copy was found.
    politics = rows.loc["Portuguese lawmakers approve 2026 budget after Socialists abstain"]
    assert politics["url"] == "https://mirror.example/a?utm_source=x#top"
    assert politics["canonical_url"].startswith("https://www.example-herald.test/world/europe/2025/10/21/")


def _corpus(directory: Path, n: int) -> None:
    """n distinct articles (random words from a large vocabulary: no near-duplicates)."""
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(20000)]
    directory.mkdir()
    for i in range(n):
        paragraphs = [" ".join(rng.choices(vocabulary, k=60)) + "." for _ in range(4)]
        body = "\n\n".join(paragraphs)
        (directory / f"{i:04d}.txt").write_text(f"Headline number {i}\n\n12 March 2021\n\n{body}\n")


@pytest.mark.parametrize(("files_before_kill", "workers"), [(1, "1"), (4, "1"), (4, "2")])
@pytest.mark.slow
def test_sigkill_mid_run_leaves_a_readable_dataset_and_rerun_completes(
    data_dir: Path, tmp_path: Path, files_before_kill: int, workers: str
) -> None:
    """Killed while it is writing (after the first file, or several), not at a fixed time:
    the moment must be mid-run however fast the machine is. Its workers die with it, quietly,
    and the next run records it as killed with the rows it left (it left no runs/ row)."""
    n = 3000
    inputs = tmp_path / "in"
    _corpus(inputs, n)
    cmd = [sys.executable, "-m", "jobs", "backfill", "--no-progress", str(inputs), "--data", str(data_dir)]
    stderr = tmp_path / "stderr.log"
    with open(stderr, "w") as err:
        proc = subprocess.Popen(
            [*cmd, "--buffer-mb", "0.05", "--workers", workers],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + 120
    while len(list((data_dir / "articles").rglob("*.parquet"))) < files_before_kill:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before the kill"
        time.sleep(0.01)
    children = _children(proc.pid)
    assert len(children) == (2 if workers == "2" else 0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _assert_gone(children)
    assert "Traceback" not in stderr.read_text() and "Error" not in stderr.read_text()
    # Readable by every reader, whatever the moment of the kill.
    partial = len(pd.read_parquet(data_dir / "articles"))
    assert 0 < partial < n
    for f in data_dir.rglob("*.parquet"):
        pq.read_metadata(f)
    assert not (data_dir / "runs").exists() or not list((data_dir / "runs").glob("*.parquet"))
    subprocess.run([*cmd], cwd=ROOT, check=True, capture_output=True, timeout=300)
    df = etl.load_articles(data_dir)
    assert len(df) == n
    assert df["content_hash"].is_unique
    assert not list(data_dir.rglob("*.tmp"))
    runs = Archive(data_dir).read("runs").to_pandas().sort_values("started_at")
    assert runs["status"].tolist() == ["killed", "ok"]
    killed, rerun = runs.iloc[0], runs.iloc[1]
    assert (
        killed["job"] == "backfill" and killed["new"] == (df["run_id"] == killed["run_id"]).sum() == partial
    )
    assert (
        killed["read"] == partial and killed["rejected"] == 0 and killed["finished_at"] <= rerun["started_at"]
    )
    assert rerun["new"] == n - partial and rerun["duplicates"] == partial
    assert not list((data_dir / "runs").glob(".*"))  # no marker left


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.slow
def test_a_run_whose_store_fails_records_it_and_keeps_what_it_stored(
    data_dir: Path, tmp_path: Path, workers: str
) -> None:
    """The disk fills up after three article files (tests/faults.py). Before, the run raised
    and left no runs/ row while its stored rows stayed visible; now it says why in one line,
    records itself as failed with the counts of what is on disk, and the next run completes."""
    n = 300
    inputs = tmp_path / "in"
    _corpus(inputs, n)
    args = ["backfill", "--no-progress", str(inputs), "--data", str(data_dir), "--workers", workers]
    failing = [sys.executable, "-m", "tests.faults", "disk-full-after-3", *args, "--buffer-mb", "0.05"]
    result = subprocess.run(failing, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed:" in result.stdout and "(OSError: [Errno 28] No space left on device" in result.stdout
    assert "Traceback" not in result.stderr
    stored = etl.load_articles(data_dir, columns=["run_id"])
    (run,) = Archive(data_dir).read("runs").to_pylist()
    assert run["status"] == "failed" and run["error"].startswith(
        "OSError: [Errno 28] No space left on device"
    )
    assert 0 < run["new"] == len(stored) < run["read"] <= n
    assert set(stored["run_id"]) == {run["run_id"]}
    backfill(inputs, "--data", data_dir)
    assert (
        len(etl.load_articles(data_dir, columns=["content_hash"])["content_hash"].unique())
        == n
        == article_rows(data_dir)
    )
    runs = Archive(data_dir).read("runs").to_pandas().sort_values("started_at")
    assert runs["status"].tolist() == ["failed", "ok"]


def _assert_gone(pids: list[int], seconds: float = 10) -> None:
    """Every process in ``pids`` has ended (the kernel kills them with their parent)."""
    deadline = time.monotonic() + seconds
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
    assert not alive, f"worker processes outlived their parent: {alive}"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


@pytest.mark.parametrize(
    ("workers", "sig"), [("1", signal.SIGTERM), ("2", signal.SIGTERM), ("2", signal.SIGINT)]
)
@pytest.mark.slow
def test_sigterm_mid_run_stops_it_at_the_next_page_and_keeps_what_is_done(
    data_dir: Path, tmp_path: Path, workers: str, sig: signal.Signals
) -> None:
    """The signal lands while pages are being extracted: it must neither be swallowed by the
    extraction code (the run went on, the page was rejected) nor leave a worker the pool
    waits for forever. SIGINT goes to the whole process group, as Ctrl-C does."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    pages = sorted(SEEDS.glob("*.html"))
    copies = 80  # far more than are done when the signal comes
    for copy in range(copies):
        for page in pages:
            shutil.copy(page, inputs / f"{copy:03d}-{page.name}")
            shutil.copy(page.with_suffix(".url"), inputs / f"{copy:03d}-{page.stem}.url")
    log = tmp_path / "stderr.log"
    cmd = [
        sys.executable,
        "-m",
        "jobs",
        "-v",
        "backfill",
        "--no-progress",
        str(inputs),
        "--data",
        str(data_dir),
    ]
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [*cmd, "--workers", workers],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "duplicate of" not in log.read_text():  # logged once the second copy is being stored
            assert proc.poll() is None and time.monotonic() < deadline, "no duplicate before the run ended"
            time.sleep(0.02)
        children = _children(proc.pid)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            for child in _children(proc.pid):
                os.kill(child, signal.SIGKILL)
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out + log.read_text()[-3000:]
    _assert_gone(children)
    assert "Traceback" not in log.read_text()
    run = Archive(data_dir).read("runs").to_pylist()
    assert [(r["status"], r["error"]) for r in run] == [("interrupted", f"stopped by {sig.name}")]
    assert len(pages) < run[0]["read"] < len(pages) * copies and run[0]["rejected"] == 0, out
    assert run[0]["new"] == len(pages) == article_rows(data_dir)
    assert not list(data_dir.rglob("*.tmp"))


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.slow
def test_a_page_over_the_cpu_budget_is_rejected_and_every_other_page_is_stored(
    data_dir: Path, tmp_path: Path, workers: str
) -> None:
    """A real run whose extractor spins on one page (tests/faults.py): before, nothing
    limited a page and the run waited for it (the spin lasts two minutes). The page right
    behind the spinning one went to the same worker, is re-run by its replacement, and still
    wins over a later copy of itself: which copy is kept does not depend on timing."""
    first = tmp_path / "first"
    first.mkdir()
    page = (SEEDS / "030_en_politics.html").read_bytes()
    (first / "a_spin.html").write_bytes(page.replace(b"<body", SPIN_MARK + b"<body", 1))
    (first / "b_other.txt").write_text(
        "Harbour reopens after storm\n\n" + "Ferries sailed again from the harbour on Monday. " * 8
    )
    shutil.copy(SEEDS / "002_putin_erdogan_en.txt", first / "c_copy.txt")
    cmd = [sys.executable, "-m", "tests.faults", "spin", "backfill", "--no-progress", str(first), str(SEEDS)]
    cmd += ["--data", str(data_dir), "--workers", workers, "--page-budget", "1"]
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "read 12, new 10, duplicates 1, near-duplicates 0, revisions 0, rejected 1" in result.stdout
    assert f"rejected: {first}/a_spin.html: extraction took longer than 1 s" in result.stdout
    rejects = Archive(data_dir).read("rejects").to_pylist()
    assert [(r["origin"], r["reason"]) for r in rejects] == [
        (f"{first}/a_spin.html", "extraction took longer than 1 s")
    ]
    kept = etl.load_articles(data_dir, columns=["origin"])["origin"]
    assert f"{first}/c_copy.txt" in set(kept) and f"{SEEDS}/002_putin_erdogan_en.txt" not in set(kept)
    assert elapsed < 60  # about the budget plus start-up, not the two minutes of the spin
    if workers == "2":
        assert "extraction worker" in result.stderr and "replaced" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_extract_cli_prints_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "extract", str(SEEDS / "000_2a54357175af2b52.txt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    article = json.loads(result.stdout)
    assert article["agency"] == "TASS"
    assert article["published"] == "2020-11-11"


@pytest.mark.slow
def test_near_duplicates_across_runs_go_to_duplicates_once(data_dir: Path, tmp_path: Path) -> None:
    backfill(SEEDS, "--data", data_dir)
    inputs = tmp_path / "in"
    inputs.mkdir()
    original = (SEEDS / "002_putin_erdogan_en.txt").read_text(encoding="utf-8")
    edited = original.replace("telephone", "phone").replace("Kremlin", "Kremlin's")
    assert edited != original
    (inputs / "republished.txt").write_text("Republished by Example Wire\n\n" + edited, encoding="utf-8")
    (inputs / "republished.url").write_text("https://wire.example/putin-erdogan\n")
    first = backfill(inputs, "--data", data_dir)
    assert "new 0, duplicates 0, near-duplicates 1" in first.stdout
    second = backfill(inputs, "--data", data_dir)
    assert "new 0, duplicates 0, near-duplicates 1" in second.stdout
    dups = Archive(data_dir).read("duplicates").to_pandas()
    assert len(dups) == 1  # recorded once, not once per run
    row = dups.iloc[0]
    seed = etl.load_articles(data_dir, language="en")
    original_id = seed[seed["origin"].str.endswith("002_putin_erdogan_en.txt")]["article_id"].iloc[0]
    assert row["duplicate_of"] == original_id and row["kind"] == "near"
    assert 0.5 <= row["similarity"] <= 1.0  # an estimate: a few edited words can still read 1.0
    assert article_rows(data_dir) == 9


def test_two_workers_store_what_one_stores_and_report_the_cpu_split(tmp_path: Path) -> None:
    inputs = [SEEDS, FIXTURES / "site", SEEDS]  # the second pass: duplicates
    one = run_pipeline(read_inputs(inputs), Archive(tmp_path / "one"), workers=1, progress=False)
    two = run_pipeline(read_inputs(inputs), Archive(tmp_path / "two"), workers=2, progress=False)
    counts = ("read", "new", "duplicates", "near_duplicates", "revisions", "rejected")
    assert [getattr(two, c) for c in counts] == [getattr(one, c) for c in counts]
    assert one.new >= 9 and one.duplicates >= 9
    columns = ["origin", "article_id", "version", "text", "minhash"]
    stored = [
        etl.load_articles(tmp_path / name, columns=columns).sort_values("origin").reset_index(drop=True)
        for name in ("one", "two")
    ]
    assert stored[0]["origin"].is_unique
    pd.testing.assert_frame_equal(stored[0], stored[1])
    # One worker: extraction runs in the writer process; two: in two worker processes.
    assert one.figures["writer_cpu_seconds"] > 0 and one.figures["worker_processes"] == 0
    assert two.figures["workers_cpu_seconds"] > 0 and two.figures["worker_processes"] == 2
    for run in (one, two):
        memory = run.figures["memory"]
        assert memory["index_rows"] == run.new + run.revisions
        assert 0 < memory["index_mb"] <= memory["index_most_mb"]
        assert 0 < memory["buffer_most_mb"] < memory["buffer_mb"] == 128
        assert memory["writer_peak_rss_mb"] > memory["index_at_peak_mb"] + memory["buffer_at_peak_mb"]
    assert (one.figures["memory"]["in_flight"], one.figures["memory"]["in_flight_bound"]) == (1, 1)
    assert 1 <= two.figures["memory"]["in_flight"] <= two.figures["memory"]["in_flight_bound"] == 64


@pytest.mark.slow
def test_the_cli_writes_the_figures_as_json_and_logs_them_only_when_verbose(
    data_dir: Path, tmp_path: Path
) -> None:
    """Benchmarks read figures from the run summary, not from log text; a user's backfill does
    not print them."""
    out = tmp_path / "summary.json"
    result = backfill(SEEDS, "--data", data_dir, "--summary-json", out)
    summary = json.loads(out.read_text())
    assert (summary["status"], summary["read"], summary["new"]) == ("ok", 9, 9)
    assert summary["figures"]["memory"]["index_rows"] == 9 and summary["figures"]["writer_cpu_seconds"] > 0
    assert summary["run_id"] == Archive(data_dir).read("runs")["run_id"][0].as_py()
    assert "memory:" not in result.stderr and "cpu:" not in result.stderr


def test_workers_stop_at_the_window_while_the_writer_is_busy() -> None:
    """Pool.imap alone reads inputs as fast as the workers go and queues their results without
    limit, so pages piled up in the writer whenever it was slower (a Parquet flush, an index
    merge). With two workers, at most ``in_flight`` inputs are read and not yet stored, even
    while the writer keeps its first result for a long time; order and count are unchanged."""
    limit, total = 12, 300
    read = stored = most = 0
    full = threading.Event()

    def inputs() -> Iterator[Reject]:  # consumed by the pool's feeder thread
        nonlocal read, most
        for i in range(total):
            read += 1
            most = max(most, read - stored)
            if read - stored >= limit:
                full.set()
            yield Reject(f"input-{i}", "cheap for a worker: returned as it is")

    origins = []
    window = _Window(limit)
    for result in _results(inputs(), 2, _StopSignal(), window):
        if not origins:  # the writer is busy with its first page: the feeder may read on meanwhile
            assert full.wait(60)
            time.sleep(0.5)
            assert read == limit
        origins.append(result.origin)
        stored += 1  # stored: the next request for a result frees its slot
    assert origins == [f"input-{i}" for i in range(total)]
    assert most == window.most == limit
