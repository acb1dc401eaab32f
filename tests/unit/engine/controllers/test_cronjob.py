"""The CronJob controller (cases from pkg/controller/cronjob/utils_test.go:
TestMostRecentScheduleTime, TestNextScheduleTimeDuration, TestGetJobFromTemplate2,
TestByJobStartTime; cronjob_controllerv2_test.go: TestControllerV2SyncCronJob)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import DEFAULT_CONTROLLERS, Cluster
from mlkube.engine.controllers.cronjob import (
    FEW_MISSED,
    MANY_MISSED,
    NONE_MISSED,
    CronJobController,
    job_name,
    most_recent_schedule_time,
    next_schedule_delay,
    parse_schedule,
)

from .job.builders import Kubelet, job_controller

TOP = datetime(2016, 5, 19, 10, 0, 0, tzinfo=UTC)  # topOfTheHour(), a Thursday


def _at(delta: timedelta) -> datetime:
    return TOP + delta


H, M, S, D = timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1), timedelta(days=1)


@pytest.mark.parametrize(
    ("schedule", "earliest", "now", "recent", "missed"),
    [
        pytest.param(
            "0 * * * *", TOP, _at(30 * S), None, NONE_MISSED, id="now before next schedule"
        ),
        pytest.param(
            "0 * * * *",
            TOP,
            _at(61 * M),
            _at(60 * M),
            FEW_MISSED,
            id="now just after next schedule",
        ),
        pytest.param(
            "0 * * * *",
            _at(10 * S),
            _at(301 * M),
            _at(300 * M),
            FEW_MISSED,
            id="missed 5 schedules",
        ),
        pytest.param(
            "30 6-16/4 * * 1-5",
            _at(30 * M),
            _at(24 * H + 31 * M),
            _at(24 * H + 30 * M),
            FEW_MISSED,
            id="complex schedule",
        ),
        pytest.param(
            "30 10,11,12 * * 1-5",
            _at(30 * M),
            _at(30 * H + 30 * M),
            None,
            FEW_MISSED,
            id="another complex schedule: the estimate finds none, as upstream",
        ),
        pytest.param(
            "30 6-16/4 * * 1-5",
            _at(30 * M),
            _at(96 * H + 31 * M),
            _at(96 * H + 30 * M),
            FEW_MISSED,
            id="complex schedule with a longer gap between runs",
        ),
        pytest.param(
            "@every 1h",
            _at(1 * M),
            _at(7 * D),
            _at(6 * D + 23 * H + 1 * M),
            MANY_MISSED,
            id="@every schedule",
        ),
        pytest.param(
            "*/5 * * * *",
            _at(30 * M),
            _at(31 * M),
            None,
            NONE_MISSED,
            id="earliest is the last schedule",
        ),
    ],
)
def test_most_recent_schedule_time(
    schedule: str, earliest: datetime, now: datetime, recent: datetime | None, missed: str
) -> None:
    assert most_recent_schedule_time(earliest, now, parse_schedule(schedule)) == (recent, missed)


def test_a_schedule_that_never_comes_is_an_error() -> None:
    with pytest.raises(
        ValueError, match="time difference between two schedules is less than 1 second"
    ):
        most_recent_schedule_time(_at(10 * S), _at(H), parse_schedule("59 23 31 2 *"))


@pytest.mark.parametrize(
    ("schedule", "earliest", "now", "delay"),
    [
        pytest.param(
            "30 6-16/4 * * 1-5",
            _at(30 * M),
            _at(24 * H + 31 * M),
            3 * 3600 + 59 * 60,
            id="skipping the weekend",
        ),
        pytest.param(
            "30 10,11,12 * * 1-5",
            _at(30 * M),
            _at(30 * H + 30 * M),
            66 * 3600,
            id="another one skipping the weekend",
        ),
        pytest.param(
            "0 12 * * 4",
            _at(2 * H),
            _at(19 * D + H + 30 * M),
            48 * 3600 + 30 * 60,
            id="weekly, two runs missed",
        ),
        pytest.param("0 12 * * 5", TOP, _at(6 * H), 20 * 3600, id="no previous run"),
    ],
)
def test_next_schedule_delay_is_100ms_after_the_next_run(
    schedule: str, earliest: datetime, now: datetime, delay: float
) -> None:
    assert next_schedule_delay(earliest, now, parse_schedule(schedule)) == pytest.approx(
        delay + 0.1
    )


@pytest.mark.parametrize(
    ("schedule", "zone", "after", "want"),
    [
        pytest.param("@hourly", None, TOP, _at(H), id="@hourly is the top of the hour"),
        pytest.param(
            "@daily", None, TOP, datetime(2016, 5, 20, tzinfo=UTC), id="@daily is midnight"
        ),
        pytest.param(
            "@weekly", None, TOP, datetime(2016, 5, 22, tzinfo=UTC), id="@weekly is Sunday midnight"
        ),
        pytest.param(
            "@every 90s",
            None,
            TOP + timedelta(microseconds=5),
            _at(90 * S),
            id="@every truncates to seconds",
        ),
        pytest.param("0 9 * * ?", None, TOP, datetime(2016, 5, 20, 9, tzinfo=UTC), id="? is any"),
        pytest.param(
            "0 9 * * *",
            "Europe/Berlin",
            TOP,
            datetime(2016, 5, 20, 7, tzinfo=UTC),
            id="a time zone shifts the hour",
        ),
        pytest.param(
            "TZ=America/New_York 0 9 * * *",
            None,
            TOP,
            datetime(2016, 5, 19, 13, tzinfo=UTC),
            id="TZ= in the schedule",
        ),
    ],
)
def test_parse_schedule(schedule: str, zone: str | None, after: datetime, want: datetime) -> None:
    assert parse_schedule(schedule, zone)(after) == want


# -- the controller on a cluster ----------------------------------------------------------------


def _cluster() -> Cluster:
    return Cluster(
        clock=FakeClock(),
        seed=0,
        controllers=[*DEFAULT_CONTROLLERS, job_controller, lambda c: CronJobController(c.api)],
    )


def _cron_job(name: str = "nightly", schedule: str = "*/5 * * * *", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"labels": {"team": "ml"}, "annotations": {"note": "x"}},
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "main", "image": "busybox:1.36"}],
                        }
                    }
                },
            },
            **spec,
        },
    }


def _jobs(c: Cluster) -> list[str]:
    return sorted(
        j["metadata"]["name"]
        for j in c.list("jobs", "default")
        if not j["metadata"].get("deletionTimestamp")
    )


def _events(c: Cluster, name: str = "nightly") -> list[tuple[str, str, str]]:
    found = [e for e in c.list("events", "default") if e["involvedObject"].get("kind") == "CronJob"]
    found.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [
        (e["type"], e["reason"], e["message"]) for e in found if e["involvedObject"]["name"] == name
    ]


def _minutes(t: str) -> int:
    return int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()) // 60


def test_a_job_is_created_at_each_scheduled_time_named_by_its_minute() -> None:
    c = _cluster()
    cj = c.create(_cron_job())
    c.advance(300)
    assert _jobs(c) == []
    c.advance(0.1)  # the controller wakes 100 ms after 00:05
    name = f"nightly-{_minutes('2026-01-01T00:05:00Z')}"
    assert _jobs(c) == [name]
    job = c.get("jobs", name)
    assert job["metadata"]["labels"]["team"] == "ml"
    assert job["metadata"]["annotations"] == {
        "note": "x",
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T00:05:00Z",
    }
    assert job["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": "nightly",
            "uid": cj["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    status = c.get("cronjobs", "nightly")["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:05:00Z"
    assert [a["name"] for a in status["active"]] == [name]
    assert _events(c) == [("Normal", "SuccessfulCreate", f"Created job {name}")]
    assert job_name(cj, datetime(2026, 1, 1, 0, 5, tzinfo=UTC)) == name


def test_a_finished_job_leaves_the_active_list_and_sets_the_last_successful_time() -> None:
    c = _cluster()
    c.create(_cron_job())
    c.advance(300.1)
    [name] = _jobs(c)
    kubelet = Kubelet(c)
    kubelet.succeed(kubelet.pending(name)[0])
    c.advance(2)
    status = c.get("cronjobs", "nightly")["status"]
    assert "active" not in status
    assert status["lastSuccessfulTime"] == c.get("jobs", name)["status"]["completionTime"]
    assert _events(c)[-1] == (
        "Normal",
        "SawCompletedJob",
        f"Saw completed job: {name}, status: Complete",
    )


@pytest.mark.parametrize(
    ("policy", "jobs_after_second_run"),
    [
        pytest.param("Allow", 2, id="Allow runs them side by side"),
        pytest.param("Forbid", 1, id="Forbid skips a run while one is active"),
        pytest.param("Replace", 1, id="Replace deletes the running job first"),
    ],
)
def test_concurrency_policy(policy: str, jobs_after_second_run: int) -> None:
    c = _cluster()
    c.create(_cron_job(concurrencyPolicy=policy))
    c.advance(300.1)
    [first] = _jobs(c)
    c.advance(300)
    jobs = _jobs(c)
    assert len(jobs) == jobs_after_second_run
    reasons = [r for _, r, _ in _events(c)]
    if policy == "Forbid":
        assert jobs == [first]
        assert _events(c)[-1] == (
            "Normal",
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
        )
    if policy == "Replace":
        assert first not in jobs
        assert ("Normal", "SuccessfulDelete", f"Deleted job {first}") in _events(c)
        assert reasons[-1] == "SuccessfulCreate"


def test_a_suspended_cron_job_creates_nothing() -> None:
    c = _cluster()
    c.create(_cron_job(suspend=True))
    c.advance(3600)
    assert _jobs(c) == []


@pytest.mark.parametrize(
    ("resume_at", "deadline", "want_job_at"),
    [
        pytest.param(
            70 * 60,
            1200,
            "2026-01-01T01:00:00Z",
            id="a run missed 10 min ago, within the deadline, starts late",
        ),
        pytest.param(
            90 * 60, 1200, None, id="a run missed 30 min ago, beyond the deadline, is skipped"
        ),
        pytest.param(
            90 * 60,
            None,
            "2026-01-01T01:00:00Z",
            id="without a deadline the most recent run starts",
        ),
    ],
)
def test_starting_deadline_after_a_suspension(
    resume_at: int, deadline: int | None, want_job_at: str | None
) -> None:
    spec: dict[str, Any] = {"suspend": True}
    if deadline is not None:
        spec["startingDeadlineSeconds"] = deadline
    c = _cluster()
    c.create(_cron_job(schedule="0 * * * *", **spec))
    c.advance(resume_at)
    cj = c.get("cronjobs", "nightly")
    cj["spec"]["suspend"] = False
    c.update(cj)
    c.run_until_idle()
    want = [] if want_job_at is None else [f"nightly-{_minutes(want_job_at)}"]
    assert _jobs(c) == want


def test_a_time_zone_schedules_in_local_time_and_stamps_the_local_time() -> None:
    c = _cluster()
    c.create(_cron_job(schedule="0 9 * * *", timeZone="Europe/Berlin"))
    c.advance(8 * 3600 + 0.1)  # 09:00 in Berlin is 08:00 UTC in January
    [name] = _jobs(c)
    assert name == f"nightly-{_minutes('2026-01-01T08:00:00Z')}"
    annotations = c.get("jobs", name)["metadata"]["annotations"]
    assert (
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]
        == "2026-01-01T09:00:00+01:00"
    )


def test_too_many_missed_runs_are_a_warning_and_only_the_latest_starts() -> None:
    c = _cluster()
    c.create(_cron_job(schedule="* * * * *", suspend=True))
    c.advance(3 * 3600 + 30)
    cj = c.get("cronjobs", "nightly")
    cj["spec"]["suspend"] = False
    c.update(cj)
    c.run_until_idle()
    assert _jobs(c) == [f"nightly-{_minutes('2026-01-01T03:00:00Z')}"]
    assert (
        "Warning",
        "TooManyMissedTimes",
        "too many missed start times. "
        "Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    ) in _events(c)


def test_only_the_newest_finished_jobs_within_the_history_limit_are_kept() -> None:
    c = _cluster()
    c.create(_cron_job(successfulJobsHistoryLimit=1))
    kubelet = Kubelet(c)
    names: list[str] = []
    c.advance(0.1)
    for _ in range(3):
        c.advance(300)
        [pending] = [j for j in _jobs(c) if j not in names]
        names.append(pending)
        kubelet.succeed(kubelet.pending(pending)[0])
        c.advance(2)
    c.advance(300)  # the next sync cleans up
    assert names[-1] in _jobs(c)
    assert names[0] not in _jobs(c)
    assert names[1] not in _jobs(c)
    assert ("Normal", "SuccessfulDelete", f"Deleted job {names[0]}") in _events(c)


def test_an_active_job_that_disappears_is_a_missing_job() -> None:
    c = _cluster()
    c.create(_cron_job())
    c.advance(300.1)
    [name] = _jobs(c)
    c.delete("jobs", name, propagation_policy="Background")
    c.run_until_idle()
    assert ("Normal", "MissingJob", f"Active job went missing: {name}") in _events(c)
    assert "active" not in c.get("cronjobs", "nightly")["status"]
