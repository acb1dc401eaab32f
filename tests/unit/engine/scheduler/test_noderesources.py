"""NodeResourcesFit (filter and the three scoring strategies) and BalancedAllocation.

Filter cases from fit_test.go (TestEnoughRequests, TestNotEnoughRequests, v1.34+ with
unresolvable statuses) as transcribed in k8s-semantics.md §10.3; score cases from
least_allocated_test.go, most_allocated_test.go, requested_to_capacity_ratio_test.go and
balanced_allocation_test.go ("nothing scheduled, resources requested, differently sized nodes":
a pod of 3000m cpu and 5000 bytes on nodes of 4000m/10000 and 6000m/10000).
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.scheduler import Code, CycleState, PodInfo, Status
from mlkube.engine.scheduler.plugins.balancedallocation import BalancedAllocation
from mlkube.engine.scheduler.plugins.noderesources import Fit, broken_linear

from .builders import make_node, make_pod
from .conftest import node_info, run_filter

U, UU = Code.Unschedulable, Code.UnschedulableAndUnresolvable


def fit_node() -> dict[str, Any]:
    """TestEnoughRequests' node: cpu 10m, memory 20, pods 32, aaa 5, storage 20, hugepages 5."""
    return (
        make_node("n")
        .capacity(cpu="10m", memory="20", pods="32", ephemeral_storage="20")
        .resource("example.com/aaa", "5")
        .resource("hugepages-2Mi", "5")
        .obj()
    )


def on_node(cpu: str, memory: str) -> dict[str, Any]:
    return make_pod("existing").req(cpu=cpu, memory=memory).node("n").obj()


@pytest.mark.parametrize(
    ("pod", "existing", "want"),
    [
        pytest.param(
            make_pod().req(cpu="1m", memory="1").obj(),
            [on_node("10m", "20")],
            Status(U, "Insufficient cpu", "Insufficient memory"),
            id="a full node reports cpu and memory together",
        ),
        pytest.param(
            make_pod().req(cpu="1m", memory="1").init_container("init", cpu="3m", memory="1").obj(),
            [on_node("8m", "19")],
            Status(U, "Insufficient cpu"),
            id="the largest init container counts against free cpu",
        ),
        pytest.param(
            make_pod()
            .req(cpu="1m", memory="1")
            .init_container("a", cpu="1m", memory="3")
            .init_container("b", cpu="1m", memory="2")
            .obj(),
            [on_node("9m", "19")],
            Status(U, "Insufficient memory"),
            id="the largest init container counts against free memory",
        ),
        pytest.param(
            make_pod()
            .req(cpu="1m", memory="1")
            .init_container("a", cpu="1m", memory="1")
            .init_container("b", cpu="1m", memory="1")
            .obj(),
            [on_node("9m", "19")],
            None,
            id="init containers take the max, not the sum",
        ),
        pytest.param(
            make_pod().req(cpu="5m", memory="1").obj(),
            [on_node("5m", "19")],
            None,
            id="a request equal to what is free fits",
        ),
        pytest.param(
            make_pod().request("example.com/aaa", "10").obj(),
            [],
            Status(UU, "Insufficient example.com/aaa"),
            id="a request above the node's total is unresolvable",
        ),
        pytest.param(
            make_pod().request("example.com/aaa", "1").obj(),
            [make_pod("existing").request("example.com/aaa", "5").node("n").obj()],
            Status(U, "Insufficient example.com/aaa"),
            id="an extended resource in use is resolvable by preemption",
        ),
        pytest.param(
            make_pod().request("example.com/bbb", "1").obj(),
            [],
            Status(UU, "Insufficient example.com/bbb"),
            id="a resource the node does not have is unresolvable",
        ),
        pytest.param(
            make_pod().req(cpu="1m", memory="1").overhead(cpu="1m", memory="15").obj(),
            [on_node("5m", "5")],
            Status(U, "Insufficient memory"),
            id="pod overhead adds to the requests",
        ),
        pytest.param(
            make_pod().req(cpu="1m", memory="1").overhead(cpu="3m", memory="13").obj(),
            [on_node("5m", "5")],
            None,
            id="pod overhead that fits",
        ),
        pytest.param(
            make_pod().req(cpu="1m", memory="1").pod_level(cpu="7m", memory="2").obj(),
            [on_node("5m", "5")],
            Status(U, "Insufficient cpu"),
            id="pod-level requests replace the containers' sum",
        ),
        pytest.param(
            make_pod().req(ephemeral_storage="25").obj(),
            [],
            Status(UU, "Insufficient ephemeral-storage"),
            id="ephemeral storage is checked",
        ),
        pytest.param(
            make_pod().request("hugepages-2Mi", "3").obj(),
            [make_pod("existing").request("hugepages-2Mi", "3").node("n").obj()],
            Status(U, "Insufficient hugepages-2Mi"),
            id="hugepages are checked as a scalar resource",
        ),
    ],
)
def test_fit_filter(
    pod: dict[str, Any], existing: list[dict[str, Any]], want: Status | None
) -> None:
    assert run_filter(Fit(), pod, node_info(fit_node(), *existing)) == want


def test_fit_ignored_resources_are_not_checked() -> None:
    pod = make_pod().request("example.com/bbb", "1").obj()
    assert (
        run_filter(Fit({"ignoredResources": ["example.com/bbb"]}), pod, node_info(fit_node()))
        is None
    )


def test_fit_ignored_resource_groups_are_not_checked() -> None:
    pod = make_pod().request("example.com/bbb", "1").obj()
    plugin = Fit({"ignoredResourceGroups": ["example.com"]})
    assert run_filter(plugin, pod, node_info(fit_node())) is None


@pytest.mark.parametrize(
    ("existing", "pod"),
    [
        pytest.param([], make_pod().obj(), id="a pod with no requests still needs a pod slot"),
        pytest.param(
            [], make_pod().req(cpu="1m", memory="1").obj(), id="a pod that fits still needs a slot"
        ),
    ],
)
def test_too_many_pods(existing: list[dict[str, Any]], pod: dict[str, Any]) -> None:
    node = make_node("n").capacity(cpu="10m", memory="20", pods="1").obj()
    info = node_info(node, make_pod("existing").node("n").obj())
    assert run_filter(Fit(), pod, info) == Status(U, "Too many pods")


def _scores(plugin: Any, pod: dict[str, Any], nodes: list[dict[str, Any]]) -> list[int]:
    state, info = CycleState(), PodInfo(pod)
    infos = [node_info(n) for n in nodes]
    status = plugin.pre_score(state, info, infos)
    if status is not None and status.code is Code.Skip:
        return []
    return [plugin.score(state, info, n) for n in infos]


def _requested_pod() -> dict[str, Any]:
    return (
        make_pod().req(cpu="1000m", memory="2000").container("b", cpu="2000m", memory="3000").obj()
    )


def _sized_nodes() -> list[dict[str, Any]]:
    return [
        make_node("node1").capacity(cpu="4000m", memory="10000").obj(),
        make_node("node2").capacity(cpu="6000m", memory="10000").obj(),
    ]


@pytest.mark.parametrize(
    ("strategy", "want"),
    [
        pytest.param({"type": "LeastAllocated"}, [37, 50], id="least allocated prefers free room"),
        pytest.param({"type": "MostAllocated"}, [62, 50], id="most allocated prefers packing"),
        pytest.param(
            {
                "type": "RequestedToCapacityRatio",
                "requestedToCapacityRatio": {
                    "shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]
                },
            },
            # node1: cpu 75% -> 25, memory 50% -> 50, round(75/2) = 38; node2: 50, 50 -> 50
            [38, 50],
            id="requested to capacity ratio follows its shape",
        ),
        pytest.param(
            {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 3}, {"name": "memory", "weight": 1}],
            },
            # node1: (25*3 + 50) / 4 = 31; node2: (50*3 + 50) / 4 = 50
            [31, 50],
            id="resource weights average the per-resource scores",
        ),
    ],
)
def test_fit_scoring_strategies(strategy: dict[str, Any], want: list[int]) -> None:
    assert _scores(Fit({"scoringStrategy": strategy}), _requested_pod(), _sized_nodes()) == want


def test_least_allocated_counts_non_zero_defaults_for_a_pod_without_requests() -> None:
    # 100m of 4000m -> 97; 200Mi of 10Gi -> 98; (97 + 98) / 2 = 97
    node = make_node("n").capacity(cpu="4000m", memory="10Gi").obj()
    assert _scores(Fit(), make_pod().obj(), [node]) == [97]


def test_balanced_allocation_scores_the_change_in_balance() -> None:
    # v1.37.2 balanced_allocation_test.go, "nothing scheduled, resources requested,
    # differently sized nodes": node1 goes from 100 (empty) to 87 -> 50 + (50 + 87 - 100) / 2
    # = 68; node2 stays balanced, 100 -> 100 -> 75.
    assert _scores(BalancedAllocation(), _requested_pod(), _sized_nodes()) == [68, 75]


def test_balanced_allocation_skips_a_pod_that_requests_nothing() -> None:
    assert _scores(BalancedAllocation(), make_pod().obj(), _sized_nodes()) == []


def test_balanced_allocation_uses_three_resources_as_a_standard_deviation() -> None:
    plugin = BalancedAllocation(
        {"resources": [{"name": "cpu"}, {"name": "memory"}, {"name": "nvidia.com/gpu"}]}
    )
    pod = make_pod().req(cpu="2", memory="4").gpus(4).obj()
    node = make_node("n").capacity(cpu="8", memory="8").gpus(8).obj()
    # fractions 0.25, 0.5, 0.5: mean 5/12, std = sqrt(((1/6)^2 + 2 (1/12)^2) / 3) = 0.11785,
    # balance 88 with the pod against 100 on the empty node: 50 + (50 + 88 - 100) / 2 = 69
    assert _scores(plugin, pod, [node]) == [69]


@pytest.mark.parametrize(
    ("p", "want"),
    [
        pytest.param(0, 100, id="at the first point"),
        pytest.param(25, 75, id="between points"),
        pytest.param(100, 0, id="at the last point"),
        pytest.param(120, 0, id="beyond the last point"),
    ],
)
def test_broken_linear(p: int, want: int) -> None:
    assert broken_linear([(0, 100), (100, 0)])(p) == want
