"""ML workloads without manifests: TrainingJob, Sweep, PreprocessingJob, InferenceService.

The functional core the CLI and SDK (issue 9) stand on: :func:`loads` and :func:`build`
read a workload from YAML or from command-line fields, :func:`render` turns it and the
platform spec into built-in objects (Jobs, Services, ConfigMaps, claims, a Deployment and
its PodDisruptionBudget), placed by the workload's profile. :func:`trials` and
:func:`parse_metrics` are a sweep's parameters and results; :func:`read_platform` reads the
platform spec ``mlkube platform apply`` stored on the cluster.
"""

from mlkube.platform.workloads.load import build, load_file, loads, to_builtins
from mlkube.platform.workloads.model import (
    API_VERSION,
    KINDS,
    DatasetMount,
    InferenceService,
    InferenceSpec,
    Meta,
    PreprocessingJob,
    PreprocessingSpec,
    Readiness,
    Resources,
    Scalar,
    Sweep,
    SweepSpec,
    TrainingJob,
    TrainingSpec,
    Workload,
)
from mlkube.platform.workloads.params import parse_param
from mlkube.platform.workloads.placement import namespace_of
from mlkube.platform.workloads.render import render
from mlkube.platform.workloads.stored import read_platform
from mlkube.platform.workloads.trials import METRIC_PREFIX, parse_metrics, rank, trials

__all__ = [
    "API_VERSION",
    "KINDS",
    "METRIC_PREFIX",
    "DatasetMount",
    "InferenceService",
    "InferenceSpec",
    "Meta",
    "PreprocessingJob",
    "PreprocessingSpec",
    "Readiness",
    "Resources",
    "Scalar",
    "Sweep",
    "SweepSpec",
    "TrainingJob",
    "TrainingSpec",
    "Workload",
    "build",
    "load_file",
    "loads",
    "namespace_of",
    "parse_metrics",
    "parse_param",
    "rank",
    "read_platform",
    "render",
    "to_builtins",
    "trials",
]
