"""Deep copies of wire-form objects, through msgspec's JSON codec rather than ``copy``.

Every write copies its body (a handler must never mutate what the caller passed) and a few
strategies copy parts of the stored object. ``copy.deepcopy`` walks the object in Python,
keeping a memo of every container; an encode and decode with msgspec does the same work in C
about ten times faster. The two agree on anything JSON can carry, which is what a
Kubernetes object is; for the rest (a tuple, a float NaN or infinity, a non-string key, a
value JSON cannot encode) the decoded copy differs from the original, and the copy falls
back to ``copy.deepcopy`` so callers see exactly what they saw before.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

import msgspec

__all__ = ["deep_copy"]

T = TypeVar("T")

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


def deep_copy(obj: T) -> T:
    """A deep copy of ``obj``: fresh dicts and lists all the way down, equal to ``obj``."""
    try:
        out: Any = _decode(_encode(obj))
    except (msgspec.EncodeError, TypeError, ValueError, OverflowError):
        return copy.deepcopy(obj)
    if type(out) is not type(obj) or out != obj:
        return copy.deepcopy(obj)
    copied: T = out
    return copied
