"""A pod creation refused by a ResourceQuota is retried with the sync backoff, 1 s doubling
(job_controller_test.go: TestSyncJobUpdateRequeue, TestJobApiBackoffReset;
controller_utils.go: the FailedCreate event)."""

from __future__ import annotations

from mlkube.engine.cluster import Cluster

from .builders import Kubelet, job_events, make_job, new_cluster


def _failed_creates(c: Cluster) -> list[str]:
    return [
        e["firstTimestamp"]
        for e in c.list("events", "default")
        if e["reason"] == "FailedCreate" and e["involvedObject"]["name"] == "pi"
    ]


def test_a_refused_pod_is_retried_after_1_2_and_4_seconds_then_created_when_quota_allows() -> None:
    c = new_cluster()
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q"},
            "spec": {"hard": {"pods": "0"}},
        }
    )
    c.create(make_job("pi").build())
    c.advance(8)
    assert sorted(_failed_creates(c)) == [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:03Z",
        "2026-01-01T00:00:07Z",
    ]
    quota = c.get("resourcequotas", "q")
    quota["spec"]["hard"]["pods"] = "1"
    c.update(quota)
    c.advance(6.9)
    assert Kubelet(c).pods() == []
    c.advance(0.1)  # the next retry, 8 s after the one at 7 s
    [pod] = Kubelet(c).pods()
    assert pod["metadata"]["creationTimestamp"] == "2026-01-01T00:00:15Z"
    assert job_events(c)[-1] == (
        "Normal",
        "SuccessfulCreate",
        f"Created pod: {pod['metadata']['name']}",
    )
