"""Eviction's writes on both clusters: the pod's managedFields keep their entries (the
``DisruptionTarget`` condition goes straight to storage, ``addConditionAndDeletePod``) and
the budget it spends gains a ``kube-apiserver`` status entry (the loopback client), never
the requester's. A finalizer holds each evicted pod so it can be read after the eviction.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import KWOK_NODE_TAINT, fake_node
from tests.e2e.targets import Target, eventually

pytestmark = pytest.mark.e2e

NS = "default"
TIMEOUT = 60.0
HOLD = "mlkube.io/e2e-hold"


@pytest.fixture(scope="module")
def node(targets: list[Target]) -> str:
    name = f"evict-{uuid.uuid4().hex[:6]}"
    for target in targets:
        with target.client() as client:
            client.create(fake_node(name))
    return name


def _running_pod(client: KubeClient, name: str, node: str, labels: dict[str, str]) -> None:
    client.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": labels, "finalizers": [HOLD]},
            "spec": {
                "nodeName": node,
                "tolerations": [{"key": KWOK_NODE_TAINT["key"], "operator": "Exists"}],
                "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
            },
        }
    )

    def running() -> bool | None:
        pod = client.get("pods", name, NS)
        return True if (pod.get("status") or {}).get("phase") == "Running" else None

    eventually(running, f"pod {name} Running")


def _evict(client: KubeClient, name: str) -> None:
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}}
    client.request("POST", f"/api/v1/namespaces/{NS}/pods/{name}/eviction", body=body)


def _release(client: KubeClient, name: str) -> None:
    client.patch("pods", name, {"metadata": {"finalizers": None}}, namespace=NS, patch_type="merge")


def _entries(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (m.get("manager", ""), m.get("operation", ""), m.get("subresource", ""))
        for m in obj["metadata"].get("managedFields") or []
    ]


@pytest.mark.parametrize("which", ["real", "embedded"])
def test_the_disruption_target_condition_adds_no_managed_fields_entry_to_the_pod(
    targets: list[Target], node: str, which: str
) -> None:
    (target,) = [t for t in targets if t.name == which]
    name = f"evictee-{uuid.uuid4().hex[:6]}"
    with target.client() as client:
        _running_pod(client, name, node, {"app": name})
        before = _entries(client.get("pods", name, NS))
        _evict(client, name)
        after = client.get("pods", name, NS)
        _release(client, name)
    conditions = {c["type"]: c for c in after["status"]["conditions"]}
    assert conditions["DisruptionTarget"]["reason"] == "EvictionByEvictionAPI"
    # the kubelet (KWOK's or the simulated one) may have reported the termination since,
    # in its own entry; the eviction adds none
    assert sorted(_entries(after)) == sorted(before)


@pytest.mark.parametrize("which", ["real", "embedded"])
def test_the_budget_an_eviction_spends_is_written_by_kube_apiserver(
    targets: list[Target], node: str, which: str
) -> None:
    (target,) = [t for t in targets if t.name == which]
    name = f"budgeted-{uuid.uuid4().hex[:6]}"
    with target.client() as client:
        client.create(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": name, "namespace": NS},
                "spec": {"minAvailable": 0, "selector": {"matchLabels": {"app": name}}},
            }
        )
        _running_pod(client, name, node, {"app": name})

        def allowed() -> bool | None:
            status = client.get("poddisruptionbudgets", name, NS).get("status") or {}
            ok = status.get("disruptionsAllowed", 0) >= 1 and status.get("currentHealthy") == 1
            return True if ok else None

        eventually(allowed, f"budget {name} allowing a disruption")
        _evict(client, name)
        budget = client.get("poddisruptionbudgets", name, NS)
        _release(client, name)
    assert ("kube-apiserver", "Update", "status") in _entries(budget)
    assert "mlkube" not in {m for m, _, sub in _entries(budget) if sub == "status"}
