"""Go behaviours the patch code must reproduce: ``%v`` text, ``==`` on JSON values, stable sort.

Strategic merge patch orders lists with ``sort.SliceStable`` and a ``less`` function that is
not a strict weak order, so the result depends on Go's algorithm (insertion sort in blocks of
20, then ``symMerge``); :func:`stable_sort` is that algorithm, from ``sort/zsortfunc.go``.
Error texts print values with ``fmt``'s ``%v`` (``map[name:x]``), which :func:`sprint` renders.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from typing import Any

__all__ = ["eq", "go_float", "kind", "sprint", "stable_sort", "type_name"]


def kind(value: Any) -> str:
    """The Go type a decoded JSON value has (``reflect.TypeOf``) as a short tag."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "slice"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


_TYPE_NAMES = {
    "nil": "<nil>",
    "bool": "bool",
    "float64": "float64",
    "string": "string",
    "slice": "[]interface {}",
    "map": "map[string]interface {}",
}


def type_name(value: Any) -> str:
    """``reflect.TypeOf(value).String()`` for a decoded JSON value."""
    k = kind(value)
    return _TYPE_NAMES.get(k, k)


def eq(a: Any, b: Any) -> bool:
    """Go's ``==`` on two ``interface{}`` JSON values: same dynamic type and equal value."""
    ka, kb = kind(a), kind(b)
    if ka != kb:
        return False
    return bool(a == b)


def go_float(value: float) -> str:
    """``%v`` of a float64: ``strconv.FormatFloat(f, 'g', -1, 64)``, shortest digits, with
    an exponent (at least two digits) below 1e-4 and from 1e+06 on."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign, digit_tuple, exponent = decimal.Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    point = len(digits) + exponent  # digs.dp: where the decimal point goes
    neg = "-" if sign else ""
    x = point - 1
    if x < -4 or x >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{neg}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{neg}{digits}{'0' * (point - len(digits))}"
    return f"{neg}{digits[:point]}.{digits[point:]}"


def _number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return go_float(value)


def sprint(value: Any) -> str:
    """``fmt.Sprintf("%v", value)`` for a decoded JSON value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(sprint(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{sprint(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def stable_sort(items: list[Any], less: Callable[[Any, Any], bool]) -> None:
    """``sort.SliceStable(items, less)`` in place, step for step as Go runs it."""
    n = len(items)

    def lt(i: int, j: int) -> bool:
        return less(items[i], items[j])

    def swap(i: int, j: int) -> None:
        items[i], items[j] = items[j], items[i]

    def insertion_sort(a: int, b: int) -> None:
        for i in range(a + 1, b):
            j = i
            while j > a and lt(j, j - 1):
                swap(j, j - 1)
                j -= 1

    def swap_range(a: int, b: int, count: int) -> None:
        for i in range(count):
            swap(a + i, b + i)

    def rotate(a: int, m: int, b: int) -> None:
        i, j = m - a, b - m
        while i != j:
            if i > j:
                swap_range(m - i, m, j)
                i -= j
            else:
                swap_range(m - i, m + j - i, i)
                j -= i
        swap_range(m - i, m, i)

    def sym_merge(a: int, m: int, b: int) -> None:
        if m - a == 1:
            i, j = m, b
            while i < j:
                h = (i + j) >> 1
                if lt(h, a):
                    i = h + 1
                else:
                    j = h
            for k in range(a, i - 1):
                swap(k, k + 1)
            return
        if b - m == 1:
            i, j = a, m
            while i < j:
                h = (i + j) >> 1
                if not lt(m, h):
                    i = h + 1
                else:
                    j = h
            for k in range(m, i, -1):
                swap(k, k - 1)
            return
        mid = (a + b) >> 1
        total = mid + m
        if m > mid:
            start, r = total - b, mid
        else:
            start, r = a, m
        p = total - 1
        while start < r:
            c = (start + r) >> 1
            if not lt(p - c, c):
                start = c + 1
            else:
                r = c
        end = total - start
        if start < m < end:
            rotate(start, m, end)
        if a < start < mid:
            sym_merge(a, start, mid)
        if mid < end < b:
            sym_merge(mid, end, b)

    block = 20
    a, b = 0, block
    while b <= n:
        insertion_sort(a, b)
        a, b = b, b + block
    insertion_sort(a, n)
    while block < n:
        a, b = 0, 2 * block
        while b <= n:
            sym_merge(a, a + block, b)
            a, b = b, b + 2 * block
        m = a + block
        if m < n:
            sym_merge(a, m, n)
        block *= 2
