"""``mlkube check`` against the real control plane: what it predicts is what Kubernetes does.

Each specification reads the real cluster's state, checks a workload, submits it, and
observes the real scheduler's node, the real Job controller's FailedCreate event and the
real scheduler's FailedScheduling event. Two kwok GPU nodes of their own pool keep the
workloads apart from the other e2e tests' (and are deleted afterwards).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.client import KubeClient
from mlkube.platform.check import check, read_state
from mlkube.platform.check.explain import explain
from mlkube.platform.target import KubeTarget
from mlkube.testing.controlplane import KWOK_NODE_TAINT, RealCluster
from tests.e2e.targets import eventually

GPU = "nvidia.com/gpu"
POOL = "mlkube.io/pool"
GPU_TAINT = {"key": GPU, "value": "present", "effect": "NoSchedule"}
_GENERATED = re.compile(r'pods "([a-z0-9.-]+-)[a-z0-9]{5}"')


@dataclass
class Env:
    """A client of the real cluster and this module's pool (also its namespace)."""

    kube: KubeClient
    pool: str


@pytest.fixture(scope="module")
def env(real_cluster: RealCluster) -> Iterator[Env]:
    pool = f"check-{uuid.uuid4().hex[:6]}"
    nodes = [f"{pool}-{i}" for i in range(2)]
    for name in nodes:
        real_cluster.create_node(
            name,
            capacity={GPU: "8", "cpu": "96", "memory": "1152Gi", "pods": "110"},
            labels={POOL: pool},
            taints=[KWOK_NODE_TAINT, GPU_TAINT],
        )
    with KubeClient.from_kubeconfig(real_cluster.kubeconfig) as client:
        client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": pool}})
        client.create(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": {"name": "gpus", "namespace": pool},
                "spec": {"hard": {"requests.nvidia.com/gpu": "8"}},
            }
        )
        eventually(
            lambda: client.get("resourcequotas", "gpus", pool).get("status", {}).get("used"),
            "the quota controller to fill in status.used",
        )
        yield Env(client, pool)
        client.delete("namespaces", pool)
        for name in nodes:
            client.delete("nodes", name)


def gpu_job(env: Env, name: str, gpus: int = 8) -> dict[str, Any]:
    resources = {GPU: str(gpus), "cpu": "8", "memory": "64Gi"}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": env.pool},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": {"annotations": {"sim.mlkube.io/run-for": "10m"}},
                "spec": {
                    "restartPolicy": "Never",
                    "nodeSelector": {POOL: env.pool},
                    "tolerations": [
                        {"key": KWOK_NODE_TAINT["key"], "operator": "Exists"},
                        {"key": GPU, "operator": "Exists", "effect": "NoSchedule"},
                    ],
                    "containers": [
                        {
                            "name": "train",
                            "image": "registry.k8s.io/pause:3.10",
                            "resources": {"requests": resources, "limits": resources},
                        }
                    ],
                },
            },
        },
    }


def _check(env: Env, obj: dict[str, Any]) -> Any:
    return check([obj], read_state(KubeTarget(env.kube)), now=datetime.now(UTC))


def _events(env: Env, name: str, reason: str) -> list[str] | None:
    found = [
        str(e.get("message"))
        for e in env.kube.list("events", env.pool)
        if e.get("reason") == reason and str(e["involvedObject"]["name"]).startswith(name)
    ]
    return found or None


def test_a_job_lands_on_a_node_check_predicted(env: Env) -> None:
    job = gpu_job(env, "resnet")
    report = _check(env, job)
    env.kube.create(job)

    def bound() -> str | None:
        pods = env.kube.list("pods", env.pool, label_selector="job-name=resnet")
        return next((p["spec"]["nodeName"] for p in pods if p["spec"].get("nodeName")), None)

    node = eventually(bound, "the real scheduler to bind resnet")
    assert report.admitted
    assert node in report.placements[0].tied


def test_a_job_beyond_the_quota_is_refused_with_the_predicted_failedcreate(
    env: Env,
) -> None:
    eventually(
        lambda: (
            env.kube.get("resourcequotas", "gpus", env.pool)["status"]["used"].get(
                "requests.nvidia.com/gpu"
            )
            == "8"
            or None
        ),
        "resnet's GPUs to be charged",
    )
    job = gpu_job(env, "bert")
    report = _check(env, job)
    env.kube.create(job)

    events = eventually(lambda: _events(env, "bert", "FailedCreate"), "bert's FailedCreate")
    masked = _GENERATED.sub(lambda m: f'pods "{m.group(1)}*****"', events[0])
    assert not report.admitted
    assert masked == report.refusals[0].message


def test_a_pod_that_fits_nowhere_gets_the_predicted_failedscheduling_message_and_explain_it(
    env: Env,
) -> None:
    template = gpu_job(env, "giant", gpus=16)["spec"]["template"]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "giant", "namespace": env.pool},
        "spec": template["spec"],
    }
    env.kube.delete("resourcequotas", "gpus", env.pool)
    eventually(
        lambda: None if any(True for _ in env.kube.list("resourcequotas", env.pool)) else True,
        "the quota to go",
    )
    report = _check(env, pod)
    env.kube.create(pod)

    events = eventually(lambda: _events(env, "giant", "FailedScheduling"), "FailedScheduling")
    found = explain(KubeTarget(env.kube), "pod/giant", env.pool, now=datetime.now(UTC))
    assert report.placements[0].message == events[0]
    assert report.ever is not None
    assert not report.ever.possible
    assert [f.message for f in found.findings if f.kind == "unschedulable"] == events[-1:]
