"""Fixtures of the workload specifications: their own golden files (``--update-golden``,
the option of ``tests/unit/platform/conftest.py``) and the example platform."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlkube.platform import Platform, load_file

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, text)``: text must equal golden/<name> (or rewrite it on --update-golden)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8")

    return check


@pytest.fixture(scope="session")
def platform() -> Platform:
    """examples/platform.yaml: a GPU pool (a100, tainted), a CPU pool, teams vision and nlp."""
    return load_file(EXAMPLES / "platform.yaml")
