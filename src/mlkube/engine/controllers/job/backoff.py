"""When a Job may create pods again after failures, and when it retries a failed sync.

Pod recreation backoff: 10 s after the last failure, doubling with each consecutive failure
since the last success, capped at 10 minutes (``MaxJobPodFailureBackOff``; the docs' "six
minutes" is not what the code does). The failure time of a pod is the latest container
``finishedAt`` (init containers included, for sidecars), else its ``Ready=False``
transition, else its deletion time less its grace period, else its creation. With
``backoffLimitPerIndex`` the count comes from the index's failure-count annotations.
Follows ``pkg/controller/job/backoff_utils.go``.

API backoff: a sync that fails (a refused pod create, a conflict) is retried through the
controller's rate limiter, 1 s doubling to 1 minute per key, forgotten on success
(``DefaultJobApiBackOff`` / ``MaxJobApiBackOff`` in ``job_controller.go``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from mlkube.api.timestamps import parse_time

__all__ = [
    "API_BACKOFF",
    "DEFAULT_POD_FAILURE_BACKOFF",
    "MAX_API_BACKOFF",
    "MAX_POD_FAILURE_BACKOFF",
    "ApiBackoff",
    "BackoffRecord",
    "finished_time",
    "new_backoff_record",
    "remaining_time",
]

DEFAULT_POD_FAILURE_BACKOFF: Final = 10.0
MAX_POD_FAILURE_BACKOFF: Final = 600.0
API_BACKOFF: Final = 1.0
MAX_API_BACKOFF: Final = 60.0


@dataclass(frozen=True, slots=True)
class BackoffRecord:
    """``backoffRecord``: consecutive failures since the last success, and the last one's time."""

    failures_after_last_success: int = 0
    last_failure_time: datetime | None = None


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(str(value))
    except ValueError:
        return None


def finished_time(pod: Mapping[str, Any]) -> datetime:
    """``getFinishedTime``."""
    status = pod.get("status") or {}
    latest: datetime | None = None
    statuses = status.get("containerStatuses") or []
    for cs in statuses:
        terminated = (cs.get("state") or {}).get("terminated")
        at = _time((terminated or {}).get("finishedAt"))
        if at is None:
            latest = None
            break
        latest = at if latest is None or latest < at else latest
    if latest is not None:
        # Sidecars (restartable init containers) finish after the regular containers.
        for cs in status.get("initContainerStatuses") or []:
            at = _time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
            if at is not None and latest < at:
                latest = at
        return latest
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready" and cond.get("status") == "False":
            at = _time(cond.get("lastTransitionTime"))
            if at is not None:
                return at
    meta = pod.get("metadata") or {}
    deleted = _time(meta.get("deletionTimestamp"))
    if deleted is not None:
        return deleted - timedelta(seconds=int(meta.get("deletionGracePeriodSeconds") or 0))
    created = _time(meta.get("creationTimestamp"))
    return created if created is not None else datetime.min.replace(tzinfo=UTC)


def new_backoff_record(
    old: BackoffRecord, succeeded: Sequence[Mapping[str, Any]], failed: Sequence[Mapping[str, Any]]
) -> BackoffRecord:
    """``newBackoffRecord``: fold this sync's newly finished pods into the record."""
    failed_times = sorted(finished_time(p) for p in failed)
    if not succeeded:
        if not failed_times:
            return old
        return BackoffRecord(old.failures_after_last_success + len(failed_times), failed_times[-1])
    last_success = max(finished_time(p) for p in succeeded)
    failures = 0
    last_failure: datetime | None = None
    for at in reversed(failed_times):
        if not at > last_success:
            break
        if last_failure is None:
            last_failure = at
        failures += 1
    return BackoffRecord(failures, last_failure)


def remaining_time(now: datetime, failures: int, last_failure: datetime | None) -> float:
    """``getRemainingTimeForFailuresCount``: seconds until pods may be created again."""
    if failures == 0 or last_failure is None:
        return 0.0
    delay = DEFAULT_POD_FAILURE_BACKOFF
    for _ in range(1, failures):
        delay *= 2
        if delay >= MAX_POD_FAILURE_BACKOFF:
            delay = MAX_POD_FAILURE_BACKOFF
            break
    elapsed = (now - last_failure).total_seconds()
    if delay < elapsed:
        return 0.0
    return delay - elapsed


class ApiBackoff:
    """client-go's ``ItemExponentialFailureRateLimiter``: per key, base doubling to a cap."""

    def __init__(self, base: float = API_BACKOFF, cap: float = MAX_API_BACKOFF) -> None:
        self._base = base
        self._cap = cap
        self._failures: dict[str, int] = {}

    def when(self, key: str) -> float:
        """The delay before retrying ``key`` after one more failure."""
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        return float(min(self._cap, self._base * 2**n))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)
