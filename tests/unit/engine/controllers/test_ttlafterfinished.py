"""The TTL-after-finished controller (cases from
pkg/controller/ttlafterfinished/ttlafterfinished_controller_test.go: TestTimeLeft,
TestProcessJob; Job docs "Clean up finished jobs automatically")."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.ttlafterfinished import TTLAfterFinishedController

from .job.builders import Kubelet, job_controller, make_job


def _cluster() -> Cluster:
    # No garbage collector: a Foreground delete leaves the Job marked, which is what we check.
    return Cluster(
        clock=FakeClock(),
        seed=0,
        controllers=[job_controller, lambda c: TTLAfterFinishedController(c.api)],
    )


def _finish(c: Cluster, *, fail: bool = False) -> None:
    kubelet = Kubelet(c)
    [pod] = kubelet.pending()
    if fail:
        kubelet.fail(pod)
    else:
        kubelet.succeed(pod)


def _being_deleted(c: Cluster) -> dict[str, Any] | None:
    meta: dict[str, Any] = c.get("jobs", "pi")["metadata"]
    if not meta.get("deletionTimestamp"):
        return None
    return meta


@pytest.mark.parametrize(
    "fail", [pytest.param(False, id="a completed job"), pytest.param(True, id="a failed job")]
)
def test_a_finished_job_is_deleted_in_the_foreground_when_its_ttl_expires(fail: bool) -> None:
    c = _cluster()
    c.create(make_job("pi").backoff_limit(0).ttl(100).build())
    c.run_until_idle()
    _finish(c, fail=fail)
    c.advance(1)  # the Job finishes at 1 s
    c.advance(99.9)
    assert _being_deleted(c) is None
    c.advance(0.1)
    meta = _being_deleted(c)
    assert meta is not None
    assert meta["deletionTimestamp"] == "2026-01-01T00:01:41Z"
    assert meta["finalizers"] == ["foregroundDeletion"]


def test_a_ttl_of_zero_deletes_the_job_as_soon_as_it_finishes() -> None:
    c = _cluster()
    c.create(make_job("pi").ttl(0).build())
    c.run_until_idle()
    _finish(c)
    c.advance(1)
    meta = _being_deleted(c)
    assert meta is not None
    assert meta["deletionTimestamp"] == "2026-01-01T00:00:01Z"


def test_an_unfinished_job_is_never_deleted() -> None:
    c = _cluster()
    c.create(make_job("pi").ttl(0).build())
    c.advance(3600)
    assert _being_deleted(c) is None


def test_a_job_without_ttl_is_never_deleted() -> None:
    c = _cluster()
    c.create(make_job("pi").build())
    c.run_until_idle()
    _finish(c)
    c.advance(3600)
    assert _being_deleted(c) is None


def test_a_ttl_raised_before_it_expired_is_honoured() -> None:
    c = _cluster()
    c.create(make_job("pi").ttl(10).build())
    c.run_until_idle()
    _finish(c)
    c.advance(5)
    job = c.get("jobs", "pi")
    job["spec"]["ttlSecondsAfterFinished"] = 60
    c.update(job)
    c.advance(55.9)
    assert _being_deleted(c) is None
    c.advance(0.1)
    assert _being_deleted(c) is not None
