"""Watching changes and surviving a restart."""

from __future__ import annotations

from pathlib import Path

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster

from .conftest import pod


def test_a_watch_sees_each_change_of_an_object(cluster: Cluster) -> None:
    from mlkube.api.registry import lookup

    rv = cluster.store.current_resource_version()
    watch = cluster.api.watch(lookup("configmaps"), "ml", resource_version=rv)
    created = cluster.create(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ml"}}
    )
    created["data"] = {"x": "1"}
    cluster.update(created)
    cluster.delete("configmaps", "c", "ml")
    assert [e.type for e in watch.drain()] == ["ADDED", "MODIFIED", "DELETED"]


def test_deleting_a_pod_first_records_its_deletion_then_removes_it(cluster: Cluster) -> None:
    # Pods delete gracefully: store.go's updateForGracefulDeletionAndFinalizers writes the
    # deletionTimestamp (MODIFIED) before the object goes (DELETED), even with grace 0.
    from mlkube.api.registry import lookup

    rv = cluster.store.current_resource_version()
    watch = cluster.api.watch(lookup("pods"), "ml", resource_version=rv)
    cluster.create(pod("p"))
    cluster.delete("pods", "p", "ml")
    events = watch.drain()
    assert [e.type for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert events[1].object["metadata"]["deletionGracePeriodSeconds"] == 0


def test_a_cluster_on_disk_keeps_its_objects_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = Cluster(clock=FakeClock(), path=path, seed=1)
    first.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    uid = first.create(pod("p"))["metadata"]["uid"]
    first.close()
    second = Cluster(clock=FakeClock(), path=path, seed=2)
    assert second.get("pods", "p", "ml")["metadata"]["uid"] == uid
    second.close()
