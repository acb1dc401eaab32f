"""A workload's state in one word, from its Job or Deployment (``mlkube jobs``' STATUS)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.sdk.status import age, summarize


def job(spec: dict[str, Any] | None = None, **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "resnet",
            "namespace": "vision",
            "labels": {"mlkube.io/workload": "resnet", "mlkube.io/team": "vision",
                       "mlkube.io/kind": "training"},
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": spec or {"completions": 1, "parallelism": 1},
        "status": status,
    }  # fmt: skip


def condition(kind: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": "True", "reason": reason, "message": message}


@pytest.mark.parametrize(
    ("obj", "phase", "progress", "reason"),
    [
        pytest.param(job(), "Pending", "0/1", "", id="a job without pods yet is Pending"),
        pytest.param(job(active=1), "Running", "0/1", "", id="a job with an active pod runs"),
        pytest.param(
            job(succeeded=1, conditions=[condition("Complete", "CompletionsReached")]),
            "Complete",
            "1/1",
            "CompletionsReached",
            id="the Complete condition completes it",
        ),
        pytest.param(
            job(
                failed=1,
                conditions=[
                    condition("Failed", "DeadlineExceeded", "Job was active longer than deadline")
                ],
            ),
            "Failed",
            "0/1",
            "DeadlineExceeded",
            id="the Failed condition fails it with its reason",
        ),
        pytest.param(
            job(conditions=[condition("Suspended", "JobSuspended")]),
            "Suspended",
            "0/1",
            "",
            id="a suspended job says so",
        ),
        pytest.param(
            job({"completions": 8, "parallelism": 2, "completionMode": "Indexed"}, succeeded=3,
                active=2),
            "Running",
            "3/8",
            "",
            id="a sweep's progress is succeeded trials of completions",
        ),
        pytest.param(
            job({"parallelism": 4}, active=4),
            "Running",
            "0/4",
            "",
            id="without completions the total is parallelism",
        ),
    ],
)  # fmt: skip
def test_a_job_is_summarized_by_its_conditions_and_counts(
    obj: dict[str, Any], phase: str, progress: str, reason: str
) -> None:
    status = summarize(obj)
    assert (status.phase, status.progress, status.reason) == (phase, progress, reason)
    assert (status.name, status.team, status.kind) == ("resnet", "vision", "training")


def test_a_failed_job_keeps_the_controllers_message() -> None:
    message = "Job has reached the specified backoff limit"
    status = summarize(job(conditions=[condition("Failed", "BackoffLimitExceeded", message)]))
    assert status.finished
    assert status.message == message


def deployment(desired: int, **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "vision", "generation": 1,
                     "labels": {"mlkube.io/workload": "api", "mlkube.io/kind": "inference"}},
        "spec": {"replicas": desired},
        "status": {"observedGeneration": 1, **status},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("obj", "phase", "progress"),
    [
        pytest.param(
            deployment(2, replicas=2, updatedReplicas=2, readyReplicas=2, availableReplicas=2),
            "Ready",
            "2/2",
            id="every replica updated and available is Ready",
        ),
        pytest.param(
            deployment(2, replicas=2, updatedReplicas=2, readyReplicas=1, availableReplicas=1),
            "Progressing",
            "1/2",
            id="a replica not yet available is still Progressing",
        ),
        pytest.param(
            deployment(
                1,
                conditions=[
                    {"type": "Progressing", "status": "False",
                     "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet has timed out"}
                ],
            ),
            "Failed",
            "0/1",
            id="a rollout past its progress deadline has Failed",
        ),
    ],
)  # fmt: skip
def test_a_deployment_is_ready_when_rolled_out(
    obj: dict[str, Any], phase: str, progress: str
) -> None:
    status = summarize(obj)
    assert (status.phase, status.progress, status.object_kind) == (phase, progress, "deployment")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        pytest.param(5, "5s", id="seconds under two minutes"),
        pytest.param(150, "2m30s", id="minutes and seconds under ten minutes"),
        pytest.param(3600, "60m", id="minutes under three hours"),
        pytest.param(5 * 3600 + 60, "5h1m", id="hours and minutes under eight hours"),
        pytest.param(3 * 86400 + 3600, "3d1h", id="days and hours under eight days"),
    ],
)
def test_age_is_kubectls_human_duration(seconds: int, shown: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    created = datetime.fromtimestamp(now.timestamp() - seconds, UTC)
    assert age(created.strftime("%Y-%m-%dT%H:%M:%SZ"), now) == shown
