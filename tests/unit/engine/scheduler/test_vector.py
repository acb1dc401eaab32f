"""The vectorised path decides and scores exactly as the per-node reference path.

A hypothesis property over random clusters: GPU pools, zones, taints, cordoned nodes, existing
pods, and incoming pods with requests, tolerations, selectors and preferred affinity. For each
pod both paths must find the same feasible nodes from the same start index, give every failing
node the same status, process the same number of nodes and give every feasible node the same
total score; then the pod is bound and the next pod sees the changed cluster.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkube.engine.scheduler import CycleState, NodeToStatus, PodInfo, Scheduler, Snapshot
from mlkube.engine.scheduler.profile import Profile, load_profiles
from mlkube.engine.scheduler.scheduler import num_feasible_nodes_to_find

from .builders import make_node, make_pod

MODELS = ["A100", "V100", "T4"]
ZONES = ["z1", "z2", "z3"]
TAINTS = [
    ("dedicated", "ml", "NoSchedule"),
    ("gpu", "true", "PreferNoSchedule"),
    ("spot", "", "PreferNoSchedule"),
    ("node.kubernetes.io/unreachable", "", "NoExecute"),
]


@st.composite
def nodes(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 130))
    out = []
    for i in range(count):
        b = make_node(f"n{i:03}").capacity(
            cpu=f"{draw(st.sampled_from([2, 8, 32, 64]))}",
            memory=f"{draw(st.sampled_from([4, 16, 256]))}Gi",
            pods=str(draw(st.sampled_from([2, 110]))),
        )
        if draw(st.booleans()):
            b.gpus(draw(st.sampled_from([1, 2, 8]))).label(
                "gpu.model", draw(st.sampled_from(MODELS))
            )
        if draw(st.booleans()):
            b.zone(draw(st.sampled_from(ZONES)))
        for taint in draw(st.lists(st.sampled_from(TAINTS), max_size=2, unique=True)):
            b.taint(*taint)
        if draw(st.integers(0, 9)) == 0:
            b.unschedulable()
        out.append(b.obj())
    return out


@st.composite
def pods(draw: st.DrawFn, name: str) -> dict[str, Any]:
    b = make_pod(name)
    cpu = draw(st.sampled_from([None, "100m", "1", "4", "16", "64"]))
    memory = draw(st.sampled_from([None, "512Mi", "8Gi", "300Gi"]))
    if cpu:
        b.req(cpu=cpu)
    if memory:
        b.req(memory=memory)
    gpus = draw(st.sampled_from([0, 0, 1, 4, 8]))
    if gpus:
        b.gpus(gpus)
    for key, value, effect in draw(st.lists(st.sampled_from(TAINTS), max_size=2, unique=True)):
        b.toleration(key, value, effect)
    choice = draw(st.integers(0, 3))
    if choice == 1:
        b.node_selector(**{"gpu.model": draw(st.sampled_from(MODELS))})
    elif choice == 2:
        models = draw(st.lists(st.sampled_from(MODELS), min_size=1, max_size=2, unique=True))
        b.required_terms(
            {"matchExpressions": [{"key": "gpu.model", "operator": "In", "values": models}]}
        )
    if draw(st.booleans()):
        zone = draw(st.sampled_from(ZONES))
        b.preferred_term(
            draw(st.integers(1, 100)),
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]},
        )
    if draw(st.integers(0, 5)) == 0:
        b.node(f"n{draw(st.integers(0, 140)):03}")
        b.obj()["status"]["phase"] = "Pending"
    return b.obj()


_GPU_RESOURCES = [{"name": "cpu"}, {"name": "memory"}, {"name": "nvidia.com/gpu", "weight": 3}]
PROFILES = [
    Profile(),
    *load_profiles(
        {
            "profiles": [
                {
                    "percentageOfNodesToScore": 30,
                    "pluginConfig": [
                        {
                            "name": "NodeResourcesFit",
                            "args": {"scoringStrategy": {"type": "MostAllocated"}},
                        }
                    ],
                },
                {
                    "pluginConfig": [
                        {
                            "name": "NodeResourcesFit",
                            "args": {
                                "scoringStrategy": {
                                    "type": "LeastAllocated",
                                    "resources": _GPU_RESOURCES,
                                }
                            },
                        },
                        {
                            "name": "NodeResourcesBalancedAllocation",
                            "args": {"resources": _GPU_RESOURCES},
                        },
                    ],
                },
            ]
        }
    ),
]


def _compare_cycle(sched: Scheduler, pod: dict[str, Any], start: int) -> str | None:
    """Run filter and score both ways on the same snapshot; return the node to bind, if any."""
    fw, vector = sched.framework, sched.vector
    assert vector is not None
    info = PodInfo(pod)
    state = CycleState()
    pre_result, status, _ = fw.run_pre_filter(state, info)
    if status is not None or (pre_result is not None and pre_result.node_names is not None):
        return None
    nodes = sched.snapshot.node_infos
    assert vector.handles(state, info, nodes)
    start %= len(nodes)
    to_find = num_feasible_nodes_to_find(len(nodes), sched.percentage_of_nodes_to_score)
    ref_statuses = NodeToStatus()
    ref: list[Any] = []
    processed = 0
    for i in range(len(nodes)):
        node = nodes[(start + i) % len(nodes)]
        processed += 1
        node_status = fw.run_filters(state, info, node)
        if node_status is None:
            ref.append(node)
            if len(ref) >= to_find:
                break
        else:
            ref_statuses.set(node.name, node_status)
    vec_statuses = NodeToStatus()
    vec, vec_processed = vector.find_feasible(state, info, nodes, start, to_find, vec_statuses)
    assert [n.name for n in vec] == [n.name for n in ref]
    assert vec_processed == processed
    assert vec_statuses.statuses == ref_statuses.statuses
    if not ref:
        return None
    ref_totals, _ = fw.run_score(state.clone(), info, ref)
    vec_totals = vector.score(state.clone(), info, vec)
    assert vec_totals.tolist() == ref_totals
    best = max(ref_totals)
    chosen: str = ref[ref_totals.index(best)].name
    return chosen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cluster=nodes(),
    existing=st.lists(pods("old"), max_size=20),
    incoming=st.lists(pods("new"), min_size=1, max_size=8),
    start=st.integers(0, 200),
    profile=st.sampled_from(PROFILES),
    repeat=st.integers(1, 4),
)
def test_vectorised_and_reference_paths_agree(
    cluster: list[dict[str, Any]],
    existing: list[dict[str, Any]],
    incoming: list[dict[str, Any]],
    start: int,
    profile: Profile,
    repeat: int,
) -> None:
    snapshot = Snapshot(cluster)
    for i, pod in enumerate(existing):
        pod = {**pod, "metadata": {**pod["metadata"], "name": f"old{i}", "uid": f"old{i}"}}
        pod["spec"] = {**pod["spec"], "nodeName": cluster[i % len(cluster)]["metadata"]["name"]}
        snapshot.add_pod(pod)
    sched = Scheduler(snapshot, profile)
    # Pods of one shape come in runs, so the vectorised caches are caught up incrementally.
    runs = [pod for pod in incoming for _ in range(repeat)]
    for i, pod in enumerate(runs):
        pod = {**pod, "metadata": {**pod["metadata"], "name": f"new{i}", "uid": f"new{i}"}}
        chosen = _compare_cycle(sched, pod, start + i * 37)
        if chosen is not None:
            sched.snapshot.assume(PodInfo(pod), chosen)


@settings(max_examples=25, deadline=None)
@given(
    cluster=nodes(),
    incoming=st.lists(pods("new"), min_size=1, max_size=10),
    seed=st.integers(0, 2**16),
)
def test_whole_cycles_choose_the_same_nodes(
    cluster: list[dict[str, Any]], incoming: list[dict[str, Any]], seed: int
) -> None:
    reference = Scheduler(Snapshot(cluster), seed=seed, vectorised=False)
    vectorised = Scheduler(Snapshot(cluster), seed=seed, vectorised=True)
    for i, pod in enumerate(incoming):
        pod = {**pod, "metadata": {**pod["metadata"], "name": f"p{i}", "uid": f"p{i}"}}
        a, b = reference.schedule_one(pod), vectorised.schedule_one(pod)
        assert (a.node_name, a.message, a.evaluated_nodes, a.nominated_node_name) == (
            b.node_name,
            b.message,
            b.evaluated_nodes,
            b.nominated_node_name,
        )
        assert reference.next_start_node_index == vectorised.next_start_node_index
