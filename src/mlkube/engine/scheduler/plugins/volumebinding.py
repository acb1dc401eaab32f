"""VolumeBinding: a pod's claims must be bound to volumes reachable from the node, or (for
WaitForFirstConsumer classes) bindable there to an available volume or by dynamic provisioning.

Follows ``pkg/scheduler/framework/plugins/volumebinding/volume_binding.go`` and ``binder.go``
(``FindPodVolumes``: bound claims' PV node affinity, static matching of unbound delayed claims
by class, access modes and size, then provisioning). CSIStorageCapacity is not modelled.
The decisions are written to the cycle state; the caller reads them from the result to set
``volume.kubernetes.io/selected-node`` or bind a PV, as PreBind would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from mlkube.api.nodeaffinity import NodeSelectorMatcher
from mlkube.api.quantity import value_of
from mlkube.engine.scheduler.framework import (
    Code,
    CycleState,
    Handle,
    NodeInfo,
    PodInfo,
    PreFilterResult,
    Status,
)

__all__ = [
    "ERR_REASON_BIND_CONFLICT",
    "ERR_REASON_NODE_CONFLICT",
    "ERR_REASON_PV_NOT_EXIST",
    "ERR_UNBOUND_IMMEDIATE",
    "NAME",
    "PodVolumes",
    "VolumeBinding",
]

NAME: Final = "VolumeBinding"
ERR_UNBOUND_IMMEDIATE: Final = "pod has unbound immediate PersistentVolumeClaims"
ERR_REASON_BIND_CONFLICT: Final = "node(s) didn't find available persistent volumes to bind"
ERR_REASON_NODE_CONFLICT: Final = "node(s) didn't match PersistentVolume's node affinity"
ERR_REASON_PV_NOT_EXIST: Final = (
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
)
_KEY: Final = "PreFilter" + NAME
_NO_PROVISIONER: Final = "kubernetes.io/no-provisioner"
WAIT_FOR_FIRST_CONSUMER: Final = "WaitForFirstConsumer"


@dataclass(slots=True)
class PodVolumes:
    """What binding would do on the chosen node: static PV bindings and claims to provision."""

    static_bindings: dict[str, str] = field(default_factory=dict)
    provisions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    bound: list[Mapping[str, Any]]
    delayed: list[Mapping[str, Any]]
    per_node: dict[str, PodVolumes] = field(default_factory=dict)


def _claim_names(pod: PodInfo) -> list[str]:
    return [
        v["persistentVolumeClaim"]["claimName"]
        for v in (pod.pod.get("spec") or {}).get("volumes") or ()
        if (v.get("persistentVolumeClaim") or {}).get("claimName")
    ]


def _pv_fits_node(pv: Mapping[str, Any], node: NodeInfo) -> bool:
    required = ((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required")
    return required is None or NodeSelectorMatcher(required).match(node.node)


def _size(obj_resources: Mapping[str, Any] | None) -> int:
    raw = (obj_resources or {}).get("storage")
    return value_of(str(raw)) if raw is not None else 0


class VolumeBinding:
    name = NAME

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def _class_of(self, pvc: Mapping[str, Any]) -> Mapping[str, Any] | None:
        name = (pvc.get("spec") or {}).get("storageClassName")
        return self._handle.snapshot.storage_classes.get(name) if name else None

    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        names = _claim_names(pod)
        if not names:
            return None, Status(Code.Skip)
        snapshot = self._handle.snapshot
        bound: list[Mapping[str, Any]] = []
        delayed: list[Mapping[str, Any]] = []
        immediate = False
        for name in names:
            pvc = snapshot.pvcs.get(f"{pod.namespace}/{name}")
            if pvc is None:
                return None, Status(
                    Code.UnschedulableAndUnresolvable, f'persistentvolumeclaim "{name}" not found'
                )
            if (pvc.get("metadata") or {}).get("deletionTimestamp"):
                return None, Status(
                    Code.UnschedulableAndUnresolvable,
                    f'persistentvolumeclaim "{name}" is being deleted',
                )
            if (pvc.get("spec") or {}).get("volumeName"):
                bound.append(pvc)
                continue
            sc = self._class_of(pvc)
            if sc is not None and sc.get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER:
                delayed.append(pvc)
            else:
                immediate = True
        if immediate:
            return None, Status(Code.UnschedulableAndUnresolvable, ERR_UNBOUND_IMMEDIATE)
        state.write(_KEY, _State(bound, delayed))
        return None, None

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        s = state.read(_KEY)
        if not isinstance(s, _State):
            return None
        reasons: list[str] = []
        pvs = self._handle.snapshot.pvs
        for pvc in s.bound:
            pv = pvs.get((pvc.get("spec") or {}).get("volumeName") or "")
            if pv is None:
                reasons.append(ERR_REASON_PV_NOT_EXIST)
                break
            if not _pv_fits_node(pv, node):
                reasons.append(ERR_REASON_NODE_CONFLICT)
                break
        if s.delayed:
            decisions = self._find_for_delayed(s.delayed, node)
            if decisions is None:
                reasons.append(ERR_REASON_BIND_CONFLICT)
            else:
                s.per_node[node.name] = decisions
        if not reasons:
            return None
        return Status(Code.UnschedulableAndUnresolvable, *reasons, plugin=NAME)

    def _find_for_delayed(
        self, claims: Sequence[Mapping[str, Any]], node: NodeInfo
    ) -> PodVolumes | None:
        decisions = PodVolumes()
        taken: set[str] = set()
        pvs = self._handle.snapshot.pvs
        for pvc in sorted(
            claims, key=lambda c: _size((c.get("spec") or {}).get("resources", {}).get("requests"))
        ):
            spec = pvc.get("spec") or {}
            key = f"{(pvc.get('metadata') or {}).get('namespace')}/{(pvc.get('metadata') or {}).get('name')}"
            want = _size((spec.get("resources") or {}).get("requests"))
            modes = set(spec.get("accessModes") or ())
            best: tuple[int, str] | None = None
            for name in sorted(pvs):
                pv = pvs[name]
                pv_spec = pv.get("spec") or {}
                if (
                    name in taken
                    or pv_spec.get("claimRef")
                    or (pv.get("status") or {}).get("phase")
                    not in (
                        None,
                        "Available",
                    )
                ):
                    continue
                if (pv_spec.get("storageClassName") or "") != (spec.get("storageClassName") or ""):
                    continue
                if not modes <= set(pv_spec.get("accessModes") or ()):
                    continue
                size = _size(pv_spec.get("capacity"))
                if size < want or not _pv_fits_node(pv, node):
                    continue
                if best is None or size < best[0]:
                    best = (size, name)
            if best is not None:
                taken.add(best[1])
                decisions.static_bindings[key] = best[1]
                continue
            sc = self._class_of(pvc)
            provisioner = (sc or {}).get("provisioner") or ""
            if not provisioner or provisioner == _NO_PROVISIONER:
                return None
            decisions.provisions.append(key)
        return decisions

    def decisions_for(self, state: CycleState, node_name: str) -> PodVolumes | None:
        """What PreBind would do for the chosen node, or ``None`` if the pod has no delayed claims."""
        s = state.read(_KEY)
        if not isinstance(s, _State):
            return None
        return s.per_node.get(node_name)
