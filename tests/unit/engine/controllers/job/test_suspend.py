"""Suspending and resuming a Job (job_controller_test.go: TestControllerSyncJob "suspending a
job", "resuming a suspended job", TestSyncJobPastDeadline "activeDeadlineSeconds is not
exceeded when suspended")."""

from __future__ import annotations

from mlkube.engine.cluster import Cluster

from .builders import Kubelet, conditions, job_events, job_status, make_job, new_cluster


def _set_suspend(c: Cluster, value: bool) -> None:
    job = c.get("jobs", "pi")
    job["spec"]["suspend"] = value
    c.update(job)


def test_a_job_created_suspended_starts_no_pods_and_has_no_start_time() -> None:
    c = new_cluster()
    c.create(make_job("pi").suspended().build())
    c.run_until_idle()
    assert Kubelet(c).pods() == []
    assert conditions(c) == [("Suspended", "True", "JobSuspended", "Job suspended")]
    assert "startTime" not in job_status(c)
    assert job_events(c) == [("Normal", "Suspended", "Job suspended")]


def test_resuming_starts_the_pods_and_resets_the_start_time() -> None:
    c = new_cluster()
    c.create(make_job("pi").suspended().build())
    c.advance(100)
    _set_suspend(c, False)
    c.run_until_idle()
    assert len(Kubelet(c).pods()) == 1
    assert conditions(c) == [("Suspended", "False", "JobResumed", "Job resumed")]
    status = job_status(c)
    assert status["startTime"] == "2026-01-01T00:01:40Z"
    assert status["conditions"][0]["lastTransitionTime"] == "2026-01-01T00:01:40Z"
    # manageJob creates the pods before the condition and its event are updated.
    assert [r for _, r, _ in job_events(c)] == ["Suspended", "SuccessfulCreate", "Resumed"]


def test_suspending_a_running_job_deletes_its_pods_without_counting_failures() -> None:
    c = new_cluster()
    c.create(make_job("pi").completions(2).parallelism(2).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    for pod in kubelet.pods():
        kubelet.start(pod)
    c.advance(1)
    _set_suspend(c, True)
    c.run_until_idle()
    assert kubelet.pods() == []
    status = job_status(c)
    assert (status.get("active"), status.get("failed"), status["ready"]) == (None, None, 0)
    assert conditions(c) == [("Suspended", "True", "JobSuspended", "Job suspended")]
    assert sorted(r for _, r, _ in job_events(c)).count("SuccessfulDelete") == 2


def test_suspending_clears_the_start_time() -> None:
    c = new_cluster()
    c.create(make_job("pi").build())
    c.advance(10)
    assert job_status(c)["startTime"] == "2026-01-01T00:00:00Z"
    _set_suspend(c, True)
    c.run_until_idle()
    assert "startTime" not in job_status(c)


def test_the_deadline_does_not_run_while_suspended_and_restarts_on_resume() -> None:
    c = new_cluster()
    c.create(make_job("pi").active_deadline(30).build())
    c.advance(10)
    _set_suspend(c, True)
    c.advance(60)
    assert conditions(c) == [("Suspended", "True", "JobSuspended", "Job suspended")]
    _set_suspend(c, False)  # at 70 s: the deadline is now 100 s
    c.advance(29.9)
    assert [t for t, *_ in conditions(c)] == ["Suspended"]
    c.advance(0.1)
    assert [t for t, *_ in conditions(c)] == ["Suspended", "FailureTarget"]
    c.advance(1)  # its pod, deleted at 100 s, is no longer terminating
    assert [t for t, *_ in conditions(c)] == ["Suspended", "FailureTarget", "Failed"]
    assert conditions(c)[1][2] == "DeadlineExceeded"
