"""A workload's state in one word, from its Job or Deployment, as ``mlkube jobs`` shows it.

Pure functions over wire-form objects: a Job is ``Complete`` or ``Failed`` by its terminal
condition (``pkg/controller/job/job_controller.go``: ``Complete``, ``Failed`` with reasons
``BackoffLimitExceeded``, ``DeadlineExceeded``, ``FailedIndexes``, ``PodFailurePolicy``...),
``Suspended`` by its ``Suspended`` condition, ``Running`` while it has active pods and
``Pending`` before; progress is ``succeeded/completions``. A Deployment is ``Ready`` when
every replica is updated and available (``kubectl rollout status``'s test,
``staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go``), ``Failed`` when
its ``Progressing`` condition says ``ProgressDeadlineExceeded``, else ``Progressing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from mlkube.api.timestamps import human_duration, parse_time
from mlkube.platform.names import KIND, TEAM, WORKLOAD

__all__ = [
    "COMPLETE",
    "FAILED",
    "PENDING",
    "PROGRESSING",
    "READY",
    "RUNNING",
    "SUSPENDED",
    "WorkloadStatus",
    "age",
    "summarize",
]

PENDING: Final = "Pending"
RUNNING: Final = "Running"
COMPLETE: Final = "Complete"
FAILED: Final = "Failed"
SUSPENDED: Final = "Suspended"
READY: Final = "Ready"
PROGRESSING: Final = "Progressing"
_DONE: Final = frozenset({COMPLETE, FAILED})


@dataclass(frozen=True)
class WorkloadStatus:
    """One workload as its primary object (Job or Deployment) says it is."""

    name: str
    namespace: str
    team: str | None
    #: ``mlkube.io/kind``: training, distributed, sweep, preprocessing, inference.
    kind: str
    #: Pending, Running, Complete, Failed, Suspended (Jobs); Progressing, Ready, Failed.
    phase: str
    #: Succeeded pods (Jobs) or ready replicas (Deployments).
    done: int
    #: Completions (Jobs) or desired replicas (Deployments).
    total: int
    active: int = 0
    failed: int = 0
    #: The terminal condition's reason and message (``DeadlineExceeded``: "Job was active...").
    reason: str = ""
    message: str = ""
    created: str = ""
    #: ``job`` or ``deployment``: where the status was read from.
    object_kind: str = "job"

    @property
    def finished(self) -> bool:
        return self.phase in _DONE

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "team": self.team,
            "kind": self.kind,
            "status": self.phase,
            "progress": self.progress,
            "succeeded" if self.object_kind == "job" else "ready": self.done,
            "total": self.total,
            "active": self.active,
            "failed": self.failed,
            "reason": self.reason,
            "message": self.message,
            "created": self.created,
        }


def _condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == kind:
            return c  # type: ignore[no-any-return]
    return None


def _true(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    c = _condition(obj, kind)
    return c if c is not None and c.get("status") == "True" else None


def _job(obj: Mapping[str, Any]) -> tuple[str, int, int, int, int, str, str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    completions = spec.get("completions")
    total = int(completions if completions is not None else spec.get("parallelism", 1) or 1)
    done, active, failed = (int(status.get(k) or 0) for k in ("succeeded", "active", "failed"))
    if (c := _true(obj, "Complete")) is not None:
        return COMPLETE, done, total, active, failed, str(c.get("reason") or ""), ""
    if (c := _true(obj, "Failed")) is not None:
        reason, message = str(c.get("reason") or ""), str(c.get("message") or "")
        return FAILED, done, total, active, failed, reason, message
    if _true(obj, "Suspended") is not None:
        return SUSPENDED, done, total, active, failed, "", ""
    phase = RUNNING if active or done or failed else PENDING
    return phase, done, total, active, failed, "", ""


def _deployment(obj: Mapping[str, Any]) -> tuple[str, int, int, int, int, str, str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    replicas = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    ready = int(status.get("readyReplicas") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    generation = int((obj.get("metadata") or {}).get("generation") or 0)
    observed = int(status.get("observedGeneration") or 0)
    unavailable = int(status.get("unavailableReplicas") or 0)
    progressing = _condition(obj, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        reason, message = "ProgressDeadlineExceeded", str(progressing.get("message") or "")
        return FAILED, ready, replicas, 0, unavailable, reason, message
    rolled_out = observed >= generation and updated >= replicas and available >= replicas
    phase = READY if rolled_out and int(status.get("replicas") or 0) <= replicas else PROGRESSING
    return phase, ready, replicas, 0, unavailable, "", ""


def summarize(obj: Mapping[str, Any]) -> WorkloadStatus:
    """The status of a workload from its Job or Deployment (wire form; not mutated)."""
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    is_job = obj.get("kind") == "Job"
    phase, done, total, active, failed, reason, message = _job(obj) if is_job else _deployment(obj)
    return WorkloadStatus(
        name=str(labels.get(WORKLOAD) or meta.get("name") or ""),
        namespace=str(meta.get("namespace") or ""),
        team=labels.get(TEAM),
        kind=str(labels.get(KIND) or ""),
        phase=phase,
        done=done,
        total=total,
        active=active,
        failed=failed,
        reason=reason,
        message=message,
        created=str(meta.get("creationTimestamp") or ""),
        object_kind="job" if is_job else "deployment",
    )


def age(created: str, now: datetime) -> str:
    """kubectl's AGE column: ``duration.HumanDuration`` of now - creationTimestamp
    (``apimachinery/pkg/util/duration/duration.go``; every division truncates)."""
    if not created:
        return "<unknown>"
    return human_duration((now - parse_time(created)).total_seconds())
