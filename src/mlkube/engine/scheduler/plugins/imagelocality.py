"""ImageLocality: prefer nodes that already hold the pod's images, weighted by how widely each
image is spread across the cluster.

Follows ``pkg/scheduler/framework/plugins/imagelocality/image_locality.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mlkube.engine.scheduler.framework import (
    MAX_NODE_SCORE,
    CycleState,
    Handle,
    NodeInfo,
    PodInfo,
    Status,
    normalized_image_name,
)

__all__ = ["NAME", "ImageLocality", "image_priority"]

NAME: Final = "ImageLocality"
_MB: Final = 1024 * 1024
MIN_THRESHOLD: Final = 23 * _MB
MAX_CONTAINER_THRESHOLD: Final = 1000 * _MB


def image_priority(total: int, num_containers: int) -> int:
    """``calculatePriority``: clamp the summed image score and scale it to 0..100."""
    max_threshold = MAX_CONTAINER_THRESHOLD * num_containers
    total = max(MIN_THRESHOLD, min(total, max_threshold))
    return MAX_NODE_SCORE * (total - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


def pod_images(pod: PodInfo) -> list[str]:
    spec = pod.pod.get("spec") or {}
    containers = [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]
    return [normalized_image_name(str(c.get("image") or "")) for c in containers]


class ImageLocality:
    name = NAME

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: object) -> Status | None:
        return None

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        images = pod_images(pod)
        total = 0
        if node.image_sizes:
            snapshot = self._handle.snapshot
            all_nodes = len(snapshot)
            for image in images:
                size = node.image_sizes.get(image)
                if size is not None:
                    total += int(size * (snapshot.image_node_count(image) / all_nodes))
        return image_priority(total, len(images))

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        return None
