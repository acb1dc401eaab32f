"""Completion indexes as ordered intervals, and their compressed wire form ``1,3-5,7``.

``status.completedIndexes``, ``status.failedIndexes`` and a success policy's
``succeededIndexes`` are all this one format; two consecutive indexes are written ``a,b``,
never ``a-b``. Follows ``pkg/controller/job/indexed_job_utils.go`` (``orderedIntervals``,
``parseIndexesFromString``, ``withOrderedIndexes``, ``merge``, ``String``, ``has``,
``firstPendingIndexes``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

__all__ = [
    "Intervals",
    "first_pending",
    "format_indexes",
    "has_index",
    "merge",
    "parse_indexes",
    "total",
    "with_indexes",
]

#: Sorted, non-overlapping, non-adjacent ``(first, last)`` pairs.
Intervals = list[tuple[int, int]]


def _atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi``: an optional sign and decimal digits, nothing else."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body.isdigit() or not body.isascii():
        return None
    return int(text)


def parse_indexes(text: str, completions: int) -> Intervals:
    """``parseIndexesFromString``: corrupted intervals are skipped, parsing stops at the
    first interval starting at or beyond ``completions``, and a last index beyond it is
    clamped."""
    if not text:
        return []
    result: Intervals = []
    for part in text.split(","):
        limits = part.split("-")
        first = _atoi(limits[0])
        if first is None:
            continue
        if first >= completions:
            break
        if len(limits) > 1:
            last = _atoi(limits[1])
            if last is None:
                continue
            last = min(last, completions - 1)
        else:
            last = first
        if result and result[-1][1] == first - 1:
            result[-1] = (result[-1][0], last)
        else:
            result.append((first, last))
    return result


def format_indexes(intervals: Sequence[tuple[int, int]]) -> str:
    """``orderedIntervals.String``."""
    parts: list[str] = []
    for first, last in intervals:
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
    return ",".join(parts)


def merge(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> Intervals:
    """``orderedIntervals.merge``: the union, adjacent intervals joined."""
    result: Intervals = []

    def add(iv: tuple[int, int]) -> None:
        if not result or iv[0] > result[-1][1] + 1:
            result.append(iv)
        elif result[-1][1] < iv[1]:
            result[-1] = (result[-1][0], iv[1])

    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][0] < b[j][0]:
            add(a[i])
            i += 1
        else:
            add(b[j])
            j += 1
    for iv in a[i:]:
        add(iv)
    for iv in b[j:]:
        add(iv)
    return result


def with_indexes(intervals: Sequence[tuple[int, int]], new: Iterable[int]) -> Intervals:
    """``withOrderedIndexes``: ``intervals`` plus the given indexes."""
    return merge(intervals, [(ix, ix) for ix in sorted(set(new))])


def total(intervals: Sequence[tuple[int, int]]) -> int:
    """How many indexes the intervals hold."""
    return sum(last - first + 1 for first, last in intervals)


def has_index(intervals: Sequence[tuple[int, int]], ix: int) -> bool:
    """``orderedIntervals.has`` (a binary search over the last indexes)."""
    pos = bisect_left([last for _, last in intervals], ix)
    return pos < len(intervals) and intervals[pos][0] <= ix


def first_pending(
    non_pending: Sequence[tuple[int, int]], count: int, completions: int
) -> list[int]:
    """The core of ``firstPendingIndexes``: the ``count`` lowest indexes below
    ``completions`` that ``non_pending`` does not hold."""
    result: list[int] = []
    if count <= 0:
        return result
    candidate = 0
    for first, last in non_pending:
        while candidate < completions and len(result) < count and candidate < first:
            result.append(candidate)
            candidate += 1
        candidate = max(candidate, last + 1)
    while candidate < completions and len(result) < count:
        result.append(candidate)
        candidate += 1
    return result
