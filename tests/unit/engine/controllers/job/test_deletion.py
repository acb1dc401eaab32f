"""A deleted Job leaves no pod held by its tracking finalizer (job_controller_test.go:
TestFinalizerCleanup, TestSyncOrphanPod)."""

from __future__ import annotations

import pytest

from .builders import Kubelet, make_job, new_cluster

TRACKING = "batch.kubernetes.io/job-tracking"


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param("Background", id="a Job deleted in the background is gone at once"),
        pytest.param(
            "Orphan", id="a Job deleted orphaning its pods waits for the garbage collector"
        ),
        pytest.param("Foreground", id="a Job deleted in the foreground waits for its pods"),
    ],
)
def test_the_pods_of_a_deleted_job_lose_the_tracking_finalizer(policy: str) -> None:
    c = new_cluster()
    c.create(make_job("pi").completions(3).parallelism(2).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    pods = kubelet.pods()
    kubelet.start(pods[0])
    c.delete("jobs", "pi", propagation_policy=policy)
    c.advance(1)
    for pod in pods:
        assert TRACKING not in (
            c.get("pods", pod["metadata"]["name"])["metadata"].get("finalizers") or []
        )
    assert len(kubelet.pods()) == 2  # no pod is created for a Job being deleted


def test_a_pod_with_the_finalizer_and_no_job_is_released() -> None:
    c = new_cluster()
    c.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "stray", "namespace": "default", "finalizers": [TRACKING]},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]},
        }
    )
    c.run_until_idle()
    assert TRACKING not in (c.get("pods", "stray")["metadata"].get("finalizers") or [])
