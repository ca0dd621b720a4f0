"""Fixtures for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Question logs written by commands under test go to a temporary folder, not the repo."""
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("BOT_DATA_DIR", str(path))
    yield path
