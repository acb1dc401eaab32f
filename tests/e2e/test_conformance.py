"""The shared scenarios against a real control plane (kube-apiserver, kube-controller-manager,
kube-scheduler, etcd and KWOK) and the embedded engine, side by side.

Exactly the files ``tests/conformance/test_embedded.py`` runs in ``make test``. Each scenario
runs on both targets; it passes only when it holds on both, so every disagreement is a
failure (a bug in the embedded cluster unless the scenario is ``embedded-only``, whose
reason is printed). The session summary prints scenarios passed per target and the
agreement rate (``tests/e2e/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkube.client import KubeClient
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.testing.controlplane import RealCluster
from mlkube.testing.scenarios import ClientTarget, EngineTarget, Scenario, load_dir, run

from .conftest import OUTCOMES

SCENARIOS = load_dir(Path(__file__).resolve().parents[1] / "conformance")


@pytest.fixture(scope="module")
def target(real_cluster: RealCluster) -> Iterator[ClientTarget]:
    client = KubeClient.from_kubeconfig(real_cluster.kubeconfig)
    yield ClientTarget(client, "real")
    client.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_agrees_on_both_clusters(scenario: Scenario, target: ClientTarget) -> None:
    embedded = run(scenario, EngineTarget(Cluster(clock=FakeClock(), seed=0)))
    OUTCOMES.append(embedded)
    if scenario.embedded_only:
        assert embedded.failures == []
        pytest.skip(f"embedded-only: {scenario.embedded_only}")
    real = run(scenario, target)
    OUTCOMES.append(real)
    problems = [f"embedded: {f}" for f in embedded.failures] + [f"real: {f}" for f in real.failures]
    assert problems == [], f"{scenario.name}:\n  " + "\n  ".join(problems)
