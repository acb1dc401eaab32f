"""Planning compares only the fields mlkube owns, as server-side apply would write them."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.plan import Plan, compare, owned_fields, project


def quota(**hard: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "vision", "namespace": "vision"},
        "spec": {"hard": hard},
    }


def applied(
    obj: dict[str, Any], fields: dict[str, Any], manager: str = "mlkube", **extra: Any
) -> dict[str, Any]:
    live = {**obj, "metadata": {**obj["metadata"], "uid": "u1", "resourceVersion": "7"}}
    live["metadata"]["managedFields"] = [
        {
            "manager": manager,
            "operation": "Apply",
            "fieldsType": "FieldsV1",
            "fieldsV1": fields,
            **extra,
        }
    ]
    return live


QUOTA_FIELDS = {"f:spec": {"f:hard": {"f:requests.cpu": {}, "f:requests.memory": {}}}}


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        pytest.param(quota(**{"requests.cpu": "8"}), None, "create", id="absent: create"),
        pytest.param(
            quota(**{"requests.cpu": "8", "requests.memory": "1Gi"}),
            applied(quota(**{"requests.cpu": "8", "requests.memory": "1Gi"}), QUOTA_FIELDS),
            "unchanged",
            id="the same fields: unchanged",
        ),
        pytest.param(
            quota(**{"requests.cpu": "1", "requests.memory": "1024Mi"}),
            applied(quota(**{"requests.cpu": "1000m", "requests.memory": "1Gi"}), QUOTA_FIELDS),
            "unchanged",
            id="quantities compare by amount (quantity_test.go: 1000m equals 1)",
        ),
        pytest.param(
            quota(**{"requests.cpu": "8", "requests.memory": "1Gi"}),
            applied(quota(**{"requests.cpu": "4", "requests.memory": "1Gi"}), QUOTA_FIELDS),
            "change",
            id="a field that differs: change",
        ),
        pytest.param(
            quota(**{"requests.cpu": "8"}),
            applied(quota(**{"requests.cpu": "8", "requests.memory": "1Gi"}), QUOTA_FIELDS),
            "change",
            id="a field mlkube owns and the spec dropped: change (apply removes it)",
        ),
        pytest.param(
            quota(**{"requests.cpu": "8"}),
            applied(
                quota(**{"requests.cpu": "8", "pods": "10"}),
                {"f:spec": {"f:hard": {"f:requests.cpu": {}}}},
            ),
            "unchanged",
            id="a field someone else set is not mlkube's to compare",
        ),
    ],
)
def test_comparing_desired_with_live(
    desired: dict[str, Any], live: dict[str, Any] | None, expected: str
) -> None:
    owned = owned_fields(live) if live is not None else {}
    assert compare(desired, live, owned) == expected


def test_fields_another_manager_owns_are_not_mlkube_s() -> None:
    live = applied(quota(), QUOTA_FIELDS, manager="kubectl")
    assert owned_fields(live) == {}


def test_a_subresource_s_fields_are_owned_through_that_subresource_only() -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}
    live = applied(node, {"f:status": {"f:capacity": {"f:cpu": {}}}}, subresource="status")
    assert owned_fields(live) == {}
    assert owned_fields(live, "status") == {"status": {"capacity": {"cpu": {}}}}


def test_a_diff_shows_the_live_object_through_the_desired_shape() -> None:
    desired = quota(**{"requests.cpu": "8"})
    live = applied(quota(**{"requests.cpu": "4"}), QUOTA_FIELDS)
    live["status"] = {"used": {"requests.cpu": "1"}}
    change = Plan().add(desired, live)
    assert project(live, desired, change.owned) == {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "vision", "namespace": "vision"},
        "spec": {"hard": {"requests.cpu": "4"}},
    }
    assert change.diff() == (
        "--- live/resourcequota/vision -n vision\n"
        "+++ desired/resourcequota/vision -n vision\n"
        "@@ -5,4 +5,4 @@\n"
        "   namespace: vision\n"
        " spec:\n"
        "   hard:\n"
        "-    requests.cpu: '4'\n"
        "+    requests.cpu: '8'\n"
    )


def test_an_empty_string_is_held_by_its_absence_as_kube_apiserver_omits_it() -> None:
    # A real kube-apiserver drops PersistentVolume.spec.storageClassName "" (omitempty).
    desired = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "v"},
        "spec": {"storageClassName": ""},
    }
    live = applied({**desired, "spec": {}}, {"f:spec": {"f:storageClassName": {}}})
    assert compare(desired, live, owned_fields(live)) == "unchanged"
