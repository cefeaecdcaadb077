"""Shared fixtures: paths of the bundled seeds, a fresh archive directory per test, an S3 server."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.s3server import SeaweedS3, restore

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEASE = "8"  # seconds: a killed writer's lease expires soon (a first PUT under load took 5 s)


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """One SeaweedFS on 127.0.0.1 for the session (started by the first test that needs it);
    the environment points boto3, pyarrow and the jobs it starts at it."""
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed"))
    previous = {}
    try:
        server.create_bucket("archive")
        extra = {
            "NEWS_ARCHIVE_CACHE": str(tmp_path_factory.mktemp("cache")),
            "NEWS_ARCHIVE_LEASE_SECONDS": LEASE,
        }
        previous = server.apply() | {k: os.environ.get(k) for k in extra}
        os.environ.update(extra)
        yield server
    finally:
        server.stop()
        restore(previous)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def seeds_expected() -> dict[str, dict]:
    return json.loads((FIXTURES / "seeds_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``cli.main`` sets up logging for its process; many tests call it in this one."""
    root = logging.getLogger()
    level = root.level
    yield
    from jobs import cli

    for handler in cli._installed:
        root.removeHandler(handler)
        handler.close()
    cli._installed.clear()
    root.setLevel(level)
