"""What one sync of one Job knows: the Job being rewritten, its pods and the counts so far.

``syncJobCtx`` of ``pkg/controller/job/job_controller.go``, plus the small readers over it
that several steps share (``getNewFinishedPods``, ``nonIgnoredFailedPodsCount``,
``calculateSucceededIndexes``, ``calculateFailedIndexes``, ``isIndexFailed``,
``getPodsWithDelayedDeletionPerIndex``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlkube.engine.controllers.job import indexes as ix
from mlkube.engine.controllers.job.backoff import BackoffRecord, finished_time
from mlkube.engine.controllers.job.failure_policy import ACTION_FAIL_INDEX, match_pod_failure_policy
from mlkube.engine.controllers.job.pods import (
    UNKNOWN_INDEX,
    completion_index,
    has_tracking_finalizer,
    index_failure_count,
    index_ignored_failure_count,
    is_pod_failed,
)

__all__ = [
    "SyncContext",
    "calculate_failed_indexes",
    "calculate_succeeded_indexes",
    "new_finished_pods",
    "non_ignored_failed_count",
    "pods_with_delayed_deletion",
    "uid",
]

Obj = dict[str, Any]


def uid(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("uid") or "")


@dataclass
class SyncContext:
    job: Obj
    pods: list[Obj]
    active_pods: list[Obj]
    ready: int
    terminating: int
    uncounted_succeeded: set[str]
    uncounted_failed: set[str]
    succeeded: int = 0
    failed: int = 0
    new_backoff: BackoffRecord = field(default_factory=BackoffRecord)
    finished_condition: Obj | None = None
    prev_succeeded_indexes: ix.Intervals = field(default_factory=list)
    succeeded_indexes: ix.Intervals = field(default_factory=list)
    failed_indexes: ix.Intervals | None = None
    delayed_deletion: dict[int, Obj] = field(default_factory=dict)

    @property
    def spec(self) -> Obj:
        spec: Obj = self.job["spec"]
        return spec

    @property
    def status(self) -> Obj:
        status: Obj = self.job.setdefault("status", {})
        return status

    @property
    def indexed(self) -> bool:
        return self.spec.get("completionMode") == "Indexed"

    @property
    def completions(self) -> int:
        return int(self.spec.get("completions") or 0)

    @property
    def per_index(self) -> bool:
        return self.spec.get("backoffLimitPerIndex") is not None


def _valid_pods(ctx: SyncContext, uncounted: set[str], keep: Callable[[Obj], bool]) -> list[Obj]:
    """``getValidPodsWithFilter``: pods not yet counted (finalizer on, not in ``uncounted``)
    with, for Indexed Jobs, a valid index, that pass ``keep``."""
    result = []
    for pod in ctx.pods:
        if not has_tracking_finalizer(pod) or uid(pod) in uncounted:
            continue
        if ctx.indexed:
            i = completion_index(pod)
            if i == UNKNOWN_INDEX or i >= ctx.completions:
                continue
        if keep(pod):
            result.append(pod)
    return result


def new_finished_pods(ctx: SyncContext) -> tuple[list[Obj], list[Obj]]:
    """``getNewFinishedPods``: newly succeeded and newly failed pods."""

    def succeeded(p: Obj) -> bool:
        return (p.get("status") or {}).get("phase") == "Succeeded"

    return (
        _valid_pods(ctx, ctx.uncounted_succeeded, succeeded),
        _valid_pods(ctx, ctx.uncounted_failed, lambda p: is_pod_failed(p, ctx.job)),
    )


def non_ignored_failed_count(ctx: SyncContext, failed: list[Obj]) -> int:
    """``nonIgnoredFailedPodsCount``: failures that an ``Ignore`` rule does not excuse."""
    policy = ctx.spec.get("podFailurePolicy")
    if policy is None:
        return len(failed)
    return sum(1 for p in failed if match_pod_failure_policy(policy, p).count)


def calculate_succeeded_indexes(ctx: SyncContext) -> tuple[ix.Intervals, ix.Intervals]:
    """``calculateSucceededIndexes``: the recorded indexes, and those plus new successes."""
    prev = ix.parse_indexes(str(ctx.status.get("completedIndexes") or ""), ctx.completions)
    new = set()
    for pod in ctx.pods:
        i = completion_index(pod)
        if (
            (pod.get("status") or {}).get("phase") == "Succeeded"
            and i != UNKNOWN_INDEX
            and i < ctx.completions
            and has_tracking_finalizer(pod)
        ):
            new.add(i)
    return prev, ix.with_indexes(prev, new)


def _is_index_failed(ctx: SyncContext, pod: Obj) -> bool:
    """``isIndexFailed``: a FailIndex rule matched, or the index used up its backoff."""
    counted = False
    if is_pod_failed(pod, ctx.job):
        policy = ctx.spec.get("podFailurePolicy")
        if policy is not None:
            match = match_pod_failure_policy(policy, pod)
            if match.action == ACTION_FAIL_INDEX:
                return True
            counted = match.count
        else:
            counted = True
    return counted and index_failure_count(pod) >= int(ctx.spec["backoffLimitPerIndex"])


def calculate_failed_indexes(ctx: SyncContext) -> ix.Intervals:
    """``calculateFailedIndexes``: the recorded failed indexes plus new ones."""
    recorded = ctx.status.get("failedIndexes")
    prev = ix.parse_indexes(str(recorded), ctx.completions) if recorded is not None else []
    new = set()
    for pod in ctx.pods:
        i = completion_index(pod)
        if (
            i != UNKNOWN_INDEX
            and i < ctx.completions
            and has_tracking_finalizer(pod)
            and _is_index_failed(ctx, pod)
        ):
            new.add(i)
    return ix.with_indexes(prev, new)


def _absolute_failures(pod: Obj) -> int:
    return index_failure_count(pod) + index_ignored_failure_count(pod)


def pods_with_delayed_deletion(ctx: SyncContext) -> dict[int, Obj]:
    """``getPodsWithDelayedDeletionPerIndex``: per index still to be retried, the last
    failed pod, kept (finalizer on) until its replacement carries its failure count."""
    active = {completion_index(p) for p in ctx.active_pods if completion_index(p) != UNKNOWN_INDEX}
    failed = ctx.failed_indexes or []
    result: dict[int, Obj] = {}

    def consider(pod: Obj) -> bool:
        if not is_pod_failed(pod, ctx.job):
            return False
        i = completion_index(pod)
        if i == UNKNOWN_INDEX or i >= ctx.completions:
            return False
        if ix.has_index(ctx.succeeded_indexes, i) or ix.has_index(failed, i) or i in active:
            return False
        last = result.get(i)
        if last is None or (
            _absolute_failures(last) <= _absolute_failures(pod)
            and not finished_time(pod) < finished_time(last)
        ):
            result[i] = pod
        return False

    _valid_pods(ctx, set(), consider)
    return result
