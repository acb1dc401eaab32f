"""What the vectorised path caches: per pod shape and per entry, and the per-node
arithmetic that catches an entry up.

It exists so that the caches' contents (and the scalar arithmetic that keeps them equal to
the plugins' own) are read in one place. A *shape* is a pod's tolerations, nodeSelector,
node affinity and nodeName; an *entry* is one (shape, requests, filter order). The
arithmetic follows ``pkg/scheduler/framework/plugins/noderesources/least_allocated.go``,
``balanced_allocation.go`` and ``resource_allocation.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mlkube.engine.scheduler.framework import CPU, MAX_NODE_SCORE, MEMORY, NodeInfo, PodInfo
from mlkube.engine.scheduler.plugins import balancedallocation, resource_allocation

__all__ = [
    "I64",
    "_MAX_ENTRIES",
    "_STATE_KEY",
    "_ZEROS",
    "Bools",
    "_Entry",
    "_Shape",
    "_default_pair_total",
    "_lists",
]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


class _Shape:
    """What one pod shape computes once: per static plugin a fail mask, and raw scores."""

    __slots__ = ("affinity_raw", "fail", "static_codes", "taint_raw")

    def __init__(self) -> None:
        self.fail: dict[str, Bools] = {}
        #: Filter order -> per node, 1 + the position of the first failing static plugin.
        self.static_codes: dict[tuple[str, ...], list[int]] = {}
        self.taint_raw: I64 | None = None
        self.affinity_raw: I64 | None = None


class _Entry:
    """One (shape, requests, filter order): filter codes and resource scores over every node,
    caught up incrementally with the nodes that changed since it was last used."""

    __slots__ = (
        "_best_effort",
        "ba_plan",
        "bits",
        "checks",
        "code",
        "combined",
        "combined_weights",
        "default_pair",
        "fit_plan",
        "fit_pos",
        "fit_scorer",
        "log_pos",
        "reasons",
        "reasons_key",
        "static_code",
        "unresolvable",
    )

    def __init__(
        self, code: I64, bits: I64, unresolvable: Bools, reasons: list[str], pos: int
    ) -> None:
        self.code = code
        self.bits = bits
        self.unresolvable = unresolvable
        self.reasons = reasons
        self.reasons_key = tuple(reasons)
        self.log_pos = pos
        #: (bit, resource, request) for each resource NodeResourcesFit checks.
        self.checks: list[tuple[int, str, int]] = []
        self.fit_plan: list[tuple[str, int]] = []
        self.ba_plan: list[tuple[str, int]] = []
        self.fit_scorer: Any = None
        #: (weights and requests) when Fit is LeastAllocated and both plugins score exactly
        #: cpu and memory with weight 1: the default profile's hot case, computed inline.
        self.default_pair: tuple[int, int, int, int, int, int] | None = None
        self._best_effort: bool | None = None
        #: fit_weight * fit_score + ba_weight * ba_score, with those weights.
        self.combined: I64 | None = None
        self.combined_weights: tuple[int, int] = (0, 0)
        #: Per node, 1 + the position of the first failing static plugin (0: none fails);
        #: shared with the shape, never written.
        self.static_code: list[int] = []
        #: 1 + NodeResourcesFit's position in the filter order (0: not filtering).
        self.fit_pos = 0

    def best_effort_for_balance(self, plugin: Any, pod: PodInfo) -> bool:
        """Whether BalancedAllocation's PreScore would Skip this pod (it requests none of them)."""
        if self._best_effort is None:
            wants = resource_allocation.pod_resource_requests(
                pod, plugin.resources, use_requested=True
            )
            self._best_effort = not any(wants)
        return self._best_effort


_MAX_ENTRIES: Final = 512
#: The raw scores of a shape whose every node scores 0 (compared by identity).
_ZEROS: Final = np.zeros(0, dtype=np.int64)
_STATE_KEY: Final = "VectorPath"


def _default_pair_total(node: NodeInfo, pair: tuple[int, int, int, int, int, int]) -> int:
    """LeastAllocated and BalancedAllocation over cpu and memory (weight 1 each), weighted.

    The arithmetic of ``least_allocated.go`` and ``balanced_allocation.go`` written out for
    the default resources; the property test holds it equal to the plugins.
    """
    fit_weight, ba_weight, nz_cpu, nz_memory, cpu, memory = pair
    alloc_cpu = node.allocatable.get(CPU, 0)
    alloc_memory = node.allocatable.get(MEMORY, 0)
    total = 0
    if fit_weight:
        score = count = 0
        for alloc, requested in (
            (alloc_cpu, node.non_zero_cpu + nz_cpu),
            (alloc_memory, node.non_zero_memory + nz_memory),
        ):
            if alloc:
                count += 1
                if requested <= alloc:
                    score += (alloc - requested) * MAX_NODE_SCORE // alloc
        total += fit_weight * (score // count if count else 0)
    if ba_weight:
        with_pod = [
            node.requested.get(CPU, 0) + cpu if alloc_cpu else 0,
            node.requested.get(MEMORY, 0) + memory if alloc_memory else 0,
        ]
        total += ba_weight * balancedallocation.balanced_score(
            with_pod, [alloc_cpu, alloc_memory], [cpu, memory]
        )
    return total


def _lists(
    node: NodeInfo, plan: Sequence[tuple[str, int]], *, use_requested: bool
) -> tuple[list[int], list[int]]:
    """``allocation_lists`` with the pod's requests already resolved."""
    requested: list[int] = []
    allocatable: list[int] = []
    for name, want in plan:
        if name == CPU:
            alloc = node.allocatable.get(CPU, 0)
            used = node.requested.get(CPU, 0) if use_requested else node.non_zero_cpu
        elif name == MEMORY:
            alloc = node.allocatable.get(MEMORY, 0)
            used = node.requested.get(MEMORY, 0) if use_requested else node.non_zero_memory
        else:
            alloc, total = resource_allocation.allocatable_and_requested(
                node, name, want, use_requested=use_requested
            )
            used = total - want
        allocatable.append(alloc)
        requested.append(used + want if alloc else 0)
    return requested, allocatable
