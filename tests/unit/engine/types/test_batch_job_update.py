"""Job updates and status updates, as kube-apiserver v1.37.

Cases follow pkg/apis/batch/validation/validation_test.go (TestValidateJobUpdate,
TestValidateJobUpdateStatus) and pkg/registry/batch/job/strategy_test.go
(TestJobStrategy_PrepareForUpdate, TestStatusStrategy_ValidateUpdate); messages are
validation.go's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mlkube.api.field import ErrorType
from mlkube.engine.types.batch import JobStrategy

UID = "1a2b3c"
STRATEGY = JobStrategy()
Obj = dict[str, Any]


def stored_job(**spec: Any) -> Obj:
    """A Job as the store holds it after create (resourceVersion set)."""
    o: Obj = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "myjob", "namespace": "default", "uid": UID},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "abc", "image": "image"}],
                }
            }
        }
        | spec,
    }
    STRATEGY.default(o)
    STRATEGY.prepare_for_create(o)
    o["metadata"]["resourceVersion"] = "1"
    return o


def updated(old: Obj, change: Callable[[Obj], None]) -> Obj:
    new = copy.deepcopy(old)
    change(new)
    STRATEGY.default(new)
    STRATEGY.prepare_for_update(new, old)
    return new


def update_messages(old: Obj, change: Callable[[Obj], None]) -> list[str]:
    new = updated(old, change)
    return sorted({e.error() for e in STRATEGY.validate_update(new, old)})


def pod_spec(o: Obj) -> Obj:
    spec: Obj = o["spec"]["template"]["spec"]
    return spec


# --- PrepareForUpdate ---------------------------------------------------------------------


def test_a_spec_change_bumps_generation_and_keeps_status() -> None:
    old = stored_job(parallelism=1)
    old["status"] = {"active": 1}

    def change(o: Obj) -> None:
        o["spec"]["parallelism"] = 2
        o["status"] = {"active": 9}

    new = updated(old, change)
    assert (new["metadata"]["generation"], new["status"]) == (2, {"active": 1})


def test_a_label_change_keeps_generation() -> None:
    old = stored_job()
    new = updated(old, lambda o: o["metadata"]["labels"].update(team="a"))
    assert new["metadata"]["generation"] == 1


def test_the_status_subresource_keeps_the_old_spec() -> None:
    old = stored_job(parallelism=1)
    new = copy.deepcopy(old)
    new["spec"]["parallelism"] = 5
    new["status"] = {"active": 1}
    STRATEGY.prepare_for_status_update(new, old)
    assert (new["spec"]["parallelism"], new["status"]) == (1, {"active": 1})


# --- ValidateJobUpdate ---------------------------------------------------------------------


def _set(path: tuple[str, ...], value: Any) -> Callable[[Obj], None]:
    def change(o: Obj) -> None:
        target = o
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("spec", "change"),
    [
        pytest.param({}, _set(("spec", "parallelism"), 3), id="parallelism is mutable"),
        pytest.param({}, _set(("spec", "activeDeadlineSeconds"), 30), id="a deadline may be set"),
        pytest.param({}, _set(("spec", "suspend"), True), id="a job may be suspended"),
        pytest.param(
            {"completionMode": "Indexed", "completions": 2, "parallelism": 2},
            lambda o: o["spec"].update(completions=4, parallelism=4),
            id="an elastic Indexed job scales completions with parallelism",
        ),
        pytest.param(
            {"suspend": True},
            lambda o: pod_spec(o).update(
                nodeSelector={"zone": "a"},
                tolerations=[{"key": "gpu", "operator": "Exists"}],
                schedulingGates=[{"name": "wait"}],
            ),
            id="a suspended job that never started may change its scheduling directives",
        ),
        pytest.param(
            {"suspend": True},
            lambda o: o["spec"]["template"]["metadata"]["labels"].update(extra="x"),
            id="a suspended job that never started may add template labels",
        ),
    ],
)
def test_allowed_updates(spec: Obj, change: Callable[[Obj], None]) -> None:
    assert update_messages(stored_job(**spec), change) == []


@pytest.mark.parametrize(
    ("spec", "change", "expected"),
    [
        pytest.param(
            {"completions": 2},
            _set(("spec", "completions"), 3),
            "spec.completions: Invalid value: 3: field is immutable",
            id="completions of a NonIndexed job are immutable",
        ),
        pytest.param(
            {"completionMode": "Indexed", "completions": 2, "parallelism": 2},
            _set(("spec", "completions"), 3),
            "spec.completions: Invalid value: 3: can only be modified in tandem with "
            "spec.parallelism",
            id="Indexed completions change only together with parallelism",
        ),
        pytest.param(
            {"completions": 2},
            _set(("spec", "completionMode"), "Indexed"),
            'spec.completionMode: Invalid value: "Indexed": field is immutable',
            id="completionMode is immutable",
        ),
        pytest.param(
            {"completionMode": "Indexed", "completions": 2, "backoffLimitPerIndex": 1},
            _set(("spec", "backoffLimitPerIndex"), 2),
            "spec.backoffLimitPerIndex: Invalid value: 2: field is immutable",
            id="backoffLimitPerIndex is immutable",
        ),
        pytest.param(
            {"managedBy": "example.com/a"},
            _set(("spec", "managedBy"), "example.com/b"),
            'spec.managedBy: Invalid value: "example.com/b": field is immutable',
            id="managedBy is immutable",
        ),
        pytest.param(
            {
                "completionMode": "Indexed",
                "completions": 2,
                "successPolicy": {"rules": [{"succeededCount": 1}]},
            },
            _set(("spec", "successPolicy"), {"rules": [{"succeededCount": 2}]}),
            'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":2}]}: '
            "field is immutable",
            id="successPolicy is immutable",
        ),
        pytest.param(
            {
                "podFailurePolicy": {
                    "rules": [
                        {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [1]}}
                    ]
                }
            },
            lambda o: o["spec"]["podFailurePolicy"]["rules"][0].update(action="Count"),
            'spec.podFailurePolicy: Invalid value: {"rules":[{"action":"Count","onExitCodes":'
            '{"operator":"In","values":[1]}}]}: field is immutable',
            id="podFailurePolicy is immutable",
        ),
        pytest.param(
            {},
            lambda o: o["spec"]["selector"]["matchLabels"].update(extra="x"),
            'spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":'
            '"1a2b3c","extra":"x"}}: field is immutable',
            id="the selector is immutable",
        ),
    ],
)
def test_rejected_updates(spec: Obj, change: Callable[[Obj], None], expected: str) -> None:
    assert expected in update_messages(stored_job(**spec), change)


def test_a_job_created_before_the_prefixed_labels_stays_updatable() -> None:
    # strategy.go validationOptionsForJob: RequirePrefixedLabels only when the old job had them.
    old = stored_job()
    labels = old["spec"]["template"]["metadata"]["labels"]
    for key in ("batch.kubernetes.io/job-name", "batch.kubernetes.io/controller-uid"):
        del labels[key]
    old["spec"]["selector"] = {"matchLabels": {"controller-uid": UID}}
    assert update_messages(old, _set(("spec", "parallelism"), 2)) == []


def test_a_new_job_needs_the_prefixed_labels() -> None:
    o = copy.deepcopy(stored_job())
    del o["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/job-name"]
    assert [e.error() for e in STRATEGY.validate(o)] == [
        "spec.template.metadata.labels[batch.kubernetes.io/job-name]: Required value: "
        "must be 'myjob'"
    ]


@pytest.mark.parametrize(
    ("suspend", "started"),
    [
        pytest.param(False, False, id="a running job"),
        pytest.param(True, True, id="a suspended job that already started"),
    ],
)
def test_template_is_immutable_unless_suspended_before_start(suspend: bool, started: bool) -> None:
    old = stored_job(suspend=suspend)
    if started:
        old["status"] = {"startTime": "2026-01-01T00:00:00Z"}
    new = updated(old, lambda o: pod_spec(o).update(nodeSelector={"zone": "a"}))
    errs = [e for e in STRATEGY.validate_update(new, old) if e.field == "spec.template"]
    assert [(e.type, e.detail, e.bad_value) for e in errs] == [
        (ErrorType.INVALID, "field is immutable", new["spec"]["template"])
    ]


def test_a_suspended_job_may_not_change_its_containers() -> None:
    # v1.37 (MutablePodResourcesForSuspendedJobs, beta): only resources may change, and the
    # refusal names spec.template.spec, as the real v1.37.2 control plane answers.
    old = stored_job(suspend=True)
    new = updated(old, lambda o: pod_spec(o)["containers"][0].update(image="other"))
    assert [e.field for e in STRATEGY.validate_update(new, old)] == ["spec.template.spec"]


def test_a_suspended_job_that_never_started_may_change_container_resources() -> None:
    old = stored_job(suspend=True)
    resources = {"requests": {"cpu": "2"}, "limits": {"cpu": "2"}}
    new = updated(old, lambda o: pod_spec(o)["containers"][0].update(resources=resources))
    assert STRATEGY.validate_update(new, old) == []


def test_a_running_job_may_not_change_container_resources() -> None:
    old = stored_job(suspend=False)
    resources = {"requests": {"cpu": "2"}, "limits": {"cpu": "2"}}
    new = updated(old, lambda o: pod_spec(o)["containers"][0].update(resources=resources))
    assert [e.field for e in STRATEGY.validate_update(new, old)] == ["spec.template"]


# --- ValidateJobUpdateStatus ---------------------------------------------------------------


def cond(ctype: str, status: str = "True") -> Obj:
    return {"type": ctype, "status": status}


def status_messages(old_status: Obj, new_status: Obj, **spec: Any) -> list[str]:
    old = stored_job(**spec)
    old["status"] = old_status
    new = copy.deepcopy(old)
    new["status"] = new_status
    STRATEGY.prepare_for_status_update(new, old)
    return [e.error() for e in STRATEGY.validate_status_update(new, old)]


START = "2026-01-01T00:00:00Z"
LATER = "2026-01-01T00:05:00Z"


@pytest.mark.parametrize(
    ("old_status", "new_status", "spec"),
    [
        pytest.param({}, {"active": 1, "startTime": START}, {}, id="starting a job"),
        pytest.param(
            {"active": 1, "startTime": START},
            {
                "succeeded": 1,
                "startTime": START,
                "completionTime": LATER,
                "conditions": [cond("SuccessCriteriaMet"), cond("Complete")],
            },
            {},
            id="completing a job",
        ),
        pytest.param(
            {"active": 1, "startTime": START},
            {
                "failed": 1,
                "startTime": START,
                "conditions": [cond("FailureTarget"), cond("Failed")],
            },
            {},
            id="failing a job",
        ),
        pytest.param(
            {"succeeded": 3},
            {"succeeded": 2},
            {"completionMode": "Indexed", "completions": 3, "parallelism": 3},
            id="an elastic Indexed job may lower its succeeded counter",
        ),
    ],
)
def test_allowed_status_updates(old_status: Obj, new_status: Obj, spec: Obj) -> None:
    assert status_messages(old_status, new_status, **spec) == []


@pytest.mark.parametrize(
    ("old_status", "new_status", "spec", "expected"),
    [
        pytest.param(
            {"failed": 2},
            {"failed": 1},
            {},
            ["status.failed: Invalid value: 1: cannot decrease the failed counter"],
            id="the failed counter never decreases",
        ),
        pytest.param(
            {"succeeded": 2},
            {"succeeded": 1},
            {},
            ["status.succeeded: Invalid value: 1: cannot decrease the succeeded counter"],
            id="the succeeded counter never decreases",
        ),
        pytest.param(
            {"active": 2},
            {"active": -1},
            {},
            ["status.active: Invalid value: -1: must be greater than or equal to 0"],
            id="a negative active count",
        ),
        pytest.param(
            {"active": 1},
            {"active": 1, "ready": 2},
            {},
            ["status.ready: Invalid value: 2: cannot set more ready pods than active"],
            id="more ready than active",
        ),
        pytest.param(
            {"startTime": START, "conditions": [cond("FailureTarget"), cond("Failed")]},
            {"startTime": START, "conditions": [cond("FailureTarget")]},
            {},
            ["status.conditions: Invalid value: cannot disable the terminal Failed=True condition"],
            id="a terminal condition stays",
        ),
        pytest.param(
            {"active": 1, "startTime": START},
            {"startTime": START, "conditions": [cond("Failed")]},
            {},
            [
                "status.conditions: Invalid value: cannot set Failed=True condition without the "
                "FailureTarget=true condition"
            ],
            id="Failed needs FailureTarget",
        ),
        pytest.param(
            {"active": 1, "startTime": START},
            {"startTime": START, "conditions": [cond("SuccessCriteriaMet"), cond("Complete")]},
            {},
            ["status.completionTime: Required value: completionTime is required for Complete jobs"],
            id="Complete needs completionTime",
        ),
        pytest.param(
            {"active": 1, "startTime": LATER},
            {
                "succeeded": 1,
                "startTime": LATER,
                "completionTime": START,
                "conditions": [cond("SuccessCriteriaMet"), cond("Complete")],
            },
            {},
            [
                'status.completionTime: Invalid value: "2026-01-01T00:00:00Z": completionTime '
                "cannot be set before startTime"
            ],
            id="completion before start",
        ),
        pytest.param(
            {"active": 1},
            {"conditions": [cond("FailureTarget"), cond("Failed")]},
            {},
            ["status.startTime: Required value: startTime is required for finished job"],
            id="a finished job needs startTime",
        ),
        pytest.param(
            {"active": 1, "startTime": START},
            {
                "active": 1,
                "startTime": START,
                "conditions": [cond("FailureTarget"), cond("Failed")],
            },
            {},
            ["status.active: Invalid value: 1: active>0 is invalid for finished job"],
            id="a finished job has no active pods",
        ),
        pytest.param(
            {},
            {"completedIndexes": "0"},
            {},
            [
                'status.completedIndexes: Invalid value: "0": cannot set non-empty '
                "completedIndexes when non-indexed completion mode"
            ],
            id="completedIndexes only for Indexed jobs",
        ),
        pytest.param(
            {},
            {"completedIndexes": "0-5"},
            {"completionMode": "Indexed", "completions": 3},
            [
                'status.completedIndexes: Invalid value: "0-5": error parsing completedIndexes: '
                'too large index: "5"'
            ],
            id="completedIndexes within completions",
        ),
        pytest.param(
            {},
            {"failedIndexes": "1"},
            {"completionMode": "Indexed", "completions": 3},
            [
                'status.failedIndexes: Invalid value: "1": cannot set non-null failedIndexes '
                "when backoffLimitPerIndex is null"
            ],
            id="failedIndexes need backoffLimitPerIndex",
        ),
        pytest.param(
            {},
            {"completedIndexes": "0-1", "failedIndexes": "1"},
            {"completionMode": "Indexed", "completions": 3, "backoffLimitPerIndex": 1},
            [
                'status.failedIndexes: Invalid value: "1": failedIndexes and completedIndexes '
                "overlap at index: 1"
            ],
            id="failed and completed indexes are disjoint",
        ),
        pytest.param(
            {"active": 1, "startTime": START},
            {
                "failed": 1,
                "startTime": START,
                "conditions": [cond("FailureTarget"), cond("Failed")],
                "uncountedTerminatedPods": {"failed": ["uid-2"], "succeeded": ["uid-1"]},
            },
            {},
            [
                'status.uncountedTerminatedPods: Invalid value: {"succeeded":["uid-1"],'
                '"failed":["uid-2"]}: uncountedTerminatedPods needs to be empty for finished job'
            ],
            id="a finished job has no uncounted pods",
        ),
        pytest.param(
            {},
            {"uncountedTerminatedPods": {"succeeded": ["a"], "failed": ["a", ""]}},
            {},
            [
                'status.uncountedTerminatedPods.failed[0]: Duplicate value: "a"',
                'status.uncountedTerminatedPods.failed[1]: Invalid value: "": must not be empty',
            ],
            id="uncounted pods are unique and non-empty",
        ),
        pytest.param(
            {"startTime": START},
            {},
            {},
            ["status.startTime: Required value: startTime cannot be removed for unsuspended job"],
            id="startTime stays while running",
        ),
    ],
)
def test_rejected_status_updates(
    old_status: Obj, new_status: Obj, spec: Obj, expected: list[str]
) -> None:
    assert status_messages(old_status, new_status, **spec) == expected
