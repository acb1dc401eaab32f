"""backoffLimitPerIndex, maxFailedIndexes and FailIndex (job_controller_test.go:
TestBackoffLimitPerIndex*, TestSyncJobWithJobBackoffLimitPerIndex;
indexed_job_utils_test.go: TestIsIndexFailed)."""

from __future__ import annotations

from typing import Any

from .builders import (
    Kubelet,
    conditions,
    index_of,
    job_events,
    job_status,
    make_job,
    new_cluster,
    on_conditions,
    on_exit_codes,
)

FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
IGNORED_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count"
FAILED_INDEXES = ("FailedIndexes", "Job has failed indexes")


def _pod(kubelet: Kubelet, index: int, phase: str = "Pending") -> dict[str, Any]:
    return next(p for p in kubelet.pods(phase=phase) if index_of(p) == index)


def test_an_index_is_retried_up_to_its_limit_then_marked_failed() -> None:
    c = new_cluster()
    c.create(
        make_job("pi").indexed().completions(2).parallelism(2).backoff_limit_per_index(1).build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    assert {index_of(p): p["metadata"]["annotations"][FAILURE_COUNT] for p in kubelet.pods()} == {
        0: "0",
        1: "0",
    }
    kubelet.fail(_pod(kubelet, 0))
    c.advance(9.9)
    assert len(kubelet.pods()) == 2  # the failed pod is kept until its replacement exists
    c.advance(0.1)
    retry = _pod(kubelet, 0)
    assert retry["metadata"]["annotations"][FAILURE_COUNT] == "1"
    kubelet.fail(retry)
    c.advance(1)
    status = job_status(c)
    assert (status["failedIndexes"], status["failed"]) == ("0", 2)
    assert conditions(c) == []
    c.advance(60)
    assert [index_of(p) for p in kubelet.pending()] == [1]  # index 0 is not retried again
    kubelet.succeed(_pod(kubelet, 1))
    c.advance(1)
    status = job_status(c)
    assert (status["completedIndexes"], status["succeeded"]) == ("1", 1)
    assert conditions(c) == [
        ("FailureTarget", "True", *FAILED_INDEXES),
        ("Failed", "True", *FAILED_INDEXES),
    ]
    assert job_events(c)[-1] == ("Warning", *FAILED_INDEXES)


def test_more_failed_indexes_than_allowed_fail_the_job_at_once() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .indexed()
        .completions(3)
        .parallelism(3)
        .backoff_limit_per_index(0)
        .max_failed_indexes(0)
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(_pod(kubelet, 2))
    c.advance(1)
    reason = (
        "MaxFailedIndexesExceeded",
        "Job has exceeded the specified maximal number of failed indexes",
    )
    assert conditions(c) == [("FailureTarget", "True", *reason)]
    assert job_status(c)["failedIndexes"] == "2"
    c.advance(1)
    assert conditions(c) == [("FailureTarget", "True", *reason), ("Failed", "True", *reason)]
    assert kubelet.pods(phase="Pending") == []


def test_a_fail_index_rule_fails_the_index_without_retrying_it() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .indexed()
        .completions(2)
        .parallelism(2)
        .backoff_limit_per_index(5)
        .pod_failure_policy(on_exit_codes("FailIndex", 3))
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(_pod(kubelet, 1), 3)
    c.advance(60)
    assert job_status(c)["failedIndexes"] == "1"
    assert [index_of(p) for p in kubelet.pending()] == [0]


def test_an_ignored_failure_is_carried_to_the_replacement_as_an_ignored_count() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .indexed()
        .completions(1)
        .backoff_limit_per_index(0)
        .pod_failure_policy(on_conditions("Ignore", "DisruptionTarget"))
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(_pod(kubelet, 0), 137, disrupted=True)
    c.advance(10)
    retry = _pod(kubelet, 0)
    assert retry["metadata"]["annotations"][FAILURE_COUNT] == "0"
    assert retry["metadata"]["annotations"][IGNORED_COUNT] == "1"
    assert job_status(c).get("failedIndexes") == ""
