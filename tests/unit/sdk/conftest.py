"""Served clusters for the SDK specifications (one per module: starting one takes a moment)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.sdk.served import EXAMPLE, PROCESS_PLATFORM, Served, served


@pytest.fixture(autouse=True)
def mlkube_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own ``$MLKUBE_HOME`` (no stored default target)."""
    monkeypatch.setenv("MLKUBE_HOME", str(tmp_path / "mlkube-home"))
    return tmp_path / "mlkube-home"


@pytest.fixture(scope="module")
def process_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("process"), PROCESS_PLATFORM) as s:
        yield s


@pytest.fixture(scope="module")
def gpu_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("gpu"), EXAMPLE.read_text(encoding="utf-8")) as s:
        yield s
