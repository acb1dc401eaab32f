"""The differential harness's probe: how it tells that kube-scheduler's cache holds exactly
a case's nodes (:func:`mlkube.testing.differential.probe_pod`).

The embedded scheduler words its refusals as kube-scheduler does, so the probe's premise is
checked here on the embedded cluster; ``make e2e`` runs the same probe on the real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.testing.differential import probe_pod, scheduler_sees_exactly

NAMESPACE = "diff"


def _node(name: str, **spec: Any) -> dict[str, Any]:
    capacity = {"cpu": "32", "memory": "128Gi", "pods": "110", "nvidia.com/gpu": "8"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": spec,
        "status": {"capacity": capacity, "allocatable": dict(capacity)},
    }


CASE_NODES = [
    _node("n0"),
    _node("n1", taints=[{"key": "dedicated", "value": "ml", "effect": "NoSchedule"}]),
    _node("n2", unschedulable=True),
]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    c = Cluster(clock=FakeClock(), seed=0)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    yield c
    c.close()


def _refusal(cluster: Cluster, nodes: list[str]) -> str:
    cluster.create(probe_pod("probe", nodes), namespace=NAMESPACE)
    cluster.advance(2)
    pod = cluster.get("pods", "probe", NAMESPACE)
    assert pod["spec"].get("nodeName") is None
    conditions = {c["type"]: c for c in pod["status"].get("conditions") or []}
    return str(conditions["PodScheduled"]["message"])


def test_the_probe_is_refused_by_every_case_node_tainted_or_cordoned(cluster: Cluster) -> None:
    for node in CASE_NODES:
        cluster.create(node)
    assert scheduler_sees_exactly(_refusal(cluster, ["n0", "n1", "n2"]), 3)


def test_a_node_outside_the_case_shows_in_the_refusal(cluster: Cluster) -> None:
    for node in [*CASE_NODES, _node("left-over")]:
        cluster.create(node)
    assert not scheduler_sees_exactly(_refusal(cluster, ["n0", "n1", "n2"]), 3)


def test_a_case_node_the_scheduler_has_not_seen_shows_in_the_refusal(cluster: Cluster) -> None:
    for node in CASE_NODES[:2]:
        cluster.create(node)
    assert not scheduler_sees_exactly(_refusal(cluster, ["n0", "n1", "n2"]), 3)


@pytest.mark.parametrize(
    ("message", "count", "exact"),
    [
        pytest.param(
            "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
            "3 No preemption victims found for incoming pod.",
            3,
            True,
            id="every node counted, all of them the case's",
        ),
        pytest.param(
            "0/4 nodes are available: 1 node(s) didn't satisfy plugin(s) [NodeAffinity], "
            "3 Insufficient cpu.",
            3,
            False,
            id="a fourth node in the cache is not exact",
        ),
        pytest.param("0/2 nodes are available: 2 Insufficient cpu.", 3, False, id="a missing node"),
    ],
)
def test_the_refusal_is_read_word_for_word(message: str, count: int, exact: bool) -> None:
    assert scheduler_sees_exactly(message, count) is exact
