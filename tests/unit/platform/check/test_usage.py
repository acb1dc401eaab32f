"""quota and top: the quota controller's figures, the scheduler's allocation, fragmentation."""

from __future__ import annotations

from mlkube.platform.check.usage import quotas, top
from tests.unit.platform.check.builders import NAMESPACE, OTHER, gpu_job, world


def test_quota_shows_used_and_hard_per_team_gpus_first() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=4))

    [vision] = quotas(w.state(), team=NAMESPACE)

    first = vision.lines[0]
    assert (first.resource, first.used, first.hard, first.fraction) == (
        "requests.nvidia.com/gpu",
        "4",
        "16",
        0.25,
    )


def test_quota_lists_every_team_of_the_platform() -> None:
    w = world()

    assert [(q.team, q.namespace) for q in quotas(w.state())] == [
        (OTHER, OTHER),
        (NAMESPACE, NAMESPACE),
    ]


def test_top_sums_what_bound_pods_request_per_pool() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=4))
    w.submit(gpu_job(w, "vit", gpus=2))

    pools = {p.name: p for p in top(w.state()).pools}

    assert pools["gpu-a100"].allocated["nvidia.com/gpu"] == "6"
    assert pools["gpu-a100"].allocatable["nvidia.com/gpu"] == "16"
    assert next(iter(pools["gpu-a100"].allocated)) == "nvidia.com/gpu"


def test_free_gpus_split_across_nodes_that_no_pending_pod_can_use_are_stranded() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "bert", gpus=4))

    report = top(w.state())

    gpu = next(p for p in report.pools if p.name == "gpu-a100")
    assert (gpu.free_gpus, gpu.stranded_gpus) == (4, 4)
    assert list(report.pending_gpu_requests.values()) == [4]


def test_free_gpus_a_pending_pod_could_use_are_not_stranded() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=8, namespace=OTHER))
    w.submit(gpu_job(w, "bert", gpus=4))

    gpu = next(p for p in top(w.state()).pools if p.name == "gpu-a100")

    assert (gpu.free_gpus, gpu.stranded_gpus) == (2, 2)
    assert len(top(w.state()).nodes) == 4
