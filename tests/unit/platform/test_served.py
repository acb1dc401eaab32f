"""The same platform through HTTP: kubeconfig -> KubeClient -> the served embedded cluster.

This is the path of ``mlkube cluster up`` followed by ``mlkube platform apply``: the embedded
cluster is recognised by its ``/version`` (``gitCommit: mlkube-<version>``,
``src/mlkube/server/discovery.py``), so apply creates the pools' nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlkube.cli.platform import platform
from mlkube.client import KubeClient
from mlkube.platform.apply import apply
from mlkube.platform.show import status
from mlkube.platform.spec import load_file
from mlkube.platform.target import KubeTarget, is_embedded
from mlkube.server.serve import ServerThread
from tests.unit.platform.targets import Recording

TOKEN = "platform-test-token"
EXAMPLE = "examples/platform.yaml"


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    with ServerThread(token=TOKEN) as server:
        path = tmp_path / "kubeconfig"
        path.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "mlkube-local", "cluster": {"server": server.url}}],
                    "contexts": [
                        {
                            "name": "mlkube-local",
                            "context": {"cluster": "mlkube-local", "user": "admin"},
                        }
                    ],
                    "users": [{"name": "admin", "user": {"token": TOKEN}}],
                    "current-context": "mlkube-local",
                }
            )
        )
        yield path


def test_the_served_cluster_is_recognised_as_embedded_and_gets_its_nodes(kubeconfig: Path) -> None:
    with KubeClient.from_kubeconfig(kubeconfig) as client:
        target = KubeTarget(client)
        assert is_embedded(target.version())
        outcome = apply(load_file(EXAMPLE), target)
        assert outcome.embedded is True
        assert len(client.list("nodes")) == 10


def test_a_second_apply_over_http_makes_zero_writes(kubeconfig: Path) -> None:
    spec = load_file(EXAMPLE)
    with KubeClient.from_kubeconfig(kubeconfig) as client:
        apply(spec, KubeTarget(client))
        recording = Recording(KubeTarget(client))
        apply(spec, recording)
        assert recording.writes == []


def test_show_reads_the_served_cluster(kubeconfig: Path) -> None:
    with KubeClient.from_kubeconfig(kubeconfig) as client:
        apply(load_file(EXAMPLE), KubeTarget(client))
        live = status(KubeTarget(client), "acme-ml")
    assert [(p.name, len(p.nodes)) for p in live.pools] == [("general", 6), ("gpu-a100", 4)]
    assert [t.name for t in live.teams] == ["nlp", "vision"]


def test_the_cli_applies_through_the_kubeconfig_and_context(kubeconfig: Path) -> None:
    args = ["--kubeconfig", str(kubeconfig), "--context", "mlkube-local"]
    first = CliRunner().invoke(platform, ["apply", "-f", EXAMPLE, *args])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(platform, ["apply", "-f", EXAMPLE, *args])
    assert second.stdout == "wrote 0: 0 created, 0 changed, 0 removed; 41 unchanged\n"
