"""The labels and annotations every rendered workload object carries.

``mlkube jobs``, ``status``, ``logs`` and ``results`` find a workload's objects and pods by
``mlkube.io/workload`` and ``mlkube.io/kind``; quota and ``explain`` read ``mlkube.io/team``;
the recommended ``app.kubernetes.io/managed-by`` says who wrote them. Workload objects never
carry ``mlkube.io/platform``: that label is how ``mlkube platform apply --prune`` finds what
the platform owns, and a platform apply must never delete a running training job.

The primary object (the Job or Deployment) also carries the workload itself as JSON
(``mlkube.io/spec``), so ``status``, ``results`` and the SDK read back what was asked (a
sweep's metric, goal and parameters) from the cluster alone, as ``kubectl apply`` keeps its
last-applied configuration.

The simulated-run annotations are the embedded kubelet's
(``mlkube.engine.kubelet.stages.RUN_FOR``, ``EXIT_CODE``), repeated here so the renderer does
not import the engine; a test pins them equal.
"""

from __future__ import annotations

from typing import Final

from mlkube.platform.names import KIND, MANAGED_BY, MANAGED_BY_VALUE, TEAM, WORKLOAD
from mlkube.platform.workloads.model import TrainingJob, Workload

__all__ = [
    "EXIT_CODE",
    "KIND_DISTRIBUTED",
    "KIND_INFERENCE",
    "KIND_PREPROCESSING",
    "KIND_SWEEP",
    "KIND_TRAINING",
    "RUN_FOR",
    "SPEC",
    "kind_label",
    "selector",
    "workload_labels",
]

#: On the Job or Deployment: the workload spec, as JSON (``to_builtins``).
SPEC: Final = "mlkube.io/spec"
RUN_FOR: Final = "sim.mlkube.io/run-for"
EXIT_CODE: Final = "sim.mlkube.io/exit-code"

KIND_TRAINING: Final = "training"
KIND_DISTRIBUTED: Final = "distributed"
KIND_SWEEP: Final = "sweep"
KIND_PREPROCESSING: Final = "preprocessing"
KIND_INFERENCE: Final = "inference"


def kind_label(w: Workload) -> str:
    """The ``mlkube.io/kind`` value: a TrainingJob on more than one node is ``distributed``."""
    if isinstance(w, TrainingJob):
        return KIND_DISTRIBUTED if w.spec.nodes > 1 else KIND_TRAINING
    return {
        "Sweep": KIND_SWEEP,
        "PreprocessingJob": KIND_PREPROCESSING,
        "InferenceService": KIND_INFERENCE,
    }[w.kind]


def selector(w: Workload) -> dict[str, str]:
    """The labels that select a workload's pods (a Service's or Deployment's selector)."""
    return {WORKLOAD: w.name, KIND: kind_label(w)}


def workload_labels(w: Workload, team: str | None) -> dict[str, str]:
    """The user's labels, then mlkube's (which win)."""
    ours = {MANAGED_BY: MANAGED_BY_VALUE, **({TEAM: team} if team else {}), **selector(w)}
    return {**w.metadata.labels, **ours}
