"""The Deployment's conditions: their reasons, how they are set, and the progress
predicates read from them.

It exists so that the ``Available`` and ``Progressing`` rules live in one place, shared by
the revision sync and the rollout status. Follows
``pkg/controller/deployment/util/deployment_util.go`` (the reasons, ``NewDeploymentCondition``,
``GetDeploymentCondition``, ``SetDeploymentCondition``, ``RemoveDeploymentCondition``,
``HasProgressDeadline``, ``DeploymentComplete``, ``DeploymentProgressing``,
``DeploymentTimedOut``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from mlkube.api.timestamps import parse_time
from mlkube.engine.controllers.deployment.util import _MAX_INT32, _replicas

__all__ = [
    "FAILED_RS_CREATE_REASON",
    "FOUND_NEW_RS_REASON",
    "MIN_AVAILABLE",
    "MIN_UNAVAILABLE",
    "NEW_RS_AVAILABLE_REASON",
    "NEW_RS_REASON",
    "PAUSED_REASON",
    "RESUMED_REASON",
    "RS_UPDATED_REASON",
    "TIMED_OUT_REASON",
    "_complete",
    "_condition",
    "_get_condition",
    "_progress_deadline",
    "_progressing",
    "_remove_condition",
    "_set_condition",
    "_timed_out",
]

# Reasons (deployment_util.go)
NEW_RS_REASON: Final = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON: Final = "FoundNewReplicaSet"
RS_UPDATED_REASON: Final = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON: Final = "NewReplicaSetAvailable"
TIMED_OUT_REASON: Final = "ProgressDeadlineExceeded"
FAILED_RS_CREATE_REASON: Final = "ReplicaSetCreateError"
MIN_AVAILABLE: Final = "MinimumReplicasAvailable"
MIN_UNAVAILABLE: Final = "MinimumReplicasUnavailable"
PAUSED_REASON: Final = "DeploymentPaused"
RESUMED_REASON: Final = "DeploymentResumed"


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _get_condition(status: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == kind), None)


def _set_condition(status: dict[str, Any], cond: dict[str, Any]) -> None:
    """``SetDeploymentCondition``: same status and reason is a no-op; same status keeps
    the transition time; the condition moves to the end."""
    current = _get_condition(status, cond["type"])
    if current and current["status"] == cond["status"] and current.get("reason") == cond["reason"]:
        return
    if current and current["status"] == cond["status"]:
        cond["lastTransitionTime"] = current["lastTransitionTime"]
    _remove_condition(status, cond["type"])
    status.setdefault("conditions", []).append(cond)


def _remove_condition(status: dict[str, Any], kind: str) -> None:
    kept = [c for c in status.get("conditions") or [] if c.get("type") != kind]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


def _progress_deadline(d: dict[str, Any]) -> int | None:
    value = d["spec"].get("progressDeadlineSeconds", 600)
    return None if value is None or value == _MAX_INT32 else int(value)


def _complete(d: dict[str, Any], status: dict[str, Any]) -> bool:
    """``DeploymentComplete``."""
    want = _replicas(d)
    return bool(
        status.get("updatedReplicas", 0) == want
        and status.get("replicas", 0) == want
        and status.get("availableReplicas", 0) == want
        and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 0)
    )


def _progressing(d: dict[str, Any], new: dict[str, Any]) -> bool:
    """``DeploymentProgressing``."""
    old = d.get("status") or {}

    def old_replicas(s: dict[str, Any]) -> int:
        return int(s.get("replicas", 0)) - int(s.get("updatedReplicas", 0))

    return (
        new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
        or old_replicas(new) < old_replicas(old)
        or new.get("readyReplicas", 0) > old.get("readyReplicas", 0)
        or new.get("availableReplicas", 0) > old.get("availableReplicas", 0)
    )


def _timed_out(d: dict[str, Any], status: dict[str, Any], now: datetime) -> bool:
    """``DeploymentTimedOut``."""
    deadline = _progress_deadline(d)
    cond = _get_condition(status, "Progressing")
    if deadline is None or cond is None or cond.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if cond.get("reason") == TIMED_OUT_REASON:
        return True
    return (now - parse_time(cond["lastUpdateTime"])).total_seconds() > deadline
