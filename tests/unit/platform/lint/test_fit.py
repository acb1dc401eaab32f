"""The scheduler's static filters on empty nodes, and FitError's words.

Histogram and wording from pkg/scheduler/framework/types_test.go (TestFitError_Error: "0/3
nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1."): "<count> <reason>"
sorted as strings, joined by ", ", ending in ".".
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.lint.fit import fit_error, node_reasons

from .builders import gpu_node, node, pod


def _pod(builder: Any) -> dict[str, Any]:
    obj = builder.build()
    return {"spec": obj["spec"]}


@pytest.mark.parametrize(
    ("spec", "target", "reasons"),
    [
        pytest.param(
            pod().gpus(1), node("cpu-0"), ["Insufficient nvidia.com/gpu"], id="no GPU on a CPU node"
        ),
        pytest.param(
            pod().gpus(1),
            gpu_node(),
            ["node(s) had untolerated taint(s)"],
            id="a taint comes before fit",
        ),
        pytest.param(pod().gpus(1).toleration(), gpu_node(), [], id="a tolerated GPU node fits"),
        pytest.param(
            pod(), node("n").unschedulable(), ["node(s) were unschedulable"], id="a cordoned node"
        ),
        pytest.param(
            pod().node_selector(pool="x"),
            node("n"),
            ["node(s) didn't match Pod's node affinity/selector"],
            id="a selector mismatch",
        ),
        pytest.param(
            pod().resources({"cpu": "64", "memory": "512Gi"}, None),
            node("n"),
            ["Insufficient cpu", "Insufficient memory"],
            id="every insufficient resource is a reason, cpu before memory",
        ),
        pytest.param(
            pod(),
            node("n").allocatable(pods="0"),
            ["Too many pods"],
            id="a node that allows no pods",
        ),
    ],
)
def test_node_reasons(spec: Any, target: Any, reasons: list[str]) -> None:
    assert node_reasons(_pod(spec), target.build()) == reasons


def test_fit_error_histogram_is_sorted_as_strings() -> None:
    nodes = [gpu_node("g0").build(), gpu_node("g1").build(), node("c0").build()]
    assert fit_error(_pod(pod().gpus(1)), nodes) == (
        "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, "
        "2 node(s) had untolerated taint(s)."
    )


def test_fit_error_is_none_when_a_node_fits() -> None:
    assert fit_error(_pod(pod()), [node("c0").build()]) is None
