"""The pod every workload kind shares: container, resources, dataset volumes, placement.

Resources: what is asked for is both requested and limited. For GPUs Kubernetes requires it
(extended resources cannot be overcommitted, ``pkg/apis/core/validation``); for CPU and
memory it keeps the team's LimitRange from handing a 256Gi request a default 4Gi limit,
which kube-apiserver would refuse (``must be less than or equal to memory limit``).
Datasets are the team's claims (:func:`mlkube.platform.names.claim_name`), mounted
read-only unless asked otherwise. Metadata carries the workload labels
(:mod:`mlkube.platform.workloads.labels`) on the object and on its pod template.
"""

from __future__ import annotations

import json
from typing import Any, Final

from mlkube.platform.names import claim_name
from mlkube.platform.problems import Problem, SpecError
from mlkube.platform.workloads.labels import EXIT_CODE, RUN_FOR, SPEC, workload_labels
from mlkube.platform.workloads.load import to_builtins
from mlkube.platform.workloads.model import DatasetMount, InferenceService, Resources, Workload
from mlkube.platform.workloads.placement import Placement

__all__ = [
    "MAX_SPEC_BYTES",
    "Mount",
    "container",
    "dataset_mounts",
    "dataset_volume_name",
    "job",
    "meta",
    "pod_template",
    "primary_meta",
    "resource_list",
    "sim_annotations",
]

#: ``TotalAnnotationSizeLimitB`` (``apimachinery/pkg/api/validation/objectmeta.go``), less
#: room for other annotations.
MAX_SPEC_BYTES: Final = 200 * 1024
#: A dataset mount with its read-only decision made.
Mount = tuple[DatasetMount, bool]


def meta(
    w: Workload, place: Placement, name: str | None = None, **annotations: str
) -> dict[str, Any]:
    """An object's metadata: name (default the workload's), namespace, labels."""
    out: dict[str, Any] = {
        "name": name or w.name,
        "namespace": place.namespace,
        "labels": workload_labels(w, place.team),
    }
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out


def primary_meta(w: Workload, place: Placement) -> dict[str, Any]:
    """The Job's or Deployment's metadata: :func:`meta` and the workload spec as JSON."""
    spec = json.dumps(to_builtins(w), separators=(",", ":"))  # params keep their order
    if len(spec.encode()) > MAX_SPEC_BYTES:
        raise SpecError(
            [
                Problem(
                    "workload",
                    "spec",
                    f"the workload takes {len(spec.encode())} bytes as JSON; "
                    f"an object's annotations hold at most {MAX_SPEC_BYTES}",
                    "list fewer parameter values, or use ranges with random: N",
                )
            ]
        )
    return meta(w, place, **{SPEC: spec})


def resource_list(res: Resources, gpu_resource: str) -> dict[str, Any]:
    """Requests = limits for what is asked; empty when nothing is."""
    asked: dict[str, str] = {}
    if res.cpu is not None:
        asked["cpu"] = res.cpu
    if res.memory is not None:
        asked["memory"] = res.memory
    if res.gpu:
        asked[gpu_resource] = str(res.gpu)
    return {"requests": dict(asked), "limits": dict(asked)} if asked else {}


def dataset_volume_name(dataset: str) -> str:
    return f"dataset-{dataset}"


def _volumes(mounts: list[Mount]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    volumes, volume_mounts = [], []
    for mount, read_only in mounts:
        name = dataset_volume_name(mount.name)
        volumes.append(
            {"name": name, "persistentVolumeClaim": {"claimName": claim_name(mount.name)}}
        )
        entry: dict[str, Any] = {"name": name, "mountPath": mount.path}
        if read_only:
            entry["readOnly"] = True
        volume_mounts.append(entry)
    return volumes, volume_mounts


def dataset_mounts(w: Workload) -> list[Mount]:
    """The spec's datasets, read-only unless ``readOnly: false``."""
    return [(m, m.read_only is not False) for m in w.spec.datasets]


def container(
    w: Workload,
    place: Placement,
    name: str,
    mounts: list[Mount],
    *,
    env: list[dict[str, Any]] | None = None,
    volume_mounts: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The workload's one container, and the pod volumes its datasets need."""
    spec = w.spec
    volumes, dataset_mounts_ = _volumes(mounts)
    out: dict[str, Any] = {"name": name, "image": spec.image}
    if spec.command:
        out["command"] = list(spec.command)
    if spec.args:
        out["args"] = list(spec.args)
    all_env = [*(env or []), *({"name": k, "value": v} for k, v in spec.env.items())]
    if all_env:
        out["env"] = all_env
    out.update(extra)
    resources = resource_list(spec.resources, place.gpu_resource)
    if resources:
        out["resources"] = resources
    all_mounts = [*dataset_mounts_, *(volume_mounts or [])]
    if all_mounts:
        out["volumeMounts"] = all_mounts
    return out, volumes


def sim_annotations(w: Workload) -> dict[str, str]:
    """Simulated nodes: how long the pods run and how they exit."""
    if isinstance(w, InferenceService):
        return {}
    out: dict[str, str] = {}
    if w.spec.run_for is not None:
        out[RUN_FOR] = w.spec.run_for
    if w.spec.exit_code is not None:
        out[EXIT_CODE] = str(w.spec.exit_code)
    return out


def pod_template(
    w: Workload,
    place: Placement,
    containers: list[dict[str, Any]],
    volumes: list[dict[str, Any]],
    *,
    restart_policy: str,
    **extra: Any,
) -> dict[str, Any]:
    """The pod template: labels, simulation annotations, placement, volumes."""
    tmeta: dict[str, Any] = {"labels": workload_labels(w, place.team)}
    annotations = sim_annotations(w)
    if annotations:
        tmeta["annotations"] = annotations
    spec: dict[str, Any] = {"restartPolicy": restart_policy, **extra}
    if place.priority_class is not None:
        spec["priorityClassName"] = place.priority_class
    if place.affinity:
        spec["affinity"] = place.affinity
    if place.tolerations:
        spec["tolerations"] = place.tolerations
    spec["containers"] = containers
    if volumes:
        spec["volumes"] = volumes
    return {"metadata": tmeta, "spec": spec}


def job(
    w: Workload,
    place: Placement,
    template: dict[str, Any],
    *,
    backoff_limit: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """A ``batch/v1`` Job with the workload's (else the profile's) deadline, TTL and, unless
    ``backoff_limit`` is False (``backoffLimitPerIndex`` takes its place), retries."""
    spec: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if backoff_limit and place.backoff_limit is not None:
        spec["backoffLimit"] = place.backoff_limit
    if place.active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = place.active_deadline_seconds
    if place.ttl_seconds_after_finished is not None:
        spec["ttlSecondsAfterFinished"] = place.ttl_seconds_after_finished
    spec["template"] = template
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": primary_meta(w, place),
        "spec": spec,
    }
