"""Every write of the embedded controllers is managed by ``kube-controller-manager``.

kube-controller-manager's controllers share one User-Agent prefix
(``kube-controller-manager/<version> ... /<controller>``) and set no ``fieldManager``, so
the managedFields entry of each write names ``kube-controller-manager``: the pods a
ReplicaSet or a Job creates, the ReplicaSets of a Deployment, every status they write,
Endpoints and EndpointSlices, and the Events they record. Checked against kube-apiserver
v1.37.2 with its controller manager by ``tests/e2e/test_controller_managers.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.useragent import MANAGER, USER_AGENT
from mlkube.engine.patch.managedfields import default_manager

from .builders import NS, make_deployment, run_ready

APP = {"app": "web"}


def _entries(obj: dict[str, Any]) -> set[tuple[str, str]]:
    """(manager, subresource) of every managedFields entry."""
    return {
        (entry.get("manager", ""), entry.get("subresource", ""))
        for entry in obj["metadata"].get("managedFields") or []
    }


@pytest.fixture(scope="module")
def c() -> Cluster:
    """A cluster with the default controllers, a Deployment whose pod runs, a Service for
    it, a budget over it, a quota, and a Job whose pod runs."""
    cl = Cluster(clock=FakeClock(), seed=0)
    cl.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "n1", "annotations": {"sim.mlkube.io/kubelet": "external"}},
        }
    )
    cl.create(make_deployment("web", 1, APP).build())
    cl.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {"selector": dict(APP), "ports": [{"port": 80}]},
        }
    )
    cl.create(
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {"minAvailable": 0, "selector": {"matchLabels": dict(APP)}},
        }
    )
    cl.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "pods", "namespace": NS},
            "spec": {"hard": {"pods": "10"}},
        }
    )
    cl.create(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "train", "namespace": NS},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "main", "image": "busybox:1.36"}],
                    }
                }
            },
        }
    )
    cl.run_until_idle()
    for pod in cl.list("pods", NS):
        run_ready(cl, pod)
    cl.run_until_idle()
    return cl


def test_the_user_agent_names_the_kube_controller_manager() -> None:
    assert default_manager(USER_AGENT) == MANAGER == "kube-controller-manager"


@pytest.mark.parametrize(
    ("resource", "selector", "expected"),
    [
        pytest.param(
            "pods",
            "app=web",
            {(MANAGER, "")},
            id="a ReplicaSet's pod is created by kube-controller-manager",
        ),
        pytest.param(
            "pods",
            "job-name=train",
            {(MANAGER, "")},
            id="a Job's pod is created by kube-controller-manager",
        ),
        pytest.param(
            "replicasets",
            "app=web",
            {(MANAGER, ""), (MANAGER, "status")},
            id="a Deployment's ReplicaSet and its status are kube-controller-manager's",
        ),
        pytest.param(
            "endpointslices",
            "kubernetes.io/service-name=web",
            {(MANAGER, "")},
            id="an EndpointSlice is written by kube-controller-manager",
        ),
    ],
)
def test_objects_the_controllers_create_are_managed_by_kube_controller_manager(
    c: Cluster, resource: str, selector: str, expected: set[tuple[str, str]]
) -> None:
    found = c.list(resource, NS, label_selector=selector)
    assert found
    for obj in found:
        entries = _entries(obj)
        if resource == "pods":
            # a pod's status is this test's own write (it plays the kubelet, run_ready)
            entries = {e for e in entries if e[1] != "status"}
        assert entries == expected


@pytest.mark.parametrize(
    ("resource", "name"),
    [
        pytest.param("deployments", "web", id="a Deployment's status"),
        pytest.param("jobs", "train", id="a Job's status"),
        pytest.param("poddisruptionbudgets", "web", id="a PodDisruptionBudget's status"),
    ],
)
def test_status_the_controllers_write_is_managed_by_kube_controller_manager(
    c: Cluster, resource: str, name: str
) -> None:
    managers = {m for m, sub in _entries(c.get(resource, name, NS)) if sub == "status"}
    assert managers == {MANAGER}


def test_quota_usage_charged_by_admission_is_kube_apiservers_the_rest_the_controllers(
    c: Cluster,
) -> None:
    """The quota controller writes ``status.hard`` and the first usage; quota admission then
    charges each admitted pod through kube-apiserver's loopback client (``UpdateQuotaStatus``),
    taking the ``used`` fields it changes, and the controller's recount, finding the same
    usage, writes nothing."""
    quota = c.get("resourcequotas", "pods", NS)
    managers = {m for m, sub in _entries(quota) if sub == "status"}
    assert managers == {MANAGER, "kube-apiserver"}


def test_endpoints_are_written_by_kube_controller_manager(c: Cluster) -> None:
    assert _entries(c.get("endpoints", "web", NS)) == {(MANAGER, "")}


def test_events_the_controllers_record_are_managed_by_kube_controller_manager(
    c: Cluster,
) -> None:
    events = [
        e
        for e in c.list("events", NS)
        if e.get("source", {}).get("component")
        in ("deployment-controller", "replicaset-controller", "job-controller")
    ]
    assert events
    assert {m for e in events for m, _ in _entries(e)} == {MANAGER}
