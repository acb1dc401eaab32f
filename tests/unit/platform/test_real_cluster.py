"""The platform against a real control plane (kube-apiserver, controller-manager, scheduler,
kwok): what the embedded tests assume about Kubernetes, checked against Kubernetes.

Marked ``e2e``: ``make test`` deselects it; run it with
``python -m pytest -m e2e tests/unit/platform``. The nodes exist already (kwok's), so mlkube
labels and taints them by the pools' selectors and creates none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from mlkube.client import KubeClient
from mlkube.platform.apply import apply, plan
from mlkube.platform.names import POOL
from mlkube.platform.show import status
from mlkube.platform.spec import Platform
from mlkube.platform.target import KubeTarget
from mlkube.testing.controlplane import KWOK_NODE_TAINT, RealCluster
from tests.unit.platform.builders import PlatformBuilder, ml_platform
from tests.unit.platform.targets import Recording

pytestmark = pytest.mark.e2e

T = TypeVar("T")
P4D = {"node.kubernetes.io/instance-type": "p4d.24xlarge"}
M6I = {"node.kubernetes.io/instance-type": "m6i.4xlarge"}


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while (value := probe()) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)
    return value


@pytest.fixture(scope="module")
def real() -> Iterator[RealCluster]:
    with RealCluster() as cluster:
        cluster.create_node(
            "a100-x", labels={**P4D, "team": "infra"}, capacity={"nvidia.com/gpu": "8"}
        )
        cluster.create_node("m6i-y", labels=M6I)
        yield cluster


@pytest.fixture
def client(real: RealCluster) -> Iterator[KubeClient]:
    with KubeClient.from_kubeconfig(real.kubeconfig) as kube:
        yield kube


def real_platform() -> PlatformBuilder:
    """The builders' platform with pools that select kwok's nodes instead of creating any."""
    builder = ml_platform().set("pools.0.nodes", 0).set("pools.1.nodes", 0)
    return builder.set("pools.0.selector", P4D).set("pools.1.selector", M6I)


def real_spec() -> Platform:
    return real_platform().build()


def test_apply_labels_and_taints_the_selected_nodes_and_keeps_everyone_else_s(
    client: KubeClient,
) -> None:
    outcome = apply(real_spec(), KubeTarget(client))
    assert outcome.embedded is False  # a real kube-apiserver's /version
    node = client.get("nodes", "a100-x")
    assert node["metadata"]["labels"][POOL] == "gpu-a100"
    assert node["metadata"]["labels"]["team"] == "infra"
    taints = node["spec"]["taints"]
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"} in taints
    assert KWOK_NODE_TAINT in [
        {k: t[k] for k in ("key", "value", "effect") if k in t} for t in taints
    ]
    assert sorted(n["metadata"]["name"] for n in client.list("nodes")) == ["a100-x", "m6i-y"]


def test_a_second_apply_against_kube_apiserver_makes_zero_writes(client: KubeClient) -> None:
    apply(real_spec(), KubeTarget(client))
    recording = Recording(KubeTarget(client))
    apply(real_spec(), recording)
    assert recording.writes == []


def test_each_team_claim_binds_to_its_dataset_volume(client: KubeClient) -> None:
    target = KubeTarget(client)
    apply(real_spec(), target)

    def bound() -> bool | None:
        return True if all(d.bound for d in status(target, "acme-ml").datasets) else None

    eventually(bound, "the PV controller to bind imagenet")
    claim = client.get("persistentvolumeclaims", "imagenet", "vision")
    assert claim["spec"]["volumeName"] == "imagenet-vision"


def test_kube_apiserver_gives_a_cpu_only_pod_the_team_defaults_and_no_gpu(
    client: KubeClient,
) -> None:
    apply(real_spec(), KubeTarget(client))
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "prep"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
    }
    created = client.create(pod, namespace="vision", dry_run=True)
    resources = created["spec"]["containers"][0]["resources"]
    assert resources["requests"] == {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "0"}
    assert resources["limits"] == {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "0"}


def test_a_manual_edit_on_kube_apiserver_is_one_change_in_the_plan(client: KubeClient) -> None:
    target = KubeTarget(client)
    apply(real_spec(), target)
    client.patch(
        "resourcequotas",
        "vision",
        {"spec": {"hard": {"requests.cpu": "999"}}},
        namespace="vision",
        patch_type="merge",
    )
    changes = [c for c in plan(real_spec(), target, embedded=False).changes if c.is_write]
    assert [c.name for c in changes] == ["resourcequota/vision -n vision"]
    apply(real_spec(), target)
    assert client.get("resourcequotas", "vision", "vision")["spec"]["hard"]["requests.cpu"] == "64"


def test_prune_on_kube_apiserver_removes_only_what_the_spec_dropped(client: KubeClient) -> None:
    target = KubeTarget(client)
    apply(real_platform().priority("batch", 10).build(), target)
    apply(real_spec(), target, prune=True)
    names = {p["metadata"]["name"] for p in client.list("priorityclasses")}
    assert "batch" not in names
    assert {"production", "research", "system-node-critical"} <= names
