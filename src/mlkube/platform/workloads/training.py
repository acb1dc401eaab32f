"""A TrainingJob on one node: one ``batch/v1`` Job, one pod at a time.

``restartPolicy: Never`` so that every failed attempt is a new pod the Job counts against
``backoffLimit`` (retries) and its logs survive; the deadline, TTL and priority come from
the workload or its profile (:mod:`mlkube.platform.workloads.placement`). On more than one
node it is :mod:`mlkube.platform.workloads.distributed`.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.platform.workloads.model import TrainingJob
from mlkube.platform.workloads.placement import Placement
from mlkube.platform.workloads.pod import container, dataset_mounts, job, pod_template

__all__ = ["CONTAINER", "render_training"]

#: The container of training pods (distributed ones too).
CONTAINER: Final = "train"


def render_training(w: TrainingJob, place: Placement) -> list[dict[str, Any]]:
    main, volumes = container(w, place, CONTAINER, dataset_mounts(w))
    template = pod_template(w, place, [main], volumes, restart_policy="Never")
    return [job(w, place, template)]
