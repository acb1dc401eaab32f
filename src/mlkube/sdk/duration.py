"""Durations a user types (``--timeout 10m``), as seconds; a mistake names the flag."""

from __future__ import annotations

from mlkube.sdk.errors import MlkubeError

__all__ = ["seconds"]


def seconds(text: str, flag: str) -> float:
    """``10m`` -> 600.0 (Go's duration syntax, ``mlkube.api.timestamps.parse_duration``)."""
    from mlkube.api.timestamps import parse_duration

    try:
        return parse_duration(text).total_seconds()
    except ValueError as err:
        raise MlkubeError(f'{flag}: "{text}" is not a duration (e.g. 90s, 10m, 1h30m)') from err
