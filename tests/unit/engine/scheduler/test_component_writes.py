"""What the embedded scheduler writes about a pod it cannot place, and what binding leaves.

``schedule_one.go`` handleSchedulingFailure: the FailedScheduling Event and a PodScheduled
condition False, reason Unschedulable, with the pod's generation as observedGeneration,
written as ``kube-scheduler``; with no node at all the message is ErrNoNodesAvailable's and
the pod is retried once a node registers. ``BindingREST`` then replaces the condition with
one of type, status and times only. ``tests/e2e/test_scheduler_writes.py`` compares the same
with the real scheduler.
"""

from __future__ import annotations

from typing import Any

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster


def _pod(selector: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "waits", "namespace": "default"},
        "spec": {
            **({"nodeSelector": selector} if selector else {}),
            "containers": [{"name": "m", "image": "x"}],
        },
    }


def _condition(c: Cluster) -> dict[str, Any]:
    pod = c.get("pods", "waits", "default")
    (condition,) = [x for x in pod["status"]["conditions"] if x["type"] == "PodScheduled"]
    return dict(condition)


def test_with_no_node_at_all_the_pod_is_unschedulable_and_placed_once_a_node_registers() -> None:
    c = Cluster(clock=FakeClock(), seed=0)
    c.create(_pod())
    c.advance(1)
    refused = _condition(c)
    assert (refused["status"], refused["reason"], refused["message"]) == (
        "False",
        "Unschedulable",
        "no nodes available to schedule pods",
    )
    events = [e for e in c.list("events", "default") if e["reason"] == "FailedScheduling"]
    assert [e["message"] for e in events] == ["no nodes available to schedule pods"]
    c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    c.advance(10)
    assert c.get("pods", "waits", "default")["spec"].get("nodeName") == "n1"


def test_the_unschedulable_condition_carries_the_generation_and_kube_schedulers_name() -> None:
    c = Cluster(clock=FakeClock(), seed=0)
    c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    c.run_until_idle()
    c.create(_pod({"pool": "gpu"}))
    c.advance(1)
    refused = _condition(c)
    assert (refused["observedGeneration"], refused["reason"], refused["lastProbeTime"]) == (
        1,
        "Unschedulable",
        None,
    )
    pod = c.get("pods", "waits", "default")
    managers = {(m.get("manager"), m.get("subresource")) for m in pod["metadata"]["managedFields"]}
    assert ("kube-scheduler", "status") in managers
    (event,) = [e for e in c.list("events", "default") if e["reason"] == "FailedScheduling"]
    assert {m["manager"] for m in event["metadata"]["managedFields"]} == {"kube-scheduler"}


def test_binding_replaces_an_unschedulable_condition_with_type_status_and_times() -> None:
    c = Cluster(clock=FakeClock(), seed=0)
    c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    c.run_until_idle()
    c.create(_pod({"pool": "gpu"}))
    c.advance(1)
    c.create(
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2", "labels": {"pool": "gpu"}}}
    )
    c.advance(10)
    assert c.get("pods", "waits", "default")["spec"].get("nodeName") == "n2"
    bound = _condition(c)
    assert bound == {
        "type": "PodScheduled",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": bound["lastTransitionTime"],
    }
