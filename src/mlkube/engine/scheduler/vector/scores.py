"""The vectorised scores: TaintToleration, NodeAffinity, NodeResourcesFit
(LeastAllocated, MostAllocated), BalancedAllocation and ImageLocality over arrays, a plugin's
own ``score`` for the rest.

It exists so that scoring, and the weighted totals identical to ``Framework.run_score``'s,
are computed apart from filtering. Follows the plugins' ``Score`` and ``NormalizeScore`` in
``pkg/scheduler/framework/plugins/`` (``helper/normalize_score.go``,
``noderesources/{least_allocated,most_allocated,balanced_allocation}.go``,
``imagelocality/image_locality.go``) and ``prioritizeNodes`` in
``pkg/scheduler/schedule_one.go``; ``select`` is ``scheduler.select_index`` over an array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from mlkube.api.nodeaffinity import PreferredSchedulingTerms
from mlkube.api.taints import count_intolerable_prefer_no_schedule
from mlkube.engine.scheduler.framework import (
    CPU,
    MAX_NODE_SCORE,
    MEMORY,
    Code,
    CycleState,
    NodeInfo,
    PodInfo,
    is_scalar_resource_name,
)
from mlkube.engine.scheduler.plugins import (
    balancedallocation,
    imagelocality,
    nodeaffinity,
    noderesources,
    resource_allocation,
    tainttoleration,
)
from mlkube.engine.scheduler.plugins.noderesources import LEAST_ALLOCATED, MOST_ALLOCATED
from mlkube.engine.scheduler.vector.arrays import NodeSlice
from mlkube.engine.scheduler.vector.entries import _ZEROS, I64, _Entry, _Shape
from mlkube.engine.scheduler.vector.filters import VectorFilters

__all__ = ["VectorScores", "_score_kind"]

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
_OTHER, _FIT, _BALANCED, _TAINT, _AFFINITY = range(5)


def _score_kind(pl: Any) -> int:
    """How the vectorised score treats a score plugin."""
    if pl.name == noderesources.NAME and pl.strategy.type in (LEAST_ALLOCATED, MOST_ALLOCATED):
        return _FIT
    return {
        balancedallocation.NAME: _BALANCED,
        tainttoleration.NAME: _TAINT,
        nodeaffinity.NAME: _AFFINITY,
    }.get(pl.name, _OTHER)


def _normalize(raw: I64, *, reverse: bool) -> I64:
    """``DefaultNormalizeScore`` over an array."""
    highest = int(raw.max()) if len(raw) else 0
    if highest == 0:
        return np.full(len(raw), MAX_NODE_SCORE if reverse else 0, dtype=np.int64)
    scaled = MAX_NODE_SCORE * raw // highest
    return MAX_NODE_SCORE - scaled if reverse else scaled


class VectorScores(VectorFilters):
    """``score`` and ``select`` over the node arrays."""

    _score_plan: list[tuple[Any, int, int]]

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
        """``balancedResourceScorer`` (v1.37) over many nodes: the balance with the pod
        against the balance without it."""
        columns = self._resource_columns(resources, pod, idx, use_requested=True)
        wants = resource_allocation.pod_resource_requests(pod, resources, use_requested=True)
        if len(columns) > 2:
            # Three or more resources: the exact scalar formula per node.
            out: list[int] = []
            for k in range(len(idx)):
                row_req = [int(c[0][k]) for c in columns]
                row_alloc = [int(c[1][k]) for c in columns]
                out.append(balancedallocation.balanced_score(row_req, row_alloc, list(wants)))
            return np.array(out, dtype=np.int64)
        allocs = [alloc for _, alloc, _ in columns]
        with_pod = self._balance([req for req, _, _ in columns], allocs)
        allocated = [
            np.where(alloc != 0, req - want, 0)
            for (req, alloc, _), want in zip(columns, wants, strict=True)
        ]
        without_pod = self._balance(allocated, allocs)
        half = MAX_NODE_SCORE // 2
        return half + (half + with_pod - without_pod) // 2

    @staticmethod
    def _balance(requested: Sequence[I64], allocs: Sequence[I64]) -> I64:
        """``balancedResourceScore`` for one or two resources, per node."""
        fractions = []
        present = []
        for req, alloc in zip(requested, allocs, strict=True):
            has = alloc != 0
            fraction = np.minimum(req / np.where(has, alloc, 1), 1.0)
            fractions.append(np.where(has, fraction, 0.0))
            present.append(has)
        size = len(requested[0]) if requested else 0
        std = np.zeros(size, dtype=np.float64)
        if len(fractions) == 2:
            both = present[0] & present[1]
            std = np.where(both, np.abs((fractions[0] - fractions[1]) / 2), 0.0)
        return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
