"""ResourceQuota and LimitRange end to end: the quota controller computes status, admission
refuses with the exact figures, and terminal or deleted pods stop counting."""

from __future__ import annotations

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.errors import Forbidden

from .conftest import container, job, pod, quota

GPU = {"nvidia.com/gpu": "4"}


def _gpu_pod(name: str, gpus: str = "4"):
    res = {"nvidia.com/gpu": gpus}
    return pod(name, containers=[container(requests=res, limits=res)])


def test_the_quota_controller_fills_in_hard_and_used(cluster: Cluster) -> None:
    cluster.create(quota("team", {"requests.nvidia.com/gpu": "8", "pods": "10"}))
    cluster.run_until_idle()
    status = cluster.get("resourcequotas", "team", "ml")["status"]
    assert status == {
        "hard": {"pods": "10", "requests.nvidia.com/gpu": "8"},
        "used": {"pods": "0", "requests.nvidia.com/gpu": "0"},
    }


def test_a_pod_beyond_the_gpu_quota_is_refused_with_the_exact_figures(cluster: Cluster) -> None:
    cluster.create(quota("team", {"requests.nvidia.com/gpu": "8"}))
    cluster.run_until_idle()
    cluster.create(_gpu_pod("a"))
    cluster.create(_gpu_pod("b"))
    with pytest.raises(Forbidden) as err:
        cluster.create(_gpu_pod("c"))
    assert err.value.message == (
        'pods "c" is forbidden: exceeded quota: team, requested: requests.nvidia.com/gpu=4, '
        "used: requests.nvidia.com/gpu=8, limited: requests.nvidia.com/gpu=8"
    )


def test_a_quota_whose_status_is_not_computed_yet_matches_nothing(cluster: Cluster) -> None:
    # Upstream's Matches() looks at status.hard: before the quota controller's first sync
    # the quota limits nothing, and the pod is only counted once the controller runs.
    cluster.create(quota("team", {"pods": "1"}))
    cluster.create(pod("early"))
    cluster.run_until_idle()
    assert cluster.get("resourcequotas", "team", "ml")["status"]["used"] == {"pods": "1"}
    with pytest.raises(Forbidden) as err:
        cluster.create(pod("late"))
    assert err.value.message == (
        'pods "late" is forbidden: exceeded quota: team, requested: pods=1, used: pods=1, '
        "limited: pods=1"
    )


def test_a_finished_pod_stops_counting(cluster: Cluster) -> None:
    cluster.create(quota("team", {"requests.nvidia.com/gpu": "4"}))
    cluster.run_until_idle()
    running = cluster.create(_gpu_pod("a"))
    running["status"]["phase"] = "Succeeded"
    cluster.update_status(running)
    cluster.run_until_idle()
    used = cluster.get("resourcequotas", "team", "ml")["status"]["used"]
    assert used == {"requests.nvidia.com/gpu": "0"}
    cluster.create(_gpu_pod("b"))


def test_a_deleted_pod_stops_counting(cluster: Cluster) -> None:
    cluster.create(quota("team", {"pods": "1"}))
    cluster.run_until_idle()
    cluster.create(pod("a"))
    cluster.delete("pods", "a", "ml")
    cluster.run_until_idle()
    assert cluster.get("resourcequotas", "team", "ml")["status"]["used"] == {"pods": "0"}
    cluster.create(pod("b"))


def test_jobs_are_counted_by_count_jobs_batch(cluster: Cluster) -> None:
    cluster.create(quota("objects", {"count/jobs.batch": "1"}))
    cluster.run_until_idle()
    cluster.create(job("one"))
    with pytest.raises(Forbidden) as err:
        cluster.create(job("two"))
    assert err.value.message == (
        'jobs.batch "two" is forbidden: exceeded quota: objects, requested: count/jobs.batch=1, '
        "used: count/jobs.batch=1, limited: count/jobs.batch=1"
    )


def test_limit_range_defaults_satisfy_a_cpu_quota(cluster: Cluster) -> None:
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": "defaults", "namespace": "ml"},
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "default": {"cpu": "1", "memory": "4Gi"},
                        "defaultRequest": {"cpu": "500m", "memory": "2Gi"},
                    }
                ]
            },
        }
    )
    cluster.create(
        quota(
            "compute",
            {
                "requests.cpu": "2",
                "requests.memory": "8Gi",
                "limits.cpu": "4",
                "limits.memory": "16Gi",
            },
        )
    )
    cluster.run_until_idle()
    created = cluster.create(pod("p"))
    assert created["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "1", "memory": "4Gi"},
        "requests": {"cpu": "500m", "memory": "2Gi"},
    }
    cluster.run_until_idle()
    used = cluster.get("resourcequotas", "compute", "ml")["status"]["used"]
    assert used == {
        "limits.cpu": "1",
        "limits.memory": "4Gi",
        "requests.cpu": "500m",
        "requests.memory": "2Gi",
    }


def test_a_pod_without_requests_under_a_cpu_quota_must_specify_them(cluster: Cluster) -> None:
    cluster.create(quota("compute", {"requests.cpu": "2"}))
    cluster.run_until_idle()
    with pytest.raises(Forbidden) as err:
        cluster.create(pod("p"))
    assert err.value.message == (
        'pods "p" is forbidden: failed quota: compute: must specify requests.cpu for: main'
    )


def test_a_limit_range_max_refuses_a_big_gpu_container(cluster: Cluster) -> None:
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": "max", "namespace": "ml"},
            "spec": {"limits": [{"type": "Container", "max": {"nvidia.com/gpu": "8"}}]},
        }
    )
    with pytest.raises(Forbidden) as err:
        cluster.create(_gpu_pod("big", "16"))
    assert err.value.message == (
        'pods "big" is forbidden: maximum nvidia.com/gpu usage per Container is 8, but limit is 16'
    )


def test_priority_classes_resolve_and_only_one_may_be_default(cluster: Cluster) -> None:
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "value": 1000}
    cluster.create({**pc, "metadata": {"name": "research"}, "globalDefault": True})
    assert cluster.create(pod("p"))["spec"]["priority"] == 1000
    with pytest.raises(Forbidden) as err:
        cluster.create({**pc, "metadata": {"name": "other"}, "globalDefault": True})
    assert err.value.message == (
        'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass research is '
        "already marked as default. Only one default can exist"
    )
