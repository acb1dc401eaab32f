"""The Job controller with the simulated kubelets (``mlkube.engine.kubelet``) running its
pods: the acceptance Job of issue 5 end to end, in virtual time."""

from __future__ import annotations

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import DEFAULT_CONTROLLERS, Cluster
from mlkube.engine.kubelet import RUN_FOR, kubelets

from .builders import conditions, job_controller, job_status, make_job, on_conditions, on_exit_codes


@pytest.mark.slow
def test_500_indexed_pods_of_60_s_with_parallelism_50_finish_in_ten_waves() -> None:
    c = Cluster(
        clock=FakeClock(), seed=0, controllers=[*DEFAULT_CONTROLLERS, kubelets, job_controller]
    )
    c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n0"}})
    job = (
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
    template = job["spec"]["template"]
    template["metadata"] = {"annotations": {RUN_FOR: "60s"}}
    template["spec"]["nodeName"] = "n0"
    c.create(job)
    c.advance(3600)
    # Each wave runs 60 s; its pods' events reach the Job 1 s later, which starts the
    # next wave: ten waves of 61 s.
    status = job_status(c, "train")
    assert (status["succeeded"], status["completedIndexes"]) == (500, "0-499")
    assert status["completionTime"] == "2026-01-01T00:10:10Z"
    assert [t for t, *_ in conditions(c, "train")] == ["SuccessCriteriaMet", "Complete"]
