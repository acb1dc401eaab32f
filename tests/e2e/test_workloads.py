"""The SDK against the real control plane: a training job and a sweep run to completion.

kube-apiserver admits the rendered objects (the schemas and the team's quota and limit
range), kube-scheduler places the pods on kwok's GPU nodes through the profile's affinity
and tolerations, KWOK's stages honour ``sim.mlkube.io/run-for``, and the real Job
controller completes the Job and the Indexed Job. The platform's pool keeps kwok's node
taint (and so its profile tolerates it), so no other test's pod lands on these nodes; the
nodes, the team namespace and the stored platform are removed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import mlkube
from mlkube.client import KubeClient
from mlkube.platform.apply import apply
from mlkube.platform.spec import loads
from mlkube.platform.target import KubeTarget
from mlkube.sdk import Client
from mlkube.testing.controlplane import KWOK_NODE_TAINT, RealCluster

pytestmark = pytest.mark.e2e

TEAM = "e2e-ml"
NODES = ("e2e-gpu-0", "e2e-gpu-1")
PLATFORM = f"""
apiVersion: mlkube.io/v1alpha1
kind: Platform
metadata: {{name: e2e-workloads}}
pools:
  - name: e2e-gpu
    selector: {{mlkube-e2e/pool: gpu}}
    nodes: 0
    capacity: {{cpu: "96", memory: 1152Gi, nvidia.com/gpu: "8"}}
    taints: [{{key: {KWOK_NODE_TAINT["key"]}, value: {KWOK_NODE_TAINT["value"]},
              effect: {KWOK_NODE_TAINT["effect"]}}}]
teams:
  - name: {TEAM}
    quota: {{requests.nvidia.com/gpu: "16", count/jobs.batch: "10"}}
    defaults: {{cpu: "1", memory: 4Gi}}
priorities:
  - {{name: e2e-research, value: 1000}}
profiles:
  training: {{pools: [e2e-gpu], retries: 0, parallelism: 2, deadline: 1h, ttl: 1h,
             priority: e2e-research}}
"""


#: A sweep's results claim (ReadWriteMany, no class) binds to this: the control plane has no
#: default StorageClass, so without a volume the claim stays Pending and so do the trials.
RESULTS_VOLUME: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "PersistentVolume",
    "metadata": {"name": "e2e-sweep-results"},
    "spec": {
        "capacity": {"storage": "1Gi"},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "hostPath": {"path": "/tmp/e2e-sweep-results"},
    },
}


@pytest.fixture(scope="module")
def client(real_cluster: RealCluster) -> Iterator[Client]:
    with KubeClient.from_kubeconfig(real_cluster.kubeconfig) as kube:
        try:
            for name in NODES:
                real_cluster.create_node(
                    name,
                    labels={"mlkube-e2e/pool": "gpu"},
                    capacity={"cpu": "96", "memory": "1152Gi", "nvidia.com/gpu": "8"},
                )
            apply(loads(PLATFORM), KubeTarget(kube))
            kube.create(RESULTS_VOLUME)
            with mlkube.connect(real_cluster.kubeconfig, team=TEAM, start=False) as c:
                yield c
        finally:
            target = KubeTarget(kube)  # its delete ignores what is already gone
            for name in NODES:
                target.delete("nodes", name)
            target.delete("namespaces", TEAM)
            target.delete("priorityclasses", "e2e-research")
            target.delete("configmaps", "mlkube-platform", "kube-public")
            target.delete("persistentvolumes", RESULTS_VOLUME["metadata"]["name"])


def test_a_training_job_submitted_through_the_sdk_completes_on_the_gpu_pool(
    client: Client,
) -> None:
    job = client.train(
        "e2e-train", image="pytorch/pytorch:2.4.0", command=["torchrun", "train.py"],
        gpus=8, run_for="2s",
    )  # fmt: skip
    final = job.wait(timeout=120)
    assert (final.phase, final.progress) == ("Complete", "1/1")
    (pod,) = job.describe()["pods"]
    assert pod["node"] in NODES
    job.cancel()


def test_a_sweep_submitted_through_the_sdk_completes_every_trial(client: Client) -> None:
    sweep = client.sweep(
        "e2e-sweep", image="python:3.11", command=["python", "trial.py"],
        params={"lr": [0.1, 0.01], "l2": [0, 1]}, parallel=2, gpus=1, run_for="1s",
    )  # fmt: skip
    job = sweep.object()
    assert (job["spec"]["completions"], job["spec"]["completionMode"]) == (4, "Indexed")
    final = sweep.wait(timeout=180)
    assert (final.phase, final.progress) == ("Complete", "4/4")
    assert sorted(p["index"] for p in sweep.describe()["pods"]) == [0, 1, 2, 3]
    sweep.cancel()


def test_a_distributed_job_submitted_through_the_sdk_runs_one_pod_per_node(
    client: Client,
) -> None:
    job = client.train(
        "e2e-ddp", image="pytorch/pytorch:2.4.0", command=["torchrun", "train.py"],
        gpus=8, nodes=2, run_for="2s",
    )  # fmt: skip
    assert "service/e2e-ddp" in job.created, "kube-apiserver accepted the headless service"
    final = job.wait(timeout=120)
    assert (final.phase, final.progress) == ("Complete", "2/2")
    assert sorted(p["node"] for p in job.describe()["pods"]) == sorted(NODES)
    job.cancel()
