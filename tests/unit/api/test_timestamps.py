"""Wire forms of time and Go durations, as metav1.Time and time.ParseDuration write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.api.timestamps import (
    DurationError,
    format_duration,
    format_micro_time,
    format_time,
    parse_duration,
    parse_time,
)

T = datetime(2026, 12, 1, 6, 34, 36, 123456, tzinfo=UTC)


def test_metav1_time_is_utc_whole_seconds_with_z() -> None:
    assert format_time(T) == "2026-12-01T06:34:36Z"


def test_a_time_in_another_zone_is_written_in_utc() -> None:
    plus_two = T.astimezone(timezone(timedelta(hours=2)))
    assert format_time(plus_two) == "2026-12-01T06:34:36Z"


def test_micro_time_keeps_six_fractional_digits() -> None:
    assert format_micro_time(T) == "2026-12-01T06:34:36.123456Z"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2026-12-01T06:34:36Z", id="a Z suffix"),
        pytest.param("2026-12-01T08:34:36+02:00", id="an explicit offset"),
        pytest.param("2026-12-01T06:34:36.5Z", id="a fraction"),
    ],
)
def test_parse_time_accepts_rfc3339(text: str) -> None:
    assert parse_time(text).replace(microsecond=0) == T.replace(microsecond=0)


def test_parse_time_rejects_a_time_without_zone() -> None:
    with pytest.raises(ValueError, match="missing time zone"):
        parse_time("2026-12-01T06:34:36")


@given(st.datetimes(timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0)))
def test_format_then_parse_is_identity_at_second_precision(dt: datetime) -> None:
    if dt.year >= 1000:
        assert parse_time(format_time(dt)) == dt


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("0", 0, id="a bare zero"),
        pytest.param("1h", 3600, id="hours"),
        pytest.param("1h30m", 5400, id="hours and minutes"),
        pytest.param("90s", 90, id="seconds"),
        pytest.param("1.5s", 1.5, id="fractional seconds"),
        pytest.param("500ms", 0.5, id="milliseconds"),
        pytest.param("-2m", -120, id="a negative duration"),
        pytest.param("+5s", 5, id="an explicit plus sign"),
        pytest.param("2h45m30.5s", 9930.5, id="three units"),
        pytest.param("100us", 0.0001, id="microseconds"),
    ],
)
def test_parse_duration_follows_go(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", 'time: invalid duration ""', id="an empty string"),
        pytest.param("10", 'time: missing unit in duration "10"', id="a number without unit"),
        pytest.param("3d", 'time: unknown unit "d" in duration "3d"', id="days are not a unit"),
        pytest.param("abc", 'time: invalid duration "abc"', id="no number at all"),
    ],
)
def test_parse_duration_rejects_what_go_rejects(text: str, message: str) -> None:
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(0, "0s", id="zero"),
        pytest.param(5400, "1h30m0s", id="an hour and a half"),
        pytest.param(90, "1m30s", id="ninety seconds"),
        pytest.param(1.5, "1.5s", id="a fractional second"),
        pytest.param(0.25, "250ms", id="under a second in milliseconds"),
    ],
)
def test_format_duration_is_gos_string(seconds: float, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text
