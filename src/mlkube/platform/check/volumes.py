"""The workload's own claims, as the PersistentVolume binder would leave them.

Rendered workloads bring claims (a sweep's results volume) that do not exist yet; before
placing the pods that mount them, ``check`` does what the binder does once they are
created: an Immediate claim binds to the best Available volume
(:func:`mlkube.engine.controllers.pvbinder.find_best_match`) or, when its class has a
provisioner, to a newly provisioned volume of the requested size; a WaitForFirstConsumer
claim stays Pending for the scheduler's volume binding to decide, as it does in a cluster.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.engine.controllers.pvbinder import (
    NO_PROVISIONER,
    claim_class,
    find_best_match,
)
from mlkube.platform.check.state import ClusterState

__all__ = ["with_claims"]

_WAIT: Final = "WaitForFirstConsumer"

Obj = dict[str, Any]


def _ref(claim: Mapping[str, Any]) -> Obj:
    meta = claim.get("metadata") or {}
    return {
        "kind": "PersistentVolumeClaim",
        "apiVersion": "v1",
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "uid": meta.get("uid"),
    }


def _bound(claim: Obj, volume: Obj) -> tuple[Obj, Obj]:
    claim, volume = copy.deepcopy(claim), copy.deepcopy(volume)
    claim.setdefault("spec", {})["volumeName"] = volume["metadata"]["name"]
    spec = volume.get("spec") or {}
    claim["status"] = {
        "phase": "Bound",
        "accessModes": list(spec.get("accessModes") or []),
        "capacity": dict(spec.get("capacity") or {}),
    }
    volume.setdefault("spec", {})["claimRef"] = _ref(claim)
    volume["status"] = {"phase": "Bound"}
    return claim, volume


def _provisioned(claim: Mapping[str, Any], class_name: str) -> Obj:
    spec = claim.get("spec") or {}
    meta = claim.get("metadata") or {}
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"pvc-{meta.get('uid')}"},
        "spec": {
            "capacity": {
                "storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")
            },
            "accessModes": list(spec.get("accessModes") or []),
            "volumeMode": spec.get("volumeMode") or "Filesystem",
            "storageClassName": class_name,
        },
        "status": {"phase": "Available"},
    }


def with_claims(state: ClusterState, claims: Sequence[Obj]) -> ClusterState:
    """The state with the new claims added as the binder would leave them (a copy)."""
    if not claims:
        return state
    pvcs = list(state.pvcs)
    pvs = list(state.pvs)
    classes = {str((c.get("metadata") or {}).get("name")): c for c in state.storage_classes}
    for claim in claims:
        class_name = claim_class(claim)
        sc = classes.get(class_name)
        delay = sc is not None and sc.get("volumeBindingMode") == _WAIT
        if delay:
            pvcs.append(claim)
            continue
        available = [
            v
            for v in pvs
            if not (v.get("spec") or {}).get("claimRef")
            and (v.get("status") or {}).get("phase") in (None, "Available")
        ]
        volume = find_best_match(claim, available, delay_binding=False)
        if (
            volume is None
            and sc is not None
            and sc.get("provisioner") not in (None, NO_PROVISIONER)
        ):
            volume = _provisioned(claim, class_name)
            pvs.append(volume)
        if volume is None:
            pvcs.append(claim)
            continue
        bound_claim, bound_volume = _bound(claim, volume)
        pvcs.append(bound_claim)
        pvs = [bound_volume if v is volume else v for v in pvs]
    return dataclasses.replace(state, pvcs=pvcs, pvs=pvs)
