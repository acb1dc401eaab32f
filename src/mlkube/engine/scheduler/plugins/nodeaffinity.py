"""NodeAffinity: a pod fits only nodes its nodeSelector and required node affinity allow, and
prefers nodes matching heavier preferred terms.

Follows ``pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go``; the matching itself is
:mod:`mlkube.api.nodeaffinity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from mlkube.api.nodeaffinity import PreferredSchedulingTerms, RequiredNodeAffinity
from mlkube.engine.scheduler.framework import (
    SKIP,
    Code,
    CycleState,
    NodeInfo,
    PodInfo,
    PreFilterResult,
    Status,
)
from mlkube.engine.scheduler.plugins.helper import default_normalize_score

__all__ = ["ERR_REASON_CONFLICT", "ERR_REASON_POD", "NAME", "NodeAffinity"]

NAME: Final = "NodeAffinity"
ERR_REASON_POD: Final = "node(s) didn't match Pod's node affinity/selector"
ERR_REASON_CONFLICT: Final = "pod affinity terms conflict"
_STATUS: Final = Status(Code.UnschedulableAndUnresolvable, ERR_REASON_POD, plugin=NAME)
_FILTER_KEY: Final = "PreFilterNodeAffinity"
_SCORE_KEY: Final = "PreScoreNodeAffinity"


def _required_terms(pod: PodInfo) -> Sequence[Any] | None:
    affinity = ((pod.pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return None
    terms: Sequence[Any] = required.get("nodeSelectorTerms") or []
    return terms


def _names_of_term(term: Any) -> set[str] | None:
    """The node names a term's ``metadata.name In`` matchFields allow (intersected), if any."""
    names: set[str] | None = None
    for requirement in term.get("matchFields") or ():
        if requirement.get("key") == "metadata.name" and requirement.get("operator") == "In":
            values = set(requirement.get("values") or ())
            names = values if names is None else names & values
    return names


class NodeAffinity:
    name = NAME

    def pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None]:
        terms = _required_terms(pod)
        if terms is None and (pod.pod.get("spec") or {}).get("nodeSelector") is None:
            return None, SKIP
        state.write(_FILTER_KEY, RequiredNodeAffinity(pod.pod))
        if not terms:
            return None, None
        allowed: set[str] = set()
        for term in terms:
            names = _names_of_term(term)
            if names is None:
                return None, None
            allowed |= names
        if not allowed:
            return None, Status(Code.UnschedulableAndUnresolvable, ERR_REASON_CONFLICT)
        return PreFilterResult(frozenset(allowed)), None

    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        required = state.read(_FILTER_KEY)
        if not isinstance(required, RequiredNodeAffinity):
            required = RequiredNodeAffinity(pod.pod)
        return None if required.match(node.node) else _STATUS

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: object) -> Status | None:
        preferred = PreferredSchedulingTerms.of_pod(pod.pod)
        state.write(_SCORE_KEY, preferred)
        return None

    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        preferred = state.read(_SCORE_KEY)
        if not isinstance(preferred, PreferredSchedulingTerms):
            preferred = PreferredSchedulingTerms.of_pod(pod.pod)
        return preferred.score(node.node)

    def normalize_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo], scores: list[int]
    ) -> None:
        default_normalize_score(scores, reverse=False)
