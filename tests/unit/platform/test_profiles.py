"""Profiles resolved into what workloads get: placement on their pools and the Job limits."""

from __future__ import annotations

from typing import Any

from mlkube.api.nodeaffinity import required_affinity_matches
from mlkube.api.taints import find_untolerated_taint
from mlkube.platform.nodes import embedded_node
from mlkube.platform.profiles import resolve
from tests.unit.platform.builders import ml_platform


def pod_of(profile: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "main"}], "tolerations": profile.tolerations}
    if profile.affinity:
        spec["affinity"] = profile.affinity
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


def test_a_gpu_profile_tolerates_its_pools_taint_and_requires_its_pools() -> None:
    training = resolve(ml_platform().build(), "training")
    assert training.tolerations == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]
    assert training.affinity == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "mlkube.io/pool", "operator": "In", "values": ["gpu-a100"]}
                        ]
                    }
                ]
            }
        }
    }
    assert training.uses_gpus


def test_durations_become_job_seconds_and_retries_the_backoff_limit() -> None:
    training = resolve(ml_platform().build(), "training")
    assert (training.active_deadline_seconds, training.ttl_seconds_after_finished) == (86400, 3600)
    assert (training.backoff_limit, training.priority_class) == (3, "research")


def test_a_profile_without_a_priority_gets_the_default_class() -> None:
    assert resolve(ml_platform().build(), "preprocessing").priority_class == "research"


def test_a_profile_s_pods_fit_its_pools_nodes_and_no_other_by_kubernetes_rules() -> None:
    # The same functions the scheduler's NodeAffinity and TaintToleration plugins call.
    spec = ml_platform().build()
    gpu_node, general_node = (embedded_node(spec, pool, 0) for pool in spec.pools)
    training, preprocessing = (
        pod_of(resolve(spec, "training")),
        pod_of(resolve(spec, "preprocessing")),
    )
    gpu_taints = gpu_node["spec"]["taints"]
    assert required_affinity_matches(training, gpu_node)
    assert find_untolerated_taint(gpu_taints, training["spec"]["tolerations"]) is None
    assert not required_affinity_matches(training, general_node)
    assert not required_affinity_matches(preprocessing, gpu_node)
    assert find_untolerated_taint(gpu_taints, preprocessing["spec"]["tolerations"]) is not None
