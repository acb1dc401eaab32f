"""The workload commands against a served embedded cluster in its own process (RealClock).

The cluster runs ``examples/platform.yaml`` plus one process-runtime pool (profile ``local``)
where a sweep's trials run as real processes and print their metrics; the GPU pool's pods are
simulated (``sim.mlkube.io/run-for``). The last test starts the default ``local`` cluster on
demand, as a first ``mlkube`` command on a laptop does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from mlkube.cli.main import cli
from tests.integration.conftest import Served

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "platform.yaml"
LOCAL_POOL = {
    "name": "local",
    "nodes": 2,
    "capacity": {"cpu": "8", "memory": "16Gi"},
    "runtime": "process",
}
LOCAL_PROFILE = {"pools": ["local"], "retries": 0, "parallelism": 4}


def mlkube(served: Served, verb: str, *args: str) -> Result:
    """``mlkube VERB --kubeconfig ... -n vision ARGS...`` (the flags before any ``--``)."""
    return CliRunner().invoke(
        cli, [verb, "--kubeconfig", str(served.kubeconfig), "-n", "vision", *args]
    )


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never the user's ``~/.mlkube``: no stored default, no local cluster of theirs."""
    monkeypatch.setenv("MLKUBE_HOME", str(tmp_path / "mlkube-home"))
    return tmp_path / "mlkube-home"


@pytest.fixture(scope="module")
def platform(served_cluster: Served, tmp_path_factory: pytest.TempPathFactory) -> Served:
    spec = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    spec["pools"].append(LOCAL_POOL)
    spec["profiles"]["local"] = LOCAL_PROFILE
    path = tmp_path_factory.mktemp("platform") / "platform.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    applied = CliRunner().invoke(
        cli, ["platform", "apply", "-f", str(path), "--kubeconfig", str(served_cluster.kubeconfig)]
    )
    assert applied.exit_code == 0, applied.output
    return served_cluster


@pytest.mark.slow
def test_a_training_job_is_listed_waited_for_logged_and_cancelled(platform: Served) -> None:
    created = mlkube(platform, "train", "resnet", "--image", "pytorch/pytorch:2.4.0",
                     "--gpus", "8", "--run-for", "2s", "--", "torchrun", "train.py")  # fmt: skip
    assert created.exit_code == 0, created.output
    assert created.stdout == "trainingjob resnet created in team vision: job/resnet\n"
    listed = json.loads(mlkube(platform, "jobs", "-o", "json").stdout)
    assert [(j["name"], j["kind"]) for j in listed] == [("resnet", "training")]
    waited = mlkube(platform, "wait", "resnet", "--timeout", "60s")
    assert waited.exit_code == 0, waited.output
    assert waited.stdout.splitlines()[-1] == "resnet: Complete (1/1)"
    status = json.loads(mlkube(platform, "status", "resnet", "-o", "json").stdout)
    assert status["pods"][0]["node"].startswith("gpu-a100-")
    logs = mlkube(platform, "logs", "resnet")
    assert (logs.exit_code, logs.stdout) == (0, ""), "a simulated pod prints nothing"
    cancelled = mlkube(platform, "cancel", "resnet")
    assert cancelled.stdout == "workload resnet cancelled: deleted job/resnet\n"
    assert json.loads(mlkube(platform, "jobs", "-o", "json").stdout) == []


@pytest.mark.slow
def test_a_sweep_on_process_nodes_ranks_its_trials_by_their_printed_metric(
    platform: Served,
) -> None:
    trial = (
        "import json, os; i = int(os.environ['MLKUBE_TRIAL_INDEX']); "
        "print('mlkube-metric: ' + json.dumps({'accuracy': [0.7, 0.9, 0.8, 0.6][i]}))"
    )
    created = mlkube(platform, "sweep", "hpo", "--image", "python:3.11", "--profile", "local",
                     "--param", "lr=0.1,0.01", "--param", "batch=32,64", "--parallel", "2",
                     "--metric", "accuracy", "--maximize", "--wait", "--timeout", "120s",
                     "--", sys.executable, "-c", trial)  # fmt: skip
    assert created.exit_code == 0, created.output
    assert created.stdout.splitlines()[-1] == "hpo: Complete (4/4)"
    ranked = json.loads(mlkube(platform, "results", "hpo", "-o", "json").stdout)
    assert [t["index"] for t in ranked["trials"]] == [1, 2, 0, 3]
    assert ranked["trials"][0]["params"] == {"lr": 0.1, "batch": 64}
    assert ranked["trials"][0]["metrics"] == {"accuracy": 0.9}
    mlkube(platform, "cancel", "hpo")


@pytest.mark.slow
def test_the_default_target_is_the_local_cluster_started_on_demand(home: Path) -> None:
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the served cluster's certificates")
    try:
        first = CliRunner().invoke(cli, ["jobs"])
        assert first.exit_code == 0, first.output
        assert first.stderr.splitlines()[:2] == [
            "starting the embedded cluster local (mlkube cluster down stops it)",
            "cluster: mlkube-local (embedded) · no team",
        ]
        second = CliRunner().invoke(cli, ["jobs"])
        assert second.stderr.splitlines()[0] == "cluster: mlkube-local (embedded) · no team"
    finally:
        CliRunner().invoke(cli, ["cluster", "down"])
