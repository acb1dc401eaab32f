"""DefaultPreemption: victim selection, PDBs, the choice of node, eligibility.

Cases after defaultpreemption/default_preemption_test.go (TestSelectBestCandidate,
TestPodEligibleToPreemptOthers, PDB cases of TestDryRunPreemption) and preemption.go's
pickOneNodeForPreemption criteria (k8s-semantics.md §3).
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.scheduler import PodInfo, Scheduler, Snapshot
from mlkube.engine.scheduler.plugins.defaultpreemption import Victims, pick_one_node_for_preemption

from .builders import make_node, make_pod


def victims(
    node: str, *priorities: int, pdb: int = 0, start: str = "2026-01-01T00:00:00Z"
) -> Victims:
    pods = tuple(
        PodInfo(make_pod(f"{node}-{i}").priority(p).started(start).node(node).obj())
        for i, p in enumerate(priorities)
    )
    return Victims(node, pods, pdb)


@pytest.mark.parametrize(
    ("candidates", "want"),
    [
        pytest.param(
            [victims("a", 1, pdb=1), victims("b", 5, 5)], "b", id="fewest PDB violations first"
        ),
        pytest.param(
            [victims("a", 10), victims("b", 5, 5)],
            "b",
            id="then the lowest highest-priority victim",
        ),
        pytest.param(
            [victims("a", 5, 4), victims("b", 5, 1)], "b", id="then the lowest priority sum"
        ),
        pytest.param(
            [victims("a", 5, -3, -3), victims("b", 5, -3)],
            "b",
            id="negative priorities are offset so fewer victims still win the sum",
        ),
        pytest.param(
            [victims("a", 5, 0, 0), victims("b", 5, 0)], "b", id="then the fewest victims"
        ),
        pytest.param(
            [
                victims("a", 5, start="2026-01-01T00:00:00Z"),
                victims("b", 5, start="2026-06-01T00:00:00Z"),
            ],
            "b",
            id="then the latest start among top-priority victims",
        ),
        pytest.param([victims("a", 5), victims("b", 5)], "a", id="then the first candidate"),
    ],
)
def test_pick_one_node_for_preemption(candidates: list[Victims], want: str) -> None:
    chosen = pick_one_node_for_preemption(candidates)
    assert chosen is not None
    assert chosen.node == want


def _pdb(allowed: int, **labels: str) -> dict[str, Any]:
    return {
        "metadata": {"name": "budget", "namespace": "x"},
        "spec": {"selector": {"matchLabels": labels}},
        "status": {"disruptionsAllowed": allowed},
    }


def test_a_node_whose_victims_break_no_budget_is_preferred() -> None:
    nodes = [make_node("a").capacity(cpu="2").obj(), make_node("b").capacity(cpu="2").obj()]
    pods = [
        make_pod("guarded", "x").label("app", "db").req(cpu="2").priority(1).node("a").obj(),
        make_pod("free", "x").req(cpu="2").priority(1).node("b").obj(),
    ]
    sched = Scheduler(Snapshot(nodes, pods, pdbs=[_pdb(0, app="db")]))
    result = sched.schedule_one(make_pod().req(cpu="2").priority(10).obj())
    assert (result.nominated_node_name, [v["metadata"]["name"] for v in result.victims]) == (
        "b",
        ["free"],
    )


def test_a_budget_violation_is_accepted_when_nothing_else_helps() -> None:
    nodes = [make_node("a").capacity(cpu="2").obj()]
    pods = [make_pod("guarded", "x").label("app", "db").req(cpu="2").priority(1).node("a").obj()]
    sched = Scheduler(Snapshot(nodes, pods, pdbs=[_pdb(0, app="db")]))
    result = sched.schedule_one(make_pod().req(cpu="2").priority(10).obj())
    assert result.nominated_node_name == "a"


def test_equal_priority_pods_are_never_victims() -> None:
    nodes = [make_node("a").capacity(cpu="2").obj()]
    pods = [make_pod("peer", "x").req(cpu="2").priority(10).node("a").obj()]
    result = Scheduler(Snapshot(nodes, pods)).schedule_one(
        make_pod().req(cpu="2").priority(10).obj()
    )
    assert result.message.endswith("1 No preemption victims found for incoming pod.")


def test_victims_that_would_not_free_enough_leave_the_filter_reason() -> None:
    nodes = [make_node("a").capacity(cpu="4").obj()]
    pods = [
        make_pod("high", "x").req(cpu="3").priority(100).node("a").obj(),
        make_pod("low", "x").req(cpu="1").priority(1).node("a").obj(),
    ]
    result = Scheduler(Snapshot(nodes, pods)).schedule_one(
        make_pod().req(cpu="2").priority(10).obj()
    )
    assert result.message == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: 0/1 nodes are available: 1 Insufficient cpu."
    )


def test_a_terminating_victim_on_the_nominated_node_blocks_more_preemption() -> None:
    dying = make_pod("dying", "x").req(cpu="2").priority(1).node("a").obj()
    dying["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    dying["status"]["conditions"] = [
        {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}
    ]
    sched = Scheduler(Snapshot([make_node("a").capacity(cpu="2").obj()], [dying]))
    result = sched.schedule_one(make_pod().req(cpu="2").priority(10).nominated("a").obj())
    assert result.message.endswith(
        "preemption: not eligible due to a terminating pod on the nominated node."
    )


def test_a_nominated_pod_reserves_its_node_for_lower_priority_pods() -> None:
    nodes = [make_node("a").capacity(cpu="2").obj()]
    sched = Scheduler(Snapshot(nodes))
    sched.snapshot.nominate(PodInfo(make_pod("high").req(cpu="2").priority(100).obj()), "a")
    result = sched.schedule_one(make_pod("low").req(cpu="1").priority(1).obj())
    assert result.node_name is None
    assert result.message.startswith("0/1 nodes are available: 1 Insufficient cpu.")
