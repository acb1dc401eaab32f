"""A Job's status subresource as kube-apiserver v1.37 validates it (``ValidateJobUpdateStatus``)."""

from __future__ import annotations

from dataclasses import dataclass

from mlkube.api.field import (
    OMIT_VALUE,
    FieldError,
    Path,
    Struct,
    duplicate,
    invalid,
    required,
)
from mlkube.api.timestamps import parse_time
from mlkube.engine.types.batch._common import (
    Obj,
    _nonnegative,
    _spec,
    _strip_none,
)
from mlkube.engine.types.batch.indexes import _failed_overlaps_completed, validate_indexes_format

__all__ = [
    "JobStatusValidationOptions",
    "job_status_validation_options",
    "validate_job_update_status",
]


# --- status validation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobStatusValidationOptions:
    """``JobStatusValidationOptions``: which transitions the status strategy rejects."""

    reject_decreasing_succeeded_counter: bool = False
    reject_decreasing_failed_counter: bool = False
    reject_disabling_terminal_condition: bool = False
    reject_invalid_completed_indexes: bool = False
    reject_invalid_failed_indexes: bool = False
    reject_failed_indexes_overlapping_completed: bool = False
    reject_completed_indexes_for_non_indexed_job: bool = False
    reject_failed_indexes_for_no_backoff_limit_per_index: bool = False
    reject_failed_job_without_failure_target: bool = False
    reject_complete_job_without_success_criteria_met: bool = False
    reject_finished_job_with_active_pods: bool = False
    reject_finished_job_without_start_time: bool = False
    reject_finished_job_with_uncounted_terminated_pods: bool = False
    reject_start_time_update_for_unsuspended_job: bool = False
    reject_completion_time_before_start_time: bool = False
    reject_mutating_completion_time: bool = False
    reject_complete_job_without_completion_time: bool = False
    reject_not_complete_job_with_completion_time: bool = False
    reject_complete_job_with_failed_condition: bool = False
    reject_complete_job_with_failure_target_condition: bool = False
    allow_for_success_criteria_met_in_extended_scope: bool = False
    reject_more_ready_than_active_pods: bool = False
    reject_finished_job_with_terminating_pods: bool = False


def _condition_true(job: Obj, ctype: str) -> bool:
    """``IsConditionTrue``."""
    return any(
        isinstance(c, dict) and c.get("type") == ctype and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


def _finished(job: Obj) -> bool:
    return _condition_true(job, "Complete") or _condition_true(job, "Failed")


def job_status_validation_options(new: Obj, old: Obj) -> JobStatusValidationOptions:
    """``getStatusValidationOptions`` with JobManagedBy on (GA)."""
    spec = _spec(new)
    ns, os_ = new.get("status") or {}, old.get("status") or {}
    indexed = spec.get("completionMode") == "Indexed"

    def changed(key: str) -> bool:
        return bool(_strip_none(ns.get(key)) != _strip_none(os_.get(key)))

    def cond_changed(ctype: str) -> bool:
        return _condition_true(old, ctype) != _condition_true(new, ctype)

    finished_changed = _finished(old) != _finished(new)
    complete_changed = cond_changed("Complete")
    failed_changed = cond_changed("Failed")
    failure_target_changed = cond_changed("FailureTarget")
    scm_changed = cond_changed("SuccessCriteriaMet")
    completed_idx_changed = (ns.get("completedIndexes") or "") != (
        os_.get("completedIndexes") or ""
    )
    failed_idx_changed = changed("failedIndexes")
    active_changed = (ns.get("active") or 0) != (os_.get("active") or 0)
    start_changed = changed("startTime")
    completion_changed = changed("completionTime")
    uncounted_changed = changed("uncountedTerminatedPods")
    ready_changed = changed("ready")
    terminating_changed = changed("terminating")
    suspended_zero = spec.get("suspend") is True and spec.get("completions") == 0
    return JobStatusValidationOptions(
        reject_decreasing_succeeded_counter=not indexed
        or spec.get("completions") != spec.get("parallelism"),
        reject_decreasing_failed_counter=True,
        reject_disabling_terminal_condition=True,
        reject_invalid_completed_indexes=completed_idx_changed,
        reject_invalid_failed_indexes=failed_idx_changed,
        reject_completed_indexes_for_non_indexed_job=completed_idx_changed,
        reject_failed_indexes_for_no_backoff_limit_per_index=failed_idx_changed,
        reject_failed_indexes_overlapping_completed=failed_idx_changed or completed_idx_changed,
        reject_failed_job_without_failure_target=failed_changed or failed_idx_changed,
        reject_complete_job_without_success_criteria_met=complete_changed or scm_changed,
        reject_finished_job_with_active_pods=finished_changed or active_changed,
        reject_finished_job_without_start_time=(finished_changed or start_changed)
        and not suspended_zero,
        reject_finished_job_with_uncounted_terminated_pods=finished_changed or uncounted_changed,
        reject_start_time_update_for_unsuspended_job=start_changed,
        reject_completion_time_before_start_time=start_changed or completion_changed,
        reject_mutating_completion_time=True,
        reject_not_complete_job_with_completion_time=complete_changed or completion_changed,
        reject_complete_job_without_completion_time=complete_changed or completion_changed,
        reject_complete_job_with_failed_condition=complete_changed or failed_changed,
        reject_complete_job_with_failure_target_condition=complete_changed
        or failure_target_changed,
        allow_for_success_criteria_met_in_extended_scope=True,
        reject_more_ready_than_active_pods=ready_changed or active_changed,
        reject_finished_job_with_terminating_pods=finished_changed or terminating_changed,
    )


def _validate_job_status(job: Obj, opts: JobStatusValidationOptions) -> list[FieldError]:
    """``validateJobStatus``."""
    path = Path("status")
    status = job.get("status") or {}
    spec = _spec(job)
    errs: list[FieldError] = []
    active = int(status.get("active") or 0)
    for key in ("active", "succeeded", "failed"):
        errs += _nonnegative(int(status.get(key) or 0), path.child(key))
    for key in ("ready", "terminating"):
        if status.get(key) is not None:
            errs += _nonnegative(int(status[key]), path.child(key))
    uncounted = status.get("uncountedTerminatedPods")
    if uncounted is not None:
        upath = path.child("uncountedTerminatedPods")
        seen: set[str] = set()
        for key in ("succeeded", "failed"):
            for i, uid in enumerate(uncounted.get(key) or []):
                p = upath.child(key).index(i)
                if uid == "":
                    errs.append(invalid(p, uid, "must not be empty"))
                elif uid in seen:
                    errs.append(duplicate(p, uid))
                else:
                    seen.add(uid)
    conds = path.child("conditions")
    complete = _condition_true(job, "Complete")
    failed = _condition_true(job, "Failed")
    failure_target = _condition_true(job, "FailureTarget")
    scm = _condition_true(job, "SuccessCriteriaMet")
    finished = complete or failed
    start, completion = status.get("startTime"), status.get("completionTime")
    if opts.reject_complete_job_with_failed_condition and complete and failed:
        errs.append(
            invalid(conds, OMIT_VALUE, "cannot set Complete=True and Failed=true conditions")
        )
    if opts.reject_complete_job_with_failure_target_condition and complete and failure_target:
        errs.append(
            invalid(conds, OMIT_VALUE, "cannot set Complete=True and FailureTarget=true conditions")
        )
    if (
        opts.reject_not_complete_job_with_completion_time
        and completion is not None
        and not complete
    ):
        errs.append(
            invalid(
                path.child("completionTime"),
                completion,
                "cannot set completionTime when there is no Complete=True condition",
            )
        )
    if opts.reject_complete_job_without_completion_time and completion is None and complete:
        errs.append(
            required(path.child("completionTime"), "completionTime is required for Complete jobs")
        )
    if (
        opts.reject_completion_time_before_start_time
        and start is not None
        and completion is not None
        and _before(str(completion), str(start))
    ):
        errs.append(
            invalid(
                path.child("completionTime"),
                completion,
                "completionTime cannot be set before startTime",
            )
        )
    if opts.reject_failed_job_without_failure_target and failed and not failure_target:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set Failed=True condition without the FailureTarget=true condition",
            )
        )
    if opts.reject_complete_job_without_success_criteria_met and complete and not scm:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
            )
        )
    if opts.reject_finished_job_with_active_pods and active > 0 and finished:
        errs.append(invalid(path.child("active"), active, "active>0 is invalid for finished job"))
    if opts.reject_finished_job_without_start_time and start is None and finished:
        errs.append(required(path.child("startTime"), "startTime is required for finished job"))
    if (
        opts.reject_finished_job_with_uncounted_terminated_pods
        and finished
        and uncounted is not None
        and (uncounted.get("failed") or uncounted.get("succeeded"))
    ):
        shown = Struct((k, uncounted[k]) for k in ("succeeded", "failed") if uncounted.get(k))
        errs.append(
            invalid(
                path.child("uncountedTerminatedPods"),
                shown,
                "uncountedTerminatedPods needs to be empty for finished job",
            )
        )
    completions = spec.get("completions")
    completed_idx = str(status.get("completedIndexes") or "")
    failed_idx = status.get("failedIndexes")
    if opts.reject_invalid_completed_indexes and completions is not None:
        try:
            validate_indexes_format(completed_idx, int(completions))
        except ValueError as e:
            errs.append(
                invalid(
                    path.child("completedIndexes"),
                    completed_idx,
                    f"error parsing completedIndexes: {e}",
                )
            )
    if (
        opts.reject_invalid_failed_indexes
        and completions is not None
        and spec.get("backoffLimitPerIndex") is not None
        and failed_idx is not None
    ):
        try:
            validate_indexes_format(str(failed_idx), int(completions))
        except ValueError as e:
            errs.append(
                invalid(
                    path.child("failedIndexes"), failed_idx, f"error parsing failedIndexes: {e}"
                )
            )
    indexed = spec.get("completionMode") == "Indexed"
    if opts.reject_completed_indexes_for_non_indexed_job and completed_idx and not indexed:
        errs.append(
            invalid(
                path.child("completedIndexes"),
                completed_idx,
                "cannot set non-empty completedIndexes when non-indexed completion mode",
            )
        )
    if (
        opts.reject_failed_indexes_for_no_backoff_limit_per_index
        and spec.get("backoffLimitPerIndex") is None
        and failed_idx is not None
    ):
        errs.append(
            invalid(
                path.child("failedIndexes"),
                failed_idx,
                "cannot set non-null failedIndexes when backoffLimitPerIndex is null",
            )
        )
    if (
        opts.reject_failed_indexes_overlapping_completed
        and completions is not None
        and failed_idx is not None
    ):
        overlap = _failed_overlaps_completed(completed_idx, str(failed_idx), int(completions))
        if overlap:
            errs.append(invalid(path.child("failedIndexes"), failed_idx, overlap))
    terminating = status.get("terminating")
    if opts.reject_finished_job_with_terminating_pods and (terminating or 0) > 0 and finished:
        errs.append(
            invalid(
                path.child("terminating"), terminating, "terminating>0 is invalid for finished job"
            )
        )
    ready = status.get("ready")
    if opts.reject_more_ready_than_active_pods and ready is not None and ready > active:
        errs.append(invalid(path.child("ready"), ready, "cannot set more ready pods than active"))
    if not opts.allow_for_success_criteria_met_in_extended_scope and not indexed and scm:
        errs.append(invalid(conds, OMIT_VALUE, "cannot set SuccessCriteriaMet to NonIndexed Job"))
    if scm and failed:
        errs.append(
            invalid(
                conds, OMIT_VALUE, "cannot set SuccessCriteriaMet=True and Failed=true conditions"
            )
        )
    if scm and failure_target:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set SuccessCriteriaMet=True and FailureTarget=true conditions",
            )
        )
    no_policy = spec.get("successPolicy") is None
    if not opts.allow_for_success_criteria_met_in_extended_scope and no_policy and scm:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set SuccessCriteriaMet=True for Job without SuccessPolicy",
            )
        )
    if not no_policy and not scm and complete:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set Complete=True for Job with SuccessPolicy "
                "unless SuccessCriteriaMet=True",
            )
        )
    return errs


def _before(a: str, b: str) -> bool:
    """``Time.Before`` on two RFC 3339 stamps (unparseable stamps never compare)."""
    try:
        return parse_time(a) < parse_time(b)
    except ValueError:
        return False


def validate_job_update_status(
    new: Obj, old: Obj, opts: JobStatusValidationOptions
) -> list[FieldError]:
    """``ValidateJobStatusUpdate`` (ObjectMeta is the base strategy's)."""
    errs = _validate_job_status(new, opts)
    conds = Path("status", "conditions")
    ns, os_ = new.get("status") or {}, old.get("status") or {}
    if opts.reject_disabling_terminal_condition:
        for ctype in ("Failed", "Complete", "FailureTarget"):
            if _condition_true(old, ctype) and not _condition_true(new, ctype):
                errs.append(
                    invalid(
                        conds, OMIT_VALUE, f"cannot disable the terminal {ctype}=True condition"
                    )
                )
    failed, old_failed = int(ns.get("failed") or 0), int(os_.get("failed") or 0)
    if opts.reject_decreasing_failed_counter and failed < old_failed:
        errs.append(invalid(Path("status", "failed"), failed, "cannot decrease the failed counter"))
    succeeded, old_succeeded = int(ns.get("succeeded") or 0), int(os_.get("succeeded") or 0)
    if opts.reject_decreasing_succeeded_counter and succeeded < old_succeeded:
        errs.append(
            invalid(Path("status", "succeeded"), succeeded, "cannot decrease the succeeded counter")
        )
    completion, old_completion = ns.get("completionTime"), os_.get("completionTime")
    if (
        opts.reject_mutating_completion_time
        and completion is not None
        and old_completion is not None
        and completion != old_completion
    ):
        errs.append(
            invalid(
                Path("status", "completionTime"), completion, "completionTime cannot be mutated"
            )
        )
    old_start = os_.get("startTime")
    if (
        opts.reject_start_time_update_for_unsuspended_job
        and old_start is not None
        and old_start != ns.get("startTime")
        and _spec(new).get("suspend") is not True
    ):
        errs.append(
            required(Path("status", "startTime"), "startTime cannot be removed for unsuspended job")
        )
    old_scm = _condition_true(old, "SuccessCriteriaMet")
    new_scm = _condition_true(new, "SuccessCriteriaMet")
    if old_scm and not new_scm:
        errs.append(
            invalid(conds, OMIT_VALUE, "cannot disable the SuccessCriteriaMet=True condition")
        )
    if _condition_true(old, "Complete") and not old_scm and new_scm:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions",
            )
        )
    return errs
