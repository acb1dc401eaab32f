"""NodeName: a pod that names a node fits only that node.

Follows ``pkg/scheduler/framework/plugins/nodename/node_name.go``.
"""

from __future__ import annotations

from typing import Final

from mlkube.engine.scheduler.framework import Code, CycleState, NodeInfo, PodInfo, Status

__all__ = ["ERR_REASON", "NAME", "NodeName"]

NAME: Final = "NodeName"
ERR_REASON: Final = "node(s) didn't match the requested node name"
_STATUS: Final = Status(Code.UnschedulableAndUnresolvable, ERR_REASON, plugin=NAME)


class NodeName:
    name = NAME

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        wanted = (pod.pod.get("spec") or {}).get("nodeName") or ""
        return None if not wanted or wanted == node.name else _STATUS
