"""successPolicy matching (cases from pkg/controller/job/success_policy_test.go,
TestMatchSuccessPolicy)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.controllers.job.indexes import parse_indexes
from mlkube.engine.controllers.job.success_policy import match_success_policy


def _rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


@pytest.mark.parametrize(
    ("policy", "completions", "succeeded", "want"),
    [
        pytest.param(None, 10, "0-2", None, id="no policy never matches"),
        pytest.param(
            _rules({"succeededIndexes": "0-2"}), 10, "", None, id="no succeeded index never matches"
        ),
        pytest.param(
            _rules({"succeededIndexes": "0-2"}),
            10,
            "0-3",
            "Matched rules at index 0",
            id="all listed indexes succeeded",
        ),
        pytest.param(
            _rules({"succeededIndexes": "0-2"}), 10, "0,2", None, id="one listed index is missing"
        ),
        pytest.param(
            _rules({"succeededCount": 2}),
            10,
            "4,7",
            "Matched rules at index 0",
            id="a count alone counts any indexes",
        ),
        pytest.param(
            _rules({"succeededIndexes": "0-4", "succeededCount": 2}),
            10,
            "1,3,8",
            "Matched rules at index 0",
            id="with both, enough of the listed indexes suffice",
        ),
        pytest.param(
            _rules({"succeededIndexes": "0-4", "succeededCount": 3}),
            10,
            "1,3,8",
            None,
            id="with both, indexes outside the list do not count",
        ),
        pytest.param(
            _rules({"succeededIndexes": "9"}, {"succeededCount": 1}),
            10,
            "0",
            "Matched rules at index 1",
            id="the message names the first matching rule",
        ),
        pytest.param(
            _rules({"succeededIndexes": "20-30"}, {"succeededCount": 5}),
            10,
            "0-3",
            None,
            id="a rule with only out-of-range indexes is skipped",
        ),
    ],
)
def test_match_success_policy(
    policy: dict[str, Any] | None, completions: int, succeeded: str, want: str | None
) -> None:
    assert match_success_policy(policy, completions, parse_indexes(succeeded, completions)) == want
