"""The scheduler's view of the cluster: NodeInfos in node-tree order, pods, volumes, PDBs.

kube-scheduler schedules against a snapshot of its cache; the embedded cluster keeps one
Snapshot current with incremental ``add_*``/``update_*``/``remove_*`` calls as objects change,
and ``schedule_one`` binds ("assumes") placed pods straight into it. Follows
``pkg/scheduler/backend/cache/snapshot.go``, ``cache.go`` (assumed pods, image states) and
``node_tree.go`` (nodes listed zone by zone, round robin).

Only pods with ``spec.nodeName`` are accounted on nodes; terminal pods (Succeeded/Failed)
are not, as the scheduler's informer filters them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import msgspec

from mlkube.api.labels import (
    Selector,
    SelectorError,
    selector_from_label_selector,
    selector_from_set,
)
from mlkube.engine.scheduler.framework import ImageStateSummary, NodeInfo, PodInfo, pod_key

__all__ = ["NodeTree", "Snapshot", "zone_key"]

_ZONE = "topology.kubernetes.io/zone"
_REGION = "topology.kubernetes.io/region"
_ZONE_BETA = "failure-domain.beta.kubernetes.io/zone"
_REGION_BETA = "failure-domain.beta.kubernetes.io/region"

Listener = Callable[[str, str], None]


def zone_key(node: Mapping[str, Any]) -> str:
    """``utilnode.GetZoneKey``: ``region:\\x00:zone``, or ``""`` when neither label is set."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    zone = labels.get(_ZONE) or labels.get(_ZONE_BETA) or ""
    region = labels.get(_REGION) or labels.get(_REGION_BETA) or ""
    if not zone and not region:
        return ""
    return f"{region}:\x00:{zone}"


class NodeTree:
    """Node names grouped by zone; ``list()`` interleaves the zones (``nodeTree.list``)."""

    def __init__(self) -> None:
        # Per zone an insertion-ordered set (a dict), so adding and removing stay O(1) and
        # removal keeps the order, as upstream's ``append(na[:i], na[i+1:]...)`` does.
        self._zones: dict[str, dict[str, None]] = {}

    def add(self, zone: str, name: str) -> None:
        self._zones.setdefault(zone, {})[name] = None

    def remove(self, zone: str, name: str) -> None:
        names = self._zones.get(zone)
        if names is None or name not in names:
            return
        del names[name]
        if not names:
            del self._zones[zone]

    def list(self) -> list[str]:
        zones = [list(names) for names in self._zones.values()]
        out: list[str] = []
        depth = max((len(z) for z in zones), default=0)
        for i in range(depth):
            for names in zones:
                if i < len(names):
                    out.append(names[i])
        return out


class Snapshot:
    """NodeInfos, the pods on them, and the objects volume and preemption plugins read.

    Build it from lists of wire-form dicts; keep it current with the incremental methods.
    ``node_infos`` is in node-tree order. ``listeners`` are called with ``(kind, name)`` for
    every node change (``"node"``) and pod accounting change (``"pod"`` with the node name),
    which is how the vectorised path keeps its arrays current.
    """

    def __init__(
        self,
        nodes: Iterable[Mapping[str, Any]] = (),
        pods: Iterable[Mapping[str, Any]] = (),
        *,
        pvcs: Iterable[Mapping[str, Any]] = (),
        pvs: Iterable[Mapping[str, Any]] = (),
        storage_classes: Iterable[Mapping[str, Any]] = (),
        pdbs: Iterable[Mapping[str, Any]] = (),
        namespaces: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self._nodes: dict[str, NodeInfo] = {}
        self._zone_of: dict[str, str] = {}
        self._tree = NodeTree()
        self._order: list[NodeInfo] | None = None
        self._pod_node: dict[str, str] = {}
        self._pods: dict[str, PodInfo] = {}
        self._image_nodes: dict[str, set[str]] = {}
        self._orphans: dict[str, dict[str, PodInfo]] = {}
        self.pvcs: dict[str, Mapping[str, Any]] = {}
        self.pvs: dict[str, Mapping[str, Any]] = {}
        self.storage_classes: dict[str, Mapping[str, Any]] = {}
        self.pdbs: dict[str, Mapping[str, Any]] = {}
        self.namespace_labels: dict[str, Mapping[str, str]] = {}
        #: Services, ReplicaSets, StatefulSets, ReplicationControllers by (kind, ns/name),
        #: for PodTopologySpread's system-default constraints.
        self.workloads: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.nominated: dict[str, tuple[PodInfo, str]] = {}
        self.listeners: list[Listener] = []
        #: Node name -> number of its pods with pod (anti-)affinity / required anti-affinity.
        self.affinity_nodes: dict[str, int] = {}
        self.anti_affinity_nodes: dict[str, int] = {}
        self.generation = 0
        for node in nodes:
            self.add_node(node)
        for pod in pods:
            self.add_pod(pod)
        for pvc in pvcs:
            self.set_pvc(pvc)
        for pv in pvs:
            self.set_pv(pv)
        for sc in storage_classes:
            self.set_storage_class(sc)
        for pdb in pdbs:
            self.set_pdb(pdb)
        for ns in namespaces:
            self.set_namespace(ns)

    # --- reading ---------------------------------------------------------------------------

    @property
    def node_infos(self) -> list[NodeInfo]:
        """Every NodeInfo, in node-tree order (zones interleaved)."""
        if self._order is None:
            self._order = [self._nodes[name] for name in self._tree.list()]
        return self._order

    def get(self, name: str) -> NodeInfo | None:
        return self._nodes.get(name)

    def __len__(self) -> int:
        return len(self._nodes)

    def pods(self) -> Iterable[PodInfo]:
        """Every pod accounted on a node."""
        return self._pods.values()

    def node_of(self, key: str) -> str | None:
        return self._pod_node.get(key)

    def image_summary(self, image: str, size: int) -> ImageStateSummary:
        """The image's size on this node and the number of nodes that have it."""
        return ImageStateSummary(size, len(self._image_nodes.get(image, ())))

    def image_node_count(self, image: str) -> int:
        return len(self._image_nodes.get(image, ()))

    # --- nodes -----------------------------------------------------------------------------

    def add_node(self, node: Mapping[str, Any]) -> None:
        """Add a node, or update it if one of that name exists."""
        name = (node.get("metadata") or {}).get("name") or ""
        existing = self._nodes.get(name)
        if existing is not None:
            self.update_node(node)
            return
        info = NodeInfo(node)
        self._nodes[name] = info
        zone = zone_key(node)
        self._zone_of[name] = zone
        self._tree.add(zone, name)
        self._order = None
        self._index_images(info, 1)
        self._changed("node", name)
        for waiting in self._orphans.pop(name, {}).values():
            self.add_pod(waiting)

    def update_node(self, node: Mapping[str, Any]) -> None:
        """Replace a node; a change that no plugin reads (a heartbeat) is not an event."""
        name = (node.get("metadata") or {}).get("name") or ""
        info = self._nodes.get(name)
        if info is None:
            self.add_node(node)
            return
        if _scheduling_view(node) == _scheduling_view(info.node):
            info.node = node
            return
        self._index_images(info, -1)
        info.set_node(node)
        self._index_images(info, 1)
        zone = zone_key(node)
        if zone != self._zone_of[name]:
            self._tree.remove(self._zone_of[name], name)
            self._tree.add(zone, name)
            self._zone_of[name] = zone
            self._order = None
        self._changed("node", name)

    def remove_node(self, name: str) -> None:
        """Forget a node; its pods wait, unaccounted, until it returns or they are removed."""
        info = self._nodes.pop(name, None)
        if info is None:
            return
        self._index_images(info, -1)
        self._tree.remove(self._zone_of.pop(name), name)
        for key, pod in info.pods.items():
            self._pods.pop(key, None)
            self._pod_node.pop(key, None)
            self._orphans.setdefault(name, {})[key] = pod
        self.affinity_nodes.pop(name, None)
        self.anti_affinity_nodes.pop(name, None)
        self._order = None
        self._changed("node", name)

    def _index_images(self, info: NodeInfo, sign: int) -> None:
        for image in info.image_sizes:
            holders = self._image_nodes.setdefault(image, set())
            if sign > 0:
                holders.add(info.name)
            else:
                holders.discard(info.name)
                if not holders:
                    del self._image_nodes[image]

    # --- pods ------------------------------------------------------------------------------

    def add_pod(self, pod: Mapping[str, Any] | PodInfo) -> None:
        """Account a bound pod on its node; unbound and terminal pods are ignored."""
        info = pod if isinstance(pod, PodInfo) else PodInfo(pod)
        phase = (info.pod.get("status") or {}).get("phase")
        if not info.node_name or phase in ("Succeeded", "Failed"):
            self.remove_pod(info.key)
            return
        if info.key in self._pod_node:
            self.remove_pod(info.key)
        node = self._nodes.get(info.node_name)
        self.nominated.pop(info.key, None)
        if node is None:
            # Bound to a node not (yet) known: accounted when the node arrives.
            self._orphans.setdefault(info.node_name, {})[info.key] = info
            return
        node.add_pod(info)
        self._count_affinity(info, 1)
        self._pods[info.key] = info
        self._pod_node[info.key] = info.node_name
        self._changed("pod", info.node_name)

    def _count_affinity(self, info: PodInfo, sign: int) -> None:
        if not info.has_pod_affinity:
            return
        for counts, applies in (
            (self.affinity_nodes, True),
            (self.anti_affinity_nodes, bool(info.required_anti_affinity_terms)),
        ):
            if applies:
                n = counts.get(info.node_name, 0) + sign
                if n > 0:
                    counts[info.node_name] = n
                else:
                    counts.pop(info.node_name, None)

    def update_pod(self, pod: Mapping[str, Any]) -> None:
        self.add_pod(pod)

    def remove_pod(self, pod: Mapping[str, Any] | str) -> None:
        key = pod if isinstance(pod, str) else pod_key(pod)
        self.nominated.pop(key, None)
        if self._orphans:
            for waiting in self._orphans.values():
                waiting.pop(key, None)
        node_name = self._pod_node.pop(key, None)
        info = self._pods.pop(key, None)
        if node_name is None:
            return
        if info is not None:
            self._count_affinity(info, -1)
        node = self._nodes.get(node_name)
        if node is not None and node.remove_pod(key) is not None:
            self._changed("pod", node_name)

    def assume(self, pod: PodInfo, node_name: str, *, copy: bool = True) -> PodInfo:
        """Account ``pod`` on ``node_name`` as if bound (the scheduler cache's AssumePod).

        The pod dict is copied with ``spec.nodeName`` set; with ``copy=False`` the given
        PodInfo itself is updated and accounted (the caller hands it over).
        """
        pod_dict = dict(pod.pod)
        pod_dict["spec"] = {**(pod.pod.get("spec") or {}), "nodeName": node_name}
        if copy:
            assumed = PodInfo.__new__(PodInfo)
            for slot in PodInfo.__slots__:
                setattr(assumed, slot, getattr(pod, slot))
        else:
            assumed = pod
        assumed.pod = pod_dict
        assumed.node_name = node_name
        self.add_pod(assumed)
        return assumed

    def nominate(self, pod: PodInfo, node_name: str) -> None:
        """Record that ``pod`` is nominated to ``node_name`` (after preemption)."""
        self.nominated[pod.key] = (pod, node_name)
        self._changed("nominated", node_name)

    def nominated_pods_for(self, node_name: str) -> Sequence[PodInfo]:
        return [p for p, n in self.nominated.values() if n == node_name]

    # --- other objects ---------------------------------------------------------------------

    def set_pvc(self, pvc: Mapping[str, Any]) -> None:
        self.pvcs[_ns_name(pvc)] = pvc

    def remove_pvc(self, namespace: str, name: str) -> None:
        self.pvcs.pop(f"{namespace}/{name}", None)

    def set_pv(self, pv: Mapping[str, Any]) -> None:
        self.pvs[(pv.get("metadata") or {}).get("name") or ""] = pv

    def remove_pv(self, name: str) -> None:
        self.pvs.pop(name, None)

    def set_storage_class(self, sc: Mapping[str, Any]) -> None:
        self.storage_classes[(sc.get("metadata") or {}).get("name") or ""] = sc

    def remove_storage_class(self, name: str) -> None:
        self.storage_classes.pop(name, None)

    def set_pdb(self, pdb: Mapping[str, Any]) -> None:
        self.pdbs[_ns_name(pdb)] = pdb

    def remove_pdb(self, namespace: str, name: str) -> None:
        self.pdbs.pop(f"{namespace}/{name}", None)

    def set_namespace(self, ns: Mapping[str, Any]) -> None:
        meta = ns.get("metadata") or {}
        self.namespace_labels[meta.get("name") or ""] = meta.get("labels") or {}

    def set_workload(self, obj: Mapping[str, Any]) -> None:
        """Record a Service, ReplicaSet, StatefulSet or ReplicationController."""
        self.workloads[(str(obj.get("kind") or ""), _ns_name(obj))] = obj

    def remove_workload(self, kind: str, namespace: str, name: str) -> None:
        self.workloads.pop((kind, f"{namespace}/{name}"), None)

    def default_selector(self, pod: PodInfo) -> Selector | None:
        """``helper.DefaultSelector``: the selectors of the Services selecting the pod and of its
        controlling ReplicaSet/StatefulSet/ReplicationController; ``None`` when empty."""
        if not self.workloads:
            return None
        merged: dict[str, str] = {}
        for (kind, key), obj in self.workloads.items():
            if kind != "Service" or not key.startswith(pod.namespace + "/"):
                continue
            selector = (obj.get("spec") or {}).get("selector") or {}
            if selector and all(pod.labels.get(k) == v for k, v in selector.items()):
                merged.update(selector)
        requirements = list(selector_from_set(merged).requirements)
        owner = next(
            (
                o
                for o in (pod.pod.get("metadata") or {}).get("ownerReferences") or ()
                if o.get("controller")
            ),
            None,
        )
        if owner is not None:
            kind = str(owner.get("kind") or "")
            controller = self.workloads.get((kind, f"{pod.namespace}/{owner.get('name')}"))
            if controller is not None and kind == "ReplicationController":
                merged.update((controller.get("spec") or {}).get("selector") or {})
                requirements = list(selector_from_set(merged).requirements)
            elif controller is not None and kind in ("ReplicaSet", "StatefulSet"):
                try:
                    raw = (controller.get("spec") or {}).get("selector")
                    other = selector_from_label_selector(raw)
                    requirements += list(other.requirements)
                except SelectorError:
                    pass
        if not requirements:
            return None
        return Selector(requirements)

    def _changed(self, kind: str, name: str) -> None:
        self.generation += 1
        for listener in self.listeners:
            listener(kind, name)


def _scheduling_view(node: Mapping[str, Any]) -> bytes:
    """What the scheduler reads of a node: labels, taints, cordon, allocatable, images."""
    meta = node.get("metadata") or {}
    spec = node.get("spec") or {}
    status = node.get("status") or {}
    return _encode(
        (
            meta.get("name"),
            meta.get("labels"),
            spec.get("taints"),
            spec.get("unschedulable"),
            status.get("allocatable"),
            status.get("images"),
        )
    )


_encode = msgspec.json.Encoder().encode


def _ns_name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"
