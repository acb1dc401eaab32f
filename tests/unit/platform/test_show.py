"""``show``: the live platform read back by mlkube's labels alone."""

from __future__ import annotations

from typing import Any

from mlkube.engine.cluster import Cluster
from mlkube.platform.apply import apply
from mlkube.platform.show import status
from tests.unit.platform.builders import ml_platform
from tests.unit.platform.targets import embedded


def bound_pod(
    cluster: Cluster, name: str, node: str, *, gpus: str, phase: str | None = None
) -> None:
    resources = {"limits": {"nvidia.com/gpu": gpus, "cpu": "4", "memory": "16Gi"}}
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "nodeName": node,
            "containers": [{"name": "main", "image": "trainer", "resources": resources}],
            "tolerations": [
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
            ],
        },
    }
    created = cluster.create(pod, namespace="vision")
    if phase is not None:
        created["status"] = {**(created.get("status") or {}), "phase": phase}
        cluster.update_status(created)


def test_pools_show_their_nodes_allocatable_and_what_running_pods_request() -> None:
    cluster, target = embedded()
    apply(ml_platform().build(), target)
    bound_pod(cluster, "train-0", "gpu-a100-0", gpus="8")
    bound_pod(cluster, "done-0", "gpu-a100-1", gpus="8", phase="Succeeded")
    gpu = next(p for p in status(target).pools if p.name == "gpu-a100")
    assert gpu.nodes == ["gpu-a100-0", "gpu-a100-1"]
    assert gpu.allocatable == {
        "cpu": "192",
        "memory": "2304Gi",
        "nvidia.com/gpu": "16",
        "pods": "220",
    }
    assert gpu.allocated == {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "8"}


def test_teams_show_quota_used_and_hard_as_the_quota_controller_reports_them() -> None:
    cluster, target = embedded()
    apply(ml_platform().build(), target)
    bound_pod(cluster, "train-0", "gpu-a100-0", gpus="8")
    cluster.run_until_idle()
    (team,) = status(target).teams
    assert (team.name, team.namespace) == ("vision", "vision")
    assert team.hard["requests.nvidia.com/gpu"] == "16"
    assert team.used["requests.nvidia.com/gpu"] == "8"


def test_datasets_show_each_team_s_claim_and_whether_it_is_bound() -> None:
    cluster, target = embedded()
    apply(ml_platform().build(), target)
    (dataset,) = status(target).datasets
    assert (dataset.name, dataset.team, dataset.claim, dataset.volume) == (
        "imagenet",
        "vision",
        "imagenet",
        "imagenet-vision",
    )
    assert (dataset.phase, dataset.bound) == ("Pending", False)
    claim = cluster.get("persistentvolumeclaims", "imagenet", "vision")
    cluster.update_status({**claim, "status": {"phase": "Bound"}})  # as the PV controller would
    assert status(target).datasets[0].bound is True


def test_show_can_be_narrowed_to_one_platform() -> None:
    _, target = embedded()
    apply(ml_platform().build(), target)
    assert status(target, "other").to_dict() == {"pools": [], "teams": [], "datasets": []}
