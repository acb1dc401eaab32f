"""The vectorised hot path: the same filter decisions and scores as the per-node plugins, computed
over numpy arrays of every node at once.

Per node it keeps allocatable, requested and non-zero-requested resources and the pod count,
updated incrementally from snapshot events; per pod *shape* (tolerations, nodeSelector, node
affinity, nodeName) it computes once the static filter outcome and the taint and preferred
affinity raw scores, reused by every pod of that shape until a node changes. It handles a cycle
only when every filter plugin that will run is one it mirrors (NodeUnschedulable, NodeName,
TaintToleration, NodeAffinity, NodeResourcesFit), every node is a candidate and no pod is
nominated; scoring mirrors TaintToleration, NodeAffinity, NodeResourcesFit, BalancedAllocation
and ImageLocality (when no node lists images) and falls back to a plugin's own ``score`` for the
rest. ``tests/unit/engine/scheduler/test_vector.py`` checks equality with the reference path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import msgspec
import numpy as np
import numpy.typing as npt

from mlkube.api.nodeaffinity import PreferredSchedulingTerms, RequiredNodeAffinity
from mlkube.api.resources import is_extended_resource_name
from mlkube.api.taints import (
    SCHEDULER_FILTER_EFFECTS,
    count_intolerable_prefer_no_schedule,
    find_untolerated_taint,
    tolerations_tolerate_taint,
)
from mlkube.engine.scheduler.framework import (
    CPU,
    EPHEMERAL_STORAGE,
    MAX_NODE_SCORE,
    MEMORY,
    PODS,
    Code,
    CycleState,
    NodeInfo,
    NodeToStatus,
    PodInfo,
    Status,
)
from mlkube.engine.scheduler.plugins import (
    balancedallocation,
    imagelocality,
    nodeaffinity,
    nodename,
    noderesources,
    nodeunschedulable,
    tainttoleration,
)
from mlkube.engine.scheduler.plugins.noderesources import (
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
    REASON_TOO_MANY_PODS,
)

__all__ = ["NodeSlice", "VectorPath"]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_STATIC: Final = (nodeunschedulable.NAME, nodename.NAME, tainttoleration.NAME, nodeaffinity.NAME)
_VECTOR_FILTERS: Final = frozenset((*_STATIC, noderesources.NAME))
_FIXED: Final = (CPU, MEMORY, EPHEMERAL_STORAGE)
_UNSCHEDULABLE_TAINT: Final = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
_STATIC_STATUS: Final = {
    nodeunschedulable.NAME: Status(
        Code.UnschedulableAndUnresolvable,
        nodeunschedulable.ERR_REASON_UNSCHEDULABLE,
        plugin=nodeunschedulable.NAME,
    ),
    nodename.NAME: Status(
        Code.UnschedulableAndUnresolvable, nodename.ERR_REASON, plugin=nodename.NAME
    ),
    tainttoleration.NAME: Status(
        Code.UnschedulableAndUnresolvable,
        tainttoleration.ERR_REASON_UNTOLERATED,
        plugin=tainttoleration.NAME,
    ),
    nodeaffinity.NAME: Status(
        Code.UnschedulableAndUnresolvable, nodeaffinity.ERR_REASON_POD, plugin=nodeaffinity.NAME
    ),
}
_encode = msgspec.json.Encoder().encode


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


class _Shape:
    """What one pod shape computes once: per static plugin a fail mask, and raw scores."""

    __slots__ = ("affinity_raw", "fail", "taint_raw")

    def __init__(self) -> None:
        self.fail: dict[str, Bools] = {}
        self.taint_raw: I64 | None = None
        self.affinity_raw: I64 | None = None


class VectorPath:
    """Arrays over ``snapshot.node_infos`` kept current from snapshot events."""

    def __init__(self, framework: Any) -> None:
        self.fw = framework
        self.snapshot = framework.snapshot
        self.snapshot.listeners.append(self._on_change)
        self._order: list[NodeInfo] | None = None
        self._dirty: set[str] = set()
        self._shapes: dict[bytes, _Shape] = {}
        self._fit_status: dict[tuple[int, bool, tuple[str, ...]], Status] = {}
        self._resources: list[str] = list(_FIXED)
        self._col: dict[str, int] = {r: i for i, r in enumerate(self._resources)}
        self._rebuild()

    # --- keeping the arrays current ----------------------------------------------------------

    def _on_change(self, kind: str, name: str) -> None:
        if kind == "node":
            self._order = None
            self._shapes.clear()
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
        self._shapes.clear()
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
            nodes = self.snapshot
            for name in self._dirty:
                i = self._index.get(name)
                node = nodes.get(name)
                if i is not None and node is not None:
                    for c, res in enumerate(self._resources):
                        self.req[c, i] = node.requested.get(res, 0)
                    self.nz_cpu[i] = node.non_zero_cpu
                    self.nz_mem[i] = node.non_zero_memory
                    self.pod_count[i] = len(node.pods)
            self._dirty.clear()

    # --- which cycles it takes -----------------------------------------------------------------

    def handles(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> bool:
        if self.snapshot.nominated or nodes is not self.snapshot.node_infos:
            return False
        skip = state.skip_filter
        return all(
            p.name in _VECTOR_FILTERS or p.name in skip for p in self.fw.filter_plugins
        )

    def handles_score(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> bool:
        return not self.snapshot.nominated

    # --- per-shape pre-computation -------------------------------------------------------------

    def _shape(self, pod: PodInfo) -> _Shape:
        spec = pod.pod.get("spec") or {}
        affinity = (spec.get("affinity") or {}).get("nodeAffinity")
        key = _encode(
            (spec.get("tolerations"), spec.get("nodeSelector"), affinity, spec.get("nodeName"))
        )
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape()
        return shape

    def _static_fail(self, shape: _Shape, name: str, pod: PodInfo) -> Bools:
        mask = shape.fail.get(name)
        if mask is not None:
            return mask
        nodes = self.snapshot.node_infos
        spec = pod.pod.get("spec") or {}
        tolerations = spec.get("tolerations")
        if name == nodeunschedulable.NAME:
            tolerated = tolerations_tolerate_taint(tolerations, _UNSCHEDULABLE_TAINT)
            values = [n.unschedulable and not tolerated for n in nodes]
        elif name == nodename.NAME:
            wanted = spec.get("nodeName") or ""
            values = [bool(wanted) and n.name != wanted for n in nodes]
        elif name == tainttoleration.NAME:
            values = [
                bool(n.taints)
                and find_untolerated_taint(n.taints, tolerations, SCHEDULER_FILTER_EFFECTS)
                is not None
                for n in nodes
            ]
        else:
            required = RequiredNodeAffinity(pod.pod)
            values = [not required.match(n.node) for n in nodes]
        mask = np.array(values, dtype=np.bool_)
        shape.fail[name] = mask
        return mask

    # --- filter --------------------------------------------------------------------------------

    def _fit(self, pod: PodInfo) -> tuple[I64, Bools, list[str]]:
        """NodeResourcesFit over every node: a reason bitmask, unresolvable flags, the reasons."""
        fit: noderesources.Fit = self.fw.plugins[noderesources.NAME]
        bits = (self.pod_count + 1 > self.allowed).astype(np.int64)
        reasons = [REASON_TOO_MANY_PODS]
        unresolvable = np.zeros(len(bits), dtype=np.bool_)
        requests = pod.requests
        if not any(v for k, v in requests.items() if k != PODS):
            return bits, unresolvable, reasons
        names = [r for r in _FIXED if requests.get(r, 0) > 0]
        for name in sorted(requests):
            if name in _FIXED or name == PODS or requests[name] == 0:
                continue
            if is_extended_resource_name(name) and (
                name in fit.ignored or name.split("/", 1)[0] in fit.ignored_groups
            ):
                continue
            names.append(name)
        for name in names:
            c = self._col[name]
            want = requests[name]
            alloc = self.alloc[c]
            short = want > alloc - self.req[c]
            bits |= short.astype(np.int64) << len(reasons)
            unresolvable |= short & (want > alloc)
            reasons.append(f"Insufficient {name}")
        return bits, unresolvable, reasons

    def find_feasible(
        self,
        state: CycleState,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        start: int,
        to_find: int,
        statuses: NodeToStatus,
    ) -> tuple[NodeSlice, int]:
        """Feasible nodes from ``start`` in round-robin order, and how many nodes were processed."""
        self._sync(pod)
        n = len(nodes)
        skip = state.skip_filter
        shape = self._shape(pod)
        order = [p.name for p in self.fw.filter_plugins if p.name not in skip]
        # code[i] = 1 + position of the first failing plugin, 0 when the node passes.
        code = np.zeros(n, dtype=np.int64)
        bits: I64 | None = None
        unresolvable: Bools | None = None
        reasons: list[str] = []
        for pos in range(len(order) - 1, -1, -1):
            name = order[pos]
            if name == noderesources.NAME:
                bits, unresolvable, reasons = self._fit(pod)
                failing = bits != 0
            else:
                failing = self._static_fail(shape, name, pod)
            code = np.where(failing, pos + 1, code)
        rotated = np.concatenate((code[start:], code[:start])) if start else code
        passing = np.flatnonzero(rotated == 0)
        if len(passing) >= to_find:
            passing = passing[:to_find]
            processed = int(passing[-1]) + 1
        else:
            processed = n
        failed = np.flatnonzero(rotated[:processed])
        if len(failed):
            for j in failed.tolist():
                i = (start + j) % n
                name = order[int(code[i]) - 1]
                if name == noderesources.NAME:
                    assert bits is not None and unresolvable is not None
                    statuses.set(nodes[i].name, self._fit_status_of(int(bits[i]), bool(unresolvable[i]), reasons))
                else:
                    statuses.set(nodes[i].name, _STATIC_STATUS[name])
        feasible = passing + start
        if start:
            feasible %= n
        return NodeSlice(nodes, feasible), processed

    def _fit_status_of(self, bits: int, unresolvable: bool, reasons: list[str]) -> Status:
        key = (bits, unresolvable, tuple(reasons))
        status = self._fit_status.get(key)
        if status is None:
            chosen = [r for k, r in enumerate(reasons) if bits >> k & 1]
            code = Code.UnschedulableAndUnresolvable if unresolvable else Code.Unschedulable
            status = self._fit_status[key] = Status(code, *chosen, plugin=noderesources.NAME)
        return status

    # --- score ---------------------------------------------------------------------------------

    def score(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> I64:
        """The weighted total per node, identical to ``Framework.run_score``'s totals."""
        self._sync(pod)
        fw = self.fw
        for pl in fw.pre_score_plugins:
            status = pl.pre_score(state, pod, nodes)
            if status is not None and status.code is Code.Skip:
                state.skip_score.add(pl.name)
        if isinstance(nodes, NodeSlice) and nodes.nodes is self.snapshot.node_infos:
            idx = nodes.idx
        else:
            idx = np.fromiter(
                (self._index[n.name] for n in nodes), dtype=np.int64, count=len(nodes)
            )
        shape = self._shape(pod)
        totals = np.zeros(len(nodes), dtype=np.int64)
        for pl in fw.score_plugins:
            if pl.name in state.skip_score:
                continue
            scores = self._plugin_scores(pl, state, pod, nodes, idx, shape)
            totals += scores * fw.weights[pl.name]
        return totals

    @staticmethod
    def select(totals: I64, rng: Any) -> int:
        """``select_index`` over an array: the same choice and the same RNG draws."""
        ties = np.flatnonzero(totals == totals.max())
        if len(ties) == 1:
            return int(ties[0])
        return int(ties[rng.randrange(len(ties))])

    def _plugin_scores(
        self,
        pl: Any,
        state: CycleState,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        idx: I64,
        shape: _Shape,
    ) -> I64:
        name = pl.name
        if name == tainttoleration.NAME:
            if shape.taint_raw is None:
                tolerations = (pod.pod.get("spec") or {}).get("tolerations")
                shape.taint_raw = np.array(
                    [
                        count_intolerable_prefer_no_schedule(n.taints, tolerations) if n.taints else 0
                        for n in self.snapshot.node_infos
                    ],
                    dtype=np.int64,
                )
            return _normalize(shape.taint_raw[idx], reverse=True)
        if name == nodeaffinity.NAME:
            if shape.affinity_raw is None:
                preferred = PreferredSchedulingTerms.of_pod(pod.pod)
                shape.affinity_raw = np.array(
                    [preferred.score(n.node) for n in self.snapshot.node_infos], dtype=np.int64
                )
            return _normalize(shape.affinity_raw[idx], reverse=False)
        if name == noderesources.NAME and pl.strategy.type in (LEAST_ALLOCATED, MOST_ALLOCATED):
            return self._allocation_score(pl.strategy, pod, idx)
        if name == balancedallocation.NAME:
            return self._balanced_score(pl.resources, pod, idx)
        if name == imagelocality.NAME and not self._has_images:
            value = imagelocality.image_priority(0, len(imagelocality.pod_images(pod)))
            return np.full(len(idx), value, dtype=np.int64)
        scores = [pl.score(state, pod, node) for node in nodes]
        pl.normalize_score(state, pod, nodes, scores)
        return np.array(scores, dtype=np.int64)

    def _resource_columns(
        self, resources: Sequence[tuple[str, int]], pod: PodInfo, idx: I64, *, use_requested: bool
    ) -> list[tuple[I64, I64, int]]:
        """Per scored resource: (requested incl. the pod, allocatable, weight); 0 alloc = skip."""
        wants = noderesources.pod_resource_requests(pod, resources, use_requested=use_requested)
        out = []
        zero = np.zeros(len(idx), dtype=np.int64)
        for (name, weight), want in zip(resources, wants, strict=True):
            if want == 0 and noderesources.is_scalar_resource_name(name):
                out.append((zero, zero, weight))
                continue
            c = self._col.get(name)
            if c is None:
                out.append((zero, zero, weight))
                continue
            alloc = self.alloc[c, idx]
            if name == CPU and not use_requested:
                used = self.nz_cpu[idx]
            elif name == MEMORY and not use_requested:
                used = self.nz_mem[idx]
            else:
                used = self.req[c, idx]
            requested = np.where(alloc != 0, used + want, 0)
            out.append((requested, alloc, weight))
        return out

    def _allocation_score(self, strategy: Any, pod: PodInfo, idx: I64) -> I64:
        most = strategy.type == MOST_ALLOCATED
        total = np.zeros(len(idx), dtype=np.int64)
        weight_sum = np.zeros(len(idx), dtype=np.int64)
        for requested, alloc, weight in self._resource_columns(
            strategy.resources, pod, idx, use_requested=False
        ):
            has = alloc != 0
            safe = np.where(has, alloc, 1)
            if most:
                per = np.minimum(requested, alloc) * MAX_NODE_SCORE // safe
            else:
                per = np.where(requested > alloc, 0, (alloc - requested) * MAX_NODE_SCORE // safe)
            total += np.where(has, per * weight, 0)
            weight_sum += np.where(has, weight, 0)
        return np.where(weight_sum == 0, 0, total // np.where(weight_sum == 0, 1, weight_sum))

    def _balanced_score(self, resources: Sequence[tuple[str, int]], pod: PodInfo, idx: I64) -> I64:
        columns = self._resource_columns(resources, pod, idx, use_requested=True)
        fractions = []
        present = []
        for requested, alloc, _ in columns:
            has = alloc != 0
            fraction = np.minimum(requested / np.where(has, alloc, 1), 1.0)
            fractions.append(np.where(has, fraction, 0.0))
            present.append(has)
        std = np.zeros(len(idx), dtype=np.float64)
        if len(columns) == 2:
            both = present[0] & present[1]
            std = np.where(both, np.abs((fractions[0] - fractions[1]) / 2), 0.0)
        elif len(columns) > 2:
            # Three or more resources: the exact scalar formula per node.
            out = []
            for k in range(len(idx)):
                req = [int(c[0][k]) for c in columns]
                alloc = [int(c[1][k]) for c in columns]
                out.append(balancedallocation.balanced_score(req, alloc))
            return np.array(out, dtype=np.int64)
        return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)


def _normalize(raw: I64, *, reverse: bool) -> I64:
    """``DefaultNormalizeScore`` over an array."""
    highest = int(raw.max()) if len(raw) else 0
    if highest == 0:
        return np.full(len(raw), MAX_NODE_SCORE if reverse else 0, dtype=np.int64)
    scaled = MAX_NODE_SCORE * raw // highest
    return MAX_NODE_SCORE - scaled if reverse else scaled
