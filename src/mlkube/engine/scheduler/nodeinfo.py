"""The scheduler's per-node cache: what a node offers and what its pods already use.

Filter and Score plugins ask the same questions of every node in every cycle (free resources,
ports in use, taints, labels, images, claimed PVCs); ``NodeInfo`` keeps the answers as ints
and dicts that the snapshot updates incrementally as pods come and go, and that preemption
clones to try removing victims. Follows, at Kubernetes v1.37, ``NodeInfo`` and
``ImageStateSummary`` in ``pkg/scheduler/framework/types.go``.
:mod:`mlkube.engine.scheduler.framework` re-exports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlkube.engine.scheduler.podinfo import PodInfo
from mlkube.engine.scheduler.resource import PODS, quantities_to_ints

__all__ = ["ImageStateSummary", "NodeInfo", "normalized_image_name"]


@dataclass(slots=True)
class ImageStateSummary:
    """An image on a node: its size and how many nodes in the cluster have it."""

    size: int
    num_nodes: int


def normalized_image_name(name: str) -> str:
    """``normalizedImageName``: a name without a tag or digest means ``:latest``."""
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


class NodeInfo:
    """The per-node cache (``NodeInfo``): what a node offers and what its pods already use.

    ``requested`` sums the pods' ``PodRequests`` (cpu in millicores); ``non_zero_cpu`` and
    ``non_zero_memory`` sum their non-zero requests (``NonZeroRequested``); ``used_ports``
    the host ports in use; ``image_sizes`` the node's images by normalised name;
    ``pvc_ref_counts`` the ``namespace/name`` PVCs its pods use. Only the snapshot mutates it.
    """

    __slots__ = (
        "allocatable",
        "generation",
        "image_sizes",
        "labels",
        "name",
        "node",
        "non_zero_cpu",
        "non_zero_memory",
        "pods",
        "pods_with_affinity",
        "pods_with_required_anti_affinity",
        "pvc_ref_counts",
        "requested",
        "taints",
        "unschedulable",
        "used_ports",
    )

    def __init__(self, node: Mapping[str, Any]) -> None:
        self.pods: dict[str, PodInfo] = {}
        self.pods_with_affinity: dict[str, PodInfo] = {}
        self.pods_with_required_anti_affinity: dict[str, PodInfo] = {}
        self.requested: dict[str, int] = {}
        self.non_zero_cpu = 0
        self.non_zero_memory = 0
        self.used_ports: dict[tuple[str, str, int], int] = {}
        self.pvc_ref_counts: dict[str, int] = {}
        self.generation = 0
        self.set_node(node)

    def set_node(self, node: Mapping[str, Any]) -> None:
        meta = node.get("metadata") or {}
        spec = node.get("spec") or {}
        status = node.get("status") or {}
        self.node: Mapping[str, Any] = node
        self.name: str = meta.get("name") or ""
        self.labels: Mapping[str, str] = meta.get("labels") or {}
        self.taints: Sequence[Mapping[str, Any]] = spec.get("taints") or ()
        self.unschedulable: bool = bool(spec.get("unschedulable"))
        self.allocatable: dict[str, int] = quantities_to_ints(status.get("allocatable") or {})
        self.image_sizes: dict[str, int] = {}
        for image in status.get("images") or ():
            for name in image.get("names") or ():
                # Keyed as the node lists them; the pod's side is normalised (image_locality.go).
                self.image_sizes[name] = int(image.get("sizeBytes") or 0)
        self.generation += 1

    @property
    def allowed_pod_number(self) -> int:
        return self.allocatable.get(PODS, 0)

    def add_pod(self, pod: PodInfo) -> None:
        """Account a pod on this node (``NodeInfo.AddPodInfo``)."""
        self.pods[pod.key] = pod
        if pod.has_pod_affinity:
            self.pods_with_affinity[pod.key] = pod
            if pod.required_anti_affinity_terms:
                self.pods_with_required_anti_affinity[pod.key] = pod
        self._account(pod, 1)
        self.generation += 1

    def remove_pod(self, key: str) -> PodInfo | None:
        """Forget a pod (``NodeInfo.RemovePod``); returns it, or ``None`` if it was not here."""
        pod = self.pods.pop(key, None)
        if pod is None:
            return None
        self.pods_with_affinity.pop(key, None)
        self.pods_with_required_anti_affinity.pop(key, None)
        self._account(pod, -1)
        self.generation += 1
        return pod

    def _account(self, pod: PodInfo, sign: int) -> None:
        for name, amount in pod.requests.items():
            if name == PODS:
                continue
            self.requested[name] = self.requested.get(name, 0) + sign * amount
        self.non_zero_cpu += sign * pod.non_zero_cpu
        self.non_zero_memory += sign * pod.non_zero_memory
        for port in pod.host_ports:
            count = self.used_ports.get(port, 0) + sign
            if count > 0:
                self.used_ports[port] = count
            else:
                self.used_ports.pop(port, None)
        for claim in _pvc_names(pod):
            count = self.pvc_ref_counts.get(claim, 0) + sign
            if count > 0:
                self.pvc_ref_counts[claim] = count
            else:
                self.pvc_ref_counts.pop(claim, None)

    def clone(self) -> NodeInfo:
        """A copy whose pod accounting can change without touching this one (preemption)."""
        copy = NodeInfo.__new__(NodeInfo)
        copy.node = self.node
        copy.name = self.name
        copy.labels = self.labels
        copy.taints = self.taints
        copy.unschedulable = self.unschedulable
        copy.allocatable = self.allocatable
        copy.image_sizes = self.image_sizes
        copy.pods = dict(self.pods)
        copy.pods_with_affinity = dict(self.pods_with_affinity)
        copy.pods_with_required_anti_affinity = dict(self.pods_with_required_anti_affinity)
        copy.requested = dict(self.requested)
        copy.non_zero_cpu = self.non_zero_cpu
        copy.non_zero_memory = self.non_zero_memory
        copy.used_ports = dict(self.used_ports)
        copy.pvc_ref_counts = dict(self.pvc_ref_counts)
        copy.generation = self.generation
        return copy


def _pvc_names(pod: PodInfo) -> Iterable[str]:
    for volume in (pod.pod.get("spec") or {}).get("volumes") or ():
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            yield f"{pod.namespace}/{claim}"
