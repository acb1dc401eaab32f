"""The served clusters of the SDK specifications, for the workload commands too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.sdk.conftest import gpu_cluster, process_cluster

__all__ = ["gpu_cluster", "home", "process_cluster"]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``$MLKUBE_HOME`` for every test: never the user's ``~/.mlkube``."""
    monkeypatch.setenv("MLKUBE_HOME", str(tmp_path / "mlkube-home"))
    return tmp_path / "mlkube-home"
