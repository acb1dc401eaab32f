"""RBAC defaulting and validation, as kube-apiserver v1.37.

Cases follow pkg/apis/rbac/validation/validation_test.go (TestValidateRoleBindingSubject,
TestValidateRoleBinding, TestValidateRoleBindingUpdate, TestValidateRole,
TestValidateClusterRole, TestNonResourceURLCovers) and pkg/apis/rbac/v1/defaults_test.go.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.rbac import (
    ClusterRoleBindingStrategy,
    ClusterRoleStrategy,
    RoleBindingStrategy,
    RoleStrategy,
)

Obj = dict[str, Any]
GROUP = "rbac.authorization.k8s.io"


def role(*rules: Obj, kind: str = "Role") -> Obj:
    o: Obj = {
        "apiVersion": f"{GROUP}/v1",
        "kind": kind,
        "metadata": {"name": "reader"} | ({"namespace": "default"} if kind == "Role" else {}),
        "rules": list(rules),
    }
    return o


def binding(role_ref: Obj, *subjects: Obj, kind: str = "RoleBinding") -> Obj:
    strategy = RoleBindingStrategy() if kind == "RoleBinding" else ClusterRoleBindingStrategy()
    o: Obj = {
        "apiVersion": f"{GROUP}/v1",
        "kind": kind,
        "metadata": {"name": "b"} | ({"namespace": "default"} if kind == "RoleBinding" else {}),
        "roleRef": role_ref,
        "subjects": list(subjects),
    }
    strategy.default(o)
    return o


def role_messages(o: Obj) -> list[str]:
    strategy = RoleStrategy() if o["kind"] == "Role" else ClusterRoleStrategy()
    return [e.error() for e in strategy.validate(o)]


def binding_messages(o: Obj) -> list[str]:
    strategy = RoleBindingStrategy() if o["kind"] == "RoleBinding" else ClusterRoleBindingStrategy()
    return [e.error() for e in strategy.validate(o)]


POD_READER = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}
ROLE_REF = {"kind": "Role", "name": "reader"}
USER = {"kind": "User", "name": "alice"}


def test_binding_defaults_fill_the_rbac_group() -> None:
    o = binding(dict(ROLE_REF), dict(USER), {"kind": "ServiceAccount", "name": "sa"})
    assert (o["roleRef"]["apiGroup"], o["subjects"][0]["apiGroup"], o["subjects"][1]) == (
        GROUP,
        GROUP,
        {"kind": "ServiceAccount", "name": "sa"},
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(POD_READER, [], id="a resource rule"),
        pytest.param(
            {"apiGroups": [""], "resources": ["pods"]},
            ["rules[0].verbs: Required value: verbs must contain at least one value"],
            id="no verbs",
        ),
        pytest.param(
            {"resources": ["pods"], "verbs": ["get"]},
            [
                "rules[0].apiGroups: Required value: resource rules must supply at least one "
                "api group"
            ],
            id="no api groups",
        ),
        pytest.param(
            {"apiGroups": [""], "verbs": ["get"]},
            [
                "rules[0].resources: Required value: resource rules must supply at least one "
                "resource"
            ],
            id="no resources",
        ),
        pytest.param(
            {"nonResourceURLs": ["/healthz"], "verbs": ["get"]},
            [
                'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot '
                "apply to non-resource URLs"
            ],
            id="a Role may not name non-resource URLs",
        ),
    ],
)
def test_role_rules(rule: Obj, expected: list[str]) -> None:
    assert role_messages(role(rule)) == expected


def test_cluster_role_non_resource_urls() -> None:
    ok = role({"nonResourceURLs": ["/healthz"], "verbs": ["get"]}, kind="ClusterRole")
    mixed = role(
        {"nonResourceURLs": ["/healthz"], "resources": ["pods"], "verbs": ["get"]},
        kind="ClusterRole",
    )
    assert (role_messages(ok), role_messages(mixed)) == (
        [],
        [
            'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both '
            "regular resources and non-resource URLs"
        ],
    )


def test_an_empty_aggregation_rule_needs_a_selector() -> None:
    o = role(kind="ClusterRole") | {"aggregationRule": {"clusterRoleSelectors": []}}
    assert role_messages(o) == [
        "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector "
        "required if aggregationRule is non-nil"
    ]


def test_role_names_are_path_segments() -> None:
    o = role(POD_READER)
    o["metadata"]["name"] = "a/b"
    assert role_messages(o) == ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]


@pytest.mark.parametrize(
    ("role_ref", "subjects", "expected"),
    [
        pytest.param(ROLE_REF, [USER], [], id="a user bound to a Role"),
        pytest.param(
            {"kind": "ClusterRole", "name": "view"},
            [{"kind": "Group", "name": "devs"}],
            [],
            id="a group bound to a ClusterRole",
        ),
        pytest.param(
            {"kind": "Deployment", "name": "x"},
            [USER],
            [
                'roleRef.kind: Unsupported value: "Deployment": supported values: "Role", '
                '"ClusterRole"'
            ],
            id="a roleRef that is not a role",
        ),
        pytest.param(
            {"kind": "Role", "name": "x", "apiGroup": "other.io"},
            [USER],
            [
                'roleRef.apiGroup: Unsupported value: "other.io": supported values: '
                '"rbac.authorization.k8s.io"'
            ],
            id="a roleRef in another group",
        ),
        pytest.param(
            {"kind": "Role", "name": ""},
            [USER],
            ["roleRef.name: Required value"],
            id="a roleRef without name",
        ),
        pytest.param(
            ROLE_REF,
            [{"kind": "Robot", "name": "r2"}],
            [
                'subjects[0].kind: Unsupported value: "Robot": supported values: '
                '"ServiceAccount", "User", "Group"'
            ],
            id="an unknown subject kind",
        ),
        pytest.param(
            ROLE_REF,
            [{"kind": "ServiceAccount", "name": "sa", "apiGroup": GROUP}],
            [f'subjects[0].apiGroup: Unsupported value: "{GROUP}": supported values: ""'],
            id="a service account subject in the rbac group",
        ),
        pytest.param(
            ROLE_REF,
            [{"kind": "ServiceAccount", "name": "Bad_Name"}],
            [
                'subjects[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain '
                "must consist of lower case alphanumeric characters, '-' or '.', and must start "
                "and end with an alphanumeric character (e.g. 'example.com', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ],
            id="a service account name that is not a subdomain",
        ),
        pytest.param(
            ROLE_REF,
            [{"kind": "User", "name": ""}],
            ["subjects[0].name: Required value"],
            id="a subject without name",
        ),
    ],
)
def test_role_bindings(role_ref: Obj, subjects: list[Obj], expected: list[str]) -> None:
    assert binding_messages(binding(dict(role_ref), *subjects)) == expected


def test_cluster_role_bindings_need_cluster_roles_and_service_account_namespaces() -> None:
    o = binding(
        {"kind": "Role", "name": "reader"},
        {"kind": "ServiceAccount", "name": "sa"},
        kind="ClusterRoleBinding",
    )
    assert binding_messages(o) == [
        'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
        "subjects[0].namespace: Required value",
    ]


def test_the_role_ref_cannot_change() -> None:
    old = binding(dict(ROLE_REF), USER)
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["roleRef"]["name"] = "writer"
    strategy = RoleBindingStrategy()
    strategy.prepare_for_update(new, old)
    assert [e.error() for e in strategy.validate_update(new, old)] == [
        'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role",'
        '"name":"writer"}: cannot change roleRef'
    ]


def test_subjects_may_change() -> None:
    old = binding(dict(ROLE_REF), USER)
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["subjects"].append({"kind": "User", "name": "bob", "apiGroup": GROUP})
    assert RoleBindingStrategy().validate_update(new, old) == []
