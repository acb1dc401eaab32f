"""Score normalisation shared by score plugins.

Follows ``pkg/scheduler/framework/plugins/helper/normalize_score.go``.
"""

from __future__ import annotations

from mlkube.engine.scheduler.framework import MAX_NODE_SCORE

__all__ = ["default_normalize_score"]


def default_normalize_score(
    scores: list[int], *, reverse: bool, max_priority: int = MAX_NODE_SCORE
) -> None:
    """``DefaultNormalizeScore``: scale to ``0..max_priority`` by the highest score, in place.

    With every score 0, ``reverse`` makes them all ``max_priority``; integer division
    truncates as Go's does for non-negative numbers.
    """
    highest = max(scores, default=0)
    if highest == 0:
        if reverse:
            scores[:] = [max_priority] * len(scores)
        return
    for i, score in enumerate(scores):
        scaled = max_priority * score // highest
        scores[i] = max_priority - scaled if reverse else scaled
