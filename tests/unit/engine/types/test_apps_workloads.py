"""Deployments, ReplicaSets and StatefulSets, as kube-apiserver v1.37.

Cases follow pkg/apis/apps/v1/defaults_test.go (TestSetDefaultDeployment,
TestSetDefaultReplicaSet, TestSetDefaultStatefulSet*), pkg/apis/apps/validation/
validation_test.go (TestValidateDeployment, TestValidateRollingUpdateDeployment,
TestValidateReplicaSet, TestValidateStatefulSet, TestValidateStatefulSetUpdate,
TestValidateDeploymentStatus) and pkg/registry/apps/*/strategy_test.go; messages are
validation.go's.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.apps import (
    DeploymentStrategy,
    ReplicaSetStrategy,
    StatefulSetStrategy,
    int_or_percent_value,
)
from mlkube.engine.types.strategy import BaseStrategy, strategy_for

Obj = dict[str, Any]
STRATEGIES: dict[str, BaseStrategy] = {
    "Deployment": DeploymentStrategy(),
    "ReplicaSet": ReplicaSetStrategy(),
    "StatefulSet": StatefulSetStrategy(),
}


class WorkloadBuilder:
    """An apps/v1 workload selecting ``app=web`` with a matching one-container template."""

    def __init__(self, kind: str, name: str = "web") -> None:
        self.kind = kind
        self._o: Obj = {
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                },
            },
        }

    @property
    def spec(self) -> Obj:
        return self._o["spec"]

    def set(self, **fields: Any) -> WorkloadBuilder:
        self.spec.update(fields)
        return self

    def rolling(self, **fields: Any) -> WorkloadBuilder:
        self.spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": fields}
        return self

    def template_labels(self, **labels: str) -> WorkloadBuilder:
        self.spec["template"]["metadata"]["labels"] = dict(labels)
        return self

    def with_status(self, **status: Any) -> WorkloadBuilder:
        self._o["status"] = status
        return self

    def pod(self, **fields: Any) -> WorkloadBuilder:
        self.spec["template"]["spec"].update(fields)
        return self

    def created(self) -> Obj:
        o = copy.deepcopy(self._o)
        STRATEGIES[self.kind].default(o)
        STRATEGIES[self.kind].prepare_for_create(o)
        return o


def deployment() -> WorkloadBuilder:
    return WorkloadBuilder("Deployment")


def replica_set() -> WorkloadBuilder:
    return WorkloadBuilder("ReplicaSet")


def stateful_set() -> WorkloadBuilder:
    return WorkloadBuilder("StatefulSet")


def messages(o: Obj) -> list[str]:
    return [e.error() for e in STRATEGIES[o["kind"]].validate(o)]


def stored(builder: WorkloadBuilder) -> Obj:
    o = builder.created()
    o["metadata"]["resourceVersion"] = "1"
    return o


def update_messages(old: Obj, new: Obj) -> list[str]:
    strategy = STRATEGIES[old["kind"]]
    strategy.prepare_for_update(new, old)
    return [e.error() for e in strategy.validate_update(new, old)]


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet"])
def test_registered_with_status_and_generation(kind: str) -> None:
    s = strategy_for("apps/v1", kind)
    assert (s.kind, s.has_status, s.has_generation) == (kind, True, True)


# --- defaults --------------------------------------------------------------------------------


def test_deployment_defaults() -> None:
    spec = deployment().created()["spec"]
    assert (
        spec["replicas"],
        spec["strategy"],
        spec["revisionHistoryLimit"],
        spec["progressDeadlineSeconds"],
    ) == (
        1,
        {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        10,
        600,
    )


def test_a_recreate_deployment_gets_no_rolling_update() -> None:
    spec = deployment().set(strategy={"type": "Recreate"}).created()["spec"]
    assert spec["strategy"] == {"type": "Recreate"}


def test_replica_set_defaults_replicas_to_one() -> None:
    assert replica_set().created()["spec"]["replicas"] == 1


def test_stateful_set_defaults() -> None:
    spec = stateful_set().created()["spec"]
    assert (
        spec["podManagementPolicy"],
        spec["updateStrategy"],
        spec["persistentVolumeClaimRetentionPolicy"],
        spec["replicas"],
        spec["revisionHistoryLimit"],
    ) == (
        "OrderedReady",
        {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}},
        {"whenDeleted": "Retain", "whenScaled": "Retain"},
        1,
        10,
    )


def test_volume_claim_templates_get_claim_defaults() -> None:
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    spec = stateful_set().set(volumeClaimTemplates=[claim]).created()["spec"]
    assert spec["volumeClaimTemplates"][0] == {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
        "status": {"phase": "Pending"},
    }


def test_an_on_delete_stateful_set_gets_no_rolling_update() -> None:
    spec = stateful_set().set(updateStrategy={"type": "OnDelete"}).created()["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}


@pytest.mark.parametrize(
    ("builder", "status"),
    [
        pytest.param(deployment, {}, id="a Deployment starts with an empty status"),
        pytest.param(replica_set, {"replicas": 0}, id="a ReplicaSet shows replicas 0"),
        pytest.param(
            stateful_set,
            {"replicas": 0, "availableReplicas": 0},
            id="a StatefulSet shows replicas and availableReplicas 0",
        ),
    ],
)
def test_create_resets_status(builder: Any, status: Obj) -> None:
    o = builder().with_status(replicas=5).created()
    assert (o["status"], o["metadata"]["generation"]) == (status, 1)


def test_workload_templates_get_pod_defaults() -> None:
    pod_spec = deployment().created()["spec"]["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Always"


# --- validation shared by the three ----------------------------------------------------------


@pytest.mark.parametrize("builder", [deployment, replica_set, stateful_set])
def test_a_selector_matching_the_template_is_valid(builder: Any) -> None:
    assert messages(builder().created()) == []


@pytest.mark.parametrize(
    ("builder", "empty_message"),
    [
        pytest.param(deployment, "empty selector is invalid for deployment", id="Deployment"),
        pytest.param(replica_set, "empty selector is invalid for deployment", id="ReplicaSet"),
        pytest.param(stateful_set, "empty selector is invalid for statefulset", id="StatefulSet"),
    ],
)
def test_an_empty_selector_is_invalid(builder: Any, empty_message: str) -> None:
    assert messages(builder().set(selector={}).created()) == [
        f"spec.selector: Invalid value: {{}}: {empty_message}"
    ]


@pytest.mark.parametrize("builder", [deployment, replica_set, stateful_set])
def test_a_missing_selector_is_required_and_matches_nothing(builder: Any) -> None:
    o = builder().created()
    del o["spec"]["selector"]
    assert messages(o) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: '
        "`selector` does not match template `labels`",
    ]


@pytest.mark.parametrize("builder", [deployment, replica_set, stateful_set])
def test_the_selector_must_match_the_template(builder: Any) -> None:
    assert messages(builder().template_labels(app="other").created()) == [
        'spec.template.metadata.labels: Invalid value: {"app":"other"}: '
        "`selector` does not match template `labels`"
    ]


@pytest.mark.parametrize("builder", [deployment, replica_set, stateful_set])
def test_restart_policy_must_be_always(builder: Any) -> None:
    assert messages(builder().pod(restartPolicy="Never").created()) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]


@pytest.mark.parametrize(
    ("builder", "kind"),
    [
        pytest.param(deployment, "ReplicaSet", id="Deployment"),
        pytest.param(replica_set, "ReplicaSet", id="ReplicaSet"),
        pytest.param(stateful_set, "StatefulSet", id="StatefulSet"),
    ],
)
def test_active_deadline_seconds_is_forbidden(builder: Any, kind: str) -> None:
    assert messages(builder().pod(activeDeadlineSeconds=5).created()) == [
        f"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in {kind} "
        "is not Supported"
    ]


@pytest.mark.parametrize("builder", [deployment, replica_set, stateful_set])
def test_negative_replicas(builder: Any) -> None:
    assert messages(builder().set(replicas=-1).created()) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    ]


@pytest.mark.parametrize("builder", [deployment, replica_set])
def test_the_selector_is_immutable(builder: Any) -> None:
    old = stored(builder())
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    assert update_messages(old, new) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable'
    ]


# --- Deployment strategy and int-or-percent ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        pytest.param("25%", 25, id="a percent"),
        pytest.param(3, 3, id="an int"),
        pytest.param("3", 3, id="a numeric string"),
        pytest.param("abc", 0, id="a word counts as zero"),
    ],
)
def test_int_or_percent_value(value: Any, number: int) -> None:
    assert int_or_percent_value(value) == number


@pytest.mark.parametrize(
    ("rolling", "expected"),
    [
        pytest.param(
            {"maxUnavailable": 0, "maxSurge": 0},
            [
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: "
                "may not be 0 when `maxSurge` is 0"
            ],
            id="maxSurge and maxUnavailable both zero",
        ),
        pytest.param(
            {"maxUnavailable": "0%", "maxSurge": 0},
            [
                'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": '
                "may not be 0 when `maxSurge` is 0"
            ],
            id="zero percent counts as zero",
        ),
        pytest.param(
            {"maxUnavailable": "110%", "maxSurge": 1},
            [
                'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": '
                "must not be greater than 100%"
            ],
            id="maxUnavailable above 100 percent",
        ),
        pytest.param(
            {"maxUnavailable": 1, "maxSurge": "1"},
            [
                'spec.strategy.rollingUpdate.maxSurge: Invalid value: "1": a valid percent '
                "string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
                "'93%', regex used for validation is '[0-9]+%')"
            ],
            id="a string that is not a percent",
        ),
        pytest.param(
            {"maxUnavailable": -1, "maxSurge": 1},
            [
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: "
                "must be greater than or equal to 0"
            ],
            id="a negative maxUnavailable",
        ),
        pytest.param({"maxUnavailable": 0, "maxSurge": "200%"}, [], id="surge above 100 is fine"),
    ],
)
def test_rolling_update_deployment(rolling: Obj, expected: list[str]) -> None:
    assert messages(deployment().rolling(**rolling).created()) == expected


def test_recreate_forbids_rolling_update() -> None:
    o = deployment().set(strategy={"type": "Recreate", "rollingUpdate": {}}).created()
    assert messages(o) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` "
        "is 'Recreate'"
    ]


def test_an_unknown_deployment_strategy() -> None:
    o = deployment().set(strategy={"type": "Canary"}).created()
    assert messages(o) == [
        'spec.strategy: Unsupported value: {"type":"Canary"}: supported values: '
        '"Recreate", "RollingUpdate"'
    ]


def test_progress_deadline_must_exceed_min_ready_seconds() -> None:
    o = deployment().set(minReadySeconds=600).created()
    assert messages(o) == [
        "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"
    ]


def test_deployment_generation_follows_spec_and_annotations() -> None:
    old = stored(deployment())
    labelled = copy.deepcopy(old)
    labelled["metadata"]["labels"] = {"x": "y"}
    DeploymentStrategy().prepare_for_update(labelled, old)
    annotated = copy.deepcopy(old)
    annotated["metadata"]["annotations"] = {"x": "y"}
    DeploymentStrategy().prepare_for_update(annotated, old)
    assert (labelled["metadata"]["generation"], annotated["metadata"]["generation"]) == (1, 2)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param({"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}, [], id="ok"),
        pytest.param(
            {"replicas": 1, "updatedReplicas": 2, "readyReplicas": 1},
            ["status.updatedReplicas: Invalid value: 2: cannot be greater than status.replicas"],
            id="more updated than replicas",
        ),
        pytest.param(
            {"replicas": 2, "readyReplicas": 1, "availableReplicas": 2},
            ["status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"],
            id="more available than ready",
        ),
        pytest.param(
            {"replicas": 1, "observedGeneration": -1},
            ["status.observedGeneration: Invalid value: -1: must be greater than or equal to 0"],
            id="a negative observed generation",
        ),
    ],
)
def test_deployment_status(status: Obj, expected: list[str]) -> None:
    old = stored(deployment())
    new = copy.deepcopy(old)
    new["status"] = status
    DeploymentStrategy().prepare_for_status_update(new, old)
    assert [e.error() for e in DeploymentStrategy().validate_status_update(new, old)] == expected


def test_collision_count_cannot_decrease() -> None:
    old = stored(deployment())
    old["status"] = {"collisionCount": 2}
    new = copy.deepcopy(old)
    new["status"] = {"collisionCount": 1}
    assert [e.error() for e in DeploymentStrategy().validate_status_update(new, old)] == [
        "status.collisionCount: Invalid value: 1: cannot be decremented"
    ]


# --- StatefulSet ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"podManagementPolicy": "Random"},
            "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
            "'Parallel'",
            id="an unknown pod management policy",
        ),
        pytest.param(
            {"updateStrategy": {"type": "Sideways"}},
            'spec.updateStrategy: Invalid value: {"type":"Sideways"}: must be \'RollingUpdate\' '
            "or 'OnDelete'",
            id="an unknown update strategy",
        ),
        pytest.param(
            {"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 1}}},
            'spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed '
            "for updateStrategy 'RollingUpdate'",
            id="OnDelete with a rolling update",
        ),
        pytest.param(
            {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}},
            "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: "
            "must be greater than or equal to 0",
            id="a negative partition",
        ),
        pytest.param(
            {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}}},
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: "
            "must be greater than zero",
            id="maxUnavailable zero",
        ),
        pytest.param(
            {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Keep"}},
            'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": '
            'supported values: "Delete", "Retain"',
            id="an unknown retention policy",
        ),
        pytest.param(
            {"ordinals": {"start": -1}},
            "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0",
            id="a negative start ordinal",
        ),
    ],
)
def test_invalid_stateful_sets(fields: Obj, expected: str) -> None:
    assert messages(stateful_set().set(**fields).created()) == [expected]


def test_a_stateful_set_name_must_be_a_dns_label() -> None:
    assert messages(WorkloadBuilder("StatefulSet", "web.v1").created()) == [
        'metadata.name: Invalid value: "web.v1": must not contain dots'
    ]


def test_a_deployment_name_may_be_a_subdomain() -> None:
    assert messages(WorkloadBuilder("Deployment", "web.v1").created()) == []


def test_a_stateful_set_template_is_checked_for_labels_not_pod_spec() -> None:
    # validation.go ValidatePodTemplateSpecForStatefulSet leaves the pod spec unvalidated.
    o = stateful_set().pod(containers=[]).created()
    assert messages(o) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"replicas": 5}, [], id="replicas may change"),
        pytest.param({"minReadySeconds": 5}, [], id="minReadySeconds may change"),
        pytest.param(
            {
                "persistentVolumeClaimRetentionPolicy": {
                    "whenDeleted": "Delete",
                    "whenScaled": "Retain",
                }
            },
            [],
            id="the retention policy may change",
        ),
        pytest.param(
            {"serviceName": "other"},
            [
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ],
            id="serviceName is fixed",
        ),
        pytest.param(
            {"podManagementPolicy": "Parallel"},
            [
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ],
            id="podManagementPolicy is fixed",
        ),
    ],
)
def test_stateful_set_updates(change: Obj, expected: list[str]) -> None:
    old = stored(stateful_set())
    new = copy.deepcopy(old)
    new["spec"].update(change)
    assert update_messages(old, new) == expected


# --- bad values render as Go marshals the structs (field order, omitempty) -------------------


def test_an_immutable_selector_is_shown_in_go_field_order() -> None:
    old = stored(replica_set())
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {
        "matchExpressions": [{"key": "tier", "operator": "Exists"}],
        "matchLabels": {"app": "web"},
    }
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    assert update_messages(old, new) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"web"},"matchExpressions":'
        '[{"key":"tier","operator":"Exists"}]}: field is immutable'
    ]


def test_an_unknown_strategy_is_shown_in_go_field_order() -> None:
    o = deployment().set(
        strategy={"type": "Canary", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 2}}
    )
    assert messages(o.created()) == [
        'spec.strategy: Unsupported value: {"type":"Canary","rollingUpdate":'
        '{"maxUnavailable":2,"maxSurge":1}}: supported values: "Recreate", "RollingUpdate"'
    ]
