"""NodeResourcesBalancedAllocation: prefer nodes whose resource fractions stay close to one another
once the pod is placed.

Follows ``pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go`` (actual requests,
``useRequested``; PreScore skips pods that request none of the resources, issue #129138).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.engine.scheduler.framework import (
    CPU,
    MAX_NODE_SCORE,
    MEMORY,
    SKIP,
    CycleState,
    NodeInfo,
    PodInfo,
    Status,
)
from mlkube.engine.scheduler.plugins.resource_allocation import (
    allocation_lists,
    pod_resource_requests,
)

__all__ = ["NAME", "BalancedAllocation", "balance", "balanced_score"]

NAME: Final = "NodeResourcesBalancedAllocation"
_KEY: Final = "PreScore" + NAME


def balance(requested: list[int], allocatable: list[int]) -> int:
    """``balancedResourceScore``: ``(1 - std of the capped fractions) * 100``, truncated."""
    fractions = [min(r / a, 1.0) for r, a in zip(requested, allocatable, strict=True) if a != 0]
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        std = math.sqrt(sum((f - mean) * (f - mean) for f in fractions) / len(fractions))
    return int((1 - std) * MAX_NODE_SCORE)


def balanced_score(requested: list[int], allocatable: list[int], wants: list[int]) -> int:
    """``balancedResourceScorer`` (v1.37): how much the pod improves the node's balance.

    The balance with the pod and without it are each in [50, 100]; the score is
    ``50 + (50 + with - without) / 2``, so a pod that keeps the balance scores about 75, one
    that improves it moves towards 100 and one that worsens it towards 50.
    ``requested`` includes the pod (``wants``); resources a node does not have are 0.
    """
    allocated = [r - w if a else 0 for r, a, w in zip(requested, allocatable, wants, strict=True)]
    with_pod = balance(requested, allocatable)
    without_pod = balance(allocated, allocatable)
    half = MAX_NODE_SCORE // 2
    return half + (half + with_pod - without_pod) // 2


class BalancedAllocation:
    name = NAME

    def __init__(self, args: Mapping[str, Any] | None = None) -> None:
        raw = (args or {}).get("resources") or ()
        self.resources: tuple[tuple[str, int], ...] = tuple(
            (str(r["name"]), int(r.get("weight") or 1)) for r in raw
        ) or ((CPU, 1), (MEMORY, 1))

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: object) -> Status | None:
        wants = pod_resource_requests(pod, self.resources, use_requested=True)
        if not any(wants):
            return SKIP
        state.write(_KEY, wants)
        return None

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        wants = state.read(_KEY)
        if not isinstance(wants, list):
            wants = pod_resource_requests(pod, self.resources, use_requested=True)
        requested, allocatable = allocation_lists(node, self.resources, wants, use_requested=True)
        return balanced_score(requested, allocatable, wants)

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        return None
