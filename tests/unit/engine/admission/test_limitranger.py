"""LimitRanger (plugin/pkg/admission/limitranger/admission_test.go; messages observed on
real clusters, ../shared/reference/k8s-semantics.md §4 and §10.5)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.admission.plugins.limitranger import ANNOTATION, LimitRanger
from mlkube.engine.errors import Forbidden

from .conftest import FakeContext, create, pod


def _limit_range(ctx: FakeContext, *items: dict[str, Any], name: str = "limits") -> None:
    ctx.add(
        "limitranges",
        {"metadata": {"name": name, "namespace": "ml"}, "spec": {"limits": list(items)}},
    )


def _container(name: str = "main", **resources: dict[str, str]) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": "busybox"}
    if resources:
        c["resources"] = resources
    return c


def _admit_and_validate(ctx: FakeContext, obj: dict[str, Any], resource: str = "pods") -> dict:
    attrs = create(resource, obj)
    plugin = LimitRanger()
    plugin.admit(attrs, ctx)
    plugin.validate(attrs, ctx)
    assert attrs.obj is not None
    return attrs.obj


def _refusal(ctx: FakeContext, obj: dict[str, Any], resource: str = "pods") -> str:
    with pytest.raises(Forbidden) as err:
        _admit_and_validate(ctx, obj, resource)
    return err.value.message


def test_missing_requests_and_limits_get_the_defaults_and_an_annotation(ctx: FakeContext) -> None:
    _limit_range(
        ctx,
        {
            "type": "Container",
            "default": {"cpu": "1", "memory": "4Gi"},
            "defaultRequest": {"cpu": "500m", "memory": "2Gi"},
        },
    )
    out = _admit_and_validate(ctx, pod(containers=[_container("trainer")]))
    assert out["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "500m", "memory": "2Gi"},
        "limits": {"cpu": "1", "memory": "4Gi"},
    }
    assert out["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: cpu, memory request for container trainer; "
        "cpu, memory limit for container trainer"
    )


def test_stated_values_are_kept_and_only_the_missing_ones_are_set(ctx: FakeContext) -> None:
    _limit_range(
        ctx, {"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1"}}
    )
    out = _admit_and_validate(ctx, pod(containers=[_container(requests={"cpu": "250m"})]))
    assert out["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "250m"},
        "limits": {"cpu": "1"},
    }
    assert out["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: cpu limit for container main"
    )


def test_init_containers_are_defaulted_and_named_as_init_containers(ctx: FakeContext) -> None:
    _limit_range(ctx, {"type": "Container", "defaultRequest": {"cpu": "100m"}})
    out = _admit_and_validate(
        ctx, pod(initContainers=[_container("fetch")], containers=[_container("main")])
    )
    assert out["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: cpu request for container main; "
        "cpu request for init container fetch"
    )


def test_a_pod_needing_nothing_gets_no_annotation(ctx: FakeContext) -> None:
    out = _admit_and_validate(ctx, pod())
    assert "annotations" not in out["metadata"]


@pytest.mark.parametrize(
    ("item", "resources", "message"),
    [
        pytest.param(
            {"type": "Container", "max": {"cpu": "800m"}},
            {"limits": {"cpu": "1500m"}, "requests": {"cpu": "1500m"}},
            "maximum cpu usage per Container is 800m, but limit is 1500m",
            id="a limit above max is refused (observed)",
        ),
        pytest.param(
            {"type": "Container", "min": {"memory": "500Mi"}},
            {"requests": {"memory": "100Mi"}},
            "minimum memory usage per Container is 500Mi, but request is 100Mi",
            id="a request below min is refused (observed)",
        ),
        pytest.param(
            {"type": "Container", "min": {"memory": "500Mi"}},
            {},
            "minimum memory usage per Container is 500Mi.  No request is specified",
            id="a missing request under a min is refused, with two spaces",
        ),
        pytest.param(
            {"type": "Container", "max": {"nvidia.com/gpu": "8"}},
            {"requests": {"nvidia.com/gpu": "1"}},
            "maximum nvidia.com/gpu usage per Container is 8.  No limit is specified",
            id="a missing limit under a max is refused",
        ),
        pytest.param(
            {"type": "Container", "min": {"cpu": "1"}},
            {"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}},
            "minimum cpu usage per Container is 1, but limit is 500m",
            id="a limit below min is refused",
        ),
        pytest.param(
            {"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}},
            {"requests": {"cpu": "250m"}, "limits": {"cpu": "1"}},
            "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000",
            id="a limit four times the request breaks a ratio of 2",
        ),
        pytest.param(
            {"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}},
            {"limits": {"cpu": "1"}},
            "cpu max limit to request ratio per Container is 2, but no request is specified or "
            "request is 0",
            id="a ratio needs a request",
        ),
    ],
)
def test_container_constraints_refuse_with_the_upstream_words(
    ctx: FakeContext, item: dict[str, Any], resources: dict[str, Any], message: str
) -> None:
    _limit_range(ctx, item)
    assert _refusal(ctx, pod("x", containers=[_container(**resources)])) == (
        f'pods "x" is forbidden: {message}'
    )


def test_two_violations_are_refused_together_in_brackets(ctx: FakeContext) -> None:
    _limit_range(
        ctx, {"type": "Container", "max": {"cpu": "500m"}, "maxLimitRequestRatio": {"cpu": "2"}}
    )
    container = _container(requests={"cpu": "250m"}, limits={"cpu": "1"})
    assert _refusal(ctx, pod("shop", containers=[container])) == (
        'pods "shop" is forbidden: [maximum cpu usage per Container is 500m, but limit is 1, '
        "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000]"
    )


def test_pod_items_apply_to_the_sum_of_the_containers(ctx: FakeContext) -> None:
    _limit_range(ctx, {"type": "Pod", "max": {"cpu": "2"}})
    containers = [
        _container("a", requests={"cpu": "1"}, limits={"cpu": "1500m"}),
        _container("b", requests={"cpu": "1"}, limits={"cpu": "1"}),
    ]
    assert _refusal(ctx, pod("x", containers=containers)) == (
        'pods "x" is forbidden: maximum cpu usage per Pod is 2, but limit is 2500m'
    )


def test_defaults_are_applied_before_the_limits_are_checked(ctx: FakeContext) -> None:
    _limit_range(
        ctx,
        {
            "type": "Container",
            "default": {"cpu": "1"},
            "defaultRequest": {"cpu": "1"},
            "max": {"cpu": "2"},
        },
    )
    _admit_and_validate(ctx, pod())


@pytest.mark.parametrize(
    ("storage", "message"),
    [
        pytest.param(
            "200Gi",
            "maximum storage usage per PersistentVolumeClaim is 100Gi, but request is 200Gi",
            id="a claim above max",
        ),
        pytest.param(
            "1Gi",
            "minimum storage usage per PersistentVolumeClaim is 10Gi, but request is 1Gi",
            id="a claim below min",
        ),
    ],
)
def test_claims_are_held_to_persistent_volume_claim_items(
    ctx: FakeContext, storage: str, message: str
) -> None:
    _limit_range(
        ctx,
        {"type": "PersistentVolumeClaim", "min": {"storage": "10Gi"}, "max": {"storage": "100Gi"}},
    )
    claim = {
        "metadata": {"name": "data"},
        "spec": {"resources": {"requests": {"storage": storage}}},
    }
    assert _refusal(ctx, claim, "persistentvolumeclaims") == (
        f'persistentvolumeclaims "data" is forbidden: {message}'
    )


def test_pod_updates_are_not_limited(ctx: FakeContext) -> None:
    from mlkube.engine.admission.interface import Operation

    _limit_range(ctx, {"type": "Container", "max": {"cpu": "1"}})
    attrs = create("pods", pod(containers=[_container(limits={"cpu": "4"})]))
    attrs.operation = Operation.UPDATE
    LimitRanger().validate(attrs, ctx)
