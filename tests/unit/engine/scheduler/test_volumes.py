"""VolumeRestrictions (ReadWriteOncePod) and VolumeBinding.

Cases after volume_restrictions_test.go (TestAccessModeConflicts) and volume_binding_test.go
(immediate unbound claims, WaitForFirstConsumer with static PVs and provisioning, bound PVs'
node affinity), k8s-semantics.md §1.7-1.8.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.scheduler import Code, Scheduler, ScheduleResult, Snapshot, Status

from .builders import make_node, make_pod

LOCAL = "local"


def pvc(
    name: str,
    *,
    sc: str = LOCAL,
    modes: tuple[str, ...] = ("ReadWriteOnce",),
    volume: str = "",
    size: str = "10Gi",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "storageClassName": sc,
        "accessModes": list(modes),
        "resources": {"requests": {"storage": size}},
    }
    if volume:
        spec["volumeName"] = volume
    return {"metadata": {"name": name, "namespace": "ml"}, "spec": spec}


def pv(name: str, node: str, *, size: str = "100Gi", claimed: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "storageClassName": LOCAL,
        "accessModes": ["ReadWriteOnce"],
        "capacity": {"storage": size},
        "nodeAffinity": {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
                        ]
                    }
                ]
            }
        },
    }
    if claimed:
        spec["claimRef"] = {"namespace": "ml", "name": "someone"}
    return {
        "metadata": {"name": name},
        "spec": spec,
        "status": {"phase": "Bound" if claimed else "Available"},
    }


def storage_class(mode: str, provisioner: str = "kubernetes.io/no-provisioner") -> dict[str, Any]:
    return {"metadata": {"name": LOCAL}, "provisioner": provisioner, "volumeBindingMode": mode}


def schedule(
    objects: dict[str, Any], pod: dict[str, Any], pods: tuple[dict[str, Any], ...] = ()
) -> ScheduleResult:
    nodes = [make_node("a").obj(), make_node("b").obj()]
    return Scheduler(Snapshot(nodes, list(pods), **objects)).schedule_one(pod)


def test_a_read_write_once_pod_claim_in_use_blocks_every_node() -> None:
    objects = {
        "pvcs": [pvc("data", modes=("ReadWriteOncePod",), volume="pv1")],
        "pvs": [pv("pv1", "a")],
    }
    user = make_pod("user").claim("data").node("a").obj()
    result = schedule(objects, make_pod().claim("data").obj(), (user,))
    # The reason is v1.37.2's ErrReasonReadWriteOncePodConflict (volume_restrictions.go).
    assert result.message.startswith(
        "0/2 nodes are available: 2 node(s) unavailable due to PersistentVolumeClaim with "
        "ReadWriteOncePod access mode already in-use by another pod."
    )


def test_a_read_write_once_claim_may_be_shared_on_a_node() -> None:
    objects = {"pvcs": [pvc("data", volume="pv1")], "pvs": [pv("pv1", "a")]}
    user = make_pod("user").claim("data").node("a").obj()
    assert schedule(objects, make_pod().claim("data").obj(), (user,)).node_name == "a"


def test_a_missing_claim_is_unresolvable() -> None:
    result = schedule({}, make_pod().claim("ghost").obj())
    assert result.message.startswith(
        '0/2 nodes are available: persistentvolumeclaim "ghost" not found.'
    )


def test_a_bound_volume_pins_the_pod_to_its_node() -> None:
    objects = {"pvcs": [pvc("data", volume="pv1")], "pvs": [pv("pv1", "b")]}
    assert schedule(objects, make_pod().claim("data").obj()).node_name == "b"


def test_a_bound_volume_that_does_not_exist() -> None:
    result = schedule({"pvcs": [pvc("data", volume="gone")]}, make_pod().claim("data").obj())
    assert result.message.startswith(
        "0/2 nodes are available: "
        "2 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)."
    )


def test_wait_for_first_consumer_binds_to_an_available_local_volume() -> None:
    objects = {
        "pvcs": [pvc("data")],
        "pvs": [pv("small", "a", size="5Gi"), pv("fits", "b")],
        "storage_classes": [storage_class("WaitForFirstConsumer")],
    }
    result = schedule(objects, make_pod().claim("data").obj())
    assert result.node_name == "b"
    assert result.volumes is not None
    assert result.volumes.static_bindings == {"ml/data": "fits"}


def test_wait_for_first_consumer_without_volumes_or_provisioner() -> None:
    objects = {
        "pvcs": [pvc("data")],
        "pvs": [pv("taken", "a", claimed=True)],
        "storage_classes": [storage_class("WaitForFirstConsumer")],
    }
    result = schedule(objects, make_pod().claim("data").obj())
    assert result.message.startswith(
        "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind."
    )


def test_wait_for_first_consumer_with_a_provisioner_provisions_on_the_chosen_node() -> None:
    objects = {
        "pvcs": [pvc("data")],
        "storage_classes": [storage_class("WaitForFirstConsumer", "csi.example")],
    }
    result = schedule(objects, make_pod().claim("data").obj())
    assert result.node_name in ("a", "b")
    assert result.volumes is not None
    assert result.volumes.provisions == ["ml/data"]


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(
            Status(
                Code.UnschedulableAndUnresolvable,
                "node(s) didn't match PersistentVolume's node affinity",
            ),
            id="a bound volume elsewhere is unresolvable",
        )
    ],
)
def test_bound_volume_node_conflict_status(status: Status) -> None:
    from mlkube.engine.scheduler import CycleState, PodInfo
    from mlkube.engine.scheduler.plugins.volumebinding import VolumeBinding
    from mlkube.engine.scheduler.runtime import Framework

    snapshot = Snapshot(
        [make_node("a").obj()], pvcs=[pvc("data", volume="pv1")], pvs=[pv("pv1", "b")]
    )
    plugin = VolumeBinding(Framework(snapshot))
    state, info = CycleState(), PodInfo(make_pod().claim("data").obj())
    assert plugin.pre_filter(state, info) == (None, None)
    node = snapshot.get("a")
    assert node is not None
    assert plugin.filter(state, info, node) == status


def test_a_volume_pre_bound_to_the_claim_is_chosen_over_a_smaller_one() -> None:
    reserved = pv("reserved", "a")
    reserved["spec"]["claimRef"] = {"namespace": "ml", "name": "data"}
    objects = {
        "pvcs": [pvc("data")],
        "pvs": [reserved, pv("smaller", "a", size="20Gi")],
        "storage_classes": [storage_class("WaitForFirstConsumer")],
    }
    result = schedule(objects, make_pod().claim("data").obj())
    assert result.node_name == "a"
    assert result.volumes is not None
    assert result.volumes.static_bindings == {"ml/data": "reserved"}


def test_a_claim_selector_must_match_the_volume_labels() -> None:
    claim = pvc("data")
    claim["spec"]["selector"] = {"matchLabels": {"tier": "fast"}}
    labelled = pv("fast", "b")
    labelled["metadata"]["labels"] = {"tier": "fast"}
    objects = {
        "pvcs": [claim],
        "pvs": [pv("plain", "a"), labelled],
        "storage_classes": [storage_class("WaitForFirstConsumer")],
    }
    assert schedule(objects, make_pod().claim("data").obj()).node_name == "b"
