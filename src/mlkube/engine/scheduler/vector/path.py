"""The vectorised path itself: which cycles it takes, built over the node arrays,
filters and scores of its sibling modules.

It exists so that :class:`VectorPath` reads as what ``Scheduler`` calls. Follows
``pkg/scheduler/schedule_one.go`` (``findNodesThatFitPod``, ``prioritizeNodes``), whose
decisions it reproduces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlkube.engine.scheduler.framework import CycleState, NodeInfo, PodInfo, Status
from mlkube.engine.scheduler.vector.arrays import _FIXED
from mlkube.engine.scheduler.vector.entries import _Entry, _Shape
from mlkube.engine.scheduler.vector.filters import _VECTOR_FILTERS
from mlkube.engine.scheduler.vector.scores import VectorScores, _score_kind

__all__ = ["VectorPath"]


class VectorPath(VectorScores):
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

    def handles(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> bool:
        if self.snapshot.nominated or nodes is not self.snapshot.node_infos:
            return False
        skip = state.skip_filter
        return all(name in skip for name in self._other_filters)

    def handles_score(self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]) -> bool:
        return not self.snapshot.nominated
