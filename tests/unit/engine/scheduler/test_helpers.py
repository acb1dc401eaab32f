"""Normalisation and numFeasibleNodesToFind.

Cases from pkg/scheduler/framework/plugins/helper/normalize_score_test.go and
pkg/scheduler/schedule_one_test.go (TestNumFeasibleNodesToFind).
"""

from __future__ import annotations

import pytest

from mlkube.engine.scheduler import num_feasible_nodes_to_find
from mlkube.engine.scheduler.plugins.helper import default_normalize_score


@pytest.mark.parametrize(
    ("reverse", "scores", "want"),
    [
        pytest.param(False, [1, 2, 3, 4], [25, 50, 75, 100], id="scores scale to the highest"),
        pytest.param(True, [1, 2, 3, 4], [75, 50, 25, 0], id="reversed scores favour the lowest"),
        pytest.param(False, [1000, 10, 20, 30], [100, 1, 2, 3], id="division truncates"),
        pytest.param(True, [1000, 10, 20, 30], [0, 99, 98, 97], id="reversed truncation"),
        pytest.param(False, [1, 1, 1, 1], [100, 100, 100, 100], id="equal scores all get 100"),
        pytest.param(False, [1000, 1, 1, 1], [100, 0, 0, 0], id="small scores vanish"),
        pytest.param(True, [0, 1, 1, 1], [100, 0, 0, 0], id="reversed zero gets 100"),
        pytest.param(True, [0, 0, 0], [100, 100, 100], id="reversed all zero all get 100"),
        pytest.param(False, [0, 0, 0], [0, 0, 0], id="all zero stays zero"),
    ],
)
def test_default_normalize_score(reverse: bool, scores: list[int], want: list[int]) -> None:
    default_normalize_score(scores, reverse=reverse)
    assert scores == want


@pytest.mark.parametrize(
    ("nodes", "percentage", "want"),
    [
        pytest.param(10, None, 10, id="fewer than 100 nodes are all searched"),
        pytest.param(10, 40, 10, id="a percentage does not apply below 100 nodes"),
        pytest.param(1000, None, 420, id="adaptive: 1000 nodes search 42 percent"),
        pytest.param(1000, 40, 400, id="a set percentage applies above 100 nodes"),
        pytest.param(1000, 70, 700, id="seventy percent of 1000 nodes"),
        pytest.param(6000, None, 300, id="adaptive never goes below 5 percent"),
        pytest.param(6000, 40, 2400, id="forty percent of 6000 nodes"),
        pytest.param(5000, None, 500, id="5000 nodes search 10 percent"),
        pytest.param(150, None, 100, id="at least 100 nodes are searched"),
        pytest.param(1000, 100, 1000, id="one hundred percent searches every node"),
    ],
)
def test_num_feasible_nodes_to_find(nodes: int, percentage: int | None, want: int) -> None:
    assert num_feasible_nodes_to_find(nodes, percentage) == want
