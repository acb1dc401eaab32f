"""InterPodAffinity: a pod must land in a topology domain holding the pods its required affinity
names, outside domains holding pods its anti-affinity names or whose own anti-affinity rejects
it, and prefers domains its (and its neighbours') preferred terms favour.

Follows ``pkg/scheduler/framework/plugins/interpodaffinity/filtering.go`` and ``scoring.go``
(hardPodAffinityWeight 1, ignorePreferredTermsOfExistingPods false).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mlkube.engine.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    AffinityTerm,
    Code,
    CycleState,
    Handle,
    NodeInfo,
    PodInfo,
    PreFilterResult,
    Status,
    WeightedAffinityTerm,
)

__all__ = [
    "ERR_REASON_AFFINITY",
    "ERR_REASON_ANTI_AFFINITY",
    "ERR_REASON_EXISTING_ANTI_AFFINITY",
    "NAME",
    "InterPodAffinity",
]

NAME: Final = "InterPodAffinity"
ERR_REASON_AFFINITY: Final = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY: Final = "node(s) didn't match pod anti-affinity rules"
ERR_REASON_EXISTING_ANTI_AFFINITY: Final = (
    "node(s) didn't satisfy existing pods anti-affinity rules"
)
_AFFINITY: Final = Status(Code.UnschedulableAndUnresolvable, ERR_REASON_AFFINITY, plugin=NAME)
_ANTI: Final = Status(Code.Unschedulable, ERR_REASON_ANTI_AFFINITY, plugin=NAME)
_EXISTING: Final = Status(Code.Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY, plugin=NAME)
_FILTER_KEY: Final = "PreFilter" + NAME
_SCORE_KEY: Final = "PreScore" + NAME

Pair = tuple[str, str]


@dataclass(slots=True)
class _FilterState:
    existing_anti: dict[Pair, int]
    affinity: dict[Pair, int]
    anti: dict[Pair, int]


def _bump(counts: dict[Pair, int], node: NodeInfo, term: AffinityTerm, by: int) -> None:
    value = node.labels.get(term.topology_key)
    if value is not None:
        pair = (term.topology_key, value)
        counts[pair] = counts.get(pair, 0) + by


def _matches_all(terms: Sequence[AffinityTerm], pod: PodInfo) -> bool:
    return bool(terms) and all(t.matches(pod, {}) for t in terms)


class InterPodAffinity:
    name = NAME

    def __init__(self, handle: Handle, args: Mapping[str, Any] | None = None) -> None:
        self._handle = handle
        self._hard_weight = int((args or {}).get("hardPodAffinityWeight", 1))

    def _ns_labels(self, namespace: str) -> Mapping[str, str]:
        return self._handle.snapshot.namespace_labels.get(namespace) or {}

    # --- filter --------------------------------------------------------------------------

    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        snapshot = self._handle.snapshot
        if not pod.has_pod_affinity and not snapshot.anti_affinity_nodes:
            return None, SKIP
        if pod.affinity_error is not None:
            return None, Status(
                Code.UnschedulableAndUnresolvable, f"parsing pod: {pod.affinity_error}"
            )
        own_ns = self._ns_labels(pod.namespace)
        existing_anti: dict[Pair, int] = {}
        affinity: dict[Pair, int] = {}
        anti: dict[Pair, int] = {}
        required, required_anti = pod.required_affinity_terms, pod.required_anti_affinity_terms
        if not required and not required_anti and not snapshot.anti_affinity_nodes:
            return None, SKIP
        for node in snapshot.node_infos:
            for existing in node.pods_with_required_anti_affinity.values():
                for term in existing.required_anti_affinity_terms:
                    if term.matches(pod, own_ns):
                        _bump(existing_anti, node, term, 1)
            if not required and not required_anti:
                continue
            for existing in node.pods.values():
                labels = self._ns_labels(existing.namespace)
                for term in required:
                    if term.matches(existing, labels):
                        _bump(affinity, node, term, 1)
                for term in required_anti:
                    if term.matches(existing, labels):
                        _bump(anti, node, term, 1)
        if not existing_anti and not required and not required_anti:
            return None, SKIP
        state.write(_FILTER_KEY, _FilterState(existing_anti, affinity, anti))
        return None, None

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        s = state.read(_FILTER_KEY)
        if not isinstance(s, _FilterState):
            return None
        if not self._satisfies_affinity(s, pod, node):
            return _AFFINITY
        if s.anti:
            for term in pod.required_anti_affinity_terms:
                value = node.labels.get(term.topology_key)
                if value is not None and s.anti.get((term.topology_key, value), 0) > 0:
                    return _ANTI
        if s.existing_anti:
            for pair in node.labels.items():
                if s.existing_anti.get(pair, 0) > 0:
                    return _EXISTING
        return None

    @staticmethod
    def _satisfies_affinity(s: _FilterState, pod: PodInfo, node: NodeInfo) -> bool:
        pods_exist = True
        for term in pod.required_affinity_terms:
            value = node.labels.get(term.topology_key)
            if value is None:
                return False
            if s.affinity.get((term.topology_key, value), 0) <= 0:
                pods_exist = False
        if pods_exist:
            return True
        # The first pod of a group that has affinity to itself.
        return not s.affinity and _matches_all(pod.required_affinity_terms, pod)

    # --- score ---------------------------------------------------------------------------

    def pre_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]
    ) -> Status | None:
        if not pod.has_pod_affinity and not self._handle.snapshot.affinity_nodes:
            return SKIP
        if pod.affinity_error is not None:
            return Status(Code.Error, pod.affinity_error)
        has_constraints = bool(pod.preferred_affinity_terms or pod.preferred_anti_affinity_terms)
        if not has_constraints and not self._handle.snapshot.affinity_nodes:
            return SKIP
        own_ns = self._ns_labels(pod.namespace)
        scores: dict[Pair, int] = {}
        for node in self._handle.snapshot.node_infos:
            existing_pods: Iterable[PodInfo] = (
                node.pods.values() if has_constraints else node.pods_with_affinity.values()
            )
            if not node.labels:
                continue
            for existing in existing_pods:
                self._process(scores, pod, existing, node, own_ns)
        if not scores:
            return SKIP
        state.write(_SCORE_KEY, scores)
        return None

    def _process(
        self,
        scores: dict[Pair, int],
        pod: PodInfo,
        existing: PodInfo,
        node: NodeInfo,
        own_ns: Mapping[str, str],
    ) -> None:
        existing_ns = self._ns_labels(existing.namespace)
        _weighted(scores, pod.preferred_affinity_terms, existing, existing_ns, node, 1)
        _weighted(scores, pod.preferred_anti_affinity_terms, existing, existing_ns, node, -1)
        if self._hard_weight > 0:
            for term in existing.required_affinity_terms:
                if term.matches(pod, own_ns):
                    _bump(scores, node, term, self._hard_weight)
        _weighted(scores, existing.preferred_affinity_terms, pod, own_ns, node, 1)
        _weighted(scores, existing.preferred_anti_affinity_terms, pod, own_ns, node, -1)

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        scores = state.read(_SCORE_KEY)
        if not isinstance(scores, dict):
            return 0
        total = 0
        for (key, value), amount in scores.items():
            if node.labels.get(key) == value:
                total += amount
        return total

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        if not isinstance(state.read(_SCORE_KEY), dict) or not scores:
            return
        low, high = min(scores), max(scores)
        spread = high - low
        for i, score in enumerate(scores):
            scores[i] = int(MAX_NODE_SCORE * ((score - low) / spread)) if spread > 0 else 0


def _weighted(
    scores: dict[Pair, int],
    terms: Sequence[WeightedAffinityTerm],
    target: PodInfo,
    target_ns: Mapping[str, str],
    node: NodeInfo,
    sign: int,
) -> None:
    for weighted in terms:
        if weighted.term.matches(target, target_ns):
            _bump(scores, node, weighted.term, weighted.weight * sign)
