"""NodePorts: a pod fits only nodes where none of its host ports is already taken.

Follows ``pkg/scheduler/framework/plugins/nodeports/node_ports.go`` and
``HostPortInfo.CheckConflict`` (``0.0.0.0`` conflicts with every address on the same protocol
and port).
"""

from __future__ import annotations

from typing import Final

from mlkube.engine.scheduler.framework import (
    SKIP,
    Code,
    CycleState,
    NodeInfo,
    PodInfo,
    PreFilterResult,
    Status,
)

__all__ = ["ERR_REASON", "NAME", "NodePorts", "port_conflicts"]

NAME: Final = "NodePorts"
ERR_REASON: Final = "node(s) didn't have free ports for the requested pod ports"
_STATUS: Final = Status(Code.Unschedulable, ERR_REASON, plugin=NAME)
_ANY_IP: Final = "0.0.0.0"


def port_conflicts(used: dict[tuple[str, str, int], int], want: tuple[str, str, int]) -> bool:
    """``HostPortInfo.CheckConflict`` for one wanted (ip, protocol, port)."""
    ip, protocol, port = want
    if ip == _ANY_IP:
        return any(p == protocol and n == port for _, p, n in used)
    return (ip, protocol, port) in used or (_ANY_IP, protocol, port) in used


class NodePorts:
    name = NAME

    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        return (None, None) if pod.host_ports else (None, SKIP)

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        if not node.used_ports:
            return None
        for want in pod.host_ports:
            if port_conflicts(node.used_ports, want):
                return _STATUS
        return None
