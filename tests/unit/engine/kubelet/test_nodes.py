"""A simulated kubelet keeps its node Ready and its Lease renewed.

Conditions as ``pkg/kubelet/nodestatus/setters.go`` writes them (``setters_test.go``:
KubeletHasSufficientMemory, KubeletHasNoDiskPressure, KubeletHasSufficientPID,
KubeletReady); the Lease as ``pkg/kubelet/nodelease`` and ``component-helpers/apimachinery/
lease/controller.go`` keep it (40 s duration, renewed every 10 s, owned by the Node).
"""

from __future__ import annotations

from mlkube.engine.cluster import Cluster

from .builders import cluster, condition, make_node, timeline


def lease_renewed(c: Cluster, node: str = "n1") -> str:
    return str(c.get("leases", node, "kube-node-lease")["spec"]["renewTime"])


def test_a_new_node_is_made_ready_with_the_kubelets_conditions() -> None:
    c = cluster()
    c.create(make_node("n1").build())
    c.run_until_idle()
    node = c.get("nodes", "n1")
    got = [
        (k["type"], k["status"], k["reason"], k["message"]) for k in node["status"]["conditions"]
    ]
    assert got == [
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    assert node["status"]["addresses"] == [
        {"type": "InternalIP", "address": "172.18.0.2"},
        {"type": "Hostname", "address": "n1"},
    ]
    assert node["status"]["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 10250}}
    info = node["status"]["nodeInfo"]
    assert (info["architecture"], info["operatingSystem"]) == ("amd64", "linux")


def test_capacity_defaults_to_kwoks_and_is_kept_when_given() -> None:
    c = cluster()
    c.create(make_node("default").build())
    c.create(
        make_node("gpu")
        .capacity(cpu="8", memory="64Gi", pods="110", **{"nvidia.com/gpu": "4"})
        .build()
    )
    c.run_until_idle()
    assert c.get("nodes", "default")["status"]["capacity"] == {
        "cpu": "1k",
        "memory": "1Ti",
        "pods": "1M",
    }
    gpu = c.get("nodes", "gpu")["status"]
    assert gpu["capacity"]["nvidia.com/gpu"] == "4"
    assert gpu["allocatable"] == gpu["capacity"]


def test_the_lease_is_created_owned_by_the_node_and_renewed_every_ten_seconds() -> None:
    c = cluster()
    c.create(make_node("n1").build())
    c.run_until_idle()
    lease = c.get("leases", "n1", "kube-node-lease")
    node = c.get("nodes", "n1")
    assert lease["spec"]["holderIdentity"] == "n1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": node["metadata"]["uid"]}
    ]
    assert timeline(c, lambda: lease_renewed(c), 25, step=1) == [
        (0.0, "2026-01-01T00:00:00.000000Z"),
        (10.0, "2026-01-01T00:00:10.000000Z"),
        (20.0, "2026-01-01T00:00:20.000000Z"),
    ]


def test_a_stopped_node_stops_heartbeating_and_resumes_when_started() -> None:
    c = cluster()
    c.create(make_node("n1").build())
    c.advance(5)
    c.patch(
        "nodes",
        "n1",
        {"metadata": {"annotations": {"sim.mlkube.io/stopped": "true"}}},
        "application/merge-patch+json",
    )
    c.advance(60)
    assert lease_renewed(c) == "2026-01-01T00:00:00.000000Z"
    c.patch(
        "nodes",
        "n1",
        {"metadata": {"annotations": {"sim.mlkube.io/stopped": None}}},
        "application/merge-patch+json",
    )
    c.run_until_idle()
    assert lease_renewed(c) == "2026-01-01T00:01:05.000000Z"


def test_a_node_whose_ready_condition_was_overwritten_is_made_ready_again() -> None:
    # The kubelet posts its status when it differs from what it would post
    # (kubelet_node_status.go tryUpdateNodeStatus), e.g. after the node controller's Unknown.
    c = cluster()
    c.create(make_node("n1").build())
    c.run_until_idle()
    node = c.get("nodes", "n1")
    for cond in node["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond.update(
                status="Unknown",
                reason="NodeStatusUnknown",
                message="Kubelet stopped posting node status.",
            )
    c.update_status(node)
    c.run_until_idle()
    ready = condition(c.get("nodes", "n1"), "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
