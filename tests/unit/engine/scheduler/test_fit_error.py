"""FitError.message(): kube-scheduler's FailedScheduling text, word for word.

Cases from pkg/scheduler/framework/types_test.go (TestFitError_Error) and the observed
messages in k8s-semantics.md §0.4.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from mlkube.engine.scheduler import Code, FitError, NodeToStatus, Status

U = Code.Unschedulable


def statuses(reasons: Mapping[str, tuple[str, ...]], absent: Status | None = None) -> NodeToStatus:
    out = NodeToStatus(absent or Status(Code.UnschedulableAndUnresolvable))
    for node, rs in reasons.items():
        out.set(node, Status(U, *rs))
    return out


F1 = "Node(s) failed Filter plugin FalseFilter-1"
F2 = "Node(s) failed Filter plugin FalseFilter-2"
PRE = "Node(s) failed PreFilter plugin FalsePreFilter"
POST = "Error running PostFilter plugin FailedPostFilter"


@pytest.mark.parametrize(
    ("fit", "want"),
    [
        pytest.param(
            FitError(3, statuses(dict.fromkeys(("node1", "node2", "node3"), (PRE,))), PRE),
            "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter.",
            id="a PreFilter rejection hides the per-node reasons",
        ),
        pytest.param(
            FitError(3, statuses(dict.fromkeys(("node1", "node2", "node3"), (PRE,))), PRE, POST),
            "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. "
            "Error running PostFilter plugin FailedPostFilter",
            id="the PostFilter message follows a PreFilter rejection without a period",
        ),
        pytest.param(
            FitError(3, statuses(dict.fromkeys(("node1", "node2", "node3"), (F1,)))),
            "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.",
            id="one filter failing everywhere is counted once per node",
        ),
        pytest.param(
            FitError(3, statuses({"node1": (F1,), "node2": (F1,), "node3": (F2,)}), "", POST),
            "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, "
            "2 Node(s) failed Filter plugin FalseFilter-1. "
            "Error running PostFilter plugin FailedPostFilter",
            id="reason counts are sorted as strings and the PostFilter message is appended",
        ),
        pytest.param(
            FitError(
                12,
                statuses(
                    {f"n{i}": ("Insufficient cpu",) for i in range(10)} | {"a": ("x",), "b": ("x",)}
                ),
            ),
            "0/12 nodes are available: 10 Insufficient cpu, 2 x.",
            id="sorting is lexicographic so ten sorts before two",
        ),
        pytest.param(
            FitError(
                3,
                statuses(
                    {"a": ("Insufficient cpu", "Insufficient memory")},
                    absent=Status(
                        Code.UnschedulableAndUnresolvable,
                        "node(s) didn't satisfy plugin(s) [NodeAffinity]",
                    ),
                ),
            ),
            "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, "
            "2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
            id="nodes a PreFilterResult excluded count under the absent status",
        ),
    ],
)
def test_fit_error_message(fit: FitError, want: str) -> None:
    assert fit.message() == want


def test_histogram_counts_every_reason_of_a_node() -> None:
    fit = FitError(
        2, statuses({"a": ("Insufficient cpu", "Insufficient memory"), "b": ("Insufficient cpu",)})
    )
    assert fit.histogram() == {"Insufficient cpu": 2, "Insufficient memory": 1}
