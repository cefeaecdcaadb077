"""Exact and near-duplicate detection against the whole archive.

The index is *derived from the archive* at the start of a run (a few hash columns read
into sorted numpy arrays), then grows in memory as the run adds articles. Building it for a
large archive takes seconds, so the arrays are also kept in a derived cache beside the data
(``data/.index``, see ``etl.archive.index_cache``) and memory-mapped by the next run, which reads
from Parquet only the part files written since. The cache cannot disagree with the data:
it is used only when its manifest matches the immutable part files exactly (path, size,
mtime), and anything else (compaction, a crash mid-write, damage) means a rebuild from Parquet.

Decisions, in order:
1. the same normalised text is archived            -> ``duplicate`` (skipped; recorded in
   ``duplicates/`` when it arrives under another URL, once per URL)
2. the same canonical URL is archived, other text  -> ``revision`` (new version, same id)
3. MinHash LSH finds an archived article with estimated Jaccard >= 0.5
                                                     -> ``near_duplicate`` (to ``duplicates/``)
4. otherwise                                        -> ``new``

LSH: 16 bands of 4 rows over the 64-value signature. For a copy with 5 % of its words
changed (word 3-shingle Jaccard about 0.74) a band matches with probability 0.74^4 = 0.30,
so at least one of 16 bands matches with probability 0.997; distinct articles on the
same topic (Jaccard < 0.2) rarely become candidates, and candidates are confirmed on the
full signature.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.archive import index_cache
from etl.archive.fingerprint import Fingerprint, article_id, hash64, similarity
from etl.archive.schema import ARTICLES, MINHASH_PERMUTATIONS
from etl.archive.store import Archive

BANDS = 16
ROWS = MINHASH_PERMUTATIONS // BANDS
NEAR_THRESHOLD = 0.5
_M = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9))
# Rewrite the cache when the part files it does not cover hold more rows than this.
CACHE_STALE_ROWS = 50_000
CACHE_STALE_SHARE = 0.1

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # new | duplicate | revision | near_duplicate
    article_id: str  # the id the input is (or would be) stored under
    version: int = 1
    duplicate_of: str | None = None
    similarity: float = 1.0
    record: bool = False  # whether a duplicates/ row should be written


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """A uint32 key per (band, row) of an (n, MINHASH_PERMUTATIONS) uint32 signature matrix,
    band-major so each band's keys are contiguous. 32 bits suffice: a chance collision only
    adds a candidate, which the full signature then rejects."""
    pairs = np.ascontiguousarray(signatures, dtype=np.uint32).view(np.uint64)  # (n, 32)
    halves = pairs.reshape(-1, BANDS, ROWS // 2)
    with np.errstate(over="ignore"):
        mixed = (halves[:, :, 0] * _M[0]) ^ (halves[:, :, 1] * _M[1])
        mixed ^= mixed >> np.uint64(29)
        mixed *= _M[0]
    return np.ascontiguousarray((mixed >> np.uint64(32)).astype(np.uint32).T)


def pair_key(content_hash: np.ndarray | int, url_hash: np.ndarray | int) -> np.ndarray:
    """A key for "this text at this URL", used to record each duplicate once."""
    c = np.asarray(content_hash, dtype=np.int64).view(np.uint64)
    u = np.asarray(url_hash, dtype=np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        return (c * _M[0]) ^ (u * _M[1])


class _SortedLookup:
    """Sorted keys with a payload per key; lookups by binary search."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys = keys
        self.values = values

    @staticmethod
    def sort(keys: np.ndarray, values: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(keys, payload) sorted by key. Without a payload the payload is the position the
        key had (a row number)."""
        order = np.argsort(keys)
        return keys[order], order.astype(np.int32) if values is None else values[order]

    def last(self, key: int | np.integer) -> int | None:
        """Payload of the last entry equal to key, or None."""
        i = int(np.searchsorted(self.keys, key, side="right")) - 1
        return int(self.values[i]) if i >= 0 and self.keys[i] == key else None


class _Segment:
    """An immutable block of indexed articles: the archive at the start of the run, or a
    frozen batch of what the run added. Rows are numbered from ``offset``.

    Everything it holds is in ``arrays`` (see ``build``), so a segment can be saved as is
    and opened again from memory-mapped files."""

    RAW = ("content", "urls", "has_url", "versions")  # the columns, kept to merge segments

    def __init__(self, offset: int, arrays: Mapping[str, np.ndarray]) -> None:
        self.offset = offset
        self.arrays = dict(arrays)
        self.size = n = len(arrays["content"])
        m = len(arrays["url_keys"])  # rows with a URL
        i8, i4 = np.dtype(np.int64), np.dtype(np.int32)
        expected = {
            **{name: (i8, (n,)) for name in ("content", "urls", "row_key", "row_url", "content_keys")},
            "has_url": (np.dtype(bool), (n,)),
            "versions": (i4, (n,)),
            "content_rows": (i4, (n,)),
            "url_keys": (i8, (m,)),
            "url_versions": (i4, (m,)),
            "bands": (np.dtype(np.uint64), (BANDS, n)),
            "signatures": (np.dtype(np.uint32), (n, MINHASH_PERMUTATIONS)),
        }
        found = {name: (a.dtype, a.shape) for name, a in arrays.items()}
        if found != expected or m > n:
            raise ValueError(f"inconsistent segment arrays: {found}")
        self.signatures = arrays["signatures"]
        self.raw = tuple(arrays[name] for name in self.RAW)
        self.row_key = arrays["row_key"]
        self.row_url = arrays["row_url"]
        self.has_url = arrays["has_url"]
        self.content = _SortedLookup(arrays["content_keys"], arrays["content_rows"])
        self.urls = _SortedLookup(arrays["url_keys"], arrays["url_versions"])
        self.bands = list(arrays["bands"])

    @classmethod
    def build(
        cls,
        offset: int,
        content: np.ndarray,
        urls: np.ndarray,
        has_url: np.ndarray,
        versions: np.ndarray,
        signatures: np.ndarray,
        keys: np.ndarray | None = None,
    ) -> _Segment:
        """A segment of these rows; ``keys`` are their ``band_keys`` if already known."""
        n = len(content)
        url_rows = np.flatnonzero(has_url)
        # Sorted by (url, version): the last entry of a url holds its highest version.
        order = url_rows[np.lexsort((versions[url_rows], urls[url_rows]))]
        content_keys, content_rows = _SortedLookup.sort(content)
        url_keys, url_versions = _SortedLookup.sort(urls[order], versions[order])
        keys = band_keys(signatures) if keys is None else keys
        rows = np.arange(n, dtype=np.uint64)
        bands = np.empty((BANDS, n), dtype=np.uint64)

        def sort_band(b: int) -> None:
            # One sorted array of (key << 32 | row) per band: a plain in-place sort, no
            # argsort and gather. Sorts release the GIL: two threads share them on two cores.
            np.bitwise_or(keys[b].astype(np.uint64) << np.uint64(32), rows, out=bands[b])
            bands[b].sort()

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(sort_band, range(BANDS)))
        arrays = {
            "content": content,
            "urls": urls,
            "has_url": has_url,
            "versions": versions,
            # Article key per row: url_hash when known, else content_hash (fingerprint.article_id).
            "row_key": np.where(has_url, urls, content),
            "row_url": np.where(has_url, urls, 0),
            "content_keys": content_keys,
            "content_rows": content_rows,
            "url_keys": url_keys,
            "url_versions": url_versions,
            "bands": bands,
            "signatures": signatures,
        }
        return cls(offset, arrays)

    @classmethod
    def from_table(cls, offset: int, articles: pa.Table) -> _Segment:
        """A segment of archived rows (the ``DedupIndex.COLUMNS`` of the articles table)."""
        url_col = articles.column("url_hash")
        return cls.build(
            offset,
            np.asarray(articles.column("content_hash").to_numpy(), dtype=np.int64),
            np.asarray(url_col.fill_null(0).to_numpy(), dtype=np.int64),
            url_col.is_valid().to_numpy(zero_copy_only=False),
            np.asarray(articles.column("version").to_numpy(), dtype=np.int32),
            _signature_matrix(articles.column("minhash"), articles.num_rows),
        )

    @staticmethod
    def merge(left: _Segment, right: _Segment) -> tuple[_Segment, int]:
        """One segment of ``left``'s rows followed by ``right``'s, and the most bytes the merge
        held at once. Consumes both segments (they are left empty).

        Both are sorted already, so their sorted arrays are merged (``right``'s rows renumbered)
        rather than rebuilt from the signatures: the same arrays as ``build`` gives. Each old
        array is dropped as soon as its merged one is built, the largest (the signatures, 256 of
        the 437 bytes a row) first: a merge holds about 1.6x the two segments, not twice."""
        shift, n = left.size, left.size + right.size
        a, b = left._take(), right._take()
        arrays: dict[str, np.ndarray] = {}
        held = peak = sum(x.nbytes for x in a.values()) + sum(x.nbytes for x in b.values())

        def built(*names: str) -> None:
            nonlocal held, peak
            held += sum(arrays[name].nbytes for name in names)
            peak = max(peak, held)
            held -= sum(a.pop(name).nbytes + b.pop(name).nbytes for name in names)

        arrays["signatures"] = np.concatenate([a["signatures"], b["signatures"]])
        built("signatures")
        bands = arrays["bands"] = np.empty((BANDS, n), dtype=np.uint64)
        for i in range(BANDS):  # (key << 32 | row): renumbering adds to the row bits only
            np.concatenate([a["bands"][i], b["bands"][i] + np.uint64(shift)], out=bands[i])
            bands[i].sort(kind="stable")  # two sorted runs: a linear merge
        built("bands")
        for name in ("content", "urls", "has_url", "versions", "row_key", "row_url"):
            arrays[name] = np.concatenate([a[name], b[name]])
            built(name)
        keys = np.concatenate([a["content_keys"], b["content_keys"]])
        order = np.argsort(keys, kind="stable")
        arrays["content_keys"] = keys[order]
        arrays["content_rows"] = np.concatenate([a["content_rows"], b["content_rows"] + shift])[order]
        del keys, order
        built("content_keys", "content_rows")
        # Sorted by (url, version), as build() sorts them.
        keys = np.concatenate([a["url_keys"], b["url_keys"]])
        values = np.concatenate([a["url_versions"], b["url_versions"]])
        order = np.lexsort((values, keys))
        arrays["url_keys"], arrays["url_versions"] = keys[order], values[order]
        del keys, values, order
        built("url_keys", "url_versions")
        return _Segment(left.offset, arrays), peak

    def _take(self) -> dict[str, np.ndarray]:
        """Hand over the arrays, keeping no reference to them: the segment is empty after."""
        arrays, self.arrays = self.arrays, {}
        self.signatures = self.row_key = self.row_url = self.has_url = np.zeros(0)
        self.raw = ()
        self.bands = []
        self.content = self.urls = _SortedLookup(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32))
        self.size = 0
        return arrays

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays.values())

    def content_row(self, content_hash: int) -> int | None:
        row = self.content.last(content_hash)
        return None if row is None else self.offset + row

    def latest_version(self, url_hash: int) -> int | None:
        return self.urls.last(url_hash)

    def candidates(self, keys: np.ndarray) -> set[int]:
        """Rows sharing at least one band key. Most bands match nothing: one binary search
        each, and a second one only where the first lands on the key."""
        found: set[int] = set()
        if not self.size:
            return found
        for band, key in zip(self.bands, keys.tolist(), strict=True):
            # numpy scalars of the array's type: a Python int below 2**63 would be taken as int64
            # and the whole uint64 array converted for the comparison (75 µs instead of 1 µs).
            lo = int(band.searchsorted(np.uint64(key << 32)))
            if lo == self.size or int(band[lo]) >> 32 != key:
                continue
            hi = int(band.searchsorted(np.uint64(key << 32 | 0xFFFFFFFF), side="right"))
            found.update(((band[lo:hi] & np.uint64(0xFFFFFFFF)) + np.uint64(self.offset)).tolist())
        return found


class DedupIndex:
    """All keys of the archive plus what the current run has added.

    The run's newest additions (the tail) are kept in preallocated numpy arrays, about 340 bytes
    per row, searched linearly, and frozen into a sorted segment every ``SEGMENT_ROWS`` rows;
    segments of similar size are merged, so a lookup searches a logarithmic number of them.
    (A tail of 20,000 rows in Python dicts of band keys took 3.2 KB per row: 64 MB.)"""

    COLUMNS = ("version", "content_hash", "url_hash", "minhash")
    SEGMENT_ROWS = 4096

    def __init__(self, articles: pa.Table | None = None, duplicates: pa.Table | None = None) -> None:
        articles = articles if articles is not None else _empty_articles()
        self._setup([_Segment.from_table(0, articles)], duplicates)

    @classmethod
    def load(cls, archive: Archive, *, write_cache: bool = False) -> DedupIndex:
        """The index of everything in ``archive``, from the on-disk cache when it is valid
        plus the part files written since, else from Parquet. With ``write_cache`` (only
        for the holder of the archive lock) a missing or much outdated cache is rewritten."""
        index = cls.__new__(cls)
        segments = _archive_segments(archive, write_cache)
        index._setup(segments, archive.read("duplicates", columns=["content_hash", "url_hash"]))
        return index

    def _setup(self, segments: list[_Segment], duplicates: pa.Table | None) -> None:
        self._segments = segments
        recorded = np.zeros(0, dtype=np.uint64)
        if duplicates is not None and duplicates.num_rows:
            recorded = pair_key(
                duplicates.column("content_hash").fill_null(0).to_numpy(),
                duplicates.column("url_hash").fill_null(0).to_numpy(),
            )
        self._recorded = np.sort(recorded)
        self._run_recorded: set[int] = set()
        self._keys_of: tuple[np.ndarray | None, np.ndarray] = (None, np.zeros(0, dtype=np.uint32))
        self._start_tail()
        self.peak_nbytes = self.nbytes  # the most at once, counting a merge's old and new segments
        self._interval_peak = self.peak_nbytes

    def _start_tail(self) -> None:
        """The run's newest additions, not yet frozen into a segment: rows ``[0, _tail_n)``."""
        rows = self.SEGMENT_ROWS
        self._tail_offset = sum(s.size for s in self._segments)
        self._tail_n = 0
        self._tail_content = np.zeros(rows, dtype=np.int64)
        self._tail_urls = np.zeros(rows, dtype=np.int64)
        self._tail_has_url = np.zeros(rows, dtype=bool)
        self._tail_versions = np.zeros(rows, dtype=np.int32)
        self._tail_signatures = np.zeros((rows, MINHASH_PERMUTATIONS), dtype=np.uint32)
        self._tail_keys = np.zeros((BANDS, rows), dtype=np.uint32)

    @property
    def size(self) -> int:
        return self._tail_offset + self._tail_n

    @property
    def nbytes(self) -> int:
        """Bytes of the index's arrays (segments and tail; a memory-mapped cache counts in full)."""
        tail = (
            self._tail_content,
            self._tail_urls,
            self._tail_has_url,
            self._tail_versions,
            self._tail_signatures,
            self._tail_keys,
        )
        segments = sum(s.nbytes for s in self._segments)
        recorded = self._recorded.nbytes + sys.getsizeof(self._run_recorded) + 32 * len(self._run_recorded)
        return segments + sum(a.nbytes for a in tail) + recorded

    def _held(self, nbytes: int) -> None:
        self.peak_nbytes = max(self.peak_nbytes, nbytes)
        self._interval_peak = max(self._interval_peak, nbytes)

    def take_peak(self) -> int:
        """The most the index held since the previous call (or since it was loaded)."""
        now = self.nbytes
        peak, self._interval_peak = max(self._interval_peak, now), now
        return peak

    # --- queries -------------------------------------------------------------------

    def classify(self, fp: Fingerprint) -> Decision:
        own_id = article_id(fp.url_hash, fp.content_hash)
        row = self._content_row(fp.content_hash)
        if row is not None:
            record = fp.url_hash is not None and self._url_of(row) != fp.url_hash and self._first_record(fp)
            return Decision("duplicate", own_id, duplicate_of=self._id_of(row), record=record)
        if fp.url_hash is not None:
            latest = self._latest_version(fp.url_hash)
            if latest is not None:
                return Decision("revision", own_id, version=latest + 1)
        match = self._nearest(fp.minhash)
        if match is not None:
            row, sim = match
            return Decision(
                "near_duplicate",
                own_id,
                duplicate_of=self._id_of(row),
                similarity=sim,
                record=self._first_record(fp),
            )
        return Decision("new", own_id)

    def _first_record(self, fp: Fingerprint) -> bool:
        key = int(pair_key(fp.content_hash, fp.url_hash or 0))
        i = int(np.searchsorted(self._recorded, np.uint64(key)))
        seen = i < len(self._recorded) and int(self._recorded[i]) == key
        return not seen and key not in self._run_recorded

    def _content_row(self, content_hash: int) -> int | None:
        if self._tail_n:
            hits = np.flatnonzero(self._tail_content[: self._tail_n] == content_hash)
            if hits.size:
                return self._tail_offset + int(hits[-1])
        for segment in reversed(self._segments):
            row = segment.content_row(content_hash)
            if row is not None:
                return row
        return None

    def _latest_version(self, url_hash: int) -> int | None:
        n = self._tail_n
        if n:
            hits = np.flatnonzero((self._tail_urls[:n] == url_hash) & self._tail_has_url[:n])
            if hits.size:
                return int(self._tail_versions[hits[-1]])
        versions = [v for s in self._segments if (v := s.latest_version(url_hash)) is not None]
        return max(versions) if versions else None

    def _band_keys(self, signature: np.ndarray) -> np.ndarray:
        """``band_keys`` of one signature; the last one is kept for ``add`` right after ``classify``."""
        if self._keys_of[0] is not signature:
            self._keys_of = (signature, band_keys(signature[None, :])[:, 0])
        return self._keys_of[1]

    def _nearest(self, signature: np.ndarray) -> tuple[int, float] | None:
        keys = self._band_keys(signature)
        candidates: set[int] = set()
        for segment in self._segments:
            candidates |= segment.candidates(keys)
        if n := self._tail_n:
            hit = (self._tail_keys[:, :n] == keys[:, None]).any(axis=0)
            candidates.update((np.flatnonzero(hit) + self._tail_offset).tolist())
        best: tuple[int, float] | None = None
        for row in sorted(candidates):
            sim = similarity(signature, self._signature(row))
            if sim >= NEAR_THRESHOLD and (best is None or sim > best[1]):
                best = (row, sim)
        return best

    def _locate(self, row: int) -> tuple[_Segment | None, int]:
        """The segment holding a row and the row's index in it (None: the tail)."""
        if row >= self._tail_offset:
            return None, row - self._tail_offset
        for segment in self._segments:
            if row < segment.offset + segment.size:
                return segment, row - segment.offset
        raise IndexError(row)

    def _signature(self, row: int) -> np.ndarray:
        segment, i = self._locate(row)
        return self._tail_signatures[i] if segment is None else segment.signatures[i]

    def _id_of(self, row: int) -> str:
        segment, i = self._locate(row)
        if segment is None:
            return article_id(self._url_of(row), int(self._tail_content[i]))
        return format(int(segment.row_key[i]) & 0xFFFFFFFFFFFFFFFF, "016x")

    def _url_of(self, row: int) -> int | None:
        segment, i = self._locate(row)
        if segment is None:
            return int(self._tail_urls[i]) if self._tail_has_url[i] else None
        return int(segment.row_url[i]) if segment.has_url[i] else None

    # --- updates -------------------------------------------------------------------

    def add(self, fp: Fingerprint, decision: Decision) -> None:
        """Register what the run is about to store (new articles and revisions) or record."""
        if decision.kind in ("duplicate", "near_duplicate"):
            if decision.record:
                self._run_recorded.add(int(pair_key(fp.content_hash, fp.url_hash or 0)))
            return
        i = self._tail_n
        self._tail_content[i] = fp.content_hash
        self._tail_urls[i] = fp.url_hash if fp.url_hash is not None else 0
        self._tail_has_url[i] = fp.url_hash is not None
        self._tail_versions[i] = decision.version
        self._tail_signatures[i] = fp.minhash
        self._tail_keys[:, i] = self._band_keys(fp.minhash)
        self._tail_n = i + 1
        if self._tail_n >= self.SEGMENT_ROWS:
            self._freeze()

    def _freeze(self) -> None:
        """Move the (full) tail into a sorted segment; merge run segments of similar size,
        so lookups search a logarithmic number of them."""
        self._segments.append(
            _Segment.build(
                self._tail_offset,
                self._tail_content,
                self._tail_urls,
                self._tail_has_url,
                self._tail_versions,
                self._tail_signatures,
                keys=self._tail_keys,
            )
        )
        self._start_tail()  # its arrays are the new segment's now
        self._held(self.nbytes)
        # The archive's own segment (index 0) is never merged: it is the large one.
        while len(self._segments) > 2 and self._segments[-2].size <= 2 * self._segments[-1].size:
            others = self.nbytes - self._segments[-2].nbytes - self._segments[-1].nbytes
            merged, held = _Segment.merge(self._segments[-2], self._segments[-1])
            self._segments[-2:] = [merged]
            self._held(others + held)


def _archive_segments(archive: Archive, write_cache: bool) -> list[_Segment]:
    """The archive as one segment (the cache, or a build from Parquet) plus, when the cache
    misses recent part files, one segment of those: never a segment per file."""
    root = archive.cache_root
    current = archive.stamps(archive.files("articles"))
    segments: list[_Segment] = []
    covered: frozenset[str] = frozenset()
    if (cached := _cached_segment(root, current)) is not None:
        segments, covered = [cached[0]], cached[1]
    delta = [s for s in current if s.path not in covered]
    if delta or not segments:
        table = archive.read(
            "articles", list(DedupIndex.COLUMNS), files=[archive.root / s.path for s in delta]
        )
        segments.append(_Segment.from_table(segments[0].size if segments else 0, table))
    cached_rows = segments[0].size if covered else 0
    new_rows = sum(s.size for s in segments) - cached_rows
    log.info(
        "dedup index: %d rows from the cache, %d from %d part files in Parquet",
        cached_rows,
        new_rows,
        len(delta),
    )
    outdated = not covered or new_rows > min(CACHE_STALE_ROWS, CACHE_STALE_SHARE * cached_rows)
    if write_cache and current and outdated:
        whole = segments[0] if len(segments) == 1 else _Segment.merge(segments[0], segments[1])[0]
        segments = [_save_and_reopen(root, whole, current)]
    return segments


def _cached_segment(root: Path, current: list[index_cache.Stamp]) -> tuple[_Segment, frozenset[str]] | None:
    """The cache as segment 0 and the part files it covers; None when missing, stale or damaged."""
    try:
        cached = index_cache.load(root, current)
        return None if cached is None else (_Segment(0, cached.arrays), cached.files)
    except Exception as exc:  # a damaged cache is never fatal: it is only a copy
        log.warning("dedup index cache unreadable (%s: %s): building from Parquet", type(exc).__name__, exc)
        return None


def _save_and_reopen(root: Path, segment: _Segment, files: list[index_cache.Stamp]) -> _Segment:
    """Write the cache, then go on with its memory-mapped copy: the built arrays are freed and
    the kernel can page the mapped ones out. A failed write only costs the next run a rebuild."""
    try:
        index_cache.save(root, segment.arrays, files)
    except Exception as exc:  # disk full, permissions: the run goes on without a cache
        log.warning("dedup index cache not written (%s: %s)", type(exc).__name__, exc)
        return segment
    log.info("dedup index cache written: %d rows of %d part files", segment.size, len(files))
    reopened = _cached_segment(root, files)
    return segment if reopened is None else reopened[0]


def _signature_matrix(column: pa.ChunkedArray, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros((0, MINHASH_PERMUTATIONS), dtype=np.uint32)
    combined = pa.chunked_array(column.chunks, type=column.type).combine_chunks()
    if combined.null_count:  # rows written without a signature can never be near-duplicates
        empty = pa.scalar([np.iinfo(np.uint32).max] * MINHASH_PERMUTATIONS, type=combined.type)
        combined = pc.if_else(combined.is_valid(), combined, empty)
    values = np.asarray(combined.flatten().to_numpy(zero_copy_only=False), dtype=np.uint32)
    return values.reshape(n, MINHASH_PERMUTATIONS)


def _empty_articles() -> pa.Table:
    return ARTICLES.empty_table()


def archived_urls(archive: Archive) -> Callable[[str], bool]:
    """Whether a canonical URL is archived, as an article or a recorded duplicate (the
    crawler does not fetch such a URL again unless asked). Reads the archive once."""
    columns = [
        archive.read("articles", columns=["url_hash"]).column("url_hash"),
        archive.read("duplicates", columns=["url_hash"]).column("url_hash"),
    ]
    hashes = np.unique(np.concatenate([c.drop_null().to_numpy().astype(np.int64) for c in columns]))

    def archived(url: str) -> bool:
        key = hash64(url)
        i = int(np.searchsorted(hashes, key))
        return i < len(hashes) and int(hashes[i]) == key

    return archived
