"""The vectorised path's node arrays: per node allocatable, requested and
non-zero-requested resources and the pod count, kept current from snapshot events.

It exists so that the arrays every vectorised filter and score reads are built and caught
up in one place. Follows the per-node cache of ``pkg/scheduler/framework/types.go``
(``NodeInfo``), laid out as numpy columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from mlkube.engine.scheduler.framework import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    PODS,
    NodeInfo,
    PodInfo,
)
from mlkube.engine.scheduler.vector.entries import I64, _Entry, _Shape

__all__ = ["_FIXED", "NodeArrays", "NodeSlice"]

_FIXED: Final = (CPU, MEMORY, EPHEMERAL_STORAGE)


class NodeSlice(Sequence[NodeInfo]):
    """Feasible nodes as indices into the node list; NodeInfos are looked up on access."""

    __slots__ = ("idx", "nodes")

    def __init__(self, nodes: Sequence[NodeInfo], idx: I64) -> None:
        self.nodes = nodes
        self.idx = idx

    def __len__(self) -> int:
        return len(self.idx)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.nodes[j] for j in self.idx[i].tolist()]
        return self.nodes[int(self.idx[i])]

    def __iter__(self) -> Any:
        nodes = self.nodes
        return (nodes[j] for j in self.idx.tolist())


class NodeArrays:
    """Arrays over ``snapshot.node_infos`` and the change log that keeps them current."""

    fw: Any
    snapshot: Any
    _order: list[NodeInfo] | None
    _dirty: set[str]
    _log: list[int]
    _shapes: dict[bytes, _Shape]
    _entries: dict[tuple[Any, ...], _Entry]
    _resources: list[str]
    _col: dict[str, int]

    def _on_change(self, kind: str, name: str) -> None:
        if kind == "node":
            self._order = None
        elif kind == "pod":
            self._dirty.add(name)

    def _rebuild(self) -> None:
        nodes = self.snapshot.node_infos
        self._order = nodes
        self._index = {n.name: i for i, n in enumerate(nodes)}
        for node in nodes:
            for name in (*node.allocatable, *node.requested):
                self._ensure_name(name)
        n, r = len(nodes), len(self._resources)
        self.alloc = np.zeros((r, n), dtype=np.int64)
        self.req = np.zeros((r, n), dtype=np.int64)
        self.nz_cpu = np.zeros(n, dtype=np.int64)
        self.nz_mem = np.zeros(n, dtype=np.int64)
        self.pod_count = np.zeros(n, dtype=np.int64)
        self.allowed = np.zeros(n, dtype=np.int64)
        for i, node in enumerate(nodes):
            self._fill(i, node, alloc=True)
        self._dirty.clear()
        self._log.clear()
        self._shapes.clear()
        self._entries.clear()
        self._has_images = any(n.image_sizes for n in nodes)

    def _ensure_name(self, name: str) -> bool:
        if name == PODS or name in self._col:
            return False
        self._col[name] = len(self._resources)
        self._resources.append(name)
        return True

    def _fill(self, i: int, node: NodeInfo, *, alloc: bool) -> None:
        for c, name in enumerate(self._resources):
            if alloc:
                self.alloc[c, i] = node.allocatable.get(name, 0)
            self.req[c, i] = node.requested.get(name, 0)
        if alloc:
            self.allowed[i] = node.allocatable.get(PODS, 0)
        self.nz_cpu[i] = node.non_zero_cpu
        self.nz_mem[i] = node.non_zero_memory
        self.pod_count[i] = len(node.pods)

    def _sync(self, pod: PodInfo) -> None:
        if self._order is None or self._order is not self.snapshot.node_infos:
            self._rebuild()
        if any(name not in self._col for name in pod.requests if name != PODS):
            for name in pod.requests:
                self._ensure_name(name)
            self._rebuild()
        if self._dirty:
            for name in self._dirty:
                i = self._index.get(name)
                node = self.snapshot.get(name)
                if i is not None and node is not None:
                    self._fill(i, node, alloc=False)
                    self._log.append(i)
            self._dirty.clear()
            if len(self._log) > 1_000_000:
                self._log.clear()
                self._entries.clear()
