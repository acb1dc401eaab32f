"""The Deployment controller, as ``pkg/controller/deployment/{deployment_controller,sync,
rolling,recreate,progress}_test.go`` and ``util/deployment_util_test.go`` specify it."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.deployment import (
    DeploymentController,
    compute_hash,
    resolve_fenceposts,
    safe_encode_string,
)
from mlkube.engine.controllers.garbagecollector import GarbageCollector
from mlkube.engine.controllers.replicaset import ReplicaSetController

from .builders import cluster, make_deployment, make_node, make_replicaset, run_ready

WEB = {"app": "web"}


@pytest.fixture
def c() -> Cluster:
    cl = cluster(
        lambda cl: ReplicaSetController(cl.api),
        lambda cl: DeploymentController(cl.api),
        lambda cl: GarbageCollector(cl.api),
    )
    cl.create(make_node("n1").build())
    return cl


def kubelet(c: Cluster, *, ready: bool = True, only: str | None = None) -> None:
    """Start every new pod (Ready unless told otherwise) and finish every terminating one,
    as a kubelet would; ``only`` limits it to one ReplicaSet's pods."""
    for i, item in enumerate(c.list("pods", "default")):
        meta = item["metadata"]
        if only and meta["ownerReferences"][0]["name"] != only:
            continue
        if meta.get("deletionTimestamp"):
            c.delete("pods", meta["name"], grace_period_seconds=0)
        elif (item.get("status") or {}).get("phase") != "Running":
            run_ready(c, item, ip=f"10.0.{i // 250}.{i % 250 + 1}", ready=ready)
    c.run_until_idle()


def replica_sets(c: Cluster) -> dict[str, dict[str, Any]]:
    return {rs["metadata"]["name"]: rs for rs in c.list("replicasets", "default")}


def sizes(c: Cluster) -> dict[str, int]:
    return {name: rs["spec"]["replicas"] for name, rs in replica_sets(c).items()}


def conditions(c: Cluster, name: str = "web") -> dict[str, tuple[str, str, str]]:
    status = c.get("deployments", name)["status"]
    return {x["type"]: (x["status"], x["reason"], x["message"]) for x in status["conditions"]}


def scaling_events(c: Cluster) -> list[str]:
    found = [e for e in c.list("events", "default") if e["reason"] == "ScalingReplicaSet"]
    return [e["message"] for e in sorted(found, key=lambda e: e["metadata"]["name"])]


def change_image(c: Cluster, image: str, name: str = "web") -> None:
    d = c.get("deployments", name)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    c.update(d)
    c.run_until_idle()


# -- pure rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surge", "unavailable", "desired", "expected"),
    [
        pytest.param("25%", "25%", 4, (1, 1), id="the defaults on 4 replicas give 1 and 1"),
        pytest.param("25%", "25%", 10, (3, 2), id="surge rounds up and unavailability down"),
        pytest.param("0%", "0%", 0, (0, 1), id="zero and zero becomes one unavailable"),
        pytest.param(0, 0, 5, (0, 1), id="integers zero and zero becomes one unavailable"),
        pytest.param("50%", 0, 3, (2, 0), id="half of three surges two"),
        pytest.param(2, "100%", 3, (2, 3), id="integers are taken as they are"),
    ],
)
def test_resolve_fenceposts(surge: Any, unavailable: Any, desired: int, expected: Any) -> None:
    # deployment_util_test.go TestResolveFenceposts
    assert resolve_fenceposts(surge, unavailable, desired) == expected


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        pytest.param("a", "v", id="a byte is mapped modulo the 27 safe characters"),
        pytest.param("0", "4", id="digits map into the alphabet too"),
        pytest.param("abc", "vwx", id="each byte maps independently"),
    ],
)
def test_safe_encode_string(text: str, encoded: str) -> None:
    # apimachinery/pkg/util/rand SafeEncodeString: alphanums[b % 27]
    assert safe_encode_string(text) == encoded


def test_the_hash_changes_with_the_template_and_with_the_collision_count() -> None:
    template = {"metadata": {"labels": WEB}, "spec": {"containers": [{"name": "m", "image": "a"}]}}
    other = {"metadata": {"labels": WEB}, "spec": {"containers": [{"name": "m", "image": "b"}]}}
    hashes = {compute_hash(template, None), compute_hash(other, None), compute_hash(template, 1)}
    assert len(hashes) == 3
    assert compute_hash(template, None) == compute_hash(dict(template), None)
    assert all(set(h) <= set("bcdfghjklmnpqrstvwxz2456789") and len(h) <= 10 for h in hashes)


# -- a new deployment ----------------------------------------------------------------------


def test_a_new_deployment_gets_a_hashed_replica_set_at_revision_one(c: Cluster) -> None:
    # TestSyncDeploymentCreatesReplicaSet
    d = c.create(make_deployment("web", 3, WEB).build())
    c.run_until_idle()
    (rs,) = replica_sets(c).values()
    pod_hash = compute_hash(c.get("deployments", "web")["spec"]["template"], None)
    assert rs["metadata"]["name"] == f"web-{pod_hash}"
    assert rs["metadata"]["labels"] == {**WEB, "pod-template-hash": pod_hash}
    assert rs["spec"]["selector"] == {"matchLabels": {**WEB, "pod-template-hash": pod_hash}}
    assert rs["spec"]["template"]["metadata"]["labels"] == {**WEB, "pod-template-hash": pod_hash}
    assert rs["metadata"]["annotations"] == {
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
        "deployment.kubernetes.io/revision": "1",
    }
    assert rs["metadata"]["ownerReferences"][0]["uid"] == d["metadata"]["uid"]
    assert c.get("deployments", "web")["metadata"]["annotations"] == {
        "deployment.kubernetes.io/revision": "1"
    }
    assert scaling_events(c) == [f"Scaled up replica set web-{pod_hash} from 0 to 3"]


def test_until_its_pods_are_ready_a_deployment_is_progressing_but_unavailable(
    c: Cluster,
) -> None:
    c.create(make_deployment("web", 3, WEB).build())
    c.run_until_idle()
    rs = next(iter(replica_sets(c)))
    assert conditions(c) == {
        "Available": (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        ),
        "Progressing": ("True", "ReplicaSetUpdated", f'ReplicaSet "{rs}" is progressing.'),
    }
    status = c.get("deployments", "web")["status"]
    assert (status["replicas"], status["updatedReplicas"], status["unavailableReplicas"]) == (
        3,
        3,
        3,
    )


def test_a_deployment_whose_pods_are_ready_is_available_and_complete(c: Cluster) -> None:
    c.create(make_deployment("web", 3, WEB).build())
    c.run_until_idle()
    kubelet(c)
    rs = next(iter(replica_sets(c)))
    assert conditions(c) == {
        "Available": ("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        "Progressing": (
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "{rs}" has successfully progressed.',
        ),
    }
    status = c.get("deployments", "web")["status"]
    assert {k: v for k, v in status.items() if k != "conditions"} == {
        "observedGeneration": 1,
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
        "terminatingReplicas": 0,  # a pointer: written at zero, unlike the omitempty counters
    }


# -- rolling update ------------------------------------------------------------------------


def test_a_rolling_update_never_leaves_the_surge_and_availability_bounds(c: Cluster) -> None:
    # rolling_test.go: total <= replicas + maxSurge, available >= replicas - maxUnavailable
    c.create(make_deployment("web", 4, WEB).build())  # 25%/25% of 4: surge 1, unavailable 1
    c.run_until_idle()
    kubelet(c)
    change_image(c, "busybox:1.37")
    for _ in range(10):
        sets = replica_sets(c).values()
        assert sum(rs["spec"]["replicas"] for rs in sets) <= 5
        assert sum(rs["status"].get("availableReplicas", 0) for rs in sets) >= 3
        kubelet(c)
    assert sorted(sizes(c).values()) == [0, 4]
    assert c.get("deployments", "web")["metadata"]["annotations"] == {
        "deployment.kubernetes.io/revision": "2"
    }


def test_the_first_step_of_a_rolling_update_surges_then_scales_down(c: Cluster) -> None:
    # reconcileNewReplicaSet then reconcileOldReplicaSets with maxSurge 1, maxUnavailable 1
    c.create(make_deployment("web", 4, WEB).build())
    c.run_until_idle()
    kubelet(c)
    (old,) = replica_sets(c)
    change_image(c, "busybox:1.37")
    new = next(n for n in replica_sets(c) if n != old)
    assert sizes(c) == {old: 3, new: 2}
    assert scaling_events(c)[1:] == [
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 4 to 3",
        f"Scaled up replica set {new} from 1 to 2",
    ]


def test_a_template_change_back_reuses_the_old_replica_set_with_a_new_revision(
    c: Cluster,
) -> None:
    # SetNewReplicaSetAnnotations: a rollback keeps the old revision in revision-history
    c.create(make_deployment("web", 1, WEB).build())
    c.run_until_idle()
    kubelet(c)
    (first,) = replica_sets(c)
    change_image(c, "busybox:1.37")
    for _ in range(3):
        kubelet(c)
    change_image(c, "busybox:1.36")
    for _ in range(3):
        kubelet(c)
    reused = replica_sets(c)[first]
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert reused["spec"]["replicas"] == 1
    assert len(replica_sets(c)) == 2


def test_old_replica_sets_beyond_the_revision_history_limit_are_deleted(c: Cluster) -> None:
    # TestDeploymentController_cleanupDeployment
    c.create(make_deployment("web", 1, WEB).set("spec.revisionHistoryLimit", 1).build())
    c.run_until_idle()
    kubelet(c)
    for image in ("busybox:1.37", "busybox:1.38", "busybox:1.39"):
        change_image(c, image)
        for _ in range(3):
            kubelet(c)
    revisions = sorted(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        for rs in replica_sets(c).values()
    )
    assert revisions == ["3", "4"]


# -- recreate --------------------------------------------------------------------------------


def test_recreate_scales_the_old_set_to_zero_and_waits_for_its_pods_to_go(c: Cluster) -> None:
    # recreate_test.go TestOldPodsRunning / rolloutRecreate
    d = make_deployment("web", 2, WEB).set("spec.strategy", {"type": "Recreate"}).build()
    c.create(d)
    c.run_until_idle()
    kubelet(c)
    (old,) = replica_sets(c)
    change_image(c, "busybox:1.37")
    assert sizes(c) == {old: 0}  # no new set while old pods are still terminating
    kubelet(c)  # the old pods finish
    new = next(n for n in replica_sets(c) if n != old)
    assert sizes(c) == {old: 0, new: 2}
    assert scaling_events(c)[1:] == [
        f"Scaled down replica set {old} from 2 to 0",
        f"Scaled up replica set {new} from 0 to 2",
    ]


# -- scaling -----------------------------------------------------------------------------------


def test_scaling_a_settled_deployment_scales_its_only_replica_set(c: Cluster) -> None:
    c.create(make_deployment("web", 3, WEB).build())
    c.run_until_idle()
    kubelet(c)
    (rs,) = replica_sets(c)
    d = c.get("deployments", "web")
    d["spec"]["replicas"] = 5
    c.update(d)
    c.run_until_idle()
    assert sizes(c) == {rs: 5}
    assert scaling_events(c)[-1] == f"Scaled up replica set {rs} from 3 to 5"
    assert (
        replica_sets(c)[rs]["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"]
        == "5"
    )


def test_scaling_during_a_rollout_is_proportional(c: Cluster) -> None:
    # sync_test.go TestScale "proportional scaling": 8 old + 5 new of 13 allowed -> 25 allowed
    c.create(make_deployment("web", 10, WEB).build())  # surge 3, unavailable 2
    c.run_until_idle()
    kubelet(c)
    (old,) = replica_sets(c)
    change_image(c, "busybox:1.37")
    kubelet(c, ready=False)  # the new pods never become ready
    new = next(n for n in replica_sets(c) if n != old)
    assert sizes(c) == {old: 8, new: 5}
    d = c.get("deployments", "web")
    d["spec"]["replicas"] = 20
    c.update(d)
    c.run_until_idle()
    assert sizes(c) == {old: 15, new: 10}


# -- progress ------------------------------------------------------------------------------------


def test_a_stuck_rollout_exceeds_its_progress_deadline_exactly_on_time(c: Cluster) -> None:
    # progress_test.go TestRequeueStuckDeployment / DeploymentTimedOut
    c.create(make_deployment("web", 1, WEB).set("spec.progressDeadlineSeconds", 60).build())
    c.run_until_idle()
    kubelet(c, ready=False)
    rs = next(iter(replica_sets(c)))
    c.advance(60)
    assert conditions(c)["Progressing"][1] == "ReplicaSetUpdated"
    c.advance(1)
    assert conditions(c)["Progressing"] == (
        "False",
        "ProgressDeadlineExceeded",
        f'ReplicaSet "{rs}" has timed out progressing.',
    )


def test_a_paused_deployment_reports_it_and_does_not_roll_out(c: Cluster) -> None:
    # TestSyncDeploymentPaused / checkPausedConditions
    c.create(make_deployment("web", 1, WEB).build())
    c.run_until_idle()
    kubelet(c)
    d = c.get("deployments", "web")
    d["spec"]["paused"] = True
    c.update(d)
    c.run_until_idle()
    assert conditions(c)["Progressing"] == ("Unknown", "DeploymentPaused", "Deployment is paused")
    change_image(c, "busybox:1.37")
    assert len(replica_sets(c)) == 1
    d = c.get("deployments", "web")
    d["spec"]["paused"] = False
    c.update(d)
    c.run_until_idle()
    assert len(replica_sets(c)) == 2


def test_a_name_collision_bumps_the_collision_count_and_the_hash(c: Cluster) -> None:
    # getNewReplicaSet: AlreadyExists with another template is a hash collision
    c.create(make_deployment("web", 1, WEB).build())
    template = c.get("deployments", "web")["spec"]["template"]
    squatter = make_replicaset(f"web-{compute_hash(template, None)}", 0, {"app": "squatter"})
    c.create(squatter.build())
    c.run_until_idle()
    assert c.get("deployments", "web")["status"]["collisionCount"] == 1
    assert f"web-{compute_hash(template, 1)}" in replica_sets(c)


def test_deleting_a_deployment_deletes_its_replica_sets_and_pods(c: Cluster) -> None:
    c.create(make_deployment("web", 2, WEB).build())
    c.run_until_idle()
    c.delete("deployments", "web")
    c.run_until_idle()
    assert replica_sets(c) == {}
    assert c.list("pods", "default") == []


def test_an_adopted_replica_set_with_the_template_is_the_found_new_replica_set() -> None:
    # getNewReplicaSet: an existing set with the template is adopted, not recreated
    cl = cluster(lambda cl: DeploymentController(cl.api))
    rs = cl.create(make_replicaset("web-abc", 1, WEB).labels(**WEB).build())
    d = cl.create(make_deployment("web", 1, WEB).build())
    cl.run_until_idle()
    assert list(replica_sets(cl)) == ["web-abc"]
    adopted = replica_sets(cl)["web-abc"]
    assert adopted["metadata"]["uid"] == rs["metadata"]["uid"]
    assert adopted["metadata"]["ownerReferences"][0]["uid"] == d["metadata"]["uid"]
    assert adopted["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert conditions(cl)["Progressing"] == (
        "True",
        "FoundNewReplicaSet",
        'Found new replica set "web-abc"',
    )
