"""The eviction subresource, as ``pkg/registry/core/pod/storage/eviction_test.go``
(TestEviction, TestEvictionIgnorePDB, TestEvictionDryRun, TestEvictionPDBStatus,
TestAddConditionAndDelete) specifies it, with the disruption controller keeping the
budgets' status."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.disruption import DisruptionController
from mlkube.engine.errors import ApiError, BadRequest, Invalid, NotFound, TooManyRequests
from mlkube.engine.eviction import MSG_VIOLATES_BUDGET

from .controllers.builders import cluster, make_node, make_pod, run_ready

WEB = {"app": "web"}
NS = "default"


@pytest.fixture
def c() -> Cluster:
    cl = cluster(lambda cl: DisruptionController(cl.api))
    cl.create(make_node("n1").build())
    return cl


def budget(name: str = "budget", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"selector": {"matchLabels": dict(WEB)}, **spec},
    }
    return body


def running(c: Cluster, name: str, *, ready: bool = True, grace: int | None = None) -> None:
    pod = make_pod(name, **WEB)
    if grace is not None:
        pod.set("spec.terminationGracePeriodSeconds", grace)
    run_ready(c, c.create(pod.build()), ready=ready)
    c.run_until_idle()


def eviction(name: str, **delete_options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": name, "namespace": NS},
    }
    if delete_options:
        body["deleteOptions"] = delete_options
    return body


def evict(c: Cluster, name: str, *, dry_run: bool = False, **delete_options: Any) -> Any:
    out = c.api.evict(NS, name, eviction(name, **delete_options), dry_run=dry_run)
    c.run_until_idle()
    return out


def pdb_status(c: Cluster, name: str = "budget") -> dict[str, Any]:
    found: dict[str, Any] = c.get("poddisruptionbudgets", name, NS)["status"]
    return found


def exists(c: Cluster, name: str) -> bool:
    """The pod is there and not being deleted."""
    try:
        pod = c.get("pods", name, NS)
    except NotFound:
        return False
    return not pod["metadata"].get("deletionTimestamp")


def test_a_pod_without_a_budget_is_deleted(c: Cluster) -> None:
    running(c, "web-0")
    evict(c, "web-0")
    assert not exists(c, "web-0")


def test_the_pod_carries_the_disruption_target_condition_while_it_terminates(
    c: Cluster,
) -> None:
    running(c, "web-0", grace=30)
    outcome = evict(c, "web-0")
    assert outcome.deleted is False
    pod = c.get("pods", "web-0", NS)
    assert pod["metadata"]["deletionTimestamp"]
    (cond,) = [x for x in pod["status"]["conditions"] if x["type"] == "DisruptionTarget"]
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "True",
        "EvictionByEvictionAPI",
        "Eviction API: evicting",
    )


def test_a_budget_allowing_no_disruption_refuses_with_429_and_the_budget_cause(
    c: Cluster,
) -> None:
    c.create(budget(minAvailable=2))
    running(c, "web-0")
    running(c, "web-1")
    with pytest.raises(TooManyRequests) as refused:
        evict(c, "web-0")
    status = refused.value.to_status()
    assert (status["code"], status["reason"], status["message"]) == (
        429,
        "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.",
    )
    assert status["details"] == {
        "causes": [
            {
                "reason": "DisruptionBudget",
                "message": "The disruption budget budget needs 2 healthy pods and has 2 currently",
            }
        ]
    }
    assert exists(c, "web-0")


def test_a_granted_eviction_spends_the_budget_and_records_the_pod(c: Cluster) -> None:
    c.create(budget(minAvailable=1))
    running(c, "web-0", grace=30)
    running(c, "web-1", grace=30)
    assert pdb_status(c)["disruptionsAllowed"] == 1
    c.api.evict(NS, "web-0", eviction("web-0"))  # before the controller looks again
    status = pdb_status(c)
    assert status["disruptionsAllowed"] == 0
    assert set(status["disruptedPods"]) == {"web-0"}
    cond = next(x for x in status["conditions"] if x["type"] == "DisruptionAllowed")
    assert (cond["status"], cond["reason"]) == ("False", "InsufficientPods")


def test_the_second_eviction_under_a_budget_of_one_is_refused(c: Cluster) -> None:
    c.create(budget(minAvailable=2))
    for i in range(3):
        running(c, f"web-{i}", grace=30)
    evict(c, "web-0")
    with pytest.raises(TooManyRequests):
        evict(c, "web-1")
    assert exists(c, "web-1")


@pytest.mark.parametrize(
    "phase",
    [
        pytest.param("Succeeded", id="a succeeded pod is evicted whatever its budget says"),
        pytest.param("Failed", id="a failed pod is evicted whatever its budget says"),
    ],
)
def test_terminal_pods_are_always_evictable(c: Cluster, phase: str) -> None:
    c.create(budget(minAvailable=5))
    running(c, "web-0")
    pod = c.get("pods", "web-0", NS)
    pod["status"]["phase"] = phase
    c.update_status(pod)
    c.run_until_idle()
    evict(c, "web-0")
    assert not exists(c, "web-0")


def test_a_pending_pod_is_evicted_without_a_budget_check(c: Cluster) -> None:
    c.create(budget(minAvailable=5))
    c.create(make_pod("web-0", **WEB).build())
    c.run_until_idle()
    evict(c, "web-0")
    assert not exists(c, "web-0")


def test_an_unready_pod_goes_without_spending_a_healthy_budget(c: Cluster) -> None:
    c.create(budget(minAvailable=1))
    running(c, "web-0")
    running(c, "web-1")
    running(c, "sick", ready=False)
    allowed = pdb_status(c)["disruptionsAllowed"]
    c.api.evict(NS, "sick", eviction("sick"))
    assert not exists(c, "sick")
    assert pdb_status(c)["disruptionsAllowed"] == allowed
    assert "disruptedPods" not in pdb_status(c)


def test_an_unready_pod_under_an_unhealthy_budget_is_refused(c: Cluster) -> None:
    c.create(budget(minAvailable=2))
    running(c, "web-0")
    running(c, "sick", ready=False)
    with pytest.raises(TooManyRequests):
        evict(c, "sick")


def test_always_allow_lets_an_unready_pod_go_under_an_unhealthy_budget(c: Cluster) -> None:
    c.create(budget(minAvailable=2, unhealthyPodEvictionPolicy="AlwaysAllow"))
    running(c, "web-0")
    running(c, "sick", ready=False)
    evict(c, "sick")
    assert not exists(c, "sick")


def test_a_dry_run_leaves_the_pod_and_the_budget_as_they_were(c: Cluster) -> None:
    c.create(budget(minAvailable=1))
    running(c, "web-0")
    running(c, "web-1")
    before = pdb_status(c)
    evict(c, "web-0", dry_run=True)
    assert exists(c, "web-0")
    assert pdb_status(c) == before
    pod = c.get("pods", "web-0", NS)
    assert all(x["type"] != "DisruptionTarget" for x in pod["status"]["conditions"])


def test_a_dry_run_in_the_delete_options_is_a_dry_run(c: Cluster) -> None:
    running(c, "web-0")
    evict(c, "web-0", dryRun=["All"])
    assert exists(c, "web-0")


def test_two_budgets_over_one_pod_are_refused_with_500(c: Cluster) -> None:
    c.create(budget("one", maxUnavailable=1))
    c.create(budget("two", maxUnavailable=1))
    running(c, "web-0")
    with pytest.raises(ApiError) as refused:
        evict(c, "web-0")
    assert (refused.value.code, refused.value.reason, refused.value.message) == (
        500,
        "",
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does "
        "not support.",
    )


def test_a_budget_not_yet_observed_asks_to_retry_in_10_seconds(c: Cluster) -> None:
    c.create(budget(minAvailable=1))
    running(c, "web-0")
    running(c, "web-1")
    pdb = c.get("poddisruptionbudgets", "budget", NS)
    pdb["status"]["observedGeneration"] = 0
    c.update_status(pdb)  # no controller step: the budget looks unobserved
    with pytest.raises(TooManyRequests) as refused:
        c.api.evict(NS, "web-0", eviction("web-0"))
    assert refused.value.message == MSG_VIOLATES_BUDGET
    assert refused.value.details == {
        "causes": [
            {
                "reason": "DisruptionBudget",
                "message": "The disruption budget budget is still being processed by the server.",
            }
        ],
        "retryAfterSeconds": 10,
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "other"}},
            "name in URL does not match name in Eviction object",
            id="an eviction naming another pod is refused",
        ),
        pytest.param(
            {"apiVersion": "policy/v1", "kind": "Eviction"},
            "name in URL does not match name in Eviction object",
            id="an eviction without a name is refused",
        ),
        pytest.param(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0"}},
            'Pod in version "v1" cannot be handled as a Eviction: converting (v1.Pod) to '
            "(policy.Eviction): unknown conversion",
            id="a body of another kind does not convert to an Eviction",
        ),
        pytest.param(
            {"metadata": {"name": "web-0"}, "deleteOptions": {"gracePeriodSeconds": "x"}},
            'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal '
            "string into Go struct field DeleteOptions.deleteOptions.gracePeriodSeconds of type "
            "int64",
            id="delete options of the wrong type do not decode",
        ),
        pytest.param(
            {"kind": "Eviction", "metadata": {"name": "web-0", "namespace": "elsewhere"}},
            "the namespace of the provided object does not match the namespace sent on the request",
            id="an eviction in another namespace is refused",
        ),
    ],
)
def test_a_malformed_eviction_is_a_bad_request(
    c: Cluster, body: dict[str, Any], message: str
) -> None:
    running(c, "web-0")
    with pytest.raises(BadRequest) as refused:
        c.api.evict(NS, "web-0", body)
    assert refused.value.message == message


def test_the_store_read_error_option_is_invalid_for_an_eviction(c: Cluster) -> None:
    running(c, "web-0")
    with pytest.raises(Invalid) as refused:
        evict(c, "web-0", ignoreStoreReadErrorWithClusterBreakingPotential=True)
    assert refused.value.message == (
        'Eviction.policy "web-0" is invalid: '
        "deleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential: Invalid value: true: "
        "can not be set for pod eviction, try after removing the option"
    )


def test_different_dry_runs_in_the_request_and_the_body_are_an_error(c: Cluster) -> None:
    running(c, "web-0")
    with pytest.raises(ApiError) as refused:
        evict(c, "web-0", dry_run=True, dryRun=["All", "All"])
    assert (refused.value.code, refused.value.message) == (
        500,
        "Non-matching dry-run options in request and content: [All] and [All All]",
    )


def test_a_uid_precondition_that_does_not_match_is_a_conflict(c: Cluster) -> None:
    running(c, "web-0")
    with pytest.raises(ApiError) as refused:
        evict(c, "web-0", preconditions={"uid": "not-the-uid"})
    assert refused.value.code == 409
    assert refused.value.message.startswith(
        'Operation cannot be fulfilled on Pod "web-0": the UID in the precondition (not-the-uid)'
    )
    assert exists(c, "web-0")


def test_evicting_a_missing_pod_is_not_found(c: Cluster) -> None:
    with pytest.raises(NotFound) as refused:
        evict(c, "nope")
    assert refused.value.message == 'pods "nope" not found'
