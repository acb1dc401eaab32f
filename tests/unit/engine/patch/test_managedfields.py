"""Field ownership recorded by create, update and non-apply patch (``track_update``).

Cases follow ``k8s.io/apimachinery/pkg/util/managedfields/internal/``: ``fieldmanager_test.go``
(``TestUpdateApplyConflict``, ``TestResetManagedFieldsEmptyList``,
``TestResetManagedFieldsEmptyItem``), ``skipnonapplied_test.go``, ``capmanagers_test.go``,
``managedfields_test.go`` (identifiers, sorting) and ``stripmeta.go``.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mlkube.engine.patch import decode_managed_fields, manager_identifier, track_update

T0 = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)


def pod(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml", "uid": "u-1", "labels": {"app": "x"}},
        "spec": {"containers": [{"name": "c", "image": "img:1"}], **spec},
    }


def track(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    manager: str,
    *,
    now: datetime = T0,
    subresource: str = "",
) -> list[dict[str, Any]]:
    return track_update(
        old, new, manager=manager, api_version="v1", now=now, subresource=subresource
    )


def created(manager: str = "kubectl-create") -> dict[str, Any]:
    obj = pod()
    obj["metadata"]["managedFields"] = track(None, obj, manager)
    return obj


def changed(live: dict[str, Any], change: Any) -> dict[str, Any]:
    new = copy.deepcopy(live)
    change(new)
    return new


def by_manager(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["manager"]: e for e in fields}


def test_a_create_owns_every_field_it_set() -> None:
    assert track(None, pod(), "kubectl-create") == [
        {
            "manager": "kubectl-create",
            "operation": "Update",
            "apiVersion": "v1",
            "time": "2025-05-01T12:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}, "f:resources": {}}
                    }
                },
            },
        }
    ]


def test_a_write_that_names_no_manager_is_recorded_as_unknown() -> None:
    """buildManagerInfo: no fieldManager and no User-Agent give the manager ``unknown``."""
    (entry,) = track(None, pod(), "")
    assert (entry["manager"], entry["operation"]) == ("unknown", "Update")
    updated = pod(nodeName="n1")
    (again,) = track(pod() | {"metadata": {**pod()["metadata"], "managedFields": [entry]}},
                     updated, "")  # fmt: skip
    assert again["manager"] == "unknown", "the same unnamed writer keeps one entry"
    assert "f:nodeName" in again["fieldsV1"]["f:spec"]


def test_an_update_takes_the_fields_it_changes() -> None:
    live = created()
    new = changed(live, lambda o: o["spec"].update(nodeName="n1"))
    owners = by_manager(track(live, new, "scheduler"))
    assert owners["scheduler"]["fieldsV1"] == {"f:spec": {"f:nodeName": {}}}
    assert "f:nodeName" not in owners["kubectl-create"]["fieldsV1"]["f:spec"]


def test_a_changed_field_moves_from_its_old_owner() -> None:
    live = created()
    new = changed(live, lambda o: o["spec"]["containers"][0].update(image="img:2"))
    owners = by_manager(track(live, new, "kubectl-set"))
    container = owners["kubectl-create"]["fieldsV1"]["f:spec"]["f:containers"]['k:{"name":"c"}']
    assert "f:image" not in container
    assert owners["kubectl-set"]["fieldsV1"]["f:spec"]["f:containers"] == {
        'k:{"name":"c"}': {"f:image": {}}
    }


def test_a_removed_field_leaves_its_owner() -> None:
    live = created()
    new = changed(live, lambda o: o["metadata"].pop("labels"))
    owners = by_manager(track(live, new, "kubectl-label"))
    assert "f:metadata" not in owners["kubectl-create"]["fieldsV1"]
    assert "kubectl-label" not in owners


def test_updates_by_one_manager_merge_into_one_entry() -> None:
    live = created()
    first = changed(live, lambda o: o["metadata"]["labels"].update(a="1"))
    first["metadata"]["managedFields"] = track(live, first, "kubectl-label")
    second = changed(first, lambda o: o["metadata"]["labels"].update(b="2"))
    owners = by_manager(track(first, second, "kubectl-label"))
    assert owners["kubectl-label"]["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:a": {}, "f:b": {}}}
    }


def test_identity_fields_are_never_owned() -> None:
    live = created()
    new = changed(live, lambda o: o["metadata"].update(resourceVersion="7", generation=2))
    assert track(live, new, "someone") == live["metadata"]["managedFields"]


def test_status_written_through_the_main_resource_is_not_recorded() -> None:
    live = created()
    new = changed(live, lambda o: o.update(status={"phase": "Running"}))
    assert "someone" not in by_manager(track(live, new, "someone"))


def test_status_written_through_the_status_subresource_is_recorded_with_it() -> None:
    live = created()
    new = changed(live, lambda o: o.update(status={"phase": "Running"}))
    entry = by_manager(track(live, new, "kubelet", subresource="status"))["kubelet"]
    assert (entry["subresource"], entry["fieldsV1"]) == ("status", {"f:status": {"f:phase": {}}})


@pytest.mark.parametrize(
    "request_fields",
    [
        pytest.param([], id="an empty list"),
        pytest.param([{}], id="a list with one empty entry"),
    ],
)
def test_a_request_can_reset_managed_fields(request_fields: list[dict[str, Any]]) -> None:
    live = created()
    new = changed(live, lambda o: o["metadata"].update(managedFields=request_fields))
    assert track(live, new, "kubectl-edit") == []


def test_a_request_without_managed_fields_keeps_the_live_ones() -> None:
    live = created()
    new = changed(live, lambda o: o["metadata"].pop("managedFields"))
    assert track(live, new, "kubectl-edit") == live["metadata"]["managedFields"]


def test_an_untracked_object_stays_untracked_on_update() -> None:
    live = pod()
    new = changed(live, lambda o: o["spec"].update(nodeName="n1"))
    assert track(live, new, "scheduler") == []


def test_a_write_that_changes_nothing_does_not_stamp_the_time() -> None:
    live = created()
    later = T0 + timedelta(minutes=5)
    assert (
        track(live, copy.deepcopy(live), "kubectl-create", now=later)
        == (live["metadata"]["managedFields"])
    )


def test_more_than_ten_updaters_fold_the_oldest_into_ancient_changes() -> None:
    live = created()
    for i in range(11):
        new = changed(live, lambda o, i=i: o["metadata"]["labels"].update({f"l{i}": "v"}))
        new["metadata"]["managedFields"] = track(
            live, new, f"m{i}", now=T0 + timedelta(minutes=i + 1)
        )
        live = new
    managers = [e["manager"] for e in live["metadata"]["managedFields"]]
    assert len(managers) == 10
    assert managers[0] == "ancient-changes"
    assert "kubectl-create" not in managers
    assert "m0" not in managers
    ancient = live["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"]["f:labels"]
    assert {"f:app", "f:l0"} <= set(ancient)


def test_entries_are_sorted_apply_first_then_by_time() -> None:
    fields = [
        {"manager": "b", "operation": "Update", "apiVersion": "v1", "time": "2025-05-01T12:00:00Z"},
        {"manager": "a", "operation": "Update", "apiVersion": "v1", "time": "2025-05-01T13:00:00Z"},
        {"manager": "z", "operation": "Apply", "apiVersion": "v1", "time": "2025-05-01T14:00:00Z"},
    ]
    for entry in fields:
        entry.update(fieldsType="FieldsV1", fieldsV1={"f:metadata": {"f:labels": {"f:app": {}}}})
    live = pod()
    live["metadata"]["managedFields"] = fields
    new = changed(live, lambda o: None)
    assert [e["manager"] for e in track(live, new, "b")] == ["z", "b", "a"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ("kubectl", "Apply", "apps/v1", ""),
            '{"manager":"kubectl","operation":"Apply"}',
            id="an Apply identifier leaves out the apiVersion",
        ),
        pytest.param(
            ("kubectl-edit", "Update", "apps/v1", ""),
            '{"manager":"kubectl-edit","operation":"Update","apiVersion":"apps/v1"}',
            id="an Update identifier carries the apiVersion",
        ),
        pytest.param(
            ("kubelet", "Update", "v1", "status"),
            '{"manager":"kubelet","operation":"Update","apiVersion":"v1","subresource":"status"}',
            id="a subresource is part of the identity",
        ),
    ],
)
def test_manager_identifier(args: tuple[str, str, str, str], expected: str) -> None:
    assert manager_identifier(*args) == expected


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        pytest.param([{"manager": "a"}], "missing fieldsType in managed fields entry 0", id="none"),
        pytest.param(
            [{"manager": "a", "fieldsType": "FieldsV2"}],
            'invalid fieldsType "FieldsV2" in managed fields entry 0',
            id="unknown",
        ),
    ],
)
def test_decode_rejects_entries_without_fields_v1(entries: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_managed_fields(entries)


def test_a_kubectl_create_of_a_defaulted_deployment_records_what_kubectl_shows() -> None:
    # The managedFields `kubectl create deployment nginx --image=nginx` leaves (as
    # `kubectl get -o yaml --show-managed-fields` prints them): value structs (spec,
    # strategy, template) and PodSpec.containers get no ".", a pointer struct
    # (rollingUpdate) and maps (labels) do, atomic selector and empty structs are leaves.
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "nginx", "labels": {"app": "nginx"}},
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "nginx"}},
            "strategy": {
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                "type": "RollingUpdate",
            },
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {
                    "containers": [
                        {
                            "image": "nginx",
                            "imagePullPolicy": "Always",
                            "name": "nginx",
                            "resources": {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                        }
                    ],
                    "dnsPolicy": "ClusterFirst",
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "terminationGracePeriodSeconds": 30,
                },
            },
        },
    }
    [entry] = track_update(
        None, deployment, manager="kubectl-create", api_version="apps/v1", now=T0
    )
    labels = {".": {}, "f:app": {}}
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": labels},
        "f:spec": {
            "f:progressDeadlineSeconds": {},
            "f:replicas": {},
            "f:revisionHistoryLimit": {},
            "f:selector": {},
            "f:strategy": {
                "f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                "f:type": {},
            },
            "f:template": {
                "f:metadata": {"f:labels": labels},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"nginx"}': {
                            ".": {},
                            "f:image": {},
                            "f:imagePullPolicy": {},
                            "f:name": {},
                            "f:resources": {},
                            "f:terminationMessagePath": {},
                            "f:terminationMessagePolicy": {},
                        }
                    },
                    "f:dnsPolicy": {},
                    "f:restartPolicy": {},
                    "f:schedulerName": {},
                    "f:securityContext": {},
                    "f:terminationGracePeriodSeconds": {},
                },
            },
        },
    }
