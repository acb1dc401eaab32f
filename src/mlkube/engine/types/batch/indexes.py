"""Index interval strings (``1,3-5,7``) as Job validation parses and checks them.

Follows ``pkg/apis/batch/validation/validation.go`` (``validateIndexesFormat``,
``parseIndexInterval``).
"""

from __future__ import annotations

import re

__all__ = ["validate_indexes_format"]


def _go_atoi(s: str) -> int:
    """``strconv.Atoi``: optional sign and ASCII digits only."""
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        raise ValueError(s)
    return int(s)


def _parse_index_interval(interval: str, completions: int) -> tuple[int, int]:
    limits = interval.split("-")
    if len(limits) > 2:
        raise ValueError(
            f'the fragment "{interval}" violates the requirement that an index interval '
            "can have at most two parts separated by '-'"
        )
    try:
        x = _go_atoi(limits[0])
    except ValueError:
        raise ValueError(f'cannot convert string to integer for index: "{limits[0]}"') from None
    if x >= completions:
        raise ValueError(f'too large index: "{limits[0]}"')
    if len(limits) > 1:
        try:
            y = _go_atoi(limits[1])
        except ValueError:
            raise ValueError(f'cannot convert string to integer for index: "{limits[1]}"') from None
        if y >= completions:
            raise ValueError(f'too large index: "{limits[1]}"')
        if x >= y:
            raise ValueError(f"non-increasing order, previous: {x}, current: {y}")
        return x, y
    return x, x


def validate_indexes_format(indexes: str, completions: int) -> int:
    """``validateIndexesFormat``: the number of indexes; ``ValueError`` with upstream's text."""
    if not indexes:
        return 0
    last: int | None = None
    total = 0
    for interval in indexes.split(","):
        x, y = _parse_index_interval(interval, completions)
        if last is not None and last >= x:
            raise ValueError(f"non-increasing order, previous: {last}, current: {x}")
        total += y - x + 1
        last = y
    return total


def _failed_overlaps_completed(completed: str, failed: str, completions: int) -> str | None:
    """``validateFailedIndexesNotOverlapCompleted``: the error text or ``None``."""
    if not completed or not failed:
        return None

    def parse(s: str) -> tuple[int, int] | None:
        try:
            return _parse_index_interval(s, completions)
        except ValueError:
            return None

    c_parts, f_parts = completed.split(","), failed.split(",")
    ci = fi = 0
    c, f = parse(c_parts[0]), parse(f_parts[0])
    while ci < len(c_parts) and fi < len(f_parts):
        if c is None:
            ci += 1
            if ci < len(c_parts):
                c = parse(c_parts[ci])
        elif f is None:
            fi += 1
            if fi < len(f_parts):
                f = parse(f_parts[fi])
        else:
            if c[0] <= f[1] and f[0] <= c[1]:
                return f"failedIndexes and completedIndexes overlap at index: {max(c[0], f[0])}"
            if c[0] <= f[0]:
                ci += 1
                if ci < len(c_parts):
                    c = parse(c_parts[ci])
            else:
                fi += 1
                if fi < len(f_parts):
                    f = parse(f_parts[fi])
    return None
