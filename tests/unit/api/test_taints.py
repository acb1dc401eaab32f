"""Taints and tolerations, as Kubernetes v1.37 matches them.

Cases come from staging/src/k8s.io/api/core/v1/toleration_test.go (TestTolerationToleratesTaint),
pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go (k8s-semantics.md
§10.1/§10.2), pkg/controller/tainteviction/taint_eviction_test.go (getMinTolerationTime) and
staging/src/k8s.io/kubectl/pkg/cmd/taint/taint_test.go, each named at its table.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.api.taints import (
    ERR_REASON_UNTOLERATED,
    SCHEDULER_FILTER_EFFECTS,
    TaintSpec,
    TaintSpecError,
    count_intolerable_prefer_no_schedule,
    find_untolerated_taint,
    min_toleration_seconds,
    parse_taint_spec,
    parse_taint_specs,
    taint_string,
    tolerates,
    tolerations_tolerate_taint,
)


def taint(key: str, value: str = "", effect: str = "NoSchedule") -> dict[str, Any]:
    made: dict[str, Any] = {"key": key, "effect": effect}
    if value:
        made["value"] = value
    return made


def toleration(
    key: str = "",
    operator: str = "",
    value: str = "",
    effect: str = "",
    seconds: int | None = None,
) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for field, given in (
        ("key", key),
        ("operator", operator),
        ("value", value),
        ("effect", effect),
    ):
        if given:
            made[field] = given
    if seconds is not None:
        made["tolerationSeconds"] = seconds
    return made


# toleration_test.go TestTolerationToleratesTaint, plus the gate-off rule (rule 5).
@pytest.mark.parametrize(
    ("tol", "tnt", "expected"),
    [
        pytest.param(
            toleration("foo", "Exists", effect="NoSchedule"),
            taint("foo"),
            True,
            id="Exists with the same key and effect tolerates a taint without a value",
        ),
        pytest.param(
            toleration("foo", "Exists", effect="NoSchedule"),
            taint("foo", "bar"),
            True,
            id="Exists with the same key and effect tolerates any taint value",
        ),
        pytest.param(
            toleration("", "Exists", effect="NoSchedule"),
            taint("foo", "bar"),
            True,
            id="an empty key with Exists tolerates every key",
        ),
        pytest.param(
            toleration("foo", "Equal", "bar", "NoSchedule"),
            taint("foo", "bar"),
            True,
            id="Equal with the same key, value and effect tolerates",
        ),
        pytest.param(
            toleration("foo", "Equal", "value1", "NoSchedule"),
            taint("foo", "value2"),
            False,
            id="Equal with a different value does not tolerate",
        ),
        pytest.param(
            toleration("foo", "Equal", "bar", "NoSchedule"),
            taint("foo", "bar", "NoExecute"),
            False,
            id="a different effect does not tolerate",
        ),
        pytest.param(
            toleration("foo", value="bar", effect="NoSchedule"),
            taint("foo", "bar"),
            True,
            id="an empty operator means Equal",
        ),
        pytest.param(
            toleration("foo", value="bar"),
            taint("foo", "bar", "NoExecute"),
            True,
            id="an empty effect tolerates every effect",
        ),
        pytest.param(
            toleration("foo", "Equal", effect="NoSchedule"),
            taint("foo"),
            True,
            id="Equal with no value tolerates a taint with no value",
        ),
        pytest.param(
            toleration("other", "Exists"),
            taint("foo", "bar"),
            False,
            id="a different key does not tolerate even with Exists",
        ),
        pytest.param(
            toleration("foo", "Matches", "bar"),
            taint("foo", "bar"),
            False,
            id="an unknown operator tolerates nothing",
        ),
        pytest.param(
            toleration("node.kubernetes.io/sla", "Gt", "750", "NoSchedule"),
            taint("node.kubernetes.io/sla", "950"),
            False,
            id="Gt tolerates nothing while the comparison-operators gate is off (the default)",
        ),
        pytest.param(
            toleration("node.kubernetes.io/sla", "Lt", "950", "NoSchedule"),
            taint("node.kubernetes.io/sla", "800"),
            False,
            id="Lt tolerates nothing while the comparison-operators gate is off (the default)",
        ),
    ],
)
def test_tolerates(tol: dict[str, Any], tnt: dict[str, Any], expected: bool) -> None:
    assert tolerates(tol, tnt) is expected


# toleration_test.go TestTolerationToleratesTaint, Lt/Gt cases (gate on).
@pytest.mark.parametrize(
    ("operator", "tolerated_value", "taint_value", "expected"),
    [
        pytest.param(
            "Gt", "950", "800", False, id="Gt with a smaller taint value does not tolerate"
        ),
        pytest.param("Gt", "750", "950", True, id="Gt with a larger taint value tolerates"),
        pytest.param(
            "Lt", "800", "950", False, id="Lt with a larger taint value does not tolerate"
        ),
        pytest.param("Lt", "950", "800", True, id="Lt with a smaller taint value tolerates"),
        pytest.param(
            "Gt", "950", "950", False, id="Gt is strict: an equal value does not tolerate"
        ),
        pytest.param(
            "Gt", "950", "high", False, id="Gt with a non-numeric taint value does not tolerate"
        ),
        pytest.param("Gt", "-100", "-200", False, id="Gt compares negative numbers as numbers"),
        pytest.param(
            "Gt", "9223372036854775806", "100", False, id="Gt handles values near the int64 limit"
        ),
        pytest.param("Lt", "0950", "800", False, id="a leading zero is not a canonical integer"),
        pytest.param("Lt", "+950", "800", False, id="a plus sign is not a canonical integer"),
        pytest.param(
            "Gt", "1", "9223372036854775808", False, id="a taint value beyond int64 does not parse"
        ),
    ],
)
def test_comparison_operators_when_the_gate_is_on(
    operator: str, tolerated_value: str, taint_value: str, expected: bool
) -> None:
    tol = toleration("node.kubernetes.io/sla", operator, tolerated_value, "NoSchedule")
    tnt = taint("node.kubernetes.io/sla", taint_value)
    assert tolerates(tol, tnt, enable_comparison_operators=True) is expected


def test_any_one_of_the_tolerations_is_enough() -> None:
    tols = [toleration("a", "Exists"), toleration("dedicated", value="gpu")]
    assert tolerations_tolerate_taint(tols, taint("dedicated", "gpu"))
    assert not tolerations_tolerate_taint(tols, taint("dedicated", "cpu"))
    assert not tolerations_tolerate_taint(None, taint("dedicated", "gpu"))


# taint_toleration_test.go TestTaintTolerationFilter (k8s-semantics.md §10.1, cases 1-7).
@pytest.mark.parametrize(
    ("tols", "taints", "expected"),
    [
        pytest.param(
            [],
            [taint("dedicated", "user1")],
            taint("dedicated", "user1"),
            id="a pod without tolerations stays off a node tainted dedicated=user1:NoSchedule",
        ),
        pytest.param(
            [toleration("dedicated", value="user1", effect="NoSchedule")],
            [taint("dedicated", "user1")],
            None,
            id="a pod tolerating dedicated=user1:NoSchedule may land there",
        ),
        pytest.param(
            [toleration("dedicated", "Equal", "user2", "NoSchedule")],
            [taint("dedicated", "user1")],
            taint("dedicated", "user1"),
            id="a toleration for another value does not let the pod in",
        ),
        pytest.param(
            [toleration("foo", "Exists", effect="NoSchedule")],
            [taint("foo", "bar")],
            None,
            id="an Exists toleration lets the pod onto foo=bar:NoSchedule",
        ),
        pytest.param(
            [toleration("foo", "Equal", "bar", "PreferNoSchedule")],
            [taint("foo", "bar")],
            taint("foo", "bar"),
            id="a PreferNoSchedule toleration does not cover a NoSchedule taint",
        ),
        pytest.param(
            [toleration("foo", "Equal", "bar")],
            [taint("foo", "bar")],
            None,
            id="a toleration with an empty effect covers a NoSchedule taint",
        ),
        pytest.param(
            [],
            [taint("foo", "bar", "PreferNoSchedule")],
            None,
            id="the filter ignores PreferNoSchedule taints",
        ),
        pytest.param(
            [toleration("a", "Exists")],
            [taint("a"), taint("b", effect="NoExecute"), taint("c")],
            taint("b", effect="NoExecute"),
            id="the first untolerated NoSchedule or NoExecute taint is the one reported",
        ),
    ],
)
def test_the_scheduler_filter_finds_the_untolerated_taint(
    tols: list[dict[str, Any]], taints: list[dict[str, Any]], expected: dict[str, Any] | None
) -> None:
    assert find_untolerated_taint(taints, tols, SCHEDULER_FILTER_EFFECTS) == expected


def test_without_an_effect_filter_every_taint_counts() -> None:
    prefer = taint("foo", "bar", "PreferNoSchedule")
    assert find_untolerated_taint([prefer], [], None) == prefer


# component-helpers helpers.go FindMatchingUntoleratedTaint: prefer a clean miss to a parse error.
def test_a_clean_miss_is_reported_before_a_comparison_that_did_not_parse() -> None:
    unparsable = taint("sla", "high")
    missed = taint("zone", "b")
    tols = [toleration("sla", "Gt", "100"), toleration("zone", value="a")]
    found = find_untolerated_taint(
        [unparsable, missed], tols, SCHEDULER_FILTER_EFFECTS, enable_comparison_operators=True
    )
    assert found == missed


def test_a_comparison_that_did_not_parse_still_keeps_the_pod_off() -> None:
    unparsable = taint("sla", "high")
    found = find_untolerated_taint(
        [unparsable], [toleration("sla", "Gt", "100")], None, enable_comparison_operators=True
    )
    assert found == unparsable


def test_finding_a_taint_returns_a_copy_and_leaves_the_inputs_alone() -> None:
    taints = [taint("dedicated", "user1")]
    before = copy.deepcopy(taints)
    found = find_untolerated_taint(taints, [], SCHEDULER_FILTER_EFFECTS)
    assert found == taints[0]
    assert found is not taints[0]
    assert taints == before


def test_the_filter_reason_is_the_v1_35_and_later_wording() -> None:
    assert ERR_REASON_UNTOLERATED == "node(s) had untolerated taint(s)"


# taint_toleration_test.go TestTaintTolerationScore (k8s-semantics.md §10.2, cases 8-10).
@pytest.mark.parametrize(
    ("tols", "taints", "expected"),
    [
        pytest.param(
            [toleration("foo", "Equal", "bar", "PreferNoSchedule")],
            [taint("foo", "bar", "PreferNoSchedule")],
            0,
            id="a tolerated PreferNoSchedule taint costs nothing",
        ),
        pytest.param(
            [toleration("foo", "Equal", "bar", "PreferNoSchedule")],
            [taint("foo", "blah", "PreferNoSchedule")],
            1,
            id="a PreferNoSchedule taint with another value counts once",
        ),
        pytest.param(
            [toleration("foo", "Equal", "bar", "PreferNoSchedule")],
            [
                taint("cpu-type", "arm64", "PreferNoSchedule"),
                taint("disk-type", "ssd", "PreferNoSchedule"),
            ],
            2,
            id="each untolerated PreferNoSchedule taint counts",
        ),
        pytest.param(
            [],
            [taint("cpu-type", "arm64", "NoSchedule")],
            0,
            id="scoring ignores NoSchedule taints",
        ),
        pytest.param(
            [toleration("foo", "Equal", "bar", "NoSchedule")],
            [taint("foo", "bar", "PreferNoSchedule")],
            1,
            id="a NoSchedule toleration does not soften a PreferNoSchedule taint",
        ),
        pytest.param(
            [toleration("", "Exists")],
            [taint("foo", "bar", "PreferNoSchedule")],
            0,
            id="a tolerate-everything toleration covers PreferNoSchedule too",
        ),
    ],
)
def test_scoring_counts_intolerable_prefer_no_schedule_taints(
    tols: list[dict[str, Any]], taints: list[dict[str, Any]], expected: int
) -> None:
    assert count_intolerable_prefer_no_schedule(taints, tols) == expected


# tainteviction getMinTolerationTime / processPodOnNode; k8s-semantics.md §7.1.
@pytest.mark.parametrize(
    ("tols", "taints", "expected"),
    [
        pytest.param(
            [],
            [taint("dedicated", "user1")],
            None,
            id="a node without NoExecute taints never evicts",
        ),
        pytest.param(
            [],
            [taint("node.kubernetes.io/unreachable", effect="NoExecute")],
            0,
            id="an untolerated NoExecute taint evicts now",
        ),
        pytest.param(
            [toleration("node.kubernetes.io/unreachable", "Exists", effect="NoExecute")],
            [taint("node.kubernetes.io/unreachable", effect="NoExecute")],
            None,
            id="a toleration without tolerationSeconds tolerates forever",
        ),
        pytest.param(
            [
                toleration(
                    "node.kubernetes.io/unreachable", "Exists", effect="NoExecute", seconds=300
                )
            ],
            [taint("node.kubernetes.io/unreachable", effect="NoExecute")],
            300,
            id="the default 300 second toleration evicts after 300 seconds",
        ),
        pytest.param(
            [
                toleration("a", "Exists", effect="NoExecute", seconds=300),
                toleration("b", "Exists", effect="NoExecute", seconds=60),
            ],
            [taint("a", effect="NoExecute"), taint("b", effect="NoExecute")],
            60,
            id="the shortest tolerationSeconds among the used tolerations wins",
        ),
        pytest.param(
            [toleration("a", "Exists", effect="NoExecute", seconds=-5)],
            [taint("a", effect="NoExecute")],
            0,
            id="a negative tolerationSeconds evicts now",
        ),
        pytest.param(
            [
                toleration("a", "Exists", effect="NoExecute"),
                toleration("a", "Exists", effect="NoExecute", seconds=10),
            ],
            [taint("a", effect="NoExecute")],
            None,
            id="only the first toleration that matches a taint is used",
        ),
        pytest.param(
            [toleration("a", "Exists", effect="NoExecute", seconds=10)],
            [taint("a", effect="NoExecute"), taint("b", effect="NoExecute")],
            0,
            id="one untolerated NoExecute taint evicts now whatever else is tolerated",
        ),
    ],
)
def test_min_toleration_seconds(
    tols: list[dict[str, Any]], taints: list[dict[str, Any]], expected: int | None
) -> None:
    assert min_toleration_seconds(tols, taints) == expected


# taint.go Taint.ToString.
@pytest.mark.parametrize(
    ("tnt", "expected"),
    [
        pytest.param(
            taint("dedicated", "gpu", "NoSchedule"),
            "dedicated=gpu:NoSchedule",
            id="key, value and effect",
        ),
        pytest.param(
            taint("dedicated", "", "NoExecute"), "dedicated:NoExecute", id="key and effect"
        ),
        pytest.param({"key": "dedicated", "value": "gpu"}, "dedicated=gpu:", id="key and value"),
        pytest.param({"key": "dedicated"}, "dedicated", id="key alone"),
    ],
)
def test_taint_string(tnt: dict[str, Any], expected: str) -> None:
    assert taint_string(tnt) == expected


# kubectl cmd/taint utils.go parseTaints/parseTaint (and taint_test.go).
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "nvidia.com/gpu=present:NoSchedule",
            TaintSpec({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}, False),
            id="key=value:Effect adds a taint",
        ),
        pytest.param(
            "dedicated:NoExecute",
            TaintSpec({"key": "dedicated", "effect": "NoExecute"}, False),
            id="key:Effect adds a taint without a value",
        ),
        pytest.param(
            "dedicated:NoSchedule-",
            TaintSpec({"key": "dedicated", "effect": "NoSchedule"}, True),
            id="key:Effect- removes the taint with that key and effect",
        ),
        pytest.param(
            "dedicated-",
            TaintSpec({"key": "dedicated"}, True),
            id="key- removes every taint with that key",
        ),
        pytest.param(
            "dedicated=gpu:NoSchedule-",
            TaintSpec({"key": "dedicated", "effect": "NoSchedule"}, True),
            id="a removal drops the value",
        ),
    ],
)
def test_parse_taint_spec(spec: str, expected: TaintSpec) -> None:
    assert parse_taint_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("dedicated", "invalid taint spec: dedicated", id="adding needs an effect"),
        pytest.param(
            "dedicated=gpu:Sometimes",
            "invalid taint effect: Sometimes, unsupported taint effect",
            id="an unknown effect is refused",
        ),
        pytest.param(
            "a:b:NoSchedule", "invalid taint spec: a:b:NoSchedule", id="two colons are refused"
        ),
        pytest.param(
            "a=b=c:NoSchedule",
            "invalid taint spec: a=b=c:NoSchedule",
            id="two equals signs are refused",
        ),
        pytest.param(
            "dedicated=gpu!:NoSchedule",
            "invalid taint spec: dedicated=gpu!:NoSchedule, "
            "a valid label must be an empty string or consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
            "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            id="a value that is not a label value is refused",
        ),
        pytest.param(
            "-bad:NoSchedule",
            "invalid taint spec: -bad:NoSchedule, name part must consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            "(e.g. 'MyName',  or 'my.name',  or '123-abc', "
            "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            id="a key that is not a qualified name is refused",
        ),
        pytest.param(
            "/gpu:NoSchedule",
            "invalid taint spec: /gpu:NoSchedule, prefix part must be non-empty",
            id="a key with an empty prefix is refused",
        ),
    ],
)
def test_parse_taint_spec_refuses_what_kubectl_refuses(spec: str, message: str) -> None:
    with pytest.raises(TaintSpecError) as caught:
        parse_taint_spec(spec)
    assert str(caught.value) == message


# kubectl cmd/taint utils.go parseTaints.
def test_several_specs_split_into_taints_to_add_and_to_remove() -> None:
    to_add, to_remove = parse_taint_specs(["a=1:NoSchedule", "b:NoExecute-", "a=2:NoExecute", "c-"])
    assert to_add == [
        {"key": "a", "value": "1", "effect": "NoSchedule"},
        {"key": "a", "value": "2", "effect": "NoExecute"},
    ]
    assert to_remove == [{"key": "b", "effect": "NoExecute"}, {"key": "c"}]


def test_two_added_taints_may_not_share_a_key_and_effect() -> None:
    with pytest.raises(TaintSpecError) as caught:
        parse_taint_specs(["a=1:NoSchedule", "a=2:NoSchedule"])
    assert (
        str(caught.value)
        == "duplicated taints with the same key and effect: {a 2 NoSchedule <nil>}"
    )
