"""Builders for check specifications: a small ML cluster in virtual time, and workloads.

``world()`` is an embedded cluster on a FakeClock with a platform applied: a tainted GPU
pool (8 GPUs a node), a general pool, team ``vision`` with a quota and LimitRange defaults.
``gpu_job(...)`` is a training Job as the renderers write one (placement from the training
profile, requests = limits, a ``sim.mlkube.io/run-for`` hint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.platform.apply import apply
from mlkube.platform.check import ClusterState, read_state
from mlkube.platform.profiles import resolve
from mlkube.platform.spec import Platform
from mlkube.platform.target import EmbeddedTarget
from tests.unit.platform.builders import platform

NAMESPACE = "vision"
#: Another team, whose pods take room on the same nodes.
OTHER = "nlp"
_GENERATED = re.compile(r'pods "([a-z0-9.-]+-)[a-z0-9]{5}"')


@dataclass
class World:
    cluster: Cluster
    clock: FakeClock
    spec: Platform

    @property
    def target(self) -> EmbeddedTarget:
        return EmbeddedTarget(self.cluster)

    def state(self) -> ClusterState:
        return read_state(self.target)

    def submit(self, obj: dict[str, Any], settle: float = 5) -> None:
        self.cluster.create(obj)
        self.cluster.advance(settle)

    def pods(self, owner: str, namespace: str = NAMESPACE) -> list[dict[str, Any]]:
        return [
            p
            for p in self.cluster.list("pods", namespace)
            if any(r.get("name") == owner for r in p["metadata"].get("ownerReferences") or [])
        ]

    def nodes_of(self, owner: str) -> list[str]:
        pods = sorted(self.pods(owner), key=lambda p: p["metadata"]["name"])
        return [str(p["spec"].get("nodeName")) for p in pods]

    def events(self, name: str, reason: str) -> list[str]:
        return [
            e["message"]
            for e in self.cluster.list("events", NAMESPACE)
            if e.get("reason") == reason and e["involvedObject"]["name"].startswith(name)
        ]


def world(*, gpu_nodes: int = 2, gpu_quota: str | None = None, general_nodes: int = 2) -> World:
    builder = platform().gpu_pool(nodes=gpu_nodes).pool("general", nodes=general_nodes)
    for team in (NAMESPACE, OTHER):
        builder.team(
            team,
            quota={
                "requests.nvidia.com/gpu": gpu_quota or str(8 * gpu_nodes),
                "requests.cpu": "160",
                "requests.memory": "2Ti",
                "count/jobs.batch": "20",
            },
            defaults={"cpu": "1", "memory": "4Gi"},
            max={"cpu": "96", "memory": "1Ti", "nvidia.com/gpu": "8"},
        )
    spec = (
        builder.priority("research", 1000, default=True, preemptible=True)
        .priority("production", 100000)
        .profile("training", "gpu-a100", deadline="24h", ttl="1h", retries=3, priority="research")
        .build()
    )
    clock = FakeClock()
    cluster = Cluster(clock=clock, seed=7)
    apply(spec, EmbeddedTarget(cluster), embedded=True)
    cluster.advance(15)
    return World(cluster, clock, spec)


def gpu_job(
    w: World,
    name: str,
    *,
    gpus: int = 8,
    cpu: str | None = "8",
    run_for: str = "1h",
    nodes: int = 1,
    tolerate: bool = True,
    namespace: str = NAMESPACE,
    **spec: Any,
) -> dict[str, Any]:
    """A training Job; ``nodes > 1`` makes it distributed (Indexed, parallelism = completions)."""
    profile = resolve(w.spec, "training")
    resources: dict[str, str] = {"nvidia.com/gpu": str(gpus)}
    if cpu is not None:
        resources.update({"cpu": cpu, "memory": "64Gi"})
    labels = {
        "mlkube.io/workload": name,
        "mlkube.io/kind": "distributed" if nodes > 1 else "training",
    }
    template_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "priorityClassName": profile.priority_class,
        "affinity": profile.affinity,
        "containers": [
            {
                "name": "train",
                "image": "pytorch/pytorch:2.4.0",
                "resources": {"requests": resources, "limits": resources},
            }
        ],
    }
    if tolerate:
        template_spec["tolerations"] = profile.tolerations
    job_spec: dict[str, Any] = {
        "backoffLimit": 0,
        "template": {
            "metadata": {"labels": labels, "annotations": {"sim.mlkube.io/run-for": run_for}},
            "spec": template_spec,
        },
    }
    if nodes > 1:
        job_spec.update(completionMode="Indexed", completions=nodes, parallelism=nodes)
    job_spec.update(spec)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace},
        "spec": job_spec,
    }


def forever_pod(w: World, name: str, *, gpus: int = 8, namespace: str = OTHER) -> dict[str, Any]:
    """A bare GPU pod with no run-for hint and no deadline: its end is unknown."""
    template = gpu_job(w, name, gpus=gpus)["spec"]["template"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {**template["spec"], "restartPolicy": "Always"},
    }


def cpu_pod(name: str, *, cpu: str | None = None, **spec: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": "busybox:1.36"}
    if cpu is not None:
        container["resources"] = {"limits": {"cpu": cpu}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"containers": [container], **spec},
    }


def unmask(event: str) -> str:
    """An event about a generated pod name, its random part shown as check shows it."""
    return _GENERATED.sub(lambda m: f'pods "{m.group(1)}*****"', event)
