"""schedule_one end to end, on the reference and the vectorised path.

Messages are the observed v1.35+ forms of k8s-semantics.md §0.4 (without DynamicResources'
"no new claims to deallocate", dropped in v1.37 by PR #140222); round-robin and selection from
schedule_one.go (findNodesThatPassFilters, selectHost).
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.scheduler import PodInfo, Scheduler, Snapshot, load_profiles

from .builders import make_node, make_pod
from .conftest import SchedulerFactory


def control_plane() -> dict[str, Any]:
    return make_node("cp").taint("node-role.kubernetes.io/control-plane").obj()


def test_a_pod_fits_and_is_bound_through_the_callback(new_scheduler: SchedulerFactory) -> None:
    bound: list[tuple[str, str]] = []

    def bind(pod: Any, node: str, volumes: Any) -> str | None:
        bound.append((pod["metadata"]["name"], node))
        return None

    sched = new_scheduler([make_node("a").obj()], bind=bind)
    result = sched.schedule_one(make_pod("p").req(cpu="1").obj())
    assert (result.node_name, result.fit_error, bound) == ("a", None, [("p", "a")])


def test_a_bound_pod_is_accounted_in_the_snapshot(new_scheduler: SchedulerFactory) -> None:
    sched = new_scheduler([make_node("a").capacity(cpu="2").obj()])
    assert sched.schedule_one(make_pod("p1").req(cpu="2").obj()).node_name == "a"
    assert sched.schedule_one(make_pod("p2").req(cpu="1").obj()).node_name is None


def test_a_failed_bind_forgets_the_pod(new_scheduler: SchedulerFactory) -> None:
    sched = new_scheduler([make_node("a").capacity(cpu="2").obj()], bind=lambda p, n, v: "conflict")
    result = sched.schedule_one(make_pod("p").req(cpu="2").obj())
    assert (result.node_name, result.error) == (None, "conflict")
    assert sched.snapshot.node_of("uid-ml-p") is None


@pytest.mark.parametrize(
    ("nodes", "pod", "want"),
    [
        pytest.param(
            [
                control_plane(),
                make_node("w1").capacity(cpu="1").obj(),
                make_node("w2").capacity(cpu="1").obj(),
            ],
            make_pod().req(cpu="2").obj(),
            "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            id="too big for every worker and off the control plane",
        ),
        pytest.param(
            [make_node("w1").capacity(cpu="1").obj()],
            make_pod().req(cpu="500m").priority(10).obj(),
            "0/1 nodes are available: 1 Insufficient cpu. "
            "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            id="no lower-priority pod to preempt",
        ),
        pytest.param(
            [make_node("a").obj(), make_node("b").obj()],
            make_pod().node_selector(pool="gpu").obj(),
            "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
            id="no node matches the selector",
        ),
        pytest.param(
            [make_node("a").obj()],
            make_pod().req(cpu="1").never_preempt().obj(),
            "0/1 nodes are available: 1 Insufficient cpu. "
            "preemption: not eligible due to preemptionPolicy=Never.",
            id="a pod that may not preempt says so",
        ),
    ],
)
def test_failed_scheduling_messages(
    new_scheduler: SchedulerFactory, nodes: list[dict[str, Any]], pod: dict[str, Any], want: str
) -> None:
    existing = [make_pod("big", "sys").req(cpu="32").priority(1000).node("a").obj()]
    existing = existing if any(n["metadata"]["name"] == "a" for n in nodes) else []
    sched = new_scheduler(nodes, existing)
    if "w1" in [n["metadata"]["name"] for n in nodes] and "priority" in pod["spec"]:
        sched.snapshot.add_pod(make_pod("same", "sys").req(cpu="1").priority(10).node("w1").obj())
    result = sched.schedule_one(pod)
    assert (result.node_name, result.message) == (None, want)


def test_nodes_outside_the_prefilter_result_are_reported_as_absent(
    new_scheduler: SchedulerFactory,
) -> None:
    # 64 cpu on a 32-cpu node is unresolvable, so preemption tries no node.
    pod = (
        make_pod()
        .req(cpu="64")
        .required_terms(
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]}]}
        )
    )
    sched = new_scheduler([make_node(n).obj() for n in "abc"])
    assert sched.schedule_one(pod.obj()).message == (
        "0/3 nodes are available: 1 Insufficient cpu, "
        "2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_an_immediate_unbound_claim_rejects_at_prefilter(new_scheduler: SchedulerFactory) -> None:
    pvc = {"metadata": {"name": "data", "namespace": "ml"}, "spec": {"storageClassName": "fast"}}
    sc = {
        "metadata": {"name": "fast"},
        "provisioner": "csi.example",
        "volumeBindingMode": "Immediate",
    }
    sched = new_scheduler(
        [make_node(n).obj() for n in "abc"], objects={"pvcs": [pvc], "storage_classes": [sc]}
    )
    assert sched.schedule_one(make_pod().claim("data").obj()).message == (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_no_nodes_is_an_error(new_scheduler: SchedulerFactory) -> None:
    result = new_scheduler([]).schedule_one(make_pod().obj())
    assert (result.node_name, result.error) == (None, "no nodes available to schedule pods")


def test_preemption_nominates_the_node_and_names_the_victims(
    new_scheduler: SchedulerFactory,
) -> None:
    nodes = [make_node("a").capacity(cpu="2").obj(), make_node("b").capacity(cpu="2").obj()]
    pods = [
        make_pod("low-a", "x").req(cpu="2").priority(5).node("a").obj(),
        make_pod("low-b", "x").req(cpu="2").priority(1).node("b").obj(),
    ]
    sched = new_scheduler(nodes, pods)
    result = sched.schedule_one(make_pod("high").req(cpu="2").priority(100).obj())
    assert result.node_name is None
    assert result.nominated_node_name == "b"
    assert [v["metadata"]["name"] for v in result.victims] == ["low-b"]
    assert result.message == "0/2 nodes are available: 2 Insufficient cpu."


def test_preemption_reprieves_pods_that_need_not_go(new_scheduler: SchedulerFactory) -> None:
    nodes = [make_node("a").capacity(cpu="4").obj()]
    pods = [
        make_pod("keep", "x")
        .req(cpu="2")
        .priority(5)
        .started("2026-01-01T00:00:00Z")
        .node("a")
        .obj(),
        make_pod("evict", "x")
        .req(cpu="2")
        .priority(1)
        .started("2026-01-01T00:00:00Z")
        .node("a")
        .obj(),
    ]
    result = new_scheduler(nodes, pods).schedule_one(make_pod().req(cpu="2").priority(10).obj())
    assert [v["metadata"]["name"] for v in result.victims] == ["evict"]


def test_a_nominated_node_that_fits_is_chosen_first(new_scheduler: SchedulerFactory) -> None:
    sched = new_scheduler([make_node(n).obj() for n in "abc"])
    assert sched.schedule_one(make_pod().nominated("c").obj()).node_name == "c"


def test_round_robin_start_index_advances_by_processed_nodes() -> None:
    nodes = [make_node(f"n{i:03}").obj() for i in range(200)]
    sched = Scheduler(Snapshot(nodes), vectorised=False)
    sched.schedule_one(make_pod("p1").obj())
    # 200 nodes: adaptive 48% is 96, raised to 100 feasible nodes to find.
    assert sched.next_start_node_index == 100
    sched.schedule_one(make_pod("p2").obj())
    assert sched.next_start_node_index == 0


def test_failing_nodes_count_as_processed() -> None:
    nodes = [make_node(f"n{i:03}").obj() for i in range(200)]
    for n in nodes[:50]:
        n["spec"]["unschedulable"] = True
    sched = Scheduler(Snapshot(nodes), vectorised=False)
    result = sched.schedule_one(make_pod().obj())
    assert (result.evaluated_nodes, result.feasible_nodes) == (150, 100)
    assert sched.next_start_node_index == 150


def test_ties_are_broken_by_the_seeded_rng() -> None:
    nodes = [make_node(n).obj() for n in "abcdef"]
    picks = {
        Scheduler(Snapshot(nodes), seed=s, vectorised=False)
        .schedule_one(make_pod().obj())
        .node_name
        for s in range(20)
    }
    assert len(picks) > 1
    again = [
        Scheduler(Snapshot(nodes), seed=3).schedule_one(make_pod().obj()).node_name
        for _ in range(2)
    ]
    assert again[0] == again[1]


def test_explain_reports_per_plugin_scores(new_scheduler: SchedulerFactory) -> None:
    nodes = [make_node("a").capacity(cpu="4").obj(), make_node("b").capacity(cpu="8").obj()]
    sched = new_scheduler(nodes)
    result = sched.schedule_one(make_pod().req(cpu="2").obj(), explain=True)
    weights = sched.framework.weights
    for total, plugins in result.scores.values():
        assert total == sum(score * weights[name] for name, score in plugins.items())
    assert result.scores["a"][1]["NodeResourcesFit"] < result.scores["b"][1]["NodeResourcesFit"]
    assert result.node_name == "b"


def test_a_profile_can_switch_to_most_allocated(new_scheduler: SchedulerFactory) -> None:
    config = """
profiles:
- schedulerName: default-scheduler
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"""
    nodes = [make_node("a").capacity(cpu="4").obj(), make_node("b").capacity(cpu="8").obj()]
    [profile] = load_profiles(config)
    sched = new_scheduler(nodes, profile=profile)
    assert sched.schedule_one(make_pod().req(cpu="2", memory="1Gi").obj()).node_name == "a"


def test_the_scheduler_follows_node_and_pod_events(new_scheduler: SchedulerFactory) -> None:
    sched = new_scheduler(
        [make_node("a").capacity(cpu="2").obj(), make_node("b").capacity(cpu="2").obj()]
    )
    first = sched.schedule_one(make_pod("p1").req(cpu="2").obj())
    second = sched.schedule_one(make_pod("p2").req(cpu="2").obj())
    assert {first.node_name, second.node_name} == {"a", "b"}
    assert sched.schedule_one(make_pod("p3").req(cpu="2").obj()).node_name is None
    sched.snapshot.remove_pod("uid-ml-p1")
    assert sched.schedule_one(make_pod("p4").req(cpu="2").obj()).node_name == first.node_name
    sched.snapshot.add_node(make_node("c").capacity(cpu="4").obj())
    assert sched.schedule_one(make_pod("p5").req(cpu="2").obj()).node_name == "c"
    sched.snapshot.update_node(make_node("c").capacity(cpu="4").taint("dedicated", "ml").obj())
    assert sched.schedule_one(make_pod("p6").req(cpu="2").obj()).message.startswith(
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu."
    )


def test_the_fit_error_names_the_rejecting_plugins(new_scheduler: SchedulerFactory) -> None:
    sched = new_scheduler([control_plane(), make_node("w").capacity(cpu="1").obj()])
    result = sched.schedule_one(make_pod().req(cpu="2").obj())
    assert result.fit_error is not None
    assert result.fit_error.unschedulable_plugins == {"TaintToleration", "NodeResourcesFit"}


def test_a_failed_preemption_clears_the_nomination(new_scheduler: SchedulerFactory) -> None:
    sched = new_scheduler([make_node("a").capacity(cpu="1").obj()])
    pod = make_pod().req(cpu="2").priority(10)
    sched.snapshot.nominate(PodInfo(pod.obj()), "a")
    result = sched.schedule_one(pod.nominated("a").obj())
    assert (result.nominated_node_name, sched.snapshot.nominated) == ("", {})
