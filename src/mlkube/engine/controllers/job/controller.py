"""The Job controller: a Job's pods are created, counted and finished as kube-controller-manager
v1.37 does it.

``sync`` is ``syncJob`` narrated as numbered steps; ``manage`` is ``manageJob`` and
``track`` is ``trackJobStatusAndRemoveFinalizers`` with ``flushUncountedAndRemoveFinalizers``
and ``enactJobFinished``. Pod events reach a Job through a 1 s batch (``syncJobBatchPeriod``),
Job events at once; a failed sync is retried 1 s, 2 s, ... up to 1 min later. Every write
goes through the API server. Follows ``pkg/controller/job/job_controller.go``; pod
adoption and release (``ClaimPods``) and the expectations cache are not modelled, since the
embedded API server is read-your-writes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.clock import Clock
from mlkube.engine.controllers import events
from mlkube.engine.controllers.job import indexes as ix
from mlkube.engine.controllers.job import status as st
from mlkube.engine.controllers.job.backoff import ApiBackoff, BackoffRecord, new_backoff_record
from mlkube.engine.controllers.job.context import (
    SyncContext,
    calculate_failed_indexes,
    calculate_succeeded_indexes,
    new_finished_pods,
    non_ignored_failed_count,
    pods_with_delayed_deletion,
)
from mlkube.engine.controllers.job.failure_policy import match_pod_failure_policy
from mlkube.engine.controllers.job.manage import Manager
from mlkube.engine.controllers.job.pods import (
    has_tracking_finalizer,
    is_active,
    is_pod_failed,
    is_ready,
    is_terminating,
)
from mlkube.engine.controllers.job.success_policy import match_success_policy
from mlkube.engine.controllers.job.tracking import Tracker
from mlkube.engine.errors import ApiError, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["COMPONENT", "JOB_CONTROLLER_NAME", "NAME", "SYNC_BATCH_PERIOD", "JobController"]

NAME: Final = "job-controller"
COMPONENT: Final = "job-controller"
#: ``batch.JobControllerName``: the ``spec.managedBy`` value this controller serves.
JOB_CONTROLLER_NAME: Final = "kubernetes.io/job-controller"
#: ``syncJobBatchPeriod``: pod events reach their Job this much later, batched.
SYNC_BATCH_PERIOD: Final = 1.0

_JOBS = lookup("jobs")
_PODS = lookup("pods")
_ORPHAN = "!"  # key prefix: a pod whose tracking finalizer nobody else will remove
_UNKNOWN_MODE_MSG: Final = "Skipped Job sync because completion mode is unknown"

Obj = dict[str, Any]


def _split(key: str) -> tuple[str, str]:
    ns, _, name = key.partition("/")
    return ns, name


def _job_ref(pod: Obj) -> str | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if (
            ref.get("controller")
            and ref.get("kind") == "Job"
            and ref.get("apiVersion") == "batch/v1"
        ):
            return str(ref.get("name"))
    return None


def managed_by_external(job: Obj) -> str | None:
    """``managedByExternalController``."""
    managed_by = (job.get("spec") or {}).get("managedBy")
    return str(managed_by) if managed_by is not None and managed_by != JOB_CONTROLLER_NAME else None


class JobController:
    """kube-controller-manager's job-controller over one API server and clock."""

    NAME = NAME

    def __init__(self, api: APIServer, clock: Clock | None = None) -> None:
        self._api = api
        self._clock: Clock = clock if clock is not None else api.clock
        self._backoff: dict[str, BackoffRecord] = {}
        self._api_backoff = ApiBackoff()
        self._due: dict[str, float] = {}
        self._generations: dict[str, int] = {}
        self._manager = Manager(api, self._record)
        self._tracker = Tracker(api, self._clock, self._record)

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_JOBS, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "jobs":
            # addJob, deleteJob and spec changes sync at once; status-only updates are
            # batched like pod events (updateJob).
            key = f"{ns}/{meta.get('name', '')}"
            generation = int(meta.get("generation") or 0)
            previous = self._generations.get(key)
            if event.type == "DELETED":
                self._generations.pop(key, None)
            else:
                self._generations[key] = generation
            batched = event.type == "MODIFIED" and previous == generation
            return [self._enqueue(key, SYNC_BATCH_PERIOD if batched else 0.0)]
        job = _job_ref(obj)
        if job is not None:
            return [self._enqueue(f"{ns}/{job}", SYNC_BATCH_PERIOD)]
        if has_tracking_finalizer(obj) and event.type != "DELETED":
            return [f"{_ORPHAN}{ns}/{meta.get('name', '')}"]
        return []

    def sync(self, key: str) -> float | None:
        if key.startswith(_ORPHAN):
            try:
                self._sync_orphan_pod(key[1:])
            except ApiError:
                return self._api_backoff.when(key)
            return None
        # One work queue: a key synced before it is due waits; the earliest due time wins
        # (client-go's delaying queue with AddAfter / AddRateLimited).
        now = self._clock.monotonic()
        due = self._due.get(key)
        if due is not None and now < due:
            return due - now
        self._due.pop(key, None)
        try:
            delay = self.sync_job(key)
        except ApiError:
            delay = self._api_backoff.when(key)
        else:
            self._api_backoff.forget(key)
        if delay is not None:
            self._enqueue(key, delay)
        return delay

    def _enqueue(self, key: str, delay: float) -> str:
        """``queue.AddAfter(key, delay)``: keep the earliest due time."""
        due = self._clock.monotonic() + delay
        current = self._due.get(key)
        if current is None or due < current:
            self._due[key] = due
        return key

    def _record(self, obj: Obj, event_type: str, reason: str, message: str) -> None:
        events.record(self._api, obj, event_type, reason, message, COMPONENT)

    # -- syncJob ------------------------------------------------------------------------

    def sync_job(self, key: str) -> float | None:
        """``syncJob``; returns when to sync again (deadline or pod-failure backoff)."""
        ns, name = _split(key)
        # 1. Read the Job; a deleted one leaves only finalizers to release.
        try:
            job = copy.deepcopy(self._api.get(_JOBS, ns, name))
        except NotFound:
            self._backoff.pop(key, None)
            self._release_orphans(ns, name, None)
            return None
        # 2. Skip Jobs another controller manages, finished Jobs and unknown modes.
        if managed_by_external(job) is not None:
            return None
        if st.is_finished(job):
            self._backoff.pop(key, None)
            self._release_orphans(ns, name, job)
            return None
        spec = job["spec"]
        if spec.get("completionMode") not in ("NonIndexed", "Indexed"):
            self._record(job, events.WARNING, "UnknownCompletionMode", _UNKNOWN_MODE_MSG)
            return None
        now = self._clock.now()
        status = job.setdefault("status", {})
        old_status = copy.deepcopy(status)
        uncounted = status.get("uncountedTerminatedPods") or {}
        status["uncountedTerminatedPods"] = uncounted
        # 3. The pods this Job owns, and what they add up to.
        pods = self._pods_for(job)
        active_pods = [p for p in pods if is_active(p)]
        ctx = SyncContext(
            job=job,
            pods=pods,
            active_pods=active_pods,
            ready=sum(1 for p in active_pods if is_ready(p)),
            terminating=sum(1 for p in pods if is_terminating(p)),
            uncounted_succeeded=set(uncounted.get("succeeded") or []),
            uncounted_failed=set(uncounted.get("failed") or []),
        )
        active = len(active_pods)
        new_succeeded, new_failed = new_finished_pods(ctx)
        ctx.succeeded = (
            int(status.get("succeeded") or 0) + len(new_succeeded) + len(ctx.uncounted_succeeded)
        )
        ctx.failed = (
            int(status.get("failed") or 0)
            + non_ignored_failed_count(ctx, new_failed)
            + len(ctx.uncounted_failed)
        )
        # 4. First start: startTime, unless suspended.
        suspended = spec.get("suspend") is True
        if status.get("startTime") is None and not suspended:
            status["startTime"] = format_time(now)
        ctx.new_backoff = new_backoff_record(
            self._backoff.get(key, BackoffRecord()), new_succeeded, new_failed
        )
        delays: list[float] = []
        # 5. Decide whether the Job has finished, first match wins: success criteria already
        #    met, a FailureTarget already set, a FailJob rule, the backoff limit, the deadline.
        ctx.finished_condition = st.condition_true(job, st.SUCCESS_CRITERIA_MET)
        if ctx.finished_condition is None:
            target = st.condition_true(job, st.FAILURE_TARGET)
            if target is not None:
                ctx.finished_condition = self._failed_for(target)
            elif (message := self._fail_job_message(job, pods)) is not None:
                ctx.finished_condition = st.new_condition(
                    st.FAILURE_TARGET, "True", st.REASON_POD_FAILURE_POLICY, message, now
                )
        if ctx.finished_condition is None:
            if ctx.failed > int(spec.get("backoffLimit") or 0) or _past_backoff_limit_on_failure(
                job, pods
            ):
                ctx.finished_condition = self._failure(
                    st.REASON_BACKOFF_LIMIT_EXCEEDED, st.MSG_BACKOFF_LIMIT_EXCEEDED
                )
            elif self._past_active_deadline(job):
                ctx.finished_condition = self._failure(
                    st.REASON_DEADLINE_EXCEEDED, st.MSG_DEADLINE_EXCEEDED
                )
            elif spec.get("activeDeadlineSeconds") is not None and not suspended:
                started = parse_time(status["startTime"])
                elapsed = (now - started).total_seconds()
                delays.append(max(0.0, float(spec["activeDeadlineSeconds"]) - elapsed))
        # 6. Indexed Jobs: succeeded and failed indexes, per-index limits, the success policy.
        if ctx.indexed:
            ctx.prev_succeeded_indexes, ctx.succeeded_indexes = calculate_succeeded_indexes(ctx)
            ctx.succeeded = ix.total(ctx.succeeded_indexes)
            if ctx.per_index:
                ctx.failed_indexes = calculate_failed_indexes(ctx)
                failed_total = ix.total(ctx.failed_indexes)
                if ctx.finished_condition is None:
                    max_failed = spec.get("maxFailedIndexes")
                    if max_failed is not None and failed_total > int(max_failed):
                        ctx.finished_condition = self._failure(
                            st.REASON_MAX_FAILED_INDEXES_EXCEEDED,
                            st.MSG_MAX_FAILED_INDEXES_EXCEEDED,
                        )
                    elif failed_total > 0 and failed_total + ctx.succeeded >= ctx.completions:
                        ctx.finished_condition = self._failure(
                            st.REASON_FAILED_INDEXES, st.MSG_FAILED_INDEXES
                        )
                ctx.delayed_deletion = pods_with_delayed_deletion(ctx)
            if ctx.finished_condition is None:
                message = _match_success_policy(spec, ctx)
                if message is not None:
                    ctx.finished_condition = st.new_condition(
                        st.SUCCESS_CRITERIA_MET, "True", st.REASON_SUCCESS_POLICY, message, now
                    )
        # 7. A finishing Job loses its active pods; otherwise manageJob creates or deletes
        #    pods, and the Job completes or its Suspended condition follows spec.suspend.
        suspend_changed = False
        manage_error: ApiError | None = None
        if ctx.finished_condition is not None:
            deleted_ready, deleted, manage_error = self._manager.delete_active(job, active_pods)
            if deleted != active:
                ctx.finished_condition = None
            active -= deleted
            ctx.terminating += deleted
            ctx.ready -= deleted_ready
        else:
            if (job.get("metadata") or {}).get("deletionTimestamp") is None:
                result = self._manager.manage(ctx, key, self._clock)
                active, manage_error = result.active, result.error
                if result.requeue is not None:
                    delays.append(result.requeue)
                manage_called = True
            else:
                manage_called = False
            completions = spec.get("completions")
            if completions is None:
                complete = ctx.succeeded > 0 and active == 0
            else:
                complete = ctx.succeeded >= int(completions) and active == 0
            if complete:
                ctx.finished_condition = st.new_condition(
                    st.SUCCESS_CRITERIA_MET,
                    "True",
                    st.REASON_COMPLETIONS_REACHED,
                    st.MSG_COMPLETIONS_REACHED,
                    now,
                )
            elif manage_called:
                suspend_changed = self._ensure_suspended_condition(job, suspended, now)
        # 8. Counters, then count finished pods, release their finalizers and finish.
        needs_update = (
            suspend_changed
            or active != int(old_status.get("active") or 0)
            or ctx.ready != old_status.get("ready")
            or ctx.terminating != old_status.get("terminating")
        )
        _set(status, "active", active)
        status["ready"] = ctx.ready
        status["terminating"] = ctx.terminating
        self._tracker.track(ctx, key, self._backoff, needs_update)
        if manage_error is not None:
            raise manage_error
        return min(delays) if delays else None

    # -- the pieces of syncJob ------------------------------------------------------------

    def _pods_for(self, job: Obj) -> list[Obj]:
        """The pods whose controller ownerReference is this Job (``getPodsForJob``)."""
        meta = job["metadata"]
        job_uid = meta.get("uid")
        owned = []
        for pod in self._api.list(_PODS, meta.get("namespace")).items:
            for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
                if ref.get("controller") and ref.get("uid") == job_uid:
                    owned.append(pod)
                    break
        return owned

    def _failure(self, reason: str, message: str) -> Obj:
        """``newFailureCondition``: the interim FailureTarget."""
        return st.new_condition(st.FAILURE_TARGET, "True", reason, message, self._clock.now())

    def _failed_for(self, target: Obj) -> Obj:
        """``newFailedConditionForFailureTarget``."""
        return st.new_condition(
            st.FAILED,
            "True",
            str(target.get("reason", "")),
            str(target.get("message", "")),
            self._clock.now(),
        )

    @staticmethod
    def _fail_job_message(job: Obj, pods: list[Obj]) -> str | None:
        """``getFailJobMessage``: the first failed pod matching a FailJob rule."""
        policy = job["spec"].get("podFailurePolicy")
        if policy is None:
            return None
        for pod in pods:
            if is_pod_failed(pod, job):
                message = match_pod_failure_policy(policy, pod).message
                if message is not None:
                    return message
        return None

    def _past_active_deadline(self, job: Obj) -> bool:
        """``pastActiveDeadline``: never while suspended."""
        spec, status = job["spec"], job.get("status") or {}
        deadline = spec.get("activeDeadlineSeconds")
        if deadline is None or status.get("startTime") is None or spec.get("suspend") is True:
            return False
        elapsed = (self._clock.now() - parse_time(status["startTime"])).total_seconds()
        return elapsed >= float(deadline)

    def _ensure_suspended_condition(self, job: Obj, suspended: bool, now: Any) -> bool:
        conditions = job["status"].setdefault("conditions", [])
        if suspended:
            changed = st.ensure_condition(
                conditions, st.SUSPENDED, "True", "JobSuspended", st.MSG_JOB_SUSPENDED, now
            )
            if changed:
                self._record(job, events.NORMAL, "Suspended", st.MSG_JOB_SUSPENDED)
            # MutableSchedulingDirectivesForSuspendedJobs (beta, on since v1.36): a
            # suspended Job loses its startTime, so its template may change again.
            if job["status"].pop("startTime", None) is not None:
                changed = True
        else:
            changed = st.ensure_condition(
                conditions, st.SUSPENDED, "False", "JobResumed", st.MSG_JOB_RESUMED, now
            )
            if changed:
                self._record(job, events.NORMAL, "Resumed", st.MSG_JOB_RESUMED)
                # ActiveDeadlineSeconds counts continuous activity: resuming restarts it.
                job["status"]["startTime"] = format_time(now)
        if not conditions:
            del job["status"]["conditions"]
        return changed

    # -- finalizers nobody else will remove ------------------------------------------------

    def _sync_orphan_pod(self, key: str) -> None:
        """``syncOrphanPod``: a pod with the tracking finalizer and no Job controlling it."""
        ns, name = _split(key)
        try:
            pod = self._api.get(_PODS, ns, name)
        except NotFound:
            return
        if _job_ref(pod) is None and not any(
            r.get("controller") for r in pod["metadata"].get("ownerReferences") or []
        ):
            self._manager.remove_finalizer(pod)

    def _release_orphans(self, ns: str, job_name: str, job: Obj | None) -> None:
        """The pods of a deleted or finished Job keep no tracking finalizer."""
        job_uid = (job or {}).get("metadata", {}).get("uid")
        for pod in self._api.list(_PODS, ns).items:
            if not has_tracking_finalizer(pod) or _job_ref(pod) != job_name:
                continue
            refs = pod["metadata"].get("ownerReferences") or []
            if job is not None and not any(r.get("uid") == job_uid for r in refs):
                continue
            self._manager.remove_finalizer(pod)


def _set(status: Obj, key: str, value: int) -> None:
    """An ``omitempty`` counter: zero is left out of the wire form."""
    if value:
        status[key] = value
    else:
        status.pop(key, None)


def _match_success_policy(spec: Obj, ctx: SyncContext) -> str | None:
    return match_success_policy(spec.get("successPolicy"), ctx.completions, ctx.succeeded_indexes)


def _past_backoff_limit_on_failure(job: Obj, pods: list[Obj]) -> bool:
    """``pastBackoffLimitOnFailure``: container restarts of pending and running pods."""
    spec = job["spec"]
    if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    restarts = 0
    for pod in pods:
        status = pod.get("status") or {}
        if status.get("phase") in ("Running", "Pending"):
            for key in ("initContainerStatuses", "containerStatuses"):
                restarts += sum(int(cs.get("restartCount") or 0) for cs in status.get(key) or [])
    limit = int(spec.get("backoffLimit") or 0)
    return restarts > 0 if limit == 0 else restarts >= limit
