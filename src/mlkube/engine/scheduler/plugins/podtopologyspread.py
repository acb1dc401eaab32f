"""PodTopologySpread: a pod may not raise the skew of matching pods across a topology above
maxSkew (DoNotSchedule), and prefers domains with fewer matching pods (ScheduleAnyway and the
system defaults).

Follows ``pkg/scheduler/framework/plugins/podtopologyspread/common.go``, ``filtering.go`` and
``scoring.go``, with ``helper.DefaultSelector`` for the system-default constraints. Node
inclusion policies: nodeAffinityPolicy defaults to Honor, nodeTaintsPolicy to Ignore.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mlkube.api.labels import Selector, SelectorError, selector_from_label_selector
from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.taints import SCHEDULER_FILTER_EFFECTS, find_untolerated_taint
from mlkube.engine.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    Code,
    CycleState,
    Handle,
    NodeInfo,
    PodInfo,
    PreFilterResult,
    Status,
)

__all__ = [
    "ERR_REASON_CONSTRAINTS_NOT_MATCH",
    "ERR_REASON_NODE_LABEL_NOT_MATCH",
    "NAME",
    "PodTopologySpread",
]

NAME: Final = "PodTopologySpread"
ERR_REASON_CONSTRAINTS_NOT_MATCH: Final = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH: Final = (
    ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"
)
_HOSTNAME: Final = "kubernetes.io/hostname"
_ZONE: Final = "topology.kubernetes.io/zone"
_FILTER_KEY: Final = "PreFilter" + NAME
_SCORE_KEY: Final = "PreScore" + NAME
_UNRESOLVABLE: Final = Status(
    Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL_NOT_MATCH, plugin=NAME
)
_SKEW: Final = Status(Code.Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH, plugin=NAME)


@dataclass(frozen=True, slots=True)
class _Constraint:
    max_skew: int
    topology_key: str
    selector: Selector
    min_domains: int
    honor_affinity: bool
    honor_taints: bool

    def includes(self, pod: PodInfo, node: NodeInfo, affinity: RequiredNodeAffinity) -> bool:
        """``matchNodeInclusionPolicies``."""
        if self.honor_affinity and not affinity.match(node.node):
            return False
        if self.honor_taints:
            tolerations = (pod.pod.get("spec") or {}).get("tolerations")
            if find_untolerated_taint(node.taints, tolerations, SCHEDULER_FILTER_EFFECTS):
                return False
        return True


def _constraints(pod: PodInfo, when: str) -> list[_Constraint]:
    out = []
    for raw in (pod.pod.get("spec") or {}).get("topologySpreadConstraints") or ():
        if raw.get("whenUnsatisfiable") != when:
            continue
        selector_raw = (
            dict(raw.get("labelSelector") or {}) if raw.get("labelSelector") is not None else None
        )
        keys = raw.get("matchLabelKeys") or ()
        if selector_raw is not None and keys:
            expressions = list(selector_raw.get("matchExpressions") or [])
            expressions += [
                {"key": k, "operator": "In", "values": [pod.labels[k]]}
                for k in keys
                if k in pod.labels
            ]
            selector_raw["matchExpressions"] = expressions
        out.append(
            _Constraint(
                int(raw.get("maxSkew") or 1),
                str(raw.get("topologyKey") or ""),
                selector_from_label_selector(selector_raw),
                int(raw.get("minDomains") or 1),
                (raw.get("nodeAffinityPolicy") or "Honor") == "Honor",
                (raw.get("nodeTaintsPolicy") or "Ignore") == "Honor",
            )
        )
    return out


def _count_matching(node: NodeInfo, selector: Selector, namespace: str) -> int:
    """``countPodsMatchSelector``: same namespace, not terminating, labels match."""
    count = 0
    for pod in node.pods.values():
        if pod.namespace != namespace or (pod.pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        if selector.matches(pod.labels):
            count += 1
    return count


def _has_all_keys(labels: Mapping[str, str], constraints: Sequence[_Constraint]) -> bool:
    return all(c.topology_key in labels for c in constraints)


@dataclass(slots=True)
class _FilterState:
    constraints: list[_Constraint]
    counts: list[dict[str, int]]

    def min_match(self, i: int) -> int:
        counts = self.counts[i]
        if len(counts) < self.constraints[i].min_domains:
            return 0
        return min(counts.values(), default=0)


@dataclass(slots=True)
class _ScoreState:
    constraints: list[_Constraint]
    counts: list[dict[str, int]]
    weights: list[float]
    ignored: set[str]


class PodTopologySpread:
    name = NAME

    def __init__(self, handle: Handle, args: Mapping[str, Any] | None = None) -> None:
        self._handle = handle
        args = args or {}
        self._system_defaulted = (
            args.get("defaultingType") or "System"
        ) == "System" and not args.get("defaultConstraints")

    # --- filter --------------------------------------------------------------------------

    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        if not (pod.pod.get("spec") or {}).get("topologySpreadConstraints"):
            return None, SKIP
        try:
            constraints = _constraints(pod, "DoNotSchedule")
        except SelectorError as err:
            return None, Status(Code.UnschedulableAndUnresolvable, str(err))
        if not constraints:
            return None, SKIP
        affinity = RequiredNodeAffinity(pod.pod)
        counts: list[dict[str, int]] = [{} for _ in constraints]
        for node in self._handle.snapshot.node_infos:
            if not _has_all_keys(node.labels, constraints):
                continue
            for i, c in enumerate(constraints):
                if not c.includes(pod, node, affinity):
                    continue
                value = node.labels[c.topology_key]
                counts[i][value] = counts[i].get(value, 0) + _count_matching(
                    node, c.selector, pod.namespace
                )
        state.write(_FILTER_KEY, _FilterState(constraints, counts))
        return None, None

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        s = state.read(_FILTER_KEY)
        if not isinstance(s, _FilterState):
            return None
        for i, c in enumerate(s.constraints):
            value = node.labels.get(c.topology_key)
            if value is None:
                return _UNRESOLVABLE
            self_match = 1 if c.selector.matches(pod.labels) else 0
            skew = s.counts[i].get(value, 0) + self_match - s.min_match(i)
            if skew > c.max_skew:
                return _SKEW
        return None

    # --- score ---------------------------------------------------------------------------

    def _score_constraints(self, pod: PodInfo) -> list[_Constraint]:
        if (pod.pod.get("spec") or {}).get("topologySpreadConstraints"):
            return _constraints(pod, "ScheduleAnyway")
        if not self._system_defaulted:
            return []
        selector = self._handle.snapshot.default_selector(pod)
        if selector is None:
            return []
        return [
            _Constraint(3, _HOSTNAME, selector, 1, True, False),
            _Constraint(5, _ZONE, selector, 1, True, False),
        ]

    def pre_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]
    ) -> Status | None:
        try:
            constraints = self._score_constraints(pod)
        except SelectorError as err:
            return Status(Code.Error, str(err))
        if not constraints:
            return SKIP
        require_all = bool((pod.pod.get("spec") or {}).get("topologySpreadConstraints")) or (
            not self._system_defaulted
        )
        counts: list[dict[str, int]] = [{} for _ in constraints]
        ignored: set[str] = set()
        sizes = [0] * len(constraints)
        for node in nodes:
            if require_all and not _has_all_keys(node.labels, constraints):
                ignored.add(node.name)
                continue
            for i, c in enumerate(constraints):
                if c.topology_key == _HOSTNAME:
                    continue
                value = node.labels.get(c.topology_key, "")
                if value not in counts[i]:
                    counts[i][value] = 0
                    sizes[i] += 1
        weights = []
        for i, c in enumerate(constraints):
            size = len(nodes) - len(ignored) if c.topology_key == _HOSTNAME else sizes[i]
            weights.append(math.log(size + 2))
        affinity = RequiredNodeAffinity(pod.pod)
        for node in self._handle.snapshot.node_infos:
            if require_all and not _has_all_keys(node.labels, constraints):
                continue
            for i, c in enumerate(constraints):
                if not c.includes(pod, node, affinity):
                    continue
                value = node.labels.get(c.topology_key, "")
                if value not in counts[i]:
                    continue
                counts[i][value] += _count_matching(node, c.selector, pod.namespace)
        state.write(_SCORE_KEY, _ScoreState(constraints, counts, weights, ignored))
        return None

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        s = state.read(_SCORE_KEY)
        if not isinstance(s, _ScoreState) or node.name in s.ignored:
            return 0
        total = 0.0
        for i, c in enumerate(s.constraints):
            value = node.labels.get(c.topology_key)
            if value is None:
                continue
            if c.topology_key == _HOSTNAME:
                count = _count_matching(node, c.selector, pod.namespace)
            else:
                count = s.counts[i].get(value, 0)
            total += count * s.weights[i] + (c.max_skew - 1)
        return _go_round(total)

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        s = state.read(_SCORE_KEY)
        if not isinstance(s, _ScoreState):
            return
        names = [n.name for n in nodes]
        kept = [sc for sc, n in zip(scores, names, strict=True) if n not in s.ignored]
        low, high = min(kept, default=0), max(kept, default=0)
        for i, name in enumerate(names):
            if name in s.ignored:
                scores[i] = 0
            elif high == 0:
                scores[i] = MAX_NODE_SCORE
            else:
                scores[i] = MAX_NODE_SCORE * (high + low - scores[i]) // high


def _go_round(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)
