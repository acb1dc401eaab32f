"""Everything ``mlkube check`` and ``explain`` read from a cluster, as wire-form dicts.

A check runs the engine's own admission and scheduler over a copy of the cluster, so it
needs the objects those read: nodes and pods (placement), namespaces, quotas, limit ranges
and priority classes (admission), claims, volumes and classes (volume binding), budgets
(preemption), Jobs (deadlines, for "when") and events (``explain``). Reading is one list per
type through :class:`mlkube.platform.target.ClusterAPI`, so the same code reads the
embedded cluster and a real one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from mlkube.platform.target import ClusterAPI

__all__ = ["ClusterState", "read_state"]

Obj = dict[str, Any]

#: ClusterState field -> the resource listed to fill it.
_RESOURCES: dict[str, str] = {
    "nodes": "nodes",
    "pods": "pods",
    "namespaces": "namespaces",
    "resource_quotas": "resourcequotas",
    "limit_ranges": "limitranges",
    "pvcs": "persistentvolumeclaims",
    "pvs": "persistentvolumes",
    "storage_classes": "storageclasses",
    "priority_classes": "priorityclasses",
    "pdbs": "poddisruptionbudgets",
    "jobs": "jobs",
    "deployments": "deployments",
    "events": "events",
}
_CLUSTER_SCOPED = frozenset({"nodes", "namespaces", "pvs", "storage_classes", "priority_classes"})
#: Kept in every namespace: pods occupy the nodes, Jobs' deadlines free them.
_EVERYWHERE = frozenset({"pods", "jobs"})


@dataclass
class ClusterState:
    """A cluster as read at one moment; nothing in ``check`` mutates it."""

    nodes: list[Obj] = field(default_factory=list)
    pods: list[Obj] = field(default_factory=list)
    namespaces: list[Obj] = field(default_factory=list)
    resource_quotas: list[Obj] = field(default_factory=list)
    limit_ranges: list[Obj] = field(default_factory=list)
    pvcs: list[Obj] = field(default_factory=list)
    pvs: list[Obj] = field(default_factory=list)
    storage_classes: list[Obj] = field(default_factory=list)
    priority_classes: list[Obj] = field(default_factory=list)
    pdbs: list[Obj] = field(default_factory=list)
    jobs: list[Obj] = field(default_factory=list)
    deployments: list[Obj] = field(default_factory=list)
    events: list[Obj] = field(default_factory=list)

    def in_namespace(self, kind: str, namespace: str) -> list[Obj]:
        """The objects of one field (``"pods"``, ``"jobs"``...) in ``namespace``."""
        items: list[Obj] = getattr(self, kind)
        return [o for o in items if (o.get("metadata") or {}).get("namespace") == namespace]

    def find(self, kind: str, namespace: str | None, name: str) -> Obj | None:
        """One object of one field by namespace (None: cluster-scoped) and name."""
        items: list[Obj] = getattr(self, kind)
        for obj in items:
            meta = obj.get("metadata") or {}
            if meta.get("name") == name and (
                namespace is None or meta.get("namespace") == namespace
            ):
                return obj
        return None


def _namespace(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def read_state(target: ClusterAPI, namespaces: Iterable[str] | None = None) -> ClusterState:
    """List every type a check reads. With ``namespaces``, namespaced objects are kept only
    in those namespaces, but for pods and Jobs (the nodes' occupants and their deadlines)."""
    wanted = set(namespaces) if namespaces is not None else None
    state = ClusterState()
    for f in fields(ClusterState):
        items = target.list(_RESOURCES[f.name])
        if wanted is not None and f.name not in _CLUSTER_SCOPED | _EVERYWHERE:
            items = [o for o in items if _namespace(o) in wanted]
        setattr(state, f.name, list(items))
    return state
