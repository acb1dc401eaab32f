"""``manageJob``: keep as many pods running as the Job wants, no more, no fewer.

Wanted: ``min(completions - succeeded, parallelism)`` (a work queue without completions
keeps ``parallelism`` until one pod succeeds, then only what runs). Excess pods go first
(duplicate or out-of-range indexes, then the cheapest to lose); missing pods are created
in slow-start batches of 1, 2, 4, ... that stop at the first refusal, at most 500 per sync,
not before the pod-failure backoff has passed, and, with ``podReplacementPolicy: Failed``,
not while replaced pods are still terminating. Follows ``pkg/controller/job/job_controller.go``
(``manageJob``, ``deleteJobPods``, ``deleteActivePods``, ``activePodsForRemoval``,
``getPodCreationInfoForIndependentIndexes``), ``indexed_job_utils.go`` and
``pkg/controller/controller_utils.go`` (``RealPodControl``'s events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import lookup
from mlkube.engine.clock import Clock
from mlkube.engine.controllers import events
from mlkube.engine.controllers.job import indexes as ix
from mlkube.engine.controllers.job.backoff import (
    finished_time,
    remaining_time,
)
from mlkube.engine.controllers.job.context import SyncContext
from mlkube.engine.controllers.job.failure_policy import match_pod_failure_policy
from mlkube.engine.controllers.job.pods import (
    JOB_TRACKING_FINALIZER,
    UNKNOWN_INDEX,
    completion_index,
    has_tracking_finalizer,
    index_failure_count,
    index_ignored_failure_count,
    is_ready,
    is_terminating,
    new_pod,
    only_replace_failed,
    removal_order,
)
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import ApiError, NotFound

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["MAX_POD_CREATE_DELETE_PER_SYNC", "ManageResult", "Manager", "pods_for_removal"]

#: ``MaxPodCreateDeletePerSync``.
MAX_POD_CREATE_DELETE_PER_SYNC: Final = 500
#: ``controller.SlowStartInitialBatchSize``.
SLOW_START_INITIAL_BATCH_SIZE: Final = 1
_PODS = lookup("pods")
_REMOVE_FINALIZER: Final = {
    "metadata": {"$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER]}
}

Obj = dict[str, Any]
Recorder = Callable[[Obj, str, str, str], None]


@dataclass(frozen=True, slots=True)
class ManageResult:
    active: int
    error: ApiError | None = None
    requeue: float | None = None


def pods_for_removal(job: Obj, pods: list[Obj], at_least: int) -> list[Obj]:
    """``activePodsForRemoval``: for Indexed Jobs every pod without a valid index and all
    but one per repeated index, then the first ``at_least`` in ``ActivePods`` order."""
    rm: list[Obj] = []
    left: list[Obj]
    if job["spec"].get("completionMode") == "Indexed":
        completions = int(job["spec"].get("completions") or 0)
        left = []
        groups: dict[int, list[Obj]] = {}
        for pod in sorted(pods, key=completion_index):
            groups.setdefault(completion_index(pod), []).append(pod)
        for index, group in groups.items():
            if index == UNKNOWN_INDEX or index >= completions:
                rm.extend(group)
            elif len(group) == 1:
                left.append(group[0])
            else:
                group.sort(key=removal_order)
                rm.extend(group[:-1])
                left.append(group[-1])
    else:
        left = list(pods)
    if len(rm) < at_least:
        left.sort(key=removal_order)
        rm.extend(left[: at_least - len(rm)])
    return rm


class Manager:
    """Pod creation and deletion for the Job controller, with their events."""

    def __init__(self, api: APIServer, record: Recorder) -> None:
        self._api = api
        self._record = record

    def manage(self, ctx: SyncContext, key: str, clock: Clock) -> ManageResult:
        """``manageJob``."""
        job, spec = ctx.job, ctx.spec
        active = len(ctx.active_pods)
        parallelism = int(spec.get("parallelism") or 0)
        # 1. A suspended Job keeps no pods.
        if spec.get("suspend") is True:
            ready, removed, err = self.delete_job_pods(
                job, pods_for_removal(job, ctx.active_pods, active)
            )
            ctx.terminating += removed
            ctx.ready -= ready
            return ManageResult(active - removed, err)
        # 2. How many should run.
        completions = spec.get("completions")
        if completions is None:
            want = active if ctx.succeeded > 0 else parallelism
        else:
            want = max(0, min(int(completions) - ctx.succeeded, parallelism))
        # 3. Too many: delete (and create nothing in the same sync).
        to_delete = pods_for_removal(job, ctx.active_pods, max(0, active - want))
        to_delete = to_delete[:MAX_POD_CREATE_DELETE_PER_SYNC]
        if to_delete:
            ready, removed, err = self.delete_job_pods(job, to_delete)
            ctx.terminating += removed
            ctx.ready -= ready
            return ManageResult(active - removed, err)
        # 4. Too few: create, once the backoff allows.
        terminating = ctx.terminating if only_replace_failed(job) else 0
        diff = want - terminating - active
        if diff <= 0:
            return ManageResult(active)
        now = clock.now()
        if not ctx.per_index:
            backoff = ctx.new_backoff
            wait = remaining_time(
                now, backoff.failures_after_last_success, backoff.last_failure_time
            )
            if wait > 0:
                # Upstream returns 0 here, which its own status validation then refuses
                # when pods are ready; the running pods are still active.
                return ManageResult(active, None, wait)
        diff = min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
        to_add: list[int] = []
        if ctx.indexed:
            to_add = self._first_pending_indexes(ctx, diff)
            if ctx.per_index:
                to_add, wait = self._creatable_now(ctx, to_add, now)
                if wait > 0:
                    return ManageResult(active, None, wait)
            diff = len(to_add)
        return self._create(ctx, active, diff, to_add)

    def _first_pending_indexes(self, ctx: SyncContext, count: int) -> list[int]:
        """``firstPendingIndexes``."""
        active = {completion_index(p) for p in ctx.active_pods} - {UNKNOWN_INDEX}
        non_pending = ix.with_indexes(ctx.succeeded_indexes, active)
        if only_replace_failed(ctx.job):
            terminating = {completion_index(p) for p in ctx.pods if is_terminating(p)}
            non_pending = ix.with_indexes(non_pending, terminating - {UNKNOWN_INDEX})
        if ctx.failed_indexes is not None:
            non_pending = ix.merge(non_pending, ctx.failed_indexes)
        return ix.first_pending(non_pending, count, ctx.completions)

    @staticmethod
    def _creatable_now(ctx: SyncContext, indexes: list[int], now: Any) -> tuple[list[int], float]:
        """``getPodCreationInfoForIndependentIndexes``: the indexes out of backoff, or the
        shortest wait when none is."""
        ready: list[int] = []
        shortest: float | None = None
        for index in indexes:
            last = ctx.delayed_deletion.get(index)
            wait = 0.0
            if last is not None:
                failures = index_failure_count(last) + index_ignored_failure_count(last) + 1
                wait = remaining_time(now, failures, finished_time(last))
            if wait == 0:
                ready.append(index)
            elif shortest is None or wait < shortest:
                shortest = wait
        if ready:
            return ready, 0.0
        return ready, shortest or 0.0

    def _failure_counts(self, ctx: SyncContext, index: int) -> tuple[int, int]:
        """``getNewIndexFailureCounts``: the replaced pod's counts plus its own failure."""
        replaced = ctx.delayed_deletion.get(index)
        if replaced is None:
            return 0, 0
        failed, ignored = index_failure_count(replaced), index_ignored_failure_count(replaced)
        policy = ctx.spec.get("podFailurePolicy")
        if policy is not None and not match_pod_failure_policy(policy, replaced).count:
            return failed, ignored + 1
        return failed + 1, ignored

    def _create(self, ctx: SyncContext, active: int, diff: int, to_add: list[int]) -> ManageResult:
        """Slow start: batches of 1, 2, 4, ...; a batch with a refusal ends the sync."""
        job = ctx.job
        ns = job["metadata"].get("namespace")
        active += diff
        error: ApiError | None = None
        batch = min(diff, SLOW_START_INITIAL_BATCH_SIZE)
        queue = list(to_add)
        while diff > 0:
            failed_in_batch = False
            for _ in range(batch):
                index = queue.pop(0) if queue else UNKNOWN_INDEX
                counts = (
                    self._failure_counts(ctx, index)
                    if ctx.per_index and index != UNKNOWN_INDEX
                    else None
                )
                pod = new_pod(job, index, counts)
                try:
                    created = self._api.create(
                        _PODS, pod, namespace=ns, user_agent=USER_AGENT
                    ).object
                except ApiError as err:
                    if not _namespace_terminating(err):
                        self._record(
                            job, events.WARNING, "FailedCreate", f"Error creating: {err.message}"
                        )
                        active -= 1
                        error = err
                        failed_in_batch = True
                    continue
                self._record(
                    job,
                    events.NORMAL,
                    "SuccessfulCreate",
                    f"Created pod: {created['metadata']['name']}",
                )
            skipped = diff - batch
            if failed_in_batch and skipped > 0:
                active -= skipped
                break
            diff -= batch
            batch = min(2 * batch, diff)
        return ManageResult(active, error)

    # -- deletion ---------------------------------------------------------------------------

    def delete_job_pods(self, job: Obj, pods: list[Obj]) -> tuple[int, int, ApiError | None]:
        """``deleteJobPods``: release the finalizer, then delete; (ready, deleted, error)."""
        ready = deleted = 0
        error: ApiError | None = None
        for pod in pods:
            try:
                if has_tracking_finalizer(pod):
                    self._patch_out_finalizer(pod)
                self._delete(job, pod)
            except NotFound:
                pass
            except ApiError as err:
                error = err
                continue
            deleted += 1
            ready += 1 if is_ready(pod) else 0
        return ready, deleted, error

    def delete_active(self, job: Obj, pods: list[Obj]) -> tuple[int, int, ApiError | None]:
        """``deleteActivePods``: delete, keeping finalizers (the pods are counted later)."""
        ready = deleted = 0
        error: ApiError | None = None
        for pod in pods:
            try:
                self._delete(job, pod)
            except NotFound:
                pass
            except ApiError as err:
                error = err
                continue
            deleted += 1
            ready += 1 if is_ready(pod) else 0
        return ready, deleted, error

    def _delete(self, job: Obj, pod: Obj) -> None:
        name = pod["metadata"]["name"]
        try:
            self._api.delete(_PODS, pod["metadata"].get("namespace"), name)
        except NotFound:
            raise
        except ApiError as err:
            self._record(job, events.WARNING, "FailedDelete", f"Error deleting: {err.message}")
            raise
        self._record(job, events.NORMAL, "SuccessfulDelete", f"Deleted pod: {name}")

    def _patch_out_finalizer(self, pod: Obj) -> None:
        meta = pod["metadata"]
        self._api.patch(
            _PODS,
            meta.get("namespace"),
            meta["name"],
            _REMOVE_FINALIZER,
            "application/strategic-merge-patch+json",
            user_agent=USER_AGENT,
        )

    def remove_finalizer(self, pod: Obj) -> bool:
        """Release the tracking finalizer; a pod already gone counts as released."""
        if not has_tracking_finalizer(pod):
            return True
        try:
            self._patch_out_finalizer(pod)
        except NotFound:
            return True
        return True


def _namespace_terminating(err: ApiError) -> bool:
    return any(c.get("type") == "NamespaceTerminating" for c in err.causes)
