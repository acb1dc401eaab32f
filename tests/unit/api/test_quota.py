"""Quota evaluation as pure rules (pkg/quota/v1/evaluator/core/pods_test.go,
persistent_volume_claims_test.go)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.api.quantity import parse_quantity
from mlkube.api.quota import (
    matching_resources,
    object_count_name,
    pod_is_charged,
    pod_usage,
    quota_matches,
    usage,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _pod(phase: str = "Running", **spec: Any) -> dict[str, Any]:
    containers = spec.pop(
        "containers",
        [
            {
                "name": "c",
                "resources": {
                    "requests": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "2"},
                    "limits": {"cpu": "2", "memory": "1Gi", "nvidia.com/gpu": "2"},
                },
            }
        ],
    )
    return {
        "metadata": {"name": "p"},
        "spec": {"containers": containers, **spec},
        "status": {"phase": phase},
    }


def _strs(resources: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in resources.items()}


def test_a_running_pod_costs_its_requests_limits_and_extended_requests() -> None:
    assert _strs(pod_usage(_pod(), NOW)) == {
        "count/pods": "1",
        "pods": "1",
        "cpu": "1",
        "requests.cpu": "1",
        "limits.cpu": "2",
        "memory": "1Gi",
        "requests.memory": "1Gi",
        "limits.memory": "1Gi",
        "requests.nvidia.com/gpu": "2",
    }


@pytest.mark.parametrize("phase", ["Succeeded", "Failed"])
def test_a_terminal_pod_costs_only_its_object_count(phase: str) -> None:
    assert _strs(pod_usage(_pod(phase), NOW)) == {"count/pods": "1"}


def test_a_pod_past_its_deletion_grace_costs_nothing_but_its_count() -> None:
    pod = _pod()
    pod["metadata"]["deletionTimestamp"] = "2026-11-30T23:59:00Z"
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    assert not pod_is_charged(pod, NOW)
    pod["metadata"]["deletionGracePeriodSeconds"] = 300
    assert pod_is_charged(pod, NOW)


def test_object_count_names_carry_the_group() -> None:
    assert object_count_name("jobs", "batch") == "count/jobs.batch"
    assert object_count_name("pods", "") == "count/pods"


def test_a_claim_costs_its_storage_request_per_class() -> None:
    claim = {"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "10Gi"}}}}
    assert _strs(usage("persistentvolumeclaims", "", claim, NOW)) == {
        "persistentvolumeclaims": "1",
        "count/persistentvolumeclaims": "1",
        "fast.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
        "requests.storage": "10Gi",
        "fast.storageclass.storage.k8s.io/requests.storage": "10Gi",
    }


def test_a_configmap_costs_its_legacy_and_count_names() -> None:
    assert _strs(usage("configmaps", "", {}, NOW)) == {"count/configmaps": "1", "configmaps": "1"}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(
            ["requests.nvidia.com/gpu", "count/jobs.batch"], ["requests.nvidia.com/gpu"], id="gpus"
        ),
        pytest.param(
            ["limits.nvidia.com/gpu"], [], id="limits of extended resources are not quota"
        ),
        pytest.param(
            ["hugepages-2Mi", "requests.hugepages-1Gi"],
            ["hugepages-2Mi", "requests.hugepages-1Gi"],
            id="hugepages",
        ),
        pytest.param(["pods", "cpu", "services"], ["pods", "cpu"], id="compute names"),
    ],
)
def test_the_pod_evaluator_tracks_these_names(names: list[str], expected: list[str]) -> None:
    assert matching_resources("pods", "", names) == expected


@pytest.mark.parametrize(
    ("scope_spec", "pod_spec", "matches"),
    [
        pytest.param(
            {"scopes": ["Terminating"]},
            {"activeDeadlineSeconds": 60},
            True,
            id="deadline is Terminating",
        ),
        pytest.param({"scopes": ["Terminating"]}, {}, False, id="no deadline is not Terminating"),
        pytest.param({"scopes": ["NotTerminating"]}, {}, True, id="no deadline is NotTerminating"),
        pytest.param(
            {"scopes": ["BestEffort"]},
            {"containers": [{"name": "c"}]},
            True,
            id="no resources is BestEffort",
        ),
        pytest.param({"scopes": ["NotBestEffort"]}, {}, True, id="requests make NotBestEffort"),
        pytest.param(
            {
                "scopeSelector": {
                    "matchExpressions": [
                        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}
                    ]
                }
            },
            {"priorityClassName": "high"},
            True,
            id="PriorityClass In matches the class",
        ),
        pytest.param(
            {
                "scopeSelector": {
                    "matchExpressions": [
                        {"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}
                    ]
                }
            },
            {"priorityClassName": "high"},
            False,
            id="PriorityClass NotIn excludes the class",
        ),
        pytest.param(
            {
                "scopeSelector": {
                    "matchExpressions": [{"scopeName": "PriorityClass", "operator": "Exists"}]
                }
            },
            {},
            False,
            id="PriorityClass Exists needs a class name",
        ),
    ],
)
def test_quota_scopes_select_pods(scope_spec: dict, pod_spec: dict, matches: bool) -> None:
    quota = {"spec": {"hard": {"pods": "1"}, **scope_spec}}
    assert quota_matches(quota, "pods", "", _pod(**pod_spec)) is matches


def test_a_scoped_quota_selects_no_other_type() -> None:
    quota = {"spec": {"hard": {"count/jobs.batch": "1"}, "scopes": ["Terminating"]}}
    assert not quota_matches(quota, "jobs", "batch", {})


def test_sums_are_exact_quantities() -> None:
    assert pod_usage(_pod(), NOW)["requests.memory"] == parse_quantity("1024Mi")
