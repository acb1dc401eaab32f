"""The shared scenarios, run against the embedded engine in-process.

The same files run against a real control plane in ``tests/e2e/test_conformance.py``;
a scenario marked ``embedded-only`` states why real Kubernetes is not expected to pass it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.testing.scenarios import EngineTarget, Scenario, load_dir, run

SCENARIOS = load_dir(Path(__file__).parent)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_holds_on_the_embedded_cluster(scenario: Scenario) -> None:
    outcome = run(scenario, EngineTarget(Cluster(clock=FakeClock(), seed=0)))
    assert outcome.failures == [], f"{scenario.name}:\n  " + "\n  ".join(outcome.failures)


def test_there_are_scenarios_in_every_area() -> None:
    areas = {s.area for s in SCENARIOS}
    assert {"limitrange", "quota"} <= areas
