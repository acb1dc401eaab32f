"""The shared scenarios against a real control plane (kube-apiserver, kube-controller-manager,
kube-scheduler, etcd and KWOK), through mlkube's own client.

Exactly the files ``tests/conformance/test_embedded.py`` runs on the embedded engine. A
scenario marked ``embedded-only`` says why real Kubernetes is not expected to pass it and
is reported as skipped, with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import RealCluster
from mlkube.testing.scenarios import ClientTarget, Scenario, load_dir, run

SCENARIOS = load_dir(Path(__file__).resolve().parents[1] / "conformance")


@pytest.fixture(scope="module")
def target(real_cluster: RealCluster) -> Iterator[ClientTarget]:
    client = KubeClient.from_kubeconfig(real_cluster.kubeconfig)
    yield ClientTarget(client, "real")
    client.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_holds_on_the_real_control_plane(scenario: Scenario, target: ClientTarget) -> None:
    if scenario.embedded_only:
        pytest.skip(f"embedded-only: {scenario.embedded_only}")
    outcome = run(scenario, target)
    assert outcome.failures == [], f"{scenario.name}:\n  " + "\n  ".join(outcome.failures)
