"""VolumeRestrictions: a ReadWriteOncePod claim already in use by a pod keeps every other pod off
every node.

Follows ``pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go`` (the
ReadWriteOncePod part; ReadWriteOnce is the kubelet's business, never the scheduler's). The
inline-disk conflicts of in-tree GCE PD/EBS/RBD/iSCSI volumes are not modelled.
"""

from __future__ import annotations

from typing import Final

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

__all__ = ["ERR_REASON_RWOP_CONFLICT", "NAME", "VolumeRestrictions"]

NAME: Final = "VolumeRestrictions"
# v1.37.2 pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go
ERR_REASON_RWOP_CONFLICT: Final = (
    "node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode "
    "already in-use by another pod"
)
_STATUS: Final = Status(Code.Unschedulable, ERR_REASON_RWOP_CONFLICT, plugin=NAME)
_KEY: Final = "PreFilter" + NAME


class VolumeRestrictions:
    name = NAME

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        if not (pod.pod.get("spec") or {}).get("volumes"):
            return None, SKIP
        snapshot = self._handle.snapshot
        conflicts = 0
        for volume in (pod.pod.get("spec") or {}).get("volumes") or ():
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if not claim:
                continue
            key = f"{pod.namespace}/{claim}"
            pvc = snapshot.pvcs.get(key)
            if pvc is None:
                return None, Status(
                    Code.UnschedulableAndUnresolvable,
                    f'persistentvolumeclaim "{claim}" not found',
                )
            if "ReadWriteOncePod" not in ((pvc.get("spec") or {}).get("accessModes") or ()):
                continue
            if any(key in n.pvc_ref_counts for n in snapshot.node_infos):
                conflicts += 1
        if conflicts == 0:
            return None, SKIP
        state.write(_KEY, conflicts)
        return None, None

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        conflicts = state.read(_KEY)
        return _STATUS if isinstance(conflicts, int) and conflicts > 0 else None
