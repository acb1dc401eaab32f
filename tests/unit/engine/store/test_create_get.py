"""create and get: server-owned metadata, generateName and the errors upstream returns."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import AlreadyExists, BadRequest, InternalError, Invalid, NotFound
from mlkube.engine.store import NAME_ALPHABET, Store, generate_name

from .conftest import JOBS, NODES, PODS, make_pod


def test_create_assigns_uid_resource_version_and_creation_timestamp(
    store: Store, clock: FakeClock
) -> None:
    clock.advance(90.7)

    pod = store.create(PODS, make_pod("a"))

    meta = pod["metadata"]
    assert uuid.UUID(meta["uid"]).version == 4
    assert meta["resourceVersion"] == "1"
    assert meta["creationTimestamp"] == "2026-01-01T00:01:30Z"


def test_resource_versions_come_from_one_counter_across_types(store: Store) -> None:
    rvs = [
        store.create(PODS, make_pod("a"))["metadata"]["resourceVersion"],
        store.create(NODES, {"metadata": {"name": "n1"}})["metadata"]["resourceVersion"],
        store.create(PODS, make_pod("b"))["metadata"]["resourceVersion"],
    ]

    assert rvs == ["1", "2", "3"]
    assert store.current_resource_version() == "3"


def test_create_keeps_every_field_it_does_not_own(store: Store) -> None:
    pod = make_pod("a", labels={"app": "x"})
    pod["metadata"]["annotations"] = {"a": "b"}
    pod["status"] = {"phase": "Pending"}

    created = store.create(PODS, pod)

    assert created["spec"] == pod["spec"]
    assert created["status"] == {"phase": "Pending"}
    assert created["metadata"]["labels"] == {"app": "x"}
    assert created["metadata"]["annotations"] == {"a": "b"}


def test_created_objects_encode_metadata_in_object_meta_order(store: Store) -> None:
    pod = make_pod("a", labels={"app": "x"})
    pod["metadata"] = {"labels": {"app": "x"}, "namespace": "ml", "name": "a"}

    created = store.create(PODS, pod)

    assert list(created) == ["kind", "apiVersion", "metadata", "spec"]
    assert list(created["metadata"]) == [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "labels",
    ]


def test_create_clears_a_client_supplied_deletion_timestamp(store: Store) -> None:
    pod = make_pod("a")
    pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    pod["metadata"]["deletionGracePeriodSeconds"] = 5

    meta = store.create(PODS, pod)["metadata"]

    assert "deletionTimestamp" not in meta
    assert "deletionGracePeriodSeconds" not in meta


def test_get_returns_the_stored_object(store: Store) -> None:
    created = store.create(PODS, make_pod("a"))

    assert store.get(PODS, "ml", "a") == created


def test_callers_cannot_mutate_the_stored_object(store: Store) -> None:
    pod = make_pod("a", labels={"app": "x"})
    created = store.create(PODS, pod)
    pod["metadata"]["labels"]["app"] = "mutated-input"
    created["metadata"]["labels"]["app"] = "mutated-output"
    got = store.get(PODS, "ml", "a")
    got["spec"]["containers"].clear()

    assert store.get(PODS, "ml", "a")["metadata"]["labels"] == {"app": "x"}
    assert store.get(PODS, "ml", "a")["spec"]["containers"] != []
    assert store.list(PODS, label_selector="app=x").items != []


def test_create_fills_kind_and_api_version_when_absent(store: Store) -> None:
    created = store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}, "spec": {}})

    assert (created["kind"], created["apiVersion"]) == ("Job", "batch/v1")


def test_a_cluster_scoped_object_loses_any_namespace(store: Store) -> None:
    created = store.create(NODES, {"metadata": {"name": "n1", "namespace": "ml"}})

    assert "namespace" not in created["metadata"]
    assert store.get(NODES, None, "n1")["metadata"]["name"] == "n1"


@pytest.mark.parametrize(
    ("obj", "error", "message"),
    [
        pytest.param(
            make_pod("a", namespace=""),
            BadRequest,
            "Namespace parameter required.",
            id="a namespaced object without a namespace is a bad request",
        ),
        pytest.param(
            make_pod(""),
            Invalid,
            'Pod "" is invalid: metadata.name: Required value: name or generateName is required',
            id="an object without name or generateName is invalid",
        ),
        pytest.param(
            {**make_pod("a"), "metadata": {"name": "a", "namespace": "ml", "resourceVersion": "4"}},
            InternalError,
            "Internal error occurred: resourceVersion should not be set on objects to be created",
            id="a resourceVersion on create is refused as etcd3's store refuses it",
        ),
    ],
)
def test_create_rejects(
    store: Store, obj: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        store.create(PODS, obj)

    assert str(info.value) == message


def test_creating_an_existing_name_is_already_exists(store: Store) -> None:
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    with pytest.raises(AlreadyExists) as info:
        store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    assert info.value.to_status()["message"] == 'jobs.batch "t" already exists'
    assert info.value.details == {"name": "t", "group": "batch", "kind": "jobs"}


def test_the_same_name_in_another_namespace_is_another_object(store: Store) -> None:
    store.create(PODS, make_pod("a", "ml"))
    store.create(PODS, make_pod("a", "other"))

    assert store.get(PODS, "other", "a")["metadata"]["namespace"] == "other"


def test_creating_over_an_object_being_deleted_says_so(store: Store) -> None:
    store.create(PODS, make_pod("a", finalizers=["example.com/hold"]))
    store.delete(PODS, "ml", "a")

    with pytest.raises(AlreadyExists, match=r'^object is being deleted: pods "a" already exists$'):
        store.create(PODS, make_pod("a"))


def test_a_failed_create_changes_nothing(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    watch = store.watch(PODS, resource_version="1")

    with pytest.raises(AlreadyExists):
        store.create(PODS, make_pod("a"))

    assert store.current_resource_version() == "1"
    assert watch.drain() == []


def test_dry_run_create_stores_nothing_and_has_no_resource_version(store: Store) -> None:
    watch = store.watch(PODS, resource_version="0")

    out = store.create(PODS, make_pod("a"), dry_run=True)

    assert "resourceVersion" not in out["metadata"]
    assert out["metadata"]["uid"]
    assert store.current_resource_version() == "0"
    assert watch.drain() == []
    with pytest.raises(NotFound):
        store.get(PODS, "ml", "a")


def test_get_of_a_missing_object_is_not_found_with_the_qualified_resource(store: Store) -> None:
    with pytest.raises(NotFound) as info:
        store.get(JOBS, "ml", "train")

    assert info.value.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'jobs.batch "train" not found',
        "reason": "NotFound",
        "details": {"name": "train", "group": "batch", "kind": "jobs"},
        "code": 404,
    }


def test_generate_name_appends_five_characters_of_the_upstream_alphabet(store: Store) -> None:
    name = store.create(PODS, make_pod(generate_name="train-"))["metadata"]["name"]

    assert name.startswith("train-")
    assert len(name) == len("train-") + 5
    assert set(name[len("train-") :]) <= set(NAME_ALPHABET)


def test_generate_name_cuts_a_long_prefix_to_58_characters() -> None:
    name = generate_name("x" * 70, random.Random(1))

    assert len(name) == 63
    assert name.startswith("x" * 58)


class _ScriptedRandom(random.Random):
    """Yields the characters of the given names, one name per generateName attempt."""

    def __init__(self, *names: str) -> None:
        super().__init__(0)
        self._chars = iter("".join(names))

    def choice(self, seq: Any) -> Any:
        return next(self._chars)


def test_generate_name_retries_on_a_collision(clock: FakeClock) -> None:
    store = Store(clock, rng=_ScriptedRandom("bbbbb", "bbbbb", "ccccc"))
    store.create(PODS, make_pod(generate_name="g-"))

    second = store.create(PODS, make_pod(generate_name="g-"))

    assert second["metadata"]["name"] == "g-ccccc"


def test_generate_name_gives_up_after_eight_collisions(clock: FakeClock) -> None:
    store = Store(clock, rng=_ScriptedRandom(*["bbbbb"] * 9))
    store.create(PODS, make_pod(generate_name="g-"))

    with pytest.raises(AlreadyExists) as info:
        store.create(PODS, make_pod(generate_name="g-"))

    assert info.value.to_status()["message"] == (
        'pods "g-bbbbb" already exists, the server was not able to generate a unique name '
        "for the object"
    )
    assert info.value.retry_after_seconds == 1


def test_keep_uid_keeps_the_system_fields_the_caller_filled(store: Store) -> None:
    pod = make_pod("a")
    pod["metadata"]["uid"] = "11111111-2222-4333-8444-555555555555"
    pod["metadata"]["creationTimestamp"] = "2025-06-01T00:00:00Z"

    meta = store.create(PODS, pod, keep_uid=True)["metadata"]

    assert meta["uid"] == "11111111-2222-4333-8444-555555555555"
    assert meta["creationTimestamp"] == "2025-06-01T00:00:00Z"


def test_without_keep_uid_a_client_uid_is_replaced(store: Store) -> None:
    pod = make_pod("a")
    pod["metadata"]["uid"] = "11111111-2222-4333-8444-555555555555"

    assert store.create(PODS, pod)["metadata"]["uid"] != pod["metadata"]["uid"]
