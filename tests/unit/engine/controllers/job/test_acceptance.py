"""Acceptance (issue 5): a 500-pod Indexed Job with parallelism 50 and a podFailurePolicy
runs to completion in virtual time, the test acting as the kubelet."""

from __future__ import annotations

import pytest

from mlkube.engine.clock import FakeClock

from .builders import (
    Kubelet,
    conditions,
    index_of,
    job_status,
    make_job,
    new_cluster,
    on_conditions,
    on_exit_codes,
)

RUN_FOR = 60.0


@pytest.mark.slow
def test_a_500_pod_indexed_job_with_parallelism_50_and_a_pod_failure_policy_completes() -> None:
    c = new_cluster()
    c.create(
        make_job("train")
        .indexed()
        .completions(500)
        .parallelism(50)
        .backoff_limit(0)
        .pod_failure_policy(
            on_exit_codes("FailJob", 42), on_conditions("Ignore", "DisruptionTarget")
        )
        .build()
    )
    kubelet = Kubelet(c)
    clock = c.clock
    assert isinstance(clock, FakeClock)
    disrupted: set[int] = set()
    most_running = 0
    rounds = 0
    while not any(t == "Complete" for t, *_ in conditions(c, "train")):
        rounds += 1
        assert rounds < 100, "the Job did not complete"
        c.run_until_idle()
        running = kubelet.pending("train")
        most_running = max(most_running, len(running))
        for pod in running:
            kubelet.start(pod)
        c.advance(RUN_FOR)
        for pod in running:
            index = index_of(pod)
            if index % 25 == 3 and index not in disrupted:  # evicted once: ignored, retried
                disrupted.add(index)
                kubelet.fail(pod, 137, disrupted=True)
            else:
                kubelet.succeed(pod)
        c.advance(1)
        if not kubelet.pending("train"):
            c.advance(10)  # the pod backoff after the ignored disruptions
    status = job_status(c, "train")
    assert (status["succeeded"], status["completedIndexes"], status.get("failed")) == (
        500,
        "0-499",
        None,
    )
    assert most_running == 50
    assert len(disrupted) == 20
    assert [t for t, *_ in conditions(c, "train")] == ["SuccessCriteriaMet", "Complete"]
    assert clock.monotonic() < 24 * 3600
