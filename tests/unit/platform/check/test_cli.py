"""``mlkube check|explain|quota|top`` over an embedded cluster: tables, JSON, exit codes."""

from __future__ import annotations

import json
from typing import Any

import yaml
from click.testing import CliRunner, Result

from mlkube.cli.main import cli
from tests.unit.platform.check.builders import NAMESPACE, OTHER, World, gpu_job, world


def mlkube(w: World, *args: str, input: str | None = None) -> Result:
    obj = {"target": w.target, "now": w.clock.now()}
    return CliRunner().invoke(cli, list(args), input=input, obj=obj)


def _file(tmp_path: Any, *docs: dict[str, Any]) -> str:
    path = tmp_path / "workload.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return str(path)


def test_check_of_a_job_that_fits_exits_0_and_names_the_node(tmp_path: Any) -> None:
    w = world()
    result = mlkube(w, "check", "-f", _file(tmp_path, gpu_job(w, "resnet")), "-n", NAMESPACE)

    assert result.exit_code == 0, result.output
    assert "it would start now" in result.output
    assert "gpu-a100-" in result.output


def test_check_of_a_refused_job_exits_1_and_prints_the_quota_message(tmp_path: Any) -> None:
    w = world(gpu_quota="8")
    w.submit(gpu_job(w, "resnet"))

    result = mlkube(w, "check", "-f", _file(tmp_path, gpu_job(w, "bert")), "-n", NAMESPACE)

    assert result.exit_code == 1
    assert "exceeded quota: vision, requested: requests.nvidia.com/gpu=8" in result.output
    assert "estimated start:" in result.output


def test_check_o_json_is_the_reports_dict(tmp_path: Any) -> None:
    w = world()
    path = _file(tmp_path, gpu_job(w, "ddp", nodes=2))

    result = mlkube(w, "check", "-f", path, "-n", NAMESPACE, "-o", "json")

    data = json.loads(result.output)
    assert data["gang"]["feasible"] is True
    assert [p["owner"] for p in data["placements"]] == ["job/vision/ddp", "job/vision/ddp"]


def test_check_of_an_mlkube_training_job_renders_it_with_the_clusters_platform(
    tmp_path: Any,
) -> None:
    w = world()
    workload = {
        "apiVersion": "mlkube.io/v1alpha1",
        "kind": "TrainingJob",
        "metadata": {"name": "resnet", "team": NAMESPACE},
        "spec": {
            "image": "pytorch/pytorch:2.4.0",
            "command": ["torchrun", "train.py"],
            "nodes": 2,
            "resources": {"gpu": 8, "cpu": "32", "memory": "256Gi"},
        },
    }

    result = mlkube(w, "check", "-f", _file(tmp_path, workload), "-o", "json")

    data = json.loads(result.output)
    assert result.exit_code == 0, result.output
    assert data["gang"]["size"] == 2
    assert {p["node"] for p in data["placements"]} == {"gpu-a100-0", "gpu-a100-1"}


def test_check_of_a_file_that_is_not_a_manifest_is_one_clear_error(tmp_path: Any) -> None:
    w = world()
    path = tmp_path / "bad.yaml"
    path.write_text("just: words\n", encoding="utf-8")

    result = mlkube(w, "check", "-f", str(path))

    assert result.exit_code == 1
    assert "every document needs apiVersion and kind" in result.output
    assert "Traceback" not in result.output


def test_explain_prints_the_scheduler_reasons_and_the_fix() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "bert", gpus=4))

    result = mlkube(w, "explain", "job/bert", "-n", NAMESPACE)

    assert result.exit_code == 0, result.output
    assert w.events("bert-", "FailedScheduling")[-1] in result.output.replace("\n", " ")
    assert "nvidia.com/gpu: asks 4, at most 2 free on one node" in result.output


def test_explain_of_something_missing_exits_1_with_one_line() -> None:
    w = world()

    result = mlkube(w, "explain", "pod/ghost", "-n", NAMESPACE)

    assert result.exit_code == 1
    assert result.output.strip() == "error: no pod named 'ghost' in namespace 'vision'"


def test_quota_shows_bars_and_figures_and_json() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=4))

    table = mlkube(w, "quota")
    data = json.loads(mlkube(w, "quota", "-n", NAMESPACE, "-o", "json").output)

    assert "25%" in table.output
    assert data[0]["lines"][0] == {
        "resource": "requests.nvidia.com/gpu",
        "used": "4",
        "hard": "16",
        "fraction": 0.25,
    }


def test_top_pools_shows_gpus_first_and_the_stranded_gpus() -> None:
    w = world()
    w.submit(gpu_job(w, "resnet", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "vit", gpus=6, namespace=OTHER))
    w.submit(gpu_job(w, "bert", gpus=4))

    data = json.loads(mlkube(w, "top", "pools", "-o", "json").output)
    table = mlkube(w, "top", "nodes")

    gpu = next(p for p in data["pools"] if p["name"] == "gpu-a100")
    assert (gpu["allocated"]["nvidia.com/gpu"], gpu["stranded_gpus"]) == ("12", 4)
    assert "6/8" in table.output


def test_check_of_a_kind_mlkube_does_not_know_names_it(tmp_path: Any) -> None:
    w = world()
    path = _file(
        tmp_path, {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    )

    result = mlkube(w, "check", "-f", path)

    assert result.exit_code == 1
    assert result.output.strip() == "error: Widget (example.com/v1): not a type mlkube knows"
