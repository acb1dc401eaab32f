"""Node selectors and node affinity, as Kubernetes v1.37 matches them.

Cases come from staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/
nodeaffinity_test.go (TestNodeSelectorMatch, TestPreferredSchedulingTermsScore,
TestNodeSelectorRequirementsAsSelector, TestPodMatchesNodeSelectorAndAffinityTerms) and
pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go (k8s-semantics.md §10.4),
each named at its table.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.api.nodeaffinity import (
    NodeSelectorMatcher,
    PreferredSchedulingTerms,
    RequiredNodeAffinity,
    match_label_selector_requirement,
    node_selector_requirements_match,
    preferred_affinity_score,
    required_affinity_matches,
)

_KEY_ERROR = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def node(name: str = "", **labels: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if name:
        metadata["name"] = name
    if labels:
        metadata["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Node", "metadata": metadata}


def expr(key: str, operator: str, *values: str) -> dict[str, Any]:
    made: dict[str, Any] = {"key": key, "operator": operator}
    if values:
        made["values"] = list(values)
    return made


def term(
    expressions: list[dict[str, Any]] | None = None, fields: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    made: dict[str, Any] = {}
    if expressions is not None:
        made["matchExpressions"] = expressions
    if fields is not None:
        made["matchFields"] = fields
    return made


def name_in(*names: str) -> dict[str, Any]:
    return expr("metadata.name", "In", *names)


def pod(
    node_selector: dict[str, str] | None = None,
    required: list[dict[str, Any]] | None = None,
    preferred: list[tuple[int, dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox"}]}
    if node_selector is not None:
        spec["nodeSelector"] = node_selector
    node_affinity: dict[str, Any] = {}
    if required is not None:
        node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": required
        }
    if preferred is not None:
        node_affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": weight, "preference": preference} for weight, preference in preferred
        ]
    if node_affinity:
        spec["affinity"] = {"nodeAffinity": node_affinity}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


# nodeaffinity_test.go TestPodMatchesNodeSelectorAndAffinityTerms (+ §10.4 cases 22-24).
@pytest.mark.parametrize(
    ("the_pod", "the_node", "expected"),
    [
        pytest.param(pod(), node(), True, id="a pod without a selector fits any node"),
        pytest.param(
            pod({"foo": "bar"}), node(), False, id="a nodeSelector needs the node to have the label"
        ),
        pytest.param(
            pod({"foo": "bar"}), node(foo="bar"), True, id="a nodeSelector matches the same label"
        ),
        pytest.param(
            pod({"foo": "bar"}),
            node(foo="bar", baz="blah"),
            True,
            id="a nodeSelector matches a node with more labels",
        ),
        pytest.param(
            pod({"foo": "bar", "baz": "blah"}),
            node(foo="bar"),
            False,
            id="every nodeSelector label must be on the node",
        ),
        pytest.param(
            pod(required=[term([expr("foo", "In", "bar", "value2")])]),
            node(foo="bar"),
            True,
            id="In matches a node whose label value is in the set",
        ),
        pytest.param(
            pod(required=[term([expr("kernel-version", "Gt", "0204")])]),
            node(**{"kernel-version": "0206"}),
            True,
            id="Gt compares label values as integers, leading zeros and all",
        ),
        pytest.param(
            pod(required=[term([expr("mem-type", "NotIn", "DDR", "DDR2")])]),
            node(**{"mem-type": "DDR3"}),
            True,
            id="NotIn matches a node whose label value is outside the set",
        ),
        pytest.param(
            pod(required=[term([expr("GPU", "Exists")])]),
            node(GPU="NVIDIA-GRID-K1"),
            True,
            id="Exists matches a node that has the label",
        ),
        pytest.param(
            pod(required=[term([expr("foo", "In", "value1", "value2")])]),
            node(foo="bar"),
            False,
            id="a pod whose affinity does not match the node's labels stays off it",
        ),
        pytest.param(
            pod(required=[]),
            node(foo="bar"),
            False,
            id="an empty list of node selector terms matches no node",
        ),
        pytest.param(
            pod(required=[term([])]),
            node(foo="bar"),
            False,
            id="a term with empty matchExpressions matches no node",
        ),
        pytest.param(
            {"spec": {"affinity": {"nodeAffinity": {}}}},
            node(foo="bar"),
            True,
            id="node affinity without a required selector is no constraint",
        ),
        pytest.param(
            pod(required=[term([expr("GPU", "Exists"), expr("GPU", "NotIn", "AMD", "INTER")])]),
            node(GPU="NVIDIA-GRID-K1"),
            True,
            id="expressions within a term are ANDed and may all match",
        ),
        pytest.param(
            pod(required=[term([expr("GPU", "Exists"), expr("GPU", "In", "AMD", "INTER")])]),
            node(GPU="NVIDIA-GRID-K1"),
            False,
            id="expressions within a term are ANDed so one miss fails the term",
        ),
        pytest.param(
            pod(
                required=[
                    term([expr("foo", "In", "bar", "value2")]),
                    term([expr("diffkey", "In", "wrong", "value2")]),
                ]
            ),
            node(foo="bar"),
            True,
            id="terms are ORed so one matching term is enough",
        ),
        pytest.param(
            pod({"foo": "bar"}, required=[term([expr("foo", "Exists")])]),
            node(foo="bar"),
            True,
            id="a pod fits when both its nodeSelector and its affinity are satisfied",
        ),
        pytest.param(
            pod({"foo": "bar"}, required=[term([expr("foo", "Exists")])]),
            node(foo="barrrrrr"),
            False,
            id="a pod whose affinity matches but whose nodeSelector does not stays off the node",
        ),
        pytest.param(
            pod(required=[term([expr("foo", "NotIn", "invalid value: ___@#$%^")])]),
            node(foo="bar"),
            False,
            id="a term with an invalid value matches no node",
        ),
        pytest.param(
            pod(required=[term(fields=[name_in("node_1")])]),
            node("node_1"),
            True,
            id="matchFields metadata.name In matches the named node",
        ),
        pytest.param(
            pod(required=[term(fields=[name_in("node_1")])]),
            node("node_2"),
            False,
            id="matchFields metadata.name In does not match another node",
        ),
        pytest.param(
            pod(required=[term(fields=[name_in("node_1")]), term([expr("foo", "In", "bar")])]),
            node("node_2", foo="bar"),
            True,
            id="a second term with matching expressions rescues a failed matchFields term",
        ),
        pytest.param(
            pod(required=[term([expr("foo", "In", "bar")], [name_in("node_1")])]),
            node("node_2", foo="bar"),
            False,
            id="matchFields and matchExpressions in one term are ANDed",
        ),
        pytest.param(
            pod(required=[term([expr("foo", "In", "bar")], [name_in("node_1")])]),
            node("node_1", foo="bar"),
            True,
            id="a term matches when both its fields and its expressions match",
        ),
        pytest.param(
            pod(
                required=[
                    term(fields=[name_in("node_1")]),
                    term([expr("foo", "In", "not-match-to-bar")]),
                ]
            ),
            node("node_2", foo="bar"),
            False,
            id="a node matching neither term is refused",
        ),
        pytest.param(
            pod(required=[term(fields=[expr("metadata.name", "NotIn", "node_1")])]),
            node("node_2"),
            True,
            id="matchFields metadata.name NotIn matches any other node",
        ),
    ],
)
def test_required_node_affinity(
    the_pod: dict[str, Any], the_node: dict[str, Any], expected: bool
) -> None:
    assert required_affinity_matches(the_pod, the_node) is expected


# nodeaffinity_test.go TestNodeSelectorMatch.
def test_invalid_terms_report_their_errors_only_when_no_term_matches() -> None:
    selector = {
        "nodeSelectorTerms": [
            term(fields=[name_in("host_1", "host_2")]),
            term([expr("label_1", "In", "label_1_val")], [name_in("host_1")]),
            term([expr("invalid key", "In", "label_value")]),
        ]
    }
    matcher = NodeSelectorMatcher(selector)
    assert [e.error() for e in matcher.errors] == [
        'nodeSelectorTerms[0].matchFields[0].values: Invalid value: ["host_1","host_2"]: '
        "must have one element",
        f'nodeSelectorTerms[2].matchExpressions[0].key: Invalid value: "invalid key": {_KEY_ERROR}',
    ]
    assert matcher.match_with_error(node("host_1", label_1="label_1_val")) == (True, None)
    matched, error = matcher.match_with_error(node("host_2"))
    assert not matched
    assert error == "[" + ", ".join(e.error() for e in matcher.errors) + "]"


@pytest.mark.parametrize(
    ("selector", "the_node", "expected"),
    [
        pytest.param(
            {
                "nodeSelectorTerms": [
                    term([expr("label_1", "In", "label_1_val")], [name_in("host_1")])
                ]
            },
            node("host_1"),
            False,
            id="a node that matches the fields but not the labels is refused",
        ),
        pytest.param(
            {
                "nodeSelectorTerms": [
                    term([expr("label_1", "In", "label_1_val")], [name_in("host_1")])
                ]
            },
            node("host_1", label_1="label_1_val"),
            True,
            id="a node that matches the fields and the labels is accepted",
        ),
        pytest.param(
            {
                "nodeSelectorTerms": [
                    term([expr("label_1", "In", "label_1_val")]),
                    term(fields=[name_in("host_1")]),
                ]
            },
            node("host_1"),
            True,
            id="the second term may be the one that matches",
        ),
        pytest.param(
            {"nodeSelectorTerms": [term(fields=[name_in("host_1")])]},
            node(),
            True,
            id="matchFields are skipped for a node without a name, as upstream",
        ),
        pytest.param(
            {"nodeSelectorTerms": [term(fields=[expr("metadata.namespace", "In", "x")])]},
            node("host_1"),
            False,
            id="matchFields only know metadata.name, so another field never equals a value",
        ),
        pytest.param(
            {"nodeSelectorTerms": [term([expr("zone", "Near", "a")])]},
            node(zone="a"),
            False,
            id="a term with an unsupported operator matches no node",
        ),
    ],
)
def test_node_selector_matcher(
    selector: dict[str, Any], the_node: dict[str, Any], expected: bool
) -> None:
    assert NodeSelectorMatcher(selector).match(the_node) is expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        pytest.param(
            expr("foo", "Exists", "bar", "baz"),
            'nodeSelectorTerms[0].matchExpressions[0].values: Invalid value: ["bar","baz"]: '
            "values set must be empty for exists and does not exist",
            id="Exists with values is invalid",
        ),
        pytest.param(
            expr("foo", "In"),
            "nodeSelectorTerms[0].matchExpressions[0].values: Invalid value: null: "
            "for 'in', 'notin' operators, values set can't be empty",
            id="In with no values list is invalid and shows Go's nil slice as null",
        ),
        pytest.param(
            {"key": "foo", "operator": "In", "values": []},
            "nodeSelectorTerms[0].matchExpressions[0].values: Invalid value: []: "
            "for 'in', 'notin' operators, values set can't be empty",
            id="In with an empty values list is invalid",
        ),
        pytest.param(
            expr("foo", "Gt", "-1"),
            'nodeSelectorTerms[0].matchExpressions[0].values[0][foo]: Invalid value: "-1": '
            "a valid label must be an empty string or consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an alphanumeric character "
            "(e.g. 'MyValue',  or 'my_value',  or '12345', "
            "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            id="a negative Gt bound is not a valid label value",
        ),
        pytest.param(
            expr("foo", "Gt", "1", "2"),
            'nodeSelectorTerms[0].matchExpressions[0].values: Invalid value: ["1","2"]: '
            "for 'Gt', 'Lt' operators, exactly one value is required",
            id="Gt with two values is invalid",
        ),
        pytest.param(
            expr("foo", "Lt", "seven"),
            'nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: "seven": '
            "for 'Gt', 'Lt' operators, the value must be an integer",
            id="Lt with a non-integer value is invalid",
        ),
        pytest.param(
            expr("foo", "Near", "a"),
            'nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported value: "Near": '
            'supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
            id="an unknown operator is unsupported",
        ),
    ],
)
def test_invalid_expressions_are_reported_with_upstream_paths(
    expression: dict[str, Any], message: str
) -> None:
    matcher = NodeSelectorMatcher({"nodeSelectorTerms": [term([expression])]})
    assert [e.error() for e in matcher.errors] == [message]


def test_a_field_selector_with_an_unsupported_operator_is_reported() -> None:
    matcher = NodeSelectorMatcher(
        {"nodeSelectorTerms": [term(fields=[expr("metadata.name", "Exists")])]}
    )
    assert [e.error() for e in matcher.errors] == [
        'nodeSelectorTerms[0].matchFields[0].operator: Unsupported value: "Exists": '
        'supported values: "In", "NotIn"'
    ]


# nodeaffinity_test.go TestPreferredSchedulingTermsScore.
def test_preferred_terms_sum_the_weights_of_the_matching_terms() -> None:
    terms = PreferredSchedulingTerms(
        [
            {"weight": 5, "preference": term(fields=[name_in("host_1")])},
            {"weight": 7, "preference": term([expr("unknown_label", "In", "unknown_label_val")])},
            {"weight": 11, "preference": term([expr("label_1", "In", "label_1_val")])},
        ]
    )
    assert terms.errors == ()
    assert terms.score(node("host_1", label_1="label_1_val")) == 16


def test_a_zero_weight_term_is_skipped_and_its_errors_are_not_reported() -> None:
    terms = PreferredSchedulingTerms(
        [{"weight": 0, "preference": term(fields=[name_in("host_1", "host_2")])}]
    )
    assert terms.errors == ()
    assert terms.score(node("host_1")) == 0


def test_invalid_preferred_terms_are_reported_from_the_term_index_and_never_score() -> None:
    terms = PreferredSchedulingTerms(
        [
            {"weight": 1, "preference": term(fields=[name_in("host_1", "host_2")])},
            {"weight": 1, "preference": term([expr("label_1", "In", "label_1_val")])},
            {"weight": 1, "preference": term([expr("invalid key", "In", "label_value")])},
        ]
    )
    assert [e.field for e in terms.errors] == [
        "[0].matchFields[0].values",
        "[2].matchExpressions[0].key",
    ]
    assert terms.score(node("host_1", label_1="label_1_val")) == 1


def test_a_pods_preferred_affinity_scores_a_node() -> None:
    the_pod = pod(
        preferred=[
            (10, term([expr("gpu", "In", "a100")])),
            (3, term([expr("zone", "Exists")])),
        ]
    )
    assert preferred_affinity_score(the_pod, node("n", gpu="a100", zone="a")) == 13
    assert preferred_affinity_score(the_pod, node("n", gpu="t4")) == 0
    assert preferred_affinity_score(pod(), node("n", gpu="a100")) == 0


# nodeaffinity_test.go TestNodeSelectorRequirementsAsSelector.
@pytest.mark.parametrize(
    ("requirements", "labels", "expected"),
    [
        pytest.param(None, {"foo": "bar"}, False, id="no requirements select nothing"),
        pytest.param([], {"foo": "bar"}, False, id="an empty requirement list selects nothing"),
        pytest.param(
            [expr("foo", "In", "bar", "baz")],
            {"foo": "baz"},
            True,
            id="foo in (bar, baz) matches baz",
        ),
        pytest.param(
            [expr("foo", "Exists", "bar", "baz")],
            {"foo": "bar"},
            False,
            id="an invalid requirement matches nothing",
        ),
        pytest.param([expr("foo", "Gt", "1")], {"foo": "2"}, True, id="foo>1 matches 2"),
        pytest.param([expr("bar", "Lt", "7")], {"bar": "7"}, False, id="bar<7 is strict"),
        pytest.param([expr("bar", "Lt", "7")], {}, False, id="Lt needs the label to exist"),
        pytest.param(
            [expr("bar", "Gt", "7")],
            {"bar": "many"},
            False,
            id="Gt against a non-integer label fails",
        ),
        pytest.param(
            [expr("bar", "DoesNotExist")], {}, True, id="DoesNotExist matches a missing label"
        ),
        pytest.param([expr("bar", "NotIn", "x")], {}, True, id="NotIn matches a missing label"),
    ],
)
def test_node_selector_requirements_match(
    requirements: list[dict[str, Any]] | None, labels: dict[str, str], expected: bool
) -> None:
    assert node_selector_requirements_match(requirements, labels) is expected


@pytest.mark.parametrize(
    ("requirement", "labels", "expected"),
    [
        pytest.param(
            expr("app", "In", "web", "api"), {"app": "api"}, True, id="In matches a listed value"
        ),
        pytest.param(expr("app", "In", "web"), {}, False, id="In needs the label"),
        pytest.param(expr("app", "NotIn", "web"), {}, True, id="NotIn matches a missing label"),
        pytest.param(expr("app", "Exists"), {"app": ""}, True, id="Exists matches an empty value"),
        pytest.param(
            expr("app", "DoesNotExist"),
            {"app": "x"},
            False,
            id="DoesNotExist refuses a present label",
        ),
        pytest.param(
            expr("n", "Gt", "1"), {"n": "2"}, False, id="label selectors have no Gt operator"
        ),
    ],
)
def test_match_label_selector_requirement(
    requirement: dict[str, Any], labels: dict[str, str], expected: bool
) -> None:
    assert match_label_selector_requirement(requirement, labels) is expected


def test_a_compiled_affinity_matches_many_nodes_and_never_mutates_the_pod() -> None:
    the_pod = pod({"pool": "gpu"}, required=[term([expr("gpu", "In", "a100", "h100")])])
    before = copy.deepcopy(the_pod)
    required = RequiredNodeAffinity(the_pod)
    nodes = [node(f"n{i}", pool="gpu", gpu=g) for i, g in enumerate(["a100", "t4", "h100"])]
    assert [required.match(n) for n in nodes] == [True, False, True]
    assert the_pod == before


def test_a_pod_without_selector_or_required_affinity_is_an_empty_constraint() -> None:
    assert RequiredNodeAffinity(pod()).is_empty
    assert not RequiredNodeAffinity(pod({"a": "b"})).is_empty
    assert not RequiredNodeAffinity(pod(required=[])).is_empty
