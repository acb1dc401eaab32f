"""The CronJob controller: a Job per scheduled time, named ``<cronjob>-<minutes since epoch>``.

Each sync first reconciles ``status.active`` with the CronJob's Jobs (finished ones leave
it, missing ones too; ``lastSuccessfulTime`` follows the newest completion), deletes the
oldest finished Jobs beyond ``successfulJobsHistoryLimit`` / ``failedJobsHistoryLimit``,
then, unless suspended, looks for the most recent unmet schedule time: one later than
``startingDeadlineSeconds`` allows is missed; ``Forbid`` skips it while a Job is active;
``Replace`` deletes the active Jobs first; ``Allow`` just creates. It comes back 100 ms
after the next schedule time. Schedules are parsed with ``cronsim`` (robfig/cron's
descriptors ``@hourly`` ... and ``@every`` are translated here), in ``spec.timeZone`` or
UTC. Follows ``pkg/controller/cronjob/cronjob_controllerv2.go`` (``sync``, ``syncCronJob``,
``cleanupFinishedJobs``, ``deleteJob``) and ``utils.go`` (``mostRecentScheduleTime``,
``nextScheduleTime``, ``nextScheduleTimeDuration``, ``getJobFromTemplate2``,
``byJobStartTime``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_duration, parse_time
from mlkube.engine.clock import Clock
from mlkube.engine.controllers import events
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import AlreadyExists, ApiError, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = [
    "FEW_MISSED",
    "MANY_MISSED",
    "NAME",
    "NONE_MISSED",
    "SCHEDULED_TIMESTAMP_ANNOTATION",
    "CronJobController",
    "job_name",
    "most_recent_schedule_time",
    "next_schedule_delay",
    "parse_schedule",
]

NAME: Final = "cronjob-controller"
SCHEDULED_TIMESTAMP_ANNOTATION: Final = "batch.kubernetes.io/cronjob-scheduled-timestamp"
#: ``nextScheduleDelta``: come back this long after the next schedule time.
NEXT_SCHEDULE_DELTA: Final = 0.1
_TOO_MANY_MISSED: Final = 100
_NEVER: Final = datetime(1, 1, 1, tzinfo=UTC)
_MSG_FORBID: Final = (
    "Not starting job because prior execution is running and concurrency policy is Forbid"
)
_MSG_TOO_MANY_MISSED: Final = (
    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
)
_MSG_UNSUPPORTED_TZ: Final = (
    'CRON_TZ or TZ used in schedule "{schedule}" is not officially supported, see '
    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details"
)
_MSG_UNEXPECTED: Final = "Saw a job that the controller did not create or forgot"
_JOBS = lookup("jobs")
_CRONJOBS = lookup("cronjobs")
_DESCRIPTORS: Final = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

Obj = dict[str, Any]
#: ``cron.Schedule.Next``: the first activation strictly after a time.
Schedule = Callable[[datetime], datetime]


def parse_schedule(schedule: str, time_zone: str | None = None) -> Schedule:
    """``cron.ParseStandard(formatSchedule(cj))``; raises ValueError when unparseable."""
    spec = schedule.strip()
    zone: tzinfo = UTC
    if spec.startswith(("TZ=", "CRON_TZ=")):
        head, _, spec = spec.partition(" ")
        zone = _zone(head.split("=", 1)[1])
        spec = spec.strip()
    elif time_zone is not None:
        zone = _zone(time_zone)
    if spec.startswith("@every "):
        delay = parse_duration(spec[len("@every ") :].strip()).total_seconds()
        delay = max(1.0, float(int(delay)))

        def every(t: datetime) -> datetime:
            return t.replace(microsecond=0) + timedelta(seconds=delay)

        return every
    expr = _DESCRIPTORS.get(spec, spec).replace("?", "*")
    try:
        CronSim(expr, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as err:
        if str(err) == "Bad day-of-month":
            # A date that never comes (``59 23 31 2 *``): robfig/cron parses it and its
            # Next returns the zero time.
            return lambda t: _NEVER
        raise ValueError(str(err)) from None

    def next_after(t: datetime) -> datetime:
        return next(CronSim(expr, t.astimezone(zone))).astimezone(UTC)

    return next_after


def _zone(name: str) -> tzinfo:
    if name in ("", "UTC", "Local"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name}") from None


#: ``missedSchedulesType``: how many activations were missed since the earliest time.
NONE_MISSED: Final = "none"
FEW_MISSED: Final = "few"
MANY_MISSED: Final = "many"


def most_recent_schedule_time(
    earliest: datetime, now: datetime, schedule: Schedule
) -> tuple[datetime | None, str]:
    """``mostRecentScheduleTime``: the latest activation in ``(earliest, now]`` and whether
    none, a few or more than 100 were missed. Like upstream it estimates the count from
    the first two activations, so an irregular schedule may report none found."""
    t1 = schedule(earliest)
    t2 = schedule(t1)
    if now < t1:
        return None, NONE_MISSED
    if now < t2:
        return t1, FEW_MISSED
    between = round((t2 - t1).total_seconds())
    if between < 1:
        raise ValueError("time difference between two schedules is less than 1 second")
    missed = int((now - t1).total_seconds()) // between + 1
    recent: datetime | None = None
    t = schedule(t1 + timedelta(seconds=(missed - 2) * between))
    while t <= now:
        recent = t
        t = schedule(t)
    return recent, MANY_MISSED if missed > _TOO_MANY_MISSED else FEW_MISSED


def next_schedule_delay(earliest: datetime, now: datetime, schedule: Schedule) -> float:
    """``nextScheduleTimeDuration``: seconds from ``now`` to 100 ms after the next activation
    (after the most recent one; after ``now`` when some were missed but none found)."""
    try:
        recent, missed = most_recent_schedule_time(earliest, now, schedule)
    except ValueError:
        recent = now  # still come back, at the next slot from now
    else:
        if recent is None:
            recent = earliest if missed == NONE_MISSED else now
    return (schedule(recent) - now).total_seconds() + NEXT_SCHEDULE_DELTA


def job_name(cron_job: Mapping[str, Any], scheduled: datetime) -> str:
    """``getJobName``: the scheduled time in minutes since the epoch names the Job."""
    return f"{cron_job['metadata']['name']}-{int(scheduled.timestamp()) // 60}"


def _finished_type(job: Mapping[str, Any]) -> str | None:
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return str(cond["type"])
    return None


def _controller_name(obj: Mapping[str, Any]) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("name"))
    return None


def _controlled_by(obj: Mapping[str, Any], owner_uid: str) -> bool:
    return any(
        r.get("controller") and r.get("uid") == owner_uid
        for r in (obj.get("metadata") or {}).get("ownerReferences") or []
    )


class CronJobController:
    NAME = NAME

    def __init__(self, api: APIServer, clock: Clock | None = None) -> None:
        self._api = api
        self._clock: Clock = clock if clock is not None else api.clock

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_CRONJOBS, _JOBS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        meta = event.view.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "cronjobs":
            return [] if event.type == "DELETED" else [f"{ns}/{meta.get('name', '')}"]
        return [
            f"{ns}/{r.get('name')}"
            for r in meta.get("ownerReferences") or []
            if r.get("controller") and r.get("kind") == "CronJob"
        ]

    def _record(self, cj: Obj, event_type: str, reason: str, message: str) -> None:
        events.record(self._api, cj, event_type, reason, message, NAME)

    def sync(self, key: str) -> float | None:
        """``sync``: clean up, reconcile, write status, come back at the next time."""
        ns, _, name = key.partition("/")
        try:
            cj = copy.deepcopy(self._api.get(_CRONJOBS, ns, name))
        except NotFound:
            return None
        # getJobsToBeReconciled: every Job whose controller reference carries this name.
        jobs = [j for j in self._api.list(_JOBS, ns).items if _controller_name(j) == name]
        cj.setdefault("status", {})
        before = copy.deepcopy(cj["status"])
        changed = self._cleanup_finished_jobs(cj, jobs)
        requeue, synced = self._sync_cron_job(cj, jobs)
        if (changed or synced) and cj["status"] != before:
            try:
                self._api.update_status(_CRONJOBS, cj, user_agent=USER_AGENT)
            except ApiError:
                return 1.0
        return requeue

    # -- syncCronJob ------------------------------------------------------------------------

    def _sync_cron_job(self, cj: Obj, jobs: list[Obj]) -> tuple[float | None, bool]:
        now = self._clock.now()
        status, spec = cj["status"], cj["spec"]
        changed = False
        # 1. Reconcile the active list with the Jobs that exist.
        active_uids = {a.get("uid") for a in status.get("active") or []}
        children = set()
        for job in jobs:
            juid = job["metadata"]["uid"]
            children.add(juid)
            finished = _finished_type(job)
            if juid not in active_uids and finished is None:
                self._record(
                    cj,
                    events.WARNING,
                    "UnexpectedJob",
                    f"{_MSG_UNEXPECTED}: {job['metadata']['name']}",
                )
            elif juid in active_uids and finished is not None:
                _remove_active(status, juid)
                self._record(
                    cj,
                    events.NORMAL,
                    "SawCompletedJob",
                    f"Saw completed job: {job['metadata']['name']}, status: {finished}",
                )
                changed = True
            elif finished == "Complete":
                completion = (job.get("status") or {}).get("completionTime")
                last = status.get("lastSuccessfulTime")
                if completion and (last is None or parse_time(completion) > parse_time(last)):
                    status["lastSuccessfulTime"] = completion
                    changed = True
        for ref in list(status.get("active") or []):
            if ref.get("uid") in children:
                continue
            try:
                self._api.get(_JOBS, ref.get("namespace"), ref.get("name"))
            except NotFound:
                self._record(
                    cj, events.NORMAL, "MissingJob", f"Active job went missing: {ref.get('name')}"
                )
                _remove_active(status, ref.get("uid"))
                changed = True
        # 2. Being deleted, or suspended: nothing to start.
        if cj["metadata"].get("deletionTimestamp"):
            return None, changed
        zone = spec.get("timeZone")
        if zone is not None:
            try:
                _zone(str(zone))
            except ValueError as err:
                self._record(
                    cj, events.WARNING, "UnknownTimeZone", f'invalid timeZone: "{zone}": {err}'
                )
                return None, changed
        if spec.get("suspend") is True:
            return None, changed
        if "TZ" in str(spec.get("schedule", "")):
            self._record(
                cj,
                events.WARNING,
                "UnsupportedSchedule",
                _MSG_UNSUPPORTED_TZ.format(schedule=spec.get("schedule")),
            )
        try:
            schedule = parse_schedule(str(spec.get("schedule", "")), spec.get("timeZone"))
        except ValueError as err:
            self._record(
                cj,
                events.WARNING,
                "UnparseableSchedule",
                f'unparseable schedule: "{spec.get("schedule")}" : {err}',
            )
            return None, changed
        # 3. The most recent unmet schedule time.
        earliest = self._earliest(cj)
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None:
            earliest = max(earliest, now - timedelta(seconds=int(deadline)))
        try:
            scheduled, missed = most_recent_schedule_time(earliest, now, schedule)
            if scheduled is not None and scheduled > now:
                scheduled = None
        except ValueError as err:
            self._record(
                cj,
                events.WARNING,
                "InvalidSchedule",
                f"invalid schedule: {spec.get('schedule')} : {err}",
            )
            return None, changed
        if scheduled is not None and missed == MANY_MISSED:
            self._record(cj, events.WARNING, "TooManyMissedTimes", _MSG_TOO_MANY_MISSED)
        if scheduled is None:
            return self._next_in(cj, now, schedule), changed
        # 4. Too late, already done, or forbidden: wait for the next one.
        if deadline is not None and scheduled + timedelta(seconds=int(deadline)) < now:
            self._record(
                cj,
                events.WARNING,
                "MissSchedule",
                "Missed scheduled time to start a job: "
                + scheduled.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            )
            return self._next_in(cj, now, schedule), changed
        name = job_name(cj, scheduled)
        last = status.get("lastScheduleTime")
        if any(a.get("name") == name for a in status.get("active") or []) or (
            last is not None and parse_time(last) == scheduled
        ):
            return self._next_in(cj, now, schedule), changed
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status.get("active"):
            self._record(
                cj,
                events.NORMAL,
                "JobAlreadyActive",
                _MSG_FORBID,
            )
            return self._next_in(cj, now, schedule), changed
        if policy == "Replace":
            for ref in list(status.get("active") or []):
                try:
                    job = self._api.get(_JOBS, ref.get("namespace"), ref.get("name"))
                except ApiError as err:
                    self._record(cj, events.WARNING, "FailedGet", f"Get job: {err.message}")
                    return 1.0, changed
                if not self._delete_job(cj, job):
                    return 1.0, changed
                changed = True
        # 5. Create the Job for this time and remember it.
        request = self._job_for(cj, scheduled)
        try:
            created = self._api.create(
                _JOBS, request, namespace=cj["metadata"]["namespace"], user_agent=USER_AGENT
            ).object
        except AlreadyExists:
            try:
                created = self._api.get(_JOBS, cj["metadata"]["namespace"], name)
            except ApiError:
                return 1.0, changed
            if not _controlled_by(created, cj["metadata"]["uid"]):
                return None, changed
            if any(a.get("uid") == created["metadata"]["uid"] for a in status.get("active") or []):
                return None, changed
        except ApiError as err:
            self._record(cj, events.WARNING, "FailedCreate", f"Error creating job: {err.message}")
            return 1.0, changed
        else:
            self._record(cj, events.NORMAL, "SuccessfulCreate", f"Created job {name}")
        meta = created["metadata"]
        status.setdefault("active", []).append(
            {
                "kind": "Job",
                "namespace": meta.get("namespace"),
                "name": meta["name"],
                "uid": meta["uid"],
                "apiVersion": "batch/v1",
                "resourceVersion": meta.get("resourceVersion"),
            }
        )
        status["lastScheduleTime"] = format_time(scheduled)
        return self._next_in(cj, now, schedule), True

    def _earliest(self, cj: Obj) -> datetime:
        last = cj["status"].get("lastScheduleTime")
        return parse_time(last or cj["metadata"]["creationTimestamp"])

    def _next_in(self, cj: Obj, now: datetime, schedule: Schedule) -> float:
        return next_schedule_delay(self._earliest(cj), now, schedule)

    def _job_for(self, cj: Obj, scheduled: datetime) -> Obj:
        """``getJobFromTemplate2``."""
        template = cj["spec"].get("jobTemplate") or {}
        tmeta = template.get("metadata") or {}
        zone = _zone(cj["spec"].get("timeZone") or "UTC")
        local = scheduled.astimezone(zone)
        stamp = local.isoformat().replace("+00:00", "Z") if zone is UTC else local.isoformat()
        annotations = dict(tmeta.get("annotations") or {})
        annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = stamp
        meta: Obj = {
            "name": job_name(cj, scheduled),
            "namespace": cj["metadata"]["namespace"],
            "annotations": annotations,
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "CronJob",
                    "name": cj["metadata"]["name"],
                    "uid": cj["metadata"]["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        }
        if tmeta.get("labels"):
            meta["labels"] = dict(tmeta["labels"])
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": meta,
            "spec": copy.deepcopy(template.get("spec") or {}),
        }

    # -- history -------------------------------------------------------------------------------

    def _cleanup_finished_jobs(self, cj: Obj, jobs: list[Obj]) -> bool:
        """``cleanupFinishedJobs``: the oldest finished Jobs beyond each history limit go."""
        spec = cj["spec"]
        changed = False
        for kind, limit_key in (
            ("Complete", "successfulJobsHistoryLimit"),
            ("Failed", "failedJobsHistoryLimit"),
        ):
            limit = spec.get(limit_key)
            if limit is None:
                continue
            finished = [j for j in jobs if _finished_type(j) == kind]
            excess = len(finished) - int(limit)
            if excess <= 0:
                continue
            finished.sort(key=_start_order)
            for job in finished[:excess]:
                if self._delete_job(cj, job):
                    changed = True
        return changed

    def _delete_job(self, cj: Obj, job: Obj) -> bool:
        """``deleteJob``: the Job (its pods in the background) and its active entry."""
        meta = job["metadata"]
        try:
            self._api.delete(
                _JOBS, meta["namespace"], meta["name"], propagation_policy="Background"
            )
        except NotFound:
            pass
        except ApiError as err:
            self._record(cj, events.WARNING, "FailedDelete", f"Deleted job: {err.message}")
            return False
        _remove_active(cj["status"], meta.get("uid"))
        self._record(cj, events.NORMAL, "SuccessfulDelete", f"Deleted job {meta['name']}")
        return True


def _start_order(job: Obj) -> tuple[int, float, str]:
    """``byJobStartTime``: started before not started, earlier first, then by name."""
    start = (job.get("status") or {}).get("startTime")
    name = str(job["metadata"]["name"])
    if start is None:
        return (1, 0.0, name)
    return (0, parse_time(start).timestamp(), name)


def _remove_active(status: Obj, uid: Any) -> None:
    active = [a for a in status.get("active") or [] if a.get("uid") != uid]
    if active:
        status["active"] = active
    else:
        status.pop("active", None)
