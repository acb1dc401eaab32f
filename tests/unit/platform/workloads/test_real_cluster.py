"""Rendered workloads against a real control plane (kube-apiserver, controller-manager,
scheduler, kwok): what the embedded tests assume, checked against Kubernetes itself.

Marked ``e2e``: ``make test`` deselects it; run it with
``python -m pytest -m e2e tests/unit/platform/workloads``. kwok's nodes carry the example
platform's instance types, so ``mlkube platform apply`` labels and taints them as pools.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from mlkube.client import KubeClient
from mlkube.platform import Platform
from mlkube.platform.apply import apply
from mlkube.platform.names import POOL
from mlkube.platform.target import KubeTarget
from mlkube.platform.workloads import Workload, read_platform, render
from mlkube.testing.controlplane import RealCluster
from tests.unit.platform.workloads.builders import sweep, training
from tests.unit.platform.workloads.test_render import CASES

pytestmark = pytest.mark.e2e

T = TypeVar("T")
P4D = {"node.kubernetes.io/instance-type": "p4d.24xlarge"}
M6I = {"node.kubernetes.io/instance-type": "m6i.4xlarge"}
GPU_NODE = {"cpu": "96", "memory": "1152Gi", "nvidia.com/gpu": "8"}


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while (value := probe()) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)
    return value


@pytest.fixture(scope="module")
def real(platform: Platform) -> Iterator[RealCluster]:
    """Two GPU nodes and one CPU node (no kwok taint: only the pools' own)."""
    with RealCluster() as cluster:
        for name in ("a100-0", "a100-1"):
            cluster.create_node(name, labels=P4D, capacity=GPU_NODE, taints=[])
        cluster.create_node(
            "m6i-0", labels=M6I, capacity={"cpu": "16", "memory": "64Gi"}, taints=[]
        )
        yield cluster


@pytest.fixture(scope="module")
def client(real: RealCluster, platform: Platform) -> Iterator[KubeClient]:
    """The example platform applied."""
    with KubeClient.from_kubeconfig(real.kubeconfig) as kube:
        apply(platform, KubeTarget(kube))
        yield kube


def _submit(client: KubeClient, w: Workload, platform: Platform) -> None:
    for obj in render(w, platform):
        client.create(obj)


def _finished(client: KubeClient, name: str) -> str | None:
    job = client.get("jobs", name, "vision")
    done = [
        c["type"]
        for c in (job.get("status") or {}).get("conditions") or []
        if c["type"] in ("Complete", "Failed") and c["status"] == "True"
    ]
    return done[0] if done else None


def _pools(client: KubeClient, workload: str) -> set[str]:
    pods = client.list("pods", namespace="vision", label_selector=f"mlkube.io/workload={workload}")
    return {
        client.get("nodes", p["spec"]["nodeName"])["metadata"]["labels"][POOL]
        for p in pods
        if p["spec"].get("nodeName")
    }


@pytest.mark.parametrize(("name", "make"), CASES)
def test_kube_apiserver_accepts_every_rendered_object(
    name: str, make: Callable[[], Workload], platform: Platform, client: KubeClient
) -> None:
    for obj in render(make(), platform):
        created = client.create(obj, dry_run=True, field_validation="Strict")
        assert created["metadata"]["name"] == obj["metadata"]["name"]


def test_the_stored_platform_is_read_back_from_kube_apiserver(
    platform: Platform, client: KubeClient
) -> None:
    stored = read_platform(KubeTarget(client))
    assert stored is not None
    assert stored.profiles == platform.profiles


def test_any_authenticated_user_may_read_the_stored_platform_and_nothing_else_there(
    real: RealCluster, client: KubeClient
) -> None:
    def allowed(name: str) -> bool:
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": "alice",
                "groups": ["system:authenticated", "vision-engineers"],
                "resourceAttributes": {
                    "namespace": "kube-public",
                    "verb": "get",
                    "resource": "configmaps",
                    "name": name,
                },
            },
        }
        status, answer = real.request(
            "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review
        )
        assert status == 201, answer
        return bool(answer["status"].get("allowed"))

    assert (allowed("mlkube-platform"), allowed("something-else")) == (True, False)


def test_a_training_job_runs_on_a_gpu_node_and_completes(
    platform: Platform, client: KubeClient
) -> None:
    _submit(client, training("e2e-train", gpu=8, gpu_type="a100", run_for="2s"), platform)
    assert eventually(lambda: _finished(client, "e2e-train"), "the job to finish") == "Complete"
    assert _pools(client, "e2e-train") == {"gpu-a100"}


def test_distributed_training_runs_one_rank_per_gpu_node_and_completes(
    platform: Platform, client: KubeClient
) -> None:
    _submit(client, training("e2e-ddp", nodes=2, gpu=8, run_for="2s"), platform)
    assert eventually(lambda: _finished(client, "e2e-ddp"), "the job to finish") == "Complete"
    pods = client.list("pods", namespace="vision", label_selector="mlkube.io/workload=e2e-ddp")
    assert sorted(p["spec"]["hostname"] for p in pods) == ["e2e-ddp-0", "e2e-ddp-1"]
    assert len({p["spec"]["nodeName"] for p in pods}) == 2


def test_a_distributed_job_fails_at_once_on_a_non_retryable_exit_code(
    platform: Platform, client: KubeClient
) -> None:
    _submit(client, training("e2e-bad", nodes=2, gpu=1, run_for="1s", exit_code=127), platform)
    assert eventually(lambda: _finished(client, "e2e-bad"), "the job to fail") == "Failed"
    job = client.get("jobs", "e2e-bad", "vision")
    reasons = [c.get("reason") for c in job["status"]["conditions"] if c["type"] == "Failed"]
    assert reasons == ["PodFailurePolicy"]


def test_a_sweep_runs_every_trial_and_completes(platform: Platform, client: KubeClient) -> None:
    # No provisioner here: a volume for the results claim (storageClassName "" binds it).
    client.create(_results_volume("e2e-sweep-results"))
    _submit(client, sweep("e2e-sweep", parallel=2, gpu=1, run_for="1s"), platform)
    assert (
        eventually(lambda: _finished(client, "e2e-sweep"), "the sweep to finish", 90) == "Complete"
    )
    assert client.get("jobs", "e2e-sweep", "vision")["status"]["succeeded"] == 4


def _results_volume(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteMany"],
            "hostPath": {"path": f"/tmp/{name}"},
            "claimRef": {"namespace": "vision", "name": name},
        },
    }
