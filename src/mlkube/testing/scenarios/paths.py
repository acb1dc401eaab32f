"""Field paths into wire-form objects: ``spec.containers[0].image``,
``metadata.annotations["kubernetes.io/limit-ranger"]``, ``status.conditions[type=Ready].status``.

Scenarios name the fields they expect with these paths; a missing field reads as
:data:`MISSING`, never as an error, so an expectation can say a field is absent.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["MISSING", "PathError", "lookup", "parse"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()

_TOKEN = re.compile(
    r"""
    \.?(?P<name>[A-Za-z_$][\w$-]*)        # .field
    | \[(?P<index>-?\d+)\]                 # [3]
    | \["(?P<key>[^"]*)"\]                 # ["a.b/c"]
    | \[(?P<sel_key>[\w.-]+)=(?P<sel_val>[^\]]*)\]   # [type=Ready]
    """,
    re.VERBOSE,
)


class PathError(ValueError):
    """A path that cannot be parsed."""


Step = tuple[str, Any]


def parse(path: str) -> list[Step]:
    steps: list[Step] = []
    pos = 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None:
            raise PathError(f"cannot parse field path {path!r} at {path[pos:]!r}")
        if match.group("name") is not None:
            steps.append(("key", match.group("name")))
        elif match.group("index") is not None:
            steps.append(("index", int(match.group("index"))))
        elif match.group("key") is not None:
            steps.append(("key", match.group("key")))
        else:
            steps.append(("select", (match.group("sel_key"), match.group("sel_val"))))
        pos = match.end()
    return steps


def lookup(obj: Any, path: str) -> Any:
    """The value at ``path`` in ``obj``, or :data:`MISSING`."""
    current = obj
    for kind, arg in parse(path):
        if kind == "key":
            if not isinstance(current, dict) or arg not in current:
                return MISSING
            current = current[arg]
        elif kind == "index":
            if not isinstance(current, list) or not -len(current) <= arg < len(current):
                return MISSING
            current = current[arg]
        else:
            key, value = arg
            if not isinstance(current, list):
                return MISSING
            found = [i for i in current if isinstance(i, dict) and str(i.get(key)) == value]
            if not found:
                return MISSING
            current = found[0]
    return current
