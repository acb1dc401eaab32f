"""The workloads' surface: what the CLI and the SDK code against, light to import."""

from __future__ import annotations

import json
import subprocess
import sys

import mlkube.platform.workloads


def test_the_package_exports_the_workload_surface() -> None:
    assert mlkube.platform.workloads.__all__ == [
        "API_VERSION",
        "KINDS",
        "METRIC_PREFIX",
        "DatasetMount",
        "InferenceService",
        "InferenceSpec",
        "Meta",
        "PreprocessingJob",
        "PreprocessingSpec",
        "Readiness",
        "Resources",
        "Scalar",
        "Sweep",
        "SweepSpec",
        "TrainingJob",
        "TrainingSpec",
        "Workload",
        "build",
        "load_file",
        "loads",
        "namespace_of",
        "parse_metrics",
        "parse_param",
        "rank",
        "read_platform",
        "render",
        "to_builtins",
        "trials",
    ]


def test_importing_the_package_imports_neither_the_client_the_engine_nor_rich() -> None:
    probe = "import sys, json, mlkube.platform.workloads; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    heavy = ("lightkube", "rich", "mlkube.client", "mlkube.engine")
    assert [m for m in json.loads(out.stdout) if m.startswith(heavy)] == []
