"""The package's surface: the spec only, light to import (the shell loads on demand)."""

from __future__ import annotations

import json
import subprocess
import sys

import mlkube.platform


def test_the_package_exports_the_spec_and_its_problems() -> None:
    assert mlkube.platform.__all__ == ["Platform", "Problem", "SpecError", "load_file", "loads"]


def test_importing_the_package_imports_neither_the_client_the_engine_nor_rich() -> None:
    probe = "import sys, json, mlkube.platform; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    heavy = ("lightkube", "rich", "mlkube.client", "mlkube.engine")
    assert [m for m in json.loads(out.stdout) if m.startswith(heavy)] == []
