"""check's admission answers are the embedded cluster's, word for word.

Each specification checks a workload against a cluster's state, then creates it in the same
embedded cluster and compares what admission and the Job controller actually said.
"""

from __future__ import annotations

import copy

from mlkube.platform.check import GENERATED, check
from tests.unit.platform.check.builders import NAMESPACE, cpu_pod, gpu_job, unmask, world


def test_a_job_beyond_the_gpu_quota_is_refused_with_the_job_controllers_failedcreate_event() -> (
    None
):
    w = world()
    w.submit(gpu_job(w, "resnet"))
    w.submit(gpu_job(w, "vit"))
    bert = gpu_job(w, "bert")

    report = check([bert], w.state(), now=w.clock.now())
    w.submit(bert)

    assert not report.admitted
    assert [r.message for r in report.refusals] == [unmask(w.events("bert", "FailedCreate")[0])]


def test_the_quota_refusal_states_the_exact_figures_and_the_headroom() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet"))

    report = check([gpu_job(w, "big", gpus=8, nodes=2)], w.state(), now=w.clock.now())

    refusal = report.refusals[0]
    assert refusal.reason == (
        "exceeded quota: vision, requested: requests.nvidia.com/gpu=8, "
        "used: requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    )
    assert "vision: requests.nvidia.com/gpu 0 left, 8 asked" in refusal.fix


def test_the_second_pod_of_a_gang_is_the_one_quota_refuses() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet"))
    gang = gpu_job(w, "ddp", nodes=2)

    report = check([gang], w.state(), now=w.clock.now())
    w.submit(gang)

    assert [r.message for r in report.refusals] == [unmask(w.events("ddp", "FailedCreate")[0])]
    assert report.refusals[0].message.startswith(f'Error creating: pods "ddp-1-{GENERATED}"')


def test_a_container_over_the_limitrange_maximum_is_refused_as_limitranger_refuses_it() -> None:
    w = world()
    job = gpu_job(w, "huge", cpu="128")

    report = check([job], w.state(), now=w.clock.now())
    w.submit(job)

    assert [r.message for r in report.refusals] == [unmask(w.events("huge", "FailedCreate")[0])]
    assert "maximum cpu usage per Container is 96, but limit is 128" in report.refusals[0].reason


def test_limitrange_defaults_are_the_requests_and_limits_the_created_pod_gets() -> None:
    w = world()
    pod = cpu_pod("notebook")

    report = check([pod], w.state(), now=w.clock.now())
    created = w.cluster.create(pod)

    resources = created["spec"]["containers"][0]["resources"]
    assert [(d.container, d.requests, d.limits) for d in report.defaults] == [
        ("main", resources["requests"], resources["limits"])
    ]


def test_a_workload_within_quota_and_limits_is_admitted() -> None:
    w = world()

    report = check([gpu_job(w, "resnet")], w.state(), now=w.clock.now())

    assert report.admitted
    assert report.refusals == []


def test_a_pod_in_a_missing_namespace_is_refused_as_namespacelifecycle_refuses_it() -> None:
    w = world()
    pod = cpu_pod("p", cpu="1")
    pod["metadata"]["namespace"] = "nowhere"

    report = check([pod], w.state(), now=w.clock.now())

    assert report.refusals[0].message == 'namespaces "nowhere" not found'
    assert "create the namespace" in report.refusals[0].fix


def test_checking_never_changes_the_state_it_reads() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet"))
    state = w.state()
    before = copy.deepcopy(state)

    check([gpu_job(w, "vit", nodes=2)], state, now=w.clock.now())

    assert state == before
    assert NAMESPACE in {n["metadata"]["name"] for n in state.namespaces}


def test_a_job_whose_name_is_taken_is_refused_as_the_api_server_refuses_it() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet"))

    report = check([gpu_job(w, "resnet")], w.state(), now=w.clock.now())

    assert [r.message for r in report.refusals] == ['jobs.batch "resnet" already exists']
    assert report.refusals[0].fix.startswith("delete the existing object first")
