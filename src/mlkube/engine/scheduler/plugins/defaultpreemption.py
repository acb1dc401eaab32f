"""DefaultPreemption: when no node fits, find the node where evicting the fewest, least important
lower-priority pods lets the pod fit, and nominate it.

Follows ``pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go``
(``PodEligibleToPreemptOthers``, ``SelectVictimsOnNode``, ``filterPodsWithPDBViolation``,
``calculateNumCandidates``) and ``pkg/scheduler/framework/preemption/preemption.go``
(``findCandidates``, ``DryRunPreemption``, ``pickOneNodeForPreemption``). The PreFilter
AddPod/RemovePod extensions are not run while victims are removed, so inter-pod affinity and
topology spread state is the cycle's, as computed before preemption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.engine.scheduler.framework import (
    Code,
    CycleState,
    FitError,
    NodeInfo,
    NodeToStatus,
    PodInfo,
    PostFilterResult,
    Status,
)
from mlkube.engine.scheduler.snapshot import Snapshot

__all__ = [
    "ERR_NOT_HELPFUL",
    "ERR_NO_VICTIMS",
    "NAME",
    "DefaultPreemption",
    "Victims",
    "pick_one_node_for_preemption",
]

NAME: Final = "DefaultPreemption"
ERR_NO_VICTIMS: Final = "No preemption victims found for incoming pod"
ERR_NOT_HELPFUL: Final = "Preemption is not helpful for scheduling"
ERR_NEVER: Final = "not eligible due to preemptionPolicy=Never."
ERR_TERMINATING: Final = "not eligible due to a terminating pod on the nominated node."
_INT32_SPAN: Final = 2**31
_NO_VICTIMS: Final = Status(Code.UnschedulableAndUnresolvable, ERR_NO_VICTIMS)


class PreemptionHandle(Protocol):
    """What preemption needs from the framework: the snapshot, filters, an RNG."""

    @property
    def snapshot(self) -> Snapshot: ...

    def run_filters_with_nominated_pods(
        self, state: CycleState, pod: PodInfo, node: NodeInfo
    ) -> Status | None: ...

    def random_below(self, n: int) -> int: ...


@dataclass(frozen=True, slots=True)
class Victims:
    """The pods to evict on one node, most important first, and how many break a PDB."""

    node: str
    pods: tuple[PodInfo, ...]
    num_pdb_violations: int


def _start_time(pod: PodInfo) -> str:
    # A pod that has not started sorts after every started one (upstream uses "now").
    return str((pod.pod.get("status") or {}).get("startTime") or "\uffff")


def _more_important_key(pod: PodInfo) -> tuple[int, str]:
    return (-pod.priority, _start_time(pod))


def _terminating_by_preemption(pod: PodInfo) -> bool:
    if not (pod.pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    return any(
        c.get("type") == "DisruptionTarget"
        and c.get("status") == "True"
        and c.get("reason") == "PreemptionByScheduler"
        for c in (pod.pod.get("status") or {}).get("conditions") or ()
    )


def _split_by_pdb(
    pods: Sequence[PodInfo], pdbs: Sequence[Mapping[str, Any]]
) -> tuple[list[PodInfo], list[PodInfo]]:
    """``filterPodsWithPDBViolation``: (violating, non-violating), order kept."""
    allowed = [int((p.get("status") or {}).get("disruptionsAllowed") or 0) for p in pdbs]
    violating: list[PodInfo] = []
    fine: list[PodInfo] = []
    for pod in pods:
        violated = False
        if pod.labels:
            for i, pdb in enumerate(pdbs):
                meta = pdb.get("metadata") or {}
                if (meta.get("namespace") or "default") != pod.namespace:
                    continue
                raw = (pdb.get("spec") or {}).get("selector")
                try:
                    selector = selector_from_label_selector(raw)
                except SelectorError:
                    continue
                if selector.empty() or not selector.matches(pod.labels):
                    continue
                if pod.name in ((pdb.get("status") or {}).get("disruptedPods") or {}):
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    violated = True
        (violating if violated else fine).append(pod)
    return violating, fine


def pick_one_node_for_preemption(candidates: Sequence[Victims]) -> Victims | None:
    """``pickOneNodeForPreemption``: fewest PDB violations, lowest top victim priority, lowest
    priority sum, fewest victims, latest earliest start among top-priority victims; then first."""

    def earliest_top_start(v: Victims) -> str:
        top = v.pods[0].priority
        return min(_start_time(p) for p in v.pods if p.priority == top)

    criteria: list[Any] = [
        lambda v: -v.num_pdb_violations,
        lambda v: -v.pods[0].priority,
        lambda v: -sum(p.priority + _INT32_SPAN for p in v.pods),
        lambda v: -len(v.pods),
        earliest_top_start,
    ]
    remaining = list(candidates)
    if not remaining:
        return None
    for key in criteria:
        best = max(key(v) for v in remaining)
        remaining = [v for v in remaining if key(v) == best]
        if len(remaining) == 1:
            return remaining[0]
    return remaining[0]


class DefaultPreemption:
    name = NAME

    def __init__(self, handle: Any, args: Mapping[str, Any] | None = None) -> None:
        self._handle: PreemptionHandle = handle
        args = args or {}
        self.min_candidate_nodes_percentage = int(args.get("minCandidateNodesPercentage", 10))
        self.min_candidate_nodes_absolute = int(args.get("minCandidateNodesAbsolute", 100))

    def post_filter(
        self, state: CycleState, pod: PodInfo, statuses: NodeToStatus
    ) -> tuple[PostFilterResult | None, Status]:
        result, status = self._preempt(state, pod, statuses)
        if status.reasons:
            return result, Status(status.code, "preemption: " + status.message(), plugin=NAME)
        return result, status

    def _eligible(self, pod: PodInfo, statuses: NodeToStatus) -> str | None:
        spec = pod.pod.get("spec") or {}
        if spec.get("preemptionPolicy") == "Never":
            return ERR_NEVER
        nominated = (pod.pod.get("status") or {}).get("nominatedNodeName")
        if nominated:
            if statuses.get(nominated).code is Code.UnschedulableAndUnresolvable:
                return None
            node = self._handle.snapshot.get(nominated)
            if node is not None:
                for other in node.pods.values():
                    if other.priority < pod.priority and _terminating_by_preemption(other):
                        return ERR_TERMINATING
        return None

    def _num_candidates(self, num_nodes: int) -> int:
        n = num_nodes * self.min_candidate_nodes_percentage // 100
        n = max(n, self.min_candidate_nodes_absolute)
        return min(n, num_nodes)

    def _preempt(
        self, state: CycleState, pod: PodInfo, statuses: NodeToStatus
    ) -> tuple[PostFilterResult | None, Status]:
        # 1. Is the pod allowed to preempt at all?
        reason = self._eligible(pod, statuses)
        if reason is not None:
            return None, Status(Code.Unschedulable, reason)
        snapshot = self._handle.snapshot
        all_nodes = snapshot.node_infos
        # 2. Candidates: nodes rejected as Unschedulable (not Unresolvable), dry-run from an offset.
        potential = [n for n in all_nodes if statuses.get(n.name).code is Code.Unschedulable]
        dry_statuses = NodeToStatus(Status(Code.UnschedulableAndUnresolvable, ERR_NOT_HELPFUL))
        candidates: list[Victims] = []
        if potential:
            candidates = self._dry_run(state, pod, potential, dry_statuses)
        if not candidates:
            nested = FitError(len(all_nodes), dry_statuses)
            return PostFilterResult(nominated_node_name=""), Status(
                Code.Unschedulable, nested.message()
            )
        # 3. Pick the best candidate and report what to evict.
        best = pick_one_node_for_preemption(candidates)
        assert best is not None
        for other, node in list(snapshot.nominated.values()):
            if node == best.node and other.priority < pod.priority:
                snapshot.nominated.pop(other.key, None)
        return PostFilterResult(
            nominated_node_name=best.node, victims=tuple(v.pod for v in best.pods)
        ), Status(Code.Success)

    def _dry_run(
        self,
        state: CycleState,
        pod: PodInfo,
        potential: Sequence[NodeInfo],
        statuses: NodeToStatus,
    ) -> list[Victims]:
        pdbs = list(self._handle.snapshot.pdbs.values())
        wanted = self._num_candidates(len(potential))
        offset = self._handle.random_below(len(potential))
        fine: list[Victims] = []
        violating: list[Victims] = []
        for i in range(len(potential)):
            original = potential[(offset + i) % len(potential)]
            if not any(p.priority < pod.priority for p in original.pods.values()):
                statuses.set(original.name, _NO_VICTIMS)
                continue
            node = original.clone()
            victims, status = self._select_victims(state.clone(), pod, node, pdbs)
            if victims is not None:
                (fine if victims.num_pdb_violations == 0 else violating).append(victims)
                if fine and len(fine) + len(violating) >= wanted:
                    break
                continue
            assert status is not None
            statuses.set(node.name, status)
        return [*fine, *violating]

    def _select_victims(
        self,
        state: CycleState,
        pod: PodInfo,
        node: NodeInfo,
        pdbs: Sequence[Mapping[str, Any]],
    ) -> tuple[Victims | None, Status | None]:
        """``SelectVictimsOnNode`` on a cloned NodeInfo."""
        run = self._handle.run_filters_with_nominated_pods
        potential = [p for p in node.pods.values() if p.priority < pod.priority]
        if not potential:
            return None, Status(Code.UnschedulableAndUnresolvable, ERR_NO_VICTIMS)
        for victim in potential:
            node.remove_pod(victim.key)
        status = run(state, pod, node)
        if status is not None:
            return None, status
        potential.sort(key=_more_important_key)
        violating, fine = _split_by_pdb(potential, pdbs)
        victims: list[PodInfo] = []
        num_violating = 0

        def reprieve(victim: PodInfo) -> bool:
            node.add_pod(victim)
            if run(state, pod, node) is None:
                return True
            node.remove_pod(victim.key)
            victims.append(victim)
            return False

        for victim in violating:
            if not reprieve(victim):
                num_violating += 1
        for victim in fine:
            reprieve(victim)
        if violating and fine:
            victims.sort(key=_more_important_key)
        if not victims:
            return None, Status(
                Code.Error, f'expected at least one victim pod on node "{node.name}"'
            )
        return Victims(node.name, tuple(victims), num_violating), None
