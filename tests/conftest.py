"""Shared fixtures: paths of the bundled seeds and a fresh archive directory per test."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
