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

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.nodeaffinity import NodeSelectorMatcher
from mlkube.api.quantity import value_of
from mlkube.engine.scheduler.framework import (
    SKIP,
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


def _requests(pvc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    requests: Mapping[str, Any] | None = ((pvc.get("spec") or {}).get("resources") or {}).get(
        "requests"
    )
    return requests


def _matching_volume(
    pvc: Mapping[str, Any], pvs: Mapping[str, Mapping[str, Any]], node: NodeInfo, taken: set[str]
) -> str | None:
    """``FindMatchingVolume`` for a delayed-binding claim on ``node``.

    A volume pre-bound to this claim (``claimRef``) wins; otherwise the smallest available,
    unclaimed volume of the claim's class, volume mode, access modes, selector and size that
    the node can reach (ties by name).
    """
    spec = pvc.get("spec") or {}
    meta = pvc.get("metadata") or {}
    want = _size(_requests(pvc))
    modes = set(spec.get("accessModes") or ())
    mode = spec.get("volumeMode") or "Filesystem"
    selector_raw = spec.get("selector")
    selector = None if selector_raw is None else selector_from_label_selector(selector_raw)
    best: tuple[int, str] | None = None
    for name in sorted(pvs):
        if name in taken:
            continue
        pv = pvs[name]
        pv_spec = pv.get("spec") or {}
        ref = pv_spec.get("claimRef") or {}
        pre_bound = bool(ref) and (ref.get("namespace"), ref.get("name")) == (
            meta.get("namespace"),
            meta.get("name"),
        )
        if ref and not pre_bound:
            continue
        if (pv_spec.get("storageClassName") or "") != (spec.get("storageClassName") or ""):
            continue
        if (pv_spec.get("volumeMode") or "Filesystem") != mode:
            continue
        if not modes <= set(pv_spec.get("accessModes") or ()):
            continue
        size = _size(pv_spec.get("capacity"))
        if size < want or not _pv_fits_node(pv, node):
            continue
        if pre_bound:
            return name
        if (pv.get("status") or {}).get("phase") not in (None, "Available"):
            continue
        labels = (pv.get("metadata") or {}).get("labels") or {}
        if selector is not None and not selector.matches(labels):
            continue
        if best is None or size < best[0]:
            best = (size, name)
    return None if best is None else best[1]


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
            return None, SKIP
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
        """``findMatchingVolumes`` then ``checkVolumeProvisions`` for one node."""
        decisions = PodVolumes()
        taken: set[str] = set()
        pvs = self._handle.snapshot.pvs
        for pvc in sorted(claims, key=lambda c: _size(_requests(c))):
            meta = pvc.get("metadata") or {}
            key = f"{meta.get('namespace')}/{meta.get('name')}"
            name = _matching_volume(pvc, pvs, node, taken)
            if name is not None:
                taken.add(name)
                decisions.static_bindings[key] = name
                continue
            sc = self._class_of(pvc)
            provisioner = (sc or {}).get("provisioner") or ""
            if not provisioner or provisioner == _NO_PROVISIONER:
                return None
            decisions.provisions.append(key)
        return decisions

    def decisions_for(self, state: CycleState, node_name: str) -> PodVolumes | None:
        """What PreBind would do on the chosen node; ``None`` without delayed claims."""
        s = state.read(_KEY)
        if not isinstance(s, _State):
            return None
        return s.per_node.get(node_name)
