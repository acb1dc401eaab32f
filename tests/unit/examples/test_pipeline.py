"""The demo pipeline's scripts (``examples/pipeline/``), run as a container would run them:
subprocesses on temporary directories, volumes found through ``MLKUBE_MOUNT_<VOLUME>`` when
the process runtime sets it, else at the path given."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

PIPELINE = Path(__file__).resolve().parents[3] / "examples" / "pipeline"
PREFIX = "mlkube-metric: "


def run(
    script: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PIPELINE / script), *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        timeout=120,
        check=False,
    )


def metrics(stdout: str) -> dict[str, float]:
    lines = [line for line in stdout.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, stdout
    parsed: dict[str, float] = json.loads(lines[0][len(PREFIX) :])
    return parsed


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    done = run("preprocess.py", "--out", str(out), "--rows", "1000", "--features", "4")
    assert done.returncode == 0, done.stderr
    return out


def test_preprocess_writes_a_standardised_split_dataset(data: Path) -> None:
    meta = json.loads((data / "meta.json").read_text())
    assert (meta["train"], meta["validation"], meta["features"]) == (750, 250, 4)
    x = np.load(data / "train_x.npy")
    assert x.shape == (750, 4)
    assert np.allclose(x.mean(axis=0), 0, atol=1e-9)
    assert set(np.unique(np.load(data / "val_y.npy"))) == {0, 1}


def test_preprocess_is_deterministic(data: Path, tmp_path: Path) -> None:
    run("preprocess.py", "--out", str(tmp_path), "--rows", "1000", "--features", "4")
    assert (tmp_path / "train_x.npy").read_bytes() == (data / "train_x.npy").read_bytes()


def test_preprocess_writes_into_the_volume_the_process_runtime_names(tmp_path: Path) -> None:
    local = tmp_path / "volume"
    done = run(
        "preprocess.py",
        "--out",
        "/data/not-writable-here",
        "--volume",
        "synthetic-data",
        "--rows",
        "100",
        env={"MLKUBE_MOUNT_SYNTHETIC_DATA": str(local)},
    )
    assert done.returncode == 0, done.stderr
    assert (local / "meta.json").exists()


def test_preprocess_refuses_a_too_small_dataset_naming_the_flag(tmp_path: Path) -> None:
    done = run("preprocess.py", "--out", str(tmp_path), "--rows", "3")
    assert done.returncode == 2
    assert "--rows must be >= 8" in done.stderr


def test_train_reads_the_sweep_params_file_and_prints_one_metrics_line(
    data: Path, tmp_path: Path
) -> None:
    params = tmp_path / "3.json"
    params.write_text(json.dumps({"lr": 0.5, "l2": 0.01, "epochs": 40}))
    results = tmp_path / "results"
    env = {"MLKUBE_PARAMS_FILE": str(params), "MLKUBE_TRIAL_INDEX": "3"}
    done = run("train.py", "--data", str(data), "--results", str(results), env=env)
    assert done.returncode == 0, done.stderr
    found = metrics(done.stdout)
    assert set(found) == {"loss", "accuracy", "train_loss"}
    assert 0 < found["loss"] < 0.7  # better than chance (log 2)
    record = json.loads((results / "trial-3.json").read_text())
    assert record == {
        "index": 3,
        "params": {"lr": 0.5, "l2": 0.01, "epochs": 40.0},
        "metrics": found,
    }
    assert "epoch 40/40" in done.stdout


def test_more_steps_of_descent_give_a_lower_validation_loss(data: Path) -> None:
    slow = metrics(run("train.py", "--data", str(data), "--lr", "0.01", "--epochs", "20").stdout)
    fast = metrics(run("train.py", "--data", str(data), "--lr", "1.0", "--epochs", "20").stdout)
    assert fast["loss"] < slow["loss"]


def test_flags_override_the_params_file(data: Path, tmp_path: Path) -> None:
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"lr": 0.01}))
    a = metrics(run("train.py", "--data", str(data), "--params", str(params), "--lr", "1").stdout)
    b = metrics(run("train.py", "--data", str(data), "--lr", "1").stdout)
    assert a == b


def test_train_names_an_unknown_parameter(data: Path, tmp_path: Path) -> None:
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"learning_rate": 0.1}))
    done = run("train.py", "--data", str(data), "--params", str(params))
    assert done.returncode == 1
    assert "unknown parameter(s) ['learning_rate']" in done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(port: int, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data)
    try:
        with urllib.request.urlopen(req, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port, models = free_port(), tmp_path / "models"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(PIPELINE / "serve.py"),
            "--model",
            "/models",
            "--model-volume",
            "models",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        env={"PATH": "/usr/bin:/bin", "MLKUBE_MOUNT_MODELS": str(models)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(b"serving")
        yield port, models
    finally:
        proc.terminate()
        code = proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0  # SIGTERM stops it cleanly


def test_serve_is_unready_until_the_model_is_there_then_predicts(
    data: Path, server: tuple[int, Path]
) -> None:
    port, models = server
    assert request(port, "/healthz")[0] == 503
    done = run("train.py", "--data", str(data), "--lr", "1", "--model-out", str(models))
    assert done.returncode == 0, done.stderr
    assert request(port, "/healthz") == (200, {"status": "ok"})
    val_x = np.load(data / "val_x.npy")
    meta = json.loads((data / "meta.json").read_text())
    raw = (val_x[:2] * meta["scale"] + meta["mean"]).tolist()  # requests carry raw features
    code, answer = request(port, "/predict", {"instances": raw})
    assert code == 200
    assert [set(p) for p in answer["predictions"]] == [{"class", "probability"}] * 2
    assert all(0 <= p["probability"] <= 1 for p in answer["predictions"])
    assert answer["model"]["params"]["lr"] == 1.0


def test_serve_explains_a_malformed_request(data: Path, server: tuple[int, Path]) -> None:
    port, models = server
    run("train.py", "--data", str(data), "--model-out", str(models), "--epochs", "5")
    code, answer = request(port, "/predict", {"features": [1, 2]})
    assert code == 400
    assert answer["error"].startswith("each row needs 4 numbers")
    assert request(port, "/predict", {"rows": []})[0] == 400
    assert request(port, "/nowhere")[0] == 404


def test_train_finds_the_sweeps_files_in_the_volumes_the_process_runtime_names(
    data: Path, tmp_path: Path
) -> None:
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "2.json").write_text(json.dumps({"lr": 0.3, "l2": 0.0}))
    env = {
        "MLKUBE_PARAMS_FILE": "/etc/mlkube/params/2.json",
        "MLKUBE_MOUNT_PARAMS": str(tmp_path / "params"),
        "MLKUBE_RESULTS_DIR": "/var/lib/mlkube/results",
        "MLKUBE_MOUNT_RESULTS": str(tmp_path / "results"),
        "MLKUBE_MOUNT_DATASET_SYNTHETIC": str(data),
        "MLKUBE_TRIAL_INDEX": "2",
    }
    done = run(
        "train.py", "--data", "/data/synthetic", "--data-volume", "dataset-synthetic", env=env
    )
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "results" / "trial-2.json").read_text())
    assert record["params"]["lr"] == 0.3
    assert record["metrics"] == metrics(done.stdout)
