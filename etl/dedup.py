"""Exact and near-duplicate detection against the whole archive.

The index is *derived from the archive* at the start of a run (a few hash columns read
into sorted numpy arrays), then grows in memory as the run adds articles. Nothing is
persisted on the side, so a crash can never leave the index and the data disagreeing.

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

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from etl.fingerprint import Fingerprint, article_id, similarity
from etl.schema import ARTICLES, MINHASH_PERMUTATIONS

BANDS = 16
ROWS = MINHASH_PERMUTATIONS // BANDS
NEAR_THRESHOLD = 0.5
_M = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9))


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # new | duplicate | revision | near_duplicate
    article_id: str  # the id the input is (or would be) stored under
    version: int = 1
    duplicate_of: str | None = None
    similarity: float = 1.0
    record: bool = False  # whether a duplicates/ row should be written


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """uint64 key per (row, band) of an (n, MINHASH_PERMUTATIONS) uint32 signature matrix."""
    sig = signatures.reshape(-1, BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = np.zeros(sig.shape[:2], dtype=np.uint64)
        for r in range(ROWS):
            keys = (keys ^ sig[:, :, r]) * _M[r % 2]
            keys ^= keys >> np.uint64(31)
    return keys


def pair_key(content_hash: np.ndarray | int, url_hash: np.ndarray | int) -> np.ndarray:
    """A key for "this text at this URL", used to record each duplicate once."""
    c = np.asarray(content_hash, dtype=np.int64).view(np.uint64)
    u = np.asarray(url_hash, dtype=np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        return (c * _M[0]) ^ (u * _M[1])


class _SortedLookup:
    """Sorted uint64/int64 keys with a payload; membership and lookup by binary search."""

    def __init__(self, keys: np.ndarray, values: np.ndarray | None = None) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.values = values[order] if values is not None else None

    def find(self, key: int | np.integer) -> int | None:
        """Index (into the sorted order) of the LAST entry equal to key, or None."""
        i = int(np.searchsorted(self.keys, key, side="right")) - 1
        return i if i >= 0 and self.keys[i] == key else None

    def find_all(self, key: int | np.integer) -> np.ndarray:
        lo = np.searchsorted(self.keys, key, side="left")
        hi = np.searchsorted(self.keys, key, side="right")
        return self.values[lo:hi] if self.values is not None else np.arange(lo, hi)


class DedupIndex:
    """All keys of the archive plus what the current run has added."""

    COLUMNS = ("version", "content_hash", "url_hash", "minhash")

    def __init__(
        self,
        articles: pa.Table | None = None,
        duplicates: pa.Table | None = None,
    ) -> None:
        articles = articles if articles is not None else _empty_articles()
        n = articles.num_rows
        content = articles.column("content_hash").to_numpy().astype(np.int64)
        url_col = articles.column("url_hash")
        has_url = url_col.is_valid().to_numpy(zero_copy_only=False)
        urls = url_col.fill_null(0).to_numpy().astype(np.int64)
        versions = articles.column("version").to_numpy().astype(np.int32)
        sigs = _signature_matrix(articles.column("minhash"), n)

        # Article key per row: url_hash when known, else content_hash (see fingerprint.article_id).
        self._row_key = np.where(has_url, urls, content)
        self._row_has_url = has_url
        self._row_url = urls
        self._sigs = sigs
        self._content = _SortedLookup(content, np.arange(n))
        url_rows = np.flatnonzero(has_url)
        # Sort by (url, version) so the last equal url entry holds the highest version.
        order = np.lexsort((versions[url_rows], urls[url_rows]))
        self._urls = _SortedLookup(urls[url_rows][order], versions[url_rows][order])
        keys = band_keys(sigs)
        self._bands = [_SortedLookup(keys[:, b], np.arange(n)) for b in range(BANDS)]
        recorded = np.zeros(0, dtype=np.uint64)
        if duplicates is not None and duplicates.num_rows:
            recorded = pair_key(
                duplicates.column("content_hash").fill_null(0).to_numpy(),
                duplicates.column("url_hash").fill_null(0).to_numpy(),
            )
        self._recorded = _SortedLookup(recorded)

        # What this run adds (small next to the archive; plain Python containers).
        self._run_content: dict[int, int] = {}
        self._run_urls: dict[int, int] = {}
        self._run_bands: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        self._run_sigs: list[np.ndarray] = []
        self._run_key: list[int] = []
        self._run_recorded: set[int] = set()
        self._run_url_of_row: dict[int, int] = {}

    @property
    def size(self) -> int:
        return len(self._row_key) + len(self._run_key)

    # --- queries -------------------------------------------------------------------

    def classify(self, fp: Fingerprint) -> Decision:
        own_id = article_id(fp.url_hash, fp.content_hash)
        row = self._content_row(fp.content_hash)
        if row is not None:
            if fp.url_hash is None or self._url_of(row) == fp.url_hash:
                return Decision("duplicate", own_id, duplicate_of=self._id_of(row))
            return Decision("duplicate", own_id, duplicate_of=self._id_of(row), record=self._first_record(fp))
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
        return self._recorded.find(np.uint64(key)) is None and key not in self._run_recorded

    def _content_row(self, content_hash: int) -> int | None:
        if content_hash in self._run_content:
            return self._run_content[content_hash]
        i = self._content.find(content_hash)
        return int(self._content.values[i]) if i is not None else None

    def _latest_version(self, url_hash: int) -> int | None:
        if url_hash in self._run_urls:
            return self._run_urls[url_hash]
        i = self._urls.find(url_hash)
        return int(self._urls.values[i]) if i is not None else None

    def _nearest(self, signature: np.ndarray) -> tuple[int, float] | None:
        keys = band_keys(signature[None, :])[0]
        candidates: set[int] = set()
        for b, key in enumerate(keys):
            candidates.update(int(r) for r in self._bands[b].find_all(key))
            candidates.update(self._run_bands[b].get(int(key), ()))
        best: tuple[int, float] | None = None
        for row in candidates:
            sim = similarity(signature, self._signature(row))
            if sim >= NEAR_THRESHOLD and (best is None or sim > best[1]):
                best = (row, sim)
        return best

    def _signature(self, row: int) -> np.ndarray:
        n = len(self._row_key)
        return self._sigs[row] if row < n else self._run_sigs[row - n]

    def _id_of(self, row: int) -> str:
        n = len(self._row_key)
        key = int(self._row_key[row]) if row < n else self._run_key[row - n]
        return format(key & 0xFFFFFFFFFFFFFFFF, "016x")

    def _url_of(self, row: int) -> int | None:
        n = len(self._row_key)
        if row < n:
            return int(self._row_url[row]) if self._row_has_url[row] else None
        return self._run_url_of_row.get(row)

    # --- updates -------------------------------------------------------------------

    def add(self, fp: Fingerprint, decision: Decision) -> None:
        """Register what the run is about to store (new articles and revisions) or record."""
        if decision.kind in ("duplicate", "near_duplicate"):
            if decision.record:
                self._run_recorded.add(int(pair_key(fp.content_hash, fp.url_hash or 0)))
            return
        row = self.size
        self._run_content[fp.content_hash] = row
        if fp.url_hash is not None:
            self._run_urls[fp.url_hash] = decision.version
            self._run_url_of_row[row] = fp.url_hash
        self._run_sigs.append(fp.minhash)
        self._run_key.append(fp.url_hash if fp.url_hash is not None else fp.content_hash)
        for b, key in enumerate(band_keys(fp.minhash[None, :])[0]):
            self._run_bands[b].setdefault(int(key), []).append(row)


def _signature_matrix(column: pa.ChunkedArray, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros((0, MINHASH_PERMUTATIONS), dtype=np.uint32)
    flat = pa.chunked_array(column.chunks, type=column.type).combine_chunks().flatten()
    values = flat.to_numpy(zero_copy_only=False).astype(np.uint32)
    return values.reshape(n, MINHASH_PERMUTATIONS)


def _empty_articles() -> pa.Table:
    return ARTICLES.empty_table()
