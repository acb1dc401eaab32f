"""``mlkube train|sweep|preprocess|serve|submit``: flags to manifests, checks and submissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from mlkube.cli.main import cli
from mlkube.client import KubeClient
from mlkube.platform.target import KubeTarget
from mlkube.platform.workloads import build, read_platform, render
from tests.unit.sdk.served import CONTEXT, PYTHON, Served


def mlkube(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def _platform(served: Served) -> Any:
    with KubeClient.from_kubeconfig(served.kubeconfig) as client:
        return read_platform(KubeTarget(client))


TRAIN = ["--image", "pytorch/pytorch:2.4.0", "--gpus", "8", "--deadline", "6h", "--retries", "2"]


def test_o_yaml_prints_exactly_what_render_gives_with_the_clusters_platform(
    gpu_cluster: Served, home: Path
) -> None:
    result = mlkube("train", "resnet", *gpu_cluster.flags, "-n", "vision", *TRAIN, "-o", "yaml",
                    "--", "torchrun", "train.py")  # fmt: skip
    assert result.exit_code == 0, result.output
    workload = build(
        "TrainingJob",
        "resnet",
        team="vision",
        image="pytorch/pytorch:2.4.0",
        resources={"gpu": 8},
        deadline="6h",
        retries=2,
        command=["torchrun", "train.py"],
    )
    assert list(yaml.safe_load_all(result.stdout)) == render(workload, _platform(gpu_cluster))
    assert result.stderr == f"cluster: {CONTEXT} ({gpu_cluster.server.url}) · team vision\n"


def test_o_yaml_without_a_cluster_renders_without_a_platform_and_starts_nothing(
    home: Path,
) -> None:
    result = mlkube("train", "resnet", "-n", "vision", *TRAIN, "-o", "yaml", "--", "torchrun")
    assert result.exit_code == 0, result.output
    workload = build(
        "TrainingJob", "resnet", team="vision", image="pytorch/pytorch:2.4.0",
        resources={"gpu": 8}, deadline="6h", retries=2, command=["torchrun"],
    )  # fmt: skip
    assert list(yaml.safe_load_all(result.stdout)) == render(workload, None)
    assert result.stderr == (
        "cluster: none (the embedded cluster local is not running (mlkube cluster up starts it)); "
        "rendering without a platform (no placement)\n"
    )
    assert not (home / "clusters" / "local" / "server.json").exists()


def test_o_json_prints_a_v1_list(home: Path) -> None:
    result = mlkube("serve", "api", "--image", "api:1", "--replicas", "2", "-o", "json", "--",
                    "python", "serve.py")  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert (listed["apiVersion"], listed["kind"]) == ("v1", "List")
    kinds = [o["kind"] for o in listed["items"]]
    assert {"Deployment", "Service", "PodDisruptionBudget"} <= set(kinds)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["train", "x", "--image", "p"],
            "error: no command: put the command after --, e.g. "
            "mlkube train NAME --image python:3.11 -- python train.py\n",
            id="no command after -- says where the command goes",
        ),
        pytest.param(
            ["sweep", "x", "--image", "p", "--param", "lr", "--", "a"],
            'error: --param: "lr" is not NAME=VALUE,VALUE,...; '
            "e.g. --param lr=0.1,0.01 or --param lr=loguniform(1e-4,1e-1)\n",
            id="a parameter without values names --param",
        ),
        pytest.param(
            ["sweep", "x", "--image", "p", "--", "a"],
            "error: --param: a sweep needs at least one parameter, e.g. --param lr=0.1,0.01\n",
            id="a sweep without parameters names --param",
        ),
        pytest.param(
            ["train", "x", "--image", "p", "--env", "LR", "--", "a"],
            'error: --env: "LR" is not K=V (e.g. --env LR=0.1)\n',
            id="an environment variable without a value names --env",
        ),
        pytest.param(
            ["train", "x", "--image", "p", "--wait", "--timeout", "soon", "--", "a"],
            'error: --timeout: "soon" is not a duration (e.g. 90s, 10m, 1h30m)\n',
            id="a timeout that is not a duration names --timeout",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_flag_and_nothing_is_created(
    args: list[str], message: str, home: Path
) -> None:
    result = mlkube(*args)
    assert (result.exit_code, result.stderr[-len(message) :]) == (1, message)
    assert "Traceback" not in result.output
    assert not (home / "clusters").exists(), "no cluster was started for a bad flag"


def test_a_name_that_is_not_a_dns_label_is_refused_naming_the_field(home: Path) -> None:
    result = mlkube("train", "Bad_Name", "--image", "p", "-o", "yaml", "--", "a")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: metadata.name")


def test_an_unknown_team_names_the_teams_of_the_platform(gpu_cluster: Served) -> None:
    result = mlkube("train", "x", *gpu_cluster.flags, "-n", "nope", "--image", "p", "--", "a")
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith('error: metadata.team: unknown team "nope"; teams: ')
    assert last.endswith(" (--team)")
    assert {"vision", "nlp"} <= set(last.split("teams: ")[1].removesuffix(" (--team)").split(", "))


def test_submit_refuses_a_job_quota_would_refuse_with_the_exact_figures(
    gpu_cluster: Served,
) -> None:
    result = mlkube("train", "huge", *gpu_cluster.flags, "-n", "vision", "--image", "p",
                    "--gpus", "8", "--nodes", "3", "--run-for", "1s", "--", "torchrun")  # fmt: skip
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[1] == (
        "error: workload huge would be refused (nothing was created; --force submits anyway):"
    )
    assert lines[2].startswith(
        '  pods of job/vision/huge: Error creating: pods "huge-2-*****" is forbidden: '
        "exceeded quota: vision, requested: requests.nvidia.com/gpu=8, "
        "used: requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    ), "pods 0 and 1 take the team's 16 GPUs; pod 2 is the one refused"
    listed = mlkube("jobs", *gpu_cluster.flags, "-n", "vision", "-o", "json")
    assert "huge" not in [j["name"] for j in json.loads(listed.stdout)]


def test_check_prints_the_pre_submit_check_and_creates_nothing(gpu_cluster: Served) -> None:
    result = mlkube("train", "probe", *gpu_cluster.flags, "-n", "vision", "--image", "p",
                    "--gpus", "8", "--run-for", "1s", "--check", "-o", "yaml",
                    "--", "torchrun")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = yaml.safe_load(result.stdout)
    assert report["admitted"] is True
    assert report["placements"][0]["node"].startswith("gpu-a100-")
    listed = mlkube("jobs", *gpu_cluster.flags, "-n", "vision", "-o", "json")
    assert "probe" not in [j["name"] for j in json.loads(listed.stdout)]


def test_check_without_o_prints_the_check_commands_table(gpu_cluster: Served) -> None:
    result = mlkube("train", "probe", *gpu_cluster.flags, "-n", "vision", "--image", "p",
                    "--gpus", "8", "--run-for", "1s", "--check", "--", "torchrun")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["trainingjob probe:", "✔ it would start now"]


def test_train_creates_the_job_and_wait_shows_it_complete(process_cluster: Served) -> None:
    result = mlkube("train", "cli-train", *process_cluster.flags, "-n", "vision", "--image", "py",
                    "--wait", "--timeout", "60s", "--", PYTHON, "-c", "print('done')")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "trainingjob cli-train created in team vision: job/cli-train"
    )
    assert result.stdout.splitlines()[-1] == "cli-train: Complete (1/1)"
    assert result.stderr.count("cluster: ") == 1, "the banner is printed once"


def test_submit_f_creates_every_document_of_a_file(process_cluster: Served, tmp_path: Path) -> None:
    docs = [
        {"apiVersion": "mlkube.io/v1alpha1", "kind": "TrainingJob",
         "metadata": {"name": f"doc-{i}", "team": "vision"},
         "spec": {"image": "py", "command": [PYTHON, "-c", f"print({i})"]}}
        for i in range(2)
    ]  # fmt: skip
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    result = mlkube("submit", "-f", str(path), *process_cluster.flags)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "trainingjob doc-0 created in team vision: job/doc-0\n"
        "trainingjob doc-1 created in team vision: job/doc-1\n"
    )


def test_submit_refuses_a_team_flag_that_contradicts_the_file(
    process_cluster: Served, tmp_path: Path
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "kind: TrainingJob\napiVersion: mlkube.io/v1alpha1\nmetadata: {name: a, team: vision}\n"
        "spec: {image: p, command: [a]}\n",
        encoding="utf-8",
    )
    result = mlkube("submit", "-f", str(path), "-n", "nlp", "-o", "yaml")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {path}: metadata.team of a is vision, not --team nlp; drop one of them\n",
    )


def test_serve_waits_for_the_rollout_by_default(gpu_cluster: Served) -> None:
    result = mlkube("serve", "api", *gpu_cluster.flags, "-n", "vision", "--image", "api:1",
                    "--replicas", "2", "--timeout", "60s", "--", "python", "serve.py")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "inferenceservice api created in team vision: "
        "service/api, deployment/api, poddisruptionbudget/api"
    ), "created in render order"
    assert lines[-1] == "api: Ready (2/2)"


def test_preprocess_writes_the_dataset_named_by_output_dataset(gpu_cluster: Served) -> None:
    result = mlkube("preprocess", "prep", *gpu_cluster.flags, "-n", "vision", "--image", "p",
                    "--output-dataset", "features", "--run-for", "1s", "--wait",
                    "--", "python", "prep.py")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "prep: Complete (1/1)"
    mounts = _volume_mounts(gpu_cluster, "prep")
    assert mounts["features"].get("readOnly", False) is False, "the output is mounted read-write"


def _volume_mounts(served: Served, job: str) -> dict[str, dict[str, Any]]:
    with KubeClient.from_kubeconfig(served.kubeconfig) as client:
        spec = client.get("jobs", job, "vision")["spec"]["template"]["spec"]
    claims = {
        v["name"]: v["persistentVolumeClaim"]["claimName"]
        for v in spec.get("volumes") or []
        if "persistentVolumeClaim" in v
    }
    return {
        claims[m["name"]]: m
        for m in spec["containers"][0].get("volumeMounts") or []
        if m["name"] in claims
    }


def _manifests(result: Result) -> dict[str, dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return {o["kind"]: o for o in yaml.safe_load_all(result.stdout)}


def test_dataset_mounts_the_teams_claim_read_only_at_the_path_given(gpu_cluster: Served) -> None:
    args = ["train", "r", *gpu_cluster.flags, "-n", "vision", "--image", "p",
            "--dataset", "imagenet:/data", "-o", "yaml", "--", "a"]  # fmt: skip
    job = _manifests(mlkube(*args))["Job"]
    pod = job["spec"]["template"]["spec"]
    (mount,) = pod["containers"][0]["volumeMounts"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert (mount["mountPath"], mount["readOnly"]) == ("/data", True)
    assert volume["persistentVolumeClaim"]["claimName"] == "imagenet"


def test_random_search_runs_n_trials_at_the_parallelism_asked(home: Path) -> None:
    args = ["sweep", "s", "--image", "p", "--param", "lr=loguniform(1e-4,1e-1)",
            "--param", "layers=2,4,8", "--random", "5", "--seed", "7", "--parallel", "2",
            "-o", "yaml", "--", "a"]  # fmt: skip
    job = _manifests(mlkube(*args))["Job"]
    assert (job["spec"]["completions"], job["spec"]["parallelism"]) == (5, 2)
    assert job["spec"]["completionMode"] == "Indexed"


def _gpu_docs(tmp_path: Path, names: list[str]) -> Path:
    docs = [
        {"apiVersion": "mlkube.io/v1alpha1", "kind": "TrainingJob",
         "metadata": {"name": name, "team": "vision"},
         "spec": {"image": "p", "command": ["torchrun"], "nodes": 2,
                  "resources": {"gpu": 8}, "runFor": "1s"}}
        for name in names
    ]  # fmt: skip
    path = tmp_path / "gpu.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return path


def test_submit_f_checks_every_document_together_and_creates_none_when_they_do_not_fit(
    gpu_cluster: Served, tmp_path: Path
) -> None:
    path = _gpu_docs(tmp_path, ["first", "second"])  # 16 GPUs each; the team has 16
    result = mlkube("submit", "-f", str(path), *gpu_cluster.flags)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[1] == (
        "error: workloads first, second together would be refused "
        "(nothing was created; --force submits anyway):"
    )
    assert lines[2].startswith(
        '  pods of job/vision/second: Error creating: pods "second-0-*****" is forbidden: '
        "exceeded quota: vision, requested: requests.nvidia.com/gpu=8, "
        "used: requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    ), "the first job's two pods take the team's 16 GPUs"
    listed = mlkube("jobs", *gpu_cluster.flags, "-n", "vision", "-o", "json")
    assert {"first", "second"}.isdisjoint(j["name"] for j in json.loads(listed.stdout))


def test_submit_f_check_prints_one_check_of_every_document_together(
    gpu_cluster: Served, tmp_path: Path
) -> None:
    path = _gpu_docs(tmp_path, ["first", "second"])
    result = mlkube("submit", "-f", str(path), *gpu_cluster.flags, "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "trainingjob first, trainingjob second:",
        "✘ admission would refuse it",
    ]
    assert result.stderr.splitlines()[-1] == (
        "error: the pre-submit check refuses it (nothing was created; --force submits anyway)"
    )
