"""Updating, patching and deleting through the embedded API server."""

from __future__ import annotations

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.errors import Conflict, Forbidden, Invalid

from .conftest import container, job, pod

SMP = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"


def test_an_update_with_a_stale_resource_version_conflicts(cluster: Cluster) -> None:
    first = cluster.create(pod("p"))
    first["metadata"]["labels"] = {"a": "1"}
    cluster.update(first)
    first["metadata"]["labels"] = {"a": "2"}
    with pytest.raises(Conflict) as err:
        cluster.update(first)
    assert err.value.message == (
        'Operation cannot be fulfilled on pods "p": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_an_update_that_changes_nothing_writes_nothing(cluster: Cluster) -> None:
    created = cluster.create(pod("p"))
    again = cluster.update(created)
    assert again["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_a_pod_spec_cannot_change_after_creation(cluster: Cluster) -> None:
    created = cluster.create(pod("p"))
    created["spec"]["restartPolicy"] = "Never"
    with pytest.raises(Invalid) as err:
        cluster.update(created)
    assert err.value.message.startswith(
        'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`"
    )


def test_a_job_template_is_immutable(cluster: Cluster) -> None:
    created = cluster.create(job("train"))
    created["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.37"
    with pytest.raises(Invalid) as err:
        cluster.update(created)
    assert "spec.template: Invalid value:" in err.value.message
    assert "field is immutable" in err.value.message


def test_a_spec_change_bumps_generation_and_a_label_change_does_not(cluster: Cluster) -> None:
    created = cluster.create(job("train", parallelism=1))
    created["metadata"]["labels"] = {"team": "vision"}
    labelled = cluster.update(created)
    assert labelled["metadata"]["generation"] == 1
    labelled["spec"]["parallelism"] = 2
    assert cluster.update(labelled)["metadata"]["generation"] == 2


def test_a_main_resource_update_keeps_the_status(cluster: Cluster) -> None:
    created = cluster.create(pod("p"))
    created["status"] = {"phase": "Running"}
    created["metadata"]["labels"] = {"x": "y"}
    assert cluster.update(created)["status"]["phase"] == "Pending"


def test_a_status_update_keeps_the_spec(cluster: Cluster) -> None:
    created = cluster.create(pod("p"))
    created["status"]["phase"] = "Running"
    created["spec"]["activeDeadlineSeconds"] = 5
    updated = cluster.update_status(created)
    assert updated["status"]["phase"] == "Running"
    assert "activeDeadlineSeconds" not in updated["spec"]


def test_a_merge_patch_sets_and_removes_labels(cluster: Cluster) -> None:
    cluster.create(pod("p"))
    cluster.patch("pods", "p", {"metadata": {"labels": {"a": "1", "b": "2"}}}, MERGE, "ml")
    out = cluster.patch("pods", "p", {"metadata": {"labels": {"a": None}}}, MERGE, "ml")
    assert out["metadata"]["labels"] == {"b": "2"}


def test_a_strategic_merge_patch_merges_containers_by_name(cluster: Cluster) -> None:
    cluster.create(pod("p", containers=[container("a"), container("b")]))
    out = cluster.patch(
        "pods", "p", {"spec": {"containers": [{"name": "b", "image": "busybox:1.37"}]}}, SMP, "ml"
    )
    assert [(c["name"], c["image"]) for c in out["spec"]["containers"]] == [
        ("a", "busybox:1.36"),
        ("b", "busybox:1.37"),
    ]


def test_a_json_patch_applies_operations(cluster: Cluster) -> None:
    cluster.create(pod("p"))
    ops = [{"op": "add", "path": "/metadata/annotations", "value": {"note": "hi"}}]
    assert cluster.patch("pods", "p", ops, JSON, "ml")["metadata"]["annotations"] == {"note": "hi"}


def test_server_side_apply_creates_then_a_second_manager_conflicts(cluster: Cluster) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "ml"},
        "data": {"lr": "0.1"},
    }
    created = cluster.patch("configmaps", "cfg", config, APPLY, "ml", field_manager="alice")
    assert created["data"] == {"lr": "0.1"}
    assert created["metadata"]["managedFields"][0]["operation"] == "Apply"
    rival = {**config, "data": {"lr": "0.2"}}
    with pytest.raises(Conflict) as err:
        cluster.patch("configmaps", "cfg", rival, APPLY, "ml", field_manager="bob")
    assert err.value.message == ('Apply failed with 1 conflict: conflict with "alice": .data.lr')
    forced = cluster.patch("configmaps", "cfg", rival, APPLY, "ml", field_manager="bob", force=True)
    assert forced["data"] == {"lr": "0.2"}


def test_reapplying_the_same_config_writes_nothing(cluster: Cluster) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "ml"},
        "data": {"lr": "0.1"},
    }
    first = cluster.patch("configmaps", "cfg", config, APPLY, "ml", field_manager="mlkube")
    second = cluster.patch("configmaps", "cfg", config, APPLY, "ml", field_manager="mlkube")
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_an_unscheduled_pod_is_deleted_at_once(cluster: Cluster) -> None:
    cluster.create(pod("p"))
    assert cluster.delete("pods", "p", "ml").deleted


def test_a_scheduled_pod_is_deleted_gracefully(cluster: Cluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    cluster.create(pod("p"))
    cluster.api.bind("ml", "p", {"target": {"kind": "Node", "name": "n1"}})
    outcome = cluster.delete("pods", "p", "ml")
    assert not outcome.deleted
    assert outcome.object["metadata"]["deletionGracePeriodSeconds"] == 30
    assert outcome.object["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z"
    assert cluster.delete("pods", "p", "ml", grace_period_seconds=0).deleted


def test_binding_assigns_the_node_and_marks_the_pod_scheduled(cluster: Cluster) -> None:
    cluster.create(pod("p"))
    bound = cluster.api.bind("ml", "p", {"target": {"kind": "Node", "name": "n1"}})
    assert bound["spec"]["nodeName"] == "n1"
    (scheduled,) = [c for c in bound["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert scheduled["status"] == "True"
    with pytest.raises(Conflict) as err:
        cluster.api.bind("ml", "p", {"target": {"kind": "Node", "name": "n2"}})
    assert err.value.message == (
        'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"'
    )


def test_deleting_a_namespace_marks_it_terminating_and_refuses_new_content(
    cluster: Cluster,
) -> None:
    outcome = cluster.delete("namespaces", "ml")
    assert not outcome.deleted
    assert outcome.object["status"]["phase"] == "Terminating"
    with pytest.raises(Forbidden) as err:
        cluster.create(pod("late"))
    assert err.value.message == (
        'pods "late" is forbidden: unable to create new content in namespace ml because it is '
        "being terminated"
    )


def test_the_default_namespace_may_not_be_deleted(cluster: Cluster) -> None:
    with pytest.raises(Forbidden) as err:
        cluster.delete("namespaces", "default")
    assert (
        err.value.message == 'namespaces "default" is forbidden: this namespace may not be deleted'
    )


def test_a_job_deleted_without_a_policy_orphans_its_pods(cluster: Cluster) -> None:
    cluster.create(job("train"))
    outcome = cluster.delete("jobs", "train", "ml")
    assert not outcome.deleted
    assert outcome.object["metadata"]["finalizers"] == ["orphan"]
