"""The framework runtime: a profile's plugins built once and run per extension point.

Follows ``pkg/scheduler/framework/runtime/framework.go``: PreFilter results merge and a rejection
short-circuits (Unschedulable keeps running the rest so preemption has their state), Filter stops
at a node's first failing plugin, PostFilter runs until a plugin succeeds or is unresolvable and
joins the others' reasons, Score plugins' normalised scores are weighted and summed.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from typing import Any

from mlkube.engine.scheduler.framework import (
    BindPlugin,
    Code,
    CycleState,
    FilterPlugin,
    NodeInfo,
    NodeToStatus,
    PodInfo,
    PostFilterPlugin,
    PostFilterResult,
    PreFilterPlugin,
    PreFilterResult,
    PreScorePlugin,
    ReservePlugin,
    ScorePlugin,
    Status,
)
from mlkube.engine.scheduler.profile import EXTENSION_POINTS, Profile, default_profile
from mlkube.engine.scheduler.registry import REGISTRY, new_plugin
from mlkube.engine.scheduler.snapshot import Snapshot

__all__ = ["Framework", "implements"]

_PROTOCOLS: dict[str, type] = {
    "preFilter": PreFilterPlugin,
    "filter": FilterPlugin,
    "postFilter": PostFilterPlugin,
    "preScore": PreScorePlugin,
    "score": ScorePlugin,
    "reserve": ReservePlugin,
    "bind": BindPlugin,
}


class _NoHandle:
    @property
    def snapshot(self) -> Snapshot:
        raise RuntimeError("no snapshot")


@functools.cache
def implements(name: str, point: str) -> bool:
    """Whether the registered plugin ``name`` implements the extension point ``point``."""
    if name not in REGISTRY:
        return False
    return isinstance(REGISTRY[name]({}, _NoHandle()), _PROTOCOLS[point])


class Framework:
    """A profile's plugins, built once against a snapshot; also the plugins' Handle."""

    def __init__(self, snapshot: Snapshot, profile: Profile | None = None) -> None:
        self.snapshot = snapshot
        self.profile = profile or default_profile()
        #: The RNG for every random choice of the cycle (tie-breaking, preemption offsets).
        self.rng = random.Random(0)
        built: dict[str, Any] = {}

        def plugin(name: str) -> Any:
            if name not in built:
                built[name] = new_plugin(name, self.profile.plugin_args.get(name, {}), self)
            return built[name]

        points: dict[str, list[Any]] = {}
        for point in EXTENSION_POINTS:
            explicit = self.profile.plugins_for(point)
            names = explicit if explicit is not None else self.profile.multi_point
            points[point] = [
                plugin(n) for n, _ in names if isinstance(plugin(n), _PROTOCOLS[point])
            ]
        self.plugins: dict[str, Any] = built
        self.pre_filter_plugins: list[PreFilterPlugin] = points["preFilter"]
        self.filter_plugins: list[FilterPlugin] = points["filter"]
        self.post_filter_plugins: list[PostFilterPlugin] = points["postFilter"]
        self.pre_score_plugins: list[PreScorePlugin] = points["preScore"]
        self.score_plugins: list[ScorePlugin] = points["score"]
        self.reserve_plugins: list[ReservePlugin] = points["reserve"]
        self.bind_plugins: list[BindPlugin] = points["bind"]
        self.weights: dict[str, int] = {
            p.name: self.profile.weight(p.name) for p in self.score_plugins
        }

    def random_below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` from the cycle RNG (``rand.Int31n``)."""
        return self.rng.randrange(n)

    # --- extension points ------------------------------------------------------------------

    def run_pre_filter(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[PreFilterResult | None, Status | None, list[str]]:
        """``RunPreFilterPlugins``: merged result, first rejection, restricting plugins."""
        result: PreFilterResult | None = None
        restricting: list[str] = []
        rejection: Status | None = None
        for pl in self.pre_filter_plugins:
            r, status = pl.pre_filter(state, pod)
            if status is not None and status.code is Code.Skip:
                state.skip_filter.add(pl.name)
                continue
            if status is not None and status.code is not Code.Success:
                status = status.with_plugin(pl.name)
                if status.code is Code.UnschedulableAndUnresolvable:
                    return None, status, []
                if status.code is Code.Unschedulable:
                    rejection = rejection or status
                    continue
                return None, Status(Code.Error, *status.reasons, plugin=pl.name), []
            if r is not None and r.node_names is not None:
                restricting.append(pl.name)
                result = r if result is None else result.merge(r)
                assert result.node_names is not None
                if not result.node_names:
                    names = sorted(restricting)
                    msg = (
                        f"node(s) didn't satisfy plugin {names[0]}"
                        if len(names) == 1
                        else f"node(s) didn't satisfy plugin(s) [{' '.join(names)}] simultaneously"
                    )
                    return result, Status(Code.UnschedulableAndUnresolvable, msg), names
        return result, rejection, sorted(restricting)

    def run_filters(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        """``RunFilterPlugins``: the first failing plugin's status, or ``None``."""
        skip = state.skip_filter
        for pl in self.filter_plugins:
            if skip and pl.name in skip:
                continue
            status = pl.filter(state, pod, node)
            if status is not None:
                if not status.plugin:
                    status = status.with_plugin(pl.name)
                return status
        return None

    def run_filters_with_nominated_pods(
        self, state: CycleState, pod: PodInfo, node: NodeInfo
    ) -> Status | None:
        """``RunFilterPluginsWithNominatedPods``: first with equal-or-higher-priority pods
        nominated to the node counted as if there, then (if any) without them."""
        nominated = [
            p
            for p in self.snapshot.nominated_pods_for(node.name)
            if p.key != pod.key and p.priority >= pod.priority
        ]
        if nominated:
            with_nominated = node.clone()
            for p in nominated:
                with_nominated.add_pod(p)
            status = self.run_filters(state, pod, with_nominated)
            if status is not None:
                return status
        return self.run_filters(state, pod, node)

    def run_post_filter(
        self, state: CycleState, pod: PodInfo, statuses: NodeToStatus
    ) -> tuple[PostFilterResult | None, Status]:
        """``RunPostFilterPlugins``."""
        reasons: list[str] = []
        result: PostFilterResult | None = None
        for pl in self.post_filter_plugins:
            r, status = pl.post_filter(state, pod, statuses)
            if status.code is Code.Success:
                return r, status
            if status.code is Code.UnschedulableAndUnresolvable:
                return r, status.with_plugin(pl.name)
            if not status.is_rejected():
                return None, Status(Code.Error, *status.reasons, plugin=pl.name)
            if r is not None:
                result = r
            reasons.extend(status.reasons)
        return result, Status(Code.Unschedulable, *reasons)

    def run_score(
        self, state: CycleState, pod: PodInfo, nodes: Sequence[NodeInfo]
    ) -> tuple[list[int], dict[str, list[int]]]:
        """PreScore, Score, NormalizeScore and weights: totals per node and per-plugin scores."""
        active: list[ScorePlugin] = []
        for pl in self.pre_score_plugins:
            status = pl.pre_score(state, pod, nodes)
            if status is not None and status.code is Code.Skip:
                state.skip_score.add(pl.name)
            elif status is not None and status.code is not Code.Success:
                raise _PluginError(Status(Code.Error, *status.reasons, plugin=pl.name))
        for scorer in self.score_plugins:
            if scorer.name not in state.skip_score:
                active.append(scorer)
        totals = [0] * len(nodes)
        per_plugin: dict[str, list[int]] = {}
        for scorer in active:
            scores = [scorer.score(state, pod, node) for node in nodes]
            scorer.normalize_score(state, pod, nodes, scores)
            weight = self.weights[scorer.name]
            for i, s in enumerate(scores):
                totals[i] += s * weight
            per_plugin[scorer.name] = scores
        return totals, per_plugin

    def run_reserve(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        for i, pl in enumerate(self.reserve_plugins):
            status = pl.reserve(state, pod, node_name)
            if status is not None and status.code is not Code.Success:
                for undo in reversed(self.reserve_plugins[: i + 1]):
                    undo.unreserve(state, pod, node_name)
                return status.with_plugin(pl.name)
        return None

    def run_unreserve(self, state: CycleState, pod: PodInfo, node_name: str) -> None:
        for pl in reversed(self.reserve_plugins):
            pl.unreserve(state, pod, node_name)

    def run_bind(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        for pl in self.bind_plugins:
            status = pl.bind(state, pod, node_name)
            if status is not None and status.code is Code.Skip:
                continue
            return status
        return None

    @property
    def has_score_plugins(self) -> bool:
        return bool(self.score_plugins)


class _PluginError(Exception):
    def __init__(self, status: Status) -> None:
        super().__init__(status.message())
        self.status = status
