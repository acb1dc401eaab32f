"""delete: immediate, graceful, held by finalizers, propagation finalizers, preconditions."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import Conflict, Invalid, NotFound
from mlkube.engine.store import DELETED, MODIFIED, Store

from .conftest import CONFIGMAPS, JOBS, PODS, make_pod


def test_a_plain_delete_removes_the_object_and_returns_its_final_state(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    watch = store.watch(PODS, resource_version="1")

    result = store.delete_result(PODS, "ml", "a")

    assert result.deleted
    assert result.object["metadata"]["resourceVersion"] == "2"
    [event] = watch.drain()
    assert (event.type, event.resource_version) == (DELETED, 2)
    assert event.object == result.object
    with pytest.raises(NotFound):
        store.get(PODS, "ml", "a")


def test_deleting_a_missing_object_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match=r'^pods "a" not found$'):
        store.delete(PODS, "ml", "a")


def test_an_object_with_finalizers_is_marked_and_kept(store: Store, clock: FakeClock) -> None:
    store.create(CONFIGMAPS, {"metadata": {"name": "c", "namespace": "ml", "finalizers": ["f"]}})
    watch = store.watch(CONFIGMAPS, resource_version="1")
    clock.advance(10)

    result = store.delete_result(CONFIGMAPS, "ml", "c")

    assert not result.deleted
    meta = result.object["metadata"]
    assert meta["deletionTimestamp"] == "2026-01-01T00:00:10Z"
    assert meta["deletionGracePeriodSeconds"] == 0
    assert meta["finalizers"] == ["f"]
    assert [e.type for e in watch.drain()] == [MODIFIED]
    assert store.get(CONFIGMAPS, "ml", "c") == result.object


def test_deleting_again_an_object_held_by_finalizers_changes_nothing(
    store: Store, clock: FakeClock
) -> None:
    store.create(CONFIGMAPS, {"metadata": {"name": "c", "namespace": "ml", "finalizers": ["f"]}})
    first = store.delete(CONFIGMAPS, "ml", "c")
    clock.advance(10)

    second = store.delete_result(CONFIGMAPS, "ml", "c")

    assert not second.deleted
    assert second.object == first


def test_a_graceful_delete_sets_the_deadline_and_keeps_the_object(
    store: Store, clock: FakeClock
) -> None:
    store.create(PODS, make_pod("a", node="n1"))
    clock.advance(5)

    result = store.delete_result(PODS, "ml", "a", grace_period_seconds=30)

    assert not result.deleted
    assert result.object["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:35Z"
    assert result.object["metadata"]["deletionGracePeriodSeconds"] == 30


def test_a_second_delete_may_shorten_the_grace_period(store: Store, clock: FakeClock) -> None:
    store.create(PODS, make_pod("a", node="n1"))
    store.delete(PODS, "ml", "a", grace_period_seconds=30)
    clock.advance(5)

    meta = store.delete(PODS, "ml", "a", grace_period_seconds=10)["metadata"]

    assert meta["deletionTimestamp"] == "2026-01-01T00:00:10Z"
    assert meta["deletionGracePeriodSeconds"] == 10


@pytest.mark.parametrize(
    "grace",
    [
        pytest.param(30, id="an equal grace period leaves a pending graceful deletion alone"),
        pytest.param(60, id="a longer grace period leaves a pending graceful deletion alone"),
        pytest.param(None, id="a delete without grace leaves a pending graceful deletion alone"),
    ],
)
def test_a_pending_graceful_deletion_is_not_extended(store: Store, grace: int | None) -> None:
    store.create(PODS, make_pod("a", node="n1"))
    first = store.delete(PODS, "ml", "a", grace_period_seconds=30)

    second = store.delete_result(PODS, "ml", "a", grace_period_seconds=grace, graceful=True)

    assert second.already_deleting
    assert second.object == first
    assert store.current_resource_version() == first["metadata"]["resourceVersion"]


def test_a_graceful_type_deleted_with_zero_grace_is_marked_then_removed(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    watch = store.watch(PODS, resource_version="1")

    result = store.delete_result(PODS, "ml", "a", grace_period_seconds=0)

    assert result.deleted
    events = watch.drain()
    assert [e.type for e in events] == [MODIFIED, DELETED]
    assert events[0].object["metadata"]["deletionGracePeriodSeconds"] == 0
    assert result.object["metadata"]["resourceVersion"] == "3"


def test_a_negative_grace_period_counts_as_one_second(store: Store) -> None:
    store.create(PODS, make_pod("a", node="n1"))

    meta = store.delete(PODS, "ml", "a", grace_period_seconds=-5)["metadata"]

    assert meta["deletionGracePeriodSeconds"] == 1


def test_the_kubelets_final_delete_removes_a_gracefully_deleted_pod(
    store: Store, clock: FakeClock
) -> None:
    store.create(PODS, make_pod("a", node="n1"))
    store.delete(PODS, "ml", "a", grace_period_seconds=30)
    clock.advance(30)

    result = store.delete_result(PODS, "ml", "a", grace_period_seconds=0)

    assert result.deleted


@pytest.mark.parametrize(
    ("policy", "finalizers"),
    [
        pytest.param("Orphan", ["orphan"], id="Orphan adds the orphan finalizer"),
        pytest.param(
            "Foreground", ["foregroundDeletion"], id="Foreground adds the foregroundDeletion one"
        ),
    ],
)
def test_propagation_policies_add_their_finalizer(
    store: Store, policy: str, finalizers: list[str]
) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    result = store.delete_result(JOBS, "ml", "t", propagation_policy=policy)

    assert not result.deleted
    assert result.object["metadata"]["finalizers"] == finalizers
    assert result.object["metadata"]["deletionGracePeriodSeconds"] == 0


def test_background_propagation_deletes_at_once(store: Store) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    assert store.delete_result(JOBS, "ml", "t", propagation_policy="Background").deleted


def test_the_types_default_policy_applies_when_none_is_given(store: Store) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    result = store.delete_result(JOBS, "ml", "t", default_propagation_policy="Orphan")

    assert result.object["metadata"]["finalizers"] == ["orphan"]


def test_an_explicit_policy_replaces_an_existing_propagation_finalizer(store: Store) -> None:
    store.create(
        JOBS, {"metadata": {"name": "t", "namespace": "ml", "finalizers": ["x/y", "orphan"]}}
    )

    result = store.delete_result(JOBS, "ml", "t", propagation_policy="Foreground")

    assert result.object["metadata"]["finalizers"] == ["x/y", "foregroundDeletion"]


def test_a_background_delete_drops_the_orphan_finalizer_and_removes_the_object(
    store: Store,
) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml", "finalizers": ["orphan"]}})
    watch = store.watch(JOBS, resource_version="1")

    result = store.delete_result(JOBS, "ml", "t", propagation_policy="Background")

    assert result.deleted
    assert [e.type for e in watch.drain()] == [DELETED]


def test_an_unknown_propagation_policy_is_invalid(store: Store) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    with pytest.raises(Invalid) as info:
        store.delete(JOBS, "ml", "t", propagation_policy="Sideways")

    assert str(info.value) == (
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
        '"Sideways": supported values: "Foreground", "Background", "Orphan", "nil"'
    )


@pytest.mark.parametrize(
    ("preconditions", "message"),
    [
        pytest.param(
            {"uid": "other"},
            'Operation cannot be fulfilled on Pod "a": the UID in the precondition (other) does '
            "not match the UID in record ({uid}). The object might have been deleted and then "
            "recreated",
            id="a uid precondition that does not match is a conflict naming the Kind",
        ),
        pytest.param(
            {"resourceVersion": "9"},
            'Operation cannot be fulfilled on Pod "a": the ResourceVersion in the precondition '
            "(9) does not match the ResourceVersion in record (1). The object might have been "
            "modified",
            id="a resourceVersion precondition that does not match is a conflict",
        ),
    ],
)
def test_failed_preconditions_are_conflicts(
    store: Store, preconditions: dict[str, Any], message: str
) -> None:
    uid = store.create(PODS, make_pod("a"))["metadata"]["uid"]

    with pytest.raises(Conflict) as info:
        store.delete(PODS, "ml", "a", preconditions=preconditions)

    assert str(info.value) == message.format(uid=uid)
    assert store.get(PODS, "ml", "a")["metadata"]["uid"] == uid


def test_matching_preconditions_allow_the_delete(store: Store) -> None:
    meta = store.create(PODS, make_pod("a"))["metadata"]

    result = store.delete_result(
        PODS,
        "ml",
        "a",
        preconditions={"uid": meta["uid"], "resourceVersion": meta["resourceVersion"]},
    )

    assert result.deleted


def test_dry_run_delete_changes_nothing(store: Store) -> None:
    store.create(PODS, make_pod("a"))

    result = store.delete_result(PODS, "ml", "a", dry_run=True)

    assert result.deleted
    assert store.get(PODS, "ml", "a")["metadata"]["resourceVersion"] == "1"
    assert store.current_resource_version() == "1"


def test_delete_collection_deletes_the_matching_objects(store: Store) -> None:
    store.create(PODS, make_pod("a", labels={"job": "t"}))
    store.create(PODS, make_pod("b", labels={"job": "t"}))
    store.create(PODS, make_pod("c", labels={"job": "u"}))
    store.create(PODS, make_pod("d", "other", labels={"job": "t"}))

    deleted = store.delete_collection(PODS, "ml", label_selector="job=t")

    assert [o["metadata"]["name"] for o in deleted] == ["a", "b"]
    assert sorted(
        (o["metadata"]["namespace"], o["metadata"]["name"]) for o in store.list(PODS).items
    ) == [("ml", "c"), ("other", "d")]


def test_delete_collection_returns_objects_kept_by_finalizers(store: Store) -> None:
    store.create(PODS, make_pod("a", finalizers=["f/g"]))
    store.create(PODS, make_pod("b"))

    out = store.delete_collection(PODS, "ml")

    assert [o["metadata"]["name"] for o in out] == ["a", "b"]
    assert [o["metadata"]["name"] for o in store.list(PODS, "ml").items] == ["a"]


def test_orphan_dependents_and_a_propagation_policy_together_are_invalid(store: Store) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    with pytest.raises(Invalid) as info:
        store.delete(JOBS, "ml", "t", propagation_policy="Orphan", orphan_dependents=True)

    assert str(info.value) == (
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": '
        "orphanDependents and deletionPropagation cannot be both set"
    )


@pytest.mark.parametrize(
    ("orphan", "finalizers"),
    [
        pytest.param(True, ["orphan"], id="orphanDependents=true adds the orphan finalizer"),
        pytest.param(False, None, id="orphanDependents=false deletes at once"),
    ],
)
def test_the_deprecated_orphan_dependents_option(
    store: Store, orphan: bool, finalizers: list[str] | None
) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    result = store.delete_result(
        JOBS, "ml", "t", orphan_dependents=orphan, default_propagation_policy="Orphan"
    )

    assert result.deleted is (finalizers is None)
    assert result.object["metadata"].get("finalizers") == finalizers
