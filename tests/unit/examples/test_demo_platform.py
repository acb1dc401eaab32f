"""``examples/demo-platform.yaml``, the platform of ``make demo``: valid, and its
``runtime: process`` pool really runs pods as local processes once applied."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.kubelet import RUNTIME_ANNOTATION, Kubelets
from mlkube.platform.apply import apply
from mlkube.platform.names import POOL
from mlkube.platform.spec import load_file
from mlkube.platform.target import EmbeddedTarget
from mlkube.platform.validate import validate

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo-platform.yaml"


def test_the_demo_platform_is_valid() -> None:
    assert validate(load_file(DEMO)) == []


def test_a_process_pool_runs_its_pods_as_local_processes(tmp_path: Path) -> None:
    cluster = Cluster(clock=FakeClock(), seed=0, path=tmp_path / "state.db")
    try:
        apply(load_file(DEMO), EmbeddedTarget(cluster), embedded=True)
        node = cluster.get("nodes", "cpu-local-0")
        assert node["metadata"]["annotations"][RUNTIME_ANNOTATION] == "process"
        cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "hello", "namespace": "vision"},
                "spec": {
                    "restartPolicy": "Never",
                    "nodeSelector": {POOL: "cpu-local"},
                    "containers": [
                        {
                            "name": "main",
                            "image": "python:3.11",
                            "command": [sys.executable, "-c", "print('hello from a process')"],
                        }
                    ],
                },
            }
        )
        deadline = time.monotonic() + 30
        while cluster.get("pods", "hello", "vision")["status"].get("phase") != "Succeeded":
            assert time.monotonic() < deadline, cluster.get("pods", "hello", "vision")["status"]
            cluster.advance(0.1)
            time.sleep(0.01)
        pod = cluster.get("pods", "hello", "vision")
        assert pod["spec"]["nodeName"].startswith("cpu-local-")
        kubelet = next(k for k in cluster.controllers.controllers if isinstance(k, Kubelets))
        assert kubelet.logs("vision", "hello", "main") == "hello from a process\n"
    finally:
        cluster.close()
