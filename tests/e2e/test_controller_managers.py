"""Who wrote what, on both clusters: every write of kube-controller-manager's controllers
(and of the embedded ones) is managed by ``kube-controller-manager`` (their shared
User-Agent prefix; they set no fieldManager): the pods of a ReplicaSet and of a Job, a
Deployment's ReplicaSet, the status of Deployments, ReplicaSets, Jobs,
PodDisruptionBudgets and ResourceQuotas, Endpoints and EndpointSlices.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import KWOK_NODE_TAINT, RealCluster, fake_node
from tests.e2e.targets import both_clusters, eventually

pytestmark = pytest.mark.e2e

NS = "default"
TIMEOUT = 90.0
KCM = "kube-controller-manager"
TOLERATE_KWOK = [{"key": KWOK_NODE_TAINT["key"], "operator": "Exists"}]
TARGETS = ["real", "embedded"]

Entries = set[tuple[str, str]]


def _entries(obj: dict[str, Any]) -> Entries:
    """(manager, subresource) of every managedFields entry."""
    return {
        (m.get("manager", ""), m.get("subresource", ""))
        for m in obj["metadata"].get("managedFields") or []
    }


def _workloads(client: KubeClient, node: str, app: str) -> dict[str, Entries]:
    """A Deployment with a Service and a budget over its pod, a quota and a Job, all
    settled; the managedFields entries of everything the controllers wrote."""
    template = {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "nodeName": node,
            "tolerations": TOLERATE_KWOK,
            "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
        },
    }
    client.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": app, "namespace": NS},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": app}},
                "template": template,
            },
        }
    )
    client.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": app, "namespace": NS},
            "spec": {"selector": {"app": app}, "ports": [{"port": 80}]},
        }
    )
    client.create(
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": app, "namespace": NS},
            "spec": {"minAvailable": 0, "selector": {"matchLabels": {"app": app}}},
        }
    )
    client.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": app, "namespace": NS},
            "spec": {"hard": {"pods": "100"}},
        }
    )
    job_template = {"metadata": {}, "spec": {**template["spec"], "restartPolicy": "Never"}}
    client.create(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": app, "namespace": NS},
            "spec": {"template": job_template},
        }
    )

    def settled() -> dict[str, Entries] | None:
        deployment = client.get("deployments", app, NS)
        job = client.get("jobs", app, NS)
        budget = client.get("poddisruptionbudgets", app, NS)
        quota = client.get("resourcequotas", app, NS)
        if (deployment.get("status") or {}).get("availableReplicas") != 1:
            return None
        if not (job.get("status") or {}).get("succeeded"):
            return None
        if (budget.get("status") or {}).get("currentHealthy") != 1:
            return None
        if not (quota.get("status") or {}).get("used"):
            return None
        slices = client.list(
            "endpointslices", NS, label_selector=f"kubernetes.io/service-name={app}"
        )
        if not slices or not any(s.get("endpoints") for s in slices):
            return None
        (rs,) = client.list("replicasets", NS, label_selector=f"app={app}")
        (rs_pod,) = client.list("pods", NS, label_selector=f"app={app}")
        (job_pod,) = client.list("pods", NS, label_selector=f"job-name={app}")
        return {
            "deployment": _entries(deployment),
            "replicaset": _entries(rs),
            "replicaset's pod": _entries(rs_pod),
            "job": _entries(job),
            "job's pod": _entries(job_pod),
            "budget": _entries(budget),
            "quota": _entries(quota),
            "endpoints": _entries(client.get("endpoints", app, NS)),
            "endpointslice": set().union(*(_entries(s) for s in slices)),
        }

    found: dict[str, Entries] = eventually(settled, f"the workloads of {app} to settle", TIMEOUT)
    return found


@pytest.fixture(scope="module")
def written(
    real_cluster: RealCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, Entries]]]:
    """Per target: what ``_workloads`` found."""
    out: dict[str, dict[str, Entries]] = {}
    with both_clusters(real_cluster, tmp_path_factory.mktemp("embedded")) as targets:
        suffix = uuid.uuid4().hex[:6]
        for target in targets:
            with target.client() as client:
                client.create(fake_node(f"managers-{suffix}"))
                out[target.name] = _workloads(client, f"managers-{suffix}", f"mgr-{suffix}")
        yield out


# (what, its entries apart from the client's own and the kubelet's)
EXPECTED = [
    pytest.param("deployment", {(KCM, "status")}, id="a Deployment's status"),
    pytest.param("replicaset", {(KCM, ""), (KCM, "status")}, id="a ReplicaSet and its status"),
    pytest.param("replicaset's pod", {(KCM, "")}, id="the pod a ReplicaSet creates"),
    pytest.param("job", {(KCM, "status")}, id="a Job's status"),
    pytest.param("job's pod", {(KCM, "")}, id="the pod a Job creates"),
    pytest.param("budget", {(KCM, "status")}, id="a PodDisruptionBudget's status"),
    pytest.param("endpoints", {(KCM, "")}, id="a Service's Endpoints"),
    pytest.param("endpointslice", {(KCM, "")}, id="a Service's EndpointSlice"),
]
#: the test client's (``mlkube``) and the node agent's (kwok's on the real cluster, the
#: simulated kubelet's on the embedded one) are not the controllers'
_NOT_CONTROLLERS = {"mlkube", "kwok", "kubelet"}


@pytest.mark.parametrize("which", TARGETS)
def test_a_quotas_status_is_written_by_the_controller_and_by_quota_admission(
    written: dict[str, dict[str, Entries]], which: str
) -> None:
    """Quota admission charges usage through kube-apiserver's loopback client; which of the
    two writers owns which fields at the end depends, on the real cluster, on whether the
    controller's recount or an admission came last, so only the set of writers is fixed."""
    entries = {e for e in written[which]["quota"] if e[0] not in _NOT_CONTROLLERS}
    assert entries
    assert entries <= {(KCM, "status"), ("kube-apiserver", "status")}


@pytest.mark.parametrize("which", TARGETS)
@pytest.mark.parametrize(("what", "expected"), EXPECTED)
def test_the_controllers_writes_are_managed_by_kube_controller_manager(
    written: dict[str, dict[str, Entries]], which: str, what: str, expected: Entries
) -> None:
    entries = {e for e in written[which][what] if e[0] not in _NOT_CONTROLLERS}
    assert entries == expected
