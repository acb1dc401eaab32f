"""Pod updates and status updates: what may change, and the upstream refusals.

Cases from pkg/apis/core/validation/validation_test.go (TestValidatePodUpdate,
TestValidatePodStatusUpdate, TestValidateOnlyAddedTolerations,
TestValidateOnlyDeletedSchedulingGates) and pkg/registry/core/pod/strategy_test.go
(TestPodStrategyValidateUpdate, TestStatusPrepareForUpdate).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from pod_builders import created, make_pod, update_errors

from mlkube.engine.types import strategy_for
from mlkube.engine.types.pod import POD_UPDATE_FORBIDDEN_PREFIX

POD = strategy_for("v1", "Pod")
Obj = dict[str, Any]


def stored(**spec: Any) -> Obj:
    return created(
        POD, make_pod().container().container(name="side", image="envoy:1").spec(**spec).build()
    )


def changed(old: Obj, change: Callable[[Obj], None]) -> Obj:
    new = copy.deepcopy(old)
    change(new["spec"])
    return new


def test_the_forbidden_prefix_is_upstreams() -> None:
    assert POD_UPDATE_FORBIDDEN_PREFIX == (
        "pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)"
    )


def _set(key: str, value: Any) -> Callable[[Obj], None]:
    def apply(spec: Obj) -> None:
        spec[key] = value

    return apply


def _image(spec: Obj) -> None:
    spec["containers"][0]["image"] = "pytorch:2.4"


def _add_toleration(spec: Obj) -> None:
    spec.setdefault("tolerations", []).append({"key": "b", "operator": "Exists"})


def _drop_gate(spec: Obj) -> None:
    spec["schedulingGates"] = []


ALLOWED = [
    pytest.param({}, _image, id="a container image may change"),
    pytest.param({}, _set("activeDeadlineSeconds", 600), id="an active deadline may be set"),
    pytest.param(
        {"activeDeadlineSeconds": 600},
        _set("activeDeadlineSeconds", 300),
        id="a deadline may shrink",
    ),
    pytest.param(
        {"tolerations": [{"key": "a", "operator": "Exists"}]},
        _add_toleration,
        id="tolerations may be added",
    ),
    pytest.param(
        {
            "tolerations": [
                {"key": "a", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}
            ]
        },
        lambda spec: spec["tolerations"][0].update(tolerationSeconds=10),
        id="a toleration's seconds may change",
    ),
    pytest.param(
        {"schedulingGates": [{"name": "kueue"}]}, _drop_gate, id="scheduling gates may be removed"
    ),
    pytest.param(
        {"schedulingGates": [{"name": "kueue"}]},
        _set("nodeSelector", {"zone": "a"}),
        id="a gated pod may gain node selector entries",
    ),
    pytest.param(
        {"terminationGracePeriodSeconds": -1},
        _set("terminationGracePeriodSeconds", 1),
        id="a negative grace period may be set to one",
    ),
]


@pytest.mark.parametrize(("spec", "change"), ALLOWED)
def test_allowed_pod_updates(spec: Obj, change: Callable[[Obj], None]) -> None:
    old = stored(**spec)
    assert update_errors(POD, changed(old, change), old) == []


REFUSED = [
    pytest.param(
        {},
        lambda spec: spec["containers"].pop(),
        ["spec.containers: Forbidden: pod updates may not add or remove containers"],
        id="containers may not be removed",
    ),
    pytest.param(
        {"activeDeadlineSeconds": 300},
        _set("activeDeadlineSeconds", 600),
        [
            "spec.activeDeadlineSeconds: Invalid value: 600: must be less than or equal to "
            "previous value"
        ],
        id="a deadline may not grow",
    ),
    pytest.param(
        {"activeDeadlineSeconds": 300},
        lambda spec: spec.pop("activeDeadlineSeconds"),
        [
            "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive "
            "integer to nil value"
        ],
        id="a deadline may not be removed",
    ),
    pytest.param(
        {"tolerations": [{"key": "a", "operator": "Exists"}]},
        _set("tolerations", [{"key": "b", "operator": "Exists"}]),
        [
            "spec.tolerations: Forbidden: existing toleration can not be modified except its "
            "tolerationSeconds"
        ],
        id="an existing toleration may not change",
    ),
    pytest.param(
        {"schedulingGates": [{"name": "a"}]},
        _set("schedulingGates", [{"name": "a"}, {"name": "b"}]),
        [
            "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new "
            "scheduling gate 'b'"
        ],
        id="scheduling gates may not be added",
    ),
    pytest.param(
        {"schedulingGates": [{"name": "kueue"}], "nodeSelector": {"zone": "a"}},
        _set("nodeSelector", {"zone": "b"}),
        [
            'spec.nodeSelector: Invalid value: {"zone":"b"}: only additions to spec.nodeSelector '
            "are allowed "
            "(no mutations or deletions)"
        ],
        id="a gated pod's node selector entries may not change",
    ),
]


@pytest.mark.parametrize(("spec", "change", "expected"), REFUSED)
def test_refused_pod_updates(spec: Obj, change: Callable[[Obj], None], expected: list[str]) -> None:
    old = stored(**spec)
    assert update_errors(POD, changed(old, change), old) == expected


def test_changing_other_fields_is_refused_with_the_updatable_fields_listed() -> None:
    old = stored()
    new = changed(old, _set("terminationGracePeriodSeconds", 5))
    errs = update_errors(POD, new, old)
    assert errs == [
        f"spec: Forbidden: {POD_UPDATE_FORBIDDEN_PREFIX}\n"
        "-terminationGracePeriodSeconds: 30\n+terminationGracePeriodSeconds: 5"
    ]


def test_resources_may_not_change_through_the_main_resource() -> None:
    old = stored()
    new = changed(
        old, lambda spec: spec["containers"][0]["resources"].update(requests={"cpu": "1"})
    )
    (err,) = update_errors(POD, new, old)
    assert err.startswith(f"spec: Forbidden: {POD_UPDATE_FORBIDDEN_PREFIX}\n-containers: ")


def test_an_update_without_a_resource_version_is_refused() -> None:
    old = stored()
    new = copy.deepcopy(old)
    del new["metadata"]["resourceVersion"]
    assert update_errors(POD, new, old) == [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update'
    ]


def test_the_pod_name_is_immutable() -> None:
    old = stored()
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "other"
    assert update_errors(POD, new, old) == [
        'metadata.name: Invalid value: "other": field is immutable'
    ]


def status_errors(new: Obj, old: Obj) -> list[str]:
    new = copy.deepcopy(new)
    POD.prepare_for_status_update(new, old)
    return [e.error() for e in POD.validate_status_update(new, old)]


def test_the_qos_class_is_immutable_in_status() -> None:
    old = stored()
    new = copy.deepcopy(old)
    new["status"]["qosClass"] = "Guaranteed"
    assert status_errors(new, old) == [
        'status.qosClass: Invalid value: "Guaranteed": field is immutable'
    ]


def test_a_status_update_without_qos_class_backfills_it() -> None:
    old = stored()
    new = copy.deepcopy(old)
    new["status"] = {"phase": "Running"}
    POD.prepare_for_status_update(new, old)
    assert new["status"] == {"phase": "Running", "qosClass": "BestEffort"}


def test_a_terminated_container_of_a_never_restarting_pod_stays_terminated() -> None:
    old = stored(restartPolicy="Never")
    old["status"]["containerStatuses"] = [
        {"name": "main", "state": {"terminated": {"exitCode": 1}}}
    ]
    new = copy.deepcopy(old)
    new["status"]["containerStatuses"] = [{"name": "main", "state": {"running": {}}}]
    assert status_errors(new, old) == [
        "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated "
        "state"
    ]


def test_custom_pod_conditions_are_qualified_names() -> None:
    old = stored()
    new = copy.deepcopy(old)
    new["status"]["conditions"] = [
        {"type": "Ready", "status": "True"},
        {"type": "bad type", "status": "True"},
    ]
    (err,) = status_errors(new, old)
    assert err.startswith(
        'metadata.conditions[1].Type: Invalid value: "bad type": name part must consist of'
    )


def test_status_writes_may_not_move_owner_references() -> None:
    old = stored()
    old["metadata"]["ownerReferences"] = [
        {"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "u"}
    ]
    new = copy.deepcopy(old)
    new["metadata"]["ownerReferences"] = []
    POD.prepare_for_status_update(new, old)
    assert new["metadata"]["ownerReferences"] == old["metadata"]["ownerReferences"]


@pytest.mark.parametrize(
    ("pod_ips", "expected"),
    [
        pytest.param([{"ip": "10.0.0.5"}], [], id="one pod IP is valid"),
        pytest.param([{"ip": "10.0.0.5"}, {"ip": "fd00::5"}], [], id="one IP per family is valid"),
        pytest.param(
            [{"ip": "10.0.0.300"}],
            [
                'status.podIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. '
                "10.9.8.7 or "
                "2001:db8::ffff)"
            ],
            id="a pod IP must be an IP",
        ),
        pytest.param(
            [{"ip": "10.0.0.5"}, {"ip": "10.0.0.6"}],
            [
                'status.podIPs: Invalid value: [{"ip":"10.0.0.5"},{"ip":"10.0.0.6"}]: may specify '
                "no more than one "
                "IP for each IP family"
            ],
            id="two IPv4 pod IPs are refused",
        ),
    ],
)
def test_pod_ips_in_status(pod_ips: list[Obj], expected: list[str]) -> None:
    old = stored()
    new = copy.deepcopy(old)
    new["status"]["podIPs"] = pod_ips
    assert status_errors(new, old) == expected
