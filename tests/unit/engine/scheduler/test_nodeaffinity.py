"""NodeAffinity: filter, PreFilter result and score.

Cases from node_affinity_test.go (TestNodeAffinity, TestNodeAffinityPriority, PreFilter
result cases), as transcribed in k8s-semantics.md §10.4.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.scheduler import Code, CycleState, PodInfo, Status
from mlkube.engine.scheduler.framework import PreFilterResult
from mlkube.engine.scheduler.plugins.nodeaffinity import NodeAffinity

from .builders import make_node, make_pod
from .conftest import node_info, run_filter

MISMATCH = Status(
    Code.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector"
)


def expr(key: str, operator: str, *values: str) -> dict[str, Any]:
    e: dict[str, Any] = {"key": key, "operator": operator}
    if values:
        e["values"] = list(values)
    return e


@pytest.mark.parametrize(
    ("pod", "want"),
    [
        pytest.param(
            make_pod().required_terms({"matchExpressions": []}).obj(),
            MISMATCH,
            id="an empty term matches nothing",
        ),
        pytest.param(make_pod().obj(), None, id="a pod without affinity fits any node"),
        pytest.param(
            make_pod()
            .required_terms(
                {"matchExpressions": [expr("GPU", "Exists"), expr("GPU", "NotIn", "AMD", "INTER")]}
            )
            .obj(),
            None,
            id="Exists and NotIn are ANDed within a term",
        ),
        pytest.param(
            make_pod()
            .required_terms({"matchExpressions": [expr("GPU", "In", "AMD", "INTER")]})
            .obj(),
            MISMATCH,
            id="In with other values does not match",
        ),
        pytest.param(
            make_pod()
            .required_terms(
                {"matchExpressions": [expr("GPU", "In", "AMD")]},
                {"matchExpressions": [expr("foo", "In", "bar")]},
            )
            .obj(),
            None,
            id="terms are ORed",
        ),
        pytest.param(
            make_pod().node_selector(foo="bar").obj(), None, id="a matching nodeSelector fits"
        ),
        pytest.param(
            make_pod().node_selector(foo="baz").obj(),
            MISMATCH,
            id="a mismatched nodeSelector fails",
        ),
        pytest.param(
            make_pod()
            .node_selector(foo="bar")
            .required_terms({"matchExpressions": [expr("GPU", "DoesNotExist")]})
            .obj(),
            MISMATCH,
            id="nodeSelector and required affinity must both match",
        ),
    ],
)
def test_node_affinity_filter(pod: dict[str, Any], want: Status | None) -> None:
    node = make_node("n").label("foo", "bar").label("GPU", "NVIDIA-GRID-K1").obj()
    assert run_filter(NodeAffinity(), pod, node_info(node)) == want


def _name_term(*names: str) -> dict[str, Any]:
    return {"matchFields": [{"key": "metadata.name", "operator": "In", "values": list(names)}]}


@pytest.mark.parametrize(
    ("pod", "want_result", "want_status"),
    [
        pytest.param(
            make_pod().obj(), None, Status(Code.Skip), id="no constraints skips the plugin"
        ),
        pytest.param(
            make_pod().required_terms(_name_term("a", "b"), _name_term("c")).obj(),
            PreFilterResult(frozenset({"a", "b", "c"})),
            None,
            id="metadata.name In terms restrict the nodes to their union",
        ),
        pytest.param(
            make_pod()
            .required_terms(_name_term("a"), {"matchExpressions": [expr("x", "Exists")]})
            .obj(),
            None,
            None,
            id="a term without a name field allows every node",
        ),
        pytest.param(
            make_pod()
            .required_terms(
                {
                    "matchFields": [
                        {"key": "metadata.name", "operator": "In", "values": ["a"]},
                        {"key": "metadata.name", "operator": "In", "values": ["b"]},
                    ]
                }
            )
            .obj(),
            None,
            Status(Code.UnschedulableAndUnresolvable, "pod affinity terms conflict"),
            id="conflicting name fields within a term reject the pod",
        ),
    ],
)
def test_node_affinity_pre_filter(
    pod: dict[str, Any], want_result: PreFilterResult | None, want_status: Status | None
) -> None:
    result, status = NodeAffinity().pre_filter(CycleState(), PodInfo(pod))
    assert (result, status) == (want_result, want_status)


def test_node_affinity_score_sums_matching_weights_then_normalises() -> None:
    # TestNodeAffinityPriority: weights 2 (foo=bar), 4 (key=value), 5 (az=az1).
    pod = (
        make_pod()
        .preferred_term(2, expr("foo", "In", "bar"))
        .preferred_term(4, expr("key", "In", "value"))
        .preferred_term(5, expr("az", "In", "az1"))
        .obj()
    )
    nodes = [
        make_node("a").label("foo", "bar").obj(),
        make_node("b").label("key", "value").obj(),
        make_node("c").label("foo", "bar").label("key", "value").label("az", "az1").obj(),
    ]
    plugin, state, info = NodeAffinity(), CycleState(), PodInfo(pod)
    infos = [node_info(n) for n in nodes]
    plugin.pre_score(state, info, infos)
    scores = [plugin.score(state, info, n) for n in infos]
    assert scores == [2, 4, 11]
    plugin.normalize_score(state, info, infos, scores)
    assert scores == [18, 36, 100]
