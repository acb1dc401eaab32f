"""read_state lists what a check reads, any cluster through ClusterAPI."""

from __future__ import annotations

from mlkube.platform.check import read_state
from tests.unit.platform.check.builders import NAMESPACE, OTHER, gpu_job, world


def test_a_state_for_one_namespace_keeps_every_pod_and_job_but_only_its_quotas() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", namespace=OTHER))

    state = read_state(w.target, [NAMESPACE])

    assert [q["metadata"]["namespace"] for q in state.resource_quotas] == [NAMESPACE]
    assert [j["metadata"]["name"] for j in state.jobs] == ["resnet"]
    assert {p["metadata"]["namespace"] for p in state.pods} >= {OTHER}
    assert len(state.nodes) == 4


def test_the_published_surface_is_pinned() -> None:
    import mlkube.platform.check as package

    assert package.__all__ == [
        "GENERATED",
        "CheckInputError",
        "CheckReport",
        "ClusterState",
        "ContainerDefaults",
        "EverResult",
        "GangResult",
        "NodeClassDetail",
        "PodPlacement",
        "Refusal",
        "check",
        "latest_time",
        "read_state",
    ]
