"""update: optimistic concurrency, server-owned metadata and delete-on-update."""

from __future__ import annotations

import pytest

from mlkube.engine.errors import Conflict, Invalid, NotFound
from mlkube.engine.store import DELETED, MODIFIED, Store

from .conftest import JOBS, NAMESPACES, PODS, make_pod


def test_an_update_at_the_stored_version_gets_the_next_version(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))
    pod["metadata"]["labels"] = {"app": "x"}

    updated = store.update(PODS, pod)

    assert updated["metadata"]["resourceVersion"] == "3"
    assert updated["metadata"]["labels"] == {"app": "x"}
    assert store.get(PODS, "ml", "a") == updated


def test_an_update_at_a_stale_version_is_a_conflict(store: Store) -> None:
    stale = store.create(PODS, make_pod("a"))
    fresh = store.get(PODS, "ml", "a")
    fresh["metadata"]["labels"] = {"v": "1"}
    store.update(PODS, fresh)

    with pytest.raises(Conflict) as info:
        store.update(PODS, stale)

    assert str(info.value) == (
        'Operation cannot be fulfilled on pods "a": the object has been modified; please '
        "apply your changes to the latest version and try again"
    )


def test_an_update_without_a_version_is_unconditional_when_the_type_allows_it(
    store: Store,
) -> None:
    pod = store.create(PODS, make_pod("a"))
    del pod["metadata"]["resourceVersion"]
    pod["metadata"]["labels"] = {"v": "2"}

    updated = store.update(PODS, pod)

    assert updated["metadata"]["resourceVersion"] == "2"


def test_an_update_without_a_version_is_invalid_when_the_type_requires_one(
    store: Store,
) -> None:
    job = store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})
    del job["metadata"]["resourceVersion"]

    with pytest.raises(Invalid) as info:
        store.update(JOBS, job, allow_unconditional=False)

    assert str(info.value) == (
        'jobs.batch "t" is invalid: metadata.resourceVersion: Invalid value: 0: '
        "must be specified for an update"
    )


def test_expect_rv_false_ignores_a_stale_version(store: Store) -> None:
    stale = store.create(PODS, make_pod("a"))
    store.update(PODS, {**stale, "status": {"phase": "Running"}})
    stale["metadata"]["labels"] = {"v": "1"}

    updated = store.update(PODS, stale, expect_rv=False)

    assert updated["metadata"]["resourceVersion"] == "3"


def test_updating_a_missing_object_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match=r'^pods "a" not found$'):
        store.update(PODS, make_pod("a"))


def test_an_update_cannot_change_server_owned_metadata(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    original = dict(pod["metadata"])
    pod["metadata"]["uid"] = ""
    pod["metadata"]["creationTimestamp"] = "1999-01-01T00:00:00Z"
    pod["metadata"]["deletionTimestamp"] = "1999-01-01T00:00:00Z"
    pod["metadata"]["labels"] = {"changed": "yes"}

    meta = store.update(PODS, pod)["metadata"]

    assert meta["uid"] == original["uid"]
    assert meta["creationTimestamp"] == original["creationTimestamp"]
    assert "deletionTimestamp" not in meta


def test_an_update_that_changes_nothing_writes_nothing(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    watch = store.watch(PODS, resource_version="1")

    same = store.update(PODS, pod)

    assert same["metadata"]["resourceVersion"] == "1"
    assert store.current_resource_version() == "1"
    assert watch.drain() == []


def test_a_modified_event_carries_the_object_at_its_version(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    watch = store.watch(PODS, resource_version="1")
    pod["metadata"]["labels"] = {"v": "1"}

    store.update(PODS, pod)

    [event] = watch.drain()
    assert (event.type, event.resource_version) == (MODIFIED, 2)
    assert event.object["metadata"]["labels"] == {"v": "1"}
    assert event.object["metadata"]["resourceVersion"] == "2"


def test_removing_the_last_finalizer_of_a_deleting_object_deletes_it(store: Store) -> None:
    store.create(PODS, make_pod("a", finalizers=["example.com/hold"]))
    deleting = store.delete(PODS, "ml", "a")
    watch = store.watch(PODS, resource_version=deleting["metadata"]["resourceVersion"])
    deleting["metadata"]["finalizers"] = []

    store.update(PODS, deleting)

    [event] = watch.drain()
    assert event.type == DELETED
    assert event.object["metadata"]["resourceVersion"] == "3"
    with pytest.raises(NotFound):
        store.get(PODS, "ml", "a")


def test_removing_one_of_two_finalizers_keeps_the_object(store: Store) -> None:
    store.create(PODS, make_pod("a", finalizers=["a.example/x", "b.example/y"]))
    deleting = store.delete(PODS, "ml", "a")
    deleting["metadata"]["finalizers"] = ["b.example/y"]

    kept = store.update(PODS, deleting)

    assert kept["metadata"]["finalizers"] == ["b.example/y"]
    assert kept["metadata"]["deletionTimestamp"] == deleting["metadata"]["deletionTimestamp"]


def test_removing_finalizers_while_a_grace_period_runs_keeps_the_object(store: Store) -> None:
    store.create(PODS, make_pod("a", finalizers=["example.com/hold"], node="n1"))
    deleting = store.delete(PODS, "ml", "a", grace_period_seconds=30)
    deleting["metadata"]["finalizers"] = []

    kept = store.update(PODS, deleting)

    assert kept["metadata"]["deletionGracePeriodSeconds"] == 30
    assert not store.get(PODS, "ml", "a")["metadata"].get("finalizers")


def test_dry_run_update_stores_nothing(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    pod["metadata"]["labels"] = {"v": "1"}

    out = store.update(PODS, pod, dry_run=True)

    assert out["metadata"]["labels"] == {"v": "1"}
    assert store.get(PODS, "ml", "a")["metadata"].get("labels") is None
    assert store.current_resource_version() == "1"


def test_force_system_fields_lets_a_registry_set_the_deletion_timestamp(store: Store) -> None:
    ns = store.create(
        NAMESPACES, {"metadata": {"name": "ml"}, "spec": {"finalizers": ["kubernetes"]}}
    )
    ns["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    ns["status"] = {"phase": "Terminating"}

    meta = store.update(NAMESPACES, ns, force_system_fields=True)["metadata"]

    assert meta["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    assert meta["creationTimestamp"] == ns["metadata"]["creationTimestamp"]


def test_an_update_carrying_another_uid_is_a_conflict(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    uid = pod["metadata"]["uid"]
    pod["metadata"]["uid"] = "other"

    with pytest.raises(Conflict) as info:
        store.update(PODS, pod)

    assert str(info.value) == (
        'Operation cannot be fulfilled on pods "a": StorageError: invalid object, Code: 4, '
        "Key: /registry/pods/ml/a, ResourceVersion: 0, AdditionalErrorMsg: Precondition "
        f"failed: UID in precondition: other, UID in object meta: {uid}"
    )
