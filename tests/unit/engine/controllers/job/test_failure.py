"""Jobs that fail: backoffLimit (restartPolicy Never and OnFailure), the pod recreation
backoff, activeDeadlineSeconds, and FailureTarget before Failed (job_controller_test.go:
TestControllerSyncJob "too many job failures", TestPastDeadlineJobFinished,
TestJobBackoff, TestJobBackoffForOnFailure; the semantics digest §10.6 cases 30-32)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.api.timestamps import parse_time

from .builders import (
    ConditionLog,
    Kubelet,
    conditions,
    job_events,
    job_status,
    make_job,
    new_cluster,
)

BACKOFF = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE = ("DeadlineExceeded", "Job was active longer than specified deadline")


def _seconds(pod: dict[str, Any]) -> float:
    return parse_time(pod["metadata"]["creationTimestamp"]).timestamp() - 1767225600.0


def _bind(c: Any, pod: dict[str, Any], node: str = "n1") -> None:
    name = pod["metadata"]["name"]
    c.api.bind(
        "default",
        name,
        {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name},
            "target": {"kind": "Node", "name": node},
        },
    )


def test_backoff_limit_zero_fails_the_job_at_the_first_failure() -> None:
    c = new_cluster()
    log = ConditionLog(c)
    c.create(make_job("pi").backoff_limit(0).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(kubelet.pods()[0])
    c.advance(1)
    assert conditions(c) == [("FailureTarget", "True", *BACKOFF), ("Failed", "True", *BACKOFF)]
    assert log.read() == [(), ("FailureTarget",), ("FailureTarget", "Failed")]
    status = job_status(c)
    assert (status["failed"], status.get("active"), status["terminating"]) == (1, None, 0)
    assert "completionTime" not in status
    assert job_events(c)[-1] == ("Warning", *BACKOFF)


def test_failed_pods_are_recreated_after_10_then_20_seconds_until_the_limit() -> None:
    c = new_cluster()
    c.create(make_job("pi").backoff_limit(2).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(kubelet.pods()[0])
    c.advance(9.9)
    assert len(kubelet.pods()) == 1
    c.advance(0.1)
    kubelet.fail(kubelet.pending()[0])
    c.advance(19.9)
    assert len(kubelet.pods()) == 2
    c.advance(0.1)
    assert [_seconds(p) for p in kubelet.pods()] == [0.0, 10.0, 30.0]
    assert conditions(c) == []
    kubelet.fail(kubelet.pending()[0])
    c.advance(1)
    assert conditions(c) == [("FailureTarget", "True", *BACKOFF), ("Failed", "True", *BACKOFF)]
    assert job_status(c)["failed"] == 3


def test_the_recreation_backoff_doubles_and_is_capped_at_ten_minutes() -> None:
    c = new_cluster()
    c.create(make_job("pi").backoff_limit(20).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    waits = []
    for _ in range(9):
        kubelet.fail(kubelet.pending()[0])
        failed_at = c.clock.monotonic()
        while not kubelet.pending():
            c.clock.run_next()
            c.run_until_idle()
        waits.append(c.clock.monotonic() - failed_at)
    assert waits == [10, 20, 40, 80, 160, 320, 600, 600, 600]


def test_on_failure_restarts_count_towards_the_backoff_limit() -> None:
    c = new_cluster()
    c.create(make_job("pi").restart_policy("OnFailure").backoff_limit(2).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    [pod] = kubelet.pods()
    kubelet.start(pod, restarts=1)
    c.advance(1)
    assert conditions(c) == []
    kubelet.start(pod, restarts=2)
    c.advance(1)
    assert conditions(c) == [("FailureTarget", "True", *BACKOFF)]
    c.advance(1)  # Failed once the deleted pod is no longer terminating
    assert conditions(c) == [("FailureTarget", "True", *BACKOFF), ("Failed", "True", *BACKOFF)]
    # The running pod was deleted and, the Job being finished, counted as failed.
    assert job_status(c)["failed"] == 1
    assert ("Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}") in job_events(
        c
    )


@pytest.mark.parametrize(
    ("limit", "restarts", "fails"),
    [
        pytest.param(0, 1, True, id="limit 0: any restart fails the job"),
        pytest.param(3, 2, False, id="limit 3: two restarts are fine"),
        pytest.param(3, 3, True, id="limit 3: three restarts reach it"),
    ],
)
def test_on_failure_restart_limit(limit: int, restarts: int, fails: bool) -> None:
    c = new_cluster()
    c.create(make_job("pi").restart_policy("OnFailure").backoff_limit(limit).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.start(kubelet.pods()[0], restarts=restarts)
    c.advance(1)
    assert bool(conditions(c)) is fails


def test_the_active_deadline_fails_the_job_and_deletes_its_pods() -> None:
    c = new_cluster()
    c.create(make_job("pi").active_deadline(30).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    [pod] = kubelet.pods()
    _bind(c, pod)
    kubelet.start(pod)
    c.advance(29.9)
    assert conditions(c) == []
    c.advance(0.1)
    assert conditions(c) == [("FailureTarget", "True", *DEADLINE)]
    terminating = c.get("pods", pod["metadata"]["name"])
    # Deleted with the pod's grace period: deletionTimestamp is when it will be gone.
    assert terminating["metadata"]["deletionTimestamp"] == "2026-01-01T00:01:00Z"
    assert terminating["metadata"]["deletionGracePeriodSeconds"] == 30
    status = job_status(c)
    assert (status.get("active"), status["terminating"], status["failed"]) == (None, 1, 1)
    # The Job fails only once the kubelet has finished the pod.
    c.delete("pods", pod["metadata"]["name"], grace_period_seconds=0)
    c.advance(1)
    assert conditions(c) == [("FailureTarget", "True", *DEADLINE), ("Failed", "True", *DEADLINE)]
    assert job_status(c)["terminating"] == 0
    assert job_events(c)[-2:] == [
        ("Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}"),
        ("Warning", *DEADLINE),
    ]


def test_a_pod_deleted_before_it_finished_counts_as_failed_and_is_replaced() -> None:
    c = new_cluster()
    c.create(make_job("pi").build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    [pod] = kubelet.pods()
    c.delete("pods", pod["metadata"]["name"])
    c.advance(1)
    assert job_status(c)["failed"] == 1
    c.advance(10)
    assert len(kubelet.pending()) == 1
