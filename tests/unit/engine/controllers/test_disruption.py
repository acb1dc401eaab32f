"""The disruption controller, as ``pkg/controller/disruption/disruption_test.go``
(TestNoSelector, TestUnavailable, TestIntegerMaxUnavailable, TestNakedPod,
TestReplicaSet, TestDeploymentFinder, TestUpdateDisruptedPods, TestBasicFinderFunctions)
specifies it."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.api.timestamps import format_time
from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.disruption import DisruptionController

from .builders import Obj, cluster, make_deployment, make_node, make_pod, make_replicaset, run_ready

WEB = {"app": "web"}


def make_pdb(**spec: Any) -> Obj:
    body: dict[str, Any] = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "budget", "namespace": "default"},
        "spec": {"selector": {"matchLabels": dict(WEB)}},
    }
    body["spec"].update(spec)
    return Obj(body)


@pytest.fixture
def c() -> Cluster:
    cl = cluster(lambda cl: DisruptionController(cl.api))
    cl.create(make_node("n1").build())
    return cl


def ready_pods(
    c: Cluster, count: int, owner: dict[str, Any] | None = None, *, ready: bool = True
) -> None:
    for i in range(count):
        pod = make_pod(f"web-{i}", **WEB)
        if owner is not None:
            pod.owned_by(owner, controller=True)
        run_ready(c, c.create(pod.build()), ip=f"10.0.0.{i + 1}", ready=ready)
    c.run_until_idle()


def status(c: Cluster) -> dict[str, Any]:
    found: dict[str, Any] = c.get("poddisruptionbudgets", "budget")["status"]
    return found


def counts(c: Cluster) -> tuple[int, int, int, int]:
    s = status(c)
    return (s["expectedPods"], s["currentHealthy"], s["desiredHealthy"], s["disruptionsAllowed"])


def condition(c: Cluster) -> tuple[str, str, str]:
    (cond,) = status(c)["conditions"]
    return (cond["type"], cond["status"], cond["reason"])


def test_a_budget_without_a_selector_selects_nothing(c: Cluster) -> None:
    # TestNoSelector (policy/v1: a nil selector matches no pods)
    c.create(make_pdb(minAvailable=3).set("spec.selector", None).build())
    ready_pods(c, 3)
    assert counts(c) == (0, 0, 3, 0)
    events = [e["message"] for e in c.list("events", "default") if e["reason"] == "NoPods"]
    assert events == ["No matching pods found"]


@pytest.mark.parametrize(
    ("ready", "expected"),
    [
        pytest.param(
            3, (3, 3, 3, 0), id="as many healthy pods as minAvailable allows no disruption"
        ),
        pytest.param(4, (4, 4, 3, 1), id="one healthy pod above minAvailable allows one"),
    ],
)
def test_an_integer_min_available_counts_the_selected_pods(
    c: Cluster, ready: int, expected: tuple[int, int, int, int]
) -> None:
    # TestUnavailable / TestIntegerMinAvailable
    c.create(make_pdb(minAvailable=3).build())
    ready_pods(c, ready)
    assert counts(c) == expected


def test_the_disruption_allowed_condition_follows_the_count(c: Cluster) -> None:
    c.create(make_pdb(minAvailable=1).build())
    c.run_until_idle()
    assert condition(c) == ("DisruptionAllowed", "False", "InsufficientPods")
    ready_pods(c, 2)
    assert condition(c) == ("DisruptionAllowed", "True", "SufficientPods")
    cond = status(c)["conditions"][0]
    assert (cond["message"], cond["observedGeneration"]) == ("", 1)


def test_pods_that_are_not_ready_are_not_healthy(c: Cluster) -> None:
    c.create(make_pdb(minAvailable=1).build())
    ready_pods(c, 2, ready=False)
    assert counts(c) == (2, 0, 1, 0)


def test_a_percentage_takes_the_scale_of_the_replica_set(c: Cluster) -> None:
    # TestReplicaSet: minAvailable 20% of a ReplicaSet of 10 -> 2 desired
    rs = c.create(make_replicaset("web", 10, WEB).build())
    c.create(make_pdb(minAvailable="20%").build())
    ready_pods(c, 3, rs)
    assert counts(c) == (10, 3, 2, 1)


def test_max_unavailable_takes_the_scale_of_the_deployment_owning_the_replica_set(
    c: Cluster,
) -> None:
    # TestDeploymentFinder: maxUnavailable 30% of 10 rounds up to 3 -> 7 desired
    d = c.create(make_deployment("web", 10, WEB).build())
    rs = c.create(make_replicaset("web-abc", 10, WEB).owned_by(d, controller=True).build())
    c.create(make_pdb(maxUnavailable="30%").build())
    ready_pods(c, 8, rs)
    assert counts(c) == (10, 8, 7, 1)


def test_an_unmanaged_pod_with_a_percentage_is_reported(c: Cluster) -> None:
    # TestNakedPod / TestStatusForUnmanagedPod
    c.create(make_pdb(maxUnavailable=1).build())
    ready_pods(c, 1)
    (event,) = [e for e in c.list("events", "default") if e["reason"] == "UnmanagedPods"]
    assert event["type"] == "Warning"
    assert event["message"] == (
        "Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:"
        "map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were "
        "found to be unmanaged. As a result, the status of the PDB cannot be calculated "
        "correctly, which may result in undefined behavior. To account for these pods please "
        'set ".spec.minAvailable" field of the PDB to an integer value.'
    )


def test_a_recently_evicted_pod_is_not_healthy_until_its_entry_expires(c: Cluster) -> None:
    # TestUpdateDisruptedPods: entries older than DeletionTimeout (2 minutes) are dropped
    c.create(make_pdb(minAvailable=1).build())
    ready_pods(c, 2)
    pdb = c.get("poddisruptionbudgets", "budget")
    pdb["status"]["disruptedPods"] = {"web-0": format_time(c.clock.now())}
    c.update_status(pdb)
    c.run_until_idle()
    assert counts(c) == (2, 1, 1, 0)
    c.advance(120)
    assert counts(c) == (2, 1, 1, 0)
    c.advance(1)
    assert counts(c) == (2, 2, 1, 1)
    assert "disruptedPods" not in status(c)
    (event,) = [e for e in c.list("events", "default") if e["reason"] == "NotDeleted"]
    assert (event["involvedObject"]["name"], event["message"]) == (
        "web-0",
        "Pod was expected by PDB default/default to be deleted but it wasn't",
    )


def test_status_records_the_observed_generation(c: Cluster) -> None:
    c.create(make_pdb(minAvailable=1).build())
    c.run_until_idle()
    pdb = c.get("poddisruptionbudgets", "budget")
    pdb["spec"]["minAvailable"] = 0
    c.update(pdb)
    c.run_until_idle()
    assert status(c)["observedGeneration"] == 2


def test_a_pod_whose_controller_cannot_be_found_fails_safe(c: Cluster) -> None:
    # getExpectedScale "found no controllers for pod" -> failSafe: SyncFailed, no disruption
    ghost = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "gone", "uid": "u"},
    }
    c.create(make_pdb(maxUnavailable="50%").build())
    ready_pods(c, 2, ghost)
    cond = status(c)["conditions"][0]
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "False",
        "SyncFailed",
        'found no controllers for pod "web-0"',
    )
    assert status(c)["disruptionsAllowed"] == 0
    (event,) = [
        e for e in c.list("events", "default") if e["reason"] == "CalculateExpectedPodCountFailed"
    ]
    assert event["message"] == (
        'Failed to calculate the number of expected pods: found no controllers for pod "web-0"'
    )


def test_a_repeated_event_is_counted_up_rather_than_written_again(c: Cluster) -> None:
    # client-go EventCorrelator: the same (object, type, reason, message) aggregates
    c.create(make_pdb(minAvailable=1).build())
    c.run_until_idle()
    for value in (2, 3):
        pdb = c.get("poddisruptionbudgets", "budget")
        pdb["spec"]["minAvailable"] = value
        c.update(pdb)
        c.run_until_idle()
    # one Event, counted once per sync (a spec change and the status write it causes)
    (event,) = [e for e in c.list("events", "default") if e["reason"] == "NoPods"]
    assert event["count"] == 6
    assert event["source"] == {"component": "controllermanager"}
