"""Rendering: each workload kind as built-in objects, golden-tested, valid by the official
schemas, labelled, in apply order, and placed by its profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from mlkube.platform import Platform
from mlkube.platform.names import KIND, MANAGED_BY, PLATFORM, TEAM, WORKLOAD
from mlkube.platform.workloads import Sweep, Workload, loads, render, trials
from mlkube.platform.workloads.render import KIND_ORDER
from tests.unit.platform.schemas import schema_errors
from tests.unit.platform.workloads.builders import inference, preprocessing, sweep, training

CASES: list[Any] = [
    pytest.param(
        "training.yaml", lambda: training(gpu=8, run_for="20m"), id="training on one GPU node"
    ),
    pytest.param(
        "training-datasets.yaml",
        lambda: training(
            gpu=4,
            gpu_type="a100",
            cpu="16",
            memory="128Gi",
            datasets=["imagenet:/data"],
            deadline="12h",
            retries=1,
            ttl="30m",
            priority="production",
        ),
        id="training with a dataset, its own deadline, retries, TTL and priority",
    ),
    pytest.param(
        "distributed.yaml",
        lambda: training("resnet-ddp", nodes=2, gpu=8, datasets=["imagenet"]),
        id="distributed training on two nodes",
    ),
    pytest.param(
        "sweep-grid.yaml",
        lambda: sweep(parallel=2, gpu=1),
        id="a sweep over a 2x2 grid, two trials at a time",
    ),
    pytest.param(
        "sweep-random.yaml",
        lambda: sweep(
            "lr-random",
            params={"lr": "loguniform(1e-4,1e-1)", "batch": [32, 64, 128]},
            random=5,
            seed=3,
            max_failed=2,
            trial_retries=0,
        ),
        id="a random sweep of five trials over a range and a list",
    ),
    pytest.param(
        "preprocessing.yaml",
        lambda: preprocessing(datasets=["imagenet"], completions=4, parallel=2),
        id="preprocessing in four shards writing a ReadWriteMany dataset",
    ),
    pytest.param(
        "inference.yaml",
        lambda: inference(replicas=3, port=9000, command=["python", "serve.py"]),
        id="inference with three replicas and a disruption budget",
    ),
]


def _dump(objects: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)


@pytest.mark.parametrize(("name", "make"), CASES)
def test_each_workload_renders_as_its_golden_manifests(
    name: str, make: Callable[[], Workload], platform: Platform, golden: Any
) -> None:
    golden(name, _dump(render(make(), platform)))


@pytest.mark.parametrize(("name", "make"), CASES)
def test_every_rendered_object_is_valid_by_the_official_strict_schema(
    name: str, make: Callable[[], Workload], platform: Platform
) -> None:
    objects = render(make(), platform)
    assert {o["kind"]: schema_errors(o) for o in objects} == {o["kind"]: [] for o in objects}


@pytest.mark.parametrize(("name", "make"), CASES)
def test_every_object_and_pod_template_carries_the_workload_labels(
    name: str, make: Callable[[], Workload], platform: Platform
) -> None:
    w = make()
    for obj in render(w, platform):
        for labels in (
            obj["metadata"]["labels"],
            obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels"),
        ):
            if labels is None:
                continue
            assert (labels[TEAM], labels[WORKLOAD], labels[MANAGED_BY]) == (
                "vision",
                w.name,
                "mlkube",
            )
            assert labels[KIND] in (
                "training",
                "distributed",
                "sweep",
                "preprocessing",
                "inference",
            )
            assert PLATFORM not in labels  # a platform prune must never delete a workload


@pytest.mark.parametrize(("name", "make"), CASES)
def test_objects_come_in_apply_order_in_the_team_namespace(
    name: str, make: Callable[[], Workload], platform: Platform
) -> None:
    objects = render(make(), platform)
    assert [o["kind"] for o in objects] == sorted(
        (o["kind"] for o in objects), key=KIND_ORDER.index
    )
    assert {o["metadata"]["namespace"] for o in objects} == {"vision"}


def test_rendering_is_deterministic(platform: Platform) -> None:
    assert render(sweep(random=3, params={"lr": "uniform(0,1)"}), platform) == render(
        sweep(random=3, params={"lr": "uniform(0,1)"}), platform
    )


def _job(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == "Job")


def _pod(objects: list[dict[str, Any]]) -> dict[str, Any]:
    owner = next(o for o in objects if o["kind"] in ("Job", "Deployment"))
    spec: dict[str, Any] = owner["spec"]["template"]["spec"]
    return spec


def test_training_takes_the_profile_s_deadline_ttl_retries_and_priority_when_it_gives_none(
    platform: Platform,
) -> None:
    job = _job(render(training(), platform))
    assert (
        job["spec"]["activeDeadlineSeconds"],
        job["spec"]["ttlSecondsAfterFinished"],
        job["spec"]["backoffLimit"],
    ) == (86400, 3600, 3)
    assert job["spec"]["template"]["spec"]["priorityClassName"] == "research"


def test_training_s_own_deadline_ttl_and_retries_win_over_the_profile_s(platform: Platform) -> None:
    spec = _job(render(training(deadline="1h30m", ttl="10m", retries=0), platform))["spec"]
    assert (
        spec["activeDeadlineSeconds"],
        spec["ttlSecondsAfterFinished"],
        spec["backoffLimit"],
    ) == (5400, 600, 0)


def test_placement_is_affinity_to_the_profile_s_pools_and_the_tolerations_their_taints_need(
    platform: Platform,
) -> None:
    pod = _pod(render(training(gpu=8), platform))
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert terms == [
        {"matchExpressions": [{"key": "mlkube.io/pool", "operator": "In", "values": ["gpu-a100"]}]}
    ]
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]


def test_a_gpu_type_adds_required_affinity_on_the_accelerator_label(platform: Platform) -> None:
    pod = _pod(render(training(gpu=8, gpu_type="a100"), platform))
    term = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ][0]
    assert {"key": "mlkube.io/accelerator", "operator": "In", "values": ["a100"]} in term[
        "matchExpressions"
    ]


def test_gpus_cpu_and_memory_are_requested_and_limited_alike(platform: Platform) -> None:
    resources = _pod(render(training(gpu=2, cpu="8", memory="64Gi"), platform))["containers"][0][
        "resources"
    ]
    assert (
        resources["requests"]
        == resources["limits"]
        == {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": "2"}
    )


def test_datasets_are_the_team_s_claims_mounted_read_only_unless_asked(platform: Platform) -> None:
    datasets = [{"name": "imagenet", "mount_path": "/data"}]
    pod = _pod(render(training(datasets=datasets), platform))
    assert pod["volumes"] == [
        {"name": "dataset-imagenet", "persistentVolumeClaim": {"claimName": "imagenet"}}
    ]
    assert pod["containers"][0]["volumeMounts"] == [
        {"name": "dataset-imagenet", "mountPath": "/data", "readOnly": True}
    ]
    asked = [{"name": "features", "read_only": False}]
    writable = _pod(render(training(datasets=asked), platform))
    assert writable["containers"][0]["volumeMounts"] == [
        {"name": "dataset-features", "mountPath": "/data/features"}
    ]


def test_distributed_training_is_an_indexed_job_of_n_pods_all_at_once(platform: Platform) -> None:
    spec = _job(render(training("ddp", nodes=3, gpu=8), platform))["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 3, 3)
    assert spec["template"]["spec"]["subdomain"] == "ddp"
    assert spec["template"]["spec"]["restartPolicy"] == "Never"  # required with a podFailurePolicy


def test_distributed_training_gets_torchrun_s_environment(platform: Platform) -> None:
    env = _pod(render(training("ddp", nodes=3, gpu=4, port=23456), platform))["containers"][0][
        "env"
    ]
    assert {e["name"]: e.get("value", e.get("valueFrom")) for e in env} == {
        "MASTER_ADDR": "ddp-0.ddp",
        "MASTER_PORT": "23456",
        "WORLD_SIZE": "3",
        "NODE_RANK": {
            "fieldRef": {
                "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"
            }
        },
        "NPROC_PER_NODE": "4",
    }


def test_distributed_training_has_a_headless_service_selecting_its_pods(platform: Platform) -> None:
    objects = render(training("ddp", nodes=2, gpu=8), platform)
    service = next(o for o in objects if o["kind"] == "Service")
    assert (service["metadata"]["name"], service["spec"]["clusterIP"]) == ("ddp", "None")
    assert (
        service["spec"]["selector"].items()
        <= _job(objects)["spec"]["template"]["metadata"]["labels"].items()
    )


def test_distributed_training_fails_fast_on_exit_codes_no_retry_fixes_and_ignores_disruptions(
    platform: Platform,
) -> None:
    rules = _job(render(training("ddp", nodes=2, gpu=8), platform))["spec"]["podFailurePolicy"][
        "rules"
    ]
    assert [(r["action"], r.get("onExitCodes", {}).get("values")) for r in rules] == [
        ("FailJob", [2, 126, 127]),
        ("Ignore", None),
    ]
    assert rules[1]["onPodConditions"] == [{"type": "DisruptionTarget", "status": "True"}]


def test_nproc_per_node_defaults_to_the_gpu_count_or_one(platform: Platform) -> None:
    def nproc(w: Workload) -> str:
        env = _pod(render(w, platform))["containers"][0]["env"]
        return str(next(e["value"] for e in env if e["name"] == "NPROC_PER_NODE"))

    assert (
        nproc(training("a", nodes=2, gpu=8)),
        nproc(training("b", nodes=2)),
        nproc(training("c", nodes=2, gpu=8, nproc_per_node=2)),
    ) == ("8", "1", "2")


def test_a_sweep_runs_one_index_per_trial_each_with_its_own_retries(platform: Platform) -> None:
    spec = _job(render(sweep(trial_retries=2, max_failed=1), platform))["spec"]
    assert (spec["completions"], spec["backoffLimitPerIndex"], spec["maxFailedIndexes"]) == (
        4,
        2,
        1,
    )
    assert "backoffLimit" not in spec  # upstream defaults it to MaxInt32 with backoffLimitPerIndex


def test_a_sweep_s_parallelism_defaults_to_the_profile_s_at_most_the_trials(
    platform: Platform,
) -> None:
    four = _job(render(sweep(), platform))["spec"]["parallelism"]
    many = sweep(params={"lr": list(range(20))})
    assert (four, _job(render(many, platform))["spec"]["parallelism"]) == (4, 8)


def test_each_trial_s_parameters_are_a_config_map_key_by_index(platform: Platform) -> None:
    w = sweep()
    config = next(o for o in render(w, platform) if o["kind"] == "ConfigMap")
    assert config["metadata"]["name"] == "lr-sweep-params"
    assert [yaml.safe_load(config["data"][f"{i}.json"]) for i in range(4)] == trials(w)


def test_a_sweep_writes_its_results_to_a_read_write_many_claim_it_renders(
    platform: Platform,
) -> None:
    objects = render(sweep(), platform)
    claim = next(o for o in objects if o["kind"] == "PersistentVolumeClaim")
    assert (claim["metadata"]["name"], claim["spec"]["accessModes"]) == (
        "lr-sweep-results",
        ["ReadWriteMany"],
    )
    assert "storageClassName" not in claim["spec"]  # the cluster's default class
    env = {e["name"] for e in _pod(objects)["containers"][0]["env"]}
    assert {"MLKUBE_TRIAL_INDEX", "MLKUBE_PARAMS_FILE", "MLKUBE_RESULTS_DIR"} <= env


def test_preprocessing_mounts_its_output_read_write_on_the_preprocessing_pools(
    platform: Platform,
) -> None:
    pod = _pod(render(preprocessing(), platform))
    assert pod["containers"][0]["volumeMounts"] == [
        {"name": "dataset-features", "mountPath": "/data/features"}
    ]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert terms[0]["matchExpressions"][0]["values"] == ["general"]


def test_one_replica_of_inference_has_no_disruption_budget_unless_asked(platform: Platform) -> None:
    kinds = [o["kind"] for o in render(inference(), platform)]
    asked = [o["kind"] for o in render(inference(min_available="50%"), platform)]
    assert (kinds, asked) == (
        ["Service", "Deployment"],
        ["Service", "Deployment", "PodDisruptionBudget"],
    )


def test_inference_is_ready_when_its_probe_answers_on_the_serving_port(platform: Platform) -> None:
    pod = _pod(render(inference(port=9000, readiness={"path": "/ready"}), platform))
    assert pod["restartPolicy"] == "Always"
    assert pod["containers"][0]["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 9000}


def test_without_a_platform_nothing_is_placed_and_the_namespace_is_the_team_s(
    platform: Platform,
) -> None:
    objects = render(training(gpu=2, gpu_type="a100", priority="high"), None)
    pod = _pod(objects)
    assert (objects[0]["metadata"]["namespace"], "affinity" in pod, "tolerations" in pod) == (
        "vision",
        False,
        False,
    )
    assert pod["priorityClassName"] == "high"
    assert "activeDeadlineSeconds" not in objects[0]["spec"]


def test_without_a_platform_or_team_the_namespace_is_default() -> None:
    objects = render(training(team=None), None)
    assert objects[0]["metadata"]["namespace"] == "default"
    assert TEAM not in objects[0]["metadata"]["labels"]


def test_a_namespace_given_wins_over_the_team_s(platform: Platform) -> None:
    assert (
        render(training(), platform, namespace="scratch")[0]["metadata"]["namespace"] == "scratch"
    )


@pytest.mark.parametrize(("name", "make"), CASES)
def test_the_job_or_deployment_carries_the_workload_it_came_from(
    name: str, make: Callable[[], Workload], platform: Platform
) -> None:
    w = make()
    primary = next(o for o in render(w, platform) if o["kind"] in ("Job", "Deployment"))
    [stored] = loads(primary["metadata"]["annotations"]["mlkube.io/spec"])
    assert stored == w
    if isinstance(w, Sweep):  # the order of the parameters is the order of the trials
        assert trials(stored) == trials(w)


def test_simulated_runs_are_annotations_on_the_pod_template(platform: Platform) -> None:
    template = _job(render(training(run_for="20m", exit_code=3), platform))["spec"]["template"]
    assert template["metadata"]["annotations"] == {
        "sim.mlkube.io/run-for": "20m",
        "sim.mlkube.io/exit-code": "3",
    }


def test_the_simulation_annotations_are_the_embedded_kubelet_s() -> None:
    from mlkube.engine.kubelet import stages
    from mlkube.platform.workloads import labels

    assert (labels.RUN_FOR, labels.EXIT_CODE) == (stages.RUN_FOR, stages.EXIT_CODE)
