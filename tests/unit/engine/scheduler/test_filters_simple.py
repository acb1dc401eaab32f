"""NodeUnschedulable, NodeName, TaintToleration and NodePorts filters, and TaintToleration's score.

Cases from node_unschedulable_test.go, node_name_test.go, taint_toleration_test.go
(TestTaintTolerationFilter, TestTaintTolerationScore; v1.37 reason text, PR #134740) and
node_ports_test.go, as transcribed in k8s-semantics.md §10.1-10.2.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.scheduler import Code, CycleState, PodInfo, Status
from mlkube.engine.scheduler.plugins import nodename, nodeports, nodeunschedulable, tainttoleration

from .builders import make_node, make_pod
from .conftest import node_info, run_filter

UNRESOLVABLE = Code.UnschedulableAndUnresolvable
UNTOLERATED = Status(UNRESOLVABLE, "node(s) had untolerated taint(s)")


@pytest.mark.parametrize(
    ("pod", "node", "want"),
    [
        pytest.param(
            make_pod().obj(),
            make_node("n").unschedulable().obj(),
            Status(UNRESOLVABLE, "node(s) were unschedulable"),
            id="a cordoned node rejects a pod without the toleration",
        ),
        pytest.param(
            make_pod().toleration("node.kubernetes.io/unschedulable", effect="NoSchedule").obj(),
            make_node("n").unschedulable().obj(),
            None,
            id="a pod tolerating the unschedulable taint may use a cordoned node",
        ),
        pytest.param(make_pod().obj(), make_node("n").obj(), None, id="a schedulable node accepts"),
    ],
)
def test_node_unschedulable(pod: dict[str, Any], node: dict[str, Any], want: Status | None) -> None:
    assert run_filter(nodeunschedulable.NodeUnschedulable(), pod, node_info(node)) == want


@pytest.mark.parametrize(
    ("pod", "want"),
    [
        pytest.param(make_pod().obj(), None, id="a pod naming no node fits any node"),
        pytest.param(make_pod().node("n").obj(), None, id="a pod naming this node fits"),
        pytest.param(
            make_pod().node("other").obj(),
            Status(UNRESOLVABLE, "node(s) didn't match the requested node name"),
            id="a pod naming another node does not fit",
        ),
    ],
)
def test_node_name(pod: dict[str, Any], want: Status | None) -> None:
    assert run_filter(nodename.NodeName(), pod, node_info(make_node("n").obj())) == want


@pytest.mark.parametrize(
    ("pod", "node", "want"),
    [
        pytest.param(
            make_pod().obj(),
            make_node("a100-0").gpus(8).taint("dedicated", "user1").obj(),
            UNTOLERATED,
            id="a pod without tolerations stays off a tainted GPU node",
        ),
        pytest.param(
            make_pod().toleration("dedicated", "user1", "NoSchedule").obj(),
            make_node("n").taint("dedicated", "user1").obj(),
            None,
            id="an equal toleration tolerates the taint",
        ),
        pytest.param(
            make_pod().toleration("dedicated", "user2", "NoSchedule").obj(),
            make_node("n").taint("dedicated", "user1").obj(),
            UNTOLERATED,
            id="a toleration for another value does not tolerate",
        ),
        pytest.param(
            make_pod().toleration("foo", effect="NoSchedule", operator="Exists").obj(),
            make_node("n").taint("foo", "bar").obj(),
            None,
            id="Exists tolerates any value",
        ),
        pytest.param(
            make_pod().toleration("foo", "bar", "PreferNoSchedule").obj(),
            make_node("n").taint("foo", "bar").obj(),
            UNTOLERATED,
            id="the toleration's effect must match the taint's",
        ),
        pytest.param(
            make_pod().toleration("foo", "bar").obj(),
            make_node("n").taint("foo", "bar").obj(),
            None,
            id="an empty toleration effect matches every effect",
        ),
        pytest.param(
            make_pod().obj(),
            make_node("n").taint("foo", "bar", "PreferNoSchedule").obj(),
            None,
            id="the filter ignores PreferNoSchedule taints",
        ),
        pytest.param(
            make_pod().obj(),
            make_node("n").taint("node.kubernetes.io/unreachable", effect="NoExecute").obj(),
            UNTOLERATED,
            id="a NoExecute taint keeps pods off too",
        ),
    ],
)
def test_taint_toleration_filter(
    pod: dict[str, Any], node: dict[str, Any], want: Status | None
) -> None:
    assert run_filter(tainttoleration.TaintToleration(), pod, node_info(node)) == want


@pytest.mark.parametrize(
    ("pod", "nodes", "want"),
    [
        pytest.param(
            make_pod().toleration("foo", "bar", "PreferNoSchedule").obj(),
            [
                make_node("a").taint("foo", "bar", "PreferNoSchedule").obj(),
                make_node("b").taint("foo", "blah", "PreferNoSchedule").obj(),
            ],
            [100, 0],
            id="a tolerated PreferNoSchedule taint scores best",
        ),
        pytest.param(
            make_pod().toleration("foo", "bar", "PreferNoSchedule").obj(),
            [
                make_node("a").obj(),
                make_node("b").taint("cpu-type", "arm64", "PreferNoSchedule").obj(),
                make_node("c")
                .taint("cpu-type", "arm64", "PreferNoSchedule")
                .taint("disk-type", "ssd", "PreferNoSchedule")
                .obj(),
            ],
            [100, 50, 0],
            id="fewer untolerated PreferNoSchedule taints score higher",
        ),
        pytest.param(
            make_pod().obj(),
            [make_node("a").taint("cpu-type", "arm64", "NoSchedule").obj()],
            [100],
            id="NoSchedule taints do not count in the score",
        ),
    ],
)
def test_taint_toleration_score(
    pod: dict[str, Any], nodes: list[dict[str, Any]], want: list[int]
) -> None:
    plugin = tainttoleration.TaintToleration()
    state, info = CycleState(), PodInfo(pod)
    infos = [node_info(n) for n in nodes]
    scores = [plugin.score(state, info, n) for n in infos]
    plugin.normalize_score(state, info, infos, scores)
    assert scores == want


@pytest.mark.parametrize(
    ("pod", "existing", "fits"),
    [
        pytest.param(make_pod().obj(), [], True, id="a pod without host ports always fits"),
        pytest.param(
            make_pod().host_port(8080).obj(),
            [make_pod("old").host_port(8080).node("n").obj()],
            False,
            id="the same TCP host port on the node conflicts",
        ),
        pytest.param(
            make_pod().host_port(8080, "UDP").obj(),
            [make_pod("old").host_port(8080).node("n").obj()],
            True,
            id="another protocol on the same port does not conflict",
        ),
        pytest.param(
            make_pod().host_port(8080, host_ip="127.0.0.1").obj(),
            [make_pod("old").host_port(8080, host_ip="127.0.0.2").node("n").obj()],
            True,
            id="different host IPs on the same port do not conflict",
        ),
        pytest.param(
            make_pod().host_port(8080, host_ip="127.0.0.1").obj(),
            [make_pod("old").host_port(8080).node("n").obj()],
            False,
            id="0.0.0.0 conflicts with every address",
        ),
    ],
)
def test_node_ports(pod: dict[str, Any], existing: list[dict[str, Any]], fits: bool) -> None:
    status = run_filter(nodeports.NodePorts(), pod, node_info(make_node("n").obj(), *existing))
    want = (
        None
        if fits
        else Status(
            Code.Unschedulable, "node(s) didn't have free ports for the requested pod ports"
        )
    )
    assert status == want
