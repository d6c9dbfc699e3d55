"""Fixtures of the release tests (helpers live in release_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_fixtures import write_release_store

from civilinstruct.store import Sample


@pytest.fixture(scope="session")
def release_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Sample]]]:
    """Written once per session: tests read it and write their exports elsewhere."""
    data = tmp_path_factory.mktemp("release") / "data"
    return data, write_release_store(data)


@pytest.fixture(autouse=True)
def _offline_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`datasets` must never reach the network or write to the user's cache in tests."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
