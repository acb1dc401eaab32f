"""The Python SDK: ``mlkube.connect()`` and the same verbs as the CLI.

``connect`` (:mod:`mlkube.sdk.client`) picks the cluster as kubectl does, with the embedded
``local`` cluster as the default (:mod:`mlkube.sdk.target`, :mod:`mlkube.sdk.local`); a
:class:`Client` submits TrainingJobs, Sweeps, PreprocessingJobs and InferenceServices and
returns :class:`Handle` objects (:mod:`mlkube.sdk.handle`) to wait on, read logs and results
of, and cancel. The CLI's workload commands are thin over this package.
"""

from mlkube.sdk.client import Client, connect
from mlkube.sdk.errors import (
    MlkubeError,
    NotFound,
    QuotaRefused,
    TargetError,
    WaitFailed,
    WaitTimeout,
    WorkloadExists,
)
from mlkube.sdk.handle import Handle, TrialResult
from mlkube.sdk.status import WorkloadStatus
from mlkube.sdk.target import Target

__all__ = [
    "Client",
    "Handle",
    "MlkubeError",
    "NotFound",
    "QuotaRefused",
    "Target",
    "TargetError",
    "TrialResult",
    "WaitFailed",
    "WaitTimeout",
    "WorkloadExists",
    "WorkloadStatus",
    "connect",
]
