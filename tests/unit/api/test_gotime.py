"""Go's ``time.Parse`` errors for ``metav1.Time`` (RFC 3339) and ``metav1.MicroTime``.

Every expected text was printed by Go 1.26's ``time.Parse`` for the same input.
"""

from __future__ import annotations

import pytest

from mlkube.api.gotime import RFC3339, RFC3339_MICRO, parse_error

_AS = 'as "2006-01-02T15:04:05Z07:00"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("2020-01-01T23:59:59Z", None, id="a UTC timestamp parses"),
        pytest.param("2020-01-01T23:59:59+02:00", None, id="an offset parses"),
        pytest.param("2020-01-01T23:59:59.123Z", None, id="a fraction the layout lacks parses"),
        pytest.param("2020-02-29T00:00:00Z", None, id="a leap day parses in a leap year"),
        pytest.param(
            "x", f'parsing time "x" {_AS}: cannot parse "x" as "2006"', id="no year at all"
        ),
        pytest.param(
            "2020", f'parsing time "2020" {_AS}: cannot parse "" as "-"', id="a year alone"
        ),
        pytest.param(
            "2020-1-01T00:00:00Z",
            f'parsing time "2020-1-01T00:00:00Z" {_AS}: cannot parse "1-01T00:00:00Z" as "01"',
            id="a one-digit month",
        ),
        pytest.param(
            "2020-13-01T00:00:00Z",
            'parsing time "2020-13-01T00:00:00Z": month out of range',
            id="month 13 is out of range",
        ),
        pytest.param(
            "2021-02-29T00:00:00Z",
            'parsing time "2021-02-29T00:00:00Z": day out of range',
            id="February 29 outside a leap year is out of range",
        ),
        pytest.param(
            "2020-01-01T24:00:00Z",
            'parsing time "2020-01-01T24:00:00Z": hour out of range',
            id="hour 24 is out of range",
        ),
        pytest.param(
            "2020-01-01T23:59:59Zx",
            'parsing time "2020-01-01T23:59:59Zx": extra text: "x"',
            id="text after the zone is extra text",
        ),
        pytest.param(
            "2020-01-01T23:59:59+25:00",
            'parsing time "2020-01-01T23:59:59+25:00": time zone offset hour out of range',
            id="an offset of 25 hours is out of range",
        ),
        pytest.param(
            "2020-01-01T23:59:59+0200",
            f'parsing time "2020-01-01T23:59:59+0200" {_AS}: cannot parse "+0200" as "Z07:00"',
            id="an offset without a colon",
        ),
        pytest.param(
            "2020-01-01 00:00:00Z",
            f'parsing time "2020-01-01 00:00:00Z" {_AS}: cannot parse " 00:00:00Z" as "T"',
            id="a space for the T",
        ),
        pytest.param(
            "20é0-01-01T00:00:00Z",
            'parsing time "20\\xc3\\xa90-01-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": '
            'cannot parse "20\\xc3\\xa90-01-01T00:00:00Z" as "2006"',
            id="non-ASCII bytes are quoted as \\x escapes",
        ),
    ],
)
def test_rfc3339_parse_errors_are_gos(text: str, message: str | None) -> None:
    assert parse_error(text, RFC3339) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("2020-01-01T23:59:59.123456Z", None, id="six fraction digits parse"),
        pytest.param(
            "2020-01-01T23:59:59Z",
            'parsing time "2020-01-01T23:59:59Z" as "2006-01-02T15:04:05.000000Z07:00": '
            'cannot parse "Z" as ".000000"',
            id="a MicroTime needs its fraction",
        ),
        pytest.param(
            "2020-01-01T23:59:59.123Z",
            'parsing time "2020-01-01T23:59:59.123Z" as "2006-01-02T15:04:05.000000Z07:00": '
            'cannot parse ".123Z" as ".000000"',
            id="three fraction digits are not six",
        ),
    ],
)
def test_micro_time_parse_errors_are_gos(text: str, message: str | None) -> None:
    assert parse_error(text, RFC3339_MICRO) == message
