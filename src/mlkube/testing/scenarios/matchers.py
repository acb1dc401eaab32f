"""Expectations: a field's value, or a matcher such as ``{$regex: ...}``.

A plain value must equal the field exactly (numbers and strings are not coerced).
Matchers: ``$exists: bool``, ``$regex: pattern`` (full match), ``$startsWith``,
``$contains``, ``$len: n``, ``$oneOf: [a, b]``, ``$gte``/``$lte`` (numbers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mlkube.testing.scenarios.paths import MISSING, lookup

__all__ = ["check_fields", "matches"]


def matches(actual: Any, expected: Any) -> str | None:
    """None when ``actual`` satisfies ``expected``, else why not."""
    if isinstance(expected, Mapping) and expected and all(str(k).startswith("$") for k in expected):
        for op, arg in expected.items():
            problem = _match_op(actual, op, arg)
            if problem is not None:
                return problem
        return None
    if actual is MISSING:
        return f"is missing, expected {expected!r}"
    if actual != expected or (
        type(actual) is not type(expected) and not _numeric(actual, expected)
    ):
        return f"is {actual!r}, expected {expected!r}"
    return None


def _numeric(a: Any, b: Any) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool)


def _match_op(actual: Any, op: str, arg: Any) -> str | None:
    if op == "$exists":
        present = actual is not MISSING
        return (
            None
            if present == bool(arg)
            else ("is missing" if arg else f"is {actual!r}, expected absent")
        )
    if actual is MISSING:
        return f"is missing, expected {op} {arg!r}"
    if op == "$regex":
        return (
            None if re.fullmatch(str(arg), str(actual)) else f"is {actual!r}, not matching /{arg}/"
        )
    if op == "$startsWith":
        return (
            None
            if str(actual).startswith(str(arg))
            else f"is {actual!r}, not starting with {arg!r}"
        )
    if op == "$contains":
        return None if arg in actual else f"is {actual!r}, not containing {arg!r}"
    if op == "$len":
        return None if len(actual) == arg else f"has length {len(actual)}, expected {arg}"
    if op == "$oneOf":
        return None if actual in arg else f"is {actual!r}, expected one of {arg!r}"
    if op == "$gte":
        return None if actual >= arg else f"is {actual!r}, expected >= {arg!r}"
    if op == "$lte":
        return None if actual <= arg else f"is {actual!r}, expected <= {arg!r}"
    raise ValueError(f"unknown matcher {op}")


def check_fields(obj: Any, expected: Mapping[str, Any]) -> list[str]:
    """Every field expectation that does not hold, as ``path: why``."""
    problems = []
    for path, want in expected.items():
        why = matches(lookup(obj, path), want)
        if why is not None:
            problems.append(f"{path} {why}")
    return problems
