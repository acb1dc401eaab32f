"""CronJob defaulting and validation, as kube-apiserver v1.37.

Cases follow pkg/apis/batch/v1/defaults_test.go (TestSetDefaultCronJob) and
pkg/apis/batch/validation/validation_test.go (TestValidateCronJob,
TestValidateCronJobScheduleTZ, TestValidateCronJobSpec); schedule errors are those of
github.com/robfig/cron/v3 ``ParseStandard``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.batch import CronJobStrategy

STRATEGY = CronJobStrategy()
Obj = dict[str, Any]


class CronJobBuilder:
    def __init__(self, name: str = "mycronjob", schedule: str = "* * * * ?") -> None:
        self._o: Obj = {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": name, "namespace": "default", "uid": "u"},
            "spec": {
                "schedule": schedule,
                "jobTemplate": {
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "OnFailure",
                                "containers": [{"name": "abc", "image": "image"}],
                            }
                        }
                    }
                },
            },
        }

    def set(self, **fields: Any) -> CronJobBuilder:
        self._o["spec"].update(fields)
        return self

    def job_spec(self, **fields: Any) -> CronJobBuilder:
        self._o["spec"]["jobTemplate"]["spec"].update(fields)
        return self

    def created(self) -> Obj:
        o = copy.deepcopy(self._o)
        STRATEGY.default(o)
        STRATEGY.prepare_for_create(o)
        return o


def cron(schedule: str = "* * * * ?", name: str = "mycronjob") -> CronJobBuilder:
    return CronJobBuilder(name, schedule)


def messages(o: Obj) -> list[str]:
    return [e.error() for e in STRATEGY.validate(o)]


def test_cron_job_defaults() -> None:
    spec = cron().created()["spec"]
    assert (
        spec["concurrencyPolicy"],
        spec["suspend"],
        spec["successfulJobsHistoryLimit"],
        spec["failedJobsHistoryLimit"],
    ) == ("Allow", False, 3, 1)


def test_the_job_template_gets_no_job_defaults() -> None:
    job_spec = cron().created()["spec"]["jobTemplate"]["spec"]
    assert ("completions" not in job_spec, "backoffLimit" not in job_spec) == (True, True)


@pytest.mark.parametrize(
    "schedule",
    [
        pytest.param("* * * * ?", id="question mark for any"),
        pytest.param("*/15 0-6 1,15 jan-jun mon-fri", id="steps ranges lists and names"),
        pytest.param("@hourly", id="a descriptor"),
        pytest.param("@every 1h30m", id="an every descriptor"),
        pytest.param("0 0 * * 6", id="Saturday is day 6"),
    ],
)
def test_valid_schedules(schedule: str) -> None:
    assert messages(cron(schedule).created()) == []


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        pytest.param("error", "expected exactly 5 fields, found 1: [error]", id="one field"),
        pytest.param(
            "* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]", id="six fields"
        ),
        pytest.param("60 * * * *", "end of range (60) above maximum (59): 60", id="minute 60"),
        pytest.param("* * * * 7", "end of range (7) above maximum (6): 7", id="day of week 7"),
        pytest.param("* * 0 * *", "beginning of range (0) below minimum (1): 0", id="day 0"),
        pytest.param(
            "5-1 * * * *",
            "beginning of range (5) beyond end of range (1): 5-1",
            id="a reversed range",
        ),
        pytest.param(
            "x * * * *",
            'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
            id="a word",
        ),
        pytest.param("*/0 * * * *", "step of range should be a positive number: */0", id="step 0"),
        pytest.param("1-2-3 * * * *", "too many hyphens: 1-2-3", id="too many hyphens"),
        pytest.param("@sometimes", "unrecognized descriptor: @sometimes", id="a bad descriptor"),
        pytest.param(
            "@every 5",
            'failed to parse duration @every 5: time: missing unit in duration "5"',
            id="an every without unit",
        ),
    ],
)
def test_invalid_schedules(schedule: str, error: str) -> None:
    assert messages(cron(schedule).created()) == [
        f'spec.schedule: Invalid value: "{schedule}": {error}'
    ]


def test_tz_in_schedule_is_rejected_on_create() -> None:
    assert messages(cron("TZ=UTC 0 * * * *").created()) == [
        'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in '
        "schedule, use timeZone field instead"
    ]


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [
        pytest.param("America/New_York", [], id="an IANA zone"),
        pytest.param("UTC", [], id="UTC"),
        pytest.param(
            "",
            ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
            id="empty",
        ),
        pytest.param(
            "Local",
            [
                'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone '
                "as defined in https://www.iana.org/time-zones"
            ],
            id="Local",
        ),
        pytest.param(
            "Continent/Zone",
            ['spec.timeZone: Invalid value: "Continent/Zone": unknown time zone Continent/Zone'],
            id="an unknown zone",
        ),
        pytest.param(
            "../etc",
            ['spec.timeZone: Invalid value: "../etc": unknown time zone ../etc'],
            id="a path escape",
        ),
    ],
)
def test_time_zone(time_zone: str, expected: list[str]) -> None:
    assert messages(cron().set(timeZone=time_zone).created()) == expected


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        pytest.param(
            cron(name="a" * 53),
            f'metadata.name: Invalid value: "{"a" * 53}": must be no more than 52 characters',
            id="a name longer than 52 characters",
        ),
        pytest.param(
            cron().set(startingDeadlineSeconds=-1),
            "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
            id="a negative starting deadline",
        ),
        pytest.param(
            cron().set(concurrencyPolicy="Sometimes"),
            'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: '
            '"Allow", "Forbid", "Replace"',
            id="an unknown concurrency policy",
        ),
        pytest.param(
            cron().set(successfulJobsHistoryLimit=-1),
            "spec.successfulJobsHistoryLimit: Invalid value: -1: "
            "must be greater than or equal to 0",
            id="a negative successful history limit",
        ),
        pytest.param(
            cron().set(failedJobsHistoryLimit=-1),
            "spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
            id="a negative failed history limit",
        ),
        pytest.param(
            cron().job_spec(selector={"matchLabels": {"a": "b"}}),
            'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: '
            "`selector` will be auto-generated",
            id="a job template may not carry a selector",
        ),
        pytest.param(
            cron().job_spec(manualSelector=True),
            "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "
            '"nil", "false"',
            id="a job template may not ask for a manual selector",
        ),
        pytest.param(
            cron().job_spec(parallelism=-1),
            "spec.jobTemplate.spec.parallelism: Invalid value: -1: "
            "must be greater than or equal to 0",
            id="the job template spec is validated",
        ),
    ],
)
def test_invalid_cron_jobs(builder: CronJobBuilder, expected: str) -> None:
    assert messages(builder.created()) == [expected]


def test_a_long_name_is_accepted_on_update() -> None:
    old = cron(name="a" * 53).created()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["spec"]["suspend"] = True
    STRATEGY.prepare_for_update(new, old)
    assert (STRATEGY.validate_update(new, old), new["metadata"]["generation"]) == ([], 2)


def test_tz_in_schedule_stays_allowed_for_an_old_object_without_time_zone() -> None:
    old = cron("TZ=UTC 0 * * * *").created()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["spec"]["schedule"] = "TZ=UTC 5 * * * *"
    assert STRATEGY.validate_update(new, old) == []
