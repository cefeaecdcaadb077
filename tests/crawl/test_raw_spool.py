"""The raw WARCs of a crawl into a remote archive: written to a local spool, put whole under
the archive's raw root when finished, left in the spool (and put by the next run) otherwise.

The remote here is a second local directory (``LocalFiles``); tests/jobs/test_scrape_s3.py
does the same against a real S3 server."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from etl.crawl.fetch import Exchange, Response
from etl.crawl.warc import LocalFiles, RawRef, RawWriter, iter_records

DAY = datetime(2024, 5, 1, 9, tzinfo=UTC)


def page(i: int, when: datetime = DAY) -> Exchange:
    url = f"https://x.test/{i}"
    return Exchange(
        (), Response(url, url, 200, "OK", (("Content-Type", "text/html"),), f"<p>{i}</p>".encode(), when)
    )


def spooled(spool: Path) -> list[str]:
    return sorted(LocalFiles(spool).names())


class FailingFiles(LocalFiles):
    """A remote that is down."""

    def put(self, local: Path, name: str) -> None:
        raise ConnectionError("store unreachable")


def test_finished_files_are_put_whole_and_leave_the_spool(tmp_path: Path) -> None:
    spool, remote = tmp_path / "spool", LocalFiles(tmp_path / "remote")
    with RawWriter(spool, "run-a", remote=remote) as writer:
        first = writer.write(page(1), "article")
        writer.write(page(2, DAY + timedelta(days=1)), "article")  # a new day: the first file is done
        assert spooled(spool) == ["date=2024-05-02/run-a.warc.gz"]
        assert remote.names() == ["date=2024-05-01/run-a.warc.gz"]
        assert writer.read(first).response.body == b"<p>1</p>"  # read back from the remote
    assert spooled(spool) == [] and not any(spool.iterdir())
    assert [r.response.url for r in iter_records(remote)] == ["https://x.test/1", "https://x.test/2"]


def test_a_killed_runs_spooled_file_is_put_by_the_next_run(tmp_path: Path) -> None:
    spool, remote = tmp_path / "spool", LocalFiles(tmp_path / "remote")
    killed = RawWriter(spool, "run-a", remote=remote)
    ref = killed.write(page(1), "article")  # never closed: the process died
    assert spooled(spool) == ["date=2024-05-01/run-a.warc.gz"] and remote.names() == []

    with RawWriter(spool, "run-b", remote=remote) as writer:
        assert writer.read(ref).response.body == b"<p>1</p>"  # resumed from the spool
        writer.write(page(2), "article")  # the first write stores what run-a left
        assert remote.names() == ["date=2024-05-01/run-a.warc.gz"]
        assert writer.read(ref).response.body == b"<p>1</p>"  # now from the remote
    assert sorted(remote.names()) == ["date=2024-05-01/run-a.warc.gz", "date=2024-05-01/run-b.warc.gz"]
    assert spooled(spool) == []


def test_a_file_that_cannot_be_put_stays_in_the_spool_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = tmp_path / "spool"
    with (
        caplog.at_level(logging.WARNING),
        RawWriter(spool, "run-a", remote=FailingFiles(tmp_path / "r")) as w,
    ):
        ref = w.write(page(1), "article")
    assert spooled(spool) == ["date=2024-05-01/run-a.warc.gz"]
    assert "kept in" in caplog.text and "store unreachable" in caplog.text
    remote = LocalFiles(tmp_path / "remote")
    with RawWriter(spool, "run-b", remote=remote) as writer:
        writer.write(page(2), "article")
    assert "date=2024-05-01/run-a.warc.gz" in remote.names() and spooled(spool) == []
    assert RawWriter(spool, "run-c", remote=remote).read(ref).response.body == b"<p>1</p>"


def test_a_reference_outside_the_raw_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.warc.gz").write_bytes(b"x")
    with pytest.raises(ValueError, match="outside the raw archive"):
        RawWriter(tmp_path / "raw", "run").read(RawRef("../secret.warc.gz", 0))


def test_the_local_put_never_shows_half_a_file(tmp_path: Path) -> None:
    """A copy into another directory (an archive on a network disk) lands by rename."""
    source = tmp_path / "a.warc.gz"
    source.write_bytes(b"w" * 100_000)
    remote = LocalFiles(tmp_path / "remote")
    remote.put(source, "date=2024-05-01/a.warc.gz")
    assert (tmp_path / "remote/date=2024-05-01/a.warc.gz").read_bytes() == source.read_bytes()
    assert [p.name for p in (tmp_path / "remote/date=2024-05-01").iterdir()] == ["a.warc.gz"]
