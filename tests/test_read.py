"""Local inputs: which files are read, in which order, with which URL, and what is refused."""

from __future__ import annotations

import gzip
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from etl.models import RawDocument, Reject
from etl.read import iter_files, read_file, read_inputs, sidecar_url


def write(path: Path, data: bytes | str = "<html><body><p>text</p></body></html>") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def names(items: list[Path | Reject], root: Path) -> list[str]:
    return [Path(i).relative_to(root).as_posix() for i in items if isinstance(i, Path)]


def gzip_of_zeros(path: Path, megabytes: int) -> Path:
    """A gzip bomb: ``megabytes`` MB of zeros in a file of a few tens of KB."""
    chunk = bytes(1024 * 1024)
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(megabytes):
            handle.write(chunk)
    return path


# --- walking -----------------------------------------------------------------------------


def test_walk_is_recursive_sorted_and_reads_only_known_suffixes(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for rel in [
        "b.html",
        "a.txt",
        "sub/z.htm",
        "sub/deeper/y.xhtml",
        "sub/c.html.gz",
        "sub/d.txt.gz",
        "sub/e.htm.gz",
        "UPPER.HTML",
        # not inputs
        "notes.md",
        "image.png",
        "page.url",
        "archive.tar.gz",
        "data.json",
        "noext",
    ]:
        write(root / rel)
    found = list(iter_files([root]))
    assert all(isinstance(p, Path) for p in found)
    assert names(found, root) == [
        "UPPER.HTML",
        "a.txt",
        "b.html",
        "sub/c.html.gz",
        "sub/d.txt.gz",
        "sub/deeper/y.xhtml",
        "sub/e.htm.gz",
        "sub/z.htm",
    ]
    assert list(iter_files([root])) == found  # reproducible


def test_hidden_files_and_directories_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "visible.html")
    write(root / ".hidden.html")
    write(root / ".git" / "page.html")
    write(root / "sub" / ".cache" / "old.txt")
    write(root / "sub" / "kept.txt")
    assert names(list(iter_files([root])), root) == ["sub/kept.txt", "visible.html"]


def test_walk_order_is_the_order_of_sorted_rglob(tmp_path: Path) -> None:
    """The lazy walk yields what ``sorted(root.rglob("*"))`` (the walk it replaced) yields, in the
    same order, also where a directory name is a prefix of a file or directory name."""
    root = tmp_path / "in"
    for rel in [
        "a.txt",
        "a/z.txt",
        "a-b/c.txt",
        "a b.html",
        "a/b/c.html",
        "a.b/d.txt",
        "B/e.txt",
        "b/f.txt",
        "É/g.txt",
        "_/h.txt",
        "10/i.txt",
        "9/j.txt",
        "a/.hidden/k.txt",
    ]:
        write(root / rel)
    expected = [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    assert list(iter_files([root])) == expected
    assert len(expected) == 12


def test_walk_holds_one_directory_at_a_time_not_every_path(tmp_path: Path) -> None:
    """No list of every input: after the first file of 40 directories of 250 files, the walk
    holds about one directory's names (a list of all 10,000 paths took about 4 MB)."""
    root = tmp_path / "in"
    for d in range(40):
        sub = root / f"{d:02d}"
        sub.mkdir(parents=True)
        for f in range(250):
            (sub / f"{f:03d}.txt").touch()
    tracemalloc.start()
    try:
        walk = iter_files([root])
        first = next(walk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == root / "00" / "000.txt"
    assert peak < 400_000
    assert sum(1 for _ in walk) == 40 * 250 - 1


def test_an_unreadable_directory_is_a_reject_and_the_rest_is_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "in"
    write(root / "a" / "one.txt")
    write(root / "b" / "two.txt")
    write(root / "c.txt")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "a":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = list(iter_files([root]))
    assert isinstance(items[0], Reject) and items[0].origin == str(root / "a")
    assert items[0].reason == "unreadable directory: Permission denied"
    assert names(items, root) == ["b/two.txt", "c.txt"]


def test_a_root_inside_a_hidden_directory_is_still_walked(tmp_path: Path) -> None:
    root = tmp_path / ".cache" / "in"
    write(root / "page.html")
    assert names(list(iter_files([root])), root) == ["page.html"]


def test_several_roots_and_a_file_given_directly(tmp_path: Path) -> None:
    one = write(tmp_path / "one.html")
    write(tmp_path / "dir" / "two.txt")
    found = list(iter_files([one, tmp_path / "dir"]))
    assert found == [one, tmp_path / "dir" / "two.txt"]


def test_missing_path_is_a_reject(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such.html"
    (item,) = list(iter_files([missing]))
    assert isinstance(item, Reject)
    assert item.origin == str(missing)
    assert item.stage == "read"
    assert "no such file" in item.reason
    (item,) = list(read_inputs([missing]))
    assert isinstance(item, Reject)


def test_symlink_outside_the_root_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside" / "secret.html", "<p>not yours</p>")
    root = tmp_path / "in"
    write(root / "ok.html")
    (root / "link.html").symlink_to(secret)
    (root / "inner.html").symlink_to(root / "ok.html")  # inside the root: fine
    items = list(read_inputs([root]))
    rejects = [i for i in items if isinstance(i, Reject)]
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert [r.origin for r in rejects] == [str(root / "link.html")]
    assert "outside" in rejects[0].reason
    assert rejects[0].stage == "read"
    assert sorted(Path(d.origin).name for d in docs) == ["inner.html", "ok.html"]
    assert all(b"not yours" not in d.data for d in docs)


def test_symlinked_directory_outside_the_root_is_not_read(tmp_path: Path) -> None:
    write(tmp_path / "outside" / "secret.html", "<p>not yours</p>")
    root = tmp_path / "in"
    write(root / "ok.html")
    (root / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    docs = [i for i in read_inputs([root]) if isinstance(i, RawDocument)]
    assert [Path(d.origin).name for d in docs] == ["ok.html"]


# --- sidecar URLs ------------------------------------------------------------------------


def test_sidecar_url_forms(tmp_path: Path) -> None:
    a = write(tmp_path / "a.html")
    write(tmp_path / "a.url", "https://example.com/a\n")
    b = write(tmp_path / "b.html")
    write(tmp_path / "b.html.url", "  https://example.com/b  \nsecond line ignored\n")
    c = write(tmp_path / "c.html.gz", gzip.compress(b"<p>c</p>"))
    write(tmp_path / "c.url", "https://example.com/c")
    d = write(tmp_path / "d.txt")
    write(tmp_path / "d.url", "https://example.com/d")
    e = write(tmp_path / "e.html")
    write(tmp_path / "e.url", "\n")
    f = write(tmp_path / "f.html")
    assert sidecar_url(a) == "https://example.com/a"
    assert sidecar_url(b) == "https://example.com/b"
    assert sidecar_url(c) == "https://example.com/c"
    assert sidecar_url(d) == "https://example.com/d"
    assert sidecar_url(e) is None
    assert sidecar_url(f) is None
    docs = {Path(doc.origin).name: doc for doc in read_inputs([tmp_path]) if isinstance(doc, RawDocument)}
    assert set(docs) == {"a.html", "b.html", "c.html.gz", "d.txt", "e.html", "f.html"}  # .url not an input
    assert docs["a.html"].url == "https://example.com/a"
    assert docs["b.html"].url == "https://example.com/b"
    assert docs["f.html"].url is None


def test_full_name_sidecar_wins_over_stem_sidecar(tmp_path: Path) -> None:
    page = write(tmp_path / "p.html")
    write(tmp_path / "p.url", "https://example.com/stem")
    write(tmp_path / "p.html.url", "https://example.com/full")
    assert sidecar_url(page) == "https://example.com/full"


# --- reading -----------------------------------------------------------------------------


def test_read_file_kinds_and_bytes(tmp_path: Path) -> None:
    html = write(tmp_path / "page.HTM", "<p>Привет</p>".encode("cp1251"))
    text = write(tmp_path / "dump.txt", "plain dump")
    doc = read_file(html)
    assert (doc.kind, doc.data, doc.origin) == ("html", "<p>Привет</p>".encode("cp1251"), str(html))
    assert doc.fetched_at.tzinfo is not None
    assert read_file(text).kind == "text"


def test_gzip_inputs_are_decompressed(tmp_path: Path) -> None:
    body = "<html><body><p>مرحبا</p></body></html>".encode()
    page = write(tmp_path / "page.html.gz", gzip.compress(body))
    dump = write(tmp_path / "dump.txt.gz", gzip.compress(b"plain text dump"))
    docs = {Path(d.origin).name: d for d in read_inputs([tmp_path])}
    assert docs["page.html.gz"].data == body
    assert docs["page.html.gz"].kind == "html"
    assert docs["dump.txt.gz"].data == b"plain text dump"
    assert docs["dump.txt.gz"].kind == "text"
    assert read_file(page).data == body
    assert read_file(dump).kind == "text"


def test_corrupt_gzip_is_a_reject_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "broken.html.gz", gzip.compress(b"<p>hello world</p>" * 100)[:40])
    write(tmp_path / "notgzip.html.gz", b"<p>not compressed</p>")
    items = list(read_inputs([tmp_path]))
    assert all(isinstance(i, Reject) for i in items)
    assert [Path(i.origin).name for i in items] == ["broken.html.gz", "notgzip.html.gz"]
    assert all(i.reason.startswith("unreadable") and i.stage == "read" for i in items)


def test_size_cap(tmp_path: Path) -> None:
    page = write(tmp_path / "big.html", b"a" * 2001)
    with pytest.raises(ValueError, match="too large"):
        read_file(page, max_bytes=2000)
    assert len(read_file(page, max_bytes=2001).data) == 2001


def test_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = gzip_of_zeros(tmp_path / "bomb.html.gz", megabytes=50)
    assert bomb.stat().st_size < 1024 * 1024  # small on disk, passes the file-size check
    max_bytes = 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="decompressed size exceeds"):
            read_file(bomb, max_bytes=max_bytes)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * max_bytes  # not 50 MB


def test_gzip_at_the_cap_is_accepted(tmp_path: Path) -> None:
    page = write(tmp_path / "page.txt.gz", gzip.compress(b"x" * 4096))
    assert len(read_file(page, max_bytes=4096).data) == 4096
    with pytest.raises(ValueError, match="decompressed size exceeds 4095"):
        read_file(page, max_bytes=4095)


def test_gzip_bomb_in_a_directory_is_a_reject_and_the_rest_is_read(tmp_path: Path) -> None:
    # Beyond the default 20 MB cap: the run goes on with a reason for this input.
    gzip_of_zeros(tmp_path / "a_bomb.html.gz", megabytes=24)
    write(tmp_path / "b_page.html", "<p>fine</p>")
    items = list(read_inputs([tmp_path]))
    assert isinstance(items[0], Reject)
    assert items[0].origin == str(tmp_path / "a_bomb.html.gz")
    assert "decompressed size exceeds" in items[0].reason
    assert isinstance(items[1], RawDocument)
    assert items[1].data == b"<p>fine</p>"


def test_a_file_name_that_is_not_utf8_is_a_reject_naming_it_and_the_rest_is_read(tmp_path: Path) -> None:
    """os.fsdecode gives such a name as a string with a lone surrogate (byte 0xff -> U+DCFF),
    which Parquet cannot store: it aborted the whole backfill. It is refused alone, named the
    way repr shows the fsdecoded path."""
    root = tmp_path / "in"
    write(root / "a.txt")
    write(root / "z.txt")
    bad_file = os.fsdecode(os.fsencode(root) + b"/bad\xff.html")
    bad_dir = os.fsdecode(os.fsencode(root) + b"/dir\xfe")
    write(Path(bad_file))
    write(Path(bad_dir) / "inside.txt")
    items = list(read_inputs([root]))
    assert [type(i) for i in items] == [RawDocument, Reject, Reject, RawDocument]
    assert [i.origin for i in items] == [
        f"{root}/a.txt",
        repr(bad_file)[1:-1],
        repr(f"{bad_dir}/inside.txt")[1:-1],
        f"{root}/z.txt",
    ]
    assert items[1].origin == f"{root}/bad\\udcff.html"
    for reject in items[1:3]:
        assert reject.reason == "file name is not valid UTF-8: rename the file to archive it"
        assert reject.stage == "read"


def test_a_path_given_by_name_that_is_not_utf8_is_a_storable_reject(tmp_path: Path) -> None:
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/gone\xff")
    (item,) = list(iter_files([missing]))
    assert isinstance(item, Reject) and "no such file" in item.reason
    assert item.origin == f"{tmp_path}/gone\\udcff"
    given = write(Path(os.fsdecode(os.fsencode(tmp_path) + b"/page\xff.txt")))
    (item,) = list(iter_files([given]))
    assert isinstance(item, Reject) and item.origin == f"{tmp_path}/page\\udcff.txt"
    assert "not valid UTF-8" in item.reason
