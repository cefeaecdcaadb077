"""Shared fixtures: paths of the bundled seeds and a fresh archive directory per test."""

from __future__ import annotations

import json
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
