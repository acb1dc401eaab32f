"""The vectorised hot path: the same filter decisions and scores as the per-node plugins, computed
over numpy arrays of every node at once and kept current incrementally.

Per node it keeps allocatable, requested and non-zero-requested resources and the pod count,
updated from snapshot events. Per pod *shape* (tolerations, nodeSelector, node affinity,
nodeName) it computes once the static filter outcome and the taint and preferred-affinity raw
scores. Per (shape, requests, filter order) an entry holds every node's filter code (which
plugin fails first), NodeResourcesFit's reason bitmask and the weighted Fit + BalancedAllocation
score; when a pod of the same entry comes again only the nodes changed since are recomputed,
with the plugins' own arithmetic, so a cycle costs a few array operations instead of a loop
over nodes.

It takes a cycle only when every filter plugin that will run is one it mirrors
(NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit), every node is a
candidate and no pod is nominated. Scoring mirrors TaintToleration, NodeAffinity,
NodeResourcesFit (LeastAllocated, MostAllocated), BalancedAllocation and ImageLocality (when no
node lists images), and calls a plugin's own ``score`` for the rest. Statuses of failing nodes
are built lazily (only a FitError reads them). ``tests/unit/engine/scheduler/test_vector.py``
checks, as a hypothesis property, identical feasibility, statuses and scores with the
reference path.
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
    ERR_REASON_UNTOLERATED,
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
    is_scalar_resource_name,
)
from mlkube.engine.scheduler.plugins import (
    balancedallocation,
    imagelocality,
    nodeaffinity,
    nodename,
    noderesources,
    nodeunschedulable,
    resource_allocation,
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
        ERR_REASON_UNTOLERATED,
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
#: Score plugins whose PreScore never skips and only feeds their own Score; BalancedAllocation's
#: Skip (a pod requesting none of its resources) is decided from the entry instead.
_OWN_PRE_SCORE: Final = frozenset(
    (
        tainttoleration.NAME,
        nodeaffinity.NAME,
        noderesources.NAME,
        imagelocality.NAME,
        balancedallocation.NAME,
    )
)
#: The raw scores of a shape whose every node scores 0 (compared by identity).
_ZEROS: Final = np.zeros(0, dtype=np.int64)
_STATE_KEY: Final = "VectorPath"


class VectorPath:
    """Arrays over ``snapshot.node_infos`` kept current from snapshot events."""

    def __init__(self, framework: Any) -> None:
        self.fw = framework
        self.snapshot = framework.snapshot
        self.snapshot.listeners.append(self._on_change)
        self._order: list[NodeInfo] | None = None
        self._dirty: set[str] = set()
        self._log: list[int] = []
        self._shapes: dict[bytes, _Shape] = {}
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        self._fit_status: dict[tuple[int, bool, tuple[str, ...]], Status] = {}
        self._score_plan: list[tuple[Any, int, int]] = [
            (pl, framework.weights[pl.name], _score_kind(pl)) for pl in framework.score_plugins
        ]
        self._other_filters = [
            p.name for p in framework.filter_plugins if p.name not in _VECTOR_FILTERS
        ]
        self._resources: list[str] = list(_FIXED)
        self._col: dict[str, int] = {r: i for i, r in enumerate(self._resources)}
        self._rebuild()

    # --- keeping the arrays current ----------------------------------------------------------

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

    # --- which cycles it takes -----------------------------------------------------------------

    def handles(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> bool:
        if self.snapshot.nominated or nodes is not self.snapshot.node_infos:
            return False
        skip = state.skip_filter
        return all(name in skip for name in self._other_filters)

    def handles_score(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> bool:
        return not self.snapshot.nominated

    # --- per-shape pre-computation -------------------------------------------------------------

    def _shape_key(self, pod: PodInfo) -> bytes:
        spec = pod.pod.get("spec") or {}
        affinity = (spec.get("affinity") or {}).get("nodeAffinity")
        return _encode(
            (spec.get("tolerations"), spec.get("nodeSelector"), affinity, spec.get("nodeName"))
        )

    def _shape(self, key: bytes) -> _Shape:
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

    def _fit_names(self, pod: PodInfo) -> list[str]:
        """The resources NodeResourcesFit checks for this pod, in its order."""
        fit: noderesources.Fit = self.fw.plugins[noderesources.NAME]
        requests = pod.requests
        if not any(v for k, v in requests.items() if k != PODS):
            return []
        names = [r for r in _FIXED if requests.get(r, 0) > 0]
        for name in sorted(requests):
            if name in _FIXED or name == PODS or requests[name] == 0:
                continue
            if is_extended_resource_name(name) and (
                name in fit.ignored or name.split("/", 1)[0] in fit.ignored_groups
            ):
                continue
            names.append(name)
        return names

    def _fit(self, pod: PodInfo) -> tuple[I64, Bools, list[str]]:
        """NodeResourcesFit over every node: a reason bitmask, unresolvable flags, the reasons."""
        bits = (self.pod_count + 1 > self.allowed).astype(np.int64)
        reasons = [REASON_TOO_MANY_PODS]
        unresolvable = np.zeros(len(bits), dtype=np.bool_)
        for name in self._fit_names(pod):
            c = self._col[name]
            want = pod.requests[name]
            alloc = self.alloc[c]
            short = want > alloc - self.req[c]
            bits |= short.astype(np.int64) << len(reasons)
            unresolvable |= short & (want > alloc)
            reasons.append(f"Insufficient {name}")
        return bits, unresolvable, reasons

    def _entry(self, state: CycleState, pod: PodInfo) -> tuple[_Entry, _Shape, tuple[str, ...]]:
        cached = state.read(_STATE_KEY)
        if (
            isinstance(cached, tuple)
            and self._order is self.snapshot.node_infos
            and not self._dirty
        ):
            return cached
        found = self._entry_uncached(state, pod)
        state.write(_STATE_KEY, found)
        return found

    def _entry_uncached(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[_Entry, _Shape, tuple[str, ...]]:
        self._sync(pod)
        skip = state.skip_filter
        order = tuple(p.name for p in self.fw.filter_plugins if p.name not in skip)
        shape_key = self._shape_key(pod)
        shape = self._shape(shape_key)
        key = (
            shape_key,
            tuple(sorted(pod.requests.items())),
            pod.non_zero_cpu,
            pod.non_zero_memory,
            order,
        )
        entry = self._entries.get(key)
        n = len(self.snapshot.node_infos)
        # Catching up one node costs about what a full vectorised pass costs per 40 nodes.
        if entry is not None and len(self._log) - entry.log_pos <= max(n // 64, 16):
            for i in set(self._log[entry.log_pos :]):
                self._update_one(entry, i, pod, shape, order)
            entry.log_pos = len(self._log)
            self._entries[key] = self._entries.pop(key)  # most recently used last
            return entry, shape, order
        code = np.zeros(n, dtype=np.int64)
        bits = np.zeros(n, dtype=np.int64)
        unresolvable = np.zeros(n, dtype=np.bool_)
        static = np.zeros(n, dtype=np.int64)
        reasons: list[str] = [REASON_TOO_MANY_PODS]
        for pos in range(len(order) - 1, -1, -1):
            name = order[pos]
            if name == noderesources.NAME:
                bits, unresolvable, reasons = self._fit(pod)
                code = np.where(bits != 0, pos + 1, code)
            else:
                failing = self._static_fail(shape, name, pod)
                code = np.where(failing, pos + 1, code)
                static = np.where(failing, pos + 1, static)
        entry = _Entry(code, bits, unresolvable, reasons, len(self._log))
        static_code = shape.static_codes.get(order)
        if static_code is None:
            static_code = shape.static_codes[order] = static.tolist()
        entry.static_code = static_code
        if noderesources.NAME in order:
            entry.fit_pos = order.index(noderesources.NAME) + 1
        entry.checks = [
            (1 << (k + 1), name, pod.requests[name]) for k, name in enumerate(self._fit_names(pod))
        ]
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))  # least recently used
        self._entries.pop(key, None)
        self._entries[key] = entry
        return entry, shape, order

    def _update_one(
        self, entry: _Entry, i: int, pod: PodInfo, shape: _Shape, order: tuple[str, ...]
    ) -> None:
        """Recompute one node's entry: the same arithmetic as the plugins, on its NodeInfo."""
        node = self.snapshot.node_infos[i]
        code = entry.static_code[i]
        fit_pos = entry.fit_pos
        if fit_pos:
            allocatable, requested = node.allocatable, node.requested
            bits = 1 if len(node.pods) + 1 > allocatable.get(PODS, 0) else 0
            unresolvable = False
            for bit, name, want in entry.checks:
                alloc = allocatable.get(name, 0)
                if want > alloc - requested.get(name, 0):
                    bits |= bit
                    unresolvable = unresolvable or want > alloc
            entry.bits[i] = bits
            entry.unresolvable[i] = unresolvable
            if bits and (code == 0 or fit_pos < code):
                code = fit_pos
        entry.code[i] = code
        if entry.combined is not None and entry.default_pair is not None:
            entry.combined[i] = _default_pair_total(node, entry.default_pair)
        elif entry.combined is not None:
            total = 0
            fit_weight, ba_weight = entry.combined_weights
            if fit_weight:
                total += fit_weight * entry.fit_scorer(
                    *_lists(node, entry.fit_plan, use_requested=False)
                )
            if ba_weight:
                total += ba_weight * balancedallocation.balanced_score(
                    *_lists(node, entry.ba_plan, use_requested=True)
                )
            entry.combined[i] = total

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
        entry, _, order = self._entry(state, pod)
        code = entry.code
        n = len(nodes)
        stop = start + to_find
        if stop <= n and not code[start:stop].any():
            # The common case: the next to_find nodes all pass.
            return NodeSlice(nodes, np.arange(start, stop, dtype=np.int64)), to_find
        rotated = np.concatenate((code[start:], code[:start])) if start else code
        passing = np.flatnonzero(rotated == 0)
        if len(passing) >= to_find:
            passing = passing[:to_find]
            processed = int(passing[-1]) + 1
        else:
            processed = n
        if len(passing) < processed:
            failed = np.flatnonzero(rotated[:processed])
            if start:
                failed = (failed + start) % n

            # Copies now: the entry moves on with later cycles.
            snap = (entry.code[failed], entry.bits[failed], entry.unresolvable[failed])

            def build() -> dict[str, Status]:
                return self._statuses_of(entry, order, nodes, failed, snap)

            statuses.defer(len(failed), build)
        feasible = passing + start
        if start:
            feasible %= n
        return NodeSlice(nodes, feasible), processed

    def _statuses_of(
        self,
        entry: _Entry,
        order: tuple[str, ...],
        nodes: Sequence[NodeInfo],
        failed: I64,
        snap: tuple[I64, I64, Bools],
    ) -> dict[str, Status]:
        """The statuses of the failing node indices ``failed``, from ``snap`` taken then."""
        out: dict[str, Status] = {}
        fit_pos = entry.fit_pos
        codes = snap[0].tolist()
        bits = snap[1].tolist()
        unresolvable = snap[2].tolist()
        for k, i in enumerate(failed.tolist()):
            code = codes[k]
            if code == fit_pos:
                status = self._fit_status_of(bits[k], unresolvable[k], entry.reasons_key)
            else:
                status = _STATIC_STATUS[order[code - 1]]
            out[nodes[i].name] = status
        return out

    def _fit_status_of(self, bits: int, unresolvable: bool, reasons: tuple[str, ...]) -> Status:
        key = (bits, unresolvable, reasons)
        status = self._fit_status.get(key)
        if status is None:
            chosen = [r for k, r in enumerate(reasons) if bits >> k & 1]
            code = Code.UnschedulableAndUnresolvable if unresolvable else Code.Unschedulable
            status = self._fit_status[key] = Status(code, *chosen, plugin=noderesources.NAME)
        return status

    # --- score ---------------------------------------------------------------------------------

    def score(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> I64:
        """The weighted total per node, identical to ``Framework.run_score``'s totals."""
        fw = self.fw
        for pl in fw.pre_score_plugins:
            if pl.name in _OWN_PRE_SCORE:
                # Their PreScore only prepares their own Score, which this path replaces.
                continue
            status = pl.pre_score(state, pod, nodes)
            if status is not None and status.code is Code.Skip:
                state.skip_score.add(pl.name)
        entry, shape, _ = self._entry(state, pod)
        if balancedallocation.NAME in fw.plugins and entry.best_effort_for_balance(
            fw.plugins[balancedallocation.NAME], pod
        ):
            state.skip_score.add(balancedallocation.NAME)
        if isinstance(nodes, NodeSlice) and nodes.nodes is self.snapshot.node_infos:
            idx = nodes.idx
        else:
            idx = np.fromiter(
                (self._index[n.name] for n in nodes), dtype=np.int64, count=len(nodes)
            )
        constant = 0
        fit_weight = ba_weight = 0
        others: list[I64] = []
        skipped = state.skip_score
        for pl, weight, kind in self._score_plan:
            if pl.name in skipped:
                continue
            if kind == _FIT:
                fit_weight = weight
            elif kind == _BALANCED:
                ba_weight = weight
            elif kind == _TAINT and self._taint_raw(shape, pod) is _ZEROS:
                constant += MAX_NODE_SCORE * weight  # every count is 0: all normalise to 100
            elif kind == _AFFINITY and self._affinity_raw(shape, pod) is _ZEROS:
                pass  # every raw score is 0 and normalises to 0
            else:
                scores = self._plugin_scores(pl, state, pod, nodes, idx, shape, entry)
                if scores is not None:
                    others.append(scores * weight)
        if fit_weight or ba_weight:
            totals = self._combined(entry, pod, fit_weight, ba_weight)[idx]
        else:
            totals = np.zeros(len(idx), dtype=np.int64)
        for scores in others:
            totals += scores
        if constant:
            totals += constant
        return totals

    def _combined(self, entry: _Entry, pod: PodInfo, fit_weight: int, ba_weight: int) -> I64:
        """Weighted NodeResourcesFit + BalancedAllocation scores over every node, kept current."""
        if entry.combined is not None and entry.combined_weights == (fit_weight, ba_weight):
            return entry.combined
        everyone = np.arange(len(self.snapshot.node_infos), dtype=np.int64)
        combined = np.zeros(len(everyone), dtype=np.int64)
        if fit_weight:
            fit = self.fw.plugins[noderesources.NAME]
            fit_score = self._allocation_score(fit.strategy, pod, everyone)
            resources = fit.strategy.resources
            wants = resource_allocation.pod_resource_requests(pod, resources, use_requested=False)
            entry.fit_plan = [(name, w) for (name, _), w in zip(resources, wants, strict=True)]
            entry.fit_scorer = fit.scorer
            combined += fit_score * fit_weight
        if ba_weight:
            ba = self.fw.plugins[balancedallocation.NAME]
            ba_score = self._balanced_score(ba.resources, pod, everyone)
            wants = resource_allocation.pod_resource_requests(pod, ba.resources, use_requested=True)
            entry.ba_plan = [(name, w) for (name, _), w in zip(ba.resources, wants, strict=True)]
            combined += ba_score * ba_weight
        entry.combined = combined
        entry.combined_weights = (fit_weight, ba_weight)
        entry.default_pair = None
        pair = ((CPU, 1), (MEMORY, 1))
        fit_plugin = self.fw.plugins.get(noderesources.NAME)
        ba_plugin = self.fw.plugins.get(balancedallocation.NAME)
        if (
            not fit_weight
            or (
                fit_plugin.strategy.type == LEAST_ALLOCATED
                and fit_plugin.strategy.resources == pair
            )
        ) and (not ba_weight or tuple(ba_plugin.resources) == pair):
            entry.default_pair = (
                fit_weight,
                ba_weight,
                pod.non_zero_cpu,
                pod.non_zero_memory,
                pod.requests.get(CPU, 0),
                pod.requests.get(MEMORY, 0),
            )
        return combined

    def _taint_raw(self, shape: _Shape, pod: PodInfo) -> I64:
        if shape.taint_raw is None:
            tolerations = (pod.pod.get("spec") or {}).get("tolerations")
            shape.taint_raw = np.array(
                [
                    count_intolerable_prefer_no_schedule(n.taints, tolerations) if n.taints else 0
                    for n in self.snapshot.node_infos
                ],
                dtype=np.int64,
            )
            if not shape.taint_raw.any():
                shape.taint_raw = _ZEROS
        return shape.taint_raw

    def _affinity_raw(self, shape: _Shape, pod: PodInfo) -> I64:
        if shape.affinity_raw is None:
            preferred = PreferredSchedulingTerms.of_pod(pod.pod)
            shape.affinity_raw = np.array(
                [preferred.score(n.node) for n in self.snapshot.node_infos], dtype=np.int64
            )
            if not shape.affinity_raw.any():
                shape.affinity_raw = _ZEROS
        return shape.affinity_raw

    @staticmethod
    def select(totals: I64, rng: Any) -> int:
        """``select_index`` over an array: the same choice and the same RNG draws."""
        ties = (totals == totals.max()).nonzero()[0]
        count = len(ties)
        if count == 1:
            return int(ties[0])
        return int(ties[rng.randrange(count)])

    def _plugin_scores(
        self,
        pl: Any,
        state: CycleState,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        idx: I64,
        shape: _Shape,
        entry: _Entry,
    ) -> I64 | None:
        """A plugin's final (normalised) scores for ``idx``; None when all are zero."""
        name = pl.name
        if name == tainttoleration.NAME:
            raw = self._taint_raw(shape, pod)
            raw = np.zeros(len(idx), dtype=np.int64) if raw is _ZEROS else raw[idx]
            return _normalize(raw, reverse=True)
        if name == nodeaffinity.NAME:
            raw = self._affinity_raw(shape, pod)
            raw = np.zeros(len(idx), dtype=np.int64) if raw is _ZEROS else raw[idx]
            return _normalize(raw, reverse=False)
        if name == imagelocality.NAME and not self._has_images:
            value = imagelocality.image_priority(0, len(imagelocality.pod_images(pod)))
            return None if value == 0 else np.full(len(idx), value, dtype=np.int64)
        scores = [pl.score(state, pod, node) for node in nodes]
        pl.normalize_score(state, pod, nodes, scores)
        return np.array(scores, dtype=np.int64)

    def _resource_columns(
        self, resources: Sequence[tuple[str, int]], pod: PodInfo, idx: I64, *, use_requested: bool
    ) -> list[tuple[I64, I64, int]]:
        """Per scored resource: (requested incl. the pod, allocatable, weight); 0 alloc = skip."""
        wants = resource_allocation.pod_resource_requests(
            pod, resources, use_requested=use_requested
        )
        out = []
        zero = np.zeros(len(idx), dtype=np.int64)
        for (name, weight), want in zip(resources, wants, strict=True):
            if want == 0 and is_scalar_resource_name(name):
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
            out: list[int] = []
            for k in range(len(idx)):
                row_req = [int(c[0][k]) for c in columns]
                row_alloc = [int(c[1][k]) for c in columns]
                out.append(balancedallocation.balanced_score(row_req, row_alloc))
            return np.array(out, dtype=np.int64)
        return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)


_OTHER, _FIT, _BALANCED, _TAINT, _AFFINITY = range(5)


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
        fractions = [
            min(requested / alloc, 1.0)
            for alloc, requested in (
                (alloc_cpu, node.requested.get(CPU, 0) + cpu),
                (alloc_memory, node.requested.get(MEMORY, 0) + memory),
            )
            if alloc
        ]
        std = abs((fractions[0] - fractions[1]) / 2) if len(fractions) == 2 else 0.0
        total += ba_weight * int((1 - std) * MAX_NODE_SCORE)
    return total


def _score_kind(pl: Any) -> int:
    """How the vectorised score treats a score plugin."""
    if pl.name == noderesources.NAME and pl.strategy.type in (LEAST_ALLOCATED, MOST_ALLOCATED):
        return _FIT
    return {
        balancedallocation.NAME: _BALANCED,
        tainttoleration.NAME: _TAINT,
        nodeaffinity.NAME: _AFFINITY,
    }.get(pl.name, _OTHER)


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


def _normalize(raw: I64, *, reverse: bool) -> I64:
    """``DefaultNormalizeScore`` over an array."""
    highest = int(raw.max()) if len(raw) else 0
    if highest == 0:
        return np.full(len(raw), MAX_NODE_SCORE if reverse else 0, dtype=np.int64)
    scaled = MAX_NODE_SCORE * raw // highest
    return MAX_NODE_SCORE - scaled if reverse else scaled
