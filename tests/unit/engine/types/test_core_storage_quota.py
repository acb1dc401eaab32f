"""PersistentVolumeClaims, PersistentVolumes, StorageClasses, ResourceQuotas, LimitRanges.

Cases from pkg/apis/core/validation/validation_test.go
(TestValidatePersistentVolumeClaim, TestValidatePersistentVolumeClaimUpdate,
TestValidatePersistentVolumes, TestValidateResourceQuota, TestValidateResourceQuotaUpdate,
TestValidateLimitRange), pkg/apis/core/v1/defaults_test.go
(TestSetDefaultPersistentVolume, TestSetDefaultPersistentVolumeClaim,
TestSetDefaultLimitRangeItem), pkg/apis/storage/v1/defaults_test.go and
pkg/apis/storage/validation/validation_test.go (TestValidateStorageClass,
TestValidateStorageClassUpdate).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pod_builders import create_errors, created, update_errors

from mlkube.engine.types import strategy_for

Obj = dict[str, Any]
PVC = strategy_for("v1", "PersistentVolumeClaim")
PV = strategy_for("v1", "PersistentVolume")
SC = strategy_for("storage.k8s.io/v1", "StorageClass")
QUOTA = strategy_for("v1", "ResourceQuota")
LIMITS = strategy_for("v1", "LimitRange")


def claim(**spec: Any) -> Obj:
    base: Obj = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}
    base.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "ml"},
        "spec": base,
    }


# --- PersistentVolumeClaim ---------------------------------------------------------------


def test_a_claim_defaults_to_filesystem_mode_and_pending() -> None:
    stored = created(PVC, claim())
    assert stored["spec"]["volumeMode"] == "Filesystem"
    assert stored["status"] == {"phase": "Pending"}


@pytest.mark.parametrize(
    ("pvc", "expected"),
    [
        pytest.param(claim(), [], id="a claim with a mode and a size is valid"),
        pytest.param(
            claim(accessModes=[]),
            ["spec.accessModes: Required value: at least 1 access mode is required"],
            id="a claim needs an access mode",
        ),
        pytest.param(
            claim(accessModes=["ReadWriteAlways"]),
            [
                'spec.accessModes: Unsupported value: "ReadWriteAlways": supported values: '
                '"ReadOnlyMany", '
                '"ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'
            ],
            id="access modes are enumerated",
        ),
        pytest.param(
            claim(accessModes=["ReadWriteOncePod", "ReadOnlyMany"]),
            ["spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"],
            id="ReadWriteOncePod stands alone",
        ),
        pytest.param(
            claim(resources={"requests": {}}),
            ["spec.resources[storage]: Required value"],
            id="a claim needs a size",
        ),
        pytest.param(
            claim(resources={"requests": {"storage": "0"}}),
            ['spec.resources[storage]: Invalid value: "0": must be greater than zero'],
            id="the size is positive",
        ),
        pytest.param(
            claim(volumeMode="Raw"),
            ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'],
            id="volume modes are enumerated",
        ),
        pytest.param(
            claim(dataSource={"kind": "VolumeSnapshot", "name": "snap"}),
            [
                'spec.dataSource: Invalid value: "VolumeSnapshot": must be '
                "'PersistentVolumeClaim' when "
                "referencing the default apiGroup"
            ],
            id="a core data source must be a claim",
        ),
    ],
)
def test_claim_validation(pvc: Obj, expected: list[str]) -> None:
    assert create_errors(PVC, pvc) == expected


def test_a_pending_claim_spec_is_immutable() -> None:
    old = created(PVC, claim())
    new = copy.deepcopy(old)
    new["spec"]["accessModes"] = ["ReadWriteMany"]
    (err,) = update_errors(PVC, new, old)
    assert err == (
        "spec: Forbidden: spec is immutable after creation except resources.requests and "
        "volumeAttributesClassName for bound claims\n-accessModes: "
        '["ReadWriteOnce"]\n+accessModes: ["ReadWriteMany"]'
    )


def test_a_bound_claim_may_grow() -> None:
    old = created(PVC, claim())
    old["status"] = {"phase": "Bound", "capacity": {"storage": "10Gi"}}
    new = copy.deepcopy(old)
    new["spec"]["resources"]["requests"]["storage"] = "20Gi"
    assert update_errors(PVC, new, old) == []


def test_a_bound_claim_may_not_shrink_below_its_capacity() -> None:
    old = created(PVC, claim())
    old["status"] = {"phase": "Bound", "capacity": {"storage": "10Gi"}}
    new = copy.deepcopy(old)
    new["spec"]["resources"]["requests"]["storage"] = "5Gi"
    assert update_errors(PVC, new, old) == [
        "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"
    ]


def test_the_volume_name_may_be_set_once() -> None:
    old = created(PVC, claim())
    new = copy.deepcopy(old)
    new["spec"]["volumeName"] = "pv-1"
    assert update_errors(PVC, new, old) == []


# --- PersistentVolume --------------------------------------------------------------------


def volume(**spec: Any) -> Obj:
    base: Obj = {
        "capacity": {"storage": "100Gi"},
        "accessModes": ["ReadWriteMany"],
        "nfs": {"server": "nfs", "path": "/x"},
    }
    base.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "pv-1"},
        "spec": base,
    }


def test_a_volume_defaults_to_retain_filesystem_and_pending() -> None:
    stored = created(PV, volume())
    assert stored["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert stored["spec"]["volumeMode"] == "Filesystem"
    assert stored["status"] == {"phase": "Pending"}


@pytest.mark.parametrize(
    ("pv", "expected"),
    [
        pytest.param(volume(), [], id="an NFS volume is valid"),
        pytest.param(
            volume(capacity={}),
            [
                "spec.capacity: Required value",
                'spec.capacity: Unsupported value: {}: supported values: "storage"',
            ],
            id="a volume needs a capacity",
        ),
        pytest.param(
            volume(nfs=None),
            ["spec: Required value: must specify a volume type"],
            id="a volume needs a source",
        ),
        pytest.param(
            volume(hostPath={"path": "/data"}),
            ["spec.nfs: Forbidden: may not specify more than 1 volume type"],
            id="a volume has one source",
        ),
        pytest.param(
            volume(persistentVolumeReclaimPolicy="Keep"),
            [
                'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: '
                '"Delete", '
                '"Recycle", "Retain"'
            ],
            id="reclaim policies are enumerated",
        ),
        pytest.param(
            volume(nfs=None, local={"path": "/mnt/disk"}),
            ["spec.nodeAffinity: Required value: Local volume requires node affinity"],
            id="a local volume needs node affinity",
        ),
    ],
)
def test_volume_validation(pv: Obj, expected: list[str]) -> None:
    assert create_errors(PV, pv) == expected


def test_a_volume_source_is_immutable() -> None:
    old = created(PV, volume())
    new = copy.deepcopy(old)
    new["spec"]["nfs"]["path"] = "/y"
    (err,) = update_errors(PV, new, old)
    assert err.startswith(
        "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after "
        "creation\n"
    )


# --- StorageClass ------------------------------------------------------------------------


def storage_class(**fields: Any) -> Obj:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "fast"},
        "provisioner": "ebs.csi.aws.com",
        **fields,
    }


def test_a_storage_class_defaults_to_delete_and_immediate() -> None:
    stored = created(SC, storage_class())
    assert (stored["reclaimPolicy"], stored["volumeBindingMode"]) == ("Delete", "Immediate")


@pytest.mark.parametrize(
    ("sc", "expected"),
    [
        pytest.param(storage_class(), [], id="a CSI storage class is valid"),
        pytest.param(
            storage_class(provisioner=""),
            ["provisioner: Required value"],
            id="a provisioner is required",
        ),
        pytest.param(
            storage_class(reclaimPolicy="Recycle"),
            ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'],
            id="storage classes do not recycle",
        ),
        pytest.param(
            storage_class(volumeBindingMode="Later"),
            [
                'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", '
                '"WaitForFirstConsumer"'
            ],
            id="binding modes are enumerated",
        ),
    ],
)
def test_storage_class_validation(sc: Obj, expected: list[str]) -> None:
    assert create_errors(SC, sc) == expected


def test_a_storage_class_provisioner_and_parameters_are_immutable() -> None:
    old = created(SC, storage_class(parameters={"type": "gp3"}))
    new = copy.deepcopy(old)
    new["provisioner"] = "other.csi"
    new["parameters"] = {"type": "io2"}
    assert update_errors(SC, new, old) == [
        "parameters: Forbidden: updates to parameters are forbidden.",
        "provisioner: Forbidden: updates to provisioner are forbidden.",
    ]


# --- ResourceQuota -----------------------------------------------------------------------


def quota(**spec: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "team", "namespace": "ml"},
        "spec": spec,
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param(
            quota(hard={"requests.nvidia.com/gpu": "8", "limits.cpu": "64", "pods": "100"}),
            [],
            id="a GPU quota is valid",
        ),
        pytest.param(
            quota(hard={"gpus": "8"}),
            [
                'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or '
                "fully qualified",
                'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota',
            ],
            id="an unqualified quota resource must be standard",
        ),
        pytest.param(
            quota(hard={"pods": "1.5"}),
            ['spec.hard[pods]: Invalid value: "1500m": must be an integer'],
            id="object counts are whole numbers",
        ),
        pytest.param(
            quota(hard={"cpu": "-1"}),
            ['spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0'],
            id="quotas are not negative",
        ),
        pytest.param(
            quota(hard={"pods": "10"}, scopes=["BestEffort", "NotBestEffort"]),
            ['spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: conflicting scopes'],
            id="best effort scopes conflict",
        ),
        pytest.param(
            quota(hard={"cpu": "10"}, scopes=["BestEffort"]),
            ['spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource'],
            id="a best effort quota counts only pods",
        ),
        pytest.param(
            quota(
                hard={"pods": "10"},
                scopeSelector={
                    "matchExpressions": [
                        {"scopeName": "Terminating", "operator": "In", "values": ["x"]}
                    ]
                },
            ),
            [
                'spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be '
                "'Exists' when scope "
                "is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, "
                "ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or "
                "ResourceQuotaScopeCrossNamespacePodAffinity"
            ],
            id="a terminating scope selector uses Exists",
        ),
    ],
)
def test_quota_validation(q: Obj, expected: list[str]) -> None:
    assert create_errors(QUOTA, q) == expected


def test_quota_scopes_are_immutable() -> None:
    old = created(QUOTA, quota(hard={"pods": "10"}, scopes=["Terminating"]))
    new = copy.deepcopy(old)
    new["spec"]["scopes"] = ["NotTerminating"]
    assert update_errors(QUOTA, new, old) == [
        'spec.scopes: Invalid value: ["NotTerminating"]: field is immutable'
    ]


def test_a_created_quota_starts_with_an_empty_status() -> None:
    q = quota(hard={"pods": "10"})
    q["status"] = {"used": {"pods": "3"}}
    assert created(QUOTA, q)["status"] == {}


# --- LimitRange --------------------------------------------------------------------------


def limit_range(*items: Obj) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "limits", "namespace": "ml"},
        "spec": {"limits": list(items)},
    }


def test_container_limit_defaults_follow_max_default_and_min() -> None:
    stored = created(
        LIMITS,
        limit_range(
            {
                "type": "Container",
                "max": {"cpu": "4", "memory": "8Gi"},
                "min": {"ephemeral-storage": "1Gi"},
            }
        ),
    )
    item = stored["spec"]["limits"][0]
    assert item["default"] == {"cpu": "4", "memory": "8Gi"}
    assert item["defaultRequest"] == {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "1Gi"}


def test_pod_limit_items_get_no_defaults() -> None:
    item = created(LIMITS, limit_range({"type": "Pod", "max": {"cpu": "4"}}))["spec"]["limits"][0]
    assert item == {"type": "Pod", "max": {"cpu": "4"}}


LIMIT_PATH = "spec.limits[0]"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(
            {"type": "Container", "max": {"cpu": "4"}, "min": {"cpu": "100m"}},
            [],
            id="a sane range is valid",
        ),
        pytest.param(
            {"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "2"}},
            [
                f'{LIMIT_PATH}.min[cpu]: Invalid value: "2": min value 2 is greater than max '
                "value 1",
                f'{LIMIT_PATH}.defaultRequest[cpu]: Invalid value: "1": min value 2 is greater '
                "than default request value 1",
                f'{LIMIT_PATH}.default[cpu]: Invalid value: "2": min value 2 is greater than '
                "default value 1",
            ],
            id="min above max is refused with the upstream words",
        ),
        pytest.param(
            {
                "type": "Container",
                "default": {"memory": "1Gi"},
                "defaultRequest": {"memory": "2Gi"},
            },
            [
                f'{LIMIT_PATH}.defaultRequest[memory]: Invalid value: "2Gi": default request '
                "value 2Gi is greater "
                "than default limit value 1Gi"
            ],
            id="a default request above the default limit is refused",
        ),
        pytest.param(
            {"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}},
            [
                f'{LIMIT_PATH}.maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is '
                "less than 1"
            ],
            id="a limit to request ratio is at least one",
        ),
        pytest.param(
            {
                "type": "Container",
                "min": {"cpu": "1"},
                "max": {"cpu": "2"},
                "maxLimitRequestRatio": {"cpu": "3"},
            },
            [
                f'{LIMIT_PATH}.maxLimitRequestRatio[cpu]: Invalid value: "3": ratio 3 is greater '
                "than max/min = 2.000000"
            ],
            id="a ratio above max over min is refused",
        ),
        pytest.param(
            {"type": "Pod", "default": {"cpu": "1"}},
            [f"{LIMIT_PATH}.default: Forbidden: may not be specified when `type` is 'Pod'"],
            id="pod items have no defaults",
        ),
        pytest.param(
            {"type": "PersistentVolumeClaim"},
            [
                f"{LIMIT_PATH}.limits: Required value: either minimum or maximum storage value is "
                "required, but "
                "neither was provided"
            ],
            id="a claim item bounds storage",
        ),
        pytest.param(
            {
                "type": "Container",
                "default": {"nvidia.com/gpu": "2"},
                "defaultRequest": {"nvidia.com/gpu": "1"},
            },
            [
                f'{LIMIT_PATH}.defaultRequest[nvidia.com/gpu]: Invalid value: "1": default value '
                "2 must equal to "
                "defaultRequest value 1 in nvidia.com/gpu"
            ],
            id="a GPU default request equals its default",
        ),
        pytest.param(
            {"type": "Widget"},
            [
                f'{LIMIT_PATH}.type: Invalid value: "Widget": must be a standard limit type or '
                "fully qualified"
            ],
            id="limit types are standard",
        ),
    ],
)
def test_limit_range_validation(item: Obj, expected: list[str]) -> None:
    assert create_errors(LIMITS, limit_range(item)) == expected


def test_a_limit_type_appears_once() -> None:
    lr = limit_range(
        {"type": "Container", "max": {"cpu": "1"}}, {"type": "Container", "max": {"cpu": "2"}}
    )
    assert create_errors(LIMITS, lr) == ['spec.limits[1].type: Duplicate value: "Container"']
