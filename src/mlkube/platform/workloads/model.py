"""The ML workload specs (``mlkube.io/v1alpha1``): TrainingJob, Sweep, PreprocessingJob,
InferenceService.

An ML engineer says what to run (image, command, GPUs, datasets, how long, how often to
retry) and mlkube renders the built-in objects (:mod:`mlkube.platform.workloads.render`).
These Structs are that intent, in the style of :mod:`mlkube.platform.spec`: they forbid
unknown fields, use the YAML's camelCase names, and keep quantities and durations as the
user's strings (their meaning is ``mlkube.api.quantity`` and ``mlkube.api.timestamps``).
Fields left unset (``None``) fall back to the workload's profile in the platform spec.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

from mlkube.platform.spec import Duration, NonNegative, Positive, Quantity

__all__ = [
    "API_VERSION",
    "DEFAULT_PROFILES",
    "KINDS",
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
]

API_VERSION: Final = "mlkube.io/v1alpha1"
KINDS: Final = ("TrainingJob", "Sweep", "PreprocessingJob", "InferenceService")
#: The platform profile each kind runs with unless ``spec.profile`` names another.
DEFAULT_PROFILES: Final = {
    "TrainingJob": "training",
    "Sweep": "training",
    "PreprocessingJob": "preprocessing",
    "InferenceService": "inference",
}

#: One value of a sweep parameter.
Scalar = str | int | float | bool
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]


class _Spec(
    msgspec.Struct, forbid_unknown_fields=True, rename="camel", omit_defaults=True, kw_only=True
):
    pass


class Resources(_Spec, kw_only=True):
    """What one pod (one node of a distributed job) asks for; GPUs are requested = limited."""

    gpu: NonNegative = 0
    #: The accelerator (``mlkube.io/accelerator`` pool label), e.g. ``a100``.
    gpu_type: str | None = None
    cpu: Quantity | None = None
    memory: Quantity | None = None


class DatasetMount(_Spec, kw_only=True):
    """A platform dataset mounted into the pods (the team's claim of that name)."""

    name: str
    #: Default ``/data/<name>``.
    mount_path: str | None = None
    #: Default read-only (the output of a PreprocessingJob: read-write).
    read_only: bool | None = None

    @property
    def path(self) -> str:
        return self.mount_path or f"/data/{self.name}"


class Meta(_Spec, kw_only=True):
    name: str
    #: The platform team: its namespace, quota and datasets.
    team: str | None = None
    labels: dict[str, str] = {}


class _PodSpec(_Spec, kw_only=True):
    """What every workload's pods have."""

    image: str
    command: list[str] = []
    args: list[str] = []
    env: dict[str, str] = {}
    resources: Resources = msgspec.field(default_factory=Resources)
    datasets: list[DatasetMount] = []
    #: A PriorityClass of the platform; default: the profile's.
    priority: str | None = None
    #: The platform profile; default by kind (:data:`DEFAULT_PROFILES`).
    profile: str | None = None


class _BatchSpec(_PodSpec, kw_only=True):
    """What run-to-completion workloads add: limits in time and retries."""

    #: activeDeadlineSeconds, as a Go duration; default: the profile's.
    deadline: Duration | None = None
    #: backoffLimit; default: the profile's.
    retries: NonNegative | None = None
    #: ttlSecondsAfterFinished, as a Go duration; default: the profile's.
    ttl: Duration | None = None
    #: Simulated nodes only: how long the pods run (``sim.mlkube.io/run-for``).
    run_for: Duration | None = None
    #: Simulated nodes only: the exit code (``sim.mlkube.io/exit-code``).
    exit_code: NonNegative | None = None


class TrainingSpec(_BatchSpec, kw_only=True):
    #: Distributed (an Indexed Job, one pod per node) when more than 1.
    nodes: Positive = 1
    #: torchrun's ``--nproc-per-node``; default: the GPU count, or 1.
    nproc_per_node: Positive | None = None
    #: The rendezvous port of node 0 (MASTER_PORT).
    port: Port = 29500


class SweepSpec(TrainingSpec, kw_only=True):
    #: Parameter name -> values (a list: the grid), or a range for random search
    #: (``uniform(a,b)``, ``loguniform(a,b)``, ``int(a,b)``).
    params: dict[str, list[Scalar] | str] = {}
    #: Run this many trials sampled from the parameters instead of the whole grid.
    random: Positive | None = None
    #: The seed of the random sampling.
    seed: int = 0
    #: Trials run at once; default: the profile's parallelism, at most the number of trials.
    parallel: Positive | None = None
    #: The metric ``mlkube results`` ranks trials by.
    metric: str | None = None
    goal: Literal["minimize", "maximize"] = "minimize"
    #: backoffLimitPerIndex: retries of each trial.
    trial_retries: NonNegative = 1
    #: maxFailedIndexes: the sweep fails when more trials than this have failed.
    max_failed: NonNegative | None = None


class PreprocessingSpec(_BatchSpec, kw_only=True):
    #: The ReadWriteMany dataset written (mounted read-write).
    output: DatasetMount
    parallel: Positive | None = None
    #: Indexed when more than 1.
    completions: Positive | None = None


class Readiness(_Spec, kw_only=True):
    path: str = "/healthz"
    #: Default: the service port.
    port: Port | None = None


class InferenceSpec(_PodSpec, kw_only=True):
    replicas: NonNegative = 1
    port: Port = 8080
    readiness: Readiness = msgspec.field(default_factory=Readiness)
    #: The PodDisruptionBudget's minAvailable (a number or a percentage); default replicas-1.
    min_available: int | str | None = None


class _Workload(_Spec, kw_only=True):
    api_version: Literal["mlkube.io/v1alpha1"] = API_VERSION
    kind: str
    metadata: Meta

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def team(self) -> str | None:
        return self.metadata.team


class TrainingJob(_Workload, kw_only=True):
    kind: Literal["TrainingJob"] = "TrainingJob"
    spec: TrainingSpec


class Sweep(_Workload, kw_only=True):
    kind: Literal["Sweep"] = "Sweep"
    spec: SweepSpec


class PreprocessingJob(_Workload, kw_only=True):
    kind: Literal["PreprocessingJob"] = "PreprocessingJob"
    spec: PreprocessingSpec


class InferenceService(_Workload, kw_only=True):
    kind: Literal["InferenceService"] = "InferenceService"
    spec: InferenceSpec


Workload = TrainingJob | Sweep | PreprocessingJob | InferenceService
