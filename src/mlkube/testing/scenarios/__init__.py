"""One scenario suite, two targets: the embedded cluster and a real control plane."""

from mlkube.testing.scenarios.model import Scenario, ScenarioError, Step, load, load_dir
from mlkube.testing.scenarios.runner import Outcome, run
from mlkube.testing.scenarios.targets import ClientTarget, EngineTarget, Target

__all__ = [
    "ClientTarget",
    "EngineTarget",
    "Outcome",
    "Scenario",
    "ScenarioError",
    "Step",
    "Target",
    "load",
    "load_dir",
    "run",
]
