"""The pods a Job owns: how they are made from the template and how they are read.

A new pod carries the template's labels, annotations and spec, the
``batch.kubernetes.io/job-tracking`` finalizer (removed once the pod is counted in the
Job's status), ``generateName: <job>-`` and a controller ownerReference with
``blockOwnerDeletion``. An Indexed Job's pod also gets the completion index as an
annotation and a label, ``hostname: <job>-<i>``, ``generateName: <job>-<i>-`` and a
``JOB_COMPLETION_INDEX`` env var read from that label; with ``backoffLimitPerIndex`` it
carries the index's failure counts. Follows ``pkg/controller/job/job_controller.go``
(``manageJob``, ``isPodFailed``), ``indexed_job_utils.go`` (``getCompletionIndex``,
``podGenerateNameWithIndex``, ``addCompletionIndexEnvVariable``, the failure-count
annotations) and ``pkg/controller/controller_utils.go`` (``GetPodFromTemplate``,
``FilterActivePods``, ``ActivePods`` ordering).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from mlkube.api.timestamps import parse_time

__all__ = [
    "COMPLETION_INDEX_ANNOTATION",
    "COMPLETION_INDEX_ENV",
    "INDEX_FAILURE_COUNT_ANNOTATION",
    "INDEX_IGNORED_FAILURE_COUNT_ANNOTATION",
    "JOB_TRACKING_FINALIZER",
    "MAX_GENERATED_NAME_LENGTH",
    "UNKNOWN_INDEX",
    "completion_index",
    "has_tracking_finalizer",
    "index_failure_count",
    "index_ignored_failure_count",
    "is_active",
    "is_pod_failed",
    "is_ready",
    "is_terminating",
    "new_pod",
    "only_replace_failed",
    "pod_generate_name_with_index",
    "removal_order",
]

JOB_TRACKING_FINALIZER: Final = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX_ANNOTATION: Final = "batch.kubernetes.io/job-completion-index"
INDEX_FAILURE_COUNT_ANNOTATION: Final = "batch.kubernetes.io/job-index-failure-count"
INDEX_IGNORED_FAILURE_COUNT_ANNOTATION: Final = (
    "batch.kubernetes.io/job-index-ignored-failure-count"
)
COMPLETION_INDEX_ENV: Final = "JOB_COMPLETION_INDEX"
#: ``names.MaxGeneratedNameLength``: 63 less the 5 random characters.
MAX_GENERATED_NAME_LENGTH: Final = 58
UNKNOWN_INDEX: Final = -1
_MAX_INT32: Final = 2**31 - 1
_DELETION_COST_ANNOTATION: Final = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_RANK: Final = {"Pending": 0, "Unknown": 1, "Running": 2}

Obj = dict[str, Any]


def _meta(pod: Mapping[str, Any]) -> Mapping[str, Any]:
    return pod.get("metadata") or {}


def _phase(pod: Mapping[str, Any]) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def completion_index(pod: Mapping[str, Any]) -> int:
    """``getCompletionIndex``: the annotation's value, or -1 when absent or not a
    non-negative integer."""
    value = (_meta(pod).get("annotations") or {}).get(COMPLETION_INDEX_ANNOTATION)
    if value is None:
        return UNKNOWN_INDEX
    text = str(value)
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body.isdigit() or not body.isascii():
        return UNKNOWN_INDEX
    ix = int(text)
    return ix if ix >= 0 else UNKNOWN_INDEX


def _int32_annotation(pod: Mapping[str, Any], key: str) -> int:
    """``parseInt32``: 0 for a missing, unparseable, negative or too large value."""
    value = (_meta(pod).get("annotations") or {}).get(key)
    if value is None:
        return 0
    text = str(value)
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body.isdigit() or not body.isascii():
        return 0
    n = int(text)
    return n if 0 <= n <= _MAX_INT32 else 0


def index_failure_count(pod: Mapping[str, Any]) -> int:
    return _int32_annotation(pod, INDEX_FAILURE_COUNT_ANNOTATION)


def index_ignored_failure_count(pod: Mapping[str, Any]) -> int:
    return _int32_annotation(pod, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION)


def has_tracking_finalizer(pod: Mapping[str, Any]) -> bool:
    return JOB_TRACKING_FINALIZER in (_meta(pod).get("finalizers") or [])


def is_active(pod: Mapping[str, Any]) -> bool:
    """``FilterActivePods``: not finished and not being deleted."""
    return _phase(pod) not in ("Succeeded", "Failed") and not _meta(pod).get("deletionTimestamp")


def is_terminating(pod: Mapping[str, Any]) -> bool:
    """``FilterTerminatingPods``: being deleted but not finished."""
    return bool(_meta(pod).get("deletionTimestamp")) and _phase(pod) not in ("Succeeded", "Failed")


def is_ready(pod: Mapping[str, Any]) -> bool:
    """``podutil.IsPodReady``."""
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def only_replace_failed(job: Mapping[str, Any]) -> bool:
    """``onlyReplaceFailedPods``: ``podReplacementPolicy: Failed``, or a podFailurePolicy."""
    spec = job.get("spec") or {}
    return spec.get("podReplacementPolicy") == "Failed" or spec.get("podFailurePolicy") is not None


def is_pod_failed(pod: Mapping[str, Any], job: Mapping[str, Any]) -> bool:
    """``isPodFailed``: phase Failed, or (unless only failed pods are replaced) deleted
    before it succeeded."""
    phase = _phase(pod)
    if phase == "Failed":
        return True
    if only_replace_failed(job):
        return False
    return bool(_meta(pod).get("deletionTimestamp")) and phase != "Succeeded"


def _stamp(value: Any) -> float:
    try:
        return parse_time(str(value)).timestamp() if value else 0.0
    except ValueError:
        return 0.0


def removal_order(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    """The sort key of ``controller.ActivePods``: unassigned before assigned, pending before
    running, not ready before ready, lower deletion cost first, ready for less time first,
    more restarts first, newer before older."""
    status = pod.get("status") or {}
    ready = is_ready(pod)
    ready_since = 0.0
    for c in status.get("conditions") or []:
        if c.get("type") == "Ready" and c.get("status") == "True":
            ready_since = _stamp(c.get("lastTransitionTime"))
    restarts = max(
        (int(cs.get("restartCount") or 0) for cs in status.get("containerStatuses") or []),
        default=0,
    )
    cost = _int32_annotation(pod, _DELETION_COST_ANNOTATION)
    created = _stamp(_meta(pod).get("creationTimestamp"))
    return (
        bool((pod.get("spec") or {}).get("nodeName")),
        _PHASE_RANK.get(_phase(pod), 3),
        ready,
        cost,
        -ready_since if ready else 0.0,
        -restarts,
        -created,
    )


def pod_generate_name_with_index(job_name: str, index: int) -> str:
    """``podGenerateNameWithIndex``: ``<job>-<i>-``, the job name cut to fit 58 characters."""
    suffix = f"-{index}-"
    prefix = job_name + suffix
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[: MAX_GENERATED_NAME_LENGTH - len(suffix)] + suffix
    return prefix


def _add_index_env(container: Obj) -> None:
    env = container.setdefault("env", [])
    if any(v.get("name") == COMPLETION_INDEX_ENV for v in env):
        return
    path = f"metadata.labels['{COMPLETION_INDEX_ANNOTATION}']"
    env.append({"name": COMPLETION_INDEX_ENV, "valueFrom": {"fieldRef": {"fieldPath": path}}})


def new_pod(
    job: Mapping[str, Any],
    index: int = UNKNOWN_INDEX,
    failure_counts: tuple[int, int] | None = None,
) -> Obj:
    """The pod ``manageJob`` creates for ``job`` (at ``index`` for an Indexed Job);
    ``failure_counts`` are the index's (failed, ignored) counts with backoffLimitPerIndex."""
    meta = _meta(job)
    name = str(meta.get("name", ""))
    template = copy.deepcopy((job.get("spec") or {}).get("template") or {})
    tmeta = template.get("metadata") or {}
    spec: Obj = template.get("spec") or {}
    labels = dict(tmeta.get("labels") or {})
    annotations = dict(tmeta.get("annotations") or {})
    finalizers = list(tmeta.get("finalizers") or [])
    if JOB_TRACKING_FINALIZER not in finalizers:
        finalizers.append(JOB_TRACKING_FINALIZER)
    generate_name = f"{name}-"
    if index != UNKNOWN_INDEX:
        for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            _add_index_env(container)
        annotations[COMPLETION_INDEX_ANNOTATION] = str(index)
        labels[COMPLETION_INDEX_ANNOTATION] = str(index)
        spec["hostname"] = f"{name}-{index}"
        generate_name = pod_generate_name_with_index(name, index)
        if failure_counts is not None:
            failed, ignored = failure_counts
            annotations[INDEX_FAILURE_COUNT_ANNOTATION] = str(failed)
            if ignored > 0:
                annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = str(ignored)
    pod_meta: Obj = {
        "generateName": generate_name,
        "namespace": meta.get("namespace"),
        "labels": labels,
        "annotations": annotations,
        "finalizers": finalizers,
        "ownerReferences": [
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": name,
                "uid": meta.get("uid"),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if not labels:
        del pod_meta["labels"]
    if not annotations:
        del pod_meta["annotations"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}
