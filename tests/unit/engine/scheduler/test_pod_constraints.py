"""PodTopologySpread, InterPodAffinity and ImageLocality.

Cases after podtopologyspread/filtering_test.go and scoring_test.go, interpodaffinity/
filtering_test.go and scoring_test.go, imagelocality/image_locality_test.go.
"""

from __future__ import annotations

from typing import Any

from mlkube.engine.scheduler import Scheduler, Snapshot

from .builders import make_node, make_pod

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def zoned_nodes() -> list[dict[str, Any]]:
    return [
        make_node("a1").zone("a").obj(),
        make_node("a2").zone("a").obj(),
        make_node("b1").zone("b").obj(),
        make_node("b2").zone("b").obj(),
    ]


def worker(name: str, node: str, **labels: str) -> dict[str, Any]:
    b = make_pod(name).node(node)
    for k, v in labels.items():
        b.label(k, v)
    return b.obj()


def test_spread_places_the_pod_in_the_emptier_zone() -> None:
    pods = [worker("w1", "a1", app="x"), worker("w2", "a2", app="x")]
    pod = make_pod().label("app", "x").spread(1, ZONE, app="x").obj()
    result = Scheduler(Snapshot(zoned_nodes(), pods)).schedule_one(pod)
    assert result.node_name in ("b1", "b2")


def test_spread_skew_rejects_the_fuller_zone_only() -> None:
    pods = [worker("w1", "a1", app="x")]
    pod = make_pod().label("app", "x").spread(1, ZONE, app="x").node_selector(**{ZONE: "a"}).obj()
    # nodeAffinityPolicy Honor: only zone a counts, so its minimum is 1 and the skew is 1.
    assert Scheduler(Snapshot(zoned_nodes(), pods)).schedule_one(pod).node_name == "a2"


def cordoned_b() -> list[dict[str, Any]]:
    nodes = zoned_nodes()
    for node in nodes[2:]:
        node["spec"]["unschedulable"] = True
    return nodes


def test_spread_reports_missing_topology_labels_and_skew() -> None:
    nodes = [*cordoned_b(), make_node("nolabel").obj()]
    pods = [worker("w1", "a1", app="x"), worker("w2", "a2", app="x")]
    pod = make_pod().label("app", "x").spread(1, ZONE, app="x").obj()
    assert Scheduler(Snapshot(nodes, pods)).schedule_one(pod).message == (
        "0/5 nodes are available: 1 node(s) didn't match pod topology spread constraints "
        "(missing required label), 2 node(s) didn't match pod topology spread constraints, "
        "2 node(s) were unschedulable. preemption: 0/5 nodes are available: "
        "2 No preemption victims found for incoming pod, "
        "3 Preemption is not helpful for scheduling."
    )


def test_spread_score_prefers_the_zone_with_fewer_matches() -> None:
    pods = [worker("w1", "a1", app="x"), worker("w2", "a2", app="x"), worker("w3", "b1", app="x")]
    pod = make_pod().label("app", "x").spread(5, ZONE, "ScheduleAnyway", app="x").obj()
    result = Scheduler(Snapshot(zoned_nodes(), pods)).schedule_one(pod, explain=True)
    scores = {n: s[1]["PodTopologySpread"] for n, s in result.scores.items()}
    assert scores["b2"] == scores["b1"] > scores["a1"] == scores["a2"]


def test_required_affinity_follows_the_matching_pod() -> None:
    pods = [worker("db", "b2", app="db")]
    pod = make_pod().pod_affinity("podAffinity", HOST, app="db").obj()
    assert Scheduler(Snapshot(zoned_nodes(), pods)).schedule_one(pod).node_name == "b2"


def test_the_first_pod_of_a_self_affine_group_may_go_anywhere() -> None:
    pod = make_pod().label("app", "web").pod_affinity("podAffinity", ZONE, app="web").obj()
    assert Scheduler(Snapshot(zoned_nodes())).schedule_one(pod).node_name is not None


def test_required_affinity_without_a_match_fails_everywhere() -> None:
    pod = make_pod().pod_affinity("podAffinity", ZONE, app="db").obj()
    result = Scheduler(Snapshot(zoned_nodes())).schedule_one(pod)
    assert result.message == (
        "0/4 nodes are available: 4 node(s) didn't match pod affinity rules. "
        "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    )


def test_anti_affinity_avoids_the_zone_of_a_matching_pod() -> None:
    pods = [worker("web1", "a1", app="web")]
    pod = make_pod().label("app", "web").pod_affinity("podAntiAffinity", ZONE, app="web").obj()
    assert Scheduler(Snapshot(zoned_nodes(), pods)).schedule_one(pod).node_name in ("b1", "b2")


def test_existing_anti_affinity_keeps_the_pod_out() -> None:
    loner = make_pod("loner").node("a1").pod_affinity("podAntiAffinity", ZONE, app="web").obj()
    pod = make_pod().label("app", "web").obj()
    assert Scheduler(Snapshot(cordoned_b(), [loner])).schedule_one(pod).message == (
        "0/4 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules, "
        "2 node(s) were unschedulable. preemption: 0/4 nodes are available: "
        "2 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )


def test_preferred_affinity_scores_the_matching_domain_highest() -> None:
    pods = [worker("cache", "b1", app="cache")]
    pod = make_pod().preferred_pod_affinity("podAffinity", 10, ZONE, app="cache").obj()
    result = Scheduler(Snapshot(zoned_nodes(), pods)).schedule_one(pod, explain=True)
    scores = {n: s[1]["InterPodAffinity"] for n, s in result.scores.items()}
    assert scores == {"a1": 0, "a2": 0, "b1": 100, "b2": 100}


def test_image_locality_prefers_the_node_with_the_image() -> None:
    # 500 MiB on 1 of 2 nodes: 250 MiB spread score; (250 - 23) * 100 / (1000 - 23) = 23
    nodes = [make_node("a").image("trainer:1", 500 * 2**20).obj(), make_node("b").obj()]
    result = Scheduler(Snapshot(nodes)).schedule_one(make_pod().obj(), explain=True)
    assert {n: s[1]["ImageLocality"] for n, s in result.scores.items()} == {"a": 23, "b": 0}
    assert result.node_name == "a"
