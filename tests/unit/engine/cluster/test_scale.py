"""The scale subresource of Deployments, ReplicaSets and StatefulSets (autoscaling/v1 Scale)."""

from __future__ import annotations

import pytest

from mlkube.api.registry import lookup
from mlkube.engine.cluster import Cluster
from mlkube.engine.errors import Conflict, Invalid, NotFound

from .conftest import container

DEPLOYMENTS = lookup("deployments")


def _deployment(cluster: Cluster) -> dict:
    return cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "serve", "namespace": "ml"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "serve"}},
                "template": {
                    "metadata": {"labels": {"app": "serve"}},
                    "spec": {"containers": [container()]},
                },
            },
        }
    )


def test_a_deployment_scale_reports_replicas_and_selector(cluster: Cluster) -> None:
    created = _deployment(cluster)
    scale = cluster.api.get_scale(DEPLOYMENTS, "ml", "serve")
    assert scale["apiVersion"] == "autoscaling/v1"
    assert scale["kind"] == "Scale"
    assert scale["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 0, "selector": "app=serve"}


def test_updating_the_scale_sets_spec_replicas_and_bumps_generation(cluster: Cluster) -> None:
    _deployment(cluster)
    scale = cluster.api.update_scale(DEPLOYMENTS, "ml", "serve", {"spec": {"replicas": 5}})
    assert scale["spec"] == {"replicas": 5}
    deployment = cluster.get("deployments", "serve", "ml")
    assert deployment["spec"]["replicas"] == 5
    assert deployment["metadata"]["generation"] == 2


def test_a_merge_patch_on_the_scale_changes_replicas(cluster: Cluster) -> None:
    _deployment(cluster)
    patch = {"spec": {"replicas": 0}}
    scale = cluster.api.patch_scale(
        DEPLOYMENTS, "ml", "serve", patch, "application/merge-patch+json"
    )
    assert scale["spec"] == {}  # autoscaling/v1 ScaleSpec.replicas is omitempty
    assert cluster.get("deployments", "serve", "ml")["spec"]["replicas"] == 0


def test_a_stale_scale_conflicts(cluster: Cluster) -> None:
    _deployment(cluster)
    stale = cluster.api.get_scale(DEPLOYMENTS, "ml", "serve")
    cluster.api.update_scale(DEPLOYMENTS, "ml", "serve", {"spec": {"replicas": 3}})
    stale["spec"]["replicas"] = 4
    with pytest.raises(Conflict):
        cluster.api.update_scale(DEPLOYMENTS, "ml", "serve", stale)


def test_negative_replicas_are_invalid(cluster: Cluster) -> None:
    _deployment(cluster)
    with pytest.raises(Invalid) as err:
        cluster.api.update_scale(DEPLOYMENTS, "ml", "serve", {"spec": {"replicas": -1}})
    assert err.value.message == (
        'Scale.autoscaling "serve" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0"
    )


def test_a_type_without_scale_has_no_scale_subresource(cluster: Cluster) -> None:
    with pytest.raises(NotFound):
        cluster.api.get_scale(lookup("configmaps"), "ml", "x")
