"""The kubelet and eviction conformance scenarios hold on an embedded cluster that runs the
simulated kubelets, the node lifecycle and the taint eviction controllers.

``tests/conformance/test_embedded.py`` runs them too once these controllers are in
``DEFAULT_CONTROLLERS``; this runs them with the controllers added explicitly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkube.testing.scenarios import EngineTarget, Scenario, load_dir, run

from .builders import cluster, eviction, lifecycle

ROOT = Path(__file__).parents[4] / "tests" / "conformance"
SCENARIOS = load_dir(ROOT / "kubelet") + load_dir(ROOT / "eviction")


def test_there_are_kubelet_and_eviction_scenarios() -> None:
    assert {s.area for s in SCENARIOS} == {"kubelet", "eviction"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_holds_with_the_kubelets(scenario: Scenario) -> None:
    outcome = run(scenario, EngineTarget(cluster(lifecycle, eviction)))
    assert outcome.failures == [], f"{scenario.name}:\n  " + "\n  ".join(outcome.failures)
