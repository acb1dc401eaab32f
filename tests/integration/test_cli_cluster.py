"""``mlkube cluster up/status/down/reset/logs``: a background server, its kubeconfig, its state."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlkube.cli.cluster import cluster


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the served cluster's certificates")
    monkeypatch.setenv("MLKUBE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    yield tmp_path
    CliRunner().invoke(cluster, ["down", "--name", "t"])


def _run(*args: str) -> str:
    result = CliRunner().invoke(cluster, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _core(kubeconfig: Path) -> Any:
    from kubernetes import client, config

    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


@pytest.mark.slow
def test_up_is_idempotent_and_writes_a_kubeconfig_context(home: Path) -> None:
    first = _run("up", "--name", "t")
    second = _run("up", "--name", "t")
    url = first.splitlines()[0].split(" at ")[1]
    assert first.startswith("cluster t started at https://127.0.0.1:")
    assert second.splitlines()[0] == f"cluster t is running at {url}"
    kubeconfig = yaml.safe_load((home / "kubeconfig").read_text())
    assert kubeconfig["current-context"] == "mlkube-t"
    assert kubeconfig["clusters"][0]["cluster"]["server"] == url
    assert not (home / "user" / ".kube" / "config").exists()
    names = [n.metadata.name for n in _core(home / "kubeconfig").list_namespace().items]
    assert "default" in names


@pytest.mark.slow
def test_status_reports_version_address_uptime_and_counts(home: Path) -> None:
    _run("up", "--name", "t")
    report = json.loads(_run("status", "--name", "t", "-o", "json"))
    assert report["running"] is True
    assert report["version"] == "v1.37.0"
    assert report["url"].startswith("https://127.0.0.1:")
    assert report["objects"]["namespaces"] == 4
    assert report["uptimeSeconds"] >= 0
    as_yaml = yaml.safe_load(_run("status", "--name", "t", "-o", "yaml"))
    assert as_yaml["context"] == "mlkube-t"


@pytest.mark.slow
def test_state_survives_down_and_up_and_reset_clears_it(home: Path) -> None:
    from kubernetes import client

    _run("up", "--name", "t")
    _core(home / "kubeconfig").create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="kept"))
    )
    assert _run("down", "--name", "t") == "cluster t stopped\n"
    assert _run("status", "--name", "t") == "cluster t is not running\n"
    _run("up", "--name", "t")
    core = _core(home / "kubeconfig")
    assert core.read_namespaced_config_map("kept", "default").metadata.name == "kept"
    _run("reset", "--name", "t", "--yes")
    names = [c.metadata.name for c in _core(home / "kubeconfig").list_namespaced_config_map(
        "default").items]  # fmt: skip
    assert "kept" not in names


@pytest.mark.slow
def test_reset_asks_first(home: Path) -> None:
    result = CliRunner().invoke(cluster, ["reset", "--name", "t"], input="n\n")
    assert result.exit_code == 1
    assert "Delete all state of cluster t?" in result.output


@pytest.mark.slow
def test_merge_kubeconfig_adds_the_context_without_switching(home: Path) -> None:
    user_config = home / "user" / ".kube" / "config"
    user_config.parent.mkdir(parents=True)
    user_config.write_text(yaml.safe_dump({"current-context": "work", "contexts": []}))
    _run("up", "--name", "t", "--merge-kubeconfig")
    merged = yaml.safe_load(user_config.read_text())
    assert merged["current-context"] == "work"
    assert [c["name"] for c in merged["contexts"]] == ["mlkube-t"]


@pytest.mark.slow
def test_logs_print_the_server_log(home: Path) -> None:
    _run("up", "--name", "t")
    assert "cluster t serving on https://127.0.0.1:" in _run("logs", "--name", "t")


@pytest.mark.slow
def test_up_picks_a_free_port_when_the_last_one_is_taken(home: Path) -> None:
    import socket

    first = _run("up", "--name", "t").splitlines()[0].split(" at ")[1]
    _run("down", "--name", "t")
    port = int(first.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        again = _run("up", "--name", "t").splitlines()[0].split(" at ")[1]
    assert again != first
    assert again.startswith("https://127.0.0.1:")


@pytest.mark.slow
def test_up_reuses_the_port_of_last_time(home: Path) -> None:
    first = _run("up", "--name", "t").splitlines()[0]
    _run("down", "--name", "t")
    again = _run("up", "--name", "t").splitlines()[0]
    assert again == first
