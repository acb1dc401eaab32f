"""Counting finished pods into the Job's status, releasing their finalizers, and finishing.

A finished pod is first listed in ``status.uncountedTerminatedPods`` (or, for an Indexed
Job, its index in ``completedIndexes``), then its ``batch.kubernetes.io/job-tracking``
finalizer is removed, then it moves into ``succeeded``/``failed``: a pod is counted once
even if the controller stops in between. The interim ``FailureTarget`` /
``SuccessCriteriaMet`` is written before any finalizer is released; the final ``Failed`` /
``Complete`` only once nothing is uncounted and no pod is still terminating. Follows
``pkg/controller/job/job_controller.go`` (``trackJobStatusAndRemoveFinalizers``,
``canRemoveFinalizer``, ``flushUncountedAndRemoveFinalizers``,
``cleanUncountedPodsWithoutFinalizers``, ``enactJobFinished``, ``recordJobFinished``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import lookup
from mlkube.engine.clock import Clock
from mlkube.engine.controllers import events
from mlkube.engine.controllers.job import indexes as ix
from mlkube.engine.controllers.job import status as st
from mlkube.engine.controllers.job.backoff import BackoffRecord
from mlkube.engine.controllers.job.context import SyncContext, uid
from mlkube.engine.controllers.job.failure_policy import match_pod_failure_policy
from mlkube.engine.controllers.job.pods import (
    JOB_TRACKING_FINALIZER,
    UNKNOWN_INDEX,
    completion_index,
    has_tracking_finalizer,
    is_pod_failed,
)
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import ApiError, NotFound

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["MAX_UNCOUNTED_PODS", "Tracker"]

#: ``MaxUncountedPods``: at most this many pods are counted per sync.
MAX_UNCOUNTED_PODS: Final = 500
_JOBS = lookup("jobs")
_PODS = lookup("pods")
_REMOVE_FINALIZER: Final = {
    "metadata": {"$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER]}
}

Obj = dict[str, Any]
Recorder = Callable[[Obj, str, str, str], None]


def _uncounted(status: Obj) -> Obj:
    value: Obj = status.setdefault("uncountedTerminatedPods", {})
    return value


def _set_list(holder: Obj, key: str, values: list[str]) -> None:
    if values:
        holder[key] = values
    else:
        holder.pop(key, None)


def _clean_uncounted(status: Obj, with_finalizer: set[str]) -> bool:
    """``cleanUncountedPodsWithoutFinalizers``: UIDs whose finalizer is gone move into the
    counters."""
    changed = False
    uncounted = _uncounted(status)
    for key in ("succeeded", "failed"):
        listed = list(uncounted.get(key) or [])
        kept = [u for u in listed if u in with_finalizer]
        if len(kept) != len(listed):
            changed = True
            status[key] = int(status.get(key) or 0) + len(listed) - len(kept)
            _set_list(uncounted, key, kept)
    return changed


def _is_success_criteria_met(cond: Obj | None) -> bool:
    return (
        cond is not None
        and cond.get("type") == st.SUCCESS_CRITERIA_MET
        and cond.get("status") == "True"
    )


class Tracker:
    def __init__(self, api: APIServer, clock: Clock, record: Recorder) -> None:
        self._api = api
        self._clock = clock
        self._record = record

    def track(
        self, ctx: SyncContext, key: str, backoff: dict[str, BackoffRecord], needs_flush: bool
    ) -> None:
        """``trackJobStatusAndRemoveFinalizers``."""
        job, spec = ctx.job, ctx.spec
        status = ctx.status
        pods = sorted(ctx.pods, key=completion_index) if ctx.indexed else ctx.pods
        with_finalizer = {uid(p) for p in pods if has_tracking_finalizer(p)}
        # 1. Pods already released move from uncounted into the counters.
        if _clean_uncounted(status, with_finalizer):
            needs_flush = True
        uncounted = _uncounted(status)
        counted_succeeded = list(uncounted.get("succeeded") or [])
        counted_failed = list(uncounted.get("failed") or [])
        policy = spec.get("podFailurePolicy")
        to_release: list[Obj] = []
        new_indexes: list[int] = []
        reached_max = False
        # 2. Newly finished pods are listed as uncounted; their finalizers may go.
        for pod in pods:
            if not has_tracking_finalizer(pod):
                continue
            failed = is_pod_failed(pod, job)
            if not self._can_release(ctx, pod, failed):
                continue
            to_release.append(pod)
            pod_uid = uid(pod)
            phase = (pod.get("status") or {}).get("phase")
            if phase == "Succeeded" and pod_uid not in ctx.uncounted_failed:
                if ctx.indexed:
                    index = completion_index(pod)
                    if (
                        index != UNKNOWN_INDEX
                        and index < ctx.completions
                        and not ix.has_index(ctx.prev_succeeded_indexes, index)
                    ):
                        new_indexes.append(index)
                        needs_flush = True
                elif pod_uid not in ctx.uncounted_succeeded:
                    needs_flush = True
                    counted_succeeded.append(pod_uid)
            elif failed or (
                ctx.finished_condition is not None
                and not _is_success_criteria_met(ctx.finished_condition)
            ):
                # Once the Job is finishing, every pod that did not succeed is a failure.
                index = completion_index(pod)
                valid = not ctx.indexed or (index != UNKNOWN_INDEX and index < ctx.completions)
                counts = policy is None or match_pod_failure_policy(policy, pod).count
                if pod_uid not in ctx.uncounted_failed and valid and counts:
                    needs_flush = True
                    counted_failed.append(pod_uid)
            if (
                len(new_indexes) + len(counted_succeeded) + len(counted_failed)
                >= MAX_UNCOUNTED_PODS
            ):
                reached_max = True
                break
        _set_list(uncounted, "succeeded", counted_succeeded)
        _set_list(uncounted, "failed", counted_failed)
        # 3. Indexed Jobs: the index lists.
        if ctx.indexed:
            ctx.succeeded_indexes = ix.with_indexes(ctx.succeeded_indexes, new_indexes)
            completed = ix.format_indexes(ctx.succeeded_indexes)
            if completed != (status.get("completedIndexes") or ""):
                needs_flush = True
            _set_int(status, "succeeded", ix.total(ctx.succeeded_indexes))
            if completed:
                status["completedIndexes"] = completed
            else:
                status.pop("completedIndexes", None)
            failed_str = (
                ix.format_indexes(ctx.failed_indexes) if ctx.failed_indexes is not None else None
            )
            if failed_str != status.get("failedIndexes"):
                needs_flush = True
                if failed_str is None:
                    status.pop("failedIndexes", None)
                else:
                    status["failedIndexes"] = failed_str
        # 4. The interim condition goes in before any finalizer is released.
        conditions: list[Obj] = status.setdefault("conditions", [])
        cond = ctx.finished_condition
        now = self._clock.now()
        if cond is not None and cond["type"] == st.FAILURE_TARGET:
            conditions.append(cond)
            needs_flush = True
            cond = st.new_condition(st.FAILED, "True", cond["reason"], cond["message"], now)
        if _is_success_criteria_met(cond):
            assert cond is not None
            if st.condition_true(job, st.SUCCESS_CRITERIA_MET) is None:
                conditions.append(cond)
                needs_flush = True
            cond = st.new_condition(st.COMPLETE, "True", cond["reason"], cond["message"], now)
        ctx.finished_condition = cond
        if not conditions:
            status.pop("conditions", None)
        # 5. Flush, release finalizers, flush again if some release failed.
        needs_flush = self._flush(ctx, key, backoff, to_release, with_finalizer, needs_flush)
        # 6. Finish, once nothing is uncounted and nothing is terminating.
        finished = not reached_max and self._enact_finished(ctx)
        if finished or needs_flush:
            ctx.job = self._update_status(ctx.job)
            if finished:
                self._record_finished(ctx.job, cond)

    @staticmethod
    def _can_release(ctx: SyncContext, pod: Obj, failed: bool) -> bool:
        """``canRemoveFinalizer``."""
        meta = ctx.job.get("metadata") or {}
        phase = (pod.get("status") or {}).get("phase")
        if (
            meta.get("deletionTimestamp")
            or ctx.finished_condition is not None
            or phase == "Succeeded"
        ):
            return True
        if not failed:
            return False
        if ctx.per_index:
            index = completion_index(pod)
            if index != UNKNOWN_INDEX:
                delayed = ctx.delayed_deletion.get(index)
                if delayed is not None and uid(delayed) == uid(pod):
                    return False
        return True

    def _flush(
        self,
        ctx: SyncContext,
        key: str,
        backoff: dict[str, BackoffRecord],
        to_release: list[Obj],
        with_finalizer: set[str],
        needs_flush: bool,
    ) -> bool:
        """``flushUncountedAndRemoveFinalizers``; returns whether changes are left to write."""
        if needs_flush:
            ctx.job = self._update_status(ctx.job)
            backoff[key] = ctx.new_backoff
            needs_flush = False
        error: ApiError | None = None
        for pod in to_release:
            meta = pod["metadata"]
            try:
                self._api.patch(
                    _PODS,
                    meta.get("namespace"),
                    meta["name"],
                    _REMOVE_FINALIZER,
                    "application/strategic-merge-patch+json",
                    user_agent=USER_AGENT,
                )
            except NotFound:
                pass
            except ApiError as err:
                error = err
                continue
            with_finalizer.discard(uid(pod))
        if _clean_uncounted(ctx.status, with_finalizer):
            needs_flush = True
        if error is not None:
            if needs_flush:
                ctx.job = self._update_status(ctx.job)
            raise error
        return needs_flush

    def _enact_finished(self, ctx: SyncContext) -> bool:
        """``enactJobFinished``: add Complete or Failed (and completionTime)."""
        cond = ctx.finished_condition
        if cond is None:
            return False
        uncounted = ctx.status.get("uncountedTerminatedPods") or {}
        if uncounted.get("succeeded") or uncounted.get("failed"):
            return False
        if ctx.terminating > 0:
            return False
        conditions: list[Obj] = ctx.status.setdefault("conditions", [])
        st.ensure_condition(
            conditions,
            cond["type"],
            cond["status"],
            cond["reason"],
            cond["message"],
            self._clock.now(),
        )
        if cond["type"] == st.COMPLETE:
            ctx.status["completionTime"] = cond["lastTransitionTime"]
        return True

    def _record_finished(self, job: Obj, cond: Obj | None) -> None:
        """``recordJobFinished``."""
        if cond is None:
            return
        if cond["type"] == st.COMPLETE:
            completions = job["spec"].get("completions")
            succeeded = int((job.get("status") or {}).get("succeeded") or 0)
            if completions is not None and succeeded > int(completions):
                self._record(job, events.WARNING, "TooManySucceededPods", st.MSG_TOO_MANY_SUCCEEDED)
            self._record(job, events.NORMAL, "Completed", st.MSG_JOB_COMPLETED)
        else:
            self._record(job, events.WARNING, cond["reason"], cond["message"])

    def _update_status(self, job: Obj) -> Obj:
        updated: Obj = self._api.update_status(_JOBS, job, user_agent=USER_AGENT).object
        # Keep writing on top of what the server stored (its resourceVersion).
        return updated


def _set_int(status: Obj, key: str, value: int) -> None:
    if value:
        status[key] = value
    else:
        status.pop(key, None)
