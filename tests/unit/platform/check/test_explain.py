"""explain says why an existing workload is not running, in the cluster's own words."""

from __future__ import annotations

import pytest

from mlkube.platform.check.explain import ExplainError, explain
from tests.unit.platform.check.builders import NAMESPACE, OTHER, forever_pod, gpu_job, unmask, world


def test_a_pending_pods_reasons_are_the_failedscheduling_message_word_for_word() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "bert", gpus=4))

    found = explain(w.target, "bert", NAMESPACE, now=w.clock.now())

    [finding] = [f for f in found.findings if f.kind == "unschedulable"]
    assert finding.message == w.events("bert-", "FailedScheduling")[-1]


def test_a_pending_pod_is_explained_per_pool_with_the_gpus_missing() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "bert", gpus=4))

    found = explain(w.target, "job/bert", NAMESPACE, now=w.clock.now())

    [finding] = [f for f in found.findings if f.kind == "unschedulable"]
    gpu = next(c for c in finding.classes if c.node_class == "pool gpu-a100")
    assert gpu.missing == {"nvidia.com/gpu": ("4", "2")}
    assert "pool gpu-a100: asks nvidia.com/gpu 4 per pod but at most 2 free" in finding.fix


def test_job_pods_refused_by_quota_are_read_from_failedcreate_with_a_count() -> None:
    w = world(gpu_quota="8")
    w.submit(gpu_job(w, "resnet"))
    w.submit(gpu_job(w, "bert"), settle=10)

    found = explain(w.target, "bert", NAMESPACE, now=w.clock.now())

    [refused] = [f for f in found.findings if f.kind == "refused"]
    events = w.events("bert", "FailedCreate")
    assert refused.message == unmask(events[0])
    assert refused.count == len(events)
    assert refused.fix.startswith("quota left: vision: requests.nvidia.com/gpu 0 left, 8 asked.")


def test_a_preempted_pod_names_the_pod_that_preempted_it() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", namespace=OTHER))
    w.submit(gpu_job(w, "vit", namespace=OTHER))
    urgent = gpu_job(w, "urgent")
    urgent["spec"]["template"]["spec"]["priorityClassName"] = "production"
    victims = {p["metadata"]["name"] for n in ("resnet", "vit") for p in w.pods(n, OTHER)}
    w.submit(urgent, settle=60)

    preempted = [
        f
        for name in ("resnet", "vit")
        for f in explain(w.target, name, OTHER, now=w.clock.now()).findings
        if f.kind == "preempted"
    ]

    urgent_pod = w.pods("urgent")[0]["metadata"]["name"]
    assert len(preempted) == 1
    assert preempted[0].subject.removeprefix(f"pod {OTHER}/") in victims
    assert f"(pod {NAMESPACE}/{urgent_pod})" in preempted[0].message


def test_a_claim_no_volume_matches_says_what_is_missing() -> None:
    w = world()
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "scratch", "namespace": NAMESPACE},
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "manual",
            "resources": {"requests": {"storage": "10Gi"}},
        },
    }
    w.submit(claim)
    job = gpu_job(w, "reader")
    job["spec"]["template"]["spec"]["volumes"] = [
        {"name": "data", "persistentVolumeClaim": {"claimName": "scratch"}}
    ]
    w.submit(job)

    found = explain(w.target, "reader", NAMESPACE, now=w.clock.now())

    [claim_finding] = [f for f in found.findings if f.kind == "claim"]
    assert claim_finding.message == (
        "no available PersistentVolume of class manual with at least 10Gi and access modes "
        "ReadWriteMany: there are none of that class"
    )


def test_something_that_does_not_exist_is_a_clear_error() -> None:
    w = world()

    with pytest.raises(ExplainError, match="no job, deployment or pod named 'ghost'"):
        explain(w.target, "ghost", NAMESPACE)


def test_a_job_in_pod_failure_back_off_says_until_when_and_the_engine_waits_that_long() -> None:
    w = world()
    job = gpu_job(w, "flaky", run_for="1s", backoffLimit=3)
    job["spec"]["template"]["metadata"]["annotations"]["sim.mlkube.io/exit-code"] = "1"
    w.submit(job, settle=3)

    [waiting] = [
        f
        for f in explain(w.target, "flaky", NAMESPACE, now=w.clock.now()).findings
        if f.kind == "backoff"
    ]
    w.cluster.advance(30)

    created = sorted(p["metadata"]["creationTimestamp"] for p in w.pods("flaky"))
    assert f"waits until {created[1]}" in waiting.message


def test_a_deployments_pending_replica_is_explained_like_a_jobs_pod() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=6, namespace=OTHER))
    template = gpu_job(w, "web", gpus=4)["spec"]["template"]
    template["metadata"]["labels"] = {"app": "web"}
    template["spec"]["restartPolicy"] = "Always"
    w.submit(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": NAMESPACE},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": template,
            },
        }
    )

    found = explain(w.target, "deployment/web", NAMESPACE, now=w.clock.now())

    [finding] = [f for f in found.findings if f.kind == "unschedulable"]
    assert finding.message == w.events("web-", "FailedScheduling")[-1]


def test_a_crashing_container_is_reported_in_crashloopbackoff_with_its_restarts() -> None:
    w = world()
    pod = forever_pod(w, "notebook", namespace=NAMESPACE)
    pod["metadata"]["annotations"] = {"sim.mlkube.io/run-for": "1s", "sim.mlkube.io/exit-code": "1"}
    w.submit(pod, settle=30)

    found = explain(w.target, "pod/notebook", NAMESPACE, now=w.clock.now())

    [crash] = [f for f in found.findings if f.kind == "backoff"]
    assert crash.message.startswith("container train is in CrashLoopBackOff after ")


def test_a_finished_job_says_how_it_finished_instead_of_nothing_holding_it_back() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=1, run_for="2s"), settle=30)

    found = explain(w.target, "resnet", NAMESPACE, now=w.clock.now())

    assert found.summary.endswith("; finished: Complete (CompletionsReached)")
    assert "nothing is holding it back" not in found.summary
