"""TaintToleration: a pod stays off nodes whose NoSchedule/NoExecute taints it does not tolerate,
and prefers nodes with fewer untolerated PreferNoSchedule taints.

Follows ``pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`` at v1.37, whose
filter reason no longer prints the taint (PR #134740).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mlkube.api.taints import (
    ERR_REASON_UNTOLERATED,
    SCHEDULER_FILTER_EFFECTS,
    count_intolerable_prefer_no_schedule,
    find_untolerated_taint,
)
from mlkube.engine.scheduler.framework import Code, CycleState, NodeInfo, PodInfo, Status
from mlkube.engine.scheduler.plugins.helper import default_normalize_score

__all__ = ["NAME", "TaintToleration"]

NAME: Final = "TaintToleration"
_STATUS: Final = Status(Code.UnschedulableAndUnresolvable, ERR_REASON_UNTOLERATED, plugin=NAME)


class TaintToleration:
    name = NAME

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        if not node.taints:
            return None
        tolerations = (pod.pod.get("spec") or {}).get("tolerations")
        untolerated = find_untolerated_taint(node.taints, tolerations, SCHEDULER_FILTER_EFFECTS)
        return None if untolerated is None else _STATUS

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: object) -> Status | None:
        return None

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        if not node.taints:
            return 0
        tolerations = (pod.pod.get("spec") or {}).get("tolerations")
        return count_intolerable_prefer_no_schedule(node.taints, tolerations)

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        default_normalize_score(scores, reverse=True)
