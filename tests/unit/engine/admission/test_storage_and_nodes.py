"""TaintNodesByCondition, DefaultStorageClass and StorageObjectInUseProtection
(plugin/pkg/admission/{nodetaint,storage/storageclass/setdefault,
storage/storageobjectinuseprotection}/admission_test.go)."""

from __future__ import annotations

import pytest

from mlkube.engine.admission.plugins.defaultstorageclass import DefaultStorageClass
from mlkube.engine.admission.plugins.storageobjectinuseprotection import (
    StorageObjectInUseProtection,
)
from mlkube.engine.admission.plugins.taintnodesbycondition import TaintNodesByCondition

from .conftest import FakeContext, create


def test_a_new_node_is_tainted_not_ready_no_schedule(ctx: FakeContext) -> None:
    attrs = create("nodes", {"metadata": {"name": "n1"}})
    TaintNodesByCondition().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["taints"] == [
        {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}
    ]


def test_a_node_already_carrying_the_taint_is_not_tainted_twice(ctx: FakeContext) -> None:
    taint = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule", "value": "x"}
    gpu = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    attrs = create("nodes", {"metadata": {"name": "n1"}, "spec": {"taints": [gpu, taint]}})
    TaintNodesByCondition().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["taints"] == [gpu, taint]


def _sc(name: str, created: str, default: bool) -> dict:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {
        "metadata": {"name": name, "creationTimestamp": created, "annotations": annotations},
        "provisioner": "x",
    }


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        pytest.param([], None, id="no class, no default"),
        pytest.param([("slow", "2026-01-01T00:00:00Z", False)], None, id="no default class"),
        pytest.param(
            [("standard", "2026-01-01T00:00:00Z", True)], "standard", id="the one default class"
        ),
        pytest.param(
            [("old", "2026-01-01T00:00:00Z", True), ("new", "2026-02-01T00:00:00Z", True)],
            "new",
            id="the newest of two default classes wins",
        ),
    ],
)
def test_a_claim_without_a_class_gets_the_default(
    ctx: FakeContext, classes: list[tuple[str, str, bool]], expected: str | None
) -> None:
    for name, created, default in classes:
        ctx.add("storageclasses", _sc(name, created, default))
    attrs = create("persistentvolumeclaims", {"metadata": {"name": "c"}, "spec": {}})
    DefaultStorageClass().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"].get("storageClassName") == expected


def test_an_empty_class_name_means_no_class_and_is_kept(ctx: FakeContext) -> None:
    ctx.add("storageclasses", _sc("standard", "2026-01-01T00:00:00Z", True))
    attrs = create(
        "persistentvolumeclaims", {"metadata": {"name": "c"}, "spec": {"storageClassName": ""}}
    )
    DefaultStorageClass().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["storageClassName"] == ""


@pytest.mark.parametrize(
    ("resource", "finalizer"),
    [
        ("persistentvolumeclaims", "kubernetes.io/pvc-protection"),
        ("persistentvolumes", "kubernetes.io/pv-protection"),
    ],
)
def test_claims_and_volumes_get_their_protection_finalizer(
    ctx: FakeContext, resource: str, finalizer: str
) -> None:
    attrs = create(resource, {"metadata": {"name": "v", "finalizers": ["other"]}})
    StorageObjectInUseProtection().admit(attrs, ctx)
    StorageObjectInUseProtection().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["metadata"]["finalizers"] == ["other", finalizer]
