"""Server-side apply: ownership, conflicts, force and pruning.

Scenarios follow ``sigs.k8s.io/structured-merge-diff/v6/merge`` tests
(``multiple_appliers_test.go``, ``conflict_test.go``, ``obsolete_versions_test.go`` style:
two appliers, an updater taking a field, force, a dropped field), the apiserver's
``k8s.io/apimachinery/pkg/util/managedfields/internal/fieldmanager_test.go`` and
``conflict_test.go`` (messages and causes), and the managedFields example of
api-machinery.md §5.4.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.engine.errors import BadRequest, Conflict
from mlkube.engine.patch import apply, default_manager, track_update

T0 = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)
T1 = datetime(2025, 5, 1, 12, 5, 0, tzinfo=UTC)


def deployment(
    *,
    replicas: int | None = 3,
    image: str = "nginx:1",
    containers: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": containers
                if containers is not None
                else [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]
            },
        }
    }
    if replicas is not None:
        spec = {"replicas": replicas, **spec}
    metadata: dict[str, Any] = {"name": "web"}
    if labels is not None:
        metadata["labels"] = labels
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}


def do_apply(
    live: dict[str, Any] | None,
    config: dict[str, Any],
    manager: str,
    *,
    force: bool = False,
    now: datetime = T0,
    subresource: str = "",
) -> dict[str, Any]:
    return apply(
        live,
        config,
        manager=manager,
        force=force,
        api_version="apps/v1",
        kind="Deployment",
        now=now,
        subresource=subresource,
    )


def do_update(
    live: dict[str, Any], change: Any, manager: str, *, subresource: str = ""
) -> dict[str, Any]:
    """``live`` changed by ``change(obj)`` and recorded as an Update by ``manager``."""
    new = copy.deepcopy(live)
    change(new)
    new["metadata"]["managedFields"] = track_update(
        live, new, manager=manager, api_version="apps/v1", now=T0, subresource=subresource
    )
    return new


def entries(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["manager"]: e for e in obj["metadata"].get("managedFields", [])}


def set_replicas(n: int) -> Any:
    def change(obj: dict[str, Any]) -> None:
        obj["spec"]["replicas"] = n

    return change


def test_apply_creates_and_records_upstreams_entry() -> None:
    created = do_apply(None, deployment(), "kubectl")
    assert json.dumps(created["metadata"]["managedFields"], separators=(",", ":")) == (
        '[{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1",'
        '"time":"2025-05-01T12:00:00Z","fieldsType":"FieldsV1",'
        '"fieldsV1":{"f:spec":{"f:replicas":{},'
        '"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},'
        '"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{},'
        '"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},'
        '"f:containerPort":{}}}}}}}}}}]'
    )
    assert created["spec"]["replicas"] == 3


def test_a_field_changed_by_an_updater_conflicts_with_the_applier() -> None:
    live = do_update(do_apply(None, deployment(), "kubectl"), set_replicas(5), "kubectl-edit")
    with pytest.raises(Conflict) as caught:
        do_apply(live, deployment(), "kubectl")
    assert caught.value.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: '
        ".spec.replicas",
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "kubectl-edit" using apps/v1',
                    "field": ".spec.replicas",
                }
            ]
        },
        "code": 409,
    }


def test_an_updater_takes_the_field_from_the_applier() -> None:
    live = do_update(do_apply(None, deployment(), "kubectl"), set_replicas(5), "kubectl-edit")
    owners = entries(live)
    assert owners["kubectl-edit"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in owners["kubectl"]["fieldsV1"]["f:spec"]


def test_conflicts_with_two_fields_are_listed_per_manager() -> None:
    def change(obj: dict[str, Any]) -> None:
        obj["spec"]["replicas"] = 5
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"

    live = do_update(do_apply(None, deployment(), "kubectl"), change, "m1")
    with pytest.raises(Conflict) as caught:
        do_apply(live, deployment(), "kubectl")
    assert caught.value.message == (
        'Apply failed with 2 conflicts: conflicts with "m1" using apps/v1:\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="web"].image'
    )
    assert [c["field"] for c in caught.value.causes] == [
        ".spec.replicas",
        '.spec.template.spec.containers[name="web"].image',
    ]


def test_an_apply_manager_is_printed_without_its_version() -> None:
    live = do_apply(None, deployment(), "alice")
    with pytest.raises(Conflict) as caught:
        do_apply(live, deployment(replicas=5), "bob")
    assert caught.value.message == (
        'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    )


def test_a_subresource_manager_is_printed_with_its_subresource() -> None:
    def status(obj: dict[str, Any]) -> None:
        obj["status"] = {"replicas": 2}

    live = do_update(do_apply(None, deployment(), "kubectl"), status, "ctrl", subresource="status")
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    with pytest.raises(Conflict) as caught:
        do_apply(live, {**config, "status": {"replicas": 7}}, "other", subresource="status")
    assert caught.value.message == (
        'Apply failed with 1 conflict: conflict with "ctrl" with subresource "status" using '
        "apps/v1: .status.replicas"
    )


def test_applying_the_same_value_shares_the_field_without_conflict() -> None:
    shared = do_apply(do_apply(None, deployment(), "alice"), deployment(), "bob")
    owners = entries(shared)
    assert "f:replicas" in owners["alice"]["fieldsV1"]["f:spec"]
    assert "f:replicas" in owners["bob"]["fieldsV1"]["f:spec"]


def test_force_takes_the_field_and_the_loser_keeps_the_rest() -> None:
    live = do_apply(None, deployment(), "alice")
    forced = do_apply(live, deployment(replicas=5), "bob", force=True)
    owners = entries(forced)
    assert forced["spec"]["replicas"] == 5
    assert "f:replicas" in owners["bob"]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in owners["alice"]["fieldsV1"]["f:spec"]
    assert "f:template" in owners["alice"]["fieldsV1"]["f:spec"]


def test_force_removes_a_manager_left_with_nothing() -> None:
    live = do_update(do_apply(None, deployment(), "kubectl"), set_replicas(5), "kubectl-scale")
    forced = do_apply(live, deployment(), "kubectl", force=True)
    assert set(entries(forced)) == {"kubectl"}
    assert forced["spec"]["replicas"] == 3


def test_a_field_the_applier_drops_is_removed_when_nobody_else_owns_it() -> None:
    live = do_apply(None, deployment(), "kubectl")
    pruned = do_apply(live, deployment(replicas=None), "kubectl", now=T1)
    assert "replicas" not in pruned["spec"]
    assert "f:replicas" not in entries(pruned)["kubectl"]["fieldsV1"]["f:spec"]


def test_a_dropped_field_another_applier_owns_stays() -> None:
    live = do_apply(do_apply(None, deployment(), "alice"), deployment(), "bob")
    kept = do_apply(live, deployment(replicas=None), "alice", now=T1)
    assert kept["spec"]["replicas"] == 3
    assert "f:replicas" in entries(kept)["bob"]["fieldsV1"]["f:spec"]


def test_a_dropped_field_an_updater_owns_stays() -> None:
    live = do_update(do_apply(None, deployment(), "kubectl"), set_replicas(5), "hpa")
    kept = do_apply(live, deployment(replicas=None), "kubectl", now=T1)
    assert kept["spec"]["replicas"] == 5


def test_a_dropped_container_leaves_the_list() -> None:
    two = [
        {"name": "web", "image": "nginx:1"},
        {"name": "sidecar", "image": "envoy:1"},
    ]
    live = do_apply(None, deployment(containers=two), "kubectl")
    pruned = do_apply(live, deployment(containers=two[:1]), "kubectl", now=T1)
    assert pruned["spec"]["template"]["spec"]["containers"] == [two[0]]


def test_a_noop_apply_keeps_the_time_of_the_entry() -> None:
    live = do_apply(None, deployment(), "kubectl", now=T0)
    again = do_apply(live, deployment(), "kubectl", now=T1)
    assert entries(again)["kubectl"]["time"] == "2025-05-01T12:00:00Z"
    assert again == live


def test_an_apply_that_changes_the_object_stamps_the_time() -> None:
    live = do_apply(None, deployment(), "kubectl", now=T0)
    changed = do_apply(live, deployment(replicas=4), "kubectl", now=T1)
    assert entries(changed)["kubectl"]["time"] == "2025-05-01T12:05:00Z"


def test_list_map_items_merge_by_key_keeping_other_owners_items() -> None:
    live = do_apply(None, deployment(), "alice")
    config = deployment(containers=[{"name": "sidecar", "image": "envoy:1"}], replicas=None)
    both = do_apply(live, config, "bob")
    names = [c["name"] for c in both["spec"]["template"]["spec"]["containers"]]
    assert names == ["web", "sidecar"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            {**deployment(), "apiVersion": "apps/v1beta1"},
            "invalid object type: apps/v1beta1, Kind=Deployment",
            id="a body of another apiVersion is refused by the version check",
        ),
        pytest.param(
            {**deployment(), "kind": "ReplicaSet"},
            "invalid object type: apps/v1, Kind=ReplicaSet",
            id="a body of another kind is refused by the version check",
        ),
        pytest.param(
            {k: v for k, v in deployment().items() if k != "kind"},
            "invalid object type: apps/v1, Kind=",
            id="a body without a kind is refused with an empty kind",
        ),
        pytest.param(
            {**deployment(), "apiVersion": "a/b/c"},
            "invalid object type: /, Kind=",
            id="an apiVersion with two slashes empties group, version and kind",
        ),
        pytest.param(
            {**deployment(), "metadata": {"name": "web", "managedFields": []}},
            "metadata.managedFields must be nil",
            id="a body with managedFields is refused",
        ),
    ],
)
def test_bad_apply_bodies(config: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        do_apply(None, config, "kubectl")
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("user_agent", "field_manager", "expected"),
    [
        pytest.param(
            "kubectl/v1.37.0 (linux/amd64) kubernetes/abcdef", None, "kubectl", id="kubectl"
        ),
        pytest.param(
            "OpenAPI-Generator/30.1.0/python",
            None,
            "OpenAPI-Generator",
            id="the official Python client",
        ),
        pytest.param("python-httpx/0.27.0", None, "python-httpx", id="httpx (lightkube)"),
        pytest.param("kubectl/v1.37.0", "kubectl-edit", "kubectl-edit", id="fieldManager wins"),
        pytest.param("bad\x00agent/1", None, "badagent", id="unprintable characters are dropped"),
        pytest.param("x" * 200, None, "x" * 128, id="the name is cut to 128 bytes"),
    ],
)
def test_default_manager(user_agent: str, field_manager: str | None, expected: str) -> None:
    assert default_manager(user_agent, field_manager) == expected
