"""The shared scenarios of ``tests/conformance/jobs`` on a cluster running the Job, TTL and
CronJob controllers (``test_embedded.py`` runs them too once these controllers are in
``DEFAULT_CONTROLLERS``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import DEFAULT_CONTROLLERS, Cluster
from mlkube.engine.controllers.cronjob import CronJobController
from mlkube.engine.controllers.ttlafterfinished import TTLAfterFinishedController
from mlkube.testing.scenarios import EngineTarget, Scenario, load_dir, run

from .builders import job_controller

SCENARIOS = load_dir(Path(__file__).parents[4] / "conformance" / "jobs")


def _cluster() -> Cluster:
    return Cluster(
        clock=FakeClock(),
        seed=0,
        controllers=[
            *DEFAULT_CONTROLLERS,
            job_controller,
            lambda c: TTLAfterFinishedController(c.api),
            lambda c: CronJobController(c.api),
        ],
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_job_scenario_holds_with_the_batch_controllers(scenario: Scenario) -> None:
    outcome = run(scenario, EngineTarget(_cluster()))
    assert outcome.failures == [], f"{scenario.name}:\n  " + "\n  ".join(outcome.failures)


def test_there_are_job_scenarios() -> None:
    assert {s.area for s in SCENARIOS} == {"jobs"}
    assert len(SCENARIOS) >= 7
