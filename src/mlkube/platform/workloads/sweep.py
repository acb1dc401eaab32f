"""A Sweep: one Indexed Job whose completion index is the trial, and where trials report.

- ``completions`` = the number of trials (:func:`~mlkube.platform.workloads.trials.trials`),
  ``parallelism`` = ``parallel`` (default: the profile's parallelism, at most the trials);
- ``backoffLimitPerIndex`` = ``trialRetries`` so that one bad trial does not sink the sweep
  (upstream then leaves ``backoffLimit`` unset: it defaults to MaxInt32), and
  ``maxFailedIndexes`` = ``maxFailed`` when given;
- parameters: a ConfigMap ``<name>-params`` with one key per trial (``"0.json"``: the
  trial's parameters as a JSON object) mounted at ``/etc/mlkube/params``, and env
  ``MLKUBE_TRIAL_INDEX`` (the completion index, from the downward API) and
  ``MLKUBE_PARAMS_FILE`` (``/etc/mlkube/params/$(MLKUBE_TRIAL_INDEX).json``);
- results: a PersistentVolumeClaim ``<name>-results`` (ReadWriteMany, 1Gi, the cluster's
  default StorageClass) mounted at ``MLKUBE_RESULTS_DIR``; trials print their metrics as
  ``mlkube-metric: {...}`` lines (:func:`~mlkube.platform.workloads.trials.parse_metrics`);
- the Job carries the workload spec (``mlkube.io/spec``, as every workload's primary object
  does), so ``mlkube results`` has the metric, goal and trials from the cluster alone.
"""

from __future__ import annotations

import json
from typing import Any, Final

from mlkube.platform.problems import Problem, SpecError
from mlkube.platform.workloads.distributed import COMPLETION_INDEX_FIELD
from mlkube.platform.workloads.model import Sweep
from mlkube.platform.workloads.placement import Placement
from mlkube.platform.workloads.pod import container, dataset_mounts, job, meta, pod_template
from mlkube.platform.workloads.trials import trials

__all__ = [
    "CONTAINER",
    "MAX_CONFIG_MAP_BYTES",
    "PARAMS_DIR",
    "RESULTS_DIR",
    "RESULTS_SIZE",
    "params_name",
    "render_sweep",
    "results_name",
]

CONTAINER: Final = "trial"
PARAMS_DIR: Final = "/etc/mlkube/params"
RESULTS_DIR: Final = "/var/lib/mlkube/results"
RESULTS_SIZE: Final = "1Gi"
#: ``core.MaxSecretSize``, the limit of a ConfigMap's data (``pkg/apis/core/validation``).
MAX_CONFIG_MAP_BYTES: Final = 1024 * 1024


def params_name(w: Sweep) -> str:
    return f"{w.name}-params"


def results_name(w: Sweep) -> str:
    return f"{w.name}-results"


def _config_map(w: Sweep, place: Placement, params: list[dict[str, Any]]) -> dict[str, Any]:
    data = {f"{i}.json": json.dumps(p, sort_keys=True) for i, p in enumerate(params)}
    size = sum(len(k) + len(v.encode()) for k, v in data.items())
    if size > MAX_CONFIG_MAP_BYTES:
        raise SpecError(
            [
                Problem(
                    "sweep",
                    "spec.params",
                    f"the parameters of {len(params)} trials take {size} bytes; "
                    f"a ConfigMap holds at most {MAX_CONFIG_MAP_BYTES}",
                    "sample fewer trials with random: N",
                )
            ]
        )
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(w, place, params_name(w)),
        "data": data,
    }


def _claim(w: Sweep, place: Placement) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(w, place, results_name(w)),
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": RESULTS_SIZE}},
        },
    }


def _env() -> list[dict[str, Any]]:
    return [
        {
            "name": "MLKUBE_TRIAL_INDEX",
            "valueFrom": {"fieldRef": {"fieldPath": COMPLETION_INDEX_FIELD}},
        },
        {"name": "MLKUBE_PARAMS_FILE", "value": f"{PARAMS_DIR}/$(MLKUBE_TRIAL_INDEX).json"},
        {"name": "MLKUBE_RESULTS_DIR", "value": RESULTS_DIR},
    ]


def render_sweep(w: Sweep, place: Placement) -> list[dict[str, Any]]:
    params = trials(w)
    count = len(params)
    mounts: list[dict[str, Any]] = [
        {"name": "params", "mountPath": PARAMS_DIR, "readOnly": True},
        {"name": "results", "mountPath": RESULTS_DIR},
    ]
    main, volumes = container(
        w, place, CONTAINER, dataset_mounts(w), env=_env(), volume_mounts=mounts
    )
    volumes += [
        {"name": "params", "configMap": {"name": params_name(w)}},
        {"name": "results", "persistentVolumeClaim": {"claimName": results_name(w)}},
    ]
    template = pod_template(w, place, [main], volumes, restart_policy="Never")
    parallel = w.spec.parallel or min(place.parallelism or count, count)
    indexed = job(
        w,
        place,
        template,
        backoff_limit=False,
        completionMode="Indexed",
        completions=count,
        parallelism=min(parallel, count),
        backoffLimitPerIndex=w.spec.trial_retries,
        maxFailedIndexes=w.spec.max_failed,
    )
    return [_config_map(w, place, params), _claim(w, place), indexed]
