"""A PreprocessingJob: a Job on the preprocessing profile's pools that writes a dataset.

The ``output`` dataset is mounted read-write (it must be ReadWriteMany in the platform:
several pods, on several nodes, write it at once; :mod:`~mlkube.platform.workloads.placement`
refuses anything else); input datasets are read-only. With ``completions > 1`` the Job is
Indexed, so each pod knows its shard from ``JOB_COMPLETION_INDEX`` (which the Job controller
sets), and ``parallelism`` defaults to the profile's, at most the completions.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.platform.workloads.model import PreprocessingJob
from mlkube.platform.workloads.placement import Placement
from mlkube.platform.workloads.pod import container, dataset_mounts, job, pod_template

__all__ = ["CONTAINER", "render_preprocessing"]

CONTAINER: Final = "preprocess"


def render_preprocessing(w: PreprocessingJob, place: Placement) -> list[dict[str, Any]]:
    spec = w.spec
    mounts = [*dataset_mounts(w), (spec.output, False)]
    main, volumes = container(w, place, CONTAINER, mounts)
    template = pod_template(w, place, [main], volumes, restart_policy="Never")
    completions = spec.completions
    fields: dict[str, Any] = {}
    if completions is not None and completions > 1:
        default = min(place.parallelism or completions, completions)
        fields = {
            "completionMode": "Indexed",
            "completions": completions,
            "parallelism": min(spec.parallel or default, completions),
        }
    elif completions is not None or spec.parallel is not None:
        fields = {"completions": completions, "parallelism": spec.parallel}
    return [job(w, place, template, **fields)]
