"""Jobs that succeed: completions, parallelism, work queues, Indexed Jobs, successPolicy,
and the interim-then-final condition sequence (job_controller_test.go: TestControllerSyncJob
"job finish", "WQ job finishing", "indexed job completed"; TestSyncJobWithJobSuccessPolicy;
the semantics digest §10.6 case 33)."""

from __future__ import annotations

from .builders import (
    ConditionLog,
    Kubelet,
    conditions,
    index_of,
    job_events,
    job_status,
    make_job,
    new_cluster,
)

TRACKING = "batch.kubernetes.io/job-tracking"
REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")


def test_an_indexed_job_runs_each_index_once_and_completes() -> None:
    c = new_cluster()
    log = ConditionLog(c)
    c.create(make_job("pi").indexed().completions(3).parallelism(2).build())
    kubelet = Kubelet(c)
    c.advance(5)
    zero = next(p for p in kubelet.pods() if index_of(p) == 0)
    kubelet.succeed(zero)
    c.advance(0.9)
    assert sorted(index_of(p) for p in kubelet.pods()) == [0, 1]
    c.advance(0.1)  # the pod event reaches the Job one batch period (1 s) later
    assert sorted(index_of(p) for p in kubelet.pods()) == [0, 1, 2]
    assert job_status(c)["completedIndexes"] == "0"
    assert TRACKING not in (
        c.get("pods", zero["metadata"]["name"])["metadata"].get("finalizers") or []
    )
    c.advance(4)
    for pod in kubelet.pending():
        kubelet.succeed(pod)
    c.advance(1)
    status = job_status(c)
    assert (status["succeeded"], status["completedIndexes"]) == (3, "0-2")
    assert conditions(c) == [
        ("SuccessCriteriaMet", "True", *REACHED),
        ("Complete", "True", *REACHED),
    ]
    assert status["completionTime"] == "2026-01-01T00:00:11Z"
    assert "active" not in status
    assert log.read() == [(), ("SuccessCriteriaMet",), ("SuccessCriteriaMet", "Complete")]
    assert job_events(c)[-1] == ("Normal", "Completed", "Job completed")


def test_a_non_indexed_job_never_runs_more_than_parallelism_pods() -> None:
    c = new_cluster()
    c.create(make_job("pi").completions(5).parallelism(2).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    seen_active = []
    for _ in range(5):
        pending = kubelet.pending()
        seen_active.append(len(pending))
        kubelet.succeed(pending[0])
        c.advance(1)
    assert seen_active == [2, 2, 2, 2, 1]
    assert job_status(c)["succeeded"] == 5
    assert [t for t, *_ in conditions(c)] == ["SuccessCriteriaMet", "Complete"]


def test_a_work_queue_stops_creating_pods_after_the_first_success_and_completes_when_all_end() -> (
    None
):
    c = new_cluster()
    c.create(make_job("wq").completions(None).parallelism(3).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    first, second, third = kubelet.pods("wq")
    kubelet.succeed(first)
    c.advance(1)
    assert len(kubelet.pods("wq")) == 3
    assert conditions(c, "wq") == []
    assert job_status(c, "wq")["active"] == 2
    kubelet.succeed(second)
    kubelet.succeed(third)
    c.advance(1)
    assert job_status(c, "wq")["succeeded"] == 3
    assert [t for t, *_ in conditions(c, "wq")] == ["SuccessCriteriaMet", "Complete"]


def test_a_success_policy_completes_the_job_early_and_removes_the_other_pods() -> None:
    c = new_cluster()
    c.create(
        make_job("pi")
        .indexed()
        .completions(4)
        .parallelism(4)
        .success_policy({"succeededIndexes": "0"})
        .build()
    )
    kubelet = Kubelet(c)
    c.run_until_idle()
    leader = next(p for p in kubelet.pods() if index_of(p) == 0)
    kubelet.succeed(leader)
    c.advance(1)
    assert conditions(c) == [
        ("SuccessCriteriaMet", "True", "SuccessPolicy", "Matched rules at index 0"),
    ]
    assert job_status(c)["terminating"] == 3
    c.advance(1)  # Complete waits until no pod is terminating
    status = job_status(c)
    assert conditions(c) == [
        ("SuccessCriteriaMet", "True", "SuccessPolicy", "Matched rules at index 0"),
        ("Complete", "True", "SuccessPolicy", "Matched rules at index 0"),
    ]
    assert (status["succeeded"], status.get("failed"), status["completedIndexes"]) == (1, None, "0")
    assert [p["metadata"]["name"] for p in kubelet.pods()] == [leader["metadata"]["name"]]
    deleted = [m for _, r, m in job_events(c) if r == "SuccessfulDelete"]
    assert len(deleted) == 3


def test_lowering_parallelism_deletes_the_extra_pods_without_counting_them() -> None:
    c = new_cluster()
    c.create(make_job("pi").completions(10).parallelism(3).build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    running = kubelet.pods()[0]
    kubelet.start(running)
    c.advance(1)
    job = c.get("jobs", "pi")
    job["spec"]["parallelism"] = 1
    c.update(job)
    c.run_until_idle()
    assert [p["metadata"]["name"] for p in kubelet.pods()] == [running["metadata"]["name"]]
    assert len([r for _, r, _ in job_events(c) if r == "SuccessfulDelete"]) == 2
    status = job_status(c)
    assert (status["active"], status.get("failed")) == (1, None)


def test_a_counted_pod_loses_its_finalizer_but_stays() -> None:
    c = new_cluster()
    c.create(make_job("pi").build())
    kubelet = Kubelet(c)
    c.run_until_idle()
    [pod] = kubelet.pods()
    kubelet.succeed(pod)
    c.advance(1)
    kept = c.get("pods", pod["metadata"]["name"])
    assert kept["status"]["phase"] == "Succeeded"
    assert TRACKING not in (kept["metadata"].get("finalizers") or [])
    assert job_status(c)["uncountedTerminatedPods"] == {}
