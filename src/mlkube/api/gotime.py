"""Go's ``time.Parse`` errors for the two layouts Kubernetes timestamps use.

``metav1.Time`` decodes with ``time.Parse(time.RFC3339, s)`` and ``metav1.MicroTime`` with
``time.Parse(RFC3339Micro, s)`` (``k8s.io/apimachinery/pkg/apis/meta/v1/time.go``,
``micro_time.go``). A timestamp Go refuses is refused with Go's own text, e.g.
``parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"``.
:func:`parse_error` is a port of ``parse`` in Go's ``time/format.go`` restricted to the
layout elements those two layouts hold (``2006 - 01 - 02 T 15 : 04 : 05 [.000000] Z07:00``),
working on the UTF-8 bytes as Go does.
"""

from __future__ import annotations

import calendar
from typing import Final

__all__ = ["RFC3339", "RFC3339_MICRO", "parse_error"]

RFC3339: Final = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO: Final = "2006-01-02T15:04:05.000000Z07:00"

# layout -> (literal prefix, element, element text) per chunk, as nextStdChunk cuts it
_YEAR, _MONTH, _DAY, _HOUR, _MINUTE, _SECOND, _FRAC, _TZ = range(8)
_CHUNKS: Final = {
    RFC3339: (
        (b"", _YEAR, "2006"),
        (b"-", _MONTH, "01"),
        (b"-", _DAY, "02"),
        (b"T", _HOUR, "15"),
        (b":", _MINUTE, "04"),
        (b":", _SECOND, "05"),
        (b"", _TZ, "Z07:00"),
    ),
    RFC3339_MICRO: (
        (b"", _YEAR, "2006"),
        (b"-", _MONTH, "01"),
        (b"-", _DAY, "02"),
        (b"T", _HOUR, "15"),
        (b":", _MINUTE, "04"),
        (b":", _SECOND, "05"),
        (b"", _FRAC, ".000000"),
        (b"", _TZ, "Z07:00"),
    ),
}
_FRAC_DIGITS: Final = 6


class _Bad(Exception):
    """``errBad``: the value does not match the layout element."""


def _quote(raw: bytes) -> str:
    """``time.quote``: ASCII as is (``"`` and ``\\`` escaped), other bytes as ``\\xNN``."""
    out = ['"']
    for byte in raw:
        if byte >= 0x80 or byte < 0x20:
            out.append(f"\\x{byte:02x}")
        else:
            if byte in (0x22, 0x5C):
                out.append("\\")
            out.append(chr(byte))
    out.append('"')
    return "".join(out)


def _digit(s: bytes, i: int) -> bool:
    return len(s) > i and 0x30 <= s[i] <= 0x39


def _getnum(s: bytes, fixed: bool) -> tuple[int, bytes]:
    if not _digit(s, 0):
        raise _Bad
    if not _digit(s, 1):
        if fixed:
            raise _Bad
        return s[0] - 0x30, s[1:]
    return (s[0] - 0x30) * 10 + s[1] - 0x30, s[2:]


def _atoi(s: bytes) -> int:
    neg = False
    if s[:1] in (b"-", b"+"):
        neg, s = s[:1] == b"-", s[1:]
    digits = len(s) - len(s.lstrip(b"0123456789"))
    if digits != len(s) or int(s or b"0") > 1 << 63:
        raise _Bad
    x = int(s) if s else 0
    return -x if neg else x


def _parse_nanoseconds(value: bytes, nbytes: int) -> str:
    """``parseNanoseconds``: the range error text, or raise :class:`_Bad`."""
    if value[:1] not in (b".", b","):
        raise _Bad
    if _atoi(value[1 : min(nbytes, 10)]) < 0:
        return "fractional second"
    return ""


def _tz(value: bytes) -> tuple[str, bytes]:
    """The ``Z07:00`` element: the range error text (it wins over a bad sign) and the
    rest of the value; raises :class:`_Bad`."""
    if value[:1] == b"Z":
        return "", value[1:]
    if len(value) < 6 or value[3:4] != b":":
        raise _Bad
    sign, hh, mm, rest = value[0:1], value[1:3], value[4:6], value[6:]
    hr, _ = _getnum(hh, True)
    problem = "time zone offset hour" if hr > 24 else ""
    try:
        mins, _ = _getnum(mm, True)
    except _Bad:
        if problem:
            return problem, rest
        raise
    if mins > 60:
        problem = "time zone offset minute"
    if sign not in (b"+", b"-") and not problem:
        raise _Bad
    return problem, rest


def parse_error(text: str, layout: str = RFC3339) -> str | None:
    """The error ``time.Parse(layout, text)`` returns, or None when it parses.

    ``layout`` is :data:`RFC3339` (``metav1.Time``) or :data:`RFC3339_MICRO`
    (``metav1.MicroTime``).
    """
    chunks = _CHUNKS[layout]
    value = text.encode("utf-8")
    head = f"parsing time {_quote(value)}"
    year = month = day = 0
    for i, (prefix, element, element_text) in enumerate(chunks):
        if not value.startswith(prefix):
            # skip() consumes the prefix up to the first byte that differs
            common = 0
            while common < len(prefix) and common < len(value) and value[common] == prefix[common]:
                common += 1
            return (
                f"{head} as {_quote(layout.encode())}: cannot parse "
                f"{_quote(value[common:])} as {_quote(prefix)}"
            )
        value = value[len(prefix) :]
        hold = value
        problem = ""
        try:
            if element == _YEAR:
                if len(value) < 4 or not _digit(value, 0):
                    raise _Bad
                year, value = _atoi(value[:4]), value[4:]
            elif element == _MONTH:
                month, value = _getnum(value, True)
                if not 1 <= month <= 12:
                    problem = "month"
            elif element == _DAY:
                day, value = _getnum(value, True)
            elif element == _HOUR:
                hour, value = _getnum(value, False)
                if hour >= 24:
                    problem = "hour"
            elif element == _MINUTE:
                minute, value = _getnum(value, True)
                if minute >= 60:
                    problem = "minute"
            elif element == _SECOND:
                second, value = _getnum(value, True)
                if second >= 60:
                    problem = "second"
                elif len(value) >= 2 and value[:1] in (b".", b",") and _digit(value, 1):
                    following = chunks[i + 1][1] if i + 1 < len(chunks) else None
                    if following != _FRAC:
                        n = 2
                        while _digit(value, n):
                            n += 1
                        problem = _parse_nanoseconds(value, n)
                        value = value[n:]
            elif element == _FRAC:
                ndigit = 1 + _FRAC_DIGITS
                if len(value) < ndigit:
                    raise _Bad
                problem = _parse_nanoseconds(value, ndigit)
                value = value[ndigit:]
            else:
                problem, value = _tz(value)
        except _Bad:
            return (
                f"{head} as {_quote(layout.encode())}: cannot parse {_quote(hold)} as "
                f"{_quote(element_text.encode())}"
            )
        if problem:
            return f"{head}: {problem} out of range"
    if value:
        return f"{head}: extra text: {_quote(value)}"
    if day < 1 or day > _days_in(month, year):
        return f"{head}: day out of range"
    return None


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
