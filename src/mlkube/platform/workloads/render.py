"""The functional core of the ML workloads: a workload and a platform in, built-in objects out.

``render(w, platform)`` is pure and deterministic (golden-tested, and ``-o yaml`` prints
it): 1. check the workload (:func:`~mlkube.platform.workloads.validate.validate`),
2. resolve it against the platform (:func:`~mlkube.platform.workloads.placement.place`),
3. render its kind, 4. return the objects in apply order (what others mount or select
first: ConfigMaps, claims, Services, then the Job or Deployment, then its budget). Every
problem of steps 1 and 2 is raised at once as a :class:`~mlkube.platform.problems.SpecError`
naming the field and the fix; nothing is half-rendered.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.platform.problems import SpecError
from mlkube.platform.spec import Platform
from mlkube.platform.workloads.distributed import render_distributed
from mlkube.platform.workloads.inference import render_inference
from mlkube.platform.workloads.model import (
    InferenceService,
    PreprocessingJob,
    Sweep,
    TrainingJob,
    Workload,
)
from mlkube.platform.workloads.placement import place
from mlkube.platform.workloads.preprocess import render_preprocessing
from mlkube.platform.workloads.sweep import render_sweep
from mlkube.platform.workloads.training import render_training
from mlkube.platform.workloads.validate import validate

__all__ = ["KIND_ORDER", "render"]

#: Apply order of everything a workload renders.
KIND_ORDER: Final = (
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "Job",
    "Deployment",
    "PodDisruptionBudget",
)


def render(
    w: Workload, platform: Platform | None, *, namespace: str | None = None
) -> list[dict[str, Any]]:
    """The built-in objects of one workload, in apply order; ``namespace`` overrides the
    team's. :class:`SpecError` with every problem found."""
    # 1. What is wrong whatever the cluster.
    problems = validate(w)
    if problems:
        raise SpecError(problems)
    # 2. Placement, team, datasets and fit from the platform.
    placement = place(w, platform, namespace)
    # 3. The kind's objects.
    if isinstance(w, TrainingJob):
        objects = (
            render_distributed(w, placement) if w.spec.nodes > 1 else render_training(w, placement)
        )
    elif isinstance(w, Sweep):
        objects = render_sweep(w, placement)
    elif isinstance(w, PreprocessingJob):
        objects = render_preprocessing(w, placement)
    elif isinstance(w, InferenceService):
        objects = render_inference(w, placement)
    # 4. Apply order.
    return sorted(objects, key=lambda o: KIND_ORDER.index(str(o["kind"])))
