"""The scheduling queue: which pod the scheduler tries next, and when a failed pod is retried.

Follows ``pkg/scheduler/backend/queue/scheduling_queue.go``: activeQ ordered by PrioritySort
(higher ``spec.priority`` first, then earlier enqueue time), backoffQ holding failed pods for
``podInitialBackoffSeconds`` doubled per attempt up to ``podMaxBackoffSeconds`` (1 s and 10 s by
default), unschedulable pods parked until a cluster event moves them (to backoffQ while their
backoff runs, else to activeQ) or until ``podMaxInUnschedulablePodsDuration`` (5 min) passes.
Pods with ``spec.schedulingGates`` wait, gated, until an update removes the gates
(SchedulingGates' PreEnqueue). Time comes from the Clock; nothing here reads the wall clock.
Queueing hints are not modelled: every event moves every unschedulable pod.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from mlkube.engine.clock import Clock
from mlkube.engine.scheduler.framework import pod_key

__all__ = [
    "DEFAULT_POD_INITIAL_BACKOFF",
    "DEFAULT_POD_MAX_BACKOFF",
    "DEFAULT_POD_MAX_IN_UNSCHEDULABLE",
    "QueuedPod",
    "SchedulingQueue",
    "backoff_duration",
]

DEFAULT_POD_INITIAL_BACKOFF: Final = 1.0
DEFAULT_POD_MAX_BACKOFF: Final = 10.0
DEFAULT_POD_MAX_IN_UNSCHEDULABLE: Final = 300.0


def backoff_duration(attempts: int, initial: float, maximum: float) -> float:
    """``calculateBackoffDuration``: ``initial`` doubled per attempt after the first, capped."""
    duration = initial
    for _ in range(1, attempts):
        if duration > maximum - duration:
            return maximum
        duration += duration
    return min(duration, maximum)


@dataclass
class QueuedPod:
    """A pod in the queue with its bookkeeping (``QueuedPodInfo``)."""

    pod: Mapping[str, Any]
    timestamp: float
    attempts: int = 0
    initial_attempt_timestamp: float | None = None
    unschedulable_since: float | None = None
    unschedulable_plugins: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        return pod_key(self.pod)

    @property
    def priority(self) -> int:
        return int((self.pod.get("spec") or {}).get("priority") or 0)


def _gated(pod: Mapping[str, Any]) -> bool:
    return bool((pod.get("spec") or {}).get("schedulingGates"))


class SchedulingQueue:
    """activeQ, backoffQ, unschedulable pods and gated pods, driven by a Clock."""

    def __init__(
        self,
        clock: Clock,
        *,
        initial_backoff: float = DEFAULT_POD_INITIAL_BACKOFF,
        max_backoff: float = DEFAULT_POD_MAX_BACKOFF,
        max_in_unschedulable: float = DEFAULT_POD_MAX_IN_UNSCHEDULABLE,
    ) -> None:
        self.clock = clock
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_in_unschedulable = max_in_unschedulable
        self._seq = itertools.count()
        self._active: list[tuple[int, float, int, str]] = []
        self._backoff: list[tuple[float, int, str]] = []
        self._where: dict[str, str] = {}
        self._info: dict[str, QueuedPod] = {}

    # --- reading ---------------------------------------------------------------------------

    def where(self, pod: Mapping[str, Any] | str) -> str | None:
        """``active``, ``backoff``, ``unschedulable``, ``gated``, ``in-flight`` or None."""
        return self._where.get(pod if isinstance(pod, str) else pod_key(pod))

    def __len__(self) -> int:
        return sum(1 for w in self._where.values() if w != "in-flight")

    def backoff_expiry(self, info: QueuedPod) -> float:
        return info.timestamp + backoff_duration(
            info.attempts, self.initial_backoff, self.max_backoff
        )

    def next_wakeup(self) -> float | None:
        """The monotonic time a backoff ends or an unschedulable pod times out, if any."""
        times = [when for when, _, key in self._backoff if self._where.get(key) == "backoff"]
        times += [
            i.unschedulable_since + self.max_in_unschedulable
            for k, i in self._info.items()
            if self._where.get(k) == "unschedulable" and i.unschedulable_since is not None
        ]
        return min(times, default=None)

    # --- pods arriving and changing ----------------------------------------------------------

    def add(self, pod: Mapping[str, Any]) -> None:
        """A new pending pod: activeQ, or gated while it has scheduling gates."""
        now = self.clock.monotonic()
        info = QueuedPod(pod, now, initial_attempt_timestamp=None)
        self._info[info.key] = info
        if _gated(pod):
            self._where[info.key] = "gated"
        else:
            self._push_active(info)

    def update(self, pod: Mapping[str, Any]) -> None:
        """A pending pod changed: gates lifted move it to activeQ; otherwise keep its place,
        except that an unschedulable pod is retried (the update may make it schedulable)."""
        key = pod_key(pod)
        info = self._info.get(key)
        if info is None:
            self.add(pod)
            return
        info.pod = pod
        where = self._where.get(key)
        if where == "gated" and not _gated(pod):
            self._push_active(info)
        elif where == "unschedulable":
            self._requeue(info)

    def delete(self, pod: Mapping[str, Any] | str) -> None:
        key = pod if isinstance(pod, str) else pod_key(pod)
        self._where.pop(key, None)
        self._info.pop(key, None)

    # --- the scheduling loop -----------------------------------------------------------------

    def pop(self) -> QueuedPod | None:
        """The next pod to schedule, or None; due backoffs and timeouts are flushed first."""
        self.flush()
        while self._active:
            _, _, _, key = heapq.heappop(self._active)
            if self._where.get(key) != "active":
                continue
            info = self._info[key]
            info.attempts += 1
            if info.initial_attempt_timestamp is None:
                info.initial_attempt_timestamp = self.clock.monotonic()
            self._where[key] = "in-flight"
            return info
        return None

    def done(self, pod: Mapping[str, Any] | str) -> None:
        """The pod was scheduled (bound): forget it."""
        self.delete(pod)

    def add_unschedulable(
        self,
        info: QueuedPod,
        *,
        unschedulable_plugins: frozenset[str] = frozenset(),
        error: bool = False,
    ) -> None:
        """A popped pod failed: an error backs off; an unschedulable pod waits for an event."""
        now = self.clock.monotonic()
        info.timestamp = now
        info.unschedulable_plugins = unschedulable_plugins
        if info.key not in self._info:
            return
        if error:
            self._push_backoff(info)
        else:
            info.unschedulable_since = now
            self._where[info.key] = "unschedulable"

    def move_all_to_active_or_backoff(self, event: str = "") -> None:
        """A cluster event (node added, pod deleted, ...): retry every unschedulable pod."""
        for key, where in list(self._where.items()):
            if where == "unschedulable":
                self._requeue(self._info[key])

    def flush(self) -> None:
        """Move finished backoffs to activeQ and long-unschedulable pods back into play."""
        now = self.clock.monotonic()
        while self._backoff and self._backoff[0][0] <= now:
            _, _, key = heapq.heappop(self._backoff)
            if self._where.get(key) == "backoff":
                self._push_active(self._info[key])
        for key, where in list(self._where.items()):
            if where == "unschedulable":
                info = self._info[key]
                since = now if info.unschedulable_since is None else info.unschedulable_since
                if now - since > self.max_in_unschedulable:
                    self._requeue(info)

    # --- internals -------------------------------------------------------------------------

    def _requeue(self, info: QueuedPod) -> None:
        if self.backoff_expiry(info) > self.clock.monotonic():
            self._push_backoff(info)
        else:
            self._push_active(info)

    def _push_active(self, info: QueuedPod) -> None:
        self._where[info.key] = "active"
        heapq.heappush(self._active, (-info.priority, info.timestamp, next(self._seq), info.key))

    def _push_backoff(self, info: QueuedPod) -> None:
        self._where[info.key] = "backoff"
        heapq.heappush(self._backoff, (self.backoff_expiry(info), next(self._seq), info.key))
