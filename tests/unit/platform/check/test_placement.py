"""check's placement, gang, "ever" and "when" answers are what the embedded cluster then does.

Each specification checks a workload against the cluster's state, submits it to the same
cluster and observes the node it gets, the FailedScheduling message, or the virtual time at
which it is bound.
"""

from __future__ import annotations

from mlkube.api.timestamps import parse_time
from mlkube.platform.check import check
from tests.unit.platform.check.builders import OTHER, forever_pod, gpu_job, world


def test_a_pod_with_one_best_node_is_predicted_onto_the_node_the_scheduler_binds_it_to() -> None:
    w = world(gpu_nodes=3)
    w.submit(gpu_job(w, "a", gpus=4))
    w.submit(gpu_job(w, "b", gpus=2))
    job = gpu_job(w, "c", gpus=2)

    report = check([job], w.state(), now=w.clock.now())
    w.submit(job)

    assert [(p.node, p.tied) for p in report.placements] == [(w.nodes_of("c")[0], w.nodes_of("c"))]


def test_each_job_lands_on_one_of_the_nodes_check_says_tie_for_best() -> None:
    w = world(gpu_nodes=3)
    for name, gpus in (("a", 4), ("b", 8), ("c", 2), ("d", 4), ("e", 1)):
        job = gpu_job(w, name, gpus=gpus)
        report = check([job], w.state(), now=w.clock.now())
        w.submit(job)
        placement = report.placements[0]
        assert placement.node in placement.tied, name
        assert w.nodes_of(name)[0] in placement.tied, name


def test_a_pod_that_fits_nowhere_gets_the_failedscheduling_message_word_for_word() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6))
    w.submit(gpu_job(w, "vit", gpus=6))
    job = gpu_job(w, "bert", gpus=4)

    report = check([job], w.state(), now=w.clock.now())
    w.submit(job)

    assert [p.message for p in report.placements] == w.events("bert", "FailedScheduling")
    assert report.placements[0].message.startswith("0/4 nodes are available: ")


def test_the_per_pool_detail_says_how_much_of_which_resource_is_missing() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6))
    w.submit(gpu_job(w, "vit", gpus=6))

    report = check([gpu_job(w, "bert", gpus=4)], w.state(), now=w.clock.now())

    classes = {c.node_class: c for c in report.placements[0].classes}
    assert classes["pool gpu-a100"].missing == {"nvidia.com/gpu": ("4", "2")}
    assert classes["pool gpu-a100"].reasons == {"Insufficient nvidia.com/gpu": 2}
    assert "node affinity" in next(iter(classes["pool general"].reasons))


def test_a_pod_without_the_gpu_toleration_is_told_which_taint_keeps_it_off() -> None:
    w = world()

    report = check([gpu_job(w, "resnet", tolerate=False)], w.state(), now=w.clock.now())

    gpu = next(c for c in report.placements[0].classes if c.node_class == "pool gpu-a100")
    assert "add a toleration for the taint nvidia.com/gpu=present:NoSchedule" in gpu.fix
    assert report.ever is not None
    assert report.ever.reasons == [
        "only nodes with the untolerated taint nvidia.com/gpu=present:NoSchedule are large "
        "enough (gpu-a100-0, gpu-a100-1); add a toleration for it"
    ]


def test_a_distributed_job_fits_at_once_on_distinct_nodes_where_the_scheduler_puts_it() -> None:
    w = world(gpu_nodes=3)
    job = gpu_job(w, "ddp", nodes=3)

    report = check([job], w.state(), now=w.clock.now())
    w.submit(job)

    assert report.gang is not None
    assert report.gang.feasible
    assert sorted(report.gang.nodes) == sorted(w.nodes_of("ddp"))
    assert report.gang.distinct


def test_a_gang_is_infeasible_now_when_only_n_minus_1_nodes_are_free() -> None:
    w = world(gpu_nodes=3)
    w.submit(gpu_job(w, "resnet", run_for="20m"))

    report = check([gpu_job(w, "ddp", nodes=3)], w.state(), now=w.clock.now())

    assert report.gang is not None
    assert not report.gang.feasible
    assert report.gang.placed == 2
    assert report.gang.message.startswith("0/5 nodes are available: ")
    assert report.estimated_start is not None


def test_a_pod_larger_than_any_node_can_never_run_and_names_the_largest_node() -> None:
    w = world()

    report = check([gpu_job(w, "giant", gpus=16)], w.state(), now=w.clock.now())

    assert report.ever is not None
    assert not report.ever.possible
    assert (
        "asks 16 nvidia.com/gpu per pod, more than any node has: the largest is gpu-a100-0 "
        "with 8" in report.ever.reasons
    )
    assert report.estimated_start is None


def test_a_gang_larger_than_the_quota_can_never_run_and_names_the_quota() -> None:
    w = world(gpu_nodes=3, gpu_quota="16")

    report = check([gpu_job(w, "ddp", nodes=3)], w.state(), now=w.clock.now())

    assert report.ever is not None
    assert report.ever.reasons == [
        "quota vision/vision allows requests.nvidia.com/gpu=16 in all, the 3 pods that must run "
        "together ask 24"
    ]


def test_the_estimated_start_is_when_the_engine_binds_the_pod_after_the_gpus_free_up() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", run_for="20m", namespace=OTHER))
    w.submit(gpu_job(w, "vit", run_for="30m", namespace=OTHER))
    job = gpu_job(w, "bert", gpus=8)
    report = check([job], w.state(), now=w.clock.now())
    w.submit(job)

    w.cluster.advance(40 * 60)

    pod = w.pods("bert")[0]
    scheduled = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert report.estimated_start is not None
    assert parse_time(scheduled["lastTransitionTime"]) == report.estimated_start


def test_a_quota_bound_job_starts_at_the_job_controllers_first_retry_after_quota_frees() -> None:
    w = world(gpu_quota="8")
    w.submit(gpu_job(w, "resnet", run_for="20m"))
    job = gpu_job(w, "bert")
    report = check([job], w.state(), now=w.clock.now())
    w.submit(job)

    w.cluster.advance(30 * 60)

    pod = w.pods("bert")[0]
    assert not report.admitted
    assert parse_time(pod["metadata"]["creationTimestamp"]) == report.estimated_start


def test_the_start_is_unknown_when_nothing_in_the_way_has_a_known_end() -> None:
    w = world()
    w.submit(forever_pod(w, "notebook-0"))
    w.submit(forever_pod(w, "notebook-1"))

    report = check([gpu_job(w, "bert")], w.state(), now=w.clock.now())

    assert report.estimated_start is None
    assert report.start_note.startswith("unknown")


def test_the_pool_the_affinity_excludes_is_told_which_expression_fails() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", namespace=OTHER))
    w.submit(gpu_job(w, "vit", namespace=OTHER))

    report = check([gpu_job(w, "bert")], w.state(), now=w.clock.now())

    general = next(c for c in report.placements[0].classes if c.node_class == "pool general")
    assert "(mlkube.io/pool In [gpu-a100])" in general.fix


def test_pods_already_pending_at_the_same_priority_are_counted_as_ahead_in_the_queue() -> None:
    w = world()
    w.submit(forever_pod(w, "notebook-0"))
    w.submit(forever_pod(w, "notebook-1"))
    w.submit(forever_pod(w, "waiting", namespace="default"))

    report = check([gpu_job(w, "bert")], w.state(), now=w.clock.now())

    assert report.queued_ahead == 1


def test_a_deployments_replicas_are_placed_where_the_replicaset_controllers_pods_go() -> None:
    w = world()
    template = gpu_job(w, "web")["spec"]["template"]
    template["metadata"]["labels"] = {"app": "web"}
    template["spec"]["restartPolicy"] = "Always"
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "vision"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template},
    }

    report = check([deployment], w.state(), now=w.clock.now())
    w.submit(deployment)

    placed = sorted(p["spec"]["nodeName"] for p in w.cluster.list("pods", "vision"))
    assert sorted(str(p.node) for p in report.placements) == placed
    assert placed == ["gpu-a100-0", "gpu-a100-1"]


def test_a_workloads_own_new_claim_is_bound_as_the_binder_binds_it_before_placement() -> None:
    w = world()
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "results", "namespace": "vision"},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    job = gpu_job(w, "trial")
    job["spec"]["template"]["spec"]["volumes"] = [
        {"name": "results", "persistentVolumeClaim": {"claimName": "results"}}
    ]

    report = check([claim, job], w.state(), now=w.clock.now())
    w.cluster.create(claim)
    w.submit(job)

    placement = report.placements[0]
    assert placement.message == ""
    assert w.nodes_of("trial")[0] in placement.tied
