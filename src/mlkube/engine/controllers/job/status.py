"""The Job's conditions: their reasons and messages, and how they are added or changed.

Failing is two-step in v1.37 (JobManagedBy and JobPodReplacementPolicy on): the interim
``FailureTarget`` (then pods are terminated and counted), then ``Failed`` with the same
reason and message. Succeeding likewise: ``SuccessCriteriaMet``, then ``Complete`` (and
``completionTime``, its transition time). ``Suspended`` flips between ``JobSuspended`` and
``JobResumed``. Follows ``pkg/controller/job/job_controller.go`` (``newCondition``,
``ensureJobConditionStatus``, ``newFailureCondition``, ``newSuccessCondition``,
``recordJobFinished``) and the reasons in ``k8s.io/api/batch/v1/types.go``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.api.timestamps import format_time

__all__ = [
    "COMPLETE",
    "FAILED",
    "FAILURE_TARGET",
    "MSG_BACKOFF_LIMIT_EXCEEDED",
    "MSG_COMPLETIONS_REACHED",
    "MSG_DEADLINE_EXCEEDED",
    "MSG_FAILED_INDEXES",
    "MSG_JOB_COMPLETED",
    "MSG_JOB_RESUMED",
    "MSG_JOB_SUSPENDED",
    "MSG_MAX_FAILED_INDEXES_EXCEEDED",
    "MSG_TOO_MANY_SUCCEEDED",
    "REASON_BACKOFF_LIMIT_EXCEEDED",
    "REASON_COMPLETIONS_REACHED",
    "REASON_DEADLINE_EXCEEDED",
    "REASON_FAILED_INDEXES",
    "REASON_MAX_FAILED_INDEXES_EXCEEDED",
    "REASON_POD_FAILURE_POLICY",
    "REASON_SUCCESS_POLICY",
    "SUCCESS_CRITERIA_MET",
    "SUSPENDED",
    "condition_true",
    "ensure_condition",
    "find_condition",
    "is_finished",
    "new_condition",
]

COMPLETE: Final = "Complete"
FAILED: Final = "Failed"
FAILURE_TARGET: Final = "FailureTarget"
SUCCESS_CRITERIA_MET: Final = "SuccessCriteriaMet"
SUSPENDED: Final = "Suspended"

REASON_POD_FAILURE_POLICY: Final = "PodFailurePolicy"
REASON_BACKOFF_LIMIT_EXCEEDED: Final = "BackoffLimitExceeded"
REASON_DEADLINE_EXCEEDED: Final = "DeadlineExceeded"
REASON_MAX_FAILED_INDEXES_EXCEEDED: Final = "MaxFailedIndexesExceeded"
REASON_FAILED_INDEXES: Final = "FailedIndexes"
REASON_SUCCESS_POLICY: Final = "SuccessPolicy"
REASON_COMPLETIONS_REACHED: Final = "CompletionsReached"

MSG_BACKOFF_LIMIT_EXCEEDED: Final = "Job has reached the specified backoff limit"
MSG_DEADLINE_EXCEEDED: Final = "Job was active longer than specified deadline"
MSG_MAX_FAILED_INDEXES_EXCEEDED: Final = (
    "Job has exceeded the specified maximal number of failed indexes"
)
MSG_FAILED_INDEXES: Final = "Job has failed indexes"
MSG_COMPLETIONS_REACHED: Final = "Reached expected number of succeeded pods"
MSG_JOB_COMPLETED: Final = "Job completed"
MSG_TOO_MANY_SUCCEEDED: Final = "Too many succeeded pods running after completion count reached"
MSG_JOB_SUSPENDED: Final = "Job suspended"
MSG_JOB_RESUMED: Final = "Job resumed"

Obj = dict[str, Any]


def new_condition(ctype: str, status: str, reason: str, message: str, now: datetime) -> Obj:
    """``newCondition``: probe and transition time both now."""
    stamp = format_time(now)
    return {
        "type": ctype,
        "status": status,
        "lastProbeTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def find_condition(conditions: list[Obj], ctype: str) -> Obj | None:
    return next((c for c in conditions if c.get("type") == ctype), None)


def condition_true(job: Mapping[str, Any], ctype: str) -> Obj | None:
    cond = find_condition((job.get("status") or {}).get("conditions") or [], ctype)
    return cond if cond is not None and cond.get("status") == "True" else None


def is_finished(job: Mapping[str, Any]) -> bool:
    """``util.IsJobFinished``: a ``Complete`` or ``Failed`` condition that is True."""
    return condition_true(job, COMPLETE) is not None or condition_true(job, FAILED) is not None


def ensure_condition(
    conditions: list[Obj], ctype: str, status: str, reason: str, message: str, now: datetime
) -> bool:
    """``ensureJobConditionStatus``, in place: replace a differing condition of that type,
    or append one unless it would start out False; returns whether anything changed."""
    for i, cond in enumerate(conditions):
        if cond.get("type") == ctype:
            if (cond.get("status"), cond.get("reason", ""), cond.get("message", "")) != (
                status,
                reason,
                message,
            ):
                conditions[i] = new_condition(ctype, status, reason, message, now)
                return True
            return False
    if status != "False":
        conditions.append(new_condition(ctype, status, reason, message, now))
        return True
    return False
