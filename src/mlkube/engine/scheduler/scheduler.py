"""One scheduling cycle: place one pod on one node exactly as kube-scheduler would, and say why not.

Follows ``pkg/scheduler/schedule_one.go`` (``schedulingCycle``, ``schedulePod``,
``findNodesThatFitPod``, ``findNodesThatPassFilters``, ``numFeasibleNodesToFind``,
``prioritizeNodes``, ``selectHost``) and ``pkg/scheduler/framework/types.go`` (``FitError``).
Filtering is sequential over the round-robin node order, which is what upstream's parallel
search converges to; ties among the best scores are broken by a seeded RNG, uniformly, as
upstream's reservoir sampling does.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from mlkube.engine.scheduler.framework import (
    Code,
    CycleState,
    FitError,
    NodeInfo,
    NodeToStatus,
    PodInfo,
    Status,
)
from mlkube.engine.scheduler.plugins.volumebinding import PodVolumes, VolumeBinding
from mlkube.engine.scheduler.profile import Profile
from mlkube.engine.scheduler.runtime import Framework, _PluginError
from mlkube.engine.scheduler.snapshot import Snapshot

if TYPE_CHECKING:
    from mlkube.engine.scheduler.vector import VectorPath

__all__ = [
    "ERR_NO_NODES_AVAILABLE",
    "BindCallback",
    "FitError",
    "ScheduleResult",
    "Scheduler",
    "num_feasible_nodes_to_find",
]

ERR_NO_NODES_AVAILABLE: Final = "no nodes available to schedule pods"
MIN_FEASIBLE_NODES_TO_FIND: Final = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: Final = 5

#: Called with (pod, node name, volume decisions) to write the binding; returns an error text
#: or None. The pod is the wire-form dict as given to ``schedule_one``.
BindCallback = Callable[[Mapping[str, Any], str, PodVolumes | None], str | None]


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int | None) -> int:
    """``numFeasibleNodesToFind``: how many feasible nodes to find before scoring."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    pct = percentage or 0
    if pct >= 100:
        return num_all_nodes
    if pct == 0:
        pct = 50 - num_all_nodes // 125
        if pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND:
            pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND
    num = num_all_nodes * pct // 100
    return max(num, MIN_FEASIBLE_NODES_TO_FIND)


@dataclass
class ScheduleResult:
    """The outcome of one cycle: a node, or a FitError (or an internal error)."""

    pod_key: str
    node_name: str | None = None
    fit_error: FitError | None = None
    error: str | None = None
    evaluated_nodes: int = 0
    feasible_nodes: int = 0
    nominated_node_name: str | None = None
    victims: list[Mapping[str, Any]] = field(default_factory=list)
    volumes: PodVolumes | None = None
    #: Node -> (total, per-plugin scores), filled only when ``schedule_one(..., explain=True)``.
    scores: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The FailedScheduling text: the FitError's message or the error."""
        if self.fit_error is not None:
            return self.fit_error.message()
        return self.error or ""


class Scheduler:
    """kube-scheduler's scheduling cycle over a Snapshot, with one profile.

    ``bind`` writes the binding (through the store, in the embedded cluster); without it the
    pod is only assumed into the snapshot. ``vectorised`` uses the numpy path for pods it
    can handle (:mod:`mlkube.engine.scheduler.vector`), with identical decisions.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        profile: Profile | None = None,
        *,
        bind: BindCallback | None = None,
        seed: int = 0,
        vectorised: bool = True,
    ) -> None:
        self.snapshot = snapshot
        self.framework = Framework(snapshot, profile)
        self.bind = bind
        self.rng = random.Random(seed)
        self.framework.rng = self.rng
        self.next_start_node_index = 0
        self.vector: VectorPath | None = None
        if vectorised:
            from mlkube.engine.scheduler.vector import VectorPath

            self.vector = VectorPath(self.framework)

    @property
    def percentage_of_nodes_to_score(self) -> int | None:
        return self.framework.profile.percentage_of_nodes_to_score

    def schedule_one(self, pod: Mapping[str, Any], *, explain: bool = False) -> ScheduleResult:
        """Run one scheduling cycle for ``pod`` and, if a node fits, assume and bind it there."""
        fw = self.framework
        info = PodInfo(pod)
        result = ScheduleResult(info.key)
        state = CycleState()

        # 1. Snapshot: the cycle reads the snapshot as it is now.
        nodes = self.snapshot.node_infos
        if not nodes:
            result.error = ERR_NO_NODES_AVAILABLE
            return result

        # 2. PreFilter: per-pod pre-computation, node restrictions, early rejection.
        pre_result, status, restricting = fw.run_pre_filter(state, info)
        statuses = NodeToStatus()
        if status is not None and status.code is Code.Error:
            result.error = status.message()
            return result
        if status is not None:
            statuses.absent = status
            fit = FitError(len(nodes), statuses, pre_filter_msg=status.message())
            return self._post_filter(state, info, fit, result)
        candidates: Sequence[NodeInfo] = nodes
        if pre_result is not None and pre_result.node_names is not None:
            allowed = pre_result.node_names
            candidates = [n for n in nodes if n.name in allowed]
            statuses.absent = Status(
                Code.UnschedulableAndUnresolvable,
                f"node(s) didn't satisfy plugin(s) [{' '.join(restricting)}]",
            )

        # 3. Filter: the nominated node first, then numFeasibleNodesToFind nodes from the
        #    round-robin start index.
        feasible: Sequence[NodeInfo] = self._nominated_node(state, info, statuses)
        if not feasible:
            feasible = self._find_feasible(state, info, candidates, statuses, len(nodes))
        result.evaluated_nodes = len(feasible) + len(statuses)
        result.feasible_nodes = len(feasible)

        # 4. PostFilter (preemption) when nothing fits.
        if not feasible:
            fit = FitError(len(nodes), statuses, unschedulable_plugins=frozenset(restricting))
            return self._post_filter(state, info, fit, result)

        # 5. PreScore, Score, NormalizeScore, weights: skipped for a single feasible node.
        # 6. Select the host among the top scores, uniformly at random (seeded).
        try:
            chosen = self._select(state, info, feasible, result, explain)
        except _PluginError as err:
            result.error = err.status.message()
            return result

        # 7. Reserve: assume the pod on the node, then run Reserve plugins.
        assumed = self.snapshot.assume(info, chosen, copy=False)
        status = fw.run_reserve(state, assumed, chosen)
        if status is not None:
            self.snapshot.remove_pod(info.key)
            result.error = status.message()
            return result
        result.volumes = self._volume_decisions(state, chosen)

        # 8. Bind: the bind plugins, then the embedding cluster's callback.
        status = fw.run_bind(state, assumed, chosen)
        error = status.message() if status is not None else None
        if error is None and self.bind is not None:
            error = self.bind(pod, chosen, result.volumes)
        if error is not None:
            fw.run_unreserve(state, assumed, chosen)
            self.snapshot.remove_pod(info.key)
            result.error = error
            return result
        result.node_name = chosen
        return result

    # --- steps ------------------------------------------------------------------------------

    def _nominated_node(
        self, state: CycleState, pod: PodInfo, statuses: NodeToStatus
    ) -> list[NodeInfo]:
        """``evaluateNominatedNode``: a nominated node that still fits is the only candidate."""
        name = (pod.pod.get("status") or {}).get("nominatedNodeName")
        node = self.snapshot.get(name) if name else None
        if node is None:
            return []
        status = self.framework.run_filters_with_nominated_pods(state, pod, node)
        if status is None:
            return [node]
        statuses.set(node.name, status)
        return []

    def _find_feasible(
        self,
        state: CycleState,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        statuses: NodeToStatus,
        num_all_nodes: int,
    ) -> Sequence[NodeInfo]:
        """``findNodesThatPassFilters`` and the round-robin bookkeeping."""
        fw = self.framework
        count = len(nodes)
        if count == 0:
            return []
        to_find = num_feasible_nodes_to_find(count, self.percentage_of_nodes_to_score)
        if not fw.has_score_plugins:
            to_find = 1
        start = self.next_start_node_index
        feasible: Sequence[NodeInfo]
        if self.vector is not None and self.vector.handles(state, pod, nodes):
            feasible, processed = self.vector.find_feasible(
                state, pod, nodes, start, to_find, statuses
            )
        else:
            found: list[NodeInfo] = []
            feasible = found
            processed = 0
            for i in range(count):
                node = nodes[(start + i) % count]
                processed += 1
                status = fw.run_filters_with_nominated_pods(state, pod, node)
                if status is None:
                    found.append(node)
                    if len(found) >= to_find:
                        break
                else:
                    statuses.set(node.name, status)
        self.next_start_node_index = (start + processed) % num_all_nodes
        return feasible

    def _select(
        self,
        state: CycleState,
        pod: PodInfo,
        feasible: Sequence[NodeInfo],
        result: ScheduleResult,
        explain: bool,
    ) -> str:
        if len(feasible) == 1:
            return feasible[0].name
        if (
            self.vector is not None
            and not explain
            and self.vector.handles_score(state, pod, feasible)
        ):
            vector_totals = self.vector.score(state, pod, feasible)
            return feasible[self.vector.select(vector_totals, self.rng)].name
        totals, per_plugin = self.framework.run_score(state, pod, feasible)
        if explain:
            for i, node in enumerate(feasible):
                result.scores[node.name] = (
                    totals[i],
                    {name: scores[i] for name, scores in per_plugin.items()},
                )
        return feasible[select_index(totals, self.rng)].name

    def _post_filter(
        self, state: CycleState, pod: PodInfo, fit: FitError, result: ScheduleResult
    ) -> ScheduleResult:
        rejected = {s.plugin for s in fit.statuses.statuses.values() if s.plugin}
        if fit.statuses.absent.plugin:
            rejected.add(fit.statuses.absent.plugin)
        fit.unschedulable_plugins = fit.unschedulable_plugins | rejected
        post_result, status = self.framework.run_post_filter(state, pod, fit.statuses)
        fit.post_filter_msg = status.message()
        result.fit_error = fit
        if post_result is not None:
            result.nominated_node_name = post_result.nominated_node_name
            result.victims = list(post_result.victims)
            if post_result.nominated_node_name:
                self.snapshot.nominate(pod, post_result.nominated_node_name)
            elif post_result.nominated_node_name == "":
                self.snapshot.nominated.pop(pod.key, None)
        return result

    def _volume_decisions(self, state: CycleState, node_name: str) -> PodVolumes | None:
        plugin = self.framework.plugins.get("VolumeBinding")
        if isinstance(plugin, VolumeBinding):
            return plugin.decisions_for(state, node_name)
        return None


def select_index(totals: Sequence[int], rng: random.Random) -> int:
    """``selectHost``: the index of a highest total, uniform among ties (one RNG draw if tied)."""
    best = max(totals)
    ties = [i for i, t in enumerate(totals) if t == best]
    if len(ties) == 1:
        return ties[0]
    return ties[rng.randrange(len(ties))]
