"""The garbage collector, as ``pkg/controller/garbagecollector/garbagecollector_test.go``
and ``test/integration/garbagecollector/garbage_collector_test.go`` specify it."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.garbagecollector import GarbageCollector

from .builders import cluster, gone, make_configmap, make_node, make_pod, make_replicaset


@pytest.fixture
def c() -> Cluster:
    return cluster(lambda cl: GarbageCollector(cl.api))


def cm(c: Cluster, name: str) -> dict[str, Any]:
    return c.get("configmaps", name)


def test_background_deletion_of_the_owner_deletes_its_dependents(c: Cluster) -> None:
    # integration TestCascadingDeletion: the rc goes, its pods follow
    owner = c.create(make_configmap("owner").build())
    c.create(make_configmap("dep").owned_by(owner).build())
    c.run_until_idle()
    c.delete("configmaps", "owner", propagation_policy="Background")
    c.run_until_idle()
    assert gone(lambda: cm(c, "dep"))


def test_a_dependent_whose_owner_never_existed_is_deleted(c: Cluster) -> None:
    # TestCreateWithNonExistentOwner
    ghost = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ghost", "uid": "u-1"}}
    c.create(make_configmap("dep").owned_by(ghost).build())
    c.run_until_idle()
    assert gone(lambda: cm(c, "dep"))


def test_an_owner_recreated_with_a_new_uid_does_not_keep_old_dependents(c: Cluster) -> None:
    # classifyReferences compares uids: same name, different uid is dangling
    owner = c.create(make_configmap("owner").build())
    stale = {**owner, "metadata": {**owner["metadata"], "uid": "not-the-same"}}
    c.create(make_configmap("dep").owned_by(stale).build())
    c.run_until_idle()
    assert gone(lambda: cm(c, "dep"))


def test_a_solid_owner_keeps_the_dependent_and_the_dangling_reference_is_removed(
    c: Cluster,
) -> None:
    # TestDependentsRace / attemptToDeleteItem "solid" case: patch away dangling refs
    owner = c.create(make_configmap("owner").build())
    ghost = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ghost", "uid": "u-1"}}
    c.create(make_configmap("dep").owned_by(owner).owned_by(ghost).build())
    c.run_until_idle()
    refs = cm(c, "dep")["metadata"]["ownerReferences"]
    assert [r["name"] for r in refs] == ["owner"]


def test_orphan_propagation_removes_the_reference_then_the_finalizer(c: Cluster) -> None:
    # TestOrphaning
    owner = c.create(make_configmap("owner").build())
    c.create(make_configmap("dep").owned_by(owner).build())
    c.run_until_idle()
    kept = c.delete("configmaps", "owner", propagation_policy="Orphan")
    assert kept.object["metadata"]["finalizers"] == ["orphan"]
    c.run_until_idle()
    assert gone(lambda: cm(c, "owner"))
    assert "ownerReferences" not in cm(c, "dep")["metadata"]


def test_foreground_deletion_waits_for_a_blocking_dependent(c: Cluster) -> None:
    # TestBlockingOwnerRefDoesBlock: the owner stays while a blocking dependent remains
    owner = c.create(make_configmap("owner").build())
    c.create(
        make_configmap("dep").owned_by(owner, block=True).finalizers("example.com/hold").build()
    )
    c.run_until_idle()
    c.delete("configmaps", "owner", propagation_policy="Foreground")
    c.run_until_idle()
    held = cm(c, "owner")
    assert held["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert cm(c, "dep")["metadata"].get("deletionTimestamp")
    dep = cm(c, "dep")
    dep["metadata"]["finalizers"] = []
    c.update(dep)
    c.run_until_idle()
    assert gone(lambda: cm(c, "owner"))


def test_foreground_deletion_is_not_held_by_a_non_blocking_dependent(c: Cluster) -> None:
    # TestNonBlockingOwnerRefDoesNotBlock: deleted too, but the owner does not wait for it
    owner = c.create(make_configmap("owner").build())
    c.create(
        make_configmap("dep").owned_by(owner, block=False).finalizers("example.com/hold").build()
    )
    c.run_until_idle()
    c.delete("configmaps", "owner", propagation_policy="Foreground")
    c.run_until_idle()
    assert gone(lambda: cm(c, "owner"))
    assert cm(c, "dep")["metadata"].get("deletionTimestamp")


def test_foreground_deletion_reaches_grandchildren_first(c: Cluster) -> None:
    # attemptToDeleteItem: a dependent with dependents of its own goes in the foreground
    owner = c.create(make_configmap("owner").build())
    child = c.create(make_configmap("child").owned_by(owner, block=True).build())
    c.create(
        make_configmap("grandchild")
        .owned_by(child, block=True)
        .finalizers("example.com/hold")
        .build()
    )
    c.run_until_idle()
    c.delete("configmaps", "owner", propagation_policy="Foreground")
    c.run_until_idle()
    assert cm(c, "child")["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert cm(c, "owner")["metadata"]["finalizers"] == ["foregroundDeletion"]
    grandchild = cm(c, "grandchild")
    grandchild["metadata"]["finalizers"] = []
    c.update(grandchild)
    c.run_until_idle()
    assert [gone(lambda n=n: cm(c, n)) for n in ("owner", "child", "grandchild")] == [True] * 3


def test_a_dependent_with_an_owner_of_an_unserved_kind_is_kept(c: Cluster) -> None:
    # an unresolvable owner kind is a restmapping error upstream, never "absent"
    alien = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "uid": "u-2"},
    }
    c.create(make_configmap("dep").owned_by(alien).build())
    c.run_until_idle()
    assert cm(c, "dep")["metadata"]["ownerReferences"][0]["kind"] == "Widget"


def test_a_namespaced_dependent_of_a_cluster_scoped_owner_follows_it(c: Cluster) -> None:
    # the owner is looked up without a namespace when its kind is cluster-scoped
    node = c.create(make_node("n1").build())
    c.create(make_configmap("per-node").owned_by(node).build())
    c.run_until_idle()
    assert cm(c, "per-node")["metadata"]["ownerReferences"][0]["kind"] == "Node"
    c.delete("nodes", "n1")
    c.run_until_idle()
    assert gone(lambda: cm(c, "per-node"))


def test_pods_of_a_deleted_replica_set_are_deleted(c: Cluster) -> None:
    rs = c.create(make_replicaset("web", 0, {"app": "web"}).build())
    for name in ("a", "b"):
        c.create(make_pod(name, app="web").owned_by(rs, controller=True, block=True).build())
    c.run_until_idle()
    c.delete("replicasets", "web")
    c.run_until_idle()
    assert c.list("pods", "default") == []


def test_the_graph_knows_an_owners_dependents(c: Cluster) -> None:
    gc = GarbageCollector(c.api)
    owner = c.create(make_configmap("owner").build())
    dep = c.create(make_configmap("dep").owned_by(owner).build())
    for rt in gc.watched:
        watch = c.api.watch(rt, None, resource_version="0")
        for event in watch.drain():
            gc.keys(rt, event)
        watch.stop()
    assert gc.dependents(owner["metadata"]["uid"]) == [dep["metadata"]["uid"]]
