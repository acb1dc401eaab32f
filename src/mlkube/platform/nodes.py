"""Pools onto nodes: which node is in which pool, and the labels and taints mlkube owns on it.

On a real cluster a pool's ``selector`` picks existing nodes, and mlkube adds the pool's labels
(``mlkube.io/pool`` among them) and taints. Labels go through server-side apply, whose
per-key ownership already leaves other managers' labels alone
(``sigs.k8s.io/structured-merge-diff``). Taints are an atomic list (``+listType=atomic`` on
``NodeSpec.Taints``, ``k8s.io/api/core/v1/types.go``), so applying them would replace everyone
else's: mlkube instead merges into the live list, in its order, and records the taints it set
in the ``mlkube.io/managed-taints`` annotation so that a later apply removes exactly those.
On the embedded cluster mlkube creates each pool's nodes (``<pool>-<i>``) with the pool's
capacity, as a kubelet registering would (``pkg/kubelet/kubelet_node_status.go``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mlkube.platform.names import MANAGED_TAINTS, PLATFORM, POOL, RUNTIME, node_name
from mlkube.platform.profiles import pool_taints
from mlkube.platform.render import labels
from mlkube.platform.spec import Platform, Pool

__all__ = [
    "DEFAULT_MAX_PODS",
    "embedded_node",
    "embedded_node_status",
    "managed_taint_keys",
    "merge_taints",
    "node_apply",
    "node_registration",
    "pool_of",
    "release",
]

#: The kubelet's default ``--max-pods``: the ``pods`` capacity of a node that states none.
DEFAULT_MAX_PODS = "110"

TaintKey = tuple[str, str]


def _key(taint: Mapping[str, Any]) -> TaintKey:
    return str(taint.get("key") or ""), str(taint.get("effect") or "")


def managed_taint_keys(node: Mapping[str, Any]) -> set[TaintKey]:
    """The taints mlkube set on a node, from its annotation."""
    text = ((node.get("metadata") or {}).get("annotations") or {}).get(MANAGED_TAINTS) or ""
    keys: set[TaintKey] = set()
    for item in filter(None, text.split(",")):
        key, _, effect = item.rpartition(":")
        keys.add((key, effect))
    return keys


def _annotation(taints: Iterable[Mapping[str, Any]]) -> str:
    return ",".join(sorted(f"{k}:{e}" for k, e in {_key(t) for t in taints}))


def merge_taints(
    live: Iterable[Mapping[str, Any]],
    previously_managed: set[TaintKey],
    desired: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The node's taints with mlkube's made current: desired ones set in place (live fields
    such as ``timeAdded`` kept), mlkube's old ones dropped, everyone else's kept, in order."""
    wanted = {_key(t): dict(t) for t in desired}
    merged: list[dict[str, Any]] = []
    for taint in live:
        key = _key(taint)
        if key in wanted:
            merged.append({**taint, **wanted.pop(key)})
        elif key not in previously_managed:
            merged.append(dict(taint))
    merged.extend(wanted.values())
    return merged


def _pool_labels(spec: Platform, pool: Pool) -> dict[str, str]:
    return {**pool.labels, PLATFORM: spec.name, POOL: pool.name}


def pool_of(spec: Platform, node: Mapping[str, Any]) -> Pool | None:
    """The first pool whose selector the node's labels match (real clusters)."""
    node_labels = (node.get("metadata") or {}).get("labels") or {}
    for pool in spec.pools:
        if pool.selector and all(node_labels.get(k) == v for k, v in pool.selector.items()):
            return pool
    return None


def node_apply(
    spec: Platform, pool: Pool, live: Mapping[str, Any] | None, *, embedded: bool = False
) -> dict[str, Any]:
    """The apply configuration of one node of ``pool``: mlkube's labels, the annotation and the
    merged taints. ``live`` is the node as it is (None before the embedded cluster has it)."""
    name = str((live or {}).get("metadata", {}).get("name") or "")
    node_labels = _pool_labels(spec, pool)
    if embedded:
        node_labels = {
            **(pool.selector or {}),
            **labels(spec),
            **node_labels,
            "kubernetes.io/hostname": name,
        }
    desired = pool_taints(pool)
    live_taints = ((live or {}).get("spec") or {}).get("taints") or []
    taints = merge_taints(live_taints, managed_taint_keys(live or {}), desired)
    annotations = {MANAGED_TAINTS: _annotation(desired)} if desired else {}
    if embedded:
        annotations[RUNTIME] = pool.runtime
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": node_labels}
        | ({"annotations": annotations} if annotations else {}),
        "spec": {"taints": taints},
    }


def release(live: Mapping[str, Any]) -> dict[str, Any]:
    """The apply configuration that takes back what mlkube set on a node that left its pool:
    applying no labels drops the labels mlkube owns; the taints lose mlkube's."""
    taints = merge_taints(
        ((live.get("spec") or {}).get("taints") or []), managed_taint_keys(live), []
    )
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": live["metadata"]["name"]},
        "spec": {"taints": taints},
    }


def _capacity(pool: Pool) -> dict[str, str]:
    return dict(sorted({"pods": DEFAULT_MAX_PODS, **pool.capacity}.items()))


def embedded_node_status(pool: Pool, name: str) -> dict[str, Any]:
    """The capacity mlkube keeps on an embedded node's status (``allocatable`` the same)."""
    capacity = _capacity(pool)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"capacity": capacity, "allocatable": dict(capacity)},
    }


def node_registration(name: str) -> dict[str, Any]:
    """What a kubelet reports once when it registers a node: Ready (applied by
    :data:`~mlkube.platform.names.NODE_REGISTRAR`; heartbeats are the simulated kubelet's)."""
    ready = {
        "type": "Ready",
        "status": "True",
        "reason": "KubeletReady",
        "message": "kubelet is posting ready status",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"conditions": [ready]},
    }


def embedded_node(spec: Platform, pool: Pool, i: int) -> dict[str, Any]:
    """The ``i``-th node of a pool on the embedded cluster, as created (with its status)."""
    name = node_name(pool.name, i)
    node = node_apply(spec, pool, {"metadata": {"name": name}}, embedded=True)
    node["status"] = {
        **embedded_node_status(pool, name)["status"],
        **node_registration(name)["status"],
    }
    return node
