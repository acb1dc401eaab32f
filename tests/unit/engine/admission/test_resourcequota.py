"""ResourceQuota admission (apiserver/pkg/admission/plugin/resourcequota/admission_test.go;
messages observed on real clusters, ../shared/reference/k8s-semantics.md §5 and §10.5)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.admission.plugins.resourcequota import ResourceQuota
from mlkube.engine.errors import Forbidden

from .conftest import FakeContext, create, pod


def _quota(
    ctx: FakeContext,
    name: str,
    hard: dict[str, str],
    used: dict[str, str] | None = None,
    **spec: Any,
) -> None:
    status = {"hard": hard, "used": used if used is not None else dict.fromkeys(hard, "0")}
    ctx.add(
        "resourcequotas",
        {
            "metadata": {"name": name, "namespace": "ml"},
            "spec": {"hard": hard, **spec},
            "status": status,
        },
    )


def _gpu_pod(name: str, gpus: str, **extra: Any) -> dict[str, Any]:
    res = {"requests": {"nvidia.com/gpu": gpus}, "limits": {"nvidia.com/gpu": gpus}}
    return pod(name, containers=[{"name": "main", "image": "x", "resources": res}], **extra)


def _refusal(ctx: FakeContext, obj: dict[str, Any], resource: str = "pods") -> str:
    with pytest.raises(Forbidden) as err:
        ResourceQuota().validate(create(resource, obj), ctx)
    return err.value.message


def test_a_pod_over_a_memory_quota_is_refused_with_the_exact_figures(ctx: FakeContext) -> None:
    _quota(ctx, "mem-cpu-demo", {"requests.memory": "1Gi"}, {"requests.memory": "600Mi"})
    res = {"requests": {"memory": "700Mi"}, "limits": {"memory": "700Mi"}}
    obj = pod("quota-mem-cpu-demo-2", containers=[{"name": "c", "image": "x", "resources": res}])
    assert _refusal(ctx, obj) == (
        'pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, '
        "requested: requests.memory=700Mi, used: requests.memory=600Mi, "
        "limited: requests.memory=1Gi"
    )


def test_a_gpu_pod_over_a_gpu_quota_is_refused(ctx: FakeContext) -> None:
    _quota(ctx, "q1", {"requests.nvidia.com/gpu": "2"}, {"requests.nvidia.com/gpu": "2"})
    assert _refusal(ctx, _gpu_pod("x", "1")) == (
        'pods "x" is forbidden: exceeded quota: q1, requested: requests.nvidia.com/gpu=1, '
        "used: requests.nvidia.com/gpu=2, limited: requests.nvidia.com/gpu=2"
    )


def test_an_admitted_pod_is_charged_to_status_used(ctx: FakeContext) -> None:
    _quota(ctx, "team", {"requests.nvidia.com/gpu": "16", "pods": "10"})
    ResourceQuota().validate(create("pods", _gpu_pod("x", "8")), ctx)
    (written,) = ctx.status_writes
    assert written["status"]["used"] == {"pods": "1", "requests.nvidia.com/gpu": "8"}


def test_a_dry_run_is_checked_but_not_charged(ctx: FakeContext) -> None:
    _quota(ctx, "team", {"requests.nvidia.com/gpu": "16"})
    attrs = create("pods", _gpu_pod("x", "8"))
    attrs.dry_run = True
    ResourceQuota().validate(attrs, ctx)
    assert ctx.status_writes == []


def test_a_quota_on_cpu_and_memory_requires_every_container_to_state_them(ctx: FakeContext) -> None:
    hard = {
        "requests.cpu": "1",
        "requests.memory": "1Gi",
        "limits.cpu": "2",
        "limits.memory": "2Gi",
    }
    _quota(ctx, "example-resource-quota", hard)
    assert _refusal(ctx, pod("nginx2", containers=[{"name": "nginx", "image": "nginx"}])) == (
        'pods "nginx2" is forbidden: failed quota: example-resource-quota: must specify '
        "limits.cpu for: nginx; limits.memory for: nginx; requests.cpu for: nginx; "
        "requests.memory for: nginx"
    )


def test_init_containers_must_state_them_too_and_names_are_sorted(ctx: FakeContext) -> None:
    _quota(ctx, "compute", {"limits.cpu": "2"})
    containers = [{"name": "nginx", "image": "nginx"}]
    init = [{"name": "init-html", "image": "busybox"}]
    assert _refusal(ctx, pod("p", containers=containers, initContainers=init)) == (
        'pods "p" is forbidden: failed quota: compute: must specify limits.cpu for: init-html,nginx'
    )


def test_a_quota_whose_status_is_not_yet_computed_refuses(ctx: FakeContext) -> None:
    ctx.add(
        "resourcequotas",
        {"metadata": {"name": "fresh", "namespace": "ml"}, "spec": {"hard": {"pods": "5"}}},
    )
    ctx.objects[("resourcequotas", "ml", "fresh")]["status"] = {"hard": {"pods": "5"}}
    assert _refusal(ctx, pod("p")) == (
        'pods "p" is forbidden: status unknown for quota: fresh, resources: pods'
    )


def test_count_of_jobs_is_limited(ctx: FakeContext) -> None:
    _quota(ctx, "objects", {"count/jobs.batch": "1"}, {"count/jobs.batch": "1"})
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "train"}, "spec": {}}
    assert _refusal(ctx, job, "jobs") == (
        'jobs.batch "train" is forbidden: exceeded quota: objects, requested: count/jobs.batch=1, '
        "used: count/jobs.batch=1, limited: count/jobs.batch=1"
    )


def test_a_scoped_quota_only_tracks_matching_pods(ctx: FakeContext) -> None:
    selector = {
        "matchExpressions": [
            {"scopeName": "PriorityClass", "operator": "In", "values": ["production"]}
        ]
    }
    _quota(ctx, "prod-gpus", {"requests.nvidia.com/gpu": "0"}, scopeSelector=selector)
    ResourceQuota().validate(
        create("pods", _gpu_pod("research", "1", priorityClassName="research")), ctx
    )
    assert "exceeded quota: prod-gpus" in _refusal(
        ctx, _gpu_pod("prod", "1", priorityClassName="production")
    )


def test_the_first_failing_quota_by_name_refuses(ctx: FakeContext) -> None:
    _quota(ctx, "b-quota", {"pods": "0"})
    _quota(ctx, "a-quota", {"pods": "0"})
    assert "exceeded quota: a-quota" in _refusal(ctx, pod("p"))
