"""NodeResourcesFit: a pod fits a node only if every resource it requests is free there, and nodes
are scored by how allocated they would be (LeastAllocated, MostAllocated or
RequestedToCapacityRatio).

Follows ``pkg/scheduler/framework/plugins/noderesources/fit.go``, ``resource_allocation.go``,
``least_allocated.go``, ``most_allocated.go``, ``requested_to_capacity_ratio.go`` and
``helper/shape_score.go``. Requests come from :func:`mlkube.api.resources.pod_requests`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mlkube.api.resources import is_extended_resource_name
from mlkube.engine.scheduler.framework import (
    CPU,
    EPHEMERAL_STORAGE,
    MAX_NODE_SCORE,
    MEMORY,
    PODS,
    Code,
    CycleState,
    NodeInfo,
    PodInfo,
    Status,
)
from mlkube.engine.scheduler.plugins.resource_allocation import (
    allocation_lists,
    pod_resource_requests,
)

__all__ = [
    "LEAST_ALLOCATED",
    "MOST_ALLOCATED",
    "NAME",
    "REASON_TOO_MANY_PODS",
    "REQUESTED_TO_CAPACITY_RATIO",
    "Fit",
    "ScoringStrategy",
    "insufficient_resources",
    "resource_scorer",
]

NAME: Final = "NodeResourcesFit"
REASON_TOO_MANY_PODS: Final = "Too many pods"
LEAST_ALLOCATED: Final = "LeastAllocated"
MOST_ALLOCATED: Final = "MostAllocated"
REQUESTED_TO_CAPACITY_RATIO: Final = "RequestedToCapacityRatio"
#: Shape scores are 0..10 (``MaxCustomPriorityScore``), scaled to 0..100.
MAX_CUSTOM_PRIORITY_SCORE: Final = 10
MAX_UTILIZATION: Final = 100


@dataclass(frozen=True, slots=True)
class ScoringStrategy:
    """``ScoringStrategy``: a type, weighted resources, a RequestedToCapacityRatio shape."""

    type: str = LEAST_ALLOCATED
    resources: tuple[tuple[str, int], ...] = ((CPU, 1), (MEMORY, 1))
    shape: tuple[tuple[int, int], ...] = ()

    @classmethod
    def from_args(cls, raw: Mapping[str, Any] | None) -> ScoringStrategy:
        raw = raw or {}
        resources = tuple(
            (str(r["name"]), int(r.get("weight") or 1)) for r in raw.get("resources") or ()
        ) or ((CPU, 1), (MEMORY, 1))
        rtcr = raw.get("requestedToCapacityRatio") or {}
        shape = tuple(
            (int(p.get("utilization") or 0), int(p.get("score") or 0))
            for p in rtcr.get("shape") or ()
        )
        return cls(str(raw.get("type") or LEAST_ALLOCATED), resources, shape)


def _reason(name: str) -> str:
    return f"Insufficient {name}"


def insufficient_resources(
    requests: Mapping[str, int],
    node: NodeInfo,
    ignored: frozenset[str] = frozenset(),
    ignored_groups: frozenset[str] = frozenset(),
    extra_pods: int = 0,
) -> tuple[list[str], bool]:
    """``fitsRequest``: the reasons the pod does not fit, and whether any is unresolvable.

    A failing resource is unresolvable when the request exceeds the node's whole allocatable.
    """
    reasons: list[str] = []
    unresolvable = False
    allocatable, requested = node.allocatable, node.requested
    if len(node.pods) + extra_pods + 1 > allocatable.get(PODS, 0):
        reasons.append(REASON_TOO_MANY_PODS)
    if not any(v for k, v in requests.items() if k != PODS):
        return reasons, unresolvable
    for name in (CPU, MEMORY, EPHEMERAL_STORAGE):
        want = requests.get(name, 0)
        if want > 0 and want > allocatable.get(name, 0) - requested.get(name, 0):
            reasons.append(_reason(name))
            unresolvable = unresolvable or want > allocatable.get(name, 0)
    for name in sorted(requests):
        if name in (CPU, MEMORY, EPHEMERAL_STORAGE, PODS):
            continue
        want = requests[name]
        if want == 0:
            continue
        if is_extended_resource_name(name) and (
            name in ignored or name.split("/", 1)[0] in ignored_groups
        ):
            continue
        if want > allocatable.get(name, 0) - requested.get(name, 0):
            reasons.append(_reason(name))
            unresolvable = unresolvable or want > allocatable.get(name, 0)
    return reasons, unresolvable


# --- scoring -------------------------------------------------------------------------------


def _least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def _most_requested(requested: int, capacity: int) -> int:
    if capacity == 0:
        return 0
    return min(requested, capacity) * MAX_NODE_SCORE // capacity


def _go_div(a: int, b: int) -> int:
    """Go's integer division truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def broken_linear(shape: Sequence[tuple[int, int]]) -> Callable[[int], int]:
    """``BuildBrokenLinearFunction`` over (utilization, score) points."""

    def fn(p: int) -> int:
        for i, (utilization, score) in enumerate(shape):
            if p <= utilization:
                if i == 0:
                    return score
                u0, s0 = shape[i - 1]
                return s0 + _go_div((score - s0) * (p - u0), utilization - u0)
        return shape[-1][1]

    return fn


def resource_scorer(strategy: ScoringStrategy) -> Callable[[list[int], list[int]], int]:
    """The node score from per-resource (requested, allocatable) lists, as the strategy says."""
    weights = [w for _, w in strategy.resources]
    if strategy.type == REQUESTED_TO_CAPACITY_RATIO:
        raw = broken_linear(
            [(u, s * (MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE)) for u, s in strategy.shape]
        )

        def ratio(requested: list[int], allocatable: list[int]) -> int:
            total = weight_sum = 0
            for i, alloc in enumerate(allocatable):
                if alloc == 0:
                    continue
                req = requested[i]
                score = raw(MAX_UTILIZATION) if req > alloc else raw(req * MAX_UTILIZATION // alloc)
                if score > 0:
                    total += score * weights[i]
                    weight_sum += weights[i]
            return 0 if weight_sum == 0 else _go_round(total / weight_sum)

        return ratio
    per_resource = _most_requested if strategy.type == MOST_ALLOCATED else _least_requested

    def weighted(requested: list[int], allocatable: list[int]) -> int:
        total = weight_sum = 0
        for i, alloc in enumerate(allocatable):
            if alloc == 0:
                continue
            total += per_resource(requested[i], alloc) * weights[i]
            weight_sum += weights[i]
        return 0 if weight_sum == 0 else total // weight_sum

    return weighted


def _go_round(x: float) -> int:
    """``math.Round``: half away from zero."""
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


class Fit:
    name = NAME

    def __init__(self, args: Mapping[str, Any] | None = None) -> None:
        args = args or {}
        self.ignored = frozenset(args.get("ignoredResources") or ())
        self.ignored_groups = frozenset(args.get("ignoredResourceGroups") or ())
        self.strategy = ScoringStrategy.from_args(args.get("scoringStrategy"))
        self.scorer = resource_scorer(self.strategy)

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        reasons, unresolvable = insufficient_resources(
            pod.requests, node, self.ignored, self.ignored_groups
        )
        if not reasons:
            return None
        code = Code.UnschedulableAndUnresolvable if unresolvable else Code.Unschedulable
        return Status(code, *reasons, plugin=NAME)

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: object) -> Status | None:
        return None

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        resources = self.strategy.resources
        wants = pod_resource_requests(pod, resources, use_requested=False)
        requested, allocatable = allocation_lists(node, resources, wants, use_requested=False)
        return self.scorer(requested, allocatable)

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        return None
