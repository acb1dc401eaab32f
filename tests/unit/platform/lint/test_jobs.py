"""ML002 (GPU deadline), ML003 (TTL), ML010 (restart policy), ML011 (Indexed parallelism),
ML013 (backoffLimit default)."""

from __future__ import annotations

from typing import Any

import pytest

from .builders import cronjob, deployment, job, pod
from .helpers import hits


@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(
            job().gpus(1).job(activeDeadlineSeconds=None).build(),
            True,
            id="a GPU Job without activeDeadlineSeconds is flagged",
        ),
        pytest.param(
            cronjob().gpus(1).job(activeDeadlineSeconds=None).build(),
            True,
            id="a GPU CronJob's job template without a deadline is flagged",
        ),
        pytest.param(job().gpus(1).build(), False, id="a GPU Job with a deadline is not"),
        pytest.param(
            job().job(activeDeadlineSeconds=None).build(),
            False,
            id="a CPU Job without a deadline is not",
        ),
        pytest.param(pod().gpus(1).build(), False, id="a bare GPU Pod is not a Job"),
    ],
)
def test_gpu_job_deadline(obj: dict[str, Any], flagged: bool) -> None:
    found = hits("ML002", [obj])
    assert bool(found) is flagged
    assert all(f.path.endswith("spec.activeDeadlineSeconds") for f in found)


@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(
            job().job(ttlSecondsAfterFinished=None).build(),
            True,
            id="a Job without a TTL is flagged",
        ),
        pytest.param(
            job().job(ttlSecondsAfterFinished=0).build(),
            False,
            id="a TTL of zero (delete at once) counts as set",
        ),
        pytest.param(
            cronjob().job(ttlSecondsAfterFinished=None).build(),
            False,
            id="a CronJob's Jobs are cleaned by its history limits",
        ),
    ],
)
def test_job_ttl(obj: dict[str, Any], flagged: bool) -> None:
    assert bool(hits("ML003", [obj])) is flagged


# Cases and messages from pkg/apis/batch/validation/validation_test.go (TestValidateJob:
# "spec.template.spec.restartPolicy: Required value", "...: Unsupported value", the
# podFailurePolicy case; TestValidateCronJob: "spec.jobTemplate.spec.template.spec...").
@pytest.mark.parametrize(
    ("obj", "quoted"),
    [
        pytest.param(
            job().pod(restartPolicy=None).build(),
            'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
            id="a Job template without restartPolicy defaults to Always and is refused",
        ),
        pytest.param(
            job().pod(restartPolicy="Always").build(),
            'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
            id="restartPolicy Always on a Job template is refused",
        ),
        pytest.param(
            job().pod(restartPolicy="Invalid").build(),
            'spec.template.spec.restartPolicy: Unsupported value: "Invalid": supported values: '
            '"OnFailure", "Never"',
            id="an unknown restartPolicy is refused as unsupported",
        ),
        pytest.param(
            job().pod(restartPolicy="OnFailure").job(podFailurePolicy={"rules": []}).build(),
            'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is '
            "supported when podFailurePolicy is specified",
            id="OnFailure with a podFailurePolicy is refused",
        ),
        pytest.param(
            cronjob().pod(restartPolicy="Always").build(),
            "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "
            '"OnFailure", "Never"',
            id="a CronJob's job template is held to the same rule",
        ),
    ],
)
def test_job_restart_policy_quotes_kube_apiserver(obj: dict[str, Any], quoted: str) -> None:
    (finding,) = hits("ML010", [obj])
    assert finding.severity == "error"
    assert f'"{quoted}"' in finding.message


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(job().pod(restartPolicy="Never").build(), id="Never is accepted"),
        pytest.param(job().pod(restartPolicy="OnFailure").build(), id="OnFailure is accepted"),
        pytest.param(deployment().pod(restartPolicy=None).build(), id="a Deployment is not a Job"),
    ],
)
def test_job_restart_policy_accepts(obj: dict[str, Any]) -> None:
    assert hits("ML010", [obj]) == []


@pytest.mark.parametrize(
    ("fields", "flagged"),
    [
        pytest.param(
            {"completionMode": "Indexed", "completions": 4, "parallelism": 8},
            True,
            id="an Indexed Job with parallelism above completions is flagged",
        ),
        pytest.param(
            {"completionMode": "Indexed", "completions": 8, "parallelism": 8},
            False,
            id="parallelism equal to completions is not",
        ),
        pytest.param(
            {"completionMode": "NonIndexed", "completions": 4, "parallelism": 8},
            False,
            id="a NonIndexed Job is not an Indexed one",
        ),
    ],
)
def test_indexed_parallelism(fields: dict[str, Any], flagged: bool) -> None:
    found = hits("ML011", [job().job(**fields).build()])
    assert bool(found) is flagged
    if flagged:
        assert "never runs more than 4 pods at once" in found[0].message


@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(
            job().gpus(1).job(backoffLimit=None).build(),
            True,
            id="a GPU Job that leaves backoffLimit at 6 is flagged (info)",
        ),
        pytest.param(
            job().gpus(1).job(backoffLimit=6).build(),
            False,
            id="an explicit backoffLimit of 6 is a choice, not a default",
        ),
        pytest.param(
            job()
            .gpus(1)
            .job(backoffLimit=None, backoffLimitPerIndex=1, completionMode="Indexed", completions=2)
            .build(),
            False,
            id="backoffLimitPerIndex replaces the global limit",
        ),
        pytest.param(
            job().job(backoffLimit=None).build(),
            False,
            id="a CPU Job's retries are cheap",
        ),
    ],
)
def test_backoff_default(obj: dict[str, Any], flagged: bool) -> None:
    found = hits("ML013", [obj])
    assert bool(found) is flagged
    assert all(f.severity == "info" for f in found)
