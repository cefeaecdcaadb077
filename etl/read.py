"""Local inputs: files and directories of plain-text dumps, HTML pages and WARC files.

Each page may come with its URL in a sidecar file (``page.html`` + ``page.url`` or
``page.html.url``, one line). Directories are walked recursively in name order, so a
run is reproducible, and lazily (one directory's names per level in memory, never the list of
every input); symlinks that lead outside the input root are refused, and file
sizes are capped (also after gzip decompression: no gzip bombs). A WARC file
(``.warc``, ``.warc.gz``) is one input per HTML response record (``etl.crawl.warc_input``).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from etl.archive.schema import storable
from etl.archive.store import on_s3
from etl.crawl.warc_input import WARC_SUFFIXES, is_warc, read_warc, record_offsets
from etl.models import RawDocument, Reject

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
TEXT_SUFFIXES = (".txt", ".txt.gz")
MAX_BYTES = 20 * 1024 * 1024


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


def origin(path: Path) -> str:
    """The path as archived and printed: ``os.fsdecode``'s string, its undecodable bytes escaped."""
    return storable(os.fsdecode(path))


def input_name(item: Path | str) -> str:
    """An input's name for ``open_input`` and the archive: an ``s3://`` name, or ``origin``."""
    return item if isinstance(item, str) else origin(item)


def _undecodable_name(path: Path) -> Reject | None:
    """A Reject for a file whose name is not UTF-8: its origin could not be stored as it is."""
    name = os.fsdecode(path)
    if storable(name) == name:
        return None
    return Reject(origin(path), "file name is not valid UTF-8: rename the file to archive it", stage="read")


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | str | Reject]:
    """Input files under the given paths (recursively, sorted), or a Reject per bad path.
    Under an ``s3://`` location: its WARC files, as ``s3://`` names."""
    for raw in paths:
        if on_s3(raw):
            from etl.archive.objectstore import list_files

            yield from (name for name in list_files(str(raw)) if is_warc(name))
            continue
        root = Path(raw)
        if not root.exists():
            yield Reject(origin(root), "no such file or directory", stage="read")
            continue
        if root.is_file():
            yield _undecodable_name(root) or root
            continue
        yield from _walk(root, root.resolve())


def _walk(directory: Path, real_root: Path) -> Iterator[Path | Reject]:
    """Depth first, each directory's entries in name order: the order of ``sorted(rglob("*"))``,
    but holding the names of one directory per level instead of every path under the root
    (200k paths of a 100k-page backfill were 60-80 MB of the writer's memory). Hidden entries
    are skipped, symlinked directories are not followed (as rglob does)."""
    try:
        with os.scandir(directory) as entries:
            names = sorted(
                (entry.name, entry.is_dir(follow_symlinks=False))
                for entry in entries
                if not entry.name.startswith(".")
            )
    except OSError as exc:
        yield Reject(origin(directory), f"unreadable directory: {exc.strerror or exc}", stage="read")
        return
    for name, is_dir in names:
        path = directory / name
        if is_dir:
            yield from _walk(path, real_root)
        elif _kind(path) is not None and path.is_file():
            if not path.resolve().is_relative_to(real_root):
                yield Reject(origin(path), "symlink leads outside the input directory", stage="read")
            else:
                yield _undecodable_name(path) or path


def sidecar_url(path: Path) -> str | None:
    """The URL in ``<name>.url`` or ``<stem>.url`` next to a page, if any."""
    stem = path.name
    for suffix in (".gz", ".html", ".htm", ".xhtml", ".txt"):
        stem = stem.removesuffix(suffix)
    for candidate in (path.with_name(path.name + ".url"), path.with_name(stem + ".url")):
        if candidate.is_file():
            url = candidate.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            if url and url[0].strip():
                return url[0].strip()
    return None


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> RawDocument:
    """Read one input file; raises OSError/ValueError with a readable message."""
    kind = _kind(path) or "html"
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(f"file too large ({size} bytes > {max_bytes})")
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"decompressed size exceeds {max_bytes} bytes")
    else:
        data = path.read_bytes()
    return RawDocument(
        origin=origin(path),
        data=data,
        url=sidecar_url(path),
        kind=kind,
        fetched_at=datetime.now(UTC),
    )


def open_input(name: str, buffer_size: int | None = None) -> BinaryIO:
    """An input file's bytes, by the name ``iter_files`` gave it (local, or ``s3://``, read
    through a buffer unless ``buffer_size`` says otherwise)."""
    if on_s3(name):
        from etl.archive.objectstore import READ_BUFFER
        from etl.archive.objectstore import open_input as open_s3

        return open_s3(name, READ_BUFFER if buffer_size is None else buffer_size)
    return open(name, "rb")


def open_record(name: str) -> BinaryIO:
    """An input file to read one WARC record from, at an offset: unbuffered on S3."""
    return open_input(name, buffer_size=0)


def read_inputs(paths: Iterable[str | os.PathLike[str]]) -> Iterator[RawDocument | Reject]:
    """RawDocuments for every input under ``paths``; a Reject (never an exception) per bad one."""
    for item in iter_files(paths):
        if isinstance(item, Reject):
            yield item
        elif is_warc(str(item)):
            yield from read_warc(input_name(item), open_input)
        else:
            yield read_path(Path(item))


def read_path(path: Path) -> RawDocument | Reject:
    """One page or text file, or a Reject that says why it could not be read."""
    try:
        return read_file(path)
    except (OSError, ValueError, EOFError) as exc:
        return Reject(origin(path), f"unreadable: {exc}", stage="read")


def count_inputs(paths: Iterable[str | os.PathLike[str]]) -> Iterator[None]:
    """One None per input ``read_inputs`` yields, WARC bodies skipped: for a progress bar."""
    for item in iter_files(paths):
        if not isinstance(item, Reject) and is_warc(str(item)):
            yield from (None for _ in record_offsets(input_name(item), open_input))
        else:
            yield None
