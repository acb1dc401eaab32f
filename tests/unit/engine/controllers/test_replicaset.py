"""The ReplicaSet controller, as ``pkg/controller/replicaset/replica_set_test.go`` and
``pkg/controller/controller_utils_test.go`` (TestSortingActivePodsWithRanks) specify it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mlkube.api.timestamps import format_time
from mlkube.engine.clock import EPOCH
from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.replicaset import ReplicaSetController, pods_to_delete

from .builders import Obj, cluster, make_node, make_pod, make_replicaset, names, run_ready

WEB = {"app": "web"}


@pytest.fixture
def c() -> Cluster:
    cl = cluster(lambda cl: ReplicaSetController(cl.api))
    cl.create(make_node("n1").build())
    return cl


def rs_status(c: Cluster, name: str = "web") -> dict[str, Any]:
    status: dict[str, Any] = c.get("replicasets", name)["status"]
    return status


def events(c: Cluster, reason: str) -> list[str]:
    return sorted(e["message"] for e in c.list("events", "default") if e["reason"] == reason)


# -- manageReplicas ----------------------------------------------------------------------


def test_missing_replicas_are_created_from_the_template_with_a_controller_reference(
    c: Cluster,
) -> None:
    # TestSyncReplicaSetCreates
    rs = c.create(make_replicaset("web", 2, WEB).build())
    c.run_until_idle()
    pods = c.list("pods", "default")
    assert len(pods) == 2
    for pod in pods:
        assert pod["metadata"]["generateName"] == "web-"
        assert pod["metadata"]["labels"] == WEB
        assert pod["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web",
                "uid": rs["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    assert events(c, "SuccessfulCreate") == [f"Created pod: {n}" for n in names(pods)]


def test_surplus_replicas_are_deleted_with_an_event(c: Cluster) -> None:
    # TestSyncReplicaSetDeletes
    c.create(make_replicaset("web", 3, WEB).build())
    c.run_until_idle()
    for i, pod in enumerate(c.list("pods", "default")):
        run_ready(c, pod, ip=f"10.0.0.{i + 1}")  # bound pods terminate gracefully
    rs = c.get("replicasets", "web")
    rs["spec"]["replicas"] = 1
    c.update(rs)
    c.run_until_idle()
    deleting = [p for p in c.list("pods", "default") if p["metadata"].get("deletionTimestamp")]
    assert len(deleting) == 2
    assert events(c, "SuccessfulDelete") == [f"Deleted pod: {n}" for n in names(deleting)]
    assert rs_status(c)["replicas"] == 1
    assert rs_status(c)["terminatingReplicas"] == 2


def test_a_matching_orphan_is_adopted_instead_of_creating_a_pod(c: Cluster) -> None:
    # TestPodControllerLookup / ClaimPods adoption
    c.create(make_pod("stray", **WEB).build())
    rs = c.create(make_replicaset("web", 1, WEB).build())
    c.run_until_idle()
    pods = c.list("pods", "default")
    assert names(pods) == ["stray"]
    assert pods[0]["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]


def test_an_owned_pod_whose_labels_no_longer_match_is_released_and_replaced(
    c: Cluster,
) -> None:
    # TestReleasing / ClaimPods release
    c.create(make_replicaset("web", 1, WEB).build())
    c.run_until_idle()
    pod = c.get("pods", c.list("pods", "default")[0]["metadata"]["name"])
    pod["metadata"]["labels"] = {"app": "debug"}
    c.update(pod)
    c.run_until_idle()
    released = c.get("pods", pod["metadata"]["name"])
    assert "ownerReferences" not in released["metadata"]
    assert len(c.list("pods", "default", label_selector="app=web")) == 1


def test_a_pod_owned_by_another_controller_is_left_alone(c: Cluster) -> None:
    other = c.create(make_replicaset("other", 1, {"team": "x"}).build())
    c.create(make_pod("taken", team="x", **WEB).owned_by(other, controller=True).build())
    c.create(make_replicaset("web", 1, WEB).build())
    c.run_until_idle()
    assert c.get("pods", "taken")["metadata"]["ownerReferences"][0]["name"] == "other"
    assert len(c.list("pods", "default", label_selector="app=web")) == 2


def test_a_replicaset_being_deleted_creates_no_pods(c: Cluster) -> None:
    c.create(make_replicaset("web", 2, WEB).finalizers("example.com/hold").build())
    c.delete("replicasets", "web")
    c.run_until_idle()
    assert c.list("pods", "default") == []


def test_a_quota_rejection_is_a_failed_create_event_and_a_replica_failure_condition(
    c: Cluster,
) -> None:
    # manageReplicas error -> calculateStatus ReplicaFailure (reason FailedCreate)
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "pods", "namespace": "default"},
            "spec": {"hard": {"pods": "1"}},
        }
    )
    c.run_until_idle()
    c.create(make_replicaset("web", 3, WEB).build())
    c.run_until_idle()
    assert len(c.list("pods", "default")) == 1
    # slowStartBatch: the batch of one succeeds, both pods of the batch of two fail; every
    # later sync (each event about the ReplicaSet or its pod) tries again and fails again
    failed = events(c, "FailedCreate")
    assert len(failed) >= 2
    for message in failed:
        assert message.startswith('Error creating: pods "web-')
        assert message.endswith(
            "is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1"
        )
    (cond,) = rs_status(c)["conditions"]
    assert (cond["type"], cond["status"], cond["reason"]) == (
        "ReplicaFailure",
        "True",
        "FailedCreate",
    )


def test_a_failed_create_is_retried_with_backoff_and_succeeds_once_quota_frees_up(
    c: Cluster,
) -> None:
    # syncReplicaSet returns the error: the key is requeued rate-limited (5 ms doubling)
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "pods", "namespace": "default"},
            "spec": {"hard": {"pods": "1"}},
        }
    )
    c.run_until_idle()
    c.create(make_replicaset("web", 2, WEB).build())
    c.run_until_idle()
    quota = c.get("resourcequotas", "pods")
    quota["spec"]["hard"]["pods"] = "2"
    c.update(quota)
    c.advance(1)
    assert len(c.list("pods", "default")) == 2
    assert "conditions" not in rs_status(c)


# -- status --------------------------------------------------------------------------------


def test_status_counts_ready_and_fully_labeled_replicas(c: Cluster) -> None:
    rs = make_replicaset("web", 2, WEB).build()
    rs["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    c.create(rs)
    c.run_until_idle()
    first, second = (c.get("pods", n) for n in names(c.list("pods", "default")))
    run_ready(c, first)
    second["metadata"]["labels"].pop("tier")
    c.update(second)
    c.run_until_idle()
    assert rs_status(c) == {
        "replicas": 2,
        "fullyLabeledReplicas": 1,
        "readyReplicas": 1,
        "availableReplicas": 1,
        "terminatingReplicas": 0,
        "observedGeneration": 1,
    }


def test_a_ready_pod_becomes_available_after_min_ready_seconds(c: Cluster) -> None:
    # TestReplicaSetAvailableReplicas: the controller resyncs after minReadySeconds
    c.create(make_replicaset("web", 1, WEB).set("spec.minReadySeconds", 10).build())
    c.run_until_idle()
    run_ready(c, c.list("pods", "default")[0])
    c.run_until_idle()
    # availableReplicas is omitempty: absent while zero
    assert rs_status(c)["readyReplicas"] == 1
    assert "availableReplicas" not in rs_status(c)
    c.advance(9)
    assert "availableReplicas" not in rs_status(c)
    c.advance(1)
    assert rs_status(c)["availableReplicas"] == 1


# -- getPodsToDelete (ActivePodsWithRanks) ---------------------------------------------------

NOW = EPOCH + timedelta(hours=1)


def ranked_pod(name: str, **kw: Any) -> dict[str, Any]:
    """A pod as the ranking sees it: node, phase, readiness since, cost, restarts, age."""
    pod = Obj(make_pod(name).build())
    pod.set("metadata.uid", kw.get("uid", name))
    pod.set("metadata.creationTimestamp", format_time(kw.get("created", EPOCH)))
    if "node" in kw:
        pod.set("spec.nodeName", kw["node"])
    status: dict[str, Any] = {"phase": kw.get("phase", "Running")}
    if "ready_since" in kw:
        status["conditions"] = [
            {
                "type": "Ready",
                "status": "True",
                "lastTransitionTime": format_time(kw["ready_since"]),
            }
        ]
    if "restarts" in kw:
        status["containerStatuses"] = [{"name": "main", "restartCount": kw["restarts"]}]
    pod.set("status", status)
    if "cost" in kw:
        pod.set("metadata.annotations", {"controller.kubernetes.io/pod-deletion-cost": kw["cost"]})
    return pod.build()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            ranked_pod("a"),
            ranked_pod("b", node="n1"),
            id="an unassigned pod goes before an assigned one",
        ),
        pytest.param(
            ranked_pod("a", node="n1", phase="Pending"),
            ranked_pod("b", node="n1", phase="Running"),
            id="a pending pod goes before a running one",
        ),
        pytest.param(
            ranked_pod("a", node="n1", phase="Unknown"),
            ranked_pod("b", node="n1", phase="Running"),
            id="an unknown pod goes before a running one",
        ),
        pytest.param(
            ranked_pod("a", node="n1"),
            ranked_pod("b", node="n1", ready_since=EPOCH),
            id="a pod that is not ready goes before a ready one",
        ),
        pytest.param(
            ranked_pod("a", node="n1", cost="-5"),
            ranked_pod("b", node="n1", cost="10"),
            id="a lower pod-deletion-cost goes first",
        ),
        pytest.param(
            ranked_pod("a", node="n1", ready_since=NOW - timedelta(seconds=10)),
            ranked_pod("b", node="n1", ready_since=NOW - timedelta(minutes=30)),
            id="a pod ready for less time goes first",
        ),
        pytest.param(
            ranked_pod("a", node="n1", restarts=3),
            ranked_pod("b", node="n1", restarts=1),
            id="a pod with more restarts goes first",
        ),
        pytest.param(
            ranked_pod("a", node="n1", created=NOW - timedelta(seconds=5)),
            ranked_pod("b", node="n1", created=NOW - timedelta(minutes=50)),
            id="a newer pod goes before an older one",
        ),
        pytest.param(
            ranked_pod("a", uid="1", node="n1", created=NOW - timedelta(seconds=40)),
            ranked_pod("b", uid="2", node="n1", created=NOW - timedelta(seconds=50)),
            id="creation times in the same log2 bucket fall back to the uid",
        ),
    ],
)
def test_the_first_pod_is_deleted_first(first: dict[str, Any], second: dict[str, Any]) -> None:
    # controller_utils_test.go TestSortingActivePodsWithRanks (LogarithmicScaleDown on)
    for order in ([first, second], [second, first]):
        assert pods_to_delete(order, order, 1, NOW) == [first]


def test_a_pod_doubled_up_on_a_node_goes_before_one_alone() -> None:
    # getPodsRankedByRelatedPodsOnSameNode: rank = active related pods on the same node
    alone = ranked_pod("alone", node="n1")
    crowded = ranked_pod("crowded", node="n2")
    neighbour = ranked_pod("neighbour", node="n2")
    related = [alone, crowded, neighbour]
    assert pods_to_delete([alone, crowded], related, 1, NOW) == [crowded]


def test_deleting_every_pod_needs_no_ranking() -> None:
    pods = [ranked_pod("a", node="n1"), ranked_pod("b")]
    assert pods_to_delete(pods, pods, 2, NOW) == pods
