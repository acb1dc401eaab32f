"""The node lifecycle controller, with the simulated kubelets and exact virtual timings.

Cases from ``pkg/controller/nodelifecycle/node_lifecycle_controller_test.go``
(TestMonitorNodeHealthUpdateStatus: never posted -> NodeStatusNeverUpdated after the
startup grace period, stale -> NodeStatusUnknown after the monitor grace period;
TestMonitorNodeHealthUpdateNodeAndPodStatusWithLease: a renewed Lease keeps the node
healthy; TestApplyNoExecuteTaints / TestSwapUnreachableNotReadyTaints; TestTaintsNodeByCondition;
TestMonitorNodeHealthMarkPodsNotReady) with the v1.32+ default grace period of 50 s.
Passes run every 5 s from the controller's start.
"""

from __future__ import annotations

import pytest

from mlkube.engine.cluster import Cluster
from tests.unit.engine.kubelet.builders import (
    NS,
    cluster,
    condition,
    events,
    lifecycle,
    make_node,
    make_pod,
    taints,
    timeline,
)

UNREACHABLE_NS = ("node.kubernetes.io/unreachable", "NoSchedule")
UNREACHABLE_NE = ("node.kubernetes.io/unreachable", "NoExecute")
NOT_READY_NS = ("node.kubernetes.io/not-ready", "NoSchedule")
NOT_READY_NE = ("node.kubernetes.io/not-ready", "NoExecute")


def merge(c: Cluster, name: str, body: dict) -> None:
    c.patch("nodes", name, body, "application/merge-patch+json")


def stop(c: Cluster, name: str = "n1") -> None:
    merge(c, name, {"metadata": {"annotations": {"sim.mlkube.io/stopped": "true"}}})


def start(c: Cluster, name: str = "n1") -> None:
    merge(c, name, {"metadata": {"annotations": {"sim.mlkube.io/stopped": None}}})


def health(c: Cluster, name: str = "n1") -> tuple[str, tuple[tuple[str, str], ...]]:
    node = c.get("nodes", name)
    ready = condition(node, "Ready")
    return (ready["status"] if ready else "-", tuple(taints(node)))


@pytest.fixture
def two_nodes() -> Cluster:
    # Two nodes: with one healthy, the zone is not fully disrupted and tainting stays on.
    c = cluster(lifecycle)
    c.create(make_node("n1").build())
    c.create(make_node("n2").build())
    c.run_until_idle()
    return c


def test_the_not_ready_taint_added_at_creation_goes_once_the_node_is_ready(
    two_nodes: Cluster,
) -> None:
    assert taints(two_nodes.get("nodes", "n1")) == []


def test_a_node_whose_kubelet_stops_becomes_unknown_then_tainted(two_nodes: Cluster) -> None:
    c = two_nodes
    stop(c)  # last lease renewal at 0 s
    assert timeline(c, lambda: health(c), 70) == [
        (0.0, ("True", ())),
        (55.0, ("Unknown", (UNREACHABLE_NS,))),  # first pass after 0 + 50 s
        (60.0, ("Unknown", (UNREACHABLE_NS, UNREACHABLE_NE))),  # the next pass taints
    ]
    node = c.get("nodes", "n1")
    for kind in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
        cond = condition(node, kind)
        assert cond is not None
        assert (cond["status"], cond["reason"], cond["message"]) == (
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        )
        assert cond["lastTransitionTime"] == "2026-01-01T00:00:55Z"
    assert all("timeAdded" in t for t in node["spec"]["taints"])
    assert ("Normal", "NodeNotReady", "Node n1 status is now: NodeNotReady") in events(c)


def test_a_renewed_lease_keeps_a_node_healthy(two_nodes: Cluster) -> None:
    c = two_nodes
    c.advance(600)
    assert health(c) == ("True", ())


def test_a_node_that_comes_back_is_untainted(two_nodes: Cluster) -> None:
    c = two_nodes
    stop(c)
    c.advance(70)
    start(c)
    c.run_until_idle()
    assert health(c)[0] == "True"
    c.advance(5)  # the next pass sees Ready and removes the NoExecute taint
    assert health(c) == ("True", ())


def test_a_node_that_never_posted_status_is_unknown_after_the_startup_grace_period() -> None:
    c = cluster(lifecycle)
    c.create(make_node("n2").build())
    c.create(make_node("n1").stopped().build())
    c.run_until_idle()
    assert condition(c.get("nodes", "n1"), "Ready") is None
    c.advance(60)
    assert condition(c.get("nodes", "n1"), "Ready") is None
    c.advance(5)
    node = c.get("nodes", "n1")
    ready = condition(node, "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "Unknown",
        "NodeStatusNeverUpdated",
        "Kubelet never posted node status.",
    )
    assert ready["lastHeartbeatTime"] == node["metadata"]["creationTimestamp"]


def test_a_node_reporting_not_ready_gets_the_not_ready_taints(two_nodes: Cluster) -> None:
    c = two_nodes
    stop(c)  # the test plays the kubelet now
    node = c.get("nodes", "n1")
    for cond in node["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond.update(status="False", reason="KubeletNotReady", message="runtime down")
    c.update_status(node)
    c.run_until_idle()
    assert health(c) == ("False", (NOT_READY_NS,))
    c.advance(5)
    assert health(c) == ("False", (NOT_READY_NS, NOT_READY_NE))


def test_the_not_ready_taint_is_swapped_for_unreachable_when_the_node_goes_silent(
    two_nodes: Cluster,
) -> None:
    c = two_nodes
    stop(c)
    node = c.get("nodes", "n1")
    for cond in node["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond.update(status="False", reason="KubeletNotReady", message="runtime down")
    c.update_status(node)
    c.advance(5)
    assert sorted(taints(c.get("nodes", "n1"))) == [NOT_READY_NE, NOT_READY_NS]
    c.advance(55)  # Unknown at 55 s: both not-ready taints become unreachable ones
    assert sorted(taints(c.get("nodes", "n1"))) == [UNREACHABLE_NE, UNREACHABLE_NS]


def test_pods_on_a_node_that_goes_silent_are_marked_not_ready(two_nodes: Cluster) -> None:
    c = two_nodes
    c.create(make_pod().on("n1").build())
    c.run_until_idle()
    stop(c)
    c.advance(55)
    pod = c.get("pods", "p", NS)
    ready = condition(pod, "Ready")
    assert ready is not None
    assert (ready["status"], ready["lastTransitionTime"]) == ("False", "2026-01-01T00:00:55Z")
    assert ("Warning", "NodeNotReady", "Node is not ready") in events(c)


def test_a_cordoned_node_is_tainted_unschedulable(two_nodes: Cluster) -> None:
    c = two_nodes
    merge(c, "n1", {"spec": {"unschedulable": True}})
    c.run_until_idle()
    assert taints(c.get("nodes", "n1")) == [("node.kubernetes.io/unschedulable", "NoSchedule")]
    merge(c, "n1", {"spec": {"unschedulable": None}})
    c.run_until_idle()
    assert taints(c.get("nodes", "n1")) == []


def test_when_every_node_is_down_nothing_is_tainted_no_execute() -> None:
    # handleDisruption: all zones fully disrupted -> master disruption mode, no evictions.
    c = cluster(lifecycle)
    c.create(make_node("n1").build())
    c.run_until_idle()
    stop(c)
    c.advance(120)
    assert health(c) == ("Unknown", (UNREACHABLE_NS,))


def test_the_controller_registers_each_node_with_an_event(two_nodes: Cluster) -> None:
    assert (
        "Normal",
        "RegisteredNode",
        "Node n1 event: Registered Node n1 in Controller",
    ) in events(two_nodes)


def test_a_pod_bound_later_to_a_silent_node_is_marked_not_ready(two_nodes: Cluster) -> None:
    # processPod: the pod's node is not Ready, so its Ready condition goes False. The test
    # plays that pod's kubelet (it reports Ready) as the node's own kubelet is silent.
    c = two_nodes
    stop(c)
    c.advance(60)
    c.create(make_pod().on("n1").build())
    pod = c.get("pods", "p", NS)
    now = "2026-01-01T00:01:00Z"
    pod["status"]["conditions"] = [{"type": "Ready", "status": "True", "lastTransitionTime": now}]
    c.update_status(pod)
    c.run_until_idle()
    ready = condition(c.get("pods", "p", NS), "Ready")
    assert ready is not None
    assert ready["status"] == "False"
