"""The PV binder and the local provisioner, as ``pkg/controller/volume/persistentvolume/
index_test.go`` (TestMatchVolume, TestFindingVolumeWithDifferentAccessModes,
TestFindingPreboundVolumes, TestBestFit, TestVolumeModeCheck) and ``binder_test.go`` /
``provision_test.go`` specify them."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.pvbinder import PersistentVolumeBinder, find_best_match

from .builders import Obj, cluster, gone, make_pod

RWO, ROX, RWX = "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"


def make_pv(name: str, size: str, *modes: str, cls: str = "") -> Obj:
    return Obj(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": name},
            "spec": {
                "capacity": {"storage": size},
                "accessModes": list(modes or (RWO,)),
                "storageClassName": cls,
                "hostPath": {"path": f"/data/{name}"},
            },
            "status": {"phase": "Available"},
        }
    )


def make_pvc(name: str, size: str, *modes: str, cls: str | None = "") -> Obj:
    spec: dict[str, Any] = {
        "accessModes": list(modes or (RWO,)),
        "resources": {"requests": {"storage": size}},
    }
    if cls is not None:
        spec["storageClassName"] = cls
    return Obj(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
            "spec": spec,
        }
    )


def make_class(name: str, *, wait: bool = False, reclaim: str | None = None) -> dict[str, Any]:
    sc: dict[str, Any] = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": name},
        "provisioner": "mlkube.io/local",
    }
    if wait:
        sc["volumeBindingMode"] = "WaitForFirstConsumer"
    if reclaim:
        sc["reclaimPolicy"] = reclaim
    return sc


# -- findByClaim / FindMatchingVolume ------------------------------------------------------

VOLUMES = [
    make_pv("gce-1g", "1Gi", RWO, ROX).build(),
    make_pv("gce-10g", "10Gi", RWO, ROX).build(),
    make_pv("nfs-5g", "5Gi", RWO, ROX, RWX).build(),
    make_pv("nfs-50g", "50Gi", RWO, ROX, RWX).build(),
    make_pv("fast-3g", "3Gi", RWO, cls="fast").build(),
]


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        pytest.param(
            make_pvc("c", "2Gi", RWO, ROX),
            "gce-10g",
            id="the smallest large enough volume of the fewest modes wins",
        ),
        pytest.param(
            make_pvc("c", "20Gi", RWO),
            "nfs-50g",
            id="a larger mode set is searched when the smaller has no fit",
        ),
        pytest.param(
            make_pvc("c", "1Gi", RWX),
            "nfs-5g",
            id="only volumes offering every requested mode match",
        ),
        pytest.param(
            make_pvc("c", "2Gi", RWO, cls="fast"),
            "fast-3g",
            id="a class matches only volumes of that class",
        ),
        pytest.param(
            make_pvc("c", "1Gi", RWO, cls="slow"), None, id="a class no volume has matches nothing"
        ),
        pytest.param(make_pvc("c", "100Gi", RWO), None, id="no volume is large enough"),
        pytest.param(make_pvc("c", "1Gi", RWO), "gce-1g", id="an exact size fits"),
    ],
)
def test_find_best_match(claim: Obj, expected: str | None) -> None:
    found = find_best_match(claim.build(), VOLUMES, delay_binding=False)
    assert (found["metadata"]["name"] if found else None) == expected


def test_the_claim_selector_filters_volumes_by_label() -> None:
    labelled = make_pv("labelled", "10Gi").labels(tier="gold").build()
    plain = make_pv("plain", "2Gi").build()
    claim = make_pvc("c", "1Gi").set("spec.selector", {"matchLabels": {"tier": "gold"}}).build()
    assert find_best_match(claim, [plain, labelled], delay_binding=False) == labelled


def test_a_block_claim_does_not_match_a_filesystem_volume() -> None:
    # TestVolumeModeCheck: nil volumeMode means Filesystem on both sides
    claim = make_pvc("c", "1Gi").set("spec.volumeMode", "Block").build()
    filesystem = make_pv("fs", "1Gi").build()
    block = make_pv("block", "1Gi").set("spec.volumeMode", "Block").build()
    assert find_best_match(claim, [filesystem], delay_binding=False) is None
    assert find_best_match(claim, [filesystem, block], delay_binding=False) == block


def test_a_volume_pre_bound_to_the_claim_wins_over_a_better_fit() -> None:
    # TestFindingPreboundVolumes
    claim = make_pvc("c", "1Gi").build()
    small = make_pv("small", "1Gi").build()
    ref = {"name": "c", "namespace": "default"}
    prebound = make_pv("big", "50Gi").set("spec.claimRef", ref).build()
    assert find_best_match(claim, [small, prebound], delay_binding=False) == prebound
    assert find_best_match(claim, [small, prebound], delay_binding=True) == prebound
    assert find_best_match(claim, [small], delay_binding=True) is None


@pytest.mark.parametrize(
    "volume",
    [
        pytest.param(
            make_pv("v", "5Gi").set("spec.claimRef", {"name": "other", "namespace": "default"}),
            id="a volume claimed by another claim is skipped",
        ),
        pytest.param(
            make_pv("v", "5Gi").set("status.phase", "Released"), id="a Released volume is skipped"
        ),
        pytest.param(
            make_pv("v", "5Gi").set("metadata.deletionTimestamp", "2026-01-01T00:00:00Z"),
            id="a volume being deleted is skipped",
        ),
    ],
)
def test_volumes_that_are_not_free_do_not_match(volume: Obj) -> None:
    assert (
        find_best_match(make_pvc("c", "1Gi").build(), [volume.build()], delay_binding=False) is None
    )


# -- the controller ------------------------------------------------------------------------


@pytest.fixture
def c() -> Cluster:
    # These specifications bring their own classes: start without the embedded cluster's
    # default "local" class, as a cluster without a default class is.
    made = cluster(lambda cl: PersistentVolumeBinder(cl.api))
    made.delete("storageclasses", "local")
    return made


def claim(c: Cluster, name: str = "data") -> dict[str, Any]:
    found: dict[str, Any] = c.get("persistentvolumeclaims", name)
    return found


def volume(c: Cluster, name: str) -> dict[str, Any]:
    found: dict[str, Any] = c.get("persistentvolumes", name)
    return found


def claim_events(c: Cluster) -> list[tuple[str, str, str]]:
    found = sorted(c.list("events", "default"), key=lambda e: e["metadata"]["name"])
    return [(e["reason"], e["message"], e["source"]["component"]) for e in found]


def test_a_claim_binds_to_the_smallest_fitting_volume(c: Cluster) -> None:
    # binder_test.go "1-2 - successful bind", TestBestFit
    for pv in ("1Gi", "5Gi", "10Gi"):
        c.create(make_pv(f"pv-{pv.lower()}", pv).build())
    c.create(make_pvc("data", "2Gi").build())
    c.run_until_idle()
    pvc, pv = claim(c), volume(c, "pv-5gi")
    assert pvc["spec"]["volumeName"] == "pv-5gi"
    assert pvc["metadata"]["annotations"] == {
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
    }
    assert pvc["status"] == {"phase": "Bound", "accessModes": [RWO], "capacity": {"storage": "5Gi"}}
    assert pv["spec"]["claimRef"] == {
        "kind": "PersistentVolumeClaim",
        "namespace": "default",
        "name": "data",
        "uid": pvc["metadata"]["uid"],
        "apiVersion": "v1",
        "resourceVersion": pv["spec"]["claimRef"]["resourceVersion"],
    }
    assert pv["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert pv["status"]["phase"] == "Bound"
    assert volume(c, "pv-1gi")["status"]["phase"] == "Available"


def test_a_claim_without_a_match_or_a_class_waits_and_says_why(c: Cluster) -> None:
    # binder_test.go "1-1 - noop with no volumes"; the FailedBinding event
    c.create(make_pvc("data", "2Gi").build())
    c.run_until_idle()
    assert claim(c)["status"]["phase"] == "Pending"
    assert claim_events(c) == [
        (
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
            "persistentvolume-controller",
        )
    ]
    c.create(make_pv("late", "2Gi").build())
    c.advance(15)  # the claim resync period
    assert claim(c)["status"]["phase"] == "Bound"


def test_a_claim_naming_its_volume_binds_to_it(c: Cluster) -> None:
    # binder_test.go "2-3 - pre-bind a claim to a volume"
    c.create(make_pv("big", "50Gi").build())
    c.create(make_pv("small", "1Gi").build())
    c.create(make_pvc("data", "1Gi").set("spec.volumeName", "big").build())
    c.run_until_idle()
    assert claim(c)["status"]["capacity"] == {"storage": "50Gi"}
    assert "pv.kubernetes.io/bound-by-controller" not in claim(c)["metadata"]["annotations"]
    assert volume(c, "big")["metadata"]["annotations"] == {
        "pv.kubernetes.io/bound-by-controller": "yes"
    }


def test_dynamic_provisioning_creates_a_local_volume_named_after_the_claim(c: Cluster) -> None:
    # provision_test.go / sig-storage-lib-external-provisioner provisionClaimOperation
    c.create(make_class("local"))
    c.create(make_pvc("data", "3Gi", RWO, cls="local").build())
    c.run_until_idle()
    pvc = claim(c)
    name = f"pvc-{pvc['metadata']['uid']}"
    pv = volume(c, name)
    assert pv["metadata"]["annotations"] == {"pv.kubernetes.io/provisioned-by": "mlkube.io/local"}
    assert {
        k: pv["spec"][k] for k in ("capacity", "accessModes", "storageClassName", "volumeMode")
    } == {
        "capacity": {"storage": "3Gi"},
        "accessModes": [RWO],
        "storageClassName": "local",
        "volumeMode": "Filesystem",
    }
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pv["spec"]["hostPath"] == {
        "path": f"/var/lib/mlkube/volumes/{name}",
        "type": "DirectoryOrCreate",
    }
    assert pv["status"]["phase"] == "Bound"
    assert pvc["spec"]["volumeName"] == name
    assert (
        pvc["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"]
        == "mlkube.io/local"
    )
    assert claim_events(c) == [
        (
            "ExternalProvisioning",
            "Waiting for a volume to be created either by the external provisioner "
            "'mlkube.io/local' or manually by the system administrator. If volume creation is "
            "delayed, please verify that the provisioner is running and correctly registered.",
            "persistentvolume-controller",
        ),
        (
            "Provisioning",
            'External provisioner is provisioning volume for claim "default/data"',
            "mlkube.io/local",
        ),
        ("ProvisioningSucceeded", f"Successfully provisioned volume {name}", "mlkube.io/local"),
    ]


def test_wait_for_first_consumer_waits_for_the_scheduler_to_pick_a_node(c: Cluster) -> None:
    # emitEventForUnboundDelayBindingClaim, then provisioning on the selected node
    c.create(make_class("local", wait=True))
    c.create(make_pvc("data", "1Gi", cls="local").build())
    c.run_until_idle()
    assert claim(c)["status"]["phase"] == "Pending"
    assert claim_events(c)[-1][:2] == (
        "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding",
    )
    pod = make_pod("train").build()
    pod["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    c.create(pod)
    c.advance(15)
    assert claim_events(c)[-1][:2] == (
        "WaitForPodScheduled",
        "waiting for pod train to be scheduled",
    )
    pvc = claim(c)
    pvc["metadata"].setdefault("annotations", {})["volume.kubernetes.io/selected-node"] = "n1"
    c.update(pvc)
    c.run_until_idle()
    pv = volume(c, claim(c)["spec"]["volumeName"])
    assert pv["spec"]["nodeAffinity"] == {
        "required": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}
                    ]
                }
            ]
        }
    }
    assert claim(c)["status"]["phase"] == "Bound"


def delete_claim(c: Cluster, name: str = "data") -> None:
    """Delete a claim and drop kubernetes.io/pvc-protection, as the pvc-protection
    controller does once no pod uses the claim."""
    c.delete("persistentvolumeclaims", name)
    pvc = claim(c, name)
    pvc["metadata"]["finalizers"] = []
    c.update(pvc)
    c.run_until_idle()


def test_a_retained_volume_is_released_when_its_claim_goes(c: Cluster) -> None:
    # binder_test.go "4-5 - synchronize volume bound to missing claim" (Retain)
    c.create(make_pv("keep", "1Gi").build())
    c.create(make_pvc("data", "1Gi").build())
    c.run_until_idle()
    delete_claim(c)
    pv = volume(c, "keep")
    assert pv["status"]["phase"] == "Released"
    assert pv["spec"]["claimRef"]["name"] == "data"
    assert not pv["metadata"].get("deletionTimestamp")


def test_a_provisioned_volume_with_reclaim_policy_delete_is_deleted_with_its_claim(
    c: Cluster,
) -> None:
    c.create(make_class("local"))
    c.create(make_pvc("data", "1Gi", cls="local").build())
    c.run_until_idle()
    name = claim(c)["spec"]["volumeName"]
    delete_claim(c)
    # kubernetes.io/pv-protection (admission) holds the object until its controller runs
    assert volume(c, name)["metadata"].get("deletionTimestamp")
    assert volume(c, name)["status"]["phase"] == "Released"


def test_a_bound_claim_whose_volume_vanishes_is_lost(c: Cluster) -> None:
    # binder_test.go "3-2 - bound claim with missing VolumeName" / ClaimLost
    c.create(make_pv("gone", "1Gi").build())
    c.create(make_pvc("data", "1Gi").build())
    c.run_until_idle()
    c.delete("persistentvolumes", "gone")
    pv = volume(c, "gone")
    pv["metadata"]["finalizers"] = []
    c.update(pv)
    c.run_until_idle()
    assert gone(lambda: volume(c, "gone"))
    assert claim(c)["status"]["phase"] == "Lost"
    assert claim_events(c)[-1] == (
        "ClaimLost",
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
        "persistentvolume-controller",
    )


def test_a_class_without_a_provisioner_cannot_provision(c: Cluster) -> None:
    # findProvisionablePlugin on kubernetes.io/no-provisioner with Immediate binding
    local = make_class("manual")
    local["provisioner"] = "kubernetes.io/no-provisioner"
    c.create(local)
    c.create(make_pvc("data", "1Gi", cls="manual").build())
    c.run_until_idle()
    assert claim(c)["status"]["phase"] == "Pending"
    assert claim_events(c) == [
        (
            "ProvisioningFailed",
            "no volume plugin matched name: kubernetes.io/no-provisioner",
            "persistentvolume-controller",
        )
    ]


def test_a_claim_of_a_class_that_does_not_exist_reports_it(c: Cluster) -> None:
    c.create(make_pvc("data", "1Gi", cls="missing").build())
    c.run_until_idle()
    assert claim_events(c) == [
        (
            "ProvisioningFailed",
            'storageclass.storage.k8s.io "missing" not found',
            "persistentvolume-controller",
        )
    ]


def test_a_claim_without_a_class_gets_the_default_class_retroactively(c: Cluster) -> None:
    # assignDefaultStorageClass (RetroactiveDefaultStorageClass, GA in v1.28)
    c.create(make_pvc("data", "1Gi", cls=None).build())
    c.run_until_idle()
    assert "storageClassName" not in claim(c)["spec"]
    default = make_class("standard")
    default["metadata"]["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    c.create(default)
    c.advance(15)
    assert claim(c)["spec"]["storageClassName"] == "standard"
    assert claim(c)["status"]["phase"] == "Bound"
