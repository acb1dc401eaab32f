"""NoExecute taint eviction with exact virtual timings.

Cases from ``pkg/controller/tainteviction/taint_eviction_test.go`` (TestCreatePod,
TestUpdatePod, TestCreateNode, TestUpdateNode, TestUpdateNodeWithMultipleTaints) and the
taint-based eviction docs. Pods are bound by hand (``cluster.api.bind``); no kubelet runs,
so an evicted pod stays Terminating and the controller's own writes are what we see.
"""

from __future__ import annotations

import pytest

from mlkube.engine.cluster import Cluster
from tests.unit.engine.kubelet.builders import (
    NS,
    Pod,
    bind,
    cluster,
    condition,
    events,
    eviction,
    make_node,
    make_pod,
)

MARK = ("Normal", "TaintManagerEviction", "Marking for deletion Pod default/p")
CANCEL = ("Normal", "TaintManagerEviction", "Cancelling deletion of Pod default/p")


def deleting(c: Cluster, name: str = "p") -> bool:
    return bool(c.get("pods", name, NS)["metadata"].get("deletionTimestamp"))


def set_taints(c: Cluster, node: str, *keys: str) -> None:
    body = {"spec": {"taints": [{"key": k, "effect": "NoExecute"} for k in keys] or None}}
    c.patch("nodes", node, body, "application/merge-patch+json")


@pytest.fixture
def c() -> Cluster:
    c = cluster(eviction, kubelet=False)
    c.create(make_node("n1").build())
    c.run_until_idle()
    return c


def place(c: Cluster, pod: Pod) -> None:
    c.create(pod.build())
    bind(c, pod.body["metadata"]["name"])
    c.run_until_idle()


@pytest.mark.parametrize(
    ("pod", "evicted_now"),
    [
        pytest.param(make_pod(), True, id="a pod on a tainted node is evicted at once"),
        pytest.param(
            make_pod().tolerates("dedicated"), False, id="a toleration without seconds keeps it"
        ),
        pytest.param(
            make_pod().tolerates("other", 3600),
            True,
            id="a toleration for another taint does not help",
        ),
        pytest.param(
            make_pod().tolerates("dedicated", 100), False, id="a finite toleration delays it"
        ),
        pytest.param(make_pod().tolerates("dedicated", 0), True, id="zero seconds means evict now"),
    ],
)
def test_a_pod_bound_to_a_tainted_node(c: Cluster, pod: Pod, evicted_now: bool) -> None:
    # TestCreatePod
    set_taints(c, "n1", "dedicated")
    place(c, pod)
    assert deleting(c) is evicted_now
    assert (MARK in events(c)) is evicted_now


def test_eviction_adds_the_disruption_target_condition(c: Cluster) -> None:
    set_taints(c, "n1", "dedicated")
    place(c, make_pod())
    cond = condition(c.get("pods", "p", NS), "DisruptionTarget")
    assert cond is not None
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "True",
        "DeletionByTaintManager",
        "Taint manager: deleting due to NoExecute taint",
    )


def test_a_finite_toleration_evicts_after_its_seconds(c: Cluster) -> None:
    place(c, make_pod().tolerates("dedicated", 100))
    c.advance(10)
    set_taints(c, "n1", "dedicated")  # the clock starts when the taint is seen: t = 10 s
    c.advance(99.5)
    assert not deleting(c)
    c.advance(0.5)
    assert deleting(c)


def test_the_shortest_used_toleration_wins(c: Cluster) -> None:
    # TestUpdateNode "Pod with multiple tolerations are evicted when first one runs out".
    place(c, make_pod().tolerates("a", 1).tolerates("b", 100))
    set_taints(c, "n1", "a", "b")
    c.advance(0.5)
    assert not deleting(c)
    c.advance(0.5)
    assert deleting(c)


def test_removing_the_taint_cancels_the_eviction(c: Cluster) -> None:
    # TestUpdateNode "Taint removed".
    place(c, make_pod().tolerates("dedicated", 100))
    set_taints(c, "n1", "dedicated")
    c.advance(50)
    set_taints(c, "n1")
    c.advance(100)
    assert not deleting(c)
    assert CANCEL in events(c)
    assert MARK not in events(c)


def test_an_added_untolerated_taint_evicts_at_once(c: Cluster) -> None:
    # TestUpdateNodeWithMultipleTaints.
    place(c, make_pod().tolerates("a"))
    set_taints(c, "n1", "a")
    assert not deleting(c)
    set_taints(c, "n1", "a", "b")
    c.run_until_idle()
    assert deleting(c)


def test_lengthening_a_toleration_keeps_the_eviction_already_scheduled(c: Cluster) -> None:
    # TestUpdatePod "lengthening toleration shouldn't work".
    place(c, make_pod().tolerates("dedicated", 10))
    set_taints(c, "n1", "dedicated")
    pod = c.get("pods", "p", NS)
    pod["spec"]["tolerations"] = [
        t if t.get("key") != "dedicated" else {**t, "tolerationSeconds": 100}
        for t in pod["spec"]["tolerations"]
    ]
    c.advance(1)
    c.update(pod)
    c.advance(9)
    assert deleting(c)


def test_a_pod_whose_node_has_no_no_execute_taint_stays(c: Cluster) -> None:
    c.patch(
        "nodes",
        "n1",
        {"spec": {"taints": [{"key": "dedicated", "effect": "NoSchedule"}]}},
        "application/merge-patch+json",
    )
    place(c, make_pod())
    c.advance(600)
    assert not deleting(c)


def test_default_tolerations_give_a_pod_five_minutes_on_an_unreachable_node(c: Cluster) -> None:
    # DefaultTolerationSeconds admission adds not-ready/unreachable for 300 s.
    place(c, make_pod())
    set_taints(c, "n1", "node.kubernetes.io/unreachable")
    c.advance(299)
    assert not deleting(c)
    c.advance(1)
    assert deleting(c)
