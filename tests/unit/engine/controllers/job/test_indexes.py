"""Completion-index intervals (cases from pkg/controller/job/indexed_job_utils_test.go:
TestCalculateSucceededIndexes, TestFirstPendingIndexes, and the String() form)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from mlkube.engine.controllers.job.indexes import (
    first_pending,
    format_indexes,
    has_index,
    parse_indexes,
    total,
    with_indexes,
)


@pytest.mark.parametrize(
    ("prev", "new", "completions", "want"),
    [
        pytest.param("", [1], 2, [(1, 1)], id="one index"),
        pytest.param("", [5, 10], 11, [(5, 5), (10, 10)], id="two separate indexes"),
        pytest.param("", [2, 3, 5, 6, 7], 8, [(2, 3), (5, 7)], id="two intervals"),
        pytest.param("0-5,8-10", [], 8, [(0, 5)], id="a previous interval out of range is dropped"),
        pytest.param(
            "0-5,8-10",
            [],
            10,
            [(0, 5), (8, 9)],
            id="a previous interval partly out of range is cut",
        ),
        pytest.param(
            "0,4,5,10-12",
            [2, 7, 8],
            13,
            [(0, 0), (2, 2), (4, 5), (7, 8), (10, 12)],
            id="previous and new indexes stay separate",
        ),
        pytest.param(
            "3,4,6", [2, 7, 8], 9, [(2, 4), (6, 8)], id="previous indexes between new ones merge"
        ),
        pytest.param(
            "2,7,8", [3, 4, 6], 9, [(2, 4), (6, 8)], id="new indexes between previous ones merge"
        ),
        pytest.param(
            "2-7", [0, 3, 5, 9], 10, [(0, 0), (2, 7), (9, 9)], id="new indexes within previous ones"
        ),
        pytest.param("0,1-foo,bar", [3], 4, [(0, 0), (3, 3)], id="a corrupted interval is skipped"),
    ],
)
def test_succeeded_indexes_merge_into_intervals(
    prev: str, new: list[int], completions: int, want: list[tuple[int, int]]
) -> None:
    assert with_indexes(parse_indexes(prev, completions), new) == want


@pytest.mark.parametrize(
    ("intervals", "text"),
    [
        pytest.param([], "", id="no indexes are an empty string"),
        pytest.param([(1, 1)], "1", id="one index"),
        pytest.param([(1, 2)], "1,2", id="two consecutive indexes are a list, not a range"),
        pytest.param([(1, 1), (3, 5), (7, 7)], "1,3-5,7", id="indexes and a range"),
    ],
)
def test_intervals_print_compressed(intervals: list[tuple[int, int]], text: str) -> None:
    assert format_indexes(intervals) == text


@pytest.mark.parametrize(
    ("non_pending", "count", "completions", "want"),
    [
        pytest.param([], 5, 3, [0, 1, 2], id="no more than completions"),
        pytest.param([], 2, 5, [0, 1], id="the lowest indexes first"),
        pytest.param([(0, 1)], 3, 10, [2, 3, 4], id="busy first indexes are skipped"),
        pytest.param([(4, 5)], 6, 6, [0, 1, 2, 3], id="busy last indexes are skipped"),
        pytest.param([(1, 1), (3, 4), (7, 7)], 4, 9, [0, 2, 5, 6], id="gaps are filled in order"),
        pytest.param([(0, 2)], 0, 3, [], id="a count of zero asks for nothing"),
    ],
)
def test_first_pending_indexes(
    non_pending: list[tuple[int, int]], count: int, completions: int, want: list[int]
) -> None:
    assert first_pending(non_pending, count, completions) == want


@given(hs.sets(hs.integers(min_value=0, max_value=200)))
def test_printing_then_parsing_gives_the_same_indexes(indexes: set[int]) -> None:
    intervals = with_indexes([], indexes)
    assert parse_indexes(format_indexes(intervals), 201) == intervals
    assert total(intervals) == len(indexes)
    assert all(has_index(intervals, i) == (i in indexes) for i in range(201))
