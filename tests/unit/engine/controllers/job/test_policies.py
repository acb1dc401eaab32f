"""podFailurePolicy, podReplacementPolicy and managedBy as the controller applies them
(job_controller_test.go: TestSyncJobWithJobPodFailurePolicy, TestJobPodReplacementPolicy,
TestSyncJobWhenManagedBy)."""

from __future__ import annotations

from typing import Any

from .builders import (
    Kubelet,
    conditions,
    job_events,
    job_status,
    make_job,
    new_cluster,
    on_conditions,
    on_exit_codes,
)


def _bind(c: Any, pod: dict[str, Any]) -> None:
    name = pod["metadata"]["name"]
    c.api.bind(
        "default",
        name,
        {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name},
            "target": {"kind": "Node", "name": "n1"},
        },
    )


def test_a_fail_job_rule_fails_the_job_with_the_rule_in_the_message() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .completions(2)
        .parallelism(2)
        .pod_failure_policy(on_exit_codes("FailJob", 42))
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    bad, other = kubelet.pods()
    kubelet.fail(bad, 42)
    c.advance(1)
    message = (
        f"Container main for pod default/{bad['metadata']['name']} failed with exit code 42 "
        "matching FailJob rule at index 0"
    )
    assert conditions(c) == [("FailureTarget", "True", "PodFailurePolicy", message)]
    assert [p["metadata"]["name"] for p in kubelet.pods()] == [bad["metadata"]["name"]]
    assert (
        "Normal",
        "SuccessfulDelete",
        f"Deleted pod: {other['metadata']['name']}",
    ) in job_events(c)
    c.advance(1)
    assert conditions(c) == [
        ("FailureTarget", "True", "PodFailurePolicy", message),
        ("Failed", "True", "PodFailurePolicy", message),
    ]
    assert job_status(c)["failed"] == 2  # the failed pod and the one deleted with the Job
    assert job_events(c)[-1] == ("Warning", "PodFailurePolicy", message)


def test_an_ignored_disruption_does_not_count_towards_the_backoff_limit() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .backoff_limit(0)
        .pod_failure_policy(on_conditions("Ignore", "DisruptionTarget"))
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(kubelet.pods()[0], 137, disrupted=True)
    c.advance(1)
    assert conditions(c) == []
    assert "failed" not in job_status(c)
    c.advance(9)  # the pod backoff still applies to ignored failures
    [replacement] = kubelet.pending()
    kubelet.succeed(replacement)
    c.advance(1)
    assert [t for t, *_ in conditions(c)] == ["SuccessCriteriaMet", "Complete"]


def test_a_count_rule_counts_the_failure() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .backoff_limit(0)
        .pod_failure_policy(on_exit_codes("Ignore", 1), on_exit_codes("Count", 2))
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    kubelet.fail(kubelet.pods()[0], 2)
    c.advance(1)
    assert conditions(c)[0][:3] == ("FailureTarget", "True", "BackoffLimitExceeded")
    assert job_status(c)["failed"] == 1


def test_with_replacement_policy_failed_a_terminating_pod_is_replaced_only_once_it_failed() -> None:
    c = new_cluster()
    c.create(make_job("pi").pod_replacement_policy("Failed").build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    [pod] = kubelet.pods()
    _bind(c, pod)
    kubelet.start(pod)
    c.delete("pods", pod["metadata"]["name"])  # graceful: it terminates for 30 s
    c.advance(30)
    assert len(kubelet.pods()) == 1
    status = job_status(c)
    assert (status.get("active"), status["terminating"], status.get("failed")) == (None, 1, None)
    kubelet.fail(pod, 143)
    c.advance(1)
    assert job_status(c)["failed"] == 1
    c.advance(9)
    assert len(kubelet.pending()) == 1


def test_with_replacement_policy_terminating_or_failed_a_terminating_pod_is_replaced_at_once() -> (
    None
):
    c = new_cluster()
    c.create(make_job("pi").build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    [pod] = kubelet.pods()
    _bind(c, pod)
    kubelet.start(pod)
    c.delete("pods", pod["metadata"]["name"])
    c.advance(1)
    assert job_status(c)["failed"] == 1
    # Deleted at 0 with 30 s grace: its failure time is 0, so the backoff ends at 10 s.
    c.advance(9)
    assert len(kubelet.pending()) == 1
    assert c.get("pods", pod["metadata"]["name"])["metadata"]["deletionTimestamp"]


def test_a_job_managed_by_another_controller_is_left_alone() -> None:
    c = new_cluster()
    c.create(make_job("pi").managed_by("example.com/queue").build())
    c.advance(60)
    assert Kubelet(c).pods() == []
    assert job_status(c) == {}
    assert job_events(c) == []


def test_a_job_managed_by_the_job_controller_by_name_is_run() -> None:
    c = new_cluster()
    c.create(make_job("pi").managed_by("kubernetes.io/job-controller").build())
    c.run_until_idle()
    assert len(Kubelet(c).pods()) == 1
