"""The dedup index cache in data/.index: a later run loads it instead of rebuilding, and it
never changes a decision, whatever happened to the files (new runs, compaction, damage)."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import etl
from etl.archive import dedup, index_cache
from etl.archive.dedup import DedupIndex
from etl.archive.fingerprint import Fingerprint
from etl.archive.schema import DUPLICATES
from etl.archive.store import Archive
from tests.archive.test_dedup import COMBINED, TEXTS, VOCAB, apply_all, fp_of, lang_of, mixed_edits
from tests.archive.test_dedup import origin_url as origin
from tests.archive.test_store import article
from tests.conftest import SEEDS
from tests.test_pipeline import backfill

NAMES = sorted(TEXTS)
CACHE = index_cache.CACHE_DIR


def stored_articles() -> list[tuple[Fingerprint, int]]:
    """Every fixture text at its origin URL, one text known only by its content, one revision."""
    rows = [(fp_of(TEXTS[n], None if n == "en_other_2" else origin(n)), 1) for n in NAMES]
    revised = TEXTS["ru_same_topic_3"] + " Материал дополнен комментарием банка."
    return [*rows, (fp_of(revised, origin("ru_same_topic_3")), 2)]


def write_run(data: Path, month: int, rows: list[tuple[Fingerprint, int]], run_id: str) -> None:
    """Articles with these fingerprints as one run writes them: part-<run_id>-00001.parquet."""
    archive = Archive(data)
    with archive.locked():
        writer = archive.writer(run_id)
        for i, (fp, version) in enumerate(rows):
            fields = {
                "content_hash": fp.content_hash,
                "url_hash": fp.url_hash,
                "minhash": fp.minhash.tolist(),
            }
            writer.add_article(
                article(i, **fields, version=version, published_date=date(2024, month, 1), run_id=run_id)
            )
        writer.flush()
        writer.write_run({"run_id": run_id, "status": "ok", "started_at": datetime.now(UTC)})


def write_recorded_duplicate(data: Path, fp: Fingerprint) -> None:
    (data / "duplicates").mkdir(parents=True, exist_ok=True)
    schema = pa.schema([DUPLICATES.field("content_hash"), DUPLICATES.field("url_hash")])
    table = pa.table({"content_hash": [fp.content_hash], "url_hash": [fp.url_hash]}, schema=schema)
    pq.write_table(table, data / "duplicates" / "part-r0-00001.parquet")
    Archive(data).writer("r0").write_run({"run_id": "r0", "status": "ok", "started_at": datetime.now(UTC)})


def cold(data: Path) -> DedupIndex:
    """The index as it was always built: every part file read from Parquet."""
    archive = Archive(data)
    return DedupIndex(
        archive.read("articles", columns=list(DedupIndex.COLUMNS)),
        archive.read("duplicates", columns=["content_hash", "url_hash"]),
    )


def probes() -> list[Fingerprint]:
    """Inputs of a later run: exact copies under other URLs and at the same URL, revisions,
    edited copies (near-duplicates), new articles, and copies of what the run itself adds."""
    out = []
    for n in NAMES:
        text, url = TEXTS[n], origin(n)
        near = apply_all(
            mixed_edits(text, 0.03, random.Random(n), VOCAB[lang_of(n)]), COMBINED[lang_of(n)][:2]
        )
        fresh = " ".join(text.split()[::-1])
        out += [
            fp_of(text, f"https://mirror.example/{n}"),
            fp_of(text, url),
            fp_of(text + " Updated.", url),
            fp_of(near, f"https://near.example/{n}"),
            fp_of(fresh, f"https://new.example/{n}"),
            fp_of(fresh, f"https://new-copy.example/{n}"),
        ]
    return out


def decisions(index: DedupIndex) -> list[dedup.Decision]:
    """Classify the probes as a run would, adding what it stores."""
    out = []
    for fp in probes():
        decision = index.classify(fp)
        index.add(fp, decision)
        out.append(decision)
    return out


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The article part files each Archive.read of the articles table opened."""
    opened: list[list[str]] = []
    original = Archive.read

    def spy(self: Archive, table: str, *args, **kwargs) -> pa.Table:
        if table == "articles":
            opened.append(sorted(Path(f).name for f in self.dataset(table, kwargs.get("files")).files))
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(Archive, "read", spy)
    return opened


@pytest.fixture
def two_runs(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive of two runs' files: the first cached, the second (sorting first) not."""
    monkeypatch.setattr(DedupIndex, "SEGMENT_ROWS", 4)  # the probes' run freezes and merges segments
    rows = stored_articles()
    write_run(data_dir, 3, rows[:11], "r1")
    write_recorded_duplicate(data_dir, fp_of(TEXTS[NAMES[0]], f"https://mirror.example/{NAMES[0]}"))
    DedupIndex.load(Archive(data_dir), write_cache=True)
    write_run(data_dir, 1, rows[11:], "r2")
    return data_dir


def test_a_later_run_loads_the_cache_and_decides_as_a_cold_build(two_runs: Path, reads: list) -> None:
    index = DedupIndex.load(Archive(two_runs))
    assert reads == [["part-r2-00001.parquet"]]  # only the file the cache does not cover
    assert index.size == len(stored_articles())
    got, expected = decisions(index), decisions(cold(two_runs))
    assert got == expected
    kinds = {d.kind for d in got}
    assert kinds == {"duplicate", "revision", "near_duplicate", "new"}
    assert any(d.kind == "duplicate" and not d.record for d in got[:1])  # recorded in duplicates/


def test_cache_is_rewritten_when_many_rows_are_not_covered(
    two_runs: Path, reads: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedup, "CACHE_STALE_ROWS", 1)
    first = decisions(DedupIndex.load(Archive(two_runs), write_cache=True))
    assert len(reads) == 1
    reloaded = DedupIndex.load(Archive(two_runs))
    assert len(reads) == 1  # everything came from the rewritten cache
    assert decisions(reloaded) == first == decisions(cold(two_runs))
    assert [p.name for p in (two_runs / CACHE).iterdir() if p.name.startswith("seg-")] != []
    assert len(list((two_runs / CACHE).iterdir())) == 2  # the manifest and one segment: old one swept


def test_without_the_lock_the_cache_is_never_written(data_dir: Path) -> None:
    write_run(data_dir, 1, stored_articles(), "r1")
    DedupIndex.load(Archive(data_dir))
    assert not (data_dir / CACHE).exists()


def test_after_compaction_the_stale_cache_is_not_used(two_runs: Path, reads: list) -> None:
    write_run(two_runs, 3, [(fp_of(TEXTS[NAMES[0]] + " Later.", "https://x.example/later"), 1)], "r3")
    archive = Archive(two_runs)
    with archive.locked():
        for partition in archive.partitions():
            archive.compact(partition)
    index = DedupIndex.load(archive, write_cache=True)
    compacted = next((two_runs / "articles").rglob("part-compact-*")).name
    assert reads == [sorted([compacted, "part-r2-00001.parquet"])]
    assert decisions(index) == decisions(cold(two_runs))
    read_so_far = len(reads)
    DedupIndex.load(archive)
    assert len(reads) == read_so_far  # the cache was rewritten for the compacted files


def damage_manifest(cache: Path) -> None:
    (cache / "manifest.json").write_text('{"format": 1, "dir": "seg-', encoding="utf-8")


def drop_manifest_key(cache: Path) -> None:
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    del manifest["arrays"]
    (cache / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def point_outside(cache: Path) -> None:
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    manifest["dir"] = "../articles"
    (cache / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def array_file(cache: Path, name: str) -> Path:
    return next(cache.glob(f"seg-*/{name}.npy"))


def truncate_bands(cache: Path) -> None:
    path = array_file(cache, "bands")
    path.write_bytes(path.read_bytes()[:-100])


def garble_header(cache: Path) -> None:
    path = array_file(cache, "signatures")
    data = bytearray(path.read_bytes())
    data[:16] = b"\x00" * 16
    path.write_bytes(bytes(data))


def remove_array(cache: Path) -> None:
    array_file(cache, "content_keys").unlink()


def swap_arrays_and_manifest(cache: Path) -> None:
    """An array replaced by one of another shape, the manifest edited to agree."""
    path = array_file(cache, "url_keys")
    np.save(path, np.zeros(3, dtype=np.int64))
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    manifest["arrays"]["url_keys"] = ["<i8", [3]]
    (cache / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [damage_manifest, drop_manifest_key, point_outside, truncate_bands, garble_header, remove_array,
     swap_arrays_and_manifest],
)  # fmt: skip
def test_a_damaged_cache_falls_back_to_parquet(
    two_runs: Path, reads: list, damage, caplog: pytest.LogCaptureFixture
) -> None:
    damage(two_runs / CACHE)
    index = DedupIndex.load(Archive(two_runs), write_cache=True)
    assert reads == [["part-r1-00001.parquet", "part-r2-00001.parquet"]]  # everything, from Parquet
    assert [r.levelname for r in caplog.records if "unreadable" in r.message] == ["WARNING"]
    assert decisions(index) == decisions(cold(two_runs))
    read_so_far = len(reads)
    DedupIndex.load(Archive(two_runs))
    assert len(reads) == read_so_far  # rewritten: the next run uses it again


def test_a_write_that_fails_halfway_leaves_no_cache_that_validates(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, reads: list
) -> None:
    write_run(data_dir, 1, stored_articles(), "r1")
    calls = 0
    original = np.save

    def failing_save(*args, **kwargs) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError(28, "No space left on device")
        original(*args, **kwargs)

    monkeypatch.setattr(np, "save", failing_save)
    index = DedupIndex.load(Archive(data_dir), write_cache=True)  # the run goes on
    assert decisions(index) == decisions(cold(data_dir))
    assert list((data_dir / CACHE).iterdir()) == []  # the partial arrays are gone, no manifest
    monkeypatch.setattr(np, "save", original)
    DedupIndex.load(Archive(data_dir))
    assert len(reads) == 3  # the first load, cold(), and this one: nothing cached


def test_backfill_writes_a_cache_no_reader_sees_and_reruns_append_nothing(data_dir: Path) -> None:
    backfill(SEEDS, "--data", data_dir)  # a run caches the archive it starts from: empty here
    second = backfill(SEEDS, "--data", data_dir)
    assert "read 9, new 0, duplicates 9" in second.stdout
    assert (data_dir / CACHE / "manifest.json").exists()
    third = backfill(SEEDS, "--data", data_dir)  # from the cache
    assert "read 9, new 0, duplicates 9" in third.stdout
    assert len(etl.load_articles(data_dir)) == 9
    assert len(pd.read_parquet(data_dir / "articles")) == 9
    everything = str(data_dir / "**" / "*.parquet")  # DuckDB's ** also enters hidden directories
    files = duckdb.sql(f"SELECT file FROM glob('{everything}')").fetchall()
    assert files and not any(f"/{CACHE}/" in name for (name,) in files)
    manifest = json.loads((data_dir / CACHE / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(f for f, _, _ in manifest["files"]) == sorted(
        p.relative_to(data_dir).as_posix() for p in (data_dir / "articles").rglob("*.parquet")
    )
