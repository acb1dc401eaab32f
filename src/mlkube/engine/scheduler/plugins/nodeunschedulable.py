"""NodeUnschedulable: a cordoned node takes only pods that tolerate its unschedulable taint.

Follows ``pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go``.
"""

from __future__ import annotations

from typing import Final

from mlkube.api.taints import tolerations_tolerate_taint
from mlkube.engine.scheduler.framework import Code, CycleState, NodeInfo, PodInfo, Status

__all__ = ["ERR_REASON_UNSCHEDULABLE", "NAME", "NodeUnschedulable"]

NAME: Final = "NodeUnschedulable"
ERR_REASON_UNSCHEDULABLE: Final = "node(s) were unschedulable"
_TAINT: Final = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
_STATUS: Final = Status(Code.UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE, plugin=NAME)


class NodeUnschedulable:
    name = NAME

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        if not node.unschedulable:
            return None
        tolerations = (pod.pod.get("spec") or {}).get("tolerations")
        return None if tolerations_tolerate_taint(tolerations, _TAINT) else _STATUS
