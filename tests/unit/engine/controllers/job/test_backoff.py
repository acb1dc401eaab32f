"""Pod recreation backoff (cases from pkg/controller/job/backoff_utils_test.go:
TestNewBackoffRecord, TestGetFinishedTime, TestGetRemainingBackoffTime; there the base is
5 s and the cap 700 s, here the controller's own 10 s and 10 min)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mlkube.api.timestamps import format_micro_time, format_time
from mlkube.engine.controllers.job.backoff import (
    ApiBackoff,
    BackoffRecord,
    finished_time,
    new_backoff_record,
    remaining_time,
)

T = datetime(2009, 11, 10, 23, 0, 0, tzinfo=UTC)


def _pod(finished: datetime, phase: str = "Failed") -> dict[str, Any]:
    stamp = format_micro_time(finished)
    return {
        "metadata": {},
        "status": {
            "phase": phase,
            "containerStatuses": [{"state": {"terminated": {"finishedAt": stamp}}}],
        },
    }


def _ms(n: int) -> datetime:
    return T + timedelta(milliseconds=n)


@pytest.mark.parametrize(
    ("old", "succeeded", "failed", "want"),
    [
        pytest.param(BackoffRecord(), [], [T], BackoffRecord(1, T), id="one new failure"),
        pytest.param(BackoffRecord(), [], [T, _ms(-1)], BackoffRecord(2, T), id="two new failures"),
        pytest.param(
            BackoffRecord(),
            [T],
            [_ms(-2), _ms(-1)],
            BackoffRecord(),
            id="two failures then a success",
        ),
        pytest.param(
            BackoffRecord(),
            [_ms(-2)],
            [T, _ms(-4), _ms(-3), _ms(-1)],
            BackoffRecord(2, T),
            id="two failures, a success and two more failures",
        ),
        pytest.param(
            BackoffRecord(2, None),
            [],
            [T],
            BackoffRecord(3, T),
            id="a stored count of two and one failure",
        ),
        pytest.param(
            BackoffRecord(),
            [T],
            [T],
            BackoffRecord(),
            id="a success and a failure at the same time",
        ),
        pytest.param(BackoffRecord(), [], [], BackoffRecord(), id="nothing new"),
        pytest.param(BackoffRecord(), [T], [], BackoffRecord(), id="one success"),
    ],
)
def test_new_backoff_record(
    old: BackoffRecord, succeeded: list[datetime], failed: list[datetime], want: BackoffRecord
) -> None:
    got = new_backoff_record(
        old, [_pod(t, "Succeeded") for t in succeeded], [_pod(t) for t in failed]
    )
    assert got == want


def test_the_latest_container_finish_is_the_pod_finish() -> None:
    pod = {
        "metadata": {},
        "status": {
            "containerStatuses": [
                {"state": {"terminated": {"finishedAt": format_time(T - timedelta(seconds=1))}}},
                {"state": {"terminated": {"finishedAt": format_time(T)}}},
            ]
        },
    }
    assert finished_time(pod) == T


def test_a_running_container_falls_back_to_the_deletion_time_less_the_grace_period() -> None:
    pod = {
        "metadata": {"deletionTimestamp": format_time(T), "deletionGracePeriodSeconds": 30},
        "status": {"containerStatuses": [{"state": {"running": {}}}]},
    }
    assert finished_time(pod) == T - timedelta(seconds=30)


def test_a_ready_false_condition_is_the_finish_when_containers_have_no_time() -> None:
    pod = {
        "metadata": {},
        "status": {
            "containerStatuses": [{"state": {"terminated": {}}}],
            "conditions": [
                {"type": "Ready", "status": "False", "lastTransitionTime": format_time(T)}
            ],
        },
    }
    assert finished_time(pod) == T


def test_a_sidecar_finishing_last_is_the_pod_finish() -> None:
    pod = {
        "metadata": {},
        "status": {
            "containerStatuses": [
                {"state": {"terminated": {"finishedAt": format_time(T - timedelta(seconds=1))}}}
            ],
            "initContainerStatuses": [{"state": {"terminated": {"finishedAt": format_time(T)}}}],
        },
    }
    assert finished_time(pod) == T


@pytest.mark.parametrize(
    ("failures", "elapsed", "want"),
    [
        pytest.param(0, 0, 0.0, id="no failures, no wait"),
        pytest.param(1, 0, 10.0, id="one failure waits 10 s"),
        pytest.param(1, 1, 9.0, id="one failure a second ago waits 9 s"),
        pytest.param(1, 10, 0.0, id="one failure, backoff just over"),
        pytest.param(3, 0, 40.0, id="three failures wait 40 s"),
        pytest.param(7, 0, 600.0, id="seven failures would wait 640 s and are capped at 10 min"),
        pytest.param(6, 0, 320.0, id="six failures wait 320 s, below the cap"),
        pytest.param(30, 0, 600.0, id="many failures stay at the cap"),
    ],
)
def test_remaining_backoff(failures: int, elapsed: int, want: float) -> None:
    assert remaining_time(T + timedelta(seconds=elapsed), failures, T) == want


def test_api_backoff_doubles_to_a_minute_and_is_forgotten_on_success() -> None:
    limiter = ApiBackoff()
    assert [limiter.when("ns/a") for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert limiter.when("ns/b") == 1
    limiter.forget("ns/a")
    assert limiter.when("ns/a") == 1
