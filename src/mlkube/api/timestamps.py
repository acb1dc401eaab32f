"""Kubernetes' wire forms of time: ``metav1.Time`` (RFC 3339, seconds) and ``MicroTime``.

``metav1.Time`` serialises as ``2026-12-01T06:34:36Z`` (UTC, whole seconds, follows
``apimachinery/pkg/apis/meta/v1/time.go``); ``metav1.MicroTime`` as
``2026-12-01T06:34:36.123456Z`` (``micro_time.go``). Durations are Go's
``time.ParseDuration`` syntax (``1h30m``, ``500ms``), which mlkube's annotations and
specs use for deadlines and run times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = [
    "DurationError",
    "format_duration",
    "format_micro_time",
    "format_time",
    "human_duration",
    "parse_duration",
    "parse_time",
]


def format_time(dt: datetime) -> str:
    """``metav1.Time``: UTC, truncated to whole seconds, with a ``Z``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_micro_time(dt: datetime) -> str:
    """``metav1.MicroTime``: UTC with six fractional digits and a ``Z``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """Parse an RFC 3339 time as Kubernetes accepts it (``Z`` or an offset, optional fraction)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"parsing time {value!r}: missing time zone")
    return parsed.astimezone(UTC)


class DurationError(ValueError):
    """A duration string Go's ``time.ParseDuration`` would reject; the message is Go's."""


_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(value: str) -> timedelta:
    """Parse Go duration syntax (``"1h30m"``, ``"1.5s"``, ``"-2m"``, ``"0"``), a port of
    Go's ``time.ParseDuration`` with its error messages."""
    invalid = DurationError(f'time: invalid duration "{value}"')
    text = value
    negative = False
    if text and text[0] in "+-":
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return timedelta(0)
    if not text:
        raise invalid
    total = 0.0
    while text:
        # The next character must be [0-9.].
        if not (text[0] == "." or text[0].isdigit()):
            raise invalid
        i = 0
        while i < len(text) and text[i].isdigit():
            i += 1
        whole, text = text[:i], text[i:]
        frac = ""
        if text.startswith("."):
            text = text[1:]
            j = 0
            while j < len(text) and text[j].isdigit():
                j += 1
            frac, text = text[:j], text[j:]
        if not whole and not frac:
            raise invalid  # no digits, e.g. ".s"
        k = 0
        while k < len(text) and not (text[k] == "." or text[k].isdigit()):
            k += 1
        unit, text = text[:k], text[k:]
        if not unit:
            raise DurationError(f'time: missing unit in duration "{value}"')
        if unit not in _UNITS:
            raise DurationError(f'time: unknown unit "{unit}" in duration "{value}"')
        total += float(f"{whole or 0}.{frac or 0}") * _UNITS[unit]
    return timedelta(seconds=-total if negative else total)


def format_duration(delta: timedelta) -> str:
    """Go's ``Duration.String()``: ``1h30m0s``, ``1.5s``, ``0s``."""
    seconds = delta.total_seconds()
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 1:
        ms = seconds * 1000
        return f"{sign}{ms:g}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    secs_text = f"{secs:.9f}".rstrip("0").rstrip(".")
    if hours:
        return f"{sign}{int(hours)}h{int(minutes)}m{secs_text}s"
    if minutes:
        return f"{sign}{int(minutes)}m{secs_text}s"
    return f"{sign}{secs_text}s"


def human_duration(seconds: float) -> str:
    """kubectl's AGE: ``duration.HumanDuration`` (``apimachinery/pkg/util/duration/duration.go``);
    every division truncates."""
    s = int(seconds)
    if seconds < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"
