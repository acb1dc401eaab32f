"""The TTL-after-finished controller: a finished Job is deleted ``ttlSecondsAfterFinished``
after it finished.

A Job's finish time is the transition time of its ``Complete`` or ``Failed=True``
condition; once that plus the TTL has passed, the Job is re-read and deleted with
``propagationPolicy: Foreground`` and a UID precondition, so its pods go first. Until then
the Job is looked at again when it expires. A Job that has not finished, or has no TTL, is
left alone. Follows ``pkg/controller/ttlafterfinished/ttlafterfinished_controller.go``
(``processJob``, ``processTTL``, ``timeLeft``, ``jobFinishTime``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import parse_time
from mlkube.engine.clock import Clock
from mlkube.engine.errors import ApiError, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["NAME", "TTLAfterFinishedController", "finish_time", "needs_cleanup"]

NAME: Final = "ttl-after-finished-controller"
_JOBS = lookup("jobs")
_RETRY: Final = 1.0


def finish_time(job: Mapping[str, Any]) -> datetime | None:
    """``jobFinishTime``: when the Complete or Failed condition became True."""
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            stamp = cond.get("lastTransitionTime")
            return parse_time(str(stamp)) if stamp else None
    return None


def needs_cleanup(job: Mapping[str, Any]) -> bool:
    """``needsCleanup``: a TTL is set and the Job has finished."""
    if (job.get("spec") or {}).get("ttlSecondsAfterFinished") is None:
        return False
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


class TTLAfterFinishedController:
    NAME = NAME

    def __init__(self, api: APIServer, clock: Clock | None = None) -> None:
        self._api = api
        self._clock: Clock = clock if clock is not None else api.clock

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_JOBS,)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        if event.type == "DELETED" or not needs_cleanup(event.view):
            return []
        meta = event.view.get("metadata") or {}
        return [f"{meta.get('namespace', '')}/{meta.get('name', '')}"]

    def sync(self, key: str) -> float | None:
        """``processJob``: delete an expired Job, or come back when it expires."""
        ns, _, name = key.partition("/")
        try:
            job = self._api.get(_JOBS, ns, name)
            # 1. Not finished, no TTL, or already going: nothing to do.
            if job["metadata"].get("deletionTimestamp") or not needs_cleanup(job):
                return None
            # 2. Not expired yet: look again when it is.
            left = self._time_left(job)
            if left is None:
                return None
            if left > 0:
                return left
            # 3. Expired: re-read (the TTL may have changed), then delete with the pods.
            fresh = self._api.get(_JOBS, ns, name)
            if not needs_cleanup(fresh):
                return None
            left = self._time_left(fresh)
            if left is None:
                return None
            if left > 0:
                return left
            uid = fresh["metadata"]["uid"]
            self._api.delete(
                _JOBS, ns, name, propagation_policy="Foreground", preconditions={"uid": uid}
            )
        except NotFound:
            return None
        except ApiError:
            return _RETRY
        return None

    def _time_left(self, job: Mapping[str, Any]) -> float | None:
        """``timeLeft``: seconds until expiry (zero or less when expired)."""
        finished = finish_time(job)
        if finished is None:
            return None
        ttl = int(job["spec"]["ttlSecondsAfterFinished"])
        return (finished - self._clock.now()).total_seconds() + ttl
