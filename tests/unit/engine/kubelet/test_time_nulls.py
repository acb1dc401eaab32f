"""The simulated kubelet's writes are stored as kube-apiserver stores a real kubelet's:
every pod and node condition has its unset times as ``null`` (``lastProbeTime: null``;
``metav1.Time`` is a struct that ``omitempty`` keeps), and managedFields name them
(``f:lastProbeTime``), as kube-apiserver v1.37.2 answers (``tests/e2e/test_time_nulls.py``);
a node condition someone else writes without a heartbeat is stored with it ``null`` too.
"""

from __future__ import annotations

import pytest

from mlkube.engine.cluster import Cluster

from .builders import NS, bind, cluster, make_node, make_pod


@pytest.fixture
def c() -> Cluster:
    c = cluster()
    c.create(make_node("n1").build())
    c.create(make_pod().build())
    bind(c, "p")
    c.run_until_idle()
    return c


def test_every_condition_of_a_running_pod_has_last_probe_time_null(c: Cluster) -> None:
    conditions = c.get("pods", "p", NS)["status"]["conditions"]
    assert conditions
    assert [("lastProbeTime", cond["lastProbeTime"]) for cond in conditions] == [
        ("lastProbeTime", None)
    ] * len(conditions)


def test_the_kubelets_managed_fields_own_each_conditions_last_probe_time(c: Cluster) -> None:
    pod = c.get("pods", "p", NS)
    (entry,) = [m for m in pod["metadata"]["managedFields"] if m["manager"] == "kubelet"]
    conditions = entry["fieldsV1"]["f:status"]["f:conditions"]
    items = [v for k, v in conditions.items() if k.startswith("k:")]
    assert items
    assert all("f:lastProbeTime" in item for item in items)


def test_a_running_containers_state_keeps_its_start_time(c: Cluster) -> None:
    (status,) = c.get("pods", "p", NS)["status"]["containerStatuses"]
    assert status["state"]["running"]["startedAt"] is not None
    assert status["lastState"] == {}


def test_a_node_condition_written_without_a_heartbeat_has_it_null() -> None:
    c = cluster()
    node = make_node("n2").build()
    node["metadata"].setdefault("annotations", {})["sim.mlkube.io/kubelet"] = "external"
    node["status"] = {"conditions": [{"type": "Foo", "status": "True"}]}
    created = c.create(node)
    assert created["status"]["conditions"] == [
        {"type": "Foo", "status": "True", "lastHeartbeatTime": None, "lastTransitionTime": None}
    ]
