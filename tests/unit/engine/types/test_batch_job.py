"""Job defaulting, selector generation and create validation, as kube-apiserver v1.37.

Cases follow pkg/apis/batch/v1/defaults_test.go (TestSetDefaultJob),
pkg/registry/batch/job/strategy_test.go (TestJobStrategy_PrepareForCreate, generated
selector) and pkg/apis/batch/validation/validation_test.go (TestValidateJob); messages are
validation.go's.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.batch import (
    MAX_INT32,
    JobStrategy,
    default_job,
    validate_indexes_format,
)
from mlkube.engine.types.strategy import strategy_for

UID = "1a2b3c"
STRATEGY = JobStrategy()


class JobBuilder:
    """A batch/v1 Job as a client would send it (OnFailure, one container)."""

    def __init__(self, name: str = "myjob") -> None:
        self._o: dict[str, Any] = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "namespace": "default", "uid": UID},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [{"name": "abc", "image": "image"}],
                    }
                }
            },
        }

    @property
    def spec(self) -> dict[str, Any]:
        return self._o["spec"]

    def set(self, **fields: Any) -> JobBuilder:
        self.spec.update(fields)
        return self

    def restart_policy(self, policy: str) -> JobBuilder:
        self.spec["template"]["spec"]["restartPolicy"] = policy
        return self

    def indexed(self, completions: int | None, parallelism: int | None = None) -> JobBuilder:
        self.spec["completionMode"] = "Indexed"
        if completions is not None:
            self.spec["completions"] = completions
        if parallelism is not None:
            self.spec["parallelism"] = parallelism
        return self

    def pod_failure_policy(self, *rules: dict[str, Any]) -> JobBuilder:
        self.spec["podFailurePolicy"] = {"rules": list(rules)}
        return self.restart_policy("Never")

    def success_policy(self, *rules: dict[str, Any]) -> JobBuilder:
        self.spec["successPolicy"] = {"rules": list(rules)}
        return self

    def template_labels(self, **labels: str) -> JobBuilder:
        self.spec["template"].setdefault("metadata", {})["labels"] = dict(labels)
        return self

    def manual_selector(self, **match_labels: str) -> JobBuilder:
        self.spec["manualSelector"] = True
        self.spec["selector"] = {"matchLabels": dict(match_labels)}
        return self

    def without_uid(self) -> JobBuilder:
        del self._o["metadata"]["uid"]
        return self

    def obj(self) -> dict[str, Any]:
        return copy.deepcopy(self._o)

    def created(self) -> dict[str, Any]:
        """Defaulted and prepared as the store does before validation."""
        o = self.obj()
        STRATEGY.default(o)
        STRATEGY.prepare_for_create(o)
        return o


def job(name: str = "myjob") -> JobBuilder:
    return JobBuilder(name)


def messages(o: dict[str, Any]) -> list[str]:
    return [e.error() for e in STRATEGY.validate(o)]


def exit_codes(operator: str, *values: int, **extra: Any) -> dict[str, Any]:
    return {"action": "FailJob", "onExitCodes": {"operator": operator, "values": list(values)}} | (
        extra
    )


# --- registration ------------------------------------------------------------------------


def test_job_and_cron_job_are_registered_with_status_and_generation() -> None:
    for kind in ("Job", "CronJob"):
        s = strategy_for("batch/v1", kind)
        assert (s.kind, s.has_status, s.has_generation) == (kind, True, True)


# --- defaults (pkg/apis/batch/v1/defaults_test.go) ---------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            {},
            {"completions": 1, "parallelism": 1, "backoffLimit": 6},
            id="a job without completions and parallelism runs one pod once",
        ),
        pytest.param(
            {"completions": 3},
            {"completions": 3, "parallelism": 1, "backoffLimit": 6},
            id="completions alone default parallelism to 1",
        ),
        pytest.param(
            {"parallelism": 4},
            {"completions": None, "parallelism": 4, "backoffLimit": 6},
            id="parallelism alone leaves completions unset (a work queue)",
        ),
        pytest.param(
            {"completionMode": "Indexed", "completions": 4, "backoffLimitPerIndex": 2},
            {"completions": 4, "parallelism": 1, "backoffLimit": MAX_INT32},
            id="backoffLimitPerIndex defaults backoffLimit to MaxInt32",
        ),
        pytest.param(
            {"backoffLimit": 0, "parallelism": 0, "completions": 0},
            {"completions": 0, "parallelism": 0, "backoffLimit": 0},
            id="explicit zeros are kept",
        ),
    ],
)
def test_job_counter_defaults(given: dict[str, Any], expected: dict[str, Any]) -> None:
    o = job().set(**given).obj()
    default_job(o)
    assert {k: o["spec"].get(k) for k in expected} == expected


def test_job_enum_and_flag_defaults() -> None:
    o = job().obj()
    default_job(o)
    spec = o["spec"]
    assert (
        spec["completionMode"],
        spec["suspend"],
        spec["podReplacementPolicy"],
        spec["manualSelector"],
    ) == ("NonIndexed", False, "TerminatingOrFailed", False)


def test_pod_failure_policy_defaults_replacement_to_failed_and_condition_status_to_true() -> None:
    o = (
        job()
        .pod_failure_policy({"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]})
        .obj()
    )
    default_job(o)
    assert o["spec"]["podReplacementPolicy"] == "Failed"
    assert o["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"] == [
        {"type": "DisruptionTarget", "status": "True"}
    ]


@pytest.mark.parametrize(
    ("job_labels", "expected"),
    [
        pytest.param(None, {"app": "x"}, id="a job without labels takes its template's labels"),
        pytest.param({"team": "a"}, {"team": "a"}, id="a job's own labels are kept"),
    ],
)
def test_job_labels_default_from_template(
    job_labels: dict[str, str] | None, expected: dict[str, str]
) -> None:
    o = job().template_labels(app="x").obj()
    if job_labels is not None:
        o["metadata"]["labels"] = job_labels
    default_job(o)
    assert o["metadata"]["labels"] == expected


def test_defaulting_fills_the_pod_template() -> None:
    o = job().obj()
    default_job(o)
    assert o["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


# --- PrepareForCreate (pkg/registry/batch/job/strategy_test.go) ---------------------------


def test_prepare_for_create_generates_the_selector_and_template_labels() -> None:
    o = job().created()
    expected = {
        "batch.kubernetes.io/controller-uid": UID,
        "controller-uid": UID,
        "batch.kubernetes.io/job-name": "myjob",
        "job-name": "myjob",
    }
    assert o["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}}
    assert o["spec"]["template"]["metadata"]["labels"] == expected
    assert o["metadata"]["labels"] == expected  # as read back after the storage round trip


def test_prepare_for_create_resets_status_and_sets_generation_one() -> None:
    o = job().set().obj()
    o["status"] = {"active": 3}
    o["metadata"]["generation"] = 7
    STRATEGY.default(o)
    STRATEGY.prepare_for_create(o)
    assert (o["status"], o["metadata"]["generation"]) == ({}, 1)


def test_manual_selector_is_left_alone() -> None:
    o = job().manual_selector(a="b").template_labels(a="b").created()
    assert o["spec"]["selector"] == {"matchLabels": {"a": "b"}}
    assert o["spec"]["template"]["metadata"]["labels"] == {"a": "b"}


def test_user_template_label_is_kept_and_then_rejected() -> None:
    o = job().template_labels(**{"controller-uid": "other"}).created()
    assert o["spec"]["template"]["metadata"]["labels"]["controller-uid"] == "other"
    assert messages(o) == [
        "spec.template.metadata.labels[controller-uid]: Invalid value: "
        '{"batch.kubernetes.io/controller-uid":"1a2b3c","batch.kubernetes.io/job-name":"myjob",'
        '"controller-uid":"other","job-name":"myjob"}: must be \'1a2b3c\''
    ]


def test_a_job_without_uid_is_rejected() -> None:
    o = job().without_uid().created()
    assert "metadata.uid: Required value" in messages(o)


# --- ValidateJob (validation_test.go TestValidateJob) ------------------------------------


@pytest.mark.parametrize(
    "builder",
    [
        pytest.param(job(), id="a plain OnFailure job is valid"),
        pytest.param(job().restart_policy("Never"), id="a Never job is valid"),
        pytest.param(job().indexed(5, 2), id="an indexed job is valid"),
        pytest.param(
            job().indexed(10).set(backoffLimitPerIndex=1, maxFailedIndexes=5),
            id="backoff limit per index with max failed indexes is valid",
        ),
        pytest.param(
            job()
            .indexed(10)
            .set(backoffLimitPerIndex=1)
            .pod_failure_policy(
                {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1, 2, 3]}},
                {
                    "action": "Ignore",
                    "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
                },
            ),
            id="FailIndex with backoffLimitPerIndex is valid",
        ),
        pytest.param(
            job().pod_failure_policy(exit_codes("NotIn", 0, 1, 5)),
            id="NotIn may list exit code 0",
        ),
        pytest.param(
            job()
            .indexed(10)
            .success_policy({"succeededIndexes": "0-3,5,7-9", "succeededCount": 8}),
            id="a success policy over listed indexes is valid",
        ),
        pytest.param(
            job().manual_selector(app="x").template_labels(app="x"),
            id="a manual selector matching the template is valid",
        ),
        pytest.param(
            job().set(managedBy="example.com/foo"), id="a domain-prefixed managedBy is valid"
        ),
        pytest.param(
            job().set(ttlSecondsAfterFinished=0, activeDeadlineSeconds=10),
            id="ttl zero and a deadline are valid",
        ),
    ],
)
def test_valid_jobs(builder: JobBuilder) -> None:
    assert messages(builder.created()) == []


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        pytest.param(
            job().set(parallelism=-1),
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
            id="negative parallelism",
        ),
        pytest.param(
            job().set(completions=-1),
            "spec.completions: Invalid value: -1: must be greater than or equal to 0",
            id="negative completions",
        ),
        pytest.param(
            job().set(activeDeadlineSeconds=-1),
            "spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
            id="negative activeDeadlineSeconds",
        ),
        pytest.param(
            job().set(backoffLimit=-1),
            "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
            id="negative backoffLimit",
        ),
        pytest.param(
            job().set(ttlSecondsAfterFinished=-2),
            "spec.ttlSecondsAfterFinished: Invalid value: -2: must be greater than or equal to 0",
            id="negative ttlSecondsAfterFinished",
        ),
        pytest.param(
            job().restart_policy("Always"),
            'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
            id="restartPolicy Always is refused as if unset",
        ),
        pytest.param(
            job().indexed(None, 2),
            "spec.completions: Required value: when completion mode is Indexed",
            id="indexed needs completions",
        ),
        pytest.param(
            job().set(completionMode="Foo"),
            'spec.completionMode: Unsupported value: "Foo": supported values: '
            '"NonIndexed", "Indexed"',
            id="an unknown completion mode",
        ),
        pytest.param(
            job().indexed(2, 100_001),
            "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 "
            "when completion mode is Indexed",
            id="indexed parallelism above 100000",
        ),
        pytest.param(
            job().set(backoffLimitPerIndex=1),
            "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
            id="backoffLimitPerIndex on a NonIndexed job",
        ),
        pytest.param(
            job().indexed(10).set(maxFailedIndexes=5),
            "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
            id="maxFailedIndexes without backoffLimitPerIndex",
        ),
        pytest.param(
            job().indexed(10).set(backoffLimitPerIndex=1, maxFailedIndexes=11),
            "spec.maxFailedIndexes: Invalid value: 11: must be less than or equal to completions",
            id="maxFailedIndexes above completions",
        ),
        pytest.param(
            job().indexed(200_000, 10).set(backoffLimitPerIndex=1),
            "spec.maxFailedIndexes: Required value: must be specified when completions is "
            "above 100000",
            id="maxFailedIndexes required above the completions soft limit",
        ),
        pytest.param(
            job().indexed(200_000, 10_001).set(backoffLimitPerIndex=1, maxFailedIndexes=1),
            "spec.parallelism: Invalid value: 10001: must be less than or equal to 10000 when "
            "completions are above 100000 and used with backoff limit per index",
            id="parallelism capped above the completions soft limit",
        ),
        pytest.param(
            job("a" * 60).indexed(1000),
            "metadata.name: Invalid value: "
            f'"{"a" * 60}": will not able to create pod with invalid DNS label: {"a" * 60}-999',
            id="indexed pod hostnames must be DNS labels",
        ),
        pytest.param(
            job().set(managedBy="no-slash"),
            'spec.managedBy: Invalid value: "no-slash": must be a domain-prefixed path '
            '(such as "acme.io/foo")',
            id="managedBy must be domain-prefixed",
        ),
        pytest.param(
            job().set(managedBy="example.com/" + "a" * 60),
            "spec.managedBy: Too long: may not be more than 63 bytes",
            id="managedBy at most 63 characters",
        ),
        pytest.param(
            job().set(podReplacementPolicy="Never"),
            'spec.podReplacementPolicy: Unsupported value: "Never": supported values: '
            '"Failed", "TerminatingOrFailed"',
            id="an unknown pod replacement policy",
        ),
        pytest.param(
            job().success_policy({"succeededCount": 1}),
            'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: '
            "requires indexed completion mode",
            id="a success policy needs an Indexed job",
        ),
    ],
)
def test_invalid_job_spec(builder: JobBuilder, expected: str) -> None:
    assert messages(builder.created()) == [expected]


def test_an_unknown_restart_policy_is_not_supported() -> None:
    o = job().created()
    o["spec"]["template"]["spec"]["restartPolicy"] = "Sometimes"
    assert (
        'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
        '"OnFailure", "Never"'
    ) in messages(o)


def test_manual_selector_must_match_template_labels() -> None:
    o = job().manual_selector(app="x").template_labels(app="y").created()
    assert messages(o) == [
        'spec.template.metadata.labels: Invalid value: {"app":"y"}: '
        "`selector` does not match template `labels`"
    ]


def test_manual_selector_without_selector_is_required_and_matches_nothing() -> None:
    o = job().template_labels(app="y").set(manualSelector=True).created()
    assert messages(o) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: {"app":"y"}: '
        "`selector` does not match template `labels`",
    ]


def test_a_generated_selector_must_select_the_generated_labels() -> None:
    o = job().created()
    o["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] = "other"
    assert messages(o) == [
        'spec.selector: Invalid value: {"matchLabels":'
        '{"batch.kubernetes.io/controller-uid":"other"}}: `selector` not auto-generated',
        'spec.template.metadata.labels: Invalid value: {"batch.kubernetes.io/controller-uid":'
        '"1a2b3c","batch.kubernetes.io/job-name":"myjob","controller-uid":"1a2b3c",'
        '"job-name":"myjob"}: `selector` does not match template `labels`',
    ]


# --- podFailurePolicy (validation_test.go TestValidateJob, podFailurePolicy cases) -------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(
            exit_codes("In", 0, 1),
            "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: "
            "must not be 0 for the In operator",
            id="exit code 0 with In",
        ),
        pytest.param(
            exit_codes("In", 1, 1),
            "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 1",
            id="duplicate exit codes",
        ),
        pytest.param(
            exit_codes("In", 3, 2),
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [3,2]: "
            "must be ordered",
            id="unordered exit codes",
        ),
        pytest.param(
            exit_codes("In"),
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []: "
            "at least one value is required",
            id="no exit codes",
        ),
        pytest.param(
            exit_codes("In", *range(1, 257)),
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: "
            "must have at most 255 items",
            id="more than 255 exit codes",
        ),
        pytest.param(
            exit_codes("", 1),
            "spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: "
            '["In" "NotIn"]',
            id="missing operator",
        ),
        pytest.param(
            exit_codes("Gt", 1),
            'spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Gt": '
            'supported values: "In", "NotIn"',
            id="unknown operator",
        ),
        pytest.param(
            {"action": "", "onExitCodes": {"operator": "In", "values": [1]}},
            "spec.podFailurePolicy.rules[0].action: Required value: valid values: "
            '["Count" "FailIndex" "FailJob" "Ignore"]',
            id="missing action",
        ),
        pytest.param(
            {"action": "Restart", "onExitCodes": {"operator": "In", "values": [1]}},
            'spec.podFailurePolicy.rules[0].action: Unsupported value: "Restart": '
            'supported values: "Count", "FailIndex", "FailJob", "Ignore"',
            id="unknown action",
        ),
        pytest.param(
            {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}},
            'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": '
            "requires the backoffLimitPerIndex to be set",
            id="FailIndex without backoffLimitPerIndex",
        ),
        pytest.param(
            {"action": "Ignore"},
            "spec.podFailurePolicy.rules[0]: Invalid value: "
            "specifying one of OnExitCodes and OnPodConditions is required",
            id="a rule with no requirement",
        ),
        pytest.param(
            {
                "action": "Ignore",
                "onExitCodes": {"operator": "In", "values": [1]},
                "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
            },
            "spec.podFailurePolicy.rules[0]: Invalid value: "
            "specifying both OnExitCodes and OnPodConditions is not supported",
            id="a rule with both requirements",
        ),
        pytest.param(
            {"action": "Ignore", "onPodConditions": [{"type": "Ready", "status": "Maybe"}]},
            "spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "
            '"Maybe": supported values: "False", "True", "Unknown"',
            id="an unknown condition status",
        ),
        pytest.param(
            {"action": "Ignore", "onPodConditions": [{"type": "Bad Type", "status": "True"}]},
            'spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: "Bad Type": '
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            id="a condition type that is not a qualified name",
        ),
    ],
)
def test_invalid_pod_failure_policy_rule(rule: dict[str, Any], expected: str) -> None:
    o = job().pod_failure_policy(rule).created()
    assert messages(o) == [expected]


def test_on_exit_codes_container_name_must_be_in_the_template() -> None:
    rule = {
        "action": "FailJob",
        "onExitCodes": {"containerName": "nope", "operator": "In", "values": [1]},
    }
    o = job().pod_failure_policy(rule).created()
    assert messages(o) == [
        'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": '
        "must be one of the container or initContainer names in the pod template"
    ]


def test_pod_failure_policy_requires_restart_policy_never() -> None:
    o = job().pod_failure_policy(exit_codes("In", 1)).restart_policy("OnFailure").created()
    assert messages(o) == [
        'spec.template.spec.restartPolicy: Invalid value: "OnFailure": '
        'only "Never" is supported when podFailurePolicy is specified'
    ]


def test_pod_failure_policy_allows_only_failed_replacement() -> None:
    o = (
        job()
        .pod_failure_policy(exit_codes("In", 1))
        .set(podReplacementPolicy="TerminatingOrFailed")
        .created()
    )
    assert messages(o) == [
        'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": '
        'supported values: "Failed"'
    ]


def test_at_most_20_pod_failure_policy_rules() -> None:
    o = job().pod_failure_policy(*[exit_codes("In", 1)] * 21).created()
    assert messages(o) == ["spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items"]


# --- successPolicy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(
            {},
            "spec.successPolicy.rules[0]: Required value: at least one of succeededCount or "
            "succeededIndexes must be specified",
            id="an empty rule",
        ),
        pytest.param(
            {"succeededIndexes": "0-2,1"},
            'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0-2,1": error '
            "parsing succeededIndexes: non-increasing order, previous: 2, current: 1",
            id="overlapping intervals",
        ),
        pytest.param(
            {"succeededIndexes": "0-10"},
            'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0-10": error '
            'parsing succeededIndexes: too large index: "10"',
            id="an index beyond completions",
        ),
        pytest.param(
            {"succeededIndexes": "a"},
            'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "a": error parsing '
            'succeededIndexes: cannot convert string to integer for index: "a"',
            id="a non-numeric index",
        ),
        pytest.param(
            {"succeededCount": 11},
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 11: must be less than "
            "or equal to 10 (the number of specified completions)",
            id="a count beyond completions",
        ),
        pytest.param(
            {"succeededIndexes": "1-3", "succeededCount": 4},
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 4: must be less than "
            "or equal to 3 (the number of indexes in the specified succeededIndexes field)",
            id="a count beyond the listed indexes",
        ),
        pytest.param(
            {"succeededCount": -1},
            "spec.successPolicy.rules[0].succeededCount: Invalid value: -1: "
            "must be greater than or equal to 0",
            id="a negative count",
        ),
    ],
)
def test_invalid_success_policy_rule(rule: dict[str, Any], expected: str) -> None:
    o = job().indexed(10).success_policy(rule).created()
    assert messages(o) == [expected]


def test_success_policy_needs_a_rule() -> None:
    o = job().indexed(10).success_policy().created()
    assert messages(o) == [
        "spec.successPolicy.rules: Required value: at least one rules must be specified when "
        "the successPolicy is specified"
    ]


@pytest.mark.parametrize(
    ("indexes", "completions", "total"),
    [
        pytest.param("", 5, 0, id="no indexes"),
        pytest.param("0,2-4", 5, 4, id="a single index and an interval"),
        pytest.param("1,3-5,7", 8, 5, id="the status example from types.go"),
    ],
)
def test_indexes_format_counts_indexes(indexes: str, completions: int, total: int) -> None:
    assert validate_indexes_format(indexes, completions) == total


@pytest.mark.parametrize(
    ("indexes", "message"),
    [
        pytest.param(
            "1-2-3",
            'the fragment "1-2-3" violates the requirement that an index interval can have '
            "at most two parts separated by '-'",
            id="three parts",
        ),
        pytest.param("3-1", "non-increasing order, previous: 3, current: 1", id="a reversed range"),
        pytest.param("2,2", "non-increasing order, previous: 2, current: 2", id="a repeat"),
    ],
)
def test_indexes_format_errors(indexes: str, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        validate_indexes_format(indexes, 10)
    assert str(excinfo.value) == message


# --- warnings (strategy.go WarningsOnCreate) ----------------------------------------------


def test_a_job_name_that_is_not_a_dns_label_warns() -> None:
    o = job("my.job").created()
    assert STRATEGY.warnings(o) == [
        "metadata.name: this is used in Pod names and hostnames, which can result in surprising "
        "behavior; a DNS label is recommended: [must not contain dots]"
    ]
