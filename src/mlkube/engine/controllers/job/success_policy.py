"""Matching an Indexed Job's ``successPolicy`` against its succeeded indexes.

Rules are tried in order; a rule with ``succeededIndexes`` matches when all of those
indexes succeeded, or at least ``succeededCount`` of them; a rule with only
``succeededCount`` matches when that many indexes succeeded in all. The message names the
first matching rule. Follows ``pkg/controller/job/success_policy.go``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.engine.controllers.job.indexes import parse_indexes, total

__all__ = ["MATCHED_RULES_MSG", "match_success_policy"]

MATCHED_RULES_MSG: Final = "Matched rules at index"


def match_success_policy(
    policy: Mapping[str, Any] | None, completions: int, succeeded: Sequence[tuple[int, int]]
) -> str | None:
    """``matchSuccessPolicy``: the condition message when a rule matched, else ``None``."""
    if policy is None or not succeeded:
        return None
    for index, rule in enumerate(policy.get("rules") or []):
        count = rule.get("succeededCount")
        if rule.get("succeededIndexes") is not None:
            required = parse_indexes(str(rule["succeededIndexes"]), completions)
            if not required:
                continue
            if _indexes_rule_matches(required, succeeded, count):
                return f"{MATCHED_RULES_MSG} {index}"
        elif count is not None and total(succeeded) >= int(count):
            return f"{MATCHED_RULES_MSG} {index}"
    return None


def _indexes_rule_matches(
    rule: Sequence[tuple[int, int]], succeeded: Sequence[tuple[int, int]], count: int | None
) -> bool:
    """``matchSucceededIndexesRule``: count the overlap of two interval lists."""
    contains = r = s = 0
    while r < len(rule) and s < len(succeeded):
        overlap = min(rule[r][1], succeeded[s][1]) - max(rule[r][0], succeeded[s][0]) + 1
        if overlap > 0:
            contains += overlap
        if succeeded[s][1] < rule[r][1]:
            s += 1
        elif succeeded[s][1] > rule[r][1]:
            r += 1
        else:
            s += 1
            r += 1
    return contains == total(rule) or (count is not None and contains >= int(count))
