"""What NodeResourcesFit and NodeResourcesBalancedAllocation share: each scored resource's
allocatable and requested amounts on a node (``noderesources/resource_allocation.go``).
"""

from __future__ import annotations

from collections.abc import Sequence

from mlkube.engine.scheduler.framework import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    NodeInfo,
    PodInfo,
    is_scalar_resource_name,
)

__all__ = ["allocatable_and_requested", "allocation_lists", "pod_resource_requests"]


def allocatable_and_requested(
    node: NodeInfo, resource: str, pod_request: int, *, use_requested: bool
) -> tuple[int, int]:
    """``calculateResourceAllocatableRequest``: (0, 0) means "do not score this resource"."""
    if pod_request == 0 and is_scalar_resource_name(resource):
        return 0, 0
    if resource == CPU:
        used = node.requested.get(CPU, 0) if use_requested else node.non_zero_cpu
        return node.allocatable.get(CPU, 0), used + pod_request
    if resource == MEMORY:
        used = node.requested.get(MEMORY, 0) if use_requested else node.non_zero_memory
        return node.allocatable.get(MEMORY, 0), used + pod_request
    if resource == EPHEMERAL_STORAGE:
        return node.allocatable.get(resource, 0), node.requested.get(resource, 0) + pod_request
    if resource in node.allocatable:
        return node.allocatable[resource], node.requested.get(resource, 0) + pod_request
    return 0, 0


def pod_resource_requests(
    pod: PodInfo, resources: Sequence[tuple[str, int]], *, use_requested: bool
) -> list[int]:
    """The pod's request of each scored resource; non-zero defaults unless ``use_requested``."""
    out = []
    for name, _ in resources:
        if name == CPU and not use_requested:
            out.append(pod.non_zero_cpu)
        elif name == MEMORY and not use_requested:
            out.append(pod.non_zero_memory)
        else:
            out.append(pod.requests.get(name, 0))
    return out


def allocation_lists(
    node: NodeInfo,
    resources: Sequence[tuple[str, int]],
    pod_requests: list[int],
    *,
    use_requested: bool,
) -> tuple[list[int], list[int]]:
    requested, allocatable = [], []
    for (name, _), want in zip(resources, pod_requests, strict=True):
        alloc, req = allocatable_and_requested(node, name, want, use_requested=use_requested)
        allocatable.append(alloc)
        requested.append(req if alloc else 0)
    return requested, allocatable
