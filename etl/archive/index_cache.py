"""A derived on-disk copy of the dedup index's archive segment, so a run starts in well under
a second instead of re-reading every signature from Parquet and re-sorting them.

Layout, under the data directory (outside every table directory, like ``.staging``: no
reader of ``articles/`` ever sees it, and it holds no ``.parquet`` file for a glob to match)::

    .index/manifest.json          which article part files the arrays cover, in row order
    .index/seg-<uuid>/<name>.npy  plain numpy arrays, opened memory-mapped (read on demand)

The archive stays the source of truth. The manifest lists each covered part file with its
size and mtime_ns; part files are immutable (written once under a new name, removed only by
compaction), so if every listed file is unchanged the arrays describe exactly those rows.
Anything else (a missing or changed file, another format or schema version, a damaged
manifest or array) and the cache is not used: the index is built from Parquet again.

Written only by the holder of the archive lock: arrays into a ``tmp-`` directory, fsynced,
renamed to ``seg-<uuid>``, then the manifest is switched with an atomic rename. A crash at
any point leaves the old manifest (still valid or not) and leftovers swept by the next write.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etl.archive.schema import SCHEMA_VERSION
from etl.archive.store import _fsync_dir

# Bump whenever what the arrays mean changes (band_keys, BANDS, the segment's array set).
FORMAT_VERSION = 1
CACHE_DIR = ".index"
MANIFEST = "manifest.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stamp:
    """A part file as the cache knows it: path relative to the data directory, size, and a
    version: mtime_ns on a local disk, the ETag on S3 (``etl.archive.objectstore``)."""

    path: str
    size: int
    version: int | str


@dataclass(frozen=True, slots=True)
class Cached:
    arrays: dict[str, np.ndarray]  # read-only, memory-mapped
    files: frozenset[str]  # relative paths of the part files the arrays cover


def stamps(root: Path, files: Sequence[Path]) -> list[Stamp]:
    """Stamps of part files under the data directory ``root``, in the given order."""
    out = []
    for f in files:
        st = f.stat()
        out.append(Stamp(Path(os.path.relpath(f, root)).as_posix(), st.st_size, st.st_mtime_ns))
    return out


def load(root: Path, current: Sequence[Stamp]) -> Cached | None:
    """The cached arrays if the manifest matches the part files on disk, else None (no cache,
    or a stale one). Raises on a damaged cache: the caller logs it and rebuilds."""
    cache = root / CACHE_DIR
    try:
        manifest = json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if manifest.get("format") != FORMAT_VERSION or manifest.get("schema_version") != SCHEMA_VERSION:
        log.info("dedup index cache: other format or schema version, not used")
        return None
    on_disk = {s.path: s for s in current}
    listed = [Stamp(*entry) for entry in manifest["files"]]
    if any(on_disk.get(s.path) != s for s in listed):
        log.info("dedup index cache: part files changed since it was written (compaction?), not used")
        return None
    names = [manifest["dir"], *manifest["arrays"]]
    if not all(isinstance(n, str) and n.replace("-", "_").isidentifier() for n in names):
        raise ValueError(f"{MANIFEST} names files outside the cache: {names}")
    directory = cache / manifest["dir"]
    arrays: dict[str, np.ndarray] = {}
    for name, (dtype, shape) in manifest["arrays"].items():
        array = np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        if array.dtype.str != dtype or list(array.shape) != shape:
            raise ValueError(f"{name}.npy is {array.dtype.str} {array.shape}, manifest says {dtype} {shape}")
        arrays[name] = array.view(np.ndarray)  # a plain array over the same mapping
    return Cached(arrays, frozenset(s.path for s in listed))


def save(root: Path, arrays: Mapping[str, np.ndarray], files: Sequence[Stamp]) -> None:
    """Write a cache of ``arrays`` covering ``files`` (hold the archive lock) and sweep older
    ones. Readers see the previous manifest or the new one, never a half-written cache."""
    cache = root / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    name = f"seg-{uuid.uuid4().hex}"
    tmp = cache / f"tmp-{name}"
    tmp.mkdir()
    try:
        for key, array in arrays.items():
            with open(tmp / f"{key}.npy", "wb") as handle:
                np.save(handle, array, allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
        _fsync_dir(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.replace(tmp, cache / name)
    manifest = {
        "format": FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "dir": name,
        "arrays": {k: [a.dtype.str, list(a.shape)] for k, a in arrays.items()},
        "files": [[s.path, s.size, s.version] for s in files],
    }
    staged = cache / f"tmp-{name}.json"
    with open(staged, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, cache / MANIFEST)
    _fsync_dir(cache)
    sweep(root, keep=name)


def sweep(root: Path, keep: str | None = None) -> None:
    """Remove everything in the cache directory but the manifest and the ``keep`` segment
    (older segments, leftovers of a crashed write). A process that still has an old segment
    mapped keeps reading it: unlinked files live until they are unmapped."""
    cache = root / CACHE_DIR
    for entry in cache.iterdir() if cache.exists() else ():
        if entry.name in (MANIFEST, keep):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
