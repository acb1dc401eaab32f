"""When would it start: step forward in virtual time through the known ends of running pods.

A running pod's end is known when it says how long it runs (``sim.mlkube.io/run-for``,
counted from its containers' start, as the simulated kubelet and the KWOK stages count it)
or when a deadline will stop it (the pod's ``activeDeadlineSeconds`` from its start, its
Job's from the Job's ``status.startTime``). Those ends free room at known times; this module
releases them in time order and, at each time, places the workload's pods again with the
engine's scheduler, until they all fit. Pods with no known end never leave. Cheap upper
bounds (free room summed over nodes) skip the times at which a fit is impossible.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from mlkube.api.resources import pod_requests
from mlkube.api.timestamps import parse_time
from mlkube.engine.kubelet.stages import RUN_FOR, annotation_seconds
from mlkube.engine.scheduler import Snapshot
from mlkube.engine.scheduler.framework import pod_key, quantities_to_ints
from mlkube.platform.check.placement import Placed, Placer
from mlkube.platform.check.state import ClusterState

__all__ = [
    "MAX_ATTEMPTS",
    "NOTE_GAVE_UP",
    "NOTE_UNKNOWN",
    "Release",
    "end_of",
    "estimate",
    "releases",
]

#: Full placements tried at most before giving up on an estimate.
MAX_ATTEMPTS: Final = 200
NOTE_UNKNOWN: Final = "unknown: no running pod that is in the way has a known end"
NOTE_GAVE_UP: Final = "unknown: still no fit after {n} release times"
_TERMINAL = ("Succeeded", "Failed")

Obj = dict[str, Any]


@dataclass(frozen=True)
class Release:
    """A bound pod that will stop holding its node at ``at``."""

    at: datetime
    pod: Mapping[str, Any]


_parse_time = functools.lru_cache(maxsize=4096)(parse_time)


def _started(pod: Mapping[str, Any]) -> datetime | None:
    status = pod.get("status") or {}
    starts = [
        str(((s.get("state") or {}).get("running") or {}).get("startedAt") or "")
        for s in status.get("containerStatuses") or []
    ]
    starts = [s for s in starts if s]
    if starts:
        return max(_parse_time(s) for s in starts)
    start = status.get("startTime")
    return _parse_time(str(start)) if start else None


@functools.lru_cache(maxsize=4096)
def _run_for(raw: str, now: datetime) -> tuple[float, bool] | None:
    """``annotation_seconds`` for one run-for value (the same few values recur)."""
    return annotation_seconds({"metadata": {"annotations": {RUN_FOR: raw}}}, RUN_FOR, now)


def _job_deadlines(state: ClusterState) -> dict[tuple[str, str], datetime]:
    out: dict[tuple[str, str], datetime] = {}
    for job in state.jobs:
        deadline = (job.get("spec") or {}).get("activeDeadlineSeconds")
        start = (job.get("status") or {}).get("startTime")
        if deadline is None or not start:
            continue
        meta = job.get("metadata") or {}
        key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        out[key] = parse_time(str(start)) + timedelta(seconds=int(deadline))
    return out


def end_of(
    pod: Mapping[str, Any], now: datetime, jobs: Mapping[tuple[str, str], datetime]
) -> datetime | None:
    """When a bound pod stops holding its node, if that is known."""
    meta = pod.get("metadata") or {}
    started = _started(pod)
    ends: list[datetime] = []
    raw = (meta.get("annotations") or {}).get(RUN_FOR)
    run_for = _run_for(raw, now) if isinstance(raw, str) else None
    if run_for is not None:
        seconds, absolute = run_for
        anchor = now if absolute or started is None else started
        ends.append(anchor + timedelta(seconds=seconds))
    deadline = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    if deadline is not None:
        ends.append((started or now) + timedelta(seconds=int(deadline)))
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") == "Job":
            job_end = jobs.get((str(meta.get("namespace") or ""), str(ref.get("name") or "")))
            if job_end is not None:
                ends.append(job_end)
    if not ends:
        return None
    return max(min(ends), now)


def releases(
    state: ClusterState,
    now: datetime,
    *,
    nodes: set[str] | None = None,
    namespaces: Collection[str] = (),
) -> list[Release]:
    """Every bound, non-terminal pod with a known end, earliest first; with ``nodes``, only
    the pods on those nodes or in ``namespaces`` (the others are in nobody's way)."""
    jobs = _job_deadlines(state)
    out: list[Release] = []
    for pod in state.pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if not node:
            continue
        namespace = (pod.get("metadata") or {}).get("namespace")
        if nodes is not None and node not in nodes and namespace not in namespaces:
            continue
        if (pod.get("status") or {}).get("phase") in _TERMINAL:
            continue
        at = end_of(pod, now, jobs)
        if at is not None:
            out.append(Release(at, pod))
    out.sort(key=lambda r: r.at)
    return out


class _Room:
    """An upper bound on how many of the smallest pod fit: per node, free // request."""

    def __init__(self, snapshot: Snapshot, pods: Sequence[Mapping[str, Any]]) -> None:
        wants = [quantities_to_ints(pod_requests(p)) for p in pods]
        names = set().union(*wants) - {"pods"} if wants else set()
        self.request = {r: min(w.get(r, 0) for w in wants) for r in names}
        self.request = {r: v for r, v in self.request.items() if v > 0}
        self.snapshot = snapshot
        self.slots = {i.name: self._slots(i.name) for i in snapshot.node_infos}

    def _slots(self, node: str) -> int:
        info = self.snapshot.get(node)
        if info is None:
            return 0
        free_pods = info.allowed_pod_number - len(info.pods)
        best = max(free_pods, 0)
        for r, v in self.request.items():
            free = info.allocatable.get(r, 0) - info.requested.get(r, 0)
            best = min(best, max(free, 0) // v)
        return best

    def refresh(self, node: str) -> None:
        self.slots[node] = self._slots(node)

    def enough(self, n: int) -> bool:
        return sum(self.slots.values()) >= n


def estimate(
    placer: Placer,
    pods: Sequence[Mapping[str, Any]],
    state: ClusterState,
    now: datetime,
    *,
    fits: Callable[[list[Placed]], bool],
    admitted_at: Callable[[datetime, Sequence[Release]], bool] | None = None,
) -> tuple[datetime | None, str]:
    """The first release time at which every pod is placed (``fits``) and, when given,
    ``admitted_at(time, released so far)`` holds; or None and why not. The placer's
    snapshot must hold no assumed pods of the workload; it is left with the releases done."""
    room = _Room(placer.snapshot, pods)
    large_enough = {
        i.name
        for i in placer.snapshot.node_infos
        if all(i.allocatable.get(r, 0) >= v for r, v in room.request.items())
    }
    spaces = {str((p.get("metadata") or {}).get("namespace") or "") for p in pods}
    pending = releases(state, now, nodes=large_enough, namespaces=spaces)
    if not pending:
        return None, NOTE_UNKNOWN
    attempts = 0
    done: list[Release] = []
    i = 0
    while i < len(pending):
        at = pending[i].at
        while i < len(pending) and pending[i].at == at:
            release = pending[i]
            placer.snapshot.remove_pod(pod_key(release.pod))
            node = str((release.pod.get("spec") or {}).get("nodeName") or "")
            room.refresh(node)
            done.append(release)
            i += 1
        if not room.enough(len(pods)):
            continue
        if admitted_at is not None and not admitted_at(at, done):
            continue
        attempts += 1
        placed = placer.place(pods, stop_at_failure=True)
        ok = fits(placed)
        placer.forget(placed)
        if ok:
            return at, ""
        if attempts >= MAX_ATTEMPTS:
            return None, NOTE_GAVE_UP.format(n=attempts)
    return None, NOTE_UNKNOWN
