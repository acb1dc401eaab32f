"""Names, labels, annotations, selectors and ObjectMeta validate as Kubernetes v1.37 does.

Value tables come from apimachinery/pkg/util/validation/validation_test.go (TestIsDNS1123Label,
TestIsDNS1123Subdomain, TestIsDNS1035Label, TestIsValidPortNum, TestIsValidPortName,
TestIsQualifiedName, TestIsValidLabelValue, TestIsValidPercent, TestIsConfigMapKey,
TestIsRelaxedEnvVarName), api/validation/objectmeta_test.go and
apis/meta/v1/validation/validation_test.go, each named at its table. Exact messages are
those of validation.go and validate/content/kube.go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mlkube.api import validation as v
from mlkube.api.field import Path

LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

Check = Callable[[str], list[str]]


def _table(check: Check, good: list[str], bad: list[str], what: str) -> list[Any]:
    return [pytest.param(check, s, True, id=f"{s[:40]!r} is a valid {what}") for s in good] + [
        pytest.param(check, s, False, id=f"{s[:40]!r} is not a valid {what}") for s in bad
    ]


CASES = (
    # validation_test.go TestIsDNS1123Label
    _table(
        v.is_dns1123_label,
        ["a", "a--1--2--b", "0", "1-a", "a" * 63],
        ["", "A", "a-", "-a", "a_b", "a.b", "a b", "a" * 64],
        "DNS-1123 label",
    )
    # TestIsDNS1123Subdomain
    + _table(
        v.is_dns1123_subdomain,
        ["a.b.c.d.e", "1.2.3.4.5", "a--1--2--b.1", "a" * 253],
        ["a..b", "A.a", "a.B.c.d.e", "a@b", "a" * 254, ".a"],
        "DNS-1123 subdomain",
    )
    # TestIsDNS1035Label
    + _table(
        v.is_dns1035_label, ["a", "a-1", "a" * 63], ["0", "1a", "A", "a" * 64], "DNS-1035 label"
    )
    # TestIsQualifiedName
    + _table(
        v.is_qualified_name,
        [
            "simple",
            "1234/5678",
            "now-with.dashes-and.dots/simple",
            "Uppercase_Is_OK_123",
            "a" * 253 + "/" + "b" * 63,
        ],
        [
            "nospecialchars%^=@",
            "cantendwithadash-",
            "only/one/slash",
            "Example.com/abc",
            "example.com/",
            "/simple",
            "a" * 64,
            "a" * 254 + "/abc",
        ],
        "qualified name",
    )
    # TestIsValidLabelValue
    + _table(
        v.is_valid_label_value,
        ["", "simple", "now-with-dashes", "1234", "Uppercase_Is_OK_123", "a" * 63],
        ["nospecialchars%^=@", "Tama-nui-te-rā.is.Māori.sun", "\\backslashes", "a" * 64],
        "label value",
    )
    # TestIsValidPercent
    + _table(
        v.is_valid_percent, ["0%", "00000%", "101%"], ["", "0", "99.9%", " 1%", "-1%"], "percent"
    )
    # TestIsConfigMapKey
    + _table(
        v.is_config_map_key,
        ["a", "still.good", ".so.is.this", "THIS_IS_GOOD"],
        [".", "..", "..bad", "b*d", "bad!&bad"],
        "config map key",
    )
    # TestIsRelaxedEnvVarName (the v1.37 pod rule)
    + _table(
        v.is_env_var_name,
        ["-", ":", "+a", "a.", "0a", "a ", "#a", "0 a"],
        ["", "=", "a=b", "\x01abc", "\x82abc", "Ç ç"],
        "env var name",
    )
    + _table(
        v.is_strict_env_var_name,
        ["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ["1abc", "a b", "..", "..foo"],
        "strict env var name",
    )
    + _table(v.is_c_identifier, ["my_name", "_x", "MyName"], ["1x", "my-name", ""], "C identifier")
    # TestIsValidPortName
    + _table(
        v.is_valid_port_name,
        ["telnet", "re-mail-ck", "a-1-b-2-c"],
        ["longerthan15characters", "", "12345", "-begin", "two--hyphens", "whois++"],
        "port name",
    )
)


@pytest.mark.parametrize(("check", "value", "valid"), CASES)
def test_string_validators_accept_what_upstream_accepts(
    check: Check, value: str, valid: bool
) -> None:
    assert (check(value) == []) is valid


@pytest.mark.parametrize(
    ("port", "valid"),
    [
        pytest.param(1, True, id="port 1 is valid"),
        pytest.param(65535, True, id="port 65535 is valid"),
        pytest.param(0, False, id="port 0 is not valid"),
        pytest.param(65536, False, id="port 65536 is not valid"),
    ],
)
def test_port_numbers_are_one_to_65535(port: int, valid: bool) -> None:
    # validation_test.go TestIsValidPortNum
    assert v.is_valid_port_num(port) == (
        [] if valid else ["must be between 1 and 65535, inclusive"]
    )


@pytest.mark.parametrize(
    ("check", "value", "messages"),
    [
        pytest.param(v.is_dns1123_label, "Foo", [LABEL_MSG], id="an uppercase label"),
        pytest.param(v.is_dns1123_label, "a.b", ["must not contain dots"], id="a label with dots"),
        pytest.param(
            v.is_dns1123_label,
            "a" * 64,
            ["must be no more than 63 characters"],
            id="a label that is too long says characters",
        ),
        pytest.param(v.is_dns1123_subdomain, "Foo_Bar", [SUBDOMAIN_MSG], id="a bad subdomain"),
        pytest.param(
            v.is_qualified_name, "cantendwithadash-", [NAME_PART_MSG], id="a bad key name part"
        ),
        pytest.param(
            v.is_qualified_name,
            "/simple",
            ["prefix part must be non-empty"],
            id="an empty key prefix",
        ),
        pytest.param(
            v.is_qualified_name,
            "a" * 64,
            ["name part must be no more than 63 bytes"],
            id="a key name part that is too long says bytes",
        ),
        pytest.param(
            v.is_qualified_name,
            "Example.com/abc",
            ["prefix part " + SUBDOMAIN_MSG],
            id="an uppercase key prefix",
        ),
        pytest.param(v.is_valid_label_value, "a b", [LABEL_VALUE_MSG], id="a bad label value"),
        pytest.param(
            v.is_config_map_key,
            "b*d",
            [
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                "is '[-._a-zA-Z0-9]+')"
            ],
            id="a config map key with a star",
        ),
        pytest.param(
            v.is_config_map_key,
            "..",
            ["must not be '..'"],
            id="a dot-dot config map key matches the charset but is a chdir",
        ),
        pytest.param(
            v.is_env_var_name,
            "a=b",
            [
                "a valid environment variable name must consist only of printable ASCII "
                "characters other than '='"
            ],
            id="an env var name with an equals sign",
        ),
        pytest.param(
            v.is_env_var_name,
            "",
            ["environment variable name must be non-empty"],
            id="an empty env var name",
        ),
        pytest.param(
            v.is_valid_percent,
            "1",
            [
                "a valid percent string must be a numeric string followed by an ending '%' "
                "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
            ],
            id="a percent without a percent sign",
        ),
    ],
)
def test_string_validators_word_their_messages_as_upstream(
    check: Check, value: str, messages: list[str]
) -> None:
    assert check(value) == messages


# --- labels, annotations, selectors (metav1 validation_test.go, objectmeta_test.go) ---


def test_labels_report_bad_keys_and_values_at_the_labels_path() -> None:
    errs = v.validate_labels({"ok": "fine", "bad key": "a b"}, Path("metadata", "labels"))
    assert [e.error() for e in errs] == [
        f'metadata.labels: Invalid value: "bad key": {NAME_PART_MSG}',
        f'metadata.labels: Invalid value: "a b": {LABEL_VALUE_MSG}',
    ]


@pytest.mark.parametrize(
    ("annotations", "count"),
    [
        pytest.param({"UpperCase123": "bar"}, 0, id="annotation keys are case-insensitive"),
        pytest.param({"a": "b" * (256 * 1024 - 1)}, 0, id="annotations just under 256 KiB pass"),
        pytest.param({"a": "b" * (256 * 1024)}, 1, id="annotations over 256 KiB fail once"),
        pytest.param({"only/one/slash": "bar"}, 1, id="a key with two slashes fails"),
    ],
)
def test_annotations_follow_validate_annotations(annotations: dict[str, str], count: int) -> None:
    # objectmeta_test.go TestValidateAnnotations
    assert len(v.validate_annotations(annotations, Path("field"))) == count


def test_oversized_annotations_report_too_long_in_bytes() -> None:
    errs = v.validate_annotations({"a": "b" * (256 * 1024)}, Path("metadata", "annotations"))
    assert [e.error() for e in errs] == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    ]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param(None, [], id="a nil selector is valid"),
        pytest.param(
            {
                "matchLabels": {"app": "x"},
                "matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}],
            },
            [],
            id="a well-formed selector is valid",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "In"}]},
            [
                "spec.selector.matchExpressions[0].values: Required value: must be specified "
                "when `operator` is 'In' or 'NotIn'"
            ],
            id="In without values is required",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]},
            [
                "spec.selector.matchExpressions[0].values: Forbidden: may not be specified "
                "when `operator` is 'Exists' or 'DoesNotExist'"
            ],
            id="Exists with values is forbidden",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "Foo"}]},
            [
                'spec.selector.matchExpressions[0].operator: Invalid value: "Foo": '
                "not a valid selector operator"
            ],
            id="an unknown operator is invalid",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["a b"]}]},
            [
                'spec.selector.matchExpressions[0].values[0]: Invalid value: "a b": '
                + LABEL_VALUE_MSG
            ],
            id="a bad value is reported at its index",
        ),
    ],
)
def test_label_selectors_follow_validate_label_selector(
    selector: dict[str, Any] | None, expected: list[str]
) -> None:
    errs = v.validate_label_selector(selector, Path("spec", "selector"))
    assert [e.error() for e in errs] == expected


# --- ObjectMeta on create (objectmeta_test.go) -----------------------------------------


def meta(**fields: Any) -> dict[str, Any]:
    return {"name": "test", **fields}


@pytest.mark.parametrize(
    ("metadata", "namespaced", "expected"),
    [
        pytest.param(
            {"namespace": "ns"},
            True,
            ["metadata.name: Required value: name or generateName is required"],
            id="a missing name needs a name or generateName",
        ),
        pytest.param(
            meta(name="Bad_Name", namespace="ns"),
            True,
            [f'metadata.name: Invalid value: "Bad_Name": {SUBDOMAIN_MSG}'],
            id="the name is checked with the name function",
        ),
        pytest.param(
            meta(generateName="foo-"),
            False,
            [],
            id="a generateName may end in a dash (TestValidateObjectMetaTrimsTrailingDash)",
        ),
        pytest.param(
            meta(),
            True,
            ["metadata.namespace: Required value"],
            id="a namespaced object needs a namespace",
        ),
        pytest.param(
            meta(namespace="foo.bar"),
            True,
            ['metadata.namespace: Invalid value: "foo.bar": must not contain dots'],
            id="a namespace is a DNS label (TestValidateObjectMetaNamespaces)",
        ),
        pytest.param(
            meta(namespace="ns"),
            False,
            ["metadata.namespace: Forbidden: not allowed on this type"],
            id="a cluster-scoped object may not have a namespace",
        ),
        pytest.param(
            meta(generation=-1),
            False,
            ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"],
            id="generation may not be negative",
        ),
        pytest.param(
            meta(finalizers=["orphan", "foregroundDeletion"]),
            False,
            [
                'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: '
                "finalizer orphan and foregroundDeletion cannot be both set"
            ],
            id="orphan and foregroundDeletion conflict (TestValidateFinalizersPreventConflicting)",
        ),
        pytest.param(
            meta(ownerReferences=[{"apiVersion": "v1", "kind": "Event", "name": "n", "uid": "1"}]),
            False,
            [
                'metadata.ownerReferences[0]: Invalid value: {"apiVersion":"v1","kind":"Event",'
                '"name":"n","uid":"1"}: /v1, Kind=Event is disallowed from being an owner'
            ],
            id="an Event may not be an owner",
        ),
        pytest.param(
            meta(ownerReferences=[{"apiVersion": "a/b/c", "kind": "K", "name": "n", "uid": "1"}]),
            False,
            [
                'metadata.ownerReferences[0].apiVersion: Invalid value: "a/b/c": '
                "must be <group>/<version> or <version>"
            ],
            id="an owner apiVersion must parse as group/version",
        ),
        pytest.param(
            meta(ownerReferences=[{}]),
            False,
            [
                "metadata.ownerReferences[0].apiVersion: Required value: must not be empty",
                "metadata.ownerReferences[0].kind: Required value: must not be empty",
                "metadata.ownerReferences[0].name: Required value: must not be empty",
                "metadata.ownerReferences[0].uid: Required value: must not be empty",
            ],
            id="an empty owner reference misses every required field",
        ),
        pytest.param(
            meta(managedFields=[{"manager": "m", "operation": "Patch"}]),
            False,
            [
                'metadata.managedFields[0].operation: Unsupported value: "Patch": '
                'supported values: "Apply", "Update"'
            ],
            id="a managed fields operation is Apply or Update",
        ),
    ],
)
def test_object_meta_on_create_follows_validate_object_meta(
    metadata: dict[str, Any], namespaced: bool, expected: list[str]
) -> None:
    errs = v.validate_object_meta(
        metadata, Path("metadata"), namespaced=namespaced, name_fn=v.name_is_dns_subdomain
    )
    assert [e.error() for e in errs] == expected


def test_only_one_owner_reference_may_be_the_controller() -> None:
    refs = [
        {"apiVersion": "v1", "kind": f"K{i}", "name": "name", "uid": str(i), "controller": True}
        for i in (2, 3)
    ]
    errs = v.validate_owner_references(refs, Path("field"))
    assert len(errs) == 1
    assert errs[0].detail == (
        'Only one reference can have Controller set to true. Found "true" in references for '
        "K2/name and K3/name"
    )


# --- ObjectMeta on update (objectmeta_test.go) -----------------------------------------


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        pytest.param(
            meta(resourceVersion="1", generation=4),
            meta(resourceVersion="1", generation=5),
            ["metadata.generation: Invalid value: 4: must not be decremented"],
            id="generation may not go down (TestObjectMetaGenerationUpdate)",
        ),
        pytest.param(
            meta(name="other", resourceVersion="1"),
            meta(resourceVersion="1"),
            ['metadata.name: Invalid value: "other": field is immutable'],
            id="the name is immutable",
        ),
        pytest.param(
            meta(resourceVersion="1", uid="b"),
            meta(resourceVersion="1", uid="a"),
            ['metadata.uid: Invalid value: "b": field is immutable'],
            id="the uid is immutable",
        ),
        pytest.param(
            meta(resourceVersion="1", deletionTimestamp="1970-01-01T00:16:40Z"),
            meta(resourceVersion="1"),
            [
                'metadata.deletionTimestamp: Invalid value: "1970-01-01T00:16:40Z": '
                "field is immutable"
            ],
            id="a deletion timestamp cannot be set by update",
        ),
        pytest.param(
            meta(resourceVersion="1"),
            meta(resourceVersion="1", creationTimestamp="1970-01-01T00:00:10Z"),
            ["metadata.creationTimestamp: Invalid value: null: field is immutable"],
            id="a creation timestamp cannot be cleared (TestValidateObjectMetaUpdateIgnores...)",
        ),
        pytest.param(
            meta(resourceVersion="1", creationTimestamp="1970-01-01T01:00:10+01:00"),
            meta(resourceVersion="1", creationTimestamp="1970-01-01T00:00:11Z"),
            [
                'metadata.creationTimestamp: Invalid value: "1970-01-01T00:00:10Z": '
                "field is immutable"
            ],
            id="a changed creation timestamp is shown re-encoded in UTC",
        ),
        pytest.param(
            meta(resourceVersion="1", creationTimestamp="1970-01-01T01:00:10+01:00"),
            meta(resourceVersion="1", creationTimestamp="1970-01-01T00:00:10Z"),
            [],
            id="timestamps compare as instants, not strings",
        ),
        pytest.param(
            meta(resourceVersion="1"),
            meta(resourceVersion="1", deletionGracePeriodSeconds=30),
            ["metadata.deletionGracePeriodSeconds: Invalid value: null: field is immutable"],
            id="a grace period cannot be cleared by update",
        ),
        pytest.param(
            meta(),
            meta(resourceVersion="1"),
            ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
            id="an update must carry a resourceVersion",
        ),
        pytest.param(
            meta(resourceVersion="1", deletionTimestamp="t", finalizers=["x/a", "y/b"]),
            meta(resourceVersion="1", deletionTimestamp="t", finalizers=["x/a"]),
            [
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object "
                'is being deleted, found new finalizers []string{"y/b"}'
            ],
            id="no finalizers may be added while deleting (TestValidateFinalizersUpdate)",
        ),
        pytest.param(
            meta(resourceVersion="1", deletionTimestamp="t", finalizers=["x/a"]),
            meta(resourceVersion="1", deletionTimestamp="t", finalizers=["x/a", "y/b"]),
            [],
            id="finalizers may be removed while deleting",
        ),
    ],
)
def test_object_meta_on_update_follows_validate_object_meta_update(
    new: dict[str, Any], old: dict[str, Any], expected: list[str]
) -> None:
    errs = v.validate_object_meta_update(new, old, Path("metadata"))
    assert [e.error() for e in errs] == expected


def test_validators_do_not_mutate_their_inputs() -> None:
    new = meta(resourceVersion="1", labels={"a": "b"}, finalizers=["x/a"])
    old = meta(resourceVersion="1", generation=2)
    snapshot = (repr(new), repr(old))
    v.validate_object_meta_update(new, old, Path("metadata"))
    v.validate_object_meta(new, Path("metadata"), namespaced=True, name_fn=v.name_is_dns_label)
    assert (repr(new), repr(old)) == snapshot
