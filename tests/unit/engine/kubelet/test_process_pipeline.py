"""What the demo's pipeline needs from process nodes, with plain manifests on a full
embedded cluster: a Job writes a ReadWriteMany claim, later Jobs on other process nodes read
it (the data outlives the pods), an Indexed Job's pods get their index and mounts in the
environment, logs and exit codes come back through the API."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster

from .builders import NS, kubelet_of, make_node
from .test_process import script, wait

WRITER = """\
import os, pathlib
out = pathlib.Path(os.environ["MLKUBE_MOUNT_SHARED"])
(out / "dataset.txt").write_text("42 rows")
print("wrote", out / "dataset.txt")
"""

READER = """\
import os, pathlib, sys
data = pathlib.Path(os.environ["MLKUBE_MOUNT_SHARED"]) / "dataset.txt"
index = os.environ["JOB_COMPLETION_INDEX"]
print(f"trial {index} on {os.environ['NODE']} read {data.read_text()!r}", flush=True)
sys.exit(int(index == os.environ.get("FAIL_INDEX", "-1")) * 3)
"""


@pytest.fixture
def c(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(clock=FakeClock(), seed=0, path=tmp_path / "state.db")
    for name in ("cpu-0", "cpu-1"):
        node = make_node(name).process().capacity(cpu="1", memory="4Gi", pods="110")
        c.create(node.label(pool="cpu").build())
    c.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "shared", "namespace": NS},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    )
    c.run_until_idle()
    yield c
    c.close()


def job(name: str, path: str, **spec: Any) -> dict[str, Any]:
    container = {
        "name": "main",
        "image": "python:3.11",
        "command": [sys.executable, path],
        "resources": {"requests": {"cpu": "1"}},
        "env": [
            {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
            *spec.pop("env", []),
        ],
        "volumeMounts": [{"name": "shared", "mountPath": "/data/shared"}],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "nodeSelector": {"pool": "cpu"},
                    "containers": [container],
                    "volumes": [
                        {"name": "shared", "persistentVolumeClaim": {"claimName": "shared"}}
                    ],
                }
            },
            **spec,
        },
    }


def finished(c: Cluster, name: str) -> str | None:
    for k in c.get("jobs", name, NS).get("status", {}).get("conditions") or []:
        if k["type"] in ("Complete", "Failed") and k["status"] == "True":
            return str(k["type"])
    return None


def test_a_read_write_many_claim_carries_data_from_a_writer_job_to_readers_on_other_nodes(
    c: Cluster, tmp_path: Path
) -> None:
    c.create(job("write", script(tmp_path, "write.py", WRITER)))
    wait(c, lambda: finished(c, "write") is not None, budget=60)
    assert finished(c, "write") == "Complete"
    readers = job(
        "read",
        script(tmp_path, "read.py", READER),
        completionMode="Indexed",
        completions=4,
        parallelism=2,
    )
    c.create(readers)
    wait(c, lambda: finished(c, "read") is not None, budget=60)
    assert finished(c, "read") == "Complete"
    pods = [p for p in c.list("pods", NS) if p["metadata"]["name"].startswith("read-")]
    logs = sorted(kubelet_of(c).logs(NS, p["metadata"]["name"], "main") for p in pods)
    assert [line.split(" on ")[0] for line in logs] == [f"trial {i}" for i in range(4)]
    assert all(line.endswith("read '42 rows'\n") for line in logs)
    assert {p["spec"]["nodeName"] for p in pods} == {"cpu-0", "cpu-1"}  # 1 cpu each


def test_a_failing_trial_reports_its_exit_code_and_fails_the_job(
    c: Cluster, tmp_path: Path
) -> None:
    c.create(job("write", script(tmp_path, "write.py", WRITER)))
    wait(c, lambda: finished(c, "write") is not None, budget=60)
    c.create(
        job(
            "read",
            script(tmp_path, "read.py", READER),
            completionMode="Indexed",
            completions=2,
            parallelism=1,
            env=[{"name": "FAIL_INDEX", "value": "0"}],
        )
    )
    wait(c, lambda: finished(c, "read") is not None, budget=60)
    assert finished(c, "read") == "Failed"
    pod = next(p for p in c.list("pods", NS) if p["metadata"]["name"].startswith("read-0"))
    terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (3, "Error")
