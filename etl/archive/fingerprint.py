"""Content keys of an article: exact hash, URL hash, SimHash and MinHash signature.

All keys are computed from ``normalize.key_words`` so spelling variants (أردوغان /
إردوغان, ё/е, Arabic-Indic digits) and invisible marks never make two copies differ.
Pure functions of the text: they run in worker processes.

MinHash: word 3-shingles hashed to 64 bits, then 64 universal hash functions of the
form ``(x XOR seed) * odd_multiplier >> 32``. Deterministic across processes and runs
(no Python ``hash()``), which matters because signatures are stored in the archive.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import numpy as np

from etl.archive.schema import MINHASH_PERMUTATIONS
from etl.normalize import key_words

SHINGLE = 3
_rng = np.random.default_rng(20201111)  # fixed seed: signatures must never change
_SEEDS = _rng.integers(0, 2**63, size=MINHASH_PERMUTATIONS, dtype=np.uint64)
_MULTIPLIERS = _rng.integers(0, 2**63, size=MINHASH_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(
    1
)
_BITS = np.arange(64, dtype=np.uint64)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    content_hash: int
    url_hash: int | None
    simhash: int
    minhash: np.ndarray  # uint32[MINHASH_PERMUTATIONS]
    word_count: int


def hash64(value: str) -> int:
    """A stable signed 64-bit hash (fits Arrow int64 and numpy int64)."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def article_id(url_hash: int | None, content_hash: int) -> str:
    """The stable id of an article: from its canonical URL when known, else from its text."""
    return format((url_hash if url_hash is not None else content_hash) & 0xFFFFFFFFFFFFFFFF, "016x")


def shingle_hashes(words: list[str]) -> np.ndarray:
    """64-bit hashes of the distinct word 3-shingles (one shingle for shorter texts)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    word_hashes = np.fromiter(
        (zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words)
    )
    if len(words) < SHINGLE:
        word_hashes = np.concatenate([word_hashes, np.zeros(SHINGLE - len(words), dtype=np.uint64)])
    n = len(word_hashes) - SHINGLE + 1
    with np.errstate(over="ignore"):
        shingles = np.zeros(n, dtype=np.uint64)
        for i in range(SHINGLE):
            shingles = (shingles ^ word_hashes[i : i + n]) * _MIX[i]
            shingles ^= shingles >> np.uint64(29)
    return np.unique(shingles)


def minhash(shingles: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32 per permutation); all-max for an empty text."""
    if shingles.size == 0:
        return np.full(MINHASH_PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        mixed = (shingles[None, :] ^ _SEEDS[:, None]) * _MULTIPLIERS[:, None]
    return (mixed >> np.uint64(32)).min(axis=1).astype(np.uint32)


def simhash(shingles: np.ndarray) -> int:
    """64-bit SimHash of the shingle hashes, as a signed int64."""
    if shingles.size == 0:
        return 0
    bits = ((shingles[:, None] >> _BITS[None, :]) & np.uint64(1)).sum(axis=0)
    value = int(((bits * 2 > shingles.size).astype(np.uint64) << _BITS).sum())
    return value - (1 << 64) if value >= 1 << 63 else value


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def fingerprint(text: str, canonical_url: str | None) -> Fingerprint:
    words = key_words(text)
    shingles = shingle_hashes(words)
    return Fingerprint(
        content_hash=hash64(" ".join(words)),
        url_hash=hash64(canonical_url) if canonical_url else None,
        simhash=simhash(shingles),
        minhash=minhash(shingles),
        word_count=len(words),
    )
